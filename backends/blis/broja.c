/* broja.c — min I_q(T; S1, S2) over Delta_P by a path-following
 * interior-point method on the exponential-cone program of Makkeh, Theis
 * & Vicente (BROJA-2PID, 2017/2018).
 *
 * The program. With x_j = q(t, s1, s2) on the support and w_c =
 * sum_t q(t, c) the mass of column c = (s1, s2),
 *
 *     min  F(x) = sum_j x_j log(x_j / w_c(j))   (= -H_q(T | S1, S2))
 *     s.t. sum_{s2} x(t, s1, s2) = p(t, s1),  sum_{s1} x(t, s1, s2) = p(t, s2),
 *
 * and I_q(T; S1, S2) = H(T) + F(x). Each term is an exponential cone
 * (-r_j, x_j, w_c) in K_exp with epigraph variable r_j; its logarithmic
 * barrier -log(r_j - x_j log(x_j / w_c)) - log x_j - log w_c, minimised
 * over r_j in closed form (r_j - x_j log(x_j/w_c) = 1/tau), leaves
 *
 *     Phi_tau(x) = tau F(x) - sum_j log x_j - sum_c n_c log w_c,
 *
 * minimised on {Ax = b} by Newton's method for increasing tau. The optimum
 * often lies on the boundary (q_j = 0: every gate whose unique information
 * vanishes), where F has no subgradient; the barrier keeps every iterate
 * interior, so the method never evaluates a gradient there.
 *
 * The Newton system. The Hessian of Phi is block diagonal by column,
 * H_c = diag(tau/x + 1/x^2) + (n_c/w^2 - tau/w) 11^T, inverted by
 * Sherman–Morrison (H_c^-1 = diag(u) + gam_c u u^T); the equality
 * multipliers solve the dual-sized system K nu = rhs, K = A H^-1 A^T, of
 * order |T|(|S1| + |S2|) minus one redundant row per t. K is split as
 * K0 + V Gam V^T: K0 = A diag(u) A^T is block diagonal by target value
 * (dense Cholesky per block) and the rank-one terms go through Woodbury
 * (S = Gam^-1 + W^T W, W = L0^-1 V, a quasi-definite LDL^T). Assembling K
 * whole and factoring it is cheaper but wrong late in the path: a column
 * of large mass has a nearly free scaling direction, its rank-one term is
 * O(1) while entries of variables bound for zero are O(1/tau^2), and the
 * Cholesky of the sum loses them (feasibility then stalls). Multipliers
 * are solved for as increments (the right-hand side is the small dual
 * residual, not the O(tau) gradient), with one step of iterative
 * refinement. The problem first splits into independent components
 * (target values linked through shared columns); a component with a
 * single target value has F = 0 on its whole feasible set and needs no
 * iteration (COPY is 4096 of them).
 *
 * The path. Start at the interior feasible point p(t,s1) p(t,s2) / p(t),
 * tau = 2N. Centre by Newton (Armijo backtracking on a cancellation-free
 * difference of Phi while the decrement is large, full steps within 0.99
 * of the boundary after), until the squared decrement is below 1e-3; then
 * tau *= 30 with a predictor along the tangent of the central path taken
 * multiplicatively (x *= exp(log 30 * dlog x / dlog tau), clipped), so
 * entries bound for zero shrink like 1/tau instead of being cut by the
 * fraction-to-boundary rule.
 *
 * The certificate. At a central point the multipliers give dual variables
 * theta_j = lambda(t, s1) + mu(t, s2) = log(x_j/w) - 1/(tau x_j) - n_c/(tau w)
 * of the dual program (max sum lambda p + sum mu p subject to
 * sum_t exp(lambda(t, s1) + mu(t, s2)) <= 1 per column); away from the
 * centre the dual point is made feasible by shifting every lambda by the
 * largest column log-sum-exp, so the reported gap F(x) - D(y) is a true
 * bound (up to the reported primal infeasibility). Late on the path, on
 * boundary optima (a unique information of 0: AND, COPY-like gates, the
 * sum of two dice), the Newton systems cannot hold A x = b to 1e-12 once
 * the vanishing entries are O(1/tau); such an iterate is certified through
 * a feasible copy (comp_restore), its objective evaluated there, while
 * the path goes on from the iterate itself. Stopping rule: the gap
 * of each component below tol times its mass (so the total gap is below
 * tol) with the primal residual below 1e-12; otherwise, after the
 * iteration limits, IXP_PID_ENOCONVERGE. */
#include "broja.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "blis/dense.h"

#define MAX_OUTER 200
#define MAX_NEWTON 3000
#define MAX_INNER 60
#define TAU_GROWTH 30.0
#define CENTER_TOL 1e-3
#define PINF_TOL 1e-12
#define HUGE_PIVOT 1e64
#define MAX_RESTORE 8 /* correction steps that restore the feasibility of a late iterate */
#define MAX_TAU 1e18 /* the barrier gap 2N/tau is far below any useful tolerance by then */

/* Offset of element (i, j) of a row-major matrix with rows of n elements
 * (all three non-negative). */
/* One connected component of the problem, scaled to mass 1. */
typedef struct {
  int nv, ncol, m, ntl, p;
  int *cstart;     /* ncol + 1: column k holds variables cstart[k] .. cstart[k+1] */
  int *r1, *r2;    /* per variable: its (t, s1) row and (t, s2) row (-1: dropped) */
  int *vtl;        /* per variable: its target value (local index) */
  int *gvar;       /* per variable: index in the global variable list */
  int *tr;         /* ntl + 1: the rows of local target k are tr[k] .. tr[k+1] */
  int *colq;       /* per column: its index among the p columns of two or more variables, or -1 */
  size_t *lo;      /* ntl + 1: offsets of the diagonal blocks of K0 in L0 */
  double *b;       /* m right-hand sides (scaled) */
  double mass;     /* the scale: total probability of the component */
  double *x, *dx, *g, *u, *z, *t1, *xbest; /* per variable */
  double *al, *gam, *w;                    /* per column */
  double *rhs, *nu, *y, *e, *f;            /* per row */
  double *L0, *Li, *W, *S, *sd, *sw;       /* K0 blocks and their inverses, W = L0^-1 V (p x m), S (p x p), LDL^T diagonal, scratch */
} Comp;

/* The whole problem: marginals, support and components. */
typedef struct {
  int nt, n1, n2, nvar;
  double *pt, *p1, *p2;   /* p(t), p(t, s1), p(t, s2) */
  int *colstart;          /* n1 * n2 + 1 */
  int *vt;                /* per variable (column-major order): its t */
  int *row1, *row2;       /* nt * n1, nt * n2: local row of (t, s1), (t, s2) */
  int *tloc;              /* nt: local index of t in its component */
  int *parent;            /* union-find over t */
  double *x;              /* the solution, per variable */
} Prob;

/* Union-find root of t with path halving. */
static int uf_find(int *parent, int t) {
  while (parent[t] != t) {
    parent[t] = parent[parent[t]];
    t = parent[t];
  }
  return t;
}

/* Free every array of a component. */
static void comp_free(Comp *c) {
  void *all[] = {c->cstart, c->r1, c->r2, c->vtl, c->gvar, c->tr, c->colq, c->lo, c->b, c->x, c->dx,
                 c->g, c->u, c->z, c->t1, c->xbest, c->al, c->gam, c->w, c->rhs, c->nu, c->y, c->e,
                 c->f, c->L0, c->Li, c->W, c->S, c->sd, c->sw};
  for (size_t i = 0; i < sizeof all / sizeof *all; i++) free(all[i]);
  memset(c, 0, sizeof *c);
}

/* A zeroed array of n doubles (at least one). */
static double *dzalloc(size_t n) { return calloc(n + 1, sizeof(double)); }

/* A zeroed array of n ints (at least one). */
static int *izalloc(size_t n) { return calloc(n + 1, sizeof(int)); }

/* Allocate the per-variable, per-column and per-row arrays of a component. */
static bool comp_alloc(Comp *c, int nv, int ncol, int m, int ntl) {
  c->nv = nv, c->ncol = ncol, c->m = m, c->ntl = ntl;
  size_t v = (size_t)nv, k = (size_t)ncol, r = (size_t)m;
  c->cstart = izalloc(k + 1), c->r1 = izalloc(v), c->r2 = izalloc(v), c->vtl = izalloc(v);
  c->gvar = izalloc(v), c->tr = izalloc((size_t)ntl + 1), c->colq = izalloc(k);
  c->lo = calloc((size_t)ntl + 2, sizeof(size_t));
  c->b = dzalloc(r), c->x = dzalloc(v), c->dx = dzalloc(v), c->g = dzalloc(v), c->u = dzalloc(v);
  c->z = dzalloc(v), c->t1 = dzalloc(v), c->xbest = dzalloc(v);
  c->al = dzalloc(k), c->gam = dzalloc(k), c->w = dzalloc(k);
  c->rhs = dzalloc(r), c->nu = dzalloc(r), c->y = dzalloc(r), c->e = dzalloc(r), c->f = dzalloc(r);
  return c->cstart && c->r1 && c->r2 && c->vtl && c->gvar && c->tr && c->colq && c->lo && c->b && c->x &&
         c->dx && c->g && c->u && c->z && c->t1 && c->xbest && c->al && c->gam && c->w && c->rhs && c->nu &&
         c->y && c->e && c->f;
}

/* Allocate the factor storage once the block sizes and p are known. */
static bool comp_alloc_factor(Comp *c) {
  size_t total = 0;
  for (int k = 0; k < c->ntl; k++) {
    size_t mk = (size_t)(c->tr[k + 1] - c->tr[k]);
    c->lo[k] = total;
    total += mk * mk;
  }
  c->lo[c->ntl] = total;
  size_t p = (size_t)c->p;
  c->L0 = dzalloc(total), c->Li = dzalloc(total), c->W = dzalloc(p * (size_t)c->m), c->S = dzalloc(p * p);
  c->sd = dzalloc(p), c->sw = dzalloc(p > (size_t)c->m ? p : (size_t)c->m);
  return c->L0 && c->Li && c->W && c->S && c->sd && c->sw;
}

/* Marginals p(t), p(t, s1), p(t, s2) of the joint. */
static void prob_marginals(Prob *P, const double *p) {
  int n1 = P->n1, n2 = P->n2;
  for (int t = 0; t < P->nt; t++) {
    for (int a = 0; a < n1; a++) {
      const double *row = p + ixp_dense_at(t, n1, a) * (size_t)n2;
      double s = 0;
      for (int b = 0; b < n2; b++) {
        s += row[b];
        P->p2[t * n2 + b] += row[b];
      }
      P->p1[t * n1 + a] = s;
      P->pt[t] += s;
    }
  }
}

/* The support, ordered by column (s1, s2) then t, and the union-find of
 * target values that share a column. Returns false when out of memory. */
static bool prob_support(Prob *P) {
  int nt = P->nt, n1 = P->n1, n2 = P->n2, ncol = n1 * n2;
  int *cnt = izalloc((size_t)ncol);
  if (!cnt) return false;
  for (int t = 0; t < nt; t++)
    for (int a = 0; a < n1; a++)
      if (P->p1[t * n1 + a] > 0)
        for (int b = 0; b < n2; b++)
          if (P->p2[t * n2 + b] > 0) cnt[a * n2 + b]++;
  P->colstart[0] = 0;
  for (int c = 0; c < ncol; c++) P->colstart[c + 1] = P->colstart[c] + cnt[c];
  P->nvar = P->colstart[ncol];
  P->vt = izalloc((size_t)P->nvar);
  P->x = dzalloc((size_t)P->nvar);
  if (!P->vt || !P->x) return free(cnt), false;
  memcpy(cnt, P->colstart, (size_t)ncol * sizeof(int));
  for (int t = 0; t < nt; t++) P->parent[t] = t;
  for (int t = 0; t < nt; t++)
    for (int a = 0; a < n1; a++)
      if (P->p1[t * n1 + a] > 0)
        for (int b = 0; b < n2; b++)
          if (P->p2[t * n2 + b] > 0) {
            int c = a * n2 + b;
            if (cnt[c] > P->colstart[c]) {
              int r = uf_find(P->parent, P->vt[P->colstart[c]]), s = uf_find(P->parent, t);
              if (r != s) P->parent[s] = r;
            }
            P->vt[cnt[c]++] = t;
          }
  free(cnt);
  return true;
}

/* The feasible interior start q(t, s1, s2) = p(t, s1) p(t, s2) / p(t). */
static double start_value(const Prob *P, int t, int c) {
  int a = c / P->n2, b = c % P->n2;
  return P->p1[t * P->n1 + a] * P->p2[t * P->n2 + b] / P->pt[t];
}

/* Number the rows of component `root` target by target (the (t, s1) rows,
 * then the (t, s2) rows but the first, which the others imply); returns
 * the number of rows, *ntl the number of target values and *mass theirs. */
static int comp_rows(const Prob *P, int root, int *ntl, double *mass) {
  int n1 = P->n1, n2 = P->n2, m = 0;
  *ntl = 0, *mass = 0;
  for (int t = 0; t < P->nt; t++) {
    if (uf_find(P->parent, t) != root) continue;
    bool first = true;
    P->tloc[t] = (*ntl)++;
    *mass += P->pt[t];
    for (int a = 0; a < n1; a++)
      if (P->p1[t * n1 + a] > 0) P->row1[t * n1 + a] = m++;
    for (int b = 0; b < n2; b++)
      if (P->p2[t * n2 + b] > 0) P->row2[t * n2 + b] = first ? -1 : m++, first = false;
  }
  return m;
}

/* Build component `root`: its columns, variables and rows, scaled to mass
 * 1. Returns false when out of memory. */
static bool comp_build(const Prob *P, int root, Comp *c) {
  int n1 = P->n1, n2 = P->n2, ncol = n1 * n2, nv = 0, nc = 0, ntl;
  double mass;
  int m = comp_rows(P, root, &ntl, &mass);
  for (int k = 0; k < ncol; k++)
    if (P->colstart[k + 1] > P->colstart[k] && uf_find(P->parent, P->vt[P->colstart[k]]) == root)
      nv += P->colstart[k + 1] - P->colstart[k], nc++;
  if (!comp_alloc(c, nv, nc, m, ntl)) return false;
  c->mass = mass;
  nv = nc = 0;
  for (int k = 0; k < ncol; k++) {
    if (P->colstart[k + 1] == P->colstart[k] || uf_find(P->parent, P->vt[P->colstart[k]]) != root) continue;
    c->colq[nc] = P->colstart[k + 1] - P->colstart[k] > 1 ? c->p++ : -1;
    c->cstart[nc++] = nv;
    for (int j = P->colstart[k]; j < P->colstart[k + 1]; j++, nv++) {
      int t = P->vt[j];
      c->gvar[nv] = j, c->vtl[nv] = P->tloc[t];
      c->r1[nv] = P->row1[t * n1 + k / n2];
      c->r2[nv] = P->row2[t * n2 + k % n2];
      c->x[nv] = start_value(P, t, k) / mass;
    }
  }
  c->cstart[nc] = nv;
  for (int t = 0; t < P->nt; t++) {
    if (uf_find(P->parent, t) != root) continue;
    int k = P->tloc[t], lo = m, hi = 0;
    for (int a = 0; a < n1; a++)
      if (P->p1[t * n1 + a] > 0) {
        int r = P->row1[t * n1 + a];
        c->b[r] = P->p1[t * n1 + a] / mass, lo = r < lo ? r : lo, hi = r > hi ? r : hi;
      }
    for (int b = 0; b < n2; b++)
      if (P->p2[t * n2 + b] > 0 && P->row2[t * n2 + b] >= 0) {
        int r = P->row2[t * n2 + b];
        c->b[r] = P->p2[t * n2 + b] / mass, hi = r > hi ? r : hi;
      }
    c->tr[k] = lo, c->tr[k + 1] = hi + 1;
  }
  return comp_alloc_factor(c);
}

/* Column data at x: masses w, Hessian inverse factors u (diagonal part)
 * and gam (rank-one part; 0 for a one-variable column, whose Hessian is
 * the scalar 2/x^2), al = n_c/w^2 - tau/w, and the gradient g. */
static void comp_hessian(Comp *c, double tau) {
  for (int k = 0; k < c->ncol; k++) {
    int j0 = c->cstart[k], j1 = c->cstart[k + 1], n = j1 - j0;
    double w = 0, s = 0, rest = 0;
    for (int j = j0; j < j1; j++) w += c->x[j];
    for (int j = j0; j < j1; j++) {
      double x = c->x[j], tx1 = tau * x + 1;
      c->u[j] = x * x / tx1;
      s += c->u[j];
      rest += (x / w) / tx1;
      c->g[j] = tau * log(x / w) - 1 / x - n / w;
    }
    /* 1 + al s = (1 - tau s / w) + n s / w^2, the first term summed without cancellation */
    double al = n / (w * w) - tau / w, den = rest + n * s / (w * w);
    c->w[k] = w, c->al[k] = al, c->gam[k] = -al / den;
    if (n == 1) c->u[j0] = w * w / 2, c->gam[k] = 0;
  }
}

/* out = H^-1 v, column by column. */
static void hinv_apply(const Comp *c, const double *v, double *out) {
  for (int k = 0; k < c->ncol; k++) {
    double uv = 0;
    for (int j = c->cstart[k]; j < c->cstart[k + 1]; j++) uv += c->u[j] * v[j];
    for (int j = c->cstart[k]; j < c->cstart[k + 1]; j++) out[j] = c->u[j] * (v[j] + c->gam[k] * uv);
  }
}

/* K0 = A diag(u) A^T, block diagonal by target value, assembled and
 * factored block by block. */
static void comp_factor_k0(Comp *c) {
  memset(c->L0, 0, c->lo[c->ntl] * sizeof(double));
  for (int j = 0; j < c->nv; j++) {
    int k = c->vtl[j], base = c->tr[k], mk = c->tr[k + 1] - base;
    double *B = c->L0 + c->lo[k], u = c->u[j];
    int a = c->r1[j] - base, b = c->r2[j] - base;
    B[ixp_dense_at(a, mk, a)] += u;
    if (c->r2[j] >= 0) B[ixp_dense_at(b, mk, b)] += u, B[a > b ? ixp_dense_at(a, mk, b) : ixp_dense_at(b, mk, a)] += u;
  }
  /* a pivot that rounding has made tiny or negative is replaced by a huge
   * one, which zeroes the solution along that direction */
  for (int k = 0; k < c->ntl; k++) {
    int mk = c->tr[k + 1] - c->tr[k];
    ixp_dense_chol_regularised(c->L0 + c->lo[k], mk, mk, 1e-30, HUGE_PIVOT);
  }
}

/* v = L0^-1 v (transpose: L0^-T v) over all blocks. */
static void l0_solve(const Comp *c, double *v, bool transpose) {
  for (int k = 0; k < c->ntl; k++) {
    int base = c->tr[k], mk = c->tr[k + 1] - base;
    if (transpose) ixp_dense_tri_solve_t(c->L0 + c->lo[k], mk, mk, v + base, IXP_TRI_COLUMN);
    else ixp_dense_tri_solve(c->L0 + c->lo[k], mk, mk, v + base);
  }
}

/* In-place LDL^T of the p x p matrix S (lower triangle, no pivoting: S is
 * quasi-definite, its diagonal sign that of gam); a pivot of the wrong
 * sign or tiny is replaced by a huge one of the right sign. */
static void ldlt(Comp *c) {
  int p = c->p;
  double *S = c->S, *d = c->sd, *ld = c->sw;
  for (int j = 0; j < p; j++) {
    double *rj = S + ixp_dense_at(j, p, 0), orig = rj[j];
    for (int k = 0; k < j; k++) {
      const double *rk = S + ixp_dense_at(k, p, 0);
      double s = rj[k];
      for (int l = 0; l < k; l++) s -= ld[l] * rk[l];
      ld[k] = s;              /* L_jk d_k */
      rj[k] = s / d[k];       /* L_jk */
    }
    double dj = orig;
    for (int k = 0; k < j; k++) dj -= ld[k] * rj[k];
    bool pos = orig > 0;
    if (!(pos ? dj > 1e-14 * orig : dj < 1e-14 * orig)) dj = pos ? HUGE_PIVOT : -HUGE_PIVOT;
    d[j] = dj, rj[j] = 1;
  }
}

/* z = S^-1 z with the LDL^T factor. */
static void ldlt_solve(const Comp *c, double *z) {
  int p = c->p;
  for (int i = 0; i < p; i++) {
    const double *ri = c->S + ixp_dense_at(i, p, 0);
    for (int k = 0; k < i; k++) z[i] -= ri[k] * z[k];
  }
  for (int i = 0; i < p; i++) z[i] /= c->sd[i];
  for (int i = p - 1; i >= 0; i--)
    for (int k = i + 1; k < p; k++) z[i] -= c->S[ixp_dense_at(k, p, i)] * z[k];
}

/* Factor K = A H^-1 A^T = K0 + V Gam V^T (Woodbury): K0 = A diag(u) A^T
 * block diagonal by target, V = A u_c for the p columns of two or more
 * variables, W = L0^-1 V and S = Gam^-1 + W^T W. The rank-one terms of
 * columns of large mass are huge (their scaling direction is nearly free)
 * and would swamp, in a plain Cholesky of K, the tiny entries of variables
 * near zero; kept apart they cost nothing in accuracy. */
static void comp_factor(Comp *c, double tau) {
  int m = c->m, p = c->p;
  comp_hessian(c, tau);
  comp_factor_k0(c);
  if (p == 0) return;
  /* the inverse of each block's factor, so that a column of W costs two
   * columns of it per variable instead of a triangular solve */
  for (int t = 0; t < c->ntl; t++) {
    int mt = c->tr[t + 1] - c->tr[t];
    ixp_dense_tri_inverse(c->L0 + c->lo[t], mt, mt, c->Li + c->lo[t], mt);
  }
  memset(c->W, 0, ixp_dense_at(p, m, 0) * sizeof(double));
  for (int k = 0; k < c->ncol; k++) {
    int q = c->colq[k];
    if (q < 0) continue;
    double *wq = c->W + ixp_dense_at(q, m, 0);
    for (int j = c->cstart[k]; j < c->cstart[k + 1]; j++) {
      int t = c->vtl[j], base = c->tr[t], mk = c->tr[t + 1] - base;
      const double *Li = c->Li + c->lo[t];
      int a = c->r1[j] - base, b = c->r2[j] >= 0 ? c->r2[j] - base : -1;
      double u = c->u[j], *wt = wq + base;
      /* (L^-1 e_a)_i = Li[i][a], nonzero for i >= a */
      for (int i = a; i < mk; i++) wt[i] += u * Li[ixp_dense_at(i, mk, a)];
      if (b >= 0)
        for (int i = b; i < mk; i++) wt[i] += u * Li[ixp_dense_at(i, mk, b)];
    }
  }
  ixp_dense_gemm(false, true, p, p, m, 1.0, c->W, m, c->W, m, 0.0, c->S, p);
  for (int k = 0; k < c->ncol; k++) {
    int q = c->colq[k];
    if (q < 0) continue;
    double g = c->gam[k];
    c->S[ixp_dense_at(q, p, q)] += fabs(g) > 1e-300 ? 1 / g : 1e300;
  }
  ldlt(c);
}

/* v = K^-1 v with the factors of comp_factor. */
static void comp_ksolve(Comp *c, double *v) {
  int m = c->m, p = c->p;
  l0_solve(c, v, false);
  if (p > 0) {
    double *z = c->sw;
    ixp_dense_gemv(false, p, m, 1.0, c->W, m, v, 0.0, z);
    ldlt_solve(c, z);
    ixp_dense_gemv(true, p, m, -1.0, c->W, m, z, 1.0, v);
  }
  l0_solve(c, v, true);
}

/* e = A (x + step * d) - b over the rows; returns max |e|. */
static double comp_row_residual(const Comp *c, const double *d, double step, double *e) {
  double worst = 0;
  for (int i = 0; i < c->m; i++) e[i] = -c->b[i];
  for (int j = 0; j < c->nv; j++) {
    double s = c->x[j] + step * d[j];
    e[c->r1[j]] += s;
    if (c->r2[j] >= 0) e[c->r2[j]] += s;
  }
  for (int i = 0; i < c->m; i++) worst = fmax(worst, fabs(e[i]));
  return worst;
}

/* Solve H d + A^T dnu = -v, A d = target with the current factors, where
 * target = b - A x (a Newton step that also restores feasibility) or 0
 * when tangent is true. One step of iterative refinement on the equality.
 * d goes to out, dnu to c->e. */
static void comp_solve_kkt(Comp *c, const double *v, bool tangent, double *out) {
  int m = c->m;
  double *e = c->e, *tmp = c->z, *f = c->f;
  hinv_apply(c, v, tmp);
  for (int i = 0; i < m; i++) e[i] = tangent ? 0 : -c->b[i];
  for (int j = 0; j < c->nv; j++) {
    double s = (tangent ? 0 : c->x[j]) - tmp[j];
    e[c->r1[j]] += s;
    if (c->r2[j] >= 0) e[c->r2[j]] += s;
  }
  comp_ksolve(c, e);
  for (int pass = 0; pass < 2; pass++) {
    for (int j = 0; j < c->nv; j++) tmp[j] = v[j] + e[c->r1[j]] + (c->r2[j] >= 0 ? e[c->r2[j]] : 0);
    hinv_apply(c, tmp, out);
    for (int j = 0; j < c->nv; j++) out[j] = -out[j];
    if (pass == 1) break;
    for (int i = 0; i < m; i++) f[i] = tangent ? 0 : -c->b[i];
    for (int j = 0; j < c->nv; j++) {
      double s = (tangent ? 0 : c->x[j]) + out[j];
      f[c->r1[j]] += s;
      if (c->r2[j] >= 0) f[c->r2[j]] += s;
    }
    comp_ksolve(c, f);
    for (int i = 0; i < m; i++) e[i] += f[i];
  }
}

/* The Newton step of Phi_tau at x: with g = grad Phi + A^T nu (the dual
 * residual, small near the path) the direction goes to c->dx and nu is
 * updated. Returns the squared Newton decrement dx^T H dx. */
static double comp_newton(Comp *c, double tau) {
  comp_factor(c, tau);
  for (int j = 0; j < c->nv; j++) c->g[j] += c->nu[c->r1[j]] + (c->r2[j] >= 0 ? c->nu[c->r2[j]] : 0);
  comp_solve_kkt(c, c->g, false, c->dx);
  for (int i = 0; i < c->m; i++) c->nu[i] += c->e[i];
  double lam2 = 0;
  for (int k = 0; k < c->ncol; k++) {
    double sd = 0, q = 0;
    for (int j = c->cstart[k]; j < c->cstart[k + 1]; j++) {
      double x = c->x[j];
      sd += c->dx[j];
      q += (tau / x + 1 / (x * x)) * c->dx[j] * c->dx[j];
    }
    lam2 += q + c->al[k] * sd * sd;
  }
  return lam2 > 0 ? lam2 : 0;
}

/* Phi_tau(x + a dx) - Phi_tau(x), summed term by term with log1p so that
 * it resolves changes far below the size of Phi itself. */
static double comp_phi_change(const Comp *c, double tau, double a) {
  double total = 0;
  for (int k = 0; k < c->ncol; k++) {
    int j0 = c->cstart[k], j1 = c->cstart[k + 1], n = j1 - j0;
    double w = c->w[k], dw = 0, df = 0, db = 0;
    for (int j = j0; j < j1; j++) dw += a * c->dx[j];
    double lw = log1p(dw / w), w1 = w + dw;
    for (int j = j0; j < j1; j++) {
      double x = c->x[j], d = a * c->dx[j], lx = log1p(d / x);
      df += d * log((x + d) / w1) + x * (lx - lw); /* (x+d) log((x+d)/(w+dw)) - x log(x/w) */
      db -= lx;
    }
    total += tau * df + db - n * lw;
  }
  return total;
}

/* A step along dx: the largest of 1, 1/2, 1/4, ... within 0.99 of the
 * distance to the boundary that decreases Phi (Armijo) when the iterate is
 * feasible and the decrement large; otherwise that first trial step. */
static void comp_step(Comp *c, double tau, double lam2, bool feasible) {
  double a = 1, amax = INFINITY;
  for (int j = 0; j < c->nv; j++)
    if (c->dx[j] < 0) amax = fmin(amax, -c->x[j] / c->dx[j]);
  if (a > 0.99 * amax) a = 0.99 * amax;
  if (feasible && lam2 > 0.1)
    while (a > 1e-12 && !(comp_phi_change(c, tau, a) <= -0.01 * a * lam2)) a *= 0.5;
  for (int j = 0; j < c->nv; j++) c->x[j] += a * c->dx[j];
}

/* Move x along the tangent of the central path, d x / d log tau, taken
 * with the current factors: multiplicatively by log(growth) (clipped), so
 * that entries bound for zero shrink like 1/tau; nu follows. The next
 * centering restores A x = b. */
static void comp_predict(Comp *c, double tau, double growth) {
  for (int k = 0; k < c->ncol; k++)
    for (int j = c->cstart[k]; j < c->cstart[k + 1]; j++) c->g[j] = log(c->x[j] / c->w[k]);
  comp_solve_kkt(c, c->g, true, c->t1);
  double lg = log(growth);
  for (int j = 0; j < c->nv; j++) {
    double rate = tau * c->t1[j] / c->x[j] * lg;
    c->x[j] *= exp(fmax(-1.5 * lg, fmin(1.5 * lg, rate)));
  }
  for (int i = 0; i < c->m; i++) c->nu[i] = growth * (c->nu[i] + tau * c->e[i]);
}

/* F(x) = sum x log(x / w) of the component. */
static double comp_objective(const Comp *c, const double *x) {
  double f = 0;
  for (int k = 0; k < c->ncol; k++) {
    double w = 0;
    for (int j = c->cstart[k]; j < c->cstart[k + 1]; j++) w += x[j];
    for (int j = c->cstart[k]; j < c->cstart[k + 1]; j++)
      if (x[j] > 0) f += x[j] * log(x[j] / w);
  }
  return f;
}

/* The largest column log-sum-exp of theta = A^T y (the dual constraint). */
static double comp_dual_lse(const Comp *c, const double *y) {
  double worst = -INFINITY;
  for (int k = 0; k < c->ncol; k++) {
    double mx = -INFINITY, s = 0;
    for (int j = c->cstart[k]; j < c->cstart[k + 1]; j++) {
      double th = y[c->r1[j]] + (c->r2[j] >= 0 ? y[c->r2[j]] : 0);
      mx = fmax(mx, th);
    }
    for (int j = c->cstart[k]; j < c->cstart[k + 1]; j++) s += exp(y[c->r1[j]] + (c->r2[j] >= 0 ? y[c->r2[j]] : 0) - mx);
    worst = fmax(worst, mx + log(s));
  }
  return worst;
}

/* Certificate of the current iterate with duals y = -nu / tau: primal
 * value *f, feasible dual value *d (after the shift), raw dual
 * infeasibility *dinf, primal residual *pinf. Returns the gap *f - *d. */
static double comp_certificate(Comp *c, double tau, double *f, double *d, double *dinf, double *pinf) {
  double by = 0;
  for (int i = 0; i < c->m; i++) c->y[i] = -c->nu[i] / tau, by += c->b[i] * c->y[i];
  double lse = comp_dual_lse(c, c->y);
  *f = comp_objective(c, c->x);
  *d = by - lse; /* the component has mass 1 after scaling */
  *dinf = lse > 0 ? lse : 0;
  *pinf = comp_row_residual(c, c->x, 0, c->rhs);
  return *f - *d;
}

/* max |A x - b| of a point x (not the iterate), with the rows to e. */
static double comp_residual_at(const Comp *c, const double *x, double *e) {
  double worst = 0;
  for (int i = 0; i < c->m; i++) e[i] = -c->b[i];
  for (int j = 0; j < c->nv; j++) {
    e[c->r1[j]] += x[j];
    if (c->r2[j] >= 0) e[c->r2[j]] += x[j];
  }
  for (int i = 0; i < c->m; i++) worst = fmax(worst, fabs(e[i]));
  return worst;
}

/* Late on the path, when the variables bound for zero are O(1/tau), the
 * Newton systems lose the last digits of A x = b while the gap is already
 * small. A copy x of the iterate is made feasible by the weighted
 * least-norm correction d = -X A^T (A X A^T)^-1 r (X = diag(x), r the row
 * residual): A d = -r, and every entry moves in proportion to its size,
 * so the small ones stay positive (a step that would cross zero is cut
 * short and repeated). A X A^T is block diagonal by target value, factored
 * in the K0 storage (the path refactors before its next use). Returns the
 * residual; the caller certifies that point itself. */
static double comp_restore(Comp *c, double *x, double *r) {
  double res = comp_residual_at(c, x, r);
  for (int pass = 0; pass < MAX_RESTORE && res > PINF_TOL && isfinite(res); pass++) {
    memcpy(c->u, x, (size_t)c->nv * sizeof(double));
    comp_factor_k0(c);
    l0_solve(c, r, false);
    l0_solve(c, r, true);
    double a = 1;
    for (int j = 0; j < c->nv; j++) {
      c->z[j] = -x[j] * (r[c->r1[j]] + (c->r2[j] >= 0 ? r[c->r2[j]] : 0));
      if (c->z[j] < 0) a = fmin(a, -0.9 * x[j] / c->z[j]);
    }
    for (int j = 0; j < c->nv; j++) x[j] += a * c->z[j];
    res = comp_residual_at(c, x, r);
  }
  return res;
}

/* Solve one component to gap <= tol (in its own scale); results in
 * c->xbest, with *f, *d, *dinf, *pinf the certificate (unscaled) and
 * *iters counting Newton steps. */
static IxpPidStatus comp_solve(Comp *c, double tol, double *f, double *d, double *dinf, double *pinf, int *iters) {
  double tau = 2.0 * c->nv, best = INFINITY, bf = 0, bd = 0, bdi = 0, bpi = 0;
  int newton = 0;
  IxpPidStatus st = IXP_PID_ENOCONVERGE;
  memcpy(c->xbest, c->x, (size_t)c->nv * sizeof(double));
  for (int outer = 0; outer < MAX_OUTER && newton < MAX_NEWTON && tau < MAX_TAU; outer++) {
    for (int inner = 0; inner < MAX_INNER && newton < MAX_NEWTON; inner++) {
      bool feasible = comp_row_residual(c, c->x, 0, c->rhs) <= PINF_TOL;
      double lam2 = comp_newton(c, tau);
      newton++;
      comp_step(c, tau, lam2, feasible);
      if (lam2 < CENTER_TOL && feasible) break;
    }
    double fv, dv, di, pi, gap = comp_certificate(c, tau, &fv, &dv, &di, &pi);
    if (!isfinite(gap)) break; /* the Newton systems broke down: keep the best certified point */
    const double *cand = c->x;
    if (pi > PINF_TOL) { /* certify a feasible copy instead (the path goes on from x) */
      memcpy(c->t1, c->x, (size_t)c->nv * sizeof(double));
      pi = comp_restore(c, c->t1, c->f);
      fv = comp_objective(c, c->t1), gap = fv - dv, cand = c->t1;
    }
    if (pi <= PINF_TOL && gap < best) {
      best = gap, bf = fv, bd = dv, bdi = di, bpi = pi;
      memcpy(c->xbest, cand, (size_t)c->nv * sizeof(double));
    }
    if (gap <= tol && pi <= PINF_TOL) {
      st = IXP_PID_OK;
      break;
    }
    comp_factor(c, tau); /* the tangent at the centred point */
    comp_predict(c, tau, TAU_GROWTH);
    tau *= TAU_GROWTH;
  }
  *f = bf * c->mass, *d = bd * c->mass, *dinf = bdi, *pinf = bpi * c->mass, *iters += newton;
  return st;
}

/* Free the arrays of the problem. */
static void prob_free(Prob *P) {
  free(P->pt), free(P->p1), free(P->p2), free(P->colstart), free(P->vt);
  free(P->row1), free(P->row2), free(P->tloc), free(P->parent), free(P->x);
}

/* Max |q(t, s1) - p(t, s1)|, |q(t, s2) - p(t, s2)| of the global solution. */
static double prob_residual(const Prob *P) {
  int n1 = P->n1, n2 = P->n2;
  double *a1 = calloc((size_t)P->nt * (size_t)n1 + 1, sizeof(double)), *a2 = calloc((size_t)P->nt * (size_t)n2 + 1, sizeof(double));
  double worst = INFINITY;
  if (!a1 || !a2) goto out;
  for (int k = 0; k < n1 * n2; k++)
    for (int j = P->colstart[k]; j < P->colstart[k + 1]; j++) {
      a1[P->vt[j] * n1 + k / n2] += P->x[j];
      a2[P->vt[j] * n2 + k % n2] += P->x[j];
    }
  worst = 0;
  for (int i = 0; i < P->nt * n1; i++) worst = fmax(worst, fabs(a1[i] - P->p1[i]));
  for (int i = 0; i < P->nt * n2; i++) worst = fmax(worst, fabs(a2[i] - P->p2[i]));
out:
  free(a1), free(a2);
  return worst;
}

/* Solve every component with more than one target value; single-target
 * components keep the start (F = 0 there, certified by the dual y = 0). */
static IxpPidStatus prob_solve(Prob *P, double tol, double *fsum, IxpPidCertificate *cert) {
  int nt = P->nt;
  int *size = calloc((size_t)nt, sizeof(int));
  if (!size) return IXP_PID_ENOMEM;
  for (int t = 0; t < nt; t++) size[uf_find(P->parent, t)]++;
  for (int k = 0; k < P->n1 * P->n2; k++)
    for (int j = P->colstart[k]; j < P->colstart[k + 1]; j++) P->x[j] = start_value(P, P->vt[j], k);
  IxpPidStatus st = IXP_PID_OK;
  for (int root = 0; root < nt && st != IXP_PID_ENOMEM; root++) {
    if (uf_find(P->parent, root) != root || size[root] < 2) continue;
    Comp c = {0};
    if (!comp_build(P, root, &c)) {
      comp_free(&c);
      st = IXP_PID_ENOMEM;
      break;
    }
    double f, d, dinf, pinf;
    IxpPidStatus cs = comp_solve(&c, tol, &f, &d, &dinf, &pinf, &cert->iterations);
    for (int j = 0; j < c.nv; j++) P->x[c.gvar[j]] = c.xbest[j] * c.mass;
    *fsum += f;
    cert->duality_gap += f - d;
    cert->dual_infeasibility = fmax(cert->dual_infeasibility, dinf);
    if (cs != IXP_PID_OK) st = cs;
    comp_free(&c);
  }
  free(size);
  return st;
}

/* See broja.h. */
IxpPidStatus ixp_pid_broja_min_mi(const double *p, int nt, int n1, int n2, double tol, double *min_mi,
                                  IxpPidCertificate *cert) {
  Prob P = {.nt = nt, .n1 = n1, .n2 = n2};
  memset(cert, 0, sizeof *cert);
  P.pt = calloc((size_t)nt, sizeof(double));
  P.p1 = calloc(ixp_dense_at(nt, n1, 0), sizeof(double));
  P.p2 = calloc(ixp_dense_at(nt, n2, 0), sizeof(double));
  P.colstart = calloc(ixp_dense_at(n1, n2, 1), sizeof(int));
  P.row1 = malloc(ixp_dense_at(nt, n1, 0) * sizeof(int));
  P.row2 = malloc(ixp_dense_at(nt, n2, 0) * sizeof(int));
  P.tloc = malloc((size_t)nt * sizeof(int));
  P.parent = malloc((size_t)nt * sizeof(int));
  IxpPidStatus st = IXP_PID_ENOMEM;
  if (!P.pt || !P.p1 || !P.p2 || !P.colstart || !P.row1 || !P.row2 || !P.tloc || !P.parent) goto out;
  prob_marginals(&P, p);
  if (!prob_support(&P)) goto out;
  double f = 0;
  st = prob_solve(&P, tol, &f, cert);
  cert->primal_infeasibility = prob_residual(&P);
  if (st == IXP_PID_OK && !(cert->duality_gap <= tol && cert->primal_infeasibility <= 1e-10))
    st = IXP_PID_ENOCONVERGE;
  if (st == IXP_PID_OK) {
    double ht = 0;
    for (int t = 0; t < nt; t++)
      if (P.pt[t] > 0) ht -= P.pt[t] * log(P.pt[t]);
    *min_mi = ht + f;
  }
out:
  prob_free(&P);
  return st;
}
