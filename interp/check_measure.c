/* check_measure.c — measure calls: the source model, the variables and
 * options, then the measure's lowering rule. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checker.h"
#include "data.h"
#include "expectation.h"
#include "externs.h"
#include "interp.h"
#include "lower.h"

/* -------------------------------------------------------------- measures */

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

/* "unknown variable 'x' in model 'm'", suggesting a variable or group. */
static void unknown_var(Checker *c, IxpModelDef *m, IxpAst *name) {
  char buf[96];
  IxpSuggest g = {name->str, NULL, 99};
  for (int i = 0; i < m->nvars; i++) ixp_suggest(&g, m->vars[i].name);
  for (int i = 0; i < m->ngroups; i++) ixp_suggest(&g, m->groups[i].name);
  ixp_check_error(c, name->span, "unknown variable '%s' in %s '%s'%s", name->str, m->data ? "dataset" : "model", m->name,
        ixp_suggest_hint(buf, sizeof buf, &g));
}

/* A measure argument naming one variable of `m`; -1 after an error. */
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
  if (v < 0) unknown_var(c, m, arg->a);
  return v;
}

/* Check an expression over named values (e.g. x and xhat of a distortion):
 * they resolve as the variables of `scope`, in the caller's scope
 * otherwise. */
static IxpType check_in(Checker *c, IxpAst *e, IxpModelDef *scope) {
  IxpModelDef *model = c->model;
  uint64_t *deps = c->deps, seen[IXP_MAX_MODEL_VARS / 64] = {0};
  c->model = scope;
  c->deps = seen;
  scope->src = c->src;  /* errors while evaluating it point into this file */
  IxpType t = ixp_check_expr(c, e);
  c->model = model;
  c->deps = deps;
  return t;
}

static bool names(const IxpAst *e, const void *name) { return e->kind == AST_NAME && !strcmp(e->str, name); }

/* Whether `word` is one of the space-separated `words`. */
static bool one_of(const char *words, const char *word) {
  size_t n = strlen(word);
  for (const char *w = words; w && *w; w += strcspn(w, " "), w += *w == ' ')
    if (strcspn(w, " ") == n && !strncmp(w, word, n)) return true;
  return false;
}

/* The measure's one variable and `over` (rd's xhat) as the names an
 * expression may read; NULL unless the measure has a single variable. */
static IxpModelDef *pair_scope(Checker *c, const IxpLowering *lw, const char *over) {
  int var = lw->nargs ? lw->args[0].var : -1;
  for (int i = 1; i < lw->nargs; i++)
    if (lw->args[i].var != var) var = -1;
  if (var < 0) return NULL;
  IxpModelDef *pair = ixp_arena_alloc(c->arena, sizeof *pair);
  pair->name = "distortion";
  ixp_model_reserve(pair, c->arena, 2);
  pair->nvars = 2;
  pair->vars[0] = (IxpModelVar){.name = lw->model->vars[var].name, .kind = VAR_COLUMN};
  pair->vars[1] = (IxpModelVar){.name = over, .kind = VAR_COLUMN};
  return pair;
}

/* An option or `at` clause, its value checked as the measure's table
 * says; unknown names and words are left to the measure's rule. */
static IxpOption check_option(Checker *c, const IxpLowering *lw, const IxpOptionSpec *specs, IxpAst *arg) {
  IxpOption o = {.name = arg->str, .node = arg, .value = arg->a, .type = TY_NONE};
  const IxpOptionSpec *spec = ixp_option_spec(specs, arg->str);
  if (!spec || spec->kind == IXP_OPTION_WORD) return o;
  if (spec->kind == IXP_OPTION_WORD_OR_VALUE) {
    if (arg->a->kind == AST_NAME && one_of(spec->words, arg->a->str)) return o;
    if (spec->over && ixp_ast_any(arg->a, names, spec->over)) {
      if ((o.scope = pair_scope(c, lw, spec->over))) o.type = check_in(c, arg->a, o.scope);
      return o;
    }
  }
  o.type = ixp_check_expr(c, arg->a);
  return o;
}

/* The options and `at` clauses of a measure that takes them. */
static void check_options(Checker *c, IxpLowering *lw, IxpAst *call, IxpAst *measure) {
  for (int i = 0; i < call->nitems; i++) {
    IxpAst *arg = call->items[i];
    if (!arg->str) continue;
    if (lw->noptions == IXP_MAX_OPTIONS) ixp_check_error(c, arg->span, "too many options");
    else lw->options[lw->noptions++] = check_option(c, lw, lw->measure->options, arg);
  }
  for (int i = 0; i < measure->nitems; i++) {
    if (lw->nat == IXP_MAX_OPTIONS) ixp_check_error(c, measure->items[i]->span, "too many 'at' clauses");
    else lw->at[lw->nat++] = check_option(c, lw, lw->measure->at, measure->items[i]);
  }
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
      hi - lo >= m->nvars) {
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

/* Variables first .. first + n - 1 (or vars[0 .. n) when vars) as one
 * measure argument: the first takes the argument's separator, the others
 * follow it with ','. Any number: arguments grow in the arena. */
static bool add_vars(Checker *c, IxpLowering *lw, IxpAst *arg, const int *vars, int first, int n) {
  (void)c;
  for (int i = 0; i < n; i++)
    *ixp_lower_push_arg(lw) = (IxpMeasureArg){i == 0 ? arg->op : SEP_COMMA, vars ? vars[i] : first + i, NULL, arg};
  return true;
}

/* `h0 .. h15` as a measure argument: the variables h0, h1, ..., h15 in one
 * group (numbered columns of a .npy array, say). */
static bool var_range(Checker *c, IxpModelDef *m, IxpAst *arg, IxpLowering *lw) {
  int *vars = ixp_arena_alloc(c->arena, (size_t)(m->nvars ? m->nvars : 1) * sizeof *vars), n = ixp_check_range(c, m, arg->a, vars);
  return n >= 0 && add_vars(c, lw, arg, vars, 0, n);
}

/* Component `at` of group g: its index, or -1 after an error. */
static int component_index(Checker *c, const IxpModelDef *m, const IxpVarGroup *g, const IxpAst *at) {
  long i;
  if (!ixp_check_whole(c, at, &i)) {
    ixp_check_error(c, at->span, "a component of '%s' is chosen by a whole number known before the program runs", g->name);
    return -1;
  }
  if (i < 0 || i >= g->count) {
    ixp_check_error(c, at->span, "component %ld of '%s' is out of range: %s '%s' has '%s' with components 0 .. %d", i, g->name,
          m->data ? "dataset" : "model", m->name, g->name, g->count - 1);
    return -1;
  }
  return (int)i;
}

/* `x[i]` or `x[i .. j]` (inclusive) of a vector variable x. */
static bool group_part(Checker *c, IxpModelDef *m, IxpAst *arg, IxpLowering *lw) {
  IxpAst *e = arg->a, *at = e->b;
  if (e->a->kind != AST_NAME) {
    ixp_check_error(c, e->span, "arguments of %s are variables of the model, not expressions", lw->measure->name);
    return false;
  }
  int gi = ixp_model_group(m, e->a->str);
  if (gi < 0) {
    if (ixp_model_var(m, e->a->str) >= 0)
      ixp_check_error(c, e->a->span, "'%s' is a single variable of %s '%s', not a vector: it has no components", e->a->str,
            m->data ? "dataset" : "model", m->name);
    else unknown_var(c, m, e->a);
    return false;
  }
  const IxpVarGroup *g = &m->groups[gi];
  if (at->kind != AST_RANGE) {
    int i = component_index(c, m, g, at);
    return i >= 0 && add_vars(c, lw, arg, NULL, g->first + i, 1);
  }
  if (at->c) {
    ixp_check_error(c, at->c->span, "components of '%s' are chosen by a range without a step: %s[i .. j]", g->name, g->name);
    return false;
  }
  int lo = component_index(c, m, g, at->a), hi = lo < 0 ? -1 : component_index(c, m, g, at->b);
  if (hi < 0) return false;
  if (lo > hi) {
    ixp_check_error(c, at->span, "the range of components of '%s' is empty: %d .. %d", g->name, lo, hi);
    return false;
  }
  return add_vars(c, lw, arg, NULL, g->first + lo, hi - lo + 1);
}

/* ------------------------------------------------------------------ lags */

/* Room for the lag of argument i (0 unless written with one). */
static void note_lag(Checker *c, IxpLagArgs *l, int i, int lag, IxpAst *arg) {
  if (i >= l->cap) {
    int cap = 2 * i + 16;
    int *lag_of = ixp_arena_alloc(c->arena, (size_t)cap * sizeof *lag_of);
    memset(lag_of, 0, (size_t)cap * sizeof *lag_of);
    if (l->cap) memcpy(lag_of, l->lag, (size_t)l->cap * sizeof *lag_of);
    l->lag = lag_of, l->cap = cap;
  }
  l->lag[i] = lag;
  if (!l->first) l->first = arg;
}

/* Whether an index reads the time index t: x[t-1] is a lag. */
static bool time_index(const IxpAst *at) { return ixp_ast_any(at, names, "t"); }

/* The lag of `t`, `t - k` or `t + k` (k a whole number known before the
 * program runs): t - k is lag k. */
static bool lag_of(Checker *c, IxpAst *e, int *lag) {
  long k = 0;
  if (names(e, "t")) {
    *lag = 0;
    return true;
  }
  if (e->kind != AST_BINARY || (e->op != OP_ADD && e->op != OP_SUB) || !names(e->a, "t") || time_index(e->b)) {
    ixp_check_error(c, e->span, "a time is t, t - k or t + k, with k a whole number");
    return false;
  }
  ixp_check_expr(c, e->b);
  if (!ixp_check_whole(c, e->b, &k) || k < -1000000 || k > 1000000) {
    ixp_check_error(c, e->b->span, "a lag is a whole number known before the program runs (a literal, or a let of one)");
    return false;
  }
  *lag = (int)(e->op == OP_SUB ? k : -k);
  return true;
}

/* The lags an index names: t - a, or t - a .. t - b [step s] (inclusive,
 * either way). Their number (in the arena at *out), or -1. */
static int lag_list(Checker *c, IxpAst *at, int **out) {
  int lo, hi;
  long step = 1;
  if (at->kind != AST_RANGE) {
    if (!lag_of(c, at, &lo)) return -1;
    *out = ixp_arena_alloc(c->arena, sizeof **out);
    (*out)[0] = lo;
    return 1;
  }
  if (!lag_of(c, at->a, &lo) || !lag_of(c, at->b, &hi)) return -1;
  if (at->c) {
    ixp_check_expr(c, at->c);
    if (!ixp_check_whole(c, at->c, &step) || step < 1) {
      ixp_check_error(c, at->c->span, "the step of an embedding is a whole number from 1, known before the program runs");
      return -1;
    }
  }
  long n = (labs((long)hi - lo) / step) + 1, dir = hi >= lo ? 1 : -1;
  *out = ixp_arena_alloc(c->arena, (size_t)n * sizeof **out);
  for (long i = 0; i < n; i++) (*out)[i] = (int)(lo + dir * i * step);
  return (int)n;
}

/* `x[t-1]`, `x[t-1 .. t-3]`, `x[t-1 .. t-7 step 2]`, or a vector's `h[t-1]`
 * (all its components at each lag): the source's variables, each lag
 * noted for the view (check_time.c). */
static bool lag_arg(Checker *c, IxpModelDef *m, IxpAst *arg, IxpLowering *lw, IxpLagArgs *lags) {
  IxpAst *e = arg->a;
  const IxpSymbol *t = ixp_lookup(c->s, "t");
  if (t && t->kind == SYM_LET) {
    ixp_check_error(c, e->b->span, "'t' in a measure's index is the time index, but a let named 't' is defined: "
                    "rename the let");
    return false;
  }
  if (e->a->kind != AST_NAME) {
    ixp_check_error(c, e->span, "a lag is taken of a variable: x[t-1]");
    return false;
  }
  int v = ixp_model_var(m, e->a->str), g = v < 0 ? ixp_model_group(m, e->a->str) : -1;
  if (v < 0 && g < 0) {
    unknown_var(c, m, e->a);
    return false;
  }
  int *at, n = lag_list(c, e->b, &at);
  if (n < 0) return false;
  int first = v >= 0 ? v : m->groups[g].first, count = v >= 0 ? 1 : m->groups[g].count;
  for (int i = 0; i < n; i++)
    for (int k = 0; k < count; k++) {
      note_lag(c, lags, lw->nargs, at[i], arg);
      *ixp_lower_push_arg(lw) = (IxpMeasureArg){i == 0 && k == 0 ? arg->op : SEP_COMMA, first + k, NULL, arg};
    }
  lags->any = true;
  return true;
}

/* The variables among a measure call's arguments (positional) into
 * lw->args; options (name = value) are left for check_options when the
 * measure takes them. A vector variable's name stands for all its
 * components; x[t-1] is variable x at lag 1 (noted in lags). */
static bool measure_args(Checker *c, IxpModelDef *m, const IxpMeasure *ms, IxpAst *call, IxpLowering *lw,
                         IxpLagArgs *lags) {
  bool ok = true;
  for (int i = 0; i < call->nitems; i++) {
    IxpAst *arg = call->items[i];
    if (arg->str && ms->options) continue;
    if (!arg->str && arg->a->kind == AST_RANGE) {
      ok &= var_range(c, m, arg, lw);
      continue;
    }
    if (!arg->str && arg->a->kind == AST_INDEX && !arg->a->c && time_index(arg->a->b)) {
      ok &= lag_arg(c, m, arg, lw, lags);
      continue;
    }
    if (!arg->str && arg->a->kind == AST_INDEX) {
      ok &= group_part(c, m, arg, lw);
      continue;
    }
    int g = !arg->str && arg->a->kind == AST_NAME && ixp_model_var(m, arg->a->str) < 0 ? ixp_model_group(m, arg->a->str) : -1;
    if (g >= 0) {
      ok &= add_vars(c, lw, arg, NULL, m->groups[g].first, m->groups[g].count);
      continue;
    }
    int v = measure_var(c, m, arg, ms);
    *ixp_lower_push_arg(lw) = (IxpMeasureArg){arg->op, v, NULL, arg};
    ok &= v >= 0;
  }
  return ok;
}

/* The arguments of a user's estimator after `using`: values passed on. */
static void check_estimator_args(Checker *c, IxpAst *use, const IxpExternDef *def) {
  for (int i = 0; i < use->nitems; i++) {
    ixp_check_positional(c, def->fn.name, use->items[i]);
    IxpType t = ixp_check_expr(c, use->items[i]->a);
    if (t != TY_NUM && t != TY_VEC && t != TY_MAT && t != TY_ANY)
      ixp_check_error(c, use->items[i]->span, "an estimator's arguments are numbers or arrays, not a %s", ixp_type_name(t));
  }
}

/* Hand the resolved call to the lowering pass; its misuse reports count
 * as the checker's errors. */
IxpType ixp_check_lower(Checker *c, IxpLowering *lw, IxpAst *site, IxpAst *source, const IxpExternDef *estimator) {
  lw->arena = c->arena;
  lw->diag = &c->s->diag;
  lw->src = c->src;
  site->sem.plan = ixp_lower_measure(lw, site, source, estimator);
  c->errors += lw->errors;
  return site->sem.plan ? site->sem.plan->type : TY_ANY;
}

/* f(x, y; z) in M [using E] [with T] [at NAME = value] */
IxpType ixp_check_measure(Checker *c, IxpAst *e) {
  IxpAst *call = e->a;
  if (!strcmp(call->str, "mean")) return ixp_check_expectation(c, e);  /* mean(EXPR) in SOURCE (expectation.c) */
  if (c->ctx == CTX_MODEL) {
    ixp_check_error(c, e->span, "measures cannot be used inside a model");
    return TY_ANY;
  }
  const IxpMeasure *ms = ixp_library_measure(&c->s->lib, call->str);
  IxpModelDef *m = check_source(c, e->b);
  if (!ms) {
    if (ixp_library_builtin(&c->s->lib, call->str))
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
  else if (m && !data && !m->process && m->has_continuous && !m->gaussian)
    ixp_check_error(c, e->b->span, "model '%s' has continuous variables and cannot be enumerated; measure a sample of it: "
          "data s = sample(%s, 10000), then ... in s using ksg", m->name, m->name);
  if (m && e->c && !ms->options && !data) ixp_check_error(c, e->c->span, "'%s' is measured exactly; estimators ('using') apply to data", e->b->str);
  if (m && e->d && !data) ixp_check_error(c, e->d->span, "'%s' is measured exactly; tests ('with') apply to estimates from data", e->b->str);
  if (e->nitems && !ms->options) ixp_check_error(c, e->items[0]->span, "%s takes no 'at'", ms->name);
  if (call->nitems == 0) ixp_check_error(c, call->span, "%s needs variables: %s", ms->name, ms->signature);
  if (!m || call->nitems == 0) return TY_ANY;
  if (m->has_continuous && !data && !m->gaussian && !m->process) return TY_ANY;
  IxpLowering lw = {.measure = ms, .model = m, .call = call, .method = e->c, .test = e->d, .arena = c->arena};
  IxpLagArgs lags = {0};
  if (!measure_args(c, m, ms, call, &lw, &lags)) return TY_ANY;
  if (ms->options) check_options(c, &lw, call, e);
  const IxpSymbol *est = data && e->c ? ixp_lookup(c->s, e->c->str) : NULL;
  const IxpExternDef *ext = est && est->kind == SYM_EXTERN ? est->ext : NULL;  /* a user's estimator */
  if (ext) check_estimator_args(c, e->c, ext);
  if (lags.any || ixp_measure_is_time(ms) || m->process) return ixp_check_time(c, &lw, e, &lags, ext);  /* a process: its window */
  IxpType t = ixp_check_lower(c, &lw, e, e->b, ext);
  return ext ? TY_NUM : t;
}

/* A measure over models, such as kl(P || Q). */
void ixp_check_model_call(Checker *c, IxpAst *call) {
  const IxpMeasure *ms = ixp_library_measure(&c->s->lib, call->str);
  IxpLowering lw = {.measure = ms, .call = call, .arena = c->arena};
  bool ok = true;
  for (int i = 0; i < call->nitems; i++) {
    IxpAst *arg = call->items[i];
    IxpModelDef *m = NULL;
    if (arg->str && ms->options && lw.noptions < IXP_MAX_OPTIONS) {  /* kl's k = 5 between datasets: the rule reads it */
      lw.options[lw.noptions++] = check_option(c, &lw, ms->options, arg);
      continue;
    }
    if (arg->str) ixp_check_error(c, arg->span, "%s takes no option '%s'", ms->name, arg->str);
    else if (arg->a->kind != AST_NAME) ixp_check_error(c, arg->a->span, "%s compares models: %s", ms->name, ms->signature);
    else {
      IxpAst src = {.kind = AST_SOURCE, .span = arg->a->span, .str = arg->a->str};
      IxpAst *node = ixp_arena_alloc(c->arena, sizeof *node);
      *node = src;
      if ((m = check_source(c, node)) && m->process) {
        ixp_check_error(c, arg->a->span, "'%s' is a process; %s compares models", m->name, ms->name);
        m = NULL;
      }
      if (m) arg->a->sem.source = node;
    }
    *ixp_lower_push_arg(&lw) = (IxpMeasureArg){arg->op, -1, m, m ? arg->a->sem.source : NULL};
    ok &= m != NULL;
  }
  if (ok) ixp_check_lower(c, &lw, call, NULL, NULL);
}
