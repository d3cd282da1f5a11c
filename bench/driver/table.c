/* table.c — the workload table of `make bench`: every row of issue 13's
 * table as whole `ixp` runs of a file in bench/workloads/, at
 * OMP_NUM_THREADS=1 and at the default thread count (the variable unset),
 * side by side with a reference: a peer measured live when it is installed
 * (bench/peers/), a naive implementation, or a recorded figure (labelled
 * as such). Runs are paired (1 thread, then default) and timed as whole
 * processes (fork/exec, wall clock, peak RSS from wait4's rusage); a row
 * shows the medians. A default slower than 1 thread by more than 10 % is
 * flagged "threads hurt".
 *
 * Every ixp workload and peer prints `value = X` (the number compared),
 * and may print `closed_form = X`, `closed_form_error = X`,
 * `extra_seconds = S` (time of surrogates not run, scaled) and `note = ...`.
 *
 * usage: table IXP DATADIR BINDIR        (from the repository's root)
 * environment: BENCH_LONG=1 adds the long rows; BENCH_REPS=N fixes the
 * number of runs (default: 5 under 1 s, 3 under 10 s, else 1); JIDT_JAR
 * is JIDT's infodynamics.jar (bench/run finds it in ../shared/peers). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ARGS 12
#define MAX_PEERS 3
#define MAX_REPS 9
#define OUT_SIZE 65536
#define PY "/usr/bin/python3"
#define MATH3_JAR "/usr/share/java/commons-math3.jar"

typedef enum { NEEDS_NOTHING, NEEDS_PYTHON, NEEDS_JAVA, NEEDS_NAIVE } Needs;

/* A reference: a command run like ixp (argv with @data/, @bin/, @cp
 * expanded), or a recorded figure when argv is empty. */
typedef struct {
  const char *name;
  Needs needs;
  int is_long; /* run only with BENCH_LONG=1 */
  const char *argv[MAX_ARGS];
  double recorded; /* seconds, for a recorded figure */
  const char *source;
} Peer;

typedef struct {
  const char *label;
  const char *file; /* NULL: a row that cannot be run yet */
  const char *goal; /* the goal set for the row (issue 13 or 14) */
  int is_long;
  int log2_states; /* exact rows: peak memory per joint state */
  Peer peers[MAX_PEERS];
} Workload;

/* The medians of one command's runs. */
typedef struct {
  int ok, reps;
  double seconds, value, closed_form, closed_form_error;
  int has_value, has_closed_form, has_closed_form_error;
  long max_rss_kb;
  char note[200];
} Runs;

#define RECORDED_BROJA "recorded 2026-12 on this 2-core machine (Python on ECOS, not installable here), not live"
#define RECORDED(secs) {.name = "BROJA-2PID", .recorded = secs, .source = RECORDED_BROJA}
#define LIVE(name_, needs_, long_, ...) {.name = name_, .needs = needs_, .is_long = long_, .argv = {__VA_ARGS__}}
#define CKDTREE(long_, ...) LIVE("scipy cKDTree", NEEDS_PYTHON, long_, PY, "bench/peers/ksg_ckdtree.py", __VA_ARGS__)
#define JIDT(long_, ...) LIVE("JIDT", NEEDS_JAVA, long_, "java", "-cp", "@cp", "JidtKsg", __VA_ARGS__)
#define NAIVE(n) LIVE("naive dense C", NEEDS_NAIVE, 0, "@bin/exact_naive", n)

static const Workload WORKLOADS[] = {
    {.label = "BROJA PID, random 10x10x10",
     .file = "broja_random",
     .goal = "<= 0.03 s at the default",
     .peers = {RECORDED(1.4)}},
    {.label = "BROJA PID, COPY 64x64", .file = "broja_copy", .peers = {RECORDED(5.2)}},
    {.label = "RD Bernoulli(0.3), 26 beta",
     .file = "rd_bernoulli",
     .goal = "<= 0.005 s at the default",
     .peers = {LIVE("NumPy Blahut-Arimoto", NEEDS_PYTHON, 0, PY, "bench/peers/rd_numpy.py")}},
    {.label = "Gaussian MI on data, d = 64",
     .file = "gaussian_d64",
     .goal = "<= 0.3x NumPy",
     .peers = {LIVE("NumPy slogdet", NEEDS_PYTHON, 0, PY, "bench/peers/gaussian_numpy.py", "@data/gauss64_1e4.npy")}},
    {.label = "Gaussian MI on data, d = 2, N = 1e6",
     .file = "gaussian_1e6",
     .goal = "columns read as they are",
     .peers = {LIVE("NumPy slogdet", NEEDS_PYTHON, 0, PY, "bench/peers/gaussian_numpy.py", "@data/pair_1e6.npy")}},
    {.label = "Gaussian MI on data, d = 1000",
     .file = "gaussian_d1000",
     .goal = "<= 0.3x NumPy",
     .peers = {LIVE("NumPy slogdet", NEEDS_PYTHON, 0, PY, "bench/peers/gaussian_numpy.py", "@data/gauss1000_5e3.npy")}},
    {.label = "closed-form MI, z = A x + n, 1000x1000",
     .file = "gaussian_channel_1000",
     .goal = "<= 1.5x BLIS GEMM + Cholesky (issue 14)",
     .peers = {LIVE("BLIS GEMM + Cholesky", NEEDS_NOTHING, 0, "@bin/channel_blis", "@data/channel_1000.npy")}},
    {.label = "KSG 1-D, N = 1e5",
     .file = "ksg_1d_1e5",
     .goal = "<= 0.05 s",
     .peers = {CKDTREE(0, "@data/pair_1e5.npy", "4"), JIDT(0, "@data/pair_1e5.npy", "4")}},
    {.label = "KSG 1-D, N = 1e6",
     .file = "ksg_1d_1e6",
     .goal = "<= 0.6 s on 2 cores",
     .peers = {CKDTREE(0, "@data/pair_1e6.npy", "4"), JIDT(1, "@data/pair_1e6.npy", "4")}},
    {.label = "KSG 5+5 dims, N = 4000, 150 surrogates",
     .file = "ksg_5x5_surrogates",
     .goal = "<= 2 s",
     .peers = {CKDTREE(0, "@data/ksg55_4000.npy", "4", "5", "150"), JIDT(0, "@data/ksg55_4000.npy", "4", "5", "150")}},
    {.label = "KSG 5+5 dims, N = 1e5",
     .file = "ksg_5x5_1e5",
     .goal = "<= 10 s",
     .is_long = 1,
     .peers = {CKDTREE(1, "@data/ksg55_1e5.npy", "4")}},
    {.label = "KSG 25+25 dims, N = 1e5", .file = "ksg_25x25_1e5", .goal = "<= 30 s", .is_long = 1},
    {.label = "exact enumeration, 2^20 states",
     .file = "exact_2_20",
     .goal = "<= 24 bytes per joint state",
     .log2_states = 20,
     .peers = {NAIVE("20")}},
    {.label = "exact enumeration, 2^25 states",
     .file = "exact_2_25",
     .goal = "<= 24 bytes per joint state",
     .is_long = 1,
     .log2_states = 25,
     .peers = {NAIVE("25")}},
};

static const char *g_data, *g_bin, *g_jidt_jar;
static char g_classpath[4096];
static int g_long, g_fixed_reps, g_have_python, g_have_java, g_hurt;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* argv with @data/, @bin/ and @cp expanded (into `store`). */
static void expand_argv(const char *const *in, char **out, char store[][4096]) {
  int k = 0;
  for (; k < MAX_ARGS - 1 && in[k]; k++) {
    if (strncmp(in[k], "@data/", 6) == 0) snprintf(store[k], 4096, "%s/%s", g_data, in[k] + 6);
    else if (strncmp(in[k], "@bin/", 5) == 0) snprintf(store[k], 4096, "%s/%s", g_bin, in[k] + 5);
    else if (strcmp(in[k], "@cp") == 0) snprintf(store[k], 4096, "%s", g_classpath);
    else snprintf(store[k], 4096, "%s", in[k]);
    out[k] = store[k];
  }
  out[k] = NULL;
}

/* Run argv to completion with OMP_NUM_THREADS=threads (0: unset), its
 * stdout and stderr into out. Returns the exit status (-1: not run). */
static int run_once(char **argv, int threads, char *out, double *seconds, long *max_rss_kb) {
  int fd[2];
  if (pipe(fd) != 0) return -1;
  double t0 = now();
  pid_t pid = fork();
  if (pid == 0) {
    char n[16];
    snprintf(n, sizeof n, "%d", threads);
    if (threads > 0) setenv("OMP_NUM_THREADS", n, 1);
    else unsetenv("OMP_NUM_THREADS");
    dup2(fd[1], 1);
    dup2(fd[1], 2);
    close(fd[0]);
    close(fd[1]);
    execvp(argv[0], argv);
    perror(argv[0]);
    _exit(127);
  }
  close(fd[1]);
  size_t len = 0;
  ssize_t got;
  char sink[4096];
  while ((got = read(fd[0], len < OUT_SIZE - 1 ? out + len : sink,
                     len < OUT_SIZE - 1 ? OUT_SIZE - 1 - len : sizeof sink)) > 0)
    if (len < OUT_SIZE - 1) len += (size_t)got;
  out[len] = 0;
  close(fd[0]);
  int status = 0;
  struct rusage ru;
  if (pid < 0 || wait4(pid, &status, 0, &ru) < 0) return -1;
  *seconds = now() - t0;
  *max_rss_kb = ru.ru_maxrss;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The number after "NAME = " at the start of a line of out. */
static int find_number(const char *out, const char *name, double *x) {
  size_t n = strlen(name);
  for (const char *line = out; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
    if (strncmp(line, name, n) == 0 && strncmp(line + n, " = ", 3) == 0) {
      *x = strtod(line + n + 3, NULL);
      return 1;
    }
  return 0;
}

/* The rest of the line "note = ..." of out, if any. */
static void find_note(const char *out, char *note, size_t size) {
  const char *p = strstr(out, "note = ");
  if (!p || (p != out && p[-1] != '\n')) return;
  p += 7;
  size_t n = strcspn(p, "\n");
  snprintf(note, size, "%.*s", (int)(n < size ? n : size - 1), p);
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, compare_doubles);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* How many runs, from the first one's time. */
static int reps_for(double first_seconds) {
  if (g_fixed_reps > 0) return g_fixed_reps < MAX_REPS ? g_fixed_reps : MAX_REPS;
  return first_seconds < 1 ? 5 : first_seconds < 10 ? 3 : 1;
}

/* Read what a run printed into r (its last run's output). */
static void read_output(const char *out, Runs *r) {
  r->has_value = find_number(out, "value", &r->value);
  r->has_closed_form = find_number(out, "closed_form", &r->closed_form);
  r->has_closed_form_error = find_number(out, "closed_form_error", &r->closed_form_error);
  find_note(out, r->note, sizeof r->note);
}

/* One run of argv at `threads`; its time plus extra_seconds. Prints the
 * output and returns 0 when the command fails. */
static int timed_run(char **argv, int threads, char *out, double *seconds, long *rss) {
  int st = run_once(argv, threads, out, seconds, rss);
  if (st != 0) {
    fprintf(stdout, "    %s failed (status %d):\n%s\n", argv[0], st, out);
    return 0;
  }
  double extra;
  if (find_number(out, "extra_seconds", &extra)) *seconds += extra;
  return 1;
}

/* Paired runs of argv at each of the `nthreads` settings. */
static void measure(char **argv, const int *threads, int nthreads, Runs *runs) {
  static char out[OUT_SIZE];
  double t[2][MAX_REPS];
  long rss[2] = {0, 0};
  int reps = 1;
  for (int rep = 0; rep < reps; rep++) {
    for (int s = 0; s < nthreads; s++) {
      long r = 0;
      runs[s].ok = timed_run(argv, threads[s], out, &t[s][rep], &r);
      if (!runs[s].ok) return;
      if (r > rss[s]) rss[s] = r;
      read_output(out, &runs[s]);
    }
    if (rep == 0) reps = reps_for(fmax(t[0][0], t[nthreads - 1][0]));
  }
  for (int s = 0; s < nthreads; s++) {
    runs[s].reps = reps;
    runs[s].seconds = median(t[s], reps);
    runs[s].max_rss_kb = rss[s];
  }
}

static int peer_available(const Peer *p) {
  if (p->is_long && !g_long) return 0;
  switch (p->needs) {
  case NEEDS_PYTHON: return g_have_python;
  case NEEDS_JAVA: return g_have_java;
  case NEEDS_NAIVE: {
    char path[4096];
    snprintf(path, sizeof path, "%s/exact_naive", g_bin);
    return access(path, X_OK) == 0;
  }
  default: return 1;
  }
}

static const char *peer_missing(const Peer *p) {
  if (p->is_long && !g_long) return "BENCH_LONG=1 runs it";
  if (p->needs == NEEDS_PYTHON) return PY " with numpy and scipy is not installed";
  if (p->needs == NEEDS_JAVA) return "Java, JIDT_JAR or the compiled bench/peers/JidtKsg.java is missing";
  return "not built";
}

/* Measure the row's peers into runs; returns the index of the fastest
 * one measured live, else of a recorded one, else -1. */
static int measure_peers(const Workload *w, Runs *runs) {
  int best = -1;
  for (int k = 0; k < MAX_PEERS && w->peers[k].name; k++) {
    const Peer *p = &w->peers[k];
    memset(&runs[k], 0, sizeof runs[k]);
    if (!p->argv[0]) {
      runs[k].ok = 1;
      runs[k].seconds = p->recorded;
      if (best < 0) best = k;
      continue;
    }
    if (!peer_available(p)) continue;
    char store[MAX_ARGS][4096], *argv[MAX_ARGS];
    expand_argv(p->argv, argv, store);
    int unset = 0;
    measure(argv, &unset, 1, &runs[k]);
    if (runs[k].ok && (best < 0 || !w->peers[best].argv[0] || runs[k].seconds < runs[best].seconds)) best = k;
  }
  return best;
}

static void print_header(void) {
  printf("%-40s %10s %11s %7s %-13s %10s  %-22s %8s %8s\n", "workload", "ixp 1 thr", "ixp default", "def/1", "",
         "reference", "(source)", "ixp/ref", "ixp/ref");
  printf("%-40s %10s %11s %7s %-13s %10s  %-22s %8s %8s\n", "", "", "", "", "", "", "", "1 thr", "default");
}

/* The row's line: times, thread ratio (flagged), reference, ratios. */
static void print_row(const Workload *w, const Runs *ixp, const Runs *ref, const Peer *peer) {
  double ratio = ixp[1].seconds / ixp[0].seconds;
  int hurt = ratio > 1.10;
  g_hurt += hurt;
  printf("%-40s %8.3f s %9.3f s %7.2f %-13s", w->label, ixp[0].seconds, ixp[1].seconds, ratio,
         hurt ? "threads hurt" : "");
  if (peer)
    printf(" %8.3f s  %-22.22s %8.3f %8.3f\n", ref->seconds, peer->argv[0] ? peer->name : "BROJA-2PID (recorded)",
           ixp[0].seconds / ref->seconds, ixp[1].seconds / ref->seconds);
  else printf(" %10s  %-22s %8s %8s\n", "-", "(no peer run)", "-", "-");
}

/* The detail lines: values against the closed form and the peers. */
static void print_details(const Workload *w, const Runs *ixp, const Runs *peers) {
  printf("    ixp: value %.15g, %d paired run%s", ixp[1].value, ixp[1].reps, ixp[1].reps > 1 ? "s (medians)" : "");
  if (ixp[0].value != ixp[1].value) printf("; 1 thread gave %.17g (NOT bit-identical)", ixp[0].value);
  printf("\n");
  if (w->goal) printf("    goal: %s\n", w->goal);
  if (ixp[1].has_closed_form)
    printf("    closed form %.15g, |ixp - closed form| = %.2g\n", ixp[1].closed_form,
           fabs(ixp[1].value - ixp[1].closed_form));
  if (ixp[1].has_closed_form_error)
    printf("    largest error against the closed form: %.2g\n", ixp[1].closed_form_error);
  if (w->log2_states) {
    double states = ldexp(1, w->log2_states);
    printf("    peak RSS %ld KB = %.1f bytes per joint state (goal <= 24)\n", ixp[1].max_rss_kb,
           (double)ixp[1].max_rss_kb * 1024 / states);
  }
  for (int k = 0; k < MAX_PEERS && w->peers[k].name; k++) {
    const Peer *p = &w->peers[k];
    const Runs *r = &peers[k];
    if (!p->argv[0]) {
      printf("    %s: %.1f s, %s\n", p->name, p->recorded, p->source);
      continue;
    }
    if (!peer_available(p)) {
      printf("    %s: skipped (%s)\n", p->name, peer_missing(p));
      continue;
    }
    if (!r->ok) continue;
    printf("    %s: %.3f s (%d whole run%s)", p->name, r->seconds, r->reps, r->reps > 1 ? "s, median" : "");
    if (r->has_value) {
      double diff = fabs(r->value - ixp[1].value);
      printf(", value %.15g, |ixp - peer| = %.2g %s", r->value, diff, diff <= 1e-6 ? "(agree to 1e-6)" : "(DIFFER)");
    }
    if (w->log2_states)
      printf(", peak RSS %.1f bytes per state", (double)r->max_rss_kb * 1024 / ldexp(1, w->log2_states));
    printf("\n");
    if (r->note[0]) printf("      %s\n", r->note);
  }
}

static void run_workload(const Workload *w, const char *ixp) {
  if (!w->file) {
    printf("%-40s cannot be expressed yet (more than 64 variables): no workload\n", w->label);
    printf("    goal: %s\n", w->goal);
    return;
  }
  if (w->is_long && !g_long) {
    printf("%-40s %s\n", w->label, "skipped (long: BENCH_LONG=1 runs it)");
    return;
  }
  char path[4096];
  snprintf(path, sizeof path, "bench/workloads/%s.ixp", w->file);
  char *argv[] = {(char *)ixp, "--digits", "max", path, NULL};
  const int threads[2] = {1, 0};
  Runs ixp_runs[2] = {{0}}, peer_runs[MAX_PEERS];
  measure(argv, threads, 2, ixp_runs);
  if (!ixp_runs[0].ok || !ixp_runs[1].ok) return;
  int best = measure_peers(w, peer_runs);
  print_row(w, ixp_runs, best >= 0 ? &peer_runs[best] : NULL, best >= 0 ? &w->peers[best] : NULL);
  print_details(w, ixp_runs, peer_runs);
  fflush(stdout);
}

static void print_load(const char *when) {
  char buf[128] = "?";
  FILE *f = fopen("/proc/loadavg", "r");
  if (f) {
    if (!fgets(buf, sizeof buf, f)) buf[0] = 0;
    fclose(f);
  }
  buf[strcspn(buf, "\n")] = 0;
  printf("load average at the %s: %s\n", when, buf);
}

/* Which peers can run: python with numpy and scipy, java with JIDT. */
static void detect_peers(void) {
  static char out[OUT_SIZE];
  double t;
  long rss;
  char *py[] = {PY, "-c", "import numpy, scipy.spatial, scipy.special", NULL};
  g_have_python = access(PY, X_OK) == 0 && run_once(py, 0, out, &t, &rss) == 0;
  char cls[4096];
  snprintf(cls, sizeof cls, "%s/JidtKsg.class", g_bin);
  g_jidt_jar = getenv("JIDT_JAR");
  if (!g_jidt_jar || access(g_jidt_jar, R_OK) != 0 || access(cls, R_OK) != 0) return;
  snprintf(g_classpath, sizeof g_classpath, "%s:%s:%s", g_jidt_jar, MATH3_JAR, g_bin);
  char *java[] = {"java", "-version", NULL};
  g_have_java = run_once(java, 0, out, &t, &rss) == 0;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: table IXP DATADIR BINDIR\n");
    return 2;
  }
  g_data = argv[2];
  g_bin = argv[3];
  g_long = getenv("BENCH_LONG") && strcmp(getenv("BENCH_LONG"), "1") == 0;
  g_fixed_reps = getenv("BENCH_REPS") ? atoi(getenv("BENCH_REPS")) : 0;
  detect_peers();
  printf("\nworkloads (bench/workloads/*.ixp), whole ixp runs at OMP_NUM_THREADS=1 and at the default;\n"
         "times are medians of paired runs; ixp/ref < 1: ixp is faster; def/1 > 1.10 is flagged.%s\n",
         g_long ? "" : " BENCH_LONG=1 adds the long rows.");
  print_load("start");
  print_header();
  for (size_t k = 0; k < sizeof WORKLOADS / sizeof WORKLOADS[0]; k++) run_workload(&WORKLOADS[k], argv[1]);
  print_load("end");
  printf("%d row(s) where the default thread count is more than 10 %% slower than 1 thread\n", g_hurt);
  return 0;
}
