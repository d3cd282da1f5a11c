/* test_vecmodel.c — vector-valued model variables: x[N] ~ ..., h[N] = ...,
 * groups as measure arguments (x, x[i], x[i .. j]), and their equality
 * with the same model written one component at a time. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

/* Each printed pair (lines 2i, 2i + 1) must hold the same double, bit for
 * bit (the session prints numbers so they read back exactly). */
static void pairs_identical(const char *program) {
  double x[64];
  int n = t_numbers(program, x, 64);
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
  t_numbers("model v {\n  b[5] ~ bernoulli(1/4)\n}\nprint entropy(b) in v\n", x, 1);
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
  t_numbers("model g {\n  x[3] ~ normal(1, [[1, 0.5, 0], [0.5, 1, 0], [0, 0, 2]])\n  y = x[0] + x[2]\n}\n"
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
  int n = t_numbers(a, x, 32), m = t_numbers(b, y, 32);
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
  char *out = NULL, *err = t_fail("model m(v = [1, 2, 3]) {\n  x ~ normal(0, 1)\n  h[2] = v\n}\ndata s = sample(m, 10)\n"
                                  "print entropy(x) in s using kl\n", IXP_ERUNTIME, &out);
  cr_assert_not_null(strstr(err, "h[2] = ... needs a vector of 2 values, not a vector of 3 values"), "%s", err);
  free(out);
  free(err);
}

/* ------------------------------------------------------------------ map */

Test(vecmodel, map_definition_equals_a_model_definition) {
  programs_identical("model m {\n  x[2] ~ normal(0, 1)\n}\ndata d = sample(m, 2000)\n"
                     "data net = map(d, h = x, y = h[0] + 2 * h[1], z = [y, -y])\n"
                     "print mi(x; y) in net using ksg\nprint mi(x[1]; z[1]) in net using gaussian\n",
                     "model m {\n  x[2] ~ normal(0, 1)\n  y = x[0] + 2 * x[1]\n  z0 = y\n  z1 = -y\n}\n"
                     "data d = sample(m, 2000)\n"
                     "print mi(x; y) in d using ksg\nprint mi(x[1]; z1) in d using gaussian\n");
}

Test(vecmodel, map_definition_errors) {
  one_error("model m {\n  x[2] ~ normal(0, 1)\n}\ndata d = sample(m, 20)\ndata e = map(d, x = x[0])\n",
            "column 'x' is already in 'e'");
  one_error("model m {\n  x[2] ~ normal(0, 1)\n}\ndata d = sample(m, 20)\ndata e = map(d, y = q + 1)\n",
            "unknown name 'q'");
  one_error("let v = [1, 2]\nmodel m {\n  x[2] ~ normal(0, 1)\n}\ndata d = sample(m, 20)\ndata e = map(d, y = \"a\")\n",
            "a map's definition gives a number or a vector in each row, not a string");
}

/* ------------------------------------------------------ with arrays */

Test(vecmodel, tanh_layer_equals_the_component_spelling) {
  /* W * x sums left to right, as the written-out sums do. */
  const char *lets = "let W = [[1, 0.5, -0.25], [0.2, -1, 0.3]]\nlet b = [0.1, -0.2]\n";
  char a[2048], c[2048];
  snprintf(a, sizeof a,
           "%smodel m {\n  x[3] ~ normal(0, 1)\n  h = tanh(W * x + b)\n  k ~ categorical(softmax([h[0], h[1], 0]))\n}\n"
           "seed 3\ndata s = sample(m, 2000)\nprint mi(x; h) in s using ksg\nprint mi(h[0]; k) in s using ksg\n"
           "print mi(x[1]; h[1]) in s using gaussian\n",
           lets);
  snprintf(c, sizeof c,
           "%smodel m {\n  x0 ~ normal(0, 1)\n  x1 ~ normal(0, 1)\n  x2 ~ normal(0, 1)\n"
           "  h0 = tanh(W[0, 0] * x0 + W[0, 1] * x1 + W[0, 2] * x2 + b[0])\n"
           "  h1 = tanh(W[1, 0] * x0 + W[1, 1] * x1 + W[1, 2] * x2 + b[1])\n"
           "  k ~ categorical(softmax([h0, h1, 0]))\n}\n"
           "seed 3\ndata s = sample(m, 2000)\nprint mi(x0, x1, x2; h0, h1) in s using ksg\nprint mi(h0; k) in s using ksg\n"
           "print mi(x1; h1) in s using gaussian\n",
           lets);
  programs_identical(a, c);
}

Test(vecmodel, discrete_vector_model_enumerated) {
  /* z = M b over two fair bits: four equally likely values, and k draws
   * from softmax(z); checked against the sum over the four states. */
  double x[2];
  t_numbers("model m {\n  b[2] ~ bernoulli(1/2)\n  z = [[1, 1], [1, -1]] * b\n  k ~ categorical(softmax(z))\n}\n"
          "print entropy(z) in m\nprint mi(b; k) in m\n",
          x, 2);
  cr_assert_float_eq(x[0], 2, 1e-12);
  double pk[2] = {0, 0}, hcond = 0;
  double zs[4][2] = {{0, 0}, {1, -1}, {1, 1}, {2, 0}};  /* b = 00, 10, 01, 11 */
  for (int s = 0; s < 4; s++) {
    double p0 = exp(zs[s][0]) / (exp(zs[s][0]) + exp(zs[s][1]));
    pk[0] += p0 / 4, pk[1] += (1 - p0) / 4;
    hcond += t_h2(p0) / 4;
  }
  double hk = -(pk[0] * log2(pk[0]) + pk[1] * log2(pk[1]));
  cr_assert_float_eq(x[1], hk - hcond, 1e-12);
}

Test(vecmodel, width_inferred_from_shapes) {
  one_error("let W = [[1, 0], [0, 1], [1, 1]]\nmodel m {\n  x[2] ~ bernoulli(1/2)\n  h[2] = W * x\n}",
            "h[2] = ... needs a vector of 2 values, not 3");
  pairs_identical("let W = [[1, 0], [0, 1], [1, 1]]\nmodel m {\n  x[2] ~ bernoulli(1/2)\n  h = W * x\n}\n"
                  "print entropy(h) in m\nprint entropy(h[0 .. 2]) in m\n");
}

Test(vecmodel, independent_components_take_a_vector_of_arguments) {
  pairs_identical("let p = [1/10, 1/2, 9/10]\n"
                  "model m {\n  b[3] ~ bernoulli(p)\n  s = sum(b)\n}\n"
                  "model c {\n  b0 ~ bernoulli(p[0])\n  b1 ~ bernoulli(p[1])\n  b2 ~ bernoulli(p[2])\n  s = b0 + b1 + b2\n}\n"
                  "print entropy(b) in m\nprint entropy(b0, b1, b2) in c\nprint mi(b[1 .. 2]; s) in m\nprint mi(b1, b2; s) in c\n");
  double x[1];
  t_numbers("model g {\n  z[2] ~ normal([0, 1], [1, 2])\n}\nprint entropy(z[1]) in g\n", x, 1);
  cr_assert_float_eq(x[0], 0.5 * log2(2 * M_PI * M_E * 4), 1e-12);
  one_error("model m {\n  b[3] ~ bernoulli([0.5, 0.5])\n}",
            "bernoulli(p) takes a number here; a vector gives one to each of the 3 components, but this one has 2");
}
