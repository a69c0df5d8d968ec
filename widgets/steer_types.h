#pragma once
// Value types of the playground and of the Pareto view's swept front. app/
// converts core's SteerSample and FrontResult into these on the GUI thread.

#include <QPointF>
#include <QString>
#include <QVector>

namespace awb::view {

// A checkpoint the playground can generate from.
struct SteerCheckpoint
{
    QString path;              // the checkpoint folder
    QString label;             // e.g. "run 3 (steerable) · step 60"
    bool steerable = false;
    QVector<double> runWeights;   // the weights a fixed-weight run trained with (summing to 1)
};

// One generated completion with its scores (indexed like the aspect list).
struct SteerSampleRow
{
    QString text;
    QString finish;
    QVector<double> weights;   // what the policy was conditioned on (summing to 1)
    QVector<double> scores;    // reward model
    QVector<double> gold;      // gold judge; empty off the demo
};

// A swept front on the Pareto view's plane, plus fixed-weight runs as points.
struct SweptFront
{
    int xAspect = 0, yAspect = 1;   // aspect indices of the plane
    bool byGold = false;
    QString runLabel;                // the swept run
    QVector<QPointF> points;         // one per weight vector
    QVector<QString> pointLabels;    // the vectors, e.g. "safety 0.75, actionability 0.25"
    QVector<int> front;              // indices into points, by x
    double hypervolume = 0.0;
    QVector<QPointF> fixedPoints;    // fixed-weight runs of the workspace
    QVector<QString> fixedLabels;    // e.g. "run 2 · safety 1.00"
    double fixedHypervolume = 0.0;   // of the fixed points together
};

} // namespace awb::view
