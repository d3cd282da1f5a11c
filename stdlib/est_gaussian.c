/* est_gaussian.c — the Gaussian estimators of the registry:
 *
 *   mi(x; y | z) in d using gcmi                 Gaussian copula (Ince et al. 2017)
 *   oinfo(x1, x2, x3) in d using gcmi            tc, dtc, oinfo, coinfo likewise
 *   tc(x1, x2, x3) in d using gaussian(bias = 1) the multivariate measures of the
 *                                                parametric estimator
 *
 * Both estimate every measure from one sample covariance of all the
 * groups' columns: a measure is a sum of entropies of unions of groups,
 * each 1/2 (k log(2 pi e) + log det S_A - b(k)) with b the log-det's
 * finite-sample bias (ixp_gauss_logdet_bias; 0 without the correction).
 * gcmi first replaces every column by its normal scores (copula.h), so
 * its estimate is unchanged by a strictly increasing map of any column
 * and exact in expectation for any monotone transform of a Gaussian; it
 * always removes the bias. "gaussian" here claims only tc, dtc, oinfo
 * and coinfo: its entropy, mi and cmi are measures_data.c's (with local
 * values, chi2 and the surrogate shortcut). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "copula.h"
#include "estimator.h"
#include "gaussian.h"
#include "runtime.h"

typedef struct {
  int bias;  /* 1: each log-determinant less its bias */
} Opts;

static void gcmi_defaults(void *o) { ((Opts *)o)->bias = 1; }

static bool bias_option(IxpLowering *lw, IxpAst *item, void *o) {
  if (strcmp(item->str, "bias")) return ixp_lower_error(lw, item->span, "this estimator takes bias = 0 | 1");
  return ixp_estimator_int_option(lw, item, 0, 1, &((Opts *)o)->bias);
}

/* Entropy is not a copula quantity: normal scores change it. */
static bool gcmi_check(IxpLowering *lw, const void *o, IxpContinuousMeasure m) {
  (void)o;
  if (m == IXP_CM_ENTROPY)
    return ixp_lower_error(lw, lw->call->span, "gcmi does not estimate entropy: the normal scores keep the dependence "
                           "between columns (the copula) but replace each column's distribution, which entropy "
                           "measures; use gaussian or kl for entropy(X)");
  return true;
}

/* The groups side by side (n x D, row-major), as normal scores for gcmi. */
static double *joined(const IxpEstimateCall *c, const IxpSamples *x, bool scores, int *D, int *start) {
  int d = 0;
  for (int g = 0; g < x->ngroups; g++) start[g] = d, d += x->d[g];
  start[x->ngroups] = d;
  double *all = ixp_arena_alloc(ixp_session_tmp(c->s), (size_t)x->n * (size_t)d * sizeof *all + 1);
  for (long i = 0; i < x->n; i++)
    for (int g = 0; g < x->ngroups; g++)
      memcpy(all + (size_t)i * (size_t)d + start[g], x->g[g] + (size_t)i * (size_t)x->d[g], (size_t)x->d[g] * sizeof *all);
  if (scores && !ixp_normal_scores(all, x->n, d, all))
    ixp_plan_error(c->s, c->op->plan, "gcmi: out of memory computing normal scores");
  *D = d;
  return all;
}

typedef struct {
  const IxpEstimateCall *c;
  const double *cov;
  int D, ngroups;
  const int *start;
  long n;      /* rows, for the bias; 0: uncorrected */
  const char *name;
} Moments;

static _Noreturn void singular(const Moments *m) {
  ixp_plan_error(m->c->s, m->c->op->plan, "%s estimate: the sample covariance is singular (a column is constant or a "
                 "linear combination of the others)", m->name);
}

/* H of the union of the groups in mask (bit g: group g). */
static double entropy_of(const Moments *m, unsigned mask) {
  long idx[4096];
  long k = 0;
  for (int g = 0; g < m->ngroups; g++)
    if (mask >> g & 1)
      for (int j = m->start[g]; j < m->start[g + 1]; j++) idx[k++] = j;
  double *sub = ixp_arena_alloc(ixp_session_tmp(m->c->s), (size_t)(k * k) * sizeof *sub + 1), ld;
  for (long i = 0; i < k; i++)
    for (long j = 0; j < k; j++) sub[i * k + j] = m->cov[idx[i] * m->D + idx[j]];
  if (ixp_logdet(sub, k, k, &ld) != IXP_GAUSS_OK) singular(m);
  if (m->n) ld -= ixp_gauss_logdet_bias(k, m->n);
  return 0.5 * ((double)k * log(2 * M_PI * M_E) + ld);
}

/* I(X; Y | Z) by ixp_gauss_mi (two factorisations, no cancellation of Z). */
static double mi_of(const Moments *m) {
  long idx[3][4096], len[3] = {0, 0, 0};
  for (int g = 0; g < m->ngroups; g++)
    for (int j = m->start[g]; j < m->start[g + 1]; j++) idx[g][len[g]++] = j;
  double mi;
  IxpGaussStatus st = ixp_gauss_mi(m->cov, m->D, idx[0], len[0], idx[1], len[1], idx[2], len[2], &mi);
  if (st == IXP_GAUSS_ENOTPD) singular(m);
  if (st != IXP_GAUSS_OK) ixp_plan_error(m->c->s, m->c->op->plan, "%s estimate: %s", m->name, ixp_gauss_status_text(st));
  return m->n ? mi - ixp_gauss_mi_bias(len[0], len[1], len[2], m->n) : mi;
}

/* The measure as a sum of entropies of unions of groups. */
static double measure_of(const Moments *m, IxpContinuousMeasure what) {
  int k = m->ngroups;
  unsigned all = (1u << k) - 1;
  double h = 0;
  switch (what) {
  case IXP_CM_ENTROPY: return entropy_of(m, 1);
  case IXP_CM_MI:
  case IXP_CM_CMI: return mi_of(m);
  case IXP_CM_TC:  /* sum_i H(X_i) - H(all) */
    for (int g = 0; g < k; g++) h += entropy_of(m, 1u << g);
    return h - entropy_of(m, all);
  case IXP_CM_DTC:  /* sum_i H(rest_i) - (k - 1) H(all) */
    for (int g = 0; g < k; g++) h += entropy_of(m, all & ~(1u << g));
    return h - (k - 1) * entropy_of(m, all);
  case IXP_CM_OINFO:  /* (k - 2) H(all) + sum_i [H(X_i) - H(rest_i)] (Rosas et al. 2019) */
    for (int g = 0; g < k; g++) h += entropy_of(m, 1u << g) - entropy_of(m, all & ~(1u << g));
    return h + (k - 2) * entropy_of(m, all);
  case IXP_CM_COINFO:  /* -sum_{T nonempty} (-1)^|T| H(T) */
    if (k > 12) ixp_plan_error(m->c->s, m->c->op->plan, "coinfo takes at most 12 groups");
    for (unsigned t = 1; t <= all; t++) h += (__builtin_popcount(t) % 2 ? 1 : -1) * entropy_of(m, t);
    return h;
  case IXP_CM_COUNT: break;
  }
  return NAN;
}

static double estimate_with(const IxpEstimateCall *c, const IxpSamples *x, bool scores, const char *name) {
  const Opts *o = c->opts;
  int D, start[IXP_EST_MAX_GROUPS + 1];
  double *all = joined(c, x, scores, &D, start);
  if (D > 4096) ixp_plan_error(c->s, c->op->plan, "%s: at most 4096 columns", name);
  if (o->bias && x->n <= D)
    ixp_plan_error(c->s, c->op->plan, "%s needs more rows than columns to correct its bias (%ld rows, %d columns)", name,
                   x->n, D);
  double *cov = ixp_arena_alloc(ixp_session_tmp(c->s), (size_t)D * (size_t)D * sizeof *cov);
  IxpGaussStatus st = ixp_covariance(all, x->n, D, cov);
  if (st != IXP_GAUSS_OK) ixp_plan_error(c->s, c->op->plan, "%s estimate: %s", name, ixp_gauss_status_text(st));
  Moments m = {c, cov, D, x->ngroups, start, o->bias ? x->n : 0, name};
  return measure_of(&m, x->measure);
}

static double gcmi_estimate(const IxpEstimateCall *c, const IxpSamples *x, double *se) {
  (void)se;  /* the driver's jackknife */
  return estimate_with(c, x, true, "gcmi");
}

static double gaussian_estimate(const IxpEstimateCall *c, const IxpSamples *x, double *se) {
  (void)se;
  return estimate_with(c, x, false, "gaussian");
}

static void explain_with(const char *what, const void *opts, const IxpSamples *x, FILE *out) {
  int d = 0;
  for (int g = 0; g < x->ngroups; g++) d += x->d[g];
  fprintf(out, "%s covariance of %ld rows x %d columns (SYRK), Cholesky log-determinants of its blocks%s", what, x->n, d,
          ((const Opts *)opts)->bias ? ", each less its finite-sample bias (psi-function correction)" : "");
}

static void gcmi_explain(const void *opts, const IxpSamples *x, FILE *out) {
  explain_with("gcmi (Gaussian copula): normal scores of each column's ranks, then their", opts, x, out);
}

static void gaussian_explain(const void *opts, const IxpSamples *x, FILE *out) { explain_with("gaussian:", opts, x, out); }

#define MULTI (IXP_CM_BIT(IXP_CM_TC) | IXP_CM_BIT(IXP_CM_DTC) | IXP_CM_BIT(IXP_CM_OINFO) | IXP_CM_BIT(IXP_CM_COINFO))

const IxpEstimator ixp_estimator_gcmi = {
    .name = "gcmi",
    .measures = IXP_CM_BIT(IXP_CM_ENTROPY) | IXP_CM_BIT(IXP_CM_MI) | IXP_CM_BIT(IXP_CM_CMI) | MULTI,
    .opts_size = sizeof(Opts),
    .defaults = gcmi_defaults,
    .option = bias_option,
    .check = gcmi_check,
    .resamples_ok = true,
    .estimate = gcmi_estimate,
    .explain = gcmi_explain,
};

const IxpEstimator ixp_estimator_gaussian = {
    .name = "gaussian",
    .measures = MULTI,
    .opts_size = sizeof(Opts),
    .option = bias_option,
    .resamples_ok = true,
    .estimate = gaussian_estimate,
    .explain = gaussian_explain,
};
