/* npy.c — fuzzing harness of the .npy reader: the input is a file's
 * bytes, read whole (ixp_npy_load, under a given name and under the
 * default name taken from the path), and read as the checker does: the
 * header first (ixp_npy_load_header), the values later
 * (ixp_npy_load_values). */
#include <stdlib.h>

#include "dataset.h"
#include "fuzz.h"

/* Read every value of d, so a column left short is found. */
static void touch_columns(const IxpDataset *d) {
  volatile double sum = 0;
  for (int j = 0; j < d->ncols; j++) {
    ixp_column_first_nonfinite(&d->cols[j], d->nrows);
    for (long i = 0; i < d->nrows; i++) sum += d->cols[j].value[i];
  }
  (void)sum;
}

static void load_whole(const char *path, const char *name) {
  IxpDataset *d = NULL;
  IxpDataError err;
  if (ixp_npy_load(path, name, &d, &err)) touch_columns(d);
  ixp_dataset_free(d);
}

static void load_in_two_steps(const char *path) {
  IxpDataset *d = NULL;
  IxpDataError err;
  if (ixp_npy_load_header(path, "x", &d, &err) && ixp_npy_load_values(d, &err)) touch_columns(d);
  ixp_dataset_free(d);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  ixp_fuzz_one_thread();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = ixp_fuzz_file(data, size);
  load_whole(path, "x");
  load_whole(path, NULL);
  load_in_two_steps(path);
  return 0;
}
