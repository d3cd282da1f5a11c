/* record.c — fuzzing harness of the record reader (ixp_runrec_read, what
 * `ixp check --against` and `ixp show` load): the input is a record
 * file's bytes. A record that reads is shown, and compared with itself
 * and, both ways, with the shared example's record. */
#include <stdlib.h>

#include "fuzz.h"
#include "record.h"

static IxpRunRecord *shared;  /* examples/shared_experiment.record.json */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  ixp_fuzz_one_thread();
  char err[512];
  shared = ixp_runrec_read(IXP_FUZZ_ROOT "/shared_experiment.record.json", err, sizeof err);
  if (!shared) {
    fprintf(stderr, "record fuzzer: %s\n", err);
    abort();
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[512];
  IxpRunRecord *r = ixp_runrec_read(ixp_fuzz_file(data, size), err, sizeof err);
  if (!r) return 0;
  FILE *out = ixp_fuzz_sink();
  ixp_runrec_show(r, out);
  ixp_runrec_count(r);
  ixp_runrec_compare(r, r, 1e-9, out);
  ixp_runrec_compare(r, shared, 1e-9, out);
  ixp_runrec_compare(shared, r, 0, out);
  ixp_runrec_free(r);
  return 0;
}
