/* test_est_critic.c — `using critic(...)` through the language: columns
 * are standardised first (a column's scale cannot change the estimate),
 * units, and the estimator's own standard error. */
#include <criterion/criterion.h>
#include <stdio.h>

#include "helpers.h"

/* The same program but for the scale c of x and y's columns. */
static void program(char *buf, size_t size, const char *c, const char *bound) {
  snprintf(buf, size,
           "let c = %s\n"
           "model m {\n  x ~ normal(0, 1)\n  n ~ normal(0, 1)\n  u = c * x\n  v = (0.8 * x + 0.6 * n) / c\n}\n"
           "data d = sample(m, 800)\n"
           "units nats\n"
           "print mi(u; v) in d using critic(bound = %s, steps = 150)\n",
           c, bound);
}

/* Scaling a column by a power of two changes no bit of its standardised
 * values, so the estimate is bit-identical; an unstandardised critic
 * would train differently on columns 64 times larger or smaller. */
Test(est_critic, scale_of_columns_changes_nothing, .timeout = 60) {
  const char *bounds[] = {"infonce", "nwj", "smile"};
  for (int b = 0; b < 3; b++) {
    char p1[512], p2[512];
    program(p1, sizeof p1, "1", bounds[b]);
    program(p2, sizeof p2, "64", bounds[b]);
    double a = t_number(p1), z = t_number(p2);
    cr_assert_eq(a, z, "%s: %.17g at scale 1, %.17g at scale 64", bounds[b], a, z);
    cr_assert(a > 0.2 && a < 0.6, "%s: %g (truth 0.51 nats)", bounds[b], a);
  }
}

/* with stderr: the estimator's own standard error (not a jackknife of 20
 * retrainings), near 1 / sqrt(held-out rows); value and error in the
 * session's units (the statement's text, and so its stream, is the same
 * in both programs). */
Test(est_critic, stderr_and_units, .timeout = 60) {
  const char *fmt = "model m {\n  x ~ normal(0, 1)\n  n ~ normal(0, 1)\n  y = 0.8 * x + 0.6 * n\n}\n"
                    "data d = sample(m, 800)\nunits %s\n"
                    "let r = mi(x; y) in d using critic(steps = 150) with stderr\nprint r.value\nprint r.stderr\n";
  char p[512];
  double nats[2], bits[2];
  snprintf(p, sizeof p, fmt, "nats");
  cr_assert_eq(t_numbers(p, nats, 2), 2);
  snprintf(p, sizeof p, fmt, "bits");
  cr_assert_eq(t_numbers(p, bits, 2), 2);
  /* 160 held-out terms of spread about 1. */
  cr_assert(nats[1] > 0.02 && nats[1] < 0.2, "stderr %g", nats[1]);
  for (int k = 0; k < 2; k++) cr_assert_float_eq(bits[k], nats[k] / log(2), 1e-12 * bits[k]);
}

Test(est_critic, explain_names_the_bound_and_split) {
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_explain(&r, "model m {\n  x ~ normal(0, 1)\n  y = x\n}\ndata d = sample(m, 500)\n"
                             "print mi(x; y) in d using critic(bound = smile, split = 0.3, clip = 2)\n"),
               IXP_OK, "%s", t_err(&r));
  const char *out = t_out(&r);
  cr_assert(strstr(out, "SMILE lower bound"), "%s", out);
  cr_assert(strstr(out, "evaluated on 150 held-out rows of 500, clip 2"), "%s", out);
  t_close(&r);
}
