/* plan.h — the lowered form of a measure: a straight-line program of
 * kernel operations on registers (joints and numbers).
 *
 * The checker lowers every measure call through its stdlib rule into a
 * plan; the evaluator runs plans and never looks at measure names. New
 * measures add a rule (stdlib/measures.c) and, when they need new kernels,
 * an operation kind here. */
#ifndef IXP_PLAN_H
#define IXP_PLAN_H

#include <stdint.h>
#include <stdio.h>

#include "ast.h"

struct IxpModelDef;

typedef enum {
  IXP_OP_JOINT,    /* r[out] = exact joint of source src */
  IXP_OP_ENTROPY,  /* r[out] = entropy (nats) of r[in0] marginalised onto mask */
  IXP_OP_KL,       /* r[out] = D(r[in0] || r[in1]) in nats */
  IXP_OP_LINCOMB,  /* r[out] = sum_i coef[i] * r[terms[i]] */
  IXP_OP_UNITS,    /* r[out] = r[in0] converted from nats to the session's units */
} IxpOpKind;

typedef struct {
  IxpOpKind kind;
  int out;
  int in[2];
  uint64_t mask;
  int src;
  int nterms;
  int *terms;
  double *coef;
} IxpPlanOp;

typedef struct {
  IxpAst *node;                 /* AST_SOURCE (model name and overrides) or AST_NAME */
  struct IxpModelDef *model;
} IxpPlanSource;

typedef struct IxpPlan {
  const char *measure;
  IxpAst *site;                 /* the measure expression */
  IxpArena *arena;
  IxpPlanSource src[4];
  int nsrc;
  IxpPlanOp *ops;
  int nops, capops;
  int nregs;
  int result;                   /* register holding the result */
  int explained;                /* `ixp explain` printed it already */
} IxpPlan;

IxpPlan *ixp_plan_new(IxpArena *arena, const char *measure, IxpAst *site);
int ixp_plan_source(IxpPlan *p, IxpAst *node, struct IxpModelDef *model);
int ixp_plan_joint(IxpPlan *p, int src);
/* Entropy of the marginal of joint register `joint` on `mask`; the same
 * (joint, mask) within a plan reuses one register. */
int ixp_plan_entropy(IxpPlan *p, int joint, uint64_t mask);
int ixp_plan_kl(IxpPlan *p, int a, int b);
int ixp_plan_lincomb(IxpPlan *p, int n, const int *regs, const double *coef);
int ixp_plan_units(IxpPlan *p, int reg);
/* Sum of coef[i] * H(masks[i]) over a joint register, as one register. */
int ixp_plan_entropy_sum(IxpPlan *p, int joint, int n, const uint64_t *masks, const double *coef);

/* Names of the variables in `mask` of a model, as "{x, y}". */
void ixp_plan_print_mask(FILE *out, const struct IxpModelDef *m, uint64_t mask);

#endif
