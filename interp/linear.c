/* linear.c — moments of linear-Gaussian models by propagating affine
 * forms over the model's independent standard normals. */
#include "linear.h"

#include <string.h>

#include "columns.h"

/* Affine in the variables: constants, variables, + and -, products and
 * quotients by constants. */
static bool affine(const IxpAst *e) {
  if (!ixp_reads_model_var(e)) return true;
  switch (e->kind) {
  case AST_NAME: return true;
  case AST_UNARY: return e->op == OP_NEG && affine(e->a);
  case AST_BINARY:
    if (e->op == OP_ADD || e->op == OP_SUB) return affine(e->a) && affine(e->b);
    if (e->op == OP_MUL) return (!ixp_reads_model_var(e->a) && affine(e->b)) || (!ixp_reads_model_var(e->b) && affine(e->a));
    if (e->op == OP_DIV) return !ixp_reads_model_var(e->b) && affine(e->a);
    return false;
  default: return false;
  }
}

bool ixp_model_is_gaussian(const IxpModelDef *m) {
  if (m->table || m->data || !m->has_continuous || m->nvars > IXP_MAX_VARS) return false;  /* closed forms use 64-bit masks */
  for (int v = 0; v < m->nvars; v++) {
    const IxpModelVar *var = &m->vars[v];
    if (var->kind == VAR_DRAW && (!var->dist || strcmp(var->dist->name, "normal"))) return false;
    if (var->kind == VAR_DRAW && ixp_var_reads_any(m, var) && !(var->ncomponents > 1 && var->component > 0)) return false;
    if (var->kind == VAR_DEFINE && !affine(var->expr)) return false;
  }
  return true;
}

typedef struct {
  IxpSession *s;
  IxpModelDef *m;
  const IxpValue *params;
  int nb;            /* number of normal draws (the basis) */
  double *form;      /* nvars x (nb + 1): coefficients, then the constant */
} Forms;

/* The affine form of `e` into out (nb + 1 entries). */
static void form_of(Forms *f, const IxpAst *e, double *out) {
  int w = f->nb + 1;
  if (!ixp_reads_model_var(e)) {
    IxpFrame fr = {f->m, NULL, f->params};
    memset(out, 0, (size_t)w * sizeof *out);
    out[f->nb] = ixp_eval_number(f->s, (IxpAst *)e, &fr);
    return;
  }
  if (e->kind == AST_NAME) {
    memcpy(out, f->form + (size_t)e->sem.slot * (size_t)w, (size_t)w * sizeof *out);
    return;
  }
  double *b = ixp_arena_alloc(ixp_session_tmp(f->s), (size_t)w * sizeof *b);
  if (e->kind == AST_UNARY) {
    form_of(f, e->a, out);
    for (int k = 0; k < w; k++) out[k] = -out[k];
    return;
  }
  form_of(f, e->a, out);
  form_of(f, e->b, b);
  switch (e->op) {
  case OP_ADD: for (int k = 0; k < w; k++) out[k] += b[k]; break;
  case OP_SUB: for (int k = 0; k < w; k++) out[k] -= b[k]; break;
  case OP_MUL: {
    bool left_const = !ixp_reads_model_var(e->a);
    double c = left_const ? out[f->nb] : b[f->nb];
    const double *g = left_const ? b : out;
    for (int k = 0; k < w; k++) out[k] = c * g[k];
    break;
  }
  case OP_DIV:
    if (b[f->nb] == 0) ixp_runtime_error(f->s, f->m->src, e->span, "division by zero");
    for (int k = 0; k < w; k++) out[k] /= b[f->nb];
    break;
  default: break;
  }
}

/* A vector draw mean + L z: component c's form is mean_c + sum_k L_ck z_k
 * over the next `dimension` basis normals. */
static void vector_forms(Forms *f, IxpModelVar *leader, int *basis) {
  IxpModelDef *m = f->m;
  IxpFrame fr = {m, NULL, f->params};
  IxpValue args[2];
  for (int i = 0; i < 2; i++) args[i] = ixp_eval(f->s, leader->expr->items[i]->a, &fr);
  char err[256];
  if (leader->dist->check(args, err, sizeof err)) ixp_runtime_error(f->s, m->src, leader->expr->span, "%s", err);
  int d = leader->dist->dimension(args), k = leader->ncomponents, w = f->nb + 1;
  if (d != k) ixp_runtime_error(f->s, m->src, leader->expr->span, "normal(mean, cov) gives %d values for %d variables", d, k);
  double *l = ixp_arena_alloc(ixp_session_tmp(f->s), (size_t)d * (size_t)d * sizeof *l);
  leader->dist->prepare(args, l);  /* the Cholesky factor */
  for (int v = 0; v < m->nvars; v++) {
    IxpModelVar *var = &m->vars[v];
    if (var->ncomponents != k || var->leader != leader->leader) continue;
    double *out = f->form + (size_t)v * (size_t)w;
    memset(out, 0, (size_t)w * sizeof *out);
    for (int c = 0; c <= var->component; c++) out[*basis + c] = l[var->component * d + c];
    out[f->nb] = ixp_mvn_mean(args, var->component);
  }
  *basis += d;
}

void ixp_gaussian_moments(IxpSession *s, IxpModelDef *m, const IxpValue *params, double **mean, double **cov) {
  Forms f = {.s = s, .m = m, .params = params};
  for (int v = 0; v < m->nvars; v++) f.nb += m->vars[v].kind == VAR_DRAW;  /* one basis normal per component */
  int w = f.nb + 1, n = m->nvars;
  IxpArena *a = ixp_session_tmp(s);
  f.form = ixp_arena_alloc(a, (size_t)n * (size_t)w * sizeof *f.form);
  int basis = 0;
  for (int i = 0; i < n; i++) {
    int v = m->order[i];
    double *out = f.form + (size_t)v * (size_t)w;
    IxpModelVar *var = &m->vars[v];
    if (var->kind == VAR_DRAW && var->ncomponents > 1) {
      if (var->component == 0) vector_forms(&f, var, &basis);
      continue;
    }
    if (var->kind == VAR_DRAW) {  /* mu + sigma z_basis */
      IxpFrame fr = {m, NULL, params};
      double mu = ixp_eval_number(s, var->expr->items[0]->a, &fr), sigma = ixp_eval_number(s, var->expr->items[1]->a, &fr);
      if (!(sigma > 0)) ixp_runtime_error(s, m->src, var->expr->span, "normal(mu, sigma) needs a positive sigma");
      out[basis++] = sigma;
      out[f.nb] = mu;
    } else {
      form_of(&f, var->expr, out);
    }
  }
  *mean = ixp_arena_alloc(a, (size_t)n * sizeof **mean);
  *cov = ixp_arena_alloc(a, (size_t)n * (size_t)n * sizeof **cov);
  for (int u = 0; u < n; u++) {
    (*mean)[u] = f.form[(size_t)u * (size_t)w + (size_t)f.nb];
    for (int v = 0; v < n; v++) {
      double c = 0;
      for (int k = 0; k < f.nb; k++) c += f.form[(size_t)u * (size_t)w + (size_t)k] * f.form[(size_t)v * (size_t)w + (size_t)k];
      (*cov)[(size_t)u * (size_t)n + (size_t)v] = c;
    }
  }
}
