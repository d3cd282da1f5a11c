/* eliminate.c — marginals of models by variable elimination.
 *
 * Every variable of a discrete model is a factor: its conditional table
 * given the variables it reads (a definition's table holds 0 and 1). The
 * marginal on the measured variables is the product of the factors of
 * them and their ancestors (the other variables are barren: summed out,
 * their factors give 1), with the ancestors that are not measured summed
 * out one at a time, in an order chosen greedily so that each step makes
 * the smallest factor. A chain of 200 binary variables is then 200 small
 * tables instead of 2^200 states.
 *
 * The tables are evaluated for every combination of the parents' values,
 * including combinations that never occur together. An error there only
 * means elimination is not used: the full enumeration, which evaluates
 * the states that occur, reports the errors that are real.
 *
 * Small models are not eliminated: their enumeration is tried first,
 * stopped (quietly) past IXP_ELIM_SMALL_JOINT states, so they cost what
 * they did and give the same results. */
#include "eliminate.h"

#include <math.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "distributions.h"
#include "factor.h"
#include "grow.h"

/* Elimination serves models of at most ELIM_MAX_VARS variables (its
 * variable sets are fixed words); wider ones are enumerated. */
#define ELIM_MAX_VARS 1024
#define WORDS (ELIM_MAX_VARS / 64)
/* The most parent combinations evaluated over all tables. */
#define MAX_EVALUATIONS ((size_t)1 << 20)

typedef struct {
  uint64_t w[WORDS];
} VarSet;

static bool in_set(const VarSet *s, int v) { return s->w[v >> 6] >> (v & 63) & 1; }
static void add_to_set(VarSet *s, int v) { s->w[v >> 6] |= (uint64_t)1 << (v & 63); }

typedef enum { TABLE_OK, TABLE_UNKNOWN, TABLE_FAIL } TableStatus;

typedef struct {
  IxpSession *s;
  IxpModelDef *m;
  const IxpValue *params;
  size_t cap;
  IxpAlphabet *alpha;                   /* each variable's alphabet, codes in order of appearance */
  bool *relevant;                       /* measured, or read by a measured variable (even indirectly) */
  bool *need;
  bool *known;                          /* its alphabet is complete */
  IxpFactor *cpt;                       /* relevant variables' conditional tables */
  double *vals;                         /* (each of these has one entry per model variable) */
  double full;                          /* product of the draws' alphabet sizes (those evaluated) */
  double work;                          /* entries of every table and product elimination makes */
  size_t evaluations;
  IxpOutcome *outs;
  size_t *tcombo;                       /* one variable's table as (combination, code, p) */
  uint32_t *tcode;
  double *tp;
  size_t nt, capt;
  IxpFactor *f;                         /* the factors while eliminating */
  int nf;
  IxpElimination *info;
} Elim;

static void elim_free(Elim *e) {
  for (int v = 0; e->alpha && v < e->m->nvars; v++) free(e->alpha[v].values), free(e->alpha[v].slots);
  free(e->alpha);
  for (int v = 0; e->cpt && v < e->m->nvars; v++) ixp_factor_free(&e->cpt[v]);
  free(e->relevant), free(e->need), free(e->known), free(e->cpt), free(e->vals);
  for (int i = 0; i < e->nf; i++) ixp_factor_free(&e->f[i]);
  free(e->f);
  free(e->outs);
  free(e->tcombo), free(e->tcode), free(e->tp);
  ixp_elimination_free(e->info);
  free(e);
}

void ixp_elimination_free(IxpElimination *info) {
  if (!info) return;
  free(info->order);
  free(info);
}

/* ------------------------------------------------------------ applicability */

/* Discrete draws with finitely many outcomes and definitions, none calling
 * an extern function (those are called once per state, as documented). */
static bool applies(const IxpModelDef *m) {
  if (m->table || m->data || m->has_continuous || m->extern_draws || m->gaussian || m->nvars > ELIM_MAX_VARS) return false;
  for (int v = 0; v < m->nvars; v++) {
    const IxpModelVar *var = &m->vars[v];
    if (var->kind == VAR_DRAW && (!var->dist || !var->dist->outcomes || var->ncomponents > 1)) return false;
    if (var->kind != VAR_DRAW && var->kind != VAR_DEFINE) return false;
    if (ixp_calls_extern(var->expr)) return false;
  }
  return true;
}

/* The measured variables and their ancestors (reverse dependency order). */
static int mark_relevant(Elim *e) {
  IxpModelDef *m = e->m;
  int n = 0;
  for (int i = m->nvars; i-- > 0;) {
    int v = m->order[i];
    if (!e->relevant[v]) continue;
    n++;
    for (int u = 0; u < m->nvars; u++)
      if (ixp_var_reads(&m->vars[v], u)) e->relevant[u] = true;
  }
  return n;
}

/* ------------------------------------------------------------------ tables */

static bool push_entry(Elim *e, size_t combo, uint32_t code, double p) {
  if (code == UINT32_MAX) return false;
  if (e->nt == e->capt) {
    size_t cap = e->capt ? 2 * e->capt : 64;
    if (!ixp_resize(&e->tcombo, cap, sizeof *e->tcombo) || !ixp_resize(&e->tcode, cap, sizeof *e->tcode) ||
        !ixp_resize(&e->tp, cap, sizeof *e->tp))
      return false;
    e->capt = cap;
  }
  e->tcombo[e->nt] = combo, e->tcode[e->nt] = code, e->tp[e->nt++] = p;
  return true;
}

/* v's outcomes for the parents' values in e->vals, as entries of combo;
 * the number of outcomes, or -1 (an error: elimination does not apply). */
static long evaluate(Elim *e, int v, size_t combo) {
  IxpModelVar *var = &e->m->vars[v];
  IxpFrame f = {e->m, e->vals, e->params};
  IxpAlphabet *a = &e->alpha[v];
  if (var->kind == VAR_DEFINE) {
    double x = ixp_eval_number(e->s, var->expr, &f);
    return isfinite(x) && push_entry(e, combo, ixp_alphabet_code(a, x), 1) ? 1 : -1;
  }
  IxpValue args[3];
  ixp_draw_args(e->s, var, &f, args);  /* an error unwinds the quiet attempt: elimination does not apply */
  char err[256];
  size_t no = 0;
  free(e->outs);
  e->outs = NULL;
  if (var->dist->outcomes(args, &e->outs, &no, e->cap, err, sizeof err)) return -1;
  for (size_t i = 0; i < no; i++)
    if (!push_entry(e, combo, ixp_alphabet_code(a, e->outs[i].value), e->outs[i].p)) return -1;
  return (long)no;
}

/* v's table as a factor over its parents and itself (ascending ids),
 * from the entries e->t*. */
static TableStatus make_factor(Elim *e, int v, const int *par, const uint32_t *card, int np) {
  int var[ELIM_MAX_VARS], pos = 0;
  uint32_t cards[ELIM_MAX_VARS];
  size_t stride[ELIM_MAX_VARS];
  while (pos < np && par[pos] < v) pos++;
  for (int i = 0, t = 0; i <= np; i++) {
    var[i] = i == pos ? v : par[t];
    cards[i] = i == pos ? e->alpha[v].card : card[t];
    if (i != pos) t++;
  }
  if (!ixp_factor_entries(cards, np + 1, e->cap)) return TABLE_FAIL;
  IxpFactor *f = &e->cpt[v];
  if (!ixp_factor_init(f, np + 1, var, cards)) return TABLE_FAIL;
  for (int i = np + 1; i-- > 0;) stride[i] = i == np ? 1 : stride[i + 1] * cards[i + 1];
  for (size_t k = 0; k < e->nt; k++) {
    size_t combo = e->tcombo[k], idx = (size_t)e->tcode[k] * stride[pos];
    for (int t = np; t-- > 0;) {  /* the combination's digits, the last parent fastest */
      idx += combo % card[t] * stride[t < pos ? t : t + 1];
      combo /= card[t];
    }
    f->t[idx] += e->tp[k];
  }
  if (f->size > e->info->largest) e->info->largest = f->size;
  return TABLE_OK;
}

/* Evaluate v for every combination of its parents' values: its alphabet
 * and, when it is relevant, its conditional table. UNKNOWN: a barren
 * variable with too many combinations (its alphabet is not known). */
static TableStatus table_of(Elim *e, int v) {
  IxpModelVar *var = &e->m->vars[v];
  int par[ELIM_MAX_VARS], np = 0;
  uint32_t card[ELIM_MAX_VARS], digit[ELIM_MAX_VARS];
  for (int u = 0; u < e->m->nvars; u++)
    if (ixp_var_reads(var, u)) {
      if (!e->known[u]) return e->relevant[v] ? TABLE_FAIL : TABLE_UNKNOWN;
      par[np] = u, card[np++] = e->alpha[u].card;
    }
  memset(digit, 0, (size_t)np * sizeof *digit);
  size_t combos = ixp_factor_entries(card, np, e->cap);
  if (!combos || e->evaluations + combos > MAX_EVALUATIONS) return e->relevant[v] ? TABLE_FAIL : TABLE_UNKNOWN;
  e->evaluations += combos;
  e->nt = 0;
  for (size_t c = 0; c < combos; c++) {
    if (e->s->interrupted) return TABLE_FAIL;  /* left set: the enumeration that follows stops */
    for (int i = 0; i < np; i++) e->vals[par[i]] = e->alpha[par[i]].values[digit[i]];
    if (evaluate(e, v, c) < 0) return TABLE_FAIL;
    for (int i = np; i-- > 0 && ++digit[i] == card[i];) digit[i] = 0;
  }
  e->known[v] = true;
  if (var->kind == VAR_DRAW) e->full *= e->alpha[v].card;
  return e->relevant[v] ? make_factor(e, v, par, card, np) : TABLE_OK;
}

/* Whether the full joint is known to be larger than elimination's work
 * (and not small). */
static bool pays(const Elim *e) { return e->full > IXP_ELIM_SMALL_JOINT && e->full > e->work; }

/* The relevant variables' tables (`barren` false), or the barren
 * variables' alphabets until the full joint is known to be large enough
 * for elimination to pay: their values are not needed otherwise. */
static TableStatus tables(Elim *e, bool barren) {
  for (int i = 0; i < e->m->nvars && !(barren && pays(e)); i++) {
    int v = e->m->order[i];
    if (e->relevant[v] == barren) continue;
    TableStatus st = table_of(e, v);
    if (st == TABLE_FAIL) return st;
    if (st == TABLE_UNKNOWN) e->full = INFINITY;
  }
  return TABLE_OK;
}

/* Run fn(ctx) with runtime errors caught and not reported; false when
 * one unwound it (the kernel buffers it held are freed). An interrupt
 * caught here is re-armed, so the work that follows stops for it. */
static bool quietly(IxpSession *s, void (*fn)(void *), void *ctx) {
  int errors = s->diag.errors, max_errors = s->diag.max_errors;
  void (*cleanup)(void *) = s->cleanup;
  void *cleanup_ctx = s->cleanup_ctx;
  jmp_buf here, *outer = s->on_error;
  volatile bool ok = false;
  s->diag.max_errors = -1;  /* every error is past the limit: none is printed */
  s->on_error = &here;
  s->interrupt_raised = false;
  if (!setjmp(here)) {
    fn(ctx);
    ok = true;
  } else {
    if (s->cleanup && s->cleanup != cleanup) s->cleanup(s->cleanup_ctx);
    if (s->interrupt_raised) s->interrupted = 1;
  }
  s->on_error = outer;
  s->cleanup = cleanup, s->cleanup_ctx = cleanup_ctx;
  s->diag.errors = errors, s->diag.max_errors = max_errors;
  return ok;
}

typedef struct {
  Elim *e;
  bool barren;
  TableStatus st;
} TablesCall;

static void tables_call(void *ctx) {
  TablesCall *t = ctx;
  t->st = tables(t->e, t->barren);
}

/* The tables (see the top: an error only means elimination is not used). */
static TableStatus tables_quietly(Elim *e, bool barren) {
  TablesCall t = {e, barren, TABLE_FAIL};
  return quietly(e->s, tables_call, &t) ? t.st : TABLE_FAIL;
}

/* ------------------------------------------------------------------- order */

/* Entries of a factor over the variables of set u (a double: no overflow). */
static double set_entries(const Elim *e, const VarSet *u) {
  double n = 1;
  for (int w = 0; w < WORDS; w++)
    for (uint64_t bits = u->w[w]; bits; bits &= bits - 1) n *= e->alpha[w * 64 + __builtin_ctzll(bits)].card;
  return n;
}

/* The union of the scopes holding v. */
static VarSet neighbourhood(const VarSet *scope, int nf, int v) {
  VarSet u = {{0}};
  for (int k = 0; k < nf; k++)
    if (in_set(&scope[k], v))
      for (int w = 0; w < WORDS; w++) u.w[w] |= scope[k].w[w];
  return u;
}

/* What summing v out costs: the entries of the product (all) and of the
 * factor it leaves (out). */
typedef struct {
  double all, out;
} Cost;

static Cost cost_of(const Elim *e, const VarSet *scope, int nf, int v) {
  VarSet u = neighbourhood(scope, nf, v);
  double all = set_entries(e, &u);
  return (Cost){all, all / e->alpha[v].card};
}

/* Choose the order greedily: at each step the variable whose factor, once
 * it is summed out, is smallest (then the smallest product, then the
 * lowest index). Works on the factors' scopes only; a step changes the
 * costs of the variables of the factor it makes only. Sets info->order
 * and adds to *work the entries of every table and product; false past
 * the cap. */
static bool plan_order(Elim *e, double *work) {
  int nv = e->m->nvars, nf = 0;
  VarSet *scope = malloc((size_t)nv * sizeof *scope);
  Cost *cost = malloc((size_t)nv * sizeof *cost);
  bool *left = calloc((size_t)nv, sizeof *left), ok = scope && cost && left;
  IxpElimination *info = e->info;
  if (ok && !(info->order = malloc((size_t)nv * sizeof *info->order))) ok = false;
  for (int v = 0; ok && v < nv; v++)
    if (e->relevant[v]) {
      memset(&scope[nf], 0, sizeof *scope);
      for (int i = 0; i < e->cpt[v].n; i++) add_to_set(&scope[nf], e->cpt[v].var[i]);
      *work += (double)e->cpt[v].size;
      nf++;
    }
  for (int v = 0; ok && v < nv; v++)
    if ((left[v] = e->relevant[v] && !e->need[v])) cost[v] = cost_of(e, scope, nf, v);
  while (ok) {
    int best = -1;
    for (int v = 0; v < nv; v++)
      if (left[v] && (best < 0 || cost[v].out < cost[best].out ||
                      (cost[v].out == cost[best].out && cost[v].all < cost[best].all)))
        best = v;
    if (best < 0) break;
    if (cost[best].all > (double)e->cap) ok = false;
    left[best] = false;
    info->order[info->norder++] = best;
    *work += cost[best].all;
    VarSet made = neighbourhood(scope, nf, best);
    made.w[best >> 6] &= ~((uint64_t)1 << (best & 63));
    int kept = 0;
    for (int k = 0; k < nf; k++)
      if (!in_set(&scope[k], best)) scope[kept++] = scope[k];
    scope[kept] = made;
    nf = kept + 1;
    for (int w = 0; w < WORDS; w++)
      for (uint64_t bits = made.w[w]; bits; bits &= bits - 1) {
        int v = w * 64 + __builtin_ctzll(bits);
        if (left[v]) cost[v] = cost_of(e, scope, nf, v);
      }
  }
  if (ok) {  /* the last product, over the measured variables */
    VarSet all = {{0}};
    for (int k = 0; k < nf; k++)
      for (int w = 0; w < WORDS; w++) all.w[w] |= scope[k].w[w];
    double n = set_entries(e, &all);
    ok = n <= (double)e->cap;
    *work += n;
  }
  free(scope), free(cost), free(left);
  return ok;
}

/* ---------------------------------------------------------------- products */

/* Multiply the factors whose scope holds `elim` (all of them for -1),
 * summing elim out, into one factor that replaces them. */
static bool combine(Elim *e, int elim) {
  const IxpFactor **use = malloc((size_t)(e->nf ? e->nf : 1) * sizeof *use);
  int nuse = 0, kept = 0;
  if (!use) return false;
  for (int k = 0; k < e->nf; k++) {
    bool holds = elim < 0;
    for (int i = 0; i < e->f[k].n && !holds; i++) holds = e->f[k].var[i] == elim;
    if (holds) use[nuse++] = &e->f[k];
  }
  IxpFactor out;
  bool ok = ixp_factor_product_sum(use, nuse, elim, &out);
  free(use);
  if (!ok) return false;
  for (int k = 0; k < e->nf; k++) {
    bool holds = elim < 0;
    for (int i = 0; i < e->f[k].n && !holds; i++) holds = e->f[k].var[i] == elim;
    if (holds) ixp_factor_free(&e->f[k]);
    else e->f[kept++] = e->f[k];
  }
  e->f[kept] = out;
  e->nf = kept + 1;
  if (out.size > e->info->largest) e->info->largest = out.size;
  return true;
}

static bool run_order(Elim *e) {
  if (!(e->f = malloc((size_t)e->m->nvars * sizeof *e->f))) return false;
  for (int v = 0; v < e->m->nvars; v++)
    if (e->relevant[v]) e->f[e->nf++] = e->cpt[v], memset(&e->cpt[v], 0, sizeof e->cpt[v]);
  for (int i = 0; i < e->info->norder; i++)
    if (!combine(e, e->info->order[i])) return false;
  return combine(e, -1);
}

/* ------------------------------------------------------------------- joint */

/* The states of the final factor of positive probability, as a joint. */
static IxpJoint *to_joint(Elim *e, const int *need, int k, bool embed) {
  IxpModelDef *m = e->m;
  const IxpFactor *f = &e->f[0];
  int nv = embed ? m->nvars : k, col[ELIM_MAX_VARS];
  const char *names[ELIM_MAX_VARS];
  uint32_t codes[ELIM_MAX_VARS], digit[IXP_MAX_VARS] = {0};  /* k <= 64 */
  memset(codes, 0, (size_t)nv * sizeof *codes);
  for (int v = 0; v < nv; v++) names[v] = m->vars[embed ? v : need[v]].name;
  for (int i = 0; i < k; i++) col[i] = embed ? need[i] : i;
  IxpJoint *j = ixp_joint_new(nv, names);
  bool ok = j && f->n == k;
  for (int v = 0; ok && v < nv; v++)
    if (embed && !e->need[v]) ok = ixp_alphabet_code(&j->alpha[v], 0) == 0;
  for (size_t o = 0; ok && o < f->size; o++) {
    if (f->t[o] > 0) {
      for (int i = 0; i < k; i++) {
        double x = e->alpha[need[i]].values[digit[i]];
        ok &= (codes[col[i]] = ixp_alphabet_code(&j->alpha[col[i]], x)) != UINT32_MAX;
      }
      ok = ok && ixp_joint_push(j, codes, f->t[o]) == IXP_JOINT_OK;
    }
    for (int i = k; i-- > 0 && ++digit[i] == f->card[i];) digit[i] = 0;
  }
  if (ok && ixp_joint_finish(j) == IXP_JOINT_OK) return j;
  ixp_joint_free(j);
  return NULL;
}

/* ------------------------------------------------------------------ entry */

IxpJoint *ixp_eliminate(IxpSession *s, IxpModelDef *m, const IxpValue *params, const int *need, int k, bool embed,
                        size_t cap, bool only_if_pays, IxpElimination **info) {
  *info = NULL;
  if (k < 1 || k > IXP_MAX_VARS || !applies(m)) return NULL;
  Elim *e = calloc(1, sizeof *e);
  if (!e) return NULL;
  *e = (Elim){.s = s, .m = m, .params = params, .cap = cap, .full = 1};
  size_t nv = (size_t)m->nvars;
  e->alpha = calloc(nv, sizeof *e->alpha);
  e->info = calloc(1, sizeof *e->info);
  e->relevant = calloc(nv, sizeof *e->relevant), e->need = calloc(nv, sizeof *e->need);
  e->known = calloc(nv, sizeof *e->known), e->cpt = calloc(nv, sizeof *e->cpt), e->vals = calloc(nv, sizeof *e->vals);
  if (!e->alpha || !e->info || !e->relevant || !e->need || !e->known || !e->cpt || !e->vals) {
    elim_free(e);
    return NULL;
  }
  for (int i = 0; i < k; i++) e->relevant[need[i]] = e->need[need[i]] = true;
  e->info->nbarren = m->nvars - mark_relevant(e);
  IxpJoint *j = NULL;
  if (tables_quietly(e, false) == TABLE_OK && plan_order(e, &e->work) &&
      (!only_if_pays || (tables_quietly(e, true) == TABLE_OK && pays(e))) && run_order(e))
    j = to_joint(e, need, k, embed);
  if (j) {
    *info = e->info;
    e->info = NULL;
  }
  elim_free(e);
  return j;
}

/* ------------------------------------------------------ measured marginals */

static IxpModelMarginal *find_marginal(struct IxpModelCache *c, const int *vars, int k, bool embed) {
  for (int i = 0; i < c->nmarginals; i++) {
    IxpModelMarginal *g = &c->marginals[i];
    if (g->nvars == k && g->embed == embed && !memcmp(g->vars, vars, (size_t)k * sizeof *vars)) return g;
  }
  return NULL;
}

/* Keep j (and elim) in the cache; both are freed when that fails. */
static IxpJoint *keep(IxpSession *s, IxpModelDef *m, struct IxpModelCache *c, const int *vars, int k, bool embed,
                      IxpJoint *j, IxpElimination *elim, IxpSpan use) {
  int *copy = malloc((size_t)k * sizeof *copy);
  if (!copy || !ixp_grow(&c->marginals, &c->capmarginals, c->nmarginals + 1, sizeof *c->marginals)) {
    free(copy);
    ixp_joint_free(j);
    ixp_elimination_free(elim);
    ixp_runtime_error(s, s->src, use, "out of memory measuring model '%s'", m->name);
  }
  memcpy(copy, vars, (size_t)k * sizeof *copy);
  c->marginals[c->nmarginals++] = (IxpModelMarginal){copy, k, embed, j, elim};
  return j;
}

typedef struct {
  IxpSession *s;
  IxpModelDef *m;
  const IxpValue *params;
  IxpSpan use;
  bool too_large;
} SmallCall;

static void small_call(void *ctx) {
  SmallCall *c = ctx;
  ixp_model_joint_capped(c->s, c->m, c->params, (size_t)IXP_ELIM_SMALL_JOINT, &c->too_large, c->use);
}

/* Whether the full joint has more than IXP_ELIM_SMALL_JOINT states: it is
 * enumerated (and cached) when it has not, or when enumerating fails for
 * another reason (the full enumeration then reports it). A yes is kept
 * with the cache, so other measures of the model do not try again. */
static bool large(IxpSession *s, IxpModelDef *m, const IxpValue *params, struct IxpModelCache *cache, IxpSpan use) {
  SmallCall c = {s, m, params, use, false};
  if (!cache->large) cache->large = !quietly(s, small_call, &c) && c.too_large;
  return cache->large;
}

IxpJoint *ixp_model_marginal(IxpSession *s, IxpModelDef *m, const IxpValue *params, const int *vars, int k,
                             bool compact, IxpSpan use) {
  struct IxpModelCache *c = ixp_model_cache(s, m, params);
  if (c->joint && !compact) return c->joint;
  IxpModelMarginal *g = find_marginal(c, vars, k, !compact);
  if (g) return g->joint;
  if (!c->joint && applies(m) && large(s, m, params, c, use)) {
    IxpElimination *elim;
    IxpJoint *j = ixp_eliminate(s, m, params, vars, k, !compact, IXP_ELIM_MAX_ENTRIES, true, &elim);
    if (j) return keep(s, m, c, vars, k, !compact, j, elim, use);
  }
  IxpJoint *full = ixp_model_joint(s, m, params, use), *j = NULL;
  if (!compact) return full;
  IxpJointStatus st = ixp_joint_marginal_vars(full, vars, k, &j);
  if (st != IXP_JOINT_OK) ixp_runtime_error(s, s->src, use, "model '%s': %s", m->name, ixp_joint_status_text(st));
  return keep(s, m, c, vars, k, false, j, NULL, use);
}

const IxpElimination *ixp_model_elimination(const IxpModelDef *m, const IxpJoint *j) {
  const struct IxpModelCache *c = m->cache;
  for (int i = 0; c && i < c->nmarginals; i++)
    if (c->marginals[i].joint == j) return c->marginals[i].elim;
  return NULL;
}
