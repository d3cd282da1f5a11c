/* rng.c — Philox4x32-10 counter-based generator (Salmon, Moraes, Dror &
 * Shaw 2011, "Parallel random numbers: as easy as 1, 2, 3", SC'11).
 *
 * Layout: the 64-bit stream key is the Philox key (k0 = low word, k1 = high
 * word); the 64-bit counter fills the low two counter words (c0 = low,
 * c1 = high), c2 = c3 = 0. Every output is a pure function of (key,
 * counter), so draw i never depends on draws before it.
 *
 * Normals: Box–Muller on the two 53-bit uniforms of block i, keeping the
 * cosine branch only (one normal per block, so normal i stays a function of
 * block i alone). */
#include "rng.h"

#include <math.h>
#include <stdbool.h>
#include <stddef.h>

/* The raw bijection, exposed (not in rng.h) for the known-answer tests. */
void ixp_rng_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

/* Philox-4x32 multipliers M0, M1 (Salmon et al. 2011) and the Weyl
 * key-schedule increments (golden ratio, sqrt(3) - 1, times 2^32). */
#define PHILOX_M0 UINT32_C(0xD2511F53)
#define PHILOX_M1 UINT32_C(0xCD9E8D57)
#define PHILOX_W0 UINT32_C(0x9E3779B9)
#define PHILOX_W1 UINT32_C(0xBB67AE85)

/* One Philox round (Salmon et al. 2011, the Philox S-box): two 32x32 -> 64-bit
 * products, the high halves xored with the other words and the round key,
 * then the fixed word permutation of the 4-word variant. */
static inline void philox_round(uint32_t c[4], uint32_t k0, uint32_t k1) {
  uint64_t p0 = (uint64_t)PHILOX_M0 * c[0], p1 = (uint64_t)PHILOX_M1 * c[2];
  uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
  uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
  c[0] = hi1 ^ c[1] ^ k0;
  c[1] = lo1;
  c[2] = hi0 ^ c[3] ^ k1;
  c[3] = lo0;
}

/* Philox4x32-10 (Salmon et al. 2011): ten rounds, the key bumped
 * by the Weyl constants between rounds. */
void ixp_rng_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]) {
  uint32_t c[4] = {ctr[0], ctr[1], ctr[2], ctr[3]};
  uint32_t k0 = key[0], k1 = key[1];
  philox_round(c, k0, k1);
#pragma GCC unroll 9
  for (int r = 1; r < 10; r++) {
    k0 += PHILOX_W0, k1 += PHILOX_W1;
    philox_round(c, k0, k1);
  }
  out[0] = c[0], out[1] = c[1], out[2] = c[2], out[3] = c[3];
}

/* Key derivation, splitmix style: each input is folded into the state and
 * the state finalised with ixp_mix64. Each step is a bijection of the input it
 * folds in, so changing any one of (seed, a, b) changes the key. */
uint64_t ixp_rng_key(uint64_t seed, uint64_t a, uint64_t b) {
  const uint64_t gamma = UINT64_C(0x9E3779B97F4A7C15);
  uint64_t h = ixp_mix64(seed + gamma);
  h = ixp_mix64(h ^ (a + 2 * gamma));
  return ixp_mix64(h ^ (b + 3 * gamma));
}

/* FNV-1a (Fowler, Noll, Vo) over the text's bytes. */
uint64_t ixp_rng_name(const char *text, size_t n) {
  uint64_t h = 0xcbf29ce484222325u;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)text[i]) * 0x100000001b3u;
  return h;
}

/* Block `counter` of stream `key` (layout in the file comment). */
void ixp_rng_block(uint64_t key, uint64_t counter, uint32_t out[4]) {
  const uint32_t ctr[4] = {(uint32_t)counter, (uint32_t)(counter >> 32), 0, 0};
  const uint32_t k[2] = {(uint32_t)key, (uint32_t)(key >> 32)};
  ixp_rng_philox4x32_10(ctr, k, out);
}

/* The two 64-bit words of a block (word 0 from out[0..1], word 1 from
 * out[2..3], low half first). */
static inline uint64_t word64(const uint32_t b[4], int w) {
  return (uint64_t)b[2 * w] | (uint64_t)b[2 * w + 1] << 32;
}

uint64_t ixp_rng_bits(uint64_t key, uint64_t i) {
  uint32_t b[4];
  ixp_rng_block(key, i, b);
  return word64(b, 0);
}

/* Uniform in (0, 1): the top 53 bits of word 0 scaled by 2^-53 (a
 * multiple of 2^-53 in [0, 1 - 2^-53], exact). The value 0 (probability
 * 2^-53) is replaced by the same construction on word 1, and if that is 0
 * too, by 2^-54; 1 never occurs. */
double ixp_rng_uniform(uint64_t key, uint64_t i) {
  uint32_t b[4];
  ixp_rng_block(key, i, b);
  uint64_t u = word64(b, 0) >> 11;
  if (u == 0) u = word64(b, 1) >> 11;
  return u ? (double)u * 0x1p-53 : 0x1p-54;
}

/* Box–Muller (Box & Muller 1958, the cosine branch): z = sqrt(-2 ln u1)
 * cos(2 pi u2) with u1 = 1 - (word 0's top 53 bits) 2^-53 in (0, 1] (so
 * the log is finite) and u2 = (word 1's top 53 bits) 2^-53 in [0, 1). */
double ixp_rng_normal(uint64_t key, uint64_t i) {
  uint32_t b[4];
  ixp_rng_block(key, i, b);
  double u1 = (double)((UINT64_C(1) << 53) - (word64(b, 0) >> 11)) * 0x1p-53;
  double u2 = (double)(word64(b, 1) >> 11) * 0x1p-53;
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586476925287 * u2);
}

/* Uniforms first .. first + n - 1 (same values as ixp_rng_uniform). */
void ixp_rng_uniforms(uint64_t key, uint64_t first, double *out, long n) {
  for (long j = 0; j < n; j++) out[j] = ixp_rng_uniform(key, first + (uint64_t)j);
}

/* Normals first .. first + n - 1 (same values as ixp_rng_normal). */
void ixp_rng_normals(uint64_t key, uint64_t first, double *out, long n) {
  for (long j = 0; j < n; j++) out[j] = ixp_rng_normal(key, first + (uint64_t)j);
}

/* Uniform integer in [0, range) from 64-bit word x by Lemire's
 * multiply-shift (Lemire 2019, "Fast random integer generation in an
 * interval", ACM TOMACS 29); false when x falls in the rejected zone. */
static bool bounded(uint64_t x, uint64_t range, uint64_t *out) {
  unsigned __int128 m = (unsigned __int128)x * range;
  uint64_t lo = (uint64_t)m;
  if (lo < range) {
    uint64_t threshold = (0 - range) % range;  /* 2^64 mod range */
    if (lo < threshold) return false;
  }
  *out = (uint64_t)(m >> 64);
  return true;
}

/* Uniform integer in [0, range) for step `step` of a permutation: tries
 * the two words of block `step`, then (probability <= (range/2^64)^2)
 * words of sub-streams keyed by (key, step, attempt). */
static uint64_t draw_below(uint64_t key, uint64_t step, uint64_t range) {
  uint32_t b[4];
  uint64_t r;
  ixp_rng_block(key, step, b);
  for (uint64_t attempt = 1;; attempt++) {
    if (bounded(word64(b, 0), range, &r) || bounded(word64(b, 1), range, &r)) return r;
    ixp_rng_block(ixp_rng_key(key, step, attempt), 0, b);
  }
}

/* Fisher–Yates shuffle in Durstenfeld's form (Knuth, TAOCP vol. 2,
 * algorithm 3.4.2 P): for i = n-1 .. 1 swap perm[i] with perm[j], j
 * uniform in [0, i], drawn from block i of the stream. */
void ixp_rng_permutation(uint64_t key, long *perm, long n) {
  for (long i = 0; i < n; i++) perm[i] = i;
  for (long i = n - 1; i > 0; i--) {
    long j = (long)draw_below(key, (uint64_t)i, (uint64_t)i + 1);
    long t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
}
