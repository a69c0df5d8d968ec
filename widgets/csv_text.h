#pragma once
// Fields of RFC 4180 CSV as written by the exports (curves, samples): a field
// with a comma, quote or line break is quoted with doubled quotes; numbers
// keep 15 significant digits, and a missing (non-finite) value is empty.

#include <QString>

#include <cmath>

namespace awb::csv {

inline QString field(const QString &s)
{
    if (!s.contains(QLatin1Char(',')) && !s.contains(QLatin1Char('"')) && !s.contains(QLatin1Char('\n'))
        && !s.contains(QLatin1Char('\r')))
        return s;
    return QLatin1Char('"') + QString(s).replace(QLatin1String("\""), QLatin1String("\"\"")) + QLatin1Char('"');
}

inline QString number(double v) { return std::isfinite(v) ? QString::number(v, 'g', 15) : QString(); }

} // namespace awb::csv
