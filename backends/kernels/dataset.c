/* dataset.c — columns of samples from CSV files (parsed by libcsv, streaming)
 * and NumPy .npy files.
 *
 * Error messages read "PATH: what went wrong"; IxpDataError.row and .col say
 * where (1-based, 0 when not applicable).
 *
 * CSV rows and columns. Row numbers count the records of the file from 1,
 * the header (when there is one) being row 1, so the first data row is row
 * 2; blank lines count too. A row number is thus the line an editor shows,
 * as long as no quoted field above it spans several lines (a quoted newline
 * lengthens a record, it does not start one). Column numbers count the
 * file's fields from 1, before any selection.
 *
 * CSV syntax: RFC 4180 in libcsv's strict mode. A quote inside an unquoted
 * field, text after a closing quote (spaces included) and a quote that never
 * closes are errors. Records end with LF, CRLF or CR. Fields are kept
 * verbatim (names and string labels keep their spaces); a number may have
 * spaces or tabs around it. A blank line in the middle of the file is a row
 * of 0 fields, hence a ragged row; blank lines at the end are allowed. A
 * UTF-8 byte-order mark at the start is skipped. A NUL byte in a field is an
 * error.
 *
 * CSV types. A field is an integer when it is [+-]digits, a number when it
 * is an integer or a decimal ([+-] digits [. digits] [e [+-] digits], with
 * digits on at least one side of the point) or nan, inf, infinity in any
 * case, with a sign or not. Hexadecimal is not a number. A column is INT
 * when all its fields are integers, REAL when all are numbers, else STRING;
 * an empty (or all-blank) field in a column whose other fields are all
 * numbers is an error, and so is a column with only empty fields. Integers
 * of an INT column must lie within +-2^53, where doubles hold every integer.
 * Labels of a STRING column are sorted bytewise (strcmp). Numbers are read
 * with strtod: the C locale (a '.' decimal point) is assumed.
 *
 * NPY: row i, column j of the error location is element (i, j) of the array,
 * counted from 1. A NULL name stands for the file's base name without its
 * ".npy". Integers beyond +-2^53 and bool bytes other than 0 and 1 are
 * errors; the file must be exactly as long as its header and shape say. */
#include "dataset.h"
#include "grow.h"

#include <csv.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CHUNK 65536
#define EXACT_BITS (1ULL << 53) /* up to 2^53, doubles hold every integer */
#define MAX_DIMS 32

/* ---------------------------------------------------------------- errors */

/* Fill *err with "path: message" and the place (row, col); returns false. */
__attribute__((format(printf, 5, 6))) static bool fail(IxpDataError *err, const char *path, long row, int col,
                                                       const char *fmt, ...) {
  if (!err) return false;
  int k = snprintf(err->message, sizeof err->message, "%s: ", path);
  if (k < 0 || (size_t)k >= sizeof err->message) k = (int)sizeof err->message - 1;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message + k, sizeof err->message - (size_t)k, fmt, ap);
  va_end(ap);
  err->row = row;
  err->col = col;
  return false;
}

/* The error of a file that cannot be opened or read, from errno. */
static bool fail_errno(IxpDataError *err, const char *path) {
  int e = errno ? errno : EIO;
  return fail(err, path, 0, 0, "%s", strerror(e));
}

/* ------------------------------------------------------------- datasets */

/* Free one column's arrays (not the column itself). */
static void column_free(IxpColumn *c) {
  free(c->name);
  if (c->borrowed) return;
  free(c->value);
  free(c->code);
  for (uint32_t i = 0; c->labels && i < c->nlabels; i++) free(c->labels[i]);
  free(c->labels);
}

/* Free a dataset and everything it holds; NULL is a no-op. */
void ixp_dataset_free(IxpDataset *d) {
  if (!d) return;
  for (int j = 0; d->cols && j < d->ncols; j++) column_free(&d->cols[j]);
  free(d->cols);
  free(d->path);
  free(d->trial_start);
  free(d);
}

/* Index of the column called name, or -1. */
int ixp_dataset_col(const IxpDataset *d, const char *name) {
  if (!d || !name) return -1;
  for (int j = 0; j < d->ncols; j++)
    if (d->cols[j].name && !strcmp(d->cols[j].name, name)) return j;
  return -1;
}

/* Index of the first NaN or infinite value of a numeric column, or -1 (also
 * for a STRING column). */
long ixp_column_first_nonfinite(const IxpColumn *c, long n) {
  if (!c || c->kind == IXP_COL_STRING || !c->value) return -1;
  for (long i = 0; i < n; i++)
    if (!isfinite(c->value[i])) return i;
  return -1;
}

/* A new dataset of ncols zeroed columns for path (NULL: rows made in
 * memory), or NULL. */
static IxpDataset *dataset_new(const char *path, long nrows, int ncols) {
  IxpDataset *d = calloc(1, sizeof *d);
  if (!d) return NULL;
  d->path = path ? strdup(path) : NULL;
  d->cols = calloc((size_t)(ncols > 0 ? ncols : 1), sizeof *d->cols);
  d->nrows = nrows;
  d->ncols = ncols;
  if ((path && !d->path) || !d->cols) {
    ixp_dataset_free(d);
    return NULL;
  }
  return d;
}

/* In-memory numeric columns; see dataset.h. */
IxpDataset *ixp_dataset_new_numeric(long nrows, int ncols, const char *const *names, const bool *real) {
  IxpDataset *d = dataset_new(NULL, nrows, ncols);
  for (int j = 0; d && j < ncols; j++) {
    IxpColumn *c = &d->cols[j];
    c->kind = real[j] ? IXP_COL_REAL : IXP_COL_INT;
    c->name = strdup(names[j]);
    c->value = malloc((size_t)(nrows > 0 ? nrows : 1) * sizeof *c->value);
    if (!c->name || !c->value) {
      ixp_dataset_free(d);
      return NULL;
    }
  }
  return d;
}

/* ---------------------------------------------------------- field texts */

/* NUL-terminated fields one after another, with their offsets. */
typedef struct {
  char *buf;
  size_t len, cap;
  size_t *off;
  size_t n, ocap;
} Texts;

/* Append the field s[0..len) to t; false when out of memory. */
static bool texts_push(Texts *t, const char *s, size_t len) {
  if (!ixp_grow_size(&t->buf, &t->cap, t->len + len + 1, 1) || !ixp_grow_size(&t->off, &t->ocap, t->n + 1, sizeof *t->off))
    return false;
  memcpy(t->buf + t->len, s, len);
  t->buf[t->len + len] = '\0';
  t->off[t->n++] = t->len;
  t->len += len + 1;
  return true;
}

/* Field i of t. */
static const char *texts_at(const Texts *t, size_t i) { return t->buf + t->off[i]; }

/* The length of field i of t. */
static size_t texts_len(const Texts *t, size_t i) { return (i + 1 < t->n ? t->off[i + 1] : t->len) - t->off[i] - 1; }

/* Free t's buffers. */
static void texts_free(Texts *t) {
  free(t->buf);
  free(t->off);
  memset(t, 0, sizeof *t);
}

/* -------------------------------------------------------------- numbers */

typedef enum { F_EMPTY, F_INT, F_BIGINT, F_REAL, F_TEXT } FieldClass;

/* True for the blanks allowed around a number. */
static bool is_blank(char ch) { return ch == ' ' || ch == '\t'; }

/* True for an ASCII digit. */
static bool is_digit(char ch) { return ch >= '0' && ch <= '9'; }

/* Case-insensitive comparison of s[0..n) with the lower-case word w. */
static bool word_is(const char *s, size_t n, const char *w) {
  if (strlen(w) != n) return false;
  for (size_t i = 0; i < n; i++)
    if ((s[i] | 0x20) != w[i]) return false;
  return true;
}

/* Powers of ten that doubles hold exactly. */
static const double POW10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                               1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Digits at *p (before end) appended to *m; the count. *over is set when
 * *m would overflow. */
static int take_digits(const char **p, const char *end, uint64_t *m, bool *over) {
  int k = 0;
  for (; *p < end && is_digit(**p); (*p)++, k++) {
    if (*m > (UINT64_MAX - 9) / 10) *over = true;
    else *m = *m * 10 + (uint64_t)(**p - '0');
  }
  return k;
}

/* The exponent digits at *p (capped, sign applied), or false when none. */
static bool take_exponent(const char **p, const char *end, int *e) {
  bool neg = *p < end && **p == '-';
  if (*p < end && (**p == '+' || **p == '-')) (*p)++;
  if (*p >= end || !is_digit(**p)) return false;
  for (*e = 0; *p < end && is_digit(**p); (*p)++)
    if (*e < 100000) *e = *e * 10 + (**p - '0');
  if (neg) *e = -*e;
  return true;
}

/* Classify the field s[0..n) (NUL-terminated), blanks around it ignored;
 * a number's value goes to *v, correctly rounded: directly when the digits
 * and the power of ten are exact doubles (one rounding), else by strtod. */
static FieldClass classify(const char *s, size_t n, double *v) {
  const char *end = s + n;
  while (s < end && is_blank(*s)) s++;
  while (end > s && is_blank(end[-1])) end--;
  if (s == end) return F_EMPTY;
  const char *p = s + (*s == '+' || *s == '-');
  bool neg = *s == '-', over = false;
  uint64_t m = 0;
  int digits = take_digits(&p, end, &m, &over), frac = 0, e = 0;
  if (digits && p == end) {
    if (over || m > EXACT_BITS) return *v = strtod(s, NULL), F_BIGINT;
    *v = m == 0 ? 0.0 : neg ? -(double)m : (double)m;
    return F_INT;
  }
  if (p < end && *p == '.') {
    p++;
    frac = take_digits(&p, end, &m, &over);
    digits += frac;
  }
  if (!digits) {
    size_t k = (size_t)(end - p);
    if (!word_is(p, k, "nan") && !word_is(p, k, "inf") && !word_is(p, k, "infinity")) return F_TEXT;
  } else if (p < end && (*p == 'e' || *p == 'E')) {
    p++;
    if (!take_exponent(&p, end, &e)) return F_TEXT;
  }
  if (digits && p != end) return F_TEXT;
  e -= frac;
  if (digits && !over && m <= EXACT_BITS && e >= -22 && e <= 22) {
    double x = e >= 0 ? (double)m * POW10[e] : (double)m / POW10[-e];
    *v = neg ? -x : x;
    return F_REAL;
  }
  char *stop = NULL;
  *v = strtod(s, &stop);
  return stop == end ? F_REAL : F_TEXT;
}

/* ------------------------------------------------------------------ CSV */

typedef struct {
  const char *path;
  IxpDataError *err;
  const IxpCsvOptions *opt;
  bool failed;
  bool nul;      /* a NUL byte has been read: fields are checked for one */
  long rec;      /* records (and blank lines) ended so far */
  long blank;    /* row of the first blank line not yet followed by data, or 0 */
  bool after_cr; /* the last record ended with CR: an LF now completes a CRLF */
  int nf;        /* fields seen so far in the current record */
  int ncols;     /* fields of the first record; 0 until it ends */
  long ndata;    /* data rows ended so far */
  Texts head;    /* the first record's fields */
  char **names;  /* ncols column names */
  size_t *byname;/* column indices sorted by name */
  int *slot;     /* per file column: its index among the kept ones, or -1 */
  int nkeep;
  int *src;      /* per kept column: its file column */
  bool *as_str;  /* per kept column */
  Texts *texts;  /* per kept column: its fields */
} Csv;

/* Release everything c holds. */
static void csv_ctx_free(Csv *c) {
  texts_free(&c->head);
  for (int j = 0; c->names && j < c->ncols; j++) free(c->names[j]);
  free(c->names);
  free(c->byname);
  free(c->slot);
  free(c->src);
  free(c->as_str);
  for (int k = 0; c->texts && k < c->nkeep; k++) texts_free(&c->texts[k]);
  free(c->texts);
}

/* Record the error (once) and stop the load; returns false. */
__attribute__((format(printf, 4, 5))) static bool csv_fail(Csv *c, long row, int col, const char *fmt, ...) {
  if (c->failed) return false;
  c->failed = true;
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return fail(c->err, c->path, row, col, "%s", msg);
}

/* The out-of-memory error; returns false. */
static bool csv_nomem(Csv *c) { return csv_fail(c, 0, 0, "out of memory"); }

/* "'name'" of file column j when known, else its number, into buf. */
static const char *col_label(const Csv *c, int j, char *buf, size_t cap) {
  if (c->names && j < c->ncols) snprintf(buf, cap, "'%s'", c->names[j]);
  else snprintf(buf, cap, "%d", j + 1);
  return buf;
}

/* The error of row `row`, which has nf fields instead of c->ncols. */
static void csv_ragged(Csv *c, long row, int nf) {
  if (c->ncols == 0)
    csv_fail(c, row, 0, "row %ld is a blank line before the %s", row, c->opt->no_header ? "first row" : "header");
  else if (c->opt->no_header)
    csv_fail(c, row, 0, "row %ld has %d field%s, row 1 has %d", row, nf, nf == 1 ? "" : "s", c->ncols);
  else
    csv_fail(c, row, 0, "row %ld has %d field%s, the header has %d", row, nf, nf == 1 ? "" : "s", c->ncols);
}

/* Names of the file's columns quoted and comma-separated into buf, cut
 * with "..." when they do not fit. */
static void list_names(const Csv *c, char *buf, size_t cap) {
  size_t len = 0;
  buf[0] = '\0';
  for (int j = 0; j < c->ncols; j++) {
    int k = snprintf(buf + len, cap - len, "%s'%s'", j ? ", " : "", c->names[j]);
    if (k < 0 || (size_t)k >= cap - len - 5) {
      snprintf(buf + len, cap - len, "%s...", j ? ", " : "");
      return;
    }
    len += (size_t)k;
  }
}

/* Order column indices by name, then by index (qsort_r). */
static int by_name(const void *a, const void *b, void *ctx) {
  char **names = ctx;
  size_t i = *(const size_t *)a, j = *(const size_t *)b;
  int r = strcmp(names[i], names[j]);
  return r ? r : (i > j) - (i < j);
}

/* File column called name (first of equals), or -1: a binary search of byname. */
static int find_name(const Csv *c, const char *name) {
  size_t lo = 0, hi = (size_t)c->ncols;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (strcmp(c->names[c->byname[mid]], name) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo < (size_t)c->ncols && !strcmp(c->names[c->byname[lo]], name) ? (int)c->byname[lo] : -1;
}

/* Column names from the header (or c0, c1, ...), sorted by name; a
 * duplicate header name is an error. */
static bool csv_names(Csv *c) {
  size_t n = (size_t)c->ncols;
  c->names = calloc(n, sizeof *c->names);
  c->byname = malloc(n * sizeof *c->byname);
  if (!c->names || !c->byname) return csv_nomem(c);
  for (size_t j = 0; j < n; j++) {
    if (c->opt->no_header) {
      char buf[32];
      snprintf(buf, sizeof buf, "c%zu", j);
      c->names[j] = strdup(buf);
    } else {
      c->names[j] = strdup(texts_at(&c->head, j));
    }
    if (!c->names[j]) return csv_nomem(c);
    c->byname[j] = j;
  }
  qsort_r(c->byname, n, sizeof *c->byname, by_name, c->names);
  size_t dup = n;
  for (size_t k = 1; k < n; k++)
    if (!strcmp(c->names[c->byname[k - 1]], c->names[c->byname[k]]) && (dup == n || c->byname[k] < c->byname[dup]))
      dup = k;
  if (dup == n) return true;
  return csv_fail(c, 1, (int)c->byname[dup] + 1, "row 1: duplicate column name '%s' (columns %zu and %zu)",
                  c->names[c->byname[dup]], c->byname[dup - 1] + 1, c->byname[dup] + 1);
}

/* The error of a named column that the file does not have. */
static bool csv_missing(Csv *c, const char *what, const char *name) {
  char list[320];
  list_names(c, list, sizeof list);
  return csv_fail(c, c->opt->no_header ? 0 : 1, 0, "%scolumn '%s' not found (columns: %s)", what, name, list);
}

/* Decide which columns are kept, in which order, and which are read as
 * strings; allocate their field stores. */
static bool csv_select(Csv *c) {
  const IxpCsvOptions *o = c->opt;
  if (o->select && o->nselect <= 0) return csv_fail(c, 0, 0, "empty column selection");
  c->nkeep = o->select ? o->nselect : c->ncols;
  c->slot = malloc((size_t)c->ncols * sizeof *c->slot);
  c->src = malloc((size_t)c->nkeep * sizeof *c->src);
  c->as_str = calloc((size_t)c->nkeep, sizeof *c->as_str);
  c->texts = calloc((size_t)c->nkeep, sizeof *c->texts);
  if (!c->slot || !c->src || !c->as_str || !c->texts) return csv_nomem(c);
  for (int j = 0; j < c->ncols; j++) c->slot[j] = o->select ? -1 : j;
  for (int k = 0; k < c->nkeep; k++) {
    int j = o->select ? find_name(c, o->select[k]) : k;
    if (j < 0) return csv_missing(c, "", o->select[k]);
    if (o->select && c->slot[j] >= 0)
      return csv_fail(c, 0, 0, "column '%s' is selected twice", o->select[k]);
    c->slot[j] = k;
    c->src[k] = j;
  }
  for (int s = 0; o->as_string && s < o->nas_string; s++) {
    int j = find_name(c, o->as_string[s]);
    if (j < 0) return csv_missing(c, "as_string ", o->as_string[s]);
    if (c->slot[j] >= 0) c->as_str[c->slot[j]] = true;
  }
  return true;
}

/* The first record has ended with nf fields: set up the columns; without
 * a header the record is also the first data row. */
static void csv_first_record(Csv *c, int nf) {
  c->ncols = nf;
  if (!csv_names(c) || !csv_select(c)) return;
  if (c->opt->no_header) {
    for (int j = 0; j < nf; j++) {
      const char *s = texts_at(&c->head, (size_t)j);
      if (c->slot[j] >= 0 && !texts_push(&c->texts[c->slot[j]], s, strlen(s))) {
        csv_nomem(c);
        return;
      }
    }
    c->ndata = 1;
  }
  texts_free(&c->head);
}

/* libcsv's field callback: store the field of the current record. */
static void csv_on_field(void *s, size_t len, void *data) {
  Csv *c = data;
  if (c->failed) return;
  const char *f = s ? s : "";
  if (c->blank) {
    csv_ragged(c, c->blank, 0);
    return;
  }
  if (c->nul && len && memchr(f, '\0', len)) {
    char lab[300];
    csv_fail(c, c->rec + 1, c->nf + 1, "row %ld, column %s: NUL byte in field", c->rec + 1,
             col_label(c, c->nf, lab, sizeof lab));
    return;
  }
  bool ok = true;
  if (c->ncols == 0) ok = texts_push(&c->head, f, len);
  else if (c->nf < c->ncols && c->slot[c->nf] >= 0) ok = texts_push(&c->texts[c->slot[c->nf]], f, len);
  if (ok) c->nf++;
  else csv_nomem(c);
}

/* libcsv's record callback (every CR and LF outside a field reported):
 * end the record, or note a blank line. */
static void csv_on_row(int ch, void *data) {
  Csv *c = data;
  if (c->failed) return;
  bool crlf = ch == CSV_LF && c->after_cr;
  c->after_cr = ch == CSV_CR;
  if (c->nf == 0) {
    if (crlf) return;
    c->rec++;
    if (!c->blank) c->blank = c->rec;
    return;
  }
  int nf = c->nf;
  c->nf = 0;
  c->rec++;
  if (c->ncols == 0) csv_first_record(c, nf);
  else if (nf != c->ncols) csv_ragged(c, c->rec, nf);
  else c->ndata++;
}

/* libcsv's space test: no character is a space, fields are kept whole. */
static int no_space(unsigned char ch) {
  (void)ch;
  return 0;
}

/* Stream the file through libcsv. */
static bool csv_stream(Csv *c, FILE *f, struct csv_parser *p) {
  char buf[CHUNK];
  bool first = true;
  for (;;) {
    size_t n = fread(buf, 1, sizeof buf, f);
    if (n == 0) break;
    const char *s = buf;
    if (first && n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) s += 3, n -= 3;
    first = false;
    c->nul = c->nul || memchr(s, '\0', n);
    size_t done = csv_parse(p, s, n, csv_on_field, csv_on_row, c);
    if (c->failed) return false;
    if (done < n) {
      char lab[300];
      if (csv_error(p) != CSV_EPARSE) return csv_nomem(c);
      return csv_fail(c, c->rec + 1, c->nf + 1,
                      "row %ld, column %s: misplaced quote (a quote inside an unquoted field, "
                      "or text after a closing quote)",
                      c->rec + 1, col_label(c, c->nf, lab, sizeof lab));
    }
  }
  if (ferror(f)) {
    c->failed = true;
    return fail_errno(c->err, c->path);
  }
  if (csv_fini(p, csv_on_field, csv_on_row, c) != 0) {
    char lab[300];
    csv_fail(c, c->rec + 1, c->nf + 1, "row %ld, column %s: quote never closes", c->rec + 1,
             col_label(c, c->nf, lab, sizeof lab));
  }
  if (c->failed) return false;
  if (c->ncols == 0) return csv_fail(c, 0, 0, "empty file");
  if (c->ndata == 0) return csv_fail(c, 0, 0, "no data rows");
  return true;
}

/* What the fields of a column make of it. */
typedef struct {
  IxpColumnKind kind;
  long empty, big; /* data index + 1 of the first empty field / too large integer, or 0 */
} Inferred;

/* Infer the kind of a column from its fields, filling value[] for a
 * numeric one. */
static Inferred infer(const Texts *t, bool as_str, double *value) {
  Inferred r = {as_str ? IXP_COL_STRING : IXP_COL_INT, 0, 0};
  for (size_t i = 0; r.kind != IXP_COL_STRING && i < t->n; i++) {
    switch (classify(texts_at(t, i), texts_len(t, i), &value[i])) {
    case F_EMPTY:
      if (!r.empty) r.empty = (long)i + 1;
      break;
    case F_BIGINT:
      if (!r.big) r.big = (long)i + 1;
      break;
    case F_REAL: r.kind = IXP_COL_REAL; break;
    case F_TEXT: r.kind = IXP_COL_STRING; break;
    case F_INT: break;
    }
  }
  return r;
}

/* Order field indices by text (qsort_r). */
static int by_text(const void *a, const void *b, void *ctx) {
  const Texts *t = ctx;
  return strcmp(texts_at(t, *(const size_t *)a), texts_at(t, *(const size_t *)b));
}

/* Code the fields of t as indices into their sorted unique labels. */
static bool code_strings(const Texts *t, IxpColumn *col) {
  size_t n = t->n;
  size_t *order = malloc(n * sizeof *order);
  col->code = malloc(n * sizeof *col->code);
  col->labels = calloc(n, sizeof *col->labels);
  if (!order || !col->code || !col->labels) return free(order), false;
  for (size_t i = 0; i < n; i++) order[i] = i;
  qsort_r(order, n, sizeof *order, by_text, (void *)t);
  for (size_t i = 0; i < n; i++) {
    const char *s = texts_at(t, order[i]);
    if (i == 0 || strcmp(texts_at(t, order[i - 1]), s) != 0) {
      if (col->nlabels == UINT32_MAX || !(col->labels[col->nlabels] = strdup(s))) return free(order), false;
      col->nlabels++;
    }
    col->code[order[i]] = col->nlabels - 1;
  }
  free(order);
  char **shrunk = realloc(col->labels, (col->nlabels ? col->nlabels : 1) * sizeof *shrunk);
  if (shrunk) col->labels = shrunk;
  return true;
}

/* The earliest (by row, then column) data error among the kept columns:
 * an empty field in a numeric column or an integer beyond 2^53. */
static bool csv_check(Csv *c, const Inferred *inf) {
  long best = 0;
  int bk = -1;
  bool empty = false;
  for (int k = 0; k < c->nkeep; k++) {
    if (inf[k].kind == IXP_COL_STRING) continue;
    long e = inf[k].empty, b = inf[k].kind == IXP_COL_INT ? inf[k].big : 0;
    long r = e && (!b || e < b) ? e : b;
    if (r && (bk < 0 || r < best || (r == best && c->src[k] < c->src[bk]))) best = r, bk = k, empty = r == e;
  }
  if (bk < 0) return true;
  long row = best - 1 + (c->opt->no_header ? 1 : 2);
  const char *name = c->names[c->src[bk]];
  if (empty) return csv_fail(c, row, c->src[bk] + 1, "row %ld, column '%s': empty field", row, name);
  return csv_fail(c, row, c->src[bk] + 1,
                  "row %ld, column '%s': integer %.40s is beyond 2^53, where doubles no longer hold every integer "
                  "(read the column as a string)",
                  row, name, texts_at(&c->texts[bk], (size_t)best - 1));
}

/* Build the dataset from the stored fields: infer kinds, check, code. */
static IxpDataset *csv_build(Csv *c) {
  IxpDataset *d = dataset_new(c->path, c->ndata, c->nkeep);
  Inferred *inf = calloc((size_t)(c->nkeep ? c->nkeep : 1), sizeof *inf);
  if (!d || !inf) goto nomem;
  for (int k = 0; k < c->nkeep; k++) {
    IxpColumn *col = &d->cols[k];
    if (!(col->name = strdup(c->names[c->src[k]]))) goto nomem;
    if (!c->as_str[k] && !(col->value = malloc((size_t)c->ndata * sizeof *col->value))) goto nomem;
    inf[k] = infer(&c->texts[k], c->as_str[k], col->value);
    col->kind = inf[k].kind;
    if (col->kind == IXP_COL_STRING) {
      free(col->value);
      col->value = NULL;
    }
  }
  if (!csv_check(c, inf)) goto out;
  for (int k = 0; k < c->nkeep; k++) {
    if (d->cols[k].kind == IXP_COL_STRING && !code_strings(&c->texts[k], &d->cols[k])) goto nomem;
    texts_free(&c->texts[k]);
  }
  free(inf);
  return d;
nomem:
  csv_nomem(c);
out:
  free(inf);
  ixp_dataset_free(d);
  return NULL;
}

/* Load a CSV file; see dataset.h and the top of this file. */
bool ixp_csv_load(const char *path, const IxpCsvOptions *opt, IxpDataset **out, IxpDataError *err) {
  static const IxpCsvOptions defaults = {0};
  *out = NULL;
  if (err) memset(err, 0, sizeof *err);
  if (!opt) opt = &defaults;
  char delim = opt->delimiter ? opt->delimiter : ',';
  if (delim == '"' || delim == '\r' || delim == '\n')
    return fail(err, path, 0, 0, "the delimiter cannot be a quote or a line break");
  FILE *f = fopen(path, "rb");
  if (!f) return fail_errno(err, path);
  struct csv_parser p;
  if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL | CSV_APPEND_NULL) != 0) {
    fclose(f);
    return fail(err, path, 0, 0, "out of memory");
  }
  csv_set_delim(&p, (unsigned char)delim);
  csv_set_space_func(&p, no_space);
  Csv c = {.path = path, .err = err, .opt = opt};
  if (csv_stream(&c, f, &p)) *out = csv_build(&c);
  csv_free(&p);
  fclose(f);
  csv_ctx_free(&c);
  if (*out && opt->trials && !ixp_dataset_trials_from(*out, opt->trials, opt->no_header ? 1 : 2, err)) {
    ixp_dataset_free(*out);
    *out = NULL;
  }
  return *out != NULL;
}

/* ---------------------------------------------------------------- trials */

/* A run of equal trial ids: its id and its first row. */
typedef struct {
  double id;
  long row;
} TrialRun;

static int by_id_then_row(const void *a, const void *b) {
  const TrialRun *x = a, *y = b;
  if (x->id != y->id) return x->id < y->id ? -1 : 1;
  return (x->row > y->row) - (x->row < y->row);
}

bool ixp_dataset_trials_from(IxpDataset *d, const char *name, long first_row, IxpDataError *err) {
  const char *path = d->path ? d->path : "data";
  int j = ixp_dataset_col(d, name);
  if (j < 0) return fail(err, path, 0, 0, "no column '%s' to read the trials from", name);
  const IxpColumn *col = &d->cols[j];
  long n = d->nrows, nruns = 0;
  if (n == 0) return fail(err, path, 0, j + 1, "no rows to make trials of");
  TrialRun *runs = malloc((size_t)n * sizeof *runs);
  if (!runs) return fail(err, path, 0, 0, "out of memory");
  for (long i = 0; i < n; i++) {
    double id = col->kind == IXP_COL_STRING ? (double)col->code[i] : col->value[i];
    if (id != id) {
      free(runs);
      return fail(err, path, i + first_row, j + 1, "row %ld: the trial id in column '%s' is NaN", i + first_row, name);
    }
    if (i == 0 || id != runs[nruns - 1].id) runs[nruns++] = (TrialRun){id, i};
  }
  long *start = malloc((size_t)(nruns + 1) * sizeof *start);
  TrialRun *sorted = malloc((size_t)nruns * sizeof *sorted);
  if (!start || !sorted) {
    free(runs), free(start), free(sorted);
    return fail(err, path, 0, 0, "out of memory");
  }
  for (long r = 0; r < nruns; r++) start[r] = runs[r].row;
  start[nruns] = n;
  memcpy(sorted, runs, (size_t)nruns * sizeof *sorted);
  qsort(sorted, (size_t)nruns, sizeof *sorted, by_id_then_row);
  long back = -1;  /* the first row where an id comes back */
  for (long r = 1; r < nruns; r++)
    if (sorted[r].id == sorted[r - 1].id && (back < 0 || sorted[r].row < back)) back = sorted[r].row;
  free(runs), free(sorted);
  if (back >= 0) {
    char id[64];
    if (col->kind == IXP_COL_STRING) snprintf(id, sizeof id, "%.60s", col->labels[col->code[back]]);
    else snprintf(id, sizeof id, "%.17g", col->value[back]);
    free(start);
    return fail(err, path, back + first_row, j + 1, "row %ld: trial %s comes back after another trial; each trial's "
                "rows must be consecutive", back + first_row, id);
  }
  if (nruns > 1000000000L) {
    free(start);
    return fail(err, path, 0, j + 1, "too many trials");
  }
  free(d->trial_start);
  d->trial_start = start;
  d->ntrials = (int)nruns;
  column_free(&d->cols[j]);
  memmove(&d->cols[j], &d->cols[j + 1], (size_t)(d->ncols - j - 1) * sizeof *d->cols);
  d->ncols--;
  return true;
}

/* ------------------------------------------------------------------ NPY */

/* What the header dict says. */
typedef struct {
  char descr[32];
  bool fortran;
  int ndim;
  long long shape[MAX_DIMS];
} NpyHeader;

/* A cursor over the header's Python literal, with the reason of a failure. */
typedef struct {
  const char *s, *p, *end;
  char why[128];
} Lit;

/* Record why the header is malformed, at the cursor; returns false. */
static bool lit_fail(Lit *l, const char *what) {
  snprintf(l->why, sizeof l->why, "%s at byte %td of the header", what, l->p - l->s);
  return false;
}

/* Skip whitespace. */
static void lit_ws(Lit *l) {
  while (l->p < l->end && (*l->p == ' ' || *l->p == '\t' || *l->p == '\n' || *l->p == '\r')) l->p++;
}

/* Consume ch after whitespace, if it is there. */
static bool lit_eat(Lit *l, char ch) {
  lit_ws(l);
  if (l->p < l->end && *l->p == ch) return l->p++, true;
  return false;
}

/* A quoted string ('...' or "...", backslash escapes a character) into out. */
static bool lit_str(Lit *l, char *out, size_t cap) {
  lit_ws(l);
  if (l->p >= l->end || (*l->p != '\'' && *l->p != '"')) return lit_fail(l, "expected a string");
  char q = *l->p++;
  size_t n = 0;
  while (l->p < l->end && *l->p != q) {
    if (*l->p == '\\' && l->p + 1 < l->end) l->p++;
    if (n + 1 >= cap) return lit_fail(l, "string too long");
    out[n++] = *l->p++;
  }
  if (l->p >= l->end) return lit_fail(l, "unterminated string");
  l->p++;
  out[n] = '\0';
  return true;
}

/* A non-negative integer literal (an L suffix allowed, as Python 2 wrote). */
static bool lit_int(Lit *l, long long *v) {
  lit_ws(l);
  if (l->p >= l->end || !is_digit(*l->p)) return lit_fail(l, "expected a non-negative integer");
  long long x = 0;
  for (; l->p < l->end && is_digit(*l->p); l->p++) {
    if (x > (LLONG_MAX - 9) / 10) return lit_fail(l, "integer too large");
    x = x * 10 + (*l->p - '0');
  }
  if (l->p < l->end && (*l->p == 'L' || *l->p == 'l')) l->p++;
  *v = x;
  return true;
}

/* True or False. */
static bool lit_bool(Lit *l, bool *b) {
  lit_ws(l);
  size_t left = (size_t)(l->end - l->p);
  if (left >= 4 && !memcmp(l->p, "True", 4)) return *b = true, l->p += 4, true;
  if (left >= 5 && !memcmp(l->p, "False", 5)) return *b = false, l->p += 5, true;
  return lit_fail(l, "expected True or False");
}

/* A tuple of integers: (), (n,), (n, m), ... (a trailing comma allowed). */
static bool lit_shape(Lit *l, NpyHeader *h) {
  if (!lit_eat(l, '(')) return lit_fail(l, "expected a tuple");
  h->ndim = 0;
  if (lit_eat(l, ')')) return true;
  for (;;) {
    if (h->ndim == MAX_DIMS) return lit_fail(l, "too many dimensions");
    if (!lit_int(l, &h->shape[h->ndim++])) return false;
    bool comma = lit_eat(l, ',');
    if (lit_eat(l, ')')) return true;
    if (!comma) return lit_fail(l, "expected ',' or ')'");
  }
}

/* The value of one key of the dict (k indexes NPY_KEYS). */
static bool lit_entry(Lit *l, int k, NpyHeader *h) {
  if (k == 0) {
    lit_ws(l);
    if (l->p < l->end && *l->p == '[') return lit_fail(l, "structured dtypes (a list descr) are not supported");
    return lit_str(l, h->descr, sizeof h->descr);
  }
  return k == 1 ? lit_bool(l, &h->fortran) : lit_shape(l, h);
}

static const char *const NPY_KEYS[3] = {"descr", "fortran_order", "shape"};

/* One "'key': value" of the dict, each key once. */
static bool lit_item(Lit *l, bool *seen, NpyHeader *h) {
  char key[32];
  lit_ws(l);
  const char *at = l->p;
  if (!lit_str(l, key, sizeof key)) return false;
  int k = 0;
  while (k < 3 && strcmp(key, NPY_KEYS[k])) k++;
  if (k == 3 || seen[k]) {
    l->p = at;
    return lit_fail(l, k == 3 ? "unexpected key" : "repeated key");
  }
  seen[k] = true;
  if (!lit_eat(l, ':')) return lit_fail(l, "expected ':'");
  return lit_entry(l, k, h);
}

/* Parse the header dict {'descr': ..., 'fortran_order': ..., 'shape': ...}
 * (keys in any order, each once, a trailing comma allowed). */
static bool npy_parse_header(const char *s, size_t n, NpyHeader *h, char *why, size_t cap) {
  Lit l = {.s = s, .p = s, .end = s + n};
  bool seen[3] = {false, false, false};
  bool ok = lit_eat(&l, '{') || lit_fail(&l, "expected '{'");
  while (ok && !lit_eat(&l, '}')) {
    ok = lit_item(&l, seen, h);
    if (ok && !lit_eat(&l, ',')) {
      ok = lit_eat(&l, '}') || lit_fail(&l, "expected ',' or '}'");
      break;
    }
  }
  lit_ws(&l);
  if (ok && l.p != l.end) ok = lit_fail(&l, "unexpected text after the dict");
  for (int k = 0; ok && k < 3; k++)
    if (!seen[k]) ok = snprintf(l.why, sizeof l.why, "no '%s' key", NPY_KEYS[k]) < 0;
  if (!ok) snprintf(why, cap, "%s", l.why);
  return ok;
}

/* An element type. */
typedef struct {
  char kind; /* 'f', 'i', 'u' or 'b' */
  int size;  /* bytes */
  bool big;  /* big-endian */
} NpyType;

/* True when this machine is big-endian. */
static bool host_big(void) {
  const uint16_t one = 1;
  unsigned char b;
  memcpy(&b, &one, 1);
  return b == 0;
}

/* Decode a descr such as '<f8', '>i4', '|u1', '|b1'. */
static bool npy_dtype(const char *d, NpyType *t) {
  const char *p = d;
  t->big = host_big();
  if (*p == '<' || *p == '>' || *p == '|' || *p == '=') {
    if (*p == '<') t->big = false;
    if (*p == '>') t->big = true;
    p++;
  }
  t->kind = *p ? *p++ : '\0';
  t->size = 0;
  if (!is_digit(*p) || p[1]) return false;
  t->size = *p - '0';
  if (d[0] == '|' && t->size != 1) return false;
  switch (t->kind) {
  case 'f': return t->size == 4 || t->size == 8;
  case 'i':
  case 'u': return t->size == 1 || t->size == 2 || t->size == 4 || t->size == 8;
  case 'b': return t->size == 1;
  default: return false;
  }
}

/* The size-byte unsigned integer at p in the type's byte order. */
static uint64_t npy_bits(const unsigned char *p, const NpyType *t) {
  uint64_t v = 0;
  for (int i = 0; i < t->size; i++) v = v << 8 | p[t->big ? i : t->size - 1 - i];
  return v;
}

/* The value of the element at p; false when it has no exact double (an
 * integer beyond 2^53, a bool byte other than 0 and 1), *why then says
 * what the element holds. */
static bool npy_value(const unsigned char *p, const NpyType *t, double *v, char *why, size_t cap) {
  uint64_t b = npy_bits(p, t);
  int bits = 8 * t->size;
  if (t->kind == 'f' && t->size == 8) {
    memcpy(v, &b, sizeof *v);
  } else if (t->kind == 'f') {
    uint32_t w = (uint32_t)b;
    float x;
    memcpy(&x, &w, sizeof x);
    *v = x;
  } else if (t->kind == 'i') {
    if (bits < 64 && (b >> (bits - 1) & 1)) b |= ~0ULL << bits;
    int64_t x;
    memcpy(&x, &b, sizeof x);
    *v = (double)x;
    if (x > (int64_t)EXACT_BITS || x < -(int64_t)EXACT_BITS) {
      snprintf(why, cap, "integer %lld is beyond 2^53, where doubles no longer hold every integer", (long long)x);
      return false;
    }
  } else if (t->kind == 'u') {
    *v = (double)b;
    if (b > EXACT_BITS) {
      snprintf(why, cap, "integer %llu is beyond 2^53, where doubles no longer hold every integer",
               (unsigned long long)b);
      return false;
    }
  } else {
    *v = (double)b;
    if (b > 1) {
      snprintf(why, cap, "bool byte %u is neither 0 nor 1", (unsigned)b);
      return false;
    }
  }
  return true;
}

/* "(2, 3, 4)" into buf. */
static const char *shape_text(const NpyHeader *h, char *buf, size_t cap) {
  size_t len = (size_t)snprintf(buf, cap, "(");
  for (int k = 0; k < h->ndim && len < cap; k++)
    len += (size_t)snprintf(buf + len, cap - len, "%s%lld", k ? ", " : "", h->shape[k]);
  if (len < cap) snprintf(buf + len, cap - len, h->ndim == 1 ? ",)" : ")");
  return buf;
}

/* The default column name: the file's base name without ".npy". */
static char *npy_base(const char *path) {
  const char *b = strrchr(path, '/');
  b = b ? b + 1 : path;
  size_t n = strlen(b);
  if (n > 4 && !strcmp(b + n - 4, ".npy")) n -= 4;
  return strndup(b, n);
}

/* Read the magic, version and header of an open .npy file of `size` bytes;
 * *offset is where the data begins. */
static bool npy_header(FILE *f, const char *path, long long size, NpyHeader *h, long long *offset, IxpDataError *err) {
  unsigned char pre[12];
  if (size == 0) return fail(err, path, 0, 0, "empty file");
  if (size < 10 || fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6))
    return fail(err, path, 0, 0, "not a .npy file (bad magic)");
  if (pre[6] < 1 || pre[6] > 3 || pre[7] != 0)
    return fail(err, path, 0, 0, "unsupported .npy format version %d.%d", pre[6], pre[7]);
  long long hlen = pre[8] | pre[9] << 8;
  *offset = 10;
  if (pre[6] > 1) {
    if (size < 12 || fread(pre + 10, 1, 2, f) != 2) return fail(err, path, 0, 0, "truncated header");
    hlen = (long long)pre[8] | (long long)pre[9] << 8 | (long long)pre[10] << 16 | (long long)pre[11] << 24;
    *offset = 12;
  }
  if (*offset + hlen > size)
    return fail(err, path, 0, 0, "truncated header: it needs %lld bytes, the file has %lld", *offset + hlen, size);
  char *text = malloc((size_t)hlen + 1);
  if (!text) return fail(err, path, 0, 0, "out of memory");
  bool ok = fread(text, 1, (size_t)hlen, f) == (size_t)hlen;
  char why[160] = "read error";
  ok = ok && npy_parse_header(text, (size_t)hlen, h, why, sizeof why);
  free(text);
  *offset += hlen;
  return ok || fail(err, path, 0, 0, "malformed .npy header: %s", why);
}

/* Check dimensions and the file's length; *n rows, *m columns. */
static bool npy_check(const char *path, long long size, long long offset, const NpyHeader *h, const NpyType *t,
                      long *n, int *m, IxpDataError *err) {
  char shape[160];
  shape_text(h, shape, sizeof shape);
  if (h->ndim < 1 || h->ndim > 3)
    return fail(err, path, 0, 0, "%d-D array (shape %s); only 1-D, 2-D and 3-D (trials x time x variables) arrays are "
                "supported", h->ndim, shape);
  if (h->ndim == 3 && h->fortran)  /* its rows (trial, time) would not come in file order */
    return fail(err, path, 0, 0, "a 3-D array in Fortran order (shape %s) is not supported; save it in C order "
                "(numpy.ascontiguousarray)", shape);
  long long rows = h->shape[0], cols = h->ndim >= 2 ? h->shape[h->ndim - 1] : 1;
  if (h->ndim == 3 && (__builtin_mul_overflow(h->shape[0], h->shape[1], &rows) || h->shape[0] > INT32_MAX))
    return fail(err, path, 0, 0, "shape %s is too large", shape);
  if (cols > INT32_MAX) return fail(err, path, 0, 0, "too many columns (shape %s)", shape);
  if (rows == 0) return fail(err, path, 0, 0, "no data rows (shape %s)", shape);
  if (cols == 0) return fail(err, path, 0, 0, "no columns (shape %s)", shape);
  long long bytes;
  if (__builtin_mul_overflow(rows, cols, &bytes) || __builtin_mul_overflow(bytes, (long long)t->size, &bytes) ||
      bytes > LLONG_MAX - offset)
    return fail(err, path, 0, 0, "shape %s is too large", shape);
  if (offset + bytes != size)
    return fail(err, path, 0, 0,
                "%sfile is %lld bytes, expected %lld (%lld-byte header + %lld data bytes for shape %s of '%s')",
                size < offset + bytes ? "truncated: " : "", size, offset + bytes, offset, bytes, shape, h->descr);
  *n = (long)rows;
  *m = (int)cols;
  return true;
}

/* What a .npy file's header says, checked against the file's length. */
typedef struct {
  NpyHeader h;
  NpyType t;
  long long offset; /* where the data begins */
  long n;           /* rows */
  int m;            /* columns */
} NpyLayout;

/* Read and check the header of the open file f, leaving f at the data. */
static bool npy_layout(FILE *f, const char *path, NpyLayout *l, IxpDataError *err) {
  struct stat st;
  *l = (NpyLayout){0};
  if (fstat(fileno(f), &st) != 0) return fail_errno(err, path);
  if (S_ISDIR(st.st_mode)) return fail(err, path, 0, 0, "%s", strerror(EISDIR));
  long long size = (long long)st.st_size;
  if (!npy_header(f, path, size, &l->h, &l->offset, err)) return false;
  if (!npy_dtype(l->h.descr, &l->t)) return fail(err, path, 0, 0, "unsupported dtype '%s'", l->h.descr);
  return npy_check(path, size, l->offset, &l->h, &l->t, &l->n, &l->m, err);
}

/* The kind of every column: floats are REAL, integers and bools INT. */
static IxpColumnKind npy_kind(const NpyLayout *l) { return l->t.kind == 'f' ? IXP_COL_REAL : IXP_COL_INT; }

/* Name and type the columns of d: `name` for a 1-D array, name[0],
 * name[1], ... for a 2-D one (names that cannot meet another dataset's
 * columns, as name0 .. name28 of a dataset ep0 could meet ep00 ..). */
static bool npy_columns(IxpDataset *d, const char *name, const NpyLayout *l, IxpDataError *err) {
  for (int j = 0; j < d->ncols; j++) {
    IxpColumn *c = &d->cols[j];
    char buf[32];
    snprintf(buf, sizeof buf, "[%d]", j);
    size_t len = strlen(name) + strlen(buf) + 1;
    if (!(c->name = malloc(len))) return fail(err, d->path, 0, 0, "out of memory");
    snprintf(c->name, len, "%s%s", name, l->h.ndim == 1 ? "" : buf);
    c->kind = npy_kind(l);
  }
  return true;
}

/* A 3-D array's rows: trials of its second dimension's length each. */
static bool npy_trials(IxpDataset *d, const NpyLayout *l) {
  if (l->h.ndim != 3) return true;
  int trials = (int)l->h.shape[0];
  if (!(d->trial_start = malloc(((size_t)trials + 1) * sizeof *d->trial_start))) return false;
  for (int k = 0; k <= trials; k++) d->trial_start[k] = (long)k * (long)l->h.shape[1];
  d->ntrials = trials;
  return true;
}

/* The columns of the open file f, without their values. */
static IxpDataset *npy_read_header(FILE *f, const char *path, const char *name, IxpDataError *err) {
  NpyLayout l;
  if (!npy_layout(f, path, &l, err)) return NULL;
  IxpDataset *d = dataset_new(path, l.n, l.m);
  if (d && !npy_trials(d, &l)) {
    ixp_dataset_free(d);
    d = NULL;
  }
  char *base = name ? NULL : npy_base(path);
  bool ok = d && (name || base) ? npy_columns(d, name ? name : base, &l, err) : fail(err, path, 0, 0, "out of memory");
  free(base);
  if (ok) return d;
  ixp_dataset_free(d);
  return NULL;
}

/* Read a .npy file's header; see dataset.h. */
bool ixp_npy_load_header(const char *path, const char *name, IxpDataset **out, IxpDataError *err) {
  *out = NULL;
  if (err) memset(err, 0, sizeof *err);
  FILE *f = fopen(path, "rb");
  if (!f) return fail_errno(err, path);
  *out = npy_read_header(f, path, name, err);
  fclose(f);
  return *out != NULL;
}

#define NPY_CHUNK 65536 /* elements read at a time */

/* Where the values go while the data is read in file order, and each
 * column's first element without an exact double. */
typedef struct {
  IxpDataset *d;
  const NpyLayout *l;
  long i;          /* row of the next element */
  int j;           /* column of the next element */
  long *bad_row;   /* per column: the first bad row (0-based), or -1 */
  char (*why)[128];/* per column: what that element holds */
} NpyCursor;

/* Move to the next element: along a row in C order, down a column in
 * Fortran order. */
static void npy_advance(NpyCursor *c) {
  if (c->l->h.fortran ? ++c->i == c->d->nrows : ++c->j == c->d->ncols) {
    if (c->l->h.fortran) c->i = 0, c->j++;
    else c->j = 0, c->i++;
  }
}

/* Copy the whole rows of native doubles (C order) at the start of buf,
 * the cursor at a row's start, into the columns; how many elements it
 * took. Every double is exact, so nothing can be bad. */
static size_t npy_copy_rows(NpyCursor *c, const unsigned char *buf, size_t count) {
  size_t m = (size_t)c->d->ncols, rows = count / m;
  for (size_t r = 0; r < rows; r++, c->i++)
    for (size_t j = 0; j < m; j++) memcpy(&c->d->cols[j].value[c->i], buf + (r * m + j) * sizeof(double), sizeof(double));
  return rows * m;
}

/* Decode `count` elements of buf at the cursor into the columns. */
static void npy_decode(NpyCursor *c, const unsigned char *buf, size_t count) {
  const NpyType *t = &c->l->t;
  bool native = t->kind == 'f' && t->size == 8 && t->big == host_big() && !c->l->h.fortran;
  for (size_t e = 0, took; e < count;) {
    if (native && c->j == 0 && (took = npy_copy_rows(c, buf + e * sizeof(double), count - e))) {
      e += took;  /* the common case, without a per-element cursor */
      continue;
    }
    char why[128];
    if (!npy_value(buf + e * (size_t)t->size, t, &c->d->cols[c->j].value[c->i], why, sizeof why) &&
        c->bad_row[c->j] < 0) {
      c->bad_row[c->j] = c->i;
      memcpy(c->why[c->j], why, sizeof why);
    }
    e++, npy_advance(c);
  }
}

/* Stream the data of f (at its start) into the columns of c->d, a chunk
 * at a time, so only the columns are ever held whole. */
static bool npy_stream(FILE *f, NpyCursor *c, IxpDataError *err) {
  size_t size = (size_t)c->l->t.size, left = (size_t)c->d->nrows * (size_t)c->d->ncols;
  unsigned char *buf = malloc(NPY_CHUNK * size);
  if (!buf) return fail(err, c->d->path, 0, 0, "out of memory");
  bool ok = true;
  while (ok && left) {
    size_t k = left < NPY_CHUNK ? left : NPY_CHUNK;
    ok = fread(buf, size, k, f) == k || fail_errno(err, c->d->path);
    if (ok) npy_decode(c, buf, k);
    left -= k;
  }
  free(buf);
  return ok;
}

/* The error of the first bad element, columns in order and rows within
 * a column; true when there is none. */
static bool npy_first_bad(const NpyCursor *c, IxpDataError *err) {
  for (int j = 0; j < c->d->ncols; j++)
    if (c->bad_row[j] >= 0)
      return fail(err, c->d->path, c->bad_row[j] + 1, j + 1, "row %ld, column '%s': %s", c->bad_row[j] + 1,
                  c->d->cols[j].name, c->why[j]);
  return true;
}

/* Read the values of d from the open file f. */
static bool npy_read_values(FILE *f, IxpDataset *d, IxpDataError *err) {
  NpyLayout l;
  if (!npy_layout(f, d->path, &l, err)) return false;
  bool same = l.n == d->nrows && l.m == d->ncols;
  for (int j = 0; same && j < d->ncols; j++) same = d->cols[j].kind == npy_kind(&l);
  if (!same) return fail(err, d->path, 0, 0, "the file changed since its header was read");
  NpyCursor c = {.d = d, .l = &l};
  c.bad_row = malloc((size_t)l.m * sizeof *c.bad_row);
  c.why = malloc((size_t)l.m * sizeof *c.why);
  bool ok = c.bad_row && c.why;
  for (int j = 0; ok && j < l.m; j++) {
    c.bad_row[j] = -1;
    ok = (d->cols[j].value = malloc((size_t)l.n * sizeof *d->cols[j].value)) != NULL;
  }
  ok = ok ? npy_stream(f, &c, err) && npy_first_bad(&c, err) : fail(err, d->path, 0, 0, "out of memory");
  free(c.bad_row);
  free(c.why);
  return ok;
}

/* Read the values of a dataset from ixp_npy_load_header; see dataset.h. */
bool ixp_npy_load_values(IxpDataset *d, IxpDataError *err) {
  if (err) memset(err, 0, sizeof *err);
  if (d->ncols > 0 && d->cols[0].value) return true;  /* read already */
  FILE *f = fopen(d->path, "rb");
  bool ok = f ? npy_read_values(f, d, err) : fail_errno(err, d->path);
  if (f) fclose(f);
  for (int j = 0; !ok && j < d->ncols; j++) {
    free(d->cols[j].value);
    d->cols[j].value = NULL;
  }
  return ok;
}

/* Load a .npy file; see dataset.h and the top of this file. */
bool ixp_npy_load(const char *path, const char *name, IxpDataset **out, IxpDataError *err) {
  if (!ixp_npy_load_header(path, name, out, err)) return false;
  if (ixp_npy_load_values(*out, err)) return true;
  ixp_dataset_free(*out);
  *out = NULL;
  return false;
}
