/* distortion.c — a user distortion for rate-distortion: the distance
 * between two points of a ring of k symbols (a phase, a hue, an hour).
 *
 *   fn ring(x: f64, xhat: f64, k: i32) -> f64
 */
#include <math.h>
#include <stdint.h>

double ring(double x, double xhat, int32_t k) {
  double d = fabs(x - xhat);
  return d < k - d ? d : k - d;
}
