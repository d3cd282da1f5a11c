/* plot_series.h — from the tables of a `plot` statement and its options
 * to the lines of a plot (plot.h): which columns go on the axes, one line
 * per value of a `by` column, points coloured and ordered by columns,
 * legend and axis labels. */
#ifndef IXP_PLOT_SERIES_H
#define IXP_PLOT_SERIES_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "plot.h"
#include "value.h"

/* The kinds of value a plot option takes. */
typedef enum {
  PLOT_OPT_TEXT,     /* a string: title, xlabel, ylabel */
  PLOT_OPT_FLAG,     /* 0 or 1: xlog, ylog, markers */
  PLOT_OPT_COLUMN,   /* a column's name: x, by, colour (color), order */
  PLOT_OPT_COLUMNS,  /* a column's name or a list of them: y */
  PLOT_OPT_SIZE,     /* a whole number of pixels or points: width, height */
} IxpPlotOptKind;

/* The kind of the option `name`; false if there is no such option. */
bool ixp_plot_option_kind(const char *name, IxpPlotOptKind *kind);
/* The option names, for messages: "title, xlabel, ...". */
extern const char ixp_plot_option_list[];

/* What a plot's options choose (NULL or 0: the default). */
typedef struct {
  const char *title, *xlabel, *ylabel;
  bool logx, logy;
  bool markers_set, markers;  /* markers on every line or none (unset: on lines of at most 30 points) */
  const char *x;            /* the x column of every table */
  const char *const *y;     /* the y columns of every table (ny of them) */
  int ny;
  const char *by;           /* one line per value of this column */
  const char *colour;       /* markers coloured by this column */
  const char *order;        /* points joined in this column's order */
  int width, height;
} IxpPlotChoice;

/* Sets the option `name` (a known one) to a string, a number or a list
 * of strings (y); false with a message if the value does not fit. */
bool ixp_plot_choose(IxpPlotChoice *ch, const char *name, const char *text, double num, const char *const *list,
                     int nlist, char *err, size_t errsize);

/* One table of the statement: its legend label (`as "label"`, named, or
 * its source text) and its name in messages. */
typedef struct {
  const IxpTable *table;
  const char *label;
  bool named;
} IxpPlotItem;

enum { IXP_PLOT_MAX_SERIES = 64 };

/* Fills *plot (series, labels, axes) from the items and the choices, in
 * `arena`. False with a message and the index of the item at fault (-1:
 * none in particular) when a column is missing or there are too many lines. */
bool ixp_plot_build(const IxpPlotItem *items, int nitems, const IxpPlotChoice *ch, IxpArena *arena, IxpPlot *plot,
                    int *bad_item, char *err, size_t errsize);

#endif
