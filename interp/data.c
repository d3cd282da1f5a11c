/* data.c — datasets: their rows as typed columns, and the joint of the
 * rows built from the columns when a plug-in measure asks for it. */
#include "data.h"
#include "process.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "estimators.h"
#include "externs.h"
#include "lagview.h"
#include "rng.h"

/* ------------------------------------------------------------------ rows */

/* Row i of a column as the joint codes it: a string by its label index. */
static double cell(const IxpColumn *col, size_t i) {
  return col->kind == IXP_COL_STRING ? (double)col->code[i] : col->value[i];
}

/* Codes in j of column c's n rows; false when out of memory. */
static bool code_column(IxpJoint *j, int c, const IxpColumn *col, size_t n) {
  for (size_t i = 0; i < n; i++)
    if ((j->code[c][i] = ixp_alphabet_code(&j->alpha[c], cell(col, i))) == UINT32_MAX) return false;
  return true;
}

/* n rows of probability 1/n each. */
static void equal_weights(IxpJoint *j, size_t n) {
  for (size_t i = 0; i < n; i++) j->p[i] = 1.0 / (double)n;
  j->n = n;
}

/* -0.0 becomes 0.0, as a joint's alphabet holds it, so that plug-in
 * measures, estimators and extern functions all see the same numbers
 * (they did when every column was decoded from the joint). */
static void fold_negative_zeros(IxpDataset *set) {
  for (int c = 0; c < set->ncols; c++) {
    double *x = set->cols[c].borrowed ? NULL : set->cols[c].value;  /* a lag view's: folded in its source */
    for (long i = 0; x && i < set->nrows; i++)
      if (x[i] == 0) x[i] = 0.0;
  }
}

/* Forget what was derived from the rows (they are about to change). */
static void drop_derived(IxpDataDef *d) {
  ixp_joint_free(d->joint);
  d->joint = NULL;
  for (int i = 0; i < 4; i++) {
    ixp_joint_free(d->binned[i]);
    d->binned[i] = NULL;
    d->binned_bins[i] = 0;
  }
  for (int v = 0; v < d->ncodes; v++) free(d->codes[v]);
  free(d->codes);
  d->codes = NULL;
  d->ncodes = 0;
}

void ixp_data_attach(IxpDataDef *d, IxpDataset *set, bool header_only) {
  drop_derived(d);
  if (d->set != set) ixp_dataset_free(d->set);
  d->set = set;
  d->header_only = header_only;
  d->generation++;
  if (set && (d->codes = calloc((size_t)(set->ncols ? set->ncols : 1), sizeof *d->codes))) d->ncodes = set->ncols;
  if (set) fold_negative_zeros(set);
}

void ixp_data_free(IxpDataDef *d) {
  if (!d) return;
  ixp_data_attach(d, NULL, false);
}

int ixp_data_load(IxpSession *s, IxpAst *program) {
  int errors = 0;
  for (int i = 0; i < program->nitems; i++) {
    IxpAst *st = program->items[i];
    IxpModelDef *m = st->kind == AST_DATA ? st->sem.model : NULL;
    if (!m || !m->data->header_only) continue;
    IxpDataError err = {0};
    if (ixp_npy_load_values(m->data->set, &err)) {
      ixp_data_attach(m->data, m->data->set, false);
      continue;
    }
    ixp_diag_error(&s->diag, m->src, st->a->span, "%s", err.message);
    errors++;
  }
  return errors;
}

/* ------------------------------------------------------------------- run */

/* Rows a statement is making: freed with the statement's temporaries
 * (also when a runtime error unwinds it) unless they are kept. */
typedef struct {
  IxpDataset *set;
} Draft;

static void free_draft(void *draft) { ixp_dataset_free(((Draft *)draft)->set); }

/* n rows of m's variables, every column allocated, as a draft. */
static Draft *new_draft(IxpSession *s, IxpModelDef *m, size_t n, IxpSpan use) {
  const char **names = ixp_arena_alloc(s->tmp, (size_t)(m->nvars ? m->nvars : 1) * sizeof *names);
  for (int v = 0; v < m->nvars; v++) names[v] = m->vars[v].name;
  Draft *draft = ixp_arena_alloc(s->tmp, sizeof *draft);
  draft->set = ixp_dataset_new_numeric((long)n, m->nvars, names, m->continuous);
  if (!draft->set) ixp_runtime_error(s, s->src, use, "out of memory building dataset '%s'", m->name);
  ixp_arena_defer(s->tmp, free_draft, draft);
  return draft;
}

/* The rows of `to` are those of `from` (a map, a selection, a rename):
 * they keep its trials. */
static void copy_trials(IxpSession *s, IxpDataset *to, const IxpDataset *from, IxpSpan use) {
  if (!from->trial_start || from->nrows != to->nrows) return;
  size_t size = ((size_t)from->ntrials + 1) * sizeof *to->trial_start;
  if (!(to->trial_start = malloc(size))) ixp_runtime_error(s, s->src, use, "out of memory");
  memcpy(to->trial_start, from->trial_start, size);
  to->ntrials = from->ntrials;
}

/* map(DATA, steps): the source's columns, then each step's outputs. */
static void map_exec(IxpSession *s, IxpModelDef *m, IxpAst *st) {
  IxpDataDef *d = m->data;
  size_t n = ixp_data_rows_count(s, d->source, st->span);
  Draft *draft = new_draft(s, m, n, st->span);
  double **cols = ixp_arena_alloc(s->tmp, (size_t)(m->nvars ? m->nvars : 1) * sizeof *cols);
  const char **names = ixp_arena_alloc(s->tmp, (size_t)(m->nvars ? m->nvars : 1) * sizeof *names);
  for (int v = 0; v < m->nvars; v++) {
    names[v] = m->vars[v].name;
    cols[v] = draft->set->cols[v].value;
    if (v < d->source->nvars) memcpy(cols[v], ixp_data_column(s, d->source, v, st->span), n * sizeof **cols);
  }
  ixp_extern_map_run(s, s->src, d->steps, d->nsteps, cols, names, n, ixp_stream_key(s, d->position, 0x6d6170));
  copy_trials(s, draft->set, d->source->data->set, st->span);
  ixp_data_attach(d, draft->set, false);
  draft->set = NULL;
}

static const char *kind_text(IxpColumnKind k) {
  return k == IXP_COL_STRING ? "string" : k == IXP_COL_REAL ? "real" : "integer";
}

/* Every pass must read the columns the program was checked with (measures
 * name them): their number, names and kinds. */
static void same_columns(IxpSession *s, IxpModelDef *m, const IxpDataset *set, const IxpDataset *now, IxpSpan use) {
  const char *was = set->path ? set->path : "memory";
  if (now->ncols != set->ncols)
    ixp_runtime_error(s, s->src, use, "%s has %d column%s, but dataset '%s' has %d (read from %s): every pass of a "
                      "sweep must read the same columns", now->path, now->ncols, now->ncols == 1 ? "" : "s", m->name,
                      set->ncols, was);
  for (int c = 0; c < set->ncols; c++) {
    bool real_now = now->cols[c].kind == IXP_COL_REAL, real_was = set->cols[c].kind == IXP_COL_REAL;
    if (strcmp(now->cols[c].name, set->cols[c].name) || real_now != real_was ||
        (now->cols[c].kind == IXP_COL_STRING) != (set->cols[c].kind == IXP_COL_STRING))
      ixp_runtime_error(s, s->src, use, "%s: column %d is '%s' (%s), but dataset '%s' has '%s' (%s, read from %s): "
                        "every pass of a sweep must read the same columns", now->path, c + 1, now->cols[c].name,
                        kind_text(now->cols[c].kind), m->name, set->cols[c].name, kind_text(set->cols[c].kind), was);
  }
}

/* csv(NAME)/npy(NAME) in a sweep: the file this pass names, read whole. */
static void file_exec(IxpSession *s, IxpModelDef *m, IxpAst *st) {
  IxpDataDef *d = m->data;
  IxpValue name = ixp_eval(s, d->file, NULL);
  if (name.type != TY_STR) ixp_runtime_error(s, s->src, d->file->span, "a file name is a string");
  char *path = ixp_program_path(s->src, name.str, s->tmp);
  Draft *draft = ixp_arena_alloc(s->tmp, sizeof *draft);
  draft->set = NULL;
  ixp_arena_defer(s->tmp, free_draft, draft);
  IxpDataError err = {0};
  bool ok = d->csv ? ixp_csv_load(path, d->csv, &draft->set, &err) : ixp_npy_load(path, m->name, &draft->set, &err);
  if (!ok) ixp_runtime_error(s, s->src, st->a->span, "%s", err.message);
  ixp_session_input(s, "data", path);
  same_columns(s, m, d->set, draft->set, st->a->span);
  ixp_data_attach(d, draft->set, false);
  draft->set = NULL;
}

/* A copy of column `col` (n rows) called `name`; false when out of memory. */
static bool copy_column(IxpColumn *to, const IxpColumn *col, size_t n, const char *name) {
  *to = (IxpColumn){.name = strdup(name), .kind = col->kind, .nlabels = col->nlabels};
  if (!to->name) return false;
  if (col->kind != IXP_COL_STRING) {
    to->value = malloc((n ? n : 1) * sizeof *to->value);
    if (to->value) memcpy(to->value, col->value, n * sizeof *to->value);
    return to->value != NULL;
  }
  to->code = malloc((n ? n : 1) * sizeof *to->code);
  to->labels = calloc(col->nlabels ? col->nlabels : 1, sizeof *to->labels);
  if (!to->code || !to->labels) return false;
  memcpy(to->code, col->code, n * sizeof *to->code);
  for (uint32_t k = 0; k < col->nlabels; k++)
    if (!(to->labels[k] = strdup(col->labels[k]))) return false;
  return true;
}

/* join, d[...], rename: each column copied from its origin, every source
 * holding the same number of rows. */
static void derive_exec(IxpSession *s, IxpModelDef *m, IxpAst *st) {
  IxpDataDef *d = m->data;
  size_t n = 0;
  for (int v = 0; v < m->nvars; v++) {
    IxpModelDef *src = d->from[v].source;
    size_t rows_here = ixp_data_rows_count(s, src, st->a->span);
    IxpModelDef *first = d->from[0].source;
    if (v > 0 && rows_here != n)
      ixp_runtime_error(s, s->src, st->a->span, "join needs datasets of the same number of rows: '%s' has %zu, '%s' has %zu",
                        first->name, n, src->name, rows_here);
    n = rows_here;
  }
  Draft *draft = ixp_arena_alloc(s->tmp, sizeof *draft);
  draft->set = calloc(1, sizeof *draft->set);
  ixp_arena_defer(s->tmp, free_draft, draft);
  if (draft->set) draft->set->cols = calloc((size_t)(m->nvars ? m->nvars : 1), sizeof *draft->set->cols);
  if (!draft->set || !draft->set->cols) ixp_runtime_error(s, s->src, st->span, "out of memory building dataset '%s'", m->name);
  draft->set->nrows = (long)n;
  for (int v = 0; v < m->nvars; v++) {
    const IxpColumn *col = &d->from[v].source->data->set->cols[d->from[v].var];
    draft->set->ncols = v + 1;
    if (!copy_column(&draft->set->cols[v], col, n, m->vars[v].name))
      ixp_runtime_error(s, s->src, st->span, "out of memory building dataset '%s'", m->name);
  }
  if (m->nvars) copy_trials(s, draft->set, d->from[0].source->data->set, st->span);  /* a join of one series keeps its trials */
  ixp_data_attach(d, draft->set, false);
  draft->set = NULL;
}

/* rows(M): the rows of matrix M, which must have the columns checked. */
static void rows_exec(IxpSession *s, IxpModelDef *m, IxpAst *st) {
  IxpDataDef *d = m->data;
  IxpValue v = ixp_eval(s, d->matrix, NULL);
  if (v.type != TY_MAT)
    ixp_runtime_error(s, s->src, d->matrix->span, "rows makes a dataset of a matrix's rows, not of a %s", ixp_type_name(v.type));
  if (v.cols != m->nvars)
    ixp_runtime_error(s, s->src, d->matrix->span, "this matrix has %d column%s; dataset '%s' was checked with %d",
                      v.cols, v.cols == 1 ? "" : "s", m->name, m->nvars);
  Draft *draft = new_draft(s, m, (size_t)v.rows, st->span);
  for (int c = 0; c < v.cols; c++)
    for (int r = 0; r < v.rows; r++) draft->set->cols[c].value[r] = v.v[(size_t)r * (size_t)v.cols + (size_t)c];
  ixp_data_attach(d, draft->set, false);
  draft->set = NULL;
}

IxpValue ixp_data_matrix(IxpSession *s, IxpModelDef *m, IxpSpan use) {
  size_t n = ixp_data_rows_count(s, m, use), w = (size_t)m->nvars;
  double *x = ixp_arena_alloc(s->tmp, (n * w + 1) * sizeof *x);
  for (int c = 0; c < m->nvars; c++) {
    const double *col = ixp_data_column(s, m, c, use);
    for (size_t r = 0; r < n; r++) x[r * w + (size_t)c] = col[r];
  }
  return (IxpValue){.type = TY_MAT, .v = x, .rows = (int)n, .cols = m->nvars};
}

/* A whole number from lo to 10^9, or an error at e naming `what`. */
static long whole_in(IxpSession *s, IxpAst *e, long lo, const char *what) {
  double x = ixp_eval_number(s, e, NULL);
  if (!(x >= (double)lo) || x != (double)(long)x || x > 1e9)
    ixp_runtime_error(s, s->src, e->span, "%s is a whole number from %ld to 10^9", what, lo);
  return (long)x;
}

/* start = V of a process's sample: a number for every variable, or a
 * vector of one value per variable. */
static const double *process_start(IxpSession *s, IxpDataDef *d) {
  IxpModelDef *proc = d->model;
  IxpValue v = ixp_eval(s, d->start, NULL);
  double *x = ixp_arena_alloc(ixp_session_tmp(s), (size_t)proc->nvars * sizeof *x);
  if (v.type == TY_NUM) {
    for (int i = 0; i < proc->nvars; i++) x[i] = v.num.x;
  } else if (v.type == TY_VEC && v.cols == proc->nvars) {
    for (int i = 0; i < proc->nvars; i++) x[i] = v.v[i];
  } else {
    ixp_runtime_error(s, s->src, d->start->span, "start is a number, or a vector of one value per variable of process '%s' (%d)",
                      proc->name, proc->nvars);
  }
  for (int i = 0; i < proc->nvars; i++)
    if (!isfinite(x[i])) ixp_runtime_error(s, s->src, d->start->span, "start values are finite numbers");
  return x;
}

/* sample(PROCESS, n, burnin = B, trials = R, start = V): R trials of n steps. */
static void process_sample_exec(IxpSession *s, IxpDataDef *d, IxpAst *st) {
  long n = whole_in(s, d->count, 1, "a sample size");
  long burnin = d->burnin ? whole_in(s, d->burnin, 0, "burnin") : ixp_process_default_burnin(d->model);
  long trials = d->trials ? whole_in(s, d->trials, 1, "trials") : 1;
  if ((double)n * (double)trials > 1e9) ixp_runtime_error(s, s->src, d->count->span, "a sample has at most 10^9 rows in all");
  IxpValue *params = ixp_source_params(s, d->model, NULL);
  uint64_t key = ixp_stream_key(s, d->position, 0x5a3b1e);
  const double *start = d->start ? process_start(s, d) : NULL;
  ixp_data_attach(d, ixp_process_sample(s, d->model, params, n, burnin, trials, start, key, st->span), false);
}

void ixp_data_exec(IxpSession *s, IxpModelDef *m, IxpAst *st) {
  IxpDataDef *d = m->data;
  if (d->from) {
    derive_exec(s, m, st);
    return;
  }
  if (d->matrix) {
    rows_exec(s, m, st);
    return;
  }
  if (d->file) {
    file_exec(s, m, st);
    return;
  }
  if (d->steps) {
    map_exec(s, m, st);
    return;
  }
  if (!d->model) return;
  if (d->model->process) {
    process_sample_exec(s, d, st);
    return;
  }
  double n = ixp_eval_number(s, d->count, NULL);
  if (!(n >= 1) || n != (double)(long)n || n > 1e9)
    ixp_runtime_error(s, s->src, d->count->span, "a sample size is a whole number from 1 to 10^9");
  IxpValue *params = ixp_source_params(s, d->model, NULL);
  uint64_t key = ixp_stream_key(s, d->position, 0x5a3b1e);
  ixp_data_attach(d, ixp_model_sample_rows(s, d->model, params, (size_t)n, key, st->span), false);
}

/* --------------------------------------------------------------- columns */

static IxpDataset *rows(IxpSession *s, IxpModelDef *m, IxpSpan use);

/* A lag view's rows, made again when its source's rows have changed (a
 * sweep's pass, a new sample) since they were last made. */
static void refresh_view(IxpSession *s, IxpModelDef *m, IxpSpan use) {
  IxpDataDef *d = m->data;
  IxpLagView *v = d->lag;
  const IxpDataset *src = rows(s, v->source, use);
  if (d->set && v->built == v->source->data->generation) return;
  const char **names = ixp_arena_alloc(s->tmp, (size_t)(m->nvars ? m->nvars : 1) * sizeof *names);
  for (int i = 0; i < m->nvars; i++) names[i] = m->vars[i].name;
  char err[512];
  IxpDataset *set = ixp_lagview_build(src, v->source->name, v->cols, v->ncols, names, err, sizeof err);
  if (!set) ixp_runtime_error(s, s->src, use, "%s", err);
  ixp_data_attach(d, set, false);
  v->built = v->source->data->generation;
}

static IxpDataset *rows(IxpSession *s, IxpModelDef *m, IxpSpan use) {
  IxpDataDef *d = m->data;
  if (d->lag) refresh_view(s, m, use);
  if (!d->set || d->header_only)
    ixp_runtime_error(s, s->src, use, "dataset '%s' has no rows yet (its data statement has not run)", m->name);
  return d->set;
}

size_t ixp_data_rows_count(IxpSession *s, IxpModelDef *m, IxpSpan use) { return (size_t)rows(s, m, use)->nrows; }

const long *ixp_data_trials(IxpSession *s, IxpModelDef *m, int *ntrials, IxpSpan use) {
  const IxpDataset *set = rows(s, m, use);
  *ntrials = set->trial_start ? set->ntrials : 1;
  return set->trial_start;
}

/* String column v's label indices as doubles, made once until the rows
 * change. */
static const double *label_codes(IxpSession *s, IxpModelDef *m, int v, IxpSpan use) {
  IxpDataDef *d = m->data;
  if (v >= d->ncodes) ixp_runtime_error(s, s->src, use, "out of memory reading column '%s' of '%s'", m->vars[v].name, m->name);
  if (d->codes[v]) return d->codes[v];
  size_t n = (size_t)d->set->nrows;
  double *x = malloc((n ? n : 1) * sizeof *x);
  if (!x) ixp_runtime_error(s, s->src, use, "out of memory reading column '%s' of '%s'", m->vars[v].name, m->name);
  for (size_t i = 0; i < n; i++) x[i] = cell(&d->set->cols[v], i);
  return d->codes[v] = x;
}

const double *ixp_data_column(IxpSession *s, IxpModelDef *m, int v, IxpSpan use) {
  const IxpColumn *col = &rows(s, m, use)->cols[v];
  return col->kind == IXP_COL_STRING ? label_codes(s, m, v, use) : col->value;
}

/* Column v of the rows, every value finite: a NaN or infinity is bad data,
 * reported with the file's row for a loaded file. */
static const double *finite_column(IxpSession *s, IxpModelDef *m, int v, IxpSpan use) {
  size_t n = ixp_data_rows_count(s, m, use);
  const double *col = ixp_data_column(s, m, v, use);
  for (size_t i = 0; i < n; i++) {
    if (isfinite(col[i])) continue;
    if (m->data->set->path)
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

/* ---------------------------------------------------------------- joints */

/* Codes in b of columns vars[0 .. k) of the rows (NULL: every column),
 * continuous ones cut into `bins` bins when bins > 0 (how: 0 equal width,
 * 1 quantile). */
static IxpJointStatus fill_columns(IxpSession *s, IxpModelDef *m, IxpJoint *b, const int *vars, size_t n, int bins,
                                   int how, IxpSpan use) {
  uint32_t *codes = bins > 0 ? ixp_arena_alloc(s->tmp, (n ? n : 1) * sizeof *codes) : NULL;
  for (int c = 0; c < b->nvars; c++) {
    int v = vars ? vars[c] : c;
    if (!m->continuous[v] || bins == 0) {  /* discrete columns are coded as in the plain joint */
      if (!code_column(b, c, &m->data->set->cols[v], n)) return IXP_JOINT_ENOMEM;
      continue;
    }
    const double *x = ixp_data_column(s, m, v, use);
    if (ixp_bin(x, n, bins, how ? IXP_BIN_QUANTILE : IXP_BIN_EQUAL_WIDTH, codes) != IXP_EST_OK) return IXP_JOINT_ENOMEM;
    for (size_t i = 0; i < n; i++)
      if ((b->code[c][i] = ixp_alphabet_code(&b->alpha[c], (double)codes[i])) == UINT32_MAX) return IXP_JOINT_ENOMEM;
  }
  return IXP_JOINT_OK;
}

/* The rows of columns vars[0 .. k) (NULL: every column) as a joint of
 * probability 1/n a row, binned as fill_columns says. Columns to bin are
 * checked first, so an error leaves nothing half built. */
static IxpJoint *columns_joint(IxpSession *s, IxpModelDef *m, const int *vars, int k, int bins, int how, IxpSpan use) {
  size_t n = ixp_data_rows_count(s, m, use);
  for (int c = 0; c < k && bins > 0; c++)
    if (m->continuous[vars ? vars[c] : c]) finite_column(s, m, vars ? vars[c] : c, use);
  const char **names = malloc((size_t)(k ? k : 1) * sizeof *names);
  for (int c = 0; names && c < k; c++) names[c] = m->vars[vars ? vars[c] : c].name;
  IxpJoint *b = names ? ixp_joint_new(k, names) : NULL;
  free(names);
  IxpJointStatus st = !b ? IXP_JOINT_ENOMEM : ixp_joint_reserve(b, n);
  if (st == IXP_JOINT_OK) st = fill_columns(s, m, b, vars, n, bins, how, use);
  if (st == IXP_JOINT_OK) {
    equal_weights(b, n);
    st = ixp_joint_finish(b);
  }
  if (st != IXP_JOINT_OK) {
    ixp_joint_free(b);
    if (bins > 0) ixp_runtime_error(s, s->src, use, "binning '%s': %s", m->name, ixp_joint_status_text(st));
    ixp_runtime_error(s, s->src, use, "out of memory building the rows of '%s' as a joint", m->name);
  }
  m->data->joints_built++;
  return b;
}

/* The binned joint for (bins, how): cached, up to four binnings. */
static IxpJoint *binned_joint(IxpSession *s, IxpModelDef *m, int bins, int how, IxpSpan use) {
  IxpDataDef *d = m->data;
  for (int i = 0; i < 4; i++)
    if (d->binned[i] && d->binned_bins[i] == bins && d->binned_how[i] == how) return d->binned[i];
  int slot = 0;
  while (slot < 3 && d->binned[slot]) slot++;
  ixp_joint_free(d->binned[slot]);
  d->binned[slot] = NULL;
  d->binned[slot] = columns_joint(s, m, NULL, m->nvars, bins, how, use);
  d->binned_bins[slot] = bins;
  d->binned_how[slot] = how;
  return d->binned[slot];
}

IxpJoint *ixp_data_joint(IxpSession *s, IxpModelDef *m, int bins, int how, IxpSpan use) {
  IxpDataDef *d = m->data;
  rows(s, m, use);
  if (bins > 0) return binned_joint(s, m, bins, how, use);
  if (!d->joint) d->joint = columns_joint(s, m, NULL, m->nvars, 0, 0, use);
  return d->joint;
}

static void free_joint(void *j) { ixp_joint_free(j); }

IxpJoint *ixp_data_joint_of(IxpSession *s, IxpModelDef *m, const int *vars, int k, int bins, int how, IxpSpan use) {
  rows(s, m, use);
  IxpJoint *j = columns_joint(s, m, vars, k, bins, how, use);
  ixp_arena_defer(s->tmp, free_joint, j);
  return j;
}
