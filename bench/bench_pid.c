/* bench_pid.c — partial information decomposition: BROJA's solver on a
 * random 10x10x10 joint and on COPY with 64x64 sources (against the
 * exponential-cone reference implementation, BROJA-2PID on ECOS, which
 * took 1.4 s and 5.2 s, measured 2026-12 on this 2-core machine: recorded
 * figures, as BROJA-2PID is not installable here), and the 5-source lattice
 * (7579 atoms) for immi and isx against a naive implementation of the
 * same numbers (redundancy from the definitions, union events by
 * enumeration, Möbius inversion testing the order pair by pair). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "broja.h"
#include "pid.h"
#include "timing.h"

/* BROJA-2PID, seconds, recorded 2026-12 on this 2-core machine. */
#define REF_RANDOM 1.4
#define REF_COPY 5.2

/* Monotonic time in seconds. */
/* Exit with a message when a call fails. */
static void need(IxpPidStatus st, const char *what) {
  if (st != IXP_PID_OK) {
    fprintf(stderr, "bench_pid: %s: %s\n", what, ixp_pid_status_text(st));
    exit(1);
  }
}

/* A uniformly random joint of n cells, normalised. */
static void random_joint(double *p, size_t n, unsigned *seed) {
  double s = 0;
  for (size_t k = 0; k < n; k++) s += p[k] = rand_r(seed) / (double)RAND_MAX + 1e-3;
  for (size_t k = 0; k < n; k++) p[k] /= s;
}

/* Time ixp_pid with BROJA on p; best of `reps` runs. */
static double time_broja(const double *p, int nt, int n1, int n2, int reps, IxpPidCertificate *cert) {
  IxpPidLattice *l;
  need(ixp_pid_lattice(2, &l), "lattice");
  IxpPidOptions opt = {.measure = IXP_PID_BROJA};
  int ns[2] = {n1, n2};
  double atoms[4], best = INFINITY;
  for (int r = 0; r < reps; r++) {
    double t0 = now();
    need(ixp_pid(p, nt, 2, ns, l, &opt, atoms, cert), "broja");
    best = fmin(best, now() - t0);
  }
  ixp_pid_lattice_free(l);
  return best;
}

/* Naive immi atoms: redundancy from the definition, then Möbius inversion
 * deciding b < a for every pair from the sets themselves. */
static void naive_immi(const IxpPidLattice *l, const double *mi, double *atoms) {
  for (int a = 0; a < l->natoms; a++) {
    double r = INFINITY;
    for (int i = l->offset[a]; i < l->offset[a + 1]; i++) r = fmin(r, mi[l->sets[i]]);
    for (int b = 0; b < a; b++) {
      int le = 1;
      for (int i = l->offset[a]; i < l->offset[a + 1] && le; i++) {
        int some = 0;
        for (int j = l->offset[b]; j < l->offset[b + 1]; j++) some |= (l->sets[i] & l->sets[j]) == l->sets[j];
        le = some;
      }
      if (le) r -= atoms[b];
    }
    atoms[a] = r;
  }
}

/* Naive isx redundancy of antichain a: the union of source events by
 * enumerating every configuration, 5 binary sources, binary target. */
static double naive_isx(const IxpPidLattice *l, int a, const double *p) {
  double r = 0;
  for (int t = 0; t < 2; t++)
    for (int s = 0; s < 32; s++) {
      double q = p[t * 32 + s], pu = 0, ptu = 0, pt = 0;
      if (q <= 0) continue;
      for (int s2 = 0; s2 < 32; s2++) {
        int in = 0;
        for (int i = l->offset[a]; i < l->offset[a + 1] && !in; i++) {
          unsigned m = 0; /* sources, bit i = source i, as masks in the lattice */
          for (int k = 0; k < 5; k++) m |= (unsigned)(((s >> (4 - k)) & 1) == ((s2 >> (4 - k)) & 1)) << k;
          in = (l->sets[i] & m) == l->sets[i];
        }
        if (in) pu += p[s2] + p[32 + s2], ptu += p[t * 32 + s2];
      }
      for (int s2 = 0; s2 < 32; s2++) pt += p[t * 32 + s2];
      r += q * log(ptu / (pt * pu));
    }
  return r;
}

/* The BROJA figures. */
static void bench_broja(void) {
  unsigned seed = 12345;
  double *p = malloc(1000 * sizeof *p);
  random_joint(p, 1000, &seed);
  IxpPidCertificate c;
  double t = time_broja(p, 10, 10, 10, 5, &c);
  printf("pid broja random 10x10x10     %8.4f s  gap %.1e  pinf %.1e  %3d Newton  (BROJA-2PID %.1f s, recorded 2026-12: %.0fx faster)\n", t,
         c.duality_gap, c.primal_infeasibility, c.iterations, REF_RANDOM, REF_RANDOM / t);
  free(p);
  int m = 64, nt = m * m;
  p = calloc((size_t)nt * m * m, sizeof *p);
  for (int a = 0; a < m; a++)
    for (int b = 0; b < m; b++) p[((size_t)(a * m + b) * m + a) * m + b] = 1.0 / nt;
  t = time_broja(p, nt, m, m, 3, &c);
  printf("pid broja copy 64x64 (4096)   %8.4f s  gap %.1e  pinf %.1e  %3d Newton  (BROJA-2PID %.1f s, recorded 2026-12: %.0fx faster)\n", t,
         c.duality_gap, c.primal_infeasibility, c.iterations, REF_COPY, REF_COPY / t);
  free(p);
  p = malloc(16 * 16 * 16 * sizeof *p);
  random_joint(p, 16 * 16 * 16, &seed);
  t = time_broja(p, 16, 16, 16, 1, &c);
  printf("pid broja random 16x16x16     %8.4f s  gap %.1e  pinf %.1e  %3d Newton  (no reference)\n", t, c.duality_gap,
         c.primal_infeasibility, c.iterations);
  free(p);
}

/* The 5-source figures. */
static void bench_lattice(void) {
  double t0 = now();
  IxpPidLattice *l;
  need(ixp_pid_lattice(5, &l), "lattice");
  double tl = now() - t0;
  printf("pid lattice 5 sources         %8.4f s  (%d antichains, %d order pairs)\n", tl, l->natoms,
         l->below_offset[l->natoms]);
  unsigned seed = 777;
  double p[64];
  random_joint(p, 64, &seed);
  int ns[5] = {2, 2, 2, 2, 2};
  double *atoms = malloc((size_t)l->natoms * sizeof *atoms), *ref = malloc((size_t)l->natoms * sizeof *ref);
  IxpPidOptions opt = {.measure = IXP_PID_IMMI};
  t0 = now();
  need(ixp_pid(p, 2, 5, ns, l, &opt, atoms, NULL), "immi");
  double ti = now() - t0;
  /* naive: mutual informations by subset, then the definition */
  t0 = now();
  double mi[32] = {0};
  for (unsigned A = 1; A < 32; A++) {
    double pa[32] = {0}, pta[64] = {0}, pt[2] = {0};
    for (int t = 0; t < 2; t++)
      for (int s = 0; s < 32; s++) {
        unsigned key = 0;
        for (int k = 0; k < 5; k++)
          if (A >> k & 1) key = key * 2 + ((s >> (4 - k)) & 1);
        pa[key] += p[t * 32 + s], pta[t * 32 + key] += p[t * 32 + s], pt[t] += p[t * 32 + s];
      }
    for (int t = 0; t < 2; t++)
      for (int k = 0; k < 32; k++)
        if (pta[t * 32 + k] > 0) mi[A] += pta[t * 32 + k] * log(pta[t * 32 + k] / (pt[t] * pa[k]));
  }
  naive_immi(l, mi, ref);
  double tn = now() - t0, diff = 0;
  for (int a = 0; a < l->natoms; a++) diff = fmax(diff, fabs(atoms[a] - ref[a]));
  printf("pid immi 5 sources            %8.4f s  (naive %.3f s: %.0fx faster; max |diff| %.1e)\n", ti, tn, tn / ti, diff);
  opt.measure = IXP_PID_ISX;
  t0 = now();
  need(ixp_pid(p, 2, 5, ns, l, &opt, atoms, NULL), "isx");
  double tx = now() - t0;
  t0 = now();
  for (int a = 0; a < l->natoms; a++) ref[a] = naive_isx(l, a, p);
  for (int a = 0; a < l->natoms; a++)
    for (int k = l->below_offset[a]; k < l->below_offset[a + 1]; k++)
      if (l->below[k] != a) ref[a] -= ref[l->below[k]];
  tn = now() - t0, diff = 0;
  for (int a = 0; a < l->natoms; a++) diff = fmax(diff, fabs(atoms[a] - ref[a]));
  printf("pid isx 5 sources             %8.4f s  (naive %.3f s: %.0fx faster; max |diff| %.1e)\n", tx, tn, tn / tx, diff);
  free(atoms), free(ref);
  ixp_pid_lattice_free(l);
}

int main(void) {
  bench_broja();
  bench_lattice();
  return 0;
}
