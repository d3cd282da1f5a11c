/* plot.c — line plots of curves to SVG or PNG with cairo (see plot.h).
 *
 * Layout: a white page; a frame around the data with ticks pointing inward
 * on all four sides; tick labels left of and below the frame, the axis
 * labels outside them, an optional title above; a boxed legend in the
 * corner of the frame that hides the least of the curves (top right on a
 * tie); a colour bar right of the frame when points are coloured by a
 * value. Sizes scale with the page (1 at 640 x 420).
 * Text uses cairo's toy API, so labels are cleaned to valid UTF-8 first
 * (cairo puts the whole context in an error state on invalid UTF-8). */
#include "plot.h"

#include "outfile.h"

#include <cairo-svg.h>
#include <cairo.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

enum { DEFAULT_W = 640, DEFAULT_H = 420, MAX_SIDE = 8192, MAX_TICKS = 40, MAX_MINOR = 200, TEXT_CAP = 256 };

#define FONT "sans-serif"
#define MINUS "\xe2\x88\x92" /* U+2212 MINUS SIGN */
#define TIMES "\xc3\x97"     /* U+00D7 MULTIPLICATION SIGN */

/* Okabe–Ito colours (colour-blind friendly), without the yellow that is
 * too pale on white. */
static const double PALETTE[][3] = {
    {0.000, 0.447, 0.698}, /* blue */
    {0.835, 0.369, 0.000}, /* vermillion */
    {0.000, 0.620, 0.451}, /* bluish green */
    {0.800, 0.475, 0.655}, /* reddish purple */
    {0.902, 0.624, 0.000}, /* orange */
    {0.337, 0.706, 0.914}, /* sky blue */
    {0.000, 0.000, 0.000}, /* black */
};
enum { NCOLOURS = sizeof PALETTE / sizeof PALETTE[0], NDASHES = 4, NMARKERS = 6 };

/* The colour ramp for values (viridis, sampled at 9 even steps): dark to
 * light, ordered in lightness, readable in grey and by colour-blind eyes. */
static const double RAMP[][3] = {
    {0.267, 0.005, 0.329}, {0.278, 0.176, 0.482}, {0.231, 0.322, 0.545}, {0.173, 0.447, 0.557},
    {0.129, 0.569, 0.549}, {0.157, 0.682, 0.502}, {0.369, 0.788, 0.384}, {0.678, 0.863, 0.188},
    {0.992, 0.906, 0.145},
};
enum { NRAMP = sizeof RAMP / sizeof RAMP[0] };

/* A label: main text and an optional superscript after it (an exponent). */
typedef struct {
  char main[48], sup[16];
} Label;

/* An axis: limits in axis units (log10 of the value on a log axis), major
 * ticks with labels, unlabelled minor ticks, and a common factor "×10^k"
 * of the labels (empty main text: none). */
typedef struct {
  bool log;
  double lo, hi;
  int nt, nminor;
  double t[MAX_TICKS], minor[MAX_MINOR];
  Label lab[MAX_TICKS];
  Label factor;
} Axis;

/* The drawing: context, page, scale of sizes, fonts, frame and axes. */
typedef struct {
  cairo_t *cr;
  double w, h, s;
  double ft, fl, ftitle;  /* font sizes: ticks and legend, axis labels, title */
  double capd;            /* height of a digit at size ft */
  double pad, gap, tick, lw;
  double x0, y0, x1, y1;  /* the frame: left, top, right, bottom */
  Axis ax, ay;
  bool zbar;              /* points coloured by value: a colour bar right of the frame */
  Axis az;                /* its scale (limits are the values' range) */
  double zx0, zx1;        /* its left and right edges */
  char title[TEXT_CAP], xlabel[TEXT_CAP], ylabel[TEXT_CAP], zlabel[TEXT_CAP];
  const IxpPlot *plot;    /* what the page draws */
} Canvas;

/* Where the output goes: a file, and the errno of the first failed write. */
typedef struct {
  FILE *f;
  int err;
} Sink;

/* ------------------------------------------------------------ messages */

/* Formats a message into err (when there is room); returns false. */
__attribute__((format(printf, 3, 4))) static bool fail(char *err, size_t errsize, const char *fmt, ...) {
  if (err && errsize) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errsize, fmt, ap);
    va_end(ap);
  }
  return false;
}

/* Length of the valid UTF-8 sequence at p, or 0 if it is not valid. */
static size_t utf8_len(const unsigned char *p) {
  size_t n = p[0] < 0x80 ? 1 : p[0] < 0xc2 ? 0 : p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : p[0] < 0xf5 ? 4 : 0;
  for (size_t i = 1; i < n; i++)
    if ((p[i] & 0xc0) != 0x80) return 0;
  if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0)) return 0; /* overlong, surrogate */
  if ((p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90)) return 0; /* overlong, > U+10FFFF */
  return n;
}

/* Copies src (NULL: "") to dst[TEXT_CAP] as valid UTF-8: invalid bytes
 * become '?', control characters spaces; cut at a character boundary. */
static void clean_text(char *dst, const char *src) {
  const unsigned char *p = (const unsigned char *)(src ? src : "");
  size_t o = 0;
  while (*p) {
    size_t n = utf8_len(p);
    if (o + (n ? n : 1) >= TEXT_CAP) break;
    if (n == 0)
      dst[o++] = '?';
    else if (n == 1 && (*p < 0x20 || *p == 0x7f))
      dst[o++] = ' ';
    else
      memcpy(dst + o, p, n), o += n;
    p += n ? n : 1;
  }
  dst[o] = '\0';
}

/* ----------------------------------------------------------- the data */

/* Is v drawable on an axis (finite, and positive on a log axis)? */
static bool usable(double v, bool log) {
  return isfinite(v) && (!log || v > 0);
}

/* Is point k of series sr drawable on both axes? */
static bool point_ok(const IxpPlot *p, const IxpPlotSeries *sr, int k) {
  return k >= 0 && k < sr->n && usable(sr->x[k], p->logx) && usable(sr->y[k], p->logy);
}

/* v in axis units: log10(v) on a log axis. */
static double axis_unit(double v, bool log) {
  return log ? log10(v) : v;
}

/* "series 2 ('rate')" or "series 2", for messages. */
static void series_name(char *buf, size_t size, const IxpPlotSeries *sr, int i) {
  char lab[TEXT_CAP];
  clean_text(lab, sr->label);
  if (lab[0])
    snprintf(buf, size, "series %d ('%s')", i + 1, lab);
  else
    snprintf(buf, size, "series %d", i + 1);
}

/* Checks the series and finds the range of the drawable points in axis
 * units (lo[0..1]: x, y minima; hi[0..1]: maxima; [2]: the finite z
 * values of drawable points, infinite bounds if there are none). */
static bool check_data(const IxpPlot *p, double lo[3], double hi[3], char *err, size_t errsize) {
  if (!p->series || p->nseries <= 0) return fail(err, errsize, "nothing to plot: no series");
  long count = 0;
  lo[0] = lo[1] = lo[2] = INFINITY;
  hi[0] = hi[1] = hi[2] = -INFINITY;
  for (int i = 0; i < p->nseries; i++) {
    const IxpPlotSeries *sr = &p->series[i];
    char name[TEXT_CAP + 32];
    series_name(name, sizeof name, sr, i);
    if (sr->n < 0) return fail(err, errsize, "%s: negative number of points (%d)", name, sr->n);
    if (sr->n > 0 && (!sr->x || !sr->y))
      return fail(err, errsize, "%s: %s is NULL but it has %d points", name, !sr->x ? "x" : "y", sr->n);
    for (int k = 0; k < sr->n; k++) {
      if (!point_ok(p, sr, k)) continue;
      double x = axis_unit(sr->x[k], p->logx), y = axis_unit(sr->y[k], p->logy);
      lo[0] = fmin(lo[0], x), hi[0] = fmax(hi[0], x);
      lo[1] = fmin(lo[1], y), hi[1] = fmax(hi[1], y);
      if (sr->z && isfinite(sr->z[k])) lo[2] = fmin(lo[2], sr->z[k]), hi[2] = fmax(hi[2], sr->z[k]);
      count++;
    }
  }
  if (count == 0)
    return fail(err, errsize, "nothing to plot: no series has a finite point%s",
                p->logx || p->logy ? " (with positive values on the log axes)" : "");
  return true;
}

/* ---------------------------------------------------------- the ticks */

/* Sets the limits of an axis from the data range [mn, mx] in axis units:
 * 4% margins; a constant gets a range around it. False on overflow. */
static bool axis_limits(Axis *a, double mn, double mx) {
  double span = mx - mn, mag = fmax(fabs(mn), fabs(mx));
  if (!(span > (a->log ? 1e-9 : 1e-9 * mag))) {
    double c = mn / 2 + mx / 2, half = a->log ? 0.5 : c == 0 ? 1 : 0.1 * fabs(c);
    mn = c - half, mx = c + half, span = 2 * half;
  }
  a->lo = mn - 0.04 * span, a->hi = mx + 0.04 * span;
  return isfinite(a->lo) && isfinite(a->hi) && isfinite(a->hi - a->lo) && a->hi > a->lo;
}

/* Sets the limits of the colour scale to the values' range [mn, mx]
 * (a constant gets a range around it). False on overflow. */
static bool value_limits(Axis *a, double mn, double mx) {
  if (!(mx - mn > 1e-9 * fmax(fabs(mn), fabs(mx)))) {
    double c = mn / 2 + mx / 2, half = c == 0 ? 1 : 0.1 * fabs(c);
    mn = c - half, mx = c + half;
  }
  a->lo = mn, a->hi = mx;
  return isfinite(mx - mn) && mx > mn;
}

/* The 1, 2 or 5 × 10^k nearest raw (Heckbert's rounding). */
static double nice_step(double raw) {
  double e = floor(log10(raw)), f = raw / pow(10, e);
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * pow(10, e);
}

/* Writes an exponent as text with a true minus sign. */
static void exponent_text(char *buf, size_t size, int e) {
  snprintf(buf, size, "%s%d", e < 0 ? MINUS : "", e < 0 ? -e : e);
}

/* Labels v with dec decimals, a true minus sign and never "-0". */
static void label_fixed(Label *l, double v, int dec) {
  char buf[40];
  snprintf(buf, sizeof buf, "%.*f", dec, v);
  bool neg = buf[0] == '-' && strspn(buf + 1, "0.") != strlen(buf + 1);
  snprintf(l->main, sizeof l->main, "%s%s", neg ? MINUS : "", buf + (buf[0] == '-'));
  l->sup[0] = '\0';
}

/* Labels v in the shortest way: "0.02", "300", or "2×10" with
 * superscript "−5" ("10" alone for a mantissa of 1). */
static void label_general(Label *l, double v) {
  char buf[40], *e;
  snprintf(buf, sizeof buf, "%.6g", v);
  l->sup[0] = '\0';
  if (!(e = strchr(buf, 'e'))) {
    snprintf(l->main, sizeof l->main, "%s", buf);
    return;
  }
  *e = '\0';
  exponent_text(l->sup, sizeof l->sup, atoi(e + 1));
  if (strcmp(buf, "1") == 0)
    snprintf(l->main, sizeof l->main, "10");
  else
    snprintf(l->main, sizeof l->main, "%s" TIMES "10", buf);
}

/* Major ticks at multiples of a nice step over the values [lo, hi], about
 * `target` of them, labelled with the decimals the step needs; very large
 * or small labels share a factor 10^e shown once. Positions in axis units. */
static void linear_ticks(Axis *a, double lo, double hi, int target) {
  double step = nice_step((hi - lo) / target), mag = 0, v[MAX_TICKS];
  int n = 0;
  if (!isfinite(step) || step <= 0) return;
  for (double k = ceil(lo / step - 1e-9); k <= floor(hi / step + 1e-9) && n < MAX_TICKS; k++) {
    double val = k == 0 ? 0 : k * step;
    if (a->log && val <= 0) continue;
    v[n++] = val;
    mag = fmax(mag, fabs(val));
  }
  int e = mag >= 1e5 || (mag > 0 && mag < 1e-3) ? (int)floor(log10(mag)) : 0;
  int dec = e - (int)floor(log10(step) + 1e-9);
  dec = dec < 0 ? 0 : dec > 15 ? 15 : dec;
  for (int i = 0; i < n; i++) {
    a->t[i] = axis_unit(v[i], a->log);
    label_fixed(&a->lab[i], v[i] / pow(10, e), dec);
  }
  a->nt = n;
  if (e) {
    snprintf(a->factor.main, sizeof a->factor.main, TIMES "10");
    exponent_text(a->factor.sup, sizeof a->factor.sup, e);
  }
}

/* Adds a minor tick at position t (axis units) if it is inside the axis. */
static void add_minor(Axis *a, double t) {
  if (t >= a->lo && t <= a->hi && a->nminor < MAX_MINOR) a->minor[a->nminor++] = t;
}

/* Decade ticks of a log axis, every m-th decade for about `target`
 * ticks, labelled 0.01 … 1000 when all are in that range and 10^k
 * otherwise; minor ticks at 2…9 × 10^k, or at the unlabelled decades. */
static void decade_ticks(Axis *a, int target) {
  double d0 = ceil(a->lo - 1e-9), d1 = floor(a->hi + 1e-9);
  double m = fmax(1, nice_step((d1 - d0 + 1) / target));
  double first = ceil(d0 / m) * m, last = floor(d1 / m) * m;
  bool plain = first >= -2 && last <= 3;
  for (double d = first; d <= d1 && a->nt < MAX_TICKS; d += m) {
    Label *l = &a->lab[a->nt];
    a->t[a->nt++] = d;
    if (plain)
      label_general(l, pow(10, d));
    else {
      snprintf(l->main, sizeof l->main, "10");
      exponent_text(l->sup, sizeof l->sup, (int)d);
    }
  }
  for (double d = floor(a->lo); d <= d1; d++) {
    if (m > 1 && fmod(d, m) != 0) add_minor(a, d);
    for (int j = 2; m == 1 && j <= 9; j++) add_minor(a, d + log10(j));
  }
}

/* Ticks at 1, 2, 5 × 10^k on a log axis, with minor ticks at the other
 * digits; returns the number of major ticks. */
static int ticks_125(Axis *a) {
  for (double d = floor(a->lo); d <= ceil(a->hi); d++)
    for (int j = 1; j <= 9; j++) {
      double t = d + log10(j);
      if (j != 1 && j != 2 && j != 5) {
        add_minor(a, t);
      } else if (t >= a->lo - 1e-9 && t <= a->hi + 1e-9 && a->nt < MAX_TICKS) {
        label_general(&a->lab[a->nt], j * pow(10, d));
        a->t[a->nt++] = t;
      }
    }
  return a->nt;
}

/* Empties the ticks of an axis. */
static void clear_ticks(Axis *a) {
  a->nt = a->nminor = 0;
  a->factor.main[0] = a->factor.sup[0] = '\0';
}

/* Major and minor ticks of an axis for about `target` major ticks. */
static void make_ticks(Axis *a, int target) {
  clear_ticks(a);
  if (!a->log) {
    linear_ticks(a, a->lo, a->hi, target);
    return;
  }
  double decades = floor(a->hi + 1e-9) - ceil(a->lo - 1e-9) + 1;
  if (decades >= 3) {
    decade_ticks(a, target);
    return;
  }
  int n = ticks_125(a);
  if (n >= 3 && n <= target + 2) return;
  clear_ticks(a);
  if (decades == 2)
    decade_ticks(a, target);
  else
    linear_ticks(a, pow(10, a->lo), pow(10, a->hi), target);
}

/* ----------------------------------------------------------- the text */

/* Sets the regular or bold font at size fs. */
static void set_font(cairo_t *cr, bool bold, double fs) {
  cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, fs);
}

/* Advance width of text in the current font. */
static double text_width(cairo_t *cr, const char *text) {
  cairo_text_extents_t e;
  cairo_text_extents(cr, text, &e);
  return e.x_advance;
}

/* Shows text with its baseline at y, aligned at x (align 0: left end,
 * 0.5: centre, 1: right end). */
static void text_at(cairo_t *cr, const char *text, double x, double y, double align) {
  cairo_move_to(cr, x - align * text_width(cr, text), y);
  cairo_show_text(cr, text);
}

/* Width of a label at font size fs (the superscript at 70%). */
static double label_width(cairo_t *cr, const Label *l, double fs) {
  cairo_set_font_size(cr, fs);
  double w = text_width(cr, l->main);
  if (l->sup[0]) {
    cairo_set_font_size(cr, 0.7 * fs);
    w += 0.05 * fs + text_width(cr, l->sup);
    cairo_set_font_size(cr, fs);
  }
  return w;
}

/* Height of a label above its baseline (digits; a superscript rises higher). */
static double label_top(const Canvas *c, const Label *l) {
  return l->sup[0] ? 0.45 * c->ft + 0.7 * c->capd : c->capd;
}

/* Shows a label at font size ft with its baseline at y, aligned at x. */
static void label_at(Canvas *c, const Label *l, double x, double y, double align) {
  cairo_t *cr = c->cr;
  cairo_move_to(cr, x - align * label_width(cr, l, c->ft), y);
  cairo_show_text(cr, l->main);
  if (!l->sup[0]) return;
  double cx, cy;
  cairo_get_current_point(cr, &cx, &cy);
  cairo_set_font_size(cr, 0.7 * c->ft);
  cairo_move_to(cr, cx + 0.05 * c->ft, cy - 0.45 * c->ft);
  cairo_show_text(cr, l->sup);
  cairo_set_font_size(cr, c->ft);
}

/* --------------------------------------------------------- the layout */

/* Device position of t (axis units) along an axis from `from` to `to`. */
static double along(const Axis *a, double t, double from, double to) {
  return from + (t - a->lo) / (a->hi - a->lo) * (to - from);
}

/* Do the tick labels of a fit along `len` without overlapping? */
static bool ticks_fit(Canvas *c, const Axis *a, double len, bool horizontal) {
  for (int i = 1; i < a->nt; i++) {
    double d = along(a, a->t[i], 0, len) - along(a, a->t[i - 1], 0, len);
    const Label *l0 = &a->lab[i - 1], *l1 = &a->lab[i];
    double need = horizontal ? (label_width(c->cr, l0, c->ft) + label_width(c->cr, l1, c->ft)) / 2 + c->ft
                             : fmax(label_top(c, l0), label_top(c, l1)) + 0.8 * c->ft;
    if (d < need) return false;
  }
  return true;
}

/* Ticks for an axis of length len: about one per `spacing` units, fewer
 * while their labels overlap. */
static void fit_ticks(Canvas *c, Axis *a, double len, double spacing, bool horizontal) {
  int target = (int)(len / (spacing * c->s));
  target = target < 3 ? 3 : target > 8 ? 8 : target;
  for (;; target--) {
    make_ticks(a, target);
    if (target <= 2 || ticks_fit(c, a, len, horizontal)) break;
  }
}

/* Widest tick label of an axis. */
static double widest_label(Canvas *c, const Axis *a) {
  double w = 0;
  for (int i = 0; i < a->nt; i++) w = fmax(w, label_width(c->cr, &a->lab[i], c->ft));
  return w;
}

/* Highest tick label of an axis above its baseline. */
static double highest_label(const Canvas *c, const Axis *a) {
  double t = c->capd;
  for (int i = 0; i < a->nt; i++) t = fmax(t, label_top(c, &a->lab[i]));
  return t;
}

/* Width of the colour bar. */
static double bar_width(const Canvas *c) {
  return 12 * c->s;
}

/* Aligns v to the pixel grid for crisp lines of width lw. */
static double snap(const Canvas *c, double v) {
  return fmod(c->lw, 2) == 1 ? floor(v) + 0.5 : round(v);
}

/* Places the frame so that the tick labels, axis labels and title fit
 * around it, and computes the ticks (two passes: each side's size
 * depends on the other axis's labels). False if the page is too small. */
static bool layout(Canvas *c) {
  cairo_t *cr = c->cr;
  cairo_font_extents_t fe;
  cairo_text_extents_t te;
  set_font(cr, true, c->ftitle);
  cairo_font_extents(cr, &fe);
  double title_h = c->title[0] ? fe.ascent + fe.descent + c->gap : 0;
  set_font(cr, false, c->fl);
  cairo_font_extents(cr, &fe);
  double label_h = fe.ascent + fe.descent + c->gap;
  set_font(cr, false, c->ft);
  cairo_text_extents(cr, "0", &te);
  c->capd = te.height;
  double left = c->pad + 40 * c->s, right = c->pad + 10 * c->s, top = 0, bottom = 0, bar = 0;
  for (int pass = 0; pass < 2; pass++) {
    bool factor = c->ay.factor.main[0] || (c->zbar && c->az.factor.main[0]);
    double factor_h = fmax(highest_label(c, &c->ay), c->zbar ? highest_label(c, &c->az) : 0);
    top = c->pad + title_h + (factor ? factor_h + c->gap : c->capd / 2);
    double under = c->xlabel[0] ? label_h : c->ax.factor.main[0] ? c->capd + c->gap : 0;
    bottom = c->pad + under + highest_label(c, &c->ax) + 0.3 * c->capd + 2 * c->gap;
    fit_ticks(c, &c->ay, c->h - top - bottom, 50, false);
    if (c->zbar) {
      fit_ticks(c, &c->az, c->h - top - bottom, 50, false);
      bar = 3 * c->gap + bar_width(c) + c->gap + fmax(widest_label(c, &c->az), label_width(cr, &c->az.factor, c->ft)) +
            (c->zlabel[0] ? label_h : 0);
    }
    left = c->pad + (c->ylabel[0] ? label_h : 0) + widest_label(c, &c->ay) + c->gap;
    fit_ticks(c, &c->ax, c->w - left - right, 90, true);
    double overhang = 0;
    if (c->ax.nt > 0) {
      const Axis *a = &c->ax;
      double room = along(a, a->hi, 0, c->w - left - right) - along(a, a->t[a->nt - 1], 0, c->w - left - right);
      overhang = label_width(cr, &a->lab[a->nt - 1], c->ft) / 2 - room;
    }
    right = c->pad + fmax(fmax(0.5 * c->pad, overhang), bar);
  }
  c->x0 = snap(c, left), c->x1 = snap(c, c->w - right);
  c->zx0 = round(c->x1 + 3 * c->gap), c->zx1 = c->zx0 + round(bar_width(c));
  c->y0 = snap(c, top), c->y1 = snap(c, c->h - bottom);
  return c->x1 - c->x0 >= 20 && c->y1 - c->y0 >= 20;
}

/* ---------------------------------------------------------- the curves */

/* Device coordinates of point k of a series. */
static void map_point(const Canvas *c, const IxpPlotSeries *sr, int k, double *x, double *y) {
  *x = along(&c->ax, axis_unit(sr->x[k], c->ax.log), c->x0, c->x1);
  *y = along(&c->ay, axis_unit(sr->y[k], c->ay.log), c->y1, c->y0);
}

/* Sets the colour, width and dash pattern of series i. */
static void set_style(Canvas *c, int i, bool dashed) {
  static const double DASH[NDASHES][4] = {{0}, {6, 3.5}, {0, 3.4}, {7, 3, 0, 3}};
  static const int NDASH[NDASHES] = {0, 2, 2, 4};
  const double *rgb = PALETTE[i % NCOLOURS];
  int d = dashed ? i % NDASHES : 0;
  double dash[4];
  for (int k = 0; k < NDASH[d]; k++) dash[k] = DASH[d][k] * c->s;
  cairo_set_source_rgb(c->cr, rgb[0], rgb[1], rgb[2]);
  cairo_set_line_width(c->cr, 1.7 * c->s);
  cairo_set_line_join(c->cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap(c->cr, d == 2 || d == 3 ? CAIRO_LINE_CAP_ROUND : CAIRO_LINE_CAP_BUTT);
  cairo_set_dash(c->cr, dash, NDASH[d], 0);
}

/* Adds marker shape i (circle, square, triangles, diamond, cross) at
 * (x, y) to the path. */
static void marker_path(Canvas *c, int i, double x, double y) {
  cairo_t *cr = c->cr;
  double r = 3.3 * c->s;
  cairo_new_sub_path(cr);
  switch (i % NMARKERS) {
  case 0: cairo_arc(cr, x, y, r, 0, 2 * M_PI); break;
  case 1: cairo_rectangle(cr, x - 0.85 * r, y - 0.85 * r, 1.7 * r, 1.7 * r); break;
  case 2:
    cairo_move_to(cr, x, y - 1.15 * r), cairo_line_to(cr, x + r, y + 0.6 * r), cairo_line_to(cr, x - r, y + 0.6 * r);
    break;
  case 3:
    cairo_move_to(cr, x, y - 1.2 * r), cairo_line_to(cr, x + r, y), cairo_line_to(cr, x, y + 1.2 * r);
    cairo_line_to(cr, x - r, y);
    break;
  case 4:
    cairo_move_to(cr, x, y + 1.15 * r), cairo_line_to(cr, x + r, y - 0.6 * r), cairo_line_to(cr, x - r, y - 0.6 * r);
    break;
  default:
    cairo_move_to(cr, x - r, y - r), cairo_line_to(cr, x + r, y + r);
    cairo_move_to(cr, x - r, y + r), cairo_line_to(cr, x + r, y - r);
    return;
  }
  cairo_close_path(cr);
}

/* Draws the current marker path of series i: filled, or stroked for the cross. */
static void marker_draw(Canvas *c, int i) {
  if (i % NMARKERS == NMARKERS - 1) {
    cairo_set_dash(c->cr, NULL, 0, 0);
    cairo_set_line_cap(c->cr, CAIRO_LINE_CAP_ROUND);
    cairo_stroke(c->cr);
  } else {
    cairo_fill(c->cr);
  }
}

/* The ramp's colour at value z of the colour bar's scale (clamped to its ends). */
static void ramp_colour(const Canvas *c, double z, double rgb[3]) {
  double t = (z - c->az.lo) / (c->az.hi - c->az.lo) * (NRAMP - 1);
  t = t < 0 ? 0 : t > NRAMP - 1 ? NRAMP - 1 : t;
  int k = (int)t < NRAMP - 1 ? (int)t : NRAMP - 2;
  double f = t - k;
  for (int j = 0; j < 3; j++) rgb[j] = RAMP[k][j] + f * (RAMP[k + 1][j] - RAMP[k][j]);
}

/* Draws the markers of series i filled with the ramp's colour at each
 * point's z (the series' own colour where z is not finite), outlined in
 * the series' colour so that shape and outline still tell series apart. */
static void draw_value_markers(Canvas *c, const IxpPlot *p, int i) {
  const IxpPlotSeries *sr = &p->series[i];
  const double *edge = PALETTE[i % NCOLOURS];
  double x, y, rgb[3];
  for (int k = 0; k < sr->n; k++) {
    if (!point_ok(p, sr, k)) continue;
    map_point(c, sr, k, &x, &y);
    if (isfinite(sr->z[k]))
      ramp_colour(c, sr->z[k], rgb);
    else
      memcpy(rgb, edge, sizeof rgb);
    marker_path(c, i, x, y);
    cairo_set_source_rgb(c->cr, rgb[0], rgb[1], rgb[2]);
    if (i % NMARKERS == NMARKERS - 1) { /* the cross is drawn by its strokes */
      cairo_set_line_width(c->cr, 1.7 * c->s);
      marker_draw(c, i);
      continue;
    }
    cairo_fill_preserve(c->cr);
    cairo_set_source_rgb(c->cr, edge[0], edge[1], edge[2]);
    cairo_set_line_width(c->cr, 0.9 * c->s);
    cairo_set_dash(c->cr, NULL, 0, 0);
    cairo_stroke(c->cr);
  }
}

/* Draws series i: polylines broken at the points that cannot be drawn, a
 * dot for an isolated point, and the markers if asked for (or coloured by
 * value). */
static void draw_series(Canvas *c, const IxpPlot *p, int i) {
  const IxpPlotSeries *sr = &p->series[i];
  cairo_t *cr = c->cr;
  double x, y;
  set_style(c, i, true);
  for (int k = 0; k < sr->n; k++) {
    if (!point_ok(p, sr, k)) continue;
    map_point(c, sr, k, &x, &y);
    if (point_ok(p, sr, k - 1))
      cairo_line_to(cr, x, y);
    else
      cairo_move_to(cr, x, y);
  }
  cairo_stroke(cr);
  if (sr->z) {
    draw_value_markers(c, p, i);
    return;
  }
  for (int k = 0; k < sr->n; k++) {
    if (!point_ok(p, sr, k)) continue;
    map_point(c, sr, k, &x, &y);
    if (sr->markers)
      marker_path(c, i, x, y);
    else if (!point_ok(p, sr, k - 1) && !point_ok(p, sr, k + 1))
      cairo_new_sub_path(cr), cairo_arc(cr, x, y, 1.7 * c->s, 0, 2 * M_PI);
  }
  if (sr->markers)
    marker_draw(c, i);
  else
    cairo_fill(cr);
}

/* --------------------------------------------------- frame and labels */

/* Draws the frame, the ticks on all four sides (inward) and the tick labels. */
static void draw_axes(Canvas *c) {
  cairo_t *cr = c->cr;
  const Axis *ax = &c->ax, *ay = &c->ay;
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, c->lw);
  cairo_set_dash(cr, NULL, 0, 0);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
  cairo_rectangle(cr, c->x0, c->y0, c->x1 - c->x0, c->y1 - c->y0);
  for (int pass = 0; pass < 2; pass++) {
    int nx = pass ? ax->nminor : ax->nt, ny = pass ? ay->nminor : ay->nt;
    const double *tx = pass ? ax->minor : ax->t, *ty = pass ? ay->minor : ay->t;
    double len = pass ? 0.55 * c->tick : c->tick;
    for (int i = 0; i < nx; i++) {
      double x = snap(c, along(ax, tx[i], c->x0, c->x1));
      cairo_move_to(cr, x, c->y1), cairo_rel_line_to(cr, 0, -len);
      cairo_move_to(cr, x, c->y0), cairo_rel_line_to(cr, 0, len);
    }
    for (int i = 0; i < ny; i++) {
      double y = snap(c, along(ay, ty[i], c->y1, c->y0));
      cairo_move_to(cr, c->x0, y), cairo_rel_line_to(cr, len, 0);
      cairo_move_to(cr, c->x1, y), cairo_rel_line_to(cr, -len, 0);
    }
  }
  cairo_stroke(cr);
  set_font(cr, false, c->ft);
  double base = c->y1 + c->gap + highest_label(c, ax);
  for (int i = 0; i < ax->nt; i++) label_at(c, &ax->lab[i], along(ax, ax->t[i], c->x0, c->x1), base, 0.5);
  for (int i = 0; i < ay->nt; i++)
    label_at(c, &ay->lab[i], c->x0 - c->gap, along(ay, ay->t[i], c->y1, c->y0) + c->capd / 2, 1);
  if (ay->factor.main[0]) label_at(c, &ay->factor, c->x0, c->y0 - c->gap, 0);
  if (ax->factor.main[0]) label_at(c, &ax->factor, c->x1, c->h - c->pad - 0.3 * c->capd, 1);
}

/* Draws the title above the frame and the axis labels outside the tick labels. */
static void draw_titles(Canvas *c) {
  cairo_t *cr = c->cr;
  cairo_font_extents_t fe;
  cairo_set_source_rgb(cr, 0, 0, 0);
  if (c->title[0]) {
    set_font(cr, true, c->ftitle);
    cairo_font_extents(cr, &fe);
    text_at(cr, c->title, (c->x0 + c->x1) / 2, c->pad + fe.ascent, 0.5);
  }
  set_font(cr, false, c->fl);
  cairo_font_extents(cr, &fe);
  if (c->xlabel[0]) text_at(cr, c->xlabel, (c->x0 + c->x1) / 2, c->h - c->pad - fe.descent, 0.5);
  if (c->ylabel[0]) {
    cairo_save(cr);
    cairo_translate(cr, c->pad + fe.ascent, (c->y0 + c->y1) / 2);
    cairo_rotate(cr, -M_PI / 2);
    text_at(cr, c->ylabel, 0, 0, 0.5);
    cairo_restore(cr);
  }
}

/* How much of the curves a box [x0, x1] × [y0, y1] would hide: the
 * number of points inside it, of the markers and of the lines sampled
 * every two units of length. */
static long hidden(const Canvas *c, const IxpPlot *p, double x0, double y0, double x1, double y1) {
  long n = 0;
  for (int i = 0; i < p->nseries; i++) {
    const IxpPlotSeries *sr = &p->series[i];
    double px = 0, py = 0, x, y;
    for (int k = 0; k < sr->n; k++) {
      if (!point_ok(p, sr, k)) continue;
      map_point(c, sr, k, &x, &y);
      int steps = point_ok(p, sr, k - 1) ? (int)fmin(ceil(hypot(x - px, y - py) / (2 * c->s)), 4096) : 0;
      for (int j = 0; j <= steps; j++) {
        double t = steps ? (double)j / steps : 1, sx = px + t * (x - px), sy = py + t * (y - py);
        n += sx >= x0 && sx <= x1 && sy >= y0 && sy <= y1;
      }
      n += 4 * (x >= x0 && x <= x1 && y >= y0 && y <= y1 && (sr->markers || sr->z));
      px = x, py = y;
    }
  }
  return n;
}

/* The top-left corner of a legend box of bw × bh: in the corner of the
 * frame that hides the least of the curves, trying top right, top left,
 * bottom right, bottom left in that order (the first wins a tie). */
static void legend_corner(const Canvas *c, const IxpPlot *p, double bw, double bh, double *bx, double *by) {
  double in = c->tick + 4 * c->s, left = c->x0 + in, right = c->x1 - in - bw, up = c->y0 + in, down = c->y1 - in - bh;
  const double corners[4][2] = {{right, up}, {left, up}, {right, down}, {left, down}};
  long best = -1;
  *bx = right, *by = up;
  for (int k = 0; k < 4; k++) {
    long n = hidden(c, p, corners[k][0], corners[k][1], corners[k][0] + bw, corners[k][1] + bh);
    if (best < 0 || n < best) best = n, *bx = corners[k][0], *by = corners[k][1];
  }
}

/* Draws the legend, boxed, in a corner of the frame: a line sample (with
 * its marker) and the label of each labelled series. */
static void draw_legend(Canvas *c, const IxpPlot *p) {
  cairo_t *cr = c->cr;
  char text[TEXT_CAP];
  int rows = 0;
  double textw = 0, sample = 28 * c->s, row = 1.45 * c->ft, inner = 0.6 * c->ft;
  set_font(cr, false, c->ft);
  for (int i = 0; i < p->nseries; i++) {
    clean_text(text, p->series[i].label);
    if (text[0]) rows++, textw = fmax(textw, text_width(cr, text));
  }
  if (rows == 0) return;
  double bw = 2 * inner + sample + 0.6 * c->ft + textw, bh = 2 * inner + rows * row - (row - c->ft);
  double bx, by;
  legend_corner(c, p, bw, bh, &bx, &by);
  cairo_rectangle(cr, snap(c, bx), snap(c, by), round(bw), round(bh));
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_fill_preserve(cr);
  cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
  cairo_set_line_width(cr, c->lw);
  cairo_set_dash(cr, NULL, 0, 0);
  cairo_stroke(cr);
  double y = by + inner + c->ft / 2;
  for (int i = 0; i < p->nseries; i++) {
    clean_text(text, p->series[i].label);
    if (!text[0]) continue;
    set_style(c, i, true);
    cairo_move_to(cr, bx + inner, y), cairo_rel_line_to(cr, sample, 0);
    cairo_stroke(cr);
    if (p->series[i].markers || p->series[i].z) marker_path(c, i, bx + inner + sample / 2, y), marker_draw(c, i);
    cairo_set_source_rgb(cr, 0, 0, 0);
    text_at(cr, text, bx + inner + sample + 0.6 * c->ft, y + c->capd / 2, 0);
    y += row;
  }
}

/* Draws the colour bar right of the frame: the ramp from its lowest value
 * (bottom) to its highest, framed, with ticks and labels on its right,
 * the common factor above it and its label outside. */
static void draw_colour_bar(Canvas *c) {
  cairo_t *cr = c->cr;
  const Axis *az = &c->az;
  double x0 = c->zx0, x1 = c->zx1;
  cairo_pattern_t *ramp = cairo_pattern_create_linear(0, c->y1, 0, c->y0);
  for (int k = 0; k < NRAMP; k++)
    cairo_pattern_add_color_stop_rgb(ramp, (double)k / (NRAMP - 1), RAMP[k][0], RAMP[k][1], RAMP[k][2]);
  cairo_rectangle(cr, x0, c->y0, x1 - x0, c->y1 - c->y0);
  cairo_set_source(cr, ramp);
  cairo_fill(cr);
  cairo_pattern_destroy(ramp);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, c->lw);
  cairo_set_dash(cr, NULL, 0, 0);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
  cairo_rectangle(cr, snap(c, x0), c->y0, x1 - x0, c->y1 - c->y0);
  for (int i = 0; i < az->nt; i++) {
    double y = snap(c, along(az, az->t[i], c->y1, c->y0));
    cairo_move_to(cr, x1, y), cairo_rel_line_to(cr, -0.6 * c->tick, 0);
  }
  cairo_stroke(cr);
  set_font(cr, false, c->ft);
  for (int i = 0; i < az->nt; i++)
    label_at(c, &az->lab[i], x1 + c->gap, along(az, az->t[i], c->y1, c->y0) + c->capd / 2, 0);
  if (az->factor.main[0]) label_at(c, &az->factor, x0, c->y0 - c->gap, 0);
  if (!c->zlabel[0]) return;
  cairo_font_extents_t fe;
  set_font(cr, false, c->fl);
  cairo_font_extents(cr, &fe);
  cairo_save(cr);
  cairo_translate(cr, c->w - c->pad - fe.descent, (c->y0 + c->y1) / 2);
  cairo_rotate(cr, -M_PI / 2);
  text_at(cr, c->zlabel, 0, 0, 0.5);
  cairo_restore(cr);
}

/* Lays out and draws the whole plot on cr. False if the page is too small. */
static bool draw_plot(Canvas *c, const IxpPlot *p) {
  if (!layout(c)) return false;
  cairo_t *cr = c->cr;
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_save(cr);
  cairo_rectangle(cr, c->x0, c->y0, c->x1 - c->x0, c->y1 - c->y0);
  cairo_clip(cr);
  for (int i = 0; i < p->nseries; i++) draw_series(c, p, i);
  cairo_restore(cr);
  draw_axes(c);
  draw_titles(c);
  if (c->zbar) draw_colour_bar(c);
  draw_legend(c, p);
  return true;
}

/* ------------------------------------------------------------ output */

/* cairo write callback: appends to the sink's file, remembering errno. */
static cairo_status_t sink_write(void *closure, const unsigned char *data, unsigned int len) {
  Sink *sk = closure;
  if (sk->err) return CAIRO_STATUS_WRITE_ERROR;
  errno = 0;
  if (fwrite(data, 1, len, sk->f) != len) {
    sk->err = errno ? errno : EIO;
    return CAIRO_STATUS_WRITE_ERROR;
  }
  return CAIRO_STATUS_SUCCESS;
}

int ixp_plot_format(const char *path) {
  size_t n = strlen(path);
  if (n > 4 && strcasecmp(path + n - 4, ".svg") == 0) return 1;
  return n > 4 && strcasecmp(path + n - 4, ".png") == 0 ? 0 : -1;
}

/* Draws the page onto a new SVG or PNG surface writing to the sink.
 * Returns a cairo status; *small is set if the page is too small. */
static cairo_status_t render(double w, double h, IxpPlotDraw draw, void *ctx, bool svg, Sink *sk, bool *small) {
  cairo_surface_t *surf = svg ? cairo_svg_surface_create_for_stream(sink_write, sk, w, h)
                              : cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)w, (int)h);
  cairo_status_t st = cairo_surface_status(surf);
  if (st == CAIRO_STATUS_SUCCESS) {
    cairo_t *cr = cairo_create(surf);
    *small = !draw(cr, ctx);
    st = cairo_status(cr);
    cairo_destroy(cr);
  }
  if (st == CAIRO_STATUS_SUCCESS && !*small) {
    if (svg) {
      cairo_surface_finish(surf);
      st = cairo_surface_status(surf);
    } else {
      st = cairo_surface_write_to_png_stream(surf, sink_write, sk);
    }
  }
  cairo_surface_destroy(surf);
  return st;
}

bool ixp_plot_render_file(const char *path, double w, double h, IxpPlotDraw draw, void *ctx, bool *small, char *err,
                          size_t errsize) {
  IxpOutFile out;
  *small = false;
  if (!ixp_outfile_open(&out, path, err, errsize)) return false;
  Sink sk = {out.f, 0};
  cairo_status_t st = render(w, h, draw, ctx, ixp_plot_format(path) == 1, &sk, small);
  bool ok = st == CAIRO_STATUS_SUCCESS && !sk.err && !*small;
  if (!ixp_outfile_close(&out, path, ok, err, errsize) && ok) return false;
  if (!ok && !*small) return fail(err, errsize, "cannot write '%s': %s", path, sk.err ? strerror(sk.err) : cairo_status_to_string(st));
  return ok;
}

/* A line plot's page. */
static bool draw_canvas(cairo_t *cr, void *ctx) {
  Canvas *c = ctx;
  c->cr = cr;
  bool fits = draw_plot(c, c->plot);
  c->cr = NULL;
  return fits;
}

/* Sets the page size, scale and fonts of the canvas, and copies the texts. */
static bool canvas_init(Canvas *c, const IxpPlot *p, char *err, size_t errsize) {
  int w = p->width ? p->width : DEFAULT_W, h = p->height ? p->height : DEFAULT_H;
  if (w < 0 || h < 0 || w > MAX_SIDE || h > MAX_SIDE)
    return fail(err, errsize, "bad plot size %d x %d (each side must be 1 to %d, or 0 for the default)", p->width,
                p->height, MAX_SIDE);
  memset(c, 0, sizeof *c);
  c->w = w, c->h = h;
  c->s = fmin(fmax(fmin(w / (double)DEFAULT_W, h / (double)DEFAULT_H), 0.75), 4);
  c->ft = 11 * c->s, c->fl = 12.5 * c->s, c->ftitle = 13.5 * c->s;
  c->pad = 8 * c->s, c->gap = 5 * c->s, c->tick = 5 * c->s, c->lw = fmax(1, round(c->s));
  c->ax.log = p->logx, c->ay.log = p->logy;
  clean_text(c->title, p->title);
  clean_text(c->xlabel, p->xlabel);
  clean_text(c->ylabel, p->ylabel);
  clean_text(c->zlabel, p->zlabel);
  return true;
}

/* Writes the plot to path, whole or not at all (outfile.h). */
bool ixp_plot_write(const IxpPlot *plot, const char *path, char *err, size_t errsize) {
  double lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0};
  Canvas c;
  if (err && errsize) err[0] = '\0';
  if (!plot) return fail(err, errsize, "nothing to plot: no plot");
  if (!path || !path[0]) return fail(err, errsize, "no output file name");
  if (ixp_plot_format(path) < 0)
    return fail(err, errsize, "cannot write '%s': unknown format (the name must end in .svg or .png)", path);
  if (!check_data(plot, lo, hi, err, errsize) || !canvas_init(&c, plot, err, errsize)) return false;
  if (!axis_limits(&c.ax, lo[0], hi[0]))
    return fail(err, errsize, "cannot plot to '%s': the x values are too large or span too wide a range", path);
  if (!axis_limits(&c.ay, lo[1], hi[1]))
    return fail(err, errsize, "cannot plot to '%s': the y values are too large or span too wide a range", path);
  if ((c.zbar = lo[2] <= hi[2]) && !value_limits(&c.az, lo[2], hi[2]))
    return fail(err, errsize, "cannot plot to '%s': the colour values are too large or span too wide a range", path);
  bool small;
  c.plot = plot;
  if (ixp_plot_render_file(path, c.w, c.h, draw_canvas, &c, &small, err, errsize)) return true;
  if (small)
    return fail(err, errsize, "cannot plot to '%s': the plot size %d x %d is too small for its labels", path,
                (int)c.w, (int)c.h);
  return false;
  return true;
}
