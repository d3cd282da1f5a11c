/* measures.h — the information measures, each a lowering rule.
 *
 * A rule receives the checked arguments of one call (variables of the
 * source model, or models) and emits plan operations; it reports misuse
 * (wrong separators, missing sides) through lw->error. */
#ifndef IXP_MEASURES_H
#define IXP_MEASURES_H

#include <stdbool.h>
#include <stdint.h>

#include "ast.h"
#include "plan.h"

#define IXP_MAX_ARGS 64

typedef struct {
  IxpOp sep;                  /* separator before it; OP_NONE for the first */
  int var;                    /* variable index in the source model, or -1 */
  struct IxpModelDef *model;  /* a model argument (measures over models) */
  IxpAst *node;
} IxpMeasureArg;

#define IXP_MAX_OPTIONS 16

typedef struct IxpLowering {
  IxpPlan *plan;
  IxpArena *arena;            /* where plans and payloads live */
  int joint;                  /* register of the source's joint, or -1 */
  struct IxpModelDef *model;  /* the source model, or NULL */
  IxpAst *call;               /* the AST_CALL */
  int nargs;
  IxpMeasureArg args[IXP_MAX_ARGS];
  /* Measures that take options: the call's `name = value` arguments, the
   * `using` call and the `at NAME = value` clauses (AST_ARG nodes). */
  int noptions;
  IxpAst *options[IXP_MAX_OPTIONS];
  IxpAst *method;
  IxpAst *test;               /* the `with` call (measures on data) */
  int nat;
  IxpAst **at;
  void (*error)(struct IxpLowering *lw, IxpSpan span, const char *msg);
  /* Type-check an expression in the caller's scope (an option's value). */
  IxpType (*check)(struct IxpLowering *lw, IxpAst *e);
  /* Type-check an expression whose names may be the variables of `scope`. */
  IxpType (*check_in)(struct IxpLowering *lw, IxpAst *e, struct IxpModelDef *scope);
  void *ctx;
  uint64_t position;          /* the measure's random streams are named by its text (ixp_stream_key) */
} IxpLowering;

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
  bool options;            /* takes options, `using` and `at` (its rule checks them) */
} IxpMeasure;

/* Lower a measure whose source is a dataset, with the estimator its
 * `using` names (measures_data.c). */
bool ixp_lower_on_data(IxpLowering *lw, const IxpMeasure *ms);

/* Which side each of the measure's variables is on (side[i] for lw->args[i]).
 * Side 0 starts at the first argument, side j + 1 at separator seps[j];
 * separators come in the order of seps, each at most once, and may skip a
 * side (entropy(X | Z) with seps ';', '|' leaves side 1 empty); commas stay
 * within a side. Returns the number of sides reached, or -1 at a separator
 * out of place. */
int ixp_lower_sides(const IxpLowering *lw, const IxpOp *seps, int nseps, int *side);
/* The variables on side k, as a mask. */
uint64_t ixp_lower_side_mask(const IxpLowering *lw, const int *side, int k);

/* Registries of the measure families, consulted in this order. */
const IxpMeasure *ixp_measures_shannon(int i);
const IxpMeasure *ixp_measures_rd(int i);
const IxpMeasure *ixp_measures_pid(int i);

const IxpMeasure *ixp_measure_find(const char *name);
const IxpMeasure *ixp_measure_at(int i);

#endif
