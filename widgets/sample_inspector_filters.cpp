// SampleInspector's filter bar: the widgets and how they drive SampleFilterModel.
#include "sample_filter_model.h"
#include "sample_inspector.h"
#include "sample_table_model.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace awb {

namespace {

constexpr int kMaxStep = 10'000'000;

} // namespace

QWidget *SampleInspector::createFilterBar()
{
    auto *bar = new QWidget;
    auto *rows = new QVBoxLayout(bar);
    rows->setContentsMargins(0, 0, 0, 0);
    rows->setSpacing(2);
    auto *first = new QHBoxLayout;

    m_stepMin = new QSpinBox;
    m_stepMin->setObjectName(QStringLiteral("stepMinSpin"));
    m_stepMin->setRange(0, kMaxStep);
    m_stepMin->setToolTip(tr("First step shown"));
    m_stepMax = new QSpinBox;
    m_stepMax->setObjectName(QStringLiteral("stepMaxSpin"));
    m_stepMax->setRange(-1, kMaxStep);
    m_stepMax->setValue(-1);
    m_stepMax->setSpecialValueText(tr("last"));
    m_stepMax->setToolTip(tr("Last step shown (\"last\": no limit)"));
    auto *stepLabel = new QLabel(tr("Steps"));
    stepLabel->setBuddy(m_stepMin);
    first->addWidget(stepLabel);
    first->addWidget(m_stepMin);
    first->addWidget(new QLabel(tr("to")));
    first->addWidget(m_stepMax);
    first->addSpacing(12);

    m_promptEdit = new QLineEdit;
    m_promptEdit->setObjectName(QStringLiteral("promptFilterEdit"));
    m_promptEdit->setPlaceholderText(tr("prompt contains\u2026"));
    m_promptEdit->setClearButtonEnabled(true);
    m_promptEdit->setToolTip(tr("Keep samples whose prompt contains this text (case-insensitive)"));
    m_promptEdit->setMinimumWidth(120);
    first->addWidget(m_promptEdit, 1);
    first->addSpacing(12);

    m_labelledCombo = new QComboBox;
    m_labelledCombo->setObjectName(QStringLiteral("labelledCombo"));
    m_labelledCombo->addItem(tr("All samples"), int(SampleFilterModel::Labelled::All));
    m_labelledCombo->addItem(tr("Labelled"), int(SampleFilterModel::Labelled::Labelled));
    m_labelledCombo->addItem(tr("Unlabelled"), int(SampleFilterModel::Labelled::Unlabelled));
    m_labelledCombo->setToolTip(tr("Show all samples, only labelled ones, or only those still to label"));
    first->addWidget(m_labelledCombo);

    m_disagreementToggle = new QToolButton;
    m_disagreementToggle->setObjectName(QStringLiteral("disagreementToggle"));
    m_disagreementToggle->setText(tr("Disagreement first"));
    m_disagreementToggle->setCheckable(true);
    m_disagreementToggle->setToolTip(tr("Only labelled samples, sorted by |reward model - label|, largest first"));
    first->addWidget(m_disagreementToggle);

    m_uncertaintyToggle = new QToolButton;
    m_uncertaintyToggle->setObjectName(QStringLiteral("uncertaintyToggle"));
    m_uncertaintyToggle->setText(tr("Most uncertain first"));
    m_uncertaintyToggle->setCheckable(true);
    m_uncertaintyToggle->setPopupMode(QToolButton::MenuButtonPopup);
    m_uncertaintyToggle->setMenu(new QMenu(m_uncertaintyToggle));
    m_uncertaintyToggle->setToolTip(tr("Only unlabelled samples, sorted by the largest spread across the reward "
                                       "model's ensemble members over the aspects ticked in the menu, largest first: "
                                       "the labels that teach the model most. Labels given here count for the "
                                       "uncertainty queue."));
    first->addWidget(m_uncertaintyToggle);

    auto *clear = new QPushButton(tr("Clear filters"));
    clear->setObjectName(QStringLiteral("clearFiltersButton"));
    connect(clear, &QPushButton::clicked, this, &SampleInspector::clearFilters);
    first->addWidget(clear);
    first->addSpacing(12);

    m_countLabel = new QLabel;
    m_countLabel->setObjectName(QStringLiteral("sampleCountLabel"));
    first->addWidget(m_countLabel);
    rows->addLayout(first);

    m_aspectFilterLayout = new QHBoxLayout;
    rows->addLayout(m_aspectFilterLayout);

    connect(m_stepMin, &QSpinBox::valueChanged, this, &SampleInspector::applyFilters);
    connect(m_stepMax, &QSpinBox::valueChanged, this, &SampleInspector::applyFilters);
    connect(m_promptEdit, &QLineEdit::textChanged, this, &SampleInspector::applyFilters);
    connect(m_labelledCombo, &QComboBox::currentIndexChanged, this, &SampleInspector::applyFilters);
    // The two orders exclude each other; either one decides which samples show, so the labelled filter rests.
    auto orderToggle = [this](QToolButton *self, QToolButton *other, void (SampleFilterModel::*set)(bool)) {
        connect(self, &QToolButton::toggled, this, [this, other, set](bool on) {
            if (on) {
                const QSignalBlocker b(other);
                other->setChecked(false);
            }
            (m_filter->*set)(on);
            m_labelledCombo->setEnabled(!on);
            syncSortIndicator();
        });
    };
    orderToggle(m_disagreementToggle, m_uncertaintyToggle, &SampleFilterModel::setDisagreementMode);
    orderToggle(m_uncertaintyToggle, m_disagreementToggle, &SampleFilterModel::setUncertaintyMode);
    return bar;
}

void SampleInspector::rebuildUncertaintyMenu()
{
    QMenu *menu = m_uncertaintyToggle->menu();
    menu->clear();
    menu->addSection(tr("Spread over"));
    for (int a = 0; a < m_aspects.size(); ++a) {
        QAction *act = menu->addAction(m_aspects[a].name);
        act->setObjectName(QStringLiteral("uncertaintyAspect_%1").arg(a));
        act->setCheckable(true);
        act->setChecked(true);
        act->setData(a);
        connect(act, &QAction::toggled, this, &SampleInspector::applyUncertaintyAspects);
    }
    applyUncertaintyAspects();
}

void SampleInspector::applyUncertaintyAspects()
{
    QVector<int> chosen;
    for (QAction *act : m_uncertaintyToggle->menu()->actions())
        if (act->isCheckable() && act->isChecked())
            chosen << act->data().toInt();
    // None ticked reads as all: an order over no aspect would be no order.
    m_filter->setUncertaintyAspects(chosen.size() == m_aspects.size() ? QVector<int>() : chosen);
}

QString SampleInspector::labellingQueue() const
{
    if (m_filter->uncertaintyMode())
        return QStringLiteral("uncertainty");
    if (m_filter->disagreementMode())
        return QStringLiteral("disagreement");
    return QString();
}

void SampleInspector::rebuildAspectFilters()
{
    while (QLayoutItem *item = m_aspectFilterLayout->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    m_aspectMins.clear();
    m_aspectFilterLayout->addWidget(new QLabel(tr("Score at least:")));
    for (int a = 0; a < m_aspects.size(); ++a) {
        const view::AspectSpec &spec = m_aspects[a];
        auto *spin = new QDoubleSpinBox;
        spin->setObjectName(QStringLiteral("aspectMinSpin_%1").arg(a));
        spin->setRange(spec.min, spec.max);
        spin->setDecimals(2);
        spin->setSingleStep((spec.max - spec.min) / 20.0);
        spin->setValue(spec.min);
        spin->setToolTip(tr("Keep samples whose reward-model %1 score is at least this (the minimum keeps all)")
                             .arg(spec.name));
        auto *label = new QLabel(spec.name);
        label->setBuddy(spin);
        m_aspectFilterLayout->addSpacing(8);
        m_aspectFilterLayout->addWidget(label);
        m_aspectFilterLayout->addWidget(spin);
        connect(spin, &QDoubleSpinBox::valueChanged, this, &SampleInspector::applyFilters);
        m_aspectMins.append(spin);
    }
    m_aspectFilterLayout->addStretch(1);
}

void SampleInspector::applyFilters()
{
    const int maxStep = m_stepMax->value() < 0 ? INT_MAX : m_stepMax->value();
    m_filter->setStepRange(m_stepMin->value(), maxStep);
    m_filter->setPromptFilter(m_promptEdit->text().trimmed());
    m_filter->setLabelledFilter(SampleFilterModel::Labelled(m_labelledCombo->currentData().toInt()));
    for (int a = 0; a < m_aspectMins.size(); ++a) {
        if (m_aspectMins[a]->value() > m_aspects[a].min)
            m_filter->setAspectRange(a, m_aspectMins[a]->value(), m_aspects[a].max);
        else
            m_filter->clearAspectRange(a);
    }
}

void SampleInspector::clearFilters()
{
    {
        const QSignalBlocker b1(m_stepMin), b2(m_stepMax), b3(m_promptEdit), b4(m_labelledCombo),
            b5(m_disagreementToggle), b6(m_uncertaintyToggle);
        m_stepMin->setValue(0);
        m_stepMax->setValue(-1);
        m_promptEdit->clear();
        m_labelledCombo->setCurrentIndex(0);
        m_labelledCombo->setEnabled(true);
        m_disagreementToggle->setChecked(false);
        m_uncertaintyToggle->setChecked(false);
        for (int a = 0; a < m_aspectMins.size(); ++a) {
            const QSignalBlocker b(m_aspectMins[a]);
            m_aspectMins[a]->setValue(m_aspects[a].min);
        }
    }
    m_filter->clearFilters();
    syncSortIndicator();
}

void SampleInspector::setStepFilter(int step)
{
    {
        const QSignalBlocker b1(m_stepMin), b2(m_stepMax);
        m_stepMin->setValue(step);
        m_stepMax->setValue(step);
    }
    applyFilters();
}

void SampleInspector::syncSortIndicator()
{
    const QSignalBlocker block(m_table->horizontalHeader());
    // Most uncertain first sorts by no column of the table: no column shows an arrow then.
    m_table->horizontalHeader()->setSortIndicator(m_filter->uncertaintyMode() ? -1 : m_filter->sortColumn(),
                                                  m_filter->sortOrder());
}

void SampleInspector::updateCount()
{
    m_countLabel->setText(tr("%1 of %2 samples").arg(m_filter->rowCount()).arg(m_model->rowCount()));
}

} // namespace awb
