/* ranks.h — the processes of one run under `mpirun` (Open MPI), and the
 * few collective steps ixp needs from them.
 *
 * Built with -DIXP_MPI (build/ixp-mpi), these wrap MPI; built without it
 * (the plain ixp), every function is the one-process case: rank 0 of 1,
 * gathers copy, agreement returns the caller's own status. Every
 * collective must be called by all ranks in the same order. Work split
 * by index goes in contiguous blocks, rank r taking the r-th block, so a
 * gather in rank order is a gather in index order. */
#ifndef IXP_RANKS_H
#define IXP_RANKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Start (MPI_Init) and stop (MPI_Finalize); both are safe to call when
 * MPI is absent. ixp_ranks_init returns false when MPI cannot start. */
bool ixp_ranks_init(int *argc, char ***argv);
void ixp_ranks_finalize(void);
/* Whether this build links MPI. */
bool ixp_ranks_built_with_mpi(void);
int ixp_ranks_rank(void);
int ixp_ranks_size(void);

/* Rank `rank`'s block [*lo, *hi) of indices 0 .. n - 1 split into `size`
 * contiguous blocks whose lengths differ by at most one (the first
 * n % size blocks one longer). */
void ixp_ranks_block(uint64_t n, int rank, int size, uint64_t *lo, uint64_t *hi);

/* Every rank's doubles of its block of 0 .. n - 1 (mine: hi - lo values,
 * from ixp_ranks_block) gathered on every rank into all[0 .. n) in index
 * order. false when the count passes what MPI can send in one call. */
bool ixp_ranks_gather_doubles(const double *mine, uint64_t n, double *all);

/* Every rank's byte buffer, concatenated in rank order on every rank
 * (malloc'd, *len its length; offsets[r] where rank r's bytes start,
 * offsets[size] = *len, malloc'd). NULL when out of memory or too large. */
unsigned char *ixp_ranks_gather_bytes(const void *mine, size_t n, size_t *len, size_t **offsets);

/* The agreement after a step that may fail on some ranks only: status 0
 * is success. Returns the lowest failing rank (or -1 when every rank
 * succeeded) and its status in *agreed; that rank's `msg` (n bytes) is
 * copied to every rank into *msg_out (malloc'd, *msg_len; NULL when
 * every rank succeeded). */
int ixp_ranks_agree(int status, const char *msg, size_t n, int *agreed, char **msg_out, size_t *msg_len);

/* End every rank at once with `status` (MPI_Abort; exit without MPI). */
_Noreturn void ixp_ranks_abort(int status);

/* Seconds this process spent in the collectives above since it started
 * (for benches: the communication time). */
double ixp_ranks_comm_seconds(void);

#endif
