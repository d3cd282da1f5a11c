/* surrogates.c — surrogate rows for significance tests on time series,
 * and the Gaussian and KSG tests built on them (see surrogates.h). */
#include "surrogates.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ksum.h"
#include "progress.h"
#include "rng.h"
#include "threads.h"

#define DERANGE_TRIES 10000
#define GAUSS_PAR_WORK 2e5 /* products below which a test runs on one thread */

static const char *const method_names[] = {"permute", "shift", "circular", "block", "trials"};

bool ixp_surrogate_method_by_name(const char *name, IxpSurrogateMethod *out) {
  for (int i = 0; i < (int)(sizeof method_names / sizeof *method_names); i++)
    if (!strcmp(name, method_names[i])) {
      *out = (IxpSurrogateMethod)i;
      return true;
    }
  return false;
}

const char *ixp_surrogate_method_name(IxpSurrogateMethod m) { return method_names[m]; }

/* Trial t's first row and its length. */
static long trial_first(const IxpSurrogatePlan *p, int t) { return p->trial_start ? p->trial_start[t] : 0; }
static long trial_len(const IxpSurrogatePlan *p, int t) {
  return p->trial_start ? p->trial_start[t + 1] - p->trial_start[t] : p->n;
}
static int trial_count(const IxpSurrogatePlan *p) { return p->trial_start ? p->ntrials : 1; }

/* Rows per block in a trial of L rows. */
static long block_len(const IxpSurrogatePlan *p, long L) { return p->block > 0 ? p->block : (L + 9) / 10; }

/* The smallest offset `shift` draws in a trial of L rows. */
static long shift_least(long L) { return L / 10 > 1 ? L / 10 : 1; }

static bool check_shape(const IxpSurrogatePlan *p, char *msg, size_t size);

bool ixp_surrogate_check(const IxpSurrogatePlan *p, char *msg, size_t size) {
  if (!check_shape(p, msg, size)) return false;
  double distinct = ixp_surrogate_distinct(p);
  if (p->count > 0 && (double)p->count > distinct) {
    snprintf(msg, size, "method = %s draws at most %.0f distinct surrogates here, fewer than the %d asked for (the "
             "smallest honest p-value is 1/%.0f): ask for at most %.0f%s", method_names[p->method], distinct, p->count,
             distinct + 1, distinct, p->method == IXP_SURR_TRIALS ? ", or use more trials or another method" : "");
    return false;
  }
  return true;
}


static bool check_shape(const IxpSurrogatePlan *p, char *msg, size_t size) {
  int nt = trial_count(p);
  if (p->method == IXP_SURR_PERMUTE) return true;
  if (p->method == IXP_SURR_TRIALS) {
    if (nt < 2) {
      snprintf(msg, size, "method = trials needs at least two trials (this dataset is %s)",
               nt == 1 ? "one series" : "empty");
      return false;
    }
    for (int t = 1; t < nt; t++)
      if (trial_len(p, t) != trial_len(p, 0)) {
        snprintf(msg, size, "method = trials needs trials of equal length (trial 1 has %ld rows, trial %d has %ld)",
                 trial_len(p, 0), t + 1, trial_len(p, t));
        return false;
      }
    return true;
  }
  for (int t = 0; t < nt; t++) {
    long L = trial_len(p, t);
    if (p->method == IXP_SURR_BLOCK && (L + block_len(p, L) - 1) / block_len(p, L) < 2) {
      snprintf(msg, size, "method = block: trial %d has %ld row%s, fewer than two blocks of %ld", t + 1, L,
               L == 1 ? "" : "s", block_len(p, L));
      return false;
    }
    if (p->method != IXP_SURR_BLOCK && L < 2) {
      snprintf(msg, size, "method = %s: trial %d has %ld row%s, too few to shift", method_names[p->method], t + 1, L,
               L == 1 ? "" : "s");
      return false;
    }
  }
  return true;
}

/* k! as a double (inf beyond range). */
static double factorial(long k) {
  double f = 1;
  for (long i = 2; i <= k && isfinite(f); i++) f *= (double)i;
  return f;
}

double ixp_surrogate_distinct(const IxpSurrogatePlan *p) {
  int nt = trial_count(p);
  double d = 1;
  switch (p->method) {
  case IXP_SURR_PERMUTE: return factorial(p->n);
  case IXP_SURR_TRIALS: {  /* derangements: !k = k !(k-1) + (-1)^k */
    double der = 1;  /* !0 */
    for (int k = 1; k <= nt; k++) der = k * der + (k % 2 ? -1 : 1);
    return der;
  }
  case IXP_SURR_SHIFT:
  case IXP_SURR_CIRCULAR:
    for (int t = 0; t < nt; t++) {
      long L = trial_len(p, t), lo = p->method == IXP_SURR_SHIFT ? shift_least(L) : 1;
      d *= (double)(L - 2 * lo + 1 > 1 ? L - 2 * lo + 1 : 1);
    }
    return d;
  case IXP_SURR_BLOCK:
    for (int t = 0; t < nt; t++) {
      long L = trial_len(p, t), b = block_len(p, L);
      d *= factorial((L + b - 1) / b);
    }
    return d;
  }
  return d;
}

/* Trial rows first .. first + L - 1 rotated by `offset`. */
static void rotate(long *rows, long first, long L, long offset) {
  for (long i = 0; i < L; i++) rows[first + i] = first + (i + offset) % L;
}

/* A random offset of a trial of L rows from uniform u: shift draws from
 * [m, L - m] (m = max(1, floor(L/10))), circular from [1, L - 1]. */
static long offset_of(IxpSurrogateMethod method, long L, double u) {
  long lo = method == IXP_SURR_SHIFT ? shift_least(L) : 1, hi = L - lo;
  if (hi < lo) hi = lo;
  long k = lo + (long)(u * (double)(hi - lo + 1));
  return k > hi ? hi : k;
}

/* The blocks of a trial in the order of a random permutation. */
static bool shuffle_blocks(const IxpSurrogatePlan *p, uint64_t key, long first, long L, long *rows) {
  long b = block_len(p, L), nb = (L + b - 1) / b;
  long *order = malloc((size_t)nb * sizeof *order);
  if (!order) return false;
  ixp_rng_permutation(key, order, nb);
  long at = first;
  for (long k = 0; k < nb; k++) {
    long from = first + order[k] * b, len = order[k] == nb - 1 ? L - order[k] * b : b;
    for (long i = 0; i < len; i++) rows[at++] = from + i;
  }
  free(order);
  return true;
}

/* A derangement of nt trials (no trial maps to itself), by rejection:
 * attempt a draws a uniform permutation from (key, a); about e attempts. */
static bool derangement(uint64_t key, long *sigma, int nt) {
  for (uint64_t a = 0; a < DERANGE_TRIES; a++) {
    ixp_rng_permutation(ixp_rng_key(key, a, 2), sigma, nt);
    bool fixed = false;
    for (int t = 0; t < nt && !fixed; t++) fixed = sigma[t] == t;
    if (!fixed) return true;
  }
  for (int t = 0; t < nt; t++) sigma[t] = (t + 1) % nt;  /* never reached in practice: a cycle */
  return true;
}

bool ixp_surrogate_rows(const IxpSurrogatePlan *p, uint64_t key, long r, long *rows) {
  uint64_t k = ixp_rng_key(key, (uint64_t)r, 0);
  int nt = trial_count(p);
  switch (p->method) {
  case IXP_SURR_PERMUTE: ixp_rng_permutation(k, rows, p->n); return true;
  case IXP_SURR_SHIFT:
  case IXP_SURR_CIRCULAR:
    for (int t = 0; t < nt; t++) {
      long L = trial_len(p, t);
      rotate(rows, trial_first(p, t), L, offset_of(p->method, L, ixp_rng_uniform(k, (uint64_t)t)));
    }
    return true;
  case IXP_SURR_BLOCK:
    for (int t = 0; t < nt; t++)
      if (!shuffle_blocks(p, ixp_rng_key(k, (uint64_t)t, 1), trial_first(p, t), trial_len(p, t), rows)) return false;
    return true;
  case IXP_SURR_TRIALS: {
    long *sigma = malloc((size_t)nt * sizeof *sigma), L = trial_len(p, 0);
    if (!sigma) return false;
    derangement(k, sigma, nt);
    for (int t = 0; t < nt; t++)
      for (long i = 0; i < L; i++) rows[trial_first(p, t) + i] = trial_first(p, (int)sigma[t]) + i;
    free(sigma);
    return true;
  }
  }
  return false;
}

void ixp_surrogate_summary(double value, const double *null, int n, IxpSurrogateTest *out) {
  long ge = 0;
  for (int s = 0; s < n; s++) ge += null[s] >= value;
  double mean = n ? ixp_ksum_array(null, n) / n : 0;
  IxpKSum v = {0, 0};
  for (int s = 0; s < n; s++) ixp_ksum_add(&v, (null[s] - mean) * (null[s] - mean));
  out->value = value;
  out->null_mean = mean;
  out->null_std = n > 1 ? sqrt(ixp_ksum_value(v) / (n - 1)) : 0;
  out->p = (double)(1 + ge) / (double)(1 + n);
  out->surrogates = n;
}

bool ixp_small_logdet(const double *a, int d, int lda, double *out) {
  double stack[64 * 64], *l = d <= 64 ? stack : malloc((size_t)d * (size_t)d * sizeof *l);
  if (!l) return false;
  bool ok = true;
  double sum = 0;
  for (int i = 0; i < d && ok; i++)
    for (int j = 0; j <= i && ok; j++) {
      double s = a[(size_t)i * (size_t)lda + (size_t)j];
      for (int k = 0; k < j; k++) s -= l[i * d + k] * l[j * d + k];
      if (i == j) {
        ok = s > 0 && isfinite(s);
        l[i * d + i] = ok ? sqrt(s) : 0;
        sum += ok ? log(s) : 0;
      } else {
        l[i * d + j] = s / l[j * d + j];
      }
    }
  if (l != stack) free(l);
  *out = sum;
  return ok;
}

/* ---------------------------------------------------------- Gaussian */

/* The centred columns of a row-major n x d block, column-major. */
static double *centred(const double *x, int d, long n) {
  double *c = malloc((size_t)n * (size_t)(d ? d : 1) * sizeof *c);
  if (!c) return NULL;
  for (int j = 0; j < d; j++) {
    IxpKSum m = {0, 0};
    for (long i = 0; i < n; i++) ixp_ksum_add(&m, x[(size_t)i * (size_t)d + (size_t)j]);
    double mean = ixp_ksum_value(m) / (double)n;
    for (long i = 0; i < n; i++) c[(size_t)j * (size_t)n + (size_t)i] = x[(size_t)i * (size_t)d + (size_t)j] - mean;
  }
  return c;
}

static double dot(const double *a, const double *b, long n) {
  double s = 0;
  for (long i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

/* What every surrogate shares: the centred columns of [X Y Z] and the
 * covariance of all of them (Y's cross terms replaced per surrogate). */
typedef struct {
  int dx, dy, dz, d;
  long n;
  double *c;     /* column-major n x d: X, then Y, then Z */
  double *cov;   /* d x d, row-major */
  double fixed;  /* log det S_xz - log det S_z */
} Gauss;

/* The d x d covariance of the centred columns: entry (a, b) the dot of
 * columns a and b over n - 1. */
static void gauss_cov(Gauss *g) {
  for (int a = 0; a < g->d; a++)
    for (int b = 0; b <= a; b++)
      g->cov[a * g->d + b] = g->cov[b * g->d + a] =
          dot(g->c + (size_t)a * (size_t)g->n, g->c + (size_t)b * (size_t)g->n, g->n) / (double)(g->n - 1);
}

/* The principal submatrix of cov on the listed indices into out (k x k). */
static void submatrix(const double *cov, int d, const int *idx, int k, double *out) {
  for (int a = 0; a < k; a++)
    for (int b = 0; b < k; b++) out[a * k + b] = cov[idx[a] * d + idx[b]];
}

static bool logdet_of(const double *cov, int d, const int *idx, int k, double *work, double *out) {
  if (k == 0) {
    *out = 0;
    return true;
  }
  submatrix(cov, d, idx, k, work);
  return ixp_small_logdet(work, k, k, out);
}

/* I(X; Y | Z) from a covariance whose X-Z blocks are g's: the log dets
 * of S_yz and S_xyz (S_xz and S_z are in g->fixed). */
static bool gauss_value(const Gauss *g, const double *cov, int *idx, double *work, double *out) {
  int k = 0;
  for (int j = 0; j < g->dy + g->dz; j++) idx[k++] = g->dx + j;
  double yz, xyz;
  if (!logdet_of(cov, g->d, idx, k, work, &yz)) return false;
  for (int j = 0; j < g->d; j++) idx[j] = j;
  if (!logdet_of(cov, g->d, idx, g->d, work, &xyz)) return false;
  *out = 0.5 * (g->fixed + yz - xyz);
  return true;
}

/* The covariance with Y's rows mapped by rows: Y's columns gathered into
 * ybuf, their dots with X and Z recomputed (Y's own block is unchanged by
 * a permutation of its rows). */
static void gauss_mapped_cov(const Gauss *g, const long *rows, double *ybuf, double *cov) {
  memcpy(cov, g->cov, (size_t)g->d * (size_t)g->d * sizeof *cov);
  long n = g->n;
  for (int j = 0; j < g->dy; j++) {
    const double *src = g->c + (size_t)(g->dx + j) * (size_t)n;
    double *yj = ybuf + (size_t)j * (size_t)n;
    for (long i = 0; i < n; i++) yj[i] = src[rows[i]];
    int a = g->dx + j;
    for (int b = 0; b < g->d; b++) {
      if (b >= g->dx && b < g->dx + g->dy) continue;
      cov[a * g->d + b] = cov[b * g->d + a] = dot(yj, g->c + (size_t)b * (size_t)n, n) / (double)(n - 1);
    }
  }
}

static IxpSurrogateStatus gauss_init(Gauss *g, const double *x, int dx, const double *y, int dy, const double *z, int dz,
                                     long n) {
  memset(g, 0, sizeof *g);
  g->dx = dx, g->dy = dy, g->dz = dz, g->d = dx + dy + dz, g->n = n;
  if (n < 2 || dx < 1 || dy < 1) return IXP_SURR_EINPUT;
  double *cx = centred(x, dx, n), *cy = centred(y, dy, n), *cz = dz ? centred(z, dz, n) : NULL;
  g->c = malloc((size_t)n * (size_t)g->d * sizeof *g->c);
  g->cov = malloc((size_t)g->d * (size_t)g->d * sizeof *g->cov);
  double *work = malloc((size_t)g->d * (size_t)g->d * sizeof *work);
  int *idx = malloc((size_t)g->d * sizeof *idx);
  IxpSurrogateStatus st = IXP_SURR_ENOMEM;
  if (cx && cy && (cz || !dz) && g->c && g->cov && work && idx) {
    memcpy(g->c, cx, (size_t)n * (size_t)dx * sizeof *g->c);
    memcpy(g->c + (size_t)n * (size_t)dx, cy, (size_t)n * (size_t)dy * sizeof *g->c);
    if (dz) memcpy(g->c + (size_t)n * (size_t)(dx + dy), cz, (size_t)n * (size_t)dz * sizeof *g->c);
    gauss_cov(g);
    int k = 0;
    for (int j = 0; j < dx; j++) idx[k++] = j;
    for (int j = 0; j < dz; j++) idx[k++] = dx + dy + j;
    double xz = 0, zz = 0;
    bool ok = logdet_of(g->cov, g->d, idx, k, work, &xz) && logdet_of(g->cov, g->d, idx + dx, dz, work, &zz);
    g->fixed = xz - zz;
    st = ok ? IXP_SURR_OK : IXP_SURR_ESINGULAR;
  }
  free(cx), free(cy), free(cz), free(work), free(idx);
  return st;
}

static void gauss_free(Gauss *g) { free(g->c), free(g->cov); }

/* Per-thread buffers of a Gaussian surrogate. */
typedef struct {
  long *rows;
  double *ybuf, *cov, *work;
  int *idx;
} GaussWork;

static bool gauss_work(GaussWork *w, const Gauss *g) {
  size_t d = (size_t)g->d;
  w->rows = malloc((size_t)g->n * sizeof *w->rows);
  w->ybuf = malloc((size_t)g->n * (size_t)g->dy * sizeof *w->ybuf);
  w->cov = malloc(d * d * sizeof *w->cov);
  w->work = malloc(d * d * sizeof *w->work);
  w->idx = malloc(d * sizeof *w->idx);
  return w->rows && w->ybuf && w->cov && w->work && w->idx;
}

static void gauss_work_free(GaussWork *w) { free(w->rows), free(w->ybuf), free(w->cov), free(w->work), free(w->idx); }

/* Status of one Gaussian surrogate, into a shared worst one. */
static void note(IxpSurrogateStatus *worst, IxpSurrogateStatus r) {
  if (r == IXP_SURR_OK) return;
#pragma omp critical(ixp_surrogates)
  if (*worst == IXP_SURR_OK || r == IXP_SURR_ENOMEM) *worst = r;
}

IxpSurrogateStatus ixp_surrogate_gaussian_test(const double *x, int dx, const double *y, int dy, const double *z, int dz,
                                               long n, const IxpSurrogatePlan *plan, int nsurr, uint64_t key,
                                               IxpSurrogateTest *out) {
  if (nsurr < 1) return IXP_SURR_EINPUT;
  Gauss g;
  IxpSurrogateStatus st = gauss_init(&g, x, dx, y, dy, z, dz, n);
  double observed = 0, *null = malloc((size_t)nsurr * sizeof *null);
  if (st == IXP_SURR_OK && !null) st = IXP_SURR_ENOMEM;
  if (st == IXP_SURR_OK) {  /* the observed value, by the same arithmetic as the surrogates' */
    GaussWork w;
    if (!gauss_work(&w, &g)) st = IXP_SURR_ENOMEM;
    else if (!gauss_value(&g, g.cov, w.idx, w.work, &observed)) st = IXP_SURR_ESINGULAR;
    gauss_work_free(&w);
  }
  if (st == IXP_SURR_OK) {
    IxpSurrogateStatus worst = IXP_SURR_OK;
    double work = (double)nsurr * (double)n * (double)(dy * (dx + dz + 1));
    int nt = ixp_threads_for(work, GAUSS_PAR_WORK);
    IxpProgress bar;
    ixp_progress_begin(&bar, "surrogates", (uint64_t)nsurr, NULL);
    int done = 0;
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
      GaussWork w;
      bool have = gauss_work(&w, &g);
#pragma omp for schedule(dynamic, 1)
      for (int s = 0; s < nsurr; s++) {
        if (ixp_progress_stopping()) continue;
        int started;
#pragma omp atomic capture
        started = ++done;
        if (omp_get_thread_num() == 0) ixp_progress_update(&bar, (uint64_t)started);
        IxpSurrogateStatus r = IXP_SURR_ENOMEM;
        if (have && ixp_surrogate_rows(plan, key, s, w.rows)) {
          gauss_mapped_cov(&g, w.rows, w.ybuf, w.cov);
          r = gauss_value(&g, w.cov, w.idx, w.work, &null[s]) ? IXP_SURR_OK : IXP_SURR_ESINGULAR;
        }
        note(&worst, r);
      }
      gauss_work_free(&w);
    }
    ixp_progress_end(&bar);
    st = worst;
  }
  if (st == IXP_SURR_OK) ixp_surrogate_summary(observed, null, nsurr, out);
  free(null);
  gauss_free(&g);
  return st;
}

/* --------------------------------------------------------------- KSG */

typedef struct {
  const IxpSurrogatePlan *plan;
  uint64_t key;
} MapCtx;

static bool plan_map(void *ctx, int s, long *perm, long n) {
  const MapCtx *m = ctx;
  (void)n;
  return ixp_surrogate_rows(m->plan, m->key, s, perm);
}

/* Conditional MI: each surrogate estimated afresh on Y's gathered rows. */
static IxpKnnStatus ksg_cmi_test(const double *x, int dx, const double *y, int dy, const double *z, int dz, long n,
                                 const IxpKnnOptions *opt, const IxpSurrogatePlan *plan, int nsurr, uint64_t key,
                                 IxpSurrogateTest *out) {
  double observed, *null = malloc((size_t)nsurr * sizeof *null);
  double *ys = malloc((size_t)n * (size_t)dy * sizeof *ys);
  long *rows = malloc((size_t)n * sizeof *rows);
  IxpKnnStatus st = null && ys && rows ? ixp_ksg_cmi(x, dx, y, dy, z, dz, n, opt, &observed, NULL) : IXP_KNN_ENOMEM;
  IxpProgress bar;
  ixp_progress_begin(&bar, "surrogates", (uint64_t)nsurr, NULL);
  for (int s = 0; st == IXP_KNN_OK && s < nsurr; s++) {
    if (ixp_progress_stopping()) break;
    ixp_progress_update(&bar, (uint64_t)s);
    if (!ixp_surrogate_rows(plan, key, s, rows)) {
      st = IXP_KNN_ENOMEM;
      break;
    }
    for (long i = 0; i < n; i++) memcpy(ys + (size_t)i * (size_t)dy, y + (size_t)rows[i] * (size_t)dy, (size_t)dy * sizeof *ys);
    st = ixp_ksg_cmi(x, dx, ys, dy, z, dz, n, opt, &null[s], NULL);
  }
  ixp_progress_end(&bar);
  if (st == IXP_KNN_OK && !ixp_progress_stopping()) ixp_surrogate_summary(observed, null, nsurr, out);
  free(null), free(ys), free(rows);
  return st;
}

IxpKnnStatus ixp_surrogate_ksg_test(const double *x, int dx, const double *y, int dy, const double *z, int dz, long n,
                                    const IxpKnnOptions *opt, const IxpSurrogatePlan *plan, int nsurr, uint64_t key,
                                    IxpSurrogateTest *out) {
  if (nsurr < 1) return IXP_KNN_EINPUT;
  if (dz) return ksg_cmi_test(x, dx, y, dy, z, dz, n, opt, plan, nsurr, key, out);
  MapCtx ctx = {plan, key};
  IxpKnnTest t;
  IxpKnnStatus st = ixp_ksg_mi_mapped(x, dx, y, dy, n, opt, nsurr, plan_map, &ctx, &t);
  if (st == IXP_KNN_OK) {
    out->value = t.value, out->p = t.p, out->null_mean = t.null_mean, out->null_std = t.null_std;
    out->surrogates = t.surrogates;
  }
  return st;
}
