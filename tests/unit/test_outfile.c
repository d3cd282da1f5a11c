/* test_outfile.c — unit tests of interp/outfile.c: output files replaced
 * whole through a private temporary, special files written in place.
 *
 * Each test works in a fresh temporary directory, removed afterwards. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "outfile.h"
#include "helpers.h"

static char tdir[64];

static void setup(void) { t_tmpdir_make(tdir, sizeof tdir, "ixp_outfile"); }

static void teardown(void) { t_tmpdir_remove(tdir); }

TestSuite(outfile, .init = setup, .fini = teardown);

static char *tpath(const char *name) { return t_path_in(tdir, name); }

static char *read_text(const char *path) {
  static char buf[256];
  FILE *f = fopen(path, "r");
  cr_assert_not_null(f, "cannot open %s", path);
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  fclose(f);
  return buf;
}

/* Write `text` to `path` through the module; true on success. */
static bool put(const char *path, const char *text) {
  IxpOutFile o;
  char err[256];
  if (!ixp_outfile_open(&o, path, err, sizeof err)) return false;
  fputs(text, o.f);
  return ixp_outfile_close(&o, path, true, err, sizeof err);
}

/* Files in the test directory. */
static int count_files(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", tdir);
  FILE *p = popen(cmd, "r");
  int n = -1;
  cr_assert(fscanf(p, "%d", &n) == 1);
  pclose(p);
  return n;
}

Test(outfile, replaces_a_regular_file_whole_and_keeps_its_mode) {
  t_write_text(tpath("x.csv"), "old\n");
  chmod(tpath("x.csv"), 0640);
  cr_assert(put(tpath("x.csv"), "new\n"));
  cr_assert_str_eq(read_text(tpath("x.csv")), "new\n");
  struct stat st;
  cr_assert(stat(tpath("x.csv"), &st) == 0);
  cr_assert_eq(st.st_mode & 07777, 0640);
  cr_assert_eq(count_files(), 1, "the temporary is left behind");
}

Test(outfile, a_new_file_gets_the_umask_permissions) {
  mode_t old = umask(022);
  cr_assert(put(tpath("new.csv"), "a\n"));
  umask(old);
  struct stat st;
  cr_assert(stat(tpath("new.csv"), &st) == 0);
  cr_assert_eq(st.st_mode & 07777, 0644);
}

/* A symlink planted at the old fixed name PATH.tmp is not followed, and a
 * user's own file of that name is left alone. */
Test(outfile, does_not_touch_path_dot_tmp) {
  t_write_text(tpath("victim"), "precious\n");
  cr_assert(symlink(tpath("victim"), tpath("x.csv.tmp")) == 0);
  t_write_text(tpath("y.csv.tmp"), "mine\n");
  cr_assert(put(tpath("x.csv"), "rows\n"));
  cr_assert(put(tpath("y.csv"), "rows\n"));
  cr_assert_str_eq(read_text(tpath("victim")), "precious\n");
  cr_assert_str_eq(read_text(tpath("y.csv.tmp")), "mine\n");
  cr_assert_str_eq(read_text(tpath("x.csv")), "rows\n");
}

/* A symlink to a regular file stays a link; the file it names is replaced. */
Test(outfile, keeps_a_symlink_to_a_regular_file) {
  t_write_text(tpath("real.json"), "old\n");
  cr_assert(symlink("real.json", tpath("link.json")) == 0);
  cr_assert(put(tpath("link.json"), "new\n"));
  struct stat st;
  cr_assert(lstat(tpath("link.json"), &st) == 0 && S_ISLNK(st.st_mode));
  cr_assert_str_eq(read_text(tpath("real.json")), "new\n");
}

/* A symlink to a device is written through, not replaced. */
Test(outfile, writes_a_device_in_place) {
  cr_assert(symlink("/dev/null", tpath("null")) == 0);
  cr_assert(put(tpath("null"), "gone\n"));
  cr_assert(put("/dev/null", "gone\n"));
  struct stat st;
  cr_assert(lstat(tpath("null"), &st) == 0 && S_ISLNK(st.st_mode));
  cr_assert(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
  cr_assert_eq(count_files(), 1);
}

/* A FIFO stays a FIFO and its reader gets the text. */
Test(outfile, writes_a_fifo_in_place) {
  cr_assert(mkfifo(tpath("fifo"), 0600) == 0);
  char cmd[160];
  snprintf(cmd, sizeof cmd, "timeout 10 cat '%s' > '%s'", tpath("fifo"), tpath("got"));
  FILE *reader = popen(cmd, "w");
  cr_assert(put(tpath("fifo"), "through\n"));
  pclose(reader);
  struct stat st;
  cr_assert(lstat(tpath("fifo"), &st) == 0 && S_ISFIFO(st.st_mode));
  cr_assert_str_eq(read_text(tpath("got")), "through\n");
}

/* A link to /proc/self/fd/1 writes through ixp's own stdout, after what
 * it has already printed there (not from offset 0). */
Test(outfile, writes_stdout_through_its_descriptor) {
  fflush(stdout);
  int saved = dup(1);
  FILE *f = fopen(tpath("out"), "w");
  dup2(fileno(f), 1);
  printf("before\n");
  cr_assert(symlink("/proc/self/fd/1", tpath("stdout")) == 0);
  bool ok = put(tpath("stdout"), "record\n");
  fflush(stdout);
  dup2(saved, 1), close(saved), fclose(f);
  cr_assert(ok);
  cr_assert_str_eq(read_text(tpath("out")), "before\nrecord\n");
  struct stat st;
  cr_assert(lstat(tpath("stdout"), &st) == 0 && S_ISLNK(st.st_mode));
}

Test(outfile, a_failed_write_keeps_the_old_file) {
  t_write_text(tpath("x.csv"), "old\n");
  IxpOutFile o;
  char err[256];
  cr_assert(ixp_outfile_open(&o, tpath("x.csv"), err, sizeof err));
  fputs("half", o.f);
  cr_assert_not(ixp_outfile_close(&o, tpath("x.csv"), false, err, sizeof err));
  cr_assert_str_eq(read_text(tpath("x.csv")), "old\n");
  cr_assert_eq(count_files(), 1);
}

Test(outfile, refuses_a_folder_and_a_missing_folder) {
  IxpOutFile o;
  char err[256];
  cr_assert_not(ixp_outfile_open(&o, tdir, err, sizeof err));
  cr_assert(strstr(err, strerror(EISDIR)), "%s", err);
  cr_assert_not(ixp_outfile_open(&o, tpath("no/x.csv"), err, sizeof err));
  cr_assert(strstr(err, "No such file or directory"), "%s", err);
}

Test(outfile, same_file_by_device_and_inode) {
  t_write_text(tpath("a"), "x");
  cr_assert(link(tpath("a"), tpath("b")) == 0);
  cr_assert(ixp_outfile_same(tpath("a"), tpath("b")));
  char other[300];
  snprintf(other, sizeof other, "%s/./a", tdir);
  cr_assert(ixp_outfile_same(tpath("a"), other));
  cr_assert_not(ixp_outfile_same(tpath("a"), tpath("missing")));
}

Test(outfile, relative_paths_inside_a_folder) {
  cr_assert(ixp_outfile_stays_inside("x.csv"));
  cr_assert(ixp_outfile_stays_inside("sub/../x.csv"));
  cr_assert(ixp_outfile_stays_inside("./a//b/../c"));
  cr_assert_not(ixp_outfile_stays_inside("../x.csv"));
  cr_assert_not(ixp_outfile_stays_inside("sub/../../x.csv"));
  cr_assert_not(ixp_outfile_stays_inside("a/../.."));
}
