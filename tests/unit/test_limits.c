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
