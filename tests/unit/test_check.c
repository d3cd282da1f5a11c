/* test_check.c — the checker (interp/check.c) through a session: statuses,
 * messages, error counts, and redefinition rules of files and the REPL. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pthread.h>

#include "helpers.h"

/* Run `program` as a file expecting a compile error; returns the reports
 * (malloc'd) after asserting nothing was printed. */
static char *compile_error(const char *program) {
  char *out = NULL;
  char *err = t_fail(program, IXP_ECOMPILE, &out);
  cr_assert_str_empty(out, "a program with a compile error printed:\n%s", out);
  free(out);
  return err;
}

/* Assert that `program` fails to compile with exactly one report holding
 * every string of `want` (NULL-terminated). */
static void one_error(const char *program, const char *const *want) {
  char *err = compile_error(program);
  cr_assert_eq(t_count(err, ": error: "), 1, "wanted one error for:\n%s\ngot:\n%s", program, err);
  for (int i = 0; want[i]; i++)
    cr_assert_not_null(strstr(err, want[i]), "report lacks '%s':\n%s", want[i], err);
  free(err);
}

#define ONE_ERROR(program, ...) one_error((program), (const char *const[]){__VA_ARGS__, NULL})

/* --------------------------------------------------------------- names */

Test(check, unknown_name_suggests_a_close_one) {
  ONE_ERROR("let alpha = 1\nprint alpah", "t.ixp:2:7: error: unknown name 'alpah' (did you mean 'alpha'?)");
  /* too far from anything: no suggestion */
  char *err = compile_error("print zzzzzz");
  cr_assert_not_null(strstr(err, "unknown name 'zzzzzz'"), "%s", err);
  cr_assert_null(strstr(err, "did you mean"), "%s", err);
  free(err);
}

Test(check, unknown_names_in_measures_and_models) {
  ONE_ERROR("print mi(x; yy) in bsc", "unknown variable 'yy' in model 'bsc' (did you mean 'y'?)");
  ONE_ERROR("print entrpy(x) in bsc", "unknown function 'entrpy' (did you mean 'entropy'?)");
  ONE_ERROR("print entropy(x) in bscc", "unknown model 'bscc' (did you mean 'bsc'?)");
  ONE_ERROR("model m { x ~ bernouli(1/2) }", "unknown distribution 'bernouli' (did you mean 'bernoulli'?)");
  ONE_ERROR("model m {\n  x ~ bernoulli(1/2)\n  y = x + zz\n}", "3:11: error: unknown name 'zz' in model 'm'");
  ONE_ERROR("print entropy(x) in bsc(pp = 1)", "model 'bsc' has no parameter 'pp'");
}

Test(check, names_used_as_the_wrong_kind) {
  ONE_ERROR("print mi", "'mi' is a function: call it with arguments");
  ONE_ERROR("print bsc(1)", "'bsc' is a model, not a function");
  ONE_ERROR("print bernoulli(1/2)", "'bernoulli' is a distribution");
  ONE_ERROR("print h2(x) in bsc", "'h2' is a function, not a measure");
  ONE_ERROR("let q = 1\nprint entropy(x) in q", "'q' is a number, not a model");
  ONE_ERROR("print mi(x; y)", "mi needs a model: write mi(X; Y | Z) in MODEL");
}

/* --------------------------------------------------------------- arity */

Test(check, wrong_arity) {
  ONE_ERROR("print h2(1, 2)", "h2 takes 1 argument, not 2 (h2(p))");
  ONE_ERROR("print h2()", "h2 takes 1 argument, not 0");
  ONE_ERROR("print linspace(0, 1)", "linspace takes 3 arguments, not 2");
  ONE_ERROR("model m { x ~ bernoulli(1/2, 3) }", "bernoulli(p) takes 1 argument, not 2");
  ONE_ERROR("model m { x ~ binomial(3) }", "binomial(n, p) takes 2 arguments, not 1");
  ONE_ERROR("model n(a) { x ~ bernoulli(a) }\nprint entropy(x) in n",
            "model 'n' needs a value for its parameter 'a'");
  ONE_ERROR("print entropy(x) in bsc(p = 0.1, p = 0.2)", "parameter 'p' is given twice");
  ONE_ERROR("print entropy(x) in bsc(0.1)", "model parameters are given by name");
}

/* A builtin with a fixed maximum of arguments is described by its range:
 * `print log(1, 2, 3)` must not say "1 or more" (3 is more than 1). */
Test(check, arity_message_states_the_maximum) {
  char *err = compile_error("print log(1, 2, 3)");
  cr_assert_not_null(strstr(err, "not 3"), "%s", err);
  cr_assert_null(strstr(err, "or more"), "%s", err);
  free(err);
}

/* --------------------------------------------------------------- models */

Test(check, cyclic_definition_names_the_path) {
  ONE_ERROR("model m {\n  a = b + 1\n  b = c\n  c = a\n}",
            "t.ixp:2:3: error: cyclic definition in model 'm': a -> b -> c -> a");
  ONE_ERROR("model m {\n  z = z + 1\n}", "cyclic definition in model 'm': z -> z");
  ONE_ERROR("model m {\n  x ~ bernoulli(y)\n  y = 1 - x\n}", "cyclic definition in model 'm': x -> y -> x");
  /* A cycle reached from a variable outside it names only the cycle. */
  ONE_ERROR("model m {\n  w = a\n  a = b\n  b = a\n}", "cyclic definition in model 'm': a -> b -> a");
}

Test(check, forward_references_are_not_cycles) {
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_run(&r, "model m {\n  y = 1 - x\n  x ~ bernoulli(1/4)\n}\nprint entropy(y) in m"), IXP_OK, "%s",
               t_err(&r));
  t_close(&r);
}

Test(check, duplicate_definitions) {
  ONE_ERROR("let q = 1\nlet q = 2", "t.ixp:2:1: error: 'q' is already defined at line 1");
  ONE_ERROR("model m { x ~ bernoulli(1/2) }\n\nmodel m { w ~ bernoulli(1/2) }",
            "3:1: error: 'm' is already defined at line 1");
  ONE_ERROR("let m = 1\nmodel m { w ~ bernoulli(1/2) }", "'m' is already defined at line 1");
  ONE_ERROR("model m {\n  x ~ bernoulli(1/2)\n  x = 1\n}", "variable 'x' is defined twice in model 'm' (first at line 2)");
  ONE_ERROR("model m(p, p) { x ~ bernoulli(p) }", "parameter 'p' is listed twice");
  ONE_ERROR("model t = table (x, x) {\n0 0 : 1\n}", "variable 'x' is defined twice in model 't'");
}

Test(check, prelude_names_may_be_redefined_in_a_file) {
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_run(&r, "model bsc { x ~ bernoulli(1/4) }\nprint entropy(x) in bsc"), IXP_OK, "%s", t_err(&r));
  cr_assert_float_eq(t_value_at(t_out(&r), 0), t_h2(0.25), 1e-12);
  t_close(&r);
}

Test(check, statements_in_the_wrong_place) {
  ONE_ERROR("x ~ bernoulli(1/2)", "a draw (x ~ ...) belongs inside a model");
  ONE_ERROR("x = 1", "'x = ...' defines a model variable; outside a model write 'let x = ...'");
  ONE_ERROR("emit 1", "emit writes a row of a sweep's table and belongs inside a sweep");
  ONE_ERROR("model m {\n  x ~ bernoulli(1/2)\n  print x\n}", "a model holds draws");
  ONE_ERROR("model m {\n  x ~ bernoulli(1/2)\n  y = entropy(x) in bsc\n}", "measures cannot be used inside a model");
  ONE_ERROR("sweep p in 0 .. 1 {\n  model m { x ~ bernoulli(p) }\n}", "models are defined at the top level");
  ONE_ERROR("units bytes", "units are 'bits' or 'nats', not 'bytes'");
  ONE_ERROR("units nat", "units are 'bits' or 'nats', not 'nat' (did you mean 'nats'?)");
  ONE_ERROR("expect 1 + 1", "expect needs a comparison");
  ONE_ERROR("sweep bsc in 0 .. 1 { print 1 }", "'bsc' is a model and cannot be swept");
  ONE_ERROR("sweep p in 5 { print p }", "a sweep runs over a range");
}

Test(check, type_errors) {
  ONE_ERROR("print \"a\" + 1", "'+' needs a number, not a string");
  ONE_ERROR("print if 1 then 2 else \"b\"", "the branches of an if-expression differ: number and string");
  ONE_ERROR("print 1[0]", "only vectors and matrices can be indexed, not a number");
  ONE_ERROR("let v = [1, \"a\"]", "a vector holds numbers");
  ONE_ERROR("model m { x ~ uniform(3) }", "uniform(a .. b) needs a range here, not a number");
  ONE_ERROR("print h2(\"x\")", "h2(p) needs a number, not a string");
}

/* ------------------------------------------------------- every error, nothing run */

Test(check, every_semantic_error_is_reported) {
  const char *program =
      "print 1\n"
      "print nosuch\n"
      "print h2(1, 2)\n"
      "model m {\n"
      "  a = b\n"
      "  b = a\n"
      "}\n"
      "let q = 1\n"
      "let q = 2\n"
      "print mi(x) in bsc\n"
      "print entropy(x; y) in bsc\n";
  char *err = compile_error(program);
  cr_assert_eq(t_count(err, ": error: "), 6, "%s", err);
  static const char *const lines[] = {"t.ixp:2:", "t.ixp:3:", "t.ixp:5:", "t.ixp:9:", "t.ixp:10:", "t.ixp:11:"};
  for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
    cr_assert_not_null(strstr(err, lines[i]), "no report at %s:\n%s", lines[i], err);
  /* reports come in source order */
  cr_assert_lt(strstr(err, "t.ixp:2:"), strstr(err, "t.ixp:11:"));
  free(err);
}

Test(check, a_file_with_an_error_runs_nothing) {
  char *out = NULL;
  char *err = t_fail("print 1\nlet a = 2\nprint a\nprint nosuch\n", IXP_ECOMPILE, &out);
  cr_assert_str_empty(out, "printed before the error was found:\n%s", out);
  cr_assert_eq(t_count(err, ": error: "), 1, "%s", err);
  free(out);
  free(err);
}

Test(check, a_failed_chunk_leaves_no_names_behind) {
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_run(&r, "let z = 1\nprint nosuch"), IXP_ECOMPILE);
  cr_assert_eq(t_run(&r, "print z"), IXP_ECOMPILE, "'z' of a failed chunk is still defined");
  cr_assert_not_null(strstr(t_err(&r), "unknown name 'z'"), "%s", t_err(&r));
  cr_assert_str_empty(t_out(&r));
  t_close(&r);
}

Test(check, many_errors_are_capped_in_the_report) {
  char program[4096] = "";
  for (int i = 0; i < 60; i++) strcat(program, "print nosuch\n");
  char *err = compile_error(program);
  cr_assert_eq(t_count(err, ": error: "), 50, "reports are capped at 50");
  free(err);
}

/* ------------------------------------------------------------------- REPL */

Test(check, repl_allows_redefinition) {
  TRun r;
  t_open(&r, true);
  cr_assert_eq(t_run(&r, "let a = 1"), IXP_OK, "%s", t_err(&r));
  cr_assert_eq(t_run(&r, "let a = 2"), IXP_OK, "%s", t_err(&r));
  cr_assert_eq(t_run(&r, "print a"), IXP_OK, "%s", t_err(&r));
  /* even twice in one entry */
  cr_assert_eq(t_run(&r, "let a = 3\nlet a = 4\nprint a"), IXP_OK, "%s", t_err(&r));
  cr_assert_str_eq(t_out(&r), "a = 2\na = 4\n");
  cr_assert_str_empty(t_err(&r));
  t_close(&r);
}

Test(check, repl_model_redefinition_and_let_rebinding) {
  TRun r;
  t_open(&r, true);
  cr_assert_eq(t_run(&r, "let p = 1/2\nmodel m { x ~ bernoulli(p) }"), IXP_OK, "%s", t_err(&r));
  cr_assert_eq(t_run(&r, "print entropy(x) in m"), IXP_OK, "%s", t_err(&r));
  cr_assert_eq(t_run(&r, "let p = 1/4"), IXP_OK, "%s", t_err(&r));
  cr_assert_eq(t_run(&r, "print entropy(x) in m"), IXP_OK, "%s", t_err(&r));
  cr_assert_eq(t_run(&r, "model m { x ~ bernoulli(1/8) }"), IXP_OK, "%s", t_err(&r));
  cr_assert_eq(t_run(&r, "print entropy(x) in m"), IXP_OK, "%s", t_err(&r));
  const char *out = t_out(&r);
  cr_assert_float_eq(t_value_at(out, 0), 1.0, 1e-12);
  cr_assert_float_eq(t_value_at(out, 1), t_h2(0.25), 1e-12, "the model did not see the new p");
  cr_assert_float_eq(t_value_at(out, 2), t_h2(0.125), 1e-12, "the redefined model is not used");
  t_close(&r);
}

Test(check, repl_bare_expressions_print) {
  TRun r;
  t_open(&r, true);
  cr_assert_eq(t_run(&r, "1 + 2"), IXP_OK, "%s", t_err(&r));
  cr_assert_str_eq(t_out(&r), "3\n");
  t_close(&r);
}

Test(check, repl_unfinished_block_is_incomplete) {
  TRun r;
  t_open(&r, true);
  cr_assert_eq(t_run(&r, "model m {"), IXP_INCOMPLETE);
  cr_assert_str_empty(t_err(&r), "an unfinished entry is not an error: %s", t_err(&r));
  cr_assert_eq(t_run(&r, "print )"), IXP_ECOMPILE);
  cr_assert_not_null(strstr(t_err(&r), "unexpected ')'"), "%s", t_err(&r));
  t_close(&r);
}

Test(check, files_run_in_one_session_may_redefine_earlier_files) {
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_run(&r, "let a = 1"), IXP_OK);
  cr_assert_eq(t_run(&r, "let a = 2\nprint a"), IXP_OK, "%s", t_err(&r));
  cr_assert_str_eq(t_out(&r), "a = 2\n");
  t_close(&r);
}

/* check_only (the fuzzing harness's mode): the program is checked, its
 * errors reported, and nothing runs: no output, no file, no runtime
 * error. */
Test(check, check_only_runs_nothing) {
  char dir[] = "/tmp/ixp-check-only.XXXXXX";
  cr_assert_not_null(mkdtemp(dir));
  char *obuf = NULL, *ebuf = NULL;
  size_t olen = 0, elen = 0;
  FILE *out = open_memstream(&obuf, &olen), *err = open_memstream(&ebuf, &elen);
  IxpOptions opt = {.out = out, .err = err, .outdir = dir, .check_only = true};
  IxpSession *s = ixp_session_new(&opt);
  cr_assert_not_null(s);
  const char *ok = "print 1\nsweep p in [0.1, 0.2] { emit p } to \"t.csv\"\nprint 1/0\n";
  cr_assert_eq(ixp_session_run(s, "t.ixp", ok, strlen(ok)), IXP_OK);
  const char *bad = "print y\n";
  cr_assert_eq(ixp_session_run(s, "t.ixp", bad, strlen(bad)), IXP_ECOMPILE);
  ixp_session_free(s);
  fclose(out);
  fclose(err);
  cr_assert_str_empty(obuf, "printed: %s", obuf);
  cr_assert_not_null(strstr(ebuf, "unknown name 'y'"), "%s", ebuf);
  char path[64];
  snprintf(path, sizeof path, "%s/t.csv", dir);
  cr_assert_neq(access(path, F_OK), 0, "check_only wrote %s", path);
  rmdir(dir);
  free(obuf);
  free(ebuf);
}

/* A model whose definitions form one chain as long as the model (32 000
 * variables, near the limit) is ordered without deep recursion (a
 * fuzzer's find: the recursive order overflowed the stack), checked on a
 * thread of 1 MiB of stack, where 32 000 nested calls do not fit; its
 * cycle closed at the far end is still reported with its path. */
typedef struct {
  char *text;
  IxpStatus status;
  char err[512];
} ChainRun;

static void *run_chain(void *arg) {
  ChainRun *c = arg;
  TRun r;
  t_open(&r, false);
  c->status = t_run(&r, c->text);
  snprintf(c->err, sizeof c->err, "%s", t_err(&r));
  t_close(&r);
  return NULL;
}

static void run_on_small_stack(ChainRun *c) {
  pthread_attr_t attr;
  pthread_t thread;
  cr_assert_eq(pthread_attr_init(&attr), 0);
  cr_assert_eq(pthread_attr_setstacksize(&attr, 1 << 20), 0);
  cr_assert_eq(pthread_create(&thread, &attr, run_chain, c), 0);
  cr_assert_eq(pthread_join(thread, NULL), 0);
  pthread_attr_destroy(&attr);
}

Test(check, a_very_long_chain_of_definitions) {
  enum { N = 32000 };
  size_t cap = (size_t)N * 32 + 256, len = 0;
  char *text = malloc(cap);
  cr_assert_not_null(text);
  len += (size_t)snprintf(text + len, cap - len, "model wide {\n  x0 ~ bernoulli(1/2)\n");
  for (int i = 1; i < N; i++) len += (size_t)snprintf(text + len, cap - len, "  x%d = x%d\n", i, i - 1);
  snprintf(text + len, cap - len, "}\nprint 1\n");
  ChainRun c = {.text = text};
  run_on_small_stack(&c);
  cr_assert_eq(c.status, IXP_OK, "%s", c.err);
  char *x0 = strstr(text, "x0 ~ bernoulli(1/2)");
  memcpy(x0, "x0 = 0 * 0 + x31999", 19);  /* x0 now reads the end of the chain */
  run_on_small_stack(&c);
  cr_assert_neq(c.status, IXP_OK);
  cr_assert(strstr(c.err, "cyclic definition in model 'wide': x0 -> x31999 -> x31998 -> x31997 -> ... ->"), "%s", c.err);
  free(text);
}
