/* bench_te.c — transfer entropy with KSG against JIDT.
 *
 * TE y -> x with histories k = l = 1, delay 1, on a seeded coupled AR(1)
 * pair (x_t = 0.5 x_{t-1} + 0.4 y_{t-1} + e, y_t = 0.7 y_{t-1} + e', no
 * ties), N = 1e4 and 1e5 time steps: ixp's Frenzel–Pompe conditional MI
 * I(x_t; y_{t-1} | x_{t-1}) (ixp_ksg_cmi on the lagged columns, k = 4,
 * each column rescaled to unit variance) against JIDT's
 * TransferEntropyCalculatorKraskov (k = 4, NORMALISE, NOISE_LEVEL_TO_ADD
 * = 0: the same estimator on the same columns), at one thread and at the
 * default (all cores for both). The two values must agree to 1e-6.
 * JIDT is timed inside its JVM after one warm-up estimate (its start-up
 * is not counted); ixp's figure is the median of a few runs. Goal: ixp at
 * least 20x faster than JIDT at N = 1e5.
 *
 * JIDT: JIDT_JAR (default ../shared/peers/infodynamics.jar) and
 * /usr/share/java/commons-math3.jar; bench/peers/JidtTe.java is compiled
 * into build/bench-te/. Skipped with a message when Java or the jar is
 * absent. BENCH_REPS sets the runs per figure (default 5). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "knn.h"
#include "rng.h"
#include "timing.h"

#define OUTDIR "build/bench-te"
#define MATH3 "/usr/share/java/commons-math3.jar"

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The coupled pair, n steps after a burn-in of 1000. */
static void ar_pair(long n, double *x, double *y) {
  long m = n + 1000;
  double *e = malloc(sizeof(double) * (size_t)(2 * m));
  if (!e) exit(1);
  ixp_rng_normals(ixp_rng_key(2026, 7, 0), 0, e, 2 * m);
  double xp = 0, yp = 0;
  for (long t = 0; t < m; t++) {
    double xn = 0.5 * xp + 0.4 * yp + e[2 * t], yn = 0.7 * yp + e[2 * t + 1];
    xp = xn, yp = yn;
    if (t >= 1000) x[t - 1000] = xn, y[t - 1000] = yn;
  }
  free(e);
}

/* Median seconds of `reps` estimates of TE y -> x; the value into *te. */
static double time_ixp(const double *x, const double *y, long n, int threads, int reps, double *te) {
  double *secs = malloc(sizeof(double) * (size_t)reps);
  IxpKnnOptions o = {.k = 4, .threads = threads};
  for (int r = 0; r < reps; r++) {
    double t0 = now();
    /* x_t, y_{t-1}, x_{t-1} for t = 1 .. n - 1: views, no copies */
    IxpKnnStatus st = ixp_ksg_cmi(x + 1, 1, y, 1, x, 1, n - 1, &o, te, NULL);
    secs[r] = now() - t0;
    if (st != IXP_KNN_OK) {
      fprintf(stderr, "bench_te: %s\n", ixp_knn_status_text(st));
      exit(1);
    }
  }
  qsort(secs, (size_t)reps, sizeof *secs, cmp_double);
  double med = secs[reps / 2];
  free(secs);
  return med;
}

/* The JIDT jar, or NULL (with a message) when JIDT cannot run. */
static const char *jidt_ready(void) {
  const char *jar = getenv("JIDT_JAR");
  if (!jar) jar = access("../shared/peers/infodynamics.jar", R_OK) == 0 ? "../shared/peers/infodynamics.jar"
                                                                         : "/work/shared/peers/infodynamics.jar";
  if (access(jar, R_OK) != 0 || access(MATH3, R_OK) != 0 || system("java -version >/dev/null 2>&1") != 0 ||
      system("command -v javac >/dev/null 2>&1") != 0) {
    printf("te: JIDT skipped (Java, javac, %s or %s missing)\n", jar, MATH3);
    return NULL;
  }
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "mkdir -p " OUTDIR " && javac -cp %s:" MATH3 " -d " OUTDIR " bench/peers/JidtTe.java", jar);
  if (system(cmd) != 0) {
    printf("te: JIDT skipped (javac failed)\n");
    return NULL;
  }
  return jar;
}

/* Run JIDT on the pair; false when it failed. */
static int run_jidt(const char *jar, const double *x, const double *y, long n, int threads, int reps, double *te,
                    double *secs) {
  char path[256], cmd[1024], line[256];
  snprintf(path, sizeof path, OUTDIR "/pair_%ld.bin", n);
  FILE *f = fopen(path, "wb");
  if (!f) return 0;
  for (long t = 0; t < n; t++) fwrite(&x[t], sizeof(double), 1, f), fwrite(&y[t], sizeof(double), 1, f);
  fclose(f);
  snprintf(cmd, sizeof cmd, "java -cp %s:" MATH3 ":" OUTDIR " JidtTe %s 4 %d %d", jar, path, threads, reps);
  FILE *p = popen(cmd, "r");
  if (!p) return 0;
  int got = 0;
  while (fgets(line, sizeof line, p)) {
    got += sscanf(line, "value = %lf", te) == 1;
    got += sscanf(line, "seconds = %lf", secs) == 1;
  }
  return pclose(p) == 0 && got == 2;
}

static void figure(const char *jar, long n, int reps) {
  double *x = malloc(sizeof(double) * (size_t)n), *y = malloc(sizeof(double) * (size_t)n);
  if (!x || !y) exit(1);
  ar_pair(n, x, y);
  const int threads[2] = {1, 0};
  for (int i = 0; i < 2; i++) {
    double te, tj, jte, jsec;
    double t = time_ixp(x, y, n, threads[i], reps, &te);
    const char *tn = threads[i] ? "1 thread" : "default threads";
    printf("te: KSG TE k=l=1 N = %-7ld %-16s ixp %9.4f s (TE %.6f nats)", n, tn, t, te);
    if (jar && run_jidt(jar, x, y, n, threads[i], n > 50000 ? 3 : reps, &jte, &jsec)) {
      tj = jsec;
      printf("  JIDT %8.3f s (TE %.6f, |diff| %.1e %s)  ratio to JIDT %.4f (%.0fx faster)\n", tj, jte, fabs(te - jte),
             fabs(te - jte) <= 1e-6 ? "agree" : "DISAGREE", t / tj, tj / t);
    } else {
      printf("%s\n", jar ? "  JIDT failed" : "");
    }
  }
  free(x), free(y);
}

int main(void) {
  const char *r = getenv("BENCH_REPS");
  int reps = r && atoi(r) > 0 ? atoi(r) : 5;
  const char *jar = jidt_ready();
  figure(jar, 10000, reps);
  figure(jar, 100000, reps);
  return 0;
}
