/* checker.h — the checker's state and helpers, shared by its files:
 * check.c (expressions, statements), check_model.c, check_data.c,
 * check_measure.c and check_extern.c (extern declarations, calls, draws, maps). */
#ifndef IXP_CHECKER_H
#define IXP_CHECKER_H

#include "interp.h"

typedef enum { CTX_TOP, CTX_MODEL } Context;

typedef struct {
  IxpSession *s;
  const IxpSource *src;
  IxpArena *arena;
  Context ctx;
  IxpModelDef *model;      /* model being checked (CTX_MODEL) */
  uint64_t *deps;          /* where to record model variables read (a bit set) */
  int depth;               /* block depth: 0 at top, +1 per sweep body */
  int sweeps;              /* enclosing sweeps */
  int errors;
  bool quiet;              /* a trial check (a vector definition's width): errors are only noted */
  bool quiet_failed;       /* ... in quiet_failed */
} Checker;

/* check.c: expressions, statements, symbols */
/* Report an error at `span`; the checker goes on. */
void ixp_check_error(Checker *c, IxpSpan span, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
IxpType ixp_check_expr(Checker *c, IxpAst *e);
void ixp_check_block(Checker *c, IxpAst *block);
/* `e` (of type t) must be a number: else an error naming `what`. */
IxpType ixp_check_number(Checker *c, IxpAst *e, IxpType t, const char *what);
bool ixp_type_fits(IxpType want, IxpType got);
int ixp_check_line(const IxpSource *src, IxpSpan span);
bool ixp_check_redefinition(Checker *c, const char *name, IxpSpan span);
IxpSymbol *ixp_check_add_symbol(Checker *c, IxpSymKind kind, const char *name, IxpAst *decl);
/* A function's argument must be positional and separated by ','. */
void ixp_check_positional(Checker *c, const char *fname, IxpAst *arg);
/* "unknown function" with a suggestion, or what the name is instead. */
void ixp_check_unknown_function(Checker *c, IxpAst *e);

/* The shape the checker found for expression e (checked): a vector of n
 * is 1 x n, a matrix rows x cols. True when both are known; else the
 * unknown ones are -1 (a number or a value of unknown type: both). */
bool ixp_check_shape(const IxpAst *e, int *rows, int *cols);
/* Whether e (checked) is a number known at check time: a literal, + - * /
 * ^ and unary minus of such, or a let bound to one (its --set value when
 * given); its value in *x. */
bool ixp_check_constant(Checker *c, const IxpAst *e, double *x);

/* "Did you mean ...?": the closest candidate within a small edit distance. */
typedef struct {
  const char *name;
  const char *best;
  int score;
} IxpSuggest;
void ixp_suggest(IxpSuggest *g, const char *candidate);
/* " (did you mean 'x'?)" or "" — into buf. */
const char *ixp_suggest_hint(char *buf, size_t size, const IxpSuggest *g);

/* check_model.c */
/* The value of `e` when it is a whole number known before the program
 * runs (literals and lets of constant arithmetic on them). */
bool ixp_check_whole(Checker *c, const IxpAst *e, long *out);
void ixp_check_model(Checker *c, IxpAst *st);
/* A zeroed bit set of m's variables (for what a variable reads). */
uint64_t *ixp_check_deps(Checker *c, const IxpModelDef *m);

/* The width of checked vector expression `e` when the checker knows its
 * shape, else 0. */
int ixp_check_width(const IxpAst *e);

/* check_process.c: process NAME { x[t] ~ ... } */
void ixp_check_process(Checker *c, IxpAst *st);
/* Whether a plain model's statements index a variable by time (x[t-1]):
 * reported once ("lags belong in a process"). */
bool ixp_check_model_lags(Checker *c, const IxpAst *model);
/* data NAME = sample(PROCESS, n, burnin = B, trials = R): its model, or
 * NULL after errors. */
IxpModelDef *ixp_check_process_sample(Checker *c, IxpAst *st, IxpModelDef *proc);

/* check_data.c */
void ixp_check_data(Checker *c, IxpAst *st);
/* A file named in the program, relative to the program's folder. */
char *ixp_check_path(Checker *c, const char *name);
/* A dataset model for data statement `st` with the columns of `source`. */
IxpModelDef *ixp_check_data_model(Checker *c, IxpAst *st, IxpModelDef *source);

/* check_derive.c: join(a, b), d[x, y], rename(d, x = "y"), rows(M) */
bool ixp_check_derived_kind(const char *name);
/* The model of derived dataset statement `st`, or NULL after errors. */
IxpModelDef *ixp_check_derived(Checker *c, IxpAst *st);
/* The columns of m that e names into vars (room for m->nvars): a column,
 * a group, a numbered range x0 .. x3, a group's components h[2] or
 * h[0 .. 3]; their number, or -1 after an error. */
int ixp_check_columns(Checker *c, IxpModelDef *m, IxpAst *e, int *vars);
/* matrix(d): a dataset's rows as a matrix. */
IxpType ixp_check_matrix_call(Checker *c, IxpAst *e);

/* check_tablefile.c: `model p = table from csv(...)` reads the file into
 * the table's rows, checked (errors name file, row, column); false after
 * errors. */
bool ixp_check_table_file(Checker *c, IxpModelDef *m, IxpAst *table);

/* check_measure.c */
/* f(x, y; z) in M [using E] [with T] [at NAME = value] */
IxpType ixp_check_measure(Checker *c, IxpAst *e);
/* A measure over models, such as kl(P || Q). */
void ixp_check_model_call(Checker *c, IxpAst *call);
/* Hand a resolved measure call to the lowering pass (site->sem.plan); its
 * type. */
IxpType ixp_check_lower(Checker *c, IxpLowering *lw, IxpAst *site, IxpAst *source, const struct IxpExternDef *estimator);
/* The variables x0 .. x15 of range `r` in m into vars (room for
 * m->nvars): their number, or -1 after an error. */
int ixp_check_range(Checker *c, IxpModelDef *m, IxpAst *r, int *vars);

/* check_time.c */
/* The lag of each of a measure's arguments (x[t-1] is lag 1; 0 where
 * none was written), as the checker reads them. */
typedef struct {
  int *lag;                /* cap entries, 0 past those written */
  int cap;
  bool any;                /* some argument has a lag */
  IxpAst *first;           /* the first argument with one */
} IxpLagArgs;
/* A measure with lagged arguments, or a time measure (te, ais, ...): its
 * arguments measured on the source's view (a dataset's lag view, a
 * process's window), lowered; the result's type. */
IxpType ixp_check_time(Checker *c, IxpLowering *lw, IxpAst *e, const IxpLagArgs *lags, const struct IxpExternDef *ext);

/* check_extern.c */
void ixp_check_extern(Checker *c, IxpAst *st);
IxpType ixp_check_extern_call(Checker *c, IxpAst *e, struct IxpExternDef *def);
void ixp_check_extern_draw(Checker *c, IxpModelDef *m, IxpModelVar *v, struct IxpExternDef *def);
/* data NAME = map(DATA, f(...), ...): its model, or NULL after errors. */
IxpModelDef *ixp_check_map(Checker *c, IxpAst *st);

#endif
