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
 * checker asks for the window those lags span.
 *
 * The checker (check_process.c) turns the body into an ordinary model of
 * the variables at t (the process's IxpModelDef) whose lagged reads
 * x[t-c] are extra parameters of a copy of it, the one-step model `step`:
 * a step given its past is then enumerated, or read as affine forms, by
 * the machinery every model uses. */
#ifndef IXP_PROCESS_H
#define IXP_PROCESS_H

#include "checker.h"
#include "dataset.h"
#include "measures.h"

typedef struct IxpProcess {
  IxpModelDef *model;         /* the process: its variables at t and the user's parameters */
  IxpModelDef *step;          /* one step: parameters nuser .. nuser + nlags are the lagged values */
  int nuser;                  /* the user's parameters */
  int order;                  /* p, the largest lag read (0: independent steps) */
  IxpLag *lags;               /* step parameter nuser + i is variable lags[i].var at t - lags[i].lag */
  int nlags;
  bool chain;                 /* every variable discrete: a finite Markov chain */
  bool linear;                /* linear-Gaussian: a VAR(p) with instantaneous effects */
  bool sampled_only;          /* checked, and neither: no exact law, sampled step by step */
  /* A window of the process (its own model, made by ixp_process_window):
   * variable i is cols[i]; NULL in the process itself. */
  const IxpLag *cols;
  int ncols;
  struct IxpProcess *base;    /* a window's process */
  int model_slot;             /* a window: its place in the session's models (a REPL entry that fails
                               * to check drops its windows from there; they are not reused) */
  IxpModelDef **windows;      /* the process's windows made so far (reused for the same columns) */
  int nwindows, capwindows;
} IxpProcess;

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

/* --- runtime ------------------------------------------------------------ */

/* A process's stationary law under one set of parameter values, kept in
 * the process model's cache (IxpModelCache.law) until they change. */
typedef struct IxpProcessLaw {
  bool complete;              /* built to the end (else an error stopped it) */
  struct Tuples *building;    /* a chain's states while they are found */
  int d, p;                   /* variables; steps of history a state holds (the order, at least 1) */
  /* finite chain: state i is the values of every variable at t, t-1, ...,
   * t-p+1 (state[i * d * p + l * d + v] is variable v at t - l); its
   * transitions are to[row[i] .. row[i + 1]) with probabilities prob */
  int nstates;
  double *state;
  int *row, *to;
  double *prob;
  double *pi;                 /* the stationary distribution */
  /* linear-Gaussian: z_t = (x_t, ..., x_{t-p+1}) = F z_{t-1} + c + (G u_t, 0), u standard normal */
  int k, nd;                  /* k = d * p; nd noise terms */
  double *F, *c, *G;          /* k x k, k, d x nd */
  double *S, *mean;           /* stationary covariance (k x k) and mean (k) of z */
} IxpProcessLaw;

/* The law of process model `m` under `params` (its user parameters):
 * cached; errors (several stationary laws, not stationary, too many
 * states) at `use`. */
const IxpProcessLaw *ixp_process_law(IxpSession *s, IxpModelDef *m, const IxpValue *params, IxpSpan use);
void ixp_process_law_free(IxpProcessLaw *law);

/* The exact joint of window model `w` (enumerate.c asks for it). */
IxpJoint *ixp_process_window_joint(IxpSession *s, IxpModelDef *w, const IxpValue *params, IxpSpan use);
/* The affine forms of a linear-Gaussian window `w` (linear.c asks). */
const IxpGaussForms *ixp_process_window_forms(IxpSession *s, IxpModelDef *w, const IxpValue *params);

/* Stationary covariance of a linear-Gaussian process with companion
 * matrix F (k x k) and noise covariance Q (k x k): S = F S F^T + Q, by the
 * doubling algorithm; false when it does not converge (F has an
 * eigenvalue of modulus >= 1) or overflows. */
bool ixp_process_lyapunov(const double *F, const double *Q, int k, double *S);
/* Solve A x = b (n x n, row-major; A and b overwritten, x in b) by
 * Gaussian elimination with partial pivoting; false when a pivot is below
 * tol times the largest entry of A (A singular). */
bool ixp_process_solve(double *A, double *b, int n, double tol);

/* sample(proc, n, burnin = B, trials = R, start = V): R trials of n steps
 * each after B burn-in steps from a history in which every variable v
 * had the value start[v] (NULL: 0) at every earlier step, on the
 * counter-based stream `key` (trial r uses its own stream). A process
 * that is neither a finite chain nor linear-Gaussian is sampled step by
 * step through its one-step model. */
IxpDataset *ixp_process_sample(IxpSession *s, IxpModelDef *m, const IxpValue *params, long n, long burnin, long trials,
                               const double *start, uint64_t key, IxpSpan use);
/* The default burn-in of a process: max(100, 10 * order). */
long ixp_process_default_burnin(const IxpModelDef *m);

#endif
