/* timing.h — the clock every bench reads. */
#ifndef IXP_BENCH_TIMING_H
#define IXP_BENCH_TIMING_H

#include <time.h>

/* Seconds on the monotonic clock. */
static inline double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

#endif
