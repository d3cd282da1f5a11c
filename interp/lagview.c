/* lagview.c — a dataset's columns at lags, as a dataset of their own. */
#include "lagview.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"

void ixp_lag_name(char *buf, size_t size, const char *var, int lag) {
  if (lag == 0) snprintf(buf, size, "%s[t]", var);
  else snprintf(buf, size, "%s[t%c%d]", var, lag > 0 ? '-' : '+', lag > 0 ? lag : -lag);
}

void ixp_lag_extent(const IxpLag *cols, int n, int *back, int *ahead) {
  *back = *ahead = 0;
  for (int i = 0; i < n; i++) {
    if (cols[i].lag > *back) *back = cols[i].lag;
    if (-cols[i].lag > *ahead) *ahead = -cols[i].lag;
  }
}

static IxpDataset *fail(IxpDataset *d, char *err, size_t size, const char *msg) {
  if (msg) snprintf(err, size, "%s", msg);
  ixp_dataset_free(d);
  return NULL;
}

/* Column c of the view: src column `from` with rows [first, first + len)
 * of every trial (starts[k] the trial's first row, lens[k] the view rows
 * it gives); borrowed when there is one trial. */
static bool fill_column(IxpColumn *to, const IxpColumn *from, const char *name, const long *first, const long *len,
                        int ntrials, long nrows) {
  *to = (IxpColumn){.name = strdup(name), .kind = from->kind, .nlabels = from->nlabels};
  if (!to->name) return false;
  if (ntrials == 1) {  /* a window into the source's column */
    to->borrowed = true;
    to->labels = from->labels;
    if (from->kind == IXP_COL_STRING) to->code = from->code + first[0];
    else to->value = from->value + first[0];
    return true;
  }
  size_t rows = (size_t)(nrows ? nrows : 1);
  if (from->kind == IXP_COL_STRING) {
    to->code = malloc(rows * sizeof *to->code);
    to->labels = calloc(from->nlabels ? from->nlabels : 1, sizeof *to->labels);
    if (!to->code || !to->labels) return false;
    for (uint32_t k = 0; k < from->nlabels; k++)
      if (!(to->labels[k] = strdup(from->labels[k]))) return false;
  } else if (!(to->value = malloc(rows * sizeof *to->value))) {
    return false;
  }
  long at = 0;
  for (int k = 0; k < ntrials; k++) {
    if (from->kind == IXP_COL_STRING) memcpy(to->code + at, from->code + first[k], (size_t)len[k] * sizeof *to->code);
    else memcpy(to->value + at, from->value + first[k], (size_t)len[k] * sizeof *to->value);
    at += len[k];
  }
  return true;
}

bool ixp_lagview_fits(const IxpDataset *src, const char *name, const IxpLag *cols, int n, char *err, size_t errsize) {
  int back, ahead, ntrials = src->trial_start ? src->ntrials : 1;
  ixp_lag_extent(cols, n, &back, &ahead);
  long span = (long)back + ahead + 1;
  for (int k = 0; k < ntrials; k++) {
    long a = src->trial_start ? src->trial_start[k] : 0, b = src->trial_start ? src->trial_start[k + 1] : src->nrows;
    if (b - a >= span) continue;
    if (!src->trial_start)
      snprintf(err, errsize, "dataset '%s' has %ld row%s, but these lags span %ld time steps (%d back, %d ahead)",
               name, b - a, b - a == 1 ? "" : "s", span, back, ahead);
    else
      snprintf(err, errsize, "dataset '%s': trial %d has %ld row%s, shorter than the %ld time steps these lags "
               "span (%d back, %d ahead)", name, k + 1, b - a, b - a == 1 ? "" : "s", span, back, ahead);
    return false;
  }
  return true;
}

IxpDataset *ixp_lagview_build(const IxpDataset *src, const char *name, const IxpLag *cols, int n,
                              const char *const *names, char *err, size_t errsize) {
  int back, ahead, ntrials = src->trial_start ? src->ntrials : 1;
  if (!ixp_lagview_fits(src, name, cols, n, err, errsize)) return NULL;
  ixp_lag_extent(cols, n, &back, &ahead);
  long span = (long)back + ahead + 1;  /* time steps one row of the view reads */
  IxpDataset *d = calloc(1, sizeof *d);
  long *starts = calloc((size_t)ntrials + 1, sizeof *starts), *len = calloc((size_t)ntrials, sizeof *len);
  long *first = calloc((size_t)ntrials, sizeof *first);
  if (d) d->trial_start = starts, d->ntrials = src->trial_start ? ntrials : 0;
  if (!d || !starts || !len || !first || !(d->cols = calloc((size_t)(n ? n : 1), sizeof *d->cols))) {
    if (!d) free(starts);
    free(len), free(first);
    return fail(d, err, errsize, "out of memory making the lagged columns");
  }
  for (int k = 0; k < ntrials; k++) {
    long a = src->trial_start ? src->trial_start[k] : 0, b = src->trial_start ? src->trial_start[k + 1] : src->nrows;
    len[k] = b - a - span + 1;
    first[k] = a + back;  /* the view's first t in this trial; column i reads t - lag */
    starts[k + 1] = starts[k] + len[k];
  }
  d->nrows = starts[ntrials];
  if (!src->trial_start) {  /* one series: no trials of its own either */
    free(d->trial_start);
    d->trial_start = NULL;
  }
  long *from = calloc((size_t)ntrials, sizeof *from);
  bool ok = from != NULL;
  for (int c = 0; ok && c < n; c++) {
    for (int k = 0; k < ntrials; k++) from[k] = first[k] - cols[c].lag;
    d->ncols = c + 1;
    ok = fill_column(&d->cols[c], &src->cols[cols[c].var], names[c], from, len, ntrials, d->nrows);
  }
  free(from), free(len), free(first);
  return ok ? d : fail(d, err, errsize, "out of memory making the lagged columns");
}

static void free_data(void *d) { ixp_data_free(d); }

IxpModelDef *ixp_lagview_model(IxpArena *arena, IxpModelDef *source, const IxpLag *cols, int n) {
  IxpModelDef *m = ixp_arena_alloc(arena, sizeof *m);
  memset(m, 0, sizeof *m);
  m->name = source->name;
  m->decl = source->decl;
  m->src = source->src;
  ixp_model_reserve(m, arena, n);
  for (int i = 0; i < n; i++) {
    char name[256];
    ixp_lag_name(name, sizeof name, source->vars[cols[i].var].name, cols[i].lag);
    m->vars[i] = (IxpModelVar){.name = ixp_arena_strndup(arena, name, strlen(name)), .kind = VAR_COLUMN,
                               .decl = source->vars[cols[i].var].decl};
    m->order[i] = i;
    m->continuous[i] = source->continuous[cols[i].var];
    m->has_continuous |= m->continuous[i];
  }
  m->nvars = n;
  IxpLagView *v = ixp_arena_alloc(arena, sizeof *v);
  v->source = source;
  v->cols = ixp_arena_alloc(arena, (size_t)(n ? n : 1) * sizeof *v->cols);
  memcpy(v->cols, cols, (size_t)n * sizeof *cols);
  v->ncols = n;
  v->built = 0;
  m->data = ixp_arena_alloc(arena, sizeof *m->data);
  memset(m->data, 0, sizeof *m->data);
  m->data->lag = v;
  ixp_arena_defer(arena, free_data, m->data);
  return m;
}

void ixp_lagview_explain(FILE *out, const IxpModelDef *m) {
  if (!m->data || !m->data->lag) return;
  fputs(", lagged: ", out);
  for (int i = 0; i < m->nvars; i++) fprintf(out, i ? ", %s" : "%s", m->vars[i].name);
  if (m->data->set && m->data->set->trial_start)
    fprintf(out, " (%d trial%s)", m->data->set->ntrials, m->data->set->ntrials == 1 ? "" : "s");
}
