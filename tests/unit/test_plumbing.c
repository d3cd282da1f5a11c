/* test_plumbing.c — data plumbing through the language: names in braces
 * inside strings, files read again on every pass of a sweep, derived
 * column names, join / select / rename, datasets as matrices and back,
 * mean(EXPR) in SOURCE, nested sweeps into one CSV, print labels and
 * table models read from files.
 *
 * Files are written into a fresh temporary directory (removed afterwards)
 * and named by absolute paths. Numbers are compared with closed forms. */
#include "helpers.h"

static char tdir[64];

static void setup(void) { t_tmpdir_make(tdir, sizeof tdir, "ixp_plumbing"); }

static void teardown(void) { t_tmpdir_remove(tdir); }

TestSuite(plumbing, .init = setup, .fini = teardown);

static char *tpath(const char *name) { return t_path_in(tdir, name); }

/* A program with every "DIR" replaced by the temporary folder. */
static char *in_dir(const char *text) {
  static char buf[4096];
  char *o = buf;
  for (const char *p = text; *p;) {
    if (!strncmp(p, "DIR", 3)) {
      o += sprintf(o, "%s", tdir);
      p += 3;
    } else {
      *o++ = *p++;
    }
  }
  *o = '\0';
  return buf;
}

/* Run a program expected to succeed; returns its output (malloc'd). */
static char *run_ok(const char *program) {
  char *out = NULL, *err = t_fail(program, IXP_OK, &out);
  cr_assert_str_empty(err, "unexpected report:\n%s", err);
  free(err);
  return out;
}

/* ------------------------------------------------------------- strings */

Test(plumbing, braces_put_in_sweep_values_and_lets) {
  char *out = run_ok("let k = 1/10\nlet tag = \"run\"\nsweep e in 0 .. 2 { print \"act_{e}.npy\" }\n"
                     "print \"{tag}-{k}-{{x}}\", (\"p{k}\")\nsweep w in [0.5, 3] { print \"w{w}\" }\n");
  cr_assert_str_eq(out, "act_0.npy\nact_1.npy\nact_2.npy\nrun-0.1-{x}\np0.1\nw0.5\nw3\n");
  free(out);
}

Test(plumbing, braces_numbers_read_back_exactly) {
  /* 1/3 in the shortest text that reads back as the same double */
  char *out = run_ok("let t = 1/3\nprint \"{t}\"\n");
  cr_assert_eq(strtod(out, NULL), 1.0 / 3.0);
  free(out);
}

Test(plumbing, braces_errors_at_their_spans) {
  char *err = t_fail("let v = [1, 2]\nprint \"a{nope}\", \"b{v}\", \"{1}\", \"x}\"\n", IXP_ECOMPILE, NULL);
  cr_assert(strstr(err, "t.ixp:2:10: error: unknown name 'nope' in braces"), "%s", err);
  cr_assert(strstr(err, "t.ixp:2:21: error: 'v' is a vector"), "%s", err);
  cr_assert(strstr(err, "t.ixp:2:27: error: '{' in a string starts a name in braces"), "%s", err);
  cr_assert(strstr(err, "t.ixp:2:35: error: '}' in a string closes a name in braces"), "%s", err);
  free(err);
}

/* A CSV of one integer column x taking k distinct values, equally often:
 * its entropy is log2(k) bits. */
static void uniform_csv(const char *name, int k) {
  char text[1024] = "x,y\n";
  for (int i = 0; i < 12 * k; i++) sprintf(text + strlen(text), "%d,%d\n", i % k, i % 2);
  t_write_text(tpath(name), text);
}

Test(plumbing, data_in_sweep_reads_each_pass_file) {
  uniform_csv("u_2.csv", 2);
  uniform_csv("u_3.csv", 3);
  uniform_csv("u_4.csv", 4);
  char *out = run_ok(in_dir("sweep k in 2 .. 4 {\n  data u = csv(\"DIR/u_{k}.csv\")\n"
                            "  expect entropy(x) in u == log2(k) within 1e-12\n  print entropy(x) in u\n}\n"));
  cr_assert_eq(t_count(out, "\n"), 3);
  cr_assert_float_eq(t_value_at(out, 2), 2.0, 1e-12);
  free(out);
}

Test(plumbing, data_name_from_a_let_at_top_level) {
  uniform_csv("u_4.csv", 4);
  cr_assert_float_eq(t_number(in_dir("let n = 2 * 2\nlet f = \"DIR/u_{n}.csv\"\ndata u = csv(f)\nprint entropy(x) in u\n")),
                     2.0, 1e-12);
}

Test(plumbing, data_in_sweep_with_other_columns_is_an_error_naming_the_file) {
  uniform_csv("v_0.csv", 2);
  t_write_text(tpath("v_1.csv"), "x,z\n0,1\n1,0\n");
  char *err = t_fail(in_dir("sweep k in 0 .. 1 {\n  data v = csv(\"DIR/v_{k}.csv\")\n  print entropy(x) in v\n}\n"),
                     IXP_ERUNTIME, NULL);
  cr_assert(strstr(err, "v_1.csv: column 2 is 'z' (integer), but dataset 'v' has 'y' (integer"), "%s", err);
  free(err);
}

Test(plumbing, data_name_unknown_at_check_time_is_an_error) {
  char *err = t_fail("let p = sqrt(2)\ndata d = csv(\"x_{p}.csv\")\n", IXP_ECOMPILE, NULL);
  cr_assert(strstr(err, "t.ixp:2:14: error: the file's columns are read when the program is checked"), "%s", err);
  free(err);
}

/* ------------------------------------------------------ labels, sweeps */

Test(plumbing, print_as_label_any_string_aligned_by_characters) {
  char *out = run_ok("let p = 1/4\nprint 1 - p as \"I(X;Y) — bits\", p, [1, 2] as v\n");
  cr_assert_str_eq(out, "I(X;Y) — bits = 0.75\np             = 0.25\nv = [1, 2]\n");
  free(out);
}

Test(plumbing, sweep_table_aligns_labels_by_characters) {
  char *out = run_ok("sweep q in 0 .. 1 { emit q as \"ε\", 2 * q as \"2ε\" }\n");
  cr_assert_str_eq(out, "ε  2ε\n0   0\n1   2\n");
  free(out);
}

/* The text of a file (malloc'd). */
static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  cr_assert_not_null(f, "no file %s", path);
  static char buf[8192];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  return strdup(buf);
}

Test(plumbing, nested_sweeps_write_one_long_csv) {
  char *out = run_ok(in_dir("sweep a in 1 .. 2 {\n  sweep b in [0.5, 1] {\n    sweep c in 0 .. 1 {\n"
                            "      emit b, c, a * b + c as \"a·b + c\"\n    } to \"DIR/long.csv\"\n  }\n}\n"));
  free(out);
  char *csv = slurp(tpath("long.csv"));
  cr_assert_str_eq(csv, "a,b,c,a·b + c\n1,0.5,0,0.5\n1,0.5,1,1.5\n1,1,0,1\n1,1,1,2\n"
                        "2,0.5,0,1\n2,0.5,1,2\n2,1,0,2\n2,1,1,3\n");
  free(csv);
}

Test(plumbing, nested_sweep_file_named_by_the_outer_variable_makes_one_file_each) {
  free(run_ok(in_dir("sweep a in 1 .. 2 {\n  sweep b in [0.5, 1] { emit b, a * b as \"a b\" } to \"DIR/per_{a}.csv\"\n}\n")));
  char *one = slurp(tpath("per_1.csv")), *two = slurp(tpath("per_2.csv"));
  cr_assert_str_eq(one, "a,b,a b\n1,0.5,0.5\n1,1,1\n");
  cr_assert_str_eq(two, "a,b,a b\n2,0.5,1\n2,1,2\n");
  free(one);
  free(two);
}

Test(plumbing, nested_sweep_error_writes_no_file) {
  char *err = t_fail(in_dir("sweep a in 1 .. 2 {\n  sweep b in 0 .. 1 { emit b, 1 / (a - 2 + b) } to \"DIR/none.csv\"\n}\n"),
                     IXP_ERUNTIME, NULL);
  cr_assert(strstr(err, "division by zero"), "%s", err);
  cr_assert_neq(access(tpath("none.csv"), F_OK), 0, "a file was written before the outer sweep ended");
  free(err);
}

/* ------------------------------------------- join, select, rename, rows */

static void ab_files(void) {
  t_write_text(tpath("a.csv"), "x,y\n0,0\n0,1\n1,0\n1,1\n");
  t_write_text(tpath("b.csv"), "y,z,s\n1,0.5,u\n0,1.5,v\n1,2.5,u\n1,3.5,w\n");
}

Test(plumbing, join_rename_select_keep_rows_in_order) {
  ab_files();
  /* x = 0 0 1 1, y2 = 1 0 1 1: H(x) = 1, H(y2) = h2(1/4), H(x, y2) = 1.5 */
  char *out = run_ok(in_dir("data a = csv(\"DIR/a.csv\")\ndata b = csv(\"DIR/b.csv\")\n"
                            "data b2 = rename(b, y = \"y2\")\ndata j = join(a, b2)\n"
                            "print mi(x; y2) in j\ndata s = j[s, z, x, y]\nprint matrix(s)\n"));
  cr_assert_float_eq(t_value_at(out, 0), 1 + t_h2(0.25) - 1.5, 1e-12);
  cr_assert(strstr(out, "matrix(s) = [[0, 0.5, 0, 0], [1, 1.5, 0, 1], [0, 2.5, 1, 0], [2, 3.5, 1, 1]]\n"), "%s", out);
  free(out);
}

Test(plumbing, join_of_unequal_lengths_names_both_counts) {
  ab_files();
  t_write_text(tpath("c.csv"), "q\n1\n2\n");
  char *err = t_fail(in_dir("data a = csv(\"DIR/a.csv\")\ndata c = csv(\"DIR/c.csv\")\ndata j = join(a, c)\n"),
                     IXP_ERUNTIME, NULL);
  cr_assert(strstr(err, "join needs datasets of the same number of rows: 'a' has 4, 'c' has 2"), "%s", err);
  free(err);
}

Test(plumbing, join_with_a_shared_column_is_a_check_error) {
  ab_files();
  char *err = t_fail(in_dir("data a = csv(\"DIR/a.csv\")\ndata b = csv(\"DIR/b.csv\")\ndata j = join(a, b)\n"),
                     IXP_ECOMPILE, NULL);
  cr_assert(strstr(err, "t.ixp:3:18: error: column 'y' is in 'b' and in an earlier dataset of this join"), "%s", err);
  cr_assert(strstr(err, "rename(b, y = \"y_b\")"), "%s", err);
  free(err);
}

Test(plumbing, rows_of_a_matrix_and_back) {
  /* the columns of rows(M) are M's columns: r[0] = 1 3 5, r[1] = 2 4 6 */
  char *out = run_ok("let M = [[1, 2], [3, 4], [5, 6]]\ndata r = rows(M)\nprint matrix(r)\n"
                     "data u = r[r[1]]\nprint matrix(u)\ndata w = rows(M, columns = [\"a\", \"b\"])\n"
                     "print mi(a; b) in w using plugin(bins = 2)\n");
  cr_assert(strstr(out, "matrix(r) = [[1, 2], [3, 4], [5, 6]]\nmatrix(u) = [[2], [4], [6]]\n"), "%s", out);
  /* binned in halves, a and b fall in the same bins (0, 0, 1): MI = H = h2(1/3) */
  cr_assert_float_eq(t_value_at(out, 2), t_h2(1.0 / 3.0), 1e-12);
  free(out);
}

Test(plumbing, rows_of_eye_has_the_width_the_checker_infers) {
  /* the rows of eye(3): each column holds one 1 in three rows, H = h2(1/3) */
  cr_assert_float_eq(t_number("data r = rows(eye(3))\nprint entropy(r[1]) in r using plugin(bins = 2)\n"), t_h2(1.0 / 3.0),
                     1e-12);
}

Test(plumbing, rows_of_a_matrix_of_unknown_width_asks_for_names) {
  char *err = t_fail("let M = if 1 > 0 then [[1, 2]] else [[3, 4]]\ndata r = rows(M)\n", IXP_ECOMPILE, NULL);
  cr_assert(strstr(err, "t.ixp:2:15: error: the checker cannot tell how many columns this matrix has"), "%s", err);
  free(err);
}

/* --------------------------------------------------- tables from files */

/* A .npy file (format 1.0) of little-endian doubles, rows x cols. */
static void npy_doubles(const char *name, int rows, int cols, const double *x) {
  char dict[128];
  snprintf(dict, sizeof dict, "{'descr': '<f8', 'fortran_order': False, 'shape': (%d, %d), }", rows, cols);
  size_t hlen = strlen(dict) + 1;
  hlen += (64 - (10 + hlen) % 64) % 64;
  FILE *f = fopen(tpath(name), "wb");
  cr_assert_not_null(f);
  unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)hlen, (unsigned char)(hlen >> 8)};
  fwrite(pre, 1, 10, f);
  fprintf(f, "%-*s\n", (int)hlen - 1, dict);
  fwrite(x, sizeof *x, (size_t)rows * (size_t)cols, f);  /* the test machine is little-endian */
  cr_assert_eq(fclose(f), 0);
}

Test(plumbing, table_from_csv_and_npy_equal_the_written_table) {
  t_write_text(tpath("pmf.csv"), "x,prob,y\n0,0.5,0\n0,0.25,1\n1,0.125,0\n1,0.125,1\n");
  const double pmf[] = {0, 0, 0.5, 0, 1, 0.25, 1, 0, 0.125, 1, 1, 0.125};
  npy_doubles("pmf.npy", 4, 3, pmf);
  char *out = run_ok(in_dir("model m = table from csv(\"DIR/pmf.csv\", prob = \"prob\")\n"
                            "model q = table from npy(\"DIR/pmf.npy\", columns = [\"a\", \"b\"])\n"
                            "model w = table (x, y) {\n  0 0 : 0.5\n  0 1 : 0.25\n  1 0 : 0.125\n  1 1 : 0.125\n}\n"
                            "print mi(x; y) in m, mi(a; b) in q, mi(x; y) in w\n"));
  /* H(x) = h2(1/4), H(y) = h2(3/8), H(x, y) = 1.75 */
  double want = t_h2(0.25) + t_h2(0.375) - 1.75;
  cr_assert_float_eq(t_value_at(out, 0), want, 1e-12);
  cr_assert_eq(t_value_at(out, 1), t_value_at(out, 0));
  cr_assert_eq(t_value_at(out, 2), t_value_at(out, 0));
  free(out);
}

Test(plumbing, table_file_errors_name_file_row_and_column) {
  t_write_text(tpath("dup.csv"), "x,p\n0,0.5\n1,0.25\n0,0.25\n");
  t_write_text(tpath("short.csv"), "x,p\n0,0.5\n1,0.25\n");
  t_write_text(tpath("big.csv"), "x,p\n0,-0.5\n1,1.5\n");
  t_write_text(tpath("text.csv"), "x,p\na,0.5\nb,0.5\n");
  char *err = t_fail(in_dir("model a = table from csv(\"DIR/dup.csv\")\nmodel b = table from csv(\"DIR/short.csv\")\n"
                            "model c = table from csv(\"DIR/big.csv\")\nmodel d = table from csv(\"DIR/text.csv\")\n"),
                     IXP_ECOMPILE, NULL);
  cr_assert(strstr(err, "dup.csv: row 4 repeats the values of row 2"), "%s", err);
  cr_assert(strstr(err, "short.csv: the probabilities in column 'p' sum to 0.75, not 1"), "%s", err);
  cr_assert(strstr(err, "big.csv: row 2, column 'p': probability -0.5 is not a number in [0, 1]"), "%s", err);
  cr_assert(strstr(err, "text.csv: column 'x' holds text"), "%s", err);
  free(err);
}

/* --------------------------------------------------- derived column names */

Test(plumbing, npy_columns_are_name_index_in_a_group) {
  double x[30];
  for (int i = 0; i < 10; i++) x[3 * i] = i % 2, x[3 * i + 1] = i % 5, x[3 * i + 2] = (i * 7) % 3;
  npy_doubles("ep.npy", 10, 3, x);
  /* the group is its columns in order: the same plans, bit for bit */
  char *out = run_ok(in_dir("data ep0 = npy(\"DIR/ep.npy\")\nprint entropy(ep0) in ep0 using plugin(bins = 5)\n"
                            "print entropy(ep0[0], ep0[1], ep0[2]) in ep0 using plugin(bins = 5)\n"
                            "print entropy(ep0[0 .. 1]) in ep0 using plugin(bins = 5), "
                            "entropy(ep0[0], ep0[1]) in ep0 using plugin(bins = 5)\n"
                            "data s = ep0[ep0[1 .. 2]]\nprint matrix(s)[0]\n"));
  cr_assert_eq(t_value_at(out, 0), t_value_at(out, 1), "%s", out);
  cr_assert_eq(t_value_at(out, 2), t_value_at(out, 3), "%s", out);
  /* (i % 2, i % 5) over i = 0 .. 9 takes 10 distinct pairs, each once */
  cr_assert_float_eq(t_value_at(out, 2), log2(10), 1e-12);
  cr_assert(strstr(out, "matrix(s)[0] = [0, 0]\n"), "%s", out);
  free(out);
}

Test(plumbing, old_numbered_names_of_npy_columns_are_unknown) {
  double x[4] = {0, 1, 1, 0};
  npy_doubles("ep.npy", 2, 2, x);
  char *err = t_fail(in_dir("data ep0 = npy(\"DIR/ep.npy\")\nprint entropy(ep00) in ep0\n"), IXP_ECOMPILE, NULL);
  cr_assert(strstr(err, "unknown variable 'ep00' in dataset 'ep0'"), "%s", err);
  free(err);
}

/* ----------------------------------------------------- mean(EXPR) in SOURCE */

Test(plumbing, mean_under_a_model_is_the_exact_expectation) {
  char *out = run_ok("model die { k ~ categorical([1/6, 1/6, 1/6, 1/6, 1/6, 1/6]) }\n"
                     "model bits { b[4] ~ bernoulli(1/4) }\n"
                     "print mean(k) in die, mean(k^2) in die, mean(x xor y) in bsc(p = 0.2), mean(sum(b)) in bits, "
                     "mean([1, 2, 3, 6])\n");
  cr_assert_float_eq(t_value_at(out, 0), 2.5, 1e-15);
  cr_assert_float_eq(t_value_at(out, 1), 55.0 / 6.0, 1e-14);
  cr_assert_float_eq(t_value_at(out, 2), 0.2, 1e-15);  /* P(x xor y = 1) = p */
  cr_assert_float_eq(t_value_at(out, 3), 1.0, 1e-15);  /* 4 * 1/4 */
  cr_assert_float_eq(t_value_at(out, 4), 3.0, 1e-15);  /* the builtin mean of a vector still works */
  free(out);
}

Test(plumbing, mean_over_a_dataset_is_the_row_average) {
  t_write_text(tpath("v.csv"), "x,y\n1,2\n2,2\n4,0.5\n9,0.25\n");
  /* x * y: 2, 4, 2, 2.25 -> 10.25 / 4 */
  char *out = run_ok(in_dir("data v = csv(\"DIR/v.csv\")\nprint mean(x * y) in v, mean(x) in v\n"));
  cr_assert_eq(t_value_at(out, 0), 10.25 / 4);
  cr_assert_eq(t_value_at(out, 1), 4.0);
  free(out);
}

Test(plumbing, mean_errors) {
  char *err = t_fail("model g { x ~ normal(0, 1) }\nprint mean(x) in g\nprint mean(x) in bsc using ksg\n"
                     "model die { k ~ categorical([1/2, 1/2]) }\nprint mean([k, k]) in die\n", IXP_ECOMPILE, NULL);
  cr_assert(strstr(err, "t.ixp:2:18: error: mean(...) in g needs its exact joint"), "%s", err);
  cr_assert(strstr(err, "t.ixp:3:28: error: mean(...) in SOURCE is exact"), "%s", err);
  cr_assert(strstr(err, "t.ixp:5:12: error: mean(...) in die averages a number, not a vector"), "%s", err);
  free(err);
  err = t_fail("model die { k ~ categorical([1/2, 1/2]) }\nprint mean(1 / k) in die\n", IXP_ERUNTIME, NULL);
  cr_assert(strstr(err, "division by zero when k = 0"), "%s", err);
  free(err);
}
