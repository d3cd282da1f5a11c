/* test_plot_series.c — the lines a plot statement draws from its tables
 * and options (interp/plot_series.c), and the statement itself: its
 * options checked, its errors at their place, its files the same bytes
 * at every run. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arena.h"
#include "helpers.h"
#include "plot_series.h"

/* ------------------------------------------------------------ fixtures */

/* A sweep's table over epochs 0..4 and layers 1..3 (layer inner), with
 * I(X;T) = layer + epoch / 10 and I(T;Y) = epoch / 10 - layer. */
static IxpTable *plane_table(void) {
  const char *cols[] = {"epoch", "layer", "I(X;T)", "I(T;Y)"};
  IxpTable *t = ixp_table_new(NULL, 4, cols);
  t->every_y = true;
  for (int e = 0; e < 5; e++)
    for (int l = 1; l <= 3; l++) ixp_table_add_row(t, (double[]){e, l, l + e / 10.0, e / 10.0 - l});
  return t;
}

/* A curve: columns x, y (its y column), rows (i, i^2). */
static IxpTable *curve_table(int n) {
  const char *cols[] = {"x", "y"};
  IxpTable *t = ixp_table_new("a curve", 2, cols);
  for (int i = 0; i < n; i++) ixp_table_add_row(t, (double[]){i, i * i});
  return t;
}

typedef struct {
  IxpArena *arena;
  IxpPlot plot;
  int bad;
  char err[512];
} Built;

/* Builds the plot of the items under the choices; returns success. */
static bool build(Built *b, const IxpPlotItem *items, int n, const IxpPlotChoice *ch) {
  b->arena = ixp_arena_new();
  b->err[0] = '\0';
  return ixp_plot_build(items, n, ch, b->arena, &b->plot, &b->bad, b->err, sizeof b->err);
}

static void label_is(const Built *b, int i, const char *want) {
  cr_assert_lt(i, b->plot.nseries);
  const char *got = b->plot.series[i].label;
  cr_assert(got && !strcmp(got, want), "line %d is labelled '%s', wanted '%s'", i, got ? got : "(none)", want);
}

/* ----------------------------------------------------- without options */

Test(plot_series, a_sweep_draws_every_column_against_its_first) {
  IxpTable *t = plane_table();
  IxpPlotItem it = {t, "T", false};
  IxpPlotChoice ch = {0};
  Built b;
  cr_assert(build(&b, &it, 1, &ch), "%s", b.err);
  cr_assert_eq(b.plot.nseries, 3);
  label_is(&b, 0, "layer"), label_is(&b, 1, "I(X;T)"), label_is(&b, 2, "I(T;Y)");
  cr_assert_str_eq(b.plot.xlabel, "epoch");
  cr_assert_str_eq(b.plot.ylabel, "layer, I(X;T), I(T;Y)");
  cr_assert_eq(b.plot.series[1].n, 15);
  cr_assert_eq(b.plot.series[1].y[4], 2 + 0.1);  /* row 4: epoch 1, layer 2 */
  cr_assert_null(b.plot.series[1].z);
  cr_assert(b.plot.series[1].markers, "15 points get markers");
  ixp_arena_free(b.arena);
  ixp_table_free(t);
}

Test(plot_series, as_labels_name_a_sweeps_lines) {
  /* One y column: the line takes the label; several: "label: column". */
  const char *cols[] = {"p", "I"};
  IxpTable *one = ixp_table_new(NULL, 2, cols), *three = plane_table();
  one->every_y = true;
  ixp_table_add_row(one, (double[]){0, 1});
  IxpPlotItem items[2] = {{one, "capacity", true}, {three, "net", true}};
  IxpPlotChoice ch = {0};
  Built b;
  cr_assert(build(&b, items, 2, &ch), "%s", b.err);
  cr_assert_eq(b.plot.nseries, 4);
  label_is(&b, 0, "capacity"), label_is(&b, 1, "net: layer"), label_is(&b, 3, "net: I(T;Y)");
  ixp_arena_free(b.arena);
  ixp_table_free(one), ixp_table_free(three);
}

Test(plot_series, a_curve_keeps_its_labels_and_markers_follow_the_points) {
  IxpTable *c = curve_table(31);
  c->xlabel = strdup("distortion D"), c->ylabel = strdup("rate R (bits)");
  IxpPlotItem items[2] = {{c, "c", false}, {c, "closed form", true}};
  IxpPlotChoice ch = {0};
  Built b;
  cr_assert(build(&b, items, 1, &ch), "%s", b.err);
  cr_assert_eq(b.plot.nseries, 1);
  label_is(&b, 0, "y");
  cr_assert_str_eq(b.plot.title, "a curve");
  cr_assert_str_eq(b.plot.xlabel, "distortion D");
  cr_assert_str_eq(b.plot.ylabel, "rate R (bits)");
  cr_assert(!b.plot.series[0].markers, "31 points are drawn without markers");
  ixp_arena_free(b.arena);
  cr_assert(build(&b, items, 2, &ch), "%s", b.err);
  label_is(&b, 0, "c"), label_is(&b, 1, "closed form");
  ixp_arena_free(b.arena);
  ixp_table_free(c);
}

/* -------------------------------------------------------- with options */

Test(plot_series, the_information_plane_a_line_per_layer_coloured_by_epoch) {
  IxpTable *t = plane_table();
  IxpPlotItem it = {t, "T", false};
  IxpPlotChoice ch = {.x = "I(X;T)", .by = "layer", .colour = "epoch"};
  Built b;
  cr_assert(build(&b, &it, 1, &ch), "%s", b.err);
  cr_assert_eq(b.plot.nseries, 3, "one line per layer");
  for (int l = 0; l < 3; l++) {
    const IxpPlotSeries *s = &b.plot.series[l];
    const char *want[] = {"layer 1", "layer 2", "layer 3"};
    label_is(&b, l, want[l]);
    cr_assert_eq(s->n, 5);
    cr_assert_not_null(s->z);
    for (int e = 0; e < 5; e++) {
      cr_assert_eq(s->z[e], e, "points in epoch order");
      cr_assert_eq(s->x[e], l + 1 + e / 10.0);
      cr_assert_eq(s->y[e], e / 10.0 - (l + 1));
    }
  }
  cr_assert_str_eq(b.plot.xlabel, "I(X;T)");
  cr_assert_str_eq(b.plot.ylabel, "I(T;Y)", "the columns left for y: not epoch, layer or x");
  cr_assert_str_eq(b.plot.zlabel, "epoch");
  ixp_arena_free(b.arena);
  ixp_table_free(t);
}

Test(plot_series, by_groups_ascend_and_order_sorts_stably) {
  /* Layers given 3, 1, 2 and epochs backwards: lines come in layer order
   * and, with order = "epoch", points in epoch order; rows with equal
   * epochs keep their table order. */
  const char *cols[] = {"epoch", "layer", "v"};
  IxpTable *t = ixp_table_new(NULL, 3, cols);
  t->every_y = true;
  const double rows[][3] = {{2, 3, 0}, {1, 1, 1}, {2, 2, 2}, {0, 1, 3}, {1, 1, 4}, {NAN, 1, 5}, {0, NAN, 6}};
  for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) ixp_table_add_row(t, rows[r]);
  IxpPlotItem it = {t, "T", true};
  IxpPlotChoice ch = {.by = "layer", .order = "epoch"};
  Built b;
  cr_assert(build(&b, &it, 1, &ch), "%s", b.err);
  cr_assert_eq(b.plot.nseries, 3, "the NaN layer makes no line");
  label_is(&b, 0, "T: layer 1"), label_is(&b, 1, "T: layer 2"), label_is(&b, 2, "T: layer 3");
  const IxpPlotSeries *s = &b.plot.series[0];
  cr_assert_eq(s->n, 4);
  const double want_x[] = {0, 1, 1, NAN}, want_y[] = {3, 1, 4, 5};
  for (int k = 0; k < 4; k++) {
    cr_assert(s->x[k] == want_x[k] || (isnan(s->x[k]) && isnan(want_x[k])), "point %d: x %g", k, s->x[k]);
    cr_assert_eq(s->y[k], want_y[k], "point %d: y %g, wanted %g", k, s->y[k], want_y[k]);
  }
  ixp_arena_free(b.arena);
  ixp_table_free(t);
}

Test(plot_series, markers_on_every_line_or_none) {
  IxpTable *many = curve_table(40), *few = curve_table(5);
  IxpPlotItem items[2] = {{many, "many", true}, {few, "few", true}};
  IxpPlotChoice ch = {0};
  Built b;
  cr_assert(build(&b, items, 2, &ch), "%s", b.err);
  cr_assert(!b.plot.series[0].markers && b.plot.series[1].markers, "by default only short lines have markers");
  ixp_arena_free(b.arena);
  ch.markers_set = ch.markers = true;
  cr_assert(build(&b, items, 2, &ch), "%s", b.err);
  cr_assert(b.plot.series[0].markers && b.plot.series[1].markers);
  ixp_arena_free(b.arena);
  ch.markers = false;
  cr_assert(build(&b, items, 2, &ch), "%s", b.err);
  cr_assert(!b.plot.series[0].markers && !b.plot.series[1].markers);
  ixp_arena_free(b.arena);
  ixp_table_free(many), ixp_table_free(few);
}

Test(plot_series, several_tables_and_several_y_columns) {
  IxpTable *a = plane_table(), *c = plane_table();
  IxpPlotItem items[2] = {{a, "run 1", true}, {c, "U", false}};
  const char *y[] = {"I(T;Y)", "layer"};
  IxpPlotChoice ch = {.x = "I(X;T)", .y = y, .ny = 2, .title = "t", .xlabel = "X", .logx = true};
  Built b;
  cr_assert(build(&b, items, 2, &ch), "%s", b.err);
  cr_assert_eq(b.plot.nseries, 4);
  label_is(&b, 0, "run 1: I(T;Y)"), label_is(&b, 1, "run 1: layer"), label_is(&b, 2, "I(T;Y)"),
      label_is(&b, 3, "layer");
  cr_assert_str_eq(b.plot.title, "t");
  cr_assert_str_eq(b.plot.xlabel, "X");
  cr_assert_str_eq(b.plot.ylabel, "I(T;Y), layer");
  cr_assert(b.plot.logx && !b.plot.logy);
  ixp_arena_free(b.arena);
  ch.by = "layer";
  ch.ny = 1;
  cr_assert(build(&b, items, 2, &ch), "%s", b.err);
  cr_assert_eq(b.plot.nseries, 6);
  label_is(&b, 0, "run 1: layer 1"), label_is(&b, 5, "U: layer 3");
  ixp_arena_free(b.arena);
  ixp_table_free(a), ixp_table_free(c);
}

Test(plot_series, a_missing_column_names_the_table_and_its_columns) {
  IxpTable *a = plane_table(), *c = curve_table(3);
  IxpPlotItem items[2] = {{a, "T", false}, {c, "c", false}};
  IxpPlotChoice ch = {.by = "layer"};
  Built b;
  cr_assert(!build(&b, items, 2, &ch));
  cr_assert_eq(b.bad, 1, "the second table lacks 'layer'");
  cr_assert_str_eq(b.err, "the table has no column 'layer' (named by 'by'; its columns: x, y)");
  ixp_arena_free(b.arena);
  const char *y[] = {"nope"};
  ch = (IxpPlotChoice){.y = y, .ny = 1};
  cr_assert(!build(&b, items, 2, &ch));
  cr_assert_eq(b.bad, 0);
  cr_assert_str_eq(b.err, "the table has no column 'nope' (named by 'y'; its columns: epoch, layer, I(X;T), I(T;Y))");
  ixp_arena_free(b.arena);
  c->every_y = true;  /* a sweep's table of two columns, both taken */
  ch = (IxpPlotChoice){.x = "y", .colour = "x"};
  cr_assert(!build(&b, items + 1, 1, &ch));
  cr_assert_not_null(strstr(b.err, "no column of the table is left for the y axis"), "%s", b.err);
  ixp_arena_free(b.arena);
  ixp_table_free(a), ixp_table_free(c);
}

Test(plot_series, too_many_lines_are_refused) {
  IxpTable *c = curve_table(IXP_PLOT_MAX_SERIES + 1);
  IxpPlotItem it = {c, "c", false};
  IxpPlotChoice ch = {.by = "x"};
  Built b;
  cr_assert(!build(&b, &it, 1, &ch));
  cr_assert_str_eq(b.err, "too many lines to draw: at most 64 in one plot ('by' makes one for each of the 65 values of 'x')");
  ixp_arena_free(b.arena);
  ixp_table_free(c);
  c = curve_table(IXP_PLOT_MAX_SERIES);
  it.table = c;
  cr_assert(build(&b, &it, 1, &ch), "%s", b.err);
  cr_assert_eq(b.plot.nseries, IXP_PLOT_MAX_SERIES);
  ixp_arena_free(b.arena);
  ixp_table_free(c);
}

Test(plot_series, option_values_are_checked) {
  IxpPlotChoice ch = {0};
  char err[256];
  const char *y[] = {"a"};
  cr_assert(ixp_plot_choose(&ch, "xlog", NULL, 1, NULL, 0, err, sizeof err) && ch.logx);
  cr_assert(ixp_plot_choose(&ch, "ylog", NULL, 0, NULL, 0, err, sizeof err) && !ch.logy);
  cr_assert(!ixp_plot_choose(&ch, "ylog", NULL, 2, NULL, 0, err, sizeof err));
  cr_assert_str_eq(err, "'ylog' is 0 or 1, not 2");
  cr_assert(ixp_plot_choose(&ch, "width", NULL, 800, NULL, 0, err, sizeof err) && ch.width == 800);
  cr_assert(!ch.markers_set);
  cr_assert(ixp_plot_choose(&ch, "markers", NULL, 0, NULL, 0, err, sizeof err) && ch.markers_set && !ch.markers);
  cr_assert(ch.logx, "markers = 0 left xlog alone");
  cr_assert(!ixp_plot_choose(&ch, "height", NULL, 0.5, NULL, 0, err, sizeof err));
  cr_assert_str_eq(err, "'height' is a whole number from 1 to 8192, not 0.5");
  cr_assert(ixp_plot_choose(&ch, "color", "epoch", 0, NULL, 0, err, sizeof err) && !strcmp(ch.colour, "epoch"));
  cr_assert(ixp_plot_choose(&ch, "y", NULL, 0, y, 1, err, sizeof err) && ch.ny == 1);
  cr_assert(!ixp_plot_choose(&ch, "y", NULL, 0, y, 0, err, sizeof err));
  cr_assert(!ixp_plot_choose(&ch, "colours", "epoch", 0, NULL, 0, err, sizeof err));
}

/* ------------------------------------------------------- the statement */

static char dir[64];

static void setup(void) {
  t_tmpdir_make(dir, sizeof dir, "ixp_plotstmt");
}

static void teardown(void) {
  t_tmpdir_remove(dir);
}

/* Runs the program with "DIR" replaced by the test's folder. */
static IxpStatus run_in_dir(TRun *r, const char *program) {
  char text[4096], *o = text;
  for (const char *p = program; *p && o < text + sizeof text - 80;)
    if (!strncmp(p, "DIR", 3)) o += snprintf(o, 80, "%s", dir), p += 3;
    else *o++ = *p++;
  *o = '\0';
  return t_run(r, text);
}

static char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  cr_assert_not_null(f, "no file %s", path);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  buf[n] = '\0';
  *len = (size_t)n;
  return buf;
}

/* Runs the program in a child process, as the ixp command would: cairo
 * numbers its SVG surfaces and fonts from a per-process counter, so two
 * runs compare equal only from the same starting state. */
static void run_in_child(const char *program) {
  pid_t pid = fork();
  cr_assert_geq(pid, 0, "fork: %s", strerror(errno));
  if (pid == 0) {
    TRun r;
    t_open(&r, false);
    IxpStatus st = run_in_dir(&r, program);
    if (st != IXP_OK) fprintf(stderr, "%s", t_err(&r));
    _exit(st == IXP_OK ? 0 : 1);
  }
  int status = 0;
  cr_assert_eq(waitpid(pid, &status, 0), pid);
  cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the program failed in the child");
}

#define PLANE_SWEEP                                                                                              \
  "sweep epoch in 0 .. 6 {\n"                                                                                    \
  "  emit epoch, 1 as layer, 1 + epoch / 4 as \"I(X;T)\", epoch / 8 as \"I(T;Y)\"\n"                              \
  "  emit epoch, 2 as layer, 2 - epoch / 9 as \"I(X;T)\", epoch / 9 as \"I(T;Y)\"\n"                              \
  "} as T\n"

TestSuite(plot_statement, .init = setup, .fini = teardown);

Test(plot_statement, the_same_program_writes_the_same_bytes) {
  const char *program = PLANE_SWEEP
      "plot T to \"DIR/a.svg\" with x = \"I(X;T)\", by = \"layer\", colour = \"epoch\", title = \"plane\"\n"
      "plot T to \"DIR/a.png\" with x = \"I(X;T)\", by = \"layer\", colour = \"epoch\", xlog = 1, ylog = 1\n";
  size_t n1, n2, p1, p2;
  run_in_child(program);
  char path[128];
  snprintf(path, sizeof path, "%s/a.svg", dir);
  char *svg1 = read_all(path, &n1);
  snprintf(path, sizeof path, "%s/a.png", dir);
  char *png1 = read_all(path, &p1);
  run_in_child(program);
  char *png2 = read_all(path, &p2);
  snprintf(path, sizeof path, "%s/a.svg", dir);
  char *svg2 = read_all(path, &n2);
  cr_assert(n1 == n2 && !memcmp(svg1, svg2, n1), "the SVG differs between runs");
  cr_assert(p1 == p2 && !memcmp(png1, png2, p1), "the PNG differs between runs");
  cr_assert_not_null(strstr(svg1, "linearGradient"), "no colour bar in the SVG");
  free(svg1), free(svg2), free(png1), free(png2);
}

Test(plot_statement, options_are_checked_before_running) {
  struct {
    const char *opts, *want;
  } cases[] = {
      {"colours = \"epoch\"", "plot has no option 'colours' (its options: title, xlabel, ylabel, xlog, ylog, x, y, by, colour, order, markers, width, height)"},
      {"title = \"a\", title = \"b\"", "plot option 'title' is given twice"},
      {"xlog = \"yes\"", "plot option 'xlog' is a number (0 or 1)"},
      {"by = 2", "plot option 'by' is a column's name (a string)"},
      {"y = [\"I(T;Y)\", 3]", "plot option 'y' is a column's name or a list of them"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char program[1024];
    snprintf(program, sizeof program, PLANE_SWEEP "print 1\nplot T to \"DIR/b.svg\" with %s\n", cases[i].opts);
    TRun r;
    t_open(&r, false);
    cr_assert_neq(run_in_dir(&r, program), IXP_OK, "'%s' was accepted", cases[i].opts);
    cr_assert_not_null(strstr(t_err(&r), cases[i].want), "'%s': %s", cases[i].opts, t_err(&r));
    cr_assert_str_eq(t_out(&r), "", "the program ran before the check error");
    t_close(&r);
  }
}

Test(plot_statement, runtime_errors_point_at_the_table_or_the_option) {
  struct {
    const char *opts, *want;
  } cases[] = {
      {"by = \"layers\"", "t.ixp:6:6: error: the table has no column 'layers' (named by 'by'; its columns: epoch, layer, I(X;T), I(T;Y))"},
      {"xlog = 2", "t.ixp:6:25: error: 'xlog' is 0 or 1, not 2"},
      {"width = 0", "t.ixp:6:26: error: 'width' is a whole number from 1 to 8192, not 0"},
      {"x = \"I(X;T)\", xlog = 1, xlabel = \"nope\", y = \"layer\", ylog = 1, width = 30, height = 30",
       "the plot size 30 x 30 is too small for its labels"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char program[1024];
    snprintf(program, sizeof program, PLANE_SWEEP "let f = \"DIR/c.svg\"\nplot T to f with %s\n", cases[i].opts);
    TRun r;
    t_open(&r, false);
    cr_assert_neq(run_in_dir(&r, program), IXP_OK, "'%s' was accepted", cases[i].opts);
    cr_assert_not_null(strstr(t_err(&r), cases[i].want), "'%s': %s", cases[i].opts, t_err(&r));
    t_close(&r);
  }
}
