/* process.c — processes: models indexed by time (process.h). */
#include "process.h"

IxpModelDef *ixp_process_window(Checker *c, IxpModelDef *proc, const IxpLag *cols, int n, IxpSpan use) {
  (void)cols, (void)n;
  ixp_check_error(c, use, "process '%s' cannot be measured yet", proc->name);
  return NULL;
}

bool ixp_process_lower_entropy_rate(IxpLowering *lw, const int *vars, int n) {
  (void)vars, (void)n;
  return ixp_lower_error(lw, lw->call->span, "processes cannot be measured yet");
}
