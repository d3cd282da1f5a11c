/* data.h — datasets: rows loaded from CSV / .npy files or sampled from a
 * model, presented to measures as a model whose joint has one state of
 * probability 1/n per row (so plug-in measures, rd and pid work on data
 * unchanged, and estimators read the raw columns). */
#ifndef IXP_DATA_H
#define IXP_DATA_H

#include "dataset.h"
#include "interp.h"

typedef struct IxpDataDef {
  IxpDataset *set;        /* a loaded file (NULL for a sample) */
  IxpModelDef *model;     /* sample(MODEL, n): the model sampled */
  IxpAst *count;          /* sample(MODEL, n): n */
  struct IxpModelDef *source;    /* map(DATA, ...): the dataset transformed */
  struct IxpMapStep *steps;      /* map: its steps (externs.h) */
  int nsteps;
  IxpJoint *joint;        /* the rows as a joint, 1/n each (built on first use / per run) */
  uint64_t position;      /* where the statement is, for the random stream */
  IxpJoint *binned[4];    /* joints with real columns binned, cached per binning */
  double *column[IXP_MAX_VARS]; /* the rows' columns decoded, cached until the rows change */
  int binned_bins[4];
  int binned_how[4];
} IxpDataDef;

/* The rows of a file dataset as a joint (codes of each column's values;
 * strings by their label index). */
IxpJoint *ixp_data_rows(IxpDataset *set);
/* Run a data statement: draw the sample of a sample() dataset. */
void ixp_data_exec(IxpSession *s, IxpModelDef *m, IxpAst *st);
/* The dataset's joint; with bins > 0, every continuous variable is cut
 * into that many bins (how: 0 equal width, 1 quantile). */
IxpJoint *ixp_data_joint(IxpSession *s, IxpModelDef *m, int bins, int how, IxpSpan use);
/* Column `v` of the rows as doubles (n values), decoded once and kept
 * until the rows change. */
const double *ixp_data_column(IxpSession *s, IxpModelDef *m, int v, IxpSpan use);
size_t ixp_data_rows_count(IxpSession *s, IxpModelDef *m, IxpSpan use);
/* Columns vars[0 .. d) as a row-major n x d block (statement's arena);
 * a NaN or infinity is an error at `use` naming the column and the row
 * (the file's row for a loaded file). */
double *ixp_data_block(IxpSession *s, IxpModelDef *m, const int *vars, int d, IxpSpan use);
void ixp_data_free(IxpDataDef *d);

#endif
