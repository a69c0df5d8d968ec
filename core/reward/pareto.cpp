#include "reward/pareto.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace awb {

namespace {

bool finitePoint(const Point2 &p)
{
    return std::isfinite(p.first) && std::isfinite(p.second);
}

} // namespace

std::vector<int> paretoFront(const std::vector<Point2> &points)
{
    std::vector<int> order;
    order.reserve(points.size());
    for (int i = 0; i < static_cast<int>(points.size()); ++i)
        if (finitePoint(points[static_cast<std::size_t>(i)]))
            order.push_back(i);
    auto at = [&](int i) -> const Point2 & { return points[static_cast<std::size_t>(i)]; };
    // Sweep from the largest x down. Within a group of equal x only the
    // largest y can survive; it survives when no point of strictly larger x
    // reaches its y (such a point would be >= in y and > in x).
    std::sort(order.begin(), order.end(), [&](int a, int b) {
        if (at(a).first != at(b).first)
            return at(a).first > at(b).first;
        if (at(a).second != at(b).second)
            return at(a).second > at(b).second;
        return a < b;
    });
    std::vector<int> front;
    double bestYRight = -std::numeric_limits<double>::infinity();
    for (std::size_t g = 0; g < order.size();) {
        const double x = at(order[g]).first;
        const double groupMaxY = at(order[g]).second;
        std::size_t end = g;
        while (end < order.size() && at(order[end]).first == x)
            ++end;
        if (groupMaxY > bestYRight)
            for (std::size_t k = g; k < end && at(order[k]).second == groupMaxY; ++k)
                front.push_back(order[k]);
        bestYRight = std::max(bestYRight, groupMaxY);
        g = end;
    }
    std::sort(front.begin(), front.end(), [&](int a, int b) {
        if (at(a).first != at(b).first)
            return at(a).first < at(b).first;
        return a < b;
    });
    return front;
}

double hypervolume(const std::vector<Point2> &points, Point2 reference)
{
    std::vector<Point2> better;
    for (const Point2 &p : points)
        if (finitePoint(p) && p.first > reference.first && p.second > reference.second)
            better.push_back(p);
    const std::vector<int> front = paretoFront(better);
    // Front by x ascending has y descending: walking from the right, each
    // point adds the slab between its y and the previous (lower) y, as wide as
    // its distance from the reference x.
    double area = 0.0;
    double lowerY = reference.second;
    for (auto k = static_cast<std::ptrdiff_t>(front.size()) - 1; k >= 0; --k) {
        const Point2 &p = better[static_cast<std::size_t>(front[static_cast<std::size_t>(k)])];
        if (p.second > lowerY) {
            area += (p.first - reference.first) * (p.second - lowerY);
            lowerY = p.second;
        }
    }
    return area;
}

} // namespace awb
