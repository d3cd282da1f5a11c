/* measures_rd.c — rd, ib and capacity: lowering rules and the kernels
 * that run them on a model's exact joint (Blahut–Arimoto and the
 * information bottleneck, stdlib/rd.c).
 *
 *   rd(x, distortion = hamming) in M at D = 0.1       a point (record)
 *   rd(x, distortion = squared, beta = [..]) in M     a curve (table)
 *   ib(x; y, beta = 2) in M                           a point of the IB
 *   capacity(x -> y) in M                             the channel x -> y
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model.h"
#include "runtime.h"
#include "library.h"
#include "rd.h"
#include "tabulate.h"

#define MAX_ENTRIES ((size_t)1 << 26)

typedef enum { DIST_HAMMING, DIST_SQUARED, DIST_ABS, DIST_MATRIX, DIST_EXPR } DistortionKind;

/* What lowering prepared for the kernels. */
typedef struct {
  uint64_t x, y;            /* source (rd), or X and Y (ib), or input and output (capacity) */
  DistortionKind distortion;
  IxpAst *matrix;           /* DIST_MATRIX: the matrix expression; DIST_EXPR: an expression in the source and xhat */
  IxpModelDef *pair;        /* DIST_EXPR: the names (source variable, xhat) the expression reads */
  IxpAst *reproduction;     /* optional vector of reproduction values */
  IxpAst *beta;             /* number (a point) or vector (a curve) */
  IxpAst *target_d;         /* `at D = ...`: number or vector */
  IxpAst *clusters, *restarts;
  IxpIBVariant variant;
  IxpType points;           /* the type of beta or D: a number gives a point, a vector a curve */
} Payload;

/* The masks of a measure's sides, split at `sep` into at most `max`
 * sides; their number, or -1 if another separator is used. These
 * measures run on a joint, whose variables a mask names (the lowering
 * pass made a view of the measured ones on a wider source). */
static int groups(IxpLowering *lw, IxpOp sep, uint64_t *mask, int max) {
  int *side = ixp_arena_alloc(lw->arena, (size_t)(lw->nargs ? lw->nargs : 1) * sizeof *side);
  int n = ixp_lower_sides(lw, &sep, max - 1, side);
  for (int k = 0; k < n; k++)
    if (!ixp_set_mask(ixp_lower_side_set(lw, side, k), &mask[k])) {
      ixp_lower_error(lw, lw->call->span, "%s works on a joint of at most %d variables", lw->measure->name, IXP_MAX_VARS);
      return -1;
    }
  return n;
}

static bool numeric_option(IxpLowering *lw, const IxpOption *opt, bool vector_ok) {
  IxpType t = opt->type;
  if (t == TY_NUM || t == TY_ANY || (vector_ok && t == TY_VEC)) return true;
  return ixp_lower_error(lw, opt->value->span, "option '%s' needs a number%s, not a %s", opt->name,
                         vector_ok ? " or a vector" : "", ixp_type_name(t));
}

static bool unknown_option(IxpLowering *lw, const IxpOption *opt, const char *known) {
  return ixp_lower_error(lw, opt->node->span, "%s takes no option '%s' (its options: %s)", lw->call->str, opt->name, known);
}

/* Does the expression name xhat? */
static bool names_xhat(const IxpAst *e, const void *ctx) {
  (void)ctx;
  return e->kind == AST_NAME && !strcmp(e->str, "xhat");
}

static bool reads_xhat(const IxpAst *e) { return ixp_ast_any(e, names_xhat, NULL); }

/* distortion = hamming | squared | abs | a matrix | an expression in x and
 * xhat (checked over those two names: option->scope). */
static bool distortion_option(IxpLowering *lw, const IxpOption *opt, Payload *p) {
  IxpAst *v = opt->value;
  if (v->kind == AST_NAME && !strcmp(v->str, "hamming")) p->distortion = DIST_HAMMING;
  else if (v->kind == AST_NAME && !strcmp(v->str, "squared")) p->distortion = DIST_SQUARED;
  else if (v->kind == AST_NAME && !strcmp(v->str, "abs")) p->distortion = DIST_ABS;
  else if (reads_xhat(v)) {  /* an expression in the source variable and xhat */
    if (__builtin_popcountll(p->x) != 1 || !opt->scope)
      return ixp_lower_error(lw, v->span, "a distortion expression needs a single source variable");
    if (opt->type != TY_NUM && opt->type != TY_ANY) return ixp_lower_error(lw, v->span, "a distortion expression gives a number");
    p->distortion = DIST_EXPR;
    p->matrix = v;
    p->pair = opt->scope;
  } else {
    if (opt->type != TY_MAT && opt->type != TY_ANY)
      return ixp_lower_error(lw, v->span, "distortion is hamming, squared, abs, a matrix (rows: source values, columns: "
                                          "reproductions) or an expression in the source variable and xhat");
    p->distortion = DIST_MATRIX;
    p->matrix = v;
  }
  return true;
}

/* `using` is not for these measures; `at` takes D or beta. */
static bool at_clauses(IxpLowering *lw, Payload *p, bool allow_d) {
  if (lw->method) return ixp_lower_error(lw, lw->method->span, "this measure is computed exactly; it takes no 'using'");
  for (int i = 0; i < lw->nat; i++) {
    const IxpOption *at = &lw->at[i];
    if (allow_d && !strcmp(at->name, "D")) p->target_d = at->value, p->points = at->type;
    else if (!strcmp(at->name, "beta")) p->beta = at->value, p->points = at->type;
    else return ixp_lower_error(lw, at->node->span, allow_d ? "the point is 'at D = ...' or 'at beta = ...'" : "the point is 'at beta = ...'");
    if (!numeric_option(lw, at, true)) return false;
  }
  if (p->target_d && p->beta) return ixp_lower_error(lw, lw->call->span, "give the point by D or by beta, not both");
  return true;
}

static const char *const rd_fields[] = {"rate", "distortion", "beta", "rate_lower", NULL};
static const char *const ib_fields[] = {"ixt", "ity", "ht", "clusters", "beta", NULL};
static const char *const capacity_fields[] = {"capacity", "input", NULL};

/* A point is a record, a vector of betas or distortions (of type t) a curve. */
static void set_result(IxpLowering *lw, IxpType t, const char *const *fields) {
  lw->plan->type = t == TY_VEC ? TY_TABLE : t == TY_ANY ? TY_ANY : TY_RECORD;
  lw->plan->fields = lw->plan->type == TY_RECORD ? fields : NULL;
}

extern const IxpKernel ixp_kernel_rd, ixp_kernel_ib, ixp_kernel_capacity;

/* rd, ib and capacity work on finite joints: a Gaussian model has none
 * (its rate-distortion has closed forms). */
static bool finite_source(IxpLowering *lw) {
  if (!lw->model->gaussian) return true;
  return ixp_lower_error(lw, lw->plan->src[0].node->span, "model '%s' is Gaussian: %s is computed on finite models and "
                         "datasets (rd_gaussian and rd_waterfill give Gaussian rate-distortion)", lw->model->name, lw->call->str);
}

static bool lower_rd(IxpLowering *lw) {
  if (!finite_source(lw)) return false;
  Payload *p = ixp_arena_alloc(lw->arena, sizeof *p);
  uint64_t m[2];
  if (groups(lw, SEP_SEMI, m, 1) != 1) return ixp_lower_error(lw, lw->call->span, "rd takes the source's variables: rd(x, distortion = ...)");
  p->x = m[0];
  for (int i = 0; i < lw->noptions; i++) {
    const IxpOption *o = &lw->options[i];
    if (!strcmp(o->name, "distortion")) { if (!distortion_option(lw, o, p)) return false; }
    else if (!strcmp(o->name, "beta")) { p->beta = o->value, p->points = o->type; if (!numeric_option(lw, o, true)) return false; }
    else if (!strcmp(o->name, "reproduction")) {
      p->reproduction = o->value;
      if (o->type != TY_VEC && o->type != TY_ANY) return ixp_lower_error(lw, o->value->span, "reproduction is a vector of values");
    } else return unknown_option(lw, o, "distortion, beta, reproduction");
  }
  if (!at_clauses(lw, p, true)) return false;
  if (!p->beta && !p->target_d) return ixp_lower_error(lw, lw->call->span, "rd needs a point: 'at D = ...', 'at beta = ...' or beta = [...] for a curve");
  if (p->beta && p->target_d) return ixp_lower_error(lw, lw->call->span, "give the point by D or by beta, not both");
  if ((p->distortion == DIST_SQUARED || p->distortion == DIST_ABS) && __builtin_popcountll(p->x) != 1)
    return ixp_lower_error(lw, lw->call->span, "squared and abs distortions need a single numeric source variable");
  set_result(lw, p->points, rd_fields);
  lw->plan->result = ixp_plan_kernel(lw->plan, lw->joint, &ixp_kernel_rd, p);
  return true;
}

static bool lower_ib(IxpLowering *lw) {
  if (!finite_source(lw)) return false;
  Payload *p = ixp_arena_alloc(lw->arena, sizeof *p);
  uint64_t m[2];
  if (groups(lw, SEP_SEMI, m, 2) != 2) return ixp_lower_error(lw, lw->call->span, "ib takes ib(X; Y, beta = ...)");
  p->x = m[0], p->y = m[1];
  for (int i = 0; i < lw->noptions; i++) {
    const IxpOption *o = &lw->options[i];
    if (!strcmp(o->name, "beta")) { p->beta = o->value, p->points = o->type; if (!numeric_option(lw, o, true)) return false; }
    else if (!strcmp(o->name, "clusters")) { p->clusters = o->value; if (!numeric_option(lw, o, false)) return false; }
    else if (!strcmp(o->name, "restarts")) { p->restarts = o->value; if (!numeric_option(lw, o, false)) return false; }
    else if (!strcmp(o->name, "variant")) {
      if (o->value->kind != AST_NAME || (strcmp(o->value->str, "ib") && strcmp(o->value->str, "dib")))
        return ixp_lower_error(lw, o->value->span, "variant is ib or dib");
      p->variant = !strcmp(o->value->str, "dib") ? IXP_IB_DETERMINISTIC : IXP_IB_STANDARD;
    } else return unknown_option(lw, o, "beta, variant, clusters, restarts");
  }
  if (!at_clauses(lw, p, false)) return false;
  if (!p->beta) return ixp_lower_error(lw, lw->call->span, "ib needs beta = ... (a number, or a vector for a curve)");
  set_result(lw, p->points, ib_fields);
  lw->plan->result = ixp_plan_kernel(lw->plan, lw->joint, &ixp_kernel_ib, p);
  return true;
}

static bool lower_capacity(IxpLowering *lw) {
  if (!finite_source(lw)) return false;
  Payload *p = ixp_arena_alloc(lw->arena, sizeof *p);
  uint64_t m[2];
  if (groups(lw, SEP_ARROW, m, 2) != 2) return ixp_lower_error(lw, lw->call->span, "capacity takes the channel's input and output: capacity(x -> y)");
  p->x = m[0], p->y = m[1];
  if (lw->noptions) return unknown_option(lw, &lw->options[0], "none");
  if (lw->method || lw->nat) return ixp_lower_error(lw, lw->call->span, "capacity takes no 'using' or 'at'");
  lw->plan->type = TY_RECORD;
  lw->plan->fields = capacity_fields;
  lw->plan->result = ixp_plan_kernel(lw->plan, lw->joint, &ixp_kernel_capacity, p);
  return true;
}

/* ------------------------------------------------------------------ run */

static void free_tabulated(void *t) { ixp_tabulated_free(t); }

/* The tables live until the statement ends, so an error in the kernel
 * (a NaN distortion, say) frees them too. */
static IxpTabulated tabulate(IxpSession *s, const IxpPlanOp *op, IxpJoint *j, const uint64_t *masks, int k) {
  IxpTabulated *t = ixp_arena_alloc(ixp_session_tmp(s), sizeof *t);
  IxpJointStatus st = ixp_tabulate(j, masks, k, MAX_ENTRIES, t);
  if (st != IXP_JOINT_OK) ixp_plan_error(s, op->plan, "%s: %s", op->plan->measure, ixp_joint_status_text(st));
  ixp_arena_defer(ixp_session_tmp(s), free_tabulated, t);
  return *t;
}

/* Points (a number or a vector) as an array in the statement's arena;
 * *curve tells whether a vector (a curve) was given. */
static double *points(IxpSession *s, IxpAst *e, int *n, bool *curve) {
  IxpValue v = ixp_eval(s, e, NULL);
  *curve = v.type == TY_VEC;
  if (v.type == TY_NUM) {
    double *x = ixp_arena_alloc(ixp_session_tmp(s), sizeof *x);
    *x = v.num.x;
    *n = 1;
    return x;
  }
  if (v.type != TY_VEC || v.cols == 0) ixp_statement_error(s, e->span, "expected a number or a non-empty vector");
  *n = v.cols;
  return v.v;
}

/* The reproduction values: given, or the matrix's column indexes, or the
 * source's own values. */
static const double *reproduction(IxpSession *s, const Payload *p, const IxpTabulated *t, int *m) {
  if (p->reproduction) {
    IxpValue v = ixp_eval(s, p->reproduction, NULL);
    if (v.type != TY_VEC || v.cols == 0) ixp_statement_error(s, p->reproduction->span, "reproduction is a non-empty vector");
    *m = v.cols;
    return v.v;
  }
  if (p->distortion == DIST_MATRIX) {
    IxpValue mat = ixp_eval(s, p->matrix, NULL);
    double *r = ixp_arena_alloc(ixp_session_tmp(s), (size_t)mat.cols * sizeof *r);
    for (int j = 0; j < mat.cols; j++) r[j] = j;
    *m = mat.cols;
    return r;
  }
  *m = t->size[0];
  return t->value[0];
}

/* The distortion matrix n x m between source and reproduction values. */
static double *distortion_matrix(IxpSession *s, const IxpPlanOp *op, const Payload *p, const IxpTabulated *t,
                                 const double *repro, int m) {
  int n = t->size[0];
  double *d = ixp_arena_alloc(ixp_session_tmp(s), (size_t)n * (size_t)m * sizeof *d);
  IxpValue mat = p->distortion == DIST_MATRIX ? ixp_eval(s, p->matrix, NULL) : (IxpValue){.type = TY_NONE};
  if (p->distortion == DIST_MATRIX && mat.type != TY_MAT)
    ixp_statement_error(s, p->matrix->span, "a distortion matrix is needed here");
  for (int i = 0; i < n; i++) {
    double x = t->value[0][i];
    int row = (int)x;
    if (p->distortion == DIST_MATRIX && (x != row || row < 0 || row >= mat.rows))
      ixp_statement_error(s, p->matrix->span, "the source takes the value %g, which is not a row of this %d x %d matrix",
                        x, mat.rows, mat.cols);
    for (int j = 0; j < m; j++) {
      double y = repro[j], v = 0;
      switch (p->distortion) {
      case DIST_HAMMING: v = x != y; break;
      case DIST_SQUARED: v = (x - y) * (x - y); break;
      case DIST_ABS: v = fabs(x - y); break;
      case DIST_MATRIX: v = mat.v[(size_t)row * (size_t)mat.cols + (size_t)j]; break;
      case DIST_EXPR: {
        double pair[2] = {x, y};
        IxpFrame f = {.model = p->pair, .vars = pair};
        v = ixp_eval_number(s, p->matrix, &f);
        break;
      }
      }
      if (!(v >= 0) || !isfinite(v)) ixp_plan_error(s, op->plan, "distortion %g is not a finite non-negative number", v);
      d[(size_t)i * (size_t)m + (size_t)j] = v;
    }
  }
  return d;
}

/* Informations below the rounding error of the iteration (a few ulps of
 * the source entropy, at most ln |X| <= 64 nats) are exactly 0, as for
 * the Shannon measures. */
static double clean(double info) { return fabs(info) <= 64 * 64 * DBL_EPSILON ? 0 : info; }

/* A kernel stopped by Ctrl-C is reported as every interruption is. */
static void check_status(IxpSession *s, const IxpPlanOp *op, IxpRDStatus st) {
  if (st == IXP_RD_EINTERRUPTED) ixp_plan_poll_interrupt(s, op->plan);
  if (st != IXP_RD_OK) ixp_plan_error(s, op->plan, "%s: %s", op->plan->measure, ixp_rd_status_text(st));
}

static IxpValue rd_record(IxpSession *s, const IxpRDPoint *pt) {
  double u = ixp_units_scale(s);
  IxpRecord *r = ixp_record_new(ixp_session_tmp(s), NULL, 4);
  double v[4] = {clean(pt->rate) * u, pt->distortion, pt->beta, clean(pt->rate_lower) * u};
  for (int i = 0; i < 4; i++) r->names[i] = (char *)rd_fields[i], r->values[i] = ixp_value_real(v[i]);
  return (IxpValue){.type = TY_RECORD, .record = r};
}

/* A table of curve points, freed with the statement. */
static IxpTable *curve_table(IxpSession *s, const char *title, int ncols, const char *const *cols, int xcol, int ycol,
                             const char *xlabel, const char *ylabel) {
  IxpTable *t = ixp_table_new(title, ncols, cols);
  ixp_arena_defer(ixp_session_tmp(s), (void (*)(void *))ixp_table_free, t);
  t->xcol = xcol, t->ycol = ycol;
  t->xlabel = strdup(xlabel);
  t->ylabel = strdup(ylabel);
  return t;
}

static IxpValue rd_run(IxpSession *s, const IxpPlanOp *op, const IxpReg *in) {
  IxpJoint *j = in->joint;
  const Payload *p = op->payload;
  IxpTabulated t = tabulate(s, op, j, &p->x, 1);
  int m, n;
  const double *repro = reproduction(s, p, &t, &m);
  double *d = distortion_matrix(s, op, p, &t, repro, m);
  IxpAst *at = p->beta ? p->beta : p->target_d;
  bool curve;
  double *x = points(s, at, &n, &curve);
  IxpRDPoint *pts = ixp_arena_alloc(ixp_session_tmp(s), (size_t)n * sizeof *pts);
  IxpRDStatus st = IXP_RD_OK;
  IxpIterOptions opt = {.stop = ixp_session_stop_flag(s)};
  if (p->beta) st = ixp_rd_curve(t.p, t.size[0], d, m, x, n, &opt, pts);
  for (int i = 0; p->target_d && i < n && st == IXP_RD_OK; i++) st = ixp_rd_at(t.p, t.size[0], d, m, x[i], &opt, &pts[i]);
  check_status(s, op, st);
  if (!curve) return rd_record(s, &pts[0]);
  static const char *const cols[] = {"beta", "rate", "distortion"};
  char ylabel[64];
  snprintf(ylabel, sizeof ylabel, "rate R (%s)", ixp_units_name(s));
  IxpTable *tab = curve_table(s, "rate-distortion curve", 3, cols, 2, 1, "distortion D", ylabel);
  for (int i = 0; i < n; i++) {
    double row[3] = {pts[i].beta, clean(pts[i].rate) * ixp_units_scale(s), pts[i].distortion};
    ixp_table_add_row(tab, row);
  }
  return (IxpValue){.type = TY_TABLE, .table = tab};
}

/* A count option (clusters, restarts): a whole number from 1 to max, read
 * before it is converted (a huge value would not fit an int). */
static int count_option(IxpSession *s, IxpAst *e, const char *name, int max) {
  double v = ixp_eval_number(s, e, NULL);
  if (!(v >= 1 && v <= max) || v != floor(v))
    ixp_statement_error(s, e->span, "%s is a whole number from 1 to %d, not %g", name, max, v);
  return (int)v;
}

static IxpValue ib_run(IxpSession *s, const IxpPlanOp *op, const IxpReg *in) {
  IxpJoint *j = in->joint;
  const Payload *p = op->payload;
  uint64_t masks[2] = {p->x, p->y};
  IxpTabulated t = tabulate(s, op, j, masks, 2);
  IxpIBOptions opt = {.variant = p->variant, .seed = 0x1b5eed, .iter.stop = ixp_session_stop_flag(s)};
  if (p->clusters) opt.clusters = count_option(s, p->clusters, "clusters", IXP_IB_MAX_CLUSTERS);
  if (p->restarts) opt.restarts = count_option(s, p->restarts, "restarts", IXP_IB_MAX_RESTARTS);
  int n;
  bool curve;
  double *beta = points(s, p->beta, &n, &curve);
  IxpIBPoint *pts = ixp_arena_alloc(ixp_session_tmp(s), (size_t)n * sizeof *pts);
  IxpRDStatus st = ixp_ib_curve(t.p, t.size[0], t.size[1], beta, n, &opt, pts);
  check_status(s, op, st);
  double u = ixp_units_scale(s);
  if (!curve) {
    IxpRecord *r = ixp_record_new(ixp_session_tmp(s), NULL, 5);
    double v[5] = {clean(pts[0].ixt) * u, clean(pts[0].ity) * u, clean(pts[0].ht) * u, pts[0].clusters, pts[0].beta};
    for (int i = 0; i < 5; i++) r->names[i] = (char *)ib_fields[i], r->values[i] = ixp_value_real(v[i]);
    return (IxpValue){.type = TY_RECORD, .record = r};
  }
  static const char *const cols[] = {"beta", "ixt", "ity", "ht", "clusters"};
  char xl[64], yl[64];
  snprintf(xl, sizeof xl, "I(X;T) (%s)", ixp_units_name(s));
  snprintf(yl, sizeof yl, "I(T;Y) (%s)", ixp_units_name(s));
  IxpTable *tab = curve_table(s, "information bottleneck", 5, cols, 1, 2, xl, yl);
  for (int i = 0; i < n; i++) {
    double row[5] = {pts[i].beta, clean(pts[i].ixt) * u, clean(pts[i].ity) * u, clean(pts[i].ht) * u, pts[i].clusters};
    ixp_table_add_row(tab, row);
  }
  return (IxpValue){.type = TY_TABLE, .table = tab};
}

/* The channel p(y | x) of the joint, then its capacity. */
static IxpValue capacity_run(IxpSession *s, const IxpPlanOp *op, const IxpReg *in) {
  IxpJoint *j = in->joint;
  const Payload *p = op->payload;
  uint64_t masks[2] = {p->x, p->y};
  IxpTabulated t = tabulate(s, op, j, masks, 2);
  int n = t.size[0], m = t.size[1];
  for (int i = 0; i < n; i++) {
    double px = 0;
    for (int k = 0; k < m; k++) px += t.p[(size_t)i * (size_t)m + (size_t)k];
    for (int k = 0; k < m; k++) t.p[(size_t)i * (size_t)m + (size_t)k] /= px;  /* px > 0: x is in the support */
  }
  double *input = ixp_arena_alloc(ixp_session_tmp(s), (size_t)n * sizeof *input);
  IxpCapacity c;
  IxpIterOptions opt = {.stop = ixp_session_stop_flag(s)};
  IxpRDStatus st = ixp_capacity(t.p, n, m, &opt, input, &c);
  check_status(s, op, st);
  IxpRecord *r = ixp_record_new(ixp_session_tmp(s), NULL, 2);
  r->names[0] = (char *)capacity_fields[0];
  r->values[0] = ixp_value_real(c.capacity * ixp_units_scale(s));
  r->names[1] = (char *)capacity_fields[1];
  r->values[1] = ixp_value_vector(ixp_session_tmp(s), input, n);
  return (IxpValue){.type = TY_RECORD, .record = r};
}

static void explain_sizes(IxpSession *s, const IxpPlanOp *op, IxpJoint *j, FILE *out, const char *what) {
  const Payload *p = op->payload;
  uint64_t masks[2] = {p->x, p->y};
  IxpTabulated t;
  int k = p->y ? 2 : 1;
  if (ixp_tabulate(j, masks, k, MAX_ENTRIES, &t) != IXP_JOINT_OK) return;
  if (k == 1) fprintf(out, "%s over %d source symbols", what, t.size[0]);
  else fprintf(out, "%s on a %d x %d matrix", what, t.size[0], t.size[1]);
  (void)s;
}

static void rd_explain(IxpSession *s, const IxpPlanOp *op, const IxpReg *in, FILE *out) {
  IxpJoint *j = in->joint;
  explain_sizes(s, op, j, out, "Blahut-Arimoto (GEMV per iteration, certified bounds)");
}

static void ib_explain(IxpSession *s, const IxpPlanOp *op, const IxpReg *in, FILE *out) {
  IxpJoint *j = in->joint;
  explain_sizes(s, op, j, out, "IB iterations (GEMM per iteration, warm starts, restarts)");
}

static void capacity_explain(IxpSession *s, const IxpPlanOp *op, const IxpReg *in, FILE *out) {
  IxpJoint *j = in->joint;
  explain_sizes(s, op, j, out, "Blahut-Arimoto capacity");
}

const IxpKernel ixp_kernel_rd = {"rate-distortion", rd_run, rd_explain};
const IxpKernel ixp_kernel_ib = {"information bottleneck", ib_run, ib_explain};
const IxpKernel ixp_kernel_capacity = {"channel capacity", capacity_run, capacity_explain};

static const IxpOptionSpec rd_options[] = {
    {"distortion", IXP_OPTION_WORD_OR_VALUE, "hamming squared abs", "xhat"},
    {"beta", IXP_OPTION_VALUE, NULL, NULL},
    {"reproduction", IXP_OPTION_VALUE, NULL, NULL},
    {NULL, IXP_OPTION_VALUE, NULL, NULL},
};
static const IxpOptionSpec ib_options[] = {
    {"beta", IXP_OPTION_VALUE, NULL, NULL},
    {"clusters", IXP_OPTION_VALUE, NULL, NULL},
    {"restarts", IXP_OPTION_VALUE, NULL, NULL},
    {"variant", IXP_OPTION_WORD, NULL, NULL},
    {NULL, IXP_OPTION_VALUE, NULL, NULL},
};
static const IxpOptionSpec rd_at[] = {
    {"D", IXP_OPTION_VALUE, NULL, NULL}, {"beta", IXP_OPTION_VALUE, NULL, NULL}, {NULL, IXP_OPTION_VALUE, NULL, NULL}};
static const IxpOptionSpec ib_at[] = {{"beta", IXP_OPTION_VALUE, NULL, NULL}, {NULL, IXP_OPTION_VALUE, NULL, NULL}};
static const IxpOptionSpec none[] = {{NULL, IXP_OPTION_VALUE, NULL, NULL}};

static const IxpMeasure registry[] = {
    {"rd", "rd(X, distortion = D) at D = d", "rate-distortion function (Blahut-Arimoto)", MEASURE_OVER_VARIABLES,
     lower_rd, IXP_ESTIMAND_JOINT, rd_options, rd_at},
    {"ib", "ib(X; Y, beta = b)", "information bottleneck (Tishby et al.; variant = dib: Strouse & Schwab)",
     MEASURE_OVER_VARIABLES, lower_ib, IXP_ESTIMAND_JOINT, ib_options, ib_at},
    {"capacity", "capacity(X -> Y)", "capacity of the channel from X to Y (Blahut-Arimoto)", MEASURE_OVER_VARIABLES,
     lower_capacity, IXP_ESTIMAND_JOINT, none, none},
};

void ixp_open_rd(IxpLibrary *lib) {
  ixp_library_add_measures(lib, registry, (int)(sizeof registry / sizeof *registry));
}
