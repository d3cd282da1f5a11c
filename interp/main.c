/* main.c — the `ixp` command line. */
#include <omp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blis/dense.h"
#include "repl.h"
#include "outfile.h"
#include "ranks.h"
#include "record.h"
#include "session.h"

static const char usage[] =
    "usage: ixp [options] [run] FILE     run an experiment\n"
    "       ixp [options] check FILE     run it and report every expect (non-zero exit if one fails)\n"
    "       ixp [options] explain FILE   print the plan of kernels chosen for each measure\n"
    "       ixp show RECORD.json         print a record as a short report\n"
    "       ixp [options]                start the REPL (reads a script when stdin is not a terminal)\n"
    "\n"
    "options:\n"
    "  --set NAME=VALUE   replace the value of 'let NAME' (repeatable)\n"
    "  --digits N         significant digits of printed numbers (default 6; 'max' round-trips)\n"
    "  --outdir DIR       where 'to \"file\"' writes (default: the file's folder)\n"
    "  --isolate          run extern libraries in a child process (a crash there is an error, not the end)\n"
    "  --isolate-timeout SECONDS  isolated, and stop any extern call that runs longer (an error)\n"
    "  --record OUT.json  write every result with its provenance (run, check)\n"
    "  --against R.json   check: re-run and compare every result with record R\n"
    "  --rtol X           check --against: relative tolerance across builds (default 1e-9)\n"
    "  --json             print results as JSON lines instead of text\n"
    "  --help, --version\n"
    "\n"
    "exit status: 0 ok, 1 an expect failed, 2 usage, 3 syntax or semantic error, 4 runtime error\n";

typedef struct {
  const char *command;
  const char *file;
  IxpOptions opt;
  IxpOverride overrides[64];
  const char *record;    /* --record: where to write the run's record */
  const char *against;   /* check --against: the record to compare with */
  double rtol;           /* --rtol */
  bool json;             /* --json */
} Args;

static int bad_usage(const char *fmt, const char *arg) {
  fprintf(stderr, "ixp: error: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\n%s", usage);
  return IXP_EUSAGE;
}

static int parse_digits(Args *a, const char *v) {
  if (!strcmp(v, "max")) {
    a->opt.digits = -1;
    return 0;
  }
  char *end;
  long d = strtol(v, &end, 10);
  if (*end || d < 1 || d > 17) return bad_usage("--digits takes 1 to 17 or 'max', not '%s'", v);
  a->opt.digits = (int)d;
  return 0;
}

static int parse_set(Args *a, char *v) {
  char *eq = strchr(v, '=');
  if (!eq || eq == v) return bad_usage("--set takes NAME=VALUE, not '%s'", v);
  if (a->opt.noverrides == 64) return bad_usage("too many --set options%s", "");
  *eq = '\0';
  a->overrides[a->opt.noverrides++] = (IxpOverride){v, eq + 1};
  return 0;
}

static int parse_rtol(Args *a, const char *v) {
  char *end;
  a->rtol = strtod(v, &end);
  if (*end || !(a->rtol >= 0)) return bad_usage("--rtol takes a tolerance >= 0, not '%s'", v);
  return 0;
}

static int parse_timeout(Args *a, const char *v) {
  char *end;
  double t = strtod(v, &end);
  if (*end || !(t > 0) || t > 1e9) return bad_usage("--isolate-timeout takes seconds > 0, not '%s'", v);
  a->opt.isolate = true, a->opt.isolate_timeout = t;
  return 0;
}

static bool is_command(const char *arg) {
  return !strcmp(arg, "run") || !strcmp(arg, "check") || !strcmp(arg, "explain") || !strcmp(arg, "show");
}

/* Options may come before or after the command and file. */
static int parse_args(Args *a, int argc, char **argv) {
  a->rtol = 1e-9;
  for (int i = 1; i < argc; i++) {
    char *arg = argv[i];
    bool has_value = !strcmp(arg, "--set") || !strcmp(arg, "--digits") || !strcmp(arg, "--outdir") ||
                     !strcmp(arg, "--record") || !strcmp(arg, "--against") || !strcmp(arg, "--rtol") ||
                     !strcmp(arg, "--isolate-timeout");
    if (has_value && i + 1 == argc) return bad_usage("%s needs a value", arg);
    int rc = 0;
    if (!strcmp(arg, "--set")) rc = parse_set(a, argv[++i]);
    else if (!strncmp(arg, "--set=", 6)) rc = parse_set(a, arg + 6);
    else if (!strcmp(arg, "--digits")) rc = parse_digits(a, argv[++i]);
    else if (!strncmp(arg, "--digits=", 9)) rc = parse_digits(a, arg + 9);
    else if (!strcmp(arg, "--outdir")) a->opt.outdir = argv[++i];
    else if (!strncmp(arg, "--outdir=", 9)) a->opt.outdir = arg + 9;
    else if (!strcmp(arg, "--isolate")) a->opt.isolate = true;
    else if (!strcmp(arg, "--isolate-timeout")) rc = parse_timeout(a, argv[++i]);
    else if (!strcmp(arg, "--json")) a->json = true;
    else if (!strcmp(arg, "--record")) a->record = argv[++i];
    else if (!strcmp(arg, "--against")) a->against = argv[++i];
    else if (!strcmp(arg, "--rtol")) rc = parse_rtol(a, argv[++i]);
    else if (arg[0] == '-' && arg[1]) return bad_usage("unknown option '%s'", arg);
    else if (!a->command && !a->file && is_command(arg)) a->command = arg;
    else if (!a->file) a->file = arg;
    else return bad_usage("unexpected argument '%s'", arg);
    if (rc) return rc;
  }
  if (a->command && !a->file) return bad_usage("'%s' needs a file", a->command);
  bool checking = a->command && !strcmp(a->command, "check");
  if (a->against && !checking) return bad_usage("--against goes with 'check': ixp check FILE --against %s", a->against);
  if ((a->record || a->json) && !a->file) return bad_usage("%s needs a file to run", a->record ? "--record" : "--json");
  a->opt.overrides = a->overrides;
  return 0;
}

/* --------------------------------------------------------------- records */

/* A path as seen from the folder of the .ixp file (so a record made in one
 * folder checks from another): the file's folder prefix is dropped. */
static const char *from_file_folder(const char *file, const char *path) {
  const char *slash = strrchr(file, '/');
  size_t n = slash ? (size_t)(slash - file) + 1 : 0;
  return n && !strncmp(path, file, n) ? path + n : path;
}

typedef struct {
  IxpRunRecord *record;  /* --record or --against: results of this run */
  bool json;
  const char *file;      /* the .ixp file run */
} Results;

static void collect(void *ctx, const IxpResultInfo *r) {
  Results *res = ctx;
  const char *file = from_file_folder(res->file, r->file);
  if (r->value_json) {  /* computed on another rank */
    if (res->record)
      ixp_runrec_result_text(res->record, r->kind, r->name, file, r->line, r->col, r->value_json, r->rtol);
    if (res->json) ixp_runrec_print_line_text(stdout, r->kind, r->name, file, r->line, r->col, r->value_json);
    return;
  }
  if (res->record) ixp_runrec_result(res->record, r->kind, r->name, file, r->line, r->col, r->value, r->rtol);
  if (res->json) ixp_runrec_print_line(stdout, r->kind, r->name, file, r->line, r->col, r->value);
}

/* Provenance: the build, the seed, the overrides, and every input hashed. */
static void add_provenance(IxpRunRecord *r, IxpSession *s, const Args *a) {
  char seed[32], err[512];
  ixp_session_seed_text(s, seed, sizeof seed);
  ixp_runrec_provenance(r, IXP_VERSION, seed, omp_get_max_threads());
  ixp_runrec_ranks(r, ixp_ranks_size());
  for (int i = 0; i < a->opt.noverrides; i++) ixp_runrec_override(r, a->overrides[i].name, a->overrides[i].value);
  const char *role, *path;
  for (int i = 0; ixp_session_input_at(s, i, &role, &path); i++) {
    if (!ixp_runrec_input_as(r, role, path, from_file_folder(a->file, path), err, sizeof err))
      fprintf(stderr, "ixp: warning: %s\n", err);
  }
}

static IxpSession *active;

/* Ctrl-C stops the running statement cleanly (outputs already written
 * stay complete; files are written whole or not at all); a second one
 * ends ixp at once. */
static void on_sigint(int sig) {
  (void)sig;
  if (active) ixp_session_interrupt(active);
}

static void catch_interrupts(IxpSession *s) {
  active = s;
  struct sigaction sa = {.sa_handler = on_sigint, .sa_flags = (int)SA_RESETHAND};  /* 0x80000000: the bit pattern sa_flags holds */
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
}

static void print_counts(IxpSession *s) {
  int passed, failed;
  ixp_session_expect_counts(s, &passed, &failed);
  printf("%d passed, %d failed\n", passed, failed);
}

/* The record may not overwrite the program or any file it read. */
static bool record_target_ok(const IxpSession *s, const char *record) {
  const char *role, *input = ixp_session_input_same(s, record, &role);
  if (!input) return true;
  fprintf(stderr, "ixp: error: --record '%s' is the %s '%s' this run reads\n", record,
          !strcmp(role, "source") ? "program" : !strcmp(role, "data") ? "data file" : "extern library", input);
  return false;
}

static int run_file(IxpSession *s, const Args *a, Results *res) {
  if (a->record && ixp_outfile_same(a->record, a->file)) {
    fprintf(stderr, "ixp: error: --record '%s' is the program '%s' this run reads\n", a->record, a->file);
    return IXP_EUSAGE;
  }
  catch_interrupts(s);
  IxpStatus st = ixp_session_run_file(s, a->file);
  active = NULL;
  if (st == IXP_EUSAGE || st == IXP_ECOMPILE) return st;
  if (a->opt.report_expects) print_counts(s);
  if (!res->record || (st != IXP_OK && st != IXP_EEXPECT)) return st;
  add_provenance(res->record, s, a);
  char err[512];
  if (a->record && !record_target_ok(s, a->record)) return IXP_EUSAGE;
  if (a->record && !ixp_runrec_write(res->record, a->record, err, sizeof err)) {
    fprintf(stderr, "ixp: error: %s\n", err);
    return IXP_EUSAGE;
  }
  return st;
}

/* check --against: run, then compare with the record. */
static int check_against(IxpSession *s, const Args *a, Results *res) {
  char err[512];
  IxpRunRecord *expected = ixp_runrec_read(a->against, err, sizeof err);
  if (!expected) {
    fprintf(stderr, "ixp: error: %s\n", err);
    return IXP_EUSAGE;
  }
  int st = run_file(s, a, res);
  if (st == IXP_OK || st == IXP_EEXPECT) {
    int diffs = ixp_runrec_compare(expected, res->record, a->rtol, stdout);
    if (diffs && st == IXP_OK) st = IXP_EEXPECT;
  }
  ixp_runrec_free(expected);
  return st;
}

static int show(const char *path) {
  char err[512];
  IxpRunRecord *r = ixp_runrec_read(path, err, sizeof err);
  if (!r) {
    fprintf(stderr, "ixp: error: %s\n", err);
    return IXP_EUSAGE;
  }
  ixp_runrec_show(r, stdout);
  ixp_runrec_free(r);
  return 0;
}

/* Under mpirun, rank 0 alone prints results, records and compares. */
static void quiet_rank(Args *a) {
  if (ixp_ranks_rank() > 0) a->json = false, a->record = NULL, a->against = NULL;
}

static int ixp_main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      fputs(usage, stdout);
      return 0;
    }
    if (!strcmp(argv[i], "--version")) {
      printf("ixp %s (BLIS %s, %s)\n", IXP_VERSION, ixp_dense_version(), __VERSION__);
      return 0;
    }
  }
  Args a = {0};
  int rc = parse_args(&a, argc, argv);
  if (rc) return rc;
  if (a.command && !strcmp(a.command, "show")) return show(a.file);
  if (!a.file && ixp_ranks_size() > 1) return bad_usage("the REPL runs in one process: give mpirun a FILE to run%s", "");
  quiet_rank(&a);
  a.opt.report_expects = a.command && !strcmp(a.command, "check");
  a.opt.explain = a.command && !strcmp(a.command, "explain");
  a.opt.repl = !a.file;
  Results res = {.json = a.json, .record = a.record || a.against ? ixp_runrec_new() : NULL, .file = a.file};
  FILE *quiet = a.json ? fopen("/dev/null", "w") : NULL;  /* --json: results only as JSON */
  if (a.json) a.opt.out = quiet;
  if (res.record || res.json) a.opt.on_result = collect, a.opt.result_ctx = &res;
  IxpSession *s = ixp_session_new(&a.opt);
  if (!s) {
    fputs("ixp: error: cannot start a session (out of memory, or the prelude failed)\n", stderr);
    return IXP_ERUNTIME;
  }
  rc = !a.file ? ixp_repl(s) : a.against ? check_against(s, &a, &res) : run_file(s, &a, &res);
  ixp_session_free(s);
  ixp_runrec_free(res.record);
  if (quiet) fclose(quiet);
  return rc;
}

int main(int argc, char **argv) {
  if (!ixp_ranks_init(&argc, &argv)) {
    fputs("ixp: error: MPI did not start\n", stderr);
    return IXP_ERUNTIME;
  }
  /* Ranks above 0 print nothing: a failed rank's message reaches rank 0
   * through the agreement after each statement (spread.h). */
  if (ixp_ranks_rank() > 0 && (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr)))
    ixp_ranks_abort(IXP_ERUNTIME);
  int rc = ixp_main(argc, argv);
  if (getenv("IXP_RANKS_TIMES") && ixp_ranks_rank() == 0)  /* bench/bench_mpi.sh */
    fprintf(stderr, "ixp: %d rank%s, rank 0 spent %.6f s in collectives (waiting for the others included)\n",
            ixp_ranks_size(), ixp_ranks_size() == 1 ? "" : "s", ixp_ranks_comm_seconds());
  ixp_ranks_finalize();
  /* Rank 0's status is the run's (the ranks agreed on each statement's);
   * the others end with 0, so mpirun names rank 0 when it is not. */
  return ixp_ranks_rank() == 0 ? rc : 0;
}
