/* test_wide.c — no fixed variable limit: datasets of hundreds of columns
 * measured by the continuous estimators on any number of variables, and
 * linear-Gaussian models with matrices (1000 dimensions) in closed form,
 * each against an independent computation. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gaussian.h"
#include "helpers.h"
#include "knn.h"

static char dir[64];

static void setup(void) { t_tmpdir_make(dir, sizeof dir, "ixp_wide"); }
static void teardown(void) { t_tmpdir_remove(dir); }

/* A path in the suite's folder. */
static const char *path(const char *name) {
  static char buf[4][128];
  static int next;
  char *p = buf[next++ & 3];
  snprintf(p, sizeof buf[0], "%s/%s", dir, name);
  return p;
}

/* A little-endian float64 .npy file of rows x cols values. */
static void write_npy(const char *file, const double *x, long rows, long cols) {
  char header[128];
  int n = snprintf(header, sizeof header, "{'descr': '<f8', 'fortran_order': False, 'shape': (%ld, %ld), }", rows, cols);
  int total = 10 + n + 1, pad = (64 - total % 64) % 64;
  FILE *f = fopen(file, "wb");
  cr_assert_not_null(f);
  unsigned short len = (unsigned short)(n + pad + 1);
  fwrite("\x93NUMPY\x01\x00", 1, 8, f);
  fputc(len & 0xff, f), fputc(len >> 8, f);
  fwrite(header, 1, (size_t)n, f);
  for (int i = 0; i < pad; i++) fputc(' ', f);
  fputc('\n', f);
  fwrite(x, sizeof *x, (size_t)(rows * cols), f);
  fclose(f);
}

/* A fixed stream of standard normals (Box–Muller on a 64-bit LCG). */
static double normal(uint64_t *state) {
  double u[2];
  for (int i = 0; i < 2; i++) {
    *state = *state * 6364136223846793005u + 1442695040888963407u;
    u[i] = ((double)(*state >> 11) + 0.5) / 9007199254740992.0;
  }
  return sqrt(-2 * log(u[0])) * cos(2 * M_PI * u[1]);
}

/* log det of a symmetric positive definite n x n matrix by a plain
 * unblocked Cholesky (the test's own, not the library's). */
static double naive_logdet(const double *a0, int n) {
  double *a = malloc((size_t)n * (size_t)n * sizeof *a), ld = 0;
  memcpy(a, a0, (size_t)n * (size_t)n * sizeof *a);
  for (int j = 0; j < n; j++) {
    double d = a[j * n + j];
    for (int k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
    cr_assert_gt(d, 0, "not positive definite at %d", j);
    double l = sqrt(d);
    a[j * n + j] = l;
    ld += 2 * log(l);
    for (int i = j + 1; i < n; i++) {
      double s = a[i * n + j];
      for (int k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / l;
    }
  }
  free(a);
  return ld;
}

/* Sample covariance (divides by n - 1) of columns cols[0 .. k) of x (n x d). */
static double *sample_cov(const double *x, long n, int d, const int *cols, int k) {
  double *mean = calloc((size_t)k, sizeof *mean), *c = calloc((size_t)k * (size_t)k, sizeof *c);
  for (long r = 0; r < n; r++)
    for (int i = 0; i < k; i++) mean[i] += x[r * d + cols[i]] / (double)n;
  for (long r = 0; r < n; r++)
    for (int i = 0; i < k; i++)
      for (int j = 0; j < k; j++)
        c[i * k + j] += (x[r * d + cols[i]] - mean[i]) * (x[r * d + cols[j]] - mean[j]) / (double)(n - 1);
  free(mean);
  return c;
}

/* ------------------------------------------------------------- datasets */

enum { ROWS = 600, HALF = 50, WIDE = 2 * HALF };

/* ROWS rows of x0 .. x49, y = x / 2 + noise in x50 .. x99. */
static double *channel_rows(void) {
  double *x = malloc((size_t)ROWS * WIDE * sizeof *x);
  uint64_t st = 7;
  for (long r = 0; r < ROWS; r++)
    for (int i = 0; i < HALF; i++) {
      x[r * WIDE + i] = normal(&st);
      x[r * WIDE + HALF + i] = 0.5 * x[r * WIDE + i] + normal(&st);
    }
  return x;
}

/* The gaussian estimator on 100 columns of one file: the log-determinant
 * formula on the sample covariance, computed here independently. */
Test(wide_data, gaussian_estimates_on_a_hundred_columns, .init = setup, .fini = teardown) {
  double *x = channel_rows();
  write_npy(path("d.npy"), x, ROWS, WIDE);
  char prog[256];
  /* the file's columns are named after the dataset: d[0] .. d[99] */
  snprintf(prog, sizeof prog, "units nats\ndata d = npy(\"%s\")\nprint mi(d[0 .. 49]; d[50 .. 99]) in d using gaussian\n",
           path("d.npy"));
  double got = t_number(prog);
  int all[WIDE];
  for (int i = 0; i < WIDE; i++) all[i] = i;
  double *sx = sample_cov(x, ROWS, WIDE, all, HALF), *sy = sample_cov(x, ROWS, WIDE, all + HALF, HALF);
  double *sxy = sample_cov(x, ROWS, WIDE, all, WIDE);
  double want = 0.5 * (naive_logdet(sx, HALF) + naive_logdet(sy, HALF) - naive_logdet(sxy, WIDE));
  cr_assert(fabs(got - want) <= 1e-9 * fabs(want), "gaussian mi %.17g, the formula %.17g", got, want);
  cr_assert(want > 0.5 * HALF * log(1.25) * 0.8, "the channel's information is there: %g", want);
  snprintf(prog, sizeof prog, "units nats\ndata d = npy(\"%s\")\nprint entropy(d[0 .. 99]) in d using gaussian\n", path("d.npy"));
  got = t_number(prog);
  want = 0.5 * (WIDE * log(2 * M_PI * M_E) + naive_logdet(sxy, WIDE));
  cr_assert(fabs(got - want) <= 1e-9 * fabs(want), "gaussian entropy %.17g, the formula %.17g", got, want);
  free(sx), free(sy), free(sxy), free(x);
}

/* ksg on 50 + 50 columns reads every one of them: the language's value is
 * the kernel's on the two 50-column blocks, bit for bit; the permutation
 * test reports the same value. */
Test(wide_data, ksg_takes_fifty_columns_a_side, .init = setup, .fini = teardown) {
  double *x = channel_rows(), *a = malloc((size_t)ROWS * HALF * sizeof *a), *b = malloc((size_t)ROWS * HALF * sizeof *b);
  write_npy(path("d.npy"), x, ROWS, WIDE);
  for (long r = 0; r < ROWS; r++)
    for (int i = 0; i < HALF; i++) a[r * HALF + i] = x[r * WIDE + i], b[r * HALF + i] = x[r * WIDE + HALF + i];
  IxpKnnOptions opt = {.k = 4};
  double want = 0;
  cr_assert_eq(ixp_ksg_mi(a, HALF, b, HALF, ROWS, &opt, &want, NULL), IXP_KNN_OK);
  char prog[512];
  snprintf(prog, sizeof prog, "units nats\ndata d = npy(\"%s\")\nprint mi(d[0 .. 49]; d[50 .. 99]) in d using ksg(k = 4)\n",
           path("d.npy"));
  double got = t_number(prog);
  cr_assert(got == want, "ksg through the language %.17g, the kernel %.17g", got, want);
  snprintf(prog, sizeof prog, "units nats\ndata d = npy(\"%s\")\n"
           "let t = mi(d[0 .. 49]; d[50 .. 99]) in d using ksg(k = 4) with permutations(3)\nprint t.value\n", path("d.npy"));
  got = t_number(prog);
  cr_assert(got == want, "the tested value %.17g, the kernel %.17g", got, want);
  free(a), free(b), free(x);
}

/* A 1000-column file: every column is read, and one exact joint of more
 * than 64 of them is a check error naming the limit. */
Test(wide_data, a_thousand_columns, .init = setup, .fini = teardown) {
  enum { N = 300, D = 1000 };
  double *x = malloc((size_t)N * D * sizeof *x);
  uint64_t st = 11;
  for (long i = 0; i < (long)N * D; i++) x[i] = normal(&st);
  for (long r = 0; r < N; r++) x[r * D + 999] = x[r * D + 3] + 0.1 * x[r * D + 999];  /* d999 follows d3 */
  write_npy(path("b.npy"), x, N, D);
  char prog[512];
  snprintf(prog, sizeof prog, "units nats\ndata b = npy(\"%s\")\nprint mi(b[3]; b[999]) in b using gaussian\n", path("b.npy"));
  double got = t_number(prog);
  int cols[2] = {3, 999}, one[1];
  double *s2 = sample_cov(x, N, D, cols, 2), want;
  one[0] = 3;
  double *s3 = sample_cov(x, N, D, one, 1);
  one[0] = 999;
  double *s9 = sample_cov(x, N, D, one, 1);
  want = 0.5 * (log(s3[0]) + log(s9[0]) - naive_logdet(s2, 2));
  cr_assert(fabs(got - want) <= 1e-12 * want, "%.17g against %.17g", got, want);
  snprintf(prog, sizeof prog, "data b = npy(\"%s\")\nprint entropy(b[0 .. 999]) in b using kl(k = 3)\n", path("b.npy"));
  cr_assert(isfinite(t_number(prog)));
  snprintf(prog, sizeof prog, "data b = npy(\"%s\")\nprint mi(b[3]; b[999]) in b using plugin(bins = 4)\n"
           "print entropy(b[0 .. 80]) in b using plugin(bins = 2)\n", path("b.npy"));
  char *err = t_fail(prog, IXP_ECOMPILE, NULL);
  cr_assert_not_null(strstr(err, "entropy measures 81 variables of dataset 'b' on one exact joint, which holds at most 64"),
                     "%s", err);
  free(err), free(s2), free(s3), free(s9), free(x);
}

/* ------------------------------------------------------ Gaussian models */

/* A vector literal of n values. */
static void put_vector(FILE *f, const double *v, int n) {
  fputc('[', f);
  for (int i = 0; i < n; i++) fprintf(f, i ? ", %.17g" : "%.17g", v[i]);
  fputc(']', f);
}

/* A matrix literal of r x c values. */
static void put_matrix(FILE *f, const double *a, int r, int c) {
  fputc('[', f);
  for (int i = 0; i < r; i++) {
    fputs(i ? ", [" : "[", f);
    for (int j = 0; j < c; j++) fprintf(f, j ? ", %.17g" : "%.17g", a[i * c + j]);
    fputc(']', f);
  }
  fputc(']', f);
}

/* The number `print EXPR` prints after the program `text`. */
static double with_print(const char *text, const char *expr) {
  char *prog = NULL;
  cr_assert_geq(asprintf(&prog, "%sprint %s\n", text, expr), 0);
  double x = t_number(prog);
  free(prog);
  return x;
}

/* 1/2 log det(I + A A^T / s2) for A (r x c), nats, computed here. */
static double channel_mi(const double *a, int r, int c, double s2) {
  double *m = calloc((size_t)r * (size_t)r, sizeof *m);
  for (int i = 0; i < r; i++)
    for (int j = 0; j < r; j++) {
      double t = 0;
      for (int k = 0; k < c; k++) t += a[i * c + k] * a[j * c + k];
      m[i * r + j] = t / s2 + (i == j);
    }
  double mi = 0.5 * naive_logdet(m, r);
  free(m);
  return mi;
}

/* z = A x + n with a random 12 x 9 matrix A and noise sd 0.7: the
 * closed form 1/2 log det(I + A A^T / 0.49), to 1e-12 relative (two
 * Cholesky factorisations of well-conditioned matrices). mi(z; x) is the
 * same, and so is the model with x mixed by an invertible matrix first
 * (the general three-log-determinant path). */
Test(gaussian_matrices, channel_mi_is_the_log_det_formula) {
  enum { R = 12, C = 9 };
  double a[R * C], b[C * C];
  uint64_t st = 3;
  for (int i = 0; i < R * C; i++) a[i] = normal(&st);
  for (int i = 0; i < C * C; i++) b[i] = (i % (C + 1) == 0 ? 2 : 0) + 0.3 * normal(&st);
  char *text;
  size_t len;
  FILE *f = open_memstream(&text, &len);
  fputs("units nats\nlet A = ", f);
  put_matrix(f, a, R, C);
  fputs("\nlet B = ", f);
  put_matrix(f, b, C, C);
  fprintf(f, "\nmodel ch {\n  x[%d] ~ normal(0, 1)\n  n[%d] ~ normal(0, 1)\n  z[%d] = A * x + 0.7 * n\n}\n", C, R, R);
  fprintf(f, "model mixed {\n  u[%d] ~ normal(0, 1)\n  n[%d] ~ normal(0, 1)\n  x[%d] = B * u\n  z[%d] = A * x + 0.7 * n\n}\n",
          C, R, C, R);
  fclose(f);
  double want = channel_mi(a, R, C, 0.49);
  double got = with_print(text, "mi(x; z) in ch");
  cr_assert(fabs(got - want) <= 1e-12 * want, "mi(x; z) %.17g, the formula %.17g", got, want);
  got = with_print(text, "mi(z; x) in ch");
  cr_assert(fabs(got - want) <= 1e-12 * want, "mi(z; x) %.17g, the formula %.17g", got, want);
  /* through x = B u: the channel from x is A; I(x; z) = I(u; z), with A B in place of A */
  double ab[R * C];
  for (int i = 0; i < R; i++)
    for (int j = 0; j < C; j++) {
      double t = 0;
      for (int k = 0; k < C; k++) t += a[i * C + k] * b[k * C + j];
      ab[i * C + j] = t;
    }
  double want_mixed = channel_mi(ab, R, C, 0.49);
  cr_assert(fabs(want_mixed - want) > 1e-3, "the mixing changes the channel");
  got = with_print(text, "mi(x; z) in mixed");
  cr_assert(fabs(got - want_mixed) <= 1e-10 * want_mixed, "mixed mi(x; z) %.17g, the formula %.17g", got, want_mixed);
  got = with_print(text, "mi(u; z) in mixed");
  cr_assert(fabs(got - want_mixed) <= 1e-12 * want_mixed, "mixed mi(u; z) %.17g, the formula %.17g", got, want_mixed);
  free(text);
}

/* KL between two Gaussian models drawn with covariance matrices:
 * 1/2 [tr(S2^-1 S1) + (m2 - m1)' S2^-1 (m2 - m1) - k + ln det S2 - ln det S1],
 * here with S2^-1 by Gauss-Jordan elimination, to 1e-11 relative. */
Test(gaussian_matrices, kl_is_the_closed_formula) {
  enum { K = 6 };
  double s1[K * K], s2[K * K], m1[K], m2[K], g1[K * K], g2[K * K];
  uint64_t st = 5;
  for (int i = 0; i < K * K; i++) g1[i] = normal(&st), g2[i] = normal(&st);
  for (int i = 0; i < K; i++) m1[i] = normal(&st), m2[i] = normal(&st);
  for (int i = 0; i < K; i++)
    for (int j = 0; j < K; j++) {
      double t1 = i == j, t2 = 2.0 * (i == j);
      for (int k = 0; k < K; k++) t1 += g1[i * K + k] * g1[j * K + k], t2 += g2[i * K + k] * g2[j * K + k];
      s1[i * K + j] = t1, s2[i * K + j] = t2;
    }
  double inv[K * K], w[K * 2 * K];
  for (int i = 0; i < K; i++)
    for (int j = 0; j < 2 * K; j++) w[i * 2 * K + j] = j < K ? s2[i * K + j] : (j - K == i);
  for (int c = 0; c < K; c++) {
    double p = w[c * 2 * K + c];
    for (int j = 0; j < 2 * K; j++) w[c * 2 * K + j] /= p;
    for (int i = 0; i < K; i++)
      if (i != c) {
        double q = w[i * 2 * K + c];
        for (int j = 0; j < 2 * K; j++) w[i * 2 * K + j] -= q * w[c * 2 * K + j];
      }
  }
  for (int i = 0; i < K; i++)
    for (int j = 0; j < K; j++) inv[i * K + j] = w[i * 2 * K + K + j];
  double tr = 0, quad = 0;
  for (int i = 0; i < K; i++)
    for (int j = 0; j < K; j++) tr += inv[i * K + j] * s1[j * K + i], quad += (m2[i] - m1[i]) * inv[i * K + j] * (m2[j] - m1[j]);
  double want = 0.5 * (tr + quad - K + naive_logdet(s2, K) - naive_logdet(s1, K));
  char *text;
  size_t len;
  FILE *f = open_memstream(&text, &len);
  fputs("units nats\nlet S1 = ", f);
  put_matrix(f, s1, K, K);
  fputs("\nlet S2 = ", f);
  put_matrix(f, s2, K, K);
  fputs("\nlet m1 = ", f);
  put_vector(f, m1, K);
  fputs("\nlet m2 = ", f);
  put_vector(f, m2, K);
  fprintf(f, "\nmodel p {\n  x[%d] ~ normal(m1, S1)\n}\nmodel q {\n  x[%d] ~ normal(m2, S2)\n}\nprint kl(p || q)\n", K, K);
  fclose(f);
  double got = t_number(text);
  cr_assert(fabs(got - want) <= 1e-11 * want, "kl %.17g, the formula %.17g", got, want);
  free(text);
}

/* A 1000-dimensional channel z = A x + n / 2 with A = I + (c / d) 1 1^T
 * read from a file: A A^T has eigenvalues 1 (d - 1 times) and (1 + c)^2,
 * so I(x; z) = 1/2 [(d - 1) ln 5 + ln(1 + 4 (1 + c)^2)]; to 1e-10
 * relative. 3000 model variables. */
Test(gaussian_matrices, a_thousand_dimensional_channel, .init = setup, .fini = teardown) {
  enum { D = 1000 };
  double c = 3, *a = malloc((size_t)D * D * sizeof *a);
  for (int i = 0; i < D; i++)
    for (int j = 0; j < D; j++) a[i * D + j] = (i == j) + c / D;
  write_npy(path("A.npy"), a, D, D);
  char prog[512];
  snprintf(prog, sizeof prog, "units nats\nlet A = npy(\"%s\")\nmodel ch {\n  x[%d] ~ normal(0, 1)\n  n[%d] ~ normal(0, 1)\n"
           "  z[%d] = A * x + n / 2\n}\nprint mi(x; z) in ch\n", path("A.npy"), D, D, D);
  double want = 0.5 * ((D - 1) * log(5.0) + log(1 + 4 * (1 + c) * (1 + c)));
  double got = t_number(prog);
  cr_assert(fabs(got - want) <= 1e-10 * want, "%.17g against %.17g", got, want);
  free(a);
}
