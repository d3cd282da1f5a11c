/* builtins.h — scalar and vector functions usable in any expression. */
#ifndef IXP_BUILTINS_H
#define IXP_BUILTINS_H

#include <stdbool.h>
#include <stddef.h>

#include "ast.h"
#include "value.h"

/* What the checker knows of a builtin's result's shape from its arguments'. */
typedef enum {
  IXP_SHAPE_FIXED,      /* `ret`, of no known size */
  IXP_SHAPE_SAME,       /* the first argument's type and shape (elementwise functions, softmax) */
  IXP_SHAPE_ROWS,       /* a number of vectors, a vector of a matrix's rows (entropy_of, kl_of, ...) */
  IXP_SHAPE_TRANSPOSE,  /* the first argument transposed */
  IXP_SHAPE_CONCAT,     /* the arguments joined (concat) */
  IXP_SHAPE_SQUARE,     /* n x n for argument n (eye) */
  IXP_SHAPE_FILL,       /* an n-vector for (n), an n x m matrix for (n, m) (zeros, ones) */
  IXP_SHAPE_FILE,       /* a file's contents; its first argument is a file name, relative to the program's folder */
  IXP_SHAPE_POINTS,     /* a vector of as many numbers as the third argument says (linspace, logspace) */
} IxpShapeRule;

typedef struct IxpBuiltin {
  const char *name;
  const char *signature;   /* for messages, e.g. "h2(p)" */
  int min_args, max_args;
  IxpType arg;             /* type of every argument (TY_ANY: checked by fn) */
  IxpType ret;
  /* Compute *out from args. Temporaries go in `arena`. Returns NULL or an
   * error message written to err. */
  const char *(*fn)(const IxpValue *args, int n, IxpValue *out, IxpArena *arena, char *err,
                    size_t errsize);
  bool information;        /* the result is an amount of information in nats, shown in the session's units */
  IxpShapeRule shape;
  double (*entrywise)(double);  /* of one argument, applied to each entry of an array (else NULL) */
} IxpBuiltin;

/* Binary entropy in bits, h2(0) = h2(1) = 0. */
double ixp_h2(double p);

/* The numbers of a file as a value: a .npy file (npy) as a vector (1-D) or
 * a matrix (2-D), or an all-numeric CSV file as a matrix (header: its first
 * line names the columns). A NaN or infinite value, a non-numeric column
 * or a ragged row is an error naming the file, the row and the column. */
bool ixp_matrix_file(const char *path, bool npy, bool header, IxpValue *out, IxpArena *arena, char *err, size_t size);
/* Its type and shape, as the checker reads them: a .npy file's header, or
 * the whole CSV file (checked as above). */
bool ixp_matrix_file_shape(const char *path, bool npy, bool header, IxpType *t, int *rows, int *cols, char *err,
                           size_t size);

#endif
