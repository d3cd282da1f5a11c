/* repl.c — the interactive loop on libedit, after Lua's lua.c.
 *
 * On a terminal: a banner, `ixp> ` and `...> ` prompts, entries accumulated
 * line by line until the session no longer calls them incomplete, history
 * in ~/.ixp_history, Tab completion of names, `:` commands, and Ctrl-C that
 * interrupts a running evaluation (twice: exits) or discards the entry at
 * the prompt. Otherwise stdin is read whole and run as one script. */
#include "repl.h"
#include "diag.h"
#include "grow.h"

#include <editline/readline.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROMPT "ixp> "
#define PROMPT2 "...> "
#define HISTORY_FILE ".ixp_history"
#define HISTORY_MAX 1000
#define WORD_BREAKS " \t\n\"'()[]{},;|+-*/^=<>!~."

/* What a SIGINT means: the states of the loop as the handler sees them. */
enum { AT_PROMPT, PROMPT_INTERRUPTED, RUNNING, RUN_INTERRUPTED };

static volatile sig_atomic_t sigint_state = AT_PROMPT;
static IxpSession *repl_session;  /* for the handler, and for completion */

/* A growing string: one entry, or all of stdin. */
typedef struct {
  char *text;
  size_t len, cap;
} Buf;

/* Append n bytes to b; false if out of memory. */
static bool buf_add(Buf *b, const char *p, size_t n) {
  if (!ixp_grow_size(&b->text, &b->cap, b->len + n + 1, 1)) return false;
  memcpy(b->text + b->len, p, n);
  b->len += n;
  b->text[b->len] = '\0';
  return true;
}

/* ------------------------------------------------------------------ signals */

/* SIGINT: interrupt a running evaluation, exit on a second one while it
 * still runs (default action, re-raised), or mark the prompt interrupted. */
static void on_sigint(int sig) {
  if (sigint_state == RUNNING) {
    sigint_state = RUN_INTERRUPTED;
    ixp_session_interrupt(repl_session);
    ssize_t done = write(STDERR_FILENO, "\n", 1);  /* after the terminal's ^C */
    (void)done;
  } else if (sigint_state == RUN_INTERRUPTED) {
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    raise(sig);
  } else {
    sigint_state = PROMPT_INTERRUPTED;
  }
}

/* Install the SIGINT handler. At the prompt it must not restart read(2),
 * so that readline returns; while running it restarts interrupted I/O. */
static void arm_sigint(bool restart, struct sigaction *old) {
  struct sigaction sa = {.sa_handler = on_sigint, .sa_flags = restart ? SA_RESTART : 0};
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, old);
}

/* Mark the start of an evaluation: Ctrl-C now interrupts it. */
static void begin_run(void) {
  arm_sigint(true, NULL);
  sigint_state = RUNNING;
}

/* Mark the end of an evaluation: back to the prompt. */
static void end_run(void) {
  fflush(stdout);
  sigint_state = AT_PROMPT;
  arm_sigint(false, NULL);
}

/* --------------------------------------------------------------- completion */

static const char *const commands[] = {":help", ":load", ":vars", ":explain", ":quit", NULL};

/* Distinct completion candidates. */
typedef struct {
  const char **names;
  int n, cap;
} Names;

/* Collect a name offered by the session, once (ctx is a Names). */
static void collect_name(const char *name, void *ctx) {
  Names *c = ctx;
  for (int i = 0; i < c->n; i++)
    if (!strcmp(c->names[i], name)) return;
  if (!ixp_grow(&c->names, &c->cap, c->n + 1, sizeof *c->names)) return;  /* the name is not offered */
  c->names[c->n++] = name;
}

/* The state-th distinct name in scope starting with text, or NULL: a
 * readline generator. It recomputes the list on each call, which keeps it
 * free of state between calls (the lists are a few hundred names). */
static char *complete_name(const char *text, int state) {
  Names c = {0};
  ixp_session_complete(repl_session, text, collect_name, &c);
  char *match = state < c.n ? strdup(c.names[state]) : NULL;
  free(c.names);
  return match;
}

/* The state-th command starting with text, or NULL: a readline generator. */
static char *complete_command(const char *text, int state) {
  size_t n = strlen(text);
  for (int i = 0; commands[i]; i++)
    if (!strncmp(commands[i], text, n) && state-- == 0) return strdup(commands[i]);
  return NULL;
}

/* Where the file name of a `:load` line begins, or NULL for other lines. */
static const char *load_argument(const char *line) {
  line += strspn(line, " \t");
  if (strncmp(line, ":load", 5) || !line[5] || !strchr(" \t", line[5])) return NULL;
  return line + 5 + strspn(line + 5, " \t");
}

/* Append '/' to a malloc'd name unless it ends with one; false if out of memory. */
static bool add_slash(char **name) {
  size_t n = strlen(*name);
  if (n && (*name)[n - 1] == '/') return true;
  char *dir = realloc(*name, n + 2);
  if (!dir) return false;
  strcpy(dir + n, "/");
  *name = dir;
  return true;
}

/* Drop the first n bytes of each match. */
static void cut_matches(char **m, size_t n) {
  for (int i = 0; m && m[i]; i++) {
    size_t len = strlen(m[i]);
    memmove(m[i], m[i] + (n < len ? n : len), len - (n < len ? n : len) + 1);
  }
}

/* File names after `:load`; a lone directory gets a '/' instead of a space.
 * The word libedit gives is cut at '/' or '.', so the whole name from arg to
 * the cursor is completed, and the part before the word cut from the
 * matches. (A lone match comes as {match, NULL}, or in libedit as
 * {match, match, NULL}.) */
static char **complete_file(const char *line, const char *arg, int start, int end) {
  if (arg > line + start) arg = line + start;
  char *name = strndup(arg, (size_t)(line + end - arg));
  char **m = name ? rl_completion_matches(name, rl_filename_completion_function) : NULL;
  free(name);
  struct stat st;
  bool lone = m && (!m[1] || (!m[2] && !strcmp(m[0], m[1])));
  if (lone && stat(m[0], &st) == 0 && S_ISDIR(st.st_mode)) {
    for (int i = 0; m[i]; i++)
      if (!add_slash(&m[i])) break;
    rl_completion_append_character = '\0';
  }
  cut_matches(m, (size_t)(line + start - arg));
  return m;
}

/* Tab: commands at the start of the line, file names after `:load`,
 * otherwise names in scope. */
static char **complete(const char *text, int start, int end) {
  rl_attempted_completion_over = 1;  /* no fallback to file names */
  rl_completion_append_character = ' ';
  const char *line = rl_line_buffer ? rl_line_buffer : "";
  size_t lead = strspn(line, " \t");
  if (line[lead] == ':' && (size_t)start == lead) return rl_completion_matches(text, complete_command);
  const char *arg = load_argument(line);
  if (arg) return complete_file(line, arg, start, end);
  return rl_completion_matches(text, complete_name);
}

/* ------------------------------------------------------------------ history */

/* The history file, $HOME/.ixp_history (malloc'd), or NULL without HOME. */
static char *history_path(void) {
  const char *home = getenv("HOME");
  if (!home || !*home) return NULL;
  size_t n = strlen(home) + sizeof "/" HISTORY_FILE;
  char *path = malloc(n);
  if (path) snprintf(path, n, "%s/%s", home, HISTORY_FILE);
  return path;
}

/* Set up line editing: completion, word breaks, capped history loaded from
 * path (if any). */
static void editor_open(const char *path) {
  rl_readline_name = "ixp";
  rl_attempted_completion_function = complete;
  rl_completion_entry_function = complete_name;
  rl_basic_word_break_characters = WORD_BREAKS;
  using_history();
  stifle_history(HISTORY_MAX);
  if (path) read_history(path);
}

/* Save the history to path (if any). */
static void editor_close(const char *path) {
  if (path && write_history(path) != 0)
    fprintf(stderr, "ixp: warning: cannot write history to '%s'\n", path);
}

/* ----------------------------------------------------------------- commands */

static const char help_text[] =
    "statements:\n"
    "  let NAME = EXPR                  define a value\n"
    "  model NAME(P = V, ...) { ... }   a model: 'x ~ bernoulli(p)' draws, 'y = EXPR' defines\n"
    "  model NAME = table (a, b) { ... }  a model given by rows '0 1 : 1/2'\n"
    "  print EXPR, ...                  print values\n"
    "  expect A == B within TOL         check a result (also <=, >=, <, >)\n"
    "  sweep NAME in A .. B step S { emit EXPR as COL, ... } [to \"FILE.csv\"]\n"
    "  experiment \"TITLE\"  seed N  units bits|nats\n"
    "  EXPR                             at the prompt: print its value\n"
    "  data NAME = csv(\"F\") | npy(\"F\") | sample(MODEL, N) | map(DATA, f(x0 .. x3))\n"
    "  extern \"LIB.so\" { fn f(x: f64, v: const f64[n, 4]) -> f64 }   C functions (libffi)\n"
    "measures, as MEASURE(...) in MODEL, in MODEL(P = V), or in DATA using ESTIMATOR:\n"
    "  entropy(X | Y)  mi(X; Y | Z)  tc(X1, X2, ...)  dtc(X1, X2, ...)\n"
    "  coinfo(X1, X2, ...)  oinfo(X1, X2, ...)  kl(P || Q)  pid(A, B -> T) using broja\n"
    "  rd(X, distortion = hamming) at D = d  ib(X; Y, beta = b)  capacity(X -> Y)\n"
    "  estimators: plugin miller_madow grassberger shrink chao_shen nsb ksg kl gaussian\n"
    "commands:\n"
    "  :help                            this summary\n"
    "  :load FILE                       run a file in this session\n"
    "  :vars                            list your lets and models\n"
    "  :explain EXPR                    print the plan of kernels for EXPR, not its value\n"
    "  :quit, :q                        leave (so does Ctrl-D)\n"
    "Tab completes names; Ctrl-C interrupts an evaluation (twice: exits).\n";

/* :help */
static void cmd_help(IxpSession *s, const char *arg) {
  (void)s, (void)arg;
  fputs(help_text, stdout);
}

/* :load FILE */
static void cmd_load(IxpSession *s, const char *arg) {
  if (!*arg) {
    fputs("ixp: error: :load needs a file name\n", stderr);
    return;
  }
  begin_run();
  ixp_session_run_file(s, arg);
  end_run();
}

/* :vars */
static void cmd_vars(IxpSession *s, const char *arg) {
  (void)arg;
  ixp_session_print_vars(s, stdout);
}

/* :explain EXPR */
static void cmd_explain(IxpSession *s, const char *arg) {
  if (!*arg) {
    fputs("ixp: error: :explain needs an expression, as in :explain mi(x; y) in bsc\n", stderr);
    return;
  }
  begin_run();
  ixp_session_explain(s, "<repl>", arg, strlen(arg));
  end_run();
}

typedef struct {
  const char *name;
  void (*run)(IxpSession *s, const char *arg);  /* NULL: quit */
} Command;

static const Command command_table[] = {
    {"help", cmd_help}, {"load", cmd_load}, {"vars", cmd_vars}, {"explain", cmd_explain},
    {"quit", NULL},     {"q", NULL},        {NULL, NULL},
};

/* Split the command line `:name arg` in place: the name's length and
 * the argument, trimmed (a carriage return counts as a blank); the
 * command, or NULL if there is none of that name. */
static const Command *find_command(char *line, size_t *namelen, char **arg) {
  char *name = line + 1;
  *namelen = strcspn(name, " \t\r");
  *arg = name + *namelen + strspn(name + *namelen, " \t\r");
  for (char *end = *arg + strlen(*arg); end > *arg && strchr(" \t\r", end[-1]); end--) end[-1] = '\0';
  for (const Command *c = command_table; c->name; c++)
    if (strlen(c->name) == *namelen && !strncmp(c->name, name, *namelen)) return c;
  return NULL;
}

/* Run the command line `:name arg`; false if it asks to quit. */
static bool run_command(IxpSession *s, char *line) {
  size_t namelen;
  char *name = line + 1, *arg;
  const Command *c = find_command(line, &namelen, &arg);
  if (c) {
    if (!c->run) return false;
    c->run(s, arg);
    return true;
  }
  fprintf(stderr, "ixp: error: unknown command ':%.*s' (try :help)\n", (int)namelen, name);
  return true;
}

/* -------------------------------------------------------------------- loop */

typedef enum { LINE_OK, LINE_INTERRUPTED, LINE_EOF } LineStatus;

/* Read one line after prompt into *line (malloc'd, without newline). */
static LineStatus read_line(const char *prompt, char **line) {
  sigint_state = AT_PROMPT;
  *line = readline(prompt);
  if (*line && sigint_state != PROMPT_INTERRUPTED) return LINE_OK;
  bool interrupted = sigint_state == PROMPT_INTERRUPTED;
  sigint_state = AT_PROMPT;
  free(*line);
  *line = NULL;
  fputc('\n', stdout);  /* end the prompt's line */
  fflush(stdout);
  return interrupted ? LINE_INTERRUPTED : LINE_EOF;
}

/* True if the line has only blanks. */
static bool blank(const char *line) { return line[strspn(line, " \t\r")] == '\0'; }

/* Run the entry begun by `first`, reading continuation lines while the
 * session finds it incomplete; adds the whole entry to the history.
 * Returns LINE_EOF if input ended mid-entry. */
static LineStatus run_entry(IxpSession *s, const char *first) {
  Buf entry = {0};
  LineStatus ls = buf_add(&entry, first, strlen(first)) ? LINE_OK : LINE_EOF;
  while (ls == LINE_OK) {
    begin_run();
    IxpStatus st = ixp_session_run(s, "<repl>", entry.text, entry.len);
    end_run();
    if (st != IXP_INCOMPLETE) break;
    char *line;
    ls = read_line(PROMPT2, &line);
    if (ls == LINE_EOF) ixp_session_run_script(s, "<repl>", entry.text, entry.len);  /* reports where it ends */
    if (ls == LINE_OK && !(buf_add(&entry, "\n", 1) && buf_add(&entry, line, strlen(line)))) ls = LINE_EOF;
    free(line);
  }
  if (ls != LINE_INTERRUPTED && entry.text) add_history(entry.text);
  free(entry.text);
  return ls;
}

/* Read and handle one entry; false at the end (end of input or :quit). */
static bool repl_step(IxpSession *s) {
  char *line;
  LineStatus ls = read_line(PROMPT, &line);
  if (ls != LINE_OK) return ls == LINE_INTERRUPTED;
  bool go_on = true;
  char *text = line + strspn(line, " \t");
  if (*text == ':') {
    add_history(line);
    go_on = run_command(s, text);
  } else if (!blank(line)) {
    go_on = run_entry(s, line) != LINE_EOF;
  }
  free(line);
  return go_on;
}

/* The interactive loop on a terminal. */
static int run_interactive(IxpSession *s) {
  struct sigaction old;
  char *path = history_path();
  repl_session = s;
  editor_open(path);
  arm_sigint(false, &old);
  printf("ixp %s \xe2\x80\x94 :help for help\n", IXP_VERSION);
  while (repl_step(s)) continue;
  sigaction(SIGINT, &old, NULL);
  editor_close(path);
  free(path);
  return IXP_OK;
}

/* A command line of piped input: :load runs its file and gives its status,
 * :quit ends the script (IXP_INCOMPLETE says so), an unknown command is a
 * usage error, the others run as in the REPL. */
static IxpStatus script_command(IxpSession *s, char *line) {
  size_t namelen;
  char *name = line + 1, *arg;
  const Command *c = find_command(line, &namelen, &arg);
  if (!c) {
    fprintf(stderr, "ixp: error: unknown command ':%.*s' (try :help)\n", (int)namelen, name);
    return IXP_EUSAGE;
  }
  if (c->run == cmd_load && !*arg) {
    fputs("ixp: error: :load needs a file name\n", stderr);
    return IXP_EUSAGE;
  }
  if (c->run == cmd_load) return ixp_session_run_file(s, arg);
  if (!c->run) return IXP_INCOMPLETE;
  c->run(s, arg);
  return IXP_OK;
}

/* Run text[0, len) of the script, which starts on line `first_line`:
 * blank lines in front keep the line numbers of its reports. */
static IxpStatus run_lines(IxpSession *s, const char *text, size_t len, int first_line) {
  Buf b = {0};
  bool ok = buf_add(&b, "", 0);
  for (int i = 1; ok && i < first_line; i++) ok = buf_add(&b, "\n", 1);
  if (!ok || !buf_add(&b, text, len)) {
    free(b.text);
    fputs("ixp: error: out of memory\n", stderr);
    return IXP_ERUNTIME;
  }
  IxpStatus st = ixp_session_run_script(s, "<stdin>", b.text, b.len);
  free(b.text);
  return st;
}

/* Stdin that is not a terminal runs as a script, whole when it has no
 * REPL commands; a line starting with ':' is a command, run between the
 * statements before and after it. The first error stops the script; a
 * failed expectation does not. */
static IxpStatus run_script_text(IxpSession *s, char *text, size_t len) {
  size_t from = 0, pos = 0;
  int line = 1, from_line = 1;
  IxpStatus last = IXP_OK;
  while (pos < len) {
    size_t eol = pos + strcspn(text + pos, "\n");
    size_t lead = strspn(text + pos, " \t");
    if (text[pos + lead] == ':') {
      IxpStatus st = from < pos ? run_lines(s, text + from, pos - from, from_line) : IXP_OK;
      text[eol] = '\0';
      if (st == IXP_OK || st == IXP_EEXPECT) {
        if (st == IXP_EEXPECT) last = st;
        st = script_command(s, text + pos + lead);
      }
      if (st == IXP_INCOMPLETE) return last;  /* :quit */
      if (st != IXP_OK && st != IXP_EEXPECT) return st;
      if (st == IXP_EEXPECT) last = st;
      from = eol + 1;
      from_line = line + 1;
    }
    pos = eol + 1;
    line++;
  }
  if (from > len) return last;  /* the input ended with a command */
  IxpStatus st = run_lines(s, text + from, len - from, from_line);
  return st == IXP_OK ? last : st;
}

static int run_script(IxpSession *s) {
  Buf in = {0};
  char chunk[65536];
  size_t n;
  bool ok = buf_add(&in, "", 0);
  while (ok && (n = fread(chunk, 1, sizeof chunk, stdin)) > 0) ok = buf_add(&in, chunk, n);
  if (!ok || ferror(stdin)) {
    fprintf(stderr, "ixp: error: cannot read standard input: %s\n", ok ? strerror(errno) : "out of memory");
    free(in.text);
    return IXP_EUSAGE;
  }
  size_t bom = ixp_source_bom_len(in.text, in.len);
  IxpStatus st = run_script_text(s, in.text + bom, in.len - bom);
  free(in.text);
  return st;
}

int ixp_repl(IxpSession *s) { return isatty(STDIN_FILENO) ? run_interactive(s) : run_script(s); }
