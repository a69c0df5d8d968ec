#include "reward_curves_view.h"

#include "curve_smoothing.h"

#include <qcustomplot.h>

#include <QComboBox>
#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <numeric>

// RewardCurvesView, the plot side: the two axis rects and legends, building
// the curves from the data, axis ranges and mouse handling. The x axis's
// choice and the step markers are in reward_curves_markers.cpp.

namespace awb {

namespace {

using Series = RewardCurvesView::Series;

const char *const kAspectColours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                      "#9467bd", "#8c564b", "#e377c2", "#17becf"};
const QColor kRewardColour("#222222");
const QColor kKlColour("#6a3d9a");
const QColor kLossColour("#b15928");
const QColor kMarginColour("#1f78b4");
constexpr int kLegendBudgetTop = 24;      // entries the upper legend shows without overlap at the usual size
constexpr int kLegendBudgetBottom = 6;
const QColor kAccuracyColour("#33a02c");
const QColor kHiddenText("#a0a0a0");

QColor seriesColour(Series s, int aspect)
{
    switch (s) {
    case Series::Aspect:
    case Series::GoldAspect: return QColor(kAspectColours[aspect % 8]);
    case Series::Reward:
    case Series::GoldObjective: return kRewardColour;
    case Series::Kl: return kKlColour;
    case Series::Loss:
    case Series::ValueLoss: return kLossColour;
    case Series::RewardMargin: return kMarginColour;
    case Series::RewardAccuracy: return kAccuracyColour;
    case Series::Lambda:
    case Series::ViolationRate: return QColor(kAspectColours[aspect % 8]);
    }
    return kRewardColour;
}

// The lower plot: KL, DPO's reward margins and the constraints' lambdas on the left axis,
// the losses, DPO's accuracy and the constraints' violation rates on the right.
bool lowerPlot(Series s)
{
    return s == Series::Kl || s == Series::Loss || s == Series::ValueLoss || s == Series::RewardMargin ||
           s == Series::RewardAccuracy || s == Series::Lambda || s == Series::ViolationRate;
}

void styleAxis(QCPAxis *axis, const QString &label)
{
    QFont f = axis->labelFont();
    f.setPointSizeF(9);
    axis->setLabelFont(f);
    f.setPointSizeF(8);
    axis->setTickLabelFont(f);
    axis->setLabel(label);
    axis->setLabelPadding(4);
    axis->grid()->setPen(QPen(QColor(225, 225, 225), 0, Qt::SolidLine));
}

} // namespace

QColor RewardCurvesView::lighter(QColor c, double towardsWhite)
{
    return QColor::fromRgbF(float(c.redF() + (1 - c.redF()) * towardsWhite),
                            float(c.greenF() + (1 - c.greenF()) * towardsWhite),
                            float(c.blueF() + (1 - c.blueF()) * towardsWhite));
}

double RewardCurvesView::valueOf(const view::StepPoint &p, Series s, int a, int region)
{
    auto at = [a](const QVector<double> &v) { return a >= 0 && a < v.size() ? v[a] : view::missing(); };
    if (region >= 0 && (s == Series::Aspect || s == Series::GoldAspect))
        return region < p.regionMeans.size() ? at(s == Series::Aspect ? p.regionMeans[region] : p.regionGold[region])
                                             : view::missing();
    switch (s) {
    case Series::Aspect: return a < p.aspectMeans.size() ? p.aspectMeans[a] : view::missing();
    case Series::Lambda: return at(p.lambdas);
    case Series::ViolationRate: return at(p.violationRates);
    case Series::GoldAspect:   // off the demo, the human labels' mean stands in for gold
        if (!p.goldMeans.isEmpty())
            return a < p.goldMeans.size() ? p.goldMeans[a] : view::missing();
        return a < p.labelMeans.size() ? p.labelMeans[a] : view::missing();
    case Series::Reward: return p.rewardMean;
    case Series::GoldObjective: return p.goldObjective;
    case Series::Kl: return p.kl;
    case Series::Loss: return p.loss;
    case Series::ValueLoss: return p.valueLoss;
    case Series::RewardMargin: return p.rewardMargin;
    case Series::RewardAccuracy: return p.rewardAccuracy;
    }
    return view::missing();
}

void RewardCurvesView::setupPlot()
{
    m_plot->setAutoAddPlottableToLegend(false);
    m_plot->setNoAntialiasingOnDrag(true);
    m_plot->addLayer(QStringLiteral("markers"), m_plot->layer(QStringLiteral("grid")), QCustomPlot::limAbove);
    m_plot->addLayer(QStringLiteral("raw"), m_plot->layer(QStringLiteral("markers")), QCustomPlot::limAbove);

    m_topRect = m_plot->axisRect();
    m_topLegend = m_plot->legend;
    m_topRect->insetLayout()->take(m_topLegend);
    m_topRect->insetLayout()->simplify();
    m_bottomRect = new QCPAxisRect(m_plot);
    m_plot->plotLayout()->addElement(1, 0, m_bottomRect);
    m_bottomLegend = new QCPLegend;

    auto *group = new QCPMarginGroup(m_plot);
    QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
    ticker->setTickStep(1.0);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    int row = 0;
    for (auto [rect, legend] : {std::pair(m_topRect, m_topLegend), std::pair(m_bottomRect, m_bottomLegend)}) {
        // Each legend sits right of its rect, top-aligned: a spacer below takes the rest.
        auto *side = new QCPLayoutGrid;
        (row == 0 ? m_topSide : m_bottomSide) = side;
        m_plot->plotLayout()->addElement(row++, 1, side);
        side->addElement(0, 0, legend);
        side->addElement(1, 0, new QCPLayoutElement(m_plot));
        side->setRowStretchFactors({0.001, 1.0});
        side->setMargins(QMargins(6, 0, 4, 0));   // keeps the legend's border off the edge
        legend->setLayer(QStringLiteral("legend"));
        legend->setVisible(true);
        QFont f = legend->font();
        f.setPointSizeF(8.5);
        legend->setFont(f);
        legend->setIconSize(22, 10);
        legend->setRowSpacing(-2);
        legend->setBorderPen(QPen(QColor(200, 200, 200)));
        legend->setSelectableParts(QCPLegend::spItems);
        rect->setMarginGroup(QCP::msLeft | QCP::msRight, group);
        rect->axis(QCPAxis::atRight)->setVisible(true);
        rect->axis(QCPAxis::atBottom)->setTicker(ticker);
        rect->setRangeDrag(Qt::Horizontal);
        rect->setRangeZoom(Qt::Horizontal);
        rect->setRangeDragAxes(rect->axis(QCPAxis::atBottom), nullptr);
        rect->setRangeZoomAxes(rect->axis(QCPAxis::atBottom), nullptr);
        connect(rect->axis(QCPAxis::atBottom), qOverload<const QCPRange &>(&QCPAxis::rangeChanged), this,
                [this](const QCPRange &r) {
                    if (m_settingRange)
                        return;
                    m_userView = true;
                    applyXRange(r.lower, r.upper);
                    fitValueAxes();
                });
    }
    m_plot->plotLayout()->setColumnStretchFactor(1, 0.001);
    m_plot->plotLayout()->setRowStretchFactors({1.8, 1.0});
    m_plot->plotLayout()->setRowSpacing(2);
    styleAxis(m_topRect->axis(QCPAxis::atBottom), QString());
    m_topRect->axis(QCPAxis::atBottom)->setTickLabels(false);
    styleAxis(m_topRect->axis(QCPAxis::atLeft), tr("score (gold dashed)"));
    styleAxis(m_topRect->axis(QCPAxis::atRight), tr("combined reward"));
    styleAxis(m_bottomRect->axis(QCPAxis::atBottom), tr("step"));
    styleAxis(m_bottomRect->axis(QCPAxis::atLeft), tr("KL"));
    styleAxis(m_bottomRect->axis(QCPAxis::atRight), tr("loss"));
    m_bottomRect->axis(QCPAxis::atLeft)->setLabelColor(kKlColour);
    m_bottomRect->axis(QCPAxis::atRight)->setLabelColor(kLossColour);

    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    connect(m_plot, &QCustomPlot::legendClick, this, &RewardCurvesView::onLegendClick);
    connect(m_plot, &QCustomPlot::mouseMove, this, &RewardCurvesView::onMouseMove);
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, &RewardCurvesView::onDoubleClick);
    connect(m_plot, &QCustomPlot::afterLayout, this, &RewardCurvesView::layoutMarkerLabels);
}

void RewardCurvesView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    setLegendsBelow(width() < kLegendsBelowWidth);
}

void RewardCurvesView::setLegendsBelow(bool below)
{
    if (below == m_legendsBelow)
        return;
    m_legendsBelow = below;
    QCPLayoutGrid *layout = m_plot->plotLayout();
    if (below) {
        m_topSide->take(m_topLegend);
        m_bottomSide->take(m_bottomLegend);
        layout->take(m_topSide);
        layout->take(m_bottomSide);
        layout->simplify();
        m_legendRow = new QCPLayoutGrid;
        layout->addElement(2, 0, m_legendRow);
        m_legendRow->addElement(0, 0, m_topLegend);
        m_legendRow->addElement(0, 1, m_bottomLegend);
        m_legendRow->setColumnStretchFactors({3.0, 1.0});
        m_legendRow->setMargins(QMargins(0, 2, 4, 0));
        layout->setRowStretchFactors({1.8, 1.0, 0.001});
    } else {
        m_legendRow->take(m_topLegend);
        m_legendRow->take(m_bottomLegend);
        layout->remove(m_legendRow);
        m_legendRow = nullptr;
        layout->simplify();
        layout->addElement(0, 1, m_topSide);
        layout->addElement(1, 1, m_bottomSide);
        m_topSide->addElement(0, 0, m_topLegend);
        m_bottomSide->addElement(0, 0, m_bottomLegend);
        layout->setColumnStretchFactor(1, 0.001);
        layout->setRowStretchFactors({1.8, 1.0});
    }
    // Below: rows of three entries (the KL/loss legend one per row); beside: one column.
    m_topLegend->setFillOrder(below ? QCPLayoutGrid::foColumnsFirst : QCPLayoutGrid::foRowsFirst, false);
    m_topLegend->setWrap(below ? 3 : 0);
    fillLegends();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

qint64 RewardCurvesView::newestRun() const
{
    return m_runs.isEmpty() ? 0 : m_runs.lastKey();
}

QVector<RewardCurvesView::Key> RewardCurvesView::wantedCurves() const
{
    QVector<Key> keys;
    for (auto it = m_runs.cbegin(); it != m_runs.cend(); ++it) {
        auto has = [&](Series s, int a) {
            for (const view::StepPoint &p : it->points)
                if (std::isfinite(valueOf(p, s, a, m_region)))
                    return true;
            return false;
        };
        for (int a = 0; a < m_aspects.size(); ++a)
            for (Series s : {Series::Aspect, Series::GoldAspect, Series::Lambda, Series::ViolationRate})
                if (has(s, a))
                    keys.append({it.key(), s, a});
        for (Series s : {Series::Reward, Series::GoldObjective, Series::Kl, Series::Loss, Series::ValueLoss,
                         Series::RewardMargin, Series::RewardAccuracy})
            if (has(s, -1))
                keys.append({it.key(), s, -1});
    }
    return keys;
}

QString RewardCurvesView::seriesLabel(const Key &key) const
{
    const QString aspect = key.aspect >= 0 && key.aspect < m_aspects.size() ? m_aspects[key.aspect].name : QString();
    QString label;
    switch (key.series) {
    case Series::Aspect: label = aspect; break;
    case Series::GoldAspect: label = hasGold(key.runId) ? tr("gold %1").arg(aspect) : tr("labels %1").arg(aspect); break;
    case Series::Reward: label = tr("combined reward"); break;
    case Series::GoldObjective: label = tr("gold objective"); break;
    case Series::Kl: label = tr("KL"); break;
    case Series::Loss: label = tr("loss"); break;
    case Series::ValueLoss: label = tr("value loss"); break;
    case Series::RewardMargin: label = tr("reward margin"); break;
    case Series::RewardAccuracy: label = tr("preference accuracy"); break;
    case Series::Lambda: label = tr("lambda %1").arg(aspect); break;
    case Series::ViolationRate: label = tr("%1 violation rate").arg(aspect); break;
    }
    if (m_region >= 0 && m_region < m_aspects.size() && (key.series == Series::Aspect || key.series == Series::GoldAspect))
        label = tr("%1 (%2-heavy groups)").arg(label, m_aspects[m_region].name);
    if (key.runId != newestRun())
        label = tr("%1: %2").arg(m_runs.value(key.runId).name, label);
    return label;
}

void RewardCurvesView::rebuildCurves(const QVector<Key> &keys)
{
    m_topLegend->clearItems();
    m_bottomLegend->clearItems();
    m_plot->clearGraphs();
    m_curves.clear();
    m_keyOfGraph.clear();
    m_curveKeys = keys;
    // DPO's margin shares the KL axis, its accuracy the loss axis: the titles say so when they are drawn.
    // A constrained run's lambdas share the KL axis and its violation rates the loss axis likewise.
    bool margin = false, accuracy = false, lambda = false, violation = false;
    for (const Key &key : keys) {
        margin = margin || key.series == Series::RewardMargin;
        accuracy = accuracy || key.series == Series::RewardAccuracy;
        lambda = lambda || key.series == Series::Lambda;
        violation = violation || key.series == Series::ViolationRate;
    }
    QStringList left{tr("KL")}, right{tr("loss")};
    if (margin)
        left << tr("reward margin");
    if (lambda)
        left << tr("lambda");
    if (accuracy)
        right << tr("accuracy");
    if (violation)
        right << tr("violation rate");
    m_bottomRect->axis(QCPAxis::atLeft)->setLabel(left.join(QStringLiteral(", ")));
    m_bottomRect->axis(QCPAxis::atRight)->setLabel(right.join(QStringLiteral(", ")));
    const qint64 newest = newestRun();
    for (const Key &key : keys) {
        const bool top = !lowerPlot(key.series);
        // The combined reward is a weighted sum (its scale follows the weights); the gold
        // objective is a weighted mean of gold scores, so it shares the aspects' scale.
        const bool right = key.series == Series::Reward || key.series == Series::Loss || key.series == Series::ValueLoss ||
                           key.series == Series::RewardAccuracy || key.series == Series::ViolationRate;
        QCPAxisRect *rect = top ? m_topRect : m_bottomRect;
        QCPAxis *x = rect->axis(QCPAxis::atBottom);
        QCPAxis *y = rect->axis(right ? QCPAxis::atRight : QCPAxis::atLeft);
        const bool old = key.runId != newest;
        const bool gold = key.series == Series::GoldAspect || key.series == Series::GoldObjective;
        QColor colour = seriesColour(key.series, key.aspect);
        if (old)
            colour = lighter(colour, 0.5);
        double width = key.series == Series::Reward || key.series == Series::GoldObjective ? 2.6 : 1.6;
        if (old)
            width *= 0.6;
        const Qt::PenStyle style = gold ? Qt::DashLine
                                   : key.series == Series::ValueLoss || key.series == Series::Lambda ? Qt::DashDotLine
                                   : key.series == Series::ViolationRate ? Qt::DotLine
                                                                         : Qt::SolidLine;
        QPen pen(colour, width, style);
        if (gold)
            pen.setDashPattern({4.0, 2.5});

        Curve curve;
        curve.raw = m_plot->addGraph(x, y);
        curve.raw->setLayer(QStringLiteral("raw"));
        QColor faint = colour;
        faint.setAlpha(60);
        curve.raw->setPen(QPen(faint, 1.0, pen.style()));
        curve.line = m_plot->addGraph(x, y);
        curve.line->setPen(pen);
        curve.line->setName(seriesLabel(key));
        const bool hidden = m_hidden.contains(key);
        curve.line->setVisible(!hidden);
        m_curves[key] = curve;
        m_keyOfGraph.insert(curve.line, key);
    }
    fillLegends();
}

// Legend: newest run first, each run's curves in the order of m_curveKeys. Below
// the plots (a narrow view) the gold aspect curves have no entries of their own:
// they share their aspect's colour, and the axis title says gold is dashed.
void RewardCurvesView::fillLegends()
{
    m_topLegend->clearItems();
    m_bottomLegend->clearItems();
    QList<qint64> ids = m_runs.keys();
    std::reverse(ids.begin(), ids.end());
    const qint64 newest = newestRun();
    auto listed = [&](const Key &key) { return !(m_legendsBelow && key.series == Series::GoldAspect); };
    // With many overlaid runs the entries would overlap: older runs then keep only
    // their headline entries (combined reward and gold objective above, loss below).
    int top = 0, bottom = 0;
    for (const Key &key : m_curveKeys)
        if (listed(key))
            ++(lowerPlot(key.series) ? bottom : top);
    const bool trimTop = top > kLegendBudgetTop, trimBottom = bottom > kLegendBudgetBottom;
    auto headline = [](Series s) { return s == Series::Reward || s == Series::GoldObjective || s == Series::Loss; };
    for (qint64 id : ids)
        for (const Key &key : m_curveKeys) {
            if (key.runId != id || !listed(key))
                continue;
            const bool lower = lowerPlot(key.series);
            if (id != newest && (lower ? trimBottom : trimTop) && !headline(key.series))
                continue;
            QCPLegend *legend = lower ? m_bottomLegend : m_topLegend;
            QCPGraph *g = m_curves[key].line;
            g->addToLegend(legend);
            if (m_hidden.contains(key))
                legend->itemWithPlottable(g)->setTextColor(kHiddenText);
        }
}

QPair<double, double> RewardCurvesView::fullStepRange() const
{
    double lo = 0, hi = 0;
    bool any = false;
    for (auto it = m_runs.cbegin(); it != m_runs.cend(); ++it)
        for (int step : it->points.keys()) {
            const double x = xOf(it.key(), step);
            if (!std::isfinite(x))
                continue;
            lo = any ? std::min(lo, x) : x;
            hi = any ? std::max(hi, x) : x;
            any = true;
        }
    if (!any)
        return {0.0, 10.0};
    if (m_xAxis == XAxis::SqrtKl && hi - lo < 1.0) {   // sqrt(KL) spans a few units at most
        const double pad = std::max((hi - lo) * 0.02, 1e-3);
        return {lo - pad, hi + pad};
    }
    if (hi - lo < 1.0)
        return {lo - 1.0, hi + 1.0};
    const double pad = (hi - lo) * 0.01;
    return {lo - pad, hi + pad};
}

void RewardCurvesView::applyXRange(double lower, double upper)
{
    m_settingRange = true;
    m_topRect->axis(QCPAxis::atBottom)->setRange(lower, upper);
    m_bottomRect->axis(QCPAxis::atBottom)->setRange(lower, upper);
    m_settingRange = false;
}

// Value axes follow the visible steps; the aspect axis always shows the aspects' range.
void RewardCurvesView::fitValueAxes()
{
    const QCPRange keys = m_topRect->axis(QCPAxis::atBottom)->range();
    auto fit = [&](QCPAxis *axis, bool haveFloor, double floorLo, double floorHi) {
        bool found = haveFloor;
        QCPRange range(floorLo, floorHi);
        for (QCPGraph *g : axis->graphs()) {
            if (!g->visible())
                continue;
            bool ok = false;
            const QCPRange r = g->getValueRange(ok, QCP::sdBoth, keys);
            if (!ok)
                continue;
            range = found ? QCPRange(std::min(range.lower, r.lower), std::max(range.upper, r.upper)) : r;
            found = true;
        }
        if (!found)
            range = QCPRange(0.0, 1.0);
        double span = range.size();
        if (span <= 0.0)
            span = std::max(std::abs(range.lower) * 0.2, 0.02);
        axis->setRange(range.lower - span * 0.05, range.upper + span * 0.05);
    };
    double lo = 0.0, hi = 1.0;
    for (int i = 0; i < m_aspects.size(); ++i) {
        lo = i == 0 ? m_aspects[i].min : std::min(lo, m_aspects[i].min);
        hi = i == 0 ? m_aspects[i].max : std::max(hi, m_aspects[i].max);
    }
    fit(m_topRect->axis(QCPAxis::atLeft), true, lo, hi);
    fit(m_topRect->axis(QCPAxis::atRight), false, 0, 0);
    fit(m_bottomRect->axis(QCPAxis::atLeft), false, 0, 0);
    fit(m_bottomRect->axis(QCPAxis::atRight), false, 0, 0);
}

void RewardCurvesView::onLegendClick(QCPLegend *, QCPAbstractLegendItem *item, QMouseEvent *)
{
    auto *entry = qobject_cast<QCPPlottableLegendItem *>(item);
    auto *graph = entry ? qobject_cast<QCPGraph *>(entry->plottable()) : nullptr;
    if (!graph || !m_keyOfGraph.contains(graph))
        return;
    const Key key = m_keyOfGraph.value(graph);
    const bool hide = graph->visible();
    QVector<Key> keys{key};
    if (m_legendsBelow && key.series == Series::Aspect) {   // its gold curve has no entry there
        Key gold = key;
        gold.series = Series::GoldAspect;
        if (m_curves.count(gold))
            keys.push_back(gold);
    }
    for (const Key &k : keys) {
        if (hide && !m_hidden.contains(k))
            m_hidden.append(k);
        else if (!hide)
            m_hidden.removeAll(k);
        m_curves[k].line->setVisible(!hide);
        m_curves[k].raw->setVisible(!hide && m_showRaw && m_smoothing > 0.0);
    }
    entry->setTextColor(hide ? kHiddenText : Qt::black);
    fitValueAxes();
    m_plot->replot();
}

void RewardCurvesView::onMouseMove(QMouseEvent *event)
{
    if (event->buttons() != Qt::NoButton || m_runs.isEmpty())
        return;
    const QPoint pos = event->pos();
    QCPAxisRect *rect = m_topRect->rect().contains(pos) ? m_topRect
                        : m_bottomRect->rect().contains(pos) ? m_bottomRect : nullptr;
    const Run &run = m_runs.last();
    if (!rect || run.points.isEmpty()) {
        QToolTip::hideText();
        return;
    }
    const double x = rect->axis(QCPAxis::atBottom)->pixelToCoord(pos.x());
    const view::StepPoint &p = run.points[nearestStep(run, m_runs.lastKey(), x)];
    auto num = [](double v) { return std::isfinite(v) ? QString::number(v, 'g', 4) : QStringLiteral("–"); };
    QStringList lines{tr("<b>%1, step %2</b>").arg(run.name.toHtmlEscaped()).arg(p.step)};
    for (int a = 0; a < m_aspects.size(); ++a) {
        QString line = tr("%1: %2").arg(m_aspects[a].name.toHtmlEscaped(), num(valueOf(p, Series::Aspect, a, m_region)));
        if (a < p.goldMeans.size())
            line += tr(" (gold %1)").arg(num(p.goldMeans[a]));
        lines << line;
    }
    lines << tr("combined reward: %1").arg(num(p.rewardMean));
    if (std::isfinite(p.goldObjective))
        lines << tr("gold objective: %1").arg(num(p.goldObjective));
    lines << tr("KL: %1 · loss: %2").arg(num(p.kl), num(p.loss));
    for (const view::StepMarker &m : m_markers)
        if (m.step == p.step && m.runId == newestRun())
            lines << tr("<i>%1</i>").arg((m.text.isEmpty() ? m.kind : m.text).toHtmlEscaped());
    QToolTip::showText(event->globalPosition().toPoint(), lines.join(QStringLiteral("<br>")), m_plot);
}

void RewardCurvesView::onDoubleClick(QMouseEvent *event)
{
    if (m_runs.isEmpty() || m_runs.last().points.isEmpty())
        return;
    const double x = m_topRect->axis(QCPAxis::atBottom)->pixelToCoord(event->pos().x());
    emit stepActivated(m_runs.lastKey(), nearestStep(m_runs.last(), m_runs.lastKey(), x));
}

} // namespace awb
