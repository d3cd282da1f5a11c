/* columns.h — evaluating a model's definition over every state at once.
 *
 * A definition y = f(x, z) is computed column by column: each operator
 * runs over whole arrays of states, and a sub-expression that reads no
 * model variable is evaluated once, exactly, and broadcast. Operations
 * that can fail (division, modulo, indexing, calls) under a condition
 * (if/and/or) fall back to evaluating state by state, so a branch not
 * taken never raises an error. */
#ifndef IXP_COLUMNS_H
#define IXP_COLUMNS_H

#include <stddef.h>

#include "interp.h"

typedef struct {
  IxpSession *s;
  IxpModelDef *m;
  const IxpJoint *j;              /* states so far (codes of assigned variables) */
  double *const *values;          /* or, when not NULL, a column of values per variable (a sample) */
  size_t first, n;                /* the states evaluated: first .. first + n - 1 */
  const IxpValue *params;
  double *vals;                   /* scratch: one state's values, for fallbacks */
  /* Load state k (of all states) into vals; describe it ("x = 0, n = 1"). */
  void (*load)(void *ctx, size_t k);
  const char *(*describe)(void *ctx, char *buf, size_t size);
  void *ctx;
  double **live;                  /* arrays in use, freed by ixp_columns_free on error */
  int nlive, caplive;
} IxpColumns;

/* Values of `e` in the n states from `first` (n doubles, malloc'd, owned by c until
 * released with ixp_columns_release). */
double *ixp_columns_eval(IxpColumns *c, IxpAst *e);
void ixp_columns_release(IxpColumns *c, double *v);
/* Does `e` read a variable of its model? */
bool ixp_reads_model_var(const IxpAst *e);
/* Does `e` call an extern function? */
bool ixp_calls_extern(const IxpAst *e);

/* Free every array still held (after a runtime error). */
void ixp_columns_free(IxpColumns *c);

#endif
