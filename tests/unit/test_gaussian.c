/* test_gaussian.c — Cholesky, log-determinants, covariance and Gaussian
 * measures against closed forms and naive computations. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "blis/dense.h"
#include "gaussian.h"

/* Deterministic values in [-1, 1) (an LCG; the tests do not need rng.h). */
static void g_fill(double *v, long n, unsigned seed) {
  for (long i = 0; i < n; i++) {
    seed = seed * 1103515245u + 12345u;
    v[i] = (double)(seed >> 8) / (1u << 23) - 1;
  }
}

/* A random SPD n x n matrix (lda): B B^T / n + 0.5 I, B uniform. */
static double *g_spd(long n, long lda, unsigned seed) {
  double *b = malloc(sizeof(double) * (size_t)(n * n));
  double *a = malloc(sizeof(double) * (size_t)(n * lda));
  g_fill(b, n * n, seed);
  for (long i = 0; i < n * lda; i++) a[i] = NAN; /* padding must stay unread */
  cr_assert_eq(ixp_dense_gemm(false, true, n, n, n, 1.0 / (double)n, b, n, b, n, 0, a, lda), IXP_DENSE_OK);
  for (long i = 0; i < n; i++) a[i * lda + i] += 0.5;
  free(b);
  return a;
}

/* L L^T reconstructs A to 1e-12 relative (max norm), L is lower with a
 * positive diagonal, for sizes around the block size 64 and a large one. */
Test(gaussian, cholesky_reconstructs) {
  long sizes[] = {1, 3, 63, 64, 65, 200, 1000};
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    long n = sizes[s], lda = n == 65 ? 70 : n;
    double *a = g_spd(n, lda, 11 + (unsigned)n), *l = malloc(sizeof(double) * (size_t)(n * lda));
    double *r = malloc(sizeof(double) * (size_t)(n * n));
    memcpy(l, a, sizeof(double) * (size_t)(n * lda));
    /* Only the lower triangle may be read: spoil the upper one. */
    for (long i = 0; i < n; i++)
      for (long j = i + 1; j < n; j++) l[i * lda + j] = NAN;
    long piv = 123;
    cr_assert_eq(ixp_cholesky(l, n, lda, &piv), IXP_GAUSS_OK, "n = %ld", n);
    cr_assert_eq(piv, -1);
    for (long i = 0; i < n; i++) {
      cr_assert(l[i * lda + i] > 0);
      for (long j = i + 1; j < n; j++) cr_assert_eq(l[i * lda + j], 0.0);
    }
    cr_assert_eq(ixp_dense_gemm(false, true, n, n, n, 1.0, l, lda, l, lda, 0, r, n), IXP_DENSE_OK);
    double err = 0, amax = 0;
    for (long i = 0; i < n; i++)
      for (long j = 0; j < n; j++) {
        err = fmax(err, fabs(r[i * n + j] - a[i * lda + j]));
        amax = fmax(amax, fabs(a[i * lda + j]));
      }
    cr_assert(err <= 1e-12 * amax, "n = %ld: relative error %g", n, err / amax);
    free(a), free(l), free(r);
  }
}

/* A = L L^T from a chosen L, with a_pp lowered by L_pp^2 + 1: the pivot
 * at p is -1 and every earlier one is fine, so ENOTPD names p (0-based),
 * inside the first block, at a block boundary and beyond it. */
Test(gaussian, cholesky_not_pd_pivot) {
  long n = 100, pivots[] = {0, 5, 63, 64, 70, 99};
  double *lo = malloc(sizeof(double) * (size_t)(n * n)), *a = malloc(sizeof(double) * (size_t)(n * n));
  g_fill(lo, n * n, 5);
  for (long i = 0; i < n; i++) {
    for (long j = i + 1; j < n; j++) lo[i * n + j] = 0;
    lo[i * n + i] = 1 + fabs(lo[i * n + i]);
  }
  for (size_t t = 0; t < sizeof pivots / sizeof pivots[0]; t++) {
    long p = pivots[t], piv = -7;
    cr_assert_eq(ixp_dense_gemm(false, true, n, n, n, 1.0, lo, n, lo, n, 0, a, n), IXP_DENSE_OK);
    a[p * n + p] -= lo[p * n + p] * lo[p * n + p] + 1;
    cr_assert_eq(ixp_cholesky(a, n, n, &piv), IXP_GAUSS_ENOTPD);
    cr_assert_eq(piv, p, "expected pivot %ld, got %ld", p, piv);
  }
  /* A zero pivot and a NaN are not positive definite either. */
  double z[4] = {1, 1, 1, 1}, q[4] = {1, 0, 0, NAN};
  long piv = -7;
  cr_assert_eq(ixp_cholesky(z, 2, 2, &piv), IXP_GAUSS_ENOTPD);
  cr_assert_eq(piv, 1);
  cr_assert_eq(ixp_cholesky(q, 2, 2, &piv), IXP_GAUSS_ENOTPD);
  cr_assert_eq(piv, 1);
  double ld;
  double neg[1] = {-2};
  cr_assert_eq(ixp_logdet(neg, 1, 1, &ld), IXP_GAUSS_ENOTPD);
  cr_assert_eq(ixp_cholesky(z, 2, 1, NULL), IXP_GAUSS_EINPUT);
  cr_assert_eq(ixp_cholesky(NULL, 0, 1, NULL), IXP_GAUSS_OK);
  free(lo), free(a);
}

/* log det of diag(1e-10, ...) with d = 100 is 100 log 1e-10 although det
 * = 1e-1000 underflows; log det of a 2x2 is log(ad - bc); a is unchanged. */
Test(gaussian, logdet_without_determinant) {
  long d = 100;
  double *a = calloc((size_t)(d * d), sizeof(double)), ld;
  for (long i = 0; i < d; i++) a[i * d + i] = 1e-10;
  cr_assert_eq(ixp_logdet(a, d, d, &ld), IXP_GAUSS_OK);
  cr_assert(fabs(ld - 100 * log(1e-10)) < 1e-12 * fabs(ld), "%.17g", ld);
  cr_assert_eq(a[1], 0.0);
  cr_assert_eq(a[0], 1e-10);
  double b[4] = {4, 1, 1, 3};
  cr_assert_eq(ixp_logdet(b, 2, 2, &ld), IXP_GAUSS_OK);
  cr_assert(fabs(ld - log(11.0)) < 1e-14);
  cr_assert_eq(b[2], 1.0);
  free(a);
}

/* Covariance equals a naive two-pass computation (mean, then sum of
 * centred products / (n - 1)) to 1e-12 relative to sqrt(S_ii S_jj), on
 * data with a large common offset (where the one-pass formula fails), and
 * is exactly symmetric. */
Test(gaussian, covariance_matches_two_pass) {
  long n = 5003, d = 7;
  double *x = malloc(sizeof(double) * (size_t)(n * d)), cov[49], ref[49], mean[7] = {0};
  g_fill(x, n * d, 3);
  for (long i = 0; i < n; i++)
    for (long j = 0; j < d; j++)
      x[i * d + j] = 1e4 * (double)(j + 1) + (double)(j + 1) * x[i * d + j] + 0.5 * x[i * d + (j + 1) % d];
  cr_assert_eq(ixp_covariance(x, n, d, cov), IXP_GAUSS_OK);
  for (long i = 0; i < n; i++)
    for (long j = 0; j < d; j++) mean[j] += x[i * d + j];
  for (long j = 0; j < d; j++) mean[j] /= (double)n;
  for (long a = 0; a < d; a++)
    for (long b = 0; b < d; b++) {
      double s = 0;
      for (long i = 0; i < n; i++) s += (x[i * d + a] - mean[a]) * (x[i * d + b] - mean[b]);
      ref[a * d + b] = s / (double)(n - 1);
    }
  for (long a = 0; a < d; a++)
    for (long b = 0; b < d; b++) {
      cr_assert_eq(cov[a * d + b], cov[b * d + a]);
      double scale = sqrt(ref[a * d + a] * ref[b * d + b]);
      cr_assert(fabs(cov[a * d + b] - ref[a * d + b]) <= 1e-12 * scale, "(%ld, %ld): %.17g vs %.17g", a, b,
                cov[a * d + b], ref[a * d + b]);
    }
  /* Two rows by hand: x = {1, 2}, {3, 6}: var = 2, 8, cov = 4. */
  double two[4] = {1, 2, 3, 6}, c2[4];
  cr_assert_eq(ixp_covariance(two, 2, 2, c2), IXP_GAUSS_OK);
  cr_assert(fabs(c2[0] - 2) < 1e-15 && fabs(c2[1] - 4) < 1e-15 && fabs(c2[3] - 8) < 1e-15);
  cr_assert_eq(ixp_covariance(two, 1, 2, c2), IXP_GAUSS_EINPUT);
  two[1] = INFINITY;
  cr_assert_eq(ixp_covariance(two, 2, 2, c2), IXP_GAUSS_EINPUT);
  free(x);
}

/* Bivariate normal with correlation rho and any variances: I = -1/2
 * log(1 - rho^2), to 1e-12. */
Test(gaussian, mi_bivariate_closed_form) {
  double rhos[] = {0, 0.3, -0.7, 0.9, 0.99};
  double sd[2] = {2.5, 0.1};
  long x = 0, y = 1;
  for (size_t t = 0; t < sizeof rhos / sizeof rhos[0]; t++) {
    double r = rhos[t], c[4] = {sd[0] * sd[0], r * sd[0] * sd[1], r * sd[0] * sd[1], sd[1] * sd[1]}, mi;
    cr_assert_eq(ixp_gauss_mi(c, 2, &x, 1, &y, 1, NULL, 0, &mi), IXP_GAUSS_OK);
    double want = -0.5 * log1p(-r * r);
    cr_assert(fabs(mi - want) < 1e-12, "rho %g: %.17g vs %.17g", r, mi, want);
    cr_assert_eq(ixp_gauss_mi(c, 2, &y, 1, &x, 1, NULL, 0, &mi), IXP_GAUSS_OK);
    cr_assert(fabs(mi - want) < 1e-12);
  }
}

/* Entropy of N(0, diag(s_i^2)) = sum_i 1/2 log(2 pi e s_i^2). */
Test(gaussian, entropy_diagonal) {
  double s2[4] = {1, 0.25, 9, 1e-6}, c[16] = {0}, h, want = 0;
  for (int i = 0; i < 4; i++) {
    c[i * 4 + i] = s2[i];
    want += 0.5 * log(2 * M_PI * M_E * s2[i]);
  }
  cr_assert_eq(ixp_gauss_entropy(c, 4, &h), IXP_GAUSS_OK);
  cr_assert(fabs(h - want) < 1e-12, "%.17g vs %.17g", h, want);
  cr_assert_eq(ixp_gauss_entropy(c, 1, &h), IXP_GAUSS_OK);
  cr_assert(fabs(h - 0.5 * log(2 * M_PI * M_E)) < 1e-15);
}

/* Markov chain X -> Y -> Z: Y = a X + e1, Z = b Y + e2 (unit-variance X,
 * noise variances s1, s2): I(X; Z | Y) = 0 to 1e-12, while I(X; Y) =
 * -1/2 log(1 - rho_xy^2) and I(X; Z) > 0. Also with the variables in a
 * shuffled order and an extra independent variable. */
Test(gaussian, cmi_markov_chain_zero) {
  double a = 0.8, b = -1.7, s1 = 0.5, s2 = 2.0;
  double vy = a * a + s1, vz = b * b * vy + s2;
  /* order: index 0 = Z, 1 = W (independent, variance 3), 2 = X, 3 = Y */
  double c[16] = {vz, 0, a * b, b * vy, 0, 3, 0, 0, a * b, 0, 1, a, b * vy, 0, a, vy};
  long X = 2, Y = 3, Z = 0, W = 1, xw[2] = {2, 1};
  double cmi, mi;
  cr_assert_eq(ixp_gauss_mi(c, 4, &X, 1, &Z, 1, &Y, 1, &cmi), IXP_GAUSS_OK);
  cr_assert(fabs(cmi) < 1e-12, "cmi %g", cmi);
  cr_assert_eq(ixp_gauss_mi(c, 4, &Z, 1, &X, 1, &Y, 1, &cmi), IXP_GAUSS_OK);
  cr_assert(fabs(cmi) < 1e-12, "cmi %g", cmi);
  cr_assert_eq(ixp_gauss_mi(c, 4, xw, 2, &Z, 1, &Y, 1, &cmi), IXP_GAUSS_OK);
  cr_assert(fabs(cmi) < 1e-12, "cmi %g", cmi);
  cr_assert_eq(ixp_gauss_mi(c, 4, &X, 1, &Y, 1, NULL, 0, &mi), IXP_GAUSS_OK);
  cr_assert(fabs(mi - -0.5 * log1p(-a * a / vy)) < 1e-12);
  cr_assert_eq(ixp_gauss_mi(c, 4, &X, 1, &Z, 1, NULL, 0, &mi), IXP_GAUSS_OK);
  cr_assert(mi > 0.01);
  cr_assert_eq(ixp_gauss_mi(c, 4, &W, 1, &Z, 1, &Y, 1, &mi), IXP_GAUSS_OK);
  cr_assert(fabs(mi) < 1e-12);
  /* Invalid groups: overlap, out of range, empty x. */
  cr_assert_eq(ixp_gauss_mi(c, 4, &X, 1, &X, 1, NULL, 0, &mi), IXP_GAUSS_EINPUT);
  cr_assert_eq(ixp_gauss_mi(c, 4, &X, 1, &Y, 1, &Y, 1, &mi), IXP_GAUSS_EINPUT);
  long bad = 4;
  cr_assert_eq(ixp_gauss_mi(c, 4, &bad, 1, &Y, 1, NULL, 0, &mi), IXP_GAUSS_EINPUT);
  cr_assert_eq(ixp_gauss_mi(c, 4, &X, 0, &Y, 1, NULL, 0, &mi), IXP_GAUSS_EINPUT);
}

/* CMI of groups in a random 12 x 12 SPD matrix equals the four-log-det
 * formula computed with ixp_logdet on gathered submatrices. */
Test(gaussian, cmi_matches_four_logdets) {
  long n = 12, x[3] = {7, 2, 11}, y[2] = {0, 5}, z[4] = {9, 3, 4, 10};
  double *c = g_spd(n, n, 99);
  long groups[4][9], sizes[4] = {7, 6, 9, 4};
  memcpy(groups[0], x, sizeof x), memcpy(groups[0] + 3, z, sizeof z);
  memcpy(groups[1], y, sizeof y), memcpy(groups[1] + 2, z, sizeof z);
  memcpy(groups[2], x, sizeof x), memcpy(groups[2] + 3, y, sizeof y), memcpy(groups[2] + 5, z, sizeof z);
  memcpy(groups[3], z, sizeof z);
  double ld[4];
  for (int g = 0; g < 4; g++) {
    double sub[81];
    for (long i = 0; i < sizes[g]; i++)
      for (long j = 0; j < sizes[g]; j++) sub[i * sizes[g] + j] = c[groups[g][i] * n + groups[g][j]];
    cr_assert_eq(ixp_logdet(sub, sizes[g], sizes[g], &ld[g]), IXP_GAUSS_OK);
  }
  double want = 0.5 * (ld[0] + ld[1] - ld[2] - ld[3]), got;
  cr_assert_eq(ixp_gauss_mi(c, n, x, 3, y, 2, z, 4, &got), IXP_GAUSS_OK);
  cr_assert(fabs(got - want) < 1e-12, "%.17g vs %.17g", got, want);
  cr_assert_eq(ixp_gauss_mi(c, n, y, 2, x, 3, z, 4, &got), IXP_GAUSS_OK);
  cr_assert(fabs(got - want) < 1e-12);
  free(c);
}

/* KL(N(0, 1) || N(1, 2)) = log(s2/s1) + (s1^2 + (m1 - m2)^2) / (2 s2^2) -
 * 1/2 = 1/2 log 2 + 2/4 - 1/2 = 1/2 log 2 (variance 2). */
Test(gaussian, kl_closed_forms) {
  double m1 = 0, s1 = 1, m2 = 1, s2 = 2, kl;
  cr_assert_eq(ixp_gauss_kl(&m1, &s1, &m2, &s2, 1, &kl), IXP_GAUSS_OK);
  cr_assert(fabs(kl - 0.5 * log(2.0)) < 1e-15, "%.17g", kl);
  /* Reverse: 1/2 [2/1 + 1 - 1 + log(1/2)] = 1 - 1/2 log 2. */
  cr_assert_eq(ixp_gauss_kl(&m2, &s2, &m1, &s1, 1, &kl), IXP_GAUSS_OK);
  cr_assert(fabs(kl - (1 - 0.5 * log(2.0))) < 1e-15);
  /* Same distribution: 0. */
  double c[9] = {2, 0.3, 0.1, 0.3, 1, -0.2, 0.1, -0.2, 0.5}, mu[3] = {1, -2, 3};
  cr_assert_eq(ixp_gauss_kl(mu, c, mu, c, 3, &kl), IXP_GAUSS_OK);
  cr_assert(fabs(kl) < 1e-14);
  /* 2-d, S1 = [[2, 1], [1, 2]], S2 = [[1, 0.5], [0.5, 1]], m1 = 0, m2 =
   * (1, 0): S2^{-1} = [[4/3, -2/3], [-2/3, 4/3]], tr(S2^{-1} S1) = (8/3 -
   * 2/3) + (-2/3 + 8/3) = 4, quadratic form 4/3, log det S2 = log 0.75,
   * log det S1 = log 3: KL = 1/2 (4 + 4/3 - 2 + log(0.75 / 3)). */
  double a1[4] = {2, 1, 1, 2}, a2[4] = {1, 0.5, 0.5, 1}, mm[2] = {1, 0};
  cr_assert_eq(ixp_gauss_kl(NULL, a1, mm, a2, 2, &kl), IXP_GAUSS_OK);
  double want = 0.5 * (4 + 4.0 / 3 - 2 + log(0.25));
  cr_assert(fabs(kl - want) < 1e-14, "%.17g vs %.17g", kl, want);
  double bad[4] = {1, 2, 2, 1};
  cr_assert_eq(ixp_gauss_kl(NULL, a1, NULL, bad, 2, &kl), IXP_GAUSS_ENOTPD);
}

/* Chi-squared survival function through the MI p-value (2 N I = x,
 * df = dx dy): table values (df 1 at 3.841459 and df 10 at 18.307 ->
 * 0.05, df 1 at 6.634897 -> 0.01) and exact forms: df 2: exp(-x/2); df
 * 1: erfc(sqrt(x/2)); df 4: exp(-x/2) (1 + x/2). */
Test(gaussian, chi2_survival) {
  cr_assert(fabs(ixp_gauss_mi_pvalue(3.841459 / 2, 1, 1, 1) - 0.05) < 1e-7);
  cr_assert(fabs(ixp_gauss_mi_pvalue(18.307 / 2, 1, 2, 5) - 0.05) < 1e-6);
  cr_assert(fabs(ixp_gauss_mi_pvalue(6.634897 / 2, 1, 1, 1) - 0.01) < 1e-7);
  double xs[] = {1e-6, 0.01, 0.5, 1, 1.9, 2, 3, 10, 40, 100, 600};
  for (size_t t = 0; t < sizeof xs / sizeof xs[0]; t++) {
    double x = xs[t];
    double p2 = ixp_gauss_mi_pvalue(x / 200, 100, 2, 1), w2 = exp(-x / 2);
    double p1 = ixp_gauss_mi_pvalue(x / 2, 1, 1, 1), w1 = erfc(sqrt(x / 2));
    double p4 = ixp_gauss_mi_pvalue(x / 2, 1, 2, 2), w4 = exp(-x / 2) * (1 + x / 2);
    cr_assert(fabs(p2 - w2) <= 1e-13 * w2, "df 2 x %g: %.17g vs %.17g", x, p2, w2);
    cr_assert(fabs(p1 - w1) <= 1e-12 * w1, "df 1 x %g: %.17g vs %.17g", x, p1, w1);
    cr_assert(fabs(p4 - w4) <= 1e-13 * w4, "df 4 x %g: %.17g vs %.17g", x, p4, w4);
  }
  /* Q(a, x) for other a, the reference from mpmath (30 digits,
   * gammainc(a, x, inf, regularized=True)): df = 2a, x = 2 N I. */
  static const double ref[][3] = {{5000, 5000, 0.49811936596618264465},
                                  {50.5, 30, 0.99960586370447222652},
                                  {250, 400, 3.1770076592385689056e-16},
                                  {3.5, 0.2, 0.99973656110759120383}};
  for (size_t t = 0; t < sizeof ref / sizeof ref[0]; t++) {
    double a = ref[t][0], x = ref[t][1], want = ref[t][2];
    double got = ixp_gauss_mi_pvalue(x, 1, (long)(2 * a), 1);
    cr_assert(fabs(got - want) <= 1e-11 * want, "Q(%g, %g): %.17g vs %.17g", a, x, got, want);
  }
  cr_assert_eq(ixp_gauss_mi_pvalue(0, 10, 1, 1), 1.0);
  cr_assert_eq(ixp_gauss_mi_pvalue(-1e-17, 10, 1, 1), 1.0);
  cr_assert(isnan(ixp_gauss_mi_pvalue(0.1, 0, 1, 1)));
  cr_assert_eq(ixp_gauss_mi_pvalue(INFINITY, 10, 1, 1), 0.0);
  cr_assert_str_eq(ixp_gauss_status_text(IXP_GAUSS_ENOTPD), "matrix is not positive definite");
}
