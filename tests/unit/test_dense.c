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

/* --- Cholesky ----------------------------------------------------------- */

/* A (n x n, leading dimension lda, padding columns set to 7) symmetric
 * positive definite: B B^T / k + I for B n x k in [-1, 1). */
static double *spd(long n, long lda, unsigned seed) {
  long k = n + 3;
  double *b = malloc(sizeof(double) * (size_t)(n * k)), *a = malloc(sizeof(double) * (size_t)(n * lda));
  fill(b, n * k, seed);
  for (long i = 0; i < n; i++)
    for (long j = 0; j < lda; j++) {
      double s = 0;
      for (long l = 0; l < k && j < n; l++) s += b[i * k + l] * b[j * k + l];
      a[i * lda + j] = j < n ? s / (double)k + (i == j) : 7;
    }
  free(b);
  return a;
}

/* The factor of every variant reproduces A: |L L^T - A| <= 1e-13 (1 +
 * |A_ij|) (Higham, "Accuracy and Stability of Numerical Algorithms", thm
 * 10.3: the backward error is O(n eps) |L| |L^T|, here with entries O(1)
 * and n <= 150); the upper triangle comes back zero, the padding untouched.
 * Sizes cross the block width (64) of the blocked variant. */
Test(dense, chol_reconstructs) {
  const long sizes[] = {1, 2, 7, 63, 64, 65, 150};
  for (int v = 0; v < 3; v++)
    for (size_t t = 0; t < sizeof sizes / sizeof *sizes; t++) {
      long n = sizes[t], lda = n + 2, piv = 99;
      double *a = spd(n, lda, (unsigned)(11 + t)), *l = malloc(sizeof(double) * (size_t)(n * lda));
      for (long i = 0; i < n * lda; i++) l[i] = a[i];
      IxpDenseStatus st = v == 0   ? ixp_dense_chol(l, n, lda, &piv)
                          : v == 1 ? ixp_dense_chol_unblocked(l, n, lda, &piv)
                                   : ixp_dense_chol_regularised(l, n, lda, 1e-30, 1e64);
      cr_assert_eq(st, IXP_DENSE_OK, "variant %d n = %ld", v, n);
      if (v < 2) cr_assert_eq(piv, -1);
      for (long i = 0; i < n; i++) {
        for (long j = 0; j < n; j++) {
          double s = 0;
          for (long k = 0; k <= (i < j ? i : j); k++) s += l[i * lda + k] * l[j * lda + k];
          cr_assert_float_eq(s, a[i * lda + j], 1e-13 * (1 + fabs(a[i * lda + j])), "variant %d n = %ld (%ld,%ld)", v,
                             n, i, j);
          if (j > i) cr_assert_eq(l[i * lda + j], 0.0);
        }
        for (long j = n; j < lda; j++) cr_assert_eq(l[i * lda + j], 7.0);
      }
      free(a), free(l);
    }
}

/* Closed form: A_ij = min(i, j) + 1 is L L^T for L the lower triangle of
 * ones, in exact arithmetic and so exactly in every variant. */
Test(dense, chol_closed_form) {
  long n = 70;
  double *a = malloc(sizeof(double) * (size_t)(n * n));
  for (int v = 0; v < 3; v++) {
    for (long i = 0; i < n; i++)
      for (long j = 0; j < n; j++) a[i * n + j] = (double)(i < j ? i : j) + 1;
    IxpDenseStatus st = v == 0   ? ixp_dense_chol(a, n, n, NULL)
                        : v == 1 ? ixp_dense_chol_unblocked(a, n, n, NULL)
                                 : ixp_dense_chol_regularised(a, n, n, 1e-30, 1e64);
    cr_assert_eq(st, IXP_DENSE_OK);
    for (long i = 0; i < n; i++)
      for (long j = 0; j < n; j++) cr_assert_eq(a[i * n + j], j <= i ? 1.0 : 0.0, "variant %d (%ld,%ld)", v, i, j);
    cr_assert_eq(ixp_dense_tri_logdiag(a, n, 0, n), 0.0);  /* det A = 1 */
  }
  double two[4] = {4, 2, 2, 3};  /* L = [2 0; 1 sqrt 2] */
  cr_assert_eq(ixp_dense_chol(two, 2, 2, NULL), IXP_DENSE_OK);
  cr_assert_eq(two[0], 2.0);
  cr_assert_eq(two[2], 1.0);
  cr_assert_eq(two[3], sqrt(2.0));
  cr_assert_eq(two[1], 0.0);
  free(a);
}

/* The strict variants name the first failing pivot; the blocked one also
 * refuses an infinite pivot, the unblocked one (as its callers expect)
 * only a non-positive or NaN one. */
Test(dense, chol_not_positive_definite) {
  for (int v = 0; v < 2; v++) {
    long n = 80, piv = 0;
    double *a = spd(n, n, 3);
    a[70 * n + 70] = -1;
    IxpDenseStatus st = v ? ixp_dense_chol_unblocked(a, n, n, &piv) : ixp_dense_chol(a, n, n, &piv);
    cr_assert_eq(st, IXP_DENSE_ENOTPD, "variant %d", v);
    cr_assert_eq(piv, 70, "variant %d: pivot %ld", v, piv);
    free(a);
  }
  double nan2[4] = {1, 0, 0, NAN}, inf2[4] = {1, 0, 0, INFINITY};
  long piv = 0;
  cr_assert_eq(ixp_dense_chol(nan2, 2, 2, &piv), IXP_DENSE_ENOTPD);
  cr_assert_eq(piv, 1);
  nan2[3] = NAN;
  cr_assert_eq(ixp_dense_chol_unblocked(nan2, 2, 2, &piv), IXP_DENSE_ENOTPD);
  cr_assert_eq(ixp_dense_chol(inf2, 2, 2, &piv), IXP_DENSE_ENOTPD);
  cr_assert_eq(piv, 1);
  inf2[3] = INFINITY;
  cr_assert_eq(ixp_dense_chol_unblocked(inf2, 2, 2, &piv), IXP_DENSE_OK);
  cr_assert_eq(piv, -1);
  double one = 1;
  cr_assert_eq(ixp_dense_chol(&one, 2, 1, NULL), IXP_DENSE_ESTRIDE);
  cr_assert_eq(ixp_dense_chol_unblocked(&one, -1, 1, NULL), IXP_DENSE_ESHAPE);
  cr_assert_eq(ixp_dense_chol_regularised(NULL, 2, 2, 1e-30, 1e64), IXP_DENSE_ENULL);
  cr_assert_eq(ixp_dense_chol(NULL, 0, 1, NULL), IXP_DENSE_OK);
}

/* Regularised: the singular all-ones matrix keeps its first pivot and
 * gets `huge` for the two lost ones, which zeroes what lies below them
 * (exact: every rounding here is exact). */
Test(dense, chol_regularised_replaces_lost_pivots) {
  double a[9] = {1, 0, 0, 1, 1, 0, 1, 1, 1};
  cr_assert_eq(ixp_dense_chol_regularised(a, 3, 3, 1e-30, 1e64), IXP_DENSE_OK);
  const double want[9] = {1, 0, 0, 1, 1e64, 0, 1, 0, 1e64};
  for (int i = 0; i < 9; i++) cr_assert_eq(a[i], want[i], "[%d] = %g", i, a[i]);
  /* a pivot below tiny * a_jj is lost too */
  double b[4] = {1, 0, 1, 1 + 1e-20};
  cr_assert_eq(ixp_dense_chol_regularised(b, 2, 2, 1e-10, 5), IXP_DENSE_OK);
  cr_assert_eq(b[3], 5.0);
}

/* Solves against naive products, to 1e-12 relative: L x = b, L^T x = b
 * (both orders), L L^T x = b, and L L^{-1} = I. */
Test(dense, tri_solves_match_naive) {
  long n = 40, ld = 43;
  double *l = spd(n, ld, 21), b[40], x[40];
  cr_assert_eq(ixp_dense_chol(l, n, ld, NULL), IXP_DENSE_OK);
  fill(b, n, 22);
  for (long i = 0; i < n; i++) x[i] = b[i];
  ixp_dense_tri_solve(l, n, ld, x);
  for (long i = 0; i < n; i++) {
    double s = 0;
    for (long k = 0; k <= i; k++) s += l[i * ld + k] * x[k];
    cr_assert_float_eq(s, b[i], 1e-12, "L x, row %ld", i);
  }
  for (int o = 0; o < 2; o++) {
    for (long i = 0; i < n; i++) x[i] = b[i];
    ixp_dense_tri_solve_t(l, n, ld, x, o ? IXP_TRI_ROW : IXP_TRI_COLUMN);
    for (long i = 0; i < n; i++) {
      double s = 0;
      for (long k = i; k < n; k++) s += l[k * ld + i] * x[k];
      cr_assert_float_eq(s, b[i], 1e-12, "L^T x (order %d), row %ld", o, i);
    }
    for (long i = 0; i < n; i++) x[i] = b[i];
    ixp_dense_chol_solve(l, n, ld, x, o ? IXP_TRI_ROW : IXP_TRI_COLUMN);
    for (long i = 0; i < n; i++) {
      double s = 0;
      for (long j = 0; j < n; j++)
        for (long k = 0; k <= (i < j ? i : j); k++) s += l[i * ld + k] * l[j * ld + k] * x[j];
      cr_assert_float_eq(s, b[i], 1e-12, "L L^T x (order %d), row %ld", o, i);
    }
  }
  long ldi = n + 1;
  double *li = malloc(sizeof(double) * (size_t)(n * ldi));
  for (long i = 0; i < n * ldi; i++) li[i] = 5;
  ixp_dense_tri_inverse(l, n, ld, li, ldi);
  for (long i = 0; i < n; i++) {
    for (long j = 0; j < n; j++) {
      double s = 0;
      for (long k = 0; k < n; k++) s += (k <= i ? l[i * ld + k] : 0) * li[k * ldi + j];
      cr_assert_float_eq(s, i == j ? 1.0 : 0.0, 1e-12, "L L^-1 (%ld,%ld)", i, j);
      if (j > i) cr_assert_eq(li[i * ldi + j], 0.0);
    }
    cr_assert_eq(li[i * ldi + n], 5.0);  /* padding untouched */
  }
  free(l), free(li);
}

/* Bordering a factor by one row gives exactly the last row of the factor
 * of the bordered matrix (the same operations in the same order), and its
 * pivot squared. */
Test(dense, chol_border_extends_the_factor) {
  long n = 30;
  double *a = spd(n, n, 31), *full = malloc(sizeof(double) * (size_t)(n * n)), z[30];
  for (long i = 0; i < n * n; i++) full[i] = a[i];
  cr_assert_eq(ixp_dense_chol_unblocked(full, n, n, NULL), IXP_DENSE_OK);
  cr_assert_eq(ixp_dense_chol_unblocked(a, n - 1, n, NULL), IXP_DENSE_OK);
  for (long k = 0; k < n - 1; k++) z[k] = a[(n - 1) * n + k];
  double d = ixp_dense_chol_border(a, n - 1, n, z, a[(n - 1) * n + n - 1]);
  for (long k = 0; k < n - 1; k++) cr_assert_eq(z[k], full[(n - 1) * n + k], "z[%ld]", k);
  cr_assert_eq(sqrt(d), full[(n - 1) * n + n - 1]);
  free(a), free(full);
}

/* log det A = 2 sum log L_ii, against the log of the closed-form
 * determinant of a diagonal matrix (1e-14 relative) and of a product of
 * factors (2 x 2: det = 4 * 3 - 2 * 2 = 8). */
Test(dense, tri_logdiag) {
  double d[16] = {0};
  double want = 0;
  for (int i = 0; i < 4; i++) d[i * 4 + i] = 0.5 + i, want += log(0.5 + i);
  cr_assert_eq(ixp_dense_chol(d, 4, 4, NULL), IXP_DENSE_OK);
  cr_assert_float_eq(2 * ixp_dense_tri_logdiag(d, 4, 0, 4), want, 1e-14);
  cr_assert_float_eq(2 * ixp_dense_tri_logdiag(d, 4, 2, 4), log(2.5) + log(3.5), 1e-14);
  double two[4] = {4, 2, 2, 3};
  cr_assert_eq(ixp_dense_chol(two, 2, 2, NULL), IXP_DENSE_OK);
  cr_assert_float_eq(2 * ixp_dense_tri_logdiag(two, 2, 0, 2), log(8.0), 1e-14);
}
