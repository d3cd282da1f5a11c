/* gaussian.c — Gaussian information measures through Cholesky
 * log-determinants on BLIS.
 *
 * Matrices are row-major (element (i, j) at a[i * lda + j]). The Cholesky
 * factor is lower: A = L L^T. log det A = 2 sum_i log L_ii; a determinant
 * is never formed (it under/overflows long before the log-det does). */
#include "gaussian.h"

#include "blis/dense.h"
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Text of a status, for error messages. */
const char *ixp_gauss_status_text(IxpGaussStatus s) {
  switch (s) {
  case IXP_GAUSS_OK: return "ok";
  case IXP_GAUSS_ENOMEM: return "out of memory";
  case IXP_GAUSS_ENOTPD: return "matrix is not positive definite";
  case IXP_GAUSS_EINPUT: return "invalid input";
  }
  return "unknown status";
}

/* --- Cholesky ------------------------------------------------------------- */

/* The strict blocked factorisation of dense.h, its status mapped. */
IxpGaussStatus ixp_cholesky(double *a, long n, long lda, long *pivot) {
  switch (ixp_dense_chol(a, n, lda, pivot)) {
  case IXP_DENSE_OK: return IXP_GAUSS_OK;
  case IXP_DENSE_ENOTPD: return IXP_GAUSS_ENOTPD;
  default: return IXP_GAUSS_EINPUT;
  }
}

/* A contiguous copy of the m x m submatrix a[idx[i], idx[j]] (lda). */
static double *gather(const double *a, long lda, const long *idx, long m) {
  double *s = malloc(sizeof(double) * (size_t)(m > 0 ? m * m : 1));
  if (!s) return NULL;
  for (long i = 0; i < m; i++)
    for (long j = 0; j < m; j++) s[i * m + j] = a[idx[i] * lda + idx[j]];
  return s;
}

/* log det A = 2 sum log L_ii for A = L L^T (the Cholesky log-determinant). */
IxpGaussStatus ixp_logdet(const double *a, long n, long lda, double *out) {
  if (n < 0 || lda < (n > 1 ? n : 1) || (n > 0 && !a) || !out) return IXP_GAUSS_EINPUT;
  double *l = malloc(sizeof(double) * (size_t)(n > 0 ? n * n : 1));
  if (!l) return IXP_GAUSS_ENOMEM;
  for (long i = 0; i < n; i++) memcpy(l + i * n, a + i * lda, sizeof(double) * (size_t)n);
  IxpGaussStatus st = ixp_cholesky(l, n, n, NULL);
  if (st == IXP_GAUSS_OK) *out = 2 * ixp_dense_tri_logdiag(l, n, 0, n);
  free(l);
  return st;
}

/* --- covariance ----------------------------------------------------------- */

/* Column means of x (n x d) by Neumaier's compensated summation
 * (Neumaier 1974, the improved Kahan–Babuška sum), so the centring does
 * not carry the O(n eps) error of a plain running sum. The sums and their
 * corrections sit in two arrays and nothing tests a value inside the loop
 * (a non-finite value makes its column's sum non-finite, checked once at
 * the end), so the loop over columns vectorises; the operations and their
 * order are ixp_ksum_add's. false if a value is not finite (or the sum
 * overflows). */
static bool column_means(const double *x, long n, long d, double *mean, double *sum, double *comp) {
  for (long j = 0; j < d; j++) sum[j] = 0, comp[j] = 0;
  for (long i = 0; i < n; i++) {
    const double *row = x + i * d;
    for (long j = 0; j < d; j++) {
      double v = row[j], s = sum[j], t = s + v;
      comp[j] += fabs(s) >= fabs(v) ? (s - t) + v : (v - t) + s;
      sum[j] = t;
    }
  }
  for (long j = 0; j < d; j++) {
    mean[j] = (sum[j] + comp[j]) / (double)n;
    if (!isfinite(mean[j])) return false;
  }
  return true;
}

/* Rows centred and multiplied per SYRK call. A multiple of BLIS's k
 * blocking (KC: 256 or 384 on the x86 configurations) so that the calls
 * add the same panel products in the same order as one call over all
 * rows would (the unit tests check the bits), while the centred block
 * stays in cache instead of an n x d copy written to fresh pages. */
#define COV_BLOCK 3072

/* Unbiased sample covariance S = Xc^T Xc / (n - 1), Xc the data centred
 * on the compensated column means (the two-pass algorithm, Chan, Golub &
 * LeVeque 1983, "Algorithms for computing the sample variance"), the
 * product accumulated by SYRK over blocks of COV_BLOCK centred rows; the
 * lower triangle is mirrored to the upper. */
IxpGaussStatus ixp_covariance(const double *x, long n, long d, double *cov) {
  if (n < 2 || d < 1 || !x || !cov || n > LONG_MAX / d) return IXP_GAUSS_EINPUT;
  long rows = n < COV_BLOCK ? n : COV_BLOCK;
  double *mean = malloc(sizeof(double) * (size_t)d * 3);
  double *xc = malloc(sizeof(double) * (size_t)(rows * d));
  IxpGaussStatus st = IXP_GAUSS_OK;
  if (!mean || !xc) {
    st = IXP_GAUSS_ENOMEM;
    goto done;
  }
  if (!column_means(x, n, d, mean, mean + d, mean + 2 * d)) {
    st = IXP_GAUSS_EINPUT;
    goto done;
  }
  memset(cov, 0, sizeof(double) * (size_t)(d * d));
  for (long i0 = 0; i0 < n && st == IXP_GAUSS_OK; i0 += rows) {
    long m = n - i0 < rows ? n - i0 : rows;
    for (long i = 0; i < m; i++)
      for (long j = 0; j < d; j++) xc[i * d + j] = x[(i0 + i) * d + j] - mean[j];
    if (ixp_dense_syrk_lower(true, d, m, 1.0 / (double)(n - 1), xc, d, i0 ? 1.0 : 0.0, cov, d)) st = IXP_GAUSS_EINPUT;
  }
  for (long i = 0; i < d; i++)
    for (long j = i + 1; j < d; j++) cov[i * d + j] = cov[j * d + i];
done:
  free(mean);
  free(xc);
  return st;
}

/* --- measures -------------------------------------------------------------- */

/* h(N(mu, S)) = 1/2 [d log(2 pi e) + log det S] (Cover & Thomas, 2nd ed.,
 * theorem 8.4.1). */
IxpGaussStatus ixp_gauss_entropy(const double *cov, long d, double *out) {
  if (d < 0 || (d > 0 && !cov) || !out) return IXP_GAUSS_EINPUT;
  double ld = 0;
  IxpGaussStatus st = ixp_logdet(cov, d, d > 1 ? d : 1, &ld);
  if (st == IXP_GAUSS_OK) *out = 0.5 * ((double)d * log(2 * M_PI * M_E) + ld);
  return st;
}

/* The groups list valid, pairwise distinct indices (a repeated variable
 * makes the joint covariance singular). */
static IxpGaussStatus check_groups(long n, const long *x, long nx, const long *y, long ny, const long *z, long nz) {
  if (n < 1 || nx < 1 || ny < 1 || nz < 0 || !x || !y || (nz > 0 && !z) || nx + ny + nz > n)
    return IXP_GAUSS_EINPUT;
  unsigned char *seen = calloc((size_t)n, 1);
  if (!seen) return IXP_GAUSS_ENOMEM;
  const long *g[3] = {x, y, z}, ng[3] = {nx, ny, nz};
  IxpGaussStatus st = IXP_GAUSS_OK;
  for (int k = 0; k < 3 && st == IXP_GAUSS_OK; k++)
    for (long i = 0; i < ng[k]; i++) {
      long v = g[k][i];
      if (v < 0 || v >= n || seen[v]) {
        st = IXP_GAUSS_EINPUT;
        break;
      }
      seen[v] = 1;
    }
  free(seen);
  return st;
}

/* Cholesky of the submatrix of cov on idx[0..m); on success *l owns it. */
static IxpGaussStatus factor_sub(const double *cov, long n, const long *idx, long m, double **l) {
  *l = gather(cov, n, idx, m);
  if (!*l) return IXP_GAUSS_ENOMEM;
  IxpGaussStatus st = ixp_cholesky(*l, m, m, NULL);
  if (st != IXP_GAUSS_OK) {
    free(*l);
    *l = NULL;
  }
  return st;
}

/* I(X; Y | Z) = 1/2 [log det S_xz + log det S_yz - log det S_xyz - log det
 * S_z] (Cover & Thomas, 2nd ed.: I = h(X|Z) - h(X|Y,Z), with theorem
 * 8.4.1 for each entropy).
 * With the variables ordered (z, x, y), the Cholesky factor of S_zxy holds
 * those of S_z and S_zx as its leading blocks (L's leading block factors
 * the leading submatrix), and that of S_zy holds S_z's too, so
 *   I = sum_{i in y} log L(zy)_ii - sum_{i in y} log L(zxy)_ii,
 * two factorisations and no cancellation of the z terms. x and y swap
 * (I is symmetric) so the smaller group is factored twice. */
IxpGaussStatus ixp_gauss_mi(const double *cov, long n, const long *x, long nx, const long *y, long ny,
                            const long *z, long nz, double *out) {
  if (!cov || !out) return IXP_GAUSS_EINPUT;
  IxpGaussStatus st = check_groups(n, x, nx, y, ny, z, nz);
  if (st != IXP_GAUSS_OK) return st;
  if (ny > nx) {
    const long *t = x;
    x = y, y = t;
    long tn = nx;
    nx = ny, ny = tn;
  }
  long m = nz + nx + ny;
  long *idx = malloc(sizeof(long) * (size_t)(m + nz + ny));
  if (!idx) return IXP_GAUSS_ENOMEM;
  long *zy = idx + m;
  if (nz) memcpy(idx, z, sizeof(long) * (size_t)nz), memcpy(zy, z, sizeof(long) * (size_t)nz);
  memcpy(idx + nz, x, sizeof(long) * (size_t)nx);
  memcpy(idx + nz + nx, y, sizeof(long) * (size_t)ny);
  memcpy(zy + nz, y, sizeof(long) * (size_t)ny);
  double *lall = NULL, *lzy = NULL;
  st = factor_sub(cov, n, idx, m, &lall);
  if (st == IXP_GAUSS_OK) st = factor_sub(cov, n, zy, nz + ny, &lzy);
  if (st == IXP_GAUSS_OK)
    *out = ixp_dense_tri_logdiag(lzy, nz + ny, nz, nz + ny) - ixp_dense_tri_logdiag(lall, m, nz + nx, m);
  free(lall);
  free(lzy);
  free(idx);
  return st;
}

/* --- finite-sample bias ----------------------------------------------------- */

/* Digamma for x > 0: the recurrence psi(x) = psi(x + 1) - 1/x up to x >= 10,
 * then the asymptotic series through the B14 term (error < 1e-15). */
double ixp_digamma(double x) {
  double r = 0;
  while (x < 10) r -= 1 / x, x += 1;
  double f = 1 / (x * x);
  double s = f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132 - f * (691.0 / 32760 - f / 12))))));
  return r + log(x) - 0.5 / x - s;
}

/* (n - 1) S is Wishart(Sigma, n - 1), and E log det W(Sigma, m) = log det
 * Sigma + d log 2 + sum_{i=1..d} psi((m - i + 1) / 2) (e.g. Misra et al.
 * 2005, eq. 9); with m = n - 1 and the divisor n - 1 that is the sum here. */
double ixp_gauss_logdet_bias(long d, long n) {
  if (d < 0 || n <= d) return NAN;
  double b = (double)d * log(2.0 / (double)(n - 1));
  for (long i = 1; i <= d; i++) b += ixp_digamma(0.5 * (double)(n - i));
  return b;
}

double ixp_gauss_entropy_bias(long d, long n) { return 0.5 * ixp_gauss_logdet_bias(d, n); }

double ixp_gauss_mi_bias(long nx, long ny, long nz, long n) {
  return 0.5 * (ixp_gauss_logdet_bias(nx + nz, n) + ixp_gauss_logdet_bias(ny + nz, n) -
                ixp_gauss_logdet_bias(nx + ny + nz, n) - ixp_gauss_logdet_bias(nz, n));
}

/* Copy of the d x d matrix s, Cholesky-factored. */
static IxpGaussStatus factor_copy(const double *s, long d, double **l) {
  *l = malloc(sizeof(double) * (size_t)(d * d));
  if (!*l) return IXP_GAUSS_ENOMEM;
  memcpy(*l, s, sizeof(double) * (size_t)(d * d));
  return ixp_cholesky(*l, d, d, NULL);
}

/* D(N1 || N2) = 1/2 [tr(S2^{-1} S1) + (m2 - m1)^T S2^{-1} (m2 - m1) - d
 * + log det S2 - log det S1] (Kullback 1959; e.g. Duchi, "Derivations for
 * linear algebra and optimization", sec. 9). With S1 = L1 L1^T, S2 = L2
 * L2^T: tr(S2^{-1} S1) = ||L2^{-1} L1||_F^2 (one TRSM), and the quadratic
 * form is ||L2^{-1} (m2 - m1)||^2; no inverse is formed. A NULL mean is
 * the zero vector. */
IxpGaussStatus ixp_gauss_kl(const double *m1, const double *s1, const double *m2, const double *s2, long d,
                            double *out) {
  if (d < 1 || !s1 || !s2 || !out || d > LONG_MAX / d) return IXP_GAUSS_EINPUT;
  double *l1 = NULL, *l2 = NULL, *v = malloc(sizeof(double) * (size_t)d);
  IxpGaussStatus st = v ? IXP_GAUSS_OK : IXP_GAUSS_ENOMEM;
  if (st == IXP_GAUSS_OK) st = factor_copy(s1, d, &l1);
  if (st == IXP_GAUSS_OK) st = factor_copy(s2, d, &l2);
  double ld1 = 0, ld2 = 0;
  if (st == IXP_GAUSS_OK) {
    ld1 = 2 * ixp_dense_tri_logdiag(l1, d, 0, d), ld2 = 2 * ixp_dense_tri_logdiag(l2, d, 0, d);
    /* l1 <- L2^{-1} L1 (lower triangular, as L1 is). */
    if (ixp_dense_trsm_lower(false, false, d, d, 1.0, l2, d, l1, d)) st = IXP_GAUSS_EINPUT;
  }
  if (st == IXP_GAUSS_OK) {
    double tr = 0, q = 0;
    for (long i = 0; i < d; i++)
      for (long j = 0; j <= i; j++) tr += l1[i * d + j] * l1[i * d + j];
    for (long i = 0; i < d; i++) v[i] = (m2 ? m2[i] : 0) - (m1 ? m1[i] : 0);
    ixp_dense_tri_solve(l2, d, d, v);
    for (long i = 0; i < d; i++) q += v[i] * v[i];
    *out = 0.5 * (tr + q - (double)d + ld2 - ld1);
  }
  free(l1);
  free(l2);
  free(v);
  return st;
}

/* --- chi-squared tail ------------------------------------------------------- */

#define GAMMA_EPS 1e-16
#define GAMMA_ITMAX 100000
#define GAMMA_TINY 1e-300

/* log of e^{-x} x^a / Gamma(a), the common prefactor of both expansions. */
static double gamma_prefactor_log(double a, double x) { return a * log(x) - x - lgamma(a); }

/* P(a, x) by its series (Abramowitz & Stegun 6.5.29; Numerical Recipes,
 * 3rd ed., sec. 6.2, gser): P = e^{-x} x^a / Gamma(a + 1) sum_n x^n /
 * ((a + 1)...(a + n)); converges quickly for x < a + 1. */
static double gamma_p_series(double a, double x) {
  double ap = a, term = 1 / a, sum = term;
  for (int n = 0; n < GAMMA_ITMAX; n++) {
    ap += 1;
    term *= x / ap;
    sum += term;
    if (fabs(term) < fabs(sum) * GAMMA_EPS) break;
  }
  return sum * exp(gamma_prefactor_log(a, x));
}

/* Q(a, x) by its continued fraction (A&S 6.5.31; Numerical Recipes sec.
 * 6.2, gcf) Q = e^{-x} x^a / Gamma(a) * 1/(x + 1 - a - 1(1 - a)/(x + 3 - a -
 * 2(2 - a)/(x + 5 - a - ...))), evaluated by the modified Lentz method
 * (Numerical Recipes sec. 5.2); converges quickly for x >= a + 1. */
static double gamma_q_cf(double a, double x) {
  double b = x + 1 - a, c = 1 / GAMMA_TINY, d = 1 / b, h = d;
  for (int i = 1; i < GAMMA_ITMAX; i++) {
    double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (fabs(d) < GAMMA_TINY) d = GAMMA_TINY;
    c = b + an / c;
    if (fabs(c) < GAMMA_TINY) c = GAMMA_TINY;
    d = 1 / d;
    double del = d * c;
    h *= del;
    if (fabs(del - 1) < GAMMA_EPS) break;
  }
  return exp(gamma_prefactor_log(a, x)) * h;
}

/* Regularised upper incomplete gamma Q(a, x) = Gamma(a, x) / Gamma(a): the
 * series for x < a + 1 (Q = 1 - P), else the continued fraction. */
static double gamma_q(double a, double x) {
  if (x <= 0) return 1;
  if (x < a + 1) return 1 - gamma_p_series(a, x);
  return gamma_q_cf(a, x);
}

/* Under independence, 2 N I (nats) -> chi-squared with dx dy degrees of
 * freedom (Wilks 1938; the G-test form of the likelihood-ratio statistic
 * for Gaussian MI, e.g. Brillinger 2004). p = P(chi2_k > 2 N I) =
 * Q(k / 2, N I). NaN on invalid arguments; 1 for I <= 0. */
double ixp_gauss_mi_pvalue(double mi, long n, long dx, long dy) {
  if (isnan(mi) || n < 1 || dx < 1 || dy < 1) return NAN;
  if (mi <= 0) return 1;
  if (isinf(mi)) return 0;
  double k = (double)dx * (double)dy;
  return gamma_q(0.5 * k, (double)n * mi);
}
