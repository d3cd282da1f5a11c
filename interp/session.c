/* session.c — a session: the prelude, then chunks of text (a file, or REPL
 * entries) parsed, checked and run against one scope. */
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "blis/dense.h"
#include "data.h"
#include "interp.h"
#include "foreign.h"
#include "grow.h"
#include "keywords.h"
#include "parse.h"
#include "progress.h"
#include "rng.h"
#include "spread.h"

extern const char ixp_prelude_text[];

/* Names that are not keywords but that `units` reads: offered by completion. */
static const char *const unit_names[] = {"bits", "nats", NULL};

/* false (reported) when out of memory: the caller still owns src and arena */
static bool keep_chunk(IxpSession *s, IxpSource *src, IxpArena *arena) {
  if (!ixp_grow(&s->chunks, &s->capchunks, s->nchunks + 1, sizeof *s->chunks)) {
    ixp_diag_plain(&s->diag, "out of memory");
    return false;
  }
  s->chunks[s->nchunks].src = src;
  s->chunks[s->nchunks++].arena = arena;
  return true;
}

/* Run fn(s, ctx) with a fresh arena of temporaries; a runtime error
 * unwinds to here. */
static IxpStatus protected_call(IxpSession *s, void (*fn)(IxpSession *s, void *ctx), void *ctx) {
  jmp_buf here;
  s->tmp = ixp_arena_new();
  s->on_error = &here;
  IxpStatus status = IXP_OK;
  if (setjmp(here)) {
    if (s->cleanup) s->cleanup(s->cleanup_ctx);
    s->cleanup = NULL;
    s->sink = NULL;
    s->interrupted = 0;
    ixp_progress_reset();  /* an unfinished bar is erased before the error shows */
    status = IXP_ERUNTIME;
  } else {
    fn(s, ctx);
  }
  ixp_arena_free(s->tmp);
  s->tmp = NULL;
  s->on_error = NULL;
  s->running = NULL;
  return status;
}

/* An allocation that cannot be reported where it failed: a runtime error
 * at the running statement (status 4); outside one, the allocator prints
 * the error and exits with status 4. */
static void out_of_memory(void *ctx) {
  IxpSession *s = ctx;
  if (s->on_error && s->running) ixp_runtime_error(s, s->src, s->running->span, "out of memory");
}

static void exec_one(IxpSession *s, void *st) {
  IxpAst *one_st = st;
  s->running = one_st;
  IxpAst one = {.kind = AST_BLOCK, .items = &one_st, .nitems = 1};
  ixp_exec_program(s, &one);
}

static IxpStatus run_statement(IxpSession *s, IxpAst *st) { return protected_call(s, exec_one, st); }

/* Evaluate a --set value once, before the program runs, so that a value
 * that cannot be computed (1/0, an infinite number) is a usage error. */
static void eval_override(IxpSession *s, void *value) {
  IxpAst *e = value;
  s->running = e;
  IxpValue v = ixp_eval(s, e, NULL);
  if (v.type == TY_NUM && !isfinite(v.num.x))
    ixp_runtime_error(s, s->src, e->span, "the value is %s", isnan(v.num.x) ? "NaN" : "infinite");
}

/* Run the statements of a checked program in order; the first runtime
 * error stops it. */
static IxpStatus run_checked(IxpSession *s, IxpAst *program, const IxpSource *src) {
  s->src = src;
  for (int i = 0; i < program->nitems; i++)  /* every rank stops where any rank failed */
    if (ixp_spread_agree(s, run_statement(s, program->items[i])) != IXP_OK) return IXP_ERUNTIME;
  return IXP_OK;
}

/* Undo the symbols of a chunk that failed to check. */
static void rollback(IxpSession *s, int nsyms, int nmodels) {
  ixp_symbols_pop_to(s, nsyms);
  for (int i = nmodels; i < s->nmodels; i++) ixp_model_cache_free(s->models[i]);
  s->nmodels = nmodels;
}

/* Each --set names a top-level let of the program and gives it a new
 * value: a constant expression, checked here on its own, and attached to
 * the let before the program is checked (which compares their types).
 * The parsed program itself is not changed. */
static IxpStatus attach_overrides(IxpSession *s, IxpAst *program, IxpArena *arena) {
  for (int k = 0; k < s->opt.noverrides; k++) {
    const IxpOverride *o = &s->opt.overrides[k];
    IxpAst *let = NULL;
    for (int i = 0; i < program->nitems; i++)
      if (program->items[i]->kind == AST_LET && !strcmp(program->items[i]->str, o->name)) let = program->items[i];
    if (!let) {
      ixp_diag_plain(&s->diag, "--set %s: the program has no 'let %s'", o->name, o->name);
      return IXP_EUSAGE;
    }
    char name[256];
    snprintf(name, sizeof name, "--set %s", o->name);
    IxpSource *src = ixp_source_new(name, o->value, strlen(o->value));
    if (!keep_chunk(s, src, NULL)) {
      ixp_source_free(src);
      return IXP_ERUNTIME;
    }
    IxpAst *e = ixp_parse(src, arena, &s->diag, false, NULL);
    if (!e) return IXP_EUSAGE;
    if (e->nitems != 1 || e->items[0]->kind != AST_EXPR_STMT) {
      ixp_diag_error(&s->diag, src, (IxpSpan){0, (uint32_t)src->len}, "--set needs one expression");
      return IXP_EUSAGE;
    }
    IxpAst *probe = ixp_ast_new(arena, AST_BLOCK, e->items[0]->a->span);
    ixp_ast_push(arena, probe, e->items[0]);
    IxpScope scope = ixp_symbols_set_aside(s);  /* an override is a constant: it may use functions only */
    int errors = ixp_check_program(s, probe, src, arena);
    ixp_symbols_restore(s, scope);
    if (errors) return IXP_EUSAGE;
    const IxpSource *running = s->src;
    s->src = src;
    IxpStatus st = protected_call(s, eval_override, e->items[0]->a);
    s->src = running;
    if (st != IXP_OK) return IXP_EUSAGE;
    let->sem.override = e->items[0]->a;
    let->sem.override_src = src;
  }
  return IXP_OK;
}

/* Parse, check and run one chunk. `entry`: a REPL entry, which may end
 * mid-statement (IXP_INCOMPLETE asks for more); `top`: the program file,
 * to which --set applies. */
static IxpStatus run_text(IxpSession *s, const char *name, const char *text, size_t len, bool top, bool entry) {
  s->interrupted = 0;  /* a Ctrl-C that came after the last run ended */
  IxpSource *src = ixp_source_new(name, text, len);
  IxpArena *arena = ixp_arena_new();
  if (!src || !arena) {
    ixp_source_free(src);
    ixp_arena_free(arena);
    return IXP_ERUNTIME;
  }
  if (!keep_chunk(s, src, arena)) {
    ixp_source_free(src);
    ixp_arena_free(arena);
    return IXP_ERUNTIME;
  }
  bool incomplete = false;
  if (entry && !ixp_parse(src, arena, &s->diag, true, &incomplete) && incomplete) return IXP_INCOMPLETE;
  IxpAst *program = ixp_parse(src, arena, &s->diag, false, NULL);
  if (!program) return IXP_ECOMPILE;
  if (top && s->opt.noverrides) {
    IxpStatus st = attach_overrides(s, program, arena);
    if (st != IXP_OK) return st;
  }
  int nsyms = s->nsyms, nmodels = s->nmodels;
  s->override_mismatch = false;
  if (ixp_check_program(s, program, src, arena) || ixp_data_load(s, program)) {
    rollback(s, nsyms, nmodels);
    return s->override_mismatch ? IXP_EUSAGE : IXP_ECOMPILE;
  }
  if (s->opt.check_only) return IXP_OK;
  int failed = s->expect_fail;
  IxpStatus st = run_checked(s, program, src);
  if (st == IXP_OK && s->expect_fail > failed) st = IXP_EEXPECT;
  return st;
}

IxpSession *ixp_session_new(const IxpOptions *opt) {
  IxpSession *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  /* The most threads a BLIS call may take (dense.h gives a call threads
   * only when its work pays for them and the cores are idle): no more
   * than processors, as BLIS threads wait for each other by spinning. */
  int threads = omp_get_max_threads(), procs = omp_get_num_procs();
  ixp_dense_set_threads(threads < procs ? threads : procs);
  ixp_library_open(&s->lib);
  ixp_arena_on_out_of_memory(out_of_memory, s);
  ixp_on_out_of_memory(out_of_memory, s);
  s->opt = *opt;
  s->out = opt->out ? opt->out : stdout;
  s->diag.out = opt->err ? opt->err : stderr;
  s->diag.max_errors = 50;
  ixp_spread_open(s);
  s->loading_prelude = true;
  IxpOptions keep = s->opt;
  s->opt.repl = false;
  s->opt.explain = false;
  s->opt.noverrides = 0;
  s->opt.check_only = false;
  IxpStatus st = run_text(s, "<prelude>", ixp_prelude_text, strlen(ixp_prelude_text), false, false);
  s->opt = keep;
  s->loading_prelude = false;
  if (st != IXP_OK) {
    ixp_session_free(s);
    return NULL;
  }
  return s;
}

char *ixp_program_path(const IxpSource *src, const char *name, IxpArena *arena) {
  const char *slash = strrchr(src->name, '/');
  size_t dirlen = slash && name[0] != '/' ? (size_t)(slash - src->name) + 1 : 0;
  char *path = ixp_arena_alloc(arena, dirlen + strlen(name) + 1);
  memcpy(path, src->name, dirlen);
  strcpy(path + dirlen, name);
  return path;
}

void ixp_session_input(IxpSession *s, const char *role, const char *path) {
  for (int i = 0; i < s->ninputs; i++)
    if (!strcmp(s->inputs[i].role, role) && !strcmp(s->inputs[i].path, path)) return;
  if (!ixp_grow(&s->inputs, &s->capinputs, s->ninputs + 1, sizeof *s->inputs)) ixp_out_of_memory();
  s->inputs[s->ninputs].role = strdup(role);
  s->inputs[s->ninputs++].path = strdup(path);
}

void ixp_session_seed_text(const IxpSession *s, char *buf, size_t size) {
  snprintf(buf, size, "%llu", (unsigned long long)s->seed);
}

const char *ixp_session_input_same(const IxpSession *s, const char *path, const char **role) {
  struct stat out, in;
  if (stat(path, &out) != 0) return NULL;
  for (int i = 0; i < s->ninputs; i++)
    if (stat(s->inputs[i].path, &in) == 0 && in.st_dev == out.st_dev && in.st_ino == out.st_ino) {
      *role = s->inputs[i].role;
      return s->inputs[i].path;
    }
  return NULL;
}

bool ixp_session_input_at(const IxpSession *s, int i, const char **role, const char **path) {
  if (i < 0 || i >= s->ninputs) return false;
  *role = s->inputs[i].role;
  *path = s->inputs[i].path;
  return true;
}

IxpFfiLib *ixp_session_library(IxpSession *s, const char *path, char *err, size_t size) {
  for (int i = 0; i < s->nlibs; i++)
    if (!strcmp(s->libs[i].path, path)) return s->libs[i].lib;
  IxpFfiLib *lib = ixp_ffi_open(path, s->opt.isolate, err, size);
  if (!lib) return NULL;
  ixp_ffi_set_limits(lib, s->opt.isolate_timeout, &s->interrupted);
  if (!ixp_grow(&s->libs, &s->caplibs, s->nlibs + 1, sizeof *s->libs)) {
    ixp_ffi_close(lib);
    snprintf(err, size, "out of memory");
    return NULL;
  }
  s->libs[s->nlibs].path = strdup(path);
  s->libs[s->nlibs++].lib = lib;
  ixp_session_input(s, "extern", path);
  return lib;
}

void ixp_session_free(IxpSession *s) {
  if (!s) return;
  ixp_arena_on_out_of_memory(NULL, NULL);
  ixp_on_out_of_memory(NULL, NULL);
  ixp_spread_close(s);
  free(s->explained);
  for (int i = 0; i < s->nmodels; i++) ixp_model_cache_free(s->models[i]);
  for (int i = 0; i < s->nglobals; i++) ixp_value_release(&s->globals[i]);
  for (int i = 0; i < s->nchunks; i++) {
    ixp_source_free(s->chunks[i].src);
    ixp_arena_free(s->chunks[i].arena);
  }
  /* after the arenas: functions bound in them are released first */
  for (int i = 0; i < s->nlibs; i++) {
    ixp_ffi_close(s->libs[i].lib);
    free(s->libs[i].path);
  }
  for (int i = 0; i < s->ninputs; i++) {
    free(s->inputs[i].role);
    free(s->inputs[i].path);
  }
  free(s->libs);
  free(s->inputs);
  free(s->chunks);
  free(s->models);
  ixp_symbols_free(s);
  free(s->globals);
  free(s->versions);
  free(s->experiment);
  free(s);
}

IxpStatus ixp_session_run(IxpSession *s, const char *name, const char *text, size_t len) {
  return run_text(s, name, text, len, !s->opt.repl, s->opt.repl);
}

IxpStatus ixp_session_run_script(IxpSession *s, const char *name, const char *text, size_t len) {
  return run_text(s, name, text, len, false, false);
}

IxpStatus ixp_session_run_file(IxpSession *s, const char *path) {
  IxpSource *src = ixp_source_load(path);
  if (!src && errno == EISDIR) {
    ixp_diag_plain(&s->diag, "'%s' is a folder, not an .ixp program", path);
    return IXP_EUSAGE;
  }
  if (!src) {
    ixp_diag_plain(&s->diag, "cannot read '%s': %s", path, strerror(errno));
    return IXP_EUSAGE;
  }
  ixp_session_input(s, "source", path);
  IxpStatus st = run_text(s, path, src->text, src->len, !s->opt.repl, false);
  ixp_source_free(src);
  return st;
}

IxpStatus ixp_session_explain(IxpSession *s, const char *name, const char *text, size_t len) {
  bool was = s->opt.explain;
  s->opt.explain = true;
  IxpStatus st = run_text(s, name, text, len, false, false);
  s->opt.explain = was;
  return st;
}

void ixp_session_expect_counts(const IxpSession *s, int *passed, int *failed) {
  *passed = s->expect_pass;
  *failed = s->expect_fail;
}

void ixp_session_interrupt(IxpSession *s) {
  s->interrupted = 1;
  ixp_progress_stop();
}

/* Only the newest definition of each name is in scope. */
static bool shadowed(const IxpSession *s, int i) { return ixp_lookup(s, s->syms[i].name) != &s->syms[i]; }

void ixp_session_print_vars(IxpSession *s, FILE *out) {
  int digits = s->opt.digits == 0 ? 6 : s->opt.digits;
  for (int i = 0; i < s->nsyms; i++) {
    const IxpSymbol *sym = &s->syms[i];
    if (sym->prelude || shadowed(s, i)) continue;
    if (sym->kind == SYM_LET) {
      fprintf(out, "let %s = ", sym->name);
      ixp_value_print(out, &s->globals[sym->slot], digits);
      fputc('\n', out);
    } else if (sym->kind == SYM_EXTERN) {  /* its declaration as written */
      fprintf(out, "extern %.*s\n", (int)(sym->decl->span.end - sym->decl->span.start), sym->src->text + sym->decl->span.start);
    } else {
      fprintf(out, "model %s(", sym->name);
      for (int v = 0; v < sym->model->nvars; v++) fprintf(out, v ? ", %s" : "%s", sym->model->vars[v].name);
      fputs(")\n", out);
    }
  }
}

static void offer(const char *name, const char *prefix, void (*fn)(const char *, void *), void *ctx) {
  if (!strncmp(name, prefix, strlen(prefix))) fn(name, ctx);
}

void ixp_session_complete(IxpSession *s, const char *prefix, void (*fn)(const char *name, void *ctx), void *ctx) {
  for (int i = 0; ixp_keyword_at(i); i++) offer(ixp_keyword_at(i), prefix, fn, ctx);
  for (int i = 0; unit_names[i]; i++) offer(unit_names[i], prefix, fn, ctx);
  for (int i = 0; i < s->lib.nbuiltins; i++) offer(s->lib.builtins[i]->name, prefix, fn, ctx);
  for (int i = 0; i < s->lib.nmeasures; i++) offer(s->lib.measures[i]->name, prefix, fn, ctx);
  for (int i = 0; i < s->lib.ndistributions; i++) offer(s->lib.distributions[i]->name, prefix, fn, ctx);
  for (int i = 0; i < s->nsyms; i++) {
    if (shadowed(s, i)) continue;
    offer(s->syms[i].name, prefix, fn, ctx);
    if (s->syms[i].kind != SYM_MODEL) continue;
    const IxpModelDef *m = s->syms[i].model;
    for (int v = 0; v < m->nvars; v++) offer(m->vars[v].name, prefix, fn, ctx);
  }
}

/* ------------------------------------------------------ for the libraries */

double ixp_units_scale(const IxpSession *s) { return s->nats ? 1 : 1 / M_LN2; }

const char *ixp_units_name(const IxpSession *s) { return s->nats ? "nats" : "bits"; }

IxpArena *ixp_session_tmp(IxpSession *s) { return s->tmp; }

uint64_t ixp_stream_key(const IxpSession *s, uint64_t position, uint64_t purpose) {
  return ixp_rng_key(s->seed ^ s->pass, position, purpose);
}

const volatile sig_atomic_t *ixp_session_stop_flag(const IxpSession *s) { return &s->interrupted; }

void ixp_session_poll_interrupt(IxpSession *s, const IxpSource *src, IxpSpan span) {
  if (!s->interrupted) return;
  s->interrupted = 0;
  s->interrupt_raised = true;
  ixp_runtime_error(s, src, span, "interrupted");
}
