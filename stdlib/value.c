/* value.c — numbers, values and their printing. */
#include "value.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "model.h"

const char *ixp_type_name(IxpType t) {
  static const char *names[] = {"value", "number", "string", "vector", "matrix",
                                "range", "model", "table", "record", "nothing"};
  return names[t];
}

/* Greatest common divisor of |a| and |b| (b > 0), in unsigned arithmetic
 * so that INT64_MIN has a magnitude. */
static int64_t gcd64(int64_t a, int64_t b) {
  uint64_t x = a < 0 ? 0 - (uint64_t)a : (uint64_t)a, y = (uint64_t)b;
  while (y) {
    uint64_t t = x % y;
    x = y;
    y = t;
  }
  return (int64_t)x;
}

IxpNum ixp_num_real(double x) { return (IxpNum){.exact = false, .x = x}; }

IxpNum ixp_num_int(int64_t n) { return (IxpNum){.exact = true, .n = n, .d = 1, .x = (double)n}; }

IxpNum ixp_num_ratio(int64_t n, int64_t d) {
  if (d == 0) return ixp_num_real((double)n / 0.0);
  if (d < 0) {
    if (n == INT64_MIN || d == INT64_MIN) return ixp_num_real((double)n / (double)d);
    n = -n;
    d = -d;
  }
  int64_t g = gcd64(n, d);
  if (g > 1) {
    n /= g;
    d /= g;
  }
  return (IxpNum){.exact = true, .n = n, .d = d, .x = (double)n / (double)d};
}

/* a/b + c/d exactly, or the double sum when 64 bits overflow. */
IxpNum ixp_num_add(IxpNum a, IxpNum b) {
  int64_t x, y, n, d;
  if (a.exact && b.exact && !__builtin_mul_overflow(a.n, b.d, &x) &&
      !__builtin_mul_overflow(b.n, a.d, &y) && !__builtin_add_overflow(x, y, &n) &&
      !__builtin_mul_overflow(a.d, b.d, &d))
    return ixp_num_ratio(n, d);
  return ixp_num_real(a.x + b.x);
}

IxpNum ixp_num_neg(IxpNum a) {
  if (a.exact && a.n != INT64_MIN) return ixp_num_ratio(-a.n, a.d);
  return ixp_num_real(-a.x);
}

IxpNum ixp_num_sub(IxpNum a, IxpNum b) {
  if (b.exact && b.n != INT64_MIN) return ixp_num_add(a, ixp_num_neg(b));
  return ixp_num_real(a.x - b.x);
}

IxpNum ixp_num_mul(IxpNum a, IxpNum b) {
  int64_t n, d;
  if (a.exact && b.exact && !__builtin_mul_overflow(a.n, b.n, &n) &&
      !__builtin_mul_overflow(a.d, b.d, &d))
    return ixp_num_ratio(n, d);
  return ixp_num_real(a.x * b.x);
}

IxpNum ixp_num_div(IxpNum a, IxpNum b) {
  int64_t n, d;
  if (a.exact && b.exact && b.n != 0 && !__builtin_mul_overflow(a.n, b.d, &n) &&
      !__builtin_mul_overflow(a.d, b.n, &d))
    return ixp_num_ratio(n, d);
  return ixp_num_real(a.x / b.x);
}

int ixp_num_cmp(IxpNum a, IxpNum b) {
  if (a.exact && b.exact) {
    __int128 l = (__int128)a.n * b.d, r = (__int128)b.n * a.d;
    return (l > r) - (l < r);
  }
  return (a.x > b.x) - (a.x < b.x);
}

IxpValue ixp_value_num(IxpNum n) { return (IxpValue){.type = TY_NUM, .num = n}; }
IxpValue ixp_value_real(double x) { return ixp_value_num(ixp_num_real(x)); }

/* floor((hi - lo) / step) + 1 of exact ends and step, in 128-bit integers;
 * false when they are not exact or the count does not fit. */
static bool exact_range_count(const IxpValue *r, int64_t *count) {
  const IxpNum *lo = &r->lo, *hi = &r->hi, *st = &r->step;
  if (!lo->exact || !hi->exact || !st->exact || st->n <= 0) return false;
  __int128 num = (__int128)hi->n * lo->d - (__int128)lo->n * hi->d, den = (__int128)hi->d * lo->d, q;
  if (__builtin_mul_overflow(num, (__int128)st->d, &num) || __builtin_mul_overflow(den, (__int128)st->n, &den))
    return false;
  if (num < 0) return false;
  q = num / den;
  if (q >= INT64_MAX) return false;
  *count = (int64_t)q + 1;
  return true;
}

/* Points lo, lo+step, ... up to hi inclusive (within a relative 1e-9 of a
 * step, so 0 .. 1 step 0.1 ends at 1 despite rounding). */
int64_t ixp_range_count(const IxpValue *r) {
  if (r->type == TY_VEC) return r->cols;
  double span = (r->hi.x - r->lo.x) / r->step.x;
  if (!(span >= 0)) return 0;
  if (span < 0x1p52) return (int64_t)floor(span + 1e-9) + 1;
  int64_t exact;
  if (exact_range_count(r, &exact)) return exact;
  return span < 0x1p63 ? (int64_t)floor(span) + 1 : -1;
}

IxpNum ixp_range_at(const IxpValue *r, int64_t i) {
  if (r->type == TY_VEC) return ixp_num_real(r->v[i]);
  IxpNum k = ixp_num_mul(r->step, ixp_num_int(i));
  return ixp_num_add(r->lo, k);
}

IxpTable *ixp_table_new(const char *title, int ncols, const char *const *cols) {
  IxpTable *t = calloc(1, sizeof *t);
  t->title = title ? strdup(title) : NULL;
  t->ncols = ncols;
  t->ycol = ncols > 1;
  t->cols = calloc((size_t)ncols, sizeof *t->cols);
  for (int i = 0; i < ncols; i++) t->cols[i] = strdup(cols[i]);
  return t;
}

void ixp_table_add_row(IxpTable *t, const double *row) {
  if (!ixp_grow(&t->cells, &t->cap, t->nrows + 1, (size_t)t->ncols * sizeof *t->cells)) ixp_out_of_memory();
  memcpy(t->cells + (size_t)t->nrows * (size_t)t->ncols, row, (size_t)t->ncols * sizeof *row);
  t->nrows++;
}

void ixp_table_free(IxpTable *t) {
  if (!t) return;
  for (int i = 0; i < t->ncols; i++) free(t->cols[i]);
  free(t->cols);
  free(t->cells);
  free(t->title);
  free(t->xlabel);
  free(t->ylabel);
  free(t);
}

IxpTable *ixp_table_copy(const IxpTable *t) {
  IxpTable *c = ixp_table_new(t->title, t->ncols, (const char *const *)t->cols);
  for (int r = 0; r < t->nrows; r++) ixp_table_add_row(c, t->cells + (size_t)r * (size_t)t->ncols);
  c->xcol = t->xcol;
  c->ycol = t->ycol;
  c->every_y = t->every_y;
  c->xlabel = t->xlabel ? strdup(t->xlabel) : NULL;
  c->ylabel = t->ylabel ? strdup(t->ylabel) : NULL;
  return c;
}

int ixp_table_col(const IxpTable *t, const char *name) {
  for (int c = 0; c < t->ncols; c++)
    if (!strcmp(t->cols[c], name)) return c;
  return -1;
}

IxpRecord *ixp_record_new(IxpArena *a, const char *title, int n) {
  IxpRecord *r = ixp_arena_alloc(a, sizeof *r);
  r->title = title ? ixp_arena_strndup(a, title, strlen(title)) : NULL;
  r->n = n;
  r->names = ixp_arena_alloc(a, (size_t)(n ? n : 1) * sizeof *r->names);
  r->values = ixp_arena_alloc(a, (size_t)(n ? n : 1) * sizeof *r->values);
  return r;
}

const IxpValue *ixp_record_field(const IxpRecord *r, const char *name) {
  for (int i = 0; i < r->n; i++)
    if (!strcmp(r->names[i], name)) return &r->values[i];
  return NULL;
}

IxpValue ixp_value_vector(IxpArena *a, const double *v, int n) {
  double *d = ixp_arena_alloc(a, (size_t)(n ? n : 1) * sizeof *d);
  if (n) memcpy(d, v, (size_t)n * sizeof *d);
  return (IxpValue){.type = TY_VEC, .v = d, .rows = 1, .cols = n};
}

/* A record copied to the heap, fields and all. */
static IxpRecord *record_dup(const IxpRecord *r) {
  IxpRecord *d = calloc(1, sizeof *d);
  d->title = r->title ? strdup(r->title) : NULL;
  d->n = r->n;
  d->shown = r->shown;
  d->names = calloc((size_t)(r->n ? r->n : 1), sizeof *d->names);
  d->values = calloc((size_t)(r->n ? r->n : 1), sizeof *d->values);
  for (int i = 0; i < r->n; i++) {
    d->names[i] = strdup(r->names[i]);
    d->values[i] = ixp_value_dup(&r->values[i]);
  }
  return d;
}

static void record_free(IxpRecord *r) {
  for (int i = 0; i < r->n; i++) {
    free(r->names[i]);
    ixp_value_release(&r->values[i]);
  }
  free(r->names);
  free(r->values);
  free(r->title);
  free(r);
}

IxpValue ixp_value_dup(const IxpValue *v) {
  IxpValue d = *v;
  if (v->type == TY_STR) d.str = strdup(v->str);
  if (v->type == TY_VEC || v->type == TY_MAT) {
    size_t n = (size_t)v->rows * (size_t)v->cols;
    d.v = malloc(n ? n * sizeof *d.v : 1);
    if (n) memcpy(d.v, v->v, n * sizeof *d.v);
  }
  if (v->type == TY_TABLE) d.table = ixp_table_copy(v->table);
  if (v->type == TY_RECORD) d.record = record_dup(v->record);
  return d;
}

void ixp_value_release(IxpValue *v) {
  if (v->type == TY_STR) free((char *)v->str);
  if (v->type == TY_VEC || v->type == TY_MAT) free(v->v);
  if (v->type == TY_TABLE) ixp_table_free(v->table);
  if (v->type == TY_RECORD) record_free(v->record);
  v->type = TY_NONE;
}

void ixp_format_num(char *buf, size_t size, double x, int digits) {
  if (isnan(x)) { snprintf(buf, size, "nan"); return; }
  if (isinf(x)) { snprintf(buf, size, x > 0 ? "inf" : "-inf"); return; }
  if (x == 0) x = 0;  /* no "-0" */
  if (digits > 0) {
    snprintf(buf, size, "%.*g", digits, x);
    return;
  }
  if (x == floor(x) && fabs(x) < 1e15) {  /* whole numbers without an exponent */
    snprintf(buf, size, "%.0f", x);
    return;
  }
  for (int p = 1; p <= 17; p++) {
    snprintf(buf, size, "%.*g", p, x);
    if (strtod(buf, NULL) == x) return;
  }
}

static void print_row(FILE *out, const double *v, int n, int digits) {
  char buf[64];
  fputc('[', out);
  for (int i = 0; i < n; i++) {
    ixp_format_num(buf, sizeof buf, v[i], digits);
    fprintf(out, i ? ", %s" : "%s", buf);
  }
  fputc(']', out);
}

void ixp_value_print(FILE *out, const IxpValue *v, int digits) {
  char buf[64];
  switch (v->type) {
  case TY_NUM:
    ixp_format_num(buf, sizeof buf, v->num.x, digits);
    fputs(buf, out);
    break;
  case TY_STR: fputs(v->str, out); break;
  case TY_VEC: print_row(out, v->v, v->cols, digits); break;
  case TY_MAT:
    fputc('[', out);
    for (int r = 0; r < v->rows; r++) {
      if (r) fputs(", ", out);
      print_row(out, v->v + (size_t)r * (size_t)v->cols, v->cols, digits);
    }
    fputc(']', out);
    break;
  case TY_RANGE: {
    char a[64], b[64], s[64];
    ixp_format_num(a, sizeof a, v->lo.x, digits);
    ixp_format_num(b, sizeof b, v->hi.x, digits);
    ixp_format_num(s, sizeof s, v->step.x, digits);
    fprintf(out, "%s .. %s step %s", a, b, s);
    break;
  }
  case TY_MODEL: fprintf(out, "model %s", v->model->name); break;
  case TY_TABLE: ixp_table_print(out, v->table, digits); break;
  case TY_RECORD: {
    int width = 0, shown = v->record->shown ? v->record->shown : v->record->n;
    for (int i = 0; i < shown; i++)
      if ((int)strlen(v->record->names[i]) > width) width = (int)strlen(v->record->names[i]);
    for (int i = 0; i < shown; i++) {
      fprintf(out, "%s%-*s = ", i ? "\n  " : "", width, v->record->names[i]);
      ixp_value_print(out, &v->record->values[i], digits);
    }
    break;
  }
  default: fputs("nothing", out); break;
  }
}

/* The columns a text takes on a terminal: its UTF-8 characters (labels
 * may be any string, such as "I(X;T) in ∞-norm"). */
int ixp_text_width(const char *text) {
  int w = 0;
  for (const unsigned char *p = (const unsigned char *)text; *p; p++) w += (*p & 0xc0) != 0x80;
  return w;
}

/* `text` right-aligned in `width` columns. */
static void print_right(FILE *out, const char *text, int width) {
  for (int pad = width - ixp_text_width(text); pad > 0; pad--) fputc(' ', out);
  fputs(text, out);
}

void ixp_text_table_print(FILE *out, int ncols, const char *const *headers, int nrows, const char *const *cells) {
  int *width = calloc((size_t)ncols, sizeof *width);
  for (int c = 0; c < ncols; c++) width[c] = ixp_text_width(headers[c]);
  for (int i = 0; i < nrows * ncols; i++) {
    int w = ixp_text_width(cells[i]);
    if (w > width[i % ncols]) width[i % ncols] = w;
  }
  for (int c = 0; c < ncols; c++) {
    if (c) fputs("  ", out);
    print_right(out, headers[c], width[c]);
  }
  fputc('\n', out);
  for (int r = 0; r < nrows; r++) {
    for (int c = 0; c < ncols; c++) {
      if (c) fputs("  ", out);
      print_right(out, cells[r * ncols + c], width[c]);
    }
    fputc('\n', out);
  }
  free(width);
}

/* Columns are right-aligned to the widest of header and cells. */
void ixp_table_print(FILE *out, const IxpTable *t, int digits) {
  size_t n = (size_t)t->nrows * (size_t)t->ncols;
  char (*cell)[32] = malloc((n ? n : 1) * sizeof *cell);
  const char **cells = malloc((n ? n : 1) * sizeof *cells);
  for (size_t i = 0; i < n; i++) {
    ixp_format_num(cell[i], sizeof cell[i], t->cells[i], digits);
    cells[i] = cell[i];
  }
  if (t->title) fprintf(out, "%s\n", t->title);
  ixp_text_table_print(out, t->ncols, (const char *const *)t->cols, t->nrows, cells);
  free(cells);
  free(cell);
}
