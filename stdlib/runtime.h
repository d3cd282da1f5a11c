/* runtime.h — what the interpreter provides to the libraries while a
 * plan runs: evaluation of an option's expression, errors that unwind to
 * the running statement, warnings, Ctrl-C, the statement's arena, the
 * session's units, random streams and a dataset's columns.
 *
 * Declared here, where the libraries need them, and implemented in
 * interp/ (eval.c, execute.c, session.c, data.c), so that stdlib/ depends
 * on no interp/ header. */
#ifndef IXP_RUNTIME_H
#define IXP_RUNTIME_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "ast.h"
#include "plan.h"
#include "value.h"

typedef struct IxpSession IxpSession;
struct IxpModelDef;

/* Where an expression is evaluated: inside a model (its variables' values
 * and its parameters), or at the top (model NULL). */
typedef struct {
  struct IxpModelDef *model;
  const double *vars;       /* current values of the model's variables */
  const IxpValue *params;
} IxpFrame;

IxpValue ixp_eval(IxpSession *s, IxpAst *e, const IxpFrame *f);
double ixp_eval_number(IxpSession *s, IxpAst *e, const IxpFrame *f);

/* A runtime error at a plan's measure, or at `span` of the running
 * statement; both unwind to the statement runner. */
_Noreturn void ixp_plan_error(IxpSession *s, const IxpPlan *p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
_Noreturn void ixp_statement_error(IxpSession *s, IxpSpan span, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ixp_plan_warning(IxpSession *s, const IxpPlan *p, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Stop here with "interrupted" if Ctrl-C was pressed. */
void ixp_plan_poll_interrupt(IxpSession *s, const IxpPlan *p);
/* The flag Ctrl-C sets, for kernels that poll it in their own loops
 * (backends take it as a `stop` option and know nothing of the session);
 * after such a kernel stops, ixp_plan_poll_interrupt reports it. */
const volatile sig_atomic_t *ixp_session_stop_flag(const IxpSession *s);

/* The statement's arena, for results and temporaries. */
IxpArena *ixp_session_tmp(IxpSession *s);
/* The factor from nats to the session's units, and their name. */
double ixp_units_scale(const IxpSession *s);
const char *ixp_units_name(const IxpSession *s);
/* The key of a random stream: the seed, the pass of the enclosing sweeps
 * (so each pass draws afresh), the statement's name (a hash of its text)
 * and the purpose within it. */
uint64_t ixp_stream_key(const IxpSession *s, uint64_t position, uint64_t purpose);

/* Columns vars[0 .. d) of dataset m as a row-major n x d block (the
 * statement's arena); a NaN or infinity is an error at `use` naming the
 * column and the row (the file's row for a loaded file). */
double *ixp_data_block(IxpSession *s, struct IxpModelDef *m, const int *vars, int d, IxpSpan use);
/* The number of dataset m's rows (reading or drawing them if needed). */
size_t ixp_data_rows_count(IxpSession *s, struct IxpModelDef *m, IxpSpan use);
/* The trials of dataset m's rows: ntrials + 1 row offsets (dataset.h's
 * trial_start), or NULL when the rows are one series. */
const long *ixp_data_trials(IxpSession *s, struct IxpModelDef *m, int *ntrials, IxpSpan use);

#endif
