#pragma once
// Over-optimisation (Gao et al. 2022, arXiv 2210.10760): as a policy moves away
// from its reference, the proxy (reward-model) score keeps rising while the gold
// score (the demo's judge, or the human labels' mean off the demo) peaks and
// falls. Given one aspect's points in the order of the x axis (sqrt(KL) from
// the reference, or the step), goldPeak() finds where gold stops rising while
// the proxy still rises. Pure functions; any thread.

#include <QVector>

namespace awb {

// Centred moving average over 2 * halfWindow + 1 points (fewer at the ends);
// NaN values are left out of every average and stay NaN at their position.
QVector<double> centredMean(const QVector<double> &values, int halfWindow);

// The index where the smoothed gold (centredMean, halfWindow 3) is largest,
// when after it the smoothed proxy still rises by at least `minProxyRise`
// (its largest later value minus its value at the peak) and the smoothed gold
// ends at least `minGoldDrop` below its peak; -1 otherwise (fewer than 8
// points, gold largest at the last point, the proxy flat after the peak, or
// gold not falling back).
// proxy and gold have one value per point, in x order; NaN points are skipped.
int goldPeak(const QVector<double> &proxy, const QVector<double> &gold, double minProxyRise, double minGoldDrop);

} // namespace awb
