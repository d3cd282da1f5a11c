/* estimator.c — the registry of continuous estimators and their generic
 * driver: groups, options, `with stderr`, surrogate tests and the
 * bootstrap, the same for every estimator (estimator.h). */
#include "estimator.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "progress.h"
#include "rng.h"
#include "runtime.h"
#include "surrogates.h"

extern const IxpEstimator ixp_estimator_gcmi, ixp_estimator_gaussian, ixp_estimator_ksg, ixp_estimator_mixed,
    ixp_estimator_kernel, ixp_estimator_critic, ixp_estimator_mixture, ixp_estimator_auto;

/* The registered estimators. */
static const IxpEstimator *const estimators[] = {
    &ixp_estimator_gcmi,
    &ixp_estimator_gaussian,
    &ixp_estimator_ksg,
    &ixp_estimator_mixed,
    &ixp_estimator_kernel,
    &ixp_estimator_critic,
    &ixp_estimator_mixture,
    &ixp_estimator_auto,
};

const IxpEstimator *ixp_estimator_by_name(const char *name) {
  for (size_t i = 0; i < sizeof estimators / sizeof *estimators; i++)
    if (!strcmp(estimators[i]->name, name)) return estimators[i];
  return NULL;
}

void ixp_estimator_names(char *buf, size_t size, const char *before) {
  snprintf(buf, size, "%s", before);
  for (size_t i = 0; i < sizeof estimators / sizeof *estimators; i++) {
    const char *name = estimators[i]->name, *at = strstr(buf, name);
    size_t len = strlen(name);
    if (at && (at[len] == ',' || at[len] == 0) && (at == buf || at[-1] == ' ')) continue;  /* listed already */
    size_t used = strlen(buf);
    snprintf(buf + used, size - used, "%s%s", used ? ", " : "", name);
  }
}

/* --------------------------------------------------------------- options */

bool ixp_estimator_int_option(IxpLowering *lw, IxpAst *item, int lo, int hi, int *out) {
  IxpAst *v = item->a;
  if (!v || v->kind != AST_NUM || v->num != floor(v->num) || v->num < lo || v->num > hi)
    return ixp_lower_error(lw, (v ? v : item)->span, "%s is a whole number from %d to %d", item->str ? item->str : "this",
                           lo, hi);
  *out = (int)v->num;
  return true;
}

bool ixp_estimator_real_option(IxpLowering *lw, IxpAst *item, double lo, double hi, double *out) {
  IxpAst *v = item->a;
  if (!v || v->kind != AST_NUM || !(v->num >= lo && v->num <= hi))
    return ixp_lower_error(lw, (v ? v : item)->span, "%s is a number from %g to %g", item->str ? item->str : "this", lo,
                           hi);
  *out = v->num;
  return true;
}

/* ------------------------------------------------------------- lowering */

typedef enum { TEST_NONE, TEST_STDERR, TEST_SURROGATES, TEST_BOOTSTRAP } TestKind;

typedef struct {
  const IxpEstimator *e;
  void *opts;
  IxpContinuousMeasure measure;
  int ngroups;
  IxpVarSet set[IXP_EST_MAX_GROUPS];
  IxpModelDef *data;
  uint64_t position;
  TestKind test;
  int count;                  /* surrogates or resamples */
  IxpSurrogateMethod method;
  long block;
} Payload;

static const char *const measure_names[IXP_CM_COUNT] = {"entropy(X)", "mi(X; Y)", "mi(X; Y | Z)", "tc",
                                                        "dtc", "oinfo", "coinfo"};

/* Which continuous measure the call is, from its name and separators;
 * false when it is none of them. */
static bool measure_kind(const IxpLowering *lw, IxpContinuousMeasure *m) {
  static const char *const multi[] = {"tc", "dtc", "oinfo", "coinfo"};
  switch (lw->measure->estimand) {
  case IXP_ESTIMAND_ENTROPY: *m = IXP_CM_ENTROPY; return true;
  case IXP_ESTIMAND_MI:
    *m = IXP_CM_MI;
    for (int i = 0; i < lw->nargs; i++)
      if (lw->args[i].sep == SEP_BAR) *m = IXP_CM_CMI;
    return true;
  case IXP_ESTIMAND_ENTROPIES:
    for (int i = 0; i < 4; i++)
      if (!strcmp(lw->measure->name, multi[i])) return *m = (IxpContinuousMeasure)(IXP_CM_TC + i), true;
    return false;
  default: return false;
  }
}

bool ixp_estimator_claims(const IxpLowering *lw, const IxpEstimator *e) {
  IxpContinuousMeasure m;
  return measure_kind(lw, &m) && (e->measures & IXP_CM_BIT(m));
}

/* The groups of the call's measure p->measure; false after reporting. */
static bool groups(IxpLowering *lw, Payload *p) {
  static const IxpOp seps[] = {SEP_SEMI, SEP_BAR};
  if (p->measure >= IXP_CM_TC) return ixp_lower_multivariate(lw, p->set, &p->ngroups, IXP_EST_MAX_GROUPS);
  int *side = ixp_arena_alloc(lw->arena, (size_t)(lw->nargs ? lw->nargs : 1) * sizeof *side);
  int n = ixp_lower_sides(lw, seps, 2, side);
  for (int k = 0; k < 3; k++) p->set[k] = ixp_lower_side_set(lw, side, k);
  if (p->measure == IXP_CM_ENTROPY) {
    p->ngroups = 1;
    return n == 1 || ixp_lower_error(lw, lw->call->span, "continuous estimators take entropy(X), not a conditional entropy");
  }
  if (n < 2 || ixp_set_empty(p->set[1]) || (n == 3 && ixp_set_empty(p->set[2])))
    return ixp_lower_error(lw, lw->call->span, "mi takes mi(X; Y) or mi(X; Y | Z)");
  p->ngroups = n;
  return true;
}

static bool parse_options(IxpLowering *lw, Payload *p) {
  const IxpEstimator *e = p->e;
  p->opts = ixp_arena_alloc(lw->arena, e->opts_size ? e->opts_size : 1);
  memset(p->opts, 0, e->opts_size ? e->opts_size : 1);
  if (e->defaults) e->defaults(p->opts);
  for (int i = 0; lw->method && i < lw->method->nitems; i++) {
    IxpAst *item = lw->method->items[i];
    if (!e->option) return ixp_lower_error(lw, item->span, "%s takes no options", e->name);
    if (!item->str) return ixp_lower_error(lw, item->span, "options of %s are name = value", e->name);
    if (!e->option(lw, item, p->opts)) return false;
  }
  return !e->check || e->check(lw, p->opts, p->measure);
}

static bool parse_test(IxpLowering *lw, Payload *p) {
  IxpAst *t = lw->test;
  if (!t) return true;
  if (!strcmp(t->str, "stderr")) {
    if (t->nitems) return ixp_lower_error(lw, t->span, "stderr takes nothing: with stderr");
    p->test = TEST_STDERR;
  } else if (!strcmp(t->str, "bootstrap")) {
    if (!p->e->resamples_ok)
      return ixp_lower_error(lw, t->span, "bootstrap resamples rows with repeats, which biases %s; use with stderr "
                                          "(a jackknife) instead", p->e->name);
    if (t->nitems != 1 || t->items[0]->str) return ixp_lower_error(lw, t->span, "the test is bootstrap(n)");
    if (!ixp_estimator_int_option(lw, t->items[0], 2, 1000000, &p->count)) return false;
    p->test = TEST_BOOTSTRAP;
  } else if (!strcmp(t->str, "permutations") || !strcmp(t->str, "surrogates")) {
    if (p->measure != IXP_CM_MI && p->measure != IXP_CM_CMI)
      return ixp_lower_error(lw, t->span, "%s(n) tests mi(X; Y) and mi(X; Y | Z)", t->str);
    if (!ixp_data_surrogate_test(lw, t, &p->count, &p->method, &p->block)) return false;
    p->test = TEST_SURROGATES;
  } else {
    return ixp_lower_error(lw, t->span, "the test is stderr, permutations(n), surrogates(n, method = ...)%s",
                           p->e->resamples_ok ? " or bootstrap(n)" : "");
  }
  return true;
}

extern const IxpKernel ixp_kernel_estimator;

bool ixp_lower_estimator(IxpLowering *lw, const IxpEstimator *e) {
  Payload *p = ixp_arena_alloc(lw->arena, sizeof *p);
  memset(p, 0, sizeof *p);
  p->e = e, p->data = lw->model, p->position = lw->position;
  bool known = measure_kind(lw, &p->measure);
  if (!known || !(e->measures & IXP_CM_BIT(p->measure))) {
    char list[160] = "";
    for (int m = 0; m < IXP_CM_COUNT; m++)
      if (e->measures & IXP_CM_BIT(m))
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", *list ? ", " : "", measure_names[m]);
    return ixp_lower_error(lw, lw->call->span, "%s estimates %s", e->name, list);
  }
  if (!groups(lw, p)) return false;
  if (lw->local) return ixp_lower_error(lw, lw->call->span, "%s gives no local values", e->name);
  if (!parse_options(lw, p) || !parse_test(lw, p)) return false;
  static const char *const se_fields[] = {"value", "stderr", NULL};
  static const char *const test_fields[] = {"value", "p", "null_mean", "null_std", NULL};
  static const char *const boot_fields[] = {"value", "low", "high", "std", NULL};
  if (p->test != TEST_NONE) {
    lw->plan->type = TY_RECORD;
    lw->plan->fields = p->test == TEST_STDERR ? se_fields : p->test == TEST_SURROGATES ? test_fields : boot_fields;
  }
  lw->plan->result = ixp_plan_kernel(lw->plan, ixp_plan_rows(lw->plan, 0), &ixp_kernel_estimator, p);
  return true;
}

/* ------------------------------------------------------------------ run */

double ixp_estimator_run(const IxpEstimator *e, const IxpEstimateCall *c, const IxpSamples *x, double *se) {
  if (se) *se = NAN;
  return e->estimate(c, x, se);
}

/* Samples without rows [lo, hi): each group's rows before and after. */
static IxpSamples without_rows(IxpArena *a, const IxpSamples *x, long lo, long hi) {
  IxpSamples w = *x;
  w.n = x->n - (hi - lo);
  for (int g = 0; g < x->ngroups; g++) {
    size_t d = (size_t)x->d[g];
    double *out = ixp_arena_alloc(a, (size_t)w.n * d * sizeof *out + 1);
    memcpy(out, x->g[g], (size_t)lo * d * sizeof *out);
    memcpy(out + (size_t)lo * d, x->g[g] + (size_t)hi * d, (size_t)(x->n - hi) * d * sizeof *out);
    w.g[g] = out;
  }
  return w;
}

double ixp_jackknife_fn(IxpJackknifeFn fn, void *ctx, struct IxpSession *s, const IxpPlanOp *op, const IxpSamples *x,
                        int blocks) {
  if (x->n < 2L * blocks)
    ixp_plan_error(s, op->plan, "a standard error by the jackknife needs at least %d rows (%ld here)", 2 * blocks, x->n);
  IxpArena *a = ixp_session_tmp(s);
  double *est = ixp_arena_alloc(a, (size_t)blocks * sizeof *est), mean = 0, ss = 0;
  IxpProgress bar;
  ixp_progress_begin(&bar, "jackknife", (uint64_t)blocks, NULL);
  for (int b = 0; b < blocks; b++) {
    ixp_plan_poll_interrupt(s, op->plan);
    ixp_progress_update(&bar, (uint64_t)b);
    IxpArenaMark mark = ixp_arena_mark(a);
    long lo = x->n * b / blocks, hi = x->n * (b + 1) / blocks;
    IxpSamples w = without_rows(a, x, lo, hi);
    est[b] = fn(ctx, &w);
    ixp_arena_release(a, mark);
  }
  ixp_progress_end(&bar);
  for (int b = 0; b < blocks; b++) mean += est[b];
  mean /= blocks;
  for (int b = 0; b < blocks; b++) ss += (est[b] - mean) * (est[b] - mean);
  return sqrt(ss * (blocks - 1) / blocks);
}

typedef struct {
  const IxpEstimator *e;
  const IxpEstimateCall *c;
} Rerun;

static double rerun(void *ctx, const IxpSamples *x) {
  const Rerun *r = ctx;
  return r->e->estimate(r->c, x, NULL);
}

double ixp_jackknife_se(const IxpEstimator *e, const IxpEstimateCall *c, const IxpSamples *x, int blocks) {
  Rerun r = {e, c};
  return ixp_jackknife_fn(rerun, &r, c->s, c->op, x, blocks);
}

/* The rows idx of every group (or of group `only` when >= 0). */
static IxpSamples pick_rows(IxpArena *a, const IxpSamples *x, const long *idx, int only) {
  IxpSamples w = *x;
  for (int g = 0; g < x->ngroups; g++) {
    if (only >= 0 && g != only) continue;
    size_t d = (size_t)x->d[g];
    double *out = ixp_arena_alloc(a, (size_t)x->n * d * sizeof *out + 1);
    for (long i = 0; i < x->n; i++) memcpy(out + (size_t)i * d, x->g[g] + (size_t)idx[i] * d, d * sizeof *out);
    w.g[g] = out;
  }
  return w;
}

/* The estimates of p->count resamples of x: surrogates (Y's rows drawn
 * by the test's method, the other groups kept) or bootstrap draws (every
 * group's rows, with repeats), each from its own seeded stream. */
static double *resampled_estimates(const Payload *p, const IxpEstimateCall *c, const IxpSamples *x) {
  IxpSession *s = c->s;
  bool surrogates = p->test == TEST_SURROGATES;
  IxpSurrogatePlan plan = {0};
  uint64_t key = 0;
  if (surrogates) {
    plan = ixp_data_surrogate_plan(s, c->op, p->data, p->method, p->block, x->n, p->count);
    key = ixp_data_surrogate_key(s, p->position, p->method, 0xe5713);
  }
  IxpArena *a = ixp_session_tmp(s);
  long *rows = ixp_arena_alloc(a, (size_t)x->n * sizeof *rows + 1);
  double *est = ixp_arena_alloc(a, (size_t)p->count * sizeof *est);
  IxpProgress bar;
  ixp_progress_begin(&bar, surrogates ? "surrogates" : "bootstrap", (uint64_t)p->count, NULL);
  for (int r = 0; r < p->count; r++) {
    ixp_plan_poll_interrupt(s, c->op->plan);
    ixp_progress_update(&bar, (uint64_t)r);
    if (surrogates && !ixp_surrogate_rows(&plan, key, r, rows))
      ixp_plan_error(s, c->op->plan, "out of memory drawing surrogates");
    if (!surrogates) {
      uint64_t draw = ixp_stream_key(s, p->position, 0xb0075e + (uint64_t)r);
      for (long i = 0; i < x->n; i++) rows[i] = (long)(ixp_rng_uniform(draw, (uint64_t)i) * (double)x->n) % x->n;
    }
    IxpArenaMark mark = ixp_arena_mark(a);
    IxpSamples w = pick_rows(a, x, rows, surrogates ? 1 : -1);  /* a surrogate resamples Y only */
    est[r] = p->e->estimate(c, &w, NULL);
    ixp_arena_release(a, mark);
  }
  ixp_progress_end(&bar);
  return est;
}

/* The measure's groups of columns, read from the dataset. */
static IxpSamples read_samples(IxpSession *s, const IxpPlanOp *op, const Payload *p, long n) {
  IxpSamples x = {.measure = p->measure, .ngroups = p->ngroups, .n = n};
  IxpArena *a = ixp_session_tmp(s);
  for (int g = 0; g < p->ngroups; g++) {
    int *vars = ixp_arena_alloc(a, (size_t)(ixp_set_count(p->set[g]) + 1) * sizeof *vars);
    x.d[g] = ixp_set_list(p->set[g], vars);
    x.g[g] = ixp_data_block(s, p->data, vars, x.d[g], op->plan->site->span);
  }
  return x;
}

static IxpValue estimator_run(IxpSession *s, const IxpPlanOp *op, const IxpReg *rows) {
  const Payload *p = op->payload;
  IxpSamples x = read_samples(s, op, p, (long)rows->n);
  IxpEstimateCall c = {s, op, p->opts, ixp_stream_key(s, p->position, 0xe5717a7e)};
  double se = NAN, u = ixp_units_scale(s);
  double value = p->e->estimate(&c, &x, p->test == TEST_STDERR ? &se : NULL);
  ixp_plan_poll_interrupt(s, op->plan);
  switch (p->test) {
  case TEST_NONE: return ixp_value_real(value * u);
  case TEST_SURROGATES: {
    IxpSurrogateTest t;
    ixp_surrogate_summary(value, resampled_estimates(p, &c, &x), p->count, &t);
    return ixp_data_test_record(s, &t);
  }
  case TEST_BOOTSTRAP: return ixp_data_interval(s, value, resampled_estimates(p, &c, &x), p->count);
  case TEST_STDERR: break;
  }
  if (!isfinite(se)) se = ixp_jackknife_se(p->e, &c, &x, IXP_JACKKNIFE_BLOCKS);
  IxpRecord *r = ixp_record_new(ixp_session_tmp(s), NULL, 2);
  r->names[0] = "value", r->names[1] = "stderr";
  r->values[0] = ixp_value_real(value * u), r->values[1] = ixp_value_real(se * u);
  return (IxpValue){.type = TY_RECORD, .record = r};
}

static void estimator_explain(IxpSession *s, const IxpPlanOp *op, const IxpReg *rows, FILE *out) {
  const Payload *p = op->payload;
  (void)s;
  IxpSamples shape = {.measure = p->measure, .ngroups = p->ngroups, .n = (long)rows->n};
  for (int g = 0; g < p->ngroups; g++) shape.d[g] = ixp_set_count(p->set[g]);
  if (p->e->explain) p->e->explain(p->opts, &shape, out);
  else fprintf(out, "%s on %zu rows", p->e->name, rows->n);
  if (p->test == TEST_STDERR) fprintf(out, ", with its standard error (its own, or a %d-block jackknife)", IXP_JACKKNIFE_BLOCKS);
  if (p->test == TEST_SURROGATES)
    fprintf(out, ", %d %s surrogates (each estimated afresh)", p->count, ixp_surrogate_method_name(p->method));
  if (p->test == TEST_BOOTSTRAP) fprintf(out, ", %d bootstrap resamples", p->count);
}

const IxpKernel ixp_kernel_estimator = {"estimate", estimator_run, estimator_explain};
