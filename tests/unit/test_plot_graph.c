/* test_plot_graph.c — a network's table of links drawn as a graph
 * (plot_graph.h): recognised by its columns and title, written as SVG and
 * PNG through `plot`, and refused for other formats. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "plot_graph.h"

static IxpTable *links(const char *title) {
  static const char *const cols[] = {"source", "target", "lag", "te", "p"};
  IxpTable *t = ixp_table_new(title, 5, cols);
  double rows[3][5] = {{1, 2, 1, 0.2, 0.01}, {1, 2, 3, 0.05, 0.01}, {2, 3, 2, 0.1, 0.02}};
  for (int r = 0; r < 3; r++) ixp_table_add_row(t, rows[r]);
  return t;
}

static long file_size(const char *path) {
  struct stat st;
  return stat(path, &st) ? -1 : (long)st.st_size;
}

Test(plot_graph, recognises_a_network_table) {
  IxpTable *t = links("network links (1 = a, 2 = b, 3 = c)"), *u = links("some table");
  cr_assert(ixp_plot_is_network(t));
  cr_assert(!ixp_plot_is_network(u));
  ixp_table_free(t), ixp_table_free(u);
}

Test(plot_graph, writes_svg_and_png_and_refuses_other_formats) {
  char dir[] = "/tmp/ixp_graph_XXXXXX", path[128], err[512];
  cr_assert_not_null(mkdtemp(dir));
  IxpTable *t = links("network links (1 = a, 2 = b, 3 = c)");
  snprintf(path, sizeof path, "%s/g.svg", dir);
  cr_assert(ixp_plot_network(t, "links", 0, 0, path, err, sizeof err), "%s", err);
  cr_assert_gt(file_size(path), 1000);
  FILE *f = fopen(path, "r");
  char head[64] = "";
  cr_assert(fread(head, 1, sizeof head - 1, f) > 0);
  fclose(f);
  cr_assert(strstr(head, "<?xml") || strstr(head, "<svg"), "%s", head);
  unlink(path);
  snprintf(path, sizeof path, "%s/g.png", dir);
  cr_assert(ixp_plot_network(t, NULL, 800, 600, path, err, sizeof err), "%s", err);
  f = fopen(path, "rb");
  unsigned char sig[8];
  cr_assert_eq(fread(sig, 1, 8, f), 8);
  fclose(f);
  cr_assert(!memcmp(sig, "\x89PNG\r\n\x1a\n", 8));
  unlink(path);
  snprintf(path, sizeof path, "%s/g.pdf", dir);
  cr_assert(!ixp_plot_network(t, NULL, 0, 0, path, err, sizeof err));
  cr_assert(strstr(err, "unknown format"), "%s", err);
  rmdir(dir);
  ixp_table_free(t);
}
