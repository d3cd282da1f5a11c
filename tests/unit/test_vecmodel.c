/* test_vecmodel.c — vector-valued model variables: x[N] ~ ..., h[N] = ...,
 * groups as measure arguments (x, x[i], x[i .. j]), and their equality
 * with the same model written one component at a time. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

/* Run `program` expecting success; the numbers it printed, one a line,
 * into x (at most n); their count. */
static int numbers(const char *program, double *x, int n) {
  TRun r;
  t_open(&r, false);
  IxpStatus st = t_run(&r, program);
  cr_assert_eq(st, IXP_OK, "status %d for:\n%s\nreports:\n%s", st, program, t_err(&r));
  cr_assert_str_empty(t_err(&r), "unexpected report:\n%s", t_err(&r));
  const char *out = t_out(&r);
  int lines = t_count(out, "\n");
  cr_assert_leq(lines, n, "too many lines:\n%s", out);
  for (int i = 0; i < lines; i++) x[i] = t_value_at(out, i);
  t_close(&r);
  return lines;
}

/* Each printed pair (lines 2i, 2i + 1) must hold the same double, bit for
 * bit (the session prints numbers so they read back exactly). */
static void pairs_identical(const char *program) {
  double x[64];
  int n = numbers(program, x, 64);
  cr_assert(n > 0 && n % 2 == 0, "wanted pairs of lines, got %d", n);
  for (int i = 0; i < n; i += 2)
    cr_assert(memcmp(&x[i], &x[i + 1], sizeof x[i]) == 0, "pair %d differs: %.17g and %.17g\n%s", i / 2, x[i], x[i + 1],
              program);
}

/* Assert that `program` fails to compile with one error holding `want`. */
static void one_error(const char *program, const char *want) {
  char *out = NULL, *err = t_fail(program, IXP_ECOMPILE, &out);
  cr_assert_str_empty(out, "printed:\n%s", out);
  cr_assert_eq(t_count(err, ": error: "), 1, "wanted one error for:\n%s\ngot:\n%s", program, err);
  cr_assert_not_null(strstr(err, want), "report lacks '%s':\n%s", want, err);
  free(out);
  free(err);
}

#define COINS                                                                                                          \
  "model v {\n  b[3] ~ bernoulli(1/3)\n  s = b[0] + 2 * b[1] + b[2]\n}\n"                                          \
  "model c {\n  b0 ~ bernoulli(1/3)\n  b1 ~ bernoulli(1/3)\n  b2 ~ bernoulli(1/3)\n  s = b0 + 2 * b1 + b2\n}\n"

/* ------------------------------------------------------ measure arguments */

Test(vecmodel, group_argument_is_all_components) {
  pairs_identical(COINS "print entropy(b) in v\nprint entropy(b0, b1, b2) in c\n"
                        "print mi(b; s) in v\nprint mi(b0, b1, b2; s) in c\n"
                        "print entropy(s | b) in v\nprint entropy(s | b0, b1, b2) in c\n");
}

Test(vecmodel, component_and_range_arguments) {
  pairs_identical(COINS "let k = 2\n"
                        "print mi(b[1]; s) in v\nprint mi(b1; s) in c\n"
                        "print mi(b[0 .. k - 1]; s) in v\nprint mi(b0, b1; s) in c\n"
                        "print mi(b[2]; s | b[0 .. 1]) in v\nprint mi(b2; s | b0, b1) in c\n"
                        "print mi(b[k .. k]; b[0], s) in v\nprint mi(b2; b0, s) in c\n");
}

Test(vecmodel, group_entropy_has_its_closed_form) {
  double x[1];
  numbers("model v {\n  b[5] ~ bernoulli(1/4)\n}\nprint entropy(b) in v\n", x, 1);
  cr_assert_float_eq(x[0], 5 * t_h2(0.25), 1e-12);
}

Test(vecmodel, measure_argument_errors) {
  one_error(COINS "print mi(q; s) in v", "t.ixp:11:10: error: unknown variable 'q' in model 'v'");
  one_error(COINS "print mi(b[3]; s) in v",
            "t.ixp:11:12: error: component 3 of 'b' is out of range: model 'v' has 'b' with components 0 .. 2");
  one_error(COINS "print mi(b[-1]; s) in v", "component -1 of 'b' is out of range");
  one_error(COINS "print mi(b[0 .. 3]; s) in v", "component 3 of 'b' is out of range");
  one_error(COINS "print mi(b[2 .. 1]; s) in v", "the range of components of 'b' is empty: 2 .. 1");
  one_error(COINS "print mi(s[0]; b) in v", "'s' is a single variable of model 'v', not a vector");
  one_error(COINS "print mi(z[0]; b) in v", "unknown variable 'z' in model 'v'");
  one_error(COINS "let k = 1/2\nprint mi(b[k]; s) in v",
            "a component of 'b' is chosen by a whole number known before the program runs");
  one_error(COINS "print mi(b[0 .. 1 step 1]; s) in v", "components of 'b' are chosen by a range without a step");
}

/* --------------------------------------------------------- vector models */

Test(vecmodel, width_errors) {
  one_error("model m {\n  x[0] ~ bernoulli(1/2)\n  y ~ bernoulli(1/2)\n}",
            "the width of 'x' is 0; a vector variable has 1 to");
  one_error("let n = 1/2\nmodel m {\n  x[n] ~ bernoulli(1/2)\n  y ~ bernoulli(1/2)\n}",
            "the width of 'x' is a whole number known before the program runs");
  one_error("model m {\n  x[2] ~ bernoulli(1/2)\n  x ~ bernoulli(1/2)\n}\nprint entropy(x) in m",
            "variable 'x' is defined twice in model 'm'");
  one_error("model m {\n  x + 1 ~ bernoulli(1/2)\n}", "the left of '~' is a variable's name, or NAME[N]");
}

Test(vecmodel, joint_normal_draw_with_a_number_mean) {
  double x[2];
  numbers("model g {\n  x[3] ~ normal(1, [[1, 0.5, 0], [0.5, 1, 0], [0, 0, 2]])\n  y = x[0] + x[2]\n}\n"
          "print mi(x[0]; x[1]) in g\nprint entropy(y) in g\n",
          x, 2);
  cr_assert_float_eq(x[0], -0.5 * log2(1 - 0.25), 1e-12);
  cr_assert_float_eq(x[1], 0.5 * log2(2 * M_PI * M_E * 3), 1e-12);
}

Test(vecmodel, joint_normal_equals_the_component_spelling) {
  pairs_identical("let S = [[2, 0.3, 0.1], [0.3, 1, 0.2], [0.1, 0.2, 1]]\n"
                  "model v {\n  x[3] ~ normal([1, 2, 3], S)\n  y = x[0] - 2 * x[1] + x[2]\n}\n"
                  "model c {\n  x0, x1, x2 ~ normal([1, 2, 3], S)\n  y = x0 - 2 * x1 + x2\n}\n"
                  "print mi(x[0 .. 1]; y) in v\nprint mi(x0, x1; y) in c\n"
                  "print entropy(x) in v\nprint entropy(x0, x1, x2) in c\n");
}

Test(vecmodel, definitions_of_vectors) {
  pairs_identical("model v {\n  b[3] ~ bernoulli(1/2)\n  h = b\n  t[2] = [b[0] + b[1], 2 * b[2]]\n  s = sum(b)\n}\n"
                  "model c {\n  b0 ~ bernoulli(1/2)\n  b1 ~ bernoulli(1/2)\n  b2 ~ bernoulli(1/2)\n"
                  "  t0 = b0 + b1\n  t1 = 2 * b2\n  s = b0 + b1 + b2\n}\n"
                  "print mi(h; s) in v\nprint mi(b0, b1, b2; s) in c\n"
                  "print mi(t; s) in v\nprint mi(t0, t1; s) in c\n"
                  "print entropy(t[1] | h[0]) in v\nprint entropy(t1 | b0) in c\n");
}

Test(vecmodel, definition_width_errors) {
  one_error("model m {\n  b[3] ~ bernoulli(1/2)\n  t[2] = [b[0], b[1], b[2]]\n}",
            "t.ixp:3:10: error: t[2] = ... needs a vector of 2 values, not 3");
  one_error("model m {\n  b[3] ~ bernoulli(1/2)\n  t[2] = b[0]\n}", "t[2] = ... needs a vector of 2 values, not a number");
  one_error("model m {\n  b[3] ~ bernoulli(1/2)\n  s = b[3]\n}", "t.ixp:3:9: error: component 3 of 'b' is out of range");
  one_error("model m {\n  t = b\n  b[3] ~ bernoulli(1/2)\n}",
            "'t' is a vector whose width is not known before the program runs: declare it, t[N] = ...");
}

/* ------------------------------------------------------------- sampling */

/* The numbers two programs print, compared bit for bit. */
static void programs_identical(const char *a, const char *b) {
  double x[32], y[32];
  int n = numbers(a, x, 32), m = numbers(b, y, 32);
  cr_assert(n > 0 && n == m, "%d and %d lines", n, m);
  for (int i = 0; i < n; i++)
    cr_assert(memcmp(&x[i], &y[i], sizeof x[i]) == 0, "line %d differs: %.17g and %.17g", i, x[i], y[i]);
}

#define SAMPLED_MEASURES                                                                                               \
  "seed 7\ndata s = sample(m, 3000)\n"                                                                                 \
  "print mi(x0, x2; h0, h1) in s using gaussian\nprint mi(x0, x1; t0) in s using ksg\n"                                \
  "print entropy(k) in s using plugin\nprint mi(x0; t0, t1) in s using ksg\n"

Test(vecmodel, sample_equals_the_component_spelling) {
  /* Group names in measures are spelled through lets of the component
   * spelling's names, so both programs print the same lines. */
  const char *vec = "model m {\n  x[4] ~ normal(0, 1)\n  h[2] = [x[0] + x[1], x[2] - x[3]]\n  t = h\n"
                    "  b[2] ~ bernoulli(1/3)\n  k = b[0] + 2 * b[1]\n}\n";
  const char *comp = "model m {\n  x0 ~ normal(0, 1)\n  x1 ~ normal(0, 1)\n  x2 ~ normal(0, 1)\n  x3 ~ normal(0, 1)\n"
                     "  h0 = x0 + x1\n  h1 = x2 - x3\n  t0 = h0\n  t1 = h1\n"
                     "  b0 ~ bernoulli(1/3)\n  b1 ~ bernoulli(1/3)\n  k = b0 + 2 * b1\n}\n";
  char a[2048], b[2048];
  snprintf(a, sizeof a, "%s%s", vec,
           "seed 7\ndata s = sample(m, 3000)\n"
           "print mi(x[0], x[2]; h) in s using gaussian\nprint mi(x[0 .. 1]; t[0]) in s using ksg\n"
           "print entropy(k) in s using plugin\nprint mi(x[0]; t) in s using ksg\n");
  snprintf(b, sizeof b, "%s%s", comp, SAMPLED_MEASURES);
  programs_identical(a, b);
}

Test(vecmodel, vector_definition_width_checked_per_row) {
  /* The width is checked at check time when known; a vector whose width
   * only running tells is checked in each row. */
  char *out = NULL, *err = t_fail("let v = [1, 2, 3]\nmodel m {\n  x ~ normal(0, 1)\n  h[2] = v\n}\ndata s = sample(m, 10)\n"
                                  "print entropy(x) in s using kl\n", IXP_ERUNTIME, &out);
  cr_assert_not_null(strstr(err, "h[2] = ... needs a vector of 2 values, not a vector of 3 values"), "%s", err);
  free(out);
  free(err);
}
