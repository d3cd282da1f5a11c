/* test_grow.c — the checked growable-array helpers. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#include "grow.h"

/* Capacity doubles from IXP_GROW_FIRST; contents survive; a need within
 * the capacity changes nothing. */
Test(grow, doubles_and_keeps_contents) {
  int *a = NULL, cap = 0;
  for (int n = 0; n < 1000; n++) {
    cr_assert(ixp_grow(&a, &cap, n + 1, sizeof *a));
    cr_assert_geq(cap, n + 1);
    a[n] = 3 * n;
  }
  cr_assert_eq(cap, 1024);  /* 16 doubled six times */
  for (int n = 0; n < 1000; n++) cr_assert_eq(a[n], 3 * n);
  int *before = a;
  cr_assert(ixp_grow(&a, &cap, 1024, sizeof *a));
  cr_assert_eq(a, before);
  cr_assert_eq(cap, 1024);
  cr_assert(ixp_grow(&a, &cap, 5000, sizeof *a));  /* a jump: doubled until it fits */
  cr_assert_eq(cap, 8192);
  free(a);

  char *s = NULL;
  size_t scap = 0;
  cr_assert(ixp_grow_size(&s, &scap, 1, 1));
  cr_assert_eq(scap, IXP_GROW_FIRST);
  cr_assert(ixp_grow_size(&s, &scap, 100, 1));
  cr_assert_eq(scap, 128);
  free(s);
}

/* A size that overflows fails before any allocation and leaves the array
 * and its capacity as they were. */
Test(grow, overflow_leaves_the_array) {
  double *a = NULL;
  size_t cap = 0;
  cr_assert(ixp_grow_size(&a, &cap, 10, sizeof *a));
  a[9] = 1.5;
  double *before = a;
  cr_assert_not(ixp_grow_size(&a, &cap, SIZE_MAX / 4, sizeof *a));
  cr_assert_eq(a, before);
  cr_assert_eq(cap, 16);
  cr_assert_eq(a[9], 1.5);
  cr_assert_not(ixp_resize(&a, SIZE_MAX / 2, 4));
  cr_assert_eq(a, before);

  int n = 0, *b = NULL;
  cr_assert_not(ixp_grow(&b, &n, 10, SIZE_MAX / 2));
  cr_assert_null(b);
  cr_assert_eq(n, 0);
  int bad = -1;
  cr_assert_not(ixp_grow(&b, &bad, 1, 1));
  free(a);
}

/* An int capacity stops at INT_MAX instead of overflowing (zero-size
 * elements, so nothing large is allocated). */
Test(grow, int_capacity_stops_at_int_max) {
  char *a = NULL;
  int cap = INT_MAX / 2 + 1;
  cr_assert(ixp_grow(&a, &cap, cap + 1, 0));
  cr_assert_eq(cap, INT_MAX);
  cr_assert(ixp_grow(&a, &cap, INT_MAX, 0));
  cr_assert_eq(cap, INT_MAX);
  free(a);
}

/* An allocation that fails (no overflow, just too large) leaves the array
 * too. ASan aborts on such a request instead of returning NULL. */
#ifndef __SANITIZE_ADDRESS__
Test(grow, allocation_failure_leaves_the_array) {
  long *a = NULL;
  size_t cap = 0;
  cr_assert(ixp_grow_size(&a, &cap, 3, sizeof *a));
  a[2] = 7;
  long *before = a;
  cr_assert_not(ixp_grow_size(&a, &cap, SIZE_MAX / 32, sizeof *a));
  cr_assert_eq(a, before);
  cr_assert_eq(cap, 16);
  cr_assert_eq(a[2], 7);
  free(a);
}
#endif

/* A zero-size resize still gives a block of its own (never NULL). */
Test(grow, resize_to_zero) {
  int *a = NULL;
  cr_assert(ixp_resize(&a, 0, sizeof *a));
  cr_assert_not_null(a);
  cr_assert(ixp_resize(&a, 4, sizeof *a));
  a[3] = 1;
  free(a);
}
