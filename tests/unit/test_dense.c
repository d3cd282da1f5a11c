/* test_dense.c — checked BLIS wrappers against naive loops. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "blis/dense.h"

/* Deterministic values in [-1, 1). */
static void fill(double *v, long n, unsigned seed) {
  for (long i = 0; i < n; i++) {
    seed = seed * 1103515245u + 12345u;
    v[i] = (double)(seed >> 8) / (1u << 23) - 1;
  }
}

static double at(const double *a, long ld, bool trans, long i, long j) {
  return trans ? a[j * ld + i] : a[i * ld + j];
}

/* gemm for every transpose combination and padded leading dimensions,
 * compared with a triple loop to 1e-13 relative. */
Test(dense, gemm_matches_naive) {
  long m = 37, n = 23, k = 19;
  for (int ta = 0; ta < 2; ta++)
    for (int tb = 0; tb < 2; tb++) {
      long lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 1, ldc = n + 2;
      double *a = malloc(sizeof(double) * (size_t)((ta ? k : m) * lda));
      double *b = malloc(sizeof(double) * (size_t)((tb ? n : k) * ldb));
      double *c = malloc(sizeof(double) * (size_t)(m * ldc)), *ref = malloc(sizeof(double) * (size_t)(m * ldc));
      fill(a, (ta ? k : m) * lda, 1);
      fill(b, (tb ? n : k) * ldb, 2);
      fill(c, m * ldc, 3);
      for (long i = 0; i < m * ldc; i++) ref[i] = c[i];
      for (long i = 0; i < m; i++)
        for (long j = 0; j < n; j++) {
          double s = 0;
          for (long l = 0; l < k; l++) s += at(a, lda, ta, i, l) * at(b, ldb, tb, l, j);
          ref[i * ldc + j] = 0.5 * s - 2 * ref[i * ldc + j];
        }
      cr_assert_eq(ixp_dense_gemm(ta, tb, m, n, k, 0.5, a, lda, b, ldb, -2, c, ldc), IXP_DENSE_OK);
      for (long i = 0; i < m; i++)
        for (long j = 0; j < n; j++)
          cr_assert_float_eq(c[i * ldc + j], ref[i * ldc + j], 1e-13 * (1 + fabs(ref[i * ldc + j])),
                             "ta=%d tb=%d (%ld,%ld)", ta, tb, i, j);
      free(a), free(b), free(c), free(ref);
    }
}

Test(dense, gemv_matches_naive) {
  long m = 11, n = 7, lda = 9;
  double a[11 * 9], x[11], y[11], ref[11];
  fill(a, m * lda, 4);
  for (int t = 0; t < 2; t++) {
    long nx = t ? m : n, ny = t ? n : m;
    fill(x, nx, 5);
    fill(y, ny, 6);
    for (long i = 0; i < ny; i++) {
      double s = 0;
      for (long j = 0; j < nx; j++) s += (t ? a[j * lda + i] : a[i * lda + j]) * x[j];
      ref[i] = 3 * s + 0.25 * y[i];
    }
    cr_assert_eq(ixp_dense_gemv(t, m, n, 3, a, lda, x, 0.25, y), IXP_DENSE_OK);
    for (long i = 0; i < ny; i++) cr_assert_float_eq(y[i], ref[i], 1e-13, "t=%d i=%ld", t, i);
  }
}

/* Bad shapes return a status instead of aborting inside BLIS. */
Test(dense, bad_shapes_are_refused) {
  double a[4] = {0}, b[4] = {0}, c[4] = {0};
  cr_assert_eq(ixp_dense_gemm(false, false, -1, 2, 2, 1, a, 2, b, 2, 0, c, 2), IXP_DENSE_ESHAPE);
  cr_assert_eq(ixp_dense_gemm(false, false, 2, 2, 2, 1, a, 1, b, 2, 0, c, 2), IXP_DENSE_ESTRIDE);
  cr_assert_eq(ixp_dense_gemm(false, false, 2, 2, 2, 1, NULL, 2, b, 2, 0, c, 2), IXP_DENSE_ENULL);
  cr_assert_eq(ixp_dense_gemv(false, 2, 2, 1, a, 2, NULL, 0, c), IXP_DENSE_ENULL);
  cr_assert_eq(ixp_dense_gemm(false, false, 0, 0, 0, 1, NULL, 1, NULL, 1, 0, NULL, 1), IXP_DENSE_OK);
}
