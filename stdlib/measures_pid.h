/* measures_pid.h — pid on a dataset's continuous columns (measures_pid.c):
 * `pid(x1, x2 -> y, measure = immi | broja) in d using gaussian | gcmi`. */
#ifndef IXP_MEASURES_PID_H
#define IXP_MEASURES_PID_H

#include <stdbool.h>

#include "measures.h"

/* Lower it; false after reporting. */
bool ixp_lower_pid_continuous(IxpLowering *lw);

#endif
