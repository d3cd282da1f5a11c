/* expectation.h — mean(EXPR) in SOURCE: the expectation of an expression
 * of a model's variables under its exact joint, or its average over a
 * dataset's rows (expectation.c). */
#ifndef IXP_EXPECTATION_H
#define IXP_EXPECTATION_H

#include "checker.h"

/* Check and lower measure expression `e` whose call is mean(EXPR): its
 * plan in e->sem.plan (a number). */
IxpType ixp_check_expectation(Checker *c, IxpAst *e);

#endif
