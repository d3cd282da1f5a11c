/* check_time.c — measures of variables at lags (mi(x[t]; y[t-1]) in d)
 * and the time measures (te, ais, entropy_rate, predictive_info, di):
 * their lagged arguments become the columns of a view of the source (a
 * dataset's lag view, lagview.c; a process's window, process.c), and the
 * measure is lowered on the view like any other. A time measure of several
 * terms (di's sum, a search over delays) runs each term's plan and
 * combines their results. */
#include <stdlib.h>
#include <string.h>

#include "checker.h"
#include "externs.h"
#include "ksum.h"
#include "lagview.h"
#include "process.h"
#include "runtime.h"

/* ----------------------------------------------------------- combining */

typedef struct {
  const IxpPlan **plans;
  const long *delay;
  const double *coef;     /* IXP_TIME_SUM: each term's factor */
  int n;
  IxpTimeCombine how;
} Terms;

static IxpValue terms_run(IxpSession *s, const IxpPlanOp *op, const IxpReg *in) {
  const Terms *t = op->payload;
  (void)in;
  IxpKSum sum = {0, 0};
  double best = 0;
  long delay = 0;
  for (int i = 0; i < t->n; i++) {
    IxpValue v = ixp_execute_plan(s, t->plans[i]);
    double x = v.num.x;
    ixp_ksum_add(&sum, t->coef[i] * x);
    if (i == 0 || x > best) best = x, delay = t->delay[i];  /* ties keep the shorter delay */
  }
  if (t->how == IXP_TIME_SUM) return ixp_value_real(ixp_ksum_value(sum));
  IxpRecord *r = ixp_record_new(ixp_session_tmp(s), NULL, 2);
  r->names[0] = "value", r->values[0] = ixp_value_real(best);
  r->names[1] = "delay", r->values[1] = ixp_value_real((double)delay);
  return (IxpValue){.type = TY_RECORD, .record = r};
}

static void terms_explain(IxpSession *s, const IxpPlanOp *op, const IxpReg *in, FILE *out) {
  const Terms *t = op->payload;
  (void)s, (void)in;
  if (t->how == IXP_TIME_SUM && t->coef[t->n - 1] < 0) fprintf(out, "the first term above minus the second");
  else if (t->how == IXP_TIME_SUM) fprintf(out, "the sum of the %d terms above (compensated, in order)", t->n);
  else fprintf(out, "the largest of the %d delays above (%ld .. %ld), and its delay", t->n, t->delay[0], t->delay[t->n - 1]);
}

static const IxpKernel terms_kernel = {"time measure terms", terms_run, terms_explain};

/* ----------------------------------------------------------- the view */

/* Column of (var, lag) in cols[0 .. *n), added when new. */
static int view_column(IxpLag *cols, int *n, int var, int lag) {
  for (int i = 0; i < *n; i++)
    if (cols[i].var == var && cols[i].lag == lag) return i;
  cols[*n] = (IxpLag){var, lag};
  return (*n)++;
}

/* The source's view over cols (a dataset's lag view, a process's window),
 * or NULL after an error at `use`. */
static IxpModelDef *view_of(Checker *c, IxpModelDef *m, const IxpLag *cols, int n, IxpSpan use) {
  if (m->data) return ixp_lagview_model(c->arena, m, cols, n);
  return ixp_process_window(c, m, cols, n, use);
}

/* ------------------------------------------------------ time measures */

/* A time measure's options, as whole numbers or a range of them. */
static bool time_options(Checker *c, const IxpLowering *lw, IxpTimeCall *tc) {
  bool ok = true;
  for (int i = 0; i < lw->noptions; i++) {
    const IxpOption *o = &lw->options[i];
    IxpTimeOption *t = &tc->options[tc->noptions++];
    IxpAst *v = o->value;
    *t = (IxpTimeOption){.name = o->name, .node = o->node};
    bool range = v->kind == AST_RANGE && !v->c;
    IxpAst *lo = range ? v->a : v, *hi = range ? v->b : v;
    ixp_check_expr(c, lo);
    if (range) ixp_check_expr(c, hi);
    if (!ixp_check_whole(c, lo, &t->lo) || !ixp_check_whole(c, hi, &t->hi)) {
      ixp_check_error(c, v->span, "option '%s' of %s is a whole number known before the program runs (a literal, or a "
                      "let of one)%s", o->name, lw->measure->name, !strcmp(o->name, "delay") ? ", or a range of them: 1 .. 10" : "");
      ok = false;
    }
    t->range = range;
  }
  return ok;
}

/* The rule of a time measure, asked for its terms. */
static bool expand(Checker *c, IxpLowering *lw, IxpAst *e, IxpTimeCall *tc) {
  const char *name = lw->measure->name;
  if (e->nitems) ixp_check_error(c, e->items[0]->span, "%s takes no 'at'", name);
  if (!lw->model->data && e->c) ixp_check_error(c, e->c->span, "'%s' is measured exactly; estimators ('using') apply to data", e->b->str);
  if (!time_options(c, lw, tc) || e->nitems || (!lw->model->data && e->c)) return false;
  tc->process = lw->model->process != NULL;
  lw->diag = &c->s->diag;
  lw->src = c->src;
  lw->time = tc;
  bool ok = lw->measure->lower(lw) && lw->errors == 0;
  c->errors += lw->errors;
  lw->errors = 0;
  lw->time = NULL;
  if (ok && tc->nterms > 1 && e->d)
    return ixp_check_error(c, e->d->span, "tests ('with') apply to %s of one term (one delay)", name), false;
  return ok;
}

/* The exact entropy rate of a process (no k): the process's own rule. */
static bool exact_rate_rule(IxpLowering *lw) {
  int *vars = ixp_arena_alloc(lw->arena, (size_t)(lw->nargs ? lw->nargs : 1) * sizeof *vars);
  for (int i = 0; i < lw->nargs; i++) vars[i] = lw->args[i].var;
  return ixp_process_lower_entropy_rate(lw, vars, lw->nargs);
}

static const IxpMeasure exact_rate = {"entropy_rate", "entropy_rate(X)", "a process's entropy rate",
                                      MEASURE_OVER_VARIABLES, exact_rate_rule, IXP_ESTIMAND_ENTROPY, NULL, NULL};

/* entropy(X | Z) for an estimator of entropy(X) alone (gaussian, kl):
 * the two terms H(X, Z) - H(Z), on the same rows. */
static bool split_conditional(const IxpLowering *lw, IxpTimeCall *tc, IxpArena *arena, double **coef) {
  const char *how = lw->method ? lw->method->str : "";
  if (tc->nterms != 1 || strcmp(tc->measure, "entropy") || (strcmp(how, "gaussian") && strcmp(how, "kl"))) return false;
  int bar = -1;
  for (int i = 0; i < tc->n; i++)
    if (tc->seps[i] == SEP_BAR) bar = i;
  if (bar < 0) return false;
  int n = tc->n, m = n - bar;
  IxpLag *cols = ixp_arena_alloc(arena, (size_t)(n + m) * sizeof *cols);
  IxpOp *seps = ixp_arena_alloc(arena, (size_t)(n + m) * sizeof *seps);
  IxpAst **nodes = ixp_arena_alloc(arena, (size_t)(n + m) * sizeof *nodes);
  memcpy(cols, tc->cols, (size_t)n * sizeof *cols), memcpy(cols + n, tc->cols + bar, (size_t)m * sizeof *cols);
  memcpy(nodes, tc->nodes, (size_t)n * sizeof *nodes), memcpy(nodes + n, tc->nodes + bar, (size_t)m * sizeof *nodes);
  for (int i = 0; i < n + m; i++) seps[i] = i == 0 || i == n ? OP_NONE : SEP_COMMA;
  tc->cols = cols, tc->seps = seps, tc->nodes = nodes, tc->n = n + m;
  tc->start = ixp_arena_alloc(arena, 3 * sizeof *tc->start);
  tc->start[0] = 0, tc->start[1] = n, tc->start[2] = n + m, tc->nterms = 2;
  tc->combine = IXP_TIME_SUM;
  *coef = ixp_arena_alloc(arena, 2 * sizeof **coef);
  (*coef)[0] = 1, (*coef)[1] = -1;
  return true;
}

/* One term's arguments as a call on `view` (columns at[i]), lowered: its plan. */
static IxpPlan *lower_term(Checker *c, const IxpLowering *lw, IxpAst *e, const IxpMeasure *ms, IxpModelDef *view,
                           const int *at, const IxpOp *seps, IxpAst *const *nodes, int n, const IxpExternDef *ext) {
  IxpLowering t = {.measure = ms, .model = view, .call = lw->call, .method = lw->method, .test = lw->test,
                   .arena = c->arena};
  if (ms == lw->measure) {  /* a measure with lags keeps its options and `at` (a time measure's are its own) */
    t.noptions = lw->noptions, t.nat = lw->nat;
    memcpy(t.options, lw->options, sizeof t.options);
    memcpy(t.at, lw->at, sizeof t.at);
  }
  for (int i = 0; i < n; i++) *ixp_lower_push_arg(&t) = (IxpMeasureArg){seps[i], at[i], NULL, nodes[i]};
  e->sem.plan = NULL;
  ixp_check_lower(c, &t, e, e->b, ext);
  if (e->sem.plan) e->sem.plan->measure = lw->measure->name;
  return e->sem.plan;
}

IxpType ixp_check_time(Checker *c, IxpLowering *lw, IxpAst *e, const IxpLagArgs *lags, const IxpExternDef *ext) {
  IxpModelDef *m = lw->model;
  const IxpMeasure *ms = lw->measure;
  bool time = ixp_measure_is_time(ms);
  IxpAst *where = lags->first ? lags->first : e->b;
  if (!m->data && !m->process) {
    ixp_check_error(c, where->span, "lags need a time series: a dataset or a process ('%s' is a model)", m->name);
    return TY_ANY;
  }
  if (time && lags->first) {
    ixp_check_error(c, lags->first->span, "%s takes variables, not lags: it lays out their pasts itself (its options "
                    "k, tau, ...)", ms->name);
    return TY_ANY;
  }
  IxpTimeCall tc = {0};
  if (time) {
    if (!expand(c, lw, e, &tc)) return TY_ANY;
  } else {  /* the arguments as written, each at its lag (x alone is x[t]) */
    tc.cols = ixp_arena_alloc(c->arena, (size_t)lw->nargs * sizeof *tc.cols);
    tc.seps = ixp_arena_alloc(c->arena, (size_t)lw->nargs * sizeof *tc.seps);
    tc.nodes = ixp_arena_alloc(c->arena, (size_t)lw->nargs * sizeof *tc.nodes);
    for (int i = 0; i < lw->nargs; i++) {
      tc.cols[i] = (IxpLag){lw->args[i].var, i < lags->cap ? lags->lag[i] : 0};
      tc.seps[i] = lw->args[i].sep, tc.nodes[i] = lw->args[i].node;
    }
    tc.n = lw->nargs;
    tc.measure = ms->name;
    tc.start = ixp_arena_alloc(c->arena, 2 * sizeof *tc.start);
    tc.start[0] = 0, tc.start[1] = tc.n, tc.nterms = 1;
  }
  if (tc.exact_rate) {
    IxpLowering t = {.measure = &exact_rate, .model = m, .call = lw->call, .arena = c->arena};
    for (int i = 0; i < tc.n; i++) *ixp_lower_push_arg(&t) = (IxpMeasureArg){tc.seps[i], tc.cols[i].var, NULL, tc.nodes[i]};
    return ixp_check_lower(c, &t, e, e->b, NULL);
  }
  double *coef = NULL;
  if (!split_conditional(lw, &tc, c->arena, &coef) && tc.nterms > 1) {
    coef = ixp_arena_alloc(c->arena, (size_t)tc.nterms * sizeof *coef);
    for (int j = 0; j < tc.nterms; j++) coef[j] = 1;
  }
  /* One view for every term: the terms of a delay search or of di compare on the same rows. */
  IxpLag *cols = ixp_arena_alloc(c->arena, (size_t)(tc.n ? tc.n : 1) * sizeof *cols);
  int *at = ixp_arena_alloc(c->arena, (size_t)(tc.n ? tc.n : 1) * sizeof *at), ncols = 0;
  for (int i = 0; i < tc.n; i++) at[i] = view_column(cols, &ncols, tc.cols[i].var, tc.cols[i].lag);
  IxpModelDef *view = view_of(c, m, cols, ncols, where->span);
  if (!view) return TY_ANY;
  const IxpMeasure *target = time ? ixp_library_measure(&c->s->lib, tc.measure) : ms;
  if (tc.nterms > 1 && e->local) {
    ixp_check_error(c, e->span, "local values are for measures of one term (not %s here)", ms->name);
    return TY_ANY;
  }
  if (tc.nterms == 1) {
    IxpPlan *p = lower_term(c, lw, e, target, view, at, tc.seps, tc.nodes, tc.n, ext);
    return p ? p->type : TY_ANY;
  }
  Terms *t = ixp_arena_alloc(c->arena, sizeof *t);
  t->plans = ixp_arena_alloc(c->arena, (size_t)tc.nterms * sizeof *t->plans);
  t->delay = tc.delay, t->coef = coef, t->n = tc.nterms, t->how = tc.combine;
  for (int j = 0; j < tc.nterms; j++) {
    int first = tc.start[j], n = tc.start[j + 1] - first;
    if (!(t->plans[j] = lower_term(c, lw, e, target, view, at + first, tc.seps + first, tc.nodes + first, n, ext)))
      return TY_ANY;
  }
  IxpPlan *p = ixp_plan_new(c->arena, ms->name, e);
  p->src[0] = t->plans[0]->src[0];
  p->nsrc = 1;
  p->result = ixp_plan_kernel(p, ixp_plan_lincomb(p, 0, NULL, NULL), &terms_kernel, t);
  static const char *const fields[] = {"value", "delay", NULL};
  p->type = t->how == IXP_TIME_BEST ? TY_RECORD : TY_NUM;
  p->fields = t->how == IXP_TIME_BEST ? fields : NULL;
  e->sem.plan = p;
  return p->type;
}
