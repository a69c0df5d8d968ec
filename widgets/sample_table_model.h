#pragma once
// The table model behind the sample inspector: one row per sampled completion
// (view::SampleRow), columns laid out from the aspect list. It holds the rows
// by value; app/ replaces them (setRows), appends live steps (appendRows) and
// pushes label changes (setLabels). GUI thread only.
//
// Columns, for n aspects:
//   0 step, 1 prompt, 2 completion,
//   3 .. 3+n-1        reward-model score per aspect   (scoreColumn(a))
//   3+n .. 3+2n-1     latest human label per aspect   (labelColumn(a), blank when none)
//   3+2n reward, 4+2n advantage, 5+2n reward-model version, 6+2n disagreement.
// While some row has an ensemble's spread, n columns of the spread (std) across
// its members per aspect (uncertaintyColumn(a)) follow the scores, and every
// column after them moves n to the right (the functions below say where).
//
// Colours (BackgroundRole, documented so tests can recompute them):
//   scores and labels: t = (v - min) / (max - min) clamped to [0, 1];
//     t <= 0.5 blends kLowColour -> kMidColour by 2t, else kMidColour ->
//     kHighColour by 2t - 1; each channel rounded to nearest (halves up).
//   advantage: white blended toward kNegativeColour (a < 0) or kPositiveColour
//     (a > 0) by f = min(|a| / kAdvantageScale, 1); no colour at 0 or NaN.
//   disagreement: white blended toward kLowColour by the largest
//     |score - label| / (max - min) over labelled aspects.
//   uncertainty: white blended toward kUncertainColour by
//     min(std / (max - min) / kUncertaintyScale, 1).
// Coloured cells also get a black ForegroundRole so dark themes stay legible.

#include "view_types.h"

#include <QAbstractTableModel>
#include <QColor>
#include <QHash>

namespace awb {

class SampleTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Role {
        SortRole = Qt::UserRole,        // double (NaN when missing) or QString for text columns
        SampleIdRole = Qt::UserRole + 1 // qint64 store id, every column
    };
    enum FixedColumn { StepColumn = 0, PromptColumn = 1, CompletionColumn = 2 };

    static constexpr QRgb kLowColour = qRgb(248, 105, 107);    // red, the aspect's minimum
    static constexpr QRgb kMidColour = qRgb(255, 235, 132);    // yellow, the middle
    static constexpr QRgb kHighColour = qRgb(99, 190, 123);    // green, the maximum
    static constexpr QRgb kNegativeColour = qRgb(91, 155, 213);  // blue, advantage < 0
    static constexpr QRgb kPositiveColour = qRgb(244, 177, 131); // orange, advantage > 0
    static constexpr double kAdvantageScale = 2.0;             // |advantage| at full colour
    static constexpr QRgb kUncertainColour = qRgb(178, 132, 214); // violet, a large spread
    static constexpr double kUncertaintyScale = 0.25;          // std / range at full colour

    explicit SampleTableModel(QObject *parent = nullptr);

    void setAspects(const QVector<view::AspectSpec> &aspects);
    const QVector<view::AspectSpec> &aspects() const { return m_aspects; }

    void setRows(const QVector<view::SampleRow> &rows);
    void appendRows(const QVector<view::SampleRow> &rows);
    // Replaces the labels of one sample (missing() entries mean "no label");
    // emits dataChanged for its row. Returns false when the id is unknown.
    bool setLabels(qint64 sampleId, const QVector<double> &labels);

    int rowForSampleId(qint64 sampleId) const;  // -1 when unknown
    const view::SampleRow &sampleAt(int row) const;
    const QVector<view::SampleRow> &rows() const { return m_rows; }

    int aspectCount() const { return int(m_aspects.size()); }
    int scoreColumn(int aspect) const { return 3 + aspect; }
    int labelColumn(int aspect) const { return 3 + aspectCount() + spreadColumns() + aspect; }
    int rewardColumn() const { return 3 + 2 * aspectCount() + spreadColumns(); }
    int advantageColumn() const { return rewardColumn() + 1; }
    int rmVersionColumn() const { return rewardColumn() + 2; }
    int disagreementColumn() const { return rewardColumn() + 3; }
    // -1 while no row has a spread (no ensemble).
    int uncertaintyColumn(int aspect) const { return m_hasSpread ? 3 + aspectCount() + aspect : -1; }
    bool hasUncertainty() const { return m_hasSpread; }

    // The red -> yellow -> green scale at t in [0, 1] (see the header comment).
    static QColor scaleColour(double t);
    // Largest |score - label| / (max - min) over labelled aspects; missing() when none.
    double normalisedDisagreement(const view::SampleRow &row) const;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    // Which aspect a score/label column shows, -1 otherwise.
    int scoreAspect(int column) const;
    int labelAspect(int column) const;
    int uncertaintyAspect(int column) const;
    int spreadColumns() const { return m_hasSpread ? aspectCount() : 0; }
    static bool anySpread(const QVector<view::SampleRow> &rows);
    double numericValue(const view::SampleRow &row, int column) const;
    QString displayText(const view::SampleRow &row, int column) const;
    QString toolTip(const view::SampleRow &row, int column) const;
    QVariant background(const view::SampleRow &row, int column) const;
    double aspectValue(const QVector<double> &values, int aspect) const;

    QVector<view::AspectSpec> m_aspects;
    QVector<view::SampleRow> m_rows;
    QHash<qint64, int> m_rowById;
    bool m_hasSpread = false;
};

} // namespace awb
