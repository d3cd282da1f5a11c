/* set.c — fuzzing harness of `--set NAME=VALUE`: the input is the value
 * (cut at its first NUL byte, as a command-line argument would be). It
 * replaces the let of three small fixed programs, one each for a number,
 * a vector and a string, which are checked and run in a fresh session;
 * they print to /dev/null and write no file. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "session.h"

static const char *const programs[] = {
    "let x = 0.1\n"
    "model m {\n  a ~ bernoulli(x)\n  b = a xor 1\n}\n"
    "print x, h2(x)\n"
    "print entropy(a) in m, mi(a; b) in m\n",
    "let x = [0.25, 0.75]\n"
    "print x, sum(x), x[0]\n",
    "let x = \"a\"\n"
    "print x\n",
};

static void run_with(const char *program, const char *value) {
  IxpOverride set = {"x", value};
  IxpOptions opt = {.out = ixp_fuzz_sink(), .err = ixp_fuzz_sink(), .overrides = &set, .noverrides = 1};
  IxpSession *s = ixp_session_new(&opt);
  if (!s) abort();
  ixp_session_run(s, "set.ixp", program, strlen(program));
  ixp_session_free(s);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  ixp_fuzz_one_thread();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *value = malloc(size + 1);
  if (!value) abort();
  memcpy(value, data, size);
  value[size] = '\0';
  for (size_t i = 0; i < sizeof programs / sizeof *programs; i++) run_with(programs[i], value);
  free(value);
  return 0;
}
