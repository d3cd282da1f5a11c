/* dense.c — checked wrappers over BLIS's typed API. */
#include "dense.h"

#include <blis.h>

const char *ixp_dense_status_text(IxpDenseStatus s) {
  switch (s) {
  case IXP_DENSE_OK: return "ok";
  case IXP_DENSE_ESHAPE: return "invalid matrix size";
  case IXP_DENSE_ESTRIDE: return "invalid leading dimension";
  case IXP_DENSE_ENULL: return "missing array";
  }
  return "unknown status";
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
  /* BLIS takes non-const pointers but does not write its inputs. */
  bli_dgemm(trans_a ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, trans_b ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
            m, n, k, &alpha, (double *)a, lda, 1, (double *)b, ldb, 1, &beta, c, ldc, 1);
  return IXP_DENSE_OK;
}

IxpDenseStatus ixp_dense_syrk_lower(bool trans_a, long m, long k, double alpha, const double *a, long lda,
                                    double beta, double *c, long ldc) {
  IxpDenseStatus st;
  if ((st = check_matrix(trans_a ? k : m, trans_a ? m : k, a, lda)) || (st = check_matrix(m, m, c, ldc))) return st;
  if (m == 0) return IXP_DENSE_OK;
  bli_dsyrk(BLIS_LOWER, trans_a ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, m, k, &alpha, (double *)a, lda, 1, &beta,
            c, ldc, 1);
  return IXP_DENSE_OK;
}

IxpDenseStatus ixp_dense_trsm_lower(bool right, bool trans_t, long m, long n, double alpha, const double *t,
                                    long ldt, double *b, long ldb) {
  long nt = right ? n : m;
  IxpDenseStatus st;
  if ((st = check_matrix(nt, nt, t, ldt)) || (st = check_matrix(m, n, b, ldb))) return st;
  if (m == 0 || n == 0) return IXP_DENSE_OK;
  bli_dtrsm(right ? BLIS_RIGHT : BLIS_LEFT, BLIS_LOWER, trans_t ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
            BLIS_NONUNIT_DIAG, m, n, &alpha, (double *)t, ldt, 1, b, ldb, 1);
  return IXP_DENSE_OK;
}

IxpDenseStatus ixp_dense_gemv(bool trans_a, long m, long n, double alpha, const double *a, long lda,
                              const double *x, double beta, double *y) {
  IxpDenseStatus st = check_matrix(m, n, a, lda);
  if (st) return st;
  long nx = trans_a ? m : n, ny = trans_a ? n : m;
  if ((nx > 0 && !x) || (ny > 0 && !y)) return IXP_DENSE_ENULL;
  if (ny == 0) return IXP_DENSE_OK;
  bli_dgemv(trans_a ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, BLIS_NO_CONJUGATE, m, n, &alpha, (double *)a, lda, 1,
            (double *)x, 1, &beta, y, 1);
  return IXP_DENSE_OK;
}

void ixp_dense_set_threads(int n) { bli_thread_set_num_threads(n < 1 ? 1 : n); }

const char *ixp_dense_version(void) { return bli_info_get_version_str(); }
