/* measures.h — the information measures, each a lowering rule.
 *
 * The checker resolves a measure call: its source model or dataset, its
 * variables (with the separators between them), its options (each value
 * type-checked as the measure's option table says), `using`, `with` and
 * `at`. The lowering pass (interp/lower.c) hands that complete input to
 * the measure's rule, which emits the plan's final operations or reports
 * misuse through ixp_lower_error. A rule never checks, looks names up or
 * patches operations afterwards; what differs between measures is said
 * by the capability fields of their entries. */
#ifndef IXP_MEASURES_H
#define IXP_MEASURES_H

#include <stdbool.h>
#include <stdint.h>

#include "ast.h"
#include "diag.h"
#include "model.h"
#include "plan.h"

#define IXP_MAX_OPTIONS 16

typedef struct {
  IxpOp sep;                  /* separator before it; OP_NONE for the first */
  int var;                    /* variable index in the source model, or -1 */
  struct IxpModelDef *model;  /* a model argument (measures over models) */
  IxpAst *node;
} IxpMeasureArg;

/* How the checker treats an option's value. */
typedef enum {
  IXP_OPTION_VALUE,          /* an expression in the caller's scope, type-checked */
  IXP_OPTION_WORD,           /* a bare word that the rule reads itself (variant = dib) */
  IXP_OPTION_WORD_OR_VALUE,  /* one of `words` as it is, or else a value; a value naming `over`
                                is an expression over the measure's one variable and `over` */
} IxpOptionKind;

typedef struct {
  const char *name;
  IxpOptionKind kind;
  const char *words;         /* IXP_OPTION_WORD_OR_VALUE: the words, space-separated */
  const char *over;          /* IXP_OPTION_WORD_OR_VALUE: the extra name (rd's xhat) */
} IxpOptionSpec;

/* An option `name = value` or an `at NAME = value` clause, as checked. */
typedef struct {
  const char *name;
  IxpAst *node;               /* the AST_ARG */
  IxpAst *value;              /* node->a */
  IxpType type;               /* the value's type; TY_NONE when it was not checked (a word, an unknown option) */
  struct IxpModelDef *scope;  /* an expression over named values (the variable and xhat): their names */
} IxpOption;

/* What a measure computes, as far as estimators on data are concerned. */
typedef enum {
  IXP_ESTIMAND_ENTROPY,  /* entropy(X | Z): estimated directly by kl, gaussian and extern estimators */
  IXP_ESTIMAND_MI,       /* mi(X; Y | Z): by ksg, gaussian and extern estimators */
  IXP_ESTIMAND_ENTROPIES,/* a combination of entropies: discrete estimators only */
  IXP_ESTIMAND_JOINT,    /* works on the plug-in joint of discrete columns (rd, ib, capacity, pid) */
  IXP_ESTIMAND_SERIES,   /* reads a dataset's rows itself, with its estimator and test (network) */
} IxpEstimand;

struct IxpMeasure;
struct IxpTimeCall;

/* The complete input of one measure call, and where its rule reports. */
typedef struct IxpLowering {
  const struct IxpMeasure *measure;
  IxpPlan *plan;
  IxpArena *arena;            /* where plans and payloads live */
  int joint;                  /* register of the source's joint (or a dataset's rows), or -1 */
  struct IxpModelDef *model;  /* the source model or dataset, or NULL */
  IxpAst *call;               /* the AST_CALL */
  int nargs, capargs;
  IxpMeasureArg *args;        /* in the arena: ixp_lower_push_arg */
  int noptions;
  IxpOption options[IXP_MAX_OPTIONS];
  int nat;
  IxpOption at[IXP_MAX_OPTIONS];
  IxpAst *method;             /* the `using` call, or NULL */
  IxpAst *test;               /* the `with` call (measures on data), or NULL */
  uint64_t position;          /* the measure's random streams are named by its text (ixp_stream_key) */
  IxpDiag *diag;              /* misuse is reported here, in src */
  const IxpSource *src;
  int errors;
  struct IxpTimeCall *time;   /* a time measure's rule, asked for its lagged arguments (below), or NULL */
  bool local;                 /* `local f(...) in DATA`: a vector of one value per row (measures_data.c) */
} IxpLowering;

/* Report misuse at `span`; returns false, for `return ixp_lower_error(...)`. */
bool ixp_lower_error(IxpLowering *lw, IxpSpan span, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

typedef enum {
  MEASURE_OVER_VARIABLES,  /* f(x, y; z | w) in MODEL */
  MEASURE_OVER_MODELS,     /* f(M1 || M2) */
} IxpMeasureArgs;

typedef struct IxpMeasure {
  const char *name;
  const char *signature;   /* e.g. "mi(X; Y | Z)" */
  const char *summary;
  IxpMeasureArgs args;
  bool (*lower)(IxpLowering *lw);
  IxpEstimand estimand;
  /* Measures that take `name = value` options, `at` and `using` on
   * exact models: the options and `at` clauses they know (ended by a
   * NULL name); others are reported by the rule. NULL: none of these. */
  const IxpOptionSpec *options;
  const IxpOptionSpec *at;
} IxpMeasure;

/* A time measure (te, ais, entropy_rate, predictive_info, di;
 * measures_time.c) is an ordinary measure, mi or entropy, over the
 * source's variables at lags: its rule, called with lw->time set, lists
 * those lagged arguments, and the checker measures them on the source's
 * view (a dataset's lag view, a process's window). The input: lw->args
 * name the source's variables as written (te(y -> x | z)), and the
 * options are whole numbers known before the program runs. */
typedef struct {
  const char *name;
  IxpAst *node;               /* the AST_ARG */
  long lo, hi;                /* its value, or a range lo .. hi (delay = 1 .. 10) */
  bool range;
} IxpTimeOption;

typedef enum { IXP_TIME_ONE, IXP_TIME_SUM, IXP_TIME_BEST } IxpTimeCombine;

typedef struct IxpTimeCall {
  int noptions;
  IxpTimeOption options[IXP_MAX_OPTIONS];
  bool process;               /* the source is a process (measured exactly) */
  /* What the rule fills: nterms argument lists, each an ordinary measure
   * (mi or entropy) of the lagged variables cols[i] with separators
   * seps[i] (the first of each list OP_NONE), term j being entries
   * start[j] .. start[j + 1] - 1. One term is the measure; several are
   * summed (di) or the largest is kept with its delay[j] (a delay search). */
  const char *measure;
  IxpLag *cols;
  IxpOp *seps;
  IxpAst **nodes;             /* the argument each entry comes from (its span in messages) */
  int n, cap;
  int *start;                 /* nterms + 1 */
  int nterms;
  long *delay;                /* IXP_TIME_BEST: each term's delay */
  IxpTimeCombine combine;
  bool exact_rate;            /* entropy_rate(X) on a process, no k: the exact limit of cols[start[0] ..) */
} IxpTimeCall;

/* Whether `m` is a time measure. */
bool ixp_measure_is_time(const IxpMeasure *m);

/* The groups of a multivariate measure (tc, dtc, oinfo, coinfo): split at
 * ';' when present, else every variable its own group; at least two, at
 * most max (sets[0 .. *n)); false after reporting. */
bool ixp_lower_multivariate(IxpLowering *lw, IxpVarSet *sets, int *n, int max);

/* Lower a measure whose source is a dataset, with the estimator its
 * `using` names (measures_data.c). */
bool ixp_lower_on_data(IxpLowering *lw);

/* Which side each of the measure's variables is on (side[i] for lw->args[i]).
 * Side 0 starts at the first argument, side j + 1 at separator seps[j];
 * separators come in the order of seps, each at most once, and may skip a
 * side (entropy(X | Z) with seps ';', '|' leaves side 1 empty); commas stay
 * within a side. Returns the number of sides reached, or -1 at a separator
 * out of place. */
int ixp_lower_sides(const IxpLowering *lw, const IxpOp *seps, int nseps, int *side);
/* The variables on side k, as a set of the source's variables. */
IxpVarSet ixp_lower_side_set(const IxpLowering *lw, const int *side, int k);
/* Room for one more argument (lw->args grows in lw->arena); the slot. */
IxpMeasureArg *ixp_lower_push_arg(IxpLowering *lw);
/* An empty set of the source's variables. */
IxpVarSet ixp_lower_set(const IxpLowering *lw);
/* The variables the measure reads (ascending, each once) into src->vars.
 * A source of more variables than a joint's mask names (IXP_MAX_VARS)
 * gets a view of them as a model of its own (src->view, and lw->model
 * from now on), and the arguments index the view, so the rule's sets
 * become masks; more than IXP_MAX_VARS measured variables is misuse:
 * false after reporting it. */
bool ixp_lower_measured_vars(IxpLowering *lw, IxpPlanSource *src);
/* The option spec called `name` in a NULL-ended table, or NULL. */
const IxpOptionSpec *ixp_option_spec(const IxpOptionSpec *specs, const char *name);

#endif
