#pragma once
// Step points and graph readers the reward-curves tests share.
#include "reward_curves_view.h"
#include "view_types.h"

#include <qcustomplot.h>

#include <QVector>

#include <cmath>
#include <limits>

namespace awb::test {

using view::StepPoint;

inline const double kNaN = std::numeric_limits<double>::quiet_NaN();

inline StepPoint point(qint64 run, int step, QVector<double> aspects, QVector<double> gold = {}, double reward = kNaN,
                double kl = kNaN, double loss = kNaN, double goldObjective = kNaN)
{
    StepPoint p;
    p.runId = run;
    p.step = step;
    p.aspectMeans = aspects;
    p.goldMeans = gold;
    p.rewardMean = reward;
    p.kl = kl;
    p.loss = loss;
    p.goldObjective = goldObjective;
    return p;
}

inline QVector<double> keysOf(const QCPGraph *g)
{
    QVector<double> out;
    for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it)
        out << it->key;
    return out;
}

inline QVector<double> valuesOf(const QCPGraph *g)
{
    QVector<double> out;
    for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it)
        out << it->value;
    return out;
}

inline bool sameValues(const QVector<double> &a, const QVector<double> &b)
{
    if (a.size() != b.size())
        return false;
    for (int i = 0; i < a.size(); ++i)
        if (std::isnan(a[i]) != std::isnan(b[i]) || (!std::isnan(a[i]) && std::abs(a[i] - b[i]) > 1e-9))
            return false;
    return true;
}

inline QVector<view::AspectSpec> twoAspects()
{
    return {{QStringLiteral("a")}, {QStringLiteral("b")}};
}

} // namespace awb::test
