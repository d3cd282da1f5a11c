/* tanh_net.c — a tiny stochastic network for the information-plane
 * example: 4 inputs -> 8 tanh units -> 2 tanh units. The weights are drawn
 * once from a fixed seed (so every run sees the same network); each unit
 * gets Gaussian noise of standard deviation sigma, drawn from the seed ixp
 * passes in, so the same ixp seed gives the same noise.
 *
 *   fn layer1(n: i64, x: const f64[n, 4], h: f64[n, 8], sigma: f64, seed: u64)
 *   fn layer2(n: i64, h: const f64[n, 8], t: f64[n, 2], sigma: f64, seed: u64)
 *   fn unit(x0: f64, x1: f64, x2: f64, x3: f64, k: i32) -> f64   (noise-free unit k of layer 1)
 */
#include <math.h>
#include <stdint.h>

static uint64_t next(uint64_t *s) { /* splitmix64 */
  uint64_t z = (*s += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

static double gauss(uint64_t *s) { /* Box-Muller */
  double u1 = ((double)(next(s) >> 11) + 0.5) * 0x1p-53, u2 = (double)(next(s) >> 11) * 0x1p-53;
  return sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
}

static double W1[8][4], b1[8], W2[2][8], b2[2];

/* Glorot-scaled weights from a fixed seed. */
__attribute__((constructor)) static void init(void) {
  uint64_t s = 20261127;
  for (int i = 0; i < 8; i++) {
    for (int j = 0; j < 4; j++) W1[i][j] = gauss(&s) * sqrt(2.0 / 12);
    b1[i] = 0.1 * gauss(&s);
  }
  for (int i = 0; i < 2; i++) {
    for (int j = 0; j < 8; j++) W2[i][j] = gauss(&s) * sqrt(2.0 / 10);
    b2[i] = 0.1 * gauss(&s);
  }
}

static void dense(int64_t n, int in, int out, const double *W, const double *b, const double *x, double *y,
                  double sigma, uint64_t seed) {
  uint64_t s = seed;
  for (int64_t r = 0; r < n; r++)
    for (int i = 0; i < out; i++) {
      double a = b[i];
      for (int j = 0; j < in; j++) a += W[i * in + j] * x[r * in + j];
      y[r * out + i] = tanh(a) + sigma * gauss(&s);
    }
}

void layer1(int64_t n, const double *x, double *h, double sigma, uint64_t seed) {
  dense(n, 4, 8, &W1[0][0], b1, x, h, sigma, seed);
}

void layer2(int64_t n, const double *h, double *t, double sigma, uint64_t seed) {
  dense(n, 8, 2, &W2[0][0], b2, h, t, sigma, seed);
}

double unit(double x0, double x1, double x2, double x3, int32_t k) {
  if (k < 0 || k >= 8) return NAN;
  return tanh(b1[k] + W1[k][0] * x0 + W1[k][1] * x1 + W1[k][2] * x2 + W1[k][3] * x3);
}
