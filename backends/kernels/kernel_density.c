/* kernel_density.c — box and Gaussian kernel estimators of entropy and
 * mutual information (kernel_density.h). */
#include "kernel_density.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "threads.h"

#define KERNEL_PAR_WORK 2e6

/* Columns scaled to unit standard deviation, side by side (n x (dx +
 * dy)); *logsd the sum of the log standard deviations. NULL when out of
 * memory, a value is not finite or a column is constant (*bad set). */
static double *normalised(const double *x, int dx, const double *y, int dy, long n, double *logsd, bool *bad) {
  int D = dx + dy;
  double *rows = malloc((size_t)n * (size_t)D * sizeof *rows);
  *logsd = 0, *bad = false;
  if (!rows) return NULL;
  for (int c = 0; c < D; c++) {
    const double *src = c < dx ? x + c : y + (c - dx);
    int stride = c < dx ? dx : dy;
    double mean = 0, var = 0;
    for (long i = 0; i < n; i++) {
      double v = src[(size_t)i * (size_t)stride];
      if (!isfinite(v)) *bad = true;
      mean += v;
    }
    mean /= (double)n;
    for (long i = 0; i < n; i++) var += (src[(size_t)i * (size_t)stride] - mean) * (src[(size_t)i * (size_t)stride] - mean);
    double sd = sqrt(var / (double)(n - 1));
    if (!(sd > 0)) *bad = true;
    if (*bad) break;
    *logsd += log(sd);
    for (long i = 0; i < n; i++) rows[(size_t)i * (size_t)D + (size_t)c] = (src[(size_t)i * (size_t)stride] - mean) / sd;
  }
  if (*bad) {
    free(rows);
    return NULL;
  }
  return rows;
}

/* The kernel sums of row i over columns [c0, c1) against every row: the
 * box kernel's count of rows within w (max-norm), or the Gaussian's sum
 * of exp(-|u|^2 / (2 w^2)). */
static double kernel_sum(const double *rows, int D, long n, long i, int c0, int c1, IxpKernelShape shape, double w) {
  const double *u = rows + (size_t)i * (size_t)D;
  double s = 0, inv = 1 / (2 * w * w);
  for (long j = 0; j < n; j++) {
    const double *v = rows + (size_t)j * (size_t)D;
    if (shape == IXP_KERNEL_BOX) {
      int c = c0;
      while (c < c1 && fabs(u[c] - v[c]) <= w) c++;
      s += c == c1;
    } else {
      double q = 0;
      for (int c = c0; c < c1; c++) q += (u[c] - v[c]) * (u[c] - v[c]);
      s += exp(-q * inv);
    }
  }
  return s;
}

/* log of the kernel's normalising constant in d dimensions. */
static double log_norm(IxpKernelShape shape, double w, int d) {
  return shape == IXP_KERNEL_BOX ? d * log(2 * w) : d * (log(w) + 0.5 * log(2 * M_PI));
}

/* The mean over rows of sum_g coef[g] log p_g(x_i) for the column ranges
 * [c0[g], c1[g]) (p the kernel density estimate on those columns). */
static IxpKnnStatus mean_log_density(const double *rows, int D, long n, int ng, const int *c0, const int *c1,
                                     const double *coef, IxpKernelShape shape, double w, int threads, double *out) {
  double *terms = malloc((size_t)n * sizeof *terms);
  if (!terms) return IXP_KNN_ENOMEM;
  int nt = threads > 0 ? threads : ixp_threads_for((double)n * (double)n * D, KERNEL_PAR_WORK);
#pragma omp parallel for num_threads(nt < 1 ? 1 : nt) schedule(dynamic, 64)
  for (long i = 0; i < n; i++) {
    double t = 0;
    for (int g = 0; g < ng; g++)
      t += coef[g] * (log(kernel_sum(rows, D, n, i, c0[g], c1[g], shape, w) / (double)n) - log_norm(shape, w, c1[g] - c0[g]));
    terms[i] = t;
  }
  double s = 0;
  for (long i = 0; i < n; i++) s += terms[i];
  free(terms);
  *out = s / (double)n;
  return isfinite(*out) ? IXP_KNN_OK : IXP_KNN_EINPUT;
}

IxpKnnStatus ixp_kernel_entropy(const double *x, long n, int d, IxpKernelShape shape, double width, int threads,
                                double *out) {
  if (n < 2 || d < 1 || !(width > 0) || !isfinite(width)) return IXP_KNN_EINPUT;
  double logsd, mean;
  bool bad;
  double *rows = normalised(x, d, NULL, 0, n, &logsd, &bad);
  if (!rows) return bad ? IXP_KNN_EINPUT : IXP_KNN_ENOMEM;
  int c0 = 0, c1 = d;
  double coef = 1;
  IxpKnnStatus st = mean_log_density(rows, d, n, 1, &c0, &c1, &coef, shape, width, threads, &mean);
  free(rows);
  if (st == IXP_KNN_OK) *out = logsd - mean;
  return st;
}

IxpKnnStatus ixp_kernel_mi(const double *x, int dx, const double *y, int dy, long n, IxpKernelShape shape, double width,
                           int threads, double *out) {
  if (n < 2 || dx < 1 || dy < 1 || !(width > 0) || !isfinite(width)) return IXP_KNN_EINPUT;
  double logsd;
  bool bad;
  double *rows = normalised(x, dx, y, dy, n, &logsd, &bad);
  if (!rows) return bad ? IXP_KNN_EINPUT : IXP_KNN_ENOMEM;
  int D = dx + dy, c0[3] = {0, 0, dx}, c1[3] = {D, dx, D};
  double coef[3] = {1, -1, -1};
  IxpKnnStatus st = mean_log_density(rows, D, n, 3, c0, c1, coef, shape, width, threads, out);
  free(rows);
  return st;
}
