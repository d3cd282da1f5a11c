/* diag.c — error reports with a source line and a caret under the span. */
#include "diag.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

IxpSource *ixp_source_new(const char *name, const char *text, size_t len) {
  IxpSource *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->name = strdup(name);
  s->text = malloc(len + 1);
  if (!s->name || !s->text) {
    ixp_source_free(s);
    return NULL;
  }
  memcpy(s->text, text, len);
  s->text[len] = '\0';
  s->len = len;
  return s;
}

/* A UTF-8 byte order mark, which some editors put at the start of a file. */
size_t ixp_source_bom_len(const char *text, size_t len) {
  return len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3) ? 3 : 0;
}

IxpSource *ixp_source_load(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  struct stat st;
  if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
    fclose(f);
    errno = EISDIR;
    return NULL;
  }
  char *buf = NULL;
  size_t len = 0, cap = 0, got;
  do {
    if (len + 4096 > cap) {
      cap = cap ? cap * 2 : 8192;
      char *nb = realloc(buf, cap);
      if (!nb) {
        free(buf);
        fclose(f);
        errno = ENOMEM;
        return NULL;
      }
      buf = nb;
    }
    got = fread(buf + len, 1, cap - len, f);
    len += got;
  } while (got > 0);
  int bad = ferror(f);
  fclose(f);
  if (bad) {
    free(buf);
    errno = EIO;
    return NULL;
  }
  size_t skip = buf ? ixp_source_bom_len(buf, len) : 0;
  IxpSource *s = ixp_source_new(path, buf ? buf + skip : "", len - skip);
  free(buf);
  return s;
}

void ixp_source_free(IxpSource *src) {
  if (!src) return;
  free(src->name);
  free(src->text);
  free(src);
}

/* A UTF-8 continuation byte: not the start of a character. */
static int continuation(char c) { return ((unsigned char)c & 0xC0) == 0x80; }

/* Columns count characters (UTF-8), not bytes. */
void ixp_source_position(const IxpSource *src, uint32_t pos, int *line, int *col) {
  int l = 1, c = 1;
  if (pos > src->len) pos = (uint32_t)src->len;
  for (size_t i = 0; i < pos; i++) {
    if (src->text[i] == '\n') {
      l++;
      c = 1;
    } else if (!continuation(src->text[i])) {
      c++;
    }
  }
  *line = l;
  *col = c;
}

IxpSpan ixp_span_join(IxpSpan a, IxpSpan b) {
  IxpSpan s = {a.start < b.start ? a.start : b.start, a.end > b.end ? a.end : b.end};
  return s;
}

/* Lines longer than this are echoed as a window around the caret, so an
 * error on a huge generated line prints a screenful, not the whole line. */
enum { LINE_MAX_ECHO = 200, WINDOW_BEFORE = 80, WINDOW_AFTER = 100 };

typedef struct {
  size_t from, to;   /* the bytes of the line that are echoed */
  const char *lead, *trail;  /* "..." where the line was cut */
} Window;

static Window echo_window(const IxpSource *src, size_t bol, size_t eol, size_t start) {
  Window w = {bol, eol, "", ""};
  if (eol - bol <= LINE_MAX_ECHO) return w;
  if (start > bol + WINDOW_BEFORE) w.from = start - WINDOW_BEFORE;
  if (start + WINDOW_AFTER < eol) w.to = start + WINDOW_AFTER;
  while (w.from > bol && continuation(src->text[w.from])) w.from--;
  while (w.to < eol && continuation(src->text[w.to])) w.to++;
  if (w.from > bol) w.lead = "...";
  if (w.to < eol) w.trail = "...";
  return w;
}

/* Print the source line holding span.start (or a window of it) and a caret
 * line under the part of the span that lies on what is shown. */
static void excerpt(FILE *out, const IxpSource *src, IxpSpan span, int line) {
  size_t bol = span.start > src->len ? src->len : span.start;
  while (bol > 0 && src->text[bol - 1] != '\n') bol--;
  size_t eol = bol;
  while (eol < src->len && src->text[eol] != '\n') eol++;
  size_t start = span.start > eol ? eol : span.start;
  Window w = echo_window(src, bol, eol, start);
  fprintf(out, "%5d | %s%.*s%s\n      | %*s", line, w.lead, (int)(w.to - w.from), src->text + w.from, w.trail,
          (int)strlen(w.lead), "");
  for (size_t i = w.from; i < start; i++)
    if (!continuation(src->text[i])) fputc(src->text[i] == '\t' ? '\t' : ' ', out);
  size_t end = span.end > w.to ? w.to : span.end;
  fputc('^', out);
  for (size_t i = start + 1; i < end; i++)
    if (!continuation(src->text[i])) fputc('~', out);
  fputc('\n', out);
}

static void report(IxpDiag *d, const char *severity, const IxpSource *src, IxpSpan span,
                   const char *fmt, va_list ap) {
  FILE *out = d && d->out ? d->out : stderr;
  int line = 0, col = 0;
  if (src) {
    ixp_source_position(src, span.start, &line, &col);
    fprintf(out, "%s:%d:%d: %s: ", src->name, line, col, severity);
  } else {
    fprintf(out, "ixp: %s: ", severity);
  }
  vfprintf(out, fmt, ap);
  fputc('\n', out);
  if (src) excerpt(out, src, span, line);
}

void ixp_diag_verror(IxpDiag *d, const IxpSource *src, IxpSpan span, const char *fmt, va_list ap) {
  if (d) {
    d->errors++;
    if (d->max_errors && d->errors > d->max_errors) return;
  }
  report(d, "error", src, span, fmt, ap);
}

void ixp_diag_error(IxpDiag *d, const IxpSource *src, IxpSpan span, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ixp_diag_verror(d, src, span, fmt, ap);
  va_end(ap);
}

void ixp_diag_note(IxpDiag *d, const IxpSource *src, IxpSpan span, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  report(d, "note", src, span, fmt, ap);
  va_end(ap);
}

void ixp_diag_warning(IxpDiag *d, const IxpSource *src, IxpSpan span, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  report(d, "warning", src, span, fmt, ap);
  va_end(ap);
}

void ixp_diag_plain(IxpDiag *d, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  if (d) d->errors++;
  report(d, "error", NULL, (IxpSpan){0, 0}, fmt, ap);
  va_end(ap);
}
