/* eval.c — evaluating expressions and running statements.
 *
 * A runtime error prints its report and unwinds (longjmp) to the statement
 * runner, which frees the statement's temporaries; nothing unwinds across
 * a kernel call, as kernels return status codes. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arrays.h"
#include "data.h"
#include "externs.h"
#include "grow.h"
#include "interp.h"
#include "interpolate.h"
#include "plot.h"
#include "plot_graph.h"
#include "plot_series.h"
#include "progress.h"
#include "ranks.h"
#include "rng.h"
#include "outfile.h"
#include "record.h"
#include "spread.h"

void ixp_runtime_verror(IxpSession *s, const IxpSource *src, IxpSpan span, const char *fmt, va_list ap) {
  char msg[1024], state[512];
  vsnprintf(msg, sizeof msg, fmt, ap);
  if (s->describe_state) {
    const char *(*describe)(void *, char *, size_t) = s->describe_state;
    s->describe_state = NULL;
    ixp_diag_error(&s->diag, src, span, "%s when %s", msg, describe(s->describe_ctx, state, sizeof state));
  } else {
    ixp_diag_error(&s->diag, src, span, "%s", msg);
  }
  if (s->enumerating)
    ixp_diag_note(&s->diag, s->src, s->enumerating_use, "while evaluating model '%s', needed here", s->enumerating->name);
  s->enumerating = NULL;
  longjmp(*s->on_error, 1);
}

void ixp_runtime_error(IxpSession *s, const IxpSource *src, IxpSpan span, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ixp_runtime_verror(s, src, span, fmt, ap);
}

void ixp_statement_error(IxpSession *s, IxpSpan span, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ixp_runtime_verror(s, s->src, span, fmt, ap);
}

/* The source a node belongs to: the running statement's, or inside a
 * model the model's own. */
static const IxpSource *src_of(IxpSession *s, const IxpFrame *f) {
  return f && f->model ? f->model->src : s->src;
}

static bool truth(IxpValue v) { return v.num.x != 0; }

static IxpValue boolean(bool b) { return ixp_value_num(ixp_num_int(b)); }

double ixp_eval_number(IxpSession *s, IxpAst *e, const IxpFrame *f) {
  IxpValue v = ixp_eval(s, e, f);
  if (v.type != TY_NUM)
    ixp_runtime_error(s, src_of(s, f), e->span, "expected a number, got a %s", ixp_type_name(v.type));
  return v.num.x;
}

static IxpValue number(IxpSession *s, IxpAst *e, const IxpFrame *f) {
  IxpValue v = ixp_eval(s, e, f);
  if (v.type != TY_NUM)
    ixp_runtime_error(s, src_of(s, f), e->span, "expected a number, got a %s", ixp_type_name(v.type));
  return v;
}

IxpValue *ixp_source_params(IxpSession *s, IxpModelDef *m, IxpAst *source) {
  IxpValue *p = ixp_arena_alloc(s->tmp, (size_t)(m->nparams ? m->nparams : 1) * sizeof *p);
  IxpFrame f = {.model = m, .params = p};
  for (int i = 0; i < m->nparams; i++) {
    IxpAst *given = NULL;
    for (int k = 0; source && k < source->nitems; k++)
      if (source->items[k]->sem.slot == i) given = source->items[k]->a;
    if (!given && !m->params[i]->a)
      ixp_runtime_error(s, m->src, m->params[i]->span, "model '%s' needs a value for its parameter '%s': "
                        "measure it as ... in %s(%s = ...)", m->name, m->params[i]->str, m->name, m->params[i]->str);
    p[i] = given ? ixp_eval(s, given, NULL) : ixp_eval(s, m->params[i]->a, &f);
  }
  return p;
}

/* Integer powers of exact numbers stay exact. */
static IxpNum power(IxpNum a, IxpNum b) {
  if (a.exact && b.exact && b.d == 1 && b.n >= -62 && b.n <= 62) {
    IxpNum r = ixp_num_int(1);
    for (int64_t i = 0; i < (b.n < 0 ? -b.n : b.n); i++) r = ixp_num_mul(r, a);
    if (b.n < 0) r = a.n == 0 ? ixp_num_real(INFINITY) : ixp_num_div(ixp_num_int(1), r);
    return r;
  }
  return ixp_num_real(pow(a.x, b.x));
}

/* Floor modulo (the sign of the divisor), exact for integers. */
static IxpNum modulo(IxpNum a, IxpNum b) {
  if (a.exact && b.exact && a.d == 1 && b.d == 1 && b.n != -1) {
    int64_t r = a.n % b.n;
    if (r != 0 && (r < 0) != (b.n < 0)) r += b.n;
    return ixp_num_int(r);
  }
  double r = fmod(a.x, b.x);
  if (r != 0 && (r < 0) != (b.x < 0)) r += b.x;
  return ixp_num_real(r);
}

static IxpValue numeric_binary(IxpSession *s, IxpAst *e, const IxpFrame *f, IxpNum a, IxpNum b) {
  switch (e->op) {
  case OP_ADD: return ixp_value_num(ixp_num_add(a, b));
  case OP_SUB: return ixp_value_num(ixp_num_sub(a, b));
  case OP_MUL: case OP_EMUL: return ixp_value_num(ixp_num_mul(a, b));
  case OP_DIV:
    if (b.x == 0) ixp_runtime_error(s, src_of(s, f), e->span, "division by zero");
    return ixp_value_num(ixp_num_div(a, b));
  case OP_MOD:
    if (b.x == 0) ixp_runtime_error(s, src_of(s, f), e->span, "modulo by zero");
    return ixp_value_num(modulo(a, b));
  case OP_POW: return ixp_value_num(power(a, b));
  case OP_EQ: return boolean(ixp_num_cmp(a, b) == 0);
  case OP_NE: return boolean(ixp_num_cmp(a, b) != 0);
  case OP_LT: return boolean(ixp_num_cmp(a, b) < 0);
  case OP_LE: return boolean(ixp_num_cmp(a, b) <= 0);
  case OP_GT: return boolean(ixp_num_cmp(a, b) > 0);
  case OP_GE: return boolean(ixp_num_cmp(a, b) >= 0);
  case OP_XOR: return boolean((a.x != 0) != (b.x != 0));
  default: ixp_runtime_error(s, src_of(s, f), e->span, "unknown operator");
  }
}

static bool is_array(const IxpValue *v) { return v->type == TY_VEC || v->type == TY_MAT; }

/* An operand that is neither a number nor an array is reported at its own
 * span; the arithmetic of arrays is the arrays module's. */
static IxpValue binary(IxpSession *s, IxpAst *e, const IxpFrame *f) {
  if (e->op == OP_AND || e->op == OP_OR) {  /* short-circuit */
    bool a = truth(number(s, e->a, f));
    if (e->op == OP_AND ? !a : a) return boolean(a);
    return boolean(truth(number(s, e->b, f)));
  }
  IxpValue a = ixp_eval(s, e->a, f);
  if (a.type != TY_NUM && !is_array(&a))
    ixp_runtime_error(s, src_of(s, f), e->a->span, "expected a number, got a %s", ixp_type_name(a.type));
  IxpValue b = ixp_eval(s, e->b, f);
  if (b.type != TY_NUM && !is_array(&b))
    ixp_runtime_error(s, src_of(s, f), e->b->span, "expected a number, got a %s", ixp_type_name(b.type));
  if (a.type == TY_NUM && b.type == TY_NUM) return numeric_binary(s, e, f, a.num, b.num);
  IxpValue out;
  char err[256];
  if (ixp_array_binary(e->op, &a, &b, &out, s->tmp, err, sizeof err)) ixp_runtime_error(s, src_of(s, f), e->span, "%s", err);
  return out;
}

static IxpValue unary(IxpSession *s, IxpAst *e, const IxpFrame *f) {
  IxpValue a = ixp_eval(s, e->a, f);
  if (is_array(&a)) {
    IxpValue out;
    char err[256];
    if (ixp_array_unary(e->op, &a, &out, s->tmp, err, sizeof err)) ixp_runtime_error(s, src_of(s, f), e->span, "%s", err);
    return out;
  }
  if (a.type != TY_NUM)
    ixp_runtime_error(s, src_of(s, f), e->a->span, "expected a number, got a %s", ixp_type_name(a.type));
  return e->op == OP_NOT ? boolean(!truth(a)) : ixp_value_num(ixp_num_neg(a.num));
}

/* A vector of numbers, or a matrix of equally long vectors. */
static IxpValue vector(IxpSession *s, IxpAst *e, const IxpFrame *f) {
  int n = e->nitems;
  IxpValue *items = ixp_arena_alloc(s->tmp, (size_t)(n ? n : 1) * sizeof *items);
  for (int i = 0; i < n; i++) items[i] = ixp_eval(s, e->items[i], f);
  bool matrix = n > 0 && items[0].type == TY_VEC;
  int cols = matrix ? items[0].cols : n, rows = matrix ? n : 1;
  double *v = ixp_arena_alloc(s->tmp, ((size_t)rows * (size_t)cols + 1) * sizeof *v);
  for (int i = 0; i < n; i++) {
    if (matrix && (items[i].type != TY_VEC || items[i].cols != cols))
      ixp_runtime_error(s, src_of(s, f), e->items[i]->span, "every row of a matrix must be a vector of %d numbers", cols);
    if (!matrix && items[i].type != TY_NUM)
      ixp_runtime_error(s, src_of(s, f), e->items[i]->span, "a vector holds numbers, not a %s", ixp_type_name(items[i].type));
    if (matrix) memcpy(v + (size_t)i * (size_t)cols, items[i].v, (size_t)cols * sizeof *v);
    else v[i] = items[i].num.x;
  }
  return (IxpValue){.type = matrix ? TY_MAT : TY_VEC, .v = v, .rows = rows, .cols = cols};
}

/* record.name or record["name"]; table.column gives the column. */
static IxpValue field(IxpSession *s, IxpValue a, const char *name, IxpAst *e, const IxpFrame *f) {
  if (a.type == TY_RECORD) {
    const IxpValue *v = ixp_record_field(a.record, name);
    if (v) return *v;
  } else if (a.type == TY_TABLE) {
    int c = ixp_table_col(a.table, name);
    if (c >= 0) {
      double *col = ixp_arena_alloc(s->tmp, (size_t)(a.table->nrows + 1) * sizeof *col);
      for (int r = 0; r < a.table->nrows; r++) col[r] = a.table->cells[(size_t)r * (size_t)a.table->ncols + (size_t)c];
      return (IxpValue){.type = TY_VEC, .v = col, .rows = 1, .cols = a.table->nrows};
    }
  } else {
    ixp_runtime_error(s, src_of(s, f), e->span, "a %s has no field '%s'", ixp_type_name(a.type), name);
  }
  char known[512] = "";
  int n = a.type == TY_RECORD ? (a.record->shown ? a.record->n : a.record->n) : a.table->ncols;
  for (int i = 0; i < n; i++)
    snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", i ? ", " : "",
             a.type == TY_RECORD ? a.record->names[i] : a.table->cols[i]);
  ixp_runtime_error(s, src_of(s, f), e->span, "no field '%s' (fields: %s)", name, known);
}

/* The positions one index selects along an axis of n: one (`single`), or
 * the points of a range, or all of them (`..`). */
typedef struct {
  bool single;
  int count;
  int *at;
} Axis;

/* Position i of an axis of n, whole and in bounds; `what` names the axis. */
static int position(IxpSession *s, IxpAst *e, const IxpFrame *f, double i, int n, const char *what) {
  char num[32];
  ixp_format_num(num, sizeof num, i, -1);
  if (i != floor(i)) ixp_runtime_error(s, src_of(s, f), e->span, "an index must be a whole number, not %s", num);
  if (i < 0 || i >= n) ixp_runtime_error(s, src_of(s, f), e->span, "%sindex %s is outside 0 .. %d", what, num, n - 1);
  return (int)i;
}

static Axis axis(IxpSession *s, IxpAst *e, const IxpFrame *f, int n, const char *what) {
  Axis x = {.single = false, .count = n};
  x.at = ixp_arena_alloc(s->tmp, (size_t)(n + 1) * sizeof *x.at);
  if (e->kind == AST_ALL) {
    for (int i = 0; i < n; i++) x.at[i] = i;
    return x;
  }
  IxpValue v = ixp_eval(s, e, f);
  if (v.type == TY_NUM) {
    x.single = true, x.count = 1;
    x.at[0] = position(s, e, f, v.num.x, n, what);
    return x;
  }
  if (v.type != TY_RANGE)
    ixp_runtime_error(s, src_of(s, f), e->span, "an index is a number, a range or '..', not a %s", ixp_type_name(v.type));
  int64_t points = ixp_range_count(&v);
  x.count = 0;
  for (int64_t k = 0; k < points || points < 0; k++)  /* a point past n is out of bounds: at most n + 1 tried */
    x.at[x.count++] = position(s, e, f, ixp_range_at(&v, k).x, n, what);
  return x;
}

/* Rows `r` and columns `c` of the row-major rows x cols array at v. */
static double *gather(IxpSession *s, const double *v, int cols, const Axis *r, const Axis *c) {
  double *out = ixp_arena_alloc(s->tmp, ((size_t)r->count * (size_t)c->count + 1) * sizeof *out);
  for (int i = 0; i < r->count; i++)
    for (int j = 0; j < c->count; j++)
      out[(size_t)i * (size_t)c->count + (size_t)j] = v[(size_t)r->at[i] * (size_t)cols + (size_t)c->at[j]];
  return out;
}

/* A selection's value: a number, a vector (one axis single or a vector's
 * slice) or a matrix. */
static IxpValue selection(double *v, const Axis *r, const Axis *c, bool matrix) {
  if ((!matrix || r->single) && c->single) return ixp_value_real(v[0]);
  if (!matrix || r->single) return (IxpValue){.type = TY_VEC, .v = v, .rows = 1, .cols = c->count};
  if (c->single) return (IxpValue){.type = TY_VEC, .v = v, .rows = 1, .cols = r->count};
  return (IxpValue){.type = TY_MAT, .v = v, .rows = r->count, .cols = c->count};
}

/* x[i], x[i .. j]; A[i] (a row), A[i .. j] (rows), A[i, j] with either
 * index a number, a range or '..'. */
static IxpValue index_value(IxpSession *s, IxpAst *e, const IxpFrame *f) {
  IxpValue a = ixp_eval(s, e->a, f);
  if (a.type == TY_RECORD && !e->c) {
    IxpValue key = ixp_eval(s, e->b, f);
    if (key.type != TY_STR) ixp_runtime_error(s, src_of(s, f), e->b->span, "a record is indexed by a field name");
    return field(s, a, key.str, e, f);
  }
  if (a.type != TY_VEC && a.type != TY_MAT)
    ixp_runtime_error(s, src_of(s, f), e->a->span, "only vectors and matrices can be indexed, not a %s", ixp_type_name(a.type));
  if (e->c && a.type == TY_VEC)
    ixp_runtime_error(s, src_of(s, f), e->span, "a vector takes one index, not two");
  bool matrix = a.type == TY_MAT;
  Axis all = {.single = false, .count = a.cols};
  if (matrix && !e->c) {  /* whole rows, as a view when one */
    Axis r = axis(s, e->b, f, a.rows, "");
    if (r.single) return (IxpValue){.type = TY_VEC, .v = a.v + (size_t)r.at[0] * (size_t)a.cols, .rows = 1, .cols = a.cols};
    all.at = ixp_arena_alloc(s->tmp, (size_t)(a.cols + 1) * sizeof *all.at);
    for (int j = 0; j < a.cols; j++) all.at[j] = j;
    return selection(gather(s, a.v, a.cols, &r, &all), &r, &all, true);
  }
  Axis one = {.single = true, .count = 1, .at = (int[]){0}};
  Axis r = matrix ? axis(s, e->b, f, a.rows, "row ") : one;
  Axis c = axis(s, matrix ? e->c : e->b, f, a.cols, matrix ? "column " : "");
  return selection(gather(s, a.v, a.cols, &r, &c), &r, &c, matrix);
}

static IxpValue call(IxpSession *s, IxpAst *e, const IxpFrame *f) {
  if (e->sem.ref == REF_EXTERN) return ixp_extern_eval(s, e, f);
  if (e->sem.ref == REF_MODEL) return ixp_data_matrix(s, e->sem.model, e->span);  /* matrix(d) */
  if (e->sem.plan) return ixp_execute_plan(s, e->sem.plan);  /* a measure over models */
  const IxpBuiltin *fn = e->sem.builtin;
  IxpValue *args = ixp_arena_alloc(s->tmp, (size_t)(e->nitems ? e->nitems : 1) * sizeof *args);
  for (int i = 0; i < e->nitems; i++) {
    args[i] = ixp_eval(s, e->items[i]->a, f);
    if (fn->arg == TY_NUM && args[i].type != TY_NUM)
      ixp_runtime_error(s, src_of(s, f), e->items[i]->span, "%s needs a number, not a %s", fn->signature, ixp_type_name(args[i].type));
  }
  if (fn->shape == IXP_SHAPE_FILE && args[0].type == TY_STR) args[0].str = ixp_program_path(src_of(s, f), args[0].str, s->tmp);
  IxpValue out;
  char err[640];
  if (fn->fn(args, e->nitems, &out, s->tmp, err, sizeof err))
    ixp_runtime_error(s, src_of(s, f), e->span, "%s", err);
  if (fn->shape == IXP_SHAPE_FILE) ixp_session_input(s, "data", args[0].str);  /* a computed name too, for records */
  if (fn->information && out.type == TY_NUM) out.num = ixp_num_real(out.num.x * ixp_units_scale(s));
  if (fn->information && out.type == TY_VEC)  /* the arrays module's result is a fresh array */
    for (int i = 0; i < out.cols; i++) out.v[i] *= ixp_units_scale(s);
  return out;
}

static IxpValue name(IxpSession *s, IxpAst *e, const IxpFrame *f) {
  switch ((IxpRef)e->sem.ref) {
  case REF_GLOBAL:
    if (s->globals[e->sem.slot].type == TY_NONE)
      ixp_runtime_error(s, src_of(s, f), e->span, "'%s' has no value (its definition failed)", e->str);
    return s->globals[e->sem.slot];
  case REF_VAR: return ixp_value_real(f->vars[e->sem.slot]);
  case REF_GROUP: {  /* a vector variable: its components, contiguous in the frame */
    const IxpVarGroup *g = &f->model->groups[e->sem.slot];
    return ixp_value_vector(s->tmp, f->vars + g->first, g->count);
  }
  case REF_PARAM: return f->params[e->sem.slot];
  case REF_MODEL: return (IxpValue){.type = TY_MODEL, .model = e->sem.model};
  default: ixp_runtime_error(s, src_of(s, f), e->span, "unresolved name '%s'", e->str);
  }
}

IxpValue ixp_eval(IxpSession *s, IxpAst *e, const IxpFrame *f) {
  switch (e->kind) {
  case AST_NUM: return ixp_value_num(e->exact ? ixp_num_ratio(e->num_n, e->num_d) : ixp_num_real(e->num));
  case AST_STR: return ixp_eval_string(s, e, f);
  case AST_NAME: return name(s, e, f);
  case AST_VEC: return vector(s, e, f);
  case AST_UNARY: return unary(s, e, f);
  case AST_BINARY: return binary(s, e, f);
  case AST_IF: return truth(number(s, e->a, f)) ? ixp_eval(s, e->b, f) : ixp_eval(s, e->c, f);
  case AST_RANGE: {
    IxpValue r = {.type = TY_RANGE};
    r.lo = number(s, e->a, f).num;
    r.hi = number(s, e->b, f).num;
    r.step = e->c ? number(s, e->c, f).num : ixp_num_int(1);
    if (!(r.step.x > 0) || !isfinite(r.lo.x) || !isfinite(r.hi.x))
      ixp_runtime_error(s, src_of(s, f), e->span, "a range needs finite ends and a positive step");
    return r;
  }
  case AST_CALL: return call(s, e, f);
  case AST_INDEX: return index_value(s, e, f);
  case AST_FIELD: return field(s, ixp_eval(s, e->a, f), e->str, e, f);
  case AST_MEASURE: return ixp_execute_plan(s, e->sem.plan);
  default: ixp_runtime_error(s, src_of(s, f), e->span, "cannot evaluate this");
  }
}

/* ------------------------------------------------------------ statements */

static int digits(const IxpSession *s) { return s->opt.digits == 0 ? 6 : s->opt.digits; }

static const char *number_text(IxpSession *s, double x) {
  char *buf = ixp_arena_alloc(s->tmp, 32);
  ixp_format_num(buf, 32, x, digits(s));
  return buf;
}

/* The text of value x of variable v: a dataset's string column shows its
 * labels, not the codes its joint holds. */
static const char *state_text(IxpSession *s, const IxpDataset *set, int v, double x) {
  const IxpColumn *col = set && v < set->ncols ? &set->cols[v] : NULL;
  if (col && col->kind == IXP_COL_STRING && x >= 0 && x < col->nlabels)
    return col->labels[(size_t)x];
  return number_text(s, x);
}

/* The joint of a model as a table with one row per state (the first 1000). */
static void print_model(IxpSession *s, IxpModelDef *m, IxpSpan use) {
  IxpJoint *j = m->data ? ixp_data_joint(s, m, 0, 0, use) : ixp_model_joint(s, m, ixp_source_params(s, m, NULL), use);
  const IxpDataset *set = m->data ? m->data->set : NULL;
  int ncols = j->nvars + 1;
  const char **cols = ixp_arena_alloc(s->tmp, (size_t)ncols * sizeof *cols);
  for (int v = 0; v < j->nvars; v++) cols[v] = j->names[v];
  cols[j->nvars] = ixp_joint_var(j, "p") < 0 ? "p" : "Pr";
  size_t shown = j->n < 1000 ? j->n : 1000;
  const char **cells = ixp_arena_alloc(s->tmp, (shown * (size_t)ncols + 1) * sizeof *cells);
  for (size_t k = 0; k < shown; k++) {
    const char **row = cells + k * (size_t)ncols;
    for (int v = 0; v < j->nvars; v++) row[v] = state_text(s, set, v, j->alpha[v].values[ixp_joint_code(j, v, k)]);
    row[j->nvars] = number_text(s, j->p[k]);
  }
  fprintf(s->out, "%s %s: %zu %s%s\n", m->data ? "dataset" : "model", m->name, j->n,
          m->data ? "row" : "state", j->n == 1 ? "" : "s");
  ixp_text_table_print(s->out, ncols, cols, (int)shown, cells);
  if (j->n > 1000) fprintf(s->out, "... %zu more states\n", j->n - 1000);
}

static void print_value(IxpSession *s, IxpValue v, IxpSpan use) {
  if (v.type == TY_MODEL) print_model(s, v.model, use);
  else {
    ixp_value_print(s->out, &v, digits(s));
    fputc('\n', s->out);
  }
}

/* Hand a result to the on_result hook (--record, --json). */
static void report_named(IxpSession *s, const char *kind, const char *name, IxpSpan at, const IxpValue *v, double rtol) {
  if (!s->opt.on_result || s->opt.explain) return;
  int line, col;
  ixp_source_position(s->src, at.start, &line, &col);
  IxpResultInfo r = {kind, name, s->src->name, line, col, v, rtol, NULL};
  s->opt.on_result(s->opt.result_ctx, &r);
}

static void report(IxpSession *s, const char *kind, IxpSpan label, IxpSpan at, const IxpValue *v, double rtol) {
  if (!s->opt.on_result || s->opt.explain) return;
  report_named(s, kind, ixp_arena_strndup(s->tmp, s->src->text + label.start, label.end - label.start), at, v, rtol);
}

/* An item's label: its `as` label, else its source text. */
static const char *item_label(IxpSession *s, const IxpAst *item) {
  if (item->kind == AST_AS) return item->str;
  return ixp_arena_strndup(s->tmp, s->src->text + item->span.start, item->span.end - item->span.start);
}

/* `label` left-aligned in `width` columns (UTF-8 characters). */
static void print_label(IxpSession *s, const char *label, int width) {
  fputs(label, s->out);
  for (int pad = width - ixp_text_width(label); pad > 0; pad--) fputc(' ', s->out);
}

/* `print a, b as "label"`: one line each, "label = value" with labels
 * aligned; a string prints as itself. */
static void exec_print(IxpSession *s, IxpAst *st) {
  IxpValue *vals = ixp_arena_alloc(s->tmp, (size_t)st->nitems * sizeof *vals);
  const char **labels = ixp_arena_alloc(s->tmp, (size_t)st->nitems * sizeof *labels);
  int width = 0;
  for (int i = 0; i < st->nitems; i++) {
    IxpAst *item = st->items[i];
    vals[i] = ixp_eval(s, item->kind == AST_AS ? item->a : item, NULL);
    labels[i] = item_label(s, item);
    if (vals[i].type == TY_NUM && ixp_text_width(labels[i]) > width) width = ixp_text_width(labels[i]);
  }
  double rtol = st->b ? ixp_eval_number(s, st->b, NULL) : -1;
  if (st->b && !(rtol >= 0)) ixp_runtime_error(s, s->src, st->b->span, "a tolerance cannot be negative");
  if (s->opt.explain) return;
  for (int i = 0; i < st->nitems; i++) report_named(s, "print", labels[i], st->items[i]->span, &vals[i], rtol);
  for (int i = 0; i < st->nitems; i++) {
    IxpAst *e = st->items[i];
    if (vals[i].type == TY_NUM || vals[i].type == TY_VEC || vals[i].type == TY_MAT || vals[i].type == TY_RANGE) {
      print_label(s, labels[i], vals[i].type == TY_NUM ? width : 0);
      fputs(" = ", s->out);
    } else if (vals[i].type == TY_RECORD || vals[i].type == TY_TABLE) {
      fprintf(s->out, "%s:\n%s", labels[i], vals[i].type == TY_RECORD ? "  " : "");
    }
    print_value(s, vals[i], e->span);
  }
}

/* Compare the two sides of an expectation within its tolerance. */
static bool holds(IxpOp op, double a, double b, double tol) {
  switch (op) {
  case OP_EQ: return fabs(a - b) <= tol || a == b;
  case OP_LE: return a <= b + tol;
  case OP_GE: return a >= b - tol;
  case OP_LT: return tol > 0 ? a < b + tol : a < b;
  case OP_GT: return tol > 0 ? a > b - tol : a > b;
  default: return false;
  }
}

static void exec_expect(IxpSession *s, IxpAst *st) {
  IxpAst *e = st->a;
  double a = ixp_eval_number(s, e->a, NULL), b = ixp_eval_number(s, e->b, NULL);
  /* Without `within`, == <= >= allow 1e-9 of rounding; < and > are strict. */
  double tol = st->b ? ixp_eval_number(s, st->b, NULL) : (e->op == OP_LT || e->op == OP_GT) ? 0 : 1e-9;
  if (s->opt.explain) return;
  if (!(tol >= 0)) ixp_runtime_error(s, s->src, st->b->span, "a tolerance cannot be negative");
  char sa[32], sb[32], sd[32], st_[32];
  int line, col;
  ixp_source_position(s->src, st->span.start, &line, &col);
  if (holds(e->op, a, b, tol)) {
    s->expect_pass++;
    if (s->opt.report_expects)
      fprintf(s->out, "ok    %s:%d: %.*s\n", s->src->name, line, (int)(st->span.end - e->span.start),
              s->src->text + e->span.start);
    return;
  }
  s->expect_fail++;
  ixp_format_num(sa, sizeof sa, a, -1);
  ixp_format_num(sb, sizeof sb, b, -1);
  ixp_format_num(sd, sizeof sd, fabs(a - b), 3);
  ixp_format_num(st_, sizeof st_, tol, 3);
  if (s->opt.report_expects)
    fprintf(s->out, "FAIL  %s:%d: %.*s\n", s->src->name, line, (int)(st->span.end - e->span.start),
            s->src->text + e->span.start);
  ixp_diag_error(&s->diag, s->src, e->span, "expectation failed: left side is %s, right side is %s "
                 "(difference %s, tolerance %s)", sa, sb, sd, st_);
}

static void exec_block(IxpSession *s, IxpAst *block);

/* A CSV field, quoted (with quotes doubled) when it holds a comma, a quote
 * or a line break (RFC 4180). */
static void csv_field(FILE *f, const char *text) {
  if (!strpbrk(text, ",\"\r\n")) {
    fputs(text, f);
    return;
  }
  fputc('"', f);
  for (const char *c = text; *c; c++) {
    if (*c == '"') fputc('"', f);
    fputc(*c, f);
  }
  fputc('"', f);
}

/* Where an output named by `file_expr` goes: relative to --outdir (which
 * a relative name may not climb out of), else to the folder of the
 * running file. Never the program itself or one of its inputs. */
static char *output_path(IxpSession *s, IxpAst *file_expr) {
  IxpValue name = ixp_eval(s, file_expr, NULL);
  if (name.type != TY_STR) ixp_runtime_error(s, s->src, file_expr->span, "a file name must be a string");
  const char *dir = s->opt.outdir;
  size_t dirlen = dir ? strlen(dir) : 0;
  if (dir && name.str[0] != '/' && !ixp_outfile_stays_inside(name.str))
    ixp_runtime_error(s, s->src, file_expr->span, "'%s' leaves the output folder '%s' (--outdir)", name.str, dir);
  if (!dir) {  /* the folder of the .ixp file */
    const char *slash = strrchr(s->src->name, '/');
    dir = slash ? s->src->name : ".";
    dirlen = slash ? (size_t)(slash - s->src->name) : 1;
  }
  size_t size = dirlen + strlen(name.str) + 8;
  char *path = ixp_arena_alloc(s->tmp, size);
  if (name.str[0] == '/') snprintf(path, size, "%s", name.str);
  else snprintf(path, size, "%.*s/%s", (int)dirlen, dir, name.str);
  struct stat st;
  size_t len = strlen(path);
  if ((len && path[len - 1] == '/') || (stat(path, &st) == 0 && S_ISDIR(st.st_mode)))
    ixp_runtime_error(s, s->src, file_expr->span, "'%s' is a folder; name a file to write", path);
  const char *role, *input = ixp_session_input_same(s, path, &role);
  if (input && !strcmp(role, "source"))
    ixp_runtime_error(s, s->src, file_expr->span, "cannot write '%s': it is the program being run", path);
  const char *what = input && !strcmp(role, "data") ? "a data file" : "an extern library";
  if (input && !strcmp(input, path))
    ixp_runtime_error(s, s->src, file_expr->span, "cannot write '%s': it is %s this run reads", path, what);
  if (input)
    ixp_runtime_error(s, s->src, file_expr->span, "cannot write '%s': it is %s this run reads ('%s')", path, what,
                      input);
  return path;
}

static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && !strcmp(s + n - m, suffix);
}

/* The sink's rows as CSV: a header of labels, then one line a row. */
static void write_csv(FILE *f, const IxpSink *k) {
  for (int c = 0; c < k->ncols; c++) {
    if (c) fputc(',', f);
    csv_field(f, k->labels[c]);
  }
  fputc('\n', f);
  for (int r = 0; r < k->nrows; r++) {
    for (int c = 0; c < k->ncols; c++) {
      const IxpValue *v = &k->cells[(size_t)r * (size_t)k->ncols + (size_t)c];
      char buf[64];
      if (c) fputc(',', f);
      if (v->type == TY_STR) csv_field(f, v->str);
      else {
        ixp_format_num(buf, sizeof buf, v->num.x, -1);
        fputs(buf, f);
      }
    }
    fputc('\n', f);
  }
}

/* A sweep's rows to `path` (named by file_expr): JSON (an array of row
 * objects) for .json, else CSV. */
/* Under mpirun, rank 0 alone writes files (every rank checks the path). */
static bool writes_files(void) { return ixp_ranks_rank() == 0; }

static void write_rows_to(IxpSession *s, IxpSink *k, const char *path, IxpAst *file_expr) {
  if (!writes_files()) return;
  if (ends_with(path, ".json")) {
    char err[512];
    if (!ixp_runrec_write_rows(path, k->ncols, k->labels, k->nrows, k->cells, err, sizeof err))
      ixp_runtime_error(s, s->src, file_expr->span, "%s", err);
    return;
  }
  IxpOutFile out;
  char err[512];
  if (!ixp_outfile_open(&out, path, err, sizeof err)) ixp_runtime_error(s, s->src, file_expr->span, "%s", err);
  write_csv(out.f, k);
  if (!ixp_outfile_close(&out, path, true, err, sizeof err))
    ixp_runtime_error(s, s->src, file_expr->span, "%s", err);
}

static void write_rows(IxpSession *s, IxpSink *k, IxpAst *file_expr) {
  write_rows_to(s, k, output_path(s, file_expr), file_expr);
}

/* ------------------------------------------------- nested sweeps' files */

/* The rows a sweep nested in others writes to one file over all the
 * passes of the sweeps around it: a column per enclosing sweep variable
 * (outermost first; left out when the sweep emits a column of that name),
 * then its own columns. Written when the outermost sweep ends. */
typedef struct IxpLongFile {
  struct IxpLongFile *next;
  const IxpAst *sweep;
  IxpAst *file_expr;
  char *path;
  IxpSink rows;
} IxpLongFile;

static void free_sink(IxpSink *k);

static void free_long_file(void *lf) { free_sink(&((IxpLongFile *)lf)->rows); }

static bool emits_label(const IxpSink *k, const char *name) {
  for (int c = 0; c < k->ncols; c++)
    if (!strcmp(k->labels[c], name)) return true;
  return false;
}

/* The sweeps around `k` whose variables get a column, outermost first. */
static int enclosing_sweeps(const IxpSink *k, const IxpAst **out, int max) {
  int n = 0;
  for (const IxpSink *o = k->outer; o; o = o->outer)
    if (!emits_label(k, o->sweep->str) && n < max) out[n++] = o->sweep;
  for (int i = 0; i < n / 2; i++) {
    const IxpAst *t = out[i];
    out[i] = out[n - 1 - i];
    out[n - 1 - i] = t;
  }
  return n;
}

/* The file of nested sweep `st` at `path`, found or made (with its labels)
 * on the outermost sweep's sink. */
static IxpLongFile *long_file(IxpSession *s, IxpSink *k, IxpAst *st, char *path, const IxpAst **around, int n) {
  IxpSink *top = k;
  while (top->outer) top = top->outer;
  IxpLongFile **at = &top->files;
  for (; *at; at = &(*at)->next)
    if ((*at)->sweep == st && !strcmp((*at)->path, path)) return *at;
  IxpLongFile *lf = ixp_arena_alloc(s->tmp, sizeof *lf);
  *lf = (IxpLongFile){.sweep = st, .file_expr = st->c, .path = path};
  lf->rows.ncols = n + k->ncols;
  lf->rows.labels = ixp_arena_alloc(s->tmp, (size_t)lf->rows.ncols * sizeof *lf->rows.labels);
  for (int i = 0; i < n; i++) lf->rows.labels[i] = around[i]->str;
  for (int c = 0; c < k->ncols; c++) lf->rows.labels[n + c] = k->labels[c];
  ixp_arena_defer(s->tmp, free_long_file, lf);
  return *at = lf;
}

/* A nested sweep's rows join its file, after the enclosing sweeps' values. */
static void collect_rows(IxpSession *s, IxpSink *k, IxpAst *st) {
  const IxpAst *around[64];
  int n = enclosing_sweeps(k, around, 64);
  IxpLongFile *lf = long_file(s, k, st, output_path(s, st->c), around, n);
  IxpSink *rows = &lf->rows;
  if (!ixp_grow(&rows->cells, &rows->cap, rows->nrows + k->nrows, (size_t)rows->ncols * sizeof *rows->cells))
    ixp_runtime_error(s, s->src, st->span, "out of memory");
  for (int r = 0; r < k->nrows; r++) {
    IxpValue *row = &rows->cells[(size_t)rows->nrows * (size_t)rows->ncols];
    for (int i = 0; i < n; i++) row[i] = ixp_value_num(s->globals[around[i]->sem.slot].num);
    for (int c = 0; c < k->ncols; c++) row[n + c] = ixp_value_dup(&k->cells[(size_t)r * (size_t)k->ncols + (size_t)c]);
    rows->nrows++;
  }
}

/* The outermost sweep has ended: write its nested sweeps' files. */
static void write_long_files(IxpSession *s, IxpSink *k) {
  for (IxpLongFile *lf = k->files; lf; lf = lf->next) write_rows_to(s, &lf->rows, lf->path, lf->file_expr);
}

/* A sweep's rows printed as an aligned table. */
static void print_sink(IxpSession *s, IxpSink *k) {
  size_t n = (size_t)k->nrows * (size_t)k->ncols;
  const char **cells = ixp_arena_alloc(s->tmp, (n + 1) * sizeof *cells);
  for (size_t i = 0; i < n; i++) {
    if (k->cells[i].type == TY_STR) {
      cells[i] = k->cells[i].str;
      continue;
    }
    char *buf = ixp_arena_alloc(s->tmp, 32);
    ixp_format_num(buf, 32, k->cells[i].num.x, digits(s));
    cells[i] = buf;
  }
  ixp_text_table_print(s->out, k->ncols, k->labels, k->nrows, cells);
}

static void free_sink(IxpSink *k) {
  for (int i = 0; i < k->nrows * k->ncols; i++) ixp_value_release(&k->cells[i]);
  free(k->cells);
  k->cells = NULL;
  k->nrows = 0;
}

static void exec_emit(IxpSession *s, IxpAst *st) {
  IxpSink *k = s->sink;
  if (k->ncols == 0) {
    k->ncols = st->nitems;
    k->labels = ixp_arena_alloc(s->tmp, (size_t)st->nitems * sizeof *k->labels);
  }
  if (k->ncols != st->nitems)
    ixp_runtime_error(s, s->src, st->span, "this sweep's rows have %d column%s, this emit gives %d", k->ncols,
                      k->ncols == 1 ? "" : "s", st->nitems);
  /* A vector item gives one row per element (a series: local values), the
   * other items repeated on each; vectors of one emit have one length. */
  IxpValue *v = ixp_arena_alloc(s->tmp, (size_t)k->ncols * sizeof *v);
  int rows = 1, vec = -1;
  for (int c = 0; c < k->ncols; c++) {
    IxpAst *item = st->items[c], *e = item->kind == AST_AS ? item->a : item;
    v[c] = ixp_eval(s, e, NULL);
    if (v[c].type != TY_VEC) continue;
    if (vec >= 0 && v[c].cols != rows)
      ixp_runtime_error(s, s->src, e->span, "this vector has %d elements, the emit's first vector %d", v[c].cols, rows);
    rows = v[c].cols, vec = c;
  }
  if (rows > INT_MAX - k->nrows || !ixp_grow(&k->cells, &k->cap, k->nrows + rows, (size_t)k->ncols * sizeof *k->cells))
    ixp_runtime_error(s, s->src, st->span, "out of memory");
  for (int r = 0; r < rows; r++) {
    IxpValue *row = &k->cells[(size_t)k->nrows * (size_t)k->ncols];
    for (int c = 0; c < k->ncols; c++)
      row[c] = v[c].type == TY_STR ? ixp_value_dup(&v[c]) : v[c].type == TY_VEC ? ixp_value_real(v[c].v[r]) : ixp_value_num(v[c].num);
    k->nrows++;
  }
}

/* Column labels are the emit's `as` names or its expressions' text. */
static void label_sink(IxpSession *s, IxpSink *k, IxpAst *block, IxpArena *arena) {
  for (int i = 0; i < block->nitems && k->ncols; i++) {
    IxpAst *st = block->items[i];
    if (st->kind != AST_EMIT) continue;
    for (int c = 0; c < k->ncols; c++) {
      IxpAst *item = st->items[c];
      k->labels[c] = item->kind == AST_AS
                         ? item->str
                         : ixp_arena_strndup(arena, s->src->text + item->span.start, item->span.end - item->span.start);
    }
    return;
  }
}

/* The sink's rows as a table (heap), or NULL if a cell is a string. */
static IxpTable *sink_table(IxpSession *s, IxpSink *k) {
  for (int i = 0; i < k->nrows * k->ncols; i++)
    if (k->cells[i].type != TY_NUM) return NULL;
  IxpTable *t = ixp_table_new(NULL, k->ncols ? k->ncols : 1, k->ncols ? k->labels : (const char *[]){"value"});
  t->every_y = true;
  double *row = ixp_arena_alloc(s->tmp, (size_t)(k->ncols + 1) * sizeof *row);
  for (int r = 0; r < k->nrows; r++) {
    for (int c = 0; c < k->ncols; c++) row[c] = k->cells[(size_t)r * (size_t)k->ncols + (size_t)c].num.x;
    ixp_table_add_row(t, row);
  }
  return t;
}

/* A sweep's rows as results: one table, or (with strings) a record per row. */
static void report_sink(IxpSession *s, IxpSink *k, IxpAst *st) {
  if (!s->opt.on_result || s->opt.explain || !k->ncols) return;
  IxpTable *t = sink_table(s, k);
  if (t) {
    IxpValue v = {.type = TY_TABLE, .table = t};
    report(s, "emit", st->span, st->span, &v, -1);
    ixp_table_free(t);
    return;
  }
  for (int r = 0; r < k->nrows; r++) {
    IxpRecord *rec = ixp_record_new(s->tmp, NULL, k->ncols);
    for (int c = 0; c < k->ncols; c++) {
      rec->names[c] = (char *)k->labels[c];
      rec->values[c] = k->cells[(size_t)r * (size_t)k->ncols + (size_t)c];
    }
    IxpValue v = {.type = TY_RECORD, .record = rec};
    report(s, "emit", st->span, st->span, &v, -1);
  }
}

/* `sweep ... as NAME`: the rows become a table bound to NAME. */
static void keep_sink(IxpSession *s, IxpSink *k, IxpAst *name) {
  IxpTable *t = sink_table(s, k);
  if (!t) ixp_runtime_error(s, s->src, name->span, "a sweep kept as a table emits numbers only");
  ixp_value_release(&s->globals[name->sem.slot]);
  s->globals[name->sem.slot] = (IxpValue){.type = TY_TABLE, .table = t};
  s->versions[name->sem.slot]++;
}

/* One pass of a sweep: its variable bound to point i, the body run. */
typedef struct {
  IxpAst *st;
  IxpValue range;
  uint64_t outer_pass, name;
  IxpProgress *bar;
} Pass;

static void run_pass(IxpSession *s, void *ctx, int64_t i) {
  Pass *p = ctx;
  ixp_session_poll_interrupt(s, s->src, p->st->span);
  ixp_progress_update(p->bar, (uint64_t)i);
  s->pass = ixp_rng_key(p->outer_pass ^ p->name, (uint64_t)i, 0x5eeb);
  s->globals[p->st->sem.slot] = ixp_value_num(ixp_range_at(&p->range, i));
  s->versions[p->st->sem.slot]++;
  exec_block(s, p->st->b);
}

static void exec_sweep(IxpSession *s, IxpAst *st) {
  IxpValue range = ixp_eval(s, st->a, NULL);
  int64_t n = ixp_range_count(&range);
  if (n < 0) ixp_runtime_error(s, s->src, st->a->span, "this sweep has too many points");
  if (s->opt.explain && !s->sink) ixp_spread_explain(s, st, n);
  bool split = ixp_spread_splits(s, st, n);
  IxpValue saved = s->globals[st->sem.slot];
  uint64_t outer_pass = s->pass, name = ixp_rng_name(s->src->text + st->span.start, st->span.end - st->span.start);
  IxpSink sink = {.outer = s->sink, .sweep = st};
  s->sink = &sink;
  jmp_buf here, *outer = s->on_error;
  s->on_error = &here;
  if (setjmp(here)) {  /* restore the swept name and free the rows, then unwind further */
    s->pass = outer_pass;
    s->globals[st->sem.slot] = saved;
    s->versions[st->sem.slot]++;
    free_sink(&sink);
    s->sink = sink.outer;
    s->on_error = outer;
    longjmp(*outer, 1);
  }
  IxpProgress bar;
  ixp_progress_begin(&bar, "sweep", (uint64_t)n, NULL);
  Pass pass = {st, range, outer_pass, name, &bar};
  if (split) ixp_spread_sweep(s, n, run_pass, &pass);  /* this rank's passes, then every pass's rows */
  else
    for (int64_t i = 0; i < n; i++) run_pass(s, &pass, i);
  ixp_progress_end(&bar);
  label_sink(s, &sink, st->b, s->tmp);
  report_sink(s, &sink, st);
  if (st->nitems) keep_sink(s, &sink, st->items[0]);
  else if (sink.ncols && !st->c && !s->opt.explain) print_sink(s, &sink);
  if (st->c && sink.ncols && !s->opt.explain) {
    if (sink.outer) collect_rows(s, &sink, st);
    else write_rows(s, &sink, st->c);
  }
  if (!sink.outer && !s->opt.explain) write_long_files(s, &sink);
  s->on_error = outer;
  s->pass = outer_pass;
  s->globals[st->sem.slot] = saved;
  s->versions[st->sem.slot]++;
  free_sink(&sink);
  s->sink = sink.outer;
}

/* A let's value; one given with --set is evaluated (and its errors
 * reported) in the --set text's own source. */
/* A string-valued plot option's value. */
static const char *plot_text(IxpSession *s, IxpAst *e) {
  IxpValue v = ixp_eval(s, e, NULL);
  if (v.type != TY_STR) ixp_runtime_error(s, s->src, e->span, "this plot option is a string, not a %s", ixp_type_name(v.type));
  return v.str;
}

/* Sets one `with NAME = VALUE` option of a plot (the checker knows its name). */
static void plot_option(IxpSession *s, IxpAst *opt, IxpPlotChoice *ch) {
  IxpPlotOptKind kind = PLOT_OPT_TEXT;
  ixp_plot_option_kind(opt->str, &kind);
  IxpAst *v = opt->a;
  const char *text = NULL, **list = NULL;
  double num = 0;
  int nlist = 0;
  if (kind == PLOT_OPT_COLUMNS) {
    IxpAst **names = v->kind == AST_VEC ? v->items : &v;
    nlist = v->kind == AST_VEC ? v->nitems : 1;
    list = ixp_arena_alloc(s->tmp, (size_t)nlist * sizeof *list + 1);
    for (int i = 0; i < nlist; i++) list[i] = plot_text(s, names[i]);
  } else if (kind == PLOT_OPT_FLAG || kind == PLOT_OPT_SIZE) {
    num = number(s, v, NULL).num.x;
  } else {
    text = plot_text(s, v);
  }
  char err[256];
  if (!ixp_plot_choose(ch, opt->str, text, num, list, nlist, err, sizeof err))
    ixp_runtime_error(s, s->src, v->span, "%s", err);
}

/* plot TABLE [as "label"], ... to "file.svg" [with OPTION = VALUE, ...] */
static void exec_plot(IxpSession *s, IxpAst *st) {
  IxpPlotItem *items = ixp_arena_alloc(s->tmp, (size_t)st->nitems * sizeof *items + 1);
  for (int i = 0; i < st->nitems; i++) {
    IxpAst *item = st->items[i], *e = item->kind == AST_AS ? item->a : item;
    IxpValue v = ixp_eval(s, e, NULL);
    if (v.type != TY_TABLE) ixp_runtime_error(s, s->src, e->span, "plot draws tables (curves, a sweep's rows), not a %s", ixp_type_name(v.type));
    bool named = item->kind == AST_AS;
    const char *label = named ? item->str
                        : ixp_arena_strndup(s->tmp, s->src->text + e->span.start, e->span.end - e->span.start);
    items[i] = (IxpPlotItem){v.table, label, named};
  }
  IxpPlotChoice ch = {0};
  for (int i = 0; st->d && i < st->d->nitems; i++) plot_option(s, st->d->items[i], &ch);
  char err[512];
  if (st->nitems == 1 && ixp_plot_is_network(items[0].table)) {  /* network(...)'s links: drawn as a graph */
    if (s->opt.explain) return;
    char *path = output_path(s, st->c);
    if (writes_files() && !ixp_plot_network(items[0].table, ch.title, ch.width, ch.height, path, err, sizeof err))
      ixp_runtime_error(s, s->src, st->c->span, "%s", err);
    return;
  }
  IxpPlot plot;
  int bad;
  if (!ixp_plot_build(items, st->nitems, &ch, s->tmp, &plot, &bad, err, sizeof err)) {
    IxpAst *at = bad >= 0 ? st->items[bad] : st;
    ixp_runtime_error(s, s->src, (at->kind == AST_AS ? at->a : at)->span, "%s", err);
  }
  if (s->opt.explain) return;
  char *path = output_path(s, st->c);
  if (writes_files() && !ixp_plot_write(&plot, path, err, sizeof err)) ixp_runtime_error(s, s->src, st->c->span, "%s", err);
}

static void exec_let(IxpSession *s, IxpAst *st) {
  const IxpSource *program = s->src;
  IxpAst *value = st->sem.override ? st->sem.override : st->a;  /* --set */
  if (st->sem.override) s->src = st->sem.override_src;
  IxpValue v = ixp_eval(s, value, NULL);
  s->src = program;
  if (v.type == TY_NUM && !isfinite(v.num.x))
    ixp_runtime_error(s, s->src, value->span, "'%s' would be %s", st->str, isnan(v.num.x) ? "NaN" : "infinite");
  if (st->c && v.type != TY_TABLE)
    ixp_runtime_error(s, s->src, value->span, "a curve is a table (a measure over a vector of points), not a %s",
                      ixp_type_name(v.type));
  ixp_value_release(&s->globals[st->sem.slot]);
  s->globals[st->sem.slot] = ixp_value_dup(&v);
  s->versions[st->sem.slot]++;
}

/* A seed written as digits, read as the exact 64-bit integer it names
 * (a double would merge 2^53 + 1 with 2^53, and refuse 2^64 - 1). */
static bool literal_seed(const IxpSession *s, const IxpAst *e, uint64_t *seed) {
  if (e->kind != AST_NUM) return false;
  const char *text = s->src->text + e->span.start;
  size_t len = e->span.end - e->span.start;
  char digits[24];
  if (len == 0 || len >= sizeof digits || strspn(text, "0123456789") < len) return false;
  memcpy(digits, text, len);
  digits[len] = '\0';
  errno = 0;
  unsigned long long v = strtoull(digits, NULL, 10);
  if (errno == ERANGE) return false;
  *seed = v;
  return true;
}

static void exec_seed(IxpSession *s, IxpAst *st) {
  uint64_t seed;
  if (literal_seed(s, st->a, &seed)) {
    s->seed = seed;
    return;
  }
  IxpNum n = number(s, st->a, NULL).num;
  double x = n.x;
  if (n.exact && n.d == 1 && n.n >= 0) s->seed = (uint64_t)n.n;
  else if (!(x >= 0) || x != floor(x) || x >= 18446744073709551616.0)
    ixp_runtime_error(s, s->src, st->a->span, "a seed is a whole number from 0 to 2^64 - 1");
  else s->seed = (uint64_t)x;
}

static void exec_stmt(IxpSession *s, IxpAst *st) {
  switch (st->kind) {
  case AST_EXPERIMENT:
    free(s->experiment);
    s->experiment = strdup(ixp_eval(s, st->a, NULL).str);
    break;
  case AST_SEED: exec_seed(s, st); break;
  case AST_UNITS: s->nats = !strcmp(st->str, "nats"); break;
  case AST_LET: exec_let(s, st); break;
  case AST_MODEL: break;
  case AST_PROCESS: break;
  case AST_PRINT: exec_print(s, st); break;
  case AST_EMIT: exec_emit(s, st); break;
  case AST_EXPECT: exec_expect(s, st); break;
  case AST_SWEEP: exec_sweep(s, st); break;
  case AST_PLOT: exec_plot(s, st); break;
  case AST_DATA: ixp_data_exec(s, st->sem.model, st); break;
  case AST_EXPR_STMT: {
    IxpValue v = ixp_eval(s, st->a, NULL);
    report(s, "print", st->a->span, st->a->span, &v, -1);
    if (!s->opt.explain) print_value(s, v, st->a->span);
    break;
  }
  default: break;
  }
}

static void exec_block(IxpSession *s, IxpAst *block) {
  for (int i = 0; i < block->nitems; i++) exec_stmt(s, block->items[i]);
}

/* Run statements in order; the first runtime error stops the program. */
void ixp_exec_program(IxpSession *s, IxpAst *program) {
  exec_block(s, program);
}
