/* test_knn.c — k-nearest-neighbour estimators (knn.h): agreement with
 * independent O(N^2) implementations written here, a hand-worked example,
 * closed forms at large N, index and thread invariance, the permutation
 * test, duplicates, ties and input validation. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "knn.h"
#include "rng.h"

#define EULER 0.57721566490153286061

/* ------------------------------------------------------------ reference */

/* digamma(m) for whole m >= 1 as -gamma + H_{m-1}, summed from the small
 * terms up (independent of the library's series). */
static double ref_psi(long m) {
  double h = 0;
  for (long j = m - 1; j >= 1; j--) h += 1.0 / (double)j;
  return h - EULER;
}

/* Max-norm distance between rows i and j of an n x d block. */
static double ref_dist(const double *x, int d, long i, long j) {
  double m = 0;
  for (int c = 0; c < d; c++) m = fmax(m, fabs(x[i * d + c] - x[j * d + c]));
  return m;
}

typedef struct {
  double d;
  long j;
} RefNb;

/* The Theiler window of the references: rows i and j with |i - j| <= w
 * are not each other's neighbours (0: only i itself). */
static long ref_w = 0;

static bool ref_excluded(long i, long j) { return labs(i - j) <= ref_w; }

/* When set, ref_ksg stores each point's term here (psi(n_x + 1) +
 * psi(n_y + 1), or algorithm 2's psi(n_x) + psi(n_y)). */
static double *ref_terms = NULL;

/* Order by distance, then index. */
static int ref_cmp(const void *a, const void *b) {
  const RefNb *p = a, *q = b;
  if (p->d != q->d) return p->d < q->d ? -1 : 1;
  return (p->j > q->j) - (p->j < q->j);
}

/* The k nearest neighbours of i in the joint space of up to three blocks
 * (NULL blocks skipped): nb[0..k) sorted by (distance, index). */
static void ref_knn(const double *const *g, const int *gd, long n, long i, int k, RefNb *all, RefNb *nb) {
  long m = 0;
  for (long j = 0; j < n; j++) {
    if (ref_excluded(i, j)) continue;
    double d = 0;
    for (int a = 0; a < 3; a++)
      if (g[a]) d = fmax(d, ref_dist(g[a], gd[a], i, j));
    all[m].d = d, all[m].j = j, m++;
  }
  qsort(all, (size_t)m, sizeof *all, ref_cmp);
  memcpy(nb, all, (size_t)k * sizeof *nb);
}

/* KSG algorithm 1 or 2 by brute force. */
static double ref_ksg(const double *x, int dx, const double *y, int dy, long n, int k, int variant) {
  const double *g[3] = {x, y, NULL};
  int gd[3] = {dx, dy, 0};
  RefNb *all = malloc(sizeof(RefNb) * (size_t)n), *nb = malloc(sizeof(RefNb) * (size_t)k);
  double sum = 0;
  for (long i = 0; i < n; i++) {
    ref_knn(g, gd, n, i, k, all, nb);
    double ex = nb[k - 1].d, ey = nb[k - 1].d;
    if (variant == 2) {
      ex = ey = 0;
      for (int j = 0; j < k; j++) {
        ex = fmax(ex, ref_dist(x, dx, i, nb[j].j));
        ey = fmax(ey, ref_dist(y, dy, i, nb[j].j));
      }
    }
    long nx = 0, ny = 0;
    for (long j = 0; j < n; j++) {
      if (ref_excluded(i, j)) continue;
      double a = ref_dist(x, dx, i, j), b = ref_dist(y, dy, i, j);
      nx += variant == 1 ? a < ex : a <= ex;
      ny += variant == 1 ? b < ey : b <= ey;
    }
    double term = variant == 1 ? ref_psi(nx + 1) + ref_psi(ny + 1) : ref_psi(nx) + ref_psi(ny);
    if (ref_terms) ref_terms[i] = term;
    sum += term;
  }
  free(all), free(nb);
  return ref_psi(k) + ref_psi(n) - (variant == 2 ? 1.0 / k : 0) - sum / (double)n;
}

/* Frenzel–Pompe CMI (variant 1) or its algorithm-2 form (Wibral et al.). */
static double ref_cmi(const double *x, int dx, const double *y, int dy, const double *z, int dz, long n, int k,
                      int variant) {
  const double *g[3] = {x, y, z};
  int gd[3] = {dx, dy, dz};
  RefNb *all = malloc(sizeof(RefNb) * (size_t)n), *nb = malloc(sizeof(RefNb) * (size_t)k);
  double sum = 0;
  for (long i = 0; i < n; i++) {
    ref_knn(g, gd, n, i, k, all, nb);
    double r = nb[k - 1].d, ex = 0, ey = 0, ez = 0;
    for (int j = 0; j < k; j++) {
      ex = fmax(ex, ref_dist(x, dx, i, nb[j].j));
      ey = fmax(ey, ref_dist(y, dy, i, nb[j].j));
      ez = fmax(ez, ref_dist(z, dz, i, nb[j].j));
    }
    long nxz = 0, nyz = 0, nz = 0;
    for (long j = 0; j < n; j++) {
      if (ref_excluded(i, j)) continue;
      double a = ref_dist(x, dx, i, j), b = ref_dist(y, dy, i, j), c = ref_dist(z, dz, i, j);
      if (variant == 1) {
        nxz += fmax(a, c) < r, nyz += fmax(b, c) < r, nz += c < r;
      } else {
        nxz += a <= ex && c <= ez, nyz += b <= ey && c <= ez, nz += c <= ez;
      }
    }
    if (variant == 1) sum += ref_psi(nxz + 1) + ref_psi(nyz + 1) - ref_psi(nz + 1);
    else sum += ref_psi(nxz) - 1.0 / nxz + ref_psi(nyz) - 1.0 / nyz - ref_psi(nz);
  }
  free(all), free(nb);
  return variant == 1 ? ref_psi(k) - sum / (double)n : ref_psi(k) - 2.0 / k - sum / (double)n;
}

/* Kozachenko–Leonenko with the max-norm ball (volume (2r)^d). */
static double ref_kl(const double *x, int d, long n, int k) {
  const double *g[3] = {x, NULL, NULL};
  int gd[3] = {d, 0, 0};
  RefNb *all = malloc(sizeof(RefNb) * (size_t)n), *nb = malloc(sizeof(RefNb) * (size_t)k);
  double sum = 0;
  for (long i = 0; i < n; i++) {
    ref_knn(g, gd, n, i, k, all, nb);
    sum += log(nb[k - 1].d);
  }
  free(all), free(nb);
  return ref_psi(n) - ref_psi(k) + d * log(2.0) + d * sum / (double)n;
}

/* Standardise each column of an n x d block in place ((v - mean)/sd, n - 1
 * sd, sums in row order); returns the sum of log sd. */
static double ref_standardise(double *x, long n, int d) {
  double logs = 0;
  for (int c = 0; c < d; c++) {
    double s = 0, q = 0;
    for (long i = 0; i < n; i++) s += x[i * d + c];
    double m = s / (double)n;
    for (long i = 0; i < n; i++) q += (x[i * d + c] - m) * (x[i * d + c] - m);
    double sd = sqrt(q / (double)(n - 1));
    for (long i = 0; i < n; i++) x[i * d + c] = (x[i * d + c] - m) / sd;
    logs += log(sd);
  }
  return logs;
}

/* ------------------------------------------------------------ data */

/* n x d standard normals from stream (seed, tag). */
static double *normals(uint64_t seed, uint64_t tag, long n, int d) {
  double *x = malloc(sizeof(double) * (size_t)(n * d));
  ixp_rng_normals(ixp_rng_key(seed, tag, 0), 0, x, n * d);
  return x;
}

/* y = rho x + sqrt(1 - rho^2) e, coordinate by coordinate (y has x's
 * shape; e from stream (seed, tag)). */
static double *correlated(const double *x, long n, int d, double rho, uint64_t seed, uint64_t tag) {
  double *y = normals(seed, tag, n, d);
  for (long i = 0; i < n * d; i++) y[i] = rho * x[i] + sqrt(1 - rho * rho) * y[i];
  return y;
}

/* A block from the first d columns of an n x w block. */
static double *columns(const double *x, long n, int w, int d) {
  double *y = malloc(sizeof(double) * (size_t)(n * d));
  for (long i = 0; i < n; i++)
    for (int c = 0; c < d; c++) y[i * d + c] = x[i * w + c];
  return y;
}

/* Whether two doubles have the same bits. */
static bool same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* ------------------------------------------------------- exact agreement */

/* KSG-1 and KSG-2 against the brute-force reference on 200 random points,
 * for several dimension pairs, both indexes, raw and rescaled data. */
Test(knn, ksg_matches_bruteforce) {
  long n = 200;
  const int dims[][2] = {{1, 1}, {2, 1}, {2, 3}};
  for (size_t t = 0; t < 3; t++) {
    int dx = dims[t][0], dy = dims[t][1];
    double *x = normals(11, t, n, dx), *y0 = normals(12, t, n, dy);
    for (long i = 0; i < n; i++) y0[i * dy] += 0.7 * x[i * dx] * x[i * dx] * (t == 2 ? 3 : 1);
    for (int rescale = 0; rescale < 2; rescale++) {
      double *xs = columns(x, n, dx, dx), *ys = columns(y0, n, dy, dy);
      if (rescale) ref_standardise(xs, n, dx), ref_standardise(ys, n, dy);
      for (int variant = 1; variant <= 2; variant++)
        for (int k = 1; k <= 5; k += 4) {
          double want = ref_ksg(xs, dx, ys, dy, n, k, variant);
          for (int index = IXP_INDEX_KDTREE; index <= IXP_INDEX_BRUTE; index++) {
            IxpKnnOptions o = {.k = k, .variant = variant, .no_rescale = !rescale, .index = index};
            IxpKnnInfo info;
            double got;
            cr_assert_eq(ixp_ksg_mi(x, dx, y0, dy, n, &o, &got, &info), IXP_KNN_OK);
            cr_assert_eq(info.index, (IxpIndexKind)index);
            cr_assert(fabs(got - want) < 1e-12, "dims %d,%d rescale %d KSG-%d k %d index %d: %.17g vs %.17g", dx, dy,
                      rescale, variant, k, index, got, want);
          }
        }
      free(xs), free(ys);
    }
    free(x), free(y0);
  }
}

/* Frenzel–Pompe CMI (and its algorithm-2 form) against the reference: a
 * chain X -> Z -> Y (CMI near 0) and a collider-like mix. */
Test(knn, cmi_matches_bruteforce) {
  long n = 200;
  const int dims[][3] = {{1, 1, 1}, {2, 1, 2}};
  for (size_t t = 0; t < 2; t++) {
    int dx = dims[t][0], dy = dims[t][1], dz = dims[t][2];
    double *x = normals(21, t, n, dx), *z = normals(22, t, n, dz), *y = normals(23, t, n, dy);
    for (long i = 0; i < n; i++) z[i * dz] += x[i * dx], y[i * dy] += z[i * dz] + (t ? 0.5 * x[i * dx] : 0);
    for (int variant = 1; variant <= 2; variant++) {
      double want = ref_cmi(x, dx, y, dy, z, dz, n, 4, variant);
      for (int index = IXP_INDEX_KDTREE; index <= IXP_INDEX_BRUTE; index++) {
        IxpKnnOptions o = {.variant = variant, .no_rescale = true, .index = index};
        double got;
        cr_assert_eq(ixp_ksg_cmi(x, dx, y, dy, z, dz, n, &o, &got, NULL), IXP_KNN_OK);
        cr_assert(fabs(got - want) < 1e-12, "dims %zu variant %d index %d: %.17g vs %.17g", t, variant, index, got, want);
      }
    }
    free(x), free(y), free(z);
  }
}

/* Kozachenko–Leonenko against the reference, raw and rescaled (the
 * rescaled estimate adds back the sum of log sd). */
Test(knn, entropy_matches_bruteforce) {
  long n = 200;
  for (int d = 1; d <= 3; d += 2) {
    double *x = normals(31, d, n, d);
    for (long i = 0; i < n * d; i++) x[i] = x[i] * (1 + i % d) + 3;
    double want = ref_kl(x, d, n, 4), got;
    for (int index = IXP_INDEX_KDTREE; index <= IXP_INDEX_BRUTE; index++) {
      IxpKnnOptions o = {.no_rescale = true, .index = index};
      cr_assert_eq(ixp_knn_entropy(x, n, d, &o, &got, NULL), IXP_KNN_OK);
      cr_assert(fabs(got - want) < 1e-12, "d %d index %d: %.17g vs %.17g", d, index, got, want);
    }
    double *xs = columns(x, n, d, d), logs = ref_standardise(xs, n, d);
    want = ref_kl(xs, d, n, 4) + logs;
    cr_assert_eq(ixp_knn_entropy(x, n, d, NULL, &got, NULL), IXP_KNN_OK);
    cr_assert(fabs(got - want) < 1e-12, "rescaled d %d: %.17g vs %.17g", d, got, want);
    free(x), free(xs);
  }
}

/* A hand-worked example, k = 1, points (0,0) (1,3) (3,1) (6,6): k-th
 * distances 3, 2, 2, 5; strict counts n_x = 1,1,0,1 and n_y = 1,0,1,1, so
 * KSG-1 = psi(1) + psi(4) - (6 psi(2) + 2 psi(1))/4 = 1/3 exactly. KSG-2:
 * eps_x, eps_y = (1,3) (2,2) (2,2) (5,3), counts n_x = 1,2,1,2 and n_y =
 * 2,1,2,1, so psi(1) - 1 + psi(4) - (4 psi(1) + 4 psi(2))/4 = -1/6. KL on
 * x alone: r = 1,1,2,3, H = psi(4) - psi(1) + log 2 + log(6)/4. */
Test(knn, textbook_formula) {
  const double x[] = {0, 1, 3, 6}, y[] = {0, 3, 1, 6};
  IxpKnnOptions o = {.k = 1, .no_rescale = true};
  double v;
  cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, 4, &o, &v, NULL), IXP_KNN_OK);
  cr_assert(fabs(v - 1.0 / 3) < 1e-14, "KSG-1 %.17g", v);
  o.variant = 2;
  cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, 4, &o, &v, NULL), IXP_KNN_OK);
  cr_assert(fabs(v + 1.0 / 6) < 1e-14, "KSG-2 %.17g", v);
  o.variant = 1;
  cr_assert_eq(ixp_knn_entropy(x, 4, 1, &o, &v, NULL), IXP_KNN_OK);
  cr_assert(fabs(v - (11.0 / 6 + log(2.0) + log(6.0) / 4)) < 1e-14, "KL %.17g", v);
}

/* ------------------------------------------------------------ closed forms */

/* Bivariate Gaussian rho = 0.9: I = -1/2 log(1 - rho^2) = 0.8304. One
 * N = 20000 estimate has sd ~0.009 (and a KSG bias of order 1e-3 here),
 * so the mean of 4 independent sets (sd ~0.005) is held to 0.02, for
 * both algorithms; independent pairs give |I| < 0.015 (sd ~0.004). */
Test(knn, gaussian_mi_closed_form) {
  long n = 20000;
  double truth = -0.5 * log(1 - 0.81), s1 = 0, s2 = 0, v;
  for (int rep = 0; rep < 4; rep++) {
    double *x = normals(41, rep, n, 1), *y = correlated(x, n, 1, 0.9, 42, rep);
    IxpKnnOptions o = {.variant = 1};
    cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, n, &o, &v, NULL), IXP_KNN_OK);
    s1 += v / 4;
    o.variant = 2;
    cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, n, &o, &v, NULL), IXP_KNN_OK);
    s2 += v / 4;
    free(x), free(y);
  }
  cr_assert(fabs(s1 - truth) < 0.02, "KSG-1 %g vs %g", s1, truth);
  cr_assert(fabs(s2 - truth) < 0.02, "KSG-2 %g vs %g", s2, truth);
  double *x = normals(43, 0, n, 1), *y = normals(44, 0, n, 1);
  cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, n, NULL, &v, NULL), IXP_KNN_OK);
  cr_assert(fabs(v) < 0.015, "independent %g", v);
  free(x), free(y);
}

/* Gaussian in 2 + 2 dimensions with per-coordinate rho = 0.6: I = -log(1 -
 * 0.36) = 0.446 (sum over the two coordinate pairs); N = 10000, 0.04. */
Test(knn, gaussian_mi_multivariate) {
  long n = 10000;
  double *x = normals(45, 0, n, 2), *y = correlated(x, n, 2, 0.6, 46, 0), v;
  cr_assert_eq(ixp_ksg_mi(x, 2, y, 2, n, NULL, &v, NULL), IXP_KNN_OK);
  cr_assert(fabs(v + log(1 - 0.36)) < 0.04, "MI %g vs %g", v, -log(1 - 0.36));
  free(x), free(y);
}

/* CMI of a Gaussian chain X -> Z -> Y (Z = X + Z0, Y = Z + sqrt(1/2) e)
 * is 0; with Y = Z + X + sqrt(1/2) e it is I(X; Y | Z) = 1/2 log(1 +
 * Var(X | Z) / (1/2)) = 1/2 log 2, as Var(X | Z) = 1/2; N = 10000, 0.04. */
Test(knn, gaussian_cmi_closed_form) {
  long n = 10000;
  double *x = normals(47, 0, n, 1), *z = normals(47, 1, n, 1), *e = normals(47, 2, n, 1), *y = malloc(sizeof(double) * n);
  for (long i = 0; i < n; i++) z[i] += x[i], y[i] = z[i] + sqrt(0.5) * e[i];
  double v;
  cr_assert_eq(ixp_ksg_cmi(x, 1, y, 1, z, 1, n, NULL, &v, NULL), IXP_KNN_OK);
  cr_assert(fabs(v) < 0.02, "chain CMI %g", v);
  for (long i = 0; i < n; i++) y[i] += x[i];
  cr_assert_eq(ixp_ksg_cmi(x, 1, y, 1, z, 1, n, NULL, &v, NULL), IXP_KNN_OK);
  cr_assert(fabs(v - 0.5 * log(2.0)) < 0.04, "CMI %g vs %g", v, 0.5 * log(2.0));
  free(x), free(y), free(z), free(e);
}

/* KL entropy at N = 20000: uniform [0,1]^d has H = 0 (d = 1, 2; sd ~0.01,
 * tolerance 0.03); Gaussian with sd 2 has 1/2 log(2 pi e 4) per dimension
 * (d = 1: 0.03; d = 3: 0.06, as the estimator's bias there is ~ -0.02). */
Test(knn, entropy_closed_form) {
  long n = 20000;
  double v, *u = malloc(sizeof(double) * (size_t)(2 * n));
  ixp_rng_uniforms(ixp_rng_key(51, 0, 0), 0, u, 2 * n);
  for (int d = 1; d <= 2; d++) {
    cr_assert_eq(ixp_knn_entropy(u, n, d, NULL, &v, NULL), IXP_KNN_OK);
    cr_assert(fabs(v) < 0.03, "uniform d %d: %g", d, v);
  }
  double *g = normals(52, 0, n, 3), h1 = 0.5 * log(2 * M_PI * M_E * 4);
  for (long i = 0; i < 3 * n; i++) g[i] *= 2;
  cr_assert_eq(ixp_knn_entropy(g, n, 1, NULL, &v, NULL), IXP_KNN_OK);
  cr_assert(fabs(v - h1) < 0.03, "gaussian d 1: %g vs %g", v, h1);
  cr_assert_eq(ixp_knn_entropy(g, n, 3, NULL, &v, NULL), IXP_KNN_OK);
  cr_assert(fabs(v - 3 * h1) < 0.06, "gaussian d 3: %g vs %g", v, 3 * h1);
  free(u), free(g);
}

/* X ~ U(0,1), Y = X + U(-e, e), e < 1/2: Y's density is a trapezoid with
 * linear ramps of width 2e, so h(Y) = 2 * e/2 = e (each ramp contributes
 * 2e * 1/4) and h(Y | X) = log 2e: I = e - log(2e). e = 0.25: 0.943;
 * N = 20000, tolerance 0.03 (the hard edges bias KSG down by ~0.01). */
Test(knn, uniform_noise_closed_form) {
  long n = 20000;
  double e = 0.25, *x = malloc(sizeof(double) * n), *y = malloc(sizeof(double) * n), v;
  ixp_rng_uniforms(ixp_rng_key(61, 0, 0), 0, x, n);
  ixp_rng_uniforms(ixp_rng_key(61, 1, 0), 0, y, n);
  for (long i = 0; i < n; i++) y[i] = x[i] + e * (2 * y[i] - 1);
  cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, n, NULL, &v, NULL), IXP_KNN_OK);
  cr_assert(fabs(v - (e - log(2 * e))) < 0.03, "MI %g vs %g", v, e - log(2 * e));
  free(x), free(y);
}

/* ------------------------------------------------------- invariances */

/* Every estimator gives the same bits with 1 and 2 threads, with every
 * index (lists serve mi only; cmi and entropy fall back to brute force),
 * threads set through the options and through OpenMP. */
Test(knn, thread_count_invariance) {
  long n = 3000;
  double *x = normals(71, 0, n, 2), *y = correlated(x, n, 2, 0.5, 72, 0), *z = normals(73, 0, n, 1);
  for (int index = IXP_INDEX_KDTREE; index <= IXP_INDEX_LISTS; index++)
    for (int variant = 1; variant <= 2; variant++) {
      double v[2][3];
      for (int t = 0; t < 2; t++) {
        IxpKnnOptions o = {.variant = variant, .threads = t + 1, .index = index, .noise = 1e-6, .noise_key = 5};
        cr_assert_eq(ixp_ksg_mi(x, 2, y, 2, n, &o, &v[t][0], NULL), IXP_KNN_OK);
        cr_assert_eq(ixp_ksg_cmi(x, 2, y, 2, z, 1, n, &o, &v[t][1], NULL), IXP_KNN_OK);
        cr_assert_eq(ixp_knn_entropy(x, n, 2, &o, &v[t][2], NULL), IXP_KNN_OK);
      }
      for (int m = 0; m < 3; m++)
        cr_assert(same_bits(v[0][m], v[1][m]), "index %d variant %d measure %d: %.17g vs %.17g", index, variant, m,
                  v[0][m], v[1][m]);
    }
  /* threads = 0 (all cores) through omp_set_num_threads-like defaults. */
  IxpKnnOptions one = {.threads = 1}, all = {0};
  double a, b;
  cr_assert_eq(ixp_ksg_mi(x, 2, y, 2, n, &one, &a, NULL), IXP_KNN_OK);
  cr_assert_eq(ixp_ksg_mi(x, 2, y, 2, n, &all, &b, NULL), IXP_KNN_OK);
  cr_assert(same_bits(a, b));
  free(x), free(y), free(z);
}

/* The k-d tree and brute force agree to the bit on N = 1500 points, for
 * every estimator, including ties (a coarse grid of values). */
Test(knn, kdtree_matches_brute) {
  long n = 1500;
  double *x = normals(81, 0, n, 3), *y = correlated(x, n, 3, 0.7, 82, 0);
  for (long i = 0; i < 3 * n; i += 3) x[i] = round(x[i] * 8) / 8; /* ties in one coordinate */
  const int dims[][3] = {{1, 1, 1}, {3, 2, 1}, {2, 3, 2}};
  for (int t = 0; t < 3; t++) {
    int dx = dims[t][0], dy = dims[t][1], dz = dims[t][2];
    double *xs = columns(x, n, 3, dx), *ys = columns(y, n, 3, dy), *zs = columns(y + 1, n, 3, dz);
    for (int variant = 1; variant <= 2; variant++) {
      double v[2][3];
      IxpKnnInfo info[2];
      for (int b = 0; b < 2; b++) {
        IxpKnnOptions o = {.variant = variant, .index = b ? IXP_INDEX_BRUTE : IXP_INDEX_KDTREE};
        cr_assert_eq(ixp_ksg_mi(xs, dx, ys, dy, n, &o, &v[b][0], &info[b]), IXP_KNN_OK);
        cr_assert_eq(ixp_ksg_cmi(xs, dx, ys, dy, zs, dz, n, &o, &v[b][1], NULL), IXP_KNN_OK);
        cr_assert_eq(ixp_knn_entropy(ys, n, dy, &o, &v[b][2], NULL), IXP_KNN_OK);
      }
      cr_assert_eq(info[0].index, IXP_INDEX_KDTREE);
      cr_assert_eq(info[1].index, IXP_INDEX_BRUTE);
      for (int m = 0; m < 3; m++)
        cr_assert(same_bits(v[0][m], v[1][m]), "dims %d variant %d measure %d: %.17g vs %.17g", t, variant, m, v[0][m],
                  v[1][m]);
    }
    free(xs), free(ys), free(zs);
  }
  free(x), free(y);
}

/* The three indexes find the same neighbours and the same counts, so KSG-1
 * and KSG-2 mi agree to the bit, alone and in a permutation test (the
 * observed value, the null's mean and sd, p), in balanced and unbalanced
 * dimensions (short neighbour lists that fall back to scans), with ties
 * in one coordinate; each index also gives the same bits at 1 and 2
 * threads. */
Test(knn, indexes_agree) {
  long n = 500;
  double *x = normals(141, 0, n, 8), *y = correlated(x, n, 8, 0.6, 142, 0);
  for (long i = 0; i < 8 * n; i += 8) x[i] = round(x[i] * 6) / 6;
  const int dims[][2] = {{1, 1}, {2, 3}, {5, 5}, {3, 8}};
  for (int t = 0; t < 4; t++) {
    int dx = dims[t][0], dy = dims[t][1];
    double *xs = columns(x, n, 8, dx), *ys = columns(y, n, 8, dy);
    for (int variant = 1; variant <= 2; variant++) {
      double v[3][2];
      IxpKnnTest pt[3][2];
      for (int b = 0; b < 3; b++)
        for (int th = 0; th < 2; th++) {
          IxpKnnOptions o = {.variant = variant, .index = IXP_INDEX_KDTREE + b, .threads = th + 1};
          IxpKnnInfo info;
          cr_assert_eq(ixp_ksg_mi(xs, dx, ys, dy, n, &o, &v[b][th], &info), IXP_KNN_OK);
          cr_assert_eq(info.index, o.index);
          cr_assert_eq(ixp_ksg_mi_permutation(xs, dx, ys, dy, n, &o, 5, 77, &pt[b][th]), IXP_KNN_OK);
        }
      for (int b = 0; b < 3; b++)
        for (int th = 0; th < 2; th++) {
          const IxpKnnTest *p = &pt[b][th], *q = &pt[0][0];
          cr_assert(same_bits(v[b][th], v[0][0]), "dims %d+%d KSG-%d index %d threads %d: %.17g vs %.17g", dx, dy,
                    variant, b + 1, th + 1, v[b][th], v[0][0]);
          cr_assert(same_bits(p->value, v[0][0]) && same_bits(p->null_mean, q->null_mean) &&
                        same_bits(p->null_std, q->null_std) && same_bits(p->p, q->p),
                    "dims %d+%d KSG-%d index %d threads %d: null %.17g +- %.17g vs %.17g +- %.17g", dx, dy, variant,
                    b + 1, th + 1, p->null_mean, p->null_std, q->null_mean, q->null_std);
        }
    }
    free(xs), free(ys);
  }
  free(x), free(y);
}

/* Brute force filters in single precision and decides close calls on the
 * exact distances; values too large for floats (here 1e35, unrescaled)
 * take the double path. Both agree with the k-d tree to the bit. */
Test(knn, brute_float_filter_and_fallback) {
  long n = 400;
  double *x = normals(151, 0, n, 2), *y = correlated(x, n, 2, 0.5, 152, 0);
  for (int big = 0; big < 2; big++) {
    for (long i = 0; i < 2 * n; i++) x[i] *= big ? 1e35 : 1, y[i] *= big ? 1e35 : 1;
    for (int variant = 1; variant <= 2; variant++) {
      double v[2];
      for (int b = 0; b < 2; b++) {
        IxpKnnOptions o = {.variant = variant, .no_rescale = true, .index = b ? IXP_INDEX_BRUTE : IXP_INDEX_KDTREE};
        cr_assert_eq(ixp_ksg_mi(x, 2, y, 2, n, &o, &v[b], NULL), IXP_KNN_OK);
      }
      cr_assert(same_bits(v[0], v[1]), "big %d KSG-%d: %.17g vs %.17g", big, variant, v[0], v[1]);
    }
  }
  free(x), free(y);
}

/* explain names the index: the one forced by `index = ...`, or the one the
 * cost model chose. */
Test(knn, explain_names_the_index) {
  TRun r;
  t_open(&r, false);
  const char *prog = "seed 3\nmodel m {\n  x ~ normal(0, 1)\n  y ~ normal(x, 1)\n}\ndata d = sample(m, 400)\n"
                     "print mi(x; y) in d using ksg(index = brute)\n"
                     "print mi(x; y) in d using ksg(index = lists) with permutations(9)\n"
                     "print entropy(x) in d using kl(index = kdtree)\n"
                     "print mi(x; y) in d using ksg\n";
  cr_assert_eq(t_explain(&r, prog), IXP_OK, "%s", t_err(&r));
  const char *out = t_out(&r);
  cr_assert(strstr(out, "KSG-1 k = 4 on 400 rows, 2 dimensions, brute-force (cache-blocked max-norm tiles) index "
                        "(index = brute)"), "%s", out);
  cr_assert(strstr(out, "neighbour-list (per-group sorted neighbours, built once) index (index = lists), "
                        "9 permutation surrogates"), "%s", out);
  cr_assert(strstr(out, "Kozachenko-Leonenko k = 4 on 400 rows, 1 dimension, k-d tree index (index = kdtree)"), "%s",
            out);
  const int d11[2] = {1, 1};
  char want[200];
  IxpIndexKind chosen = ixp_knn_auto_index(2, d11, 400, 4, 0);
  snprintf(want, sizeof want, "%s index (chosen by estimated cost)",
           chosen == IXP_INDEX_GRID ? "grid (cell list over quantile cells)" : chosen == IXP_INDEX_KDTREE ? "k-d tree" : "tiles)");
  cr_assert(strstr(out, want), "%s", out);
  t_close(&r);
}

/* AUTO follows the cost model: the k-d tree in low dimensions, brute force
 * in high ones, neighbour lists for permutation tests where their build
 * pays off; the estimators report the index the model names, and forcing
 * another gives the same value. */
Test(knn, auto_index) {
  const int d11[2] = {1, 1}, d12[2] = {1, 2}, d55[2] = {5, 5}, d2525[2] = {25, 25}, d1[1] = {1}, d2[1] = {2};
  cr_assert_eq(ixp_knn_auto_index(2, d11, 1000, 4, 0), IXP_INDEX_GRID);
  cr_assert_eq(ixp_knn_auto_index(2, d11, 100000, 4, 0), IXP_INDEX_GRID);
  cr_assert_eq(ixp_knn_auto_index(2, d11, 1000000, 4, 0), IXP_INDEX_GRID);
  cr_assert_eq(ixp_knn_auto_index(1, d2, 100000, 4, 0), IXP_INDEX_GRID);
  cr_assert_eq(ixp_knn_auto_index(2, d12, 100000, 4, 0), IXP_INDEX_KDTREE);
  cr_assert_eq(ixp_knn_auto_index(1, d1, 10000, 4, 0), IXP_INDEX_KDTREE);
  cr_assert_eq(ixp_knn_auto_index(2, d55, 10000, 4, 0), IXP_INDEX_BRUTE);
  cr_assert_eq(ixp_knn_auto_index(2, d2525, 100000, 4, 0), IXP_INDEX_BRUTE);
  cr_assert_eq(ixp_knn_auto_index(2, d55, 4000, 4, 150), IXP_INDEX_LISTS);
  cr_assert_eq(ixp_knn_auto_index(2, d11, 4000, 4, 150), IXP_INDEX_GRID);
  long n = 300;
  double *x = normals(85, 0, n, 6), *y = correlated(x, n, 6, 0.5, 86, 0), a, b;
  const int dims[][2] = {{1, 1}, {2, 2}, {5, 5}, {6, 5}};
  for (int t = 0; t < 4; t++) {
    double *xs = columns(x, n, 6, dims[t][0]), *ys = columns(y, n, 6, dims[t][1]);
    IxpKnnInfo info;
    cr_assert_eq(ixp_ksg_mi(xs, dims[t][0], ys, dims[t][1], n, NULL, &a, &info), IXP_KNN_OK);
    cr_assert_eq(info.index, ixp_knn_auto_index(2, dims[t], n, 4, 0));
    IxpKnnOptions o = {.index = info.index == IXP_INDEX_KDTREE ? IXP_INDEX_BRUTE : IXP_INDEX_KDTREE};
    cr_assert_eq(ixp_ksg_mi(xs, dims[t][0], ys, dims[t][1], n, &o, &b, &info), IXP_KNN_OK);
    cr_assert_eq(info.index, o.index);
    cr_assert(same_bits(a, b), "dims %d+%d: %.17g vs %.17g", dims[t][0], dims[t][1], a, b);
    free(xs), free(ys);
  }
  free(x), free(y);
}

/* The copula transform makes the estimate invariant under strictly
 * increasing maps of each column (the ranks are unchanged). */
Test(knn, copula_invariance) {
  long n = 2000;
  double *x = normals(91, 0, n, 1), *y = correlated(x, n, 1, 0.6, 92, 0), *fx = malloc(sizeof(double) * n),
         *fy = malloc(sizeof(double) * n), a, b;
  for (long i = 0; i < n; i++) fx[i] = exp(x[i]), fy[i] = y[i] * y[i] * y[i] + 2;
  IxpKnnOptions o = {.copula = true};
  cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, n, &o, &a, NULL), IXP_KNN_OK);
  cr_assert_eq(ixp_ksg_mi(fx, 1, fy, 1, n, &o, &b, NULL), IXP_KNN_OK);
  cr_assert(same_bits(a, b), "%.17g vs %.17g", a, b);
  cr_assert(fabs(a + 0.5 * log(1 - 0.36)) < 0.05, "copula MI %g", a);
  free(x), free(y), free(fx), free(fy);
}

/* ------------------------------------------------------- permutation test */

/* Dependent data: the observed value is the plain estimate, every
 * surrogate falls below it (p = 1/(1 + nperm)), the null is centred near
 * 0; the same key repeats bit for bit, at any thread count. */
Test(knn, permutation_dependent) {
  long n = 500;
  int nperm = 99;
  double *x = normals(101, 0, n, 1), *y = correlated(x, n, 1, 0.5, 102, 0), mi;
  cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, n, NULL, &mi, NULL), IXP_KNN_OK);
  IxpKnnTest t1, t2;
  IxpKnnOptions one = {.threads = 1}, two = {.threads = 2};
  cr_assert_eq(ixp_ksg_mi_permutation(x, 1, y, 1, n, &one, nperm, 7, &t1), IXP_KNN_OK);
  cr_assert_eq(ixp_ksg_mi_permutation(x, 1, y, 1, n, &two, nperm, 7, &t2), IXP_KNN_OK);
  cr_assert(same_bits(t1.value, mi));
  cr_assert_eq(t1.surrogates, nperm);
  cr_assert(fabs(t1.p - 1.0 / (1 + nperm)) < 1e-15, "p %g", t1.p);
  cr_assert(fabs(t1.null_mean) < 0.03 && t1.null_std > 0 && t1.null_std < 0.05, "null %g +- %g", t1.null_mean,
            t1.null_std);
  cr_assert(same_bits(t1.p, t2.p) && same_bits(t1.null_mean, t2.null_mean) && same_bits(t1.null_std, t2.null_std));
  IxpKnnTest t3;
  cr_assert_eq(ixp_ksg_mi_permutation(x, 1, y, 1, n, &two, nperm, 8, &t3), IXP_KNN_OK);
  cr_assert(!same_bits(t1.null_mean, t3.null_mean), "a different key gives different surrogates");
  /* Brute force gives the same test. */
  IxpKnnOptions brute = {.index = IXP_INDEX_BRUTE};
  cr_assert_eq(ixp_ksg_mi_permutation(x, 1, y, 1, n, &brute, 19, 7, &t3), IXP_KNN_OK);
  cr_assert_eq(ixp_ksg_mi_permutation(x, 1, y, 1, n, &one, 19, 7, &t1), IXP_KNN_OK);
  cr_assert(same_bits(t1.null_mean, t3.null_mean) && same_bits(t1.null_std, t3.null_std));
  free(x), free(y);
}

/* Surrogate s is exactly the estimate on Y permuted by
 * ixp_rng_permutation(ixp_rng_key(key, s, 0)): with one surrogate, its
 * value is the null mean. */
Test(knn, permutation_surrogate_definition) {
  long n = 400;
  double *x = normals(111, 0, n, 2), *y = correlated(x, n, 2, 0.3, 112, 0), *yp = malloc(sizeof(double) * 2 * n);
  long *perm = malloc(sizeof(long) * n);
  for (int variant = 1; variant <= 2; variant++) {
    IxpKnnOptions o = {.variant = variant};
    IxpKnnTest t;
    cr_assert_eq(ixp_ksg_mi_permutation(x, 2, y, 2, n, &o, 1, 99, &t), IXP_KNN_OK);
    ixp_rng_permutation(ixp_rng_key(99, 0, 0), perm, n);
    for (long i = 0; i < n; i++) yp[2 * i] = y[2 * perm[i]], yp[2 * i + 1] = y[2 * perm[i] + 1];
    double v;
    cr_assert_eq(ixp_ksg_mi(x, 2, yp, 2, n, &o, &v, NULL), IXP_KNN_OK);
    cr_assert(same_bits(t.null_mean, v), "variant %d: %.17g vs %.17g", variant, t.null_mean, v);
    cr_assert(t.null_std == 0);
  }
  free(x), free(y), free(yp), free(perm);
}

/* Independent data: p-values of 40 data sets (nperm = 39) are roughly
 * uniform: mean within 0.5 +- 0.15 (sd of the mean ~0.046), at most 8
 * below 0.05 (expected 2). */
Test(knn, permutation_independent_uniform) {
  long n = 150;
  double sum = 0;
  int small = 0;
  for (int s = 0; s < 40; s++) {
    double *x = normals(121, s, n, 1), *y = normals(122, s, n, 1);
    IxpKnnTest t;
    cr_assert_eq(ixp_ksg_mi_permutation(x, 1, y, 1, n, NULL, 39, s, &t), IXP_KNN_OK);
    cr_assert(t.p > 0 && t.p <= 1);
    sum += t.p, small += t.p < 0.05;
    free(x), free(y);
  }
  cr_assert(fabs(sum / 40 - 0.5) < 0.15, "mean p %g", sum / 40);
  cr_assert(small <= 8, "%d small p-values", small);
}

/* ------------------------------------------------------- ties, errors */

/* Duplicates: rows equal in every joint column are counted (all copies);
 * rows equal in X only are not. Fewer than k duplicates of a point are
 * fine; k or more make its k-th distance 0 (ETIES) unless noise breaks
 * them, and the noise is reproducible from its key. */
Test(knn, duplicates_and_ties) {
  long n = 100;
  double *x = normals(131, 0, n, 1), *y = normals(132, 0, n, 1), v, w;
  x[1] = x[0], y[1] = y[0];                     /* a pair */
  x[5] = x[4] = x[3] = x[2], y[5] = y[4] = y[3] = y[2]; /* four copies */
  x[7] = x[6];                                  /* equal in X only */
  IxpKnnInfo info;
  cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, n, NULL, &v, &info), IXP_KNN_OK);
  cr_assert_eq(info.duplicates, 6);
  /* the four copies have three duplicates each: fine for k = 4, not 3. */
  IxpKnnOptions o = {.k = 3};
  cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, n, &o, &v, &info), IXP_KNN_ETIES);
  for (int i = 10; i < 14; i++) x[i] = x[2], y[i] = y[2]; /* eight copies */
  cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, n, NULL, &v, &info), IXP_KNN_ETIES);
  cr_assert_eq(info.duplicates, 10);
  cr_assert_eq(ixp_knn_entropy(x, n, 1, NULL, &v, &info), IXP_KNN_ETIES);
  IxpKnnOptions noisy = {.noise = 1e-8, .noise_key = 3};
  cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, n, &noisy, &v, &info), IXP_KNN_OK);
  cr_assert_eq(info.duplicates, 10, "duplicates are counted before the noise");
  cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, n, &noisy, &w, NULL), IXP_KNN_OK);
  cr_assert(same_bits(v, w));
  noisy.noise_key = 4;
  cr_assert_eq(ixp_knn_entropy(x, n, 1, &noisy, &v, NULL), IXP_KNN_OK);
  cr_assert(isfinite(v));
  /* Discrete data (few values, many ties) with noise: finite estimates. */
  for (long i = 0; i < n; i++) x[i] = (double)(i % 3), y[i] = (double)((i / 2) % 3);
  cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, n, &noisy, &v, NULL), IXP_KNN_OK);
  cr_assert(isfinite(v));
  /* A constant column: no entropy (ETIES); MI is fine. */
  for (long i = 0; i < n; i++) x[i] = 1;
  cr_assert_eq(ixp_knn_entropy(x, n, 1, &noisy, &v, NULL), IXP_KNN_ETIES);
  cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, n, &noisy, &v, NULL), IXP_KNN_OK);
  free(x), free(y);
}

/* Invalid input: n <= k, dimensions < 1, non-finite values, missing
 * arrays, bad options. */
Test(knn, bad_input) {
  double x[8] = {0, 1, 2, 3, 4, 5, 6, 7}, y[8] = {1, 0, 3, 2, 5, 4, 7, 6}, v;
  IxpKnnTest t;
  IxpKnnOptions k8 = {.k = 8}, k7 = {.k = 7};
  cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, 8, &k8, &v, NULL), IXP_KNN_EINPUT);
  cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, 8, &k7, &v, NULL), IXP_KNN_OK);
  cr_assert_eq(ixp_knn_entropy(x, 4, 1, NULL, &v, NULL), IXP_KNN_EINPUT); /* k = 4 by default */
  cr_assert_eq(ixp_ksg_mi(x, 0, y, 1, 8, NULL, &v, NULL), IXP_KNN_EINPUT);
  cr_assert_eq(ixp_ksg_mi(x, 1, y, -1, 8, NULL, &v, NULL), IXP_KNN_EINPUT);
  cr_assert_eq(ixp_knn_entropy(x, 8, 0, NULL, &v, NULL), IXP_KNN_EINPUT);
  cr_assert_eq(ixp_ksg_cmi(x, 1, y, 1, x, 0, 8, NULL, &v, NULL), IXP_KNN_EINPUT);
  cr_assert_eq(ixp_ksg_mi(NULL, 1, y, 1, 8, NULL, &v, NULL), IXP_KNN_EINPUT);
  cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, 8, NULL, NULL, NULL), IXP_KNN_EINPUT);
  cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, -3, NULL, &v, NULL), IXP_KNN_EINPUT);
  const double bad[] = {NAN, INFINITY, -INFINITY};
  for (int b = 0; b < 3; b++) {
    double z[8];
    memcpy(z, y, sizeof z);
    z[5] = bad[b];
    cr_assert_eq(ixp_ksg_mi(x, 1, z, 1, 8, NULL, &v, NULL), IXP_KNN_EINPUT);
    cr_assert_eq(ixp_knn_entropy(z, 8, 1, NULL, &v, NULL), IXP_KNN_EINPUT);
    cr_assert_eq(ixp_ksg_cmi(x, 1, y, 1, z, 1, 8, NULL, &v, NULL), IXP_KNN_EINPUT);
    cr_assert_eq(ixp_ksg_mi_permutation(x, 1, z, 1, 8, NULL, 9, 1, &t), IXP_KNN_EINPUT);
  }
  IxpKnnOptions o = {.variant = 3};
  cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, 8, &o, &v, NULL), IXP_KNN_EINPUT);
  o = (IxpKnnOptions){.k = -1};
  cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, 8, &o, &v, NULL), IXP_KNN_EINPUT);
  o = (IxpKnnOptions){.noise = -1};
  cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, 8, &o, &v, NULL), IXP_KNN_EINPUT);
  o = (IxpKnnOptions){.noise = NAN};
  cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, 8, &o, &v, NULL), IXP_KNN_EINPUT);
  o = (IxpKnnOptions){.threads = -2};
  cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, 8, &o, &v, NULL), IXP_KNN_EINPUT);
  o = (IxpKnnOptions){.index = (IxpIndexKind)7};
  cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, 8, &o, &v, NULL), IXP_KNN_EINPUT);
  IxpKnnOptions k3 = {.k = 3};
  cr_assert_eq(ixp_ksg_mi_permutation(x, 1, y, 1, 8, &k3, 0, 1, &t), IXP_KNN_EINPUT);
  cr_assert_eq(ixp_ksg_mi_permutation(x, 1, y, 1, 8, &k3, 5, 1, NULL), IXP_KNN_EINPUT);
  cr_assert_eq(ixp_ksg_mi_permutation(x, 1, y, 1, 8, &k3, 5, 1, &t), IXP_KNN_OK);
  for (int s = IXP_KNN_OK; s <= IXP_KNN_ETIES; s++) cr_assert(strlen(ixp_knn_status_text((IxpKnnStatus)s)) > 0);
}

/* ------------------------------------------------------------ grid index */

/* KSG-1 and KSG-2 mi (1 + 1 dimensions) and entropy (2 columns) of x, y
 * with each index at 1 and 2 threads; every one equal in bits (status
 * included) to the k-d tree at 1 thread; brute force joins when n is
 * small enough to be quick. */
static void grid_agrees_k(const double *x, const double *y, long n, int k, const char *what) {
  double *xy = malloc(sizeof(double) * (size_t)(2 * n));
  for (long i = 0; i < n; i++) xy[2 * i] = x[i], xy[2 * i + 1] = y[i];
  int nidx = n <= 3000 ? 3 : 2;
  const IxpIndexKind idx[3] = {IXP_INDEX_KDTREE, IXP_INDEX_GRID, IXP_INDEX_BRUTE};
  for (int variant = 1; variant <= 2; variant++) {
    double ref[2] = {0, 0};
    IxpKnnStatus rst[2] = {IXP_KNN_OK, IXP_KNN_OK};
    for (int b = 0; b < nidx; b++)
      for (int th = 1; th <= 2; th++) {
        IxpKnnOptions o = {.k = k, .variant = variant, .index = idx[b], .threads = th};
        IxpKnnInfo info;
        double v[2] = {0, 0};
        IxpKnnStatus st[2] = {ixp_ksg_mi(x, 1, y, 1, n, &o, &v[0], &info), IXP_KNN_OK};
        cr_assert_eq(info.index, idx[b]);
        st[1] = variant == 1 ? ixp_knn_entropy(xy, n, 2, &o, &v[1], NULL) : IXP_KNN_OK;
        if (b == 0 && th == 1) {
          memcpy(ref, v, sizeof ref), memcpy(rst, st, sizeof rst);
          continue;
        }
        for (int m = 0; m < 2; m++) {
          cr_assert_eq(st[m], rst[m], "%s n %ld KSG-%d index %d threads %d measure %d: status %d vs %d", what, n,
                       variant, idx[b], th, m, st[m], rst[m]);
          cr_assert(st[m] != IXP_KNN_OK || same_bits(v[m], ref[m]),
                    "%s n %ld KSG-%d index %d threads %d measure %d: %.17g vs %.17g", what, n, variant, idx[b], th, m,
                    v[m], ref[m]);
        }
      }
  }
  free(xy);
}

/* grid_agrees_k with k = 4. */
static void grid_agrees(const double *x, const double *y, long n, const char *what) { grid_agrees_k(x, y, n, 4, what); }

/* The grid finds the k-th neighbour distance and, for KSG-2, the same
 * (distance, index)-ordered neighbours as the k-d tree and brute force,
 * so all give the same bits, at 1 and 2 threads (the threaded loop runs
 * from n = 1e5): correlated normals from n = 10 to 1e5; coarse values
 * (many ties, duplicated rows; a quarter of x one value, straddling cell
 * columns); heavy tails (ratios of normals); a tight cluster holding
 * most points in one cell of a wide range; a permuted copy; a cluster
 * with a tenth of the points on a wide lattice (tied distances; k = 1,
 * 4, 12, up to n = 2000). */
Test(knn, grid_matches_kdtree_and_brute, .timeout = 1200) {
  const long sizes[] = {10, 11, 37, 200, 2000, 100000};
  for (int s = 0; s < 6; s++) {
    long n = sizes[s];
    double *x = normals(301, (uint64_t)s, n, 1), *y = correlated(x, n, 1, 0.9, 302, (uint64_t)s);
    grid_agrees(x, y, n, "normal");
    double *e = normals(303, (uint64_t)s, n, 1), *cx = malloc(sizeof(double) * (size_t)n),
           *cy = malloc(sizeof(double) * (size_t)n);
    for (long i = 0; i < n; i++) { /* ties: values on a grid of 1/4, x = 0 for a quarter of the points */
      cx[i] = i % 4 == 0 ? 0 : round(x[i] * 4) / 4;
      cy[i] = round(y[i] * 4) / 4;
    }
    grid_agrees(cx, cy, n, "tied");
    for (long i = 0; i < n; i++) { /* heavy tails */
      cx[i] = x[i] / (fabs(e[i]) + 1e-3);
      cy[i] = y[i] / (fabs(e[(i + 1) % n]) + 1e-3);
    }
    grid_agrees(cx, cy, n, "heavy-tailed");
    for (long i = 0; i < n; i++) { /* 90% in a cluster 1e-6 wide, the rest spread over 1e3 */
      bool in = i % 10 != 0;
      cx[i] = in ? 1e-6 * x[i] : 1e3 * x[i];
      cy[i] = in ? 1e-6 * y[i] : 1e3 * e[i];
    }
    grid_agrees(cx, cy, n, "clustered");
    for (long i = 0; i < n; i++) { /* a permutation of the normal pairs (reversed, interleaved) */
      long j = i % 2 ? i / 2 : n - 1 - i / 2;
      cx[i] = x[j], cy[i] = y[j];
    }
    grid_agrees(cx, cy, n, "permuted");
    for (long i = 0; i < n; i++) { /* a cluster, and a tenth of the points on a lattice of spacing 1e3 (ties) */
      long j = i / 10;
      cx[i] = i % 10 ? 1e-3 * x[i] : 1e3 * (double)(j % 15);
      cy[i] = i % 10 ? 1e-3 * y[i] : 1e3 * (double)(j / 15);
    }
    for (int k = 1; k <= 12 && n > 12 && n <= 2000; k += k < 4 ? 3 : 8) grid_agrees_k(cx, cy, n, k, "lattice");
    free(x), free(y), free(e), free(cx), free(cy);
  }
}

/* Rows with k or more exact duplicates give a zero distance: the grid
 * reports the tie status as the k-d tree does. */
Test(knn, grid_reports_ties) {
  long n = 50;
  double x[50], y[50], v;
  for (long i = 0; i < n; i++) x[i] = (double)(i / 10), y[i] = (double)(i % 3 == 0);
  IxpKnnOptions g = {.index = IXP_INDEX_GRID}, t = {.index = IXP_INDEX_KDTREE};
  cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, n, &t, &v, NULL), IXP_KNN_ETIES);
  cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, n, &g, &v, NULL), IXP_KNN_ETIES);
}

/* The grid in a permutation test (rebuilt per surrogate from Y's gathered
 * orders) gives the k-d tree's observed value, null and p; elsewhere than
 * a 2-D joint space the grid is not used (the k-d tree is, and says so). */
Test(knn, grid_permutation_and_fallback) {
  long n = 1500;
  double *x = normals(311, 0, n, 2), *y = correlated(x, n, 2, 0.4, 312, 0);
  for (int variant = 1; variant <= 2; variant++) {
    IxpKnnTest a, b;
    IxpKnnOptions g = {.variant = variant, .index = IXP_INDEX_GRID}, t = {.variant = variant, .index = IXP_INDEX_KDTREE};
    cr_assert_eq(ixp_ksg_mi_permutation(x, 1, y, 1, n, &t, 7, 99, &a), IXP_KNN_OK);
    for (int th = 1; th <= 2; th++) {
      g.threads = th;
      cr_assert_eq(ixp_ksg_mi_permutation(x, 1, y, 1, n, &g, 7, 99, &b), IXP_KNN_OK);
      cr_assert(same_bits(a.value, b.value) && same_bits(a.null_mean, b.null_mean) &&
                    same_bits(a.null_std, b.null_std) && same_bits(a.p, b.p),
                "KSG-%d threads %d: %.17g %.17g vs %.17g %.17g", variant, th, a.value, a.null_mean, b.value,
                b.null_mean);
    }
  }
  IxpKnnOptions g = {.index = IXP_INDEX_GRID};
  IxpKnnInfo info;
  double v;
  cr_assert_eq(ixp_ksg_mi(x, 2, y, 1, n, &g, &v, &info), IXP_KNN_OK);
  cr_assert_eq(info.index, IXP_INDEX_KDTREE);
  cr_assert_eq(ixp_knn_entropy(x, n, 1, &g, &v, &info), IXP_KNN_OK);
  cr_assert_eq(info.index, IXP_INDEX_KDTREE);
  free(x), free(y);
}

/* Sparse integer lattices, unrescaled, in shuffled row order: many rows
 * tie at the k-th distance, and the one KSG-2 keeps (the least row)
 * decides whether a group's radius is that distance or less; the grid
 * must also search cells whose gap equals the k-th distance. Grid and
 * k-d tree agree to the bit over 300 random lattices and k = 1 .. 6. */
Test(knn, grid_lattice_ties) {
  double *x = malloc(sizeof(double) * 34 * 34), *y = malloc(sizeof(double) * 34 * 34);
  for (int trial = 0; trial < 300; trial++) {
    uint64_t st = ixp_rng_key(7, (uint64_t)trial, 0);
    int L = 4 + (int)(ixp_rng_uniform(st, 0) * 30), k = 1 + (int)(ixp_rng_uniform(st, 2) * 6);
    double keep = 0.2 + 0.8 * ixp_rng_uniform(st, 1);
    long n = 0;
    for (int a = 0; a < L; a++)
      for (int b = 0; b < L; b++)
        if (ixp_rng_uniform(st, 10 + (uint64_t)(a * L + b)) < keep) x[n] = a, y[n] = b, n++;
    for (long i = n - 1; i > 0; i--) {
      long j = (long)(ixp_rng_uniform(st, 100000 + (uint64_t)i) * (double)(i + 1));
      double t = x[i];
      x[i] = x[j], x[j] = t, t = y[i], y[i] = y[j], y[j] = t;
    }
    if (n <= k + 1) continue;
    for (int variant = 1; variant <= 2; variant++) {
      double v[2];
      IxpKnnStatus s[2];
      for (int b = 0; b < 2; b++) {
        IxpKnnOptions o = {.k = k, .variant = variant, .no_rescale = true,
                           .index = b ? IXP_INDEX_GRID : IXP_INDEX_KDTREE};
        s[b] = ixp_ksg_mi(x, 1, y, 1, n, &o, &v[b], NULL);
      }
      cr_assert(s[0] == s[1] && (s[0] != IXP_KNN_OK || same_bits(v[0], v[1])),
                "trial %d (L %d, n %ld, k %d) KSG-%d: %.17g vs %.17g", trial, L, n, k, variant, v[0], v[1]);
    }
  }
  free(x), free(y);
}

/* 2-D counting spaces are counted by ranks (pair_counts): a 2-D Y group,
 * which a permutation test maps through the permutation, and the 2-D XZ
 * and YZ spaces of a 1 + 1 | 1 CMI, with ties, agree with brute force to
 * the bit, at 1 and 2 threads. */
Test(knn, pair_spaces_match_brute) {
  long n = 700;
  double *x = normals(171, 0, n, 2), *y = correlated(x, n, 2, 0.6, 172, 0), *z = normals(173, 0, n, 1);
  for (long i = 0; i < 2 * n; i += 2) y[i] = round(y[i] * 5) / 5;
  double *x1 = columns(x, n, 2, 1), *y1 = columns(y, n, 2, 1);
  for (int variant = 1; variant <= 2; variant++)
    for (int th = 1; th <= 2; th++) {
      double v[2][2];
      IxpKnnTest pt[2];
      for (int b = 0; b < 2; b++) {
        IxpKnnOptions o = {.variant = variant, .index = b ? IXP_INDEX_BRUTE : IXP_INDEX_KDTREE, .threads = th};
        cr_assert_eq(ixp_ksg_mi_permutation(x, 1, y, 2, n, &o, 4, 5, &pt[b]), IXP_KNN_OK);
        cr_assert_eq(ixp_ksg_mi(x, 1, y, 2, n, &o, &v[b][0], NULL), IXP_KNN_OK);
        cr_assert_eq(ixp_ksg_cmi(x1, 1, y1, 1, z, 1, n, &o, &v[b][1], NULL), IXP_KNN_OK);
      }
      cr_assert(same_bits(pt[0].null_mean, pt[1].null_mean) && same_bits(pt[0].null_std, pt[1].null_std));
      cr_assert(same_bits(v[0][0], v[1][0]) && same_bits(v[0][1], v[1][1]), "variant %d: %.17g %.17g vs %.17g %.17g",
                variant, v[0][0], v[0][1], v[1][0], v[1][1]);
    }
  free(x), free(y), free(z), free(x1), free(y1);
}

/* ------------------------------------------------------- Theiler window */

/* A smooth, oversampled series: an AR(1) with coefficient a. */
static double *ar_series(uint64_t seed, long n, double a) {
  double *e = normals(seed, 0, n, 1), *x = malloc(sizeof(double) * (size_t)n), v = 0;
  for (long t = 0; t < n; t++) x[t] = v = a * v + sqrt(1 - a * a) * e[t];
  free(e);
  return x;
}

/* theiler = w against the brute-force references with the same window
 * (every search excludes |i - j| <= w: the k-th joint neighbour and the
 * marginal counts): KSG-1 and KSG-2 mi with 1-D, 2-D and 3-D groups (the
 * marginals counted by sorted arrays, ranks and a k-d tree), CMI of both
 * variants, KL; theiler = 0 is the default's bits, and brute force gives
 * the same bits as the tree without a window. */
Test(knn, theiler_matches_bruteforce) {
  long n = 240;
  const int dims[][3] = {{1, 1, 1}, {2, 1, 2}, {3, 1, 1}};
  for (int t = 0; t < 3; t++) {
    int dx = dims[t][0], dy = dims[t][1], dz = dims[t][2];
    double *x = normals(61, (uint64_t)t, n, dx), *y = normals(62, (uint64_t)t, n, dy), *z = normals(63, (uint64_t)t, n, dz);
    for (long i = 1; i < n; i++) x[i * dx] += 0.8 * x[(i - 1) * dx], z[i * dz] += 0.9 * z[(i - 1) * dz];
    for (long i = 0; i < n; i++) y[i * dy] += x[i * dx] + 0.5 * z[i * dz];
    for (long w = 0; w <= 7; w += 7)
      for (int variant = 1; variant <= 2; variant++) {
        ref_w = w;
        double want[3] = {ref_ksg(x, dx, y, dy, n, 4, variant), ref_cmi(x, dx, y, dy, z, dz, n, 4, variant),
                          ref_kl(x, dx, n, 4)};
        ref_w = 0;
        IxpKnnOptions o = {.variant = variant, .no_rescale = true, .theiler = w};
        double got[3];
        IxpKnnInfo info;
        cr_assert_eq(ixp_ksg_mi(x, dx, y, dy, n, &o, &got[0], &info), IXP_KNN_OK);
        cr_assert_eq(ixp_ksg_cmi(x, dx, y, dy, z, dz, n, &o, &got[1], NULL), IXP_KNN_OK);
        cr_assert_eq(ixp_knn_entropy(x, n, dx, &o, &got[2], NULL), IXP_KNN_OK);
        if (w) cr_assert_eq(info.index, IXP_INDEX_KDTREE);
        for (int m = 0; m < 3; m++)
          cr_assert(fabs(got[m] - want[m]) < 1e-12, "dims %d w %ld variant %d measure %d: %.17g vs %.17g", t, w, variant,
                    m, got[m], want[m]);
        if (w) continue;
        IxpKnnOptions b = {.variant = variant, .no_rescale = true, .index = IXP_INDEX_BRUTE};
        double plain;
        cr_assert_eq(ixp_ksg_cmi(x, dx, y, dy, z, dz, n, &b, &plain, NULL), IXP_KNN_OK);
        cr_assert(same_bits(plain, got[1]));
      }
    free(x), free(y), free(z);
  }
}

/* The window's limits: other indexes, the permutation test and too few
 * rows are refused with their own status; bits do not depend on threads. */
Test(knn, theiler_limits_and_threads) {
  long n = 3000;
  double *x = ar_series(64, n, 0.95), *y = correlated(x, n, 1, 0.5, 65, 0), v[2];
  for (int th = 1; th <= 2; th++) {
    IxpKnnOptions o = {.theiler = 20, .threads = th};
    cr_assert_eq(ixp_ksg_cmi(x + 1, 1, y, 1, x, 1, n - 1, &o, &v[th - 1], NULL), IXP_KNN_OK);
  }
  cr_assert(same_bits(v[0], v[1]));
  IxpKnnTest t;
  double h;
  for (int index = IXP_INDEX_BRUTE; index <= IXP_INDEX_GRID; index++) {
    IxpKnnOptions o = {.theiler = 3, .index = index};
    cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, n, &o, &h, NULL), IXP_KNN_ETHEILER, "index %d", index);
  }
  IxpKnnOptions o = {.theiler = 3}, wide = {.theiler = 10}, bad = {.theiler = -1};
  cr_assert_eq(ixp_ksg_mi_permutation(x, 1, y, 1, n, &o, 5, 1, &t), IXP_KNN_ETHEILER);
  cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, 24, &wide, &h, NULL), IXP_KNN_ETHEILER);  /* 24 - 1 - 20 < 4 */
  cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, 25, &wide, &h, NULL), IXP_KNN_OK);
  cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, n, &bad, &h, NULL), IXP_KNN_EINPUT);
  free(x), free(y);
}

/* On an oversampled smooth series the nearest neighbours of a point are
 * its own neighbours in time: for two independent AR(1) series of
 * coefficient 0.995 (correlation time 200 steps, true MI 0) a point's
 * joint neighbours come mostly from its own stretch of trajectory, and
 * KSG reports spurious dependence (about 0.09 nats here). A window of five
 * correlation times removes most of it: over four pairs of series, the
 * mean estimate drops below a third of the unwindowed one (measured: 0.090
 * and 0.027; the windowed estimates scatter more, as a window leaves
 * fewer effectively independent neighbours). */
Test(knn, theiler_removes_temporal_bias) {
  long n = 20000;
  double plain = 0, windowed = 0;
  for (uint64_t seed = 66; seed < 70; seed++) {
    double *x = ar_series(seed, n, 0.995), *y = ar_series(seed + 100, n, 0.995), a, b;
    IxpKnnOptions o = {0}, w = {.theiler = 1000};
    cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, n, &o, &a, NULL), IXP_KNN_OK);
    cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, n, &w, &b, NULL), IXP_KNN_OK);
    plain += a / 4, windowed += b / 4;
    free(x), free(y);
  }
  cr_assert(plain > 0.06, "no window: %g", plain);
  cr_assert(fabs(windowed) < plain / 3, "theiler 1000: %g (no window %g)", windowed, plain);
}

/* Local values: each point's value is the estimator's formula with its
 * own counts (psi(k) + psi(N) - psi(n_x + 1) - psi(n_y + 1) for KSG-1,
 * psi(k) - 1/k + psi(N) - psi(n_x) - psi(n_y) for KSG-2), against the
 * reference's counts; their mean is the estimate; the permutation test
 * takes none. */
Test(knn, local_values) {
  long n = 300;
  double *x = normals(91, 0, n, 2), *y = correlated(x, n, 2, 0.7, 92, 0), *terms = malloc(sizeof(double) * (size_t)n);
  double *local = malloc(sizeof(double) * (size_t)n);
  for (int variant = 1; variant <= 2; variant++) {
    ref_terms = terms;
    ref_ksg(x, 2, y, 2, n, 4, variant);
    ref_terms = NULL;
    IxpKnnOptions o = {.variant = variant, .no_rescale = true, .local = local};
    double est, mean = 0;
    cr_assert_eq(ixp_ksg_mi(x, 2, y, 2, n, &o, &est, NULL), IXP_KNN_OK);
    for (long i = 0; i < n; i++) {
      double want = ref_psi(4) + ref_psi(n) - (variant == 2 ? 0.25 : 0) - terms[i];
      cr_assert(fabs(local[i] - want) < 1e-12, "variant %d point %ld: %.17g vs %.17g", variant, i, local[i], want);
      mean += local[i] / (double)n;
    }
    cr_assert(fabs(mean - est) < 1e-12 * fabs(est), "variant %d: mean %.17g vs %.17g", variant, mean, est);
  }
  IxpKnnOptions o = {.local = local};
  IxpKnnTest t;
  cr_assert_eq(ixp_ksg_mi_permutation(x, 2, y, 2, n, &o, 3, 1, &t), IXP_KNN_EINPUT);
  free(x), free(y), free(terms), free(local);
}
