#pragma once
// The sample inspector's filter and sort proxy over a SampleTableModel:
// step range, prompt substring (case-insensitive), per-aspect reward-model
// score ranges, labelled state, and a "disagreement" mode that keeps only
// labelled samples and sorts them by disagreement, largest first, and an
// "uncertainty" mode (Most uncertain first) that keeps only unlabelled samples
// and sorts them by the largest spread across an ensemble's members over the
// chosen aspects, largest first (samples without a spread last). Sorting
// uses SampleTableModel::SortRole; missing values (NaN) sort last in either
// order. The source must be a SampleTableModel. GUI thread only.

#include <QSortFilterProxyModel>

#include <climits>

namespace awb {

class SampleTableModel;

class SampleFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    enum class Labelled { All, Labelled, Unlabelled };

    explicit SampleFilterModel(QObject *parent = nullptr);

    void setSourceModel(QAbstractItemModel *model) override;
    SampleTableModel *sampleModel() const { return m_source; }

    // Inclusive; INT_MIN / INT_MAX leave that side open.
    void setStepRange(int minStep, int maxStep);
    int minStep() const { return m_minStep; }
    int maxStep() const { return m_maxStep; }

    void setPromptFilter(const QString &text);
    QString promptFilter() const { return m_prompt; }

    // Keeps samples whose reward-model score for the aspect lies in [min, max];
    // samples without that score are dropped while a range is set.
    void setAspectRange(int aspect, double min, double max);
    void clearAspectRange(int aspect);
    void clearAspectRanges();

    void setLabelledFilter(Labelled state);
    Labelled labelledFilter() const { return m_labelled; }

    // On: only labelled samples, sorted by disagreement descending. Off: the
    // sort in force before it was switched on comes back.
    void setDisagreementMode(bool on);
    bool disagreementMode() const { return m_disagreement; }

    // On: only unlabelled samples, by view::SampleRow::uncertainty(aspects) descending
    // (empty aspects: all), the annotators' queue. Turns disagreement mode off, and
    // the other way round. Off: the sort in force before either mode comes back.
    void setUncertaintyMode(bool on);
    bool uncertaintyMode() const { return m_uncertainty; }
    void setUncertaintyAspects(const QVector<int> &aspects);
    QVector<int> uncertaintyAspects() const { return m_uncertaintyAspects; }

    // Every filter back to "all samples"; leaves the sort alone.
    void clearFilters();

    qint64 sampleIdAt(int proxyRow) const;  // 0 when out of range
    int proxyRowForSampleId(qint64 sampleId) const;  // -1 when filtered out or unknown

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    enum class Order { None, Disagreement, Uncertainty };
    // Switches between the plain sort (remembered on leaving it) and the two modes.
    void setOrder(Order order);

    struct Range
    {
        bool active = false;
        double min = 0.0;
        double max = 0.0;
    };

    SampleTableModel *m_source = nullptr;
    int m_minStep = INT_MIN;
    int m_maxStep = INT_MAX;
    QString m_prompt;
    QVector<Range> m_ranges;
    Labelled m_labelled = Labelled::All;
    Order m_order = Order::None;
    bool m_disagreement = false;   // m_order == Disagreement
    bool m_uncertainty = false;    // m_order == Uncertainty
    QVector<int> m_uncertaintyAspects;
    int m_sortColumnBefore = -1;
    Qt::SortOrder m_sortOrderBefore = Qt::AscendingOrder;
};

} // namespace awb
