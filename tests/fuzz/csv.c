/* csv.c — fuzzing harness of the CSV reader (ixp_csv_load): the input is
 * a file's bytes, read with the default options, without a header, with
 * ';' as delimiter, and with the columns it was found to have selected in
 * reverse order and read as strings. Every loaded column is then scanned
 * the way the checker and the estimators read it. */
#include <stdlib.h>

#include "dataset.h"
#include "fuzz.h"

/* Read every value and label of d, so a column left short is found. */
static void touch_columns(const IxpDataset *d) {
  volatile double sum = 0;
  for (int j = 0; j < d->ncols; j++) {
    const IxpColumn *c = &d->cols[j];
    if (c->kind == IXP_COL_STRING) {
      for (long i = 0; i < d->nrows; i++) sum += c->labels[c->code[i]][0];
    } else {
      ixp_column_first_nonfinite(c, d->nrows);
      for (long i = 0; i < d->nrows; i++) sum += c->value[i];
    }
  }
  (void)sum;
}

static IxpDataset *load(const char *path, const IxpCsvOptions *opt) {
  IxpDataset *d = NULL;
  IxpDataError err;
  if (!ixp_csv_load(path, opt, &d, &err)) return NULL;
  touch_columns(d);
  return d;
}

/* The columns of d, last first, selected and read as strings. */
static void reload_selected(const char *path, const IxpDataset *d) {
  if (d->ncols > 64) return;
  const char *names[64];
  for (int j = 0; j < d->ncols; j++) names[j] = d->cols[d->ncols - 1 - j].name;
  IxpCsvOptions opt = {.select = names, .nselect = d->ncols, .as_string = names, .nas_string = d->ncols / 2};
  ixp_dataset_free(load(path, &opt));
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc, (void)argv;
  ixp_fuzz_one_thread();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = ixp_fuzz_file(data, size);
  IxpDataset *d = load(path, &(IxpCsvOptions){0});
  if (d) reload_selected(path, d);
  ixp_dataset_free(d);
  ixp_dataset_free(load(path, &(IxpCsvOptions){.no_header = true}));
  ixp_dataset_free(load(path, &(IxpCsvOptions){.delimiter = ';'}));
  return 0;
}
