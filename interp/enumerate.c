/* enumerate.c — a model's exact joint distribution, and samples of it.
 *
 * Variables are visited in dependency order. A draw multiplies every state
 * by its outcomes (zero-probability outcomes are not kept); a definition
 * computes one value per state. A draw whose arguments read no model
 * variable is evaluated once, not once per state. The result is cached in
 * the model until its parameters or the lets it reads change.
 *
 * Sampling visits the variables in the same order with one state per row,
 * but keeps each variable's values as a column of doubles (a dataset's
 * rows, dataset.h) instead of codes into a joint's alphabets. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "dataset.h"
#include "externs.h"
#include "ksum.h"
#include "progress.h"
#include "rng.h"
#include "interp.h"

#define MAX_STATES ((size_t)1 << 27)
#define MAX_BYTES ((double)4 * 1024 * 1024 * 1024)

static bool same_value(const IxpValue *a, const IxpValue *b) {
  if (a->type != b->type) return false;
  if (a->type == TY_NUM) return a->num.x == b->num.x;
  if (a->type == TY_STR) return !strcmp(a->str, b->str);
  if (a->type == TY_VEC || a->type == TY_MAT)
    return a->rows == b->rows && a->cols == b->cols &&
           !memcmp(a->v, b->v, (size_t)a->rows * (size_t)a->cols * sizeof *a->v);
  if (a->type == TY_RANGE)
    return a->lo.x == b->lo.x && a->hi.x == b->hi.x && a->step.x == b->step.x;
  return true;
}

void ixp_model_cache_free(IxpModelDef *m) {
  struct IxpModelCache *c = m->cache;
  if (!c) return;
  ixp_joint_free(c->joint);
  for (int i = 0; i < m->nparams; i++) ixp_value_release(&c->params[i]);
  free(c->params);
  free(c->versions);
  free(c);
  m->cache = NULL;
}

static bool cache_valid(IxpSession *s, IxpModelDef *m, const IxpValue *params) {
  struct IxpModelCache *c = m->cache;
  if (!c) return false;
  for (int i = 0; i < m->nparams; i++)
    if (!same_value(&c->params[i], &params[i])) return false;
  for (int i = 0; i < m->nslots; i++)
    if (c->versions[i] != s->versions[m->slots[i]]) return false;
  return true;
}

static void cache_store(IxpSession *s, IxpModelDef *m, const IxpValue *params, IxpJoint *j) {
  ixp_model_cache_free(m);
  struct IxpModelCache *c = calloc(1, sizeof *c);
  c->joint = j;
  c->params = calloc((size_t)(m->nparams ? m->nparams : 1), sizeof *c->params);
  for (int i = 0; i < m->nparams; i++) c->params[i] = ixp_value_dup(&params[i]);
  c->versions = calloc((size_t)(m->nslots ? m->nslots : 1), sizeof *c->versions);
  for (int i = 0; i < m->nslots; i++) c->versions[i] = s->versions[m->slots[i]];
  m->cache = c;
}

/* ------------------------------------------------------------ enumeration */

typedef struct {
  IxpSession *s;
  IxpModelDef *m;
  IxpJoint *j;                     /* enumeration: the states so far */
  IxpDataset *rows;                /* sampling: the rows drawn so far */
  double *col[IXP_MAX_VARS];       /* sampling: rows' column of each variable */
  const IxpValue *params;
  double vals[IXP_MAX_VARS];
  bool assigned[IXP_MAX_VARS];
  uint32_t *newcol[IXP_MAX_VARS];  /* columns being built by a draw */
  double *newp;
  IxpOutcome *outs;                /* the last outcomes computed */
  IxpColumns cols;                 /* column evaluation of definitions */
  bool sampling;                   /* draw one outcome per state (a sample) */
  IxpProgress bar;                 /* sampling: rows drawn, over all variables */
  uint64_t drawn;
  uint64_t key;                    /* sampling: the stream of the data statement */
} Enum;

/* Free what an enumeration holds when a runtime error unwinds it. */
static void cleanup(void *ctx) {
  Enum *e = ctx;
  for (int v = 0; v < IXP_MAX_VARS; v++) free(e->newcol[v]);
  free(e->newp);
  free(e->outs);
  ixp_columns_free(&e->cols);
  ixp_joint_free(e->j);
  ixp_dataset_free(e->rows);
}

static _Noreturn void fail_at(Enum *e, IxpAst *node, const char *fmt, const char *a, const char *b) {
  ixp_runtime_error(e->s, e->m->src, node->span, fmt, a, b);
}

/* Number of states: the joint's, or the sample's rows. */
static size_t nstates(const Enum *e) { return e->sampling ? (size_t)e->rows->nrows : e->j->n; }

/* Load state k's values of the assigned variables into e->vals. */
static void load_state(Enum *e, size_t k) {
  for (int v = 0; v < e->m->nvars; v++)
    if (e->assigned[v]) e->vals[v] = e->sampling ? e->col[v][k] : e->j->alpha[v].values[e->j->code[v][k]];
}

/* "x = 0, n = 1" for the assigned variables of the loaded state. */
static const char *describe_state(Enum *e, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (int v = 0; v < e->m->nvars && used + 40 < size; v++) {
    if (!e->assigned[v]) continue;
    char num[32];
    ixp_format_num(num, sizeof num, e->vals[v], -1);
    used += (size_t)snprintf(buf + used, size - used, "%s%s = %s", used ? ", " : "", e->m->vars[v].name, num);
  }
  return used ? buf : "(no variables yet)";
}

static uint32_t code_of(Enum *e, int v, double x) {
  uint32_t c = ixp_alphabet_code(&e->j->alpha[v], x);
  if (c == UINT32_MAX) fail_at(e, e->m->vars[v].decl, "out of memory enumerating '%s'%s", e->m->vars[v].name, "");
  return c;
}

/* Make x the value of v in state k: in a sample's column with -0.0 as
 * 0.0 (as an alphabet holds it, so later variables read what they always
 * read), else as a code. */
static void store(Enum *e, int v, size_t k, double x) {
  if (e->sampling) e->col[v][k] = x == 0 ? 0.0 : x;
  else e->j->code[v][k] = code_of(e, v, x);
}

static void load_cb(void *ctx, size_t k) { load_state(ctx, k); }

static const char *describe_cb(void *ctx, char *buf, size_t size) { return describe_state(ctx, buf, size); }

/* A definition's values, computed over all states at once. */
static void define_var(Enum *e, int v) {
  size_t n = nstates(e);
  e->cols = (IxpColumns){.s = e->s, .m = e->m, .j = e->j, .values = e->sampling ? e->col : NULL, .n = n,
                         .params = e->params, .vals = e->vals, .load = load_cb, .describe = describe_cb, .ctx = e};
  double *x = ixp_columns_eval(&e->cols, e->m->vars[v].expr);
  if (!e->sampling && !(e->j->code[v] = malloc(n ? n * sizeof *e->j->code[v] : 1)))
    fail_at(e, e->m->vars[v].decl, "out of memory enumerating '%s'%s", e->m->vars[v].name, "");
  for (size_t k = 0; k < n; k++) {
    if (!isfinite(x[k])) {
      char buf[512];
      load_state(e, k);
      fail_at(e, e->m->vars[v].expr, "this value is not finite when %s%s", describe_state(e, buf, sizeof buf), "");
    }
    store(e, v, k, x[k]);
  }
  ixp_columns_release(&e->cols, x);
  ixp_columns_free(&e->cols);
  e->assigned[v] = true;
}

static void draw_args(Enum *e, int v, IxpValue *args);

/* Outcomes of v's distribution in the loaded state (held in e->outs). */
static IxpOutcome *outcomes_of(Enum *e, int v, const IxpValue *args, size_t *n, size_t limit);

static IxpOutcome *outcomes(Enum *e, int v, size_t *n, size_t limit) {
  IxpValue args[3];
  draw_args(e, v, args);
  return outcomes_of(e, v, args, n, limit);
}

/* Outcomes of v's distribution for evaluated arguments (held in e->outs). */
static IxpOutcome *outcomes_of(Enum *e, int v, const IxpValue *args, size_t *n, size_t limit) {
  IxpModelVar *var = &e->m->vars[v];
  char err[256], buf[512];
  free(e->outs);
  e->outs = NULL;
  if (var->dist->outcomes(args, &e->outs, n, limit, err, sizeof err)) {
    bool dependent = var->deps != 0;
    char msg[800];
    snprintf(msg, sizeof msg, "%s%s%s", err, dependent ? " when " : "", dependent ? describe_state(e, buf, sizeof buf) : "");
    fail_at(e, var->expr, "%s%s", msg, "");
  }
  return e->outs;
}

/* The most states that exact enumeration keeps in memory, for a model of
 * nvars variables. */
static size_t state_limit(int nvars) {
  double per_state = 4.0 * nvars + 8;
  double byte_limit = MAX_BYTES / per_state;
  return byte_limit < (double)MAX_STATES ? (size_t)byte_limit : MAX_STATES;
}

/* `at_least`: states counts only some of the draws so far. */
static _Noreturn void too_many_states(Enum *e, int v, double states, bool at_least) {
  char n[32], lim[32];
  snprintf(n, sizeof n, "%.4g", states);
  snprintf(lim, sizeof lim, "%zu", state_limit(e->m->nvars));
  ixp_runtime_error(e->s, e->m->src, e->m->vars[v].decl->span,
                    "model '%s' has %s%s joint states once '%s' is drawn, more than the %s that exact "
                    "enumeration keeps in memory",
                    e->m->name, at_least ? "at least " : "", n, e->m->vars[v].name, lim);
}

static _Noreturn void too_many(Enum *e, int v, double states) { too_many_states(e, v, states, false); }

/* Every draw keeps at least one outcome per state, so a model has at
 * least the product of its constant draws' outcome counts: refuse it from
 * that product, before any state is made (27 fair coins would otherwise
 * fill gigabytes before the 26th is refused). */
static void check_state_count(Enum *e) {
  size_t limit = state_limit(e->m->nvars), no;
  double states = 1;
  bool at_least = false;
  for (int i = 0; i < e->m->nvars; i++) {
    int v = e->m->order[i];
    if (e->m->vars[v].kind != VAR_DRAW) continue;
    if (e->m->vars[v].deps) {
      at_least = true;
      continue;
    }
    no = 0;
    outcomes(e, v, &no, limit);
    states *= (double)no;
    if (states > (double)limit) too_many_states(e, v, states, at_least);
  }
}

/* Grow the new columns (the assigned variables' and v's) and the new
 * probabilities to `cap` states. */
static void grow_new(Enum *e, int v, size_t cap) {
  for (int u = 0; u < e->m->nvars; u++) {
    if (!e->assigned[u] && u != v) continue;
    uint32_t *c = realloc(e->newcol[u], cap * sizeof *c);
    if (!c) fail_at(e, e->m->vars[v].decl, "out of memory enumerating '%s'%s", e->m->vars[v].name, "");
    e->newcol[u] = c;
  }
  double *p = realloc(e->newp, cap * sizeof *p);
  if (!p) fail_at(e, e->m->vars[v].decl, "out of memory enumerating '%s'%s", e->m->vars[v].name, "");
  e->newp = p;
}

/* Evaluate a draw's arguments in the loaded state, checking their types. */
static void draw_args(Enum *e, int v, IxpValue *args) {
  IxpModelVar *var = &e->m->vars[v];
  IxpFrame f = {e->m, e->vals, e->params};
  for (int i = 0; i < var->expr->nitems && i < 3; i++) {
    args[i] = ixp_eval(e->s, var->expr->items[i]->a, &f);
    IxpType want = var->dist->args[i];
    if (args[i].type != want && !(want == TY_RANGE && args[i].type == TY_VEC))
      ixp_runtime_error(e->s, e->m->src, var->expr->items[i]->span, "%s needs a %s here, not a %s",
                        var->dist->signature, ixp_type_name(want), ixp_type_name(args[i].type));
  }
}

/* The variables drawn together with leader v, by component; their
 * number. */
static int components(Enum *e, int v, int *comp) {
  IxpModelVar *var = &e->m->vars[v];
  int k = var->ncomponents, found = 0;
  for (int u = 0; u < e->m->nvars; u++)
    if (e->m->vars[u].ncomponents == k && e->m->vars[u].leader == var->leader) comp[e->m->vars[u].component] = u, found++;
  return found;
}

/* A vector draw: the leader draws every component of each row. */
static void sample_vector(Enum *e, int v) {
  IxpModelVar *var = &e->m->vars[v];
  int k = var->ncomponents, comp[IXP_MAX_VARS], found = components(e, v, comp);
  uint64_t key = ixp_rng_key(e->key, (uint64_t)v, 0);
  IxpValue args[3];
  char err[256];
  load_state(e, 0);
  draw_args(e, v, args);
  if (var->dist->check(args, err, sizeof err)) fail_at(e, var->expr, "%s%s", err, "");
  if (var->dist->dimension(args) != k || found != k)
    ixp_runtime_error(e->s, e->m->src, var->expr->span, "%s gives %d values for %d variables", var->dist->signature,
                      var->dist->dimension(args), k);
  double x[64], *work = ixp_arena_alloc(ixp_session_tmp(e->s), (size_t)k * (size_t)k * sizeof *work);
  var->dist->prepare(args, work);
  for (size_t row = 0; row < nstates(e); row++) {
    var->dist->draw_vector(args, work, key, row, x);
    for (int c = 0; c < k; c++) store(e, comp[c], row, x[c]);
  }
  for (int c = 0; c < k; c++) e->assigned[comp[c]] = true;
}

/* A draw from an extern function: one call per row, its seed the row's
 * draw of v's stream; a, b ~ f(...) takes the components from its output
 * array. */
static void sample_extern(Enum *e, int v) {
  IxpModelVar *var = &e->m->vars[v];
  int comp[IXP_MAX_VARS], k = components(e, v, comp);
  uint64_t key = ixp_rng_key(e->key, (uint64_t)v, 0);
  IxpAst *call = var->expr;
  IxpValue *args = ixp_arena_alloc(ixp_session_tmp(e->s), (size_t)(call->nitems ? call->nitems : 1) * sizeof *args);
  IxpFrame f = {e->m, e->vals, e->params};
  IxpArenaMark row_start = ixp_arena_mark(ixp_session_tmp(e->s));
  for (size_t row = 0; row < nstates(e); row++) {
    ixp_arena_release(ixp_session_tmp(e->s), row_start);  /* the last row's arguments and outputs */
    if ((row & 1023) == 0) ixp_session_poll_interrupt(e->s, e->m->src, call->span);
    load_state(e, row);
    for (int i = 0; i < call->nitems; i++) args[i] = ixp_eval(e->s, call->items[i]->a, &f);
    IxpValue out = ixp_extern_apply(e->s, var->ext, e->m->src, args, key, row);
    if (k > 1 && out.cols * out.rows != k)
      ixp_runtime_error(e->s, e->m->src, call->span, "%s gave %d values for %d variables", call->str, out.cols * out.rows, k);
    for (int c = 0; c < k; c++) {
      double x = k > 1 ? out.v[c] : out.num.x;
      if (!isfinite(x))
        ixp_runtime_error(e->s, e->m->src, call->span, "%s gave %g for '%s' in draw %zu: a draw is a finite number",
                          call->str, x, e->m->vars[comp[c]].name, row + 1);
      store(e, comp[c], row, x);
    }
  }
  for (int c = 0; c < k; c++) e->assigned[comp[c]] = true;
}

/* Sampling: one value of v per state (row). A finite distribution is
 * inverted at a uniform of the stream; a continuous one draws from it.
 * Row k always uses draw k of v's stream, whatever else is sampled. */
static void sample_var(Enum *e, int v) {
  IxpModelVar *var = &e->m->vars[v];
  size_t n = nstates(e);
  e->drawn += n;
  ixp_progress_update(&e->bar, e->drawn);
  if (var->ext) {
    if (var->component == 0) sample_extern(e, v);
    return;
  }
  if (var->ncomponents > 1) {
    if (var->component == 0) sample_vector(e, v);
    return;
  }
  uint64_t key = ixp_rng_key(e->key, (uint64_t)v, 0);
  IxpValue args[3];
  bool constant = var->deps == 0;
  size_t no = 0;
  char err[256];
  for (size_t k = 0; k < n; k++) {
    if (!constant || k == 0) {
      load_state(e, k);
      draw_args(e, v, args);
      if (var->dist->check && var->dist->check(args, err, sizeof err)) fail_at(e, var->expr, "%s%s", err, "");
      if (var->dist->outcomes) outcomes_of(e, v, args, &no, state_limit(e->m->nvars));
    }
    double x;
    if (var->dist->draw) {
      x = var->dist->draw(args, key, k);
    } else {  /* inverse CDF */
      double u = ixp_rng_uniform(key, k), acc = 0;
      size_t i = 0;
      while (i + 1 < no && (acc += e->outs[i].p) < u) i++;
      x = e->outs[i].value;
    }
    store(e, v, k, x);
  }
  e->assigned[v] = true;
}

/* Make the new columns the joint's, after a draw produced n states. */
static void adopt_new(Enum *e, int v, size_t n) {
  IxpJoint *j = e->j;
  for (int u = 0; u < e->m->nvars; u++)
    if (e->newcol[u]) free(j->code[u]), j->code[u] = e->newcol[u], e->newcol[u] = NULL;
  free(j->p);
  j->p = e->newp;
  e->newp = NULL;
  j->n = j->cap = n;
  e->assigned[v] = true;
}

/* A draw whose outcomes are the same in every state: each state becomes
 * `no` states; columns are copied one at a time, for locality. */
static void draw_constant(Enum *e, int v) {
  IxpJoint *j = e->j;
  size_t limit = state_limit(j->nvars), no = 0;
  IxpOutcome *o = outcomes(e, v, &no, limit);
  if ((double)no * (double)j->n > (double)limit) too_many(e, v, (double)no * (double)j->n);
  size_t n = j->n * no;
  grow_new(e, v, n ? n : 1);
  uint32_t codes[64];
  for (size_t i = 0; i < no && i < 64; i++) codes[i] = code_of(e, v, o[i].value);
  for (int u = 0; u < e->m->nvars; u++) {
    if (!e->assigned[u]) continue;
    const uint32_t *from = j->code[u];
    uint32_t *to = e->newcol[u];
    for (size_t k = 0; k < j->n; k++)
      for (size_t i = 0; i < no; i++) to[k * no + i] = from[k];
  }
  for (size_t k = 0; k < j->n; k++)
    for (size_t i = 0; i < no; i++) {
      e->newcol[v][k * no + i] = i < 64 ? codes[i] : code_of(e, v, o[i].value);
      e->newp[k * no + i] = j->p[k] * o[i].p;
    }
  adopt_new(e, v, n);
}

/* Multiply every state by v's outcomes, which depend on the state. */
static void draw_var(Enum *e, int v) {
  if (e->m->vars[v].deps == 0) {
    draw_constant(e, v);
    return;
  }
  IxpJoint *j = e->j;
  size_t limit = state_limit(j->nvars), n = 0, cap = j->n * 2;
  grow_new(e, v, cap ? cap : 1);
  for (size_t k = 0; k < j->n; k++) {
    load_state(e, k);
    size_t no = 0;
    IxpOutcome *o = outcomes(e, v, &no, limit);
    if ((double)n + (double)no > (double)limit) too_many(e, v, (double)n + (double)no);
    if (n + no > cap) grow_new(e, v, cap = (n + no) * 2);
    for (size_t i = 0; i < no; i++, n++) {
      for (int u = 0; u < e->m->nvars; u++)
        if (e->assigned[u]) e->newcol[u][n] = j->code[u][k];
      e->newcol[v][n] = code_of(e, v, o[i].value);
      e->newp[n] = j->p[k] * o[i].p;
    }
  }
  adopt_new(e, v, n);
}

/* ---------------------------------------------------------------- tables */

static void table_rows(Enum *e) {
  IxpAst *rows = e->m->table->b;
  IxpSession *s = e->s;
  IxpFrame f = {e->m, e->vals, e->params};
  IxpNum exact = ixp_num_int(0);
  IxpKSum sum = {0, 0};
  uint32_t codes[IXP_MAX_VARS];
  ixp_joint_reserve(e->j, (size_t)rows->nitems);
  for (int r = 0; r < rows->nitems; r++) {
    IxpAst *row = rows->items[r];
    for (int v = 0; v < row->nitems; v++) {
      double x = ixp_eval_number(s, row->items[v], &f);
      if (!isfinite(x)) fail_at(e, row->items[v], "table value is not finite%s%s", "", "");
      codes[v] = code_of(e, v, x);
    }
    IxpValue p = ixp_eval(s, row->a, &f);
    if (!(p.num.x >= 0 && p.num.x <= 1)) {
      char num[32];
      ixp_format_num(num, sizeof num, p.num.x, -1);
      fail_at(e, row->a, "probability %s is not a number in [0, 1]%s", num, "");
    }
    exact = ixp_num_add(exact, p.num);
    ixp_ksum_add(&sum, p.num.x);
    ixp_joint_push(e->j, codes, p.num.x);
  }
  double total = exact.exact ? exact.x : ixp_ksum_value(sum);
  if (fabs(total - 1) > 1e-9) {
    char num[32];
    ixp_format_num(num, sizeof num, total, -1);
    ixp_runtime_error(s, e->m->src, e->m->table->span,
                      "the probabilities of table '%s' sum to %s, not 1 (they are not normalised for you)",
                      e->m->name, num);
  }
}

/* Reject repeated rows (naming both), then drop zero-probability rows. */
static void table_finish(Enum *e) {
  IxpJoint *j = e->j;
  size_t a, b;
  if (ixp_joint_find_duplicate(j, &a, &b) == IXP_JOINT_EDUPLICATE) {
    IxpAst *rows = e->m->table->b;
    int line, col;
    ixp_source_position(e->m->src, rows->items[a]->span.start, &line, &col);
    ixp_runtime_error(e->s, e->m->src, rows->items[b]->span, "row repeats the values of the row at line %d", line);
  }
  size_t n = 0;
  for (size_t k = 0; k < j->n; k++) {
    if (j->p[k] == 0) continue;
    for (int v = 0; v < j->nvars; v++) j->code[v][n] = j->code[v][k];
    j->p[n++] = j->p[k];
  }
  j->n = n;
}

/* ------------------------------------------------------------------ entry */

static void enumerate(Enum *e) {
  IxpModelDef *m = e->m;
  if (m->table) {
    table_rows(e);
    ixp_joint_finish(e->j);
    table_finish(e);
    return;
  }
  for (int v = 0; v < m->nvars; v++) free(e->j->code[v]), e->j->code[v] = NULL;
  free(e->j->p);
  e->j->p = malloc(sizeof *e->j->p);
  if (!e->j->p) ixp_runtime_error(e->s, m->src, m->decl->span, "out of memory enumerating model '%s'", m->name);
  e->j->p[0] = 1.0;
  e->j->n = e->j->cap = 1;
  check_state_count(e);
  for (int i = 0; i < m->nvars; i++) {
    int v = m->order[i];
    ixp_session_poll_interrupt(e->s, m->src, m->vars[v].decl->span);
    if (m->vars[v].kind == VAR_DRAW) draw_var(e, v);
    else define_var(e, v);
  }
  if (ixp_joint_finish(e->j) != IXP_JOINT_OK)
    ixp_runtime_error(e->s, m->src, m->decl->span, "out of memory enumerating model '%s'", m->name);
}

/* Draw every row of a sample: the variables' columns in dependency order. */
static void sample_rows(Enum *e) {
  IxpModelDef *m = e->m;
  for (int i = 0; i < m->nvars; i++) {
    int v = m->order[i];
    ixp_session_poll_interrupt(e->s, m->src, m->vars[v].decl->span);
    if (m->vars[v].kind == VAR_DRAW) sample_var(e, v);
    else define_var(e, v);
  }
}

/* Run the enumeration of e->m into e->j, or its sampling into e->rows. */
static void run(IxpSession *s, Enum *e, IxpSpan use) {
  s->cleanup = cleanup;
  s->cleanup_ctx = e;
  s->enumerating = e->m;
  s->enumerating_use = use;
  if (e->sampling) sample_rows(e);
  else enumerate(e);
  s->enumerating = NULL;
  s->cleanup = NULL;
  free(e->outs);
}

IxpDataset *ixp_model_sample_rows(IxpSession *s, IxpModelDef *m, const IxpValue *params, size_t n, uint64_t key,
                                  IxpSpan use) {
  const char *names[IXP_MAX_VARS];
  for (int v = 0; v < m->nvars; v++) names[v] = m->vars[v].name;
  Enum e = {.s = s, .m = m, .params = params, .sampling = true, .key = key};
  e.rows = ixp_dataset_new_numeric((long)n, m->nvars, names, m->continuous);
  if (!e.rows) ixp_runtime_error(s, m->src, m->decl->span, "out of memory sampling model '%s'", m->name);
  for (int v = 0; v < m->nvars; v++) e.col[v] = e.rows->cols[v].value;
  ixp_progress_begin(&e.bar, "sampling", (uint64_t)n * (uint64_t)m->nvars, NULL);
  run(s, &e, use);
  ixp_progress_end(&e.bar);
  return e.rows;
}

IxpJoint *ixp_model_joint(IxpSession *s, IxpModelDef *m, const IxpValue *params, IxpSpan use) {
  if (cache_valid(s, m, params)) return m->cache->joint;
  if (m->extern_draws)
    ixp_runtime_error(s, s->src, use, "model '%s' draws from extern functions, so it can only be sampled: "
                      "data s = sample(%s, 10000)", m->name, m->name);
  if (m->has_continuous)
    ixp_runtime_error(s, s->src, use, "model '%s' has continuous variables and cannot be enumerated; "
                      "sample it: data s = sample(%s, 10000)", m->name, m->name);
  const char *names[IXP_MAX_VARS];
  for (int v = 0; v < m->nvars; v++) names[v] = m->vars[v].name;
  Enum e = {.s = s, .m = m, .params = params};
  e.j = ixp_joint_new(m->nvars, names);
  if (!e.j) ixp_runtime_error(s, m->src, m->decl->span, "out of memory enumerating model '%s'", m->name);
  run(s, &e, use);
  cache_store(s, m, params, e.j);
  return e.j;
}
