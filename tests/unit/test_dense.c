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

/* syrk's lower triangle against a double loop; the upper one untouched. */
Test(dense, syrk_lower_matches_naive) {
  long m = 13, k = 29;
  for (int ta = 0; ta < 2; ta++) {
    long lda = (ta ? m : k) + 2, ldc = m + 1;
    double a[(29 + 2) * (29 + 2)], c[13 * 14], ref[13 * 14];
    fill(a, (ta ? k : m) * lda, 4);
    fill(c, m * ldc, 5);
    for (long i = 0; i < m * ldc; i++) ref[i] = c[i];
    for (long i = 0; i < m; i++)
      for (long j = 0; j <= i; j++) {
        double s = 0;
        for (long l = 0; l < k; l++) s += at(a, lda, ta, i, l) * at(a, lda, ta, j, l);
        ref[i * ldc + j] = 1.5 * s + 0.5 * ref[i * ldc + j];
      }
    cr_assert_eq(ixp_dense_syrk_lower(ta, m, k, 1.5, a, lda, 0.5, c, ldc), IXP_DENSE_OK);
    for (long i = 0; i < m * ldc; i++) cr_assert_float_eq(c[i], ref[i], 1e-13 * (1 + fabs(ref[i])), "ta=%d [%ld]", ta, i);
  }
  double one = 1;
  cr_assert_eq(ixp_dense_syrk_lower(false, 2, 2, 1, &one, 1, 0, &one, 2), IXP_DENSE_ESTRIDE);
  cr_assert_eq(ixp_dense_syrk_lower(false, -1, 2, 1, &one, 2, 0, &one, 2), IXP_DENSE_ESHAPE);
}

/* The lower triangle of t (n x n), zero above it. */
static double lower(const double *t, long n, long r, long c) { return r >= c ? t[r * n + c] : 0; }

/* trsm solves: multiplying back by op(T) gives B again. */
Test(dense, trsm_lower_solves) {
  long n = 11, m = 7;
  double t[11 * 11], b[11 * 11], x[11 * 11];
  fill(t, n * n, 6);
  for (long i = 0; i < n; i++) {
    for (long j = i + 1; j < n; j++) t[i * n + j] = 99;  /* the upper triangle is not read */
    t[i * n + i] = 2 + fabs(t[i * n + i]);
  }
  for (int right = 0; right < 2; right++)
    for (int tr = 0; tr < 2; tr++) {
      long rows = right ? m : n, cols = right ? n : m;
      fill(b, rows * cols, 7);
      for (long i = 0; i < rows * cols; i++) x[i] = b[i];
      cr_assert_eq(ixp_dense_trsm_lower(right, tr, rows, cols, 1, t, n, x, cols), IXP_DENSE_OK);
      for (long i = 0; i < rows; i++)
        for (long j = 0; j < cols; j++) {
          double s = 0;
          for (long l = 0; l < n; l++) {
            long r = right ? l : i, c = right ? j : l;  /* the element of op(T) used */
            double op = tr ? lower(t, n, c, r) : lower(t, n, r, c);
            s += op * (right ? x[i * cols + l] : x[l * cols + j]);
          }
          cr_assert_float_eq(s, b[i * cols + j], 1e-12, "right=%d trans=%d (%ld,%ld)", right, tr, i, j);
        }
    }
}
