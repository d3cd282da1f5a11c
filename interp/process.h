/* process.h — processes: models indexed by time.
 *
 *   process var1 {
 *     x[t] ~ normal(0.5 * x[t-1] + 0.3 * y[t-1], 1)
 *     y[t] ~ normal(0.7 * y[t-1], 1)
 *   }
 *
 * A process is measured exactly through its stationary law: a finite
 * chain through its stationary distribution and the joint over a window
 * of time steps, a linear-Gaussian (VAR) process through its stationary
 * covariance. Measures name a process's variables at lags (x[t-1]); the
 * checker asks for the window those lags span. */
#ifndef IXP_PROCESS_H
#define IXP_PROCESS_H

#include "checker.h"
#include "measures.h"

/* The window of process `proc` over the variables at lags cols[0 .. n):
 * a model of n variables (variable i is cols[i], named as written,
 * "x[t-1]") measured like any model: a finite chain's by its exact
 * joint, a linear-Gaussian process's in closed form. NULL after
 * reporting an error at `use`. */
IxpModelDef *ixp_process_window(Checker *c, IxpModelDef *proc, const IxpLag *cols, int n, IxpSpan use);

/* entropy_rate(X) in a process with no history length: the exact limit of
 * H(X_t | X_{t-1}, ..., X_{t-k}) as k grows, of the process's variables
 * vars[0 .. n) (lw->model is the process). Emits the plan's result, or
 * reports misuse (a component of a finite chain has no closed form: it
 * needs k) and returns false. */
bool ixp_process_lower_entropy_rate(IxpLowering *lw, const int *vars, int n);

#endif
