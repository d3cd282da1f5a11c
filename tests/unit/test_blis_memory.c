/* test_blis_memory.c — BLIS aborts the process when it cannot allocate its
 * packing buffers; the dense wrappers check for room before a large
 * level-3 call and report out of memory instead (status 4 without a
 * session, as ixp_out_of_memory does). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "blis/dense.h"

/* Not under ASan, whose own allocator stops the process when a malloc
 * fails. */
#ifndef __SANITIZE_ADDRESS__

/* The process's virtual size in bytes (Linux /proc/self/statm). */
static size_t virtual_size(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  unsigned long pages = 0;
  if (f) {
    if (fscanf(f, "%lu", &pages) != 1) pages = 0;
    fclose(f);
  }
  return (size_t)pages * (size_t)sysconf(_SC_PAGESIZE);
}

/* Each test runs in its own process: the limit ends with it. */
Test(blis_memory, large_product_without_room_is_out_of_memory, .exit_code = 4) {
  long n = 1200;
  double *a = calloc((size_t)(n * n), sizeof *a), *b = calloc((size_t)(n * n), sizeof *b),
         *c = calloc((size_t)(n * n), sizeof *c);
  cr_assert(a && b && c);
  ixp_dense_set_threads(1);
  struct rlimit lim = {.rlim_cur = virtual_size() + ((size_t)4 << 20), .rlim_max = RLIM_INFINITY};
  cr_assert_eq(setrlimit(RLIMIT_AS, &lim), 0);
  ixp_dense_gemm(false, false, n, n, n, 1.0, a, n, b, n, 0.0, c, n);
  cr_assert_fail("the product ran with 4 MB to spare");
}
#endif
