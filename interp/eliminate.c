/* eliminate.c — the joint a measure reads: a model's full joint, or its
 * marginal on the measured variables (for a model of more variables than
 * a mask names), cached beside the full joint. */
#include "eliminate.h"

#include <stdlib.h>
#include <string.h>

#include "grow.h"

/* ------------------------------------------------------ measured marginals */

static IxpModelMarginal *find_marginal(struct IxpModelCache *c, const int *vars, int k, bool embed) {
  for (int i = 0; i < c->nmarginals; i++) {
    IxpModelMarginal *g = &c->marginals[i];
    if (g->nvars == k && g->embed == embed && !memcmp(g->vars, vars, (size_t)k * sizeof *vars)) return g;
  }
  return NULL;
}

/* Keep j (and elim) in the cache; both are freed when that fails. */
static IxpJoint *keep(IxpSession *s, IxpModelDef *m, struct IxpModelCache *c, const int *vars, int k, bool embed,
                      IxpJoint *j, IxpElimination *elim, IxpSpan use) {
  int *copy = malloc((size_t)k * sizeof *copy);
  if (!copy || !ixp_grow(&c->marginals, &c->capmarginals, c->nmarginals + 1, sizeof *c->marginals)) {
    free(copy);
    ixp_joint_free(j);
    ixp_elimination_free(elim);
    ixp_runtime_error(s, s->src, use, "out of memory measuring model '%s'", m->name);
  }
  memcpy(copy, vars, (size_t)k * sizeof *copy);
  c->marginals[c->nmarginals++] = (IxpModelMarginal){copy, k, embed, j, elim};
  return j;
}

IxpJoint *ixp_model_marginal(IxpSession *s, IxpModelDef *m, const IxpValue *params, const int *vars, int k,
                             bool compact, IxpSpan use) {
  struct IxpModelCache *c = ixp_model_cache(s, m, params);
  if (c->joint && !compact) return c->joint;
  IxpModelMarginal *g = find_marginal(c, vars, k, !compact);
  if (g) return g->joint;
  IxpJoint *full = ixp_model_joint(s, m, params, use), *j = NULL;
  if (!compact) return full;
  IxpJointStatus st = ixp_joint_marginal_vars(full, vars, k, &j);
  if (st != IXP_JOINT_OK) ixp_runtime_error(s, s->src, use, "model '%s': %s", m->name, ixp_joint_status_text(st));
  return keep(s, m, m->cache, vars, k, false, j, NULL, use);
}

void ixp_elimination_free(IxpElimination *info) {
  if (!info) return;
  free(info->order);
  free(info);
}

const IxpElimination *ixp_model_elimination(const IxpModelDef *m, const IxpJoint *j) {
  const struct IxpModelCache *c = m->cache;
  for (int i = 0; c && i < c->nmarginals; i++)
    if (c->marginals[i].joint == j) return c->marginals[i].elim;
  return NULL;
}
