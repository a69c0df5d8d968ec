#include "weights_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace awb {

namespace {

constexpr double kSame = 1e-9;

QString aggregationText(const QString &key)
{
    if (key == QLatin1String("sum_then_normalize"))
        return WeightsPanel::tr("Sum, then normalise");
    if (key == QLatin1String("normalize_then_sum"))
        return WeightsPanel::tr("Normalise each, then sum");
    return key;
}

} // namespace

WeightsPanel::WeightsPanel(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);

    m_grid = new QGridLayout;
    m_grid->setColumnStretch(1, 1);
    m_grid->setHorizontalSpacing(8);
    layout->addLayout(m_grid);
    buildConstraintsBox(layout);   // right under the weights: a constrained aspect's bound replaces its weight

    m_sum = new QLabel(this);
    m_sum->setObjectName(QStringLiteral("weightSumLabel"));
    m_sum->setToolTip(tr("The sum of the weights; with normalising on it is 1"));
    layout->addWidget(m_sum, 0, Qt::AlignRight);

    auto *aggRow = new QHBoxLayout;
    auto *aggLabel = new QLabel(tr("&Aggregation:"), this);
    m_aggregation = new QComboBox(this);
    m_aggregation->setObjectName(QStringLiteral("aggregationCombo"));
    aggLabel->setBuddy(m_aggregation);
    const QString sumTip = tr("sum_then_normalize (TRL's default): the weighted sum of the raw aspect scores, "
                              "then normalised within each prompt's group. An aspect with a wide spread of "
                              "scores dominates the advantage.");
    const QString normTip = tr("normalize_then_sum (GDPO): each aspect is normalised within its group first, "
                               "then weighted and summed, then the sum is normalised over the batch. Every "
                               "aspect counts on the same scale, so the weights mean what they say.");
    m_aggregation->addItem(aggregationText(QStringLiteral("sum_then_normalize")), QStringLiteral("sum_then_normalize"));
    m_aggregation->setItemData(0, sumTip, Qt::ToolTipRole);
    m_aggregation->addItem(aggregationText(QStringLiteral("normalize_then_sum")), QStringLiteral("normalize_then_sum"));
    m_aggregation->setItemData(1, normTip, Qt::ToolTipRole);
    m_aggregation->setToolTip(tr("How the aspect scores become one reward per completion.\n\n%1\n\n%2")
                                  .arg(sumTip, normTip));
    aggRow->addWidget(aggLabel);
    aggRow->addWidget(m_aggregation, 1);
    layout->addLayout(aggRow);

    auto *optRow = new QHBoxLayout;
    m_normalise = new QCheckBox(tr("&Normalise to sum 1"), this);
    m_normalise->setObjectName(QStringLiteral("normaliseCheck"));
    m_normalise->setToolTip(tr("Rescale the weights so they sum to 1. While on, the weight you edit keeps its "
                               "value and the others shrink or grow in proportion."));
    m_reset = new QPushButton(tr("&Reset"), this);
    m_reset->setObjectName(QStringLiteral("resetWeightsButton"));
    m_reset->setToolTip(tr("Give every aspect the same weight (1, or 1/K while normalising)"));
    optRow->addWidget(m_normalise, 1);
    optRow->addWidget(m_reset);
    layout->addLayout(optRow);

    m_inForce = new QLabel(this);
    m_inForce->setObjectName(QStringLiteral("inForceLabel"));
    m_inForce->setWordWrap(true);
    m_inForce->setTextFormat(Qt::PlainText);
    m_inForce->setToolTip(tr("The weights and aggregation the trainer used, as it reported them"));
    layout->addWidget(m_inForce);

    m_pendingLabel = new QLabel(this);
    m_pendingLabel->setObjectName(QStringLiteral("pendingLabel"));
    m_pendingLabel->setWordWrap(true);
    m_pendingLabel->setStyleSheet(QStringLiteral("color: #a05a00;"));
    layout->addWidget(m_pendingLabel);
    layout->addStretch(1);

    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(kDebounceMs);
    connect(m_debounce, &QTimer::timeout, this, &WeightsPanel::emitNow);

    connect(m_aggregation, &QComboBox::currentIndexChanged, this, [this] {
        if (m_updating)
            return;
        m_pending = true;
        emitNow();
    });
    connect(m_normalise, &QCheckBox::toggled, this, [this](bool on) {
        applyRanges();
        if (m_updating || !on)
            return;
        m_weights = normalisedToOne(m_weights);
        showWeights();
        scheduleEmit();
    });
    connect(m_reset, &QPushButton::clicked, this, &WeightsPanel::resetWeights);

    updateStatus();
}

void WeightsPanel::setAspects(const QVector<view::AspectSpec> &aspects, const QMap<QString, double> &weights,
                              const QString &aggregation)
{
    m_debounce->stop();
    m_pending = false;
    m_aspects = aspects;
    m_weights.clear();
    for (const auto &a : aspects)
        m_weights.append(std::clamp(weights.value(a.name, 1.0), 0.0, kMaxWeight));
    rebuildRows();
    enableWeightRows();
    m_updating = true;
    m_aggregation->setCurrentIndex(aggregationIndex(aggregation.isEmpty() ? QStringLiteral("sum_then_normalize")
                                                                         : aggregation));
    m_updating = false;
    showWeights();
}

int WeightsPanel::aggregationIndex(const QString &key)
{
    int index = m_aggregation->findData(key);
    if (index < 0) {   // a mode this panel does not know: show it rather than hide it
        m_aggregation->addItem(aggregationText(key), key);
        index = m_aggregation->count() - 1;
    }
    return index;
}

QString WeightsPanel::weightTip(const QString &aspect)
{
    return tr("Weight of %1 in the reward. Arrows: ±0.01 on the slider, ±0.05 in "
              "the box; Page Up/Down ±0.10. Applied from the next training step.")
        .arg(aspect);
}

void WeightsPanel::rebuildRows()
{
    for (const Row &row : m_rows) {
        delete row.name;
        delete row.slider;
        delete row.spin;
    }
    m_rows.clear();

    QWidget *previous = nullptr;
    for (int i = 0; i < m_aspects.size(); ++i) {
        const QString &name = m_aspects[i].name;
        Row row;
        row.name = new QLabel(name, this);
        row.slider = new QSlider(Qt::Horizontal, this);
        row.slider->setObjectName(QStringLiteral("weightSlider_") + name);
        row.slider->setSingleStep(1);
        row.slider->setPageStep(10);
        row.slider->setFocusPolicy(Qt::StrongFocus);
        row.spin = new QDoubleSpinBox(this);
        row.spin->setObjectName(QStringLiteral("weightSpin_") + name);
        row.spin->setDecimals(3);
        row.spin->setSingleStep(0.05);
        row.spin->setKeyboardTracking(false);   // one change per Enter / focus-out, not per digit
        row.spin->setAccelerated(true);
        row.name->setBuddy(row.slider);
        const QString tip = weightTip(name);
        row.name->setToolTip(tip);
        row.slider->setToolTip(tip);
        row.spin->setToolTip(tip);
        row.slider->setAccessibleName(tr("%1 weight").arg(name));
        row.spin->setAccessibleName(tr("%1 weight").arg(name));
        m_grid->addWidget(row.name, i, 0);
        m_grid->addWidget(row.slider, i, 1);
        m_grid->addWidget(row.spin, i, 2);
        if (previous)
            setTabOrder(previous, row.slider);
        setTabOrder(row.slider, row.spin);
        previous = row.spin;

        connect(row.slider, &QSlider::valueChanged, this, [this, i](int v) {
            if (!m_updating)
                edit(i, double(v) / kSliderScale);
        });
        connect(row.slider, &QSlider::sliderReleased, this, &WeightsPanel::flush);
        connect(row.spin, &QDoubleSpinBox::valueChanged, this, [this, i](double v) {
            if (!m_updating)
                edit(i, v);
        });
        m_rows.append(row);
    }
    if (previous) {
        setTabOrder(previous, m_aggregation);
        setTabOrder(m_aggregation, m_normalise);
        setTabOrder(m_normalise, m_reset);
    }
    applyRanges();
}

void WeightsPanel::applyRanges()
{
    const double top = m_normalise->isChecked() ? 1.0 : kMaxWeight;
    m_updating = true;
    for (const Row &row : m_rows) {
        row.slider->setRange(0, int(std::lround(top * kSliderScale)));
        row.spin->setRange(0.0, top);
    }
    m_updating = false;
    showWeights();
}

QMap<QString, double> WeightsPanel::weights() const
{
    QMap<QString, double> out;
    for (int i = 0; i < m_aspects.size(); ++i)
        out.insert(m_aspects[i].name, m_weights.value(i));
    return out;
}

QString WeightsPanel::aggregation() const
{
    return m_aggregation->currentData().toString();
}

bool WeightsPanel::normalising() const
{
    return m_normalise->isChecked();
}

void WeightsPanel::setNormalising(bool on)
{
    m_normalise->setChecked(on);
}

void WeightsPanel::setWeight(const QString &aspect, double weight)
{
    for (int i = 0; i < m_aspects.size(); ++i)
        if (m_aspects[i].name == aspect)
            edit(i, weight);
}

void WeightsPanel::edit(int aspect, double value)
{
    if (aspect < 0 || aspect >= m_weights.size())
        return;
    if (m_normalise->isChecked())
        m_weights = normalisedAfterEdit(m_weights, aspect, value);
    else
        m_weights[aspect] = std::clamp(value, 0.0, kMaxWeight);
    showWeights();
    scheduleEmit();
}

void WeightsPanel::showWeights()
{
    m_updating = true;
    for (int i = 0; i < m_rows.size() && i < m_weights.size(); ++i) {
        const int tick = int(std::lround(m_weights[i] * kSliderScale));
        if (m_rows[i].slider->value() != tick)
            m_rows[i].slider->setValue(tick);
        if (std::abs(m_rows[i].spin->value() - m_weights[i]) > 5e-4)
            m_rows[i].spin->setValue(m_weights[i]);
    }
    m_updating = false;
    double sum = 0.0;
    for (double w : m_weights)
        sum += w;
    m_sum->setText(tr("Sum %1").arg(locale().toString(sum, 'f', 3)));   // as the spin boxes show numbers
    updateStatus();
}

void WeightsPanel::scheduleEmit()
{
    m_pending = true;
    m_debounce->start();
    updateStatus();
}

void WeightsPanel::flush()
{
    if (m_pending)
        emitNow();
}

void WeightsPanel::emitNow()
{
    m_debounce->stop();
    m_pending = false;
    updateStatus();
    emit weightsChanged(weights(), aggregation());
}

void WeightsPanel::resetWeights()
{
    const int k = int(m_weights.size());
    if (k == 0)
        return;
    m_weights.fill(m_normalise->isChecked() ? 1.0 / k : 1.0);
    showWeights();
    m_pending = true;
    emitNow();
}

void WeightsPanel::setInForce(int step, const QMap<QString, double> &weights, const QString &aggregation)
{
    m_inForceStep = step;
    m_inForceWeights = weights;
    m_inForceAggregation = aggregation;
    updateStatus();
}

void WeightsPanel::updateStatus()
{
    if (m_inForceStep < 0) {
        m_inForce->setText(tr("Not used by a training step yet."));
    } else {
        QStringList parts;
        for (const auto &a : m_aspects)
            if (m_inForceWeights.contains(a.name))
                parts << QStringLiteral("%1 %2").arg(a.name).arg(m_inForceWeights.value(a.name), 0, 'f', 2);
        for (auto it = m_inForceWeights.cbegin(); it != m_inForceWeights.cend(); ++it)   // aspects since removed
            if (std::none_of(m_aspects.cbegin(), m_aspects.cend(), [&](const auto &a) { return a.name == it.key(); }))
                parts << QStringLiteral("%1 %2").arg(it.key()).arg(it.value(), 0, 'f', 2);
        m_inForce->setText(tr("In force since step %1: %2; %3")
                               .arg(m_inForceStep)
                               .arg(parts.join(QStringLiteral(", ")), aggregationText(m_inForceAggregation).toLower()));
    }

    bool differs = m_inForceStep >= 0 && aggregation() != m_inForceAggregation;
    for (int i = 0; m_inForceStep >= 0 && i < m_aspects.size(); ++i)
        if (std::abs(m_inForceWeights.value(m_aspects[i].name, 1.0) - m_weights.value(i)) > kSame)
            differs = true;
    if (m_pending)
        m_pendingLabel->setText(tr("Editing\u2026 sent to the trainer when you pause."));
    else if (differs)
        m_pendingLabel->setText(tr("Sent; takes effect at the next training step."));
    else
        m_pendingLabel->clear();
    m_pendingLabel->setVisible(!m_pendingLabel->text().isEmpty());
}

QVector<double> WeightsPanel::normalisedToOne(const QVector<double> &weights)
{
    QVector<double> out = weights;
    double sum = 0.0;
    for (double &w : out) {
        w = std::max(0.0, w);
        sum += w;
    }
    for (double &w : out)
        w = sum > 0.0 ? w / sum : 1.0 / double(out.size());
    return out;
}

QVector<double> WeightsPanel::normalisedAfterEdit(const QVector<double> &weights, int edited, double value)
{
    QVector<double> out = weights;
    if (edited < 0 || edited >= out.size())
        return out;
    if (out.size() == 1) {
        out[0] = 1.0;
        return out;
    }
    const double kept = std::clamp(value, 0.0, 1.0);
    double others = 0.0;
    for (int j = 0; j < out.size(); ++j)
        if (j != edited)
            others += std::max(0.0, out[j]);
    for (int j = 0; j < out.size(); ++j) {
        if (j == edited)
            out[j] = kept;
        else if (others > 0.0)
            out[j] = std::max(0.0, out[j]) * (1.0 - kept) / others;
        else
            out[j] = (1.0 - kept) / double(out.size() - 1);
    }
    return out;
}

} // namespace awb
