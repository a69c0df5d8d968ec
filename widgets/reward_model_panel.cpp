#include "reward_model_panel.h"
#include "grouped_header.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace awb {

namespace {

constexpr char kAutoKey[] = "rewardModel/autoRetrain";
constexpr char kEveryKey[] = "rewardModel/autoRetrainEvery";
constexpr char kEnsembleKey[] = "rewardModel/ensembleSize";
constexpr int kFixedColumns = 3;   // version, created, labels

QTableWidgetItem *cell(const QString &text, Qt::Alignment align = Qt::AlignRight | Qt::AlignVCenter)
{
    auto *item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    item->setTextAlignment(align);
    return item;
}

QTableWidget *makeTable(QWidget *parent, const QString &objectName)
{
    auto *t = new QTableWidget(parent);
    t->setObjectName(objectName);
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->setAlternatingRowColors(true);
    t->verticalHeader()->setVisible(false);
    t->verticalHeader()->setDefaultSectionSize(t->fontMetrics().height() + 8);
    t->setWordWrap(false);
    return t;
}

} // namespace

RewardModelPanel::RewardModelPanel(QWidget *parent)
    : QWidget(parent)
{
    // --- labels: counts per aspect, since the current version, auto-retrain
    auto *labelsBox = new QGroupBox(tr("Human labels"), this);
    auto *labelsLayout = new QVBoxLayout(labelsBox);
    m_countsTable = makeTable(labelsBox, QStringLiteral("labelCountsTable"));
    m_countsTable->setColumnCount(2);
    m_countsTable->setHorizontalHeaderLabels({tr("Aspect"), tr("Labels")});
    m_countsTable->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_countsTable->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_countsTable->setToolTip(tr("Labelled completions per aspect (latest label per sample and aspect)"));
    labelsLayout->addWidget(m_countsTable, 1);

    m_sinceLabel = new QLabel(labelsBox);
    m_sinceLabel->setObjectName(QStringLiteral("labelsSinceLabel"));
    m_sinceLabel->setWordWrap(true);
    m_sinceLabel->setToolTip(tr("Labels added since the reward-model version in use was trained"));
    labelsLayout->addWidget(m_sinceLabel);

    auto *autoRow = new QHBoxLayout;
    m_autoCheck = new QCheckBox(tr("Auto-retrain e&very"), labelsBox);
    m_autoCheck->setObjectName(QStringLiteral("autoRetrainCheck"));
    m_autoSpin = new QSpinBox(labelsBox);
    m_autoSpin->setObjectName(QStringLiteral("autoRetrainSpin"));
    m_autoSpin->setRange(1, 100000);
    m_autoSpin->setSuffix(tr(" new labels"));
    m_autoSpin->setAccessibleName(tr("Auto-retrain threshold"));
    const QString autoTip = tr("Start a reward-model training by itself once this many labels have been added "
                               "since the version in use (not while one is training)");
    m_autoCheck->setToolTip(autoTip);
    m_autoSpin->setToolTip(autoTip);
    {
        QSettings s;
        m_autoCheck->setChecked(s.value(QLatin1String(kAutoKey), false).toBool());
        m_autoSpin->setValue(s.value(QLatin1String(kEveryKey), kDefaultAutoRetrainEvery).toInt());
    }
    autoRow->addWidget(m_autoCheck);
    autoRow->addWidget(m_autoSpin, 1);
    connect(m_autoCheck, &QCheckBox::toggled, this, [this](bool on) {
        QSettings().setValue(QLatin1String(kAutoKey), on);
        m_autoSpin->setEnabled(on);
    });
    connect(m_autoSpin, &QSpinBox::valueChanged, this,
            [](int n) { QSettings().setValue(QLatin1String(kEveryKey), n); });
    m_autoSpin->setEnabled(m_autoCheck->isChecked());

    // --- training: buttons, progress, live loss curve
    auto *trainBox = new QGroupBox(tr("Training"), this);
    auto *trainLayout = new QVBoxLayout(trainBox);
    auto *buttons = new QHBoxLayout;
    m_retrain = new QPushButton(tr("Re&train"), trainBox);
    m_retrain->setObjectName(QStringLiteral("retrainButton"));
    m_retrain->setToolTip(tr("Train a new reward-model version on all labels so far. GRPO picks it up at the "
                             "next step once it is published."));
    m_new = new QPushButton(tr("&New…"), trainBox);
    m_new->setObjectName(QStringLiteral("newRewardModelButton"));
    m_new->setToolTip(tr("Train a new reward model from data files (per-aspect scores, preference pairs) on a base "
                         "model folder, or from this workspace's labels"));
    m_cancel = new QPushButton(tr("Cance&l"), trainBox);
    m_cancel->setObjectName(QStringLiteral("cancelRetrainButton"));
    m_cancel->setToolTip(tr("Stop the reward-model training; the version in use stays"));
    m_progress = new QProgressBar(trainBox);
    m_progress->setObjectName(QStringLiteral("retrainProgress"));
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setFormat(tr("Idle"));
    m_progress->setTextVisible(true);
    m_ensembleSpin = new QSpinBox(trainBox);
    m_ensembleSpin->setObjectName(QStringLiteral("ensembleSizeSpin"));
    m_ensembleSpin->setRange(1, 16);
    m_ensembleSpin->setAccessibleName(tr("Ensemble size"));
    m_ensembleSpin->setToolTip(tr("Heads of the retrained version, each trained on its own bootstrap resample of the "
                                  "labels: with 2 or more the model knows where it is unsure (the inspector's "
                                  "uncertainty column and Most uncertain first); 1 is a single model"));
    m_ensembleSpin->setValue(QSettings().value(QLatin1String(kEnsembleKey), 1).toInt());
    connect(m_ensembleSpin, &QSpinBox::valueChanged, this,
            [](int n) { QSettings().setValue(QLatin1String(kEnsembleKey), n); });
    buttons->addWidget(m_retrain);
    buttons->addWidget(m_new);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_progress, 1);
    trainLayout->addLayout(buttons);
    auto *headsRow = new QHBoxLayout;
    auto *headsLabel = new QLabel(tr("Ensemble &heads of the next version:"), trainBox);
    headsLabel->setBuddy(m_ensembleSpin);
    headsRow->addWidget(headsLabel);
    headsRow->addWidget(m_ensembleSpin);
    headsRow->addStretch(1);
    trainLayout->addLayout(headsRow);
    connect(m_retrain, &QPushButton::clicked, this, &RewardModelPanel::retrainRequested);
    connect(m_new, &QPushButton::clicked, this, &RewardModelPanel::newModelRequested);
    connect(m_cancel, &QPushButton::clicked, this, &RewardModelPanel::cancelRequested);

    m_status = new QLabel(trainBox);
    m_status->setObjectName(QStringLiteral("retrainStatus"));
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);
    trainLayout->addWidget(m_status);

    m_plot = new QCustomPlot(trainBox);
    m_plot->setObjectName(QStringLiteral("lossPlot"));
    m_plot->setMinimumHeight(110);
    m_plot->setToolTip(tr("Mean squared error per epoch on the training labels and on the held-out labels"));
    m_trainGraph = m_plot->addGraph();
    m_trainGraph->setName(tr("train"));
    m_trainGraph->setPen(QPen(QColor(0x1f, 0x77, 0xb4), 2));
    m_trainGraph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 5));
    m_valGraph = m_plot->addGraph();
    m_valGraph->setName(tr("validation"));
    m_valGraph->setPen(QPen(QColor(0xff, 0x7f, 0x0e), 2));
    m_valGraph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
    m_plot->xAxis->setLabel(tr("epoch"));
    m_plot->yAxis->setLabel(tr("loss"));
    QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
    ticker->setTickStep(1.0);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    m_plot->xAxis->setTicker(ticker);
    m_plot->xAxis->setRange(0.5, 10.5);
    m_plot->yAxis->setRange(0.0, 0.1);
    m_plot->legend->setVisible(true);
    m_plot->legend->setBrush(QColor(255, 255, 255, 210));
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    trainLayout->addWidget(m_plot, 1);

    m_redraw = new QTimer(this);
    m_redraw->setSingleShot(true);
    m_redraw->setInterval(kRedrawMs);
    connect(m_redraw, &QTimer::timeout, this, &RewardModelPanel::replot);

    // --- versions
    auto *versionsBox = new QGroupBox(tr("Versions"), this);
    auto *versionsLayout = new QVBoxLayout(versionsBox);
    m_versionsTable = makeTable(versionsBox, QStringLiteral("versionsTable"));
    m_versionsTable->setHorizontalHeader(new GroupedHeader(m_versionsTable));
    m_versionsTable->horizontalHeader()->setDefaultAlignment(Qt::AlignCenter);
    m_versionsTable->setToolTip(tr("Published reward-model versions, newest first, with RMSE, Pearson r and "
                                   "Spearman \u03c1 per aspect on held-out labels"));
    versionsLayout->addWidget(m_versionsTable);

    // One column, so the panel fits a narrow dock (it shares one with the run set-up).
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(labelsBox, 1);
    layout->addLayout(autoRow);
    layout->addWidget(trainBox, 3);
    layout->addWidget(versionsBox, 3);

    rebuildCounts();
    rebuildVersions();
    updateSinceLabel();
    updateButtons();
}

QStringList RewardModelPanel::aspectOrder(const QStringList &extra) const
{
    QStringList order = m_aspects;
    QStringList more;
    for (const QString &a : extra)
        if (!order.contains(a) && !more.contains(a))
            more << a;
    std::sort(more.begin(), more.end());
    return order + more;
}

void RewardModelPanel::setAspects(const QVector<view::AspectSpec> &aspects)
{
    m_aspects.clear();
    for (const auto &a : aspects)
        m_aspects << a.name;
    rebuildCounts();
    rebuildVersions();
}

void RewardModelPanel::setLabelCounts(const QMap<QString, qint64> &counts)
{
    m_counts = counts;
    rebuildCounts();
}

void RewardModelPanel::rebuildCounts()
{
    const QStringList order = aspectOrder(m_counts.keys());
    m_countsTable->setRowCount(int(order.size()));
    for (int r = 0; r < order.size(); ++r) {
        m_countsTable->setItem(r, 0, cell(order[r], Qt::AlignLeft | Qt::AlignVCenter));
        m_countsTable->setItem(r, 1, cell(QString::number(m_counts.value(order[r], 0))));
    }
}

void RewardModelPanel::setLabelsSinceTraining(qint64 n)
{
    m_labelsSince = n;
    updateSinceLabel();
    maybeAutoRetrain();
}

void RewardModelPanel::setUncertaintyLabelsSinceTraining(qint64 n)
{
    m_uncertainSince = n;
    updateSinceLabel();
}

int RewardModelPanel::ensembleSize() const
{
    return m_ensembleSpin->value();
}

void RewardModelPanel::setEnsembleSize(int n)
{
    m_ensembleSpin->setValue(n);
}

void RewardModelPanel::maybeAutoRetrain()
{
    const int every = m_autoSpin->value();
    if (m_labelsSince < every) {
        m_autoFired = false;   // re-armed: a new version reset the count, or N was raised
        return;
    }
    if (!m_autoCheck->isChecked() || m_training || m_autoFired)
        return;
    m_autoFired = true;
    emit retrainRequested();
}

void RewardModelPanel::updateSinceLabel()
{
    const QString version = m_activeVersion > 0 ? tr("v%1").arg(m_activeVersion) : tr("no version yet");
    QString text = m_labelsSince == 1 ? tr("1 new label since the version in use (%1)").arg(version)
                                      : tr("%1 new labels since the version in use (%2)").arg(m_labelsSince).arg(version);
    if (m_uncertainSince > 0)
        text += QLatin1Char(' ') + tr("%1 of them from the uncertainty queue.").arg(m_uncertainSince);
    m_sinceLabel->setText(text);
}

void RewardModelPanel::setVersions(const QVector<RewardModelVersionRow> &versions)
{
    m_versions = versions;
    std::sort(m_versions.begin(), m_versions.end(),
              [](const auto &a, const auto &b) { return a.version > b.version; });
    rebuildVersions();
}

void RewardModelPanel::setActiveVersion(qint64 version)
{
    m_activeVersion = version;
    rebuildVersions();
    updateSinceLabel();
}

QString RewardModelPanel::formatMetric(double value)
{
    return std::isnan(value) ? QStringLiteral("\u2013") : QString::number(value, 'f', 3);
}

void RewardModelPanel::rebuildVersions()
{
    QStringList seen;
    for (const auto &v : m_versions)
        seen << v.metrics.keys();
    const QStringList aspects = aspectOrder(seen);
    const QStringList metricNames = {tr("RMSE"), tr("r"), tr("\u03c1")};
    const QStringList metricLong = {tr("root mean squared error (lower is better)"),
                                    tr("Pearson correlation with the labels"),
                                    tr("Spearman rank correlation with the labels")};

    // A fourth column per aspect, pairwise accuracy, where some version learnt that aspect from preference pairs.
    QVector<int> perAspect;
    int columns = kFixedColumns + 1;
    for (const QString &aspect : aspects) {
        bool pairs = false;
        for (const auto &v : m_versions) {
            const QVector<double> m = v.metrics.value(aspect);
            pairs = pairs || (m.size() > 3 && !std::isnan(m[3]));
        }
        perAspect << (pairs ? 4 : 3);
        columns += perAspect.back();
    }
    const QStringList names4 = metricNames + QStringList{tr("acc")};
    const QStringList long4 = metricLong + QStringList{tr("pairwise accuracy: how often chosen scores above rejected")};
    m_versionsTable->clear();
    m_versionsTable->setColumnCount(columns);
    m_versionsTable->setRowCount(int(m_versions.size()));
    auto header = [&](int c, const QString &text, const QString &tip, const QString &group = QString()) {
        auto *item = new QTableWidgetItem(text);
        item->setToolTip(tip);
        if (!group.isEmpty())
            item->setData(Qt::UserRole, group);
        m_versionsTable->setHorizontalHeaderItem(c, item);
    };
    header(0, tr("Version"), tr("Reward-model version"));
    header(1, tr("Created"), tr("When the version was published"));
    header(2, tr("Labels"), tr("Labels it was trained on"));
    for (int a = 0, c = kFixedColumns; a < aspects.size(); ++a)
        for (int m = 0; m < perAspect[a]; ++m, ++c)
            header(c, names4[m], QStringLiteral("%1: %2").arg(aspects[a], long4[m]), aspects[a]);
    header(columns - 1, tr("Note"), tr("Note stored with the version"));

    for (int r = 0; r < m_versions.size(); ++r) {
        const RewardModelVersionRow &v = m_versions[r];
        const bool active = v.version == m_activeVersion;
        QVector<QTableWidgetItem *> items;
        items << cell(active ? tr("v%1 (in use)").arg(v.version) : tr("v%1").arg(v.version),
                      Qt::AlignLeft | Qt::AlignVCenter);
        items << cell(v.created.isValid() ? v.created.toString(QStringLiteral("yyyy-MM-dd HH:mm")) : QString(),
                      Qt::AlignLeft | Qt::AlignVCenter);
        items << cell(QString::number(v.labelCount));
        for (int a = 0; a < aspects.size(); ++a) {
            const QVector<double> m = v.metrics.value(aspects[a]);
            for (int k = 0; k < perAspect[a]; ++k)
                items << cell(formatMetric(k < m.size() ? m[k] : view::missing()));
        }
        items << cell(v.note, Qt::AlignLeft | Qt::AlignVCenter);
        for (int c = 0; c < items.size(); ++c) {
            if (active) {
                QFont f = items[c]->font();
                f.setBold(true);
                items[c]->setFont(f);
            }
            if (!v.note.isEmpty())
                items[c]->setToolTip(v.note);
            m_versionsTable->setItem(r, c, items[c]);
        }
    }
    m_versionsTable->resizeColumnsToContents();
    m_versionsTable->horizontalHeader()->setStretchLastSection(true);
}

bool RewardModelPanel::autoRetrain() const
{
    return m_autoCheck->isChecked();
}

int RewardModelPanel::autoRetrainEvery() const
{
    return m_autoSpin->value();
}

void RewardModelPanel::setAutoRetrain(bool on)
{
    m_autoCheck->setChecked(on);
}

void RewardModelPanel::setAutoRetrainEvery(int n)
{
    m_autoSpin->setValue(n);
}

void RewardModelPanel::setTrainingStarted(int epochs)
{
    m_training = true;
    m_epochs = std::max(1, epochs);
    m_trainGraph->data()->clear();
    m_valGraph->data()->clear();
    m_progress->setRange(0, m_epochs);
    m_progress->setValue(0);
    m_progress->setFormat(tr("Epoch %v of %m"));
    m_status->setStyleSheet(QString());
    m_status->setText(tr("Training\u2026"));
    updateButtons();
    m_redraw->start();
}

void RewardModelPanel::setTrainingProgress(int epoch, int epochs, double trainLoss, double valLoss)
{
    if (!m_training)
        setTrainingStarted(epochs);
    if (epochs != m_epochs && epochs > 0) {
        m_epochs = epochs;
        m_progress->setMaximum(epochs);
    }
    m_progress->setValue(std::clamp(epoch, 0, m_epochs));
    if (!std::isnan(trainLoss))
        m_trainGraph->addData(epoch, trainLoss);
    if (!std::isnan(valLoss))
        m_valGraph->addData(epoch, valLoss);
    QString text = tr("Epoch %1 of %2: train loss %3").arg(epoch).arg(m_epochs).arg(trainLoss, 0, 'f', 4);
    if (!std::isnan(valLoss))
        text += tr(", validation loss %1").arg(valLoss, 0, 'f', 4);
    m_status->setText(text);
    if (!m_redraw->isActive())
        m_redraw->start();
}

void RewardModelPanel::setTrainingFinished(bool ok, const QString &message)
{
    m_training = false;
    if (ok)
        m_progress->setValue(m_progress->maximum());
    m_progress->setFormat(ok ? tr("Done") : tr("Stopped at epoch %v of %m"));
    m_status->setStyleSheet(ok ? QString() : QStringLiteral("color: #b00020;"));
    m_status->setText(message.isEmpty() ? (ok ? tr("Training finished.") : tr("Training failed.")) : message);
    updateButtons();
    if (!m_redraw->isActive())
        m_redraw->start();
}

void RewardModelPanel::updateButtons()
{
    m_cancel->setEnabled(m_training);
    m_retrain->setEnabled(!m_training);
    m_new->setEnabled(!m_training);
}

void RewardModelPanel::replot()
{
    m_plot->xAxis->setRange(0.5, std::max(1, m_epochs) + 0.5);
    bool found = false;
    const QCPRange train = m_trainGraph->data()->valueRange(found);
    bool foundVal = false;
    const QCPRange val = m_valGraph->data()->valueRange(foundVal);
    if (found || foundVal) {
        double top = 0.0;
        if (found)
            top = std::max(top, train.upper);
        if (foundVal)
            top = std::max(top, val.upper);
        m_plot->yAxis->setRange(0.0, top > 0.0 ? top * 1.1 : 1.0);
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace awb
