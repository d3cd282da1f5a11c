/* test_gauss_bias.c — the bias-corrected Gaussian estimate, normal scores
 * and the batched multiplet measures, against closed forms, Monte Carlo
 * means and the straightforward computation. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "blis/dense.h"
#include "copula.h"
#include "gaussian.h"
#include "ksum.h"
#include "multiplets.h"
#include "rng.h"
#include "threads.h"

#define EULER_GAMMA 0.57721566490153286061

/* psi(1) = -gamma, psi(1/2) = -gamma - 2 log 2, psi(x + 1) = psi(x) + 1/x
 * (Abramowitz & Stegun 6.3.2, 6.3.3, 6.3.5), to 1e-14. */
Test(gauss_bias, digamma_known_values) {
  cr_assert_float_eq(ixp_digamma(1), -EULER_GAMMA, 1e-14);
  cr_assert_float_eq(ixp_digamma(0.5), -EULER_GAMMA - 2 * log(2.0), 1e-14);
  for (double x = 0.3; x < 30; x += 1.7) cr_assert_float_eq(ixp_digamma(x + 1), ixp_digamma(x) + 1 / x, 1e-13);
}

/* n rows of d columns, row-major: x = z Chol, z standard normal from `key`. */
static double *normal_rows(uint64_t key, long n, long d) {
  double *x = malloc(sizeof(double) * (size_t)(n * d));
  ixp_rng_normals(key, 0, x, n * d);
  return x;
}

/* The mean of log det S over 4000 samples of 10 rows of a 3-d standard
 * normal is the bias (about -0.72 here); the tolerance is 4 standard
 * errors of that mean (the sd of log det S is about 0.9). */
Test(gauss_bias, logdet_bias_is_the_mean_of_sample_logdets) {
  long reps = 4000, n = 10, d = 3;
  double sum = 0, sum2 = 0, cov[9];
  for (long r = 0; r < reps; r++) {
    double *x = normal_rows(ixp_rng_key(7, (uint64_t)r, 0), n, d), ld;
    cr_assert_eq(ixp_covariance(x, n, d, cov), IXP_GAUSS_OK);
    cr_assert_eq(ixp_logdet(cov, d, d, &ld), IXP_GAUSS_OK);
    sum += ld, sum2 += ld * ld;
    free(x);
  }
  double mean = sum / (double)reps, se = sqrt((sum2 / (double)reps - mean * mean) / (double)reps);
  double b = ixp_gauss_logdet_bias(d, n);
  cr_assert(b < -0.5, "bias %g", b);
  cr_assert(fabs(mean - b) < 4 * se, "mean %g, bias %g, se %g", mean, b, se);
  /* d = 1: (n - 1) s^2 is chi-squared with n - 1 degrees, E log = psi((n-1)/2) + log 2 */
  cr_assert_float_eq(ixp_gauss_logdet_bias(1, n), ixp_digamma(4.5) + log(2.0) - log(9.0), 1e-14);
  cr_assert(isnan(ixp_gauss_logdet_bias(5, 5)));
  cr_assert_float_eq(ixp_gauss_logdet_bias(0, 5), 0, 0);
}

/* A 25 x 25 Gaussian MI at N = 5000: X and Y in 25 pairs of correlation
 * 0.3 (any Gaussian (X, Y) is this up to invertible maps within X and
 * within Y, which the estimate does not see: canonical correlations), so
 * I = -25/2 log(1 - 0.09) = 1.17894 nats. Over 8 seeds the corrected
 * estimate's mean is within 0.02 of it (its sd over seeds is about 0.021,
 * of the mean 0.0075); the uncorrected one is about d_x d_y / (2N) =
 * 0.0625 too high and fails the same check. */
Test(gauss_bias, mi_25x25_corrected_mean_is_the_truth) {
  long n = 5000, d = 50, seeds = 8;
  double rho = 0.3, truth = -12.5 * log(1 - rho * rho), sum = 0, sum_raw = 0;
  long x[25], y[25];
  for (int i = 0; i < 25; i++) x[i] = i, y[i] = 25 + i;
  double *cov = malloc(sizeof(double) * (size_t)(d * d));
  for (long s = 0; s < seeds; s++) {
    double *z = normal_rows(ixp_rng_key(11, (uint64_t)s, 0), n, d);
    for (long r = 0; r < n; r++)
      for (int i = 0; i < 25; i++) z[r * d + 25 + i] = rho * z[r * d + i] + sqrt(1 - rho * rho) * z[r * d + 25 + i];
    double mi;
    cr_assert_eq(ixp_covariance(z, n, d, cov), IXP_GAUSS_OK);
    cr_assert_eq(ixp_gauss_mi(cov, d, x, 25, y, 25, NULL, 0, &mi), IXP_GAUSS_OK);
    sum_raw += mi;
    sum += mi - ixp_gauss_mi_bias(25, 25, 0, n);
    free(z);
  }
  double mean = sum / (double)seeds, raw = sum_raw / (double)seeds;
  cr_assert(fabs(mean - truth) < 0.02, "corrected mean %g, truth %g", mean, truth);
  cr_assert(fabs(raw - truth) > 0.04, "uncorrected mean %g, truth %g", raw, truth);
  cr_assert_float_eq(ixp_gauss_mi_bias(25, 25, 0, n), 625.0 / (2 * n), 2e-3);
  free(cov);
}

/* Phi^{-1} against values of Phi^{-1} known to 16 digits and the identity
 * Phi(Phi^{-1}(p)) = p through erfc, both tails: a relative error e in z
 * moves p by about z^2 e relative, so the check is |Phi(z) - p| <=
 * 2e-15 (1 + z^2) p (z to about 2e-15 relative). */
Test(gauss_bias, probit_inverts_the_normal_cdf) {
  cr_assert_float_eq(ixp_probit(0.975), 1.959963984540054, 1e-14);
  cr_assert_float_eq(ixp_probit(0.5), 0, 0);
  cr_assert_float_eq(ixp_probit(0.8413447460685429), 1, 1e-13);
  double ps[] = {1e-300, 1e-20, 1e-8, 0.001, 0.02, 0.0751, 0.3, 0.6, 0.9, 0.99, 0.999999};
  for (size_t i = 0; i < sizeof ps / sizeof *ps; i++) {
    double p = ps[i], z = ixp_probit(p), back = 0.5 * erfc(-z / sqrt(2.0));
    cr_assert(fabs(back - p) <= 2e-15 * (1 + z * z) * p, "p = %g: Phi(%g) = %g", p, z, back);
  }
  cr_assert(isinf(ixp_probit(0)) && ixp_probit(0) < 0 && isinf(ixp_probit(1)));
  cr_assert(isnan(ixp_probit(1.5)) && isnan(ixp_probit(NAN)));
}

/* Normal scores: Phi^{-1}(rank / (n + 1)) per column, ties at their
 * average rank, unchanged (bit for bit) by a strictly increasing map. */
Test(gauss_bias, normal_scores_ranks_ties_and_monotone_maps) {
  double x[] = {3, 10, -1, 20, 3, 30, 7, 40}, s[8];  /* columns (3, -1, 3, 7), (10, 20, 30, 40) */
  cr_assert(ixp_normal_scores(x, 4, 2, s));
  double r0[4] = {2.5, 1, 2.5, 4};
  for (int i = 0; i < 4; i++) {
    cr_assert_float_eq(s[i * 2], ixp_probit(r0[i] / 5), 1e-15);
    cr_assert_float_eq(s[i * 2 + 1], ixp_probit((i + 1) / 5.0), 1e-15);
  }
  long n = 3001;
  double *z = normal_rows(5, n, 3), *t = malloc(sizeof(double) * (size_t)(n * 3)), *a = malloc(sizeof(double) * (size_t)(n * 3)),
         *b = malloc(sizeof(double) * (size_t)(n * 3));
  for (long i = 0; i < 3 * n; i++) t[i] = i % 3 == 0 ? exp(z[i]) : i % 3 == 1 ? z[i] * z[i] * z[i] : atan(z[i]) - 5;
  cr_assert(ixp_normal_scores(z, n, 3, a) && ixp_normal_scores(t, n, 3, b));
  cr_assert_eq(memcmp(a, b, sizeof(double) * (size_t)(n * 3)), 0);
  cr_assert(ixp_normal_scores(z, n, 3, z));  /* in place */
  cr_assert_eq(memcmp(a, z, sizeof(double) * (size_t)(n * 3)), 0);
  z[4] = NAN;
  cr_assert(!ixp_normal_scores(z, n, 3, a));
  free(z), free(t), free(a), free(b);
}

/* A random correlation-like SPD d x d matrix: B B^T / d + 0.3 I. */
static double *spd(int d, uint64_t key) {
  double *b = normal_rows(key, d, d), *c = malloc(sizeof(double) * (size_t)(d * d));
  for (int i = 0; i < d; i++)
    for (int j = 0; j < d; j++) {
      double s = 0;
      for (int k = 0; k < d; k++) s += b[i * d + k] * b[j * d + k];
      c[i * d + j] = s / d + (i == j ? 0.3 : 0);
    }
  free(b);
  return c;
}

/* Every multiplet of orders 2 .. 4 of 12 variables, for each measure,
 * with and without the bias correction, equals the straightforward
 * computation (one factorisation per sub-block) to 1e-11 absolute. */
Test(gauss_bias, multiplets_match_the_naive_computation) {
  int d = 12;
  double *c = spd(d, 21);
  cr_assert_eq(ixp_multiplet_count(d, 2, 4, 1000), 66 + 220 + 495);
  cr_assert_eq(ixp_multiplet_count(d, 2, 4, 100), -1);
  for (int what = 0; what < 3; what++)
    for (long n = 0; n <= 50; n += 50) {
      IxpMultiplets m;
      cr_assert_eq(ixp_multiplets(c, d, n, 2, 4, (IxpMultiMeasure)what, &m, NULL), IXP_GAUSS_OK);
      cr_assert_eq(m.count, 781);
      for (long k = 0; k < m.count; k++) {
        double ref;
        cr_assert_eq(ixp_multiplet_naive(c, d, n, m.vars + k * m.hi, m.order[k], (IxpMultiMeasure)what, &ref), IXP_GAUSS_OK);
        cr_assert(fabs(ref - m.value[k]) < 1e-11, "multiplet %ld: %.17g vs %.17g", k, m.value[k], ref);
        for (int i = 1; i < m.order[k]; i++) cr_assert(m.vars[k * m.hi + i] > m.vars[k * m.hi + i - 1]);
      }
      cr_assert(ixp_multiplets_sort(&m));
      for (long k = 1; k < m.count; k++) cr_assert(m.value[k] <= m.value[k - 1]);
      ixp_multiplets_free(&m);
    }
  free(c);
}

/* Three equicorrelated variables (rho): tc = -1/2 log det R, dtc =
 * 3/2 log(1 - rho^2) ... as closed forms: det R = (1 - rho)^2 (1 + 2 rho),
 * dtc = 1/2 [3 log(1 - rho^2) - 2 log det R], oinfo = tc - dtc; and a
 * chain of pairs is all redundancy-free: one variable independent of two
 * correlated ones has oinfo 0. */
Test(gauss_bias, multiplets_closed_forms) {
  double rho = 0.6, R[9] = {1, rho, rho, rho, 1, rho, rho, rho, 1};
  double det = (1 - rho) * (1 - rho) * (1 + 2 * rho), tc = -0.5 * log(det);
  double dtc = 0.5 * (3 * log(1 - rho * rho) - 2 * log(det));
  IxpMultiplets m;
  double want[3] = {tc, dtc, tc - dtc};
  for (int what = 0; what < 3; what++) {
    cr_assert_eq(ixp_multiplets(R, 3, 0, 3, 3, (IxpMultiMeasure)what, &m, NULL), IXP_GAUSS_OK);
    cr_assert_eq(m.count, 1);
    cr_assert_float_eq(m.value[0], want[what], 1e-14);
    ixp_multiplets_free(&m);
  }
  cr_assert(tc - dtc > 0);  /* equicorrelation is redundant */
  double I[9] = {1, rho, 0, rho, 1, 0, 0, 0, 1};
  cr_assert_eq(ixp_multiplets(I, 3, 0, 3, 3, IXP_MULTI_OINFO, &m, NULL), IXP_GAUSS_OK);
  cr_assert_float_eq(m.value[0], 0, 1e-14);
  ixp_multiplets_free(&m);
  double S[9] = {1, 1, 0, 1, 1, 0, 0, 0, 1};  /* singular pair */
  long bad = -1;
  cr_assert_eq(ixp_multiplets(S, 3, 0, 2, 3, IXP_MULTI_TC, &m, &bad), IXP_GAUSS_ENOTPD);
  cr_assert_eq(bad, 0);
}

/* All triplets .. quintuplets of 20 variables (21489 multiplets, enough
 * work for a team) are bit-identical with one thread and with two. */
Test(gauss_bias, multiplets_bit_identical_across_threads) {
  int d = 20;
  double *c = spd(d, 33);
  IxpMultiplets a, b;
  ixp_threads_watch_load(false);
  ixp_threads_set_budget(1);
  cr_assert_eq(ixp_multiplets(c, d, 1000, 3, 5, IXP_MULTI_OINFO, &a, NULL), IXP_GAUSS_OK);
  ixp_threads_set_budget(2);
  cr_assert_eq(ixp_multiplets(c, d, 1000, 3, 5, IXP_MULTI_OINFO, &b, NULL), IXP_GAUSS_OK);
  ixp_threads_watch_load(true);
  cr_assert_eq(a.count, 21489);
  cr_assert_eq(memcmp(a.value, b.value, sizeof(double) * (size_t)a.count), 0);
  cr_assert_eq(memcmp(a.vars, b.vars, sizeof(int) * (size_t)a.count * 5), 0);
  ixp_multiplets_free(&a), ixp_multiplets_free(&b);
  free(c);
}

/* The covariance accumulated by SYRK over blocks of centred rows has the
 * bits of the one SYRK over all the centred rows that ixp_covariance made
 * before (its compensated means, then X_c^T X_c / (n - 1) in one call),
 * at 1 and 2 threads, for row counts below, at and past the block. */
Test(gauss_bias, blocked_covariance_has_the_bits_of_one_syrk) {
  long ns[] = {7, 3072, 10001, 70000};
  int d = 9;
  ixp_threads_watch_load(false);
  for (int t = 1; t <= 2; t++) {
    ixp_threads_set_budget(t);
    for (size_t k = 0; k < sizeof ns / sizeof *ns; k++) {
      long n = ns[k];
      double *x = normal_rows(ixp_rng_key(41, (uint64_t)n, 0), n, d), *xc = malloc(sizeof(double) * (size_t)(n * d));
      double cov[81], ref[81], mean[9];
      for (long i = 0; i < n * d; i++) x[i] = 3 * x[i] + 100 + (double)(i % d);
      for (int j = 0; j < d; j++) {
        IxpKSum s = {0, 0};
        for (long i = 0; i < n; i++) ixp_ksum_add(&s, x[i * d + j]);
        mean[j] = ixp_ksum_value(s) / (double)n;
      }
      for (long i = 0; i < n; i++)
        for (int j = 0; j < d; j++) xc[i * d + j] = x[i * d + j] - mean[j];
      memset(ref, 0, sizeof ref);
      cr_assert_eq(ixp_dense_syrk_lower(true, d, n, 1.0 / (double)(n - 1), xc, d, 0.0, ref, d), IXP_DENSE_OK);
      for (int i = 0; i < d; i++)
        for (int j = i + 1; j < d; j++) ref[i * d + j] = ref[j * d + i];
      cr_assert_eq(ixp_covariance(x, n, d, cov), IXP_GAUSS_OK);
      cr_assert_eq(memcmp(cov, ref, sizeof cov), 0, "n = %ld, %d threads", n, t);
      x[5] = INFINITY;
      cr_assert_eq(ixp_covariance(x, n, d, cov), IXP_GAUSS_EINPUT);
      free(x), free(xc);
    }
  }
  ixp_threads_watch_load(true);
}
