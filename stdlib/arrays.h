/* arrays.h — arithmetic on vectors and matrices: the operators, the
 * elementwise functions, products, softmax and the information of
 * probability vectors (row by row for a matrix).
 *
 * One implementation serves the evaluator (eval.c, one value at a time)
 * and the row-batched model sampler (the kernels on raw arrays at the
 * end). A vector is a TY_VEC value (rows 1, cols its length), a matrix a
 * TY_MAT value, row-major. Results live in the given arena. Every entry
 * point returns NULL, or an error message written into err. */
#ifndef IXP_ARRAYS_H
#define IXP_ARRAYS_H

#include <stdbool.h>
#include <stddef.h>

#include "ast.h"
#include "value.h"

/* "a number", "a 3-vector", "a 2x3 matrix" (an unknown size: "a vector",
 * "a matrix with 3 columns", ...) into buf. */
const char *ixp_array_shape_text(char *buf, size_t size, IxpType t, int rows, int cols);

/* The type and shape of `a OP b` (OP + - * / ^ .*) from its operands'
 * (rows or cols -1 where unknown; TY_ANY: an unknown type), as the
 * checker and the evaluator both decide it: false, with a message naming
 * both shapes, when they do not fit ("cannot add a 3-vector and a
 * 4-vector"). Unknown sizes fit anything; the result's are -1 where they
 * cannot be known. */
bool ixp_array_result_shape(IxpOp op, IxpType ta, int ra, int ca, IxpType tb, int rb, int cb, IxpType *t,
                            int *rows, int *cols, char *err, size_t size);

/* a OP b where a or b is a vector or matrix: + - / elementwise on equal
 * shapes or with a number on either side; * scales by a number, or is the
 * matrix-vector, vector-matrix or matrix-matrix product; .* elementwise;
 * ^ with a number exponent elementwise. A zero divisor is an error. */
const char *ixp_array_binary(IxpOp op, const IxpValue *a, const IxpValue *b, IxpValue *out, IxpArena *arena,
                             char *err, size_t size);
/* -a (OP_NEG) of a vector or matrix. */
const char *ixp_array_unary(IxpOp op, const IxpValue *a, IxpValue *out, IxpArena *arena, char *err, size_t size);

/* fn applied to every element of a vector or matrix (a number stays a
 * number). A result that is NaN from a finite argument is outside fn's
 * domain: an error naming `name` and the element. */
typedef double (*IxpArrayFn)(double x);
const char *ixp_array_apply(IxpArrayFn fn, const char *name, const IxpValue *a, IxpValue *out, IxpArena *arena,
                            char *err, size_t size);

/* The elementwise functions the language names, for ixp_array_apply. */
double ixp_array_relu(double x);
double ixp_array_sigmoid(double x);

/* transpose(A); a vector is a 1-row matrix, its transpose a column. */
const char *ixp_array_transpose(const IxpValue *a, IxpValue *out, IxpArena *arena, char *err, size_t size);
/* dot(u, v) of equally long vectors. */
const char *ixp_array_dot(const IxpValue *a, const IxpValue *b, IxpValue *out, char *err, size_t size);
/* Euclidean norm of a vector, Frobenius norm of a matrix (scaled, so no
 * square overflows). */
double ixp_array_norm(const IxpValue *a);
/* concat(a, b, ...): vectors end to end, or matrices (and vectors as
 * rows) stacked by rows. */
const char *ixp_array_concat(const IxpValue *args, int n, IxpValue *out, IxpArena *arena, char *err, size_t size);
/* softmax of a vector, or of every row of a matrix, max-subtracted. */
const char *ixp_array_softmax(const IxpValue *a, IxpValue *out, IxpArena *arena, char *err, size_t size);

/* Information of probability vectors, in nats. */
typedef enum {
  IXP_INFO_ENTROPY,  /* entropy_of(p) = -sum p log p */
  IXP_INFO_KL,       /* kl_of(p, q) = sum p log(p / q) */
  IXP_INFO_JS,       /* js_of(p, q) = (kl(p, m) + kl(q, m)) / 2, m = (p + q) / 2 */
  IXP_INFO_CROSS,    /* cross_entropy_of(p, q) = -sum p log q */
} IxpInfoKind;
/* Of a vector (a number), or of each row of a matrix (a vector); q may be
 * a matrix of p's shape or one vector for every row. Every row must be a
 * distribution: entries in [0, 1] summing to 1 within 1e-9 (never
 * normalised); the error names the argument and the row. */
const char *ixp_array_information(IxpInfoKind kind, const IxpValue *p, const IxpValue *q, IxpValue *out,
                                  IxpArena *arena, char *err, size_t size);
/* Whether the n numbers at p are a distribution; if not, why, into err. */
bool ixp_array_is_distribution(const double *p, int n, char *err, size_t size);

/* --- kernels on row-major arrays ------------------------------------------ */

/* c (m x n) = a (m x k) b (k x n). Each entry is the sum over k in
 * increasing order below IXP_ARRAY_GEMM_FLOPS operations; a larger
 * product is one BLIS GEMM (dense.h, whose thread rule keeps it the same
 * at every thread count). */
#define IXP_ARRAY_GEMM_FLOPS 32768.0
void ixp_array_matmul(const double *a, const double *b, double *c, int m, int k, int n);
/* y (m) = A (m x n) x (n): y_i = A_i0 x_0 + A_i1 x_1 + ..., left to right,
 * as the same sum written out term by term would round. */
void ixp_array_matvec(const double *a, const double *x, double *y, int m, int n);
/* y (n) = x (m) A (m x n): y_j = x_0 A_0j + x_1 A_1j + ..., left to right. */
void ixp_array_vecmat(const double *x, const double *a, double *y, int m, int n);
/* softmax of each of the `rows` rows of `cols` numbers at v, in place. */
void ixp_array_softmax_rows(double *v, long rows, int cols);

#endif
