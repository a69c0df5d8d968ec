#include "overoptimisation.h"

#include <algorithm>
#include <cmath>

namespace awb {

QVector<double> centredMean(const QVector<double> &values, int halfWindow)
{
    QVector<double> out(values.size(), std::nan(""));
    for (int i = 0; i < values.size(); ++i) {
        if (!std::isfinite(values[i]))
            continue;
        double sum = 0;
        int n = 0;
        for (int j = std::max(0, i - halfWindow); j <= std::min(int(values.size()) - 1, i + halfWindow); ++j)
            if (std::isfinite(values[j])) {
                sum += values[j];
                ++n;
            }
        out[i] = sum / n;
    }
    return out;
}

int goldPeak(const QVector<double> &proxy, const QVector<double> &gold, double minProxyRise, double minGoldDrop)
{
    constexpr int kHalfWindow = 3;
    QVector<int> keep;   // points with both values
    for (int i = 0; i < proxy.size() && i < gold.size(); ++i)
        if (std::isfinite(proxy[i]) && std::isfinite(gold[i]))
            keep << i;
    if (keep.size() < 2 * kHalfWindow + 2)
        return -1;
    QVector<double> p, g;
    for (int i : keep) {
        p << proxy[i];
        g << gold[i];
    }
    p = centredMean(p, kHalfWindow);
    g = centredMean(g, kHalfWindow);
    const int peak = int(std::max_element(g.begin(), g.end()) - g.begin());
    if (peak >= g.size() - 1)
        return -1;
    const double proxyAfter = *std::max_element(p.begin() + peak + 1, p.end());
    if (proxyAfter - p[peak] < minProxyRise || g[peak] - g.last() < minGoldDrop)
        return -1;
    return keep[peak];
}

} // namespace awb
