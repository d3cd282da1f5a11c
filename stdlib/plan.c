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

int ixp_plan_entropy(IxpPlan *p, int joint, IxpVarSet set) {
  for (int i = 0; i < p->nops; i++)
    if (p->ops[i].kind == IXP_OP_ENTROPY && p->ops[i].in[0] == joint && ixp_set_equal(p->ops[i].set, set))
      return p->ops[i].out;
  IxpPlanOp *op = add(p, IXP_OP_ENTROPY);
  op->in[0] = joint;
  op->set = set;
  op->estimator = p->counting.estimator;
  op->alphabet = p->counting.alphabet;
  return op->out;
}

int ixp_plan_gaussian_mi(IxpPlan *p, int gauss, IxpVarSet x, IxpVarSet y) {
  IxpPlanOp *op = add(p, IXP_OP_MI);
  op->in[0] = gauss;
  op->set = x;
  op->set2 = y;
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
  if (n) memcpy(op->terms, regs, (size_t)n * sizeof *regs);  /* an empty sum may pass NULL */
  if (n) memcpy(op->coef, coef, (size_t)n * sizeof *coef);
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

/* Terms with an empty set (H of nothing = 0) are dropped and equal sets
 * merged, so H(X) - H(X) style cancellations never reach the kernels. */
int ixp_plan_entropy_sum(IxpPlan *p, int joint, int n, const IxpVarSet *sets, const double *coef) {
  int *regs = ixp_arena_alloc(p->arena, (size_t)(n ? n : 1) * sizeof *regs);
  double *c = ixp_arena_alloc(p->arena, (size_t)(n ? n : 1) * sizeof *c);
  IxpVarSet *m = ixp_arena_alloc(p->arena, (size_t)(n ? n : 1) * sizeof *m);
  int k = 0;
  for (int i = 0; i < n; i++) {
    if (ixp_set_empty(sets[i]) || coef[i] == 0) continue;
    int j = 0;
    while (j < k && !ixp_set_equal(m[j], sets[i])) j++;
    if (j == k) m[k] = sets[i], c[k++] = coef[i];
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

void ixp_plan_print_set(FILE *out, const struct IxpModelDef *m, IxpVarSet set) {
  fputc('{', out);
  bool first = true;
  for (int v = ixp_set_next(set, 0); v >= 0 && v < m->nvars; v = ixp_set_next(set, v + 1)) {
    fprintf(out, first ? "%s" : ", %s", m->vars[v].name);
    first = false;
  }
  fputc('}', out);
}

/* ------------------------------------------------------------------ sets */

IxpVarSet ixp_set_new(IxpArena *arena, int nvars) {
  int words = (nvars + 63) / 64;
  return (IxpVarSet){ixp_arena_alloc(arena, (size_t)(words ? words : 1) * sizeof(uint64_t)), words};
}

static uint64_t word(IxpVarSet s, int i) { return i < s.words ? s.w[i] : 0; }

static IxpVarSet combine(IxpArena *arena, IxpVarSet a, IxpVarSet b, bool minus) {
  int words = a.words > b.words ? a.words : b.words;
  IxpVarSet s = ixp_set_new(arena, 64 * words);
  for (int i = 0; i < words; i++) s.w[i] = minus ? word(a, i) & ~word(b, i) : word(a, i) | word(b, i);
  return s;
}

IxpVarSet ixp_set_union(IxpArena *arena, IxpVarSet a, IxpVarSet b) { return combine(arena, a, b, false); }
IxpVarSet ixp_set_minus(IxpArena *arena, IxpVarSet a, IxpVarSet b) { return combine(arena, a, b, true); }

bool ixp_set_equal(IxpVarSet a, IxpVarSet b) {
  int words = a.words > b.words ? a.words : b.words;
  for (int i = 0; i < words; i++)
    if (word(a, i) != word(b, i)) return false;
  return true;
}

bool ixp_set_empty(IxpVarSet s) {
  for (int i = 0; i < s.words; i++)
    if (s.w[i]) return false;
  return true;
}

int ixp_set_count(IxpVarSet s) {
  int n = 0;
  for (int i = 0; i < s.words; i++) n += __builtin_popcountll(s.w[i]);
  return n;
}

int ixp_set_next(IxpVarSet s, int v) {
  if (v < 0) v = 0;
  for (int i = v >> 6; i < s.words; i++) {
    uint64_t w = s.w[i];
    if (i == v >> 6) w &= ~(uint64_t)0 << (v & 63);
    if (w) return 64 * i + __builtin_ctzll(w);
  }
  return -1;
}

int ixp_set_list(IxpVarSet s, int *out) {
  int n = 0;
  for (int v = ixp_set_next(s, 0); v >= 0; v = ixp_set_next(s, v + 1)) out[n++] = v;
  return n;
}

bool ixp_set_mask(IxpVarSet s, uint64_t *mask) {
  for (int i = 1; i < s.words; i++)
    if (s.w[i]) return false;
  *mask = word(s, 0);
  return true;
}
