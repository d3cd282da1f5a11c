/* interp.h — the session's internals, shared by the checker (check.c),
 * the evaluator (eval.c), the enumerator (enumerate.c) and plan execution
 * (execute.c). Not part of the public API. */
#ifndef IXP_INTERP_H
#define IXP_INTERP_H

#include <setjmp.h>
#include <stdarg.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "ast.h"
#include "diag.h"
#include "joint.h"
#include "library.h"
#include "model.h"
#include "plan.h"
#include "runtime.h"
#include "session.h"
#include "value.h"

/* What a checked name refers to (IxpAst.ref), with IxpAst.slot. */
/* REF_GROUP: a vector variable of a model (slot: its group), a vector of
 * its components. */
typedef enum { REF_NONE, REF_GLOBAL, REF_VAR, REF_PARAM, REF_MODEL, REF_EXTERN, REF_GROUP } IxpRef;

typedef enum { SYM_LET, SYM_MODEL, SYM_EXTERN } IxpSymKind;

struct IxpDataset;
struct IxpExternDef;
struct IxpFfiLib;

typedef struct {
  IxpSymKind kind;
  const char *name;
  IxpAst *decl;
  const IxpSource *src;
  int slot;             /* SYM_LET: global slot */
  IxpType type;         /* SYM_LET */
  IxpModelDef *model;   /* SYM_MODEL */
  struct IxpExternDef *ext; /* SYM_EXTERN */
  bool prelude;
  int depth;            /* block depth of the definition (sweep bodies are deeper) */
  int next_in_bucket;   /* the next older symbol in its hash bucket, or -1 (symbols.c) */
} IxpSymbol;

/* A session's symbols and their hash table, set aside while a --set value
 * is checked in an empty scope. */
typedef struct {
  IxpSymbol *syms;
  int nsyms, capsyms;
  int *buckets;
  int nbuckets;
} IxpScope;

/* Rows emitted inside one sweep. */
typedef struct IxpSink {
  struct IxpSink *outer;
  IxpAst *sweep;
  int ncols;
  const char **labels;  /* arena */
  IxpValue *cells;      /* heap: ncols * nrows */
  int nrows, cap;
  struct IxpLongFile *files;  /* outermost sweep: the files of sweeps nested in it, written when it ends */
} IxpSink;

struct IxpElimination;
typedef struct IxpSpread IxpSpread;

/* A model's distribution on the variables one measure reads, kept beside
 * its joint for each set of variables measured (eliminate.c). */
typedef struct {
  int *vars;            /* model indices, ascending */
  int nvars;
  bool embed;           /* the joint has all the model's variables (the others constant) */
  IxpJoint *joint;
  struct IxpElimination *elim;  /* how it was computed by variable elimination, or NULL: from the full joint */
} IxpModelMarginal;

struct IxpModelCache {
  IxpJoint *joint;      /* the full enumeration, or NULL until it is needed */
  IxpValue *params;     /* heap copies */
  uint64_t *versions;   /* of model->slots */
  IxpModelMarginal *marginals;
  int nmarginals, capmarginals;
  bool large;           /* the full joint was found to pass the small-joint cap (eliminate.c) */
  struct IxpProcessLaw *law; /* a process's stationary law under these parameters (process.h) */
};

struct IxpSession {
  IxpOptions opt;
  IxpDiag diag;
  FILE *out;

  IxpLibrary lib;                /* measures, builtins and distributions by name */

  /* static scope */
  IxpSymbol *syms;               /* in definition order; see symbols.c */
  int nsyms, capsyms;
  int *buckets;                  /* newest symbol of each hash bucket, or -1 */
  int nbuckets;                  /* a power of two, or 0 */
  bool loading_prelude;
  bool override_mismatch;        /* a --set value's type differs from its let's (a usage error) */
  const IxpPlan **explained;     /* plans `explain` has printed */
  int nexplained, capexplained;

  /* everything parsed stays alive while the session lives */
  struct { IxpSource *src; IxpArena *arena; } *chunks;
  int nchunks, capchunks;
  IxpModelDef **models;
  int nmodels, capmodels;

  /* runtime */
  IxpValue *globals;
  uint64_t *versions;
  int nglobals, capglobals;
  bool nats;
  uint64_t seed;
  uint64_t pass;                 /* names the passes of the enclosing sweeps (0 outside) */
  char *experiment;
  IxpArena *tmp;                 /* temporaries of the running statement */
  jmp_buf *on_error;             /* where runtime errors unwind to */
  IxpAst *running;               /* the statement (or --set value) running, for an out-of-memory report */
  void (*cleanup)(void *ctx);    /* frees a kernel's buffers when an error unwinds */
  void *cleanup_ctx;
  const IxpModelDef *enumerating; /* model being enumerated, for error notes */
  /* While one state of a model is evaluated: describes it ("x = 0"), so
   * an error can say in which state it happened. */
  const char *(*describe_state)(void *ctx, char *buf, size_t size);
  void *describe_ctx;
  IxpSpan enumerating_use;        /* the source span that asked for it */
  IxpSink *sink;                 /* innermost sweep's rows */
  volatile sig_atomic_t interrupted;
  bool interrupt_raised;         /* poll_interrupt raised the last interrupt (an attempt that
                                  * catches errors quietly re-arms it) */
  int expect_pass, expect_fail;
  const IxpSource *src;          /* source of the running statement */

  /* files read (for provenance) and extern libraries opened, by path */
  struct { char *role, *path; } *inputs;
  int ninputs, capinputs;
  struct { char *path; struct IxpFfiLib *lib; } *libs;
  int nlibs, caplibs;

  IxpSpread *spread;             /* this rank's part of an mpirun (spread.h), or NULL */
  uint64_t model_cache_uses;     /* calls of ixp_model_cache (spread.c: did a pass use one) */
};

/* A file named in the program at `src`: relative to the program's folder
 * unless absolute (in `arena`). */
char *ixp_program_path(const IxpSource *src, const char *name, IxpArena *arena);
/* Note a file the session read (once per role and path). */
void ixp_session_input(IxpSession *s, const char *role, const char *path);
/* The extern library at `path`, opened on first use (isolated when the
 * session's options say so); NULL with the loader's message. */
struct IxpFfiLib *ixp_session_library(IxpSession *s, const char *path, char *err, size_t size);

/* Checker: resolve, type and lower `program` (a chunk of `src`). Reports
 * every error; returns the number of errors. */
int ixp_check_program(IxpSession *s, IxpAst *program, const IxpSource *src, IxpArena *arena);
/* The newest symbol called `name`, or NULL. */
const IxpSymbol *ixp_lookup(const IxpSession *s, const char *name);
/* Add a copy of *sym as the newest symbol; NULL when out of memory. */
IxpSymbol *ixp_symbols_push(IxpSession *s, const IxpSymbol *sym);
/* Remove the newest symbols until n are left (the older ones of their
 * names come back into scope). */
void ixp_symbols_pop_to(IxpSession *s, int n);
/* Empty the scope, keeping what it held for ixp_symbols_restore. */
IxpScope ixp_symbols_set_aside(IxpSession *s);
void ixp_symbols_restore(IxpSession *s, IxpScope kept);
void ixp_symbols_free(IxpSession *s);

/* Evaluator (eval.c; ixp_eval and IxpFrame are in runtime.h). Runtime
 * errors unwind to the statement runner. */
void ixp_exec_program(IxpSession *s, IxpAst *program);
/* The same with a va_list (it never returns, so va_end is not reached). */
_Noreturn void ixp_runtime_verror(IxpSession *s, const IxpSource *src, IxpSpan span, const char *fmt, va_list ap);
_Noreturn void ixp_runtime_error(IxpSession *s, const IxpSource *src, IxpSpan span, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The evaluated parameters of a source (defaults, then overrides). */
IxpValue *ixp_source_params(IxpSession *s, IxpModelDef *m, IxpAst *source);

/* Session (session.c): Ctrl-C stops the running evaluation at `span`. */
void ixp_session_poll_interrupt(IxpSession *s, const IxpSource *src, IxpSpan span);

/* Enumerator: the exact joint of `m` under parameter values `params`
 * (borrowed; cached in the model until its inputs change). */
IxpJoint *ixp_model_joint(IxpSession *s, IxpModelDef *m, const IxpValue *params, IxpSpan use);
/* The same, stopped past `cap` states (*too_large then set) by a runtime
 * error without the note naming the model: for a caller that catches it
 * (eliminate.c tries a small enumeration first). */
/* The evaluated arguments of draw `var` in frame f (at most 3); a
 * runtime error when one has the wrong type. */
void ixp_draw_args(IxpSession *s, const IxpModelVar *var, const IxpFrame *f, IxpValue *args);
IxpJoint *ixp_model_joint_capped(IxpSession *s, IxpModelDef *m, const IxpValue *params, size_t cap, bool *too_large,
                                 IxpSpan use);
/* n samples of `m` as rows (dataset.h): a column of n values per
 * variable, drawn from the counter-based stream `key`. No joint is built:
 * a sample is measured through data.h, which builds one if asked. */
struct IxpDataset *ixp_model_sample_rows(IxpSession *s, IxpModelDef *m, const IxpValue *params, size_t n, uint64_t key,
                                         IxpSpan use);
void ixp_model_cache_free(IxpModelDef *m);
/* The model's cache for these parameter values, emptied first when they
 * or the lets it reads changed. */
struct IxpModelCache *ixp_model_cache(IxpSession *s, IxpModelDef *m, const IxpValue *params);

/* The rows of a sample or a dataset, in which a model expression is
 * evaluated (a vector definition of a sample, a map's definition). */
typedef struct {
  IxpSession *s;
  IxpModelDef *m;              /* the model whose variables the expression reads */
  const IxpValue *params;
  double *const *values;       /* each variable's column of n rows */
  size_t n;
  double *vals;                /* scratch: one row's values, by variable */
  /* Load row k into vals; describe the loaded row ("x = 0, n = 1"). */
  void (*load)(void *ctx, size_t row);
  const char *(*describe)(void *ctx, char *buf, size_t size);
  void *ctx;
} IxpRows;
/* The values of `e` in every row (a number when width is 1, else a vector
 * of `width` numbers) into out[0 .. width), n doubles each, computed row
 * by row through the interpreter; `what` names the result in errors
 * ("h[256] = ..."). The row-batched evaluator (batch.h, same contract)
 * takes this function's place. */
void ixp_eval_rows(const IxpRows *r, IxpAst *e, const char *what, double *const *out, int width);

/* Plan execution: the measure's value. */
IxpValue ixp_execute_plan(IxpSession *s, const IxpPlan *p);

#endif
