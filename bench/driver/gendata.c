/* gendata.c — the data of the bench workloads (the .ixp files of bench/workloads),
 * written as float64 .npy files into a build folder so that ixp and the
 * peers (bench/peers/) read the same numbers. Deterministic: a fixed
 * splitmix64 stream per file and Box–Muller normals, so every machine
 * writes the same bytes. A file that already exists is kept.
 *
 * Every file holds `pairs` independent pairs of standard normals with
 * correlation rho; columns 0 .. pairs-1 are the x side and columns
 * pairs .. 2 pairs-1 the y side, so I(X; Y) = -pairs/2 ln(1 - rho^2) nats.
 *
 * usage: gendata DIR [NAME ...]   (no NAME: every file but the long ones) */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
  const char *name; /* file name without .npy */
  long rows;
  int pairs;
  double rho;
  int is_long; /* only written when asked by name */
} DataSpec;

static const DataSpec SPECS[] = {
    {"pair_1e5", 100000, 1, 0.9, 0},     {"pair_1e6", 1000000, 1, 0.9, 0},
    {"gauss64_1e4", 10000, 32, 0.5, 0},  {"ksg55_4000", 4000, 5, 0.5, 0},
    {"ksg55_1e5", 100000, 5, 0.5, 1},    {"ksg2525_1e5", 100000, 25, 0.5, 1},
    {"gauss1000_5e3", 5000, 500, 0.5, 0},
    /* rho 0: 1000 x 1000 independent standard normals, the matrix A of a channel z = A x + n */
    {"channel_1000", 1000, 500, 0.0, 0},
};

static uint64_t splitmix64(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* A uniform double in (0, 1]: never 0, so its logarithm is finite. */
static double uniform01(uint64_t *state) { return (double)((splitmix64(state) >> 11) + 1) * 0x1.0p-53; }

/* Two independent standard normals (Box–Muller). */
static void normal_pair(uint64_t *state, double *a, double *b) {
  double r = sqrt(-2 * log(uniform01(state))), t = 2 * M_PI * uniform01(state);
  *a = r * cos(t);
  *b = r * sin(t);
}

/* The .npy v1.0 header of a C-order float64 array rows x cols, padded
 * with blanks to a multiple of 64 bytes and ended by a newline. */
static void write_header(FILE *f, long rows, int cols) {
  char dict[128];
  int n = snprintf(dict, sizeof dict, "{'descr': '<f8', 'fortran_order': False, 'shape': (%ld, %d), }", rows, cols);
  size_t total = 10 + (size_t)n + 1, padded = (total + 63) / 64 * 64;
  unsigned short hlen = (unsigned short)(padded - 10);
  fwrite("\x93NUMPY\x01\x00", 1, 8, f);
  fputc(hlen & 0xff, f);
  fputc(hlen >> 8, f);
  fputs(dict, f);
  for (size_t k = total; k < padded; k++) fputc(' ', f);
  fputc('\n', f);
}

/* Write one spec's file into dir (through a temporary, renamed). */
static int write_spec(const char *dir, const DataSpec *s) {
  char path[4096], tmp[4200];
  snprintf(path, sizeof path, "%s/%s.npy", dir, s->name);
  struct stat st;
  if (stat(path, &st) == 0) return 0;
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "wb");
  if (!f) {
    perror(tmp);
    return 1;
  }
  write_header(f, s->rows, 2 * s->pairs);
  uint64_t state = UINT64_C(0x1234567) ^ ((uint64_t)s->rows << 8) ^ (uint64_t)s->pairs;
  double c = sqrt(1 - s->rho * s->rho), *row = malloc(2 * (size_t)s->pairs * sizeof *row);
  if (!row) {
    fclose(f);
    return 1;
  }
  for (long r = 0; r < s->rows; r++) {
    for (int j = 0; j < s->pairs; j++) {
      double a, b;
      normal_pair(&state, &a, &b);
      row[j] = a;
      row[s->pairs + j] = s->rho * a + c * b;
    }
    fwrite(row, sizeof(double), (size_t)(2 * s->pairs), f);
  }
  free(row);
  if (fclose(f) != 0 || rename(tmp, path) != 0) {
    perror(path);
    return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: gendata DIR [NAME ...]\n");
    return 2;
  }
  mkdir(argv[1], 0777);
  int bad = 0, nspecs = (int)(sizeof SPECS / sizeof SPECS[0]);
  for (int k = 0; k < nspecs; k++) {
    int asked = argc == 2 && !SPECS[k].is_long;
    for (int a = 2; a < argc; a++) asked |= strcmp(argv[a], SPECS[k].name) == 0;
    if (asked) bad |= write_spec(argv[1], &SPECS[k]);
  }
  return bad;
}
