/* main.c — the `ixp` command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blis/dense.h"
#include "repl.h"
#include "session.h"

static const char usage[] =
    "usage: ixp [options] [run] FILE     run an experiment\n"
    "       ixp [options] check FILE     run it and report every expect (non-zero exit if one fails)\n"
    "       ixp [options] explain FILE   print the plan of kernels chosen for each measure\n"
    "       ixp [options]                start the REPL (reads a script when stdin is not a terminal)\n"
    "\n"
    "options:\n"
    "  --set NAME=VALUE   replace the value of 'let NAME' (repeatable)\n"
    "  --digits N         significant digits of printed numbers (default 6; 'max' round-trips)\n"
    "  --outdir DIR       where 'to \"file\"' writes (default: the file's folder)\n"
    "  --isolate          run extern libraries in a child process (a crash there is an error, not the end)\n"
    "  --help, --version\n"
    "\n"
    "exit status: 0 ok, 1 an expect failed, 2 usage, 3 syntax or semantic error, 4 runtime error\n";

typedef struct {
  const char *command;
  const char *file;
  IxpOptions opt;
  IxpOverride overrides[64];
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

/* Options may come before or after the command and file. */
static int parse_args(Args *a, int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    char *arg = argv[i];
    bool has_value = !strcmp(arg, "--set") || !strcmp(arg, "--digits") || !strcmp(arg, "--outdir");
    if (has_value && i + 1 == argc) return bad_usage("%s needs a value", arg);
    int rc = 0;
    if (!strcmp(arg, "--set")) rc = parse_set(a, argv[++i]);
    else if (!strncmp(arg, "--set=", 6)) rc = parse_set(a, arg + 6);
    else if (!strcmp(arg, "--digits")) rc = parse_digits(a, argv[++i]);
    else if (!strncmp(arg, "--digits=", 9)) rc = parse_digits(a, arg + 9);
    else if (!strcmp(arg, "--outdir")) a->opt.outdir = argv[++i];
    else if (!strncmp(arg, "--outdir=", 9)) a->opt.outdir = arg + 9;
    else if (!strcmp(arg, "--isolate")) a->opt.isolate = true;
    else if (arg[0] == '-' && arg[1]) return bad_usage("unknown option '%s'", arg);
    else if (!a->command && !a->file && (!strcmp(arg, "run") || !strcmp(arg, "check") || !strcmp(arg, "explain")))
      a->command = arg;
    else if (!a->file) a->file = arg;
    else return bad_usage("unexpected argument '%s'", arg);
    if (rc) return rc;
  }
  if (a->command && !a->file) return bad_usage("'%s' needs a file", a->command);
  a->opt.overrides = a->overrides;
  return 0;
}

static int run_file(IxpSession *s, const Args *a) {
  IxpStatus st = ixp_session_run_file(s, a->file);
  if (a->opt.report_expects && st != IXP_EUSAGE && st != IXP_ECOMPILE) {
    int passed, failed;
    ixp_session_expect_counts(s, &passed, &failed);
    printf("%d passed, %d failed\n", passed, failed);
  }
  return st;
}

int main(int argc, char **argv) {
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
  a.opt.report_expects = a.command && !strcmp(a.command, "check");
  a.opt.explain = a.command && !strcmp(a.command, "explain");
  a.opt.repl = !a.file;
  IxpSession *s = ixp_session_new(&a.opt);
  if (!s) {
    fputs("ixp: error: cannot start a session (out of memory, or the prelude failed)\n", stderr);
    return IXP_ERUNTIME;
  }
  rc = a.file ? run_file(s, &a) : ixp_repl(s);
  ixp_session_free(s);
  return rc;
}
