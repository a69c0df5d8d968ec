#include "playground_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QShortcut>
#include <QSlider>
#include <QSpinBox>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace awb {

namespace {

constexpr int kSliderMax = 100;   // a slider is a relative weight 0..100; the shares are what the policy reads

QString fixed2(double v) { return QString::number(v, 'f', 2); }

} // namespace

PlaygroundPanel::PlaygroundPanel(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    auto *top = new QHBoxLayout;
    auto *cpLabel = new QLabel(tr("&Checkpoint:"), this);
    m_checkpoint = new QComboBox(this);
    m_checkpoint->setMinimumContentsLength(24);
    cpLabel->setBuddy(m_checkpoint);
    top->addWidget(cpLabel);
    top->addWidget(m_checkpoint, 1);
    layout->addLayout(top);
    m_steerNote = new QLabel(this);
    m_steerNote->setWordWrap(true);
    layout->addWidget(m_steerNote);

    auto *promptLabel = new QLabel(tr("&Prompt:"), this);
    m_prompt = new QPlainTextEdit(this);
    m_prompt->setPlaceholderText(tr("Type a prompt, then Ctrl+Return"));
    m_prompt->setMaximumHeight(70);
    promptLabel->setBuddy(m_prompt);
    layout->addWidget(promptLabel);
    layout->addWidget(m_prompt);

    m_sliderGrid = new QGridLayout;
    layout->addLayout(m_sliderGrid);

    auto *controls = new QHBoxLayout;
    m_compare = new QCheckBox(tr("Compare with &B"), this);
    auto *samplesLabel = new QLabel(tr("&Samples:"), this);
    m_samples = new QSpinBox(this);
    m_samples->setRange(1, 16);
    m_samples->setValue(3);
    samplesLabel->setBuddy(m_samples);
    m_generate = new QPushButton(tr("&Generate"), this);
    m_generate->setToolTip(tr("Generate (Ctrl+Return)"));
    controls->addWidget(m_compare);
    controls->addStretch(1);
    controls->addWidget(samplesLabel);
    controls->addWidget(m_samples);
    controls->addWidget(m_generate);
    layout->addLayout(controls);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    auto *results = new QHBoxLayout;
    for (int side = 0; side < 2; ++side) {
        m_results[side] = new QTextBrowser(this);
        m_results[side]->setObjectName(side == 0 ? QStringLiteral("resultsA") : QStringLiteral("resultsB"));
        results->addWidget(m_results[side], 1);
    }
    m_results[1]->setVisible(false);
    layout->addLayout(results, 1);

    connect(m_checkpoint, &QComboBox::currentIndexChanged, this, [this] { updateSteerable(); });
    connect(m_compare, &QCheckBox::toggled, this, [this](bool on) {
        m_results[1]->setVisible(on);
        for (auto *s : m_sliders[1])
            s->setEnabled(on && m_sliders[0].value(0) && m_sliders[0].value(0)->isEnabled());
    });
    connect(m_generate, &QPushButton::clicked, this, &PlaygroundPanel::requestGenerate);
    auto *shortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
    shortcut->setContext(Qt::WidgetWithChildrenShortcut);
    connect(shortcut, &QShortcut::activated, this, &PlaygroundPanel::requestGenerate);
    updateSteerable();
}

void PlaygroundPanel::setAspects(const QVector<view::AspectSpec> &aspects)
{
    m_aspects = aspects;
    rebuildSliders();
}

void PlaygroundPanel::rebuildSliders()
{
    while (QLayoutItem *item = m_sliderGrid->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    for (int side = 0; side < 2; ++side) {
        m_sliders[side].clear();
        m_shares[side].clear();
    }
    m_sliderGrid->addWidget(new QLabel(tr("A"), this), 0, 1);
    m_sliderGrid->addWidget(new QLabel(tr("B"), this), 0, 3);
    for (int k = 0; k < m_aspects.size(); ++k) {
        m_sliderGrid->addWidget(new QLabel(m_aspects[k].name, this), k + 1, 0);
        for (int side = 0; side < 2; ++side) {
            auto *slider = new QSlider(Qt::Horizontal, this);
            slider->setRange(0, kSliderMax);
            slider->setValue(kSliderMax / 2);
            slider->setAccessibleName(QStringLiteral("%1 %2").arg(m_aspects[k].name, side == 0 ? "A" : "B"));
            auto *share = new QLabel(this);
            share->setMinimumWidth(share->fontMetrics().horizontalAdvance(QStringLiteral("0.00 ")));
            m_sliderGrid->addWidget(slider, k + 1, 1 + 2 * side);
            m_sliderGrid->addWidget(share, k + 1, 2 + 2 * side);
            m_sliders[side].push_back(slider);
            m_shares[side].push_back(share);
            connect(slider, &QSlider::valueChanged, this, [this, side] {
                const QVector<double> w = weights(side);
                for (int j = 0; j < w.size(); ++j)
                    m_shares[side][j]->setText(fixed2(w[j]));
            });
        }
    }
    for (int side = 0; side < 2; ++side)
        setWeights(side, QVector<double>(m_aspects.size(), 1.0));
    updateSteerable();
}

void PlaygroundPanel::setCheckpoints(const QVector<view::SteerCheckpoint> &checkpoints)
{
    const QString current = m_checkpoint->currentData().toString();
    m_checkpoints = checkpoints;
    m_checkpoint->blockSignals(true);
    m_checkpoint->clear();
    for (const auto &c : checkpoints)
        m_checkpoint->addItem(c.label, c.path);
    const int keep = m_checkpoint->findData(current);
    m_checkpoint->setCurrentIndex(keep >= 0 ? keep : 0);
    m_checkpoint->blockSignals(false);
    updateSteerable();
}

int PlaygroundPanel::checkpointCount() const { return int(m_checkpoints.size()); }

void PlaygroundPanel::updateSteerable()
{
    const int i = m_checkpoint->currentIndex();
    const bool any = i >= 0 && i < m_checkpoints.size();
    const bool steerable = any && m_checkpoints[i].steerable;
    for (int side = 0; side < 2; ++side)
        for (auto *s : m_sliders[side])
            s->setEnabled(steerable && (side == 0 || m_compare->isChecked()));
    m_compare->setEnabled(steerable);
    m_generate->setEnabled(any);
    if (!any) {
        m_steerNote->setText(tr("No checkpoint yet: train a run (a steerable one has conditioning \"lora\" or \"prompt\")."));
    } else if (steerable) {
        m_steerNote->setText(tr("Steerable: the policy answers for the weights below."));
    } else {
        QStringList parts;
        for (int k = 0; k < m_aspects.size() && k < m_checkpoints[i].runWeights.size(); ++k)
            parts << QStringLiteral("%1 %2").arg(m_aspects[k].name, fixed2(m_checkpoints[i].runWeights[k]));
        m_steerNote->setText(tr("Not steerable: this run answers at the weights it trained with (%1).")
                                 .arg(parts.join(QStringLiteral(", "))));
        setWeights(0, m_checkpoints[i].runWeights);
    }
}

void PlaygroundPanel::setPrompt(const QString &prompt) { m_prompt->setPlainText(prompt); }

void PlaygroundPanel::setWeights(int side, const QVector<double> &weights)
{
    if (side < 0 || side > 1)
        return;
    double top = 0;
    for (double w : weights)
        top = std::max(top, w);
    for (int k = 0; k < m_sliders[side].size(); ++k) {
        const double w = k < weights.size() && top > 0 ? weights[k] / top : 1.0;
        m_sliders[side][k]->setValue(int(std::lround(w * kSliderMax)));
    }
}

void PlaygroundPanel::setCompare(bool on) { m_compare->setChecked(on); }
void PlaygroundPanel::setSampleCount(int n) { m_samples->setValue(n); }
bool PlaygroundPanel::comparing() const { return m_compare->isChecked() && m_compare->isEnabled(); }

QVector<double> PlaygroundPanel::weights(int side) const
{
    QVector<double> w;
    double sum = 0;
    for (auto *s : m_sliders[side]) {
        w.push_back(s->value());
        sum += s->value();
    }
    for (double &v : w)
        v = sum > 0 ? v / sum : 1.0 / double(w.size());
    return w;
}

void PlaygroundPanel::requestGenerate()
{
    const int i = m_checkpoint->currentIndex();
    if (i < 0 || i >= m_checkpoints.size() || !m_generate->isEnabled())
        return;
    const QString prompt = m_prompt->toPlainText().trimmed();
    if (prompt.isEmpty()) {
        showError(tr("Type a prompt first."));
        return;
    }
    const bool steerable = m_checkpoints[i].steerable;
    emit generateRequested(m_checkpoints[i].path, prompt, steerable ? weights(0) : QVector<double>(),
                           steerable && comparing() ? weights(1) : QVector<double>(), m_samples->value());
}

QString PlaygroundPanel::renderSamples(const QVector<view::SteerSampleRow> &samples, const QString &note) const
{
    QString html;
    if (!note.isEmpty())
        html += QStringLiteral("<p><i>%1</i></p>").arg(note.toHtmlEscaped());
    if (!samples.isEmpty()) {
        QStringList w;
        for (int k = 0; k < m_aspects.size() && k < samples.front().weights.size(); ++k)
            w << QStringLiteral("%1 %2").arg(m_aspects[k].name, fixed2(samples.front().weights[k]));
        html += QStringLiteral("<p><b>%1</b></p>").arg(tr("Weights: %1").arg(w.join(QStringLiteral(", "))).toHtmlEscaped());
    }
    for (int i = 0; i < samples.size(); ++i) {
        const auto &s = samples[i];
        html += QStringLiteral("<p><b>%1.</b> %2</p>").arg(i + 1).arg(s.text.toHtmlEscaped());
        QStringList scores;
        for (int k = 0; k < m_aspects.size() && k < s.scores.size(); ++k) {
            QString item = QStringLiteral("%1 %2").arg(m_aspects[k].name, fixed2(s.scores[k]));
            if (k < s.gold.size())
                item += QStringLiteral(" (%1 %2)").arg(tr("gold"), fixed2(s.gold[k]));
            scores << item;
        }
        html += QStringLiteral("<p style='color:#555'>%1</p>").arg(scores.join(QStringLiteral(" · ")).toHtmlEscaped());
    }
    return html;
}

void PlaygroundPanel::showResults(int side, const QVector<view::SteerSampleRow> &samples, const QString &note)
{
    if (side < 0 || side > 1)
        return;
    m_results[side]->setHtml(renderSamples(samples, note));
}

QString PlaygroundPanel::resultsText(int side) const
{
    return side >= 0 && side <= 1 ? m_results[side]->toPlainText() : QString();
}

void PlaygroundPanel::setBusy(bool busy, const QString &status)
{
    m_generate->setEnabled(!busy && m_checkpoint->currentIndex() >= 0);
    m_status->setStyleSheet(QString());
    m_status->setText(status);
}

void PlaygroundPanel::showError(const QString &message)
{
    m_status->setStyleSheet(QStringLiteral("color: #b00020"));
    m_status->setText(message);
}

} // namespace awb
