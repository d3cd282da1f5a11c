/* dense.h — dense linear algebra on BLIS, with shapes checked first.
 *
 * BLIS aborts the process on a bad shape or stride; these wrappers check
 * every size and leading dimension and return a status instead. Matrices
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

/* Threads BLIS may use for one call (1 keeps results independent of the
 * machine; callers that parallelise do it themselves). */
void ixp_dense_set_threads(int n);
/* The BLIS version string. */
const char *ixp_dense_version(void);

#endif
