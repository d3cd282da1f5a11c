/* check_process.c — process NAME { x[t] ~ ...; y[t] = ... }: a model
 * indexed by time (process.h).
 *
 * Every statement defines its variable at t. An expression reads a
 * variable at t (a present value: only of a variable defined by an
 * earlier statement, so a step has no cycle) or at t - c for a whole
 * number c >= 1 known before the program runs. The body is rewritten
 * into an ordinary model: x[t] becomes the variable x, x[t-c] a hidden
 * parameter named "x[t-c]" of the one-step model (process.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checker.h"
#include "data.h"
#include "grow.h"
#include "process.h"

typedef struct {
  Checker *c;
  const char *name;           /* the process */
  IxpAst *body;
  int current;                /* the statement being rewritten */
  IxpLag *lags;
  int nlags, caplags;
  const char **lag_names;
} Rewrite;

/* The variable a statement of the body defines. */
static const char *target_name(const IxpAst *st) {
  if (st->kind == AST_DRAW && st->nitems >= 1) return st->items[0]->str;
  if (st->kind == AST_DEFINE) return st->str;
  return NULL;
}

/* The statement defining variable `name`, or -1. */
static int statement_of(const Rewrite *r, const char *name) {
  for (int i = 0; i < r->body->nitems; i++) {
    const char *t = target_name(r->body->items[i]);
    if (t && !strcmp(t, name)) return i;
  }
  return -1;
}

/* `t` where a time index goes: the name t, unless a let t is in scope. */
static bool is_t(const Checker *c, const IxpAst *e) {
  if (e->kind != AST_NAME || strcmp(e->str, "t")) return false;
  const IxpSymbol *sym = ixp_lookup(c->s, "t");
  return !sym || sym->kind != SYM_LET;
}

/* t, t - c, t + c: an index that reads the time. */
static bool time_index(const Checker *c, const IxpAst *e) {
  if (e->kind == AST_NAME) return is_t(c, e);
  return e->kind == AST_BINARY && (e->op == OP_ADD || e->op == OP_SUB) && (time_index(c, e->a) || time_index(c, e->b));
}

/* The first x[t ...] in e, or NULL. */
static const IxpAst *first_lag(const Checker *c, const IxpAst *e) {
  if (!e) return NULL;
  if (e->kind == AST_INDEX && e->b && time_index(c, e->b)) return e;
  const IxpAst *f = NULL;
  if ((f = first_lag(c, e->a)) || (f = first_lag(c, e->b)) || (f = first_lag(c, e->c)) || (f = first_lag(c, e->d))) return f;
  for (int i = 0; i < e->nitems; i++)
    if ((f = first_lag(c, e->items[i]))) return f;
  return NULL;
}

bool ixp_check_model_lags(Checker *c, const IxpAst *model) {
  const IxpAst *body = model->b;
  for (int i = 0; body && body->kind == AST_BLOCK && i < body->nitems; i++) {
    const IxpAst *st = body->items[i];
    const IxpAst *lag = st->b && (st->kind == AST_DRAW || st->kind == AST_DEFINE) && time_index(c, st->b) ? st->b : first_lag(c, st->a);
    if (lag) {
      ixp_check_error(c, lag->span, "lags belong in a process: process %s { x[t] ~ ... } reads x[t-1]", model->str);
      return true;
    }
  }
  return false;
}

static IxpAst *name_node(Checker *c, IxpSpan span, const char *name) {
  IxpAst *n = ixp_ast_new(c->arena, AST_NAME, span);
  n->str = name;
  return n;
}

/* The lag of time index `e` (t: 0, t - c: c); -1 after an error. */
static long lag_of(Rewrite *r, const IxpAst *var, IxpAst *e) {
  Checker *c = r->c;
  if (e->kind == AST_NAME && !strcmp(e->str, "t")) return 0;
  if (e->kind == AST_BINARY && e->op == OP_ADD) {
    ixp_check_error(c, e->span, "a process reads the present and the past (%s[t], %s[t-1]), not the future", var->str, var->str);
    return -1;
  }
  long lag;
  if (e->kind == AST_BINARY && e->op == OP_SUB && e->a->kind == AST_NAME && !strcmp(e->a->str, "t")) {
    IxpType ty = ixp_check_expr(c, e->b);
    if (ty != TY_ANY && ixp_check_whole(c, e->b, &lag) && lag >= 1 && lag <= 1000) return lag;
    ixp_check_error(c, e->b->span, "a lag is a whole number from 1 to 1000 known before the program runs (%s[t-1])", var->str);
    return -1;
  }
  ixp_check_error(c, e->span, "a time index is t or t - LAG: %s[t], %s[t-1]", var->str, var->str);
  return -1;
}

/* The hidden parameter reading variable v at t - lag ("x[t-2]"). */
static const char *lag_param(Rewrite *r, int v, const char *var, long lag) {
  for (int i = 0; i < r->nlags; i++)
    if (r->lags[i].var == v && r->lags[i].lag == lag) return r->lag_names[i];
  int cap = r->caplags;
  if (!ixp_grow(&r->lags, &r->caplags, r->nlags + 1, sizeof *r->lags) ||
      !ixp_grow(&r->lag_names, &cap, r->nlags + 1, sizeof *r->lag_names)) {
    ixp_check_error(r->c, r->body->span, "out of memory");
    return "?";
  }
  size_t len = strlen(var) + 32;
  char *name = ixp_arena_alloc(r->c->arena, len);
  snprintf(name, len, "%s[t-%ld]", var, lag);
  r->lags[r->nlags] = (IxpLag){v, (int)lag};
  r->lag_names[r->nlags++] = name;
  return name;
}

/* x[t] and x[t-c] in *slot and below, as the variable x and the
 * parameter "x[t-c]"; a process variable read without a time is an error. */
static void rewrite(Rewrite *r, IxpAst **slot) {
  IxpAst *e = *slot;
  if (!e) return;
  Checker *c = r->c;
  int v = e->kind == AST_INDEX && e->a->kind == AST_NAME && !e->c ? statement_of(r, e->a->str) : -1;
  if (v >= 0) {
    long lag = lag_of(r, e->a, e->b);
    if (lag < 0) return;
    if (lag == 0 && v == r->current) {
      ixp_check_error(c, e->span, "%s[t] reads its own present value; a process reads it in the past: %s[t-1]", e->a->str, e->a->str);
    } else if (lag == 0 && v > r->current) {
      ixp_check_error(c, e->span, "%s[t] is defined after this statement; a statement reads the present of variables "
                      "defined before it (no cycles within a step)", e->a->str);
    }
    *slot = name_node(c, e->span, lag ? lag_param(r, v, e->a->str, lag) : e->a->str);
    return;
  }
  if (e->kind == AST_NAME && statement_of(r, e->str) >= 0) {
    ixp_check_error(c, e->span, "'%s' is a variable of process '%s': read it at a time, %s[t] or %s[t-1]", e->str, r->name,
                    e->str, e->str);
    return;
  }
  if (is_t(c, e)) {
    ixp_check_error(c, e->span, "t is the time index of a process: it indexes its variables, x[t], x[t-1]");
    return;
  }
  rewrite(r, &e->a), rewrite(r, &e->b), rewrite(r, &e->c), rewrite(r, &e->d);
  for (int i = 0; i < e->nitems; i++) rewrite(r, &e->items[i]);
}

/* A statement's target must be NAME[t]; it becomes NAME. */
static bool check_target(Rewrite *r, IxpAst *st) {
  Checker *c = r->c;
  if (st->kind != AST_DRAW && st->kind != AST_DEFINE) {
    ixp_check_error(c, st->span, "a process holds draws (x[t] ~ dist(...)) and definitions (y[t] = expr), not this statement");
    return false;
  }
  if (st->kind == AST_DRAW && st->nitems != 1) {
    ixp_check_error(c, st->span, "a draw in a process defines one variable at t: x[t] ~ dist(...)");
    return false;
  }
  const char *name = target_name(st);
  IxpSpan at = st->kind == AST_DRAW ? st->items[0]->span : st->d->span;
  if (!st->b) {
    ixp_check_error(c, at, "a process defines its variables at time t: %s[t] %s ...", name, st->kind == AST_DRAW ? "~" : "=");
    return false;
  }
  if (!(st->b->kind == AST_NAME && !strcmp(st->b->str, "t"))) {
    ixp_check_error(c, st->b->span, "a statement defines %s[t], the present (earlier values are read, not defined)", name);
    return false;
  }
  if (statement_of(r, name) != r->current) {
    ixp_check_error(c, at, "variable '%s' is defined twice in process '%s'", name, r->name);
    return false;
  }
  st->b = NULL;
  return true;
}

/* --------------------------------------------------------- classification */

/* Whether e reads a variable of the step: a present variable or a lag. */
static bool reads_state(const IxpAst *e, int nuser) {
  if (!e) return false;
  if (e->kind == AST_NAME && (e->sem.ref == REF_VAR || (e->sem.ref == REF_PARAM && e->sem.slot >= nuser))) return true;
  if (reads_state(e->a, nuser) || reads_state(e->b, nuser) || reads_state(e->c, nuser) || reads_state(e->d, nuser)) return true;
  for (int i = 0; i < e->nitems; i++)
    if (reads_state(e->items[i], nuser)) return true;
  return false;
}

/* Affine in the step's variables: sums, products and quotients by
 * expressions that read none of them. */
static bool affine(const IxpAst *e, int nuser) {
  if (!reads_state(e, nuser)) return true;
  switch (e->kind) {
  case AST_NAME: return true;
  case AST_UNARY: return e->op == OP_NEG && affine(e->a, nuser);
  case AST_BINARY:
    if (e->op == OP_ADD || e->op == OP_SUB) return affine(e->a, nuser) && affine(e->b, nuser);
    if (e->op == OP_MUL) return (!reads_state(e->a, nuser) && affine(e->b, nuser)) || (!reads_state(e->b, nuser) && affine(e->a, nuser));
    if (e->op == OP_DIV) return !reads_state(e->b, nuser) && affine(e->a, nuser);
    return false;
  default: return false;
  }
}

/* Normal draws with means affine in the present and lagged values and a
 * constant sd; affine definitions. */
static bool linear_gaussian(const IxpModelDef *m, int nuser) {
  if (m->table || m->extern_draws) return false;
  for (int v = 0; v < m->nvars; v++) {
    const IxpModelVar *var = &m->vars[v];
    if (var->kind == VAR_DEFINE && !affine(var->expr, nuser)) return false;
    if (var->kind != VAR_DRAW) continue;
    if (!var->dist || strcmp(var->dist->name, "normal") || var->ncomponents > 1 || var->expr->nitems != 2) return false;
    if (!affine(var->expr->items[0]->a, nuser) || reads_state(var->expr->items[1]->a, nuser)) return false;
  }
  return true;
}

/* A model the session keeps (its cache is freed with the session's). */
static void keep_model(Checker *c, IxpModelDef *m, IxpSpan span) {
  IxpSession *s = c->s;
  if (ixp_grow(&s->models, &s->capmodels, s->nmodels + 1, sizeof *s->models)) s->models[s->nmodels++] = m;
  else ixp_check_error(c, span, "out of memory");
}

static void classify(Checker *c, IxpProcess *p, IxpAst *st) {
  IxpModelDef *m = p->model;
  p->chain = !m->has_continuous && !m->extern_draws;
  p->linear = !p->chain && linear_gaussian(m, p->nuser);
  (void)c, (void)st;
  p->sampled_only = !p->chain && !p->linear;  /* its windows refuse exact measures */
}

void ixp_check_process(Checker *c, IxpAst *st) {
  Rewrite r = {.c = c, .name = st->str, .body = st->b};
  int errors = c->errors;
  for (r.current = 0; r.current < st->b->nitems; r.current++) {
    IxpAst *s = st->b->items[r.current];
    if (check_target(&r, s)) rewrite(&r, &s->a);
  }
  if (c->errors > errors) {
    free(r.lags), free(r.lag_names);
    return;
  }
  /* The model of the variables at t, the lags its step's extra parameters. */
  IxpAst *ms = ixp_ast_new(c->arena, AST_MODEL, st->span);
  *ms = *st;
  ms->kind = AST_MODEL;
  ms->items = NULL, ms->nitems = ms->cap = 0;
  for (int i = 0; i < st->nitems; i++) ixp_ast_push(c->arena, ms, st->items[i]);
  for (int i = 0; i < r.nlags; i++) {
    IxpAst *param = ixp_ast_new(c->arena, AST_PARAM, st->span);
    param->str = r.lag_names[i];
    ixp_ast_push(c->arena, ms, param);
  }
  int nmodels = c->s->nmodels;
  ixp_check_model(c, ms);
  const IxpSymbol *sym = ixp_lookup(c->s, st->str);
  if (c->s->nmodels == nmodels || !sym || sym->decl != ms) {
    free(r.lags), free(r.lag_names);
    return;
  }
  IxpModelDef *m = sym->model;
  IxpProcess *p = ixp_arena_alloc(c->arena, sizeof *p);
  p->model = m;
  p->nuser = st->nitems;
  p->nlags = r.nlags;
  p->lags = ixp_arena_alloc(c->arena, (size_t)(r.nlags + 1) * sizeof *p->lags);
  if (r.nlags) memcpy(p->lags, r.lags, (size_t)r.nlags * sizeof *p->lags);
  for (int i = 0; i < r.nlags; i++)
    if (r.lags[i].lag > p->order) p->order = r.lags[i].lag;
  free(r.lags), free(r.lag_names);
  p->step = ixp_arena_alloc(c->arena, sizeof *p->step);
  *p->step = *m;  /* the same variables; all parameters, lags included */
  p->step->cache = NULL;
  p->step->index = NULL;
  keep_model(c, p->step, st->span);
  m->nparams = p->nuser;  /* measures and samples give the user's parameters */
  m->process = p;
  m->gaussian = false;    /* measured through its windows */
  if (c->errors == errors) classify(c, p, st);  /* (after errors it stays a process, for the measures' messages) */
}

/* ------------------------------------------------------------- sampling */

IxpModelDef *ixp_check_process_sample(Checker *c, IxpAst *st, IxpModelDef *proc) {
  IxpAst *call = st->a, *count = NULL, *burnin = NULL, *trials = NULL, *start = NULL;
  for (int i = 1; i < call->nitems; i++) {
    IxpAst *arg = call->items[i];
    IxpAst **slot = !arg->str ? (i == 1 ? &count : NULL) : !strcmp(arg->str, "burnin") ? &burnin
                  : !strcmp(arg->str, "trials") ? &trials : !strcmp(arg->str, "start") ? &start : NULL;
    if (!slot || *slot) {
      ixp_check_error(c, arg->span, "sample of a process takes its steps and options: "
                      "sample(%s, n, burnin = B, trials = R, start = V)", proc->name);
      return NULL;
    }
    *slot = arg->a;
    IxpType t = ixp_check_expr(c, arg->a);
    if (slot != &start) ixp_check_number(c, arg->a, t, arg->str ? arg->str : "a sample size");
    else if (t != TY_NUM && t != TY_VEC && t != TY_ANY)
      ixp_check_error(c, arg->a->span, "start is a number or a vector of one value per variable, not a %s", ixp_type_name(t));
  }
  if (call->items[0]->str || !count) {
    ixp_check_error(c, call->span, "sample of a process takes its steps: sample(%s, n, burnin = B, trials = R)", proc->name);
    return NULL;
  }
  for (int p = 0; p < proc->nparams; p++)
    if (!proc->params[p]->a)
      ixp_check_error(c, call->items[0]->span, "process '%s' needs a value for its parameter '%s'", proc->name, proc->params[p]->str);
  IxpModelDef *m = ixp_check_data_model(c, st, proc);
  m->data->count = count, m->data->burnin = burnin, m->data->trials = trials, m->data->start = start;
  return m;
}
