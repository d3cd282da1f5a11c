/* est_ksg.c — `using ksg` for the multivariate measures tc, dtc, oinfo
 * and coinfo (entropy-free: each is a combination of total correlations,
 * each total correlation KSG's estimator for m variables, Kraskov,
 * Stögbauer & Grassberger 2004, eq. 9 extended to m groups:
 * psi(k) + (m - 1) psi(N) - <sum_i psi(n_i + 1)>). mi and cmi with ksg
 * keep their own path (measures_data.c).
 *
 * With TC(S) = sum_{i in S} H(X_i) - H(X_S) (0 for one group):
 *   dtc    = (m - 1) TC(all) - sum_j TC(all but j)
 *   oinfo  = tc - dtc = (2 - m) TC(all) + sum_j TC(all but j)
 *   coinfo = sum over S with |S| >= 2 of (-1)^|S| TC(S)
 * (substitute H(S) = sum_{i in S} H(X_i) - TC(S) into the entropy forms of
 * measures.c; the single entropies cancel because sum_{S ni i} (-1)^|S| = 0
 * for m >= 2). */
#include <math.h>
#include <string.h>

#include "estimator.h"
#include "knn.h"
#include "knn_extra.h"
#include "runtime.h"

typedef struct {
  int k;
  bool no_rescale, copula;
  double noise;
} KsgOpts;

static void ksg_defaults(void *o) { ((KsgOpts *)o)->k = 4; }

static bool ksg_option(IxpLowering *lw, IxpAst *item, void *opts) {
  KsgOpts *o = opts;
  int flag;
  if (!strcmp(item->str, "k")) return ixp_estimator_int_option(lw, item, 1, 1000, &o->k);
  if (!strcmp(item->str, "rescale"))
    return ixp_estimator_int_option(lw, item, 0, 1, &flag) && (o->no_rescale = !flag, true);
  if (!strcmp(item->str, "copula")) return ixp_estimator_int_option(lw, item, 0, 1, &flag) && (o->copula = flag, true);
  if (!strcmp(item->str, "noise")) return ixp_estimator_real_option(lw, item, 0, 1, &o->noise);
  return ixp_lower_error(lw, item->span, "ksg's options for tc, dtc, oinfo and coinfo: k = 4, rescale = 0 | 1, "
                                         "copula = 0 | 1, noise = 1e-10");
}

static bool ksg_check(IxpLowering *lw, const void *opts, IxpContinuousMeasure m) {
  (void)opts;
  int groups = 1, semis = 0;  /* groups as ixp_lower_multivariate splits them */
  for (int i = 1; i < lw->nargs; i++) semis += lw->args[i].sep == SEP_SEMI;
  groups = semis ? semis + 1 : lw->nargs;
  if (m == IXP_CM_COINFO && groups > 12)  /* 2^m - m - 1 total correlations; the entropy form's limit too */
    return ixp_lower_error(lw, lw->call->span, "coinfo with ksg takes at most 12 groups");
  return true;
}

/* TC of the groups whose bits are set in `mask` (0 for fewer than two). */
static double tc_of(const IxpEstimateCall *c, const IxpSamples *x, unsigned mask) {
  const KsgOpts *o = c->opts;
  const double *g[IXP_EST_MAX_GROUPS];
  int d[IXP_EST_MAX_GROUPS], m = 0;
  for (int i = 0; i < x->ngroups; i++)
    if (mask >> i & 1) g[m] = x->g[i], d[m++] = x->d[i];
  if (m < 2) return 0;
  IxpKnnOptions opt = {.k = o->k, .no_rescale = o->no_rescale, .copula = o->copula, .noise = o->noise,
                       .noise_key = c->key};
  double tc = 0;
  IxpKnnStatus st = ixp_ksg_tc(g, d, m, x->n, &opt, &tc);
  if (st != IXP_KNN_OK) ixp_plan_error(c->s, c->op->plan, "ksg: %s", ixp_knn_status_text(st));
  ixp_plan_poll_interrupt(c->s, c->op->plan);
  return tc;
}

static double ksg_estimate(const IxpEstimateCall *c, const IxpSamples *x, double *se) {
  (void)se;
  int m = x->ngroups;
  unsigned all = (1u << m) - 1;
  double v = 0;
  switch (x->measure) {
  case IXP_CM_TC: return tc_of(c, x, all);
  case IXP_CM_DTC:
  case IXP_CM_OINFO: {
    double rest = 0;
    for (int j = 0; j < m; j++) rest += tc_of(c, x, all & ~(1u << j));
    double whole = tc_of(c, x, all);
    return x->measure == IXP_CM_DTC ? (m - 1) * whole - rest : (2 - m) * whole + rest;
  }
  case IXP_CM_COINFO:
    for (unsigned s = 1; s <= all; s++)
      if (__builtin_popcount(s) >= 2) v += (__builtin_popcount(s) % 2 ? -1 : 1) * tc_of(c, x, s);
    return v;
  default: return NAN;
  }
}

static void ksg_explain(const void *opts, const IxpSamples *x, FILE *out) {
  const KsgOpts *o = opts;
  int m = x->ngroups, terms = x->measure == IXP_CM_TC ? 1 : x->measure == IXP_CM_COINFO ? (1 << m) - m - 1 : m + 1;
  fprintf(out, "KSG total correlation of m variables (Kraskov et al. 2004), k = %d on %ld rows, %d group%s: %d "
          "total correlation%s (brute-force max-norm neighbours)", o->k, x->n, m, m == 1 ? "" : "s", terms,
          terms == 1 ? "" : "s combined");
}

const IxpEstimator ixp_estimator_ksg = {
    .name = "ksg",
    .measures = IXP_CM_BIT(IXP_CM_TC) | IXP_CM_BIT(IXP_CM_DTC) | IXP_CM_BIT(IXP_CM_OINFO) | IXP_CM_BIT(IXP_CM_COINFO),
    .opts_size = sizeof(KsgOpts),
    .defaults = ksg_defaults,
    .option = ksg_option,
    .check = ksg_check,
    .resamples_ok = false,
    .estimate = ksg_estimate,
    .explain = ksg_explain,
};
