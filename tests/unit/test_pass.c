/* test_pass.c — the lowering pass (interp/lower.c) and the library
 * registry (stdlib/library.c): the operations a checked measure lowers to,
 * read from the plan the checker attached to the measure's node; option
 * tables; capability fields. */
#include <criterion/criterion.h>
#include <string.h>

#include "estimators.h"
#include "helpers.h"
#include "interp.h"
#include "parse.h"

/* A checked text: the session's symbols point into it until the session
 * is closed, so it is freed after. */
static IxpSource *src;
static IxpArena *arena;

static void release(TRun *r) {
  t_close(r);
  ixp_arena_free(arena);
  ixp_source_free(src);
}

/* The plan of the last statement (a print of one measure) of `text`,
 * checked in r's session. */
static const IxpPlan *plan_of(TRun *r, const char *text) {
  src = ixp_source_new("t.ixp", text, strlen(text));
  arena = ixp_arena_new();
  IxpAst *program = ixp_parse(src, arena, &r->s->diag, false, NULL);
  cr_assert_not_null(program, "%s", t_err(r));
  cr_assert_eq(ixp_check_program(r->s, program, src, arena), 0, "%s", t_err(r));
  IxpAst *last = program->items[program->nitems - 1];
  cr_assert_eq(last->kind, AST_PRINT);
  const IxpPlan *p = last->items[0]->sem.plan;
  cr_assert_not_null(p);
  return p;
}

static int count_ops(const IxpPlan *p, IxpOpKind kind) {
  int n = 0;
  for (int i = 0; i < p->nops; i++) n += p->ops[i].kind == kind;
  return n;
}

#define PAIR "model pair {\n  x ~ normal(0, 1)\n  y ~ normal(x, 1)\n}\ndata s = sample(pair, 100)\n"

Test(pass, knn_estimates_read_rows_not_a_joint) {
  TRun r;
  t_open(&r, false);
  const IxpPlan *p = plan_of(&r, PAIR "print mi(x; y) in s using ksg\n");
  cr_assert_eq(p->nops, 2);
  cr_assert_eq(p->ops[0].kind, IXP_OP_ROWS);
  cr_assert_eq(p->ops[1].kind, IXP_OP_KERNEL);
  cr_assert_eq(p->ops[1].in[0], p->ops[0].out);
  cr_assert_eq(p->result, p->ops[1].out);
  cr_assert_eq(count_ops(p, IXP_OP_JOINT), 0);
  release(&r);
}

Test(pass, discrete_estimators_are_set_when_ops_are_made) {
  TRun r;
  t_open(&r, false);
  const IxpPlan *p = plan_of(&r, PAIR "print mi(x; y) in s using miller_madow(bins = 4, binning = quantile)\n");
  cr_assert_eq(p->ops[0].kind, IXP_OP_JOINT);
  cr_assert_eq(p->ops[0].bins, 4);
  cr_assert_eq(p->ops[0].binning, 1);
  cr_assert_eq(count_ops(p, IXP_OP_ENTROPY), 3);
  for (int i = 0; i < p->nops; i++)
    if (p->ops[i].kind == IXP_OP_ENTROPY) cr_assert_eq(p->ops[i].estimator, (int)IXP_EST_MILLER_MADOW);
  release(&r);
}

Test(pass, plugin_entropies_carry_no_estimator) {
  TRun r;
  t_open(&r, false);
  const IxpPlan *p = plan_of(&r, "print mi(a; t) in xor\n");
  cr_assert_eq(p->ops[0].kind, IXP_OP_JOINT);
  cr_assert_eq(p->ops[0].bins, 0);
  for (int i = 0; i < p->nops; i++)
    if (p->ops[i].kind == IXP_OP_ENTROPY) cr_assert_eq(p->ops[i].estimator, -1);
  release(&r);
}

Test(pass, measures_over_models_read_each_joint) {
  TRun r;
  t_open(&r, false);
  const IxpPlan *p = plan_of(&r, "model p {\n  x ~ bernoulli(0.3)\n}\nmodel q {\n  x ~ bernoulli(0.5)\n}\n"
                                  "print kl(p || q)\n");
  cr_assert_eq(p->nsrc, 2);
  cr_assert_eq(count_ops(p, IXP_OP_JOINT), 2);
  cr_assert_eq(count_ops(p, IXP_OP_KL), 1);
  release(&r);
}

Test(pass, a_distortion_expression_is_checked_over_the_variable_and_xhat) {
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_run(&r, "model m {\n  x ~ bernoulli(0.5)\n}\n"
                         "print rd(x, distortion = (x - xhat) ^ 2 + zz) in m at D = 0.1\n"),
               IXP_ECOMPILE);
  cr_assert(strstr(t_err(&r), "unknown name 'zz' in model 'distortion'"), "%s", t_err(&r));
  t_close(&r);
}

Test(pass, a_word_option_is_left_to_the_rule) {
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_run(&r, "print ib(x; y, beta = 2, variant = nonsense) in bsc\n"), IXP_ECOMPILE);
  cr_assert(strstr(t_err(&r), "variant is ib or dib"), "%s", t_err(&r));
  cr_assert_null(strstr(t_err(&r), "unknown name"), "%s", t_err(&r));
  t_close(&r);
}

Test(pass, option_types_reach_the_rule) {
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_run(&r, "print ib(x; y, beta = \"two\") in bsc\n"), IXP_ECOMPILE);
  cr_assert(strstr(t_err(&r), "option 'beta' needs a number or a vector, not a string"), "%s", t_err(&r));
  t_close(&r);
}

Test(pass, explain_prints_each_plan_once_and_leaves_it_unchanged) {
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_explain(&r, "sweep p in 0 .. 1/2 step 1/4 {\n  print mi(x; y) in bsc(p = p)\n}\n"), IXP_OK);
  const char *out = t_out(&r), *first = strstr(out, "mi(x; y) in bsc(p = p)\n");
  cr_assert_not_null(first, "%s", out);
  cr_assert_null(strstr(first + 1, "mi(x; y) in bsc(p = p)\n"), "explained twice:\n%s", out);
  t_close(&r);
}

/* ------------------------------------------------------------- registry */

Test(library, registers_every_family) {
  IxpLibrary lib;
  ixp_library_open(&lib);
  const char *measures[] = {"entropy", "mi", "tc", "dtc", "coinfo", "oinfo", "kl", "js", "rd", "ib", "capacity", "pid",
                            "te", "ais", "entropy_rate", "predictive_info", "di", "network"};
  for (size_t i = 0; i < sizeof measures / sizeof *measures; i++) {
    const IxpMeasure *m = ixp_library_measure(&lib, measures[i]);
    cr_assert_not_null(m, "%s", measures[i]);
    cr_assert_not_null(m->lower, "%s", measures[i]);
  }
  cr_assert_eq(lib.nmeasures, (int)(sizeof measures / sizeof *measures));
  cr_assert_not_null(ixp_library_builtin(&lib, "h2"));
  cr_assert_null(ixp_library_builtin(&lib, "mi"));
  cr_assert_eq(ixp_library_distribution(&lib, "uniform", 2)->nargs, 2);
  cr_assert_eq(ixp_library_distribution(&lib, "uniform", 1)->nargs, 1);
  cr_assert_eq(ixp_library_distribution(&lib, "bernoulli", 3)->nargs, 1);  /* the arity is the caller's to report */
  cr_assert_not_null(ixp_library_vector_distribution(&lib, "normal"));
  cr_assert_null(ixp_library_vector_distribution(&lib, "bernoulli"));
}

Test(library, names_are_unique_and_capabilities_say_what_estimators_compute) {
  IxpLibrary lib;
  ixp_library_open(&lib);
  for (int i = 0; i < lib.nmeasures; i++)
    for (int j = 0; j < i; j++) cr_assert_str_neq(lib.measures[i]->name, lib.measures[j]->name);
  for (int i = 0; i < lib.nbuiltins; i++)
    for (int j = 0; j < i; j++) cr_assert_str_neq(lib.builtins[i]->name, lib.builtins[j]->name);
  cr_assert_eq(ixp_library_measure(&lib, "entropy")->estimand, IXP_ESTIMAND_ENTROPY);
  cr_assert_eq(ixp_library_measure(&lib, "mi")->estimand, IXP_ESTIMAND_MI);
  cr_assert_eq(ixp_library_measure(&lib, "oinfo")->estimand, IXP_ESTIMAND_ENTROPIES);
  cr_assert_eq(ixp_library_measure(&lib, "pid")->estimand, IXP_ESTIMAND_JOINT);
  cr_assert_not_null(ixp_option_spec(ixp_library_measure(&lib, "rd")->options, "distortion"));
  cr_assert_null(ixp_option_spec(ixp_library_measure(&lib, "rd")->options, "variant"));
  cr_assert_null(ixp_library_measure(&lib, "mi")->options);
}

Test(library, refuses_more_than_it_holds) {
  static IxpLibrary lib;
  ixp_library_open(&lib);
  IxpBuiltin b[IXP_LIBRARY_MAX] = {{0}};
  int before = lib.nbuiltins;
  cr_assert_not(ixp_library_add_builtins(&lib, b, IXP_LIBRARY_MAX - before + 1));
  cr_assert_eq(lib.nbuiltins, before);
  cr_assert(ixp_library_add_builtins(&lib, b, IXP_LIBRARY_MAX - before));
  cr_assert_eq(lib.nbuiltins, IXP_LIBRARY_MAX);
}
