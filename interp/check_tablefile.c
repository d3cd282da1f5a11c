/* check_tablefile.c — table models read from a file:
 *
 *   model p = table from csv("pmf.csv", prob = "p")
 *   model q = table from npy("pmf.npy", columns = ["x", "y"])
 *
 * The file is read when the program is checked and checked as a written
 * table is when it runs (values finite, probabilities in [0, 1] summing to
 * 1 within 1e-9, never normalised, no repeated outcome), but with errors
 * naming the file, the row and the column. Its rows then become the
 * table's rows (AST_ROW of numbers), so a file table is measured exactly
 * as the same table written out. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checker.h"
#include "dataset.h"
#include "interpolate.h"
#include "ksum.h"

/* What the file gave: n rows of k values and a probability each. */
typedef struct {
  const IxpDataset *set;
  int k;               /* value columns */
  int *cols;           /* their indices in set */
  int prob;            /* the probability column's index */
  bool header;         /* CSV: row 1 is the header */
} TableFile;

/* The file's row of data row i, as its reader counts rows. */
static long file_row(const TableFile *t, long i) { return i + (t->header ? 2 : 1); }

static double cell(const TableFile *t, long i, int col) { return t->set->cols[col].value[i]; }

static bool check_values(Checker *c, IxpAst *call, const TableFile *t) {
  for (long i = 0; i < t->set->nrows; i++)
    for (int j = 0; j <= t->k; j++) {
      int col = j < t->k ? t->cols[j] : t->prob;
      double x = cell(t, i, col);
      if (!isfinite(x)) {
        ixp_check_error(c, call->span, "%s: row %ld, column '%s' is %s", t->set->path, file_row(t, i),
                        t->set->cols[col].name, isnan(x) ? "NaN" : "infinite");
        return false;
      }
      if (j == t->k && !(x >= 0 && x <= 1)) {
        char num[32];
        ixp_format_num(num, sizeof num, x, -1);
        ixp_check_error(c, call->span, "%s: row %ld, column '%s': probability %s is not a number in [0, 1]",
                        t->set->path, file_row(t, i), t->set->cols[col].name, num);
        return false;
      }
    }
  IxpKSum sum = {0, 0};  /* as the table's rows are summed when it runs */
  for (long i = 0; i < t->set->nrows; i++) ixp_ksum_add(&sum, cell(t, i, t->prob));
  double total = ixp_ksum_value(sum);
  if (fabs(total - 1) > 1e-9) {
    char num[32];
    ixp_format_num(num, sizeof num, total, -1);
    ixp_check_error(c, call->span, "%s: the probabilities in column '%s' sum to %s, not 1 (they are not normalised "
                    "for you)", t->set->path, t->set->cols[t->prob].name, num);
    return false;
  }
  return true;
}

/* Rows in order of their values, for finding a repeated outcome. */
static const TableFile *sorting;

static int compare_rows(const void *pa, const void *pb) {
  long a = *(const long *)pa, b = *(const long *)pb;
  for (int j = 0; j < sorting->k; j++) {
    double x = cell(sorting, a, sorting->cols[j]), y = cell(sorting, b, sorting->cols[j]);
    if (x != y) return x < y ? -1 : 1;
  }
  return a < b ? -1 : a > b;
}

static bool check_repeats(Checker *c, IxpAst *call, const TableFile *t) {
  long n = t->set->nrows;
  long *order = ixp_arena_alloc(c->arena, (size_t)(n ? n : 1) * sizeof *order);
  for (long i = 0; i < n; i++) order[i] = i;
  sorting = t;
  qsort(order, (size_t)n, sizeof *order, compare_rows);
  for (long i = 1; i < n; i++) {
    bool same = true;
    for (int j = 0; j < t->k && same; j++) same = cell(t, order[i - 1], t->cols[j]) == cell(t, order[i], t->cols[j]);
    if (same) {
      ixp_check_error(c, call->span, "%s: row %ld repeats the values of row %ld", t->set->path, file_row(t, order[i]),
                      file_row(t, order[i - 1]));
      return false;
    }
  }
  return true;
}

/* The file's rows as the table's AST rows (numbers at the call's span). */
static void make_rows(Checker *c, IxpAst *table, const TableFile *t, const char *const *names) {
  IxpSpan at = table->c->span;
  table->a = ixp_ast_new(c->arena, AST_BLOCK, at);
  for (int j = 0; j < t->k; j++) {
    IxpAst *col = ixp_ast_new(c->arena, AST_NAME, at);
    col->str = names[j];
    ixp_ast_push(c->arena, table->a, col);
  }
  for (long i = 0; i < t->set->nrows; i++) {
    IxpAst *row = ixp_ast_new(c->arena, AST_ROW, at);
    for (int j = 0; j <= t->k; j++) {
      IxpAst *num = ixp_ast_new(c->arena, AST_NUM, at);
      num->num = cell(t, i, j < t->k ? t->cols[j] : t->prob);
      if (j < t->k) ixp_ast_push(c->arena, row, num);
      else row->a = num;
    }
    ixp_ast_push(c->arena, table->b, row);
  }
}

/* The option `name` of call (a string literal), or NULL. */
static IxpAst *option(IxpAst *call, const char *name) {
  for (int i = 1; i < call->nitems; i++)
    if (call->items[i]->str && !strcmp(call->items[i]->str, name)) return call->items[i]->a;
  return NULL;
}

/* The file's columns: CSV by name (the probability column `prob`, default
 * "p"; the others in order), npy by position (the last is the
 * probability; values named by columns = [...] or NAME[0] ...). */
static bool choose_columns(Checker *c, IxpModelDef *m, IxpAst *call, TableFile *t, const char **names) {
  const IxpDataset *set = t->set;
  bool csv = !strcmp(call->str, "csv");
  IxpAst *prob = option(call, "prob"), *given = option(call, "columns");
  t->prob = csv ? ixp_dataset_col(set, prob ? prob->str : "p") : set->ncols - 1;
  if (t->prob < 0) {
    ixp_check_error(c, prob ? prob->span : call->span, "%s has no probability column '%s'%s", set->path,
                    prob ? prob->str : "p", prob ? "" : " (name it with prob = \"...\")");
    return false;
  }
  t->k = set->ncols - 1;
  if (t->k < 1) {
    ixp_check_error(c, call->span, "%s needs a column of values besides the probabilities", set->path);
    return false;
  }
  if (given && (given->kind != AST_VEC || given->nitems != t->k)) {
    ixp_check_error(c, given->span, "columns names the %d value column%s of %s: columns = [\"x\", ...]", t->k,
                    t->k == 1 ? "" : "s", set->path);
    return false;
  }
  t->cols = ixp_arena_alloc(c->arena, (size_t)t->k * sizeof *t->cols);
  for (int j = 0, k = 0; j < set->ncols; j++) {
    if (j == t->prob) continue;
    if (set->cols[j].kind == IXP_COL_STRING) {
      ixp_check_error(c, call->span, "%s: column '%s' holds text; a table's values are numbers", set->path, set->cols[j].name);
      return false;
    }
    t->cols[k] = j;
    char buf[160];
    snprintf(buf, sizeof buf, "%s[%d]", m->name, k);
    const char *name = given ? given->items[k]->str : csv ? set->cols[j].name : buf;
    names[k] = ixp_arena_strndup(c->arena, name, strlen(name));  /* the file's names go with it */
    k++;
  }
  if (set->cols[t->prob].kind == IXP_COL_STRING) {
    ixp_check_error(c, call->span, "%s: probability column '%s' holds text", set->path, set->cols[t->prob].name);
    return false;
  }
  return true;
}

/* The file of `table from csv(...)` / `npy(...)`, read whole; NULL after
 * an error. */
static IxpDataset *read_file(Checker *c, IxpAst *call, TableFile *t) {
  bool csv = !strcmp(call->str, "csv");
  if ((!csv && strcmp(call->str, "npy")) || call->nitems < 1 || call->items[0]->str) {
    ixp_check_error(c, call->span, "a table is read from csv(\"file.csv\", prob = \"p\") or npy(\"file.npy\")");
    return NULL;
  }
  for (int i = 1; i < call->nitems; i++) {
    const char *opt = call->items[i]->str;
    if (!opt || (strcmp(opt, csv ? "prob" : "columns") && !(csv && !strcmp(opt, "delimiter"))) ||
        (!strcmp(opt, "columns") ? call->items[i]->a->kind != AST_VEC : call->items[i]->a->kind != AST_STR)) {
      ixp_check_error(c, call->items[i]->span, csv ? "a table's csv takes prob = \"column\" and delimiter = \";\""
                                                   : "a table's npy takes columns = [\"x\", ...]");
      return NULL;
    }
  }
  IxpAst *name = call->items[0]->a;
  int errors = c->errors;
  const char *file = ixp_type_fits(TY_STR, ixp_check_expr(c, name)) ? ixp_check_const_string(c, name) : NULL;
  if (c->errors > errors) return NULL;  /* reported in the name */
  if (!file) {
    ixp_check_error(c, name->span, "a table's file is read when the program is checked: name it with a string known then");
    return NULL;
  }
  char *path = ixp_check_path(c, file);
  IxpDataset *set = NULL;
  IxpDataError err = {0};
  IxpAst *delim = option(call, "delimiter");
  IxpCsvOptions opt = {.delimiter = delim && strlen(delim->str) == 1 ? delim->str[0] : 0};
  if (!(csv ? ixp_csv_load(path, &opt, &set, &err) : ixp_npy_load(path, "v", &set, &err))) {
    ixp_check_error(c, call->span, "%s", err.message);
    return NULL;
  }
  ixp_session_input(c->s, "data", path);
  t->header = csv;
  return set;
}

bool ixp_check_table_file(Checker *c, IxpModelDef *m, IxpAst *table) {
  IxpAst *call = table->c;
  table->a = ixp_ast_new(c->arena, AST_BLOCK, call->span);
  table->b = ixp_ast_new(c->arena, AST_BLOCK, call->span);
  if (table->str && strcmp(table->str, "from")) {
    ixp_check_error(c, call->span, "a table from a file is written: table from csv(\"pmf.csv\", prob = \"p\")");
    return false;
  }
  TableFile t = {0};
  IxpDataset *set = read_file(c, call, &t);
  if (!set) return false;
  t.set = set;
  const char **names = ixp_arena_alloc(c->arena, (size_t)(set->ncols + 1) * sizeof *names);
  bool ok = choose_columns(c, m, call, &t, names) && check_values(c, call, &t) && check_repeats(c, call, &t);
  if (ok) make_rows(c, table, &t, names);
  if (ok && !option(call, "columns") && strcmp(call->str, "csv")) ixp_model_add_group(m, c->arena, m->name, 0, t.k);
  ixp_dataset_free(set);
  return ok;
}
