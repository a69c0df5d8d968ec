#include "pareto_view.h"

#include "pareto.h"

#include <qcustomplot.h>

#include <QAction>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMouseEvent>
#include <QTimer>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace awb {

namespace {

constexpr int kReplotDelayMs = 50;
constexpr double kPickRadiusPx = 8.0;

bool finite(QPointF p)
{
    return std::isfinite(p.x()) && std::isfinite(p.y());
}
} // namespace

ParetoView::ParetoView(QWidget *parent)
    : QWidget(parent)
{
    m_xCombo = new QComboBox(this);
    m_xCombo->setObjectName(QStringLiteral("xAspectCombo"));
    m_xCombo->setToolTip(tr("Aspect on the horizontal axis (Alt+X)"));
    m_yCombo = new QComboBox(this);
    m_yCombo->setObjectName(QStringLiteral("yAspectCombo"));
    m_yCombo->setToolTip(tr("Aspect on the vertical axis (Alt+Y)"));
    for (QComboBox *c : {m_xCombo, m_yCombo}) {
        c->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        c->setMinimumContentsLength(9);
    }
    auto *xLabel = new QLabel(tr("&X axis:"), this);
    xLabel->setBuddy(m_xCombo);
    auto *yLabel = new QLabel(tr("&Y axis:"), this);
    yLabel->setBuddy(m_yCombo);

    auto *swap = new QToolButton(this);
    swap->setObjectName(QStringLiteral("swapAxesButton"));
    auto *swapAction = new QAction(tr("Swap"), this);
    swapAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_X));
    swapAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    swapAction->setToolTip(tr("Swap the X and Y aspects (Ctrl+Shift+X)"));
    swap->setDefaultAction(swapAction);
    addAction(swapAction);
    connect(swapAction, &QAction::triggered, this, [this] { setAxes(m_yAspect, m_xAspect); });

    m_sourceCombo = new QComboBox(this);
    m_sourceCombo->setObjectName(QStringLiteral("valueSourceCombo"));
    m_sourceCombo->addItem(tr("Reward model"));
    m_sourceCombo->addItem(tr("Gold judge"));
    m_sourceCombo->setToolTip(tr("Place the points by the reward model's scores (what training "
                                 "optimises) or by the gold judge's (the ground truth)"));
    m_sourceLabel = new QLabel(tr("&Values:"), this);
    m_sourceLabel->setBuddy(m_sourceCombo);

    // Two short rows rather than one long one, so the view fits half of a 1280-pixel window.
    auto *bar = new QHBoxLayout;
    bar->addWidget(xLabel);
    bar->addWidget(m_xCombo);
    bar->addSpacing(8);
    bar->addWidget(yLabel);
    bar->addWidget(m_yCombo);
    bar->addWidget(swap);
    bar->addStretch(1);
    bar->addWidget(buildSweepButton());
    bar->addWidget(buildExportButton());
    auto *sourceRow = new QHBoxLayout;
    sourceRow->addWidget(m_sourceLabel);
    sourceRow->addWidget(m_sourceCombo);
    sourceRow->addStretch(1);

    m_plot = new QCustomPlot(this);
    m_plot->setObjectName(QStringLiteral("paretoPlot"));
    m_plot->setMinimumSize(300, 200);
    m_plot->setMouseTracking(true);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->setAutoAddPlottableToLegend(false);
    m_plot->setContextMenuPolicy(Qt::CustomContextMenu);
    m_plot->setToolTip(QString());
    QFont tickFont = font();
    tickFont.setPointSizeF(std::max(8.0, font().pointSizeF() - 0.5));
    QFont labelFont = font();
    labelFont.setPointSizeF(font().pointSizeF() + 0.5);
    for (QCPAxis *axis : {m_plot->xAxis, m_plot->yAxis}) {
        axis->setTickLabelFont(tickFont);
        axis->setLabelFont(labelFont);
        axis->grid()->setPen(QPen(QColor(225, 225, 225), 0));
    }
    m_plot->legend->setVisible(true);
    m_plot->legend->setFont(tickFont);
    m_plot->legend->setBrush(QColor(255, 255, 255, 215));
    // The legend goes in a row under the plot, two entries per row: inside the axes
    // it would hide the front, which lies where the points are densest.
    m_plot->axisRect()->insetLayout()->take(m_plot->legend);
    m_plot->axisRect()->insetLayout()->simplify();
    m_plot->plotLayout()->addElement(1, 0, m_plot->legend);
    m_plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, false);
    m_plot->legend->setWrap(2);
    m_plot->legend->setBorderPen(Qt::NoPen);
    m_plot->legend->setMargins(QMargins(4, 0, 4, 2));
    m_plot->plotLayout()->setRowStretchFactors({1.0, 0.001});

    m_stepScale = new QCPColorScale(m_plot);
    m_stepScale->setType(QCPAxis::atRight);
    m_stepScale->setBarWidth(10);
    m_stepScale->setRangeDrag(false);
    m_stepScale->setRangeZoom(false);
    m_stepScale->axis()->setTickLabelFont(tickFont);
    m_stepScale->axis()->setLabelFont(tickFont);
    QSharedPointer<QCPAxisTickerFixed> intTicks(new QCPAxisTickerFixed);
    intTicks->setTickStep(1.0);
    intTicks->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    m_stepScale->axis()->setTicker(intTicks);
    m_plot->plotLayout()->addElement(0, 1, m_stepScale);
    auto *margins = new QCPMarginGroup(m_plot);
    m_plot->axisRect()->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
    m_stepScale->setMarginGroup(QCP::msTop | QCP::msBottom, margins);

    m_hvLabel = new QLabel(this);
    m_hvLabel->setObjectName(QStringLiteral("hypervolumeLabel"));
    m_hvLabel->setTextFormat(Qt::RichText);
    m_hvLabel->setWordWrap(true);
    m_hvLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_hvLabel->setToolTip(tr("Area dominated by the non-dominated samples and bounded below by the "
                             "reference point (both aspects maximised). Right-click the plot to "
                             "move the reference point."));

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addLayout(sourceRow);
    layout->addWidget(m_plot, 1);
    layout->addWidget(m_hvLabel);

    m_replotTimer = new QTimer(this);
    m_replotTimer->setSingleShot(true);
    m_replotTimer->setInterval(kReplotDelayMs);
    connect(m_replotTimer, &QTimer::timeout, this, &ParetoView::replotNow);

    connect(m_xCombo, qOverload<int>(&QComboBox::activated), this,
            [this](int i) { setAxes(i, m_yAspect); });
    connect(m_yCombo, qOverload<int>(&QComboBox::activated), this,
            [this](int i) { setAxes(m_xAspect, i); });
    connect(m_sourceCombo, qOverload<int>(&QComboBox::activated), this, [this](int i) {
        setValueSource(i == 1 ? ValueSource::Gold : ValueSource::RewardModel);
    });
    connect(m_plot, &QCustomPlot::mousePress, this, &ParetoView::onPlotPress);
    connect(m_plot, &QCustomPlot::mouseRelease, this, &ParetoView::onPlotRelease);
    connect(m_plot, &QCustomPlot::mouseMove, this, &ParetoView::onPlotMove);
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this] { resetRanges(); m_plot->replot(); });
    connect(m_plot, &QWidget::customContextMenuRequested, this, &ParetoView::showContextMenu);

    updateSourceCombo();
    recompute();
}

ParetoView::~ParetoView() = default;

void ParetoView::setAspects(const QVector<view::AspectSpec> &aspects)
{
    m_aspects = aspects;
    for (QComboBox *combo : {m_xCombo, m_yCombo}) {
        combo->clear();
        for (const view::AspectSpec &a : aspects)
            combo->addItem(a.name);
    }
    const int n = int(aspects.size());
    if (m_xAspect >= n || m_yAspect >= n) {
        m_xAspect = 0;
        m_yAspect = n > 1 ? 1 : 0;
        m_customReference.reset();
    }
    m_xCombo->setCurrentIndex(m_xAspect);
    m_yCombo->setCurrentIndex(m_yAspect);
    resetRanges();
    recompute();
}

void ParetoView::setTrajectory(const QVector<view::StepPoint> &points)
{
    m_trajectory = points;
    std::stable_sort(m_trajectory.begin(), m_trajectory.end(),
                     [](const view::StepPoint &a, const view::StepPoint &b) { return a.step < b.step; });
    updateSourceCombo();
    recompute();
}

void ParetoView::appendStep(const view::StepPoint &point)
{
    auto same = std::find_if(m_trajectory.begin(), m_trajectory.end(),
                             [&](const view::StepPoint &p) { return p.step == point.step; });
    if (same != m_trajectory.end()) {
        *same = point;
    } else {
        auto after = std::upper_bound(m_trajectory.begin(), m_trajectory.end(), point,
                                      [](const view::StepPoint &a, const view::StepPoint &b) { return a.step < b.step; });
        m_trajectory.insert(after, point);
    }
    updateSourceCombo();
    recompute();
}

void ParetoView::setSamples(int step, const QVector<view::SampleRow> &samples)
{
    m_samplesStep = step;
    m_samples = samples;
    updateSourceCombo();
    recompute();
}

void ParetoView::clearSamples()
{
    setSamples(-1, {});
}

void ParetoView::setAxes(int xAspect, int yAspect)
{
    const int n = int(m_aspects.size());
    if (xAspect < 0 || yAspect < 0 || xAspect >= n || yAspect >= n)
        return;
    if (xAspect != m_xAspect || yAspect != m_yAspect)
        m_customReference.reset();
    m_xAspect = xAspect;
    m_yAspect = yAspect;
    m_xCombo->setCurrentIndex(xAspect);
    m_yCombo->setCurrentIndex(yAspect);
    resetRanges();
    recompute();
}

void ParetoView::setReferencePoint(QPointF reference)
{
    if (!finite(reference))
        return;
    m_customReference = reference;
    recompute();
}

void ParetoView::resetReferencePoint()
{
    m_customReference.reset();
    recompute();
}

void ParetoView::setValueSource(ValueSource source)
{
    m_source = (source == ValueSource::Gold && hasGold()) ? ValueSource::Gold : ValueSource::RewardModel;
    m_sourceCombo->setCurrentIndex(m_source == ValueSource::Gold ? 1 : 0);
    recompute();
}

bool ParetoView::hasGold() const
{
    for (const view::StepPoint &p : m_trajectory)
        if (!p.goldMeans.isEmpty())
            return true;
    for (const view::SampleRow &s : m_samples)
        if (!s.gold.isEmpty())
            return true;
    return false;
}

QPointF ParetoView::referencePoint() const
{
    if (m_customReference)
        return *m_customReference;
    if (m_xAspect < m_aspects.size() && m_yAspect < m_aspects.size())
        return {m_aspects[m_xAspect].min, m_aspects[m_yAspect].min};
    return {0.0, 0.0};
}

QVector<qint64> ParetoView::frontSampleIds() const
{
    QVector<qint64> ids;
    for (int k : m_front)
        ids.push_back(m_samples[m_cloudSample[k]].id);
    return ids;
}

double ParetoView::sampleValue(const view::SampleRow &s, int aspect) const
{
    const QVector<double> &v = m_source == ValueSource::Gold ? s.gold : s.scores;
    return aspect < v.size() ? v[aspect] : view::missing();
}

double ParetoView::stepValue(const view::StepPoint &p, int aspect) const
{
    const QVector<double> &v = m_source == ValueSource::Gold ? p.goldMeans : p.aspectMeans;
    return aspect < v.size() ? v[aspect] : view::missing();
}

void ParetoView::recompute()
{
    m_cloudXY.clear();
    m_cloudSample.clear();
    m_trajXY.clear();
    m_trajStep.clear();
    if (!m_aspects.isEmpty()) {
        for (int i = 0; i < m_samples.size(); ++i) {
            const QPointF p(sampleValue(m_samples[i], m_xAspect), sampleValue(m_samples[i], m_yAspect));
            if (finite(p)) {
                m_cloudXY.push_back(p);
                m_cloudSample.push_back(i);
            }
        }
        for (int i = 0; i < m_trajectory.size(); ++i) {
            const QPointF p(stepValue(m_trajectory[i], m_xAspect), stepValue(m_trajectory[i], m_yAspect));
            if (finite(p)) {
                m_trajXY.push_back(p);
                m_trajStep.push_back(i);
            }
        }
    }
    m_front = paretoFrontIndices(m_cloudXY);
    m_hypervolume = hypervolume2D(m_cloudXY, referencePoint());
    updateLabel();
    scheduleReplot();
}

void ParetoView::updateLabel()
{
    if (m_aspects.isEmpty()) {
        m_hvLabel->setText(tr("No aspects to plot."));
        return;
    }
    const QPointF ref = referencePoint();
    const QString refText = tr("reference (%1 %2, %3 %4)%5")
                                .arg(m_aspects[m_xAspect].name).arg(ref.x(), 0, 'f', 2)
                                .arg(m_aspects[m_yAspect].name).arg(ref.y(), 0, 'f', 2)
                                .arg(m_customReference ? tr(", set by hand") : QString());
    QString sweep;
    if (!m_sweepStatus.isEmpty())
        sweep = QStringLiteral("<br>") + m_sweepStatus.toHtmlEscaped();
    else if (m_swept && sweptFrontShown())
        sweep = QStringLiteral("<br>") +
                tr("Swept front of %1: hypervolume <b>%2</b> (%3 weight vectors)")
                    .arg(m_swept->runLabel.toHtmlEscaped())
                    .arg(m_swept->hypervolume, 0, 'f', 4)
                    .arg(m_swept->points.size()) +
                (m_swept->fixedPoints.isEmpty()
                     ? QString()
                     : tr(" &nbsp;·&nbsp; %1 fixed-weight runs: <b>%2</b>")
                           .arg(m_swept->fixedPoints.size())
                           .arg(m_swept->fixedHypervolume, 0, 'f', 4));
    else if (m_swept)
        sweep = QStringLiteral("<br>") + tr("A swept front is measured on other axes or values; choose those to see it.");
    if (m_cloudXY.isEmpty()) {
        m_hvLabel->setText(tr("Hypervolume: no samples shown. Click a point of the trajectory to "
                              "load that step's samples. %1").arg(refText) + sweep);
        return;
    }
    m_hvLabel->setText(tr("Hypervolume of step %1's front: <b>%2</b> &nbsp;·&nbsp; %3 of %4 samples "
                          "non-dominated &nbsp;·&nbsp; %5")
                           .arg(m_samplesStep)
                           .arg(m_hypervolume, 0, 'f', 4)
                           .arg(m_front.size())
                           .arg(m_cloudXY.size())
                           .arg(refText) + sweep);
}

void ParetoView::updateSourceCombo()
{
    const bool gold = hasGold();
    m_sourceCombo->setVisible(gold);
    m_sourceLabel->setVisible(gold);
    if (!gold && m_source == ValueSource::Gold) {
        m_source = ValueSource::RewardModel;
        m_sourceCombo->setCurrentIndex(0);
    }
}

void ParetoView::scheduleReplot()
{
    if (!m_replotTimer->isActive())
        m_replotTimer->start();
}

void ParetoView::replotNow()
{
    m_replotTimer->stop();
    rebuildPlot();
    m_plot->replot();
}

ParetoView::Hit ParetoView::hitAt(const QPointF &pixel) const
{
    Hit best;
    double bestDist = kPickRadiusPx;
    auto consider = [&](const QVector<QPointF> &pts, Hit::Kind kind) {
        for (int i = 0; i < pts.size(); ++i) {
            const QPointF px(m_plot->xAxis->coordToPixel(pts[i].x()), m_plot->yAxis->coordToPixel(pts[i].y()));
            const double d = std::hypot(px.x() - pixel.x(), px.y() - pixel.y());
            if (d <= bestDist) {   // later kinds win ties: steps are drawn on top
                bestDist = d;
                best = Hit{kind, i};
            }
        }
    };
    consider(m_cloudXY, Hit::Sample);
    consider(m_trajXY, Hit::Step);
    return best;
}

QString ParetoView::describe(const Hit &hit) const
{
    const QString &xn = m_aspects[m_xAspect].name;
    const QString &yn = m_aspects[m_yAspect].name;
    if (hit.kind == Hit::Sample) {
        const view::SampleRow &s = m_samples[m_cloudSample[hit.index]];
        const QPointF p = m_cloudXY[hit.index];
        const bool onFront = m_front.contains(hit.index);
        return tr("Sample #%1 · step %2 · prompt %3, completion %4%5\n%6 %7 · %8 %9 · reward %10\n"
                  "Click to open the sample.")
            .arg(s.id).arg(s.step).arg(s.group + 1).arg(s.indexInGroup + 1)
            .arg(onFront ? tr(" · on the front") : QString())
            .arg(xn).arg(p.x(), 0, 'f', 3).arg(yn).arg(p.y(), 0, 'f', 3)
            .arg(s.reward, 0, 'f', 3);
    }
    const view::StepPoint &sp = m_trajectory[m_trajStep[hit.index]];
    const QPointF p = m_trajXY[hit.index];
    return tr("Step %1 means · %2 %3 · %4 %5 · reward %6\nClick to show this step's samples.")
        .arg(sp.step).arg(xn).arg(p.x(), 0, 'f', 3).arg(yn).arg(p.y(), 0, 'f', 3)
        .arg(sp.rewardMean, 0, 'f', 3);
}

void ParetoView::onPlotPress(QMouseEvent *event)
{
    m_pressed = event->button() == Qt::LeftButton;
    m_pressPos = event->position().toPoint();
}

void ParetoView::onPlotRelease(QMouseEvent *event)
{
    if (!m_pressed || event->button() != Qt::LeftButton)
        return;
    m_pressed = false;
    if ((event->position().toPoint() - m_pressPos).manhattanLength() > 4)
        return;   // a drag of the view, not a click
    const Hit hit = hitAt(event->position());
    if (hit.kind == Hit::Sample)
        emit sampleActivated(m_samples[m_cloudSample[hit.index]].id);
    else if (hit.kind == Hit::Step)
        emit stepActivated(m_trajectory[m_trajStep[hit.index]].step);
}

void ParetoView::onPlotMove(QMouseEvent *event)
{
    if (event->buttons() != Qt::NoButton || m_aspects.isEmpty())
        return;
    const Hit hit = hitAt(event->position());
    if (hit.kind == Hit::None) {
        QToolTip::hideText();
        m_plot->unsetCursor();
        return;
    }
    m_plot->setCursor(Qt::PointingHandCursor);
    QToolTip::showText(event->globalPosition().toPoint(), describe(hit), m_plot);
}

void ParetoView::showContextMenu(const QPoint &pos)
{
    if (m_aspects.isEmpty())
        return;
    const QPointF at(m_plot->xAxis->pixelToCoord(pos.x()), m_plot->yAxis->pixelToCoord(pos.y()));
    QMenu menu(this);
    menu.addAction(tr("Set hypervolume reference here (%1, %2)").arg(at.x(), 0, 'f', 2).arg(at.y(), 0, 'f', 2),
                   this, [this, at] { setReferencePoint(at); });
    menu.addAction(tr("Reset reference to the aspect minimums"), this, &ParetoView::resetReferencePoint)
        ->setEnabled(bool(m_customReference));
    menu.addSeparator();
    QAction *legend = menu.addAction(tr("Show legend"), this, [this](bool on) {
        m_plot->legend->setVisible(on);
        m_plot->replot();
    });
    legend->setCheckable(true);
    legend->setChecked(m_plot->legend->visible());
    menu.addAction(tr("Reset zoom (double-click)"), this, [this] { resetRanges(); m_plot->replot(); });
    menu.exec(m_plot->mapToGlobal(pos));
}

} // namespace awb
