/* distributions.c — bernoulli, categorical, uniform, binomial (finite:
 * enumerated exactly), and normal, uniform(a, b), student_t (continuous:
 * sampled from the counter-based generator). */
#include "distributions.h"
#include "library.h"

#include "gaussian.h"
#include "rng.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUM_TOLERANCE 1e-9

static const char *alloc_fail(char *err, size_t size) {
  snprintf(err, size, "out of memory");
  return err;
}

static const char *check_prob(double p, const char *what, char *err, size_t size) {
  if (isnan(p) || p < 0 || p > 1) {
    char text[32];
    ixp_format_num(text, sizeof text, p, -1);
    snprintf(err, size, "%s = %s is not a probability in [0, 1]", what, text);
    return err;
  }
  return NULL;
}

/* Append (value, p) when p > 0. */
static void add(IxpOutcome *out, size_t *n, double value, double p) {
  if (p > 0) out[(*n)++] = (IxpOutcome){value, p};
}

static const char *bernoulli(const IxpValue *args, IxpOutcome **out, size_t *n, size_t limit,
                             char *err, size_t size) {
  (void)limit;
  double p = args[0].num.x;
  if (check_prob(p, "p", err, size)) return err;
  if (!(*out = malloc(2 * sizeof **out))) return alloc_fail(err, size);
  *n = 0;
  /* 1 - p exactly when p was an exact rational */
  double q = args[0].num.exact ? (double)(args[0].num.d - args[0].num.n) / (double)args[0].num.d : 1 - p;
  add(*out, n, 0, q);
  add(*out, n, 1, p);
  return NULL;
}

static const char *categorical(const IxpValue *args, IxpOutcome **out, size_t *n, size_t limit,
                               char *err, size_t size) {
  const IxpValue *v = &args[0];
  if (v->type != TY_VEC || v->cols == 0) {
    snprintf(err, size, "categorical needs a non-empty vector of probabilities");
    return err;
  }
  if ((size_t)v->cols > limit) {
    snprintf(err, size, "categorical has %d outcomes, more than the limit of %zu", v->cols, limit);
    return err;
  }
  double sum = 0;
  for (int i = 0; i < v->cols; i++) {
    char what[32];
    snprintf(what, sizeof what, "probability %d", i);
    if (check_prob(v->v[i], what, err, size)) return err;
    sum += v->v[i];
  }
  if (fabs(sum - 1) > SUM_TOLERANCE) {
    char text[32];
    ixp_format_num(text, sizeof text, sum, -1);
    snprintf(err, size, "categorical probabilities sum to %s, not 1", text);
    return err;
  }
  if (!(*out = malloc((size_t)v->cols * sizeof **out))) return alloc_fail(err, size);
  *n = 0;
  for (int i = 0; i < v->cols; i++) add(*out, n, i, v->v[i]);
  return NULL;
}

/* Equally likely values of a range (a .. b, step 1 unless given). */
static const char *uniform(const IxpValue *args, IxpOutcome **out, size_t *n, size_t limit,
                           char *err, size_t size) {
  const IxpValue *r = &args[0];
  int64_t k = ixp_range_count(r);
  if (k == 0) {
    snprintf(err, size, "uniform over an empty range");
    return err;
  }
  if (k < 0) {
    snprintf(err, size, "uniform over %.3g values, more than the limit of %zu",
             floor((r->hi.x - r->lo.x) / r->step.x) + 1, limit);
    return err;
  }
  if ((uint64_t)k > limit) {
    snprintf(err, size, "uniform over %lld values, more than the limit of %zu", (long long)k, limit);
    return err;
  }
  if (!(*out = malloc((size_t)k * sizeof **out))) return alloc_fail(err, size);
  *n = 0;
  for (int64_t i = 0; i < k; i++) add(*out, n, ixp_range_at(r, i).x, 1.0 / (double)k);
  return NULL;
}

/* log of the binomial coefficient, through lgamma for large n. */
static double log_choose(double n, double k) {
  return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1);
}

static const char *binomial(const IxpValue *args, IxpOutcome **out, size_t *n, size_t limit,
                            char *err, size_t size) {
  double trials = args[0].num.x, p = args[1].num.x;
  if (!(trials >= 0) || trials != floor(trials) || trials > 1e9) {
    char text[32];
    ixp_format_num(text, sizeof text, trials, -1);
    snprintf(err, size, "n = %s is not a count of trials", text);
    return err;
  }
  if (check_prob(p, "p", err, size)) return err;
  if (trials + 1 > (double)limit) {
    snprintf(err, size, "binomial with %.0f trials has more outcomes than the limit of %zu", trials, limit);
    return err;
  }
  if (!(*out = malloc(((size_t)trials + 1) * sizeof **out))) return alloc_fail(err, size);
  *n = 0;
  for (double k = 0; k <= trials; k++) {
    double pk = p == 0 ? (k == 0) : p == 1 ? (k == trials)
              : exp(log_choose(trials, k) + k * log(p) + (trials - k) * log1p(-p));
    add(*out, n, k, pk);
  }
  return NULL;
}

static const char *check_normal(const IxpValue *a, char *err, size_t size) {
  if (!isfinite(a[0].num.x) || !(a[1].num.x > 0) || !isfinite(a[1].num.x)) {
    snprintf(err, size, "normal(mu, sigma) needs a finite mu and a positive finite sigma");
    return err;
  }
  return NULL;
}

static double draw_normal(const IxpValue *a, uint64_t key, uint64_t i) {
  return a[0].num.x + a[1].num.x * ixp_rng_normal(key, i);
}

static const char *check_uniform2(const IxpValue *a, char *err, size_t size) {
  if (!isfinite(a[0].num.x) || !isfinite(a[1].num.x) || !(a[0].num.x < a[1].num.x)) {
    snprintf(err, size, "uniform(a, b) needs finite a < b");
    return err;
  }
  return NULL;
}

static double draw_uniform2(const IxpValue *a, uint64_t key, uint64_t i) {
  return a[0].num.x + (a[1].num.x - a[0].num.x) * ixp_rng_uniform(key, i);
}

static const char *check_student(const IxpValue *a, char *err, size_t size) {
  if (!(a[0].num.x > 0) || !isfinite(a[0].num.x)) {
    snprintf(err, size, "student_t(nu) needs positive degrees of freedom");
    return err;
  }
  return NULL;
}

/* Gamma(shape, 1) by Marsaglia & Tsang (2000), drawing from the sub-stream
 * `key` (boosted for shape < 1). */
static double gamma_draw(double shape, uint64_t key) {
  double boost = 1;
  if (shape < 1) {
    boost = pow(ixp_rng_uniform(key, 0), 1 / shape);
    shape += 1;
  }
  double d = shape - 1.0 / 3, c = 1 / sqrt(9 * d);
  for (uint64_t j = 1;; j += 2) {
    double z = ixp_rng_normal(key, j), v = 1 + c * z;
    if (v <= 0) continue;
    v = v * v * v;
    double u = ixp_rng_uniform(key, j + 1);
    if (log(u) < 0.5 * z * z + d - d * v + d * log(v)) return boost * d * v;
  }
}

/* t = Z / sqrt(G / nu) with G ~ chi-squared(nu) = 2 Gamma(nu / 2). */
static double draw_student(const IxpValue *a, uint64_t key, uint64_t i) {
  double nu = a[0].num.x, z = ixp_rng_normal(key, i);
  double g = 2 * gamma_draw(nu / 2, ixp_rng_key(key, i, 0x7357));
  return z / sqrt(g / nu);
}

/* normal(mean, cov): a mean vector (or one number for every component) and
 * a positive definite covariance; the dimension is the covariance's. */
static int mvn_dimension(const IxpValue *a) { return a[1].type == TY_MAT ? a[1].rows : 0; }

double ixp_mvn_mean(const IxpValue *a, int i) { return a[0].type == TY_NUM ? a[0].num.x : a[0].v[i]; }

static const char *check_mvn(const IxpValue *a, char *err, size_t size) {
  int d = mvn_dimension(a);
  if (a[1].type != TY_MAT || a[1].cols != d || (a[0].type != TY_NUM && (a[0].type != TY_VEC || a[0].cols != d))) {
    snprintf(err, size, "normal(mean, cov) needs d means (or one number) and a d x d covariance");
    return err;
  }
  for (int i = 0; i < d; i++)
    for (int j = 0; j < i; j++)
      if (a[1].v[i * d + j] != a[1].v[j * d + i]) {
        snprintf(err, size, "the covariance is not symmetric (entries %d,%d and %d,%d differ)", i, j, j, i);
        return err;
      }
  double *l = malloc((size_t)d * (size_t)d * sizeof *l);
  long pivot = 0;
  if (!l) {
    snprintf(err, size, "out of memory checking a %d x %d covariance", d, d);
    return err;
  }
  memcpy(l, a[1].v, (size_t)d * (size_t)d * sizeof *l);
  bool ok = ixp_cholesky(l, d, d, &pivot) == IXP_GAUSS_OK;
  free(l);
  if (!ok) {
    snprintf(err, size, "the covariance is not positive definite (at row %ld)", pivot);
    return err;
  }
  return NULL;
}

/* The Cholesky factor of the (checked) covariance. */
static void prepare_mvn(const IxpValue *a, double *l) {
  int d = mvn_dimension(a);
  memcpy(l, a[1].v, (size_t)d * (size_t)d * sizeof *l);
  ixp_cholesky(l, d, d, NULL);
}

/* mean + L z with L the Cholesky factor of cov and z standard normals
 * (the i-th draw uses sub-stream i, one normal per component). z is held
 * in `out` itself: row r reads z[0 .. r], so the rows are written from
 * the last one back. */
static void draw_mvn(const IxpValue *a, const double *l, uint64_t key, uint64_t i, double *out) {
  int d = mvn_dimension(a);
  uint64_t sub = ixp_rng_key(key, i, 0x3c0);
  for (int k = 0; k < d; k++) out[k] = ixp_rng_normal(sub, (uint64_t)k);
  for (int r = d - 1; r >= 0; r--) {
    double x = ixp_mvn_mean(a, r);
    for (int k = 0; k <= r; k++) x += l[r * d + k] * out[k];
    out[r] = x;
  }
}

static const IxpDistribution vectors[] = {
    {"normal", "normal(mean, cov)", 2, {TY_ANY, TY_MAT}, NULL, check_mvn, NULL, mvn_dimension, prepare_mvn, draw_mvn},
};

static const IxpDistribution registry[] = {
    {"bernoulli", "bernoulli(p)", 1, {TY_NUM}, bernoulli, NULL, NULL, NULL, NULL, NULL},
    {"categorical", "categorical([p0, p1, ...])", 1, {TY_VEC}, categorical, NULL, NULL, NULL, NULL, NULL},
    {"uniform", "uniform(a .. b)", 1, {TY_RANGE}, uniform, NULL, NULL, NULL, NULL, NULL},
    {"binomial", "binomial(n, p)", 2, {TY_NUM, TY_NUM}, binomial, NULL, NULL, NULL, NULL, NULL},
    {"normal", "normal(mu, sigma)", 2, {TY_NUM, TY_NUM}, NULL, check_normal, draw_normal, NULL, NULL, NULL},
    {"uniform", "uniform(a, b)", 2, {TY_NUM, TY_NUM}, NULL, check_uniform2, draw_uniform2, NULL, NULL, NULL},
    {"student_t", "student_t(nu)", 1, {TY_NUM}, NULL, check_student, draw_student, NULL, NULL, NULL},
};

void ixp_open_distributions(IxpLibrary *lib) {
  ixp_library_add_distributions(lib, registry, (int)(sizeof registry / sizeof *registry), false);
  ixp_library_add_distributions(lib, vectors, (int)(sizeof vectors / sizeof *vectors), true);
}
