/* bench_rd.c — rate-distortion curves (Blahut–Arimoto with Newton steps)
 * and information-bottleneck curves, each against a reference figure:
 *
 *   rd binary   Bernoulli(0.3), Hamming, 26 betas: total time against the
 *               1 ms target, and the largest error against h(p) - h(D)
 *               against the 1e-12 target;
 *   rd 256/4096 random source, distortion |i - j| / n (and squared for
 *               256), 100 betas: time against (iterations x the time of
 *               one plain n x n GEMV) — one iteration is one pass
 *               c = A q, A^T (p / c), i.e. two GEMV-shaped products;
 *   ib 5x5, 256x32  random joints, 101 betas: time, against 0.6 s for the
 *               5x5 curve in a well-known Python IB package.
 *
 * rd 4096 and ib 256x32 take a minute or more each on 2 cores: they run
 * only with BENCH_LONG=1.
 *
 * One line per figure: name, time, reference, ratio. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blis/dense.h"
#include "rd.h"
#include "timing.h"

/* Deterministic values in [0, 1). */
static double lcg(unsigned *s) {
  *s = *s * 1103515245u + 12345u;
  return (double)(*s >> 8) / (1u << 24);
}

static double hb(double x) { return x <= 0 || x >= 1 ? 0 : -x * log(x) - (1 - x) * log(1 - x); }

static void line(const char *name, double t, const char *ref_name, double ref, const char *extra) {
  printf("  %-34s %10.3f ms   %-26s %10.3f ms   ratio %8.2f   %s\n", name, t * 1e3, ref_name, ref * 1e3, t / ref,
         extra);
}

/* Seconds for one n x n GEMV (median-ish: best of 5 batches). */
static double gemv_time(const double *a, long n) {
  double *x = malloc(sizeof(double) * (size_t)n), *y = malloc(sizeof(double) * (size_t)n), best = INFINITY;
  for (long i = 0; i < n; i++) x[i] = 1.0 / n;
  int reps = n >= 2048 ? 4 : 200;
  for (int b = 0; b < 5; b++) {
    double t0 = now();
    for (int r = 0; r < reps; r++) ixp_dense_gemv(false, n, n, 1.0, a, n, x, 0.0, y);
    double t = (now() - t0) / reps;
    best = t < best ? t : best;
  }
  free(x), free(y);
  return best;
}

static void bench_binary(void) {
  double p[2] = {0.7, 0.3}, d[4] = {0, 1, 1, 0}, betas[26];
  for (int k = 0; k < 26; k++) betas[k] = pow(10, -0.3 + 1.8 * k / 25.0); /* 0.5 .. 31.6: D from 0.3 to 2e-14 */
  IxpRDPoint o[26];
  double best = INFINITY, err = 0;
  int its = 0;
  for (int r = 0; r < 20; r++) {
    double t0 = now();
    IxpRDStatus st = ixp_rd_curve(p, 2, d, 2, betas, 26, NULL, o);
    double t = now() - t0;
    best = t < best ? t : best;
    if (st != IXP_RD_OK) printf("  (binary curve: %s)\n", ixp_rd_status_text(st));
  }
  for (int k = 0; k < 26; k++) {
    double ref = o[k].distortion < 0.3 ? hb(0.3) - hb(o[k].distortion) : 0;
    err = fmax(err, fabs(o[k].rate - ref));
    its += o[k].iterations;
  }
  char extra[128];
  snprintf(extra, sizeof extra, "%d iterations; max |R - (h(p) - h(D))| = %.2e (target 1e-12)", its, err);
  line("rd binary Hamming, 26 betas", best, "target", 1e-3, extra);
}

static void bench_rd(int n, bool squared, int nb, double lo, double hi) {
  double *p = malloc(sizeof(double) * (size_t)n), *d = malloc(sizeof(double) * (size_t)n * (size_t)n);
  double *betas = malloc(sizeof(double) * (size_t)nb), s = 0;
  IxpRDPoint *o = malloc(sizeof *o * (size_t)nb);
  unsigned seed = 1;
  for (int i = 0; i < n; i++) s += p[i] = 0.1 + lcg(&seed);
  for (int i = 0; i < n; i++) p[i] /= s;
  for (long i = 0; i < n; i++)
    for (long j = 0; j < n; j++) {
      double a = fabs((double)(i - j)) / n;
      d[i * n + j] = squared ? a * a : a;
    }
  for (int k = 0; k < nb; k++) betas[k] = pow(10, lo + (hi - lo) * k / (nb - 1.0));
  double t0 = now();
  IxpRDStatus st = ixp_rd_curve(p, n, d, n, betas, nb, NULL, o);
  double t = now() - t0;
  long its = 0;
  int conv = 0;
  for (int k = 0; k < nb; k++) its += o[k].iterations, conv += o[k].converged;
  double g = gemv_time(d, n);
  char name[96], extra[160];
  snprintf(name, sizeof name, "rd %d x %d %s, %d betas", n, n, squared ? "(i-j)^2" : "|i-j|", nb);
  snprintf(extra, sizeof extra, "%ld iterations (%.1f per beta), %d/%d converged to 1e-13 (%s); GEMV %.1f us", its,
           (double)its / nb, conv, nb, ixp_rd_status_text(st), g * 1e6);
  line(name, t, "iterations x GEMV", (double)its * g, extra);
  free(p), free(d), free(betas), free(o);
}

static void bench_ib(int n, int m, double ref) {
  double *pxy = malloc(sizeof(double) * (size_t)n * m), s = 0, betas[101];
  unsigned seed = 7;
  for (int i = 0; i < n * m; i++) s += pxy[i] = pow(lcg(&seed), 3) + 1e-3;
  for (int i = 0; i < n * m; i++) pxy[i] /= s;
  for (int k = 0; k < 101; k++) betas[k] = pow(10, -1 + 4.0 * k / 100);
  IxpIBPoint o[101];
  IxpIBOptions opt = {.variant = IXP_IB_STANDARD, .seed = 1};
  double t0 = now();
  IxpRDStatus st = ixp_ib_curve(pxy, n, m, betas, 101, &opt, o);
  double t = now() - t0;
  long its = 0;
  for (int k = 0; k < 101; k++) its += o[k].iterations;
  char name[64], extra[160];
  snprintf(name, sizeof name, "ib %dx%d, 101 betas, |T| = %d", n, m, n);
  snprintf(extra, sizeof extra, "(%s; %ld iterations in the kept solutions; 5 restarts + warm start per beta)",
           ixp_rd_status_text(st), its);
  if (ref > 0) line(name, t, "Python IB package (5x5)", ref, extra);
  else printf("  %-34s %10.3f ms   %-26s %13s   ratio %8s   %s\n", name, t * 1e3, "(no reference)", "-", "-", extra);
  free(pxy);
}

int main(void) {
  ixp_dense_set_threads(1);
  printf("rate-distortion / information bottleneck (BLIS %s, 1 thread):\n", ixp_dense_version());
  bench_binary();
  bench_rd(256, false, 100, 0, 3);
  bench_rd(256, true, 100, 0, 3.5);
  bool long_figures = getenv("BENCH_LONG") && strcmp(getenv("BENCH_LONG"), "1") == 0;
  if (long_figures) bench_rd(4096, false, 100, 0, 2);
  bench_ib(5, 5, 0.6);
  if (long_figures) bench_ib(256, 32, 0);
  else printf("  (rd 4096 x 4096 and ib 256x32: BENCH_LONG=1 runs them)\n");
  return 0;
}
