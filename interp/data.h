/* data.h — datasets: rows loaded from CSV / .npy files, sampled from a
 * model or mapped through extern functions.
 *
 * Whatever their origin, the rows are kept as typed columns (an
 * IxpDataset: n doubles per numeric variable, or the codes of a string
 * column with its labels). Estimators read the columns. Plug-in measures,
 * rd and pid see the rows as a model whose joint has one state of
 * probability 1/n per row: that joint is built from the columns when one
 * of them first asks, and kept until the rows change. */
#ifndef IXP_DATA_H
#define IXP_DATA_H

#include "dataset.h"
#include "interp.h"

/* Where a column of a derived dataset (join, selection, rename) comes
 * from: column `var` of dataset `source`. */
typedef struct {
  struct IxpModelDef *source;
  int var;
} IxpColumnFrom;

typedef struct IxpDataDef {
  IxpDataset *set;        /* the rows (owned): a file's from the checker, a sample's or map's once run; NULL before */
  bool header_only;       /* set is a .npy file's header: its values are read by ixp_data_load */
  IxpModelDef *model;     /* sample(MODEL, n): the model sampled */
  IxpAst *count;          /* sample(MODEL, n): n */
  IxpAst *burnin, *trials, *start; /* sample(PROCESS, n, burnin = B, trials = R, start = V): B, R and V, or NULL (process.h) */
  IxpAst *file;           /* csv(NAME)/npy(NAME) in a sweep: NAME, read again on every pass */
  const IxpCsvOptions *csv; /* ... and csv()'s options (NULL for npy) */
  IxpColumnFrom *from;    /* join, d[...], rename: each column's origin */
  IxpAst *matrix;         /* rows(M): M */
  struct IxpModelDef *source;    /* map(DATA, ...): the dataset transformed */
  struct IxpMapStep *steps;      /* map: its steps (externs.h) */
  int nsteps;
  IxpJoint *joint;        /* the rows as a joint, 1/n each (built on first use, until the rows change) */
  uint64_t position;      /* where the statement is, for the random stream */
  IxpJoint *binned[4];    /* joints with real columns binned, cached per binning */
  double **codes;         /* string columns' codes as doubles, made on first use (ncodes columns) */
  int ncodes;
  int binned_bins[4];
  int binned_how[4];
  unsigned joints_built;  /* joints built from these rows so far, binned or not (tests read it) */
  unsigned generation;    /* counts the rows attached: a lag view of these rows remakes its own when it moves */
  struct IxpLagView *lag; /* a lag view (lagview.h): its rows are made from its source's when read */
} IxpDataDef;

/* Give dataset `d` its rows `set` (owned from now on; header_only for a
 * .npy file whose values are still to be read). */
void ixp_data_attach(IxpDataDef *d, IxpDataset *set, bool header_only);
/* Between checking `program` (a chunk) and running it: read the values of
 * the .npy files whose headers the checker read. A bad value is reported
 * at its data statement, as the checker reports file errors; returns the
 * number of errors. */
int ixp_data_load(IxpSession *s, IxpAst *program);
/* Run a data statement: draw the sample of a sample() dataset, apply the
 * steps of a map(). */
void ixp_data_exec(IxpSession *s, IxpModelDef *m, IxpAst *st);
/* The dataset's joint; with bins > 0, every continuous variable is cut
 * into that many bins (how: 0 equal width, 1 quantile). */
IxpJoint *ixp_data_joint(IxpSession *s, IxpModelDef *m, int bins, int how, IxpSpan use);
/* The joint of columns vars[0 .. k) of the rows (a dataset wider than a
 * joint's masks, measured on some of its columns): built for the running
 * statement, freed with its temporaries; bins and how as above. */
IxpJoint *ixp_data_joint_of(IxpSession *s, IxpModelDef *m, const int *vars, int k, int bins, int how, IxpSpan use);
/* Column `v` of the rows as doubles (n values; a string column's label
 * indices), read from the rows' columns: no joint is built. */
const double *ixp_data_column(IxpSession *s, IxpModelDef *m, int v, IxpSpan use);
size_t ixp_data_rows_count(IxpSession *s, IxpModelDef *m, IxpSpan use);
/* Columns vars[0 .. d) as a row-major n x d block (statement's arena);
 * a NaN or infinity is an error at `use` naming the column and the row
 * (the file's row for a loaded file). */
double *ixp_data_block(IxpSession *s, IxpModelDef *m, const int *vars, int d, IxpSpan use);
void ixp_data_free(IxpDataDef *d);
/* matrix(d): the rows of dataset m as a rows x columns matrix (a string
 * column by its labels' indices), in the statement's arena. */
IxpValue ixp_data_matrix(IxpSession *s, IxpModelDef *m, IxpSpan use);

#endif
