/* check.c — names, types, arities and models, checked before anything
 * runs; every measure call is lowered to a plan here.
 *
 * The checker reports every error it finds (each with its span) and keeps
 * going with TY_ANY where a type is unknown, so one mistake does not hide
 * the next. */
#include <stdarg.h>
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


void ixp_check_error(Checker *c, IxpSpan span, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ixp_diag_verror(&c->s->diag, c->src, span, fmt, ap);
  va_end(ap);
  c->errors++;
}

static int line_of(const IxpSource *src, IxpSpan span) {
  int line, col;
  ixp_source_position(src, span.start, &line, &col);
  return line;
}

/* ------------------------------------------------------------ did you mean */

/* Edit distance between short names (optimal string alignment). */
static int distance(const char *a, const char *b) {
  size_t n = strlen(a), m = strlen(b);
  if (n > 31 || m > 31) return 99;
  int d[32][32];
  for (size_t i = 0; i <= n; i++) d[i][0] = (int)i;
  for (size_t j = 0; j <= m; j++) d[0][j] = (int)j;
  for (size_t i = 1; i <= n; i++)
    for (size_t j = 1; j <= m; j++) {
      int best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
      if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
        best = d[i - 2][j - 2] + 1;
      d[i][j] = best;
    }
  return d[n][m];
}

typedef struct {
  const char *name;
  const char *best;
  int score;
} Suggest;

static void consider(Suggest *g, const char *candidate) {
  int d = distance(g->name, candidate);
  int limit = strlen(g->name) <= 3 ? 1 : 2;
  if (d <= limit && d < g->score) {
    g->score = d;
    g->best = candidate;
  }
}

/* " (did you mean 'x'?)" or "" — into buf. */
static const char *hint(char *buf, size_t size, const Suggest *g) {
  if (!g->best) return "";
  snprintf(buf, size, " (did you mean '%s'?)", g->best);
  return buf;
}

/* --------------------------------------------------------------- symbols */

const IxpSymbol *ixp_lookup(const IxpSession *s, const char *name) {
  for (int i = s->nsyms - 1; i >= 0; i--)
    if (!strcmp(s->syms[i].name, name)) return &s->syms[i];
  return NULL;
}

static IxpSymbol *add_symbol(Checker *c, IxpSymKind kind, const char *name, IxpAst *decl) {
  IxpSession *s = c->s;
  if (s->nsyms == s->capsyms) {
    s->capsyms = s->capsyms ? s->capsyms * 2 : 64;
    s->syms = realloc(s->syms, (size_t)s->capsyms * sizeof *s->syms);
  }
  IxpSymbol *sym = &s->syms[s->nsyms++];
  *sym = (IxpSymbol){.kind = kind, .name = name, .decl = decl, .src = c->src,
                     .prelude = s->loading_prelude, .depth = c->depth, .slot = -1};
  return sym;
}

static int new_global(IxpSession *s) {
  if (s->nglobals == s->capglobals) {
    s->capglobals = s->capglobals ? s->capglobals * 2 : 64;
    s->globals = realloc(s->globals, (size_t)s->capglobals * sizeof *s->globals);
    s->versions = realloc(s->versions, (size_t)s->capglobals * sizeof *s->versions);
  }
  s->globals[s->nglobals] = (IxpValue){.type = TY_NONE};
  s->versions[s->nglobals] = 0;
  return s->nglobals++;
}

/* A definition may not repeat one of the same file at the same depth; the
 * prelude's and (in the REPL) earlier entries' names may be redefined. */
static bool check_redefinition(Checker *c, const char *name, IxpSpan span) {
  const IxpSymbol *old = ixp_lookup(c->s, name);
  if (!old || old->prelude || c->s->opt.repl || old->src != c->src || old->depth < c->depth) return true;
  error(c, span, "'%s' is already defined at line %d", name, line_of(old->src, old->decl->span));
  return false;
}

/* ----------------------------------------------------------- expressions */

static IxpType check_expr(Checker *c, IxpAst *e);
static IxpType check_measure(Checker *c, IxpAst *e);
static void check_model_call(Checker *c, IxpAst *call);

static void suggest_names(Checker *c, Suggest *g) {
  for (int i = 0; i < c->s->nsyms; i++) consider(g, c->s->syms[i].name);
  if (c->model) {
    for (int i = 0; i < c->model->nvars; i++) consider(g, c->model->vars[i].name);
    for (int i = 0; i < c->model->nparams; i++) consider(g, c->model->params[i]->str);
  }
}

static IxpType check_name(Checker *c, IxpAst *e) {
  if (c->model) {
    int v = ixp_model_var(c->model, e->str);
    if (v >= 0) {
      e->ref = REF_VAR, e->slot = v;
      if (c->deps) *c->deps |= (uint64_t)1 << v;
      return TY_NUM;
    }
    int p = ixp_model_param(c->model, e->str);
    if (p >= 0) {
      e->ref = REF_PARAM, e->slot = p;
      return TY_ANY;
    }
  }
  const IxpSymbol *sym = ixp_lookup(c->s, e->str);
  if (sym && sym->kind == SYM_LET) {
    e->ref = REF_GLOBAL, e->slot = sym->slot;
    if (c->model) {  /* the model's cache depends on this let */
      IxpModelDef *m = c->model;
      bool seen = false;
      for (int i = 0; i < m->nslots; i++) seen |= m->slots[i] == sym->slot;
      if (!seen) {
        int *slots = ixp_arena_alloc(c->arena, (size_t)(m->nslots + 1) * sizeof *slots);
        if (m->nslots) memcpy(slots, m->slots, (size_t)m->nslots * sizeof *slots);
        slots[m->nslots++] = sym->slot;
        m->slots = slots;
      }
    }
    return sym->type;
  }
  if (sym && sym->kind == SYM_MODEL) {
    e->ref = REF_MODEL, e->sema = sym->model;
    return TY_MODEL;
  }
  if (sym && sym->kind == SYM_EXTERN) {
    error(c, e->span, "'%s' is an extern function: call it with arguments, as %s(...)", e->str, e->str);
    return TY_ANY;
  }
  char buf[96];
  Suggest g = {e->str, NULL, 99};
  suggest_names(c, &g);
  if (ixp_builtin_find(e->str) || ixp_measure_find(e->str))
    error(c, e->span, "'%s' is a function: call it with arguments, as %s(...)", e->str, e->str);
  else if (c->model)
    error(c, e->span, "unknown name '%s' in model '%s'%s", e->str, c->model->name, hint(buf, sizeof buf, &g));
  else
    error(c, e->span, "unknown name '%s'%s", e->str, hint(buf, sizeof buf, &g));
  return TY_ANY;
}

static bool numeric(IxpType t) { return t == TY_NUM || t == TY_ANY; }

static IxpType expect_number(Checker *c, IxpAst *e, IxpType t, const char *what) {
  if (!numeric(t)) error(c, e->span, "%s needs a number, not a %s", what, ixp_type_name(t));
  return TY_NUM;
}

static IxpType check_binary(Checker *c, IxpAst *e) {
  IxpType a = check_expr(c, e->a), b = check_expr(c, e->b);
  char what[48];
  snprintf(what, sizeof what, "'%s'", ixp_op_text(e->op));
  expect_number(c, e->a, a, what);
  expect_number(c, e->b, b, what);
  return TY_NUM;
}

static IxpType check_vector(Checker *c, IxpAst *e) {
  IxpType elem = TY_NONE;
  for (int i = 0; i < e->nitems; i++) {
    IxpType t = check_expr(c, e->items[i]);
    if (t != TY_NUM && t != TY_VEC && t != TY_ANY) {
      error(c, e->items[i]->span, "a vector holds numbers (or vectors, for a matrix), not a %s", ixp_type_name(t));
      continue;
    }
    if (elem != TY_NONE && t != TY_ANY && elem != TY_ANY && t != elem)
      error(c, e->items[i]->span, "a matrix's rows must all be vectors");
    if (elem == TY_NONE || elem == TY_ANY) elem = t;
  }
  return elem == TY_VEC ? TY_MAT : TY_VEC;
}

static IxpType check_index(Checker *c, IxpAst *e) {
  IxpType t = check_expr(c, e->a), i = check_expr(c, e->b);
  if ((t == TY_RECORD || t == TY_ANY) && i == TY_STR) return TY_ANY;  /* record["field"] */
  expect_number(c, e->b, i, "an index");
  if (t == TY_VEC) return TY_NUM;
  if (t == TY_MAT) return TY_VEC;
  if (t != TY_ANY) error(c, e->a->span, "only vectors and matrices can be indexed, not a %s", ixp_type_name(t));
  return TY_ANY;
}

static bool type_fits(IxpType want, IxpType got) {
  if (want == TY_ANY || got == TY_ANY) return true;
  if (want == TY_RANGE && got == TY_VEC) return true;
  return want == got;
}

void ixp_check_positional(Checker *c, const char *fname, IxpAst *arg) {
  if (arg->str) error(c, arg->span, "%s takes no option '%s'", fname, arg->str);
  if (arg->op != OP_NONE && arg->op != SEP_COMMA)
    error(c, arg->sep_span, "arguments of %s are separated by ',', not '%s'", fname, ixp_op_text(arg->op));
}

static IxpType check_builtin(Checker *c, IxpAst *e, const IxpBuiltin *fn) {
  if (e->nitems < fn->min_args || e->nitems > fn->max_args) {
    char count[48];
    if (fn->max_args == fn->min_args) snprintf(count, sizeof count, "%d", fn->min_args);
    else if (fn->max_args >= 64) snprintf(count, sizeof count, "%d or more", fn->min_args);
    else snprintf(count, sizeof count, "%d to %d", fn->min_args, fn->max_args);
    error(c, e->span, "%s takes %s argument%s, not %d (%s)", fn->name, count,
          fn->min_args == 1 && fn->max_args == 1 ? "" : "s", e->nitems, fn->signature);
  }
  for (int i = 0; i < e->nitems; i++) {
    IxpAst *arg = e->items[i];
    ixp_check_positional(c, fn->name, arg);
    IxpType t = check_expr(c, arg->a);
    if (!type_fits(fn->arg, t))
      error(c, arg->a->span, "%s needs a %s, not a %s", fn->signature, ixp_type_name(fn->arg), ixp_type_name(t));
  }
  e->sema = (void *)fn;
  return fn->ret;
}

static void unknown_function(Checker *c, IxpAst *e) {
  char buf[96];
  Suggest g = {e->str, NULL, 99};
  for (int i = 0; ixp_builtin_at(i); i++) consider(&g, ixp_builtin_at(i)->name);
  for (int i = 0; ixp_measure_at(i); i++) consider(&g, ixp_measure_at(i)->name);
  const IxpSymbol *sym = ixp_lookup(c->s, e->str);
  if (sym && sym->kind == SYM_MODEL)
    error(c, e->span, "'%s' is a model, not a function; measure it with 'in %s'", e->str, e->str);
  else if (ixp_distribution_find(e->str, e->nitems))
    error(c, e->span, "'%s' is a distribution: draw from it inside a model, as x ~ %s", e->str,
          ixp_distribution_find(e->str, e->nitems)->signature);
  else
    error(c, e->span, "unknown function '%s'%s", e->str, hint(buf, sizeof buf, &g));
}

static IxpType check_call(Checker *c, IxpAst *e) {
  const IxpSymbol *sym = ixp_lookup(c->s, e->str);
  if (sym && sym->kind == SYM_EXTERN) return ixp_check_extern_call(c, e, sym->ext);
  const IxpBuiltin *fn = ixp_builtin_find(e->str);
  if (fn) return check_builtin(c, e, fn);
  const IxpMeasure *m = ixp_measure_find(e->str);
  if (!m) {
    unknown_function(c, e);
    for (int i = 0; i < e->nitems; i++) check_expr(c, e->items[i]->a);
    return TY_ANY;
  }
  if (c->ctx == CTX_MODEL) {
    error(c, e->span, "measures cannot be used inside a model");
    return TY_NUM;
  }
  if (m->args == MEASURE_OVER_VARIABLES) {
    error(c, e->span, "%s needs a model: write %s in MODEL", m->name, m->signature);
    return TY_NUM;
  }
  check_model_call(c, e);
  return e->sema ? ((IxpPlan *)e->sema)->type : TY_ANY;
}

/* record.field (fields known from the measure's plan when it is one),
 * table.column (a vector). */
static IxpType check_field(Checker *c, IxpAst *e) {
  IxpType t = check_expr(c, e->a);
  if (t == TY_TABLE) return TY_VEC;
  if (t == TY_ANY) return TY_ANY;
  if (t != TY_RECORD) {
    error(c, e->span, "a %s has no field '%s'", ixp_type_name(t), e->str);
    return TY_ANY;
  }
  const IxpPlan *plan = e->a->kind == AST_MEASURE || e->a->kind == AST_CALL ? e->a->sema : NULL;
  if (!plan || !plan->fields) return TY_ANY;
  char fields[512] = "";
  for (int i = 0; plan->fields[i]; i++) {
    if (!strcmp(plan->fields[i], e->str)) return TY_ANY;
    snprintf(fields + strlen(fields), sizeof fields - strlen(fields), "%s%s", i ? ", " : "", plan->fields[i]);
  }
  char buf[96];
  Suggest g = {e->str, NULL, 99};
  for (int i = 0; plan->fields[i]; i++) consider(&g, plan->fields[i]);
  error(c, e->span, "%s has no field '%s'%s; its fields: %s", plan->measure, e->str, hint(buf, sizeof buf, &g), fields);
  return TY_ANY;
}

static IxpType check_if(Checker *c, IxpAst *e) {
  expect_number(c, e->a, check_expr(c, e->a), "an if-condition");
  IxpType a = check_expr(c, e->b), b = check_expr(c, e->c);
  if (a != TY_ANY && b != TY_ANY && a != b)
    error(c, e->span, "the branches of an if-expression differ: %s and %s", ixp_type_name(a), ixp_type_name(b));
  return a == TY_ANY ? b : a;
}

static IxpType check_expr(Checker *c, IxpAst *e) {
  switch (e->kind) {
  case AST_NUM: return TY_NUM;
  case AST_STR: return TY_STR;
  case AST_NAME: return check_name(c, e);
  case AST_VEC: return check_vector(c, e);
  case AST_UNARY:
    return expect_number(c, e->a, check_expr(c, e->a), e->op == OP_NOT ? "'not'" : "'-'");
  case AST_BINARY: return check_binary(c, e);
  case AST_IF: return check_if(c, e);
  case AST_RANGE:
    expect_number(c, e->a, check_expr(c, e->a), "a range");
    expect_number(c, e->b, check_expr(c, e->b), "a range");
    if (e->c) expect_number(c, e->c, check_expr(c, e->c), "a range's step");
    return TY_RANGE;
  case AST_CALL: return check_call(c, e);
  case AST_INDEX: return check_index(c, e);
  case AST_FIELD: return check_field(c, e);
  case AST_MEASURE: return check_measure(c, e);
  default:
    error(c, e->span, "not an expression");
    return TY_ANY;
  }
}

/* -------------------------------------------------------------- measures */

static void lowering_error(IxpLowering *lw, IxpSpan span, const char *msg) {
  error(lw->ctx, span, "%s", msg);
}

/* The model named by an AST_SOURCE, with its overrides checked. */
static IxpModelDef *check_source(Checker *c, IxpAst *src) {
  const IxpSymbol *sym = ixp_lookup(c->s, src->str);
  if (!sym || sym->kind != SYM_MODEL) {
    char buf[96];
    Suggest g = {src->str, NULL, 99};
    for (int i = 0; i < c->s->nsyms; i++)
      if (c->s->syms[i].kind == SYM_MODEL) consider(&g, c->s->syms[i].name);
    if (sym) error(c, src->span, "'%s' is a %s, not a model", src->str, ixp_type_name(sym->type));
    else error(c, src->span, "unknown model '%s'%s", src->str, hint(buf, sizeof buf, &g));
    return NULL;
  }
  IxpModelDef *m = sym->model;
  uint64_t given = 0;
  for (int i = 0; i < src->nitems; i++) {
    IxpAst *arg = src->items[i];
    check_expr(c, arg->a);
    int p = arg->str ? ixp_model_param(m, arg->str) : -1;
    if (!arg->str)
      error(c, arg->span, "model parameters are given by name, as %s(name = value)", m->name);
    else if (p < 0)
      error(c, arg->span, "model '%s' has no parameter '%s'", m->name, arg->str);
    else if (given >> p & 1)
      error(c, arg->span, "parameter '%s' is given twice", arg->str);
    else
      given |= (uint64_t)1 << p, arg->slot = p;
  }
  for (int p = 0; p < m->nparams; p++)
    if (!(given >> p & 1) && !m->params[p]->a)
      error(c, src->span, "model '%s' needs a value for its parameter '%s'", m->name, m->params[p]->str);
  src->sema = m;
  return m;
}

/* A measure argument naming a variable of `m`; -1 after an error. */
static int measure_var(Checker *c, IxpModelDef *m, IxpAst *arg, const IxpMeasure *ms) {
  if (arg->str) {
    error(c, arg->span, "%s takes no option '%s'", ms->name, arg->str);
    return -1;
  }
  if (arg->a->kind != AST_NAME) {
    error(c, arg->a->span, "arguments of %s are variables of the model, not expressions", ms->name);
    return -1;
  }
  int v = ixp_model_var(m, arg->a->str);
  if (v < 0) {
    char buf[96];
    Suggest g = {arg->a->str, NULL, 99};
    for (int i = 0; i < m->nvars; i++) consider(&g, m->vars[i].name);
    error(c, arg->a->span, "unknown variable '%s' in %s '%s'%s", arg->a->str, m->data ? "dataset" : "model", m->name,
          hint(buf, sizeof buf, &g));
  }
  return v;
}

static void lower(Checker *c, IxpLowering *lw, const IxpMeasure *m, IxpAst *site, bool data) {
  lw->error = lowering_error;
  lw->position = ixp_rng_name(c->src->text + site->span.start, site->span.end - site->span.start);
  lw->ctx = c;
  int before = c->errors;
  bool ok = data ? ixp_lower_on_data(lw, m) : m->lower(lw);
  if (ok && c->errors == before) site->sema = lw->plan;
}

static bool too_many_args(Checker *c, IxpAst *call) {
  if (call->nitems <= IXP_MAX_ARGS) return false;
  error(c, call->span, "a measure takes at most %d arguments", IXP_MAX_ARGS);
  return true;
}

static IxpType lowering_check(IxpLowering *lw, IxpAst *e) { return check_expr(lw->ctx, e); }

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
  IxpType t = check_expr(c, e);
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
    error(c, r->span, "a range of variables names numbered variables with one prefix: x0 .. x15");
    return -1;
  }
  for (long i = lo; i <= hi; i++) {
    char name[128];
    snprintf(name, sizeof name, "%.*s%ld", (int)p1, r->a->str, i);
    if ((vars[i - lo] = ixp_model_var(m, name)) < 0) {
      error(c, r->span, "%s '%s' has no variable '%s' in this range", m->data ? "dataset" : "model", m->name, name);
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
    error(c, arg->a->span, "a measure takes at most %d variables", IXP_MAX_ARGS);
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
      if (lw->noptions == IXP_MAX_OPTIONS) error(c, arg->span, "too many options");
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
static IxpType check_measure(Checker *c, IxpAst *e) {
  IxpAst *call = e->a;
  if (c->ctx == CTX_MODEL) {
    error(c, e->span, "measures cannot be used inside a model");
    return TY_ANY;
  }
  const IxpMeasure *ms = ixp_measure_find(call->str);
  IxpModelDef *m = check_source(c, e->b);
  if (!ms) {
    if (ixp_builtin_find(call->str))
      error(c, call->span, "'%s' is a function, not a measure; 'in' follows a measure", call->str);
    else
      unknown_function(c, call);
    return TY_ANY;
  }
  if (ms->args != MEASURE_OVER_VARIABLES) {
    error(c, e->b->span, "%s compares models and takes no 'in': write %s", ms->name, ms->signature);
    return TY_ANY;
  }
  bool data = m && m->data;
  if (m && !data && m->extern_draws)
    error(c, e->b->span, "model '%s' draws from extern functions, so it can only be sampled: "
          "data s = sample(%s, 10000), then measure s", m->name, m->name);
  else if (m && !data && m->has_continuous && !m->gaussian)
    error(c, e->b->span, "model '%s' has continuous variables and cannot be enumerated; measure a sample of it: "
          "data s = sample(%s, 10000), then ... in s using ksg", m->name, m->name);
  if (m && e->c && !ms->options && !data) error(c, e->c->span, "'%s' is measured exactly; estimators ('using') apply to data", e->b->str);
  if (m && e->d && !data) error(c, e->d->span, "'%s' is measured exactly; tests ('with') apply to estimates from data", e->b->str);
  if (e->nitems && !ms->options) error(c, e->items[0]->span, "%s takes no 'at'", ms->name);
  if (call->nitems == 0) error(c, call->span, "%s needs variables: %s", ms->name, ms->signature);
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
    if (ixp_check_extern_estimator(c, &lw, ms, est->ext)) e->sema = lw.plan;
    return TY_NUM;
  }
  lower(c, &lw, ms, e, data);
  return e->sema ? ((IxpPlan *)e->sema)->type : TY_ANY;
}

/* A measure over models, such as kl(P || Q). */
static void check_model_call(Checker *c, IxpAst *call) {
  const IxpMeasure *ms = ixp_measure_find(call->str);
  if (too_many_args(c, call)) return;
  IxpLowering lw = {.joint = -1, .call = call, .nargs = call->nitems, .arena = c->arena, .check = lowering_check};
  bool ok = true;
  for (int i = 0; i < call->nitems; i++) {
    IxpAst *arg = call->items[i];
    IxpModelDef *m = NULL;
    if (arg->str) error(c, arg->span, "%s takes no option '%s'", ms->name, arg->str);
    else if (arg->a->kind != AST_NAME) error(c, arg->a->span, "%s compares models: %s", ms->name, ms->signature);
    else {
      IxpAst src = {.kind = AST_SOURCE, .span = arg->a->span, .str = arg->a->str};
      IxpAst *node = ixp_arena_alloc(c->arena, sizeof *node);
      *node = src;
      if ((m = check_source(c, node))) arg->a->sema = node;
    }
    lw.args[i] = (IxpMeasureArg){arg->op, -1, m, m ? arg->a->sema : NULL};
    ok &= m != NULL;
  }
  if (!ok) return;
  lw.plan = ixp_plan_new(c->arena, ms->name, call);
  lower(c, &lw, ms, call, false);
}

/* ---------------------------------------------------------------- models */

static void check_block(Checker *c, IxpAst *block);

static void model_var(Checker *c, IxpModelDef *m, const char *name, IxpAst *decl, IxpVarKind kind, IxpAst *expr) {
  int old = ixp_model_var(m, name);
  if (old >= 0) {
    error(c, decl->span, "variable '%s' is defined twice in model '%s' (first at line %d)", name, m->name,
          line_of(c->src, m->vars[old].decl->span));
    return;
  }
  if (m->nvars == IXP_MAX_VARS) {
    error(c, decl->span, "model '%s' has more than %d variables", m->name, IXP_MAX_VARS);
    return;
  }
  m->vars[m->nvars++] = (IxpModelVar){.name = name, .kind = kind, .decl = decl, .expr = expr};
}

/* Check a draw's distribution call. */
static void check_draw(Checker *c, IxpModelDef *m, IxpModelVar *v) {
  IxpAst *call = v->expr;
  const IxpSymbol *ext = ixp_lookup(c->s, call->str);
  if (ext && ext->kind == SYM_EXTERN) {
    ixp_check_extern_draw(c, m, v, ext->ext);
    return;
  }
  if (v->ncomponents > 1 && v->component > 0) {  /* drawn with its leader */
    v->dist = m->vars[v->leader].dist;
    v->deps = (uint64_t)1 << v->leader;
    return;
  }
  const IxpDistribution *d = v->ncomponents > 1 ? ixp_distribution_find_vector(call->str)
                                                 : ixp_distribution_find(call->str, call->nitems);
  if (v->ncomponents > 1 && !d && ixp_distribution_find(call->str, call->nitems)) {
    error(c, call->span, "%s draws one value; several variables draw from normal(mean, cov)", call->str);
    return;
  }
  for (int i = 0; i < call->nitems; i++) {
    IxpAst *arg = call->items[i];
    IxpType t = check_expr(c, arg->a);
    if (arg->str) error(c, arg->span, "%s takes no option '%s'", call->str, arg->str);
    if (d && i < d->nargs && !type_fits(d->args[i], t))
      error(c, arg->a->span, "%s needs a %s here, not a %s", d->signature, ixp_type_name(d->args[i]), ixp_type_name(t));
  }
  if (!d) {
    char buf[96];
    Suggest g = {call->str, NULL, 99};
    for (int i = 0; ixp_distribution_at(i); i++) consider(&g, ixp_distribution_at(i)->name);
    error(c, call->span, "unknown distribution '%s'%s", call->str, hint(buf, sizeof buf, &g));
  } else if (call->nitems != d->nargs) {
    error(c, call->span, "%s takes %d argument%s, not %d", d->signature, d->nargs, d->nargs == 1 ? "" : "s", call->nitems);
  }
  v->dist = d;
}

/* Order variables so each follows what it reads (depth-first); a cycle
 * is reported once, naming its path. */
static bool visit(Checker *c, IxpModelDef *m, int v, int *state, int *n, int *stack, int depth) {
  if (state[v] == 2) return true;
  if (state[v] == 1) {
    char path[512] = "";
    int start = depth - 1;
    while (start > 0 && stack[start] != v) start--;
    for (int i = start; i < depth; i++) {
      strncat(path, m->vars[stack[i]].name, sizeof path - strlen(path) - 8);
      strncat(path, " -> ", sizeof path - strlen(path) - 1);
    }
    strncat(path, m->vars[v].name, sizeof path - strlen(path) - 1);
    error(c, m->vars[v].decl->span, "cyclic definition in model '%s': %s", m->name, path);
    return false;
  }
  state[v] = 1;
  stack[depth] = v;
  for (int d = 0; d < m->nvars; d++)
    if (m->vars[v].deps >> d & 1 && !visit(c, m, d, state, n, stack, depth + 1)) return false;
  state[v] = 2;
  m->order[(*n)++] = v;
  return true;
}

static void order_model(Checker *c, IxpModelDef *m) {
  int state[IXP_MAX_VARS] = {0}, stack[IXP_MAX_VARS + 1], n = 0;
  for (int v = 0; v < m->nvars; v++)
    if (!visit(c, m, v, state, &n, stack, 0)) return;
}

/* A comparison or a logical operation gives 0 or 1 whatever it reads. */
static bool discrete_result(const IxpAst *e) {
  if (e->kind == AST_UNARY) return e->op == OP_NOT;
  if (e->kind != AST_BINARY) return false;
  return e->op == OP_EQ || e->op == OP_NE || e->op == OP_LT || e->op == OP_LE || e->op == OP_GT ||
         e->op == OP_GE || e->op == OP_AND || e->op == OP_OR || e->op == OP_XOR;
}

/* Which variables are real-valued: continuous draws, and definitions that
 * read one (unless they compare or combine truth values). */
static void mark_continuous(IxpModelDef *m) {
  for (int i = 0; i < m->nvars; i++) {
    int v = m->order[i];
    IxpModelVar *var = &m->vars[v];
    bool cont = var->kind == VAR_DRAW && ((var->dist && (var->dist->draw || var->dist->draw_vector)) ||
                                          (var->ext && ixp_extern_real(var->ext->def)));
    if (var->kind == VAR_DEFINE && !discrete_result(var->expr))
      for (int d = 0; d < m->nvars; d++) cont |= (var->deps >> d & 1) && m->continuous[d];
    m->continuous[v] = cont;
    m->has_continuous |= cont;
  }
}

static void check_model_body(Checker *c, IxpModelDef *m, IxpAst *body) {
  for (int i = 0; i < body->nitems; i++) {
    IxpAst *st = body->items[i];
    if (st->kind == AST_DRAW) {
      int leader = m->nvars;
      for (int k = 0; k < st->nitems; k++) {
        int before = m->nvars;
        model_var(c, m, st->items[k]->str, st, VAR_DRAW, st->a);
        if (m->nvars == before) continue;
        m->vars[before].component = k;
        m->vars[before].ncomponents = st->nitems;
        m->vars[before].leader = leader;
      }
    }
    else if (st->kind == AST_DEFINE) model_var(c, m, st->str, st, VAR_DEFINE, st->a);
    else error(c, st->span, "a model holds draws (x ~ dist(...)) and definitions (y = expr), not this statement");
  }
  if (m->nvars == 0) error(c, m->decl->span, "model '%s' has no variables", m->name);
  c->ctx = CTX_MODEL;
  c->model = m;
  for (int v = 0; v < m->nvars; v++) {
    c->deps = &m->vars[v].deps;
    if (m->vars[v].kind == VAR_DRAW) check_draw(c, m, &m->vars[v]);
    else check_expr(c, m->vars[v].expr);
  }
  c->deps = NULL;
  c->ctx = CTX_TOP;
  order_model(c, m);
  mark_continuous(m);
  m->gaussian = ixp_model_is_gaussian(m);
  c->model = NULL;
}

static void check_table(Checker *c, IxpModelDef *m, IxpAst *table) {
  IxpAst *cols = table->a, *rows = table->b;
  for (int i = 0; i < cols->nitems; i++) {
    model_var(c, m, cols->items[i]->str, cols->items[i], VAR_COLUMN, NULL);
    m->order[i] = i;
  }
  if (rows->nitems == 0) error(c, table->span, "table model '%s' has no rows", m->name);
  /* Rows may read parameters and lets (which the cache must watch), but
   * not the table's own columns. */
  c->model = m;
  int nvars = m->nvars;
  m->nvars = 0;
  for (int r = 0; r < rows->nitems; r++) {
    IxpAst *row = rows->items[r];
    if (row->nitems != cols->nitems)
      error(c, row->span, "row has %d value%s but the table has %d column%s", row->nitems,
            row->nitems == 1 ? "" : "s", cols->nitems, cols->nitems == 1 ? "" : "s");
    for (int i = 0; i < row->nitems; i++) expect_number(c, row->items[i], check_expr(c, row->items[i]), "a table value");
    expect_number(c, row->a, check_expr(c, row->a), "a probability");
  }
  m->nvars = nvars;
  c->model = NULL;
  m->table = table;
}

static void check_model(Checker *c, IxpAst *st) {
  if (c->depth > 0) error(c, st->span, "models are defined at the top level, not inside a sweep");
  IxpModelDef *m = ixp_arena_alloc(c->arena, sizeof *m);
  m->name = st->str;
  m->decl = st;
  m->src = c->src;
  m->nparams = st->nitems;
  m->params = st->items;
  for (int i = 0; i < m->nparams; i++) {
    for (int j = 0; j < i; j++)
      if (!strcmp(m->params[i]->str, m->params[j]->str))
        error(c, m->params[i]->span, "parameter '%s' is listed twice", m->params[i]->str);
    if (m->params[i]->a) {
      c->model = m;  /* defaults may read lets, which the cache must watch */
      m->nparams = i;  /* a default sees only earlier parameters */
      check_expr(c, m->params[i]->a);
      m->nparams = st->nitems;
      c->model = NULL;
    }
  }
  if (st->b->kind == AST_TABLE) check_table(c, m, st->b);
  else check_model_body(c, m, st->b);
  if (check_redefinition(c, st->str, st->span)) {
    IxpSymbol *sym = add_symbol(c, SYM_MODEL, st->str, st);
    sym->model = m;
    sym->type = TY_MODEL;
    IxpSession *s = c->s;
    if (s->nmodels == s->capmodels) {
      s->capmodels = s->capmodels ? s->capmodels * 2 : 32;
      s->models = realloc(s->models, (size_t)s->capmodels * sizeof *s->models);
    }
    s->models[s->nmodels++] = m;
  }
}

/* ------------------------------------------------------------------ data */

/* A file named in a data statement, relative to the running file's folder. */
static char *data_path(Checker *c, const char *name) {
  const char *slash = strrchr(c->src->name, '/');
  size_t dirlen = slash && name[0] != '/' ? (size_t)(slash - c->src->name) + 1 : 0;
  char *path = ixp_arena_alloc(c->arena, dirlen + strlen(name) + 1);
  memcpy(path, c->src->name, dirlen);
  strcpy(path + dirlen, name);
  return path;
}

/* The string literal of argument i, or NULL after an error. */
static const char *literal(Checker *c, IxpAst *call, int i, const char *what) {
  if (i >= call->nitems || call->items[i]->str || call->items[i]->a->kind != AST_STR) {
    error(c, call->span, "%s needs %s as a string literal first", call->str, what);
    return NULL;
  }
  return call->items[i]->a->str;
}

static void free_data(void *d) { ixp_data_free(d); }

static IxpDataset *load_csv(Checker *c, IxpAst *call, const char *path) {
  IxpCsvOptions opt = {0};
  const char *select[64], *strings[64];
  for (int i = 1; i < call->nitems; i++) {
    IxpAst *arg = call->items[i], *v = arg->a;
    if (!arg->str) error(c, arg->span, "csv options are named: delimiter, header, columns, strings");
    else if (!strcmp(arg->str, "delimiter") && v->kind == AST_STR && strlen(v->str) == 1) opt.delimiter = v->str[0];
    else if (!strcmp(arg->str, "header") && v->kind == AST_NUM) opt.no_header = v->num == 0;
    else if ((!strcmp(arg->str, "columns") || !strcmp(arg->str, "strings")) && v->kind == AST_VEC && v->nitems <= 64) {
      bool sel = !strcmp(arg->str, "columns");
      for (int k = 0; k < v->nitems; k++) {
        if (v->items[k]->kind != AST_STR) error(c, v->items[k]->span, "column names are strings");
        (sel ? select : strings)[k] = v->items[k]->str;
      }
      if (sel) opt.select = select, opt.nselect = v->nitems;
      else opt.as_string = strings, opt.nas_string = v->nitems;
    } else error(c, arg->span, "csv options: delimiter = \";\", header = 0, columns = [\"a\", ...], strings = [\"b\", ...]");
  }
  IxpDataset *set = NULL;
  IxpDataError err = {0};
  if (!ixp_csv_load(path, &opt, &set, &err)) {
    error(c, call->span, "%s", err.message);
    return NULL;
  }
  return set;
}

/* A model of the dataset's columns. */
static IxpModelDef *data_model(Checker *c, IxpAst *st, IxpDataset *set, IxpModelDef *sampled) {
  IxpModelDef *m = ixp_arena_alloc(c->arena, sizeof *m);
  m->name = st->str;
  m->decl = st;
  m->src = c->src;
  m->data = ixp_arena_alloc(c->arena, sizeof *m->data);
  m->data->set = set;
  m->data->model = sampled;
  m->data->position = ixp_rng_name(c->src->text + st->span.start, st->span.end - st->span.start);
  ixp_arena_defer(c->arena, free_data, m->data);
  int n = set ? set->ncols : sampled->nvars;
  if (n > IXP_MAX_VARS) {
    error(c, st->span, "dataset '%s' has %d columns; a dataset holds at most %d variables (select some with columns = [...])",
          st->str, n, IXP_MAX_VARS);
    n = IXP_MAX_VARS;
  }
  for (int v = 0; v < n; v++) {
    const char *name = set ? ixp_arena_strndup(c->arena, set->cols[v].name, strlen(set->cols[v].name)) : sampled->vars[v].name;
    m->vars[v] = (IxpModelVar){.name = name, .kind = VAR_COLUMN, .decl = st};
    m->order[v] = v;
    m->continuous[v] = set ? set->cols[v].kind == IXP_COL_REAL : sampled->continuous[v];
    m->has_continuous |= m->continuous[v];
  }
  m->nvars = n;
  return m;
}

/* data NAME = csv("file.csv", ...) | npy("file.npy") | sample(MODEL, n) */
static void check_data(Checker *c, IxpAst *st) {
  IxpAst *call = st->a;
  IxpModelDef *m = NULL;
  if (!strcmp(call->str, "csv") || !strcmp(call->str, "npy")) {
    if (c->depth > 0) error(c, st->span, "files are read when the program is checked: load them at the top level, not inside a sweep");
    const char *name = literal(c, call, 0, "the file name");
    if (!name) return;
    char *path = data_path(c, name);
    IxpDataset *set = NULL;
    if (!strcmp(call->str, "csv")) set = load_csv(c, call, path);
    else {
      IxpDataError err = {0};
      if (call->nitems > 1) error(c, call->items[1]->span, "npy takes only the file name");
      else if (!ixp_npy_load(path, st->str, &set, &err)) error(c, call->span, "%s", err.message);
    }
    if (!set) return;
    ixp_session_input(c->s, "data", path);
    m = data_model(c, st, set, NULL);
  } else if (!strcmp(call->str, "map")) {
    if (!(m = ixp_check_map(c, st))) return;
  } else if (!strcmp(call->str, "sample")) {
    const IxpSymbol *sym = call->nitems == 2 && call->items[0]->a->kind == AST_NAME ? ixp_lookup(c->s, call->items[0]->a->str) : NULL;
    if (call->nitems != 2 || call->items[0]->str || call->items[1]->str) {
      error(c, call->span, "sample takes a model and a size: sample(MODEL, n)");
      return;
    }
    if (!sym || sym->kind != SYM_MODEL || sym->model->data) {
      error(c, call->items[0]->span, "sample draws from a model defined with 'model'");
      return;
    }
    expect_number(c, call->items[1]->a, check_expr(c, call->items[1]->a), "a sample size");
    for (int p = 0; p < sym->model->nparams; p++)
      if (!sym->model->params[p]->a) error(c, call->items[0]->span, "model '%s' needs a value for its parameter '%s'",
                                           sym->model->name, sym->model->params[p]->str);
    m = data_model(c, st, NULL, sym->model);
    m->data->count = call->items[1]->a;
  } else {
    error(c, call->span, "a dataset comes from csv(\"file.csv\"), npy(\"file.npy\"), sample(MODEL, n) or map(DATA, f(...))");
    return;
  }
  if (!check_redefinition(c, st->str, st->span)) return;
  IxpSymbol *sym = add_symbol(c, SYM_MODEL, st->str, st);
  sym->model = m;
  sym->type = TY_MODEL;
  st->sema = m;
}

/* ------------------------------------------------------------ statements */

static void check_let(Checker *c, IxpAst *st) {
  IxpType t = check_expr(c, st->a);
  if (st->c && t != TY_TABLE && t != TY_ANY)
    error(c, st->a->span, "a curve is a table: a measure over a vector of points (beta = [...]), not a %s", ixp_type_name(t));
  if (t == TY_MODEL) error(c, st->a->span, "a let binds a value, not a model; define models with 'model'");
  if (!check_redefinition(c, st->str, st->span)) return;
  const IxpSymbol *old = ixp_lookup(c->s, st->str);
  IxpSymbol *sym = add_symbol(c, SYM_LET, st->str, st);
  /* Re-running a let inside a sweep body, or redefining in the REPL,
   * reuses the slot so models that read it see the new value. */
  sym->slot = old && old->kind == SYM_LET && (c->s->opt.repl || old->depth == c->depth) && !old->prelude
                  ? old->slot : new_global(c->s);
  sym->type = t;
  st->slot = sym->slot;
}

static void check_units(Checker *c, IxpAst *st) {
  if (strcmp(st->str, "bits") && strcmp(st->str, "nats")) {
    char buf[96];
    Suggest g = {st->str, NULL, 99};
    consider(&g, "bits");
    consider(&g, "nats");
    error(c, st->span, "units are 'bits' or 'nats', not '%s'%s", st->str, hint(buf, sizeof buf, &g));
  }
}

static void check_expect(Checker *c, IxpAst *st) {
  IxpAst *e = st->a;
  bool cmp = e->kind == AST_BINARY && (e->op == OP_EQ || e->op == OP_LE || e->op == OP_GE ||
                                       e->op == OP_LT || e->op == OP_GT);
  if (!cmp) {
    error(c, e->span, "expect needs a comparison: A == B within TOL, A <= B, A >= B, A < B or A > B");
    check_expr(c, e);
  } else {
    check_binary(c, e);
  }
  if (st->b) {
    expect_number(c, st->b, check_expr(c, st->b), "a tolerance");
    IxpAst *t = st->b;
    bool negative = (t->kind == AST_NUM && t->num < 0) ||
                    (t->kind == AST_UNARY && t->op == OP_NEG && t->a->kind == AST_NUM && t->a->num > 0);
    if (negative) error(c, t->span, "a tolerance cannot be negative");
  }
}

static void check_sweep(Checker *c, IxpAst *st) {
  IxpType t = check_expr(c, st->a);
  if (t != TY_RANGE && t != TY_VEC && t != TY_ANY)
    error(c, st->a->span, "a sweep runs over a range (a .. b step s) or a vector, not a %s", ixp_type_name(t));
  if (st->c && !type_fits(TY_STR, check_expr(c, st->c)))
    error(c, st->c->span, "a sweep writes to a file named by a string");
  const IxpSymbol *old = ixp_lookup(c->s, st->str);
  if (old && old->kind == SYM_MODEL) error(c, st->d->span, "'%s' is a model and cannot be swept", st->str);
  int nsyms = c->s->nsyms;
  c->depth++;
  c->sweeps++;
  IxpSymbol *sym = add_symbol(c, SYM_LET, st->str, st);
  /* Sweeping an existing let rebinds it, so models reading it follow. */
  sym->slot = old && old->kind == SYM_LET ? old->slot : new_global(c->s);
  sym->type = TY_NUM;
  st->slot = sym->slot;
  check_block(c, st->b);
  c->sweeps--;
  c->depth--;
  c->s->nsyms = nsyms;  /* names defined in the body end with it */
  if (st->nitems && check_redefinition(c, st->items[0]->str, st->items[0]->span)) {  /* `as NAME` */
    IxpSymbol *table = add_symbol(c, SYM_LET, st->items[0]->str, st->items[0]);
    const IxpSymbol *prev = ixp_lookup(c->s, st->items[0]->str);
    table->slot = c->s->opt.repl && prev != table && prev && prev->kind == SYM_LET ? prev->slot : new_global(c->s);
    table->type = TY_TABLE;
    st->items[0]->slot = table->slot;
  }
}

static void check_plot(Checker *c, IxpAst *st) {
  for (int i = 0; i < st->nitems; i++) {
    IxpAst *e = st->items[i]->kind == AST_AS ? st->items[i]->a : st->items[i];
    IxpType t = check_expr(c, e);
    if (t != TY_TABLE && t != TY_ANY)
      error(c, e->span, "plot draws tables (curves, a sweep kept with 'as NAME'), not a %s", ixp_type_name(t));
  }
  if (!type_fits(TY_STR, check_expr(c, st->c))) error(c, st->c->span, "plot writes to a file named by a string (.svg or .png)");
}

static void check_stmt(Checker *c, IxpAst *st) {
  switch (st->kind) {
  case AST_EXPERIMENT:
    if (!type_fits(TY_STR, check_expr(c, st->a))) error(c, st->a->span, "an experiment's name is a string");
    break;
  case AST_SEED: expect_number(c, st->a, check_expr(c, st->a), "a seed"); break;
  case AST_UNITS: check_units(c, st); break;
  case AST_LET: check_let(c, st); break;
  case AST_MODEL: check_model(c, st); break;
  case AST_DATA: check_data(c, st); break;
  case AST_EXTERN: ixp_check_extern(c, st); break;
  case AST_PRINT:
    for (int i = 0; i < st->nitems; i++) check_expr(c, st->items[i]);
    if (st->b) expect_number(c, st->b, check_expr(c, st->b), "a tolerance");
    break;
  case AST_EMIT:
    if (!c->sweeps) error(c, st->span, "emit writes a row of a sweep's table and belongs inside a sweep");
    for (int i = 0; i < st->nitems; i++) {
      IxpAst *e = st->items[i]->kind == AST_AS ? st->items[i]->a : st->items[i];
      IxpType t = check_expr(c, e);
      if (t != TY_NUM && t != TY_STR && t != TY_ANY)
        error(c, e->span, "emit writes numbers and strings, not a %s", ixp_type_name(t));
    }
    break;
  case AST_EXPECT: check_expect(c, st); break;
  case AST_SWEEP: check_sweep(c, st); break;
  case AST_PLOT: check_plot(c, st); break;
  case AST_EXPR_STMT: check_expr(c, st->a); break;
  case AST_DRAW:
    error(c, st->span, "a draw (%s ~ ...) belongs inside a model", st->items[0]->str);
    break;
  case AST_DEFINE:
    error(c, st->span, "'%s = ...' defines a model variable; outside a model write 'let %s = ...'", st->str, st->str);
    check_expr(c, st->a);
    break;
  default: error(c, st->span, "unexpected statement"); break;
  }
}

static void check_block(Checker *c, IxpAst *block) {
  for (int i = 0; i < block->nitems; i++) check_stmt(c, block->items[i]);
}

/* For check_extern.c. */
IxpType ixp_check_expr(Checker *c, IxpAst *e) { return check_expr(c, e); }
char *ixp_check_path(Checker *c, const char *name) { return data_path(c, name); }
bool ixp_check_redefinition(Checker *c, const char *name, IxpSpan span) { return check_redefinition(c, name, span); }
IxpSymbol *ixp_check_add_symbol(Checker *c, IxpSymKind kind, const char *name, IxpAst *decl) {
  return add_symbol(c, kind, name, decl);
}
IxpModelDef *ixp_check_data_model(Checker *c, IxpAst *st, IxpModelDef *source) { return data_model(c, st, NULL, source); }

int ixp_check_program(IxpSession *s, IxpAst *program, const IxpSource *src, IxpArena *arena) {
  Checker c = {.s = s, .src = src, .arena = arena};
  check_block(&c, program);
  return c.errors;
}
