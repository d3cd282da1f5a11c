/* diag.h — source texts, spans and error reports.
 *
 * Every token and AST node carries a byte span into its source text; line
 * and column are computed only when a report is printed. Reports look like
 *   file.ixp:7:14: error: message
 *       7 | print mi(x; z) in bsc
 *         |             ^
 */
#ifndef IXP_DIAG_H
#define IXP_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
  char *name;   /* file name as given, or "<repl>", "<prelude>" */
  char *text;   /* whole text, NUL-terminated */
  size_t len;
} IxpSource;

typedef struct {
  uint32_t start, end;  /* byte offsets, end exclusive */
} IxpSpan;

typedef struct {
  FILE *out;       /* where reports go (stderr by default) */
  int errors;      /* number of errors reported */
  int max_errors;  /* stop reporting after this many (0 = no limit) */
} IxpDiag;

/* Load a file into a new source, without a leading UTF-8 byte order mark;
 * NULL (errno set, EISDIR for a folder) if it cannot be read. */
IxpSource *ixp_source_load(const char *path);
/* A source over a copy of `text` called `name`. */
IxpSource *ixp_source_new(const char *name, const char *text, size_t len);
/* The length of a UTF-8 byte order mark at the start of text (3), or 0:
 * a source skips it. */
size_t ixp_source_bom_len(const char *text, size_t len);
void ixp_source_free(IxpSource *src);

/* 1-based line and column (in bytes) of byte offset `pos` in `src`. */
void ixp_source_position(const IxpSource *src, uint32_t pos, int *line, int *col);

IxpSpan ixp_span_join(IxpSpan a, IxpSpan b);

/* Print `file:line:col: error: message`, the source line and a caret line
 * under `span`. */
void ixp_diag_error(IxpDiag *d, const IxpSource *src, IxpSpan span, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void ixp_diag_verror(IxpDiag *d, const IxpSource *src, IxpSpan span, const char *fmt, va_list ap);
/* Same shape, severity "note" (does not count as an error). */
void ixp_diag_note(IxpDiag *d, const IxpSource *src, IxpSpan span, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Same shape, severity "warning" (does not count as an error). */
void ixp_diag_warning(IxpDiag *d, const IxpSource *src, IxpSpan span, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* An error without a source position: `ixp: error: message`. */
void ixp_diag_plain(IxpDiag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
