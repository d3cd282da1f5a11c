/* est_mixed.c — `using mixed(k = 5)`: mutual information of any mix of
 * discrete and continuous columns without binning (Gao, Kannan, Oh &
 * Viswanath 2017, "Estimating mutual information for discrete-continuous
 * mixtures", NeurIPS), and its conditional form I(X; Y | Z) (Mesner &
 * Shalizi 2020, "Conditional mutual information estimation for mixed,
 * discrete and continuous data", IEEE Trans. Inf. Theory 67). The kernel
 * is ixp_mixed_cmi (knn_extra.h). */
#include <math.h>
#include <string.h>

#include "estimator.h"
#include "knn.h"
#include "knn_extra.h"
#include "runtime.h"

typedef struct {
  int k;
  bool no_rescale;
} MixedOpts;

static void mixed_defaults(void *o) { ((MixedOpts *)o)->k = 5; }  /* the reference code's */

static bool mixed_option(IxpLowering *lw, IxpAst *item, void *opts) {
  MixedOpts *o = opts;
  int flag;
  if (!strcmp(item->str, "k")) return ixp_estimator_int_option(lw, item, 1, 1000, &o->k);
  if (!strcmp(item->str, "rescale"))
    return ixp_estimator_int_option(lw, item, 0, 1, &flag) && (o->no_rescale = !flag, true);
  return ixp_lower_error(lw, item->span, "mixed's options: k = 5, rescale = 0 | 1");
}

static double mixed_estimate(const IxpEstimateCall *c, const IxpSamples *x, double *se) {
  (void)se;
  const MixedOpts *o = c->opts;
  IxpKnnOptions opt = {.k = o->k, .no_rescale = o->no_rescale};
  double v = 0;
  bool cond = x->measure == IXP_CM_CMI;
  IxpKnnStatus st = ixp_mixed_cmi(x->g[0], x->d[0], x->g[1], x->d[1], cond ? x->g[2] : NULL, cond ? x->d[2] : 0, x->n,
                                  &opt, &v, NULL);
  if (st != IXP_KNN_OK) ixp_plan_error(c->s, c->op->plan, "mixed: %s", ixp_knn_status_text(st));
  ixp_plan_poll_interrupt(c->s, c->op->plan);
  return v;
}

static void mixed_explain(const void *opts, const IxpSamples *x, FILE *out) {
  const MixedOpts *o = opts;
  fprintf(out, "mixed KSG (Gao et al. 2017%s), k = %d on %ld rows: rows tied in the joint space counted as atoms, "
          "brute-force max-norm neighbours", x->measure == IXP_CM_CMI ? "; conditional, Mesner & Shalizi 2020" : "",
          o->k, x->n);
}

const IxpEstimator ixp_estimator_mixed = {
    .name = "mixed",
    .measures = IXP_CM_BIT(IXP_CM_MI) | IXP_CM_BIT(IXP_CM_CMI),
    .opts_size = sizeof(MixedOpts),
    .defaults = mixed_defaults,
    .option = mixed_option,
    .resamples_ok = false,  /* a resample's repeated rows would be atoms */
    .estimate = mixed_estimate,
    .explain = mixed_explain,
};
