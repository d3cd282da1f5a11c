/* measures_time.c — information dynamics: measures of a time series or
 * process, each an ordinary measure (mi or entropy) of its variables at
 * lags.
 *
 *   te(y -> x, k, l, tau, delay)   I(x[t]; y[t-u], .., y[t-u-(l-1)tau] | x[t-1], .., x[t-1-(k-1)tau])
 *   te(y -> x | z)                 ... and z[t-u], .., z[t-u-(l-1)tau] in the condition
 *   te(y -> x, delay = 1 .. 10)    the largest over the delays, and its delay
 *   ais(x, k, tau)                 I(x[t]; x[t-1], .., x[t-1-(k-1)tau])
 *   entropy_rate(x, k, tau)        H(x[t] | x[t-1], .., x[t-1-(k-1)tau])
 *   predictive_info(x, k)          I(x[t-k+1 .. t]; x[t+1 .. t+k])
 *   di(x -> y, n)                  sum_{i=1..n} I(x_1 .. x_i; y_i | y_1 .. y_{i-1}) on n consecutive steps
 *
 * The rules only list the lagged arguments (IxpTimeCall, measures.h); the
 * checker measures them on the source's view, so every estimator and
 * exact rule that measures mi and entropy measures these. */
#include <stdlib.h>
#include <string.h>

#include "library.h"
#include "measures.h"

/* ------------------------------------------------------------- options */

static const IxpTimeOption *find_option(const IxpTimeCall *tc, const char *name) {
  for (int i = 0; i < tc->noptions; i++)
    if (!strcmp(tc->options[i].name, name)) return &tc->options[i];
  return NULL;
}

/* Every option is one of `known` (space-separated). */
static bool known_options(IxpLowering *lw, const char *known) {
  const IxpTimeCall *tc = lw->time;
  for (int i = 0; i < tc->noptions; i++) {
    const char *name = tc->options[i].name, *w = known;
    size_t n = strlen(name);
    bool found = false;
    for (; *w; w += strcspn(w, " "), w += *w == ' ')
      if (strcspn(w, " ") == n && !strncmp(w, name, n)) found = true;
    if (!found) return ixp_lower_error(lw, tc->options[i].node->span, "%s takes the options %s", lw->measure->name, known);
  }
  return true;
}

/* Option `name`, a whole number from lo to hi (dflt when not given; a
 * range only where `range` is given). */
static bool whole(IxpLowering *lw, const char *name, long dflt, long lo, long hi, long *out, long *range_hi) {
  const IxpTimeOption *o = find_option(lw->time, name);
  *out = dflt;
  if (range_hi) *range_hi = dflt;
  if (!o) return true;
  if (o->range && !range_hi)
    return ixp_lower_error(lw, o->node->span, "%s of %s is one whole number, not a range", name, lw->measure->name);
  if (o->lo < lo || o->hi > hi || o->lo > o->hi)
    return ixp_lower_error(lw, o->node->span, "%s of %s is a whole number from %ld to %ld%s", name, lw->measure->name, lo,
                           hi, o->range ? ", and a range of them goes up: 1 .. 10" : "");
  *out = o->lo;
  if (range_hi) *range_hi = o->hi;
  return true;
}

/* ---------------------------------------------------------- the lists */

static void push(IxpLowering *lw, int var, long lag, IxpOp sep, IxpAst *node) {
  IxpTimeCall *tc = lw->time;
  if (tc->n == tc->cap) {
    int cap = tc->cap ? 2 * tc->cap : 16;
    IxpLag *cols = ixp_arena_alloc(lw->arena, (size_t)cap * sizeof *cols);
    IxpOp *seps = ixp_arena_alloc(lw->arena, (size_t)cap * sizeof *seps);
    IxpAst **nodes = ixp_arena_alloc(lw->arena, (size_t)cap * sizeof *nodes);
    if (tc->n) {
      memcpy(cols, tc->cols, (size_t)tc->n * sizeof *cols);
      memcpy(seps, tc->seps, (size_t)tc->n * sizeof *seps);
      memcpy(nodes, tc->nodes, (size_t)tc->n * sizeof *nodes);
    }
    tc->cols = cols, tc->seps = seps, tc->nodes = nodes, tc->cap = cap;
  }
  bool first = tc->n == tc->start[tc->nterms];
  tc->cols[tc->n] = (IxpLag){var, (int)lag};
  tc->seps[tc->n] = first ? OP_NONE : sep;
  tc->nodes[tc->n++] = node;
}

/* The variables of side `k` at lags first, first + step, ..., count of
 * them each (variable by variable); the first entry takes `sep`. */
static void push_side(IxpLowering *lw, const int *side, int k, long first, long step, long count, IxpOp sep) {
  for (int i = 0; i < lw->nargs; i++) {
    if (side[i] != k) continue;
    for (long j = 0; j < count; j++) {
      push(lw, lw->args[i].var, first + j * step, sep, lw->args[i].node);
      sep = SEP_COMMA;
    }
  }
}

/* Room for n terms; start the first. */
static void terms(IxpLowering *lw, int n, const char *measure, IxpTimeCombine how) {
  IxpTimeCall *tc = lw->time;
  tc->start = ixp_arena_alloc(lw->arena, (size_t)(n + 1) * sizeof *tc->start);
  tc->delay = ixp_arena_alloc(lw->arena, (size_t)n * sizeof *tc->delay);
  tc->start[0] = 0;
  tc->nterms = 0;
  tc->measure = measure;
  tc->combine = n == 1 ? IXP_TIME_ONE : how;
}

static void end_term(IxpLowering *lw) {
  IxpTimeCall *tc = lw->time;
  tc->start[++tc->nterms] = tc->n;
}

/* The sides of the arguments split at seps; the number reached, or -1
 * (also when a side listed as needed is empty). */
static int split(IxpLowering *lw, const IxpOp *seps, int nseps, int **side, int need) {
  *side = ixp_arena_alloc(lw->arena, (size_t)(lw->nargs ? lw->nargs : 1) * sizeof **side);
  int n = ixp_lower_sides(lw, seps, nseps, *side);
  if (n < need) return -1;
  for (int k = 0; k < need; k++) {
    bool any = false;
    for (int i = 0; i < lw->nargs; i++) any |= (*side)[i] == k;
    if (!any) return -1;
  }
  return n;
}

/* Whether a variable is on two sides (te(x -> x)). */
static int shared_var(const IxpLowering *lw, const int *side) {
  for (int i = 0; i < lw->nargs; i++)
    for (int j = 0; j < i; j++)
      if (lw->args[i].var == lw->args[j].var && side[i] != side[j]) return i;
  return -1;
}

static bool not_lowered_here(IxpLowering *lw) {
  return ixp_lower_error(lw, lw->call->span, "%s measures a time series: a dataset or a process", lw->measure->name);
}

/* --------------------------------------------------------------- rules */

static bool lower_te(IxpLowering *lw) {
  if (!lw->time) return not_lowered_here(lw);
  static const IxpOp seps[] = {SEP_ARROW, SEP_BAR};
  int *side, at;
  if (split(lw, seps, 2, &side, 2) < 0)
    return ixp_lower_error(lw, lw->call->span, "te names a source, '->', a target, then any conditions after '|': "
                           "te(y -> x), te(y -> x | z)");
  if ((at = shared_var(lw, side)) >= 0)
    return ixp_lower_error(lw, lw->args[at].node->span, "a variable of te is either the source, the target or a condition");
  long k, l, tau, lo, hi;
  if (!known_options(lw, "k l tau delay") || !whole(lw, "k", 1, 0, 1000, &k, NULL) || !whole(lw, "l", 1, 1, 1000, &l, NULL) ||
      !whole(lw, "tau", 1, 1, 1000, &tau, NULL) || !whole(lw, "delay", 1, 0, 100000, &lo, &hi))
    return false;
  terms(lw, (int)(hi - lo + 1), "mi", IXP_TIME_BEST);
  for (long u = lo; u <= hi; u++) {
    lw->time->delay[lw->time->nterms] = u;
    push_side(lw, side, 1, 0, 1, 1, OP_NONE);            /* x[t] */
    push_side(lw, side, 0, u, tau, l, SEP_SEMI);          /* y[t-u .. t-u-(l-1)tau] */
    push_side(lw, side, 1, 1, tau, k, SEP_BAR);           /* x[t-1 .. t-1-(k-1)tau] */
    push_side(lw, side, 2, u, tau, l, k ? SEP_COMMA : SEP_BAR);  /* z[t-u ..] */
    end_term(lw);
  }
  return true;
}

/* A measure of one side of variables (ais, entropy_rate, predictive_info). */
static bool one_side(IxpLowering *lw, const char *form, int **side) {
  if (split(lw, NULL, 0, side, 1) != 1)
    return ixp_lower_error(lw, lw->call->span, "%s names the variables of one series, separated by ',': %s",
                           lw->measure->name, form);
  return true;
}

static bool lower_ais(IxpLowering *lw) {
  if (!lw->time) return not_lowered_here(lw);
  int *side;
  long k, tau;
  if (!one_side(lw, "ais(x, k = 2)", &side) || !known_options(lw, "k tau") || !whole(lw, "k", 1, 1, 1000, &k, NULL) ||
      !whole(lw, "tau", 1, 1, 1000, &tau, NULL))
    return false;
  terms(lw, 1, "mi", IXP_TIME_ONE);
  push_side(lw, side, 0, 0, 1, 1, OP_NONE);
  push_side(lw, side, 0, 1, tau, k, SEP_SEMI);
  end_term(lw);
  return true;
}

static bool lower_entropy_rate(IxpLowering *lw) {
  if (!lw->time) return not_lowered_here(lw);
  int *side;
  long k, tau;
  if (!one_side(lw, "entropy_rate(x, k = 2)", &side) || !known_options(lw, "k tau")) return false;
  terms(lw, 1, "entropy", IXP_TIME_ONE);
  if (!find_option(lw->time, "k")) {
    if (!lw->time->process)
      return ixp_lower_error(lw, lw->call->span, "entropy_rate of data needs a history length: entropy_rate(x, k = 2) "
                             "(only a process has its exact limit)");
    lw->time->exact_rate = true;  /* the limit as k grows, of the variables at t */
    push_side(lw, side, 0, 0, 1, 1, OP_NONE);
    end_term(lw);
    return true;
  }
  if (!whole(lw, "k", 1, 0, 1000, &k, NULL) || !whole(lw, "tau", 1, 1, 1000, &tau, NULL)) return false;
  push_side(lw, side, 0, 0, 1, 1, OP_NONE);
  push_side(lw, side, 0, 1, tau, k, SEP_BAR);
  end_term(lw);
  return true;
}

static bool lower_predictive_info(IxpLowering *lw) {
  if (!lw->time) return not_lowered_here(lw);
  int *side;
  long k;
  if (!one_side(lw, "predictive_info(x, k = 2)", &side) || !known_options(lw, "k") || !whole(lw, "k", 1, 1, 1000, &k, NULL))
    return false;
  terms(lw, 1, "mi", IXP_TIME_ONE);
  push_side(lw, side, 0, 0, 1, k, OP_NONE);      /* x[t] .. x[t-k+1] */
  push_side(lw, side, 0, -1, -1, k, SEP_SEMI);   /* x[t+1] .. x[t+k] */
  end_term(lw);
  return true;
}

/* Massey's directed information over a window of n steps: step i
 * (1 .. n) is time t - n + i, at lag n - i. */
static bool lower_di(IxpLowering *lw) {
  if (!lw->time) return not_lowered_here(lw);
  static const IxpOp seps[] = {SEP_ARROW};
  int *side, at;
  if (split(lw, seps, 1, &side, 2) != 2)
    return ixp_lower_error(lw, lw->call->span, "di names a source, '->' and a target: di(x -> y, n = 3)");
  if ((at = shared_var(lw, side)) >= 0)
    return ixp_lower_error(lw, lw->args[at].node->span, "the source and the target of di are different variables");
  long n;
  if (!known_options(lw, "n")) return false;
  if (!find_option(lw->time, "n"))
    return ixp_lower_error(lw, lw->call->span, "di needs the number of steps: di(x -> y, n = 3)");
  if (!whole(lw, "n", 1, 1, 100, &n, NULL)) return false;
  terms(lw, (int)n, "mi", IXP_TIME_SUM);
  for (long i = 1; i <= n; i++) {
    push_side(lw, side, 0, n - i, 1, i, OP_NONE);   /* x_i, x_{i-1}, .., x_1 */
    push_side(lw, side, 1, n - i, 1, 1, SEP_SEMI);  /* y_i */
    push_side(lw, side, 1, n - i + 1, 1, i - 1, SEP_BAR);  /* y_{i-1} .. y_1 */
    end_term(lw);
  }
  return true;
}

/* Options are checked by the checker as whole numbers (IxpTimeCall). */
static const IxpOptionSpec te_options[] = {{"k", IXP_OPTION_WORD, NULL, NULL}, {"l", IXP_OPTION_WORD, NULL, NULL},
                                           {"tau", IXP_OPTION_WORD, NULL, NULL}, {"delay", IXP_OPTION_WORD, NULL, NULL},
                                           {"n", IXP_OPTION_WORD, NULL, NULL}, {NULL, IXP_OPTION_WORD, NULL, NULL}};

static const IxpMeasure registry[] = {
    {"te", "te(Y -> X | Z, k = 1, l = 1, tau = 1, delay = 1)", "transfer entropy from Y to X (conditional: given Z)",
     MEASURE_OVER_VARIABLES, lower_te, IXP_ESTIMAND_MI, te_options, NULL},
    {"ais", "ais(X, k = 1, tau = 1)", "active information storage", MEASURE_OVER_VARIABLES, lower_ais, IXP_ESTIMAND_MI,
     te_options, NULL},
    {"entropy_rate", "entropy_rate(X, k)", "entropy rate: H(X_t | k past steps), or a process's limit",
     MEASURE_OVER_VARIABLES, lower_entropy_rate, IXP_ESTIMAND_ENTROPY, te_options, NULL},
    {"predictive_info", "predictive_info(X, k = 1)", "predictive information: I(k past steps; k next steps)",
     MEASURE_OVER_VARIABLES, lower_predictive_info, IXP_ESTIMAND_MI, te_options, NULL},
    {"di", "di(X -> Y, n)", "Massey's directed information over n steps", MEASURE_OVER_VARIABLES, lower_di,
     IXP_ESTIMAND_MI, te_options, NULL},
};

bool ixp_measure_is_time(const IxpMeasure *m) {
  return m >= registry && m < registry + sizeof registry / sizeof *registry;
}

void ixp_open_time(IxpLibrary *lib) { ixp_library_add_measures(lib, registry, (int)(sizeof registry / sizeof *registry)); }
