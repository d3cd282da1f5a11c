/* measures.c — Shannon measures lowered to sums of marginal entropies,
 * and the KL divergence between models.
 *
 * On an exact joint every measure here is a linear combination of
 * entropies of marginals: I(X;Y|Z) = H(XZ) + H(YZ) - H(XYZ) - H(Z), and so
 * on. Lowering spells that combination out as plan operations. */
#include "measures.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "library.h"
#include "measures_knn.h"
#include "model.h"

#define MAX_GROUPS 20

typedef struct {
  IxpVarSet set[MAX_GROUPS];
  IxpOp sep[MAX_GROUPS];     /* separator before each group */
  int n;
} Groups;

bool ixp_lower_error(IxpLowering *lw, IxpSpan span, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ixp_diag_verror(lw->diag, lw->src, span, fmt, ap);
  va_end(ap);
  lw->errors++;
  return false;
}

const IxpOptionSpec *ixp_option_spec(const IxpOptionSpec *specs, const char *name) {
  for (int i = 0; specs && specs[i].name; i++)
    if (!strcmp(specs[i].name, name)) return &specs[i];
  return NULL;
}

int ixp_lower_sides(const IxpLowering *lw, const IxpOp *seps, int nseps, int *side) {
  int k = 0;
  for (int i = 0; i < lw->nargs; i++) {
    IxpOp sep = lw->args[i].sep;
    if (i > 0 && sep != SEP_COMMA) {
      int j = k;
      while (j < nseps && seps[j] != sep) j++;
      if (j == nseps) return -1;
      k = j + 1;
    }
    side[i] = k;
  }
  return k + 1;
}

IxpVarSet ixp_lower_set(const IxpLowering *lw) { return ixp_set_new(lw->arena, lw->model ? lw->model->nvars : 0); }

IxpVarSet ixp_lower_side_set(const IxpLowering *lw, const int *side, int k) {
  IxpVarSet set = ixp_lower_set(lw);
  for (int i = 0; i < lw->nargs; i++)
    if (side[i] == k) ixp_set_add(set, lw->args[i].var);
  return set;
}

IxpMeasureArg *ixp_lower_push_arg(IxpLowering *lw) {
  if (lw->nargs == lw->capargs) {
    int cap = lw->capargs ? 2 * lw->capargs : 8;
    IxpMeasureArg *args = ixp_arena_alloc(lw->arena, (size_t)cap * sizeof *args);
    if (lw->nargs) memcpy(args, lw->args, (size_t)lw->nargs * sizeof *args);
    lw->args = args, lw->capargs = cap;
  }
  return &lw->args[lw->nargs++];
}

/* The view of src->vars: their variables as a model of its own, and the
 * arguments renumbered to index it. */
static void view_of(IxpLowering *lw, IxpPlanSource *src) {
  IxpModelDef *m = lw->model, *view = ixp_arena_alloc(lw->arena, sizeof *view);
  int k = src->nvars, *at = ixp_arena_alloc(lw->arena, (size_t)m->nvars * sizeof *at);
  view->name = m->name, view->decl = m->decl, view->src = m->src, view->table = m->table;
  ixp_model_reserve(view, lw->arena, k);
  view->nvars = k;
  for (int i = 0; i < k; i++) {
    view->vars[i] = m->vars[src->vars[i]];
    view->order[i] = i;
    view->continuous[i] = m->continuous[src->vars[i]];
    view->has_continuous |= view->continuous[i];
    at[src->vars[i]] = i;
  }
  for (int i = 0; i < lw->nargs; i++)
    if (lw->args[i].var >= 0) lw->args[i].var = at[lw->args[i].var];
  src->view = lw->model = view;
}

bool ixp_lower_measured_vars(IxpLowering *lw, IxpPlanSource *src) {
  IxpModelDef *m = lw->model;
  bool *read = ixp_arena_alloc(lw->arena, (size_t)(m->nvars ? m->nvars : 1) * sizeof *read);
  int *vars = ixp_arena_alloc(lw->arena, (size_t)(lw->nargs ? lw->nargs : 1) * sizeof *vars), k = 0;
  for (int i = 0; i < lw->nargs; i++)
    if (lw->args[i].var >= 0) read[lw->args[i].var] = true;
  for (int v = 0; v < m->nvars; v++)
    if (read[v]) vars[k++] = v;
  src->vars = vars, src->nvars = k;
  if (m->nvars <= IXP_MAX_VARS) return true;
  if (k > IXP_MAX_VARS)
    return ixp_lower_error(lw, lw->call->span, "%s measures %d variables of %s '%s' on one exact joint, which holds at "
                           "most %d; %s", lw->measure->name, k, m->data ? "dataset" : "model", m->name, IXP_MAX_VARS,
                           m->data ? "continuous columns take any number with ksg, kl or gaussian"
                                   : "a linear-Gaussian model takes any number in closed form");
  view_of(lw, src);
  return true;
}

/* Split the arguments into groups at every separator in `splitters`
 * (a comma splits only when `commas` is set); reject other separators. */
static bool split(IxpLowering *lw, const IxpOp *allowed, int nallowed, bool commas, Groups *g) {
  g->n = 0;
  for (int i = 0; i < lw->nargs; i++) {
    IxpOp s = lw->args[i].sep;
    bool ok = s == OP_NONE || s == SEP_COMMA;
    for (int k = 0; k < nallowed; k++) ok |= s == allowed[k];
    if (!ok)
      return ixp_lower_error(lw, lw->args[i].node->sep_span, "'%s' cannot be used as a separator here: %s",
                             ixp_op_text(s), lw->measure->signature);
    if (i == 0 || s != SEP_COMMA || commas) {
      if (g->n == MAX_GROUPS) return ixp_lower_error(lw, lw->args[i].node->span, "more than 20 groups");
      g->sep[g->n] = s;
      g->set[g->n++] = ixp_lower_set(lw);
    }
    ixp_set_add(g->set[g->n - 1], lw->args[i].var);
  }
  return true;
}

static int count_sep(const Groups *g, IxpOp s) {
  int n = 0;
  for (int i = 0; i < g->n; i++) n += g->sep[i] == s;
  return n;
}

static bool finish(IxpLowering *lw, int reg) {
  lw->plan->result = ixp_plan_units(lw->plan, reg);
  return true;
}

/* entropy(X) and entropy(X | Y) = H(X,Y) - H(Y). */
static bool lower_entropy(IxpLowering *lw) {
  static const IxpOp seps[] = {SEP_BAR};
  Groups g;
  double alpha;
  bool tsallis;
  /* entropy takes options (alpha, kind), so the checker leaves `using`
   * and `at` on exact models to this rule */
  bool data = lw->model && (lw->model->data || (lw->plan->nsrc && lw->plan->src[0].model->data));  /* or its view */
  if (lw->method && lw->model && !data)
    return ixp_lower_error(lw, lw->method->span, "'%s' is measured exactly; estimators ('using') apply to data",
                           lw->model->name);
  if (lw->nat) return ixp_lower_error(lw, lw->at[0].node->span, "entropy takes no 'at'");
  if (!ixp_entropy_order(lw, &alpha, &tsallis) || !split(lw, seps, 1, false, &g)) return false;
  if (g.n > 2 || (g.n == 2 && g.sep[1] != SEP_BAR))
    return ixp_lower_error(lw, lw->call->span, "entropy takes entropy(X) or entropy(X | Y)");
  if (alpha != 1) {
    if (g.n != 1) return ixp_lower_error(lw, lw->call->span, "an entropy of order alpha takes entropy(X, alpha = a), no condition");
    return ixp_lower_entropy_order(lw, g.set[0], alpha, tsallis);
  }
  if (g.n == 1) return finish(lw, ixp_plan_entropy(lw->plan, lw->joint, g.set[0]));
  IxpVarSet m[2] = {ixp_set_union(lw->arena, g.set[0], g.set[1]), g.set[1]};
  double c[2] = {1, -1};
  return finish(lw, ixp_plan_entropy_sum(lw->plan, lw->joint, 2, m, c));
}

/* mi(X; Y) and mi(X; Y | Z) = H(XZ) + H(YZ) - H(XYZ) - H(Z). */
static bool lower_mi(IxpLowering *lw) {
  static const IxpOp seps[] = {SEP_SEMI, SEP_BAR};
  Groups g;
  if (!split(lw, seps, 2, false, &g)) return false;
  bool shape = (g.n == 2 && g.sep[1] == SEP_SEMI) ||
               (g.n == 3 && g.sep[1] == SEP_SEMI && g.sep[2] == SEP_BAR);
  if (!shape) return ixp_lower_error(lw, lw->call->span, "mi takes mi(X; Y) or mi(X; Y | Z)");
  IxpArena *a = lw->arena;
  IxpVarSet x = g.set[0], y = g.set[1], z = g.n == 3 ? g.set[2] : ixp_lower_set(lw);
  if (lw->model && lw->model->gaussian && ixp_set_empty(z))  /* closed form from the forms, not three log-dets */
    return finish(lw, ixp_plan_gaussian_mi(lw->plan, lw->joint, x, y));
  IxpVarSet xz = ixp_set_union(a, x, z), yz = ixp_set_union(a, y, z);
  IxpVarSet m[4] = {xz, yz, ixp_set_union(a, xz, y), z};
  double c[4] = {1, 1, -1, -1};
  return finish(lw, ixp_plan_entropy_sum(lw->plan, lw->joint, ixp_set_empty(z) ? 3 : 4, m, c));
}

/* Groups for multivariate measures: split at ';' when present, else every
 * variable is its own group. At least two groups, no '|'. */
static bool multivariate(IxpLowering *lw, Groups *g) {
  static const IxpOp seps[] = {SEP_SEMI};
  /* tc, dtc and oinfo take `order` (every multiplet of a dataset,
   * measures_multiplets.c, which takes the call before it comes here);
   * having options, they are handed `using` and `at` on models too */
  if (lw->noptions)
    return ixp_lower_error(lw, lw->options[0].node->span, "order = lo .. hi measures every multiplet of a dataset's "
                           "columns, estimated with gaussian or gcmi");
  if (lw->nat) return ixp_lower_error(lw, lw->at[0].node->span, "%s takes no 'at'", lw->call->str);
  if (lw->method && !lw->plan->src[0].model->data)
    return ixp_lower_error(lw, lw->method->span, "'%s' is measured exactly; estimators ('using') apply to data",
                           lw->plan->src[0].model->name);
  if (!split(lw, seps, 1, false, g)) return false;
  if (count_sep(g, SEP_SEMI) == 0 && !split(lw, seps, 1, true, g)) return false;
  if (g->n < 2)
    return ixp_lower_error(lw, lw->call->span, "%s needs at least two variables (or groups split by ';')",
                           lw->call->str);
  return true;
}

bool ixp_lower_multivariate(IxpLowering *lw, IxpVarSet *sets, int *n, int max) {
  Groups g;
  if (!multivariate(lw, &g)) return false;
  if (g.n > max) return ixp_lower_error(lw, lw->call->span, "more than %d groups", max);
  for (int i = 0; i < g.n; i++) sets[i] = g.set[i];
  *n = g.n;
  return true;
}

static IxpVarSet all_of(const IxpLowering *lw, const Groups *g) {
  IxpVarSet m = ixp_lower_set(lw);
  for (int i = 0; i < g->n; i++) m = ixp_set_union(lw->arena, m, g->set[i]);
  return m;
}

/* Total correlation: sum_i H(X_i) - H(X_1..X_n). */
static bool lower_tc(IxpLowering *lw) {
  Groups g;
  if (!multivariate(lw, &g)) return false;
  IxpVarSet m[MAX_GROUPS + 1];
  double c[MAX_GROUPS + 1];
  for (int i = 0; i < g.n; i++) m[i] = g.set[i], c[i] = 1;
  m[g.n] = all_of(lw, &g), c[g.n] = -1;
  return finish(lw, ixp_plan_entropy_sum(lw->plan, lw->joint, g.n + 1, m, c));
}

/* Dual total correlation: sum_i H(rest_i) - (n - 1) H(all), where rest_i
 * is every group but i. */
static bool lower_dtc(IxpLowering *lw) {
  Groups g;
  if (!multivariate(lw, &g)) return false;
  IxpVarSet m[MAX_GROUPS + 1], all = all_of(lw, &g);
  double c[MAX_GROUPS + 1];
  for (int i = 0; i < g.n; i++) m[i] = ixp_set_minus(lw->arena, all, g.set[i]), c[i] = 1;
  m[g.n] = all, c[g.n] = -(double)(g.n - 1);
  return finish(lw, ixp_plan_entropy_sum(lw->plan, lw->joint, g.n + 1, m, c));
}

/* O-information: TC - DTC = (n - 2) H(all) + sum_i [H(X_i) - H(rest_i)]
 * (Rosas et al. 2019); positive when redundancy dominates. */
static bool lower_oinfo(IxpLowering *lw) {
  Groups g;
  if (!multivariate(lw, &g)) return false;
  IxpVarSet m[2 * MAX_GROUPS + 1], all = all_of(lw, &g);
  double c[2 * MAX_GROUPS + 1];
  for (int i = 0; i < g.n; i++) {
    m[2 * i] = g.set[i], c[2 * i] = 1;
    m[2 * i + 1] = ixp_set_minus(lw->arena, all, g.set[i]), c[2 * i + 1] = -1;
  }
  m[2 * g.n] = all, c[2 * g.n] = (double)(g.n - 2);
  return finish(lw, ixp_plan_entropy_sum(lw->plan, lw->joint, 2 * g.n + 1, m, c));
}

/* Co-information (McGill's interaction information with the sign that
 * makes it I(X;Y) for two variables): -sum_{T nonempty} (-1)^|T| H(T). */
static bool lower_coinfo(IxpLowering *lw) {
  Groups g;
  if (!multivariate(lw, &g)) return false;
  if (g.n > 12) return ixp_lower_error(lw, lw->call->span, "coinfo takes at most 12 groups");
  int n = (1 << g.n) - 1;
  IxpVarSet *m = ixp_arena_alloc(lw->arena, (size_t)n * sizeof *m);
  double c[4096];
  for (int s = 1; s <= n; s++) {
    m[s - 1] = ixp_lower_set(lw);
    for (int i = 0; i < g.n; i++)
      if (s >> i & 1) m[s - 1] = ixp_set_union(lw->arena, m[s - 1], g.set[i]);
    c[s - 1] = __builtin_popcount((unsigned)s) % 2 ? 1 : -1;
  }
  return finish(lw, ixp_plan_entropy_sum(lw->plan, lw->joint, n, m, c));
}

/* Names of a model's variables in one string, sorted, for comparing sets. */
static bool same_variables(const IxpModelDef *a, const IxpModelDef *b) {
  if (a->nvars != b->nvars) return false;
  for (int i = 0; i < a->nvars; i++)
    if (ixp_model_var(b, a->vars[i].name) < 0) return false;
  return true;
}

/* Can kl measure this model or dataset? Finite models and datasets of
 * discrete columns on their exact joints, linear-Gaussian models in
 * closed form; a dataset with real columns would need an estimator. */
static bool kl_measurable(IxpLowering *lw, const IxpMeasureArg *arg) {
  const IxpModelDef *m = arg->model;
  if (m->data && m->has_continuous)
    return ixp_lower_error(lw, arg->node->span, "dataset '%s' has continuous columns: kl between datasets with "
                           "continuous columns is not estimated yet (kl compares finite models, discrete datasets "
                           "and linear-Gaussian models)", m->name);
  if (!m->data && m->has_continuous && !m->gaussian)
    return ixp_lower_error(lw, arg->node->span, "model '%s' has continuous variables and is not linear-Gaussian: kl "
                           "compares finite models, discrete datasets and linear-Gaussian models", m->name);
  return true;
}

/* kl(P || Q): both models over the same variables, both finite or both
 * linear-Gaussian (a density against a probability mass has no KL). */
static bool lower_kl(IxpLowering *lw) {
  if (ixp_divergence_on_samples(lw)) return ixp_lower_divergence_samples(lw, false);
  if (lw->noptions)
    return ixp_lower_error(lw, lw->options[0].node->span, "k = N is for kl between datasets of continuous columns");
  if (lw->nargs != 2 || lw->args[1].sep != SEP_BARBAR)
    return ixp_lower_error(lw, lw->call->span, "kl takes two models: kl(P || Q)");
  IxpModelDef *p = lw->args[0].model, *q = lw->args[1].model;
  if (!kl_measurable(lw, &lw->args[0]) || !kl_measurable(lw, &lw->args[1])) return false;
  if (!same_variables(p, q))
    return ixp_lower_error(lw, lw->call->span, "models '%s' and '%s' do not have the same variables", p->name, q->name);
  if (p->gaussian != q->gaussian)
    return ixp_lower_error(lw, lw->call->span, "model '%s' is Gaussian and '%s' is discrete: the divergence between "
                           "a density and a probability mass is not defined", p->gaussian ? p->name : q->name,
                           p->gaussian ? q->name : p->name);
  int sa = ixp_plan_source(lw->plan, lw->args[0].node, p), sb = ixp_plan_source(lw->plan, lw->args[1].node, q);
  lw->plan->src[sa].covariance = lw->plan->src[sb].covariance = true;  /* the closed form reads whole covariances */
  int a = ixp_plan_joint(lw->plan, sa), b = ixp_plan_joint(lw->plan, sb);
  return finish(lw, ixp_plan_kl(lw->plan, a, b));
}

/* `order = lo .. hi`: every multiplet (measures_multiplets.c). */
static const IxpOptionSpec multiplet_options[] = {{"order", IXP_OPTION_WORD, NULL, NULL}, {NULL, IXP_OPTION_VALUE, NULL, NULL}};
/* js(P || Q): between datasets of continuous columns, by kNN. */
static bool lower_js(IxpLowering *lw) {
  if (ixp_divergence_on_samples(lw)) return ixp_lower_divergence_samples(lw, true);
  return ixp_lower_error(lw, lw->call->span, "js compares two datasets of continuous columns (a kNN estimate); "
                                             "between finite models use their kl");
}

static const IxpOptionSpec entropy_options[] = {
    {"alpha", IXP_OPTION_VALUE, NULL, NULL}, {"kind", IXP_OPTION_WORD, NULL, NULL}, {NULL, IXP_OPTION_VALUE, NULL, NULL}};
static const IxpOptionSpec divergence_options[] = {{"k", IXP_OPTION_VALUE, NULL, NULL},
                                                   {NULL, IXP_OPTION_VALUE, NULL, NULL}};

static const IxpMeasure registry[] = {
    {"entropy", "entropy(X | Y)", "Shannon entropy, or conditional entropy (alpha = a: Renyi or Tsallis)", MEASURE_OVER_VARIABLES, lower_entropy, IXP_ESTIMAND_ENTROPY, entropy_options, NULL},
    {"mi", "mi(X; Y | Z)", "mutual information, or conditional mutual information", MEASURE_OVER_VARIABLES, lower_mi, IXP_ESTIMAND_MI, NULL, NULL},
    {"tc", "tc(X1, X2, ...)", "total correlation (multi-information)", MEASURE_OVER_VARIABLES, lower_tc, IXP_ESTIMAND_ENTROPIES, multiplet_options, NULL},
    {"dtc", "dtc(X1, X2, ...)", "dual total correlation (binding information)", MEASURE_OVER_VARIABLES, lower_dtc, IXP_ESTIMAND_ENTROPIES, multiplet_options, NULL},
    {"coinfo", "coinfo(X1, X2, ...)", "co-information", MEASURE_OVER_VARIABLES, lower_coinfo, IXP_ESTIMAND_ENTROPIES, NULL, NULL},
    {"oinfo", "oinfo(X1, X2, ...)", "O-information (redundancy minus synergy)", MEASURE_OVER_VARIABLES, lower_oinfo, IXP_ESTIMAND_ENTROPIES, multiplet_options, NULL},
    {"kl", "kl(P || Q)", "Kullback-Leibler divergence between two models or datasets", MEASURE_OVER_MODELS, lower_kl, IXP_ESTIMAND_JOINT, divergence_options, NULL},
    {"js", "js(P || Q)", "Jensen-Shannon divergence between two datasets", MEASURE_OVER_MODELS, lower_js, IXP_ESTIMAND_JOINT, divergence_options, NULL},
};

void ixp_open_shannon(IxpLibrary *lib) {
  ixp_library_add_measures(lib, registry, (int)(sizeof registry / sizeof *registry));
}
