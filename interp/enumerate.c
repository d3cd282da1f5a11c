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

#include "batch.h"
#include "columns.h"
#include "eliminate.h"
#include "dataset.h"
#include "grow.h"
#include "externs.h"
#include "ksum.h"
#include "progress.h"
#include "rng.h"
#include "interp.h"
#include "process.h"

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
  for (int i = 0; i < c->nmarginals; i++) {
    free(c->marginals[i].vars);
    ixp_joint_free(c->marginals[i].joint);
    ixp_elimination_free(c->marginals[i].elim);
  }
  free(c->marginals);
  ixp_process_law_free(c->law);
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

static void cache_store(IxpSession *s, IxpModelDef *m, const IxpValue *params) {
  ixp_model_cache_free(m);
  struct IxpModelCache *c = calloc(1, sizeof *c);
  if (!c) ixp_runtime_error(s, m->src, m->decl->span, "out of memory enumerating model '%s'", m->name);
  c->params = calloc((size_t)(m->nparams ? m->nparams : 1), sizeof *c->params);
  for (int i = 0; i < m->nparams; i++) c->params[i] = ixp_value_dup(&params[i]);
  c->versions = calloc((size_t)(m->nslots ? m->nslots : 1), sizeof *c->versions);
  for (int i = 0; i < m->nslots; i++) c->versions[i] = s->versions[m->slots[i]];
  m->cache = c;
}

struct IxpModelCache *ixp_model_cache(IxpSession *s, IxpModelDef *m, const IxpValue *params) {
  s->model_cache_uses++;
  if (!cache_valid(s, m, params)) cache_store(s, m, params);
  return m->cache;
}

/* ------------------------------------------------------------ enumeration */

/* The outcomes of a draw by the codes of its parents (the variables its
 * arguments read) packed into one key: a draw is evaluated once per
 * parent configuration, not once per state, and its outcomes are read
 * again while the states are expanded. Off when the parents' codes take
 * more than 64 bits or the arguments call an extern function (called once
 * per state, as documented); then every state evaluates. */
typedef struct {
  bool on;
  int nparents, *parent;           /* parent: one entry per model variable */
  uint64_t *keys;
  uint32_t *start, *count;         /* a slot's outcomes in the pool; count 0: empty slot */
  size_t cap, used;
  uint32_t *code;                  /* the pool: outcome codes and probabilities */
  double *p;
  size_t n, capn;
} Memo;

enum { MEMO_MAX_SLOTS = 1 << 16, MEMO_MAX_OUTCOMES = 1 << 20 };

typedef struct {
  IxpSession *s;
  IxpModelDef *m;
  IxpJoint *j;                     /* enumeration: the states so far */
  IxpDataset *rows;                /* sampling: the rows drawn so far */
  double **col;                    /* sampling: rows' column of each variable */
  const IxpValue *params;
  double *vals;                    /* one state's values, by variable */
  bool *assigned;                  /* the variables visited so far */
  uint32_t *defcodes;              /* a definition's codes, before its field is placed */
  Memo memo;                       /* the draw being expanded */
  uint32_t *ocode;                 /* outcomes of one state, as codes (no memo) */
  double *op;
  size_t capo;
  IxpOutcome *outs;                /* the last outcomes computed */
  IxpColumns cols;                 /* column evaluation of definitions */
  bool sampling;                   /* draw one outcome per state (a sample) */
  IxpProgress bar;                 /* sampling: rows drawn, over all variables */
  uint64_t drawn;
  uint64_t key;                    /* sampling: the stream of the data statement */
  size_t cap;                      /* a lower state limit than memory's (0: none) */
  bool *too_large;                 /* set when the states pass the limit */
  bool quiet;                      /* errors name no model (they are not reported) */
} Enum;

static void memo_free(Memo *mo) {
  free(mo->keys);
  free(mo->start);
  free(mo->count);
  free(mo->code);
  free(mo->p);
  int *parent = mo->parent;
  memset(mo, 0, sizeof *mo);
  mo->parent = parent;
}

/* The per-variable arrays, sized by the model (which may have up to
 * IXP_MAX_MODEL_VARS variables: a fixed size would be zeroed per run). */
static bool arrays_new(Enum *e) {
  size_t n = (size_t)e->m->nvars;
  e->col = calloc(n, sizeof *e->col), e->vals = calloc(n, sizeof *e->vals);
  e->assigned = calloc(n, sizeof *e->assigned), e->memo.parent = calloc(n, sizeof *e->memo.parent);
  return e->col && e->vals && e->assigned && e->memo.parent;
}

static void arrays_free(Enum *e) {
  free(e->col), free(e->vals), free(e->assigned), free(e->memo.parent);
  e->col = NULL, e->vals = NULL, e->assigned = NULL, e->memo.parent = NULL;
}

/* Free what an enumeration holds when a runtime error unwinds it. */
static void cleanup(void *ctx) {
  Enum *e = ctx;
  free(e->defcodes);
  memo_free(&e->memo);
  free(e->ocode);
  free(e->op);
  free(e->outs);
  arrays_free(e);
  ixp_columns_free(&e->cols);
  ixp_joint_free(e->j);
  ixp_dataset_free(e->rows);
}

static _Noreturn void fail_at(Enum *e, IxpAst *node, const char *fmt, const char *a, const char *b) {
  ixp_runtime_error(e->s, e->m->src, node->span, fmt, a, b);
}

static _Noreturn void out_of_memory(Enum *e, int v) {
  fail_at(e, e->m->vars[v].decl, "out of memory enumerating '%s'%s", e->m->vars[v].name, "");
}

/* Number of states: the joint's, or the sample's rows. */
static size_t nstates(const Enum *e) { return e->sampling ? (size_t)e->rows->nrows : e->j->n; }

/* Load state k's values of the assigned variables into e->vals. */
static void load_state(Enum *e, size_t k) {
  for (int v = 0; v < e->m->nvars; v++)
    if (e->assigned[v]) e->vals[v] = e->sampling ? e->col[v][k] : e->j->alpha[v].values[ixp_joint_code(e->j, v, k)];
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
  if (c == UINT32_MAX) out_of_memory(e, v);
  return c;
}

/* Make x the value of v in row k of a sample, with -0.0 as 0.0 (as an
 * alphabet holds it, so later variables read what they always read). */
static void store(Enum *e, int v, size_t k, double x) { e->col[v][k] = x == 0 ? 0.0 : x; }

static void load_cb(void *ctx, size_t k) { load_state(ctx, k); }

static const char *describe_cb(void *ctx, char *buf, size_t size) { return describe_state(ctx, buf, size); }

/* x[k] is finite, else an error naming the state. */
static void check_finite(Enum *e, int v, const double *x, size_t n, size_t first) {
  for (size_t k = 0; k < n; k++)
    if (!isfinite(x[k])) {
      char buf[512];
      load_state(e, first + k);
      fail_at(e, e->m->vars[v].expr, "this value is not finite when %s%s", describe_state(e, buf, sizeof buf), "");
    }
}

/* A definition's values in rows [first, first + n), computed column-wise. */
static double *define_block(Enum *e, int v, size_t first, size_t n) {
  e->cols = (IxpColumns){.s = e->s, .m = e->m, .j = e->j, .values = e->sampling ? e->col : NULL, .first = first,
                         .n = n, .params = e->params, .vals = e->vals, .load = load_cb, .describe = describe_cb,
                         .ctx = e};
  double *x = ixp_columns_eval(&e->cols, e->m->vars[v].expr);
  check_finite(e, v, x, n, first);
  return x;
}

static void define_done(Enum *e, double *x) {
  ixp_columns_release(&e->cols, x);
  ixp_columns_free(&e->cols);
}

/* Definitions are computed in blocks of states, so the temporary columns
 * of an expression stay small beside the joint. */
enum { DEFINE_BLOCK = 8192 };

/* OR codes[s] into v's field of every state. */
static void pack_codes(IxpJoint *j, int v, const uint32_t *codes) {
  const IxpCodeField *f = &j->field[v];
  if (!f->bits) return;
  uint64_t *k = j->key + f->word;
  size_t W = (size_t)j->words;
  for (size_t s = 0; s < j->n; s++) k[s * W] |= (uint64_t)codes[s] << f->shift;
}

/* Sampling: a definition's values in every row, computed at once in
 * place (batch.h). */
static void define_rows(Enum *e, int v) {
  IxpBatch b = {.s = e->s, .m = e->m, .params = e->params, .values = e->col, .n = nstates(e), .vals = e->vals,
                .load = load_cb, .describe = describe_cb, .ctx = e};
  ixp_batch_eval(&b, e->m->vars[v].expr, &e->col[v], 1);
  check_finite(e, v, e->col[v], nstates(e), 0);
  for (size_t k = 0; k < nstates(e); k++) store(e, v, k, e->col[v][k]);
  e->assigned[v] = true;
}

/* h[N] = expr in a sample: the vector once per row, into the columns of
 * all N components (consecutive from the leader), at the first of them
 * the order reaches. */
static void define_vector(Enum *e, int v) {
  IxpModelVar *var = &e->m->vars[v];
  int first = var->leader, d = var->ncomponents;
  if (e->assigned[v]) return;
  char what[160];
  snprintf(what, sizeof what, "%s[%d] = ...", var->decl->str, d);
  IxpRows rows = {.s = e->s, .m = e->m, .params = e->params, .values = e->col, .n = nstates(e), .vals = e->vals,
                  .load = load_cb, .describe = describe_cb, .ctx = e};
  ixp_eval_rows(&rows, var->expr->a, what, e->col + first, d);
  for (int c = first; c < first + d; c++) {
    check_finite(e, c, e->col[c], nstates(e), 0);
    for (size_t k = 0; k < nstates(e); k++) store(e, c, k, e->col[c][k]);
    e->assigned[c] = true;
  }
}

/* A definition's values, computed over all states. */
static void define_var(Enum *e, int v) {
  if (e->sampling && e->m->vars[v].ncomponents > 1) {
    define_vector(e, v);
    return;
  }
  if (e->sampling) {
    define_rows(e, v);
    return;
  }
  IxpJoint *j = e->j;
  if (!(e->defcodes = malloc(j->n ? j->n * sizeof *e->defcodes : 1))) out_of_memory(e, v);
  for (size_t first = 0; first < j->n; first += DEFINE_BLOCK) {
    size_t n = j->n - first < DEFINE_BLOCK ? j->n - first : DEFINE_BLOCK;
    double *x = define_block(e, v, first, n);
    for (size_t k = 0; k < n; k++) e->defcodes[first + k] = code_of(e, v, x[k]);
    define_done(e, x);
  }
  int words = ixp_joint_place(j, v, j->alpha[v].card);
  if (ixp_joint_pack_grow(j, j->n, words) != IXP_JOINT_OK) out_of_memory(e, v);
  pack_codes(j, v, e->defcodes);
  free(e->defcodes);
  e->defcodes = NULL;
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
    bool dependent = ixp_var_reads_any(e->m, var);
    char msg[800];
    snprintf(msg, sizeof msg, "%s%s%s", err, dependent ? " when " : "", dependent ? describe_state(e, buf, sizeof buf) : "");
    fail_at(e, var->expr, "%s%s", msg, "");
  }
  return e->outs;
}

/* The most states that exact enumeration keeps in memory when a state's
 * codes take `words` 64-bit words (at least one is counted). */
static size_t state_limit(int words) {
  double byte_limit = MAX_BYTES / ixp_joint_packed_bytes(1, words > 1 ? words : 1);
  return byte_limit < (double)MAX_STATES ? (size_t)byte_limit : MAX_STATES;
}

/* The limit for e at `words` words a state: lowered to e->cap when set. */
static size_t limit_at(const Enum *e, int words) {
  size_t limit = state_limit(words);
  return e->cap && e->cap < limit ? e->cap : limit;
}

/* The limit for the joint as it is (sampling: as for one word). */
static size_t current_limit(const Enum *e) { return limit_at(e, e->j ? e->j->words : 1); }

/* `at_least`: states counts only some of the draws so far. */
static _Noreturn void too_many_states(Enum *e, int v, double states, bool at_least, size_t limit) {
  if (e->too_large) *e->too_large = true;
  char n[32], lim[32];
  snprintf(n, sizeof n, "%.4g", states);
  snprintf(lim, sizeof lim, "%zu", limit);
  ixp_runtime_error(e->s, e->m->src, e->m->vars[v].decl->span,
                    "model '%s' has %s%s joint states once '%s' is drawn, more than the %s that exact "
                    "enumeration keeps in memory",
                    e->m->name, at_least ? "at least " : "", n, e->m->vars[v].name, lim);
}

static _Noreturn void too_many(Enum *e, int v, double states, size_t limit) {
  too_many_states(e, v, states, false, limit);
}

/* Every draw keeps at least one outcome per state, so a model has at
 * least the product of its constant draws' outcome counts: refuse it from
 * that product, before any state is made (29 fair coins would otherwise
 * fill gigabytes before the 28th is refused). */
static void check_state_count(Enum *e) {
  size_t limit = limit_at(e, 1), no;
  double states = 1;
  bool at_least = false;
  for (int i = 0; i < e->m->nvars; i++) {
    int v = e->m->order[i];
    if (e->m->vars[v].kind != VAR_DRAW) continue;
    if (ixp_var_reads_any(e->m, &e->m->vars[v])) {
      at_least = true;
      continue;
    }
    no = 0;
    outcomes(e, v, &no, state_limit(1));
    states *= (double)no;
    if (states > (double)limit) too_many_states(e, v, states, at_least, limit);
  }
}

/* Evaluate a draw's arguments in the loaded state, checking their types. */
void ixp_draw_args(IxpSession *s, const IxpModelVar *var, const IxpFrame *f, IxpValue *args) {
  for (int i = 0; i < var->expr->nitems && i < 3; i++) {
    args[i] = ixp_eval(s, var->expr->items[i]->a, f);
    IxpType want = var->dist->args[i];
    if (args[i].type != want && want != TY_ANY && !(want == TY_RANGE && args[i].type == TY_VEC))
      ixp_runtime_error(s, f->model->src, var->expr->items[i]->span, "%s needs a %s here, not a %s",
                        var->dist->signature, ixp_type_name(want), ixp_type_name(args[i].type));
  }
}

static void draw_args(Enum *e, int v, IxpValue *args) {
  IxpFrame f = {e->m, e->vals, e->params};
  ixp_draw_args(e->s, &e->m->vars[v], &f, args);
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
  int k = var->ncomponents, *comp = ixp_arena_alloc(ixp_session_tmp(e->s), (size_t)k * sizeof *comp);
  int found = components(e, v, comp);
  uint64_t key = ixp_rng_key(e->key, (uint64_t)v, 0);
  IxpValue args[3];
  char err[256];
  load_state(e, 0);
  draw_args(e, v, args);
  if (var->dist->check(args, err, sizeof err)) fail_at(e, var->expr, "%s%s", err, "");
  if (var->dist->dimension(args) != k || found != k)
    ixp_runtime_error(e->s, e->m->src, var->expr->span, "%s gives %d values for %d variables", var->dist->signature,
                      var->dist->dimension(args), k);
  double *x = ixp_arena_alloc(ixp_session_tmp(e->s), (size_t)k * sizeof *x);
  double *work = ixp_arena_alloc(ixp_session_tmp(e->s), (size_t)k * (size_t)k * sizeof *work);
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
  int *comp = ixp_arena_alloc(ixp_session_tmp(e->s), (size_t)var->ncomponents * sizeof *comp), k = components(e, v, comp);
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
  bool constant = !ixp_var_reads_any(e->m, var);
  size_t no = 0;
  char err[256];
  for (size_t k = 0; k < n; k++) {
    if (!constant || k == 0) {
      load_state(e, k);
      draw_args(e, v, args);
      if (var->dist->check && var->dist->check(args, err, sizeof err)) fail_at(e, var->expr, "%s%s", err, "");
      if (var->dist->outcomes) outcomes_of(e, v, args, &no, state_limit(1));
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

/* --------------------------------------------------------------- draws */

/* Set the memo up for draw v: its parents, and whether it can be used. */
static void memo_begin(Enum *e, int v) {
  Memo *mo = &e->memo;
  IxpModelVar *var = &e->m->vars[v];
  int bits = 0;
  memo_free(mo);
  for (int u = 0; u < e->m->nvars; u++)
    if (ixp_var_reads(var, u)) mo->parent[mo->nparents++] = u, bits += e->j->field[u].bits;
  mo->on = bits <= 64 && !ixp_calls_extern(var->expr);
}

/* The parents' codes in state k, packed into one key. */
static uint64_t memo_key(const Enum *e, size_t k) {
  uint64_t key = 0;
  for (int i = 0; i < e->memo.nparents; i++) {
    int u = e->memo.parent[i];
    key = key << e->j->field[u].bits | ixp_joint_code(e->j, u, k);
  }
  return key;
}

/* The slot of key, or the empty slot where it goes (cap > used). */
static size_t memo_slot(const Memo *mo, uint64_t key) {
  size_t m = mo->cap - 1, i = (size_t)ixp_mix64(key) & m;
  while (mo->count[i] && mo->keys[i] != key) i = (i + 1) & m;
  return i;
}

/* Room for `need` codes and probabilities in two arrays of capacity *cap. */
static bool grow_pair(uint32_t **code, double **p, size_t *cap, size_t need) {
  if (need <= *cap && *code && *p) return true;
  size_t n = *cap ? *cap : 16;
  while (n < need) n *= 2;
  if (!ixp_resize(code, n, sizeof **code) || !ixp_resize(p, n, sizeof **p)) return false;
  *cap = n;
  return true;
}

/* Remember no outcomes for key; a full memo just stops remembering. */
static void memo_put(Memo *mo, uint64_t key, const uint32_t *code, const double *p, size_t no) {
  if (mo->used + 1 > MEMO_MAX_SLOTS || mo->n + no > MEMO_MAX_OUTCOMES) return;
  if (2 * (mo->used + 1) > mo->cap) {
    Memo bigger = *mo;
    bigger.cap = mo->cap ? 2 * mo->cap : 64;
    bigger.keys = malloc(bigger.cap * sizeof *bigger.keys);
    bigger.start = malloc(bigger.cap * sizeof *bigger.start);
    bigger.count = calloc(bigger.cap, sizeof *bigger.count);
    if (!bigger.keys || !bigger.start || !bigger.count) {
      free(bigger.keys), free(bigger.start), free(bigger.count);
      return;
    }
    for (size_t i = 0; i < mo->cap; i++)
      if (mo->count[i]) {
        size_t t = memo_slot(&bigger, mo->keys[i]);
        bigger.keys[t] = mo->keys[i], bigger.start[t] = mo->start[i], bigger.count[t] = mo->count[i];
      }
    free(mo->keys), free(mo->start), free(mo->count);
    *mo = bigger;
  }
  if (!grow_pair(&mo->code, &mo->p, &mo->capn, mo->n + no)) return;
  size_t i = memo_slot(mo, key);
  memcpy(mo->code + mo->n, code, no * sizeof *code);
  memcpy(mo->p + mo->n, p, no * sizeof *p);
  mo->keys[i] = key, mo->start[i] = (uint32_t)mo->n, mo->count[i] = (uint32_t)no;
  mo->n += no;
  mo->used++;
}

/* v's outcomes in state k, evaluated: codes and probabilities in e->ocode
 * and e->op; their number. */
static size_t evaluate_outcomes(Enum *e, int v, size_t k) {
  size_t no = 0;
  load_state(e, k);
  IxpOutcome *o = outcomes(e, v, &no, state_limit(e->j ? e->j->words : 1));  /* a lower cap counts states, not outcomes */
  if (!grow_pair(&e->ocode, &e->op, &e->capo, no)) out_of_memory(e, v);
  for (size_t i = 0; i < no; i++) e->ocode[i] = code_of(e, v, o[i].value), e->op[i] = o[i].p;
  return no;
}

/* v's outcomes in state k (codes and probabilities): remembered for its
 * parents' codes, else evaluated (and remembered). Their number. */
static size_t state_outcomes(Enum *e, int v, size_t k, const uint32_t **code, const double **p) {
  Memo *mo = &e->memo;
  uint64_t key = 0;
  if (mo->on && mo->cap) {
    size_t i = memo_slot(mo, key = memo_key(e, k));
    if (mo->count[i]) {
      *code = mo->code + mo->start[i], *p = mo->p + mo->start[i];
      return mo->count[i];
    }
  } else if (mo->on) {
    key = memo_key(e, k);
  }
  size_t no = evaluate_outcomes(e, v, k);
  if (mo->on) memo_put(mo, key, e->ocode, e->op, no);
  *code = e->ocode, *p = e->op;
  return no;
}

/* Pass 1 of a draw: the number of states once v is drawn, refused past
 * the limit before anything is allocated; v's alphabet is then complete. */
static size_t count_draw(Enum *e, int v) {
  IxpJoint *j = e->j;
  size_t limit = current_limit(e), total = 0;
  const uint32_t *code;
  const double *p;
  if (!ixp_var_reads_any(e->m, &e->m->vars[v])) {  /* the same outcomes in every state */
    double all = (double)state_outcomes(e, v, 0, &code, &p) * (double)j->n;
    if (all > (double)limit) too_many(e, v, all, limit);
    return (size_t)all;
  }
  for (size_t k = 0; k < j->n; k++) {
    size_t no = state_outcomes(e, v, k, &code, &p);
    if ((double)total + (double)no > (double)limit) too_many(e, v, (double)total + (double)no, limit);
    total += no;
  }
  return total;
}

/* Pass 2: every state becomes one state per outcome, in place, from the
 * last state back (state k's outcomes land at or after k, so no state is
 * overwritten before it is read). The order is state by state, outcome by
 * outcome, as the outcomes come. */
static void expand_draw(Enum *e, int v, size_t total) {
  IxpJoint *j = e->j;
  int words = ixp_joint_place(j, v, j->alpha[v].card);
  size_t limit = limit_at(e, words);
  if (total > limit) too_many(e, v, (double)total, limit);
  if (ixp_joint_pack_grow(j, total, words) != IXP_JOINT_OK) out_of_memory(e, v);
  const IxpCodeField f = j->field[v];
  size_t W = (size_t)words, pos = total;
  uint64_t *key = j->key;
  for (size_t k = j->n; k-- > 0;) {
    const uint32_t *code;
    const double *p;
    size_t no = state_outcomes(e, v, k, &code, &p);
    double pk = j->p[k];
    for (size_t i = no; i-- > 0;) {
      pos--;
      for (size_t w = 0; w < W; w++) key[pos * W + w] = key[k * W + w];
      if (f.bits) key[pos * W + f.word] |= (uint64_t)code[i] << f.shift;
      j->p[pos] = pk * p[i];
    }
  }
  j->n = total;
  j->cap = total;
  e->assigned[v] = true;
}

/* Multiply every state by v's outcomes (which may depend on the state). */
static void draw_var(Enum *e, int v) {
  memo_begin(e, v);
  size_t total = count_draw(e, v);
  expand_draw(e, v, total);
  memo_free(&e->memo);
}

/* ---------------------------------------------------------------- tables */

static void table_rows(Enum *e) {
  IxpAst *rows = e->m->table->b;
  IxpSession *s = e->s;
  IxpFrame f = {e->m, e->vals, e->params};
  IxpNum exact = ixp_num_int(0);
  IxpKSum sum = {0, 0};
  uint32_t *codes = ixp_arena_alloc(ixp_session_tmp(s), (size_t)e->m->nvars * sizeof *codes);
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
  if (ixp_joint_pack_grow(e->j, 1, 0) != IXP_JOINT_OK)
    ixp_runtime_error(e->s, m->src, m->decl->span, "out of memory enumerating model '%s'", m->name);
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
  s->enumerating = e->quiet ? NULL : e->m;
  s->enumerating_use = use;
  if (e->sampling) sample_rows(e);
  else enumerate(e);
  s->enumerating = NULL;
  s->cleanup = NULL;
  free(e->outs);
  free(e->ocode);
  free(e->op);
  arrays_free(e);
}

IxpDataset *ixp_model_sample_rows(IxpSession *s, IxpModelDef *m, const IxpValue *params, size_t n, uint64_t key,
                                  IxpSpan use) {
  const char **names = ixp_arena_alloc(ixp_session_tmp(s), (size_t)m->nvars * sizeof *names);
  for (int v = 0; v < m->nvars; v++) names[v] = m->vars[v].name;
  Enum *e = ixp_arena_alloc(ixp_session_tmp(s), sizeof *e);  /* not on the stack: an error's cleanup reads it after unwinding */
  *e = (Enum){.s = s, .m = m, .params = params, .sampling = true, .key = key};
  e->rows = ixp_dataset_new_numeric((long)n, m->nvars, names, m->continuous);
  if (!e->rows || !arrays_new(e)) {
    ixp_dataset_free(e->rows);
    arrays_free(e);
    ixp_runtime_error(s, m->src, m->decl->span, "out of memory sampling model '%s'", m->name);
  }
  for (int v = 0; v < m->nvars; v++) e->col[v] = e->rows->cols[v].value;
  ixp_progress_begin(&e->bar, "sampling", (uint64_t)n * (uint64_t)m->nvars, NULL);
  run(s, e, use);
  ixp_progress_end(&e->bar);
  return e->rows;
}

/* The full joint, cached; past `cap` states (when not 0) enumeration
 * stops with an error that names no model, *too_large set. */
static IxpJoint *joint_of(IxpSession *s, IxpModelDef *m, const IxpValue *params, size_t cap, bool *too_large,
                          IxpSpan use) {
  struct IxpModelCache *c = ixp_model_cache(s, m, params);
  if (c->joint) return c->joint;
  if (m->process && m->process->cols) return c->joint = ixp_process_window_joint(s, m, params, use);  /* a process's window */
  if (m->extern_draws)
    ixp_runtime_error(s, s->src, use, "model '%s' draws from extern functions, so it can only be sampled: "
                      "data s = sample(%s, 10000)", m->name, m->name);
  if (m->has_continuous)
    ixp_runtime_error(s, s->src, use, "model '%s' has continuous variables and cannot be enumerated; "
                      "sample it: data s = sample(%s, 10000)", m->name, m->name);
  const char **names = ixp_arena_alloc(ixp_session_tmp(s), (size_t)m->nvars * sizeof *names);
  for (int v = 0; v < m->nvars; v++) names[v] = m->vars[v].name;
  Enum *e = ixp_arena_alloc(ixp_session_tmp(s), sizeof *e);  /* not on the stack: an error's cleanup reads it after unwinding */
  *e = (Enum){.s = s, .m = m, .params = params, .cap = cap, .too_large = too_large, .quiet = cap != 0};
  e->j = m->table ? ixp_joint_new(m->nvars, names) : ixp_joint_new_packed(m->nvars, names);
  if (!e->j || !arrays_new(e)) {
    ixp_joint_free(e->j);
    arrays_free(e);
    ixp_runtime_error(s, m->src, m->decl->span, "out of memory enumerating model '%s'", m->name);
  }
  run(s, e, use);
  return c->joint = e->j;
}

IxpJoint *ixp_model_joint(IxpSession *s, IxpModelDef *m, const IxpValue *params, IxpSpan use) {
  return joint_of(s, m, params, 0, NULL, use);
}

IxpJoint *ixp_model_joint_capped(IxpSession *s, IxpModelDef *m, const IxpValue *params, size_t cap, bool *too_large,
                                 IxpSpan use) {
  return joint_of(s, m, params, cap, too_large, use);
}
