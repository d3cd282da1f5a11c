/* check_measure.c — measure calls: the source model, the variables and
 * options, then the measure's lowering rule. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtins.h"
#include "checker.h"
#include "data.h"
#include "distributions.h"
#include "externs.h"
#include "interp.h"
#include "linear.h"
#include "measures.h"
#include "rng.h"

/* -------------------------------------------------------------- measures */

static void lowering_error(IxpLowering *lw, IxpSpan span, const char *msg) {
  ixp_check_error(lw->ctx, span, "%s", msg);
}

/* The model named by an AST_SOURCE, with its overrides checked. */
static IxpModelDef *check_source(Checker *c, IxpAst *src) {
  const IxpSymbol *sym = ixp_lookup(c->s, src->str);
  if (!sym || sym->kind != SYM_MODEL) {
    char buf[96];
    IxpSuggest g = {src->str, NULL, 99};
    for (int i = 0; i < c->s->nsyms; i++)
      if (c->s->syms[i].kind == SYM_MODEL) ixp_suggest(&g, c->s->syms[i].name);
    if (sym) ixp_check_error(c, src->span, "'%s' is a %s, not a model", src->str, ixp_type_name(sym->type));
    else ixp_check_error(c, src->span, "unknown model '%s'%s", src->str, ixp_suggest_hint(buf, sizeof buf, &g));
    return NULL;
  }
  IxpModelDef *m = sym->model;
  uint64_t given = 0;
  for (int i = 0; i < src->nitems; i++) {
    IxpAst *arg = src->items[i];
    ixp_check_expr(c, arg->a);
    int p = arg->str ? ixp_model_param(m, arg->str) : -1;
    if (!arg->str)
      ixp_check_error(c, arg->span, "model parameters are given by name, as %s(name = value)", m->name);
    else if (p < 0)
      ixp_check_error(c, arg->span, "model '%s' has no parameter '%s'", m->name, arg->str);
    else if (given >> p & 1)
      ixp_check_error(c, arg->span, "parameter '%s' is given twice", arg->str);
    else
      given |= (uint64_t)1 << p, arg->sem.slot = p;
  }
  for (int p = 0; p < m->nparams; p++)
    if (!(given >> p & 1) && !m->params[p]->a)
      ixp_check_error(c, src->span, "model '%s' needs a value for its parameter '%s'", m->name, m->params[p]->str);
  src->sem.model = m;
  return m;
}

/* A measure argument naming a variable of `m`; -1 after an error. */
static int measure_var(Checker *c, IxpModelDef *m, IxpAst *arg, const IxpMeasure *ms) {
  if (arg->str) {
    ixp_check_error(c, arg->span, "%s takes no option '%s'", ms->name, arg->str);
    return -1;
  }
  if (arg->a->kind != AST_NAME) {
    ixp_check_error(c, arg->a->span, "arguments of %s are variables of the model, not expressions", ms->name);
    return -1;
  }
  int v = ixp_model_var(m, arg->a->str);
  if (v < 0) {
    char buf[96];
    IxpSuggest g = {arg->a->str, NULL, 99};
    for (int i = 0; i < m->nvars; i++) ixp_suggest(&g, m->vars[i].name);
    ixp_check_error(c, arg->a->span, "unknown variable '%s' in %s '%s'%s", arg->a->str, m->data ? "dataset" : "model", m->name,
          ixp_suggest_hint(buf, sizeof buf, &g));
  }
  return v;
}

static void lower(Checker *c, IxpLowering *lw, const IxpMeasure *m, IxpAst *site, bool data) {
  lw->error = lowering_error;
  lw->position = ixp_rng_name(c->src->text + site->span.start, site->span.end - site->span.start);
  lw->ctx = c;
  int before = c->errors;
  bool ok = data ? ixp_lower_on_data(lw, m) : m->lower(lw);
  if (ok && c->errors == before) site->sem.plan = lw->plan;
}

static bool too_many_args(Checker *c, IxpAst *call) {
  if (call->nitems <= IXP_MAX_ARGS) return false;
  ixp_check_error(c, call->span, "a measure takes at most %d arguments", IXP_MAX_ARGS);
  return true;
}

static IxpType lowering_check(IxpLowering *lw, IxpAst *e) { return ixp_check_expr(lw->ctx, e); }

/* Check an expression over named values (e.g. x and xhat of a distortion):
 * they resolve as the variables of `scope`, in the caller's scope
 * otherwise. */
static IxpType lowering_check_in(IxpLowering *lw, IxpAst *e, IxpModelDef *scope) {
  Checker *c = lw->ctx;
  IxpModelDef *model = c->model;
  uint64_t *deps = c->deps, seen = 0;
  c->model = scope;
  c->deps = &seen;
  scope->src = c->src;  /* errors while evaluating it point into this file */
  IxpType t = ixp_check_expr(c, e);
  c->model = model;
  c->deps = deps;
  return t;
}

/* Split a numbered name "h12" into its prefix length and number. */
static bool numbered(const char *name, size_t *prefix, long *number) {
  size_t n = strlen(name), i = n;
  while (i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9') i--;
  if (i == n || i == 0 || n - i > 9) return false;
  *prefix = i;
  *number = strtol(name + i, NULL, 10);
  return true;
}

int ixp_check_range(Checker *c, IxpModelDef *m, IxpAst *r, int *vars) {
  size_t p1, p2;
  long lo, hi;
  if (r->c || r->a->kind != AST_NAME || r->b->kind != AST_NAME || !numbered(r->a->str, &p1, &lo) ||
      !numbered(r->b->str, &p2, &hi) || p1 != p2 || strncmp(r->a->str, r->b->str, p1) || lo > hi ||
      hi - lo >= IXP_MAX_VARS) {
    ixp_check_error(c, r->span, "a range of variables names numbered variables with one prefix: x0 .. x15");
    return -1;
  }
  for (long i = lo; i <= hi; i++) {
    char name[128];
    snprintf(name, sizeof name, "%.*s%ld", (int)p1, r->a->str, i);
    if ((vars[i - lo] = ixp_model_var(m, name)) < 0) {
      ixp_check_error(c, r->span, "%s '%s' has no variable '%s' in this range", m->data ? "dataset" : "model", m->name, name);
      return -1;
    }
  }
  return (int)(hi - lo + 1);
}

/* `h0 .. h15` as a measure argument: the variables h0, h1, ..., h15 in one
 * group (numbered columns of a .npy array, say). */
static bool var_range(Checker *c, IxpModelDef *m, IxpAst *arg, IxpLowering *lw) {
  int vars[IXP_MAX_VARS], n = ixp_check_range(c, m, arg->a, vars);
  if (n < 0) return false;
  if (lw->nargs + n > IXP_MAX_ARGS) {
    ixp_check_error(c, arg->a->span, "a measure takes at most %d variables", IXP_MAX_ARGS);
    return false;
  }
  for (int i = 0; i < n; i++) lw->args[lw->nargs++] = (IxpMeasureArg){i == 0 ? arg->op : SEP_COMMA, vars[i], NULL, arg};
  return true;
}

/* Split a measure call's arguments: variables (positional) into lw->args,
 * options (name = value) into lw->options when the measure takes them. */
static bool measure_args(Checker *c, IxpModelDef *m, const IxpMeasure *ms, IxpAst *call, IxpLowering *lw) {
  bool ok = true;
  for (int i = 0; i < call->nitems; i++) {
    IxpAst *arg = call->items[i];
    if (arg->str && ms->options) {
      if (lw->noptions == IXP_MAX_OPTIONS) ixp_check_error(c, arg->span, "too many options");
      else lw->options[lw->noptions++] = arg;
      continue;
    }
    if (arg->a->kind == AST_RANGE) {
      ok &= var_range(c, m, arg, lw);
      continue;
    }
    int v = measure_var(c, m, arg, ms);
    lw->args[lw->nargs++] = (IxpMeasureArg){arg->op, v, NULL, arg};
    ok &= v >= 0;
  }
  return ok;
}

/* f(x, y; z) in M [using E] [with T] [at NAME = value] */
IxpType ixp_check_measure(Checker *c, IxpAst *e) {
  IxpAst *call = e->a;
  if (c->ctx == CTX_MODEL) {
    ixp_check_error(c, e->span, "measures cannot be used inside a model");
    return TY_ANY;
  }
  const IxpMeasure *ms = ixp_measure_find(call->str);
  IxpModelDef *m = check_source(c, e->b);
  if (!ms) {
    if (ixp_builtin_find(call->str))
      ixp_check_error(c, call->span, "'%s' is a function, not a measure; 'in' follows a measure", call->str);
    else
      ixp_check_unknown_function(c, call);
    return TY_ANY;
  }
  if (ms->args != MEASURE_OVER_VARIABLES) {
    ixp_check_error(c, e->b->span, "%s compares models and takes no 'in': write %s", ms->name, ms->signature);
    return TY_ANY;
  }
  bool data = m && m->data;
  if (m && !data && m->extern_draws)
    ixp_check_error(c, e->b->span, "model '%s' draws from extern functions, so it can only be sampled: "
          "data s = sample(%s, 10000), then measure s", m->name, m->name);
  else if (m && !data && m->has_continuous && !m->gaussian)
    ixp_check_error(c, e->b->span, "model '%s' has continuous variables and cannot be enumerated; measure a sample of it: "
          "data s = sample(%s, 10000), then ... in s using ksg", m->name, m->name);
  if (m && e->c && !ms->options && !data) ixp_check_error(c, e->c->span, "'%s' is measured exactly; estimators ('using') apply to data", e->b->str);
  if (m && e->d && !data) ixp_check_error(c, e->d->span, "'%s' is measured exactly; tests ('with') apply to estimates from data", e->b->str);
  if (e->nitems && !ms->options) ixp_check_error(c, e->items[0]->span, "%s takes no 'at'", ms->name);
  if (call->nitems == 0) ixp_check_error(c, call->span, "%s needs variables: %s", ms->name, ms->signature);
  if (!m || call->nitems == 0 || too_many_args(c, call)) return TY_ANY;
  if (m->has_continuous && !data && !m->gaussian) return TY_ANY;
  IxpLowering lw = {.model = m, .call = call, .arena = c->arena, .method = e->c, .test = e->d, .nat = e->nitems, .at = e->items};
  if (!measure_args(c, m, ms, call, &lw)) return TY_ANY;
  lw.check = lowering_check;
  lw.check_in = lowering_check_in;
  lw.plan = ixp_plan_new(c->arena, ms->name, e);
  lw.joint = ixp_plan_joint(lw.plan, ixp_plan_source(lw.plan, e->b, m));
  const IxpSymbol *est = data && e->c ? ixp_lookup(c->s, e->c->str) : NULL;
  if (est && est->kind == SYM_EXTERN) {  /* a user's estimator */
    lw.position = ixp_rng_name(c->src->text + e->span.start, e->span.end - e->span.start);
    if (ixp_check_extern_estimator(c, &lw, ms, est->ext)) e->sem.plan = lw.plan;
    return TY_NUM;
  }
  lower(c, &lw, ms, e, data);
  return e->sem.plan ? e->sem.plan->type : TY_ANY;
}

/* A measure over models, such as kl(P || Q). */
void ixp_check_model_call(Checker *c, IxpAst *call) {
  const IxpMeasure *ms = ixp_measure_find(call->str);
  if (too_many_args(c, call)) return;
  IxpLowering lw = {.joint = -1, .call = call, .nargs = call->nitems, .arena = c->arena, .check = lowering_check};
  bool ok = true;
  for (int i = 0; i < call->nitems; i++) {
    IxpAst *arg = call->items[i];
    IxpModelDef *m = NULL;
    if (arg->str) ixp_check_error(c, arg->span, "%s takes no option '%s'", ms->name, arg->str);
    else if (arg->a->kind != AST_NAME) ixp_check_error(c, arg->a->span, "%s compares models: %s", ms->name, ms->signature);
    else {
      IxpAst src = {.kind = AST_SOURCE, .span = arg->a->span, .str = arg->a->str};
      IxpAst *node = ixp_arena_alloc(c->arena, sizeof *node);
      *node = src;
      if ((m = check_source(c, node))) arg->a->sem.source = node;
    }
    lw.args[i] = (IxpMeasureArg){arg->op, -1, m, m ? arg->a->sem.source : NULL};
    ok &= m != NULL;
  }
  if (!ok) return;
  lw.plan = ixp_plan_new(c->arena, ms->name, call);
  lower(c, &lw, ms, call, false);
}

