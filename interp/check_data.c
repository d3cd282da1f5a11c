/* check_data.c — data statements: csv, npy, sample and map datasets,
 * checked before anything runs.
 *
 * What the checker reads of a file is what it needs to type the columns.
 * A CSV column is an integer, real or string column according to every
 * one of its values, so a CSV file is read whole, once: the dataset keeps
 * the columns read. A .npy file's header (dtype, shape) types its columns,
 * so only the header is read here; the values are read and checked after
 * the whole chunk has checked and before it runs (ixp_data_load). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checker.h"
#include "data.h"
#include "externs.h"
#include "interp.h"
#include "interpolate.h"
#include "linear.h"
#include "rng.h"

/* ------------------------------------------------------------------ data */

/* A file named in a data statement, relative to the running file's folder. */
char *ixp_check_path(Checker *c, const char *name) { return ixp_program_path(c->src, name, c->arena); }

/* The name of the file a csv() or npy() reads: a string known when the
 * program is checked (the columns are read then), or NULL after an
 * error. */
static const char *file_name(Checker *c, IxpAst *call) {
  if (call->nitems < 1 || call->items[0]->str) {
    ixp_check_error(c, call->span, "%s needs the file name first", call->str);
    return NULL;
  }
  IxpAst *e = call->items[0]->a;
  int errors = c->errors;
  if (!ixp_type_fits(TY_STR, ixp_check_expr(c, e))) {
    ixp_check_error(c, e->span, "a file name is a string");
    return NULL;
  }
  if (c->errors > errors) return NULL;  /* reported in the name */
  const char *name = ixp_check_const_string(c, e);
  if (!name)
    ixp_check_error(c, e->span, "the file's columns are read when the program is checked, so its name must be known "
                    "then: a string whose names in braces are sweep variables or lets of constants");
  return name;
}

static void free_data(void *d) { ixp_data_free(d); }

/* csv(...)'s options, kept (in the arena) for a file read again on every
 * pass of a sweep. */
static IxpCsvOptions *csv_options(Checker *c, IxpAst *call) {
  IxpCsvOptions *opt = ixp_arena_alloc(c->arena, sizeof *opt);
  memset(opt, 0, sizeof *opt);
  for (int i = 1; i < call->nitems; i++) {
    IxpAst *arg = call->items[i], *v = arg->a;
    if (!arg->str) ixp_check_error(c, arg->span, "csv options are named: delimiter, header, columns, strings");
    else if (!strcmp(arg->str, "delimiter") && v->kind == AST_STR && strlen(v->str) == 1) opt->delimiter = v->str[0];
    else if (!strcmp(arg->str, "header") && v->kind == AST_NUM) opt->no_header = v->num == 0;
    else if (!strcmp(arg->str, "trials") && v->kind == AST_STR) opt->trials = v->str;
    else if ((!strcmp(arg->str, "columns") || !strcmp(arg->str, "strings")) && v->kind == AST_VEC) {
      bool sel = !strcmp(arg->str, "columns");
      const char **names = ixp_arena_alloc(c->arena, (size_t)(v->nitems + 1) * sizeof *names);
      for (int k = 0; k < v->nitems; k++) {
        if (v->items[k]->kind != AST_STR) ixp_check_error(c, v->items[k]->span, "column names are strings");
        names[k] = v->items[k]->str;
      }
      if (sel) opt->select = names, opt->nselect = v->nitems;
      else opt->as_string = names, opt->nas_string = v->nitems;
    } else ixp_check_error(c, arg->span, "csv options: delimiter = \";\", header = 0, columns = [\"a\", ...], strings = [\"b\", ...], "
                                  "trials = \"trial\"");
  }
  return opt;
}

static IxpDataset *load_csv(Checker *c, IxpAst *call, const IxpCsvOptions *opt, const char *path) {
  IxpDataset *set = NULL;
  IxpDataError err = {0};
  if (!ixp_csv_load(path, opt, &set, &err)) {
    ixp_check_error(c, call->span, "%s", err.message);
    return NULL;
  }
  return set;
}

/* A model of the dataset's columns: those of `set` (a file, its values
 * still to be read when header_only) or the variables of `sampled`. */
static IxpModelDef *data_model(Checker *c, IxpAst *st, IxpDataset *set, bool header_only, IxpModelDef *sampled) {
  IxpModelDef *m = ixp_arena_alloc(c->arena, sizeof *m);
  m->name = st->str;
  m->decl = st;
  m->src = c->src;
  int n = set ? set->ncols : sampled ? sampled->nvars : 0;  /* any number: map steps and derived datasets add theirs */
  ixp_model_reserve(m, c->arena, n);
  m->data = ixp_arena_alloc(c->arena, sizeof *m->data);
  ixp_data_attach(m->data, set, header_only);
  m->data->model = sampled;
  m->data->position = ixp_rng_name(c->src->text + st->span.start, st->span.end - st->span.start);
  ixp_arena_defer(c->arena, free_data, m->data);
  for (int v = 0; v < n; v++) {
    const char *name = set ? ixp_arena_strndup(c->arena, set->cols[v].name, strlen(set->cols[v].name)) : sampled->vars[v].name;
    m->vars[v] = (IxpModelVar){.name = name, .kind = VAR_COLUMN, .decl = st};
    m->order[v] = v;
    m->continuous[v] = set ? set->cols[v].kind == IXP_COL_REAL : sampled->continuous[v];
    m->has_continuous |= m->continuous[v];
  }
  m->nvars = n;
  for (int g = 0; sampled && g < sampled->ngroups; g++)  /* a sample keeps the model's vector variables */
    if (sampled->groups[g].first + sampled->groups[g].count <= n)
      ixp_model_add_group(m, c->arena, sampled->groups[g].name, sampled->groups[g].first, sampled->groups[g].count);
  return m;
}

/* data NAME = csv("file.csv", ...) | npy("file.npy") | sample(MODEL, n) */
void ixp_check_data(Checker *c, IxpAst *st) {
  IxpAst *call = st->a;
  IxpModelDef *m = NULL;
  if (!strcmp(call->str, "csv") || !strcmp(call->str, "npy")) {
    bool csv = !strcmp(call->str, "csv");
    const char *name = file_name(c, call);
    IxpCsvOptions *opt = csv ? csv_options(c, call) : NULL;
    if (!name) return;
    char *path = ixp_check_path(c, name);
    IxpDataset *set = NULL;
    if (csv) set = load_csv(c, call, opt, path);
    else {
      IxpDataError err = {0};
      if (call->nitems > 1) ixp_check_error(c, call->items[1]->span, "npy takes only the file name");
      else if (!ixp_npy_load_header(path, st->str, &set, &err)) ixp_check_error(c, call->span, "%s", err.message);
    }
    if (!set) return;
    ixp_session_input(c->s, "data", path);
    m = data_model(c, st, set, !csv, NULL);
    if (!csv && m->nvars && strchr(m->vars[0].name, '['))  /* a 2-D array: columns NAME[0] .. in group NAME */
      ixp_model_add_group(m, c->arena, st->str, 0, m->nvars);
    if (c->sweeps) {  /* read again on every pass, its name computed then */
      m->data->file = call->items[0]->a;
      m->data->csv = opt;
    }
  } else if (ixp_check_derived_kind(call->str)) {
    if (!(m = ixp_check_derived(c, st))) return;
  } else if (!strcmp(call->str, "map")) {
    if (!(m = ixp_check_map(c, st))) return;
  } else if (!strcmp(call->str, "sample")) {
    const IxpSymbol *sym = call->nitems >= 1 && call->items[0]->a->kind == AST_NAME ? ixp_lookup(c->s, call->items[0]->a->str) : NULL;
    if (sym && sym->kind == SYM_MODEL && sym->model->process) {  /* steps of a process (check_process.c) */
      if (!(m = ixp_check_process_sample(c, st, sym->model))) return;
    } else {
      if (call->nitems != 2 || call->items[0]->str || call->items[1]->str) {
        ixp_check_error(c, call->span, "sample takes a model and a size: sample(MODEL, n)");
        return;
      }
      if (!sym || sym->kind != SYM_MODEL || sym->model->data) {
        ixp_check_error(c, call->items[0]->span, "sample draws from a model defined with 'model'");
        return;
      }
      if (sym->model->table) {  /* its rows are its outcomes: there is nothing to draw */
        ixp_check_error(c, call->items[0]->span, "sample draws from a model with draws; '%s' is a table, measured exactly",
                        sym->model->name);
        return;
      }
      ixp_check_number(c, call->items[1]->a, ixp_check_expr(c, call->items[1]->a), "a sample size");
      for (int p = 0; p < sym->model->nparams; p++)
        if (!sym->model->params[p]->a) ixp_check_error(c, call->items[0]->span, "model '%s' needs a value for its parameter '%s'",
                                             sym->model->name, sym->model->params[p]->str);
      m = data_model(c, st, NULL, false, sym->model);
      m->data->count = call->items[1]->a;
    }
  } else {
    ixp_check_error(c, call->span, "a dataset comes from csv(\"file.csv\"), npy(\"file.npy\"), sample(MODEL, n), map(DATA, f(...)), "
                    "join(a, b), DATA[columns], rename(DATA, old = \"new\") or rows(MATRIX)");
    return;
  }
  if (!ixp_check_redefinition(c, st->str, st->span)) return;
  IxpSymbol *sym = ixp_check_add_symbol(c, SYM_MODEL, st->str, st);
  sym->model = m;
  sym->type = TY_MODEL;
  st->sem.model = m;
}

IxpModelDef *ixp_check_data_model(Checker *c, IxpAst *st, IxpModelDef *source) {
  return data_model(c, st, NULL, false, source);
}

