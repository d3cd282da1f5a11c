/* est_kernel.c — `using kernel(width = 0.25, shape = box | gaussian)`:
 * the kernel (Parzen window) estimators of entropy and mutual information
 * that JIDT offers (kernel_density.h): columns in standard deviations,
 * the density at each row the mean kernel over all rows. */
#include <math.h>
#include <string.h>

#include "estimator.h"
#include "kernel_density.h"
#include "runtime.h"

typedef struct {
  double width;
  IxpKernelShape shape;
} KernelOpts;

static void kernel_defaults(void *o) { ((KernelOpts *)o)->width = 0.25; }  /* JIDT's default width, box kernel */

static bool kernel_option(IxpLowering *lw, IxpAst *item, void *opts) {
  KernelOpts *o = opts;
  if (!strcmp(item->str, "width")) {
    if (!ixp_estimator_real_option(lw, item, 1e-9, 1e9, &o->width)) return false;
    return true;
  }
  if (!strcmp(item->str, "shape") && item->a && item->a->kind == AST_NAME &&
      (!strcmp(item->a->str, "box") || !strcmp(item->a->str, "gaussian"))) {
    o->shape = !strcmp(item->a->str, "box") ? IXP_KERNEL_BOX : IXP_KERNEL_GAUSSIAN;
    return true;
  }
  return ixp_lower_error(lw, item->span, "kernel's options: width = 0.25 (in standard deviations), shape = box | gaussian");
}

static double kernel_estimate(const IxpEstimateCall *c, const IxpSamples *x, double *se) {
  (void)se;
  const KernelOpts *o = c->opts;
  double v = 0;
  IxpKnnStatus st = x->measure == IXP_CM_ENTROPY
                        ? ixp_kernel_entropy(x->g[0], x->n, x->d[0], o->shape, o->width, 0, &v)
                        : ixp_kernel_mi(x->g[0], x->d[0], x->g[1], x->d[1], x->n, o->shape, o->width, 0, &v);
  if (st == IXP_KNN_EINPUT)
    ixp_plan_error(c->s, c->op->plan, "kernel: need at least 2 rows, finite values and no constant column");
  if (st != IXP_KNN_OK) ixp_plan_error(c->s, c->op->plan, "kernel: %s", ixp_knn_status_text(st));
  ixp_plan_poll_interrupt(c->s, c->op->plan);
  return v;
}

static void kernel_explain(const void *opts, const IxpSamples *x, FILE *out) {
  const KernelOpts *o = opts;
  fprintf(out, "%s kernel of width %g standard deviations on %ld rows (JIDT-style, each row's density over all rows)",
          o->shape == IXP_KERNEL_BOX ? "box" : "Gaussian", o->width, x->n);
}

const IxpEstimator ixp_estimator_kernel = {
    .name = "kernel",
    .measures = IXP_CM_BIT(IXP_CM_ENTROPY) | IXP_CM_BIT(IXP_CM_MI),
    .opts_size = sizeof(KernelOpts),
    .defaults = kernel_defaults,
    .option = kernel_option,
    .resamples_ok = false,  /* a resample's repeated rows add to their own kernel sums */
    .estimate = kernel_estimate,
    .explain = kernel_explain,
};
