#pragma once
// Pareto-front arithmetic for the Pareto view: both objectives are maximised.
// Pure functions over plain points (Qt Core only), callable from any thread.

#include <QPointF>
#include <QVector>

namespace awb {

// Indices into points of the non-dominated points. A point is dominated when
// another is >= in both coordinates and > in at least one. Exact duplicates do
// not dominate each other, so every copy of a front point is kept. Points with
// a NaN or infinite coordinate are ignored. The result is sorted by x
// ascending (so y descending), ties (duplicates) by index.
QVector<int> paretoFrontIndices(const QVector<QPointF> &points);

// Area dominated by the points and bounded below by reference: the area of
// the union of the rectangles [ref.x, p.x] x [ref.y, p.y]. Points that are not
// strictly better than the reference in both coordinates, and non-finite
// points, contribute nothing; no such point gives 0.
double hypervolume2D(const QVector<QPointF> &points, QPointF reference);

} // namespace awb
