/* arena.h — bump allocation freed all at once.
 *
 * The nodes of a parse, a statement's temporaries and other short-lived
 * objects live in an arena: allocation is a pointer bump, and freeing the
 * arena frees everything in it (running its deferred functions), so an
 * error part-way leaks nothing. */
#ifndef IXP_ARENA_H
#define IXP_ARENA_H

#include <stddef.h>

typedef struct IxpArena IxpArena;
IxpArena *ixp_arena_new(void);
void ixp_arena_free(IxpArena *a);
void *ixp_arena_alloc(IxpArena *a, size_t size);
/* What a failed arena allocation does: call handler(ctx), which should
 * not return (the session's reports a runtime error at the running
 * statement and unwinds); without one, or if it returns, print
 * "ixp: error: out of memory" and exit with status 4. */
void ixp_arena_on_out_of_memory(void (*handler)(void *ctx), void *ctx);
char *ixp_arena_strndup(IxpArena *a, const char *s, size_t n);
/* Call fn(ptr) when the arena is freed (for heap objects that temporaries
 * own, such as tables). */
void ixp_arena_defer(IxpArena *a, void (*fn)(void *), void *ptr);

/* A point in an arena's life: everything allocated after it can be
 * released (its deferred functions run), for loops that allocate per row. */
typedef struct {
  void *chunk;
  size_t used;
  void *deferred;
} IxpArenaMark;
IxpArenaMark ixp_arena_mark(IxpArena *a);
void ixp_arena_release(IxpArena *a, IxpArenaMark m);

#endif
