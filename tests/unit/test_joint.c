/* test_joint.c — unit tests of backends/kernels/joint.c against closed forms.
 * Tolerances: 1e-12 (nats) for entropies and divergences of small joints,
 * 1e-9 for the 2^20-state full entropy, exact where no rounding occurs. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "joint.h"

#define TOL 1e-12

/* A joint over the given variable names, asserted non-NULL. */
static IxpJoint *mk(int nvars, const char *const *names) {
  IxpJoint *j = ixp_joint_new(nvars, names);
  cr_assert_not_null(j);
  return j;
}

/* Push one state given by its values (codes looked up / added). */
static void push(IxpJoint *j, const double *vals, double p) {
  uint32_t codes[64];
  for (int v = 0; v < j->nvars; v++) {
    codes[v] = ixp_alphabet_code(&j->alpha[v], vals[v]);
    cr_assert_neq(codes[v], UINT32_MAX);
  }
  cr_assert_eq(ixp_joint_push(j, codes, p), IXP_JOINT_OK);
}

/* Entropy of the marginal on mask, asserting success. */
static double H(IxpJoint *j, uint64_t mask) {
  double h = NAN;
  cr_assert_eq(ixp_joint_entropy(j, mask, &h), IXP_JOINT_OK);
  return h;
}

/* D(p || q), asserting success. */
static double KL(const IxpJoint *p, const IxpJoint *q) {
  double d = NAN;
  cr_assert_eq(ixp_joint_kl(p, q, &d), IXP_JOINT_OK);
  return d;
}

/* Binary entropy in nats. */
static double h2(double p) { return -p * log(p) - (1 - p) * log1p(-p); }

/* Closed-form KL of Bernoulli(a) || Bernoulli(b) in nats. */
static double kl2(double a, double b) {
  return a * log(a / b) + (1 - a) * log((1 - a) / (1 - b));
}

/* A finished one-variable joint "x" with P(x=1) = a, P(x=0) = 1 - a. */
static IxpJoint *bernoulli(double a) {
  static const char *const names[] = {"x"};
  IxpJoint *j = mk(1, names);
  push(j, (double[]){1}, a);
  push(j, (double[]){0}, 1 - a);
  cr_assert_eq(ixp_joint_finish(j), IXP_JOINT_OK);
  return j;
}

Test(entropy, uniform_over_k_values_is_ln_k) {
  static const char *const names[] = {"x"};
  const int ks[] = {1, 2, 3, 5, 7, 10, 256, 1000, 4097};
  for (size_t i = 0; i < sizeof ks / sizeof *ks; i++) {
    int k = ks[i];
    IxpJoint *j = mk(1, names);
    for (int v = k - 1; v >= 0; v--) push(j, (double[]){0.5 * v - 3}, 1.0 / k);
    cr_assert_eq(ixp_joint_finish(j), IXP_JOINT_OK);
    cr_assert_eq(j->alpha[0].card, (uint32_t)k);
    cr_assert_float_eq(H(j, 1), log(k), TOL, "k=%d: H=%.17g", k, H(j, 1));
    cr_assert_float_eq(ixp_joint_total(j), 1.0, 1e-15);
    ixp_joint_free(j);
  }
}

Test(entropy, bernoulli_is_binary_entropy) {
  const double ps[] = {0.5, 0.1, 0.01, 0.3, 1e-6, 0.999, 0.75};
  for (size_t i = 0; i < sizeof ps / sizeof *ps; i++) {
    IxpJoint *j = bernoulli(ps[i]);
    cr_assert_float_eq(H(j, 1), h2(ps[i]), TOL, "p=%g", ps[i]);
    ixp_joint_free(j);
  }
}

Test(entropy, mask_zero_and_bits_beyond_nvars) {
  IxpJoint *j = bernoulli(0.3);
  cr_assert_eq(H(j, 0), 0.0);
  cr_assert_float_eq(H(j, 1 | UINT64_C(1) << 40), h2(0.3), TOL);
  ixp_joint_free(j);
}

Test(entropy, independent_pair_adds) {
  static const char *const names[] = {"x", "y"};
  const double xv[] = {2.5, -1, 0}, px[] = {0.5, 0.2, 0.3};
  const double yv[] = {1, 0}, py[] = {0.9, 0.1};
  IxpJoint *j = mk(2, names);
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 2; b++) push(j, (double[]){xv[a], yv[b]}, px[a] * py[b]);
  cr_assert_eq(ixp_joint_finish(j), IXP_JOINT_OK);
  double hx = -(0.5 * log(0.5) + 0.2 * log(0.2) + 0.3 * log(0.3));
  double hy = h2(0.1);
  cr_assert_float_eq(H(j, 1), hx, TOL);
  cr_assert_float_eq(H(j, 2), hy, TOL);
  cr_assert_float_eq(H(j, 3), hx + hy, TOL);
  cr_assert_float_eq(H(j, 3), H(j, 1) + H(j, 2), TOL);
  ixp_joint_free(j);
}

Test(entropy, xor_distribution) {
  static const char *const names[] = {"a", "b", "t"};
  IxpJoint *j = mk(3, names);
  for (int a = 0; a < 2; a++)
    for (int b = 0; b < 2; b++) push(j, (double[]){a, b, a ^ b}, 0.25);
  cr_assert_eq(ixp_joint_finish(j), IXP_JOINT_OK);
  cr_assert_float_eq(H(j, 7), 2 * log(2), TOL);
  cr_assert_float_eq(H(j, 4), log(2), TOL);
  cr_assert_float_eq(H(j, 1), log(2), TOL);
  cr_assert_float_eq(H(j, 5), 2 * log(2), TOL);
  double i_at = H(j, 1) + H(j, 4) - H(j, 5); /* I(a;t) */
  cr_assert_float_eq(i_at, 0.0, TOL);
  double i_ab_t = H(j, 3) + H(j, 4) - H(j, 7); /* I(a,b;t) = ln 2 */
  cr_assert_float_eq(i_ab_t, log(2), TOL);
  ixp_joint_free(j);
}

Test(entropy, binary_symmetric_channel_mutual_information) {
  static const char *const names[] = {"X", "Y"};
  const double es[] = {0.1, 0.25, 0.01, 0.5};
  for (size_t i = 0; i < sizeof es / sizeof *es; i++) {
    double e = es[i];
    IxpJoint *j = mk(2, names);
    for (int x = 0; x < 2; x++)
      for (int y = 0; y < 2; y++) push(j, (double[]){x, y}, 0.5 * (x == y ? 1 - e : e));
    cr_assert_eq(ixp_joint_finish(j), IXP_JOINT_OK);
    double mi = H(j, 1) + H(j, 2) - H(j, 3);
    cr_assert_float_eq(mi, log(2) - h2(e), TOL, "e=%g: I=%.17g", e, mi);
    ixp_joint_free(j);
  }
}

Test(entropy, cache_is_invalidated_by_push) {
  static const char *const names[] = {"x"};
  IxpJoint *j = mk(1, names);
  push(j, (double[]){0}, 0.5);
  push(j, (double[]){1}, 0.5);
  cr_assert_float_eq(H(j, 1), log(2), TOL);
  cr_assert_float_eq(H(j, 1), log(2), TOL); /* memoised */
  push(j, (double[]){2}, 0.5);
  cr_assert_float_eq(H(j, 1), 1.5 * log(2), TOL);
  ixp_joint_free(j);
}

/* Four independent Bernoullis: every one of the 15 non-empty masks has
 * H = sum of the included h2(p_v); asked twice (the second time memoised,
 * after the cache has grown). */
Test(entropy, chain_rule_over_all_masks) {
  static const char *const names[] = {"a", "b", "c", "d"};
  const double pv[] = {0.1, 0.3, 0.45, 0.8};
  IxpJoint *j = mk(4, names);
  for (int s = 0; s < 16; s++) {
    double vals[4], p = 1;
    for (int v = 0; v < 4; v++) vals[v] = s >> v & 1, p *= (s >> v & 1) ? pv[v] : 1 - pv[v];
    push(j, vals, p);
  }
  cr_assert_eq(ixp_joint_finish(j), IXP_JOINT_OK);
  for (int round = 0; round < 2; round++)
    for (uint64_t mask = 1; mask < 16; mask++) {
      double want = 0;
      for (int v = 0; v < 4; v++)
        if (mask >> v & 1) want += h2(pv[v]);
      cr_assert_float_eq(H(j, mask), want, TOL, "mask %d", (int)mask);
    }
  ixp_joint_free(j);
}

Test(entropy, zero_probability_states_are_skipped) {
  static const char *const names[] = {"x"};
  IxpJoint *j = mk(1, names);
  push(j, (double[]){0}, 0.25);
  push(j, (double[]){1}, 0.0);
  push(j, (double[]){2}, 0.75);
  cr_assert_eq(ixp_joint_finish(j), IXP_JOINT_OK);
  cr_assert_float_eq(H(j, 1), h2(0.25), TOL);
  ixp_joint_free(j);
}

/* Three variables with 150 values each: the full radix 150^3 is above the
 * dense limit but fits 64 bits (sorted-key path). Tuple i appears twice,
 * in states i and i + 150, with masses 1/450 and 2/450. */
Test(entropy, sorted_key_path_merges_repeated_tuples) {
  static const char *const names[] = {"a", "b", "c"};
  IxpJoint *j = mk(3, names);
  for (int s = 0; s < 300; s++) {
    int i = s % 150;
    push(j, (double[]){i, (i * 7) % 150, (i * 11) % 150}, (s < 150 ? 1.0 : 2.0) / 450);
  }
  cr_assert_eq(ixp_joint_finish(j), IXP_JOINT_OK);
  cr_assert_float_eq(H(j, 7), log(150), TOL);
  cr_assert_float_eq(H(j, 5), log(150), TOL);
  cr_assert_float_eq(H(j, 2), log(150), TOL);
  size_t f = 99, s = 99;
  cr_assert_eq(ixp_joint_find_duplicate(j, &f, &s), IXP_JOINT_EDUPLICATE);
  cr_assert_eq(f, 0);
  cr_assert_eq(s, 150);
  ixp_joint_free(j);
}

/* 8 variables with 300 values each: 300^8 ~ 6.6e19 overflows uint64, so
 * the full mask takes the tuple-sort fallback. Tuple i has mass w_i, split
 * 1:2 over states i and i + 300. */
static IxpJoint *big_radix(int weighted) {
  static const char *const names[] = {"v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7"};
  static const int mult[] = {1, 7, 11, 13, 17, 19, 23, 29};
  const double W = 300.0 * 301.0 / 2;
  IxpJoint *j = mk(8, names);
  for (int s = 0; s < 600; s++) {
    int i = s % 300;
    double vals[8], w = weighted ? (i + 1) / W : 1.0 / 300;
    for (int v = 0; v < 8; v++) vals[v] = (i * mult[v]) % 300 + 0.25 * v;
    push(j, vals, (s < 300 ? 1.0 : 2.0) / 3 * w);
  }
  cr_assert_eq(ixp_joint_finish(j), IXP_JOINT_OK);
  return j;
}

Test(entropy, big_radix_overflow_falls_back_to_tuple_sort) {
  IxpJoint *j = big_radix(1);
  const double W = 300.0 * 301.0 / 2;
  double h = 0;
  for (int i = 0; i < 300; i++) h -= (i + 1) / W * log((i + 1) / W);
  for (int v = 0; v < 8; v++) cr_assert_eq(j->alpha[v].card, 300);
  cr_assert_float_eq(H(j, 0xff), h, TOL);
  cr_assert_float_eq(H(j, 0x7f), h, TOL); /* 300^7 fits: sorted keys */
  cr_assert_float_eq(H(j, 0x10), h, TOL);
  size_t f = 99, s = 99;
  cr_assert_eq(ixp_joint_find_duplicate(j, &f, &s), IXP_JOINT_EDUPLICATE);
  cr_assert_eq(f, 0);
  cr_assert_eq(s, 300);
  IxpJoint *m = NULL;
  cr_assert_eq(ixp_joint_marginal(j, 0xff, &m), IXP_JOINT_OK);
  cr_assert_eq(m->n, 300);
  for (size_t t = 0; t < m->n; t++) /* sorted by v0, whose value is i */
    cr_assert_float_eq(m->p[t], (t + 1) / W, 1e-17);
  ixp_joint_free(m);
  IxpJoint *u = big_radix(0);
  double d = 0;
  for (int i = 0; i < 300; i++) d += (i + 1) / W * log((i + 1) / W * 300);
  cr_assert_float_eq(KL(j, u), d, TOL);
  ixp_joint_free(u);
  ixp_joint_free(j);
}

/* 20 independent fair bits over all 2^20 states (the benchmark shape). */
Test(entropy, twenty_fair_bits) {
  const char *names[20];
  char buf[20][16];
  for (int v = 0; v < 20; v++) {
    snprintf(buf[v], sizeof buf[v], "b%d", v);
    names[v] = buf[v];
  }
  IxpJoint *j = mk(20, names);
  for (int v = 0; v < 20; v++) {
    cr_assert_eq(ixp_alphabet_code(&j->alpha[v], 0.0), 0);
    cr_assert_eq(ixp_alphabet_code(&j->alpha[v], 1.0), 1);
  }
  cr_assert_eq(ixp_joint_reserve(j, 1u << 20), IXP_JOINT_OK);
  uint32_t codes[20];
  for (uint32_t s = 0; s < 1u << 20; s++) {
    for (int v = 0; v < 20; v++) codes[v] = s >> v & 1;
    cr_assert_eq(ixp_joint_push(j, codes, 1.0 / (1u << 20)), IXP_JOINT_OK);
  }
  cr_assert_eq(ixp_joint_finish(j), IXP_JOINT_OK);
  cr_assert_float_eq(H(j, (1u << 20) - 1), 20 * log(2), 1e-9);
  cr_assert_float_eq(H(j, 1), log(2), TOL);
  cr_assert_float_eq(H(j, 1u << 19), log(2), TOL);
  cr_assert_float_eq(H(j, 1u << 3 | 1u << 11), 2 * log(2), TOL);
  size_t f, s;
  cr_assert_eq(ixp_joint_find_duplicate(j, &f, &s), IXP_JOINT_OK);
  ixp_joint_free(j);
}

/* 3000 states pushed in lexicographic order (a = i / 60, b = i % 60), each
 * of mass 1/3002, then a repeat of state 5 with mass 2/3002: only the last
 * state breaks the ascending order, so the fast "already sorted" check
 * must fail late and fall back to real grouping. */
Test(entropy, sorted_joint_with_late_duplicate) {
  static const char *const names[] = {"a", "b"};
  IxpJoint *j = mk(2, names);
  for (int i = 0; i < 3000; i++) push(j, (double[]){i / 60, i % 60}, 1 / 3002.0);
  push(j, (double[]){0, 5}, 2 / 3002.0);
  cr_assert_eq(ixp_joint_finish(j), IXP_JOINT_OK);
  double h = -2999 / 3002.0 * log(1 / 3002.0) - 3 / 3002.0 * log(3 / 3002.0);
  double ha = -62 / 3002.0 * log(62 / 3002.0) - 49 * (60 / 3002.0) * log(60 / 3002.0);
  cr_assert_float_eq(H(j, 3), h, TOL);
  cr_assert_float_eq(H(j, 1), ha, TOL);
  size_t f = 99, s = 99;
  cr_assert_eq(ixp_joint_find_duplicate(j, &f, &s), IXP_JOINT_EDUPLICATE);
  cr_assert_eq(f, 5);
  cr_assert_eq(s, 3000);
  IxpJoint *m = NULL;
  cr_assert_eq(ixp_joint_marginal(j, 3, &m), IXP_JOINT_OK);
  cr_assert_eq(m->n, 3000);
  cr_assert_float_eq(m->p[5], 3 / 3002.0, 1e-18);
  cr_assert_float_eq(m->p[6], 1 / 3002.0, 1e-18);
  cr_assert_eq(m->alpha[1].values[m->code[1][2999]], 59.0);
  ixp_joint_free(m);
  ixp_joint_free(j);
}

Test(marginal, contents_and_order) {
  static const char *const names[] = {"a", "b", "c"};
  IxpJoint *j = mk(3, names);
  ixp_alphabet_code(&j->alpha[0], 9); /* in the alphabet, never in a state */
  push(j, (double[]){3, 1, 0}, 0.10);
  push(j, (double[]){1, 0, 0}, 0.20);
  push(j, (double[]){3, 0, 1}, 0.30);
  push(j, (double[]){1, 1, 1}, 0.15);
  push(j, (double[]){2, 0, 0}, 0.20);
  push(j, (double[]){1, 2, 0}, 0.05);
  push(j, (double[]){7, 0, 0}, 0.0); /* not in the support */
  cr_assert_eq(ixp_joint_finish(j), IXP_JOINT_OK);
  IxpJoint *m = NULL;
  cr_assert_eq(ixp_joint_marginal(j, 5, &m), IXP_JOINT_OK);
  cr_assert_eq(m->nvars, 2);
  cr_assert_str_eq(m->names[0], "a");
  cr_assert_str_eq(m->names[1], "c");
  cr_assert_eq(m->alpha[0].card, 3); /* 7 and 9 dropped */
  cr_assert_eq(m->alpha[0].values[0], 1.0);
  cr_assert_eq(m->alpha[0].values[1], 2.0);
  cr_assert_eq(m->alpha[0].values[2], 3.0);
  cr_assert_eq(m->alpha[1].card, 2);
  cr_assert_eq(m->alpha[1].values[0], 0.0);
  cr_assert_eq(m->alpha[1].values[1], 1.0);
  const double want[5][3] = {{1, 0, 0.25}, {1, 1, 0.15}, {2, 0, 0.20}, {3, 0, 0.10}, {3, 1, 0.30}};
  cr_assert_eq(m->n, 5);
  for (int s = 0; s < 5; s++) {
    cr_assert_eq(m->alpha[0].values[m->code[0][s]], want[s][0], "state %d", s);
    cr_assert_eq(m->alpha[1].values[m->code[1][s]], want[s][1], "state %d", s);
    cr_assert_float_eq(m->p[s], want[s][2], 1e-16, "state %d", s);
  }
  cr_assert_float_eq(H(m, 3), H(j, 5), TOL);
  size_t f, s;
  cr_assert_eq(ixp_joint_find_duplicate(m, &f, &s), IXP_JOINT_OK);
  IxpJoint *mm = NULL; /* m is sorted and distinct: its own full marginal */
  cr_assert_eq(ixp_joint_marginal(m, 3, &mm), IXP_JOINT_OK);
  cr_assert_eq(mm->n, m->n);
  for (size_t t = 0; t < m->n; t++) {
    cr_assert_eq(mm->code[0][t], m->code[0][t]);
    cr_assert_eq(mm->code[1][t], m->code[1][t]);
    cr_assert_eq(mm->p[t], m->p[t]);
  }
  ixp_joint_free(mm);
  ixp_joint_free(m);

  cr_assert_eq(ixp_joint_marginal(j, 0, &m), IXP_JOINT_OK); /* empty mask */
  cr_assert_eq(m->nvars, 0);
  cr_assert_eq(m->n, 1);
  cr_assert_float_eq(m->p[0], 1.0, 1e-15);
  ixp_joint_free(m);
  ixp_joint_free(j);
}

Test(kl, bernoulli_closed_form) {
  const double ab[][2] = {{0.5, 0.5}, {0.1, 0.2}, {0.3, 0.7}, {0.01, 0.5}, {0.5, 0.4999}};
  for (size_t i = 0; i < sizeof ab / sizeof *ab; i++) {
    IxpJoint *p = bernoulli(ab[i][0]), *q = bernoulli(ab[i][1]);
    cr_assert_float_eq(KL(p, q), kl2(ab[i][0], ab[i][1]), TOL, "%g || %g", ab[i][0], ab[i][1]);
    cr_assert_float_eq(KL(q, p), kl2(ab[i][1], ab[i][0]), TOL);
    cr_assert_float_eq(KL(p, p), 0.0, TOL);
    ixp_joint_free(p);
    ixp_joint_free(q);
  }
}

Test(kl, disjoint_support_is_infinite) {
  static const char *const names[] = {"x", "y"};
  IxpJoint *p = mk(2, names), *q = mk(2, names);
  push(p, (double[]){0, 0}, 0.5);
  push(p, (double[]){1, 1}, 0.5);
  push(q, (double[]){2, 0}, 0.5); /* x values never meet */
  push(q, (double[]){3, 1}, 0.5);
  cr_assert_eq(ixp_joint_finish(p), IXP_JOINT_OK);
  cr_assert_eq(ixp_joint_finish(q), IXP_JOINT_OK);
  double d = KL(p, q);
  cr_assert(isinf(d) && d > 0, "D=%g", d);
  /* values shared, tuples not: r has (0,1), p lacks it */
  IxpJoint *r = mk(2, names);
  push(r, (double[]){0, 0}, 0.5);
  push(r, (double[]){0, 1}, 0.25);
  push(r, (double[]){1, 1}, 0.25);
  cr_assert_eq(ixp_joint_finish(r), IXP_JOINT_OK);
  d = KL(r, p);
  cr_assert(isinf(d) && d > 0, "D=%g", d);
  /* the other way round r's extra state only takes mass: D = ln(2) / 2 */
  cr_assert_float_eq(KL(p, r), 0.5 * log(2), TOL);
  ixp_joint_free(p);
  ixp_joint_free(q);
  ixp_joint_free(r);
}

Test(kl, zero_mass_values_missing_from_q_are_ignored) {
  IxpJoint *p = bernoulli(0.3), *q = bernoulli(0.6);
  push(p, (double[]){42}, 0.0); /* value q never has, but no mass */
  cr_assert_eq(ixp_joint_finish(p), IXP_JOINT_OK);
  cr_assert_float_eq(KL(p, q), kl2(0.3, 0.6), TOL);
  ixp_joint_free(p);
  ixp_joint_free(q);
}

Test(kl, variables_in_different_order) {
  static const char *const xy[] = {"x", "y"}, *const yx[] = {"y", "x"};
  const double a = 0.2, b = 0.35, c = 0.7, d = 0.6;
  IxpJoint *p = mk(2, xy), *q = mk(2, yx), *p2 = mk(2, yx);
  for (int x = 0; x < 2; x++)
    for (int y = 0; y < 2; y++) {
      double px = x ? a : 1 - a, py = y ? c : 1 - c;
      double qx = x ? b : 1 - b, qy = y ? d : 1 - d;
      push(p, (double[]){x, y}, px * py);
      push(q, (double[]){y, x}, qx * qy);
      push(p2, (double[]){y, x}, px * py);
    }
  cr_assert_eq(ixp_joint_finish(p), IXP_JOINT_OK);
  cr_assert_eq(ixp_joint_finish(q), IXP_JOINT_OK);
  cr_assert_eq(ixp_joint_finish(p2), IXP_JOINT_OK);
  cr_assert_float_eq(KL(p, q), kl2(a, b) + kl2(c, d), TOL);
  cr_assert_float_eq(KL(q, p), kl2(b, a) + kl2(d, c), TOL);
  cr_assert_float_eq(KL(p, p2), 0.0, TOL);
  cr_assert_float_eq(KL(p2, p), 0.0, TOL);
  ixp_joint_free(p);
  ixp_joint_free(q);
  ixp_joint_free(p2);
}

Test(kl, mismatched_variables_are_evars) {
  static const char *const xy[] = {"x", "y"}, *const xz[] = {"x", "z"}, *const x[] = {"x"};
  IxpJoint *p = mk(2, xy), *q = mk(2, xz), *r = mk(1, x);
  push(p, (double[]){0, 0}, 1);
  push(q, (double[]){0, 0}, 1);
  push(r, (double[]){0}, 1);
  double d = 123;
  cr_assert_eq(ixp_joint_kl(p, q, &d), IXP_JOINT_EVARS);
  cr_assert_eq(ixp_joint_kl(p, r, &d), IXP_JOINT_EVARS);
  cr_assert_eq(ixp_joint_kl(r, p, &d), IXP_JOINT_EVARS);
  cr_assert_eq(d, 123);
  ixp_joint_free(p);
  ixp_joint_free(q);
  ixp_joint_free(r);
}

Test(duplicate, first_pair_in_push_order) {
  static const char *const names[] = {"x", "y"};
  IxpJoint *j = mk(2, names);
  const double t[][2] = {{5, 1}, {2, 2}, {0, 0}, {1, 5}, {2, 2}, {5, 1}, {0, 0}};
  for (int s = 0; s < 7; s++) push(j, t[s], 1.0 / 7);
  cr_assert_eq(ixp_joint_finish(j), IXP_JOINT_OK);
  size_t f = 99, s = 99;
  cr_assert_eq(ixp_joint_find_duplicate(j, &f, &s), IXP_JOINT_EDUPLICATE);
  cr_assert_eq(f, 1);
  cr_assert_eq(s, 4);
  ixp_joint_free(j);
}

Test(duplicate, none_and_tiny) {
  static const char *const names[] = {"x", "y"};
  IxpJoint *j = mk(2, names);
  size_t f = 99, s = 99;
  cr_assert_eq(ixp_joint_find_duplicate(j, &f, &s), IXP_JOINT_OK);
  push(j, (double[]){1, 2}, 0.5);
  cr_assert_eq(ixp_joint_find_duplicate(j, &f, &s), IXP_JOINT_OK);
  push(j, (double[]){2, 1}, 0.5);
  cr_assert_eq(ixp_joint_finish(j), IXP_JOINT_OK);
  cr_assert_eq(ixp_joint_find_duplicate(j, &f, &s), IXP_JOINT_OK);
  cr_assert_eq(f, 99);
  ixp_joint_free(j);
}

/* Seven states over nv variables (variable v takes column v % 2 of the
 * table below), each alphabet padded with `pad` values no state uses. The
 * padding moves the radix product from dense bins (pad 0) to sorted keys
 * (2 vars, pad 1000: 1002^2 > 2^16) to tuple sort (8 vars, pad 300:
 * 303^8 > 2^64) without changing the distribution. If uniform, each
 * distinct tuple gets mass 1/4, else state s has mass (s + 1) / 28. */
static IxpJoint *padded(int nv, int pad, int uniform) {
  static const char *const names[] = {"v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7"};
  static const double t[][2] = {{5, 1}, {2, 2}, {0, 0}, {1, 5}, {2, 2}, {5, 1}, {0, 0}};
  static const double upair[] = {0.125, 0.125, 0.125, 0.25, 0.125, 0.125, 0.125};
  IxpJoint *j = mk(nv, names);
  for (int v = 0; v < nv; v++)
    for (int i = 0; i < pad; i++) ixp_alphabet_code(&j->alpha[v], 100 + i);
  for (int s = 0; s < 7; s++) {
    double vals[8];
    for (int v = 0; v < nv; v++) vals[v] = t[s][v % 2];
    push(j, vals, uniform ? upair[s] : (s + 1) / 28.0);
  }
  cr_assert_eq(ixp_joint_finish(j), IXP_JOINT_OK);
  return j;
}

Test(duplicate, every_grouping_method_agrees) {
  const int cfg[][2] = {{2, 0}, {2, 1000}, {8, 300}};
  const double P[] = {10 / 28.0, 4 / 28.0, 7 / 28.0, 7 / 28.0}; /* lexicographic */
  double h = 0, d = 0;
  for (int g = 0; g < 4; g++) h -= P[g] * log(P[g]), d += P[g] * log(4 * P[g]);
  for (int c = 0; c < 3; c++) {
    int nv = cfg[c][0], pad = cfg[c][1];
    IxpJoint *j = padded(nv, pad, 0), *u = padded(nv, pad, 1);
    uint64_t all = (UINT64_C(1) << nv) - 1;
    size_t f = 99, s = 99;
    cr_assert_eq(ixp_joint_find_duplicate(j, &f, &s), IXP_JOINT_EDUPLICATE, "cfg %d", c);
    cr_assert_eq(f, 1, "cfg %d", c);
    cr_assert_eq(s, 4, "cfg %d", c);
    cr_assert_float_eq(H(j, all), h, TOL, "cfg %d", c);
    cr_assert_float_eq(H(u, all), log(4), TOL, "cfg %d", c);
    cr_assert_float_eq(KL(j, u), d, TOL, "cfg %d", c);
    IxpJoint *m = NULL;
    cr_assert_eq(ixp_joint_marginal(j, all, &m), IXP_JOINT_OK);
    cr_assert_eq(m->n, 4, "cfg %d", c);
    for (int v = 0; v < nv; v++) cr_assert_eq(m->alpha[v].card, 4, "cfg %d", c);
    for (int g = 0; g < 4; g++) cr_assert_float_eq(m->p[g], P[g], 1e-16, "cfg %d", c);
    cr_assert_eq(m->alpha[0].values[m->code[0][3]], 5.0);
    cr_assert_eq(m->alpha[1].values[m->code[1][3]], 1.0);
    ixp_joint_free(m);
    ixp_joint_free(u);
    ixp_joint_free(j);
  }
}

Test(alphabet, negative_zero_is_zero) {
  static const char *const names[] = {"x"};
  IxpJoint *j = mk(1, names);
  IxpAlphabet *a = &j->alpha[0];
  uint32_t c1 = ixp_alphabet_code(a, 1.0);
  uint32_t cz = ixp_alphabet_code(a, -0.0);
  cr_assert_eq(ixp_alphabet_code(a, 0.0), cz);
  cr_assert_neq(c1, cz);
  cr_assert_eq(a->card, 2);
  push(j, (double[]){-0.0}, 0.5);
  push(j, (double[]){0.0}, 0.5);
  cr_assert_eq(ixp_joint_finish(j), IXP_JOINT_OK);
  cr_assert_eq(a->values[0], 0.0);
  cr_assert(!signbit(a->values[0]), "stored zero keeps its minus sign");
  size_t f = 99, s = 99;
  cr_assert_eq(ixp_joint_find_duplicate(j, &f, &s), IXP_JOINT_EDUPLICATE);
  cr_assert_eq(f, 0);
  cr_assert_eq(s, 1);
  cr_assert_float_eq(H(j, 1), 0.0, TOL); /* one value with mass 1 */
  ixp_joint_free(j);
}

Test(alphabet, grows_then_finish_sorts_and_renumbers) {
  static const char *const names[] = {"x"};
  IxpJoint *j = mk(1, names);
  IxpAlphabet *a = &j->alpha[0];
  const int n = 5000;
  for (int i = 0; i < n; i++) {
    double v = (double)((i * 3571) % n) - 2500.5; /* a permutation */
    uint32_t c = ixp_alphabet_code(a, v);
    cr_assert_eq(c, (uint32_t)i);
    cr_assert_eq(ixp_alphabet_code(a, v), c);
    cr_assert_eq(ixp_joint_push(j, &c, v), IXP_JOINT_OK); /* p = value */
  }
  cr_assert_eq(a->card, (uint32_t)n);
  cr_assert_eq(ixp_joint_finish(j), IXP_JOINT_OK);
  for (int i = 1; i < n; i++) cr_assert_lt(a->values[i - 1], a->values[i]);
  for (size_t s = 0; s < j->n; s++) cr_assert_eq(a->values[j->code[0][s]], j->p[s]);
  cr_assert_eq(ixp_alphabet_code(a, -2500.5), 0);         /* hash rebuilt */
  cr_assert_eq(ixp_alphabet_code(a, 1e9), (uint32_t)n); /* new value */
  ixp_joint_free(j);
}

Test(joint, push_rejects_codes_outside_alphabet) {
  static const char *const names[] = {"x"};
  IxpJoint *j = mk(1, names);
  uint32_t c = 0;
  cr_assert_eq(ixp_joint_push(j, &c, 1.0), IXP_JOINT_EVARS);
  cr_assert_eq(j->n, 0);
  ixp_joint_free(j);
}

Test(joint, impossible_reserve_is_enomem_and_harmless) {
  static const char *const names[] = {"x"};
  IxpJoint *j = mk(1, names);
  cr_assert_eq(ixp_joint_reserve(j, SIZE_MAX / 2), IXP_JOINT_ENOMEM);
  push(j, (double[]){1}, 1.0);
  cr_assert_eq(j->n, 1);
  cr_assert_float_eq(H(j, 1), 0.0, TOL);
  ixp_joint_free(j);
}

Test(joint, var_lookup_and_status_text) {
  static const char *const names[] = {"alpha", "beta"};
  IxpJoint *j = mk(2, names);
  cr_assert_eq(ixp_joint_var(j, "beta"), 1);
  cr_assert_eq(ixp_joint_var(j, "alpha"), 0);
  cr_assert_eq(ixp_joint_var(j, "gamma"), -1);
  ixp_joint_free(j);
  const IxpJointStatus all[] = {IXP_JOINT_OK, IXP_JOINT_ENOMEM, IXP_JOINT_ETOO_LARGE,
                                IXP_JOINT_EVARS, IXP_JOINT_EDUPLICATE};
  for (int i = 0; i < 5; i++) {
    cr_assert(ixp_joint_status_text(all[i])[0] != '\0');
    for (int k = 0; k < i; k++)
      cr_assert_str_neq(ixp_joint_status_text(all[i]), ixp_joint_status_text(all[k]));
  }
}
