/* mixture.c — Gaussian mixtures by EM on BLIS, and their mutual
 * information by Monte Carlo (see mixture.h).
 *
 * Work on n rows is done in chunks of CHUNK rows, so the scratch space of
 * a fit is O(CHUNK K d + n (K + d)). Sums over rows run serially in
 * row order (compensated where they feed a log-likelihood); the level-3
 * calls (GEMMs in both steps) are the same at every thread count
 * (dense.h). */
#include "mixture.h"

#include "blis/dense.h"
#include "ksum.h"
#include "rng.h"
#include "threads.h"
#include <limits.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

enum { CHUNK = 512, LLOYD_STEPS = 10 };

const char *ixp_mix_status_text(IxpMixStatus s) {
  switch (s) {
  case IXP_MIX_OK: return "ok";
  case IXP_MIX_ENOMEM: return "out of memory";
  case IXP_MIX_EINPUT: return "invalid input";
  case IXP_MIX_ENOTPD: return "a component's covariance is not positive definite";
  }
  return "unknown status";
}

void ixp_mix_defaults(IxpMixOptions *o) {
  *o = (IxpMixOptions){.kmax = 8, .restarts = 3, .max_iter = 200, .tol = 1e-4, .floor = 1e-6, .heldout = false, .key = 0};
}

/* --- storage ---------------------------------------------------------------- */

static double *dalloc(long n) { return malloc(sizeof(double) * (size_t)(n > 0 ? n : 1)); }

void ixp_mix_free(IxpMixture *m) {
  if (!m) return;
  free(m->w), free(m->mu), free(m->cov), free(m->chol), free(m->lognorm), free(m->whiten), free(m->shift);
  memset(m, 0, sizeof *m);
}

static IxpMixStatus mix_alloc(IxpMixture *m, int k, int d) {
  memset(m, 0, sizeof *m);
  m->k = k, m->d = d;
  long dd = (long)d * d;
  m->w = dalloc(k), m->mu = dalloc((long)k * d), m->cov = dalloc(k * dd), m->chol = dalloc(k * dd);
  m->lognorm = dalloc(k), m->whiten = dalloc(k * dd), m->shift = dalloc((long)k * d);
  if (!m->w || !m->mu || !m->cov || !m->chol || !m->lognorm || !m->whiten || !m->shift) {
    ixp_mix_free(m);
    return IXP_MIX_ENOMEM;
  }
  return IXP_MIX_OK;
}

/* Each component's Cholesky factor, log normaliser, and whitening block
 * (L_k^{-T} and mu_k^T L_k^{-T}) from its covariance and weight. li: d x d
 * scratch. */
static IxpMixStatus factor(IxpMixture *m) {
  int d = m->d, K = m->k;
  long dd = (long)d * d, kd = (long)K * d;
  double *li = dalloc(dd);
  if (!li) return IXP_MIX_ENOMEM;
  IxpMixStatus st = IXP_MIX_OK;
  for (int k = 0; k < K && !st; k++) {
    double *l = m->chol + k * dd;
    memcpy(l, m->cov + k * dd, sizeof(double) * (size_t)dd);
    if (ixp_dense_chol(l, d, d, NULL) != IXP_DENSE_OK) {
      st = IXP_MIX_ENOTPD;
      break;
    }
    m->lognorm[k] = log(m->w[k]) - 0.5 * d * log(2 * M_PI) - ixp_dense_tri_logdiag(l, d, 0, d);
    ixp_dense_tri_inverse(l, d, d, li, d);
    for (int j = 0; j < d; j++)
      for (int c = 0; c < d; c++) m->whiten[j * kd + (long)k * d + c] = li[c * d + j];
    for (int c = 0; c < d; c++) {
      double s = 0;
      for (int j = 0; j <= c; j++) s += m->mu[(long)k * d + j] * li[c * d + j];
      m->shift[(long)k * d + c] = s;
    }
  }
  free(li);
  return st;
}

/* --- densities ---------------------------------------------------------------- */

/* lp[i * K + k] = log w_k + log N(row i; mu_k, S_k) for rows 0..rows of x:
 * y = x W - shift (one GEMM, rows x K d) whitens row i by every component,
 * and |y_k|^2 is its Mahalanobis distance to component k. y: scratch of
 * rows x K d. */
static void component_logp(const IxpMixture *m, const double *x, long rows, double *lp, double *y) {
  int d = m->d, K = m->k;
  long kd = (long)K * d;
  ixp_dense_gemm(false, false, rows, kd, d, 1.0, x, d, m->whiten, kd, 0.0, y, kd);
  for (long i = 0; i < rows; i++) {
    const double *yi = y + i * kd;
    for (int k = 0; k < K; k++) {
      double q = 0;
      for (int c = 0; c < d; c++) {
        double v = yi[(long)k * d + c] - m->shift[(long)k * d + c];
        q += v * v;
      }
      lp[i * K + k] = m->lognorm[k] - 0.5 * q;
    }
  }
}

/* Row i's log density by log-sum-exp of lp[i * K ..]; with
 * `responsibilities`, lp's row becomes the responsibilities. */
static double log_sum_exp(double *lp, int K, bool responsibilities) {
  double top = lp[0];
  for (int k = 1; k < K; k++) top = fmax(top, lp[k]);
  if (!isfinite(top)) return top;
  double s = 0;
  if (!responsibilities) {
    for (int k = 0; k < K; k++) s += exp(lp[k] - top);
    return top + log(s);
  }
  for (int k = 0; k < K; k++) s += (lp[k] = exp(lp[k] - top));
  for (int k = 0; k < K; k++) lp[k] /= s;
  return top + log(s);
}

IxpMixStatus ixp_mix_logpdf(const IxpMixture *m, const double *x, long n, double *out) {
  if (!m || m->k < 1 || n < 0 || (n > 0 && (!x || !out))) return IXP_MIX_EINPUT;
  int d = m->d, K = m->k;
  double *y = dalloc((long)CHUNK * d * K), *lp = dalloc((long)CHUNK * K);
  if (!y || !lp) {
    free(y), free(lp);
    return IXP_MIX_ENOMEM;
  }
  for (long r0 = 0; r0 < n; r0 += CHUNK) {
    long rows = n - r0 < CHUNK ? n - r0 : CHUNK;
    component_logp(m, x + r0 * d, rows, lp, y);
    for (long i = 0; i < rows; i++) out[r0 + i] = log_sum_exp(lp + i * K, K, false);
  }
  free(y), free(lp);
  return IXP_MIX_OK;
}

/* --- EM ------------------------------------------------------------------------ */

/* What one fit of the data keeps between steps. */
typedef struct {
  const double *x; /* the rows, centred (xc) */
  double *xc;      /* n x d: the rows less their mean, so that whitening by
                      GEMM loses no digits to a large common offset */
  double *offset;  /* d: the rows' mean, added back to the fitted means */
  long n;
  int d;
  double *r;      /* n x K responsibilities */
  double *y;      /* CHUNK x kmax d scratch */
  double *mean;   /* d: the centred data's mean (zero but for rounding) */
  double *cov;    /* d x d: the data's covariance (for empty components) */
  double floor;   /* added to every covariance's diagonal */
} Work;

/* E step: responsibilities into w->r; returns the log-likelihood. */
static double e_step(const IxpMixture *m, Work *w) {
  int K = m->k, d = m->d;
  IxpKSum ll = {0, 0};
  for (long r0 = 0; r0 < w->n; r0 += CHUNK) {
    long rows = w->n - r0 < CHUNK ? w->n - r0 : CHUNK;
    double *lp = w->r + r0 * K;
    component_logp(m, w->x + r0 * d, rows, lp, w->y);
    for (long i = 0; i < rows; i++) ixp_ksum_add(&ll, log_sum_exp(lp + i * K, K, true));
  }
  return ixp_ksum_value(ll);
}

/* The components' second moments about the origin, side by side: m2
 * (d x K d) = X^T [r_1 . X | ... | r_K . X], one GEMM a chunk (the rows
 * are centred, so the moments about the origin lose few digits when the
 * means are taken off). */
static void second_moments(const IxpMixture *m, Work *w, double *m2) {
  int d = m->d, K = m->k;
  long kd = (long)K * d;
  for (long r0 = 0; r0 < w->n; r0 += CHUNK) {
    long rows = w->n - r0 < CHUNK ? w->n - r0 : CHUNK;
    for (long i = 0; i < rows; i++) {
      const double *xi = w->x + (r0 + i) * d, *ri = w->r + (r0 + i) * K;
      double *zi = w->y + i * kd;
      for (int k = 0; k < K; k++)
        for (int j = 0; j < d; j++) zi[(long)k * d + j] = ri[k] * xi[j];
    }
    ixp_dense_gemm(true, false, d, kd, rows, 1.0, w->x + r0 * d, d, w->y, kd, r0 ? 1.0 : 0.0, m2, kd);
  }
}

/* M step from the responsibilities: weights, means (one GEMM R^T X),
 * covariances sum_i r_ik x_i x_i^T / N_k - mu_k mu_k^T plus the floor on
 * the diagonal. A component that has lost its rows (N_k below 1e-9 n)
 * takes the data's mean and covariance, so it stays finite and may catch
 * rows again. */
static IxpMixStatus m_step(IxpMixture *m, Work *w) {
  int K = m->k, d = m->d;
  long n = w->n, kd = (long)K * d;
  double *m2 = dalloc((long)d * kd);
  if (!m2) return IXP_MIX_ENOMEM;
  for (int k = 0; k < K; k++) m->w[k] = 0;
  for (long i = 0; i < n; i++)
    for (int k = 0; k < K; k++) m->w[k] += w->r[i * K + k];
  ixp_dense_gemm(true, false, K, d, n, 1.0, w->r, K, w->x, d, 0.0, m->mu, d);
  second_moments(m, w, m2);
  for (int k = 0; k < K; k++) {
    double nk = m->w[k], *mu = m->mu + (long)k * d, *c = m->cov + (long)k * d * d;
    m->w[k] = nk / (double)n;
    if (nk < 1e-9 * (double)n) {
      memcpy(mu, w->mean, sizeof(double) * (size_t)d);
      memcpy(c, w->cov, sizeof(double) * (size_t)(d * d));
      m->w[k] = fmax(m->w[k], 1e-300);
      continue;
    }
    for (int j = 0; j < d; j++) mu[j] /= nk;
    for (int a = 0; a < d; a++)
      for (int b = 0; b <= a; b++)
        c[a * d + b] = c[b * d + a] = m2[a * kd + (long)k * d + b] / nk - mu[a] * mu[b] + (a == b ? w->floor : 0);
  }
  free(m2);
  return factor(m);
}

/* --- starts ---------------------------------------------------------------- */

static double sq_dist(const double *a, const double *b, int d) {
  double s = 0;
  for (int j = 0; j < d; j++) s += (a[j] - b[j]) * (a[j] - b[j]);
  return s;
}

static long pick_row(double u, long n) {
  long i = (long)(u * (double)n);
  return i < n ? i : n - 1;
}

/* k-means++: the first centre a uniform row, each next one a row drawn
 * with probability proportional to its squared distance to the nearest
 * centre so far (uniform when every row sits on a centre). dist: n. */
static void kmeans_pp(const double *x, long n, int d, int K, uint64_t key, double *centres, double *dist) {
  memcpy(centres, x + pick_row(ixp_rng_uniform(key, 0), n) * d, sizeof(double) * (size_t)d);
  for (long i = 0; i < n; i++) dist[i] = sq_dist(x + i * d, centres, d);
  for (int c = 1; c < K; c++) {
    double total = ixp_ksum_array(dist, n), u = ixp_rng_uniform(key, (uint64_t)c);
    long pick = n - 1;
    if (total > 0) {
      double target = u * total, cum = 0;
      for (long i = 0; i < n; i++)
        if ((cum += dist[i]) > target) {
          pick = i;
          break;
        }
    } else {
      pick = pick_row(u, n);
    }
    double *cc = centres + (long)c * d;
    memcpy(cc, x + pick * d, sizeof(double) * (size_t)d);
    for (long i = 0; i < n; i++) dist[i] = fmin(dist[i], sq_dist(x + i * d, cc, d));
  }
}

/* Lloyd steps from the centres; assign[i] ends as row i's nearest centre
 * (the lowest index on ties). An empty cluster keeps its centre. */
static void lloyd(const double *x, long n, int d, int K, double *centres, int *assign, double *sums) {
  for (int step = 0; step < LLOYD_STEPS; step++) {
    bool moved = false;
    for (long i = 0; i < n; i++) {
      int best = 0;
      double bd = sq_dist(x + i * d, centres, d);
      for (int c = 1; c < K; c++) {
        double dc = sq_dist(x + i * d, centres + (long)c * d, d);
        if (dc < bd) bd = dc, best = c;
      }
      if (step == 0 || assign[i] != best) moved = true;
      assign[i] = best;
    }
    if (!moved) break;
    memset(sums, 0, sizeof(double) * (size_t)(K * (d + 1)));
    for (long i = 0; i < n; i++) {
      double *s = sums + (long)assign[i] * (d + 1);
      for (int j = 0; j < d; j++) s[j] += x[i * d + j];
      s[d] += 1;
    }
    for (int c = 0; c < K; c++) {
      const double *s = sums + (long)c * (d + 1);
      if (s[d] > 0)
        for (int j = 0; j < d; j++) centres[(long)c * d + j] = s[j] / s[d];
    }
  }
}

typedef struct {
  double r2;
  long i;
} Radius;

static int by_radius(const void *pa, const void *pb) {
  const Radius *a = pa, *b = pb;
  if (a->r2 != b->r2) return a->r2 < b->r2 ? -1 : 1;
  return (a->i > b->i) - (a->i < b->i);
}

/* A start of concentric shells: the rows ranked by their Mahalanobis
 * distance from the mean (under the data's covariance), cut into K equal
 * groups. Clusters by location (k-means) miss the structure of elliptical
 * heavy-tailed laws (Student-t: a scale mixture of Gaussians about one
 * centre); this start finds it. */
static IxpMixStatus shells(Work *w, int K) {
  long n = w->n;
  int d = w->d;
  double *l = dalloc((long)d * d), *v = dalloc(d);
  Radius *rad = malloc(sizeof(Radius) * (size_t)n);
  IxpMixStatus st = l && v && rad ? IXP_MIX_OK : IXP_MIX_ENOMEM;
  if (!st) {
    memcpy(l, w->cov, sizeof(double) * (size_t)(d * d));
    if (ixp_dense_chol(l, d, d, NULL) != IXP_DENSE_OK) st = IXP_MIX_ENOTPD;
  }
  for (long i = 0; !st && i < n; i++) {
    for (int j = 0; j < d; j++) v[j] = w->x[i * d + j] - w->mean[j];
    ixp_dense_tri_solve(l, d, d, v);
    double q = 0;
    for (int j = 0; j < d; j++) q += v[j] * v[j];
    rad[i] = (Radius){q, i};
  }
  if (!st) {
    qsort(rad, (size_t)n, sizeof *rad, by_radius);
    for (long t = 0; t < n; t++) w->r[rad[t].i * K + (int)(t * K / n)] = 1;
  }
  free(l), free(v), free(rad);
  return st;
}

/* The hard responsibilities of a start: concentric shells, or k-means++
 * refined by Lloyd. */
static IxpMixStatus start(Work *w, int K, uint64_t key, bool by_shells) {
  long n = w->n;
  int d = w->d;
  memset(w->r, 0, sizeof(double) * (size_t)(n * K));
  if (K == 1) {
    for (long i = 0; i < n; i++) w->r[i] = 1;
    return IXP_MIX_OK;
  }
  if (by_shells) return shells(w, K);
  double *centres = dalloc((long)K * d), *dist = dalloc(n), *sums = dalloc((long)K * (d + 1));
  int *assign = malloc(sizeof(int) * (size_t)n);
  if (!centres || !dist || !sums || !assign) {
    free(centres), free(dist), free(sums), free(assign);
    return IXP_MIX_ENOMEM;
  }
  kmeans_pp(w->x, n, d, K, key, centres, dist);
  lloyd(w->x, n, d, K, centres, assign, sums);
  for (long i = 0; i < n; i++) w->r[i * K + assign[i]] = 1;
  free(centres), free(dist), free(sums), free(assign);
  return IXP_MIX_OK;
}

/* EM from one start until the mean log-likelihood gains less than tol. */
/* EM steps from m's parameters (after an E step of them) until the mean
 * log-likelihood gains less than tol, or max_iter steps in all. */
static IxpMixStatus iterate(Work *w, double tol, int max_iter, IxpMixture *m) {
  IxpMixStatus st;
  double prev = -INFINITY;
  for (int it = m->iterations;; it++) {
    double ll = e_step(m, w);
    m->loglik = ll, m->iterations = it;
    if (!isfinite(ll)) return IXP_MIX_ENOTPD;
    if (fabs(ll - prev) < tol * (double)w->n || it >= max_iter) break;
    prev = ll;
    if ((st = m_step(m, w))) return st;
  }
  return IXP_MIX_OK;
}

static IxpMixStatus em(Work *w, int K, uint64_t key, bool by_shells, const IxpMixOptions *o, IxpMixture *m) {
  IxpMixStatus st = start(w, K, key, by_shells);
  if (!st) st = m_step(m, w);
  m->iterations = 0;
  return st ? st : iterate(w, o->tol, o->max_iter, m);
}

/* The rows centred, their covariance, and the floor it sets. */
static IxpMixStatus data_moments(Work *w, const double *x, const IxpMixOptions *o) {
  long n = w->n;
  int d = w->d;
  for (int j = 0; j < d; j++) {
    IxpKSum s = {0, 0};
    for (long i = 0; i < n; i++) ixp_ksum_add(&s, x[i * d + j]);
    w->offset[j] = ixp_ksum_value(s) / (double)n;
  }
  for (long i = 0; i < n; i++)
    for (int j = 0; j < d; j++) w->xc[i * d + j] = x[i * d + j] - w->offset[j];
  for (int j = 0; j < d; j++) {
    IxpKSum s = {0, 0};
    for (long i = 0; i < n; i++) ixp_ksum_add(&s, w->xc[i * d + j]);
    w->mean[j] = ixp_ksum_value(s) / (double)n;
  }
  ixp_dense_syrk_lower(true, d, n, 1.0 / (double)n, w->xc, d, 0.0, w->cov, d);
  double tr = 0;
  for (int j = 0; j < d; j++) tr += w->cov[j * d + j];
  w->floor = o->floor * (tr > 0 ? tr / d : 1.0);
  if (!(w->floor > 0)) w->floor = 1e-300;
  for (int i = 0; i < d; i++) {
    w->cov[i * d + i] += w->floor;
    for (int j = 0; j < i; j++) w->cov[j * d + i] = w->cov[i * d + j];
  }
  return IXP_MIX_OK;
}

static void work_free(Work *w) { free(w->r), free(w->y), free(w->mean), free(w->cov), free(w->xc), free(w->offset); }

static IxpMixStatus work_init(Work *w, const double *x, long n, int d, int kmax, const IxpMixOptions *o) {
  *w = (Work){.n = n, .d = d};
  w->r = dalloc(n * kmax), w->y = dalloc((long)CHUNK * d * kmax), w->mean = dalloc(d), w->cov = dalloc((long)d * d);
  w->xc = dalloc(n * d), w->offset = dalloc(d);
  w->x = w->xc;
  if (!w->r || !w->y || !w->mean || !w->cov || !w->xc || !w->offset) return IXP_MIX_ENOMEM;
  return data_moments(w, x, o);
}

static bool valid(const double *x, long n, int d, int k, const IxpMixOptions *o) {
  return x && d >= 1 && k >= 1 && n > k && n <= LONG_MAX / ((long)d * k + 1) && o && o->restarts >= 1 && o->max_iter >= 0 &&
         o->tol >= 0 && o->floor >= 0;
}

/* Restart r of K components into trials[r], on thread-own scratch. */
static IxpMixStatus restart(Work *w, int K, int r, const IxpMixOptions *o, IxpMixture *trial) {
  IxpMixStatus st = mix_alloc(trial, K, w->d);
  /* the last start is the shells (when there are several), the others k-means++ */
  bool by_shells = r > 0 && r == o->restarts - 1;
  if (!st) st = em(w, K, ixp_rng_key(o->key, (uint64_t)K, (uint64_t)r), by_shells, o, trial);
  return st;
}

/* The best of o->restarts fits of K components (K = 1 needs one): the
 * highest log-likelihood, the first restart on ties. Restarts run side by
 * side when the work pays for threads; each is computed alone, so the
 * result is the same at any thread count. */
static IxpMixStatus fit_with(Work *w, int K, const IxpMixOptions *o, IxpMixture *m) {
  int restarts = K == 1 ? 1 : o->restarts;
  double em_work = 50.0 * (double)w->n * K * w->d * (w->d + 2); /* about 50 iterations */
  int threads = restarts > 1 ? ixp_threads_for(em_work * restarts, 1e7) : 1;
  if (threads > restarts) threads = restarts;
  IxpMixture *trials = calloc((size_t)restarts, sizeof *trials);
  IxpMixStatus *sts = calloc((size_t)restarts, sizeof *sts);
  Work *ws = calloc((size_t)threads, sizeof *ws);
  IxpMixStatus st = trials && sts && ws ? IXP_MIX_OK : IXP_MIX_ENOMEM;
  for (int t = 0; !st && t < threads; t++) {
    ws[t] = *w;
    if (t == 0) continue;
    ws[t].r = dalloc(w->n * K), ws[t].y = dalloc((long)CHUNK * K * w->d);
    if (!ws[t].r || !ws[t].y) st = IXP_MIX_ENOMEM;
  }
  if (!st) {
#pragma omp parallel for num_threads(threads) schedule(static, 1)
    for (int r = 0; r < restarts; r++) sts[r] = restart(&ws[omp_get_thread_num()], K, r, o, &trials[r]);
  }
  int best = -1;
  for (int r = 0; !st && r < restarts; r++) {
    if (sts[r] == IXP_MIX_ENOMEM) st = IXP_MIX_ENOMEM;
    else if (!sts[r] && (best < 0 || trials[r].loglik > trials[best].loglik)) best = r;
  }
  if (!st && best < 0) st = IXP_MIX_ENOTPD;
  if (!st) {
    *m = trials[best];
    memset(&trials[best], 0, sizeof trials[best]);
    /* Back to the rows' own coordinates. */
    for (int k = 0; k < K; k++)
      for (int j = 0; j < w->d; j++) m->mu[(long)k * w->d + j] += w->offset[j];
    if ((st = factor(m))) ixp_mix_free(m);
  }
  for (int r = 0; trials && r < restarts; r++) ixp_mix_free(&trials[r]);
  for (int t = 1; ws && t < threads; t++) free(ws[t].r), free(ws[t].y);
  free(trials), free(sts), free(ws);
  return st;
}

IxpMixStatus ixp_mix_fit(const double *x, long n, int d, int k, const IxpMixOptions *o, IxpMixture *m) {
  if (!m || !valid(x, n, d, k, o)) return IXP_MIX_EINPUT;
  memset(m, 0, sizeof *m);
  Work w;
  IxpMixStatus st = work_init(&w, x, n, d, k, o);
  if (!st) st = fit_with(&w, k, o, m);
  work_free(&w);
  return st;
}

/* --- choosing K ---------------------------------------------------------------- */

long ixp_mix_parameters(int k, int d) { return (long)(k - 1) + (long)k * d + (long)k * d * (d + 1) / 2; }

double ixp_mix_bic(const IxpMixture *m, long n) {
  return -2 * m->loglik + (double)ixp_mix_parameters(m->k, m->d) * log((double)n);
}

/* The rows of a random fifth (held out) and the rest, gathered. */
static IxpMixStatus split_rows(const double *x, long n, int d, uint64_t key, double **train, double **test, long *ntest) {
  long *perm = malloc(sizeof(long) * (size_t)n);
  *ntest = n / 5;
  *train = dalloc((n - *ntest) * d), *test = dalloc(*ntest * d);
  if (!perm || !*train || !*test) {
    free(perm), free(*train), free(*test);
    return IXP_MIX_ENOMEM;
  }
  ixp_rng_permutation(key, perm, n);
  for (long i = 0; i < n; i++) {
    double *to = i < *ntest ? *test + i * d : *train + (i - *ntest) * d;
    memcpy(to, x + perm[i] * d, sizeof(double) * (size_t)d);
  }
  free(perm);
  return IXP_MIX_OK;
}

/* -2 x the log-likelihood of the held-out rows, scaled to n rows. */
static IxpMixStatus heldout_score(const IxpMixture *m, const double *test, long ntest, long n, double *score) {
  double *lp = dalloc(ntest);
  if (!lp) return IXP_MIX_ENOMEM;
  IxpMixStatus st = ixp_mix_logpdf(m, test, ntest, lp);
  *score = -2 * ixp_ksum_array(lp, ntest) * (double)n / (double)ntest;
  free(lp);
  return st;
}

/* EM on from fit m (in the rows' coordinates) until o->tol. */
static IxpMixStatus refine(Work *w, const IxpMixOptions *o, IxpMixture *m) {
  int d = w->d;
  for (int k = 0; k < m->k; k++)
    for (int j = 0; j < d; j++) m->mu[(long)k * d + j] -= w->offset[j];
  IxpMixStatus st = factor(m);
  if (!st) st = iterate(w, o->tol, o->max_iter, m);
  for (int k = 0; k < m->k; k++)
    for (int j = 0; j < d; j++) m->mu[(long)k * d + j] += w->offset[j];
  return st ? st : factor(m);
}

IxpMixStatus ixp_mix_select(const double *x, long n, int d, const IxpMixOptions *o, IxpMixture *m, double *score) {
  if (!m || !o || o->kmax < 1 || !valid(x, n, d, 1, o) || (o->heldout && n < 10)) return IXP_MIX_EINPUT;
  memset(m, 0, sizeof *m);
  for (int k = 0; score && k < o->kmax; k++) score[k] = NAN;
  double *train = NULL, *test = NULL;
  long ntest = 0, nfit = n;
  IxpMixStatus st = IXP_MIX_OK;
  if (o->heldout && (st = split_rows(x, n, d, ixp_rng_key(o->key, 0x4e1d, 0), &train, &test, &ntest))) return st;
  if (o->heldout) nfit = n - ntest;
  /* K is chosen among fits converged to 10 tol (the criteria differ by
   * tens of nats a component, the coarse fits by well under one); the
   * chosen fit is then refined to tol. */
  IxpMixOptions coarse = *o;
  coarse.tol = 10 * o->tol;
  Work w;
  if (!(st = work_init(&w, o->heldout ? train : x, nfit, d, o->kmax, o))) {
    double best = INFINITY;
    int worse = 0;
    for (int k = 1; k <= o->kmax && k < nfit && worse < 2; k++) {
      IxpMixture fit;
      double s = 0;
      if ((st = fit_with(&w, k, &coarse, &fit))) break;
      if (o->heldout) st = heldout_score(&fit, test, ntest, n, &s);
      else s = ixp_mix_bic(&fit, n);
      if (score) score[k - 1] = s;
      if (!st && s < best) {
        best = s, worse = 0;
        ixp_mix_free(m);
        *m = fit;
      } else {
        worse++;
        ixp_mix_free(&fit);
      }
      if (st) break;
    }
    if (!st && !o->heldout) st = refine(&w, o, m);
  }
  work_free(&w);
  if (!st && o->heldout) {
    int k = m->k;
    ixp_mix_free(m);
    st = ixp_mix_fit(x, n, d, k, o, m);
  }
  free(train), free(test);
  if (st) ixp_mix_free(m);
  return st;
}

/* --- marginals, samples, MI ------------------------------------------------------ */

IxpMixStatus ixp_mix_marginal(const IxpMixture *m, const int *cols, int nc, IxpMixture *out) {
  if (!m || !out || nc < 1 || !cols) return IXP_MIX_EINPUT;
  for (int a = 0; a < nc; a++)
    if (cols[a] < 0 || cols[a] >= m->d) return IXP_MIX_EINPUT;
  IxpMixStatus st = mix_alloc(out, m->k, nc);
  if (st) return st;
  long dd = (long)m->d * m->d, nn = (long)nc * nc;
  for (int k = 0; k < m->k; k++) {
    out->w[k] = m->w[k];
    for (int a = 0; a < nc; a++) {
      out->mu[(long)k * nc + a] = m->mu[(long)k * m->d + cols[a]];
      for (int b = 0; b < nc; b++) out->cov[k * nn + a * nc + b] = m->cov[k * dd + cols[a] * m->d + cols[b]];
    }
  }
  if ((st = factor(out))) ixp_mix_free(out);
  return st;
}

IxpMixStatus ixp_mix_sample(const IxpMixture *m, uint64_t key, long n, double *out) {
  if (!m || m->k < 1 || n < 0 || (n > 0 && !out)) return IXP_MIX_EINPUT;
  uint64_t kc = ixp_rng_key(key, 1, 0), kz = ixp_rng_key(key, 2, 0);
  int d = m->d;
  long dd = (long)d * d;
  double *z = dalloc(d);
  if (!z) return IXP_MIX_ENOMEM;
  for (long i = 0; i < n; i++) {
    double u = ixp_rng_uniform(kc, (uint64_t)i), cum = 0;
    int c = m->k - 1;
    for (int k = 0; k < m->k; k++)
      if ((cum += m->w[k]) > u) {
        c = k;
        break;
      }
    const double *l = m->chol + c * dd, *mu = m->mu + (long)c * d;
    double *row = out + i * d;
    for (int j = 0; j < d; j++) z[j] = ixp_rng_normal(kz, (uint64_t)(i * d + j));
    for (int r = 0; r < d; r++) {
      double s = mu[r];
      for (int j = 0; j <= r; j++) s += l[r * d + j] * z[j];
      row[r] = s;
    }
  }
  free(z);
  return IXP_MIX_OK;
}

IxpMixStatus ixp_mix_make(int k, int d, const double *w, const double *mu, const double *cov, IxpMixture *m) {
  if (!m || k < 1 || d < 1 || !w || !mu || !cov) return IXP_MIX_EINPUT;
  IxpMixStatus st = mix_alloc(m, k, d);
  if (st) return st;
  memcpy(m->w, w, sizeof(double) * (size_t)k);
  memcpy(m->mu, mu, sizeof(double) * (size_t)k * (size_t)d);
  memcpy(m->cov, cov, sizeof(double) * (size_t)k * (size_t)d * (size_t)d);
  m->loglik = NAN;
  if ((st = factor(m))) ixp_mix_free(m);
  return st;
}

/* out[i] += sign * log density of row i's columns cols[0..nc) under m's
 * marginal on them. */
static IxpMixStatus add_marginal(const IxpMixture *m, const int *cols, int nc, const double *x, long n, double sign,
                                 double *out) {
  IxpMixture g;
  IxpMixStatus st = ixp_mix_marginal(m, cols, nc, &g);
  if (st) return st;
  double *sub = dalloc((long)CHUNK * nc), *lp = dalloc(CHUNK);
  if (!sub || !lp) st = IXP_MIX_ENOMEM;
  for (long r0 = 0; !st && r0 < n; r0 += CHUNK) {
    long rows = n - r0 < CHUNK ? n - r0 : CHUNK;
    for (long i = 0; i < rows; i++)
      for (int a = 0; a < nc; a++) sub[i * nc + a] = x[(r0 + i) * m->d + cols[a]];
    st = ixp_mix_logpdf(&g, sub, rows, lp);
    for (long i = 0; !st && i < rows; i++) out[r0 + i] += sign * lp[i];
  }
  free(sub), free(lp);
  ixp_mix_free(&g);
  return st;
}

IxpMixStatus ixp_mix_pointwise_mi(const IxpMixture *m, int dx, int dy, int dz, const double *x, long n,
                                  double *out) {
  if (!m || dx < 1 || dy < 1 || dz < 0 || dx + dy + dz != m->d || n < 0 || (n > 0 && (!x || !out)))
    return IXP_MIX_EINPUT;
  int d = m->d, *xz = malloc(sizeof(int) * (size_t)d), *yz = malloc(sizeof(int) * (size_t)d);
  int *all = malloc(sizeof(int) * (size_t)d);
  if (!xz || !yz || !all) {
    free(xz), free(yz), free(all);
    return IXP_MIX_ENOMEM;
  }
  for (int j = 0; j < d; j++) all[j] = j;
  /* X then Z, Y then Z; Z alone is the tail of either. */
  for (int j = 0; j < dx; j++) xz[j] = j;
  for (int j = 0; j < dy; j++) yz[j] = dx + j;
  for (int j = 0; j < dz; j++) xz[dx + j] = yz[dy + j] = dx + dy + j;
  for (long i = 0; i < n; i++) out[i] = 0;
  IxpMixStatus st = add_marginal(m, all, d, x, n, 1, out);
  if (!st) st = add_marginal(m, xz, dx + dz, x, n, -1, out);
  if (!st) st = add_marginal(m, yz, dy + dz, x, n, -1, out);
  if (!st && dz > 0) st = add_marginal(m, xz + dx, dz, x, n, 1, out);
  free(xz), free(yz), free(all);
  return st;
}

IxpMixStatus ixp_mix_mi(const IxpMixture *m, int dx, int dy, int dz, long samples, uint64_t key, double *mi,
                        double *mc_se) {
  if (!m || samples < 2 || !mi || !mc_se || dx + dy + dz != m->d) return IXP_MIX_EINPUT;
  double *x = dalloc(samples * m->d), *p = dalloc(samples);
  IxpMixStatus st = x && p ? IXP_MIX_OK : IXP_MIX_ENOMEM;
  if (!st) {
    st = ixp_mix_sample(m, key, samples, x);
    if (!st) st = ixp_mix_pointwise_mi(m, dx, dy, dz, x, samples, p);
  }
  if (!st) {
    double mean = ixp_ksum_array(p, samples) / (double)samples;
    IxpKSum ss = {0, 0};
    for (long i = 0; i < samples; i++) ixp_ksum_add(&ss, (p[i] - mean) * (p[i] - mean));
    *mi = mean;
    *mc_se = sqrt(ixp_ksum_value(ss) / (double)(samples - 1) / (double)samples);
  }
  free(x), free(p);
  return st;
}
