/* lower.h — the lowering pass (lower.c): a resolved measure call to a plan. */
#ifndef IXP_LOWER_H
#define IXP_LOWER_H

#include "measures.h"

struct IxpExternDef;

/* Lower the measure call `lw` (filled by the checker: measure, model,
 * call, arguments, options, using, with, at, arena, diag and src) at
 * `site`, reading `source` (the AST_SOURCE or dataset name; NULL for a
 * measure over models). `estimator`: the extern function its `using`
 * names, if any. The plan, or NULL after reporting misuse (lw->errors). */
IxpPlan *ixp_lower_measure(IxpLowering *lw, IxpAst *site, IxpAst *source, const struct IxpExternDef *estimator);

#endif
