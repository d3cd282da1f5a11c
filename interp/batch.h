/* batch.h — a model expression evaluated over many rows at once.
 *
 * A sample's definitions (y = 2 * x + e, h = tanh(W * x + b)) and a map's
 * steps are computed for all rows together instead of one row at a time
 * through the interpreter. Every value is a block: in each row a number or
 * a vector of w numbers, held column by column (column j of a block holds
 * every row's j-th entry, contiguous), or a constant: a sub-expression
 * that reads no model variable, evaluated once by the interpreter.
 *
 * Why columns: a sample and a dataset keep one array per variable, so
 * variables are read where they are and results written where they go;
 * every elementwise pass (+ b, tanh, exp) runs down contiguous columns;
 * and the product W * x of a constant matrix W (out x in) with a vector
 * x is one GEMM with no transpose: H^T (out x R) = W (out x in) . X^T
 * (in x R), where X^T, row-major, is exactly x's columns.
 *
 * Rows go in chunks of IXP_BATCH_ROWS: temporaries stay in cache between
 * passes, and every GEMM has the same shape (the last chunk's input is
 * padded with zero rows), so BLIS takes the same path and summation order
 * for each row whatever the number of rows or of threads. Chunks run in
 * parallel (threads.h decides how many) unless the expression needs the
 * interpreter.
 *
 * What the batch evaluator does not handle (a call it does not know, an
 * operation on values it does not expect, a condition over something that
 * can fail) is evaluated row by row by the interpreter (ixp_eval in a
 * frame), so a result never depends on the path: operations in the same
 * order give the same bits, and a GEMM differs from the interpreter's
 * matrix-vector product only by the order of its sums (see
 * ixp_batch_gemm_tolerance). An error (division by zero, log of a
 * negative number) is raised by the interpreter at the first row where a
 * row-by-row evaluation would raise it, with the same message. */
#ifndef IXP_BATCH_H
#define IXP_BATCH_H

#include <stddef.h>

#include "interp.h"

/* Rows per chunk (a multiple of BLIS's micro-tiles, and at least the side
 * below which BLIS takes its small-matrix path). */
#define IXP_BATCH_ROWS 512

/* How an evaluation went (for tests and benches). */
typedef struct {
  int gemms;            /* products by a constant matrix, per chunk */
  int fallbacks;        /* nodes evaluated row by row, per chunk */
  int threads;          /* the threads that ran the chunks */
} IxpBatchStats;

typedef struct {
  IxpSession *s;
  IxpModelDef *m;
  const IxpValue *params;
  double *const *values;   /* the rows' values of each model variable (one array per variable) */
  size_t n;                /* rows 0 .. n - 1 */
  /* For the row-by-row fallback and errors: load row k into vals (the
   * model's variables' values), describe the loaded row ("x = 0, n = 1"). */
  double *vals;
  void (*load)(void *ctx, size_t row);
  const char *(*describe)(void *ctx, char *buf, size_t size);
  void *ctx;
  const char *what;        /* names the result in errors ("h[256] = ..."); NULL: "this" */
  IxpBatchStats stats;     /* set by ixp_batch_eval */
} IxpBatch;

/* The values of e in every row, `width` numbers a row (1: e is a number;
 * else a vector of that width), into out[0 .. width) (n doubles each).
 * Runtime errors unwind as the interpreter's do; nothing is left
 * allocated. ixp_eval_rows (interp.h) is this evaluation for IxpRows. */
void ixp_batch_eval(IxpBatch *b, IxpAst *e, double *const *out, int width);

/* The largest difference allowed between a GEMM's entry and the
 * interpreter's dot product of the same k terms whose absolute values sum
 * to `abs_sum`: each is within k u abs_sum / (1 - k u) of the exact sum
 * (Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed.,
 * eq. 3.5), so they differ by at most twice that. */
double ixp_batch_gemm_tolerance(int k, double abs_sum);

#endif
