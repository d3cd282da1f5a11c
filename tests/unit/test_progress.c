/* test_progress.c — the progress bar: silent for short work, drawn after
 * half a second, only for the outermost work, erased at the end. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "progress.h"

static void wait_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&t, NULL);
}

Test(progress, silent_when_short_drawn_when_long_and_erased) {
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  IxpProgress p, inner;
  ixp_progress_reset();
  ixp_progress_begin(&p, "work", 100, out);
  ixp_progress_update(&p, 10);
  fflush(out);
  cr_assert_eq(len, 0, "drawn before half a second: %s", buf);
  wait_ms(600);
  ixp_progress_begin(&inner, "inner", 10, out);  /* nested: never drawn */
  ixp_progress_update(&inner, 5);
  ixp_progress_end(&inner);
  ixp_progress_update(&p, 50);
  fflush(out);
  cr_assert(strstr(buf, "work [###############...............]  50%"), "%s", buf);
  cr_assert_null(strstr(buf, "inner"), "%s", buf);
  ixp_progress_end(&p);
  fflush(out);
  cr_assert_eq(buf[len - 1], '\r', "the bar is erased at the end");
  fclose(out);
  free(buf);
}

Test(progress, stop_is_cleared_by_reset) {
  ixp_progress_reset();
  cr_assert_not(ixp_progress_stopping());
  ixp_progress_stop();
  cr_assert(ixp_progress_stopping());
  ixp_progress_reset();
  cr_assert_not(ixp_progress_stopping());
}
