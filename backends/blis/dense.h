/* dense.h — dense linear algebra on BLIS, with shapes checked first.
 *
 * BLIS aborts the process on a bad shape or stride; these wrappers check
 * every size and leading dimension and return a status instead. It also
 * aborts when it cannot allocate: a large level-3 call first checks that
 * 64 MB can be had, and calls ixp_out_of_memory (grow.h) if not. Matrices
 * are row-major C arrays: element (i, j) of A is A[i * lda + j]. */
#ifndef IXP_DENSE_H
#define IXP_DENSE_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
  IXP_DENSE_OK = 0,
  IXP_DENSE_ESHAPE,    /* a negative size, or a size too large for BLIS */
  IXP_DENSE_ESTRIDE,   /* a leading dimension smaller than a row, or a zero increment */
  IXP_DENSE_ENULL,     /* a NULL array for a non-empty operand */
  IXP_DENSE_ENOTPD,    /* a Cholesky pivot is not positive: the matrix is not positive definite */
} IxpDenseStatus;

const char *ixp_dense_status_text(IxpDenseStatus s);

/* C (m x n) = alpha * op(A) * op(B) + beta * C, where op(A) is m x k
 * (A itself, or A transposed when trans_a), op(B) is k x n. */
IxpDenseStatus ixp_dense_gemm(bool trans_a, bool trans_b, long m, long n, long k, double alpha,
                              const double *a, long lda, const double *b, long ldb, double beta,
                              double *c, long ldc);

/* y (m) = alpha * A * x + beta * y for A m x n (or y (n) = alpha * A^T x +
 * beta * y when trans_a). */
IxpDenseStatus ixp_dense_gemv(bool trans_a, long m, long n, double alpha, const double *a, long lda,
                              const double *x, double beta, double *y);

/* Lower triangle of C (m x m) = alpha op(A) op(A)^T + beta C, op(A) m x k
 * (A itself, or A^T when trans_a: then A is k x m); BLAS dsyrk semantics
 * (Dongarra et al. 1990, level-3 BLAS). */
IxpDenseStatus ixp_dense_syrk_lower(bool trans_a, long m, long k, double alpha, const double *a, long lda,
                                    double beta, double *c, long ldc);

/* B (m x n) = alpha op(T)^{-1} B (left) or alpha B op(T)^{-1} (right) for a
 * lower triangular T with a non-unit diagonal; op(T) = T^T when trans_t.
 * BLAS dtrsm semantics. */
IxpDenseStatus ixp_dense_trsm_lower(bool right, bool trans_t, long m, long n, double alpha, const double *t,
                                    long ldt, double *b, long ldb);

/* --- Cholesky ------------------------------------------------------------
 *
 * The one Cholesky factorisation A = L L^T (L lower) of the library, in
 * place in the lower triangle of the n x n matrix a (leading dimension
 * lda >= n; the upper triangle is not read). Column j, in the dot-product
 * (row) form of LAPACK's dpotf2 (Golub & Van Loan, "Matrix Computations",
 * 4th ed., sec. 4.2):
 *
 *   d_j  = a_jj - sum_{k<j} L_jk^2                      (k increasing)
 *   L_jj = sqrt(d_j)
 *   L_ij = (a_ij - sum_{k<j} L_ik L_jk) / L_jj           (i > j)
 *
 * Row-major lower rows are contiguous, so every sum runs along memory. The
 * variants share that kernel and differ only in the treatment of a bad
 * pivot and in how column j is scaled; each keeps exactly the arithmetic
 * its callers have always had (results stay bit for bit the same). On
 * success the strict upper triangle is zeroed, so a holds exactly L. */

/* Strict, blocked (LAPACK dpotrf): for each block column of width 64,
 * factor the diagonal block by the kernel above with column j scaled by
 * 1 / L_jj (one division per column), solve the panel below it (A21 <-
 * A21 L11^{-T}, TRSM), and update the trailing matrix (A22 <- A22 - A21
 * A21^T, SYRK). Fails with IXP_DENSE_ENOTPD when a pivot d_j is not
 * positive or not finite; then *pivot (when not NULL; -1 otherwise) is j,
 * the leading minor of order j + 1 is not positive definite, and a is
 * partly overwritten. */
IxpDenseStatus ixp_dense_chol(double *a, long n, long lda, long *pivot);
/* Strict, unblocked, each L_ij divided by L_jj: for the small systems of
 * an active-set step. Fails with IXP_DENSE_ENOTPD (and *pivot = j) when a
 * pivot d_j is not positive (an infinite one is accepted). */
IxpDenseStatus ixp_dense_chol_unblocked(double *a, long n, long lda, long *pivot);
/* Regularised, unblocked, each L_ij divided by L_jj: a pivot that rounding
 * has made tiny or negative (not d_j > tiny * a_jj and d_j > 0) is
 * replaced by `huge` (> 0), which zeroes the solution along that direction
 * (the device of PCx / LIPSOL for interior-point normal equations). Never
 * fails on a valid shape. */
IxpDenseStatus ixp_dense_chol_regularised(double *a, long n, long lda, double tiny, double huge);

/* Bordering: given the factor L (n x n) of A, the factor of [A a; a^T
 * alpha] has last row (z^T, sqrt(alpha - z.z)) with L z = a. Solves for z
 * in place of a (as ixp_dense_tri_solve) and returns alpha - z.z (the
 * squares taken off in increasing order), the square of the new pivot;
 * the caller decides whether it is large enough. */
double ixp_dense_chol_border(const double *l, long n, long ldl, double *z, double alpha);

/* The order of a back substitution L^T x = b: both take the same terms
 * off b_i, in a different order, so they round differently. */
typedef enum {
  IXP_TRI_COLUMN, /* x_i = (b_i - sum_{k>i} L_ki x_k) / L_ii, k increasing (a dot product down column i) */
  IXP_TRI_ROW,    /* each x_k, once known, is taken off b_0..b_{k-1} along row k (contiguous): k decreasing */
} IxpTriOrder;

/* Forward substitution b <- L^{-1} b, L lower n x n with a non-zero
 * diagonal: x_i = (b_i - sum_{k<i} L_ik x_k) / L_ii, k increasing. */
void ixp_dense_tri_solve(const double *l, long n, long ldl, double *b);
/* Back substitution b <- L^{-T} b, the sums in the given order. */
void ixp_dense_tri_solve_t(const double *l, long n, long ldl, double *b, IxpTriOrder order);
/* b <- (L L^T)^{-1} b: the forward, then the back substitution. */
void ixp_dense_chol_solve(const double *l, long n, long ldl, double *b, IxpTriOrder order);
/* li (n x n, leading dimension ldi) = L^{-1}, lower triangular (zero
 * above the diagonal), by columns: (L^{-1})_jj = 1 / L_jj and (L^{-1})_ij
 * = -(sum_{j<=k<i} L_ik (L^{-1})_kj) / L_ii, k increasing. */
void ixp_dense_tri_inverse(const double *l, long n, long ldl, double *li, long ldi);
/* sum_{from <= i < to} log L_ii, summed with Neumaier's compensation
 * (ksum.h); 2 sum_i log L_ii is log det A for A = L L^T. */
double ixp_dense_tri_logdiag(const double *l, long ldl, long from, long to);

/* Threads. A level-3 call (GEMM, SYRK, TRSM) runs on one thread when it
 * may take BLIS's small-matrix path (a side below 256, or sums of fewer
 * than 220 terms, on zen3: that path's kernel depends on the thread
 * count) or holds fewer than IXP_DENSE_THREAD_FLOPS operations; a larger
 * one takes up to the budget, no more threads than the machine has cores
 * with nothing else runnable. Level-2 calls run on one. Results are the
 * same at every thread count.
 *
 * The threshold, measured on this 2-core machine (BLIS 0.9 OpenMP, zen3
 * kernels): with the second core free (load average about 2), a product
 * on two threads takes 0.5-0.65 of its one-thread time from about 1e5
 * operations, back to back; with it busy (load 6) a call waits out a
 * time slice at each barrier: 10-100 ms, a 2.5e9-operation SYRK 8x
 * slower on two threads. 1e7 operations (0.3 ms on one thread) leaves a
 * margin of 100 over the crossover for wake-ups after a pause, and the
 * load check keeps threads off a busy machine. On zen3 the small-matrix
 * rule binds first (the smallest blocked SYRK is 256 x 256 x 220, 1.4e7
 * operations); the threshold matters for kernels with smaller limits. */
#define IXP_DENSE_THREAD_FLOPS 1e7

/* The session's budget (at least 1; 1 turns threads off). */
void ixp_dense_set_threads(int n);
/* Tests and benches: calls of at least min_flops take threads (the
 * default is IXP_DENSE_THREAD_FLOPS), and, when watch_load is false,
 * the whole budget whatever the machine's load (the default watches). */
void ixp_dense_set_thread_rule(double min_flops, bool watch_load);
/* The threads a level-3 call of `flops` operations gets now. */
int ixp_dense_threads(double flops);
/* The BLIS version string. */
const char *ixp_dense_version(void);

/* The offset of element (i, j) of a row-major matrix with n columns. */
static inline size_t ixp_dense_at(int i, int n, int j) { return (size_t)i * (size_t)n + (size_t)j; }

#endif
