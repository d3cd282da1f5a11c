/* lower.c — the lowering pass: a measure call that the checker resolved
 * into a complete IxpLowering (source, variables, checked options)
 * becomes a plan, through the measure's rule (stdlib/measures*.c), an
 * estimator on data (stdlib/measures_data.c) or a user's estimator in C
 * (below). It runs for each measure as soon as the checker has resolved
 * it, because the statements after it need its result's type; it never
 * calls back into the checker. */
#include "lower.h"

#include "externs.h"
#include "model.h"
#include "rng.h"

/* ------------------------------------------------------ extern estimators */

/* The measure's sides: entropy(X), mi(X; Y), mi(X; Y | Z), each side's
 * variables in the order written. */
static int estimator_sides(IxpLowering *lw, IxpExternEstimate *x) {
  static const IxpOp seps[] = {SEP_SEMI, SEP_BAR};
  IxpEstimand what = lw->measure->estimand;
  bool mi = what == IXP_ESTIMAND_MI;
  int *side = ixp_arena_alloc(lw->arena, (size_t)(lw->nargs ? lw->nargs : 1) * sizeof *side);
  int n = ixp_lower_sides(lw, seps, 2, side);
  bool ok = n > 0 && (mi ? n >= 2 && !ixp_set_empty(ixp_lower_side_set(lw, side, 1)) : n == 1);
  if (!ok || (!mi && what != IXP_ESTIMAND_ENTROPY)) {
    ixp_lower_error(lw, lw->call->span, "an extern estimator computes entropy(X), mi(X; Y) or mi(X; Y | Z)");
    return -1;
  }
  for (int k = 0; k < n; k++) x->vars[k] = ixp_arena_alloc(lw->arena, (size_t)lw->nargs * sizeof *x->vars[k]);
  for (int i = 0; i < lw->nargs; i++) x->vars[side[i]][x->width[side[i]]++] = lw->args[i].var;
  return n;
}

/* Each side goes to an input array, and the row count to a size
 * parameter the call leaves out that leads every array's shape. */
static bool estimator_params(IxpLowering *lw, IxpAst *site, IxpExternEstimate *x) {
  const IxpExternDef *def = x->call.def;
  for (int p = 0; p < def->fn.nparams; p++) {
    int a = x->call.arg_of[p];
    if (a >= 0 && a < x->nsides && !(def->fn.params[p].is_array && def->fn.params[p].is_const))
      return ixp_lower_error(lw, site->span, "parameter '%s' of %s receives side %d of the measure, so it is a const array",
                             def->fn.params[p].name, def->fn.name, a + 1);
  }
  if ((x->batch = ixp_extern_batch_param(&x->call)) < 0)
    return ixp_lower_error(lw, site->span, "%s's arrays must lead with a size the call leaves out, the row count: "
                           "fn %s(n: i64, d: i64, x: const f64[n, d], ...) -> f64", def->fn.name, def->fn.name);
  if (ixp_extern_type(def) != TY_NUM)
    return ixp_lower_error(lw, site->span, "an estimator returns its estimate: %s must return a number", def->fn.name);
  return true;
}

/* MEASURE(...) in DATA using f(...) with f an extern function: a call of
 * f on the sides' columns, then the `using` call's arguments (checked by
 * the checker as values). */
static bool lower_extern_estimator(IxpLowering *lw, const IxpExternDef *def) {
  IxpAst *site = lw->plan->site, *use = lw->method;
  if (lw->test || lw->nat)
    return ixp_lower_error(lw, lw->test ? lw->test->span : lw->at[0].node->span,
                           "an extern estimator takes no 'with' or 'at'");
  IxpExternEstimate *x = ixp_arena_alloc(lw->arena, sizeof *x);
  x->data = lw->model;
  x->position = lw->position;
  if ((x->nsides = estimator_sides(lw, x)) < 0) return false;
  x->extra = ixp_arena_alloc(lw->arena, (size_t)(use->nitems + 1) * sizeof *x->extra);
  for (int i = 0; i < use->nitems; i++) x->extra[x->nextra++] = use->items[i]->a;
  char msg[600];
  if (!ixp_extern_match(&x->call, def, site, x->nsides + x->nextra, true, msg, sizeof msg))
    return ixp_lower_error(lw, use->span, "%s (the measure's %d side%s, then the arguments after 'using')", msg,
                           x->nsides, x->nsides == 1 ? "" : "s");
  if (!estimator_params(lw, site, x)) return false;
  lw->plan->type = TY_NUM;
  lw->plan->result = ixp_plan_kernel(lw->plan, ixp_plan_rows(lw->plan, 0), &ixp_kernel_extern_estimate, x);
  return true;
}

/* ------------------------------------------------------------- the pass */

IxpPlan *ixp_lower_measure(IxpLowering *lw, IxpAst *site, IxpAst *source, const IxpExternDef *estimator) {
  lw->plan = ixp_plan_new(lw->arena, lw->measure->name, site);
  lw->position = ixp_rng_name(lw->src->text + site->span.start, site->span.end - site->span.start);
  lw->joint = -1;
  lw->local = site->kind == AST_MEASURE && site->local;
  bool ok;
  if (!lw->model) {  /* a measure over models: its rule reads their joints */
    ok = lw->measure->lower(lw);
  } else {
    ixp_plan_source(lw->plan, source, lw->model);
    if (lw->local && (!lw->model->data || estimator))
      ok = ixp_lower_error(lw, site->span, estimator ? "an extern estimator gives no local values"
                                                     : "local values are estimated from data: a dataset's rows, one value each");
    else if (estimator) ok = lower_extern_estimator(lw, estimator);
    else if (lw->model->data) {
      IxpModelDef *data = lw->model;
      ok = ixp_lower_on_data(lw);
      lw->model = data;
    }
    else {
      IxpModelDef *model = lw->model;
      /* A finite model's joint register needs only the measured variables
       * (a marginal); a Gaussian model's covariance takes sets of any size. */
      ok = model->gaussian || ixp_lower_measured_vars(lw, &lw->plan->src[0]);
      lw->joint = ixp_plan_joint(lw->plan, 0);
      ok = ok && lw->measure->lower(lw);
      lw->model = model;
    }
  }
  return ok && lw->errors == 0 ? lw->plan : NULL;
}
