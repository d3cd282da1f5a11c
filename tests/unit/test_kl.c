/* test_kl.c — kl(P || Q) between linear-Gaussian models against the
 * closed form D(N0 || N1) = 1/2 [tr(S1^-1 S0) + (m1 - m0)' S1^-1 (m1 - m0)
 * - k + ln det S1 - ln det S0], worked out here by hand for 1 and 2
 * variables; and the kl cases that are errors. */
#include "helpers.h"

#define TOL 1e-12  /* bits; the closed forms are a few flops from the Cholesky */

/* D(N(m0, s0^2) || N(m1, s1^2)) in bits. */
static double kl1(double m0, double s0, double m1, double s1) {
  return (log(s1 / s0) + (s0 * s0 + (m1 - m0) * (m1 - m0)) / (2 * s1 * s1) - 0.5) / M_LN2;
}

Test(kl, gaussian_one_variable) {
  const char *models = "model p {\n  x ~ normal(0, 1)\n}\nmodel q {\n  x ~ normal(1, 2)\n}\n";
  char prog[512];
  snprintf(prog, sizeof prog, "%sprint kl(p || q)\n", models);
  cr_assert_float_eq(t_number(prog), kl1(0, 1, 1, 2), TOL);
  snprintf(prog, sizeof prog, "%sprint kl(q || p)\n", models);
  cr_assert_float_eq(t_number(prog), kl1(1, 2, 0, 1), TOL);
  snprintf(prog, sizeof prog, "%sprint kl(p || p)\n", models);
  cr_assert_float_eq(t_number(prog), 0, TOL);
}

/* Two variables, correlated, declared in a different order in q: S1 and
 * m1 in the order (x, y) are [[1, 0.3], [0.3, 2]] and (-1, 1). */
Test(kl, gaussian_two_variables_any_order) {
  const char *prog = "model p {\n  x, y ~ normal([0, 0], [[1, 0.5], [0.5, 1]])\n}\n"
                     "model q {\n  y, x ~ normal([1, -1], [[2, 0.3], [0.3, 1]])\n}\n"
                     "print kl(p || q)\n";
  double a = 1, b = 0.3, c = 2, det1 = a * c - b * b;   /* S1 */
  double s00 = 1, s01 = 0.5, s11 = 1, det0 = s00 * s11 - s01 * s01;   /* S0 */
  double dx = -1, dy = 1;   /* m1 - m0 */
  double tr = (c * s00 - 2 * b * s01 + a * s11) / det1;
  double quad = (c * dx * dx - 2 * b * dx * dy + a * dy * dy) / det1;
  double want = 0.5 * (tr + quad - 2 + log(det1) - log(det0)) / M_LN2;
  cr_assert_float_eq(t_number(prog), want, TOL);
}

Test(kl, singular_gaussian_is_a_runtime_error) {
  char *err = t_fail("model p {\n  x ~ normal(0, 1)\n  y = 2 * x\n}\nmodel q {\n  x ~ normal(0, 1)\n  y ~ normal(0, 1)\n}\n"
                     "print kl(q || p)\n", IXP_ERUNTIME, NULL);
  cr_assert(strstr(err, "the covariance of model 'p' is singular"), "%s", err);
  free(err);
}

Test(kl, gaussian_against_discrete_is_a_check_error) {
  char *err = t_fail("model p {\n  x ~ normal(0, 1)\n}\nmodel q {\n  x ~ bernoulli(1/2)\n}\nprint kl(p || q)\n",
                     IXP_ECOMPILE, NULL);
  cr_assert(strstr(err, "model 'p' is Gaussian and 'q' is discrete"), "%s", err);
  free(err);
}

Test(kl, explain_names_the_closed_form) {
  TRun r;
  t_open(&r, false);
  IxpStatus st = t_explain(&r, "model p {\n  x ~ normal(0, 1)\n}\nmodel q {\n  x ~ normal(1, 2)\n}\nprint kl(p || q)\n");
  cr_assert_eq(st, IXP_OK, "%s", t_err(&r));
  cr_assert(strstr(t_out(&r), "kl(r0 || r1): Gaussian closed form, 1/2 [tr(S1^-1 S0)"), "%s", t_out(&r));
  t_close(&r);
}
