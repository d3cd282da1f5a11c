/* check_derive.c — datasets made from other datasets and from matrices:
 * join(a, b), column selection d[x0 .. x3, y], rename(d, old = "new"),
 * rows(M), and the matrix of a dataset's rows, matrix(d).
 *
 * Each derived column records where it comes from (IxpColumnFrom), so the
 * rows are copied when the statement runs (data.c) and the checker knows
 * every column's name and kind before anything runs. */
#include <stdio.h>
#include <string.h>

#include "checker.h"
#include "data.h"
#include "interpolate.h"

/* The dataset argument i of call names, or NULL after an error. */
static IxpModelDef *dataset_arg(Checker *c, IxpAst *call, int i) {
  if (i >= call->nitems || call->items[i]->str || call->items[i]->a->kind != AST_NAME) {
    ixp_check_error(c, i < call->nitems ? call->items[i]->span : call->span, "%s needs a dataset's name here", call->str);
    return NULL;
  }
  IxpAst *name = call->items[i]->a;
  const IxpSymbol *sym = ixp_lookup(c->s, name->str);
  if (!sym || sym->kind != SYM_MODEL || !sym->model->data) {
    ixp_check_error(c, name->span, "'%s' is not a dataset (%s works on datasets made with 'data')", name->str, call->str);
    return NULL;
  }
  return sym->model;
}

/* A dataset model for `st` with room for n columns, each to be added. */
static IxpModelDef *derived(Checker *c, IxpAst *st, int n) {
  if (n > IXP_MAX_VARS) {
    ixp_check_error(c, st->span, "dataset '%s' would have %d columns; a dataset holds at most %d", st->str, n, IXP_MAX_VARS);
    return NULL;
  }
  IxpModelDef *m = ixp_check_data_model(c, st, NULL);
  ixp_model_reserve(m, c->arena, n > 0 ? n : 1);
  m->data->from = ixp_arena_alloc(c->arena, (size_t)(n > 0 ? n : 1) * sizeof *m->data->from);
  return m;
}

/* The name a column or group would clash with in m: a column or a group
 * of that name. */
static bool taken(const IxpModelDef *m, const char *name) {
  return ixp_model_var(m, name) >= 0 || ixp_model_group(m, name) >= 0;
}

/* Column v of `src` becomes the next column of m, called `name`. */
static void add_column(IxpModelDef *m, IxpModelDef *src, int v, const char *name) {
  int k = m->nvars++;
  m->vars[k] = (IxpModelVar){.name = name, .kind = VAR_COLUMN, .decl = m->decl};
  m->order[k] = k;
  m->continuous[k] = src->continuous[v];
  m->has_continuous |= m->continuous[k];
  m->data->from[k] = (IxpColumnFrom){src, v};
}

/* ------------------------------------------------------------------ join */

/* join(a, b, ...): the columns of each, side by side, row by row. */
static IxpModelDef *check_join(Checker *c, IxpAst *st, IxpAst *call) {
  IxpModelDef *srcs[16];
  int n = 0, width = 0;
  if (call->nitems < 2 || call->nitems > 16) {
    ixp_check_error(c, call->span, "join takes 2 to 16 datasets: join(a, b)");
    return NULL;
  }
  for (int i = 0; i < call->nitems; i++) {
    ixp_check_positional(c, "join", call->items[i]);
    if (!(srcs[n] = dataset_arg(c, call, i))) return NULL;
    width += srcs[n++]->nvars;
  }
  IxpModelDef *m = derived(c, st, width);
  if (!m) return NULL;
  for (int i = 0; i < n; i++) {
    int first = m->nvars;
    for (int v = 0; v < srcs[i]->nvars; v++) {
      const char *name = srcs[i]->vars[v].name;
      if (ixp_model_var(m, name) >= 0) {
        ixp_check_error(c, call->items[i]->span, "column '%s' is in '%s' and in an earlier dataset of this join: keep "
                        "other columns (data %s2 = %s[...]) or rename it first (data %s2 = rename(%s, %s = \"%s_%s\"))",
                        name, srcs[i]->name, srcs[i]->name, srcs[i]->name, srcs[i]->name, srcs[i]->name, name, name,
                        srcs[i]->name);
        return NULL;
      }
      add_column(m, srcs[i], v, name);
    }
    for (int g = 0; g < srcs[i]->ngroups; g++) {
      const IxpVarGroup *grp = &srcs[i]->groups[g];
      if (ixp_model_group(m, grp->name) >= 0) {
        ixp_check_error(c, call->items[i]->span, "group '%s' is in '%s' and in an earlier dataset of this join: rename "
                        "it first (data %s2 = rename(%s, %s = \"%s_%s\"))", grp->name, srcs[i]->name, srcs[i]->name,
                        srcs[i]->name, grp->name, grp->name, srcs[i]->name);
        return NULL;
      }
      ixp_model_add_group(m, c->arena, grp->name, first + grp->first, grp->count);
    }
  }
  return m;
}

/* -------------------------------------------------------------- selection */

/* The columns of `src` a selection item names, into vars (room for
 * src->nvars): a column, a group, a numbered range x0 .. x3, or a group's
 * components x[2] / x[0 .. 3]. Returns their number, -1 after an error;
 * *group is set when the item is a whole group. */
static int item_columns(Checker *c, IxpModelDef *src, IxpAst *e, int *vars, const IxpVarGroup **group) {
  *group = NULL;
  if (e->kind == AST_RANGE) return ixp_check_range(c, src, e, vars);
  if (e->kind == AST_NAME) {
    int v = ixp_model_var(src, e->str), g = ixp_model_group(src, e->str);
    if (v >= 0) {
      vars[0] = v;
      return 1;
    }
    if (g >= 0) {
      *group = &src->groups[g];
      for (int i = 0; i < src->groups[g].count; i++) vars[i] = src->groups[g].first + i;
      return src->groups[g].count;
    }
  }
  if (e->kind == AST_INDEX && e->a->kind == AST_NAME && ixp_model_group(src, e->a->str) >= 0) {
    const IxpVarGroup *grp = &src->groups[ixp_model_group(src, e->a->str)];
    const IxpAst *lo = e->b->kind == AST_RANGE ? e->b->a : e->b, *hi = e->b->kind == AST_RANGE ? e->b->b : e->b;
    if (lo->kind != AST_NUM || hi->kind != AST_NUM || (e->b->kind == AST_RANGE && e->b->c)) {
      ixp_check_error(c, e->b->span, "a group's components are selected by whole numbers: %s[2], %s[0 .. 3]", grp->name,
                      grp->name);
      return -1;
    }
    if (!(lo->num >= 0 && lo->num <= hi->num && hi->num < grp->count && lo->num == (int)lo->num && hi->num == (int)hi->num)) {
      ixp_check_error(c, e->b->span, "'%s' has components 0 .. %d", grp->name, grp->count - 1);
      return -1;
    }
    for (int i = (int)lo->num; i <= (int)hi->num; i++) vars[i - (int)lo->num] = grp->first + i;
    return (int)hi->num - (int)lo->num + 1;
  }
  char buf[96];
  IxpSuggest g = {e->kind == AST_NAME ? e->str : "", NULL, 99};
  for (int i = 0; e->kind == AST_NAME && i < src->nvars; i++) ixp_suggest(&g, src->vars[i].name);
  ixp_check_error(c, e->span, "%s '%s' has no column or group '%.*s'%s", "dataset", src->name,
                  (int)(e->span.end - e->span.start), c->src->text + e->span.start, ixp_suggest_hint(buf, sizeof buf, &g));
  return -1;
}

/* d[x0 .. x3, y] (also written select(d, x0 .. x3, y)): those columns, in
 * that order; a whole group keeps its name. */
static IxpModelDef *check_select(Checker *c, IxpAst *st, IxpAst *call) {
  IxpModelDef *src = dataset_arg(c, call, 0);
  if (!src) return NULL;
  if (call->nitems < 2) {
    ixp_check_error(c, call->span, "name the columns to keep: %s[x, y0 .. y3]", src->name);
    return NULL;
  }
  int *vars = ixp_arena_alloc(c->arena, (size_t)src->nvars * sizeof *vars), total = 0;
  for (int i = 1; i < call->nitems; i++) {
    const IxpVarGroup *g;
    int n = item_columns(c, src, call->items[i]->a, vars, &g);
    if (n < 0) return NULL;
    total += n;
  }
  IxpModelDef *m = derived(c, st, total);
  if (!m) return NULL;
  for (int i = 1; i < call->nitems; i++) {
    const IxpVarGroup *g;
    int first = m->nvars, n = item_columns(c, src, call->items[i]->a, vars, &g);
    for (int k = 0; k < n; k++) {
      if (ixp_model_var(m, src->vars[vars[k]].name) >= 0) {
        ixp_check_error(c, call->items[i]->span, "column '%s' is selected twice", src->vars[vars[k]].name);
        return NULL;
      }
      add_column(m, src, vars[k], src->vars[vars[k]].name);
    }
    if (g) ixp_model_add_group(m, c->arena, g->name, first, n);
  }
  return m;
}

int ixp_check_columns(Checker *c, IxpModelDef *m, IxpAst *e, int *vars) {
  const IxpVarGroup *g;
  return item_columns(c, m, e, vars, &g);
}

/* ---------------------------------------------------------------- rename */

/* The new name of column or group `name` in rename(d, old = "new", ...),
 * or NULL when it keeps its name. */
static const char *new_name(IxpAst *call, const char *name) {
  for (int i = 1; i < call->nitems; i++)
    if (call->items[i]->str && !strcmp(call->items[i]->str, name)) return call->items[i]->a->str;
  return NULL;
}

/* The name component k of a group renamed `to` gets: to[k]. */
static const char *component_name(Checker *c, const char *to, int k) {
  char buf[160];
  snprintf(buf, sizeof buf, "%s[%d]", to, k);
  return ixp_arena_strndup(c->arena, buf, strlen(buf));
}

/* rename(d, old = "new", ...): d's columns, those named (or a group and its
 * components) under their new names. */
static IxpModelDef *check_rename(Checker *c, IxpAst *st, IxpAst *call) {
  IxpModelDef *src = dataset_arg(c, call, 0);
  if (!src) return NULL;
  for (int i = 1; i < call->nitems; i++) {
    IxpAst *arg = call->items[i];
    if (!arg->str || arg->a->kind != AST_STR || arg->a->nitems || !*arg->a->str) {
      ixp_check_error(c, arg->span, "rename takes old = \"new\": a column or group, and its new name as a string");
      return NULL;
    }
    if (!taken(src, arg->str)) {
      ixp_check_error(c, arg->span, "dataset '%s' has no column or group '%s'", src->name, arg->str);
      return NULL;
    }
  }
  IxpModelDef *m = derived(c, st, src->nvars);
  if (!m) return NULL;
  for (int v = 0; v < src->nvars; v++) {
    const char *to = new_name(call, src->vars[v].name);
    for (int g = 0; !to && g < src->ngroups; g++) {
      const IxpVarGroup *grp = &src->groups[g];
      const char *gto = new_name(call, grp->name);
      if (gto && v >= grp->first && v < grp->first + grp->count) to = component_name(c, gto, v - grp->first);
    }
    add_column(m, src, v, to ? to : src->vars[v].name);
  }
  for (int g = 0; g < src->ngroups; g++) {
    const char *to = new_name(call, src->groups[g].name);
    ixp_model_add_group(m, c->arena, to ? to : src->groups[g].name, src->groups[g].first, src->groups[g].count);
  }
  for (int v = 0; v < m->nvars; v++)  /* a new name may not meet another column's */
    for (int u = 0; u < v; u++)
      if (!strcmp(m->vars[u].name, m->vars[v].name)) {
        ixp_check_error(c, call->span, "after renaming, two columns of '%s' are called '%s'", st->str, m->vars[v].name);
        return NULL;
      }
  return m;
}

/* ------------------------------------------------------------------ rows */

/* The number of columns of matrix expression e when the checker can tell
 * (its shape is known: a literal, eye(3), a let bound to one, ...); -1
 * otherwise. */
static int known_width(const IxpAst *e) {
  int rows, cols;
  ixp_check_shape(e, &rows, &cols);  /* the width may be known when the rows are not */
  return cols > 0 ? cols : -1;
}

/* rows(M): one row per row of matrix M, columns NAME[0] .. NAME[w-1] in
 * a group NAME (or named by columns = ["a", ...]). */
static IxpModelDef *check_rows(Checker *c, IxpAst *st, IxpAst *call) {
  if (call->nitems < 1 || call->items[0]->str || call->nitems > 2 ||
      (call->nitems == 2 && (!call->items[1]->str || strcmp(call->items[1]->str, "columns") ||
                             call->items[1]->a->kind != AST_VEC))) {
    ixp_check_error(c, call->span, "rows takes a matrix and, if you like, its columns' names: rows(M, columns = [\"a\", \"b\"])");
    return NULL;
  }
  IxpAst *mat = call->items[0]->a, *names = call->nitems == 2 ? call->items[1]->a : NULL;
  IxpType t = ixp_check_expr(c, mat);
  if (t != TY_MAT && t != TY_ANY) {
    ixp_check_error(c, mat->span, "rows makes a dataset of a matrix's rows, not of a %s", ixp_type_name(t));
    return NULL;
  }
  int width = names ? names->nitems : known_width(mat);
  if (width > IXP_MAX_VARS) {
    ixp_check_error(c, mat->span, "dataset '%s' would have %d columns; a dataset holds at most %d", st->str, width, IXP_MAX_VARS);
    return NULL;
  }
  if (width < 1) {
    ixp_check_error(c, mat->span, "the checker cannot tell how many columns this matrix has: name them, as "
                    "rows(M, columns = [\"a\", \"b\"])");
    return NULL;
  }
  IxpModelDef *m = ixp_check_data_model(c, st, NULL);
  ixp_model_reserve(m, c->arena, width);
  for (int k = 0; k < width; k++) {
    const char *name = names ? names->items[k]->str : component_name(c, st->str, k);
    if (names && (names->items[k]->kind != AST_STR || names->items[k]->nitems)) {
      ixp_check_error(c, names->items[k]->span, "column names are strings");
      return NULL;
    }
    if (ixp_model_var(m, name) >= 0) {
      ixp_check_error(c, names->items[k]->span, "column '%s' is named twice", name);
      return NULL;
    }
    m->vars[k] = (IxpModelVar){.name = name, .kind = VAR_COLUMN, .decl = st};
    m->order[k] = k;
    m->continuous[k] = m->has_continuous = true;
    m->nvars++;
  }
  if (!names) ixp_model_add_group(m, c->arena, st->str, 0, width);
  m->data->matrix = mat;
  return m;
}

IxpModelDef *ixp_check_derived(Checker *c, IxpAst *st) {
  IxpAst *call = st->a;
  if (!strcmp(call->str, "join")) return check_join(c, st, call);
  if (!strcmp(call->str, "select")) return check_select(c, st, call);
  if (!strcmp(call->str, "rename")) return check_rename(c, st, call);
  if (!strcmp(call->str, "rows")) return check_rows(c, st, call);
  return NULL;
}

bool ixp_check_derived_kind(const char *name) {
  return !strcmp(name, "join") || !strcmp(name, "select") || !strcmp(name, "rename") || !strcmp(name, "rows");
}

/* ---------------------------------------------------------------- matrix */

IxpType ixp_check_matrix_call(Checker *c, IxpAst *e) {
  if (e->nitems != 1 || e->items[0]->str || e->items[0]->a->kind != AST_NAME) {
    ixp_check_error(c, e->span, "matrix takes one dataset: matrix(d) (select columns first: data s = d[x, y])");
    return TY_MAT;
  }
  IxpModelDef *d = dataset_arg(c, e, 0);
  if (!d) return TY_MAT;
  if (c->ctx == CTX_MODEL) ixp_check_error(c, e->span, "a dataset's matrix cannot be used inside a model");
  e->sem.ref = REF_MODEL;
  e->sem.model = d;
  e->sem.cols = d->nvars;  /* its width is known; its rows are not until it runs */
  return TY_MAT;
}
