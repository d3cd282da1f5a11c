/* linear.c — linear-Gaussian models as affine forms over the model's
 * independent standard normals (one per drawn component, the basis), and
 * their closed forms: covariances by SYRK of forms, log-determinants by
 * Cholesky.
 *
 * A scalar definition's form is built node by node; a vector definition
 * h[k] = (E)[k] (vecmodel's components) gets the forms of all of E's
 * components at once, a product by a constant matrix being one GEMM of
 * the matrix with the operand's forms over the basis columns they use. */
#include "linear.h"

#include <math.h>
#include <string.h>

#include "columns.h"
#include "dense.h"
#include "ksum.h"
#include "process.h"

/* --------------------------------------------------------------- shape */

/* Affine in the variables: constants, variables (vector variables
 * included), + and -, products (a matrix product included) and .*
 * products by constants, quotients by constants. */
static bool affine(const IxpAst *e) {
  if (!ixp_reads_model_var(e)) return true;
  switch (e->kind) {
  case AST_NAME: return true;
  case AST_UNARY: return e->op == OP_NEG && affine(e->a);
  case AST_BINARY:
    if (e->op == OP_ADD || e->op == OP_SUB) return affine(e->a) && affine(e->b);
    if (e->op == OP_MUL || e->op == OP_EMUL)
      return (!ixp_reads_model_var(e->a) && affine(e->b)) || (!ixp_reads_model_var(e->b) && affine(e->a));
    if (e->op == OP_DIV) return !ixp_reads_model_var(e->b) && affine(e->a);
    return false;
  default: return false;
  }
}

/* Component k of a vector definition: h[k] = (E)[k]. */
static bool vector_component(const IxpModelVar *var) {
  return var->kind == VAR_DEFINE && var->expr->kind == AST_INDEX && var->expr->b && var->expr->b->kind == AST_NUM;
}

bool ixp_model_is_gaussian(const IxpModelDef *m) {
  if (m->table || m->data || !m->has_continuous) return false;
  for (int v = 0; v < m->nvars; v++) {
    const IxpModelVar *var = &m->vars[v];
    if (var->kind == VAR_DRAW && (!var->dist || strcmp(var->dist->name, "normal"))) return false;
    if (var->kind == VAR_DRAW && ixp_var_reads_any(m, var) && !(var->ncomponents > 1 && var->component > 0)) return false;
    if (var->kind == VAR_DEFINE && !affine(vector_component(var) ? var->expr->a : var->expr)) return false;
  }
  return true;
}

/* --------------------------------------------------------------- forms */

typedef struct {
  IxpSession *s;
  IxpModelDef *m;
  const IxpValue *params;
  int nb, w;         /* basis normals; a full-width scalar form: nb coefficients, then the constant */
  double **row;      /* each variable's coefficients on its span [lo, hi) */
  double *mean;
  int *lo, *hi;
  double *scratch;   /* one full-width form, reused by scalar definitions */
  int hint_lo, hint_hi; /* the span of the vector definition being built: its blocks are stored over it */
} Forms;

static IxpArena *tmp(const Forms *f) { return ixp_session_tmp(f->s); }

/* The span [lo, hi) of a full-width form's nonzero coefficients. */
static void span_of(const double *form, int nb, int *lo, int *hi) {
  int a = 0, b = nb;
  while (a < b && form[a] == 0) a++;
  while (b > a && form[b - 1] == 0) b--;
  *lo = a, *hi = b;
}

/* Variable v's form from a full-width one: its span, kept. */
static void store(Forms *f, int v, const double *full) {
  span_of(full, f->nb, &f->lo[v], &f->hi[v]);
  int n = f->hi[v] - f->lo[v];
  f->row[v] = ixp_arena_alloc(tmp(f), (size_t)(n ? n : 1) * sizeof(double));
  memcpy(f->row[v], full + f->lo[v], (size_t)n * sizeof(double));
  f->mean[v] = full[f->nb];
}

static IxpValue constant(Forms *f, const IxpAst *e) {
  IxpFrame fr = {f->m, NULL, f->params};
  return ixp_eval(f->s, (IxpAst *)e, &fr);
}

/* The affine form of scalar `e` into out (w entries). */
static void form_of(Forms *f, const IxpAst *e, double *out) {
  int w = f->w;
  if (!ixp_reads_model_var(e)) {
    IxpFrame fr = {f->m, NULL, f->params};
    memset(out, 0, (size_t)w * sizeof *out);
    out[f->nb] = ixp_eval_number(f->s, (IxpAst *)e, &fr);
    return;
  }
  if (e->kind == AST_NAME) {
    int v = e->sem.slot;
    memset(out, 0, (size_t)w * sizeof *out);
    memcpy(out + f->lo[v], f->row[v], (size_t)(f->hi[v] - f->lo[v]) * sizeof *out);
    out[f->nb] = f->mean[v];
    return;
  }
  if (e->kind == AST_UNARY) {
    form_of(f, e->a, out);
    for (int k = 0; k < w; k++) out[k] = -out[k];
    return;
  }
  double *b = ixp_arena_alloc(tmp(f), (size_t)w * sizeof *b);
  form_of(f, e->a, out);
  form_of(f, e->b, b);
  switch (e->op) {
  case OP_ADD: for (int k = 0; k < w; k++) out[k] += b[k]; break;
  case OP_SUB: for (int k = 0; k < w; k++) out[k] -= b[k]; break;
  case OP_MUL: case OP_EMUL: {
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

/* The forms of a vector expression: d rows (scalar: one row that
 * broadcasts) over the block's span [lo, hi), and d constants. A vector
 * variable named as it is stays unmaterialised (group >= 0): products and
 * sums read its rows where they are. */
typedef struct {
  int d;
  bool scalar;
  int lo, hi;        /* the span stored */
  int ulo, uhi;      /* the span used: nonzero coefficients lie within it */
  double *rows;      /* d x (hi - lo) */
  double *mean;      /* d */
  int group;         /* a vector variable's first variable, rows not copied; else -1 */
} Block;

static int width(const Block *b) { return b->hi - b->lo; }

/* Stored over the definition's whole span, so that the sums after it
 * add in place instead of copying into a wider block. */
static Block block_new(Forms *f, int d, bool scalar, int lo, int hi) {
  if (lo >= hi) lo = hi = 0;
  int ulo = lo, uhi = hi;
  if (f->hint_lo < f->hint_hi) {
    if (lo == hi || f->hint_lo < lo) lo = f->hint_lo;
    if (f->hint_hi > hi) hi = f->hint_hi;
  }
  Block b = {d, scalar, lo, hi, ulo, uhi, NULL, ixp_arena_alloc(tmp(f), (size_t)d * sizeof(double)), -1};
  b.rows = ixp_arena_alloc(tmp(f), (size_t)d * (size_t)(hi - lo ? hi - lo : 1) * sizeof(double));
  return b;
}

/* The span of variables first .. first + d - 1. */
static void vars_span(const Forms *f, int first, int d, int *lo, int *hi) {
  *lo = f->nb, *hi = 0;
  for (int v = first; v < first + d; v++)
    if (f->lo[v] < f->hi[v]) {
      if (f->lo[v] < *lo) *lo = f->lo[v];
      if (f->hi[v] > *hi) *hi = f->hi[v];
    }
  if (*lo >= *hi) *lo = *hi = 0;
}

/* Row i of b added, times sign, to out's row k (out's span covers b's). */
static void add_row(const Forms *f, const Block *b, int i, double sign, Block *out, int k) {
  double *o = out->rows + (size_t)k * (size_t)width(out);
  if (b->group >= 0) {
    int v = b->group + i;
    for (int c = f->lo[v]; c < f->hi[v]; c++) o[c - out->lo] += sign * f->row[v][c - f->lo[v]];
    out->mean[k] += sign * f->mean[v];
    return;
  }
  const double *r = b->rows + (size_t)i * (size_t)width(b);
  for (int c = 0; c < width(b); c++) o[c + b->lo - out->lo] += sign * r[c];
  out->mean[k] += sign * b->mean[i];
}

/* A named vector variable's rows as a block of its own (to be changed). */
static Block materialise(Forms *f, Block b) {
  if (b.group < 0) return b;
  Block out = block_new(f, b.d, b.scalar, b.ulo, b.uhi);
  for (int i = 0; i < b.d; i++) add_row(f, &b, i, 1, &out, i);
  return out;
}

static _Noreturn void shape_error(Forms *f, const IxpAst *e, int a, int b) {
  ixp_runtime_error(f->s, f->m->src, e->span, "cannot combine a %d-vector with a %d-vector", a, b);
}

/* a + sign b elementwise, one of them possibly broadcast; in a's rows
 * when they are its own and cover the result's span. */
static Block combine(Forms *f, const IxpAst *e, Block a, Block b, double sign) {
  if (!a.scalar && !b.scalar && a.d != b.d) shape_error(f, e, a.d, b.d);
  int d = a.scalar ? b.d : a.d;
  int lo = width(&a) ? a.lo : b.lo, hi = width(&a) ? a.hi : b.hi;  /* what the result must store: both */
  if (width(&b) && b.lo < lo) lo = b.lo;
  if (width(&b) && b.hi > hi) hi = b.hi;
  int ulo = a.ulo < a.uhi ? a.ulo : b.ulo, uhi = a.ulo < a.uhi ? a.uhi : b.uhi;
  if (b.ulo < b.uhi && b.ulo < ulo) ulo = b.ulo;
  if (b.ulo < b.uhi && b.uhi > uhi) uhi = b.uhi;
  Block out = a;
  if (a.group >= 0 || a.scalar != (a.scalar && b.scalar) || (lo < hi && (a.lo > lo || a.hi < hi))) {
    out = block_new(f, d, a.scalar && b.scalar, lo, hi);
    for (int i = 0; i < d; i++) add_row(f, &a, a.scalar ? 0 : i, 1, &out, i);
  }
  for (int i = 0; i < d; i++) add_row(f, &b, b.scalar ? 0 : i, sign, &out, i);
  out.ulo = ulo, out.uhi = uhi;
  return out;
}

/* Each row i times c[i] (c[0] for every row when nc is 1). */
static Block scale(Forms *f, Block a, const double *c, int nc) {
  if (nc > 1 && a.scalar) {  /* a number's form times a vector of constants */
    Block out = block_new(f, nc, false, a.ulo, a.uhi);
    for (int i = 0; i < nc; i++) add_row(f, &a, 0, c[i], &out, i);
    return out;
  }
  a = materialise(f, a);
  for (int i = 0; i < a.d; i++) {
    double ci = c[nc > 1 ? i : 0];
    for (int k = 0; k < width(&a); k++) a.rows[(size_t)i * (size_t)width(&a) + (size_t)k] *= ci;
    a.mean[i] *= ci;
  }
  return a;
}

/* Row j of b: its single nonzero coefficient's column and value; false
 * when it has more than one. */
static bool single(const Forms *f, const Block *b, int j, int *col, double *val) {
  int lo = b->group >= 0 ? f->lo[b->group + j] : b->lo, n = b->group >= 0 ? f->hi[b->group + j] - lo : width(b);
  const double *r = b->group >= 0 ? f->row[b->group + j] : b->rows + (size_t)j * (size_t)width(b);
  *col = -1;
  for (int k = 0; k < n; k++)
    if (r[k] != 0) {
      if (*col >= 0) return false;
      *col = lo + k, *val = r[k];
    }
  return true;
}

/* A (rows x cols, row-major) times the block b (cols rows): when each row
 * of b has one coefficient, in ascending columns of their own
 * (independent draws, a diagonal factor), a scaling of A's columns;
 * otherwise one GEMM over b's span. */
static Block matrix_times(Forms *f, const IxpAst *e, const IxpValue *a, Block b) {
  if (b.scalar || a->cols != b.d)
    ixp_runtime_error(f->s, f->m->src, e->span, "cannot multiply a %dx%d matrix by a %d-vector", a->rows, a->cols,
                      b.scalar ? 1 : b.d);
  int d = a->rows, m = a->cols;
  Block out = block_new(f, d, false, b.ulo, b.uhi);
  int wo = width(&out), *col = ixp_arena_alloc(tmp(f), (size_t)(m ? m : 1) * sizeof *col);
  double *val = ixp_arena_alloc(tmp(f), (size_t)(m ? m : 1) * sizeof *val);
  bool sparse = true;
  for (int j = 0; j < m && sparse; j++)
    sparse = single(f, &b, j, &col[j], &val[j]) && (col[j] < 0 || j == 0 || col[j] > col[j - 1]);
  for (int i = 0; i < d; i++) {  /* the constants: A times b's */
    double c = 0;
    for (int j = 0; j < m; j++) c += a->v[(size_t)i * (size_t)m + (size_t)j] * (b.group >= 0 ? f->mean[b.group + j] : b.mean[j]);
    out.mean[i] = c;
  }
  if (sparse) {  /* row by row: A's row read in order, written in ascending columns */
    for (int i = 0; i < d; i++) {
      const double *ai = a->v + (size_t)i * (size_t)m;
      double *o = out.rows + (size_t)i * (size_t)wo - out.lo;
      for (int j = 0; j < m; j++)
        if (col[j] >= 0) o[col[j]] = ai[j] * val[j];
    }
    return out;
  }
  b = materialise(f, b);
  if (b.uhi > b.ulo) {  /* over the columns b uses, in both blocks' storage */
    IxpDenseStatus st = ixp_dense_gemm(false, false, d, b.uhi - b.ulo, m, 1.0, a->v, m, b.rows + (b.ulo - b.lo), width(&b), 0.0,
                                       out.rows + (b.ulo - out.lo), wo);
    if (st != IXP_DENSE_OK) ixp_runtime_error(f->s, f->m->src, e->span, "%s", ixp_dense_status_text(st));
  }
  return out;
}

/* The transpose of a matrix value, for x * M (a row vector times M). */
static IxpValue transposed(Forms *f, IxpValue a) {
  IxpValue t = a;
  t.rows = a.cols, t.cols = a.rows;
  t.v = ixp_arena_alloc(tmp(f), (size_t)a.rows * (size_t)a.cols * sizeof *t.v);
  for (int i = 0; i < a.rows; i++)
    for (int j = 0; j < a.cols; j++) t.v[(size_t)j * (size_t)a.rows + (size_t)i] = a.v[(size_t)i * (size_t)a.cols + (size_t)j];
  return t;
}

static Block vector_form(Forms *f, const IxpAst *e);

/* c * b, b * c, c .* b, b .* c and b / c for a constant c. */
static Block product(Forms *f, const IxpAst *e) {
  bool left_const = !ixp_reads_model_var(e->a);
  const IxpAst *ce = left_const ? e->a : e->b;
  Block b = vector_form(f, left_const ? e->b : e->a);
  IxpValue c = constant(f, ce);
  if (e->op == OP_DIV) {
    if (c.type != TY_NUM) ixp_runtime_error(f->s, f->m->src, ce->span, "a vector variable is divided by a number here");
    if (c.num.x == 0) ixp_runtime_error(f->s, f->m->src, e->span, "division by zero");
    double inv = 1 / c.num.x;
    return scale(f, b, &inv, 1);
  }
  if (c.type == TY_NUM) return scale(f, b, &c.num.x, 1);
  if (c.type == TY_MAT && e->op == OP_MUL) {
    IxpValue a = left_const ? c : transposed(f, c);  /* x * M is M^T x */
    return matrix_times(f, e, &a, b);
  }
  if (c.type == TY_VEC && (e->op == OP_EMUL || b.scalar)) {
    if (!b.scalar && c.cols != b.d) shape_error(f, e, c.cols, b.d);
    return scale(f, b, c.v, c.cols);
  }
  ixp_runtime_error(f->s, f->m->src, e->span, "this product of a vector variable is not affine in closed form");
}

/* The forms of a vector (or scalar) expression affine in the variables. */
static Block vector_form(Forms *f, const IxpAst *e) {
  if (!ixp_reads_model_var(e)) {
    IxpValue c = constant(f, e);
    if (c.type != TY_NUM && c.type != TY_VEC)
      ixp_runtime_error(f->s, f->m->src, e->span, "a %s where the model needs a number or a vector", ixp_type_name(c.type));
    Block b = block_new(f, c.type == TY_VEC ? c.cols : 1, c.type == TY_NUM, 0, 0);
    for (int i = 0; i < b.d; i++) b.mean[i] = c.type == TY_VEC ? c.v[i] : c.num.x;
    return b;
  }
  if (e->kind == AST_NAME) {
    bool group = e->sem.ref == REF_GROUP;
    Block b = {.d = group ? f->m->groups[e->sem.slot].count : 1, .scalar = !group};
    b.group = group ? f->m->groups[e->sem.slot].first : e->sem.slot;
    vars_span(f, b.group, b.d, &b.lo, &b.hi);
    b.ulo = b.lo, b.uhi = b.hi;
    return b;
  }
  if (e->kind == AST_UNARY) {
    double minus = -1;
    return scale(f, vector_form(f, e->a), &minus, 1);
  }
  if (e->op == OP_ADD || e->op == OP_SUB) return combine(f, e, vector_form(f, e->a), vector_form(f, e->b), e->op == OP_ADD ? 1 : -1);
  return product(f, e);
}

/* The span of basis columns an affine expression's forms may use. */
static void expression_span(const Forms *f, const IxpAst *e, int *lo, int *hi) {
  *lo = *hi = 0;
  if (!ixp_reads_model_var(e)) return;
  if (e->kind == AST_NAME) {
    bool group = e->sem.ref == REF_GROUP;
    vars_span(f, group ? f->m->groups[e->sem.slot].first : e->sem.slot, group ? f->m->groups[e->sem.slot].count : 1, lo, hi);
    return;
  }
  if (e->kind == AST_UNARY) {
    expression_span(f, e->a, lo, hi);
    return;
  }
  int a, b, c, d;
  expression_span(f, e->a, &a, &b);
  expression_span(f, e->b, &c, &d);
  *lo = a < b ? a : c, *hi = a < b ? b : d;
  if (c < d && c < *lo) *lo = c;
  if (c < d && d > *hi) *hi = d;
}

/* The components of the vector definition that v belongs to, from one
 * block of forms of its expression; their rows point into the block. */
static void vector_definition(Forms *f, int v) {
  IxpModelVar *var = &f->m->vars[v];
  int first = var->leader, d = var->ncomponents > 0 ? var->ncomponents : 1;
  expression_span(f, var->expr->a, &f->hint_lo, &f->hint_hi);
  Block b = materialise(f, vector_form(f, var->expr->a));
  f->hint_lo = f->hint_hi = 0;
  if (b.scalar ? d != 1 : b.d != d)
    ixp_runtime_error(f->s, f->m->src, var->expr->a->span, "this vector has %d values for the %d components of '%s'",
                      b.scalar ? 1 : b.d, d, f->m->vars[first].decl->str ? f->m->vars[first].decl->str : var->name);
  for (int k = 0; k < d; k++) {  /* the block's span for every row: rows stay evenly strided (gather reads them in place) */
    f->row[first + k] = b.rows + (size_t)(b.scalar ? 0 : k) * (size_t)width(&b);
    f->lo[first + k] = b.lo, f->hi[first + k] = b.hi;
    f->mean[first + k] = b.mean[b.scalar ? 0 : k];
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
  int d = leader->dist->dimension(args), k = leader->ncomponents;
  if (d != k) ixp_runtime_error(f->s, m->src, leader->expr->span, "normal(mean, cov) gives %d values for %d variables", d, k);
  double *l = ixp_arena_alloc(tmp(f), (size_t)d * (size_t)d * sizeof *l);
  leader->dist->prepare(args, l);  /* the Cholesky factor */
  for (int c = 0; c < d; c++) {  /* the components of a draw are consecutive variables from the leader */
    int v = leader->leader + c, lo = 0, hi = c + 1;
    const double *r = l + (size_t)c * (size_t)d;
    while (lo < hi && r[lo] == 0) lo++;
    while (hi > lo && r[hi - 1] == 0) hi--;
    f->row[v] = (double *)r + lo, f->lo[v] = *basis + lo, f->hi[v] = *basis + hi;
    f->mean[v] = ixp_mvn_mean(args, c);
  }
  *basis += d;
}

const IxpGaussForms *ixp_gaussian_forms(IxpSession *s, IxpModelDef *m, const IxpValue *params) {
  if (m->process) return ixp_process_window_forms(s, m, params);  /* a process's window: from its stationary law */
  Forms f = {.s = s, .m = m, .params = params};
  for (int v = 0; v < m->nvars; v++) f.nb += m->vars[v].kind == VAR_DRAW;  /* one basis normal per component */
  int n = m->nvars;
  IxpArena *a = ixp_session_tmp(s);
  f.w = f.nb + 1;
  f.row = ixp_arena_alloc(a, (size_t)(n ? n : 1) * sizeof *f.row);
  f.mean = ixp_arena_alloc(a, (size_t)(n ? n : 1) * sizeof *f.mean);
  f.lo = ixp_arena_alloc(a, (size_t)(n ? n : 1) * sizeof *f.lo), f.hi = ixp_arena_alloc(a, (size_t)(n ? n : 1) * sizeof *f.hi);
  f.scratch = ixp_arena_alloc(a, (size_t)f.w * sizeof *f.scratch);
  bool *done = ixp_arena_alloc(a, (size_t)(n ? n : 1) * sizeof *done);
  int basis = 0;
  for (int i = 0; i < n; i++) {
    int v = m->order[i];
    IxpModelVar *var = &m->vars[v];
    if (done[v]) continue;
    if (var->kind == VAR_DRAW && var->ncomponents > 1) {
      vector_forms(&f, &m->vars[var->leader], &basis);
      for (int c = 0; c < var->ncomponents; c++) done[var->leader + c] = true;
      continue;
    }
    if (vector_component(var)) {
      vector_definition(&f, v);
      for (int c = 0; c < (var->ncomponents > 0 ? var->ncomponents : 1); c++) done[var->leader + c] = true;
      continue;
    }
    if (var->kind == VAR_DRAW) {  /* mu + sigma z_basis */
      IxpFrame fr = {m, NULL, params};
      double mu = ixp_eval_number(s, var->expr->items[0]->a, &fr), sigma = ixp_eval_number(s, var->expr->items[1]->a, &fr);
      if (!(sigma > 0)) ixp_runtime_error(s, m->src, var->expr->span, "normal(mu, sigma) needs a positive sigma");
      f.row[v] = ixp_arena_alloc(a, sizeof(double));
      f.row[v][0] = sigma, f.lo[v] = basis, f.hi[v] = basis + 1, f.mean[v] = mu;
      basis++;
    } else {
      IxpArenaMark mark = ixp_arena_mark(a);  /* the form's temporaries */
      form_of(&f, var->expr, f.scratch);
      ixp_arena_release(a, mark);
      store(&f, v, f.scratch);
    }
    done[v] = true;
  }
  IxpGaussForms *g = ixp_arena_alloc(a, sizeof *g);
  *g = (IxpGaussForms){.n = n, .nb = f.nb, .row = (const double *const *)f.row, .mean = f.mean, .lo = f.lo, .hi = f.hi};
  return g;
}

/* ---------------------------------------------------------- covariances */

static double *gather(IxpSession *s, const IxpGaussForms *g, const int *vars, int k, const bool *keep, int *r);

/* Rows vars[0 .. k) as they are stored, when they are consecutive rows
 * of one block (a vector definition's components) and the kept columns
 * are one range within it: the first row's kept part and the stride. */
static const double *in_place(const IxpGaussForms *g, const int *vars, int k, const bool *keep, int *r, int *ld) {
  int v0 = vars[0], lo = g->lo[v0], hi = g->hi[v0], n = hi - lo;
  for (int i = 1; i < k; i++)
    if (g->lo[vars[i]] != lo || g->hi[vars[i]] != hi || g->row[vars[i]] != g->row[v0] + (size_t)i * (size_t)n) return NULL;
  int a = lo, b = hi;
  while (keep && a < b && !keep[a]) a++;
  while (keep && b > a && !keep[b - 1]) b--;
  for (int c = a; keep && c < b; c++)
    if (!keep[c]) return NULL;
  *r = b - a, *ld = n;
  return g->row[v0] + (a - lo);
}

/* Rows vars[0 .. k) of the forms, restricted to the columns keep[c] marks
 * (NULL: all) within their span, as a k x *r matrix of stride *ld: read in
 * place when they lie so, else packed. */
static const double *gather_rows(IxpSession *s, const IxpGaussForms *g, const int *vars, int k, const bool *keep, int *r,
                                 int *ld) {
  const double *x = k > 0 ? in_place(g, vars, k, keep, r, ld) : NULL;
  if (x) return x;
  double *packed = gather(s, g, vars, k, keep, r);
  *ld = *r;
  return packed;
}

/* Rows vars[0 .. k) of the forms, restricted to the columns keep[c] marks
 * (NULL: all) within their span, packed as a k x *r matrix. */
static double *gather(IxpSession *s, const IxpGaussForms *g, const int *vars, int k, const bool *keep, int *r) {
  int lo = g->nb, hi = 0;
  for (int i = 0; i < k; i++)
    if (g->lo[vars[i]] < g->hi[vars[i]]) {
      if (g->lo[vars[i]] < lo) lo = g->lo[vars[i]];
      if (g->hi[vars[i]] > hi) hi = g->hi[vars[i]];
    }
  int *cols = ixp_arena_alloc(ixp_session_tmp(s), (size_t)(hi > lo ? hi - lo : 1) * sizeof *cols), nc = 0;
  for (int c = lo; c < hi; c++)
    if (!keep || keep[c]) cols[nc++] = c;
  double *x = ixp_arena_alloc(ixp_session_tmp(s), (size_t)k * (size_t)(nc ? nc : 1) * sizeof *x);
  for (int i = 0; i < k; i++) {
    int v = vars[i];
    const double *row = g->row[v];
    double *out = x + (size_t)i * (size_t)nc;
    for (int j = 0; j < nc; j++) out[j] = cols[j] >= g->lo[v] && cols[j] < g->hi[v] ? row[cols[j] - g->lo[v]] : 0;
  }
  *r = nc;
  return x;
}

/* c (k x k) = x x^T for x k x r (stride ld), both triangles. */
static void product_of_rows(IxpSession *s, const double *x, int k, int r, int ld, double *c) {
  if (r == 0) {
    memset(c, 0, (size_t)k * (size_t)k * sizeof *c);
    return;
  }
  IxpDenseStatus st = ixp_dense_syrk_lower(false, k, r, 1.0, x, ld, 0.0, c, k > 1 ? k : 1);
  if (st != IXP_DENSE_OK) ixp_runtime_error(s, s->src, (IxpSpan){0, 0}, "covariance: %s", ixp_dense_status_text(st));
  for (int i = 0; i < k; i++)
    for (int j = i + 1; j < k; j++) c[(size_t)i * (size_t)k + (size_t)j] = c[(size_t)j * (size_t)k + (size_t)i];
}

double *ixp_gaussian_cov(IxpSession *s, const IxpGaussForms *g, const int *vars, int k) {
  int r, ld;
  const double *x = gather_rows(s, g, vars, k, NULL, &r, &ld);
  double *c = ixp_arena_alloc(ixp_session_tmp(s), (size_t)k * (size_t)(k ? k : 1) * sizeof *c);
  product_of_rows(s, x, k, r, ld, c);
  return c;
}

void ixp_gaussian_moments(IxpSession *s, IxpModelDef *m, const IxpValue *params, double **mean, double **cov) {
  const IxpGaussForms *g = ixp_gaussian_forms(s, m, params);
  int *all = ixp_arena_alloc(ixp_session_tmp(s), (size_t)(g->n ? g->n : 1) * sizeof *all);
  for (int v = 0; v < g->n; v++) all[v] = v;
  *mean = (double *)g->mean;
  *cov = ixp_gaussian_cov(s, g, all, g->n);
}

/* ------------------------------------------------------------------- mi */

/* The basis columns the forms of vars[0 .. k) use, marked in `cols` (nb);
 * true when they are exactly k and the rows, ordered by their last
 * column, are lower triangular on them with a nonzero diagonal: then the
 * variables are an invertible function of those normals alone. */
static bool own_basis(IxpSession *s, const IxpGaussForms *g, const int *vars, int k, bool *cols) {
  int used = 0;
  char *last = ixp_arena_alloc(ixp_session_tmp(s), (size_t)(g->nb ? g->nb : 1));
  for (int i = 0; i < k; i++) {
    int v = vars[i], end = -1;
    for (int c = g->lo[v]; c < g->hi[v]; c++)
      if (g->row[v][c - g->lo[v]] != 0) {
        used += !cols[c];
        cols[c] = true;
        end = c;
      }
    if (end < 0 || last[end]) return false;  /* no coefficient, or two rows ending in one column */
    last[end] = 1;
  }
  return used == k;
}

/* Whether the rows of y outside the columns `xcols` have at most one
 * coefficient each, each in a column of its own: then their product
 * (S_Y|X) is diagonal, its entries into diag. */
static bool diagonal_rest(IxpSession *s, const IxpGaussForms *g, const bool *xcols, const int *y, int ny, double *diag) {
  char *taken = ixp_arena_alloc(ixp_session_tmp(s), (size_t)(g->nb ? g->nb : 1));
  for (int i = 0; i < ny; i++) {
    int v = y[i], hits = 0;
    diag[i] = 0;
    for (int c = g->lo[v]; c < g->hi[v]; c++) {
      double x = g->row[v][c - g->lo[v]];
      if (x == 0 || xcols[c]) continue;
      if (++hits > 1 || taken[c]) return false;
      taken[c] = 1;
      diag[i] = x * x;
    }
  }
  return true;
}

/* log det of a positive definite matrix, factored in place. */
static IxpGaussStatus logdet_in_place(double *a, int n, double *out) {
  if (n == 0) {
    *out = 0;
    return IXP_GAUSS_OK;
  }
  IxpGaussStatus st = ixp_cholesky(a, n, n, NULL);
  if (st == IXP_GAUSS_OK) *out = 2 * ixp_dense_tri_logdiag(a, n, 0, n);
  return st;
}

/* 1/2 [log det S_Y - log det S_Y|X] when X has its own basis columns:
 * S_Y is the product of Y's rows on X's columns plus S_Y|X, the product
 * on the others. */
static IxpGaussStatus conditional_mi(IxpSession *s, const IxpGaussForms *g, const bool *xcols, const int *y, int ny,
                                     double *out) {
  IxpArena *a = ixp_session_tmp(s);
  int rx, ldx;
  const double *yx = gather_rows(s, g, y, ny, xcols, &rx, &ldx);
  double *diag = ixp_arena_alloc(a, (size_t)(ny ? ny : 1) * sizeof *diag);
  double *sy = ixp_arena_alloc(a, (size_t)ny * (size_t)(ny ? ny : 1) * sizeof *sy), ld_cond = 0, ld_y = 0;
  product_of_rows(s, yx, ny, rx, ldx, sy);
  if (diagonal_rest(s, g, xcols, y, ny, diag)) {  /* independent noise on each component */
    IxpKSum k = {0, 0};
    for (int i = 0; i < ny; i++) {
      if (!(diag[i] > 0)) return IXP_GAUSS_ENOTPD;
      ixp_ksum_add(&k, log(diag[i]));
      sy[(size_t)i * (size_t)ny + (size_t)i] += diag[i];
    }
    ld_cond = ixp_ksum_value(k);
  } else {
    bool *rest = ixp_arena_alloc(a, (size_t)(g->nb ? g->nb : 1) * sizeof *rest);
    for (int c = 0; c < g->nb; c++) rest[c] = !xcols[c];
    int rr, ldr;
    const double *yr = gather_rows(s, g, y, ny, rest, &rr, &ldr);
    double *cond = ixp_arena_alloc(a, (size_t)ny * (size_t)(ny ? ny : 1) * sizeof *cond);
    product_of_rows(s, yr, ny, rr, ldr, cond);
    for (size_t i = 0; i < (size_t)ny * (size_t)ny; i++) sy[i] += cond[i];
    IxpGaussStatus st = logdet_in_place(cond, ny, &ld_cond);
    if (st != IXP_GAUSS_OK) return st;
  }
  IxpGaussStatus st = logdet_in_place(sy, ny, &ld_y);
  if (st == IXP_GAUSS_OK) *out = 0.5 * (ld_y - ld_cond);
  return st;
}

IxpGaussStatus ixp_gaussian_mi(IxpSession *s, const IxpGaussForms *g, const int *x, int nx, const int *y, int ny,
                               double *out) {
  IxpArena *a = ixp_session_tmp(s);
  for (int side = 0; side < 2; side++) {
    bool *cols = ixp_arena_alloc(a, (size_t)(g->nb ? g->nb : 1) * sizeof *cols);
    if (own_basis(s, g, side ? y : x, side ? ny : nx, cols))
      return conditional_mi(s, g, cols, side ? x : y, side ? nx : ny, out);
  }
  int *xy = ixp_arena_alloc(a, (size_t)(nx + ny) * sizeof *xy);
  memcpy(xy, x, (size_t)nx * sizeof *xy);
  memcpy(xy + nx, y, (size_t)ny * sizeof *xy);
  double ld[3];
  const int *sets[3] = {x, y, xy};
  int sizes[3] = {nx, ny, nx + ny};
  for (int i = 0; i < 3; i++) {
    IxpGaussStatus st = logdet_in_place(ixp_gaussian_cov(s, g, sets[i], sizes[i]), sizes[i], &ld[i]);
    if (st != IXP_GAUSS_OK) return st;
  }
  double scale = fabs(ld[0]) + fabs(ld[1]) + fabs(ld[2]), mi = 0.5 * (ld[0] + ld[1] - ld[2]);
  *out = fabs(mi) <= 64 * 2.220446049250313e-16 * scale ? 0 : mi;  /* independent sides: exactly 0, as a sum of entropies gives */
  return IXP_GAUSS_OK;
}
