/* plan.h — the lowered form of a measure: a straight-line program of
 * kernel operations on registers (joints and numbers).
 *
 * The lowering pass (interp/lower.c) turns every measure call into a plan
 * through its stdlib rule; the executor (interp/execute.c) runs plans and
 * never looks at measure names. New measures add a rule (stdlib/measures.c)
 * and, when they need new kernels, a kernel or an operation kind here. */
#ifndef IXP_PLAN_H
#define IXP_PLAN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ast.h"
#include "history.h"
#include "joint.h"
#include "value.h"

struct IxpModelDef;
struct IxpSession;
struct IxpPlanOp;

/* A set of a source's variables: bit v of word v / 64 for variable v, in
 * as many 64-bit words as the source needs ((nvars + 63) / 64), so a
 * measure on a covariance or a dataset's columns takes any number of
 * variables. The exact joint engine names marginals by one word, a mask
 * (ixp_set_mask): its joints hold at most IXP_MAX_VARS variables, and a
 * source of more is measured through a view of the variables measured. */
typedef struct {
  uint64_t *w;
  int words;
} IxpVarSet;

/* A linear-Gaussian model as affine forms over independent standard
 * normals u (the basis): variable v = mean[v] + sum_k c_vk u_k, where
 * c_vk is row[v][k - lo[v]] for lo[v] <= k < hi[v] and 0 elsewhere (only
 * the span a form uses is stored). Covariances are products of forms
 * (SYRK over the columns used). */
typedef struct {
  int n, nb;                  /* variables, basis normals */
  const double *const *row;   /* n rows, row v of hi[v] - lo[v] coefficients */
  const double *mean;         /* n */
  const int *lo, *hi;         /* n each */
} IxpGaussForms;

/* A register: what one operation computed, tagged with its kind. */
typedef enum {
  IXP_REG_NONE,
  IXP_REG_JOINT,     /* an exact joint distribution, or a dataset's rows as a joint of codes */
  IXP_REG_GAUSSIAN,  /* a linear-Gaussian model: its forms, and its covariance when a rule asks (closed forms) */
  IXP_REG_ROWS,      /* a dataset's rows, read as columns by estimators (no joint is built) */
  IXP_REG_HISTORY,   /* a lag view's discrete columns counted by history encoding (lagcount.h), read by entropies */
  IXP_REG_NUMBER,    /* an amount, in nats or the session's units */
  IXP_REG_VALUE,     /* a kernel's result: a number, a record or a table */
} IxpRegKind;

typedef struct {
  IxpRegKind kind;
  IxpJoint *joint;            /* JOINT */
  const double *mean;         /* GAUSSIAN: d */
  const double *cov;          /* GAUSSIAN: d x d when its source's `covariance` is set, else NULL */
  int d;
  const IxpGaussForms *forms; /* GAUSSIAN */
  size_t n;                   /* ROWS: its number of rows */
  const IxpHistCounts *hist;  /* HISTORY */
  double x;                   /* NUMBER */
  IxpValue v;                 /* VALUE */
} IxpReg;

/* A kernel family that a stdlib measure brings with it (rate-distortion,
 * PID, estimators, ...): it computes one register from its input register
 * and the payload its lowering rule prepared, and describes itself for
 * `explain`. */
typedef struct IxpKernel {
  const char *name;
  /* The result (a number, a record or a table, in the session's units). */
  IxpValue (*run)(struct IxpSession *s, const struct IxpPlanOp *op, const IxpReg *in);
  void (*explain)(struct IxpSession *s, const struct IxpPlanOp *op, const IxpReg *in, FILE *out);
} IxpKernel;

typedef enum {
  IXP_OP_JOINT,    /* r[out] = exact joint of source src (a Gaussian model's covariance; a dataset's rows as codes) */
  IXP_OP_ROWS,     /* r[out] = the rows of dataset src, as columns */
  IXP_OP_ENTROPY,  /* r[out] = entropy (nats) of r[in0] marginalised onto set */
  IXP_OP_MI,       /* r[out] = I(set; set2) (nats) of a Gaussian register r[in0], in closed form */
  IXP_OP_KL,       /* r[out] = D(r[in0] || r[in1]) in nats */
  IXP_OP_LINCOMB,  /* r[out] = sum_i coef[i] * r[terms[i]] */
  IXP_OP_UNITS,    /* r[out] = r[in0] converted from nats to the session's units */
  IXP_OP_KERNEL,   /* r[out] = kernel->run(r[in0], payload) */
} IxpOpKind;

/* How the entropies of a plan on a dataset are computed from counts:
 * the discrete estimator and, for continuous columns, the binning. The
 * lowering pass sets it before the measure's rule runs; every joint and
 * entropy operation takes it as it is made. */
typedef struct {
  int estimator;                /* -1: plug-in on the weights, else an IxpDiscreteEstimator */
  double alphabet;              /* the alphabet size for estimators that use it (0: the symbols seen) */
  int bins, binning;            /* cut continuous variables into `bins` bins (0: no); binning 0 width, 1 quantile */
} IxpCounting;

typedef struct IxpPlanOp {
  IxpOpKind kind;
  int out;
  int in[2];
  IxpVarSet set, set2;          /* IXP_OP_ENTROPY: the variables of the marginal; IXP_OP_MI: the two sides */
  int src;
  int nterms;
  int *terms;
  double *coef;
  int estimator;                /* IXP_OP_ENTROPY on data: -1 plug-in on the weights, else an IxpDiscreteEstimator */
  double alphabet;              /* IXP_OP_ENTROPY with an estimator: the alphabet size (0: the symbols seen) */
  int bins, binning;            /* IXP_OP_JOINT of a dataset: cut continuous variables into bins (0: no) */
  const IxpKernel *kernel;      /* IXP_OP_KERNEL */
  void *payload;                /* IXP_OP_KERNEL: what the lowering rule prepared */
  struct IxpPlan *plan;         /* the plan the op belongs to */
} IxpPlanOp;

typedef struct {
  IxpAst *node;                 /* AST_SOURCE (model name and overrides) or AST_NAME */
  struct IxpModelDef *model;
  /* A finite model measured on some of its variables: those variables
   * (model indices, ascending), which is all its joint register needs;
   * NULL: all of them. */
  const int *vars;
  int nvars;
  /* A finite model or a dataset of more variables than a joint's mask
   * names, measured on a joint: vars as a model of their own, whose
   * indices the plan's sets use (its joint register holds just them);
   * else NULL. */
  struct IxpModelDef *view;
  /* A linear-Gaussian model whose rule reads its whole covariance (kl,
   * pid): the register holds it (reg.cov); entropies and mi read forms. */
  bool covariance;
} IxpPlanSource;

/* A plan does not change once lowered. */
typedef struct IxpPlan {
  const char *measure;
  IxpAst *site;                 /* the measure expression */
  IxpArena *arena;
  IxpCounting counting;
  IxpPlanSource src[4];
  int nsrc;
  IxpPlanOp *ops;
  int nops, capops;
  int nregs;
  int result;                   /* register holding the result */
  const char *const *fields;    /* a record result's fields, for checking `.name` (NULL: a number) */
  IxpType type;                 /* the result's type */
} IxpPlan;

IxpPlan *ixp_plan_new(IxpArena *arena, const char *measure, IxpAst *site);
int ixp_plan_source(IxpPlan *p, IxpAst *node, struct IxpModelDef *model);
int ixp_plan_joint(IxpPlan *p, int src);
/* The rows of dataset `src` as columns (no joint of codes). */
int ixp_plan_rows(IxpPlan *p, int src);
/* Entropy of the marginal of joint register `joint` on `set`; the same
 * (joint, set) within a plan reuses one register. */
int ixp_plan_entropy(IxpPlan *p, int joint, IxpVarSet set);
int ixp_plan_kl(IxpPlan *p, int a, int b);
/* I(x; y) in nats of the Gaussian register `gauss`. */
int ixp_plan_gaussian_mi(IxpPlan *p, int gauss, IxpVarSet x, IxpVarSet y);
int ixp_plan_lincomb(IxpPlan *p, int n, const int *regs, const double *coef);
int ixp_plan_units(IxpPlan *p, int reg);
int ixp_plan_kernel(IxpPlan *p, int joint, const IxpKernel *k, void *payload);
/* Sum of coef[i] * H(sets[i]) over a joint register, as one register. */
int ixp_plan_entropy_sum(IxpPlan *p, int joint, int n, const IxpVarSet *sets, const double *coef);

/* Names of the variables in `set` of a model, as "{x, y}". */
void ixp_plan_print_set(FILE *out, const struct IxpModelDef *m, IxpVarSet set);

/* Variable sets. Sets of different widths combine as if the narrower one
 * had zero words after its last. */
/* The empty set of a source of nvars variables (words in the arena). */
IxpVarSet ixp_set_new(IxpArena *arena, int nvars);
static inline void ixp_set_add(IxpVarSet s, int v) { s.w[v >> 6] |= (uint64_t)1 << (v & 63); }
static inline bool ixp_set_has(IxpVarSet s, int v) { return v >> 6 < s.words && (s.w[v >> 6] >> (v & 63) & 1); }
/* a | b and a & ~b, as new sets. */
IxpVarSet ixp_set_union(IxpArena *arena, IxpVarSet a, IxpVarSet b);
IxpVarSet ixp_set_minus(IxpArena *arena, IxpVarSet a, IxpVarSet b);
bool ixp_set_equal(IxpVarSet a, IxpVarSet b);
bool ixp_set_empty(IxpVarSet s);
int ixp_set_count(IxpVarSet s);
/* The first member from v on, or -1: for (v = ixp_set_next(s, 0); v >= 0; v = ixp_set_next(s, v + 1)). */
int ixp_set_next(IxpVarSet s, int v);
/* The members, ascending, into out (ixp_set_count entries); their number. */
int ixp_set_list(IxpVarSet s, int *out);
/* The set as one 64-bit mask, the exact joint engine's; false when a
 * member is past the 64th. */
bool ixp_set_mask(IxpVarSet s, uint64_t *mask);

#endif
