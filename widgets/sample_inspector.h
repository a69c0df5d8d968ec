#pragma once
// The sample inspector: a filter bar, the sortable table of sampled
// completions, the selected sample's group (its G siblings, by advantage),
// a detail pane with the full text, and the LabelEditor. It owns its
// SampleTableModel and SampleFilterModel; app/ feeds rows and label changes
// and stores what labelsSubmitted carries. GUI thread only.
//
// Submitting updates the table at once (setLabels on the model) before the
// signal reaches app/; app/ may call setLabels again with what the store
// holds. The labelling keys of LabelEditor also work while the table has
// focus (the arrow keys stay with the table).

#include "view_types.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTableView;
class QTableWidget;
class QTextBrowser;
class QToolButton;

namespace awb {

class LabelEditor;
class SampleFilterModel;
class SampleTableModel;

class SampleInspector : public QWidget
{
    Q_OBJECT

public:
    explicit SampleInspector(QWidget *parent = nullptr);

    void setAspects(const QVector<view::AspectSpec> &aspects);
    void setSamples(const QVector<view::SampleRow> &rows);
    void appendSamples(const QVector<view::SampleRow> &rows);
    // Labels as the store holds them (missing() entries: no label).
    void setLabels(qint64 sampleId, const QVector<double> &labels);
    void setLabelsSinceRetrain(int n, qint64 rmVersion);

    // Selects and shows a sample (e.g. clicked in the Pareto view); clears the
    // filters when they hide it. False when the id is unknown.
    bool selectSample(qint64 sampleId);
    qint64 selectedSampleId() const { return m_currentId; }  // 0 when none
    // Shows one step only (the step spin boxes go to step..step).
    void setStepFilter(int step);
    void clearFilters();

    SampleTableModel *model() const { return m_model; }
    SampleFilterModel *filterModel() const { return m_filter; }
    LabelEditor *labelEditor() const { return m_editor; }

    // The queue the annotator labels from: "uncertainty" (Most uncertain first),
    // "disagreement" (Disagreement first) or empty; labelsSubmitted carries it.
    QString labellingQueue() const;

signals:
    void labelsSubmitted(qint64 sampleId, const QVector<double> &values, const QString &annotator,
                         const QString &queue);
    void undoRequested(qint64 sampleId);
    void sampleSelected(qint64 sampleId);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QWidget *createFilterBar();
    void rebuildAspectFilters();
    void applyFilters();
    void updateCount();
    void syncSortIndicator();
    void onCurrentRowChanged();
    void onEditorSubmitted(qint64 sampleId, const QVector<double> &values);
    void goToRow(int proxyRow);
    void nextSample();
    void previousSample();
    void showGroup(const view::SampleRow &sample);
    void showDetail(const view::SampleRow &sample);
    QString whyThisOne(const view::SampleRow &sample) const;   // the members' scores, as HTML
    void rebuildUncertaintyMenu();
    void applyUncertaintyAspects();
    void sizeColumns();

    SampleTableModel *m_model = nullptr;
    SampleFilterModel *m_filter = nullptr;
    QVector<view::AspectSpec> m_aspects;
    qint64 m_currentId = 0;
    qint64 m_nextIdAfterSubmit = 0;   // the row below the submitted one, before it moved
    int m_rowAfterSubmit = -1;        // its position, for when it was the last
    bool m_pendingNext = false;
    bool m_undoing = false;

    QSpinBox *m_stepMin = nullptr;
    QSpinBox *m_stepMax = nullptr;
    QLineEdit *m_promptEdit = nullptr;
    QComboBox *m_labelledCombo = nullptr;
    QToolButton *m_disagreementToggle = nullptr;
    QToolButton *m_uncertaintyToggle = nullptr;   // its menu: the aspects the order looks at
    QHBoxLayout *m_aspectFilterLayout = nullptr;
    QVector<QDoubleSpinBox *> m_aspectMins;
    QLabel *m_countLabel = nullptr;
    QTableView *m_table = nullptr;
    QTableWidget *m_group = nullptr;
    QTextBrowser *m_detail = nullptr;
    LabelEditor *m_editor = nullptr;
};

} // namespace awb
