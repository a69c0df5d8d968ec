#pragma once
// The live weight-tuning panel: one slider + spin box per aspect, the
// multi-objective aggregation, an optional "normalise to sum 1" mode, and the
// line saying which weights the trainer actually used ("in force since step
// N"). It only emits; app/ hands the values to the trainer's thread-safe
// controls, which read them at the start of the next step, and reports back
// through setInForce(). GUI thread only.
//
// Range: a weight is in [0, kMaxWeight] = [0, 3]. The spin box has three
// decimals (step 0.05 on the arrows); the slider counts hundredths
// (0..300, arrows 0.01, Page Up/Down 0.10). With normalising on, the range
// is [0, 1] (slider 0..100).
//
// Normalising: ticking "Normalise to sum 1" divides every weight by their
// sum (all zero: each becomes 1/K). While it is on, editing aspect i to v
// keeps v (clamped to [0, 1]) and scales the others proportionally so the
// total is 1: w_j <- w_j * (1 - v) / sum_{k != i} w_k; when the others are all
// zero they share 1 - v equally. setAspects() shows what it is given as is.
//
// Emission: every change restarts a kDebounceMs single-shot timer; when it
// fires, weightsChanged() is emitted once with the final values. Releasing a
// slider, changing the aggregation, Reset and flush() emit at once (and cancel
// the pending timer). Programmatic setAspects()/setInForce() never emit.
//
// Constraints: a run's constrained aspects (setConstraints) get a row each
// under the weights: the relation, a spin box with the bound (strictly inside
// the aspect's range, three decimals, step 0.01) and what the trainer last
// reported (the bound in force and lambda). The constrained aspect's weight
// row is disabled, since its lambda takes the weight's place. A bound edit
// is debounced like a weight and emitted as boundsChanged().
//
// Keyboard: Tab walks the slider and spin box of each aspect in order, then
// the aggregation; Alt+A jumps to the aggregation, Alt+N toggles normalising,
// Alt+R resets. Keyboard edits of a slider are debounced like drags.

#include "view_types.h"

#include <QMap>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QGridLayout;
class QLabel;
class QPushButton;
class QSlider;
class QTimer;
class QVBoxLayout;

namespace awb {

class WeightsPanel : public QWidget
{
    Q_OBJECT

public:
    static constexpr double kMaxWeight = 3.0;
    static constexpr int kSliderScale = 100;   // slider ticks per unit of weight
    static constexpr int kDebounceMs = 300;

    explicit WeightsPanel(QWidget *parent = nullptr);

    // Aspects not named in `weights` weigh 1 (as the trainer treats them).
    void setAspects(const QVector<view::AspectSpec> &aspects, const QMap<QString, double> &weights,
                    const QString &aggregation);
    QMap<QString, double> weights() const;
    QString aggregation() const;

    bool normalising() const;
    void setNormalising(bool on);   // as if the user toggled the check box

    // An edit as if made by the user (normalising and debounce apply).
    void setWeight(const QString &aspect, double weight);

    // What the trainer used at `step`; shown under the controls.
    void setInForce(int step, const QMap<QString, double> &weights, const QString &aggregation);
    int inForceStep() const { return m_inForceStep; }   // -1 before the first report

    // The run's constraints (none: the section hides). Never emits.
    void setConstraints(const QVector<view::ConstraintSpec> &constraints);
    QMap<QString, double> bounds() const;   // by aspect, as edited
    void setBound(const QString &aspect, double bound);   // as if typed by the user (debounced)
    // What the trainer used at `step`, by aspect index (missing() for an aspect without a constraint).
    void setConstraintsInForce(int step, const QVector<double> &bounds, const QVector<double> &lambdas);

    // The normalising maths, exposed for tests.
    static QVector<double> normalisedToOne(const QVector<double> &weights);
    static QVector<double> normalisedAfterEdit(const QVector<double> &weights, int edited, double value);

public slots:
    // Emits now if a change is waiting for the debounce timer.
    void flush();
    // Every weight equal: 1, or 1/K while normalising. Emits at once.
    void resetWeights();

signals:
    void weightsChanged(const QMap<QString, double> &weights, const QString &aggregation);
    void boundsChanged(const QMap<QString, double> &bounds);

private:
    struct Row
    {
        QLabel *name = nullptr;
        QSlider *slider = nullptr;
        QDoubleSpinBox *spin = nullptr;
    };

    struct ConstraintRow
    {
        view::ConstraintSpec spec;
        QLabel *relation = nullptr;
        QDoubleSpinBox *bound = nullptr;
        QLabel *inForce = nullptr;
    };

    void buildConstraintsBox(QVBoxLayout *layout);
    void rebuildConstraintRows();
    void enableWeightRows();
    void rebuildRows();
    static QString weightTip(const QString &aspect);
    void edit(int aspect, double value);
    void showWeights();
    void applyRanges();
    void scheduleEmit();
    void emitNow();
    void updateStatus();
    int aggregationIndex(const QString &key);

    QVector<view::AspectSpec> m_aspects;
    QVector<double> m_weights;   // by aspect index; the truth, widgets show it rounded
    bool m_updating = false;     // set while widgets are written programmatically
    bool m_pending = false;      // a change waits for the timer

    int m_inForceStep = -1;
    QMap<QString, double> m_inForceWeights;
    QString m_inForceAggregation;

    QVector<Row> m_rows;
    QVector<ConstraintRow> m_constraintRows;
    QGroupBox *m_constraintsBox = nullptr;
    QGridLayout *m_constraintGrid = nullptr;
    QTimer *m_boundsDebounce = nullptr;
    QGridLayout *m_grid = nullptr;
    QComboBox *m_aggregation = nullptr;
    QCheckBox *m_normalise = nullptr;
    QPushButton *m_reset = nullptr;
    QLabel *m_sum = nullptr;
    QLabel *m_inForce = nullptr;
    QLabel *m_pendingLabel = nullptr;
    QTimer *m_debounce = nullptr;
};

} // namespace awb
