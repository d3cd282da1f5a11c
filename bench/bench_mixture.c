/* bench_mixture.c — the mixture estimator on 5000 rows x 10 columns.
 *
 * 1. The whole estimate of I(X; Y), X and Y 5 columns each, of a
 *    multivariate Student-t (nu = 3, five pairs at correlation 0.6: not a
 *    finite mixture, so BIC takes several components): K chosen from
 *    1..8 by BIC with 3 starts each, then 1e5 Monte Carlo draws; on one
 *    thread and on the default threads, with the bits compared. Goal:
 *    <= 0.5 s.
 * 2. The EM iteration itself (K = 4, 50 iterations from one start)
 *    against a plain EM iteration of the same arithmetic written as loops
 *    (Mahalanobis distances through the inverse covariance, M step by
 *    accumulation), both on one thread.
 *
 * Timings are medians of 5 runs. Only ixp's headers and libc; link with
 * build/libixp.a (and BLIS, libm). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blis/dense.h"
#include "mixture.h"
#include "rng.h"
#include "threads.h"
#include "timing.h"

#define N 5000
#define D 10
#define REPS 5

static void check(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "bench_mixture: %s failed\n", what);
    exit(1);
  }
}

/* Student-t rows: (a, 0.6 a + 0.8 b) per pair, scaled by sqrt(nu / chi2_nu). */
static void student_rows(double *x) {
  for (long i = 0; i < N; i++) {
    double g = 0;
    for (int j = 0; j < 3; j++) {
      double z = ixp_rng_normal(99, (uint64_t)(i * 20 + 15 + j));
      g += z * z;
    }
    double s = sqrt(3 / g);
    for (int j = 0; j < 5; j++) {
      double a = ixp_rng_normal(99, (uint64_t)(i * 20 + j)), b = ixp_rng_normal(99, (uint64_t)(i * 20 + 5 + j));
      x[i * D + j] = s * a, x[i * D + 5 + j] = s * (0.6 * a + 0.8 * b);
    }
  }
}

static int by_double(const void *a, const void *b) {
  double u = *(const double *)a, v = *(const double *)b;
  return (u > v) - (u < v);
}

static double median(double *t, int n) {
  qsort(t, (size_t)n, sizeof *t, by_double);
  return t[n / 2];
}

/* One whole estimate; its MI, MC error and K. */
static double estimate(const double *x, double *mi, double *mc, int *k) {
  IxpMixOptions o;
  ixp_mix_defaults(&o);
  o.key = 5;
  IxpMixture m;
  double t0 = now();
  check(ixp_mix_select(x, N, D, &o, &m, NULL) == IXP_MIX_OK, "select");
  check(ixp_mix_mi(&m, 5, 5, 0, 100000, 7, mi, mc) == IXP_MIX_OK, "mi");
  double t = now() - t0;
  *k = m.k;
  ixp_mix_free(&m);
  return t;
}

/* --- the plain EM iteration ------------------------------------------------ */

typedef struct {
  double w[8], mu[8 * D], cov[8 * D * D], prec[8 * D * D], lognorm[8];
} Plain;

/* Inverse and log-determinant of an SPD d x d matrix by Gauss-Jordan. */
static double plain_inverse(const double *a, double *inv) {
  double m[D * 2 * D], logdet = 0;
  for (int i = 0; i < D; i++)
    for (int j = 0; j < 2 * D; j++) m[i * 2 * D + j] = j < D ? a[i * D + j] : (j - D == i);
  for (int c = 0; c < D; c++) {
    double p = m[c * 2 * D + c];
    logdet += log(p);
    for (int j = 0; j < 2 * D; j++) m[c * 2 * D + j] /= p;
    for (int r = 0; r < D; r++) {
      if (r == c) continue;
      double f = m[r * 2 * D + c];
      for (int j = 0; j < 2 * D; j++) m[r * 2 * D + j] -= f * m[c * 2 * D + j];
    }
  }
  for (int i = 0; i < D; i++)
    for (int j = 0; j < D; j++) inv[i * D + j] = m[i * 2 * D + D + j];
  return logdet;
}

static void plain_iteration(const double *x, int K, Plain *p, double *r) {
  for (int k = 0; k < K; k++)
    p->lognorm[k] = log(p->w[k]) - 0.5 * D * log(2 * M_PI) - 0.5 * plain_inverse(p->cov + k * D * D, p->prec + k * D * D);
  for (long i = 0; i < N; i++) { /* E step */
    double lp[8], top = -INFINITY, s = 0;
    for (int k = 0; k < K; k++) {
      double v[D], q = 0;
      for (int j = 0; j < D; j++) v[j] = x[i * D + j] - p->mu[k * D + j];
      for (int a = 0; a < D; a++)
        for (int b = 0; b < D; b++) q += v[a] * p->prec[k * D * D + a * D + b] * v[b];
      lp[k] = p->lognorm[k] - 0.5 * q;
      top = fmax(top, lp[k]);
    }
    for (int k = 0; k < K; k++) s += exp(lp[k] - top);
    for (int k = 0; k < K; k++) r[i * K + k] = exp(lp[k] - top) / s;
  }
  for (int k = 0; k < K; k++) { /* M step */
    double nk = 0, *mu = p->mu + k * D, *c = p->cov + k * D * D;
    memset(mu, 0, sizeof(double) * D), memset(c, 0, sizeof(double) * D * D);
    for (long i = 0; i < N; i++) {
      nk += r[i * K + k];
      for (int j = 0; j < D; j++) mu[j] += r[i * K + k] * x[i * D + j];
    }
    for (int j = 0; j < D; j++) mu[j] /= nk;
    for (long i = 0; i < N; i++)
      for (int a = 0; a < D; a++)
        for (int b = 0; b < D; b++) c[a * D + b] += r[i * K + k] * (x[i * D + a] - mu[a]) * (x[i * D + b] - mu[b]);
    for (int j = 0; j < D * D; j++) c[j] = c[j] / nk + (j % (D + 1) == 0 ? 1e-6 : 0);
    p->w[k] = nk / N;
  }
}

int main(void) {
  double *x = malloc(sizeof(double) * N * D), t[REPS];
  check(x != NULL, "malloc");
  student_rows(x);
  int budget = ixp_threads_budget();

  printf("bench_mixture: mixture MI of 5000 x (5 + 5) Student-t rows (nu = 3), K by BIC from 1..8, 1e5 draws\n");
  double mi1 = 0, mc1 = 0, mi2 = 0, mc2 = 0;
  int k1 = 0, k2 = 0;
  ixp_dense_set_threads(1);
  for (int r = 0; r < REPS; r++) t[r] = estimate(x, &mi1, &mc1, &k1);
  double one = median(t, REPS);
  ixp_dense_set_threads(budget);
  for (int r = 0; r < REPS; r++) t[r] = estimate(x, &mi2, &mc2, &k2);
  double many = median(t, REPS);
  printf("  1 thread:  %.3f s   %d threads: %.3f s   (goal <= 0.5 s)\n", one, budget, many);
  printf("  K = %d, MI = %.4f nats (MC se %.4f); same bits on 1 and %d threads: %s\n", k1, mi1, mc1, budget,
         k1 == k2 && !memcmp(&mi1, &mi2, sizeof mi1) ? "yes" : "NO");

  /* 2. the EM iteration, one thread each */
  ixp_dense_set_threads(1);
  enum { K = 4, ITERS = 50 };
  IxpMixOptions o;
  ixp_mix_defaults(&o);
  o.restarts = 1, o.tol = 0, o.max_iter = ITERS, o.key = 5;
  IxpMixture m;
  for (int r = 0; r < REPS; r++) {
    double t0 = now();
    check(ixp_mix_fit(x, N, D, K, &o, &m) == IXP_MIX_OK, "fit");
    t[r] = (now() - t0) / ITERS;
    if (r < REPS - 1) ixp_mix_free(&m);
  }
  double ixp_iter = median(t, REPS);
  Plain *p = malloc(sizeof *p);
  double *resp = malloc(sizeof(double) * N * K);
  check(p && resp, "malloc");
  for (int r = 0; r < REPS; r++) {
    memcpy(p->w, m.w, sizeof(double) * K), memcpy(p->mu, m.mu, sizeof(double) * K * D);
    memcpy(p->cov, m.cov, sizeof(double) * K * D * D);
    double t0 = now();
    for (int it = 0; it < 10; it++) plain_iteration(x, K, p, resp);
    t[r] = (now() - t0) / 10;
  }
  double plain_iter = median(t, REPS);
  double flops = (double)N * K * (2.0 * D * D + 2.0 * D * D + 4.0 * D);
  printf("  EM iteration, K = %d, 1 thread: ixp %.2f ms (%.2f GFLOP/s), plain loops %.2f ms: ratio %.2f\n", K,
         ixp_iter * 1e3, flops / ixp_iter * 1e-9, plain_iter * 1e3, ixp_iter / plain_iter);
  ixp_mix_free(&m);
  free(p), free(resp), free(x);
  return 0;
}
