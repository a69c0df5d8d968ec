// The sample inspector: table, group view, detail pane and label editor
// wired together; the filter bar lives in sample_inspector_filters.cpp.
#include "sample_inspector.h"
#include "label_editor.h"
#include "sample_filter_model.h"
#include "sample_table_model.h"

#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QSplitter>
#include <QTableView>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <algorithm>

namespace awb {

namespace {

QString fmt(double v, int decimals = 3)
{
    return view::isMissing(v) ? QStringLiteral("\u2014") : QString::number(v, 'f', decimals);
}

QString htmlText(const QString &text)
{
    return text.toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>"));
}

QGroupBox *boxed(const QString &title, QWidget *content)
{
    auto *box = new QGroupBox(title);
    auto *l = new QVBoxLayout(box);
    l->setContentsMargins(4, 4, 4, 4);
    l->addWidget(content);
    return box;
}

} // namespace

SampleInspector::SampleInspector(QWidget *parent)
    : QWidget(parent)
    , m_model(new SampleTableModel(this))
    , m_filter(new SampleFilterModel(this))
{
    m_filter->setSourceModel(m_model);

    m_table = new QTableView;
    m_table->setObjectName(QStringLiteral("samplesTable"));
    m_table->setModel(m_filter);
    m_table->setSortingEnabled(true);
    m_table->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideRight);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    m_table->horizontalHeader()->setHighlightSections(false);
    m_table->installEventFilter(this);
    m_table->setToolTip(QString());
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &SampleInspector::onCurrentRowChanged);

    m_group = new QTableWidget(0, 4);
    m_group->setObjectName(QStringLiteral("groupTable"));
    m_group->setHorizontalHeaderLabels({tr("#"), tr("Adv."), tr("Reward"), tr("Completion")});
    m_group->horizontalHeaderItem(0)->setToolTip(tr("Index of the completion in its group"));
    m_group->horizontalHeaderItem(1)->setToolTip(tr("GRPO advantage; the group is sorted by it, best first"));
    m_group->verticalHeader()->hide();
    m_group->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    m_group->horizontalHeader()->setStretchLastSection(true);
    m_group->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_group->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_group->setSelectionMode(QAbstractItemView::SingleSelection);
    m_group->setWordWrap(false);
    m_group->setFocusPolicy(Qt::ClickFocus);
    connect(m_group, &QTableWidget::cellClicked, this, [this](int row, int) {
        if (QTableWidgetItem *item = m_group->item(row, 0))
            selectSample(item->data(Qt::UserRole).toLongLong());
    });

    m_detail = new QTextBrowser;
    m_detail->setObjectName(QStringLiteral("sampleDetail"));
    m_detail->setOpenLinks(false);
    m_detail->setFocusPolicy(Qt::ClickFocus);

    m_editor = new LabelEditor;
    m_editor->setObjectName(QStringLiteral("labelEditor"));
    connect(m_editor, &LabelEditor::labelsSubmitted, this, &SampleInspector::onEditorSubmitted);
    connect(m_editor, &LabelEditor::nextSampleRequested, this, &SampleInspector::nextSample);
    connect(m_editor, &LabelEditor::previousSampleRequested, this, &SampleInspector::previousSample);
    connect(m_editor, &LabelEditor::undoRequested, this, [this](qint64 id) {
        m_undoing = true;
        emit undoRequested(id);
        selectSample(id);
    });

    auto *bottom = new QSplitter(Qt::Horizontal);
    bottom->setObjectName(QStringLiteral("inspectorBottomSplitter"));
    bottom->addWidget(boxed(tr("Group (same prompt, same step), by advantage"), m_group));
    bottom->addWidget(boxed(tr("Sample"), m_detail));
    bottom->addWidget(boxed(tr("Label"), m_editor));
    bottom->setStretchFactor(0, 3);
    bottom->setStretchFactor(1, 4);
    bottom->setStretchFactor(2, 3);
    bottom->setSizes({420, 520, 460});

    auto *split = new QSplitter(Qt::Vertical);
    split->setObjectName(QStringLiteral("inspectorSplitter"));
    split->addWidget(m_table);
    split->addWidget(bottom);
    // The table takes what the group, sample and label panes leave: they keep their
    // minimum height (the label editor's) in a short window.
    split->setChildrenCollapsible(false);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({600, 250});

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(split, 1);
    // Inserted after the table so the table comes first in the focus chain:
    // the labelling keys work from it as soon as the inspector is shown.
    layout->insertWidget(0, createFilterBar());
    setFocusProxy(m_table);

    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(m_filter, signal, this, &SampleInspector::updateCount);
    connect(m_filter, &QAbstractItemModel::modelReset, this, &SampleInspector::updateCount);
    connect(m_filter, &QAbstractItemModel::layoutChanged, this, &SampleInspector::updateCount);
    updateCount();
    showDetail(view::SampleRow());
}

void SampleInspector::setAspects(const QVector<view::AspectSpec> &aspects)
{
    m_aspects = aspects;
    m_model->setAspects(aspects);
    m_filter->clearAspectRanges();
    m_editor->setAspects(aspects);
    rebuildAspectFilters();
    rebuildUncertaintyMenu();
    sizeColumns();
}

void SampleInspector::sizeColumns()
{
    QHeaderView *h = m_table->horizontalHeader();
    const QFontMetrics fm = h->fontMetrics();
    h->setSectionResizeMode(QHeaderView::Interactive);
    h->setStretchLastSection(false);
    m_table->setColumnWidth(SampleTableModel::StepColumn, fm.horizontalAdvance(tr("Step")) + 26);
    m_table->setColumnWidth(SampleTableModel::PromptColumn, 220);
    h->setSectionResizeMode(SampleTableModel::CompletionColumn, QHeaderView::Stretch);
    // Numbers need about "+0.000"; long aspect names elide in the header
    // (its tool tip has them in full) so the completion keeps some room.
    const int number = fm.horizontalAdvance(QStringLiteral("+0.000")) + 22;  // + the sort arrow
    for (int c = SampleTableModel::CompletionColumn + 1; c < m_model->columnCount(); ++c) {
        int width = 0;
        for (const QString &line : m_model->headerData(c, Qt::Horizontal).toString().split(QLatin1Char('\n')))
            width = std::max(width, fm.horizontalAdvance(line) + 22);
        m_table->setColumnWidth(c, std::clamp(width, number, std::max(number, fm.horizontalAdvance(QStringLiteral("politeness")) + 22)));
    }
}

void SampleInspector::setSamples(const QVector<view::SampleRow> &rows)
{
    const qint64 keep = m_currentId;
    const bool spread = m_model->hasUncertainty();
    m_model->setRows(rows);
    if (m_model->hasUncertainty() != spread)   // the spread columns came or went
        sizeColumns();
    m_currentId = 0;
    if (keep && m_model->rowForSampleId(keep) >= 0 && m_filter->proxyRowForSampleId(keep) >= 0)
        selectSample(keep);
    else {
        m_editor->clearSample();
        showDetail(view::SampleRow());
        m_group->setRowCount(0);
    }
}

void SampleInspector::appendSamples(const QVector<view::SampleRow> &rows)
{
    m_model->appendRows(rows);
    updateCount();
}

void SampleInspector::setLabels(qint64 sampleId, const QVector<double> &labels)
{
    if (!m_model->setLabels(sampleId, labels))
        return;
    if (sampleId == m_currentId) {
        const view::SampleRow &s = m_model->sampleAt(m_model->rowForSampleId(sampleId));
        showDetail(s);
        showGroup(s);
    }
}

void SampleInspector::setLabelsSinceRetrain(int n, qint64 rmVersion)
{
    m_editor->setLabelsSinceRetrain(n, rmVersion);
}

bool SampleInspector::selectSample(qint64 sampleId)
{
    if (m_model->rowForSampleId(sampleId) < 0)
        return false;
    if (m_filter->proxyRowForSampleId(sampleId) < 0)
        clearFilters();
    goToRow(m_filter->proxyRowForSampleId(sampleId));
    return true;
}

void SampleInspector::goToRow(int proxyRow)
{
    if (m_filter->rowCount() == 0)
        return;
    proxyRow = std::clamp(proxyRow, 0, m_filter->rowCount() - 1);
    const QModelIndex index = m_filter->index(proxyRow, SampleTableModel::StepColumn);
    m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index);
    onCurrentRowChanged();  // also when the row was current already
}

void SampleInspector::nextSample()
{
    if (m_pendingNext) {
        m_pendingNext = false;
        const int row = m_filter->proxyRowForSampleId(m_nextIdAfterSubmit);
        goToRow(row >= 0 ? row : m_rowAfterSubmit);
        return;
    }
    goToRow(m_table->currentIndex().isValid() ? m_table->currentIndex().row() + 1 : 0);
}

void SampleInspector::previousSample()
{
    m_pendingNext = false;
    goToRow(m_table->currentIndex().isValid() ? m_table->currentIndex().row() - 1 : 0);
}

void SampleInspector::onCurrentRowChanged()
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid())
        return;
    const qint64 id = current.data(SampleTableModel::SampleIdRole).toLongLong();
    const view::SampleRow &sample = m_model->sampleAt(m_model->rowForSampleId(id));
    const bool changed = id != m_currentId;
    m_currentId = id;
    m_editor->setSample(sample);
    showDetail(sample);
    showGroup(sample);
    if (changed)
        emit sampleSelected(id);
}

void SampleInspector::onEditorSubmitted(qint64 sampleId, const QVector<double> &values)
{
    if (m_undoing) {
        m_undoing = false;
    } else {
        // Find the sample below before the label moves or hides this one.
        const int before = m_filter->proxyRowForSampleId(sampleId);
        m_nextIdAfterSubmit = m_filter->sampleIdAt(before + 1);
        m_rowAfterSubmit = before >= 0 ? before + 1 : 0;
        m_pendingNext = true;
    }
    m_model->setLabels(sampleId, values);
    if (sampleId == m_currentId) {
        const view::SampleRow &s = m_model->sampleAt(m_model->rowForSampleId(sampleId));
        showDetail(s);
        showGroup(s);
    }
    emit labelsSubmitted(sampleId, values, m_editor->annotator(), labellingQueue());
}

void SampleInspector::showGroup(const view::SampleRow &sample)
{
    QVector<const view::SampleRow *> members;
    if (sample.id != 0)
        for (const view::SampleRow &r : m_model->rows())
            if (r.runId == sample.runId && r.step == sample.step && r.group == sample.group)
                members.append(&r);
    std::stable_sort(members.begin(), members.end(), [](const view::SampleRow *a, const view::SampleRow *b) {
        if (view::isMissing(a->advantage) != view::isMissing(b->advantage))
            return view::isMissing(b->advantage);
        return a->advantage > b->advantage;
    });
    m_group->setRowCount(int(members.size()));
    QFont bold = m_group->font();
    bold.setBold(true);
    for (int i = 0; i < members.size(); ++i) {
        const view::SampleRow &r = *members[i];
        const QString adv = view::isMissing(r.advantage)
                                ? QStringLiteral("\u2014")
                                : (r.advantage > 0 ? QStringLiteral("+") : QString()) + QString::number(r.advantage, 'f', 2);
        const QStringList cells = {QString::number(r.indexInGroup), adv, fmt(r.reward), r.completion.simplified()};
        for (int c = 0; c < cells.size(); ++c) {
            auto *item = new QTableWidgetItem(cells[c]);
            item->setData(Qt::UserRole, r.id);
            item->setToolTip(c == 3 ? r.completion : QString());
            if (c < 3)
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            if (c == 1) {
                const QModelIndex mi = m_model->index(m_model->rowForSampleId(r.id), m_model->advantageColumn());
                item->setData(Qt::BackgroundRole, mi.data(Qt::BackgroundRole));
                item->setData(Qt::ForegroundRole, mi.data(Qt::ForegroundRole));
            }
            if (r.id == sample.id)
                item->setFont(bold);
            m_group->setItem(i, c, item);
        }
        if (r.id == sample.id)
            m_group->selectRow(i);
    }
    m_group->resizeColumnToContents(0);
    m_group->resizeColumnToContents(1);
    m_group->resizeColumnToContents(2);
}

void SampleInspector::showDetail(const view::SampleRow &s)
{
    if (s.id == 0) {
        m_detail->setHtml(tr("<p style='color:gray'>Select a sample in the table to see it in full and label it.</p>"));
        return;
    }
    QString html;
    html += tr("<p><b>Sample %1</b> &middot; run %2 &middot; step %3 &middot; group %4 &middot; completion %5")
                .arg(s.id).arg(s.runId).arg(s.step).arg(s.group).arg(s.indexInGroup);
    html += tr(" &middot; reward %1 &middot; advantage %2").arg(fmt(s.reward), fmt(s.advantage));
    if (s.rewardModelVersion > 0)
        html += tr(" &middot; RM v%1").arg(s.rewardModelVersion);
    if (s.completionTokens > 0)
        html += tr(" &middot; %1 tokens").arg(s.completionTokens);
    if (!s.finish.isEmpty())
        html += tr(" &middot; finish: %1").arg(s.finish.toHtmlEscaped());
    html += QStringLiteral("</p>");
    html += tr("<p><b>Prompt</b><br>%1</p>").arg(htmlText(s.prompt));
    html += tr("<p><b>Completion</b><br>%1</p>").arg(htmlText(s.completion));
    const bool gold = !s.gold.isEmpty();
    html += QStringLiteral("<table cellspacing='0' cellpadding='3' border='1' style='border-collapse:collapse'><tr><th align='left'>%1</th><th>%2</th><th>%3</th>")
                .arg(tr("Aspect"), tr("Model"), tr("Label"));
    if (gold)
        html += QStringLiteral("<th>%1</th>").arg(tr("Gold"));
    html += QStringLiteral("</tr>");
    for (int a = 0; a < m_aspects.size(); ++a) {
        auto at = [a](const QVector<double> &v) { return a < v.size() ? v[a] : view::missing(); };
        html += QStringLiteral("<tr><td>%1</td><td align='right'>%2</td><td align='right'>%3</td>")
                    .arg(m_aspects[a].name.toHtmlEscaped(), fmt(at(s.scores)), fmt(at(s.labels)));
        if (gold)
            html += QStringLiteral("<td align='right'>%1</td>").arg(fmt(at(s.gold)));
        html += QStringLiteral("</tr>");
    }
    html += QStringLiteral("</table>");
    if (!s.weights.isEmpty()) {
        QStringList parts;
        for (int a = 0; a < m_aspects.size() && a < s.weights.size(); ++a)
            parts << QStringLiteral("%1 %2").arg(m_aspects[a].name.toHtmlEscaped(), QString::number(s.weights[a], 'g', 3));
        html += tr("<p>Trained with weights: %1</p>").arg(parts.join(QStringLiteral(", ")));
    }
    html += whyThisOne(s);
    m_detail->setHtml(html);
}

QString SampleInspector::whyThisOne(const view::SampleRow &s) const
{
    if (s.members.isEmpty() || s.scoreStd.isEmpty())
        return QString();
    int worst = -1;
    for (int a = 0; a < m_aspects.size() && a < s.scoreStd.size(); ++a)
        if (!view::isMissing(s.scoreStd[a]) && (worst < 0 || s.scoreStd[a] > s.scoreStd[worst]))
            worst = a;
    if (worst < 0)
        return QString();
    const int m = int(s.members.value(worst).size());
    QString html = tr("<p><b>Why this one</b>: the reward model's %1 members disagree most on %2 "
                      "(spread %3). Their scores:</p>")
                       .arg(m)
                       .arg(m_aspects[worst].name.toHtmlEscaped(), fmt(s.scoreStd[worst]));
    // Three columns, so the table fits the narrow detail pane: the members' scores as one list.
    html += QStringLiteral("<table cellspacing='0' cellpadding='3' border='1' style='border-collapse:collapse'>"
                           "<tr><th align='left'>%1</th><th>%2</th><th align='left'>%3</th></tr>")
                .arg(tr("Aspect"), tr("Mean \u00b1 spread"), tr("Members"));
    for (int a = 0; a < m_aspects.size() && a < s.members.size(); ++a) {
        const QString open = a == worst ? QStringLiteral("<b>") : QString();
        const QString close = a == worst ? QStringLiteral("</b>") : QString();
        QStringList each;
        for (double v : s.members[a])
            each << fmt(v, 2);
        html += QStringLiteral("<tr><td>%1%2%3</td><td align='right'>%1%4 \u00b1 %5%3</td><td>%6</td></tr>")
                    .arg(open, m_aspects[a].name.toHtmlEscaped(), close, fmt(s.scores.value(a, view::missing())),
                         fmt(s.scoreStd.value(a, view::missing())), each.join(QStringLiteral(", ")));
    }
    return html + QStringLiteral("</table>");
}

bool SampleInspector::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_table && event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        switch (key->key()) {
        case Qt::Key_Up:
        case Qt::Key_Down:
        case Qt::Key_Left:
        case Qt::Key_Right:
        case Qt::Key_PageUp:
        case Qt::Key_PageDown:
        case Qt::Key_Home:
        case Qt::Key_End:
            break;  // the table's own navigation
        default:
            if (m_editor->handleKey(key))
                return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace awb
