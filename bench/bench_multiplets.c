/* bench_multiplets.c — O-information of every triplet of 50 variables at
 * N = 1e4 (19600 triplets), batched against a naive per-triplet loop.
 *
 * batched: one covariance of the 50 columns (one SYRK), then every
 *   triplet's log-determinants from sub-blocks (ixp_multiplets: the
 *   Cholesky row of a prefix reused by all its extensions), then the sort
 *   by value, as `oinfo(x0 .. x49, order = 3) in d using gaussian` does.
 * naive: for each triplet, its 3 columns gathered, their covariance
 *   recomputed (ixp_covariance), and its 7 log-determinants each by its
 *   own factorisation (ixp_multiplet_naive) — the straightforward loop.
 * Both at 1 thread and at the default count (OMP_NUM_THREADS, else every
 * core), medians of 5 runs (the naive loop: 1 run); the values of the two
 * must agree to 1e-10. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blis/dense.h"
#include "gaussian.h"
#include "multiplets.h"
#include "rng.h"
#include "threads.h"
#include "timing.h"

#define N 10000L
#define D 50
#define REPS 5

static void *xmalloc(size_t n) {
  void *p = malloc(n);
  if (!p) {
    fprintf(stderr, "bench_multiplets: out of memory\n");
    exit(1);
  }
  return p;
}

static int by_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Columns with shared causes: x_j = z_{j mod 5} + noise, so triplets
 * differ (redundant within a cause, independent across). */
static double *data(void) {
  double *x = xmalloc(sizeof(double) * (size_t)(N * D)), *z = xmalloc(sizeof(double) * (size_t)(N * 5));
  ixp_rng_normals(ixp_rng_key(16, 1, 0), 0, x, N * D);
  ixp_rng_normals(ixp_rng_key(16, 2, 0), 0, z, N * 5);
  for (long i = 0; i < N; i++)
    for (int j = 0; j < D; j++) x[i * D + j] += z[i * 5 + j % 5];
  free(z);
  return x;
}

static double batched(const double *x, IxpMultiplets *m) {
  double t0 = now(), *cov = xmalloc(sizeof(double) * D * D);
  if (ixp_covariance(x, N, D, cov) != IXP_GAUSS_OK || ixp_multiplets(cov, D, 0, 3, 3, IXP_MULTI_OINFO, m, NULL) != IXP_GAUSS_OK) {
    fprintf(stderr, "bench_multiplets: batched failed\n");
    exit(1);
  }
  double t = now() - t0;
  free(cov);
  return t;
}

/* The naive loop; values in enumeration order into out. */
static double naive(const double *x, double *out) {
  double t0 = now(), *cols = xmalloc(sizeof(double) * (size_t)(N * 3)), cov[9];
  long k = 0;
  int all[3] = {0, 1, 2};
  for (int a = 0; a < D; a++)
    for (int b = a + 1; b < D; b++)
      for (int c = b + 1; c < D; c++) {
        int v[3] = {a, b, c};
        for (long i = 0; i < N; i++)
          for (int j = 0; j < 3; j++) cols[i * 3 + j] = x[i * D + v[j]];
        if (ixp_covariance(cols, N, 3, cov) != IXP_GAUSS_OK ||
            ixp_multiplet_naive(cov, 3, 0, all, 3, IXP_MULTI_OINFO, &out[k++]) != IXP_GAUSS_OK) {
          fprintf(stderr, "bench_multiplets: naive failed\n");
          exit(1);
        }
      }
  double t = now() - t0;
  free(cols);
  return t;
}

static void run(int threads, const double *x, double *ref) {
  ixp_dense_set_threads(threads);
  double t[REPS];
  IxpMultiplets m;
  for (int r = 0; r < REPS; r++) {
    t[r] = batched(x, &m);
    if (r < REPS - 1) ixp_multiplets_free(&m);
  }
  qsort(t, REPS, sizeof *t, by_double);
  double tn = naive(x, ref), err = 0;
  for (long k = 0; k < m.count; k++) err = fmax(err, fabs(m.value[k] - ref[k]));
  if (err > 1e-10) {
    fprintf(stderr, "bench_multiplets: batched and naive differ by %g\n", err);
    exit(1);
  }
  double t1 = now();
  ixp_multiplets_sort(&m);
  double tsort = now() - t1;
  printf("  %d thread%s: batched %8.4f s (+ sort %.4f s), naive loop %8.3f s, naive / batched %7.0fx  (max |diff| %.1e)\n",
         threads, threads == 1 ? " " : "s", t[REPS / 2], tsort, tn, tn / (t[REPS / 2] + tsort), err);
  ixp_multiplets_free(&m);
}

int main(void) {
  ixp_dense_set_thread_rule(IXP_DENSE_THREAD_FLOPS, false);
  int deflt = ixp_threads_budget();
  double *x = data(), *ref = xmalloc(sizeof(double) * 19600);
  printf("multiplets: oinfo of all %ld triplets of %d variables, N = %ld (median of %d; naive 1 run)\n",
         ixp_multiplet_count(D, 3, 3, 1L << 40), D, N, REPS);
  run(1, x, ref);
  if (deflt > 1) run(deflt, x, ref);
  free(x), free(ref);
  return 0;
}
