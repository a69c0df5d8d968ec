#include "curve_smoothing.h"

#include <algorithm>
#include <cmath>

namespace awb {

QVector<double> smoothEma(const QVector<double> &values, double weight)
{
    if (!(weight > 0.0))   // also catches NaN
        return values;
    const double w = std::min(weight, 0.999);
    QVector<double> out(values.size());
    double last = 0.0;
    double decay = 1.0;   // w^n, kept as a product instead of pow() per value
    for (int i = 0; i < values.size(); ++i) {
        const double x = values[i];
        if (!std::isfinite(x)) {
            out[i] = x;
            continue;
        }
        last = last * w + (1.0 - w) * x;
        decay *= w;
        out[i] = last / (1.0 - decay);
    }
    return out;
}

} // namespace awb
