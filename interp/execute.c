/* execute.c — running a measure's plan on the kernels, and `explain`. */
#include <float.h>
#include <stdarg.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "data.h"
#include "lagcount.h"
#include "lagview.h"
#include "eliminate.h"
#include "estimators.h"
#include "gaussian.h"
#include "process.h"
#include "grow.h"
#include "interp.h"
#include "ksum.h"
#include "linear.h"

void ixp_plan_error(IxpSession *s, const IxpPlan *p, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ixp_runtime_verror(s, s->src, p->site->span, fmt, ap);
}

void ixp_plan_warning(IxpSession *s, const IxpPlan *p, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  ixp_diag_warning(&s->diag, s->src, p->site->span, "%s", msg);
}

void ixp_plan_poll_interrupt(IxpSession *s, const IxpPlan *p) { ixp_session_poll_interrupt(s, s->src, p->site->span); }

static _Noreturn void kernel_error(IxpSession *s, const IxpPlan *p, IxpJointStatus st) {
  ixp_runtime_error(s, s->src, p->site->span, "%s failed: %s", p->measure, ixp_joint_status_text(st));
}

/* Sum of coef * value, compensated. A result below the rounding error of
 * its terms (e.g. H(X) + H(Y) - H(X,Y) of independent X, Y) is exactly 0. */
static double lincomb(const IxpPlanOp *op, const IxpReg *r) {
  IxpKSum k = {0, 0};
  double scale = 0;
  for (int i = 0; i < op->nterms; i++) {
    double t = op->coef[i] * r[op->terms[i]].x;
    ixp_ksum_add(&k, t);
    scale += fabs(t);
  }
  double sum = ixp_ksum_value(k);
  return fabs(sum) <= 64 * DBL_EPSILON * scale ? 0 : sum;
}

static size_t marginal_size(IxpJoint *j, IxpVarSet set) {
  IxpJoint *m = NULL;
  uint64_t mask;
  if (!ixp_set_mask(set, &mask) || ixp_joint_marginal(j, mask, &m) != IXP_JOINT_OK) return 0;
  size_t n = m->n;
  ixp_joint_free(m);
  return n;
}

/* "{x0, x199}": names of the variables of m at vars[0..n). */
static void print_vars(FILE *out, const IxpModelDef *m, const int *vars, int n) {
  fputc('{', out);
  for (int i = 0; i < n; i++) fprintf(out, i ? ", %s" : "%s", m->vars[vars[i]].name);
  fputc('}', out);
}

static const IxpModelDef *register_model(const IxpPlan *p, int reg);

/* The order of a long elimination is shown by its first and last names. */
enum { ORDER_SHOWN = 6 };

static void explain_elimination(FILE *out, const IxpPlanOp *op, const IxpPlanSource *src, const IxpJoint *j,
                                const IxpElimination *e) {
  const IxpModelDef *m = src->model;
  fprintf(out, "  r%d = marginal of %s on ", op->out, m->name);
  print_vars(out, m, src->vars, src->nvars);
  fprintf(out, ": variable elimination, %zu state%s\n    order (%d summed out):", j->n, j->n == 1 ? "" : "s",
          e->norder);
  for (int i = 0; i < e->norder; i++) {
    if (e->norder > ORDER_SHOWN + 1 && i == ORDER_SHOWN - 1) {
      fputs(" …", out);
      i = e->norder - 1;
    }
    fprintf(out, " %s", m->vars[e->order[i]].name);
  }
  if (!e->norder) fputs(" none", out);
  fprintf(out, "\n    %d barren variable%s dropped, largest factor %zu entries\n", e->nbarren, e->nbarren == 1 ? "" : "s",
          e->largest);
}

static void explain_op(IxpSession *s, const IxpPlan *p, const IxpPlanOp *op, const IxpReg *r) {
  FILE *out = s->out;
  switch (op->kind) {
  case IXP_OP_ROWS:
    fprintf(out, "  r%d = rows of dataset %s: %d variable%s, %zu rows", op->out, p->src[op->src].model->name,
            p->src[op->src].model->nvars, p->src[op->src].model->nvars == 1 ? "" : "s", r[op->out].n);
    ixp_lagview_explain(out, p->src[op->src].model);
    fputc('\n', out);
    break;
  case IXP_OP_JOINT: {
    if (r[op->out].kind == IXP_REG_NONE) {
      fprintf(out, "  r%d = process %s: its stationary law\n", op->out, p->src[op->src].model->name);
      break;
    }
    if (r[op->out].kind == IXP_REG_GAUSSIAN) {
      fprintf(out, "  r%d = forms of %s: linear-Gaussian model, %d variables over %d independent normals (closed form)\n",
              op->out, p->src[op->src].model->name, r[op->out].d, r[op->out].forms->nb);
      break;
    }
    IxpJoint *j = r[op->out].joint;
    const IxpPlanSource *src = &p->src[op->src];
    const IxpElimination *elim = src->model->data ? NULL : ixp_model_elimination(src->model, j);
    if (elim) {
      explain_elimination(out, op, src, j, elim);
      break;
    }
    if (src->view && !src->model->data) j = src->model->cache->joint;  /* the full joint its marginal came from */
    double full = 1;
    for (int v = 0; v < j->nvars; v++) full *= j->alpha[v].card;
    if (p->src[op->src].model->data) {
      fprintf(out, "  r%d = rows of dataset %s: %d variable%s, %zu rows", op->out, p->src[op->src].model->name,
              j->nvars, j->nvars == 1 ? "" : "s", j->n);
      if (op->bins) fprintf(out, ", continuous variables in %d %s bins", op->bins, op->binning ? "quantile" : "equal-width");
      ixp_lagview_explain(out, p->src[op->src].model);
      fputc('\n', out);
    } else {
      fprintf(out, "  r%d = joint %s: exact enumeration, %d variable%s, %zu state%s (of %.0f)\n", op->out,
              p->src[op->src].model->name, j->nvars, j->nvars == 1 ? "" : "s", j->n, j->n == 1 ? "" : "s", full);
      if (src->view) {
        fputs("    its marginal on ", out);
        print_vars(out, src->model, src->vars, src->nvars);
        fprintf(out, ": %zu state%s\n", r[op->out].joint->n, r[op->out].joint->n == 1 ? "" : "s");
      }
    }
    break;
  }
  case IXP_OP_ENTROPY: {
    IxpPlanOp *src = NULL;
    for (int i = 0; i < p->nops; i++)
      if (p->ops[i].out == op->in[0]) src = &p->ops[i];
    fprintf(out, "  r%d = entropy of r%d on ", op->out, op->in[0]);
    const IxpPlanSource *from = &p->src[src->src];
    ixp_plan_print_set(out, from->view ? from->view : from->model, op->set);
    if (r[op->in[0]].kind == IXP_REG_GAUSSIAN) {
      fputs(": Gaussian, 1/2 log det(2 pi e S), S by SYRK of the forms, log det by Cholesky\n", out);
      break;
    }
    fprintf(out, ": marginal of %zu states", marginal_size(r[op->in[0]].joint, op->set));
    if (op->estimator >= 0) fprintf(out, ", %s estimator on its counts", ixp_est_name(op->estimator));
    fputc('\n', out);
    break;
  }
  case IXP_OP_MI: {
    const IxpModelDef *m = register_model(p, op->in[0]);
    fprintf(out, "  r%d = mi of r%d on ", op->out, op->in[0]);
    ixp_plan_print_set(out, m, op->set);
    fputs(" and ", out);
    ixp_plan_print_set(out, m, op->set2);
    fputs(": Gaussian closed form; when one side is an invertible function of normals only it reads, "
          "1/2 [log det S_y - log det S_y|x], else 1/2 [log det S_x + log det S_y - log det S_xy] (SYRK, Cholesky)\n", out);
    break;
  }
  case IXP_OP_KL:
    fprintf(out, "  r%d = kl(r%d || r%d)", op->out, op->in[0], op->in[1]);
    if (r[op->in[0]].kind == IXP_REG_GAUSSIAN)
      fputs(": Gaussian closed form, 1/2 [tr(S1^-1 S0) + (m1 - m0)' S1^-1 (m1 - m0) - k + ln det S1 - ln det S0] "
            "by Cholesky\n", out);
    else
      fputs(": sum over the joint's states of p ln(p / q)\n", out);
    break;
  case IXP_OP_LINCOMB:
    fprintf(out, "  r%d = linear combination:", op->out);
    for (int i = 0; i < op->nterms; i++) {
      char c[32] = "";
      if (fabs(op->coef[i]) != 1) ixp_format_num(c, sizeof c, fabs(op->coef[i]), -1), strcat(c, " ");
      fprintf(out, " %s%s%sr%d", op->coef[i] < 0 ? "-" : (i ? "+" : ""), i || op->coef[i] < 0 ? " " : "", c,
              op->terms[i]);
    }
    if (!op->nterms) fputs(" 0", out);
    fputc('\n', out);
    break;
  case IXP_OP_UNITS:
    fprintf(out, "  r%d = r%d in %s%s\n", op->out, op->in[0], s->nats ? "nats" : "bits",
            s->nats ? "" : " (divided by ln 2)");
    break;
  case IXP_OP_KERNEL:
    fprintf(out, "  r%d = %s on r%d: ", op->out, op->kernel->name, op->in[0]);
    op->kernel->explain(s, op, &r[op->in[0]], out);
    fputc('\n', out);
    break;
  }
}

/* The mask of an entropy's variables on a joint register: the lowering
 * pass made a view of the measured variables of a wider source, so they
 * fit. */
static uint64_t joint_mask(IxpSession *s, const IxpPlan *p, const IxpPlanOp *op) {
  uint64_t mask = 0;
  if (!ixp_set_mask(op->set, &mask))
    ixp_plan_error(s, p, "%s: an exact joint holds at most %d variables", p->measure, IXP_MAX_VARS);
  return mask;
}

/* An entropy estimated from the counts of the marginal's distinct rows
 * (counts are the rows' weights times the number of rows). */
static double estimate_entropy(IxpSession *s, const IxpPlan *p, const IxpPlanOp *op, IxpJoint *j) {
  IxpJoint *m = NULL;
  IxpJointStatus js = ixp_joint_marginal(j, joint_mask(s, p, op), &m);
  if (js != IXP_JOINT_OK) kernel_error(s, p, js);
  uint64_t *counts = ixp_arena_alloc(s->tmp, (m->n ? m->n : 1) * sizeof *counts);
  for (size_t k = 0; k < m->n; k++) counts[k] = (uint64_t)llround(m->p[k] * (double)j->n);
  size_t alphabet = (size_t)op->alphabet;
  if (alphabet < m->n) alphabet = m->n;  /* never fewer symbols than were seen */
  double h;
  IxpEstStatus es = ixp_entropy_from_counts((IxpDiscreteEstimator)op->estimator, counts, m->n, alphabet, &h);
  ixp_joint_free(m);
  if (es != IXP_EST_OK) ixp_plan_error(s, p, "%s: %s", p->measure, ixp_est_status_text(es));
  return h;
}

/* The members of a set, ascending, in the statement's arena. */
static int *set_list(IxpSession *s, IxpVarSet set, int *k) {
  int *idx = ixp_arena_alloc(s->tmp, (size_t)(ixp_set_count(set) + 1) * sizeof *idx);
  *k = ixp_set_list(set, idx);
  return idx;
}

/* Differential entropy of a Gaussian model's marginal on op->set: the
 * covariance of those variables from their forms. */
static double gaussian_entropy(IxpSession *s, const IxpPlan *p, const IxpPlanOp *op, const IxpReg *g) {
  int k, *idx = set_list(s, op->set, &k);
  double h = 0;
  IxpGaussStatus st = ixp_gauss_entropy(ixp_gaussian_cov(s, g->forms, idx, k), k, &h);
  if (st == IXP_GAUSS_ENOTPD)
    ixp_plan_error(s, p, "%s: the covariance of these variables is singular (one is an exact linear function "
                   "of the others), so the differential entropy is -inf", p->measure);
  if (st != IXP_GAUSS_OK) ixp_plan_error(s, p, "%s: %s", p->measure, ixp_gauss_status_text(st));
  return h;
}

/* Whether only entropies read register op->out (the counts of a lag view
 * serve them; `explain` describes the joint, so it keeps the joint). */
static bool only_entropies_read(IxpSession *s, const IxpPlan *p, const IxpPlanOp *op) {
  if (s->opt.explain) return false;
  for (int i = 0; i < p->nops; i++) {
    const IxpPlanOp *o = &p->ops[i];
    bool reads = o->kind == IXP_OP_KL ? o->in[0] == op->out || o->in[1] == op->out
                                      : o->kind != IXP_OP_JOINT && o->kind != IXP_OP_ROWS && o->kind != IXP_OP_LINCOMB &&
                                            o->in[0] == op->out;
    if (reads && o->kind != IXP_OP_ENTROPY) return false;
  }
  return true;
}

/* The source's joint: a dataset's rows as codes (a lag view's discrete
 * columns as history counts when only entropies read them), a Gaussian
 * model's covariance, or a finite model's exact enumeration. */
static IxpReg source_joint(IxpSession *s, const IxpPlan *p, const IxpPlanOp *op, const IxpPlanSource *src) {
  IxpAst *node = src->node->kind == AST_SOURCE ? src->node : NULL;
  if (src->model->data && src->model->data->lag && op->bins == 0 && only_entropies_read(s, p, op)) {
    const IxpHistCounts *h = ixp_lagcount(s, src->model, src->view ? src->vars : NULL,
                                          src->view ? src->nvars : src->model->nvars, src->node->span);
    if (h) return (IxpReg){.kind = IXP_REG_HISTORY, .hist = h};
  }
  if (src->model->data && src->view)  /* the measured columns of a wide dataset */
    return (IxpReg){.kind = IXP_REG_JOINT, .joint = ixp_data_joint_of(s, src->model, src->vars, src->nvars, op->bins,
                                                                      op->binning, src->node->span)};
  if (src->model->data)
    return (IxpReg){.kind = IXP_REG_JOINT,
                    .joint = ixp_data_joint(s, src->model, op->bins, op->binning, src->node->span)};
  if (src->model->process && !src->model->process->cols) return (IxpReg){.kind = IXP_REG_NONE};  /* read by its own kernel */
  IxpValue *params = ixp_source_params(s, src->model, node);
  if (src->model->gaussian) {
    const IxpGaussForms *g = ixp_gaussian_forms(s, src->model, params);
    double *cov = NULL;
    if (src->covariance) {  /* kl and pid read the whole covariance */
      int *all = ixp_arena_alloc(s->tmp, (size_t)(g->n ? g->n : 1) * sizeof *all);
      for (int v = 0; v < g->n; v++) all[v] = v;
      cov = ixp_gaussian_cov(s, g, all, g->n);
    }
    return (IxpReg){.kind = IXP_REG_GAUSSIAN, .forms = g, .mean = g->mean, .cov = cov, .d = src->model->nvars};
  }
  IxpJoint *j = src->vars ? ixp_model_marginal(s, src->model, params, src->vars, src->nvars, src->view != NULL,
                                                src->node->span)
                          : ixp_model_joint(s, src->model, params, src->node->span);
  return (IxpReg){.kind = IXP_REG_JOINT, .joint = j};
}

static IxpReg number(double x) { return (IxpReg){.kind = IXP_REG_NUMBER, .x = x}; }

/* The model whose joint (or covariance) register `reg` holds. */
static const IxpModelDef *register_model(const IxpPlan *p, int reg) {
  for (int i = 0; i < p->nops; i++)
    if (p->ops[i].out == reg && p->ops[i].kind == IXP_OP_JOINT) return p->src[p->ops[i].src].model;
  return NULL;
}

/* D(N0 || N1) of two linear-Gaussian models over the same variables, the
 * second's mean and covariance first put in the first's variable order. */
static double gaussian_kl(IxpSession *s, const IxpPlan *p, const IxpPlanOp *op, const IxpReg *r) {
  const IxpReg *g0 = &r[op->in[0]], *g1 = &r[op->in[1]];
  const IxpModelDef *m0 = register_model(p, op->in[0]), *m1 = register_model(p, op->in[1]);
  size_t d = (size_t)g0->d;
  int *at = ixp_arena_alloc(s->tmp, d * sizeof *at);
  double *mean = ixp_arena_alloc(s->tmp, d * sizeof *mean), *cov = ixp_arena_alloc(s->tmp, d * d * sizeof *cov);
  for (size_t i = 0; i < d; i++) at[i] = ixp_model_var(m1, m0->vars[i].name);
  for (size_t i = 0; i < d; i++) {
    mean[i] = g1->mean[at[i]];
    for (size_t j = 0; j < d; j++) cov[i * d + j] = g1->cov[(size_t)at[i] * d + (size_t)at[j]];
  }
  double kl = 0, ld;
  IxpGaussStatus st = ixp_gauss_kl(g0->mean, g0->cov, mean, cov, (long)d, &kl);
  if (st == IXP_GAUSS_ENOTPD) {
    const IxpModelDef *bad = ixp_logdet(g0->cov, (long)d, (long)d, &ld) == IXP_GAUSS_ENOTPD ? m0 : m1;
    ixp_plan_error(s, p, "%s: the covariance of model '%s' is singular (one of its variables is an exact linear "
                   "function of the others), so the divergence has no closed form", p->measure, bad->name);
  }
  if (st != IXP_GAUSS_OK) ixp_plan_error(s, p, "%s: %s", p->measure, ixp_gauss_status_text(st));
  return kl;
}

/* I(set; set2) of a Gaussian register in closed form. */
static double gaussian_mi(IxpSession *s, const IxpPlan *p, const IxpPlanOp *op, const IxpReg *g) {
  int nx, ny, *x = set_list(s, op->set, &nx), *y = set_list(s, op->set2, &ny);
  double mi = 0;
  IxpGaussStatus st = ixp_gaussian_mi(s, g->forms, x, nx, y, ny, &mi);
  if (st == IXP_GAUSS_ENOTPD)
    ixp_plan_error(s, p, "%s: the covariance of these variables is singular (one is an exact linear function "
                   "of the others), so the differential entropy is -inf", p->measure);
  if (st != IXP_GAUSS_OK) ixp_plan_error(s, p, "%s: %s", p->measure, ixp_gauss_status_text(st));
  return mi;
}

/* An entropy of history counts: the plug-in one when no estimator is named. */
static double history_entropy(IxpSession *s, const IxpPlan *p, const IxpPlanOp *op, const IxpHistCounts *c) {
  double h = 0;
  IxpDiscreteEstimator e = op->estimator >= 0 ? (IxpDiscreteEstimator)op->estimator : IXP_EST_PLUGIN;
  IxpEstStatus st = ixp_history_entropy(c, joint_mask(s, p, op), e, (size_t)op->alphabet, &h);
  if (st != IXP_EST_OK) ixp_plan_error(s, p, "%s: %s", p->measure, ixp_est_status_text(st));
  return h;
}

static IxpReg entropy(IxpSession *s, const IxpPlan *p, const IxpPlanOp *op, const IxpReg *in) {
  if (in->kind == IXP_REG_GAUSSIAN) return number(gaussian_entropy(s, p, op, in));
  if (in->kind == IXP_REG_HISTORY) return number(history_entropy(s, p, op, in->hist));
  if (op->estimator >= 0) return number(estimate_entropy(s, p, op, in->joint));
  double h = 0;
  IxpJointStatus st = ixp_joint_entropy(in->joint, joint_mask(s, p, op), &h);
  if (st != IXP_JOINT_OK) kernel_error(s, p, st);
  return number(h);
}

static IxpReg run_op(IxpSession *s, const IxpPlan *p, const IxpPlanOp *op, const IxpReg *r) {
  switch (op->kind) {
  case IXP_OP_JOINT: return source_joint(s, p, op, &p->src[op->src]);
  case IXP_OP_ROWS: {
    IxpModelDef *m = p->src[op->src].model;
    return (IxpReg){.kind = IXP_REG_ROWS, .n = ixp_data_rows_count(s, m, p->src[op->src].node->span)};
  }
  case IXP_OP_ENTROPY: return entropy(s, p, op, &r[op->in[0]]);
  case IXP_OP_MI: return number(gaussian_mi(s, p, op, &r[op->in[0]]));
  case IXP_OP_KL: {
    if (r[op->in[0]].kind == IXP_REG_GAUSSIAN) return number(gaussian_kl(s, p, op, r));
    double d = 0;
    IxpJointStatus st = ixp_joint_kl(r[op->in[0]].joint, r[op->in[1]].joint, &d);
    if (st != IXP_JOINT_OK) kernel_error(s, p, st);
    return number(d);
  }
  case IXP_OP_LINCOMB: return number(lincomb(op, r));
  case IXP_OP_UNITS: return number(s->nats ? r[op->in[0]].x : r[op->in[0]].x / M_LN2);
  case IXP_OP_KERNEL: return (IxpReg){.kind = IXP_REG_VALUE, .v = op->kernel->run(s, op, &r[op->in[0]])};
  }
  return (IxpReg){.kind = IXP_REG_NONE};
}

/* `ixp explain` prints each plan once: the session remembers which. */
static bool explain_first_time(IxpSession *s, const IxpPlan *p) {
  for (int i = 0; i < s->nexplained; i++)
    if (s->explained[i] == p) return false;
  if (!ixp_grow(&s->explained, &s->capexplained, s->nexplained + 1, sizeof *s->explained)) return true;
  s->explained[s->nexplained++] = p;
  return true;
}

IxpValue ixp_execute_plan(IxpSession *s, const IxpPlan *p) {
  IxpReg *r = ixp_arena_alloc(s->tmp, (size_t)(p->nregs ? p->nregs : 1) * sizeof *r);
  bool explain = s->opt.explain && explain_first_time(s, p);
  if (explain) {
    int line, col;
    ixp_source_position(s->src, p->site->span.start, &line, &col);
    fprintf(s->out, "%s:%d:%d: %.*s\n", s->src->name, line, col, (int)(p->site->span.end - p->site->span.start),
            s->src->text + p->site->span.start);
  }
  for (int i = 0; i < p->nops; i++) {
    ixp_session_poll_interrupt(s, s->src, p->site->span);
    r[p->ops[i].out] = run_op(s, p, &p->ops[i], r);
    if (explain) explain_op(s, p, &p->ops[i], r);
  }
  const IxpReg *result = &r[p->result];
  return result->kind == IXP_REG_VALUE ? result->v : ixp_value_real(result->x);
}
