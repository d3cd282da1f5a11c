/* parser.y — the Lemon grammar of .ixp programs.
 *
 * Statements end at a newline (the lexer drops newlines inside ( ) and
 * [ ]). One statement rule serves files, blocks and model bodies; the
 * checker says which statements are allowed where, with better messages
 * than a parser could. All nodes live in the parse's arena, so no
 * %destructor is needed and a failed parse leaks nothing. */

%include {
#include <assert.h>
#include <stdlib.h>
#include "parse.h"
#define SPAN2(a, b) ixp_span_join((a), (b))

/* The variable a draw or definition makes: a name, or NAME[N] (N into
 * *width); anything else is an error naming `op`. */
static IxpAst *ixp_parse_target(IxpParse *ps, IxpAst *t, IxpAst **width, const char *op) {
  if (t->kind == AST_INDEX && t->a->kind == AST_NAME) {
    *width = t->b;
    return t->a;
  }
  if (t->kind != AST_NAME) {
    ixp_parse_error(ps, t->span, "the left of '%s' is a variable's name, or NAME[N] for a vector of N variables", op);
    IxpAst *n = ixp_ast_new(ps->arena, AST_NAME, t->span);
    n->str = "?";
    return n;
  }
  return t;
}
}

%name ixp_parser
%token_prefix TK_
%token_type {IxpToken}
%extra_context {IxpParse *ps}
/* Deep enough that IXP_MAX_NESTING (parse.h) is what stops deep nesting. */
%stack_size 10000
%start_symbol program

%syntax_error { ixp_parse_syntax_error(ps, yymajor, TOKEN); }
%stack_overflow { ixp_parse_too_deep(ps, ps->token.span); }

/* Tokens only the lexer produces, declared here so they get codes. */
%token NL INT REAL STRING IDENT.

/* Precedence, lowest first. An if-expression's else-branch and a range
 * extend as far right as they can; 'not' binds looser than comparisons
 * (not a == b is not (a == b)); '^' binds tighter than unary minus
 * (-2^2 is -4) and is right-associative. The value of a measure's
 * `at NAME = value` is one term (a number, a name, a call, an indexed or
 * parenthesised expression): `mi(...) in m at D = 0.1 + 1` adds 1 to the
 * measure. Clauses bind to the innermost measure. */
%nonassoc IN.
%nonassoc USING WITH.
%right ELSE.
%nonassoc DOTDOT.
%nonassoc STEP.
%left OR.
%left XOR.
%left AND.
%right NOT.
%nonassoc EQ NE LT LE GT GE.
%left PLUS MINUS.
%left STAR SLASH MOD EMUL.
%right UMINUS.
%right CARET.
%nonassoc AT.
%left DOT LBRACKET.

%type program {IxpAst *}
%type lines {IxpAst *}
%type body {IxpAst *}
%type block {IxpAst *}
%type stmt {IxpAst *}
%type expr {IxpAst *}
%type call {IxpAst *}
%type args {IxpAst *}
%type arg {IxpAst *}
%type exprs {IxpAst *}
%type emits {IxpAst *}
%type emit_item {IxpAst *}
%type plot_opts {IxpAst *}
%type plot_opt {IxpAst *}
%type params {IxpAst *}
%type param {IxpAst *}
%type idents {IxpAst *}
%type source {IxpAst *}
%type clauses {IxpAst *}
%type name {IxpToken}
%type rows {IxpAst *}
%type table_body {IxpAst *}
%type row {IxpAst *}
%type rowvals {IxpAst *}
%type rowval {IxpAst *}
%type sep {IxpToken}
%type fnlines {IxpAst *}
%type pname {IxpToken}
%type fnbody {IxpAst *}
%type fndecl {IxpAst *}
%type cparams {IxpAst *}
%type cparam {IxpAst *}
%type ctype {IxpAst *}
%type dims {IxpAst *}
%type dim {IxpAst *}
%type index {IxpAst *}

/* ---------------------------------------------------------------- program */

program ::= lines(L). { ps->program = L; }

lines(L) ::= . { L = ixp_parse_node(ps, AST_BLOCK, (IxpSpan){0, 0}); }
lines(L) ::= lines(A) NL. { L = A; }
lines(L) ::= lines(A) stmt(S) NL. { L = A; ixp_ast_push(ps->arena, L, ixp_parse_nest(ps, S)); }

body(B) ::= lines(L). { B = L; }
body(B) ::= lines(L) stmt(S). { B = L; ixp_ast_push(ps->arena, B, ixp_parse_nest(ps, S)); }

block(B) ::= LBRACE(L) body(S) RBRACE(R). { B = S; B->span = SPAN2(L.span, R.span); ixp_parse_nest(ps, B); }

/* ------------------------------------------------------------- statements */

stmt(S) ::= EXPERIMENT(K) expr(E). { S = ixp_parse_node(ps, AST_EXPERIMENT, SPAN2(K.span, E->span)); S->a = E; }
stmt(S) ::= SEED(K) expr(E). { S = ixp_parse_node(ps, AST_SEED, SPAN2(K.span, E->span)); S->a = E; }
stmt(S) ::= UNITS(K) IDENT(N). { S = ixp_parse_name(ps, AST_UNITS, N); S->span = SPAN2(K.span, N.span); }
stmt(S) ::= LET(K) IDENT(N) ASSIGN expr(E). {
  S = ixp_parse_name(ps, AST_LET, N); S->a = E; S->span = SPAN2(K.span, E->span); S->d = ixp_parse_name(ps, AST_NAME, N);
}
stmt(S) ::= MODEL(K) name(N) block(B). {
  S = ixp_parse_name(ps, AST_MODEL, N); S->b = B; S->span = SPAN2(K.span, N.span);
}
stmt(S) ::= MODEL(K) name(N) LPAREN params(P) RPAREN block(B). {
  S = ixp_parse_name(ps, AST_MODEL, N); S->b = B; S->span = SPAN2(K.span, N.span);
  S->items = P->items; S->nitems = P->nitems; S->cap = P->cap;
}
/* process NAME { x[t] ~ ... }: a model indexed by time (check_process.c). */
stmt(S) ::= PROCESS(K) IDENT(N) block(B). {
  S = ixp_parse_name(ps, AST_PROCESS, N); S->b = B; S->span = SPAN2(K.span, N.span);
}
stmt(S) ::= PROCESS(K) IDENT(N) LPAREN params(P) RPAREN block(B). {
  S = ixp_parse_name(ps, AST_PROCESS, N); S->b = B; S->span = SPAN2(K.span, N.span);
  S->items = P->items; S->nitems = P->nitems; S->cap = P->cap;
}
stmt(S) ::= MODEL(K) name(N) ASSIGN TABLE LPAREN idents(C) RPAREN LBRACE(L) table_body(R) RBRACE(E). {
  S = ixp_parse_name(ps, AST_MODEL, N); S->span = SPAN2(K.span, N.span);
  S->b = ixp_parse_node(ps, AST_TABLE, SPAN2(L.span, E.span)); S->b->a = C; S->b->b = R;
}
/* model p = table from csv("pmf.csv", prob = "p"): the rows read from a
 * file when the program is checked (check_tablefile.c); str holds the
 * word after 'table', which must be 'from'. */
stmt(S) ::= MODEL(K) name(N) ASSIGN TABLE IDENT(F) call(C). {
  S = ixp_parse_name(ps, AST_MODEL, N); S->span = SPAN2(K.span, C->span);
  S->b = ixp_parse_name(ps, AST_TABLE, F); S->b->span = SPAN2(F.span, C->span); S->b->c = C;
}
stmt(S) ::= MODEL(K) name(N) LPAREN params(P) RPAREN ASSIGN TABLE LPAREN idents(C) RPAREN LBRACE(L) table_body(R) RBRACE(E). {
  S = ixp_parse_name(ps, AST_MODEL, N); S->span = SPAN2(K.span, N.span);
  S->items = P->items; S->nitems = P->nitems; S->cap = P->cap;
  S->b = ixp_parse_node(ps, AST_TABLE, SPAN2(L.span, E.span)); S->b->a = C; S->b->b = R;
}
/* x ~ dist(...), and x[N] ~ dist(...): a vector of N variables (b = N). A
 * target is an expression here only so that x[N] needs no lookahead past
 * the name; anything else is refused. */
stmt(S) ::= expr(T) TILDE call(C). {
  S = ixp_parse_node(ps, AST_DRAW, SPAN2(T->span, C->span)); S->a = C;
  ixp_ast_push(ps->arena, S, ixp_parse_target(ps, T, &S->b, "~"));
}
/* a, b ~ normal(mean, cov): one draw of a vector into several variables. */
stmt(S) ::= IDENT(N) COMMA idents(L) TILDE call(C). {
  S = ixp_parse_node(ps, AST_DRAW, SPAN2(N.span, C->span)); S->a = C;
  ixp_ast_push(ps->arena, S, ixp_parse_name(ps, AST_NAME, N));
  for (int i = 0; i < L->nitems; i++) ixp_ast_push(ps->arena, S, L->items[i]);
}
/* y = expr, and y[N] = expr: a vector definition of N variables (b = N). */
stmt(S) ::= expr(T) ASSIGN expr(E). {
  S = ixp_parse_node(ps, AST_DEFINE, SPAN2(T->span, E->span)); S->a = E;
  S->d = ixp_parse_target(ps, T, &S->b, "="); S->str = S->d->str;
}
stmt(S) ::= CURVE(K) IDENT(N) ASSIGN expr(E). {
  S = ixp_parse_name(ps, AST_LET, N); S->a = E; S->span = SPAN2(K.span, E->span); S->d = ixp_parse_name(ps, AST_NAME, N);
  S->op = OP_NONE; S->c = S->d;  /* c marks a curve: its value must be a table */
}
stmt(S) ::= DATA(K) IDENT(N) ASSIGN call(C). {
  S = ixp_parse_name(ps, AST_DATA, N); S->a = C; S->span = SPAN2(K.span, C->span);
}
/* data s = d[x0 .. x3, y]: columns of a dataset, read as select(d, x0 .. x3, y). */
stmt(S) ::= DATA(K) IDENT(N) ASSIGN IDENT(D) LBRACKET exprs(L) RBRACKET(R). {
  S = ixp_parse_name(ps, AST_DATA, N); S->span = SPAN2(K.span, R.span);
  S->a = ixp_parse_node(ps, AST_CALL, SPAN2(D.span, R.span)); S->a->str = "select";
  IxpAst *source = ixp_parse_node(ps, AST_ARG, D.span); source->a = ixp_parse_name(ps, AST_NAME, D);
  ixp_ast_push(ps->arena, S->a, ixp_parse_nest(ps, source));
  for (int i = 0; i < L->nitems; i++) {
    IxpAst *column = ixp_parse_node(ps, AST_ARG, L->items[i]->span); column->a = L->items[i];
    ixp_ast_push(ps->arena, S->a, ixp_parse_nest(ps, column));
  }
  ixp_parse_nest(ps, S->a);
}
/* extern "lib.so" { fn name(x: f64, v: const f64[n, 4]) -> f64 ... } */
stmt(S) ::= EXTERN(K) STRING(P) LBRACE fnbody(B) RBRACE(R). {
  S = B; S->kind = AST_EXTERN; S->a = ixp_parse_string(ps, P); S->span = SPAN2(K.span, R.span);
}
stmt(S) ::= PLOT(K) emits(L) TO expr(F). { S = L; S->kind = AST_PLOT; S->c = F; S->span = SPAN2(K.span, F->span); }
/* plot ... to FILE with title = "...", xlog = 1, by = "layer": options as AST_ARG in d. */
stmt(S) ::= PLOT(K) emits(L) TO expr(F) WITH plot_opts(O). {
  S = L; S->kind = AST_PLOT; S->c = F; S->d = O; S->span = SPAN2(K.span, O->span);
}
/* print EXPR [as LABEL], ...: a label replaces the item's text. */
stmt(S) ::= PRINT(K) emits(L). { S = L; S->kind = AST_PRINT; S->span = SPAN2(K.span, L->span); }
/* print ... within TOL: the relative tolerance `ixp check --against` allows. */
stmt(S) ::= PRINT(K) emits(L) WITHIN expr(T). { S = L; S->kind = AST_PRINT; S->b = T; S->span = SPAN2(K.span, T->span); }
stmt(S) ::= EMIT(K) emits(L). { S = L; S->kind = AST_EMIT; S->span = SPAN2(K.span, L->span); }
stmt(S) ::= EXPECT(K) expr(E). { S = ixp_parse_node(ps, AST_EXPECT, SPAN2(K.span, E->span)); S->a = E; }
stmt(S) ::= EXPECT(K) expr(E) WITHIN expr(T). {
  S = ixp_parse_node(ps, AST_EXPECT, SPAN2(K.span, T->span)); S->a = E; S->b = T;
}
stmt(S) ::= SWEEP(K) IDENT(N) IN expr(E) block(B). {
  S = ixp_parse_name(ps, AST_SWEEP, N); S->a = E; S->b = B; S->span = SPAN2(K.span, E->span); S->d = ixp_parse_name(ps, AST_NAME, N);
}
stmt(S) ::= SWEEP(K) IDENT(N) IN expr(E) block(B) TO expr(F). {
  S = ixp_parse_name(ps, AST_SWEEP, N); S->a = E; S->b = B; S->c = F; S->span = SPAN2(K.span, E->span); S->d = ixp_parse_name(ps, AST_NAME, N);
}
/* 'as NAME' keeps the sweep's table as a value (to plot it). */
stmt(S) ::= SWEEP(K) IDENT(N) IN expr(E) block(B) AS IDENT(T). {
  S = ixp_parse_name(ps, AST_SWEEP, N); S->a = E; S->b = B; S->span = SPAN2(K.span, E->span); S->d = ixp_parse_name(ps, AST_NAME, N);
  ixp_ast_push(ps->arena, S, ixp_parse_name(ps, AST_NAME, T));
}
stmt(S) ::= expr(E). { S = ixp_parse_node(ps, AST_EXPR_STMT, E->span); S->a = E; }

/* Model names may be the operator words, for the prelude's xor, and, or. */
name(N) ::= IDENT(T). { N = T; }
name(N) ::= XOR(T). { N = T; }
name(N) ::= AND(T). { N = T; }
name(N) ::= OR(T). { N = T; }

params(L) ::= . { L = ixp_parse_node(ps, AST_BLOCK, (IxpSpan){0, 0}); }
params(L) ::= param(P). { L = ixp_parse_node(ps, AST_BLOCK, P->span); ixp_ast_push(ps->arena, L, P); }
params(L) ::= params(A) COMMA param(P). { L = A; ixp_ast_push(ps->arena, L, P); }
param(P) ::= IDENT(N). { P = ixp_parse_name(ps, AST_PARAM, N); }
param(P) ::= IDENT(N) ASSIGN expr(E). {
  P = ixp_parse_name(ps, AST_PARAM, N); P->a = E; P->span = SPAN2(N.span, E->span); ixp_parse_nest(ps, P);
}

idents(L) ::= IDENT(N). {
  L = ixp_parse_node(ps, AST_BLOCK, N.span); ixp_ast_push(ps->arena, L, ixp_parse_name(ps, AST_NAME, N));
}
idents(L) ::= idents(A) COMMA IDENT(N). { L = A; ixp_ast_push(ps->arena, L, ixp_parse_name(ps, AST_NAME, N)); }

exprs(L) ::= expr(E). { L = ixp_parse_node(ps, AST_BLOCK, E->span); ixp_ast_push(ps->arena, L, E); }
exprs(L) ::= exprs(A) COMMA expr(E). { L = A; L->span = SPAN2(L->span, E->span); ixp_ast_push(ps->arena, L, E); }

emits(L) ::= emit_item(E). { L = ixp_parse_node(ps, AST_BLOCK, E->span); ixp_ast_push(ps->arena, L, E); }
emits(L) ::= emits(A) COMMA emit_item(E). { L = A; L->span = SPAN2(L->span, E->span); ixp_ast_push(ps->arena, L, E); }
emit_item(I) ::= expr(E). { I = E; }
emit_item(I) ::= expr(E) AS IDENT(N). {
  I = ixp_parse_name(ps, AST_AS, N); I->a = E; I->span = SPAN2(E->span, N.span); ixp_parse_nest(ps, I);
}
emit_item(I) ::= expr(E) AS STRING(N). {
  I = ixp_parse_string(ps, N); I->kind = AST_AS; I->a = E; I->span = SPAN2(E->span, N.span);
}

plot_opts(L) ::= plot_opt(A). { L = ixp_parse_node(ps, AST_BLOCK, A->span); ixp_ast_push(ps->arena, L, A); }
plot_opts(L) ::= plot_opts(P) COMMA plot_opt(A). { L = P; L->span = SPAN2(L->span, A->span); ixp_ast_push(ps->arena, L, A); }
plot_opt(A) ::= IDENT(N) ASSIGN expr(E). {
  A = ixp_parse_name(ps, AST_ARG, N); A->a = E; A->span = SPAN2(N.span, E->span); ixp_parse_nest(ps, A);
}

/* Table rows: values separated by blanks or commas, then ':' and the
 * probability. Values are numbers; a computed value goes in parentheses. */
rows(L) ::= . { L = ixp_parse_node(ps, AST_BLOCK, (IxpSpan){0, 0}); }
rows(L) ::= rows(A) NL. { L = A; }
rows(L) ::= rows(A) row(R) NL. { L = A; ixp_ast_push(ps->arena, L, R); }
table_body(B) ::= rows(L). { B = L; }
table_body(B) ::= rows(L) row(R). { B = L; ixp_ast_push(ps->arena, B, R); }
row(R) ::= rowvals(V) COLON expr(P). { R = V; R->kind = AST_ROW; R->a = P; R->span = SPAN2(V->span, P->span); }
rowvals(L) ::= rowval(V). { L = ixp_parse_node(ps, AST_BLOCK, V->span); ixp_ast_push(ps->arena, L, V); }
rowvals(L) ::= rowvals(A) rowval(V). { L = A; L->span = SPAN2(L->span, V->span); ixp_ast_push(ps->arena, L, V); }
rowvals(L) ::= rowvals(A) COMMA rowval(V). { L = A; L->span = SPAN2(L->span, V->span); ixp_ast_push(ps->arena, L, V); }
rowval(V) ::= INT(T). { V = ixp_parse_number(ps, T, false, T.span); }
rowval(V) ::= REAL(T). { V = ixp_parse_number(ps, T, false, T.span); }
rowval(V) ::= MINUS(M) INT(T). { V = ixp_parse_number(ps, T, true, SPAN2(M.span, T.span)); }
rowval(V) ::= MINUS(M) REAL(T). { V = ixp_parse_number(ps, T, true, SPAN2(M.span, T.span)); }
rowval(V) ::= LPAREN expr(E) RPAREN. { V = E; }

/* The functions of an extern block, one per line. */
fnlines(L) ::= . { L = ixp_parse_node(ps, AST_BLOCK, (IxpSpan){0, 0}); }
fnlines(L) ::= fnlines(A) NL. { L = A; }
fnlines(L) ::= fnlines(A) fndecl(F) NL. { L = A; ixp_ast_push(ps->arena, L, F); }
fnbody(B) ::= fnlines(L). { B = L; }
fnbody(B) ::= fnlines(L) fndecl(F). { B = L; ixp_ast_push(ps->arena, B, F); }
fndecl(F) ::= FN(K) IDENT(N) LPAREN cparams(P) RPAREN(R). {
  F = P; F->kind = AST_FN; F->str = ixp_parse_name(ps, AST_NAME, N)->str; F->span = SPAN2(K.span, R.span);
  F->d = ixp_parse_name(ps, AST_NAME, N);
}
fndecl(F) ::= FN(K) IDENT(N) LPAREN cparams(P) RPAREN ARROW IDENT(T). {
  F = P; F->kind = AST_FN; F->str = ixp_parse_name(ps, AST_NAME, N)->str; F->span = SPAN2(K.span, T.span);
  F->d = ixp_parse_name(ps, AST_NAME, N); F->b = ixp_parse_name(ps, AST_CTYPE, T);
}
cparams(L) ::= . { L = ixp_parse_node(ps, AST_BLOCK, (IxpSpan){0, 0}); }
cparams(L) ::= cparam(P). { L = ixp_parse_node(ps, AST_BLOCK, P->span); ixp_ast_push(ps->arena, L, P); }
cparams(L) ::= cparams(A) COMMA cparam(P). { L = A; ixp_ast_push(ps->arena, L, P); }
cparam(P) ::= pname(N) COLON ctype(T). { P = ixp_parse_name(ps, AST_CPARAM, N); P->a = T; P->span = SPAN2(N.span, T->span); }
/* C parameter names may be the words 'seed' and 'data'. */
pname(N) ::= IDENT(T). { N = T; }
pname(N) ::= SEED(T). { N = T; }
pname(N) ::= DATA(T). { N = T; }
ctype(T) ::= IDENT(N). { T = ixp_parse_name(ps, AST_CTYPE, N); }
ctype(T) ::= IDENT(N) LBRACKET dims(D) RBRACKET(R). {
  T = D; T->kind = AST_CTYPE; T->str = ixp_parse_name(ps, AST_NAME, N)->str; T->span = SPAN2(N.span, R.span);
  T->ctype.is_array = true;
}
ctype(T) ::= CONST(C) IDENT(N). {
  T = ixp_parse_name(ps, AST_CTYPE, N); T->span = SPAN2(C.span, N.span); T->ctype.is_const = true;
}
ctype(T) ::= CONST(C) IDENT(N) LBRACKET dims(D) RBRACKET(R). {
  T = D; T->kind = AST_CTYPE; T->str = ixp_parse_name(ps, AST_NAME, N)->str; T->span = SPAN2(C.span, R.span);
  T->ctype.is_array = true; T->ctype.is_const = true;
}
dims(L) ::= dim(D). { L = ixp_parse_node(ps, AST_BLOCK, D->span); ixp_ast_push(ps->arena, L, D); }
dims(L) ::= dims(A) COMMA dim(D). { L = A; ixp_ast_push(ps->arena, L, D); }
dim(D) ::= INT(T). { D = ixp_parse_number(ps, T, false, T.span); }
dim(D) ::= pname(N). { D = ixp_parse_name(ps, AST_NAME, N); }

/* ------------------------------------------------------------ expressions */

expr(E) ::= INT(T). { E = ixp_parse_number(ps, T, false, T.span); }
expr(E) ::= REAL(T). { E = ixp_parse_number(ps, T, false, T.span); }
expr(E) ::= STRING(T). { E = ixp_parse_string(ps, T); }
expr(E) ::= IDENT(T). { E = ixp_parse_name(ps, AST_NAME, T); }
/* The prelude's models xor, and, or are names where an operand starts. */
expr(E) ::= XOR(T). { E = ixp_parse_name(ps, AST_NAME, T); }
expr(E) ::= AND(T). { E = ixp_parse_name(ps, AST_NAME, T); }
expr(E) ::= OR(T). { E = ixp_parse_name(ps, AST_NAME, T); }
expr(E) ::= LPAREN(L) expr(A) RPAREN(R). { E = A; E->span = SPAN2(L.span, R.span); }
expr(E) ::= LBRACKET(L) RBRACKET(R). { E = ixp_parse_node(ps, AST_VEC, SPAN2(L.span, R.span)); }
expr(E) ::= LBRACKET(L) exprs(A) RBRACKET(R). {
  E = A; E->kind = AST_VEC; E->span = SPAN2(L.span, R.span); ixp_parse_nest(ps, E);
}
expr(E) ::= call(C). { E = C; }
expr(E) ::= call(C) IN source(S) clauses(K). [IN] {
  E = K; E->kind = AST_MEASURE; E->a = C; E->b = S;
  E->span = SPAN2(C->span, K->nitems || K->c || K->d ? K->span : S->span); ixp_parse_nest(ps, E);
}
/* `local MEASURE(...) in DATA ...`: one value per row, whose mean is the
 * measure (the checker's lowering reads the flag). */
expr(E) ::= LOCAL(L) call(C) IN source(S) clauses(K). [IN] {
  E = K; E->kind = AST_MEASURE; E->a = C; E->b = S; E->local = true;
  E->span = SPAN2(L.span, K->nitems || K->c || K->d ? K->span : S->span); ixp_parse_nest(ps, E);
}
/* After a measure's source: 'using' an estimator or method, 'with' a
 * test, 'at' a point (at D = 0.1, at beta = 2). */
clauses(K) ::= . { K = ixp_parse_node(ps, AST_MEASURE, (IxpSpan){0, 0}); }
clauses(K) ::= clauses(A) USING call(U). { K = A; K->c = U; K->span = SPAN2(K->span.end ? K->span : U->span, U->span); }
clauses(K) ::= clauses(A) USING IDENT(N). {
  K = A; K->c = ixp_parse_name(ps, AST_CALL, N); K->span = SPAN2(K->span.end ? K->span : N.span, N.span);
}
clauses(K) ::= clauses(A) WITH IDENT(N). {
  K = A; K->d = ixp_parse_name(ps, AST_CALL, N); K->span = SPAN2(K->span.end ? K->span : N.span, N.span);
}
clauses(K) ::= clauses(A) WITH call(W). { K = A; K->d = W; K->span = SPAN2(K->span.end ? K->span : W->span, W->span); }
clauses(K) ::= clauses(A) AT(T) IDENT(N) ASSIGN expr(V). [AT] {
  K = A; IxpAst *at = ixp_parse_name(ps, AST_ARG, N); at->a = V; at->span = SPAN2(T.span, V->span);
  ixp_ast_push(ps->arena, K, ixp_parse_nest(ps, at)); K->span = SPAN2(K->span.end ? K->span : at->span, at->span);
}
expr(E) ::= expr(A) LBRACKET index(I) RBRACKET(R). {
  E = ixp_parse_node(ps, AST_INDEX, SPAN2(A->span, R.span)); E->a = A; E->b = I; ixp_parse_nest(ps, E);
}
/* A[i, j], A[i, ..], A[.., j], A[0 .. 2, ..]: a lone '..' is a whole axis. */
expr(E) ::= expr(A) LBRACKET index(I) COMMA index(J) RBRACKET(R). {
  E = ixp_parse_node(ps, AST_INDEX, SPAN2(A->span, R.span)); E->a = A; E->b = I; E->c = J; ixp_parse_nest(ps, E);
}
index(I) ::= expr(E). { I = E; }
index(I) ::= DOTDOT(T). { I = ixp_parse_node(ps, AST_ALL, T.span); }
expr(E) ::= expr(A) DOT IDENT(N). {
  E = ixp_parse_name(ps, AST_FIELD, N); E->a = A; E->span = SPAN2(A->span, N.span); ixp_parse_nest(ps, E);
}
expr(E) ::= MINUS(T) expr(A). [UMINUS] { E = ixp_parse_unary(ps, OP_NEG, T, A); }
expr(E) ::= NOT(T) expr(A). { E = ixp_parse_unary(ps, OP_NOT, T, A); }
expr(E) ::= expr(A) CARET expr(B). { E = ixp_parse_binary(ps, OP_POW, A, B); }
expr(E) ::= expr(A) STAR expr(B). { E = ixp_parse_binary(ps, OP_MUL, A, B); }
expr(E) ::= expr(A) EMUL expr(B). { E = ixp_parse_binary(ps, OP_EMUL, A, B); }
expr(E) ::= expr(A) SLASH expr(B). { E = ixp_parse_binary(ps, OP_DIV, A, B); }
expr(E) ::= expr(A) MOD expr(B). { E = ixp_parse_binary(ps, OP_MOD, A, B); }
expr(E) ::= expr(A) PLUS expr(B). { E = ixp_parse_binary(ps, OP_ADD, A, B); }
expr(E) ::= expr(A) MINUS expr(B). { E = ixp_parse_binary(ps, OP_SUB, A, B); }
expr(E) ::= expr(A) EQ expr(B). { E = ixp_parse_binary(ps, OP_EQ, A, B); }
expr(E) ::= expr(A) NE expr(B). { E = ixp_parse_binary(ps, OP_NE, A, B); }
expr(E) ::= expr(A) LT expr(B). { E = ixp_parse_binary(ps, OP_LT, A, B); }
expr(E) ::= expr(A) LE expr(B). { E = ixp_parse_binary(ps, OP_LE, A, B); }
expr(E) ::= expr(A) GT expr(B). { E = ixp_parse_binary(ps, OP_GT, A, B); }
expr(E) ::= expr(A) GE expr(B). { E = ixp_parse_binary(ps, OP_GE, A, B); }
expr(E) ::= expr(A) AND expr(B). { E = ixp_parse_binary(ps, OP_AND, A, B); }
expr(E) ::= expr(A) XOR expr(B). { E = ixp_parse_binary(ps, OP_XOR, A, B); }
expr(E) ::= expr(A) OR expr(B). { E = ixp_parse_binary(ps, OP_OR, A, B); }
expr(E) ::= expr(A) DOTDOT expr(B). {
  E = ixp_parse_node(ps, AST_RANGE, SPAN2(A->span, B->span)); E->a = A; E->b = B; ixp_parse_nest(ps, E);
}
expr(E) ::= expr(A) DOTDOT expr(B) STEP expr(C). {
  E = ixp_parse_node(ps, AST_RANGE, SPAN2(A->span, C->span)); E->a = A; E->b = B; E->c = C; ixp_parse_nest(ps, E);
}
expr(E) ::= IF(T) expr(C) THEN expr(A) ELSE expr(B). {
  E = ixp_parse_node(ps, AST_IF, SPAN2(T.span, B->span)); E->a = C; E->b = A; E->c = B; ixp_parse_nest(ps, E);
}

/* Calls: arguments are separated by ',' or by the separators of measure
 * notation (';' '|' '||' '->'); 'name = value' passes an option. */
call(C) ::= IDENT(N) LPAREN RPAREN(R). { C = ixp_parse_name(ps, AST_CALL, N); C->span = SPAN2(N.span, R.span); }
call(C) ::= IDENT(N) LPAREN args(A) RPAREN(R). {
  C = A; C->kind = AST_CALL; C->str = ixp_parse_name(ps, AST_NAME, N)->str; C->span = SPAN2(N.span, R.span);
  ixp_parse_nest(ps, C);
}
args(L) ::= arg(A). { L = ixp_parse_node(ps, AST_BLOCK, A->span); ixp_ast_push(ps->arena, L, A); }
args(L) ::= args(P) sep(O) arg(A). {
  L = P; A->sep_span = O.span; ixp_ast_push(ps->arena, L, A);
  A->op = O.code == TK_COMMA ? SEP_COMMA : O.code == TK_SEMI ? SEP_SEMI : O.code == TK_BAR ? SEP_BAR
        : O.code == TK_BARBAR ? SEP_BARBAR : SEP_ARROW;
}
arg(A) ::= expr(E). { A = ixp_parse_node(ps, AST_ARG, E->span); A->a = E; ixp_parse_nest(ps, A); }
arg(A) ::= IDENT(N) ASSIGN expr(E). {
  A = ixp_parse_name(ps, AST_ARG, N); A->a = E; A->span = SPAN2(N.span, E->span); ixp_parse_nest(ps, A);
}
sep(O) ::= COMMA(T). { O = T; }
sep(O) ::= SEMI(T). { O = T; }
sep(O) ::= BAR(T). { O = T; }
sep(O) ::= BARBAR(T). { O = T; }
sep(O) ::= ARROW(T). { O = T; }

source(S) ::= name(N). { S = ixp_parse_name(ps, AST_SOURCE, N); }
source(S) ::= name(N) LPAREN args(A) RPAREN(R). {
  S = A; S->kind = AST_SOURCE; S->str = ixp_parse_name(ps, AST_NAME, N)->str; S->span = SPAN2(N.span, R.span);
  ixp_parse_nest(ps, S);
}
