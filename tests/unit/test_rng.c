/* test_rng.c — Philox4x32-10 known answers, moments, order independence,
 * key separation and permutations. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

/* Exposed by rng.c for these tests (not part of rng.h). */
void ixp_rng_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

/* Known-answer vectors of Random123's kat_vectors (the reference
 * implementation of Salmon et al. 2011), philox4x32 with 10 rounds. */
Test(rng, philox_known_answers) {
  static const struct {
    uint32_t ctr[4], key[2], out[4];
  } kat[] = {
      {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
      {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
       {0xffffffff, 0xffffffff},
       {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
      {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
       {0xa4093822, 0x299f31d0},
       {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
  };
  for (size_t t = 0; t < sizeof kat / sizeof kat[0]; t++) {
    uint32_t out[4];
    ixp_rng_philox4x32_10(kat[t].ctr, kat[t].key, out);
    for (int w = 0; w < 4; w++)
      cr_assert_eq(out[w], kat[t].out[w], "vector %zu word %d: %08x != %08x", t, w, out[w], kat[t].out[w]);
  }
  /* The public block function is the same bijection: key 0, counter 0. */
  uint32_t out[4];
  ixp_rng_block(0, 0, out);
  cr_assert_eq(out[0], 0x6627e8d5u);
  cr_assert_eq(out[3], 0x9b00dbd8u);
  /* Counter layout: the high half of the counter is word c1. */
  uint32_t ref[4];
  ixp_rng_philox4x32_10((const uint32_t[4]){5, 7, 0, 0}, (const uint32_t[2]){11, 13}, ref);
  ixp_rng_block((uint64_t)13 << 32 | 11, (uint64_t)7 << 32 | 5, out);
  cr_assert_eq(memcmp(out, ref, sizeof out), 0);
}

/* 1e6 uniforms: mean 1/2 (sd of the mean sqrt(1/12/N) = 2.9e-4) and
 * variance 1/12 (sd of the sample variance sqrt(1/180/N) = 7.5e-5), both
 * checked to 5 sd; all strictly inside (0, 1). */
Test(rng, uniform_moments) {
  long n = 1000000;
  double *u = malloc(sizeof(double) * (size_t)n);
  ixp_rng_uniforms(ixp_rng_key(42, 1, 2), 0, u, n);
  double s = 0, s2 = 0;
  for (long i = 0; i < n; i++) {
    cr_assert(u[i] > 0 && u[i] < 1);
    s += u[i];
  }
  double mean = s / n;
  for (long i = 0; i < n; i++) s2 += (u[i] - mean) * (u[i] - mean);
  double var = s2 / (n - 1);
  cr_assert(fabs(mean - 0.5) < 5 * sqrt(1.0 / 12 / n), "mean %g", mean);
  cr_assert(fabs(var - 1.0 / 12) < 5 * sqrt(1.0 / 180 / n), "var %g", var);
  free(u);
}

/* 1e6 normals: mean 0 (sd 1e-3), variance 1 (sd sqrt(2/N) = 1.4e-3),
 * skewness 0 (sd sqrt(6/N)), kurtosis 3 (sd sqrt(24/N)), all to 5 sd; and
 * P(|z| < 1.96) = 0.95 (sd 2.2e-4). */
Test(rng, normal_moments) {
  long n = 1000000;
  double *z = malloc(sizeof(double) * (size_t)n);
  ixp_rng_normals(ixp_rng_key(7, 0, 0), 0, z, n);
  double s = 0, m2 = 0, m3 = 0, m4 = 0;
  long inside = 0;
  for (long i = 0; i < n; i++) {
    cr_assert(isfinite(z[i]));
    s += z[i];
    inside += fabs(z[i]) < 1.959963984540054;
  }
  double mean = s / n;
  for (long i = 0; i < n; i++) {
    double d = z[i] - mean, d2 = d * d;
    m2 += d2, m3 += d2 * d, m4 += d2 * d2;
  }
  m2 /= n, m3 /= n, m4 /= n;
  cr_assert(fabs(mean) < 5 * sqrt(1.0 / n), "mean %g", mean);
  cr_assert(fabs(m2 - 1) < 5 * sqrt(2.0 / n), "var %g", m2);
  cr_assert(fabs(m3 / pow(m2, 1.5)) < 5 * sqrt(6.0 / n), "skew %g", m3);
  cr_assert(fabs(m4 / (m2 * m2) - 3) < 5 * sqrt(24.0 / n), "kurtosis %g", m4 / (m2 * m2));
  cr_assert(fabs((double)inside / n - 0.95) < 5 * sqrt(0.95 * 0.05 / n));
  free(z);
}

/* Draw i is a function of (key, i) only: computing the draws in reverse
 * order, one by one, or from an offset gives bit-identical values. */
Test(rng, order_independent) {
  enum { N = 4096 };
  uint64_t key = ixp_rng_key(123, 4, 5);
  static double fwd[N], rev[N], nf[N], nr[N];
  ixp_rng_uniforms(key, 1000, fwd, N);
  ixp_rng_normals(key, 1000, nf, N);
  for (long i = N - 1; i >= 0; i--) {
    rev[i] = ixp_rng_uniform(key, 1000 + (uint64_t)i);
    nr[i] = ixp_rng_normal(key, 1000 + (uint64_t)i);
  }
  cr_assert_eq(memcmp(fwd, rev, sizeof fwd), 0);
  cr_assert_eq(memcmp(nf, nr, sizeof nf), 0);
  double tail[N / 2];
  ixp_rng_uniforms(key, 1000 + N / 2, tail, N / 2);
  cr_assert_eq(memcmp(tail, fwd + N / 2, sizeof tail), 0);
  /* Counters past 2^32 use the high counter word. */
  cr_assert_neq(ixp_rng_uniform(key, (uint64_t)1 << 32), ixp_rng_uniform(key, 0));
}

/* Different seeds / identifiers give different keys and streams; the key
 * function is deterministic. */
Test(rng, keys_separate_streams) {
  uint64_t keys[] = {ixp_rng_key(1, 0, 0), ixp_rng_key(2, 0, 0), ixp_rng_key(1, 1, 0),
                     ixp_rng_key(1, 0, 1), ixp_rng_key(0, 0, 0), ixp_rng_key(0, 1, 0)};
  size_t nk = sizeof keys / sizeof keys[0];
  cr_assert_eq(ixp_rng_key(1, 0, 1), keys[3]);
  for (size_t a = 0; a < nk; a++)
    for (size_t b = a + 1; b < nk; b++) {
      cr_assert_neq(keys[a], keys[b]);
      int same = 0;
      for (uint64_t i = 0; i < 64; i++) same += ixp_rng_uniform(keys[a], i) == ixp_rng_uniform(keys[b], i);
      cr_assert_eq(same, 0, "keys %zu and %zu share draws", a, b);
    }
  /* Two streams are uncorrelated: |r| < 5 / sqrt(N). */
  long n = 100000;
  double sxy = 0, sx = 0, sy = 0, sxx = 0, syy = 0;
  for (long i = 0; i < n; i++) {
    double x = ixp_rng_uniform(keys[0], (uint64_t)i), y = ixp_rng_uniform(keys[1], (uint64_t)i);
    sx += x, sy += y, sxy += x * y, sxx += x * x, syy += y * y;
  }
  double r = (sxy - sx * sy / n) / sqrt((sxx - sx * sx / n) * (syy - sy * sy / n));
  cr_assert(fabs(r) < 5 / sqrt((double)n), "r = %g", r);
}

/* A permutation of 0..n-1 for several n (including 0 and 1), reproducible. */
Test(rng, permutation_is_permutation) {
  long sizes[] = {0, 1, 2, 3, 10, 1000, 100003};
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    long n = sizes[s];
    long *p = malloc(sizeof(long) * (size_t)(n + 1)), *q = malloc(sizeof(long) * (size_t)(n + 1));
    char *seen = calloc((size_t)n + 1, 1);
    ixp_rng_permutation(ixp_rng_key(9, (uint64_t)n, 0), p, n);
    ixp_rng_permutation(ixp_rng_key(9, (uint64_t)n, 0), q, n);
    for (long i = 0; i < n; i++) {
      cr_assert(p[i] >= 0 && p[i] < n);
      cr_assert(!seen[p[i]]);
      seen[p[i]] = 1;
      cr_assert_eq(p[i], q[i]);
    }
    free(p), free(q), free(seen);
  }
}

/* All 24 permutations of 4 elements over 240000 keys: each expected 10000
 * times; Pearson chi-squared with 23 df below 60 (p ~ 4e-5). Also the
 * position of element 0 in permutations of 10 is uniform (chi2, 9 df, <
 * 35). */
Test(rng, permutation_roughly_uniform) {
  long counts[24] = {0};
  long trials = 240000;
  for (long t = 0; t < trials; t++) {
    long p[4];
    ixp_rng_permutation(ixp_rng_key(77, (uint64_t)t, 0), p, 4);
    /* Lehmer code -> index 0..23. */
    int idx = 0;
    for (int i = 0; i < 4; i++) {
      int smaller = 0;
      for (int j = i + 1; j < 4; j++) smaller += p[j] < p[i];
      idx = idx * (4 - i) + smaller;
    }
    counts[idx]++;
  }
  double chi2 = 0, e = trials / 24.0;
  for (int i = 0; i < 24; i++) chi2 += (counts[i] - e) * (counts[i] - e) / e;
  cr_assert(chi2 < 60, "chi2 = %g", chi2);

  long pos[10] = {0};
  for (long t = 0; t < 100000; t++) {
    long p[10];
    ixp_rng_permutation(ixp_rng_key(78, (uint64_t)t, 0), p, 10);
    for (int i = 0; i < 10; i++)
      if (p[i] == 0) pos[i]++;
  }
  chi2 = 0, e = 10000;
  for (int i = 0; i < 10; i++) chi2 += (pos[i] - e) * (pos[i] - e) / e;
  cr_assert(chi2 < 35, "chi2 = %g", chi2);
}
