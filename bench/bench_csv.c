/* bench_csv.c — loading a numeric CSV (dataset.h): 1e6 rows x 4 columns
 * (two integer, two real), the best of 3 loads, against a plain reader
 * that splits each line with strchr and converts every field with strtod
 * (no quoting, no typing, no error checks: the least any loader does).
 * Ratio < 1: faster than the plain reader. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dataset.h"
#include "timing.h"

/* The plain reader: fields to doubles, column by column; the sum checks it read them all. */
static double plain_load(const char *path, long rows, double *cols[4]) {
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  char line[256];
  if (!fgets(line, sizeof line, f)) return -1;  /* the header */
  double sum = 0;
  for (long i = 0; i < rows && fgets(line, sizeof line, f); i++) {
    char *p = line;
    for (int c = 0; c < 4; c++) {
      cols[c][i] = strtod(p, NULL);
      sum += cols[c][i];
      char *comma = strchr(p, ',');
      p = comma ? comma + 1 : p;
    }
  }
  fclose(f);
  return sum;
}

int main(void) {
  const long rows = 1000000;
  char path[] = "/tmp/ixp_bench_csv_XXXXXX";
  int fd = mkstemp(path);
  FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
  if (!f) {
    perror("bench_csv");
    return 1;
  }
  fputs("a,b,c,d\n", f);
  for (long i = 0; i < rows; i++) fprintf(f, "%ld,%.6f,%ld,%.3e\n", i, i * 0.001, i % 7, i * 1.5);
  fclose(f);
  double *cols[4];
  for (int c = 0; c < 4; c++) cols[c] = malloc(sizeof(double) * (size_t)rows);
  double best_ixp = 1e30, best_plain = 1e30, sum = 0;
  for (int r = 0; r < 3; r++) {
    double t0 = now();
    IxpDataset *d = NULL;
    IxpDataError e;
    if (!ixp_csv_load(path, NULL, &d, &e)) {
      fprintf(stderr, "bench_csv: %s\n", e.message);
      return 1;
    }
    double t1 = now();
    ixp_dataset_free(d);
    sum = plain_load(path, rows, cols);
    double t2 = now();
    if (t1 - t0 < best_ixp) best_ixp = t1 - t0;
    if (t2 - t1 < best_plain) best_plain = t2 - t1;
  }
  printf("CSV load, 1e6 rows x 4 numeric columns (best of 3):\n");
  printf("  ixp_csv_load %10.3f s   plain strtod reader %8.3f s   ratio %.2f   (checksum %.6g)\n", best_ixp,
         best_plain, best_ixp / best_plain, sum);
  for (int c = 0; c < 4; c++) free(cols[c]);
  unlink(path);
  return 0;
}
