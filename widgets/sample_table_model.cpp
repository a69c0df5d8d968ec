#include "sample_table_model.h"


#include <algorithm>
#include <cmath>

namespace awb {

namespace {

constexpr int kPromptChars = 90;
constexpr int kCompletionChars = 140;

// Newlines and runs of blanks become one space; long text ends in an ellipsis.
QString oneLine(const QString &text, int maxChars)
{
    QString s = text.simplified();
    if (s.size() > maxChars)
        s = s.left(maxChars - 1) + QChar(0x2026);
    return s;
}

QColor blend(QColor from, QColor to, double f)
{
    f = std::clamp(f, 0.0, 1.0);
    auto ch = [f](int a, int b) { return int(std::floor(a + (b - a) * f + 0.5)); };
    return QColor(ch(from.red(), to.red()), ch(from.green(), to.green()), ch(from.blue(), to.blue()));
}

QString number(double v, int decimals = 3)
{
    return view::isMissing(v) ? QString() : QString::number(v, 'f', decimals);
}

} // namespace

SampleTableModel::SampleTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void SampleTableModel::setAspects(const QVector<view::AspectSpec> &aspects)
{
    beginResetModel();
    m_aspects = aspects;
    endResetModel();
}

void SampleTableModel::setRows(const QVector<view::SampleRow> &rows)
{
    beginResetModel();
    m_rows = rows;
    m_hasSpread = anySpread(rows);
    m_rowById.clear();
    for (int i = 0; i < m_rows.size(); ++i)
        m_rowById.insert(m_rows[i].id, i);
    endResetModel();
}

void SampleTableModel::appendRows(const QVector<view::SampleRow> &rows)
{
    if (rows.isEmpty())
        return;
    if (!m_hasSpread && anySpread(rows)) {   // the first ensemble-scored rows bring the spread columns
        beginInsertColumns(QModelIndex(), 3 + aspectCount(), 3 + 2 * aspectCount() - 1);
        m_hasSpread = true;
        endInsertColumns();
    }
    const int first = int(m_rows.size());
    beginInsertRows(QModelIndex(), first, first + int(rows.size()) - 1);
    for (const view::SampleRow &r : rows) {
        m_rowById.insert(r.id, int(m_rows.size()));
        m_rows.append(r);
    }
    endInsertRows();
}

bool SampleTableModel::setLabels(qint64 sampleId, const QVector<double> &labels)
{
    const int row = rowForSampleId(sampleId);
    if (row < 0)
        return false;
    m_rows[row].labels = labels;
    emit dataChanged(index(row, 0), index(row, columnCount() - 1));
    return true;
}

bool SampleTableModel::anySpread(const QVector<view::SampleRow> &rows)
{
    return std::any_of(rows.begin(), rows.end(), [](const view::SampleRow &r) { return !r.scoreStd.isEmpty(); });
}

int SampleTableModel::rowForSampleId(qint64 sampleId) const
{
    return m_rowById.value(sampleId, -1);
}

const view::SampleRow &SampleTableModel::sampleAt(int row) const
{
    static const view::SampleRow empty;
    if (row < 0 || row >= m_rows.size())
        return empty;
    return m_rows[row];
}

QColor SampleTableModel::scaleColour(double t)
{
    t = std::clamp(t, 0.0, 1.0);
    if (t <= 0.5)
        return blend(QColor(kLowColour), QColor(kMidColour), 2.0 * t);
    return blend(QColor(kMidColour), QColor(kHighColour), 2.0 * t - 1.0);
}

double SampleTableModel::normalisedDisagreement(const view::SampleRow &row) const
{
    double best = view::missing();
    for (int a = 0; a < aspectCount(); ++a) {
        const double s = aspectValue(row.scores, a);
        const double l = aspectValue(row.labels, a);
        const double span = m_aspects[a].max - m_aspects[a].min;
        if (view::isMissing(s) || view::isMissing(l) || span <= 0)
            continue;
        const double d = std::abs(s - l) / span;
        best = view::isMissing(best) ? d : std::max(best, d);
    }
    return best;
}

int SampleTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int SampleTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : disagreementColumn() + 1;
}

int SampleTableModel::uncertaintyAspect(int column) const
{
    const int a = m_hasSpread ? column - uncertaintyColumn(0) : -1;
    return a >= 0 && a < aspectCount() ? a : -1;
}

int SampleTableModel::scoreAspect(int column) const
{
    const int a = column - scoreColumn(0);
    return a >= 0 && a < aspectCount() ? a : -1;
}

int SampleTableModel::labelAspect(int column) const
{
    const int a = column - labelColumn(0);
    return a >= 0 && a < aspectCount() ? a : -1;
}

double SampleTableModel::aspectValue(const QVector<double> &values, int aspect) const
{
    return aspect >= 0 && aspect < values.size() ? values[aspect] : view::missing();
}

double SampleTableModel::numericValue(const view::SampleRow &row, int column) const
{
    if (column == StepColumn)
        return row.step;
    if (int a = scoreAspect(column); a >= 0)
        return aspectValue(row.scores, a);
    if (int a = labelAspect(column); a >= 0)
        return aspectValue(row.labels, a);
    if (column == rewardColumn())
        return row.reward;
    if (column == advantageColumn())
        return row.advantage;
    if (column == rmVersionColumn())
        return double(row.rewardModelVersion);
    if (column == disagreementColumn())
        return row.disagreement();
    if (int a = uncertaintyAspect(column); a >= 0)
        return aspectValue(row.scoreStd, a);
    return view::missing();
}

QString SampleTableModel::displayText(const view::SampleRow &row, int column) const
{
    if (column == StepColumn)
        return QString::number(row.step);
    if (column == PromptColumn)
        return oneLine(row.prompt, kPromptChars);
    if (column == CompletionColumn)
        return oneLine(row.completion, kCompletionChars);
    if (column == advantageColumn()) {
        if (view::isMissing(row.advantage))
            return QString();
        return (row.advantage > 0 ? QStringLiteral("+") : QString()) + QString::number(row.advantage, 'f', 2);
    }
    if (column == rmVersionColumn())
        return row.rewardModelVersion > 0 ? tr("v%1").arg(row.rewardModelVersion) : QString();
    if (column == rewardColumn())
        return number(row.reward);
    return number(numericValue(row, column));
}

QString SampleTableModel::toolTip(const view::SampleRow &row, int column) const
{
    if (column == PromptColumn)
        return row.prompt;
    if (column == CompletionColumn)
        return row.completion;
    const int a = std::max(scoreAspect(column), labelAspect(column));
    if (a >= 0) {
        const double l = aspectValue(row.labels, a);
        return tr("%1: reward model %2, human label %3 (range %4 to %5)")
            .arg(m_aspects[a].name, number(aspectValue(row.scores, a)),
                 view::isMissing(l) ? tr("none") : number(l),
                 QString::number(m_aspects[a].min), QString::number(m_aspects[a].max));
    }
    if (column == disagreementColumn())
        return row.labelled() ? tr("Largest |reward model - label| over the labelled aspects")
                              : tr("Not labelled");
    if (int u = uncertaintyAspect(column); u >= 0) {
        if (row.scoreStd.isEmpty())
            return tr("Scored by a single reward model: no spread");
        QStringList each;
        for (double v : row.members.value(u))
            each << number(v);
        return tr("%1: spread %2 across the reward model's members (%3)")
            .arg(m_aspects[u].name, number(aspectValue(row.scoreStd, u)), each.join(QStringLiteral(", ")));
    }
    if (column == rmVersionColumn())
        return row.rewardModelVersion > 0 ? tr("Scored by reward model v%1").arg(row.rewardModelVersion)
                                          : tr("No reward model version recorded");
    if (column == StepColumn)
        return tr("Run %1, step %2, group %3, completion %4")
            .arg(row.runId).arg(row.step).arg(row.group).arg(row.indexInGroup);
    return QString();
}

QVariant SampleTableModel::background(const view::SampleRow &row, int column) const
{
    if (int a = std::max(scoreAspect(column), labelAspect(column)); a >= 0) {
        const double v = numericValue(row, column);
        const double span = m_aspects[a].max - m_aspects[a].min;
        if (view::isMissing(v))
            return QVariant();
        return scaleColour(span > 0 ? (v - m_aspects[a].min) / span : 0.5);
    }
    if (column == advantageColumn()) {
        const double adv = row.advantage;
        if (view::isMissing(adv) || adv == 0.0)
            return QVariant();
        return blend(Qt::white, QColor(adv < 0 ? kNegativeColour : kPositiveColour),
                     std::abs(adv) / kAdvantageScale);
    }
    if (column == disagreementColumn()) {
        const double d = normalisedDisagreement(row);
        if (view::isMissing(d))
            return QVariant();
        return blend(Qt::white, QColor(kLowColour), d);
    }
    if (int u = uncertaintyAspect(column); u >= 0) {
        const double sd = aspectValue(row.scoreStd, u);
        const double span = m_aspects[u].max - m_aspects[u].min;
        if (view::isMissing(sd) || span <= 0)
            return QVariant();
        return blend(Qt::white, QColor(kUncertainColour), sd / span / kUncertaintyScale);
    }
    return QVariant();
}

QVariant SampleTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size() || index.column() >= columnCount())
        return QVariant();
    const view::SampleRow &row = m_rows[index.row()];
    const int column = index.column();
    const bool text = column == PromptColumn || column == CompletionColumn;
    switch (role) {
    case Qt::DisplayRole:
        return displayText(row, column);
    case SortRole:
        if (text)
            return column == PromptColumn ? row.prompt : row.completion;
        return numericValue(row, column);
    case SampleIdRole:
        return row.id;
    case Qt::ToolTipRole:
        return toolTip(row, column);
    case Qt::BackgroundRole:
        return background(row, column);
    case Qt::ForegroundRole:
        return background(row, column).isValid() ? QVariant(QColor(Qt::black)) : QVariant();
    case Qt::TextAlignmentRole:
        return int(text ? (Qt::AlignLeft | Qt::AlignVCenter) : (Qt::AlignRight | Qt::AlignVCenter));
    default:
        return QVariant();
    }
}

QVariant SampleTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= columnCount())
        return QAbstractTableModel::headerData(section, orientation, role);
    const int sa = scoreAspect(section);
    const int la = labelAspect(section);
    if (role == Qt::DisplayRole) {
        if (section == StepColumn)
            return tr("Step");
        if (section == PromptColumn)
            return tr("Prompt");
        if (section == CompletionColumn)
            return tr("Completion");
        // Long names shortened so score columns stay narrow; the tool tip has them whole.
        auto shortName = [](const QString &name) {
            return name.size() > 11 ? name.left(9) + QChar(0x2026) : name;
        };
        if (sa >= 0)
            return tr("%1\nmodel").arg(shortName(m_aspects[sa].name));
        if (la >= 0)
            return tr("%1\nlabel").arg(shortName(m_aspects[la].name));
        if (section == rewardColumn())
            return tr("Reward");
        if (section == advantageColumn())
            return tr("Advantage");
        if (section == rmVersionColumn())
            return tr("RM");
        if (int u = uncertaintyAspect(section); u >= 0)
            return tr("%1\n\u00b1 spread").arg(shortName(m_aspects[u].name));
        return tr("Disagree");
    }
    if (role == Qt::ToolTipRole) {
        if (sa >= 0)
            return tr("Reward model's score for %1").arg(m_aspects[sa].name);
        if (la >= 0)
            return tr("Latest human label for %1 (blank when unlabelled)").arg(m_aspects[la].name);
        if (section == advantageColumn())
            return tr("GRPO advantage within the completion's group (blue below the group mean, orange above)");
        if (section == rmVersionColumn())
            return tr("Version of the reward model that scored the completion");
        if (section == disagreementColumn())
            return tr("Largest |reward model - human label| over the labelled aspects");
        if (section == rewardColumn())
            return tr("Aggregated reward used by GRPO");
        if (int u = uncertaintyAspect(section); u >= 0)
            return tr("Spread (standard deviation) of the reward model's ensemble members' %1 scores: where it is "
                      "large, the model does not know").arg(m_aspects[u].name);
    }
    return QAbstractTableModel::headerData(section, orientation, role);
}

} // namespace awb
