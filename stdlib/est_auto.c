/* est_auto.c — `using auto`: the estimator ixp recommends for mi and cmi,
 * chosen by a fixed rule from the data (docs/language.md, "auto"):
 *
 * 1. MI is invariant under a monotone map of each column, so the rule
 *    looks at the normal scores of every column (the Gaussian copula).
 * 2. Gaussian mixtures with K = 1..kmax components are fitted to the
 *    joint scores and BIC picks K. K = 1: the copula is Gaussian as far
 *    as the data can tell, and gcmi (normal scores, bias-corrected
 *    Gaussian estimate) is the efficient estimate.
 * 3. K > 1 and a joint narrow enough for kNN: KSG on the normal scores.
 *    Its bias grows with the radius of the k-th neighbour ball, which
 *    shrinks like (k / N)^(1 / D) of a score's range; KSG is used while
 *    that radius is at most a tenth, D <= log10(N / k) (D <= 3 at N =
 *    5000, k = 4: radii 0.03, 0.09 at D = 2, 3, against 0.17 at D = 4).
 *    On the suite at N = 5000 this is where KSG on scores and the mixture
 *    cross: KSG is better at D = 2 (additive uniform noise: -0.04 against
 *    -0.12 nats), the two tie at D = 3 (swiss roll), the mixture is
 *    better at D = 4 (Student-t 2 x 2: +0.00 against -0.05).
 * 4. Otherwise: the MI of a fitted mixture (the `mixture` estimator),
 *    whose error does not grow with D the way kNN's does: of the mixture
 *    fitted to the scores, or of one fitted to the data themselves when
 *    that one models the dependence better by the BIC of its copula
 *    pseudo-likelihood (heavy tails are a scale mixture about one
 *    centre, which normal scores distort).
 * `with stderr` reports the chosen estimator's standard error: gcmi's
 * (the driver's jackknife of gcmi), KSG's by a 20-block jackknife, the
 * mixture's own. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "est_mixture.h"
#include "estimator.h"
#include "knn.h"
#include "ksum.h"
#include "rng.h"
#include "runtime.h"

typedef enum { CHOSE_NONE, CHOSE_GCMI, CHOSE_KSG, CHOSE_MIXTURE } Choice;

typedef struct {
  int kmax, samples, k, dims;
  /* What the plan's first run chose, for explain (which runs after it). */
  Choice chose;
  int chose_k, chose_d;
  bool chose_raw;
  int chose_widest;
} AutoOptions;

#define AUTO_STREAM UINT64_C(0x6175746f)

static void auto_defaults(void *opts) {
  *(AutoOptions *)opts = (AutoOptions){.kmax = 8, .samples = 100000, .k = 4, .dims = -1};
}

/* The widest joint given to KSG: `dims`, or by the rule (k / N)^(1 / D)
 * <= 1/10, D <= log10(N / k). */
static int knn_dims(const AutoOptions *o, long n) {
  if (o->dims >= 0) return o->dims;
  return n > o->k ? (int)floor(log10((double)n / o->k) + 1e-9) : 0;
}

static bool auto_option(IxpLowering *lw, IxpAst *item, void *opts) {
  AutoOptions *o = opts;
  const char *name = item->str ? item->str : "";
  if (!strcmp(name, "kmax")) return ixp_estimator_int_option(lw, item, 1, 64, &o->kmax);
  if (!strcmp(name, "samples")) return ixp_estimator_int_option(lw, item, 100, 100000000, &o->samples);
  if (!strcmp(name, "k")) return ixp_estimator_int_option(lw, item, 1, 1000, &o->k);
  if (!strcmp(name, "dims")) {
    if (item->a && item->a->kind == AST_NAME && !strcmp(item->a->str, "auto")) return o->dims = -1, true;
    return ixp_estimator_int_option(lw, item, 0, 1000, &o->dims);
  }
  return ixp_lower_error(lw, item->span, "auto options: kmax = 8 (mixtures tried), samples = 100000 (Monte Carlo draws), "
                                         "k = 4 (KSG neighbours), dims = auto | D (the widest joint given to KSG)");
}

/* --- the delegates --------------------------------------------------------- */

/* A registered estimator on x with its own default options. */
static double delegate(const IxpEstimateCall *c, const char *name, const IxpSamples *x, double *se) {
  const IxpEstimator *e = ixp_estimator_by_name(name);
  if (!e) ixp_plan_error(c->s, c->op->plan, "auto needs the %s estimator, which this build lacks", name);
  void *opts = calloc(1, e->opts_size ? e->opts_size : 1);
  if (!opts) ixp_plan_error(c->s, c->op->plan, "out of memory");
  if (e->defaults) e->defaults(opts);
  IxpEstimateCall sub = *c;
  sub.opts = opts;
  double v = ixp_estimator_run(e, &sub, x, se);
  if (se && !isfinite(*se)) *se = ixp_jackknife_se(e, &sub, x, IXP_JACKKNIFE_BLOCKS);
  free(opts);
  return v;
}

/* KSG (algorithm 1; Frenzel-Pompe for cmi) on the groups' normal scores. */
static double ksg_on_scores(const IxpEstimateCall *c, const IxpSamples *x, double *se);

static const IxpEstimator ksg_scores = {
    .name = "ksg on normal scores",
    .measures = IXP_CM_BIT(IXP_CM_MI) | IXP_CM_BIT(IXP_CM_CMI),
    .estimate = ksg_on_scores,
};

static double ksg_on_scores(const IxpEstimateCall *c, const IxpSamples *x, double *se) {
  const AutoOptions *o = c->opts;
  int D = 0;
  double *joint = ixp_mixture_joint(c, x, true, &D);
  int dx = x->d[0], dy = x->d[1], dz = x->ngroups > 2 ? x->d[2] : 0;
  long n = x->n;
  double *g = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1) * (size_t)D);
  if (!g) {
    free(joint);
    ixp_plan_error(c->s, c->op->plan, "out of memory");
  }
  /* each group contiguous: X block, then Y, then Z */
  int at[3] = {0, dx, dx + dy}, width[3] = {dx, dy, dz};
  double *blk[3];
  for (int b = 0, off = 0; b < 3; off += width[b], b++) {
    blk[b] = g + (long)off * n;
    for (long r = 0; r < n; r++)
      for (int j = 0; j < width[b]; j++) blk[b][r * width[b] + j] = joint[r * D + at[b] + j];
  }
  free(joint);
  IxpKnnOptions ko = {.k = o->k, .variant = 1, .noise = 1e-10, .noise_key = ixp_rng_key(c->key, AUTO_STREAM, 1)};
  double v = 0;
  IxpKnnStatus st = dz ? ixp_ksg_cmi(blk[0], dx, blk[1], dy, blk[2], dz, n, &ko, &v, NULL)
                       : ixp_ksg_mi(blk[0], dx, blk[1], dy, n, &ko, &v, NULL);
  free(g);
  if (st) ixp_plan_error(c->s, c->op->plan, "auto's KSG failed: %s", ixp_knn_status_text(st));
  if (se) *se = NAN; /* the jackknife, below */
  return v;
}

/* --- the rule ---------------------------------------------------------------- */

/* The copula pseudo-log-likelihood of m at its rows: sum_r [log p(row r) -
 * sum_j log p_j(row r, column j)], the joint's density over the product of
 * its own marginals (Genest, Ghoudi & Rivest 1995). It scores how well a
 * mixture fitted on the data, or on their normal scores, models the
 * dependence alone, so the two fits can be compared. */
static double copula_loglik(const IxpEstimateCall *c, const IxpMixture *m, const double *rows, long n) {
  int D = m->d;
  double *lp = malloc(sizeof(double) * (size_t)n * 2), *col = lp ? lp + n : NULL;
  IxpMixStatus st = lp ? ixp_mix_logpdf(m, rows, n, lp) : IXP_MIX_ENOMEM;
  IxpKSum s = {0, 0};
  for (long r = 0; !st && r < n; r++) ixp_ksum_add(&s, lp[r]);
  for (int j = 0; !st && j < D; j++) {
    IxpMixture mj;
    if ((st = ixp_mix_marginal(m, &j, 1, &mj))) break;
    for (long r = 0; r < n; r++) col[r] = rows[r * D + j];
    double *lj = malloc(sizeof(double) * (size_t)n);
    st = lj ? ixp_mix_logpdf(&mj, col, n, lj) : IXP_MIX_ENOMEM;
    for (long r = 0; !st && r < n; r++) ixp_ksum_add(&s, -lj[r]);
    free(lj);
    ixp_mix_free(&mj);
  }
  free(lp);
  if (st) ixp_plan_error(c->s, c->op->plan, "auto: %s", ixp_mix_status_text(st));
  return ixp_ksum_value(s);
}

/* BIC of a mixture's copula: -2 copula log-likelihood + parameters log n. */
static double copula_bic(const IxpEstimateCall *c, const IxpMixture *m, const double *rows, long n) {
  return -2 * copula_loglik(c, m, rows, n) + (double)ixp_mix_parameters(m->k, m->d) * log((double)n);
}

static double auto_estimate(const IxpEstimateCall *c, const IxpSamples *x, double *se) {
  AutoOptions *o = (AutoOptions *)c->opts; /* the arena copy of the plan's options: records its choice */
  int D = 0;
  double *scores = ixp_mixture_joint(c, x, true, &D);
  IxpMixtureOptions mo;
  ixp_mixture_defaults(&mo);
  mo.kmax = o->kmax, mo.samples = o->samples;
  IxpMixture m;
  ixp_mixture_fit(c, scores, x->n, D, &mo, &m);
  int widest = knn_dims(o, x->n);
  Choice chose = m.k == 1 ? CHOSE_GCMI : D <= widest ? CHOSE_KSG : CHOSE_MIXTURE;
  bool raw = false;
  double v;
  if (chose == CHOSE_MIXTURE) {
    /* The mixture fitted to the data themselves may model the dependence
     * better (heavy tails: a scale mixture about one centre, which normal
     * scores bend out of shape): keep the fit whose copula scores better. */
    double *rows = ixp_mixture_joint(c, x, false, &D);
    IxpMixture a;
    ixp_mixture_fit(c, rows, x->n, D, &mo, &a);
    raw = copula_bic(c, &a, rows, x->n) < copula_bic(c, &m, scores, x->n);
    v = raw ? ixp_mixture_mi(c, &a, rows, x, o->samples, se) : ixp_mixture_mi(c, &m, scores, x, o->samples, se);
    if (raw) m.k = a.k;
    ixp_mix_free(&a);
    free(rows);
  } else if (chose == CHOSE_GCMI) {
    v = delegate(c, "gcmi", x, se);
  } else {
    v = ksg_on_scores(c, x, NULL);
    if (se) *se = ixp_jackknife_se(&ksg_scores, c, x, IXP_JACKKNIFE_BLOCKS);
  }
  if (o->chose == CHOSE_NONE) o->chose = chose, o->chose_k = m.k, o->chose_d = D, o->chose_raw = raw, o->chose_widest = widest;
  ixp_mix_free(&m);
  free(scores);
  return v;
}

static void auto_explain(const void *opts, const IxpSamples *x, FILE *out) {
  const AutoOptions *o = opts;
  int D = 0;
  for (int g = 0; g < x->ngroups; g++) D += x->d[g];
  fprintf(out, "auto: normal scores of the %d columns; Gaussian mixtures K = 1..%d by BIC: ", D, o->kmax);
  switch (o->chose) {
  case CHOSE_GCMI: fprintf(out, "K = 1 (a Gaussian copula), so gcmi (bias-corrected Gaussian estimate on the scores)"); break;
  case CHOSE_KSG:
    fprintf(out, "K = %d (not a Gaussian copula) and %d columns <= %d (kNN's reach%s), so KSG (k = %d) on the scores",
            o->chose_k, o->chose_d, o->chose_widest, o->dims < 0 ? ": (k / N)^(1 / D) <= 0.1" : "", o->k);
    break;
  case CHOSE_MIXTURE:
    fprintf(out, "K > 1 (not a Gaussian copula) and %d columns > %d (too many for kNN), so a fitted mixture's MI "
                 "(%d Monte Carlo draws): the one fitted to the %s, K = %d, whose copula scores the better BIC",
            o->chose_d, o->chose_widest, o->samples, o->chose_raw ? "data themselves" : "normal scores", o->chose_k);
    break;
  case CHOSE_NONE:
    fprintf(out, "K = 1 -> gcmi; else %s", D <= knn_dims(o, x->n) ? "KSG on the scores" : "the fitted mixture's MI");
    break;
  }
}

const IxpEstimator ixp_estimator_auto = {
    .name = "auto",
    .measures = IXP_CM_BIT(IXP_CM_MI) | IXP_CM_BIT(IXP_CM_CMI),
    .opts_size = sizeof(AutoOptions),
    .defaults = auto_defaults,
    .option = auto_option,
    .check = NULL,
    .resamples_ok = false,
    .estimate = auto_estimate,
    .explain = auto_explain,
};
