/* test_estimators.c — discrete entropy estimators against hand
 * computations, row counting and binning. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "estimators.h"

#define EULER_GAMMA 0.57721566490153286061

static double est(IxpDiscreteEstimator e, const uint64_t *c, size_t k, size_t alphabet) {
  double h = NAN;
  IxpEstStatus st = ixp_entropy_from_counts(e, c, k, alphabet, &h);
  cr_assert_eq(st, IXP_EST_OK, "%s: %s", ixp_est_name(e), ixp_est_status_text(st));
  return h;
}

#define NEAR(got, want, tol) \
  cr_assert(fabs((got) - (want)) <= (tol), "%s: %.17g, want %.17g", #got, (double)(got), (double)(want))

static const uint64_t c123[] = {1, 2, 3}, c55[] = {5, 5}, c1111[] = {1, 1, 1, 1};

/* Plugin: {1,2,3}, N = 6: -(1/6 ln 1/6 + 2/6 ln 2/6 + 3/6 ln 3/6) = ln 6 -
 * (2 ln 2 + 3 ln 3) / 6 = 1.0114042647073518; {5,5}: ln 2; {1,1,1,1}:
 * ln 4; any uniform count vector: ln K. */
Test(estimators, plugin) {
  NEAR(est(IXP_EST_PLUGIN, c123, 3, 0), log(6.0) - (2 * log(2.0) + 3 * log(3.0)) / 6, 1e-15);
  NEAR(est(IXP_EST_PLUGIN, c55, 2, 0), log(2.0), 1e-15);
  NEAR(est(IXP_EST_PLUGIN, c1111, 4, 0), log(4.0), 1e-15);
  size_t ks[] = {1, 2, 7, 1000, 65536};
  for (size_t t = 0; t < sizeof ks / sizeof ks[0]; t++) {
    uint64_t *u = malloc(sizeof(uint64_t) * ks[t]);
    for (size_t i = 0; i < ks[t]; i++) u[i] = 37;
    NEAR(est(IXP_EST_PLUGIN, u, ks[t], 0), log((double)ks[t]), 1e-12);
    free(u);
  }
  /* Zero entries are unobserved symbols and change nothing. */
  const uint64_t z[] = {0, 1, 0, 2, 3};
  NEAR(est(IXP_EST_PLUGIN, z, 5, 0), est(IXP_EST_PLUGIN, c123, 3, 0), 1e-15);
}

/* Miller–Madow = plugin + (m - 1) / (2N), m observed symbols: {1,2,3}: +
 * 2/12; {5,5}: + 1/20; {1,1,1,1}: + 3/8; zeros do not count in m. */
Test(estimators, miller_madow) {
  NEAR(est(IXP_EST_MILLER_MADOW, c123, 3, 0), est(IXP_EST_PLUGIN, c123, 3, 0) + 2.0 / 12, 1e-15);
  NEAR(est(IXP_EST_MILLER_MADOW, c55, 2, 0), log(2.0) + 1.0 / 20, 1e-15);
  NEAR(est(IXP_EST_MILLER_MADOW, c1111, 4, 0), log(4.0) + 3.0 / 8, 1e-15);
  const uint64_t z[] = {0, 5, 0, 5};
  NEAR(est(IXP_EST_MILLER_MADOW, z, 4, 0), log(2.0) + 1.0 / 20, 1e-15);
}

/* Grassberger 2003, H = ln N - (1/N) sum n_i G(n_i), with (psi(1) = -g,
 * psi(1/2) = -g - 2 ln 2, psi(3/2) = 2 - g - 2 ln 2, psi(2) = 1 - g,
 * psi(3) = 3/2 - g, psi(5/2) = 8/3 - g - 2 ln 2, psi(5) = 25/12 - g):
 *   G(1) = psi(1) - (psi(1) - psi(1/2))/2 = -g - ln 2
 *   G(2) = psi(2) + (psi(3/2) - psi(1))/2 = 2 - g - ln 2
 *   G(3) = psi(3) - (psi(2) - psi(3/2))/2 = 2 - g - ln 2
 *   G(5) = psi(5) - (psi(3) - psi(5/2))/2 = 8/3 - g - ln 2
 * {1,2,3}: ln 6 - (G(1) + 2 G(2) + 3 G(3))/6 = ln 12 + g - 5/3;
 * {5,5}: ln 10 - G(5) = ln 20 + g - 8/3; {1,1,1,1}: ln 4 - G(1) = ln 8 + g. */
Test(estimators, grassberger) {
  NEAR(est(IXP_EST_GRASSBERGER, c123, 3, 0), log(12.0) + EULER_GAMMA - 5.0 / 3, 1e-14);
  NEAR(est(IXP_EST_GRASSBERGER, c55, 2, 0), log(20.0) + EULER_GAMMA - 8.0 / 3, 1e-14);
  NEAR(est(IXP_EST_GRASSBERGER, c1111, 4, 0), log(8.0) + EULER_GAMMA, 1e-14);
  /* Large counts: G(n) -> ln n, so the estimate approaches the plugin. */
  const uint64_t big[] = {1000000, 3000000};
  NEAR(est(IXP_EST_GRASSBERGER, big, 2, 0), est(IXP_EST_PLUGIN, big, 2, 0), 1e-6);
}

/* James–Stein shrinkage, lambda = (1 - sum u^2) / ((N - 1) sum (1/K -
 * u)^2) clamped to [0, 1]:
 *  {1,9}, K = 2: u = (.1, .9), 1 - sum u^2 = .18, sum (.5 - u)^2 = .32,
 *    lambda = .18 / (9 * .32) = 1/16, theta = (1/32 + 15/16 .1, 1/32 +
 *    15/16 .9) = (.125, .875); H = -(.125 ln .125 + .875 ln .875).
 *  {1,2,3}, K = 4: u = (1/6, 1/3, 1/2, 0), 1 - sum u^2 = 11/18, sum
 *    (1/4 - u)^2 = (1 + 1 + 9 + 9)/144 = 5/36, lambda = (11/18) / (5 *
 *    5/36) = 22/25, theta = .22 + .12 u = (.24, .26, .28, .22).
 *  {1,2,3}, K = 3: lambda = (11/18) / (5/18) = 11/5 -> 1: uniform, ln 3.
 *  {5,5}: u uniform, lambda = 1 (no distance to the target): ln 2. */
Test(estimators, shrink) {
  const uint64_t c19[] = {1, 9};
  NEAR(est(IXP_EST_SHRINK, c19, 2, 0), -(0.125 * log(0.125) + 0.875 * log(0.875)), 1e-15);
  double th[4] = {0.24, 0.26, 0.28, 0.22}, want = 0;
  for (int i = 0; i < 4; i++) want -= th[i] * log(th[i]);
  NEAR(est(IXP_EST_SHRINK, c123, 3, 4), want, 1e-15);
  NEAR(est(IXP_EST_SHRINK, c123, 3, 0), log(3.0), 1e-15);
  NEAR(est(IXP_EST_SHRINK, c55, 2, 0), log(2.0), 1e-15);
  /* The same with the unobserved symbol as an explicit zero count. */
  const uint64_t c1230[] = {1, 2, 3, 0};
  NEAR(est(IXP_EST_SHRINK, c1230, 4, 0), want, 1e-15);
  /* A single observation: lambda = 1, uniform over the alphabet. */
  const uint64_t one[] = {1};
  NEAR(est(IXP_EST_SHRINK, one, 1, 8), log(8.0), 1e-15);
}

/* Chao–Shen: C = 1 - f1/N, p_a = C n_i / N, H = -sum p_a ln p_a / (1 -
 * (1 - p_a)^N):
 *  {1,2,3}: f1 = 1, C = 5/6, p_a = (5/36, 10/36, 15/36).
 *  {5,5}: f1 = 0, C = 1, p_a = 1/2: H = ln 2 / (1 - 2^-10).
 *  {1,1,1,1}: f1 = N = 4 -> 3, C = 1/4, p_a = 1/16: H = 4 (1/16) ln 16 /
 *  (1 - (15/16)^4) = ln 16 / (4 (1 - (15/16)^4)). */
Test(estimators, chao_shen) {
  double pa[3] = {5.0 / 36, 10.0 / 36, 15.0 / 36}, want = 0;
  for (int i = 0; i < 3; i++) want -= pa[i] * log(pa[i]) / (1 - pow(1 - pa[i], 6));
  NEAR(est(IXP_EST_CHAO_SHEN, c123, 3, 0), want, 1e-15);
  NEAR(est(IXP_EST_CHAO_SHEN, c55, 2, 0), log(2.0) / (1 - 1.0 / 1024), 1e-15);
  NEAR(est(IXP_EST_CHAO_SHEN, c1111, 4, 0), log(16.0) / (4 * (1 - pow(15.0 / 16, 4))), 1e-14);
  /* Singletons raise the estimate above the plugin. */
  const uint64_t s[] = {1, 1, 1, 2, 5};
  cr_assert(est(IXP_EST_CHAO_SHEN, s, 5, 0) > est(IXP_EST_PLUGIN, s, 5, 0));
}

/* NSB against an independent evaluation in mpmath (30 digits): the same
 * posterior mean, int dxi rho(n | beta(xi)) <H>_beta / int dxi rho(n |
 * beta(xi)), with rho = Gamma(K b) / Gamma(N + K b) prod Gamma(n_i + b) /
 * Gamma(b), <H>_b = psi(N + K b + 1) - sum_i (n_i + b) / (N + K b) psi(n_i
 * + b + 1) over all K symbols, beta(xi) inverted from xi = psi(K b + 1) -
 * psi(b + 1) by bisection, and mpmath.quad (tanh-sinh) over 16 pieces of
 * [0, ln K]. */
Test(estimators, nsb_reference_values) {
  NEAR(est(IXP_EST_NSB, c123, 3, 3), 0.98684812065501999562, 1e-9);
  NEAR(est(IXP_EST_NSB, c123, 3, 10), 1.4495030508522702606, 1e-9);
  NEAR(est(IXP_EST_NSB, c55, 2, 2), 0.65945377336209550773, 1e-9);
  NEAR(est(IXP_EST_NSB, c1111, 4, 4), 1.2678121527029019184, 1e-9);
  NEAR(est(IXP_EST_NSB, c1111, 4, 100), 3.4038988822108920118, 1e-9);
  const uint64_t c10311[] = {10, 3, 1, 1};
  NEAR(est(IXP_EST_NSB, c10311, 4, 20), 1.1955440207414092747, 1e-9);
}

/* A large, well-sampled uniform: NSB ~ ln K (the posterior concentrates
 * at beta -> infinity; the residual is O(K / N)). */
Test(estimators, nsb_well_sampled_uniform) {
  size_t ks[] = {2, 10, 256};
  for (size_t t = 0; t < sizeof ks / sizeof ks[0]; t++) {
    uint64_t *u = malloc(sizeof(uint64_t) * ks[t]);
    for (size_t i = 0; i < ks[t]; i++) u[i] = 10000;
    double h = est(IXP_EST_NSB, u, ks[t], ks[t]);
    cr_assert(fabs(h - log((double)ks[t])) < 1e-4, "K %zu: %.10g vs %.10g", ks[t], h, log((double)ks[t]));
    free(u);
  }
  /* A well-sampled non-uniform distribution: NSB ~ Miller-Madow. */
  const uint64_t c[] = {50000, 30000, 15000, 5000};
  NEAR(est(IXP_EST_NSB, c, 4, 4), est(IXP_EST_MILLER_MADOW, c, 4, 0), 1e-4);
}

/* Undersampled data (N = 30 draws from K = 1000 symbols, mostly
 * singletons): NSB is above the plugin, which is biased down; with the
 * alphabet unknown (K = k) it still is not below the plugin. A one-symbol
 * alphabet has entropy 0. */
Test(estimators, nsb_undersampled_above_plugin) {
  uint64_t c[25];
  for (int i = 0; i < 25; i++) c[i] = i < 20 ? 1 : 2;
  double plug = est(IXP_EST_PLUGIN, c, 25, 0);
  cr_assert(est(IXP_EST_NSB, c, 25, 1000) > plug + 0.5);
  cr_assert(est(IXP_EST_NSB, c, 25, 0) >= plug);
  const uint64_t c2[] = {3, 1, 1, 1, 2};
  cr_assert(est(IXP_EST_NSB, c2, 5, 50) > est(IXP_EST_PLUGIN, c2, 5, 0));
  const uint64_t one[] = {7};
  NEAR(est(IXP_EST_NSB, one, 1, 1), 0.0, 0);
}

/* Invalid input, names, status texts. */
Test(estimators, input_and_names) {
  double h;
  const uint64_t zeros[] = {0, 0};
  cr_assert_eq(ixp_entropy_from_counts(IXP_EST_PLUGIN, NULL, 0, 0, &h), IXP_EST_EINPUT);
  cr_assert_eq(ixp_entropy_from_counts(IXP_EST_PLUGIN, zeros, 2, 0, &h), IXP_EST_EINPUT);
  cr_assert_eq(ixp_entropy_from_counts(IXP_EST_SHRINK, c123, 3, 2, &h), IXP_EST_EINPUT);
  cr_assert_eq(ixp_entropy_from_counts((IxpDiscreteEstimator)99, c123, 3, 0, &h), IXP_EST_EINPUT);
  const char *names[] = {"plugin", "miller_madow", "grassberger", "shrink", "chao_shen", "nsb"};
  for (int i = 0; i < 6; i++) {
    IxpDiscreteEstimator e;
    cr_assert(ixp_est_by_name(names[i], &e));
    cr_assert_str_eq(ixp_est_name(e), names[i]);
  }
  IxpDiscreteEstimator e;
  cr_assert(!ixp_est_by_name("ml", &e));
  cr_assert_str_eq(ixp_est_status_text(IXP_EST_ENOCONVERGE), "numerical integration did not converge");
}

static int cmp_u64_test(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* Reference counts of distinct rows by sorting the rows (as uint64 keys
 * of two columns), returned sorted. */
static size_t naive_counts(const uint32_t *x, const uint32_t *y, size_t n, uint64_t *out) {
  uint64_t *key = malloc(sizeof(uint64_t) * n);
  for (size_t i = 0; i < n; i++) key[i] = (uint64_t)x[i] << 32 | y[i];
  qsort(key, n, sizeof(uint64_t), cmp_u64_test);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (i == 0 || key[i] != key[i - 1]) out[k++] = 0;
    out[k - 1]++;
  }
  free(key);
  qsort(out, k, sizeof(uint64_t), cmp_u64_test);
  return k;
}

/* Small by hand: rows (0,1) (2,3) (0,1) (0,1) (5,0) -> counts {1, 1, 3}. */
Test(estimators, count_rows_by_hand) {
  const uint32_t a[] = {0, 2, 0, 0, 5}, b[] = {1, 3, 1, 1, 0};
  const uint32_t *cols[] = {a, b};
  uint64_t *counts;
  size_t k;
  cr_assert_eq(ixp_count_rows(cols, 2, 5, &counts, &k), IXP_EST_OK);
  cr_assert_eq(k, 3);
  qsort(counts, k, sizeof(uint64_t), cmp_u64_test);
  cr_assert(counts[0] == 1 && counts[1] == 1 && counts[2] == 3);
  free(counts);
  /* One column; no rows; bad arguments. */
  cr_assert_eq(ixp_count_rows(cols, 1, 5, &counts, &k), IXP_EST_OK);
  cr_assert_eq(k, 3); /* codes 0 (x3), 2, 5 */
  free(counts);
  cr_assert_eq(ixp_count_rows(cols, 2, 0, &counts, &k), IXP_EST_OK);
  cr_assert_eq(k, 0);
  free(counts);
  cr_assert_eq(ixp_count_rows(cols, 0, 5, &counts, &k), IXP_EST_EINPUT);
  const uint32_t *nullcol[] = {a, NULL};
  cr_assert_eq(ixp_count_rows(nullcol, 2, 5, &counts, &k), IXP_EST_EINPUT);
}

/* Random rows against sorting: on the dense path (small codes), with the
 * dense table widened midway (codes to 5000), with data outgrowing it
 * midway (codes to 3e6: moved to the hash table), and hashed from the
 * start (codes up to 2^32 - 1, with repeats). */
Test(estimators, count_rows_matches_sorting) {
  size_t n = 300007;
  uint32_t *x = malloc(sizeof(uint32_t) * n), *y = malloc(sizeof(uint32_t) * n);
  uint64_t *ref = malloc(sizeof(uint64_t) * n);
  for (int variant = 0; variant < 4; variant++) {
    uint64_t s = 88172645463325252ull + (uint64_t)variant;
    for (size_t i = 0; i < n; i++) {
      s ^= s << 13, s ^= s >> 7, s ^= s << 17;
      x[i] = (uint32_t)(s % 16);
      y[i] = (uint32_t)((s >> 20) % 7);
      if (variant == 1 && i > n / 2) y[i] = (uint32_t)((s >> 24) % 5000);
      if (variant == 2 && i > n / 3) y[i] = (uint32_t)((s >> 24) % 3000000);
      if (variant == 3) x[i] = (uint32_t)(s >> 32) | 0x80000000u, y[i] = (uint32_t)((s >> 8) % 3);
    }
    if (variant == 3)
      for (size_t i = 0; i < n; i += 3) x[i] = x[i / 2]; /* repeats */
    size_t kref = naive_counts(x, y, n, ref), k;
    const uint32_t *cols[] = {x, y};
    uint64_t *counts;
    cr_assert_eq(ixp_count_rows(cols, 2, n, &counts, &k), IXP_EST_OK);
    cr_assert_eq(k, kref, "variant %d: %zu distinct, want %zu", variant, k, kref);
    qsort(counts, k, sizeof(uint64_t), cmp_u64_test);
    cr_assert_eq(memcmp(counts, ref, sizeof(uint64_t) * k), 0, "variant %d", variant);
    free(counts);
  }
  free(x), free(y), free(ref);
}

/* Equal width: [0, 10] in 5 bins of width 2; the max lands in the last
 * bin, interior edges go up (4 -> bin 2); negative ranges; a constant
 * column is all bin 0; one bin takes everything; huge ranges do not
 * overflow. */
Test(estimators, bin_equal_width) {
  const double x[] = {0, 1.9, 2, 4, 9.99, 10, 5};
  const uint32_t want[] = {0, 0, 1, 2, 4, 4, 2};
  uint32_t code[7];
  cr_assert_eq(ixp_bin(x, 7, 5, IXP_BIN_EQUAL_WIDTH, code), IXP_EST_OK);
  for (int i = 0; i < 7; i++) cr_assert_eq(code[i], want[i], "x = %g: bin %u, want %u", x[i], code[i], want[i]);
  const double neg[] = {-3, -1, -2};
  cr_assert_eq(ixp_bin(neg, 3, 2, IXP_BIN_EQUAL_WIDTH, code), IXP_EST_OK);
  cr_assert(code[0] == 0 && code[1] == 1 && code[2] == 1);
  const double cst[] = {4.2, 4.2, 4.2};
  cr_assert_eq(ixp_bin(cst, 3, 8, IXP_BIN_EQUAL_WIDTH, code), IXP_EST_OK);
  cr_assert(code[0] == 0 && code[1] == 0 && code[2] == 0);
  cr_assert_eq(ixp_bin(x, 7, 1, IXP_BIN_EQUAL_WIDTH, code), IXP_EST_OK);
  for (int i = 0; i < 7; i++) cr_assert_eq(code[i], 0);
  const double huge[] = {-1e308, 0, 1e308};
  cr_assert_eq(ixp_bin(huge, 3, 2, IXP_BIN_EQUAL_WIDTH, code), IXP_EST_OK);
  cr_assert(code[0] == 0 && code[1] == 1 && code[2] == 1);
  const double bad[] = {1, NAN};
  cr_assert_eq(ixp_bin(bad, 2, 2, IXP_BIN_EQUAL_WIDTH, code), IXP_EST_EINPUT);
  cr_assert_eq(ixp_bin(x, 7, 0, IXP_BIN_EQUAL_WIDTH, code), IXP_EST_EINPUT);
}

/* Quantile bins: distinct values split by mid-rank, floor((r + 1/2) bins
 * / n): n = 10, 3 bins -> ranks 0-2 | 3-6 | 7-9 (counts 3, 4, 3);
 * unsorted input keeps its order; ties share one bin (the tie group at
 * ranks 1..8 of {1, 2 x 8, 3}, 5 bins: mid-rank 5, bin floor(5 * 5 / 10)
 * = 2, while 1 -> bin 0 and 3 -> bin 4); a constant column is all bin 0. */
Test(estimators, bin_quantile) {
  const double x[] = {9, 0, 8, 1, 7, 2, 6, 3, 5, 4};
  uint32_t code[10];
  cr_assert_eq(ixp_bin(x, 10, 3, IXP_BIN_QUANTILE, code), IXP_EST_OK);
  for (int i = 0; i < 10; i++) {
    int r = (int)x[i], want = r < 3 ? 0 : r < 7 ? 1 : 2;
    cr_assert_eq(code[i], (uint32_t)want, "x = %g: bin %u", x[i], code[i]);
  }
  const double t[] = {2, 2, 1, 2, 2, 2, 3, 2, 2, 2};
  cr_assert_eq(ixp_bin(t, 10, 5, IXP_BIN_QUANTILE, code), IXP_EST_OK);
  for (int i = 0; i < 10; i++) cr_assert_eq(code[i], t[i] == 1 ? 0u : t[i] == 2 ? 2u : 4u);
  /* Heavy ties in 4 bins over 1000 values: every tie group in one bin,
   * codes monotone in the value. */
  double *v = malloc(sizeof(double) * 1000);
  uint32_t *c = malloc(sizeof(uint32_t) * 1000);
  for (int i = 0; i < 1000; i++) v[i] = (double)((i * 7919) % 13);
  cr_assert_eq(ixp_bin(v, 1000, 4, IXP_BIN_QUANTILE, c), IXP_EST_OK);
  for (int i = 0; i < 1000; i++)
    for (int j = 0; j < 1000; j += 37) {
      if (v[i] == v[j]) cr_assert_eq(c[i], c[j]);
      if (v[i] < v[j]) cr_assert_leq(c[i], c[j]);
    }
  for (int i = 0; i < 1000; i++) cr_assert_lt(c[i], 4u);
  free(v), free(c);
  const double cst[] = {3, 3, 3, 3};
  cr_assert_eq(ixp_bin(cst, 4, 4, IXP_BIN_QUANTILE, code), IXP_EST_OK);
  for (int i = 0; i < 4; i++) cr_assert_eq(code[i], 0);
  /* More bins than values: distinct values keep distinct bins. */
  const double few[] = {0.5, -1, 7};
  cr_assert_eq(ixp_bin(few, 3, 10, IXP_BIN_QUANTILE, code), IXP_EST_OK);
  cr_assert(code[1] < code[0] && code[0] < code[2] && code[2] < 10);
}
