/* value.h — runtime values: numbers (exact rationals where possible),
 * strings, vectors, matrices, ranges, models and tables.
 *
 * Temporaries live in a per-statement arena and vanish with it; values kept
 * across statements (let bindings) are deep copies on the heap. */
#ifndef IXP_VALUE_H
#define IXP_VALUE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ast.h"

typedef enum {
  TY_ANY,    /* not known before running (checker only) */
  TY_NUM,
  TY_STR,
  TY_VEC,
  TY_MAT,
  TY_RANGE,
  TY_MODEL,
  TY_TABLE,
  TY_RECORD, /* named fields: a measure's several results */
  TY_NONE,   /* no value */
} IxpType;

const char *ixp_type_name(IxpType t);

/* A number: exact rational n/d (d > 0, in lowest terms) while every step
 * that made it was exact, and always its double x. */
typedef struct {
  bool exact;
  int64_t n, d;
  double x;
} IxpNum;

IxpNum ixp_num_real(double x);
IxpNum ixp_num_int(int64_t n);
IxpNum ixp_num_ratio(int64_t n, int64_t d);
IxpNum ixp_num_add(IxpNum a, IxpNum b);
IxpNum ixp_num_sub(IxpNum a, IxpNum b);
IxpNum ixp_num_mul(IxpNum a, IxpNum b);
/* Division; the caller checks for a zero divisor. */
IxpNum ixp_num_div(IxpNum a, IxpNum b);
IxpNum ixp_num_neg(IxpNum a);
int ixp_num_cmp(IxpNum a, IxpNum b);

/* A table of named numeric columns (curves, a model's joint). Heap
 * object; a temporary one is freed with its statement's arena. */
typedef struct {
  char *title;
  int ncols;
  char **cols;
  int nrows, cap;
  double *cells;   /* row-major nrows x ncols */
  int xcol, ycol;  /* the columns a plot draws by default */
  bool every_y;    /* plot every column but xcol (a sweep's table) */
  char *xlabel, *ylabel;  /* axis labels for plots (NULL: the column names) */
} IxpTable;

IxpTable *ixp_table_new(const char *title, int ncols, const char *const *cols);
void ixp_table_add_row(IxpTable *t, const double *row);
IxpTable *ixp_table_copy(const IxpTable *t);
void ixp_table_free(IxpTable *t);
/* Index of column `name`, or -1. */
int ixp_table_col(const IxpTable *t, const char *name);

struct IxpRecord;

struct IxpModelDef;

typedef struct {
  IxpType type;
  IxpNum num;                  /* TY_NUM */
  const char *str;             /* TY_STR */
  double *v;                   /* TY_VEC (rows == 1), TY_MAT: row-major */
  int rows, cols;
  IxpNum lo, hi, step;         /* TY_RANGE */
  struct IxpModelDef *model;   /* TY_MODEL */
  IxpTable *table;             /* TY_TABLE (owned by whoever made it) */
  struct IxpRecord *record;    /* TY_RECORD */
} IxpValue;

/* Named values (TY_RECORD), e.g. a rate-distortion point's rate,
 * distortion and slope. Temporaries live in an arena. */
typedef struct IxpRecord {
  char *title;
  int n;
  int shown;       /* fields printed (the rest are aliases); 0: all */
  char **names;
  IxpValue *values;
} IxpRecord;

IxpRecord *ixp_record_new(IxpArena *a, const char *title, int n);
/* The field `name`, or NULL. */
const IxpValue *ixp_record_field(const IxpRecord *r, const char *name);

IxpValue ixp_value_num(IxpNum n);
IxpValue ixp_value_real(double x);
/* Length of a vector, or number of points of a range; -1 for a range of
 * 2^63 points or more. */
int64_t ixp_range_count(const IxpValue *r);
IxpNum ixp_range_at(const IxpValue *r, int64_t i);

/* Deep copy to the heap (strings and arrays duplicated), and its release. */
IxpValue ixp_value_dup(const IxpValue *v);
void ixp_value_release(IxpValue *v);

/* Format a number with `digits` significant digits; digits <= 0 gives the
 * shortest text that reads back as the same double. */
void ixp_format_num(char *buf, size_t size, double x, int digits);
void ixp_value_print(FILE *out, const IxpValue *v, int digits);
/* A vector value of n numbers copied into `a`. */
IxpValue ixp_value_vector(IxpArena *a, const double *v, int n);
/* Print a table with aligned columns. */
void ixp_table_print(FILE *out, const IxpTable *t, int digits);
/* Columns a text takes on a terminal (its UTF-8 characters). */
int ixp_text_width(const char *text);
/* Print nrows x ncols cells of text under headers, right-aligned. */
void ixp_text_table_print(FILE *out, int ncols, const char *const *headers, int nrows, const char *const *cells);

/* A result reported to IxpOptions.on_result: what it is ("print",
 * "emit"), its label (the expression's text, or the sweep's), where, its
 * value and the relative tolerance a check allows it (< 0: default). */
typedef struct IxpResultInfo {
  const char *kind, *name, *file;
  int line, col;
  const IxpValue *value;
  double rtol;
  const char *value_json;  /* instead of value: its record JSON, for a result computed on another rank */
} IxpResultInfo;

#endif
