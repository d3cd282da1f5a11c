/* measures_pid.c — pid(sources -> target) in M using MEASURE: lowering
 * and the kernel that decomposes a model's exact joint (stdlib/pid.c).
 *
 * Sources are the variables before '->' (each its own source), or groups
 * split by ';' when there is one; the target is everything after '->'.
 * The result is a record of the redundancy lattice's atoms, named as in
 * the literature ({1}{2}, {1}, {2}, {12} for two sources), followed by
 * for broja the solver's certificate, then the aliases redundancy,
 * synergy and unique_NAME. */
#include <stdio.h>
#include <string.h>

#include "gaussian.h"
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

extern const IxpKernel ixp_kernel_pid;

static bool lower_pid(IxpLowering *lw) {
  Payload *p = ixp_arena_alloc(lw->arena, sizeof *p);
  if (!split(lw, p) || !method(lw, p)) return false;
  if (lw->noptions) return ixp_lower_error(lw, lw->options[0].node->span, "pid takes no options; the measure comes with 'using'");
  if (lw->nat) return ixp_lower_error(lw, lw->at[0].node->span, "pid takes no 'at'");
  if (p->measure == IXP_PID_BROJA && p->nsources != 2) return ixp_lower_error(lw, lw->method->span, "broja decomposes two sources");
  if (lw->model->gaussian && (p->measure != IXP_PID_IMMI || p->nsources != 2))
    return ixp_lower_error(lw, lw->method->span, "on a Gaussian model, pid is the closed-form MMI decomposition of two sources (using immi)");
  if (lw->model->gaussian) lw->plan->src[0].covariance = true;  /* the MMI closed form reads the covariance */
  IxpPidStatus st = ixp_pid_lattice(p->nsources, &p->lattice);
  if (st != IXP_PID_OK) return ixp_lower_error(lw, lw->call->span, "%s", ixp_pid_status_text(st));
  ixp_arena_defer(lw->arena, free_lattice, p->lattice);
  name_fields(lw, p);
  lw->plan->type = TY_RECORD;
  lw->plan->fields = (const char *const *)p->names;
  lw->plan->result = ixp_plan_kernel(lw->plan, lw->joint, &ixp_kernel_pid, p);
  return true;
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

static const IxpOptionSpec none[] = {{NULL, IXP_OPTION_VALUE, NULL, NULL}};

static const IxpMeasure registry[] = {
    {"pid", "pid(S1, S2, ... -> T) using M", "partial information decomposition (imin, immi, iccs, isx, broja)",
     MEASURE_OVER_VARIABLES, lower_pid, IXP_ESTIMAND_JOINT, none, none},
};

void ixp_open_pid(IxpLibrary *lib) {
  ixp_library_add_measures(lib, registry, (int)(sizeof registry / sizeof *registry));
}
