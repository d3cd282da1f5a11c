/* test_runrecord.c — unit tests of interp/record.c: run records written
 * as JSON, read back, compared and shown.
 *
 * Records go to a fresh temporary directory per test (removed afterwards).
 * Written files are also parsed here with jansson directly, so that the
 * bit-for-bit round trip does not rest on the module's own reading and
 * comparing alone. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "record.h"
#include "helpers.h"

static char tdir[64];

static void setup(void) { t_tmpdir_make(tdir, sizeof tdir, "ixp_runrecord"); }

static void teardown(void) { t_tmpdir_remove(tdir); }

TestSuite(runrecord, .init = setup, .fini = teardown);

/* ------------------------------------------------------------- helpers */

static char *tpath(const char *name) { return t_path_in(tdir, name); }

/* The whole of a file (malloc'd). */
static char *read_text(const char *path) {
  FILE *f = fopen(path, "rb");
  cr_assert_not_null(f, "cannot open %s", path);
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  int c;
  while ((c = fgetc(f)) != EOF) fputc(c, m);
  fclose(m);
  fclose(f);
  return buf;
}

static bool same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* Numbers of every awkward kind: exactness, subnormals, signed zero and
 * the non-finite ones jansson cannot write as numbers. */
static const double NUMS[] = {0.1, 1.0 / 3, 1e-310, -0.0, 2.0, 1e300, -7.25};
#define NNUMS (sizeof NUMS / sizeof *NUMS)

static IxpValue num(double x) { return ixp_value_real(x); }

static void add_num(IxpRunRecord *r, const char *name, int line, double x, double rtol) {
  IxpValue v = num(x);
  ixp_runrec_result(r, "print", name, "t.ixp", line, 7, &v, rtol);
}

/* A run: provenance, one input, numbers, then (if `third` is not NaN) a
 * last result changed by the caller. */
static IxpRunRecord *run(const char *version, double third) {
  IxpRunRecord *r = ixp_runrec_new();
  ixp_runrec_provenance(r, version, "42", 2);
  ixp_runrec_override(r, "n", "100");
  add_num(r, "a", 1, 0.5, -1);
  add_num(r, "b", 2, 0.25, -1);
  add_num(r, "x", 3, third, -1);
  return r;
}

/* compare() with its output captured (malloc'd into *text). */
static int compare(const IxpRunRecord *e, const IxpRunRecord *a, double rtol, char **text) {
  size_t len;
  FILE *m = open_memstream(text, &len);
  int n = ixp_runrec_compare(e, a, rtol, m);
  fclose(m);
  return n;
}

/* show() with its output captured (malloc'd into *text). */
static void show(const IxpRunRecord *r, char **text) {
  size_t len;
  FILE *m = open_memstream(text, &len);
  ixp_runrec_show(r, m);
  fclose(m);
}

/* Write r to `name` in the test folder and read it back. */
static IxpRunRecord *reread(const IxpRunRecord *r, const char *name) {
  char err[512] = "";
  cr_assert(ixp_runrec_write(r, tpath(name), err, sizeof err), "write: %s", err);
  IxpRunRecord *back = ixp_runrec_read(tpath(name), err, sizeof err);
  cr_assert_not_null(back, "read: %s", err);
  return back;
}

/* A number of a written file, parsed here. */
static double jnum(json_t *j) {
  if (json_is_number(j)) return json_number_value(j);
  const char *s = json_string_value(j);
  cr_assert_not_null(s, "not a number in the file");
  if (!strcmp(s, "nan")) return NAN;
  if (!strcmp(s, "inf")) return INFINITY;
  cr_assert_str_eq(s, "-inf");
  return -INFINITY;
}

static void assert_bits(double got, double want, const char *what) {
  if (isnan(want)) cr_assert(isnan(got), "%s: %.17g, wanted nan", what, got);
  else cr_assert(same_bits(got, want), "%s: %.17g, wanted %.17g (bits differ)", what, got, want);
}

/* ---------------------------------------------------- the rich record */

static const double VEC[] = {0.1, -0.0, NAN, 1e-310, INFINITY};
static const double MAT[] = {1.0 / 3, 2.0 / 3, 1, -1e-310, 0.1, 1e22};

static IxpTable *rich_table(void) {
  const char *cols[] = {"p", "rate"};
  IxpTable *t = ixp_table_new("curve", 2, cols);
  for (int i = 0; i < 3; i++) {
    double row[2] = {i / 3.0, 1 - i / 7.0};
    ixp_table_add_row(t, row);
  }
  return t;
}

/* rate, distortion and an alias beyond `shown`: all are recorded. */
static IxpRecord *rich_fields(void) {
  static char *names[] = {"rate", "distortion", "slope"};
  static IxpValue values[3];
  static IxpRecord rec = {.n = 3, .shown = 2, .names = names, .values = values};
  values[0] = num(0.5);
  values[1] = num(0.1);
  values[2] = num(-INFINITY);
  return &rec;
}

static IxpRunRecord *rich(void) {
  IxpRunRecord *r = ixp_runrec_new();
  ixp_runrec_provenance(r, "0.3", "42", 2);
  char name[32];
  for (size_t i = 0; i < NNUMS; i++) {
    snprintf(name, sizeof name, "n%zu", i);
    add_num(r, name, (int)i + 1, NUMS[i], -1);
  }
  add_num(r, "nan", 20, NAN, -1);
  add_num(r, "inf", 21, INFINITY, -1);
  add_num(r, "-inf", 22, -INFINITY, 1e-6);
  IxpValue vec = {.type = TY_VEC, .v = (double *)VEC, .rows = 1, .cols = 5};
  IxpValue mat = {.type = TY_MAT, .v = (double *)MAT, .rows = 2, .cols = 3};
  IxpTable *t = rich_table();
  IxpValue tab = {.type = TY_TABLE, .table = t};
  IxpValue rec = {.type = TY_RECORD, .record = rich_fields()};
  IxpValue str = {.type = TY_STR, .str = "h\u00e9llo \"q\"\n"};
  ixp_runrec_result(r, "print", "v", "t.ixp", 30, 7, &vec, -1);
  ixp_runrec_result(r, "print", "m", "t.ixp", 31, 7, &mat, -1);
  ixp_runrec_result(r, "emit", "sweep", "t.ixp", 32, 1, &tab, -1);
  ixp_runrec_result(r, "print", "rd(x) in m", "t.ixp", 33, 7, &rec, -1);
  ixp_runrec_result(r, "print", "s", "t.ixp", 34, 7, &str, -1);
  ixp_table_free(t);
  return r;
}

/* Check the numbers of the written file against the originals, bit for
 * bit, parsing it with jansson here. */
static void check_file_numbers(const char *path) {
  json_error_t je;
  json_t *root = json_load_file(path, 0, &je);
  cr_assert_not_null(root, "%s: %s", path, je.text);
  json_t *res = json_object_get(root, "results");
  char what[32];
  for (size_t i = 0; i < NNUMS; i++) {
    snprintf(what, sizeof what, "number %zu", i);
    assert_bits(jnum(json_object_get(json_array_get(res, i), "value")), NUMS[i], what);
  }
  assert_bits(jnum(json_object_get(json_array_get(res, NNUMS), "value")), NAN, "nan");
  assert_bits(jnum(json_object_get(json_array_get(res, NNUMS + 1), "value")), INFINITY, "inf");
  assert_bits(jnum(json_object_get(json_array_get(res, NNUMS + 2), "value")), -INFINITY, "-inf");
  json_t *vec = json_object_get(json_array_get(res, NNUMS + 3), "value");
  cr_assert_eq(json_array_size(vec), 5);
  for (size_t i = 0; i < 5; i++) assert_bits(jnum(json_array_get(vec, i)), VEC[i], "vector element");
  json_t *mat = json_object_get(json_object_get(json_array_get(res, NNUMS + 4), "value"), "matrix");
  cr_assert_eq(json_array_size(mat), 2);
  for (size_t i = 0; i < 6; i++) assert_bits(jnum(json_array_get(json_array_get(mat, i / 3), i % 3)), MAT[i], "matrix cell");
  json_t *tab = json_object_get(json_object_get(json_array_get(res, NNUMS + 5), "value"), "table");
  cr_assert_str_eq(json_string_value(json_array_get(json_object_get(tab, "columns"), 1)), "rate");
  json_t *rows = json_object_get(tab, "rows");
  cr_assert_eq(json_array_size(rows), 3);
  for (int i = 0; i < 3; i++) {
    assert_bits(jnum(json_array_get(json_array_get(rows, (size_t)i), 0)), i / 3.0, "table p");
    assert_bits(jnum(json_array_get(json_array_get(rows, (size_t)i), 1)), 1 - i / 7.0, "table rate");
  }
  json_t *rec = json_object_get(json_object_get(json_array_get(res, NNUMS + 6), "value"), "record");
  cr_assert_eq(json_object_size(rec), 3, "every field is recorded, aliases too");
  assert_bits(jnum(json_object_get(rec, "distortion")), 0.1, "record field");
  assert_bits(jnum(json_object_get(rec, "slope")), -INFINITY, "record alias");
  json_t *str = json_object_get(json_object_get(json_array_get(res, NNUMS + 7), "value"), "string");
  cr_assert_str_eq(json_string_value(str), "h\u00e9llo \"q\"\n");
  json_decref(root);
}

/* ----------------------------------------------------------- round trip */

Test(runrecord, round_trip_is_bit_exact) {
  IxpRunRecord *r = rich();
  cr_assert_eq(ixp_runrec_count(r), (int)NNUMS + 8);
  IxpRunRecord *back = reread(r, "rec.json");
  check_file_numbers(tpath("rec.json"));
  cr_assert_eq(ixp_runrec_count(back), ixp_runrec_count(r));
  char *text;
  cr_assert_eq(compare(r, back, 1e-9, &text), 0, "%s", text);
  cr_assert(strstr(text, "15 results match the record"), "%s", text);
  free(text);
  /* Written again, the record read back gives the same bytes. */
  char err[256];
  cr_assert(ixp_runrec_write(back, tpath("again.json"), err, sizeof err), "%s", err);
  char *a = read_text(tpath("rec.json")), *b = read_text(tpath("again.json"));
  cr_assert_str_eq(a, b);
  free(a);
  free(b);
  ixp_runrec_free(back);
  ixp_runrec_free(r);
}

Test(runrecord, file_layout) {
  setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
  IxpRunRecord *r = run("0.3", 1.0 / 3);
  char err[256];
  cr_assert(ixp_runrec_write(r, tpath("rec.json"), err, sizeof err), "%s", err);
  char *text = read_text(tpath("rec.json"));
  cr_assert(!strncmp(text, "{\n  \"ixp_record\": 1,\n  \"provenance\": {\n    \"ixp\": \"0.3\",\n", 56),
            "layout:\n%s", text);
  cr_assert(strstr(text, "\"date\": \"2023-11-14T22:13:20Z\""), "%s", text);
  cr_assert(strstr(text, "\"seed\": \"42\",\n    \"threads\": 2,"), "%s", text);
  cr_assert(strstr(text, "\"overrides\": {\n      \"n\": \"100\"\n    }"), "%s", text);
  cr_assert(strstr(text, "\"kind\": \"print\",\n      \"name\": \"x\",\n      \"file\": \"t.ixp\",\n"
                         "      \"line\": 3,\n      \"col\": 7,\n      \"value\": 0.33333333333333331\n"),
            "%s", text);
  cr_assert(!strstr(text, "rtol"), "no rtol unless given:\n%s", text);
  size_t n = strlen(text);
  cr_assert(n > 2 && text[n - 1] == '\n' && text[n - 2] == '}', "ends with a newline");
  free(text);
  ixp_runrec_free(r);
}

Test(runrecord, provenance_of_the_build) {
  unsetenv("SOURCE_DATE_EPOCH");
  IxpRunRecord *r = run("0.3", 1);
  char *text;
  show(r, &text);
#if defined(__GNUC__) && !defined(__clang__)
  cr_assert(strstr(text, "compiler  gcc " __VERSION__ "\n"), "%s", text);
#endif
  cr_assert(strstr(text, "platform  Linux "), "%s", text);
  cr_assert(strstr(text, "BLIS      0."), "%s", text);
  /* A date of now: this year's, in the ISO form. */
  char year[16];
  time_t now = time(NULL);
  strftime(year, sizeof year, "date      %Y-", gmtime(&now));
  const char *d = strstr(text, year);
  cr_assert_not_null(d, "%s", text);
  cr_assert_eq(strlen("date      YYYY-MM-DDTHH:MM:SSZ\n"), (size_t)(strchr(d, '\n') - d + 1), "%s", text);
  cr_assert_eq(d[20], 'T');
  cr_assert_eq(d[29], 'Z');
  free(text);
  ixp_runrec_free(r);
}

Test(runrecord, source_date_epoch_fixes_the_date) {
  setenv("SOURCE_DATE_EPOCH", "0", 1);
  IxpRunRecord *r = run("0.3", 1);
  char *text;
  show(r, &text);
  cr_assert(strstr(text, "date      1970-01-01T00:00:00Z\n"), "%s", text);
  free(text);
  ixp_runrec_free(r);
}

Test(runrecord, print_line_is_compact_json) {
  char *text;
  size_t len;
  FILE *m = open_memstream(&text, &len);
  IxpValue v = num(1.0 / 3), n = num(NAN), w = num(2);
  ixp_runrec_print_line(m, "print", "x / 3", "t.ixp", 3, 7, &v);
  ixp_runrec_print_line(m, "expect", "y", "t.ixp", 4, 1, &n);
  ixp_runrec_print_line(m, "print", "z", "t.ixp", 5, 1, &w);
  fclose(m);
  cr_assert_str_eq(text,
                   "{\"kind\":\"print\",\"name\":\"x / 3\",\"file\":\"t.ixp\",\"line\":3,\"col\":7,"
                   "\"value\":0.33333333333333331}\n"
                   "{\"kind\":\"expect\",\"name\":\"y\",\"file\":\"t.ixp\",\"line\":4,\"col\":1,\"value\":\"nan\"}\n"
                   "{\"kind\":\"print\",\"name\":\"z\",\"file\":\"t.ixp\",\"line\":5,\"col\":1,\"value\":2.0}\n");
  free(text);
}

Test(runrecord, integers_read_back_as_doubles) {
  t_write_text(tpath("int.json"), "{\"ixp_record\": 1, \"provenance\": {\"inputs\": []}, \"results\": ["
                                "{\"kind\": \"print\", \"name\": \"x\", \"file\": \"t.ixp\", \"line\": 3, "
                                "\"value\": 2}]}\n");
  char err[256];
  IxpRunRecord *r = ixp_runrec_read(tpath("int.json"), err, sizeof err);
  cr_assert_not_null(r, "%s", err);
  IxpRunRecord *now = ixp_runrec_new();
  add_num(now, "x", 3, 2.0, -1);
  char *text;
  cr_assert_eq(compare(r, now, 0, &text), 0, "%s", text);
  free(text);
  ixp_runrec_free(now);
  ixp_runrec_free(r);
}

/* ----------------------------------------------------------- comparison */

Test(runrecord, identical_runs_agree) {
  IxpRunRecord *a = run("0.3", 1.0 / 3), *b = run("0.3", 1.0 / 3);
  char *text;
  cr_assert_eq(compare(a, b, 1e-9, &text), 0, "%s", text);
  cr_assert_str_eq(text, "3 results match the record\n");
  free(text);
  ixp_runrec_free(a);
  ixp_runrec_free(b);
}

Test(runrecord, same_build_demands_identical_bits) {
  double x = 1.0 / 3;
  IxpRunRecord *a = run("0.3", x), *b = run("0.3", x * (1 + 1e-12));
  char *text;
  cr_assert_eq(compare(a, b, 1e-9, &text), 1, "%s", text);
  cr_assert(strstr(text, "t.ixp:3: x: recorded 0.3333333333333333, now 0.33333333333366666 ("), "%s", text);
  cr_assert(strstr(text, "tolerance 0)\n"), "%s", text);
  cr_assert(strstr(text, "bit for bit"), "%s", text);
  cr_assert(strstr(text, "1 of 3 results differ from the record\n"), "%s", text);
  free(text);
  ixp_runrec_free(a);
  ixp_runrec_free(b);
}

Test(runrecord, other_build_allows_the_tolerance) {
  double x = 1.0 / 3;
  IxpRunRecord *a = run("0.3", x), *b = run("0.4", x * (1 + 1e-12)), *c = run("0.4", x * (1 + 1e-6));
  char *text;
  cr_assert_eq(compare(a, b, 1e-9, &text), 0, "%s", text);
  free(text);
  cr_assert_eq(compare(a, c, 1e-9, &text), 1, "%s", text);
  cr_assert(strstr(text, "t.ixp:3: x: recorded 0.3333333333333333, now 0.33333366666666664 ("), "%s", text);
  cr_assert(strstr(text, "(relative difference 1e-06, tolerance 1e-09)"), "%s", text);
  free(text);
  /* The default tolerance is the caller's. */
  cr_assert_eq(compare(a, c, 1e-5, &text), 0, "%s", text);
  free(text);
  ixp_runrec_free(a);
  ixp_runrec_free(b);
  ixp_runrec_free(c);
}

/* Set provenance key `key` of a written record to `value`, and read it. */
static IxpRunRecord *edited(const IxpRunRecord *r, const char *key, const char *value) {
  char err[256];
  cr_assert(ixp_runrec_write(r, tpath("edit.json"), err, sizeof err), "%s", err);
  json_error_t je;
  json_t *root = json_load_file(tpath("edit.json"), 0, &je);
  cr_assert_not_null(root);
  json_object_set_new(json_object_get(root, "provenance"), key, json_string(value));
  cr_assert_eq(json_dump_file(root, tpath("edit.json"), JSON_REAL_PRECISION(17)), 0);
  json_decref(root);
  IxpRunRecord *back = ixp_runrec_read(tpath("edit.json"), err, sizeof err);
  cr_assert_not_null(back, "%s", err);
  return back;
}

Test(runrecord, each_part_of_the_build_counts) {
  double x = 1.0 / 3;
  IxpRunRecord *a = run("0.3", x), *b = run("0.3", x * (1 + 1e-12));
  const char *keys[] = {"compiler", "blis", "platform", "seed"};
  for (size_t i = 0; i < 4; i++) {
    IxpRunRecord *e = edited(a, keys[i], "something else");
    char *text;
    cr_assert_eq(compare(e, b, 1e-9, &text), 0, "a different %s: tolerance, not bits:\n%s", keys[i], text);
    free(text);
    ixp_runrec_free(e);
  }
  ixp_runrec_free(a);
  ixp_runrec_free(b);
}

Test(runrecord, per_result_rtol) {
  double x = 1.0 / 3;
  IxpRunRecord *a = ixp_runrec_new(), *b = ixp_runrec_new();
  ixp_runrec_provenance(a, "0.3", NULL, 1);
  ixp_runrec_provenance(b, "0.4", NULL, 1);
  add_num(a, "loose", 1, x, 1e-5);
  add_num(b, "loose", 1, x * (1 + 1e-6), 1e-5);
  add_num(a, "tight", 2, x, 1e-12);
  add_num(b, "tight", 2, x * (1 + 1e-10), 1e-12);
  char *text;
  cr_assert_eq(compare(a, b, 1e-9, &text), 1, "%s", text);
  cr_assert(!strstr(text, "loose"), "%s", text);
  cr_assert(strstr(text, "t.ixp:2: tight: recorded"), "%s", text);
  cr_assert(strstr(text, "tolerance 1e-12)"), "%s", text);
  free(text);
  /* The rtol survives the file. */
  IxpRunRecord *back = reread(a, "rec.json");
  cr_assert_eq(compare(back, b, 1e-9, &text), 1, "%s", text);
  free(text);
  ixp_runrec_free(back);
  ixp_runrec_free(a);
  ixp_runrec_free(b);
}

Test(runrecord, signed_zero_and_nan) {
  IxpRunRecord *a = run("0.3", -0.0), *b = run("0.3", 0.0), *c = run("0.4", 0.0);
  char *text;
  cr_assert_eq(compare(a, b, 1e-9, &text), 1, "same build: -0 is not 0\n%s", text);
  cr_assert(strstr(text, "recorded -0, now 0"), "%s", text);
  free(text);
  cr_assert_eq(compare(a, c, 1e-9, &text), 0, "%s", text);
  free(text);
  IxpRunRecord *n1 = run("0.3", NAN), *n2 = run("0.3", NAN), *n3 = run("0.4", NAN), *one = run("0.4", 1);
  cr_assert_eq(compare(n1, n2, 1e-9, &text), 0, "NaN equals NaN\n%s", text);
  free(text);
  cr_assert_eq(compare(n1, n3, 1e-9, &text), 0, "%s", text);
  free(text);
  cr_assert_eq(compare(n1, one, 1e-9, &text), 1, "%s", text);
  cr_assert(strstr(text, "recorded nan, now 1"), "%s", text);
  free(text);
  IxpRunRecord *i1 = run("0.3", INFINITY), *i2 = run("0.4", -INFINITY);
  cr_assert_eq(compare(i1, i2, 1e-9, &text), 1, "%s", text);
  free(text);
  ixp_runrec_free(a);
  ixp_runrec_free(b);
  ixp_runrec_free(c);
  ixp_runrec_free(n1);
  ixp_runrec_free(n2);
  ixp_runrec_free(n3);
  ixp_runrec_free(one);
  ixp_runrec_free(i1);
  ixp_runrec_free(i2);
}

/* A table run of 4 rows of (p, rate); cells at `bump` (row-major) grow by
 * `by` relative. */
static IxpRunRecord *table_run(const char *version, int nrows, const int *bump, int nbump, double by) {
  const char *cols[] = {"p", "rate"};
  IxpTable *t = ixp_table_new(NULL, 2, cols);
  for (int i = 0; i < nrows; i++) {
    double row[2] = {i / 10.0, 1.0 / (i + 3)};
    for (int k = 0; k < nbump; k++)
      if (bump[k] / 2 == i) row[bump[k] % 2] *= 1 + by;
    ixp_table_add_row(t, row);
  }
  IxpValue v = {.type = TY_TABLE, .table = t};
  IxpRunRecord *r = ixp_runrec_new();
  ixp_runrec_provenance(r, version, "1", 1);
  ixp_runrec_result(r, "emit", "sweep p", "s.ixp", 9, 1, &v, -1);
  ixp_table_free(t);
  return r;
}

Test(runrecord, tables_compare_cell_by_cell) {
  int bump[] = {5, 7};
  IxpRunRecord *a = table_run("0.3", 4, NULL, 0, 0), *b = table_run("0.4", 4, bump, 2, 1e-3);
  char *text;
  cr_assert_eq(compare(a, b, 1e-9, &text), 1, "one result differs, however many cells\n%s", text);
  cr_assert(strstr(text, "s.ixp:9: sweep p: row 3, column 'rate': recorded 0.2, now 0.2002 ("),
            "%s", text);
  cr_assert(strstr(text, "; 2 of 8 cells differ\n"), "%s", text);
  free(text);
  IxpRunRecord *c = table_run("0.4", 3, NULL, 0, 0);
  cr_assert_eq(compare(a, c, 1e-9, &text), 1, "%s", text);
  cr_assert(strstr(text, "s.ixp:9: sweep p: recorded a table of 4 rows, now 3 rows\n"), "%s", text);
  free(text);
  ixp_runrec_free(a);
  ixp_runrec_free(b);
  ixp_runrec_free(c);
}

Test(runrecord, structured_values_compare_element_by_element) {
  double v1[] = {1, 2, 3}, v2[] = {1, 2.5, 3}, v3[] = {1, 2};
  IxpRunRecord *r[3];
  double *vs[] = {v1, v2, v3};
  int ns[] = {3, 3, 2};
  for (int i = 0; i < 3; i++) {
    r[i] = ixp_runrec_new();
    ixp_runrec_provenance(r[i], i ? "0.4" : "0.3", NULL, 1);
    IxpValue v = {.type = TY_VEC, .v = vs[i], .rows = 1, .cols = ns[i]};
    ixp_runrec_result(r[i], "print", "w", "t.ixp", 5, 1, &v, -1);
  }
  char *text;
  cr_assert_eq(compare(r[0], r[1], 1e-9, &text), 1, "%s", text);
  cr_assert(strstr(text, "t.ixp:5: w: [1]: recorded 2, now 2.5 (relative difference 0.2, tolerance 1e-09); "
                         "1 of 3 elements differ\n"),
            "%s", text);
  free(text);
  cr_assert_eq(compare(r[0], r[2], 1e-9, &text), 1, "%s", text);
  cr_assert(strstr(text, "t.ixp:5: w: recorded a vector of 3, now a vector of 2\n"), "%s", text);
  free(text);
  for (int i = 0; i < 3; i++) ixp_runrec_free(r[i]);
}

Test(runrecord, record_fields_are_named) {
  IxpRunRecord *a = rich(), *b = ixp_runrec_new();
  ixp_runrec_provenance(b, "0.4", "42", 2);
  IxpRecord *f = rich_fields();
  f->values[1] = num(0.2);
  IxpValue rec = {.type = TY_RECORD, .record = f};
  IxpValue mat = {.type = TY_MAT, .v = (double *)MAT, .rows = 3, .cols = 2};
  char *text;
  /* Only results 'rd(x) in m' and 'm' are compared here: others are missing. */
  ixp_runrec_result(b, "print", "rd(x) in m", "t.ixp", 33, 7, &rec, -1);
  ixp_runrec_result(b, "print", "m", "t.ixp", 31, 7, &mat, -1);
  compare(a, b, 1e-9, &text);
  cr_assert(strstr(text, "t.ixp:33: rd(x) in m: field 'distortion': recorded 0.1, now 0.2 ("),
            "%s", text);
  cr_assert(strstr(text, "t.ixp:31: m: recorded a 2x3 matrix, now a 3x2 matrix\n"), "%s", text);
  free(text);
  ixp_runrec_free(a);
  ixp_runrec_free(b);
}

Test(runrecord, missing_and_extra_results) {
  IxpRunRecord *a = run("0.3", 1), *b = ixp_runrec_new();
  ixp_runrec_provenance(b, "0.3", "42", 2);
  add_num(b, "a", 1, 0.5, -1);
  add_num(b, "x", 3, 1, -1);
  add_num(b, "y", 4, 1, -1);
  char *text;
  cr_assert_eq(compare(a, b, 1e-9, &text), 2, "%s", text);
  cr_assert(strstr(text, "t.ixp:2: b: print in the record, missing from the new run\n"), "%s", text);
  cr_assert(strstr(text, "t.ixp:4: y: print in the new run, not in the record\n"), "%s", text);
  cr_assert(strstr(text, "2 of 4 results differ from the record\n"), "%s", text);
  free(text);
  ixp_runrec_free(a);
  ixp_runrec_free(b);
}

Test(runrecord, results_match_by_kind_name_and_order) {
  IxpRunRecord *a = ixp_runrec_new(), *b = ixp_runrec_new();
  add_num(a, "x", 1, 1, -1);
  add_num(a, "x", 2, 2, -1);
  IxpValue two = num(2);
  ixp_runrec_result(a, "expect", "x", "t.ixp", 3, 1, &two, -1);
  /* The new run prints the same, with the expect first and lines moved. */
  ixp_runrec_result(b, "expect", "x", "t.ixp", 1, 1, &two, -1);
  add_num(b, "x", 11, 1, -1);
  add_num(b, "x", 12, 2, -1);
  char *text;
  cr_assert_eq(compare(a, b, 1e-9, &text), 0, "%s", text);
  free(text);
  /* Swapped values of the two prints of x: both differ. */
  IxpRunRecord *c = ixp_runrec_new();
  add_num(c, "x", 1, 2, -1);
  add_num(c, "x", 2, 1, -1);
  ixp_runrec_result(c, "expect", "x", "t.ixp", 3, 1, &two, -1);
  cr_assert_eq(compare(a, c, 1e-9, &text), 2, "%s", text);
  free(text);
  ixp_runrec_free(a);
  ixp_runrec_free(b);
  ixp_runrec_free(c);
}

/* --------------------------------------------------------------- inputs */

Test(runrecord, input_hash_is_sha256) {
  t_write_text(tpath("abc.txt"), "abc");
  IxpRunRecord *r = ixp_runrec_new();
  char err[256] = "";
  cr_assert(ixp_runrec_input(r, "data", tpath("abc.txt"), err, sizeof err), "%s", err);
  cr_assert(ixp_runrec_input(r, "data", tpath("abc.txt"), err, sizeof err), "%s", err);
  cr_assert(ixp_runrec_write(r, tpath("rec.json"), err, sizeof err), "%s", err);
  char *text = read_text(tpath("rec.json"));
  const char *hash = "\"sha256\": \"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"";
  cr_assert_eq(t_count(text, hash), 1, "listed once, with the SHA-256 of 'abc':\n%s", text);
  free(text);
  char *shown;
  show(r, &shown);
  cr_assert(strstr(shown, "  data  "), "%s", shown);
  cr_assert(strstr(shown, "abc.txt  ba7816bf8f01\n"), "12 hex digits:\n%s", shown);
  free(shown);
  ixp_runrec_free(r);
}

Test(runrecord, unreadable_input) {
  IxpRunRecord *r = ixp_runrec_new();
  char err[256] = "";
  cr_assert_not(ixp_runrec_input(r, "data", tpath("nope.csv"), err, sizeof err));
  char want[300];
  snprintf(want, sizeof want, "cannot read '%s': No such file or directory", tpath("nope.csv"));
  cr_assert_str_eq(err, want);
  ixp_runrec_free(r);
}

Test(runrecord, changed_input_is_noted) {
  const char *d = tpath("d.csv"), *s = tpath("a.ixp");
  char err[256] = "", want[512];
  t_write_text(s, "print 1\n");
  t_write_text(d, "abc");
  IxpRunRecord *a = run("0.3", 1.0 / 3), *b = run("0.3", 1.0 / 3 * (1 + 1e-12));
  cr_assert(ixp_runrec_input(a, "source", s, err, sizeof err), "%s", err);
  cr_assert(ixp_runrec_input(a, "data", d, err, sizeof err), "%s", err);
  t_write_text(d, "abd");
  cr_assert(ixp_runrec_input(b, "source", s, err, sizeof err), "%s", err);
  cr_assert(ixp_runrec_input(b, "data", d, err, sizeof err), "%s", err);
  char *text;
  /* Different data: a tiny change is within the tolerance, not a difference. */
  cr_assert_eq(compare(a, b, 1e-9, &text), 0, "%s", text);
  snprintf(want, sizeof want, "note: data file '%s' changed since the record (sha256 ba7816bf\u2026 \u2192 ", d);
  cr_assert(strstr(text, want), "%s", text);
  cr_assert_eq(t_count(text, "note:"), 1, "the unchanged source is not noted:\n%s", text);
  cr_assert(strstr(text, "3 results match the record\n"), "%s", text);
  free(text);
  /* An input the new run did not read. */
  IxpRunRecord *c = run("0.3", 1.0 / 3);
  cr_assert(ixp_runrec_input(c, "source", s, err, sizeof err), "%s", err);
  compare(a, c, 1e-9, &text);
  snprintf(want, sizeof want, "note: data file '%s' is not an input of the new run\n", d);
  cr_assert(strstr(text, want), "%s", text);
  free(text);
  ixp_runrec_free(a);
  ixp_runrec_free(b);
  ixp_runrec_free(c);
}

/* -------------------------------------------------------- reading errors */

Test(runrecord, malformed_json_names_line_and_column) {
  t_write_text(tpath("bad.json"), "{\n  \"ixp_record\": 1,\n  oops\n}\n");
  char err[512] = "", want[512];
  cr_assert_null(ixp_runrec_read(tpath("bad.json"), err, sizeof err));
  snprintf(want, sizeof want, "'%s' is not valid JSON (line 3, column 6: ", tpath("bad.json"));
  cr_assert(!strncmp(err, want, strlen(want)), "%s", err);
}

Test(runrecord, missing_record_file) {
  char err[512] = "", want[512];
  cr_assert_null(ixp_runrec_read(tpath("none.json"), err, sizeof err));
  snprintf(want, sizeof want, "cannot read '%s': No such file or directory", tpath("none.json"));
  cr_assert_str_eq(err, want);
}

Test(runrecord, other_json_is_refused) {
  const char *texts[] = {"{\"a\": 1}", "[1, 2]", "3", "\"ixp_record\""};
  char err[512], want[512];
  snprintf(want, sizeof want, "'%s' is not an ixp record (no \"ixp_record\" key)", tpath("x.json"));
  for (size_t i = 0; i < 4; i++) {
    t_write_text(tpath("x.json"), texts[i]);
    err[0] = 0;
    cr_assert_null(ixp_runrec_read(tpath("x.json"), err, sizeof err), "%s", texts[i]);
    cr_assert_str_eq(err, want, "for %s", texts[i]);
  }
}

Test(runrecord, wrong_types_are_errors) {
  static const char *bad[][2] = {
    {"{\"ixp_record\": \"1\"}", "bad \"ixp_record\" version"},
    {"{\"ixp_record\": 1, \"results\": []}", "\"provenance\" is missing"},
    {"{\"ixp_record\": 1, \"provenance\": {\"inputs\": [3]}, \"results\": []}", "input 1 needs"},
    {"{\"ixp_record\": 1, \"provenance\": {\"inputs\": [], \"threads\": \"2\"}, \"results\": []}", "\"threads\""},
    {"{\"ixp_record\": 1, \"provenance\": {\"inputs\": []}, \"results\": {}}", "\"results\" is missing"},
    {"{\"ixp_record\": 1, \"provenance\": {\"inputs\": []}, \"results\": [7]}", "result 1 is not an object"},
    {"{\"ixp_record\": 1, \"provenance\": {\"inputs\": []}, \"results\": [{\"kind\": 1}]}", "result 1 has no string \"kind\""},
    {"{\"ixp_record\": 1, \"provenance\": {\"inputs\": []}, \"results\": [{\"kind\": \"print\", \"name\": \"x\", "
     "\"file\": \"f\", \"line\": \"3\", \"value\": 1}]}", "result 1 has no integer \"line\""},
    {"{\"ixp_record\": 1, \"provenance\": {\"inputs\": []}, \"results\": [{\"kind\": \"print\", \"name\": \"x\", "
     "\"file\": \"f\", \"line\": 3}]}", "result 1 has no \"value\""},
    {"{\"ixp_record\": 1, \"provenance\": {\"inputs\": []}, \"results\": [{\"kind\": \"print\", \"name\": \"x\", "
     "\"file\": \"f\", \"line\": 3, \"value\": {\"matrix\": [[1, 2], [3]]}}]}", "result 1 has a value of unknown form"},
    {"{\"ixp_record\": 1, \"provenance\": {\"inputs\": []}, \"results\": [{\"kind\": \"print\", \"name\": \"x\", "
     "\"file\": \"f\", \"line\": 3, \"value\": {\"table\": {\"columns\": [\"a\"], \"rows\": [[1, 2]]}}}]}",
     "value of unknown form"},
    {"{\"ixp_record\": 1, \"provenance\": {\"inputs\": []}, \"results\": [{\"kind\": \"print\", \"name\": \"x\", "
     "\"file\": \"f\", \"line\": 3, \"value\": [1, \"one\"]}]}", "value of unknown form"},
    {"{\"ixp_record\": 2, \"provenance\": {\"inputs\": []}, \"results\": []}", "is a record of version 2"},
  };
  char err[512];
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    t_write_text(tpath("x.json"), bad[i][0]);
    err[0] = 0;
    IxpRunRecord *r = ixp_runrec_read(tpath("x.json"), err, sizeof err);
    cr_assert_null(r, "accepted %s", bad[i][0]);
    cr_assert(strstr(err, bad[i][1]) && strstr(err, tpath("x.json")), "for %s:\n%s", bad[i][0], err);
  }
}

/* ---------------------------------------------------------- atomic write */

static int files_in(const char *dir) {
  DIR *d = opendir(dir);
  cr_assert_not_null(d);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)))
    n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
  closedir(d);
  return n;
}

Test(runrecord, write_leaves_no_temporary) {
  IxpRunRecord *r = rich();
  char err[256];
  cr_assert(ixp_runrec_write(r, tpath("rec.json"), err, sizeof err), "%s", err);
  cr_assert(ixp_runrec_write(r, tpath("rec.json"), err, sizeof err), "overwriting: %s", err);
  cr_assert_eq(files_in(tdir), 1, "only rec.json");
  ixp_runrec_free(r);
}

Test(runrecord, failed_write_into_missing_folder) {
  IxpRunRecord *r = rich();
  char err[256] = "", want[300];
  cr_assert_not(ixp_runrec_write(r, tpath("no/rec.json"), err, sizeof err));
  snprintf(want, sizeof want, "cannot write '%s': No such file or directory", tpath("no/rec.json"));
  cr_assert_str_eq(err, want);
  cr_assert_eq(files_in(tdir), 0);
  ixp_runrec_free(r);
}

/* The old record survives a write that fails half way (a file size
 * limit). The temporary's name is chosen by mkstemp, so nothing can take
 * it in advance. */
Test(runrecord, failed_write_keeps_the_old_record) {
  IxpRunRecord *r = rich();
  const char *path = tpath("rec.json");
  t_write_text(path, "old record\n");
  char err[256] = "";
  char *text;

  signal(SIGXFSZ, SIG_IGN);
  struct rlimit old, lim;
  getrlimit(RLIMIT_FSIZE, &old);
  lim = old;
  lim.rlim_cur = 100;
  cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
  bool ok = ixp_runrec_write(r, path, err, sizeof err);
  setrlimit(RLIMIT_FSIZE, &old);
  cr_assert_not(ok, "a record of more than 100 bytes was written");
  cr_assert(strstr(err, "File too large"), "%s", err);
  text = read_text(path);
  cr_assert_str_eq(text, "old record\n");
  free(text);
  cr_assert_eq(files_in(tdir), 1, "the temporary is removed");
  ixp_runrec_free(r);
}

/* ----------------------------------------------------------------- show */

Test(runrecord, show_reports_provenance_inputs_and_results) {
  setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
  IxpRunRecord *r = rich();
  ixp_runrec_override(r, "n", "100");
  ixp_runrec_override(r, "eps", "0.01");
  double many[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  IxpValue v = {.type = TY_VEC, .v = many, .rows = 1, .cols = 10};
  ixp_runrec_result(r, "print", "1 .. 10", "t.ixp", 40, 1, &v, -1);
  IxpRunRecord *back = reread(r, "rec.json");
  char *text;
  show(back, &text);
  cr_assert(strstr(text, "ixp       0.3\n"), "%s", text);
  cr_assert(strstr(text, "date      2023-11-14T22:13:20Z\n"), "%s", text);
  cr_assert(strstr(text, "seed      42\n"), "%s", text);
  cr_assert(strstr(text, "threads   2\n"), "%s", text);
  cr_assert(strstr(text, "overrides n = 100, eps = 0.01\n"), "%s", text);
  cr_assert(strstr(text, "inputs    none\n"), "%s", text);
  cr_assert(strstr(text, "  line  kind   name        value\n"), "%s", text);
  cr_assert(strstr(text, "     2  print  n1          0.333333\n"), "%s", text);
  cr_assert(strstr(text, "     3  print  n2          1e-310\n"), "%s", text);
  cr_assert(strstr(text, "    20  print  nan         nan\n"), "%s", text);
  cr_assert(strstr(text, "    22  print  -inf        -inf\n"), "%s", text);
  cr_assert(strstr(text, "    30  print  v           [0.1, -0, nan, 1e-310, inf]\n"), "%s", text);
  cr_assert(strstr(text, "    31  print  m           matrix 2x3\n"), "%s", text);
  cr_assert(strstr(text, "    32  emit   sweep       table 3x2\n"), "%s", text);
  cr_assert(strstr(text, "    33  print  rd(x) in m  {rate = 0.5, distortion = 0.1, slope = -inf}\n"), "%s", text);
  cr_assert(strstr(text, "    34  print  s           \"h\u00e9llo \"q\" \"\n"), "on one line:\n%s", text);
  cr_assert(strstr(text, "    40  print  1 .. 10     [1, 2, 3, 4, 5, 6, 7, 8, \u2026]\n"), "%s", text);
  free(text);
  ixp_runrec_free(back);
  ixp_runrec_free(r);
}

/* `sweep ... to "x.json"`: the rows as an array of objects, numbers exact,
 * strings as strings, written whole (no temporary left). */
Test(runrecord, sweep_rows_to_json) {
  TRun r;
  t_open(&r, false);
  char text[512];
  snprintf(text, sizeof text, "sweep p in [0.1, 0.5] {\n  emit p, h2(p) as H, \"x\" as tag\n} to \"%s\"\n",
           tpath("rows.json"));
  cr_assert_eq(t_run(&r, text), IXP_OK, "%s", t_err(&r));
  t_close(&r);
  json_error_t e;
  json_t *rows = json_load_file(tpath("rows.json"), 0, &e);
  cr_assert_not_null(rows, "%s", e.text);
  cr_assert_eq(json_array_size(rows), 2);
  json_t *second = json_array_get(rows, 1);
  cr_assert_eq(json_real_value(json_object_get(second, "p")), 0.5);
  cr_assert_eq(json_real_value(json_object_get(second, "H")), 1.0);
  cr_assert_str_eq(json_string_value(json_object_get(second, "tag")), "x");
  cr_assert_eq(json_real_value(json_object_get(json_array_get(rows, 0), "p")), 0.1, "0.1 reads back exactly");
  json_decref(rows);
  cr_assert_eq(files_in(tdir), 1, "only rows.json is left");
}
