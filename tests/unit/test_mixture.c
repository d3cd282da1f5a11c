/* test_mixture.c — Gaussian mixtures by EM: parameters recovered from a
 * known mixture, K chosen by BIC, determinism at any thread count, and
 * the Monte Carlo MI against closed forms and numerical integration. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "blis/dense.h"
#include "mixture.h"

/* The 2-D, 2-component mixture the tests draw from: well separated,
 * unequal weights, different shapes. */
static const double W2[] = {0.3, 0.7};
static const double MU2[] = {-2.0, 0.0, 2.0, 1.0};
static const double COV2[] = {1.0, 0.5, 0.5, 1.0, /* */ 0.5, -0.2, -0.2, 0.8};

static double *draw(const IxpMixture *m, long n, uint64_t key) {
  double *x = malloc(sizeof(double) * (size_t)(n * m->d));
  cr_assert_eq(ixp_mix_sample(m, key, n, x), IXP_MIX_OK);
  return x;
}

static IxpMixOptions options(uint64_t key) {
  IxpMixOptions o;
  ixp_mix_defaults(&o);
  o.key = key;
  return o;
}

/* 20000 rows: each weight's standard error is about 0.003, each mean's
 * at most sqrt(1 / 6000) = 0.013, each covariance entry's about 0.02;
 * the tolerances are about 5 of them. */
Test(mixture, recovers_two_components) {
  IxpMixture truth, fit;
  cr_assert_eq(ixp_mix_make(2, 2, W2, MU2, COV2, &truth), IXP_MIX_OK);
  long n = 20000;
  double *x = draw(&truth, n, 7);
  IxpMixOptions o = options(11);
  cr_assert_eq(ixp_mix_fit(x, n, 2, 2, &o, &fit), IXP_MIX_OK);
  int first = fit.mu[0] < fit.mu[2] ? 0 : 1; /* match by the mean's x */
  for (int k = 0; k < 2; k++) {
    int f = k == 0 ? first : 1 - first;
    cr_assert(fabs(fit.w[f] - W2[k]) < 0.015, "w %g vs %g", fit.w[f], W2[k]);
    for (int j = 0; j < 2; j++) cr_assert(fabs(fit.mu[f * 2 + j] - MU2[k * 2 + j]) < 0.06);
    for (int j = 0; j < 4; j++)
      cr_assert(fabs(fit.cov[f * 4 + j] - COV2[k * 4 + j]) < 0.1, "cov %g vs %g", fit.cov[f * 4 + j], COV2[k * 4 + j]);
  }
  ixp_mix_free(&truth), ixp_mix_free(&fit), free(x);
}

/* A correlated 3-D Gaussian: BIC keeps one component (its penalty for a
 * second, 9.5 log n, dwarfs the likelihood a second can gain). */
Test(mixture, bic_chooses_one_on_gaussian) {
  double w = 1, mu[3] = {1, -1, 0}, cov[9] = {1, 0.6, 0.3, 0.6, 1, 0.2, 0.3, 0.2, 1};
  IxpMixture truth, fit;
  cr_assert_eq(ixp_mix_make(1, 3, &w, mu, cov, &truth), IXP_MIX_OK);
  for (uint64_t seed = 1; seed <= 3; seed++) {
    double *x = draw(&truth, 5000, seed), score[8];
    IxpMixOptions o = options(seed);
    cr_assert_eq(ixp_mix_select(x, 5000, 3, &o, &fit, score), IXP_MIX_OK);
    cr_assert_eq(fit.k, 1, "seed %d: K = %d (BIC %g %g)", (int)seed, fit.k, score[0], score[1]);
    ixp_mix_free(&fit), free(x);
  }
  ixp_mix_free(&truth);
}

/* The two-component mixture: BIC finds 2; the held-out likelihood, whose
 * noise is that of 1000 rows and which does not charge for parameters,
 * finds 2 or a third component that splits one (never 1, never more). */
Test(mixture, selection_finds_two) {
  IxpMixture truth, fit;
  cr_assert_eq(ixp_mix_make(2, 2, W2, MU2, COV2, &truth), IXP_MIX_OK);
  double *x = draw(&truth, 5000, 3);
  IxpMixOptions o = options(5);
  cr_assert_eq(ixp_mix_select(x, 5000, 2, &o, &fit, NULL), IXP_MIX_OK);
  cr_assert_eq(fit.k, 2);
  ixp_mix_free(&fit);
  o.heldout = true;
  cr_assert_eq(ixp_mix_select(x, 5000, 2, &o, &fit, NULL), IXP_MIX_OK);
  cr_assert(fit.k == 2 || fit.k == 3, "K = %d", fit.k);
  ixp_mix_free(&fit), ixp_mix_free(&truth), free(x);
}

static void same_bits(const IxpMixture *a, const IxpMixture *b) {
  cr_assert_eq(a->k, b->k);
  cr_assert_eq(memcmp(&a->loglik, &b->loglik, sizeof(double)), 0);
  cr_assert_eq(memcmp(a->w, b->w, sizeof(double) * (size_t)a->k), 0);
  cr_assert_eq(memcmp(a->mu, b->mu, sizeof(double) * (size_t)(a->k * a->d)), 0);
  cr_assert_eq(memcmp(a->cov, b->cov, sizeof(double) * (size_t)(a->k * a->d * a->d)), 0);
}

/* The same key gives the same bits, on 1 thread and on 2 with threads
 * forced for every level-3 call; another key gives another start. */
Test(mixture, deterministic_across_runs_and_threads) {
  IxpMixture truth, a, b, c;
  double w[3] = {0.2, 0.3, 0.5}, mu[9] = {0, 0, 0, 3, 0, 1, 0, 3, -1}, cov[27];
  for (int k = 0; k < 3; k++)
    for (int i = 0; i < 9; i++) cov[k * 9 + i] = i % 4 == 0 ? 1.0 + 0.2 * k : 0.1 * k;
  cr_assert_eq(ixp_mix_make(3, 3, w, mu, cov, &truth), IXP_MIX_OK);
  long n = 30000; /* above the size where BLIS splits its work */
  double *x = draw(&truth, n, 9);
  IxpMixOptions o = options(21);
  o.kmax = 4;
  ixp_dense_set_threads(1);
  cr_assert_eq(ixp_mix_select(x, n, 3, &o, &a, NULL), IXP_MIX_OK);
  ixp_dense_set_threads(2);
  ixp_dense_set_thread_rule(0, false);
  cr_assert_eq(ixp_mix_select(x, n, 3, &o, &b, NULL), IXP_MIX_OK);
  ixp_dense_set_thread_rule(1e7, true);
  same_bits(&a, &b);
  cr_assert_eq(ixp_mix_select(x, n, 3, &o, &c, NULL), IXP_MIX_OK);
  same_bits(&a, &c);
  double mi1, se1, mi2, se2;
  cr_assert_eq(ixp_mix_mi(&a, 1, 2, 0, 5000, 3, &mi1, &se1), IXP_MIX_OK);
  cr_assert_eq(ixp_mix_mi(&c, 1, 2, 0, 5000, 3, &mi2, &se2), IXP_MIX_OK);
  cr_assert_eq(memcmp(&mi1, &mi2, sizeof mi1), 0);
  ixp_mix_free(&a), ixp_mix_free(&b), ixp_mix_free(&c), ixp_mix_free(&truth), free(x);
}

/* One Gaussian component: I(X; Y) = -1/2 log(1 - rho^2) for scalars, and
 * for X = (x1, x2), Y = y3 given Z = z4 the Gaussian CMI
 * 1/2 log(det S_xz det S_yz / (det S_xyz det S_z)); the MC mean within 4
 * standard errors, and the MC error itself of the right size. */
Test(mixture, gaussian_mi_and_cmi_closed_forms) {
  double rho = 0.8, w = 1, mu2[2] = {0.5, -1}, cov2[4] = {1, rho, rho, 1};
  IxpMixture g;
  cr_assert_eq(ixp_mix_make(1, 2, &w, mu2, cov2, &g), IXP_MIX_OK);
  double mi, se, truth = -0.5 * log(1 - rho * rho);
  cr_assert_eq(ixp_mix_mi(&g, 1, 1, 0, 40000, 5, &mi, &se), IXP_MIX_OK);
  cr_assert(fabs(mi - truth) < 4 * se, "mi %g vs %g (se %g)", mi, truth, se);
  /* The information density of a Gaussian pair has variance rho^2. */
  cr_assert(fabs(se - rho / sqrt(40000.0)) < 0.1 * se, "se %g", se);
  ixp_mix_free(&g);

  /* x1, x2, y, z: a chain through z plus a direct x1 - y link. */
  double mu4[4] = {0}, c[16] = {1, 0.3, 0.5, 0.6, 0.3, 1, 0.2, 0.4, 0.5, 0.2, 1, 0.7, 0.6, 0.4, 0.7, 1};
  cr_assert_eq(ixp_mix_make(1, 4, &w, mu4, c, &g), IXP_MIX_OK);
  /* det of the sub-blocks by hand (3 x 3 and 2 x 2 cofactor formulas). */
  double sxz = 1 * (1 * 1 - 0.4 * 0.4) - 0.3 * (0.3 * 1 - 0.4 * 0.6) + 0.6 * (0.3 * 0.4 - 1 * 0.6);
  double syz = 1 - 0.7 * 0.7, sz = 1;
  double a[9] = {1, 0.3, 0.5, 0.3, 1, 0.2, 0.5, 0.2, 1}; /* x1 x2 y */
  /* det S_xyz by the Schur complement on z: det(A - b b^T) with b = (0.6, 0.4, 0.7). */
  double b[3] = {0.6, 0.4, 0.7}, s[9];
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) s[i * 3 + j] = a[i * 3 + j] - b[i] * b[j];
  double sxyz = s[0] * (s[4] * s[8] - s[5] * s[7]) - s[1] * (s[3] * s[8] - s[5] * s[6]) + s[2] * (s[3] * s[7] - s[4] * s[6]);
  truth = 0.5 * log(sxz * syz / (sxyz * sz));
  cr_assert_eq(ixp_mix_mi(&g, 2, 1, 1, 40000, 6, &mi, &se), IXP_MIX_OK);
  cr_assert(fabs(mi - truth) < 4 * se, "cmi %g vs %g (se %g)", mi, truth, se);
  ixp_mix_free(&g);
}

static double normal2(double x, double y, const double *mu, const double *c) {
  double det = c[0] * c[3] - c[1] * c[2], dx = x - mu[0], dy = y - mu[1];
  double q = (c[3] * dx * dx - 2 * c[1] * dx * dy + c[0] * dy * dy) / det;
  return exp(-0.5 * q) / (2 * M_PI * sqrt(det));
}

static double normal1(double x, double mu, double v) { return exp(-0.5 * (x - mu) * (x - mu) / v) / sqrt(2 * M_PI * v); }

/* I(X; Y) of the 2-component mixture by the midpoint rule on [-9, 9]^2
 * (step 0.01: the densities are smooth on that scale and the tails beyond
 * are below 1e-12), against the Monte Carlo estimate within 4 se. */
Test(mixture, two_component_mi_by_integration) {
  IxpMixture m;
  cr_assert_eq(ixp_mix_make(2, 2, W2, MU2, COV2, &m), IXP_MIX_OK);
  double h = 0.01, integral = 0;
  for (int i = 0; i < 1800; i++) {
    double x = -9 + (i + 0.5) * h, px = 0;
    for (int k = 0; k < 2; k++) px += W2[k] * normal1(x, MU2[2 * k], COV2[4 * k]);
    for (int j = 0; j < 1800; j++) {
      double y = -9 + (j + 0.5) * h, pxy = 0, py = 0;
      for (int k = 0; k < 2; k++) {
        pxy += W2[k] * normal2(x, y, MU2 + 2 * k, COV2 + 4 * k);
        py += W2[k] * normal1(y, MU2[2 * k + 1], COV2[4 * k + 3]);
      }
      if (pxy > 0) integral += pxy * log(pxy / (px * py)) * h * h;
    }
  }
  double mi, se;
  cr_assert_eq(ixp_mix_mi(&m, 1, 1, 0, 100000, 8, &mi, &se), IXP_MIX_OK);
  cr_assert(integral > 0.1, "integral %g", integral); /* a real dependence, not a trivial case */
  cr_assert(fabs(mi - integral) < 4 * se, "mc %g vs integral %g (se %g)", mi, integral, se);
  ixp_mix_free(&m);
}

Test(mixture, rejects_bad_input) {
  IxpMixture m;
  IxpMixOptions o = options(1);
  double x[4] = {1, 2, 3, 4};
  cr_assert_eq(ixp_mix_fit(x, 2, 1, 2, &o, &m), IXP_MIX_EINPUT); /* n must exceed k */
  cr_assert_eq(ixp_mix_fit(NULL, 4, 1, 1, &o, &m), IXP_MIX_EINPUT);
  o.kmax = 0;
  cr_assert_eq(ixp_mix_select(x, 4, 1, &o, &m, NULL), IXP_MIX_EINPUT);
}

