/* data.c — datasets as joints of rows. */
#include "data.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "estimators.h"
#include "externs.h"
#include "rng.h"

/* n rows of probability 1/n each; value(ctx, c, i) gives column c of row i. */
static IxpJoint *rows_joint(int ncols, const char *const *names, size_t n, double (*value)(const void *, int, size_t),
                            const void *ctx) {
  IxpJoint *j = ixp_joint_new(ncols, names);
  if (!j || ixp_joint_reserve(j, n) != IXP_JOINT_OK) {
    ixp_joint_free(j);
    return NULL;
  }
  for (int c = 0; c < ncols; c++)
    for (size_t i = 0; i < n; i++) j->code[c][i] = ixp_alphabet_code(&j->alpha[c], value(ctx, c, i));
  for (size_t i = 0; i < n; i++) j->p[i] = 1.0 / (double)n;
  j->n = n;
  if (ixp_joint_finish(j) != IXP_JOINT_OK) {
    ixp_joint_free(j);
    return NULL;
  }
  return j;
}

static double file_value(const void *ctx, int c, size_t i) {
  const IxpColumn *col = &((const IxpDataset *)ctx)->cols[c];
  return col->kind == IXP_COL_STRING ? (double)col->code[i] : col->value[i];
}

static double column_value(const void *ctx, int c, size_t i) { return ((double *const *)ctx)[c][i]; }

IxpJoint *ixp_data_rows(IxpDataset *set) {
  const char **names = malloc((size_t)(set->ncols ? set->ncols : 1) * sizeof *names);
  for (int c = 0; c < set->ncols; c++) names[c] = set->cols[c].name;
  IxpJoint *j = rows_joint(set->ncols, names, (size_t)set->nrows, file_value, set);
  free(names);
  return j;
}

/* Forget what was derived from the rows (they are about to change). */
static void drop_derived(IxpDataDef *d) {
  for (int i = 0; i < 4; i++) {
    ixp_joint_free(d->binned[i]);
    d->binned[i] = NULL;
    d->binned_bins[i] = 0;
  }
  for (int v = 0; v < IXP_MAX_VARS; v++) {
    free(d->column[v]);
    d->column[v] = NULL;
  }
}

void ixp_data_free(IxpDataDef *d) {
  if (!d) return;
  drop_derived(d);
  ixp_joint_free(d->joint);
  ixp_dataset_free(d->set);
  d->joint = NULL;
  d->set = NULL;
}

static void replace_rows(IxpDataDef *d, IxpJoint *j) {
  drop_derived(d);
  ixp_joint_free(d->joint);
  d->joint = j;
}

/* map(DATA, steps): the source's columns, then each step's outputs. */
static void map_exec(IxpSession *s, IxpModelDef *m, IxpAst *st) {
  IxpDataDef *d = m->data;
  size_t n = ixp_data_rows_count(s, d->source, st->span);
  double **cols = ixp_arena_alloc(s->tmp, (size_t)m->nvars * sizeof *cols);
  const char *names[IXP_MAX_VARS];
  for (int v = 0; v < m->nvars; v++) {
    names[v] = m->vars[v].name;
    cols[v] = ixp_arena_alloc(s->tmp, (n ? n : 1) * sizeof **cols);
    if (v < d->source->nvars) memcpy(cols[v], ixp_data_column(s, d->source, v, st->span), n * sizeof **cols);
  }
  ixp_extern_map_run(s, s->src, d->steps, d->nsteps, cols, names, n, ixp_stream_key(s, d->position, 0x6d6170));
  IxpJoint *j = rows_joint(m->nvars, names, n, column_value, cols);
  if (!j) ixp_runtime_error(s, s->src, st->span, "out of memory building dataset '%s'", m->name);
  replace_rows(d, j);
}

void ixp_data_exec(IxpSession *s, IxpModelDef *m, IxpAst *st) {
  IxpDataDef *d = m->data;
  if (d->steps) {
    map_exec(s, m, st);
    return;
  }
  if (!d->model) return;
  double n = ixp_eval_number(s, d->count, NULL);
  if (!(n >= 1) || n != (double)(long)n || n > 1e9)
    ixp_runtime_error(s, s->src, d->count->span, "a sample size is a whole number from 1 to 10^9");
  IxpValue *params = ixp_source_params(s, d->model, NULL);
  uint64_t key = ixp_stream_key(s, d->position, 0x5a3b1e);
  replace_rows(d, ixp_model_sample(s, d->model, params, (size_t)n, key, st->span));
}

static IxpJoint *rows(IxpSession *s, IxpModelDef *m, IxpSpan use) {
  IxpDataDef *d = m->data;
  if (!d->joint && d->set) d->joint = ixp_data_rows(d->set);
  if (!d->joint) ixp_runtime_error(s, s->src, use, "dataset '%s' has no rows yet (its data statement has not run)", m->name);
  return d->joint;
}

size_t ixp_data_rows_count(IxpSession *s, IxpModelDef *m, IxpSpan use) { return rows(s, m, use)->n; }

const double *ixp_data_column(IxpSession *s, IxpModelDef *m, int v, IxpSpan use) {
  IxpJoint *j = rows(s, m, use);
  IxpDataDef *d = m->data;
  if (d->column[v]) return d->column[v];
  double *x = malloc((j->n ? j->n : 1) * sizeof *x);
  if (!x) ixp_runtime_error(s, s->src, use, "out of memory reading column '%s' of '%s'", m->vars[v].name, m->name);
  for (size_t i = 0; i < j->n; i++) x[i] = j->alpha[v].values[j->code[v][i]];
  return d->column[v] = x;
}

/* Column v of the rows, every value finite: a NaN or infinity is bad data,
 * reported with the file's row for a loaded file. */
static const double *finite_column(IxpSession *s, IxpModelDef *m, int v, IxpSpan use) {
  size_t n = ixp_data_rows_count(s, m, use);
  const double *col = ixp_data_column(s, m, v, use);
  for (size_t i = 0; i < n; i++) {
    if (isfinite(col[i])) continue;
    if (m->data->set)
      ixp_runtime_error(s, s->src, use, "%s: row %zu, column '%s' is %s (estimators need finite values)",
                        m->data->set->path, i + 2, m->vars[v].name, isnan(col[i]) ? "NaN" : "infinite");
    ixp_runtime_error(s, s->src, use, "variable '%s' of dataset '%s' is %s in sample %zu", m->vars[v].name, m->name,
                      isnan(col[i]) ? "NaN" : "infinite", i + 1);
  }
  return col;
}

double *ixp_data_block(IxpSession *s, IxpModelDef *m, const int *vars, int d, IxpSpan use) {
  size_t n = ixp_data_rows_count(s, m, use);
  double *x = ixp_arena_alloc(s->tmp, n * (size_t)(d ? d : 1) * sizeof *x);
  for (int c = 0; c < d; c++) {
    const double *col = finite_column(s, m, vars[c], use);
    for (size_t i = 0; i < n; i++) x[i * (size_t)d + (size_t)c] = col[i];
  }
  return x;
}

/* The rows' codes with every continuous variable cut into bins, into b. */
static IxpJointStatus fill_binned(IxpSession *s, IxpModelDef *m, IxpJoint *b, size_t n, int bins, int how,
                                  IxpSpan use) {
  uint32_t *codes = ixp_arena_alloc(s->tmp, (n ? n : 1) * sizeof *codes);
  for (int v = 0; v < b->nvars; v++) {
    const double *x = ixp_data_column(s, m, v, use);
    if (m->continuous[v] && ixp_bin(x, n, bins, how ? IXP_BIN_QUANTILE : IXP_BIN_EQUAL_WIDTH, codes) != IXP_EST_OK)
      return IXP_JOINT_ENOMEM;
    for (size_t i = 0; i < n; i++)
      if ((b->code[v][i] = ixp_alphabet_code(&b->alpha[v], m->continuous[v] ? (double)codes[i] : x[i])) == UINT32_MAX)
        return IXP_JOINT_ENOMEM;
  }
  return IXP_JOINT_OK;
}

/* A copy of the rows with every continuous variable cut into bins. The
 * columns are checked first, so an error leaves nothing half built. */
static IxpJoint *bin_rows(IxpSession *s, IxpModelDef *m, IxpJoint *j, int bins, int how, IxpSpan use) {
  for (int v = 0; v < j->nvars; v++)
    if (m->continuous[v]) finite_column(s, m, v, use);
  IxpJoint *b = ixp_joint_new(j->nvars, (const char *const *)j->names);
  IxpJointStatus st = !b ? IXP_JOINT_ENOMEM : ixp_joint_reserve(b, j->n);
  if (st == IXP_JOINT_OK) st = fill_binned(s, m, b, j->n, bins, how, use);
  if (st == IXP_JOINT_OK) {
    memcpy(b->p, j->p, j->n * sizeof *b->p);
    b->n = j->n;
    st = ixp_joint_finish(b);
  }
  if (st != IXP_JOINT_OK) {
    ixp_joint_free(b);
    ixp_runtime_error(s, s->src, use, "binning '%s': %s", m->name, ixp_joint_status_text(st));
  }
  return b;
}

IxpJoint *ixp_data_joint(IxpSession *s, IxpModelDef *m, int bins, int how, IxpSpan use) {
  IxpJoint *j = rows(s, m, use);
  if (bins <= 0) return j;
  IxpDataDef *d = m->data;
  for (int i = 0; i < 4; i++)
    if (d->binned[i] && d->binned_bins[i] == bins && d->binned_how[i] == how) return d->binned[i];
  int slot = 0;
  while (slot < 3 && d->binned[slot]) slot++;
  ixp_joint_free(d->binned[slot]);
  d->binned[slot] = bin_rows(s, m, j, bins, how, use);
  d->binned_bins[slot] = bins;
  d->binned_how[slot] = how;
  return d->binned[slot];
}
