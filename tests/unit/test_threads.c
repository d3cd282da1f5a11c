/* test_threads.c — BLIS threads are chosen per call (dense.h), and every
 * kernel that calls BLIS gives the same bits on one thread and on two.
 *
 * Each kernel runs twice: with a budget of 1, and with a budget of 2
 * under a rule that sends every level-3 call, whatever its size and the
 * machine's load, to two threads. The results are compared bit for bit. */
#include <criterion/criterion.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blis/broja.h"
#include "blis/dense.h"
#include "blis/gaussian.h"
#include "blis/rd.h"
#include "kernels/threads.h"

/* Deterministic values in [0, 1). */
static double lcg(unsigned *s) {
  *s = *s * 1103515245u + 12345u;
  return (double)(*s >> 8) / (1u << 24);
}

static double *random_matrix(long n, unsigned seed) {
  double *a = malloc(sizeof(double) * (size_t)n);
  cr_assert(a);
  for (long i = 0; i < n; i++) a[i] = lcg(&seed) - 0.5;
  return a;
}

/* Budget 1, or budget 2 with every level-3 call on two threads. */
static void use_threads(int n) {
  ixp_dense_set_threads(n);
  ixp_dense_set_thread_rule(n > 1 ? 0 : IXP_DENSE_THREAD_FLOPS, false);
}

static void assert_same_bits(const double *a, const double *b, long n, const char *what) {
  for (long i = 0; i < n; i++)
    cr_assert(memcmp(&a[i], &b[i], sizeof a[i]) == 0, "%s[%ld]: %.17g on 1 thread, %.17g on 2", what, i, a[i], b[i]);
}

/* Threads of this process (Linux /proc/self/status). */
static int process_threads(void) {
  FILE *f = fopen("/proc/self/status", "r");
  cr_assert(f);
  char line[256];
  int n = -1;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "Threads: %d", &n) == 1) break;
  fclose(f);
  return n;
}

/* The process's threads before a kernel's first run; after the run on
 * one thread there are as many, after the run on two more (each test
 * runs in a process of its own): the kernel did reach a threaded call. */
static int threads_at_start;

static void begin(void) { threads_at_start = process_threads(); }

static void after_run(int t, const char *what) {
  if (t == 0) cr_assert_eq(process_threads(), threads_at_start, "%s: one thread started a team", what);
  else cr_assert_gt(process_threads(), threads_at_start, "%s: no call took two threads", what);
}

Test(threads, the_rule_chooses_by_work_budget_and_region) {
  ixp_dense_set_threads(1);
  ixp_dense_set_thread_rule(IXP_DENSE_THREAD_FLOPS, false);
  cr_assert_eq(ixp_dense_threads(1e12), 1, "a budget of 1 is one thread");
  ixp_dense_set_threads(2);
  cr_assert_eq(ixp_dense_threads(IXP_DENSE_THREAD_FLOPS / 2), 1, "a small call runs alone");
  cr_assert_eq(ixp_dense_threads(IXP_DENSE_THREAD_FLOPS), 2, "a large call takes the budget");
  cr_assert_eq(ixp_dense_threads(NAN), 1);
  int inside = 0;
#pragma omp parallel num_threads(2)
  {
#pragma omp single
    inside = ixp_dense_threads(1e12);
  }
  cr_assert_eq(inside, 1, "a call made inside a parallel region runs alone");
  ixp_dense_set_thread_rule(IXP_DENSE_THREAD_FLOPS, true);
  int n = ixp_dense_threads(1e12);
  cr_assert(n == 1 || n == 2, "watching the load gives 1 or 2 threads, not %d", n);
  ixp_dense_set_threads(0);
  cr_assert_eq(ixp_dense_threads(1e12), 1, "a budget below 1 is 1");
}

/* The process grows a thread when a call is given two: the rule reaches
 * BLIS, so the comparisons below compare two real thread counts. */
Test(threads, two_threads_reach_blis) {
  long n = 300;
  double *a = random_matrix(n * n, 1), *b = random_matrix(n * n, 2), *c = calloc((size_t)(n * n), sizeof *c);
  use_threads(1);
  int before = process_threads();
  cr_assert_eq(ixp_dense_gemm(false, false, n, n, n, 1.0, a, n, b, n, 0.0, c, n), IXP_DENSE_OK);
  cr_assert_eq(process_threads(), before, "one thread started a team");
  use_threads(2);
  cr_assert_eq(ixp_dense_gemm(false, false, n, n, n, 1.0, a, n, b, n, 0.0, c, n), IXP_DENSE_OK);
  cr_assert_gt(process_threads(), before, "two threads did not reach BLIS");
  free(a), free(b), free(c);
}

/* Products in every transposition, odd sizes so the edges of BLIS's
 * blocks are partial. */
Test(threads, products_are_bit_identical) {
  long m = 301, n = 257, k = 419;
  double *a = random_matrix(m * k, 3), *b = random_matrix(k * n, 4), *c[2], *v[2];
  double *x = random_matrix(k, 5);
  begin();
  for (int t = 0; t < 2; t++) {
    use_threads(t + 1);
    c[t] = calloc((size_t)(4 * m * n), sizeof(double));
    v[t] = calloc((size_t)(m + k), sizeof(double));
    cr_assert_eq(ixp_dense_gemm(false, false, m, n, k, 1.5, a, k, b, n, 0.0, c[t], n), IXP_DENSE_OK);
    /* A^T (k x m)^T and B^T: the same buffers read as k x m and n x k */
    cr_assert_eq(ixp_dense_gemm(true, false, m, n, k, 1.0, a, m, b, n, 0.0, c[t] + m * n, n), IXP_DENSE_OK);
    cr_assert_eq(ixp_dense_gemm(false, true, m, n, k, 1.0, a, k, b, k, 0.0, c[t] + 2 * m * n, n), IXP_DENSE_OK);
    cr_assert_eq(ixp_dense_gemm(true, true, m, n, k, -1.0, a, m, b, k, 0.0, c[t] + 3 * m * n, n), IXP_DENSE_OK);
    cr_assert_eq(ixp_dense_gemv(false, m, k, 1.0, a, k, x, 0.0, v[t]), IXP_DENSE_OK);
    cr_assert_eq(ixp_dense_gemv(true, k, m, 1.0, a, m, x, 0.0, v[t] + m), IXP_DENSE_OK);
    after_run(t, "products");
  }
  assert_same_bits(c[0], c[1], 4 * m * n, "gemm");
  assert_same_bits(v[0], v[1], m + k, "gemv");
  free(a), free(b), free(x), free(c[0]), free(c[1]), free(v[0]), free(v[1]);
}

/* SYRK in the covariance's shape (A^T A) and the Cholesky update's (A
 * A^T), TRSM on both sides. */
Test(threads, syrk_and_trsm_are_bit_identical) {
  long m = 301, k = 3001, nt = 257, nb = 263;
  double *a = random_matrix(m * k, 6), *t = random_matrix(nt * nt, 7), *b0 = random_matrix(nb * nt, 8);
  for (long i = 0; i < nt; i++) t[i * nt + i] = 4 + fabs(t[i * nt + i]);  /* well away from singular */
  double *s[2], *r[2], *l[2];
  begin();
  for (int th = 0; th < 2; th++) {
    use_threads(th + 1);
    s[th] = calloc((size_t)(2 * m * m), sizeof(double));
    cr_assert_eq(ixp_dense_syrk_lower(true, m, k, 0.5, a, m, 0.0, s[th], m), IXP_DENSE_OK);
    cr_assert_eq(ixp_dense_syrk_lower(false, m, k, -1.0, a, k, 0.0, s[th] + m * m, m), IXP_DENSE_OK);
    r[th] = malloc(sizeof(double) * (size_t)(nb * nt));
    memcpy(r[th], b0, sizeof(double) * (size_t)(nb * nt));
    cr_assert_eq(ixp_dense_trsm_lower(true, true, nb, nt, 1.0, t, nt, r[th], nt), IXP_DENSE_OK);
    l[th] = malloc(sizeof(double) * (size_t)(nt * nb));
    memcpy(l[th], b0, sizeof(double) * (size_t)(nt * nb));
    cr_assert_eq(ixp_dense_trsm_lower(false, false, nt, nb, 2.0, t, nt, l[th], nb), IXP_DENSE_OK);
    after_run(th, "syrk and trsm");
  }
  assert_same_bits(s[0], s[1], 2 * m * m, "syrk");
  assert_same_bits(r[0], r[1], nb * nt, "trsm right");
  assert_same_bits(l[0], l[1], nt * nb, "trsm left");
  free(a), free(t), free(b0);
  for (int th = 0; th < 2; th++) free(s[th]), free(r[th]), free(l[th]);
}

/* Covariance (SYRK), blocked Cholesky (TRSM + SYRK per block), Gaussian
 * MI and KL (TRSM) on data with 2 x 150 correlated columns. */
Test(threads, gaussian_kernels_are_bit_identical) {
  long n = 4000, d = 300, h = d / 2;
  unsigned seed = 9;
  double *x = malloc(sizeof(double) * (size_t)(n * d));
  cr_assert(x);
  for (long i = 0; i < n; i++)
    for (long j = 0; j < h; j++) {
      double u = lcg(&seed) - 0.5, e = lcg(&seed) - 0.5;
      x[i * d + j] = u, x[i * d + h + j] = 0.6 * u + 0.8 * e;
    }
  long *idx = malloc(sizeof(long) * (size_t)d);
  for (long j = 0; j < d; j++) idx[j] = j;
  double mi[2], kl[2], *cov[2], *l[2];
  begin();
  for (int t = 0; t < 2; t++) {
    use_threads(t + 1);
    cov[t] = malloc(sizeof(double) * (size_t)(d * d)), l[t] = malloc(sizeof(double) * (size_t)(d * d));
    cr_assert_eq(ixp_covariance(x, n, d, cov[t]), IXP_GAUSS_OK);
    memcpy(l[t], cov[t], sizeof(double) * (size_t)(d * d));
    cr_assert_eq(ixp_cholesky(l[t], d, d, NULL), IXP_GAUSS_OK);
    cr_assert_eq(ixp_gauss_mi(cov[t], d, idx, h, idx + h, h, NULL, 0, &mi[t]), IXP_GAUSS_OK);
    /* the covariance against its own diagonal */
    double *diag = calloc((size_t)(d * d), sizeof(double));
    for (long j = 0; j < d; j++) diag[j * d + j] = cov[t][j * d + j];
    cr_assert_eq(ixp_gauss_kl(NULL, cov[t], NULL, diag, d, &kl[t]), IXP_GAUSS_OK);
    free(diag);
    after_run(t, "gaussian");
  }
  assert_same_bits(cov[0], cov[1], d * d, "covariance");
  assert_same_bits(l[0], l[1], d * d, "cholesky");
  assert_same_bits(mi, mi + 1, 1, "gaussian mi");
  assert_same_bits(kl, kl + 1, 1, "gaussian kl");
  /* and the value is right: 150 independent pairs of correlation 0.6 give
   * -150/2 log(1 - 0.36) nats, within the sampling error of 4000 rows */
  cr_assert(fabs(mi[0] - -75 * log(1 - 0.36)) < 3, "mi %g", mi[0]);
  free(x), free(idx);
  for (int t = 0; t < 2; t++) free(cov[t]), free(l[t]);
}

/* BROJA's Newton steps form S = W W^T by GEMM. */
Test(threads, broja_is_bit_identical) {
  int nt = 17, n1 = 17, n2 = 17, cells = nt * n1 * n2;
  double *p = random_matrix(cells, 10), sum = 0;
  for (int i = 0; i < cells; i++) sum += p[i] = p[i] + 0.5;
  for (int i = 0; i < cells; i++) p[i] /= sum;
  double v[2];
  IxpPidCertificate cert[2];
  begin();
  for (int t = 0; t < 2; t++) {
    use_threads(t + 1);
    cr_assert_eq(ixp_pid_broja_min_mi(p, nt, n1, n2, 1e-10, &v[t], &cert[t]), IXP_PID_OK);
    after_run(t, "broja");
  }
  assert_same_bits(v, v + 1, 1, "broja min mi");
  assert_same_bits(&cert[0].duality_gap, &cert[1].duality_gap, 1, "broja duality gap");
  free(p);
}

/* The rate-distortion QP step: a GEMM of the candidate columns. */
Test(threads, rd_is_bit_identical) {
  int n = 400, m = 400, nb = 2;
  double *p = random_matrix(n, 11), *d = random_matrix(n * m, 12), sum = 0;
  for (int i = 0; i < n; i++) sum += p[i] = p[i] + 0.6;
  for (int i = 0; i < n; i++) p[i] /= sum;
  for (int i = 0; i < n * m; i++) d[i] += 0.5;
  double betas[] = {2, 30};
  IxpRDPoint rd[2][2];
  begin();
  for (int t = 0; t < 2; t++) {
    use_threads(t + 1);
    cr_assert_eq(ixp_rd_curve(p, n, d, m, betas, nb, &(IxpIterOptions){0}, rd[t]), IXP_RD_OK);
    after_run(t, "rd");
  }
  for (int i = 0; i < nb; i++) {
    const IxpRDPoint *a = &rd[0][i], *b = &rd[1][i];
    double va[] = {a->rate, a->distortion, a->rate_lower, a->rate_upper, a->iterations};
    double vb[] = {b->rate, b->distortion, b->rate_lower, b->rate_upper, b->iterations};
    assert_same_bits(va, vb, 5, "rd point");
  }
  free(p), free(d);
}

/* The IB's encoder updates: GEMMs of clusters x symbols x symbols (a
 * 40 x 30 x 40 one, on BLIS's small-matrix path, differed in the last
 * bit when it was allowed two threads). */
Test(threads, ib_is_bit_identical) {
  int nx = 300, ny = 300;
  double *pxy = random_matrix(nx * ny, 13), sum = 0;
  for (int i = 0; i < nx * ny; i++) sum += pxy[i] = pxy[i] + 0.5;
  for (int i = 0; i < nx * ny; i++) pxy[i] /= sum;
  double betas[] = {20};
  IxpIBPoint ib[2];
  IxpIBOptions opt = {.variant = IXP_IB_STANDARD, .restarts = 1, .seed = 7};
  begin();
  for (int t = 0; t < 2; t++) {
    use_threads(t + 1);
    cr_assert_eq(ixp_ib_curve(pxy, nx, ny, betas, 1, &opt, &ib[t]), IXP_RD_OK);
    after_run(t, "ib");
  }
  double va[] = {ib[0].ixt, ib[0].ity, ib[0].ht, ib[0].clusters, ib[0].iterations};
  double vb[] = {ib[1].ixt, ib[1].ity, ib[1].ht, ib[1].clusters, ib[1].iterations};
  assert_same_bits(va, vb, 5, "ib point");
  free(pxy);
}

/* Small calls never take threads, whatever the rule: BLIS's small-matrix
 * path chooses its kernel by the thread count. The IB case that differed
 * (40 x 30 joint, 3 betas, 2 restarts) starts no thread. */
Test(threads, small_products_run_alone) {
  int nx = 40, ny = 30;
  double *pxy = random_matrix(nx * ny, 13), sum = 0;
  for (int i = 0; i < nx * ny; i++) sum += pxy[i] = pxy[i] + 0.5;
  for (int i = 0; i < nx * ny; i++) pxy[i] /= sum;
  double betas[] = {1, 5, 20};
  IxpIBPoint ib[3];
  IxpIBOptions opt = {.variant = IXP_IB_STANDARD, .restarts = 2, .seed = 7};
  int before = process_threads();
  use_threads(2);
  cr_assert_eq(ixp_ib_curve(pxy, nx, ny, betas, 3, &opt, ib), IXP_RD_OK);
  long n = 255;
  double *a = random_matrix(n * 300, 14), *c = calloc((size_t)(n * n), sizeof *c);
  cr_assert_eq(ixp_dense_gemm(false, true, n, n, 300, 1.0, a, 300, a, 300, 0.0, c, n), IXP_DENSE_OK);
  cr_assert_eq(ixp_dense_syrk_lower(false, n, 300, 1.0, a, 300, 0.0, c, n), IXP_DENSE_OK);
  cr_assert_eq(process_threads(), before, "a small-matrix call started a team");
  free(pxy), free(a), free(c);
}

/* Until a session sets it, the budget is OMP_NUM_THREADS (every core by
 * default) capped by the cores, so kernels called without a session (kNN
 * from the C API) may use the machine; a budget set wins. Each test runs
 * in a process of its own, so nothing set it before this one. */
Test(threads, the_budget_defaults_to_the_cores) {
  int most = omp_get_max_threads() < omp_get_num_procs() ? omp_get_max_threads() : omp_get_num_procs();
  cr_assert_eq(ixp_threads_budget(), most);
  ixp_threads_set_budget(1);
  cr_assert_eq(ixp_threads_budget(), 1);
  cr_assert_eq(ixp_threads_for(1e12, 0), 1, "a budget of 1 is one thread");
}
