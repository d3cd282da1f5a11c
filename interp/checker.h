/* checker.h — the checker's state, shared by check.c (the language) and
 * check_extern.c (extern declarations, their calls, draws and maps). */
#ifndef IXP_CHECKER_H
#define IXP_CHECKER_H

#include "interp.h"
#include "measures.h"

typedef enum { CTX_TOP, CTX_MODEL } Context;

typedef struct {
  IxpSession *s;
  const IxpSource *src;
  IxpArena *arena;
  Context ctx;
  IxpModelDef *model;      /* model being checked (CTX_MODEL) */
  uint64_t *deps;          /* where to record model variables read */
  int depth;               /* block depth: 0 at top, +1 per sweep body */
  int sweeps;              /* enclosing sweeps */
  int errors;
} Checker;

/* check.c */
/* Report an error at `span`; the checker goes on. (Both checker files
 * call it `error`.) */
void ixp_check_error(Checker *c, IxpSpan span, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#define error(...) ixp_check_error(__VA_ARGS__)
IxpType ixp_check_expr(Checker *c, IxpAst *e);
/* A file named in the program, relative to the program's folder. */
char *ixp_check_path(Checker *c, const char *name);
bool ixp_check_redefinition(Checker *c, const char *name, IxpSpan span);
IxpSymbol *ixp_check_add_symbol(Checker *c, IxpSymKind kind, const char *name, IxpAst *decl);
/* The variables x0 .. x15 of range `r` in m into vars (IXP_MAX_VARS at
 * most): their number, or -1 after an error. */
int ixp_check_range(Checker *c, IxpModelDef *m, IxpAst *r, int *vars);
/* A function's argument must be positional and separated by ','. */
void ixp_check_positional(Checker *c, const char *fname, IxpAst *arg);
/* A dataset model for data statement `st` with the columns of `source`. */
IxpModelDef *ixp_check_data_model(Checker *c, IxpAst *st, IxpModelDef *source);

/* check_extern.c */
void ixp_check_extern(Checker *c, IxpAst *st);
IxpType ixp_check_extern_call(Checker *c, IxpAst *e, struct IxpExternDef *def);
void ixp_check_extern_draw(Checker *c, IxpModelDef *m, IxpModelVar *v, struct IxpExternDef *def);
/* MEASURE(...) in DATA using f(...) with f an extern function: lowers
 * the measure to a call of f on the dataset's columns. */
bool ixp_check_extern_estimator(Checker *c, IxpLowering *lw, const IxpMeasure *ms, struct IxpExternDef *def);
/* data NAME = map(DATA, f(...), ...): its model, or NULL after errors. */
IxpModelDef *ixp_check_map(Checker *c, IxpAst *st);

#endif
