/* test_stderr.c — `with stderr`: the delete-a-block jackknife by hand on
 * a small file, and its size against the closed-form standard error of
 * the Gaussian MI estimate (rho / sqrt(N) nats, from Var(rho hat) =
 * (1 - rho^2)^2 / N); the uses that are refused. */
#include <math.h>

#include "helpers.h"

static char dir[256];

static void setup(void) { t_tmpdir_make(dir, sizeof dir, "ixp_stderr"); }
static void teardown(void) { t_tmpdir_remove(dir); }

TestSuite(stderr_, .init = setup, .fini = teardown);

/* The Gaussian entropy of values v[0 .. n) except [lo, hi): 1/2 log(2 pi
 * e s^2), s^2 the unbiased variance. */
static double gauss_h(const double *v, int n, int lo, int hi) {
  double m = 0, ss = 0;
  int k = 0;
  for (int i = 0; i < n; i++)
    if (i < lo || i >= hi) m += v[i], k++;
  m /= k;
  for (int i = 0; i < n; i++)
    if (i < lo || i >= hi) ss += (v[i] - m) * (v[i] - m);
  return 0.5 * log(2 * M_PI * M_E * ss / (k - 1));
}

Test(stderr_, jackknife_by_hand) {
  enum { N = 50, B = 20 };
  double v[N], est[B], mean = 0, ss = 0;
  char path[300];
  snprintf(path, sizeof path, "%s/x.csv", dir);
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f);
  fprintf(f, "x\n");
  for (int i = 0; i < N; i++) v[i] = sin(1.7 * i) + 0.01 * i * i, fprintf(f, "%.17g\n", v[i]);
  fclose(f);
  for (int b = 0; b < B; b++) est[b] = gauss_h(v, N, N * b / B, N * (b + 1) / B), mean += est[b] / B;
  for (int b = 0; b < B; b++) ss += (est[b] - mean) * (est[b] - mean);
  double want = sqrt(ss * (B - 1) / B);
  char text[600];
  snprintf(text, sizeof text, "units nats\ndata d = csv(\"%s\")\nprint (entropy(x) in d using gaussian with stderr).stderr\n",
           path);
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_run(&r, text), IXP_OK, "%s", t_err(&r));
  double got = strtod(strchr(t_out(&r), '=') + 1, NULL);
  cr_assert(fabs(got - want) <= 1e-12 * want, "jackknife %.17g, by hand %.17g", got, want);
  t_close(&r);
}

/* Eight samples of a Gaussian pair (rho = 0.6, N = 5000): the mean of
 * their jackknife standard errors is within 12 % of rho / sqrt(N). One
 * 20-block jackknife's relative spread is about 1 / sqrt(2 * 19) = 16 %,
 * the mean of eight about 6 %: the tolerance is two of those. */
Test(stderr_, gaussian_mi_matches_the_closed_form) {
  TRun r;
  t_open(&r, false);
  const char *text = "units nats\nseed 5\nmodel pair {\n  x ~ normal(0, 1)\n  y ~ normal(0.6 * x, 0.8)\n}\n"
                     "data s1 = sample(pair, 5000)\ndata s2 = sample(pair, 5000)\ndata s3 = sample(pair, 5000)\n"
                     "data s4 = sample(pair, 5000)\ndata s5 = sample(pair, 5000)\ndata s6 = sample(pair, 5000)\n"
                     "data s7 = sample(pair, 5000)\ndata s8 = sample(pair, 5000)\n"
                     "print ((mi(x; y) in s1 using gaussian with stderr).stderr + (mi(x; y) in s2 using gaussian with stderr).stderr"
                     " + (mi(x; y) in s3 using gaussian with stderr).stderr + (mi(x; y) in s4 using gaussian with stderr).stderr"
                     " + (mi(x; y) in s5 using gaussian with stderr).stderr + (mi(x; y) in s6 using gaussian with stderr).stderr"
                     " + (mi(x; y) in s7 using gaussian with stderr).stderr + (mi(x; y) in s8 using gaussian with stderr).stderr) / 8\n";
  cr_assert_eq(t_run(&r, text), IXP_OK, "%s", t_err(&r));
  double got = strtod(strchr(t_out(&r), '=') + 1, NULL), want = 0.6 / sqrt(5000.0);
  cr_assert(fabs(got - want) <= 0.12 * want, "mean jackknife %g, closed form %g", got, want);
  t_close(&r);
}

Test(stderr_, refusals) {
  static const struct {
    const char *text, *message;
  } cases[] = {
      {"print mi(x; y) in d using ksg with stderr(3)\n", "stderr takes nothing"},
      {"data e = sample(pair, 30)\nprint mi(x; y) in e using gaussian with stderr\n", "needs at least 40 rows (30 here)"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    TRun r;
    t_open(&r, false);
    char text[600];
    snprintf(text, sizeof text, "model pair {\n  x ~ normal(0, 1)\n  y ~ normal(x, 1)\n}\ndata d = sample(pair, 100)\n%s",
             cases[i].text);
    cr_assert_neq(t_run(&r, text), IXP_OK);
    cr_assert(strstr(t_err(&r), cases[i].message), "case %zu: %s", i, t_err(&r));
    t_close(&r);
  }
}

/* The registry's driver tests any registered estimator (gcmi here): the
 * value of a test record is the plain estimate; a dependent pair's
 * permutation p is the smallest there is, 1 / (1 + n); the bootstrap's
 * interval holds the estimate and its std is near the jackknife's. */
Test(stderr_, registered_estimators_take_the_driver_tests) {
  TRun r;
  t_open(&r, false);
  const char *text = "units nats\nseed 9\nmodel pair {\n  x ~ normal(0, 1)\n  y ~ normal(0.6 * x, 0.8)\n}\n"
                     "data s = sample(pair, 2000)\n"
                     "let plain = mi(x; y) in s using gcmi\n"
                     "let perm = mi(x; y) in s using gcmi with permutations(19)\n"
                     "let boot = mi(x; y) in s using gcmi with bootstrap(40)\n"
                     "let se = (mi(x; y) in s using gcmi with stderr).stderr\n"
                     "print perm.value - plain, perm.p, boot.value - plain, boot.low - plain, boot.high - plain, "
                     "boot.std / se\n";
  cr_assert_eq(t_run(&r, text), IXP_OK, "%s", t_err(&r));
  double v[6];
  const char *at = t_out(&r);
  for (int i = 0; i < 6; i++) {
    at = strchr(at, '=');
    cr_assert_not_null(at, "%s", t_out(&r));
    v[i] = strtod(++at, NULL);
  }
  cr_assert_eq(v[0], 0);
  cr_assert(fabs(v[1] - 0.05) < 1e-12, "p = %g", v[1]);
  cr_assert_eq(v[2], 0);
  cr_assert(v[3] <= 0 && v[4] >= 0, "interval %g .. %g about the estimate", v[3], v[4]);
  cr_assert(v[5] > 0.6 && v[5] < 1.6, "bootstrap std / jackknife = %g", v[5]);
  t_close(&r);
}
