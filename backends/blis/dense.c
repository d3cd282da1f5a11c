/* dense.c — checked wrappers over BLIS's typed API. */
#include "dense.h"

#include <blis.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "ksum.h"
#include "threads.h"

#define CHOL_BLOCK 64

const char *ixp_dense_status_text(IxpDenseStatus s) {
  switch (s) {
  case IXP_DENSE_OK: return "ok";
  case IXP_DENSE_ESHAPE: return "invalid matrix size";
  case IXP_DENSE_ESTRIDE: return "invalid leading dimension";
  case IXP_DENSE_ENULL: return "missing array";
  case IXP_DENSE_ENOTPD: return "matrix is not positive definite";
  }
  return "unknown status";
}

/* --- threads ------------------------------------------------------------------
 *
 * BLIS's own thread count stays 1; each level-3 call gets a runtime object
 * (rntm_t, BLIS's expert interface) with the threads its work pays for
 * (threads.h): one below THREAD_FLOPS, above it the session's budget
 * when the machine has that many idle cores.
 *
 * Results must not depend on the threads. BLIS's blocked (native) path
 * never splits a sum (the k dimension of a product) across threads, but
 * its small-matrix path ("sup", taken when m, n or k is below a
 * threshold of the machine's kernels, 256 x 256 x 220 on zen3) chooses
 * how to pack, and so which kernel and summation order, by the thread
 * count: a 40 x 30 x 40 GEMM of the IB differed in the last bit between
 * 1 and 2 threads. Such calls always run alone. */

static double thread_flops = IXP_DENSE_THREAD_FLOPS;

void ixp_dense_set_threads(int n) {
  ixp_threads_set_budget(n);
  bli_thread_set_num_threads(1);  /* for any call made without a rntm_t */
}

void ixp_dense_set_thread_rule(double min_flops, bool watch_load) {
  thread_flops = min_flops;
  ixp_threads_watch_load(watch_load);
}

int ixp_dense_threads(double flops) { return ixp_threads_for(flops, thread_flops); }

/* Whether BLIS may take its small-matrix path for an m x n result with
 * sums of k terms (either orientation of m and n: BLIS transposes the
 * problem to suit its kernel). */
static bool small_matrix_path(long m, long n, long k) {
  cntx_t *cntx = bli_gks_query_cntx();
  dim_t mt = bli_cntx_get_l3_sup_thresh_dt(BLIS_DOUBLE, BLIS_MT, cntx),
        nt = bli_cntx_get_l3_sup_thresh_dt(BLIS_DOUBLE, BLIS_NT, cntx),
        kt = bli_cntx_get_l3_sup_thresh_dt(BLIS_DOUBLE, BLIS_KT, cntx), mn = mt > nt ? mt : nt;
  return m < mn || n < mn || k < kt;
}

/* The runtime object of a level-3 call of `flops` operations: C is m x n,
 * sums of k terms. */
static rntm_t call_rntm(long m, long n, long k, double flops) {
  rntm_t rntm = BLIS_RNTM_INITIALIZER;
  bli_rntm_set_num_threads(small_matrix_path(m, n, k) ? 1 : ixp_dense_threads(flops), &rntm);
  return rntm;
}

/* BLIS aborts the process when it cannot allocate its packing buffers
 * (a few MB a thread). Before a large level-3 call, make sure this much
 * can be had, else report out of memory (ixp_out_of_memory: a runtime
 * error at the running statement) before BLIS is entered. Small calls
 * are not checked: their cost would show, and BLIS reuses its buffers. */
#define BLIS_ROOM ((size_t)64 << 20)

static void ensure_room(long m, long n, long k) {
  if ((double)m * (double)n + (double)m * (double)k + (double)n * (double)k < 1048576.0) return;
  void *room = malloc(BLIS_ROOM);
  if (!room) ixp_out_of_memory();
  free(room);
}

/* Sizes fit BLIS's dim_t and rows fit their leading dimension. */
static IxpDenseStatus check_matrix(long rows, long cols, const double *a, long ld) {
  if (rows < 0 || cols < 0) return IXP_DENSE_ESHAPE;
  if (rows > 0 && cols > 0 && !a) return IXP_DENSE_ENULL;
  if (ld < (cols > 1 ? cols : 1)) return IXP_DENSE_ESTRIDE;
  return IXP_DENSE_OK;
}

IxpDenseStatus ixp_dense_gemm(bool trans_a, bool trans_b, long m, long n, long k, double alpha,
                              const double *a, long lda, const double *b, long ldb, double beta,
                              double *c, long ldc) {
  IxpDenseStatus st;
  if ((st = check_matrix(trans_a ? k : m, trans_a ? m : k, a, lda)) ||
      (st = check_matrix(trans_b ? n : k, trans_b ? k : n, b, ldb)) ||
      (st = check_matrix(m, n, c, ldc)))
    return st;
  if (m == 0 || n == 0) return IXP_DENSE_OK;
  ensure_room(m, n, k);
  rntm_t rntm = call_rntm(m, n, k, 2.0 * (double)m * (double)n * (double)k);
  /* BLIS takes non-const pointers but does not write its inputs. */
  bli_dgemm_ex(trans_a ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, trans_b ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, m, n, k,
               &alpha, (double *)a, lda, 1, (double *)b, ldb, 1, &beta, c, ldc, 1, NULL, &rntm);
  return IXP_DENSE_OK;
}

IxpDenseStatus ixp_dense_syrk_lower(bool trans_a, long m, long k, double alpha, const double *a, long lda,
                                    double beta, double *c, long ldc) {
  IxpDenseStatus st;
  if ((st = check_matrix(trans_a ? k : m, trans_a ? m : k, a, lda)) || (st = check_matrix(m, m, c, ldc))) return st;
  if (m == 0) return IXP_DENSE_OK;
  ensure_room(m, m, k);
  rntm_t rntm = call_rntm(m, m, k, (double)m * (double)m * (double)k);  /* half a GEMM's products */
  bli_dsyrk_ex(BLIS_LOWER, trans_a ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, m, k, &alpha, (double *)a, lda, 1, &beta,
               c, ldc, 1, NULL, &rntm);
  return IXP_DENSE_OK;
}

IxpDenseStatus ixp_dense_trsm_lower(bool right, bool trans_t, long m, long n, double alpha, const double *t,
                                    long ldt, double *b, long ldb) {
  long nt = right ? n : m;
  IxpDenseStatus st;
  if ((st = check_matrix(nt, nt, t, ldt)) || (st = check_matrix(m, n, b, ldb))) return st;
  if (m == 0 || n == 0) return IXP_DENSE_OK;
  ensure_room(m, n, nt);
  rntm_t rntm = call_rntm(m, n, nt, (double)m * (double)n * (double)nt);
  bli_dtrsm_ex(right ? BLIS_RIGHT : BLIS_LEFT, BLIS_LOWER, trans_t ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
               BLIS_NONUNIT_DIAG, m, n, &alpha, (double *)t, ldt, 1, b, ldb, 1, NULL, &rntm);
  return IXP_DENSE_OK;
}

IxpDenseStatus ixp_dense_gemv(bool trans_a, long m, long n, double alpha, const double *a, long lda,
                              const double *x, double beta, double *y) {
  IxpDenseStatus st = check_matrix(m, n, a, lda);
  if (st) return st;
  long nx = trans_a ? m : n, ny = trans_a ? n : m;
  if ((nx > 0 && !x) || (ny > 0 && !y)) return IXP_DENSE_ENULL;
  if (ny == 0) return IXP_DENSE_OK;
  /* BLIS 0.9 runs level-2 operations on one thread whatever it is told;
   * say so, rather than let a later BLIS wake a team for each product. */
  rntm_t rntm = BLIS_RNTM_INITIALIZER;
  bli_rntm_set_num_threads(1, &rntm);
  bli_dgemv_ex(trans_a ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, BLIS_NO_CONJUGATE, m, n, &alpha, (double *)a, lda, 1,
               (double *)x, 1, &beta, y, 1, NULL, &rntm);
  return IXP_DENSE_OK;
}

/* --- Cholesky --------------------------------------------------------------- */

/* What the kernel does with pivot d_j and how it scales column j. */
typedef struct {
  bool recip;   /* L_ij = s * (1 / L_jj) rather than s / L_jj */
  bool finite;  /* strict: an infinite pivot fails too */
  double tiny;  /* regularised: a pivot is bad unless d_j > tiny * a_jj and d_j > 0 */
  double huge;  /* > 0: a bad pivot becomes huge (regularised); 0: it fails (strict) */
} CholRule;

/* The unblocked kernel (see dense.h) on the n x n block at a. Returns the
 * first failing pivot, or -1. */
static long chol_kernel(double *a, long n, long lda, const CholRule *r) {
  for (long j = 0; j < n; j++) {
    double *rj = a + j * lda, diag = rj[j], d = diag, ljj;
    for (long k = 0; k < j; k++) d -= rj[k] * rj[k];
    if (r->huge > 0) {
      ljj = d > r->tiny * diag && d > 0 ? sqrt(d) : r->huge;
    } else {
      if (!(d > 0) || (r->finite && !isfinite(d))) return j;
      ljj = sqrt(d);
    }
    rj[j] = ljj;
    double inv = 1 / ljj;  /* the blocked variant scales by 1 / L_jj, the others divide */
    for (long i = j + 1; i < n; i++) {
      double *ri = a + i * lda, s = ri[j];
      for (long k = 0; k < j; k++) s -= ri[k] * rj[k];
      ri[j] = r->recip ? s * inv : s / ljj;
    }
  }
  return -1;
}

static void zero_upper(double *a, long n, long lda) {
  for (long i = 0; i < n; i++) memset(a + i * lda + i + 1, 0, sizeof(double) * (size_t)(n - i - 1));
}

/* The unblocked variants: shape check, kernel, zeroed upper triangle. */
static IxpDenseStatus chol_unblocked(double *a, long n, long lda, long *pivot, const CholRule *r) {
  if (pivot) *pivot = -1;
  IxpDenseStatus st = check_matrix(n, n, a, lda);
  if (st) return st;
  long bad = chol_kernel(a, n, lda, r);
  if (bad >= 0) {
    if (pivot) *pivot = bad;
    return IXP_DENSE_ENOTPD;
  }
  zero_upper(a, n, lda);
  return IXP_DENSE_OK;
}

IxpDenseStatus ixp_dense_chol(double *a, long n, long lda, long *pivot) {
  static const CholRule rule = {.recip = true, .finite = true};
  if (pivot) *pivot = -1;
  IxpDenseStatus st = check_matrix(n, n, a, lda);
  if (st) return st;
  for (long k = 0; k < n; k += CHOL_BLOCK) {
    long b = n - k < CHOL_BLOCK ? n - k : CHOL_BLOCK, r = n - k - b;
    double *a11 = a + k * lda + k, *a21 = a11 + b * lda, *a22 = a21 + b;
    long bad = chol_kernel(a11, b, lda, &rule);
    if (bad >= 0) {
      if (pivot) *pivot = k + bad;
      return IXP_DENSE_ENOTPD;
    }
    if (r > 0 && ((st = ixp_dense_trsm_lower(true, true, r, b, 1.0, a11, lda, a21, lda)) ||
                  (st = ixp_dense_syrk_lower(false, r, b, -1.0, a21, lda, 1.0, a22, lda))))
      return st;
  }
  zero_upper(a, n, lda);
  return IXP_DENSE_OK;
}

IxpDenseStatus ixp_dense_chol_unblocked(double *a, long n, long lda, long *pivot) {
  static const CholRule rule = {.recip = false, .finite = false};
  return chol_unblocked(a, n, lda, pivot, &rule);
}

IxpDenseStatus ixp_dense_chol_regularised(double *a, long n, long lda, double tiny, double huge) {
  if (!(huge > 0)) return IXP_DENSE_ESHAPE;
  CholRule rule = {.tiny = tiny, .huge = huge};
  return chol_unblocked(a, n, lda, NULL, &rule);
}

double ixp_dense_chol_border(const double *l, long n, long ldl, double *z, double alpha) {
  ixp_dense_tri_solve(l, n, ldl, z);
  for (long k = 0; k < n; k++) alpha -= z[k] * z[k];
  return alpha;
}

void ixp_dense_tri_solve(const double *l, long n, long ldl, double *b) {
  for (long i = 0; i < n; i++) {
    const double *li = l + i * ldl;
    double s = b[i];
    for (long k = 0; k < i; k++) s -= li[k] * b[k];
    b[i] = s / li[i];
  }
}

void ixp_dense_tri_solve_t(const double *l, long n, long ldl, double *b, IxpTriOrder order) {
  if (order == IXP_TRI_ROW) {
    for (long k = n - 1; k >= 0; k--) {
      const double *lk = l + k * ldl;
      double x = b[k] / lk[k];
      b[k] = x;
      for (long i = 0; i < k; i++) b[i] -= lk[i] * x;
    }
  } else {
    for (long i = n - 1; i >= 0; i--) {
      double s = b[i];
      for (long k = i + 1; k < n; k++) s -= l[k * ldl + i] * b[k];
      b[i] = s / l[i * ldl + i];
    }
  }
}

void ixp_dense_chol_solve(const double *l, long n, long ldl, double *b, IxpTriOrder order) {
  ixp_dense_tri_solve(l, n, ldl, b);
  ixp_dense_tri_solve_t(l, n, ldl, b, order);
}

void ixp_dense_tri_inverse(const double *l, long n, long ldl, double *li, long ldi) {
  for (long i = 0; i < n; i++) memset(li + i * ldi, 0, sizeof(double) * (size_t)n);
  for (long j = 0; j < n; j++) {
    li[j * ldi + j] = 1 / l[j * ldl + j];
    for (long i = j + 1; i < n; i++) {
      double s = 0;
      for (long k = j; k < i; k++) s -= l[i * ldl + k] * li[k * ldi + j];
      li[i * ldi + j] = s / l[i * ldl + i];
    }
  }
}

double ixp_dense_tri_logdiag(const double *l, long ldl, long from, long to) {
  IxpKSum k = {0, 0};
  for (long i = from; i < to; i++) ixp_ksum_add(&k, log(l[i * ldl + i]));
  return ixp_ksum_value(k);
}

const char *ixp_dense_version(void) { return bli_info_get_version_str(); }
