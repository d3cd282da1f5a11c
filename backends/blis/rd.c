/* rd.c — rate-distortion (Blahut–Arimoto), channel capacity
 * (Blahut–Arimoto) and the information bottleneck (Tishby–Pereira–Bialek,
 * and the deterministic IB of Strouse & Schwab) as dense kernels on BLIS.
 *
 * Rate-distortion at slope -beta. With A_ij = exp(-beta (d_ij - dmin_i))
 * (row minima subtracted, so every row holds a 1 and nothing overflows)
 * and a reproduction distribution q, Blahut's iteration is
 *     c = A q,   w_i = p_i / c_i,   col = A^T w,   q <- q * col,
 * i.e. two GEMV-shaped products per step. The conditional it stands for is
 * Q(j|i) = q_j A_ij / c_i, whose rate and distortion are exact functions of
 * (q, c, col):
 *     R_U = -beta (D - Dmin) - sum_i p_i log c_i - sum_j q_j col_j log col_j
 * is I(p, Q), the rate achieved at D = D(Q), and
 *     R_L = -beta (D - Dmin) - sum_i p_i log c_i - max_j log col_j
 * is Blahut's lower bound: lambda_i = 1 / (c_i max_j col_j) is feasible for
 * the dual (sum_i lambda_i p_i A_ij <= 1), so the line
 * -beta D' + sum_i p_i log lambda_i lies under R(D') for every D'.
 * Iteration stops when R_U - R_L = max log col - sum q col log col <= tol.
 * The bounds hold for every q, so any update rule keeps them certified.
 * Blahut's step is the multiplicative q <- q * col; where it crawls
 * (sparse optimal supports: discretised continuous sources need 1e5+
 * steps) Newton steps take over: F(q) = -sum_i p_i log (A q)_i is the
 * convex function both decrease, the mixture-proportions likelihood, and
 * an active-set SQP step on the candidate support (in the manner of
 * mix-SQP) converges quadratically. The choice is made on estimated cost.
 *
 * Capacity: r <- r exp(D(W_x || q)) with the bounds I(r, W) <= C <=
 * max_x D(W_x || q); both products q = W^T r and W log q are GEMVs.
 *
 * IB: the self-consistent equations with KL(p(y|x) || p(y|t)) =
 * sum_y p(y|x) log p(y|x) - [p(y|x) log p(y|t)^T]_xt (one GEMM), p(y|t)
 * from p(t|x)^T p(x, y) (another GEMM). DIB replaces the soft-max by an
 * argmax of log p(t) - beta KL. Both iterations are alternating
 * minimisations, so the Lagrangian never increases along them. */
#include "rd.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "blis/dense.h"
#include "rng.h"

#define PROB_TOL 1e-9          /* how far a probability vector may sum from 1 */
#define DEFAULT_MAX_ITER 100000
#define DEFAULT_TOL 1e-13
#define EXP_CUT (-700.0)       /* exp of an argument below this is flushed to 0: no subnormals */
#define LOG0 (-1e300)          /* log 0 inside a GEMM: finite, so that 0 * LOG0 = 0 */
#define W_FLOOR 1e-250         /* a BA weight below this is set to 0 (no subnormals) ... */
#define W_REVIVE 1e-100        /* ... and one at 0 that its update would grow restarts here */
#define BLOCK_DOUBLES 32768    /* rows per GEMV block: 256 KiB of A, kept in L2 between the two products */
#define DTOL_AIM 1e-14         /* rd_at aims for |D(point) - D| <= DTOL_AIM * scale ... */
#define DTOL_OK 1e-10          /* ... and accepts DTOL_OK * scale (scale = max(Dmax, tiny)) */
#define SQP_CMAX_SMALL 256    /* the Newton step works on at most max(256, sqrt(256 m)) candidates */
#define SQP_SUPPORT 1e-9       /* q_j above this times max q counts as support for the Newton step */
#define BA_WARMUP 2            /* plain Blahut steps before the Newton steps start */
#define SMALL_GEMM 8192.0      /* GEMMs below this many multiply-adds run as plain loops */
#define IB_DEAD 1e-200         /* a cluster with p(t) below this is removed */
#define IB_MERGE 1e-10         /* clusters whose p(y|t) agree to this (max abs) are merged */
#define IB_USED 1e-12          /* a cluster counts as used when p(t) exceeds this */

/* A short English text for a status, for error messages. */
const char *ixp_rd_status_text(IxpRDStatus s) {
  switch (s) {
  case IXP_RD_OK: return "ok";
  case IXP_RD_ENOMEM: return "out of memory";
  case IXP_RD_EINPUT: return "invalid input (a probability that is negative or does not sum to 1, a negative "
                             "distortion, or a bad size)";
  case IXP_RD_ENOCONVERGE: return "the iteration limit was reached before the tolerance";
  case IXP_RD_ERANGE: return "target distortion out of the achievable range";
  case IXP_RD_EINTERRUPTED: return "interrupted";
  }
  return "unknown status";
}

/* ------------------------------------------------------------------ helpers */

/* The iteration limit and tolerance with their defaults filled in; false
 * for a negative limit or a negative / NaN tolerance, so a bad option is
 * reported rather than silently replaced. */
static bool iter_opts(const IxpIterOptions *o, int *max_iter, double *tol) {
  *max_iter = DEFAULT_MAX_ITER;
  *tol = DEFAULT_TOL;
  if (!o) return true;
  if (o->max_iter < 0 || !(o->tol >= 0)) return false;
  if (o->max_iter > 0) *max_iter = o->max_iter;
  if (o->tol > 0) *tol = o->tol;
  return true;
}

/* True once the caller's stop flag (if any) is set. */
static bool stopped(const volatile sig_atomic_t *stop) { return stop && *stop; }

/* True when p[0..n-1] is a probability vector: finite, non-negative, and
 * summing to 1 within PROB_TOL. Inputs are checked, never normalised. */
static bool is_distribution(const double *p, long n) {
  double s = 0;
  for (long i = 0; i < n; i++) {
    if (!(p[i] >= 0) || !isfinite(p[i])) return false;
    s += p[i];
  }
  return fabs(s - 1) <= PROB_TOL;
}

/* True when every distortion is finite and non-negative. */
static bool distortions_ok(const double *d, long len) {
  for (long k = 0; k < len; k++)
    if (!(d[k] >= 0) || !isfinite(d[k])) return false;
  return true;
}

/* x log x with the convention 0 log 0 = 0. */
static double xlogx(double x) { return x > 0 ? x * log(x) : 0; }

/* Two doubles as one SSE2 register (GCC vector extension): lets the exp
 * kernel below run two lanes at a time without -O3 or -march flags. */
typedef double v2d __attribute__((vector_size(16)));
typedef long long v2i __attribute__((vector_size(16)));

/* out[k] = exp(s * (x[k] - t)) for arguments <= 0 (slightly positive ones
 * are fine too), flushed to 0 below EXP_CUT so no subnormal reaches the
 * GEMVs. Branch-free Cody–Waite reduction (k = round(a / ln 2)) and a
 * degree-13 Taylor polynomial in Estrin form on |r| <= ln2/2 (truncation
 * < 1e-17 relative; measured error <= 2 ulp); 2^k is built from the bits
 * of the rounding constant. This is where the per-beta cost of A =
 * exp(-beta d) goes, and it is about twice as fast as calling exp(). */
static void exp_affine(double *restrict out, const double *restrict x, long len, double s, double t) {
  long k = 0;
  double tail[2] = {0, 0};
  for (; k < len; k += 2) {
    bool whole = k + 2 <= len;
    v2d a;
    if (whole) memcpy(&a, x + k, sizeof a);
    else a = (v2d){x[k], 0};
    a = s * (a - t);
    v2i lo = a < -708.0;
    v2d z = (v2d)(((v2i)a & ~lo) | ((v2i)((v2d){-708.0, -708.0}) & lo));
    v2d tt = z * 1.4426950408889634 + 0x1.8p52;
    v2d kf = tt - 0x1.8p52;
    v2d r = (z - kf * 0x1.62e42fee00000p-1) - kf * 0x1.a39ef35793c76p-33;
    v2i sb = ((v2i)tt - 0x4338000000000000LL + 1023) << 52;
    v2d r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
    v2d p01 = 1.0 + r, p23 = 0.5 + r * (1.0 / 6), p45 = 1.0 / 24 + r * (1.0 / 120);
    v2d p67 = 1.0 / 720 + r * (1.0 / 5040), p89 = 1.0 / 40320 + r * (1.0 / 362880);
    v2d pab = 1.0 / 3628800 + r * (1.0 / 39916800), pcd = 1.0 / 479001600 + r * (1.0 / 6227020800.0);
    v2d p03 = p01 + r2 * p23, p47 = p45 + r2 * p67, p8b = p89 + r2 * pab;
    v2d p07 = p03 + r4 * p47, p8d = p8b + r4 * pcd;
    v2d v = (p07 + r8 * p8d) * (v2d)sb;
    v2i cut = a < EXP_CUT;
    v = (v2d)((v2i)v & ~cut);
    if (whole) {
      memcpy(out + k, &v, sizeof v);
    } else {
      memcpy(tail, &v, sizeof v);
      out[k] = tail[0];
    }
  }
}

/* C = A^T B or A B^T (row-major, as ixp_dense_gemm takes them) with
 * beta = 0. Products of fewer than SMALL_GEMM multiply-adds — the IB's
 * small joints, iterated thousands of times — go to a plain loop: BLIS's
 * GEMM set-up (packing buffers, thread pool) costs microseconds, far more
 * than such a product. Everything larger goes to ixp_dense_gemm. */
static void gemm_tn_nt(bool trans_a, bool trans_b, long m, long n, long k, const double *a, long lda, const double *b,
                       long ldb, double *c, long ldc) {
  if ((double)m * (double)n * (double)k >= SMALL_GEMM) {
    ixp_dense_gemm(trans_a, trans_b, m, n, k, 1.0, a, lda, b, ldb, 0.0, c, ldc);
    return;
  }
  for (long i = 0; i < m; i++)
    for (long j = 0; j < n; j++) {
      double s = 0;
      for (long t = 0; t < k; t++)
        s += (trans_a ? a[t * lda + i] : a[i * lda + t]) * (trans_b ? b[j * ldb + t] : b[t * ldb + j]);
      c[i * ldc + j] = s;
    }
}

/* splitmix64 (Steele, Lea & Flood): a tiny deterministic generator for the
 * IB's random initial encoders, so results depend on opt->seed only. */
static uint64_t splitmix64(uint64_t *state) { return ixp_mix64(*state += 0x9E3779B97F4A7C15ULL); }

/* A uniform double in (0, 1) from the generator (53 random bits, never 0). */
static double uniform01(uint64_t *state) { return ((double)(splitmix64(state) >> 11) + 0.5) * 0x1p-53; }

/* malloc of n doubles (NULL for n <= 0 is avoided by allocating one). */
static double *dalloc(long n) { return malloc(sizeof(double) * (size_t)(n > 0 ? n : 1)); }

/* A slope and the caller's index of it, for solving curves high to low. */
typedef struct {
  double beta;
  int idx;
} BetaIdx;

/* qsort order: decreasing beta, ties by index (deterministic). */
static int beta_desc(const void *a, const void *b) {
  const BetaIdx *x = a, *y = b;
  if (x->beta != y->beta) return x->beta > y->beta ? -1 : 1;
  return (x->idx > y->idx) - (x->idx < y->idx);
}

/* The betas with their indices, sorted from high to low (NULL when out of
 * memory). */
static BetaIdx *sorted_betas(const double *betas, int nb) {
  BetaIdx *o = malloc(sizeof *o * (size_t)nb);
  if (!o) return NULL;
  for (int k = 0; k < nb; k++) o[k] = (BetaIdx){betas[k], k};
  qsort(o, (size_t)nb, sizeof *o, beta_desc);
  return o;
}

/* ---------------------------------------------------- rate-distortion (BA) */

/* The state of Blahut's iteration for one source and distortion matrix;
 * rows with p_i = 0 are dropped (they carry no weight). */
typedef struct {
  long n, m;           /* rows kept, reproduction symbols */
  long ld;             /* row stride of the caller's d */
  const double *d;     /* the caller's distortion matrix */
  long *row;           /* caller's row of each kept row */
  double *p;           /* kept source probabilities */
  double *dmin;        /* row minima of d */
  double dmin_avg;     /* sum_i p_i dmin_i: the least achievable distortion */
  double dmax;         /* min_j sum_i p_i d_ij: the least distortion at rate 0 */
  long jstar;          /* the symbol achieving dmax */
  double beta;
  double *a;           /* n x m: exp(-beta (d_ij - dmin_i)), or the argmin indicator at beta = inf */
  double *c, *w, *col, *q;
  /* The Newton (SQP) step on the candidate support C (at most cmax symbols). */
  long cmax;
  long last_support;   /* support size of the last Newton solution (-1: none yet) */
  const double *sort_q, *sort_col;  /* for the candidate ranking */
  long *cidx, *widx;   /* C, and the QP's working set (positions in C) */
  bool *wset;
  double *b;           /* n x cmax: sqrt(p_i) / c_i * A_ij for j in C */
  double *h, *l;       /* cmax x cmax: B^T B and its Cholesky factor */
  double *xc, *gc, *qc, *rc, *pc, *y1, *y2;  /* per-candidate vectors */
  double *sp, *cx;     /* n: sqrt(p_i), A x */
  const volatile sig_atomic_t *stop;  /* the caller's stop flag, or NULL */
  bool interrupted;    /* a solve stopped because *stop was set */
} RDWork;

/* Frees the work space (safe on a partly built one). */
static void rd_free(RDWork *ws) {
  free(ws->row), free(ws->p), free(ws->dmin), free(ws->a);
  free(ws->c), free(ws->w), free(ws->col), free(ws->q);
  free(ws->cidx), free(ws->widx), free(ws->wset), free(ws->b), free(ws->h), free(ws->l);
  free(ws->xc), free(ws->gc), free(ws->qc), free(ws->rc), free(ws->pc), free(ws->y1), free(ws->y2);
  free(ws->sp), free(ws->cx);
  memset(ws, 0, sizeof *ws);
}

/* Checks the source, the distortion matrix and the sizes. */
static IxpRDStatus rd_check(const double *p, int n, const double *d, int m) {
  if (n <= 0 || m <= 0 || !p || !d) return IXP_RD_EINPUT;
  if (!is_distribution(p, n) || !distortions_ok(d, (long)n * m)) return IXP_RD_EINPUT;
  return IXP_RD_OK;
}

/* Builds the work space: kept rows, row minima, Dmin and Dmax (Dmax by a
 * GEMV d^T p), and buffers; q starts uniform. */
static IxpRDStatus rd_init(RDWork *ws, const double *p, int n0, const double *d, int m) {
  memset(ws, 0, sizeof *ws);
  long n = 0;
  for (int i = 0; i < n0; i++) n += p[i] > 0;
  ws->n = n, ws->m = m, ws->ld = m, ws->d = d;
  ws->row = malloc(sizeof(long) * (size_t)n);
  ws->p = dalloc(n), ws->dmin = dalloc(n), ws->a = dalloc(n * m);
  ws->c = dalloc(n), ws->w = dalloc(n), ws->col = dalloc(m), ws->q = dalloc(m);
  long cm = m < SQP_CMAX_SMALL ? m : SQP_CMAX_SMALL;
  if ((long)sqrt(256.0 * m) > cm) cm = (long)sqrt(256.0 * m);
  cm = cm < m ? cm : m;
  ws->cmax = cm;
  ws->last_support = -1;
  ws->cidx = malloc(sizeof(long) * (size_t)m), ws->widx = malloc(sizeof(long) * (size_t)m);
  ws->wset = malloc(sizeof(bool) * (size_t)m);
  ws->b = dalloc(n * cm), ws->h = dalloc(cm * cm), ws->l = dalloc(cm * cm);
  ws->xc = dalloc(m), ws->gc = dalloc(m), ws->qc = dalloc(m), ws->rc = dalloc(m), ws->pc = dalloc(m);
  ws->y1 = dalloc(m), ws->y2 = dalloc(m), ws->sp = dalloc(n), ws->cx = dalloc(n);
  if (!ws->row || !ws->p || !ws->dmin || !ws->a || !ws->c || !ws->w || !ws->col || !ws->q || !ws->cidx ||
      !ws->widx || !ws->wset || !ws->b || !ws->h || !ws->l || !ws->xc || !ws->gc || !ws->qc || !ws->rc ||
      !ws->pc || !ws->y1 || !ws->y2 || !ws->sp || !ws->cx) {
    rd_free(ws);
    return IXP_RD_ENOMEM;
  }
  long k = 0;
  ws->dmin_avg = 0;
  for (int i = 0; i < n0; i++) {
    if (!(p[i] > 0)) continue;
    const double *di = d + (long)i * m;
    double mn = di[0];
    for (int j = 1; j < m; j++) mn = di[j] < mn ? di[j] : mn;
    ws->row[k] = i, ws->p[k] = p[i], ws->dmin[k] = mn, ws->sp[k] = sqrt(p[i]);
    ws->dmin_avg += p[i] * mn;
    k++;
  }
  /* Expected distortion of each constant reproduction: col = d^T p. */
  ixp_dense_gemv(true, n0, m, 1.0, d, m, p, 0.0, ws->col);
  ws->jstar = 0;
  for (int j = 1; j < m; j++)
    if (ws->col[j] < ws->col[ws->jstar]) ws->jstar = j;
  ws->dmax = ws->col[ws->jstar];
  if (ws->dmax < ws->dmin_avg) ws->dmax = ws->dmin_avg; /* rounding only */
  for (int j = 0; j < m; j++) ws->q[j] = 1.0 / m;
  return IXP_RD_OK;
}

/* Fills A for slope beta: exp(-beta (d_ij - dmin_i)) row by row through the
 * vectorised kernel (computed once per beta); at beta = inf the limit, the
 * indicator of d_ij = dmin_i. */
static void rd_set_beta(RDWork *ws, double beta) {
  ws->beta = beta;
  for (long i = 0; i < ws->n; i++) {
    const double *di = ws->d + ws->row[i] * ws->ld;
    double *ai = ws->a + i * ws->m;
    if (isinf(beta)) {
      for (long j = 0; j < ws->m; j++) ai[j] = di[j] == ws->dmin[i] ? 1.0 : 0.0;
    } else {
      exp_affine(ai, di, ws->m, -beta, ws->dmin[i]);
    }
  }
}

/* One Blahut step's products: c = A q, w = p / c, col = A^T w. The rows go
 * in blocks that stay in cache between the two GEMVs, so A streams from
 * memory once per iteration. */
static void rd_pass(RDWork *ws) {
  long n = ws->n, m = ws->m;
  long rb = BLOCK_DOUBLES / m;
  if (rb < 1) rb = 1;
  for (long r0 = 0; r0 < n; r0 += rb) {
    long nr = n - r0 < rb ? n - r0 : rb;
    const double *ab = ws->a + r0 * m;
    ixp_dense_gemv(false, nr, m, 1.0, ab, m, ws->q, 0.0, ws->c + r0);
    for (long i = r0; i < r0 + nr; i++) ws->w[i] = ws->p[i] / (ws->c[i] > DBL_MIN ? ws->c[i] : DBL_MIN);
    ixp_dense_gemv(true, nr, m, 1.0, ab, m, ws->w + r0, r0 ? 1.0 : 0.0, ws->col);
  }
}

/* R_U - R_L for the current q: max_j log col_j - sum_j q_j col_j log col_j.
 * Independent of the distortion, so the loop never needs it. */
static double rd_gap(const RDWork *ws) {
  double mx = -INFINITY, s = 0;
  for (long j = 0; j < ws->m; j++) {
    double cj = ws->col[j];
    if (!(cj > 0)) continue;
    double l = log(cj);
    mx = l > mx ? l : mx;
    s += ws->q[j] * cj * l;
  }
  return mx - s;
}

/* The multiplicative update q_j <- q_j col_j, renormalised. Weights that
 * decay below W_FLOOR become 0 (no subnormals); a weight at 0 whose column
 * sum exceeds 1 (the update would grow it) restarts at W_REVIVE, so a
 * symbol lost to underflow or to a warm start can come back — the lower
 * bound looks at every column, so without this the gap could stall. */
static void rd_update(RDWork *ws) {
  double s = 0;
  for (long j = 0; j < ws->m; j++) {
    double v = ws->q[j] * ws->col[j];
    if (v < W_FLOOR) v = ws->col[j] > 1 ? W_REVIVE : 0;
    ws->q[j] = v;
    s += v;
  }
  for (long j = 0; j < ws->m; j++) ws->q[j] /= s;
}

/* The point of the current (q, c, col): distortion of Q, its rate I(p, Q)
 * (= R_U) and Blahut's lower bound. The excess distortion sum_i w_i
 * sum_j A_ij q_j (d_ij - dmin_i) is summed directly so small excesses keep
 * their relative precision. */
static void rd_point(const RDWork *ws, IxpRDPoint *out) {
  long n = ws->n, m = ws->m;
  double exc = 0, slog = 0;
  for (long i = 0; i < n; i++) {
    const double *di = ws->d + ws->row[i] * ws->ld, *ai = ws->a + i * m;
    double s = 0, dm = ws->dmin[i];
    for (long j = 0; j < m; j++) s += ai[j] * ws->q[j] * (di[j] - dm);
    exc += ws->w[i] * s;
    slog += ws->p[i] * log(ws->c[i] > DBL_MIN ? ws->c[i] : DBL_MIN);
  }
  double mx = -INFINITY, s = 0;
  for (long j = 0; j < m; j++) {
    double cj = ws->col[j];
    if (!(cj > 0)) continue;
    double l = log(cj);
    mx = l > mx ? l : mx;
    s += ws->q[j] * cj * l;
  }
  double base = (exc > 0 ? -ws->beta * exc : 0) - slog;
  double ru = base - s, rl = base - mx;
  out->beta = ws->beta;
  out->distortion = ws->dmin_avg + exc;
  out->rate = out->rate_upper = ru > 0 ? ru : 0;
  out->rate_lower = rl > 0 ? rl : 0;
  if (out->rate_lower > out->rate_upper) out->rate_lower = out->rate_upper;
}

/* Factorises H_WW + ridge I for the working set widx[0..nw-1] into ws->l
 * (leading dimension nc), raising the ridge a hundredfold while the
 * factorisation fails; false when even the largest ridge fails. */
static bool rd_qp_factor(RDWork *ws, long nc, long nw, double *ridge) {
  for (int tries = 0; tries < 8; tries++, *ridge *= 100) {
    for (long a = 0; a < nw; a++)
      for (long b = 0; b <= a; b++) ws->l[a * nc + b] = ws->h[ws->widx[a] * nc + ws->widx[b]] + (a == b ? *ridge : 0);
    if (ixp_dense_chol_unblocked(ws->l, nw, nc, NULL) == IXP_DENSE_OK) return true;
  }
  return false;
}

/* The active-set start: q's significant support when it is about as
 * large as the last solution's (a warm start: one factorisation, few
 * changes), else — a cold start, where q is dense — the vertex of the
 * candidate with most mass, from which symbols are added one at a time.
 * Sets ws->xc, the working set and r = g + H (x - q); returns |W|. */
static long rd_qp_start(RDWork *ws, long nc) {
  double *x = ws->xc, xs = 0;
  long k0 = 0, nw = 0;
  for (long k = 0; k < nc; k++) {
    if (ws->qc[k] > ws->qc[k0]) k0 = k;
    if (ws->wset[k]) nw++;
  }
  if (ws->last_support >= 0 && nw <= ws->last_support + ws->last_support / 2 + 8) {
    nw = 0;
    for (long k = 0; k < nc; k++) {
      x[k] = ws->wset[k] ? ws->qc[k] : 0;
      xs += x[k];
      if (ws->wset[k]) ws->widx[nw++] = k;
    }
    for (long k = 0; k < nc; k++) x[k] /= xs;
  } else {
    for (long k = 0; k < nc; k++) x[k] = k == k0, ws->wset[k] = k == k0;
    nw = 1;
    ws->widx[0] = k0;
  }
  for (long k = 0; k < nc; k++) {
    double v = ws->gc[k];
    for (long t = 0; t < nc; t++) v += ws->h[k * nc + t] * (x[t] - ws->qc[t]);
    ws->rc[k] = v;
  }
  return nw;
}

/* The equality-constrained step on the working set: p = H_WW^-1 (nu 1 - r_W)
 * with nu chosen so that sum p = 0 (two solves with the factor). Leaves p
 * in ws->pc and nu in *nu; returns max |p|. */
static double rd_qp_direction(RDWork *ws, long nc, long nw, double *nu) {
  double *y1 = ws->y1, *y2 = ws->y2, s1 = 0, s2 = 0, pmax = 0;
  for (long a = 0; a < nw; a++) y1[a] = 1, y2[a] = ws->rc[ws->widx[a]];
  ixp_dense_chol_solve(ws->l, nw, nc, y1, IXP_TRI_ROW);
  ixp_dense_chol_solve(ws->l, nw, nc, y2, IXP_TRI_ROW);
  for (long a = 0; a < nw; a++) s1 += y1[a], s2 += y2[a];
  *nu = s2 / s1;
  for (long a = 0; a < nw; a++) {
    ws->pc[a] = *nu * y1[a] - y2[a];
    pmax = fabs(ws->pc[a]) > pmax ? fabs(ws->pc[a]) : pmax;
  }
  return pmax;
}

/* Moves x along p as far as the bounds allow (at most the full step),
 * updating r = g + H (x - q); returns the position in W of the symbol that
 * blocked the step, or -1 after a full step. */
static long rd_qp_move(RDWork *ws, long nc, long nw) {
  double *x = ws->xc, *pv = ws->pc, alpha = 1;
  long block = -1;
  for (long a = 0; a < nw; a++)
    if (pv[a] < 0 && -x[ws->widx[a]] / pv[a] < alpha) alpha = -x[ws->widx[a]] / pv[a], block = a;
  for (long a = 0; a < nw; a++) x[ws->widx[a]] += alpha * pv[a];
  for (long k = 0; k < nc; k++) {
    double v = 0;
    for (long a = 0; a < nw; a++) v += ws->h[k * nc + ws->widx[a]] * pv[a];
    ws->rc[k] += alpha * v;
  }
  for (long a = 0; a < nw; a++)
    if (x[ws->widx[a]] < 0) x[ws->widx[a]] = 0;
  return block;
}

/* Adds candidate `add` as the last member of the working set, extending
 * the Cholesky factor by a row (L z = H_W,add, pivot sqrt(H_aa - z.z)), or
 * refactoring when that pivot is lost to rounding. */
static bool rd_qp_extend(RDWork *ws, long nc, long nw, long add, double *ridge) {
  double *z = ws->l + nw * nc, *h = ws->h;
  for (long a = 0; a < nw; a++) z[a] = h[add * nc + ws->widx[a]];
  double dd = ixp_dense_chol_border(ws->l, nw, nc, z, h[add * nc + add] + *ridge);
  ws->wset[add] = true;
  ws->widx[nw] = add;
  if (dd > 1e-3 * *ridge && dd > 1e-14 * (h[add * nc + add] + *ridge)) {
    z[nw] = sqrt(dd);
    return true;
  }
  return rd_qp_factor(ws, nc, nw + 1, ridge);
}

/* The Newton subproblem on the candidates C (nc of them): minimise
 * g^T (x - q) + 1/2 (x - q)^T H (x - q) over the simplex (x >= 0,
 * sum x = 1) by a primal active-set method (start: rd_qp_start). Each
 * round solves the equality-constrained problem on the working set W; a
 * step that meets a bound drops that symbol and refactors, and at W's
 * optimum (r_W = nu) the symbol of most negative multiplier r_k - nu joins.
 * A small ridge keeps H = B^T B (nearly singular at small beta)
 * factorable. The solution is left in ws->xc; false when no factorisation
 * succeeds. */
static bool rd_qp(RDWork *ws, long nc) {
  double hmax = 0;
  for (long k = 0; k < nc; k++) hmax = ws->h[k * nc + k] > hmax ? ws->h[k * nc + k] : hmax;
  double ridge = 1e-15 * hmax + DBL_MIN;
  long nw = rd_qp_start(ws, nc);
  if (!rd_qp_factor(ws, nc, nw, &ridge)) return false;
  for (int it = 0; it < 4 * nc + 20; it++) {
    double nu;
    long block = rd_qp_direction(ws, nc, nw, &nu) > 1e-15 ? rd_qp_move(ws, nc, nw) : -1;
    if (block >= 0) {
      ws->xc[ws->widx[block]] = 0;
      ws->wset[ws->widx[block]] = false;
      for (long a = block; a + 1 < nw; a++) ws->widx[a] = ws->widx[a + 1];
      nw--;
      if (nw == 0 || !rd_qp_factor(ws, nc, nw, &ridge)) return false;
      continue;
    }
    long add = -1;
    double mu = -1e-14 * (1 + fabs(nu));
    for (long k = 0; k < nc; k++)
      if (!ws->wset[k] && ws->rc[k] - nu < mu) mu = ws->rc[k] - nu, add = k;
    if (add < 0) {
      ws->last_support = nw;
      return true;
    }
    if (!rd_qp_extend(ws, nc, nw, add, &ridge)) return false;
    nw++;
  }
  return true;
}

/* F(q) = -sum_i p_i log c_i for a vector of c: the convex function of q
 * that Blahut's iteration decreases (R + beta D up to a constant). */
static double rd_objective(const RDWork *ws, const double *c) {
  double f = 0;
  for (long i = 0; i < ws->n; i++) f -= ws->p[i] * log(c[i] > DBL_MIN ? c[i] : DBL_MIN);
  return f;
}

/* qsort_r order: decreasing next Blahut weight q_j col_j. */
static int by_next_weight(const void *a, const void *b, void *arg) {
  const RDWork *ws = arg;
  long i = *(const long *)a, j = *(const long *)b;
  double x = ws->sort_q[i] * ws->sort_col[i], y = ws->sort_q[j] * ws->sort_col[j];
  return (x < y) - (x > y);
}

/* qsort order: increasing index. */
static int by_index(const void *a, const void *b) {
  long i = *(const long *)a, j = *(const long *)b;
  return (i > j) - (i < j);
}

/* One Newton (SQP) step for F on the simplex, in the manner of mix-SQP
 * (Kim, Carbonetto, Stephens & Anitescu): gradient -col, Hessian
 * H = A_C^T diag(p / c^2) A_C = B^T B (one GEMM) on the candidates C =
 * {significant q_j} + {col_j > 1}; the quadratic model is minimised over
 * the simplex by rd_qp and the step is backtracked until F decreases
 * (Armijo). Converges quadratically where Blahut's iteration crawls (sparse
 * optimal supports). Needs c, w, col of the current q; false when the
 * candidate set is too large or no decrease is found (the caller then
 * takes a Blahut step). */
static bool rd_sqp_step(RDWork *ws) {
  long n = ws->n, m = ws->m, nc = 0;
  double qmax = 0;
  for (long j = 0; j < m; j++) qmax = ws->q[j] > qmax ? ws->q[j] : qmax;
  double thr = SQP_SUPPORT * qmax, xs = 0;
  for (long j = 0; j < m; j++)
    if (ws->q[j] > thr || ws->col[j] > 1) ws->cidx[nc++] = j;
  if (nc > ws->cmax) {
    /* Too many: keep the cmax of largest next Blahut weight q_j col_j. */
    ws->sort_q = ws->q, ws->sort_col = ws->col;
    qsort_r(ws->cidx, (size_t)nc, sizeof(long), by_next_weight, ws);
    nc = ws->cmax;
    qsort(ws->cidx, (size_t)nc, sizeof(long), by_index);
  }
  for (long k = 0; k < nc; k++) {
    long j = ws->cidx[k];
    ws->gc[k] = -ws->col[j];
    ws->qc[k] = ws->q[j];
    ws->xc[k] = ws->q[j] > thr ? ws->q[j] : 0;
    ws->wset[k] = ws->xc[k] > 0;
    xs += ws->xc[k];
  }
  if (!(xs > 0)) return false;
  for (long k = 0; k < nc; k++) ws->xc[k] /= xs;
  for (long i = 0; i < n; i++) {
    const double *ai = ws->a + i * m;
    double s = ws->sp[i] / (ws->c[i] > DBL_MIN ? ws->c[i] : DBL_MIN);
    double *bi = ws->b + i * nc;
    for (long k = 0; k < nc; k++) bi[k] = s * ai[ws->cidx[k]];
  }
  ixp_dense_gemm(true, false, nc, nc, n, 1.0, ws->b, nc, ws->b, nc, 0.0, ws->h, nc);
  if (!rd_qp(ws, nc)) return false;
  /* Direction s = x - q; slope g.s = sum_j col_j q_j - sum_C col x. */
  double gs = 0;
  for (long j = 0; j < m; j++) gs += ws->col[j] * ws->q[j];
  for (long k = 0; k < nc; k++) gs -= ws->col[ws->cidx[k]] * ws->xc[k];
  /* Near the optimum the model's decrease is below F's rounding: take the
   * full step (quadratic convergence region), with no line search. */
  bool flat = fabs(gs) <= 64 * DBL_EPSILON;
  if (!(gs < 0) && !flat) return false;
  /* A x = (c / sqrt p) * (B x_C): a GEMV on the candidates only. */
  ixp_dense_gemv(false, n, nc, 1.0, ws->b, nc, ws->xc, 0.0, ws->cx);
  for (long i = 0; i < n; i++) ws->cx[i] *= (ws->c[i] > DBL_MIN ? ws->c[i] : DBL_MIN) / ws->sp[i];
  double f0 = rd_objective(ws, ws->c), t = 1;
  for (; t > 1e-12 && !flat; t *= 0.25) {
    double f = 0;
    for (long i = 0; i < n; i++) f -= ws->p[i] * log((1 - t) * ws->c[i] + t * ws->cx[i]);
    if (f <= f0 + 0.01 * t * gs + 4 * DBL_EPSILON * fabs(f0)) break;
  }
  if (!(t > 1e-12)) return false;
  for (long j = 0; j < m; j++) ws->q[j] *= 1 - t;
  for (long k = 0; k < nc; k++) ws->q[ws->cidx[k]] += t * ws->xc[k];
  double s = 0;
  for (long j = 0; j < m; j++) {
    if (ws->q[j] < W_FLOOR) ws->q[j] = 0;
    s += ws->q[j];
  }
  for (long j = 0; j < m; j++) ws->q[j] /= s;
  return true;
}

/* Whether Newton steps should replace Blahut steps from here on: Blahut's
 * remaining cost is estimated from its observed contraction rho of the
 * gap (iterations log(tol / gap) / log rho, each two GEMVs over A), the
 * Newton steps' from the candidate count s (a GEMM n s^2 for H and an
 * O(s^3) active-set solve, about five steps). Blahut wins where it
 * contracts fast (dense supports at high beta); Newton wins where it crawls
 * (sparse supports), and is the only way to reach 1e-13 there. */
static bool rd_want_newton(const RDWork *ws, double gap, double gprev, double tol) {
  double rho = gap / gprev;
  if (!(rho < 1)) return true;
  double qmax = 0;
  long s = 0;
  for (long j = 0; j < ws->m; j++) qmax = ws->q[j] > qmax ? ws->q[j] : qmax;
  for (long j = 0; j < ws->m; j++) s += ws->q[j] > SQP_SUPPORT * qmax || ws->col[j] > 1;
  if (s > ws->cmax) s = ws->cmax;   /* the step then works on the cmax most promising symbols */
  double ba = log(tol / gap) / log(rho) * 2.0 * (double)ws->n * (double)ws->m;
  double ds = (double)s;
  double newton = 5 * ((double)ws->n * ds * ds + 16.0 * ds * ds * ds + 2.0 * (double)ws->n * (double)ws->m);
  return ba > newton;
}

/* Runs Blahut's iteration from ws->q — switching to Newton (SQP) steps
 * when rd_want_newton says they are cheaper — until the certified gap is
 * <= tol or max_iter passes; fills *out and leaves in ws->q the output
 * marginal q * col of the returned conditional (the warm start for the
 * next beta). Each iteration, Blahut or Newton, is one pass c = A q,
 * col = A^T (p / c), and the bounds are always those of that pass. */
static void rd_solve(RDWork *ws, int max_iter, double tol, IxpRDPoint *out) {
  int it = 0;
  bool conv = false, newton = false;
  double gprev = INFINITY;
  for (;;) {
    rd_pass(ws);
    it++;
    double gap = rd_gap(ws);
    if (gap <= tol) {
      conv = true;
      break;
    }
    if (it >= max_iter) break;
    if (stopped(ws->stop)) {
      ws->interrupted = true;
      break;
    }
    if (!newton && it > BA_WARMUP) newton = rd_want_newton(ws, gap, gprev, tol);
    gprev = gap;
    if (newton && rd_sqp_step(ws)) continue;
    rd_update(ws);
  }
  rd_point(ws, out);
  out->iterations = it;
  out->converged = conv;
  double s = 0;
  for (long j = 0; j < ws->m; j++) s += ws->q[j] *= ws->col[j];
  for (long j = 0; j < ws->m; j++) ws->q[j] /= s;
}

/* The rate-0 end of the curve (slope 0): every x mapped to the single
 * symbol j* of least expected distortion Dmax. */
static void rd_zero_point(const RDWork *ws, IxpRDPoint *out) {
  *out = (IxpRDPoint){.beta = 0, .rate = 0, .distortion = ws->dmax, .rate_lower = 0, .rate_upper = 0,
                      .iterations = 0, .converged = true};
}

/* Solves at one beta (0 <= beta <= inf) from ws->q; beta = 0 is the rate-0
 * end of the curve and sets q to the point mass at j*. */
static void rd_at_beta(RDWork *ws, double beta, int max_iter, double tol, IxpRDPoint *out) {
  if (beta == 0) {
    rd_zero_point(ws, out);
    for (long j = 0; j < ws->m; j++) ws->q[j] = j == ws->jstar;
    return;
  }
  rd_set_beta(ws, beta);
  rd_solve(ws, max_iter, tol, out);
}

/* One point of the curve at slope -beta (0 <= beta <= inf; inf is the
 * D = Dmin end, 0 the rate-0 end), certified to opt->tol; q_warm, when
 * given, must be a distribution and is both the start and the result. */
IxpRDStatus ixp_rd_beta(const double *p, int n, const double *d, int m, double beta, const IxpIterOptions *opt,
                        double *q_warm, IxpRDPoint *out) {
  int max_iter;
  double tol;
  IxpRDStatus st = rd_check(p, n, d, m);
  if (st) return st;
  if (!out || !iter_opts(opt, &max_iter, &tol) || !(beta >= 0)) return IXP_RD_EINPUT;
  if (q_warm && !is_distribution(q_warm, m)) return IXP_RD_EINPUT;
  RDWork ws;
  if ((st = rd_init(&ws, p, n, d, m))) return st;
  ws.stop = opt ? opt->stop : NULL;
  if (q_warm) memcpy(ws.q, q_warm, sizeof(double) * (size_t)m);
  rd_at_beta(&ws, beta, max_iter, tol, out);
  if (q_warm) memcpy(q_warm, ws.q, sizeof(double) * (size_t)m);
  st = ws.interrupted ? IXP_RD_EINTERRUPTED : out->converged ? IXP_RD_OK : IXP_RD_ENOCONVERGE;
  rd_free(&ws);
  return st;
}

/* One evaluation of the distortion-vs-log-beta root search: the point at
 * beta = e^u, its distortion minus the target, and its reproduction
 * distribution (the warm start for neighbouring evaluations). */
typedef struct {
  double u, f;          /* log beta, distortion - target */
  IxpRDPoint pt;
  double *q;            /* the solution's output marginal */
} RDEval;

/* Solves at beta = e^u from the warm start `from` (m entries) and records
 * the evaluation in *e (its q buffer receives the solution). */
static void rd_eval(RDWork *ws, double u, const double *from, double target, int max_iter, double tol, RDEval *e,
                    int *iters) {
  memcpy(ws->q, from, sizeof(double) * (size_t)ws->m);
  rd_at_beta(ws, exp(u), max_iter, tol, &e->pt);
  memcpy(e->q, ws->q, sizeof(double) * (size_t)ws->m);
  e->u = u;
  e->f = e->pt.distortion - target;
  *iters += e->pt.iterations;
}

/* The point at distortion exactly D on a straight piece of the curve
 * between two converged solutions at the same slope: time-sharing the two
 * conditionals with weight theta achieves D with rate at most the mixed
 * rates (I is convex in Q), and each end's dual line still bounds R from
 * below at D. Used only when D(beta) jumps across the target. */
static void rd_mix(const IxpRDPoint *hi_d, const IxpRDPoint *lo_d, double D, IxpRDPoint *out) {
  double th = (D - lo_d->distortion) / (hi_d->distortion - lo_d->distortion);
  double l1 = hi_d->rate_lower - hi_d->beta * (D - hi_d->distortion);
  double l2 = lo_d->rate_lower - lo_d->beta * (D - lo_d->distortion);
  out->beta = lo_d->beta;
  out->distortion = D;
  out->rate = out->rate_upper = th * hi_d->rate + (1 - th) * lo_d->rate;
  out->rate_lower = l1 > l2 ? l1 : l2;
  if (out->rate_lower < 0) out->rate_lower = 0;
  if (out->rate_lower > out->rate_upper) out->rate_lower = out->rate_upper;
  out->converged = hi_d->converged && lo_d->converged;
}

/* The root search of ixp_rd_at on u = log beta: bracket by steps of
 * ln 4 from beta0 = 1 / (Dmax - Dmin), then Illinois regula falsi (with a
 * bisection guard) until |D - target| <= DTOL_AIM * scale or the bracket
 * stops shrinking. Each solve is warm-started from the bracket end
 * nearest in u. */
static IxpRDStatus rd_search(RDWork *ws, double D, int max_iter, double tol, IxpRDPoint *out) {
  long m = ws->m;
  double scale = ws->dmax > DBL_MIN ? ws->dmax : DBL_MIN;
  RDEval e[3];
  double *buf = dalloc(3 * m);
  if (!buf) return IXP_RD_ENOMEM;
  for (int k = 0; k < 3; k++) e[k].q = buf + k * m;
  RDEval *lo = &e[0], *hi = &e[1], *cur = &e[2]; /* lo: f > 0 (small beta), hi: f <= 0 */
  int iters = 0;
  for (long j = 0; j < m; j++) buf[2 * m + j] = 1.0 / (double)m;
  rd_eval(ws, -log(ws->dmax - ws->dmin_avg), buf + 2 * m, D, max_iter, tol, cur, &iters);
  /* Bracket. */
  bool have_lo = false, have_hi = false;
  for (int step = 0; step < 200 && !(have_lo && have_hi) && !ws->interrupted; step++) {
    RDEval *t;
    if (cur->f > 0) t = lo, lo = cur, cur = t, have_lo = true;
    else t = hi, hi = cur, cur = t, have_hi = true;
    if (have_lo && have_hi) break;
    if (have_lo) rd_eval(ws, lo->u + log(4.0), lo->q, D, max_iter, tol, cur, &iters);
    else rd_eval(ws, hi->u - log(4.0), hi->q, D, max_iter, tol, cur, &iters);
  }
  if (ws->interrupted || !(have_lo && have_hi)) {
    free(buf);
    return ws->interrupted ? IXP_RD_EINTERRUPTED : IXP_RD_ENOCONVERGE;
  }
  RDEval *best = fabs(lo->f) < fabs(hi->f) ? lo : hi;
  double flo = lo->f, fhi = hi->f;   /* Illinois-scaled copies */
  int side = 0;
  for (int step = 0; step < 200 && fabs(best->f) > DTOL_AIM * scale && !ws->interrupted; step++) {
    double w = hi->u - lo->u;
    if (w <= 4 * DBL_EPSILON * fmax(1.0, fabs(hi->u))) break;
    double u = hi->u - fhi * w / (fhi - flo);
    if (!(u > lo->u + 0.01 * w && u < hi->u - 0.01 * w)) u = lo->u + 0.5 * w;
    const double *from = u - lo->u < hi->u - u ? lo->q : hi->q;
    rd_eval(ws, u, from, D, max_iter, tol, cur, &iters);
    RDEval *t;
    if (cur->f > 0) {
      t = lo, lo = cur, cur = t;
      flo = lo->f;
      if (side == 1) fhi *= 0.5;
      side = 1;
    } else {
      t = hi, hi = cur, cur = t;
      fhi = hi->f;
      if (side == -1) flo *= 0.5;
      side = -1;
    }
    best = fabs(lo->f) < fabs(hi->f) ? lo : hi;
  }
  if (fabs(best->f) <= DTOL_OK * scale || !(lo->pt.converged && hi->pt.converged)) *out = best->pt;
  else rd_mix(&lo->pt, &hi->pt, D, out);
  out->iterations = iters;
  free(buf);
  if (ws->interrupted) return IXP_RD_EINTERRUPTED;
  return out->converged ? IXP_RD_OK : IXP_RD_ENOCONVERGE;
}

/* R at a target distortion: ERANGE below Dmin, the rate-0 point (Dmax, 0)
 * at and above Dmax, the beta = inf point within DTOL_AIM of Dmin, and
 * otherwise the root search of rd_search: |distortion - D| <= 1e-10
 * max(Dmax, tiny) (1e-14 aimed for), the rate certified at that distortion. */
IxpRDStatus ixp_rd_at(const double *p, int n, const double *d, int m, double D, const IxpIterOptions *opt,
                      IxpRDPoint *out) {
  int max_iter;
  double tol;
  IxpRDStatus st = rd_check(p, n, d, m);
  if (st) return st;
  if (!out || !iter_opts(opt, &max_iter, &tol) || isnan(D)) return IXP_RD_EINPUT;
  RDWork ws;
  if ((st = rd_init(&ws, p, n, d, m))) return st;
  ws.stop = opt ? opt->stop : NULL;
  double scale = ws.dmax > DBL_MIN ? ws.dmax : DBL_MIN;
  if (D >= ws.dmax) {
    rd_zero_point(&ws, out);
  } else if (D < ws.dmin_avg - 4 * DBL_EPSILON * scale) {
    st = IXP_RD_ERANGE;
  } else if (D <= ws.dmin_avg + DTOL_AIM * scale) {
    rd_at_beta(&ws, INFINITY, max_iter, tol, out);
    st = ws.interrupted ? IXP_RD_EINTERRUPTED : out->converged ? IXP_RD_OK : IXP_RD_ENOCONVERGE;
  } else {
    st = rd_search(&ws, D, max_iter, tol, out);
  }
  rd_free(&ws);
  return st;
}

/* The curve at nb slopes: solved from the highest beta down, each solve
 * warm-started from the last one's reproduction distribution (supports
 * shrink as beta falls), results written at the caller's indices. */
IxpRDStatus ixp_rd_curve(const double *p, int n, const double *d, int m, const double *betas, int nb,
                         const IxpIterOptions *opt, IxpRDPoint *out) {
  int max_iter;
  double tol;
  IxpRDStatus st = rd_check(p, n, d, m);
  if (st) return st;
  if (nb <= 0 || !betas || !out || !iter_opts(opt, &max_iter, &tol)) return IXP_RD_EINPUT;
  for (int k = 0; k < nb; k++)
    if (!(betas[k] >= 0)) return IXP_RD_EINPUT;
  BetaIdx *order = sorted_betas(betas, nb);
  if (!order) return IXP_RD_ENOMEM;
  RDWork ws;
  if ((st = rd_init(&ws, p, n, d, m))) {
    free(order);
    return st;
  }
  ws.stop = opt ? opt->stop : NULL;
  bool all = true;
  for (int k = 0; k < nb && !ws.interrupted; k++) {
    IxpRDPoint *o = &out[order[k].idx];
    rd_at_beta(&ws, order[k].beta, max_iter, tol, o);
    all &= o->converged;
  }
  st = ws.interrupted ? IXP_RD_EINTERRUPTED : all ? IXP_RD_OK : IXP_RD_ENOCONVERGE;
  rd_free(&ws);
  free(order);
  return st;
}

/* --------------------------------------------------------- capacity (BA) */

/* The divergences D_i = D(W_i || q) for q = W^T r, as
 * sum_j W_ij log W_ij - (W log q)_i: two GEMVs. Returns the lower bound
 * I(r, W) = sum_i r_i D_i and sets *upper = max_i D_i. */
static double cap_pass(const double *w, int n, int m, const double *r, const double *negh, double *q, double *lq,
                       double *dv, double *upper) {
  ixp_dense_gemv(true, n, m, 1.0, w, m, r, 0.0, q);
  for (int j = 0; j < m; j++) lq[j] = q[j] > 0 ? log(q[j]) : 0;
  ixp_dense_gemv(false, n, m, 1.0, w, m, lq, 0.0, dv);
  double lower = 0;
  *upper = -INFINITY;
  for (int i = 0; i < n; i++) {
    dv[i] = negh[i] - dv[i];
    if (dv[i] < 0) dv[i] = 0;
    lower += r[i] * dv[i];
    *upper = dv[i] > *upper ? dv[i] : *upper;
  }
  return lower;
}

/* Arimoto's update r_i <- r_i exp(D_i) / Z (exponentials through the
 * vectorised kernel, shifted by the maximum), with the W_FLOOR / W_REVIVE
 * rule of rd_update for inputs that die or would grow back. */
static void cap_update(double *r, int n, const double *dv, double upper, double *v) {
  exp_affine(v, dv, n, 1.0, upper);
  double z = 0, s = 0;
  for (int i = 0; i < n; i++) z += r[i] * v[i];
  for (int i = 0; i < n; i++) {
    double x = r[i] * v[i] / z;
    if (x < W_FLOOR) x = v[i] > z ? W_REVIVE : 0;
    r[i] = x;
    s += x;
  }
  for (int i = 0; i < n; i++) r[i] /= s;
}

/* Channel capacity by Blahut–Arimoto: r <- r exp(D(W_x || q)) / Z from
 * the uniform input, stopping when max_x D(W_x || q) - I(r, W) <= tol;
 * the capacity reported is I(r, W), achieved by the returned input. */
IxpRDStatus ixp_capacity(const double *w, int n, int m, const IxpIterOptions *opt, double *input,
                         IxpCapacity *out) {
  int max_iter;
  double tol;
  if (n <= 0 || m <= 0 || !w || !out || !iter_opts(opt, &max_iter, &tol)) return IXP_RD_EINPUT;
  for (int i = 0; i < n; i++)
    if (!is_distribution(w + (long)i * m, m)) return IXP_RD_EINPUT;
  double *r = dalloc(n), *dv = dalloc(n), *negh = dalloc(n), *v = dalloc(n), *q = dalloc(m), *lq = dalloc(m);
  if (!r || !dv || !negh || !v || !q || !lq) {
    free(r), free(dv), free(negh), free(v), free(q), free(lq);
    return IXP_RD_ENOMEM;
  }
  for (int i = 0; i < n; i++) {
    double s = 0;
    for (int j = 0; j < m; j++) s += xlogx(w[(long)i * m + j]);
    negh[i] = s;
    r[i] = 1.0 / n;
  }
  double lower, upper;
  int it = 0;
  bool conv = false, interrupted = false;
  for (;;) {
    lower = cap_pass(w, n, m, r, negh, q, lq, dv, &upper);
    it++;
    if (upper - lower <= tol) {
      conv = true;
      break;
    }
    if (it >= max_iter || (interrupted = stopped(opt ? opt->stop : NULL))) break;
    cap_update(r, n, dv, upper, v);
  }
  out->capacity = lower > 0 ? lower : 0;
  out->gap = upper - lower > 0 ? upper - lower : 0;
  out->iterations = it;
  out->converged = conv;
  if (input) memcpy(input, r, sizeof(double) * (size_t)n);
  free(r), free(dv), free(negh), free(v), free(q), free(lq);
  return interrupted ? IXP_RD_EINTERRUPTED : conv ? IXP_RD_OK : IXP_RD_ENOCONVERGE;
}

/* ------------------------------------------------- information bottleneck */

/* The IB state for one joint p(x, y): rows with p(x) = 0 dropped, and the
 * current encoder p(t|x) (n x kc, leading dimension K) with its log and the
 * quantities derived from it. */
typedef struct {
  long n, m, K;        /* kept x values, |Y|, most clusters */
  IxpIBVariant variant;
  double *px, *pxy, *pyx, *negh, *lpy;
  long kc;             /* clusters currently alive (columns 0..kc-1) */
  double *e, *le, *e2, *le2;  /* encoder, its log, and the next ones (n x K) */
  double *pt, *lpt;           /* p(t), log p(t) (K) */
  double *pyt, *lpyt;         /* p(y|t), log p(y|t) (K x m) */
  double *g;                  /* n x K: p(y|x) log p(y|t)^T */
  double ixt, ity, ht, lag;   /* of the current encoder at the current beta */
  int used;
  const volatile sig_atomic_t *stop;  /* the caller's stop flag, or NULL */
  bool interrupted;           /* a run stopped because *stop was set */
} IBWork;

/* Frees the IB work space (safe on a partly built one). */
static void ib_free(IBWork *ws) {
  free(ws->px), free(ws->pxy), free(ws->pyx), free(ws->negh), free(ws->lpy);
  free(ws->e), free(ws->le), free(ws->e2), free(ws->le2);
  free(ws->pt), free(ws->lpt), free(ws->pyt), free(ws->lpyt), free(ws->g);
  memset(ws, 0, sizeof *ws);
}

/* Builds the IB work space from a joint (validated by the caller): p(x),
 * the kept rows of p(x, y), p(y|x), sum_y p(y|x) log p(y|x) and log p(y). */
static IxpRDStatus ib_init(IBWork *ws, const double *pxy, int n0, int m, int K, IxpIBVariant variant) {
  memset(ws, 0, sizeof *ws);
  long n = 0;
  for (int i = 0; i < n0; i++) {
    double s = 0;
    for (int j = 0; j < m; j++) s += pxy[(long)i * m + j];
    n += s > 0;
  }
  ws->n = n, ws->m = m, ws->K = K, ws->variant = variant;
  ws->px = dalloc(n), ws->pxy = dalloc(n * m), ws->pyx = dalloc(n * m), ws->negh = dalloc(n), ws->lpy = dalloc(m);
  ws->e = dalloc(n * K), ws->le = dalloc(n * K), ws->e2 = dalloc(n * K), ws->le2 = dalloc(n * K);
  ws->pt = dalloc(K), ws->lpt = dalloc(K), ws->pyt = dalloc((long)K * m), ws->lpyt = dalloc((long)K * m);
  ws->g = dalloc(n * K);
  if (!ws->px || !ws->pxy || !ws->pyx || !ws->negh || !ws->lpy || !ws->e || !ws->le || !ws->e2 || !ws->le2 ||
      !ws->pt || !ws->lpt || !ws->pyt || !ws->lpyt || !ws->g) {
    ib_free(ws);
    return IXP_RD_ENOMEM;
  }
  long k = 0;
  for (int j = 0; j < m; j++) ws->lpy[j] = 0;
  for (int i = 0; i < n0; i++) {
    const double *row = pxy + (long)i * m;
    double s = 0;
    for (int j = 0; j < m; j++) s += row[j];
    if (!(s > 0)) continue;
    double h = 0;
    for (int j = 0; j < m; j++) {
      ws->pxy[k * m + j] = row[j];
      ws->pyx[k * m + j] = row[j] / s;
      h += xlogx(row[j] / s);
      ws->lpy[j] += row[j];
    }
    ws->px[k] = s, ws->negh[k] = h;
    k++;
  }
  for (int j = 0; j < m; j++) ws->lpy[j] = ws->lpy[j] > 0 ? log(ws->lpy[j]) : LOG0;
  return IXP_RD_OK;
}

/* Removes cluster column k (moving the last alive column into its place). */
static void ib_drop(IBWork *ws, long k) {
  long last = ws->kc - 1, K = ws->K, m = ws->m;
  if (k != last) {
    for (long i = 0; i < ws->n; i++) {
      ws->e[i * K + k] = ws->e[i * K + last];
      ws->le[i * K + k] = ws->le[i * K + last];
    }
    ws->pt[k] = ws->pt[last];
    memcpy(ws->pyt + k * m, ws->pyt + last * m, sizeof(double) * (size_t)m);
  }
  ws->kc--;
}

/* Merges cluster b into cluster a (same decoder up to IB_MERGE): p(t|x)
 * and p(t) add, p(y|t) is their weighted mean. Merging clusters with equal
 * p(y|t) leaves I(T;Y) unchanged and cannot raise I(X;T) or H(T), so it
 * never worsens the Lagrangian; it removes the flat directions that slow
 * the iteration and makes `clusters` count distinct clusters. */
static void ib_merge(IBWork *ws, long a, long b) {
  long K = ws->K, m = ws->m;
  double pa = ws->pt[a], pb = ws->pt[b], s = pa + pb;
  for (long j = 0; j < m; j++) ws->pyt[a * m + j] = (pa * ws->pyt[a * m + j] + pb * ws->pyt[b * m + j]) / s;
  ws->pt[a] = s;
  for (long i = 0; i < ws->n; i++) {
    double v = ws->e[i * K + a] + ws->e[i * K + b];
    ws->e[i * K + a] = v;
    ws->le[i * K + a] = v > 0 ? log(v) : LOG0;
  }
  ib_drop(ws, b);
}

/* True when the decoders of clusters a and b agree to IB_MERGE. */
static bool ib_same(const IBWork *ws, long a, long b) {
  const double *x = ws->pyt + a * ws->m, *y = ws->pyt + b * ws->m;
  for (long j = 0; j < ws->m; j++)
    if (fabs(x[j] - y[j]) > IB_MERGE) return false;
  return true;
}

/* Everything derived from the current encoder: p(t) = E^T p(x) (GEMV),
 * p(y|t) = E^T p(x, y) / p(t) (GEMM); drops dead clusters and merges
 * duplicates; then the logs, I(X;T), I(T;Y), H(T) and the Lagrangian
 * (I(X;T) or H(T)) - beta I(T;Y). */
static void ib_stats(IBWork *ws, double beta) {
  long n = ws->n, m = ws->m, K = ws->K;
  ixp_dense_gemv(true, n, ws->kc, 1.0, ws->e, K, ws->px, 0.0, ws->pt);
  for (long k = 0; k < ws->kc;)
    if (ws->pt[k] < IB_DEAD) ib_drop(ws, k);
    else k++;
  gemm_tn_nt(true, false, ws->kc, m, n, ws->e, K, ws->pxy, m, ws->pyt, m);
  for (long k = 0; k < ws->kc; k++)
    for (long j = 0; j < m; j++) ws->pyt[k * m + j] /= ws->pt[k];
  for (long a = 0; a < ws->kc; a++)
    for (long b = a + 1; b < ws->kc;)
      if (ib_same(ws, a, b)) ib_merge(ws, a, b);
      else b++;
  double ity = 0, ht = 0, ixt = 0;
  int used = 0;
  for (long k = 0; k < ws->kc; k++) {
    double pk = ws->pt[k], s = 0;
    ws->lpt[k] = log(pk);
    ht -= pk * ws->lpt[k];
    used += pk > IB_USED;
    for (long j = 0; j < m; j++) {
      double v = ws->pyt[k * m + j];
      double l = v > 0 ? log(v) : LOG0;
      ws->lpyt[k * m + j] = l;
      if (v > 0) s += v * (l - ws->lpy[j]);
    }
    ity += pk * s;
  }
  for (long i = 0; i < n; i++) {
    double s = 0;
    for (long k = 0; k < ws->kc; k++) {
      double v = ws->e[i * K + k];
      if (v > 0) s += v * (ws->le[i * K + k] - ws->lpt[k]);
    }
    ixt += ws->px[i] * s;
  }
  ws->ixt = ixt > 0 ? ixt : 0;
  ws->ity = ity > 0 ? ity : 0;
  ws->ht = ht > 0 ? ht : 0;
  ws->used = used;
  ws->lag = (ws->variant == IXP_IB_DETERMINISTIC ? ws->ht : ws->ixt) - beta * ws->ity;
}

/* One self-consistent update from the current stats: KL(p(y|x) || p(y|t))
 * = sum p(y|x) log p(y|x) - [p(y|x) log p(y|t)^T] (GEMM), then
 * p(t|x) ∝ p(t) exp(-beta KL) (IB; log-sum-exp per row through the
 * vectorised exp) or the argmax of log p(t) - beta KL (DIB; ties keep the
 * current cluster, so the iteration stops). Returns the largest change of
 * p(t|x); the new encoder replaces the current one. */
static double ib_update(IBWork *ws, double beta) {
  long n = ws->n, m = ws->m, K = ws->K, kc = ws->kc;
  gemm_tn_nt(false, true, n, kc, m, ws->pyx, m, ws->lpyt, m, ws->g, K);
  double delta = 0;
  for (long i = 0; i < n; i++) {
    double *g = ws->g + i * K, *e = ws->e + i * K, *e2 = ws->e2 + i * K, *l2 = ws->le2 + i * K;
    double mx = -INFINITY;
    long best = 0, cur = 0;
    for (long k = 0; k < kc; k++) {
      double kl = ws->negh[i] - g[k];
      if (!(kl > 0)) kl = 0;
      l2[k] = ws->lpt[k] - beta * kl;
      if (l2[k] > mx) mx = l2[k], best = k;
      if (e[k] > e[cur]) cur = k;
    }
    if (ws->variant == IXP_IB_DETERMINISTIC) {
      if (l2[cur] >= mx - 1e-14 * (1 + fabs(mx))) best = cur;
      for (long k = 0; k < kc; k++) {
        e2[k] = k == best;
        l2[k] = k == best ? 0 : LOG0;
        double dd = fabs(e2[k] - e[k]);
        delta = dd > delta ? dd : delta;
      }
    } else {
      exp_affine(e2, l2, kc, 1.0, mx);
      double s = 0;
      for (long k = 0; k < kc; k++) s += e2[k];
      double ls = log(s);
      for (long k = 0; k < kc; k++) {
        e2[k] /= s;
        l2[k] = e2[k] > 0 ? l2[k] - mx - ls : LOG0;
        double dd = fabs(e2[k] - e[k]);
        delta = dd > delta ? dd : delta;
      }
    }
  }
  double *t = ws->e;
  ws->e = ws->e2, ws->e2 = t;
  t = ws->le, ws->le = ws->le2, ws->le2 = t;
  return delta;
}

/* The encoder's largest change per iteration at which the IB counts as
 * converged. There is no certified bound for the (non-convex) IB; the
 * iteration contracts linearly near a fixed point, and the Lagrangian's
 * error there is second order in the encoder's, so tol * 1e3 (1e-10 at the
 * default) leaves it far below tol. DIB stops when nothing moves. */
static double ib_tau(double tol) { return tol * 1e3; }

/* Iterates from the encoder in ws at slope beta until converged or
 * max_iter; fills *out from the final encoder. */
static void ib_run(IBWork *ws, double beta, int max_iter, double tol, IxpIBPoint *out) {
  int it = 0;
  bool conv = false;
  double tau = ws->variant == IXP_IB_DETERMINISTIC ? 0 : ib_tau(tol);
  ib_stats(ws, beta);
  while (it < max_iter) {
    if (stopped(ws->stop)) {
      ws->interrupted = true;
      break;
    }
    double delta = ib_update(ws, beta);
    it++;
    ib_stats(ws, beta);
    if (delta <= tau) {
      conv = true;
      break;
    }
  }
  *out = (IxpIBPoint){.beta = beta, .ixt = ws->ixt, .ity = ws->ity, .ht = ws->ht, .clusters = ws->used,
                      .iterations = it, .converged = conv};
}

/* Sets the encoder to a deterministic spread: x_i in cluster i mod K (the
 * identity when K >= n), the natural start at high beta where every x
 * wants its own cluster. */
static void ib_start_spread(IBWork *ws) {
  long K = ws->K;
  ws->kc = K < ws->n ? K : ws->n;
  for (long i = 0; i < ws->n; i++)
    for (long k = 0; k < ws->kc; k++) {
      bool on = k == i % ws->kc;
      ws->e[i * K + k] = on;
      ws->le[i * K + k] = on ? 0 : LOG0;
    }
}

/* Sets the encoder to a random one: rows drawn uniformly from the simplex
 * (normalised exponential variates) from the seeded generator. */
static void ib_start_random(IBWork *ws, uint64_t *rng) {
  long K = ws->K;
  ws->kc = K;
  for (long i = 0; i < ws->n; i++) {
    double s = 0;
    for (long k = 0; k < K; k++) s += ws->e[i * K + k] = -log(uniform01(rng));
    for (long k = 0; k < K; k++) {
      ws->e[i * K + k] /= s;
      ws->le[i * K + k] = log(ws->e[i * K + k]);
    }
  }
}

/* A stored encoder (n x kc, packed) with its point. */
typedef struct {
  long kc;
  double *e;
  IxpIBPoint pt;
  double a;            /* I(X;T) (IB) or H(T) (DIB): the Lagrangian is a - beta * pt.ity */
} IBSol;

/* Copies the current encoder and its point into *s (false when out of memory). */
static bool ib_save(const IBWork *ws, const IxpIBPoint *pt, IBSol *s) {
  double *e = realloc(s->e, sizeof(double) * (size_t)(ws->n * (ws->kc > 0 ? ws->kc : 1)));
  if (!e) return false;
  s->e = e;
  s->kc = ws->kc;
  for (long i = 0; i < ws->n; i++) memcpy(e + i * ws->kc, ws->e + i * ws->K, sizeof(double) * (size_t)ws->kc);
  s->pt = *pt;
  s->a = ws->variant == IXP_IB_DETERMINISTIC ? pt->ht : pt->ixt;
  return true;
}

/* Loads a stored encoder as the current one. */
static void ib_load(IBWork *ws, const IBSol *s) {
  ws->kc = s->kc;
  for (long i = 0; i < ws->n; i++)
    for (long k = 0; k < s->kc; k++) {
      double v = s->e[i * s->kc + k];
      ws->e[i * ws->K + k] = v;
      ws->le[i * ws->K + k] = v > 0 ? log(v) : LOG0;
    }
}

/* The Lagrangian of a stored solution at slope beta. */
static double ib_lag(const IBSol *s, double beta) { return s->a - beta * s->pt.ity; }

/* Solves at one beta from a set of starts — the warm start `warm` (if
 * any), the spread start (if `spread`) and `restarts` random encoders —
 * keeping in *best the solution of least Lagrangian. */
static IxpRDStatus ib_best(IBWork *ws, double beta, const IBSol *warm, bool spread, int restarts, uint64_t *rng,
                           int max_iter, double tol, IBSol *best) {
  bool have = false;
  int total = warm ? 1 : 0;
  total += spread ? 1 : 0;
  total += restarts;
  for (int s = 0; s < total; s++) {
    if (ws->interrupted) return IXP_RD_EINTERRUPTED;
    if (warm && s == 0) ib_load(ws, warm);
    else if (spread && s == (warm ? 1 : 0)) ib_start_spread(ws);
    else ib_start_random(ws, rng);
    IxpIBPoint pt;
    ib_run(ws, beta, max_iter, tol, &pt);
    double lag = (ws->variant == IXP_IB_DETERMINISTIC ? pt.ht : pt.ixt) - beta * pt.ity;
    if (!have || lag < ib_lag(best, beta) - 1e-15 * (1 + fabs(lag))) {
      if (!ib_save(ws, &pt, best)) return IXP_RD_ENOMEM;
      have = true;
    }
  }
  return ws->interrupted ? IXP_RD_EINTERRUPTED : IXP_RD_OK;
}

/* Checks the IB inputs and fills in the defaults (clusters n, 5 restarts). */
static IxpRDStatus ib_check(const double *pxy, int n, int m, const IxpIBOptions *opt, int *K, int *restarts,
                            int *max_iter, double *tol) {
  if (n <= 0 || m <= 0 || !pxy || !opt) return IXP_RD_EINPUT;
  if (opt->variant != IXP_IB_STANDARD && opt->variant != IXP_IB_DETERMINISTIC) return IXP_RD_EINPUT;
  if (opt->clusters < 0 || opt->clusters > IXP_IB_MAX_CLUSTERS || opt->restarts < 0 ||
      opt->restarts > IXP_IB_MAX_RESTARTS || !iter_opts(&opt->iter, max_iter, tol)) return IXP_RD_EINPUT;
  if (!is_distribution(pxy, (long)n * m)) return IXP_RD_EINPUT;
  *K = opt->clusters ? opt->clusters : n;
  *restarts = opt->restarts ? opt->restarts : 5;
  return IXP_RD_OK;
}

/* The IB (or DIB) at one beta: the spread start plus opt->restarts random
 * encoders, each iterated to convergence; the least Lagrangian wins. */
IxpRDStatus ixp_ib(const double *pxy, int n, int m, double beta, const IxpIBOptions *opt, IxpIBPoint *out) {
  int K, restarts, max_iter;
  double tol;
  IxpRDStatus st = ib_check(pxy, n, m, opt, &K, &restarts, &max_iter, &tol);
  if (st) return st;
  if (!out || !(beta >= 0) || isinf(beta)) return IXP_RD_EINPUT;
  IBWork ws;
  if ((st = ib_init(&ws, pxy, n, m, K, opt->variant))) return st;
  ws.stop = opt->iter.stop;
  uint64_t rng = opt->seed;
  IBSol best = {0};
  st = ib_best(&ws, beta, NULL, true, restarts, &rng, max_iter, tol, &best);
  if (!st) {
    *out = best.pt;
    st = out->converged ? IXP_RD_OK : IXP_RD_ENOCONVERGE;
  }
  free(best.e);
  ib_free(&ws);
  return st;
}

/* Makes the stored curve consistent: while some beta's solution has a
 * larger Lagrangian at that beta than another beta's solution, re-iterate
 * the better one there (the iterations only lower the Lagrangian) and
 * adopt it. When no beta can improve on another's encoder, the standard
 * exchange argument makes I(T;Y) and I(X;T) (or H(T)) non-decreasing in
 * beta — which separately solved points with restarts need not be. */
static IxpRDStatus ib_consistent(IBWork *ws, const BetaIdx *order, int nb, IBSol *sol, int max_iter, double tol,
                                 IBSol *tmp) {
  for (int pass = 0; pass < nb + 1; pass++) {
    bool changed = false;
    for (int k = 0; k < nb; k++) {
      double b = order[k].beta, mine = ib_lag(&sol[k], b), eps = 1e-13 * (1 + fabs(mine));
      int arg = -1;
      double bestl = mine - eps;
      for (int j = 0; j < nb; j++) {
        double l = ib_lag(&sol[j], b);
        if (j != k && l < bestl) bestl = l, arg = j;
      }
      if (arg < 0) continue;
      ib_load(ws, &sol[arg]);
      IxpIBPoint pt;
      ib_run(ws, b, max_iter, tol, &pt);
      if (ws->interrupted) return IXP_RD_EINTERRUPTED;
      if (!ib_save(ws, &pt, tmp)) return IXP_RD_ENOMEM;
      if (ib_lag(tmp, b) < mine - eps) {
        IBSol t = sol[k];
        sol[k] = *tmp, *tmp = t;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return IXP_RD_OK;
}

/* The IB (or DIB) curve: from the highest beta down, each beta started
 * from the previous solution and from opt->restarts random encoders (the
 * highest also from the spread start), best Lagrangian kept; then made
 * consistent by ib_consistent so both informations rise with beta. */
IxpRDStatus ixp_ib_curve(const double *pxy, int n, int m, const double *betas, int nb, const IxpIBOptions *opt,
                         IxpIBPoint *out) {
  int K, restarts, max_iter;
  double tol;
  IxpRDStatus st = ib_check(pxy, n, m, opt, &K, &restarts, &max_iter, &tol);
  if (st) return st;
  if (nb <= 0 || !betas || !out) return IXP_RD_EINPUT;
  for (int k = 0; k < nb; k++)
    if (!(betas[k] >= 0) || isinf(betas[k])) return IXP_RD_EINPUT;
  BetaIdx *order = sorted_betas(betas, nb);
  IBSol *sol = calloc((size_t)nb + 1, sizeof *sol);
  IBWork ws;
  if (!order || !sol || (st = ib_init(&ws, pxy, n, m, K, opt->variant))) {
    free(order), free(sol);
    return st ? st : IXP_RD_ENOMEM;
  }
  ws.stop = opt->iter.stop;
  uint64_t rng = opt->seed;
  for (int k = 0; k < nb && !st; k++)
    st = ib_best(&ws, order[k].beta, k ? &sol[k - 1] : NULL, k == 0, restarts, &rng, max_iter, tol, &sol[k]);
  if (!st) st = ib_consistent(&ws, order, nb, sol, max_iter, tol, &sol[nb]);
  bool all = true;
  if (!st)
    for (int k = 0; k < nb; k++) {
      out[order[k].idx] = sol[k].pt;
      all &= sol[k].pt.converged;
    }
  for (int k = 0; k <= nb; k++) free(sol[k].e);
  free(sol), free(order);
  ib_free(&ws);
  return st ? st : all ? IXP_RD_OK : IXP_RD_ENOCONVERGE;
}

/* ----------------------------------------------------------- closed forms */

/* Gaussian source, squared error: max(0, 1/2 ln(var / D)); NaN for a
 * non-positive variance or a negative D, +inf at D = 0. */
double ixp_rd_gaussian(double var, double D) {
  if (!(var > 0) || !isfinite(var) || !(D >= 0)) return NAN;
  if (D >= var) return 0;
  return 0.5 * log(var / D);
}

/* Total distortion sum_i min(lambda, var_i) at water level lambda. */
static double water_sum(const double *var, int n, double lambda) {
  double s = 0;
  for (int i = 0; i < n; i++) s += var[i] < lambda ? var[i] : lambda;
  return s;
}

/* Reverse water-filling over independent Gaussian components: bisection
 * on the water level lambda (sum_i min(lambda, var_i) = D), then lambda
 * recomputed exactly from the components above it; NaN for bad input. */
double ixp_rd_waterfill(const double *var, int n, double D) {
  if (n <= 0 || !var || !(D >= 0)) return NAN;
  double total = 0, vmax = 0;
  for (int i = 0; i < n; i++) {
    if (!(var[i] >= 0) || !isfinite(var[i])) return NAN;
    total += var[i];
    vmax = var[i] > vmax ? var[i] : vmax;
  }
  if (D >= total) return 0;
  if (D == 0) return INFINITY;
  /* Bisection on the water level: sum_i min(lambda, var_i) is continuous
   * and increasing from 0 (lambda = 0) to total (lambda = vmax). */
  double lo = 0, hi = vmax;
  for (int it = 0; it < 2000 && hi - lo > 0; it++) {
    double mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    if (water_sum(var, n, mid) < D) lo = mid;
    else hi = mid;
  }
  /* Polish: with the set of components above the water known, lambda is
   * (D - sum of those below) / (number above), exact up to rounding. */
  double lambda = 0.5 * (lo + hi), below = 0;
  int above = 0;
  for (int i = 0; i < n; i++)
    if (var[i] > lambda) above++;
    else below += var[i];
  if (above > 0) {
    double l2 = (D - below) / above;
    if (l2 > 0) lambda = l2;
  }
  double r = 0;
  for (int i = 0; i < n; i++)
    if (var[i] > lambda) r += 0.5 * log(var[i] / lambda);
  return r;
}
