/* session.h — the public API: run .ixp text in a session that keeps its
 * definitions (a file run, or a REPL), with the exit statuses of `ixp`. */
#ifndef IXP_SESSION_H
#define IXP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define IXP_VERSION "0.2.0"

struct IxpResultInfo;

/* Results of running text; also the process exit codes of `ixp`. */
typedef enum {
  IXP_OK = 0,
  IXP_EEXPECT = 1,      /* ran, but an `expect` failed */
  IXP_EUSAGE = 2,       /* bad command line, unreadable file */
  IXP_ECOMPILE = 3,     /* syntax or semantic error: nothing ran */
  IXP_ERUNTIME = 4,     /* error while running */
  IXP_INCOMPLETE = 5,   /* REPL: the text ends mid-statement; nothing ran */
} IxpStatus;

typedef struct {
  const char *name, *value;   /* --set name=value */
} IxpOverride;

typedef struct {
  FILE *out;                /* results (stdout if NULL) */
  FILE *err;                /* reports (stderr if NULL) */
  int digits;               /* significant digits of printed numbers; 0: 6; -1: round-trip */
  bool report_expects;      /* `ixp check`: one line per expectation */
  bool explain;             /* print each measure's plan instead of results */
  bool repl;                /* redefinitions allowed; bare expressions print */
  const char *outdir;       /* where `to "file"` writes (default: the file's folder) */
  const IxpOverride *overrides;
  int noverrides;
  bool isolate;             /* run extern libraries in a child process */
  double isolate_timeout;   /* isolated: seconds one extern call may take (0: no limit) */
  bool check_only;          /* parse, check and read data files; run nothing
                               (the fuzzing harness of tests/fuzz/) */
  /* Called with every printed value and every finished sweep's rows
   * (for --record and --json). */
  void (*on_result)(void *ctx, const struct IxpResultInfo *r);
  void *result_ctx;
} IxpOptions;

typedef struct IxpSession IxpSession;

/* A new session with the prelude loaded; NULL if out of memory. */
IxpSession *ixp_session_new(const IxpOptions *opt);
void ixp_session_free(IxpSession *s);

/* Parse, check and run `text` (called `name` in reports). In a REPL
 * session (opt.repl) text that ends mid-statement runs nothing and gives
 * IXP_INCOMPLETE, so the caller can ask for another line. */
IxpStatus ixp_session_run(IxpSession *s, const char *name, const char *text, size_t len);
/* Run `text` as a whole script: ending mid-statement is a syntax error. */
IxpStatus ixp_session_run_script(IxpSession *s, const char *name, const char *text, size_t len);
/* Load and run a file. */
IxpStatus ixp_session_run_file(IxpSession *s, const char *path);
/* Print each measure's plan in `text` instead of its value. */
IxpStatus ixp_session_explain(IxpSession *s, const char *name, const char *text, size_t len);

/* The seed in force (the last `seed` statement run), as text. */
void ixp_session_seed_text(const IxpSession *s, char *buf, size_t size);

/* The i-th file the session has read (role "source", "data" or
 * "extern", and its path); false past the last. */
bool ixp_session_input_at(const IxpSession *s, int i, const char **role, const char **path);
/* The file read so far (its path, and its role in *role) that is the same
 * file as `path` (device and inode), or NULL: outputs may not replace it. */
const char *ixp_session_input_same(const IxpSession *s, const char *path, const char **role);

/* Expectations counted so far. */
void ixp_session_expect_counts(const IxpSession *s, int *passed, int *failed);
/* Ask the running evaluation to stop (async-signal-safe). */
void ixp_session_interrupt(IxpSession *s);
/* Print the names in scope with their kinds and values. */
void ixp_session_print_vars(IxpSession *s, FILE *out);
/* Call `fn` for every name in scope (lets, models, variables of models,
 * functions, measures, distributions, keywords) starting with `prefix`. */
void ixp_session_complete(IxpSession *s, const char *prefix, void (*fn)(const char *name, void *ctx),
                          void *ctx);

#endif
