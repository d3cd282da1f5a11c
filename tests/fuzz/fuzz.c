/* fuzz.c — helpers of the fuzzing harnesses; see fuzz.h. */
#include "fuzz.h"

#include <omp.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "blis/dense.h"

FILE *ixp_fuzz_sink(void) {
  static FILE *sink;
  if (!sink) sink = getenv("IXP_FUZZ_VERBOSE") ? stderr : fopen("/dev/null", "w");
  if (!sink) abort();
  return sink;
}

const char *ixp_fuzz_file(const uint8_t *data, size_t size) {
  static int fd = -1;
  static char path[64];
  if (fd < 0) {
    fd = memfd_create("ixp-fuzz", 0);
    if (fd < 0) abort();
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  }
  if (ftruncate(fd, 0) != 0) abort();
  for (size_t done = 0; done < size;) {
    ssize_t n = pwrite(fd, data + done, size - done, (off_t)done);
    if (n <= 0) abort();
    done += (size_t)n;
  }
  return path;
}

void ixp_fuzz_one_thread(void) {
  omp_set_num_threads(1);
  ixp_dense_set_threads(1);
}
