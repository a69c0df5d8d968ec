#include "pareto.h"

#include "reward/pareto.h"

namespace awb {

namespace {

std::vector<Point2> pairs(const QVector<QPointF> &points)
{
    std::vector<Point2> out;
    out.reserve(static_cast<std::size_t>(points.size()));
    for (const QPointF &p : points)
        out.emplace_back(p.x(), p.y());
    return out;
}

} // namespace

QVector<int> paretoFrontIndices(const QVector<QPointF> &points)
{
    const std::vector<int> front = paretoFront(pairs(points));
    return QVector<int>(front.begin(), front.end());
}

double hypervolume2D(const QVector<QPointF> &points, QPointF reference)
{
    return hypervolume(pairs(points), {reference.x(), reference.y()});
}

} // namespace awb
