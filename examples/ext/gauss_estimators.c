/* gauss_estimators.c — Gaussian estimators written as a user would, to be
 * plugged in with `using`: each side of the measure arrives as rows
 * (n x d, row-major), and the estimate returns in nats.
 *
 *   fn gauss_entropy(n: i64, d: i64, x: const f64[n, d]) -> f64
 *   fn gauss_mi(n: i64, dx: i64, x: const f64[n, dx], dy: i64, y: const f64[n, dy]) -> f64
 *
 * Sample covariance (divided by n - 1), log-determinants by Cholesky. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* log det of the covariance of the d columns of x (n x d) and the e
 * columns of y (n x e) taken together; NaN if not positive definite. */
static double logdet_cov(int64_t n, int64_t d, const double *x, int64_t e, const double *y) {
  int64_t k = d + e;
  double *mean = calloc((size_t)k, sizeof *mean), *c = calloc((size_t)(k * k), sizeof *c);
  if (!mean || !c) return NAN;
#define AT(r, j) ((j) < d ? x[(r) * d + (j)] : y[(r) * e + (j) - d])
  for (int64_t r = 0; r < n; r++)
    for (int64_t j = 0; j < k; j++) mean[j] += AT(r, j) / (double)n;
  for (int64_t r = 0; r < n; r++)
    for (int64_t i = 0; i < k; i++)
      for (int64_t j = 0; j <= i; j++) c[i * k + j] += (AT(r, i) - mean[i]) * (AT(r, j) - mean[j]) / (double)(n - 1);
#undef AT
  double logdet = 0;
  for (int64_t j = 0; j < k && !isnan(logdet); j++) { /* Cholesky, lower triangle in place */
    double s = c[j * k + j];
    for (int64_t m = 0; m < j; m++) s -= c[j * k + m] * c[j * k + m];
    if (!(s > 0)) logdet = NAN;
    double l = sqrt(s);
    c[j * k + j] = l;
    logdet += 2 * log(l);
    for (int64_t i = j + 1; i < k; i++) {
      double t = c[i * k + j];
      for (int64_t m = 0; m < j; m++) t -= c[i * k + m] * c[j * k + m];
      c[i * k + j] = t / l;
    }
  }
  free(mean);
  free(c);
  return logdet;
}

double gauss_entropy(int64_t n, int64_t d, const double *x) {
  return 0.5 * ((double)d * log(2 * 3.141592653589793 * 2.718281828459045) + logdet_cov(n, d, x, 0, NULL));
}

double gauss_mi(int64_t n, int64_t dx, const double *x, int64_t dy, const double *y) {
  return 0.5 * (logdet_cov(n, dx, x, 0, NULL) + logdet_cov(n, 0, NULL, dy, y) - logdet_cov(n, dx, x, dy, y));
}
