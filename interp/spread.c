/* spread.c — one run over the ranks of `mpirun` (see spread.h). */
#include "spread.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "progress.h"
#include "ranks.h"
#include "record.h"

/* A rank above 0: its diagnostics, kept until the agreement after each
 * statement says whether rank 0 must print them. */
struct IxpSpread {
  FILE *err;
  char *buf;
  size_t len, mark;  /* mark: where the running statement's diagnostics start */
};

void ixp_spread_open(IxpSession *s) {
  if (ixp_ranks_size() == 1 || ixp_ranks_rank() == 0) return;
  IxpSpread *sp = calloc(1, sizeof *sp);
  if (!sp) ixp_ranks_abort(IXP_ERUNTIME);
  sp->err = open_memstream(&sp->buf, &sp->len);
  if (!sp->err) ixp_ranks_abort(IXP_ERUNTIME);
  s->spread = sp;
  s->diag.out = sp->err;
}

void ixp_spread_close(IxpSession *s) {
  IxpSpread *sp = s->spread;
  if (!sp) return;
  fclose(sp->err);
  free(sp->buf);
  free(sp);
  s->spread = NULL;
  s->diag.out = stderr;
}

IxpStatus ixp_spread_agree(IxpSession *s, IxpStatus status) {
  if (ixp_ranks_size() == 1) return status;
  IxpSpread *sp = s->spread;
  const char *msg = NULL;
  size_t n = 0;
  if (sp) {
    fflush(sp->err);
    msg = sp->buf + sp->mark, n = sp->len - sp->mark;
    sp->mark = sp->len;
  }
  int agreed;
  char *text;
  size_t len;
  int first = ixp_ranks_agree((int)status, msg, n, &agreed, &text, &len);
  if (first > 0 && ixp_ranks_rank() == 0) {  /* rank 0 succeeded: it prints the failed rank's message */
    fwrite(text, 1, len, s->diag.out);
    fflush(s->diag.out);
  }
  free(text);
  return first < 0 ? IXP_OK : (IxpStatus)agreed;
}

/* ------------------------------------------------------ which sweeps split */

static const char *body_reason(const IxpAst *block) {
  for (int i = 0; i < block->nitems; i++) {
    const IxpAst *st = block->items[i];
    switch (st->kind) {
    case AST_UNITS: return "its body sets `units`, which the passes after it read";
    case AST_SEED: return "its body sets `seed`, which the passes after it read";
    case AST_EXPERIMENT: return "its body names the experiment";
    case AST_PLOT: return "its body draws a plot to a file";
    case AST_SWEEP: {
      if (st->c) return "a sweep in its body writes one file over every pass";
      const char *why = body_reason(st->b);
      if (why) return why;
      break;
    }
    default: break;
    }
  }
  return NULL;
}

const char *ixp_spread_unsplit_reason(const IxpAst *sweep) { return body_reason(sweep->b); }

bool ixp_spread_splits(const IxpSession *s, const IxpAst *sweep, int64_t n) {
  return ixp_ranks_size() > 1 && n > 1 && !s->opt.explain && !s->sink && !ixp_spread_unsplit_reason(sweep);
}

void ixp_spread_explain(IxpSession *s, const IxpAst *sweep, int64_t n) {
  int line, col;
  ixp_source_position(s->src, sweep->span.start, &line, &col);
  const char *why = ixp_spread_unsplit_reason(sweep);
  fprintf(s->out, "sweep %s at line %d: %" PRId64 " pass%s, ", sweep->str, line, n, n == 1 ? "" : "es");
  if (why) fprintf(s->out, "every rank runs every pass (not split: %s)\n", why);
  else fputs("split across ranks by pass index in contiguous blocks (rank 0 prints, writes and records)\n", s->out);
}

/* ----------------------------------------------------------- pass logs */

typedef struct {
  unsigned char *p;
  size_t n, cap;
} Buf;

static void put(Buf *b, const void *x, size_t n) {
  if (b->n + n > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + n) cap *= 2;
    unsigned char *p = realloc(b->p, cap);
    if (!p) ixp_out_of_memory();
    b->p = p, b->cap = cap;
  }
  if (n) memcpy(b->p + b->n, x, n);
  b->n += n;
}

static void put_u64(Buf *b, uint64_t x) { put(b, &x, sizeof x); }
static void put_i32(Buf *b, int32_t x) { put(b, &x, sizeof x); }
static void put_f64(Buf *b, double x) { put(b, &x, sizeof x); }

/* Bytes with their length, then a NUL (so text reads in place). */
static void put_blob(Buf *b, const void *x, size_t n) {
  put_u64(b, n);
  put(b, x, n);
  put(b, "", 1);
}

static void put_str(Buf *b, const char *s) { put_blob(b, s ? s : "", s ? strlen(s) : 0); }

typedef struct {
  const unsigned char *p, *end;
} Reader;

static void take(Reader *r, void *x, size_t n) {
  if ((size_t)(r->end - r->p) < n) ixp_ranks_abort(IXP_ERUNTIME);  /* a log this build wrote: cannot happen */
  memcpy(x, r->p, n);
  r->p += n;
}

static uint64_t get_u64(Reader *r) {
  uint64_t x;
  take(r, &x, sizeof x);
  return x;
}

static int32_t get_i32(Reader *r) {
  int32_t x;
  take(r, &x, sizeof x);
  return x;
}

static double get_f64(Reader *r) {
  double x;
  take(r, &x, sizeof x);
  return x;
}

static const char *get_blob(Reader *r, size_t *n) {
  uint64_t len = get_u64(r);
  if ((uint64_t)(r->end - r->p) < len + 1) ixp_ranks_abort(IXP_ERUNTIME);
  const char *at = (const char *)r->p;
  r->p += len + 1;
  if (n) *n = (size_t)len;
  return at;
}

/* ------------------------------------------------------ running a pass */

/* Results reported inside a pass, as they will be replayed. */
typedef struct {
  Buf buf;
  int32_t count;
} Results;

static void capture_result(void *ctx, const IxpResultInfo *r) {
  Results *res = ctx;
  put_str(&res->buf, r->kind);
  put_str(&res->buf, r->name);
  put_str(&res->buf, r->file);
  put_i32(&res->buf, r->line);
  put_i32(&res->buf, r->col);
  put_f64(&res->buf, r->rtol);
  char *value = r->value_json ? strdup(r->value_json) : ixp_runrec_value_text(r->value);
  if (!value) ixp_out_of_memory();
  put_str(&res->buf, value);
  free(value);
  res->count++;
}

typedef void RunPass(IxpSession *s, void *ctx, int64_t i);

/* Pass i, a runtime error caught: its status. */
static IxpStatus guarded_pass(IxpSession *s, RunPass *run_pass, void *ctx, int64_t i) {
  IxpSink *sink = s->sink;
  jmp_buf here, *outer = s->on_error;
  s->on_error = &here;
  IxpStatus status = IXP_OK;
  if (setjmp(here)) {
    if (s->cleanup) s->cleanup(s->cleanup_ctx);
    s->cleanup = NULL;
    s->sink = sink;
    ixp_progress_reset();
    status = IXP_ERUNTIME;
  } else {
    run_pass(s, ctx, i);
  }
  s->on_error = outer;
  return status;
}

/* The rows pass i emitted (from row `from` of the sink) into the log, and
 * out of the sink: every rank takes every pass's rows from the replay. */
static void log_rows(Buf *log, IxpSink *k, int from) {
  put_i32(log, k->nrows - from);
  put_i32(log, k->ncols);
  for (int r = from; r < k->nrows; r++)
    for (int c = 0; c < k->ncols; c++) {
      IxpValue *v = &k->cells[(size_t)r * (size_t)k->ncols + (size_t)c];
      put_i32(log, v->type == TY_STR);
      if (v->type == TY_STR) put_str(log, v->str);
      else put_f64(log, v->num.x);
      ixp_value_release(v);
    }
  k->nrows = from;
}

/* Pass i run with everything it shows captured, appended to `log`. The
 * session's counters are left as they were: the replay adds them. */
static IxpStatus run_logged(IxpSession *s, RunPass *run_pass, void *ctx, int64_t i, Buf *log) {
  char *out_buf = NULL, *err_buf = NULL;
  size_t out_len = 0, err_len = 0;
  FILE *out = open_memstream(&out_buf, &out_len), *err = open_memstream(&err_buf, &err_len);
  if (!out || !err) ixp_out_of_memory();
  FILE *shown = s->out, *diag = s->diag.out;
  void (*on_result)(void *, const IxpResultInfo *) = s->opt.on_result;
  void *result_ctx = s->opt.result_ctx;
  Results res = {0};
  int errors = s->diag.errors, passed = s->expect_pass, failed = s->expect_fail, inputs = s->ninputs;
  int rows = s->sink->nrows;
  uint64_t cache_uses = s->model_cache_uses;
  int max_errors = s->diag.max_errors;  /* the replay applies the cap */
  s->out = out, s->diag.out = err, s->diag.max_errors = 0, s->opt.on_result = capture_result, s->opt.result_ctx = &res;
  IxpStatus status = guarded_pass(s, run_pass, ctx, i);
  s->out = shown, s->diag.out = diag, s->diag.max_errors = max_errors, s->opt.on_result = on_result,
  s->opt.result_ctx = result_ctx;
  fclose(out);
  fclose(err);
  put_u64(log, (uint64_t)i);
  put_i32(log, (int32_t)status);
  put_i32(log, s->model_cache_uses != cache_uses);
  put_blob(log, out_buf, out_len);
  put_blob(log, err_buf, err_len);
  free(out_buf);
  free(err_buf);
  put_i32(log, s->diag.errors - errors);
  put_i32(log, s->expect_pass - passed);
  put_i32(log, s->expect_fail - failed);
  s->diag.errors = errors, s->expect_pass = passed, s->expect_fail = failed;
  put_i32(log, s->ninputs - inputs);
  for (int k = inputs; k < s->ninputs; k++) {
    put_str(log, s->inputs[k].role);
    put_str(log, s->inputs[k].path);
  }
  put_i32(log, res.count);
  put_blob(log, res.buf.p, res.buf.n);
  free(res.buf.p);
  log_rows(log, s->sink, rows);
  return status;
}

/* ---------------------------------------------------------- the replay */

static void replay_results(IxpSession *s, Reader *r, int count) {
  for (int k = 0; k < count; k++) {
    IxpResultInfo info = {0};
    info.kind = get_blob(r, NULL);
    info.name = get_blob(r, NULL);
    info.file = get_blob(r, NULL);
    info.line = get_i32(r);
    info.col = get_i32(r);
    info.rtol = get_f64(r);
    info.value_json = get_blob(r, NULL);
    if (s->opt.on_result) s->opt.on_result(s->opt.result_ctx, &info);
  }
}

static void replay_rows(IxpSession *s, Reader *r) {
  IxpSink *k = s->sink;
  int nrows = get_i32(r), ncols = get_i32(r);
  if (!nrows) return;
  if (!k->ncols) {  /* this rank emitted nothing itself */
    k->ncols = ncols;
    k->labels = ixp_arena_alloc(s->tmp, (size_t)ncols * sizeof *k->labels);
  }
  if (!ixp_grow(&k->cells, &k->cap, k->nrows + nrows, (size_t)k->ncols * sizeof *k->cells)) ixp_out_of_memory();
  for (int row = 0; row < nrows; row++) {
    IxpValue *cells = &k->cells[(size_t)k->nrows * (size_t)k->ncols];
    for (int c = 0; c < ncols; c++) {
      if (get_i32(r)) {
        IxpValue text = {.type = TY_STR, .str = (char *)get_blob(r, NULL)};
        cells[c] = ixp_value_dup(&text);
      } else {
        cells[c] = ixp_value_real(get_f64(r));
      }
    }
    k->nrows++;
  }
}

/* One pass's log: rank 0 shows its output and results; every rank counts
 * its expectations, notes its inputs and takes its rows. The pass's
 * status; *cached: whether it used a model's cache. */
static IxpStatus replay_pass(IxpSession *s, Reader *r, bool *cached) {
  bool root = ixp_ranks_rank() == 0;
  (void)get_u64(r);
  IxpStatus status = (IxpStatus)get_i32(r);
  *cached = get_i32(r);
  size_t out_len, err_len;
  const char *out = get_blob(r, &out_len), *err = get_blob(r, &err_len);
  /* Past the cap on reported errors (diag.h) a pass's messages are left
   * out whole; a pass that crosses it shows all of its own (the one
   * difference from one process: its last few are not cut). */
  bool capped = s->diag.max_errors && s->diag.errors >= s->diag.max_errors;
  if (root) {
    fwrite(out, 1, out_len, s->out);
    if (!capped) fwrite(err, 1, err_len, s->diag.out);
  }
  s->diag.errors += get_i32(r);
  s->expect_pass += get_i32(r);
  s->expect_fail += get_i32(r);
  for (int k = get_i32(r); k > 0; k--) {
    const char *role = get_blob(r, NULL);
    ixp_session_input(s, role, get_blob(r, NULL));
  }
  int count = get_i32(r);
  size_t len;
  const char *results = get_blob(r, &len);
  Reader sub = {(const unsigned char *)results, (const unsigned char *)results + len};
  replay_results(s, &sub, count);
  replay_rows(s, r);
  return status;
}

/* What the sweep leaves behind (the models' caches) must be what the
 * last pass left, as in the one-process run: a later statement may reuse
 * a marginal the last pass computed, and a marginal computed afresh can
 * differ from it in the last bits. So when the last pass used a model's
 * cache, the ranks that did not run it run it again, everything it shows
 * thrown away. (Every pass runs the same statements, so the models the
 * last pass used are those the others used.) */
static void settle(IxpSession *s, RunPass *run_pass, void *ctx, int64_t last) {
  Buf scratch = {0};
  (void)run_logged(s, run_pass, ctx, last, &scratch);
  free(scratch.p);
}

void ixp_spread_sweep(IxpSession *s, int64_t n, RunPass *run_pass, void *ctx) {
  uint64_t lo, hi;
  ixp_ranks_block((uint64_t)n, ixp_ranks_rank(), ixp_ranks_size(), &lo, &hi);
  Buf log = {0};
  for (uint64_t i = lo; i < hi; i++)
    if (run_logged(s, run_pass, ctx, (int64_t)i, &log) != IXP_OK) break;  /* the block ends at a failed pass */
  size_t len, *offsets = NULL;
  unsigned char *all = ixp_ranks_gather_bytes(log.p, log.n, &len, &offsets);
  free(log.p);
  free(offsets);
  if (!all) ixp_out_of_memory();
  Reader r = {all, all + len};
  IxpStatus failed = IXP_OK;
  bool cached = false;  /* by the last pass */
  while (r.p < r.end && failed == IXP_OK) failed = replay_pass(s, &r, &cached);
  free(all);
  fflush(s->out);
  if (failed != IXP_OK) longjmp(*s->on_error, 1);  /* its message is out already */
  if (hi < (uint64_t)n && cached) settle(s, run_pass, ctx, n - 1);
}
