/* knn_extra.c — LNC, mixed KSG, multivariate KSG total correlation,
 * Rényi/Tsallis entropies and kNN divergences (knn_extra.h).
 *
 * Every estimator here is a mean of per-row terms, each from that row's
 * exact neighbours: a row's distances to all rows are computed into a
 * scratch array and the k-th smallest is selected (quickselect), so the
 * work is O(n^2 d) and memory O(n) per thread. Terms are stored per row
 * and summed in row order afterwards: the bits do not depend on the
 * thread count. */
#include "knn_extra.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "threads.h"

#define EXTRA_PAR_WORK 2e6   /* distance evaluations that pay for a team */
#define EXTRA_MAX_GROUPS 20
#define JACOBI_SWEEPS 60

/* ------------------------------------------------------------ numerics */

/* Digamma for x > 0 (recurrence to x >= 10, then the asymptotic series). */
static double psi(double x) {
  double r = 0;
  while (x < 10) r -= 1 / x, x += 1;
  double f = 1 / (x * x);
  double s = f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132)))));
  return r + log(x) - 0.5 / x - s;
}

/* The k-th smallest (k >= 1) of v[0 .. n), reordering v (Hoare
 * quickselect with the middle element as pivot: deterministic). */
static double kth_smallest(double *v, long n, long k) {
  long lo = 0, hi = n - 1, want = k - 1;
  while (lo < hi) {
    double pivot = v[lo + (hi - lo) / 2];
    long i = lo, j = hi;
    while (i <= j) {
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i <= j) {
        double t = v[i];
        v[i] = v[j], v[j] = t;
        i++, j--;
      }
    }
    if (want <= j) hi = j;
    else if (want >= i) lo = i;
    else return v[want];
  }
  return v[want];
}

/* Threads for an estimate of about `work` distance evaluations. */
static int team(const IxpKnnOptions *opt, double work) {
  int nt = opt && opt->threads > 0 ? opt->threads : ixp_threads_for(work, EXTRA_PAR_WORK);
  return nt < 1 ? 1 : nt;
}

static int k_of(const IxpKnnOptions *opt) { return opt && opt->k ? opt->k : 4; }

/* Mean of terms[0 .. n), summed in order. */
static double mean_of(const double *t, long n) {
  double s = 0;
  for (long i = 0; i < n; i++) s += t[i];
  return s / (double)n;
}

/* terms[i] = term(ctx, i, scratch) for i in [0, n), on nt threads, each
 * with `scratch` bytes of its own; false when memory runs out. Every term
 * is stored and summed later in row order, so the result is the same at
 * any thread count. */
typedef double (*RowTerm)(const void *ctx, long i, void *scratch);

static bool each_row(RowTerm term, const void *ctx, long n, size_t scratch, int nt, double *terms) {
  int fail = 0;
#pragma omp parallel num_threads(nt)
  {
    void *mem = malloc(scratch);
    if (!mem) {
#pragma omp atomic write
      fail = 1;
    }
#pragma omp for schedule(dynamic, 64)
    for (long i = 0; i < n; i++)
      if (mem) terms[i] = term(ctx, i, mem);
    free(mem);
  }
  return !fail;
}

/* Max-norm distance over columns [c0, c1) of rows a and b (D columns). */
static inline double maxdist(const double *rows, int D, long a, long b, int c0, int c1) {
  const double *u = rows + (size_t)a * (size_t)D, *w = rows + (size_t)b * (size_t)D;
  double m = 0;
  for (int c = c0; c < c1; c++) {
    double t = fabs(u[c] - w[c]);
    if (t > m) m = t;
  }
  return m;
}

/* Squared Euclidean distance between row u of one block and row w of
 * another, both d columns. */
static inline double sqdist(const double *u, const double *w, int d) {
  double s = 0;
  for (int c = 0; c < d; c++) s += (u[c] - w[c]) * (u[c] - w[c]);
  return s;
}

/* ---------------------------------------------------------- LNC (2015) */

/* Eigenvectors of the symmetric D x D matrix a (destroyed) into the
 * columns of v, by cyclic Jacobi rotations. */
static void jacobi_eigenvectors(double *a, int D, double *v) {
  for (int r = 0; r < D; r++)
    for (int c = 0; c < D; c++) v[r * D + c] = r == c;
  for (int sweep = 0; sweep < JACOBI_SWEEPS; sweep++) {
    double off = 0, diag = 0;
    for (int r = 0; r < D; r++)
      for (int c = 0; c < D; c++) *(r == c ? &diag : &off) += a[r * D + c] * a[r * D + c];
    if (off <= 1e-30 * (diag > 0 ? diag : 1)) return;
    for (int p = 0; p < D; p++)
      for (int q = p + 1; q < D; q++) {
        double apq = a[p * D + q];
        if (apq == 0) continue;
        double theta = (a[q * D + q] - a[p * D + p]) / (2 * apq);
        double t = (theta >= 0 ? 1 : -1) / (fabs(theta) + sqrt(theta * theta + 1));
        double c = 1 / sqrt(t * t + 1), s = t * c;
        for (int k = 0; k < D; k++) { /* a <- a J (columns p, q) */
          double akp = a[k * D + p], akq = a[k * D + q];
          a[k * D + p] = c * akp - s * akq, a[k * D + q] = s * akp + c * akq;
        }
        for (int k = 0; k < D; k++) { /* a <- J^T a (rows p, q) */
          double apk = a[p * D + k], aqk = a[q * D + k];
          a[p * D + k] = c * apk - s * aqk, a[q * D + k] = s * apk + c * aqk;
        }
        for (int k = 0; k < D; k++) {
          double vkp = v[k * D + p], vkq = v[k * D + q];
          v[k * D + p] = c * vkp - s * vkq, v[k * D + q] = s * vkp + c * vkq;
        }
      }
  }
}

typedef struct {
  double d;
  long j;
} Nb;

static int by_distance(const void *a, const void *b) {
  const Nb *p = a, *q = b;
  if (p->d != q->d) return p->d < q->d ? -1 : 1;
  return (p->j > q->j) - (p->j < q->j);
}

/* The k nearest rows of row i (max-norm over all D columns, ties by
 * index) into nb[0 .. k); all (n entries) and dd (n doubles) scratch:
 * the k-th distance is selected, then the few rows within it sorted. */
static void nearest(const double *rows, int D, long n, long i, int k, Nb *all, double *dd, Nb *nb) {
  long m = 0;
  for (long j = 0; j < n; j++)
    if (j != i) all[m] = (Nb){maxdist(rows, D, i, j, 0, D), j}, dd[m] = all[m].d, m++;
  double r = kth_smallest(dd, m, k);
  long w = 0;
  for (long j = 0; j < m; j++)
    if (all[j].d <= r) all[w++] = all[j];
  qsort(all, (size_t)w, sizeof *all, by_distance);
  memcpy(nb, all, (size_t)k * sizeof *nb);
}

/* Row i's LNC term: log V - log V' when V' < alpha V, else 0. */
static double lnc_term(const double *rows, int D, long i, const Nb *nb, int k, double log_alpha, double *cov,
                       double *vec, double *diff) {
  const double *xi = rows + (size_t)i * (size_t)D;
  for (int j = 0; j < k; j++)
    for (int c = 0; c < D; c++) diff[j * D + c] = rows[(size_t)nb[j].j * (size_t)D + (size_t)c] - xi[c];
  double log_v = 0;
  for (int c = 0; c < D; c++) {
    double m = 0;
    for (int j = 0; j < k; j++) m = fmax(m, fabs(diff[j * D + c]));
    if (m == 0) return 0;  /* a flat neighbourhood: no volume to compare */
    log_v += log(m);
  }
  for (int r = 0; r < D; r++) /* the neighbours' second moments about row i (the reference code's) */
    for (int c = 0; c < D; c++) {
      double s = 0;
      for (int j = 0; j < k; j++) s += diff[j * D + r] * diff[j * D + c];
      cov[r * D + c] = s / k;
    }
  jacobi_eigenvectors(cov, D, vec);
  double log_vpca = 0;
  for (int e = 0; e < D; e++) {
    double m = 0;
    for (int j = 0; j < k; j++) {
      double proj = 0;
      for (int c = 0; c < D; c++) proj += diff[j * D + c] * vec[c * D + e];
      m = fmax(m, fabs(proj));
    }
    if (m == 0) return 0;
    log_vpca += log(m);
  }
  return log_vpca < log_v + log_alpha ? log_v - log_vpca : 0;
}

/* The authors' alpha table (knn_extra.h), rows d = 2, 3, 5, 10, column
 * k - d - 1 for k = d + 1 .. 20 (d = 2 starts at k = 3). */
static const double lnc_d2[] = {0.182224, 0.284370, 0.372004, 0.442894, 0.503244, 0.554523, 0.594569, 0.630903, 0.660295,
                                0.689290, 0.711052, 0.735075, 0.751908, 0.767809, 0.782448, 0.795362, 0.806728, 0.817252};
static const double lnc_d3[] = {0.077830, 0.167277, 0.250141, 0.320280, 0.384474, 0.441996, 0.489972, 0.532178, 0.568561,
                                0.603990, 0.636593, 0.660156, 0.683954, 0.706157, 0.724844, 0.743606, 0.757283};
static const double lnc_d5[] = {0.023953, 0.067077, 0.123341, 0.180215, 0.239442, 0.297637, 0.351355, 0.404194,
                                0.451739, 0.498458, 0.538889, 0.578158, 0.614937, 0.651598, 0.679500};
static const double lnc_d10[] = {0.003734, 0.014748, 0.034749, 0.063109, 0.100471, 0.147694, 0.200196, 0.261374,
                                 0.325363, 0.398082};

double ixp_lnc_alpha(int k, int d) {
  const double *row = d == 2 ? lnc_d2 : d == 3 ? lnc_d3 : d == 5 ? lnc_d5 : d == 10 ? lnc_d10 : NULL;
  if (!row || k <= d || k > 20) return 0.25;
  return row[k - d - 1];
}

typedef struct {
  const double *rows;
  int D;
  long n;
  int k;
  double log_alpha;
} LncRows;

/* Row i's LNC term, its scratch carved into the neighbour search's and
 * the PCA's buffers. */
static double lnc_row(const void *ctx, long i, void *scratch) {
  const LncRows *c = ctx;
  Nb *all = scratch, *nb = all + c->n;
  double *dd = (double *)(nb + c->k), *cov = dd + c->n, *vec = cov + c->D * c->D, *diff = vec + c->D * c->D;
  nearest(c->rows, c->D, c->n, i, c->k, all, dd, nb);
  return lnc_term(c->rows, c->D, i, nb, c->k, c->log_alpha, cov, vec, diff);
}

IxpKnnStatus ixp_knn_lnc_correction(const double *x, int dx, const double *y, int dy, long n, const IxpKnnOptions *opt,
                                    double alpha, double *out, double *local) {
  int k = k_of(opt);
  if (!(alpha > 0 && alpha <= 1) || n <= k) return IXP_KNN_EINPUT;
  const double *g[2] = {x, y};
  int gd[2] = {dx, dy}, D = dx + dy;
  double *rows, *terms = malloc((size_t)n * sizeof *terms);
  IxpKnnStatus st = ixp_knn_prepare(g, gd, 2, n, opt, &rows, NULL);
  if (st != IXP_KNN_OK || !terms) {
    free(rows), free(terms);
    return st != IXP_KNN_OK ? st : IXP_KNN_ENOMEM;
  }
  LncRows c = {rows, D, n, k, log(alpha)};
  size_t scratch = (size_t)n * (sizeof(Nb) + sizeof(double)) + (size_t)k * sizeof(Nb) +
                   (2 * (size_t)D * (size_t)D + (size_t)k * (size_t)D) * sizeof(double);
  bool ok = each_row(lnc_row, &c, n, scratch, team(opt, (double)n * (double)n * D), terms);
  if (ok) {
    *out = mean_of(terms, n);
    if (local) memcpy(local, terms, (size_t)n * sizeof *local);
  }
  free(rows), free(terms);
  return ok ? IXP_KNN_OK : IXP_KNN_ENOMEM;
}

/* ------------------------------------------------------ mixed KSG (2017) */

typedef struct {
  int c0[3], c1[3];  /* columns of x, y, z in the rows */
  int D, k;
  bool z;
  const double *rows;
  long n;
} MixedShape;

/* Row i's term of the mixed estimator (knn_extra.h), dist scratch of n:
 * every count includes row i itself. */
static double mixed_term(const double *rows, const MixedShape *sh, long n, long i, double *dist) {
  long m = 0;
  for (long j = 0; j < n; j++)
    if (j != i) dist[m++] = maxdist(rows, sh->D, i, j, 0, sh->D);
  double rho = kth_smallest(dist, m, sh->k);
  long ktilde = sh->k, nxz = 1, nyz = 1, nz = 1;
  bool atom = rho == 0;  /* an atom: k or more rows equal row i */
  if (atom) {
    ktilde = 1;
    for (long j = 0; j < m; j++) ktilde += dist[j] == 0;
  }
  for (long j = 0; j < n; j++) {
    if (j == i) continue;
    double dzv = sh->z ? maxdist(rows, sh->D, i, j, sh->c0[2], sh->c1[2]) : 0;
    if (atom ? dzv > 0 : dzv >= rho) continue;
    nz++;
    double dxv = maxdist(rows, sh->D, i, j, sh->c0[0], sh->c1[0]), dyv = maxdist(rows, sh->D, i, j, sh->c0[1], sh->c1[1]);
    nxz += atom ? dxv == 0 : dxv < rho;
    nyz += atom ? dyv == 0 : dyv < rho;
  }
  if (!sh->z) nz = n;
  return psi((double)ktilde) - psi((double)nxz) - psi((double)nyz) + psi((double)nz);
}

static double mixed_row(const void *ctx, long i, void *scratch) {
  const MixedShape *sh = ctx;
  return mixed_term(sh->rows, sh, sh->n, i, scratch);
}

IxpKnnStatus ixp_mixed_cmi(const double *x, int dx, const double *y, int dy, const double *z, int dz, long n,
                           const IxpKnnOptions *opt, double *out, double *local) {
  MixedShape sh = {.D = dx + dy + (z ? dz : 0), .k = k_of(opt), .z = z && dz > 0};
  if (n <= sh.k || (z && dz < 1)) return IXP_KNN_EINPUT;
  const double *g[3] = {x, y, z};
  int gd[3] = {dx, dy, dz};
  for (int a = 0, at = 0; a < (sh.z ? 3 : 2); a++) sh.c0[a] = at, sh.c1[a] = at += gd[a];
  double *rows, *terms = malloc((size_t)n * sizeof *terms);
  IxpKnnStatus st = ixp_knn_prepare(g, gd, sh.z ? 3 : 2, n, opt, &rows, NULL);
  if (st != IXP_KNN_OK || !terms) {
    free(rows), free(terms);
    return st != IXP_KNN_OK ? st : IXP_KNN_ENOMEM;
  }
  sh.rows = rows, sh.n = n;
  bool ok = each_row(mixed_row, &sh, n, (size_t)n * sizeof(double), team(opt, 2.0 * (double)n * (double)n * sh.D), terms);
  if (ok) {
    *out = mean_of(terms, n);
    if (local) memcpy(local, terms, (size_t)n * sizeof *local);
  }
  free(rows), free(terms);
  return ok ? IXP_KNN_OK : IXP_KNN_ENOMEM;
}

/* ---------------------------------------------- total correlation (KSG) */

/* Row i's sum_a psi(n_a + 1) (algorithm 1: counts strictly within the
 * joint k-th neighbour distance in each group's max-norm). */
static double tc_term(const double *rows, int D, const int *off, int m, long n, long i, int k, double *dist) {
  long c = 0;
  for (long j = 0; j < n; j++)
    if (j != i) dist[c++] = maxdist(rows, D, i, j, 0, D);
  double eps = kth_smallest(dist, c, k), s = 0;
  for (int a = 0; a < m; a++) {
    long cnt = 0;
    for (long j = 0; j < n; j++)
      if (j != i) cnt += maxdist(rows, D, i, j, off[a], off[a + 1]) < eps;
    s += psi((double)cnt + 1);
  }
  return s;
}

typedef struct {
  const double *rows;
  int D;
  const int *off;
  int m;
  long n;
  int k;
} TcRows;

static double tc_row(const void *ctx, long i, void *scratch) {
  const TcRows *c = ctx;
  return tc_term(c->rows, c->D, c->off, c->m, c->n, i, c->k, scratch);
}

IxpKnnStatus ixp_ksg_tc(const double *const *g, const int *gdim, int m, long n, const IxpKnnOptions *opt, double *out) {
  int k = k_of(opt), off[EXTRA_MAX_GROUPS + 1] = {0};
  if (m < 2 || m > EXTRA_MAX_GROUPS || n <= k) return IXP_KNN_EINPUT;
  for (int a = 0; a < m; a++) {
    if (!g[a] || gdim[a] < 1) return IXP_KNN_EINPUT;
    off[a + 1] = off[a] + gdim[a];
  }
  int D = off[m];
  double *cat = malloc((size_t)n * (size_t)D * sizeof *cat), *rows = NULL, *terms = malloc((size_t)n * sizeof *terms);
  if (!cat || !terms) {
    free(cat), free(terms);
    return IXP_KNN_ENOMEM;
  }
  for (long i = 0; i < n; i++) /* one block of D columns, preprocessed column by column */
    for (int a = 0; a < m; a++)
      memcpy(cat + (size_t)i * (size_t)D + off[a], g[a] + (size_t)i * (size_t)gdim[a], (size_t)gdim[a] * sizeof *cat);
  const double *one[1] = {cat};
  IxpKnnStatus st = ixp_knn_prepare(one, &D, 1, n, opt, &rows, NULL);
  free(cat);
  if (st != IXP_KNN_OK) {
    free(terms);
    return st;
  }
  TcRows c = {rows, D, off, m, n, k};
  bool ok = each_row(tc_row, &c, n, (size_t)n * sizeof(double), team(opt, (double)n * (double)n * 2 * D), terms);
  if (ok) *out = psi(k) + (m - 1) * psi((double)n) - mean_of(terms, n);
  free(rows), free(terms);
  return ok ? IXP_KNN_OK : IXP_KNN_ENOMEM;
}

/* ------------------------------------------------- Rényi / Tsallis (2008) */

/* log of the volume of the unit Euclidean ball in d dimensions. */
static double log_unit_ball(int d) { return 0.5 * d * log(M_PI) - lgamma(0.5 * d + 1); }

/* Row i's Euclidean distance to its k-th nearest row among rows [0, n)
 * of block b (skip: the row of b that is i itself, or -1). */
static double kth_euclid(const double *u, const double *b, long n, int d, long skip, int k, double *dist) {
  long m = 0;
  for (long j = 0; j < n; j++)
    if (j != skip) dist[m++] = sqdist(u, b + (size_t)j * (size_t)d, d);
  return sqrt(kth_smallest(dist, m, k));
}

/* log rho_k(i) of every row of x among its other rows (Euclidean); false
 * when memory runs out. */
typedef struct {
  const double *x;
  long n;
  int d, k;
} Within;

static double log_kth_row(const void *ctx, long i, void *scratch) {
  const Within *w = ctx;
  return log(kth_euclid(w->x + (size_t)i * (size_t)w->d, w->x, w->n, w->d, i, w->k, scratch));
}

static bool log_kth_within(const double *x, long n, int d, int k, int nt, double *logr) {
  Within w = {x, n, d, k};
  return each_row(log_kth_row, &w, n, (size_t)n * sizeof(double), nt, logr);
}

IxpKnnStatus ixp_knn_renyi(const double *x, long n, int d, const IxpKnnOptions *opt, double q, bool tsallis, double *out) {
  int k = k_of(opt);
  if (n <= k || d < 1 || !(q > 0) || q == 1 || !(q < k + 1)) return IXP_KNN_EINPUT;
  for (long i = 0; i < n * d; i++)
    if (!isfinite(x[i])) return IXP_KNN_EINPUT;
  double *logr = malloc((size_t)n * sizeof *logr);
  if (!logr) return IXP_KNN_ENOMEM;
  if (!log_kth_within(x, n, d, k, team(opt, (double)n * (double)n * d), logr)) {
    free(logr);
    return IXP_KNN_ENOMEM;
  }
  /* log zeta_i^(1 - q), zeta_i = (n - 1) C_k V_d rho_i^d, C_k^(1 - q) =
   * Gamma(k) / Gamma(k + 1 - q); the mean by log-sum-exp */
  double base = (1 - q) * (log((double)(n - 1)) + log_unit_ball(d)) + lgamma(k) - lgamma(k + 1 - q), top = -INFINITY;
  for (long i = 0; i < n; i++) {
    if (!isfinite(logr[i])) {
      free(logr);
      return IXP_KNN_ETIES;
    }
    logr[i] = base + (1 - q) * d * logr[i];
    top = fmax(top, logr[i]);
  }
  double s = 0;
  for (long i = 0; i < n; i++) s += exp(logr[i] - top);
  double log_iq = top + log(s / (double)n);  /* log of the estimate of the integral of f^q */
  free(logr);
  *out = tsallis ? (1 - exp(log_iq)) / (q - 1) : log_iq / (1 - q);
  return IXP_KNN_OK;
}

/* ---------------------------------------------------- divergences (2009) */

/* Both samples scaled by p's column standard deviations (constant
 * columns kept as they are), into fresh blocks. */
static bool scale_pair(const double *p, long np, const double *q, long nq, int d, bool rescale, double **ps, double **qs) {
  *ps = malloc((size_t)np * (size_t)d * sizeof **ps), *qs = malloc((size_t)nq * (size_t)d * sizeof **qs);
  if (!*ps || !*qs) return false;
  for (int c = 0; c < d; c++) {
    double mean = 0, var = 0;
    for (long i = 0; i < np; i++) mean += p[i * d + c];
    mean /= (double)np;
    for (long i = 0; i < np; i++) var += (p[i * d + c] - mean) * (p[i * d + c] - mean);
    double sd = np > 1 ? sqrt(var / (double)(np - 1)) : 0, f = rescale && sd > 0 ? 1 / sd : 1;
    for (long i = 0; i < np; i++) (*ps)[i * d + c] = p[i * d + c] * f;
    for (long i = 0; i < nq; i++) (*qs)[i * d + c] = q[i * d + c] * f;
  }
  return true;
}

static bool finite_block(const double *x, long n, int d) {
  for (long i = 0; i < n * d; i++)
    if (!isfinite(x[i])) return false;
  return true;
}

/* mean over p's rows of d log(nu_k / rho_k) + log(m / (np - 1)), nu among
 * the rows of `other` (m of them; when pooled, other holds p's rows at
 * [0, np) and each row skips itself there). */
typedef struct {
  const double *p, *other;
  long np, m;
  bool pooled;
  int d, k;
} Divergence;

/* d log(nu / rho) of row i (-inf or nan on a tie at distance 0). */
static double divergence_row(const void *ctx, long i, void *scratch) {
  const Divergence *v = ctx;
  const double *u = v->p + (size_t)i * (size_t)v->d;
  double rho = kth_euclid(u, v->p, v->np, v->d, i, v->k, scratch);
  double nu = kth_euclid(u, v->other, v->m, v->d, v->pooled ? i : -1, v->k, scratch);
  return rho == 0 || nu == 0 ? NAN : v->d * (log(nu) - log(rho));
}

static IxpKnnStatus divergence_mean(const double *p, long np, const double *other, long m, bool pooled, int d, int k,
                                    int nt, double *out) {
  double *terms = malloc((size_t)np * sizeof *terms);
  Divergence v = {p, other, np, m, pooled, d, k};
  if (!terms || !each_row(divergence_row, &v, np, (size_t)(np > m ? np : m) * sizeof(double), nt, terms)) {
    free(terms);
    return IXP_KNN_ENOMEM;
  }
  bool ties = false;
  for (long i = 0; i < np; i++) ties |= isnan(terms[i]);
  long mm = pooled ? m - 1 : m;
  if (!ties) *out = mean_of(terms, np) + log((double)mm / (double)(np - 1));
  free(terms);
  return ties ? IXP_KNN_ETIES : IXP_KNN_OK;
}

IxpKnnStatus ixp_knn_kl(const double *p, long np, const double *q, long nq, int d, const IxpKnnOptions *opt, double *out) {
  int k = k_of(opt);
  if (d < 1 || np <= k || nq < k || !finite_block(p, np, d) || !finite_block(q, nq, d)) return IXP_KNN_EINPUT;
  double *ps = NULL, *qs = NULL;
  IxpKnnStatus st = IXP_KNN_ENOMEM;
  if (scale_pair(p, np, q, nq, d, !(opt && opt->no_rescale), &ps, &qs))
    st = divergence_mean(ps, np, qs, nq, false, d, k, team(opt, (double)np * (double)(np + nq) * d), out);
  free(ps), free(qs);
  return st;
}

IxpKnnStatus ixp_knn_js(const double *p, long np, const double *q, long nq, int d, const IxpKnnOptions *opt, double *out) {
  int k = k_of(opt);
  if (d < 1 || np <= k || nq <= k || !finite_block(p, np, d) || !finite_block(q, nq, d)) return IXP_KNN_EINPUT;
  double *ps = NULL, *qs = NULL, *pool = malloc((size_t)(np + nq) * (size_t)d * sizeof *pool), dp = 0, dq = 0;
  IxpKnnStatus st = IXP_KNN_ENOMEM;
  if (pool && scale_pair(p, np, q, nq, d, !(opt && opt->no_rescale), &ps, &qs)) {
    int nt = team(opt, (double)(np + nq) * (double)(np + nq) * 2 * d);
    memcpy(pool, ps, (size_t)np * (size_t)d * sizeof *pool);
    memcpy(pool + (size_t)np * (size_t)d, qs, (size_t)nq * (size_t)d * sizeof *pool);
    st = divergence_mean(ps, np, pool, np + nq, true, d, k, nt, &dp);
    if (st == IXP_KNN_OK) { /* Q's rows first in the pool, so that each skips itself */
      memcpy(pool, qs, (size_t)nq * (size_t)d * sizeof *pool);
      memcpy(pool + (size_t)nq * (size_t)d, ps, (size_t)np * (size_t)d * sizeof *pool);
      st = divergence_mean(qs, nq, pool, np + nq, true, d, k, nt, &dq);
    }
  }
  double pi = (double)np / (double)(np + nq);
  if (st == IXP_KNN_OK) *out = pi * dp + (1 - pi) * dq;
  free(ps), free(qs), free(pool);
  return st;
}
