/* ranks.c — MPI for ixp, or its one-process stand-in (see ranks.h). */
#include "ranks.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef IXP_MPI
#include <mpi.h>
#endif

static double comm_seconds;

void ixp_ranks_block(uint64_t n, int rank, int size, uint64_t *lo, uint64_t *hi) {
  uint64_t ranks = size > 0 ? (uint64_t)size : 1, r = rank > 0 ? (uint64_t)rank : 0;
  uint64_t base = n / ranks, extra = n % ranks;
  *lo = r * base + (r < extra ? r : extra);
  *hi = *lo + base + (r < extra ? 1 : 0);
}

double ixp_ranks_comm_seconds(void) { return comm_seconds; }

#ifdef IXP_MPI

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static bool started;  /* this process called MPI_Init (and must finalize) */
static int my_rank, nranks = 1;

bool ixp_ranks_init(int *argc, char ***argv) {
  int ready = 0;
  MPI_Initialized(&ready);
  if (!ready) {
    if (MPI_Init(argc, argv) != MPI_SUCCESS) return false;
    started = true;
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &my_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &nranks);
  return true;
}

void ixp_ranks_finalize(void) {
  int done = 0;
  MPI_Finalized(&done);
  if (started && !done) MPI_Finalize();
  started = false;
}

bool ixp_ranks_built_with_mpi(void) { return true; }
int ixp_ranks_rank(void) { return my_rank; }
int ixp_ranks_size(void) { return nranks; }

/* Counts and displacements of every rank's block, in elements. */
static bool block_layout(uint64_t n, int *counts, int *displs) {
  for (int r = 0; r < nranks; r++) {
    uint64_t lo, hi;
    ixp_ranks_block(n, r, nranks, &lo, &hi);
    if (hi > (uint64_t)INT_MAX) return false;
    counts[r] = (int)(hi - lo), displs[r] = (int)lo;
  }
  return true;
}

bool ixp_ranks_gather_doubles(const double *mine, uint64_t n, double *all) {
  int *counts = malloc(2 * (size_t)nranks * sizeof *counts);
  if (!counts) return false;
  int *displs = counts + nranks;
  bool ok = block_layout(n, counts, displs);
  if (ok) {
    double t = now();
    ok = MPI_Allgatherv(mine, counts[my_rank], MPI_DOUBLE, all, counts, displs, MPI_DOUBLE, MPI_COMM_WORLD) ==
         MPI_SUCCESS;
    comm_seconds += now() - t;
  }
  free(counts);
  return ok;
}

unsigned char *ixp_ranks_gather_bytes(const void *mine, size_t n, size_t *len, size_t **offsets) {
  double t = now();
  long long mine_n = (long long)n;
  long long *sizes = malloc((size_t)nranks * sizeof *sizes);
  int *counts = malloc(2 * (size_t)nranks * sizeof *counts);
  size_t *offs = malloc(((size_t)nranks + 1) * sizeof *offs);
  unsigned char *all = NULL;
  if (!sizes || !counts || !offs) goto done;
  MPI_Allgather(&mine_n, 1, MPI_LONG_LONG, sizes, 1, MPI_LONG_LONG, MPI_COMM_WORLD);
  long long total = 0;
  for (int r = 0; r < nranks; r++) {
    offs[r] = (size_t)total;
    total += sizes[r];
  }
  offs[nranks] = (size_t)total;
  if (total > INT_MAX) goto done;  /* every rank sees the same total: all give up together */
  int *displs = counts + nranks;
  for (int r = 0; r < nranks; r++) counts[r] = (int)sizes[r], displs[r] = (int)offs[r];
  all = malloc(total ? (size_t)total : 1);
  int have = all != NULL, everyone = 0;
  MPI_Allreduce(&have, &everyone, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  if (!everyone) {
    free(all);
    all = NULL;
    goto done;
  }
  MPI_Allgatherv(mine, (int)n, MPI_BYTE, all, counts, displs, MPI_BYTE, MPI_COMM_WORLD);
  *len = (size_t)total;
  *offsets = offs;
  offs = NULL;
done:
  free(sizes);
  free(counts);
  free(offs);
  comm_seconds += now() - t;
  return all;
}

int ixp_ranks_agree(int status, const char *msg, size_t n, int *agreed, char **msg_out, size_t *msg_len) {
  double t = now();
  int candidate = status ? my_rank : nranks, first = nranks;
  MPI_Allreduce(&candidate, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  *msg_out = NULL, *msg_len = 0, *agreed = 0;
  if (first == nranks) {
    comm_seconds += now() - t;
    return -1;
  }
  long long head[2] = {status, (long long)n};
  MPI_Bcast(head, 2, MPI_LONG_LONG, first, MPI_COMM_WORLD);
  *agreed = (int)head[0];
  size_t len = head[1] > INT_MAX ? INT_MAX : (size_t)head[1];
  char *buf = malloc(len + 1);
  if (!buf) ixp_ranks_abort(*agreed);
  if (my_rank == first) memcpy(buf, msg, len);
  MPI_Bcast(buf, (int)len, MPI_CHAR, first, MPI_COMM_WORLD);
  buf[len] = '\0';
  *msg_out = buf, *msg_len = len;
  comm_seconds += now() - t;
  return first;
}

_Noreturn void ixp_ranks_abort(int status) {
  MPI_Abort(MPI_COMM_WORLD, status);
  exit(status);
}

#else /* one process */

bool ixp_ranks_init(int *argc, char ***argv) {
  (void)argc, (void)argv;
  return true;
}

void ixp_ranks_finalize(void) {}
bool ixp_ranks_built_with_mpi(void) { return false; }
int ixp_ranks_rank(void) { return 0; }
int ixp_ranks_size(void) { return 1; }

bool ixp_ranks_gather_doubles(const double *mine, uint64_t n, double *all) {
  if (n) memmove(all, mine, (size_t)n * sizeof *all);
  return true;
}

unsigned char *ixp_ranks_gather_bytes(const void *mine, size_t n, size_t *len, size_t **offsets) {
  unsigned char *all = malloc(n ? n : 1);
  size_t *offs = malloc(2 * sizeof *offs);
  if (!all || !offs) {
    free(all);
    free(offs);
    return NULL;
  }
  if (n) memcpy(all, mine, n);
  offs[0] = 0, offs[1] = n;
  *len = n, *offsets = offs;
  return all;
}

int ixp_ranks_agree(int status, const char *msg, size_t n, int *agreed, char **msg_out, size_t *msg_len) {
  (void)msg, (void)n;
  *agreed = status, *msg_out = NULL, *msg_len = 0;
  return status ? 0 : -1;
}

_Noreturn void ixp_ranks_abort(int status) { exit(status); }

#endif
