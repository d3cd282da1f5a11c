/* mi_suite.c — the distributions of the estimator suite: samples with
 * known mutual information, in the style of Czyz et al. 2023, "Beyond
 * Normal: On the Evaluation of Mutual Information Estimators".
 *
 *   mi_suite                 check the closed forms (what `make bench` runs)
 *   mi_suite --check         the same
 *   SUITE_SET=heldout mi_suite --list | --gen ...
 *                            the held-out tasks (HELDOUT) instead
 *   mi_suite --list          one line per task: name, dx, dy, true MI, family
 *   mi_suite --gen DIR [--n N] [--seeds S] [--tasks a,b,...]
 *                            write DIR/NAME_sK.npy (N x (dx + dy), float64,
 *                            X's columns first) for K = 0 .. S-1 and
 *                            DIR/tasks.tsv (the --list lines of those tasks)
 *
 * Every true value is a closed form: the Gaussian one from log-determinants
 * of the covariance, the Student-t one that plus its correction term, the
 * additive-noise one from the entropy of a trapezoid; transforms that are
 * injective on each side (monotone maps per coordinate, the swiss roll,
 * the norm-dependent spiral rotation) leave the MI unchanged. Samples come
 * from ixp's counter-based generator (Philox) keyed by (seed, task name,
 * purpose), so a task's rows do not depend on which other tasks run. bench/
 * mi_suite.sh runs ixp's estimators on them. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

#define MAX_D 100

typedef enum { BASE_GAUSS, BASE_STUDENT, BASE_ADDITIVE } Base;
typedef enum { COV_PAIR, COV_DENSE, COV_SPARSE, COV_IDENTITY } Cov;
typedef enum {
  TR_NONE,
  TR_NORMCDF,   /* Phi(x) per coordinate */
  TR_HALFCUBE,  /* sign(x) |x|^(3/2) */
  TR_ASINH,     /* asinh(x) */
  TR_BIMODAL,   /* F_mix^-1(Phi(x)): a two-component mixture's quantile */
  TR_WIGGLY,    /* x + small sines (derivative > 0), one map for X, one for Y */
  TR_SWISSROLL, /* X (1-D, made uniform by Phi) rolled into 2-D */
  TR_SPIRAL     /* X rotated in coordinate planes by an angle growing with |x|^2 */
} Transform;

typedef struct {
  const char *name;
  const char *family;
  int bx, by;   /* dimensions before the transform */
  Base base;
  Cov cov;
  double rho;   /* COV_PAIR: corr(X, Y); COV_DENSE: all correlations; COV_SPARSE: the pairs' */
  int nu;       /* Student-t degrees of freedom */
  double eps;   /* additive noise half-width */
  Transform tr;
} Task;

/* Sparse structure (Czyz et al.'s "sparse"): two pairs (X_i, Y_i) correlated
 * at rho, every other pair within X (and within Y) at this noise level. */
#define SPARSE_PAIRS 2
#define SPARSE_NOISE 0.1
#define SPIRAL_SPEED 0.5

static const Task TASKS[] = {
  /* Gaussians */
  {"normal-1x1", "gaussian", 1, 1, BASE_GAUSS, COV_PAIR, 0.75, 0, 0, TR_NONE},
  {"dense-2x2", "gaussian", 2, 2, BASE_GAUSS, COV_DENSE, 0.5, 0, 0, TR_NONE},
  {"dense-3x3", "gaussian", 3, 3, BASE_GAUSS, COV_DENSE, 0.5, 0, 0, TR_NONE},
  {"dense-2x5", "gaussian", 2, 5, BASE_GAUSS, COV_DENSE, 0.5, 0, 0, TR_NONE},
  {"dense-5x5", "gaussian", 5, 5, BASE_GAUSS, COV_DENSE, 0.5, 0, 0, TR_NONE},
  {"dense-10x10", "gaussian", 10, 10, BASE_GAUSS, COV_DENSE, 0.5, 0, 0, TR_NONE},
  {"dense-25x25", "gaussian", 25, 25, BASE_GAUSS, COV_DENSE, 0.5, 0, 0, TR_NONE},
  {"dense-50x50", "gaussian", 50, 50, BASE_GAUSS, COV_DENSE, 0.5, 0, 0, TR_NONE},
  {"sparse-3x3", "gaussian", 3, 3, BASE_GAUSS, COV_SPARSE, 0.8, 0, 0, TR_NONE},
  {"sparse-2x5", "gaussian", 2, 5, BASE_GAUSS, COV_SPARSE, 0.8, 0, 0, TR_NONE},
  {"sparse-5x5", "gaussian", 5, 5, BASE_GAUSS, COV_SPARSE, 0.8, 0, 0, TR_NONE},
  {"sparse-10x10", "gaussian", 10, 10, BASE_GAUSS, COV_SPARSE, 0.8, 0, 0, TR_NONE},
  {"sparse-25x25", "gaussian", 25, 25, BASE_GAUSS, COV_SPARSE, 0.8, 0, 0, TR_NONE},
  /* Monotone transforms of Gaussians, per coordinate */
  {"normcdf-1x1", "monotone", 1, 1, BASE_GAUSS, COV_PAIR, 0.75, 0, 0, TR_NORMCDF},
  {"normcdf-3x3", "monotone", 3, 3, BASE_GAUSS, COV_DENSE, 0.5, 0, 0, TR_NORMCDF},
  {"normcdf-5x5", "monotone", 5, 5, BASE_GAUSS, COV_SPARSE, 0.8, 0, 0, TR_NORMCDF},
  {"halfcube-1x1", "monotone", 1, 1, BASE_GAUSS, COV_PAIR, 0.75, 0, 0, TR_HALFCUBE},
  {"halfcube-3x3", "monotone", 3, 3, BASE_GAUSS, COV_DENSE, 0.5, 0, 0, TR_HALFCUBE},
  {"halfcube-5x5", "monotone", 5, 5, BASE_GAUSS, COV_SPARSE, 0.8, 0, 0, TR_HALFCUBE},
  {"bimodal-1x1", "monotone", 1, 1, BASE_GAUSS, COV_PAIR, 0.75, 0, 0, TR_BIMODAL},
  {"bimodal-3x3", "monotone", 3, 3, BASE_GAUSS, COV_DENSE, 0.5, 0, 0, TR_BIMODAL},
  {"wiggly-1x1", "monotone", 1, 1, BASE_GAUSS, COV_PAIR, 0.75, 0, 0, TR_WIGGLY},
  {"wiggly-3x3", "monotone", 3, 3, BASE_GAUSS, COV_DENSE, 0.5, 0, 0, TR_WIGGLY},
  /* Multivariate Student-t: identity dispersion (all the MI is the
   * correction term), a sparse one (Gaussian part + correction), asinh */
  {"student-1x1-nu1", "student", 1, 1, BASE_STUDENT, COV_IDENTITY, 0, 1, 0, TR_NONE},
  {"student-2x2-nu1", "student", 2, 2, BASE_STUDENT, COV_IDENTITY, 0, 1, 0, TR_NONE},
  {"student-2x2-nu2", "student", 2, 2, BASE_STUDENT, COV_IDENTITY, 0, 2, 0, TR_NONE},
  {"student-3x3-nu2", "student", 3, 3, BASE_STUDENT, COV_IDENTITY, 0, 2, 0, TR_NONE},
  {"student-3x3-nu3", "student", 3, 3, BASE_STUDENT, COV_IDENTITY, 0, 3, 0, TR_NONE},
  {"student-5x5-nu3", "student", 5, 5, BASE_STUDENT, COV_IDENTITY, 0, 3, 0, TR_NONE},
  {"student-5x5-nu5", "student", 5, 5, BASE_STUDENT, COV_IDENTITY, 0, 5, 0, TR_NONE},
  {"student-sparse-3x3-nu5", "student", 3, 3, BASE_STUDENT, COV_SPARSE, 0.8, 5, 0, TR_NONE},
  {"asinh-student-1x1-nu1", "student", 1, 1, BASE_STUDENT, COV_IDENTITY, 0, 1, 0, TR_ASINH},
  {"asinh-student-2x2-nu2", "student", 2, 2, BASE_STUDENT, COV_IDENTITY, 0, 2, 0, TR_ASINH},
  {"asinh-student-3x3-nu3", "student", 3, 3, BASE_STUDENT, COV_IDENTITY, 0, 3, 0, TR_ASINH},
  /* Additive uniform noise: X ~ U(0, 1), Y = X + U(-eps, eps) */
  {"additive-eps0.1", "additive", 1, 1, BASE_ADDITIVE, COV_PAIR, 0, 0, 0.1, TR_NONE},
  {"additive-eps0.75", "additive", 1, 1, BASE_ADDITIVE, COV_PAIR, 0, 0, 0.75, TR_NONE},
  /* Embeddings */
  {"swissroll-2x1", "embedding", 1, 1, BASE_GAUSS, COV_PAIR, 0.9, 0, 0, TR_SWISSROLL},
  {"spiral-3x3", "embedding", 3, 3, BASE_GAUSS, COV_SPARSE, 0.8, 0, 0, TR_SPIRAL},
  {"spiral-5x5", "embedding", 5, 5, BASE_GAUSS, COV_SPARSE, 0.8, 0, 0, TR_SPIRAL},
};

/* A held-out set (SUITE_SET=heldout): the same families with dimensions,
 * correlations, degrees of freedom and noise levels that the estimators
 * were never tried on while they were built; judges whether a rule
 * chosen on TASKS generalises. */
static const Task HELDOUT[] = {
  {"h-normal-1x1-rho0.95", "gaussian", 1, 1, BASE_GAUSS, COV_PAIR, 0.95, 0, 0, TR_NONE},
  {"h-dense-4x4-rho0.3", "gaussian", 4, 4, BASE_GAUSS, COV_DENSE, 0.3, 0, 0, TR_NONE},
  {"h-dense-8x2-rho0.4", "gaussian", 8, 2, BASE_GAUSS, COV_DENSE, 0.4, 0, 0, TR_NONE},
  {"h-sparse-15x15-rho0.6", "gaussian", 15, 15, BASE_GAUSS, COV_SPARSE, 0.6, 0, 0, TR_NONE},
  {"h-dense-40x40-rho0.2", "gaussian", 40, 40, BASE_GAUSS, COV_DENSE, 0.2, 0, 0, TR_NONE},
  {"h-normcdf-2x2", "monotone", 2, 2, BASE_GAUSS, COV_DENSE, 0.6, 0, 0, TR_NORMCDF},
  {"h-halfcube-10x10", "monotone", 10, 10, BASE_GAUSS, COV_SPARSE, 0.7, 0, 0, TR_HALFCUBE},
  {"h-wiggly-5x5", "monotone", 5, 5, BASE_GAUSS, COV_SPARSE, 0.7, 0, 0, TR_WIGGLY},
  {"h-bimodal-2x2", "monotone", 2, 2, BASE_GAUSS, COV_DENSE, 0.4, 0, 0, TR_BIMODAL},
  {"h-asinh-4x4", "monotone", 4, 4, BASE_GAUSS, COV_DENSE, 0.5, 0, 0, TR_ASINH},
  {"h-student-1x1-nu3", "student", 1, 1, BASE_STUDENT, COV_IDENTITY, 0, 3, 0, TR_NONE},
  {"h-student-1x2-nu2", "student", 1, 2, BASE_STUDENT, COV_IDENTITY, 0, 2, 0, TR_NONE},
  {"h-student-2x2-nu5", "student", 2, 2, BASE_STUDENT, COV_IDENTITY, 0, 5, 0, TR_NONE},
  {"h-student-4x4-nu4", "student", 4, 4, BASE_STUDENT, COV_IDENTITY, 0, 4, 0, TR_NONE},
  {"h-student-sparse-5x5-nu3", "student", 5, 5, BASE_STUDENT, COV_SPARSE, 0.7, 3, 0, TR_NONE},
  {"h-asinh-student-2x1-nu1", "student", 2, 1, BASE_STUDENT, COV_IDENTITY, 0, 1, 0, TR_ASINH},
  {"h-additive-eps0.3", "additive", 1, 1, BASE_ADDITIVE, COV_PAIR, 0, 0, 0.3, TR_NONE},
  {"h-additive-eps2", "additive", 1, 1, BASE_ADDITIVE, COV_PAIR, 0, 0, 2, TR_NONE},
  {"h-swissroll-2x1-rho0.7", "embedding", 1, 1, BASE_GAUSS, COV_PAIR, 0.7, 0, 0, TR_SWISSROLL},
  {"h-spiral-2x2", "embedding", 2, 2, BASE_GAUSS, COV_SPARSE, 0.8, 0, 0, TR_SPIRAL},
};
#define NHELDOUT ((int)(sizeof HELDOUT / sizeof HELDOUT[0]))
#define NTASKS ((int)(sizeof TASKS / sizeof TASKS[0]))

static void die(const char *what) {
  fprintf(stderr, "mi_suite: %s\n", what);
  exit(1);
}

/* ---------------------------------------------------------------- special functions */

/* Digamma for x > 0: recurrence up to x >= 10, then the asymptotic series
 * (Abramowitz & Stegun 6.3.18); error below 1e-13. */
static double digamma(double x) {
  double r = 0;
  while (x < 10) r -= 1 / x, x += 1;
  double f = 1 / (x * x);
  return r + log(x) - 0.5 / x -
         f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132)))));
}

static double normal_cdf(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }

/* ---------------------------------------------------------------- covariances */

static int out_dx(const Task *t) { return t->tr == TR_SWISSROLL ? 2 : t->bx; }

/* The correlation matrix of (X, Y), d = bx + by, row-major. */
static void covariance(const Task *t, double *S) {
  int d = t->bx + t->by;
  for (int i = 0; i < d; i++)
    for (int j = 0; j < d; j++) {
      double v = i == j ? 1 : 0;
      bool same_side = (i < t->bx) == (j < t->bx);
      if (i != j && t->cov == COV_DENSE) v = t->rho;
      if (i != j && t->cov == COV_PAIR) v = t->rho;
      if (i != j && t->cov == COV_SPARSE) {
        int a = i < t->bx ? i : i - t->bx, b = j < t->bx ? j : j - t->bx;
        v = same_side ? SPARSE_NOISE : a == b && a < SPARSE_PAIRS ? t->rho : 0;
      }
      S[i * d + j] = v;
    }
}

/* Lower Cholesky factor of the d x d block of S starting at (o, o) into L
 * (d x d); its log-determinant. Dies if not positive definite. */
static double cholesky(const double *S, int ld, int o, int d, double *L) {
  double logdet = 0;
  memset(L, 0, (size_t)d * (size_t)d * sizeof *L);
  for (int j = 0; j < d; j++) {
    for (int i = j; i < d; i++) {
      double v = S[(o + i) * ld + o + j];
      for (int k = 0; k < j; k++) v -= L[i * d + k] * L[j * d + k];
      if (i == j) {
        if (!(v > 0)) die("a covariance is not positive definite");
        L[j * d + j] = sqrt(v);
        logdet += log(v);
      } else
        L[i * d + j] = v / L[j * d + j];
    }
  }
  return logdet;
}

/* I(X; Y) of a Gaussian with covariance S (d = dx + dy). */
static double gaussian_mi_of(const double *S, int dx, int dy) {
  int d = dx + dy;
  double *L = malloc((size_t)d * (size_t)d * sizeof *L);
  if (!L) die("out of memory");
  double all = cholesky(S, d, 0, d, L), x = cholesky(S, d, 0, dx, L), y = cholesky(S, d, dx, dy, L);
  free(L);
  return 0.5 * (x + y - all);
}

/* ---------------------------------------------------------------- closed forms */

/* I_t - I_gauss of a multivariate Student-t with nu degrees of freedom split
 * m + n: the entropy of a t of dimension k and dispersion S is
 * 1/2 log det S + log((nu pi)^(k/2) Gamma(nu/2) / Gamma((nu+k)/2))
 * + (nu+k)/2 (psi((nu+k)/2) - psi(nu/2)) (Arellano-Valle et al. 2013);
 * H(X) + H(Y) - H(X, Y) leaves the Gaussian log-determinants and this. */
static double student_correction(double nu, int m, int n) {
  double a = nu / 2, b = (nu + m) / 2, c = (nu + n) / 2, e = (nu + m + n) / 2;
  return lgamma(a) + lgamma(e) - lgamma(b) - lgamma(c) + b * digamma(b) + c * digamma(c) - e * digamma(e) -
         a * digamma(a);
}

/* I(X; Y) for X ~ U(0, 1), Y = X + U(-eps, eps): h(Y) - log(2 eps), where
 * Y's density is a trapezoid whose ramps carry entropy eps (2 eps <= 1) or
 * whose flat top is 1/(2 eps) (2 eps > 1). */
static double additive_mi(double eps) { return eps <= 0.5 ? eps - log(2 * eps) : 1 / (4 * eps); }

static double truth(const Task *t) {
  if (t->base == BASE_ADDITIVE) return additive_mi(t->eps);
  double S[MAX_D * MAX_D];
  covariance(t, S);
  double g = t->cov == COV_IDENTITY ? 0 : gaussian_mi_of(S, t->bx, t->by);
  return t->base == BASE_STUDENT ? g + student_correction(t->nu, t->bx, t->by) : g;
}

/* ---------------------------------------------------------------- transforms */

static double wiggly_x(double x) { return x + 0.4 * sin(x) + 0.2 * sin(1.7 * x + 1) + 0.03 * sin(3.3 * x - 2.5); }
static double wiggly_y(double x) { return x - 0.4 * sin(0.4 * x) + 0.17 * sin(1.3 * x + 3.5) + 0.02 * sin(4.3 * x - 2.5); }

/* The CDF of 1/2 N(-1.5, 0.5^2) + 1/2 N(1.5, 0.5^2), inverted by bisection. */
static double bimodal_cdf(double x) { return 0.5 * (normal_cdf((x + 1.5) / 0.5) + normal_cdf((x - 1.5) / 0.5)); }
static double bimodal(double z) {
  double p = normal_cdf(z), lo = -12, hi = 12;
  for (int i = 0; i < 80; i++) {
    double mid = 0.5 * (lo + hi);
    if (bimodal_cdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

static double per_coordinate(Transform tr, bool is_y, double x) {
  switch (tr) {
  case TR_NORMCDF: return normal_cdf(x);
  case TR_HALFCUBE: return copysign(pow(fabs(x), 1.5), x);
  case TR_ASINH: return asinh(x);
  case TR_BIMODAL: return bimodal(x);
  case TR_WIGGLY: return is_y ? wiggly_y(x) : wiggly_x(x);
  default: return x;
  }
}

/* Rotate x's coordinate pairs (0, 1), (2, 3), ... by SPIRAL_SPEED |x|^2:
 * the norm is kept, so the angle and the point are recovered (injective). */
static void spiral(double *x, int d) {
  double r2 = 0;
  for (int i = 0; i < d; i++) r2 += x[i] * x[i];
  double c = cos(SPIRAL_SPEED * r2), s = sin(SPIRAL_SPEED * r2);
  for (int i = 0; i + 1 < d; i += 2) {
    double a = x[i], b = x[i + 1];
    x[i] = c * a - s * b, x[i + 1] = s * a + c * b;
  }
}

/* One row (bx + by values, X first) into out (dx + dy values). */
static void transform_row(const Task *t, const double *z, double *out) {
  int bx = t->bx, d = bx + t->by;
  if (t->tr == TR_SWISSROLL) {
    double u = normal_cdf(z[0]), a = 1.5 * M_PI * (1 + 2 * u);
    out[0] = a * cos(a) / 21, out[1] = a * sin(a) / 21, out[2] = normal_cdf(z[1]);
    return;
  }
  for (int i = 0; i < d; i++) out[i] = per_coordinate(t->tr, i >= bx, z[i]);
  if (t->tr == TR_SPIRAL) spiral(out, bx);
}

/* ---------------------------------------------------------------- sampling */

/* Row r of task t at seed `seed`, before its transform. Streams are named
 * by the task's name, so its rows do not depend on the list's order. */
static void base_row(const Task *t, uint64_t seed, const double *L, long r, double *z) {
  uint64_t name = ixp_rng_name(t->name, strlen(t->name));
  int d = t->bx + t->by;
  if (t->base == BASE_ADDITIVE) {
    uint64_t k = ixp_rng_key(seed, name, 1);
    double x = ixp_rng_uniform(k, 2 * (uint64_t)r), u = ixp_rng_uniform(k, 2 * (uint64_t)r + 1);
    z[0] = x, z[1] = x + t->eps * (2 * u - 1);
    return;
  }
  double e[MAX_D];
  ixp_rng_normals(ixp_rng_key(seed, name, 2), (uint64_t)r * (uint64_t)d, e, d);
  for (int i = 0; i < d; i++) {
    double v = 0;
    for (int k = 0; k <= i; k++) v += L[i * d + k] * e[k];
    z[i] = v;
  }
  if (t->base == BASE_STUDENT) {
    double g[8], chi2 = 0;
    ixp_rng_normals(ixp_rng_key(seed, name, 3), (uint64_t)r * (uint64_t)t->nu, g, t->nu);
    for (int k = 0; k < t->nu; k++) chi2 += g[k] * g[k];
    double scale = sqrt(t->nu / chi2);
    for (int i = 0; i < d; i++) z[i] *= scale;
  }
}

/* The Cholesky factor the task's normals are multiplied by. */
static void task_factor(const Task *t, double *L) {
  int d = t->bx + t->by;
  double S[MAX_D * MAX_D];
  covariance(t, S);
  cholesky(S, d, 0, d, L);
}

static void write_npy(const char *path, const double *v, long n, int d) {
  FILE *f = fopen(path, "wb");
  if (!f) die("cannot create an .npy file");
  char h[128];
  int len = snprintf(h, sizeof h, "{'descr': '<f8', 'fortran_order': False, 'shape': (%ld, %d), }", n, d);
  int total = 10 + len + 1, pad = (64 - total % 64) % 64;
  fwrite("\x93NUMPY\x01\x00", 1, 8, f);
  unsigned hl = (unsigned)(len + pad + 1);
  unsigned char hb[2] = {(unsigned char)(hl & 0xff), (unsigned char)(hl >> 8)};
  fwrite(hb, 1, 2, f);
  fwrite(h, 1, (size_t)len, f);
  for (int i = 0; i < pad; i++) fputc(' ', f);
  fputc('\n', f);
  fwrite(v, sizeof *v, (size_t)n * (size_t)d, f);  /* little-endian hosts */
  if (fclose(f) != 0) die("cannot write an .npy file");
}

static void generate(const Task *t, const char *dir, long n, int seeds) {
  int d = t->bx + t->by, od = out_dx(t) + t->by;
  double *L = calloc((size_t)d * (size_t)d, sizeof *L), *rows = malloc((size_t)n * (size_t)od * sizeof *rows);
  if (!L || !rows) die("out of memory");
  if (t->base != BASE_ADDITIVE) task_factor(t, L);
  for (int s = 0; s < seeds; s++) {
    for (long r = 0; r < n; r++) {
      double z[MAX_D];
      base_row(t, (uint64_t)s, L, r, z);
      transform_row(t, z, rows + r * od);
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/%s_s%d.npy", dir, t->name, s);
    write_npy(path, rows, n, od);
  }
  free(L), free(rows);
}

static void list_line(FILE *f, const Task *t) {
  fprintf(f, "%s\t%d\t%d\t%.12g\t%s\n", t->name, out_dx(t), t->by, truth(t), t->family);
}

/* ---------------------------------------------------------------- checks of the closed forms */

static int failures;
static void expect(bool ok, const char *what, double got, double want) {
  printf("  %-62s %12.6g  (want %.6g)  %s\n", what, got, want, ok ? "ok" : "FAILED");
  if (!ok) failures++;
}

/* log density of a multivariate t (dispersion with Cholesky factor L,
 * log-determinant ld) at x. */
static double t_logpdf(const double *x, const double *L, double ld, int k, double nu) {
  double y[MAX_D], q = 0;
  for (int i = 0; i < k; i++) {
    double v = x[i];
    for (int j = 0; j < i; j++) v -= L[i * k + j] * y[j];
    y[i] = v / L[i * k + i], q += y[i] * y[i];
  }
  return lgamma((nu + k) / 2) - lgamma(nu / 2) - 0.5 * k * log(nu * M_PI) - 0.5 * ld -
         (nu + k) / 2 * log1p(q / nu);
}

/* The Student-t closed form against a Monte Carlo mean of the pointwise
 * MI log p(x, y) / (p(x) p(y)) under the exact densities (independent of
 * the entropy formula): within 4 standard errors. */
static void check_student_mc(const Task *t, long m) {
  int d = t->bx + t->by;
  double S[MAX_D * MAX_D], L[MAX_D * MAX_D], Lx[MAX_D * MAX_D], Ly[MAX_D * MAX_D];
  covariance(t, S);
  double ld = cholesky(S, d, 0, d, L), ldx = cholesky(S, d, 0, t->bx, Lx), ldy = cholesky(S, d, t->bx, t->by, Ly);
  double sum = 0, sum2 = 0;
  for (long r = 0; r < m; r++) {
    double z[MAX_D];
    base_row(t, 99, L, r, z);
    double v = t_logpdf(z, L, ld, d, t->nu) - t_logpdf(z, Lx, ldx, t->bx, t->nu) -
               t_logpdf(z + t->bx, Ly, ldy, t->by, t->nu);
    sum += v, sum2 += v * v;
  }
  double mean = sum / (double)m, se = sqrt((sum2 / (double)m - mean * mean) / (double)m), want = truth(t);
  char what[128];
  snprintf(what, sizeof what, "%s: Monte Carlo (%ld rows, se %.1e)", t->name, m, se);
  expect(fabs(mean - want) < 4 * se, what, mean, want);
}

/* h(Y) of the additive task by the midpoint rule on Y's density (the
 * length of [y - eps, y + eps] within [0, 1], over 2 eps). */
static void check_additive(double eps) {
  long k = 2000000;
  double lo = -eps, hi = 1 + eps, w = (hi - lo) / (double)k, h = 0;
  for (long i = 0; i < k; i++) {
    double y = lo + (i + 0.5) * w, a = fmax(0, y - eps), b = fmin(1, y + eps), p = (b - a) / (2 * eps);
    if (p > 0) h -= p * log(p) * w;
  }
  char what[96];
  snprintf(what, sizeof what, "additive eps = %g: quadrature of h(Y) - log(2 eps)", eps);
  expect(fabs(h - log(2 * eps) - additive_mi(eps)) < 1e-6, what, h - log(2 * eps), additive_mi(eps));
}

/* The equicorrelated ("dense") Gaussian against det((1-r) I + r 11') =
 * (1-r)^(k-1) (1 + (k-1) r). */
static void check_dense(int m, int n, double rho) {
  double S[MAX_D * MAX_D];
  Task t = {"dense", "gaussian", m, n, BASE_GAUSS, COV_DENSE, rho, 0, 0, TR_NONE};
  covariance(&t, S);
#define LDET(k) ((k - 1) * log(1 - rho) + log(1 + (k - 1) * rho))
  double want = 0.5 * (LDET(m) + LDET(n) - LDET(m + n)), got = gaussian_mi_of(S, m, n);
#undef LDET
  char what[96];
  snprintf(what, sizeof what, "dense %dx%d rho = %g: Cholesky against the equicorrelation determinant", m, n, rho);
  expect(fabs(got - want) < 1e-10, what, got, want);
}

/* Injective transforms: monotone maps increase on a fine grid; the spiral
 * keeps the norm. */
static void check_transforms(void) {
  bool mono = true;
  for (Transform tr = TR_NORMCDF; tr <= TR_WIGGLY; tr++)
    for (int side = 0; side < 2; side++) {
      double prev = -INFINITY;
      for (double x = -6; x <= 6; x += 1e-3) {
        double v = per_coordinate(tr, side, x);
        if (!(v > prev)) mono = false;
        prev = v;
      }
    }
  expect(mono, "per-coordinate transforms strictly increase on [-6, 6]", mono, 1);
  double x[5] = {0.3, -1.2, 0.7, 2.0, -0.4}, n0 = 0, n1 = 0;
  for (int i = 0; i < 5; i++) n0 += x[i] * x[i];
  spiral(x, 5);
  for (int i = 0; i < 5; i++) n1 += x[i] * x[i];
  expect(fabs(n0 - n1) < 1e-12, "spiral keeps the norm (so it is invertible)", n1, n0);
}

static int run_checks(void) {
  printf("mi_suite: closed forms of the %d distributions\n", NTASKS);
  expect(fabs(digamma(1) + 0.57721566490153286) < 1e-12, "digamma(1) = -Euler gamma", digamma(1), -0.57721566490153286);
  expect(fabs(digamma(0.5) - (-0.57721566490153286 - 2 * log(2))) < 1e-12, "digamma(1/2)", digamma(0.5),
         -0.57721566490153286 - 2 * log(2));
  /* Student-t correction: positive, decreasing in nu, -> 0 as nu -> inf. */
  bool decreasing = true;
  for (int nu = 1; nu < 200; nu++)
    if (!(student_correction(nu + 1, 3, 3) < student_correction(nu, 3, 3))) decreasing = false;
  expect(decreasing && student_correction(200, 3, 3) > 0, "Student-t correction (3+3) decreases in nu, > 0", decreasing, 1);
  expect(fabs(student_correction(1e5, 5, 5)) < 1e-6, "Student-t correction (5+5) at nu = 1e5 -> 0",
         student_correction(1e5, 5, 5), 0);
  expect(fabs(student_correction(1, 1, 1) - 0.2242) < 1e-3, "Student-t nu = 1, 1+1 (Czyz et al.: 0.224)",
         student_correction(1, 1, 1), 0.2242);
  for (int i = 0; i < NTASKS; i++)
    if (TASKS[i].base == BASE_STUDENT && TASKS[i].tr == TR_NONE &&
        (TASKS[i].bx <= 2 || TASKS[i].cov == COV_SPARSE || TASKS[i].nu == 5))
      check_student_mc(&TASKS[i], 400000);
  check_additive(0.1), check_additive(0.75);
  check_dense(2, 2, 0.5), check_dense(25, 25, 0.5), check_dense(50, 50, 0.5);
  /* A pair: -1/2 log(1 - rho^2). */
  expect(fabs(truth(&TASKS[0]) + 0.5 * log(1 - 0.75 * 0.75)) < 1e-14, "normal-1x1: -1/2 log(1 - rho^2)",
         truth(&TASKS[0]), -0.5 * log(1 - 0.75 * 0.75));
  check_transforms();
  printf("mi_suite: %s (%d failed)\n", failures ? "CLOSED FORMS FAILED" : "closed forms ok", failures);
  return failures ? 1 : 0;
}

/* ---------------------------------------------------------------- command line */

static bool selected(const char *name, const char *list) {
  if (!list || !*list) return true;
  size_t n = strlen(name);
  for (const char *p = list; *p;) {
    const char *end = strchr(p, ',');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len == n && !strncmp(p, name, n)) return true;
    if (!end) break;
    p = end + 1;
  }
  return false;
}

int main(int argc, char **argv) {
  if (argc == 1 || !strcmp(argv[1], "--check")) return run_checks();
  const char *set = getenv("SUITE_SET");
  const Task *set_tasks = set && !strcmp(set, "heldout") ? HELDOUT : TASKS;
  int ntasks = set_tasks == HELDOUT ? NHELDOUT : NTASKS;
  if (!strcmp(argv[1], "--list")) {
    for (int i = 0; i < ntasks; i++) list_line(stdout, &set_tasks[i]);
    return 0;
  }
  if (strcmp(argv[1], "--gen") || argc < 3) {
    fprintf(stderr, "usage: mi_suite [--check | --list | --gen DIR [--n N] [--seeds S] [--tasks a,b,...]]\n");
    return 2;
  }
  const char *dir = argv[2], *tasks = NULL;
  long n = 5000;
  int seeds = 3;
  for (int i = 3; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--n")) n = atol(argv[i + 1]);
    else if (!strcmp(argv[i], "--seeds")) seeds = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--tasks")) tasks = argv[i + 1];
    else die("unknown option");
  }
  if (n < 10 || seeds < 1) die("--n must be >= 10 and --seeds >= 1");
  char path[4096];
  snprintf(path, sizeof path, "%s/tasks.tsv", dir);
  FILE *list = fopen(path, "w");
  if (!list) die("cannot create tasks.tsv");
  int count = 0;
  for (int i = 0; i < ntasks; i++)
    if (selected(set_tasks[i].name, tasks)) generate(&set_tasks[i], dir, n, seeds), list_line(list, &set_tasks[i]), count++;
  fclose(list);
  if (!count) die("no task matches --tasks");
  return 0;
}
