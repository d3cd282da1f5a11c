/* measures_multiplets.c — tc, dtc and O-information of every multiplet of
 * a dataset's columns, from one covariance (backends/blis/multiplets.h):
 *
 *   oinfo(x0 .. x19, order = 3 .. 5) in d using gcmi
 *   tc(x0 .. x49, order = 3) in d using gaussian(bias = 1)
 *
 * The result is a table like network's: a title that numbers the
 * variables (1 = x0, 2 = x1, ...), then one row per multiplet: its order,
 * the numbers of its variables v1 .. v<hi> (0 past its order), and the
 * value in the session's units; sorted by value, largest first (for
 * oinfo: the most redundant first, the most synergistic last). */
#include "measures_multiplets.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copula.h"
#include "gaussian.h"
#include "model.h"
#include "multiplets.h"
#include "runtime.h"

/* Tables beyond this many rows are refused before any work. */
#define MAX_MULTIPLETS 2000000L

typedef struct {
  IxpModelDef *data;
  int *vars, nvars;
  int lo, hi;
  IxpMultiMeasure what;
  bool scores;     /* gcmi: normal scores first */
  bool bias;
  long count;
} Multiplets;

bool ixp_multiplets_wanted(const IxpLowering *lw) {
  return lw->measure->estimand == IXP_ESTIMAND_ENTROPIES && lw->noptions > 0;
}

/* order = k or order = lo .. hi, whole numbers. */
static bool order_option(IxpLowering *lw, Multiplets *m) {
  const IxpOption *o = &lw->options[0];
  if (strcmp(o->name, "order") || lw->noptions > 1)
    return ixp_lower_error(lw, lw->options[strcmp(o->name, "order") ? 0 : 1].node->span,
                           "%s takes one option here: order = lo .. hi (every multiplet of lo to hi variables)",
                           lw->measure->name);
  IxpAst *v = o->value, *a = v->kind == AST_RANGE ? v->a : v, *b = v->kind == AST_RANGE ? v->b : v;
  int least = m->what == IXP_MULTI_OINFO ? 3 : 2;
  if ((v->kind == AST_RANGE && v->c) || a->kind != AST_NUM || b->kind != AST_NUM || a->num != floor(a->num) ||
      b->num != floor(b->num) || a->num < least || b->num < a->num || b->num > IXP_MULTI_MAX_ORDER)
    return ixp_lower_error(lw, v->span, "order is a whole number or a range lo .. hi with %d <= lo <= hi <= %d%s", least,
                           IXP_MULTI_MAX_ORDER, least == 3 ? " (the O-information of a pair is 0)" : "");
  m->lo = (int)a->num, m->hi = (int)b->num;
  if (m->hi > m->nvars)
    return ixp_lower_error(lw, v->span, "order %d is more than the %d variables given", m->hi, m->nvars);
  return true;
}

/* using gaussian(bias = 0 | 1) or gcmi(bias = 0 | 1). */
static bool estimator_option(IxpLowering *lw, Multiplets *m) {
  IxpAst *use = lw->method;
  if (!use || (strcmp(use->str, "gaussian") && strcmp(use->str, "gcmi")))
    return ixp_lower_error(lw, use ? use->span : lw->call->span, "every multiplet is estimated from one covariance: "
                           "using gaussian or gcmi");
  m->scores = !strcmp(use->str, "gcmi");
  m->bias = m->scores;
  for (int i = 0; i < use->nitems; i++) {
    IxpAst *arg = use->items[i], *v = arg->a;
    if (!arg->str || strcmp(arg->str, "bias")) return ixp_lower_error(lw, arg->span, "%s takes bias = 0 | 1", use->str);
    if (v->kind != AST_NUM || (v->num != 0 && v->num != 1)) return ixp_lower_error(lw, v->span, "bias is 0 or 1");
    m->bias = v->num == 1;
  }
  return true;
}

/* Each argument one variable, separated by commas, each named once. */
static bool variables(IxpLowering *lw, Multiplets *m) {
  m->vars = ixp_arena_alloc(lw->arena, (size_t)(lw->nargs ? lw->nargs : 1) * sizeof *m->vars);
  for (int i = 0; i < lw->nargs; i++) {
    if (i > 0 && lw->args[i].sep != SEP_COMMA)
      return ixp_lower_error(lw, lw->args[i].node->span, "multiplets are of single variables separated by commas");
    for (int j = 0; j < i; j++)
      if (lw->args[j].var == lw->args[i].var)
        return ixp_lower_error(lw, lw->args[i].node->span, "'%s' is named twice", lw->model->vars[lw->args[i].var].name);
    m->vars[m->nvars++] = lw->args[i].var;
  }
  return true;
}

extern const IxpKernel ixp_kernel_multiplets;

bool ixp_lower_multiplets(IxpLowering *lw) {
  Multiplets *m = ixp_arena_alloc(lw->arena, sizeof *m);
  memset(m, 0, sizeof *m);
  m->data = lw->model;
  const char *name = lw->measure->name;
  if (!strcmp(name, "tc")) m->what = IXP_MULTI_TC;
  else if (!strcmp(name, "dtc")) m->what = IXP_MULTI_DTC;
  else m->what = IXP_MULTI_OINFO;
  if (!variables(lw, m) || !estimator_option(lw, m) || !order_option(lw, m)) return false;
  if (lw->test) return ixp_lower_error(lw, lw->test->span, "a table of multiplets takes no test");
  if (lw->local) return ixp_lower_error(lw, lw->call->span, "a table of multiplets has no local values");
  if (lw->nat) return ixp_lower_error(lw, lw->at[0].node->span, "%s takes no 'at'", name);
  for (int i = 0; i < m->nvars; i++)
    if (!lw->model->continuous[m->vars[i]])
      return ixp_lower_error(lw, lw->args[i].node->span, "'%s' is discrete: multiplets are estimated on continuous "
                             "columns", lw->model->vars[m->vars[i]].name);
  m->count = ixp_multiplet_count(m->nvars, m->lo, m->hi, MAX_MULTIPLETS);
  if (m->count < 0)
    return ixp_lower_error(lw, lw->options[0].value->span, "more than %ld multiplets of %d variables; narrow the "
                           "order or the variables", MAX_MULTIPLETS, m->nvars);
  lw->plan->type = TY_TABLE;
  lw->plan->result = ixp_plan_kernel(lw->plan, ixp_plan_rows(lw->plan, 0), &ixp_kernel_multiplets, m);
  return true;
}

/* ------------------------------------------------------------------ run */

static const char *const measure_names[] = {"tc", "dtc", "oinfo"};

static IxpTable *multiplet_table(IxpSession *s, const Multiplets *m, const IxpMultiplets *r) {
  char title[1024];
  int at = snprintf(title, sizeof title, "%s of %ld multiplets, largest first (", measure_names[m->what], r->count);
  for (int i = 0; i < m->nvars && at < (int)sizeof title - 80; i++)
    at += snprintf(title + at, sizeof title - (size_t)at, "%s%d = %s", i ? ", " : "", i + 1, m->data->vars[m->vars[i]].name);
  snprintf(title + at, sizeof title - (size_t)at, at < (int)sizeof title - 80 ? ")" : ", ...)");
  int ncols = m->hi + 2;
  const char **cols = ixp_arena_alloc(ixp_session_tmp(s), (size_t)ncols * sizeof *cols);
  cols[0] = "order";
  for (int i = 0; i < m->hi; i++) {
    char buf[16];
    snprintf(buf, sizeof buf, "v%d", i + 1);
    cols[i + 1] = ixp_arena_strndup(ixp_session_tmp(s), buf, strlen(buf));
  }
  cols[ncols - 1] = measure_names[m->what];
  IxpTable *t = ixp_table_new(title, ncols, cols);
  ixp_arena_defer(ixp_session_tmp(s), (void (*)(void *))ixp_table_free, t);
  t->xcol = 0, t->ycol = ncols - 1;
  double *row = ixp_arena_alloc(ixp_session_tmp(s), (size_t)ncols * sizeof *row), u = ixp_units_scale(s);
  for (long k = 0; k < r->count; k++) {
    row[0] = r->order[k];
    for (int i = 0; i < m->hi; i++) row[i + 1] = r->vars[k * r->hi + i] + 1;  /* -1 past the order: 0 */
    row[ncols - 1] = r->value[k] * u;
    ixp_table_add_row(t, row);
  }
  return t;
}

static IxpValue multiplets_run(IxpSession *s, const IxpPlanOp *op, const IxpReg *in) {
  const Multiplets *m = op->payload;
  long n = (long)in->n;
  int d = m->nvars;
  const char *est = m->scores ? "gcmi" : "gaussian";
  if (m->bias && n <= m->hi)
    ixp_plan_error(s, op->plan, "%s(bias = 1) needs more rows than the largest order (%ld rows)", est, n);
  double *x = ixp_data_block(s, m->data, m->vars, d, op->plan->site->span);
  if (m->scores && !ixp_normal_scores(x, n, d, x)) ixp_plan_error(s, op->plan, "gcmi: out of memory computing normal scores");
  double *cov = ixp_arena_alloc(ixp_session_tmp(s), (size_t)d * (size_t)d * sizeof *cov);
  IxpGaussStatus st = ixp_covariance(x, n, d, cov);
  if (st != IXP_GAUSS_OK) ixp_plan_error(s, op->plan, "%s: %s", est, ixp_gauss_status_text(st));
  IxpMultiplets r;
  long bad = -1;
  st = ixp_multiplets(cov, d, m->bias ? n : 0, m->lo, m->hi, m->what, &r, &bad);
  if (st == IXP_GAUSS_ENOTPD)
    ixp_plan_error(s, op->plan, "%s: the sample covariance of a multiplet is singular (a column is constant or a "
                   "linear combination of others); the %ld-th multiplet in order", est, bad + 1);
  if (st == IXP_GAUSS_OK && !ixp_multiplets_sort(&r)) st = IXP_GAUSS_ENOMEM, ixp_multiplets_free(&r);
  if (st != IXP_GAUSS_OK) ixp_plan_error(s, op->plan, "%s: %s", est, ixp_gauss_status_text(st));
  IxpTable *t = multiplet_table(s, m, &r);
  ixp_multiplets_free(&r);
  return (IxpValue){.type = TY_TABLE, .table = t};
}

static void multiplets_explain(IxpSession *s, const IxpPlanOp *op, const IxpReg *in, FILE *out) {
  const Multiplets *m = op->payload;
  (void)s;
  fprintf(out, "%s of %ld multiplets of %d to %d of %d variables: %sone covariance of %zu rows (SYRK), each multiplet's "
          "log-determinants from its sub-block's Cholesky factor extended one row from its prefix's%s; sorted by value",
          measure_names[m->what], m->count, m->lo, m->hi, m->nvars, m->scores ? "normal scores (gcmi), " : "", in->n,
          m->bias ? ", less their finite-sample bias" : "");
}

const IxpKernel ixp_kernel_multiplets = {"multiplets", multiplets_run, multiplets_explain};
