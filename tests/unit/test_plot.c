/* test_plot.c — line plots to SVG and PNG (interp/plot.c).
 *
 * Plots go to a fresh directory per test (mkdtemp). PNG files are checked
 * by their signature and IHDR size, then decoded with cairo to look at
 * pixels (white page, the palette's colours, the grey legend box). cairo's
 * SVG output draws text as glyphs (<symbol> outlines placed by <use>), so
 * labels cannot be searched as text: the SVG checks count the placed
 * glyphs and the drawn paths instead. */
#include <cairo.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "plot.h"

static char dir[64];

/* A fresh temporary directory for the test's files. */
static void setup(void) {
  snprintf(dir, sizeof dir, "%s", "/tmp/ixp-plot.XXXXXX");
  cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
}

/* Removes path and, if it is a directory, everything in it. */
static void remove_tree(const char *path) {
  DIR *d = opendir(path);
  if (d) {
    struct dirent *e;
    while ((e = readdir(d))) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
      char sub[512];
      snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
      remove_tree(sub);
    }
    closedir(d);
    rmdir(path);
  } else {
    unlink(path);
  }
}

/* Removes the directory, then cairo's caches and fontconfig's
 * configuration so that LeakSanitizer stays quiet: fontconfig keeps its
 * configuration behind encoded pointers, which LeakSanitizer reports as
 * leaks. FcFini is looked up at run time (fontconfig is loaded with cairo)
 * so the tests need not link fontconfig themselves. */
static void teardown(void) {
  remove_tree(dir);
  cairo_debug_reset_static_data();
  void *sym = dlsym(RTLD_DEFAULT, "FcFini");
  if (sym) {
    void (*fc_fini)(void);
    memcpy(&fc_fini, &sym, sizeof fc_fini);
    fc_fini();
  }
}

TestSuite(plot, .init = setup, .fini = teardown);

/* ------------------------------------------------------------- helpers */

/* dir/name in a static buffer (one of four, so a few can be live). */
static const char *at(const char *name) {
  static char buf[4][256];
  static int next;
  char *b = buf[next++ % 4];
  snprintf(b, sizeof buf[0], "%s/%s", dir, name);
  return b;
}

/* The whole file at path (NUL-terminated; *len without the NUL). */
static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  cr_assert_not_null(f, "cannot open '%s': %s", path, strerror(errno));
  char *buf = NULL;
  size_t n = 0, cap = 0, got;
  do {
    if (cap - n < 4096) buf = realloc(buf, cap = cap * 2 + 4096);
    cr_assert_not_null(buf);
    got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
  } while (got > 0);
  fclose(f);
  buf[n] = '\0';
  if (len) *len = n;
  return buf;
}

/* Size of the file at path, or -1 if it does not exist. */
static long file_size(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* Does path.tmp exist? */
static bool tmp_left(const char *path) {
  char tmp[300];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  return access(tmp, F_OK) == 0;
}

/* Number of entries in the test directory. */
static int dir_entries(void) {
  DIR *d = opendir(dir);
  cr_assert_not_null(d);
  int n = 0;
  for (struct dirent *e; (e = readdir(d));) n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
  closedir(d);
  return n;
}

/* Occurrences of needle in hay. */
static int count(const char *hay, const char *needle) {
  int n = 0;
  for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle)) n++;
  return n;
}

/* Writes the plot and asserts success, a non-empty file and no temp file. */
static void write_ok(const IxpPlot *p, const char *path) {
  char err[256] = "";
  cr_assert(ixp_plot_write(p, path, err, sizeof err), "writing '%s' failed: %s", path, err);
  cr_assert_gt(file_size(path), 0, "'%s' is missing or empty", path);
  cr_assert(!tmp_left(path), "'%s.tmp' was left behind", path);
}

/* Writes the plot, expecting failure with a message containing `want`
 * (and `want2`, if not NULL); no file or temp file may be left. */
static void write_fails(const IxpPlot *p, const char *path, const char *want, const char *want2) {
  char err[256] = "";
  int before = dir_entries();
  cr_assert(!ixp_plot_write(p, path, err, sizeof err), "writing '%s' should fail", path);
  cr_assert_not_null(strstr(err, want), "message '%s' lacks '%s'", err, want);
  if (want2) cr_assert_not_null(strstr(err, want2), "message '%s' lacks '%s'", err, want2);
  cr_assert_eq(dir_entries(), before, "a failed write left a file behind");
}

/* Big-endian 32-bit number at p. */
static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Checks the PNG signature and the IHDR width and height. */
static void check_png_header(const char *path, uint32_t w, uint32_t h) {
  static const unsigned char SIG[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  size_t len;
  unsigned char *b = (unsigned char *)slurp(path, &len);
  cr_assert_geq(len, 33, "'%s' is too short for a PNG", path);
  cr_assert_eq(memcmp(b, SIG, 8), 0, "'%s' lacks the PNG signature", path);
  cr_assert_eq(memcmp(b + 12, "IHDR", 4), 0, "the first chunk is not IHDR");
  cr_assert_eq(be32(b + 16), w, "PNG width %u, wanted %u", be32(b + 16), w);
  cr_assert_eq(be32(b + 20), h, "PNG height %u, wanted %u", be32(b + 20), h);
  free(b);
}

/* A decoded PNG: pixels as 0xAARRGGBB. */
typedef struct {
  cairo_surface_t *s;
  const unsigned char *data;
  int w, h, stride;
} Image;

/* Decodes the PNG at path with cairo. */
static Image load_png(const char *path) {
  Image im = {cairo_image_surface_create_from_png(path), NULL, 0, 0, 0};
  cr_assert_eq(cairo_surface_status(im.s), CAIRO_STATUS_SUCCESS, "cairo cannot read '%s'", path);
  cairo_surface_flush(im.s);
  im.data = cairo_image_surface_get_data(im.s);
  im.w = cairo_image_surface_get_width(im.s);
  im.h = cairo_image_surface_get_height(im.s);
  im.stride = cairo_image_surface_get_stride(im.s);
  return im;
}

/* Pixel (x, y) as 0xRRGGBB. */
static uint32_t pixel(const Image *im, int x, int y) {
  uint32_t v;
  memcpy(&v, im->data + (size_t)y * (size_t)im->stride + 4 * (size_t)x, 4);
  return v & 0xffffff;
}

/* Pixels in the rectangle [x0, x1) × [y0, y1) within `tol` of rgb in every channel. */
static int count_colour(const Image *im, uint32_t rgb, int tol, int x0, int y0, int x1, int y1) {
  int n = 0;
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++) {
      uint32_t p = pixel(im, x, y);
      bool close = true;
      for (int sh = 0; sh < 24; sh += 8) close &= abs((int)(p >> sh & 0xff) - (int)(rgb >> sh & 0xff)) <= tol;
      n += close;
    }
  return n;
}

/* Rows of [x0, x1) × [y0, y1) holding a run of at least 20 pixels of
 * exactly rgb (±2): straight lines of that colour, not text. */
static int rows_with_run(const Image *im, uint32_t rgb, int x0, int y0, int x1, int y1) {
  int rows = 0;
  for (int y = y0; y < y1; y++) {
    int run = 0, best = 0;
    for (int x = x0; x < x1; x++) {
      run = count_colour(im, rgb, 2, x, y, x + 1, y + 1) ? run + 1 : 0;
      best = run > best ? run : best;
    }
    rows += best >= 20;
  }
  return rows;
}

/* Pixels of the whole image near rgb. */
static int count_all(const Image *im, uint32_t rgb) {
  return count_colour(im, rgb, 24, 0, 0, im->w, im->h);
}

enum { BLUE = 0x0072b2, VERMILLION = 0xd55e00, GREEN = 0x009e73, LEGEND_GREY = 0x8c8c8c };

/* Binary entropy in bits. */
static double h2(double p) {
  return p <= 0 || p >= 1 ? 0 : -p * log2(p) - (1 - p) * log2(1 - p);
}

/* Rate–distortion curves of Bernoulli(1/2) and Bernoulli(0.2) sources on
 * D in [0, 0.5] (N points). */
enum { N = 101 };
static double dd[N], r_half[N], r_fifth[N];

/* Fills dd, r_half, r_fifth. */
static void rd_curves(void) {
  for (int i = 0; i < N; i++) {
    dd[i] = 0.5 * i / (N - 1);
    r_half[i] = 1 - h2(dd[i]);
    r_fifth[i] = dd[i] < 0.2 ? h2(0.2) - h2(dd[i]) : 0;
  }
}

/* A plot of the first `nseries` RD curves, labelled if `labels`. */
static IxpPlot rd_plot(IxpPlotSeries s[2], int nseries, bool labels) {
  rd_curves();
  s[0] = (IxpPlotSeries){.label = labels ? "Bernoulli(1/2)" : NULL, .x = dd, .y = r_half, .n = N};
  s[1] = (IxpPlotSeries){.label = labels ? "Bernoulli(0.2)" : NULL, .x = dd, .y = r_fifth, .n = N, .markers = true};
  return (IxpPlot){.title = "rate-distortion", .xlabel = "distortion D", .ylabel = "rate R (bits)",
                   .series = s, .nseries = nseries};
}

/* Glyphs placed in an SVG (each drawn character is one <use> of a glyph). */
static int svg_glyphs(const char *path) {
  char *svg = slurp(path, NULL);
  int n = count(svg, "<use xlink:href=\"#glyph");
  free(svg);
  return n;
}

/* <path elements drawn in an SVG, not counting the glyph outlines in <defs>. */
static int svg_drawn_paths(const char *path) {
  char *svg = slurp(path, NULL);
  const char *body = strstr(svg, "</defs>");
  int n = count(body ? body : svg, "<path");
  free(svg);
  return n;
}

/* -------------------------------------------------------------- PNG */

Test(plot, png_has_the_signature_and_the_default_size) {
  IxpPlotSeries s[2];
  IxpPlot p = rd_plot(s, 2, true);
  write_ok(&p, at("rd.png"));
  check_png_header(at("rd.png"), 640, 420);
}

Test(plot, png_has_the_requested_size) {
  IxpPlotSeries s[2];
  IxpPlot p = rd_plot(s, 2, true);
  p.width = 1000, p.height = 300;
  write_ok(&p, at("wide.png"));
  check_png_header(at("wide.png"), 1000, 300);
  p.width = 0, p.height = 700; /* 0: the default for that side */
  write_ok(&p, at("tall.png"));
  check_png_header(at("tall.png"), 640, 700);
}

Test(plot, png_is_white_with_a_colour_per_series) {
  IxpPlotSeries s[2];
  IxpPlot p = rd_plot(s, 2, false);
  write_ok(&p, at("two.png"));
  p.nseries = 1;
  write_ok(&p, at("one.png"));
  Image two = load_png(at("two.png")), one = load_png(at("one.png"));
  cr_assert_eq(pixel(&two, 0, 0), 0xffffff);
  cr_assert_eq(pixel(&two, two.w - 1, two.h - 1), 0xffffff);
  cr_assert_gt(count_all(&two, 0xffffff), two.w * two.h / 2, "the page is not mostly white");
  cr_assert_gt(count_all(&two, BLUE), 100, "the first series is not blue");
  cr_assert_gt(count_all(&two, VERMILLION), 100, "the second series is not vermillion");
  cr_assert_gt(count_all(&one, BLUE), 100);
  cr_assert_eq(count_all(&one, VERMILLION), 0, "one series, yet a second colour");
  cairo_surface_destroy(two.s);
  cairo_surface_destroy(one.s);
}

Test(plot, legend_is_boxed_in_the_top_right_corner_only_with_labels) {
  IxpPlotSeries s[2];
  IxpPlot p = rd_plot(s, 2, true);
  write_ok(&p, at("labelled.png"));
  p = rd_plot(s, 2, false);
  write_ok(&p, at("plain.png"));
  Image lab = load_png(at("labelled.png")), plain = load_png(at("plain.png"));
  int w = lab.w, h = lab.h;
  /* The grey box's top and bottom edges: two rows in the top-right
   * quarter, none elsewhere, none without labels. */
  cr_assert_eq(rows_with_run(&lab, LEGEND_GREY, w / 2, 0, w, h / 2), 2, "no legend box top right");
  cr_assert_eq(rows_with_run(&lab, LEGEND_GREY, 0, h / 2, w, h), 0, "legend box in the bottom half");
  cr_assert_eq(rows_with_run(&lab, LEGEND_GREY, 0, 0, w / 2, h), 0, "legend box in the left half");
  cr_assert_eq(rows_with_run(&plain, LEGEND_GREY, 0, 0, w, h), 0, "a legend box without labels");
  /* Inside the frame: a black frame edge (a long black run) lies above it. */
  int box_top = -1;
  for (int y = 0; y < h / 2 && box_top < 0; y++)
    if (rows_with_run(&lab, LEGEND_GREY, w / 2, y, w, y + 1)) box_top = y;
  cr_assert_gt(rows_with_run(&lab, 0x000000, w / 2, 0, w, box_top), 0, "the legend is above the frame");
  cairo_surface_destroy(lab.s);
  cairo_surface_destroy(plain.s);
}

Test(plot, non_finite_points_are_skipped_and_break_the_line) {
  double x[60], y[60];
  for (int i = 0; i < 60; i++) x[i] = i, y[i] = 1 + i / 60.0;
  IxpPlotSeries s = {.x = x, .y = y, .n = 60};
  IxpPlot p = {.xlabel = "x", .ylabel = "y", .series = &s, .nseries = 1};
  write_ok(&p, at("whole.png"));
  for (int i = 20; i < 40; i++) y[i] = i % 3 == 0 ? NAN : i % 3 == 1 ? INFINITY : -INFINITY;
  x[45] = NAN;
  write_ok(&p, at("broken.png"));
  Image whole = load_png(at("whole.png")), broken = load_png(at("broken.png"));
  int a = count_all(&whole, BLUE), b = count_all(&broken, BLUE);
  cr_assert_lt(b, a * 3 / 4, "the gap is drawn: %d blue pixels with it, %d without", b, a);
  cr_assert_gt(b, a / 3, "too much is missing: %d of %d blue pixels", b, a);
  cairo_surface_destroy(whole.s);
  cairo_surface_destroy(broken.s);
}

/* -------------------------------------------------------------- SVG */

Test(plot, svg_is_an_svg_of_the_requested_size) {
  IxpPlotSeries s[2];
  IxpPlot p = rd_plot(s, 2, true);
  p.width = 500, p.height = 350;
  write_ok(&p, at("rd.svg"));
  char *svg = slurp(at("rd.svg"), NULL);
  cr_assert_not_null(strstr(svg, "<svg"));
  cr_assert_not_null(strstr(svg, "width=\"500pt\""), "%.300s", svg);
  cr_assert_not_null(strstr(svg, "height=\"350pt\""));
  cr_assert_not_null(strstr(svg, "</svg>"), "the SVG is not finished");
  cr_assert_gt(count(svg, "<use xlink:href=\"#glyph"), 40, "hardly any text");
  free(svg);
}

/* Each extra character in a label is one more glyph drawn: the title,
 * the axis labels and the legend labels are all drawn. (Label lengths do
 * not move the ticks, so their glyph counts stay the same.) */
Test(plot, svg_draws_every_label_character) {
  IxpPlotSeries s[2];
  IxpPlot p = rd_plot(s, 2, true);
  write_ok(&p, at("base.svg"));
  int base = svg_glyphs(at("base.svg"));
  p.xlabel = "distortion Dxyz";
  write_ok(&p, at("x.svg"));
  cr_assert_eq(svg_glyphs(at("x.svg")), base + 3, "x label");
  p = rd_plot(s, 2, true);
  p.ylabel = "rate R (bits)ab";
  write_ok(&p, at("y.svg"));
  cr_assert_eq(svg_glyphs(at("y.svg")), base + 2, "y label");
  p = rd_plot(s, 2, true);
  p.title = "rate-distortion!";
  write_ok(&p, at("t.svg"));
  cr_assert_eq(svg_glyphs(at("t.svg")), base + 1, "title");
  p = rd_plot(s, 2, true);
  s[1].label = "Bernoulli(0.2)abcd";
  write_ok(&p, at("l.svg"));
  cr_assert_eq(svg_glyphs(at("l.svg")), base + 4, "legend label");
  p = rd_plot(s, 2, true);
  p.title = NULL;
  write_ok(&p, at("nt.svg"));
  cr_assert_eq(svg_glyphs(at("nt.svg")), base - (int)strlen("rate-distortion"), "no title");
}

Test(plot, svg_paths_grow_with_the_series) {
  double x[5] = {0, 1, 2, 3, 4}, y[4][5];
  IxpPlotSeries s[4];
  for (int k = 0; k < 4; k++) {
    for (int i = 0; i < 5; i++) y[k][i] = k + i * i;
    s[k] = (IxpPlotSeries){.x = x, .y = y[k], .n = 5};
  }
  IxpPlot p = {.xlabel = "x", .ylabel = "y", .series = s, .nseries = 1};
  int prev = -1;
  for (int n = 1; n <= 4; n++) {
    char name[32];
    snprintf(name, sizeof name, "s%d.svg", n);
    p.nseries = n;
    write_ok(&p, at(name));
    int paths = svg_drawn_paths(at(name));
    cr_assert_gt(paths, prev, "%d series: %d paths, %d with one less", n, paths, prev);
    prev = paths;
  }
  /* Labels add a legend: a box and a line sample per entry. */
  s[0].label = "a", s[1].label = "b", s[2].label = "c", s[3].label = "d";
  write_ok(&p, at("legend.svg"));
  cr_assert_geq(svg_drawn_paths(at("legend.svg")), prev + 5);
}

/* ------------------------------------------------------ axes and data */

Test(plot, log_axes_skip_non_positive_values) {
  double x[40], y[40];
  for (int i = 0; i < 40; i++) x[i] = pow(10, -4 + i * 0.15), y[i] = 3e-3 * pow(x[i], -0.8);
  x[0] = 0, x[1] = -1, y[5] = 0, y[6] = -2, y[7] = NAN;
  IxpPlotSeries s = {.label = "power law", .x = x, .y = y, .n = 40, .markers = true};
  IxpPlot p = {.xlabel = "distortion D", .ylabel = "rate R (bits)", .logx = true, .logy = true,
               .series = &s, .nseries = 1};
  write_ok(&p, at("loglog.png"));
  write_ok(&p, at("loglog.svg"));
  p.logy = false;
  write_ok(&p, at("logx.png"));
  p.logx = false, p.logy = true;
  write_ok(&p, at("logy.png"));
}

Test(plot, log_axes_of_every_width) {
  /* Less than a decade, about two, many, and very many decades. */
  const double spans[][2] = {{2, 8}, {0.5, 30}, {0.9, 110}, {1e-6, 1e3}, {1e-200, 1e200}};
  for (size_t k = 0; k < sizeof spans / sizeof spans[0]; k++) {
    double x[2] = {spans[k][0], spans[k][1]}, y[2] = {spans[k][1], spans[k][0]};
    IxpPlotSeries s = {.x = x, .y = y, .n = 2};
    IxpPlot p = {.xlabel = "x", .ylabel = "y", .logx = true, .logy = true, .series = &s, .nseries = 1};
    char name[32];
    snprintf(name, sizeof name, "log%zu.png", k);
    write_ok(&p, at(name));
  }
}

Test(plot, constant_and_single_point_series) {
  double x[3] = {1, 2, 3}, zero[3] = {0, 0, 0}, half[3] = {0.5, 0.5, 0.5}, big[3] = {-1e9, -1e9, -1e9};
  IxpPlotSeries s = {.x = x, .y = zero, .n = 3};
  IxpPlot p = {.xlabel = "x", .ylabel = "y", .series = &s, .nseries = 1};
  write_ok(&p, at("zero.png"));
  s.y = half;
  write_ok(&p, at("half.png"));
  s.y = big;
  write_ok(&p, at("big.png"));
  s.n = 1;
  write_ok(&p, at("point.png"));
  p.logx = p.logy = true;
  s.y = half;
  write_ok(&p, at("logpoint.svg"));
}

Test(plot, odd_data_still_plots) {
  /* Tiny and huge magnitudes (labels with a common ×10^k), a series with
   * no finite point beside a good one, an empty series, many series with
   * markers, and labels that are not valid UTF-8. */
  double x[3] = {1e-9, 2e-9, 3e-9}, y[3] = {4e12, 5e12, 4.5e12}, nan3[3] = {NAN, NAN, NAN};
  IxpPlotSeries s[12];
  s[0] = (IxpPlotSeries){.label = "tiny x, huge y", .x = x, .y = y, .n = 3};
  s[1] = (IxpPlotSeries){.label = "no finite point", .x = x, .y = nan3, .n = 3};
  s[2] = (IxpPlotSeries){.label = "empty", .x = NULL, .y = NULL, .n = 0};
  s[3] = (IxpPlotSeries){.label = "bad \xff\xfe utf-8 \xe2\x88", .x = x, .y = y, .n = 3};
  for (int k = 4; k < 12; k++) s[k] = (IxpPlotSeries){.label = "more", .x = x, .y = y, .n = 3, .markers = true};
  IxpPlot p = {.title = "odd \xc0\x80 title", .xlabel = "x\n", .ylabel = "y\t", .series = s, .nseries = 12};
  write_ok(&p, at("odd.png"));
  write_ok(&p, at("odd.svg"));
  /* A small page is still drawn. */
  p.width = 240, p.height = 160;
  write_ok(&p, at("small.png"));
  check_png_header(at("small.png"), 240, 160);
}

Test(plot, an_existing_file_is_replaced) {
  IxpPlotSeries s[2];
  IxpPlot p = rd_plot(s, 2, true);
  FILE *f = fopen(at("old.svg"), "w");
  cr_assert_not_null(f);
  fputs("old contents", f);
  fclose(f);
  write_ok(&p, at("old.svg"));
  char *svg = slurp(at("old.svg"), NULL);
  cr_assert_not_null(strstr(svg, "<svg"));
  cr_assert_null(strstr(svg, "old contents"));
  free(svg);
  cr_assert_eq(dir_entries(), 1);
}

/* ------------------------------------------- colours by value, legend */

enum { RAMP_LOW = 0x440154, RAMP_HIGH = 0xfde725 };

Test(plot, values_colour_the_markers_and_a_colour_bar_shows_the_ramp) {
  double x[11], y[11], z[11];
  for (int i = 0; i < 11; i++) x[i] = i, y[i] = i, z[i] = 100 + i;
  IxpPlotSeries s = {.label = "layer 1", .x = x, .y = y, .n = 11};
  IxpPlot p = {.xlabel = "I(X;T)", .ylabel = "I(T;Y)", .zlabel = "epoch", .series = &s, .nseries = 1};
  write_ok(&p, at("plain.png"));
  write_ok(&p, at("plain.svg"));
  s.z = z;
  write_ok(&p, at("valued.png"));
  write_ok(&p, at("valued.svg"));
  Image plain = load_png(at("plain.png")), valued = load_png(at("valued.png"));
  int w = valued.w, h = valued.h;
  cr_assert_eq(count_colour(&plain, RAMP_LOW, 10, 0, 0, w, h), 0, "ramp colours without values");
  cr_assert_eq(count_colour(&plain, RAMP_HIGH, 10, 0, 0, w, h), 0, "ramp colours without values");
  /* The bar, right of the frame: both ends of the ramp, in long runs. */
  cr_assert_gt(count_colour(&valued, RAMP_LOW, 16, w * 4 / 5, h / 2, w, h), 20, "no dark end at the bar's foot");
  cr_assert_gt(count_colour(&valued, RAMP_HIGH, 16, w * 4 / 5, 0, w, h / 2), 20, "no light end at the bar's top");
  cr_assert_eq(count_colour(&valued, RAMP_HIGH, 10, w * 4 / 5, h / 2, w, h), 0, "the bar runs the wrong way");
  /* The first marker (z lowest) bottom left is filled with the dark end. */
  cr_assert_gt(count_colour(&valued, RAMP_LOW, 10, 0, h * 2 / 3, w / 3, h), 5, "the first marker is not dark");
  cr_assert_eq(count_colour(&valued, RAMP_HIGH, 10, 0, h * 2 / 3, w / 3, h), 0);
  /* The series' own colour still draws the line and outlines. */
  cr_assert_gt(count_all(&valued, BLUE), 100);
  char *svg = slurp(at("valued.svg"), NULL), *flat = slurp(at("plain.svg"), NULL);
  cr_assert_not_null(strstr(svg, "linearGradient"), "the SVG has no gradient for the bar");
  cr_assert_null(strstr(flat, "linearGradient"));
  cr_assert_eq(svg_glyphs(at("valued.svg")) > svg_glyphs(at("plain.svg")) + 5, true, "no bar label and ticks");
  free(svg), free(flat);
  cairo_surface_destroy(plain.s);
  cairo_surface_destroy(valued.s);
}

Test(plot, non_finite_values_take_the_series_colour_and_make_no_bar) {
  double x[3] = {0, 1, 2}, y[3] = {0, 1, 4}, z[3] = {NAN, NAN, INFINITY};
  IxpPlotSeries s = {.x = x, .y = y, .z = z, .n = 3};
  IxpPlot p = {.xlabel = "x", .ylabel = "y", .zlabel = "z", .series = &s, .nseries = 1};
  write_ok(&p, at("nobar.svg"));
  char *svg = slurp(at("nobar.svg"), NULL);
  cr_assert_null(strstr(svg, "linearGradient"));
  free(svg);
  z[1] = 7; /* one value: a bar around it */
  write_ok(&p, at("one.svg"));
  svg = slurp(at("one.svg"), NULL);
  cr_assert_not_null(strstr(svg, "linearGradient"));
  free(svg);
}

/* Which quarter holds the legend box's two long grey edges: bit 0 set for
 * the right half, bit 1 for the bottom half; -1 if not exactly one. */
static int legend_quarter(const Image *im) {
  int found = -1, w = im->w, h = im->h;
  for (int q = 0; q < 4; q++) {
    int x0 = q & 1 ? w / 2 : 0, y0 = q & 2 ? h / 2 : 0;
    int rows = rows_with_run(im, LEGEND_GREY, x0, y0, x0 + w / 2, y0 + h / 2);
    if (rows == 2) found = found < 0 ? q : -1;
    else if (rows) return -1;
  }
  return found;
}

Test(plot, the_legend_goes_where_it_hides_the_least) {
  double x[50], up[50], down[50];
  for (int i = 0; i < 50; i++) x[i] = i, up[i] = i, down[i] = 49 - i;
  IxpPlotSeries s = {.label = "a line", .x = x, .y = up, .n = 50};
  IxpPlot p = {.xlabel = "x", .ylabel = "y", .series = &s, .nseries = 1};
  write_ok(&p, at("up.png"));
  s.y = down; /* through the top left and bottom right corners */
  write_ok(&p, at("down.png"));
  /* Rising: the top right is taken, the top left is free. */
  Image a = load_png(at("up.png")), b = load_png(at("down.png"));
  cr_assert_eq(legend_quarter(&a), 0, "the legend of a rising line is not top left");
  cr_assert_eq(legend_quarter(&b), 1, "the legend of a falling line is not top right");
  cairo_surface_destroy(a.s);
  cairo_surface_destroy(b.s);
  /* A line rising steeply from the bottom left, then along the top: the
   * legend goes to the bottom right. */
  for (int i = 0; i < 50; i++) up[i] = i < 5 ? 0 : 49;
  s.y = up;
  write_ok(&p, at("top.png"));
  a = load_png(at("top.png"));
  cr_assert_eq(legend_quarter(&a), 3, "the legend of a step up is not bottom right");
  cairo_surface_destroy(a.s);
}

/* ----------------------------------------------------------- failures */

Test(plot, unknown_extensions_are_refused) {
  IxpPlotSeries s[2];
  IxpPlot p = rd_plot(s, 2, true);
  write_fails(&p, at("rd.pdf"), ".svg", ".png");
  write_fails(&p, at("rd"), "rd'", ".svg or .png");
  write_fails(&p, at(".svg.bak"), "unknown format", NULL);
  write_fails(&p, at("svg"), "unknown format", NULL);
  /* The extension is not case-sensitive. */
  write_ok(&p, at("UPPER.PNG"));
  check_png_header(at("UPPER.PNG"), 640, 420);
}

Test(plot, unwritable_places_give_the_path_and_the_reason) {
  IxpPlotSeries s[2];
  IxpPlot p = rd_plot(s, 2, true);
  const char *missing = at("no/such/dir/rd.svg");
  write_fails(&p, missing, missing, strerror(ENOENT));
  /* A file where a directory should be. */
  FILE *f = fopen(at("file"), "w");
  cr_assert_not_null(f);
  fclose(f);
  const char *through = at("file/rd.png");
  write_fails(&p, through, through, strerror(ENOTDIR));
}

Test(plot, a_failed_rename_removes_the_temp_file) {
  /* The target is a directory: the temp file is written, the rename fails. */
  IxpPlotSeries s[2];
  IxpPlot p = rd_plot(s, 2, true);
  const char *target = at("taken.svg");
  cr_assert_eq(mkdir(target, 0755), 0);
  write_fails(&p, target, target, strerror(EISDIR));
  cr_assert(!tmp_left(target));
}

Test(plot, a_read_only_directory_is_refused) {
  if (geteuid() == 0) {
    teardown(); /* a skipped test does not run .fini */
    cr_skip_test("root may write into a read-only directory");
  }
  IxpPlotSeries s[2];
  IxpPlot p = rd_plot(s, 2, true);
  const char *ro = at("ro");
  cr_assert_eq(mkdir(ro, 0555), 0);
  const char *path = at("ro/rd.png");
  char err[256] = "";
  cr_assert(!ixp_plot_write(&p, path, err, sizeof err));
  cr_assert_not_null(strstr(err, path), "%s", err);
  cr_assert_not_null(strstr(err, strerror(EACCES)), "%s", err);
  chmod(ro, 0755);
}

Test(plot, empty_and_malformed_input_is_refused) {
  double x[3] = {0, 1, 2}, y[3] = {1, 2, 3}, nan3[3] = {NAN, INFINITY, -NAN};
  const char *path = at("bad.svg");
  IxpPlot p = {.xlabel = "x", .ylabel = "y", .series = NULL, .nseries = 0};
  write_fails(&p, path, "no series", NULL);
  IxpPlotSeries s = {.label = "rate", .x = x, .y = y, .n = 3};
  p.series = &s; /* nseries still 0 */
  write_fails(&p, path, "no series", NULL);
  p.nseries = 1;
  s.n = -1;
  write_fails(&p, path, "series 1 ('rate')", "negative");
  s.n = 3, s.x = NULL;
  write_fails(&p, path, "series 1 ('rate'): x is NULL", NULL);
  s.x = x, s.y = NULL;
  write_fails(&p, path, "y is NULL", NULL);
  s.y = nan3;
  write_fails(&p, path, "no series has a finite point", NULL);
  s.y = y, s.n = 0;
  write_fails(&p, path, "no series has a finite point", NULL);
  /* On log axes, non-positive values do not count. */
  double zeros[3] = {0, -1, 0};
  s.n = 3, s.y = zeros, p.logy = true;
  write_fails(&p, path, "no series has a finite point", "log");
  /* Sizes, NULL arguments, no room for messages. */
  s.y = y, p.logy = false, p.width = -5;
  write_fails(&p, path, "plot size", NULL);
  p.width = 100000;
  write_fails(&p, path, "plot size", NULL);
  p.width = 60, p.height = 40;
  write_fails(&p, path, "too small", "60 x 40");
  p.width = p.height = 0;
  char err[64] = "";
  cr_assert(!ixp_plot_write(NULL, path, err, sizeof err));
  cr_assert_neq(err[0], '\0');
  cr_assert(!ixp_plot_write(&p, NULL, err, sizeof err));
  cr_assert(!ixp_plot_write(&p, "", err, sizeof err));
  cr_assert(!ixp_plot_write(&p, at("x.gif"), NULL, 0));
  cr_assert(ixp_plot_write(&p, at("fine.svg"), NULL, 0));
}

Test(plot, ranges_that_overflow_are_refused) {
  double x[2] = {-1e308, 1e308}, y[2] = {0, 1};
  IxpPlotSeries s = {.x = x, .y = y, .n = 2};
  IxpPlot p = {.series = &s, .nseries = 1};
  write_fails(&p, at("wide.png"), "x values are too large or span too wide a range", NULL);
  double huge[2] = {1.7e308, 1.7e308};
  s.x = y, s.y = huge;
  write_fails(&p, at("huge.svg"), "y values are too large", NULL);
}

/* ------------------------------------------------- the plot statement */

/* Glyphs drawn by running `text` (which plots to dir/p.svg) in a session. */
static int session_plot_glyphs(const char *text) {
  TRun r;
  t_open(&r, false);
  char *prog = NULL;
  cr_assert(asprintf(&prog, text, at("p.svg")) > 0);
  cr_assert_eq(t_run(&r, prog), IXP_OK, "%s", t_err(&r));
  free(prog);
  t_close(&r);
  return svg_glyphs(at("p.svg"));
}

/* `plot T as "label"` names a sweep's line: a longer label draws more. */
Test(plot, a_sweep_line_takes_its_as_label) {
  const char *fmt = "sweep p in [0.1, 0.2, 0.3] { emit p, h2(p) as H } as t\n"
                    "plot t as \"%s\" to \"%%s\"\n";
  char a[128], b[128];
  snprintf(a, sizeof a, fmt, "ab");
  snprintf(b, sizeof b, fmt, "abcdef");
  cr_assert_eq(session_plot_glyphs(b), session_plot_glyphs(a) + 4);
}

/* A sweep's y axis is labelled with its y column: a longer column name
 * draws its extra letters twice, in the legend and on the axis. */
Test(plot, a_sweep_plot_labels_its_y_axis) {
  const char *fmt = "sweep p in [0.1, 0.2, 0.3] { emit p, h2(p) as %s } as t\n"
                    "plot t to \"%%s\"\n";
  char a[128], b[128];
  snprintf(a, sizeof a, fmt, "H");
  snprintf(b, sizeof b, fmt, "Hxyz");
  cr_assert_eq(session_plot_glyphs(b), session_plot_glyphs(a) + 6);
}
