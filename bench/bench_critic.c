/* bench_critic.c — the neural critic estimator (critic.h) on 5000 rows of
 * a 5 + 5-dimensional Gaussian pair (rho = 0.8 per coordinate pair, MI
 * 2.5541 nats), each bound at its defaults, at 1 thread and at the
 * default thread count. Goal: <= 10 s per estimate on 2 cores.
 *
 * Reference, measured in the same run: the rate of one large GEMM
 * (1000 x 1000 x 1000 through dense.h) at the same thread count, BLIS's
 * peak on this machine; the critic's rate is the GEMM operations it runs
 * (counted by the critic) over its whole time, so the ratio says how much
 * of the machine's GEMM speed the training reaches with its small
 * products (batch 128, widths 5 to 64) and its elementwise passes.
 *
 * The default thread count is the session's rule (threads.h): the two
 * towers of a step run on two threads only when two cores are idle (a
 * step takes about half a millisecond, so a team that waits for a busy
 * core at each barrier is 10-20 times slower), and the GEMMs, all below
 * BLIS's small-matrix sizes, on one thread each (dense.h). The load
 * average is printed beside each figure.
 *
 * Medians of BENCH_REPS runs (default 3). Only ixp's headers and libc;
 * link with build/libixp.a (and BLIS, libm). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "critic.h"
#include "dense.h"
#include "rng.h"
#include "threads.h"
#include "timing.h"

#define N 5000
#define D 5
#define RHO 0.8

static void *xmalloc(size_t n) {
  void *p = malloc(n);
  if (!p) {
    fprintf(stderr, "bench_critic: out of memory\n");
    exit(1);
  }
  return p;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* GEMM rate (GFLOP/s) of a 1000^3 product, median of reps. */
static double gemm_peak(int reps) {
  long m = 1000;
  double *a = xmalloc(sizeof(double) * (size_t)(m * m)), *b = xmalloc(sizeof(double) * (size_t)(m * m));
  double *c = xmalloc(sizeof(double) * (size_t)(m * m)), *t = xmalloc(sizeof(double) * (size_t)reps);
  ixp_rng_normals(1, 0, a, m * m);
  ixp_rng_normals(2, 0, b, m * m);
  for (int r = 0; r < reps; r++) {
    double t0 = now();
    if (ixp_dense_gemm(false, false, m, m, m, 1, a, m, b, m, 0, c, m) != IXP_DENSE_OK) exit(1);
    t[r] = now() - t0;
  }
  double rate = 2e-9 * (double)(m * m * m) / median(t, reps);
  free(a), free(b), free(c), free(t);
  return rate;
}

/* The 1-minute load average, NAN if unknown. */
static double load_average(void) {
  double l = NAN;
  FILE *f = fopen("/proc/loadavg", "r");
  if (f && fscanf(f, "%lf", &l) != 1) l = NAN;
  if (f) fclose(f);
  return l;
}

typedef struct {
  double secs, value, se, gflops;
  long steps;
} Run;

static Run bench_bound(IxpCriticBound bound, const double *x, const double *y, int reps) {
  double *t = xmalloc(sizeof(double) * (size_t)reps);
  Run out = {0};
  for (int r = 0; r < reps; r++) {
    IxpCriticConfig cfg;
    ixp_critic_defaults(&cfg);
    cfg.bound = bound;
    IxpCriticResult res;
    double t0 = now();
    if (ixp_critic_estimate(x, D, y, D, N, &cfg, 2026, NULL, &res) != IXP_CRITIC_OK) {
      fprintf(stderr, "bench_critic: the estimate failed\n");
      exit(1);
    }
    t[r] = now() - t0;
    out.value = res.value, out.se = res.se, out.steps = res.steps, out.gflops = res.flops * 1e-9;
  }
  out.secs = median(t, reps);
  free(t);
  return out;
}

int main(void) {
  const char *env = getenv("BENCH_REPS");
  int reps = env && atoi(env) > 0 ? atoi(env) : 3;
  double *x = xmalloc(sizeof(double) * N * D), *y = xmalloc(sizeof(double) * N * D);
  ixp_rng_normals(ixp_rng_key(7, 1, 0), 0, x, N * D);
  ixp_rng_normals(ixp_rng_key(7, 2, 0), 0, y, N * D);
  for (long k = 0; k < N * D; k++) y[k] = RHO * x[k] + sqrt(1 - RHO * RHO) * y[k];
  double truth = -0.5 * D * log(1 - RHO * RHO);
  static const char *const names[] = {"infonce", "nwj", "smile"};
  int budget = ixp_threads_budget();
  int counts[2] = {1, budget};
  printf("critic on %d x (%d + %d), rho %.1f, MI %.4f nats; medians of %d runs (goal <= 10 s)\n", N, D, D, RHO, truth,
         reps);
  for (int k = 0; k < (budget > 1 ? 2 : 1); k++) {
    ixp_dense_set_threads(counts[k]);
    ixp_dense_set_thread_rule(IXP_DENSE_THREAD_FLOPS, true);
    double peak = gemm_peak(reps);
    printf("  %s %d: BLIS GEMM 1000^3 reference %.1f GFLOP/s (load average %.2f)\n",
           k ? "default threads, up to" : "threads", counts[k], peak, load_average());
    for (int b = 0; b < 3; b++) {
      Run r = bench_bound((IxpCriticBound)b, x, y, reps);
      double rate = r.gflops / r.secs;
      printf("    %-7s %6.2f s  %5ld steps  %5.2f ms/step  value %.4f (se %.4f)  %.1f GFLOP/s = %.2f of the reference"
             "  %s\n",
             names[b], r.secs, r.steps, 1e3 * r.secs / (double)r.steps, r.value, r.se, rate, rate / peak,
             r.secs <= 10 ? "ok" : "SLOW");
    }
  }
  free(x), free(y);
  return 0;
}
