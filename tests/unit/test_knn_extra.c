/* test_knn_extra.c — knn_extra.h and kernel_density.h against closed
 * forms (Gaussian total correlation, Rényi entropies of Gaussians and
 * uniforms, KL between Gaussians), integrals computed here (a label
 * choosing one of two Gaussians, Jensen-Shannon of two Gaussians, the
 * limits of kernel estimates), the plug-in estimator on discrete data,
 * and KSG itself; every tolerance is stated where it is checked. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "kernel_density.h"
#include "knn.h"
#include "knn_extra.h"
#include "rng.h"

/* n rows of d standard normals times the Cholesky factor L (d x d, lower),
 * from stream key. */
static double *correlated(uint64_t key, long n, int d, const double *L) {
  double *z = malloc((size_t)n * (size_t)d * sizeof *z), *x = malloc((size_t)n * (size_t)d * sizeof *x);
  ixp_rng_normals(key, 0, z, n * d);
  for (long i = 0; i < n; i++)
    for (int r = 0; r < d; r++) {
      double s = 0;
      for (int c = 0; c <= r; c++) s += L[r * d + c] * z[i * d + c];
      x[i * d + r] = s;
    }
  free(z);
  return x;
}

/* Column c of an n x d block as its own n x 1 block. */
static double *column(const double *x, long n, int d, int c) {
  double *v = malloc((size_t)n * sizeof *v);
  for (long i = 0; i < n; i++) v[i] = x[i * d + c];
  return v;
}

static double phi(double x) { return exp(-0.5 * x * x) / sqrt(2 * M_PI); }

/* Integral of f over [a, b] by Simpson's rule on m (even) intervals. */
static double simpson(double (*f)(double, const double *), const double *par, double a, double b, int m) {
  double h = (b - a) / m, s = f(a, par) + f(b, par);
  for (int i = 1; i < m; i++) s += (i % 2 ? 4 : 2) * f(a + i * h, par);
  return s * h / 3;
}

/* ------------------------------------------------------ total correlation */

Test(knn_extra, tc_of_two_groups_is_ksg1_mi) {
  double L[4] = {1, 0, 0.6, 0.8};
  long n = 1500;
  double *xy = correlated(ixp_rng_key(11, 0, 0), n, 2, L), *x = column(xy, n, 2, 0), *y = column(xy, n, 2, 1);
  IxpKnnOptions o = {.k = 4, .threads = 1};
  double mi, tc;
  cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, n, &o, &mi, NULL), IXP_KNN_OK);
  const double *g[2] = {x, y};
  int gd[2] = {1, 1};
  cr_assert_eq(ixp_ksg_tc(g, gd, 2, n, &o, &tc), IXP_KNN_OK);
  /* the same formula on the same neighbours: equal up to summation order */
  cr_assert(fabs(tc - mi) < 1e-12, "tc %.17g vs ksg-1 %.17g", tc, mi);
  free(xy), free(x), free(y);
}

Test(knn_extra, tc_of_three_gaussians) {
  /* correlation R with unit diagonal, 0.5 off it: TC = -1/2 log det R */
  double L[9] = {1, 0, 0, 0.5, sqrt(0.75), 0, 0.5, 0.5 / (2 * sqrt(0.75)), 0};
  L[8] = sqrt(1 - L[6] * L[6] - L[7] * L[7]);
  double det = 1 - 3 * 0.25 + 2 * 0.125, truth = -0.5 * log(det);
  long n = 3000;
  double *x = correlated(ixp_rng_key(12, 0, 0), n, 3, L);
  double *c[3] = {column(x, n, 3, 0), column(x, n, 3, 1), column(x, n, 3, 2)}, tc1, tc2;
  const double *g[3] = {c[0], c[1], c[2]};
  int gd[3] = {1, 1, 1};
  IxpKnnOptions o1 = {.k = 4, .threads = 1}, o2 = {.k = 4, .threads = 2};
  cr_assert_eq(ixp_ksg_tc(g, gd, 3, n, &o1, &tc1), IXP_KNN_OK);
  cr_assert_eq(ixp_ksg_tc(g, gd, 3, n, &o2, &tc2), IXP_KNN_OK);
  cr_assert(tc1 == tc2, "thread count changed the bits: %.17g vs %.17g", tc1, tc2);
  cr_assert(fabs(tc1 - truth) < 0.04, "tc %g vs %g (tolerance 0.04 at n = 3000)", tc1, truth);
  free(x), free(c[0]), free(c[1]), free(c[2]);
}

/* ---------------------------------------------------------------- LNC */

Test(knn_extra, lnc_recovers_strong_dependence) {
  /* At rho = 0.999 KSG on unit-variance columns is already within 0.06
   * from n = 500 on; its bias shows at rho = 0.99999 (I = 5.41 nats, near
   * log(n / k)). There LNC removes most of it. */
  double rho = 0.99999, L[4] = {1, 0, rho, sqrt(1 - rho * rho)}, truth = -0.5 * log(1 - rho * rho);
  long n = 1000;
  double *xy = correlated(ixp_rng_key(13, 0, 0), n, 2, L), *x = column(xy, n, 2, 0), *y = column(xy, n, 2, 1);
  IxpKnnOptions o = {.k = 5, .variant = 2};
  double ksg, corr;
  cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, n, &o, &ksg, NULL), IXP_KNN_OK);
  cr_assert(fabs(ixp_lnc_alpha(5, 2) - 0.372004) < 1e-12);
  cr_assert_eq(ixp_knn_lnc_correction(x, 1, y, 1, n, &o, ixp_lnc_alpha(5, 2), &corr, NULL), IXP_KNN_OK);
  cr_assert(truth - ksg > 0.5, "plain KSG-2 %g should be far below %g", ksg, truth);
  cr_assert(fabs(ksg + corr - truth) < 0.3 && fabs(ksg + corr - truth) < 0.5 * (truth - ksg),
            "LNC %g vs %g (tolerance 0.3, and at most half KSG's error %g)", ksg + corr, truth, truth - ksg);
  free(xy), free(x), free(y);
}

Test(knn_extra, lnc_leaves_independence_near_zero) {
  double L[4] = {1, 0, 0, 1};
  long n = 2000;
  double *xy = correlated(ixp_rng_key(14, 0, 0), n, 2, L), *x = column(xy, n, 2, 0), *y = column(xy, n, 2, 1);
  IxpKnnOptions o = {.k = 5, .variant = 2};
  double ksg, corr;
  cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, n, &o, &ksg, NULL), IXP_KNN_OK);
  cr_assert_eq(ixp_knn_lnc_correction(x, 1, y, 1, n, &o, ixp_lnc_alpha(5, 2), &corr, NULL), IXP_KNN_OK);
  cr_assert(fabs(ksg + corr) < 0.03, "LNC on independent columns %g (tolerance 0.03)", ksg + corr);
  free(xy), free(x), free(y);
}

/* ------------------------------------------------------------- mixed */

/* The density of x when a fair label picks N(-m, 1) or N(m, 1): its
 * -f log f, for h(X) by quadrature. */
static double mixture_negflogf(double x, const double *m) {
  double f = 0.5 * (phi(x - m[0]) + phi(x + m[0]));
  return f > 0 ? -f * log(f) : 0;
}

Test(knn_extra, mixed_label_against_two_gaussians) {
  double m = 1;
  double truth = simpson(mixture_negflogf, &m, -12, 12, 4000) - 0.5 * log(2 * M_PI * M_E);  /* h(X) - h(X | L) */
  long n = 4000;
  double *x = malloc((size_t)n * sizeof *x), *lab = malloc((size_t)n * sizeof *lab);
  uint64_t key = ixp_rng_key(15, 0, 0);
  for (long i = 0; i < n; i++) {
    lab[i] = ixp_rng_uniform(key, (uint64_t)i) < 0.5;
    x[i] = (lab[i] ? m : -m) + ixp_rng_normal(ixp_rng_key(15, 1, 0), (uint64_t)i);
  }
  IxpKnnOptions o = {.k = 5};
  double mi;
  cr_assert_eq(ixp_mixed_cmi(x, 1, lab, 1, NULL, 0, n, &o, &mi, NULL), IXP_KNN_OK);
  cr_assert(fabs(mi - truth) < 0.03, "mixed %g vs %g (tolerance 0.03 at n = 4000)", mi, truth);
  free(x), free(lab);
}

/* Plug-in I(X; Y | Z) of whole-number columns with values 0 .. 3. */
static double plugin_cmi(const double *x, const double *y, const double *z, long n) {
  double cxyz[64] = {0}, cxz[16] = {0}, cyz[16] = {0}, cz[4] = {0}, s = 0;
  for (long i = 0; i < n; i++) {
    int a = (int)x[i], b = (int)y[i], c = z ? (int)z[i] : 0;
    cxyz[(a * 4 + b) * 4 + c]++, cxz[a * 4 + c]++, cyz[b * 4 + c]++, cz[c]++;
  }
  for (int a = 0; a < 4; a++)
    for (int b = 0; b < 4; b++)
      for (int c = 0; c < 4; c++) {
        double v = cxyz[(a * 4 + b) * 4 + c];
        if (v > 0) s += v / (double)n * log(v * cz[c] / (cxz[a * 4 + c] * cyz[b * 4 + c]));
      }
  return s;
}

Test(knn_extra, mixed_on_continuous_data_is_ksg1) {
  double L[4] = {1, 0, 0.5, sqrt(0.75)};
  long n = 1200;
  double *xy = correlated(ixp_rng_key(23, 0, 0), n, 2, L), *x = column(xy, n, 2, 0), *y = column(xy, n, 2, 1);
  IxpKnnOptions o = {.k = 4};
  double mixed, ksg;
  cr_assert_eq(ixp_mixed_cmi(x, 1, y, 1, NULL, 0, n, &o, &mixed, NULL), IXP_KNN_OK);
  cr_assert_eq(ixp_ksg_mi(x, 1, y, 1, n, &o, &ksg, NULL), IXP_KNN_OK);
  cr_assert(fabs(mixed - ksg) < 1e-12, "mixed %.17g vs ksg-1 %.17g (no atoms: the same formula)", mixed, ksg);
  free(xy), free(x), free(y);
}

Test(knn_extra, mixed_on_discrete_data_is_the_plugin) {
  long n = 5000;
  double *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y), *z = malloc((size_t)n * sizeof *z);
  uint64_t key = ixp_rng_key(16, 0, 0);
  for (long i = 0; i < n; i++) {
    z[i] = floor(3 * ixp_rng_uniform(key, 3 * (uint64_t)i));
    x[i] = fmod(z[i] + floor(2 * ixp_rng_uniform(key, 3 * (uint64_t)i + 1)), 3);
    y[i] = ixp_rng_uniform(key, 3 * (uint64_t)i + 2) < 0.7 ? x[i] : floor(3 * ixp_rng_uniform(key, 3 * (uint64_t)i + 2));
  }
  IxpKnnOptions o = {.k = 5};
  double mi, cmi;
  cr_assert_eq(ixp_mixed_cmi(x, 1, y, 1, NULL, 0, n, &o, &mi, NULL), IXP_KNN_OK);
  cr_assert_eq(ixp_mixed_cmi(x, 1, y, 1, z, 1, n, &o, &cmi, NULL), IXP_KNN_OK);
  /* per cell the estimator's term differs from the plug-in's by
   * psi(c - 1) - log c = O(1/c): about 1e-3 with cells of ~500 rows */
  double pmi = plugin_cmi(x, y, NULL, n), pcmi = plugin_cmi(x, y, z, n);
  cr_assert(fabs(mi - pmi) < 0.01, "mixed mi %g vs plug-in %g (tolerance 0.01)", mi, pmi);
  cr_assert(fabs(cmi - pcmi) < 0.01, "mixed cmi %g vs plug-in %g (tolerance 0.01)", cmi, pcmi);
  cr_assert(pmi > 0.3 && pcmi > 0.3, "the test data should be dependent (%g, %g)", pmi, pcmi);
  free(x), free(y), free(z);
}

/* --------------------------------------------------------- Rényi, Tsallis */

Test(knn_extra, renyi_of_a_gaussian) {
  /* h_q = 1/2 log((2 pi)^d det S) + d log q / (2 (q - 1)) */
  double L[4] = {2, 0, 0.5, 1};
  long n = 5000;
  double *x = correlated(ixp_rng_key(17, 0, 0), n, 2, L), logdet = 2 * log(2 * 1);
  IxpKnnOptions o = {.k = 5};
  double qs[3] = {0.7, 2, 3};
  for (int t = 0; t < 3; t++) {
    double q = qs[t], h, truth = 0.5 * (2 * log(2 * M_PI) + logdet) + 2 * log(q) / (2 * (q - 1));
    cr_assert_eq(ixp_knn_renyi(x, n, 2, &o, q, false, &h), IXP_KNN_OK);
    cr_assert(fabs(h - truth) < 0.05, "renyi q = %g: %g vs %g (tolerance 0.05)", q, h, truth);
  }
  free(x);
}

Test(knn_extra, renyi_and_tsallis_of_a_uniform) {
  long n = 5000;
  double *x = malloc((size_t)n * 2 * sizeof *x);
  ixp_rng_uniforms(ixp_rng_key(18, 0, 0), 0, x, 2 * n);
  for (long i = 0; i < 2 * n; i++) x[i] *= 2;  /* uniform on [0, 2]^2: f = 1/4, h_q = log 4 for every q */
  IxpKnnOptions o = {.k = 5};
  double h, s;
  cr_assert_eq(ixp_knn_renyi(x, n, 2, &o, 2, false, &h), IXP_KNN_OK);
  cr_assert(fabs(h - log(4)) < 0.03, "renyi %g vs log 4 (tolerance 0.03; edges bias kNN a little)", h);
  cr_assert_eq(ixp_knn_renyi(x, n, 2, &o, 2, true, &s), IXP_KNN_OK);  /* (1 - 1/4) / (2 - 1) */
  cr_assert(fabs(s - 0.75) < 0.01, "tsallis %g vs 0.75 (tolerance 0.01)", s);
  cr_assert_eq(ixp_knn_renyi(x, n, 2, &o, 6, false, &h), IXP_KNN_EINPUT);  /* q >= k + 1 */
  free(x);
}

/* ------------------------------------------------------------ divergences */

Test(knn_extra, kl_between_gaussians) {
  double I2[4] = {1, 0, 0, 1};
  long n = 4000;
  double *p = correlated(ixp_rng_key(19, 0, 0), n, 2, I2), *q = correlated(ixp_rng_key(19, 1, 0), n, 2, I2);
  double *p2 = correlated(ixp_rng_key(19, 2, 0), n, 2, I2), d, d0;
  for (long i = 0; i < n; i++) q[2 * i] += 1;  /* mean (1, 0): KL = 1/2 */
  IxpKnnOptions o = {.k = 5};
  cr_assert_eq(ixp_knn_kl(p, n, q, n, 2, &o, &d), IXP_KNN_OK);
  /* spread over seeds 0.03 at this size (8 seeds: mean 0.49 at k = 5) */
  cr_assert(fabs(d - 0.5) < 0.1, "kl %g vs 0.5 (tolerance 0.1, three standard deviations)", d);
  cr_assert_eq(ixp_knn_kl(p, n, p2, n, 2, &o, &d0), IXP_KNN_OK);
  cr_assert(fabs(d0) < 0.03, "kl of one law against itself %g (tolerance 0.03)", d0);
  free(p), free(q), free(p2);
}

/* Integrand of JS(N(0, 1), N(m, 1)): 1/2 p log(2p / (p + q)) + 1/2 q log(2q / (p + q)). */
static double js_integrand(double x, const double *m) {
  double p = phi(x), q = phi(x - m[0]), s = p + q, v = 0;
  if (p > 0) v += 0.5 * p * log(2 * p / s);
  if (q > 0) v += 0.5 * q * log(2 * q / s);
  return v;
}

Test(knn_extra, js_between_gaussians) {
  double m = 2, truth = simpson(js_integrand, &m, -14, 16, 6000), d, d0;
  long n = 4000;
  double *p = malloc((size_t)n * sizeof *p), *q = malloc((size_t)n * sizeof *q), *p2 = malloc((size_t)n * sizeof *p2);
  ixp_rng_normals(ixp_rng_key(20, 0, 0), 0, p, n);
  ixp_rng_normals(ixp_rng_key(20, 1, 0), 0, q, n);
  ixp_rng_normals(ixp_rng_key(20, 2, 0), 0, p2, n);
  for (long i = 0; i < n; i++) q[i] += m;
  IxpKnnOptions o = {.k = 5};
  cr_assert_eq(ixp_knn_js(p, n, q, n, 1, &o, &d), IXP_KNN_OK);
  cr_assert(fabs(d - truth) < 0.02, "js %g vs %g (tolerance 0.02)", d, truth);
  cr_assert_eq(ixp_knn_js(p, n, p2, n, 1, &o, &d0), IXP_KNN_OK);
  cr_assert(fabs(d0) < 0.02, "js of one law against itself %g (tolerance 0.02)", d0);
  free(p), free(q), free(p2);
}

/* --------------------------------------------------------------- kernels */

/* E_p[-log g] for p = N(0, S) and g = N(0, S + w^2 I) in d dims (S d x d). */
static double smoothed_cross_entropy(const double *S, int d, double w2) {
  double a = S[0] + w2, b = d == 2 ? S[1] : 0, c = d == 2 ? S[3] + w2 : 0;
  if (d == 1) return 0.5 * log(2 * M_PI * a) + 0.5 * S[0] / a;
  double det = a * c - b * b, tr = (c * S[0] - 2 * b * S[1] + a * S[3]) / det;  /* tr(G^-1 S) */
  return 0.5 * (2 * log(2 * M_PI) + log(det)) + 0.5 * tr;
}

Test(knn_extra, gaussian_kernel_limits) {
  /* The Gaussian kernel's density converges to p smoothed by N(0, w^2)
   * (in standard deviations): the estimates to the cross-entropies of
   * that smoothed Gaussian under p. */
  double r = 0.6, L[4] = {1, 0, r, sqrt(1 - r * r)}, w = 0.25, h, mi;
  long n = 4000;
  double *xy = correlated(ixp_rng_key(21, 0, 0), n, 2, L), *x = column(xy, n, 2, 0), *y = column(xy, n, 2, 1);
  double S1[1] = {1}, S2[4] = {1, r, r, 1};
  double hlim = smoothed_cross_entropy(S1, 1, w * w);
  double milim = 2 * hlim - smoothed_cross_entropy(S2, 2, w * w);
  cr_assert_eq(ixp_kernel_entropy(x, n, 1, IXP_KERNEL_GAUSSIAN, w, 0, &h), IXP_KNN_OK);
  cr_assert(fabs(h - hlim) < 0.03, "gaussian-kernel entropy %g vs %g (tolerance 0.03)", h, hlim);
  cr_assert_eq(ixp_kernel_mi(x, 1, y, 1, n, IXP_KERNEL_GAUSSIAN, w, 0, &mi), IXP_KNN_OK);
  cr_assert(fabs(mi - milim) < 0.03, "gaussian-kernel mi %g vs %g (tolerance 0.03)", mi, milim);
  free(xy), free(x), free(y);
}

/* -phi(x) log of the box-smoothed normal density at x. */
static double box_cross(double x, const double *w) {
  if (fabs(x) > 8) return 0;  /* phi(8) ~ 5e-15: the tail adds nothing */
  double g = (erf((x + w[0]) / sqrt(2)) - erf((x - w[0]) / sqrt(2))) / (4 * w[0]);
  return -phi(x) * log(g);
}

Test(knn_extra, box_kernel_limits) {
  double w = 0.25, truth = simpson(box_cross, &w, -10, 10, 4000), h, mi;
  long n = 4000;
  double *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y);
  ixp_rng_normals(ixp_rng_key(22, 0, 0), 0, x, n);
  ixp_rng_normals(ixp_rng_key(22, 1, 0), 0, y, n);
  cr_assert_eq(ixp_kernel_entropy(x, n, 1, IXP_KERNEL_BOX, w, 0, &h), IXP_KNN_OK);
  cr_assert(fabs(h - truth) < 0.03, "box-kernel entropy %g vs %g (tolerance 0.03)", h, truth);
  cr_assert_eq(ixp_kernel_mi(x, 1, y, 1, n, IXP_KERNEL_BOX, w, 0, &mi), IXP_KNN_OK);
  cr_assert(fabs(mi) < 0.03, "box-kernel mi of independent columns %g (tolerance 0.03)", mi);
  free(x), free(y);
}

/* ------------------------------------------------------- thread counts */

Test(knn_extra, every_estimate_is_the_same_at_any_thread_count) {
  double L[4] = {1, 0, 0.7, sqrt(0.51)};
  long n = 900;
  double *xy = correlated(ixp_rng_key(24, 0, 0), n, 2, L), *x = column(xy, n, 2, 0), *y = column(xy, n, 2, 1);
  double *z = correlated(ixp_rng_key(24, 1, 0), n, 1, L);
  for (long i = 0; i < n; i++) z[i] = floor(2 * z[i]);  /* a discrete column: atoms for mixed */
  double v[2][8];
  for (int t = 0; t < 2; t++) {
    IxpKnnOptions o = {.k = 5, .threads = t + 1};
    cr_assert_eq(ixp_knn_lnc_correction(x, 1, y, 1, n, &o, 0.5, &v[t][0], NULL), IXP_KNN_OK);
    cr_assert_eq(ixp_mixed_cmi(x, 1, z, 1, y, 1, n, &o, &v[t][1], NULL), IXP_KNN_OK);
    cr_assert_eq(ixp_knn_renyi(xy, n, 2, &o, 2, false, &v[t][2]), IXP_KNN_OK);
    cr_assert_eq(ixp_knn_kl(x, n, y, n, 1, &o, &v[t][3]), IXP_KNN_OK);
    cr_assert_eq(ixp_knn_js(x, n, y, n, 1, &o, &v[t][4]), IXP_KNN_OK);
    cr_assert_eq(ixp_kernel_entropy(xy, n, 2, IXP_KERNEL_GAUSSIAN, 0.25, t + 1, &v[t][5]), IXP_KNN_OK);
    cr_assert_eq(ixp_kernel_mi(x, 1, y, 1, n, IXP_KERNEL_BOX, 0.25, t + 1, &v[t][6]), IXP_KNN_OK);
    const double *g[3] = {x, y, z};
    int gd[3] = {1, 1, 1};
    cr_assert_eq(ixp_ksg_tc(g, gd, 3, n, &o, &v[t][7]), IXP_KNN_OK);
  }
  for (int i = 0; i < 8; i++) cr_assert(v[0][i] == v[1][i], "estimate %d: %.17g vs %.17g", i, v[0][i], v[1][i]);
  free(xy), free(x), free(y), free(z);
}
