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

typedef struct IxpLowering {
  IxpPlan *plan;
  int joint;                  /* register of the source's joint, or -1 */
  struct IxpModelDef *model;  /* the source model, or NULL */
  IxpAst *call;               /* the AST_CALL */
  int nargs;
  IxpMeasureArg args[IXP_MAX_ARGS];
  void (*error)(struct IxpLowering *lw, IxpSpan span, const char *msg);
  void *ctx;
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
} IxpMeasure;

const IxpMeasure *ixp_measure_find(const char *name);
const IxpMeasure *ixp_measure_at(int i);

#endif
