#include "reward_curves_view.h"

#include "csv_text.h"
#include "plot_export.h"

#include <qcustomplot.h>

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

// RewardCurvesView, the widget side: controls, the data it is given, the
// coalesced redraw and the exports. The plot side is reward_curves_plot.cpp.

namespace awb {

RewardCurvesView::RewardCurvesView(QWidget *parent)
    : QWidget(parent)
{
    m_redrawTimer = new QTimer(this);
    m_redrawTimer->setSingleShot(true);
    m_redrawTimer->setInterval(50);
    connect(m_redrawTimer, &QTimer::timeout, this, &RewardCurvesView::redraw);
    buildUi();
    setupPlot();
    setAspects({{QStringLiteral("politeness")}, {QStringLiteral("meaningfulness")},
                {QStringLiteral("actionability")}, {QStringLiteral("safety")}});
    redrawNow();
}

RewardCurvesView::~RewardCurvesView() = default;

void RewardCurvesView::buildUi()
{
    auto *smoothingLabel = new QLabel(tr("&Smoothing"), this);
    m_smoothingSlider = new QSlider(Qt::Horizontal, this);
    m_smoothingSlider->setObjectName(QStringLiteral("smoothingSlider"));
    m_smoothingSlider->setRange(0, 99);
    m_smoothingSlider->setFixedWidth(70);
    m_smoothingSpin = new QDoubleSpinBox(this);
    m_smoothingSpin->setObjectName(QStringLiteral("smoothingSpin"));
    m_smoothingSpin->setRange(0.0, 0.99);
    m_smoothingSpin->setSingleStep(0.05);
    m_smoothingSpin->setDecimals(2);
    smoothingLabel->setBuddy(m_smoothingSpin);
    const QString smoothingTip = tr("Exponential moving average weight (as in TensorBoard), 0 = raw values. "
                                    "Exports always write raw values.");
    for (QWidget *w : {static_cast<QWidget *>(smoothingLabel), static_cast<QWidget *>(m_smoothingSlider),
                       static_cast<QWidget *>(m_smoothingSpin)})
        w->setToolTip(smoothingTip);
    connect(m_smoothingSlider, &QSlider::valueChanged, this, [this](int v) { setSmoothing(v / 100.0); });
    connect(m_smoothingSpin, qOverload<double>(&QDoubleSpinBox::valueChanged), this,
            [this](double v) { setSmoothing(v); });

    m_rawCheck = new QCheckBox(tr("Ra&w"), this);
    m_rawCheck->setObjectName(QStringLiteral("showRawCheck"));
    m_rawCheck->setToolTip(tr("Draw the unsmoothed values faintly behind the smoothed curves"));
    m_rawCheck->setChecked(m_showRaw);
    connect(m_rawCheck, &QCheckBox::toggled, this, &RewardCurvesView::setShowRaw);

    auto *xLabel = new QLabel(tr("&x axis"), this);
    m_xAxisCombo = new QComboBox(this);
    m_xAxisCombo->setObjectName(QStringLiteral("xAxisCombo"));
    m_xAxisCombo->addItem(tr("step"));
    m_xAxisCombo->addItem(tr("wall-clock s"));
    m_xAxisCombo->addItem(tr("tokens"));
    m_xAxisCombo->addItem(tr("\u221aKL"));
    m_xAxisCombo->setToolTip(tr("Plot against the step, the run's wall-clock seconds or its generated tokens, "
                                "so that runs of different algorithms compare fairly; or against \u221aKL from the "
                                "reference, where over-optimisation shows as gold falling while the proxy rises"));
    xLabel->setBuddy(m_xAxisCombo);
    connect(m_xAxisCombo, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this](int i) { setXAxis(static_cast<XAxis>(i)); });

    m_regionLabel = new QLabel(tr("&Groups"), this);
    m_regionCombo = new QComboBox(this);
    m_regionCombo->setObjectName(QStringLiteral("regionCombo"));
    m_regionCombo->setToolTip(tr("A steerable run's aspect curves over all its groups, or only over the groups "
                                 "whose largest weight was one aspect: the curves split by weight region"));
    m_regionLabel->setBuddy(m_regionCombo);
    connect(m_regionCombo, qOverload<int>(&QComboBox::currentIndexChanged), this, [this](int i) {
        m_region = i < 0 ? -1 : m_regionCombo->itemData(i).toInt();
        m_curveKeys.clear();   // labels change
        scheduleRedraw();
    });

    auto *resetAction = new QAction(tr("&Reset view"), this);
    resetAction->setObjectName(QStringLiteral("actionResetView"));
    resetAction->setShortcut(QKeySequence(Qt::Key_R));
    resetAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    // The mouse help lives in this tool tip: a hint line in the tool bar did not fit half a window.
    resetAction->setToolTip(tr("Show all steps and fit the value axes (R).\n"
                               "Mouse wheel zooms the step axis, dragging pans it.\n"
                               "Click a legend entry to hide or show its curve.\n"
                               "Hover for the values of the newest run; double click opens that step."));
    connect(resetAction, &QAction::triggered, this, &RewardCurvesView::resetView);
    addAction(resetAction);
    auto *resetButton = new QToolButton(this);
    resetButton->setObjectName(QStringLiteral("resetViewButton"));
    resetButton->setDefaultAction(resetAction);

    ExportButtonSpec exportSpec;
    exportSpec.text = tr("&Export");
    exportSpec.toolTip = tr("Save the plot (PNG, SVG, PDF) or the raw values of every run (CSV)");
    exportSpec.dialogTitle = tr("Export reward curves");
    exportSpec.baseName = QStringLiteral("reward_curves");
    exportSpec.csvMenuText = tr("Export raw values as &CSV…");
    exportSpec.extraCsv.push_back({tr("Export &over-optimisation points as CSV\u2026"),
                                   QStringLiteral("actionExportOveroptimisation"), QStringLiteral("overoptimisation"),
                                   QStringLiteral("overoptimisation")});
    exportSpec.write = [this](const QString &path, const QString &kind, QString *error) {
        if (kind == QLatin1String("overoptimisation"))
            return exportOveroptimisationCsv(path, error);
        return kind == QLatin1String("csv") ? exportCsv(path, error) : exportImage(path, kind, error);
    };
    QToolButton *exportButton = createExportButton(this, exportSpec);
    exportButton->setObjectName(QStringLiteral("exportButton"));

    auto *bar = new QHBoxLayout;
    bar->addWidget(smoothingLabel);
    bar->addWidget(m_smoothingSlider);
    bar->addWidget(m_smoothingSpin);
    bar->addSpacing(8);
    bar->addWidget(m_rawCheck);
    bar->addSpacing(8);
    bar->addWidget(xLabel);
    bar->addWidget(m_xAxisCombo);
    bar->addSpacing(8);
    bar->addWidget(m_regionLabel);
    bar->addWidget(m_regionCombo);
    bar->addStretch(1);
    bar->addWidget(resetButton);
    bar->addWidget(exportButton);

    m_plot = new QCustomPlot(this);
    m_plot->setObjectName(QStringLiteral("curvesPlot"));
    m_plot->setMinimumSize(300, 260);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(m_plot, 1);
    setSmoothing(m_smoothing);
    updateRegionCombo();
}

// The region choice shows only while a run with weight regions is drawn.
void RewardCurvesView::updateRegionCombo()
{
    bool regions = false;
    for (const Run &run : m_runs)
        for (const view::StepPoint &p : run.points)
            if (!p.regionMeans.isEmpty()) {
                regions = true;
                break;
            }
    const int wanted = regions ? int(m_aspects.size()) + 1 : 0;
    if (m_regionCombo->count() != wanted) {
        const QSignalBlocker block(m_regionCombo);
        m_regionCombo->clear();
        if (regions) {
            m_regionCombo->addItem(tr("all"), -1);
            for (int j = 0; j < m_aspects.size(); ++j)
                m_regionCombo->addItem(tr("%1-heavy").arg(m_aspects[j].name), j);
        }
        m_regionCombo->setCurrentIndex(regions ? std::clamp(m_region + 1, 0, int(m_aspects.size())) : -1);
        m_region = regions ? m_regionCombo->currentData().toInt() : -1;
        m_curveKeys.clear();
    }
    m_regionLabel->setVisible(regions);
    m_regionCombo->setVisible(regions);
}

void RewardCurvesView::setAspects(const QVector<view::AspectSpec> &aspects)
{
    m_aspects = aspects;
    m_curveKeys.clear();   // names changed: rebuild the legend
    m_regionCombo->clear();   // the names of the regions too
    updateRegionCombo();
    scheduleRedraw();
}

void RewardCurvesView::setRun(qint64 runId, const QString &name, const QVector<view::StepPoint> &points)
{
    Run &run = m_runs[runId];
    run.name = name;
    run.points.clear();
    for (const view::StepPoint &p : points)
        run.points.insert(p.step, p);
    m_curveKeys.clear();
    m_markersDirty = true;
    updateRegionCombo();
    scheduleRedraw();
}

void RewardCurvesView::appendPoint(const view::StepPoint &point)
{
    if (!m_runs.contains(point.runId)) {
        m_runs[point.runId].name = tr("run %1").arg(point.runId);
        m_markersDirty = true;
    }
    m_runs[point.runId].points.insert(point.step, point);
    if (!point.regionMeans.isEmpty() && m_regionCombo->isHidden())
        updateRegionCombo();
    scheduleRedraw();
}

void RewardCurvesView::removeRun(qint64 runId)
{
    m_runs.remove(runId);
    m_markers.erase(std::remove_if(m_markers.begin(), m_markers.end(),
                                   [runId](const view::StepMarker &m) { return m.runId == runId; }),
                    m_markers.end());
    m_curveKeys.clear();
    m_markersDirty = true;
    updateRegionCombo();
    scheduleRedraw();
}

void RewardCurvesView::clear()
{
    m_runs.clear();
    m_markers.clear();
    m_markersDirty = true;
    m_userView = false;
    updateRegionCombo();
    scheduleRedraw();
}

void RewardCurvesView::setMarkers(const QVector<view::StepMarker> &markers)
{
    m_markers = markers;
    m_markersDirty = true;
    scheduleRedraw();
}

void RewardCurvesView::appendMarker(const view::StepMarker &marker)
{
    m_markers.append(marker);
    m_markersDirty = true;
    scheduleRedraw();
}

double RewardCurvesView::smoothing() const
{
    return m_smoothing;
}

void RewardCurvesView::setSmoothing(double weight)
{
    const double w = std::round(std::clamp(weight, 0.0, 0.99) * 100.0) / 100.0;
    const QSignalBlocker b1(m_smoothingSlider), b2(m_smoothingSpin);
    m_smoothingSlider->setValue(int(std::lround(w * 100.0)));
    m_smoothingSpin->setValue(w);
    if (w == m_smoothing)
        return;
    m_smoothing = w;
    scheduleRedraw();
}

void RewardCurvesView::setShowRaw(bool show)
{
    const QSignalBlocker blocker(m_rawCheck);
    m_rawCheck->setChecked(show);
    m_showRaw = show;
    scheduleRedraw();
}

void RewardCurvesView::scheduleRedraw()
{
    if (!m_redrawTimer->isActive())
        m_redrawTimer->start();
}

void RewardCurvesView::redrawNow()
{
    redraw();
}

void RewardCurvesView::redraw()
{
    m_redrawTimer->stop();
    const QVector<Key> keys = wantedCurves();
    if (keys.isEmpty() || keys != m_curveKeys)
        rebuildCurves(keys);
    updateCurveData();
    if (m_markersDirty)
        rebuildMarkers();
    rebuildPeaks();
    if (!m_userView) {
        const auto [lo, hi] = fullStepRange();
        applyXRange(lo, hi);
    }
    fitValueAxes();
    m_plot->replot();
}

void RewardCurvesView::resetView()
{
    m_userView = false;
    redraw();
}

QString RewardCurvesView::csvText() const
{
    QStringList header{QStringLiteral("run"), QStringLiteral("step"), QStringLiteral("reward_mean"),
                       QStringLiteral("kl"), QStringLiteral("loss")};
    for (const view::AspectSpec &a : m_aspects)
        header << csv::field(a.name);
    for (const view::AspectSpec &a : m_aspects)
        header << csv::field(QStringLiteral("gold_") + a.name);
    header << QStringLiteral("gold_objective");
    QString out = header.join(QLatin1Char(',')) + QLatin1Char('\n');
    for (const Run &run : m_runs)
        for (const view::StepPoint &p : run.points) {
            QStringList row{csv::field(run.name), QString::number(p.step), csv::number(p.rewardMean),
                            csv::number(p.kl), csv::number(p.loss)};
            for (int a = 0; a < m_aspects.size(); ++a)
                row << csv::number(valueOf(p, Series::Aspect, a));
            for (int a = 0; a < m_aspects.size(); ++a)
                row << csv::number(valueOf(p, Series::GoldAspect, a));
            row << csv::number(p.goldObjective);
            out += row.join(QLatin1Char(',')) + QLatin1Char('\n');
        }
    return out;
}

bool RewardCurvesView::exportCsv(const QString &path, QString *error) const
{
    return exportText(path, csvText(), error);
}

bool RewardCurvesView::exportImage(const QString &path, const QString &kind, QString *error, const QSize &size)
{
    redrawNow();
    return exportPlot(m_plot, path, kind, size, tr("Reward curves"), error);
}

int RewardCurvesView::markerCount() const
{
    return m_markerItems.size();
}

QVector<double> RewardCurvesView::markerSteps() const
{
    QVector<double> steps;
    for (const auto &items : m_markerItems)
        steps.append(items.first.line->point1->coords().x());
    return steps;
}

QCPGraph *RewardCurvesView::seriesGraph(qint64 runId, Series series, int aspectIndex) const
{
    const auto it = m_curves.find(Key{runId, series, aspectIndex});
    return it == m_curves.end() ? nullptr : it->second.line;
}

QCPGraph *RewardCurvesView::rawGraph(qint64 runId, Series series, int aspectIndex) const
{
    const auto it = m_curves.find(Key{runId, series, aspectIndex});
    return it == m_curves.end() ? nullptr : it->second.raw;
}

QCPGraph *RewardCurvesView::graphFor(qint64 runId, int aspectIndex, bool gold) const
{
    return seriesGraph(runId, gold ? Series::GoldAspect : Series::Aspect, aspectIndex);
}

} // namespace awb
