/* process.c — processes: their stationary laws, windows and samples
 * (process.h).
 *
 * A finite chain: its states (every variable over the last p steps) are
 * found from the all-zero history, each state's one-step law enumerated
 * by the model enumerator with the lagged values as the step model's
 * parameters; the stationary distribution solves pi (P - I) = 0,
 * sum pi = 1 by Gaussian elimination with partial pivoting (a singular
 * system: several stationary laws, an error). A window's joint chains
 * transitions from the stationary law over the steps it spans.
 *
 * A linear-Gaussian process: its step is affine in the lagged values and
 * the draws' standard normals, so evaluating it at the unit vectors gives
 * the companion form z_t = F z_{t-1} + c + (G u_t, 0) exactly (the checker
 * proved it affine). The stationary covariance solves S = F S F^T + Q by
 * doubling (BLIS GEMM); a window's covariance is read from F^h S. */
#include "process.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dense.h"
#include "grow.h"
#include "ksum.h"
#include "rng.h"

#define MAX_CHAIN_STATES 2048
#define MAX_WINDOW_ENTRIES ((size_t)1 << 22)

/* ------------------------------------------------------ tables of tuples */

/* Tuples of w doubles, each with a weight, found by hashing. */
typedef struct Tuples {
  int w;
  double *keys, *weight;
  size_t n, cap;
  size_t *slot;       /* hcap entries: index + 1, 0 empty */
  size_t hcap;
} Tuples;

static uint64_t hash_tuple(const double *k, int w) {
  uint64_t h = 0x9e3779b97f4a7c15u;
  for (int i = 0; i < w; i++) {
    double x = k[i] == 0 ? 0.0 : k[i];
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    h = ixp_mix64(h ^ b);
  }
  return h;
}

static void tuples_free(Tuples *t) {
  free(t->keys), free(t->weight), free(t->slot);
  memset(t, 0, sizeof *t);
}

static bool tuples_rehash(Tuples *t, size_t hcap) {
  size_t *slot = calloc(hcap, sizeof *slot);
  if (!slot) return false;
  for (size_t i = 0; i < t->n; i++) {
    size_t h = (size_t)hash_tuple(t->keys + i * (size_t)t->w, t->w) & (hcap - 1);
    while (slot[h]) h = (h + 1) & (hcap - 1);
    slot[h] = i + 1;
  }
  free(t->slot);
  t->slot = slot, t->hcap = hcap;
  return true;
}

/* The index of tuple k (added with weight 0 when new); -1 out of memory. */
static long tuples_index(Tuples *t, const double *k) {
  if (2 * (t->n + 1) > t->hcap && !tuples_rehash(t, t->hcap ? 2 * t->hcap : 64)) return -1;
  size_t w = (size_t)t->w, h = (size_t)hash_tuple(k, t->w) & (t->hcap - 1);
  for (; t->slot[h]; h = (h + 1) & (t->hcap - 1)) {
    const double *o = t->keys + (t->slot[h] - 1) * w;
    bool same = true;
    for (size_t i = 0; i < w && same; i++) same = o[i] == k[i];
    if (same) return (long)(t->slot[h] - 1);
  }
  if (t->n == t->cap) {
    size_t cap = t->cap ? 2 * t->cap : 64;
    double *keys = realloc(t->keys, (cap * w + 1) * sizeof *keys);
    if (keys) t->keys = keys;
    double *weight = realloc(t->weight, cap * sizeof *weight);
    if (weight) t->weight = weight;
    if (!keys || !weight) return -1;
    t->cap = cap;
  }
  for (size_t i = 0; i < w; i++) t->keys[t->n * w + i] = k[i] == 0 ? 0.0 : k[i];
  t->weight[t->n] = 0;
  t->slot[h] = t->n + 1;
  return (long)t->n++;
}

/* ------------------------------------------------------------ dense math */

bool ixp_process_solve(double *A, double *b, int n, double tol) {
  double big = 0;
  for (size_t i = 0; i < (size_t)n * (size_t)n; i++) big = fmax(big, fabs(A[i]));
  for (int col = 0; col < n; col++) {
    int piv = col;
    for (int r = col + 1; r < n; r++)
      if (fabs(A[(size_t)r * (size_t)n + (size_t)col]) > fabs(A[(size_t)piv * (size_t)n + (size_t)col])) piv = r;
    double pv = A[(size_t)piv * (size_t)n + (size_t)col];
    if (!(fabs(pv) > tol * big)) return false;
    if (piv != col) {
      for (int j = 0; j < n; j++) {
        double x = A[(size_t)col * (size_t)n + (size_t)j];
        A[(size_t)col * (size_t)n + (size_t)j] = A[(size_t)piv * (size_t)n + (size_t)j];
        A[(size_t)piv * (size_t)n + (size_t)j] = x;
      }
      double x = b[col];
      b[col] = b[piv], b[piv] = x;
    }
    for (int r = col + 1; r < n; r++) {
      double f = A[(size_t)r * (size_t)n + (size_t)col] / pv;
      if (f == 0) continue;
      for (int j = col; j < n; j++) A[(size_t)r * (size_t)n + (size_t)j] -= f * A[(size_t)col * (size_t)n + (size_t)j];
      b[r] -= f * b[col];
    }
  }
  for (int r = n - 1; r >= 0; r--) {
    double x = b[r];
    for (int j = r + 1; j < n; j++) x -= A[(size_t)r * (size_t)n + (size_t)j] * b[j];
    b[r] = x / A[(size_t)r * (size_t)n + (size_t)r];
  }
  return true;
}

static double max_abs(const double *a, size_t n) {
  double m = 0;
  for (size_t i = 0; i < n; i++) m = isfinite(a[i]) ? fmax(m, fabs(a[i])) : INFINITY;
  return m;
}

/* S = sum_j F^j Q F^jT by doubling: S <- S + A S A^T, A <- A A, until A
 * is negligible (A_j = F^(2^j)). */
bool ixp_process_lyapunov(const double *F, const double *Q, int k, double *S) {
  size_t kk = (size_t)k * (size_t)k;
  double *A = malloc(kk * sizeof *A), *T = malloc(kk * sizeof *T), *U = malloc(kk * sizeof *U);
  bool ok = false;
  if (!A || !T || !U) goto done;
  memcpy(A, F, kk * sizeof *A);
  memcpy(S, Q, kk * sizeof *S);
  for (int it = 0; it < 64; it++) {
    double a = max_abs(A, kk);
    if (!isfinite(a) || a > 1e150) break;
    if (a < 1e-30) {
      ok = true;
      break;
    }
    ixp_dense_gemm(false, false, k, k, k, 1.0, A, k, S, k, 0.0, T, k);   /* T = A S */
    ixp_dense_gemm(false, true, k, k, k, 1.0, T, k, A, k, 1.0, S, k);    /* S += T A^T */
    ixp_dense_gemm(false, false, k, k, k, 1.0, A, k, A, k, 0.0, U, k);   /* A = A A */
    memcpy(A, U, kk * sizeof *A);
  }
  ok = ok && isfinite(max_abs(S, kk));
  for (size_t i = 0; ok && i < (size_t)k; i++)  /* symmetric exactly: the two triangles averaged */
    for (size_t j = 0; j < i; j++) S[i * (size_t)k + j] = S[j * (size_t)k + i] = 0.5 * (S[i * (size_t)k + j] + S[j * (size_t)k + i]);
done:
  free(A), free(T), free(U);
  return ok;
}

/* ------------------------------------------------------------------ laws */

void ixp_process_law_free(IxpProcessLaw *law) {
  if (!law) return;
  if (law->building) tuples_free(law->building);
  free(law->building);
  free(law->state), free(law->row), free(law->to), free(law->prob), free(law->pi);
  free(law->F), free(law->c), free(law->G), free(law->S), free(law->mean);
  free(law);
}

/* A law being built is kept in the model's cache from the start, marked
 * incomplete, so a runtime error that unwinds the build (the enumerator
 * takes the session's one cleanup slot meanwhile) leaks nothing: the
 * cache frees it, and an incomplete law is built again. */
typedef struct {
  IxpSession *s;
  IxpModelDef *m;
  IxpProcess *p;
  IxpProcessLaw *law;
  IxpValue *full;    /* the step's parameters: the user's, then the lagged values */
  IxpSpan use;
} Build;

static _Noreturn void law_error(Build *b, const char *fmt, const char *a) {
  ixp_runtime_error(b->s, b->s->src, b->use, fmt, b->m->name, a);
}

static void *law_alloc(Build *b, size_t n, size_t size) {
  void *x = calloc(n ? n : 1, size);
  if (!x) law_error(b, "out of memory building the law of process '%s'%s", "");
  return x;
}

/* Scratch for the build, freed with the statement's temporaries. */
static void *scratch(Build *b, size_t n, size_t size) {
  void *x = ixp_arena_alloc(ixp_session_tmp(b->s), (n ? n : 1) * size);
  memset(x, 0, (n ? n : 1) * size);
  return x;
}

/* The lagged values a state (history h, newest first) gives the step. */
static void set_lags(Build *b, const double *h) {
  int d = b->law->d;
  for (int i = 0; i < b->p->nlags; i++)
    b->full[b->p->nuser + i] = ixp_value_real(h[(b->p->lags[i].lag - 1) * d + b->p->lags[i].var]);
}

/* Discover the states reachable from the all-zero history, and their
 * transitions (rows in order of discovery). */
static void chain_states(Build *b) {
  IxpProcessLaw *L = b->law;
  int d = L->d, w = d * L->p;
  Tuples *states = L->building = law_alloc(b, 1, sizeof *states);
  *states = (Tuples){.w = w};
  double *h = scratch(b, (size_t)w + 1, sizeof *h), *next = scratch(b, (size_t)w + 1, sizeof *next);
  size_t capt = 0, nt = 0;
  int caprow = 0;
  if (tuples_index(states, h) < 0) law_error(b, "out of memory building the law of process '%s'%s", "");
  for (size_t i = 0; i < states->n; i++) {
    memcpy(h, states->keys + i * (size_t)w, (size_t)w * sizeof *h);
    set_lags(b, h);
    ixp_model_cache_free(b->p->step);
    IxpJoint *j = ixp_model_joint(b->s, b->p->step, b->full, b->use);
    if (!ixp_grow(&L->row, &caprow, (int)i + 2, sizeof *L->row)) law_error(b, "out of memory building the law of process '%s'%s", "");
    L->row[i] = (int)nt;
    for (size_t k = 0; k < j->n; k++) {
      if (!(j->p[k] > 0)) continue;
      for (int v = 0; v < d; v++) next[v] = j->alpha[v].values[ixp_joint_code(j, v, k)];
      memcpy(next + d, h, (size_t)(w - d) * sizeof *h);
      long to = tuples_index(states, next);
      if (to < 0) law_error(b, "out of memory building the law of process '%s'%s", "");
      if (states->n > MAX_CHAIN_STATES)
        law_error(b, "process '%s' has more than %s states over its order: too many for its exact law", "2048");
      if (nt == capt) {
        capt = capt ? 2 * capt : 256;
        int *to2 = realloc(L->to, capt * sizeof *to2);
        if (to2) L->to = to2;
        double *p2 = realloc(L->prob, capt * sizeof *p2);
        if (p2) L->prob = p2;
        if (!to2 || !p2) law_error(b, "out of memory building the law of process '%s'%s", "");
      }
      L->to[nt] = (int)to, L->prob[nt++] = j->p[k];
    }
  }
  ixp_model_cache_free(b->p->step);
  L->nstates = (int)states->n;
  L->row[L->nstates] = (int)nt;
  L->state = states->keys;
  states->keys = NULL;
  tuples_free(states);
  free(states);
  L->building = NULL;
}

/* pi P = pi, sum pi = 1: (P^T - I) pi = 0 with its last row replaced by
 * the normalisation. */
static void chain_stationary(Build *b) {
  IxpProcessLaw *L = b->law;
  size_t n = (size_t)L->nstates;
  double *A = scratch(b, n * n, sizeof *A);
  L->pi = law_alloc(b, n, sizeof *L->pi);
  for (size_t i = 0; i < n; i++) {
    A[i * n + i] -= 1;
    for (int e = L->row[i]; e < L->row[i + 1]; e++) A[(size_t)L->to[e] * n + i] += L->prob[e];
  }
  for (size_t j = 0; j < n; j++) A[(n - 1) * n + j] = 1;
  L->pi[n - 1] = 1;
  if (!ixp_process_solve(A, L->pi, (int)n, 1e-11)) law_error(b, "process '%s' has several stationary distributions (its chain is reducible%s)",
                     ": its states split into classes that never reach each other");
  for (size_t i = 0; i < n; i++) L->pi[i] = L->pi[i] < 1e-15 ? 0 : L->pi[i];
  double total = ixp_ksum_array(L->pi, (long)n);
  for (size_t i = 0; i < n; i++) L->pi[i] /= total;
}

/* The step's values (in L->d) for lagged values h and noise u. */
static void linear_step(Build *b, const double *h, const double *u, double *vals) {
  IxpModelDef *m = b->p->step;
  set_lags(b, h);
  IxpFrame fr = {m, vals, b->full};
  for (int i = 0; i < m->nvars; i++) {
    int v = m->order[i];
    const IxpModelVar *var = &m->vars[v];
    if (var->kind != VAR_DRAW) {
      vals[v] = ixp_eval_number(b->s, var->expr, &fr);
      continue;
    }
    double mu = ixp_eval_number(b->s, var->expr->items[0]->a, &fr);
    double sd = ixp_eval_number(b->s, var->expr->items[1]->a, &fr);
    if (!(sd >= 0) || !isfinite(mu) || !isfinite(sd))
      ixp_runtime_error(b->s, m->src, var->expr->span, "normal(mu, sigma) needs a finite mu and sigma >= 0, not (%g, %g)", mu, sd);
    vals[v] = mu + sd * u[v];
  }
}

/* The companion form by evaluating the step at zero and at unit vectors. */
static void linear_form(Build *b) {
  IxpProcessLaw *L = b->law;
  int d = L->d, k = L->k, w = d * L->p;
  L->nd = d;  /* noise u_v of each draw v (0 for definitions) */
  L->F = law_alloc(b, (size_t)k * (size_t)k, sizeof *L->F);
  L->c = law_alloc(b, (size_t)k, sizeof *L->c);
  L->G = law_alloc(b, (size_t)d * (size_t)d, sizeof *L->G);
  double *h = scratch(b, (size_t)w, sizeof *h), *u = scratch(b, (size_t)d, sizeof *u);
  double *base = scratch(b, (size_t)d, sizeof *base), *x = scratch(b, (size_t)d, sizeof *x);
  linear_step(b, h, u, base);
  memcpy(L->c, base, (size_t)d * sizeof *base);
  for (int i = 0; i < b->p->nlags; i++) {  /* column of variable var at lag l */
    const IxpLag *lg = &b->p->lags[i];
    h[(lg->lag - 1) * d + lg->var] = 1;
    linear_step(b, h, u, x);
    h[(lg->lag - 1) * d + lg->var] = 0;
    for (int v = 0; v < d; v++) L->F[(size_t)v * (size_t)k + (size_t)((lg->lag - 1) * d + lg->var)] = x[v] - base[v];
  }
  for (int j = 0; j < d; j++) {
    if (b->p->step->vars[j].kind != VAR_DRAW) continue;
    u[j] = 1;
    linear_step(b, h, u, x);
    u[j] = 0;
    for (int v = 0; v < d; v++) L->G[(size_t)v * (size_t)d + (size_t)j] = x[v] - base[v];
  }
  for (int r = d; r < k; r++) L->F[(size_t)r * (size_t)k + (size_t)(r - d)] = 1;  /* the history shifts */
}

static void linear_stationary(Build *b) {
  IxpProcessLaw *L = b->law;
  int d = L->d, k = L->k;
  size_t kk = (size_t)k * (size_t)k;
  double *Q = scratch(b, kk, sizeof *Q), *A = scratch(b, kk, sizeof *A);
  for (int i = 0; i < d; i++)
    for (int j = 0; j < d; j++) {
      double q = 0;
      for (int e = 0; e < d; e++) q += L->G[(size_t)i * (size_t)d + (size_t)e] * L->G[(size_t)j * (size_t)d + (size_t)e];
      Q[(size_t)i * (size_t)k + (size_t)j] = q;
    }
  L->S = law_alloc(b, kk, sizeof *L->S);
  bool ok = ixp_process_lyapunov(L->F, Q, k, L->S);
  L->mean = law_alloc(b, (size_t)k, sizeof *L->mean);
  for (size_t i = 0; i < kk; i++) A[i] = (i % (size_t)(k + 1) == 0) - L->F[i];
  memcpy(L->mean, L->c, (size_t)k * sizeof *L->mean);
  ok = ok && ixp_process_solve(A, L->mean, k, 1e-13);
  if (!ok)
    law_error(b, "process '%s' is not stationary (%s): it has no stationary law to measure or to sample",
              "its companion matrix has an eigenvalue of modulus 1 or more, so its variance grows without bound");
}

static void build_law(IxpSession *s, IxpModelDef *m, const IxpValue *params, IxpSpan use, struct IxpModelCache *c) {
  IxpProcess *p = m->process;
  Build *b = scratch(&(Build){.s = s}, 1, sizeof *b);
  *b = (Build){.s = s, .m = m, .p = p, .use = use};
  b->full = scratch(b, (size_t)(p->nuser + p->nlags + 1), sizeof *b->full);
  for (int i = 0; i < p->nuser; i++) b->full[i] = params[i];
  b->law = c->law = law_alloc(b, 1, sizeof *b->law);
  b->law->d = m->nvars;
  b->law->p = p->order > 0 ? p->order : 1;
  b->law->k = b->law->d * b->law->p;
  if (p->chain) {
    chain_states(b);
    chain_stationary(b);
  } else {
    linear_form(b);
    linear_stationary(b);
  }
  b->law->complete = true;
}

const IxpProcessLaw *ixp_process_law(IxpSession *s, IxpModelDef *m, const IxpValue *params, IxpSpan use) {
  struct IxpModelCache *c = ixp_model_cache(s, m, params);
  if (c->law && !c->law->complete) {  /* a build an error stopped */
    ixp_process_law_free(c->law);
    c->law = NULL;
  }
  if (!c->law) build_law(s, m, params, use, c);
  return c->law;
}

/* --------------------------------------------------------------- windows */

static bool same_cols(const IxpProcess *w, const IxpLag *cols, int n) {
  if (w->ncols != n) return false;
  for (int i = 0; i < n; i++)
    if (w->cols[i].var != cols[i].var || w->cols[i].lag != cols[i].lag) return false;
  return true;
}

/* "x[t-1]", "x[t]", "x[t+2]" in the arena. */
static const char *lag_name(IxpArena *arena, const char *var, int lag) {
  size_t len = strlen(var) + 32;
  char *s = ixp_arena_alloc(arena, len);
  if (lag > 0) snprintf(s, len, "%s[t-%d]", var, lag);
  else if (lag < 0) snprintf(s, len, "%s[t+%d]", var, -lag);
  else snprintf(s, len, "%s[t]", var);
  return s;
}

IxpModelDef *ixp_process_window(Checker *c, IxpModelDef *proc, const IxpLag *cols, int n, IxpSpan use) {
  IxpProcess *p = proc->process;
  if (!p) {
    ixp_check_error(c, use, "'%s' is not a process", proc->name);
    return NULL;
  }
  if (p->sampled_only) {
    ixp_check_error(c, use, "process '%s' can only be sampled: it is neither a finite chain (every variable discrete) nor "
                    "linear-Gaussian (normal draws with means affine in the variables at t and before, a constant sd), "
                    "so it has no exact law; measure a sample of it: data s = sample(%s, 10000), then ... in s using ksg",
                    proc->name, proc->name);
    return NULL;
  }
  IxpSession *s = c->s;
  for (int i = 0; i < p->nwindows; i++) {
    const IxpProcess *wp = p->windows[i]->process;
    if (same_cols(wp, cols, n) && wp->model_slot < s->nmodels && s->models[wp->model_slot] == p->windows[i]) return p->windows[i];
  }
  for (int i = 0; i < n; i++)
    if (cols[i].var < 0 || cols[i].var >= proc->nvars) {
      ixp_check_error(c, use, "process '%s' has no variable %d", proc->name, cols[i].var);
      return NULL;
    }
  IxpModelDef *w = ixp_arena_alloc(c->arena, sizeof *w);
  IxpProcess *wp = ixp_arena_alloc(c->arena, sizeof *wp);
  IxpLag *own = ixp_arena_alloc(c->arena, (size_t)(n + 1) * sizeof *own);
  memcpy(own, cols, (size_t)n * sizeof *own);
  *wp = *p;
  wp->cols = own, wp->ncols = n, wp->base = p, wp->windows = NULL, wp->nwindows = wp->capwindows = 0;
  w->name = proc->name, w->decl = proc->decl, w->src = proc->src;
  w->nparams = p->nuser, w->params = proc->params;
  w->slots = proc->slots, w->nslots = proc->nslots;
  ixp_model_reserve(w, c->arena, n);
  w->nvars = n;
  w->continuous = ixp_arena_alloc(c->arena, (size_t)(n + 1) * sizeof *w->continuous);
  for (int i = 0; i < n; i++) {
    w->vars[i] = (IxpModelVar){.name = lag_name(c->arena, proc->vars[cols[i].var].name, cols[i].lag), .kind = VAR_COLUMN,
                               .decl = proc->vars[cols[i].var].decl};
    w->order[i] = i;
    w->continuous[i] = p->linear;
  }
  w->has_continuous = p->linear;
  w->gaussian = p->linear;
  w->process = wp;
  if (!ixp_grow(&s->models, &s->capmodels, s->nmodels + 1, sizeof *s->models)) {
    ixp_check_error(c, use, "out of memory");
    return NULL;
  }
  wp->model_slot = s->nmodels;
  s->models[s->nmodels++] = w;
  if (p->nwindows == p->capwindows) {  /* in the arena, as the process itself */
    IxpModelDef **more = ixp_arena_alloc(c->arena, (size_t)(2 * p->capwindows + 4) * sizeof *more);
    if (p->nwindows) memcpy(more, p->windows, (size_t)p->nwindows * sizeof *more);
    p->windows = more, p->capwindows = 2 * p->capwindows + 4;
  }
  p->windows[p->nwindows++] = w;
  return w;
}

/* The window's span of lags. */
static void lag_range(const IxpProcess *w, int *lo, int *hi) {
  *lo = *hi = w->ncols ? w->cols[0].lag : 0;
  for (int i = 1; i < w->ncols; i++) *lo = w->cols[i].lag < *lo ? w->cols[i].lag : *lo, *hi = w->cols[i].lag > *hi ? w->cols[i].lag : *hi;
}

typedef struct {
  Tuples a, b;
  IxpJoint *j;
} WindowWork;

static void window_cleanup(void *ctx) {
  WindowWork *ww = ctx;
  tuples_free(&ww->a), tuples_free(&ww->b);
  ixp_joint_free(ww->j);
}

/* Entries (state, the columns set so far) carry probabilities; each step
 * of the chain expands them by the transitions and merges equal ones. */
IxpJoint *ixp_process_window_joint(IxpSession *s, IxpModelDef *w, const IxpValue *params, IxpSpan use) {
  IxpProcess *wp = w->process;
  const IxpProcessLaw *L = ixp_process_law(s, wp->base->model, params, use);
  int d = L->d, P = L->p, n = wp->ncols, lo, hi;
  lag_range(wp, &lo, &hi);
  int steps = hi - lo + 1 > P ? hi - lo + 1 - P : 0, o = steps ? hi - P + 1 : lo;  /* s_0's newest time is t - o */
  WindowWork *ww = ixp_arena_alloc(ixp_session_tmp(s), sizeof *ww);
  *ww = (WindowWork){.a = {.w = n + 1}, .b = {.w = n + 1}};
  void (*old)(void *) = s->cleanup;
  void *old_ctx = s->cleanup_ctx;
  s->cleanup = window_cleanup, s->cleanup_ctx = ww;
  double *key = ixp_arena_alloc(ixp_session_tmp(s), (size_t)(n + 1) * sizeof *key);
  for (int i = 0; i < L->nstates; i++) {
    if (!(L->pi[i] > 0)) continue;
    const double *st = L->state + (size_t)i * (size_t)(d * P);
    key[0] = i;
    for (int c = 0; c < n; c++) key[c + 1] = wp->cols[c].lag >= o ? st[(wp->cols[c].lag - o) * d + wp->cols[c].var] : 0;
    long at = tuples_index(&ww->a, key);
    if (at < 0) ixp_runtime_error(s, s->src, use, "out of memory building a window of process '%s'", w->name);
    ww->a.weight[at] += L->pi[i];
  }
  for (int k = 1; k <= steps; k++) {
    for (size_t e = 0; e < ww->a.n; e++) {
      const double *from = ww->a.keys + e * (size_t)(n + 1);
      int i = (int)from[0];
      for (int t = L->row[i]; t < L->row[i + 1]; t++) {
        const double *st = L->state + (size_t)L->to[t] * (size_t)(d * P);
        memcpy(key, from, (size_t)(n + 1) * sizeof *key);
        key[0] = L->to[t];
        for (int c = 0; c < n; c++)
          if (wp->cols[c].lag == o - k) key[c + 1] = st[wp->cols[c].var];
        long at = tuples_index(&ww->b, key);
        if (at < 0 || ww->b.n > MAX_WINDOW_ENTRIES)
          ixp_runtime_error(s, s->src, use, "the window of process '%s' over %d steps has too many states for its exact joint",
                            w->name, hi - lo + 1);
        ww->b.weight[at] += ww->a.weight[e] * L->prob[t];
      }
    }
    tuples_free(&ww->a);
    ww->a = ww->b;
    ww->b = (Tuples){.w = n + 1};
  }
  const char **names = ixp_arena_alloc(ixp_session_tmp(s), (size_t)(n + 1) * sizeof *names);
  for (int c = 0; c < n; c++) names[c] = w->vars[c].name;
  ww->j = ixp_joint_new(n, names);
  Tuples *out = &ww->b;  /* the columns alone: states merged */
  out->w = n;
  for (size_t e = 0; ww->j && e < ww->a.n; e++) {
    long at = tuples_index(out, ww->a.keys + e * (size_t)(n + 1) + 1);
    if (at < 0) break;
    out->weight[at] += ww->a.weight[e];
  }
  uint32_t *codes = ixp_arena_alloc(ixp_session_tmp(s), (size_t)(n + 1) * sizeof *codes);
  bool ok = ww->j != NULL;
  for (size_t e = 0; ok && e < out->n; e++) {
    if (!(out->weight[e] > 0)) continue;
    for (int c = 0; c < n; c++) ok = ok && (codes[c] = ixp_alphabet_code(&ww->j->alpha[c], out->keys[e * (size_t)n + (size_t)c])) != UINT32_MAX;
    ok = ok && ixp_joint_push(ww->j, codes, out->weight[e]) == IXP_JOINT_OK;
  }
  ok = ok && ixp_joint_finish(ww->j) == IXP_JOINT_OK;
  if (!ok) ixp_runtime_error(s, s->src, use, "out of memory building a window of process '%s'", w->name);
  IxpJoint *j = ww->j;
  ww->j = NULL;
  window_cleanup(ww);
  s->cleanup = old, s->cleanup_ctx = old_ctx;
  return j;
}

/* Cholesky of a positive semidefinite n x n matrix (lower, in place): a
 * column whose pivot vanishes is zero (the variable is a combination of
 * earlier ones). */
static void semidefinite_cholesky(double *a, int n) {
  for (int j = 0; j < n; j++) {
    double scale = fabs(a[(size_t)j * (size_t)n + (size_t)j]);
    double dj = a[(size_t)j * (size_t)n + (size_t)j];
    for (int k = 0; k < j; k++) dj -= a[(size_t)j * (size_t)n + (size_t)k] * a[(size_t)j * (size_t)n + (size_t)k];
    double l = dj > 1e-12 * scale && dj > 0 ? sqrt(dj) : 0;
    a[(size_t)j * (size_t)n + (size_t)j] = l;
    for (int i = j + 1; i < n; i++) {
      double x = a[(size_t)i * (size_t)n + (size_t)j];
      for (int k = 0; k < j; k++) x -= a[(size_t)i * (size_t)n + (size_t)k] * a[(size_t)j * (size_t)n + (size_t)k];
      a[(size_t)i * (size_t)n + (size_t)j] = l > 0 ? x / l : 0;
    }
    for (int i = 0; i < j; i++) a[(size_t)i * (size_t)n + (size_t)j] = 0;
  }
}

/* The covariance of the window's columns: Cov(z_t, z_{t-h}) = F^h S. */
static double *window_cov(IxpSession *s, const IxpProcess *wp, const IxpProcessLaw *L) {
  int n = wp->ncols, k = L->k, lo, hi;
  lag_range(wp, &lo, &hi);
  int span = hi - lo;
  size_t kk = (size_t)k * (size_t)k;
  double *M = ixp_arena_alloc(ixp_session_tmp(s), (size_t)(span + 1) * kk * sizeof *M);
  memcpy(M, L->S, kk * sizeof *M);
  for (int h = 1; h <= span; h++) ixp_dense_gemm(false, false, k, k, k, 1.0, L->F, k, M + (size_t)(h - 1) * kk, k, 0.0, M + (size_t)h * kk, k);
  double *cov = ixp_arena_alloc(ixp_session_tmp(s), (size_t)n * (size_t)n * sizeof *cov + 1);
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      const IxpLag *a = &wp->cols[i], *b = &wp->cols[j];
      bool later = a->lag <= b->lag;
      int h = later ? b->lag - a->lag : a->lag - b->lag;
      int r = later ? a->var : b->var, col = later ? b->var : a->var;
      cov[(size_t)i * (size_t)n + (size_t)j] = M[(size_t)h * kk + (size_t)r * (size_t)k + (size_t)col];
    }
  return cov;
}

const IxpGaussForms *ixp_process_window_forms(IxpSession *s, IxpModelDef *w, const IxpValue *params) {
  IxpProcess *wp = w->process;
  IxpSpan use = s->running ? s->running->span : w->decl->span;  /* the statement measuring it */
  const IxpProcessLaw *L = ixp_process_law(s, wp->base->model, params, use);
  int n = wp->ncols;
  IxpArena *tmp = ixp_session_tmp(s);
  double *l = window_cov(s, wp, L);
  semidefinite_cholesky(l, n);
  double **row = ixp_arena_alloc(tmp, (size_t)(n + 1) * sizeof *row), *mean = ixp_arena_alloc(tmp, (size_t)(n + 1) * sizeof *mean);
  int *lo = ixp_arena_alloc(tmp, (size_t)(n + 1) * sizeof *lo), *hi = ixp_arena_alloc(tmp, (size_t)(n + 1) * sizeof *hi);
  for (int i = 0; i < n; i++) {
    row[i] = l + (size_t)i * (size_t)n;
    lo[i] = 0, hi[i] = i + 1;
    mean[i] = L->mean[wp->cols[i].var];
  }
  IxpGaussForms *g = ixp_arena_alloc(tmp, sizeof *g);
  *g = (IxpGaussForms){.n = n, .nb = n, .row = (const double *const *)row, .mean = mean, .lo = lo, .hi = hi};
  return g;
}

/* -------------------------------------------------------------- sampling */

long ixp_process_default_burnin(const IxpModelDef *m) {
  long ten = m->process ? 10L * m->process->order : 0;
  return ten > 100 ? ten : 100;
}

/* One chain step from state i: the next state, by the uniform u. */
static int chain_next(const IxpProcessLaw *L, int i, double u) {
  double acc = 0;
  int last = L->row[i + 1] - 1;
  for (int t = L->row[i]; t < last; t++) {
    acc += L->prob[t];
    if (u < acc) return L->to[t];
  }
  return L->to[last];
}

/* The chain's state whose history is `start` at every step (state 0, the
 * all-zero history, when start is NULL), or -1 when it is not one of the
 * states reachable from there. */
static int chain_start(const IxpProcessLaw *L, const double *start) {
  if (!start) return 0;
  int w = L->d * L->p;
  for (int i = 0; i < L->nstates; i++) {
    bool same = true;
    for (int c = 0; c < w && same; c++) same = L->state[(size_t)i * (size_t)w + (size_t)c] == start[c % L->d];
    if (same) return i;
  }
  return -1;
}

static void sample_chain(const IxpProcessLaw *L, IxpDataset *set, long first, long n, long burnin, uint64_t key, int i) {
  for (long step = 0; step < burnin + n; step++) {
    i = chain_next(L, i, ixp_rng_uniform(key, (uint64_t)step));
    if (step < burnin) continue;
    for (int v = 0; v < L->d; v++) set->cols[v].value[first + step - burnin] = L->state[(size_t)i * (size_t)(L->d * L->p) + (size_t)v];
  }
}

static void sample_linear(const IxpProcessLaw *L, IxpDataset *set, long first, long n, long burnin, uint64_t key,
                          const double *start, double *z, double *next, double *u) {
  int d = L->d, k = L->k;
  for (int r = 0; r < k; r++) z[r] = start ? start[r % d] : 0;
  for (long step = 0; step < burnin + n; step++) {
    ixp_rng_normals(key, (uint64_t)step * (uint64_t)d, u, d);
    for (int r = 0; r < k; r++) {
      double x = L->c[r];
      for (int j = 0; j < k; j++) x += L->F[(size_t)r * (size_t)k + (size_t)j] * z[j];
      for (int e = 0; r < d && e < d; e++) x += L->G[(size_t)r * (size_t)d + (size_t)e] * u[e];
      next[r] = x;
    }
    memcpy(z, next, (size_t)k * sizeof *z);
    if (step < burnin) continue;
    for (int v = 0; v < d; v++) set->cols[v].value[first + step - burnin] = z[v];
  }
}

/* A process that has no exact law, one step at a time: the one-step
 * model sampled once per step with the lagged values as its parameters
 * (full: the user's, then room for the lagged ones), history h (d * p
 * values, newest step first) from `start`. */
static void sample_steps(IxpSession *s, IxpModelDef *m, IxpValue *full, IxpDataset *set, long first, long n, long burnin,
                         uint64_t key, const double *start, IxpSpan use) {
  IxpProcess *p = m->process;
  int d = m->nvars, order = p->order > 0 ? p->order : 1;
  double *h = ixp_arena_alloc(ixp_session_tmp(s), (size_t)(d * order) * sizeof *h);
  for (int c = 0; c < d * order; c++) h[c] = start ? start[c % d] : 0;
  IxpArena *tmp = ixp_session_tmp(s);
  for (long step = 0; step < burnin + n; step++) {
    IxpArenaMark mark = ixp_arena_mark(tmp);
    for (int i = 0; i < p->nlags; i++) full[p->nuser + i] = ixp_value_real(h[(p->lags[i].lag - 1) * d + p->lags[i].var]);
    IxpDataset *row = ixp_model_sample_rows(s, p->step, full, 1, ixp_rng_key(key, (uint64_t)step, 0x73746570), use);
    memmove(h + d, h, (size_t)(d * (order - 1)) * sizeof *h);
    for (int v = 0; v < d; v++) h[v] = row->cols[v].value[0];
    ixp_dataset_free(row);
    ixp_arena_release(tmp, mark);
    if (step >= burnin)
      for (int v = 0; v < d; v++) set->cols[v].value[first + step - burnin] = h[v];
  }
}

IxpDataset *ixp_process_sample(IxpSession *s, IxpModelDef *m, const IxpValue *params, long n, long burnin, long trials,
                               const double *start, uint64_t key, IxpSpan use) {
  IxpProcess *p = m->process;
  const IxpProcessLaw *L = p->chain || p->linear ? ixp_process_law(s, m, params, use) : NULL;
  /* a chain started outside the states its law holds goes step by step */
  int first_state = L && L->pi ? chain_start(L, start) : 0;
  bool stepwise = !L || first_state < 0;
  int k = L ? L->k : 0, d = m->nvars;
  IxpValue *full = ixp_arena_alloc(ixp_session_tmp(s), (size_t)(p->nuser + p->nlags + 1) * sizeof *full);
  for (int i = 0; i < p->nuser; i++) full[i] = params[i];
  const char **names = ixp_arena_alloc(ixp_session_tmp(s), (size_t)m->nvars * sizeof *names);
  bool *real = ixp_arena_alloc(ixp_session_tmp(s), (size_t)m->nvars * sizeof *real);
  for (int v = 0; v < m->nvars; v++) names[v] = m->vars[v].name, real[v] = m->continuous[v];
  IxpDataset *set = ixp_dataset_new_numeric(n * trials, m->nvars, names, real);
  long *starts = malloc((size_t)(trials + 1) * sizeof *starts);
  double *z = malloc((size_t)(3 * k + d + 1) * sizeof *z);
  if (!set || !starts || !z) {
    ixp_dataset_free(set), free(starts), free(z);
    ixp_runtime_error(s, s->src, use, "out of memory sampling process '%s'", m->name);
  }
  for (long r = 0; r < trials; r++) {
    uint64_t stream = ixp_rng_key(key, (uint64_t)r, 0x747269616c);  /* one stream per trial */
    starts[r] = r * n;
    if (stepwise) sample_steps(s, m, full, set, r * n, n, burnin, stream, start, use);
    else if (L->pi) sample_chain(L, set, r * n, n, burnin, stream, first_state);
    else sample_linear(L, set, r * n, n, burnin, stream, start, z, z + k, z + 2 * k);
  }
  starts[trials] = n * trials;
  free(z);
  set->trial_start = starts;
  set->ntrials = (int)trials;
  return set;
}

/* ----------------------------------------------------------- entropy rate */

/* -sum_i pi_i sum_j P_ij log P_ij over the chain's states (of order p:
 * a state is the last p steps, so this is H(X_t | X_{t-1}, ..., X_{t-p})). */
static double chain_rate(const IxpProcessLaw *L) {
  IxpKSum h = {0};
  for (int i = 0; i < L->nstates; i++)
    for (int e = L->row[i]; L->pi[i] > 0 && e < L->row[i + 1]; e++)
      if (L->prob[e] > 0) ixp_ksum_add(&h, -L->pi[i] * L->prob[e] * log(L->prob[e]));
  return ixp_ksum_value(h);
}

/* log det of a positive definite m x m matrix (overwritten); false when
 * it is singular. */
static bool log_det(double *a, int m, double *out) {
  double ld = 0;
  for (int j = 0; j < m; j++) {
    double d = a[(size_t)j * (size_t)m + (size_t)j];
    for (int k = 0; k < j; k++) d -= a[(size_t)j * (size_t)m + (size_t)k] * a[(size_t)j * (size_t)m + (size_t)k];
    if (!(d > 1e-14 * fabs(a[(size_t)j * (size_t)m + (size_t)j])) || !(d > 0)) return false;
    double l = sqrt(d);
    a[(size_t)j * (size_t)m + (size_t)j] = l;
    ld += 2 * log(l);
    for (int i = j + 1; i < m; i++) {
      double x = a[(size_t)i * (size_t)m + (size_t)j];
      for (int k = 0; k < j; k++) x -= a[(size_t)i * (size_t)m + (size_t)k] * a[(size_t)j * (size_t)m + (size_t)k];
      a[(size_t)i * (size_t)m + (size_t)j] = x / l;
    }
  }
  *out = ld;
  return true;
}

/* The steady innovation covariance V of the observed variables obs[0 ..
 * m) given their own past: the Kalman filter's prior covariance P of the
 * companion state, from the stationary S, iterated P <- F (P - P C^T
 * V^{-1} C P) F^T + Q with V = C P C^T until it stops changing. V into
 * out (m x m); false when it does not settle or V is singular. */
static bool innovation(const IxpProcessLaw *L, const int *obs, int m, double *out) {
  int k = L->k, d = L->d;
  size_t kk = (size_t)k * (size_t)k;
  double *P = malloc(kk * sizeof *P), *M = malloc(kk * sizeof *M), *T = malloc(kk * sizeof *T);
  double *V = malloc((size_t)m * (size_t)m * sizeof *V), *PC = malloc((size_t)k * (size_t)m * sizeof *PC);
  double *X = malloc((size_t)k * (size_t)m * sizeof *X), *A = malloc((size_t)m * (size_t)m * sizeof *A);
  double *b = malloc((size_t)m * sizeof *b);
  bool ok = false;
  if (!P || !M || !T || !V || !PC || !X || !A || !b) goto done;
  memcpy(P, L->S, kk * sizeof *P);
  for (int it = 0; it < 100000; it++) {
    for (int r = 0; r < k; r++)
      for (int j = 0; j < m; j++) PC[(size_t)r * (size_t)m + (size_t)j] = P[(size_t)r * (size_t)k + (size_t)obs[j]];
    for (int i = 0; i < m; i++)
      for (int j = 0; j < m; j++) V[(size_t)i * (size_t)m + (size_t)j] = PC[(size_t)obs[i] * (size_t)m + (size_t)j];
    for (int r = 0; r < k; r++) {  /* row r of X = P C^T V^{-1} */
      memcpy(A, V, (size_t)m * (size_t)m * sizeof *A);
      for (int j = 0; j < m; j++) b[j] = PC[(size_t)r * (size_t)m + (size_t)j];
      if (!ixp_process_solve(A, b, m, 1e-14)) goto done;  /* V symmetric: x V = b is V x = b */
      memcpy(X + (size_t)r * (size_t)m, b, (size_t)m * sizeof *b);
    }
    memcpy(M, P, kk * sizeof *M);  /* M = P - X (P C^T)^T */
    ixp_dense_gemm(false, true, k, k, m, -1.0, X, m, PC, m, 1.0, M, k);
    ixp_dense_gemm(false, false, k, k, k, 1.0, L->F, k, M, k, 0.0, T, k);
    ixp_dense_gemm(false, true, k, k, k, 1.0, T, k, L->F, k, 0.0, M, k);
    for (int i = 0; i < d; i++)
      for (int j = 0; j < d; j++) {
        double q = 0;
        for (int e = 0; e < L->nd; e++) q += L->G[(size_t)i * (size_t)L->nd + (size_t)e] * L->G[(size_t)j * (size_t)L->nd + (size_t)e];
        M[(size_t)i * (size_t)k + (size_t)j] += q;
      }
    double change = 0, size = 0;
    for (size_t i = 0; i < kk; i++) change = fmax(change, fabs(M[i] - P[i])), size = fmax(size, fabs(M[i]));
    memcpy(P, M, kk * sizeof *P);
    if (!isfinite(change)) goto done;
    if (change <= 1e-15 * size) {
      for (int i = 0; i < m; i++)
        for (int j = 0; j < m; j++) out[(size_t)i * (size_t)m + (size_t)j] = P[(size_t)obs[i] * (size_t)k + (size_t)obs[j]];
      ok = true;
      break;
    }
  }
done:
  free(P), free(M), free(T), free(V), free(PC), free(X), free(A), free(b);
  return ok;
}

typedef struct {
  IxpModelDef *m;
  int *vars, n;
} RatePayload;

static IxpValue rate_run(IxpSession *s, const IxpPlanOp *op, const IxpReg *in) {
  (void)in;
  const RatePayload *r = op->payload;
  const IxpPlan *plan = op->plan;
  IxpAst *node = plan->src[0].node->kind == AST_SOURCE ? plan->src[0].node : NULL;
  const IxpProcessLaw *L = ixp_process_law(s, r->m, ixp_source_params(s, r->m, node), plan->site->span);
  if (L->pi) return ixp_value_real(chain_rate(L) * ixp_units_scale(s));
  double *V = ixp_arena_alloc(ixp_session_tmp(s), (size_t)r->n * (size_t)r->n * sizeof *V), ld;
  if (!innovation(L, r->vars, r->n, V) || !log_det(V, r->n, &ld))
    ixp_plan_error(s, plan, "entropy_rate: the innovations of these variables of process '%s' have a singular covariance "
                   "(a variable is a function of the past and the others), so the differential entropy rate is -inf",
                   r->m->name);
  double h = 0.5 * (r->n * log(2 * M_PI * M_E) + ld);
  return ixp_value_real(h * ixp_units_scale(s));
}

static void rate_explain(IxpSession *s, const IxpPlanOp *op, const IxpReg *in, FILE *out) {
  (void)s, (void)in;
  const RatePayload *r = op->payload;
  if (r->m->process->chain)
    fprintf(out, "the exact entropy rate of finite chain %s: -sum_i pi_i sum_j P_ij log P_ij over its states "
            "(the last %d step%s of every variable), pi its stationary law", r->m->name,
            r->m->process->order > 1 ? r->m->process->order : 1, r->m->process->order > 1 ? "s" : "");
  else
    fprintf(out, "the exact entropy rate of linear-Gaussian process %s: 1/2 log((2 pi e)^%d det V), V the steady "
            "innovation covariance of the variables measured (Kalman filter from the stationary covariance)", r->m->name, r->n);
}

static const IxpKernel rate_kernel = {"entropy rate", rate_run, rate_explain};

bool ixp_process_lower_entropy_rate(IxpLowering *lw, const int *vars, int n) {
  IxpModelDef *m = lw->model;
  IxpProcess *p = m->process;
  if (!p || p->cols) return ixp_lower_error(lw, lw->call->span, "entropy_rate without k is the exact limit of a process");
  if (p->sampled_only)
    return ixp_lower_error(lw, lw->call->span, "process '%s' can only be sampled (it is neither a finite chain nor "
                           "linear-Gaussian): estimate the rate on a sample, entropy_rate(x, k = 2) in s", m->name);
  bool *seen = ixp_arena_alloc(lw->arena, (size_t)m->nvars * sizeof *seen);
  int distinct = 0;
  for (int i = 0; i < n; i++) {
    if (vars[i] < 0 || vars[i] >= m->nvars) return false;
    distinct += !seen[vars[i]];
    seen[vars[i]] = true;
  }
  if (p->chain && distinct < m->nvars)
    return ixp_lower_error(lw, lw->call->span, "the entropy rate of some of the variables of finite chain '%s' has no closed "
                           "form (they are a hidden Markov process): give k, entropy_rate(%s, k = 3), for "
                           "H(X_t | k past steps)", m->name, m->vars[vars[0]].name);
  RatePayload *r = ixp_arena_alloc(lw->arena, sizeof *r);
  r->m = m, r->n = 0;
  r->vars = ixp_arena_alloc(lw->arena, (size_t)m->nvars * sizeof *r->vars);
  for (int v = 0; v < m->nvars; v++)
    if (seen[v]) r->vars[r->n++] = v;
  lw->plan->type = TY_NUM;
  lw->plan->result = ixp_plan_kernel(lw->plan, lw->joint, &rate_kernel, r);
  return true;
}
