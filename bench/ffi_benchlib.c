/* ffi_benchlib.c — the library bench/bench_ffi.c calls (built as
 * build/ffi_benchlib.so by the Makefile; not a bench program itself):
 * a tiny scalar function, to measure per-call overhead, and a dense layer
 * h[n, 16] = tanh(x[n, 16] W), to measure batched calls. */
#include <math.h>
#include <stdint.h>

double axpy(double x, double y) { return 0.999999 * x + y; }

static double W[16][16];

/* Fixed weights, set when the library loads. */
__attribute__((constructor)) static void init_weights(void) {
  for (int j = 0; j < 16; j++)
    for (int k = 0; k < 16; k++) W[j][k] = 0.25 * sin(16.0 * j + k + 1.0);
}

void layer(int64_t n, const double *x, double *h) {
  for (int64_t r = 0; r < n; r++) {
    double s[16] = {0};
    for (int j = 0; j < 16; j++)
      for (int k = 0; k < 16; k++) s[k] += x[r * 16 + j] * W[j][k];
    for (int k = 0; k < 16; k++) h[r * 16 + k] = tanh(s[k]);
  }
}
