/* test_engine.c — exact enumeration (interp/enumerate.c, eval.c,
 * execute.c) through a session, against closed forms. Results are read
 * from `print` output at --digits max and compared with an absolute
 * tolerance of 1e-12 (bits, or nats where stated). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#define TOL 1e-12

/* The value of `expr` after `setup` (both may be empty). */
static double value(const char *setup, const char *expr) {
  char program[4096];
  snprintf(program, sizeof program, "%s\nprint %s\n", setup, expr);
  return t_number(program);
}

/* Entropy in bits of a distribution given by its probabilities. */
static double H(const double *p, int n) {
  double h = 0;
  for (int i = 0; i < n; i++)
    if (p[i] > 0) h -= p[i] * log2(p[i]);
  return h;
}

/* --------------------------------------------------------------- channels */

Test(engine, bsc_capacity_is_one_minus_h2) {
  static const double ps[] = {0.01, 0.1, 0.2, 0.25, 0.3, 0.5, 0.75, 0.9, 0.999};
  for (size_t i = 0; i < sizeof ps / sizeof *ps; i++) {
    char expr[128];
    snprintf(expr, sizeof expr, "mi(x; y) in bsc(p = %.17g)", ps[i]);
    double got = value("", expr), want = 1 - t_h2(ps[i]);
    cr_assert_float_eq(got, want, TOL, "p = %g: I = %.17g, wanted %.17g", ps[i], got, want);
  }
  /* the prelude's default is p = 0.1 */
  cr_assert_float_eq(value("", "mi(x; y) in bsc"), 1 - t_h2(0.1), TOL);
}

Test(engine, bsc_with_a_biased_input) {
  /* I = h2(q(1-p) + (1-q)p) - h2(p) */
  double p = 0.2, q = 0.3;
  double want = t_h2(q * (1 - p) + (1 - q) * p) - t_h2(p);
  cr_assert_float_eq(value("", "mi(x; y) in bsc(p = 0.2, q = 0.3)"), want, TOL);
}

Test(engine, bec_information_is_one_minus_eps) {
  static const double eps[] = {0, 0.1, 0.3, 0.5, 0.9, 1};
  for (size_t i = 0; i < sizeof eps / sizeof *eps; i++) {
    char expr[128];
    snprintf(expr, sizeof expr, "mi(x; y) in bec(eps = %.17g)", eps[i]);
    cr_assert_float_eq(value("", expr), 1 - eps[i], TOL, "eps = %g", eps[i]);
  }
}

Test(engine, z_channel_closed_form) {
  /* x uniform; y = 0 whenever x = 0, and when x = 1 with probability p.
   * P(y = 1) = (1 - p)/2, so H(Y) = h2((1 - p)/2); H(Y | X) = h2(p)/2.
   * I = h2((1 - p)/2) - h2(p)/2. */
  static const double ps[] = {0.1, 0.3, 0.5, 0.8};
  for (size_t i = 0; i < sizeof ps / sizeof *ps; i++) {
    char expr[128];
    snprintf(expr, sizeof expr, "mi(x; y) in z_channel(p = %.17g)", ps[i]);
    double want = t_h2((1 - ps[i]) / 2) - t_h2(ps[i]) / 2;
    cr_assert_float_eq(value("", expr), want, TOL, "p = %g", ps[i]);
  }
}

Test(engine, xor_synergy) {
  cr_assert_float_eq(value("", "mi(a; t) in xor"), 0, TOL);
  cr_assert_float_eq(value("", "mi(b; t) in xor"), 0, TOL);
  cr_assert_float_eq(value("", "mi(a, b; t) in xor"), 1, TOL);
  cr_assert_float_eq(value("", "mi(a; t | b) in xor"), 1, TOL);
  cr_assert_float_eq(value("", "mi(a; b) in xor"), 0, TOL);
  /* and/or: I(a,b; t) = H(t) = h2(1/4) */
  cr_assert_float_eq(value("", "mi(a, b; t) in and"), t_h2(0.25), TOL);
  cr_assert_float_eq(value("", "mi(a, b; t) in or"), t_h2(0.25), TOL);
}

/* ------------------------------------------------------------ distributions */

Test(engine, fair_die_entropy_is_log2_6) {
  cr_assert_float_eq(value("model d { x ~ uniform(1 .. 6) }", "entropy(x) in d"), log2(6), TOL);
}

Test(engine, sum_of_two_dice) {
  double p[11];
  for (int s = 2; s <= 12; s++) p[s - 2] = (6 - abs(s - 7)) / 36.0;
  const char *m = "model dice {\n  a ~ uniform(1 .. 6)\n  b ~ uniform(1 .. 6)\n  s = a + b\n}";
  cr_assert_float_eq(value(m, "entropy(s) in dice"), H(p, 11), TOL);
  cr_assert_float_eq(value(m, "entropy(a, b) in dice"), log2(36), TOL);
  cr_assert_float_eq(value(m, "mi(a; s) in dice"), H(p, 11) - log2(6), TOL);
}

Test(engine, binomial_entropy_against_a_direct_sum) {
  double p[11], c = 1;
  for (int k = 0; k <= 10; k++) {
    p[k] = c * pow(0.3, k) * pow(0.7, 10 - k);
    c = c * (10 - k) / (k + 1);
  }
  cr_assert_float_eq(value("model b { k ~ binomial(10, 0.3) }", "entropy(k) in b"), H(p, 11), TOL);
  /* degenerate counts */
  cr_assert_float_eq(value("model b { k ~ binomial(5, 0) }", "entropy(k) in b"), 0, TOL);
  cr_assert_float_eq(value("model b { k ~ binomial(0, 0.5) }", "entropy(k) in b"), 0, TOL);
}

Test(engine, categorical_and_conditional_entropy) {
  cr_assert_float_eq(value("model c { k ~ categorical([0.5, 0.25, 0.25]) }", "entropy(k) in c"), 1.5, TOL);
  cr_assert_float_eq(value("model c { k ~ categorical([0.2, 0, 0.8]) }", "entropy(k) in c"), t_h2(0.2), TOL);
  /* H(y | x) of the BSC is h2(p), whatever the input */
  cr_assert_float_eq(value("", "entropy(y | x) in bsc(p = 0.2)"), t_h2(0.2), TOL);
  cr_assert_float_eq(value("", "entropy(y | x) in bsc(p = 0.2, q = 0.1)"), t_h2(0.2), TOL);
  cr_assert_float_eq(value("", "entropy(x | y) in bsc(p = 0)"), 0, TOL);
}

Test(engine, dependent_draws) {
  /* x ~ uniform(1 .. 4); y ~ uniform(1 .. x): H(x, y) = 2 + (1/4) sum log2 x */
  const char *m = "model m {\n  x ~ uniform(1 .. 4)\n  y ~ uniform(1 .. x)\n}";
  double want = 2 + (log2(1) + log2(2) + log2(3) + log2(4)) / 4;
  cr_assert_float_eq(value(m, "entropy(x, y) in m"), want, TOL);
  cr_assert_float_eq(value(m, "entropy(y | x) in m"), want - 2, TOL);
}

/* ------------------------------------------------------------------- units */

Test(engine, units_nats) {
  cr_assert_float_eq(value("units nats\nmodel f { x ~ bernoulli(1/2) }", "entropy(x) in f"), log(2), TOL);
  cr_assert_float_eq(value("units nats", "mi(x; y) in bsc(p = 0.2)"), (1 - t_h2(0.2)) * log(2), TOL);
  /* and back */
  cr_assert_float_eq(value("units nats\nunits bits\nmodel f { x ~ bernoulli(1/2) }", "entropy(x) in f"), 1, TOL);
}

/* ---------------------------------------------------- parameters and lets */

Test(engine, model_parameters_and_overrides) {
  const char *m = "model coin(p = 1/2) { x ~ bernoulli(p) }";
  cr_assert_float_eq(value(m, "entropy(x) in coin"), 1, TOL);
  cr_assert_float_eq(value(m, "entropy(x) in coin(p = 0.2)"), t_h2(0.2), TOL);
  cr_assert_float_eq(value("", "mi(x; y) in bsc(p = 0.2)"), 1 - t_h2(0.2), TOL);
  /* a default may read an earlier parameter */
  cr_assert_float_eq(value("model m(a = 1/4, b = 1 - a) { x ~ bernoulli(b) }", "entropy(x) in m(a = 0.1)"),
                     t_h2(0.9), TOL);
  /* overrides are expressions and may read lets */
  cr_assert_float_eq(value("let q = 0.05", "entropy(y | x) in bsc(p = 2 * q)"), t_h2(0.1), TOL);
}

Test(engine, sweep_reevaluates_a_model_that_reads_a_let) {
  TRun r;
  t_open(&r, false);
  IxpStatus st = t_run(&r,
                       "let p = 0.1\n"
                       "model m { x ~ bernoulli(p) }\n"
                       "print entropy(x) in m\n"
                       "sweep p in 0.2 .. 0.4 step 0.1 {\n"
                       "  print entropy(x) in m\n"
                       "}\n"
                       "print entropy(x) in m\n");
  cr_assert_eq(st, IXP_OK, "%s", t_err(&r));
  const char *out = t_out(&r);
  cr_assert_eq(t_count(out, "\n"), 5, "%s", out);
  static const double want[] = {0.1, 0.2, 0.3, 0.4, 0.1};
  for (int i = 0; i < 5; i++)
    cr_assert_float_eq(t_value_at(out, i), t_h2(want[i]), TOL, "line %d:\n%s", i, out);
  t_close(&r);
}

Test(engine, sweep_table_of_emitted_rows) {
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_run(&r, "sweep e in 0 .. 1 step 0.25 {\n  emit e, mi(x; y) in bec(eps = e) as I\n}"), IXP_OK,
               "%s", t_err(&r));
  const char *out = t_out(&r);
  cr_assert_eq(t_count(out, "\n"), 6, "%s", out);
  char h1[8], h2[8];
  cr_assert_eq(sscanf(out, "%7s %7s", h1, h2), 2, "%s", out);
  cr_assert_str_eq(h1, "e");
  cr_assert_str_eq(h2, "I");
  /* each row: e, then 1 - e */
  const char *line = strchr(out, '\n') + 1;
  for (int i = 0; i < 5; i++) {
    double e, I;
    cr_assert_eq(sscanf(line, "%lf %lf", &e, &I), 2, "%s", out);
    cr_assert_eq(e, i * 0.25);
    cr_assert_float_eq(I, 1 - e, TOL);
    line = strchr(line, '\n') + 1;
  }
  t_close(&r);
}

Test(engine, cache_follows_a_let_changed_between_runs) {
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_run(&r, "let p = 0.1\nmodel m { x ~ bernoulli(p) }\nprint entropy(x) in m"), IXP_OK);
  cr_assert_eq(t_run(&r, "let p = 1/2\nprint entropy(x) in m"), IXP_OK, "%s", t_err(&r));
  cr_assert_eq(t_run(&r, "print entropy(x) in m"), IXP_OK, "%s", t_err(&r));
  const char *out = t_out(&r);
  cr_assert_float_eq(t_value_at(out, 0), t_h2(0.1), TOL);
  cr_assert_float_eq(t_value_at(out, 1), 1, TOL, "stale joint after the let changed:\n%s", out);
  cr_assert_float_eq(t_value_at(out, 2), 1, TOL);
  t_close(&r);
}

Test(engine, cache_follows_parameters_and_a_let_changed_by_a_sweep) {
  TRun r;
  t_open(&r, false);
  IxpStatus st = t_run(&r,
                       "let w = 1/2\n"
                       "model m(p = 1/2) {\n"
                       "  x ~ bernoulli(p)\n"
                       "  e ~ bernoulli(w)\n"
                       "  y = x * e\n"
                       "}\n"
                       "print entropy(x) in m(p = 0.1)\n"
                       "print entropy(x) in m(p = 0.2)\n"
                       "print entropy(x) in m(p = 0.1)\n"
                       "print entropy(e) in m\n"
                       "sweep w in [0.25] {\n"
                       "  print entropy(e) in m\n"
                       "}\n"
                       "print entropy(e) in m\n"
                       "print entropy(y | x) in m(p = 0.3)\n");
  cr_assert_eq(st, IXP_OK, "%s", t_err(&r));
  const char *out = t_out(&r);
  static const double want[] = {0.1, 0.2, 0.1, 0.5, 0.25, 0.5};
  for (int i = 0; i < 6; i++) cr_assert_float_eq(t_value_at(out, i), t_h2(want[i]), TOL, "line %d:\n%s", i, out);
  /* H(y | x) = P(x = 1) h2(w) = 0.3 */
  cr_assert_float_eq(t_value_at(out, 6), 0.3, TOL, "%s", out);
  t_close(&r);
}

Test(engine, cache_compares_vector_and_range_parameters) {
  TRun r;
  t_open(&r, false);
  IxpStatus st = t_run(&r,
                       "model c(v = [0.5, 0.5]) { k ~ categorical(v) }\n"
                       "print entropy(k) in c(v = [0.25, 0.75])\n"
                       "print entropy(k) in c\n"
                       "print entropy(k) in c(v = [0.25, 0.75])\n"
                       "model u(r = 1 .. 4) { k ~ uniform(r) }\n"
                       "print entropy(k) in u\n"
                       "print entropy(k) in u(r = 1 .. 8)\n"
                       "print entropy(k) in u(r = 1 .. 8 step 2)\n"
                       "print entropy(k) in u(r = [3, 5, 7])\n");
  cr_assert_eq(st, IXP_OK, "%s", t_err(&r));
  const char *out = t_out(&r);
  static const double want[] = {0, 1, 0, 2, 3, 2, 0};
  for (int i = 0; i < 7; i++) {
    double w = i == 0 || i == 2 ? t_h2(0.25) : want[i];
    if (i == 6) w = log2(3);
    cr_assert_float_eq(t_value_at(out, i), w, TOL, "line %d:\n%s", i, out);
  }
  t_close(&r);
}

Test(engine, printed_joint_of_a_model) {
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_run(&r, "model m {\n  p ~ bernoulli(1/4)\n  q = 1 - p\n}\nprint m\nbsc"), IXP_OK, "%s", t_err(&r));
  /* a variable named p: the probability column is called Pr */
  cr_assert_str_eq(t_out(&r),
                   "model m: 2 states\n"
                   "p  q    Pr\n"
                   "0  1  0.75\n"
                   "1  0  0.25\n"
                   "model bsc: 4 states\n"
                   "x  e  y     p\n"
                   "0  0  0  0.45\n"
                   "0  1  1  0.05\n"
                   "1  0  1  0.45\n"
                   "1  1  0  0.05\n");
  t_close(&r);
}

Test(engine, strings_in_a_sweep_table) {
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_run(&r, "sweep i in 1 .. 2 {\n  emit i, if i == 1 then \"one\" else \"two\" as name\n}"), IXP_OK, "%s",
               t_err(&r));
  cr_assert_str_eq(t_out(&r), "i  name\n1   one\n2   two\n");
  t_close(&r);
}

/* ------------------------------------------------------------------ tables */

Test(engine, table_models_with_zero_probability_rows) {
  const char *m =
      "model t = table (x, y) {\n"
      "  0 0 : 1/2\n"
      "  0 1 : 0\n"
      "  1 1 : 1/2\n"
      "  1 0 : 0\n"
      "}";
  cr_assert_float_eq(value(m, "mi(x; y) in t"), 1, TOL);
  cr_assert_float_eq(value(m, "entropy(x, y) in t"), 1, TOL);
  /* the printed joint keeps only the support */
  TRun r;
  t_open(&r, false);
  char program[512];
  snprintf(program, sizeof program, "%s\nprint t\n", m);
  cr_assert_eq(t_run(&r, program), IXP_OK, "%s", t_err(&r));
  cr_assert_str_eq(t_out(&r), "model t: 2 states\nx  y    p\n0  0  0.5\n1  1  0.5\n");
  t_close(&r);
}

Test(engine, table_model_with_a_parameter) {
  const char *m = "model t(a = 1/2) = table (x) {\n  0 : a\n  1 : 1 - a\n}";
  cr_assert_float_eq(value(m, "entropy(x) in t"), 1, TOL);
  cr_assert_float_eq(value(m, "entropy(x) in t(a = 0.25)"), t_h2(0.25), TOL);
  /* imperfect RDN: b differs from a with probability 0.001 */
  double p[3] = {0.499, 0.001, 0.5};
  cr_assert_float_eq(value("", "entropy(a, b, t) in imperfectrdn"), H(p, 3), TOL);
}

Test(engine, kl_between_bernoulli_tables) {
  const char *m =
      "model p = table (x) {\n  0 : 0.7\n  1 : 0.3\n}\n"
      "model q = table (x) {\n  0 : 0.4\n  1 : 0.6\n}";
  double want = 0.7 * log2(0.7 / 0.4) + 0.3 * log2(0.3 / 0.6);
  cr_assert_float_eq(value(m, "kl(p || q)"), want, TOL);
  double back = 0.4 * log2(0.4 / 0.7) + 0.6 * log2(0.6 / 0.3);
  cr_assert_float_eq(value(m, "kl(q || p)"), back, TOL);
  cr_assert_float_eq(value(m, "kl(p || p)"), 0, TOL);
  char nats[512];
  snprintf(nats, sizeof nats, "%s\nunits nats", m);
  cr_assert_float_eq(value(nats, "kl(p || q)"), want * log(2), TOL);
}

Test(engine, kl_matches_states_by_value_and_name) {
  /* the same distribution with its columns in the other order */
  const char *m =
      "model p = table (x, y) {\n  0 1 : 0.2\n  1 0 : 0.8\n}\n"
      "model q = table (y, x) {\n  1 0 : 0.2\n  0 1 : 0.8\n}\n"
      "model u = table (x, y) {\n  0 1 : 0.5\n  1 0 : 0.5\n}";
  cr_assert_float_eq(value(m, "kl(p || q)"), 0, TOL);
  cr_assert_float_eq(value(m, "kl(p || u)"), 1 - t_h2(0.2), TOL);
  /* support outside q's: infinite */
  cr_assert(isinf(value("", "kl(rdn || copy)")));
}

/* ------------------------------------------------------- expressions in models */

Test(engine, if_expressions_and_mod_in_models) {
  const char *m =
      "model m {\n"
      "  a ~ uniform(0 .. 5)\n"
      "  r = a mod 3\n"
      "  b = if r == 0 then 1 else 0\n"
      "  n = -a mod 4\n"
      "}";
  cr_assert_float_eq(value(m, "entropy(r) in m"), log2(3), TOL);
  cr_assert_float_eq(value(m, "entropy(b) in m"), t_h2(1.0 / 3), TOL);
  cr_assert_float_eq(value(m, "entropy(a | r) in m"), 1, TOL);
  /* floor modulo: -a mod 4 for a = 0..5 is 0 3 2 1 0 3: values 0, 3 twice */
  double p[4] = {2 / 6.0, 1 / 6.0, 1 / 6.0, 2 / 6.0};
  cr_assert_float_eq(value(m, "entropy(n) in m"), H(p, 4), TOL);
}

Test(engine, arithmetic_values) {
  cr_assert_eq(value("", "7 mod 3"), 1);
  cr_assert_eq(value("", "-7 mod 3"), 2);
  cr_assert_eq(value("", "7 mod -3"), -2);
  cr_assert_eq(value("", "7.5 mod 2"), 1.5);
  cr_assert_eq(value("", "-2 ^ 2"), -4);
  cr_assert_eq(value("", "2 ^ 3 ^ 2"), 512);
  cr_assert_eq(value("", "2 ^ -2"), 0.25);
  cr_assert_eq(value("", "if 1 < 2 then 3 else 4"), 3);
  cr_assert_eq(value("", "if 0 then 3 else 4"), 4);
  cr_assert_eq(value("", "1 xor 1"), 0);
  cr_assert_eq(value("", "not 0 and 1"), 1);
  cr_assert_eq(value("", "0.1 + 0.2 == 0.3"), 1, "decimal literals are exact");
  cr_assert_eq(value("", "1/3 + 1/3 + 1/3 == 1"), 1);
  cr_assert_eq(value("", "[4, 5, 6][2]"), 6);
  cr_assert_float_eq(value("", "h2(0.11)"), t_h2(0.11), TOL);
  cr_assert_float_eq(value("", "log2(8) + ln(1) + log(100, 10)"), 5, TOL);
}

/* ---------------------------------------------------------- runtime errors */

/* Run `program` expecting a runtime error whose report holds `want`. */
static void runtime_error(const char *program, const char *want) {
  char *out = NULL;
  char *err = t_fail(program, IXP_ERUNTIME, &out);
  cr_assert_not_null(strstr(err, want), "report lacks '%s':\n%s", want, err);
  cr_assert_eq(t_count(err, ": error: "), 1, "%s", err);
  free(err);
  free(out);
}

Test(engine, probability_out_of_range) {
  runtime_error("model m { x ~ bernoulli(1.5) }\nprint entropy(x) in m",
                "t.ixp:1:15: error: p = 1.5 is not a probability in [0, 1]");
  runtime_error("model m {\n  a ~ bernoulli(1/2)\n  b ~ bernoulli(a + 0.5)\n}\nprint entropy(b) in m",
                "p = 1.5 is not a probability in [0, 1] when a = 1");
  runtime_error("print entropy(x) in bsc(p = -0.1)", "p = -0.1 is not a probability in [0, 1]");
  runtime_error("model c { k ~ categorical([0.5, 0.6]) }\nprint entropy(k) in c",
                "categorical probabilities sum to 1.1");
  runtime_error("model t = table (x) {\n  0 : 1.5\n  1 : -0.5\n}\nprint entropy(x) in t",
                "t.ixp:2:7: error: probability 1.5 is not a number in [0, 1]");
  runtime_error("model t = table (x) {\n  0 : 1/2\n  1 : -0.5\n  2 : 1\n}\nprint entropy(x) in t",
                "t.ixp:3:7: error: probability -0.5 is not a number in [0, 1]");
}

Test(engine, table_sum_must_be_one) {
  runtime_error("model tbl = table (x, y) {\n  0 0 : 1/2\n  1 1 : 1/3\n}\nprint mi(x; y) in tbl",
                "t.ixp:1:26: error: the probabilities of table 'tbl' sum to 0.8333333333333334, not 1");
  /* exact sums are exact: ten tenths are 1 */
  cr_assert_float_eq(value("model t = table (x) {\n 0 : 0.1\n 1 : 0.1\n 2 : 0.1\n 3 : 0.1\n 4 : 0.1\n"
                           " 5 : 0.1\n 6 : 0.1\n 7 : 0.1\n 8 : 0.1\n 9 : 0.1\n}",
                           "entropy(x) in t"),
                     log2(10), TOL);
}

Test(engine, duplicate_row_names_the_other_line) {
  runtime_error("model t = table (x, y) {\n  0 0 : 1/2\n  1 1 : 1/4\n  0 0 : 1/4\n}\nprint mi(x; y) in t",
                "t.ixp:4:3: error: row repeats the values of the row at line 2");
}

Test(engine, too_large_model_fails_with_a_message) {
  runtime_error("model big {\n  a ~ uniform(1 .. 1000)\n  b ~ uniform(1 .. 1000)\n  c ~ uniform(1 .. 1000)\n}\n"
                "print entropy(a, b, c) in big",
                "model 'big' has 1e+09 joint states once 'c' is drawn, more than the");
}

/* Measured on one variable, the same model needs no joint of its 1e9
 * states: b and c are barren (variable elimination). */
Test(engine, a_large_model_measured_on_few_variables_is_eliminated) {
  double h = t_number("model big {\n  a ~ uniform(1 .. 1000)\n  b ~ uniform(1 .. 1000)\n  c ~ uniform(1 .. 1000)\n}\n"
                      "print entropy(a) in big");
  cr_assert_float_eq(h, log2(1000), 1e-12);
}

Test(engine, a_runtime_error_stops_the_program) {
  char *out = NULL;
  char *err = t_fail("print 1\nprint 1 / 0\nprint 2\n", IXP_ERUNTIME, &out);
  cr_assert_str_eq(out, "1 = 1\n");
  cr_assert_not_null(strstr(err, "t.ixp:2:7: error: division by zero"), "%s", err);
  free(err);
  free(out);
  err = t_fail("let v = [1, 2]\nprint v[2]", IXP_ERUNTIME, NULL);
  cr_assert_not_null(strstr(err, "index 2 is outside 0 .. 1"), "%s", err);
  free(err);
  err = t_fail("model m {\n  a ~ uniform(0 .. 1)\n  y = 1 / a\n}\nprint entropy(y) in m", IXP_ERUNTIME, NULL);
  cr_assert_not_null(strstr(err, "division by zero"), "%s", err);
  free(err);
}

Test(engine, a_session_recovers_after_a_runtime_error) {
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_run(&r, "model m { x ~ bernoulli(1.5) }\nprint entropy(x) in m"), IXP_ERUNTIME);
  cr_assert_eq(t_run(&r, "sweep p in [0.5, 2] {\n  print entropy(x) in bsc(p = p)\n}"), IXP_ERUNTIME);
  cr_assert_eq(t_run(&r, "print mi(x; y) in bsc(p = 0.2)"), IXP_OK, "%s", t_err(&r));
  const char *out = t_out(&r);
  cr_assert_eq(t_count(out, "\n"), 2, "%s", out);
  cr_assert_float_eq(t_value_at(out, 0), 1, TOL);
  cr_assert_float_eq(t_value_at(out, 1), 1 - t_h2(0.2), TOL);
  t_close(&r);
}
