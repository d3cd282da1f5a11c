/* arena.c — bump allocation in chunks, freed all at once; see arena.h. */
#include "arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Chunk Chunk;
struct Chunk {
  Chunk *next;
  size_t used, size;
  max_align_t data[];
};

typedef struct Deferred Deferred;
struct Deferred {
  Deferred *next;
  void (*fn)(void *);
  void *ptr;
};

struct IxpArena {
  Chunk *head;
  Deferred *deferred;
};

IxpArena *ixp_arena_new(void) { return calloc(1, sizeof(IxpArena)); }

void ixp_arena_defer(IxpArena *a, void (*fn)(void *), void *ptr) {
  Deferred *d = ixp_arena_alloc(a, sizeof *d);
  d->fn = fn;
  d->ptr = ptr;
  d->next = a->deferred;
  a->deferred = d;
}

void ixp_arena_free(IxpArena *a) {
  if (!a) return;
  for (Deferred *d = a->deferred; d; d = d->next) d->fn(d->ptr);
  for (Chunk *c = a->head, *n; c; c = n) {
    n = c->next;
    free(c);
  }
  free(a);
}

IxpArenaMark ixp_arena_mark(IxpArena *a) {
  return (IxpArenaMark){a->head, a->head ? a->head->used : 0, a->deferred};
}

void ixp_arena_release(IxpArena *a, IxpArenaMark m) {
  while (a->deferred != m.deferred) {
    Deferred *d = a->deferred;
    a->deferred = d->next;
    d->fn(d->ptr);
  }
  while (a->head != m.chunk) {
    Chunk *c = a->head;
    a->head = c->next;
    free(c);
  }
  if (a->head) a->head->used = m.used;
}

static void (*oom_handler)(void *ctx);
static void *oom_ctx;

void ixp_arena_on_out_of_memory(void (*handler)(void *ctx), void *ctx) {
  oom_handler = handler;
  oom_ctx = ctx;
}

static _Noreturn void out_of_memory(void) {
  if (oom_handler) oom_handler(oom_ctx);
  fputs("ixp: error: out of memory\n", stderr);
  exit(4);
}

/* Bump allocation of zeroed memory; out of memory goes to the handler
 * (see arena.h), as no caller could go on without the block. */
void *ixp_arena_alloc(IxpArena *a, size_t size) {
  size = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
  Chunk *c = a->head;
  if (!c || c->used + size > c->size) {
    size_t cap = size > 16384 ? size : 16384;
    c = malloc(sizeof(Chunk) + cap);
    if (!c) out_of_memory();
    c->next = a->head;
    c->used = 0;
    c->size = cap;
    a->head = c;
  }
  void *p = (char *)c->data + c->used;
  c->used += size;
  memset(p, 0, size);
  return p;
}

char *ixp_arena_strndup(IxpArena *a, const char *s, size_t n) {
  char *d = ixp_arena_alloc(a, n + 1);
  memcpy(d, s, n);
  d[n] = '\0';
  return d;
}
