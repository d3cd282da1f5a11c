/* measures_pid.c — pid(sources -> target) in M using MEASURE: lowering
 * and the kernel that decomposes a model's exact joint (stdlib/pid.c).
 *
 * Sources are the variables before '->' (each its own source), or groups
 * split by ';' when there is one; the target is everything after '->'.
 * The result is a record of the redundancy lattice's atoms, named as in
 * the literature ({1}{2}, {1}, {2}, {12} for two sources), followed by
 * for broja the solver's certificate, then the aliases redundancy,
 * synergy and unique_NAME.
 *
 * On a dataset's continuous columns `using` names the estimator, as it
 * does for every measure on data, and `measure =` the decomposition:
 *
 *   pid(x1, x2 -> y) in d using gaussian                 Gaussian MMI (Barrett 2015)
 *   pid(x1, x2 -> y, measure = broja) in d using gcmi    = MMI for a scalar target
 *
 * from the sample covariance (of the normal scores, for gcmi): every
 * I(S_A; T) by log-determinants, then ixp_pid_mmi. */
#include <stdio.h>
#include <string.h>

#include "copula.h"
#include "gaussian.h"
#include "measures_pid.h"
#include "model.h"
#include "runtime.h"
#include "library.h"
#include "pid.h"
#include "tabulate.h"

#define MAX_ENTRIES ((size_t)1 << 26)

typedef struct {
  int nsources;
  IxpVarSet sets[IXP_TABULATE_MAX_GROUPS];  /* target first, then the sources */
  IxpPidMeasure measure;
  IxpPidLattice *lattice;
  char **names;       /* field names: atoms, aliases, certificate */
  int nnames, natoms, shown;
  int *alias_atom;    /* for each alias, its atom */
  /* continuous data: */
  IxpModelDef *data;
  bool scores, bias;  /* gcmi's normal scores; each log-det less its bias */
} Payload;

static const struct {
  const char *name;
  IxpPidMeasure measure;
} methods[] = {{"imin", IXP_PID_IMIN}, {"immi", IXP_PID_IMMI}, {"iccs", IXP_PID_ICCS}, {"isx", IXP_PID_ISX}, {"broja", IXP_PID_BROJA}};

static const char *const certificate[] = {"primal_infeasibility", "dual_infeasibility", "duality_gap"};

/* Sources and target from the arguments. */
static bool split(IxpLowering *lw, Payload *p) {
  bool grouped = false;
  int arrow = -1;
  p->sets[0] = ixp_lower_set(lw);
  for (int i = 0; i < lw->nargs; i++) {
    if (lw->args[i].sep == SEP_SEMI) grouped = true;
    if (lw->args[i].sep == SEP_ARROW) {
      if (arrow >= 0) return ixp_lower_error(lw, lw->args[i].node->sep_span, "pid has one '->' before the target");
      arrow = i;
    }
    if (lw->args[i].sep == SEP_BAR || lw->args[i].sep == SEP_BARBAR)
      return ixp_lower_error(lw, lw->args[i].node->sep_span, "pid takes pid(S1, S2, ... -> T)");
  }
  if (arrow < 1) return ixp_lower_error(lw, lw->call->span, "pid takes sources, '->' and the target: pid(a, b -> t)");
  for (int i = arrow; i < lw->nargs; i++) {
    if (i > arrow && lw->args[i].sep == SEP_SEMI) return ixp_lower_error(lw, lw->args[i].node->sep_span, "the target is one group");
    ixp_set_add(p->sets[0], lw->args[i].var);
  }
  for (int i = 0; i < arrow; i++) {
    if (i == 0 || !grouped || lw->args[i].sep == SEP_SEMI) {
      if (p->nsources == IXP_TABULATE_MAX_GROUPS - 1) return ixp_lower_error(lw, lw->call->span, "pid takes at most 7 sources");
      p->sets[++p->nsources] = ixp_lower_set(lw);
    }
    ixp_set_add(p->sets[p->nsources], lw->args[i].var);
  }
  return true;
}

static bool method(IxpLowering *lw, Payload *p) {
  if (!lw->method) return ixp_lower_error(lw, lw->call->span, "pid needs a measure: using imin, immi, iccs, isx or broja");
  for (size_t i = 0; i < sizeof methods / sizeof *methods; i++)
    if (!strcmp(lw->method->str, methods[i].name)) {
      if (lw->method->nitems) return ixp_lower_error(lw, lw->method->span, "this PID measure takes no options");
      p->measure = methods[i].measure;
      return true;
    }
  return ixp_lower_error(lw, lw->method->span, "unknown PID measure (imin, immi, iccs, isx or broja)");
}

/* Field names: the atoms, for broja the certificate, then the aliases
 * redundancy, synergy and unique_<source> (not printed). */
static void name_fields(IxpLowering *lw, Payload *p) {
  int n = p->lattice->natoms, cap = n + 2 + p->nsources + 3;
  p->names = ixp_arena_alloc(lw->arena, (size_t)(cap + 1) * sizeof *p->names);
  p->alias_atom = ixp_arena_alloc(lw->arena, (size_t)cap * sizeof *p->alias_atom);
  for (int a = 0; a < n; a++) {
    char buf[256];
    ixp_pid_atom_name(p->lattice, a, buf, sizeof buf);
    p->names[a] = ixp_arena_strndup(lw->arena, buf, strlen(buf));
  }
  p->natoms = n;
  int k = n;
  if (p->measure == IXP_PID_BROJA)
    for (int i = 0; i < 3; i++) p->alias_atom[k - n] = -1 - i, p->names[k++] = (char *)certificate[i];
  p->shown = k;
  uint32_t all = (1u << p->nsources) - 1;
  for (int a = 0; a < n; a++) {
    int lo = p->lattice->offset[a], hi = p->lattice->offset[a + 1];
    bool bottom = hi - lo == p->nsources;
    for (int i = lo; i < hi && bottom; i++) bottom = __builtin_popcount(p->lattice->sets[i]) == 1;
    if (bottom && p->nsources > 1) p->alias_atom[k - n] = a, p->names[k++] = "redundancy";
  }
  for (int a = 0; a < n; a++)
    if (p->lattice->offset[a + 1] - p->lattice->offset[a] == 1 && p->lattice->sets[p->lattice->offset[a]] == all && p->nsources > 1)
      p->alias_atom[k - n] = a, p->names[k++] = "synergy";
  for (int src = 0; src < p->nsources && p->nsources > 1; src++) {
    IxpVarSet m = p->sets[src + 1];
    if (ixp_set_count(m) != 1) continue;
    for (int a = 0; a < n; a++)
      if (p->lattice->offset[a + 1] - p->lattice->offset[a] == 1 && p->lattice->sets[p->lattice->offset[a]] == 1u << src) {
        char buf[128];
        snprintf(buf, sizeof buf, "unique_%s", lw->model->vars[ixp_set_next(m, 0)].name);
        p->alias_atom[k - n] = a;
        p->names[k++] = ixp_arena_strndup(lw->arena, buf, strlen(buf));
      }
  }
  p->names[k] = NULL;
  p->nnames = k;
}

static void free_lattice(void *l) { ixp_pid_lattice_free(l); }

/* The lattice of p's sources, the record's fields, and kernel k on
 * register `in` as the plan's result. */
static bool lattice_plan(IxpLowering *lw, Payload *p, int in, const IxpKernel *k) {
  IxpPidStatus st = ixp_pid_lattice(p->nsources, &p->lattice);
  if (st != IXP_PID_OK) return ixp_lower_error(lw, lw->call->span, "%s", ixp_pid_status_text(st));
  ixp_arena_defer(lw->arena, free_lattice, p->lattice);
  name_fields(lw, p);
  lw->plan->type = TY_RECORD;
  lw->plan->fields = (const char *const *)p->names;
  lw->plan->result = ixp_plan_kernel(lw->plan, in, k, p);
  return true;
}

extern const IxpKernel ixp_kernel_pid;

static bool lower_pid(IxpLowering *lw) {
  Payload *p = ixp_arena_alloc(lw->arena, sizeof *p);
  if (!split(lw, p) || !method(lw, p)) return false;
  if (lw->noptions)
    return ixp_lower_error(lw, lw->options[0].node->span, "pid takes no options here; the measure comes with 'using' "
                           "(measure = is for continuous data, whose 'using' names the estimator)");
  if (lw->nat) return ixp_lower_error(lw, lw->at[0].node->span, "pid takes no 'at'");
  if (p->measure == IXP_PID_BROJA && p->nsources != 2) return ixp_lower_error(lw, lw->method->span, "broja decomposes two sources");
  if (lw->model->gaussian && (p->measure != IXP_PID_IMMI || p->nsources != 2))
    return ixp_lower_error(lw, lw->method->span, "on a Gaussian model, pid is the closed-form MMI decomposition of two sources (using immi)");
  if (lw->model->gaussian) lw->plan->src[0].covariance = true;  /* the MMI closed form reads the covariance */
  return lattice_plan(lw, p, lw->joint, &ixp_kernel_pid);
}

/* I(A; T) of a Gaussian from its covariance, groups as sets. */
static double gauss_mi(IxpSession *s, const IxpPlanOp *op, const double *cov, int n, IxpVarSet a, IxpVarSet t) {
  long *x = ixp_arena_alloc(ixp_session_tmp(s), 2 * (size_t)n * sizeof *x), *y = x + n, nx = 0, ny = 0;
  for (int v = 0; v < n; v++) {
    if (ixp_set_has(a, v)) x[nx++] = v;
    if (ixp_set_has(t, v)) y[ny++] = v;
  }
  double mi;
  IxpGaussStatus st = ixp_gauss_mi(cov, n, x, nx, y, ny, NULL, 0, &mi);
  if (st != IXP_GAUSS_OK) ixp_plan_error(s, op->plan, "pid: %s", ixp_gauss_status_text(st));
  return mi;
}

/* The minimum-mutual-information PID of a Gaussian (Barrett 2015):
 * redundancy min_i I(S_i; T), unique I(S_i; T) - redundancy, synergy the
 * rest of I(S1, S2; T). Atoms in lattice order. */
static void gaussian_mmi(IxpSession *s, const IxpPlanOp *op, const Payload *p, const IxpReg *g, double *atoms) {
  const double *cov = g->cov;
  int n = g->d;
  double i1 = gauss_mi(s, op, cov, n, p->sets[1], p->sets[0]), i2 = gauss_mi(s, op, cov, n, p->sets[2], p->sets[0]);
  double i12 = gauss_mi(s, op, cov, n, ixp_set_union(ixp_session_tmp(s), p->sets[1], p->sets[2]), p->sets[0]);
  double red = i1 < i2 ? i1 : i2;
  for (int a = 0; a < p->natoms; a++) {
    int lo = p->lattice->offset[a], hi = p->lattice->offset[a + 1];
    uint32_t set = p->lattice->sets[lo];
    atoms[a] = hi - lo == 2 ? red : set == 1 ? i1 - red : set == 2 ? i2 - red : i12 - i1 - i2 + red;
  }
}

/* The result record: atoms in the session's units, the certificate's
 * fields (broja), then the aliases. */
static IxpValue atoms_record(IxpSession *s, const Payload *p, const double *atoms, const IxpPidCertificate *cert) {
  double u = ixp_units_scale(s), c[3] = {0, 0, 0};
  if (cert) c[0] = cert->primal_infeasibility, c[1] = cert->dual_infeasibility, c[2] = cert->duality_gap;
  IxpRecord *r = ixp_record_new(ixp_session_tmp(s), NULL, p->nnames);
  for (int i = 0; i < p->nnames; i++) {
    int a = i < p->natoms ? i : p->alias_atom[i - p->natoms];
    r->names[i] = p->names[i];
    r->values[i] = ixp_value_real(a >= 0 ? atoms[a] * u : c[-1 - a]);
  }
  r->shown = p->shown;
  return (IxpValue){.type = TY_RECORD, .record = r};
}

static IxpValue pid_run(IxpSession *s, const IxpPlanOp *op, const IxpReg *in) {
  const Payload *p = op->payload;
  IxpJoint *j = in->joint;
  if (in->kind == IXP_REG_GAUSSIAN) {
    double *atoms = ixp_arena_alloc(ixp_session_tmp(s), (size_t)p->natoms * sizeof *atoms);
    gaussian_mmi(s, op, p, in, atoms);
    return atoms_record(s, p, atoms, NULL);
  }
  IxpTabulated t;
  uint64_t masks[IXP_TABULATE_MAX_GROUPS];  /* a joint's variables: the lowering pass made a view of at most 64 */
  for (int g = 0; g <= p->nsources; g++)
    if (!ixp_set_mask(p->sets[g], &masks[g])) ixp_plan_error(s, op->plan, "pid: a joint of more than 64 variables");
  IxpJointStatus js = ixp_tabulate(j, masks, p->nsources + 1, MAX_ENTRIES, &t);
  if (js != IXP_JOINT_OK) ixp_plan_error(s, op->plan, "pid: %s", ixp_joint_status_text(js));
  IxpArena *tmp = ixp_session_tmp(s);
  double *atoms = ixp_arena_alloc(tmp, (size_t)p->natoms * sizeof *atoms);
  IxpPidCertificate cert = {0};
  IxpPidOptions opt = {.measure = p->measure};
  IxpPidStatus st = ixp_pid(t.p, t.size[0], p->nsources, t.size + 1, p->lattice, &opt, atoms, &cert);
  ixp_tabulated_free(&t);
  if (st == IXP_PID_ENOCONVERGE && p->measure == IXP_PID_ICCS)
    ixp_plan_error(s, op->plan, "pid using iccs: the maximum-entropy solver did not reach its tolerance");
  if (st == IXP_PID_ENOCONVERGE)
    ixp_plan_error(s, op->plan, "pid using broja did not converge (primal infeasibility %.3g, dual infeasibility %.3g, duality gap %.3g)",
                   cert.primal_infeasibility, cert.dual_infeasibility, cert.duality_gap);
  if (st != IXP_PID_OK) ixp_plan_error(s, op->plan, "pid: %s", ixp_pid_status_text(st));
  return atoms_record(s, p, atoms, &cert);
}

static void pid_explain(IxpSession *s, const IxpPlanOp *op, const IxpReg *in, FILE *out) {
  const Payload *p = op->payload;
  (void)s;
  if (in->kind == IXP_REG_GAUSSIAN)
    fprintf(out, "Gaussian MMI in closed form (Barrett 2015) from the model's covariance, 2 sources");
  else
    fprintf(out, "%s on %d sources, %d atoms of the redundancy lattice (Moebius inversion)", methods[p->measure].name,
            p->nsources, p->natoms);
}

const IxpKernel ixp_kernel_pid = {"partial information decomposition", pid_run, pid_explain};

/* ------------------------------------------------------ continuous data */

/* using gaussian(bias = 0 | 1) | gcmi(bias = 0 | 1). */
static bool continuous_estimator(IxpLowering *lw, Payload *p) {
  IxpAst *use = lw->method;
  if (!use || (strcmp(use->str, "gaussian") && strcmp(use->str, "gcmi")))
    return ixp_lower_error(lw, use ? use->span : lw->call->span, "pid on continuous columns is estimated with gaussian "
                           "or gcmi (pid(x1, x2 -> y, measure = immi) in d using gaussian); the measure is the option "
                           "measure = immi | broja");
  p->scores = !strcmp(use->str, "gcmi");
  p->bias = p->scores;
  for (int i = 0; i < use->nitems; i++) {
    IxpAst *arg = use->items[i], *v = arg->a;
    if (!arg->str || strcmp(arg->str, "bias")) return ixp_lower_error(lw, arg->span, "%s takes bias = 0 | 1", use->str);
    if (v->kind != AST_NUM || (v->num != 0 && v->num != 1)) return ixp_lower_error(lw, v->span, "bias is 0 or 1");
    p->bias = v->num == 1;
  }
  return true;
}

/* measure = immi (the default) | broja: on Gaussian data BROJA equals
 * MMI for a scalar target (Barrett 2015), and is refused otherwise. */
static bool continuous_measure(IxpLowering *lw, Payload *p) {
  p->measure = IXP_PID_IMMI;
  for (int i = 0; i < lw->noptions; i++) {
    const IxpOption *o = &lw->options[i];
    IxpAst *v = o->value;
    if (strcmp(o->name, "measure")) return ixp_lower_error(lw, o->node->span, "pid takes measure = immi | broja");
    if (v->kind != AST_NAME || (strcmp(v->str, "immi") && strcmp(v->str, "broja")))
      return ixp_lower_error(lw, v->span, "on continuous data the measure is immi or broja (Gaussian BROJA is MMI)");
    if (!strcmp(v->str, "broja") && (p->nsources != 2 || ixp_set_count(p->sets[0]) != 1))
      return ixp_lower_error(lw, v->span, "Gaussian BROJA equals MMI for two sources and a one-column target (Barrett "
                             "2015); for more, use measure = immi");
  }
  return true;
}

extern const IxpKernel ixp_kernel_pid_continuous;

bool ixp_lower_pid_continuous(IxpLowering *lw) {
  Payload *p = ixp_arena_alloc(lw->arena, sizeof *p);
  memset(p, 0, sizeof *p);
  p->data = lw->model;
  if (!split(lw, p) || !continuous_estimator(lw, p) || !continuous_measure(lw, p)) return false;
  if (lw->nat) return ixp_lower_error(lw, lw->at[0].node->span, "pid takes no 'at'");
  if (lw->test) return ixp_lower_error(lw, lw->test->span, "pid on data takes no test");
  IxpVarSet seen = ixp_lower_set(lw);
  for (int g = 0; g <= p->nsources; g++) {
    IxpVarSet both = ixp_set_union(lw->arena, seen, p->sets[g]);
    if (ixp_set_count(both) != ixp_set_count(seen) + ixp_set_count(p->sets[g]))
      return ixp_lower_error(lw, lw->call->span, "a variable is in two of pid's groups");
    seen = both;
  }
  return lattice_plan(lw, p, ixp_plan_rows(lw->plan, 0), &ixp_kernel_pid_continuous);
}

/* Column indices (in the block of target then sources) of the sources in A. */
static long source_columns(const int *start, uint32_t A, int nsources, long *idx) {
  long k = 0;
  for (int i = 0; i < nsources; i++)
    if (A >> i & 1)
      for (int j = start[i + 1]; j < start[i + 2]; j++) idx[k++] = j;
  return k;
}

static IxpValue pid_continuous_run(IxpSession *s, const IxpPlanOp *op, const IxpReg *in) {
  const Payload *p = op->payload;
  IxpArena *a = ixp_session_tmp(s);
  long n = (long)in->n;
  int start[IXP_TABULATE_MAX_GROUPS + 1], d = 0;
  int *vars = ixp_arena_alloc(a, (size_t)p->data->nvars * sizeof *vars);
  for (int g = 0; g <= p->nsources; g++) start[g] = d, d += ixp_set_list(p->sets[g], vars + d);
  start[p->nsources + 1] = d;
  const char *est = p->scores ? "gcmi" : "gaussian";
  if (p->bias && n <= d) ixp_plan_error(s, op->plan, "pid using %s(bias = 1) needs more rows than columns", est);
  double *x = ixp_data_block(s, p->data, vars, d, op->plan->site->span);
  if (p->scores && !ixp_normal_scores(x, n, d, x)) ixp_plan_error(s, op->plan, "gcmi: out of memory computing normal scores");
  double *cov = ixp_arena_alloc(a, (size_t)d * (size_t)d * sizeof *cov);
  IxpGaussStatus gs = ixp_covariance(x, n, d, cov);
  uint32_t full = (1u << p->nsources) - 1;
  double *mi = ixp_arena_alloc(a, (size_t)(full + 1) * sizeof *mi);
  long *t = ixp_arena_alloc(a, (size_t)d * sizeof *t), *src = ixp_arena_alloc(a, (size_t)d * sizeof *src);
  long nt = start[1];
  for (long j = 0; j < nt; j++) t[j] = j;
  mi[0] = 0;
  for (uint32_t A = 1; A <= full && gs == IXP_GAUSS_OK; A++) {
    long ns = source_columns(start, A, p->nsources, src);
    gs = ixp_gauss_mi(cov, d, src, ns, t, nt, NULL, 0, &mi[A]);
    if (p->bias) mi[A] -= ixp_gauss_mi_bias(ns, nt, 0, n);
  }
  if (gs == IXP_GAUSS_ENOTPD)
    ixp_plan_error(s, op->plan, "pid using %s: the sample covariance is singular (a column is constant or a linear "
                   "combination of others)", est);
  if (gs != IXP_GAUSS_OK) ixp_plan_error(s, op->plan, "pid using %s: %s", est, ixp_gauss_status_text(gs));
  double *atoms = ixp_arena_alloc(a, (size_t)p->natoms * sizeof *atoms);
  IxpPidStatus st = ixp_pid_mmi(p->lattice, mi, atoms);
  if (st != IXP_PID_OK) ixp_plan_error(s, op->plan, "pid: %s", ixp_pid_status_text(st));
  return atoms_record(s, p, atoms, NULL);
}

static void pid_continuous_explain(IxpSession *s, const IxpPlanOp *op, const IxpReg *in, FILE *out) {
  const Payload *p = op->payload;
  (void)s;
  fprintf(out, "Gaussian MMI (Barrett 2015) on %d sources from the covariance of %zu rows%s: I(S_A; T) of every set of "
          "sources by Cholesky log-determinants%s, atoms by Moebius inversion", p->nsources, in->n,
          p->scores ? " of normal scores (gcmi)" : "", p->bias ? " less their finite-sample bias" : "");
}

const IxpKernel ixp_kernel_pid_continuous = {"partial information decomposition", pid_continuous_run,
                                             pid_continuous_explain};

static const IxpOptionSpec none[] = {{NULL, IXP_OPTION_VALUE, NULL, NULL}};
static const IxpOptionSpec measure_option[] = {{"measure", IXP_OPTION_WORD, NULL, NULL}, {NULL, IXP_OPTION_VALUE, NULL, NULL}};

static const IxpMeasure registry[] = {
    {"pid", "pid(S1, S2, ... -> T) using M", "partial information decomposition (imin, immi, iccs, isx, broja)",
     MEASURE_OVER_VARIABLES, lower_pid, IXP_ESTIMAND_JOINT, measure_option, none},
};

void ixp_open_pid(IxpLibrary *lib) {
  ixp_library_add_measures(lib, registry, (int)(sizeof registry / sizeof *registry));
}
