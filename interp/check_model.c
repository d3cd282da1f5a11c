/* check_model.c — models: their variables, draws, definitions and tables;
 * the order in which variables are computed and which are continuous. */
#include <math.h>
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

/* Whole numbers known when the program is checked: literals, and lets
 * (or their --set values) of constant arithmetic on them. */
bool ixp_check_whole(Checker *c, const IxpAst *e, long *out) {
  double x;
  if (!ixp_check_constant(c, e, &x) || x != floor(x) || !(fabs(x) < 1e15)) return false;
  *out = (long)x;
  return true;
}

/* The width N of a vector statement NAME[N]: a whole number from 1, known
 * at check time; 0 after an error. */
static int vector_width(Checker *c, IxpModelDef *m, const IxpAst *n, const char *name) {
  long w;
  /* Checked as in the model, so the lets it reads are marked as fixing its size. */
  Context ctx = c->ctx;
  IxpModelDef *outer = c->model;
  c->ctx = CTX_MODEL, c->model = m;
  bool known = ixp_check_whole(c, n, &w);
  c->ctx = ctx, c->model = outer;
  if (!known) {
    ixp_check_error(c, n->span, "the width of '%s' is a whole number known before the program runs (a literal, or a let of one)", name);
    return 0;
  }
  if (w < 1 || w > IXP_MAX_MODEL_VARS) {
    ixp_check_error(c, n->span, "the width of '%s' is %ld; a vector variable has 1 to %d components", name, w, IXP_MAX_MODEL_VARS);
    return 0;
  }
  if (ixp_model_group(m, name) >= 0 || ixp_model_var(m, name) >= 0) {
    ixp_check_error(c, n->span, "variable '%s' is defined twice in model '%s'", name, m->name);
    return 0;
  }
  return (int)w;
}

/* "x[3]", in the arena. */
static const char *component_name(Checker *c, const char *name, int i) {
  size_t len = strlen(name) + 16;
  char *s = ixp_arena_alloc(c->arena, len);
  snprintf(s, len, "%s[%d]", name, i);
  return s;
}

uint64_t *ixp_check_deps(Checker *c, const IxpModelDef *m) {
  return ixp_arena_alloc(c->arena, (size_t)((m->nvars + 63) / 64 + 1) * sizeof(uint64_t));
}

static void model_var(Checker *c, IxpModelDef *m, const char *name, IxpAst *decl, IxpVarKind kind, IxpAst *expr) {
  int old = ixp_model_var(m, name);
  if (ixp_model_group(m, name) >= 0) {
    ixp_check_error(c, decl->span, "variable '%s' is defined twice in model '%s' (it is a vector variable)", name, m->name);
    return;
  }
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

/* Independent components x[N] ~ f(..., v, ...) where f takes a number and
 * v is a vector of N: component k draws f(..., v[k], ...), as x_k ~
 * f(..., v[k], ...) would. A vector of another known width is an error. */
static void spread_vector_args(Checker *c, IxpModelDef *m, int first, int n, IxpAst *call) {
  const IxpDistribution *d = ixp_library_distribution(&c->s->lib, call->str, call->nitems);
  bool spread[8] = {false}, any = false;
  for (int i = 0; d && i < call->nitems && i < d->nargs && i < 8; i++) {
    IxpAst *arg = call->items[i]->a;
    if (d->args[i] != TY_NUM || ixp_check_expr(c, arg) != TY_VEC) continue;
    int rows, cols;
    if (ixp_check_shape(arg, &rows, &cols) && cols != n)  /* reported once: the components are still given their entries */
      ixp_check_error(c, arg->span, "%s takes a number here; a vector gives one to each of the %d components, "
            "but this one has %d", d->signature, n, cols);
    spread[i] = any = true;
  }
  for (int u = first; any && u < first + n; u++) {
    IxpAst *own = ixp_ast_new(c->arena, AST_CALL, call->span);
    *own = *call;
    own->items = ixp_arena_alloc(c->arena, (size_t)call->nitems * sizeof *own->items);
    own->cap = own->nitems;
    for (int i = 0; i < call->nitems; i++) {
      own->items[i] = call->items[i];
      if (!spread[i]) continue;
      IxpAst *arg = ixp_ast_new(c->arena, AST_ARG, call->items[i]->span), *index = ixp_ast_new(c->arena, AST_INDEX, call->items[i]->a->span);
      IxpAst *at = ixp_ast_new(c->arena, AST_NUM, call->items[i]->a->span);
      at->num = u - first, at->num_n = u - first, at->num_d = 1, at->exact = true;
      index->a = call->items[i]->a, index->b = at, index->depth = call->items[i]->a->depth + 1;
      *arg = *call->items[i];
      arg->a = index;
      own->items[i] = arg;
    }
    m->vars[u].expr = own;
  }
}

/* x[N] ~ f(...) draws its N components together when f is a vector
 * distribution given a covariance matrix (normal(mean, cov)); otherwise
 * each component is an independent draw of the scalar distribution,
 * exactly as N statements x0 ~ f(...), x1 ~ f(...), ... would be. */
static void split_independent(Checker *c, IxpModelDef *m, IxpModelVar *v) {
  IxpAst *call = v->expr;
  if (call->nitems == 2 && ixp_library_vector_distribution(&c->s->lib, call->str) &&
      ixp_check_expr(c, call->items[1]->a) == TY_MAT)
    return;
  int first = v->leader, n = v->ncomponents;
  for (int u = first; u < first + n; u++) m->vars[u].ncomponents = 1, m->vars[u].component = 0, m->vars[u].leader = u;
  spread_vector_args(c, m, first, n, call);
}

/* normal(mean, cov) drawn into N variables: a known shape of the means or
 * the covariance must fit N. */
static void check_joint_shapes(Checker *c, const IxpModelVar *v) {
  IxpAst *mean = v->expr->items[0]->a, *cov = v->expr->items[1]->a;
  int n = v->ncomponents, rows, cols;
  if (ixp_check_shape(cov, &rows, &cols) && (rows != n || cols != n))
    ixp_check_error(c, cov->span, "%d variables draw from normal(mean, cov) with a %d x %d covariance; it needs %d x %d", n,
          rows, cols, n, n);
  else if (ixp_check_shape(mean, &rows, &cols) && rows == 1 && cols != n)
    ixp_check_error(c, mean->span, "%d variables draw from normal(mean, cov) with %d means; it needs %d (or one number)", n,
          cols, n);
}

/* Check a draw's distribution call. */
static void check_draw(Checker *c, IxpModelDef *m, IxpModelVar *v) {
  IxpAst *call = v->expr;
  const IxpSymbol *ext = ixp_lookup(c->s, call->str);
  if (ext && ext->kind == SYM_EXTERN) {
    ixp_check_extern_draw(c, m, v, ext->ext);
    return;
  }
  if (v->decl->b && v->ncomponents > 1 && v->component == 0) {
    split_independent(c, m, v);
    call = v->expr;
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
  if (d && v->ncomponents > 1 && call->nitems == 2) check_joint_shapes(c, v);
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

/* A variable being visited, and the dependencies it has still to visit:
 * word w of its deps, bits not yet taken. */
typedef struct {
  int v, w;
  uint64_t bits;
} Frame;

static Frame frame_of(const IxpModelDef *m, int v) { return (Frame){v, 0, m->vars[v].deps ? m->vars[v].deps[0] : 0}; }

/* Order variables so each follows what it reads (depth-first from root,
 * on an explicit stack: a chain of definitions may be as long as the
 * model); a cycle is reported once, naming its path. */
static bool visit(Checker *c, IxpModelDef *m, int root, int *state, int *n, int *stack, Frame *frames) {
  if (state[root] == 2) return true;
  int depth = 0, words = (m->nvars + 63) / 64;
  state[root] = 1, stack[0] = root, frames[0] = frame_of(m, root);
  while (depth >= 0) {
    Frame *f = &frames[depth];
    while (!f->bits && m->vars[f->v].deps && f->w + 1 < words) f->bits = m->vars[f->v].deps[++f->w];
    if (!f->bits) {  /* every variable it reads is placed: place it */
      state[f->v] = 2;
      m->order[(*n)++] = f->v;
      depth--;
      continue;
    }
    int w = 64 * f->w + __builtin_ctzll(f->bits);
    f->bits &= f->bits - 1;
    if (state[w] == 2) continue;
    if (state[w] == 1) {
      int start = depth;
      while (start > 0 && stack[start] != w) start--;
      report_cycle(c, m, stack, start, depth + 1, w);
      return false;
    }
    state[w] = 1, stack[++depth] = w, frames[depth] = frame_of(m, w);
  }
  return true;
}

static void order_model(Checker *c, IxpModelDef *m) {
  int *state = ixp_arena_alloc(c->arena, (size_t)(m->nvars + 1) * sizeof *state), n = 0;
  int *stack = ixp_arena_alloc(c->arena, (size_t)(m->nvars + 1) * sizeof *stack);
  Frame *frames = ixp_arena_alloc(c->arena, (size_t)(m->nvars + 1) * sizeof *frames);
  for (int v = 0; v < m->nvars; v++)
    if (!visit(c, m, v, state, &n, stack, frames)) return;
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

/* x[N] ~ f(...): N components drawn together (from the leader, component
 * 0) or independently (check_draw decides), recorded as group x. */
static void vector_draw(Checker *c, IxpModelDef *m, IxpAst *st) {
  const char *name = st->items[0]->str;
  int d = vector_width(c, m, st->b, name), first = m->nvars;
  for (int k = 0; k < d; k++) {
    int before = m->nvars;
    model_var(c, m, component_name(c, name, k), st, VAR_DRAW, st->a);
    if (m->nvars == before) return;
    m->vars[before].component = k;
    m->vars[before].ncomponents = d;
    m->vars[before].leader = first;
  }
  if (d) ixp_model_add_group(m, c->arena, name, first, d);
}

/* h[N] = expr: component k is the definition h[k] = (expr)[k], so every
 * engine sees ordinary definitions; the sampler computes the vector once
 * per row for all of them (their shared leader). */
static void vector_define(Checker *c, IxpModelDef *m, IxpAst *st, int d) {
  int first = m->nvars;
  for (int k = 0; k < d; k++) {
    IxpAst *index = ixp_ast_new(c->arena, AST_INDEX, st->a->span), *at = ixp_ast_new(c->arena, AST_NUM, st->a->span);
    at->num = k, at->num_n = k, at->num_d = 1, at->exact = true;
    index->a = st->a, index->b = at, index->depth = st->a->depth + 1;
    int before = m->nvars;
    model_var(c, m, component_name(c, st->str, k), st, VAR_DEFINE, index);
    if (m->nvars == before) return;
    m->vars[before].component = k;
    m->vars[before].ncomponents = d;
    m->vars[before].leader = first;
  }
  if (d) ixp_model_add_group(m, c->arena, st->str, first, d);
}

/* x[k] with k a constant, inside a model's expressions, becomes the name
 * of the component "x[k]": the very variable, as if written x0, so every
 * engine (closed forms, columns, elimination) reads it directly. */
static void name_components(Checker *c, IxpModelDef *m, IxpAst *e, bool report) {
  if (!e) return;
  name_components(c, m, e->a, report), name_components(c, m, e->b, report);
  name_components(c, m, e->c, report), name_components(c, m, e->d, report);
  for (int i = 0; i < e->nitems; i++) name_components(c, m, e->items[i], report);
  int g = e->kind == AST_INDEX && e->a->kind == AST_NAME ? ixp_model_group(m, e->a->str) : -1;
  long k;
  if (g < 0 || !ixp_check_whole(c, e->b, &k)) return;
  if (k < 0 || k >= m->groups[g].count) {
    if (report)
      ixp_check_error(c, e->b->span, "component %ld of '%s' is out of range: '%s' has components 0 .. %d", k, e->a->str,
          e->a->str, m->groups[g].count - 1);
    return;
  }
  e->kind = AST_NAME;
  e->str = component_name(c, e->a->str, (int)k);
  e->a = e->b = NULL;
}

/* The expressions of a model statement (an index out of range is
 * reported when `report`: once every group is declared). */
static void name_statement_components(Checker *c, IxpModelDef *m, IxpAst *st, bool report) {
  if (st->kind == AST_DEFINE || st->kind == AST_DRAW) name_components(c, m, st->a, report);
}

/* The width of a checked vector expression when the checker knows its
 * shape, else 0. */
static int known_width(const IxpAst *e) {
  int rows, cols;
  return ixp_check_shape(e, &rows, &cols) && rows == 1 ? cols : 0;
}

int ixp_check_width(const IxpAst *e) { return known_width(e); }

/* y = expr with no declared width: tried against the variables declared
 * so far, quietly; a vector of known width w makes y[0] .. y[w-1]. 0 for
 * a number (or a width the checker cannot know, reported later). */
static int inferred_width(Checker *c, IxpModelDef *m, IxpAst *expr) {
  uint64_t *deps = ixp_check_deps(c, m);
  c->quiet = true, c->quiet_failed = false;
  c->ctx = CTX_MODEL, c->model = m, c->deps = deps;
  IxpType t = ixp_check_expr(c, expr);
  c->quiet = false, c->ctx = CTX_TOP, c->model = NULL, c->deps = NULL;
  return t == TY_VEC && !c->quiet_failed ? known_width(expr) : 0;
}

/* The variables of a model's statements, in order. */
static void declare_vars(Checker *c, IxpModelDef *m, IxpAst *body) {
  for (int i = 0; i < body->nitems; i++) {
    IxpAst *st = body->items[i];
    name_statement_components(c, m, st, false);
    int w = st->kind == AST_DEFINE && !st->b ? inferred_width(c, m, st->a) : 0;
    if (st->kind == AST_DRAW && st->b) vector_draw(c, m, st);
    else if (st->kind == AST_DEFINE && st->b) vector_define(c, m, st, vector_width(c, m, st->b, st->str));
    else if (w > 0) vector_define(c, m, st, w);
    else if (st->kind == AST_DRAW) {
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
}

/* A definition's expression: a number for y = ..., a vector of N values
 * for y[N] = ... (checked once, for component 0: every component has the
 * same expression and so reads the same variables). */
static void check_define(Checker *c, IxpModelDef *m, IxpModelVar *v) {
  if (v->ncomponents > 1 && v->component > 0) {
    const IxpModelVar *lead = &m->vars[v->leader];
    memcpy(v->deps, lead->deps, (size_t)((m->nvars + 63) / 64) * sizeof *v->deps);
    return;
  }
  if (v->ncomponents <= 1 || v->decl->kind != AST_DEFINE || v->expr->kind != AST_INDEX) {
    int errors = c->errors;
    IxpType t = ixp_check_expr(c, v->expr);
    if (c->errors > errors) return;
    if (t == TY_VEC)
      ixp_check_error(c, v->decl->span, "'%s' is a vector whose width is not known before the program runs: declare it, %s[N] = ...",
            v->name, v->name);
    else if (t == TY_MAT)
      ixp_check_error(c, v->decl->span, "'%s' is a matrix; a model variable holds a number, or a vector (%s[N] = ...)", v->name, v->name);
    return;
  }
  IxpAst *vec = v->expr->a;
  IxpType t = ixp_check_expr(c, vec);
  int w = t == TY_VEC ? known_width(vec) : 0;
  const char *group = v->decl->str;
  if (t != TY_VEC && t != TY_ANY)
    ixp_check_error(c, vec->span, "%s[%d] = ... needs a vector of %d values, not a %s", group, v->ncomponents,
          v->ncomponents, ixp_type_name(t));
  else if (w && w != v->ncomponents)
    ixp_check_error(c, vec->span, "%s[%d] = ... needs a vector of %d values, not %d", group, v->ncomponents, v->ncomponents, w);
}

static void check_model_body(Checker *c, IxpModelDef *m, IxpAst *body) {
  declare_vars(c, m, body);
  for (int i = 0; i < body->nitems; i++) name_statement_components(c, m, body->items[i], true);  /* and groups declared later */
  if (m->nvars == 0) ixp_check_error(c, m->decl->span, "model '%s' has no variables", m->name);
  c->ctx = CTX_MODEL;
  c->model = m;
  for (int v = 0; v < m->nvars; v++) {
    c->deps = m->vars[v].deps = ixp_check_deps(c, m);
    if (m->vars[v].kind == VAR_DRAW) check_draw(c, m, &m->vars[v]);
    else check_define(c, m, &m->vars[v]);
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
  if (st->b->kind == AST_TABLE) {
    if (!st->b->c || ixp_check_table_file(c, m, st->b)) check_table(c, m, st->b);  /* a file's rows read first */
  } else if (st->b->kind != AST_BLOCK || !ixp_check_model_lags(c, st)) {
    check_model_body(c, m, st->b);
  }
  if (ixp_check_redefinition(c, st->str, st->span)) {
    IxpSymbol *sym = ixp_check_add_symbol(c, SYM_MODEL, st->str, st);
    sym->model = m;
    sym->type = TY_MODEL;
    IxpSession *s = c->s;
    if (ixp_grow(&s->models, &s->capmodels, s->nmodels + 1, sizeof *s->models)) s->models[s->nmodels++] = m;
    else ixp_check_error(c, st->span, "out of memory");
  }
}

