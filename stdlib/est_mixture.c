/* est_mixture.c — `using mixture(...)` for mi(X; Y) and mi(X; Y | Z).
 *
 * The joint of the measure's columns (on normal scores with copula = 1:
 * MI is invariant under monotone maps of each column) gets a Gaussian
 * mixture by EM (backends/blis/mixture.h), K fixed or chosen by BIC or
 * held-out likelihood. The MI of the fitted mixture has no closed form;
 * it is the mean of the pointwise MI log p(xyz) p(z) / (p(xz) p(yz)) over
 * M rows drawn from the mixture, every marginal the mixture of the
 * components' marginals.
 *
 * Standard error. The Monte Carlo error alone (sd / sqrt(M)) says how far
 * the number is from the fitted mixture's MI, not from the data's: with
 * M = 1e5 it is ten times smaller than the error of the fit at N = 5000.
 * The error of a plug-in MI estimate is, to first order, the spread of
 * its influence function, the pointwise MI at the data's rows:
 * Var(i(x_r; y_r | z_r)) / N (for a Gaussian pair this is rho^2 / N, the
 * delta-method variance of -1/2 log(1 - rho^2)). The estimator reports
 * sqrt(that + mc^2); it does not cover the bias of a misfitted mixture. */
#include "est_mixture.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "copula.h"
#include "ksum.h"
#include "rng.h"
#include "runtime.h"

enum { KEY_FIT = 1, KEY_DRAWS = 2 };
#define MIXTURE_STREAM UINT64_C(0x6d6978747572)

void ixp_mixture_defaults(void *opts) {
  *(IxpMixtureOptions *)opts =
      (IxpMixtureOptions){.components = 0, .kmax = 8, .samples = 100000, .restarts = 3, .copula = false, .heldout = false};
}

static bool named(const IxpAst *v, const char *word) { return v && v->kind == AST_NAME && !strcmp(v->str, word); }

static bool mixture_option(IxpLowering *lw, IxpAst *item, void *opts) {
  IxpMixtureOptions *o = opts;
  const char *name = item->str ? item->str : "";
  int flag = 0;
  bool ok;
  if (!strcmp(name, "components")) {
    if (named(item->a, "auto")) return o->components = 0, true;
    ok = ixp_estimator_int_option(lw, item, 1, 64, &o->components);
  } else if (!strcmp(name, "kmax")) ok = ixp_estimator_int_option(lw, item, 1, 64, &o->kmax);
  else if (!strcmp(name, "samples")) ok = ixp_estimator_int_option(lw, item, 100, 100000000, &o->samples);
  else if (!strcmp(name, "restarts")) ok = ixp_estimator_int_option(lw, item, 1, 100, &o->restarts);
  else if (!strcmp(name, "copula")) ok = ixp_estimator_int_option(lw, item, 0, 1, &flag), o->copula = flag;
  else if (!strcmp(name, "select")) {
    if (named(item->a, "bic")) return o->heldout = false, true;
    if (named(item->a, "heldout")) return o->heldout = true, true;
    return ixp_lower_error(lw, item->a->span, "select is bic or heldout");
  } else
    return ixp_lower_error(lw, item->span, "mixture options: components = auto | K, kmax = 8, samples = 100000, "
                                           "restarts = 3, copula = 0 | 1, select = bic | heldout");
  return ok;
}

double *ixp_mixture_joint(const IxpEstimateCall *c, const IxpSamples *x, bool copula, int *D) {
  int d = 0;
  for (int g = 0; g < x->ngroups; g++) d += x->d[g];
  long n = x->n;
  double *joint = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1) * (size_t)d);
  if (!joint) ixp_plan_error(c->s, c->op->plan, "out of memory for the mixture's %ld x %d rows", n, d);
  for (long r = 0; r < n; r++)
    for (int g = 0, at = 0; g < x->ngroups; at += x->d[g], g++)
      memcpy(joint + r * d + at, x->g[g] + r * x->d[g], sizeof(double) * (size_t)x->d[g]);
  if (copula) {
    double *scores = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1) * (size_t)d);
    bool ok = scores && ixp_normal_scores(joint, n, d, scores);
    free(joint);
    if (!ok) {
      free(scores);
      ixp_plan_error(c->s, c->op->plan, "out of memory for the normal scores of %ld x %d rows", n, d);
    }
    joint = scores;
  }
  *D = d;
  return joint;
}

void ixp_mixture_fit(const IxpEstimateCall *c, const double *joint, long n, int D, const IxpMixtureOptions *o,
                     IxpMixture *m) {
  int k = o->components ? o->components : 1;
  if (n <= k || n < D + 2) {
    free((void *)joint);
    ixp_plan_error(c->s, c->op->plan, "mixture needs more rows than components and columns + 1: %ld rows, %d columns", n,
                   D);
  }
  IxpMixOptions mo;
  ixp_mix_defaults(&mo);
  mo.kmax = o->kmax, mo.restarts = o->restarts, mo.heldout = o->heldout;
  mo.key = ixp_rng_key(c->key, MIXTURE_STREAM, KEY_FIT);
  IxpMixStatus st = o->components ? ixp_mix_fit(joint, n, D, o->components, &mo, m)
                                  : ixp_mix_select(joint, n, D, &mo, m, NULL);
  if (st) {
    free((void *)joint);
    ixp_plan_error(c->s, c->op->plan, "mixture fit failed: %s", ixp_mix_status_text(st));
  }
}

/* The sample variance of the pointwise MI at the data's rows. */
static IxpMixStatus data_variance(const IxpMixture *m, const double *joint, long n, const int *dims, double *var) {
  double *p = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
  if (!p) return IXP_MIX_ENOMEM;
  IxpMixStatus st = ixp_mix_pointwise_mi(m, dims[0], dims[1], dims[2], joint, n, p);
  if (!st) {
    double mean = ixp_ksum_array(p, n) / (double)n;
    IxpKSum s = {0, 0};
    for (long r = 0; r < n; r++) ixp_ksum_add(&s, (p[r] - mean) * (p[r] - mean));
    *var = ixp_ksum_value(s) / (double)(n > 1 ? n - 1 : 1);
  }
  free(p);
  return st;
}

double ixp_mixture_mi(const IxpEstimateCall *c, const IxpMixture *m, const double *joint, const IxpSamples *x,
                      int samples, double *se) {
  int dims[3] = {x->d[0], x->d[1], x->ngroups > 2 ? x->d[2] : 0};
  double mi = 0, mc = 0, var = 0;
  IxpMixStatus st = ixp_mix_mi(m, dims[0], dims[1], dims[2], samples, ixp_rng_key(c->key, MIXTURE_STREAM, KEY_DRAWS),
                               &mi, &mc);
  if (!st && se) st = data_variance(m, joint, x->n, dims, &var);
  if (st) {
    free((void *)joint);
    ixp_plan_error(c->s, c->op->plan, "mixture MI failed: %s", ixp_mix_status_text(st));
  }
  if (se) *se = sqrt(var / (double)x->n + mc * mc);
  return mi;
}

static double mixture_estimate(const IxpEstimateCall *c, const IxpSamples *x, double *se) {
  const IxpMixtureOptions *o = c->opts;
  int D = 0;
  double *joint = ixp_mixture_joint(c, x, o->copula, &D);
  IxpMixture m;
  ixp_mixture_fit(c, joint, x->n, D, o, &m);
  double mi = ixp_mixture_mi(c, &m, joint, x, o->samples, se);
  ixp_mix_free(&m);
  free(joint);
  return mi;
}

static void mixture_explain(const void *opts, const IxpSamples *x, FILE *out) {
  const IxpMixtureOptions *o = opts;
  int D = 0;
  for (int g = 0; g < x->ngroups; g++) D += x->d[g];
  fprintf(out, "Gaussian mixture (full covariances, EM from %d start%s: k-means++%s) fitted to the %d-column joint%s, ",
          o->restarts, o->restarts > 1 ? "s" : "", o->restarts > 1 ? " and concentric shells" : "", D,
          o->copula ? " of normal scores" : "");
  if (o->components) fprintf(out, "K = %d", o->components);
  else fprintf(out, "K chosen from 1..%d by %s", o->kmax, o->heldout ? "held-out likelihood" : "BIC");
  fprintf(out, "; %s as the mean pointwise MI over %d draws from the fit; se from the pointwise MI's spread "
               "at the data and the Monte Carlo error",
          x->ngroups > 2 ? "I(X; Y | Z)" : "I(X; Y)", o->samples);
}

const IxpEstimator ixp_estimator_mixture = {
    .name = "mixture",
    .measures = IXP_CM_BIT(IXP_CM_MI) | IXP_CM_BIT(IXP_CM_CMI),
    .opts_size = sizeof(IxpMixtureOptions),
    .defaults = ixp_mixture_defaults,
    .option = mixture_option,
    .check = NULL,
    .resamples_ok = false,
    .estimate = mixture_estimate,
    .explain = mixture_explain,
};
