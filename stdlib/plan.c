/* plan.c — building plans: registers and kernel operations. */
#include "plan.h"

#include <string.h>

#include "model.h"

IxpPlan *ixp_plan_new(IxpArena *arena, const char *measure, IxpAst *site) {
  IxpPlan *p = ixp_arena_alloc(arena, sizeof *p);
  p->arena = arena;
  p->type = TY_NUM;
  p->measure = measure;
  p->site = site;
  p->result = -1;
  p->counting.estimator = -1;
  return p;
}

int ixp_plan_source(IxpPlan *p, IxpAst *node, struct IxpModelDef *model) {
  if (p->nsrc == (int)(sizeof p->src / sizeof *p->src)) return p->nsrc - 1;
  p->src[p->nsrc] = (IxpPlanSource){.node = node, .model = model};
  return p->nsrc++;
}

static IxpPlanOp *add(IxpPlan *p, IxpOpKind kind) {
  if (p->nops == p->capops) {
    int cap = p->capops ? p->capops * 2 : 8;
    IxpPlanOp *ops = ixp_arena_alloc(p->arena, (size_t)cap * sizeof *ops);
    if (p->nops) memcpy(ops, p->ops, (size_t)p->nops * sizeof *ops);
    p->ops = ops;
    p->capops = cap;
  }
  IxpPlanOp *op = &p->ops[p->nops++];
  op->kind = kind;
  op->plan = p;
  op->out = p->nregs++;
  op->in[0] = op->in[1] = -1;
  op->estimator = -1;
  return op;
}

int ixp_plan_joint(IxpPlan *p, int src) {
  for (int i = 0; i < p->nops; i++)
    if (p->ops[i].kind == IXP_OP_JOINT && p->ops[i].src == src) return p->ops[i].out;
  IxpPlanOp *op = add(p, IXP_OP_JOINT);
  op->src = src;
  op->bins = p->counting.bins;
  op->binning = p->counting.binning;
  return op->out;
}

int ixp_plan_rows(IxpPlan *p, int src) {
  for (int i = 0; i < p->nops; i++)
    if (p->ops[i].kind == IXP_OP_ROWS && p->ops[i].src == src) return p->ops[i].out;
  IxpPlanOp *op = add(p, IXP_OP_ROWS);
  op->src = src;
  return op->out;
}

int ixp_plan_entropy(IxpPlan *p, int joint, uint64_t mask) {
  for (int i = 0; i < p->nops; i++)
    if (p->ops[i].kind == IXP_OP_ENTROPY && p->ops[i].in[0] == joint && p->ops[i].mask == mask)
      return p->ops[i].out;
  IxpPlanOp *op = add(p, IXP_OP_ENTROPY);
  op->in[0] = joint;
  op->mask = mask;
  op->estimator = p->counting.estimator;
  op->alphabet = p->counting.alphabet;
  return op->out;
}

int ixp_plan_kl(IxpPlan *p, int a, int b) {
  IxpPlanOp *op = add(p, IXP_OP_KL);
  op->in[0] = a;
  op->in[1] = b;
  return op->out;
}

int ixp_plan_lincomb(IxpPlan *p, int n, const int *regs, const double *coef) {
  IxpPlanOp *op = add(p, IXP_OP_LINCOMB);
  op->nterms = n;
  op->terms = ixp_arena_alloc(p->arena, (size_t)(n ? n : 1) * sizeof *op->terms);
  op->coef = ixp_arena_alloc(p->arena, (size_t)(n ? n : 1) * sizeof *op->coef);
  memcpy(op->terms, regs, (size_t)n * sizeof *regs);
  memcpy(op->coef, coef, (size_t)n * sizeof *coef);
  return op->out;
}

int ixp_plan_kernel(IxpPlan *p, int joint, const IxpKernel *k, void *payload) {
  IxpPlanOp *op = add(p, IXP_OP_KERNEL);
  op->in[0] = joint;
  op->kernel = k;
  op->payload = payload;
  return op->out;
}

int ixp_plan_units(IxpPlan *p, int reg) {
  IxpPlanOp *op = add(p, IXP_OP_UNITS);
  op->in[0] = reg;
  return op->out;
}

/* Terms with an empty mask (H of nothing = 0) are dropped and equal masks
 * merged, so H(X) - H(X) style cancellations never reach the kernels. */
int ixp_plan_entropy_sum(IxpPlan *p, int joint, int n, const uint64_t *masks, const double *coef) {
  int *regs = ixp_arena_alloc(p->arena, (size_t)(n ? n : 1) * sizeof *regs);
  double *c = ixp_arena_alloc(p->arena, (size_t)(n ? n : 1) * sizeof *c);
  uint64_t *m = ixp_arena_alloc(p->arena, (size_t)(n ? n : 1) * sizeof *m);
  int k = 0;
  for (int i = 0; i < n; i++) {
    if (!masks[i] || coef[i] == 0) continue;
    int j = 0;
    while (j < k && m[j] != masks[i]) j++;
    if (j == k) m[k] = masks[i], c[k++] = coef[i];
    else c[j] += coef[i];
  }
  int used = 0;
  for (int j = 0; j < k; j++)
    if (c[j] != 0) {
      regs[used] = ixp_plan_entropy(p, joint, m[j]);
      c[used++] = c[j];
    }
  return ixp_plan_lincomb(p, used, regs, c);
}

void ixp_plan_print_mask(FILE *out, const struct IxpModelDef *m, uint64_t mask) {
  fputc('{', out);
  bool first = true;
  for (int v = 0; v < m->nvars; v++)
    if (mask >> v & 1) {
      fprintf(out, first ? "%s" : ", %s", m->vars[v].name);
      first = false;
    }
  fputc('}', out);
}
