/* builtins.c — h2, log2, ln, exp, sqrt, abs, min, max, and friends; the
 * vector and matrix functions (their arithmetic is arrays.c's) and the
 * numbers of .npy and CSV files as values. */
#include "builtins.h"
#include "library.h"

#include "arrays.h"
#include "dataset.h"
#include "ksum.h"
#include "rd.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

double ixp_h2(double p) {
  if (p <= 0 || p >= 1) return 0;
  return -(p * log2(p) + (1 - p) * log2(1 - p));
}

static const char *domain(char *err, size_t size, const char *fn, double x) {
  char text[32];
  ixp_format_num(text, sizeof text, x, -1);
  snprintf(err, size, "%s(%s) is outside the function's domain", fn, text);
  return err;
}

static const char *f_h2(const IxpValue *a, int n, IxpValue *out, IxpArena *ar, char *err, size_t size) {
  (void)n, (void)ar;
  double x = a[0].num.x;
  if (!(x >= 0 && x <= 1)) return domain(err, size, "h2", x);
  *out = ixp_value_real(ixp_h2(x));
  return NULL;
}

/* Functions of one number that map over the elements of a vector or a
 * matrix; a NaN from a number is outside the domain. */
#define ELEMENTWISE(cname, cfn)                                                         \
  static const char *f_##cname(const IxpValue *a, int n, IxpValue *out, IxpArena *ar,  \
                               char *err, size_t size) {                                 \
    (void)n;                                                                             \
    return ixp_array_apply(cfn, #cname, &a[0], out, ar, err, size);                      \
  }

ELEMENTWISE(log2, log2)
ELEMENTWISE(ln, log)
ELEMENTWISE(log10, log10)
ELEMENTWISE(exp, exp)
ELEMENTWISE(sqrt, sqrt)
ELEMENTWISE(floor, floor)
ELEMENTWISE(ceil, ceil)
ELEMENTWISE(round, round)
ELEMENTWISE(tanh, tanh)
ELEMENTWISE(relu, ixp_array_relu)
ELEMENTWISE(sigmoid, ixp_array_sigmoid)

/* abs keeps exact rationals exact. */
static const char *f_abs(const IxpValue *a, int n, IxpValue *out, IxpArena *ar, char *err,
                         size_t size) {
  (void)n;
  if (a[0].type != TY_NUM) return ixp_array_apply(fabs, "abs", &a[0], out, ar, err, size);
  *out = a[0];
  if (ixp_num_cmp(a[0].num, ixp_num_int(0)) < 0) out->num = ixp_num_neg(a[0].num);
  return NULL;
}

/* log(x) natural, log(x, base) in any base; x may be a vector or matrix. */
static const char *f_log(const IxpValue *a, int n, IxpValue *out, IxpArena *ar, char *err,
                         size_t size) {
  if (n == 2) {
    double b = a[1].num.x;
    if (a[1].type != TY_NUM) {
      snprintf(err, size, "log's base is a number, not a %s", ixp_type_name(a[1].type));
      return err;
    }
    if (!(b > 0) || b == 1) {
      char text[32];
      ixp_format_num(text, sizeof text, b, -1);
      snprintf(err, size, "log base %s is not a positive number other than 1", text);
      return err;
    }
  }
  if (ixp_array_apply(log, "log", &a[0], out, ar, err, size)) return err;
  if (n == 1) return NULL;
  double lb = log(a[1].num.x);
  if (out->type == TY_NUM) out->num = ixp_num_real(out->num.x / lb);
  else
    for (size_t i = 0; i < (size_t)out->rows * (size_t)out->cols; i++) out->v[i] /= lb;
  return NULL;
}

/* min and max over numbers, or over the elements of one vector. */
static const char *extreme(const IxpValue *a, int n, IxpValue *out, char *err, size_t size,
                           int sign, const char *name) {
  if (n == 1 && (a[0].type == TY_VEC || a[0].type == TY_MAT)) {
    int k = a[0].rows * a[0].cols;
    if (k == 0) {
      snprintf(err, size, "%s of an empty vector", name);
      return err;
    }
    double m = a[0].v[0];
    for (int i = 1; i < k; i++)
      if (sign * (a[0].v[i] - m) > 0) m = a[0].v[i];
    *out = ixp_value_real(m);
    return NULL;
  }
  IxpNum m = a[0].num;
  for (int i = 0; i < n; i++) {
    if (a[i].type != TY_NUM) {
      snprintf(err, size, "%s takes numbers, or one vector", name);
      return err;
    }
    if (sign * ixp_num_cmp(a[i].num, m) > 0) m = a[i].num;
  }
  *out = ixp_value_num(m);
  return NULL;
}

static const char *f_min(const IxpValue *a, int n, IxpValue *out, IxpArena *ar, char *err,
                         size_t size) {
  (void)ar;
  return extreme(a, n, out, err, size, -1, "min");
}

static const char *f_max(const IxpValue *a, int n, IxpValue *out, IxpArena *ar, char *err,
                         size_t size) {
  (void)ar;
  return extreme(a, n, out, err, size, +1, "max");
}

static bool is_array(const IxpValue *v) { return v->type == TY_VEC || v->type == TY_MAT; }

static const char *f_sum(const IxpValue *a, int n, IxpValue *out, IxpArena *ar, char *err,
                         size_t size) {
  (void)n, (void)ar;
  if (!is_array(&a[0])) {
    snprintf(err, size, "sum takes a vector or a matrix, not a %s", ixp_type_name(a[0].type));
    return err;
  }
  *out = ixp_value_real(ixp_ksum_array(a[0].v, (long)a[0].rows * a[0].cols));  /* Neumaier summation */
  return NULL;
}

/* The mean of a vector's elements, or of all a matrix's. */
static const char *f_mean(const IxpValue *a, int n, IxpValue *out, IxpArena *ar, char *err,
                          size_t size) {
  (void)n, (void)ar;
  long k = (long)a[0].rows * a[0].cols;
  if (!is_array(&a[0]) || k == 0) {
    snprintf(err, size, "mean takes a non-empty vector or matrix, not %s", is_array(&a[0]) ? "an empty one" : ixp_type_name(a[0].type));
    return err;
  }
  *out = ixp_value_real(ixp_ksum_array(a[0].v, k) / (double)k);
  return NULL;
}

/* A range too long to count in 64 bits has about (hi - lo)/step + 1 points. */
static IxpValue range_length(const IxpValue *r) {
  int64_t n = ixp_range_count(r);
  if (n >= 0) return ixp_value_num(ixp_num_int(n));
  return ixp_value_real(floor((r->hi.x - r->lo.x) / r->step.x) + 1);
}

static const char *f_len(const IxpValue *a, int n, IxpValue *out, IxpArena *ar, char *err,
                         size_t size) {
  (void)n, (void)ar;
  if (a[0].type == TY_VEC || a[0].type == TY_MAT) *out = ixp_value_num(ixp_num_int(a[0].rows == 1 ? a[0].cols : a[0].rows));
  else if (a[0].type == TY_RANGE) *out = range_length(&a[0]);
  else {
    snprintf(err, size, "len takes a vector or a range");
    return err;
  }
  return NULL;
}

/* n points from a to b inclusive, evenly spaced (linspace) or evenly
 * spaced in log10 (logspace(a, b, n) = 10^a .. 10^b). */
static const char *spaced(const IxpValue *a, IxpValue *out, IxpArena *ar, char *err, size_t size,
                          bool logarithmic) {
  double lo = a[0].num.x, hi = a[1].num.x, k = a[2].num.x;
  if (!(k >= 1) || k != floor(k) || k > 1e7) {
    char text[32];
    ixp_format_num(text, sizeof text, k, -1);
    snprintf(err, size, "the number of points must be a whole number from 1 to 10^7, not %s", text);
    return err;
  }
  int n = (int)k;
  double *v = ixp_arena_alloc(ar, (size_t)n * sizeof *v);
  for (int i = 0; i < n; i++) {
    double t = n == 1 ? lo : lo + (hi - lo) * i / (n - 1);
    v[i] = logarithmic ? pow(10, t) : t;
  }
  *out = (IxpValue){.type = TY_VEC, .v = v, .rows = 1, .cols = n};
  return NULL;
}

static const char *f_linspace(const IxpValue *a, int n, IxpValue *out, IxpArena *ar, char *err,
                              size_t size) {
  (void)n;
  return spaced(a, out, ar, err, size, false);
}

static const char *f_logspace(const IxpValue *a, int n, IxpValue *out, IxpArena *ar, char *err,
                              size_t size) {
  (void)n;
  return spaced(a, out, ar, err, size, true);
}

/* Gaussian rate-distortion with squared error: rd_gaussian(variance, D). */
static const char *f_rd_gaussian(const IxpValue *a, int n, IxpValue *out, IxpArena *ar, char *err, size_t size) {
  (void)n, (void)ar;
  if (!(a[0].num.x > 0) || !(a[1].num.x > 0)) {
    snprintf(err, size, "rd_gaussian needs a positive variance and a positive distortion");
    return err;
  }
  *out = ixp_value_real(ixp_rd_gaussian(a[0].num.x, a[1].num.x));
  return NULL;
}

/* Reverse water-filling: rd_waterfill([variances], D). */
static const char *f_rd_waterfill(const IxpValue *a, int n, IxpValue *out, IxpArena *ar, char *err, size_t size) {
  (void)n, (void)ar;
  if (a[0].type != TY_VEC || a[0].cols == 0 || a[1].type != TY_NUM || !(a[1].num.x > 0)) {
    snprintf(err, size, "rd_waterfill takes a vector of variances and a positive total distortion");
    return err;
  }
  for (int i = 0; i < a[0].cols; i++)
    if (!(a[0].v[i] > 0)) {
      snprintf(err, size, "variance %d is not positive", i);
      return err;
    }
  *out = ixp_value_real(ixp_rd_waterfill(a[0].v, a[0].cols, a[1].num.x));
  return NULL;
}

/* ------------------------------------------------------ vectors, matrices */

/* The most elements a made array may have (800 MB of doubles). */
#define MAX_ELEMENTS 1e8

/* A size argument: a whole number from 0 to MAX_ELEMENTS. */
static const char *size_arg(const IxpValue *a, const char *fn, int *n, char *err, size_t size) {
  double x = a->num.x;
  if (a->type != TY_NUM || !(x >= 0) || x != floor(x) || x > MAX_ELEMENTS) {
    char text[32];
    if (a->type == TY_NUM) ixp_format_num(text, sizeof text, x, -1);
    else snprintf(text, sizeof text, "a %s", ixp_type_name(a->type));
    snprintf(err, size, "%s needs sizes that are whole numbers from 0 to 10^8, not %s", fn, text);
    return err;
  }
  *n = (int)x;
  return NULL;
}

/* An array of rows x cols, every element `fill` (a vector when !matrix). */
static const char *filled(int rows, int cols, bool matrix, double fill, const char *fn, IxpValue *out,
                          IxpArena *ar, char *err, size_t size) {
  double k = (double)rows * cols;
  if (k > MAX_ELEMENTS) {
    snprintf(err, size, "%s(%d, %d) would hold more than 10^8 numbers", fn, rows, cols);
    return err;
  }
  double *v = ixp_arena_alloc(ar, ((size_t)k + 1) * sizeof *v);
  for (size_t i = 0; i < (size_t)k; i++) v[i] = fill;
  *out = (IxpValue){.type = matrix ? TY_MAT : TY_VEC, .v = v, .rows = rows, .cols = cols};
  return NULL;
}

static const char *fill(const IxpValue *a, int n, double x, const char *fn, IxpValue *out, IxpArena *ar,
                        char *err, size_t size) {
  int rows, cols;
  if (size_arg(&a[0], fn, &rows, err, size) || (n == 2 && size_arg(&a[1], fn, &cols, err, size))) return err;
  return n == 2 ? filled(rows, cols, true, x, fn, out, ar, err, size) : filled(1, rows, false, x, fn, out, ar, err, size);
}

static const char *f_zeros(const IxpValue *a, int n, IxpValue *out, IxpArena *ar, char *err, size_t size) {
  return fill(a, n, 0, "zeros", out, ar, err, size);
}

static const char *f_ones(const IxpValue *a, int n, IxpValue *out, IxpArena *ar, char *err, size_t size) {
  return fill(a, n, 1, "ones", out, ar, err, size);
}

static const char *f_eye(const IxpValue *a, int n, IxpValue *out, IxpArena *ar, char *err, size_t size) {
  (void)n;
  int k;
  if (size_arg(&a[0], "eye", &k, err, size) || filled(k, k, true, 0, "eye", out, ar, err, size)) return err;
  for (int i = 0; i < k; i++) out->v[(size_t)i * (size_t)k + (size_t)i] = 1;
  return NULL;
}

static const char *f_transpose(const IxpValue *a, int n, IxpValue *out, IxpArena *ar, char *err, size_t size) {
  (void)n;
  return ixp_array_transpose(&a[0], out, ar, err, size);
}

static const char *f_dot(const IxpValue *a, int n, IxpValue *out, IxpArena *ar, char *err, size_t size) {
  (void)n, (void)ar;
  return ixp_array_dot(&a[0], &a[1], out, err, size);
}

static const char *f_norm(const IxpValue *a, int n, IxpValue *out, IxpArena *ar, char *err, size_t size) {
  (void)n, (void)ar;
  if (!is_array(&a[0])) {
    snprintf(err, size, "norm takes a vector or a matrix, not a %s", ixp_type_name(a[0].type));
    return err;
  }
  *out = ixp_value_real(ixp_array_norm(&a[0]));
  return NULL;
}

static const char *f_concat(const IxpValue *a, int n, IxpValue *out, IxpArena *ar, char *err, size_t size) {
  return ixp_array_concat(a, n, out, ar, err, size);
}

static const char *f_softmax(const IxpValue *a, int n, IxpValue *out, IxpArena *ar, char *err, size_t size) {
  (void)n;
  return ixp_array_softmax(&a[0], out, ar, err, size);
}

#define INFORMATION(cname, kind)                                                                      \
  static const char *f_##cname(const IxpValue *a, int n, IxpValue *out, IxpArena *ar, char *err,     \
                               size_t size) {                                                         \
    return ixp_array_information(kind, &a[0], n > 1 ? &a[1] : NULL, out, ar, err, size);              \
  }

INFORMATION(entropy_of, IXP_INFO_ENTROPY)
INFORMATION(kl_of, IXP_INFO_KL)
INFORMATION(js_of, IXP_INFO_JS)
INFORMATION(cross_entropy_of, IXP_INFO_CROSS)

/* ------------------------------------------------------------------ files */

/* The first non-finite value of the columns: its row and column, or false. */
static bool first_nonfinite(const IxpDataset *set, long *row, int *col) {
  *row = -1;
  for (int j = 0; j < set->ncols; j++) {
    long r = set->cols[j].kind == IXP_COL_STRING ? -1 : ixp_column_first_nonfinite(&set->cols[j], set->nrows);
    if (r >= 0 && (*row < 0 || r < *row)) *row = r, *col = j;
  }
  return *row >= 0;
}

/* Whether the dataset read from `path` can be an array; else err says why. */
static bool numeric_finite(const IxpDataset *set, const char *path, bool npy, bool header, bool vector, char *err,
                           size_t size) {
  for (int j = 0; j < set->ncols; j++)
    if (set->cols[j].kind == IXP_COL_STRING) {
      snprintf(err, size, "%s: column '%s' is not numeric (a matrix holds numbers)", path, set->cols[j].name);
      return false;
    }
  if ((double)set->nrows * set->ncols > MAX_ELEMENTS) {
    snprintf(err, size, "%s holds more than 10^8 numbers", path);
    return false;
  }
  long row;
  int col;
  if (!set->cols || !set->cols[0].value || !first_nonfinite(set, &row, &col)) return true;
  double x = set->cols[col].value[row];
  const char *what = isnan(x) ? "NaN" : "infinite";
  if (!npy) snprintf(err, size, "%s: row %ld, column '%s' is %s (a matrix holds finite numbers)", path, row + (header ? 2 : 1),
                     set->cols[col].name, what);
  else if (vector) snprintf(err, size, "%s: element [%ld] is %s (a vector holds finite numbers)", path, row, what);
  else snprintf(err, size, "%s: row %ld, column %d (element [%ld, %d]) is %s (a matrix holds finite numbers)", path, row,
                col, row, col, what);
  return false;
}

/* The dataset of a file: its header only (a .npy file's) when !values. */
static IxpDataset *read_file(const char *path, bool npy, bool header, bool values, char *err, size_t size) {
  IxpDataset *set = NULL;
  IxpDataError e = {0};
  IxpCsvOptions opt = {.no_header = !header};
  bool ok = npy ? (values ? ixp_npy_load(path, "v", &set, &e) : ixp_npy_load_header(path, "v", &set, &e))
                : ixp_csv_load(path, &opt, &set, &e);
  if (!ok) {
    snprintf(err, size, "%s", e.message);
    return NULL;
  }
  return set;
}

/* A 1-D .npy array is one column named as the array ("v"). */
static bool one_dimensional(const IxpDataset *set, bool npy) {
  return npy && set->ncols == 1 && !strcmp(set->cols[0].name, "v");
}

bool ixp_matrix_file_shape(const char *path, bool npy, bool header, IxpType *t, int *rows, int *cols, char *err,
                           size_t size) {
  IxpDataset *set = read_file(path, npy, header, false, err, size);
  if (!set) return false;
  bool vector = one_dimensional(set, npy), ok = numeric_finite(set, path, npy, header, vector, err, size);
  *t = vector ? TY_VEC : TY_MAT;
  *rows = vector ? 1 : (int)set->nrows;
  *cols = vector ? (int)set->nrows : set->ncols;
  ixp_dataset_free(set);
  return ok;
}

bool ixp_matrix_file(const char *path, bool npy, bool header, IxpValue *out, IxpArena *arena, char *err, size_t size) {
  IxpDataset *set = read_file(path, npy, header, true, err, size);
  if (!set) return false;
  bool vector = one_dimensional(set, npy);
  if (!numeric_finite(set, path, npy, header, vector, err, size)) {
    ixp_dataset_free(set);
    return false;
  }
  int rows = (int)set->nrows, cols = set->ncols;
  double *v = ixp_arena_alloc(arena, ((size_t)rows * (size_t)cols + 1) * sizeof *v);
  for (int i = 0; i < rows; i++)
    for (int j = 0; j < cols; j++) v[(size_t)i * (size_t)cols + (size_t)j] = set->cols[j].value[i];
  *out = vector ? (IxpValue){.type = TY_VEC, .v = v, .rows = 1, .cols = rows}
                : (IxpValue){.type = TY_MAT, .v = v, .rows = rows, .cols = cols};
  ixp_dataset_free(set);
  return true;
}

/* npy(path), csv(path[, header = 0]): the evaluator has made the path
 * relative to the program's folder. */
static const char *file_value(const IxpValue *a, int n, bool npy, IxpValue *out, IxpArena *ar, char *err, size_t size) {
  if (a[0].type != TY_STR) {
    snprintf(err, size, "%s takes a file name (a string), not a %s", npy ? "npy" : "csv", ixp_type_name(a[0].type));
    return err;
  }
  bool header = n < 2 || a[1].num.x != 0;
  return ixp_matrix_file(a[0].str, npy, header, out, ar, err, size) ? NULL : err;
}

static const char *f_npy(const IxpValue *a, int n, IxpValue *out, IxpArena *ar, char *err, size_t size) {
  return file_value(a, n, true, out, ar, err, size);
}

static const char *f_csv(const IxpValue *a, int n, IxpValue *out, IxpArena *ar, char *err, size_t size) {
  return file_value(a, n, false, out, ar, err, size);
}

static const IxpBuiltin registry[] = {
    {"h2", "h2(p)", 1, 1, TY_NUM, TY_NUM, f_h2, false, IXP_SHAPE_FIXED, NULL},
    {"log2", "log2(x)", 1, 1, TY_ANY, TY_NUM, f_log2, false, IXP_SHAPE_SAME, log2},
    {"ln", "ln(x)", 1, 1, TY_ANY, TY_NUM, f_ln, false, IXP_SHAPE_SAME, log},
    {"log", "log(x[, base])", 1, 2, TY_ANY, TY_NUM, f_log, false, IXP_SHAPE_SAME, log},
    {"log10", "log10(x)", 1, 1, TY_ANY, TY_NUM, f_log10, false, IXP_SHAPE_SAME, log10},
    {"exp", "exp(x)", 1, 1, TY_ANY, TY_NUM, f_exp, false, IXP_SHAPE_SAME, exp},
    {"sqrt", "sqrt(x)", 1, 1, TY_ANY, TY_NUM, f_sqrt, false, IXP_SHAPE_SAME, sqrt},
    {"abs", "abs(x)", 1, 1, TY_ANY, TY_NUM, f_abs, false, IXP_SHAPE_SAME, fabs},
    {"floor", "floor(x)", 1, 1, TY_ANY, TY_NUM, f_floor, false, IXP_SHAPE_SAME, floor},
    {"ceil", "ceil(x)", 1, 1, TY_ANY, TY_NUM, f_ceil, false, IXP_SHAPE_SAME, ceil},
    {"round", "round(x)", 1, 1, TY_ANY, TY_NUM, f_round, false, IXP_SHAPE_SAME, round},
    {"tanh", "tanh(x)", 1, 1, TY_ANY, TY_NUM, f_tanh, false, IXP_SHAPE_SAME, tanh},
    {"relu", "relu(x)", 1, 1, TY_ANY, TY_NUM, f_relu, false, IXP_SHAPE_SAME, ixp_array_relu},
    {"sigmoid", "sigmoid(x)", 1, 1, TY_ANY, TY_NUM, f_sigmoid, false, IXP_SHAPE_SAME, ixp_array_sigmoid},
    {"min", "min(a, b, ...)", 1, 64, TY_ANY, TY_NUM, f_min, false, IXP_SHAPE_FIXED, NULL},
    {"max", "max(a, b, ...)", 1, 64, TY_ANY, TY_NUM, f_max, false, IXP_SHAPE_FIXED, NULL},
    {"sum", "sum(v)", 1, 1, TY_ANY, TY_NUM, f_sum, false, IXP_SHAPE_FIXED, NULL},
    {"mean", "mean(v)", 1, 1, TY_ANY, TY_NUM, f_mean, false, IXP_SHAPE_FIXED, NULL},
    {"len", "len(v)", 1, 1, TY_ANY, TY_NUM, f_len, false, IXP_SHAPE_FIXED, NULL},
    {"linspace", "linspace(a, b, n)", 3, 3, TY_NUM, TY_VEC, f_linspace, false, IXP_SHAPE_POINTS, NULL},
    {"logspace", "logspace(a, b, n)", 3, 3, TY_NUM, TY_VEC, f_logspace, false, IXP_SHAPE_POINTS, NULL},
    {"eye", "eye(n)", 1, 1, TY_NUM, TY_MAT, f_eye, false, IXP_SHAPE_SQUARE, NULL},
    {"zeros", "zeros(n[, m])", 1, 2, TY_NUM, TY_VEC, f_zeros, false, IXP_SHAPE_FILL, NULL},
    {"ones", "ones(n[, m])", 1, 2, TY_NUM, TY_VEC, f_ones, false, IXP_SHAPE_FILL, NULL},
    {"transpose", "transpose(A)", 1, 1, TY_ANY, TY_MAT, f_transpose, false, IXP_SHAPE_TRANSPOSE, NULL},
    {"dot", "dot(u, v)", 2, 2, TY_VEC, TY_NUM, f_dot, false, IXP_SHAPE_FIXED, NULL},
    {"norm", "norm(v)", 1, 1, TY_ANY, TY_NUM, f_norm, false, IXP_SHAPE_FIXED, NULL},
    {"concat", "concat(a, b, ...)", 1, 64, TY_ANY, TY_VEC, f_concat, false, IXP_SHAPE_CONCAT, NULL},
    {"softmax", "softmax(v)", 1, 1, TY_ANY, TY_VEC, f_softmax, false, IXP_SHAPE_SAME, NULL},
    {"entropy_of", "entropy_of(p)", 1, 1, TY_ANY, TY_NUM, f_entropy_of, true, IXP_SHAPE_ROWS, NULL},
    {"kl_of", "kl_of(p, q)", 2, 2, TY_ANY, TY_NUM, f_kl_of, true, IXP_SHAPE_ROWS, NULL},
    {"js_of", "js_of(p, q)", 2, 2, TY_ANY, TY_NUM, f_js_of, true, IXP_SHAPE_ROWS, NULL},
    {"cross_entropy_of", "cross_entropy_of(p, q)", 2, 2, TY_ANY, TY_NUM, f_cross_entropy_of, true, IXP_SHAPE_ROWS, NULL},
    {"npy", "npy(\"file.npy\")", 1, 1, TY_STR, TY_MAT, f_npy, false, IXP_SHAPE_FILE, NULL},
    {"csv", "csv(\"file.csv\"[, header = 0])", 1, 2, TY_ANY, TY_MAT, f_csv, false, IXP_SHAPE_FILE, NULL},
    {"rd_gaussian", "rd_gaussian(variance, D)", 2, 2, TY_NUM, TY_NUM, f_rd_gaussian, true, IXP_SHAPE_FIXED, NULL},
    {"rd_waterfill", "rd_waterfill([variances], D)", 2, 2, TY_ANY, TY_NUM, f_rd_waterfill, true, IXP_SHAPE_FIXED, NULL},
};

void ixp_open_builtins(IxpLibrary *lib) {
  ixp_library_add_builtins(lib, registry, (int)(sizeof registry / sizeof *registry));
}
