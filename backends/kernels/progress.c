/* progress.c — the progress bar. */
#include "progress.h"

#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int depth;       /* nested work: only the outermost draws */
static FILE *drawn_on;  /* where a bar is on screen now */
static int drawn_width; /* and how many columns it took */
static volatile sig_atomic_t stopping;

void ixp_progress_stop(void) { stopping = 1; }
bool ixp_progress_stopping(void) { return stopping != 0; }

static void erase(FILE *out) {
  fprintf(out, "\r%*s\r", drawn_width, "");
  fflush(out);
  drawn_on = NULL;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void ixp_progress_reset(void) {
  depth = 0;
  stopping = 0;
  if (drawn_on) erase(drawn_on);
}

void ixp_progress_begin(IxpProgress *p, const char *what, uint64_t total, FILE *out) {
  memset(p, 0, sizeof *p);
  p->level = depth++;
  if (p->level > 0) return;
  p->out = out ? out : isatty(STDERR_FILENO) ? stderr : NULL;
  p->what = what;
  p->total = total ? total : 1;
  p->start = p->last = now();
}

static void draw(IxpProgress *p, uint64_t done, double t) {
  enum { WIDTH = 30 };
  double f = done >= p->total ? 1 : (double)done / (double)p->total;
  int fill = (int)(f * WIDTH);
  char bar[WIDTH + 1];
  for (int i = 0; i < WIDTH; i++) bar[i] = i < fill ? '#' : '.';
  bar[WIDTH] = '\0';
  double elapsed = t - p->start, left = f > 0 ? elapsed * (1 - f) / f : 0;
  drawn_width = fprintf(p->out, "\r%s [%s] %3d%%  %.0fs elapsed, ~%.0fs left ", p->what, bar, (int)(100 * f), elapsed, left);
  fflush(p->out);
  drawn_on = p->out;
}

void ixp_progress_update(IxpProgress *p, uint64_t done) {
  if (!p->out) return;
  double t = now();
  if (t - p->start < 0.5 || t - p->last < 0.1) return;
  p->last = t;
  draw(p, done, t);
}

void ixp_progress_end(IxpProgress *p) {
  depth = p->level;
  if (p->out && drawn_on == p->out) erase(p->out);
  memset(p, 0, sizeof *p);
}
