/* measures_knn.h — the measures that knn_extra.h's estimators answer
 * beside `using`: Rényi and Tsallis entropies (`entropy(x, alpha = 2)`,
 * `entropy(x, alpha = 2, kind = tsallis)`) on exact models and data, and
 * the divergences kl(P || Q) and js(P || Q) between two datasets of
 * continuous columns. */
#ifndef IXP_MEASURES_KNN_H
#define IXP_MEASURES_KNN_H

#include <stdbool.h>

#include "measures.h"

/* The order of an entropy call's options alpha = a (a > 0; 1, or no
 * option: Shannon) and kind = renyi | tsallis; false after reporting an
 * unknown option or a bad value. */
bool ixp_entropy_order(IxpLowering *lw, double *alpha, bool *tsallis);

/* entropy(X, alpha = a) of an exact model's joint (finite: from the
 * probabilities; linear-Gaussian: the closed form) or of a dataset's
 * plug-in joint of discrete columns, lw->joint being its register. */
bool ixp_lower_entropy_order(IxpLowering *lw, IxpVarSet x, double alpha, bool tsallis);

/* Whether kl or js compares two datasets with continuous columns (the
 * kNN estimators below), rather than exact joints. */
bool ixp_divergence_on_samples(const IxpLowering *lw);

/* kl(P || Q) (Wang, Kulkarni & Verdú 2009) or js(P || Q) between two
 * datasets of the same columns, by k-th neighbour distances (option k =
 * 5). */
bool ixp_lower_divergence_samples(IxpLowering *lw, bool js);

#endif
