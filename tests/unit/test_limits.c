/* test_limits.c — numbers at the edges of 64 bits: seeds, range lengths. */
#include "helpers.h"

/* The seed a program leaves in its session, as the record writes it. */
static IxpStatus seed_of(const char *program, char *seed, size_t size) {
  TRun r;
  t_open(&r, false);
  IxpStatus st = t_run(&r, program);
  ixp_session_seed_text(r.s, seed, size);
  t_close(&r);
  return st;
}

Test(limits, seeds_are_exact_64_bit_integers) {
  char seed[32];
  cr_assert_eq(seed_of("seed 9007199254740993\n", seed, sizeof seed), IXP_OK);
  cr_assert_str_eq(seed, "9007199254740993", "2^53 + 1 is not rounded to 2^53");
  cr_assert_eq(seed_of("seed 2^53 + 1\n", seed, sizeof seed), IXP_OK);
  cr_assert_str_eq(seed, "9007199254740993", "an exact expression is exact too");
  cr_assert_eq(seed_of("seed 18446744073709551615\n", seed, sizeof seed), IXP_OK);
  cr_assert_str_eq(seed, "18446744073709551615", "the documented maximum, 2^64 - 1");
  cr_assert_eq(seed_of("seed 18446744073709551616\n", seed, sizeof seed), IXP_ERUNTIME);
  cr_assert_eq(seed_of("seed 1.5\n", seed, sizeof seed), IXP_ERUNTIME);
}

/* The value a sampled dataset gives under `seed`. */
static double sampled_under(const char *seed) {
  char text[256];
  snprintf(text, sizeof text,
           "seed %s\nmodel g { x ~ normal(0, 1) }\ndata s = sample(g, 50)\nprint entropy(x) in s using kl\n", seed);
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_run(&r, text), IXP_OK, "%s", t_err(&r));
  double v = t_value_at(t_out(&r), 0);
  t_close(&r);
  return v;
}

Test(limits, seeds_one_apart_above_2_53_draw_different_numbers) {
  cr_assert_neq(sampled_under("9007199254740992"), sampled_under("9007199254740993"));
  cr_assert_eq(sampled_under("9007199254740993"), sampled_under("9007199254740993"));
  cr_assert_neq(sampled_under("18446744073709551614"), sampled_under("18446744073709551615"));
}

Test(limits, long_ranges_have_their_length) {
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_run(&r, "print len(0 .. 1e18) - 1e18, len(0 .. 1e300), len(0 .. 2^62 step 2) - 2^61\n"), IXP_OK,
               "%s", t_err(&r));
  cr_assert_eq(t_value_at(t_out(&r), 0), 1, "%s", t_out(&r));
  cr_assert_eq(t_value_at(t_out(&r), 1), 1e300, "%s", t_out(&r));
  cr_assert_eq(t_value_at(t_out(&r), 2), 1, "%s", t_out(&r));
  t_close(&r);
}

Test(limits, uniform_over_a_huge_range_says_so) {
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_run(&r, "model m { x ~ uniform(0 .. 1e300) }\nprint entropy(x) in m\n"), IXP_ERUNTIME);
  cr_assert(strstr(t_err(&r), "uniform over 1e+300 values, more than the limit of"), "%s", t_err(&r));
  t_close(&r);
}

/* ---------------------------------------------------------------- scope */

/* "let v0 = 0\nlet v1 = 1\n..." up to v{n-1} (malloc'd). */
static char *many_lets(int n) {
  size_t size = (size_t)n * 32 + 1, len = 0;
  char *text = malloc(size);
  cr_assert_not_null(text);
  for (int i = 0; i < n; i++) len += (size_t)snprintf(text + len, size - len, "let v%d = %d\n", i, i);
  return text;
}

static double printed(TRun *r, const char *expr) {
  char text[256];
  snprintf(text, sizeof text, "print %s\n", expr);
  size_t before = strlen(t_out(r));
  cr_assert_eq(t_run(r, text), IXP_OK, "%s: %s", expr, t_err(r));
  return t_value_at(t_out(r) + before, 0);
}

/* 40,000 top-level lets check in linear time (a hash table), and every
 * name still finds its newest definition. */
Test(scope, forty_thousand_lets) {
  TRun r;
  t_open(&r, true);
  char *text = many_lets(40000);
  cr_assert_eq(t_run(&r, text), IXP_OK, "%s", t_err(&r));
  free(text);
  cr_assert_eq(printed(&r, "v0 + v12345 + v39999"), 0 + 12345 + 39999);
  cr_assert_eq(printed(&r, "h2(1/2) + v1"), 2, "builtins are still found");
  t_close(&r);
}

/* A REPL redefinition shadows; names of a sweep body end with it; a chunk
 * that fails to check leaves the scope as it was. */
Test(scope, shadowing_and_rollback) {
  TRun r;
  t_open(&r, true);
  char *text = many_lets(5000);
  cr_assert_eq(t_run(&r, text), IXP_OK, "%s", t_err(&r));
  free(text);
  cr_assert_eq(t_run(&r, "let v7 = 700\n"), IXP_OK, "%s", t_err(&r));
  cr_assert_eq(printed(&r, "v7 + v8"), 708, "the newest v7 is found");
  cr_assert_eq(t_run(&r, "sweep i in 0 .. 1 {\n  let inner = i + v9\n}\n"), IXP_OK, "%s", t_err(&r));
  cr_assert_eq(t_run(&r, "print inner\n"), IXP_ECOMPILE, "the sweep's own names end with it");
  cr_assert_eq(t_run(&r, "let fresh = 1\nlet v7 = -1\nprint nope\n"), IXP_ECOMPILE);
  cr_assert_eq(t_run(&r, "print fresh\n"), IXP_ECOMPILE, "a failed chunk's names are rolled back");
  cr_assert_eq(printed(&r, "v7"), 700, "and its redefinitions too");
  cr_assert_eq(t_run(&r, "let fresh = 3\n"), IXP_OK, "%s", t_err(&r));
  cr_assert_eq(printed(&r, "fresh + v4999"), 5002);
  t_close(&r);
}

/* ------------------------------------------------------------- nesting */

/* "print " then `n` copies of `unit` joined by `op`, or nested as
 * prefix/suffix when op is NULL (malloc'd). */
static char *chain(const char *unit, const char *op, int n) {
  size_t size = (size_t)n * (strlen(unit) + (op ? strlen(op) : 0) + 8) + 64, len = 0;
  char *text = malloc(size);
  cr_assert_not_null(text);
  len += (size_t)snprintf(text, size, "print ");
  for (int i = 0; i < n; i++) len += (size_t)snprintf(text + len, size - len, "%s%s", i ? op : "", unit);
  snprintf(text + len, size - len, "\n");
  return text;
}

/* The deepest expressions the parser lets through run, also under ASan:
 * the limit is well inside what the checker and evaluator recurse through. */
Test(nesting, at_the_limit_runs) {
  const char *cases[][2] = {{"1", "+"}, {"1", " and "}, {"2", "-"}, {"1", "^"}};
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    TRun r;
    t_open(&r, false);
    char *text = chain(cases[c][0], cases[c][1], 1000);  /* 999 operators, a statement: 1000 levels */
    cr_assert_eq(t_run(&r, text), IXP_OK, "'%s' chain: %s", cases[c][1], t_err(&r));
    free(text);
    t_close(&r);
  }
}

Test(nesting, past_the_limit_is_a_syntax_error) {
  TRun r;
  t_open(&r, false);
  char *text = chain("1", "+", 100000);
  cr_assert_eq(t_run(&r, text), IXP_ECOMPILE);
  free(text);
  cr_assert(strstr(t_err(&r), "t.ixp:1:2008: error: nested too deeply (more than 1000 levels"), "%s", t_err(&r));
  t_close(&r);
}
