#pragma once
// The Pareto view: two aspects against each other. It shows a run's per-step
// means as a trajectory coloured old -> new, one step's samples as a cloud,
// the cloud's non-dominated front (both aspects maximised) with the area it
// dominates, and that area (the hypervolume against a reference point) as a
// number. Clicking a cloud point emits sampleActivated, clicking a trajectory
// point emits stepActivated (app/ then loads that step's samples with
// setSamples). GUI thread only. The view owns copies of the values it is given;
// the plot redraws on a coalescing single-shot timer, while the front and the
// hypervolume are recomputed at once, so the accessors are always current.
// The Export button saves the plot (PNG, SVG, PDF) or the plotted points (CSV).

#include "steer_types.h"
#include "view_types.h"

#include <QPointF>
#include <QSize>
#include <QVector>
#include <QWidget>

#include <optional>

class QCPCurve;
class QCPScatterStyle;
class QCustomPlot;
class QPen;
class QCPColorScale;
class QComboBox;
class QLabel;
class QMouseEvent;
class QTimer;
class QToolButton;

namespace awb {

class ParetoView : public QWidget
{
    Q_OBJECT

public:
    // Which scores place the points: the reward model's (what GRPO optimises)
    // or the gold judge's (the demo's ground truth).
    enum class ValueSource { RewardModel, Gold };

    explicit ParetoView(QWidget *parent = nullptr);
    ~ParetoView() override;

    // The aspect list values are indexed by; keeps the chosen axes when they
    // still exist, otherwise shows aspect 0 against aspect 1.
    void setAspects(const QVector<view::AspectSpec> &aspects);
    // One run's step means, any order (sorted by step here). Replaces the old.
    void setTrajectory(const QVector<view::StepPoint> &points);
    // Adds a step's means, or replaces the point of the same step.
    void appendStep(const view::StepPoint &point);
    // The cloud: the samples of one step. Replaces the previous cloud.
    void setSamples(int step, const QVector<view::SampleRow> &samples);
    void clearSamples();
    // Aspect indices for the axes; out-of-range indices are ignored. Resets
    // the reference point to the new axes' minimums.
    void setAxes(int xAspect, int yAspect);
    // Reference point of the hypervolume, in (x aspect, y aspect) values;
    // kept until the axes change or resetReferencePoint() is called.
    void setReferencePoint(QPointF reference);
    void resetReferencePoint();
    // Gold is only selectable while some step or sample has gold values.
    void setValueSource(ValueSource source);

    int xAspect() const { return m_xAspect; }
    int yAspect() const { return m_yAspect; }
    ValueSource valueSource() const { return m_source; }
    bool hasGold() const;
    QPointF referencePoint() const;
    int samplesStep() const { return m_samplesStep; }
    // Ids of the cloud's non-dominated samples, by x ascending (all copies of
    // tied points are kept; see paretoFrontIndices).
    QVector<qint64> frontSampleIds() const;
    // Hypervolume of the cloud against referencePoint(); 0 without a cloud.
    double hypervolume() const { return m_hypervolume; }
    // Points actually plotted (both coordinates finite).
    int trajectoryPointCount() const { return int(m_trajXY.size()); }
    int cloudPointCount() const { return int(m_cloudXY.size()); }

    // Redraws now instead of on the timer (tests, screenshots).
    void replotNow();
    QCustomPlot *plot() const { return m_plot; }

    // Exports return false and set *error when the file cannot be written.
    // The plot as kind "png", "svg" or "pdf" (see exportPlot in plot_export.h);
    // an empty size means the plot's current size.
    bool exportImage(const QString &path, const QString &kind, QString *error = nullptr, const QSize &size = QSize());
    // The plotted points, step means first, then the cloud, one row each:
    // point (step_mean or sample), run, step, sample (id; empty for a step
    // mean), the x and the y value (columns named after their aspects, with
    // "gold_" in front when the gold judge places the points), on_front (1 or
    // 0 for a sample, empty for a step mean).
    QString csvText() const;
    bool exportCsv(const QString &path, QString *error = nullptr) const;

    // A steerable run's swept front (pareto_view_sweep.cpp): its points, the
    // front through them and the fixed-weight runs as single points, drawn
    // while the axes and the value source are those it was measured on.
    void setSweptFront(const view::SweptFront &front);
    void clearSweptFront();
    bool hasSweptFront() const { return m_swept.has_value(); }
    // Shown on the Sweep button's menu while a sweep runs: what it is doing.
    void setSweepStatus(const QString &status);

signals:
    void sampleActivated(qint64 sampleId);
    void stepActivated(int step);
    // "Sweep front": the shown run's weights over the simplex, on the current axes.
    void sweepRequested(bool adversarialOnly);

private:
    // The point under a pixel: kind and index into m_cloudXY / m_trajXY.
    struct Hit
    {
        enum Kind { None, Sample, Step } kind = None;
        int index = -1;
    };

    double sampleValue(const view::SampleRow &s, int aspect) const;
    double stepValue(const view::StepPoint &p, int aspect) const;
    void recompute();
    void updateLabel();
    void updateSourceCombo();
    void scheduleReplot();
    void rebuildPlot();
    void addTrajectory(double firstStep, double lastStep);
    void addFront();
    Hit hitAt(const QPointF &pixel) const;
    QString describe(const Hit &hit) const;
    void onPlotPress(QMouseEvent *event);
    void onPlotRelease(QMouseEvent *event);
    void onPlotMove(QMouseEvent *event);
    void showContextMenu(const QPoint &pos);
    void resetRanges();
    QToolButton *buildExportButton();
    QToolButton *buildSweepButton();
    // A curve of points (joined by lines when `line`), not selectable, on the plot's axes.
    static QCPCurve *addCurve(QCustomPlot *plot, const QVector<QPointF> &pts, const QPen &pen,
                              const QCPScatterStyle &scatter, bool line);
    bool sweptFrontShown() const;
    void addSweptFront();

    QVector<view::AspectSpec> m_aspects;
    QVector<view::StepPoint> m_trajectory;
    QVector<view::SampleRow> m_samples;
    int m_samplesStep = -1;
    int m_xAspect = 0;
    int m_yAspect = 1;
    ValueSource m_source = ValueSource::RewardModel;
    std::optional<QPointF> m_customReference;
    std::optional<view::SweptFront> m_swept;
    QString m_sweepStatus;

    // Derived on every change: plotted coordinates and what they stand for.
    QVector<QPointF> m_cloudXY;
    QVector<int> m_cloudSample;   // index into m_samples
    QVector<int> m_front;         // indices into m_cloudXY, x ascending
    QVector<QPointF> m_trajXY;
    QVector<int> m_trajStep;      // index into m_trajectory
    double m_hypervolume = 0.0;

    QComboBox *m_xCombo = nullptr;
    QComboBox *m_yCombo = nullptr;
    QComboBox *m_sourceCombo = nullptr;
    QLabel *m_sourceLabel = nullptr;
    QLabel *m_hvLabel = nullptr;
    QCustomPlot *m_plot = nullptr;
    QCPColorScale *m_stepScale = nullptr;
    QTimer *m_replotTimer = nullptr;
    QPoint m_pressPos;
    bool m_pressed = false;
};

} // namespace awb
