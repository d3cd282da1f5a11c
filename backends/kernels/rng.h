/* rng.h — a counter-based random generator (Philox4x32-10).
 *
 * Every number is a pure function of (key, counter): a stream is named by
 * a 64-bit key derived from (seed, statement position, purpose), and the
 * i-th draw of a stream does not depend on any other draw, so samples are
 * the same whatever the thread count or evaluation order. */
#ifndef IXP_RNG_H
#define IXP_RNG_H

#include <stddef.h>
#include <stdint.h>

/* The splitmix64 finaliser (Steele, Lea & Flood 2014, "Fast splittable
 * pseudorandom number generators"; Stafford's variant 13): a bijection of
 * 64-bit words with full avalanche, for keys and hashes. */
static inline uint64_t ixp_mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

/* A key from a seed and up to two further identifiers (splitmix-style
 * mixing: different inputs give unrelated streams). */
uint64_t ixp_rng_key(uint64_t seed, uint64_t a, uint64_t b);

/* A stream's name from text (FNV-1a, 64 bits): a statement keyed by its
 * own text draws the same numbers wherever it moves in its file. */
uint64_t ixp_rng_name(const char *text, size_t n);

/* The 4 x 32 random bits of block `counter` of stream `key`. */
void ixp_rng_block(uint64_t key, uint64_t counter, uint32_t out[4]);

/* 64 random bits, the i-th of the stream (seeds for user code). */
uint64_t ixp_rng_bits(uint64_t key, uint64_t i);

/* Uniform double in (0, 1) (never 0 or 1), the i-th of the stream. */
double ixp_rng_uniform(uint64_t key, uint64_t i);
/* Standard normal, the i-th of the stream (uses two uniforms of block i). */
double ixp_rng_normal(uint64_t key, uint64_t i);

/* Fill out[0..n) with uniforms / normals number first, first + 1, ... */
void ixp_rng_uniforms(uint64_t key, uint64_t first, double *out, long n);
void ixp_rng_normals(uint64_t key, uint64_t first, double *out, long n);

/* A uniformly random permutation of 0..n-1 (Fisher–Yates driven by the
 * stream), for surrogate tests. */
void ixp_rng_permutation(uint64_t key, long *perm, long n);

#endif
