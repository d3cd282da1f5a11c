/* estimators.c — entropy estimators from counts (plugin, Miller–Madow,
 * Grassberger, James–Stein shrinkage, Chao–Shen, NSB), counting of
 * distinct rows, and binning. Entropies in nats. */
#include "estimators.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "ksum.h"
#include "rng.h"

/* --- names and status ---------------------------------------------------- */

static const char *const est_names[] = {
    [IXP_EST_PLUGIN] = "plugin",   [IXP_EST_MILLER_MADOW] = "miller_madow", [IXP_EST_GRASSBERGER] = "grassberger",
    [IXP_EST_SHRINK] = "shrink",   [IXP_EST_CHAO_SHEN] = "chao_shen",       [IXP_EST_NSB] = "nsb",
};
#define N_EST ((int)(sizeof est_names / sizeof est_names[0]))

/* Text of a status, for error messages. */
const char *ixp_est_status_text(IxpEstStatus s) {
  switch (s) {
  case IXP_EST_OK: return "ok";
  case IXP_EST_EINPUT: return "invalid input";
  case IXP_EST_ENOMEM: return "out of memory";
  case IXP_EST_ENOCONVERGE: return "numerical integration did not converge";
  }
  return "unknown status";
}

/* The estimator named `name` (the names of ixp_est_name). */
bool ixp_est_by_name(const char *name, IxpDiscreteEstimator *out) {
  if (!name) return false;
  for (int e = 0; e < N_EST; e++)
    if (strcmp(name, est_names[e]) == 0) {
      if (out) *out = (IxpDiscreteEstimator)e;
      return true;
    }
  return false;
}

/* The name of estimator e ("unknown" if out of range). */
const char *ixp_est_name(IxpDiscreteEstimator e) {
  return (int)e >= 0 && (int)e < N_EST ? est_names[e] : "unknown";
}

/* --- special functions ------------------------------------------------------ */

/* Digamma psi(x), x > 0: the recurrence psi(x) = psi(x + 1) - 1/x up to x
 * >= 10, then the asymptotic series psi(x) ~ ln x - 1/(2x) - sum_k
 * B_2k / (2k x^2k) (Abramowitz & Stegun 6.3.5 and 6.3.18), through B_12;
 * the first omitted term is below 1e-15 at x = 10. */
static double digamma(double x) {
  double r = 0;
  while (x < 10) r -= 1 / x, x += 1;
  double f = 1 / (x * x);
  double t = f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132 - f * 691.0 / 32760)))));
  return r + log(x) - 0.5 / x - t;
}

/* Trigamma psi'(x), x > 0: psi'(x) = psi'(x + 1) + 1/x^2 up to x >= 10,
 * then psi'(x) ~ 1/x + 1/(2x^2) + sum_k B_2k / x^(2k+1) (A&S 6.4.6 and
 * 6.4.12). */
static double trigamma(double x) {
  double r = 0;
  while (x < 10) r += 1 / (x * x), x += 1;
  double f = 1 / (x * x);
  double t = f * (1.0 / 6 - f * (1.0 / 30 - f * (1.0 / 42 - f * (1.0 / 30 - f * (5.0 / 66 - f * 691.0 / 2730)))));
  return r + (1 + 0.5 / x + t) / x;
}

/* Stirling's series of ln Gamma(x) - (x - 1/2) ln x + x - ln sqrt(2 pi),
 * x >= 10 (A&S 6.1.41), through B_10; error below 1e-16 at x = 10. */
static double lgamma_tail(double x) {
  double f = 1 / (x * x);
  return (1.0 / 12 - f * (1.0 / 360 - f * (1.0 / 1260 - f * (1.0 / 1680 - f * (1.0 / 1188))))) / x;
}

/* ln Gamma(x + n) - ln Gamma(x) for x > 0, n >= 0, without the
 * cancellation of two large lgammas when x is large: for x >= 10 Stirling's
 * series gives (x - 1/2) log1p(n/x) + n ln(x + n) - n + tail(x + n) -
 * tail(x); for a small integer n, the sum of ln(x + j). */
static double lgamma_ratio(double x, double n) {
  if (n == 0) return 0;
  if (x >= 10) return (x - 0.5) * log1p(n / x) + n * log(x + n) - n + lgamma_tail(x + n) - lgamma_tail(x);
  if (n <= 16 && n == floor(n)) {
    double p = 1;
    for (double j = 0; j < n; j++) p *= x + j;
    return log(p);
  }
  return lgamma(x + n) - lgamma(x);
}

/* --- the estimators ---------------------------------------------------------- */

/* The counts in double precision with their sum and the number of nonzero
 * entries. */
typedef struct {
  const uint64_t *n;
  size_t k;        /* entries (zeros allowed: unobserved symbols) */
  size_t nonzero;  /* observed symbols */
  double total;    /* N */
  double alphabet; /* K */
} Counts;

/* Plugin (maximum likelihood): H = -sum p_i ln p_i, p_i = n_i / N (e.g.
 * Paninski 2003, sec. 1). */
static double est_plugin(const Counts *c) {
  IxpKSum h = {0, 0};
  for (size_t i = 0; i < c->k; i++)
    if (c->n[i]) {
      double p = (double)c->n[i] / c->total;
      ixp_ksum_add(&h, -p * log(p));
    }
  return ixp_ksum_value(h);
}

/* Miller–Madow (Miller 1955): plugin + (m - 1) / (2N), m the number of
 * observed (nonzero) symbols. */
static double est_miller_madow(const Counts *c) {
  return est_plugin(c) + ((double)c->nonzero - 1) / (2 * c->total);
}

/* Grassberger's G(n) = psi(n) + 1/2 (-1)^n (psi((n + 1)/2) - psi(n/2))
 * (Grassberger 2003, "Entropy estimates from insufficient samplings",
 * arXiv:physics/0307138: G(n) = psi(n) + (-1)^n int_0^1 x^(n-1)/(1+x) dx,
 * the integral in closed form). */
static double grassberger_g(double n) {
  double d = digamma((n + 1) / 2) - digamma(n / 2);
  return digamma(n) + (fmod(n, 2) == 0 ? 0.5 : -0.5) * d;
}

/* Grassberger (2003): H = ln N - (1/N) sum_i n_i G(n_i). */
static double est_grassberger(const Counts *c) {
  IxpKSum s = {0, 0};
  for (size_t i = 0; i < c->k; i++)
    if (c->n[i]) ixp_ksum_add(&s, (double)c->n[i] * grassberger_g((double)c->n[i]));
  return log(c->total) - (ixp_ksum_value(s)) / c->total;
}

/* James–Stein shrinkage (Hausser & Strimmer 2009, JMLR 10, sec. 2): theta_k =
 * lambda t_k + (1 - lambda) u_k with u_k = n_k / N, target t_k = 1/K over
 * the whole alphabet (unobserved symbols have u_k = 0), and
 *   lambda* = (1 - sum u_k^2) / ((N - 1) sum (t_k - u_k)^2),
 * clamped to [0, 1] (lambda = 1 when N = 1 or u is already uniform); H is
 * the plugin entropy of theta. */
static double est_shrink(const Counts *c) {
  double t = 1 / c->alphabet, n = c->total;
  IxpKSum su2 = {0, 0}, msp = {0, 0};
  for (size_t i = 0; i < c->k; i++) {
    double u = (double)c->n[i] / n;
    ixp_ksum_add(&su2, u * u);
    ixp_ksum_add(&msp, (t - u) * (t - u));
  }
  double unseen = c->alphabet - (double)c->k; /* symbols with no entry */
  ixp_ksum_add(&msp, unseen * t * t);
  double m = ixp_ksum_value(msp), lambda = 1;
  if (n > 1 && m > 0) lambda = fmin(1, fmax(0, (1 - (ixp_ksum_value(su2))) / ((n - 1) * m)));
  IxpKSum h = {0, 0};
  for (size_t i = 0; i < c->k; i++) {
    double th = lambda * t + (1 - lambda) * (double)c->n[i] / n;
    if (th > 0) ixp_ksum_add(&h, -th * log(th));
  }
  if (unseen > 0 && lambda > 0) ixp_ksum_add(&h, -unseen * lambda * t * log(lambda * t));
  return ixp_ksum_value(h);
}

/* Chao–Shen (Chao & Shen 2003, Environ. Ecol. Stat. 10): coverage C = 1 - f1/N (f1
 * singletons; f1 = N is replaced by N - 1 so C > 0), p_a = C n_i / N, and
 * the Horvitz–Thompson sum H = -sum p_a ln p_a / (1 - (1 - p_a)^N). */
static double est_chao_shen(const Counts *c) {
  double n = c->total, f1 = 0;
  for (size_t i = 0; i < c->k; i++) f1 += c->n[i] == 1;
  if (f1 == n) f1 = n - 1;
  double cov = 1 - f1 / n;
  IxpKSum h = {0, 0};
  for (size_t i = 0; i < c->k; i++)
    if (c->n[i]) {
      double pa = cov * (double)c->n[i] / n;
      /* 1 - (1 - pa)^N without cancellation for small pa. */
      double incl = -expm1(n * log1p(-pa));
      ixp_ksum_add(&h, -pa * log(pa) / incl);
    }
  return ixp_ksum_value(h);
}

/* --- NSB ------------------------------------------------------------------------ */

/* Counts grouped by value: value v[j] occurs m[j] times among the K
 * symbols (value 0 for unobserved symbols), so sums over symbols cost one
 * term per distinct count. */
typedef struct {
  double *v, *m;
  size_t nv;
  double n, k; /* N, K */
} NsbModel;

/* qsort order of uint64 values. */
static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* Groups the counts by value (sorted), adding the K - k symbols without
 * an entry to value 0. */
static IxpEstStatus nsb_model(const Counts *c, NsbModel *md) {
  uint64_t *s = malloc(sizeof(uint64_t) * (c->k ? c->k : 1));
  md->v = malloc(sizeof(double) * (c->k + 1));
  md->m = malloc(sizeof(double) * (c->k + 1));
  if (!s || !md->v || !md->m) {
    free(s);
    return IXP_EST_ENOMEM;
  }
  memcpy(s, c->n, sizeof(uint64_t) * c->k);
  qsort(s, c->k, sizeof(uint64_t), cmp_u64);
  md->nv = 0;
  for (size_t i = 0; i < c->k; i++) {
    if (md->nv && md->v[md->nv - 1] == (double)s[i]) md->m[md->nv - 1] += 1;
    else md->v[md->nv] = (double)s[i], md->m[md->nv++] = 1;
  }
  double unseen = c->alphabet - (double)c->k;
  if (unseen > 0) {
    if (md->nv && md->v[0] == 0) md->m[0] += unseen;
    else {
      memmove(md->v + 1, md->v, sizeof(double) * md->nv);
      memmove(md->m + 1, md->m, sizeof(double) * md->nv);
      md->v[0] = 0, md->m[0] = unseen, md->nv++;
    }
  }
  md->n = c->total, md->k = c->alphabet;
  free(s);
  return IXP_EST_OK;
}

/* Prior expected entropy under Dirichlet(beta) on K symbols (Nemenman,
 * Shafee & Bialek 2002): xi(beta) = psi(K beta + 1) - psi(beta + 1), and
 * its derivative K psi'(K beta + 1) - psi'(beta + 1) (the NSB prior
 * density over beta, uniform in xi). */
static double nsb_xi(const NsbModel *md, double beta) { return digamma(md->k * beta + 1) - digamma(beta + 1); }
static double nsb_dxi(const NsbModel *md, double beta) {
  return md->k * trigamma(md->k * beta + 1) - trigamma(beta + 1);
}

#define NSB_LOGB_MIN (-200.0)
#define NSB_LOGB_MAX 200.0

/* beta with xi(beta) = x, 0 < x < ln K: safeguarded Newton in u = ln beta
 * (xi is increasing), bisection when a step leaves the bracket. */
static double nsb_beta(const NsbModel *md, double x) {
  double lo = NSB_LOGB_MIN, hi = NSB_LOGB_MAX, u = 0;
  for (int it = 0; it < 200; it++) {
    double b = exp(u), f = nsb_xi(md, b) - x;
    if (f < 0) lo = u;
    else hi = u;
    double step = f / (b * nsb_dxi(md, b)), next = u - step;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (fabs(next - u) <= 1e-15 * fmax(1, fabs(u)) || hi - lo <= 1e-15 * fmax(1, fabs(u))) return exp(next);
    u = next;
  }
  return exp(u);
}

/* ln of the Dirichlet-multinomial evidence rho(n | beta) (NSB 2002):
 * ln Gamma(K beta) - ln Gamma(N + K beta) + sum_i [ln Gamma(n_i + beta) -
 * ln Gamma(beta)]. */
static double nsb_loglik(const NsbModel *md, double beta) {
  double s = -lgamma_ratio(md->k * beta, md->n);
  for (size_t j = 0; j < md->nv; j++)
    if (md->v[j] > 0) s += md->m[j] * lgamma_ratio(beta, md->v[j]);
  return s;
}

/* Posterior mean entropy for a fixed beta (Wolpert & Wolf 1995; NSB
 * 2002): psi(A + 1) - sum_i (n_i + beta)/A psi(n_i + beta + 1), A = N + K
 * beta, the sum over all K symbols. */
static double nsb_entropy_beta(const NsbModel *md, double beta) {
  double a = md->n + md->k * beta;
  IxpKSum s = {digamma(a + 1), 0};
  for (size_t j = 0; j < md->nv; j++)
    ixp_ksum_add(&s, -md->m[j] * (md->v[j] + beta) / a * digamma(md->v[j] + beta + 1));
  return ixp_ksum_value(s);
}

/* The log posterior over xi (the NSB prior is uniform in xi, so it is the
 * log evidence at beta(xi)), with the entropy at that beta. */
static double nsb_logpost(const NsbModel *md, double x, double *h) {
  double b = nsb_beta(md, x);
  if (h) *h = nsb_entropy_beta(md, b);
  return nsb_loglik(md, b);
}

/* A point between a (g(a) >= level) and b (g(b) < level) where the log
 * posterior crosses level, by bisection. */
static double nsb_cross(const NsbModel *md, double a, double b, double level) {
  for (int it = 0; it < 60 && fabs(b - a) > 1e-14 * fmax(fabs(a), fabs(b)); it++) {
    double m = 0.5 * (a + b);
    if (nsb_logpost(md, m, NULL) >= level) a = m;
    else b = m;
  }
  return 0.5 * (a + b);
}

/* Gauss–Kronrod 7/15 nodes and weights on [-1, 1] (Piessens et al.,
 * QUADPACK, qk15): nodes xgk (the odd ones are the Gauss points). */
static const double gk_x[8] = {0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
                               0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
                               0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
                               0.207784955007898467600689403773245, 0.000000000000000000000000000000000};
static const double gk_wk[8] = {0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
                                0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
                                0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
                                0.204432940075298892414161999234649, 0.209482141084727828012999174891714};
static const double gk_wg[4] = {0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
                                0.381830050505118944950369775488975, 0.417959183673469387755102040816327};

/* One interval of the adaptive quadrature: integrals of w = exp(g - gmax)
 * and of w (H - h0), with their Gauss-vs-Kronrod error estimates. */
typedef struct {
  double a, b, iw, iwh, ew, ewh;
} GkInterval;

/* GK15 on [a, b] of w and w (H - h0) (Piessens et al. 1983, QUADPACK
 * qk15). */
static void nsb_gk15(const NsbModel *md, double gmax, double h0, GkInterval *iv) {
  double c = 0.5 * (iv->a + iv->b), hw = 0.5 * (iv->b - iv->a);
  double kw = 0, kwh = 0, gw = 0, gwh = 0;
  for (int j = 0; j < 15; j++) {
    int idx = j < 8 ? j : 14 - j;
    double x = c + (j < 8 ? -1 : 1) * hw * gk_x[idx], h;
    if (j == 7) x = c;
    double w = exp(nsb_logpost(md, x, &h) - gmax);
    h -= h0;
    kw += gk_wk[idx] * w, kwh += gk_wk[idx] * w * h;
    if (idx % 2 == 1) gw += gk_wg[idx / 2] * w, gwh += gk_wg[idx / 2] * w * h; /* Gauss nodes, centre 7 */
  }
  iv->iw = kw * hw, iv->iwh = kwh * hw;
  iv->ew = fabs(kw - gw) * hw, iv->ewh = fabs(kwh - gwh) * hw;
}

#define NSB_GRID 64
#define NSB_MAX_INTERVALS 400
#define NSB_TOL 1e-10

/* Adaptive GK15 over the breakpoints pts[0..np): bisects the interval of
 * largest error until the error of the posterior mean h0 + I(w (H - h0)) /
 * I(w), bounded by (err(w (H - h0)) + |I(w (H - h0))| / I(w) err(w)) /
 * I(w), is below NSB_TOL nats. Centring H on h0 (its value at the
 * posterior maximum) keeps rounding noise in w, which moves numerator and
 * denominator together, out of the error of the mean. */
static IxpEstStatus nsb_integrate(const NsbModel *md, double gmax, double h0, const double *pts, int np,
                                  double *out) {
  GkInterval *iv = malloc(sizeof(GkInterval) * NSB_MAX_INTERVALS);
  if (!iv) return IXP_EST_ENOMEM;
  int n = 0;
  for (int i = 0; i + 1 < np; i++)
    if (pts[i + 1] > pts[i]) {
      iv[n] = (GkInterval){.a = pts[i], .b = pts[i + 1]};
      nsb_gk15(md, gmax, h0, &iv[n++]);
    }
  IxpEstStatus st = IXP_EST_ENOCONVERGE;
  for (;;) {
    IxpKSum iw = {0, 0}, iwh = {0, 0};
    double ew = 0, ewh = 0;
    int worst = 0;
    for (int i = 0; i < n; i++) {
      ixp_ksum_add(&iw, iv[i].iw), ixp_ksum_add(&iwh, iv[i].iwh);
      ew += iv[i].ew, ewh += iv[i].ewh;
      if (iv[i].ew + iv[i].ewh > iv[worst].ew + iv[worst].ewh) worst = i;
    }
    double zw = ixp_ksum_value(iw), zwh = ixp_ksum_value(iwh);
    if (!(zw > 0) || !isfinite(zw) || !isfinite(zwh)) break;
    double mean = zwh / zw, err = (ewh + fabs(mean) * ew) / zw;
    if (err <= NSB_TOL) {
      *out = h0 + mean;
      st = IXP_EST_OK;
      break;
    }
    if (n == NSB_MAX_INTERVALS || iv[worst].b - iv[worst].a <= 4 * DBL_EPSILON * fmax(1, fabs(iv[worst].a))) break;
    GkInterval right = {.a = 0.5 * (iv[worst].a + iv[worst].b), .b = iv[worst].b};
    iv[worst].b = right.a;
    nsb_gk15(md, gmax, h0, &iv[worst]);
    nsb_gk15(md, gmax, h0, &right);
    iv[n++] = right;
  }
  free(iv);
  return st;
}

/* The log posterior on a grid of NSB_GRID cells over (0, ln K), and its
 * maximum: the best grid point refined by golden section (Kiefer 1953;
 * Numerical Recipes sec. 10.2) on its two neighbouring cells. */
typedef struct {
  double lnk, xs[NSB_GRID + 1], gs[NSB_GRID + 1], xstar, gmax;
  int best;
} NsbScan;

static bool nsb_scan(const NsbModel *md, NsbScan *sc) {
  sc->best = 1;
  sc->xs[0] = 0, sc->xs[NSB_GRID] = sc->lnk;
  for (int j = 1; j < NSB_GRID; j++) {
    sc->xs[j] = sc->lnk * j / NSB_GRID;
    sc->gs[j] = nsb_logpost(md, sc->xs[j], NULL);
    if (!isfinite(sc->gs[j])) return false;
    if (sc->gs[j] > sc->gs[sc->best]) sc->best = j;
  }
  double a = fmax(sc->xs[sc->best - 1], sc->lnk * 1e-12), b = fmin(sc->xs[sc->best + 1], sc->lnk * (1 - 1e-12));
  double r = 0.5 * (sqrt(5.0) - 1), x1 = b - r * (b - a), x2 = a + r * (b - a);
  double g1 = nsb_logpost(md, x1, NULL), g2 = nsb_logpost(md, x2, NULL);
  for (int it = 0; it < 80 && b - a > 1e-13 * sc->lnk; it++) {
    if (g1 >= g2) b = x2, x2 = x1, g2 = g1, x1 = b - r * (b - a), g1 = nsb_logpost(md, x1, NULL);
    else a = x1, x1 = x2, g1 = g2, x2 = a + r * (b - a), g2 = nsb_logpost(md, x2, NULL);
  }
  sc->xstar = g1 >= g2 ? x1 : x2, sc->gmax = fmax(g1, g2);
  if (sc->gs[sc->best] > sc->gmax) sc->xstar = sc->xs[sc->best], sc->gmax = sc->gs[sc->best];
  return isfinite(sc->gmax);
}

/* Breakpoints for the quadrature: the support where the log posterior is
 * within 40 of its maximum (from the outermost such grid points to the
 * crossings beyond them; the rest weighs < e^-40 relative), split at the
 * maximum and where it is 1 below it. */
static void nsb_breakpoints(const NsbModel *md, const NsbScan *sc, double pts[5]) {
  int lo = sc->best, hi = sc->best;
  for (int j = 1; j < NSB_GRID; j++)
    if (sc->gs[j] >= sc->gmax - 40) {
      if (j < lo) lo = j;
      if (j > hi) hi = j;
    }
  double g40 = sc->gmax - 40, g1 = sc->gmax - 1, x = sc->xstar, eps = 1e-9 * sc->lnk;
  double left = lo == 1 ? 0 : nsb_cross(md, sc->xs[lo], sc->xs[lo - 1], g40);
  double right = hi == NSB_GRID - 1 ? sc->lnk : nsb_cross(md, sc->xs[hi], sc->xs[hi + 1], g40);
  pts[0] = left, pts[2] = x, pts[4] = right;
  pts[1] = x - left > eps ? nsb_cross(md, x, left, g1) : left;
  pts[3] = right - x > eps ? nsb_cross(md, x, right, g1) : right;
}

/* Nemenman, Shafee & Bialek (2002, "Entropy and inference, revisited"):
 * the posterior mean of H under the prior uniform in xi = E[H | beta] (a
 * mixture of Dirichlet priors),
 *   H_NSB = int dxi rho(n | beta(xi)) <H>_beta / int dxi rho(n | beta(xi))
 * over xi in (0, ln K), integrated by adaptive Gauss–Kronrod on
 * exp(g - gmax), g the log evidence (so the weights neither overflow nor
 * all underflow). ENOCONVERGE when the log evidence is not finite or the
 * quadrature does not reach its tolerance (an ill-conditioned integral). */
static IxpEstStatus est_nsb(const Counts *c, double *out) {
  if (c->alphabet <= 1) {
    *out = 0;
    return IXP_EST_OK;
  }
  NsbModel md = {0};
  NsbScan sc = {.lnk = log(c->alphabet)};
  IxpEstStatus st = nsb_model(c, &md);
  if (st == IXP_EST_OK && !nsb_scan(&md, &sc)) st = IXP_EST_ENOCONVERGE;
  if (st == IXP_EST_OK) {
    double pts[5], h0;
    nsb_breakpoints(&md, &sc, pts);
    nsb_logpost(&md, sc.xstar, &h0);
    st = nsb_integrate(&md, sc.gmax, h0, pts, 5, out);
  }
  free(md.v);
  free(md.m);
  return st;
}

/* --- dispatch ----------------------------------------------------------------- */

/* Entropy of the counts by estimator e (each documented above). */
IxpEstStatus ixp_entropy_from_counts(IxpDiscreteEstimator e, const uint64_t *counts, size_t k, size_t alphabet,
                                     double *out) {
  if (!out || (int)e < 0 || (int)e >= N_EST || k == 0 || !counts || (alphabet && alphabet < k))
    return IXP_EST_EINPUT;
  Counts c = {.n = counts, .k = k, .alphabet = (double)(alphabet ? alphabet : k)};
  uint64_t total = 0;
  for (size_t i = 0; i < k; i++) {
    if (counts[i] > UINT64_MAX - total) return IXP_EST_EINPUT;
    total += counts[i];
    c.nonzero += counts[i] > 0;
  }
  if (total == 0) return IXP_EST_EINPUT;
  c.total = (double)total;
  switch (e) {
  case IXP_EST_PLUGIN: *out = est_plugin(&c); return IXP_EST_OK;
  case IXP_EST_MILLER_MADOW: *out = est_miller_madow(&c); return IXP_EST_OK;
  case IXP_EST_GRASSBERGER: *out = est_grassberger(&c); return IXP_EST_OK;
  case IXP_EST_SHRINK: *out = est_shrink(&c); return IXP_EST_OK;
  case IXP_EST_CHAO_SHEN: *out = est_chao_shen(&c); return IXP_EST_OK;
  case IXP_EST_NSB: return est_nsb(&c, out);
  }
  return IXP_EST_EINPUT;
}

/* --- counting distinct rows -------------------------------------------------- */

/* Rows are counted a chunk at a time. While the codes seen so far fit a
 * small dense table (each column's codes packed into the bits it needs),
 * a row's count is a direct increment; once they do not, the table is
 * turned into an open-addressing hash table keyed by the row tuple. Small
 * dense tables are kept in 4 interleaved copies (row r counts in copy r
 * mod 4) so runs of equal rows do not serialise on one counter. The
 * loops over a full chunk have a constant trip count, so they vectorise
 * at -O2. */
#define ROW_CHUNK 2048
#define DENSE_MAX_BITS 20
#define DENSE_COPY_BITS 10 /* 4 copies up to 2^10 cells */

typedef struct {
  int d;
  const uint32_t *const *codes;
  /* dense table: copies x 2^dense_bits cells */
  bool dense;
  int dense_bits, copies, *bits, *shift;
  uint64_t *cell;
  /* hash table: slot[s] = id + 1 (0: empty); per id its hash, key, count */
  size_t nslot, nid, idcap;
  size_t *slot;
  uint64_t *hash, *cnt;
  uint32_t *key;
  /* per-chunk scratch */
  uint64_t *h;
  uint32_t *idx;
} RowCounter;

/* Bits needed for v (0 for 0). */
static int bit_width(uint64_t v) { return v ? 64 - __builtin_clzll(v) : 0; }

/* The per-column step of the row hash (multiply-rotate, as in the 64-bit
 * xxHash round); rows are finalised with ixp_mix64. */
static inline uint64_t row_step(uint64_t h, uint32_t v) {
  h ^= (uint64_t)v * UINT64_C(0x9E3779B97F4A7C15);
  h = (h << 31) | (h >> 33);
  return h * UINT64_C(0xC2B2AE3D27D4EB4F);
}
#define ROW_SEED UINT64_C(0x27D4EB2F165667C5)

/* Room for one more id; doubles the slot array (rehashing from the stored
 * hashes) to keep the load below 1/2. */
static bool rc_reserve(RowCounter *rc) {
  size_t hcap = rc->idcap, ccap = rc->idcap;  /* the three arrays share idcap */
  if (!ixp_grow_size(&rc->hash, &hcap, rc->nid + 1, sizeof *rc->hash) ||
      !ixp_grow_size(&rc->cnt, &ccap, rc->nid + 1, sizeof *rc->cnt) ||
      !ixp_grow_size(&rc->key, &rc->idcap, rc->nid + 1, sizeof *rc->key * (size_t)rc->d))
    return false;
  if (2 * (rc->nid + 1) > rc->nslot) {
    size_t ns = rc->nslot ? 2 * rc->nslot : 2048, mask = ns - 1;
    size_t *s = calloc(ns, sizeof(size_t));
    if (!s) return false;
    for (size_t id = 0; id < rc->nid; id++) {
      size_t p = rc->hash[id] & mask;
      while (s[p]) p = (p + 1) & mask;
      s[p] = id + 1;
    }
    free(rc->slot);
    rc->slot = s, rc->nslot = ns;
  }
  return true;
}

/* Adds `count` to the row whose key is key[0..d) and hash h (linear
 * probing); false when out of memory. */
static bool rc_add(RowCounter *rc, const uint32_t *key, uint64_t h, uint64_t count) {
  size_t mask = rc->nslot - 1, p = h & mask;
  for (size_t s; (s = rc->slot[p]); p = (p + 1) & mask)
    if (rc->hash[s - 1] == h && memcmp(rc->key + (s - 1) * (size_t)rc->d, key, sizeof(uint32_t) * (size_t)rc->d) == 0) {
      rc->cnt[s - 1] += count;
      return true;
    }
  if (!rc_reserve(rc)) return false;
  mask = rc->nslot - 1;
  for (p = h & mask; rc->slot[p]; p = (p + 1) & mask) {}
  size_t id = rc->nid++;
  rc->slot[p] = id + 1;
  rc->hash[id] = h, rc->cnt[id] = count;
  memcpy(rc->key + id * (size_t)rc->d, key, sizeof(uint32_t) * (size_t)rc->d);
  return true;
}

/* Cells of the dense table, and its copies summed into copy 0. */
static size_t rc_ncell(const RowCounter *rc) { return rc->cell ? (size_t)1 << rc->dense_bits : 0; }

static void rc_fold(RowCounter *rc) {
  size_t nc = rc_ncell(rc);
  for (int j = 1; j < rc->copies; j++)
    for (size_t i = 0; i < nc; i++) rc->cell[i] += rc->cell[(size_t)j * nc + i], rc->cell[(size_t)j * nc + i] = 0;
}

/* The key of dense cell `cell` under the current layout. */
static void rc_decode(const RowCounter *rc, size_t cell, uint32_t *key) {
  for (int c = 0; c < rc->d; c++) key[c] = (uint32_t)((cell >> rc->shift[c]) & ((UINT64_C(1) << rc->bits[c]) - 1));
}

/* Moves the dense counts to the hash table (for good). */
static bool rc_dense_to_hash(RowCounter *rc) {
  uint32_t key[rc->d];
  size_t nc = rc_ncell(rc);
  rc_fold(rc);
  rc->dense = false;
  if (!rc_reserve(rc)) return false;
  for (size_t i = 0; i < nc; i++)
    if (rc->cell[i]) {
      rc_decode(rc, i, key);
      uint64_t h = ROW_SEED;
      for (int c = 0; c < rc->d; c++) h = row_step(h, key[c]);
      if (!rc_add(rc, key, ixp_mix64(h), rc->cell[i])) return false;
    }
  free(rc->cell);
  rc->cell = NULL;
  return true;
}

/* Widens the dense layout to newbits[c] bits per column, moving the
 * counts; false when out of memory. */
static bool rc_relayout(RowCounter *rc, const int *newbits, int total) {
  int copies = total <= DENSE_COPY_BITS ? 4 : 1;
  uint64_t *cell = calloc((size_t)copies << total, sizeof(uint64_t));
  if (!cell) return false;
  int newshift[rc->d], s = 0;
  for (int c = 0; c < rc->d; c++) newshift[c] = s, s += newbits[c];
  uint32_t key[rc->d];
  size_t nc = rc_ncell(rc);
  rc_fold(rc);
  for (size_t i = 0; i < nc; i++)
    if (rc->cell[i]) {
      rc_decode(rc, i, key);
      size_t j = 0;
      for (int c = 0; c < rc->d; c++) j |= (size_t)key[c] << newshift[c];
      cell[j] = rc->cell[i];
    }
  free(rc->cell);
  rc->cell = cell, rc->dense_bits = total, rc->copies = copies;
  for (int c = 0; c < rc->d; c++) rc->bits[c] = newbits[c], rc->shift[c] = newshift[c];
  return true;
}

/* First column of the cell indices: idx[r] = code | copy of r; returns
 * the bitwise or of the codes. Separate functions with restrict
 * parameters and a constant-count branch for full chunks, so the loops
 * vectorise at -O2. */
static uint32_t index_first(uint32_t *restrict idx, const uint32_t *restrict cc, uint32_t m, uint32_t copy_mask,
                            uint32_t copy_shift) {
  uint32_t o = 0;
  if (m == ROW_CHUNK)
    for (uint32_t r = 0; r < ROW_CHUNK; r++) idx[r] = cc[r] | (r & copy_mask) << copy_shift, o |= cc[r];
  else
    for (uint32_t r = 0; r < m; r++) idx[r] = cc[r] | (r & copy_mask) << copy_shift, o |= cc[r];
  return o;
}

/* A further column: idx[r] |= code << sh; returns the or of the codes. */
static uint32_t index_next(uint32_t *restrict idx, const uint32_t *restrict cc, uint32_t m, uint32_t sh) {
  uint32_t o = 0;
  if (m == ROW_CHUNK)
    for (uint32_t r = 0; r < ROW_CHUNK; r++) idx[r] |= cc[r] << sh, o |= cc[r];
  else
    for (uint32_t r = 0; r < m; r++) idx[r] |= cc[r] << sh, o |= cc[r];
  return o;
}

/* Cell indices of rows i0 .. i0 + m, built column by column; ors[c] gets
 * the bitwise or of column c's codes (its bit width is that of the max).
 * Codes wider than their column's bits give wrong indices, which the
 * caller discards after widening the layout. */
static void rc_dense_index(RowCounter *rc, size_t i0, size_t m, uint32_t *ors) {
  ors[0] = index_first(rc->idx, rc->codes[0] + i0, (uint32_t)m, (uint32_t)rc->copies - 1, (uint32_t)rc->dense_bits);
  for (int c = 1; c < rc->d; c++) ors[c] = index_next(rc->idx, rc->codes[c] + i0, (uint32_t)m, (uint32_t)rc->shift[c]);
}

/* Counts rows i0 .. i0 + m in the dense table, widening it first when a
 * code needs more bits than its column has (or moving to the hash table
 * past `cap_bits`); false when out of memory. */
static bool rc_dense_chunk(RowCounter *rc, size_t i0, size_t m, int cap_bits) {
  uint32_t ors[rc->d];
  int newbits[rc->d], total = 0;
  bool grow = rc->cell == NULL;
  rc_dense_index(rc, i0, m, ors);
  for (int c = 0; c < rc->d; c++) {
    int w = bit_width(ors[c]);
    newbits[c] = w > rc->bits[c] ? w : rc->bits[c];
    grow |= newbits[c] != rc->bits[c];
    total += newbits[c];
  }
  if (grow) {
    if (total > cap_bits) return rc_dense_to_hash(rc);
    if (!rc_relayout(rc, newbits, total)) return false;
    rc_dense_index(rc, i0, m, ors);
  }
  uint64_t *cell = rc->cell;
  const uint32_t *idx = rc->idx;
  for (size_t r = 0; r < m; r++) cell[idx[r]]++;
  return true;
}

/* Counts rows i0 .. i0 + m into the hash table. */
static bool rc_hash_chunk(RowCounter *rc, size_t i0, size_t m) {
  uint64_t *h = rc->h;
  for (size_t r = 0; r < m; r++) h[r] = ROW_SEED;
  for (int c = 0; c < rc->d; c++) {
    const uint32_t *cc = rc->codes[c] + i0;
    for (size_t r = 0; r < m; r++) h[r] = row_step(h[r], cc[r]);
  }
  uint32_t key[rc->d];
  for (size_t r = 0; r < m; r++) {
    for (int c = 0; c < rc->d; c++) key[c] = rc->codes[c][i0 + r];
    if (!rc_add(rc, key, ixp_mix64(h[r]), 1)) return false;
  }
  return true;
}

/* Frees the counter's buffers. */
static void rc_free(RowCounter *rc) {
  free(rc->bits), free(rc->shift), free(rc->cell), free(rc->slot);
  free(rc->hash), free(rc->cnt), free(rc->key), free(rc->h), free(rc->idx);
}

/* Counts of the distinct rows (a hash of the code tuple, Knuth TAOCP vol.
 * 3, sec. 6.4, algorithm L, linear probing), with a dense direct-address
 * table while the codes are small (at most 2^20 cells, and about 2n). */
IxpEstStatus ixp_count_rows(const uint32_t *const *codes, int d, size_t n, uint64_t **counts, size_t *k) {
  if (!counts || !k || d < 1 || d > 1024 || (n > 0 && !codes)) return IXP_EST_EINPUT;
  *counts = NULL, *k = 0;
  for (int c = 0; n > 0 && c < d; c++)
    if (!codes[c]) return IXP_EST_EINPUT;
  if (n == 0) return IXP_EST_OK;
  RowCounter rc = {.d = d, .codes = codes, .dense = true, .copies = 1};
  rc.bits = calloc((size_t)d, sizeof(int));
  rc.shift = calloc((size_t)d, sizeof(int));
  rc.h = malloc(sizeof(uint64_t) * ROW_CHUNK);
  rc.idx = malloc(sizeof(uint32_t) * ROW_CHUNK);
  IxpEstStatus st = IXP_EST_ENOMEM;
  if (!rc.bits || !rc.shift || !rc.h || !rc.idx) goto done;
  int cap_bits = bit_width(n) + 1;
  cap_bits = cap_bits < 12 ? 12 : cap_bits > DENSE_MAX_BITS ? DENSE_MAX_BITS : cap_bits;
  for (size_t i0 = 0; i0 < n; i0 += ROW_CHUNK) {
    size_t m = n - i0 < ROW_CHUNK ? n - i0 : ROW_CHUNK;
    if (rc.dense && !rc_dense_chunk(&rc, i0, m, cap_bits)) goto done;
    if (!rc.dense && !rc_hash_chunk(&rc, i0, m)) goto done; /* also the chunk that left the dense table */
  }
  if (rc.dense) {
    size_t nc = rc_ncell(&rc), nz = 0;
    rc_fold(&rc);
    for (size_t i = 0; i < nc; i++) nz += rc.cell[i] != 0;
    uint64_t *out = malloc(sizeof(uint64_t) * (nz ? nz : 1));
    if (!out) goto done;
    for (size_t i = 0, j = 0; i < nc; i++)
      if (rc.cell[i]) out[j++] = rc.cell[i];
    *counts = out, *k = nz;
  } else {
    uint64_t *out = realloc(rc.cnt, sizeof(uint64_t) * rc.nid);
    if (!out) goto done;
    rc.cnt = NULL;
    *counts = out, *k = rc.nid;
  }
  st = IXP_EST_OK;
done:
  rc_free(&rc);
  return st;
}

/* --- binning -------------------------------------------------------------------- */

/* Equal-width bins over [min, max]: code = floor((x - min) / (max - min)
 * bins), the max in the last bin; a constant column is all bin 0. The
 * range is halved first when max - min overflows. */
static void bin_equal_width(const double *x, size_t n, int bins, uint32_t *codes) {
  double lo = x[0], hi = x[0];
  for (size_t i = 1; i < n; i++) lo = fmin(lo, x[i]), hi = fmax(hi, x[i]);
  double scale = 1, range = hi - lo;
  if (!isfinite(range)) scale = 0.5, range = 0.5 * hi - 0.5 * lo;
  for (size_t i = 0; i < n; i++) {
    double t = range > 0 ? (scale * x[i] - scale * lo) / range * bins : 0;
    uint32_t b = t <= 0 ? 0 : t >= bins ? (uint32_t)bins - 1 : (uint32_t)t;
    codes[i] = b < (uint32_t)bins ? b : (uint32_t)bins - 1;
  }
}

typedef struct {
  double v;
  size_t i;
} Ranked;

/* Sort by value, ties by position (a stable, deterministic order). */
static int cmp_ranked(const void *a, const void *b) {
  const Ranked *x = a, *y = b;
  if (x->v != y->v) return x->v < y->v ? -1 : 1;
  return (x->i > y->i) - (x->i < y->i);
}

/* Quantile bins: with the values sorted, a group of tied values occupying
 * ranks first..last takes the bin of its mid-rank, floor((first + last +
 * 1) / 2 * bins / n) (ranks r -> floor((r + 1/2) bins / n) without ties,
 * bins of equal counts up to one), so ties always share a bin; a
 * constant column is all bin 0. */
static IxpEstStatus bin_quantile(const double *x, size_t n, int bins, uint32_t *codes) {
  Ranked *r = malloc(sizeof(Ranked) * n);
  if (!r) return IXP_EST_ENOMEM;
  for (size_t i = 0; i < n; i++) r[i] = (Ranked){x[i], i};
  qsort(r, n, sizeof(Ranked), cmp_ranked);
  bool constant = r[0].v == r[n - 1].v;
  for (size_t first = 0, last; first < n; first = last + 1) {
    for (last = first; last + 1 < n && r[last + 1].v == r[first].v; last++) {}
    unsigned __int128 twice_mid = (unsigned __int128)first + last + 1;
    uint32_t b = constant ? 0 : (uint32_t)(twice_mid * (unsigned)bins / ((unsigned __int128)2 * n));
    for (size_t j = first; j <= last; j++) codes[r[j].i] = b;
  }
  free(r);
  return IXP_EST_OK;
}

/* Binning of n finite values (documented at each method). */
IxpEstStatus ixp_bin(const double *x, size_t n, int bins, IxpBinning how, uint32_t *codes) {
  if (bins < 1 || (n > 0 && (!x || !codes)) || (how != IXP_BIN_EQUAL_WIDTH && how != IXP_BIN_QUANTILE))
    return IXP_EST_EINPUT;
  for (size_t i = 0; i < n; i++)
    if (!isfinite(x[i])) return IXP_EST_EINPUT;
  if (n == 0) return IXP_EST_OK;
  if (how == IXP_BIN_EQUAL_WIDTH) {
    bin_equal_width(x, n, bins, codes);
    return IXP_EST_OK;
  }
  return bin_quantile(x, n, bins, codes);
}
