/* knn.c — k-nearest-neighbour estimators (see knn.h), max-norm throughout.
 *
 * Estimators (N points, k neighbours, psi the digamma function, every
 * distance the max-norm, each point's own distance excluded):
 *  - Kozachenko & Leonenko (1987), in the form of Kraskov, Stögbauer &
 *    Grassberger (2004, eq. 20) for the max-norm, whose unit ball has volume
 *    2^d: H = psi(N) - psi(k) + d log 2 + (d/N) sum_i log r_i, r_i the
 *    distance to the k-th neighbour. Columns rescaled to unit standard
 *    deviation are scaled back (+ sum_c log s_c), so H is in data units.
 *  - KSG algorithm 1 (KSG 2004, eq. 8): r_i the k-th neighbour distance in
 *    the joint space, n_x(i) = #{j : |x_i - x_j| < r_i} (strictly closer),
 *    I = psi(k) + psi(N) - <psi(n_x + 1) + psi(n_y + 1)>.
 *  - KSG algorithm 2 (KSG 2004, eq. 9): eps_x(i) = max over the k joint
 *    neighbours of their x-distance, n_x(i) = #{j : |x_i - x_j| <= eps_x(i)},
 *    I = psi(k) - 1/k + psi(N) - <psi(n_x) + psi(n_y)>. The k neighbours
 *    are taken in (distance, index) order so that ties pick one set.
 *  - Frenzel & Pompe (2007), conditional MI with algorithm 1's rule:
 *    I = psi(k) - <psi(n_xz + 1) + psi(n_yz + 1) - psi(n_z + 1)>, counts in
 *    the XZ, YZ and Z subspaces strictly within the joint r_i. Variant 2
 *    follows Wibral et al. (2014, as in JIDT): per-group eps from the k
 *    joint neighbours, n_z = #{dz <= eps_z}, n_xz = #{dx <= eps_x, dz <=
 *    eps_z}, I = psi(k) - 2/k + <psi(n_z) - psi(n_xz) + 1/n_xz - psi(n_yz) +
 *    1/n_yz>.
 *
 * Preprocessing, per column: copula (average ranks, (r + 1)/(N + 1)), then
 * (unless no_rescale) (v - mean)/sd with the n - 1 sd (JIDT's default; a
 * constant column becomes 0), then Gaussian noise of sd noise * (the
 * column's sd: 1 after rescaling) from normal number c*N + i of noise_key
 * (c the column's index over all groups). Duplicates are counted on the
 * input as given (rows equal in every joint column, by ==).
 *
 * Indexes. Joint k-NN: a k-d tree, a grid (2-D joints), brute force or
 * (mi with permutations) neighbour lists, AUTO taking the cheapest by the
 * cost model below. The tree
 * splits at the median of the widest side (leaves of <= KD_LEAF points,
 * tight boxes); it is built from one stably radix-sorted index list per
 * column, split and stably partitioned level by level, so boxes come from
 * the lists' ends and a permutation surrogate gets Y's lists by a gather
 * instead of a sort. The points of a leaf are searched together: their
 * own leaf, then up the tree, sibling subtrees pruned by box distance to
 * the leaf's box, until every k-ball fits inside the node searched so far.
 * The grid (see grid_build) buckets a 2-D joint space into quantile cells,
 * searched from the 3 x 3 cells around a point outwards by rings.
 * Marginal counts: 1-D subspaces by a sorted array, galloping from the
 * point's own rank (O(log n_x)), the points taken in sorted order; 2-D
 * subspaces by ranks: the runs of sorted positions within the radius along
 * each column, then the points whose two ranks fall in both runs, counted
 * offline by one sweep with a Fenwick tree (pair_counts; O(N log N) in all,
 * 4x faster than the tree's range counts for a 1 + 1 | 1 CMI at N = 1e5);
 * others by a k-d tree range count (boxes wholly inside add their size,
 * wholly outside are skipped).
 * Brute force: per block of queries, the max-norm distances to all points,
 * per group, in tiles over a copy of the data laid out 16 points by all
 * coordinates (an AVX2 kernel keeps 16 running maxima in registers),
 * computed in single precision as a filter whose close calls are decided
 * on exact distances (see run_brute_f; the double path remains for values
 * beyond float range); each tile's rows update the k-NN at once, and the
 * block's rows serve the counts. GEMMs are not used: the max-norm is not an inner product, and
 * the only exact use of a Euclidean GEMM tile, pruning by ||.||_inf >=
 * ||.||_2 / sqrt(d), prunes nothing where brute force is chosen (for d =
 * 64 standard-normal columns ||.||_2 / sqrt(d) ~ 1.4 while the k-th
 * max-norm neighbour sits near 2.5) and would need rounding margins.
 *
 * Exactness: every distance is fabs(a - b) maxed over coordinates; the
 * sorted-array and bounding-box shortcuts compare values monotone in those
 * same roundings, so all index kinds give identical counts and bit-identical
 * results.
 *
 * Theiler window w (k-d tree only): the joint search skips tree points
 * whose index is within w of the query's; the counts are taken over all
 * points and then the window's points found within the radii are taken
 * out again (theiler_counts), comparing exactly as the structures do.
 *
 * Local values: a point's local value is `finish` of its own term
 * instead of the mean of all terms (finish_local).
 *
 * Determinism: each point's term is stored in an array and the terms are
 * summed in index order (Neumaier) after the threaded loop; the thread
 * count changes nothing. */
#include "knn.h"

#include <math.h>
#include <omp.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ksum.h"
#include "progress.h"
#include "rng.h"
#include "threads.h"

#define KD_LEAF 8
#define KNN_PAR_WORK 2e6
#define KNN_PAR_SECONDS 2e-3 /* less estimated work than this runs on one thread */
#define NBR_SLACK 4
#define NBR_SAMPLE 256
#define NBR_MAX_BYTES 1e9
#define BRUTE_TILE_BYTES (24L << 10)
#define BRUTE_BUF_BYTES (4L << 20)
#define BRUTE_MIN_QUERIES 16
#define BRUTE_MAX_BYTES (256L << 20)
#define KD_CHUNK 256
#define KD_TASK 16384
#define MAXG 3
#define PSI_TABLE 4096
#define GRID_FILL 0.5   /* see grid_side */
#define GRID_CELLS 4.0  /* at most this many cells per point */
#define GRID_MAX_SIDE 8192

/* The message for a status. */
const char *ixp_knn_status_text(IxpKnnStatus s) {
  switch (s) {
  case IXP_KNN_OK: return "ok";
  case IXP_KNN_ENOMEM: return "out of memory";
  case IXP_KNN_EINPUT: return "invalid input (need n > k >= 1, dimensions >= 1 and finite values)";
  case IXP_KNN_ETIES:
    return "too many tied points (a point has k or more exact duplicates, or a column is constant); add noise";
  case IXP_KNN_ETHEILER:
    return "a Theiler window needs the k-d tree index (index = auto or kdtree), no permutation test, and more than "
           "2 theiler + k rows";
  }
  return "unknown status";
}

/* ------------------------------------------------------------------ memory */

/* malloc, but a block of many megabytes is aligned to 2 MB and marked for
 * transparent huge pages: the estimators fill arrays of n entries once
 * and read them a few times, and at n = 1e6 the page faults of 4 kB
 * pages took a tenth of a KSG estimate. */
static void *knn_malloc(size_t bytes) {
  size_t huge = (size_t)2 << 20;
  if (bytes < 2 * huge) return malloc(bytes);
  void *p = aligned_alloc(huge, (bytes + huge - 1) / huge * huge);
#ifdef MADV_HUGEPAGE
  if (p) madvise(p, (bytes + huge - 1) / huge * huge, MADV_HUGEPAGE);
#endif
  return p;
}

/* calloc through knn_malloc. */
static void *knn_calloc(size_t count, size_t size) {
  if (size && count > SIZE_MAX / size) return NULL;
  void *p = knn_malloc(count * size);
  if (p) memset(p, 0, count * size);
  return p;
}

/* ------------------------------------------------------------------ numerics */

/* Digamma for x > 0: the recurrence psi(x) = psi(x + 1) - 1/x up to x >= 10,
 * then the asymptotic series through the B14 term (error < 1e-15). */
static double digamma(double x) {
  double r = 0;
  while (x < 10) r -= 1 / x, x += 1;
  double f = 1 / (x * x);
  double s = f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132 - f * (691.0 / 32760 - f / 12))))));
  return r + log(x) - 0.5 / x - s;
}

/* Whether a distance d passes radius r (strictly inside, or inside or on). */
static inline bool within(double d, double r, bool strict) { return strict ? d < r : d <= r; }

/* ------------------------------------------------------------------ sorting */

/* A double's bits mapped so that unsigned order is numeric order. */
static inline uint64_t sort_key(double v) {
  uint64_t u;
  memcpy(&u, &v, sizeof u);
  return (u >> 63) ? ~u : u | (UINT64_C(1) << 63);
}

/* Sort indices idx[0..n) by v[idx] ascending (stable LSD radix sort on the
 * keys, 11-bit digits, digits shared by all keys skipped). */
static bool sort_by_value(const double *v, long n, long *idx) {
  uint64_t *key = knn_malloc((size_t)n * sizeof *key), *key2 = knn_malloc((size_t)n * sizeof *key2);
  long *tmp = knn_malloc((size_t)n * sizeof *tmp), *src = idx, *dst = tmp;
  if (!key || !key2 || !tmp) {
    free(key), free(key2), free(tmp);
    return false;
  }
  for (long i = 0; i < n; i++) idx[i] = i, key[i] = sort_key(v[i]);
  for (int shift = 0; shift < 64; shift += 11) {
    long cnt[2048] = {0};
    for (long i = 0; i < n; i++) cnt[(key[i] >> shift) & 2047]++;
    if (cnt[(key[0] >> shift) & 2047] == n) continue;
    long sum = 0;
    for (int b = 0; b < 2048; b++) {
      long c = cnt[b];
      cnt[b] = sum, sum += c;
    }
    for (long i = 0; i < n; i++) {
      long p = cnt[(key[i] >> shift) & 2047]++;
      key2[p] = key[i], dst[p] = src[i];
    }
    uint64_t *tk = key;
    key = key2, key2 = tk;
    long *ti = src;
    src = dst, dst = ti;
  }
  if (src != idx) memcpy(idx, src, (size_t)n * sizeof *idx);
  free(key), free(key2), free(tmp);
  return true;
}

/* ------------------------------------------------------------------ options */

typedef struct {
  double *local;
  int k, variant, nt;
  bool rescale, copula;
  double noise;
  uint64_t noise_key;
  IxpIndexKind index;
  long theiler;
} Opts;

/* Options with defaults filled in; false when one is out of range. */
static bool read_options(const IxpKnnOptions *o, Opts *out) {
  IxpKnnOptions d = {0};
  if (!o) o = &d;
  out->k = o->k ? o->k : 4;
  out->variant = o->variant ? o->variant : 1;
  out->rescale = !o->no_rescale;
  out->copula = o->copula;
  out->noise = o->noise;
  out->noise_key = o->noise_key;
  /* By default the session's rule (threads.h), read once an estimate: its
   * budget, and only cores with nothing else to run. */
  out->nt = o->threads > 0 ? o->threads : ixp_threads_for(INFINITY, 0);
  out->index = o->index;
  out->theiler = o->theiler;
  out->local = o->local;
  if (out->nt < 1) out->nt = 1;
  return out->k >= 1 && o->theiler >= 0 && (out->variant == 1 || out->variant == 2) && o->threads >= 0 && isfinite(o->noise) &&
         o->noise >= 0 && (unsigned)o->index <= IXP_INDEX_GRID;
}

/* ------------------------------------------------------------ preprocessing */

/* The data after preprocessing: n rows of D joint columns, groups g at
 * columns goff[g] .. goff[g] + gdim[g]. */
typedef struct {
  long n;
  int ng, D, gdim[MAXG], goff[MAXG];
  double *rows;
  double logscale; /* sum of log(sd) over rescaled columns (for entropy) */
  bool constant;   /* some column is constant */
  long duplicates;
} Prep;

/* Whether every value of the n x d block is finite. */
static bool all_finite(const double *x, long n, int d) {
  for (long i = 0; i < n * d; i++)
    if (!isfinite(x[i])) return false;
  return true;
}

/* Hash of row i over all groups (-0.0 hashed as 0.0, so == rows collide). */
static uint64_t row_hash(const double *const *g, const int *gdim, int ng, long i) {
  uint64_t h = UINT64_C(0x9E3779B97F4A7C15);
  for (int a = 0; a < ng; a++)
    for (int c = 0; c < gdim[a]; c++) {
      double v = g[a][i * gdim[a] + c];
      uint64_t u;
      if (v == 0) v = 0;
      memcpy(&u, &v, sizeof u);
      h = (h ^ u) * UINT64_C(0xBF58476D1CE4E5B9);
      h ^= h >> 29;
    }
  return h;
}

/* Whether rows i and j are equal in every column. */
static bool rows_equal(const double *const *g, const int *gdim, int ng, long i, long j) {
  for (int a = 0; a < ng; a++)
    for (int c = 0; c < gdim[a]; c++)
      if (g[a][i * gdim[a] + c] != g[a][j * gdim[a] + c]) return false;
  return true;
}

typedef struct {
  uint64_t h;
  long i; /* -1: empty */
} DupSlot;

/* Rows that have an exact duplicate: an open-addressing table of the rows'
 * hashes (rows compared only when hashes agree), probed in batches with
 * prefetching; -1 when memory runs out. */
static long count_duplicates(const double *const *g, const int *gdim, int ng, long n) {
  long size = 16;
  while (size < 2 * n) size *= 2;
  DupSlot *slot = knn_malloc((size_t)size * sizeof *slot);
  unsigned char *dup = knn_calloc((size_t)n, 1);
  if (!slot || !dup) {
    free(slot), free(dup);
    return -1;
  }
  for (long s = 0; s < size; s++) slot[s].i = -1;
  enum { BATCH = 16 };
  uint64_t h[BATCH];
  for (long i0 = 0; i0 < n; i0 += BATCH) {
    int m = n - i0 < BATCH ? (int)(n - i0) : BATCH;
    for (int b = 0; b < m; b++) {
      h[b] = row_hash(g, gdim, ng, i0 + b);
      __builtin_prefetch(&slot[h[b] & (uint64_t)(size - 1)]);
    }
    for (int b = 0; b < m; b++) {
      long i = i0 + b;
      for (long s = (long)(h[b] & (uint64_t)(size - 1));; s = (s + 1) & (size - 1)) {
        if (slot[s].i < 0) {
          slot[s].i = i, slot[s].h = h[b];
          break;
        }
        if (slot[s].h == h[b] && rows_equal(g, gdim, ng, slot[s].i, i)) {
          dup[slot[s].i] = dup[i] = 1;
          break;
        }
      }
    }
  }
  long count = 0;
  for (long i = 0; i < n; i++) count += dup[i];
  free(slot), free(dup);
  return count;
}

/* Replace v[0..n) by its pseudo-observations (average rank + 1)/(n + 1),
 * so tied values stay tied. */
static bool copula_column(double *v, long n) {
  long *idx = knn_malloc((size_t)n * sizeof *idx);
  double *r = knn_malloc((size_t)n * sizeof *r);
  if (!idx || !r || !sort_by_value(v, n, idx)) {
    free(idx), free(r);
    return false;
  }
  for (long a = 0; a < n;) {
    long b = a + 1;
    while (b < n && v[idx[b]] == v[idx[a]]) b++;
    double rank = 0.5 * (double)(a + b - 1) + 1; /* average of ranks a+1 .. b */
    for (long j = a; j < b; j++) r[idx[j]] = rank / (double)(n + 1);
    a = b;
  }
  memcpy(v, r, (size_t)n * sizeof *v);
  free(idx), free(r);
  return true;
}

/* Mean and (n - 1) standard deviation of v[0..n), summed in order. */
static void mean_sd(const double *v, long n, double *mean, double *sd) {
  double s = 0;
  for (long i = 0; i < n; i++) s += v[i];
  double m = s / (double)n, q = 0;
  for (long i = 0; i < n; i++) q += (v[i] - m) * (v[i] - m);
  *mean = m;
  *sd = n > 1 ? sqrt(q / (double)(n - 1)) : 0;
}

/* Preprocess column `col` (values src[i * stride]) into the rows; its log
 * sd into *logsd, whether it is constant into *constant. */
static bool prepare_column(const double *src, int stride, const Opts *o, int col, Prep *p, double *v, double *logsd,
                           unsigned char *constant) {
  long n = p->n;
  for (long i = 0; i < n; i++) v[i] = src[i * stride];
  if (o->copula && !copula_column(v, n)) return false;
  double mean, sd;
  mean_sd(v, n, &mean, &sd);
  *constant = sd == 0;
  *logsd = 0;
  if (o->rescale) {
    for (long i = 0; i < n; i++) v[i] = sd > 0 ? (v[i] - mean) / sd : 0;
    *logsd = log(sd);
  }
  if (o->noise > 0) {
    double amp = o->noise * (o->rescale ? 1 : sd);
    for (long i = 0; i < n; i++) v[i] += amp * ixp_rng_normal(o->noise_key, (uint64_t)col * (uint64_t)n + (uint64_t)i);
  }
  for (long i = 0; i < n; i++) p->rows[i * p->D + col] = v[i];
  return true;
}

/* Copy the groups into p->rows and preprocess each column (file comment);
 * columns in parallel, the duplicate count alongside when asked for (a
 * caller's IxpKnnInfo; a permutation test reports none). */
static IxpKnnStatus prepare(const double *const *g, const int *gdim, int ng, long n, const Opts *o, bool dups,
                            Prep *p) {
  memset(p, 0, sizeof *p);
  p->n = n, p->ng = ng;
  for (int a = 0; a < ng; a++) {
    if (!g[a] || gdim[a] < 1 || gdim[a] >= 1 << 20) return IXP_KNN_EINPUT;
    p->gdim[a] = gdim[a], p->goff[a] = p->D, p->D += gdim[a];
  }
  if (n <= o->k || n > (long)1 << 40 || !(p->D < 1 << 20)) return IXP_KNN_EINPUT;
  for (int a = 0; a < ng; a++)
    if (!all_finite(g[a], n, gdim[a])) return IXP_KNN_EINPUT;
  int D = p->D, ok = 1;
  p->rows = knn_malloc((size_t)n * (size_t)D * sizeof *p->rows);
  double *logsd = knn_malloc((size_t)D * sizeof *logsd);
  unsigned char *constant = knn_malloc((size_t)D);
  if (!p->rows || !logsd || !constant) ok = 0;
  if (ok) {
#pragma omp parallel num_threads(o->nt) if ((double)n * D > KNN_PAR_WORK / 100)
    {
#pragma omp single nowait
      p->duplicates = dups ? count_duplicates(g, gdim, ng, n) : 0;
      double *v = knn_malloc((size_t)n * sizeof *v);
#pragma omp for schedule(dynamic, 1)
      for (int col = 0; col < D; col++) {
        int a = 0;
        while (col >= p->goff[a] + gdim[a]) a++;
        if (!v || !prepare_column(g[a] + (col - p->goff[a]), gdim[a], o, col, p, v, &logsd[col], &constant[col])) {
#pragma omp atomic write
          ok = 0;
        }
      }
      free(v);
    }
  }
  if (ok)
    for (int col = 0; col < D; col++) p->logscale += logsd[col], p->constant = p->constant || constant[col];
  free(logsd), free(constant);
  return ok && p->duplicates >= 0 ? IXP_KNN_OK : IXP_KNN_ENOMEM;
}

/* ------------------------------------------------------- sorted 1-D arrays */

typedef struct {
  long n;
  double *sv; /* values ascending */
  long *at;   /* sorted position -> its point */
} Sorted1;

/* Build from column col of the n x D rows, ord the points sorted by it. */
static bool sorted_build(Sorted1 *s, const double *rows, long n, int D, int col, const long *ord) {
  s->n = n;
  s->sv = knn_malloc((size_t)n * sizeof *s->sv);
  s->at = knn_malloc((size_t)n * sizeof *s->at);
  if (!s->sv || !s->at) return false;
  for (long t = 0; t < n; t++) s->sv[t] = rows[ord[t] * D + col], s->at[t] = ord[t];
  return true;
}

/* Free a sorted array. */
static void sorted_free(Sorted1 *s) { free(s->sv), free(s->at); }

/* Points other than the one at sorted position p with |v_p - v_j| within
 * r: on each side, gallop outwards from p in steps starting at that
 * side's count for the previous query (guess[0], guess[1]: neighbouring
 * queries have similar counts; any guess gives the same result), then
 * bisect both sides in lockstep (two independent chains of loads, which
 * the processor overlaps). fl(sv[m] - v) is monotone in m, so the
 * boundary is exact. */
static inline __attribute__((always_inline)) long sorted_count_s(const Sorted1 *s, long p, double r, bool strict,
                                                                 long *guess) {
  const double *sv = s->sv;
  long n = s->n, rlo = p, rhi, llo, lhi = p, step = guess[0] > 1 ? guess[0] : 1;
  double v = sv[p];
  for (;; step *= 2) { /* right side: (p, rlo] pass, rhi fails or is n */
    rhi = rlo + step;
    if (rhi >= n) {
      rhi = n;
      break;
    }
    if (!within(sv[rhi] - v, r, strict)) break;
    rlo = rhi;
  }
  for (step = guess[1] > 1 ? guess[1] : 1;; step *= 2) { /* left side: [lhi, p) pass, llo fails or is -1 */
    llo = lhi - step;
    if (llo < 0) {
      llo = -1;
      break;
    }
    if (!within(v - sv[llo], r, strict)) break;
    lhi = llo;
  }
  while (rhi - rlo > 1 || lhi - llo > 1) {
    if (rhi - rlo > 1) {
      long mid = rlo + (rhi - rlo) / 2;
      bool in = within(sv[mid] - v, r, strict);
      rlo = in ? mid : rlo, rhi = in ? rhi : mid;
    }
    if (lhi - llo > 1) {
      long mid = llo + (lhi - llo) / 2;
      bool in = within(v - sv[mid], r, strict);
      lhi = in ? mid : lhi, llo = in ? llo : mid;
    }
  }
  guess[0] = rlo - p, guess[1] = p - lhi;
  return guess[0] + guess[1];
}

/* sorted_count_s with the comparison fixed. */
static long sorted_count(const Sorted1 *s, long p, double r, bool strict, long *guess) {
  return strict ? sorted_count_s(s, p, r, true, guess) : sorted_count_s(s, p, r, false, guess);
}

/* ------------------------------------------------------------------ k-d tree */

typedef struct {
  long lo, hi; /* tree positions [lo, hi) */
  int dim;     /* split dimension, -1 for a leaf; children 2v + 1, 2v + 2 */
  double split; /* left child <= split <= right child along dim */
} KdNode;

typedef struct {
  int d;
  long n, nnodes;
  double *pts;  /* n x d in tree order */
  long *idx;    /* tree position -> point */
  long *leaf;   /* tree position -> its leaf */
  long *leaves, nleaves, maxleaf; /* the leaves in position order, the largest's size */
  KdNode *node;
  double *box;  /* node v: d lows then d highs at box + 2 d v */
} KdTree;

#define INLINE static inline __attribute__((always_inline))

/* Scratch of a presorted build: the d index lists (each segment [lo, hi)
 * of every list holds the same points, list c sorted by coordinate c), a
 * partition buffer and each point's side of the current split. */
typedef struct {
  const double *rows;
  int D;
  const int *cols;
  long **list, *tmp;
  unsigned char *side;
} KdScratch;

/* Coordinate c (of the tree's d) of point i. */
static inline double kd_val(const KdScratch *w, long i, int c) { return w->rows[i * w->D + w->cols[c]]; }

/* Build node v over list segments [lo, hi): the tight box from the lists'
 * ends; unless small or all points equal, split at the median of the
 * widest side (the first half of that list goes left) and stably
 * partition the other lists by side. Subtrees of many points are built
 * as OpenMP tasks (the tree does not depend on it). */
static void kd_build_node(KdTree *t, KdScratch *w, long v, long lo, long hi) {
  int d = t->d;
  double *bl = t->box + 2 * (size_t)d * (size_t)v, *bh = bl + d;
  int dim = 0;
  double wide = -1;
  for (int c = 0; c < d; c++) {
    bl[c] = kd_val(w, w->list[c][lo], c), bh[c] = kd_val(w, w->list[c][hi - 1], c);
    if (bh[c] - bl[c] > wide) wide = bh[c] - bl[c], dim = c;
  }
  KdNode *nd = &t->node[v];
  nd->lo = lo, nd->hi = hi, nd->dim = -1;
  if (hi - lo <= KD_LEAF || !(wide > 0)) {
    for (long p = lo; p < hi; p++) t->leaf[p] = v;
    return;
  }
  long mid = lo + (hi - lo) / 2;
  const long *ls = w->list[dim];
  nd->dim = dim, nd->split = kd_val(w, ls[mid], dim);
  for (long p = lo; p < hi; p++) w->side[ls[p]] = p >= mid;
  for (int c = 0; c < d; c++) {
    if (c == dim) continue;
    long *l = w->list[c], a = lo, b = mid;
    for (long p = lo; p < hi; p++) {
      long i = l[p];
      bool right = w->side[i];
      w->tmp[right ? b : a] = i;
      a += !right, b += right;
    }
    memcpy(l + lo, w->tmp + lo, (size_t)(hi - lo) * sizeof *l);
  }
  if (hi - lo > KD_TASK) {
#pragma omp task default(shared) firstprivate(v, lo, mid)
    kd_build_node(t, w, 2 * v + 1, lo, mid);
#pragma omp task default(shared) firstprivate(v, mid, hi)
    kd_build_node(t, w, 2 * v + 2, mid, hi);
#pragma omp taskwait
  } else {
    kd_build_node(t, w, 2 * v + 1, lo, mid);
    kd_build_node(t, w, 2 * v + 2, mid, hi);
  }
}

/* Free a tree. */
static void kd_free(KdTree *t) {
  free(t->pts), free(t->idx), free(t->leaf), free(t->leaves), free(t->node), free(t->box);
  memset(t, 0, sizeof *t);
}

/* Build a tree over columns cols[0..d) of the n x D rows, given for each
 * of them the points sorted by it (ord[c], stable; copied). Subtrees are
 * OpenMP tasks: run inside a parallel region to build in parallel. The
 * tree order is list 0's at the leaves. */
static bool kd_build(KdTree *t, const double *rows, long n, int D, const int *cols, int d, const long *const *ord) {
  memset(t, 0, sizeof *t);
  t->d = d, t->n = n;
  int levels = 0;
  while ((n + ((long)1 << levels) - 1) >> levels > KD_LEAF) levels++;
  t->nnodes = ((long)2 << levels) - 1;
  t->pts = knn_malloc((size_t)n * (size_t)d * sizeof *t->pts);
  t->idx = knn_malloc((size_t)n * sizeof *t->idx);
  t->leaf = knn_malloc((size_t)n * sizeof *t->leaf);
  t->node = knn_malloc((size_t)t->nnodes * sizeof *t->node);
  t->box = knn_malloc((size_t)t->nnodes * 2 * (size_t)d * sizeof *t->box);
  KdScratch w = {rows, D, cols, knn_calloc((size_t)d, sizeof(long *)), knn_malloc((size_t)n * sizeof(long)), knn_malloc((size_t)n)};
  bool ok = t->pts && t->idx && t->leaf && t->node && t->box && w.list && w.tmp && w.side;
  for (int c = 0; ok && c < d; c++) {
    w.list[c] = c ? knn_malloc((size_t)n * sizeof(long)) : t->idx; /* list 0 becomes the tree order */
    if (!w.list[c]) ok = false;
    else memcpy(w.list[c], ord[c], (size_t)n * sizeof(long));
  }
  if (ok) kd_build_node(t, &w, 0, 0, n);
  for (int c = 1; w.list && c < d; c++) free(w.list[c]);
  free(w.list), free(w.tmp), free(w.side);
  if (!ok) {
    kd_free(t);
    return false;
  }
  long nl = 0;
  for (long p = 0; p < n; p++) {
    for (int c = 0; c < d; c++) t->pts[p * d + c] = rows[t->idx[p] * D + cols[c]];
    nl += p == 0 || t->leaf[p] != t->leaf[p - 1];
  }
  t->leaves = knn_malloc((size_t)nl * sizeof *t->leaves);
  if (!t->leaves) {
    kd_free(t);
    return false;
  }
  for (long p = 0; p < n; p++)
    if (p == 0 || t->leaf[p] != t->leaf[p - 1]) {
      long v = t->leaf[p], size = t->node[v].hi - t->node[v].lo;
      t->leaves[t->nleaves++] = v;
      t->maxleaf = size > t->maxleaf ? size : t->maxleaf;
    }
  return true;
}

/* kd_build with a team of nt threads for the subtree tasks. */
static bool kd_build_par(KdTree *t, const double *rows, long n, int D, const int *cols, int d, const long *const *ord,
                         int nt) {
  bool ok;
  if (nt > 1 && n > KD_TASK) {
#pragma omp parallel num_threads(nt) if ((double)n * d > KNN_PAR_WORK / 100)
#pragma omp single
    ok = kd_build(t, rows, n, D, cols, d, ord);
  } else {
    ok = kd_build(t, rows, n, D, cols, d, ord);
  }
  return ok;
}

/* ord[c] = the points sorted (stably) by column c of the rows, for every
 * column, the columns in parallel; false on memory exhaustion. */
static bool column_orders(const Prep *p, long **ord, int nt) {
  int ok = 1;
  for (int c = 0; c < p->D; c++) ord[c] = NULL;
#pragma omp parallel num_threads(nt) if ((double)p->n * p->D > KNN_PAR_WORK / 100)
  {
    double *v = knn_malloc((size_t)p->n * sizeof *v);
#pragma omp for schedule(dynamic, 1)
    for (int c = 0; c < p->D; c++) {
      ord[c] = knn_malloc((size_t)p->n * sizeof *ord[c]);
      if (v && ord[c]) {
        for (long i = 0; i < p->n; i++) v[i] = p->rows[i * p->D + c];
        if (sort_by_value(v, p->n, ord[c])) continue;
      }
#pragma omp atomic write
      ok = 0;
    }
    free(v);
  }
  return ok != 0;
}

/* Free the column orders. */
static void orders_free(long **ord, int D) {
  for (int c = 0; ord && c < D; c++) free(ord[c]);
  free(ord);
}

/* The k best so far, ascending by (distance, point index); entries are
 * tree positions (points themselves when t is NULL: brute force). */
typedef struct {
  const KdTree *t;
  const double *q;
  long self;
  int k, cnt;
  bool canon; /* break ties at the k-th distance by point index */
  double *bd;
  long *bi;
  long w, pt; /* Theiler window (0: none) and the query's point index */
} KnnState;

/* The point index of entry e (for tie-breaking). */
static inline long knn_point(const KnnState *s, long e) { return s->t ? s->t->idx[e] : e; }

/* Whether (d, e) enters the k best (canon: the state's flag, a constant
 * in the specialised searches). */
INLINE bool knn_accepts(const KnnState *s, double d, long e, bool canon) {
  if (s->cnt < s->k) return true;
  double w = s->bd[s->k - 1];
  return d < w || (canon && d == w && knn_point(s, e) < knn_point(s, s->bi[s->k - 1]));
}

/* Insert (d, e) into the k best, keeping them sorted by (distance, point);
 * without canon, equal distances keep their arrival order. */
INLINE void knn_insert(KnnState *s, double d, long e, bool canon) {
  int p = s->cnt < s->k ? s->cnt++ : s->k - 1;
  while (p > 0 && (s->bd[p - 1] > d || (canon && s->bd[p - 1] == d && knn_point(s, s->bi[p - 1]) > knn_point(s, e)))) {
    s->bd[p] = s->bd[p - 1], s->bi[p] = s->bi[p - 1];
    p--;
  }
  s->bd[p] = d, s->bi[p] = e;
}

/* Max-norm distance between node v's box and the box [ll, lh] (0 when
 * they meet): a lower bound for any query in [ll, lh] and point in v. */
INLINE double kd_box_gap(const KdTree *t, long v, const double *ll, const double *lh, int d) {
  const double *bl = t->box + 2 * (size_t)d * (size_t)v, *bh = bl + d;
  double m = 0;
  for (int c = 0; c < d; c++) {
    double g = bl[c] > lh[c] ? bl[c] - lh[c] : ll[c] > bh[c] ? ll[c] - bh[c] : 0;
    m = g > m ? g : m;
  }
  return m;
}

/* The largest k-th distance among the nq queries (infinite while one has
 * fewer than k). */
INLINE double kd_batch_bound(const KnnState *st, int nq) {
  double b = 0;
  for (int i = 0; i < nq; i++) {
    double w = st[i].cnt < st[i].k ? INFINITY : st[i].bd[st[i].k - 1];
    b = w > b ? w : b;
  }
  return b;
}

/* Offer the points of leaf v to each of the nq queries. */
INLINE void kd_batch_leaf(const KdTree *t, long v, KnnState *st, int nq, int d, bool canon) {
  const double *bl = t->box + 2 * (size_t)d * (size_t)v, *bh = bl + d;
  for (int i = 0; i < nq; i++) {
    KnnState *s = &st[i];
    if (s->cnt == s->k) {
      double g = 0, w = s->bd[s->k - 1];
      for (int c = 0; c < d; c++) {
        double e = s->q[c] < bl[c] ? bl[c] - s->q[c] : s->q[c] > bh[c] ? s->q[c] - bh[c] : 0;
        g = e > g ? e : g;
      }
      if (!(g < w || (canon && g == w))) continue;
    }
    for (long p = t->node[v].lo; p < t->node[v].hi; p++) {
      if (p == s->self || (s->w && labs(t->idx[p] - s->pt) <= s->w)) continue;
      const double *x = t->pts + p * d;
      double m = 0;
      for (int c = 0; c < d; c++) {
        double g = fabs(s->q[c] - x[c]);
        m = g > m ? g : m;
      }
      if (knn_accepts(s, m, p, canon)) knn_insert(s, m, p, canon);
    }
  }
}

/* k-NN of all the points of leaf L together: their own leaf first, then
 * up the tree, each sibling subtree searched top-down and pruned by its
 * box's distance to L's box against the largest current k-th distance,
 * until every query's k-ball fits in the node searched so far (L's box
 * grown by that distance inside the node's box: a point outside lies
 * beyond one of the node's splitting planes). st[i] is set up for the
 * point at position lo(L) + i. */
INLINE void kd_knn_leaf_d(const KdTree *t, long L, KnnState *st, int d, bool canon) {
  int nq = (int)(t->node[L].hi - t->node[L].lo);
  const double *ll = t->box + 2 * (size_t)d * (size_t)L, *lh = ll + d;
  kd_batch_leaf(t, L, st, nq, d, canon);
  double B = kd_batch_bound(st, nq);
  long stack[130];
  for (long v = L; v > 0; v = (v - 1) / 2) {
    const double *bl = t->box + 2 * (size_t)d * (size_t)v, *bh = bl + d;
    bool inside = B < INFINITY;
    for (int c = 0; c < d && inside; c++) {
      double a = ll[c] - bl[c], b = bh[c] - lh[c];
      inside = canon ? a > B && b > B : a >= B && b >= B;
    }
    if (inside) return;
    int sp = 0;
    stack[sp++] = v & 1 ? v + 1 : v - 1;
    while (sp) {
      long u = stack[--sp];
      double gap = kd_box_gap(t, u, ll, lh, d);
      if (!(gap < B || (canon && gap == B))) continue;
      const KdNode *nd = &t->node[u];
      if (nd->dim < 0) {
        kd_batch_leaf(t, u, st, nq, d, canon);
        B = kd_batch_bound(st, nq);
        continue;
      }
      bool right = ll[nd->dim] + lh[nd->dim] >= 2 * nd->split;
      stack[sp++] = right ? 2 * u + 1 : 2 * u + 2;
      stack[sp++] = right ? 2 * u + 2 : 2 * u + 1;
    }
  }
}

/* kd_knn_leaf_d specialised on the dimension for d <= 4 (algorithm 1). */
static void kd_knn_leaf(const KdTree *t, long L, KnnState *st, bool canon) {
  if (canon) return kd_knn_leaf_d(t, L, st, t->d, true);
  switch (t->d) {
  case 1: kd_knn_leaf_d(t, L, st, 1, false); break;
  case 2: kd_knn_leaf_d(t, L, st, 2, false); break;
  case 3: kd_knn_leaf_d(t, L, st, 3, false); break;
  case 4: kd_knn_leaf_d(t, L, st, 4, false); break;
  default: kd_knn_leaf_d(t, L, st, t->d, false);
  }
}

/* Points of node v's subtree within radius rad[c] along every dimension c
 * of q (self included when it qualifies). */
static long kd_count_node(const KdTree *t, long v, const double *q, const double *rad, bool strict) {
  int d = t->d;
  const double *bl = t->box + 2 * (size_t)d * (size_t)v, *bh = bl + d;
  bool inside = true;
  for (int c = 0; c < d; c++) {
    double g = q[c] < bl[c] ? bl[c] - q[c] : q[c] > bh[c] ? q[c] - bh[c] : 0;
    if (!within(g, rad[c], strict)) return 0;
    double f = q[c] - bl[c] > bh[c] - q[c] ? q[c] - bl[c] : bh[c] - q[c];
    if (!within(f, rad[c], strict)) inside = false;
  }
  const KdNode *nd = &t->node[v];
  if (inside) return nd->hi - nd->lo;
  if (nd->dim >= 0) return kd_count_node(t, 2 * v + 1, q, rad, strict) + kd_count_node(t, 2 * v + 2, q, rad, strict);
  long n = 0;
  for (long p = nd->lo; p < nd->hi; p++) {
    const double *x = t->pts + p * d;
    int c = 0;
    while (c < d && within(fabs(q[c] - x[c]), rad[c], strict)) c++;
    n += c == d;
  }
  return n;
}

/* Points other than the query (a point of the tree, coordinates q) within
 * the per-dimension radii. */
static long kd_count(const KdTree *t, const double *q, const double *rad, bool strict) {
  long n = kd_count_node(t, 0, q, rad, strict);
  for (int c = 0; c < t->d; c++)
    if (!within(0, rad[c], strict)) return n;
  return n - 1;
}

/* ------------------------------------------------------------------ grid */

/* A cell list over a 2-D joint space (columns cols[0], cols[1]): quantile
 * cells, column cx of G holding the points of x-rank [cx n / G, (cx + 1)
 * n / G) and row cy those of y-rank likewise, so that every column and row
 * holds about n / G points whatever the tails or clusters, and a point's
 * cell comes from ranks, never from rounded arithmetic. Points are stored
 * cell-contiguous (cell cy G + cx; by index within a cell) by a counting
 * sort. The value range of each column and row bounds the distance to
 * its points from below: fl(a - b) is monotone in a and b. */
typedef struct {
  long n;
  int G;               /* cells per side */
  long *start;         /* cell c holds slots start[c] .. start[c + 1] - 1 */
  double *xy;          /* slot -> its point's two coordinates */
  long *idx;           /* slot -> point */
  double *lo[2], *hi[2]; /* value range of column (0) / row (1) c */
} Grid;

/* Free a grid. */
static void grid_free(Grid *g) {
  free(g->start), free(g->xy), free(g->idx);
  for (int a = 0; a < 2; a++) free(g->lo[a]), free(g->hi[a]);
  memset(g, 0, sizeof *g);
}

/* The cell of every point on a G x G quantile grid (ord: the points
 * sorted by each of the two columns). */
static void grid_cells(const long *const *ord, long n, long G, int *cellof) {
  for (int a = 0; a < 2; a++)
    for (long c = 0; c < G; c++)
      for (long t = c * n / G, t1 = (c + 1) * n / G; t < t1; t++)
        cellof[ord[a][t]] = a ? cellof[ord[a][t]] + (int)(c * G) : (int)c;
}

/* Cells per side: first sqrt(n / k), then scaled so that a point's own
 * cell holds about GRID_FILL k points on average (sum of squared cell
 * counts over n): dependent columns crowd the points into a band of
 * cells, so the first side can hold several times k (about 4 k for
 * normals of correlation 0.9). At most sqrt(n) and GRID_MAX_SIDE. The
 * cells of the result are in cellof; count: G0 * G0 scratch. */
static long grid_side(const long *const *ord, long n, int k, int *cellof, long *count) {
  double cap = fmin(sqrt(GRID_CELLS * (double)n), GRID_MAX_SIDE), G0 = fmax(1, fmin(cap, floor(sqrt((double)n / k))));
  long G = (long)G0;
  grid_cells(ord, n, G, cellof);
  memset(count, 0, (size_t)(G * G) * sizeof *count);
  for (long i = 0; i < n; i++) count[cellof[i]]++;
  double q = 0;
  for (long c = 0; c < G * G; c++) q += (double)count[c] * (double)count[c];
  q /= (double)n;
  long G1 = (long)fmax(1, fmin(cap, floor(G0 * sqrt(q / (GRID_FILL * k)))));
  if (G1 != G) grid_cells(ord, n, G1, cellof);
  return G1;
}

/* Build the grid over columns cols[0..2) of the n x D rows, ord[c] the
 * points sorted (stably) by column cols[c]. */
static bool grid_build(Grid *g, const double *rows, long n, int D, const int *cols, const long *const *ord, int k) {
  memset(g, 0, sizeof *g);
  g->n = n;
  int *cellof = knn_malloc((size_t)n * sizeof *cellof);
  long *count = knn_malloc((size_t)n * sizeof *count); /* G0 * G0 <= n / k cells */
  if (!cellof || !count) {
    free(cellof), free(count);
    return false;
  }
  long G = g->G = (int)grid_side(ord, n, k, cellof, count), ncell = G * G;
  free(count);
  g->start = knn_calloc((size_t)ncell + 1, sizeof *g->start);
  g->xy = knn_malloc((size_t)n * 2 * sizeof *g->xy);
  g->idx = knn_malloc((size_t)n * sizeof *g->idx);
  bool ok = g->start && g->xy && g->idx;
  for (int a = 0; a < 2; a++) {
    g->lo[a] = knn_malloc((size_t)G * sizeof *g->lo[a]), g->hi[a] = knn_malloc((size_t)G * sizeof *g->hi[a]);
    ok = ok && g->lo[a] && g->hi[a];
  }
  long *fill = ok ? knn_malloc((size_t)ncell * sizeof *fill) : NULL;
  if (!fill) {
    free(cellof), grid_free(g);
    return false;
  }
  for (int a = 0; a < 2; a++)
    for (long c = 0; c < G; c++)
      g->lo[a][c] = rows[ord[a][c * n / G] * D + cols[a]], g->hi[a][c] = rows[ord[a][(c + 1) * n / G - 1] * D + cols[a]];
  for (long i = 0; i < n; i++) g->start[cellof[i] + 1]++;
  for (long c = 0; c < ncell; c++) g->start[c + 1] += g->start[c];
  memcpy(fill, g->start, (size_t)ncell * sizeof *fill);
  for (long i = 0; i < n; i++) {
    long s = fill[cellof[i]]++;
    g->idx[s] = i;
    g->xy[2 * s] = rows[i * D + cols[0]], g->xy[2 * s + 1] = rows[i * D + cols[1]];
  }
  free(fill), free(cellof);
  return true;
}

/* One query's k best so far, as KnnState keeps them (ascending by
 * distance; canon: by (distance, point)), with the k-th distance at hand
 * (w: infinite while fewer than k). */
typedef struct {
  double *bd;
  long *bi;
  int k, cnt;
  long self;
  double w;
} GridBest;

/* Offer the points of slots t0 .. t1 - 1 to query b at (qx, qy); the
 * insertion is knn_accepts and knn_insert on locals. */
INLINE void grid_scan(const double *restrict xy, const long *restrict idx, long t0, long t1, double qx, double qy,
                      GridBest *b, bool canon) {
  double w = b->w, *restrict bd = b->bd;
  long *restrict bi = b->bi;
  int k = b->k, cnt = b->cnt;
  for (long t = t0; t < t1; t++) {
    double dx = fabs(qx - xy[2 * t]), dy = fabs(qy - xy[2 * t + 1]), m = dx > dy ? dx : dy;
    if (!(m <= w)) continue;
    long j = idx[t];
    if (j == b->self || (cnt == k && !(m < w || (canon && j < bi[k - 1])))) continue;
    int p = cnt < k ? cnt++ : k - 1;
    while (p > 0 && (bd[p - 1] > m || (canon && bd[p - 1] == m && bi[p - 1] > j))) {
      bd[p] = bd[p - 1], bi[p] = bi[p - 1];
      p--;
    }
    bd[p] = m, bi[p] = j;
    w = cnt < k ? INFINITY : bd[k - 1];
  }
  b->w = w, b->cnt = cnt;
}

/* Lower bound of the distance from q (coordinate v, in column or row
 * qc of axis a) to the points of column or row c. */
INLINE double grid_gap(const Grid *g, int a, long c, long qc, double v) {
  return c < qc ? v - g->hi[a][c] : c > qc ? g->lo[a][c] - v : 0;
}

/* Whether a gap may hide a neighbour of b (canon: one at the k-th
 * distance with a smaller index). */
INLINE bool grid_may(const GridBest *b, double gap, bool canon) { return gap < b->w || (canon && gap == b->w); }

/* The smaller of two distances (fmin without its NaN rules, inline). */
INLINE double dmin(double a, double b) { return a < b ? a : b; }

/* The k nearest of the point in slot t (of cell c0): the 3 x 3 cells around its own
 * (three runs of consecutive slots, a row's cells being adjacent), then
 * rings of cells at Chebyshev cell distance R = 2, 3, ... while the
 * nearest of the ring's four sides may still hold a neighbour; each cell
 * of a ring skipped when its own gap rules it out. */
INLINE void grid_knn_s(const Grid *g, long c0, long t, GridBest *s, bool canon) {
  long G = g->G, cx = c0 % G, cy = c0 / G;
  double qx = g->xy[2 * t], qy = g->xy[2 * t + 1];
  long x0 = cx > 0 ? cx - 1 : 0, x1 = cx + 1 < G ? cx + 1 : G - 1;
  for (long y = cy > 0 ? cy - 1 : 0; y <= cy + 1 && y < G; y++)
    grid_scan(g->xy, g->idx, g->start[y * G + x0], g->start[y * G + x1 + 1], qx, qy, s, canon);
  for (long R = 2;; R++) {
    double bound = INFINITY;
    if (cx - R >= 0) bound = dmin(bound, qx - g->hi[0][cx - R]);
    if (cx + R < G) bound = dmin(bound, g->lo[0][cx + R] - qx);
    if (cy - R >= 0) bound = dmin(bound, qy - g->hi[1][cy - R]);
    if (cy + R < G) bound = dmin(bound, g->lo[1][cy + R] - qy);
    if (bound == INFINITY || !grid_may(s, bound, canon)) return;
    x0 = cx - R > 0 ? cx - R : 0, x1 = cx + R < G - 1 ? cx + R : G - 1;
    long y0 = cy - R > 0 ? cy - R : 0, y1 = cy + R < G - 1 ? cy + R : G - 1;
    for (long y = y0; y <= y1; y++) {
      double gy = grid_gap(g, 1, y, cy, qy);
      if (!grid_may(s, gy, canon)) continue;
      bool edge = y == cy - R || y == cy + R; /* a full row of the ring, else its two ends */
      for (long x = edge ? x0 : cx - R; x <= (edge ? x1 : cx + R); x += edge ? 1 : 2 * R) {
        if (x < 0 || x >= G) continue;
        double gx = grid_gap(g, 0, x, cx, qx);
        if (grid_may(s, gx > gy ? gx : gy, canon)) grid_scan(g->xy, g->idx, g->start[y * G + x], g->start[y * G + x + 1], qx, qy, s, canon);
      }
    }
  }
}

/* grid_knn_s with the tie rule fixed. */
static void grid_knn(const Grid *g, long c0, long t, GridBest *s, bool canon) {
  if (canon) grid_knn_s(g, c0, t, s, true);
  else grid_knn_s(g, c0, t, s, false);
}

/* ------------------------------------------------------------ the estimates */

typedef enum { EST_H, EST_MI, EST_CMI } Est;

/* One estimate's fixed parts: the data, what to count, the index. */
typedef struct {
  Est est;
  int k, variant;
  const Prep *p;
  int nmask, mask[3]; /* counting subspaces as group bit masks */
  long theiler;       /* Theiler window (k-d tree only) */
  double *local;      /* each point's local value, or NULL */
  IxpIndexKind index; /* KDTREE, BRUTE, LISTS or GRID, never AUTO */
  long npsi;
  double psi[PSI_TABLE]; /* psi[m] = digamma(m), 1 <= m < npsi */
} Job;

/* A counting structure for one subspace (kd mode). */
typedef struct {
  int d;
  int *colv;   /* columns of the joint rows */
  int *group;  /* group of each dimension */
  bool one;    /* 1-D: sorted array */
  bool pair;   /* 2-D: a sorted array per column and ranks (pair_counts) */
  Sorted1 s;
  Sorted1 s2[2];
  long *pos[2]; /* pair: point -> its sorted position along each column */
  KdTree t;
} Space;

/* Free a space. */
static void space_free(Space *s) {
  if (s->one) sorted_free(&s->s);
  else if (s->pair) sorted_free(&s->s2[0]), sorted_free(&s->s2[1]), free(s->pos[0]), free(s->pos[1]);
  else kd_free(&s->t);
  free(s->colv), free(s->group);
}

/* Build a pair space's sorted columns and rank maps. */
static bool pair_build(Space *s, const Prep *p, const long *const *ord) {
  for (int c = 0; c < 2; c++) {
    if (!sorted_build(&s->s2[c], p->rows, p->n, p->D, s->colv[c], ord[s->colv[c]])) return false;
    if (!(s->pos[c] = knn_malloc((size_t)p->n * sizeof *s->pos[c]))) return false;
    for (long t = 0; t < p->n; t++) s->pos[c][s->s2[c].at[t]] = t;
  }
  return true;
}

/* Build the counting structure for the groups of `mask` (see kd_build),
 * ord the column orders. */
static bool space_build(Space *s, const Prep *p, int mask, const long *const *ord) {
  memset(s, 0, sizeof *s);
  for (int a = 0; a < p->ng; a++)
    if (mask >> a & 1) s->d += p->gdim[a];
  s->colv = knn_malloc((size_t)s->d * sizeof *s->colv);
  s->group = knn_malloc((size_t)s->d * sizeof *s->group);
  if (!s->colv || !s->group) return false;
  int m = 0;
  for (int a = 0; a < p->ng; a++)
    if (mask >> a & 1)
      for (int c = 0; c < p->gdim[a]; c++) s->colv[m] = p->goff[a] + c, s->group[m++] = a;
  s->one = s->d == 1;
  if (s->one) return sorted_build(&s->s, p->rows, p->n, p->D, s->colv[0], ord[s->colv[0]]);
  s->pair = s->d == 2 && p->n < INT32_MAX;
  if (s->pair) return pair_build(s, p, ord);
  const long **lists = knn_malloc((size_t)s->d * sizeof *lists);
  if (!lists) return false;
  for (int c = 0; c < s->d; c++) lists[c] = ord[s->colv[c]];
  bool ok = kd_build(&s->t, p->rows, p->n, p->D, s->colv, s->d, lists);
  free(lists);
  return ok;
}

/* digamma(m) for a whole m >= 1, from the job's table when small. */
static inline double psi_int(const Job *J, long m) { return m < J->npsi ? J->psi[m] : digamma((double)m); }

/* Point i's term from its k-th distance r and its counts (file comment). */
static double term(const Job *J, double r, const long *cnt) {
  switch (J->est) {
  case EST_H: return log(r);
  case EST_MI:
    if (J->variant == 1) return psi_int(J, cnt[0] + 1) + psi_int(J, cnt[1] + 1);
    return psi_int(J, cnt[0]) + psi_int(J, cnt[1]);
  case EST_CMI:
    if (J->variant == 1) return psi_int(J, cnt[0] + 1) + psi_int(J, cnt[1] + 1) - psi_int(J, cnt[2] + 1);
    return psi_int(J, cnt[0]) - 1.0 / (double)cnt[0] + psi_int(J, cnt[1]) - 1.0 / (double)cnt[1] - psi_int(J, cnt[2]);
  }
  return 0;
}

/* The estimate from the mean of the terms (a row's local value from its
 * own term). */
static double finish_mean(const Job *J, double mean) {
  double n = (double)J->p->n, k = J->k;
  switch (J->est) {
  case EST_H: return digamma(n) - digamma(k) + J->p->D * log(2.0) + J->p->D * mean + J->p->logscale;
  case EST_MI: return digamma(k) + digamma(n) - (J->variant == 2 ? 1 / k : 0) - mean;
  case EST_CMI: return J->variant == 1 ? digamma(k) - mean : digamma(k) - 2 / k - mean;
  }
  return 0;
}

/* The estimate from the summed terms. */
static double finish(const Job *J, double sum) { return finish_mean(J, sum / (double)J->p->n); }

/* Each point's local value, in parallel (the constants computed once). */
static void finish_local(const Job *J, const double *terms, double *local, int nt) {
  long n = J->p->n;
  double base = finish_mean(J, 0), sign = J->est == EST_H ? J->p->D : -1;
#pragma omp parallel for num_threads(nt) if (n > 100000) schedule(static)
  for (long i = 0; i < n; i++) local[i] = base + sign * terms[i];
}

/* Build the joint tree (when joint is given) or grid (when grid is) and
 * the counting spaces sp[0..nmask) concurrently as tasks of one team,
 * from the column orders; *built counts the spaces to free. */
static bool build_all(const Job *J, KdTree *joint, Grid *grid, const int *cols, const long *const *ord, Space *sp,
                      int *built, int nt) {
  const Prep *p = J->p;
  int okj = 1, oks[3] = {1, 1, 1};
  *built = J->nmask;
#pragma omp parallel num_threads(nt) if ((double)p->n * p->D > KNN_PAR_WORK / 100)
#pragma omp single
  {
    if (joint) {
#pragma omp task shared(okj)
      okj = kd_build(joint, p->rows, p->n, p->D, cols, p->D, ord);
    }
    if (grid) {
#pragma omp task shared(okj)
      okj = grid_build(grid, p->rows, p->n, p->D, cols, ord, J->k);
    }
    for (int m = 0; m < J->nmask; m++) {
#pragma omp task shared(oks) firstprivate(m)
      oks[m] = space_build(&sp[m], p, J->mask[m], ord);
    }
#pragma omp taskwait
  }
  return okj && oks[0] && oks[1] && oks[2];
}

/* Count, for every point, the others within its radius in the 1-D space
 * sp (group g's radii rad[g][point]), walking sp's sorted order so that
 * each query gallops from where its neighbour's ended (cache-resident)
 * instead of jumping through the array in tree order. A mapped space
 * holds Y's rows: the point at its sorted position s is joint row
 * yinv[at[s]]. Called by every thread of a team (a worksharing loop). */
static void sweep_counts(const Space *sp, const long *yinv, double *const *rad, bool strict, long *cnt) {
  const long *at = sp->s.at;
  const double *r = rad[sp->group[0]];
  long n = sp->s.n, guess[2] = {0, 0};
#pragma omp for schedule(static)
  for (long s = 0; s < n; s++) {
    if (s + 16 < n) {
      long ahead = yinv ? yinv[at[s + 16]] : at[s + 16];
      __builtin_prefetch(&r[ahead]), __builtin_prefetch(&cnt[ahead], 1);
    }
    long i = yinv ? yinv[at[s]] : at[s];
    cnt[i] = sorted_count(&sp->s, s, r[i], strict, guess);
  }
}

/* The run of sorted positions [lo[i], hi[i]] of column c of pair space
 * sp within each point's radius (point i, joint row; the space's row u
 * when mapped: i = yinv[u]). Called by every thread of a team. */
static void pair_runs(const Space *sp, int c, const long *yinv, double *const *rad, bool strict, long *lo, long *hi) {
  const Sorted1 *s1 = &sp->s2[c];
  const double *r = rad[sp->group[c]];
  long guess[2] = {0, 0};
#pragma omp for schedule(static)
  for (long t = 0; t < s1->n; t++) {
    long u = s1->at[t], i = yinv ? yinv[u] : u;
    sorted_count(s1, t, r[i], strict, guess);
    lo[i] = t - guess[1], hi[i] = t + guess[0];
  }
}

/* Fenwick tree over ranks 0 .. n - 1: the points inserted below rank y. */
static inline long fenwick_below(const int32_t *f, long y) {
  long s = 0;
  for (; y > 0; y &= y - 1) s += f[y];
  return s;
}

static inline void fenwick_add(int32_t *f, long n, long y) {
  for (y++; y <= n; y += y & -y) f[y]++;
}

/* Counts in a 2-D space (file comment: 1-D runs, then ranks): a point's
 * box is, along each column, the run of sorted positions within its
 * radius, so the others in the box are the points whose two ranks fall in
 * both runs. Counted offline in one sweep over column 0's ranks with a
 * Fenwick tree over column 1's ranks: the points of column-0 rank below X
 * are inserted when X is reached, and a point's count is the difference
 * of two such prefixes (at its run's ends), each a difference of two
 * Fenwick sums. Exact integers: the same counts as the k-d tree's. False
 * on memory exhaustion. */
static bool pair_counts(const Space *sp, const long *yinv, double *const *rad, bool strict, long *cnt, int nt) {
  long n = sp->s2[0].n;
  long *lo0 = knn_malloc((size_t)n * sizeof *lo0), *hi0 = knn_malloc((size_t)n * sizeof *hi0);
  long *lo1 = knn_malloc((size_t)n * sizeof *lo1), *hi1 = knn_malloc((size_t)n * sizeof *hi1);
  long *start = knn_calloc((size_t)n + 2, sizeof *start), *ev = knn_malloc(2 * (size_t)n * sizeof *ev);
  int32_t *fw = knn_calloc((size_t)n + 1, sizeof *fw);
  bool ok = lo0 && hi0 && lo1 && hi1 && start && ev && fw;
  if (ok) {
#pragma omp parallel num_threads(nt) if ((double)n * 40 > KNN_PAR_WORK)
    {
      pair_runs(sp, 0, yinv, rad, strict, lo0, hi0);
      pair_runs(sp, 1, yinv, rad, strict, lo1, hi1);
    }
    /* events by column-0 rank X: point i subtracts at lo0[i], adds at hi0[i] + 1 */
    for (long i = 0; i < n; i++) start[lo0[i] + 1]++, start[hi0[i] + 2]++;
    for (long x = 0; x <= n; x++) start[x + 1] += start[x];
    for (long i = 0; i < n; i++) ev[start[lo0[i]]++] = 2 * i, ev[start[hi0[i] + 1]++] = 2 * i + 1;
    /* start[x] now ends rank x's events; rank x's begin where x - 1's end */
    const Sorted1 *s0 = &sp->s2[0];
    const long *pos1 = sp->pos[1];
    for (long x = 0, e = 0; x <= n; x++) {
      for (; e < start[x]; e++) {
        long i = ev[e] >> 1, v = fenwick_below(fw, hi1[i] + 1) - fenwick_below(fw, lo1[i]);
        cnt[i] = ev[e] & 1 ? cnt[i] + v : -v;
      }
      if (x < n) fenwick_add(fw, n, pos1[s0->at[x]]);
    }
    const double *r0 = rad[sp->group[0]], *r1 = rad[sp->group[1]];
    for (long i = 0; i < n; i++) cnt[i] -= within(0, r0[i], strict) && within(0, r1[i], strict); /* itself */
  }
  free(lo0), free(hi0), free(lo1), free(hi1), free(start), free(ev), free(fw);
  return ok;
}

/* Take out of each point's counts the rows of its Theiler window that
 * the counting spaces counted: the counts were over all rows, and a
 * window holds 2 w rows at most, so rechecking them is cheaper than
 * teaching every structure to skip them. The comparisons are the
 * structures' own (fabs of the same differences, within the same radii). */
static void theiler_counts(const Job *J, const Space *sp, double *const *rad, bool strict, long *const *cnt, int nt) {
  const Prep *p = J->p;
  long n = p->n, w = J->theiler;
#pragma omp parallel for num_threads(nt) if ((double)n * (double)w > KNN_PAR_WORK) schedule(static)
  for (long i = 0; i < n; i++) {
    const double *qi = p->rows + i * p->D;
    long j0 = i - w > 0 ? i - w : 0, j1 = i + w < n - 1 ? i + w : n - 1;
    for (long j = j0; j <= j1; j++) {
      if (j == i) continue;
      const double *qj = p->rows + j * p->D;
      for (int m = 0; m < J->nmask; m++) {
        int c = 0;
        while (c < sp[m].d && within(fabs(qi[sp[m].colv[c]] - qj[sp[m].colv[c]]), rad[sp[m].group[c]][i], strict)) c++;
        cnt[m][i] -= c == sp[m].d;
      }
    }
  }
}

/* k-d tree path: the k nearest in the joint tree, leaf by leaf; counts in
 * k-d spaces sp[m] straight from the joint coordinates, in 1-D spaces
 * afterwards by sweep_counts from the radii stored per point (mapped[m]:
 * the space holds Y's rows, joint row i having Y's row ymap[i], yinv its
 * inverse). Fills terms[point]; false on memory exhaustion; *zero when
 * some r_i is 0. */
static bool run_kd(const Job *J, const KdTree *joint, const Space *sp, const long *yinv, const bool *mapped, int nt,
                   double *terms, bool *zero, IxpProgress *bar) {
  long leaves_done = 0;
  const Prep *p = J->p;
  long n = p->n, *cnt[3] = {NULL, NULL, NULL};
  double *rad[MAXG] = {NULL, NULL, NULL};
  bool sweep = false, strict = J->variant == 1;
  int ok = 1, z = 0;
  for (int m = 0; m < J->nmask; m++) sweep = sweep || sp[m].one || sp[m].pair || J->theiler; /* (counts stored) */
  for (int m = 0; sweep && m < J->nmask; m++)
    if (!(cnt[m] = knn_malloc((size_t)n * sizeof *cnt[m]))) ok = 0;
  for (int a = 0; sweep && a < p->ng; a++)
    if (!(rad[a] = knn_malloc((size_t)n * sizeof *rad[a]))) ok = 0;
  double work = (double)n * (double)(J->k + p->D) * 8;
  if (ok) {
#pragma omp parallel num_threads(nt) if (work > KNN_PAR_WORK) reduction(|| : z)
    {
      size_t slots = (size_t)joint->maxleaf * (size_t)J->k;
      double *bd = knn_malloc(slots * sizeof *bd), *tmp = knn_malloc(2 * (size_t)p->D * sizeof *tmp);
      long *bi = knn_malloc(slots * sizeof *bi);
      KnnState *st = knn_malloc((size_t)joint->maxleaf * sizeof *st);
      bool have = bd && bi && tmp && st;
      if (!have) {
#pragma omp atomic write
        ok = 0;
      }
#pragma omp for schedule(dynamic, KD_CHUNK / KD_LEAF)
      for (long l = 0; l < joint->nleaves; l++) {
        if (!have || ixp_progress_stopping()) continue;  /* Ctrl-C: the caller reports it */
        if (bar) {
          long started;
#pragma omp atomic capture
          started = ++leaves_done;
          if (omp_get_thread_num() == 0) ixp_progress_update(bar, (uint64_t)started);
        }
        long L = joint->leaves[l], lo = joint->node[L].lo, hi = joint->node[L].hi;
        for (long t = lo; t < hi; t++)
          st[t - lo] = (KnnState){joint, joint->pts + t * p->D, t, J->k, 0, J->variant == 2, bd + (t - lo) * J->k,
                                  bi + (t - lo) * J->k, J->theiler, joint->idx[t]};
        kd_knn_leaf(joint, L, st, J->variant == 2);
        for (long t = lo; t < hi; t++) {
          const double *q = joint->pts + t * p->D, *qd = st[t - lo].bd;
          const long *qi = st[t - lo].bi;
          long c[3] = {0, 0, 0}, i = joint->idx[t];
          double r = qd[J->k - 1], grad[MAXG];
          for (int a = 0; a < p->ng; a++) {
            grad[a] = r;
            if (J->variant == 1) continue;
            double e = 0;
            for (int j = 0; j < J->k; j++)
              for (int col = p->goff[a]; col < p->goff[a] + p->gdim[a]; col++) {
                double g = fabs(q[col] - joint->pts[qi[j] * p->D + col]);
                e = g > e ? g : e;
              }
            grad[a] = e;
          }
          if (r == 0) z = 1;
          for (int m = 0; m < J->nmask; m++) {
            const Space *s = &sp[m];
            if (s->one || s->pair) continue;
            double *qs = tmp, *rr = tmp + p->D;
            for (int col = 0; col < s->d; col++) qs[col] = q[s->colv[col]], rr[col] = grad[s->group[col]];
            c[m] = kd_count(&s->t, qs, rr, strict);
          }
          if (!sweep) {
            terms[i] = term(J, r, c);
            continue;
          }
          for (int m = 0; m < J->nmask; m++) cnt[m][i] = c[m];
          for (int a = 0; a < p->ng; a++) rad[a][i] = grad[a];
        }
      }
      free(bd), free(bi), free(tmp), free(st);
      if (sweep) /* every thread, so that the loops are shared */
        for (int m = 0; m < J->nmask; m++)
          if (sp[m].one) sweep_counts(&sp[m], mapped && mapped[m] ? yinv : NULL, rad, strict, cnt[m]);
    }
  }
  for (int m = 0; ok && m < J->nmask; m++)
    if (sp[m].pair && !pair_counts(&sp[m], mapped && mapped[m] ? yinv : NULL, rad, strict, cnt[m], nt)) ok = 0;
  if (ok && sweep && J->theiler) theiler_counts(J, sp, rad, strict, cnt, nt);
  if (ok && sweep) {
#pragma omp parallel for num_threads(nt) if (work > KNN_PAR_WORK) schedule(static)
    for (long i = 0; i < n; i++) {
      long c[3] = {cnt[0][i], J->nmask > 1 ? cnt[1][i] : 0, J->nmask > 2 ? cnt[2][i] : 0};
      terms[i] = term(J, 0, c);
    }
  }
  for (int m = 0; m < 3; m++) free(cnt[m]);
  for (int a = 0; a < MAXG; a++) free(rad[a]);
  *zero = z;
  return ok != 0;
}

/* Grid path (a 2-D joint space: entropy of two columns, mi of 1 + 1): the
 * k nearest of each point by grid_knn, the points taken cell by cell;
 * the marginal counts (1-D spaces) by sweep_counts from the radii stored
 * per point, as in run_kd (rows: the joint rows the grid was built from,
 * for algorithm 2's per-group radii; mapped, yinv as there). */
static bool run_grid(const Job *J, const Grid *g, const double *rows, const Space *sp, const long *yinv,
                     const bool *mapped, int nt, double *terms, bool *zero, IxpProgress *bar) {
  const Prep *p = J->p;
  long n = p->n, *cnt[3] = {NULL, NULL, NULL}, G = g->G, rows_done = 0;
  double *rad[MAXG] = {NULL, NULL, NULL};
  bool strict = J->variant == 1, canon = J->variant == 2;
  int ok = 1, z = 0, k = J->k;
  for (int m = 0; m < J->nmask; m++)
    if (!(cnt[m] = knn_malloc((size_t)n * sizeof *cnt[m]))) ok = 0;
  for (int a = 0; J->nmask && a < p->ng; a++)
    if (!(rad[a] = knn_malloc((size_t)n * sizeof *rad[a]))) ok = 0;
  double work = (double)n * (double)(k + p->D) * 8;
  if (ok) {
#pragma omp parallel num_threads(nt) if (work > KNN_PAR_WORK) reduction(|| : z)
    {
      double *bd = knn_malloc((size_t)k * sizeof *bd);
      long *bi = knn_malloc((size_t)k * sizeof *bi);
      bool have = bd && bi;
      if (!have) {
#pragma omp atomic write
        ok = 0;
      }
#pragma omp for schedule(dynamic, 1)
      for (long row = 0; row < G; row++) { /* a row of cells at a time */
        if (!have || ixp_progress_stopping()) continue; /* Ctrl-C: the caller reports it */
        if (bar) {
          long started;
#pragma omp atomic capture
          started = ++rows_done;
          if (omp_get_thread_num() == 0) ixp_progress_update(bar, (uint64_t)started);
        }
        for (long c = row * G, t = g->start[c]; t < g->start[row * G + G]; t++) {
          while (t == g->start[c + 1]) c++; /* the cell of slot t */
          long i = g->idx[t];
          GridBest s = {bd, bi, k, 0, i, INFINITY};
          grid_knn(g, c, t, &s, canon);
          double r = bd[k - 1];
          if (r == 0) z = 1;
          if (!J->nmask) {
            const long none[3] = {0, 0, 0};
            terms[i] = term(J, r, none);
            continue;
          }
          for (int a = 0; a < p->ng; a++) {
            double e = 0;
            for (int j = 0; canon && j < k; j++)
              for (int col = p->goff[a]; col < p->goff[a] + p->gdim[a]; col++) {
                double d = fabs(rows[i * p->D + col] - rows[bi[j] * p->D + col]);
                e = d > e ? d : e;
              }
            rad[a][i] = canon ? e : r;
          }
        }
      }
      free(bd), free(bi);
      if (J->nmask) { /* every thread, so that the loops below are shared */
        for (int m = 0; m < J->nmask; m++) sweep_counts(&sp[m], mapped && mapped[m] ? yinv : NULL, rad, strict, cnt[m]);
#pragma omp for schedule(static)
        for (long i = 0; i < n; i++) {
          long c3[3] = {cnt[0][i], J->nmask > 1 ? cnt[1][i] : 0, J->nmask > 2 ? cnt[2][i] : 0};
          terms[i] = term(J, 0, c3);
        }
      }
    }
  }
  for (int m = 0; m < 3; m++) free(cnt[m]);
  for (int a = 0; a < MAXG; a++) free(rad[a]);
  *zero = z;
  return ok != 0;
}

/* ------------------------------------------------------------ brute force */

/* The groups in blocks of BW points: group a's block b holds, for each
 * coordinate c, the BW points' values contiguously (blk[a] + (b gdim[a] +
 * c) BW + t is coordinate c of point b BW + t); the last block is padded
 * with zeros (distances to padding are computed and ignored). */
#define BW 16
typedef struct {
  long n, npad;
  int ng, gdim[MAXG];
  double *blk[MAXG];
  bool own[MAXG];
} Cols;

/* The blocked copy of the rows' groups, group 1's rows through ymap when
 * given; groups other than 1 are borrowed from `base` when given. */
static bool cols_build(Cols *c, const Prep *p, const long *ymap, const Cols *base) {
  memset(c, 0, sizeof *c);
  c->n = p->n, c->ng = p->ng, c->npad = (p->n + BW - 1) / BW * BW;
  for (int a = 0; a < p->ng; a++) {
    int g = c->gdim[a] = p->gdim[a];
    if (base && a != 1) {
      c->blk[a] = base->blk[a];
      continue;
    }
    c->blk[a] = knn_calloc((size_t)c->npad * (size_t)g, sizeof *c->blk[a]);
    if (!c->blk[a]) return false;
    c->own[a] = true;
    for (long i = 0; i < p->n; i++) {
      const double *row = p->rows + (ymap && a == 1 ? ymap[i] : i) * p->D + p->goff[a];
      double *dst = c->blk[a] + (i / BW) * g * BW + i % BW;
      for (int d = 0; d < g; d++) dst[d * BW] = row[d];
    }
  }
  return true;
}

/* Free the copies this one owns. */
static void cols_free(Cols *c) {
  for (int a = 0; a < MAXG; a++)
    if (c->own[a]) free(c->blk[a]);
}

/* out[b BW + t] = max over the dim coordinates of |q[c] - x| for point t of
 * block b0 + b, b < nb (portable version). */
static void tile_dist_c(const double *blk, int dim, const double *q, long b0, long nb, double *out) {
  for (long b = 0; b < nb; b++) {
    const double *x = blk + (b0 + b) * dim * BW;
    double *o = out + b * BW;
#pragma omp simd
    for (int t = 0; t < BW; t++) o[t] = fabs(q[0] - x[t]);
    for (int c = 1; c < dim; c++) {
      double qc = q[c];
#pragma omp simd
      for (int t = 0; t < BW; t++) {
        double g = fabs(qc - x[c * BW + t]);
        o[t] = o[t] > g ? o[t] : g;
      }
    }
  }
}

#if defined(__x86_64__)
/* tile_dist_c with AVX2: the sixteen running maxima stay in four
 * registers while the block's coordinates stream past. sub, andnot (abs)
 * and max are exact, so the values are those of tile_dist_c. */
__attribute__((target("avx2"))) static void tile_dist_avx2(const double *blk, int dim, const double *q, long b0, long nb,
                                                           double *out) {
  const __m256d sign = _mm256_set1_pd(-0.0);
  for (long b = 0; b < nb; b++) {
    const double *x = blk + (b0 + b) * dim * BW;
    __m256d qc = _mm256_set1_pd(q[0]);
    __m256d a0 = _mm256_andnot_pd(sign, _mm256_sub_pd(qc, _mm256_loadu_pd(x)));
    __m256d a1 = _mm256_andnot_pd(sign, _mm256_sub_pd(qc, _mm256_loadu_pd(x + 4)));
    __m256d a2 = _mm256_andnot_pd(sign, _mm256_sub_pd(qc, _mm256_loadu_pd(x + 8)));
    __m256d a3 = _mm256_andnot_pd(sign, _mm256_sub_pd(qc, _mm256_loadu_pd(x + 12)));
    for (int c = 1; c < dim; c++) {
      const double *xc = x + c * BW;
      qc = _mm256_set1_pd(q[c]);
      a0 = _mm256_max_pd(a0, _mm256_andnot_pd(sign, _mm256_sub_pd(qc, _mm256_loadu_pd(xc))));
      a1 = _mm256_max_pd(a1, _mm256_andnot_pd(sign, _mm256_sub_pd(qc, _mm256_loadu_pd(xc + 4))));
      a2 = _mm256_max_pd(a2, _mm256_andnot_pd(sign, _mm256_sub_pd(qc, _mm256_loadu_pd(xc + 8))));
      a3 = _mm256_max_pd(a3, _mm256_andnot_pd(sign, _mm256_sub_pd(qc, _mm256_loadu_pd(xc + 12))));
    }
    double *o = out + b * BW;
    _mm256_storeu_pd(o, a0), _mm256_storeu_pd(o + 4, a1), _mm256_storeu_pd(o + 8, a2), _mm256_storeu_pd(o + 12, a3);
  }
}
#endif

/* Max-norm distances of query q to the points of blocks b0 .. b0 + nb - 1
 * of one group (AVX2 when the processor has it). */
static void tile_dist(const double *blk, int dim, const double *q, long b0, long nb, double *out) {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx2")) {
    tile_dist_avx2(blk, dim, q, b0, nb, out);
    return;
  }
#endif
  tile_dist_c(blk, dim, q, b0, nb, out);
}

/* #{j < n : a[j] within ra} (strict: <, else <=). */
__attribute__((target_clones("avx2", "default"))) static long count1(const double *a, long n, double ra, bool strict) {
  long c = 0;
  if (strict) {
#pragma omp simd reduction(+ : c)
    for (long j = 0; j < n; j++) c += a[j] < ra;
  } else {
#pragma omp simd reduction(+ : c)
    for (long j = 0; j < n; j++) c += a[j] <= ra;
  }
  return c;
}

/* #{j < n : a[j] within ra and b[j] within rb}. */
__attribute__((target_clones("avx2", "default"))) static long count2(const double *a, double ra, const double *b,
                                                                     double rb, long n, bool strict) {
  long c = 0;
  if (strict) {
#pragma omp simd reduction(+ : c)
    for (long j = 0; j < n; j++) c += (a[j] < ra) & (b[j] < rb);
  } else {
#pragma omp simd reduction(+ : c)
    for (long j = 0; j < n; j++) c += (a[j] <= ra) & (b[j] <= rb);
  }
  return c;
}

/* Points j (self included) within grad[a] in every group a of mask, from
 * one query's per-group distance rows d[a][0..n). */
static long brute_count(const Cols *c, const double *const *d, int mask, const double *grad, bool strict) {
  int g[MAXG], m = 0;
  for (int a = 0; a < c->ng; a++)
    if (mask >> a & 1) g[m++] = a;
  if (m == 1) return count1(d[g[0]], c->n, grad[g[0]], strict);
  if (m == 2) return count2(d[g[0]], grad[g[0]], d[g[1]], grad[g[1]], c->n, strict);
  long cnt = 0; /* not reached: masks have one or two groups */
  for (long j = 0; j < c->n; j++) {
    bool in = true;
    for (int t = 0; t < m; t++) in = in && within(d[g[t]][j], grad[g[t]], strict);
    cnt += in;
  }
  return cnt;
}

/* The first j0 >= j, in steps of 16 while 16 remain, whose chunk j0 ..
 * j0 + 15 holds a joint distance max(a, b, c) below worst (the rest of
 * the row when fewer than 16 remain). */
__attribute__((target_clones("avx2", "default"))) static long next_chunk(const double *a, const double *b,
                                                                         const double *c, long j, long n,
                                                                         double worst) {
  for (; j + 16 <= n; j += 16) {
    int hits = 0;
#pragma omp simd reduction(+ : hits)
    for (int t = 0; t < 16; t++) {
      double v = a[j + t];
      v = b[j + t] > v ? b[j + t] : v;
      v = c[j + t] > v ? c[j + t] : v;
      hits += v < worst;
    }
    if (hits) return j;
  }
  return j;
}

/* Offer points j0 .. j1 - 1 (joint distance the max over the groups' rows
 * d[a]) to query s, scanning j in order so that ties resolve by index;
 * chunks without a candidate below the current k-th distance are skipped
 * by a vectorised test. */
static void brute_knn(const double *const *d, int ng, long j0, long j1, KnnState *s) {
  const double *a = d[0], *b = ng > 1 ? d[1] : a, *c = ng > 2 ? d[2] : a;
  double *bd = s->bd;
  int k = s->k;
  for (long j = j0; j < j1;) {
    j = next_chunk(a, b, c, j, j1, s->cnt < k ? INFINITY : bd[k - 1]);
    for (long end = j + 16 < j1 ? j + 16 : j1; j < end; j++) {
      double m = a[j];
      m = b[j] > m ? b[j] : m;
      m = c[j] > m ? c[j] : m;
      if ((s->cnt < k || m < bd[k - 1]) && j != s->self) knn_insert(s, m, j, false);
    }
  }
}

/* Queries per block of a brute-force pass whose buffer takes `per` bytes
 * a query (see run_brute). */
static long brute_block(long per) {
  long B = BRUTE_BUF_BYTES / per;
  if (B < BRUTE_MIN_QUERIES) B = BRUTE_MAX_BYTES / per < BRUTE_MIN_QUERIES ? BRUTE_MAX_BYTES / per : BRUTE_MIN_QUERIES;
  return B < 1 ? 1 : B > 64 ? 64 : B;
}

/* Blocks of BW points per data tile, for values of `elem` bytes. */
static long brute_tile(int D, long elem) {
  long tile = BRUTE_TILE_BYTES / (BW * D * elem);
  return tile < 1 ? 1 : tile;
}

/* One thread's k best of a block of B queries. */
typedef struct {
  double *bd;
  long *bi;
  KnnState *st;
} BruteStates;

static bool brute_states_alloc(BruteStates *b, long B, int k) {
  b->bd = knn_malloc((size_t)(B * k) * sizeof *b->bd);
  b->bi = knn_malloc((size_t)(B * k) * sizeof *b->bi);
  b->st = knn_malloc((size_t)B * sizeof *b->st);
  return b->bd && b->bi && b->st;
}

/* Empty k-best lists for queries i0 .. i1 - 1. */
static void brute_states_start(BruteStates *b, long i0, long i1, int k) {
  for (long i = i0; i < i1; i++)
    b->st[i - i0] = (KnnState){NULL, NULL, i, k, 0, false, b->bd + (i - i0) * k, b->bi + (i - i0) * k, 0, i};
}

static void brute_states_free(BruteStates *b) { free(b->bd), free(b->bi), free(b->st); }

/* Whether a query counts itself among the points within grad of it in
 * the groups of `mask` (its distance to itself is 0). */
static bool self_within(int mask, int ng, const double *grad, bool strict) {
  bool self = true;
  for (int a = 0; a < ng; a++)
    if (mask >> a & 1) self = self && within(0, grad[a], strict);
  return self;
}

/* Brute-force path: query blocks of B points; per block the distances to
 * every point, per group, are computed by data tiles (a tile stays in L1
 * while the block's queries visit it) into a buffer (of a few MB, grown
 * when n is large so that each tile, read from memory, serves at least
 * BRUTE_MIN_QUERIES queries), and each query's k best are updated from
 * its fresh rows of the tile (scanned in index order, so ties resolve by
 * index); then per query the radii, and the counts from the buffer. */
static bool run_brute(const Job *J, const Cols *C, const double *rows, int nt, double *terms, bool *zero) {
  const Prep *p = J->p;
  long n = p->n, npad = C->npad, per = (long)C->ng * npad * (long)sizeof(double);
  long B = brute_block(per), nblocks = (n + B - 1) / B, tile = brute_tile(p->D, sizeof(double));
  int ok = 1, z = 0, k = J->k;
#pragma omp parallel num_threads(nt) if ((double)n * (double)n * p->D > KNN_PAR_WORK) reduction(|| : z)
  {
    double *buf = knn_malloc((size_t)B * (size_t)per);
    BruteStates bs;
    bool have = brute_states_alloc(&bs, B, k) && buf;
    KnnState *st = bs.st;
    if (!have) {
#pragma omp atomic write
      ok = 0;
    }
#pragma omp for schedule(dynamic, 1)
    for (long blk = 0; blk < nblocks; blk++) {
      if (!have || ixp_progress_stopping()) continue; /* Ctrl-C: the caller reports it */
      long i0 = blk * B, i1 = i0 + B < n ? i0 + B : n;
      brute_states_start(&bs, i0, i1, k);
      for (long b0 = 0; b0 < npad / BW; b0 += tile) {
        long nb = npad / BW - b0 < tile ? npad / BW - b0 : tile, j1 = (b0 + nb) * BW < n ? (b0 + nb) * BW : n;
        for (long i = i0; i < i1; i++) {
          const double *d[MAXG] = {NULL, NULL, NULL};
          for (int a = 0; a < C->ng; a++) {
            double *row = buf + ((i - i0) * C->ng + a) * npad;
            tile_dist(C->blk[a], C->gdim[a], rows + i * p->D + p->goff[a], b0, nb, row + b0 * BW);
            d[a] = row;
          }
          brute_knn(d, C->ng, b0 * BW, j1, &st[i - i0]);
        }
      }
      for (long i = i0; i < i1; i++) {
        const double *d[MAXG], *qd = st[i - i0].bd;
        const long *qi = st[i - i0].bi;
        for (int a = 0; a < C->ng; a++) d[a] = buf + ((i - i0) * C->ng + a) * npad;
        double grad[MAXG];
        long cnt[3] = {0, 0, 0};
        for (int a = 0; a < C->ng; a++) {
          grad[a] = qd[k - 1];
          if (J->variant == 1) continue;
          double e = 0;
          for (int j = 0; j < k; j++) e = d[a][qi[j]] > e ? d[a][qi[j]] : e;
          grad[a] = e;
        }
        if (qd[k - 1] == 0) z = 1;
        for (int mm = 0; mm < J->nmask; mm++)
          cnt[mm] = brute_count(C, d, J->mask[mm], grad, J->variant == 1) -
                    self_within(J->mask[mm], C->ng, grad, J->variant == 1);
        terms[i] = term(J, qd[k - 1], cnt);
      }
    }
    free(buf);
    brute_states_free(&bs);
  }
  *zero = z;
  return ok != 0;
}

/* ------------------------------------ brute force, single-precision filter
 *
 * The same search with the distances computed in single precision (twice
 * the lanes per instruction, half the memory per row) and every decision
 * that a float distance cannot settle made on the exact double distance.
 * Each float distance f is within `slack` of the exact d: coordinates
 * rounded to float move by at most 2^-24 M (M the largest magnitude),
 * their difference by 2^-23 M, its rounding by 2^-24 (2M), and a max of
 * per-coordinate errors is bounded by the largest, so |f - d| <= 2^-22 M;
 * slack is twice that. A point enters the k nearest only if its exact
 * joint distance does, and is considered only when its f is at most the
 * k-th distance plus slack; a count takes f < g - slack as in, f > g +
 * slack as out, and decides the rest on d. So the results are those of
 * the double path, bit for bit. */

/* The groups in single precision, blocked like Cols. */
typedef struct {
  long n, npad;
  int ng, gdim[MAXG];
  float *blk[MAXG];
  double slack;
} ColsF;

/* The single-precision copy of the joint rows' groups: 1, 0 when memory
 * runs out, -1 when the values are too large for the filter (|v| >=
 * 1e30: then the double path is used). */
static int colsf_build(ColsF *c, const Prep *p, const double *rows) {
  memset(c, 0, sizeof *c);
  c->n = p->n, c->ng = p->ng, c->npad = (p->n + BW - 1) / BW * BW;
  double M = 0;
  for (long e = 0; e < p->n * p->D; e++) M = fabs(rows[e]) > M ? fabs(rows[e]) : M;
  if (!(M < 1e30)) return -1;
  c->slack = ldexp(M, -21) + 1e-37;
  for (int a = 0; a < p->ng; a++) {
    int g = c->gdim[a] = p->gdim[a];
    if (!(c->blk[a] = knn_calloc((size_t)c->npad * (size_t)g, sizeof *c->blk[a]))) return 0;
    for (long i = 0; i < p->n; i++) {
      const double *row = rows + i * p->D + p->goff[a];
      float *dst = c->blk[a] + (i / BW) * g * BW + i % BW;
      for (int d = 0; d < g; d++) dst[d * BW] = (float)row[d];
    }
  }
  return 1;
}

/* Free a single-precision copy. */
static void colsf_free(ColsF *c) {
  for (int a = 0; a < MAXG; a++) free(c->blk[a]);
}

/* tile_dist_c in single precision. */
static void tile_dist_f_c(const float *blk, int dim, const float *q, long b0, long nb, float *out) {
  for (long b = 0; b < nb; b++) {
    const float *x = blk + (b0 + b) * dim * BW;
    float *o = out + b * BW;
    for (int t = 0; t < BW; t++) o[t] = fabsf(q[0] - x[t]);
    for (int c = 1; c < dim; c++)
      for (int t = 0; t < BW; t++) {
        float g = fabsf(q[c] - x[c * BW + t]);
        o[t] = o[t] > g ? o[t] : g;
      }
  }
}

#if defined(__x86_64__)
/* tile_dist_f_c with AVX2: sixteen running maxima in two registers. */
__attribute__((target("avx2"))) static void tile_dist_f_avx2(const float *blk, int dim, const float *q, long b0,
                                                             long nb, float *out) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  for (long b = 0; b < nb; b++) {
    const float *x = blk + (b0 + b) * dim * BW;
    __m256 qc = _mm256_set1_ps(q[0]);
    __m256 a0 = _mm256_andnot_ps(sign, _mm256_sub_ps(qc, _mm256_loadu_ps(x)));
    __m256 a1 = _mm256_andnot_ps(sign, _mm256_sub_ps(qc, _mm256_loadu_ps(x + 8)));
    for (int c = 1; c < dim; c++) {
      const float *xc = x + c * BW;
      qc = _mm256_set1_ps(q[c]);
      a0 = _mm256_max_ps(a0, _mm256_andnot_ps(sign, _mm256_sub_ps(qc, _mm256_loadu_ps(xc))));
      a1 = _mm256_max_ps(a1, _mm256_andnot_ps(sign, _mm256_sub_ps(qc, _mm256_loadu_ps(xc + 8))));
    }
    _mm256_storeu_ps(out + b * BW, a0), _mm256_storeu_ps(out + b * BW + 8, a1);
  }
}
#endif

/* Single-precision distances of query q to blocks b0 .. b0 + nb - 1. */
static void tile_dist_f(const float *blk, int dim, const float *q, long b0, long nb, float *out) {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx2")) {
    tile_dist_f_avx2(blk, dim, q, b0, nb, out);
    return;
  }
#endif
  tile_dist_f_c(blk, dim, q, b0, nb, out);
}

/* The float nearest v from below (down) or above. */
static float float_below(double v) {
  float f = (float)v;
  return (double)f > v ? nextafterf(f, -INFINITY) : f;
}
static float float_above(double v) {
  float f = (float)v;
  return (double)f < v ? nextafterf(f, INFINITY) : f;
}

/* The first j0 >= j, in steps of 16 while 16 remain, whose chunk holds a
 * joint float distance max(a, b, c) at most thr. */
__attribute__((target_clones("avx2", "default"))) static long next_chunk_f(const float *a, const float *b,
                                                                           const float *c, long j, long n,
                                                                           float thr) {
  for (; j + 16 <= n; j += 16) {
    int hits = 0;
#pragma omp simd reduction(+ : hits)
    for (int t = 0; t < 16; t++) hits += (a[j + t] <= thr) & (b[j + t] <= thr) & (c[j + t] <= thr);
    if (hits) return j;
  }
  return j;
}

/* next_chunk_f for one or two groups (b may be a). */
__attribute__((target_clones("avx2", "default"))) static long next_chunk_f2(const float *a, const float *b, long j,
                                                                            long n, float thr) {
  for (; j + 16 <= n; j += 16) {
    int hits = 0;
#pragma omp simd reduction(+ : hits)
    for (int t = 0; t < 16; t++) hits += (a[j + t] <= thr) & (b[j + t] <= thr);
    if (hits) return j;
  }
  return j;
}

#if defined(__x86_64__)
/* next_chunk_f2 with AVX2. */
__attribute__((target("avx2"))) static long next_chunk_f2_avx2(const float *a, const float *b, long j, long n,
                                                               float thr) {
  __m256 t = _mm256_set1_ps(thr);
  for (; j + 16 <= n; j += 16) {
    __m256 h0 = _mm256_and_ps(_mm256_cmp_ps(_mm256_loadu_ps(a + j), t, _CMP_LE_OQ),
                              _mm256_cmp_ps(_mm256_loadu_ps(b + j), t, _CMP_LE_OQ));
    __m256 h1 = _mm256_and_ps(_mm256_cmp_ps(_mm256_loadu_ps(a + j + 8), t, _CMP_LE_OQ),
                              _mm256_cmp_ps(_mm256_loadu_ps(b + j + 8), t, _CMP_LE_OQ));
    if (_mm256_movemask_ps(_mm256_or_ps(h0, h1))) return j;
  }
  return j;
}
#endif

/* Exact max-norm distance in group a between joint row q and row j. */
static inline double exact_dist(const Prep *p, const double *rows, const double *q, long j, int a) {
  const double *x = rows + j * p->D + p->goff[a];
  double m = 0;
  for (int c = 0; c < p->gdim[a]; c++) {
    double g = fabs(q[p->goff[a] + c] - x[c]);
    m = g > m ? g : m;
  }
  return m;
}

/* Offer points off .. off + len - 1 (float rows f[a][0 .. len)) to query
 * s (joint row q) in index order: those whose float distance allows it
 * are measured exactly and offered as in brute_knn. */
static void brute_knn_f(const Prep *p, const double *rows, const double *q, const float *const *f, int ng,
                        double slack, bool avx, long off, long len, KnnState *s) {
  const float *a = f[0], *b = ng > 1 ? f[1] : a, *c = ng > 2 ? f[2] : a;
  int k = s->k;
  for (long j = 0; j < len;) {
    float thr = s->cnt < k ? INFINITY : float_above(s->bd[k - 1] + slack);
#if defined(__x86_64__)
    if (avx && ng < 3) j = next_chunk_f2_avx2(a, b, j, len, thr);
    else
#endif
      j = ng < 3 ? next_chunk_f2(a, b, j, len, thr) : next_chunk_f(a, b, c, j, len, thr);
    for (long end = j + 16 < len ? j + 16 : len; j < end; j++) {
      float v = a[j];
      v = b[j] > v ? b[j] : v;
      v = c[j] > v ? c[j] : v;
      if (!(v <= thr) || off + j == s->self) continue;
      double m = 0;
      for (int g = 0; g < ng; g++) {
        double e = exact_dist(p, rows, q, off + j, g);
        m = e > m ? e : m;
      }
      if (s->cnt < k || m < s->bd[k - 1]) knn_insert(s, m, off + j, false);
      thr = s->cnt < k ? INFINITY : float_above(s->bd[k - 1] + slack);
    }
  }
}

/* Thresholds of a count in one group: a float below lo is surely
 * within the radius, one above hi surely out. */
typedef struct {
  float lo, hi;
} Band;

/* The sure count of chunk j .. j + 15 (one or, when two, both rows
 * surely within) into *in; the undecided lanes as bits. */
INLINE unsigned chunk_count(const float *a, Band ba, const float *b, Band bb, bool two, long j, long *in) {
  unsigned maybe = 0;
  long sure = 0;
  for (int t = 0; t < 16; t++) {
    int s0 = a[j + t] < ba.lo, o0 = a[j + t] > ba.hi;
    int s1 = two ? b[j + t] < bb.lo : 1, o1 = two ? b[j + t] > bb.hi : 0;
    sure += s0 & s1;
    maybe |= (unsigned)(!(s0 & s1) & !(o0 | o1)) << t;
  }
  *in += sure;
  return maybe;
}

/* Points j < n surely within in every group, plus the undecided ones
 * found within on the exact distances (groups g0, g1; two: g1 != g0). */
INLINE long count_rows_f(const Prep *p, const double *rows, const double *q, const float *a, const float *b,
                         const int *g, const Band *band, const double *grad, bool two, bool strict) {
  long n = p->n, in = 0, j = 0;
  for (; j < n; j += 16) {
    unsigned maybe;
    if (j + 16 <= n) maybe = chunk_count(a, band[0], b, band[1], two, j, &in);
    else { /* the tail, lane by lane */
      maybe = 0;
      for (long t = j; t < n; t++) {
        bool s0 = a[t] < band[0].lo, o0 = a[t] > band[0].hi, s1 = !two || b[t] < band[1].lo, o1 = two && b[t] > band[1].hi;
        in += s0 && s1;
        maybe |= (unsigned)(!(s0 && s1) && !(o0 || o1)) << (t - j);
      }
    }
    for (; maybe; maybe &= maybe - 1) {
      long t = j + __builtin_ctz(maybe);
      in += within(exact_dist(p, rows, q, t, g[0]), grad[g[0]], strict) &&
            (!two || within(exact_dist(p, rows, q, t, g[1]), grad[g[1]], strict));
    }
  }
  return in;
}

#if defined(__x86_64__)
/* The lanes of x (16 floats) below v and above w, as bits. */
__attribute__((target("avx2"))) static inline void lanes_band(const float *x, __m256 v, __m256 w, unsigned *below,
                                                              unsigned *above) {
  __m256 x0 = _mm256_loadu_ps(x), x1 = _mm256_loadu_ps(x + 8);
  *below = (unsigned)(_mm256_movemask_ps(_mm256_cmp_ps(x0, v, _CMP_LT_OQ)) |
                      _mm256_movemask_ps(_mm256_cmp_ps(x1, v, _CMP_LT_OQ)) << 8);
  *above = (unsigned)(_mm256_movemask_ps(_mm256_cmp_ps(x0, w, _CMP_GT_OQ)) |
                      _mm256_movemask_ps(_mm256_cmp_ps(x1, w, _CMP_GT_OQ)) << 8);
}

/* count_rows_f with AVX2: per chunk of 16 the sure and undecided lanes
 * as bit masks. */
__attribute__((target("avx2,popcnt"))) static long count_rows_f_avx2(const Prep *p, const double *rows,
                                                                     const double *q, const float *a, const float *b,
                                                                     const int *g, const Band *band,
                                                                     const double *grad, bool two, bool strict) {
  long n = p->n, in = 0, j = 0;
  __m256 lo0 = _mm256_set1_ps(band[0].lo), hi0 = _mm256_set1_ps(band[0].hi);
  __m256 lo1 = _mm256_set1_ps(two ? band[1].lo : 0), hi1 = _mm256_set1_ps(two ? band[1].hi : 0);
  for (; j + 16 <= n; j += 16) {
    unsigned s0, o0, s1 = 0xFFFF, o1 = 0;
    lanes_band(a + j, lo0, hi0, &s0, &o0);
    if (two) lanes_band(b + j, lo1, hi1, &s1, &o1);
    unsigned sure = s0 & s1, maybe = ~(sure | o0 | o1) & 0xFFFF;
    in += __builtin_popcount(sure);
    for (; maybe; maybe &= maybe - 1) {
      long t = j + __builtin_ctz(maybe);
      in += within(exact_dist(p, rows, q, t, g[0]), grad[g[0]], strict) &&
            (!two || within(exact_dist(p, rows, q, t, g[1]), grad[g[1]], strict));
    }
  }
  if (j < n) { /* the tail */
    Prep tail = *p;
    tail.n = n - j;
    in += count_rows_f(&tail, rows + j * p->D, q, a + j, b + j, g, band, grad, two, strict);
  }
  return in;
}

#endif

/* count_rows_f, with AVX2 when the processor has it. */
static long count_f(const Prep *p, const double *rows, const double *q, const float *a, const float *b, const int *g,
                    const Band *band, const double *grad, bool two, bool strict) {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx2")) return count_rows_f_avx2(p, rows, q, a, b, g, band, grad, two, strict);
#endif
  return count_rows_f(p, rows, q, a, b, g, band, grad, two, strict);
}

/* Points j (self included) within grad[a] in every group a of mask (one
 * or two groups), from the float rows, undecided ones measured exactly. */
static long brute_count_f(const Prep *p, const double *rows, const double *q, const float *const *f, int mask,
                          const double *grad, double slack, bool strict) {
  int g[2] = {0, 0}, m = 0;
  for (int a = 0; a < p->ng && m < 2; a++)
    if (mask >> a & 1) g[m++] = a;
  Band band[2];
  for (int t = 0; t < m; t++) band[t] = (Band){float_below(grad[g[t]] - slack), float_above(grad[g[t]] + slack)};
  return count_f(p, rows, q, f[g[0]], f[g[m - 1]], g, band, grad, m == 2, strict);
}

/* run_brute with the single-precision filter (rows the joint rows, F
 * their float copy). */
static bool run_brute_f(const Job *J, const ColsF *F, const double *rows, int nt, double *terms, bool *zero) {
  const Prep *p = J->p;
  long n = p->n, npad = F->npad, tile = brute_tile(p->D, sizeof(float));
  long per = (long)F->ng * npad * (long)sizeof(float), B = brute_block(per), nblocks = (n + B - 1) / B;
  int ok = 1, z = 0, k = J->k;
  bool strict = J->variant == 1, avx = false;
#if defined(__x86_64__)
  avx = __builtin_cpu_supports("avx2");
#endif
#pragma omp parallel num_threads(nt) if ((double)n * (double)n * p->D > KNN_PAR_WORK) reduction(|| : z)
  {
    float *buf = knn_malloc((size_t)B * (size_t)per), *qf = knn_malloc((size_t)p->D * sizeof *qf);
    BruteStates bs;
    bool have = brute_states_alloc(&bs, B, k) && buf && qf;
    KnnState *st = bs.st;
    if (!have) {
#pragma omp atomic write
      ok = 0;
    }
#pragma omp for schedule(dynamic, 1)
    for (long blk = 0; blk < nblocks; blk++) {
      if (!have || ixp_progress_stopping()) continue; /* Ctrl-C: the caller reports it */
      long i0 = blk * B, i1 = i0 + B < n ? i0 + B : n;
      brute_states_start(&bs, i0, i1, k);
      for (long b0 = 0; b0 < npad / BW; b0 += tile) {
        long nb = npad / BW - b0 < tile ? npad / BW - b0 : tile, j1 = (b0 + nb) * BW < n ? (b0 + nb) * BW : n;
        for (long i = i0; i < i1; i++) {
          const double *q = rows + i * p->D;
          const float *f[MAXG] = {NULL, NULL, NULL};
          for (int c = 0; c < p->D; c++) qf[c] = (float)q[c];
          for (int a = 0; a < F->ng; a++) {
            float *row = buf + ((i - i0) * F->ng + a) * npad + b0 * BW;
            tile_dist_f(F->blk[a], F->gdim[a], qf + p->goff[a], b0, nb, row);
            f[a] = row;
          }
          brute_knn_f(p, rows, q, f, F->ng, F->slack, avx, b0 * BW, j1 - b0 * BW, &st[i - i0]);
        }
      }
      for (long i = i0; i < i1; i++) {
        const double *qd = st[i - i0].bd, *q = rows + i * p->D;
        const long *qi = st[i - i0].bi;
        const float *f[MAXG];
        for (int a = 0; a < F->ng; a++) f[a] = buf + ((i - i0) * F->ng + a) * npad;
        double grad[MAXG];
        long cnt[3] = {0, 0, 0};
        for (int a = 0; a < F->ng; a++) {
          grad[a] = qd[k - 1];
          if (J->variant == 1) continue;
          double e = 0;
          for (int j = 0; j < k; j++) {
            double v = exact_dist(p, rows, q, qi[j], a);
            e = v > e ? v : e;
          }
          grad[a] = e;
        }
        if (qd[k - 1] == 0) z = 1;
        for (int mm = 0; mm < J->nmask; mm++)
          cnt[mm] = brute_count_f(p, rows, q, f, J->mask[mm], grad, F->slack, strict) -
                    self_within(J->mask[mm], F->ng, grad, strict);
        terms[i] = term(J, qd[k - 1], cnt);
      }
    }
    free(buf), free(qf);
    brute_states_free(&bs);
  }
  *zero = z;
  return ok != 0;
}

/* Brute force on the joint rows (Y's rows permuted by ymap when given,
 * X's copy borrowed from base when given): the single-precision filter
 * when the values allow it, else the double path. */
static bool brute(const Job *J, const double *rows, const long *ymap, const Cols *base, int nt, double *terms,
                  bool *zero) {
  ColsF F;
  int f = colsf_build(&F, J->p, rows);
  bool ok = false;
  if (f > 0) ok = run_brute_f(J, &F, rows, nt, terms, zero);
  colsf_free(&F);
  if (f >= 0) return ok;
  Cols C;
  ok = cols_build(&C, J->p, ymap, base) && run_brute(J, &C, rows, nt, terms, zero);
  cols_free(&C);
  return ok;
}

/* ------------------------------------------------------- neighbour lists */

/* For one group of a two-group estimate (MI), each point's nearest other
 * points in that group's subspace, ascending by (distance, index): list i
 * is d[i m ..], j[i m ..], len[i] <= m entries, and every point not in it
 * is at distance >= bound[i] (infinite: the list holds every point).
 * Built once by brute force; a permutation surrogate of Y reuses both
 * groups' lists, since permuting Y's rows only renames Y's points. */
typedef struct {
  long n, m;
  double *d, *bound;
  int32_t *j, *len;
} NbrList;

typedef struct {
  double d;
  int32_t j;
} NbrEntry;

/* Whether entry a comes before b: by distance, then by index. */
static inline bool nbr_before(NbrEntry a, NbrEntry b) { return a.d < b.d || (a.d == b.d && a.j < b.j); }

/* Sort e[0..n) by nbr_before (quicksort, median of three, insertion sort
 * below 16; no two entries are equal). */
static void nbr_sort(NbrEntry *e, long n) {
  while (n > 16) {
    NbrEntry *a = &e[0], *b = &e[n / 2], *c = &e[n - 1], t;
    if (nbr_before(*b, *a)) t = *a, *a = *b, *b = t;
    if (nbr_before(*c, *b)) t = *b, *b = *c, *c = t;
    if (nbr_before(*b, *a)) t = *a, *a = *b, *b = t;
    NbrEntry piv = *b;
    long i = 0, j = n - 1;
    for (;;) {
      while (nbr_before(e[i], piv)) i++;
      while (nbr_before(piv, e[j])) j--;
      if (i >= j) break;
      t = e[i], e[i++] = e[j], e[j--] = t;
    }
    long left = j + 1; /* e[0..left) <= piv <= e[left..n) */
    if (left < n - left) nbr_sort(e, left), e += left, n -= left;
    else nbr_sort(e + left, n - left), n = left;
  }
  for (long i = 1; i < n; i++) {
    NbrEntry v = e[i];
    long j = i;
    while (j > 0 && nbr_before(v, e[j - 1])) e[j] = e[j - 1], j--;
    e[j] = v;
  }
}


/* Free a list set. */
static void nbr_free(NbrList *L) { free(L->d), free(L->bound), free(L->j), free(L->len); }

/* A cut below which about `want` of the n - 1 distances row[j != i] lie:
 * the matching order statistic of a strided sample of NBR_SAMPLE (kept
 * as the smallest r + 1 values seen, in order). */
static double nbr_cut(const double *row, long n, long i, long want) {
  long stride = n / NBR_SAMPLE > 1 ? n / NBR_SAMPLE : 1, start = (i + 1) % stride;
  long ns = (n - start + stride - 1) / stride < NBR_SAMPLE ? (n - start + stride - 1) / stride : NBR_SAMPLE;
  long r = (long)((double)want / (double)(n - 1) * (double)ns), kept = 0;
  if (r >= ns - 1) return INFINITY; /* at most ns - 1 samples (i may be one) */
  double top[NBR_SAMPLE];
  for (long t = 0; t < ns; t++) {
    long j = start + t * stride, y;
    if (j == i) continue;
    double v = row[j];
    if (kept <= r) y = kept++;
    else if (v < top[r]) y = r;
    else continue;
    while (y > 0 && top[y - 1] > v) top[y] = top[y - 1], y--;
    top[y] = v;
  }
  return top[r];
}

/* Build group a's lists of up to m entries from the blocked columns: per
 * point the distances to all points (tiles), the points below a sampled
 * cut aimed at m / 2 (in index order), sorted; when more than m pass, the
 * first m are kept and the bound is the first one left out. */
static bool nbr_build(NbrList *L, const Cols *C, const Prep *p, int a, long m, int nt) {
  long n = p->n, npad = C->npad;
  L->n = n, L->m = m;
  L->d = knn_malloc((size_t)n * (size_t)m * sizeof *L->d);
  L->j = knn_malloc((size_t)n * (size_t)m * sizeof *L->j);
  L->bound = knn_malloc((size_t)n * sizeof *L->bound);
  L->len = knn_malloc((size_t)n * sizeof *L->len);
  if (!L->d || !L->j || !L->bound || !L->len) return false;
  int ok = 1;
  double work = (double)n * (double)n * C->gdim[a];
#pragma omp parallel num_threads(nt) if (work > KNN_PAR_WORK)
  {
    double *row = knn_malloc((size_t)npad * sizeof *row);
    NbrEntry *e = knn_malloc((size_t)n * sizeof *e);
    if (!row || !e) {
#pragma omp atomic write
      ok = 0;
    }
#pragma omp for schedule(dynamic, 16)
    for (long i = 0; i < n; i++) {
      if (!row || !e) continue;
      tile_dist(C->blk[a], C->gdim[a], p->rows + i * p->D + p->goff[a], 0, npad / BW, row);
      double cut = m >= n - 1 ? INFINITY : nbr_cut(row, n, i, m / 2);
      long c = 0;
      for (long j = 0; j < n; j++) {
        e[c] = (NbrEntry){row[j], (int32_t)j};
        c += j != i && row[j] < cut;
      }
      nbr_sort(e, c);
      if (c > m) cut = e[m].d, c = m;
      L->bound[i] = cut, L->len[i] = (int32_t)c;
      for (long r = 0; r < c; r++) L->d[i * m + r] = e[r].d, L->j[i * m + r] = e[r].j;
    }
    free(row), free(e);
  }
  return ok != 0;
}

/* Group-a distance between joint rows i and j, Y's rows read through
 * perm (the joint row i holds Y's row perm[i]). */
INLINE double nbr_dist(const Prep *p, int a, const long *perm, long i, long j) {
  const double *u = p->rows + (a == 1 ? perm[i] : i) * p->D + p->goff[a];
  const double *v = p->rows + (a == 1 ? perm[j] : j) * p->D + p->goff[a];
  double m = 0;
  for (int c = 0; c < p->gdim[a]; c++) {
    double g = fabs(u[c] - v[c]);
    m = g > m ? g : m;
  }
  return m;
}

/* Offer joint point j to query i's k best (once: `seen` stamps); its
 * distance in group `known` (0 or 1; -1: none) is given as dk. */
INLINE void nbr_offer(const Prep *p, const long *perm, long i, long j, int known, double dk, unsigned *seen,
                      unsigned stamp, KnnState *s, bool canon) {
  if (seen[j] == stamp) return;
  seen[j] = stamp;
  double d0 = known == 0 ? dk : nbr_dist(p, 0, perm, i, j), d1 = known == 1 ? dk : nbr_dist(p, 1, perm, i, j);
  double m = d0 > d1 ? d0 : d1;
  if (knn_accepts(s, m, j, canon)) knn_insert(s, m, j, canon);
}

/* Lower bound on the group distances of the points list lp has not
 * yet offered after `read` entries: the next entry's, or the list's bound
 * when it is used up. */
static inline double nbr_frontier(const NbrList *L, long lp, long read) {
  return read < L->len[lp] ? L->d[lp * L->m + read] : L->bound[lp];
}

/* #{other points within r of list lp's point} from the list, or -1 when
 * points off the list might be within r. */
static long nbr_count(const NbrList *L, long lp, double r, bool strict) {
  if (strict ? r > L->bound[lp] : r >= L->bound[lp]) return -1;
  const double *d = L->d + lp * L->m;
  long lo = 0, hi = L->len[lp]; /* first entry not within r */
  while (lo < hi) {
    long mid = lo + (hi - lo) / 2;
    if (within(d[mid], r, strict)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* Query i's k nearest in the joint space by walking its X list and its Y
 * point's Y list together (always the one whose next distance is larger:
 * it passes the k-th distance sooner), until a point not yet offered can
 * no longer enter: its distance in either group is at least that list's
 * frontier. When both lists run out first, every point is offered. */
static void nbr_knn(const Prep *p, const NbrList *L, const long *perm, const long *inv, long i, unsigned *seen,
                    unsigned stamp, KnnState *s, bool canon) {
  long lp[2] = {i, perm[i]}, read[2] = {0, 0};
  seen[i] = stamp;
  for (;;) {
    double f0 = nbr_frontier(&L[0], lp[0], read[0]), f1 = nbr_frontier(&L[1], lp[1], read[1]), f = f0 > f1 ? f0 : f1;
    if (s->cnt == s->k && (f > s->bd[s->k - 1] || (!canon && f == s->bd[s->k - 1]))) return;
    bool more0 = read[0] < L[0].len[lp[0]], more1 = read[1] < L[1].len[lp[1]];
    int g = more0 && (f0 >= f1 || !more1) ? 0 : more1 ? 1 : -1;
    if (g < 0) break;
    long e = lp[g] * L[g].m + read[g]++;
    nbr_offer(p, perm, i, g == 0 ? L[g].j[e] : inv[L[g].j[e]], g, L[g].d[e], seen, stamp, s, canon);
  }
  for (long j = 0; j < p->n; j++) nbr_offer(p, perm, i, j, -1, 0, seen, stamp, s, canon);
}

/* Neighbour-list path for MI with Y's rows permuted by perm (identity for
 * the estimate itself; inv its inverse): per point the walk above, then
 * the counts by binary search in the lists; when a list is too short, by
 * tiles over the group's points in their own order (C, unpermuted: a
 * group's count does not depend on the pairing). */
static bool run_lists(const Job *J, const NbrList *L, const Cols *C, const long *perm, const long *inv, int nt,
                      double *terms, bool *zero) {
  const Prep *p = J->p;
  long n = p->n;
  int ok = 1, z = 0;
  bool canon = J->variant == 2, strict = J->variant == 1;
  double work = (double)n * (double)(L[0].m + L[1].m) / 4;
#pragma omp parallel num_threads(nt) if (work > KNN_PAR_WORK) reduction(|| : z)
  {
    unsigned *seen = knn_calloc((size_t)n, sizeof *seen), stamp = 0;
    double *bd = knn_malloc((size_t)J->k * sizeof *bd), *row = knn_malloc((size_t)C->npad * sizeof *row);
    long *bi = knn_malloc((size_t)J->k * sizeof *bi);
    bool have = seen && bd && bi && row;
    if (!have) {
#pragma omp atomic write
      ok = 0;
    }
#pragma omp for schedule(dynamic, KD_CHUNK)
    for (long i = 0; i < n; i++) {
      if (!have || ixp_progress_stopping()) continue;
      if (++stamp == 0) memset(seen, 0, (size_t)n * sizeof *seen), stamp = 1;
      KnnState s = {NULL, NULL, i, J->k, 0, canon, bd, bi, 0, i};
      nbr_knn(p, L, perm, inv, i, seen, stamp, &s, canon);
      double r = bd[J->k - 1], grad[2] = {r, r};
      if (J->variant == 2)
        for (int a = 0; a < 2; a++) {
          grad[a] = 0;
          for (int t = 0; t < J->k; t++) {
            double g = nbr_dist(p, a, perm, i, bi[t]);
            grad[a] = g > grad[a] ? g : grad[a];
          }
        }
      if (r == 0) z = 1;
      long cnt[3] = {0, 0, 0};
      for (int a = 0; a < 2; a++) {
        long lp = a == 0 ? i : perm[i];
        cnt[a] = nbr_count(&L[a], lp, grad[a], strict);
        if (cnt[a] >= 0) continue;
        tile_dist(C->blk[a], C->gdim[a], p->rows + lp * p->D + p->goff[a], 0, C->npad / BW, row);
        cnt[a] = count1(row, n, grad[a], strict) - within(0, grad[a], strict);
      }
      terms[i] = term(J, r, cnt);
    }
    free(seen), free(bd), free(bi), free(row);
  }
  *zero = z;
  return ok != 0;
}

/* Entries per list: a few times the expected count of the larger group
 * when the joint k-ball holds k points and the groups are independent
 * (the permutation null: n (k/n)^(d_a/D) inside group a's ball), at least
 * 2k + 16, at most n - 1. Longer counts fall back to a scan. */
static long nbr_length(const int *gdim, long n, int k) {
  double most = 0, D = gdim[0] + gdim[1];
  for (int a = 0; a < 2; a++) {
    double c = (double)n * pow((double)k / (double)n, gdim[a] / D);
    most = c > most ? c : most;
  }
  double m = NBR_SLACK * most > 2 * k + 16 ? NBR_SLACK * most : 2 * k + 16;
  return m < (double)(n - 1) ? (long)m : n - 1;
}

/* Both groups' lists from the blocked columns. */
static bool lists_build(NbrList *L, const Cols *C, const Prep *p, int k, int nt) {
  long m = nbr_length(p->gdim, p->n, k);
  return nbr_build(&L[0], C, p, 0, m, nt) && nbr_build(&L[1], C, p, 1, m, nt);
}

/* ------------------------------------------------------------ the drivers */

/* ------------------------------------------------------------ cost model
 *
 * AUTO takes the index of least estimated time. The formulas are fits to
 * one-thread medians on this project's 2-core build machine (AMD EPYC,
 * AVX2, 1 MB L2 per core; Gaussian data, k = 4; the machine shared with
 * other builds, so every figure carries noise of tens of percent):
 *
 *   KSG-1 mi, seconds        D=2     D=4     D=6     D=8     D=10    D=12
 *   N=1e3  k-d tree        0.0005  0.0039  0.010   0.020   0.025   0.033
 *          brute force     0.0027  0.0029  0.0033  0.0036  0.0028  0.0030
 *   N=1e4  k-d tree        0.0057  0.075   0.27    0.82    1.80    2.70
 *          brute force     0.16    0.14    0.14    0.16    0.18    0.17
 *   N=3e4  k-d tree        0.018   0.23    1.08    -       -       -
 *          brute force     -       -       1.27    1.45    1.47    1.47
 *   N=1e5  k-d tree        0.17    1.74    9.8     29      126     277
 *   (brute force in single precision with exact rechecks; 25 + 25
 *   dimensions at N = 2e4: 1.6 s. The N=1e5 tree row is from before the
 *   sorted-order counts.) Kozachenko-Leonenko (D=1..12) behaves alike
 *   without the counts: the tree wins up to D=4 at N=1e3..1e4, brute force
 *   from D=6.
 *
 * The k-d tree's time per point grows with N faster the higher D (its
 * pruning weakens): log(t/N) = c + a D + b D log(N/1e4) fits within a
 * factor 2; brute force is N^2 (p + q D). So the tree is taken for D <= 3
 * at any N, brute force below about N = 2000 at D = 4, 2e4 at D = 6, a
 * few 1e5 at D = 8 and beyond 1e6 at D = 10.
 *
 * The grid (2-D joint spaces: mi of 1 + 1 columns, entropy of 2) against
 * the tree, one thread, normals of correlation 0.9, seconds:
 *
 *                          N=1e3    N=1e4   N=1e5   N=1e6
 *   KSG-1 mi   k-d tree    0.00052  0.0079  0.071   1.20
 *              grid        0.00042  0.0053  0.055   0.68
 *   KL entropy k-d tree    0.00034  0.0052  0.044   0.56
 *              grid        0.00021  0.0033  0.035   0.45
 *
 * fitted as N c (1 + b log(N/1e4)); it is taken wherever it applies
 * (the tree's fit, from many dimensions, overstates D = 2).
 *
 * Neighbour lists (mi with permutations) cost a build of a few brute
 * force estimates (N = 4000: 0.35 s; a sort of each point's list) and
 * then per estimate about 30 ns per entry walked, sqrt(k N) entries per
 * point for balanced groups: 5 + 5 dims, N = 4000, 150 surrogates take
 * 2.4 s on one thread against 4.9 s for brute force. They are taken when their total is the least and their memory
 * (24 bytes per entry) fits NBR_MAX_BYTES. k enters only there: the
 * tree and brute force were measured at k = 4. */

/* Estimated one-thread seconds of one estimate with a k-d tree (counts:
 * KSG, else entropy). */
static double cost_kdtree(long n, int D, bool counts) {
  double N = (double)n, l = log(N / 1e4);
  return counts ? N * exp(-14.26 + 0.570 * D + 0.0697 * D * l) : N * exp(-15.49 + 0.672 * D + 0.100 * D * l);
}

/* Estimated one-thread seconds of one estimate with the grid (2-D joint
 * spaces only; counts: KSG, else entropy). */
static double cost_grid(long n, bool counts) {
  double N = (double)n, l = log(N / 1e4);
  return counts ? N * 5.3e-7 * (1 + 0.10 * l) : N * 3.3e-7 * (1 + 0.08 * l);
}

/* Estimated one-thread seconds of one brute-force estimate. */
static double cost_brute(long n, int D, bool counts) {
  double N = (double)n;
  return counts ? 1e-3 + N * N * (1.2e-9 + 5.5e-11 * D) : N * N * (6.3e-10 + 1.9e-10 * D);
}

/* Estimated one-thread seconds of one walk of balanced neighbour lists:
 * about sqrt(k N) entries a point, 30 ns an entry. */
static double lists_walk_seconds(long n, int k) {
  double N = (double)n;
  return 3e-8 * N * sqrt((double)k * N);
}

/* Estimated one-thread seconds of the neighbour lists over `reps`
 * estimates, or infinity when they would not fit in memory. */
static double cost_lists(long n, const int *gdim, int k, int reps) {
  double N = (double)n;
  double lo = gdim[0] < gdim[1] ? gdim[0] : gdim[1], hi = gdim[0] < gdim[1] ? gdim[1] : gdim[0];
  double balance = hi / lo; /* unbalanced groups: long lists and more count scans */
  if ((double)nbr_length(gdim, n, k) * N * 24 > NBR_MAX_BYTES || n - 1 > INT32_MAX) return INFINITY;
  return N * N * 2.2e-8 + reps * lists_walk_seconds(n, k) * balance;
}

/* Estimated one-thread seconds of one permutation surrogate of job J's
 * index (the lists without their build). */
static double surrogate_seconds(const Job *J) {
  const Prep *p = J->p;
  if (J->index == IXP_INDEX_LISTS) return lists_walk_seconds(p->n, J->k);
  if (J->index == IXP_INDEX_GRID) return cost_grid(p->n, true);
  return J->index == IXP_INDEX_BRUTE ? cost_brute(p->n, p->D, true) : cost_kdtree(p->n, p->D, true);
}

/* The index AUTO uses (knn.h). */
IxpIndexKind ixp_knn_auto_index(int ng, const int *gdim, long n, int k, int nperm) {
  int D = 0;
  for (int a = 0; a < ng; a++) D += gdim[a];
  double reps = (double)nperm + 1, kd = reps * cost_kdtree(n, D, ng > 1), brute = reps * cost_brute(n, D, ng > 1);
  IxpIndexKind best = kd <= brute ? IXP_INDEX_KDTREE : IXP_INDEX_BRUTE;
  double least = kd < brute ? kd : brute;
  double grid = D == 2 && ng <= 2 ? reps * cost_grid(n, ng > 1) : INFINITY;
  if (grid < least) best = IXP_INDEX_GRID, least = grid;
  if (ng == 2 && nperm > 0 && cost_lists(n, gdim, k, nperm + 1) < least) best = IXP_INDEX_LISTS;
  return best;
}

/* Set up a job for estimator est on prepared data (p->n set). */
static void job_init(Job *J, Est est, const Opts *o, const Prep *p, int nperm) {
  memset(J, 0, sizeof *J);
  J->est = est, J->k = o->k, J->p = p;
  J->variant = est == EST_H ? 1 : o->variant;
  if (est == EST_MI) J->nmask = 2, J->mask[0] = 1, J->mask[1] = 2;
  if (est == EST_CMI) J->nmask = 3, J->mask[0] = 1 | 4, J->mask[1] = 2 | 4, J->mask[2] = 4;
  J->theiler = o->theiler;
  J->local = o->local;
  J->index = o->index == IXP_INDEX_AUTO ? ixp_knn_auto_index(p->ng, p->gdim, p->n, o->k, nperm) : o->index;
  if (o->theiler && o->index == IXP_INDEX_AUTO) J->index = IXP_INDEX_KDTREE;
  if (J->index == IXP_INDEX_LISTS && (est != EST_MI || p->n - 1 > INT32_MAX)) J->index = IXP_INDEX_BRUTE;
  if (J->index == IXP_INDEX_GRID && (p->D != 2 || est == EST_CMI)) J->index = IXP_INDEX_KDTREE; /* 2-D joints only */
  J->npsi = est == EST_H ? 0 : p->n + 2 < PSI_TABLE ? p->n + 2 : PSI_TABLE;
  for (long m = 1; m < J->npsi; m++) J->psi[m] = digamma((double)m);
}

/* Every column of the joint space, in order. */
static int *all_columns(int D) {
  int *cols = knn_malloc((size_t)D * sizeof *cols);
  if (cols)
    for (int c = 0; c < D; c++) cols[c] = c;
  return cols;
}

/* The grid path of `estimate`: the column orders, the 1-D counting
 * spaces (mi) and the grid, then run_grid. */
static bool estimate_grid(const Job *J, int nt, double *terms, bool *zero) {
  const Prep *p = J->p;
  Space sp[3];
  int built = 0;
  Grid g = {0};
  const int cols[2] = {0, 1};
  long **ord = knn_calloc((size_t)p->D, sizeof *ord);
  bool ok = ord && column_orders(p, ord, nt);
  ok = ok && build_all(J, NULL, &g, cols, (const long *const *)ord, sp, &built, nt);
  orders_free(ord, p->D);
  IxpProgress bar;
  ixp_progress_begin(&bar, "kNN", (uint64_t)g.G, NULL);
  if (ok) ok = run_grid(J, &g, p->rows, sp, NULL, NULL, nt, terms, zero, &bar);
  ixp_progress_end(&bar);
  for (int m = 0; m < built; m++) space_free(&sp[m]);
  grid_free(&g);
  return ok;
}

/* Run one estimate on prepared data: index, per-point terms, ordered sum. */
static IxpKnnStatus estimate(const Job *J, int nt, double *out) {
  const Prep *p = J->p;
  double *terms = knn_malloc((size_t)p->n * sizeof *terms);
  if (!terms) return IXP_KNN_ENOMEM;
  bool ok = false, zero = false;
  if (J->index == IXP_INDEX_LISTS) {
    Cols C;
    NbrList L[2] = {{0}, {0}};
    long *id = knn_malloc((size_t)p->n * sizeof *id);
    ok = id && cols_build(&C, p, NULL, NULL) && lists_build(L, &C, p, J->k, nt);
    for (long i = 0; ok && i < p->n; i++) id[i] = i;
    if (ok) ok = run_lists(J, L, &C, id, id, nt, terms, &zero);
    nbr_free(&L[0]), nbr_free(&L[1]), cols_free(&C), free(id);
  } else if (J->index == IXP_INDEX_BRUTE) {
    ok = brute(J, p->rows, NULL, NULL, nt, terms, &zero);
  } else if (J->index == IXP_INDEX_GRID) {
    ok = estimate_grid(J, nt, terms, &zero);
  } else {
    Space sp[3];
    int built = 0;
    KdTree joint = {0};
    int *cols = all_columns(p->D);
    long **ord = knn_calloc((size_t)p->D, sizeof *ord);
    ok = cols && ord && column_orders(p, ord, nt) && build_all(J, &joint, NULL, cols, (const long *const *)ord, sp, &built, nt);
    orders_free(ord, p->D);
    IxpProgress bar;
    ixp_progress_begin(&bar, "kNN", (uint64_t)joint.nleaves, NULL);
    if (ok) ok = run_kd(J, &joint, sp, NULL, NULL, nt, terms, &zero, &bar);
    ixp_progress_end(&bar);
    for (int m = 0; m < built; m++) space_free(&sp[m]);
    kd_free(&joint);
    free(cols);
  }
  if (ok && !zero) *out = finish(J, ixp_ksum_array(terms, p->n));
  if (ok && !zero && J->local) finish_local(J, terms, J->local, nt);
  free(terms);
  if (!ok) return IXP_KNN_ENOMEM;
  return zero ? IXP_KNN_ETIES : IXP_KNN_OK;
}

/* Fill info (when given) from the job. */
static void set_info(IxpKnnInfo *info, const Prep *p, IxpIndexKind index) {
  if (!info) return;
  info->index = index;
  info->duplicates = p->duplicates;
}

/* Validate, prepare, estimate: the common body of the three entry points. */
static IxpKnnStatus run(Est est, const double *const *g, const int *gdim, int ng, long n, const IxpKnnOptions *opt,
                        double *out, IxpKnnInfo *info) {
  Opts o;
  if (!out || !read_options(opt, &o)) return IXP_KNN_EINPUT;
  Prep p;
  IxpKnnStatus st = prepare(g, gdim, ng, n, &o, info != NULL, &p);
  if (st == IXP_KNN_OK) {
    Job J;
    job_init(&J, est, &o, &p, 0);
    set_info(info, &p, J.index);
    if (o.theiler && (J.index != IXP_INDEX_KDTREE || p.n - 1 - 2 * o.theiler < o.k)) st = IXP_KNN_ETHEILER;
    else if (est == EST_H && p.constant) st = IXP_KNN_ETIES;
    else st = estimate(&J, o.nt, out);
  }
  free(p.rows);
  return st;
}

/* Kozachenko–Leonenko entropy of x (n x d). */
IxpKnnStatus ixp_knn_entropy(const double *x, long n, int d, const IxpKnnOptions *opt, double *out, IxpKnnInfo *info) {
  const double *g[1] = {x};
  int gd[1] = {d};
  return run(EST_H, g, gd, 1, n, opt, out, info);
}

/* The groups' columns side by side, preprocessed as every estimator
 * here preprocesses them (knn_extra.c builds on them). */
IxpKnnStatus ixp_knn_prepare(const double *const *g, const int *gdim, int ng, long n, const IxpKnnOptions *opt,
                             double **rows, double *logscale) {
  Opts o;
  Prep p;
  *rows = NULL;
  if (ng < 1 || ng > MAXG || !read_options(opt, &o)) return IXP_KNN_EINPUT;
  IxpKnnStatus st = prepare(g, gdim, ng, n, &o, false, &p);
  if (st != IXP_KNN_OK) {
    free(p.rows);
    return st;
  }
  *rows = p.rows;
  if (logscale) *logscale = p.logscale;
  return IXP_KNN_OK;
}

/* KSG mutual information I(X; Y). */
IxpKnnStatus ixp_ksg_mi(const double *x, int dx, const double *y, int dy, long n, const IxpKnnOptions *opt,
                        double *out, IxpKnnInfo *info) {
  const double *g[2] = {x, y};
  int gd[2] = {dx, dy};
  return run(EST_MI, g, gd, 2, n, opt, out, info);
}

/* Frenzel–Pompe conditional mutual information I(X; Y | Z). */
IxpKnnStatus ixp_ksg_cmi(const double *x, int dx, const double *y, int dy, const double *z, int dz, long n,
                         const IxpKnnOptions *opt, double *out, IxpKnnInfo *info) {
  const double *g[3] = {x, y, z};
  int gd[3] = {dx, dy, dz};
  return run(EST_CMI, g, gd, 3, n, opt, out, info);
}

/* Per-thread workspace of the permutation test. */
typedef struct {
  long *perm, *inv, **lists; /* lists: the joint column orders (Y's remapped) */
  double *terms, *rows;
  int *cols;                 /* 0 .. D - 1: every column in the joint tree */
} PermWork;

/* Allocate a permutation workspace; false when memory runs out. */
static bool perm_work(PermWork *w, const Prep *p) {
  long n = p->n;
  memset(w, 0, sizeof *w);
  w->perm = knn_malloc((size_t)n * sizeof *w->perm);
  w->inv = knn_malloc((size_t)n * sizeof *w->inv);
  w->terms = knn_malloc((size_t)n * sizeof *w->terms);
  w->rows = knn_malloc((size_t)n * (size_t)p->D * sizeof *w->rows);
  w->lists = knn_calloc((size_t)p->D, sizeof *w->lists);
  w->cols = all_columns(p->D);
  if (!w->perm || !w->inv || !w->terms || !w->rows || !w->lists || !w->cols) return false;
  for (int c = p->goff[1]; c < p->D; c++)
    if (!(w->lists[c] = knn_malloc((size_t)n * sizeof *w->lists[c]))) return false;
  return true;
}

/* Free a permutation workspace. */
static void perm_work_free(PermWork *w, const Prep *p) {
  for (int c = 0; w->lists && c < p->D; c++) free(w->lists[c]);
  free(w->perm), free(w->inv), free(w->terms), free(w->rows), free(w->lists), free(w->cols);
}

/* The estimate with Y's rows permuted by w->perm: the neighbour lists
 * are reused whole (Y's through the permutation); X's and Y's counting
 * spaces (kd mode) or X's column copy (brute force) are reused and only
 * the joint index is rebuilt. */
static IxpKnnStatus permuted(const Job *J, Space *sp, const Cols *base, long *const *ord, const NbrList *L, int nt,
                             PermWork *w, double *out) {
  const Prep *p = J->p;
  long n = p->n;
  bool ok, zero = false;
  if (J->index == IXP_INDEX_LISTS) {
    for (long i = 0; i < n; i++) w->inv[w->perm[i]] = i;
    ok = run_lists(J, L, base, w->perm, w->inv, nt, w->terms, &zero);
    if (!ok) return IXP_KNN_ENOMEM;
    if (zero) return IXP_KNN_ETIES;
    *out = finish(J, ixp_ksum_array(w->terms, n));
    return IXP_KNN_OK;
  }
  for (long i = 0; i < n; i++) {
    memcpy(w->rows + i * p->D, p->rows + i * p->D, (size_t)p->gdim[0] * sizeof *w->rows);
    memcpy(w->rows + i * p->D + p->goff[1], p->rows + w->perm[i] * p->D + p->goff[1], (size_t)p->gdim[1] * sizeof *w->rows);
  }
  if (J->index == IXP_INDEX_BRUTE) {
    ok = brute(J, w->rows, w->perm, base, nt, w->terms, &zero);
  } else {
    KdTree joint = {0};
    const bool mapped[2] = {false, true};
    /* Joint row i holds Y's row perm[i]: Y's orders map through the inverse. */
    for (long i = 0; i < n; i++) w->inv[w->perm[i]] = i;
    for (int c = 0; c < p->D; c++) {
      if (c < p->goff[1]) {
        w->lists[c] = ord[c];
        continue;
      }
      for (long t = 0; t < n; t++) w->lists[c][t] = w->inv[ord[c][t]];
    }
    if (J->index == IXP_INDEX_GRID) {
      Grid g = {0};
      ok = grid_build(&g, w->rows, n, p->D, w->cols, (const long *const *)w->lists, J->k) &&
           run_grid(J, &g, w->rows, sp, w->inv, mapped, nt, w->terms, &zero, NULL);
      grid_free(&g);
    } else {
      ok = kd_build_par(&joint, w->rows, n, p->D, w->cols, p->D, (const long *const *)w->lists, nt) &&
           run_kd(J, &joint, sp, w->inv, mapped, nt, w->terms, &zero, NULL);
    }
    for (int c = 0; c < p->goff[1]; c++) w->lists[c] = NULL;
    kd_free(&joint);
  }
  if (!ok) return IXP_KNN_ENOMEM;
  if (zero) return IXP_KNN_ETIES;
  *out = finish(J, ixp_ksum_array(w->terms, n));
  return IXP_KNN_OK;
}

/* Surrogate s of a permutation test: Y's rows permuted by stream
 * ixp_rng_key(key, s, 0). */
static bool permutation_map(void *ctx, int s, long *perm, long n) {
  ixp_rng_permutation(ixp_rng_key(*(const uint64_t *)ctx, (uint64_t)s, 0), perm, n);
  return true;
}

IxpKnnStatus ixp_ksg_mi_permutation(const double *x, int dx, const double *y, int dy, long n, const IxpKnnOptions *opt,
                                    int nperm, uint64_t key, IxpKnnTest *out) {
  return ixp_ksg_mi_mapped(x, dx, y, dy, n, opt, nperm, permutation_map, &key, out);
}

/* Surrogate test of I(X; Y) with Y's rows mapped (see knn.h). Surrogates
 * run in parallel, each single-threaded, when there are at least as many
 * as threads; otherwise one after another with the threads inside each. */
IxpKnnStatus ixp_ksg_mi_mapped(const double *x, int dx, const double *y, int dy, long n, const IxpKnnOptions *opt,
                               int nperm, IxpKnnRowMap map, void *ctx, IxpKnnTest *out) {
  Opts o;
  if (!out || nperm < 1 || !read_options(opt, &o)) return IXP_KNN_EINPUT;
  if (o.theiler) return IXP_KNN_ETHEILER;
  if (o.local) return IXP_KNN_EINPUT;
  const double *g[2] = {x, y};
  int gd[2] = {dx, dy};
  Prep p;
  IxpKnnStatus st = prepare(g, gd, 2, n, &o, false, &p);
  if (st != IXP_KNN_OK) {
    free(p.rows);
    return st;
  }
  Job J;
  job_init(&J, EST_MI, &o, &p, nperm);
  double *vals = knn_malloc((size_t)nperm * sizeof *vals);
  Space sp[2];
  Cols base = {0};
  NbrList L[2] = {{0}, {0}};
  int built = 0;
  bool ok = vals != NULL;
  bool sorted = J.index == IXP_INDEX_KDTREE || J.index == IXP_INDEX_GRID; /* column orders and counting spaces */
  long **ord = sorted ? knn_calloc((size_t)p.D, sizeof *ord) : NULL;
  if (!sorted) ok = ok && cols_build(&base, &p, NULL, NULL);
  if (J.index == IXP_INDEX_LISTS) ok = ok && lists_build(L, &base, &p, J.k, o.nt);
  else if (sorted)
    ok = ok && ord && column_orders(&p, ord, o.nt) && build_all(&J, NULL, NULL, NULL, (const long *const *)ord, sp, &built, o.nt);
  double observed = 0;
  st = IXP_KNN_ENOMEM;
  if (ok) {
    PermWork w;
    if (perm_work(&w, &p)) {
      for (long i = 0; i < n; i++) w.perm[i] = i;
      st = permuted(&J, sp, &base, ord, L, o.nt, &w, &observed);
    }
    perm_work_free(&w, &p);
  }
  if (st == IXP_KNN_OK) {
    double cost_once = surrogate_seconds(&J);
    bool outer = nperm >= o.nt && o.nt > 1;
    int team = outer ? o.nt : 1, inner = outer ? 1 : o.nt;
    IxpKnnStatus worst = IXP_KNN_OK;
    IxpProgress bar;
    ixp_progress_begin(&bar, "surrogates", (uint64_t)nperm, NULL);
    int done = 0;
#pragma omp parallel num_threads(team) if (cost_once * nperm > KNN_PAR_SECONDS)
    {
      PermWork w;
      bool have = perm_work(&w, &p);
#pragma omp for schedule(dynamic, 1)
      for (int s = 0; s < nperm; s++) {
        IxpKnnStatus r = IXP_KNN_ENOMEM;
        if (ixp_progress_stopping()) continue;  /* Ctrl-C: the caller reports it */
        int started;
#pragma omp atomic capture
        started = ++done;
        if (omp_get_thread_num() == 0) ixp_progress_update(&bar, (uint64_t)started);
        if (have) {
          if (map(ctx, s, w.perm, n)) r = permuted(&J, sp, &base, ord, L, inner, &w, &vals[s]);
        }
        if (r != IXP_KNN_OK) {
#pragma omp critical(ixp_knn_perm)
          if (worst == IXP_KNN_OK || r == IXP_KNN_ENOMEM) worst = r;
        }
      }
      perm_work_free(&w, &p);
    }
    ixp_progress_end(&bar);
    st = worst;
  }
  if (st == IXP_KNN_OK) {
    long ge = 0;
    for (int s = 0; s < nperm; s++) ge += vals[s] >= observed;
    double mean = ixp_ksum_array(vals, nperm) / nperm;
    for (int s = 0; s < nperm; s++) vals[s] = (vals[s] - mean) * (vals[s] - mean);
    out->value = observed;
    out->null_mean = mean;
    out->null_std = nperm > 1 ? sqrt(ixp_ksum_array(vals, nperm) / (nperm - 1)) : 0;
    out->p = (double)(1 + ge) / (double)(1 + nperm);
    out->surrogates = nperm;
  }
  for (int m = 0; m < built; m++) space_free(&sp[m]);
  cols_free(&base);
  nbr_free(&L[0]), nbr_free(&L[1]);
  orders_free(ord, p.D);
  free(vals), free(p.rows);
  return st;
}
