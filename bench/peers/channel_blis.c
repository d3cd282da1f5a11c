/* channel_blis.c — the reference of bench/workloads/gaussian_channel_1000.ixp:
 * I(x; z) = 1/2 ln det(I + A A^T) of the channel z = A x + n for the
 * matrix A in a float64 .npy file, computed with no language in between:
 * A A^T by one BLIS GEMM (bli_dgemm, row-major strides), + I, then the
 * library's blocked Cholesky (ixp_dense_chol: LAPACK dpotrf's blocking
 * on BLIS TRSM/SYRK) and 2 sum ln L_jj. Prints `value = X` (nats) as the
 * workloads do. usage: channel_blis FILE.npy */
#include <blis.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dense.h"

/* A C-order float64 .npy file's matrix (rows x cols), or NULL. */
static double *read_npy(const char *path, long *rows, long *cols) {
  FILE *f = fopen(path, "rb");
  unsigned char head[10];
  if (!f || fread(head, 1, 10, f) != 10 || memcmp(head, "\x93NUMPY", 6) != 0) return NULL;
  size_t hlen = (size_t)head[8] | (size_t)head[9] << 8;
  char *dict = calloc(hlen + 1, 1);
  if (!dict || fread(dict, 1, hlen, f) != hlen) return NULL;
  const char *shape = strstr(dict, "'shape': (");
  if (!shape || !strstr(dict, "'<f8'") || sscanf(shape + 10, "%ld, %ld", rows, cols) != 2) return NULL;
  free(dict);
  size_t n = (size_t)*rows * (size_t)*cols;
  double *a = malloc(n * sizeof *a);
  if (!a || fread(a, sizeof *a, n, f) != n) return NULL;
  fclose(f);
  return a;
}

int main(int argc, char **argv) {
  long r, c;
  double *a = argc == 2 ? read_npy(argv[1], &r, &c) : NULL;
  if (!a) {
    fprintf(stderr, "usage: channel_blis FILE.npy (a float64 matrix)\n");
    return 2;
  }
  double *s = malloc((size_t)r * (size_t)r * sizeof *s), one = 1, zero = 0;
  if (!s) return 1;
  bli_dgemm(BLIS_NO_TRANSPOSE, BLIS_TRANSPOSE, r, r, c, &one, a, c, 1, a, c, 1, &zero, s, r, 1);
  for (long i = 0; i < r; i++) s[i * r + i] += 1;
  if (ixp_dense_chol(s, r, r, NULL) != IXP_DENSE_OK) {
    fprintf(stderr, "channel_blis: I + A A^T is not positive definite\n");
    return 1;
  }
  printf("value = %.17g\n", ixp_dense_tri_logdiag(s, r, 0, r));
  free(a);
  free(s);
  return 0;
}
