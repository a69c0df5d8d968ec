#include "sample_filter_model.h"
#include "sample_table_model.h"

#include <cmath>

namespace awb {

SampleFilterModel::SampleFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(SampleTableModel::SortRole);
    setDynamicSortFilter(true);
}

void SampleFilterModel::setSourceModel(QAbstractItemModel *model)
{
    if (m_source)
        disconnect(m_source, nullptr, this, nullptr);
    m_source = qobject_cast<SampleTableModel *>(model);
    Q_ASSERT_X(m_source || !model, "SampleFilterModel", "source must be a SampleTableModel");
    QSortFilterProxyModel::setSourceModel(m_source);
    if (m_source) {
        // The aspect list moves the disagreement column; keep sorting by it.
        connect(m_source, &QAbstractItemModel::modelReset, this, [this] {
            if (m_disagreement)
                sort(m_source->disagreementColumn(), Qt::DescendingOrder);
        });
    }
}

void SampleFilterModel::setStepRange(int minStep, int maxStep)
{
    m_minStep = minStep;
    m_maxStep = maxStep;
    invalidateFilter();
}

void SampleFilterModel::setPromptFilter(const QString &text)
{
    m_prompt = text;
    invalidateFilter();
}

void SampleFilterModel::setAspectRange(int aspect, double min, double max)
{
    if (aspect < 0)
        return;
    if (aspect >= m_ranges.size())
        m_ranges.resize(aspect + 1);
    m_ranges[aspect] = Range{true, min, max};
    invalidateFilter();
}

void SampleFilterModel::clearAspectRange(int aspect)
{
    if (aspect >= 0 && aspect < m_ranges.size()) {
        m_ranges[aspect].active = false;
        invalidateFilter();
    }
}

void SampleFilterModel::clearAspectRanges()
{
    m_ranges.clear();
    invalidateFilter();
}

void SampleFilterModel::setLabelledFilter(Labelled state)
{
    m_labelled = state;
    invalidateFilter();
}

void SampleFilterModel::setDisagreementMode(bool on)
{
    if (on)
        setOrder(Order::Disagreement);
    else if (m_order == Order::Disagreement)
        setOrder(Order::None);
}

void SampleFilterModel::setUncertaintyMode(bool on)
{
    if (on)
        setOrder(Order::Uncertainty);
    else if (m_order == Order::Uncertainty)
        setOrder(Order::None);
}

void SampleFilterModel::setOrder(Order order)
{
    if (order == m_order)
        return;
    if (m_order == Order::None) {
        m_sortColumnBefore = sortColumn();
        m_sortOrderBefore = sortOrder();
    }
    m_order = order;
    m_disagreement = order == Order::Disagreement;
    m_uncertainty = order == Order::Uncertainty;
    if (order == Order::None)
        sort(m_sortColumnBefore, m_sortOrderBefore);
    else if (m_disagreement && m_source)
        sort(m_source->disagreementColumn(), Qt::DescendingOrder);
    else if (m_uncertainty)   // lessThan compares the uncertainty whatever the column: this only makes the proxy sort
        sort(SampleTableModel::StepColumn, Qt::DescendingOrder);
    // sort() does nothing when column and order stay (the inspector's default is the step, descending),
    // and the filter changed too: filter and sort again.
    invalidate();
}

void SampleFilterModel::setUncertaintyAspects(const QVector<int> &aspects)
{
    m_uncertaintyAspects = aspects;
    if (m_uncertainty)
        invalidate();
}

void SampleFilterModel::clearFilters()
{
    m_minStep = INT_MIN;
    m_maxStep = INT_MAX;
    m_prompt.clear();
    m_ranges.clear();
    m_labelled = Labelled::All;
    if (m_order != Order::None)
        setOrder(Order::None);  // also invalidates
    else
        invalidateFilter();
}

qint64 SampleFilterModel::sampleIdAt(int proxyRow) const
{
    if (proxyRow < 0 || proxyRow >= rowCount())
        return 0;
    return index(proxyRow, 0).data(SampleTableModel::SampleIdRole).toLongLong();
}

int SampleFilterModel::proxyRowForSampleId(qint64 sampleId) const
{
    if (!m_source)
        return -1;
    const int sourceRow = m_source->rowForSampleId(sampleId);
    if (sourceRow < 0)
        return -1;
    return mapFromSource(m_source->index(sourceRow, 0)).row();
}

bool SampleFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (!m_source || sourceParent.isValid())
        return true;
    const view::SampleRow &row = m_source->sampleAt(sourceRow);
    if (row.step < m_minStep || row.step > m_maxStep)
        return false;
    if (!m_prompt.isEmpty() && !row.prompt.contains(m_prompt, Qt::CaseInsensitive))
        return false;
    for (int a = 0; a < m_ranges.size(); ++a) {
        if (!m_ranges[a].active)
            continue;
        const double s = a < row.scores.size() ? row.scores[a] : view::missing();
        if (view::isMissing(s) || s < m_ranges[a].min || s > m_ranges[a].max)
            return false;
    }
    const bool labelled = row.labelled();
    if (m_disagreement && !labelled)
        return false;
    if (m_uncertainty && labelled)
        return false;
    if (m_labelled == Labelled::Labelled && !labelled)
        return false;
    if (m_labelled == Labelled::Unlabelled && labelled)
        return false;
    return true;
}

bool SampleFilterModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const QVariant l = left.data(sortRole());
    const QVariant r = right.data(sortRole());
    if (!m_uncertainty && (l.typeId() == QMetaType::QString || r.typeId() == QMetaType::QString))
        return l.toString().compare(r.toString(), Qt::CaseInsensitive) < 0;
    const double a = m_uncertainty ? m_source->sampleAt(left.row()).uncertainty(m_uncertaintyAspects) : l.toDouble();
    const double b = m_uncertainty ? m_source->sampleAt(right.row()).uncertainty(m_uncertaintyAspects) : r.toDouble();
    const bool aNan = std::isnan(a);
    const bool bNan = std::isnan(b);
    if (aNan || bNan) {
        // Descending sorts call lessThan(right, left): NaN must then be the
        // smallest value to land last, and the largest in ascending order.
        if (sortOrder() == Qt::DescendingOrder)
            return aNan && !bNan;
        return !aNan && bNan;
    }
    return a < b;
}

} // namespace awb
