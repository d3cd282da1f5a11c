/* threads.c — the threads a parallel piece of work gets (threads.h). */
#include "threads.h"

#include <dirent.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int budget = 0; /* 0: not set, every core (omp_get_max_threads, at most the cores) */
static bool watch_load = true;

/* How long a reading of the machine's load is trusted. */
#define LOAD_TTL_NS 20000000L

void ixp_threads_set_budget(int n) { budget = n < 1 ? 1 : n; }

int ixp_threads_budget(void) {
  if (budget) return budget;
  int threads = omp_get_max_threads(), procs = omp_get_num_procs();
  return threads < procs ? threads : procs;
}
void ixp_threads_watch_load(bool watch) { watch_load = watch; }

/* Tasks runnable on the machine now (the "R" of /proc/loadavg's "R/T"),
 * -1 if unknown. */
static int machine_runnable(void) {
  FILE *f = fopen("/proc/loadavg", "r");
  if (!f) return -1;
  int r = -1;
  if (fscanf(f, "%*f %*f %*f %d", &r) != 1) r = -1;
  fclose(f);
  return r;
}

/* This process's threads runnable now: a team may still be spinning
 * after its last region, and is not another process's load. */
static int own_runnable(void) {
  DIR *dir = opendir("/proc/self/task");
  if (!dir) return 1;
  int n = 0;
  for (struct dirent *e; (e = readdir(dir));) {
    if (e->d_name[0] == '.') continue;
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/self/task/%.20s/stat", e->d_name);
    FILE *f = fopen(path, "r");
    if (!f) continue;
    size_t len = fread(line, 1, sizeof line - 1, f);
    fclose(f);
    line[len] = 0;
    const char *state = strrchr(line, ')');  /* the name may hold spaces and ')' */
    if (state && state[1] == ' ' && state[2] == 'R') n++;
  }
  closedir(dir);
  return n > 0 ? n : 1;
}

/* Cores with nothing runnable on them but this process's threads. */
static int idle_cores(void) {
  static _Thread_local struct timespec read_at;
  static _Thread_local int idle = -1;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
  long age = (now.tv_sec - read_at.tv_sec) * 1000000000L + (now.tv_nsec - read_at.tv_nsec);
  if (idle < 0 || age < 0 || age > LOAD_TTL_NS) {
    int runnable = machine_runnable(), others = runnable < 0 ? 0 : runnable - own_runnable();
    idle = omp_get_num_procs() - (others > 0 ? others : 0);
    read_at = now;
  }
  return idle;
}

int ixp_threads_for(double work, double min_work) {
  int most = ixp_threads_budget();
  if (most <= 1 || !(work >= min_work) || omp_in_parallel()) return 1;
  if (!watch_load) return most;
  int idle = idle_cores();
  return idle < 2 ? 1 : (idle < most ? idle : most);
}
