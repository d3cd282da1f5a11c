/* test_local.c — `local MEASURE(...) in DATA`: one value per row whose
 * mean is the measure's estimate (to 1e-12 relative), for ksg, kl,
 * gaussian and plug-in counts, on rows and on lag views (te); the values
 * themselves against hand-worked counts and the Gaussian density; emit
 * of the vector; the uses that are refused. */
#include <math.h>
#include <stdint.h>

#include "helpers.h"

static char dir[256];

static void setup(void) { t_tmpdir_make(dir, sizeof dir, "ixp_local"); }
static void teardown(void) { t_tmpdir_remove(dir); }

TestSuite(local, .init = setup, .fini = teardown);

#define MODELS                                  \
  "units nats\n"                                \
  "seed 11\n"                                   \
  "model g {\n"                                 \
  "  x ~ normal(0, 1)\n"                        \
  "  y ~ normal(0.8 * x, 0.6)\n"                \
  "  z ~ normal(0.5 * y, 1)\n"                  \
  "}\n"                                         \
  "model c {\n"                                 \
  "  a ~ bernoulli(0.3)\n"                      \
  "  b ~ bernoulli(if a == 1 then 0.8 else 0.3)\n" \
  "  e ~ bernoulli(if b == 1 then 0.6 else 0.1)\n" \
  "}\n"                                         \
  "data d = sample(g, 1500)\n"                  \
  "data k = sample(c, 3000)\n"

/* The relative gap between the mean of a measure's local values and the
 * measure: `print` of (mean(local M) - M) / M for each M. */
Test(local, means_equal_the_estimates) {
  static const char *const measures[] = {
      "mi(x; y) in d using ksg",
      "mi(x; y) in d using ksg(variant = 2)",
      "mi(x; y | z) in d using ksg",
      "mi(x; y | z) in d using ksg(variant = 2, k = 6)",
      "mi(x, z; y) in d using ksg(theiler = 3)",
      "entropy(x, y) in d using kl",
      "entropy(x) in d using gaussian",
      "entropy(x, y, z) in d using gaussian",
      "mi(x; y) in d using gaussian",
      "mi(x; y | z) in d using gaussian",
      "mi(x, y; z) in d using gaussian",
      "entropy(a) in k",
      "entropy(a, b | e) in k",
      "mi(a; e) in k",
      "mi(b; e | a) in k using plugin",
      "mi(x; y) in d using plugin(bins = 6)",
  };
  int n = (int)(sizeof measures / sizeof *measures);
  char program[8192];
  int len = snprintf(program, sizeof program, "%s", MODELS);
  for (int i = 0; i < n; i++)
    len += snprintf(program + len, sizeof program - (size_t)len, "print (mean(local %s) - %s) / (%s)\n", measures[i],
                    measures[i], measures[i]);
  double gap[32];
  cr_assert_eq(t_numbers(program, gap, 32), n);
  for (int i = 0; i < n; i++) cr_assert(fabs(gap[i]) < 1e-12, "%s: relative gap %g", measures[i], gap[i]);
}

/* A hand-worked table: rows (x, y) = (0,0) (0,0) (1,1) (1,0). Local mi
 * log p(x,y)/(p(x)p(y)): log(4/3), log(4/3), log 2, log(2/3); local
 * entropy of y, -log p(y): log(4/3), log(4/3), log 4, log(4/3). */
Test(local, plugin_values_by_hand) {
  const char *path = t_path_in(dir, "four.csv");
  t_write_text(path, "x,y\n0,0\n0,0\n1,1\n1,0\n");
  char program[1024];
  snprintf(program, sizeof program,
           "units nats\ndata t = csv(\"%s\")\nlet v = local mi(x; y) in t\nlet h = local entropy(y) in t\n"
           "print v[0], v[1], v[2], v[3], h[0], h[2]\n",
           path);
  double v[6];
  cr_assert_eq(t_numbers(program, v, 6), 6);
  const double want[6] = {log(4.0 / 3), log(4.0 / 3), log(2.0), log(2.0 / 3), log(4.0 / 3), log(4.0)};
  for (int i = 0; i < 6; i++) cr_assert(fabs(v[i] - want[i]) < 1e-5, "value %d: %g vs %g", i, v[i], want[i]);
}

/* Gaussian local entropy of one column at its first rows against the
 * density written out here: 1/2 log(2 pi s^2) + (x - m)^2 / (2 s^2) n /
 * (n - 1), m and s^2 the sample mean and (unbiased) variance, in bits. */
Test(local, gaussian_values_against_the_density) {
  const char *path = t_path_in(dir, "five.csv");
  t_write_text(path, "x\n0.5\n-1.25\n2\n0.75\n-0.3\n");
  const double x[5] = {0.5, -1.25, 2, 0.75, -0.3};
  double m = 0, s2 = 0;
  for (int i = 0; i < 5; i++) m += x[i] / 5;
  for (int i = 0; i < 5; i++) s2 += (x[i] - m) * (x[i] - m) / 4;
  char program[1024];
  snprintf(program, sizeof program, "data t = csv(\"%s\")\nlet h = local entropy(x) in t using gaussian\n"
           "print h[0], h[1], h[2], h[3], h[4]\n", path);
  double v[5];
  cr_assert_eq(t_numbers(program, v, 5), 5);
  for (int i = 0; i < 5; i++) {
    double want = (0.5 * log(2 * M_PI * s2) + (x[i] - m) * (x[i] - m) / (2 * s2) * 5 / 4) / log(2);
    cr_assert(fabs(v[i] - want) < 1e-5 * fabs(want), "row %d: %g vs %g", i, v[i], want);
  }
}

/* Time measures of one term lower to their conditional mi on the lag
 * view, so their local values are the view's: one per time step the view
 * keeps (the first step of each trial has no past), mean the measure. */
Test(local, te_on_a_lag_view) {
  const char *path = t_path_in(dir, "pair.csv");
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f);
  fprintf(f, "trial,x,y\n");
  double x = 0, y = 0;
  uint64_t s = 12345;
  for (int r = 0; r < 3; r++)
    for (int t = 0; t < 700; t++) {
      s = s * 6364136223846793005ULL + 1442695040888963407ULL;
      double e1 = (double)(s >> 11) / 9007199254740992.0 - 0.5;
      s = s * 6364136223846793005ULL + 1442695040888963407ULL;
      double e2 = (double)(s >> 11) / 9007199254740992.0 - 0.5;
      double xn = 0.5 * x + 0.6 * y + e1, yn = 0.7 * y + e2;
      x = xn, y = yn;
      fprintf(f, "%d,%.17g,%.17g\n", r, x, y);
    }
  fclose(f);
  char program[2048];
  snprintf(program, sizeof program,
           "units nats\ndata d = csv(\"%s\", trials = \"trial\")\n"
           "let a = local te(y -> x) in d using ksg\n"
           "let b = local te(y -> x, k = 2) in d using gaussian\n"
           "let c = local ais(x, k = 2) in d using ksg\n"
           "print len(a), len(b), len(c)\n"
           "print (mean(a) - te(y -> x) in d using ksg) / (te(y -> x) in d using ksg)\n"
           "print (mean(b) - te(y -> x, k = 2) in d using gaussian) / (te(y -> x, k = 2) in d using gaussian)\n"
           "print (mean(c) - ais(x, k = 2) in d using ksg) / (ais(x, k = 2) in d using ksg)\n",
           path);
  double v[6];
  cr_assert_eq(t_numbers(program, v, 6), 6);
  cr_assert_eq(v[0], 3 * 699);
  cr_assert_eq(v[1], 3 * 698);
  cr_assert_eq(v[2], 3 * 698);
  for (int i = 3; i < 6; i++) cr_assert(fabs(v[i]) < 1e-12, "line %d: relative gap %g", i, v[i]);
}

/* emit of a vector: one row per element, scalars repeated, written as CSV. */
Test(local, emit_writes_one_row_per_value) {
  const char *path = t_path_in(dir, "four.csv"), *out = t_path_in(dir, "local.csv");
  t_write_text(path, "x,y\n0,0\n0,0\n1,1\n1,0\n");
  char program[1024];
  snprintf(program, sizeof program,
           "units nats\ndata t = csv(\"%s\")\nsweep r in 1 .. 2 {\n  emit r, local mi(x; y) in t as i\n} to \"%s\"\n",
           path, out);
  TRun run;
  t_run_clean(&run, program);
  t_close(&run);
  FILE *f = fopen(out, "r");
  cr_assert_not_null(f);
  char text[1024] = {0};
  size_t got = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  cr_assert_gt(got, 0);
  cr_assert_eq(t_count(text, "\n"), 9, "%s", text);
  cr_assert(!strncmp(text, "r,i\n1,0.28768207245178", 22), "%s", text);
  cr_assert_eq(t_count(text, "\n2,"), 4, "%s", text);
}

/* What local values do not cover is refused at check time. */
Test(local, refused_uses) {
  static const char *const bad[][2] = {
      {"print local mi(a; e) in c\n", "local values are estimated from data"},
      {"print local mi(a; e) in k using miller_madow\n", "plug-in"},
      {"print local mi(x; y) in d using ksg with permutations(10)\n", "no test"},
      {"print local tc(a, b, e) in k\n", "local values are for entropy, mi"},
      {"print local di(x -> y, n = 2) in d using gaussian\n", "local values are for measures of one term"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    char program[4096];
    snprintf(program, sizeof program, "%s%s", MODELS, bad[i][0]);
    char *err = t_fail(program, IXP_ECOMPILE, NULL);
    cr_assert(strstr(err, bad[i][1]), "%s: %s", bad[i][0], err);
    free(err);
  }
}
