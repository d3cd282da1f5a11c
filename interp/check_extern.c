/* check_extern.c — extern blocks, and where their functions are used:
 * calls in expressions, draws in models, maps over datasets. */
#include <stdio.h>
#include <string.h>

#include "checker.h"
#include "data.h"
#include "externs.h"

/* ---------------------------------------------------------- declarations */

static void unbind(void *def) { ixp_ffi_unbind(&((IxpExternDef *)def)->fn); }

static bool builtin_name(Checker *c, const char *name) {
  return ixp_library_builtin(&c->s->lib, name) || ixp_library_measure(&c->s->lib, name) || ixp_library_distribution(&c->s->lib, name, 0);
}

/* Declare `fn` of `lib` (NULL: the library failed to open, so nothing
 * will run, but calls are still checked against the declaration). */
static void declare(Checker *c, IxpFfiLib *lib, IxpAst *fn) {
  IxpExternDef *def = ixp_arena_alloc(c->arena, sizeof *def);
  IxpSpan where;
  char msg[600];
  if (!ixp_extern_declare(fn, def, &where, msg, sizeof msg)) {
    ixp_check_error(c, where, "%s", msg);
    return;
  }
  def->src = c->src;
  if (builtin_name(c, fn->str)) {
    ixp_check_error(c, fn->d->span, "'%s' is a built-in name; give the extern function another name", fn->str);
    return;
  }
  if (lib && !ixp_ffi_bind(lib, &def->fn, msg, sizeof msg)) {
    ixp_check_error(c, fn->d->span, "%s", msg);
    return;
  }
  if (lib) ixp_arena_defer(c->arena, unbind, def);
  if (!ixp_check_redefinition(c, fn->str, fn->d->span)) return;
  IxpSymbol *sym = ixp_check_add_symbol(c, SYM_EXTERN, fn->str, fn);
  sym->ext = def;
}

/* extern "lib.so" { fn ... }: the library is opened (and its functions
 * looked up) when the file is checked, so a missing symbol stops the run
 * before anything happens. */
void ixp_check_extern(Checker *c, IxpAst *st) {
  if (c->depth > 0) {
    ixp_check_error(c, st->span, "extern blocks are declared at the top level, not inside a sweep");
    return;
  }
  const char *name = st->a->str;
  char *path = ixp_check_path(c, name);
  if (!strchr(path, '/')) {  /* a bare name would make the loader search system folders */
    char *local = ixp_arena_alloc(c->arena, strlen(path) + 3);
    sprintf(local, "./%s", path);
    path = local;
  }
  char msg[800];
  IxpFfiLib *lib = ixp_session_library(c->s, path, msg, sizeof msg);
  if (!lib) ixp_check_error(c, st->a->span, "%s", msg);  /* its functions are still declared: no cascade of unknown names */
  for (int i = 0; i < st->nitems; i++) declare(c, lib, st->items[i]);
}

/* ----------------------------------------------------------------- calls */

static void check_args(Checker *c, IxpAst *e, const IxpExternCall *call) {
  const IxpExternDef *def = call ? call->def : NULL;
  for (int i = 0; i < e->nitems; i++) {
    IxpAst *arg = e->items[i];
    ixp_check_positional(c, e->str, arg);
    IxpType t = ixp_check_expr(c, arg->a);
    if (!def) continue;
    for (int p = 0; p < def->fn.nparams; p++) {
      if (call->arg_of[p] != i) continue;
      bool array = def->fn.params[p].is_array;
      bool fits = t == TY_ANY || t == TY_NUM || (array && (t == TY_VEC || t == TY_MAT));
      if (!fits)
        ixp_check_error(c, arg->a->span, "parameter '%s' of %s takes %s, not a %s", def->fn.params[p].name, e->str,
              array ? "an array (a vector, a matrix or a number)" : "a number", ixp_type_name(t));
    }
  }
}

/* The call `e` of def matched to its parameters, its arguments checked;
 * NULL after an error. */
static IxpExternCall *match(Checker *c, IxpExternDef *def, IxpAst *e, bool seeds) {
  IxpExternCall *call = ixp_arena_alloc(c->arena, sizeof *call);
  char msg[600];
  bool ok = ixp_extern_match(call, def, e, e->nitems, seeds, msg, sizeof msg);
  if (!ok) ixp_check_error(c, e->span, "%s", msg);
  check_args(c, e, ok ? call : NULL);
  return ok ? call : NULL;
}

IxpType ixp_check_extern_call(Checker *c, IxpAst *e, IxpExternDef *def) {
  IxpExternCall *call = match(c, def, e, false);
  if (!call) return TY_ANY;
  IxpType t = ixp_extern_type(def);
  if (t == TY_NONE) ixp_check_error(c, e->span, "%s returns nothing and has no output arrays, so it gives no value", e->str);
  else if (c->ctx == CTX_MODEL && t != TY_NUM)
    ixp_check_error(c, e->span, "in a model a function gives one number per state; %s gives a %s", e->str, ixp_type_name(t));
  e->sem.ref = REF_EXTERN;
  e->sem.call = call;
  return t;
}

/* x ~ f(args) or a, b ~ f(args): the function draws, from a seed ixp
 * passes in a u64 parameter the call leaves out. */
void ixp_check_extern_draw(Checker *c, IxpModelDef *m, IxpModelVar *v, IxpExternDef *def) {
  IxpAst *call = v->expr;
  m->extern_draws = true;
  if (v->ncomponents > 1 && v->component > 0) {  /* drawn with its leader */
    v->ext = m->vars[v->leader].ext;
    v->deps[v->leader >> 6] |= (uint64_t)1 << (v->leader & 63);
    return;
  }
  IxpExternCall *ec = match(c, def, call, true);
  if (!ec) return;
  IxpType t = ixp_extern_type(def);
  if (!ec->seeded)
    ixp_check_error(c, call->span, "a draw from %s needs a u64 parameter the call leaves out: ixp passes a fresh random seed "
          "in it for every draw", call->str);
  else if (v->ncomponents == 1 && t != TY_NUM)
    ixp_check_error(c, call->span, "a draw of one variable needs a function that returns a number; %s gives a %s", call->str,
          ixp_type_name(t));
  else if (v->ncomponents > 1 && t != TY_VEC)
    ixp_check_error(c, call->span, "%s draws %d variables, so it returns void and writes them to its one output array",
          call->str, v->ncomponents);
  v->ext = ec;
}

/* ------------------------------------------------------------------ maps */

static bool column_list(Checker *c, IxpMapArg *ma, int width) {
  ma->width = width;
  ma->col = ixp_arena_alloc(c->arena, (size_t)(width ? width : 1) * sizeof *ma->col);
  return true;
}

/* Columns x0 .. x3 of the rows so far. */
static bool map_range(Checker *c, IxpModelDef *m, IxpAst *r, IxpMapArg *ma) {
  int vars[IXP_MAX_VARS], n = ixp_check_range(c, m, r, vars);
  if (n < 0) return false;
  column_list(c, ma, n);
  memcpy(ma->col, vars, (size_t)n * sizeof *vars);
  return true;
}

/* [a, b, c]: named columns as one array, when every element is a column. */
static bool column_vector(IxpModelDef *m, const IxpAst *e) {
  if (e->kind != AST_VEC || e->nitems == 0) return false;
  for (int i = 0; i < e->nitems; i++)
    if (e->items[i]->kind != AST_NAME || ixp_model_var(m, e->items[i]->str) < 0) return false;
  return true;
}

static bool map_arg(Checker *c, IxpModelDef *m, IxpAst *arg, IxpMapArg *ma) {
  IxpAst *e = arg->a;
  *ma = (IxpMapArg){0};
  if (arg->str) {
    ixp_check_error(c, arg->span, "extern functions take no options ('%s = ...')", arg->str);
    return false;
  }
  if (e->kind == AST_NAME && ixp_model_var(m, e->str) >= 0) {
    column_list(c, ma, 1);
    ma->col[0] = ixp_model_var(m, e->str);
    return true;
  }
  if (e->kind == AST_RANGE && e->a->kind == AST_NAME) return map_range(c, m, e, ma);
  if ((e->kind == AST_NAME || (e->kind == AST_INDEX && e->a->kind == AST_NAME)) &&
      ixp_model_group(m, e->kind == AST_NAME ? e->str : e->a->str) >= 0) {  /* a group h, or h[0 .. 3] */
    int *vars = ixp_arena_alloc(c->arena, (size_t)(m->nvars ? m->nvars : 1) * sizeof *vars);
    int n = ixp_check_columns(c, m, e, vars);
    if (n < 0) return false;
    column_list(c, ma, n);
    memcpy(ma->col, vars, (size_t)n * sizeof *vars);
    return true;
  }
  if (column_vector(m, e)) {
    column_list(c, ma, e->nitems);
    for (int i = 0; i < e->nitems; i++) ma->col[i] = ixp_model_var(m, e->items[i]->str);
    return true;
  }
  IxpType t = ixp_check_expr(c, e);  /* a constant: numbers, lets */
  ma->expr = e;
  if (t != TY_NUM && t != TY_VEC && t != TY_MAT && t != TY_ANY) {
    ixp_check_error(c, e->span, "a map passes columns, numbers, vectors and matrices, not a %s", ixp_type_name(t));
    return false;
  }
  return true;
}

/* The columns of one output: an array's NAME[0] .. NAME[w-1] in a group
 * NAME (names no other column can have), a return value's NAME. */
static bool add_columns(Checker *c, IxpModelDef *m, IxpAst *at, const char *name, long width, bool real, int *first,
                        bool array) {
  if (m->nvars + width > IXP_MAX_VARS) {
    ixp_check_error(c, at->span, "this step makes %ld columns; dataset '%s' would have more than %d", width, m->name, IXP_MAX_VARS);
    return false;
  }
  *first = m->nvars;
  for (long k = 0; k < width; k++) {
    char *col = ixp_arena_alloc(c->arena, strlen(name) + 24);
    if (!array) strcpy(col, name);
    else sprintf(col, "%s[%ld]", name, k);
    if (ixp_model_var(m, col) >= 0) {
      ixp_check_error(c, at->span, "column '%s' is already in '%s'; name this output: NAME = f(...)", col, m->name);
      return false;
    }
    int v = m->nvars++;
    m->vars[v] = (IxpModelVar){.name = col, .kind = VAR_COLUMN, .decl = m->decl};
    m->order[v] = v;
    m->continuous[v] = real;
    m->has_continuous |= real;
  }
  if (array && ixp_model_group(m, name) >= 0) {
    ixp_check_error(c, at->span, "group '%s' is already in '%s'; name this output: NAME = f(...)", name, m->name);
    return false;
  }
  if (array) ixp_model_add_group(m, c->arena, name, *first, (int)width);
  return true;
}

static bool real_type(IxpCType t) { return t == IXP_CT_F64 || t == IXP_CT_F32; }

static bool map_outputs(Checker *c, IxpModelDef *m, IxpAst *arg, IxpMapStep *st) {
  const IxpExternDef *def = st->call.def;
  bool ret = def->fn.ret != IXP_CT_VOID;
  int nout = def->noutputs + ret;
  if (nout == 0) {
    ixp_check_error(c, arg->span, "%s gives nothing to map: no output array, no return value", def->fn.name);
    return false;
  }
  if (arg->str && nout != 1) {
    ixp_check_error(c, arg->span, "'%s = ...' names one output, but %s gives %d", arg->str, def->fn.name, nout);
    return false;
  }
  for (int p = 0; p < def->fn.nparams; p++) {
    if (!def->output[p]) continue;
    const char *name = arg->str ? arg->str : def->fn.params[p].name;
    if (!add_columns(c, m, arg, name, st->out_width[p], real_type(def->fn.params[p].type), &st->out_col[p], true))
      return false;
  }
  st->ret_col = -1;
  return !ret || add_columns(c, m, arg, arg->str ? arg->str : def->fn.name, 1, real_type(def->fn.ret), &st->ret_col, false);
}

static bool map_step(Checker *c, IxpModelDef *m, IxpAst *arg, IxpMapStep *st) {
  IxpAst *e = arg->a;
  const IxpSymbol *sym = e->kind == AST_CALL ? ixp_lookup(c->s, e->str) : NULL;
  if (!sym || sym->kind != SYM_EXTERN) {
    ixp_check_error(c, e->span, "each step of a map calls an extern function on columns, as f(x0 .. x3)");
    return false;
  }
  char msg[600];
  if (!ixp_extern_match(&st->call, sym->ext, e, e->nitems, true, msg, sizeof msg)) {
    ixp_check_error(c, e->span, "%s", msg);
    return false;
  }
  st->nargs = e->nitems;
  for (int a = 0; a < e->nitems; a++)
    if (!map_arg(c, m, e->items[a], &st->args[a])) return false;
  if (!ixp_extern_map_plan(st, msg, sizeof msg)) {
    ixp_check_error(c, e->span, "%s", msg);
    return false;
  }
  return map_outputs(c, m, arg, st);
}

IxpModelDef *ixp_check_map(Checker *c, IxpAst *st) {
  IxpAst *call = st->a;
  if (call->nitems < 2 || call->items[0]->str || call->items[0]->a->kind != AST_NAME) {
    ixp_check_error(c, call->span, "map transforms a dataset: map(DATA, f(x0 .. x3), ...)");
    return NULL;
  }
  const char *name = call->items[0]->a->str;
  const IxpSymbol *sym = ixp_lookup(c->s, name);
  if (!sym || sym->kind != SYM_MODEL || !sym->model->data) {
    ixp_check_error(c, call->items[0]->span, "map transforms a dataset (defined with 'data'); '%s' is not one", name);
    return NULL;
  }
  IxpModelDef *m = ixp_check_data_model(c, st, sym->model);
  m->data->model = NULL;
  m->data->source = sym->model;
  m->data->steps = ixp_arena_alloc(c->arena, (size_t)(call->nitems - 1) * sizeof *m->data->steps);
  for (int i = 1; i < call->nitems; i++) {
    if (!map_step(c, m, call->items[i], &m->data->steps[i - 1])) return NULL;
    m->data->nsteps = i;
  }
  return m;
}
