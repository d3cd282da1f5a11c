/* grow.c — checked growable arrays. */
#include "grow.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The pointer is read and written through memcpy: items is the address
 * of a T * for some object type T, which the helpers cannot name. */
bool ixp_resize(void *items, size_t n, size_t elem_size) {
  if (elem_size && n > SIZE_MAX / elem_size) return false;
  size_t bytes = n * elem_size;
  void *p;
  memcpy(&p, items, sizeof p);
  void *q = realloc(p, bytes ? bytes : 1);
  if (!q) return false;
  memcpy(items, &q, sizeof q);
  return true;
}

/* The capacity that holds need (<= max), doubling from cap (from
 * IXP_GROW_FIRST when 0) and stopping at max. */
static size_t grown(size_t cap, size_t need, size_t max) {
  size_t c = cap ? cap : IXP_GROW_FIRST;
  while (c < need) c = c > max / 2 ? max : 2 * c;
  return c;
}

bool ixp_grow_size(void *items, size_t *cap, size_t need, size_t elem_size) {
  if (need <= *cap) return true;
  size_t c = grown(*cap, need, SIZE_MAX);
  if (!ixp_resize(items, c, elem_size)) return false;
  *cap = c;
  return true;
}

bool ixp_grow(void *items, int *cap, int need, size_t elem_size) {
  if (need <= *cap) return true;
  if (*cap < 0) return false;
  size_t c = grown((size_t)*cap, (size_t)need, INT_MAX);
  if (!ixp_resize(items, c, elem_size)) return false;
  *cap = (int)c;
  return true;
}

static void (*oom_handler)(void *ctx);
static void *oom_ctx;

void ixp_on_out_of_memory(void (*handler)(void *ctx), void *ctx) {
  oom_handler = handler;
  oom_ctx = ctx;
}

void ixp_out_of_memory(void) {
  if (oom_handler) oom_handler(oom_ctx);
  fputs("ixp: error: out of memory\n", stderr);
  exit(4);
}
