/* eliminate.h — a model's distribution on the variables a measure reads:
 * by variable elimination over its dependency graph when the full joint
 * would be larger than the factors, else from the full enumeration
 * (eliminate.c). */
#ifndef IXP_ELIMINATE_H
#define IXP_ELIMINATE_H

#include "interp.h"

/* How a marginal was computed, for `explain`. */
typedef struct IxpElimination {
  int *order;       /* the variables summed out, in order (model indices) */
  int norder;
  int nbarren;      /* variables dropped: not read, even indirectly, by the measured ones */
  size_t largest;   /* entries of the largest factor formed (conditional tables included) */
} IxpElimination;

/* The most entries a factor may have (conditional tables, products before
 * a variable is summed out); past it elimination is not used. */
#define IXP_ELIM_MAX_ENTRIES ((size_t)1 << 22)
/* Full joints of at most this many states are enumerated, not
 * eliminated: enumeration is tried first, stopped past this many (and so
 * are models where the product of the draws' alphabet sizes is below the
 * entries elimination would make). */
#define IXP_ELIM_SMALL_JOINT 65536.0

/* The joint a measure of m on vars[0..k) (model indices, ascending)
 * reads: the full joint (`compact` false and the full joint is at hand or
 * has at most IXP_ELIM_SMALL_JOINT states), or m's marginal on those
 * variables, computed by variable elimination when it applies and pays,
 * else from the full joint. A
 * marginal has the variables vars[i] as columns i (`compact`), or all of
 * m's variables, those outside vars holding the one value 0 (so masks of
 * model indices read it as they read the full joint). Borrowed: cached in
 * the model until its inputs change. */
IxpJoint *ixp_model_marginal(IxpSession *s, IxpModelDef *m, const IxpValue *params, const int *vars, int k,
                             bool compact, IxpSpan use);

/* How the joint j of model m was eliminated (j from ixp_model_marginal),
 * or NULL when it was not. */
const IxpElimination *ixp_model_elimination(const IxpModelDef *m, const IxpJoint *j);

/* m's marginal on need[0..k) by variable elimination, or NULL when
 * elimination does not apply (a draw without finitely many outcomes, a
 * table model, a factor of more than `cap` entries, an error evaluating a
 * distribution for some combination of its parents' values: the full
 * enumeration then reports it if it is real) or, with `only_if_pays`,
 * when the full joint is small or not larger than the work. Columns as
 * for ixp_model_marginal (`embed`: all of m's variables). *info is set
 * when the result is not NULL (free with ixp_elimination_free). */
IxpJoint *ixp_eliminate(IxpSession *s, IxpModelDef *m, const IxpValue *params, const int *need, int k, bool embed,
                        size_t cap, bool only_if_pays, IxpElimination **info);
void ixp_elimination_free(IxpElimination *info);

#endif
