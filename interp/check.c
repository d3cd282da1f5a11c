/* check.c — names, types, arities and models, checked before anything
 * runs; every measure call is lowered to a plan here.
 *
 * The checker reports every error it finds (each with its span) and keeps
 * going with TY_ANY where a type is unknown, so one mistake does not hide
 * the next. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arrays.h"
#include "checker.h"
#include "data.h"
#include "externs.h"
#include "grow.h"
#include "interp.h"
#include "interpolate.h"
#include "linear.h"
#include "plot_series.h"
#include "rng.h"


void ixp_check_error(Checker *c, IxpSpan span, const char *fmt, ...) {
  if (c->quiet) {
    c->quiet_failed = true;
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  ixp_diag_verror(&c->s->diag, c->src, span, fmt, ap);
  va_end(ap);
  c->errors++;
}

int ixp_check_line(const IxpSource *src, IxpSpan span) {
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

void ixp_suggest(IxpSuggest *g, const char *candidate) {
  int d = distance(g->name, candidate);
  int limit = strlen(g->name) <= 3 ? 1 : 2;
  if (d <= limit && d < g->score) {
    g->score = d;
    g->best = candidate;
  }
}

/* " (did you mean 'x'?)" or "" — into buf. */
const char *ixp_suggest_hint(char *buf, size_t size, const IxpSuggest *g) {
  if (!g->best) return "";
  snprintf(buf, size, " (did you mean '%s'?)", g->best);
  return buf;
}

/* --------------------------------------------------------------- symbols */

IxpSymbol *ixp_check_add_symbol(Checker *c, IxpSymKind kind, const char *name, IxpAst *decl) {
  IxpSession *s = c->s;
  IxpSymbol new_sym = {.kind = kind, .name = name, .decl = decl, .src = c->src,
                       .prelude = s->loading_prelude, .depth = c->depth, .slot = -1};
  IxpSymbol *sym = ixp_symbols_push(s, &new_sym);
  if (sym) return sym;
  /* out of memory: the error stops the chunk; the caller fills in a symbol that is not kept */
  ixp_check_error(c, decl->span, "out of memory");
  sym = ixp_arena_alloc(c->arena, sizeof *sym);
  *sym = new_sym;
  return sym;
}

static int new_global(Checker *c, const IxpAst *decl) {
  IxpSession *s = c->s;
  int cap = s->capglobals;
  if (!ixp_grow(&s->globals, &cap, s->nglobals + 1, sizeof *s->globals) ||
      !ixp_grow(&s->versions, &s->capglobals, s->nglobals + 1, sizeof *s->versions)) {
    ixp_check_error(c, decl->span, "out of memory");  /* the chunk will not run: no slot is read */
    return -1;
  }
  s->globals[s->nglobals] = (IxpValue){.type = TY_NONE};
  s->versions[s->nglobals] = 0;
  return s->nglobals++;
}

/* A definition may not repeat one of the same file at the same depth; the
 * prelude's and (in the REPL) earlier entries' names may be redefined. */
bool ixp_check_redefinition(Checker *c, const char *name, IxpSpan span) {
  const IxpSymbol *old = ixp_lookup(c->s, name);
  if (!old || old->prelude || c->s->opt.repl || old->src != c->src || old->depth < c->depth) return true;
  ixp_check_error(c, span, "'%s' is already defined at line %d", name, ixp_check_line(old->src, old->decl->span));
  return false;
}

/* ----------------------------------------------------------- expressions */


static void suggest_names(Checker *c, IxpSuggest *g) {
  for (int i = 0; i < c->s->nsyms; i++) ixp_suggest(g, c->s->syms[i].name);
  if (c->model) {
    for (int i = 0; i < c->model->nvars; i++) ixp_suggest(g, c->model->vars[i].name);
    for (int i = 0; i < c->model->nparams; i++) ixp_suggest(g, c->model->params[i]->str);
  }
}

static void set_shape(IxpAst *e, int rows, int cols);

static IxpType check_name(Checker *c, IxpAst *e) {
  if (c->model) {
    int v = ixp_model_var(c->model, e->str);
    if (v >= 0) {
      e->sem.ref = REF_VAR, e->sem.slot = v;
      if (c->deps) c->deps[v >> 6] |= (uint64_t)1 << (v & 63);
      return TY_NUM;
    }
    int g = ixp_model_group(c->model, e->str);
    if (g >= 0) {  /* a vector variable: it reads every component */
      e->sem.ref = REF_GROUP, e->sem.slot = g;
      const IxpVarGroup *grp = &c->model->groups[g];
      set_shape(e, 1, grp->count);
      for (int u = grp->first; c->deps && u < grp->first + grp->count; u++) c->deps[u >> 6] |= (uint64_t)1 << (u & 63);
      return TY_VEC;
    }
    int p = ixp_model_param(c->model, e->str);
    if (p >= 0) {
      e->sem.ref = REF_PARAM, e->sem.slot = p;
      return TY_ANY;
    }
  }
  const IxpSymbol *sym = ixp_lookup(c->s, e->str);
  if (sym && sym->kind == SYM_LET) {
    e->sem.ref = REF_GLOBAL, e->sem.slot = sym->slot;
    if (sym->decl->kind == AST_LET) e->sem.rows = sym->decl->sem.rows, e->sem.cols = sym->decl->sem.cols;
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
    e->sem.ref = REF_MODEL, e->sem.model = sym->model;
    return TY_MODEL;
  }
  if (sym && sym->kind == SYM_EXTERN) {
    ixp_check_error(c, e->span, "'%s' is an extern function: call it with arguments, as %s(...)", e->str, e->str);
    return TY_ANY;
  }
  char buf[96];
  IxpSuggest g = {e->str, NULL, 99};
  suggest_names(c, &g);
  if (ixp_library_builtin(&c->s->lib, e->str) || ixp_library_measure(&c->s->lib, e->str))
    ixp_check_error(c, e->span, "'%s' is a function: call it with arguments, as %s(...)", e->str, e->str);
  else if (c->model)
    ixp_check_error(c, e->span, "unknown name '%s' in model '%s'%s", e->str, c->model->name, ixp_suggest_hint(buf, sizeof buf, &g));
  else
    ixp_check_error(c, e->span, "unknown name '%s'%s", e->str, ixp_suggest_hint(buf, sizeof buf, &g));
  return TY_ANY;
}

static bool numeric(IxpType t) { return t == TY_NUM || t == TY_ANY; }

IxpType ixp_check_number(Checker *c, IxpAst *e, IxpType t, const char *what) {
  if (!numeric(t)) ixp_check_error(c, e->span, "%s needs a number, not a %s", what, ixp_type_name(t));
  return TY_NUM;
}

bool ixp_check_shape(const IxpAst *e, int *rows, int *cols) {
  *rows = e->sem.rows;
  *cols = e->sem.cols;
  return *rows >= 0 && *cols >= 0;
}

static void set_shape(IxpAst *e, int rows, int cols) {
  e->sem.rows = rows;
  e->sem.cols = cols;
}

static bool is_array(IxpType t) { return t == TY_VEC || t == TY_MAT; }

bool ixp_check_constant(Checker *c, const IxpAst *e, double *x) {
  double a, b;
  switch (e->kind) {
  case AST_NUM: *x = e->num; return true;
  case AST_UNARY:
    if (e->op != OP_NEG || !ixp_check_constant(c, e->a, &a)) return false;
    *x = -a;
    return true;
  case AST_BINARY:
    if (!ixp_check_constant(c, e->a, &a) || !ixp_check_constant(c, e->b, &b)) return false;
    switch (e->op) {
    case OP_ADD: *x = a + b; return true;
    case OP_SUB: *x = a - b; return true;
    case OP_MUL: *x = a * b; return true;
    case OP_DIV: *x = a / b; return b != 0;
    case OP_POW: *x = pow(a, b); return isfinite(*x);
    default: return false;
    }
  case AST_NAME: {
    /* a checked name reads its let; an unchecked one (a vector's width) the newest let of its name */
    if (e->sem.ref != REF_GLOBAL && e->sem.ref != REF_NONE) return false;
    const IxpSymbol *sym = ixp_lookup(c->s, e->str);
    if (!sym || sym->kind != SYM_LET || (e->sem.ref == REF_GLOBAL && sym->slot != e->sem.slot) ||
        sym->decl->kind != AST_LET || !sym->decl->sem.constant)
      return false;
    *x = sym->decl->sem.value;
    /* A model's structure (a vector's size) read it: a sweep or a later
     * let must not change it behind the model's back. */
    if (c->ctx == CTX_MODEL && c->model) sym->decl->sem.fixes_model = c->model->name;
    return true;
  }
  default: return false;
  }
}

/* A whole number from 0 to 10^8 known at check time, or -1. */
static int constant_size(Checker *c, const IxpAst *e) {
  double x;
  if (!ixp_check_constant(c, e, &x) || !(x >= 0) || x != floor(x) || x > 1e8) return -1;
  return (int)x;
}

static bool arithmetic(IxpOp op) {
  return op == OP_ADD || op == OP_SUB || op == OP_MUL || op == OP_DIV || op == OP_POW || op == OP_EMUL;
}

/* Numbers, and for + - * / ^ .* vectors and matrices, whose shapes must fit. */
static IxpType check_binary(Checker *c, IxpAst *e) {
  IxpType a = ixp_check_expr(c, e->a), b = ixp_check_expr(c, e->b);
  char what[48];
  snprintf(what, sizeof what, "'%s'", ixp_op_text(e->op));
  if (e->op == OP_EMUL && a == TY_NUM && b == TY_NUM) e->op = OP_MUL;  /* of numbers, the product the model engines know */
  bool arrays = arithmetic(e->op) && (is_array(a) || is_array(b));
  if (!arrays || !(numeric(a) || is_array(a)) || !(numeric(b) || is_array(b))) {
    if (!arrays || !is_array(a)) ixp_check_number(c, e->a, a, what);
    if (!arrays || !is_array(b)) ixp_check_number(c, e->b, b, what);
    return TY_NUM;
  }
  IxpType t;
  int rows, cols;
  char err[256];
  if (!ixp_array_result_shape(e->op, a, e->a->sem.rows, e->a->sem.cols, b, e->b->sem.rows, e->b->sem.cols, &t, &rows,
                              &cols, err, sizeof err)) {
    ixp_check_error(c, e->span, "%s", err);
    return TY_ANY;
  }
  set_shape(e, rows, cols);
  return t;
}

/* -A keeps A's shape; 'not' takes numbers. */
static IxpType check_unary(Checker *c, IxpAst *e) {
  IxpType t = ixp_check_expr(c, e->a);
  if (e->op == OP_NEG && is_array(t)) {
    set_shape(e, e->a->sem.rows, e->a->sem.cols);
    return t;
  }
  return ixp_check_number(c, e->a, t, e->op == OP_NOT ? "'not'" : "'-'");
}

static IxpType check_vector(Checker *c, IxpAst *e) {
  IxpType elem = TY_NONE;
  int cols = -1;
  for (int i = 0; i < e->nitems; i++) {
    IxpType t = ixp_check_expr(c, e->items[i]);
    if (t != TY_NUM && t != TY_VEC && t != TY_ANY) {
      ixp_check_error(c, e->items[i]->span, "a vector holds numbers (or vectors, for a matrix), not a %s", ixp_type_name(t));
      continue;
    }
    if (elem != TY_NONE && t != TY_ANY && elem != TY_ANY && t != elem)
      ixp_check_error(c, e->items[i]->span, "a matrix's rows must all be vectors");
    else if (t == TY_VEC && cols >= 0 && e->items[i]->sem.cols >= 0 && e->items[i]->sem.cols != cols)
      ixp_check_error(c, e->items[i]->span, "every row of a matrix must be a vector of %d numbers", cols);
    if (t == TY_VEC && cols < 0) cols = e->items[i]->sem.cols;
    if (elem == TY_NONE || elem == TY_ANY) elem = t;
  }
  if (elem == TY_VEC) set_shape(e, e->nitems, cols);
  else if (elem != TY_ANY) set_shape(e, 1, e->nitems);
  return elem == TY_VEC ? TY_MAT : TY_VEC;
}

/* One index along an axis of n (-1: unknown): *count is -1 for a single
 * position (a number), else the positions a slice selects (-1 when not
 * known at check time). False when it is neither. */
static bool check_axis(Checker *c, IxpAst *ix, int n, int *count) {
  *count = n >= 0 ? n : -2;
  if (ix->kind == AST_ALL) return true;
  IxpType t = ixp_check_expr(c, ix);
  if (t != TY_RANGE) {
    *count = -1;
    ixp_check_number(c, ix, t, "an index");
    return t != TY_RANGE;
  }
  double lo, hi, step = 1;
  *count = -2;
  if (ix->kind == AST_RANGE && ixp_check_constant(c, ix->a, &lo) && ixp_check_constant(c, ix->b, &hi) &&
      (!ix->c || ixp_check_constant(c, ix->c, &step)) && step > 0)
    *count = hi < lo ? 0 : (int)fmin(floor((hi - lo) / step + 1e-9) + 1, 1e9);
  return true;
}

/* x[i] a number, x[i .. j] a vector; A[i] a row, A[i .. j] rows; A[i, j]
 * with each index a number, a range or '..'. */
static IxpType check_index(Checker *c, IxpAst *e) {
  IxpType t = ixp_check_expr(c, e->a);
  if (!e->c && e->b->kind != AST_ALL && (t == TY_RECORD || t == TY_ANY)) {
    IxpType i = ixp_check_expr(c, e->b);
    if (i == TY_STR) return TY_ANY;  /* record["field"] */
    ixp_check_number(c, e->b, i, "an index");
    return TY_ANY;
  }
  if (!is_array(t)) {
    if (t != TY_ANY) ixp_check_error(c, e->a->span, "only vectors and matrices can be indexed, not a %s", ixp_type_name(t));
    int ignored;
    check_axis(c, e->b, -1, &ignored);
    if (e->c) check_axis(c, e->c, -1, &ignored);
    return TY_ANY;
  }
  int rows = e->a->sem.rows, cols = e->a->sem.cols, r, k;
  if (e->c && t == TY_VEC) {
    ixp_check_error(c, e->span, "a vector takes one index, not two");
    return TY_ANY;
  }
  if (t == TY_VEC) {
    check_axis(c, e->b, cols, &k);
    if (k == -1) return TY_NUM;
    set_shape(e, 1, k < 0 ? -1 : k);
    return TY_VEC;
  }
  check_axis(c, e->b, rows, &r);
  if (!e->c) k = cols;
  else check_axis(c, e->c, cols, &k);
  if (r == -1 && (k == -1 || !e->c)) {
    if (!e->c) set_shape(e, 1, cols);
    return e->c ? TY_NUM : TY_VEC;
  }
  if (r == -1 || k == -1) {
    set_shape(e, 1, r == -1 ? (k < 0 ? -1 : k) : (r < 0 ? -1 : r));
    return TY_VEC;
  }
  set_shape(e, r < 0 ? -1 : r, k < 0 ? -1 : k);
  return TY_MAT;
}

bool ixp_type_fits(IxpType want, IxpType got) {
  if (want == TY_ANY || got == TY_ANY) return true;
  if (want == TY_RANGE && got == TY_VEC) return true;
  return want == got;
}

void ixp_check_positional(Checker *c, const char *fname, IxpAst *arg) {
  if (arg->str) ixp_check_error(c, arg->span, "%s takes no option '%s'", fname, arg->str);
  if (arg->op != OP_NONE && arg->op != SEP_COMMA)
    ixp_check_error(c, arg->sep_span, "arguments of %s are separated by ',', not '%s'", fname, ixp_op_text(arg->op));
}

/* The file a builtin such as npy("w.npy") reads, when named by a literal:
 * its type and shape are read now, and its errors reported at the call. */
static IxpType check_file(Checker *c, IxpAst *e, const IxpBuiltin *fn) {
  IxpAst *name = e->nitems ? e->items[0]->a : NULL;
  bool header = true;
  for (int i = 1; i < e->nitems; i++) {
    double x;
    if (!e->items[i]->str || strcmp(e->items[i]->str, "header") || strcmp(fn->name, "csv") ||
        !ixp_check_constant(c, e->items[i]->a, &x))
      ixp_check_error(c, e->items[i]->span, "%s takes a file name%s", fn->name,
                      strcmp(fn->name, "csv") ? " only" : " and the option header = 0 (no header line)");
    else header = x != 0;
  }
  if (!name || name->kind != AST_STR) return TY_ANY;
  char *path = ixp_check_path(c, name->str), err[640];
  IxpType t;
  int rows, cols;
  if (!ixp_matrix_file_shape(path, !strcmp(fn->name, "npy"), header, &t, &rows, &cols, err, sizeof err)) {
    ixp_check_error(c, e->span, "%s", err);
    return TY_ANY;
  }
  ixp_session_input(c->s, "data", path);
  set_shape(e, rows, cols);
  return t;
}

/* The shape of rows joined by concat, or an error naming the argument. */
static IxpType concat_shape(Checker *c, IxpAst *e, const IxpType *types) {
  bool matrix = false, unknown = false;
  for (int i = 0; i < e->nitems; i++) matrix |= types[i] == TY_MAT, unknown |= types[i] == TY_ANY;
  int rows = 0, cols = -1, total = 0;
  for (int i = 0; i < e->nitems && !unknown; i++) {
    const IxpAst *x = e->items[i]->a;
    if (!matrix) {
      total = total < 0 || (types[i] == TY_VEC && x->sem.cols < 0) ? -1 : total + (types[i] == TY_VEC ? x->sem.cols : 1);
      continue;
    }
    if (types[i] == TY_NUM) {
      ixp_check_error(c, x->span, "concat stacks the rows of matrices and vectors, not numbers");
      return TY_ANY;
    }
    if (cols >= 0 && x->sem.cols >= 0 && x->sem.cols != cols) {
      char shape[64];
      ixp_check_error(c, x->span, "concat stacks rows of %d numbers, not %s", cols,
                      ixp_array_shape_text(shape, sizeof shape, types[i], x->sem.rows, x->sem.cols));
      return TY_ANY;
    }
    if (cols < 0) cols = x->sem.cols;
    rows = rows < 0 || x->sem.rows < 0 ? -1 : rows + x->sem.rows;
  }
  if (unknown) return TY_ANY;
  if (matrix) set_shape(e, rows, cols);
  else set_shape(e, 1, total);
  return matrix ? TY_MAT : TY_VEC;
}

/* entropy_of(p), kl_of(p, q), ...: a number of vectors, a vector of a
 * matrix's rows; p and q as long as each other. */
static IxpType rows_shape(Checker *c, IxpAst *e, const IxpBuiltin *fn, const IxpType *types) {
  const IxpAst *p = e->items[0]->a, *q = e->nitems > 1 ? e->items[1]->a : NULL;
  if (q && is_array(types[0]) && is_array(types[1]) && p->sem.cols >= 0 && q->sem.cols >= 0 &&
      (p->sem.cols != q->sem.cols || (types[0] == TY_MAT && types[1] == TY_MAT && p->sem.rows >= 0 &&
                                       q->sem.rows >= 0 && p->sem.rows != q->sem.rows))) {
    char x[64], y[64];
    ixp_check_error(c, e->span, "%s takes two probability vectors of the same length, or matrices of them, not %s and %s",
                    fn->name, ixp_array_shape_text(x, sizeof x, types[0], p->sem.rows, p->sem.cols),
                    ixp_array_shape_text(y, sizeof y, types[1], q->sem.rows, q->sem.cols));
    return TY_ANY;
  }
  bool matrix = types[0] == TY_MAT || (q && types[1] == TY_MAT);
  if (types[0] == TY_ANY || (q && types[1] == TY_ANY)) return matrix ? TY_VEC : TY_ANY;
  if (!matrix) return TY_NUM;
  const IxpAst *m = types[0] == TY_MAT ? p : q;
  set_shape(e, 1, m->sem.rows);
  return TY_VEC;
}

/* The result's type and shape by the builtin's rule (builtins.h). */
static IxpType builtin_shape(Checker *c, IxpAst *e, const IxpBuiltin *fn, const IxpType *types) {
  const IxpAst *x = e->nitems ? e->items[0]->a : NULL;
  switch (fn->shape) {
  case IXP_SHAPE_SAME:
    if (is_array(types[0])) set_shape(e, x->sem.rows, x->sem.cols);
    return types[0] == TY_NUM && fn->ret == TY_VEC ? TY_ANY : types[0];
  case IXP_SHAPE_ROWS: return rows_shape(c, e, fn, types);
  case IXP_SHAPE_TRANSPOSE:
    if (types[0] == TY_VEC) set_shape(e, x->sem.cols, 1);
    if (types[0] == TY_MAT) set_shape(e, x->sem.cols, x->sem.rows);
    return TY_MAT;
  case IXP_SHAPE_CONCAT: return concat_shape(c, e, types);
  case IXP_SHAPE_SQUARE: set_shape(e, constant_size(c, x), constant_size(c, x)); return TY_MAT;
  case IXP_SHAPE_FILL:
    if (e->nitems == 2) set_shape(e, constant_size(c, x), constant_size(c, e->items[1]->a));
    else set_shape(e, 1, constant_size(c, x));
    return e->nitems == 2 ? TY_MAT : TY_VEC;
  case IXP_SHAPE_FILE: return check_file(c, e, fn);
  case IXP_SHAPE_POINTS: set_shape(e, 1, e->nitems == 3 ? constant_size(c, e->items[2]->a) : -1); return TY_VEC;
  default: return fn->ret;
  }
}

/* A builtin's arguments: numbers; or for the functions of arrays, numbers,
 * vectors and matrices (and a file name). */
static bool argument_fits(const IxpBuiltin *fn, IxpType t, int i) {
  if (fn->shape == IXP_SHAPE_FILE) return i > 0 || ixp_type_fits(TY_STR, t);
  if (fn->arg == TY_ANY && fn->shape != IXP_SHAPE_FIXED && fn->shape != IXP_SHAPE_POINTS) return numeric(t) || is_array(t);
  return ixp_type_fits(fn->arg, t);
}

static IxpType check_builtin(Checker *c, IxpAst *e, const IxpBuiltin *fn) {
  if (e->nitems < fn->min_args || e->nitems > fn->max_args) {
    char count[48];
    if (fn->max_args == fn->min_args) snprintf(count, sizeof count, "%d", fn->min_args);
    else snprintf(count, sizeof count, "%d to %d", fn->min_args, fn->max_args);
    ixp_check_error(c, e->span, "%s takes %s argument%s, not %d (%s)", fn->name, count,
          fn->min_args == 1 && fn->max_args == 1 ? "" : "s", e->nitems, fn->signature);
  }
  IxpType *types = ixp_arena_alloc(c->arena, (size_t)(e->nitems + 1) * sizeof *types);
  bool fits = e->nitems >= fn->min_args && e->nitems <= fn->max_args;
  for (int i = 0; i < e->nitems; i++) {
    IxpAst *arg = e->items[i];
    if (fn->shape != IXP_SHAPE_FILE) ixp_check_positional(c, fn->name, arg);
    IxpType t = types[i] = ixp_check_expr(c, arg->a);
    if (!argument_fits(fn, t, i)) {
      fits = false;
      ixp_check_error(c, arg->a->span, "%s needs a %s, not a %s", fn->signature,
                      fn->shape == IXP_SHAPE_FILE ? "string" : fn->arg == TY_ANY ? "number, vector or matrix"
                                                                                 : ixp_type_name(fn->arg),
                      ixp_type_name(t));
    }
  }
  e->sem.builtin = fn;
  return fits ? builtin_shape(c, e, fn, types) : fn->shape == IXP_SHAPE_FIXED ? fn->ret : TY_ANY;
}

void ixp_check_unknown_function(Checker *c, IxpAst *e) {
  char buf[96];
  IxpSuggest g = {e->str, NULL, 99};
  for (int i = 0; i < c->s->lib.nbuiltins; i++) ixp_suggest(&g, c->s->lib.builtins[i]->name);
  for (int i = 0; i < c->s->lib.nmeasures; i++) ixp_suggest(&g, c->s->lib.measures[i]->name);
  const IxpSymbol *sym = ixp_lookup(c->s, e->str);
  if (sym && sym->kind == SYM_MODEL)
    ixp_check_error(c, e->span, "'%s' is a model, not a function; measure it with 'in %s'", e->str, e->str);
  else if (ixp_library_distribution(&c->s->lib, e->str, e->nitems))
    ixp_check_error(c, e->span, "'%s' is a distribution: draw from it inside a model, as x ~ %s", e->str,
          ixp_library_distribution(&c->s->lib, e->str, e->nitems)->signature);
  else
    ixp_check_error(c, e->span, "unknown function '%s'%s", e->str, ixp_suggest_hint(buf, sizeof buf, &g));
}

static IxpType check_call(Checker *c, IxpAst *e) {
  const IxpSymbol *sym = ixp_lookup(c->s, e->str);
  if (sym && sym->kind == SYM_EXTERN) return ixp_check_extern_call(c, e, sym->ext);
  if (!strcmp(e->str, "matrix")) return ixp_check_matrix_call(c, e);  /* a dataset's rows (check_derive.c) */
  const IxpBuiltin *fn = ixp_library_builtin(&c->s->lib, e->str);
  if (fn) return check_builtin(c, e, fn);
  const IxpMeasure *m = ixp_library_measure(&c->s->lib, e->str);
  if (!m) {
    ixp_check_unknown_function(c, e);
    for (int i = 0; i < e->nitems; i++) ixp_check_expr(c, e->items[i]->a);
    return TY_ANY;
  }
  if (c->ctx == CTX_MODEL) {
    ixp_check_error(c, e->span, "measures cannot be used inside a model");
    return TY_NUM;
  }
  if (m->args == MEASURE_OVER_VARIABLES) {
    ixp_check_error(c, e->span, "%s needs a model: write %s in MODEL", m->name, m->signature);
    return TY_NUM;
  }
  ixp_check_model_call(c, e);
  return e->sem.plan ? e->sem.plan->type : TY_ANY;
}

/* record.field (fields known from the measure's plan when it is one),
 * table.column (a vector). */
static IxpType check_field(Checker *c, IxpAst *e) {
  IxpType t = ixp_check_expr(c, e->a);
  if (t == TY_TABLE) return TY_VEC;
  if (t == TY_ANY) return TY_ANY;
  if (t != TY_RECORD) {
    ixp_check_error(c, e->span, "a %s has no field '%s'", ixp_type_name(t), e->str);
    return TY_ANY;
  }
  const IxpPlan *plan = e->a->sem.plan;
  if (!plan || !plan->fields) return TY_ANY;
  char fields[512] = "";
  for (int i = 0; plan->fields[i]; i++) {
    if (!strcmp(plan->fields[i], e->str)) return TY_ANY;
    snprintf(fields + strlen(fields), sizeof fields - strlen(fields), "%s%s", i ? ", " : "", plan->fields[i]);
  }
  char buf[96];
  IxpSuggest g = {e->str, NULL, 99};
  for (int i = 0; plan->fields[i]; i++) ixp_suggest(&g, plan->fields[i]);
  ixp_check_error(c, e->span, "%s has no field '%s'%s; its fields: %s", plan->measure, e->str, ixp_suggest_hint(buf, sizeof buf, &g), fields);
  return TY_ANY;
}

static IxpType check_if(Checker *c, IxpAst *e) {
  ixp_check_number(c, e->a, ixp_check_expr(c, e->a), "an if-condition");
  IxpType a = ixp_check_expr(c, e->b), b = ixp_check_expr(c, e->c);
  if (a != TY_ANY && b != TY_ANY && a != b)
    ixp_check_error(c, e->span, "the branches of an if-expression differ: %s and %s", ixp_type_name(a), ixp_type_name(b));
  return a == TY_ANY ? b : a;
}

IxpType ixp_check_expr(Checker *c, IxpAst *e) {
  switch (e->kind) {
  case AST_NUM: return TY_NUM;
  case AST_STR: return ixp_check_string(c, e);
  case AST_NAME: return check_name(c, e);
  case AST_VEC: return check_vector(c, e);
  case AST_UNARY: return check_unary(c, e);
  case AST_BINARY: return check_binary(c, e);
  case AST_IF: return check_if(c, e);
  case AST_RANGE:
    ixp_check_number(c, e->a, ixp_check_expr(c, e->a), "a range");
    ixp_check_number(c, e->b, ixp_check_expr(c, e->b), "a range");
    if (e->c) ixp_check_number(c, e->c, ixp_check_expr(c, e->c), "a range's step");
    return TY_RANGE;
  case AST_CALL: return check_call(c, e);
  case AST_INDEX: return check_index(c, e);
  case AST_FIELD: return check_field(c, e);
  case AST_MEASURE: return ixp_check_measure(c, e);
  default:
    ixp_check_error(c, e->span, "not an expression");
    return TY_ANY;
  }
}

/* ------------------------------------------------------------ statements */

/* A --set value must have its let's type (a literal's type is plain;
 * anything else is left to run time). */
static void check_override(Checker *c, IxpAst *st, IxpType want) {
  IxpAst *value = st->sem.override;
  IxpType got = value->kind == AST_STR ? TY_STR : value->kind == AST_VEC ? TY_VEC : TY_ANY;
  if (value->kind == AST_NUM || (value->kind == AST_UNARY && value->a->kind == AST_NUM)) got = TY_NUM;
  if (want == TY_ANY || got == TY_ANY || want == got) return;
  ixp_diag_error(&c->s->diag, st->sem.override_src, value->span, "'%s' is a %s in the program, not a %s", st->str,
                 ixp_type_name(want), ixp_type_name(got));
  c->s->override_mismatch = true;
  c->errors++;
}

static void check_let(Checker *c, IxpAst *st) {
  IxpType t = ixp_check_expr(c, st->a);
  if (st->sem.override) check_override(c, st, t);
  IxpAst *value = st->sem.override ? st->sem.override : st->a;
  st->sem.rows = value->sem.rows, st->sem.cols = value->sem.cols;
  st->sem.constant = ixp_check_constant(c, value, &st->sem.value);
  if (st->c && t != TY_TABLE && t != TY_ANY)
    ixp_check_error(c, st->a->span, "a curve is a table: a measure over a vector of points (beta = [...]), not a %s", ixp_type_name(t));
  if (t == TY_MODEL) ixp_check_error(c, st->a->span, "a let binds a value, not a model; define models with 'model'");
  if (!ixp_check_redefinition(c, st->str, st->span)) return;
  const IxpSymbol *old = ixp_lookup(c->s, st->str);
  /* Re-running a let inside a sweep body, or redefining in the REPL,
   * reuses the slot so models that read it see the new value. Read old
   * before adding the new symbol: growing the table may move it. */
  int slot = old && old->kind == SYM_LET && (c->s->opt.repl || old->depth == c->depth) && !old->prelude
                 ? old->slot : new_global(c, st);
  if (old && old->kind == SYM_LET && slot == old->slot && old->decl != st && old->decl->kind == AST_LET &&
      old->decl->sem.fixes_model && !(st->sem.constant && st->sem.value == old->decl->sem.value))
    ixp_check_error(c, st->d->span, "'%s' fixes the size of a vector in model '%s' when it is checked, so it cannot be given another value",
                    st->str, old->decl->sem.fixes_model);
  if (old && old->kind == SYM_LET && slot == old->slot && old->decl->kind == AST_LET)
    st->sem.fixes_model = old->decl->sem.fixes_model;  /* the slot, and what it fixed, carry over */
  IxpSymbol *sym = ixp_check_add_symbol(c, SYM_LET, st->str, st);
  sym->slot = slot;
  sym->type = t;
  st->sem.slot = sym->slot;
}

static void check_units(Checker *c, IxpAst *st) {
  if (strcmp(st->str, "bits") && strcmp(st->str, "nats")) {
    char buf[96];
    IxpSuggest g = {st->str, NULL, 99};
    ixp_suggest(&g, "bits");
    ixp_suggest(&g, "nats");
    ixp_check_error(c, st->span, "units are 'bits' or 'nats', not '%s'%s", st->str, ixp_suggest_hint(buf, sizeof buf, &g));
  }
}

static void check_expect(Checker *c, IxpAst *st) {
  IxpAst *e = st->a;
  bool cmp = e->kind == AST_BINARY && (e->op == OP_EQ || e->op == OP_LE || e->op == OP_GE ||
                                       e->op == OP_LT || e->op == OP_GT);
  if (!cmp) {
    ixp_check_error(c, e->span, "expect needs a comparison: A == B within TOL, A <= B, A >= B, A < B or A > B");
    ixp_check_expr(c, e);
  } else {
    check_binary(c, e);
  }
  if (st->b) {
    ixp_check_number(c, st->b, ixp_check_expr(c, st->b), "a tolerance");
    IxpAst *t = st->b;
    bool negative = (t->kind == AST_NUM && t->num < 0) ||
                    (t->kind == AST_UNARY && t->op == OP_NEG && t->a->kind == AST_NUM && t->a->num > 0);
    if (negative) ixp_check_error(c, t->span, "a tolerance cannot be negative");
  }
}

static void check_sweep(Checker *c, IxpAst *st) {
  IxpType t = ixp_check_expr(c, st->a);
  if (t != TY_RANGE && t != TY_VEC && t != TY_ANY)
    ixp_check_error(c, st->a->span, "a sweep runs over a range (a .. b step s) or a vector, not a %s", ixp_type_name(t));
  if (st->c && !ixp_type_fits(TY_STR, ixp_check_expr(c, st->c)))
    ixp_check_error(c, st->c->span, "a sweep writes to a file named by a string");
  const IxpSymbol *old = ixp_lookup(c->s, st->str);
  if (old && old->kind == SYM_MODEL) ixp_check_error(c, st->d->span, "'%s' is a model and cannot be swept", st->str);
  if (old && old->kind == SYM_LET && old->decl->kind == AST_LET && old->decl->sem.fixes_model)
    ixp_check_error(c, st->d->span, "'%s' fixes the size of a vector in model '%s' when the program is checked, so a sweep cannot change it",
                    st->str, old->decl->sem.fixes_model);
  int nsyms = c->s->nsyms;
  c->depth++;
  c->sweeps++;
  /* Sweeping an existing let rebinds it, so models reading it follow
   * (old read before the add, which may move it). */
  int slot = old && old->kind == SYM_LET ? old->slot : new_global(c, st);
  IxpSymbol *sym = ixp_check_add_symbol(c, SYM_LET, st->str, st);
  sym->slot = slot;
  sym->type = TY_NUM;
  st->sem.slot = sym->slot;
  ixp_check_block(c, st->b);
  c->sweeps--;
  c->depth--;
  ixp_symbols_pop_to(c->s, nsyms);  /* names defined in the body end with it */
  if (st->nitems && ixp_check_redefinition(c, st->items[0]->str, st->items[0]->span)) {  /* `as NAME` */
    IxpSymbol *table = ixp_check_add_symbol(c, SYM_LET, st->items[0]->str, st->items[0]);
    const IxpSymbol *prev = ixp_lookup(c->s, st->items[0]->str);
    table->slot = c->s->opt.repl && prev != table && prev && prev->kind == SYM_LET ? prev->slot : new_global(c, st->items[0]);
    table->type = TY_TABLE;
    st->items[0]->sem.slot = table->slot;
  }
}

/* Option i of a plot's `with` list: a known name, given once, with a
 * value of its kind (plot_series.h). */
static void check_plot_option(Checker *c, const IxpAst *opts, int i) {
  const IxpAst *opt = opts->items[i];
  IxpAst *v = opt->a;
  IxpPlotOptKind kind;
  if (!ixp_plot_option_kind(opt->str, &kind)) {
    ixp_check_error(c, opt->span, "plot has no option '%s' (its options: %s)", opt->str, ixp_plot_option_list);
    return;
  }
  for (int j = 0; j < i; j++)
    if (!strcmp(opts->items[j]->str, opt->str)) ixp_check_error(c, opt->span, "plot option '%s' is given twice", opt->str);
  if (kind == PLOT_OPT_FLAG || kind == PLOT_OPT_SIZE) {
    if (!ixp_type_fits(TY_NUM, ixp_check_expr(c, v)))
      ixp_check_error(c, v->span, "plot option '%s' is a number (%s)", opt->str, kind == PLOT_OPT_FLAG ? "0 or 1" : "of pixels");
    return;
  }
  bool list = kind == PLOT_OPT_COLUMNS && v->kind == AST_VEC;
  for (int k = 0; k < (list ? v->nitems : 1); k++) {
    IxpAst *e = list ? v->items[k] : v;
    if (!ixp_type_fits(TY_STR, ixp_check_expr(c, e)))
      ixp_check_error(c, e->span, "plot option '%s' is %s", opt->str,
                      kind == PLOT_OPT_TEXT ? "a string" : kind == PLOT_OPT_COLUMN ? "a column's name (a string)"
                                                                                  : "a column's name or a list of them, [\"a\", \"b\"]");
  }
}

static void check_plot(Checker *c, IxpAst *st) {
  for (int i = 0; i < st->nitems; i++) {
    IxpAst *e = st->items[i]->kind == AST_AS ? st->items[i]->a : st->items[i];
    IxpType t = ixp_check_expr(c, e);
    if (t != TY_TABLE && t != TY_ANY)
      ixp_check_error(c, e->span, "plot draws tables (curves, a sweep kept with 'as NAME'), not a %s", ixp_type_name(t));
  }
  if (!ixp_type_fits(TY_STR, ixp_check_expr(c, st->c))) ixp_check_error(c, st->c->span, "plot writes to a file named by a string (.svg or .png)");
  for (int i = 0; st->d && i < st->d->nitems; i++) check_plot_option(c, st->d, i);
}

static void check_stmt(Checker *c, IxpAst *st) {
  switch (st->kind) {
  case AST_EXPERIMENT:
    if (!ixp_type_fits(TY_STR, ixp_check_expr(c, st->a))) ixp_check_error(c, st->a->span, "an experiment's name is a string");
    break;
  case AST_SEED: ixp_check_number(c, st->a, ixp_check_expr(c, st->a), "a seed"); break;
  case AST_UNITS: check_units(c, st); break;
  case AST_LET: check_let(c, st); break;
  case AST_MODEL: ixp_check_model(c, st); break;
  case AST_PROCESS: ixp_check_process(c, st); break;
  case AST_DATA: ixp_check_data(c, st); break;
  case AST_EXTERN: ixp_check_extern(c, st); break;
  case AST_PRINT:
    for (int i = 0; i < st->nitems; i++) ixp_check_expr(c, st->items[i]->kind == AST_AS ? st->items[i]->a : st->items[i]);
    if (st->b) ixp_check_number(c, st->b, ixp_check_expr(c, st->b), "a tolerance");
    break;
  case AST_EMIT:
    if (!c->sweeps) ixp_check_error(c, st->span, "emit writes a row of a sweep's table and belongs inside a sweep");
    for (int i = 0; i < st->nitems; i++) {
      IxpAst *e = st->items[i]->kind == AST_AS ? st->items[i]->a : st->items[i];
      IxpType t = ixp_check_expr(c, e);
      if (t != TY_NUM && t != TY_STR && t != TY_VEC && t != TY_ANY)
        ixp_check_error(c, e->span, "emit writes numbers, strings and vectors (one row per element), not a %s",
                        ixp_type_name(t));
    }
    break;
  case AST_EXPECT: check_expect(c, st); break;
  case AST_SWEEP: check_sweep(c, st); break;
  case AST_PLOT: check_plot(c, st); break;
  case AST_EXPR_STMT: ixp_check_expr(c, st->a); break;
  case AST_DRAW:
    ixp_check_error(c, st->span, "a draw (%s ~ ...) belongs inside a model", st->items[0]->str);
    break;
  case AST_DEFINE:
    ixp_check_error(c, st->span, "'%s = ...' defines a model variable; outside a model write 'let %s = ...'", st->str, st->str);
    ixp_check_expr(c, st->a);
    break;
  default: ixp_check_error(c, st->span, "unexpected statement"); break;
  }
}

void ixp_check_block(Checker *c, IxpAst *block) {
  for (int i = 0; i < block->nitems; i++) check_stmt(c, block->items[i]);
}

int ixp_check_program(IxpSession *s, IxpAst *program, const IxpSource *src, IxpArena *arena) {
  Checker c = {.s = s, .src = src, .arena = arena};
  ixp_check_block(&c, program);
  return c.errors;
}
