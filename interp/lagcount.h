/* lagcount.h — a lag view's discrete columns counted by history encoding
 * (history.h) straight from its source's columns, so that the entropies
 * of a time measure on discrete series need no joint of the view's rows.
 *
 * Used for entropies of the view's marginals when every measured column is
 * whole-number (an integer column of small non-negative values, or a
 * string column's label codes) and no binning is asked. Codes keep the
 * values' order (an integer value is its own code), as the joint's sorted
 * alphabet does, so an estimator (miller_madow, nsb, ...) sees the same
 * counts in the same order and gives the same bits; the exact plug-in sum
 * of a joint adds its probabilities in another order, so the plug-in
 * entropies agree to rounding (1e-12 relative), not bit for bit. */
#ifndef IXP_LAGCOUNT_H
#define IXP_LAGCOUNT_H

#include "history.h"
#include "interp.h"

/* Largest integer value counted as a code (larger: the general path). */
#define IXP_LAGCOUNT_MAX_VALUE 65535

/* The counts of columns vars[0 .. k) of lag view `view` (NULL: all its
 * columns), entry c being the view's variable vars[c], in s->tmp; NULL
 * when a column is not whole-number or the states overflow (the caller
 * then builds the joint). Errors in the rows are reported at `use`. */
const IxpHistCounts *ixp_lagcount(IxpSession *s, IxpModelDef *view, const int *vars, int k, IxpSpan use);

/* Tests: false makes ixp_lagcount always decline; the number of times it
 * counted. */
extern bool ixp_lagcount_enabled;
extern unsigned long ixp_lagcount_used;

#endif
