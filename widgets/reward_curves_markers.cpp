// RewardCurvesView's x axis (step, wall-clock seconds or generated tokens,
// cumulative per run) and the step markers (weight changes, reward-model
// versions) drawn across both plots, and the curves' data along that axis.
#include "reward_curves_view.h"
#include "curve_smoothing.h"

#include <qcustomplot.h>

#include <QComboBox>

#include <algorithm>
#include <cmath>

namespace awb {

namespace {

QColor markerColour(const QString &kind)
{
    if (kind == QLatin1String("weights"))
        return QColor("#5a5a5a");
    if (kind == QLatin1String("reward_model"))
        return QColor("#b8860b");
    return QColor("#2a7f62");
}

} // namespace

void RewardCurvesView::setXAxis(XAxis axis)
{
    if (axis == m_xAxis)
        return;
    m_xAxis = axis;
    if (m_xAxisCombo && m_xAxisCombo->currentIndex() != static_cast<int>(axis))
        m_xAxisCombo->setCurrentIndex(static_cast<int>(axis));
    static const char *const labels[] = {QT_TR_NOOP("step"), QT_TR_NOOP("wall-clock seconds"), QT_TR_NOOP("tokens generated"),
                                         QT_TR_NOOP("\u221aKL from the reference (per completion)")};
    m_bottomRect->axis(QCPAxis::atBottom)->setLabel(tr(labels[static_cast<int>(axis)]));
    m_markersDirty = true;
    m_userView = false;
    redrawNow();
    resetView();
}

void RewardCurvesView::updateCumulative(Run &run) const
{
    run.cumulative.clear();
    double sum = 0;
    for (const view::StepPoint &p : run.points) {
        const double v = m_xAxis == XAxis::Seconds ? p.seconds : p.tokens;
        sum += std::isfinite(v) ? v : 0.0;
        run.cumulative.insert(p.step, sum);
    }
}

double RewardCurvesView::xOf(qint64 runId, int step) const
{
    if (m_xAxis == XAxis::SqrtKl) {
        const auto run = m_runs.constFind(runId);
        if (run == m_runs.cend() || !run->points.contains(step))
            return std::nan("");
        const double kl = run->points[step].sequenceKl;
        return std::isfinite(kl) ? std::sqrt(std::max(0.0, kl)) : std::nan("");
    }
    if (m_xAxis == XAxis::Step || !m_runs.contains(runId))
        return step;
    const Run &run = m_runs[runId];
    auto it = run.cumulative.upperBound(step);   // the last step at or before `step`
    return it == run.cumulative.cbegin() ? 0.0 : std::prev(it).value();
}

int RewardCurvesView::nearestStep(const Run &run, qint64 runId, double x) const
{
    int best = run.points.firstKey();
    for (int step : run.points.keys())
        if (std::abs(xOf(runId, step) - x) < std::abs(xOf(runId, best) - x))
            best = step;
    return best;
}

void RewardCurvesView::updateCurveData()
{
    for (auto it = m_runs.begin(); it != m_runs.end(); ++it)
        updateCumulative(it.value());
    for (const Key &key : m_curveKeys) {
        const SeriesPoints s = seriesPoints(key.runId, key.series, key.aspect);
        const Curve &curve = m_curves[key];
        curve.raw->setData(s.x, s.values, true);
        curve.line->setData(s.x, smoothEma(s.values, m_smoothing), true);
        curve.raw->setVisible(m_showRaw && m_smoothing > 0.0 && curve.line->visible());
    }
}

RewardCurvesView::SeriesPoints RewardCurvesView::seriesPoints(qint64 runId, Series series, int aspect) const
{
    SeriesPoints s;
    const auto run = m_runs.constFind(runId);
    if (run == m_runs.cend())
        return s;
    QVector<int> order;
    for (const view::StepPoint &p : run->points) {
        // Dropped, not gaps: gold may be judged every few steps, KL is missing without a reference.
        if (std::isfinite(valueOf(p, series, aspect, m_region)) && std::isfinite(xOf(runId, p.step)))
            order << p.step;
    }
    if (m_xAxis == XAxis::SqrtKl)   // the only axis that is not monotone in the step
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return xOf(runId, a) < xOf(runId, b); });
    for (int step : order) {
        s.steps << step;
        s.x << xOf(runId, step);
        s.values << valueOf(run->points[step], series, aspect, m_region);
    }
    return s;
}

void RewardCurvesView::rebuildMarkers()
{
    m_markersDirty = false;
    for (const auto &[top, bottom] : m_markerItems) {
        m_plot->removeItem(top.line);
        m_plot->removeItem(top.label);
        m_plot->removeItem(bottom.line);
    }
    m_markerItems.clear();
    const qint64 newest = newestRun();
    for (const view::StepMarker &marker : m_markers) {
        if (!std::isfinite(xOf(marker.runId, marker.step)))
            continue;   // a step without KL has no place on the sqrt(KL) axis
        QColor colour = markerColour(marker.kind);
        if (marker.runId != newest && m_runs.contains(marker.runId))
            colour = lighter(colour, 0.5);
        QPen pen(colour, 1.0, Qt::DashLine);
        pen.setDashPattern({5.0, 4.0});
        MarkerItems items[2];
        for (int i = 0; i < 2; ++i) {
            QCPAxisRect *rect = i == 0 ? m_topRect : m_bottomRect;
            auto *line = new QCPItemStraightLine(m_plot);
            line->setLayer(QStringLiteral("markers"));
            line->setClipAxisRect(rect);
            line->setPen(pen);
            for (QCPItemPosition *pos : {line->point1, line->point2})
                pos->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
            line->point1->setCoords(xOf(marker.runId, marker.step), 0.0);
            line->point2->setCoords(xOf(marker.runId, marker.step), 1.0);
            items[i].line = line;
        }
        auto *label = new QCPItemText(m_plot);
        label->setLayer(QStringLiteral("legend"));   // above the curves
        label->setClipToAxisRect(false);
        label->position->setAxes(m_topRect->axis(QCPAxis::atBottom), m_topRect->axis(QCPAxis::atLeft));
        label->position->setTypeY(QCPItemPosition::ptAbsolute);
        label->setText(marker.text.isEmpty() ? marker.kind : marker.text);
        QFont f = label->font();
        f.setPointSizeF(7.5);
        label->setFont(f);
        label->setColor(colour.darker(130));
        label->setBrush(QColor(255, 255, 255, 215));
        label->setPadding(QMargins(2, 0, 2, 0));
        items[0].label = label;
        m_markerItems.append({items[0], items[1]});
    }
    layoutMarkerLabels();
}

// Labels hang from the top of the upper rect, beside their line; labels that
// would overlap move one row down (up to three rows).
void RewardCurvesView::layoutMarkerLabels()
{
    QCPAxis *x = m_topRect->axis(QCPAxis::atBottom);
    const QRect area = m_topRect->rect();
    QVector<int> order(m_markerItems.size());
    std::iota(order.begin(), order.end(), 0);
    auto stepOf = [this](int i) { return m_markerItems[i].first.line->point1->coords().x(); };
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return stepOf(a) < stepOf(b); });
    QVector<double> rowEnd(3, -1e9);
    for (int i : order) {
        QCPItemText *label = m_markerItems[i].first.label;
        const double px = x->coordToPixel(stepOf(i));
        const QFontMetrics fm(label->font());
        const int width = fm.horizontalAdvance(label->text()) + 6;
        const bool leftOfLine = px + 3 + width > area.right();
        const double start = leftOfLine ? px - 3 - width : px + 3;
        int row = 0;
        while (row < rowEnd.size() - 1 && rowEnd[row] > start)
            ++row;
        rowEnd[row] = start + width;
        label->setPositionAlignment((leftOfLine ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignTop);
        label->position->setTypeX(QCPItemPosition::ptAbsolute);
        label->position->setCoords(leftOfLine ? px - 3 : px + 3, area.top() + 2 + row * (fm.height() + 1));
        label->setVisible(px >= area.left() && px <= area.right());
    }
}

} // namespace awb
