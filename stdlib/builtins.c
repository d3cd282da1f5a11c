/* builtins.c — h2, log2, ln, exp, sqrt, abs, min, max, and friends. */
#include "builtins.h"
#include "library.h"

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

#define UNARY(cname, expr, guard)                                                       \
  static const char *f_##cname(const IxpValue *a, int n, IxpValue *out, IxpArena *ar,  \
                               char *err, size_t size) {                                 \
    (void)n;                                                                             \
    (void)ar;                                                                            \
    double x = a[0].num.x;                                                               \
    if (!(guard)) return domain(err, size, #cname, x);                                   \
    *out = ixp_value_real(expr);                                                         \
    return NULL;                                                                         \
  }

UNARY(h2, ixp_h2(x), x >= 0 && x <= 1)
UNARY(log2, log2(x), x >= 0)
UNARY(ln, log(x), x >= 0)
UNARY(log10, log10(x), x >= 0)
UNARY(exp, exp(x), 1)
UNARY(sqrt, sqrt(x), x >= 0)
UNARY(floor, floor(x), 1)
UNARY(ceil, ceil(x), 1)
UNARY(round, round(x), 1)

/* abs keeps exact rationals exact. */
static const char *f_abs(const IxpValue *a, int n, IxpValue *out, IxpArena *ar, char *err,
                         size_t size) {
  (void)n, (void)ar, (void)err, (void)size;
  *out = a[0];
  if (ixp_num_cmp(a[0].num, ixp_num_int(0)) < 0) out->num = ixp_num_neg(a[0].num);
  return NULL;
}

/* log(x) natural, log(x, base) in any base. */
static const char *f_log(const IxpValue *a, int n, IxpValue *out, IxpArena *ar, char *err,
                         size_t size) {
  (void)ar;
  double x = a[0].num.x;
  if (!(x >= 0)) return domain(err, size, "log", x);
  if (n == 1) {
    *out = ixp_value_real(log(x));
    return NULL;
  }
  double b = a[1].num.x;
  if (!(b > 0) || b == 1) {
    char text[32];
    ixp_format_num(text, sizeof text, b, -1);
    snprintf(err, size, "log base %s is not a positive number other than 1", text);
    return err;
  }
  *out = ixp_value_real(log(x) / log(b));
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

static const char *f_sum(const IxpValue *a, int n, IxpValue *out, IxpArena *ar, char *err,
                         size_t size) {
  (void)n, (void)ar;
  if (a[0].type != TY_VEC && a[0].type != TY_MAT) {
    snprintf(err, size, "sum takes a vector");
    return err;
  }
  *out = ixp_value_real(ixp_ksum_array(a[0].v, (long)a[0].rows * a[0].cols));  /* Neumaier summation */
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

static const IxpBuiltin registry[] = {
    {"h2", "h2(p)", 1, 1, TY_NUM, TY_NUM, f_h2, false},
    {"log2", "log2(x)", 1, 1, TY_NUM, TY_NUM, f_log2, false},
    {"ln", "ln(x)", 1, 1, TY_NUM, TY_NUM, f_ln, false},
    {"log", "log(x[, base])", 1, 2, TY_NUM, TY_NUM, f_log, false},
    {"log10", "log10(x)", 1, 1, TY_NUM, TY_NUM, f_log10, false},
    {"exp", "exp(x)", 1, 1, TY_NUM, TY_NUM, f_exp, false},
    {"sqrt", "sqrt(x)", 1, 1, TY_NUM, TY_NUM, f_sqrt, false},
    {"abs", "abs(x)", 1, 1, TY_NUM, TY_NUM, f_abs, false},
    {"floor", "floor(x)", 1, 1, TY_NUM, TY_NUM, f_floor, false},
    {"ceil", "ceil(x)", 1, 1, TY_NUM, TY_NUM, f_ceil, false},
    {"round", "round(x)", 1, 1, TY_NUM, TY_NUM, f_round, false},
    {"min", "min(a, b, ...)", 1, 64, TY_ANY, TY_NUM, f_min, false},
    {"max", "max(a, b, ...)", 1, 64, TY_ANY, TY_NUM, f_max, false},
    {"sum", "sum(v)", 1, 1, TY_VEC, TY_NUM, f_sum, false},
    {"len", "len(v)", 1, 1, TY_ANY, TY_NUM, f_len, false},
    {"linspace", "linspace(a, b, n)", 3, 3, TY_NUM, TY_VEC, f_linspace, false},
    {"logspace", "logspace(a, b, n)", 3, 3, TY_NUM, TY_VEC, f_logspace, false},
    {"rd_gaussian", "rd_gaussian(variance, D)", 2, 2, TY_NUM, TY_NUM, f_rd_gaussian, true},
    {"rd_waterfill", "rd_waterfill([variances], D)", 2, 2, TY_ANY, TY_NUM, f_rd_waterfill, true},
};

void ixp_open_builtins(IxpLibrary *lib) {
  ixp_library_add_builtins(lib, registry, (int)(sizeof registry / sizeof *registry));
}
