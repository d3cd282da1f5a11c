/* measures_network.c — directed network inference on time series:
 *
 *   network(x1, x2, x3, max_lag = 3) in d using gaussian with surrogates(200)
 *
 * greedy multivariate transfer entropy with hierarchical surrogate tests
 * (backends/kernels/network.h), on the raw columns of a dataset whose rows
 * are time steps (in trials). The result is a table of the links found:
 * source, target (1-based positions in the argument list), lag, te
 * (in the session's units) and p. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "library.h"
#include "measures.h"
#include "model.h"
#include "network.h"
#include "runtime.h"
#include "surrogates.h"

typedef struct {
  IxpModelDef *data;
  int *vars, nvars;
  IxpNetEstimator estimator;
  IxpKnnOptions knn;
  IxpAst *max_lag, *min_lag, *alpha;
  bool bonferroni;
  int surrogates;
  IxpSurrogateMethod method;
  long block;
  uint64_t position;
} Network;

static const IxpOptionSpec options[] = {
    {"max_lag", IXP_OPTION_VALUE, NULL, NULL},
    {"min_lag", IXP_OPTION_VALUE, NULL, NULL},
    {"alpha", IXP_OPTION_VALUE, NULL, NULL},
    {"correction", IXP_OPTION_WORD, NULL, NULL},
    {NULL, 0, NULL, NULL},
};

/* A whole-number argument of a call (k = 4, block = 50, n). */
static bool whole(IxpLowering *lw, IxpAst *arg, int lo, int hi, int *out) {
  IxpAst *v = arg->a;
  if (v->kind != AST_NUM || v->num != floor(v->num) || v->num < lo || v->num > hi)
    return ixp_lower_error(lw, v->span, "%s is a whole number from %d to %d", arg->str ? arg->str : "this", lo, hi);
  *out = (int)v->num;
  return true;
}

/* using gaussian | ksg(k = K, noise = E). */
static bool estimator(IxpLowering *lw, Network *n) {
  IxpAst *m = lw->method;
  n->estimator = IXP_NET_GAUSSIAN;
  if (!m) return ixp_lower_error(lw, lw->call->span, "network needs an estimator: using gaussian or using ksg");
  if (!strcmp(m->str, "gaussian")) {
    if (m->nitems) return ixp_lower_error(lw, m->span, "gaussian takes no options");
    return true;
  }
  if (strcmp(m->str, "ksg")) return ixp_lower_error(lw, m->span, "network estimates with gaussian or ksg");
  n->estimator = IXP_NET_KSG;
  for (int i = 0; i < m->nitems; i++) {
    IxpAst *arg = m->items[i];
    const char *name = arg->str ? arg->str : "";
    if (!strcmp(name, "k")) {
      if (!whole(lw, arg, 1, 1000, &n->knn.k)) return false;
    } else if (!strcmp(name, "noise") && arg->a->kind == AST_NUM && arg->a->num >= 0) {
      n->knn.noise = arg->a->num;
    } else {
      return ixp_lower_error(lw, arg->span, "ksg in network takes k = K and noise = E");
    }
  }
  return true;
}

/* with surrogates(n, method = M, block = L) (or permutations(n)). */
static bool test(IxpLowering *lw, Network *n) {
  IxpAst *t = lw->test;
  if (!t) return ixp_lower_error(lw, lw->call->span, "network tests every link: add 'with surrogates(200)'");
  bool surr = !strcmp(t->str, "surrogates");
  if ((!surr && strcmp(t->str, "permutations")) || !t->nitems || t->items[0]->str || (!surr && t->nitems != 1))
    return ixp_lower_error(lw, t->span, "network's test is surrogates(n, method = shift | circular | block | trials | "
                                        "permute, block = L)");
  if (!whole(lw, t->items[0], 1, 1000000, &n->surrogates)) return false;
  n->method = surr ? IXP_SURR_SHIFT : IXP_SURR_PERMUTE;
  for (int i = 1; i < t->nitems; i++) {
    IxpAst *arg = t->items[i];
    const char *name = arg->str ? arg->str : "";
    int b;
    if (!strcmp(name, "method")) {
      if (arg->a->kind != AST_NAME || !ixp_surrogate_method_by_name(arg->a->str, &n->method))
        return ixp_lower_error(lw, arg->a->span, "the surrogate method is shift, circular, block, trials or permute");
    } else if (!strcmp(name, "block")) {
      if (!whole(lw, arg, 1, 1 << 30, &b)) return false;
      n->block = b;
    } else {
      return ixp_lower_error(lw, arg->span, "surrogates(n) takes method = ... and block = L");
    }
  }
  if (n->block && n->method != IXP_SURR_BLOCK) return ixp_lower_error(lw, t->span, "block = L is for method = block");
  return true;
}

static bool read_options(IxpLowering *lw, Network *n) {
  for (int i = 0; i < lw->noptions; i++) {
    const IxpOption *o = &lw->options[i];
    if (!strcmp(o->name, "correction")) {
      IxpAst *v = o->value;
      if (v->kind != AST_NAME || (strcmp(v->str, "fdr") && strcmp(v->str, "bonferroni")))
        return ixp_lower_error(lw, v->span, "correction is fdr or bonferroni");
      n->bonferroni = !strcmp(v->str, "bonferroni");
      continue;
    }
    if (o->type != TY_NUM && o->type != TY_ANY)
      return ixp_lower_error(lw, o->value->span, "option '%s' needs a number, not a %s", o->name, ixp_type_name(o->type));
    if (!strcmp(o->name, "max_lag")) n->max_lag = o->value;
    else if (!strcmp(o->name, "min_lag")) n->min_lag = o->value;
    else n->alpha = o->value;
  }
  return true;
}

extern const IxpKernel ixp_kernel_network;

static bool lower_network(IxpLowering *lw) {
  if (!lw->model || !lw->model->data)
    return ixp_lower_error(lw, lw->call->span, "network infers links from time series: measure it in a dataset "
                                               "(network(x1, x2) in d using gaussian with surrogates(200))");
  Network *n = ixp_arena_alloc(lw->arena, sizeof *n);
  n->data = lw->model;
  n->position = lw->position;
  if (lw->nargs < 2) return ixp_lower_error(lw, lw->call->span, "network needs at least two variables");
  n->vars = ixp_arena_alloc(lw->arena, (size_t)lw->nargs * sizeof *n->vars);
  for (int i = 0; i < lw->nargs; i++) {
    if (i > 0 && lw->args[i].sep != SEP_COMMA)
      return ixp_lower_error(lw, lw->args[i].node->span, "network's variables are separated by commas");
    for (int j = 0; j < i; j++)
      if (lw->args[j].var == lw->args[i].var)
        return ixp_lower_error(lw, lw->args[i].node->span, "'%s' is named twice", lw->model->vars[lw->args[i].var].name);
    n->vars[n->nvars++] = lw->args[i].var;
  }
  if (!estimator(lw, n) || !test(lw, n) || !read_options(lw, n)) return false;
  lw->plan->type = TY_TABLE;
  lw->plan->result = ixp_plan_kernel(lw->plan, ixp_plan_rows(lw->plan, 0), &ixp_kernel_network, n);
  return true;
}

/* ------------------------------------------------------------------ run */

/* A whole-number option's value (default when not given). */
static int lag_value(IxpSession *s, IxpAst *e, int dflt) {
  if (!e) return dflt;
  double v = ixp_eval_number(s, e, NULL);
  if (!(v >= 1 && v <= 10000 && v == floor(v))) ixp_statement_error(s, e->span, "a lag is a whole number from 1 to 10000");
  return (int)v;
}

static IxpTable *links_table(IxpSession *s, const Network *n, const IxpNetResult *r) {
  char title[512];
  int at = snprintf(title, sizeof title, "network links (");
  for (int i = 0; i < n->nvars && at < (int)sizeof title - 64; i++)
    at += snprintf(title + at, sizeof title - (size_t)at, "%s%d = %s", i ? ", " : "", i + 1, n->data->vars[n->vars[i]].name);
  snprintf(title + at, sizeof title - (size_t)at, ")");
  static const char *const cols[] = {"source", "target", "lag", "te", "p"};
  IxpTable *t = ixp_table_new(title, 5, cols);
  ixp_arena_defer(ixp_session_tmp(s), (void (*)(void *))ixp_table_free, t);
  t->xcol = 0, t->ycol = 3;
  for (int i = 0; i < r->nlinks; i++) {
    const IxpNetLink *l = &r->links[i];
    double row[5] = {l->source + 1, l->target + 1, l->lag, l->te * ixp_units_scale(s), l->p};
    ixp_table_add_row(t, row);
  }
  return t;
}

static IxpValue network_run(IxpSession *s, const IxpPlanOp *op, const IxpReg *in) {
  const Network *n = op->payload;
  IxpSpan span = op->plan->site->span;
  long rows = (long)in->n;
  IxpNetOptions o = {.estimator = n->estimator, .knn = n->knn, .surrogates = n->surrogates, .method = n->method,
                     .block = n->block, .bonferroni = n->bonferroni};
  o.max_lag = lag_value(s, n->max_lag, 5);
  o.min_lag = lag_value(s, n->min_lag, 1);
  if (o.min_lag > o.max_lag)
    ixp_statement_error(s, (n->min_lag ? n->min_lag : n->max_lag)->span, "min_lag (%d) is above max_lag (%d)", o.min_lag,
                        o.max_lag);
  o.alpha = n->alpha ? ixp_eval_number(s, n->alpha, NULL) : 0.05;
  if (!(o.alpha > 0 && o.alpha < 1)) ixp_statement_error(s, n->alpha->span, "alpha is a level between 0 and 1");
  double least = 1.0 / (n->surrogates + 1), level = o.alpha / n->nvars;
  if (least > level)  /* the correction across targets needs p <= alpha / targets for the first discovery */
    ixp_plan_warning(s, op->plan, "with %d surrogates the smallest p-value is %g, above alpha / targets = %g: no link "
                     "can pass the correction across targets; use at least %d surrogates", n->surrogates, least, level,
                     (int)ceil(n->nvars / o.alpha - 1 - 1e-9));
  o.key = ixp_stream_key(s, n->position, 0x6e6574);
  o.knn.noise_key = ixp_stream_key(s, n->position, 0x401e);
  double *block = ixp_data_block(s, n->data, n->vars, n->nvars, span);
  double **cols = ixp_arena_alloc(ixp_session_tmp(s), (size_t)n->nvars * sizeof *cols);
  for (int v = 0; v < n->nvars; v++) {
    cols[v] = ixp_arena_alloc(ixp_session_tmp(s), (size_t)(rows ? rows : 1) * sizeof **cols);
    for (long i = 0; i < rows; i++) cols[v][i] = block[(size_t)i * (size_t)n->nvars + (size_t)v];
  }
  int ntrials;
  const long *trials = ixp_data_trials(s, n->data, &ntrials, span);
  IxpNetResult r;
  IxpKnnStatus knn = IXP_KNN_OK;
  char msg[256] = "";
  IxpNetStatus st = ixp_network_infer((const double *const *)cols, n->nvars, rows, trials, ntrials, &o, &r, &knn, msg,
                                      sizeof msg);
  ixp_plan_poll_interrupt(s, op->plan);
  switch (st) {
  case IXP_NET_OK: break;
  case IXP_NET_ENOMEM: ixp_plan_error(s, op->plan, "network: out of memory");
  case IXP_NET_EINPUT: ixp_plan_error(s, op->plan, "%s", msg);
  case IXP_NET_ESINGULAR:
    ixp_plan_error(s, op->plan, "network: a sample covariance is singular (a column is constant or a linear "
                   "combination of others)");
  case IXP_NET_EKNN: ixp_plan_error(s, op->plan, "network: ksg: %s", ixp_knn_status_text(knn));
  }
  IxpTable *t = links_table(s, n, &r);
  ixp_network_result_free(&r);
  return (IxpValue){.type = TY_TABLE, .table = t};
}

static void network_explain(IxpSession *s, const IxpPlanOp *op, const IxpReg *in, FILE *out) {
  const Network *n = op->payload;
  (void)s;
  fprintf(out, "greedy multivariate TE (max statistic, min-statistic pruning, omnibus, sequential tests; %s across "
          "targets) on %zu rows of %d variables, %s, %d %s surrogates per test", n->bonferroni ? "Bonferroni" : "FDR",
          in->n, n->nvars, n->estimator == IXP_NET_GAUSSIAN ? "gaussian" : "ksg", n->surrogates,
          ixp_surrogate_method_name(n->method));
}

const IxpKernel ixp_kernel_network = {"network inference", network_run, network_explain};

static const IxpMeasure registry[] = {
    {"network", "network(X1, X2, ...)", "directed network by greedy multivariate transfer entropy (links: source, "
     "target, lag, te, p)", MEASURE_OVER_VARIABLES, lower_network, IXP_ESTIMAND_SERIES, options, NULL},
};

void ixp_open_network(IxpLibrary *lib) {
  ixp_library_add_measures(lib, registry, (int)(sizeof registry / sizeof *registry));
}
