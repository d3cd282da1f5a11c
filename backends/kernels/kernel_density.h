/* kernel_density.h — kernel (Parzen window) estimators of entropy and
 * mutual information on continuous samples, as JIDT offers them
 * (Lizier 2014, "JIDT: an information-theoretic toolkit for studying the
 * dynamics of complex systems", Front. Robot. AI 1:11; its
 * EntropyCalculatorMultiVariateKernel and MutualInfoCalculatorMulti-
 * VariateKernel).
 *
 * Each column is first scaled to unit standard deviation (JIDT's
 * normalisation), so the width is in standard deviations. The density at
 * each sample point is the average kernel over all n rows, the row itself
 * included (JIDT's box kernel counts it too, so no density is zero):
 *   box:      K(u) = 1 / (2 w)^d when max_c |u_c| <= w, else 0;
 *   gaussian: K(u) = prod_c exp(-u_c^2 / (2 w^2)) / (w sqrt(2 pi)).
 * H = -(1/n) sum_i log p(x_i) (plus the sum of the log standard
 * deviations, undoing the scaling); I(X; Y) = (1/n) sum_i
 * log p(x_i, y_i) / (p(x_i) p(y_i)) with the same kernel on each space.
 * The estimates converge to those of the density smoothed by the kernel,
 * not of the density itself: biased by the width, as any fixed-width
 * kernel estimator. O(n^2 d) work, rows in parallel, summed in row order. */
#ifndef IXP_KERNEL_DENSITY_H
#define IXP_KERNEL_DENSITY_H

#include <stdbool.h>

#include "knn.h"

typedef enum { IXP_KERNEL_BOX, IXP_KERNEL_GAUSSIAN } IxpKernelShape;

/* Differential entropy of the n x d sample x. */
IxpKnnStatus ixp_kernel_entropy(const double *x, long n, int d, IxpKernelShape shape, double width, int threads,
                                double *out);
/* I(X; Y) of n rows of x (dx columns) and y (dy columns). */
IxpKnnStatus ixp_kernel_mi(const double *x, int dx, const double *y, int dy, long n, IxpKernelShape shape, double width,
                           int threads, double *out);

#endif
