/* plot_graph.c — an inferred network drawn as a graph (see plot_graph.h).
 *
 * Nodes sit on a circle in argument order, from the top, clockwise. Each
 * linked pair gets one arrow, bowed to its right so that a -> b and b -> a
 * stay apart, labelled with one line per lag: "lag L: te". */
#include "plot_graph.h"

#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

#define MAX_NODES 64
#define NAME_CAP 48

static const char *const link_cols[] = {"source", "target", "lag", "te", "p"};

bool ixp_plot_is_network(const IxpTable *t) {
  if (!t || t->ncols != 5 || !t->title || strncmp(t->title, "network links (", 15)) return false;
  for (int c = 0; c < 5; c++)
    if (strcmp(t->cols[c], link_cols[c])) return false;
  return true;
}

typedef struct {
  int n;
  char name[MAX_NODES][NAME_CAP];
  double x[MAX_NODES], y[MAX_NODES];
  double r, s;          /* node radius, scale */
} Nodes;

/* The node names from the title "network links (1 = a, 2 = b)". */
static int read_nodes(const IxpTable *t, Nodes *nd) {
  const char *p = strchr(t->title, '(');
  nd->n = 0;
  while (p && nd->n < MAX_NODES) {
    int k, used = 0;
    if (sscanf(p + 1, " %d = %n", &k, &used) != 1 || k != nd->n + 1) break;
    const char *start = p + 1 + used, *end = start + strcspn(start, ",)");
    snprintf(nd->name[nd->n], NAME_CAP, "%.*s", (int)(end - start), start);
    nd->n++;
    p = *end == ',' ? end + 1 : NULL;
  }
  for (int r = 0; r < t->nrows; r++)  /* a title cut short: number the rest */
    for (int c = 0; c < 2; c++) {
      int v = (int)t->cells[r * 5 + c];
      while (nd->n < v && nd->n < MAX_NODES) snprintf(nd->name[nd->n], NAME_CAP, "%d", nd->n + 1), nd->n++;
    }
  return nd->n;
}

static void text_centred(cairo_t *cr, const char *s, double x, double y) {
  cairo_text_extents_t e;
  cairo_text_extents(cr, s, &e);
  cairo_move_to(cr, x - e.width / 2 - e.x_bearing, y - e.height / 2 - e.y_bearing);
  cairo_show_text(cr, s);
}

/* The label of pair (a, b): one line per link row, "lag L: te". */
static int pair_lines(const IxpTable *t, int a, int b, char lines[][64], int max) {
  int k = 0;
  for (int r = 0; r < t->nrows && k < max; r++) {
    const double *row = t->cells + (size_t)r * 5;
    if ((int)row[0] == a + 1 && (int)row[1] == b + 1) snprintf(lines[k++], 64, "lag %d: %.3g", (int)row[2], row[3]);
  }
  return k;
}

/* An arrow from node a to node b, bowed to its right, with its label. */
static void draw_arrow(cairo_t *cr, const Nodes *nd, int a, int b, char lines[][64], int nl) {
  double x0 = nd->x[a], y0 = nd->y[a], x1 = nd->x[b], y1 = nd->y[b];
  double dx = x1 - x0, dy = y1 - y0, len = hypot(dx, dy);
  double cx = (x0 + x1) / 2 - dy * 0.15, cy = (y0 + y1) / 2 + dx * 0.15;  /* the control point */
  double ux = cx - x0, uy = cy - y0, ul = hypot(ux, uy), vx = x1 - cx, vy = y1 - cy, vl = hypot(vx, vy);
  double sx = x0 + ux / ul * nd->r, sy = y0 + uy / ul * nd->r;  /* leave and reach the circles' edges */
  double ex = x1 - vx / vl * (nd->r + 2 * nd->s), ey = y1 - vy / vl * (nd->r + 2 * nd->s);
  cairo_set_source_rgb(cr, 0.2, 0.2, 0.25);
  cairo_set_line_width(cr, 1.6 * nd->s);
  cairo_move_to(cr, sx, sy);
  cairo_curve_to(cr, sx + 2.0 / 3 * (cx - sx), sy + 2.0 / 3 * (cy - sy), ex + 2.0 / 3 * (cx - ex),
                 ey + 2.0 / 3 * (cy - ey), ex, ey);
  cairo_stroke(cr);
  double hx = vx / vl, hy = vy / vl, h = 10 * nd->s, w = 4.5 * nd->s;  /* the head, along the curve's end */
  cairo_move_to(cr, ex + hx * 2 * nd->s, ey + hy * 2 * nd->s);
  cairo_line_to(cr, ex - hx * h - hy * w, ey - hy * h + hx * w);
  cairo_line_to(cr, ex - hx * h + hy * w, ey - hy * h - hx * w);
  cairo_close_path(cr);
  cairo_fill(cr);
  double mx = 0.25 * x0 + 0.5 * cx + 0.25 * x1, my = 0.25 * y0 + 0.5 * cy + 0.25 * y1;  /* the curve's middle */
  double ox = -dy / len, oy = dx / len, lh = 12 * nd->s;
  mx += ox * 0.6 * lh * nl, my += oy * 0.6 * lh * nl;
  for (int k = 0; k < nl; k++) {  /* on a white ground, so crossing arrows do not hide it */
    double ly = my + (k - (nl - 1) / 2.0) * lh;
    cairo_text_extents_t e;
    cairo_text_extents(cr, lines[k], &e);
    cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
    cairo_rectangle(cr, mx - e.width / 2 - 2 * nd->s, ly - lh / 2, e.width + 4 * nd->s, lh);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.55, 0.1, 0.1);
    text_centred(cr, lines[k], mx, ly);
  }
}

static void draw(cairo_t *cr, const IxpTable *t, Nodes *nd, const char *title, double w, double h) {
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  cairo_set_font_size(cr, 13.5 * nd->s);
  cairo_set_source_rgb(cr, 0, 0, 0);
  text_centred(cr, title, w / 2, 16 * nd->s);
  double top = 34 * nd->s, R = fmin(w, h - top) * 0.36, cx = w / 2, cy = top + (h - top) / 2;
  for (int i = 0; i < nd->n; i++) {
    double a = -M_PI / 2 + 2 * M_PI * i / nd->n;
    nd->x[i] = cx + R * cos(a), nd->y[i] = cy + R * sin(a);
  }
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, 10.5 * nd->s);
  char lines[16][64];
  for (int a = 0; a < nd->n; a++)
    for (int b = 0; b < nd->n; b++) {
      int nl = a == b ? 0 : pair_lines(t, a, b, lines, 16);
      if (nl) draw_arrow(cr, nd, a, b, lines, nl);
    }
  cairo_set_font_size(cr, 12 * nd->s);
  for (int i = 0; i < nd->n; i++) {
    cairo_new_path(cr);  /* the text left a current point: no line from it */
    cairo_arc(cr, nd->x[i], nd->y[i], nd->r, 0, 2 * M_PI);
    cairo_set_source_rgb(cr, 0.86, 0.91, 0.98);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0.15, 0.3, 0.55);
    cairo_set_line_width(cr, 1.5 * nd->s);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    text_centred(cr, nd->name[i], nd->x[i], nd->y[i]);
  }
}

/* The page of a network plot: its table, nodes and title. */
typedef struct {
  const IxpTable *t;
  Nodes *nd;
  const char *title;
  double w, h;
} Page;

static bool draw_page(cairo_t *cr, void *ctx) {
  Page *pg = ctx;
  draw(cr, pg->t, pg->nd, pg->title, pg->w, pg->h);
  return true;
}

bool ixp_plot_network(const IxpTable *t, const char *title, int width, int height, const char *path, char *err,
                      size_t errsize) {
  Nodes nd;
  if (ixp_plot_format(path) < 0) {
    snprintf(err, errsize, "cannot write '%s': unknown format (the name must end in .svg or .png)", path);
    return false;
  }
  double w = width ? width : 640, h = height ? height : 480;
  if (w < 200 || h < 200 || w > 10000 || h > 10000) {
    snprintf(err, errsize, "a network plot is 200 to 10000 wide and high, not %g x %g", w, h);
    return false;
  }
  if (read_nodes(t, &nd) < 1) {
    snprintf(err, errsize, "this table names no nodes");
    return false;
  }
  nd.s = fmin(w / 640, h / 480);
  nd.r = fmin(24 * nd.s, fmin(w, h) * 0.36 * sin(M_PI / nd.n) * 0.8);
  char heading[256];
  snprintf(heading, sizeof heading, "%s", title ? title : "inferred network");
  Page page = {t, &nd, heading, w, h};
  bool small;
  return ixp_plot_render_file(path, w, h, draw_page, &page, &small, err, errsize);
}
