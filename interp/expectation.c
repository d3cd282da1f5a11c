/* expectation.c — mean(EXPR) in SOURCE: the expectation of an expression
 * of a model's variables under the model's exact joint, or its average
 * over a dataset's rows.
 *
 * It is lowered like a measure, to a plan: the source's joint (on the
 * variables the expression reads) or its rows, then a kernel that
 * evaluates the expression once per state or row and sums p * value in
 * state (row) order with a compensated sum, so the result is the same at
 * any thread count. `mean(v)` without `in` stays the builtin mean of a
 * vector. */
#include "expectation.h"

#include <string.h>

#include "data.h"
#include "eliminate.h"
#include "ksum.h"

/* What the kernel needs: the expression, the source's variables it reads,
 * and a copy of the model whose source is the program's (so errors in
 * the expression point at the program's text). */
typedef struct {
  IxpAst *expr;
  IxpModelDef *model;      /* the source: its joint or rows */
  IxpModelDef *frame;      /* the frame's model (variables, groups) with the program's source */
  const int *vars;         /* variables read, ascending */
  int nvars;
} Expectation;

/* ------------------------------------------------------------------- run */

static double value_at(IxpSession *s, const Expectation *x, const IxpFrame *f) {
  IxpValue v = ixp_eval(s, x->expr, f);
  if (v.type != TY_NUM)
    ixp_runtime_error(s, x->frame->src, x->expr->span, "mean(...) in %s averages a number, not a %s", x->model->name,
                      ixp_type_name(v.type));
  return v.num.x;
}

/* The state (or row) being evaluated, for an error's message. */
typedef struct {
  const Expectation *x;
  const double *vals;
  size_t row;              /* a dataset's row, from 1; 0 for a model's state */
} Where;

static const char *describe(void *ctx, char *buf, size_t size) {
  const Where *w = ctx;
  size_t len = 0;
  buf[0] = '\0';
  if (w->row) len = (size_t)snprintf(buf, size, "at row %zu, ", w->row);
  for (int i = 0; i < w->x->nvars && len < size; i++) {
    char num[32];
    ixp_format_num(num, sizeof num, w->vals[w->x->vars[i]], -1);
    len += (size_t)snprintf(buf + len, size - len, "%s%s = %s", i ? ", " : "", w->x->model->vars[w->x->vars[i]].name, num);
  }
  return buf;
}

/* Sum over the joint's states of p * EXPR (joint columns are model
 * indices: ixp_model_marginal without `compact`). */
static double over_joint(IxpSession *s, const Expectation *x, const IxpJoint *j, const IxpValue *params) {
  double *vals = ixp_arena_alloc(s->tmp, (size_t)x->model->nvars * sizeof *vals);
  memset(vals, 0, (size_t)x->model->nvars * sizeof *vals);
  IxpFrame f = {x->frame, vals, params};
  IxpKSum sum = {0, 0};
  Where w = {x, vals, 0};
  for (size_t k = 0; k < j->n; k++) {
    for (int i = 0; i < x->nvars; i++) {
      int v = x->vars[i];
      vals[v] = j->alpha[v].values[ixp_joint_code(j, v, k)];
    }
    s->describe_state = describe, s->describe_ctx = &w;
    IxpArenaMark mark = ixp_arena_mark(s->tmp);
    ixp_ksum_add(&sum, j->p[k] * value_at(s, x, &f));
    ixp_arena_release(s->tmp, mark);  /* the state's temporaries (a vector variable's value, ...) */
  }
  s->describe_state = NULL;
  return ixp_ksum_value(sum);
}

/* The average of EXPR over the dataset's rows. */
static double over_rows(IxpSession *s, const Expectation *x, IxpSpan use) {
  size_t n = ixp_data_rows_count(s, x->model, use);
  const double **cols = ixp_arena_alloc(s->tmp, (size_t)(x->nvars ? x->nvars : 1) * sizeof *cols);
  for (int i = 0; i < x->nvars; i++) cols[i] = ixp_data_column(s, x->model, x->vars[i], use);
  double *vals = ixp_arena_alloc(s->tmp, (size_t)x->model->nvars * sizeof *vals);
  memset(vals, 0, (size_t)x->model->nvars * sizeof *vals);
  IxpFrame f = {x->frame, vals, NULL};
  IxpKSum sum = {0, 0};
  Where w = {x, vals, 0};
  for (size_t r = 0; r < n; r++) {
    for (int i = 0; i < x->nvars; i++) vals[x->vars[i]] = cols[i][r];
    w.row = r + 1;
    s->describe_state = describe, s->describe_ctx = &w;
    IxpArenaMark mark = ixp_arena_mark(s->tmp);
    ixp_ksum_add(&sum, value_at(s, x, &f));
    ixp_arena_release(s->tmp, mark);  /* the row's temporaries */
  }
  s->describe_state = NULL;
  if (n == 0) ixp_runtime_error(s, x->frame->src, use, "dataset '%s' has no rows to average", x->model->name);
  return ixp_ksum_value(sum) / (double)n;
}

static IxpValue expectation_run(IxpSession *s, const IxpPlanOp *op, const IxpReg *in) {
  const Expectation *x = op->payload;
  const IxpPlanSource *src = &op->plan->src[0];
  if (in->kind == IXP_REG_ROWS) return ixp_value_real(over_rows(s, x, src->node->span));
  IxpAst *node = src->node->kind == AST_SOURCE ? src->node : NULL;
  return ixp_value_real(over_joint(s, x, in->joint, ixp_source_params(s, x->model, node)));
}

static void expectation_explain(IxpSession *s, const IxpPlanOp *op, const IxpReg *in, FILE *out) {
  (void)s;
  const Expectation *x = op->payload;
  fprintf(out, "the expectation of ");
  ixp_ast_print(out, x->expr);
  if (in->kind == IXP_REG_ROWS) fprintf(out, ", averaged over %zu rows (compensated sum, row order)", in->n);
  else fprintf(out, ", summed over %zu states weighted by their probabilities (compensated sum)", in->joint->n);
}

static const IxpKernel expectation_kernel = {"mean", expectation_run, expectation_explain};

/* ----------------------------------------------------------------- check */

/* The expression checked as inside model m: its variables, groups and
 * parameters resolve to the model's; the variables it reads, ascending. */
static int check_in_model(Checker *c, IxpModelDef *m, IxpAst *expr, int **vars) {
  IxpModelDef *model = c->model;
  uint64_t *deps = c->deps;
  Context ctx = c->ctx;
  c->model = m;
  c->deps = ixp_check_deps(c, m);
  c->ctx = CTX_MODEL;
  IxpType t = ixp_check_expr(c, expr);
  if (t != TY_NUM && t != TY_ANY)
    ixp_check_error(c, expr->span, "mean(...) in %s averages a number, not a %s", m->name, ixp_type_name(t));
  int n = 0;
  *vars = ixp_arena_alloc(c->arena, (size_t)(m->nvars ? m->nvars : 1) * sizeof **vars);
  for (int v = 0; v < m->nvars; v++)
    if (c->deps[v >> 6] >> (v & 63) & 1) (*vars)[n++] = v;
  c->model = model;
  c->deps = deps;
  c->ctx = ctx;
  return n;
}

IxpType ixp_check_expectation(Checker *c, IxpAst *e) {
  IxpAst *call = e->a;
  if (c->ctx == CTX_MODEL) {
    ixp_check_error(c, e->span, "measures cannot be used inside a model");
    return TY_NUM;
  }
  if (call->nitems != 1 || call->items[0]->str) {
    ixp_check_error(c, call->span, "mean(EXPR) in SOURCE averages one expression of the source's variables");
    return TY_NUM;
  }
  if (e->c || e->d || e->nitems) {
    IxpAst *extra = e->c ? e->c : e->d ? e->d : e->items[0];
    ixp_check_error(c, extra->span, "mean(...) in SOURCE is exact over a model's states or a dataset's rows: it takes no "
                    "'using', 'with' or 'at'");
    return TY_NUM;
  }
  const IxpSymbol *sym = ixp_lookup(c->s, e->b->str);
  if (!sym || sym->kind != SYM_MODEL) {
    ixp_check_error(c, e->b->span, "'%s' is not a model or dataset: mean(EXPR) in SOURCE", e->b->str);
    return TY_NUM;
  }
  IxpModelDef *m = sym->model;
  if (m->process) {
    ixp_check_error(c, e->b->span, "'%s' is a process: mean(EXPR) averages over a model's states or a dataset's rows; "
                    "average a sample of it, data d = sample(%s, 10000)", m->name, m->name);
    return TY_NUM;
  }
  bool data = m->data != NULL;
  if (data && e->b->nitems) ixp_check_error(c, e->b->span, "a dataset takes no parameters");
  for (int i = 0; !data && i < e->b->nitems; i++) {  /* overrides, as a measure's source takes them */
    IxpAst *arg = e->b->items[i];
    ixp_check_expr(c, arg->a);
    int p = arg->str ? ixp_model_param(m, arg->str) : -1;
    if (p < 0) ixp_check_error(c, arg->span, "model '%s' has no parameter '%s'", m->name, arg->str ? arg->str : "");
    else arg->sem.slot = p;
  }
  e->b->sem.model = m;
  if (!data && (m->has_continuous || m->extern_draws || m->nvars > IXP_MAX_VARS)) {
    ixp_check_error(c, e->b->span, "mean(...) in %s needs its exact joint, and '%s' %s: average over a sample, as data s = "
                    "sample(%s, 10000), then mean(...) in s", m->name, m->name,
                    m->nvars > IXP_MAX_VARS ? "has too many variables for one" : "has continuous or extern draws",
                    m->name);
    return TY_NUM;
  }
  Expectation *x = ixp_arena_alloc(c->arena, sizeof *x);
  x->expr = call->items[0]->a;
  x->model = m;
  x->frame = ixp_arena_alloc(c->arena, sizeof *x->frame);
  *x->frame = *m;
  x->frame->src = c->src;
  int *vars;
  x->nvars = check_in_model(c, m, x->expr, &vars);
  x->vars = vars;
  IxpPlan *p = ixp_plan_new(c->arena, "mean", e);
  ixp_plan_source(p, e->b, m);
  if (!data) {
    p->src[0].vars = vars;  /* the joint on the variables read (a marginal when elimination pays) */
    p->src[0].nvars = x->nvars;
  }
  p->type = TY_NUM;
  p->result = ixp_plan_kernel(p, data ? ixp_plan_rows(p, 0) : ixp_plan_joint(p, 0), &expectation_kernel, x);
  e->sem.plan = p;
  return TY_NUM;
}
