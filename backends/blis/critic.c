/* critic.c — a separable MLP critic trained with Adam on BLIS GEMMs, and
 * the variational bounds of mutual information it gives. */
#include "critic.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dense.h"
#include "ksum.h"
#include "rng.h"
#include "threads.h"

#define MAX_LAYERS 17     /* hidden layers + the output layer */
#define EVAL_BLOCK 1024   /* rows whose pairs are scored together when evaluating */
#define ADAM_B1 0.9
#define ADAM_B2 0.999
#define ADAM_EPS 1e-8
/* Operations from which the two towers run on two threads: a parallel
 * region costs microseconds on idle cores, a step of the default critic
 * about 5e6 operations (a millisecond). */
#define TOWER_THREAD_FLOPS 1e6

/* Purposes of the sub-streams of the caller's key. */
enum { STREAM_SPLIT = 1, STREAM_INIT = 2, STREAM_EPOCH = 3 };

void ixp_critic_defaults(IxpCriticConfig *cfg) {
  *cfg = (IxpCriticConfig){.bound = IXP_CRITIC_INFONCE, .hidden = 64, .layers = 1, .embed = 32,
                           .steps = 2000, .batch = 128, .lr = 1e-3, .split = 0.2, .clip = 5,
                           .eval_every = 100, .patience = 5};
}

/* One tower (g or h): layer l maps in[l] units to out[l]; its weights
 * W_l (in x out, row-major) and bias b_l (out) sit in the parameter
 * vector at w_off[l] and b_off[l]; act[l] holds its outputs for a batch
 * (after the ReLU for hidden layers). */
typedef struct {
  int nl;
  int in[MAX_LAYERS], out[MAX_LAYERS];
  long w_off[MAX_LAYERS], b_off[MAX_LAYERS];
  double *act[MAX_LAYERS];
} Tower;

struct IxpCritic {
  IxpCriticConfig cfg;
  long max_rows;
  int width;               /* the widest layer, input included */
  Tower t[2];
  long np;
  double *p, *g, *m, *v;   /* parameters, gradient, Adam's moments */
  double b1t, b2t;         /* Adam's beta1^t, beta2^t */
  double *s, *ds;          /* scores (max_rows^2) and their gradient */
  double *d[4];            /* deltas, max_rows x width each (two per tower) */
  double flops[3];         /* GEMM operations: each tower's, the scores' */
};

/* --- layout --------------------------------------------------------------- */

static void tower_layout(Tower *t, int d, const IxpCriticConfig *cfg, long *np) {
  t->nl = cfg->layers + 1;
  for (int l = 0; l < t->nl; l++) {
    t->in[l] = l == 0 ? d : cfg->hidden;
    t->out[l] = l == t->nl - 1 ? cfg->embed : cfg->hidden;
    t->w_off[l] = *np;
    *np += (long)t->in[l] * t->out[l];
    t->b_off[l] = *np;
    *np += t->out[l];
  }
}

static double *zalloc(long n) { return calloc((size_t)(n > 0 ? n : 1), sizeof(double)); }

IxpCritic *ixp_critic_new(int dx, int dy, const IxpCriticConfig *cfg, long max_rows) {
  if (cfg->layers < 0 || cfg->layers >= MAX_LAYERS || cfg->hidden < 1 || cfg->embed < 1 || dx < 1 || dy < 1 ||
      max_rows < 2)
    return NULL;
  IxpCritic *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->cfg = *cfg;
  c->max_rows = max_rows;
  c->width = cfg->hidden > cfg->embed ? cfg->hidden : cfg->embed;
  if (dx > c->width) c->width = dx;
  if (dy > c->width) c->width = dy;
  tower_layout(&c->t[0], dx, cfg, &c->np);
  tower_layout(&c->t[1], dy, cfg, &c->np);
  bool ok = (c->p = zalloc(c->np)) && (c->g = zalloc(c->np)) && (c->m = zalloc(c->np)) &&
            (c->v = zalloc(c->np)) && (c->s = zalloc(max_rows * max_rows)) &&
            (c->ds = zalloc(max_rows * max_rows));
  for (int k = 0; k < 4 && ok; k++) ok = (c->d[k] = zalloc(max_rows * c->width)) != NULL;
  for (int t = 0; t < 2 && ok; t++)
    for (int l = 0; l < c->t[t].nl && ok; l++) ok = (c->t[t].act[l] = zalloc(max_rows * c->t[t].out[l])) != NULL;
  if (!ok) {
    ixp_critic_free(c);
    return NULL;
  }
  c->b1t = c->b2t = 1;
  return c;
}

void ixp_critic_free(IxpCritic *c) {
  if (!c) return;
  for (int t = 0; t < 2; t++)
    for (int l = 0; l < c->t[t].nl; l++) free(c->t[t].act[l]);
  for (int k = 0; k < 4; k++) free(c->d[k]);
  free(c->p), free(c->g), free(c->m), free(c->v), free(c->s), free(c->ds);
  free(c);
}

void ixp_critic_init(IxpCritic *c, uint64_t key) {
  memset(c->p, 0, sizeof(double) * (size_t)c->np);
  for (int t = 0; t < 2; t++) {
    const Tower *w = &c->t[t];
    for (int l = 0; l < w->nl; l++) {
      long count = (long)w->in[l] * w->out[l];
      /* The output layer starts small, so that the first scores g . h are
       * of order 0.1 whatever the embedding's size: a large start makes
       * NWJ's e^{S - 1} terms explode before training begins. */
      double sd = l < w->nl - 1 ? sqrt(2.0 / w->in[l]) : sqrt(0.3 / (w->in[l] * sqrt((double)c->cfg.embed)));
      double *wl = c->p + w->w_off[l];
      /* Each weight is the draw numbered by its place in the vector. */
      ixp_rng_normals(key, (uint64_t)w->w_off[l], wl, count);
      for (long k = 0; k < count; k++) wl[k] *= sd;
    }
  }
  memset(c->m, 0, sizeof(double) * (size_t)c->np);
  memset(c->v, 0, sizeof(double) * (size_t)c->np);
  c->b1t = c->b2t = 1;
}

long ixp_critic_nparams(const IxpCritic *c) { return c->np; }
double *ixp_critic_params(IxpCritic *c) { return c->p; }
const double *ixp_critic_grad(const IxpCritic *c) { return c->g; }
double ixp_critic_flops(const IxpCritic *c) { return c->flops[0] + c->flops[1] + c->flops[2]; }

/* --- forward and backward ----------------------------------------------- */

/* C = op(A) op(B) on BLIS (dense.h: the same bits at every thread count). */
static void mm(double *flops, bool ta, bool tb, long m, long n, long k, const double *a, long lda, const double *b,
               long ldb, double *out, long ldc) {
  (void)ixp_dense_gemm(ta, tb, m, n, k, 1.0, a, lda, b, ldb, 0.0, out, ldc);
  *flops += 2.0 * (double)m * (double)n * (double)k;
}

/* Threads for the two towers of a batch of b rows: 2 when the machine
 * has them idle and the work pays (threads.h). Each tower's arithmetic is
 * the same on any thread, so the count changes only the time. */
static int tower_threads(const IxpCritic *c, long b) {
  double per_row = 0;
  for (int t = 0; t < 2; t++)
    for (int l = 0; l < c->t[t].nl; l++) per_row += 6.0 * c->t[t].in[l] * c->t[t].out[l];
  int n = ixp_threads_for(per_row * (double)b, TOWER_THREAD_FLOPS);
  return n > 2 ? 2 : n;
}

/* The tower's output (b x embed) for b input rows. */
static const double *tower_forward(IxpCritic *c, int t, const double *in, long b) {
  const Tower *w = &c->t[t];
  const double *prev = in;
  for (int l = 0; l < w->nl; l++) {
    int i = w->in[l], o = w->out[l];
    double *z = w->act[l];
    const double *bias = c->p + w->b_off[l];
    mm(&c->flops[t], false, false, b, o, i, prev, i, c->p + w->w_off[l], o, z, o);
    bool relu = l < w->nl - 1;
    for (long r = 0; r < b; r++)
      for (int j = 0; j < o; j++) {
        double v = z[r * o + j] + bias[j];
        z[r * o + j] = relu ? (v > 0 ? v : 0) : v;
      }
    prev = z;
  }
  return prev;
}

/* Back-propagate d(objective)/d(output) (delta, b x embed) through the
 * tower into the gradient; `spare` is a second buffer of the same size.
 * Both are overwritten. */
static void tower_backward(IxpCritic *c, int t, const double *in, long b, double *delta, double *spare) {
  const Tower *w = &c->t[t];
  for (int l = w->nl - 1; l >= 0; l--) {
    int i = w->in[l], o = w->out[l];
    const double *input = l > 0 ? w->act[l - 1] : in;
    mm(&c->flops[t], true, false, i, o, b, input, i, delta, o, c->g + w->w_off[l], o);
    double *gb = c->g + w->b_off[l];
    memset(gb, 0, sizeof(double) * (size_t)o);
    for (long r = 0; r < b; r++) /* rows in order: a fixed sum for each unit */
      for (int j = 0; j < o; j++) gb[j] += delta[r * o + j];
    if (l == 0) break;
    mm(&c->flops[t], false, true, b, i, o, delta, o, c->p + w->w_off[l], o, spare, i);
    const double *a = w->act[l - 1];
    for (long k = 0; k < b * i; k++)
      if (!(a[k] > 0)) spare[k] = 0;
    double *tmp = delta;
    delta = spare;
    spare = tmp;
  }
}

/* --- bounds ------------------------------------------------------------- */

static double softplus(double x) { return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)); }
static double sigmoid(double x) {
  if (x >= 0) return 1 / (1 + exp(-x));
  double e = exp(x);
  return e / (1 + e);
}

/* log sum_j e^{row_j}, the maximum taken out first. */
static double log_sum_exp(const double *row, long b) {
  double mx = row[0];
  for (long j = 1; j < b; j++)
    if (row[j] > mx) mx = row[j];
  IxpKSum k = {0, 0};
  for (long j = 0; j < b; j++) ixp_ksum_add(&k, exp(row[j] - mx));
  return mx + log(ixp_ksum_value(k));
}

/* The training objective on scores s (b x b), and when ds is not NULL its
 * gradient with respect to each score. */
static double objective_of_scores(IxpCriticBound bound, const double *s, long b, double *ds) {
  double fb = (double)b, pairs = fb * (fb - 1);
  IxpKSum pos = {0, 0}, neg = {0, 0};
  for (long i = 0; i < b; i++) {
    const double *row = s + i * b;
    double *drow = ds ? ds + i * b : NULL;
    double sii = row[i];
    if (bound == IXP_CRITIC_INFONCE) {
      double lse = log_sum_exp(row, b);
      ixp_ksum_add(&pos, sii - lse);
      if (drow) {
        for (long j = 0; j < b; j++) drow[j] = -exp(row[j] - lse) / fb;
        drow[i] += 1 / fb;
      }
      continue;
    }
    if (bound == IXP_CRITIC_NWJ) {
      ixp_ksum_add(&pos, sii);
      if (drow) drow[i] = 1 / fb;
      for (long j = 0; j < b; j++) {
        if (j == i) continue;
        double e = exp(row[j]);
        ixp_ksum_add(&neg, e);
        if (drow) drow[j] = -e / pairs;
      }
      continue;
    }
    /* SMILE trains on the Jensen-Shannon objective (Song & Ermon 2020). */
    ixp_ksum_add(&pos, -softplus(-sii));
    if (drow) drow[i] = sigmoid(-sii) / fb;
    for (long j = 0; j < b; j++) {
      if (j == i) continue;
      ixp_ksum_add(&neg, softplus(row[j]));
      if (drow) drow[j] = -sigmoid(row[j]) / pairs;
    }
  }
  double value = ixp_ksum_value(pos) / fb - ixp_ksum_value(neg) / pairs;
  return bound == IXP_CRITIC_INFONCE ? value + log(fb) : bound == IXP_CRITIC_NWJ ? value + 1 : value;
}

/* Both towers' outputs for b rows, and the scores into s (b x b). */
static void forward(IxpCritic *c, const double *x, const double *y, long b, double *s, const double *out[2]) {
  int e = c->cfg.embed;
#pragma omp parallel for num_threads(tower_threads(c, b)) schedule(static, 1)
  for (int t = 0; t < 2; t++) out[t] = tower_forward(c, t, t ? y : x, b);
  mm(&c->flops[2], false, true, b, b, e, out[0], e, out[1], e, s, b);
}

double ixp_critic_objective(IxpCritic *c, const double *x, const double *y, long b, bool grad) {
  int e = c->cfg.embed;
  const double *out[2];
  forward(c, x, y, b, c->s, out);
  double value = objective_of_scores(c->cfg.bound, c->s, b, grad ? c->ds : NULL);
  if (!grad) return value;
  /* d/dg(x_i) = sum_j dS_ij h(y_j), d/dh(y_j) = sum_i dS_ij g(x_i); each
   * tower then back-propagates its own, into its own part of the gradient. */
#pragma omp parallel for num_threads(tower_threads(c, b)) schedule(static, 1)
  for (int t = 0; t < 2; t++) {
    mm(&c->flops[t], t == 1, false, b, e, b, c->ds, b, out[1 - t], e, c->d[t], e);
    tower_backward(c, t, t ? y : x, b, c->d[t], c->d[2 + t]);
  }
  return value;
}

void ixp_critic_scores(IxpCritic *c, const double *x, const double *y, long b, double *s) {
  const double *out[2];
  forward(c, x, y, b, s, out);
}

/* --- evaluation ---------------------------------------------------------- */

/* Each row's positive score and its negative part on a block's scores:
 * InfoNCE log (1/k) sum_j e^{S_ij}; NWJ (1/(k-1)) sum_{j != i} e^{S_ij};
 * SMILE (1/(k-1)) sum_{j != i} clip(e^{S_ij}). */
static void block_terms(const IxpCriticConfig *cfg, const double *s, long k, double *diag, double *neg) {
  double tau = cfg->clip;
  /* Each row's terms are its own sums, in column order, on any thread. */
#pragma omp parallel for num_threads(ixp_threads_for(20.0 * (double)k * (double)k, TOWER_THREAD_FLOPS)) schedule(static)
  for (long i = 0; i < k; i++) {
    const double *row = s + i * k;
    diag[i] = row[i];
    if (cfg->bound == IXP_CRITIC_INFONCE) {
      neg[i] = log_sum_exp(row, k) - log((double)k);
      continue;
    }
    IxpKSum sum = {0, 0};
    for (long j = 0; j < k; j++) {
      if (j == i) continue;
      double v = row[j];
      if (cfg->bound == IXP_CRITIC_SMILE && tau > 0)
        v = v < -tau ? -tau : v > tau ? tau : v;
      ixp_ksum_add(&sum, exp(v));
    }
    neg[i] = ixp_ksum_value(sum) / (double)(k - 1);
  }
}

/* The bound on m rows (x m x dx, y m x dy) in blocks of at most
 * EVAL_BLOCK, and the standard error of its terms when se is not NULL.
 * diag and neg: room for m values. */
/* The constant of each bound's terms: NWJ's critic is f = S + 1 (see
 * critic.h); SMILE's delta-method terms S_ii - neg_i / zbar average to
 * mean(S_ii) - 1. */
static double cfg_offset(IxpCriticBound bound) { return bound == IXP_CRITIC_INFONCE ? 0 : 1; }

static double evaluate(IxpCritic *c, const double *x, int dx, const double *y, int dy, long m, double *diag,
                       double *neg, double *se) {
  long nb = (m + EVAL_BLOCK - 1) / EVAL_BLOCK;
  for (long k = 0; k < nb; k++) {
    long lo = k * m / nb, hi = (k + 1) * m / nb;
    ixp_critic_scores(c, x + lo * dx, y + lo * dy, hi - lo, c->s);
    block_terms(&c->cfg, c->s, hi - lo, diag + lo, neg + lo);
  }
  bool smile = c->cfg.bound == IXP_CRITIC_SMILE;
  double zbar = smile ? ixp_ksum_array(neg, m) / (double)m : 1;
  /* The terms whose mean is the bound (for SMILE, the delta method's
   * linearisation of the log of the mean). */
  IxpKSum sum = {0, 0};
  for (long i = 0; i < m; i++) ixp_ksum_add(&sum, smile ? diag[i] - neg[i] / zbar : diag[i] - neg[i]);
  double mean = ixp_ksum_value(sum) / (double)m;
  if (se) {
    IxpKSum ss = {0, 0};
    for (long i = 0; i < m; i++) {
      double t = (smile ? diag[i] - neg[i] / zbar : diag[i] - neg[i]) - mean;
      ixp_ksum_add(&ss, t * t);
    }
    *se = sqrt(ixp_ksum_value(ss) / (double)(m - 1) / (double)m);
  }
  return cfg_offset(c->cfg.bound) + (smile ? mean - log(zbar) : mean);
}

/* --- training ------------------------------------------------------------ */

static void adam_step(IxpCritic *c) {
  double lr = c->cfg.lr;
  c->b1t *= ADAM_B1;
  c->b2t *= ADAM_B2;
  double c1 = 1 / (1 - c->b1t), c2 = 1 / (1 - c->b2t);
  for (long k = 0; k < c->np; k++) {
    double g = c->g[k];
    c->m[k] = ADAM_B1 * c->m[k] + (1 - ADAM_B1) * g;
    c->v[k] = ADAM_B2 * c->v[k] + (1 - ADAM_B2) * g * g;
    c->p[k] += lr * (c->m[k] * c1) / (sqrt(c->v[k] * c2) + ADAM_EPS); /* ascent: the bound is maximised */
  }
}

/* Rows idx[0 .. b) of src (d columns) into dst. */
static void gather(const double *src, int d, const long *idx, long b, double *dst) {
  for (long r = 0; r < b; r++) memcpy(dst + r * d, src + idx[r] * d, sizeof(double) * (size_t)d);
}

long ixp_critic_min_rows(const IxpCriticConfig *cfg) { return cfg->patience > 0 ? 6 : 4; }

typedef struct {
  double *xs, *ys;        /* all rows, permuted: train, then validation, then held out */
  long *perm, *order;     /* the split's permutation; the current epoch's order of training rows */
  double *bx, *by;        /* a minibatch */
  double *diag, *neg;     /* per-row terms of an evaluation */
  double *best;           /* the best parameters so far */
} Work;

static void work_free(Work *w) {
  free(w->xs), free(w->ys), free(w->perm), free(w->order), free(w->bx), free(w->by);
  free(w->diag), free(w->neg), free(w->best);
}

/* Train c on the first `train` rows of w, watching the `val` rows after
 * them; returns ESTOPPED when stopped. */
static IxpCriticStatus train_critic(IxpCritic *c, Work *w, int dx, int dy, long train, long val, long batch,
                                    uint64_t key, const volatile sig_atomic_t *stop, IxpCriticResult *out) {
  const IxpCriticConfig *cfg = &c->cfg;
  const double *vx = w->xs + train * dx, *vy = w->ys + train * dy;
  double best = -INFINITY;
  int worse = 0;
  if (val > 0) {
    best = evaluate(c, vx, dx, vy, dy, val, w->diag, w->neg, NULL);
    memcpy(w->best, c->p, sizeof(double) * (size_t)c->np);
  }
  long pos = train, epoch = 0;
  for (long step = 1; step <= cfg->steps; step++) {
    if (stop && *stop) return IXP_CRITIC_ESTOPPED;
    if (pos + batch > train) { /* a new epoch: the training rows in a fresh order */
      ixp_rng_permutation(ixp_rng_key(key, STREAM_EPOCH, (uint64_t)epoch++), w->order, train);
      pos = 0;
    }
    gather(w->xs, dx, w->order + pos, batch, w->bx);
    gather(w->ys, dy, w->order + pos, batch, w->by);
    pos += batch;
    double obj = ixp_critic_objective(c, w->bx, w->by, batch, true);
    if (!isfinite(obj)) break; /* diverged: keep the best weights seen */
    adam_step(c);
    out->steps = step;
    if (val == 0 || step % cfg->eval_every != 0) continue;
    double v = evaluate(c, vx, dx, vy, dy, val, w->diag, w->neg, NULL);
    if (v > best) {
      best = v, worse = 0, out->best_step = step;
      memcpy(w->best, c->p, sizeof(double) * (size_t)c->np);
    } else if (++worse >= cfg->patience)
      break;
  }
  if (val > 0) memcpy(c->p, w->best, sizeof(double) * (size_t)c->np);
  else out->best_step = out->steps;
  return IXP_CRITIC_OK;
}

IxpCriticStatus ixp_critic_estimate(const double *x, int dx, const double *y, int dy, long n,
                                    const IxpCriticConfig *cfg, uint64_t key,
                                    const volatile sig_atomic_t *stop, IxpCriticResult *out) {
  memset(out, 0, sizeof *out);
  out->value = out->se = NAN;
  long held = lround(cfg->split * (double)n);
  long val = cfg->patience > 0 ? (n - held) / 10 : 0;
  if (cfg->patience > 0 && val < 2) val = 2;
  long train = n - held - val;
  if (held < 2 || train < 2) return IXP_CRITIC_EROWS;
  long batch = cfg->batch < train ? cfg->batch : train;
  long evalmax = held > val ? held : val;
  if (evalmax > EVAL_BLOCK) evalmax = EVAL_BLOCK;
  IxpCritic *c = ixp_critic_new(dx, dy, cfg, batch > evalmax ? batch : evalmax);
  Work w = {0};
  size_t nz = (size_t)n;
  bool ok = c && (w.xs = malloc(sizeof(double) * nz * (size_t)dx)) && (w.ys = malloc(sizeof(double) * nz * (size_t)dy)) &&
            (w.perm = malloc(sizeof(long) * nz)) && (w.order = malloc(sizeof(long) * (size_t)train)) &&
            (w.bx = malloc(sizeof(double) * (size_t)(batch * dx))) &&
            (w.by = malloc(sizeof(double) * (size_t)(batch * dy))) && (w.diag = malloc(sizeof(double) * nz)) &&
            (w.neg = malloc(sizeof(double) * nz)) && (w.best = malloc(sizeof(double) * (size_t)c->np));
  IxpCriticStatus st = IXP_CRITIC_ENOMEM;
  if (ok) {
    ixp_rng_permutation(ixp_rng_key(key, STREAM_SPLIT, 0), w.perm, n);
    gather(x, dx, w.perm, n, w.xs);
    gather(y, dy, w.perm, n, w.ys);
    ixp_critic_init(c, ixp_rng_key(key, STREAM_INIT, 0));
    st = train_critic(c, &w, dx, dy, train, val, batch, key, stop, out);
  }
  if (st == IXP_CRITIC_OK) {
    long at = train + val;
    out->value = evaluate(c, w.xs + at * dx, dx, w.ys + at * dy, dy, held, w.diag, w.neg, &out->se);
    out->heldout = held, out->train = train, out->validation = val;
    out->flops = ixp_critic_flops(c);
    if (!isfinite(out->value)) st = IXP_CRITIC_ENOTFINITE;
  }
  work_free(&w);
  ixp_critic_free(c);
  return st;
}
