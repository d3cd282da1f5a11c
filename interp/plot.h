/* plot.h — line plots of curves to SVG or PNG (cairo). */
#ifndef IXP_PLOT_H
#define IXP_PLOT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
  const char *label;      /* legend entry (NULL: no legend entry) */
  const double *x, *y;    /* n points, drawn in order; non-finite points break the line */
  const double *z;        /* NULL, or a value per point: its marker is filled with the
                             plot's colour ramp at z (markers are then always drawn) */
  int n;
  bool markers;           /* draw a marker at each point */
} IxpPlotSeries;

typedef struct {
  const char *title;      /* may be NULL */
  const char *xlabel, *ylabel;
  const char *zlabel;     /* label of the colour bar, drawn when a series has z values */
  bool logx, logy;        /* logarithmic axes (non-positive values are skipped) */
  const IxpPlotSeries *series;
  int nseries;
  int width, height;      /* pixels (PNG) or points (SVG); 0: 640 x 420 */
} IxpPlot;

/* Write the plot to `path`; the format follows the extension (.svg or
 * .png). Returns false with a message in err on failure. The file is
 * written to a temporary name and renamed, so it is never half-written. */
bool ixp_plot_write(const IxpPlot *plot, const char *path, char *err, size_t errsize);

struct _cairo;
/* Draws a page on cr (cairo); false when the page is too small for it. */
typedef bool (*IxpPlotDraw)(struct _cairo *cr, void *ctx);
/* 1 for a name ending in .svg, 0 for .png (any case), -1 otherwise. */
int ixp_plot_format(const char *path);
/* A w x h page drawn by draw(cr, ctx), written to path (.svg or .png)
 * whole or not at all; false with a message in err (*small when draw
 * said the page is too small: err is then left to the caller). */
bool ixp_plot_render_file(const char *path, double w, double h, IxpPlotDraw draw, void *ctx, bool *small, char *err,
                          size_t errsize);

#endif
