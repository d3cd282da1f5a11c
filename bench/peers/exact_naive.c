/* exact_naive.c — the naive reference of bench/workloads/exact_2_*.ixp:
 * the model of n independent bits x_i with P(x_i = 1) = (i + 1) / (10 n^2)
 * and their parity t, measured as I(x0 .. x(n-1); t) = H(X) + H(t) - H(X, t)
 * nats from dense arrays (the 2^n joint of the bits, the 2^(n+1) joint
 * with t, t's marginal), summed in long double. usage: exact_naive N */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static long double entropy(const double *p, size_t n) {
  long double h = 0;
  for (size_t s = 0; s < n; s++)
    if (p[s] > 0) h -= (long double)p[s] * logl((long double)p[s]);
  return h;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 20;
  if (n < 1 || n > 30) return 2;
  size_t states = (size_t)1 << n;
  double *px = malloc(states * sizeof *px), *pxt = calloc(2 * states, sizeof *pxt), pt[2] = {0, 0};
  if (!px || !pxt) return 1;
  for (size_t s = 0; s < states; s++) {
    double p = 1;
    for (int i = 0; i < n; i++) {
      double q = (double)(i + 1) / (10.0 * n * n);
      p *= (s >> i & 1) ? q : 1 - q;
    }
    size_t t = (size_t)__builtin_popcountll(s) & 1;
    px[s] = p;
    pxt[s << 1 | t] += p;
    pt[t] += p;
  }
  long double mi = entropy(px, states) + entropy(pt, 2) - entropy(pxt, 2 * states);
  printf("value = %.17g\n", (double)mi);
  free(px);
  free(pxt);
  return 0;
}
