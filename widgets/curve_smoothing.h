#pragma once
// Curve smoothing for the plots: TensorBoard's debiased exponential moving
// average. Pure functions, callable from any thread.

#include <QVector>

namespace awb {

// TensorBoard's smoothing: last = last * w + (1 - w) * x, shown as
// last / (1 - w^n) after n finite values, so the start is not pulled towards 0.
// weight is clamped to [0, 0.999]; 0 returns the values unchanged. A NaN (or
// infinite) value stays NaN/inf at its position and does not disturb the
// average of the values after it.
QVector<double> smoothEma(const QVector<double> &values, double weight);

} // namespace awb
