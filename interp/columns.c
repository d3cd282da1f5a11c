/* columns.c — column-at-a-time evaluation of model definitions. */
#include "columns.h"
#include "grow.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double *take(IxpColumns *c, IxpAst *e) {
  if (!ixp_grow(&c->live, &c->caplive, c->nlive + 1, sizeof *c->live))
    ixp_runtime_error(c->s, c->m->src, e->span, "out of memory");
  double *v = malloc((c->n ? c->n : 1) * sizeof *v);
  if (!v) ixp_runtime_error(c->s, c->m->src, e->span, "out of memory");
  c->live[c->nlive++] = v;
  return v;
}

void ixp_columns_release(IxpColumns *c, double *v) {
  for (int i = c->nlive - 1; i >= 0; i--)
    if (c->live[i] == v) {
      c->live[i] = c->live[--c->nlive];
      break;
    }
  free(v);
}

void ixp_columns_free(IxpColumns *c) {
  for (int i = 0; i < c->nlive; i++) free(c->live[i]);
  free(c->live);
  c->live = NULL;
  c->nlive = c->caplive = 0;
}

static bool is_model_var(const IxpAst *e, const void *ctx) {
  (void)ctx;
  return e->kind == AST_NAME && (e->sem.ref == REF_VAR || e->sem.ref == REF_GROUP);
}

bool ixp_reads_model_var(const IxpAst *e) { return ixp_ast_any(e, is_model_var, NULL); }

static bool is_extern_call(const IxpAst *e, const void *ctx) {
  (void)ctx;
  return e->kind == AST_CALL && e->sem.ref == REF_EXTERN;
}

bool ixp_calls_extern(const IxpAst *e) { return ixp_ast_any(e, is_extern_call, NULL); }

/* Can evaluating this node raise an error for some states? */
static bool fallible(const IxpAst *e, const void *ctx) {
  (void)ctx;
  return e->kind == AST_CALL || e->kind == AST_INDEX || e->kind == AST_VEC ||
         (e->kind == AST_BINARY && (e->op == OP_DIV || e->op == OP_MOD));
}

static bool can_fail(const IxpAst *e) { return ixp_ast_any(e, fallible, NULL); }

/* State by state through the scalar evaluator. */
static double *per_state(IxpColumns *c, IxpAst *e) {
  double *v = take(c, e);
  IxpFrame f = {c->m, c->vals, c->params};
  c->s->describe_state = c->describe;
  c->s->describe_ctx = c->ctx;
  for (size_t k = 0; k < c->n; k++) {
    c->load(c->ctx, c->first + k);
    v[k] = ixp_eval_number(c->s, e, &f);
  }
  c->s->describe_state = NULL;
  return v;
}

static double *broadcast(IxpColumns *c, IxpAst *e) {
  IxpFrame f = {c->m, c->vals, c->params};
  double x = ixp_eval_number(c->s, e, &f), *v = take(c, e);
  for (size_t k = 0; k < c->n; k++) v[k] = x;
  return v;
}

static double *gather(IxpColumns *c, IxpAst *e) {
  double *v = take(c, e);
  if (c->values) return memcpy(v, c->values[e->sem.slot] + c->first, c->n * sizeof *v);
  const double *values = c->j->alpha[e->sem.slot].values;
  for (size_t k = 0; k < c->n; k++) v[k] = values[ixp_joint_code(c->j, e->sem.slot, c->first + k)];
  return v;
}

static _Noreturn void fail_at(IxpColumns *c, IxpAst *e, size_t k, const char *what) {
  char buf[512];
  c->load(c->ctx, c->first + k);
  ixp_runtime_error(c->s, c->m->src, e->span, "%s when %s", what, c->describe(c->ctx, buf, sizeof buf));
}

static double modulo(double a, double b) {
  double r = fmod(a, b);
  return r != 0 && (r < 0) != (b < 0) ? r + b : r;
}

/* a[k] = a[k] op b[k], with the scalar evaluator's meaning of each op on
 * inexact numbers. */
static void binary_op(IxpColumns *c, IxpAst *e, double *a, const double *b) {
  size_t n = c->n;
  switch (e->op) {
  case OP_ADD: for (size_t k = 0; k < n; k++) a[k] += b[k]; break;
  case OP_SUB: for (size_t k = 0; k < n; k++) a[k] -= b[k]; break;
  case OP_MUL: for (size_t k = 0; k < n; k++) a[k] *= b[k]; break;
  case OP_DIV:
    for (size_t k = 0; k < n; k++) {
      if (b[k] == 0) fail_at(c, e, k, "division by zero");
      a[k] /= b[k];
    }
    break;
  case OP_MOD:
    for (size_t k = 0; k < n; k++) {
      if (b[k] == 0) fail_at(c, e, k, "modulo by zero");
      a[k] = modulo(a[k], b[k]);
    }
    break;
  case OP_POW: for (size_t k = 0; k < n; k++) a[k] = pow(a[k], b[k]); break;
  case OP_EQ: for (size_t k = 0; k < n; k++) a[k] = a[k] == b[k]; break;
  case OP_NE: for (size_t k = 0; k < n; k++) a[k] = a[k] != b[k]; break;
  case OP_LT: for (size_t k = 0; k < n; k++) a[k] = a[k] < b[k]; break;
  case OP_LE: for (size_t k = 0; k < n; k++) a[k] = a[k] <= b[k]; break;
  case OP_GT: for (size_t k = 0; k < n; k++) a[k] = a[k] > b[k]; break;
  case OP_GE: for (size_t k = 0; k < n; k++) a[k] = a[k] >= b[k]; break;
  case OP_AND: for (size_t k = 0; k < n; k++) a[k] = a[k] != 0 && b[k] != 0; break;
  case OP_OR: for (size_t k = 0; k < n; k++) a[k] = a[k] != 0 || b[k] != 0; break;
  case OP_XOR: for (size_t k = 0; k < n; k++) a[k] = (a[k] != 0) != (b[k] != 0); break;
  default: break;
  }
}

double *ixp_columns_eval(IxpColumns *c, IxpAst *e) {
  if (!ixp_reads_model_var(e)) return broadcast(c, e);
  size_t n = c->n;
  bool conditional = e->kind == AST_IF || (e->kind == AST_BINARY && (e->op == OP_AND || e->op == OP_OR));
  if (conditional && can_fail(e)) return per_state(c, e);
  switch (e->kind) {
  case AST_NAME: return gather(c, e);
  case AST_UNARY: {
    double *a = ixp_columns_eval(c, e->a);
    for (size_t k = 0; k < n; k++) a[k] = e->op == OP_NOT ? a[k] == 0 : -a[k];
    return a;
  }
  case AST_BINARY: {
    double *a = ixp_columns_eval(c, e->a), *b = ixp_columns_eval(c, e->b);
    binary_op(c, e, a, b);
    ixp_columns_release(c, b);
    return a;
  }
  case AST_IF: {
    double *cond = ixp_columns_eval(c, e->a), *a = ixp_columns_eval(c, e->b), *b = ixp_columns_eval(c, e->c);
    for (size_t k = 0; k < n; k++) cond[k] = cond[k] != 0 ? a[k] : b[k];
    ixp_columns_release(c, a);
    ixp_columns_release(c, b);
    return cond;
  }
  default: return per_state(c, e);
  }
}
