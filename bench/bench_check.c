/* bench_check.c — parsing, checking and running N top-level lets
 * (`let v0 = 0` ... `let vN-1 = N-1`, then one print of the last), for N
 * from 5,000 to 80,000, against a linear reference: N/5000 times the
 * time at 5,000. Each name is looked up once when it is defined (is it a
 * redefinition?), so a scan of the scope makes this quadratic (40,000 lets
 * took 9 to 39 s); through the hash table the ratio stays near 1.
 *
 * Times are the best of three sessions. Run from the project root. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "session.h"
#include "timing.h"

static char *many_lets(int n, size_t *len) {
  size_t size = (size_t)n * 32 + 64;
  char *text = malloc(size);
  if (!text) {
    fputs("bench_check: out of memory\n", stderr);
    exit(1);
  }
  *len = 0;
  for (int i = 0; i < n; i++) *len += (size_t)snprintf(text + *len, size - *len, "let v%d = %d\n", i, i);
  *len += (size_t)snprintf(text + *len, size - *len, "print v%d\n", n - 1);
  return text;
}

/* Seconds for one session to run the N lets (best of three). */
static double time_lets(int n, FILE *devnull) {
  size_t len;
  char *text = many_lets(n, &len);
  double best = 1e30;
  for (int rep = 0; rep < 3; rep++) {
    IxpOptions opt = {.out = devnull, .err = stderr};
    IxpSession *s = ixp_session_new(&opt);
    if (!s) {
      fputs("bench_check: the session failed to start\n", stderr);
      exit(1);
    }
    double t0 = now();
    if (ixp_session_run(s, "lets.ixp", text, len) != IXP_OK) exit(1);
    double t = now() - t0;
    ixp_session_free(s);
    if (t < best) best = t;
  }
  free(text);
  return best;
}

int main(void) {
  FILE *devnull = fopen("/dev/null", "w");
  if (!devnull) return 1;
  printf("check: N top-level lets, against N/5000 x the time of 5000\n");
  double base = 0;
  for (int n = 5000; n <= 80000; n *= 2) {
    double t = time_lets(n, devnull);
    if (n == 5000) base = t;
    double ref = base * n / 5000;
    char name[48];
    snprintf(name, sizeof name, "%d lets", n);
    printf("  %-38s %10.2f ms       %-26s %10.2f ms       ratio %7.2f\n", name, t * 1e3, "linear reference", ref * 1e3,
           t / ref);
  }
  fclose(devnull);
  return 0;
}
