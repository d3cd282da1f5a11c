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
  return path && path->kind == AST_STR && path->str && (path->str[0] == '/' || strstr(path->str, ".."));
}

/* Whether any node at or below e names a file outside the root. The
 * walk covers all four children (ixp_ast_any skips d). */
static bool names_outside_file(const IxpAst *e) {
  if (!e) return false;
  if (e->kind == AST_EXTERN && (!e->a || e->a->kind != AST_STR || escapes_root(e->a))) return true;
  if (e->kind == AST_DATA && e->a && e->a->nitems > 0 && e->a->items[0]->a && escapes_root(e->a->items[0]->a))
    return true;
  if (names_outside_file(e->a) || names_outside_file(e->b) || names_outside_file(e->c) || names_outside_file(e->d))
    return true;
  for (int i = 0; i < e->nitems; i++)
    if (names_outside_file(e->items[i])) return true;
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
