/* est_critic.c — `using critic(bound = infonce | nwj | smile, ...)`: mutual
 * information as a variational lower bound maximised over a neural critic
 * (backends/blis/critic.h), evaluated on held-out rows with its own
 * standard error.
 *
 * mi(X; Y) only. The bounds contrast pairs (x_i, y_i) with pairs of rows
 * shuffled against each other, draws from p(x) p(y); a conditional MI
 * would need draws from p(x | z) p(y | z), which shuffling rows does not
 * give (it needs a conditional sampler, e.g. Mukherjee et al. 2020's
 * CCMI), so mi(X; Y | Z) is refused rather than answered with something
 * else. */
#include <math.h>
#include <string.h>

#include "critic.h"
#include "estimator.h"
#include "runtime.h"

typedef struct {
  IxpCriticConfig cfg;
  bool clip_set;   /* clip = was given (it is SMILE's only) */
  IxpSpan clip_at;
} CriticOpts;

static void critic_defaults(void *opts) {
  CriticOpts *o = opts;
  ixp_critic_defaults(&o->cfg);
}

static const char *const bound_names[] = {"infonce", "nwj", "smile"};

static bool critic_option(IxpLowering *lw, IxpAst *item, void *opts) {
  CriticOpts *o = opts;
  IxpCriticConfig *c = &o->cfg;
  const char *name = item->str;
  int v;
  if (!strcmp(name, "bound")) {
    for (int b = 0; b < 3; b++)
      if (item->a && item->a->kind == AST_NAME && !strcmp(item->a->str, bound_names[b]))
        return c->bound = (IxpCriticBound)b, true;
    return ixp_lower_error(lw, (item->a ? item->a : item)->span, "the bound is infonce, nwj or smile");
  }
  if (!strcmp(name, "hidden")) return ixp_estimator_int_option(lw, item, 1, 4096, &c->hidden);
  if (!strcmp(name, "layers")) return ixp_estimator_int_option(lw, item, 0, 16, &c->layers);
  if (!strcmp(name, "embed")) return ixp_estimator_int_option(lw, item, 1, 4096, &c->embed);
  if (!strcmp(name, "batch")) return ixp_estimator_int_option(lw, item, 2, 65536, &c->batch);
  if (!strcmp(name, "patience")) return ixp_estimator_int_option(lw, item, 0, 100000, &c->patience);
  if (!strcmp(name, "steps")) {
    if (!ixp_estimator_int_option(lw, item, 1, 100000000, &v)) return false;
    return c->steps = v, true;
  }
  if (!strcmp(name, "lr")) return ixp_estimator_real_option(lw, item, 1e-8, 1, &c->lr);
  if (!strcmp(name, "split")) return ixp_estimator_real_option(lw, item, 0.05, 0.95, &c->split);
  if (!strcmp(name, "clip")) {
    o->clip_set = true, o->clip_at = item->span;
    return ixp_estimator_real_option(lw, item, 0, 50, &c->clip);
  }
  return ixp_lower_error(lw, item->span,
                         "critic takes bound, hidden, layers, embed, steps, batch, lr, split, clip and patience");
}

static bool critic_check(IxpLowering *lw, const void *opts, IxpContinuousMeasure m) {
  const CriticOpts *o = opts;
  if (m == IXP_CM_CMI)
    return ixp_lower_error(lw, lw->call->span,
                           "critic estimates mi(X; Y) only: its bounds contrast pairs with rows shuffled against "
                           "each other (draws from p(x) p(y)), and mi(X; Y | Z) would need draws from "
                           "p(x | z) p(y | z); use gcmi, ksg or mixture for it");
  if (o->clip_set && o->cfg.bound != IXP_CRITIC_SMILE)
    return ixp_lower_error(lw, o->clip_at, "clip is the clipping of bound = smile");
  return true;
}

/* Group g's columns, each shifted and scaled to mean 0 and variance 1
 * (a constant column is only centred): MI does not change, and the
 * critic's initial weights and step size suit unit-scale inputs. */
static double *standardised(IxpArena *a, const IxpSamples *x, int g) {
  long n = x->n;
  int d = x->d[g];
  const double *src = x->g[g];
  double *out = ixp_arena_alloc(a, sizeof(double) * (size_t)n * (size_t)d + 1);
  for (int j = 0; j < d; j++) {
    double mean = 0, ss = 0;
    for (long r = 0; r < n; r++) mean += src[r * d + j];
    mean /= (double)n;
    for (long r = 0; r < n; r++) ss += (src[r * d + j] - mean) * (src[r * d + j] - mean);
    double sd = sqrt(ss / (double)n), scale = sd > 0 ? 1 / sd : 1;
    for (long r = 0; r < n; r++) out[r * d + j] = (src[r * d + j] - mean) * scale;
  }
  return out;
}

static double critic_estimate(const IxpEstimateCall *c, const IxpSamples *x, double *se) {
  const CriticOpts *o = c->opts;
  IxpArena *a = ixp_session_tmp(c->s);
  const double *xs = standardised(a, x, 0), *ys = standardised(a, x, 1);
  IxpCriticResult r;
  IxpCriticStatus st = ixp_critic_estimate(xs, x->d[0], ys, x->d[1], x->n, &o->cfg, c->key,
                                           ixp_session_stop_flag(c->s), &r);
  switch (st) {
  case IXP_CRITIC_OK: break;
  case IXP_CRITIC_ESTOPPED: ixp_plan_poll_interrupt(c->s, c->op->plan); break;
  case IXP_CRITIC_ENOMEM: ixp_plan_error(c->s, c->op->plan, "critic: out of memory");
  case IXP_CRITIC_EROWS:
    ixp_plan_error(c->s, c->op->plan,
                   "critic: %ld rows are too few to split into training, validation and held-out rows "
                   "(split = %g)", x->n, o->cfg.split);
  case IXP_CRITIC_ENOTFINITE:
    ixp_plan_error(c->s, c->op->plan, "critic: the bound on the held-out rows is not finite (training diverged; "
                                      "a smaller lr may help)");
  }
  if (se) *se = r.se;
  return r.value;
}

static void critic_explain(const void *opts, const IxpSamples *x, FILE *out) {
  static const char *const titles[] = {"InfoNCE", "NWJ", "SMILE"};
  const IxpCriticConfig *c = &((const CriticOpts *)opts)->cfg;
  long held = lround(c->split * (double)x->n);
  fprintf(out, "%s lower bound of a critic g(x) . h(y) (%d + %d columns, standardised; towers of %d hidden layer%s of %d "
               "ReLU units, %d outputs) trained by Adam (lr %g, batch %d, at most %ld steps",
          titles[c->bound], x->d[0], x->d[1], c->layers, c->layers == 1 ? "" : "s", c->hidden, c->embed, c->lr,
          c->batch, c->steps);
  if (c->patience > 0) fprintf(out, ", stopped early on a validation tenth of the training rows");
  fprintf(out, "), evaluated on %ld held-out rows of %ld", held, x->n);
  if (c->bound == IXP_CRITIC_SMILE && c->clip > 0) fprintf(out, ", clip %g", c->clip);
}

const IxpEstimator ixp_estimator_critic = {
    .name = "critic",
    .measures = IXP_CM_BIT(IXP_CM_MI) | IXP_CM_BIT(IXP_CM_CMI),
    .opts_size = sizeof(CriticOpts),
    .defaults = critic_defaults,
    .option = critic_option,
    .check = critic_check,
    .resamples_ok = false, /* a row repeated in both the training and held-out rows flatters the bound */
    .estimate = critic_estimate,
    .explain = critic_explain,
};
