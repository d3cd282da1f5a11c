/* frontend.c — fuzzing harness of the front end: a program text (up to
 * 1 MB) is lexed, parsed, checked and lowered in a fresh session, and
 * the .npy files it names are read, exactly as `ixp run` does before the
 * first statement runs; nothing runs (IxpOptions.check_only), so nothing
 * is written.
 *
 * The checker reads the data files a program names and opens the extern
 * libraries it declares. A program is checked only when every such path
 * stays inside IXP_FUZZ_ROOT (relative, without ".."), whose files are
 * copies of the example data and example extern libraries: a fuzzed
 * program can neither read /dev/zero nor load an arbitrary system
 * library (whose constructors would run). Other programs are only
 * parsed. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "interp.h"
#include "parse.h"

/* A path the checker would resolve outside the fuzzing root. */
static bool escapes_root(const IxpAst *path) {
  return path && path->kind == AST_STR && (path->str[0] == '/' || strstr(path->str, ".."));
}

/* Whether a statement of `block`, or of the sweep and model bodies in
 * it, names a file outside the root. Only statements hold extern blocks
 * and data statements, so expressions (whatever their depth) are not
 * walked. */
static bool names_outside_file(const IxpAst *block) {
  for (int i = 0; block && i < block->nitems; i++) {
    const IxpAst *st = block->items[i];
    if (st->kind == AST_EXTERN && escapes_root(st->a)) return true;
    if (st->kind == AST_DATA && st->a->nitems > 0 && escapes_root(st->a->items[0]->a)) return true;
    if ((st->kind == AST_SWEEP || st->kind == AST_MODEL) && names_outside_file(st->b)) return true;
  }
  return false;
}

/* Parse on the side, quietly, to look at the paths before checking. */
static bool safe_to_check(const char *name, const char *text, size_t len) {
  IxpSource *src = ixp_source_new(name, text, len);
  IxpArena *arena = ixp_arena_new();
  IxpDiag quiet = {.out = ixp_fuzz_sink(), .max_errors = 1};
  IxpAst *program = src && arena ? ixp_parse(src, arena, &quiet, true, NULL) : NULL;
  bool safe = program && !names_outside_file(program);
  ixp_arena_free(arena);
  ixp_source_free(src);
  return safe;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  ixp_fuzz_one_thread();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *name = IXP_FUZZ_ROOT "/fuzz.ixp", *text = (const char *)data;
  if (!safe_to_check(name, text, size)) return 0;
  IxpOptions opt = {.out = ixp_fuzz_sink(), .err = ixp_fuzz_sink(), .check_only = true};
  IxpSession *s = ixp_session_new(&opt);
  if (!s) abort();
  ixp_session_run_script(s, name, text, size);
  ixp_session_free(s);
  return 0;
}
