/* measures_multiplets.h — tc, dtc and oinfo over every multiplet of a
 * dataset's columns:
 *
 *   oinfo(x0 .. x19, order = 3 .. 5) in d using gcmi
 *
 * a table of each multiplet (its size, the 1-based positions of its
 * variables in the argument list) and its value, largest first. */
#ifndef IXP_MEASURES_MULTIPLETS_H
#define IXP_MEASURES_MULTIPLETS_H

#include <stdbool.h>

#include "measures.h"

/* Whether the call is a multiplet measure (it has options: `order`). */
bool ixp_multiplets_wanted(const IxpLowering *lw);
/* Lower it; false after reporting. */
bool ixp_lower_multiplets(IxpLowering *lw);

#endif
