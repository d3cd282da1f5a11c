/* measures_data.c — measures on datasets: the estimator named by `using`.
 *
 *   entropy(x) in d using miller_madow              discrete estimators on counts
 *   mi(x; y) in d using plugin(bins = 8)            continuous columns binned first
 *   mi(x; y | z) in d using ksg(k = 4)              kNN (KSG, Frenzel–Pompe)
 *   entropy(x) in d using kl(k = 4)                 Kozachenko–Leonenko
 *   mi(x; y) in d using gaussian                    parametric, log-determinants
 *   mi(x; y) in d using gaussian(bias = 1)          the same, each log-det's finite-sample bias removed
 *   mi(x; y) in d using ksg with permutations(200)  + a permutation p-value
 *   mi(x; y | z) in d using gaussian with surrogates(200, method = shift)
 *                                                   + a p-value from time-series surrogates
 *
 * Discrete estimators keep the measure's own lowering (a combination of
 * entropies) and only change how each entropy is computed; the others
 * lower to one kernel on the raw columns. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "estimator.h"
#include "estimators.h"
#include "gaussian.h"
#include "knn.h"
#include "knn_extra.h"
#include "measures.h"
#include "measures_multiplets.h"
#include "measures_pid.h"
#include "measures_knn.h"
#include "model.h"
#include "progress.h"
#include "rng.h"
#include "runtime.h"
#include "surrogates.h"

typedef enum { EST_KSG, EST_KL, EST_GAUSSIAN } Continuous;

typedef struct {
  Continuous kind;
  IxpModelDef *model;
  IxpVarSet x, y, z;         /* groups: entropy uses x; mi uses x, y (and z) */
  IxpKnnOptions knn;
  int surrogates;            /* 0: no surrogate test (permutations(n) is method permute) */
  IxpSurrogateMethod method;
  long block;                /* rows per block (method block; 0: a tenth of a trial) */
  bool chi2;                 /* gaussian mi: the chi-squared p-value of 2 N I */
  int bootstrap;             /* resamples for a percentile interval (0: none) */
  bool local;                /* `local`: one value per row (a vector) */
  bool bias;                 /* gaussian(bias = 1): each log-determinant less its bias */
  bool stderr_;              /* `with stderr`: {value, stderr} by the jackknife */
  bool lnc;                  /* ksg: the local non-uniformity correction (knn_extra.h) */
  double alpha;              /* its threshold (0: the authors' table for k and the dimension) */
  double order;              /* kl's entropy(X, alpha = a): a (1: Shannon, Kozachenko-Leonenko) */
  bool tsallis;              /* ... of Tsallis's kind (no units), else Rényi's */
  uint64_t position;
} Payload;

/* A whole-number option value of a `using` or `with` call. */
static bool int_option(IxpLowering *lw, IxpAst *arg, int lo, int hi, int *out) {
  IxpAst *v = arg->a;
  if (v->kind != AST_NUM || v->num != floor(v->num) || v->num < lo || v->num > hi)
    return ixp_lower_error(lw, v->span, "%s is a whole number from %d to %d", arg->str ? arg->str : "this", lo, hi);
  *out = (int)v->num;
  return true;
}

/* Groups X ; Y | Z of the arguments. */
static int sides(IxpLowering *lw, IxpVarSet *x, IxpVarSet *y, IxpVarSet *z) {
  static const IxpOp seps[] = {SEP_SEMI, SEP_BAR};
  int *side = ixp_arena_alloc(lw->arena, (size_t)(lw->nargs ? lw->nargs : 1) * sizeof *side);
  int n = ixp_lower_sides(lw, seps, 2, side);
  *x = ixp_lower_side_set(lw, side, 0);
  *y = ixp_lower_side_set(lw, side, 1);
  *z = ixp_lower_side_set(lw, side, 2);
  return n < 0 ? -1 : n - 1;
}

/* The rows as a joint register; a dataset of more columns than a joint
 * holds is measured through a view of the columns read (whose indices
 * the rule's sets then use). */
static bool data_joint(IxpLowering *lw) {
  if (!ixp_lower_measured_vars(lw, &lw->plan->src[0])) return false;
  lw->joint = ixp_plan_joint(lw->plan, 0);
  return true;
}

/* A variable that is continuous where a discrete estimator needs bins. */
static bool unbinned_continuous(IxpLowering *lw, int bins, int *arg) {
  for (int i = 0; i < lw->nargs; i++)
    if (lw->model->continuous[lw->args[i].var] && bins == 0) {
      *arg = i;
      return true;
    }
  return false;
}

/* Discrete estimators: the measure's own rule, on a plan whose entropies
 * are estimated from counts (continuous columns binned), as the plan's
 * counting says from the start. */
static bool lower_discrete(IxpLowering *lw, IxpDiscreteEstimator est, int bins, int how, int alphabet) {
  int i;
  if (unbinned_continuous(lw, bins, &i))
    return ixp_lower_error(lw, lw->args[i].node->span,
                           "'%s' is continuous: estimate with ksg, kl or gaussian, or bin it (using %s(bins = 8))",
                           lw->model->vars[lw->args[i].var].name, ixp_est_name(est));
  lw->plan->counting = (IxpCounting){.estimator = est == IXP_EST_PLUGIN ? -1 : (int)est,
                                     .alphabet = est == IXP_EST_PLUGIN ? 0 : alphabet, .bins = bins, .binning = how};
  return data_joint(lw) && lw->measure->lower(lw);
}

static bool discrete_options(IxpLowering *lw, int *bins, int *how, int *alphabet) {
  for (int i = 0; lw->method && i < lw->method->nitems; i++) {
    IxpAst *arg = lw->method->items[i];
    if (arg->str && !strcmp(arg->str, "bins")) {
      if (!int_option(lw, arg, 2, 1 << 20, bins)) return false;
    } else if (arg->str && !strcmp(arg->str, "binning") && arg->a->kind == AST_NAME &&
               (!strcmp(arg->a->str, "width") || !strcmp(arg->a->str, "quantile"))) {
      *how = !strcmp(arg->a->str, "quantile");
    } else if (arg->str && !strcmp(arg->str, "alphabet")) {
      if (!int_option(lw, arg, 1, 1 << 30, alphabet)) return false;
    } else {
      return ixp_lower_error(lw, arg->span, "discrete estimators take bins = N, binning = width | quantile and alphabet = K");
    }
  }
  return true;
}

/* The neighbour-search option's names, in IxpIndexKind order. */
static const char *const index_names[] = {"auto", "kdtree", "brute", "lists", "grid"};

/* index = auto | kdtree | brute | lists | grid (lists: ksg's mi(X; Y)
 * only; grid: a 2-D joint space only). */
static bool index_option(IxpLowering *lw, IxpAst *arg, Payload *p) {
  IxpAst *v = arg->a;
  for (int i = 0; v->kind == AST_NAME && i < (int)(sizeof index_names / sizeof *index_names); i++)
    if (!strcmp(v->str, index_names[i])) {
      if (i == IXP_INDEX_LISTS && (p->kind != EST_KSG || !ixp_set_empty(p->z)))
        return ixp_lower_error(lw, v->span, "index = lists is for ksg's mi(X; Y) (no condition)");
      int dims = ixp_set_count(p->x) + ixp_set_count(p->y) + ixp_set_count(p->z);
      if (i == IXP_INDEX_GRID && dims != 2)
        return ixp_lower_error(lw, v->span, "index = grid needs a 2-D joint space (mi of one column on each side, "
                                            "or entropy of two columns); this one has %d", dims);
      p->knn.index = (IxpIndexKind)i;
      return true;
    }
  return ixp_lower_error(lw, v->span, "index is auto, kdtree, brute, lists or grid");
}

static bool knn_options(IxpLowering *lw, Payload *p) {
  for (int i = 0; i < lw->method->nitems; i++) {
    IxpAst *arg = lw->method->items[i];
    const char *name = arg->str ? arg->str : "";
    bool ok = true;
    int flag = 0;
    if (!strcmp(name, "k")) ok = int_option(lw, arg, 1, 1000, &p->knn.k);
    else if (!strcmp(name, "variant") && p->kind == EST_KSG) ok = int_option(lw, arg, 1, 2, &p->knn.variant);
    else if (!strcmp(name, "rescale")) ok = int_option(lw, arg, 0, 1, &flag), p->knn.no_rescale = !flag;
    else if (!strcmp(name, "copula")) ok = int_option(lw, arg, 0, 1, &flag), p->knn.copula = flag;
    else if (!strcmp(name, "noise") && arg->a->kind == AST_NUM && arg->a->num >= 0) p->knn.noise = arg->a->num;
    else if (!strcmp(name, "index")) ok = index_option(lw, arg, p);
    else if (!strcmp(name, "theiler")) ok = int_option(lw, arg, 0, 1000000000, &flag), p->knn.theiler = flag;
    else if (!strcmp(name, "lnc") && p->kind == EST_KSG) ok = int_option(lw, arg, 0, 1, &flag), p->lnc = flag;
    else if (!strcmp(name, "alpha") && p->kind == EST_KSG)
      ok = arg->a->kind == AST_NUM && arg->a->num > 0 && arg->a->num <= 1 ? (p->alpha = arg->a->num, true)
           : ixp_lower_error(lw, arg->a->span, "alpha (lnc's threshold) is a number in (0, 1]");
    else
      return ixp_lower_error(lw, arg->span, "kNN options: k = 4, variant = 1 | 2 (ksg), rescale = 0 | 1, copula = 0 | 1, "
                                            "noise = 1e-10, index = auto | kdtree | brute | lists | grid, theiler = 0, "
                                            "lnc = 0 | 1 and alpha (ksg)");
    if (!ok) return false;
  }
  if (p->kind == EST_KL && p->knn.copula)  /* ranks are an even grid whatever the data: its entropy, not the data's */
    return ixp_lower_error(lw, lw->method->span, "kl does not take copula = 1: entropy changes under the rank transform "
                                                 "(the ranks' entropy is that of a uniform grid, not of the data); "
                                                 "copula = 1 is for ksg, whose mi it leaves unchanged");
  if (p->alpha && !p->lnc) return ixp_lower_error(lw, lw->method->span, "alpha is lnc's threshold: add lnc = 1");
  if (p->lnc && p->knn.variant == 1)
    return ixp_lower_error(lw, lw->method->span, "lnc = 1 corrects KSG's algorithm 2 (its boxes): drop variant = 1");
  if (p->lnc) p->knn.variant = 2;
  if (p->knn.theiler && p->knn.index != IXP_INDEX_AUTO && p->knn.index != IXP_INDEX_KDTREE)
    return ixp_lower_error(lw, lw->method->span, "theiler = w needs the k-d tree: index = auto or kdtree");
  return true;
}

extern const IxpKernel ixp_kernel_estimate;

/* gaussian(bias = 0 | 1). */
static bool gaussian_options(IxpLowering *lw, Payload *p) {
  for (int i = 0; i < lw->method->nitems; i++) {
    IxpAst *arg = lw->method->items[i];
    int flag = 0;
    if (!arg->str || strcmp(arg->str, "bias")) return ixp_lower_error(lw, arg->span, "gaussian takes bias = 0 | 1");
    if (!int_option(lw, arg, 0, 1, &flag)) return false;
    p->bias = flag;
  }
  return true;
}

/* A surrogate test: permutations(n), or surrogates(n, method = M,
 * block = L). Fills the count, the method and the block length. */
bool ixp_data_surrogate_test(IxpLowering *lw, IxpAst *test, int *count, IxpSurrogateMethod *method, long *block) {
  bool surr = !strcmp(test->str, "surrogates");
  *method = IXP_SURR_PERMUTE, *block = 0;
  if (!test->nitems || test->items[0]->str || (!surr && test->nitems != 1))
    return ixp_lower_error(lw, test->span, surr ? "the test is surrogates(n, method = shift | circular | block | trials | "
                                                  "permute, block = L)" : "the test is permutations(n)");
  if (!int_option(lw, test->items[0], 1, 1000000, count)) return false;
  if (surr) *method = IXP_SURR_SHIFT;
  IxpAst *block_arg = NULL;
  for (int i = 1; i < test->nitems; i++) {
    IxpAst *arg = test->items[i];
    const char *name = arg->str ? arg->str : "";
    if (!strcmp(name, "method")) {
      if (arg->a->kind != AST_NAME || !ixp_surrogate_method_by_name(arg->a->str, method))
        return ixp_lower_error(lw, arg->a->span, "the surrogate method is shift, circular, block, trials or permute");
    } else if (!strcmp(name, "block")) {
      int b;
      if (!int_option(lw, arg, 1, 1 << 30, &b)) return false;
      *block = b, block_arg = arg;
    } else {
      return ixp_lower_error(lw, arg->span, "surrogates(n) takes method = shift | circular | block | trials | permute "
                                            "and block = L");
    }
  }
  if (block_arg && *method != IXP_SURR_BLOCK)
    return ixp_lower_error(lw, block_arg->span, "block = L is for method = block");
  return true;
}

/* Whether a `with` call is a surrogate test. */
static bool is_surrogate_test(const IxpAst *test) {
  return !strcmp(test->str, "permutations") || !strcmp(test->str, "surrogates");
}

/* ksg, kl and gaussian: one kernel on the raw columns. */
static bool lower_continuous(IxpLowering *lw, Continuous kind) {
  Payload *p = ixp_arena_alloc(lw->arena, sizeof *p);
  p->kind = kind;
  p->model = lw->model;
  p->position = lw->position;
  int k = sides(lw, &p->x, &p->y, &p->z);
  bool entropy = lw->measure->estimand == IXP_ESTIMAND_ENTROPY, mi = lw->measure->estimand == IXP_ESTIMAND_MI;
  if (kind == EST_KL && !(entropy && k == 0)) return ixp_lower_error(lw, lw->call->span, "kl estimates entropy(X)");
  if (kind == EST_KSG && !(mi && k >= 1 && !(k == 2 && ixp_set_empty(p->y))))
    return ixp_lower_error(lw, lw->call->span, "ksg estimates mi(X; Y) and mi(X; Y | Z)");
  if (kind == EST_GAUSSIAN && !((entropy && k == 0) || (mi && k >= 1)))
    return ixp_lower_error(lw, lw->call->span, "gaussian estimates entropy(X), mi(X; Y) and mi(X; Y | Z)");
  if (kind != EST_GAUSSIAN && !knn_options(lw, p)) return false;
  if (kind == EST_GAUSSIAN && !gaussian_options(lw, p)) return false;
  p->order = 1;
  if (entropy && !ixp_entropy_order(lw, &p->order, &p->tsallis)) return false;
  if (p->order != 1 && (lw->local || (lw->test && strcmp(lw->test->str, "stderr"))))
    return ixp_lower_error(lw, lw->local ? lw->call->span : lw->test->span, "an entropy of order alpha takes no local "
                                                                            "values and no test but with stderr");
  if (p->order != 1 && p->order >= (p->knn.k ? p->knn.k : 4) + 1)  /* Gamma(k + 1 - alpha) of Leonenko et al. */
    return ixp_lower_error(lw, lw->call->span, "the kNN entropy of order alpha needs alpha < k + 1 (k = %d): raise k",
                           p->knn.k ? p->knn.k : 4);
  if (p->lnc && k != 1) return ixp_lower_error(lw, lw->call->span, "lnc = 1 corrects ksg's mi(X; Y) (no condition)");
  if (p->lnc && lw->test && is_surrogate_test(lw->test))
    return ixp_lower_error(lw, lw->test->span, "lnc = 1 takes no surrogate test (with stderr gives its standard error)");
  IxpAst *test = lw->test;
  if (lw->local) {
    if (test) return ixp_lower_error(lw, test->span, "local values take no test");
    p->local = true;
    lw->plan->type = TY_VEC;
  }
  if (test && !strcmp(test->str, "stderr")) {
    if (test->nitems) return ixp_lower_error(lw, test->span, "stderr takes nothing: with stderr");
    p->stderr_ = true;
    static const char *const fields[] = {"value", "stderr", NULL};
    lw->plan->type = TY_RECORD;
    lw->plan->fields = fields;
  } else if (test && !strcmp(test->str, "chi2")) {  /* the analytic null of a Gaussian MI */
    if (kind != EST_GAUSSIAN || !mi || test->nitems) return ixp_lower_error(lw, test->span, "chi2 tests gaussian's mi: with chi2");
    p->chi2 = true;
    static const char *const fields[] = {"value", "p", NULL};
    lw->plan->type = TY_RECORD;
    lw->plan->fields = fields;
  } else if (test && !strcmp(test->str, "bootstrap")) {
    if (test->nitems != 1 || test->items[0]->str) return ixp_lower_error(lw, test->span, "the test is bootstrap(n)");
    if (kind != EST_GAUSSIAN)  /* resampled rows repeat, and repeated rows are spurious nearest neighbours */
      return ixp_lower_error(lw, test->span, "bootstrap resamples rows with repeats, which biases kNN estimators upwards; "
                                  "bootstrap(n) is for the gaussian estimator (test ksg with permutations(n))");
    if (!int_option(lw, test->items[0], 2, 1000000, &p->bootstrap)) return false;
    static const char *const fields[] = {"value", "low", "high", "std", NULL};
    lw->plan->type = TY_RECORD;
    lw->plan->fields = fields;
  } else if (test) {
    if (!is_surrogate_test(test))
      return ixp_lower_error(lw, test->span, "the test is stderr, permutations(n), surrogates(n, method = ...), "
                                             "bootstrap(n) (gaussian) or chi2 (gaussian)");
    if (!mi) return ixp_lower_error(lw, test->span, "%s(n) tests mi(X; Y) and mi(X; Y | Z)", test->str);
    if (p->knn.theiler) return ixp_lower_error(lw, test->span, "%s(n) does not take a Theiler window", test->str);
    if (!ixp_data_surrogate_test(lw, test, &p->surrogates, &p->method, &p->block)) return false;
    static const char *const fields[] = {"value", "p", "null_mean", "null_std", NULL};
    lw->plan->type = TY_RECORD;
    lw->plan->fields = fields;
  }
  lw->plan->result = ixp_plan_kernel(lw->plan, ixp_plan_rows(lw->plan, 0), &ixp_kernel_estimate, p);
  return true;
}

static IxpValue record(IxpSession *s, const char *const *names, const double *v, int n);

/* mi(X; Y | Z) with a discrete estimator and a surrogate test: a kernel
 * that estimates I from counts and recounts only the joints holding the
 * resampled Y for each surrogate (H(X Z), H(Z) and H(Y) do not change). */
typedef struct {
  IxpVarSet x, y, z;         /* of the joint's variables */
  IxpDiscreteEstimator est;
  int alphabet, permutations, bootstrap;
  IxpSurrogateMethod method;
  long block;
  IxpModelDef *data;         /* the dataset (its trials) */
  uint64_t position;
} DiscreteTest;

extern const IxpKernel ixp_kernel_discrete_test;

static bool lower_discrete_test(IxpLowering *lw, IxpDiscreteEstimator est, int bins, int how, int alphabet) {
  DiscreteTest *t = ixp_arena_alloc(lw->arena, sizeof *t);
  IxpAst *test = lw->test;
  t->data = lw->model;
  lw->plan->counting.bins = bins, lw->plan->counting.binning = how;
  if (!data_joint(lw)) return false;
  bool boot = !strcmp(test->str, "bootstrap");
  int k = lw->measure->estimand == IXP_ESTIMAND_MI ? sides(lw, &t->x, &t->y, &t->z) : -1;
  if (k < 1 || (k == 2 && ixp_set_empty(t->y)) || (boot && k != 1))
    return ixp_lower_error(lw, test->span, boot ? "bootstrap(n) of a discrete estimate applies to mi(X; Y)"
                                                : "tests of discrete estimates apply to mi(X; Y) and mi(X; Y | Z)");
  if (!boot && !is_surrogate_test(test))
    return ixp_lower_error(lw, test->span, "the test of a discrete estimator is permutations(n), surrogates(n, "
                                           "method = ...) or bootstrap(n)");
  if (boot ? !int_option(lw, test->items[0], 2, 1000000, &t->bootstrap)
           : !ixp_data_surrogate_test(lw, test, &t->permutations, &t->method, &t->block))
    return false;
  int i;
  if (unbinned_continuous(lw, bins, &i))
    return ixp_lower_error(lw, lw->args[i].node->span, "this variable is continuous: bin it, or use ksg or gaussian");
  t->est = est;
  t->alphabet = alphabet;
  t->position = lw->position;
  static const char *const fields[] = {"value", "p", "null_mean", "null_std", NULL};
  static const char *const interval[] = {"value", "low", "high", "std", NULL};
  lw->plan->type = TY_RECORD;
  lw->plan->fields = boot ? interval : fields;
  lw->plan->result = ixp_plan_kernel(lw->plan, lw->joint, &ixp_kernel_discrete_test, t);
  return true;
}

/* Entropy (nats) of the rows of k code columns. */
static double count_entropy(IxpSession *s, const IxpPlanOp *op, const DiscreteTest *t, const uint32_t *const *cols,
                            int k, size_t n) {
  uint64_t *counts = NULL;
  size_t m = 0;
  double h = 0;
  IxpEstStatus st = ixp_count_rows(cols, k, n, &counts, &m);
  if (st == IXP_EST_OK) st = ixp_entropy_from_counts(t->est, counts, m, (size_t)t->alphabet > m ? (size_t)t->alphabet : m, &h);
  free(counts);
  if (st != IXP_EST_OK) ixp_plan_error(s, op->plan, "mi: %s", ixp_est_status_text(st));
  return h;
}


/* Row i of a bootstrap resample of n rows: drawn with replacement from
 * stream `key`. */
static size_t resampled_row(uint64_t key, size_t i, size_t n) {
  return (size_t)(ixp_rng_uniform(key, (uint64_t)i) * (double)n) % n;
}

/* One resample of a test or bootstrap: Ctrl-C stops here; the bar moves. */
static void resample_step(IxpSession *s, const IxpPlanOp *op, IxpProgress *bar, int r) {
  ixp_plan_poll_interrupt(s, op->plan);
  ixp_progress_update(bar, (uint64_t)r);
}

/* Percentile bootstrap of a discrete mi: rows drawn with replacement
 * (seeded), the estimate recomputed on each resample. */
static IxpValue discrete_bootstrap(IxpSession *s, const IxpPlanOp *op, const DiscreteTest *t, const uint32_t *const *xy,
                                   int dx, int dy, size_t n, double value) {
  int nb = t->bootstrap, k = dx + dy;
  IxpArena *a = ixp_session_tmp(s);
  uint32_t *cols[2 * IXP_MAX_VARS];  /* x and y are columns of one joint */
  for (int c = 0; c < k; c++) cols[c] = ixp_arena_alloc(a, (n ? n : 1) * sizeof *cols[c]);
  double *est = ixp_arena_alloc(a, (size_t)nb * sizeof *est);
  IxpProgress bar;
  ixp_progress_begin(&bar, "bootstrap", (uint64_t)nb, NULL);
  IxpArenaMark resample_start = ixp_arena_mark(a);
  for (int r = 0; r < nb; r++) {
    resample_step(s, op, &bar, r);
    uint64_t key = ixp_rng_key(ixp_stream_key(s, t->position, 0xb0d15c), (uint64_t)r, 0);
    for (size_t i = 0; i < n; i++) {
      size_t row = resampled_row(key, i, n);
      for (int c = 0; c < k; c++) cols[c][i] = xy[c][row];
    }
    const uint32_t *const *cc = (const uint32_t *const *)cols;
    est[r] = count_entropy(s, op, t, cc, dx, n) + count_entropy(s, op, t, cc + dx, dy, n) - count_entropy(s, op, t, cc, k, n);
    ixp_arena_release(a, resample_start);  /* the resample's counts */
  }
  ixp_progress_end(&bar);
  return ixp_data_interval(s, value, est, nb);
}

/* The surrogate plan of a dataset's rows (its trials), checked: a plan
 * that cannot draw (one trial for method trials, ...) is an error at the
 * measure. */
IxpSurrogatePlan ixp_data_surrogate_plan(IxpSession *s, const IxpPlanOp *op, IxpModelDef *data, IxpSurrogateMethod method,
                                       long block, long n, int count) {
  IxpSurrogatePlan plan = {.method = method, .n = n, .block = block, .count = count};
  plan.trial_start = ixp_data_trials(s, data, &plan.ntrials, op->plan->site->span);
  char msg[256];
  if (!ixp_surrogate_check(&plan, msg, sizeof msg)) ixp_plan_error(s, op->plan, "%s", msg);
  return plan;
}

/* The stream of a test's surrogates: permutations keep the stream they
 * always had (results of earlier versions stay); the time-series
 * methods draw from one of their own. */
uint64_t ixp_data_surrogate_key(IxpSession *s, uint64_t position, IxpSurrogateMethod method, uint64_t permute_purpose) {
  return ixp_stream_key(s, position, method == IXP_SURR_PERMUTE ? permute_purpose : 0x5a77 + (uint64_t)method);
}

IxpValue ixp_data_test_record(IxpSession *s, const IxpSurrogateTest *t) {
  static const char *const names[] = {"value", "p", "null_mean", "null_std"};
  double u = ixp_units_scale(s), v[4] = {t->value * u, t->p, t->null_mean * u, t->null_std * u};
  return record(s, names, v, 4);
}

static IxpValue discrete_test_run(IxpSession *s, const IxpPlanOp *op, const IxpReg *in) {
  const DiscreteTest *t = op->payload;
  const IxpJoint *j = in->joint;
  size_t n = j->n;
  const uint32_t *cols[3 * IXP_MAX_VARS] = {0};  /* X, Y, Z */
  uint32_t *perm_cols[IXP_MAX_VARS];
  int dx = 0, dy = 0, dz = 0;
  for (int v = 0; v < j->nvars; v++)
    if (ixp_set_has(t->x, v)) cols[dx++] = j->code[v];
  for (int v = 0; v < j->nvars; v++)
    if (ixp_set_has(t->y, v)) cols[dx + dy++] = j->code[v];
  for (int v = 0; v < j->nvars; v++)
    if (ixp_set_has(t->z, v)) cols[dx + dy + dz++] = j->code[v];
  if (t->bootstrap) {
    double value = count_entropy(s, op, t, cols, dx, n) + count_entropy(s, op, t, cols + dx, dy, n) -
                   count_entropy(s, op, t, cols, dx + dy, n);
    return discrete_bootstrap(s, op, t, cols, dx, dy, n, value);
  }
  /* I = H(X Z) - H(Z) + H(Y Z) - H(X Y Z); the first two stay fixed. X Z
   * is counted from a copy with Z after X. */
  const uint32_t *xz[2 * IXP_MAX_VARS];
  memcpy(xz, cols, (size_t)dx * sizeof *xz);
  memcpy(xz + dx, cols + dx + dy, (size_t)dz * sizeof *xz);
  double fixed = count_entropy(s, op, t, xz, dx + dz, n) - (dz ? count_entropy(s, op, t, cols + dx + dy, dz, n) : 0);
  double hy = count_entropy(s, op, t, cols + dx, dy, n);
  double value = fixed + (dz ? count_entropy(s, op, t, cols + dx, dy + dz, n) : hy) - count_entropy(s, op, t, cols, dx + dy + dz, n);
  IxpSurrogatePlan plan = ixp_data_surrogate_plan(s, op, t->data, t->method, t->block, (long)n, t->permutations);
  uint64_t key = ixp_data_surrogate_key(s, t->position, t->method, 0xd15c);
  long *rows = ixp_arena_alloc(ixp_session_tmp(s), (n ? n : 1) * sizeof *rows);
  double *null = ixp_arena_alloc(ixp_session_tmp(s), (size_t)t->permutations * sizeof *null);
  for (int c = 0; c < dy; c++) perm_cols[c] = ixp_arena_alloc(ixp_session_tmp(s), (n ? n : 1) * sizeof *perm_cols[c]);
  IxpProgress bar;
  ixp_progress_begin(&bar, "surrogates", (uint64_t)t->permutations, NULL);
  for (int r = 0; r < t->permutations; r++) {
    resample_step(s, op, &bar, r);
    if (!ixp_surrogate_rows(&plan, key, r, rows)) ixp_plan_error(s, op->plan, "out of memory drawing surrogates");
    for (int c = 0; c < dy; c++)
      for (size_t i = 0; i < n; i++) perm_cols[c][i] = cols[dx + c][rows[i]];
    const uint32_t *sc[3 * IXP_MAX_VARS];
    memcpy(sc, cols, (size_t)(dx + dy + dz) * sizeof *sc);
    for (int c = 0; c < dy; c++) sc[dx + c] = perm_cols[c];
    double hyz = dz ? count_entropy(s, op, t, sc + dx, dy + dz, n) : hy;  /* Y's counts alone do not change */
    null[r] = fixed + hyz - count_entropy(s, op, t, sc, dx + dy + dz, n);
  }
  ixp_progress_end(&bar);
  IxpSurrogateTest out;
  ixp_surrogate_summary(value, null, t->permutations, &out);
  /* this test has always reported the mean and the population standard
   * deviation (divisor n) of plain sums; kept, so its results stay */
  double sum = 0, sum2 = 0;
  for (int r = 0; r < t->permutations; r++) sum += null[r], sum2 += null[r] * null[r];
  out.null_mean = sum / t->permutations;
  out.null_std = sqrt(fmax(0, sum2 / t->permutations - out.null_mean * out.null_mean));
  return ixp_data_test_record(s, &out);
}

static void discrete_test_explain(IxpSession *s, const IxpPlanOp *op, const IxpReg *in, FILE *out) {
  const DiscreteTest *t = op->payload;
  const IxpJoint *j = in->joint;
  (void)s;
  if (t->bootstrap)
    fprintf(out, "%s on row counts of %zu rows, %d bootstrap resamples", ixp_est_name(t->est), j->n, t->bootstrap);
  else
    fprintf(out, "%s on row counts of %zu rows, %d %s surrogates (the joints with Y recounted per surrogate)",
            ixp_est_name(t->est), j->n, t->permutations, ixp_surrogate_method_name(t->method));
}

const IxpKernel ixp_kernel_discrete_test = {"permutation test", discrete_test_run, discrete_test_explain};

/* ------------------------------------------------------- local counts */

/* `local` with the plug-in estimator: each row's -log of its marginals'
 * frequencies, combined as the measure combines entropies: entropy(X | Z)
 * = h(X, Z) - h(Z), mi(X; Y | Z) = h(X, Z) + h(Y, Z) - h(X, Y, Z) - h(Z)
 * (Z empty: h(Z) = 0). Their mean is the plug-in estimate. */
typedef struct {
  IxpVarSet x, y, z;
  bool mi;
} LocalCounts;

extern const IxpKernel ixp_kernel_local_counts;

static bool lower_local_counts(IxpLowering *lw, IxpDiscreteEstimator est, int bins, int how) {
  if (est != IXP_EST_PLUGIN)
    return ixp_lower_error(lw, lw->method->span, "local values from counts are the plug-in's (-log of a row's "
                                                 "frequency): use plugin, gaussian or ksg");
  if (lw->test) return ixp_lower_error(lw, lw->test->span, "local values take no test");
  int i;
  if (unbinned_continuous(lw, bins, &i))
    return ixp_lower_error(lw, lw->args[i].node->span, "'%s' is continuous: bin it (using plugin(bins = 8)), or use "
                           "ksg or gaussian", lw->model->vars[lw->args[i].var].name);
  lw->plan->counting.bins = bins, lw->plan->counting.binning = how;
  if (!data_joint(lw)) return false;
  LocalCounts *t = ixp_arena_alloc(lw->arena, sizeof *t);
  int k = sides(lw, &t->x, &t->y, &t->z);
  t->mi = lw->measure->estimand == IXP_ESTIMAND_MI;
  if (k < 0) return false;
  if (!t->mi) t->z = ixp_set_union(lw->arena, t->y, t->z), t->y = ixp_set_new(lw->arena, 1);  /* entropy(X | Z) */
  lw->plan->type = TY_VEC;
  lw->plan->result = ixp_plan_kernel(lw->plan, lw->joint, &ixp_kernel_local_counts, t);
  return true;
}

typedef struct {
  uint64_t key;
  long row;
} KeyRow;

static int by_key(const void *a, const void *b) {
  const KeyRow *p = a, *q = b;
  return (p->key > q->key) - (p->key < q->key);
}

/* Add coef * -log(frequency of the row's values in the columns of set)
 * to every row's h: each row's tuple gets a dense id, one column at a
 * time (sorting (id so far, code) pairs), then the ids are counted. */
static void add_local_entropy(IxpSession *s, const IxpJoint *j, IxpVarSet set, double coef, double *h) {
  size_t n = j->n;
  if (ixp_set_empty(set) || !n) return;
  IxpArena *a = ixp_session_tmp(s);
  KeyRow *kr = ixp_arena_alloc(a, n * sizeof *kr);
  uint64_t *id = ixp_arena_alloc(a, n * sizeof *id), *cnt = ixp_arena_alloc(a, n * sizeof *cnt);
  memset(id, 0, n * sizeof *id);
  for (int v = 0; v < j->nvars; v++) {
    if (!ixp_set_has(set, v)) continue;
    for (size_t i = 0; i < n; i++) kr[i] = (KeyRow){id[i] << 32 | j->code[v][i], (long)i};
    qsort(kr, n, sizeof *kr, by_key);
    uint64_t next = 0;
    for (size_t i = 0; i < n; i++) {
      if (i && kr[i].key != kr[i - 1].key) next++;
      id[kr[i].row] = next;
    }
  }
  memset(cnt, 0, n * sizeof *cnt);
  for (size_t i = 0; i < n; i++) cnt[id[i]]++;
  for (size_t i = 0; i < n; i++) h[i] += coef * log((double)n / (double)cnt[id[i]]);
}

static IxpValue local_counts_run(IxpSession *s, const IxpPlanOp *op, const IxpReg *in) {
  const LocalCounts *t = op->payload;
  const IxpJoint *j = in->joint;
  size_t n = j->n;
  double *h = ixp_arena_alloc(ixp_session_tmp(s), (n ? n : 1) * sizeof *h), u = ixp_units_scale(s);
  memset(h, 0, (n ? n : 1) * sizeof *h);
  IxpArena *a = ixp_session_tmp(s);
  IxpVarSet xz = ixp_set_union(a, t->x, t->z);
  add_local_entropy(s, j, xz, 1, h);
  add_local_entropy(s, j, t->z, -1, h);
  if (t->mi) {
    add_local_entropy(s, j, ixp_set_union(a, t->y, t->z), 1, h);
    add_local_entropy(s, j, ixp_set_union(a, xz, t->y), -1, h);
  }
  for (size_t i = 0; i < n; i++) h[i] *= u;
  return ixp_value_vector(ixp_session_tmp(s), h, (int)n);
}

static void local_counts_explain(IxpSession *s, const IxpPlanOp *op, const IxpReg *in, FILE *out) {
  const LocalCounts *t = op->payload;
  (void)s;
  fprintf(out, "local plug-in %s of each of %zu rows: -log of the frequencies of its values in each marginal",
          t->mi ? "information" : "entropy", in->joint->n);
}

const IxpKernel ixp_kernel_local_counts = {"local values", local_counts_run, local_counts_explain};

/* pid on a dataset goes to the Gaussian decompositions when `using`
 * names gaussian or gcmi, or a column is continuous (which then reports
 * what to write). */
static bool continuous_pid(const IxpLowering *lw) {
  if (lw->method && (!strcmp(lw->method->str, "gaussian") || !strcmp(lw->method->str, "gcmi"))) return true;
  for (int i = 0; i < lw->nargs; i++)
    if (lw->model->continuous[lw->args[i].var]) return true;
  return false;
}

bool ixp_lower_on_data(IxpLowering *lw) {
  if (lw->measure->estimand == IXP_ESTIMAND_SERIES) return lw->measure->lower(lw);
  if (lw->measure->estimand == IXP_ESTIMAND_JOINT) {  /* rd, ib, capacity, pid: the plug-in joint of discrete columns */
    if (!strcmp(lw->measure->name, "pid") && continuous_pid(lw)) return ixp_lower_pid_continuous(lw);
    for (int i = 0; i < lw->nargs; i++)
      if (lw->model->continuous[lw->args[i].var])
        return ixp_lower_error(lw, lw->args[i].node->span, "this measure works on discrete columns (the plug-in joint of the rows)");
    if (lw->test) return ixp_lower_error(lw, lw->test->span, "this measure takes no test");
    return data_joint(lw) && lw->measure->lower(lw);
  }
  const char *name = lw->method ? lw->method->str : "plugin";
  IxpDiscreteEstimator est;
  if (lw->local && lw->measure->estimand != IXP_ESTIMAND_ENTROPY && lw->measure->estimand != IXP_ESTIMAND_MI)
    return ixp_lower_error(lw, lw->call->span, "local values are for entropy, mi and the time measures built on them, "
                                               "not %s", lw->measure->name);
  if (ixp_multiplets_wanted(lw)) return ixp_lower_multiplets(lw);  /* tc / dtc / oinfo(..., order = lo .. hi) */
  if (ixp_est_by_name(name, &est)) {
    int bins = 0, how = 0, alphabet = 0;
    double order = 1;
    bool tsallis = false;
    if (lw->measure->estimand == IXP_ESTIMAND_ENTROPY && !ixp_entropy_order(lw, &order, &tsallis)) return false;
    if (order != 1 && (est != IXP_EST_PLUGIN || lw->local || lw->test))
      return ixp_lower_error(lw, lw->method ? lw->method->span : lw->call->span, "Renyi and Tsallis entropies of "
                             "discrete data are the plug-in's (from the frequencies), without local values or tests");
    if (!discrete_options(lw, &bins, &how, &alphabet)) return false;
    if (lw->local) return lower_local_counts(lw, est, bins, how);
    if (lw->test) return lower_discrete_test(lw, est, bins, how, alphabet);
    return lower_discrete(lw, est, bins, how, alphabet);
  }
  double order = 1;
  bool tsallis = false;
  if (lw->measure->estimand == IXP_ESTIMAND_ENTROPY && !ixp_entropy_order(lw, &order, &tsallis)) return false;
  if (order != 1 && strcmp(name, "kl"))
    return ixp_lower_error(lw, lw->method ? lw->method->span : lw->call->span,
                           "Renyi and Tsallis entropies of data are estimated by plugin (discrete columns) and kl "
                           "(kNN, Leonenko et al. 2008)");
  const IxpEstimator *registered = ixp_estimator_by_name(name);
  bool old_path = !strcmp(name, "ksg") || !strcmp(name, "kl") || !strcmp(name, "gaussian");
  if (registered && (!old_path || ixp_estimator_claims(lw, registered)))  /* else it says what it estimates */
    return ixp_lower_estimator(lw, registered);
  if (!strcmp(name, "ksg")) return lower_continuous(lw, EST_KSG);
  if (!strcmp(name, "kl")) return lower_continuous(lw, EST_KL);
  if (!strcmp(name, "gaussian")) return lower_continuous(lw, EST_GAUSSIAN);
  char names[512];
  ixp_estimator_names(names, sizeof names, "plugin, miller_madow, grassberger, shrink, chao_shen, nsb, ksg, kl, gaussian");
  return ixp_lower_error(lw, lw->method->span, "unknown estimator (%s)", names);
}

/* ------------------------------------------------------------------ run */

/* The columns of a group as a row-major n x d block, every value finite. */
static double *block(IxpSession *s, const IxpPlanOp *op, const Payload *p, IxpVarSet set, int *d) {
  int *vars = ixp_arena_alloc(ixp_session_tmp(s), (size_t)(ixp_set_count(set) + 1) * sizeof *vars);
  *d = ixp_set_list(set, vars);
  return ixp_data_block(s, p->model, vars, *d, op->plan->site->span);
}

/* The groups' columns, row-major, and their widths. */
typedef struct {
  double *x, *y, *z;
  int dx, dy, dz;
  long n;
} Blocks;

/* The finite-sample bias of the Gaussian estimate on the blocks' shape
 * when the payload asks for its removal (bias = 1), else 0: a constant
 * of n and the groups' widths (ixp_gauss_entropy_bias, _mi_bias), so
 * local values, resamples and surrogates all shift by it alike. */
static double gaussian_bias(IxpSession *s, const IxpPlanOp *op, const Payload *p, const Blocks *b) {
  if (!p->bias) return 0;
  int d = b->dx + b->dy + b->dz;
  if (b->n <= d)
    ixp_plan_error(s, op->plan, "gaussian(bias = 1) needs more rows than columns (%ld rows, %d columns)", b->n, d);
  return b->dy ? ixp_gauss_mi_bias(b->dx, b->dy, b->dz, b->n) : ixp_gauss_entropy_bias(b->dx, b->n);
}

/* Gaussian entropy or (conditional) MI from the covariance of [x y z]
 * (uncorrected: callers subtract gaussian_bias). */
static double gaussian_estimate(IxpSession *s, const IxpPlanOp *op, const Blocks *b) {
  int d = b->dx + b->dy + b->dz;
  double *all = ixp_arena_alloc(ixp_session_tmp(s), (size_t)b->n * (size_t)d * sizeof *all);
  for (long i = 0; i < b->n; i++) {
    double *row = all + (size_t)i * (size_t)d;
    memcpy(row, b->x + (size_t)i * (size_t)b->dx, (size_t)b->dx * sizeof *row);
    if (b->dy) memcpy(row + b->dx, b->y + (size_t)i * (size_t)b->dy, (size_t)b->dy * sizeof *row);
    if (b->dz) memcpy(row + b->dx + b->dy, b->z + (size_t)i * (size_t)b->dz, (size_t)b->dz * sizeof *row);
  }
  double *cov = ixp_arena_alloc(ixp_session_tmp(s), (size_t)d * (size_t)d * sizeof *cov), h = 0;
  long *idx[3];  /* the columns of x, y, z in [x y z] */
  int width[3] = {b->dx, b->dy, b->dz};
  for (int g = 0, at = 0; g < 3; g++) {
    idx[g] = ixp_arena_alloc(ixp_session_tmp(s), (size_t)(width[g] + 1) * sizeof *idx[g]);
    for (int i = 0; i < width[g]; i++) idx[g][i] = at++;
  }
  IxpGaussStatus st = ixp_covariance(all, b->n, d, cov);
  if (st == IXP_GAUSS_OK) {
    if (!b->dy) st = ixp_gauss_entropy(cov, d, &h);
    else st = ixp_gauss_mi(cov, d, idx[0], b->dx, idx[1], b->dy, idx[2], b->dz, &h);
  }
  if (st == IXP_GAUSS_ENOTPD)
    ixp_plan_error(s, op->plan, "gaussian estimate: the sample covariance is singular (a column is constant or a "
                   "linear combination of the others)");
  if (st != IXP_GAUSS_OK) ixp_plan_error(s, op->plan, "gaussian estimate: %s", ixp_gauss_status_text(st));
  return h;
}

/* One estimate (nats) on the blocks; info collects tie counts. */
static double estimate(IxpSession *s, const IxpPlanOp *op, const Payload *p, const Blocks *b, const IxpKnnOptions *opt,
                       IxpKnnInfo *info) {
  if (p->kind == EST_GAUSSIAN) return gaussian_estimate(s, op, b) - gaussian_bias(s, op, p, b);
  double h = 0;
  IxpKnnStatus st;
  if (p->kind == EST_KL && p->order != 1) st = ixp_knn_renyi(b->x, b->n, b->dx, opt, p->order, p->tsallis, &h);
  else if (p->kind == EST_KL) st = ixp_knn_entropy(b->x, b->n, b->dx, opt, &h, info);
  else if (b->dz) st = ixp_ksg_cmi(b->x, b->dx, b->y, b->dy, b->z, b->dz, b->n, opt, &h, info);
  else st = ixp_ksg_mi(b->x, b->dx, b->y, b->dy, b->n, opt, &h, info);
  if (st == IXP_KNN_OK && p->lnc) {  /* Gao, Ver Steeg & Galstyan 2015: each row's log V - log V_pca, added */
    double c = 0, *local = NULL;
    int k = opt->k ? opt->k : 4;
    if (opt->local) local = ixp_arena_alloc(ixp_session_tmp(s), (size_t)b->n * sizeof *local);
    st = ixp_knn_lnc_correction(b->x, b->dx, b->y, b->dy, b->n, opt, p->alpha ? p->alpha : ixp_lnc_alpha(k, b->dx + b->dy),
                                &c, local);
    h += c;
    for (long i = 0; local && st == IXP_KNN_OK && i < b->n; i++) opt->local[i] += local[i];
  }
  if (st != IXP_KNN_OK) ixp_plan_error(s, op->plan, "%s: %s", p->kind == EST_KL ? "kl" : "ksg", ixp_knn_status_text(st));
  return h;
}

static IxpValue record(IxpSession *s, const char *const *names, const double *v, int n) {
  IxpRecord *r = ixp_record_new(ixp_session_tmp(s), NULL, n);
  for (int i = 0; i < n; i++) r->names[i] = (char *)names[i], r->values[i] = ixp_value_real(v[i]);
  return (IxpValue){.type = TY_RECORD, .record = r};
}

/* Rows of a block picked by idx. */
static double *pick(IxpSession *s, const double *x, int d, const long *idx, long n) {
  if (!x) return NULL;
  double *out = ixp_arena_alloc(ixp_session_tmp(s), (size_t)n * (size_t)(d ? d : 1) * sizeof *out);
  for (long i = 0; i < n; i++) memcpy(out + (size_t)i * (size_t)d, x + (size_t)idx[i] * (size_t)d, (size_t)d * sizeof *out);
  return out;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The record of a percentile bootstrap: the estimate, the 95 % interval of
 * the nb resampled estimates (sorted here) and their standard deviation. */
IxpValue ixp_data_interval(IxpSession *s, double value, double *est, int nb) {
  double mean = 0, var = 0;
  for (int r = 0; r < nb; r++) mean += est[r];
  mean /= nb;
  for (int r = 0; r < nb; r++) var += (est[r] - mean) * (est[r] - mean);
  qsort(est, (size_t)nb, sizeof *est, by_value);
  double u = ixp_units_scale(s), lo = est[(int)floor(0.025 * (nb - 1))], hi = est[(int)ceil(0.975 * (nb - 1))];
  static const char *const names[] = {"value", "low", "high", "std"};
  double v[4] = {value * u, lo * u, hi * u, sqrt(var / (nb - 1)) * u};
  return record(s, names, v, 4);
}

/* The percentile bootstrap: rows drawn with replacement (seeded). Only
 * the gaussian estimator takes it (lowering refuses kNN, which repeated
 * rows bias). */
static IxpValue bootstrap(IxpSession *s, const IxpPlanOp *op, const Payload *p, const Blocks *b, double value,
                          IxpKnnOptions opt) {
  int nb = p->bootstrap;
  double *est = ixp_arena_alloc(ixp_session_tmp(s), (size_t)nb * sizeof *est);
  long *idx = ixp_arena_alloc(ixp_session_tmp(s), (size_t)b->n * sizeof *idx);
  IxpProgress bar;
  ixp_progress_begin(&bar, "bootstrap", (uint64_t)nb, NULL);
  IxpArenaMark resample_start = ixp_arena_mark(ixp_session_tmp(s));
  for (int r = 0; r < nb; r++) {
    resample_step(s, op, &bar, r);
    uint64_t key = ixp_stream_key(s, p->position, 0xb0075 + (uint64_t)r);
    for (long i = 0; i < b->n; i++) idx[i] = (long)resampled_row(key, (size_t)i, (size_t)b->n);
    Blocks w = {pick(s, b->x, b->dx, idx, b->n), pick(s, b->y, b->dy, idx, b->n), pick(s, b->z, b->dz, idx, b->n),
                b->dx, b->dy, b->dz, b->n};
    IxpKnnInfo info = {0};
    est[r] = estimate(s, op, p, &w, &opt, &info);
    ixp_arena_release(ixp_session_tmp(s), resample_start);  /* the resample's blocks */
  }
  ixp_progress_end(&bar);
  return ixp_data_interval(s, value, est, nb);
}

/* The jackknife's view of an older path's estimate. */
typedef struct {
  IxpSession *s;
  const IxpPlanOp *op;
  const Payload *p;
  IxpKnnOptions opt;
} Rerun;

static double rerun(void *ctx, const IxpSamples *x) {
  const Rerun *r = ctx;
  Blocks b = {(double *)x->g[0], x->ngroups > 1 ? (double *)x->g[1] : NULL, x->ngroups > 2 ? (double *)x->g[2] : NULL,
              x->d[0], x->ngroups > 1 ? x->d[1] : 0, x->ngroups > 2 ? x->d[2] : 0, x->n};
  return estimate(r->s, r->op, r->p, &b, &r->opt, NULL);
}

/* {value, stderr}: the standard error by the delete-a-block jackknife. */
static IxpValue with_stderr(IxpSession *s, const IxpPlanOp *op, const Payload *p, const Blocks *b, double value,
                            IxpKnnOptions opt) {
  IxpSamples x = {.ngroups = b->dz ? 3 : b->dy ? 2 : 1, .g = {b->x, b->y, b->z}, .d = {b->dx, b->dy, b->dz}, .n = b->n};
  Rerun r = {s, op, p, opt};
  static const char *const names[] = {"value", "stderr"};
  double u = p->tsallis ? 1 : ixp_units_scale(s);  /* Tsallis entropy has no logarithm, so no units */
  double v[2] = {value * u, ixp_jackknife_fn(rerun, &r, s, op, &x, IXP_JACKKNIFE_BLOCKS) * u};
  return record(s, names, v, 2);
}

/* Add coef * (-log of the Gaussian density of each row's columns cols[0
 * .. d)) to h: 1/2 (d log 2 pi + log det S + q n / (n - 1)) with S the
 * (unbiased) sample covariance of those columns and q the row's squared
 * Mahalanobis distance from the mean, by a Cholesky solve. The mean of q
 * is d (n - 1) / n, so the mean of the values is the estimate's entropy
 * 1/2 log((2 pi e)^d det S). */
static bool add_local_gaussian(IxpSession *s, const double *all, long n, int D, const double *cov, const int *cols, int d,
                               double coef, double *h) {
  if (!d) return true;
  IxpArena *a = ixp_session_tmp(s);
  double *L = ixp_arena_alloc(a, (size_t)d * (size_t)d * sizeof *L), *mean = ixp_arena_alloc(a, (size_t)d * sizeof *mean);
  double *u = ixp_arena_alloc(a, (size_t)d * sizeof *u), logdet;
  for (int r = 0; r < d; r++)
    for (int c = 0; c < d; c++) L[r * d + c] = cov[cols[r] * D + cols[c]];
  if (ixp_logdet(L, d, d, &logdet) != IXP_GAUSS_OK || ixp_cholesky(L, d, d, NULL) != IXP_GAUSS_OK) return false;
  for (int c = 0; c < d; c++) {
    double m = 0;
    for (long i = 0; i < n; i++) m += all[i * D + cols[c]];
    mean[c] = m / (double)n;
  }
  double base = 0.5 * (d * log(2 * M_PI) + logdet), scale = 0.5 * (double)n / (double)(n - 1);
  for (long i = 0; i < n; i++) {
    double q = 0;
    for (int r = 0; r < d; r++) { /* forward substitution L u = x - mean */
      double v = all[i * D + cols[r]] - mean[r];
      for (int c = 0; c < r; c++) v -= L[r * d + c] * u[c];
      u[r] = v / L[r * d + r];
      q += u[r] * u[r];
    }
    h[i] += coef * (base + scale * q);
  }
  return true;
}

/* Local Gaussian values: entropy(X) is -log p(x); mi(X; Y | Z) is
 * log p(x, y, z) p(z) / (p(x, z) p(y, z)), each density the Gaussian of
 * the sample mean and covariance of its columns. */
static void gaussian_local(IxpSession *s, const IxpPlanOp *op, const Blocks *b, double *h) {
  int d = b->dx + b->dy + b->dz;
  long n = b->n;
  IxpArena *a = ixp_session_tmp(s);
  double *all = ixp_arena_alloc(a, (size_t)n * (size_t)d * sizeof *all), *cov = ixp_arena_alloc(a, (size_t)d * (size_t)d * sizeof *cov);
  for (long i = 0; i < n; i++) {
    double *row = all + (size_t)i * (size_t)d;
    memcpy(row, b->x + (size_t)i * (size_t)b->dx, (size_t)b->dx * sizeof *row);
    if (b->dy) memcpy(row + b->dx, b->y + (size_t)i * (size_t)b->dy, (size_t)b->dy * sizeof *row);
    if (b->dz) memcpy(row + b->dx + b->dy, b->z + (size_t)i * (size_t)b->dz, (size_t)b->dz * sizeof *row);
  }
  memset(h, 0, (size_t)n * sizeof *h);
  int *xz = ixp_arena_alloc(a, (size_t)d * sizeof *xz), *yz = ixp_arena_alloc(a, (size_t)d * sizeof *yz);
  int *z = ixp_arena_alloc(a, (size_t)d * sizeof *z), *xyz = ixp_arena_alloc(a, (size_t)d * sizeof *xyz);
  int nxz = 0, nyz = 0, nz = 0;
  for (int c = 0; c < d; c++) {
    xyz[c] = c;
    if (c < b->dx || c >= b->dx + b->dy) xz[nxz++] = c;
    if (c >= b->dx) yz[nyz++] = c;
    if (c >= b->dx + b->dy) z[nz++] = c;
  }
  bool ok = ixp_covariance(all, n, d, cov) == IXP_GAUSS_OK;
  if (!b->dy) ok = ok && add_local_gaussian(s, all, n, d, cov, xyz, d, 1, h);
  else
    ok = ok && add_local_gaussian(s, all, n, d, cov, xz, nxz, 1, h) && add_local_gaussian(s, all, n, d, cov, yz, nyz, 1, h) &&
         add_local_gaussian(s, all, n, d, cov, xyz, d, -1, h) && add_local_gaussian(s, all, n, d, cov, z, nz, -1, h);
  if (!ok)
    ixp_plan_error(s, op->plan, "gaussian estimate: the sample covariance is singular (a column is constant or a "
                   "linear combination of the others)");
}

/* The local values of an estimate, as a vector in the session's units. */
static IxpValue local_values(IxpSession *s, const IxpPlanOp *op, const Payload *p, const Blocks *b, IxpKnnOptions opt) {
  if (b->n < 2) ixp_plan_error(s, op->plan, "local values need at least 2 rows");
  double *h = ixp_arena_alloc(ixp_session_tmp(s), (size_t)b->n * sizeof *h), u = ixp_units_scale(s);
  if (p->kind == EST_GAUSSIAN) {
    gaussian_local(s, op, b, h);
    double bias = gaussian_bias(s, op, p, b);  /* the values' mean is the estimate */
    for (long i = 0; i < b->n; i++) h[i] -= bias;
  } else {
    opt.local = h;
    estimate(s, op, p, b, &opt, NULL);
    ixp_plan_poll_interrupt(s, op->plan);
  }
  for (long i = 0; i < b->n; i++) h[i] *= u;
  return ixp_value_vector(ixp_session_tmp(s), h, (int)b->n);
}

/* A surrogate test of a gaussian or ksg estimate: Y's rows resampled. */
static IxpValue surrogate_run(IxpSession *s, const IxpPlanOp *op, const Payload *p, const Blocks *b,
                              const IxpKnnOptions *opt) {
  IxpSurrogatePlan plan = ixp_data_surrogate_plan(s, op, p->model, p->method, p->block, b->n, p->surrogates);
  uint64_t key = ixp_data_surrogate_key(s, p->position, p->method, 0x9e57);
  IxpSurrogateTest t = {0};
  if (p->kind == EST_GAUSSIAN) {
    IxpSurrogateStatus st = ixp_surrogate_gaussian_test(b->x, b->dx, b->y, b->dy, b->z, b->dz, b->n, &plan,
                                                        p->surrogates, key, &t);
    ixp_plan_poll_interrupt(s, op->plan);
    if (st == IXP_SURR_ESINGULAR)
      ixp_plan_error(s, op->plan, "gaussian estimate: a sample covariance is singular (a column is constant or a "
                     "linear combination of the others)");
    if (st != IXP_SURR_OK) ixp_plan_error(s, op->plan, "gaussian test: %s", st == IXP_SURR_ENOMEM ? "out of memory" :
                                          "needs at least 2 rows");
    double bias = gaussian_bias(s, op, p, b);  /* a constant: the p-value and null_std do not move */
    t.value -= bias, t.null_mean -= bias;
  } else {
    IxpKnnStatus st = ixp_surrogate_ksg_test(b->x, b->dx, b->y, b->dy, b->z, b->dz, b->n, opt, &plan, p->surrogates,
                                             key, &t);
    ixp_plan_poll_interrupt(s, op->plan);  /* Ctrl-C cut the surrogates short */
    if (st != IXP_KNN_OK) ixp_plan_error(s, op->plan, "ksg: %s", ixp_knn_status_text(st));
  }
  return ixp_data_test_record(s, &t);
}

static IxpValue estimate_run(IxpSession *s, const IxpPlanOp *op, const IxpReg *rows) {
  const Payload *p = op->payload;
  size_t n = rows->n;
  Blocks b = {.n = (long)n};
  b.x = block(s, op, p, p->x, &b.dx);
  if (!ixp_set_empty(p->y)) b.y = block(s, op, p, p->y, &b.dy);
  if (!ixp_set_empty(p->z)) b.z = block(s, op, p, p->z, &b.dz);
  IxpKnnOptions opt = p->knn;
  opt.noise_key = ixp_stream_key(s, p->position, 0x401e);
  long k = opt.k ? opt.k : 4;
  if (opt.theiler && b.n - 1 - 2 * opt.theiler < k)
    ixp_plan_error(s, op->plan, "theiler = %ld leaves fewer than k = %ld rows outside a row's window (%ld rows)",
                   opt.theiler, k, b.n);
  double u = p->tsallis ? 1 : ixp_units_scale(s);  /* Tsallis entropy has no logarithm, so no units */
  if (p->local) return local_values(s, op, p, &b, opt);
  if (p->surrogates) return surrogate_run(s, op, p, &b, &opt);
  IxpKnnInfo info = {0};  /* the tie count, only wanted for the warning below (without noise) */
  double h = estimate(s, op, p, &b, &opt, opt.noise == 0 ? &info : NULL);
  ixp_plan_poll_interrupt(s, op->plan);  /* Ctrl-C cut the kNN search short */
  if (p->kind != EST_GAUSSIAN && info.duplicates && opt.noise == 0)
    ixp_plan_warning(s, op->plan,
                     "%ld rows repeat another row exactly; kNN estimates are biased by ties: add noise = 1e-10 "
                     "(seeded), or use copula = 1", info.duplicates);
  if (p->bootstrap) return bootstrap(s, op, p, &b, h, opt);
  if (p->stderr_) return with_stderr(s, op, p, &b, h, opt);
  if (p->chi2) {
    static const char *const names[] = {"value", "p"};
    /* the likelihood-ratio statistic is 2 N times the uncorrected estimate */
    double v[2] = {h * u, ixp_gauss_mi_pvalue(h + gaussian_bias(s, op, p, &b), b.n, b.dx, b.dy)};
    return record(s, names, v, 2);
  }
  return ixp_value_real(h * u);
}

static void estimate_explain(IxpSession *s, const IxpPlanOp *op, const IxpReg *rows, FILE *out) {
  const Payload *p = op->payload;
  (void)s;
  int dx = ixp_set_count(p->x), dy = ixp_set_count(p->y), dz = ixp_set_count(p->z);
  if (p->kind == EST_GAUSSIAN) {
    fprintf(out, "gaussian: covariance of %zu rows (SYRK), Cholesky log-determinants of %d x %d blocks%s", rows->n,
            dx + dy + dz, dx + dy + dz, p->bias ? ", each less its finite-sample bias (psi-function correction)" : "");
    if (p->local) fprintf(out, ", each row's log-density ratio");
    if (p->surrogates)
      fprintf(out, ", %d %s surrogates (X and Z's covariance kept; Y's cross-covariances per surrogate)", p->surrogates,
              ixp_surrogate_method_name(p->method));
    return;
  }
  int dims = dx + dy + dz, k = p->knn.k ? p->knn.k : 4;
  if (p->order != 1) {  /* kl's entropy of order alpha: its own brute-force search */
    fprintf(out, "%s entropy of order %g (Leonenko, Pronzato & Savani 2008), k = %d on %zu rows, %d dimension%s, "
            "brute-force Euclidean neighbours in the data's units", p->tsallis ? "Tsallis" : "Renyi", p->order, k,
            rows->n, dims, dims == 1 ? "" : "s");
    return;
  }
  int gdim[3] = {dx, dy, dz}, ng = dz ? 3 : dy ? 2 : 1;
  IxpIndexKind index = p->knn.index;
  if (index == IXP_INDEX_AUTO)
    index = p->knn.theiler ? IXP_INDEX_KDTREE : ixp_knn_auto_index(ng, gdim, (long)rows->n, k, dz ? 0 : p->surrogates);
  static const char *const how[] = {"", "k-d tree", "brute-force (cache-blocked max-norm tiles)",
                                    "neighbour-list (per-group sorted neighbours, built once)",
                                    "grid (cell list over quantile cells)"};
  fprintf(out, "%s k = %d on %zu rows, %d dimension%s, %s index (%s%s)", p->kind == EST_KL ? "Kozachenko-Leonenko" :
          dz ? "Frenzel-Pompe KSG" : (p->knn.variant == 2 ? "KSG-2" : "KSG-1"), k, rows->n, dims, dims == 1 ? "" : "s",
          how[index], p->knn.index == IXP_INDEX_AUTO ? "chosen by estimated cost" : "index = ",
          p->knn.index == IXP_INDEX_AUTO ? "" : index_names[p->knn.index]);
  if (p->surrogates)
    fprintf(out, ", %d %s surrogates%s", p->surrogates, p->method == IXP_SURR_PERMUTE ? "permutation" :
            ixp_surrogate_method_name(p->method), dz ? " (each estimated afresh)" : "");
  if (p->knn.theiler) fprintf(out, ", Theiler window %ld rows", p->knn.theiler);
  if (p->lnc)
    fprintf(out, ", local non-uniformity correction (PCA boxes of the %d neighbours, alpha %g)", k,
            p->alpha ? p->alpha : ixp_lnc_alpha(k, dims));
  if (p->local) fprintf(out, ", each row's local value");
}

const IxpKernel ixp_kernel_estimate = {"estimate", estimate_run, estimate_explain};
