#pragma once
// The labelling panel: one row per aspect (name, slider, spin box, the reward
// model's score), pre-filled with the sample's latest human label, else the
// reward model's score. It emits the values; app/ appends them to the store.
// GUI thread only.
//
// Keyboard scheme (also shown in the widget's help line and tool tip), active
// while the editor or, via handleKey(), the sample table has focus:
//   1 2 3 4 5   five-point scale on the current aspect: 1 = minimum, 2 = 25 %,
//               3 = middle, 4 = 75 %, 5 = maximum of the aspect's range
//   0           minimum of the range (same as 1; for the numeric row of pads)
//   H / Left    nudge the current aspect down by 5 % of its range
//   L / Right   nudge it up by 5 %
//   J / Down    next aspect        K / Up    previous aspect
//   Enter       submit the labels (labelsSubmitted) and ask for the next
//               sample (nextSampleRequested)
//   N / P       next / previous sample without submitting
//   Ctrl+Z      undo the last submission: the store is append-only, so undo
//               re-submits the labels the sample had before (labelsSubmitted
//               with those values; NaN entries mean "no label").
// While a spin box has focus, digits and arrows edit it as usual; Enter,
// J/K, N/P and Ctrl+Z keep their meaning and Escape returns to the scheme.

#include "view_types.h"

#include <QPair>
#include <QWidget>

class QDoubleSpinBox;
class QFrame;
class QKeyEvent;
class QLabel;
class QLineEdit;
class QPushButton;
class QSlider;
class QVBoxLayout;

namespace awb {

class LabelEditor : public QWidget
{
    Q_OBJECT

public:
    static constexpr int kUndoDepth = 50;
    static constexpr double kNudge = 0.05;  // fraction of the range per H / L

    explicit LabelEditor(QWidget *parent = nullptr);

    void setAspects(const QVector<view::AspectSpec> &aspects);
    // Loads a sample; the values start at its labels, else its scores.
    void setSample(const view::SampleRow &sample);
    void clearSample();
    qint64 sampleId() const { return m_sample.id; }

    QVector<double> values() const;
    int currentAspect() const { return m_current; }
    void setCurrentAspect(int aspect);

    QString annotator() const;
    // "12 labels since reward model v3"; version 0 means none trained yet.
    void setLabelsSinceRetrain(int n, qint64 rmVersion);

    int undoDepth() const { return int(m_undo.size()); }
    // Applies the keyboard scheme; returns false for keys it does not use.
    bool handleKey(QKeyEvent *event);

public slots:
    void submit();
    void undo();

signals:
    void labelsSubmitted(qint64 sampleId, const QVector<double> &values);
    void nextSampleRequested();
    void previousSampleRequested();
    // Sent before the undoing labelsSubmitted, with the sample it restores.
    void undoRequested(qint64 sampleId);
    void currentAspectChanged(int aspect);

protected:
    void keyPressEvent(QKeyEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    struct AspectRow
    {
        QFrame *frame = nullptr;
        QLabel *name = nullptr;
        QSlider *slider = nullptr;
        QDoubleSpinBox *spin = nullptr;
        QLabel *model = nullptr;
    };

    void rebuildRows();
    void setValue(int aspect, double value);
    void updateHighlight();
    void updateHeader();
    double fraction(int aspect, double t) const;

    QVector<view::AspectSpec> m_aspects;
    QVector<AspectRow> m_rows;
    view::SampleRow m_sample;
    bool m_hasSample = false;
    int m_current = 0;
    QVector<QPair<qint64, QVector<double>>> m_undo;  // (sample, labels before the submission)

    QLabel *m_header = nullptr;
    QVBoxLayout *m_rowsLayout = nullptr;
    QLineEdit *m_annotator = nullptr;
    QLabel *m_counter = nullptr;
    QPushButton *m_submit = nullptr;
    QPushButton *m_undoButton = nullptr;
};

} // namespace awb
