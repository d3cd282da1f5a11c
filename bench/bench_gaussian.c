/* bench_gaussian.c — Gaussian MI through blocked Cholesky on BLIS, and
 * plug-in MI of discrete data, each against a naive reference.
 *
 * 1. Gaussian MI with d = 1000: I(X; Y) for X = the first 500 and Y = the
 *    last 500 variables of a 1000 x 1000 SPD covariance (ixp_gauss_mi: the
 *    log-dets of the matrix and its blocks), and ixp_logdet of the whole
 *    matrix, against a plain unblocked Cholesky (LAPACK dpotf2-like, dot
 *    product form) of the same matrix. Target: ixp / plain <= 1.2.
 * 2. Plug-in MI on 1e8 pairs of 16-symbol variables (uint32 codes, as
 *    ixp_count_rows takes them): one pass counting into a 16 x 16 table,
 *    then ixp_entropy_from_counts on the joint and both marginals, against
 *    a memory-bandwidth pass (a plain sum over the same bytes). Target:
 *    bandwidth time / MI time >= 50 %. ixp_count_rows on the same pairs
 *    (the library's general row counter) is reported alongside.
 *
 * Only ixp's headers and libc; link with build/libixp.a (and BLIS, libm). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "estimators.h"
#include "gaussian.h"
#include "rng.h"
#include "timing.h"

#define D 1000
#ifndef NPAIRS
#define NPAIRS 100000000L
#endif
#define REPS 3

static void *xmalloc(size_t n) {
  void *p = malloc(n);
  if (!p) {
    fprintf(stderr, "bench_gaussian: out of memory\n");
    exit(1);
  }
  return p;
}

static void check(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "bench_gaussian: %s failed\n", what);
    exit(1);
  }
}

/* The reference: unblocked lower Cholesky in the dot-product form of
 * LAPACK's dpotf2 (Golub & Van Loan, sec. 4.2), row-major, then
 * 2 sum log L_jj. Returns NAN if not positive definite. */
static double plain_cholesky_logdet(double *a, long n) {
  double ld = 0;
  for (long j = 0; j < n; j++) {
    double *rj = a + j * n, d = rj[j];
    for (long k = 0; k < j; k++) d -= rj[k] * rj[k];
    if (!(d > 0)) return NAN;
    double ljj = sqrt(d);
    rj[j] = ljj;
    ld += 2 * log(ljj);
    for (long i = j + 1; i < n; i++) {
      double *ri = a + i * n, s = ri[j];
      for (long k = 0; k < j; k++) s -= ri[k] * rj[k];
      ri[j] = s / ljj;
    }
  }
  return ld;
}

static void bench_gaussian_mi(void) {
  /* An SPD covariance: the sample covariance of 3000 rows of correlated
   * normals (each column mixes its own normal with a shared factor). */
  long rows = 3000;
  double *x = xmalloc(sizeof(double) * (size_t)(rows * D)), *cov = xmalloc(sizeof(double) * D * D);
  double *work = xmalloc(sizeof(double) * D * D);
  uint64_t key = ixp_rng_key(2024, 1, 0);
  ixp_rng_normals(key, 0, x, rows * D);
  for (long i = 0; i < rows; i++) {
    double f = ixp_rng_normal(ixp_rng_key(2024, 2, 0), (uint64_t)i);
    for (long j = 0; j < D; j++) x[i * D + j] += 0.7 * f * (double)(j % 7) / 7;
  }
  check(ixp_covariance(x, rows, D, cov) == IXP_GAUSS_OK, "covariance");
  long idx_x[D / 2], idx_y[D / 2];
  for (long i = 0; i < D / 2; i++) idx_x[i] = i, idx_y[i] = D / 2 + i;

  double t_mi = INFINITY, t_ld = INFINITY, t_plain = INFINITY, mi = 0, ld = 0, ld_plain = 0;
  for (int r = 0; r < REPS; r++) {
    double t0 = now();
    check(ixp_gauss_mi(cov, D, idx_x, D / 2, idx_y, D / 2, NULL, 0, &mi) == IXP_GAUSS_OK, "gauss_mi");
    double t1 = now();
    check(ixp_logdet(cov, D, D, &ld) == IXP_GAUSS_OK, "logdet");
    double t2 = now();
    memcpy(work, cov, sizeof(double) * D * D);
    double t3 = now();
    ld_plain = plain_cholesky_logdet(work, D);
    double t4 = now();
    t_mi = fmin(t_mi, t1 - t0), t_ld = fmin(t_ld, t2 - t1), t_plain = fmin(t_plain, t4 - t3);
  }
  printf("gaussian, d = %d (best of %d):\n", D, REPS);
  printf("  ixp_gauss_mi (500 | 500)   %8.2f ms   plain dpotf2 %8.2f ms   ratio %.3f (target <= 1.2)\n",
         t_mi * 1e3, t_plain * 1e3, t_mi / t_plain);
  printf("  ixp_logdet (1000 x 1000)   %8.2f ms   plain dpotf2 %8.2f ms   ratio %.3f\n", t_ld * 1e3, t_plain * 1e3,
         t_ld / t_plain);
  printf("  I(X; Y) = %.6f nats; log det %.10f vs plain %.10f (rel. diff %.1e)\n", mi, ld, ld_plain,
         fabs(ld - ld_plain) / fabs(ld_plain));
  free(x), free(cov), free(work);
}

/* 1e8 pairs, 8 per Philox block (16 bits each: x, a fresh symbol r, a
 * selector s): y = x when s < 8, else r; generated block by block. */
static void make_pairs(uint32_t *x, uint32_t *y, long n) {
  uint64_t key = ixp_rng_key(2024, 3, 0);
  for (long b = 0; b * 8 < n; b++) {
    uint32_t w[4];
    ixp_rng_block(key, (uint64_t)b, w);
    for (int j = 0; j < 8 && b * 8 + j < n; j++) {
      uint32_t bits = w[j / 2] >> (16 * (j % 2));
      uint32_t xv = bits & 15, rv = (bits >> 4) & 15, sv = (bits >> 8) & 15;
      x[b * 8 + j] = xv;
      y[b * 8 + j] = sv < 8 ? xv : rv;
    }
  }
}

/* The memory-bandwidth reference: sum every code once. */
static uint64_t plain_sum(const uint32_t *x, const uint32_t *y, long n) {
  uint64_t s = 0;
  for (long i = 0; i < n; i++) s += x[i];
  for (long i = 0; i < n; i++) s += y[i];
  return s;
}

/* Plug-in MI: count pairs into 16 x 16 tables (four interleaved copies so
 * consecutive equal pairs do not serialise on one counter), then H(X) +
 * H(Y) - H(X, Y) with the plugin estimator. */
static double plugin_mi_table(const uint32_t *x, const uint32_t *y, long n) {
  static uint64_t t[4][256];
  memset(t, 0, sizeof t);
  long n4 = n - n % 4;
  for (long i = 0; i < n4; i += 4) {
    t[0][(x[i] & 15) << 4 | (y[i] & 15)]++;
    t[1][(x[i + 1] & 15) << 4 | (y[i + 1] & 15)]++;
    t[2][(x[i + 2] & 15) << 4 | (y[i + 2] & 15)]++;
    t[3][(x[i + 3] & 15) << 4 | (y[i + 3] & 15)]++;
  }
  for (long i = n4; i < n; i++) t[i % 4][(x[i] & 15) << 4 | (y[i] & 15)]++;
  uint64_t joint[256], mx[16] = {0}, my[16] = {0};
  for (int c = 0; c < 256; c++) {
    joint[c] = t[0][c] + t[1][c] + t[2][c] + t[3][c];
    mx[c >> 4] += joint[c], my[c & 15] += joint[c];
  }
  double hx, hy, hxy;
  check(ixp_entropy_from_counts(IXP_EST_PLUGIN, mx, 16, 16, &hx) == IXP_EST_OK &&
            ixp_entropy_from_counts(IXP_EST_PLUGIN, my, 16, 16, &hy) == IXP_EST_OK &&
            ixp_entropy_from_counts(IXP_EST_PLUGIN, joint, 256, 256, &hxy) == IXP_EST_OK,
        "entropy_from_counts");
  return hx + hy - hxy;
}

static void bench_plugin_mi(void) {
  long n = NPAIRS;
  uint32_t *x = xmalloc(sizeof(uint32_t) * (size_t)n), *y = xmalloc(sizeof(uint32_t) * (size_t)n);
  double tg = now();
  make_pairs(x, y, n);
  tg = now() - tg;
  double t_sum = INFINITY, t_mi = INFINITY, t_rows = INFINITY, mi = 0;
  volatile uint64_t sink = 0;
  size_t k = 0;
  for (int r = 0; r < REPS; r++) {
    double t0 = now();
    sink += plain_sum(x, y, n);
    double t1 = now();
    mi = plugin_mi_table(x, y, n);
    double t2 = now();
    const uint32_t *cols[2] = {x, y};
    uint64_t *counts = NULL;
    check(ixp_count_rows(cols, 2, (size_t)n, &counts, &k) == IXP_EST_OK, "count_rows");
    double t3 = now();
    free(counts);
    t_sum = fmin(t_sum, t1 - t0), t_mi = fmin(t_mi, t2 - t1), t_rows = fmin(t_rows, t3 - t2);
  }
  /* The generating law: P(y = x) = 1/2 + 1/32, the other 15 values 1/32
   * each; I = ln 16 - H(Y | X). */
  double p = 17.0 / 32, q = 1.0 / 32, exact = log(16.0) + p * log(p) + 15 * q * log(q);
  double gb = 2.0 * (double)n * sizeof(uint32_t) / 1e9;
  printf("plug-in MI, %.0e pairs of 16-symbol uint32 codes (%.1f GB; generated in %.2f s; best of %d):\n",
         (double)n, gb, tg, REPS);
  printf("  16x16 table + 3 entropies  %8.1f ms   plain sum %8.1f ms (%.1f GB/s)", t_mi * 1e3, t_sum * 1e3, gb / t_sum);
  printf("   bandwidth/MI %.0f %% (target >= 50 %%)\n", 100 * t_sum / t_mi);
  printf("  ixp_count_rows (joint)     %8.1f ms   %zu distinct rows            bandwidth/count %.0f %%\n",
         t_rows * 1e3, k, 100 * t_sum / t_rows);
  printf("  I(X; Y) = %.6f nats (generating law %.6f)\n", mi, exact);
  (void)sink;
  free(x), free(y);
}

int main(void) {
  bench_gaussian_mi();
  bench_plugin_mi();
  return 0;
}
