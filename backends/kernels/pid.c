/* pid.c — partial information decomposition on the redundancy lattice of
 * Williams & Beer (2010), with the redundancy measures
 *
 *   imin   Williams & Beer 2010: I_min(T; A1..Ak) = sum_t p(t) min_i I(T = t; Ai),
 *          the specific information I(T = t; A) = sum_a p(a|t) log p(t|a)/p(t);
 *   immi   Barrett 2015: min_i I(T; Ai);
 *   iccs   Ince 2017: pointwise co-information of A1..Ak and T, counted only where
 *          it agrees in sign with every I(ai; t) and with I(a1..ak; t), averaged over
 *          the maximum-entropy distribution that keeps p(a1..ak) and every p(ai, t)
 *          (as in the paper and in dit's PID_CCS);
 *   isx    Makkeh, Gutknecht & Wibral 2021: log P(t | a1 or .. or ak) / P(t), the
 *          "or" the union of the events {A_i = a_i}, averaged over p(t, s);
 *   broja  Bertschinger, Rauh, Olbrich, Jost & Ay 2014, two sources (broja.c).
 *
 * Atoms come from the redundancies by Möbius inversion over the lattice:
 * atom(a) = R(a) - sum of the atoms strictly below a, in topological order.
 *
 * Checks (every measure): the atoms sum to I(S1..Sn; T) (the top antichain
 * {1..n} has R = I(S; T)); for each source the atoms below {i} sum to
 * I(Si; T) (self-redundancy R({i}) = I(Si; T)); for two sources redundancy
 * minus synergy equals the co-information I(S1;T) + I(S2;T) - I(S1,S2;T).
 * All three hold exactly for the five measures here (the third follows
 * from the first two), so each is checked for each, against mutual
 * informations computed directly from p. Non-negativity of every atom is
 * checked where it is a theorem: imin (Williams & Beer, any n), immi (two
 * sources), broja (two sources). A violation beyond check_tol is
 * IXP_PID_ECHECK. */
#include "pid.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "blis/dense.h"
#include "broja.h"
#include "grow.h"

#define MAX_SOURCES 5
#define MAX_CELLS ((size_t)1 << 28)
#define SIGN_EPS 1e-9
#define PIN_TOL 1e-14          /* a row whose fixed cells reach its total within this forces its others to 0 */

/* Offset of element (i, j) of a row-major matrix with rows of n elements
 * (all three non-negative). */
/* See pid.h. */
const char *ixp_pid_status_text(IxpPidStatus s) {
  switch (s) {
  case IXP_PID_OK: return "ok";
  case IXP_PID_ENOMEM: return "out of memory";
  case IXP_PID_EINPUT: return "invalid input (sizes, probabilities or options)";
  case IXP_PID_ESOURCES: return "unsupported number of sources for this measure";
  case IXP_PID_ENOCONVERGE: return "the solver did not reach its tolerance";
  case IXP_PID_ECHECK: return "the atoms fail the consistency identities";
  }
  return "unknown status";
}

/* ------------------------------------------------------------------ lattice */

/* Generator state: antichains found so far, as lists of subset masks. */
typedef struct {
  int n, count, cap;
  uint32_t up[32], cmp[32];  /* up[A]: masks B >= A (as bits); cmp[A]: masks comparable with A */
  uint32_t *sets;            /* cap * 10 */
  int *len;
  uint32_t *upset;           /* the up-set of each antichain, a bit per subset */
  bool failed;
} Gen;

/* Record the antichain chosen[0..depth). */
static void gen_emit(Gen *g, const uint32_t *chosen, int depth) {
  int scap = g->cap, ucap = g->cap;  /* the three arrays share cap */
  if (!ixp_grow(&g->sets, &scap, g->count + 1, 10 * sizeof *g->sets) ||
      !ixp_grow(&g->upset, &ucap, g->count + 1, sizeof *g->upset) ||
      !ixp_grow(&g->len, &g->cap, g->count + 1, sizeof *g->len)) {
    g->failed = true;
    return;
  }
  uint32_t up = 0;
  for (int i = 0; i < depth; i++) g->sets[ixp_dense_at(g->count, 10, i)] = chosen[i], up |= g->up[chosen[i]];
  g->len[g->count] = depth;
  g->upset[g->count++] = up;
}

/* Depth-first enumeration: extend chosen[0..depth) by each allowed subset
 * from `from` on (allowed: incomparable with every chosen one). */
static void gen_walk(Gen *g, uint32_t *chosen, int depth, uint32_t from, uint32_t allowed) {
  for (uint32_t a = from; a < (1u << g->n) && !g->failed; a++) {
    if (!(allowed >> a & 1)) continue;
    chosen[depth] = a;
    gen_emit(g, chosen, depth + 1);
    gen_walk(g, chosen, depth + 1, a + 1, allowed & ~g->cmp[a]);
  }
}

/* Order of subsets inside an antichain's name: by size, then by their
 * elements lexicographically ({1} < {2} < {12} < {13} < {23}). */
static int subset_before(uint32_t a, uint32_t b) {
  int pa = __builtin_popcount(a), pb = __builtin_popcount(b);
  if (pa != pb) return pa < pb ? -1 : 1;
  uint32_t d = a ^ b;
  if (!d) return 0;
  return (a >> __builtin_ctz(d) & 1) ? -1 : 1;
}

/* Sort key of an antichain: larger up-set first (a linear extension of the
 * order), then its subsets in name order. */
typedef struct {
  int pc, idx;
  uint64_t code;
} Key;

/* qsort comparator of Keys. */
static int key_cmp(const void *x, const void *y) {
  const Key *a = x, *b = y;
  if (a->pc != b->pc) return a->pc > b->pc ? -1 : 1;
  if (a->code != b->code) return a->code < b->code ? -1 : 1;
  return 0;
}

/* Sort the subsets of antichain i into name order; returns its key code
 * (6 bits per subset rank, most significant first). */
static uint64_t gen_canon(Gen *g, int i, const int *rank) {
  uint32_t *s = g->sets + (size_t)i * 10;
  int n = g->len[i];
  for (int a = 1; a < n; a++)
    for (int b = a; b > 0 && subset_before(s[b], s[b - 1]) < 0; b--) {
      uint32_t t = s[b];
      s[b] = s[b - 1], s[b - 1] = t;
    }
  uint64_t code = 0;
  for (int a = 0; a < n; a++) code |= (uint64_t)(rank[s[a]] + 1) << (54 - 6 * a);
  return code;
}

/* Up-sets and comparability masks of the subsets of n sources. */
static void gen_init(Gen *g, int n) {
  g->n = n;
  uint32_t M = 1u << n;
  for (uint32_t a = 1; a < M; a++) {
    g->up[a] = g->cmp[a] = 0;
    for (uint32_t b = 1; b < M; b++) {
      if ((a & b) == a) g->up[a] |= 1u << b;
      if ((a & b) == a || (a & b) == b) g->cmp[a] |= 1u << b;
    }
  }
}

/* Fill the lattice arrays from the sorted generator output. */
static IxpPidStatus lattice_fill(IxpPidLattice *l, Gen *g, const Key *key) {
  int na = g->count;
  size_t nsets = 0, npairs = 0;
  for (int i = 0; i < na; i++) nsets += (size_t)g->len[i];
  uint32_t *up = malloc((size_t)na * sizeof *up);
  l->offset = malloc(((size_t)na + 1) * sizeof(int));
  l->sets = malloc(nsets * sizeof(uint32_t));
  l->below_offset = malloc(((size_t)na + 1) * sizeof(int));
  if (!up || !l->offset || !l->sets || !l->below_offset) return free(up), IXP_PID_ENOMEM;
  l->offset[0] = 0;
  for (int a = 0; a < na; a++) {
    int src = key[a].idx;
    up[a] = g->upset[src];
    memcpy(l->sets + l->offset[a], g->sets + (size_t)src * 10, (size_t)g->len[src] * sizeof(uint32_t));
    l->offset[a + 1] = l->offset[a] + g->len[src];
  }
  /* b <= a iff every set of a contains a set of b iff up(a) is inside up(b) */
  for (int a = 0; a < na; a++)
    for (int b = 0; b <= a; b++) npairs += (up[a] & ~up[b]) == 0;
  l->below = malloc(npairs * sizeof(int));
  if (!l->below) return free(up), IXP_PID_ENOMEM;
  size_t k = 0;
  for (int a = 0; a < na; a++) {
    l->below_offset[a] = (int)k;
    for (int b = 0; b <= a; b++)
      if ((up[a] & ~up[b]) == 0) l->below[k++] = b;
  }
  l->below_offset[na] = (int)k;
  free(up);
  return IXP_PID_OK;
}

/* See pid.h. Sources 1..5 (the 6-source lattice has 7828352 antichains,
 * whose order relation would not fit in memory). */
IxpPidStatus ixp_pid_lattice(int nsources, IxpPidLattice **out) {
  if (!out) return IXP_PID_EINPUT;
  *out = NULL;
  if (nsources < 1) return IXP_PID_EINPUT;
  if (nsources > MAX_SOURCES) return IXP_PID_ESOURCES;
  Gen g = {0};
  gen_init(&g, nsources);
  uint32_t chosen[16];
  uint32_t every = nsources == 5 ? 0xffffffffu : (1u << (1u << nsources)) - 1; /* a bit per subset */
  gen_walk(&g, chosen, 0, 1, every & ~1u);
  IxpPidLattice *l = calloc(1, sizeof *l);
  Key *key = malloc((size_t)(g.count + 1) * sizeof *key);
  IxpPidStatus st = IXP_PID_ENOMEM;
  if (!g.failed && l && key) {
    int rank[32] = {0};
    for (uint32_t a = 1; a < (1u << nsources); a++)
      for (uint32_t b = 1; b < (1u << nsources); b++) rank[a] += subset_before(b, a) < 0;
    for (int i = 0; i < g.count; i++)
      key[i] = (Key){.pc = __builtin_popcount(g.upset[i]), .idx = i, .code = gen_canon(&g, i, rank)};
    qsort(key, (size_t)g.count, sizeof *key, key_cmp);
    l->nsources = nsources, l->natoms = g.count;
    st = lattice_fill(l, &g, key);
  }
  free(key), free(g.sets), free(g.len), free(g.upset);
  if (st != IXP_PID_OK) {
    ixp_pid_lattice_free(l);
    return st;
  }
  *out = l;
  return IXP_PID_OK;
}

/* See pid.h. */
void ixp_pid_lattice_free(IxpPidLattice *l) {
  if (!l) return;
  free(l->offset), free(l->sets), free(l->below_offset), free(l->below);
  free(l);
}

/* See pid.h. */
void ixp_pid_atom_name(const IxpPidLattice *l, int a, char *buf, int size) {
  if (!buf || size <= 0) return;
  buf[0] = 0;
  if (!l || a < 0 || a >= l->natoms) return;
  int k = 0;
  for (int i = l->offset[a]; i < l->offset[a + 1]; i++) {
    if (k < size - 1) buf[k++] = '{';
    for (int s = 0; s < l->nsources; s++)
      if ((l->sets[i] >> s & 1) && k < size - 1) buf[k++] = (char)('1' + s);
    if (k < size - 1) buf[k++] = '}';
  }
  buf[k] = 0;
}

/* The atom whose antichain is the single set `mask`, or -1. */
static int atom_of_set(const IxpPidLattice *l, uint32_t mask) {
  for (int a = 0; a < l->natoms; a++)
    if (l->offset[a + 1] - l->offset[a] == 1 && l->sets[l->offset[a]] == mask) return a;
  return -1;
}

/* The up-set (bit per subset) of antichain a. */
static uint32_t atom_upset(const IxpPidLattice *l, int a) {
  uint32_t up = 0;
  for (int i = l->offset[a]; i < l->offset[a + 1]; i++)
    for (uint32_t b = 1; b < (1u << l->nsources); b++)
      if ((l->sets[i] & b) == l->sets[i]) up |= 1u << b;
  return up;
}

/* -------------------------------------------------------------- the joint */

/* The joint with its marginals on every subset A of the sources. */
typedef struct {
  int n, nt;
  const int *ns;
  size_t S;
  const double *p;
  double *pt;
  size_t size[32];    /* number of values of S_A */
  int *idx[32];       /* idx[A][s]: index of s restricted to A */
  double *pa[32];     /* p(a) */
  double *pta[32];    /* p(t, a), nt * size[A] */
  double mi[32];      /* I(T; S_A) */
} Joint;

/* Free the marginals of a joint. */
static void joint_free(Joint *J) {
  free(J->pt);
  for (int A = 0; A < 32; A++) free(J->idx[A]), free(J->pa[A]), free(J->pta[A]);
}

/* Index of source configuration s restricted to the subset A (mixed radix,
 * lowest-numbered source most significant). */
static int restrict_index(const Joint *J, size_t s, uint32_t A) {
  size_t stride = J->S, a = 0;
  for (int i = 0; i < J->n; i++) {
    stride /= (size_t)J->ns[i];
    size_t digit = s / stride % (size_t)J->ns[i];
    if (A >> i & 1) a = a * (size_t)J->ns[i] + digit;
  }
  return (int)a;
}

/* I(T; S_A) from the marginal tables. */
static double joint_mi(const Joint *J, uint32_t A) {
  double mi = 0;
  size_t na = J->size[A];
  for (int t = 0; t < J->nt; t++)
    for (size_t a = 0; a < na; a++) {
      double q = J->pta[A][(size_t)t * na + a];
      if (q > 0) mi += q * log(q / (J->pt[t] * J->pa[A][a]));
    }
  return mi > 0 ? mi : 0;
}

/* Marginals of every subset (2^n tables). */
static IxpPidStatus joint_build(Joint *J) {
  uint32_t M = 1u << J->n;
  J->pt = calloc((size_t)J->nt, sizeof(double));
  if (!J->pt) return IXP_PID_ENOMEM;
  for (int t = 0; t < J->nt; t++)
    for (size_t s = 0; s < J->S; s++) J->pt[t] += J->p[(size_t)t * J->S + s];
  for (uint32_t A = 0; A < M; A++) {
    size_t na = 1;
    for (int i = 0; i < J->n; i++)
      if (A >> i & 1) na *= (size_t)J->ns[i];
    J->size[A] = na;
    J->idx[A] = malloc(J->S * sizeof(int));
    J->pa[A] = calloc(na, sizeof(double));
    J->pta[A] = calloc((size_t)J->nt * na, sizeof(double));
    if (!J->idx[A] || !J->pa[A] || !J->pta[A]) return IXP_PID_ENOMEM;
    for (size_t s = 0; s < J->S; s++) J->idx[A][s] = restrict_index(J, s, A);
    for (int t = 0; t < J->nt; t++)
      for (size_t s = 0; s < J->S; s++) {
        double q = J->p[(size_t)t * J->S + s];
        J->pta[A][(size_t)t * na + (size_t)J->idx[A][s]] += q;
        J->pa[A][J->idx[A][s]] += q;
      }
    J->mi[A] = joint_mi(J, A);
  }
  return IXP_PID_OK;
}

/* ------------------------------------------------------------------ imin */

/* R_min of every antichain: sum_t p(t) min over its sets of I(T = t; A). */
static IxpPidStatus redundancy_imin(const Joint *J, const IxpPidLattice *l, double *R) {
  uint32_t M = 1u << J->n;
  double *spec = calloc((size_t)M * (size_t)J->nt, sizeof(double));
  if (!spec) return IXP_PID_ENOMEM;
  for (uint32_t A = 1; A < M; A++)
    for (int t = 0; t < J->nt; t++) {
      if (!(J->pt[t] > 0)) continue;
      double s = 0;
      for (size_t a = 0; a < J->size[A]; a++) {
        double q = J->pta[A][(size_t)t * J->size[A] + a];
        if (q > 0) s += q * log(q / (J->pt[t] * J->pa[A][a]));
      }
      spec[(size_t)A * (size_t)J->nt + (size_t)t] = s / J->pt[t];
    }
  for (int a = 0; a < l->natoms; a++) {
    double r = 0;
    for (int t = 0; t < J->nt; t++) {
      double mn = INFINITY;
      for (int i = l->offset[a]; i < l->offset[a + 1]; i++) mn = fmin(mn, spec[(size_t)l->sets[i] * (size_t)J->nt + (size_t)t]);
      r += J->pt[t] * mn;
    }
    R[a] = r;
  }
  free(spec);
  return IXP_PID_OK;
}

/* ------------------------------------------------------------------ immi */

/* R_MMI of every antichain: the least I(T; A) over its sets. */
static void redundancy_immi(const Joint *J, const IxpPidLattice *l, double *R) {
  for (int a = 0; a < l->natoms; a++) {
    double mn = INFINITY;
    for (int i = l->offset[a]; i < l->offset[a + 1]; i++) mn = fmin(mn, J->mi[l->sets[i]]);
    R[a] = mn;
  }
}

/* ------------------------------------------------------------------- isx */

/* f[m] = sum over B containing m of (-1)^{|B|-|m|} g[B] in place: from the
 * probabilities of agreeing with s on at least B, those of agreeing on
 * exactly m. */
static void superset_mobius(double *f, int n) {
  for (int i = 0; i < n; i++)
    for (uint32_t m = 0; m < (1u << n); m++)
      if (!(m >> i & 1)) f[m] -= f[m | 1u << i];
}

/* R_sx of every antichain: sum_{t,s} p(t, s) log P(t, U) / (P(t) P(U)) with
 * U the union of the events {S_A = s_A}, A in the antichain. P(U) sums the
 * probabilities of "agreeing with s on exactly m" over the m in the
 * antichain's up-set. */
static IxpPidStatus redundancy_isx(const Joint *J, const IxpPidLattice *l, double *R) {
  uint32_t M = 1u << J->n;
  size_t cells = 0;
  for (size_t k = 0; k < (size_t)J->nt * J->S; k++) cells += J->p[k] > 0;
  double *ws = malloc(cells * M * sizeof(double)), *wt = malloc(cells * M * sizeof(double));
  double *w = malloc(cells * sizeof(double) + 1), *lpt = malloc(cells * sizeof(double) + 1);
  uint32_t *up = malloc((size_t)l->natoms * sizeof(uint32_t));
  IxpPidStatus st = IXP_PID_ENOMEM;
  if (!ws || !wt || !w || !lpt || !up) goto out;
  size_t c = 0;
  for (int t = 0; t < J->nt; t++)
    for (size_t s = 0; s < J->S; s++) {
      double q = J->p[(size_t)t * J->S + s];
      if (!(q > 0)) continue;
      double *fs = ws + c * M, *ft = wt + c * M;
      for (uint32_t B = 0; B < M; B++) {
        size_t b = (size_t)J->idx[B][s];
        fs[B] = J->pa[B][b];
        ft[B] = J->pta[B][(size_t)t * J->size[B] + b];
      }
      superset_mobius(fs, J->n), superset_mobius(ft, J->n);
      w[c] = q, lpt[c++] = log(J->pt[t]);
    }
  for (int a = 0; a < l->natoms; a++) up[a] = atom_upset(l, a);
  for (int a = 0; a < l->natoms; a++) {
    double r = 0;
    for (size_t k = 0; k < cells; k++) {
      const double *fs = ws + k * M, *ft = wt + k * M;
      double pu = 0, ptu = 0;
      for (uint32_t bits = up[a]; bits; bits &= bits - 1) {
        int m = __builtin_ctz(bits);
        pu += fs[m], ptu += ft[m];
      }
      r += w[k] * (log(ptu) - log(pu) - lpt[k]);
    }
    R[a] = r;
  }
  st = IXP_PID_OK;
out:
  free(ws), free(wt), free(w), free(lpt), free(up);
  return st;
}

/* ---------------------------------------------------- maximum entropy (iccs) */

/* max H(q) subject to A q = b, q >= 0, for 0/1 constraint rows: every cell
 * lies in `per` rows (rows[j * per + k], -1 for a row dropped as dependent). */
typedef struct {
  int n, m, per;
  int *rows;
  double *b, *x, *dx, *g, *u, *tan, *e, *f, *nu, *K, *tmp;
} Maxent;

/* Free the arrays of a maximum-entropy problem. */
static void maxent_free(Maxent *P) {
  free(P->rows), free(P->b), free(P->x), free(P->dx), free(P->g), free(P->u), free(P->tan);
  free(P->e), free(P->f), free(P->nu), free(P->K), free(P->tmp);
}

/* Drop rows that depend on earlier ones (Gram–Schmidt on the rows of A,
 * through an incremental Cholesky of A A^T) and renumber the rest. */
static void maxent_independent(Maxent *P) {
  int m = P->m, kept = 0;
  double *G = calloc((size_t)m * (size_t)m + 1, sizeof(double)), *L = calloc((size_t)m * (size_t)m + 1, sizeof(double));
  int *map = malloc((size_t)m * sizeof(int) + 1), *keep = malloc((size_t)m * sizeof(int) + 1);
  if (!G || !L || !map || !keep) goto out;
  for (int j = 0; j < P->n; j++)
    for (int a = 0; a < P->per; a++)
      for (int b = 0; b < P->per; b++) G[ixp_dense_at(P->rows[j * P->per + a], m, P->rows[j * P->per + b])] += 1;
  for (int r = 0; r < m; r++) {
    double *lr = L + ixp_dense_at(kept, m, 0);
    for (int k = 0; k < kept; k++) lr[k] = G[ixp_dense_at(r, m, keep[k])];
    double piv = ixp_dense_chol_border(L, kept, m, lr, G[ixp_dense_at(r, m, r)]);
    if (piv > 1e-9 * G[ixp_dense_at(r, m, r)]) {
      lr[kept] = sqrt(piv);
      map[r] = kept, keep[kept++] = r;
    } else {
      map[r] = -1;
    }
  }
  for (int r = 0; r < m; r++)
    if (map[r] >= 0) P->b[map[r]] = P->b[r];
  for (int j = 0; j < P->n * P->per; j++) P->rows[j] = map[P->rows[j]];
  P->m = kept;
out:
  free(G), free(L), free(map), free(keep);
}

/* e = A x + step A d - b over the kept rows (d may be NULL). */
static double maxent_residual(const Maxent *P, const double *d, double step, double *e) {
  double worst = 0;
  for (int i = 0; i < P->m; i++) e[i] = -P->b[i];
  for (int j = 0; j < P->n; j++)
    for (int k = 0; k < P->per; k++) {
      int r = P->rows[j * P->per + k];
      if (r >= 0) e[r] += P->x[j] + (d ? step * d[j] : 0);
    }
  for (int i = 0; i < P->m; i++) worst = fmax(worst, fabs(e[i]));
  return worst;
}

/* Factor K = A diag(u) A^T at (x, tau), u = 1 / (tau/x + 1/x^2). */
static void maxent_factor(Maxent *P, double tau) {
  int m = P->m;
  memset(P->K, 0, ixp_dense_at(m, m, 0) * sizeof(double));
  for (int j = 0; j < P->n; j++) {
    double x = P->x[j];
    P->u[j] = x * x / (tau * x + 1);
    for (int a = 0; a < P->per; a++) {
      int ra = P->rows[j * P->per + a];
      if (ra < 0) continue;
      for (int b = 0; b < P->per; b++) {
        int rb = P->rows[j * P->per + b];
        if (rb >= 0 && rb <= ra) P->K[ixp_dense_at(ra, m, rb)] += P->u[j];
      }
    }
  }
  /* a pivot rounding has made tiny is replaced by a huge one (zeroing that direction) */
  ixp_dense_chol_regularised(P->K, m, m, 1e-30, 1e64);
}

/* out = -diag(u) (v + A^T e) for the row vector e. */
static void maxent_back(const Maxent *P, const double *v, const double *e, double *out) {
  for (int j = 0; j < P->n; j++) {
    double s = v[j];
    for (int k = 0; k < P->per; k++) {
      int r = P->rows[j * P->per + k];
      if (r >= 0) s += e[r];
    }
    out[j] = -P->u[j] * s;
  }
}

/* Solve diag(1/u) d + A^T e = -v, A d = b - A x (or 0 for a tangent) with
 * one step of iterative refinement; d to out, e to P->e. */
static void maxent_kkt(Maxent *P, const double *v, bool tangent, double *out) {
  int m = P->m;
  for (int j = 0; j < P->n; j++) P->tmp[j] = (tangent ? 0 : P->x[j]) - P->u[j] * v[j];
  for (int i = 0; i < m; i++) P->e[i] = tangent ? 0 : -P->b[i];
  for (int j = 0; j < P->n; j++)
    for (int k = 0; k < P->per; k++)
      if (P->rows[j * P->per + k] >= 0) P->e[P->rows[j * P->per + k]] += P->tmp[j];
  ixp_dense_chol_solve(P->K, m, m, P->e, IXP_TRI_COLUMN);
  maxent_back(P, v, P->e, out);
  for (int i = 0; i < m; i++) P->f[i] = tangent ? 0 : -P->b[i];
  for (int j = 0; j < P->n; j++)
    for (int k = 0; k < P->per; k++)
      if (P->rows[j * P->per + k] >= 0) P->f[P->rows[j * P->per + k]] += (tangent ? 0 : P->x[j]) + out[j];
  ixp_dense_chol_solve(P->K, m, m, P->f, IXP_TRI_COLUMN);
  for (int i = 0; i < m; i++) P->e[i] += P->f[i];
  maxent_back(P, v, P->e, out);
}

/* Phi(x + a dx) - Phi(x) for Phi = tau sum x log x - sum log x, term by term. */
static double maxent_change(const Maxent *P, double tau, double a) {
  double d = 0;
  for (int j = 0; j < P->n; j++) {
    double x = P->x[j], s = a * P->dx[j], l = log1p(s / x);
    d += tau * (s * log(x + s) + x * l) - l;
  }
  return d;
}

/* One Newton step of Phi_tau (infeasible start: it also restores A x = b);
 * returns the squared decrement. */
static double maxent_newton(Maxent *P, double tau) {
  bool feasible = maxent_residual(P, NULL, 0, P->f) <= 1e-14;
  maxent_factor(P, tau);
  for (int j = 0; j < P->n; j++) {
    double s = tau * (log(P->x[j]) + 1) - 1 / P->x[j];
    for (int k = 0; k < P->per; k++)
      if (P->rows[j * P->per + k] >= 0) s += P->nu[P->rows[j * P->per + k]];
    P->g[j] = s;
  }
  maxent_kkt(P, P->g, false, P->dx);
  for (int i = 0; i < P->m; i++) P->nu[i] += P->e[i];
  double lam2 = 0, a = 1, amax = INFINITY;
  for (int j = 0; j < P->n; j++) {
    lam2 += P->dx[j] * P->dx[j] / P->u[j];
    if (P->dx[j] < 0) amax = fmin(amax, -P->x[j] / P->dx[j]);
  }
  if (a > 0.99 * amax) a = 0.99 * amax;
  if (feasible && lam2 > 0.1)
    while (a > 1e-12 && !(maxent_change(P, tau, a) <= -0.01 * a * lam2)) a *= 0.5;
  for (int j = 0; j < P->n; j++) P->x[j] += a * P->dx[j];
  return lam2;
}

/* Path following for the maximum-entropy point: centre, step tau up by 10
 * along the (multiplicative) tangent, until the barrier gap n/tau is below
 * 1e-15 and the rows hold to 1e-14. Returns false if that fails. */
static bool maxent_run(Maxent *P) {
  double tau = P->n, growth = 10;
  int newton = 0;
  for (int outer = 0; outer < 100 && newton < 2000; outer++) {
    for (int inner = 0; inner < 50 && newton < 2000; inner++, newton++) {
      double lam2 = maxent_newton(P, tau);
      if (lam2 < 1e-6 && maxent_residual(P, NULL, 0, P->f) <= 1e-14) break;
    }
    if (P->n / tau < 1e-15 && maxent_residual(P, NULL, 0, P->f) <= 1e-14) return true;
    maxent_factor(P, tau);
    for (int j = 0; j < P->n; j++) P->g[j] = log(P->x[j]) + 1;
    maxent_kkt(P, P->g, true, P->tan);
    for (int j = 0; j < P->n; j++) {
      double rate = tau * P->tan[j] / P->x[j] * log(growth);
      P->x[j] *= exp(fmax(-1.5 * log(growth), fmin(1.5 * log(growth), rate)));
    }
    for (int i = 0; i < P->m; i++) P->nu[i] = growth * (P->nu[i] + tau * P->e[i]);
    tau *= growth;
  }
  return false;
}

/* ------------------------------------------------------------------- iccs */

/* One antichain's view: the union U of its sets, the cells (u, t) allowed
 * by the constraints, and projections of u onto subsets of U. */
typedef struct {
  uint32_t U;
  int k, nu;            /* sets in the antichain, values of S_U */
  uint32_t set[16];
  int *cell_u, *cell_t; /* per cell */
  int *proj[32];        /* proj[B][u] for B inside U: index of u restricted to B */
} Ccs;

/* Free an antichain view. */
static void ccs_free(Ccs *C) {
  free(C->cell_u), free(C->cell_t);
  for (int B = 0; B < 32; B++) free(C->proj[B]);
}

/* Index of the value of S_B (B inside U) for value u of S_U. */
static int ccs_restrict(const Joint *J, uint32_t U, int u, uint32_t B) {
  int stride = 1, b = 0, bstride = 1;
  for (int i = J->n - 1; i >= 0; i--) {
    if (!(U >> i & 1)) continue;
    int digit = u / stride % J->ns[i];
    stride *= J->ns[i];
    if (B >> i & 1) b += digit * bstride, bstride *= J->ns[i];
  }
  return b;
}

/* Coefficients of the local co-information of the antichain's sets and T
 * as a combination of local mutual informations i(s_B; t), B a union of
 * sets: coef[B] = sum over nonempty J with union B of (-1)^{|J|+1}. */
static void ccs_coefficients(const Ccs *C, int *coef) {
  memset(coef, 0, 32 * sizeof(int));
  for (uint32_t Jm = 1; Jm < (1u << C->k); Jm++) {
    uint32_t B = 0;
    for (int i = 0; i < C->k; i++)
      if (Jm >> i & 1) B |= C->set[i];
    coef[B] += (__builtin_popcount(Jm) & 1) ? 1 : -1;
  }
}

/* The rows as lists of cells (CSR): cells of row r are list[start[r] .. start[r+1]). */
typedef struct {
  int *start, *list;
  double *known;   /* per row: the sum of its fixed cells */
  int *open;       /* per row: how many of its cells are not fixed */
} RowCells;

static void rowcells_free(RowCells *R) { free(R->start), free(R->list), free(R->known), free(R->open); }

static bool rowcells_build(const Maxent *P, RowCells *R) {
  int m = P->m, per = P->per;
  R->start = calloc((size_t)m + 2, sizeof(int)), R->list = malloc(ixp_dense_at(P->n, per, 1) * sizeof(int));
  R->known = calloc((size_t)m + 1, sizeof(double)), R->open = calloc((size_t)m + 1, sizeof(int));
  if (!R->start || !R->list || !R->known || !R->open) return false;
  for (int j = 0; j < P->n * per; j++) R->start[P->rows[j] + 2]++;
  for (int r = 0; r < m; r++) R->start[r + 2] += R->start[r + 1];
  for (int j = 0; j < P->n; j++)
    for (int k = 0; k < per; k++) R->list[R->start[P->rows[j * per + k] + 1]++] = j;
  for (int r = 0; r < m; r++) R->open[r] = R->start[r + 1] - R->start[r];
  return true;
}

/* Fix cell j at v: its rows gain v and lose an open cell; they are queued. */
static void presolve_fix(const Maxent *P, RowCells *R, double *fixed, int j, double v, int *queue, int *nq,
                         bool *queued) {
  fixed[j] = v;
  for (int k = 0; k < P->per; k++) {
    int r = P->rows[j * P->per + k];
    R->known[r] += v, R->open[r]--;
    if (!queued[r]) queued[r] = true, queue[(*nq)++] = r;
  }
}

/* One row's deduction: its open cells are 0 when the fixed ones already
 * make its total, and a single open cell is the remainder. */
static void presolve_row(const Maxent *P, RowCells *R, double *fixed, int r, int *queue, int *nq, bool *queued) {
  double rest = P->b[r] - R->known[r];
  if (R->open[r] == 0 || (R->open[r] > 1 && rest > PIN_TOL)) return;
  for (int i = R->start[r]; i < R->start[r + 1]; i++) {
    int j = R->list[i];
    if (isnan(fixed[j])) presolve_fix(P, R, fixed, j, rest > PIN_TOL ? rest : 0, queue, nq, queued);
  }
}

/* Facial reduction by propagation: the cells that every feasible point
 * sets to 0 are removed, since the maximum-entropy point, in the relative
 * interior of the feasible set, is 0 there too, and a barrier method has no
 * interior point to follow while they remain (the sum of two dice pins
 * every cell). A row whose open cells must sum to 0 (within PIN_TOL) sets
 * them to 0; a row with one open cell sets it to the remainder; repeated
 * until no row changes. Cells that stay open, or are pinned positive, are
 * kept. The rows still index the original numbering. */
static IxpPidStatus maxent_presolve(Maxent *P, Ccs *C) {
  RowCells R = {0};
  double *fixed = malloc(((size_t)P->n + 1) * sizeof(double));
  int *queue = malloc(((size_t)P->m + 1) * sizeof(int)), nq = 0;
  bool *queued = calloc((size_t)P->m + 1, sizeof(bool));
  IxpPidStatus st = IXP_PID_ENOMEM;
  if (!fixed || !queue || !queued || !rowcells_build(P, &R)) goto out;
  for (int j = 0; j < P->n; j++) fixed[j] = NAN;
  for (int r = 0; r < P->m; r++) queued[r] = true, queue[nq++] = r;
  while (nq > 0) {
    int r = queue[--nq];
    queued[r] = false;
    presolve_row(P, &R, fixed, r, queue, &nq, queued);
  }
  int kept = 0;
  for (int j = 0; j < P->n; j++) {
    if (fixed[j] == 0) continue;
    C->cell_u[kept] = C->cell_u[j], C->cell_t[kept] = C->cell_t[j];
    memmove(P->rows + ixp_dense_at(kept, P->per, 0), P->rows + ixp_dense_at(j, P->per, 0), (size_t)P->per * sizeof(int));
    kept++;
  }
  P->n = kept;
  st = IXP_PID_OK;
out:
  rowcells_free(&R), free(fixed), free(queue), free(queued);
  return st;
}

/* Build the maximum-entropy problem of the antichain: cells (u, t) with
 * p(u) > 0 and p(a_i, t) > 0 for every set; rows p(u) and every p(a_i, t). */
static IxpPidStatus ccs_setup(const Joint *J, Ccs *C, Maxent *P) {
  int per = C->k + 1, nt = J->nt;
  for (uint32_t B = 1; B < 32; B++) {
    if ((B & C->U) != B) continue;
    C->proj[B] = malloc((size_t)C->nu * sizeof(int) + 1);
    if (!C->proj[B]) return IXP_PID_ENOMEM;
    for (int u = 0; u < C->nu; u++) C->proj[B][u] = ccs_restrict(J, C->U, u, B);
  }
  int rowbase[17], m = C->nu, n = 0;
  for (int i = 0; i < C->k; i++) rowbase[i] = m, m += (int)J->size[C->set[i]] * nt;
  C->cell_u = malloc(ixp_dense_at(C->nu, nt, 0) * sizeof(int) + 1), C->cell_t = malloc(ixp_dense_at(C->nu, nt, 0) * sizeof(int) + 1);
  P->rows = malloc(ixp_dense_at(C->nu, nt, 0) * (size_t)per * sizeof(int) + 1);
  P->b = calloc((size_t)m + 1, sizeof(double));
  if (!C->cell_u || !C->cell_t || !P->rows || !P->b) return IXP_PID_ENOMEM;
  const double *pu = J->pa[C->U];
  for (int u = 0; u < C->nu; u++) {
    if (!(pu[u] > 0)) continue;
    for (int t = 0; t < nt; t++) {
      bool ok = true;
      for (int i = 0; i < C->k && ok; i++) {
        uint32_t A = C->set[i];
        ok = J->pta[A][(size_t)t * J->size[A] + (size_t)C->proj[A][u]] > 0;
      }
      if (!ok) continue;
      C->cell_u[n] = u, C->cell_t[n] = t;
      P->rows[n * per] = u;
      for (int i = 0; i < C->k; i++) P->rows[n * per + 1 + i] = rowbase[i] + t * (int)J->size[C->set[i]] + C->proj[C->set[i]][u];
      n++;
    }
  }
  for (int u = 0; u < C->nu; u++) P->b[u] = pu[u];
  for (int i = 0; i < C->k; i++)
    memcpy(P->b + rowbase[i], J->pta[C->set[i]], J->size[C->set[i]] * (size_t)nt * sizeof(double));
  P->n = n, P->m = m, P->per = per;
  IxpPidStatus st = maxent_presolve(P, C);
  if (st != IXP_PID_OK) return st;
  n = P->n;
  /* rows with no cell (zero right-hand side) are dependent: dropped below */
  maxent_independent(P);
  size_t N = (size_t)n + 1, M = (size_t)P->m + 1;
  P->x = malloc(N * sizeof(double)), P->dx = malloc(N * sizeof(double)), P->g = malloc(N * sizeof(double));
  P->u = malloc(N * sizeof(double)), P->tan = malloc(N * sizeof(double)), P->tmp = malloc(N * sizeof(double));
  P->e = calloc(M, sizeof(double)), P->f = calloc(M, sizeof(double)), P->nu = calloc(M, sizeof(double));
  P->K = malloc(M * M * sizeof(double));
  if (!P->x || !P->dx || !P->g || !P->u || !P->tan || !P->tmp || !P->e || !P->f || !P->nu || !P->K) return IXP_PID_ENOMEM;
  int *cnt = calloc((size_t)C->nu + 1, sizeof(int));
  if (!cnt) return IXP_PID_ENOMEM;
  for (int j = 0; j < n; j++) cnt[C->cell_u[j]]++;
  for (int j = 0; j < n; j++) P->x[j] = pu[C->cell_u[j]] / cnt[C->cell_u[j]];
  free(cnt);
  return IXP_PID_OK;
}

/* Sign with a dead zone for values that are zero up to rounding. */
static int sign_of(double v) { return v > SIGN_EPS ? 1 : v < -SIGN_EPS ? -1 : 0; }

/* The I_ccs sum over the maximum-entropy cells: local co-information,
 * kept where its sign equals that of every i(a_i; t) and of i(a_1..a_k; t). */
static IxpPidStatus ccs_sum(const Joint *J, const Ccs *C, const Maxent *P, double *out) {
  int coef[32], nt = J->nt;
  ccs_coefficients(C, coef);
  double *marg[32] = {0};
  IxpPidStatus st = IXP_PID_ENOMEM;
  for (uint32_t B = 1; B < 32; B++) {
    bool is_set = false;
    for (int i = 0; i < C->k; i++) is_set |= C->set[i] == B;
    if ((B & C->U) != B || !(coef[B] || B == C->U || is_set)) continue;
    marg[B] = calloc(J->size[B] * (size_t)nt + 1, sizeof(double));
    if (!marg[B]) goto out;
    for (int j = 0; j < P->n; j++) marg[B][(size_t)C->cell_t[j] * J->size[B] + (size_t)C->proj[B][C->cell_u[j]]] += P->x[j];
  }
  double total = 0;
  for (int j = 0; j < P->n; j++) {
    int u = C->cell_u[j], t = C->cell_t[j];
    double loc[32] = {0}, co = 0;
    for (uint32_t B = 1; B < 32; B++) {
      if (!marg[B]) continue;
      int b = C->proj[B][u];
      loc[B] = log(marg[B][(size_t)t * J->size[B] + (size_t)b] / (J->pa[B][b] * J->pt[t]));
      co += coef[B] * loc[B];
    }
    int sg = sign_of(co);
    bool agree = sg != 0 && sign_of(loc[C->U]) == sg;
    for (int i = 0; i < C->k && agree; i++) agree = sign_of(loc[C->set[i]]) == sg;
    if (agree) total += P->x[j] * co;
  }
  *out = total;
  st = IXP_PID_OK;
out:
  for (int B = 0; B < 32; B++) free(marg[B]);
  return st;
}

/* R_ccs of one antichain of two or more sets. */
static IxpPidStatus ccs_one(const Joint *J, const IxpPidLattice *l, int a, double *r) {
  Ccs C = {.k = l->offset[a + 1] - l->offset[a]};
  Maxent P = {0};
  for (int i = 0; i < C.k; i++) C.set[i] = l->sets[l->offset[a] + i], C.U |= C.set[i];
  C.nu = (int)J->size[C.U];
  IxpPidStatus st = ccs_setup(J, &C, &P);
  if (st == IXP_PID_OK) st = maxent_run(&P) ? ccs_sum(J, &C, &P, r) : IXP_PID_ENOCONVERGE;
  ccs_free(&C);
  maxent_free(&P);
  return st;
}

/* R_ccs of every antichain (a single set: its mutual information). */
static IxpPidStatus redundancy_iccs(const Joint *J, const IxpPidLattice *l, double *R) {
  for (int a = 0; a < l->natoms; a++) {
    if (l->offset[a + 1] - l->offset[a] == 1) {
      R[a] = J->mi[l->sets[l->offset[a]]];
      continue;
    }
    IxpPidStatus st = ccs_one(J, l, a, &R[a]);
    if (st != IXP_PID_OK) return st;
  }
  return IXP_PID_OK;
}

/* ----------------------------------------------------------------- checks */

/* atoms[a] = R[a] - sum of atoms strictly below a (topological order). */
static void mobius(const IxpPidLattice *l, const double *R, double *atoms) {
  for (int a = 0; a < l->natoms; a++) {
    double s = R[a];
    for (int k = l->below_offset[a]; k < l->below_offset[a + 1]; k++)
      if (l->below[k] != a) s -= atoms[l->below[k]];
    atoms[a] = s;
  }
}

/* Sum of the atoms at or below atom a. */
static double downset_sum(const IxpPidLattice *l, const double *atoms, int a) {
  double s = 0;
  for (int k = l->below_offset[a]; k < l->below_offset[a + 1]; k++) s += atoms[l->below[k]];
  return s;
}

/* The identities of the header comment; mi[A] = I(T; S_A) from p. */
static IxpPidStatus check_atoms(const IxpPidLattice *l, const double *atoms, const double *mi, bool nonneg, double tol) {
  int n = l->nsources;
  uint32_t full = (1u << n) - 1;
  double total = 0;
  for (int a = 0; a < l->natoms; a++) {
    if (!isfinite(atoms[a])) return IXP_PID_ECHECK;
    if (nonneg && atoms[a] < -tol) return IXP_PID_ECHECK;
    total += atoms[a];
  }
  if (fabs(total - mi[full]) > tol) return IXP_PID_ECHECK;
  for (int i = 0; i < n; i++) {
    int a = atom_of_set(l, 1u << i);
    if (a < 0 || fabs(downset_sum(l, atoms, a) - mi[1u << i]) > tol) return IXP_PID_ECHECK;
  }
  if (n == 2) {
    int bottom = 0, top = atom_of_set(l, 3);
    if (fabs(atoms[bottom] - atoms[top] - (mi[1] + mi[2] - mi[3])) > tol) return IXP_PID_ECHECK;
  }
  return IXP_PID_OK;
}

/* ------------------------------------------------------------------ broja */

/* BROJA's atoms from one solve: with m = min_q I_q(T; S1, S2),
 * UI1 = m - I(T;S2), UI2 = m - I(T;S1), SI = I(T;S1) - UI1, CI = I(T;S1,S2) - m. */
static IxpPidStatus decompose_broja(const double *p, int nt, const int *ns, const IxpPidLattice *l, double tol,
                                    double check_tol, double *atoms, IxpPidCertificate *cert) {
  int n1 = ns[0], n2 = ns[1];
  double *pt = calloc((size_t)nt, sizeof(double)), *p1 = calloc(ixp_dense_at(nt, n1, 0), sizeof(double));
  double *p2 = calloc(ixp_dense_at(nt, n2, 0), sizeof(double)), *ps = calloc(ixp_dense_at(n1, n2, 0), sizeof(double));
  double *q1 = calloc((size_t)n1, sizeof(double)), *q2 = calloc((size_t)n2, sizeof(double));
  IxpPidCertificate local;
  IxpPidStatus st = IXP_PID_ENOMEM;
  if (!pt || !p1 || !p2 || !ps || !q1 || !q2) goto out;
  for (int t = 0; t < nt; t++)
    for (int a = 0; a < n1; a++)
      for (int b = 0; b < n2; b++) {
        double q = p[ixp_dense_at(t, n1, a) * (size_t)n2 + (size_t)b];
        pt[t] += q, p1[t * n1 + a] += q, p2[t * n2 + b] += q, ps[a * n2 + b] += q, q1[a] += q, q2[b] += q;
      }
  double mi[4] = {0};
  for (int t = 0; t < nt; t++) {
    for (int a = 0; a < n1; a++)
      if (p1[t * n1 + a] > 0) mi[1] += p1[t * n1 + a] * log(p1[t * n1 + a] / (pt[t] * q1[a]));
    for (int b = 0; b < n2; b++)
      if (p2[t * n2 + b] > 0) mi[2] += p2[t * n2 + b] * log(p2[t * n2 + b] / (pt[t] * q2[b]));
    for (int c = 0; c < n1 * n2; c++) {
      double q = p[ixp_dense_at(t, n1, 0) * (size_t)n2 + (size_t)c];
      if (q > 0) mi[3] += q * log(q / (pt[t] * ps[c]));
    }
  }
  double m;
  st = ixp_pid_broja_min_mi(p, nt, n1, n2, tol, &m, cert ? cert : &local);
  if (st != IXP_PID_OK) goto out;
  int bottom = 0, top = atom_of_set(l, 3), u1 = atom_of_set(l, 1), u2 = atom_of_set(l, 2);
  double ui1 = m - mi[2], ui2 = m - mi[1];
  atoms[u1] = ui1, atoms[u2] = ui2, atoms[bottom] = mi[1] - ui1, atoms[top] = mi[3] - m;
  st = check_atoms(l, atoms, mi, true, check_tol);
out:
  free(pt), free(p1), free(p2), free(ps), free(q1), free(q2);
  return st;
}

/* ------------------------------------------------------------ mmi from MI */

/* See pid.h. The identities are checked (rounding only: the atoms add up
 * by construction), not the signs: estimated informations need not be
 * monotone in the sources. */
IxpPidStatus ixp_pid_mmi(const IxpPidLattice *l, const double *mi, double *atoms) {
  if (!l || !mi || !atoms) return IXP_PID_EINPUT;
  uint32_t full = (1u << l->nsources) - 1;
  double scale = 1;
  for (uint32_t a = 1; a <= full; a++) {
    if (!isfinite(mi[a])) return IXP_PID_EINPUT;
    scale = fmax(scale, fabs(mi[a]));
  }
  double *R = malloc((size_t)l->natoms * sizeof(double));
  if (!R) return IXP_PID_ENOMEM;
  for (int a = 0; a < l->natoms; a++) {
    double mn = INFINITY;
    for (int i = l->offset[a]; i < l->offset[a + 1]; i++) mn = fmin(mn, mi[l->sets[i]]);
    R[a] = mn;
  }
  mobius(l, R, atoms);
  free(R);
  return check_atoms(l, atoms, mi, false, 1e-10 * scale);
}

/* --------------------------------------------------------------- ixp_pid */

/* Sizes, probabilities and options valid? Sets *S to the product of ns. */
static bool valid_input(const double *p, int nt, int nsources, const int *ns, const IxpPidLattice *l,
                        const IxpPidOptions *opt, const double *atoms, size_t *S) {
  if (!p || !ns || !l || !opt || !atoms || nt < 1 || nsources < 1 || l->nsources != nsources) return false;
  if (opt->tol < 0 || opt->check_tol < 0 || !isfinite(opt->tol) || !isfinite(opt->check_tol)) return false;
  if ((unsigned)opt->measure > IXP_PID_BROJA) return false;
  size_t s = 1;
  for (int i = 0; i < nsources; i++) {
    if (ns[i] < 1) return false;
    s *= (size_t)ns[i];
    if (s > MAX_CELLS) return false;
  }
  if (s * (size_t)nt > MAX_CELLS) return false;
  double sum = 0;
  for (size_t k = 0; k < s * (size_t)nt; k++) {
    if (!(p[k] >= 0) || !isfinite(p[k])) return false;
    sum += p[k];
  }
  *S = s;
  return fabs(sum - 1) <= 1e-9;
}

/* See pid.h. */
IxpPidStatus ixp_pid(const double *p, int nt, int nsources, const int *ns, const IxpPidLattice *l,
                     const IxpPidOptions *opt, double *atoms, IxpPidCertificate *cert) {
  size_t S = 0;
  if (cert) memset(cert, 0, sizeof *cert);
  if (opt && opt->measure == IXP_PID_BROJA && nsources > 2 && l && l->nsources == nsources) return IXP_PID_ESOURCES;
  if (!valid_input(p, nt, nsources, ns, l, opt, atoms, &S)) return IXP_PID_EINPUT;
  double tol = opt->tol > 0 ? opt->tol : 1e-10, check_tol = opt->check_tol > 0 ? opt->check_tol : 1e-8;
  if (opt->measure == IXP_PID_BROJA) {
    if (nsources != 2) return IXP_PID_ESOURCES;
    return decompose_broja(p, nt, ns, l, tol, check_tol, atoms, cert);
  }
  Joint J = {.n = nsources, .nt = nt, .ns = ns, .S = S, .p = p};
  double *R = malloc((size_t)l->natoms * sizeof(double));
  IxpPidStatus st = R ? joint_build(&J) : IXP_PID_ENOMEM;
  if (st == IXP_PID_OK) {
    switch (opt->measure) {
    case IXP_PID_IMIN: st = redundancy_imin(&J, l, R); break;
    case IXP_PID_IMMI: redundancy_immi(&J, l, R); break;
    case IXP_PID_ICCS: st = redundancy_iccs(&J, l, R); break;
    case IXP_PID_ISX: st = redundancy_isx(&J, l, R); break;
    case IXP_PID_BROJA: break;
    }
  }
  if (st == IXP_PID_OK) {
    mobius(l, R, atoms);
    bool nonneg = opt->measure == IXP_PID_IMIN || (opt->measure == IXP_PID_IMMI && nsources <= 2);
    st = check_atoms(l, atoms, J.mi, nonneg, check_tol);
  }
  joint_free(&J);
  free(R);
  return st;
}
