/* helpers.h — shared helpers of the unit tests: a session whose output
 * and reports go to memory streams, and small text utilities.
 *
 * Everything here is static inline so that each test file may use any
 * subset of it without unused-function warnings. */
#ifndef IXP_TEST_HELPERS_H
#define IXP_TEST_HELPERS_H

#include <criterion/criterion.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <errno.h>
#include <unistd.h>

#include "session.h"

/* A session with its output (`print`) and reports captured. */
typedef struct {
  IxpSession *s;
  FILE *out, *err;
  char *obuf, *ebuf;
  size_t olen, elen;
} TRun;

/* digits -1 is `--digits max`: numbers print so they read back exactly. */
static inline void t_open(TRun *r, bool repl) {
  memset(r, 0, sizeof *r);
  r->out = open_memstream(&r->obuf, &r->olen);
  r->err = open_memstream(&r->ebuf, &r->elen);
  cr_assert_not_null(r->out);
  cr_assert_not_null(r->err);
  IxpOptions opt = {.out = r->out, .err = r->err, .digits = -1, .repl = repl};
  r->s = ixp_session_new(&opt);
  cr_assert_not_null(r->s, "the session (and its prelude) failed to start");
}

static inline IxpStatus t_run(TRun *r, const char *text) {
  return ixp_session_run(r->s, "t.ixp", text, strlen(text));
}

static inline IxpStatus t_explain(TRun *r, const char *text) {
  return ixp_session_explain(r->s, "t.ixp", text, strlen(text));
}

/* What has been printed so far (valid until the next write). */
static inline const char *t_out(TRun *r) {
  fflush(r->out);
  return r->obuf ? r->obuf : "";
}

/* What has been reported so far. */
static inline const char *t_err(TRun *r) {
  fflush(r->err);
  return r->ebuf ? r->ebuf : "";
}

static inline void t_close(TRun *r) {
  ixp_session_free(r->s);
  fclose(r->out);
  fclose(r->err);
  free(r->obuf);
  free(r->ebuf);
  memset(r, 0, sizeof *r);
}

/* A fresh temporary folder /tmp/PREFIX_XXXXXX for a suite's files, in dir. */
static inline void t_tmpdir_make(char *dir, size_t size, const char *prefix) {
  snprintf(dir, size, "/tmp/%s_XXXXXX", prefix);
  cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
}

/* Remove a folder and everything in it. */
static inline void t_tmpdir_remove(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *e;
  char p[512];
  while ((e = readdir(d)))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
      int w = snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
      if (w > 0 && (size_t)w < sizeof p && unlink(p) != 0) t_tmpdir_remove(p);
    }
  closedir(d);
  rmdir(dir);
}

/* The path of `name` in `dir` (four static buffers, used in turn). */
static inline char *t_path_in(const char *dir, const char *name) {
  static char buf[4][512];
  static int k;
  char *p = buf[k++ % 4];
  snprintf(p, sizeof buf[0], "%s/%s", dir, name);
  return p;
}

/* Write `text` to a new file at path. */
static inline void t_write_text(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f, "cannot create %s", path);
  fputs(text, f);
  fclose(f);
}

/* Number of (possibly overlapping) occurrences of `needle` in `hay`. */
static inline int t_count(const char *hay, const char *needle) {
  int n = 0;
  for (const char *p = hay; (p = strstr(p, needle)); p++) n++;
  return n;
}

/* The value printed on line `line` (0-based) of `out`: the text after the
 * last " = " of that line, read with strtod (which must consume it all). */
static inline double t_value_at(const char *out, int line) {
  const char *p = out;
  for (int i = 0; i < line; i++) {
    p = strchr(p, '\n');
    cr_assert_not_null(p, "output has fewer than %d lines:\n%s", line + 1, out);
    p++;
  }
  const char *eol = strchr(p, '\n');
  if (!eol) eol = p + strlen(p);
  const char *eq = NULL;
  for (const char *q = p; q + 3 <= eol; q++)
    if (!strncmp(q, " = ", 3)) eq = q;
  cr_assert_not_null(eq, "line %d has no ' = ':\n%s", line, out);
  char *end;
  double x = strtod(eq + 3, &end);
  cr_assert_eq(end, eol, "line %d does not end with a number:\n%s", line, out);
  return x;
}

/* Run `program` in a fresh file session (r), assert it succeeds without
 * any report, and return what it printed. */
static inline const char *t_run_clean(TRun *r, const char *program) {
  t_open(r, false);
  IxpStatus st = t_run(r, program);
  cr_assert_eq(st, IXP_OK, "status %d for:\n%s\nreports:\n%s", st, program, t_err(r));
  cr_assert_str_empty(t_err(r), "unexpected report:\n%s", t_err(r));
  return t_out(r);
}

/* The numbers `program` printed, one a line, into x (at most n, asserted);
 * their count. */
static inline int t_numbers(const char *program, double *x, int n) {
  TRun r;
  const char *out = t_run_clean(&r, program);
  int lines = t_count(out, "\n");
  cr_assert_leq(lines, n, "too many lines:\n%s", out);
  for (int i = 0; i < lines; i++) x[i] = t_value_at(out, i);
  t_close(&r);
  return lines;
}

/* Run `program` as t_run_clean does and return the value printed on its
 * last line. */
static inline double t_number(const char *program) {
  TRun r;
  const char *out = t_run_clean(&r, program);
  int lines = t_count(out, "\n");
  cr_assert_gt(lines, 0, "nothing printed by:\n%s", program);
  double x = t_value_at(out, lines - 1);
  t_close(&r);
  return x;
}

/* Run `program` in a fresh file session expecting status `want`; returns
 * the reports (malloc'd) and, through *out if given, the output. */
static inline char *t_fail(const char *program, IxpStatus want, char **out) {
  TRun r;
  t_open(&r, false);
  IxpStatus st = t_run(&r, program);
  cr_assert_eq(st, want, "status %d, wanted %d, for:\n%s\nreports:\n%s", st, want, program, t_err(&r));
  char *err = strdup(t_err(&r));
  if (out) *out = strdup(t_out(&r));
  t_close(&r);
  return err;
}

/* Binary entropy in bits. */
static inline double t_h2(double p) {
  if (p <= 0 || p >= 1) return 0;
  return -(p * log2(p) + (1 - p) * log2(1 - p));
}

#endif
