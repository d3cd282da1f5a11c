/* test_rd.c — rate-distortion, capacity and information bottleneck
 * kernels against closed forms and structural properties. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "rd.h"

/* Binary entropy in nats. */
static double hb(double x) { return x <= 0 || x >= 1 ? 0 : -x * log(x) - (1 - x) * log(1 - x); }

/* Deterministic values in [0, 1). */
static double lcg(unsigned *s) {
  *s = *s * 1103515245u + 12345u;
  return (double)(*s >> 8) / (1u << 24);
}

/* A random distribution of n entries (all positive). */
static void rand_dist(double *p, int n, unsigned seed) {
  double s = 0;
  for (int i = 0; i < n; i++) s += p[i] = 0.05 + lcg(&seed);
  for (int i = 0; i < n; i++) p[i] /= s;
}

/* I(X;Y) of a joint, nats. */
static double mutual_info(const double *pxy, int n, int m) {
  double px[64] = {0}, py[64] = {0}, s = 0;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < m; j++) px[i] += pxy[i * m + j], py[j] += pxy[i * m + j];
  for (int i = 0; i < n; i++)
    for (int j = 0; j < m; j++)
      if (pxy[i * m + j] > 0) s += pxy[i * m + j] * log(pxy[i * m + j] / (px[i] * py[j]));
  return s;
}

static const double HAMMING2[4] = {0, 1, 1, 0};

/* The certificate every converged point must carry. */
static void assert_certified(const IxpRDPoint *o, double tol) {
  cr_assert(o->converged);
  cr_assert_leq(o->rate_lower, o->rate + 1e-15);
  cr_assert_leq(o->rate, o->rate_upper + 1e-15);
  cr_assert_leq(o->rate_upper - o->rate_lower, tol, "gap %g", o->rate_upper - o->rate_lower);
}

/* Bernoulli(p) with Hamming distortion: R(D) = h(p) - h(D) for
 * D <= min(p, 1-p), to 1e-11 at the target D; the distortion hit to 1e-10. */
Test(rd, binary_hamming_at_many_distortions) {
  const double ps[] = {0.3, 0.11, 0.5};
  for (int a = 0; a < 3; a++) {
    double p[2] = {1 - ps[a], ps[a]}, dmax = fmin(ps[a], 1 - ps[a]);
    for (int k = 1; k < 40; k++) {
      double D = dmax * k / 40.0;
      IxpRDPoint o;
      cr_assert_eq(ixp_rd_at(p, 2, HAMMING2, 2, D, NULL, &o), IXP_RD_OK, "p=%g D=%g", ps[a], D);
      cr_assert_leq(fabs(o.distortion - D), 1e-10, "p=%g D=%g got %.17g", ps[a], D, o.distortion);
      double ref = hb(ps[a]) - hb(D);
      cr_assert_leq(fabs(o.rate - ref), 1e-11, "p=%g D=%g rate %.17g ref %.17g", ps[a], D, o.rate, ref);
      assert_certified(&o, 1e-13);
    }
  }
}

/* At fixed slopes the returned rate matches h(p) - h(D) at the returned
 * distortion (which is below p), and R = 0 with D = p below the critical
 * slope ln((1-p)/p). */
Test(rd, binary_hamming_at_many_betas) {
  double p[2] = {0.7, 0.3};
  double betas[60];
  for (int k = 0; k < 60; k++) betas[k] = pow(10, -1 + 3.5 * k / 59.0);
  IxpRDPoint o[60];
  cr_assert_eq(ixp_rd_curve(p, 2, HAMMING2, 2, betas, 60, NULL, o), IXP_RD_OK);
  for (int k = 0; k < 60; k++) {
    assert_certified(&o[k], 1e-13);
    double ref = o[k].distortion < 0.3 ? hb(0.3) - hb(o[k].distortion) : 0;
    cr_assert_leq(fabs(o[k].rate - ref), 1e-11, "beta %g D %.17g rate %.17g ref %.17g", betas[k], o[k].distortion,
                  o[k].rate, ref);
    if (betas[k] < log(7.0 / 3) * 0.95) cr_assert_float_eq(o[k].distortion, 0.3, 1e-9, "beta %g", betas[k]);
    if (betas[k] > log(7.0 / 3) * 1.05)
      cr_assert_float_eq(o[k].distortion, 1 / (1 + exp(betas[k])), 1e-11, "beta %g", betas[k]);
  }
}

/* R(D) = 0 at and beyond Dmax = min(p, 1-p) (OK, not an error), and
 * R(0) = h(p) (the beta = infinity end). */
Test(rd, binary_hamming_ends) {
  double p[2] = {0.7, 0.3};
  IxpRDPoint o;
  for (double D = 0.3; D < 1.5; D += 0.1) {
    cr_assert_eq(ixp_rd_at(p, 2, HAMMING2, 2, D, NULL, &o), IXP_RD_OK);
    cr_assert_eq(o.rate, 0);
    cr_assert_leq(o.distortion, D + 1e-15);
  }
  cr_assert_eq(ixp_rd_at(p, 2, HAMMING2, 2, 0, NULL, &o), IXP_RD_OK);
  cr_assert_float_eq(o.rate, hb(0.3), 1e-13);
  cr_assert_eq(o.distortion, 0);
  cr_assert_eq(ixp_rd_beta(p, 2, HAMMING2, 2, INFINITY, NULL, NULL, &o), IXP_RD_OK);
  cr_assert_float_eq(o.rate, hb(0.3), 1e-13);
  /* beta = 1000: exp(-beta d) underflows entirely; no NaN, D ~ 0. */
  cr_assert_eq(ixp_rd_beta(p, 2, HAMMING2, 2, 1000, NULL, NULL, &o), IXP_RD_OK);
  cr_assert_float_eq(o.rate, hb(0.3), 1e-12);
  cr_assert_leq(o.distortion, 1e-300);
}

/* Uniform source on k symbols with Hamming distortion:
 * R(D) = ln k - h(D) - D ln(k-1) for D <= (k-1)/k. */
Test(rd, uniform_hamming) {
  for (int k = 3; k <= 8; k += 5) {
    double p[8], d[64];
    for (int i = 0; i < k; i++) {
      p[i] = 1.0 / k;
      for (int j = 0; j < k; j++) d[i * k + j] = i != j;
    }
    for (int t = 1; t < 20; t++) {
      double D = (k - 1.0) / k * t / 20.0;
      IxpRDPoint o;
      cr_assert_eq(ixp_rd_at(p, k, d, k, D, NULL, &o), IXP_RD_OK, "k=%d D=%g", k, D);
      double ref = log(k) - hb(D) - D * log(k - 1.0);
      cr_assert_leq(fabs(o.rate - ref), 1e-11, "k=%d D=%g rate %.17g ref %.17g", k, D, o.rate, ref);
      assert_certified(&o, 1e-13);
    }
    IxpRDPoint o;
    cr_assert_eq(ixp_rd_at(p, k, d, k, (k - 1.0) / k, NULL, &o), IXP_RD_OK);
    cr_assert_eq(o.rate, 0);
  }
}

/* On a random source and distortion: the curve is non-increasing and
 * convex in D (every point lies above every other point's supporting
 * line R_L - beta (D' - D)), each point is certified, and the points come
 * back in the caller's (unsorted) order. */
Test(rd, random_curve_monotone_convex) {
  enum { N = 7, M = 5, NB = 40 };
  double p[N], d[N * M], betas[NB];
  unsigned s = 3;
  rand_dist(p, N, 11);
  for (int i = 0; i < N * M; i++) d[i] = 3 * lcg(&s);
  for (int k = 0; k < NB; k++) betas[k] = pow(10, -1 + 3.0 * ((k * 17) % NB) / (NB - 1.0));
  IxpRDPoint o[NB];
  cr_assert_eq(ixp_rd_curve(p, N, d, M, betas, NB, NULL, o), IXP_RD_OK);
  for (int k = 0; k < NB; k++) {
    cr_assert_eq(o[k].beta, betas[k]);
    assert_certified(&o[k], 1e-13);
  }
  for (int a = 0; a < NB; a++)
    for (int b = 0; b < NB; b++) {
      if (o[a].beta > o[b].beta) {
        cr_assert_leq(o[a].distortion, o[b].distortion + 1e-12);
        cr_assert_geq(o[a].rate, o[b].rate - 1e-12);
      }
      double line = o[a].rate_lower - o[a].beta * (o[b].distortion - o[a].distortion);
      cr_assert_geq(o[b].rate, line - 1e-12, "point %d below the supporting line of %d", b, a);
    }
}

/* The warm start receives the reproduction distribution; solving again
 * from it converges at once to the same point. */
Test(rd, warm_start) {
  enum { N = 6, M = 6 };
  double p[N], d[N * M], q[M];
  rand_dist(p, N, 5);
  for (int i = 0; i < N; i++)
    for (int j = 0; j < M; j++) d[i * M + j] = fabs((double)(i - j));
  for (int j = 0; j < M; j++) q[j] = 1.0 / M;
  IxpRDPoint a, b;
  cr_assert_eq(ixp_rd_beta(p, N, d, M, 2.0, NULL, q, &a), IXP_RD_OK);
  double s = 0;
  for (int j = 0; j < M; j++) s += q[j];
  cr_assert_float_eq(s, 1, 1e-12);
  cr_assert_eq(ixp_rd_beta(p, N, d, M, 2.0, NULL, q, &b), IXP_RD_OK);
  cr_assert_leq(b.iterations, 3);
  cr_assert_float_eq(a.rate, b.rate, 1e-12);
  cr_assert_float_eq(a.distortion, b.distortion, 1e-10);
}

/* A sparse optimal support (a discretised continuous source), where plain
 * Blahut–Arimoto needs >1e5 iterations: converges and is certified. */
Test(rd, sparse_support_converges) {
  enum { N = 64 };
  double *p = malloc(sizeof(double) * N), *d = malloc(sizeof(double) * N * N);
  rand_dist(p, N, 9);
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) d[i * N + j] = fabs((double)(i - j)) / N;
  double betas[5] = {3, 10, 30, 100, 300};
  IxpRDPoint o[5];
  cr_assert_eq(ixp_rd_curve(p, N, d, N, betas, 5, NULL, o), IXP_RD_OK);
  for (int k = 0; k < 5; k++) {
    assert_certified(&o[k], 1e-13);
    cr_assert_lt(o[k].iterations, 2000);
  }
  free(p), free(d);
}

/* A distortion below the least achievable one is ERANGE; an iteration
 * limit too small is ENOCONVERGE with the point filled and flagged. */
Test(rd, range_and_noconverge) {
  double p[2] = {0.5, 0.5}, d[4] = {0.2, 1, 1, 0.3};
  IxpRDPoint o;
  cr_assert_eq(ixp_rd_at(p, 2, d, 2, 0.1, NULL, &o), IXP_RD_ERANGE);
  cr_assert_eq(ixp_rd_at(p, 2, d, 2, 0.25, NULL, &o), IXP_RD_OK);
  cr_assert_float_eq(o.rate, log(2), 1e-13);
  double p3[3] = {0.5, 0.3, 0.2}, d3[9] = {0, 1, 2, 1, 0, 1, 2, 1, 0};
  IxpIterOptions opt = {.max_iter = 1};
  cr_assert_eq(ixp_rd_beta(p3, 3, d3, 3, 1.3, &opt, NULL, &o), IXP_RD_ENOCONVERGE);
  cr_assert(!o.converged);
  cr_assert_eq(o.iterations, 1);
  cr_assert(isfinite(o.rate) && isfinite(o.distortion));
}

/* Capacity of the binary symmetric channel: ln 2 - h(p), uniform input. */
Test(capacity, bsc) {
  for (double e = 0.01; e < 0.5; e += 0.07) {
    double w[4] = {1 - e, e, e, 1 - e}, in[2];
    IxpCapacity c;
    cr_assert_eq(ixp_capacity(w, 2, 2, NULL, in, &c), IXP_RD_OK);
    cr_assert_float_eq(c.capacity, log(2) - hb(e), 1e-12, "e=%g", e);
    cr_assert_float_eq(in[0], 0.5, 1e-9);
    cr_assert_leq(c.gap, 1e-13);
  }
}

/* Binary erasure channel: (1 - eps) ln 2. */
Test(capacity, bec) {
  double e = 0.37, w[6] = {1 - e, e, 0, 0, e, 1 - e}, in[2];
  IxpCapacity c;
  cr_assert_eq(ixp_capacity(w, 2, 3, NULL, in, &c), IXP_RD_OK);
  cr_assert_float_eq(c.capacity, (1 - e) * log(2), 1e-12);
}

/* Z channel (0 -> 0; 1 -> 0 with probability p): C = log2(1 + (1-p) p^(p/(1-p))) bits. */
Test(capacity, z_channel) {
  for (double pz = 0.1; pz < 0.95; pz += 0.2) {
    double w[4] = {1, 0, pz, 1 - pz}, in[2];
    IxpCapacity c;
    cr_assert_eq(ixp_capacity(w, 2, 2, NULL, in, &c), IXP_RD_OK);
    double ref = log(1 + (1 - pz) * pow(pz, pz / (1 - pz)));
    cr_assert_float_eq(c.capacity, ref, 1e-12, "p=%g: %.17g vs %.17g", pz, c.capacity, ref);
    /* The optimal input puts less than half its mass on the noisy symbol. */
    cr_assert_lt(in[1], 0.5);
  }
}

/* A random channel: capacity >= I(uniform input; output), <= ln min(n, m),
 * and the returned input achieves the capacity. */
Test(capacity, random_channel) {
  enum { N = 5, M = 4 };
  double w[N * M], in[N], joint[N * M];
  for (int i = 0; i < N; i++) rand_dist(w + i * M, M, 100 + i);
  IxpCapacity c;
  cr_assert_eq(ixp_capacity(w, N, M, NULL, in, &c), IXP_RD_OK);
  for (int i = 0; i < N * M; i++) joint[i] = w[i] / N;
  double iu = mutual_info(joint, N, M);
  cr_assert_geq(c.capacity, iu - 1e-15);
  cr_assert_leq(c.capacity, log(M));
  for (int i = 0; i < N; i++)
    for (int j = 0; j < M; j++) joint[i * M + j] = w[i * M + j] * in[i];
  cr_assert_float_eq(mutual_info(joint, N, M), c.capacity, 1e-12);
}

/* A joint with well-separated rows p(y|x). */
static void ib_joint(double *pxy) {
  const double rows[4][3] = {{0.8, 0.1, 0.1}, {0.1, 0.8, 0.1}, {0.1, 0.1, 0.8}, {0.45, 0.45, 0.1}};
  const double px[4] = {0.3, 0.25, 0.25, 0.2};
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 3; j++) pxy[i * 3 + j] = px[i] * rows[i][j];
}

/* Large beta with |T| = |X|: I(T;Y) -> I(X;Y) (within 1e-6 at beta = 1e3). */
Test(ib, large_beta_keeps_all_information) {
  double pxy[12];
  ib_joint(pxy);
  IxpIBOptions opt = {.variant = IXP_IB_STANDARD, .clusters = 4, .seed = 1};
  IxpIBPoint o;
  cr_assert_eq(ixp_ib(pxy, 4, 3, 1e3, &opt, &o), IXP_RD_OK);
  cr_assert_float_eq(o.ity, mutual_info(pxy, 4, 3), 1e-6);
  cr_assert_eq(o.clusters, 4);
}

/* Below the first critical beta (always >= 1) the bottleneck is trivial. */
Test(ib, small_beta_is_trivial) {
  double pxy[12];
  ib_joint(pxy);
  IxpIBOptions opt = {.variant = IXP_IB_STANDARD, .seed = 2};
  IxpIBPoint o;
  cr_assert_eq(ixp_ib(pxy, 4, 3, 0.5, &opt, &o), IXP_RD_OK);
  cr_assert_leq(o.ixt, 1e-9);
  cr_assert_leq(o.ity, 1e-9);
  cr_assert_eq(o.clusters, 1);
}

/* The IB curve: I(X;T) and I(T;Y) non-decreasing in beta (1e-9), between
 * 0 and H(X) / I(X;Y), with I(T;Y) <= I(X;T) (data processing). */
Test(ib, curve_monotone) {
  enum { NB = 41 };
  double pxy[12], betas[NB];
  ib_joint(pxy);
  for (int k = 0; k < NB; k++) betas[k] = pow(10, -0.5 + 3.0 * ((k * 7) % NB) / (NB - 1.0));
  IxpIBOptions opt = {.variant = IXP_IB_STANDARD, .seed = 3};
  IxpIBPoint o[NB];
  cr_assert_eq(ixp_ib_curve(pxy, 4, 3, betas, NB, &opt, o), IXP_RD_OK);
  double ixy = mutual_info(pxy, 4, 3);
  for (int a = 0; a < NB; a++) {
    cr_assert_eq(o[a].beta, betas[a]);
    cr_assert_leq(o[a].ity, ixy + 1e-12);
    cr_assert_leq(o[a].ity, o[a].ixt + 1e-12);
    for (int b = 0; b < NB; b++)
      if (betas[a] < betas[b]) {
        cr_assert_leq(o[a].ity, o[b].ity + 1e-9, "I(T;Y) at %g > at %g", betas[a], betas[b]);
        cr_assert_leq(o[a].ixt, o[b].ixt + 1e-9, "I(X;T) at %g > at %g", betas[a], betas[b]);
      }
  }
  cr_assert_leq(o[0].ixt, 1e-9);                       /* beta = 10^-0.5 < 1 */
  cr_assert_float_eq(o[NB - 1].ity, ixy, 1e-6);        /* beta = 10^2.5 */
}

/* DIB gives a deterministic encoder: H(T) = I(X;T) up to rounding, along
 * a whole curve; at large beta it keeps all the information. */
Test(ib, deterministic_encoder) {
  enum { NB = 25 };
  double pxy[12], betas[NB];
  ib_joint(pxy);
  for (int k = 0; k < NB; k++) betas[k] = pow(10, -0.5 + 3.0 * k / (NB - 1.0));
  IxpIBOptions opt = {.variant = IXP_IB_DETERMINISTIC, .seed = 4};
  IxpIBPoint o[NB];
  cr_assert_eq(ixp_ib_curve(pxy, 4, 3, betas, NB, &opt, o), IXP_RD_OK);
  for (int k = 0; k < NB; k++) {
    cr_assert_float_eq(o[k].ht, o[k].ixt, 1e-13, "beta %g", betas[k]);
    if (k) cr_assert_geq(o[k].ity, o[k - 1].ity - 1e-9);
  }
  cr_assert_float_eq(o[NB - 1].ity, mutual_info(pxy, 4, 3), 1e-12);
  cr_assert_eq(o[NB - 1].clusters, 4);
}

/* The same seed gives the same answer; results are deterministic. */
Test(ib, seeded_restarts_deterministic) {
  enum { N = 6, M = 4 };
  double pxy[N * M];
  rand_dist(pxy, N * M, 77);
  IxpIBOptions opt = {.variant = IXP_IB_STANDARD, .clusters = 3, .restarts = 4, .seed = 99};
  IxpIBPoint a, b;
  cr_assert_eq(ixp_ib(pxy, N, M, 8.0, &opt, &a), IXP_RD_OK);
  cr_assert_eq(ixp_ib(pxy, N, M, 8.0, &opt, &b), IXP_RD_OK);
  cr_assert(a.ixt == b.ixt && a.ity == b.ity && a.ht == b.ht && a.clusters == b.clusters &&
            a.iterations == b.iterations);
  cr_assert_leq(a.clusters, 3);
}

/* Gaussian source: R(D) = 1/2 ln(var / D), 0 for D >= var. */
Test(closed_forms, gaussian) {
  cr_assert_float_eq(ixp_rd_gaussian(4, 1), 0.5 * log(4), 1e-15);
  cr_assert_float_eq(ixp_rd_gaussian(2, 0.02), 0.5 * log(100), 1e-15);
  cr_assert_eq(ixp_rd_gaussian(2, 2), 0);
  cr_assert_eq(ixp_rd_gaussian(2, 7), 0);
  cr_assert(isnan(ixp_rd_gaussian(-1, 1)));
  cr_assert(isnan(ixp_rd_gaussian(1, -1)));
}

/* Reverse water-filling: equal variances give n/2 ln(var / (D/n)); a
 * component below the water level contributes no rate (and all its
 * variance to the distortion). */
Test(closed_forms, waterfill) {
  double eq[5] = {3, 3, 3, 3, 3};
  cr_assert_float_eq(ixp_rd_waterfill(eq, 5, 2), 5 * 0.5 * log(3 / (2.0 / 5)), 1e-13);
  /* var = {4, 1, 0.1}, D = 1.1: lambda = 0.5, the 0.1 component sits under water. */
  double v[3] = {4, 1, 0.1};
  cr_assert_float_eq(ixp_rd_waterfill(v, 3, 1.1), 0.5 * log(4 / 0.5) + 0.5 * log(1 / 0.5), 1e-13);
  double v2[2] = {4, 1};
  cr_assert_float_eq(ixp_rd_waterfill(v, 3, 1.1), ixp_rd_waterfill(v2, 2, 1.0), 1e-13);
  cr_assert_eq(ixp_rd_waterfill(v, 3, 5.1), 0);
  cr_assert(isnan(ixp_rd_waterfill(v, 0, 1)));
}

/* Invalid inputs are rejected, never normalised. */
Test(rd, bad_input) {
  double p[2] = {0.5, 0.5}, d[4] = {0, 1, 1, 0}, q[2] = {0.5, 0.5};
  IxpRDPoint o;
  IxpCapacity c;
  double pn[2] = {-0.1, 1.1}, pnan[2] = {NAN, 0.5}, poff[2] = {0.5, 0.5 + 2e-9}, pok[2] = {0.5, 0.5 + 5e-10};
  double dn[4] = {0, -1, 1, 0};
  cr_assert_eq(ixp_rd_beta(pn, 2, d, 2, 1, NULL, NULL, &o), IXP_RD_EINPUT);
  cr_assert_eq(ixp_rd_beta(pnan, 2, d, 2, 1, NULL, NULL, &o), IXP_RD_EINPUT);
  cr_assert_eq(ixp_rd_beta(poff, 2, d, 2, 1, NULL, NULL, &o), IXP_RD_EINPUT);
  cr_assert_eq(ixp_rd_beta(pok, 2, d, 2, 1, NULL, NULL, &o), IXP_RD_OK);
  cr_assert_eq(ixp_rd_beta(p, 2, dn, 2, 1, NULL, NULL, &o), IXP_RD_EINPUT);
  cr_assert_eq(ixp_rd_beta(p, 0, d, 2, 1, NULL, NULL, &o), IXP_RD_EINPUT);
  cr_assert_eq(ixp_rd_beta(p, 2, d, -1, 1, NULL, NULL, &o), IXP_RD_EINPUT);
  cr_assert_eq(ixp_rd_beta(p, 2, d, 2, -1, NULL, NULL, &o), IXP_RD_EINPUT);
  cr_assert_eq(ixp_rd_beta(p, 2, d, 2, NAN, NULL, NULL, &o), IXP_RD_EINPUT);
  q[0] = 0.7;
  cr_assert_eq(ixp_rd_beta(p, 2, d, 2, 1, NULL, q, &o), IXP_RD_EINPUT);
  IxpIterOptions bad = {.tol = -1};
  cr_assert_eq(ixp_rd_beta(p, 2, d, 2, 1, &bad, NULL, &o), IXP_RD_EINPUT);
  cr_assert_eq(ixp_rd_at(p, 2, d, 2, NAN, NULL, &o), IXP_RD_EINPUT);
  cr_assert_eq(ixp_rd_at(pn, 2, d, 2, 0.1, NULL, &o), IXP_RD_EINPUT);
  double betas[2] = {1, -2};
  IxpRDPoint two[2];
  cr_assert_eq(ixp_rd_curve(p, 2, d, 2, betas, 2, NULL, two), IXP_RD_EINPUT);
  cr_assert_eq(ixp_rd_curve(p, 2, d, 2, betas, 0, NULL, two), IXP_RD_EINPUT);
  double w[4] = {0.9, 0.2, 0.5, 0.5};
  cr_assert_eq(ixp_capacity(w, 2, 2, NULL, NULL, &c), IXP_RD_EINPUT);
  cr_assert_eq(ixp_capacity(d, 0, 2, NULL, NULL, &c), IXP_RD_EINPUT);
  double pxy[4] = {0.25, 0.25, 0.25, 0.3};
  IxpIBOptions io = {0};
  IxpIBPoint ib;
  cr_assert_eq(ixp_ib(pxy, 2, 2, 1, &io, &ib), IXP_RD_EINPUT);
  pxy[3] = 0.25;
  cr_assert_eq(ixp_ib(pxy, 2, 2, -1, &io, &ib), IXP_RD_EINPUT);
  io.clusters = -1;
  cr_assert_eq(ixp_ib(pxy, 2, 2, 1, &io, &ib), IXP_RD_EINPUT);
  io.clusters = 0;
  cr_assert_eq(ixp_ib(pxy, 2, 2, 1, &io, &ib), IXP_RD_OK);
  cr_assert_str_neq(ixp_rd_status_text(IXP_RD_EINPUT), "unknown status");
}

/* ------------------------------------------------------------ interruption */

#include <signal.h>
#include <sys/time.h>
#include <time.h>

static volatile sig_atomic_t stop_flag;

static void raise_stop(int sig) {
  (void)sig;
  stop_flag = 1;
}

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* A flag already set stops every routine after at most one pass. */
Test(interrupt, set_flag_stops_every_routine) {
  stop_flag = 1;
  IxpIterOptions it = {.stop = &stop_flag, .tol = 1e-300};
  double p[3], d[9] = {0, 1, 1, 1, 0, 1, 1, 1, 0}, w[9], betas[3] = {0.5, 1, 2}, in[3];
  rand_dist(p, 3, 7);
  for (int i = 0; i < 3; i++) rand_dist(w + 3 * i, 3, 11u + (unsigned)i);
  IxpRDPoint o, curve[3];
  IxpCapacity c;
  cr_assert_eq(ixp_rd_beta(p, 3, d, 3, 1.3, &it, NULL, &o), IXP_RD_EINTERRUPTED);
  cr_assert_leq(o.iterations, 1);
  cr_assert_eq(ixp_rd_at(p, 3, d, 3, 0.3, &it, &o), IXP_RD_EINTERRUPTED);
  cr_assert_eq(ixp_rd_curve(p, 3, d, 3, betas, 3, &it, curve), IXP_RD_EINTERRUPTED);
  cr_assert_eq(ixp_capacity(w, 3, 3, &it, in, &c), IXP_RD_EINTERRUPTED);
  cr_assert_leq(c.iterations, 1);
  double pxy[12];
  ib_joint(pxy);
  IxpIBOptions ib = {.clusters = 4, .seed = 1, .iter = it};
  IxpIBPoint ip[3];
  cr_assert_eq(ixp_ib(pxy, 4, 3, 5.0, &ib, ip), IXP_RD_EINTERRUPTED);
  cr_assert_eq(ixp_ib_curve(pxy, 4, 3, betas, 3, &ib, ip), IXP_RD_EINTERRUPTED);
}

/* A flag set by a signal 50 ms into a capacity run that would otherwise
 * take 1e9 passes (a tolerance it never reaches) stops it within a second. */
Test(interrupt, signal_stops_a_long_run_promptly) {
  enum { N = 40 };
  static double w[N * N], in[N];
  for (int i = 0; i < N; i++) rand_dist(w + N * i, N, 100u + (unsigned)i);
  stop_flag = 0;
  signal(SIGALRM, raise_stop);
  struct itimerval t = {.it_value = {.tv_sec = 0, .tv_usec = 50000}};
  setitimer(ITIMER_REAL, &t, NULL);
  IxpIterOptions it = {.stop = &stop_flag, .tol = 1e-300, .max_iter = 1000000000};
  IxpCapacity c;
  double start = seconds();
  cr_assert_eq(ixp_capacity(w, N, N, &it, in, &c), IXP_RD_EINTERRUPTED);
  cr_assert_lt(seconds() - start, 1.0);
}

/* More restarts or clusters than the bounds are invalid input. */
Test(interrupt, ib_counts_are_bounded) {
  double pxy[12];
  ib_joint(pxy);
  IxpIBPoint o;
  IxpIBOptions a = {.clusters = 4, .restarts = IXP_IB_MAX_RESTARTS + 1};
  IxpIBOptions b = {.clusters = IXP_IB_MAX_CLUSTERS + 1};
  cr_assert_eq(ixp_ib(pxy, 4, 3, 5.0, &a, &o), IXP_RD_EINPUT);
  cr_assert_eq(ixp_ib(pxy, 4, 3, 5.0, &b, &o), IXP_RD_EINPUT);
}
