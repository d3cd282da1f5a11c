/* interpolate.h — strings with names in braces: "act_{epoch}.npy".
 *
 * The checker splits a string literal holding `{NAME}` into its pieces
 * (the literal text, and the names as AST_NAME nodes with their own spans
 * inside the string) and resolves each name to a let or a sweep variable;
 * `{{` and `}}` stand for a brace. Evaluating the string joins the pieces,
 * numbers in the shortest text that reads back exactly (whole numbers
 * without a decimal point), as CSV output writes them. */
#ifndef IXP_INTERPOLATE_H
#define IXP_INTERPOLATE_H

#include "checker.h"

/* Check string literal `e`: split and resolve its names (errors at their
 * spans). Returns TY_STR. */
IxpType ixp_check_string(Checker *c, IxpAst *e);

/* The value of a checked string literal (pieces joined in the statement's
 * arena). */
IxpValue ixp_eval_string(IxpSession *s, IxpAst *e, const IxpFrame *f);

/* The text string expression `e` has when the program is checked, for a
 * file that must be read then: a literal, or one whose names are lets of
 * constant expressions and sweep variables (taking the sweep's first
 * value). NULL when it cannot be known yet. Call after checking `e`. */
const char *ixp_check_const_string(Checker *c, const IxpAst *e);

#endif
