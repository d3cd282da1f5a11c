/* network.c — greedy multivariate TE network inference (see network.h).
 *
 * The lag view: column v * W + 0 is x_v[t] and v * W + 1 + k is
 * x_v[t - (min_lag + k)] (W = 1 + number of lags), one row per time t of
 * each trial from max_lag on. Every test is a conditional MI
 * I(target; C | S) on view columns with C's rows mapped by a surrogate.
 * Gaussian: the centred columns and their covariance are computed once; a
 * statistic is four small log-determinants, and a surrogate recomputes
 * only C's cross-covariances with the target and S. KSG: the blocks are
 * gathered and estimated by Frenzel–Pompe (KSG when S is empty). */
#include "network.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ksum.h"
#include "progress.h"
#include "rng.h"
#include "threads.h"

#define NET_PAR_WORK 2e5

typedef struct {
  const IxpNetOptions *o;
  int nvars, W, D;            /* variables, columns per variable, view columns */
  long n;                     /* view rows */
  double *raw;                /* column-major n x D, as read */
  double *c;                  /* centred (gaussian) */
  double *cov;                /* D x D (gaussian) */
  IxpSurrogatePlan plan;      /* over the view's rows */
  long *vstart;               /* the view's trials */
  IxpKnnStatus knn;
} Net;

/* One statistic: I(target; C | S), C's rows mapped. */
typedef struct {
  int *c, nc, *s, ns;
} Item;

typedef struct {
  long *rows;
  double *g;                  /* gathered C columns (n x D) */
  double *m, *sub;            /* (D + 1)^2 */
  int *idx;
  double *bt, *bc, *bs;       /* ksg blocks */
  IxpKnnOptions knn;          /* ksg: one thread inside a parallel loop over surrogates */
} Work;

static int col_of(const Net *N, int v, int lagk) { return v * N->W + lagk; }

/* --------------------------------------------------------------- view */

static bool view_build(Net *N, const double *const *cols, long n, const long *ts, int nt) {
  const IxpNetOptions *o = N->o;
  int ntr = ts ? nt : 1, L = o->max_lag;
  N->vstart = malloc((size_t)(ntr + 1) * sizeof *N->vstart);
  if (!N->vstart) return false;
  long rows = 0;
  for (int t = 0; t < ntr; t++) {
    long len = ts ? ts[t + 1] - ts[t] : n;
    N->vstart[t] = rows;
    rows += len > L ? len - L : 0;
  }
  N->vstart[ntr] = rows;
  N->n = rows;
  N->raw = malloc((size_t)(rows ? rows : 1) * (size_t)N->D * sizeof *N->raw);
  if (!N->raw) return false;
  for (int t = 0; t < ntr; t++) {
    long first = ts ? ts[t] : 0, at = N->vstart[t];
    for (long i = 0; i < N->vstart[t + 1] - N->vstart[t]; i++) {
      long time = first + L + i;
      for (int v = 0; v < N->nvars; v++) {
        N->raw[(size_t)col_of(N, v, 0) * (size_t)rows + (size_t)(at + i)] = cols[v][time];
        for (int k = 0; k + 1 < N->W; k++)
          N->raw[(size_t)col_of(N, v, 1 + k) * (size_t)rows + (size_t)(at + i)] = cols[v][time - (o->min_lag + k)];
      }
    }
  }
  N->plan = (IxpSurrogatePlan){.method = o->method, .n = rows, .trial_start = N->vstart, .ntrials = ntr, .block = o->block,
                             .count = o->surrogates};
  return true;
}

static double dot(const double *a, const double *b, long n) {
  double s = 0;
  for (long i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

static bool gauss_build(Net *N) {
  long n = N->n;
  N->c = malloc((size_t)n * (size_t)N->D * sizeof *N->c);
  N->cov = malloc((size_t)N->D * (size_t)N->D * sizeof *N->cov);
  if (!N->c || !N->cov) return false;
  for (int j = 0; j < N->D; j++) {
    const double *x = N->raw + (size_t)j * (size_t)n;
    double mean = ixp_ksum_array(x, n) / (double)n;
    for (long i = 0; i < n; i++) N->c[(size_t)j * (size_t)n + (size_t)i] = x[i] - mean;
  }
  for (int a = 0; a < N->D; a++)
    for (int b = 0; b <= a; b++)
      N->cov[a * N->D + b] = N->cov[b * N->D + a] =
          dot(N->c + (size_t)a * (size_t)n, N->c + (size_t)b * (size_t)n, n) / (double)(n - 1);
  return true;
}

/* ---------------------------------------------------------- statistics */

/* log det of the principal submatrix of m (k0 x k0) on idx[0 .. k). */
static bool sub_logdet(const double *m, int k0, const int *idx, int k, double *sub, double *out) {
  if (k == 0) {
    *out = 0;
    return true;
  }
  for (int a = 0; a < k; a++)
    for (int b = 0; b < k; b++) sub[a * k + b] = m[idx[a] * k0 + idx[b]];
  return ixp_small_logdet(sub, k, k, out);
}

/* Gaussian I(t; C | S): the covariance of [t C S] (C's cross terms under
 * rows), then 1/2 [ld(t S) + ld(C S) - ld(t C S) - ld(S)]. */
static bool gauss_cmi(const Net *N, int t, const Item *it, const long *rows, Work *w, double *out) {
  int k = 1 + it->nc + it->ns, *v = w->idx;
  long n = N->n;
  v[0] = t;
  memcpy(v + 1, it->c, (size_t)it->nc * sizeof *v);
  memcpy(v + 1 + it->nc, it->s, (size_t)it->ns * sizeof *v);
  for (int a = 0; a < k; a++)
    for (int b = 0; b < k; b++) w->m[a * k + b] = N->cov[v[a] * N->D + v[b]];
  for (int a = 0; rows && a < it->nc; a++) {
    const double *src = N->c + (size_t)it->c[a] * (size_t)n;
    double *g = w->g + (size_t)a * (size_t)n;
    for (long i = 0; i < n; i++) g[i] = src[rows[i]];
    for (int b = 0; b < k; b++) {
      if (b >= 1 && b < 1 + it->nc) continue;  /* C with C: one map for all, unchanged */
      w->m[(1 + a) * k + b] = w->m[b * k + 1 + a] = dot(g, N->c + (size_t)v[b] * (size_t)n, n) / (double)(n - 1);
    }
  }
  int *sel = v + k;  /* room: idx holds 2 (D + 1) */
  double ts, cs, all, ss;
  int q = 0;
  sel[q++] = 0;
  for (int b = 0; b < it->ns; b++) sel[q++] = 1 + it->nc + b;
  bool ok = sub_logdet(w->m, k, sel, q, w->sub, &ts) && sub_logdet(w->m, k, sel + 1, q - 1, w->sub, &ss);
  q = 0;
  for (int b = 1; b < k; b++) sel[q++] = b;
  ok = ok && sub_logdet(w->m, k, sel, q, w->sub, &cs);
  for (int b = 0; b < k; b++) sel[b] = b;
  ok = ok && sub_logdet(w->m, k, sel, k, w->sub, &all);
  *out = ok ? 0.5 * (ts + cs - all - ss) : 0;
  return ok;
}

/* Row-major blocks of view columns, rows mapped (NULL: as they are). */
static void gather(const Net *N, const int *cols, int d, const long *rows, double *out) {
  for (long i = 0; i < N->n; i++)
    for (int j = 0; j < d; j++)
      out[(size_t)i * (size_t)d + (size_t)j] = N->raw[(size_t)cols[j] * (size_t)N->n + (size_t)(rows ? rows[i] : i)];
}

static bool ksg_cmi(Net *N, int t, const Item *it, const long *rows, Work *w, double *out) {
  gather(N, &t, 1, NULL, w->bt);
  gather(N, it->c, it->nc, rows, w->bc);
  gather(N, it->s, it->ns, NULL, w->bs);
  IxpKnnStatus st = it->ns ? ixp_ksg_cmi(w->bt, 1, w->bc, it->nc, w->bs, it->ns, N->n, &w->knn, out, NULL)
                           : ixp_ksg_mi(w->bt, 1, w->bc, it->nc, N->n, &w->knn, out, NULL);
  if (st != IXP_KNN_OK) {
#pragma omp critical(ixp_network)
    N->knn = st;
  }
  return st == IXP_KNN_OK;
}

static bool cmi(Net *N, int t, const Item *it, const long *rows, Work *w, double *out) {
  return N->o->estimator == IXP_NET_GAUSSIAN ? gauss_cmi(N, t, it, rows, w, out) : ksg_cmi(N, t, it, rows, w, out);
}

static bool work_alloc(Work *w, const Net *N) {
  size_t n = (size_t)N->n, D = (size_t)N->D + 1;
  memset(w, 0, sizeof *w);
  w->knn = N->o->knn;
  w->rows = malloc(n * sizeof *w->rows);
  w->idx = malloc(2 * D * sizeof *w->idx);
  w->m = malloc(D * D * sizeof *w->m);
  w->sub = malloc(D * D * sizeof *w->sub);
  if (N->o->estimator == IXP_NET_GAUSSIAN) {
    w->g = malloc(n * D * sizeof *w->g);
    return w->rows && w->idx && w->m && w->sub && w->g;
  }
  w->bt = malloc(n * sizeof *w->bt), w->bc = malloc(n * D * sizeof *w->bc), w->bs = malloc(n * D * sizeof *w->bs);
  return w->rows && w->idx && w->m && w->sub && w->bt && w->bc && w->bs;
}

static void work_free(Work *w) {
  free(w->rows), free(w->idx), free(w->m), free(w->sub), free(w->g), free(w->bt), free(w->bc), free(w->bs);
}

/* Observed values of every item, then vals[r * ni + k] for surrogate r
 * (stream key): each surrogate maps every item's C by the same rows.
 * Gaussian surrogates run in parallel, each writing its own slots. */
static IxpNetStatus evaluate(Net *N, int t, const Item *items, int ni, uint64_t key, double *obs, double *vals) {
  int ns = N->o->surrogates;
  Work w0;
  bool ok = work_alloc(&w0, N);
  for (int k = 0; ok && k < ni; k++) ok = cmi(N, t, &items[k], NULL, &w0, &obs[k]);
  work_free(&w0);
  if (!ok) return N->knn != IXP_KNN_OK ? IXP_NET_EKNN : IXP_NET_ESINGULAR;
  /* kNN work per statistic is about n log n per dimension; each surrogate
   * runs on one thread when they run side by side (the estimate is the
   * same at any thread count) */
  double per = N->o->estimator == IXP_NET_GAUSSIAN ? (double)N->n * 4 : (double)N->n * 40 * (double)N->D;
  int nt = ixp_threads_for((double)ns * (double)ni * per, NET_PAR_WORK);
  IxpNetStatus worst = IXP_NET_OK;
#pragma omp parallel num_threads(nt) if (nt > 1)
  {
    Work w;
    bool have = work_alloc(&w, N);
    if (nt > 1) w.knn.threads = 1;
#pragma omp for schedule(dynamic, 1)
    for (int r = 0; r < ns; r++) {
      if (ixp_progress_stopping()) continue;
      IxpNetStatus st = have && ixp_surrogate_rows(&N->plan, key, r, w.rows) ? IXP_NET_OK : IXP_NET_ENOMEM;
      for (int k = 0; st == IXP_NET_OK && k < ni; k++)
        if (!cmi(N, t, &items[k], w.rows, &w, &vals[(size_t)r * (size_t)ni + (size_t)k]))
          st = N->knn != IXP_KNN_OK ? IXP_NET_EKNN : IXP_NET_ESINGULAR;
      if (st != IXP_NET_OK) {
#pragma omp critical(ixp_network)
        if (worst == IXP_NET_OK || st == IXP_NET_ENOMEM) worst = st;
      }
    }
    work_free(&w);
  }
  return worst;
}

/* p of `value` against nulls[0 .. n). */
static double pvalue(double value, const double *null, int n) {
  int ge = 0;
  for (int r = 0; r < n; r++) ge += null[r] >= value;
  return (1.0 + ge) / (1.0 + n);
}

/* ------------------------------------------------------------ a target */

typedef struct {
  int *sel, nsel;              /* selected view columns (target's past first) */
  int ntarget;                 /* how many of them are the target's own */
  Item *items;
  int *cbuf, *sbuf;            /* room for the items' sets */
  double *obs, *vals, *null;
  uint64_t key;
  int phase;
} Target;

/* The stream of one test of a target. */
static uint64_t test_key(const Target *T, int target) {
  return ixp_rng_key(T->key, (uint64_t)target, (uint64_t)T->phase);
}

/* Item k: C = {c}, S = the selected columns, but `skip` (< 0: none). */
static void item_set(Target *T, const Net *N, int k, int c, int skip) {
  Item *it = &T->items[k];
  it->c = T->cbuf + (size_t)k * (size_t)N->D;
  it->s = T->sbuf + (size_t)k * (size_t)N->D;
  it->c[0] = c, it->nc = 1, it->ns = 0;
  for (int j = 0; j < T->nsel; j++)
    if (j != skip) it->s[it->ns++] = T->sel[j];
}

/* Greedy inclusion of the candidates cand[0 .. nc) by max statistic. */
static IxpNetStatus include(Net *N, Target *T, int target, int *cand, int nc) {
  int ns = N->o->surrogates;
  while (nc > 0) {
    for (int k = 0; k < nc; k++) item_set(T, N, k, cand[k], -1);
    T->phase++;
    IxpNetStatus st = evaluate(N, col_of(N, target, 0), T->items, nc, test_key(T, target), T->obs, T->vals);
    if (st != IXP_NET_OK) return st;
    int best = 0;
    for (int k = 1; k < nc; k++)
      if (T->obs[k] > T->obs[best]) best = k;
    for (int r = 0; r < ns; r++) {
      double m = -INFINITY;
      for (int k = 0; k < nc; k++) m = fmax(m, T->vals[(size_t)r * (size_t)nc + (size_t)k]);
      T->null[r] = m;
    }
    if (pvalue(T->obs[best], T->null, ns) > N->o->alpha) break;
    T->sel[T->nsel++] = cand[best];
    cand[best] = cand[--nc];
  }
  return IXP_NET_OK;
}

/* Each selected source against the others: items for sel[ntarget ..]. */
static int source_items(Target *T, const Net *N) {
  int ni = 0;
  for (int j = T->ntarget; j < T->nsel; j++, ni++) item_set(T, N, ni, T->sel[j], j);
  return ni;
}

/* Pruning by min statistic: the weakest source leaves while it is not
 * significant. */
static IxpNetStatus prune(Net *N, Target *T, int target) {
  int ns = N->o->surrogates;
  while (T->nsel > T->ntarget) {
    int ni = source_items(T, N);
    T->phase++;
    IxpNetStatus st = evaluate(N, col_of(N, target, 0), T->items, ni, test_key(T, target), T->obs, T->vals);
    if (st != IXP_NET_OK) return st;
    int worst = 0;
    for (int k = 1; k < ni; k++)
      if (T->obs[k] < T->obs[worst]) worst = k;
    for (int r = 0; r < ns; r++) {
      double m = INFINITY;
      for (int k = 0; k < ni; k++) m = fmin(m, T->vals[(size_t)r * (size_t)ni + (size_t)k]);
      T->null[r] = m;
    }
    if (pvalue(T->obs[worst], T->null, ns) <= N->o->alpha) break;
    for (int j = T->ntarget + worst; j + 1 < T->nsel; j++) T->sel[j] = T->sel[j + 1];
    T->nsel--;
  }
  return IXP_NET_OK;
}

/* The omnibus test: every source together given the target's past. */
static IxpNetStatus omnibus(Net *N, Target *T, int target, double *p) {
  Item *it = &T->items[0];
  it->c = T->cbuf, it->s = T->sbuf;
  it->nc = T->nsel - T->ntarget, it->ns = T->ntarget;
  memcpy(it->c, T->sel + T->ntarget, (size_t)it->nc * sizeof *it->c);
  memcpy(it->s, T->sel, (size_t)it->ns * sizeof *it->s);
  T->phase++;
  IxpNetStatus st = evaluate(N, col_of(N, target, 0), T->items, 1, test_key(T, target), T->obs, T->null);
  if (st == IXP_NET_OK) *p = pvalue(T->obs[0], T->null, N->o->surrogates);
  return st;
}

static int by_decreasing(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x < y) - (x > y);
}

/* Sequential max statistic: the sources' values in decreasing order
 * against the same rank of each surrogate's sorted values; te and p of
 * each source (p = NaN: dropped). */
static IxpNetStatus sequential(Net *N, Target *T, int target, double *te, double *p) {
  int ns = N->o->surrogates, ni = source_items(T, N);
  T->phase++;
  IxpNetStatus st = evaluate(N, col_of(N, target, 0), T->items, ni, test_key(T, target), T->obs, T->vals);
  if (st != IXP_NET_OK) return st;
  for (int r = 0; r < ns; r++) qsort(T->vals + (size_t)r * (size_t)ni, (size_t)ni, sizeof *T->vals, by_decreasing);
  int *order = malloc((size_t)ni * sizeof *order);
  if (!order) return IXP_NET_ENOMEM;
  for (int k = 0; k < ni; k++) order[k] = k;
  for (int a = 1; a < ni; a++)  /* insertion sort by decreasing value, stable */
    for (int b = a; b > 0 && T->obs[order[b]] > T->obs[order[b - 1]]; b--) {
      int tmp = order[b];
      order[b] = order[b - 1], order[b - 1] = tmp;
    }
  bool failed = false;
  for (int rank = 0; rank < ni; rank++) {
    int k = order[rank];
    for (int r = 0; r < ns; r++) T->null[r] = T->vals[(size_t)r * (size_t)ni + (size_t)rank];
    double pk = pvalue(T->obs[k], T->null, ns);
    failed = failed || pk > N->o->alpha;
    te[k] = T->obs[k];
    p[k] = failed ? NAN : pk;
  }
  free(order);
  return IXP_NET_OK;
}

static void target_free(Target *T) {
  free(T->sel), free(T->items), free(T->cbuf), free(T->sbuf), free(T->obs), free(T->vals), free(T->null);
}

static bool target_alloc(Target *T, const Net *N) {
  size_t D = (size_t)N->D, ns = (size_t)N->o->surrogates;
  memset(T, 0, sizeof *T);
  T->sel = malloc(D * sizeof *T->sel);
  T->items = malloc(D * sizeof *T->items);
  T->cbuf = malloc(D * D * sizeof *T->cbuf);
  T->sbuf = malloc(D * D * sizeof *T->sbuf);
  T->obs = malloc(D * sizeof *T->obs);
  T->vals = malloc(ns * D * sizeof *T->vals);
  T->null = malloc(ns * sizeof *T->null);
  return T->sel && T->items && T->cbuf && T->sbuf && T->obs && T->vals && T->null;
}

/* Links of one target before the correction across targets. */
typedef struct {
  int nsrc;
  int *col;                    /* view columns of the selected sources */
  double *te, *p, omnibus_p;
} TargetLinks;

static IxpNetStatus analyse_target(Net *N, int target, TargetLinks *out) {
  Target T;
  int nl = N->W - 1;
  int *cand = malloc((size_t)N->D * sizeof *cand);
  IxpNetStatus st = target_alloc(&T, N) && cand ? IXP_NET_OK : IXP_NET_ENOMEM;
  T.key = N->o->key;
  out->omnibus_p = NAN;
  int nc = 0;
  for (int k = 0; k < nl; k++) cand[nc++] = col_of(N, target, 1 + k);
  if (st == IXP_NET_OK) st = include(N, &T, target, cand, nc);
  T.ntarget = T.nsel;
  nc = 0;
  for (int v = 0; v < N->nvars; v++)
    for (int k = 0; v != target && k < nl; k++) cand[nc++] = col_of(N, v, 1 + k);
  if (st == IXP_NET_OK) st = include(N, &T, target, cand, nc);
  if (st == IXP_NET_OK) st = prune(N, &T, target);
  out->nsrc = T.nsel - T.ntarget;
  if (st == IXP_NET_OK && out->nsrc > 0) {
    out->col = malloc((size_t)out->nsrc * sizeof *out->col);
    out->te = malloc((size_t)out->nsrc * sizeof *out->te);
    out->p = malloc((size_t)out->nsrc * sizeof *out->p);
    if (!out->col || !out->te || !out->p) st = IXP_NET_ENOMEM;
    if (st == IXP_NET_OK) memcpy(out->col, T.sel + T.ntarget, (size_t)out->nsrc * sizeof *out->col);
    if (st == IXP_NET_OK) st = omnibus(N, &T, target, &out->omnibus_p);
    if (st == IXP_NET_OK) st = sequential(N, &T, target, out->te, out->p);
  }
  free(cand);
  target_free(&T);
  return st;
}

/* --------------------------------------------------------- the network */

void ixp_fdr_bh(const double *p, int m, double alpha, bool *pass) {
  int *order = malloc((size_t)(m ? m : 1) * sizeof *order), k = 0;
  for (int i = 0; i < m; i++) pass[i] = false;
  if (!order) return;
  for (int i = 0; i < m; i++)
    if (!isnan(p[i])) order[k++] = i;
  for (int a = 1; a < k; a++)
    for (int b = a; b > 0 && p[order[b]] < p[order[b - 1]]; b--) {
      int t = order[b];
      order[b] = order[b - 1], order[b - 1] = t;
    }
  int last = -1;  /* the largest rank r with p_(r) <= r alpha / m */
  for (int r = 0; r < k; r++)
    if (p[order[r]] <= (double)(r + 1) * alpha / (double)m) last = r;
  for (int r = 0; r <= last; r++) pass[order[r]] = true;
  free(order);
}

static int by_link(const void *a, const void *b) {
  const IxpNetLink *x = a, *y = b;
  if (x->target != y->target) return x->target - y->target;
  if (x->source != y->source) return x->source - y->source;
  return x->lag - y->lag;
}

static IxpNetStatus collect(const Net *N, TargetLinks *tl, IxpNetResult *out) {
  int nv = N->nvars, total = 0;
  out->omnibus_p = malloc((size_t)nv * sizeof *out->omnibus_p);
  out->significant = malloc((size_t)nv * sizeof *out->significant);
  if (!out->omnibus_p || !out->significant) return IXP_NET_ENOMEM;
  for (int j = 0; j < nv; j++) out->omnibus_p[j] = tl[j].omnibus_p, total += tl[j].nsrc;
  if (N->o->bonferroni)
    for (int j = 0; j < nv; j++) out->significant[j] = out->omnibus_p[j] <= N->o->alpha / nv;
  else
    ixp_fdr_bh(out->omnibus_p, nv, N->o->alpha, out->significant);
  out->links = malloc((size_t)(total ? total : 1) * sizeof *out->links);
  if (!out->links) return IXP_NET_ENOMEM;
  for (int j = 0; j < nv; j++)
    for (int k = 0; out->significant[j] && k < tl[j].nsrc; k++) {
      if (isnan(tl[j].p[k])) continue;
      int c = tl[j].col[k];
      out->links[out->nlinks++] = (IxpNetLink){.source = c / N->W, .target = j, .lag = N->o->min_lag + c % N->W - 1,
                                               .te = tl[j].te[k], .p = tl[j].p[k]};
    }
  qsort(out->links, (size_t)out->nlinks, sizeof *out->links, by_link);
  return IXP_NET_OK;
}

static bool check_input(Net *N, char *msg, size_t size) {
  const IxpNetOptions *o = N->o;
  if (o->min_lag < 1 || o->max_lag < o->min_lag || o->surrogates < 1 || !(o->alpha > 0 && o->alpha < 1)) {
    snprintf(msg, size, "network needs 1 <= min_lag <= max_lag, at least one surrogate and 0 < alpha < 1");
    return false;
  }
  if (N->n < 2 * (N->D + 1)) {
    snprintf(msg, size, "network: %ld rows remain after the first %d of each trial, too few for %d lagged columns",
             N->n, o->max_lag, N->D);
    return false;
  }
  return ixp_surrogate_check(&N->plan, msg, size);
}

IxpNetStatus ixp_network_infer(const double *const *cols, int nvars, long n, const long *trial_start, int ntrials,
                               const IxpNetOptions *opt, IxpNetResult *out, IxpKnnStatus *knn, char *msg, size_t size) {
  memset(out, 0, sizeof *out);
  Net N = {.o = opt, .nvars = nvars, .W = 1 + opt->max_lag - opt->min_lag + 1, .knn = IXP_KNN_OK};
  N.D = nvars * N.W;
  if (nvars < 1 || opt->max_lag < opt->min_lag) {
    snprintf(msg, size, "network needs 1 <= min_lag <= max_lag");
    return IXP_NET_EINPUT;
  }
  IxpNetStatus st = view_build(&N, cols, n, trial_start, ntrials) ? IXP_NET_OK : IXP_NET_ENOMEM;
  if (st == IXP_NET_OK && !check_input(&N, msg, size)) st = IXP_NET_EINPUT;
  if (st == IXP_NET_OK && opt->estimator == IXP_NET_GAUSSIAN && !gauss_build(&N)) st = IXP_NET_ENOMEM;
  TargetLinks *tl = calloc((size_t)nvars, sizeof *tl);
  if (!tl && st == IXP_NET_OK) st = IXP_NET_ENOMEM;
  IxpProgress bar;
  ixp_progress_begin(&bar, "network targets", (uint64_t)nvars, NULL);
  for (int j = 0; st == IXP_NET_OK && j < nvars && !ixp_progress_stopping(); j++) {
    ixp_progress_update(&bar, (uint64_t)j);
    st = analyse_target(&N, j, &tl[j]);
  }
  ixp_progress_end(&bar);
  if (st == IXP_NET_OK && !ixp_progress_stopping()) st = collect(&N, tl, out);
  for (int j = 0; tl && j < nvars; j++) free(tl[j].col), free(tl[j].te), free(tl[j].p);
  free(tl);
  if (knn) *knn = N.knn;
  free(N.raw), free(N.c), free(N.cov), free(N.vstart);
  if (st != IXP_NET_OK) ixp_network_result_free(out);
  return st;
}

void ixp_network_result_free(IxpNetResult *r) {
  free(r->links), free(r->omnibus_p), free(r->significant);
  memset(r, 0, sizeof *r);
}
