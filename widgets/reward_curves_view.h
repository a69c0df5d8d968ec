#pragma once
// The reward curves of one or more GRPO runs, against the training step.
// Top: the reward model's mean per aspect (solid, left axis, the aspects'
// range) and the combined reward (thick, right axis: its scale depends on the
// weights and the aggregation, so it gets its own axis rather than being
// normalised); on runs with a gold judge, the gold mean per aspect dashed in
// its proxy's colour and the gold objective dashed on the right axis.
// Bottom: KL (left axis) and loss (right axis), with PPO's value loss beside
// the loss (dash-dotted) on runs that have one. The x axis is the step, or
// (to compare runs of different algorithms fairly) the run's cumulative
// wall-clock seconds or generated tokens; a step without the figure adds 0.
// Or sqrt(KL) from the reference per completion (the over-optimisation view of
// Gao et al. 2022): the points sorted by it, smoothed in that order. Off the
// demo the dashed curves are the human labels' mean of each step's labelled
// samples. On the newest run a ring on the dashed curve marks, per aspect,
// where gold (or the labels) stops rising while the proxy still rises
// (goldPeak, overoptimisation.h). Dashed vertical markers where
// the weights or the reward model changed. The newest run (highest id) is
// drawn strongest; older runs lighter and thinner, named "<run>: <series>".
// Clicking a legend entry hides/shows its curve; wheel zooms and drag pans the
// step axis; R or "Reset view" shows all steps again. Redraws are coalesced on
// a 50 ms single-shot timer. A view only: app/ feeds it view:: value types.
// GUI thread only.

#include "view_types.h"

#include <QHash>
#include <QMap>
#include <QSize>
#include <QVector>
#include <QWidget>

#include <map>

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QCPAbstractLegendItem;
class QCPAxis;
class QCPAxisRect;
class QCPGraph;
class QCPItemStraightLine;
class QCPItemText;
class QCPItemTracer;
class QCPLayoutGrid;
class QCPLegend;
class QDoubleSpinBox;
class QLabel;
class QMouseEvent;
class QSlider;
class QTimer;

namespace awb {

class RewardCurvesView : public QWidget
{
    Q_OBJECT

public:
    enum class Series { Aspect, GoldAspect, Reward, GoldObjective, Kl, Loss, ValueLoss, RewardMargin, RewardAccuracy,
                        Lambda, ViolationRate };   // the last two per constrained aspect
    enum class XAxis { Step, Seconds, Tokens, SqrtKl };   // combo box "xAxisCombo"

    explicit RewardCurvesView(QWidget *parent = nullptr);
    ~RewardCurvesView() override;

    void setAspects(const QVector<view::AspectSpec> &aspects);
    QVector<view::AspectSpec> aspects() const { return m_aspects; }

    // Replaces the run's points (any order; a repeated step keeps the last).
    void setRun(qint64 runId, const QString &name, const QVector<view::StepPoint> &points);
    // Adds or replaces one step of point.runId (the live run); an unknown run
    // is created and named "run <id>".
    void appendPoint(const view::StepPoint &point);
    void removeRun(qint64 runId);   // also drops its markers
    void clear();                   // runs and markers; the aspects stay
    QList<qint64> runIds() const { return m_runs.keys(); }

    void setMarkers(const QVector<view::StepMarker> &markers);
    void appendMarker(const view::StepMarker &marker);
    int markerCount() const;              // markers drawn (after the last redraw)
    QVector<double> markerSteps() const;  // their steps, read back from the plot

    // EMA weight in [0, 0.99] applied to every displayed curve (not to exports).
    double smoothing() const;
    void setSmoothing(double weight);
    // Faint unsmoothed curves behind the smoothed ones (when smoothing > 0).
    bool showRaw() const { return m_showRaw; }
    void setShowRaw(bool show);

    XAxis xAxis() const { return m_xAxis; }
    void setXAxis(XAxis axis);
    // Where a step of a run sits on the current x axis.
    double xOf(qint64 runId, int step) const;

    // Exports return false and set *error when the file cannot be written.
    // The plot as kind "png", "svg" or "pdf" (see exportPlot in plot_export.h);
    // an empty size means the plot's current size.
    bool exportImage(const QString &path, const QString &kind, QString *error = nullptr, const QSize &size = QSize());
    // Raw values, one row per run and step: run,step,reward_mean,kl,loss,
    // <aspect>...,gold_<aspect>...,gold_objective. Missing values are empty.
    bool exportCsv(const QString &path, QString *error = nullptr) const;
    QString csvText() const;
    // The over-optimisation points, one row per run, step and aspect:
    // run,step,sqrt_kl,aspect,proxy,gold,gold_source (gold or labels),gold_peak
    // (1 on the point goldPeaks() marks on the current x axis).
    bool exportOveroptimisationCsv(const QString &path, QString *error = nullptr) const;
    QString overoptimisationCsv() const;
    // (aspect, step) of each ring on the newest run, after the last redraw.
    QVector<QPair<int, int>> goldPeaks() const { return m_peakSteps; }

    // The plotted curves, for tests and app/; nullptr when not drawn (e.g. no
    // gold values). Valid until the next redraw.
    QCustomPlot *plot() const { return m_plot; }
    QCPGraph *graphFor(qint64 runId, int aspectIndex, bool gold = false) const;
    QCPGraph *seriesGraph(qint64 runId, Series series, int aspectIndex = -1) const;
    QCPGraph *rawGraph(qint64 runId, Series series, int aspectIndex = -1) const;
    QCPLegend *topLegend() const { return m_topLegend; }
    QCPLegend *bottomLegend() const { return m_bottomLegend; }
    // Legends sit right of their plots, or in a row below them when the view is
    // narrower than kLegendsBelowWidth (half of a 1280-pixel window, say).
    bool legendsBelow() const { return m_legendsBelow; }
    static constexpr int kLegendsBelowWidth = 640;

public slots:
    void redrawNow();   // runs a pending redraw at once
    void resetView();   // all steps, value axes fitted

signals:
    // Double click on the plot: the nearest step of the newest run.
    void stepActivated(qint64 runId, int step);

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    struct Run
    {
        QString name;
        QMap<int, view::StepPoint> points;   // by step
        QMap<int, double> cumulative;         // step -> x for Seconds/Tokens (updateCurveData)
    };
    struct Key
    {
        qint64 runId;
        Series series;
        int aspect;
        bool operator<(const Key &o) const
        {
            if (runId != o.runId)
                return runId < o.runId;
            if (series != o.series)
                return series < o.series;
            return aspect < o.aspect;
        }
        bool operator==(const Key &o) const
        {
            return runId == o.runId && series == o.series && aspect == o.aspect;
        }
    };
    struct Curve
    {
        QCPGraph *line = nullptr;
        QCPGraph *raw = nullptr;
    };
    struct MarkerItems
    {
        QCPItemStraightLine *line = nullptr;
        QCPItemText *label = nullptr;
    };

    void buildUi();
    void setupPlot();
    void setLegendsBelow(bool below);
    void fillLegends();
    void scheduleRedraw();
    void redraw();
    QVector<Key> wantedCurves() const;
    void rebuildCurves(const QVector<Key> &keys);
    void updateCurveData();
    void rebuildMarkers();
    void rebuildPeaks();
    // (step, value) of a run's series in the order of the x axis, with x; NaN values and x dropped.
    struct SeriesPoints
    {
        QVector<int> steps;
        QVector<double> x, values;
    };
    SeriesPoints seriesPoints(qint64 runId, Series series, int aspect) const;
    bool hasGold(qint64 runId) const;
    void layoutMarkerLabels();
    void applyXRange(double lower, double upper);
    void fitValueAxes();
    QPair<double, double> fullStepRange() const;
    qint64 newestRun() const;
    QString seriesLabel(const Key &key) const;
    // `region` >= 0: a steerable run's aspect curves over the groups whose largest weight was that aspect.
    static double valueOf(const view::StepPoint &p, Series s, int aspect, int region = -1);
    static QColor lighter(QColor c, double towardsWhite);   // older runs' curves and markers
    void onLegendClick(QCPLegend *legend, QCPAbstractLegendItem *item, QMouseEvent *event);
    void onMouseMove(QMouseEvent *event);
    void onDoubleClick(QMouseEvent *event);
    void updateCumulative(Run &run) const;
    int nearestStep(const Run &run, qint64 runId, double x) const;

    QVector<view::AspectSpec> m_aspects;
    QMap<qint64, Run> m_runs;
    QVector<view::StepMarker> m_markers;
    double m_smoothing = 0.6;
    XAxis m_xAxis = XAxis::Step;
    bool m_showRaw = true;

    QCustomPlot *m_plot = nullptr;
    QCPAxisRect *m_topRect = nullptr;
    QCPAxisRect *m_bottomRect = nullptr;
    QCPLegend *m_topLegend = nullptr;
    QCPLegend *m_bottomLegend = nullptr;
    QCPLayoutGrid *m_topSide = nullptr;      // right of the top plot: its legend and a spacer
    QCPLayoutGrid *m_bottomSide = nullptr;
    QCPLayoutGrid *m_legendRow = nullptr;    // below both plots, when narrow
    bool m_legendsBelow = false;
    QSlider *m_smoothingSlider = nullptr;
    QDoubleSpinBox *m_smoothingSpin = nullptr;
    QCheckBox *m_rawCheck = nullptr;
    QComboBox *m_xAxisCombo = nullptr;
    QComboBox *m_regionCombo = nullptr;   // "groups": all, or a steerable run's weight region
    QLabel *m_regionLabel = nullptr;
    int m_region = -1;
    void updateRegionCombo();
    QTimer *m_redrawTimer = nullptr;

    QVector<Key> m_curveKeys;                       // the curves drawn, in legend order
    std::map<Key, Curve> m_curves;
    QHash<QCPGraph *, Key> m_keyOfGraph;
    QVector<Key> m_hidden;                          // toggled off by the user
    QVector<QPair<MarkerItems, MarkerItems>> m_markerItems;   // top, bottom
    QVector<QCPItemTracer *> m_peakItems;           // rings where gold peaks (newest run)
    QVector<QCPItemText *> m_peakLabels;
    QVector<QPair<int, int>> m_peakSteps;           // (aspect, step) of each ring
    bool m_markersDirty = false;
    bool m_userView = false;                        // the user zoomed or panned
    bool m_settingRange = false;
};

} // namespace awb
