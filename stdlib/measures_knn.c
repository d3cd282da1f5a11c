/* measures_knn.c — Rényi and Tsallis entropies of exact joints, and the
 * kNN divergences between two datasets (measures_knn.h).
 *
 *   entropy(x, alpha = 2) in M                    Rényi, from the probabilities
 *   entropy(x, alpha = 2, kind = tsallis) in M    Tsallis
 *   entropy(x, alpha = 2) in d using kl(k = 5)    Leonenko et al. 2008 (measures_data.c)
 *   kl(P || Q), js(P || Q, k = 5)                 two datasets: Wang et al. 2009
 *
 * Rényi entropy H_a = log(sum p^a) / (1 - a) is in the session's units;
 * Tsallis entropy S_q = (1 - sum p^q) / (q - 1) has no logarithm and so
 * no units (its value is the same under `units bits`). */
#include "measures_knn.h"

#include <math.h>
#include <string.h>

#include "joint.h"
#include "knn_extra.h"
#include "model.h"
#include "runtime.h"

/* ------------------------------------------------------ Rényi and Tsallis */

bool ixp_entropy_order(IxpLowering *lw, double *alpha, bool *tsallis) {
  *alpha = 1, *tsallis = false;
  IxpAst *kind = NULL;
  for (int i = 0; i < lw->noptions; i++) {
    const IxpOption *o = &lw->options[i];
    if (!strcmp(o->name, "alpha")) {
      if (o->value->kind != AST_NUM || !(o->value->num > 0) || !isfinite(o->value->num))
        return ixp_lower_error(lw, o->value->span, "alpha is the order of a Renyi or Tsallis entropy, a number > 0 "
                                                    "written out (1: Shannon)");
      *alpha = o->value->num;
    } else if (!strcmp(o->name, "kind") && o->value->kind == AST_NAME &&
               (!strcmp(o->value->str, "renyi") || !strcmp(o->value->str, "tsallis"))) {
      *tsallis = !strcmp(o->value->str, "tsallis");
      kind = o->node;
    } else {
      return ixp_lower_error(lw, o->node->span, "entropy takes no option '%s' (its options: alpha = a, the order of a "
                                                "Renyi entropy, and kind = renyi | tsallis)", o->name);
    }
  }
  if (kind && *alpha == 1) return ixp_lower_error(lw, kind->span, "kind = %s needs an order: alpha = 2, say",
                                                  *tsallis ? "tsallis" : "renyi");
  return true;
}

typedef struct {
  IxpVarSet set;
  double alpha;
  bool tsallis, gaussian;
  int d;                      /* gaussian: the dimension */
} Order;

/* Rényi or Tsallis entropy from log of sum p^a (or the integral of f^a). */
static IxpValue order_value(IxpSession *s, const Order *o, double log_sum) {
  if (o->tsallis) return ixp_value_real((1 - exp(log_sum)) / (o->alpha - 1));
  return ixp_value_real(log_sum / (1 - o->alpha) * ixp_units_scale(s));
}

static IxpValue order_run(IxpSession *s, const IxpPlanOp *op, const IxpReg *in) {
  const Order *o = op->payload;
  double a = o->alpha;
  if (o->gaussian) { /* in: the Shannon entropy h in nats; log int f^a = (1 - a)(h - d/2) - (d/2) log a */
    return order_value(s, o, (1 - a) * (in->x - 0.5 * o->d) - 0.5 * o->d * log(a));
  }
  uint64_t mask;
  IxpJoint *m = NULL;
  if (!ixp_set_mask(o->set, &mask)) ixp_plan_error(s, op->plan, "entropy: too many variables for one joint");
  IxpJointStatus st = ixp_joint_marginal(in->joint, mask, &m);
  if (st != IXP_JOINT_OK) ixp_plan_error(s, op->plan, "entropy: %s", ixp_joint_status_text(st));
  double total = 0, top = 0, sum = 0;
  for (size_t i = 0; i < m->n; i++) total += m->p[i], top = fmax(top, m->p[i]);
  for (size_t i = 0; i < m->n; i++) /* scaled by the largest, so large orders do not underflow */
    if (m->p[i] > 0) sum += exp(a * log(m->p[i] / top));
  ixp_joint_free(m);
  return order_value(s, o, log(sum) + a * log(top / total));
}

static void order_explain(IxpSession *s, const IxpPlanOp *op, const IxpReg *in, FILE *out) {
  const Order *o = op->payload;
  (void)s, (void)in;
  if (o->gaussian)
    fprintf(out, "%s entropy of order %g in closed form from the Gaussian entropy", o->tsallis ? "Tsallis" : "Renyi", o->alpha);
  else
    fprintf(out, "%s entropy of order %g from the marginal's probabilities", o->tsallis ? "Tsallis" : "Renyi", o->alpha);
}

static const IxpKernel order_kernel = {"entropy of order alpha", order_run, order_explain};

bool ixp_lower_entropy_order(IxpLowering *lw, IxpVarSet x, double alpha, bool tsallis) {
  Order *o = ixp_arena_alloc(lw->arena, sizeof *o);
  *o = (Order){.set = x, .alpha = alpha, .tsallis = tsallis, .gaussian = lw->model && lw->model->gaussian,
               .d = ixp_set_count(x)};
  int in = o->gaussian ? ixp_plan_entropy(lw->plan, lw->joint, x) : lw->joint;
  lw->plan->type = TY_NUM;
  lw->plan->result = ixp_plan_kernel(lw->plan, in, &order_kernel, o);
  return true;
}

/* ------------------------------------------------------------ divergences */

bool ixp_divergence_on_samples(const IxpLowering *lw) {
  for (int i = 0; i < lw->nargs && i < 2; i++)
    if (lw->args[i].model && lw->args[i].model->data && lw->args[i].model->has_continuous) return true;
  return false;
}

typedef struct {
  IxpModelDef *p, *q;
  int *pv, *qv, d;            /* the columns, matched by name */
  int k;
  bool js;
} Divergence;

static IxpValue divergence_run(IxpSession *s, const IxpPlanOp *op, const IxpReg *in) {
  const Divergence *v = op->payload;
  IxpSpan at = op->plan->site->span;
  long np = (long)in->n, nq = (long)ixp_data_rows_count(s, v->q, at);
  double *p = ixp_data_block(s, v->p, v->pv, v->d, at), *q = ixp_data_block(s, v->q, v->qv, v->d, at), out = 0;
  IxpKnnOptions opt = {.k = v->k};
  IxpKnnStatus st = v->js ? ixp_knn_js(p, np, q, nq, v->d, &opt, &out) : ixp_knn_kl(p, np, q, nq, v->d, &opt, &out);
  ixp_plan_poll_interrupt(s, op->plan);
  if (st == IXP_KNN_EINPUT)
    ixp_plan_error(s, op->plan, "%s: each dataset needs more than k = %d rows", v->js ? "js" : "kl", v->k);
  if (st == IXP_KNN_ETIES)
    ixp_plan_error(s, op->plan, "%s: a row has a k-th neighbour at distance 0 (k or more repeated rows); the kNN "
                   "divergence needs continuous data, where rows do not repeat", v->js ? "js" : "kl");
  if (st != IXP_KNN_OK) ixp_plan_error(s, op->plan, "%s: %s", v->js ? "js" : "kl", ixp_knn_status_text(st));
  return ixp_value_real(out * ixp_units_scale(s));
}

static void divergence_explain(IxpSession *s, const IxpPlanOp *op, const IxpReg *in, FILE *out) {
  const Divergence *v = op->payload;
  (void)s;
  if (v->js)
    fprintf(out, "Jensen-Shannon by k-th neighbour distances (k = %d) against the pooled sample, %zu rows of P, "
            "%d columns", v->k, in->n, v->d);
  else
    fprintf(out, "KL by k-th neighbour distances (Wang, Kulkarni & Verdu 2009), k = %d, %zu rows of P, %d columns", v->k,
            in->n, v->d);
}

static const IxpKernel divergence_kernel = {"divergence", divergence_run, divergence_explain};

bool ixp_lower_divergence_samples(IxpLowering *lw, bool js) {
  const char *name = js ? "js" : "kl";
  if (lw->nargs != 2 || lw->args[1].sep != SEP_BARBAR)
    return ixp_lower_error(lw, lw->call->span, "%s takes two datasets: %s(P || Q)", name, name);
  Divergence *v = ixp_arena_alloc(lw->arena, sizeof *v);
  v->p = lw->args[0].model, v->q = lw->args[1].model, v->js = js, v->k = 5;
  for (int i = 0; i < 2; i++)
    if (!lw->args[i].model->data)
      return ixp_lower_error(lw, lw->args[i].node->span, "%s compares a dataset of continuous columns with another "
                             "dataset; '%s' is a model (sample it: data s = sample(%s, 10000))", name,
                             lw->args[i].model->name, lw->args[i].model->name);
  for (int i = 0; i < lw->noptions; i++) {
    const IxpOption *o = &lw->options[i];
    IxpAst *val = o->value;
    if (strcmp(o->name, "k") || val->kind != AST_NUM || val->num != floor(val->num) || val->num < 1 || val->num > 1000)
      return ixp_lower_error(lw, o->node->span, "%s between datasets takes k = 5 (the neighbour, a whole number from 1 "
                             "to 1000)", name);
    v->k = (int)val->num;
  }
  if (v->p->nvars != v->q->nvars)
    return ixp_lower_error(lw, lw->call->span, "datasets '%s' and '%s' do not have the same columns", v->p->name, v->q->name);
  v->d = v->p->nvars;
  v->pv = ixp_arena_alloc(lw->arena, (size_t)v->d * sizeof *v->pv);
  v->qv = ixp_arena_alloc(lw->arena, (size_t)v->d * sizeof *v->qv);
  for (int c = 0; c < v->d; c++) {
    v->pv[c] = c;
    if ((v->qv[c] = ixp_model_var(v->q, v->p->vars[c].name)) < 0)
      return ixp_lower_error(lw, lw->call->span, "datasets '%s' and '%s' do not have the same columns ('%s')",
                             v->p->name, v->q->name, v->p->vars[c].name);
  }
  int sp = ixp_plan_source(lw->plan, lw->args[0].node, v->p);
  ixp_plan_source(lw->plan, lw->args[1].node, v->q);
  lw->plan->type = TY_NUM;
  lw->plan->result = ixp_plan_kernel(lw->plan, ixp_plan_rows(lw->plan, sp), &divergence_kernel, v);
  return true;
}
