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
  int nb, w;         /* basis normals; a form's width, nb coefficients then the constant */
  double *form;      /* nvars x w */
  int *lo, *hi;      /* each variable's nonzero coefficient columns */
} Forms;

static double *row_of(const Forms *f, int v) { return f->form + (size_t)v * (size_t)f->w; }

/* The columns [lo, hi) that hold a form's nonzero coefficients. */
static void span_of(const Forms *f, const double *form, int *lo, int *hi) {
  int a = 0, b = f->nb;
  while (a < b && form[a] == 0) a++;
  while (b > a && form[b - 1] == 0) b--;
  *lo = a, *hi = b;
}

static IxpValue constant(Forms *f, const IxpAst *e) {
  IxpFrame fr = {f->m, NULL, f->params};
  return ixp_eval(f->s, (IxpAst *)e, &fr);
}

/* The affine form of scalar `e` into out (w entries); temporaries are
 * released by the caller. */
static void form_of(Forms *f, const IxpAst *e, double *out) {
  int w = f->w;
  if (!ixp_reads_model_var(e)) {
    IxpFrame fr = {f->m, NULL, f->params};
    memset(out, 0, (size_t)w * sizeof *out);
    out[f->nb] = ixp_eval_number(f->s, (IxpAst *)e, &fr);
    return;
  }
  if (e->kind == AST_NAME) {
    memcpy(out, row_of(f, e->sem.slot), (size_t)w * sizeof *out);
    return;
  }
  if (e->kind == AST_UNARY) {
    form_of(f, e->a, out);
    for (int k = 0; k < w; k++) out[k] = -out[k];
    return;
  }
  double *b = ixp_arena_alloc(ixp_session_tmp(f->s), (size_t)w * sizeof *b);
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

/* The forms of a vector expression: d rows of w (scalar: one row that
 * broadcasts), each row's nonzero coefficients in [lo, hi) of the block. */
typedef struct {
  int d;
  bool scalar;
  double *rows;
  int lo, hi;
} Block;

static Block block_new(Forms *f, int d, bool scalar) {
  Block b = {d, scalar, ixp_arena_alloc(ixp_session_tmp(f->s), (size_t)d * (size_t)f->w * sizeof(double)), f->nb, 0};
  return b;
}

static void block_span(const Forms *f, Block *b) {
  b->lo = f->nb, b->hi = 0;
  for (int i = 0; i < b->d; i++) {
    int lo, hi;
    span_of(f, b->rows + (size_t)i * (size_t)f->w, &lo, &hi);
    if (lo < hi && lo < b->lo) b->lo = lo;
    if (lo < hi && hi > b->hi) b->hi = hi;
  }
  if (b->lo > b->hi) b->lo = b->hi = 0;
}

static _Noreturn void shape_error(Forms *f, const IxpAst *e, int a, int b) {
  ixp_runtime_error(f->s, f->m->src, e->span, "cannot combine a %d-vector with a %d-vector", a, b);
}

/* a op b elementwise (op '+' or '-'), one of them possibly broadcast. */
static Block combine(Forms *f, const IxpAst *e, Block a, Block b, double sign) {
  if (!a.scalar && !b.scalar && a.d != b.d) shape_error(f, e, a.d, b.d);
  int d = a.scalar ? b.d : a.d;
  Block out = block_new(f, d, a.scalar && b.scalar);
  for (int i = 0; i < d; i++) {
    const double *x = a.rows + (size_t)(a.scalar ? 0 : i) * (size_t)f->w, *y = b.rows + (size_t)(b.scalar ? 0 : i) * (size_t)f->w;
    double *o = out.rows + (size_t)i * (size_t)f->w;
    for (int k = 0; k < f->w; k++) o[k] = x[k] + sign * y[k];
  }
  block_span(f, &out);
  return out;
}

/* Each row i scaled by c[i] (c[0] for every row when one is given). */
static Block scale(Forms *f, Block a, const double *c, int nc) {
  if (nc > 1 && a.scalar) {  /* a number times a vector of constants */
    Block out = block_new(f, nc, false);
    for (int i = 0; i < nc; i++)
      for (int k = 0; k < f->w; k++) out.rows[(size_t)i * (size_t)f->w + (size_t)k] = c[i] * a.rows[k];
    block_span(f, &out);
    return out;
  }
  for (int i = 0; i < a.d; i++)
    for (int k = 0; k < f->w; k++) a.rows[(size_t)i * (size_t)f->w + (size_t)k] *= c[nc > 1 ? i : 0];
  return a;
}

/* Whether every row of b has at most one nonzero coefficient, each in a
 * column of its own (independent draws, a diagonal factor): then a
 * product by a matrix scales columns instead of multiplying. */
static bool one_per_row(const Forms *f, const Block *b, int *col) {
  for (int j = 0; j < b->d; j++) {
    int lo, hi;
    span_of(f, b->rows + (size_t)j * (size_t)f->w, &lo, &hi);
    if (hi - lo > 1) return false;
    col[j] = lo < hi ? lo : -1;
    if (j > 0 && col[j] >= 0 && col[j] <= col[j - 1]) return false;  /* distinct, ascending */
  }
  return true;
}

/* A (rows x cols, row-major) times the block b (cols rows). */
static Block matrix_times(Forms *f, const IxpAst *e, const IxpValue *a, Block b) {
  if (b.scalar || a->cols != b.d)
    ixp_runtime_error(f->s, f->m->src, e->span, "cannot multiply a %dx%d matrix by a %d-vector", a->rows, a->cols,
                      b.scalar ? 1 : b.d);
  int d = a->rows, m = a->cols, w = f->w;
  Block out = block_new(f, d, false);
  int *col = ixp_arena_alloc(ixp_session_tmp(f->s), (size_t)(m ? m : 1) * sizeof *col);
  for (int i = 0; i < d; i++) {  /* the constants: A times b's */
    double c = 0;
    for (int j = 0; j < m; j++) c += a->v[(size_t)i * (size_t)m + (size_t)j] * b.rows[(size_t)j * (size_t)w + (size_t)f->nb];
    out.rows[(size_t)i * (size_t)w + (size_t)f->nb] = c;
  }
  if (one_per_row(f, &b, col)) {
    for (int j = 0; j < m; j++)
      if (col[j] >= 0) {
        double bj = b.rows[(size_t)j * (size_t)w + (size_t)col[j]];
        for (int i = 0; i < d; i++) out.rows[(size_t)i * (size_t)w + (size_t)col[j]] = a->v[(size_t)i * (size_t)m + (size_t)j] * bj;
      }
  } else if (b.hi > b.lo) {
    IxpDenseStatus st = ixp_dense_gemm(false, false, d, b.hi - b.lo, m, 1.0, a->v, m, b.rows + b.lo, w, 0.0,
                                       out.rows + b.lo, w);
    if (st != IXP_DENSE_OK) ixp_runtime_error(f->s, f->m->src, e->span, "%s", ixp_dense_status_text(st));
  }
  block_span(f, &out);
  return out;
}

/* The transpose of a matrix value, for x * M (a row vector times M). */
static IxpValue transposed(Forms *f, IxpValue a) {
  IxpValue t = a;
  t.rows = a.cols, t.cols = a.rows;
  t.v = ixp_arena_alloc(ixp_session_tmp(f->s), (size_t)a.rows * (size_t)a.cols * sizeof *t.v);
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
    for (int i = 0; i < b.d; i++)
      for (int k = 0; k < f->w; k++) b.rows[(size_t)i * (size_t)f->w + (size_t)k] *= inv;
    return b;
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
  int w = f->w;
  if (!ixp_reads_model_var(e)) {
    IxpValue c = constant(f, e);
    if (c.type != TY_NUM && c.type != TY_VEC)
      ixp_runtime_error(f->s, f->m->src, e->span, "a %s where the model needs a number or a vector", ixp_type_name(c.type));
    Block b = block_new(f, c.type == TY_VEC ? c.cols : 1, c.type == TY_NUM);
    for (int i = 0; i < b.d; i++) b.rows[(size_t)i * (size_t)w + (size_t)f->nb] = c.type == TY_VEC ? c.v[i] : c.num.x;
    b.lo = b.hi = 0;
    return b;
  }
  if (e->kind == AST_NAME) {
    bool group = e->sem.ref == REF_GROUP;
    int first = group ? f->m->groups[e->sem.slot].first : e->sem.slot, d = group ? f->m->groups[e->sem.slot].count : 1;
    Block b = block_new(f, d, !group);
    memcpy(b.rows, row_of(f, first), (size_t)d * (size_t)w * sizeof *b.rows);
    b.lo = f->nb, b.hi = 0;
    for (int v = first; v < first + d; v++) {
      if (f->lo[v] < f->hi[v] && f->lo[v] < b.lo) b.lo = f->lo[v];
      if (f->lo[v] < f->hi[v] && f->hi[v] > b.hi) b.hi = f->hi[v];
    }
    if (b.lo > b.hi) b.lo = b.hi = 0;
    return b;
  }
  if (e->kind == AST_UNARY) {
    Block b = vector_form(f, e->a);
    for (size_t k = 0; k < (size_t)b.d * (size_t)w; k++) b.rows[k] = -b.rows[k];
    return b;
  }
  if (e->op == OP_ADD || e->op == OP_SUB) return combine(f, e, vector_form(f, e->a), vector_form(f, e->b), e->op == OP_ADD ? 1 : -1);
  return product(f, e);
}

/* Record v's form: its span of nonzero columns. */
static void settle(Forms *f, int v) { span_of(f, row_of(f, v), &f->lo[v], &f->hi[v]); }

/* The components of the vector definition that v belongs to, from one
 * block of forms of its expression. */
static void vector_definition(Forms *f, int v) {
  IxpModelVar *var = &f->m->vars[v];
  int first = var->leader, d = var->ncomponents > 0 ? var->ncomponents : 1;
  IxpArenaMark mark = ixp_arena_mark(ixp_session_tmp(f->s));
  Block b = vector_form(f, var->expr->a);
  if (b.scalar ? d != 1 : b.d != d)
    ixp_runtime_error(f->s, f->m->src, var->expr->a->span, "this vector has %d values for the %d components of '%s'",
                      b.scalar ? 1 : b.d, d, f->m->vars[first].decl->str ? f->m->vars[first].decl->str : var->name);
  for (int k = 0; k < d; k++) {
    memcpy(row_of(f, first + k), b.rows + (size_t)(b.scalar ? 0 : k) * (size_t)f->w, (size_t)f->w * sizeof(double));
    settle(f, first + k);
  }
  ixp_arena_release(ixp_session_tmp(f->s), mark);
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
  double *l = ixp_arena_alloc(ixp_session_tmp(f->s), (size_t)d * (size_t)d * sizeof *l);
  leader->dist->prepare(args, l);  /* the Cholesky factor */
  for (int c = 0; c < d; c++) {  /* the components of a draw are consecutive variables from the leader */
    int v = leader->leader + c;
    double *out = row_of(f, v);
    memset(out, 0, (size_t)f->w * sizeof *out);
    for (int j = 0; j <= c; j++) out[*basis + j] = l[c * d + j];
    out[f->nb] = ixp_mvn_mean(args, c);
    settle(f, v);
  }
  *basis += d;
}

const IxpGaussForms *ixp_gaussian_forms(IxpSession *s, IxpModelDef *m, const IxpValue *params) {
  Forms f = {.s = s, .m = m, .params = params};
  for (int v = 0; v < m->nvars; v++) f.nb += m->vars[v].kind == VAR_DRAW;  /* one basis normal per component */
  int n = m->nvars;
  IxpArena *a = ixp_session_tmp(s);
  f.w = f.nb + 1;
  f.form = ixp_arena_alloc(a, (size_t)n * (size_t)f.w * sizeof *f.form);
  f.lo = ixp_arena_alloc(a, (size_t)n * sizeof *f.lo), f.hi = ixp_arena_alloc(a, (size_t)n * sizeof *f.hi);
  bool *done = ixp_arena_alloc(a, (size_t)n * sizeof *done);
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
    double *out = row_of(&f, v);
    if (var->kind == VAR_DRAW) {  /* mu + sigma z_basis */
      IxpFrame fr = {m, NULL, params};
      double mu = ixp_eval_number(s, var->expr->items[0]->a, &fr), sigma = ixp_eval_number(s, var->expr->items[1]->a, &fr);
      if (!(sigma > 0)) ixp_runtime_error(s, m->src, var->expr->span, "normal(mu, sigma) needs a positive sigma");
      out[basis++] = sigma;
      out[f.nb] = mu;
    } else {
      IxpArenaMark mark = ixp_arena_mark(a);  /* the form's temporaries */
      form_of(&f, var->expr, out);
      ixp_arena_release(a, mark);
    }
    settle(&f, v);
    done[v] = true;
  }
  IxpGaussForms *g = ixp_arena_alloc(a, sizeof *g);
  double *mean = ixp_arena_alloc(a, (size_t)n * sizeof *mean);
  for (int v = 0; v < n; v++) mean[v] = row_of(&f, v)[f.nb];
  *g = (IxpGaussForms){.n = n, .nb = f.nb, .ld = f.w, .form = f.form, .mean = mean, .lo = f.lo, .hi = f.hi};
  return g;
}

/* ---------------------------------------------------------- covariances */

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
    const double *row = g->form + (size_t)vars[i] * (size_t)g->ld;
    for (int j = 0; j < nc; j++) x[(size_t)i * (size_t)nc + (size_t)j] = row[cols[j]];
  }
  *r = nc;
  return x;
}

/* c (k x k) = x x^T for x k x r, both triangles. */
static void product_of_rows(IxpSession *s, const double *x, int k, int r, double *c) {
  if (r == 0) {
    memset(c, 0, (size_t)k * (size_t)k * sizeof *c);
    return;
  }
  IxpDenseStatus st = ixp_dense_syrk_lower(false, k, r, 1.0, x, r, 0.0, c, k > 1 ? k : 1);
  if (st != IXP_DENSE_OK) ixp_runtime_error(s, s->src, (IxpSpan){0, 0}, "covariance: %s", ixp_dense_status_text(st));
  for (int i = 0; i < k; i++)
    for (int j = i + 1; j < k; j++) c[(size_t)i * (size_t)k + (size_t)j] = c[(size_t)j * (size_t)k + (size_t)i];
}

double *ixp_gaussian_cov(IxpSession *s, const IxpGaussForms *g, const int *vars, int k) {
  int r;
  double *x = gather(s, g, vars, k, NULL, &r);
  double *c = ixp_arena_alloc(ixp_session_tmp(s), (size_t)k * (size_t)(k ? k : 1) * sizeof *c);
  product_of_rows(s, x, k, r, c);
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
  int *last = ixp_arena_alloc(ixp_session_tmp(s), (size_t)(g->nb ? g->nb : 1) * sizeof *last);
  for (int i = 0; i < k; i++) {
    const double *row = g->form + (size_t)vars[i] * (size_t)g->ld;
    int end = -1;
    for (int c = g->lo[vars[i]]; c < g->hi[vars[i]]; c++)
      if (row[c] != 0) {
        used += !cols[c];
        cols[c] = true;
        end = c;
      }
    if (end < 0 || last[end]) return false;  /* no coefficient, or two rows ending in one column */
    last[end] = 1;
  }
  return used == k;
}

/* Whether x (k x r) has at most one nonzero a row, each in a column of
 * its own: then x x^T is diagonal, its entries into diag. */
static bool diagonal_product(const double *x, int k, int r, double *diag, char *taken) {
  for (int i = 0; i < k; i++) {
    diag[i] = 0;
    int hits = 0;
    for (int j = 0; j < r; j++) {
      double v = x[(size_t)i * (size_t)r + (size_t)j];
      if (v == 0) continue;
      if (++hits > 1 || taken[j]) return false;
      taken[j] = 1;
      diag[i] = v * v;
    }
  }
  return true;
}

/* 1/2 [log det S_Y - log det S_Y|X] when X has its own basis columns. */
static IxpGaussStatus conditional_mi(IxpSession *s, const IxpGaussForms *g, const bool *xcols, const int *y, int ny,
                                     double *out) {
  IxpArena *a = ixp_session_tmp(s);
  bool *rest = ixp_arena_alloc(a, (size_t)(g->nb ? g->nb : 1) * sizeof *rest);
  for (int c = 0; c < g->nb; c++) rest[c] = !xcols[c];
  int rx, rr;
  double *yx = gather(s, g, y, ny, xcols, &rx), *yr = gather(s, g, y, ny, rest, &rr);
  double *sy = ixp_arena_alloc(a, (size_t)ny * (size_t)ny * sizeof *sy);
  double *cond = ixp_arena_alloc(a, (size_t)ny * (size_t)ny * sizeof *cond), *diag = ixp_arena_alloc(a, (size_t)ny * sizeof *diag);
  char *taken = ixp_arena_alloc(a, (size_t)(rr ? rr : 1));
  product_of_rows(s, yx, ny, rx, sy);
  double ld_cond = 0, ld_y = 0;
  if (diagonal_product(yr, ny, rr, diag, taken)) {  /* independent noise on each component: S_Y|X diagonal */
    IxpKSum k = {0, 0};
    for (int i = 0; i < ny; i++) {
      if (!(diag[i] > 0)) return IXP_GAUSS_ENOTPD;
      ixp_ksum_add(&k, log(diag[i]));
      sy[(size_t)i * (size_t)ny + (size_t)i] += diag[i];
    }
    ld_cond = ixp_ksum_value(k);
  } else {
    product_of_rows(s, yr, ny, rr, cond);
    IxpGaussStatus st = ixp_logdet(cond, ny, ny, &ld_cond);
    if (st != IXP_GAUSS_OK) return st;
    for (size_t i = 0; i < (size_t)ny * (size_t)ny; i++) sy[i] += cond[i];
  }
  IxpGaussStatus st = ixp_logdet(sy, ny, ny, &ld_y);
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
    IxpGaussStatus st = ixp_logdet(ixp_gaussian_cov(s, g, sets[i], sizes[i]), sizes[i], sizes[i], &ld[i]);
    if (st != IXP_GAUSS_OK) return st;
  }
  double scale = fabs(ld[0]) + fabs(ld[1]) + fabs(ld[2]), mi = 0.5 * (ld[0] + ld[1] - ld[2]);
  *out = fabs(mi) <= 64 * 2.220446049250313e-16 * scale ? 0 : mi;  /* independent sides: exactly 0, as a sum of entropies gives */
  return IXP_GAUSS_OK;
}
