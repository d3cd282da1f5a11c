/* externs.h — user C functions declared in `extern` blocks.
 *
 *   extern "ext/net.so" {
 *     fn layer(n: i64, x: const f64[n, 4], h: f64[n, 8], seed: u64)
 *     fn cost(x: f64, xhat: f64) -> f64
 *   }
 *
 * const arrays are inputs; other arrays are outputs, which ixp allocates
 * and returns (one output: a vector or matrix; several, or an output and
 * a return value: a record). A call may leave out the integer parameters
 * that size arrays (inferred from the inputs' lengths), and, where a
 * draw or a map calls it, the u64 parameters: each such call receives
 * fresh random seeds from the statement's stream.
 *
 * Uses: a function in any expression (and in model definitions when it
 * returns a number), a draw `x ~ f(...)` in a model (sampled only), a
 * transform of a dataset's columns `data h = map(d, f(x0 .. x3))`, and
 * so a distortion `rd(x, distortion = f(x, xhat))`. */
#ifndef IXP_EXTERNS_H
#define IXP_EXTERNS_H

#include <stdbool.h>
#include <stddef.h>

#include "foreign.h"
#include "interp.h"

typedef struct IxpExternDef {
  IxpFfiFn fn;
  IxpAst *decl;                      /* AST_FN */
  const IxpSource *src;
  bool size[IXP_FFI_MAX_PARAMS];     /* an integer parameter named in a shape */
  bool output[IXP_FFI_MAX_PARAMS];   /* a written array: allocated by ixp, returned */
  int noutputs;
} IxpExternDef;

/* How a call's arguments fill the parameters. */
typedef struct IxpExternCall {
  const IxpExternDef *def;
  IxpAst *site;                      /* the AST_CALL */
  int arg_of[IXP_FFI_MAX_PARAMS];    /* the call argument of each parameter; -1: left out */
  bool seeded;                       /* u64 parameters left out receive seeds */
} IxpExternCall;

/* The declaration `fn` (an AST_FN) as C types and shapes. false with the
 * first problem's span and message. */
bool ixp_extern_declare(IxpAst *fn, IxpExternDef *def, IxpSpan *where, char *msg, size_t size);

/* Match a call of `nargs` arguments to def's parameters; `seeds`: the
 * call may leave u64 parameters out (draws and maps). false with a
 * message giving the forms the function takes. */
bool ixp_extern_match(IxpExternCall *call, const IxpExternDef *def, IxpAst *site, int nargs, bool seeds,
                      char *msg, size_t size);

/* What a call gives as a value: TY_NUM, TY_VEC, TY_MAT or TY_RECORD;
 * TY_NONE if it gives nothing (a void function without outputs). */
IxpType ixp_extern_type(const IxpExternDef *def);

/* Whether the numbers a call gives are real (f64, f32), not integers. */
bool ixp_extern_real(const IxpExternDef *def);

/* Resolve every omitted size parameter from the element counts of the
 * given arrays (counts[p] for array parameters, -1 if unknown) and the
 * given sizes (sizes[p], -1 if unknown). Fills sizes[] for every size
 * parameter it can. false with a message if an array's count does not
 * fit its shape. */
bool ixp_extern_infer(const IxpExternDef *def, const long *counts, long *sizes, char *msg, size_t size);

/* Evaluate a call in an expression (e->sem.ref == REF_EXTERN). */
IxpValue ixp_extern_eval(IxpSession *s, IxpAst *e, const IxpFrame *f);

/* Call with the call's arguments already evaluated (argv[i] for the i-th
 * argument). Left-out u64 parameters get seeds number `counter`, ... of
 * stream `key`. The result as ixp_extern_type says, in the statement's
 * arena. Errors unwind with the call's span in `src`. */
IxpValue ixp_extern_apply(IxpSession *s, const IxpExternCall *call, const IxpSource *src, const IxpValue *argv,
                          uint64_t key, uint64_t counter);

/* ----------------------------------------------------------------- maps
 * data h = map(d, f(x0 .. x3, 0.5), z = g(h0 .. h7), k([a, b])): each step
 * calls an extern function on columns of the rows so far (a column, a
 * range of numbered columns or a vector of columns) and appends its outputs
 * as new columns. A call that leaves out a size parameter leading every
 * array's shape runs once over all rows (that size = the row count,
 * arrays row-major n x width); otherwise it runs once per row. */
typedef struct {
  int width;          /* columns col[0 .. width), or */
  int *col;
  IxpAst *expr;       /* a constant (width 0), evaluated once */
} IxpMapArg;

typedef struct IxpMapStep {
  IxpExternCall call;
  int nargs;
  IxpMapArg args[IXP_FFI_MAX_PARAMS];
  int batch;                           /* the size parameter set to the row count, or -1: per row */
  int out_col[IXP_FFI_MAX_PARAMS];     /* first column of each output parameter */
  long out_width[IXP_FFI_MAX_PARAMS];  /* columns of each output parameter */
  int ret_col;                         /* the return value's column, or -1 */
  /* A definition step, NAME = expr (no extern call; `define` is its
   * AST_ARG): expr evaluated in each row over the columns so far (of
   * `model`), into `width` columns from def_col (NAME, or NAME[0] ..
   * NAME[width - 1], a group). */
  IxpAst *define;
  struct IxpModelDef *model;
  int def_col, width;
} IxpMapStep;

/* The size parameter the call leaves out that leads every array's shape
 * (set to the row count: one call over all rows), or -1. */
int ixp_extern_batch_param(const IxpExternCall *call);

/* Decide how a step runs and the width of each output (out_width);
 * false with a message if a width cannot be known when checking. */
bool ixp_extern_map_plan(IxpMapStep *step, char *msg, size_t size);

/* Run the steps over n rows: cols[c] holds column c (all columns the
 * steps read or write, allocated); names[c] for error messages. Seeds of
 * step k, row r come from stream (key, k) at counter r. An output that
 * is not a finite number is an error naming its row and column. */
void ixp_extern_map_run(IxpSession *s, const IxpSource *src, const IxpMapStep *steps, int nsteps, double **cols,
                        const char *const *names, size_t n, uint64_t key);

/* ------------------------------------------------------------ estimators
 * entropy(X) in d using f, mi(X; Y) in d using f(3), mi(X; Y | Z) ...:
 * f receives each side's columns as an array of rows (n x width,
 * row-major, the row count in the size parameter leading every shape),
 * then the `using` call's arguments, and returns the estimate in nats. */
typedef struct IxpExternEstimate {
  IxpExternCall call;
  struct IxpModelDef *data;   /* the dataset */
  int nsides;
  int width[3];
  int *vars[3];               /* each side's columns */
  IxpAst **extra;             /* the `using` call's arguments */
  int nextra;
  int batch;                  /* the row-count parameter */
  uint64_t position;          /* names its seeds' stream */
} IxpExternEstimate;

extern const IxpKernel ixp_kernel_extern_estimate;

#endif
