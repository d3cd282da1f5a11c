/* test_pid.c — backends/kernels/pid.c and backends/blis/broja.c: the redundancy lattice,
 * the five redundancy measures on the standard gates against published
 * values, the identities, invariances and BROJA's certificate.
 *
 * Sources of the expected values (bits):
 *  - Williams & Beer 2010 (arXiv:1004.2515): I_min on AND gives redundancy
 *    0.311 and synergy 0.5; on COPY (T = (S1, S2)) redundancy 1 bit — the
 *    known criticism (Harder, Salge & Polani 2013; Griffith & Koch 2014).
 *  - Bertschinger et al. 2014 / dit's test_ibroja.py: BROJA on AND equals
 *    I_min's values; on COPY ("cat") one bit of unique information each;
 *    on "diff" (uniform over 000 001 010 101) redundancy 0.12255624891826589,
 *    unique 0.18872187554086706 each, synergy 0.
 *  - Ince 2017 and dit's test_iccs.py: I_ccs on AND, redundancy
 *    0.10375937481971094 = log2(4/3)/4 and unique 0.20751874963942191; on
 *    "gband" redundancy 0.81127812445913283, unique 0.5 each, synergy 0.
 *  - Makkeh, Gutknecht & Wibral 2021: I^sx on AND, redundancy
 *    log2(32/27)/2 = 0.1226, unique 0.1887, synergy 0.3113; on XOR the
 *    shared exclusions are misinformative, redundancy log2(2/3) = -0.585
 *    (every outcome: P(t | s1 or s2) = 1/3 against P(t) = 1/2), so its
 *    synergy is 0.415, not 1 bit; on UNQ (T = S1) redundancy log2(4/3).
 *  - Griffith & Koch 2014: RdnXor (1 bit redundancy, 1 bit synergy),
 *    ImperfectRdn, SUM (T = S1 + S2: redundancy 0.5, synergy 1).
 * The values printed by dit and the papers are in bits; pid.c works in
 * nats, converted here. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "broja.h"
#include "pid.h"

#define LN2 0.69314718055994530942
#define TOL 1e-7

/* A joint table under construction: p[t * S + s]. */
typedef struct {
  int nt, n, ns[5];
  double p[4096];
} Dist;

/* Add mass w to (t; s1, ..., sn) (values given in the order of sources). */
static void put(Dist *d, int t, const int *s, double w) {
  int idx = 0, S = 1;
  for (int i = 0; i < d->n; i++) idx = idx * d->ns[i] + s[i], S *= d->ns[i];
  d->p[t * S + idx] += w;
}

/* A two-source table from outcome strings "s1 s2 t" (digits), uniform. */
static Dist bivariate(const char *const *outcomes, int count, int n1, int n2, int nt) {
  Dist d = {.nt = nt, .n = 2, .ns = {n1, n2}};
  for (int i = 0; i < count; i++) {
    int s[2] = {outcomes[i][0] - '0', outcomes[i][1] - '0'};
    put(&d, outcomes[i][2] - '0', s, 1.0 / count);
  }
  return d;
}

/* Decompose d with measure m; returns the status, atoms in bits. */
static IxpPidStatus run(const Dist *d, IxpPidMeasure m, double *bits, IxpPidCertificate *cert) {
  IxpPidLattice *l = NULL;
  cr_assert_eq(ixp_pid_lattice(d->n, &l), IXP_PID_OK);
  IxpPidOptions opt = {.measure = m};
  IxpPidStatus st = ixp_pid(d->p, d->nt, d->n, d->ns, l, &opt, bits, cert);
  if (st == IXP_PID_OK)
    for (int a = 0; a < l->natoms; a++) bits[a] /= LN2;
  ixp_pid_lattice_free(l);
  return st;
}

/* Two-source atoms in lattice order {1}{2}, {1}, {2}, {12}, checked. */
static void expect2(const Dist *d, IxpPidMeasure m, double rdn, double u1, double u2, double syn, double tol) {
  double a[4];
  IxpPidCertificate cert;
  IxpPidStatus st = run(d, m, a, &cert);
  cr_assert_eq(st, IXP_PID_OK, "measure %d: %s", m, ixp_pid_status_text(st));
  const double want[4] = {rdn, u1, u2, syn};
  for (int i = 0; i < 4; i++)
    cr_expect_float_eq(a[i], want[i], tol, "measure %d atom %d: %.12f, wanted %.12f", m, i, a[i], want[i]);
}

/* Index of the atom named `name` in the n-source lattice. */
static int atom_named(int n, const char *name) {
  IxpPidLattice *l = NULL;
  ixp_pid_lattice(n, &l);
  int found = -1;
  for (int a = 0; a < l->natoms && found < 0; a++) {
    char buf[64];
    ixp_pid_atom_name(l, a, buf, sizeof buf);
    if (!strcmp(buf, name)) found = a;
  }
  ixp_pid_lattice_free(l);
  return found;
}

/* ---------------------------------------------------------------- lattice */

Test(pid_lattice, sizes_are_dedekind_minus_two) {
  const int want[] = {1, 4, 18, 166, 7579};
  for (int n = 1; n <= 5; n++) {
    IxpPidLattice *l = NULL;
    cr_assert_eq(ixp_pid_lattice(n, &l), IXP_PID_OK);
    cr_expect_eq(l->natoms, want[n - 1], "n = %d: %d antichains", n, l->natoms);
    ixp_pid_lattice_free(l);
  }
  IxpPidLattice *l = NULL;
  cr_expect_eq(ixp_pid_lattice(0, &l), IXP_PID_EINPUT);
  cr_expect_eq(ixp_pid_lattice(6, &l), IXP_PID_ESOURCES);
  cr_expect_null(l);
  cr_expect_eq(ixp_pid_lattice(2, NULL), IXP_PID_EINPUT);
}

Test(pid_lattice, names_and_order_for_two_and_three_sources) {
  IxpPidLattice *l = NULL;
  ixp_pid_lattice(2, &l);
  const char *want[] = {"{1}{2}", "{1}", "{2}", "{12}"};
  for (int a = 0; a < 4; a++) {
    char buf[16];
    ixp_pid_atom_name(l, a, buf, sizeof buf);
    cr_expect_str_eq(buf, want[a]);
  }
  /* {1}{2} <= {1} <= {12}; {1} and {2} incomparable */
  cr_expect_eq(l->below_offset[4] - l->below_offset[3], 4);
  cr_expect_eq(l->below_offset[2] - l->below_offset[1], 2);
  char tiny[4];
  ixp_pid_atom_name(l, 0, tiny, sizeof tiny);
  cr_expect_str_eq(tiny, "{1}");
  ixp_pid_lattice_free(l);
  ixp_pid_lattice(3, &l);
  cr_expect_eq(atom_named(3, "{1}{2}{3}"), 0);
  cr_expect_eq(atom_named(3, "{123}"), 17);
  cr_expect_geq(atom_named(3, "{1}{23}"), 0);
  cr_expect_geq(atom_named(3, "{12}{13}{23}"), 0);
  ixp_pid_lattice_free(l);
}

Test(pid_lattice, below_is_the_williams_beer_order_in_topological_order) {
  for (int n = 2; n <= 4; n++) {
    IxpPidLattice *l = NULL;
    ixp_pid_lattice(n, &l);
    for (int a = 0; a < l->natoms; a++) {
      for (int b = 0; b < l->natoms; b++) {
        /* b <= a iff every set of a contains some set of b */
        bool le = true;
        for (int i = l->offset[a]; i < l->offset[a + 1] && le; i++) {
          bool some = false;
          for (int j = l->offset[b]; j < l->offset[b + 1]; j++) some |= (l->sets[i] & l->sets[j]) == l->sets[j];
          le = some;
        }
        bool listed = false;
        for (int k = l->below_offset[a]; k < l->below_offset[a + 1]; k++) listed |= l->below[k] == b;
        cr_assert_eq(listed, le, "n=%d a=%d b=%d", n, a, b);
        if (le) cr_assert_leq(b, a);
      }
      /* antichains: no set contains another */
      for (int i = l->offset[a]; i < l->offset[a + 1]; i++)
        for (int j = l->offset[a]; j < l->offset[a + 1]; j++)
          if (i != j) cr_assert_neq(l->sets[i] & l->sets[j], l->sets[i]);
    }
    ixp_pid_lattice_free(l);
  }
}

/* ------------------------------------------------------------------ gates */

static const char *const XOR[] = {"000", "011", "101", "110"};
static const char *const AND[] = {"000", "010", "100", "111"};
static const char *const RDN[] = {"000", "111"};
static const char *const UNQ[] = {"000", "010", "101", "111"};
static const char *const CAT[] = {"000", "011", "102", "113"};
static const char *const SUM[] = {"000", "011", "101", "112"};
static const char *const DIFF[] = {"000", "001", "010", "101"};
static const char *const RDNXOR[] = {"000", "011", "101", "110", "222", "233", "323", "332"};
static const char *const GBAND[] = {"000", "010", "100", "111", "222", "232", "322", "333"};

Test(pid_gates, xor_is_one_bit_of_synergy) {
  Dist d = bivariate(XOR, 4, 2, 2, 2);
  expect2(&d, IXP_PID_IMIN, 0, 0, 0, 1, TOL);
  expect2(&d, IXP_PID_IMMI, 0, 0, 0, 1, TOL);
  expect2(&d, IXP_PID_ICCS, 0, 0, 0, 1, TOL);
  expect2(&d, IXP_PID_BROJA, 0, 0, 0, 1, TOL);
  double r = log2(2.0 / 3);
  expect2(&d, IXP_PID_ISX, r, -r, -r, 1 + r, TOL);
}

Test(pid_gates, and_gate) {
  Dist d = bivariate(AND, 4, 2, 2, 2);
  double i1 = 0.31127812445913283, syn = 0.5;
  expect2(&d, IXP_PID_IMIN, i1, 0, 0, syn, TOL);
  expect2(&d, IXP_PID_IMMI, i1, 0, 0, syn, TOL);
  expect2(&d, IXP_PID_BROJA, i1, 0, 0, syn, 1e-8);
  expect2(&d, IXP_PID_ICCS, 0.10375937481971094, 0.20751874963942191, 0.20751874963942191,
          0.81127812445913283 - 0.10375937481971094 - 2 * 0.20751874963942191, 1e-6);
  double r = log2(32.0 / 27) / 2;
  expect2(&d, IXP_PID_ISX, r, i1 - r, i1 - r, 0.81127812445913283 - 2 * i1 + r, TOL);
}

Test(pid_gates, copy_gate) {
  Dist d = bivariate(CAT, 4, 2, 2, 4);
  expect2(&d, IXP_PID_BROJA, 0, 1, 1, 0, 1e-8);
  expect2(&d, IXP_PID_IMIN, 1, 0, 0, 1, TOL); /* the known criticism of I_min */
  expect2(&d, IXP_PID_ICCS, 0, 1, 1, 0, 1e-6);
}

Test(pid_gates, rdn_is_one_bit_of_redundancy) {
  Dist d = bivariate(RDN, 2, 2, 2, 2);
  for (int m = IXP_PID_IMIN; m <= IXP_PID_BROJA; m++) expect2(&d, (IxpPidMeasure)m, 1, 0, 0, 0, 1e-8);
}

Test(pid_gates, unq_is_unique_to_the_first_source) {
  Dist d = bivariate(UNQ, 4, 2, 2, 2);
  expect2(&d, IXP_PID_BROJA, 0, 1, 0, 0, 1e-8);
  expect2(&d, IXP_PID_ICCS, 0, 1, 0, 0, 1e-6);
  expect2(&d, IXP_PID_IMIN, 0, 1, 0, 0, TOL); /* I(T=t; S2) = 0 for every t */
  expect2(&d, IXP_PID_IMMI, 0, 1, 0, 0, TOL);
  /* I^sx: P(t | s1 or s2) = 2/3 against P(t) = 1/2 */
  double r = log2(4.0 / 3);
  expect2(&d, IXP_PID_ISX, r, 1 - r, -r, r, TOL);
}

Test(pid_gates, rdnxor_is_one_bit_each) {
  Dist d = bivariate(RDNXOR, 8, 4, 4, 4);
  expect2(&d, IXP_PID_IMIN, 1, 0, 0, 1, TOL);
  expect2(&d, IXP_PID_IMMI, 1, 0, 0, 1, TOL);
  expect2(&d, IXP_PID_BROJA, 1, 0, 0, 1, 1e-8);
  expect2(&d, IXP_PID_ICCS, 1, 0, 0, 1, 1e-6);
}

Test(pid_gates, imperfect_rdn) {
  /* dit's imperfect_rdn: 000 .499, 010 .001, 111 .5 (s1 s2 t): T = S1 */
  Dist d = {.nt = 2, .n = 2, .ns = {2, 2}};
  put(&d, 0, (int[]){0, 0}, 0.499), put(&d, 0, (int[]){0, 1}, 0.001), put(&d, 1, (int[]){1, 1}, 0.5);
  double h = 0.001 / 0.501, i2 = 1 - 0.501 * -(h * log2(h) + (1 - h) * log2(1 - h));
  /* S2 is a garbling of S1 = T: all of I(T;S2) is shared, the rest unique to S1 */
  expect2(&d, IXP_PID_BROJA, i2, 1 - i2, 0, 0, 1e-8);
  expect2(&d, IXP_PID_IMIN, i2, 1 - i2, 0, 0, TOL);
  expect2(&d, IXP_PID_IMMI, i2, 1 - i2, 0, 0, TOL);
}

Test(pid_gates, sum_gate) {
  Dist d = bivariate(SUM, 4, 2, 2, 3);
  expect2(&d, IXP_PID_IMIN, 0.5, 0, 0, 1, TOL);
  expect2(&d, IXP_PID_IMMI, 0.5, 0, 0, 1, TOL);
  expect2(&d, IXP_PID_BROJA, 0.5, 0, 0, 1, 1e-8);
}

Test(pid_gates, dit_published_values) {
  Dist d = bivariate(DIFF, 4, 2, 2, 2);
  expect2(&d, IXP_PID_BROJA, 0.12255624891826589, 0.18872187554086706, 0.18872187554086706, 0, 1e-8);
  Dist g = bivariate(GBAND, 8, 4, 4, 4);
  expect2(&g, IXP_PID_ICCS, 0.81127812445913283, 0.5, 0.5, 0, 1e-6);
}

/* --------------------------------------------------------------- 3 sources */

/* Three binary sources and target f(s1, s2, s3) (nt values), uniform. */
static Dist trivariate(int (*f)(int, int, int), int nt) {
  Dist d = {.nt = nt, .n = 3, .ns = {2, 2, 2}};
  for (int s = 0; s < 8; s++) {
    int v[3] = {s >> 2 & 1, s >> 1 & 1, s & 1};
    put(&d, f(v[0], v[1], v[2]), v, 1.0 / 8);
  }
  return d;
}

/* Parity of three bits. */
static int parity3(int a, int b, int c) { return a ^ b ^ c; }

/* The three bits themselves. */
static int copy3(int a, int b, int c) { return a * 4 + b * 2 + c; }

Test(pid_three, xor3_is_only_the_top_synergy) {
  Dist d = trivariate(parity3, 2);
  for (int m = IXP_PID_IMIN; m <= IXP_PID_ICCS; m++) {
    double a[18];
    cr_assert_eq(run(&d, (IxpPidMeasure)m, a, NULL), IXP_PID_OK);
    for (int i = 0; i < 18; i++) cr_expect_float_eq(a[i], i == 17 ? 1 : 0, 1e-6, "measure %d atom %d: %g", m, i, a[i]);
  }
}

Test(pid_three, three_way_redundancy_is_the_bottom_atom) {
  Dist d = {.nt = 2, .n = 3, .ns = {2, 2, 2}};
  put(&d, 0, (int[]){0, 0, 0}, 0.5), put(&d, 1, (int[]){1, 1, 1}, 0.5);
  for (int m = IXP_PID_IMIN; m <= IXP_PID_ISX; m++) {
    double a[18];
    cr_assert_eq(run(&d, (IxpPidMeasure)m, a, NULL), IXP_PID_OK);
    for (int i = 0; i < 18; i++) cr_expect_float_eq(a[i], i == 0 ? 1 : 0, 1e-6, "measure %d atom %d: %g", m, i, a[i]);
  }
}

Test(pid_three, three_way_copy) {
  Dist d = trivariate(copy3, 8);
  /* I_min: every I(T=t; Si) = 1 bit, so the bottom atom carries 1 bit and
   * the top {123} nothing beyond the pairs' synergy. */
  double a[18];
  cr_assert_eq(run(&d, IXP_PID_IMIN, a, NULL), IXP_PID_OK);
  cr_expect_float_eq(a[0], 1, TOL);
  double s = 0;
  for (int i = 0; i < 18; i++) s += a[i];
  cr_expect_float_eq(s, 3, TOL);
  cr_assert_eq(run(&d, IXP_PID_IMMI, a, NULL), IXP_PID_OK);
  cr_expect_float_eq(a[0], 1, TOL);
}

/* -------------------------------------------------------------- properties */

/* A random joint with n sources of the given sizes and nt target values;
 * zeros in about a quarter of the cells when sparse. */
static Dist random_dist(unsigned *seed, int nt, int n, const int *ns, bool sparse) {
  Dist d = {.nt = nt, .n = n};
  int S = 1;
  for (int i = 0; i < n; i++) d.ns[i] = ns[i], S *= ns[i];
  double sum = 0;
  for (int k = 0; k < nt * S; k++) {
    double v = rand_r(seed) / (double)RAND_MAX;
    d.p[k] = sparse && rand_r(seed) % 4 == 0 ? 0 : v;
    sum += d.p[k];
  }
  for (int k = 0; k < nt * S; k++) d.p[k] /= sum;
  return d;
}

/* I(T; S_A) in bits, A a mask of sources, straight from the table. */
static double mi_bits(const Dist *d, unsigned A) {
  int S = 1, na = 1;
  for (int i = 0; i < d->n; i++) S *= d->ns[i], na *= (A >> i & 1) ? d->ns[i] : 1;
  double *pta = calloc((size_t)d->nt * na, sizeof(double)), *pa = calloc((size_t)na, sizeof(double)), *pt = calloc((size_t)d->nt, sizeof(double));
  for (int t = 0; t < d->nt; t++)
    for (int s = 0; s < S; s++) {
      int rest = s, stride = S, a = 0;
      for (int i = 0; i < d->n; i++) {
        stride /= d->ns[i];
        int digit = rest / stride;
        rest %= stride;
        if (A >> i & 1) a = a * d->ns[i] + digit;
      }
      double q = d->p[t * S + s];
      pta[t * na + a] += q, pa[a] += q, pt[t] += q;
    }
  double mi = 0;
  for (int t = 0; t < d->nt; t++)
    for (int a = 0; a < na; a++)
      if (pta[t * na + a] > 0) mi += pta[t * na + a] * log2(pta[t * na + a] / (pt[t] * pa[a]));
  free(pta), free(pa), free(pt);
  return mi;
}

/* The identities, checked here independently of pid.c's own check. */
static void check_identities(const Dist *d, const double *a, bool nonneg, int m) {
  IxpPidLattice *l = NULL;
  ixp_pid_lattice(d->n, &l);
  double total = 0;
  for (int i = 0; i < l->natoms; i++) {
    total += a[i];
    if (nonneg) cr_expect_geq(a[i], -1e-9, "measure %d atom %d = %g", m, i, a[i]);
  }
  cr_expect_float_eq(total, mi_bits(d, (1u << d->n) - 1), 1e-9, "measure %d", m);
  for (int s = 0; s < d->n; s++) {
    int at = -1;
    for (int i = 0; i < l->natoms; i++)
      if (l->offset[i + 1] - l->offset[i] == 1 && l->sets[l->offset[i]] == 1u << s) at = i;
    double down = 0;
    for (int k = l->below_offset[at]; k < l->below_offset[at + 1]; k++) down += a[l->below[k]];
    cr_expect_float_eq(down, mi_bits(d, 1u << s), 1e-9, "measure %d source %d", m, s);
  }
  if (d->n == 2) cr_expect_float_eq(a[0] - a[3], mi_bits(d, 1) + mi_bits(d, 2) - mi_bits(d, 3), 1e-9);
  ixp_pid_lattice_free(l);
}

Test(pid_props, identities_and_nonnegativity_on_random_joints) {
  unsigned seed = 7;
  for (int trial = 0; trial < 6; trial++) {
    int ns2[2] = {2 + trial % 2, 3};
    Dist d = random_dist(&seed, 2 + trial % 3, 2, ns2, trial % 2);
    for (int m = IXP_PID_IMIN; m <= IXP_PID_BROJA; m++) {
      double a[4];
      cr_assert_eq(run(&d, (IxpPidMeasure)m, a, NULL), IXP_PID_OK, "trial %d measure %d", trial, m);
      check_identities(&d, a, m == IXP_PID_IMIN || m == IXP_PID_IMMI || m == IXP_PID_BROJA, m);
    }
    int ns3[3] = {2, 2, 2};
    Dist e = random_dist(&seed, 2, 3, ns3, trial % 2);
    for (int m = IXP_PID_IMIN; m <= IXP_PID_ISX; m++) {
      double a[18];
      cr_assert_eq(run(&e, (IxpPidMeasure)m, a, NULL), IXP_PID_OK, "trial %d measure %d", trial, m);
      check_identities(&e, a, m == IXP_PID_IMIN, m);
    }
  }
}

Test(pid_props, four_and_five_sources) {
  unsigned seed = 3;
  int ns[5] = {2, 2, 2, 2, 2};
  Dist d = random_dist(&seed, 2, 4, ns, false);
  static double a[7579];
  for (int m = IXP_PID_IMIN; m <= IXP_PID_ISX; m++) {
    cr_assert_eq(run(&d, (IxpPidMeasure)m, a, NULL), IXP_PID_OK, "measure %d", m);
    check_identities(&d, a, m == IXP_PID_IMIN, m);
  }
  Dist e = random_dist(&seed, 2, 5, ns, false);
  for (int m = IXP_PID_IMIN; m <= IXP_PID_ISX; m++) {
    if (m == IXP_PID_ICCS) continue; /* 7579 maximum-entropy problems: covered up to 4 sources */
    cr_assert_eq(run(&e, (IxpPidMeasure)m, a, NULL), IXP_PID_OK, "measure %d", m);
    check_identities(&e, a, m == IXP_PID_IMIN, m);
  }
}

/* d with target values permuted by pt and source values by p1 / p2. */
static Dist relabel(const Dist *d, const int *pt, const int *p1, const int *p2) {
  Dist r = {.nt = d->nt, .n = 2, .ns = {d->ns[0], d->ns[1]}};
  int n1 = d->ns[0], n2 = d->ns[1];
  for (int t = 0; t < d->nt; t++)
    for (int a = 0; a < n1; a++)
      for (int b = 0; b < n2; b++) r.p[(pt[t] * n1 + p1[a]) * n2 + p2[b]] = d->p[(t * n1 + a) * n2 + b];
  return r;
}

Test(pid_props, invariant_to_relabelling_values) {
  unsigned seed = 11;
  int ns[2] = {3, 2};
  Dist d = random_dist(&seed, 3, 2, ns, true);
  Dist r = relabel(&d, (int[]){2, 0, 1}, (int[]){1, 2, 0}, (int[]){1, 0});
  for (int m = IXP_PID_IMIN; m <= IXP_PID_BROJA; m++) {
    double a[4], b[4];
    cr_assert_eq(run(&d, (IxpPidMeasure)m, a, NULL), IXP_PID_OK);
    cr_assert_eq(run(&r, (IxpPidMeasure)m, b, NULL), IXP_PID_OK);
    for (int i = 0; i < 4; i++) cr_expect_float_eq(a[i], b[i], 1e-7, "measure %d atom %d", m, i);
  }
}

Test(pid_props, swapping_sources_swaps_unique_atoms) {
  unsigned seed = 5;
  int ns[2] = {2, 3};
  Dist d = random_dist(&seed, 2, 2, ns, false);
  Dist s = {.nt = 2, .n = 2, .ns = {3, 2}};
  for (int t = 0; t < 2; t++)
    for (int a = 0; a < 2; a++)
      for (int b = 0; b < 3; b++) s.p[(t * 3 + b) * 2 + a] = d.p[(t * 2 + a) * 3 + b];
  for (int m = IXP_PID_IMIN; m <= IXP_PID_BROJA; m++) {
    double a[4], b[4];
    cr_assert_eq(run(&d, (IxpPidMeasure)m, a, NULL), IXP_PID_OK);
    cr_assert_eq(run(&s, (IxpPidMeasure)m, b, NULL), IXP_PID_OK);
    cr_expect_float_eq(a[0], b[0], 1e-7);
    cr_expect_float_eq(a[1], b[2], 1e-7);
    cr_expect_float_eq(a[2], b[1], 1e-7);
    cr_expect_float_eq(a[3], b[3], 1e-7);
  }
}

/* ------------------------------------------------------------------ broja */

Test(pid_broja, certificate_within_tolerance) {
  unsigned seed = 1;
  int ns[2] = {6, 5};
  for (int trial = 0; trial < 4; trial++) {
    Dist d = random_dist(&seed, 4, 2, ns, trial % 2);
    double a[4];
    IxpPidCertificate c;
    cr_assert_eq(run(&d, IXP_PID_BROJA, a, &c), IXP_PID_OK);
    cr_expect_leq(c.duality_gap, 1e-10);
    cr_expect_geq(c.duality_gap, -1e-12);
    cr_expect_leq(c.primal_infeasibility, 1e-10);
    cr_expect_leq(c.dual_infeasibility, 1e-6);
    cr_expect_gt(c.iterations, 0);
  }
}

Test(pid_broja, minimum_below_every_feasible_point) {
  /* the product q = p(t,s1) p(t,s2) / p(t) and p itself are in Delta_P */
  unsigned seed = 9;
  int ns[2] = {3, 3};
  Dist d = random_dist(&seed, 3, 2, ns, false);
  double m;
  IxpPidCertificate c;
  cr_assert_eq(ixp_pid_broja_min_mi(d.p, 3, 3, 3, 1e-10, &m, &c), IXP_PID_OK);
  cr_expect_leq(m / LN2, mi_bits(&d, 3) + 1e-10);
  cr_expect_geq(m / LN2, fmax(mi_bits(&d, 1), mi_bits(&d, 2)) - 1e-10);
}

Test(pid_broja, unreachable_tolerance_is_enoconverge) {
  Dist d = bivariate(AND, 4, 2, 2, 2);
  double m = -1;
  IxpPidCertificate c;
  cr_expect_eq(ixp_pid_broja_min_mi(d.p, 2, 2, 2, 1e-300, &m, &c), IXP_PID_ENOCONVERGE);
  cr_expect_eq(m, -1); /* not set */
  cr_expect_gt(c.iterations, 0);
  cr_expect_gt(c.duality_gap, 0);
  cr_expect_leq(c.duality_gap, 1e-10); /* the best certificate reached is reported */
}

/* ------------------------------------------------------------- validation */

Test(pid_input, rejected) {
  IxpPidLattice *l2 = NULL, *l3 = NULL;
  ixp_pid_lattice(2, &l2), ixp_pid_lattice(3, &l3);
  Dist d = bivariate(XOR, 4, 2, 2, 2);
  double a[18];
  IxpPidOptions o = {.measure = IXP_PID_IMIN};
  cr_expect_eq(ixp_pid(NULL, 2, 2, d.ns, l2, &o, a, NULL), IXP_PID_EINPUT);
  cr_expect_eq(ixp_pid(d.p, 0, 2, d.ns, l2, &o, a, NULL), IXP_PID_EINPUT);
  cr_expect_eq(ixp_pid(d.p, 2, 2, d.ns, l3, &o, a, NULL), IXP_PID_EINPUT);
  cr_expect_eq(ixp_pid(d.p, 2, 2, (int[]){0, 2}, l2, &o, a, NULL), IXP_PID_EINPUT);
  cr_expect_eq(ixp_pid(d.p, 2, 2, d.ns, l2, NULL, a, NULL), IXP_PID_EINPUT);
  Dist bad = d;
  bad.p[0] = -0.25, bad.p[1] += 0.5;
  cr_expect_eq(ixp_pid(bad.p, 2, 2, d.ns, l2, &o, a, NULL), IXP_PID_EINPUT);
  bad = d;
  bad.p[0] += 0.1;
  cr_expect_eq(ixp_pid(bad.p, 2, 2, d.ns, l2, &o, a, NULL), IXP_PID_EINPUT);
  bad = d;
  bad.p[0] = NAN;
  cr_expect_eq(ixp_pid(bad.p, 2, 2, d.ns, l2, &o, a, NULL), IXP_PID_EINPUT);
  o.measure = (IxpPidMeasure)99;
  cr_expect_eq(ixp_pid(d.p, 2, 2, d.ns, l2, &o, a, NULL), IXP_PID_EINPUT);
  o = (IxpPidOptions){.measure = IXP_PID_IMIN, .tol = -1};
  cr_expect_eq(ixp_pid(d.p, 2, 2, d.ns, l2, &o, a, NULL), IXP_PID_EINPUT);
  Dist t = trivariate(parity3, 2);
  o = (IxpPidOptions){.measure = IXP_PID_BROJA};
  cr_expect_eq(ixp_pid(t.p, 2, 3, t.ns, l3, &o, a, NULL), IXP_PID_ESOURCES);
  for (int s = IXP_PID_OK; s <= IXP_PID_ECHECK; s++) cr_expect_not_null(ixp_pid_status_text((IxpPidStatus)s));
  ixp_pid_lattice_free(l2), ixp_pid_lattice_free(l3);
}

/* ------------------------------------------------- iccs on larger alphabets */

/* The sum of two fair n-sided dice, t = a + b (t index 0 .. 2n - 2). */
static Dist dice_sum(int n) {
  Dist d = {.nt = 2 * n - 1, .n = 2, .ns = {n, n}};
  for (int a = 0; a < n; a++)
    for (int b = 0; b < n; b++) put(&d, a + b, (int[]){a, b}, 1.0 / (n * n));
  return d;
}

/* H(a + b) in bits for two fair n-sided dice: n_t = n - |t - (n - 1)| ways. */
static double dice_sum_entropy(int n) {
  double h = 0;
  for (int t = 0; t < 2 * n - 1; t++) {
    double q = (n - abs(t - (n - 1))) / (double)(n * n);
    h -= q * log2(q);
  }
  return h;
}

/* I_ccs of the dice sum in closed form: the constraints q(a, b) = p(a, b),
 * q(a, t) = p(a, t), q(b, t) = p(b, t) pin q = p (t = 2 and t = 2n - 2 fix
 * their cells, and each further sum follows), so the maximum-entropy
 * point is p itself, on the boundary of the cells the constraints allow.
 * Its local co-information is i(a;t) + i(b;t) - i(ab;t) = -log n_t <= 0
 * while i(ab;t) > 0: no term agrees in sign, the redundancy is 0, each
 * unique information is I(a;t) = H(t) - log2 n, and the synergy is
 * I(ab;t) - 2 I(a;t) = 2 log2 n - H(t). The interior-point solver used to
 * stop without an interior point to follow (alphabets of 6 and more). */
Test(pid_gates, iccs_dice_sum_is_closed_form) {
  for (int n = 6; n <= 8; n++) {
    Dist d = dice_sum(n);
    double h = dice_sum_entropy(n), u = h - log2(n);
    expect2(&d, IXP_PID_ICCS, 0, u, u, 2 * log2(n) - h, 1e-9);
  }
}

/* ------------------------------------------ broja on boundary optima */

/* BROJA's minimum of I_q(T; S1, S2) over Delta_P is at least
 * max(I(T;S1), I(T;S2)) (chain rule); where a q in Delta_P attains it,
 * one unique information is 0, the redundancy is that mutual information
 * and the optimum lies on the boundary (q = 0 somewhere). Checked to 1e-9
 * bits with the certificate at the default 1e-10 nats. */
static void expect_broja_boundary(const Dist *d, double rdn, double u1, double u2, double syn) {
  double a[4];
  IxpPidCertificate cert;
  IxpPidStatus st = run(d, IXP_PID_BROJA, a, &cert);
  cr_assert_eq(st, IXP_PID_OK, "%s (gap %g, primal infeasibility %g)", ixp_pid_status_text(st), cert.duality_gap,
               cert.primal_infeasibility);
  cr_expect_leq(cert.duality_gap, 1e-10);
  cr_expect_leq(cert.primal_infeasibility, 1e-10);
  const double want[4] = {rdn, u1, u2, syn};
  for (int i = 0; i < 4; i++) cr_expect_float_eq(a[i], want[i], 1e-9, "atom %d: %.12f, wanted %.12f", i, a[i], want[i]);
}

/* Rows (s1, s2, t) = (0,0,1), (0,1,0), (1,0,0), each 1/3: H(T) = h2(1/3),
 * H(T|S1) = 2/3 (S1 = 0: T uniform), so I(T;S1) = I(T;S2) = h2(1/3) - 2/3
 * and I(T;S1,S2) = h2(1/3). q(0,0,0) = q(0,1,1) = q(1,0,0) = 1/3 (t, s1, s2
 * order: the other diagonal for t = 0) is in Delta_P with
 * H_q(T | S1, S2) = 2/3, so it attains I(T;S1): no unique information. */
Test(pid_broja, three_row_table_has_no_unique_information) {
  static const char *const rows[] = {"001", "010", "100"};
  Dist d = bivariate(rows, 3, 2, 2, 2);
  double h = -(log2(1.0 / 3) / 3 + 2 * log2(2.0 / 3) / 3), i1 = h - 2.0 / 3;
  expect_broja_boundary(&d, i1, 0, 0, 2.0 / 3);
}

/* The sum of two fair n-sided dice: q(a, b, t) = p(a, t) [b = a] is in
 * Delta_P (sum_a p(a, t) [b = a] = p(b, t)) with T independent of S2 given
 * S1, so the minimum is I(T;S1) = H(T) - log2 n; I(T;S1,S2) = H(T) leaves a
 * synergy of log2 n. */
Test(pid_broja, dice_sum_has_no_unique_information) {
  for (int n = 6; n <= 7; n++) {
    Dist d = dice_sum(n);
    double h = dice_sum_entropy(n);
    expect_broja_boundary(&d, h - log2(n), 0, 0, log2(n));
  }
}
