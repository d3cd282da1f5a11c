/* test_measures.c — the lowering rules of stdlib/measures.c, run on small
 * sessions against closed forms (bits, absolute tolerance 1e-12), and their
 * misuse messages. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "measures.h"
#include "model.h"

#define TOL 1e-12

static double measure(const char *setup, const char *expr) {
  char program[2048];
  snprintf(program, sizeof program, "%s\nprint %s\n", setup, expr);
  return t_number(program);
}

/* tc, dtc, oinfo and coinfo of `vars` in `model` against the four values. */
static void check_four(const char *setup, const char *model, const char *vars, double tc, double dtc,
                       double o, double co) {
  static const char *const names[] = {"tc", "dtc", "oinfo", "coinfo"};
  const double want[] = {tc, dtc, o, co};
  for (int i = 0; i < 4; i++) {
    char expr[256];
    snprintf(expr, sizeof expr, "%s(%s) in %s", names[i], vars, model);
    double got = measure(setup, expr);
    cr_assert_float_eq(got, want[i], TOL, "%s = %.17g, wanted %g", expr, got, want[i]);
  }
}

/* ------------------------------------------------------------ redundancy */

Test(measures, three_copies_of_a_fair_bit) {
  /* H(any nonempty subset) = 1: TC = 3 - 1, DTC = 3 - 2, O = TC - DTC,
   * coinfo = 3 - 3 + 1 */
  check_four("", "rdn", "a, b, t", 2, 1, 1, 1);
  check_four("model copies {\n  a ~ bernoulli(1/2)\n  b = a\n  c = 1 - a\n}", "copies", "a, b, c", 2, 1, 1, 1);
}

/* --------------------------------------------------------------- synergy */

Test(measures, xor_of_two_bits) {
  /* pairs are independent: H(X_i) = 1, H(pair) = 2, H(all) = 2.
   * TC = 3 - 2, DTC = 6 - 4, O = -1, coinfo = 3 - 6 + 2 */
  check_four("", "xor", "a, b, t", 1, 2, -1, -1);
}

Test(measures, xor_parity_of_three_bits) {
  /* a, b, c, t with t = a xor b xor c: any three determine the fourth.
   * H(k vars) = k for k <= 3, H(all) = 3. TC = 4 - 3, DTC = 4*3 - 3*3,
   * O = TC - DTC, coinfo = 4 - 6*2 + 4*3 - 3 */
  check_four("", "xor3", "a, b, c, t", 1, 3, -2, 1);
  /* the sources alone are independent */
  check_four("", "xor3", "a, b, c", 0, 0, 0, 0);
  /* grouped: I(a, b, c; t) = 1 */
  cr_assert_float_eq(measure("", "tc(a, b, c; t) in xor3"), 1, TOL);
  cr_assert_float_eq(measure("", "mi(a, b, c; t) in xor3"), 1, TOL);
  cr_assert_float_eq(measure("", "mi(a, b; t) in xor3"), 0, TOL);
}

/* -------------------------------------------- dyadic and triadic (James & Crutchfield) */

Test(measures, dyadic_and_triadic_agree_on_every_shannon_measure) {
  /* H(x) = H(y) = H(z) = 2, any pair 3, all three 3:
   * TC = 6 - 3, DTC = 9 - 6, O = 0, coinfo = 6 - 9 + 3 */
  static const char *const models[] = {"dyadic", "triadic"};
  for (int i = 0; i < 2; i++) {
    check_four("", models[i], "x, y, z", 3, 3, 0, 0);
    char expr[64];
    snprintf(expr, sizeof expr, "mi(x; y) in %s", models[i]);
    cr_assert_float_eq(measure("", expr), 1, TOL, "%s", expr);
    snprintf(expr, sizeof expr, "mi(x; y | z) in %s", models[i]);
    cr_assert_float_eq(measure("", expr), 1, TOL, "%s", expr);
    snprintf(expr, sizeof expr, "entropy(x, y, z) in %s", models[i]);
    cr_assert_float_eq(measure("", expr), 3, TOL, "%s", expr);
    snprintf(expr, sizeof expr, "mi(x, y; z) in %s", models[i]);
    cr_assert_float_eq(measure("", expr), 2, TOL, "%s", expr);
  }
}

/* ------------------------------------------------------------- identities */

Test(measures, two_variable_forms_reduce_to_mi) {
  double mi = 1 - t_h2(0.2);
  cr_assert_float_eq(measure("", "coinfo(x, y) in bsc(p = 0.2)"), mi, TOL);
  cr_assert_float_eq(measure("", "tc(x, y) in bsc(p = 0.2)"), mi, TOL);
  cr_assert_float_eq(measure("", "dtc(x, y) in bsc(p = 0.2)"), mi, TOL);
  cr_assert_float_eq(measure("", "oinfo(x, y) in bsc(p = 0.2)"), 0, TOL);
  /* ';' and ',' group the same way when every group is one variable */
  cr_assert_float_eq(measure("", "coinfo(a; b; t) in xor"), -1, TOL);
  cr_assert_float_eq(measure("", "tc(a; b; t) in rdn"), 2, TOL);
}

Test(measures, groups_split_by_semicolons) {
  /* tc(a, b; t) in xor = I(a, b; t) = 1; dtc of two groups is the same */
  cr_assert_float_eq(measure("", "tc(a, b; t) in xor"), 1, TOL);
  cr_assert_float_eq(measure("", "dtc(a, b; t) in xor"), 1, TOL);
  cr_assert_float_eq(measure("", "coinfo(a, b; t) in xor"), 1, TOL);
  /* copy: t = 2a + b; I(a, b; t) = 2 */
  cr_assert_float_eq(measure("", "mi(a, b; t) in copy"), 2, TOL);
  cr_assert_float_eq(measure("", "mi(a; t) in copy"), 1, TOL);
}

Test(measures, conditional_forms) {
  /* sum: t = a + b. I(a; t) = 1/2, I(a; t | b) = 1 */
  cr_assert_float_eq(measure("", "mi(a; t) in sum"), 0.5, TOL);
  cr_assert_float_eq(measure("", "mi(a; t | b) in sum"), 1, TOL);
  cr_assert_float_eq(measure("", "entropy(t) in sum"), 1.5, TOL);
  cr_assert_float_eq(measure("", "entropy(t | a) in sum"), 1, TOL);
  cr_assert_float_eq(measure("", "entropy(a, b | t) in sum"), 0.5, TOL);
  /* unq: the target copies a */
  cr_assert_float_eq(measure("", "mi(a; t) in unq"), 1, TOL);
  cr_assert_float_eq(measure("", "mi(b; t) in unq"), 0, TOL);
  /* rdnxor: I(a, b; t) = 2, I(a; t) = 1 */
  cr_assert_float_eq(measure("", "mi(a, b; t) in rdnxor"), 2, TOL);
  cr_assert_float_eq(measure("", "mi(a; t) in rdnxor"), 1, TOL);
}

Test(measures, kl_of_the_prelude_gates) {
  /* rdn puts 1/2 on two states that "and" gives 1/4 each: D = 1 bit */
  cr_assert_float_eq(measure("", "kl(rdn || and)"), 1, TOL);
  /* xor has states outside and's support */
  cr_assert(isinf(measure("", "kl(xor || and)")));
  cr_assert_float_eq(measure("", "kl(xor || xor)"), 0, TOL);
}

/* ------------------------------------------------------------------- misuse */

static void misuse(const char *program, const char *want) {
  char *out = NULL;
  char *err = t_fail(program, IXP_ECOMPILE, &out);
  cr_assert_not_null(strstr(err, want), "report lacks '%s':\n%s", want, err);
  cr_assert_eq(t_count(err, ": error: "), 1, "%s", err);
  cr_assert_str_empty(out);
  free(out);
  free(err);
}

Test(measures, mi_needs_a_semicolon) {
  misuse("print mi(x, y) in bsc", "t.ixp:1:7: error: mi takes mi(X; Y) or mi(X; Y | Z)");
  misuse("print mi(x) in bsc", "mi takes mi(X; Y) or mi(X; Y | Z)");
  misuse("print mi(x | y) in bsc", "mi takes mi(X; Y) or mi(X; Y | Z)");
  misuse("print mi(x; y; e) in bsc", "mi takes mi(X; Y) or mi(X; Y | Z)");
  misuse("print mi(x; y | e | x) in bsc", "mi takes mi(X; Y) or mi(X; Y | Z)");
}

Test(measures, entropy_with_a_semicolon) {
  /* the report points at the separator */
  misuse("print entropy(x; y) in bsc", "t.ixp:1:16: error: ';' cannot be used as a separator here");
  misuse("print entropy(x | y | e) in bsc", "entropy takes entropy(X) or entropy(X | Y)");
  misuse("print entropy(x -> y) in bsc", "'->' cannot be used as a separator here");
}

Test(measures, multivariate_misuse) {
  misuse("print coinfo(x) in bsc", "coinfo needs at least two variables (or groups split by ';')");
  misuse("print tc(x) in bsc", "tc needs at least two variables");
  misuse("print dtc(x | y) in bsc", "'|' cannot be used as a separator here");
  misuse("print coinfo(x; y | e) in bsc", "'|' cannot be used as a separator here");
}

Test(measures, measures_over_models_misuse) {
  misuse("print kl(rdn, copy)", "kl takes two models: kl(P || Q)");
  misuse("print kl(rdn || bsc)", "models 'rdn' and 'bsc' do not have the same variables");
  misuse("print kl(rdn || nosuch)", "unknown model 'nosuch'");
  misuse("print kl(rdn || copy) in bsc", "kl compares models and takes no 'in'");
  misuse("print mi(x; y) in bsc using ksg(k = 3)", "'bsc' is measured exactly; estimators ('using') apply to data");
  misuse("print mi(x; 1) in bsc", "arguments of mi are variables of the model, not expressions");
  misuse("print mi(x; y) in bsc(p = 0.2, w = 1)", "model 'bsc' has no parameter 'w'");
}

/* The mask of a side's set of variables (they fit one word here). */
static uint64_t side_mask(const IxpLowering *lw, const int *side, int k) {
  uint64_t mask = 0;
  cr_assert(ixp_set_mask(ixp_lower_side_set(lw, side, k), &mask));
  return mask;
}

/* Sides of X ; Y | Z: in order, a side may be skipped, commas stay. */
Test(measures, lower_sides) {
  static const IxpOp seps[] = {SEP_SEMI, SEP_BAR};
  IxpMeasureArg args[4];
  IxpModelDef m = {.nvars = 4};
  IxpArena *arena = ixp_arena_new();
  IxpLowering lw = {.nargs = 4, .args = args, .model = &m, .arena = arena};
  const IxpOp given[4] = {OP_NONE, SEP_COMMA, SEP_SEMI, SEP_BAR};  /* a, b ; c | d */
  for (int i = 0; i < 4; i++) lw.args[i] = (IxpMeasureArg){given[i], i, NULL, NULL};
  int side[4];
  cr_assert_eq(ixp_lower_sides(&lw, seps, 2, side), 3);
  cr_assert_eq(side[0], 0);
  cr_assert_eq(side[1], 0);
  cr_assert_eq(side[2], 1);
  cr_assert_eq(side[3], 2);
  cr_assert_eq(side_mask(&lw, side, 0), 3u);
  lw.args[2].sep = SEP_BAR, lw.nargs = 3;  /* a, b | c: side 1 skipped */
  cr_assert_eq(ixp_lower_sides(&lw, seps, 2, side), 3);
  cr_assert_eq(side_mask(&lw, side, 1), 0u);
  cr_assert_eq(side_mask(&lw, side, 2), 4u);
  lw.args[1].sep = SEP_BAR;  /* a | b | c: a separator twice */
  cr_assert_eq(ixp_lower_sides(&lw, seps, 2, side), -1);
  lw.args[1].sep = SEP_ARROW;  /* not a separator of this measure */
  cr_assert_eq(ixp_lower_sides(&lw, seps, 2, side), -1);
  ixp_arena_free(arena);
}
