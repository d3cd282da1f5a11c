/* channel.c — noisy channel simulators, used as samplers in models:
 *
 *   fn bsc(x: i32, p: f64, seed: u64) -> i32       binary symmetric channel
 *   fn awgn(x: f64, sigma: f64, seed: u64) -> f64  additive white Gaussian noise
 *
 * Each call gets its own seed from ixp, so draws are independent and the
 * same ixp seed reproduces them. */
#include <math.h>
#include <stdint.h>

static uint64_t mix(uint64_t z) { /* splitmix64's finaliser */
  z += 0x9e3779b97f4a7c15u;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

static double uniform(uint64_t seed) { return ((double)(mix(seed) >> 11) + 0.5) * 0x1p-53; }

int32_t bsc(int32_t x, double p, uint64_t seed) { return uniform(seed) < p ? 1 - x : x; }

double awgn(double x, double sigma, uint64_t seed) {
  double u1 = uniform(seed), u2 = uniform(seed ^ 0x5bd1e995u);
  return x + sigma * sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
}
