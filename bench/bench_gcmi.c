/* bench_gcmi.c — gaussian and gcmi on 1e6 x 20 against one SYRK over
 * the data (issue 16's goal: at most 2x).
 *
 * reference: one SYRK of the 1e6 x 20 data (the product X^T X, lower
 *   triangle), alone.
 * gaussian: what `mi(x0 .. x9; x10 .. x19) in d using gaussian` computes
 *   after reading the columns: ixp_covariance (compensated column means,
 *   centring, one SYRK) and ixp_gauss_mi (two small Cholesky factors).
 * gcmi: the same after ixp_normal_scores (each column ranked by a radix
 *   sort, Phi^{-1} of its ranks).
 * Medians of 5 runs, at 1 thread and at the default count. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blis/dense.h"
#include "copula.h"
#include "gaussian.h"
#include "rng.h"
#include "threads.h"
#include "timing.h"

#define N 1000000L
#define D 20
#define REPS 5

static void *xmalloc(size_t n) {
  void *p = malloc(n);
  if (!p) {
    fprintf(stderr, "bench_gcmi: out of memory\n");
    exit(1);
  }
  return p;
}

static int by_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void fail(const char *what) {
  fprintf(stderr, "bench_gcmi: %s failed\n", what);
  exit(1);
}

static double syrk_once(const double *x, double *cov) {
  double t0 = now();
  if (ixp_dense_syrk_lower(true, D, N, 1.0, x, D, 0.0, cov, D)) fail("syrk");
  return now() - t0;
}

static double mi_of(const double *cov) {
  long a[10], b[10];
  for (int i = 0; i < 10; i++) a[i] = i, b[i] = 10 + i;
  double mi;
  if (ixp_gauss_mi(cov, D, a, 10, b, 10, NULL, 0, &mi) != IXP_GAUSS_OK) fail("mi");
  return mi;
}

static double gaussian_once(const double *x, double *cov, double *mi) {
  double t0 = now();
  if (ixp_covariance(x, N, D, cov) != IXP_GAUSS_OK) fail("covariance");
  *mi = mi_of(cov) - ixp_gauss_mi_bias(10, 10, 0, N);
  return now() - t0;
}

static double gcmi_once(const double *x, double *scores, double *cov, double *mi) {
  double t0 = now();
  if (!ixp_normal_scores(x, N, D, scores)) fail("normal scores");
  if (ixp_covariance(scores, N, D, cov) != IXP_GAUSS_OK) fail("covariance");
  *mi = mi_of(cov) - ixp_gauss_mi_bias(10, 10, 0, N);
  return now() - t0;
}

static double median(double *t) {
  qsort(t, REPS, sizeof *t, by_double);
  return t[REPS / 2];
}

static void run(int threads, const double *x, double *scores) {
  ixp_dense_set_threads(threads);
  double ts[REPS], tg[REPS], tc[REPS], cov[D * D], mg = 0, mc = 0;
  for (int r = 0; r < REPS; r++) {
    ts[r] = syrk_once(x, cov);
    tg[r] = gaussian_once(x, cov, &mg);
    tc[r] = gcmi_once(x, scores, cov, &mc);
  }
  double s = median(ts), g = median(tg), c = median(tc);
  printf("  %d thread%s: SYRK %.4f s | gaussian %.4f s = %.2fx SYRK | gcmi %.4f s = %.2fx SYRK  (I = %.4f, %.4f)\n",
         threads, threads == 1 ? " " : "s", s, g, g / s, c, c / s, mg, mc);
}

int main(void) {
  ixp_dense_set_thread_rule(IXP_DENSE_THREAD_FLOPS, false);
  int deflt = ixp_threads_budget();
  double *x = xmalloc(sizeof(double) * (size_t)(N * D)), *scores = xmalloc(sizeof(double) * (size_t)(N * D));
  ixp_rng_normals(ixp_rng_key(16, 3, 0), 0, x, N * D);
  for (long i = 0; i < N; i++)  /* x10 .. x19 depend on x0 .. x9, through a monotone map */
    for (int j = 10; j < D; j++) x[i * D + j] = exp(0.5 * x[i * D + j - 10] + x[i * D + j]);
  printf("gcmi / gaussian: mi of 10 + 10 columns of %ld rows vs one SYRK of the %ld x %d data (median of %d)\n", N, N, D,
         REPS);
  run(1, x, scores);
  if (deflt > 1) run(deflt, x, scores);
  free(x), free(scores);
  return 0;
}
