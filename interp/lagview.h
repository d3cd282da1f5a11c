/* lagview.h — a time series dataset seen at lags: the columns a measure
 * with lagged arguments reads.
 *
 *   print mi(x[t]; y[t-1] | x[t-1]) in d using ksg
 *
 * reads the view of `d` whose columns are x[t], y[t-1] and x[t-1]: column
 * i is source column cols[i].var at time t - cols[i].lag, with one row per
 * time step t of every trial where every lag falls inside that trial (a
 * row never pairs values of two trials). The view is a dataset model of
 * its own, so every estimator and plug-in rule measures it unchanged; its
 * rows are made again whenever the source's rows change (data.c). */
#ifndef IXP_LAGVIEW_H
#define IXP_LAGVIEW_H

#include <stddef.h>
#include <stdio.h>

#include "dataset.h"
#include "interp.h"

/* What a view model's IxpDataDef.lag holds. */
typedef struct IxpLagView {
  IxpModelDef *source;  /* the dataset seen at lags */
  IxpLag *cols;
  int ncols;
  unsigned built;       /* the source's IxpDataDef.generation the rows were made from (0: never) */
} IxpLagView;

/* The lags' extent: the furthest back (>= 0) and the furthest ahead (>= 0). */
void ixp_lag_extent(const IxpLag *cols, int n, int *back, int *ahead);

/* Whether every trial of `src` (called `name` in messages) is as long as
 * the time steps cols[0 .. n) span; else false with the message in err
 * (the trial's number and the lengths). */
bool ixp_lagview_fits(const IxpDataset *src, const char *name, const IxpLag *cols, int n, char *err, size_t errsize);

/* "x[t-1]", "x[t]", "x[t+2]" into buf. */
void ixp_lag_name(char *buf, size_t size, const char *var, int lag);

/* The view's rows of dataset `src` (called `name` in messages) over
 * cols[0 .. n), column i named names[i]. With one trial the columns point
 * into src's (borrowed, no copy); with several they are gathered. The
 * view's trial_start gives its rows per trial. NULL with a message in err
 * when a trial is shorter than the lags span (its number and the lengths)
 * or memory runs out. */
IxpDataset *ixp_lagview_build(const IxpDataset *src, const char *name, const IxpLag *cols, int n,
                              const char *const *names, char *err, size_t errsize);

/* The view of dataset model `source` over cols[0 .. n) as a dataset model
 * (its variables named "x[t-1]", in arena), with no rows until a measure
 * reads it. */
IxpModelDef *ixp_lagview_model(IxpArena *arena, IxpModelDef *source, const IxpLag *cols, int n);

/* For `explain`: ", at t - lag: x[t], y[t-1]" when m is a lag view (its
 * variables), else nothing. */
void ixp_lagview_explain(FILE *out, const IxpModelDef *m);

#endif
