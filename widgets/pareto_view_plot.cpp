// ParetoView's plot: the plottables rebuilt from the derived coordinates
// (kept apart from pareto_view.cpp, which holds state, input and signals).
#include "pareto_view.h"

#include <qcustomplot.h>

#include <algorithm>

namespace awb {

namespace {

constexpr int kMaxColourBands = 24;   // trajectory colours are banded, not per point
const QColor kCloudColour(120, 120, 120, 150);
const QColor kFrontColour(217, 95, 2);
const QColor kFillColour(217, 95, 2, 38);

QCPColorGradient stepGradient()
{
    // Light (old) to dark (new), so the newest steps stand out on white.
    QCPColorGradient g;
    g.clearColorStops();
    g.setColorStopAt(0.0, QColor(173, 216, 230));
    g.setColorStopAt(0.5, QColor(49, 130, 189));
    g.setColorStopAt(1.0, QColor(37, 22, 102));
    return g;
}

} // namespace

QCPCurve *ParetoView::addCurve(QCustomPlot *plot, const QVector<QPointF> &pts, const QPen &pen,
                               const QCPScatterStyle &scatter, bool line)
{
    auto *c = new QCPCurve(plot->xAxis, plot->yAxis);
    QVector<double> xs, ys;
    for (QPointF p : pts) {
        xs.push_back(p.x());
        ys.push_back(p.y());
    }
    c->setData(xs, ys);
    c->setPen(pen);
    c->setScatterStyle(scatter);
    c->setLineStyle(line ? QCPCurve::lsLine : QCPCurve::lsNone);
    c->setSelectable(QCP::stNone);
    return c;
}

void ParetoView::resetRanges()
{
    if (m_aspects.isEmpty())
        return;
    auto padded = [](const view::AspectSpec &a) {
        const double pad = 0.04 * std::max(1e-9, a.max - a.min);
        return QCPRange(a.min - pad, a.max + pad);
    };
    m_plot->xAxis->setRange(padded(m_aspects[m_xAspect]));
    m_plot->yAxis->setRange(padded(m_aspects[m_yAspect]));
}

void ParetoView::rebuildPlot()
{
    m_plot->clearPlottables();
    m_plot->clearItems();   // the swept front's labels
    m_plot->legend->clearItems();
    if (m_aspects.isEmpty())
        return;
    const QString source = m_source == ValueSource::Gold ? tr("gold judge") : tr("reward model");
    m_plot->xAxis->setLabel(tr("%1 (%2)").arg(m_aspects[m_xAspect].name, source));
    // The source once, on the horizontal axis: the vertical one is short in a small window.
    m_plot->yAxis->setLabel(m_aspects[m_yAspect].name);

    addFront();   // the dominated area lies underneath everything else
    addSweptFront();
    if (!m_cloudXY.isEmpty()) {
        auto *cloud = addCurve(m_plot, m_cloudXY, Qt::NoPen,
                               QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(kCloudColour.darker(130), 1),
                                               kCloudColour, 6), false);
        cloud->setName(tr("Samples, step %1 (%2)").arg(m_samplesStep).arg(m_cloudXY.size()));
        cloud->addToLegend();
        QVector<QPointF> front;
        for (int k : m_front)
            front.push_back(m_cloudXY[k]);
        auto *marks = addCurve(m_plot, front, Qt::NoPen,
                               QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(kFrontColour, 2),
                                               QColor(255, 255, 255, 120), 11), false);
        marks->setName(tr("Front (%1 points)").arg(front.size()));
        marks->addToLegend();
    }
    const double first = m_trajXY.isEmpty() ? 0 : m_trajectory[m_trajStep.first()].step;
    const double last = m_trajXY.isEmpty() ? 1 : m_trajectory[m_trajStep.last()].step;
    addTrajectory(first, last);
    m_stepScale->setGradient(stepGradient());
    m_stepScale->setDataRange(QCPRange(first, std::max(last, first + 1)));
    m_stepScale->axis()->setLabel(m_trajXY.isEmpty() ? tr("step")
                                                     : tr("step %1 → %2").arg(first).arg(last));

    const QPointF ref = referencePoint();
    auto *refMark = addCurve(m_plot, {ref}, Qt::NoPen,
                             QCPScatterStyle(QCPScatterStyle::ssCrossCircle, QPen(Qt::black, 1.5), Qt::NoBrush, 11), false);
    refMark->setName(tr("Reference point"));
    refMark->addToLegend();
}

void ParetoView::addFront()
{
    if (m_front.isEmpty())
        return;
    const QPointF ref = referencePoint();
    // Staircase through the front (x ascending, y descending): right of a
    // point the dominated height drops to the next point's y.
    QVector<QPointF> stairs;
    QVector<QPointF> area{ref};
    for (int j = 0; j < m_front.size(); ++j) {
        const QPointF p = m_cloudXY[m_front[j]];
        if (j > 0)
            stairs.push_back({m_cloudXY[m_front[j - 1]].x(), p.y()});
        stairs.push_back(p);
        if (p.x() > ref.x() && p.y() > ref.y()) {
            area.push_back({area.size() == 1 ? ref.x() : area.last().x(), p.y()});
            area.push_back(p);
        }
    }
    if (area.size() > 1) {
        area.push_back({area.last().x(), ref.y()});
        auto *fill = addCurve(m_plot, area, Qt::NoPen, QCPScatterStyle(), true);
        fill->setBrush(kFillColour);
        fill->setName(tr("Dominated area"));
        fill->addToLegend();
    }
    auto *line = addCurve(m_plot, stairs, QPen(kFrontColour, 2), QCPScatterStyle(), true);
    line->setName(tr("Front staircase"));
}

void ParetoView::addTrajectory(double firstStep, double lastStep)
{
    const int n = int(m_trajXY.size());
    if (n == 0)
        return;
    QCPColorGradient gradient = stepGradient();
    const QCPRange range(firstStep, std::max(lastStep, firstStep + 1));
    const int bands = std::min(n, kMaxColourBands);
    // All band lines first, then all band dots, so no line crosses a dot.
    QVector<QColor> colours;
    for (int b = 0; b < bands; ++b) {
        const int from = b * n / bands;
        const int to = (b + 1) * n / bands;   // exclusive
        const double mid = m_trajectory[m_trajStep[(from + to - 1) / 2]].step;
        colours.push_back(QColor::fromRgb(gradient.color(mid, range)));
        // The line of a band runs on to the next band's first point.
        addCurve(m_plot, m_trajXY.mid(from, std::min(n, to + 1) - from), QPen(colours[b], 2),
                 QCPScatterStyle(), true);
    }
    QVector<QCPCurve *> dots;
    for (int b = 0; b < bands; ++b) {
        const int from = b * n / bands;
        const int to = (b + 1) * n / bands;
        dots.push_back(addCurve(m_plot, m_trajXY.mid(from, to - from), Qt::NoPen,
                                QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(colours[b].darker(140), 1),
                                                colours[b], 7), false));
    }
    QCPCurve *legendDot = dots[dots.size() / 2];
    legendDot->setName(tr("Step means (old → new)"));
    legendDot->addToLegend();

    const int current = [&] {
        for (int i = 0; i < n; ++i)
            if (m_trajectory[m_trajStep[i]].step == m_samplesStep)
                return i;
        return -1;
    }();
    if (current >= 0) {
        auto *mark = addCurve(m_plot, {m_trajXY[current]}, Qt::NoPen,
                              QCPScatterStyle(QCPScatterStyle::ssDiamond, QPen(Qt::black, 1), kFrontColour, 12),
                              false);
        mark->setName(tr("Mean of step %1").arg(m_samplesStep));
        mark->addToLegend();
    }
}

} // namespace awb
