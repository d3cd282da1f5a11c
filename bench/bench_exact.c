/* bench_exact.c — exact enumeration and measures on a model of 2^20 joint
 * states, against a naive dense implementation of the same numbers.
 *
 * The model: 20 independent bits x0..x19 with P(xi = 1) = (i + 1) / 42, and
 * t = x0 xor x1 xor ... xor x19. The naive reference fills a dense array of
 * the 2^20 probabilities and sums marginals with bit masks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "session.h"
#include "timing.h"

#define NBITS 20

static double run(IxpSession *s, const char *text) {
  double t0 = now();
  IxpStatus st = ixp_session_run(s, "<bench>", text, strlen(text));
  double t = now() - t0;
  if (st != IXP_OK) {
    fprintf(stderr, "bench: ixp failed on: %s\n", text);
    exit(1);
  }
  return t;
}

/* Entropy (bits) of the marginal of a dense 2^NBITS joint on `mask`. */
static double naive_entropy(const double *p, unsigned mask) {
  size_t k = 0, n = (size_t)1 << __builtin_popcount(mask);
  double *m = calloc(n, sizeof *m), h = 0;
  for (size_t s = 0; s < (size_t)1 << NBITS; s++) {
    size_t key = 0, bit = 0;
    for (int v = 0; v < NBITS; v++)
      if (mask >> v & 1) key |= ((s >> v) & 1) << bit++;
    m[key] += p[s];
  }
  for (k = 0; k < n; k++)
    if (m[k] > 0) h -= m[k] * log2(m[k]);
  free(m);
  return h;
}

int main(void) {
  char model[4096] = "model big {\n";
  for (int i = 0; i < NBITS; i++)
    snprintf(model + strlen(model), sizeof model - strlen(model), "  x%d ~ bernoulli(%d/42)\n", i, i + 1);
  strcat(model, "  t = x0");
  for (int i = 1; i < NBITS; i++) snprintf(model + strlen(model), sizeof model - strlen(model), " xor x%d", i);
  strcat(model, "\n}\n");

  FILE *devnull = fopen("/dev/null", "w");
  IxpOptions opt = {.out = devnull};
  IxpSession *s = ixp_session_new(&opt);
  run(s, model);
  /* The full joint's entropy: a marginal of a few variables of a model
   * this large would come from variable elimination instead. */
  char all[1024] = "print entropy(x0";
  for (int i = 1; i < NBITS; i++) snprintf(all + strlen(all), sizeof all - strlen(all), ", x%d", i);
  strcat(all, ", t) in big");
  double t_enum = run(s, all);                                   /* enumeration + 1 entropy */
  double t_mi = run(s, "print mi(x1, x2; t) in big");            /* 3 marginals, cached joint */
  char tc[1024] = "print tc(x0";
  for (int i = 1; i < NBITS; i++) snprintf(tc + strlen(tc), sizeof tc - strlen(tc), ", x%d", i);
  strcat(tc, ") in big");
  double t_tc = run(s, tc);                                      /* 20 single + 1 full marginal */
  ixp_session_free(s);
  fclose(devnull);

  double t0 = now();
  double *p = malloc(sizeof *p << NBITS);
  for (size_t st = 0; st < (size_t)1 << NBITS; st++) {
    double q = 1;
    for (int v = 0; v < NBITS; v++) q *= (st >> v & 1) ? (v + 1) / 42.0 : 1 - (v + 1) / 42.0;
    p[st] = q;
  }
  double n_enum = now() - t0;
  t0 = now();
  volatile double sink = naive_entropy(p, 1u << 1 | 1u << 2);
  sink += naive_entropy(p, 1);
  sink += naive_entropy(p, 1u << 3);
  double n_mi = now() - t0;
  free(p);
  (void)sink;

  double states = (double)(1 << (NBITS + 0)) * 1;  /* t is a function of the bits */
  printf("exact engine, model of 2^%d = %.0f joint states (20 bits + their parity):\n", NBITS, states);
  printf("  enumerate + full entropy  %8.1f ms  %6.1f ns/state   naive dense %7.1f ms   ratio %.2f\n",
         t_enum * 1e3, t_enum / states * 1e9, n_enum * 1e3, t_enum / n_enum);
  printf("  mi(x1, x2; t) (3 marginals) %6.1f ms  %6.1f ns/state   naive dense %7.1f ms   ratio %.2f\n",
         t_mi * 1e3, t_mi / states * 1e9, n_mi * 1e3, t_mi / n_mi);
  printf("  tc(x0, ..., x19) (21 marginals) %6.1f ms  %6.1f ns/state\n", t_tc * 1e3, t_tc / states * 1e9);
  return 0;
}
