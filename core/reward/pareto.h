#pragma once
// Pareto-front arithmetic of two maximised objectives, for the Pareto view and
// the front sweep of a steerable run (`awb front`). Plain functions over
// (x, y) pairs: no torch, no Qt (the widgets' adapter, widgets/pareto.h, takes
// QPointF), callable from any thread. Built as its own small library
// (awb_pareto) so that the views can link it without the engine.

#include <utility>
#include <vector>

namespace awb {

using Point2 = std::pair<double, double>;   // (x, y)

// Indices into points of the non-dominated points. A point is dominated when
// another is >= in both coordinates and > in at least one. Exact duplicates do
// not dominate each other, so every copy of a front point is kept. Points with
// a NaN or infinite coordinate are ignored. The result is sorted by x
// ascending (so y descending), ties (duplicates) by index.
std::vector<int> paretoFront(const std::vector<Point2> &points);

// Area dominated by the points and bounded below by reference: the area of
// the union of the rectangles [ref.x, p.x] x [ref.y, p.y]. Points that are not
// strictly better than the reference in both coordinates, and non-finite
// points, contribute nothing; no such point gives 0.
double hypervolume(const std::vector<Point2> &points, Point2 reference);

} // namespace awb
