/* grow.h — checked growable arrays.
 *
 * An array is a pointer T *p with a capacity (elements allocated) kept
 * beside it. The helpers take the address of the pointer (&p, any T **)
 * and the size of one element; on any failure (allocation, or a size that
 * overflows) they return false and leave the array, its contents and its
 * capacity exactly as they were, so the caller can report the error and
 * go on owning what it had. */
#ifndef IXP_GROW_H
#define IXP_GROW_H

#include <stdbool.h>
#include <stddef.h>

/* Room for at least `need` elements of elem_size bytes in the array *items
 * of capacity *cap (NULL when *cap is 0): when need > *cap, the capacity
 * doubles (from IXP_GROW_FIRST for an empty array) until it holds need,
 * and *items is reallocated. true when there is room. */
bool ixp_grow(void *items, int *cap, int need, size_t elem_size);
/* The same with size_t capacities. */
bool ixp_grow_size(void *items, size_t *cap, size_t need, size_t elem_size);
#define IXP_GROW_FIRST 16

/* *items reallocated to exactly n elements of elem_size bytes (a zero
 * size still gets a block of its own); false, with *items unchanged, when
 * n * elem_size overflows or allocation fails. */
bool ixp_resize(void *items, size_t n, size_t elem_size);

/* For the few places with no way to report an error: calls the handler
 * set by ixp_on_out_of_memory, which should not return (the session's
 * reports a runtime error and unwinds); without one, or if it returns,
 * prints "ixp: error: out of memory" and exits with status 4. */
_Noreturn void ixp_out_of_memory(void);
void ixp_on_out_of_memory(void (*handler)(void *ctx), void *ctx);

#endif
