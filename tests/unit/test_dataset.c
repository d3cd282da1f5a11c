/* test_dataset.c — unit tests of backends/kernels/dataset.c: CSV and .npy loading.
 *
 * Every fixture is written by the test itself into a fresh temporary
 * directory (removed afterwards); .npy files are assembled byte by byte.
 * Error messages are compared exactly. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dataset.h"
#include "helpers.h"

static char tdir[64];

/* A fresh temporary directory for the test's files. */
static void setup(void) { t_tmpdir_make(tdir, sizeof tdir, "ixp_dataset"); }

/* Remove the temporary directory and its files. */
static void teardown(void) { t_tmpdir_remove(tdir); }

TestSuite(dataset, .init = setup, .fini = teardown);

/* The path of file `name` in the temporary directory (a static buffer of
 * four, used in turn). */
static char *tpath(const char *name) { return t_path_in(tdir, name); }

/* Write len bytes to file `name`; its path. */
static const char *put(const char *name, const void *data, size_t len) {
  const char *p = tpath(name);
  FILE *f = fopen(p, "wb");
  cr_assert_not_null(f);
  cr_assert_eq(fwrite(data, 1, len, f), len);
  cr_assert_eq(fclose(f), 0);
  return p;
}

/* Load CSV text with options o, asserting success. */
static IxpDataset *csv_ok(const char *text, const IxpCsvOptions *o) {
  const char *p = put("t.csv", text, strlen(text));
  IxpDataset *d = NULL;
  IxpDataError e;
  bool ok = ixp_csv_load(p, o, &d, &e);
  cr_assert(ok, "load failed: %s", e.message);
  cr_assert_not_null(d);
  cr_assert_str_eq(d->path, p);
  return d;
}

/* Assert that loading path fails with "path: msg" at (row, col). */
static void check_err(bool ok, IxpDataset *d, const IxpDataError *e, const char *path, long row, int col,
                      const char *msg) {
  char want[1024];
  snprintf(want, sizeof want, "%s: %s", path, msg);
  cr_assert_not(ok, "expected the error: %s", want);
  cr_assert_null(d);
  cr_assert_str_eq(e->message, want);
  cr_assert_eq(e->row, row, "row %ld, expected %ld", e->row, row);
  cr_assert_eq(e->col, col, "col %d, expected %d", e->col, col);
}

/* Assert that the CSV bytes text[0..len) fail to load as described. */
static void csv_err_n(const char *text, size_t len, const IxpCsvOptions *o, long row, int col, const char *msg) {
  const char *p = put("t.csv", text, len);
  IxpDataset *d = NULL;
  IxpDataError e;
  bool ok = ixp_csv_load(p, o, &d, &e);
  check_err(ok, d, &e, p, row, col, msg);
}

/* Assert that the CSV text fails to load as described. */
static void csv_err(const char *text, const IxpCsvOptions *o, long row, int col, const char *msg) {
  csv_err_n(text, strlen(text), o, row, col, msg);
}

/* Assert column j is called name, of the given kind. */
static void col_is(const IxpDataset *d, int j, const char *name, IxpColumnKind kind) {
  cr_assert_lt(j, d->ncols);
  cr_assert_str_eq(d->cols[j].name, name);
  cr_assert_eq(d->cols[j].kind, kind, "column '%s' kind %d, expected %d", name, d->cols[j].kind, kind);
}

/* Assert the numeric values of column j (NaN matches NaN). */
static void values_are(const IxpDataset *d, int j, const double *want, long n) {
  cr_assert_eq(d->nrows, n);
  cr_assert_not_null(d->cols[j].value);
  for (long i = 0; i < n; i++) {
    double v = d->cols[j].value[i];
    if (isnan(want[i])) cr_assert(isnan(v), "row %ld: %g, expected nan", i, v);
    else cr_assert_eq(v, want[i], "column %d row %ld: %.17g, expected %.17g", j, i, v, want[i]);
  }
}

/* Assert the labels of STRING column j and the label of each row. */
static void strings_are(const IxpDataset *d, int j, const char *const *labels, uint32_t nl, const char *const *rows,
                        long n) {
  const IxpColumn *c = &d->cols[j];
  cr_assert_eq(c->kind, IXP_COL_STRING);
  cr_assert_eq(c->nlabels, nl, "%u labels, expected %u", c->nlabels, nl);
  for (uint32_t k = 0; k < nl; k++) cr_assert_str_eq(c->labels[k], labels[k]);
  cr_assert_eq(d->nrows, n);
  for (long i = 0; i < n; i++) {
    cr_assert_lt(c->code[i], nl);
    cr_assert_str_eq(c->labels[c->code[i]], rows[i]);
  }
}

/* ------------------------------------------------------------ CSV: types */

Test(dataset, csv_type_inference) {
  IxpDataset *d = csv_ok("i,r,s,e,m\n1,1.5,a,1e3,-7\n-2,2,b,.5,nan\n+3,-0.25,a,5.,Inf\n007,1E-2,10,-2e+2,-inf\n",
                         NULL);
  cr_assert_eq(d->ncols, 5);
  cr_assert_eq(d->nrows, 4);
  col_is(d, 0, "i", IXP_COL_INT);
  col_is(d, 1, "r", IXP_COL_REAL);
  col_is(d, 2, "s", IXP_COL_STRING);
  col_is(d, 3, "e", IXP_COL_REAL);
  col_is(d, 4, "m", IXP_COL_REAL);
  values_are(d, 0, (double[]){1, -2, 3, 7}, 4);
  values_are(d, 1, (double[]){1.5, 2, -0.25, 0.01}, 4);
  values_are(d, 3, (double[]){1000, 0.5, 5, -200}, 4);
  values_are(d, 4, (double[]){-7, NAN, INFINITY, -INFINITY}, 4);
  strings_are(d, 2, (const char *[]){"10", "a", "b"}, 3, (const char *[]){"a", "b", "a", "10"}, 4);
  cr_assert_null(d->cols[2].value);
  cr_assert_null(d->cols[0].code);
  ixp_dataset_free(d);
}

Test(dataset, csv_not_numbers_are_strings) {
  /* hex, a lone sign or point, digit separators, words starting like numbers */
  IxpDataset *d = csv_ok("a,b,c,d,e,f\n1,2,3,4,5,6\n0x10,+,.,1_000,nanx,1e\n", NULL);
  for (int j = 0; j < 6; j++) cr_assert_eq(d->cols[j].kind, IXP_COL_STRING, "column %d", j);
  ixp_dataset_free(d);
}

Test(dataset, csv_nan_inf_spellings) {
  IxpDataset *d = csv_ok("x\nnan\nNaN\nNAN\ninf\nInf\n-Infinity\n+inf\n1\n", NULL);
  col_is(d, 0, "x", IXP_COL_REAL);
  values_are(d, 0, (double[]){NAN, NAN, NAN, INFINITY, INFINITY, -INFINITY, INFINITY, 1}, 8);
  cr_assert_eq(ixp_column_first_nonfinite(&d->cols[0], d->nrows), 0);
  ixp_dataset_free(d);
}

Test(dataset, csv_first_nonfinite) {
  IxpDataset *d = csv_ok("x,y,s\n1,1,a\n2,2,b\n3,inf,c\n4,nan,d\n", NULL);
  cr_assert_eq(ixp_column_first_nonfinite(&d->cols[0], d->nrows), -1);
  cr_assert_eq(ixp_column_first_nonfinite(&d->cols[1], d->nrows), 2);
  cr_assert_eq(ixp_column_first_nonfinite(&d->cols[2], d->nrows), -1);
  ixp_dataset_free(d);
}

Test(dataset, csv_blanks_around_numbers) {
  /* numbers may have spaces or tabs around them; strings keep theirs */
  IxpDataset *d = csv_ok("a,b,c\n 1, 2.5 ,x \n2\t,\t-1, y\n", NULL);
  col_is(d, 0, "a", IXP_COL_INT);
  col_is(d, 1, "b", IXP_COL_REAL);
  values_are(d, 0, (double[]){1, 2}, 2);
  values_are(d, 1, (double[]){2.5, -1}, 2);
  strings_are(d, 2, (const char *[]){" y", "x "}, 2, (const char *[]){"x ", " y"}, 2);
  ixp_dataset_free(d);
}

Test(dataset, csv_as_string) {
  const char *as[] = {"n"};
  IxpCsvOptions o = {.as_string = as, .nas_string = 1};
  IxpDataset *d = csv_ok("n,m\n2,1\n10,2\n2,3\n,4\n", &o);
  col_is(d, 0, "n", IXP_COL_STRING);
  col_is(d, 1, "m", IXP_COL_INT);
  /* bytewise order; an empty field is the label "" */
  strings_are(d, 0, (const char *[]){"", "10", "2"}, 3, (const char *[]){"2", "10", "2", ""}, 4);
  ixp_dataset_free(d);
}

Test(dataset, csv_empty_field_in_string_column_is_a_label) {
  IxpDataset *d = csv_ok("s,x\na,1\n,2\n", NULL);
  strings_are(d, 0, (const char *[]){"", "a"}, 2, (const char *[]){"a", ""}, 2);
  ixp_dataset_free(d);
}

Test(dataset, csv_big_integers) {
  IxpDataset *d = csv_ok("x,y\n9007199254740992,9007199254740993\n-9007199254740992,0.5\n", NULL);
  col_is(d, 0, "x", IXP_COL_INT);
  values_are(d, 0, (double[]){9007199254740992.0, -9007199254740992.0}, 2);
  col_is(d, 1, "y", IXP_COL_REAL); /* in a REAL column a big integer is a number like any other */
  ixp_dataset_free(d);
  csv_err("x\n1\n-9007199254740993\n", NULL, 3, 1,
          "row 3, column 'x': integer -9007199254740993 is beyond 2^53, where doubles no longer hold every "
          "integer (read the column as a string)");
  const char *as[] = {"x"};
  IxpCsvOptions o = {.as_string = as, .nas_string = 1};
  d = csv_ok("x\n1\n123456789012345678901234567890\n", &o);
  strings_are(d, 0, (const char *[]){"1", "123456789012345678901234567890"}, 2,
              (const char *[]){"1", "123456789012345678901234567890"}, 2);
  ixp_dataset_free(d);
}

/* -------------------------------------------------------- CSV: structure */

Test(dataset, csv_no_header) {
  IxpCsvOptions o = {.no_header = true};
  IxpDataset *d = csv_ok("1,a\n2,b\n3,a\n", &o);
  cr_assert_eq(d->nrows, 3);
  col_is(d, 0, "c0", IXP_COL_INT);
  col_is(d, 1, "c1", IXP_COL_STRING);
  values_are(d, 0, (double[]){1, 2, 3}, 3);
  cr_assert_eq(ixp_dataset_col(d, "c1"), 1);
  ixp_dataset_free(d);
  csv_err("1,2\n3\n", &o, 2, 0, "row 2 has 1 field, row 1 has 2");
  csv_err("1,2\n3,\n", &o, 2, 2, "row 2, column 'c1': empty field");
}

Test(dataset, csv_delimiter) {
  IxpCsvOptions o = {.delimiter = ';'};
  IxpDataset *d = csv_ok("a;b\n1,5;x,y\n2,5;z\n", &o);
  col_is(d, 0, "a", IXP_COL_STRING); /* a decimal comma is not a number */
  strings_are(d, 1, (const char *[]){"x,y", "z"}, 2, (const char *[]){"x,y", "z"}, 2);
  ixp_dataset_free(d);
  IxpCsvOptions t = {.delimiter = '\t'};
  d = csv_ok("a\tb\n1\t2.5\n", &t);
  values_are(d, 1, (double[]){2.5}, 1);
  ixp_dataset_free(d);
  IxpCsvOptions q = {.delimiter = '"'};
  csv_err("a\n1\n", &q, 0, 0, "the delimiter cannot be a quote or a line break");
}

Test(dataset, csv_selection_and_order) {
  const char *sel[] = {"c", "a"};
  IxpCsvOptions o = {.select = sel, .nselect = 2};
  IxpDataset *d = csv_ok("a,b,c\n1,x,2.5\n3,y,4\n", &o);
  cr_assert_eq(d->ncols, 2);
  col_is(d, 0, "c", IXP_COL_REAL);
  col_is(d, 1, "a", IXP_COL_INT);
  values_are(d, 0, (double[]){2.5, 4}, 2);
  values_are(d, 1, (double[]){1, 3}, 2);
  cr_assert_eq(ixp_dataset_col(d, "a"), 1);
  cr_assert_eq(ixp_dataset_col(d, "c"), 0);
  cr_assert_eq(ixp_dataset_col(d, "b"), -1);
  ixp_dataset_free(d);
}

Test(dataset, csv_unselected_columns_are_not_checked) {
  /* an empty field in a column that is not selected is not an error */
  const char *sel[] = {"b"};
  IxpCsvOptions o = {.select = sel, .nselect = 1};
  IxpDataset *d = csv_ok("a,b\n1,2\n,3\n", &o);
  values_are(d, 0, (double[]){2, 3}, 2);
  ixp_dataset_free(d);
  const char *as[] = {"a"}; /* an as_string column that is not selected */
  o.as_string = as;
  o.nas_string = 1;
  d = csv_ok("a,b\n1,2\n,3\n", &o);
  col_is(d, 0, "b", IXP_COL_INT);
  ixp_dataset_free(d);
}

Test(dataset, csv_selection_errors) {
  const char *sel[] = {"a", "zz"};
  IxpCsvOptions o = {.select = sel, .nselect = 2};
  csv_err("a,b,c\n1,2,3\n", &o, 1, 0, "column 'zz' not found (columns: 'a', 'b', 'c')");
  const char *twice[] = {"b", "b"};
  IxpCsvOptions t = {.select = twice, .nselect = 2};
  csv_err("a,b,c\n1,2,3\n", &t, 0, 0, "column 'b' is selected twice");
  const char *as[] = {"q"};
  IxpCsvOptions s = {.as_string = as, .nas_string = 1};
  csv_err("a,b\n1,2\n", &s, 1, 0, "as_string column 'q' not found (columns: 'a', 'b')");
  IxpCsvOptions e = {.select = sel, .nselect = 0};
  csv_err("a,b\n1,2\n", &e, 0, 0, "empty column selection");
  IxpCsvOptions nh = {.select = sel, .nselect = 1, .no_header = true};
  const char *c5[] = {"c5"};
  nh.select = c5;
  csv_err("1,2\n", &nh, 0, 0, "column 'c5' not found (columns: 'c0', 'c1')");
}

Test(dataset, csv_missing_column_list_is_cut) {
  char text[4096] = "";
  for (int j = 0; j < 100; j++)
    snprintf(text + strlen(text), sizeof text - strlen(text), "%scolumn_%03d", j ? "," : "", j);
  strcat(text, "\n");
  for (int j = 0; j < 100; j++) strcat(text, j ? ",1" : "1");
  strcat(text, "\n");
  const char *sel[] = {"nope"};
  IxpCsvOptions o = {.select = sel, .nselect = 1};
  const char *p = put("t.csv", text, strlen(text));
  IxpDataset *d = NULL;
  IxpDataError e;
  cr_assert_not(ixp_csv_load(p, &o, &d, &e));
  cr_assert(strstr(e.message, "column 'nope' not found (columns: 'column_000', 'column_001', "));
  size_t n = strlen(e.message);
  cr_assert(n > 6 && !strcmp(e.message + n - 6, ", ...)"), "%s", e.message);
}

/* ------------------------------------------------------------ CSV: quoting */

Test(dataset, csv_quoting) {
  IxpDataset *d = csv_ok("name,x\n\"a,b\",1\n\"say \"\"hi\"\"\",2\n\"two\nlines\",3\n\"\",4\n\"5\",5\n", NULL);
  strings_are(d, 0, (const char *[]){"", "5", "a,b", "say \"hi\"", "two\nlines"}, 5,
              (const char *[]){"a,b", "say \"hi\"", "two\nlines", "", "5"}, 5);
  values_are(d, 1, (double[]){1, 2, 3, 4, 5}, 5);
  ixp_dataset_free(d);
}

Test(dataset, csv_quoted_numbers_are_numbers) {
  IxpDataset *d = csv_ok("\"x\",\"y\"\n\"1\",\"2.5\"\n\"3\",4\n", NULL);
  col_is(d, 0, "x", IXP_COL_INT);
  col_is(d, 1, "y", IXP_COL_REAL);
  values_are(d, 0, (double[]){1, 3}, 2);
  ixp_dataset_free(d);
}

Test(dataset, csv_rows_count_records) {
  /* a quoted newline lengthens record 2; the ragged record is row 4 */
  csv_err("s,x\n\"a\nb\",1\nc,2\nd\n", NULL, 4, 0, "row 4 has 1 field, the header has 2");
}

Test(dataset, csv_quote_never_closes) {
  csv_err("a,b\n1,2\n3,\"x\n4,5\n", NULL, 3, 2, "row 3, column 'b': quote never closes");
  csv_err("\"a,b\n1,2\n", NULL, 1, 1, "row 1, column 1: quote never closes");
}

Test(dataset, csv_misplaced_quote) {
  csv_err("a,b\n1,2\n3,x\"y\n", NULL, 3, 2,
          "row 3, column 'b': misplaced quote (a quote inside an unquoted field, or text after a closing quote)");
  csv_err("a,b\n\"1\"2,3\n", NULL, 2, 1,
          "row 2, column 'a': misplaced quote (a quote inside an unquoted field, or text after a closing quote)");
}

/* ------------------------------------------------------- CSV: line ends */

Test(dataset, csv_crlf_and_bom) {
  IxpDataset *d = csv_ok("\xEF\xBB\xBFx,y\r\n1,a\r\n2,\"b\r\nc\"\r\n", NULL);
  cr_assert_eq(d->nrows, 2);
  col_is(d, 0, "x", IXP_COL_INT); /* not "\xEF\xBB\xBFx" */
  strings_are(d, 1, (const char *[]){"a", "b\r\nc"}, 2, (const char *[]){"a", "b\r\nc"}, 2);
  ixp_dataset_free(d);
  csv_err("x,y\r\n1,2\r\n3\r\n", NULL, 3, 0, "row 3 has 1 field, the header has 2");
  csv_err("x,y\r\n1,2\r\n\r\n3,4\r\n", NULL, 3, 0, "row 3 has 0 fields, the header has 2");
}

Test(dataset, csv_cr_line_ends) {
  IxpDataset *d = csv_ok("x,y\r1,2\r3,4\r", NULL);
  values_are(d, 1, (double[]){2, 4}, 2);
  ixp_dataset_free(d);
  csv_err("x,y\r1,2\r\r3,4\r", NULL, 3, 0, "row 3 has 0 fields, the header has 2");
}

Test(dataset, csv_no_final_newline) {
  IxpDataset *d = csv_ok("x,y\n1,2\n3,4", NULL);
  values_are(d, 1, (double[]){2, 4}, 2);
  ixp_dataset_free(d);
}

Test(dataset, csv_trailing_blank_lines) {
  IxpDataset *d = csv_ok("x,y\n1,2\n3,4\n\n", NULL);
  cr_assert_eq(d->nrows, 2);
  ixp_dataset_free(d);
  d = csv_ok("x,y\r\n1,2\r\n\r\n\r\n", NULL);
  cr_assert_eq(d->nrows, 1);
  ixp_dataset_free(d);
}

Test(dataset, csv_blank_line_in_the_middle) {
  csv_err("x,y\n1,2\n\n3,4\n", NULL, 3, 0, "row 3 has 0 fields, the header has 2");
  csv_err("x\n1\n\n\n3\n", NULL, 3, 0, "row 3 has 0 fields, the header has 1");
  csv_err("\nx,y\n1,2\n", NULL, 1, 0, "row 1 is a blank line before the header");
}

/* ------------------------------------------------------------ CSV: errors */

Test(dataset, csv_missing_file) {
  const char *p = tpath("absent.csv");
  IxpDataset *d = NULL;
  IxpDataError e;
  bool ok = ixp_csv_load(p, NULL, &d, &e);
  check_err(ok, d, &e, p, 0, 0, "No such file or directory");
}

Test(dataset, csv_empty_file) {
  csv_err("", NULL, 0, 0, "empty file");
  csv_err("\xEF\xBB\xBF", NULL, 0, 0, "empty file");
  csv_err("\n\n", NULL, 0, 0, "empty file");
  IxpCsvOptions o = {.no_header = true};
  csv_err("", &o, 0, 0, "empty file");
}

Test(dataset, csv_header_only) {
  csv_err("x,y\n", NULL, 0, 0, "no data rows");
  csv_err("x,y", NULL, 0, 0, "no data rows");
  csv_err("x,y\r\n\r\n\n", NULL, 0, 0, "no data rows");
}

Test(dataset, csv_ragged_rows) {
  csv_err("a,b,c,d\n1,2,3,4\n1,2,3,4\n1,2,3,4\n1,2,3,4\n1,2,3,4\n1,2,3\n1,2,3,4\n", NULL, 7, 0,
          "row 7 has 3 fields, the header has 4");
  csv_err("a,b\n1,2\n1,2,3\n", NULL, 3, 0, "row 3 has 3 fields, the header has 2");
  csv_err("a,b\n1,2\n1,2,\n", NULL, 3, 0, "row 3 has 3 fields, the header has 2");
}

Test(dataset, csv_empty_field_in_numeric_column) {
  csv_err("x,y\n1,2\n3,4\n5,6\n,8\n9,10\n", NULL, 5, 1, "row 5, column 'x': empty field");
  csv_err("x,y\n1,2.5\n3, \n", NULL, 3, 2, "row 3, column 'y': empty field");
  csv_err("x,y\n1,\"\"\n", NULL, 2, 2, "row 2, column 'y': empty field");
  csv_err("x,y\n1,\n2,\n", NULL, 2, 2, "row 2, column 'y': empty field"); /* all empty */
  /* the earliest row wins, then the leftmost column */
  csv_err("a,b,c\n1,2,3\n4,5,\n7,,9\n", NULL, 3, 3, "row 3, column 'c': empty field");
  csv_err("a,b,c\n1,2,3\n4,,\n", NULL, 3, 2, "row 3, column 'b': empty field");
}

Test(dataset, csv_duplicate_header) {
  csv_err("a,b,c,b\n1,2,3,4\n", NULL, 1, 4, "row 1: duplicate column name 'b' (columns 2 and 4)");
  csv_err("x,a,y,a,a,x\n1,2,3,4,5,6\n", NULL, 1, 4, "row 1: duplicate column name 'a' (columns 2 and 4)");
}

Test(dataset, csv_nul_byte) {
  csv_err_n("a,b\n1,x\0y\n", 11, NULL, 2, 2, "row 2, column 'b': NUL byte in field");
}

Test(dataset, csv_error_without_error_struct) {
  IxpDataset *d = (IxpDataset *)&d;
  cr_assert_not(ixp_csv_load(tpath("absent.csv"), NULL, &d, NULL));
  cr_assert_null(d);
  put("t.csv", "x\n1\n\n2\n", 7);
  cr_assert_not(ixp_csv_load(tpath("t.csv"), NULL, &d, NULL));
  cr_assert_null(d);
}

Test(dataset, csv_error_then_clean_error_struct) {
  const char *p = put("t.csv", "x\n1\n", 4);
  IxpDataset *d = NULL;
  IxpDataError e = {.message = "stale", .row = 9, .col = 9};
  cr_assert(ixp_csv_load(p, NULL, &d, &e));
  cr_assert_str_eq(e.message, "");
  cr_assert_eq(e.row, 0);
  ixp_dataset_free(d);
  ixp_dataset_free(NULL);
  cr_assert_eq(ixp_dataset_col(NULL, "x"), -1);
}

Test(dataset, csv_chunk_boundaries) {
  /* records, quoted fields and CRLF pairs that straddle the 64 KiB reads */
  size_t n = 20000;
  char *text = malloc(n * 16 + 32);
  cr_assert_not_null(text);
  size_t len = (size_t)sprintf(text, "k,s\r\n");
  for (size_t i = 0; i < n; i++) len += (size_t)sprintf(text + len, "%zu,\"q\r\n%zu\"\r\n", i, i % 3);
  const char *p = put("t.csv", text, len);
  free(text);
  IxpDataset *d = NULL;
  IxpDataError e;
  cr_assert(ixp_csv_load(p, NULL, &d, &e), "%s", e.message);
  cr_assert_eq(d->nrows, (long)n);
  col_is(d, 0, "k", IXP_COL_INT);
  cr_assert_eq(d->cols[1].nlabels, 3);
  cr_assert_str_eq(d->cols[1].labels[2], "q\r\n2");
  for (size_t i = 0; i < n; i++) {
    cr_assert_eq(d->cols[0].value[i], (double)i);
    cr_assert_eq(d->cols[1].code[i], i % 3);
  }
  ixp_dataset_free(d);
}

/* A large file reads completely (its speed is measured in bench/bench_csv.c). */
Test(dataset, csv_large_file, .timeout = 600) {
  /* 1e6 rows x 4 numeric columns */
  const char *p = tpath("big.csv");
  FILE *f = fopen(p, "wb");
  cr_assert_not_null(f);
  fputs("a,b,c,d\n", f);
  for (long i = 0; i < 1000000; i++) fprintf(f, "%ld,%.6f,%ld,%.3e\n", i, i * 0.001, i % 7, i * 1.5);
  cr_assert_eq(fclose(f), 0);
  IxpDataset *d = NULL;
  IxpDataError e;
  cr_assert(ixp_csv_load(p, NULL, &d, &e), "%s", e.message);
  cr_assert_eq(d->nrows, 1000000);
  col_is(d, 0, "a", IXP_COL_INT);
  col_is(d, 1, "b", IXP_COL_REAL);
  col_is(d, 2, "c", IXP_COL_INT);
  col_is(d, 3, "d", IXP_COL_REAL);
  cr_assert_eq(d->cols[0].value[999999], 999999.0);
  cr_assert_eq(d->cols[3].value[2], 3.0);
  ixp_dataset_free(d);
}

/* ------------------------------------------------------------------- NPY */

/* One element type as the tests write it. */
typedef struct {
  const char *descr;
  char kind; /* 'f', 'i', 'u', 'b' */
  int size;
  bool big;
  double v[6]; /* a 3 x 2 array in row-major order */
} Dtype;

static const Dtype DTYPES[] = {
    {"<f8", 'f', 8, false, {0.1, -1e300, INFINITY, -INFINITY, NAN, 2.5}},
    {">f8", 'f', 8, true, {0.1, -1e300, INFINITY, -INFINITY, NAN, 2.5}},
    {"<f4", 'f', 4, false, {1.5, -0.25, 1024.5, INFINITY, NAN, 3e-5}},
    {">f4", 'f', 4, true, {1.5, -0.25, 1024.5, INFINITY, NAN, 3e-5}},
    {"|i1", 'i', 1, false, {-128, 127, 0, -1, 5, 100}},
    {"<i2", 'i', 2, false, {-32768, 32767, 0, -1, 258, -300}},
    {">i2", 'i', 2, true, {-32768, 32767, 0, -1, 258, -300}},
    {"<i4", 'i', 4, false, {-2147483648.0, 2147483647.0, 0, -1, 65536, -70000}},
    {">i4", 'i', 4, true, {-2147483648.0, 2147483647.0, 0, -1, 65536, -70000}},
    {"<i8", 'i', 8, false, {-9007199254740992.0, 9007199254740992.0, 0, -1, 123456789012.0, -5}},
    {">i8", 'i', 8, true, {-9007199254740992.0, 9007199254740992.0, 0, -1, 123456789012.0, -5}},
    {"|u1", 'u', 1, false, {0, 255, 1, 128, 7, 9}},
    {"<u2", 'u', 2, false, {0, 65535, 1, 256, 7, 9}},
    {">u2", 'u', 2, true, {0, 65535, 1, 256, 7, 9}},
    {"<u4", 'u', 4, false, {0, 4294967295.0, 1, 65536, 7, 9}},
    {">u4", 'u', 4, true, {0, 4294967295.0, 1, 65536, 7, 9}},
    {"<u8", 'u', 8, false, {0, 9007199254740992.0, 1, 4294967296.0, 7, 9}},
    {">u8", 'u', 8, true, {0, 9007199254740992.0, 1, 4294967296.0, 7, 9}},
    {"|b1", 'b', 1, false, {0, 1, 1, 0, 1, 0}},
};

/* The bits of value v as an element of type t. */
static uint64_t elem_bits(const Dtype *t, double v) {
  if (t->kind == 'f' && t->size == 8) {
    uint64_t b;
    memcpy(&b, &v, 8);
    return b;
  }
  if (t->kind == 'f') {
    float x = (float)v;
    uint32_t b;
    memcpy(&b, &x, 4);
    return b;
  }
  if (t->kind == 'i') return (uint64_t)(int64_t)v;
  return (uint64_t)v;
}

/* Append the size-byte integer b to buf at *len, byte by byte. */
static void put_bytes(unsigned char *buf, size_t *len, uint64_t b, int size, bool big) {
  for (int i = 0; i < size; i++) {
    int shift = 8 * (big ? size - 1 - i : i);
    buf[(*len)++] = (unsigned char)(b >> shift);
  }
}

/* Write a .npy file of format major.0 with this header dict (padded with
 * spaces and a newline to a multiple of 64 bytes) and data; its path. */
static const char *npy_put(const char *name, int major, const char *dict, const unsigned char *data, size_t dlen) {
  size_t pre = major == 1 ? 10 : 12, hlen = strlen(dict) + 1;
  hlen += (64 - (pre + hlen) % 64) % 64;
  size_t total = pre + hlen + dlen;
  unsigned char *buf = malloc(total);
  cr_assert_not_null(buf);
  memcpy(buf, "\x93NUMPY", 6);
  buf[6] = (unsigned char)major;
  buf[7] = 0;
  size_t len = 8;
  put_bytes(buf, &len, hlen, major == 1 ? 2 : 4, false);
  memset(buf + len, ' ', hlen);
  memcpy(buf + len, dict, strlen(dict));
  buf[len + hlen - 1] = '\n';
  len += hlen;
  if (dlen) memcpy(buf + len, data, dlen);
  const char *p = put(name, buf, total);
  free(buf);
  return p;
}

/* The data of t's 3 x 2 array in C or Fortran order; its length. */
static size_t npy_data(const Dtype *t, bool fortran, unsigned char *buf) {
  size_t len = 0;
  for (int k = 0; k < 6; k++) {
    int i = fortran ? k % 3 : k / 2, j = fortran ? k / 3 : k % 2;
    put_bytes(buf, &len, elem_bits(t, t->v[i * 2 + j]), t->size, t->big);
  }
  return len;
}

/* Load path as .npy, asserting success. */
static IxpDataset *npy_ok(const char *path, const char *name) {
  IxpDataset *d = NULL;
  IxpDataError e;
  bool ok = ixp_npy_load(path, name, &d, &e);
  cr_assert(ok, "load failed: %s", e.message);
  return d;
}

/* Assert that loading path as .npy fails with "path: msg". */
static void npy_err(const char *path, long row, int col, const char *msg) {
  IxpDataset *d = NULL;
  IxpDataError e;
  bool ok = ixp_npy_load(path, "x", &d, &e);
  check_err(ok, d, &e, path, row, col, msg);
}

Test(dataset, npy_every_dtype_order_and_endianness) {
  for (size_t k = 0; k < sizeof DTYPES / sizeof *DTYPES; k++) {
    const Dtype *t = &DTYPES[k];
    for (int fortran = 0; fortran < 2; fortran++) {
      unsigned char data[64];
      size_t len = npy_data(t, fortran, data);
      char dict[128];
      snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': %s, 'shape': (3, 2), }", t->descr,
               fortran ? "True" : "False");
      IxpDataset *d = npy_ok(npy_put("a.npy", 1, dict, data, len), "v");
      cr_assert_eq(d->nrows, 3, "%s", t->descr);
      cr_assert_eq(d->ncols, 2);
      col_is(d, 0, "v[0]", t->kind == 'f' ? IXP_COL_REAL : IXP_COL_INT);
      col_is(d, 1, "v[1]", t->kind == 'f' ? IXP_COL_REAL : IXP_COL_INT);
      for (int j = 0; j < 2; j++)
        for (int i = 0; i < 3; i++) {
          double want = t->v[i * 2 + j], got = d->cols[j].value[i];
          if (t->kind == 'f' && t->size == 4) want = (float)want;
          if (isnan(want)) cr_assert(isnan(got), "%s %s (%d,%d)", t->descr, fortran ? "F" : "C", i, j);
          else
            cr_assert_eq(got, want, "%s %s (%d,%d): %.17g, expected %.17g", t->descr, fortran ? "F" : "C", i, j, got,
                         want);
        }
      ixp_dataset_free(d);
    }
  }
}

Test(dataset, npy_1d) {
  unsigned char data[24];
  size_t len = 0;
  for (int i = 0; i < 3; i++) put_bytes(data, &len, elem_bits(&DTYPES[0], i * 0.5), 8, false);
  IxpDataset *d = npy_ok(npy_put("a.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", data, len),
                         "x");
  cr_assert_eq(d->ncols, 1);
  col_is(d, 0, "x", IXP_COL_REAL);
  values_are(d, 0, (double[]){0, 0.5, 1}, 3);
  ixp_dataset_free(d);
  /* a 1-D array is the same in Fortran order */
  d = npy_ok(npy_put("b.npy", 1, "{'descr': '<f8', 'fortran_order': True, 'shape': (3,), }", data, len), "x");
  values_are(d, 0, (double[]){0, 0.5, 1}, 3);
  ixp_dataset_free(d);
}

Test(dataset, npy_default_name) {
  unsigned char data[2] = {1, 2};
  const char *p = npy_put("weights.npy", 1, "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 2), }", data, 2);
  IxpDataset *d = npy_ok(p, NULL);
  col_is(d, 0, "weights[0]", IXP_COL_INT);
  col_is(d, 1, "weights[1]", IXP_COL_INT);
  cr_assert_eq(ixp_dataset_col(d, "weights[1]"), 1);
  ixp_dataset_free(d);
}

Test(dataset, npy_versions_and_header_spellings) {
  unsigned char data[8];
  size_t len = 0;
  put_bytes(data, &len, 0xfffffffe, 4, false); /* -2 */
  put_bytes(data, &len, 7, 4, false);
  const char *dicts[] = {
      "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }",
      "{'shape': (2,), 'fortran_order': False, 'descr': '<i4'}",
      "{\"descr\":\"<i4\",\"fortran_order\":False,\"shape\":(2,)}",
      "{ 'descr' : '<i4' ,\n 'fortran_order' : False , 'shape' : ( 2L , ) , }",
      "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 1)}",
  };
  for (int major = 1; major <= 3; major++)
    for (size_t k = 0; k < sizeof dicts / sizeof *dicts; k++) {
      IxpDataset *d = npy_ok(npy_put("v.npy", major, dicts[k], data, len), "n");
      cr_assert_eq(d->nrows, 2, "version %d, dict %zu", major, k);
      values_are(d, 0, (double[]){-2, 7}, 2);
      ixp_dataset_free(d);
    }
}

Test(dataset, npy_truncated) {
  unsigned char data[48] = {0};
  const char *p = npy_put("t.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }", data, 40);
  npy_err(p, 0, 0,
          "truncated: file is 168 bytes, expected 176 (128-byte header + 48 data bytes for shape (3, 2) of '<f8')");
  p = npy_put("u.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", data, 32);
  npy_err(p, 0, 0, "file is 160 bytes, expected 152 (128-byte header + 24 data bytes for shape (3,) of '<f8')");
  /* a header longer than the file */
  unsigned char pre[12] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 100, 0, '{', '}'};
  npy_err(put("h.npy", pre, 12), 0, 0, "truncated header: it needs 110 bytes, the file has 12");
}

Test(dataset, npy_bad_magic) {
  npy_err(put("m.npy", "\x93NUMPX\x01\x00\x10\x00{}              \n", 26), 0, 0, "not a .npy file (bad magic)");
  npy_err(put("c.npy", "x,y\n1,2\n", 8), 0, 0, "not a .npy file (bad magic)");
  npy_err(put("e.npy", "", 0), 0, 0, "empty file");
  npy_err(put("v.npy", "\x93NUMPY\x04\x00\x10\x00{}              \n", 26), 0, 0,
          "unsupported .npy format version 4.0");
}

Test(dataset, npy_missing_file) {
  const char *p = tpath("none.npy");
  npy_err(p, 0, 0, "No such file or directory");
}

Test(dataset, npy_4d_and_0d) {
  /* 3-D arrays are trials x time x variables (test_lag.c); 4-D and 0-D are refused, and so is a 3-D array in
   * Fortran order (its rows would not come in file order). */
  unsigned char data[48] = {0};
  npy_err(npy_put("a.npy", 1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3, 4, 2), }", data, 48), 0, 0,
          "4-D array (shape (2, 3, 4, 2)); only 1-D, 2-D and 3-D (trials x time x variables) arrays are supported");
  npy_err(npy_put("b.npy", 1, "{'descr': '|u1', 'fortran_order': False, 'shape': (), }", data, 1), 0, 0,
          "0-D array (shape ()); only 1-D, 2-D and 3-D (trials x time x variables) arrays are supported");
  npy_err(npy_put("e.npy", 1, "{'descr': '|u1', 'fortran_order': True, 'shape': (2, 3, 4), }", data, 24), 0, 0,
          "a 3-D array in Fortran order (shape (2, 3, 4)) is not supported; save it in C order (numpy.ascontiguousarray)");
  npy_err(npy_put("c.npy", 1, "{'descr': '|u1', 'fortran_order': False, 'shape': (0,), }", data, 0), 0, 0,
          "no data rows (shape (0,))");
  npy_err(npy_put("d.npy", 1, "{'descr': '|u1', 'fortran_order': False, 'shape': (3, 0), }", data, 0), 0, 0,
          "no columns (shape (3, 0))");
}

Test(dataset, npy_unsupported_dtypes) {
  unsigned char data[32] = {0};
  npy_err(npy_put("a.npy", 1, "{'descr': '<c16', 'fortran_order': False, 'shape': (2,), }", data, 32), 0, 0,
          "unsupported dtype '<c16'");
  npy_err(npy_put("b.npy", 1, "{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", data, 4), 0, 0,
          "unsupported dtype '<f2'");
  npy_err(npy_put("c.npy", 1, "{'descr': '|i4', 'fortran_order': False, 'shape': (2,), }", data, 8), 0, 0,
          "unsupported dtype '|i4'");
  npy_err(npy_put("d.npy", 1, "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (2,), }", data, 16), 0,
          0, "malformed .npy header: structured dtypes (a list descr) are not supported at byte 10 of the header");
}

Test(dataset, npy_malformed_headers) {
  unsigned char data[8] = {0};
  npy_err(npy_put("a.npy", 1, "{'descr': '<f8', 'shape': (1,), }", data, 8), 0, 0,
          "malformed .npy header: no 'fortran_order' key");
  npy_err(npy_put("b.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}", data, 8), 0, 0,
          "malformed .npy header: unexpected key at byte 56 of the header");
  npy_err(npy_put("c.npy", 1, "{'descr': '<f8' 'fortran_order': False, 'shape': (1,)}", data, 8), 0, 0,
          "malformed .npy header: expected ',' or '}' at byte 16 of the header");
  npy_err(npy_put("d.npy", 1, "{'descr': '<f8', 'fortran_order': false, 'shape': (1,)}", data, 8), 0, 0,
          "malformed .npy header: expected True or False at byte 34 of the header");
  npy_err(npy_put("e.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}", data, 8), 0, 0,
          "malformed .npy header: expected a non-negative integer at byte 51 of the header");
  npy_err(npy_put("f.npy", 1, "{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1,)}", data, 8), 0,
          0, "malformed .npy header: repeated key at byte 17 of the header");
  npy_err(npy_put("g.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,)} x", data, 8), 0, 0,
          "malformed .npy header: unexpected text after the dict at byte 56 of the header");
}

Test(dataset, npy_inexact_values) {
  unsigned char data[16];
  size_t len = 0;
  put_bytes(data, &len, 1, 8, false);
  put_bytes(data, &len, (uint64_t)INT64_C(-9007199254740993), 8, false);
  npy_err(npy_put("a.npy", 1, "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", data, len), 2, 1,
          "row 2, column 'x': integer -9007199254740993 is beyond 2^53, where doubles no longer hold every integer");
  len = 0;
  put_bytes(data, &len, UINT64_MAX, 8, true);
  put_bytes(data, &len, 0, 8, true);
  npy_err(npy_put("b.npy", 1, "{'descr': '>u8', 'fortran_order': True, 'shape': (1, 2), }", data, len), 1, 1,
          "row 1, column 'x[0]': integer 18446744073709551615 is beyond 2^53, where doubles no longer hold every "
          "integer");
  unsigned char b[4] = {0, 1, 1, 2};
  npy_err(npy_put("c.npy", 1, "{'descr': '|b1', 'fortran_order': False, 'shape': (2, 2), }", b, 4), 2, 2,
          "row 2, column 'x[1]': bool byte 2 is neither 0 nor 1");
}

/* The header alone names and types the columns; the values come after,
 * and a bad value is found only then. */
Test(dataset, npy_header_then_values) {
  unsigned char b[4] = {0, 1, 1, 2};
  const char *p = npy_put("c.npy", 1, "{'descr': '|b1', 'fortran_order': False, 'shape': (2, 2), }", b, 4);
  IxpDataset *d = NULL;
  IxpDataError e;
  cr_assert(ixp_npy_load_header(p, "x", &d, &e), "%s", e.message);
  cr_assert_eq(d->nrows, 2);
  cr_assert_eq(d->ncols, 2);
  col_is(d, 1, "x[1]", IXP_COL_INT);
  cr_assert_null(d->cols[0].value, "the header read no values");
  cr_assert_not(ixp_npy_load_values(d, &e));
  cr_assert_str_eq(strchr(e.message, ' ') + 1, "row 2, column 'x[1]': bool byte 2 is neither 0 nor 1");
  cr_assert_eq(e.row, 2);
  cr_assert_eq(e.col, 2);
  cr_assert_null(d->cols[1].value, "a failed read leaves no values");
  b[3] = 1;
  npy_put("c.npy", 1, "{'descr': '|b1', 'fortran_order': False, 'shape': (2, 2), }", b, 4);
  cr_assert(ixp_npy_load_values(d, &e), "%s", e.message);
  values_are(d, 1, (double[]){1, 1}, 2);
  ixp_dataset_free(d);
}

Test(dataset, npy_changed_after_its_header) {
  unsigned char data[48] = {0};
  const char *p = npy_put("a.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }", data, 48);
  IxpDataset *d = NULL;
  IxpDataError e;
  cr_assert(ixp_npy_load_header(p, "x", &d, &e), "%s", e.message);
  npy_put("a.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", data, 48);
  cr_assert_not(ixp_npy_load_values(d, &e));
  char want[600];
  snprintf(want, sizeof want, "%s: the file changed since its header was read", p);
  cr_assert_str_eq(e.message, want);
  npy_put("a.npy", 1, "{'descr': '<i8', 'fortran_order': False, 'shape': (3, 2), }", data, 48);
  cr_assert_not(ixp_npy_load_values(d, &e), "a float column became an integer one");
  ixp_dataset_free(d);
}

/* Arrays longer than one read chunk, in both orders: every value lands in
 * its row and column, and of two bad values the first column's is
 * reported, as when the array was read whole. */
Test(dataset, npy_streams_past_a_chunk) {
  enum { N = 70001, M = 3 };
  size_t len = 0;
  unsigned char *data = malloc((size_t)N * M * 8);
  cr_assert_not_null(data);
  for (int fortran = 0; fortran < 2; fortran++) {
    len = 0;
    for (long k = 0; k < (long)N * M; k++) {
      long i = fortran ? k % N : k / M, j = fortran ? k / N : k % M;
      put_bytes(data, &len, (uint64_t)(i * 10 + j), 8, false);
    }
    char dict[128];
    snprintf(dict, sizeof dict, "{'descr': '<i8', 'fortran_order': %s, 'shape': (%d, %d), }",
             fortran ? "True" : "False", N, M);
    IxpDataset *d = npy_ok(npy_put("big.npy", 1, dict, data, len), "v");
    for (long i = 0; i < N; i += 997)
      for (int j = 0; j < M; j++) cr_assert_eq(d->cols[j].value[i], (double)(i * 10 + j), "(%ld, %d)", i, j);
    cr_assert_eq(d->cols[2].value[N - 1], (double)((N - 1) * 10 + 2));
    ixp_dataset_free(d);
    /* bad values at (69999, 0) and (1, 2): column 0's is first */
    long bad[2][2] = {{69999, 0}, {1, 2}};
    for (int b = 0; b < 2; b++) {
      long k = fortran ? bad[b][1] * N + bad[b][0] : bad[b][0] * M + bad[b][1];
      size_t at = (size_t)k * 8;
      put_bytes(data, &at, UINT64_MAX >> 1, 8, false);
    }
    npy_err(npy_put("bad.npy", 1, dict, data, len), 70000, 1,
            "row 70000, column 'x[0]': integer 9223372036854775807 is beyond 2^53, where doubles no longer hold every "
            "integer");
  }
  free(data);
}

/* Native doubles in C order take a whole-row copy: past a chunk that ends
 * inside a row (65536 elements, 3 columns), every value still lands in
 * its row and column, bit for bit. */
Test(dataset, npy_native_doubles_past_a_chunk) {
  enum { N = 70001, M = 3 };
  size_t len = 0;
  unsigned char *data = malloc((size_t)N * M * 8);
  cr_assert_not_null(data);
  for (long k = 0; k < (long)N * M; k++) {
    double v = (double)(k / M) + (double)(k % M) / 8 + 1e-3;
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    put_bytes(data, &len, b, 8, false);
  }
  char dict[128];
  snprintf(dict, sizeof dict, "{'descr': '<f8', 'fortran_order': False, 'shape': (%d, %d), }", N, M);
  IxpDataset *d = npy_ok(npy_put("doubles.npy", 1, dict, data, len), "v");
  for (long i = 0; i < N; i++)
    for (int j = 0; j < M; j++)
      cr_assert_eq(d->cols[j].value[i], (double)i + (double)j / 8 + 1e-3, "(%ld, %d)", i, j);
  ixp_dataset_free(d);
  free(data);
}
