/* plot_series.c — the lines of a plot from its tables and options (see
 * plot_series.h).
 *
 * Each table gives lines: its y columns against its x column, split into
 * one line per value of the `by` column (values ascending), each line's
 * points in the table's row order or in the `order` column's (a stable
 * sort), its markers coloured by the `colour` column. Without options a
 * curve draws its y column and a sweep's table every column but its first. */
#include "plot_series.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
  const char *name;
  IxpPlotOptKind kind;
} OPTIONS[] = {
    {"title", PLOT_OPT_TEXT},     {"xlabel", PLOT_OPT_TEXT},  {"ylabel", PLOT_OPT_TEXT},   {"xlog", PLOT_OPT_FLAG},
    {"ylog", PLOT_OPT_FLAG},      {"x", PLOT_OPT_COLUMN},     {"y", PLOT_OPT_COLUMNS},     {"by", PLOT_OPT_COLUMN},
    {"colour", PLOT_OPT_COLUMN},  {"color", PLOT_OPT_COLUMN}, {"order", PLOT_OPT_COLUMN},  {"width", PLOT_OPT_SIZE},
    {"height", PLOT_OPT_SIZE},    {"markers", PLOT_OPT_FLAG},
};

const char ixp_plot_option_list[] = "title, xlabel, ylabel, xlog, ylog, x, y, by, colour, order, markers, width, height";

enum { MAX_SIDE = 8192, MARKERS_UP_TO = 30 };

bool ixp_plot_option_kind(const char *name, IxpPlotOptKind *kind) {
  for (size_t i = 0; i < sizeof OPTIONS / sizeof OPTIONS[0]; i++)
    if (!strcmp(OPTIONS[i].name, name)) {
      *kind = OPTIONS[i].kind;
      return true;
    }
  return false;
}

/* Formats a message into err; returns false. */
__attribute__((format(printf, 3, 4))) static bool fail(char *err, size_t errsize, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errsize, fmt, ap);
  va_end(ap);
  return false;
}

bool ixp_plot_choose(IxpPlotChoice *ch, const char *name, const char *text, double num, const char *const *list,
                     int nlist, char *err, size_t errsize) {
  IxpPlotOptKind kind = PLOT_OPT_TEXT;
  if (!ixp_plot_option_kind(name, &kind)) return fail(err, errsize, "plot has no option '%s'", name);
  switch (kind) {
  case PLOT_OPT_TEXT:
    *(!strcmp(name, "title") ? &ch->title : !strcmp(name, "xlabel") ? &ch->xlabel : &ch->ylabel) = text;
    return true;
  case PLOT_OPT_FLAG:
    if (num != 0 && num != 1) return fail(err, errsize, "'%s' is 0 or 1, not %g", name, num);
    *(!strcmp(name, "xlog") ? &ch->logx : !strcmp(name, "ylog") ? &ch->logy : &ch->markers) = num == 1;
    ch->markers_set |= !strcmp(name, "markers");
    return true;
  case PLOT_OPT_COLUMN:
    *(!strcmp(name, "x") ? &ch->x : !strcmp(name, "by") ? &ch->by : !strcmp(name, "order") ? &ch->order : &ch->colour) = text;
    return true;
  case PLOT_OPT_COLUMNS:
    if (nlist < 1) return fail(err, errsize, "'y' names at least one column");
    ch->y = list, ch->ny = nlist;
    return true;
  case PLOT_OPT_SIZE:
    if (!(num >= 1 && num <= MAX_SIDE) || num != floor(num))
      return fail(err, errsize, "'%s' is a whole number from 1 to %d, not %g", name, MAX_SIDE, num);
    *(!strcmp(name, "width") ? &ch->width : &ch->height) = (int)num;
    return true;
  }
  return false;
}

/* ------------------------------------------------------------- columns */

/* Formatted text in the arena. */
__attribute__((format(printf, 2, 3))) static char *arena_printf(IxpArena *a, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  size_t size = (size_t)(n > 0 ? n : 0) + 1;
  char *text = ixp_arena_alloc(a, size);
  va_start(ap, fmt);
  vsnprintf(text, size, fmt, ap);
  va_end(ap);
  return text;
}

/* The names of columns cols[0..n) of t joined by ", ". */
static const char *joined_names(IxpArena *a, const IxpTable *t, const int *cols, int n) {
  const char *text = "";
  for (int i = 0; i < n; i++) text = arena_printf(a, "%s%s%s", text, i ? ", " : "", t->cols[cols[i]]);
  return text;
}

/* The column `name` of t (-1 for a NULL name), named by option `opt`;
 * false with a message listing the table's columns when it has none by
 * that name. */
static bool column(const IxpTable *t, const char *opt, const char *name, int *col, IxpArena *a, char *err,
                   size_t errsize) {
  *col = name ? ixp_table_col(t, name) : -1;
  if (!name || *col >= 0) return true;
  int *all = ixp_arena_alloc(a, (size_t)t->ncols * sizeof *all + 1);
  for (int c = 0; c < t->ncols; c++) all[c] = c;
  return fail(err, errsize, "the table has no column '%s' (named by '%s'; its columns: %s)", name, opt,
              joined_names(a, t, all, t->ncols));
}

/* The columns one table draws: x, the y columns, and those that split,
 * colour and order its points (-1: none). */
typedef struct {
  int x, by, z, order;
  int *y, ny;
} Columns;

/* Finds the columns of t the choices name. Without a `y` choice, a
 * sweep's table draws every column that has no other role. */
static bool table_columns(const IxpTable *t, const IxpPlotChoice *ch, IxpArena *a, Columns *cl, char *err,
                          size_t errsize) {
  if (!column(t, "x", ch->x, &cl->x, a, err, errsize) || !column(t, "by", ch->by, &cl->by, a, err, errsize) ||
      !column(t, "colour", ch->colour, &cl->z, a, err, errsize) ||
      !column(t, "order", ch->order, &cl->order, a, err, errsize))
    return false;
  if (!ch->x) cl->x = t->xcol;
  cl->y = ixp_arena_alloc(a, (size_t)(t->ncols > ch->ny ? t->ncols : ch->ny) * sizeof *cl->y + 1);
  cl->ny = 0;
  if (ch->ny) {
    for (int i = 0; i < ch->ny; i++)
      if (!column(t, "y", ch->y[i], &cl->y[cl->ny++], a, err, errsize)) return false;
  } else if (t->every_y) {
    for (int c = 0; c < t->ncols; c++)
      if (c != cl->x && c != cl->by && c != cl->z && c != cl->order) cl->y[cl->ny++] = c;
  } else {
    cl->y[cl->ny++] = t->ycol;
  }
  if (cl->ny == 0) return fail(err, errsize, "no column of the table is left for the y axis (name one with y = \"...\")");
  return true;
}

/* ---------------------------------------------------------------- rows */

/* A row's key for sorting: its value (NaN last), then its place. */
typedef struct {
  double v;
  int row;
} Key;

static int key_cmp(const void *pa, const void *pb) {
  const Key *a = pa, *b = pb;
  bool na = isnan(a->v), nb = isnan(b->v);
  if (na != nb) return na ? 1 : -1;
  if (!na && a->v != b->v) return a->v < b->v ? -1 : 1;
  return (a->row > b->row) - (a->row < b->row);
}

static double cell(const IxpTable *t, int r, int c) {
  return t->cells[(size_t)r * (size_t)t->ncols + (size_t)c];
}

/* The rows of t in drawing order: by the `order` column (stable), or as they are. */
static int *row_order(const IxpTable *t, int order, IxpArena *a) {
  Key *keys = ixp_arena_alloc(a, (size_t)t->nrows * sizeof *keys + 1);
  int *rows = ixp_arena_alloc(a, (size_t)t->nrows * sizeof *rows + 1);
  for (int r = 0; r < t->nrows; r++) keys[r] = (Key){order >= 0 ? cell(t, r, order) : 0, r};
  if (order >= 0) qsort(keys, (size_t)t->nrows, sizeof *keys, key_cmp);
  for (int r = 0; r < t->nrows; r++) rows[r] = keys[r].row;
  return rows;
}

/* The distinct non-NaN values of column `by`, ascending, in *values;
 * returns their number (1, with no values, when there is no `by`). */
static int group_values(const IxpTable *t, int by, IxpArena *a, double **values) {
  if (by < 0) return *values = NULL, 1;
  Key *keys = ixp_arena_alloc(a, (size_t)t->nrows * sizeof *keys + 1);
  for (int r = 0; r < t->nrows; r++) keys[r] = (Key){cell(t, r, by), r};
  qsort(keys, (size_t)t->nrows, sizeof *keys, key_cmp);
  double *v = *values = ixp_arena_alloc(a, (size_t)t->nrows * sizeof *v + 1);
  int n = 0;
  for (int r = 0; r < t->nrows && !isnan(keys[r].v); r++)
    if (n == 0 || keys[r].v != v[n - 1]) v[n++] = keys[r].v;
  return n;
}

/* ------------------------------------------------------------- labels */

/* A line's legend label. Without `by`: a curve's line is called by its
 * item's label; a sweep's lines by their columns, or, when the item is
 * named with `as`, by its label ("label: column" for several). With `by`
 * the group ("layer 2") is joined to those ("label: layer 2: column"). */
static const char *line_label(IxpArena *a, const IxpPlotItem *it, bool several_items, const Columns *cl, int ycol,
                              const char *group) {
  const IxpTable *t = it->table;
  const char *label = several_items || it->named ? it->label : NULL, *col = t->cols[ycol];
  bool by_column = t->every_y || cl->ny > 1;
  if (!group) {
    if (label && (!by_column || (it->named && cl->ny == 1))) return label;
    return it->named ? arena_printf(a, "%s: %s", label, col) : col;
  }
  const char *text = label ? arena_printf(a, "%s: %s", label, group) : group;
  return cl->ny > 1 ? arena_printf(a, "%s: %s", text, col) : text;
}

/* ------------------------------------------------------------- lines */

/* Appends the line of column ycol over the rows (in order) whose `by`
 * value is g (all rows without `by`). */
static void add_line(IxpPlot *plot, IxpPlotSeries *out, const IxpTable *t, const Columns *cl, const int *rows, int ycol,
                     const double *g, const char *label, const IxpPlotChoice *ch, IxpArena *a) {
  size_t cap = (size_t)t->nrows + 1;
  double *x = ixp_arena_alloc(a, cap * sizeof *x), *y = ixp_arena_alloc(a, cap * sizeof *y);
  double *z = cl->z >= 0 ? ixp_arena_alloc(a, cap * sizeof *z) : NULL;
  int n = 0;
  for (int i = 0; i < t->nrows; i++) {
    int r = rows[i];
    if (g && cell(t, r, cl->by) != *g) continue;
    x[n] = cell(t, r, cl->x), y[n] = cell(t, r, ycol);
    if (z) z[n] = cell(t, r, cl->z);
    n++;
  }
  bool markers = ch->markers_set ? ch->markers : n <= MARKERS_UP_TO;
  out[plot->nseries++] = (IxpPlotSeries){.label = label, .x = x, .y = y, .z = z, .n = n, .markers = markers};
}

/* Adds the lines of one item. */
static bool add_item(IxpPlot *plot, IxpPlotSeries *out, const IxpPlotItem *it, bool several, const Columns *cl,
                     const IxpPlotChoice *ch, IxpArena *a, char *err, size_t errsize) {
  const IxpTable *t = it->table;
  double *groups;
  int ngroups = group_values(t, cl->by, a, &groups);
  if (plot->nseries + ngroups * cl->ny > IXP_PLOT_MAX_SERIES)
    return fail(err, errsize, "too many lines to draw: at most %d in one plot%s", IXP_PLOT_MAX_SERIES,
                ch->by ? arena_printf(a, " ('by' makes one for each of the %d values of '%s')", ngroups, ch->by) : "");
  const int *rows = row_order(t, cl->order, a);
  for (int g = 0; g < ngroups; g++) {
    const char *group = groups ? arena_printf(a, "%s %.6g", ch->by, groups[g]) : NULL;
    for (int k = 0; k < cl->ny; k++)
      add_line(plot, out, t, cl, rows, cl->y[k], groups ? &groups[g] : NULL,
               line_label(a, it, several, cl, cl->y[k], group), ch, a);
  }
  return true;
}

bool ixp_plot_build(const IxpPlotItem *items, int nitems, const IxpPlotChoice *ch, IxpArena *arena, IxpPlot *plot,
                    int *bad_item, char *err, size_t errsize) {
  IxpPlotSeries *out = ixp_arena_alloc(arena, IXP_PLOT_MAX_SERIES * sizeof *out);
  *plot = (IxpPlot){.series = out, .logx = ch->logx, .logy = ch->logy, .width = ch->width, .height = ch->height};
  *bad_item = -1;
  Columns first = {0};
  for (int i = 0; i < nitems; i++) {
    Columns cl;
    *bad_item = i;
    if (!table_columns(items[i].table, ch, arena, &cl, err, errsize) ||
        !add_item(plot, out, &items[i], nitems > 1, &cl, ch, arena, err, errsize))
      return false;
    if (i == 0) first = cl;
  }
  *bad_item = -1;
  if (nitems == 0) return fail(err, errsize, "nothing to plot");
  const IxpTable *t = items[0].table;
  bool picked = ch->x || ch->ny || ch->by || ch->colour;
  plot->title = ch->title ? ch->title : t->title;
  plot->xlabel = ch->xlabel ? ch->xlabel : !ch->x && t->xlabel ? t->xlabel : t->cols[first.x];
  plot->ylabel = ch->ylabel ? ch->ylabel : !picked && t->ylabel ? t->ylabel : joined_names(arena, t, first.y, first.ny);
  plot->zlabel = ch->colour;
  return true;
}
