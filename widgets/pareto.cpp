#include "pareto.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace awb {

namespace {

bool finitePoint(const QPointF &p)
{
    return std::isfinite(p.x()) && std::isfinite(p.y());
}

} // namespace

QVector<int> paretoFrontIndices(const QVector<QPointF> &points)
{
    QVector<int> order;
    order.reserve(points.size());
    for (int i = 0; i < points.size(); ++i)
        if (finitePoint(points[i]))
            order.push_back(i);
    // Sweep from the largest x down. Within a group of equal x only the
    // largest y can survive; it survives when no point of strictly larger x
    // reaches its y (such a point would be >= in y and > in x).
    std::sort(order.begin(), order.end(), [&](int a, int b) {
        if (points[a].x() != points[b].x())
            return points[a].x() > points[b].x();
        if (points[a].y() != points[b].y())
            return points[a].y() > points[b].y();
        return a < b;
    });
    QVector<int> front;
    double bestYRight = -std::numeric_limits<double>::infinity();
    for (int g = 0; g < order.size();) {
        const double x = points[order[g]].x();
        const double groupMaxY = points[order[g]].y();
        int end = g;
        while (end < order.size() && points[order[end]].x() == x)
            ++end;
        if (groupMaxY > bestYRight)
            for (int k = g; k < end && points[order[k]].y() == groupMaxY; ++k)
                front.push_back(order[k]);
        bestYRight = std::max(bestYRight, groupMaxY);
        g = end;
    }
    std::sort(front.begin(), front.end(), [&](int a, int b) {
        if (points[a].x() != points[b].x())
            return points[a].x() < points[b].x();
        return a < b;
    });
    return front;
}

double hypervolume2D(const QVector<QPointF> &points, QPointF reference)
{
    QVector<QPointF> better;
    for (const QPointF &p : points)
        if (finitePoint(p) && p.x() > reference.x() && p.y() > reference.y())
            better.push_back(p);
    const QVector<int> front = paretoFrontIndices(better);
    // Front by x ascending has y descending: walking from the right, each
    // point adds the slab between its y and the previous (lower) y, as wide as
    // its distance from the reference x.
    double area = 0.0;
    double lowerY = reference.y();
    for (int k = int(front.size()) - 1; k >= 0; --k) {
        const QPointF &p = better[front[k]];
        if (p.y() > lowerY) {
            area += (p.x() - reference.x()) * (p.y() - lowerY);
            lowerY = p.y();
        }
    }
    return area;
}

} // namespace awb
