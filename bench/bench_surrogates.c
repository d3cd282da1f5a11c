/* bench_surrogates.c — surrogate tests and network inference.
 *
 * 1. Cost of one surrogate against recomputing the estimate from scratch
 *    on the surrogate's rows (10 trials x 1000 rows, shift surrogates):
 *    - gaussian I(X; Y | Z), dz = 3 and 12: ixp_surrogate_gaussian_test
 *      (X and Z's covariance kept, Y's cross terms per surrogate) against
 *      ixp_covariance + ixp_gauss_mi of [X Y Z] with Y's rows gathered;
 *    - ksg I(X; Y) 1 + 1 dimensions: ixp_surrogate_ksg_test (X's neighbour
 *      structures kept, ixp_ksg_mi_mapped) against ixp_ksg_mi afresh.
 *    Ratio = scratch / reuse (above 1: reuse pays).
 * 2. Network inference on the 5-node VAR of examples/data/var5.py (max_lag
 *    3, 10 trials x 1000 steps, 200 shift surrogates): time, recall and
 *    precision of the links, gaussian; ksg on 2 trials x 300 steps with
 *    100 surrogates (BENCH_LONG=1: the full 10 x 1000 with 200, tens of
 *    minutes).
 *
 * Only ixp's headers and libc; link with build/libixp.a. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gaussian.h"
#include "knn.h"
#include "network.h"
#include "rng.h"
#include "surrogates.h"
#include "timing.h"

#define TRIALS 10
#define LEN 1000
#define N (TRIALS * LEN)

static void *xmalloc(size_t n) {
  void *p = malloc(n);
  if (!p) {
    fprintf(stderr, "bench_surrogates: out of memory\n");
    exit(1);
  }
  return p;
}

static int reps(void) {
  const char *e = getenv("BENCH_REPS");
  return e && atoi(e) > 0 ? atoi(e) : 3;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, by_value);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* n rows of d AR(1) columns (coefficient 0.6), row-major. */
static double *ar_block(uint64_t key, int d, long n) {
  double *x = xmalloc((size_t)n * (size_t)d * sizeof *x);
  for (int j = 0; j < d; j++) {
    double p = 0;
    for (long i = 0; i < n; i++) {
      p = 0.6 * p + ixp_rng_normal(key, (uint64_t)(j * n + i));
      x[(size_t)i * (size_t)d + (size_t)j] = p;
    }
  }
  return x;
}

static long trial_start[TRIALS + 1];

/* Gaussian: seconds per surrogate with reuse and from scratch. */
static void gaussian_cost(int dz, int nsurr) {
  double *x = ar_block(1, 1, N), *y = ar_block(2, 1, N), *z = ar_block(3, dz, N);
  IxpSurrogatePlan plan = {.method = IXP_SURR_SHIFT, .n = N, .trial_start = trial_start, .ntrials = TRIALS};
  int d = 2 + dz, R = reps();
  double *all = xmalloc((size_t)N * (size_t)d * sizeof *all), *cov = xmalloc((size_t)d * (size_t)d * sizeof *cov);
  long *rows = xmalloc(N * sizeof *rows), ix[] = {0}, iy[] = {1}, iz[64];
  for (int j = 0; j < dz; j++) iz[j] = 2 + j;
  double tr[16], ts[16], sink = 0;
  for (int r = 0; r < R; r++) {
    IxpSurrogateTest t;
    double t0 = now();
    ixp_surrogate_gaussian_test(x, 1, y, 1, z, dz, N, &plan, nsurr, 9, &t);
    tr[r] = (now() - t0) / nsurr;
    sink += t.p;
    t0 = now();
    for (int s = 0; s < nsurr; s++) {
      ixp_surrogate_rows(&plan, 9, s, rows);
      for (long i = 0; i < N; i++) {
        double *row = all + (size_t)i * (size_t)d;
        row[0] = x[i], row[1] = y[rows[i]];
        memcpy(row + 2, z + (size_t)i * (size_t)dz, (size_t)dz * sizeof *row);
      }
      double v;
      ixp_covariance(all, N, d, cov);
      ixp_gauss_mi(cov, d, ix, 1, iy, 1, iz, dz, &v);
      sink += v;
    }
    ts[r] = (now() - t0) / nsurr;
  }
  double a = median(tr, R), b = median(ts, R);
  printf("  gaussian I(X;Y|Z) dz=%-2d  %8.1f us/surrogate   scratch %8.1f us   ratio %5.1fx%s\n", dz, a * 1e6, b * 1e6,
         b / a, sink == 12345 ? " " : "");
  free(x), free(y), free(z), free(all), free(cov), free(rows);
}

/* KSG mi: seconds per surrogate with X's structures reused and afresh. */
static void ksg_cost(int nsurr) {
  double *x = ar_block(4, 1, N), *y = ar_block(5, 1, N), *ys = xmalloc(N * sizeof *ys);
  long *rows = xmalloc(N * sizeof *rows);
  IxpSurrogatePlan plan = {.method = IXP_SURR_SHIFT, .n = N, .trial_start = trial_start, .ntrials = TRIALS};
  IxpKnnOptions opt = {.k = 4};
  int R = reps();
  double tr[16], ts[16], sink = 0;
  for (int r = 0; r < R; r++) {
    IxpSurrogateTest t;
    double t0 = now();
    ixp_surrogate_ksg_test(x, 1, y, 1, NULL, 0, N, &opt, &plan, nsurr, 9, &t);
    tr[r] = (now() - t0) / (nsurr + 1);  /* the observed estimate is one more */
    t0 = now();
    for (int s = 0; s <= nsurr; s++) {
      if (s < nsurr) ixp_surrogate_rows(&plan, 9, s, rows);
      for (long i = 0; i < N; i++) ys[i] = y[s < nsurr ? rows[i] : i];
      double v;
      ixp_ksg_mi(x, 1, ys, 1, N, &opt, &v, NULL);
      sink += v;
    }
    ts[r] = (now() - t0) / (nsurr + 1);
  }
  double a = median(tr, R), b = median(ts, R);
  printf("  ksg I(X;Y) 1+1 dims      %8.1f us/surrogate   scratch %8.1f us   ratio %5.1fx%s\n", a * 1e6, b * 1e6, b / a,
         sink == 12345 ? " " : "");
  free(x), free(y), free(ys), free(rows);
}

/* The 5-node VAR (0-based nodes): target, source, lag, coefficient. */
static const struct {
  int target, source, lag;
  double c;
} var5[] = {
    {0, 0, 1, 0.4}, {1, 1, 1, 0.3}, {1, 0, 2, 0.5}, {2, 2, 1, 0.3}, {2, 0, 1, 0.4},
    {3, 3, 1, 0.3}, {3, 1, 1, 0.5}, {3, 2, 3, 0.4}, {4, 4, 1, 0.3}, {4, 3, 1, 0.5},
};
#define NTERMS ((int)(sizeof var5 / sizeof *var5))

static void simulate(int trials, long len, double **cols, long *ts) {
  long burn = 100, T = burn + len + 3;
  double *x = xmalloc((size_t)T * 5 * sizeof *x);
  for (int tr = 0; tr < trials; tr++) {
    memset(x, 0, (size_t)T * 5 * sizeof *x);
    for (long t = 3; t < T; t++)
      for (int v = 0; v < 5; v++) {
        double s = ixp_rng_normal(77, ((uint64_t)tr * (uint64_t)T + (uint64_t)t) * 5 + (uint64_t)v);
        for (int k = 0; k < NTERMS; k++)
          if (var5[k].target == v) s += var5[k].c * x[(t - var5[k].lag) * 5 + var5[k].source];
        x[t * 5 + v] = s;
      }
    for (long i = 0; i < len; i++)
      for (int v = 0; v < 5; v++) cols[v][tr * len + i] = x[(T - len + i) * 5 + v];
    ts[tr] = tr * len;
  }
  ts[trials] = trials * len;
  free(x);
}

static void network_row(IxpNetEstimator est, int trials, long len, int nsurr) {
  double *cols[5];
  long *ts = xmalloc((size_t)(trials + 1) * sizeof *ts);
  for (int v = 0; v < 5; v++) cols[v] = xmalloc((size_t)(trials * len) * sizeof **cols);
  simulate(trials, len, cols, ts);
  IxpNetOptions o = {.estimator = est, .knn = {.k = 4}, .min_lag = 1, .max_lag = 3, .alpha = 0.05,
                     .surrogates = nsurr, .method = IXP_SURR_SHIFT, .key = 1};
  IxpNetResult r;
  char msg[256];
  double t0 = now();
  IxpNetStatus st = ixp_network_infer((const double *const *)cols, 5, trials * len, ts, trials, &o, &r, NULL, msg,
                                      sizeof msg);
  double secs = now() - t0;
  if (st != IXP_NET_OK) {
    printf("  network failed: %d %s\n", st, msg);
    exit(1);
  }
  int hits = 0;
  for (int i = 0; i < r.nlinks; i++)
    for (int k = 0; k < NTERMS; k++)
      hits += var5[k].source != var5[k].target && var5[k].source == r.links[i].source &&
              var5[k].target == r.links[i].target && var5[k].lag == r.links[i].lag;
  printf("  network %-8s %2d x %4ld rows, %3d surrogates: %7.2f s   recall %d/5   precision %d/%d\n",
         est == IXP_NET_GAUSSIAN ? "gaussian" : "ksg", trials, len, nsurr, secs, hits, hits, r.nlinks);
  ixp_network_result_free(&r);
  for (int v = 0; v < 5; v++) free(cols[v]);
  free(ts);
}

int main(void) {
  for (int t = 0; t <= TRIALS; t++) trial_start[t] = (long)t * LEN;
  printf("surrogate tests: cost per surrogate, reuse against from scratch (%d trials x %d rows, shift, medians of %d)\n",
         TRIALS, LEN, reps());
  gaussian_cost(3, 200);
  gaussian_cost(12, 200);
  ksg_cost(20);
  printf("network inference, 5-node VAR, max_lag 3, shift surrogates (5 true links)\n");
  network_row(IXP_NET_GAUSSIAN, 10, 1000, 200);
  if (getenv("BENCH_LONG") && !strcmp(getenv("BENCH_LONG"), "1")) network_row(IXP_NET_KSG, 10, 1000, 200);
  else network_row(IXP_NET_KSG, 2, 300, 100);
  return 0;
}
