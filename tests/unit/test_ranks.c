/* test_ranks.c — the ranks module without MPI (the plain build): index
 * blocks cover 0 .. n - 1 once, in rank order, with lengths differing by
 * at most one; the collectives are the one-process case. (Under MPI the
 * same functions are tested through mpirun by tests/mpi/run.) */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "kernels/ranks.h"

Test(ranks, blocks_cover_every_index_once_in_rank_order) {
  const uint64_t ns[] = {0, 1, 2, 3, 7, 64, 65, 1000003};
  for (size_t k = 0; k < sizeof ns / sizeof *ns; k++)
    for (int size = 1; size <= 9; size++) {
      uint64_t next = 0, shortest = UINT64_MAX, longest = 0;
      for (int r = 0; r < size; r++) {
        uint64_t lo, hi;
        ixp_ranks_block(ns[k], r, size, &lo, &hi);
        cr_assert_eq(lo, next, "n %lu, %d ranks: rank %d starts at %lu, not %lu", (unsigned long)ns[k], size, r,
                     (unsigned long)lo, (unsigned long)next);
        cr_assert_geq(hi, lo);
        next = hi;
        if (hi - lo < shortest) shortest = hi - lo;
        if (hi - lo > longest) longest = hi - lo;
      }
      cr_assert_eq(next, ns[k], "n %lu, %d ranks: blocks end at %lu", (unsigned long)ns[k], size, (unsigned long)next);
      cr_assert_leq(longest - shortest, 1, "n %lu, %d ranks: blocks of %lu and %lu", (unsigned long)ns[k], size,
                    (unsigned long)shortest, (unsigned long)longest);
    }
}

Test(ranks, the_first_blocks_take_the_remainder) {
  uint64_t lo, hi;
  ixp_ranks_block(10, 0, 4, &lo, &hi);  /* 10 = 3 + 3 + 2 + 2 */
  cr_assert(lo == 0 && hi == 3);
  ixp_ranks_block(10, 1, 4, &lo, &hi);
  cr_assert(lo == 3 && hi == 6);
  ixp_ranks_block(10, 3, 4, &lo, &hi);
  cr_assert(lo == 8 && hi == 10);
}

Test(ranks, one_process_without_mpi) {
  cr_assert(ixp_ranks_init(NULL, NULL));
  cr_assert_not(ixp_ranks_built_with_mpi());
  cr_assert_eq(ixp_ranks_rank(), 0);
  cr_assert_eq(ixp_ranks_size(), 1);
  double mine[3] = {1.5, -2, 3.25}, all[3] = {0};
  cr_assert(ixp_ranks_gather_doubles(mine, 3, all));
  cr_assert(!memcmp(mine, all, sizeof all));
  size_t len, *offsets;
  unsigned char *bytes = ixp_ranks_gather_bytes("abc", 3, &len, &offsets);
  cr_assert(bytes && len == 3 && !memcmp(bytes, "abc", 3) && offsets[0] == 0 && offsets[1] == 3);
  free(bytes);
  free(offsets);
  int agreed;
  char *msg;
  size_t n;
  cr_assert_eq(ixp_ranks_agree(0, NULL, 0, &agreed, &msg, &n), -1, "success: no failing rank");
  cr_assert_eq(ixp_ranks_agree(4, "x", 1, &agreed, &msg, &n), 0, "rank 0 failed");
  cr_assert_eq(agreed, 4);
  cr_assert_null(msg, "rank 0 printed its own message");
  ixp_ranks_finalize();
}

/* explain says, for each top-level sweep, whether its passes are split
 * across ranks, and why not when a pass depends on the ones before it. */
Test(ranks, explain_says_which_sweeps_split) {
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_explain(&r, "sweep a in 1 .. 4 { emit a, mi(x; y) in bsc(p = a / 10) }\n"
                              "sweep b in [1, 2] {\n  units nats\n  emit b\n}\n"
                              "sweep c in [1, 2] {\n  sweep d in [3, 4] { emit d } to \"long.csv\"\n}\n"
                              "sweep e in [1, 2] {\n  sweep f in [3, 4] { emit f }\n}\n"),
               IXP_OK, "%s", t_err(&r));
  const char *out = t_out(&r);
  cr_assert(strstr(out, "sweep a at line 1: 4 passes, split across ranks by pass index"), "%s", out);
  cr_assert(strstr(out, "sweep b at line 2: 2 passes, every rank runs every pass (not split: its body sets `units`"),
            "%s", out);
  cr_assert(strstr(out, "sweep c at line 6: 2 passes, every rank runs every pass (not split: a sweep in its body "
                        "writes one file"), "%s", out);
  cr_assert(strstr(out, "sweep e at line 9: 2 passes, split across ranks"), "%s", out);
  cr_assert_null(strstr(out, "sweep f"), "a nested sweep runs inside its outer pass:\n%s", out);
  t_close(&r);
}
