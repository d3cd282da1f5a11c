/* arrays.c — vectors and matrices: operators, products, elementwise
 * functions, softmax and the information of probability vectors; see
 * arrays.h. */
#include "arrays.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dense.h"
#include "ksum.h"

static bool is_array(IxpType t) { return t == TY_VEC || t == TY_MAT; }

static size_t count(const IxpValue *a) { return (size_t)a->rows * (size_t)a->cols; }

static double *numbers(IxpArena *arena, size_t n) { return ixp_arena_alloc(arena, (n ? n : 1) * sizeof(double)); }

static IxpValue array_value(IxpType t, double *v, int rows, int cols) {
  return (IxpValue){.type = t, .v = v, .rows = rows, .cols = cols};
}

/* "an" before a number read with a leading vowel: 8, 11, 18, 80, 800, 11000 ... */
static const char *article(int n) {
  char digits[16];
  int len = snprintf(digits, sizeof digits, "%d", n);
  bool eleven = len % 3 == 2 && (!strncmp(digits, "11", 2) || !strncmp(digits, "18", 2));
  return digits[0] == '8' || eleven ? "an" : "a";
}

const char *ixp_array_shape_text(char *buf, size_t size, IxpType t, int rows, int cols) {
  if (t == TY_VEC && cols >= 0) snprintf(buf, size, "%s %d-vector", article(cols), cols);
  else if (t == TY_MAT && rows >= 0 && cols >= 0) snprintf(buf, size, "%s %dx%d matrix", article(rows), rows, cols);
  else if (t == TY_MAT && cols >= 0) snprintf(buf, size, "a matrix with %d column%s", cols, cols == 1 ? "" : "s");
  else if (t == TY_MAT && rows >= 0) snprintf(buf, size, "a matrix with %d row%s", rows, rows == 1 ? "" : "s");
  else snprintf(buf, size, "a %s", ixp_type_name(t));
  return buf;
}

/* ------------------------------------------------------------------ shapes */

/* Two sizes agree when equal or when one is unknown (-1). */
static bool agree(int x, int y) { return x < 0 || y < 0 || x == y; }

static int known(int x, int y) { return x >= 0 ? x : y; }

static const char *mismatch(IxpOp op, IxpType ta, int ra, int ca, IxpType tb, int rb, int cb, char *err, size_t size) {
  char a[64], b[64];
  ixp_array_shape_text(a, sizeof a, ta, ra, ca);
  ixp_array_shape_text(b, sizeof b, tb, rb, cb);
  switch (op) {
  case OP_ADD: snprintf(err, size, "cannot add %s and %s", a, b); break;
  case OP_SUB: snprintf(err, size, "cannot subtract %s from %s", b, a); break;
  case OP_DIV: snprintf(err, size, "cannot divide %s by %s", a, b); break;
  case OP_EMUL: snprintf(err, size, "cannot multiply %s and %s elementwise", a, b); break;
  case OP_POW: snprintf(err, size, "cannot raise %s to the power %s: the exponent must be a number", a, b); break;
  case OP_MUL:
    if (ta == TY_VEC && tb == TY_VEC)
      snprintf(err, size, "cannot multiply %s by %s: write dot(u, v) for the inner product, or u .* v elementwise", a, b);
    else snprintf(err, size, "cannot multiply %s by %s", a, b);
    break;
  default: snprintf(err, size, "'%s' takes numbers, not %s and %s", ixp_op_text(op), a, b); break;
  }
  return err;
}

static void set_shape(IxpType *t, int *rows, int *cols, IxpType tt, int r, int c) {
  *t = tt;
  *rows = r;
  *cols = c;
}

/* The product's shape: matrix-vector, vector-matrix, matrix-matrix. */
static bool product_shape(IxpType ta, int ra, int ca, IxpType tb, int rb, int cb, IxpType *t, int *rows, int *cols,
                          char *err, size_t size) {
  if (ta == TY_MAT && tb == TY_VEC && agree(ca, cb)) set_shape(t, rows, cols, TY_VEC, 1, ra);
  else if (ta == TY_VEC && tb == TY_MAT && agree(ca, rb)) set_shape(t, rows, cols, TY_VEC, 1, cb);
  else if (ta == TY_MAT && tb == TY_MAT && agree(ca, rb)) set_shape(t, rows, cols, TY_MAT, ra, cb);
  else return !mismatch(OP_MUL, ta, ra, ca, tb, rb, cb, err, size);
  return true;
}

bool ixp_array_result_shape(IxpOp op, IxpType ta, int ra, int ca, IxpType tb, int rb, int cb, IxpType *t,
                            int *rows, int *cols, char *err, size_t size) {
  set_shape(t, rows, cols, TY_ANY, -1, -1);
  bool elementwise = op == OP_ADD || op == OP_SUB || op == OP_DIV || op == OP_EMUL;
  if (!elementwise && op != OP_MUL && op != OP_POW) {
    if (is_array(ta) || is_array(tb)) return !mismatch(op, ta, ra, ca, tb, rb, cb, err, size);
    set_shape(t, rows, cols, TY_NUM, -1, -1);
    return true;
  }
  if (ta == TY_NUM && tb == TY_NUM) set_shape(t, rows, cols, TY_NUM, -1, -1);
  else if (op == OP_POW) {
    if (is_array(tb)) return !mismatch(op, ta, ra, ca, tb, rb, cb, err, size);
    if (is_array(ta)) set_shape(t, rows, cols, ta, ra, ca);
  } else if (ta == TY_NUM && is_array(tb)) set_shape(t, rows, cols, tb, rb, cb);
  else if (tb == TY_NUM && is_array(ta)) set_shape(t, rows, cols, ta, ra, ca);
  else if (op == OP_MUL) {
    if (is_array(ta) && is_array(tb)) return product_shape(ta, ra, ca, tb, rb, cb, t, rows, cols, err, size);
  } else if (ta == TY_ANY && is_array(tb)) set_shape(t, rows, cols, tb, rb, cb);
  else if (tb == TY_ANY && is_array(ta)) set_shape(t, rows, cols, ta, ra, ca);
  else if (is_array(ta) && is_array(tb)) {
    if (ta != tb || !agree(ra, rb) || !agree(ca, cb)) return !mismatch(op, ta, ra, ca, tb, rb, cb, err, size);
    set_shape(t, rows, cols, ta, known(ra, rb), known(ca, cb));
  }
  return true;
}

/* -------------------------------------------------------------- operators */

static double apply_op(IxpOp op, double x, double y) {
  switch (op) {
  case OP_ADD: return x + y;
  case OP_SUB: return x - y;
  case OP_DIV: return x / y;
  case OP_POW: return pow(x, y);
  default: return x * y;  /* OP_MUL by a number, OP_EMUL */
  }
}

/* "element 3" of a vector, "element (1, 2)" of a matrix. */
static const char *element_name(char *buf, size_t size, const IxpValue *a, size_t i) {
  if (a->type == TY_MAT) snprintf(buf, size, "element (%zu, %zu)", i / (size_t)a->cols, i % (size_t)a->cols);
  else snprintf(buf, size, "element %zu", i);
  return buf;
}

static const char *zero_divisor(const IxpValue *b, char *err, size_t size) {
  if (b->type == TY_NUM) {
    if (b->num.x != 0) return NULL;
    snprintf(err, size, "division by zero");
    return err;
  }
  for (size_t i = 0; i < count(b); i++)
    if (b->v[i] == 0) {
      char where[64];
      snprintf(err, size, "division by zero: %s of the divisor is 0", element_name(where, sizeof where, b, i));
      return err;
    }
  return NULL;
}

/* a OP b elementwise, a number on either side standing for every element. */
static void elementwise(IxpOp op, const IxpValue *a, const IxpValue *b, double *out, size_t n) {
  if (a->type == TY_NUM)
    for (size_t i = 0; i < n; i++) out[i] = apply_op(op, a->num.x, b->v[i]);
  else if (b->type == TY_NUM)
    for (size_t i = 0; i < n; i++) out[i] = apply_op(op, a->v[i], b->num.x);
  else
    for (size_t i = 0; i < n; i++) out[i] = apply_op(op, a->v[i], b->v[i]);
}

const char *ixp_array_binary(IxpOp op, const IxpValue *a, const IxpValue *b, IxpValue *out, IxpArena *arena,
                             char *err, size_t size) {
  IxpType t;
  int rows, cols;
  if (!ixp_array_result_shape(op, a->type, a->rows, a->cols, b->type, b->rows, b->cols, &t, &rows, &cols, err, size))
    return err;
  if (!is_array(t)) {
    snprintf(err, size, "'%s' of two numbers is not an array operation", ixp_op_text(op));
    return err;
  }
  if (op == OP_DIV && zero_divisor(b, err, size)) return err;
  double *v = numbers(arena, (size_t)rows * (size_t)cols);
  *out = array_value(t, v, rows, cols);
  if (op == OP_MUL && is_array(a->type) && is_array(b->type)) {
    if (a->type == TY_MAT && b->type == TY_VEC) ixp_array_matvec(a->v, b->v, v, a->rows, a->cols);
    else if (a->type == TY_VEC) ixp_array_vecmat(a->v, b->v, v, b->rows, b->cols);
    else ixp_array_matmul(a->v, b->v, v, a->rows, a->cols, b->cols);
    return NULL;
  }
  elementwise(op, a, b, v, (size_t)rows * (size_t)cols);
  return NULL;
}

const char *ixp_array_unary(IxpOp op, const IxpValue *a, IxpValue *out, IxpArena *arena, char *err, size_t size) {
  char shape[64];
  if (op != OP_NEG || !is_array(a->type)) {
    snprintf(err, size, "'%s' takes a number, not %s", ixp_op_text(op),
             ixp_array_shape_text(shape, sizeof shape, a->type, a->rows, a->cols));
    return err;
  }
  double *v = numbers(arena, count(a));
  for (size_t i = 0; i < count(a); i++) v[i] = -a->v[i];
  *out = array_value(a->type, v, a->rows, a->cols);
  return NULL;
}

/* -------------------------------------------------------------- functions */

double ixp_array_relu(double x) { return x > 0 || isnan(x) ? x : 0; }

/* 1 / (1 + e^-x), written so that neither branch overflows. */
double ixp_array_sigmoid(double x) {
  if (x >= 0) return 1 / (1 + exp(-x));
  double z = exp(x);
  return z / (1 + z);
}

static const char *domain_error(const char *name, double x, const char *where, char *err, size_t size) {
  char text[32];
  ixp_format_num(text, sizeof text, x, -1);
  snprintf(err, size, "%s(%s) is outside the function's domain%s%s", name, text, where ? " at " : "", where ? where : "");
  return err;
}

const char *ixp_array_apply(IxpArrayFn fn, const char *name, const IxpValue *a, IxpValue *out, IxpArena *arena,
                            char *err, size_t size) {
  if (a->type == TY_NUM) {
    double y = fn(a->num.x);
    if (isnan(y) && !isnan(a->num.x)) return domain_error(name, a->num.x, NULL, err, size);
    *out = ixp_value_real(y);
    return NULL;
  }
  if (!is_array(a->type)) {
    snprintf(err, size, "%s takes a number, a vector or a matrix, not a %s", name, ixp_type_name(a->type));
    return err;
  }
  double *v = numbers(arena, count(a));
  for (size_t i = 0; i < count(a); i++) {
    v[i] = fn(a->v[i]);
    if (isnan(v[i]) && !isnan(a->v[i])) {
      char where[64];
      return domain_error(name, a->v[i], element_name(where, sizeof where, a, i), err, size);
    }
  }
  *out = array_value(a->type, v, a->rows, a->cols);
  return NULL;
}

const char *ixp_array_transpose(const IxpValue *a, IxpValue *out, IxpArena *arena, char *err, size_t size) {
  if (!is_array(a->type)) {
    snprintf(err, size, "transpose takes a vector or a matrix, not a %s", ixp_type_name(a->type));
    return err;
  }
  double *v = numbers(arena, count(a));
  for (int i = 0; i < a->rows; i++)
    for (int j = 0; j < a->cols; j++) v[ixp_dense_at(j, a->rows, i)] = a->v[ixp_dense_at(i, a->cols, j)];
  *out = array_value(TY_MAT, v, a->cols, a->rows);
  return NULL;
}

const char *ixp_array_dot(const IxpValue *a, const IxpValue *b, IxpValue *out, char *err, size_t size) {
  if (a->type != TY_VEC || b->type != TY_VEC || a->cols != b->cols) {
    char x[64], y[64];
    snprintf(err, size, "dot takes two vectors of the same length, not %s and %s",
             ixp_array_shape_text(x, sizeof x, a->type, a->rows, a->cols),
             ixp_array_shape_text(y, sizeof y, b->type, b->rows, b->cols));
    return err;
  }
  double s = 0;
  for (int i = 0; i < a->cols; i++) s = i ? s + a->v[i] * b->v[i] : a->v[i] * b->v[i];
  *out = ixp_value_real(s);
  return NULL;
}

double ixp_array_norm(const IxpValue *a) {
  double scale = 0;
  for (size_t i = 0; i < count(a); i++) {
    if (isnan(a->v[i])) return NAN;  /* fmax would skip it */
    scale = fmax(scale, fabs(a->v[i]));
  }
  if (scale == 0 || !isfinite(scale)) return scale;
  IxpKSum k = {0, 0};
  for (size_t i = 0; i < count(a); i++) ixp_ksum_add(&k, (a->v[i] / scale) * (a->v[i] / scale));
  return scale * sqrt(ixp_ksum_value(k));
}

/* The number of rows argument `x` gives a stack of rows `cols` wide, or -1. */
static int stacked_rows(const IxpValue *x, int cols) {
  if (x->cols != cols || !is_array(x->type)) return -1;
  return x->rows;
}

const char *ixp_array_concat(const IxpValue *args, int n, IxpValue *out, IxpArena *arena, char *err, size_t size) {
  bool matrix = false;
  size_t total = 0;
  for (int i = 0; i < n; i++) matrix |= args[i].type == TY_MAT;
  int cols = matrix ? -1 : 0, rows = 0;
  for (int i = 0; i < n; i++) {
    const IxpValue *x = &args[i];
    char shape[64];
    if (!matrix && x->type != TY_VEC && x->type != TY_NUM) {
      snprintf(err, size, "concat joins numbers, vectors or matrices, not a %s (argument %d)", ixp_type_name(x->type), i + 1);
      return err;
    }
    if (matrix && !is_array(x->type)) {
      snprintf(err, size, "concat stacks the rows of matrices and vectors, not a %s (argument %d)", ixp_type_name(x->type), i + 1);
      return err;
    }
    if (matrix && cols < 0) cols = x->cols;
    if (matrix && stacked_rows(x, cols) < 0) {
      snprintf(err, size, "concat stacks rows of %d numbers; argument %d is %s", cols, i + 1,
               ixp_array_shape_text(shape, sizeof shape, x->type, x->rows, x->cols));
      return err;
    }
    rows += matrix ? x->rows : 0;
    total += x->type == TY_NUM ? 1 : count(x);
  }
  double *v = numbers(arena, total);
  size_t at = 0;
  for (int i = 0; i < n; i++) {
    if (args[i].type == TY_NUM) v[at++] = args[i].num.x;
    else if (count(&args[i])) memcpy(v + at, args[i].v, count(&args[i]) * sizeof *v);
    at += args[i].type == TY_NUM ? 0 : count(&args[i]);
  }
  *out = matrix ? array_value(TY_MAT, v, rows, cols) : array_value(TY_VEC, v, 1, (int)total);
  return NULL;
}

/* ---------------------------------------------------------------- softmax */

const char *ixp_array_softmax(const IxpValue *a, IxpValue *out, IxpArena *arena, char *err, size_t size) {
  if (!is_array(a->type) || a->cols == 0) {
    char shape[64];
    snprintf(err, size, "softmax takes a non-empty vector or matrix, not %s",
             ixp_array_shape_text(shape, sizeof shape, a->type, a->rows, a->cols));
    return err;
  }
  for (size_t i = 0; i < count(a); i++)
    if (isnan(a->v[i]) || a->v[i] == INFINITY) {
      char where[64];
      snprintf(err, size, "softmax of a value that is %s (%s)", isnan(a->v[i]) ? "NaN" : "infinite",
               element_name(where, sizeof where, a, i));
      return err;
    }
  for (int r = 0; r < a->rows; r++) {
    bool finite = false;
    for (int j = 0; j < a->cols; j++) finite |= isfinite(a->v[ixp_dense_at(r, a->cols, j)]);
    if (!finite) {
      snprintf(err, size, "softmax of a row whose entries are all -inf (row %d)", r);
      return err;
    }
  }
  double *v = numbers(arena, count(a));
  memcpy(v, a->v, count(a) * sizeof *v);
  ixp_array_softmax_rows(v, a->rows, a->cols);
  *out = array_value(a->type, v, a->rows, a->cols);
  return NULL;
}

void ixp_array_softmax_rows(double *v, long rows, int cols) {
  for (long r = 0; r < rows; r++) {
    double *row = v + r * cols, max = row[0];
    for (int j = 1; j < cols; j++) max = fmax(max, row[j]);
    IxpKSum k = {0, 0};
    for (int j = 0; j < cols; j++) {
      row[j] = exp(row[j] - max);
      ixp_ksum_add(&k, row[j]);
    }
    double total = ixp_ksum_value(k);
    for (int j = 0; j < cols; j++) row[j] /= total;
  }
}

/* ------------------------------------------------------------ information */

bool ixp_array_is_distribution(const double *p, int n, char *err, size_t size) {
  char text[32];
  if (n == 0) {
    snprintf(err, size, "it is empty");
    return false;
  }
  for (int i = 0; i < n; i++)
    if (!(p[i] >= 0 && p[i] <= 1)) {
      ixp_format_num(text, sizeof text, p[i], -1);
      snprintf(err, size, "entry %d is %s, outside [0, 1]", i, text);
      return false;
    }
  double total = ixp_ksum_array(p, n);
  if (fabs(total - 1) > 1e-9) {
    ixp_format_num(text, sizeof text, total, 12);
    snprintf(err, size, "its entries sum to %s, not 1", text);
    return false;
  }
  return true;
}

/* sum over p_i > 0 of p_i log(p_i / q_i); +inf where q_i = 0 < p_i. */
static double kl_row(const double *p, const double *q, int n) {
  IxpKSum k = {0, 0};
  for (int i = 0; i < n; i++) {
    if (p[i] == 0) continue;
    if (q[i] == 0) return INFINITY;
    ixp_ksum_add(&k, p[i] * log(p[i] / q[i]));
  }
  return ixp_ksum_value(k);
}

static double info_row(IxpInfoKind kind, const double *p, const double *q, int n) {
  IxpKSum k = {0, 0};
  switch (kind) {
  case IXP_INFO_ENTROPY:
    for (int i = 0; i < n; i++)
      if (p[i] > 0) ixp_ksum_add(&k, -p[i] * log(p[i]));
    return ixp_ksum_value(k);
  case IXP_INFO_KL: return kl_row(p, q, n);
  case IXP_INFO_CROSS:
    for (int i = 0; i < n; i++) {
      if (p[i] == 0) continue;
      if (q[i] == 0) return INFINITY;
      ixp_ksum_add(&k, -p[i] * log(q[i]));
    }
    return ixp_ksum_value(k);
  case IXP_INFO_JS:
    for (int i = 0; i < n; i++) {
      double m = p[i] / 2 + q[i] / 2;
      if (p[i] > 0) ixp_ksum_add(&k, p[i] / 2 * log(p[i] / m));
      if (q[i] > 0) ixp_ksum_add(&k, q[i] / 2 * log(q[i] / m));
    }
    return ixp_ksum_value(k);
  }
  return NAN;
}

static const char *const info_names[] = {"entropy_of", "kl_of", "js_of", "cross_entropy_of"};

/* Every row of x (argument `which`, "p" or "q") must be a distribution. */
static const char *check_rows(IxpInfoKind kind, const IxpValue *x, const char *which, char *err, size_t size) {
  char why[160];
  for (int r = 0; r < x->rows; r++)
    if (!ixp_array_is_distribution(x->v + (size_t)r * (size_t)x->cols, x->cols, why, sizeof why)) {
      if (x->type == TY_MAT) snprintf(err, size, "%s: row %d of %s is not a distribution: %s", info_names[kind], r, which, why);
      else snprintf(err, size, "%s: %s is not a distribution: %s", info_names[kind], which, why);
      return err;
    }
  return NULL;
}

const char *ixp_array_information(IxpInfoKind kind, const IxpValue *p, const IxpValue *q, IxpValue *out,
                                  IxpArena *arena, char *err, size_t size) {
  char x[64], y[64];
  bool pair = kind != IXP_INFO_ENTROPY;
  if (!is_array(p->type) || (pair && (!is_array(q->type) || p->cols != q->cols ||
                                      (p->type == TY_MAT && q->type == TY_MAT && p->rows != q->rows)))) {
    if (pair)
      snprintf(err, size, "%s takes two probability vectors of the same length, or matrices of them, not %s and %s",
               info_names[kind], ixp_array_shape_text(x, sizeof x, p->type, p->rows, p->cols),
               ixp_array_shape_text(y, sizeof y, q->type, q->rows, q->cols));
    else
      snprintf(err, size, "entropy_of takes a probability vector, or a matrix of them, not %s",
               ixp_array_shape_text(x, sizeof x, p->type, p->rows, p->cols));
    return err;
  }
  if (check_rows(kind, p, "p", err, size) || (pair && check_rows(kind, q, "q", err, size))) return err;
  int rows = pair && q->rows > p->rows ? q->rows : p->rows;
  bool matrix = p->type == TY_MAT || (pair && q->type == TY_MAT);
  double *v = numbers(arena, (size_t)rows);
  for (int r = 0; r < rows; r++) {
    const double *pr = p->v + (p->rows > 1 ? (size_t)r * (size_t)p->cols : 0);
    const double *qr = pair ? q->v + (q->rows > 1 ? (size_t)r * (size_t)q->cols : 0) : NULL;
    v[r] = info_row(kind, pr, qr, p->cols);
  }
  *out = matrix ? array_value(TY_VEC, v, 1, rows) : ixp_value_real(v[0]);
  return NULL;
}

/* ---------------------------------------------------------------- kernels */

void ixp_array_matmul(const double *a, const double *b, double *c, int m, int k, int n) {
  if (2.0 * m * n * k >= IXP_ARRAY_GEMM_FLOPS &&
      ixp_dense_gemm(false, false, m, n, k, 1.0, a, k, b, n, 0.0, c, n) == IXP_DENSE_OK)
    return;
  for (size_t i = 0; i < (size_t)m * (size_t)n; i++) c[i] = 0;
  for (int i = 0; i < m; i++)
    for (int l = 0; l < k; l++) {
      double x = a[ixp_dense_at(i, k, l)];
      const double *brow = b + (size_t)l * (size_t)n;
      double *crow = c + (size_t)i * (size_t)n;
      if (l == 0)
        for (int j = 0; j < n; j++) crow[j] = x * brow[j];
      else
        for (int j = 0; j < n; j++) crow[j] += x * brow[j];
    }
}

void ixp_array_matvec(const double *a, const double *x, double *y, int m, int n) {
  for (int i = 0; i < m; i++) {
    const double *row = a + (size_t)i * (size_t)n;
    double s = n ? row[0] * x[0] : 0;
    for (int j = 1; j < n; j++) s += row[j] * x[j];
    y[i] = s;
  }
}

void ixp_array_vecmat(const double *x, const double *a, double *y, int m, int n) {
  for (int j = 0; j < n; j++) y[j] = m ? x[0] * a[j] : 0;
  for (int i = 1; i < m; i++)
    for (int j = 0; j < n; j++) y[j] += x[i] * a[ixp_dense_at(i, n, j)];
}
