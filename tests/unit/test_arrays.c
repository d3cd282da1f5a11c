/* test_arrays.c — vectors and matrices (stdlib/arrays.c and the language
 * around it): products against a naive triple loop, softmax entropies,
 * kl_of / js_of / cross_entropy_of on known values, norms, indexing and
 * slicing bounds, check-time shapes and their errors, files as values. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arrays.h"
#include "checker.h"
#include "helpers.h"
#include "parse.h"

/* A deterministic pseudo-random number in [-1, 1). */
static double noise(uint64_t *state) {
  *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(*state >> 11) / 4503599627370496.0 - 1;
}

static IxpValue array(IxpArena *a, IxpType t, int rows, int cols, uint64_t *state) {
  double *v = ixp_arena_alloc(a, (size_t)rows * (size_t)cols * sizeof *v + 8);
  for (int i = 0; i < rows * cols; i++) v[i] = noise(state);
  return (IxpValue){.type = t, .v = v, .rows = rows, .cols = cols};
}

/* c = a b by the textbook triple loop, in long double. */
static void naive_product(const double *a, const double *b, long double *c, int m, int k, int n) {
  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++) {
      long double s = 0;
      for (int l = 0; l < k; l++) s += (long double)a[i * k + l] * b[l * n + j];
      c[i * n + j] = s;
    }
}

/* ----------------------------------------------------------------- products */

/* Both sides of IXP_ARRAY_GEMM_FLOPS: the summed loop and BLIS agree with
 * a long-double triple loop to within k ulps of the terms' magnitudes. */
Test(arrays, matrix_product_matches_a_naive_triple_loop) {
  const int shapes[][3] = {{2, 3, 4}, {7, 5, 3}, {1, 9, 1}, {40, 50, 60}, {97, 33, 71}, {3, 0, 4}};
  uint64_t state = 42;
  for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
    int m = shapes[s][0], k = shapes[s][1], n = shapes[s][2];
    IxpArena *arena = ixp_arena_new();
    IxpValue a = array(arena, TY_MAT, m, k, &state), b = array(arena, TY_MAT, k, n, &state), c;
    char err[256];
    cr_assert_null(ixp_array_binary(OP_MUL, &a, &b, &c, arena, err, sizeof err), "%s", err);
    cr_assert_eq(c.type, TY_MAT);
    cr_assert_eq(c.rows, m);
    cr_assert_eq(c.cols, n);
    long double *want = malloc((size_t)(m * n + 1) * sizeof *want);
    naive_product(a.v, b.v, want, m, k, n);
    for (int i = 0; i < m * n; i++)
      cr_assert_leq(fabsl(c.v[i] - want[i]), (k + 1) * 2.3e-16L, "%dx%dx%d entry %d: %.17g vs %.17Lg", m, k, n, i, c.v[i], want[i]);
    free(want);
    ixp_arena_free(arena);
  }
}

/* Matrix-vector and vector-matrix products sum left to right, so they
 * equal, bit for bit, the sum written out term by term. */
Test(arrays, matrix_vector_products_sum_left_to_right) {
  uint64_t state = 7;
  IxpArena *arena = ixp_arena_new();
  IxpValue a = array(arena, TY_MAT, 5, 6, &state), x = array(arena, TY_VEC, 1, 6, &state),
           y = array(arena, TY_VEC, 1, 5, &state), ax, ya;
  char err[256];
  cr_assert_null(ixp_array_binary(OP_MUL, &a, &x, &ax, arena, err, sizeof err), "%s", err);
  cr_assert_null(ixp_array_binary(OP_MUL, &y, &a, &ya, arena, err, sizeof err), "%s", err);
  cr_assert_eq(ax.type, TY_VEC);
  cr_assert_eq(ax.cols, 5);
  cr_assert_eq(ya.cols, 6);
  for (int i = 0; i < 5; i++) {
    double s = a.v[i * 6] * x.v[0];
    for (int j = 1; j < 6; j++) s = s + a.v[i * 6 + j] * x.v[j];
    cr_assert_eq(ax.v[i], s, "row %d", i);
  }
  for (int j = 0; j < 6; j++) {
    double s = y.v[0] * a.v[j];
    for (int i = 1; i < 5; i++) s = s + y.v[i] * a.v[i * 6 + j];
    cr_assert_eq(ya.v[j], s, "column %d", j);
  }
  ixp_arena_free(arena);
}

Test(arrays, shapes_that_do_not_fit_name_both) {
  IxpType t;
  int r, c;
  char err[256];
  cr_assert_not(ixp_array_result_shape(OP_ADD, TY_VEC, 1, 3, TY_VEC, 1, 4, &t, &r, &c, err, sizeof err));
  cr_assert_str_eq(err, "cannot add a 3-vector and a 4-vector");
  cr_assert_not(ixp_array_result_shape(OP_MUL, TY_MAT, 2, 3, TY_VEC, 1, 4, &t, &r, &c, err, sizeof err));
  cr_assert_str_eq(err, "cannot multiply a 2x3 matrix by a 4-vector");
  cr_assert_not(ixp_array_result_shape(OP_MUL, TY_VEC, 1, 8, TY_VEC, 1, 8, &t, &r, &c, err, sizeof err));
  cr_assert(strstr(err, "cannot multiply an 8-vector by an 8-vector: write dot(u, v)"), "%s", err);
  cr_assert_not(ixp_array_result_shape(OP_SUB, TY_MAT, 2, 2, TY_VEC, 1, 2, &t, &r, &c, err, sizeof err));
  cr_assert_str_eq(err, "cannot subtract a 2-vector from a 2x2 matrix");
  /* an unknown size fits, and the result keeps what is known */
  cr_assert(ixp_array_result_shape(OP_MUL, TY_MAT, 2, -1, TY_VEC, 1, 5, &t, &r, &c, err, sizeof err));
  cr_assert(t == TY_VEC && r == 1 && c == 2);
  cr_assert(ixp_array_result_shape(OP_ADD, TY_ANY, -1, -1, TY_VEC, 1, 5, &t, &r, &c, err, sizeof err));
  cr_assert(t == TY_VEC && c == 5);
  cr_assert(ixp_array_result_shape(OP_MUL, TY_MAT, 4, 3, TY_MAT, 3, 7, &t, &r, &c, err, sizeof err));
  cr_assert(t == TY_MAT && r == 4 && c == 7);
}

/* --------------------------------------------------- softmax, information */

/* The entropy of softmax(l) is log sum exp(l) - sum softmax(l)_i l_i: a
 * formula that never forms the probabilities' logarithms. */
Test(arrays, softmax_row_entropy_matches_the_log_sum_exp_form) {
  uint64_t state = 3;
  IxpArena *arena = ixp_arena_new();
  IxpValue l = array(arena, TY_MAT, 6, 9, &state), p, h;
  for (int i = 0; i < 54; i++) l.v[i] *= 8;
  char err[256];
  cr_assert_null(ixp_array_softmax(&l, &p, arena, err, sizeof err), "%s", err);
  cr_assert_null(ixp_array_information(IXP_INFO_ENTROPY, &p, NULL, &h, arena, err, sizeof err), "%s", err);
  cr_assert_eq(h.type, TY_VEC);
  cr_assert_eq(h.cols, 6);
  for (int r = 0; r < 6; r++) {
    const double *row = l.v + r * 9;
    long double max = row[0], z = 0, mean = 0;
    for (int j = 1; j < 9; j++) max = fmaxl(max, row[j]);
    for (int j = 0; j < 9; j++) z += expl(row[j] - max);
    for (int j = 0; j < 9; j++) mean += expl(row[j] - max) / z * row[j];
    long double want = logl(z) + max - mean;
    cr_assert_leq(fabsl(h.v[r] - want), 1e-13L, "row %d: %.17g vs %.17Lg", r, h.v[r], want);
  }
  ixp_arena_free(arena);
}

static double info(IxpInfoKind kind, const double *p, const double *q, int n) {
  IxpArena *arena = ixp_arena_new();
  IxpValue pv = {.type = TY_VEC, .v = (double *)p, .rows = 1, .cols = n};
  IxpValue qv = {.type = TY_VEC, .v = (double *)q, .rows = 1, .cols = n}, out;
  char err[256];
  cr_assert_null(ixp_array_information(kind, &pv, q ? &qv : NULL, &out, arena, err, sizeof err), "%s", err);
  ixp_arena_free(arena);
  return out.num.x;
}

Test(arrays, kl_js_and_cross_entropy_on_known_values) {
  const double p[] = {0.5, 0.5}, q[] = {0.25, 0.75}, a[] = {1, 0}, b[] = {0, 1};
  /* KL(p || q) = 1/2 ln 2 + 1/2 ln(2/3) */
  cr_assert_float_eq(info(IXP_INFO_KL, p, q, 2), 0.5 * log(2) + 0.5 * log(2.0 / 3), 1e-15);
  /* disjoint supports: JS = ln 2, KL infinite */
  cr_assert_float_eq(info(IXP_INFO_JS, a, b, 2), log(2), 1e-15);
  cr_assert(isinf(info(IXP_INFO_KL, a, b, 2)));
  /* JS is symmetric; H(p, q) = H(p) + KL(p || q) */
  cr_assert_eq(info(IXP_INFO_JS, p, q, 2), info(IXP_INFO_JS, q, p, 2));
  cr_assert_float_eq(info(IXP_INFO_CROSS, p, q, 2), info(IXP_INFO_ENTROPY, p, NULL, 2) + info(IXP_INFO_KL, p, q, 2), 1e-15);
  cr_assert_float_eq(info(IXP_INFO_ENTROPY, q, NULL, 2), -(0.25 * log(0.25) + 0.75 * log(0.75)), 1e-15);
  /* JS(p, q) = H(m) - (H(p) + H(q)) / 2 */
  const double m[] = {0.375, 0.625};
  cr_assert_float_eq(info(IXP_INFO_JS, p, q, 2),
                     info(IXP_INFO_ENTROPY, m, NULL, 2) - (info(IXP_INFO_ENTROPY, p, NULL, 2) + info(IXP_INFO_ENTROPY, q, NULL, 2)) / 2,
                     1e-15);
}

Test(arrays, a_row_that_is_not_a_distribution_is_named) {
  IxpArena *arena = ixp_arena_new();
  double v[] = {0.5, 0.5, 0.7, 0.4, 0.2, 0.8};
  IxpValue p = {.type = TY_MAT, .v = v, .rows = 3, .cols = 2}, out;
  char err[256];
  cr_assert_not_null(ixp_array_information(IXP_INFO_ENTROPY, &p, NULL, &out, arena, err, sizeof err));
  cr_assert_str_eq(err, "entropy_of: row 1 of p is not a distribution: its entries sum to 1.1, not 1");
  v[2] = -0.1, v[3] = 1.1;
  cr_assert_not_null(ixp_array_information(IXP_INFO_ENTROPY, &p, NULL, &out, arena, err, sizeof err));
  cr_assert_str_eq(err, "entropy_of: row 1 of p is not a distribution: entry 0 is -0.1, outside [0, 1]");
  /* within 1e-9 of 1 is a distribution, never normalised */
  v[2] = 0.6 + 5e-10, v[3] = 0.4;
  cr_assert_null(ixp_array_information(IXP_INFO_ENTROPY, &p, NULL, &out, arena, err, sizeof err), "%s", err);
  ixp_arena_free(arena);
}

/* ------------------------------------------------------------------ norms */

Test(arrays, norm_is_euclidean_and_frobenius_without_overflow) {
  double v[] = {3, 4}, big[] = {3e200, 4e200}, m[] = {1, 2, 3, 4};
  cr_assert_eq(ixp_array_norm(&(IxpValue){.type = TY_VEC, .v = v, .rows = 1, .cols = 2}), 5);
  cr_assert_float_eq(ixp_array_norm(&(IxpValue){.type = TY_VEC, .v = big, .rows = 1, .cols = 2}), 5e200, 1e186);
  cr_assert_float_eq(ixp_array_norm(&(IxpValue){.type = TY_MAT, .v = m, .rows = 2, .cols = 2}), sqrt(30.0), 1e-15);
  cr_assert_eq(ixp_array_norm(&(IxpValue){.type = TY_VEC, .v = v, .rows = 1, .cols = 0}), 0);
  double holes[] = {1, NAN, 2};
  cr_assert(isnan(ixp_array_norm(&(IxpValue){.type = TY_VEC, .v = holes, .rows = 1, .cols = 3})), "a NaN is not skipped");
}

/* ------------------------------------------------------- the language side */

static const char *run_ok(TRun *r, const char *program) {
  t_open(r, false);
  IxpStatus st = t_run(r, program);
  cr_assert_eq(st, IXP_OK, "status %d for:\n%s\n%s", st, program, t_err(r));
  return t_out(r);
}

Test(arrays, indexing_and_slicing_select_rows_columns_and_ranges) {
  TRun r;
  const char *out = run_ok(&r, "let A = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]\nlet x = [10, 11, 12, 13]\n"
                               "A[1, 2]\nA[1, ..]\nA[.., 2]\nA[0 .. 1, 1 .. 2]\n"
                               "x[0 .. 3]\nx[1 .. 3 step 2]\nA[2]\nA[1 .. 2]\nx[2 .. 1]\n");
  cr_assert_str_eq(out, "6\n[4, 5, 6]\n[3, 6, 9]\n[[2, 3], [5, 6]]\n[10, 11, 12, 13]\n[11, 13]\n[7, 8, 9]\n"
                        "[[4, 5, 6], [7, 8, 9]]\n[]\n");
  t_close(&r);
}

Test(arrays, slices_past_the_end_are_runtime_errors) {
  char *err = t_fail("let x = [1, 2, 3, 4]\nprint x[0 .. 4]\n", IXP_ERUNTIME, NULL);
  cr_assert(strstr(err, "t.ixp:2:9: error: index 4 is outside 0 .. 3"), "%s", err);
  free(err);
  err = t_fail("let A = eye(3)\nprint A[.., 3]\n", IXP_ERUNTIME, NULL);
  cr_assert(strstr(err, "column index 3 is outside 0 .. 2"), "%s", err);
  free(err);
  err = t_fail("let A = eye(3)\nprint A[-1, 0]\n", IXP_ERUNTIME, NULL);
  cr_assert(strstr(err, "row index -1 is outside 0 .. 2"), "%s", err);
  free(err);
  err = t_fail("let A = eye(3)\nprint A[0 .. 1 step 1/2, 0]\n", IXP_ERUNTIME, NULL);
  cr_assert(strstr(err, "an index must be a whole number, not 0.5"), "%s", err);
  free(err);
}

Test(arrays, shape_errors_are_check_errors_naming_both_shapes) {
  char *err = t_fail("let u = [1, 2, 3]\nlet n = 4\nlet v = zeros(n)\nprint u + v\n", IXP_ECOMPILE, NULL);
  cr_assert(strstr(err, "t.ixp:4:7: error: cannot add a 3-vector and a 4-vector"), "%s", err);
  free(err);
  err = t_fail("let W = ones(2, 3)\nprint tanh(W * [1, 2, 3, 4])\n", IXP_ECOMPILE, NULL);
  cr_assert(strstr(err, "cannot multiply a 2x3 matrix by a 4-vector"), "%s", err);
  free(err);
  err = t_fail("print [1, 2] * [3, 4]\n", IXP_ECOMPILE, NULL);
  cr_assert(strstr(err, "write dot(u, v) for the inner product, or u .* v elementwise"), "%s", err);
  free(err);
  err = t_fail("print [1, 2] < 3\n", IXP_ECOMPILE, NULL);
  cr_assert(strstr(err, "'<' needs a number, not a vector"), "%s", err);
  free(err);
}

/* The checker's shapes, as ixp_check_shape gives them to other parts. */
Test(arrays, the_checker_tracks_shapes_through_operations) {
  TRun r;
  t_open(&r, false);
  const char *text = "let n = 4\nlet W = ones(3, n)\nlet x = zeros(n)\nlet h = tanh(W * x + [1, 2, 3])\n"
                     "let P = softmax(concat(W, [[1, 2, 3, 4]]))\nlet H = entropy_of(P)\nlet c = W[.., 1 .. 2]\n"
                     "let t = transpose(W) * [1, 2, 3]\nlet k = 2 * n\nlet s = sum(x)\nlet g = linspace(0, 1, k + 1)\n";
  IxpSource *src = ixp_source_new("t.ixp", text, strlen(text));
  IxpArena *arena = ixp_arena_new();
  IxpAst *program = ixp_parse(src, arena, NULL, false, NULL);
  cr_assert_not_null(program);
  cr_assert_eq(ixp_check_program(r.s, program, src, arena), 0, "%s", t_err(&r));
  const int want[][2] = {{-1, -1}, {3, 4}, {1, 4}, {1, 3}, {4, 4}, {1, 4}, {3, 2}, {1, 4}, {-1, -1}, {-1, -1}, {1, 9}};
  for (int i = 0; i < program->nitems; i++) {
    int rows, cols;
    bool known = ixp_check_shape(program->items[i]->a, &rows, &cols);
    cr_assert_eq(rows, want[i][0], "statement %d: rows %d", i + 1, rows);
    cr_assert_eq(cols, want[i][1], "statement %d: cols %d", i + 1, cols);
    cr_assert_eq(known, want[i][0] >= 0);
  }
  cr_assert(program->items[8]->sem.constant && program->items[8]->sem.value == 8, "2 * n is a constant");
  cr_assert_not(program->items[9]->sem.constant);
  t_close(&r);
  ixp_arena_free(arena);
  ixp_source_free(src);
}

Test(arrays, elementwise_functions_map_and_keep_numbers_numbers) {
  TRun r;
  const char *out = run_ok(&r, "relu([-2, 0, 3])\nsigmoid(0)\nexp([0, 0])\nabs(-1/3)\n"
                               "sqrt([[4, 9], [16, 25]])\nlog([1, 8], 2)\n");
  cr_assert_str_eq(out, "[0, 0, 3]\n0.5\n[1, 1]\n0.3333333333333333\n[[2, 3], [4, 5]]\n[0, 3]\n");
  t_close(&r);
  char *err = t_fail("print sqrt([1, -1])\n", IXP_ERUNTIME, NULL);
  cr_assert(strstr(err, "sqrt(-1) is outside the function's domain at element 1"), "%s", err);
  free(err);
  /* very negative arguments do not overflow */
  cr_assert_eq(t_number("print sigmoid(-800)\n"), 0);
  cr_assert_eq(t_number("print sigmoid(800)\n"), 1);
}

Test(arrays, pi_and_e_are_the_nearest_doubles) {
  cr_assert_eq(t_number("print pi\n"), M_PI);
  cr_assert_eq(t_number("print e\n"), M_E);
}

/* Information functions answer in the session's units. */
Test(arrays, information_of_rows_is_in_the_session_units) {
  cr_assert_float_eq(t_number("print entropy_of([1/4, 1/4, 1/2])\n"), 1.5, 1e-15);
  cr_assert_float_eq(t_number("units nats\nprint entropy_of([1/4, 1/4, 1/2])\n"), 1.5 * log(2), 1e-15);
  TRun r;
  const char *out = run_ok(&r, "kl_of([[1/2, 1/2], [1, 0]], [1/2, 1/2])\n");
  cr_assert_str_eq(out, "[0, 1]\n");
  t_close(&r);
}

/* npy() and csv() as values: shapes read at check time, bad values named. */
Test(arrays, files_are_values_with_their_errors_located) {
  char dir[64];
  t_tmpdir_make(dir, sizeof dir, "ixp_arrays");
  char *csv = t_path_in(dir, "m.csv"), *bad = t_path_in(dir, "bad.csv"), *prog = t_path_in(dir, "p.ixp");
  t_write_text(csv, "a,b,c\n1,2,3\n4,5,6\n");
  t_write_text(bad, "a,b\n1,2\n3,nan\n");
  TRun r;
  t_open(&r, false);
  const char *text = "let M = csv(\"m.csv\")\nM * [1, 1, 1]\n";
  cr_assert_eq(ixp_session_run(r.s, prog, text, strlen(text)), IXP_OK, "%s", t_err(&r));
  cr_assert_str_eq(t_out(&r), "[6, 15]\n");
  t_close(&r);
  t_open(&r, false);
  text = "let M = csv(\"m.csv\")\nprint M * [1, 1]\n";
  cr_assert_eq(ixp_session_run(r.s, prog, text, strlen(text)), IXP_ECOMPILE);
  cr_assert(strstr(t_err(&r), "cannot multiply a 2x3 matrix by a 2-vector"), "%s", t_err(&r));
  t_close(&r);
  t_open(&r, false);
  text = "print csv(\"m.csv\", header = 0)\n";
  cr_assert_eq(ixp_session_run(r.s, prog, text, strlen(text)), IXP_ECOMPILE, "a header line read as numbers");
  cr_assert(strstr(t_err(&r), "column 'c0' is not numeric"), "%s", t_err(&r));
  t_close(&r);
  t_open(&r, false);
  text = "print csv(\"bad.csv\")\n";
  cr_assert_eq(ixp_session_run(r.s, prog, text, strlen(text)), IXP_ECOMPILE);
  cr_assert(strstr(t_err(&r), "bad.csv: row 3, column 'b' is NaN"), "%s", t_err(&r));
  t_close(&r);
  t_tmpdir_remove(dir);
}

/* A .npy file of shape `shape` ("(3,)" or "(2, 2)") holding v. */
static void write_npy(const char *path, const char *shape, const double *v, int n) {
  char dict[128];
  snprintf(dict, sizeof dict, "{'descr': '<f8', 'fortran_order': False, 'shape': %s, }", shape);
  size_t hlen = strlen(dict) + 1;
  hlen += (64 - (10 + hlen) % 64) % 64;
  FILE *f = fopen(path, "wb");
  cr_assert_not_null(f);
  unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)hlen, (unsigned char)(hlen >> 8)};
  fwrite(pre, 1, 10, f);
  fprintf(f, "%-*s\n", (int)hlen - 1, dict);
  fwrite(v, sizeof *v, (size_t)n, f);  /* little-endian machine */
  cr_assert_eq(fclose(f), 0);
}

Test(arrays, npy_files_are_vectors_or_matrices_by_their_dimensions) {
  char dir[64];
  t_tmpdir_make(dir, sizeof dir, "ixp_arrays_npy");
  const double v[] = {1, 2, 3, 4}, bad[] = {1, 2, INFINITY, 4};
  write_npy(t_path_in(dir, "v.npy"), "(4,)", v, 4);
  write_npy(t_path_in(dir, "m.npy"), "(2, 2)", v, 4);
  write_npy(t_path_in(dir, "bad.npy"), "(4,)", bad, 4);
  char *prog = t_path_in(dir, "p.ixp");
  TRun r;
  t_open(&r, false);
  const char *text = "let x = npy(\"v.npy\")\nlet M = npy(\"m.npy\")\nx[1 .. 2]\nM * x[0 .. 1]\nM[.., 1]\n";
  cr_assert_eq(ixp_session_run(r.s, prog, text, strlen(text)), IXP_OK, "%s", t_err(&r));
  cr_assert_str_eq(t_out(&r), "[2, 3]\n[5, 11]\n[2, 4]\n");
  t_close(&r);
  t_open(&r, false);
  text = "print npy(\"m.npy\") * npy(\"v.npy\")\n";
  cr_assert_eq(ixp_session_run(r.s, prog, text, strlen(text)), IXP_ECOMPILE, "shapes read from the headers");
  cr_assert(strstr(t_err(&r), "cannot multiply a 2x2 matrix by a 4-vector"), "%s", t_err(&r));
  t_close(&r);
  t_open(&r, false);
  text = "print sum(npy(\"bad.npy\"))\n";
  cr_assert_eq(ixp_session_run(r.s, prog, text, strlen(text)), IXP_ERUNTIME);
  cr_assert(strstr(t_err(&r), "bad.npy: element [2] is infinite"), "%s", t_err(&r));
  t_close(&r);
  t_tmpdir_remove(dir);
}

/* The parser: .* is one token at the product's precedence; indices with
 * two axes, ranges and lone '..'. */
Test(arrays, parser_reads_emul_and_two_axis_indices) {
  const char *cases[][2] = {
      {"a.*b + c", "((a .* b) + c)"},
      {"a * b .* c", "((a * b) .* c)"},
      {"-a .* b ^ 2", "((-a) .* (b ^ 2))"},
      {"A[.., 1 .. 2]", "A[.., (1 .. 2)]"},
      {"A[i, ..][0]", "A[i, ..][0]"},
      {"x[0 .. n - 1]", "x[(0 .. (n - 1))]"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    IxpSource *src = ixp_source_new("t.ixp", cases[i][0], strlen(cases[i][0]));
    IxpArena *arena = ixp_arena_new();
    IxpAst *program = ixp_parse(src, arena, NULL, false, NULL);
    cr_assert_not_null(program, "%s does not parse", cases[i][0]);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ixp_ast_print(f, program->items[0]->a);
    fclose(f);
    cr_assert_str_eq(text, cases[i][1]);
    free(text);
    ixp_arena_free(arena);
    ixp_source_free(src);
  }
}
