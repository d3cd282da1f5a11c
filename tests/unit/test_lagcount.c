/* test_lagcount.c — time measures on discrete series through history
 * counts (lagcount.h) against the same measures through the joint of the
 * lag view's rows (the counts switched off): estimators bit for bit, the
 * exact plug-in sum to 1e-12 relative (it adds in another order). */
#include <math.h>
#include <stdint.h>

#include "helpers.h"
#include "lagcount.h"

static char dir[256];

static void setup(void) { t_tmpdir_make(dir, sizeof dir, "ixp_lagcount"); }
static void teardown(void) {
  ixp_lagcount_enabled = true;
  t_tmpdir_remove(dir);
}

TestSuite(lagcount, .init = setup, .fini = teardown);

static double uniform(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return (double)(z >> 11) / 9007199254740992.0;
}

/* 4 trials of unequal lengths: binary y driving binary x, and a 3-symbol
 * v driving u, whose values are 0, 2 and 5 (codes are not the values). */
static const char *write_series(void) {
  const char *path = t_path_in(dir, "s.csv");
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f);
  uint64_t g = 99;
  static const int sym[3] = {0, 2, 5};
  fputs("trial,x,y,u,v\n", f);
  for (int k = 0; k < 4; k++) {
    int x = 0, y = 0, u = 0, v = 0;
    for (int t = 0; t < 300 + 37 * k; t++) {
      int ny = uniform(&g) < (y ? 0.8 : 0.3), nx = uniform(&g) < 0.7 ? y : 1 - x;
      int nv = (int)(3 * uniform(&g)), nu = uniform(&g) < 0.8 ? (v + (uniform(&g) < 0.3)) % 3 : (int)(3 * uniform(&g));
      x = nx, y = ny, u = nu, v = nv;
      fprintf(f, "%d,%d,%d,%d,%d\n", k, x, y, sym[u], sym[v]);
    }
  }
  fclose(f);
  return path;
}

enum { NM = 15 };

/* The 15 numbers of te, ais and entropy_rate on both series with plugin,
 * miller_madow and nsb, with the counts on or off. */
static void measures(const char *path, bool counts, double *x) {
  char program[2048];
  snprintf(program, sizeof program,
           "data d = csv(\"%s\", trials = \"trial\")\n"
           "print te(y -> x, k = 3, l = 2) in d, te(y -> x, k = 3, l = 2) in d using miller_madow, "
           "te(y -> x, k = 3, l = 2) in d using nsb\n"
           "print ais(x, k = 4) in d, ais(x, k = 4) in d using miller_madow, ais(x, k = 4) in d using nsb\n"
           "print entropy_rate(u, k = 2) in d, entropy_rate(u, k = 2) in d using miller_madow, "
           "entropy_rate(u, k = 2) in d using nsb\n"
           "print te(v -> u, k = 2, l = 2) in d, te(v -> u, k = 2, l = 2) in d using miller_madow, "
           "te(v -> u, k = 2, l = 2) in d using nsb\n"
           "print ais(u, k = 2) in d, entropy_rate(x, k = 5) in d using miller_madow, te(x -> y) in d using nsb\n",
           path);
  ixp_lagcount_enabled = counts;
  unsigned long before = ixp_lagcount_used;
  cr_assert_eq(t_numbers(program, x, NM), NM);
  ixp_lagcount_enabled = true;
  if (counts) cr_assert_geq(ixp_lagcount_used - before, NM, "the history counts were not used");
  else cr_assert_eq(ixp_lagcount_used, before);
}

Test(lagcount, same_as_the_joint_of_the_view) {
  const char *path = write_series();
  double hist[NM], joint[NM];
  measures(path, true, hist);
  measures(path, false, joint);
  for (int i = 0; i < NM; i++) {
    cr_assert(fabs(hist[i]) > 1e-4, "measure %d: %.17g", i, hist[i]);
    if (i % 3 == 0)  /* plug-in: the exact sum adds in another order */
      cr_assert(fabs(hist[i] - joint[i]) <= 1e-12 * fabs(joint[i]), "measure %d: %.17g vs %.17g", i, hist[i], joint[i]);
    else
      cr_assert(hist[i] == joint[i], "measure %d: %.17g vs %.17g", i, hist[i], joint[i]);
  }
}

/* A real column, a negative value, binning, or entries that do not reach
 * the view's extent (x[t-1] alone: its rows are those where t is inside
 * the trial too) keep the joint. */
Test(lagcount, declines_what_is_not_whole_number) {
  const char *path = t_path_in(dir, "r.csv");
  t_write_text(path, "x,y,z\n0,1,0.5\n1,-1,1.5\n1,0,0.5\n0,1,1.5\n1,1,0.5\n0,0,0.5\n");
  char program[512];
  snprintf(program, sizeof program,
           "data d = csv(\"%s\")\nprint ais(y, k = 1) in d\nprint ais(z, k = 1) in d using plugin(bins = 2)\n"
           "print ais(x, k = 1) in d\nprint entropy(x[t-1]) in d\n", path);
  unsigned long before = ixp_lagcount_used;
  double x[4];
  cr_assert_eq(t_numbers(program, x, 4), 4);
  cr_assert_eq(ixp_lagcount_used - before, 1);
}
