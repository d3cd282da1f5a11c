/* check_model.c — models: their variables, draws, definitions and tables;
 * the order in which variables are computed and which are continuous. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checker.h"
#include "data.h"
#include "externs.h"
#include "grow.h"
#include "interp.h"
#include "linear.h"
#include "rng.h"

/* ---------------------------------------------------------------- models */

uint64_t *ixp_check_deps(Checker *c, const IxpModelDef *m) {
  return ixp_arena_alloc(c->arena, (size_t)((m->nvars + 63) / 64 + 1) * sizeof(uint64_t));
}

static void model_var(Checker *c, IxpModelDef *m, const char *name, IxpAst *decl, IxpVarKind kind, IxpAst *expr) {
  int old = ixp_model_var(m, name);
  if (old >= 0) {
    ixp_check_error(c, decl->span, "variable '%s' is defined twice in model '%s' (first at line %d)", name, m->name,
          ixp_check_line(c->src, m->vars[old].decl->span));
    return;
  }
  if (m->nvars == IXP_MAX_MODEL_VARS) {  /* reported at the first variable past the limit only */
    if (!m->over_limit) ixp_check_error(c, decl->span, "model '%s' has more than %d variables", m->name, IXP_MAX_MODEL_VARS);
    m->over_limit = true;
    return;
  }
  ixp_model_reserve(m, c->arena, m->nvars + 1);
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
    v->deps[v->leader >> 6] |= (uint64_t)1 << (v->leader & 63);
    return;
  }
  const IxpDistribution *d = v->ncomponents > 1 ? ixp_library_vector_distribution(&c->s->lib, call->str)
                                                 : ixp_library_distribution(&c->s->lib, call->str, call->nitems);
  if (v->ncomponents > 1 && !d && ixp_library_distribution(&c->s->lib, call->str, call->nitems)) {
    ixp_check_error(c, call->span, "%s draws one value; several variables draw from normal(mean, cov)", call->str);
    return;
  }
  for (int i = 0; i < call->nitems; i++) {
    IxpAst *arg = call->items[i];
    IxpType t = ixp_check_expr(c, arg->a);
    if (arg->str) ixp_check_error(c, arg->span, "%s takes no option '%s'", call->str, arg->str);
    if (d && i < d->nargs && !ixp_type_fits(d->args[i], t))
      ixp_check_error(c, arg->a->span, "%s needs a %s here, not a %s", d->signature, ixp_type_name(d->args[i]), ixp_type_name(t));
  }
  if (!d) {
    char buf[96];
    IxpSuggest g = {call->str, NULL, 99};
    for (int i = 0; i < c->s->lib.ndistributions; i++) ixp_suggest(&g, c->s->lib.distributions[i]->name);
    ixp_check_error(c, call->span, "unknown distribution '%s'%s", call->str, ixp_suggest_hint(buf, sizeof buf, &g));
  } else if (call->nitems != d->nargs) {
    ixp_check_error(c, call->span, "%s takes %d argument%s, not %d", d->signature, d->nargs, d->nargs == 1 ? "" : "s", call->nitems);
  }
  v->dist = d;
}

/* Append text to the path buffer, cutting it at the buffer's end. */
static void path_add(char *path, size_t cap, const char *text) {
  size_t len = strlen(path);
  if (len + 1 < cap) snprintf(path + len, cap - len, "%s", text);
}

/* Report the cycle stack[start..depth) -> v; a long one shows its first
 * and last few variables. */
static void report_cycle(Checker *c, IxpModelDef *m, const int *stack, int start, int depth, int v) {
  enum { SHOWN = 4 };
  char path[512] = "";
  int count = depth - start;
  for (int i = start; i < depth; i++) {
    int at = i - start;
    if (count > 2 * SHOWN && at >= SHOWN && at < count - SHOWN) {
      if (at == SHOWN) path_add(path, sizeof path, "... -> ");
      continue;
    }
    path_add(path, sizeof path, m->vars[stack[i]].name);
    path_add(path, sizeof path, " -> ");
  }
  path_add(path, sizeof path, m->vars[v].name);
  ixp_check_error(c, m->vars[v].decl->span, "cyclic definition in model '%s': %s", m->name, path);
}

/* Order variables so each follows what it reads (depth-first); a cycle
 * is reported once, naming its path. */
static bool visit(Checker *c, IxpModelDef *m, int v, int *state, int *n, int *stack, int depth) {
  if (state[v] == 2) return true;
  if (state[v] == 1) {
    int start = depth - 1;
    while (start > 0 && stack[start] != v) start--;
    report_cycle(c, m, stack, start, depth, v);
    return false;
  }
  state[v] = 1;
  stack[depth] = v;
  const uint64_t *deps = m->vars[v].deps;
  for (int w = 0; deps && w < (m->nvars + 63) / 64; w++)  /* the variables v reads, a word at a time */
    for (uint64_t bits = deps[w]; bits; bits &= bits - 1)
      if (!visit(c, m, 64 * w + __builtin_ctzll(bits), state, n, stack, depth + 1)) return false;
  state[v] = 2;
  m->order[(*n)++] = v;
  return true;
}

static void order_model(Checker *c, IxpModelDef *m) {
  int *state = ixp_arena_alloc(c->arena, (size_t)(m->nvars + 1) * sizeof *state), n = 0;
  int *stack = ixp_arena_alloc(c->arena, (size_t)(m->nvars + 1) * sizeof *stack);
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
    if (var->kind == VAR_DEFINE && !discrete_result(var->expr) && var->deps)
      for (int w = 0; w < (m->nvars + 63) / 64; w++)
        for (uint64_t bits = var->deps[w]; bits; bits &= bits - 1) cont |= m->continuous[64 * w + __builtin_ctzll(bits)];
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
    else ixp_check_error(c, st->span, "a model holds draws (x ~ dist(...)) and definitions (y = expr), not this statement");
  }
  if (m->nvars == 0) ixp_check_error(c, m->decl->span, "model '%s' has no variables", m->name);
  c->ctx = CTX_MODEL;
  c->model = m;
  for (int v = 0; v < m->nvars; v++) {
    c->deps = m->vars[v].deps = ixp_check_deps(c, m);
    if (m->vars[v].kind == VAR_DRAW) check_draw(c, m, &m->vars[v]);
    else ixp_check_expr(c, m->vars[v].expr);
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
  if (rows->nitems == 0) ixp_check_error(c, table->span, "table model '%s' has no rows", m->name);
  /* Rows may read parameters and lets (which the cache must watch), but
   * not the table's own columns. */
  c->model = m;
  int nvars = m->nvars;
  m->nvars = 0;
  for (int r = 0; r < rows->nitems; r++) {
    IxpAst *row = rows->items[r];
    if (row->nitems != cols->nitems)
      ixp_check_error(c, row->span, "row has %d value%s but the table has %d column%s", row->nitems,
            row->nitems == 1 ? "" : "s", cols->nitems, cols->nitems == 1 ? "" : "s");
    for (int i = 0; i < row->nitems; i++) ixp_check_number(c, row->items[i], ixp_check_expr(c, row->items[i]), "a table value");
    ixp_check_number(c, row->a, ixp_check_expr(c, row->a), "a probability");
  }
  m->nvars = nvars;
  c->model = NULL;
  m->table = table;
}

void ixp_check_model(Checker *c, IxpAst *st) {
  if (c->depth > 0) ixp_check_error(c, st->span, "models are defined at the top level, not inside a sweep");
  IxpModelDef *m = ixp_arena_alloc(c->arena, sizeof *m);
  m->name = st->str;
  m->decl = st;
  m->src = c->src;
  m->nparams = st->nitems;
  m->params = st->items;
  for (int i = 0; i < m->nparams; i++) {
    for (int j = 0; j < i; j++)
      if (!strcmp(m->params[i]->str, m->params[j]->str))
        ixp_check_error(c, m->params[i]->span, "parameter '%s' is listed twice", m->params[i]->str);
    if (m->params[i]->a) {
      c->model = m;  /* defaults may read lets, which the cache must watch */
      m->nparams = i;  /* a default sees only earlier parameters */
      ixp_check_expr(c, m->params[i]->a);
      m->nparams = st->nitems;
      c->model = NULL;
    }
  }
  if (st->b->kind == AST_TABLE) check_table(c, m, st->b);
  else check_model_body(c, m, st->b);
  if (ixp_check_redefinition(c, st->str, st->span)) {
    IxpSymbol *sym = ixp_check_add_symbol(c, SYM_MODEL, st->str, st);
    sym->model = m;
    sym->type = TY_MODEL;
    IxpSession *s = c->s;
    if (ixp_grow(&s->models, &s->capmodels, s->nmodels + 1, sizeof *s->models)) s->models[s->nmodels++] = m;
    else ixp_check_error(c, st->span, "out of memory");
  }
}

