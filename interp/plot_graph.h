/* plot_graph.h — the plot of an inferred network (network(...)'s table of
 * links): nodes on a circle, an arrow from source to target for each
 * linked pair, labelled with its lags and transfer entropies (cairo, SVG
 * or PNG). */
#ifndef IXP_PLOT_GRAPH_H
#define IXP_PLOT_GRAPH_H

#include <stdbool.h>
#include <stddef.h>

#include "value.h"

/* Whether t is a network's table of links (columns source, target, lag,
 * te, p; its title names the nodes: "network links (1 = x1, 2 = x2)"). */
bool ixp_plot_is_network(const IxpTable *t);

/* Draw the network of t to path (.svg or .png), width x height (0: 640 x
 * 480), with a title (NULL: the table's node list); false with a message
 * in err. Written whole or not at all (outfile.h). */
bool ixp_plot_network(const IxpTable *t, const char *title, int width, int height, const char *path, char *err,
                      size_t errsize);

#endif
