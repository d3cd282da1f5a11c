/* batch.c — row-batched evaluation of model expressions (batch.h). */
#include "batch.h"

#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arrays.h"
#include "builtins.h"
#include "columns.h"
#include "dense.h"
#include "grow.h"
#include "ksum.h"

enum { R = IXP_BATCH_ROWS };

/* --------------------------------------------------------------- plans */

/* A sub-expression that reads no model variable, evaluated once. */
typedef struct {
  const IxpAst *node;
  IxpValue value;
} Constant;

typedef struct {
  IxpBatch *b;
  Constant *consts;
  int nconsts, capconsts;
} Plan;

static const IxpValue *constant_of(const Plan *p, const IxpAst *e) {
  for (int i = 0; i < p->nconsts; i++)
    if (p->consts[i].node == e) return &p->consts[i].value;
  return NULL;
}

static IxpFrame frame_of(const IxpBatch *b) { return (IxpFrame){b->m, b->vals, b->params}; }

static void add_constant(Plan *p, IxpAst *e) {
  IxpBatch *b = p->b;
  if (!ixp_grow(&p->consts, &p->capconsts, p->nconsts + 1, sizeof *p->consts))
    ixp_runtime_error(b->s, b->m->src, e->span, "out of memory");
  IxpFrame f = frame_of(b);
  p->consts[p->nconsts++] = (Constant){e, ixp_eval(b->s, e, &f)};
}

static bool fallible(const IxpAst *e, const void *ctx) {
  (void)ctx;
  return e->kind == AST_CALL || e->kind == AST_INDEX || e->kind == AST_VEC ||
         (e->kind == AST_BINARY && (e->op == OP_DIV || e->op == OP_MOD));
}

/* A condition over something that can fail: evaluated row by row, as the
 * interpreter may not reach the failing branch. */
static bool guarded(const IxpAst *e) {
  bool conditional = e->kind == AST_IF || (e->kind == AST_BINARY && (e->op == OP_AND || e->op == OP_OR));
  return conditional && ixp_ast_any(e, fallible, NULL);
}

static bool handled_call(const IxpAst *e);

/* Evaluate the constant sub-expressions of e once (in the statement's
 * arena), where the batch evaluation reads them. */
static void prepare(Plan *p, IxpAst *e) {
  if (!ixp_reads_model_var(e)) {
    add_constant(p, e);
    return;
  }
  if (guarded(e)) return;
  switch (e->kind) {
  case AST_UNARY: prepare(p, e->a); break;
  case AST_BINARY: prepare(p, e->a), prepare(p, e->b); break;
  case AST_IF: prepare(p, e->a), prepare(p, e->b), prepare(p, e->c); break;
  case AST_INDEX: prepare(p, e->a), prepare(p, e->b); break;
  case AST_VEC:
    for (int i = 0; i < e->nitems; i++) prepare(p, e->items[i]);
    break;
  case AST_CALL:
    if (handled_call(e)) prepare(p, e->items[0]->a);
    break;
  default: break;
  }
}

/* ----------------------------------------------------------------- chunks */

/* Scratch arrays of one thread, reused chunk after chunk: each chunk asks
 * for the same sizes in the same order. */
typedef struct {
  double **buf;
  size_t *size;
  int n, cap, used;
} Pool;

typedef struct {
  const Plan *p;
  Pool pool;
  size_t row0, rows;   /* this chunk's rows */
  bool serial;         /* may call the interpreter */
  bool need_serial;    /* a parallel chunk met a node that needs the interpreter */
  bool oom;
  size_t bad;          /* the first row where an operation fails (SIZE_MAX: none) */
  IxpBatchStats stats;
} Chunk;

static void pool_free(Pool *pool) {
  for (int i = 0; i < pool->n; i++) free(pool->buf[i]);
  free(pool->buf), free(pool->size);
  memset(pool, 0, sizeof *pool);
}

/* Room for len doubles, valid until the chunk ends; NULL (c->oom set)
 * when out of memory. */
static double *take(Chunk *c, size_t len) {
  Pool *pool = &c->pool;
  if (pool->used == pool->n) {
    int cap = pool->cap;
    if (!ixp_grow(&pool->buf, &cap, pool->n + 1, sizeof *pool->buf) ||
        !ixp_grow(&pool->size, &pool->cap, pool->n + 1, sizeof *pool->size)) {
      c->oom = true;
      return NULL;
    }
    pool->buf[pool->n] = NULL, pool->size[pool->n] = 0, pool->n++;
  }
  int i = pool->used;
  if (pool->size[i] < len) {
    free(pool->buf[i]);
    if (!(pool->buf[i] = malloc(len * sizeof(double)))) {
      pool->size[i] = 0;
      c->oom = true;
      return NULL;
    }
    pool->size[i] = len;
  }
  pool->used++;
  return pool->buf[i];
}

static void fail_row(Chunk *c, size_t k) {
  if (c->row0 + k < c->bad) c->bad = c->row0 + k;
}

/* ----------------------------------------------------------------- blocks */

typedef enum { BLK_NONE, BLK_CONST, BLK_VARS, BLK_OWN } BlkKind;

typedef struct {
  BlkKind kind;        /* NONE: the chunk cannot go on (out of memory, needs the interpreter) */
  bool vec;            /* a vector in each row (else a number) */
  int w;               /* columns */
  const IxpValue *k;   /* CONST */
  int first;           /* VARS: the variable of column 0 */
  double *v;           /* OWN: column j at v + j * R */
} Blk;

static const Blk NONE = {.kind = BLK_NONE};

/* Column j of a block, at the chunk's first row. */
static const double *col(const Chunk *c, const Blk *x, int j) {
  if (x->kind == BLK_VARS) return c->p->b->values[x->first + j] + c->row0;
  return x->v + (size_t)j * R;
}

static Blk own(Chunk *c, int w, bool vec) {
  double *v = take(c, (size_t)w * R);
  return v ? (Blk){.kind = BLK_OWN, .vec = vec, .w = w, .v = v} : NONE;
}

/* A block that may be written: x itself when it owns its columns. */
static Blk writable(Chunk *c, const Blk *x) {
  if (x->kind == BLK_OWN) return *x;
  Blk y = own(c, x->w, x->vec);
  if (y.kind == BLK_NONE) return y;
  for (int j = 0; j < x->w; j++) memcpy(y.v + (size_t)j * R, col(c, x, j), c->rows * sizeof(double));
  return y;
}

/* The numbers of a constant: a number, or a vector's entries. */
static bool const_numbers(const IxpValue *k, const double **v, int *w, bool *vec) {
  if (k->type == TY_NUM) return *v = &k->num.x, *w = 1, *vec = false, true;
  if (k->type == TY_VEC) return *v = k->v, *w = k->cols, *vec = true, true;
  return false;
}

/* ------------------------------------------------------------- fallback */

static Blk eval(Chunk *c, IxpAst *e);

/* Row by row through the interpreter: a number or a vector of one width
 * in every row. */
static Blk per_row(Chunk *c, IxpAst *e) {
  if (!c->serial) {
    c->need_serial = true;
    return NONE;
  }
  IxpBatch *b = c->p->b;
  IxpFrame f = frame_of(b);
  IxpArena *tmp = ixp_session_tmp(b->s);
  Blk x = NONE;
  c->stats.fallbacks++;
  b->s->describe_state = b->describe;
  b->s->describe_ctx = b->ctx;
  for (size_t k = 0; k < c->rows; k++) {
    IxpArenaMark mark = ixp_arena_mark(tmp);
    b->load(b->ctx, c->row0 + k);
    IxpValue v = ixp_eval(b->s, e, &f);
    bool vec = v.type == TY_VEC;
    if (v.type != TY_NUM && !vec)
      ixp_runtime_error(b->s, b->m->src, e->span, "expected a number or a vector, got a %s", ixp_type_name(v.type));
    int w = vec ? v.cols : 1;
    if (k == 0 && (x = own(c, w, vec)).kind == BLK_NONE) ixp_runtime_error(b->s, b->m->src, e->span, "out of memory");
    if (w != x.w || vec != x.vec)
      ixp_runtime_error(b->s, b->m->src, e->span, "this gives a %s of %d in one row and of %d in another",
                        vec ? "vector" : "number", x.w, w);
    for (int j = 0; j < w; j++) x.v[(size_t)j * R + k] = vec ? v.v[j] : v.num.x;
    ixp_arena_release(tmp, mark);
  }
  b->s->describe_state = NULL;
  return x;
}

/* ------------------------------------------------------------ operations */

static double modulo(double a, double b) {
  double r = fmod(a, b);
  return r != 0 && (r < 0) != (b < 0) ? r + b : r;
}

/* a op b as the interpreter computes it on inexact numbers; *bad when it
 * would raise an error. */
static double apply_op(IxpOp op, double a, double b, bool *bad) {
  switch (op) {
  case OP_ADD: return a + b;
  case OP_SUB: return a - b;
  case OP_MUL: case OP_EMUL: return a * b;
  case OP_DIV: *bad |= b == 0; return a / b;
  case OP_MOD: *bad |= b == 0; return modulo(a, b);
  case OP_POW: return pow(a, b);
  case OP_EQ: return a == b;
  case OP_NE: return a != b;
  case OP_LT: return a < b;
  case OP_LE: return a <= b;
  case OP_GT: return a > b;
  case OP_GE: return a >= b;
  case OP_AND: return a != 0 && b != 0;
  case OP_OR: return a != 0 || b != 0;
  case OP_XOR: return (a != 0) != (b != 0);
  default: *bad = true; return NAN;
  }
}

/* out[k] = x[k] op y[k] (sx, sy: 1 for a column, 0 for a broadcast
 * number), the common operators as tight loops. */
static void column_op(Chunk *c, IxpOp op, double *out, const double *x, size_t sx, const double *y, size_t sy) {
  size_t n = c->rows;
  switch (op) {
  case OP_ADD: for (size_t k = 0; k < n; k++) out[k] = x[k * sx] + y[k * sy]; return;
  case OP_SUB: for (size_t k = 0; k < n; k++) out[k] = x[k * sx] - y[k * sy]; return;
  case OP_MUL: for (size_t k = 0; k < n; k++) out[k] = x[k * sx] * y[k * sy]; return;
  default:
    for (size_t k = 0; k < n; k++) {
      bool bad = false;
      out[k] = apply_op(op, x[k * sx], y[k * sy], &bad);
      if (bad) fail_row(c, k);
    }
  }
}

/* Whether x op y, one of them a vector, is an entry-by-entry operation of
 * the arrays module (arrays.h) on these shapes: + - / .* ^, or * by a
 * number. Anything else (a product, a shape error) is left to the
 * interpreter. */
static bool elementwise_op(IxpOp op, bool xvec, int xw, bool yvec, int yw) {
  if (op != OP_ADD && op != OP_SUB && op != OP_MUL && op != OP_EMUL && op != OP_DIV && op != OP_POW) return false;
  if (op == OP_MUL && xvec && yvec) return false;
  IxpType t;
  int rows, cols;
  char err[160];
  return ixp_array_result_shape(op, xvec ? TY_VEC : TY_NUM, 1, xvec ? xw : 1, yvec ? TY_VEC : TY_NUM, 1, yvec ? yw : 1,
                                &t, &rows, &cols, err, sizeof err) &&
         t == TY_VEC && cols == (xvec ? xw : yw);
}

/* out[k] = x[k] op y[k] of an array operation (arrays.c's arithmetic): a
 * zero divisor fails the row. */
static void array_column_op(Chunk *c, IxpOp op, double *out, const double *x, size_t sx, const double *y, size_t sy) {
  size_t n = c->rows;
  switch (op) {
  case OP_ADD: for (size_t k = 0; k < n; k++) out[k] = x[k * sx] + y[k * sy]; return;
  case OP_SUB: for (size_t k = 0; k < n; k++) out[k] = x[k * sx] - y[k * sy]; return;
  case OP_POW: for (size_t k = 0; k < n; k++) out[k] = pow(x[k * sx], y[k * sy]); return;
  case OP_DIV:
    for (size_t k = 0; k < n; k++) {
      if (y[k * sy] == 0) fail_row(c, k);
      out[k] = x[k * sx] / y[k * sy];
    }
    return;
  default: for (size_t k = 0; k < n; k++) out[k] = x[k * sx] * y[k * sy]; return;
  }
}

/* Column j of x op y where either may be a vector (a number is broadcast:
 * stride 0), into o. */
static void combine(Chunk *c, IxpOp op, bool array, double *o, const double *x, size_t sx, const double *y, size_t sy) {
  if (array) array_column_op(c, op, o, x, sx, y, sy);
  else column_op(c, op, o, x, sx, y, sy);
}

/* x (a column block) combined with constant k on side `k_left`. */
static Blk with_constant(Chunk *c, IxpAst *e, const Blk *x, const IxpValue *k, bool k_left) {
  const double *kv;
  int kw;
  bool kvec;
  if (!const_numbers(k, &kv, &kw, &kvec)) return per_row(c, e);
  bool array = x->vec || kvec;
  if (array && !(k_left ? elementwise_op(e->op, kvec, kw, x->vec, x->w) : elementwise_op(e->op, x->vec, x->w, kvec, kw)))
    return per_row(c, e);
  int w = x->vec ? x->w : kw;
  Blk out = x->vec || !kvec ? writable(c, x) : own(c, w, true);
  if (out.kind == BLK_NONE) return out;
  for (int j = 0; j < w; j++) {
    const double *xc = col(c, x, x->vec ? j : 0), *kc = kv + (kvec ? j : 0);
    double *o = out.v + (size_t)j * R;
    if (k_left) combine(c, e->op, array, o, kc, 0, xc, 1);
    else combine(c, e->op, array, o, xc, 1, kc, 0);
  }
  return out;
}

/* Two column blocks. */
static Blk with_block(Chunk *c, IxpAst *e, const Blk *x, const Blk *y) {
  bool array = x->vec || y->vec;
  if (array && !elementwise_op(e->op, x->vec, x->w, y->vec, y->w)) return per_row(c, e);
  const Blk *wide = x->vec ? x : y;
  Blk out = x->vec == y->vec || x->vec ? writable(c, x) : writable(c, y);
  if (out.kind == BLK_NONE) return out;
  for (int j = 0; j < wide->w; j++)
    combine(c, e->op, array, out.v + (size_t)j * R, col(c, x, x->vec ? j : 0), 1, col(c, y, y->vec ? j : 0), 1);
  return out;
}

/* A vector block's rows times a constant matrix: W * x (W out x in, x of
 * width in) or x * M (M in x out), one GEMM of the chunk's rows padded to
 * R, so every call has the same shape. */
static Blk product(Chunk *c, IxpAst *e, const IxpValue *mat, const Blk *x, bool mat_left) {
  int in = mat_left ? mat->cols : mat->rows, out_w = mat_left ? mat->rows : mat->cols;
  if (!x->vec || x->w != in || in == 0 || out_w == 0) return per_row(c, e);
  double *xt = x->kind == BLK_OWN ? x->v : take(c, (size_t)in * R);
  Blk h = own(c, out_w, true);
  if (!xt || h.kind == BLK_NONE) return NONE;
  for (int j = 0; j < in; j++) {
    double *dst = xt + (size_t)j * R;
    if (x->kind != BLK_OWN) memcpy(dst, col(c, x, j), c->rows * sizeof *dst);
    memset(dst + c->rows, 0, (R - c->rows) * sizeof *dst);
  }
  IxpDenseStatus st = ixp_dense_gemm(!mat_left, false, out_w, R, in, 1.0, mat->v, mat->cols, xt, R, 0.0, h.v, R);
  if (st != IXP_DENSE_OK) return per_row(c, e);
  c->stats.gemms++;
  return h;
}

static Blk binary(Chunk *c, IxpAst *e) {
  Blk x = eval(c, e->a);
  if (x.kind == BLK_NONE) return x;
  Blk y = eval(c, e->b);
  if (y.kind == BLK_NONE) return y;
  if (x.kind == BLK_CONST && y.kind == BLK_CONST) return per_row(c, e);
  if (e->op == OP_MUL && x.kind == BLK_CONST && x.k->type == TY_MAT) return product(c, e, x.k, &y, true);
  if (e->op == OP_MUL && y.kind == BLK_CONST && y.k->type == TY_MAT) return product(c, e, y.k, &x, false);
  if (x.kind == BLK_CONST) return with_constant(c, e, &y, x.k, true);
  if (y.kind == BLK_CONST) return with_constant(c, e, &x, y.k, false);
  return with_block(c, e, &x, &y);
}

static Blk unary(Chunk *c, IxpAst *e) {
  Blk x = eval(c, e->a);
  if (x.kind != BLK_VARS && x.kind != BLK_OWN) return x.kind == BLK_NONE ? x : per_row(c, e);
  if (e->op == OP_NOT && x.vec) return per_row(c, e);
  Blk out = writable(c, &x);
  if (out.kind == BLK_NONE) return out;
  for (int j = 0; j < out.w; j++) {
    double *v = out.v + (size_t)j * R;
    if (e->op == OP_NOT)
      for (size_t k = 0; k < c->rows; k++) v[k] = v[k] == 0;
    else
      for (size_t k = 0; k < c->rows; k++) v[k] = -v[k];
  }
  return out;
}

/* cond ? a : b over numbers, all three computed (none can fail). */
static Blk choose(Chunk *c, IxpAst *e) {
  Blk cond = eval(c, e->a), a = cond.kind == BLK_NONE ? NONE : eval(c, e->b),
      b = a.kind == BLK_NONE ? NONE : eval(c, e->c);
  if (b.kind == BLK_NONE) return b;
  if (cond.vec || a.vec || b.vec || cond.kind == BLK_CONST) return per_row(c, e);
  Blk out = own(c, 1, false);
  if (out.kind == BLK_NONE) return out;
  const double *cv = col(c, &cond, 0), *av = a.kind == BLK_CONST ? &a.k->num.x : col(c, &a, 0),
               *bv = b.kind == BLK_CONST ? &b.k->num.x : col(c, &b, 0);
  size_t sa = a.kind != BLK_CONST, sb = b.kind != BLK_CONST;
  for (size_t k = 0; k < c->rows; k++) out.v[k] = cv[k] != 0 ? av[k * sa] : bv[k * sb];
  return out;
}

/* [x, y, ...]: numbers in every row stacked as a vector's columns. */
static Blk stack(Chunk *c, IxpAst *e) {
  Blk out = own(c, e->nitems, true);
  if (out.kind == BLK_NONE) return out;
  for (int i = 0; i < e->nitems; i++) {
    Blk x = eval(c, e->items[i]);
    if (x.kind == BLK_NONE) return x;
    if (x.vec || (x.kind == BLK_CONST && x.k->type != TY_NUM)) return per_row(c, e);
    double *o = out.v + (size_t)i * R;
    if (x.kind == BLK_CONST)
      for (size_t k = 0; k < c->rows; k++) o[k] = x.k->num.x;
    else memcpy(o, col(c, &x, 0), c->rows * sizeof *o);
  }
  return out;
}

/* x[i] of a vector block at a constant whole index in range: its column. */
static Blk pick(Chunk *c, IxpAst *e) {
  Blk x = eval(c, e->a);
  if (x.kind == BLK_NONE) return x;
  const IxpValue *i = constant_of(c->p, e->b);
  if (!x.vec || x.kind == BLK_CONST || !i || i->type != TY_NUM || i->num.x != floor(i->num.x) || i->num.x < 0 ||
      i->num.x >= x.w)
    return per_row(c, e);
  int j = (int)i->num.x;
  if (x.kind == BLK_VARS) return (Blk){.kind = BLK_VARS, .w = 1, .first = x.first + j};
  return (Blk){.kind = BLK_OWN, .w = 1, .v = x.v + (size_t)j * R};
}

/* ------------------------------------------------------------- functions */

/* abs of a number as the interpreter's: x itself unless below 0 (so -0
 * stays -0); of an array's entries, fabs (arrays.c). */
static double absolute(double x) { return x < 0 ? -x : x; }

/* The function a builtin of one argument applies to each entry
 * (builtins.c, through ixp_array_apply), or NULL. */
static double (*elementwise(const IxpAst *e))(double) {
  if (!e->sem.builtin || e->nitems != 1 || e->items[0]->str) return NULL;
  return e->sem.builtin->entrywise;
}

/* v[k] = fn(v[k]); a NaN from a number that was not NaN is outside fn's
 * domain (ixp_array_apply's rule): the row fails. */
static void apply_fn(Chunk *c, double (*fn)(double), double *v) {
  size_t n = c->rows;
  if (fn == tanh) {
    for (size_t k = 0; k < n; k++) v[k] = tanh(v[k]);
    return;
  }
  for (size_t k = 0; k < n; k++) {
    double y = fn(v[k]);
    if (isnan(y) && !isnan(v[k])) fail_row(c, k);
    v[k] = y;
  }
}

/* softmax over each row's vector, as ixp_array_softmax_rows computes it:
 * the max by fmax in column order, exp(x - max), their Neumaier sum in
 * column order, then each divided by it. A NaN or +inf entry, or a row
 * of -inf only, fails the row (ixp_array_softmax's errors). */
static void softmax_rows(Chunk *c, const Blk *x) {
  size_t n = c->rows;
  double *mx = take(c, R), *sum = take(c, R), *comp = take(c, R);
  if (!mx || !sum || !comp) return;
  for (size_t k = 0; k < n; k++) mx[k] = x->v[k], sum[k] = 0, comp[k] = 0;
  for (int j = 0; j < x->w; j++) {
    const double *v = x->v + (size_t)j * R;
    for (size_t k = 0; k < n; k++) {
      if (isnan(v[k]) || v[k] == INFINITY) fail_row(c, k);
      mx[k] = fmax(mx[k], v[k]);
    }
  }
  for (size_t k = 0; k < n; k++)
    if (mx[k] == -INFINITY) fail_row(c, k);
  for (int j = 0; j < x->w; j++) {
    double *v = x->v + (size_t)j * R;
    for (size_t k = 0; k < n; k++) {
      v[k] = exp(v[k] - mx[k]);
      IxpKSum acc = {sum[k], comp[k]};
      ixp_ksum_add(&acc, v[k]);
      sum[k] = acc.s, comp[k] = acc.c;
    }
  }
  for (size_t k = 0; k < n; k++) sum[k] = ixp_ksum_value((IxpKSum){sum[k], comp[k]});
  for (int j = 0; j < x->w; j++) {
    double *v = x->v + (size_t)j * R;
    for (size_t k = 0; k < n; k++) v[k] /= sum[k];
  }
}

static bool is_softmax(const IxpAst *e) {
  return e->sem.builtin && !strcmp(e->sem.builtin->name, "softmax") && e->nitems == 1 && !e->items[0]->str;
}

static bool handled_call(const IxpAst *e) { return elementwise(e) || is_softmax(e); }

static Blk call(Chunk *c, IxpAst *e) {
  double (*fn)(double) = elementwise(e);
  bool soft = is_softmax(e);
  if (!fn && !soft) return per_row(c, e);
  Blk x = eval(c, e->items[0]->a);
  if (x.kind == BLK_NONE) return x;
  if (x.kind == BLK_CONST || (soft && !x.vec)) return per_row(c, e);
  Blk out = writable(c, &x);
  if (out.kind == BLK_NONE) return out;
  if (soft) softmax_rows(c, &out);
  else
    for (int j = 0; j < out.w; j++) apply_fn(c, fn == fabs && !x.vec ? absolute : fn, out.v + (size_t)j * R);
  return out;
}

/* ------------------------------------------------------------- evaluation */

static Blk name_block(Chunk *c, IxpAst *e) {
  if (e->sem.ref == REF_VAR) return (Blk){.kind = BLK_VARS, .w = 1, .first = e->sem.slot};
  if (e->sem.ref == REF_GROUP) {  /* a vector variable: its components' columns */
    const IxpVarGroup *g = &c->p->b->m->groups[e->sem.slot];
    return (Blk){.kind = BLK_VARS, .vec = true, .w = g->count, .first = g->first};
  }
  return per_row(c, e);
}

static Blk eval(Chunk *c, IxpAst *e) {
  const IxpValue *k = constant_of(c->p, e);
  if (k) return (Blk){.kind = BLK_CONST, .k = k, .vec = k->type == TY_VEC, .w = k->type == TY_VEC ? k->cols : 1};
  if (guarded(e)) return per_row(c, e);
  switch (e->kind) {
  case AST_NAME: return name_block(c, e);
  case AST_UNARY: return unary(c, e);
  case AST_BINARY: return binary(c, e);
  case AST_IF: return choose(c, e);
  case AST_VEC: return stack(c, e);
  case AST_INDEX: return pick(c, e);
  case AST_CALL: return call(c, e);
  default: return per_row(c, e);
  }
}

/* ------------------------------------------------------------------ runs */

typedef struct {
  Plan plan;
  IxpAst *e;
  double *const *out;
  int width;
  Chunk *chunks;       /* one per thread */
  int nthreads;
} Run;

/* The value has another width than asked: the error the interpreter
 * gives at the first row (after any error of its own evaluation there). */
static _Noreturn void wrong_width(Run *r, const Blk *x) {
  IxpBatch *b = r->plan.b;
  IxpFrame f = frame_of(b);
  char got[64];
  b->load(b->ctx, 0);
  b->s->describe_state = b->describe;  /* the error says in which row */
  b->s->describe_ctx = b->ctx;
  ixp_eval(b->s, r->e, &f);
  if (x->vec) snprintf(got, sizeof got, "a vector of %d values", x->w);
  else snprintf(got, sizeof got, "a number");
  ixp_runtime_error(b->s, b->m->src, r->e->span, "%s needs %s%d value%s, not %s", b->what ? b->what : "this",
                    r->width > 1 ? "a vector of " : "", r->width, r->width == 1 ? "" : "s", got);
}

/* Evaluate rows [row0, row0 + rows) into the outputs; false when the
 * chunk could not finish (see c->oom, c->need_serial). */
static bool run_chunk(Run *r, Chunk *c, size_t row0, size_t rows) {
  c->row0 = row0, c->rows = rows, c->pool.used = 0;
  Blk x = eval(c, r->e);
  if (x.kind == BLK_NONE) return false;
  if (x.w != r->width || (r->width > 1) != x.vec) {
    if (!c->serial) return c->need_serial = true, false;
    wrong_width(r, &x);
  }
  for (int j = 0; j < x.w; j++) {
    double *dst = r->out[j] + row0;
    if (x.kind == BLK_CONST) {
      double v = x.vec ? x.k->v[j] : x.k->num.x;
      for (size_t k = 0; k < rows; k++) dst[k] = v;
    } else {
      memcpy(dst, col(c, &x, j), rows * sizeof *dst);
    }
  }
  return true;
}

static size_t nchunks(size_t n) { return (n + R - 1) / R; }

static size_t chunk_rows(size_t n, size_t i) { return i + 1 < nchunks(n) ? R : n - i * R; }

static void free_run(void *ptr) {
  Run *r = ptr;
  for (int t = 0; r->chunks && t < r->nthreads; t++) pool_free(&r->chunks[t].pool);
  free(r->chunks);
  r->chunks = NULL;
  free(r->plan.consts);
  r->plan.consts = NULL;
}

static _Noreturn void out_of_memory(Run *r) {
  IxpBatch *b = r->plan.b;
  ixp_runtime_error(b->s, b->m->src, r->e->span, "out of memory");
}

/* Chunks from `from` on, spread over the threads in waves (Ctrl-C is
 * looked at between them); each chunk's result is the same on any
 * thread. false if one needs the interpreter. */
static bool run_parallel(Run *r, size_t from) {
  IxpBatch *b = r->plan.b;
  size_t total = nchunks(b->n), wave = 64 * (size_t)r->nthreads;
  bool ok = true;
  for (int t = 0; t < r->nthreads; t++) r->chunks[t].serial = false;
  for (size_t start = from; start < total && ok; start += wave) {
    size_t end = total - start < wave ? total : start + wave;
    ixp_session_poll_interrupt(b->s, b->m->src, r->e->span);
#pragma omp parallel for schedule(static) num_threads(r->nthreads) reduction(&& : ok)
    for (size_t i = start; i < end; i++) {
      Chunk *c = &r->chunks[omp_get_thread_num()];
      if (!c->need_serial && !c->oom) ok = run_chunk(r, c, i * R, chunk_rows(b->n, i)) && ok;
    }
    for (int t = 0; t < r->nthreads; t++)
      if (r->chunks[t].oom) out_of_memory(r);
  }
  return ok;
}

static void run_serial(Run *r, size_t from) {
  Chunk *c = &r->chunks[0];
  IxpBatch *b = r->plan.b;
  c->serial = true;
  for (size_t i = from; i < nchunks(b->n); i++) {
    if (i % 64 == 0) ixp_session_poll_interrupt(b->s, b->m->src, r->e->span);
    if (!run_chunk(r, c, i * R, chunk_rows(b->n, i))) out_of_memory(r);
  }
}

/* Operations per row, roughly, for the thread rule. */
static double work_per_row(const IxpAst *e, const Plan *p) {
  (void)e;
  double w = 16;
  for (int i = 0; i < p->nconsts; i++)
    if (p->consts[i].value.type == TY_MAT) w += 2.0 * p->consts[i].value.rows * p->consts[i].value.cols;
  return w;
}

/* Raise the error the interpreter raises at the first failing row. */
static _Noreturn void raise_at(Run *r, size_t row) {
  IxpBatch *b = r->plan.b;
  IxpFrame f = frame_of(b);
  b->load(b->ctx, row);
  b->s->describe_state = b->describe;
  b->s->describe_ctx = b->ctx;
  ixp_eval(b->s, r->e, &f);
  b->s->describe_state = NULL;
  char buf[512];
  ixp_runtime_error(b->s, b->m->src, r->e->span, "cannot evaluate this when %s", b->describe(b->ctx, buf, sizeof buf));
}

void ixp_batch_eval(IxpBatch *b, IxpAst *e, double *const *out, int width) {
  if (b->n == 0) return;
  IxpArena *tmp = ixp_session_tmp(b->s);
  Run *r = ixp_arena_alloc(tmp, sizeof *r);
  *r = (Run){.plan = {.b = b}, .e = e, .out = out, .width = width};
  ixp_arena_defer(tmp, free_run, r);  /* also when an error unwinds */
  prepare(&r->plan, e);
  int threads = ixp_dense_threads((double)b->n * work_per_row(e, &r->plan));
  r->nthreads = threads;
  if (!(r->chunks = calloc((size_t)threads, sizeof *r->chunks))) out_of_memory(r);
  for (int t = 0; t < threads; t++) r->chunks[t] = (Chunk){.p = &r->plan, .bad = SIZE_MAX};
  /* The first chunk alone finds whether the interpreter is needed. */
  Chunk *c0 = &r->chunks[0];
  c0->serial = true;
  if (!run_chunk(r, c0, 0, chunk_rows(b->n, 0))) out_of_memory(r);
  bool parallel = threads > 1 && c0->stats.fallbacks == 0;
  if (!parallel || !run_parallel(r, 1)) {
    if (parallel) threads = 1;
    run_serial(r, 1);
  }
  size_t bad = SIZE_MAX;
  IxpBatchStats stats = {.threads = parallel ? threads : 1};
  for (int t = 0; t < r->nthreads; t++) {
    if (r->chunks[t].bad < bad) bad = r->chunks[t].bad;
    stats.gemms += r->chunks[t].stats.gemms, stats.fallbacks += r->chunks[t].stats.fallbacks;
  }
  b->stats = stats;
  if (bad != SIZE_MAX) raise_at(r, bad);
  free_run(r);
}

double ixp_batch_gemm_tolerance(int k, double abs_sum) {
  double ku = (double)k * DBL_EPSILON / 2;
  return 2 * ku / (1 - ku) * abs_sum;
}

void ixp_eval_rows(const IxpRows *r, IxpAst *e, const char *what, double *const *out, int width) {
  IxpBatch b = {.s = r->s, .m = r->m, .params = r->params, .values = r->values, .n = r->n, .vals = r->vals,
                .load = r->load, .describe = r->describe, .ctx = r->ctx, .what = what};
  ixp_batch_eval(&b, e, out, width);
}
