/* lagcount.c — a lag view's discrete columns counted by history encoding. */
#include "lagcount.h"

#include <string.h>

#include "data.h"
#include "lagview.h"

bool ixp_lagcount_enabled = true;
unsigned long ixp_lagcount_used = 0;

/* Column `col` as codes in `codes` (n rows) and its alphabet; false when a
 * value is not a whole number in 0 .. IXP_LAGCOUNT_MAX_VALUE. */
static bool whole_codes(const IxpColumn *col, size_t n, uint32_t *codes, uint32_t *alphabet) {
  uint32_t top = 0;
  for (size_t i = 0; i < n; i++) {
    double x = col->value[i];
    if (!(x >= 0 && x <= IXP_LAGCOUNT_MAX_VALUE) || x != (double)(uint32_t)x) return false;
    codes[i] = (uint32_t)x;
    if (codes[i] > top) top = codes[i];
  }
  *alphabet = top + 1;
  return true;
}

static void free_counts(void *c) { ixp_history_free(c); }

/* Source column v's codes, made once per call (a column read at several
 * lags is coded once): false when it is not whole-number. */
static bool source_codes(IxpSession *s, const IxpDataset *src, int v, const uint32_t **codes, uint32_t *alphabet) {
  const IxpColumn *col = &src->cols[v];
  if (col->kind == IXP_COL_STRING) {
    *codes = col->code;
    *alphabet = col->nlabels ? col->nlabels : 1;
    return true;
  }
  if (col->kind != IXP_COL_INT) return false;
  size_t n = (size_t)src->nrows;
  uint32_t *c = ixp_arena_alloc(s->tmp, (n ? n : 1) * sizeof *c);
  if (!whole_codes(col, n, c, alphabet)) return false;
  *codes = c;
  return true;
}

/* Whether the entries' lags reach as far back and ahead as the view's rows
 * do (every column of the view, and t itself): the counts then cover the
 * view's rows exactly. */
static bool same_rows(const IxpLagView *lv, const IxpHistColumn *cols, int k) {
  int back, ahead, hi = cols[0].lag, lo = cols[0].lag;
  ixp_lag_extent(lv->cols, lv->ncols, &back, &ahead);
  for (int c = 1; c < k; c++) {
    if (cols[c].lag > hi) hi = cols[c].lag;
    if (cols[c].lag < lo) lo = cols[c].lag;
  }
  return hi == back && lo == -ahead;
}

const IxpHistCounts *ixp_lagcount(IxpSession *s, IxpModelDef *view, const int *vars, int k, IxpSpan use) {
  if (!ixp_lagcount_enabled || !view->data || !view->data->lag || k > IXP_HISTORY_MAX_COLS) return NULL;
  const IxpLagView *lv = view->data->lag;
  ixp_data_rows_count(s, lv->source, use);  /* the source has rows (else the error every measure gives) */
  const IxpDataset *src = lv->source->data->set;
  char err[512];  /* a trial shorter than the lags span: the view's own error, without gathering its rows */
  if (!ixp_lagview_fits(src, lv->source->name, lv->cols, lv->ncols, err, sizeof err))
    ixp_runtime_error(s, s->src, use, "%s", err);
  IxpHistColumn cols[IXP_HISTORY_MAX_COLS];
  for (int c = 0; c < k; c++) cols[c].lag = lv->cols[vars ? vars[c] : c].lag;
  if (k < 1 || !same_rows(lv, cols, k)) return NULL;
  for (int c = 0; c < k; c++) {
    const IxpLag *at = &lv->cols[vars ? vars[c] : c];
    int same = 0;
    while (same < c && lv->cols[vars ? vars[same] : same].var != at->var) same++;
    if (same < c) {
      cols[c].codes = cols[same].codes, cols[c].alphabet = cols[same].alphabet;
    } else if (!source_codes(s, src, at->var, &cols[c].codes, &cols[c].alphabet)) {
      return NULL;
    }
  }
  IxpHistCounts *h = ixp_arena_alloc(s->tmp, sizeof *h);
  memset(h, 0, sizeof *h);
  IxpEstStatus st = ixp_history_count(cols, k, (size_t)src->nrows, src->trial_start, src->trial_start ? src->ntrials : 1, h);
  if (st == IXP_EST_ENOMEM) ixp_runtime_error(s, s->src, use, "out of memory counting the lagged columns of '%s'", view->name);
  if (st != IXP_EST_OK) return NULL;
  ixp_arena_defer(s->tmp, free_counts, h);
  ixp_lagcount_used++;
  return h;
}
