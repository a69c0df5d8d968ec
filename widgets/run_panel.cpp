#include "run_panel.h"

#include "options_form.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QShortcut>
#include <QSpinBox>
#include <QStyle>
#include <QThread>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

namespace awb {

namespace {

const QStringList kInputKeys = {QStringLiteral("model"), QStringLiteral("reward_model"), QStringLiteral("prompts")};

bool positive(double v) { return std::isfinite(v) && v > 0.0; }

// Keeps the selection by id across a refill; a fresh combo selects the last entry (the newest).
void fillCombo(QComboBox *combo, const QVector<QPair<qint64, QString>> &items)
{
    const QVariant current = combo->currentData();
    combo->clear();
    for (const auto &[id, text] : items)
        combo->addItem(text, id);
    const int keep = current.isValid() ? combo->findData(current) : -1;
    combo->setCurrentIndex(keep >= 0 ? keep : combo->count() - 1);
}

} // namespace

RunPanel::RunPanel(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);

    // --- inputs ---
    auto *inputs = new QGroupBox(tr("Inputs"), this);
    auto *inputsForm = new QFormLayout(inputs);
    inputsForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_policy = new QLineEdit(inputs);
    m_policy->setObjectName(QStringLiteral("policyEdit"));
    m_policy->setPlaceholderText(tr("Hugging Face model folder"));
    m_policy->setToolTip(tr("Policy model folder: config.json, model.safetensors, tokenizer.json"));
    auto *browse = new QToolButton(inputs);
    m_policyBrowse = browse;
    browse->setObjectName(QStringLiteral("policyBrowseButton"));
    browse->setText(QStringLiteral("…"));
    browse->setToolTip(tr("Choose the policy model folder"));
    connect(browse, &QToolButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Policy model folder"), m_policy->text());
        if (!dir.isEmpty())
            m_policy->setText(dir);
    });
    auto *policyRow = new QHBoxLayout;
    policyRow->setSpacing(2);
    policyRow->addWidget(m_policy, 1);
    policyRow->addWidget(browse);
    auto *policyLabel = new QLabel(tr("&Policy"), inputs);
    policyLabel->setBuddy(m_policy);
    inputsForm->addRow(policyLabel, policyRow);

    m_rewardModel = new QComboBox(inputs);
    m_rewardModel->setObjectName(QStringLiteral("rewardModelCombo"));
    m_rewardModel->setPlaceholderText(tr("no reward model yet"));
    m_rewardModel->setToolTip(
        tr("Reward-model version the run starts with; retrained versions are picked up at the next step"));
    inputsForm->addRow(tr("&Reward model"), m_rewardModel);

    m_promptSet = new QComboBox(inputs);
    m_promptSet->setObjectName(QStringLiteral("promptSetCombo"));
    m_promptSet->setPlaceholderText(tr("no prompts imported"));
    m_promptSet->setToolTip(tr("Prompt set the run samples from (File ▸ Import prompts… adds one)"));
    inputsForm->addRow(tr("Pro&mpts"), m_promptSet);

    m_device = new QComboBox(inputs);
    m_device->setObjectName(QStringLiteral("deviceCombo"));
    m_device->addItem(tr("auto (CUDA when available)"), QStringLiteral("auto"));
    m_device->addItem(tr("cpu"), QStringLiteral("cpu"));
    m_device->addItem(tr("cuda"), QStringLiteral("cuda"));
    m_device->setToolTip(tr("Where the policy, the reference and the reward model run"));
    inputsForm->addRow(tr("&Device"), m_device);

    m_threads = new QSpinBox(inputs);
    m_threads->setObjectName(QStringLiteral("threadsSpin"));
    m_threads->setRange(0, 1024);
    m_threads->setSpecialValueText(tr("all cores (%1)").arg(QThread::idealThreadCount()));
    m_threads->setToolTip(tr("CPU threads for the run; 0 uses all cores"));
    inputsForm->addRow(tr("&Threads"), m_threads);
    layout->addWidget(inputs);

    // --- options ---
    auto *optionsBox = new QGroupBox(tr("Training options"), this);
    auto *optionsLayout = new QVBoxLayout(optionsBox);
    optionsLayout->setContentsMargins(4, 4, 4, 4);
    m_form = new OptionsForm(optionsBox);
    m_form->setObjectName(QStringLiteral("optionsForm"));
    optionsLayout->addWidget(m_form);
    layout->addWidget(optionsBox, 1);

    // --- control ---
    auto *controlBox = new QGroupBox(tr("Run"), this);
    auto *controlLayout = new QVBoxLayout(controlBox);
    auto *buttons = new QHBoxLayout;
    auto button = [&](const QString &text, const char *name, QStyle::StandardPixmap icon, const QString &tip,
                      void (RunPanel::*signal)()) {
        auto *b = new QPushButton(style()->standardIcon(icon), text, controlBox);
        b->setObjectName(QString::fromLatin1(name));
        b->setToolTip(tip);
        connect(b, &QPushButton::clicked, this, signal);
        buttons->addWidget(b);
        return b;
    };
    m_start = button(tr("Start"), "startButton", QStyle::SP_MediaPlay, tr("Start a run with these settings (F5)"),
                     &RunPanel::requestStart);
    m_pause = button(tr("Pause"), "pauseButton", QStyle::SP_MediaPause,
                     tr("Pause at the end of the current step (F6)"), &RunPanel::pauseRequested);
    m_resume = button(tr("Resume"), "resumeButton", QStyle::SP_MediaSeekForward, tr("Resume the paused run (F6)"),
                      &RunPanel::resumeRequested);
    m_stop = button(tr("Stop"), "stopButton", QStyle::SP_MediaStop,
                    tr("Stop after the current step; a checkpoint is saved (Shift+F5)"), &RunPanel::stopRequested);
    controlLayout->addLayout(buttons);

    auto shortcut = [this](const QKeySequence &key, auto handler) {
        auto *s = new QShortcut(key, this);
        s->setContext(Qt::WindowShortcut);
        connect(s, &QShortcut::activated, this, handler);
    };
    auto clickIfEnabled = [](QPushButton *b) {
        if (b->isEnabled())
            b->click();
    };
    shortcut(QKeySequence(Qt::Key_F5), [=] { clickIfEnabled(m_start); });
    shortcut(QKeySequence(Qt::Key_F6), [=] { clickIfEnabled(m_pause->isEnabled() ? m_pause : m_resume); });
    shortcut(QKeySequence(Qt::SHIFT | Qt::Key_F5), [=] { clickIfEnabled(m_stop); });

    m_progress = new QProgressBar(controlBox);
    m_progress->setObjectName(QStringLiteral("runProgress"));
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setFormat(QStringLiteral("%p%"));
    controlLayout->addWidget(m_progress);
    m_status = new QLabel(controlBox);
    m_status->setObjectName(QStringLiteral("runStatusLabel"));
    m_status->setWordWrap(true);
    controlLayout->addWidget(m_status);
    m_error = new QLabel(controlBox);
    m_error->setObjectName(QStringLiteral("runErrorLabel"));
    m_error->setWordWrap(true);
    m_error->setTextFormat(Qt::PlainText);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setStyleSheet(QStringLiteral("QLabel { color: #b71c1c; background: #fdecea; border: 1px solid #e57373;"
                                          " border-radius: 3px; padding: 4px; }"));
    m_error->hide();
    controlLayout->addWidget(m_error);
    layout->addWidget(controlBox);

    setState(State::Idle);
}

void RunPanel::setOptions(const QVector<view::OptionSpec> &options)
{
    QVector<view::OptionSpec> shown;
    for (const auto &spec : options) {
        if (!kInputKeys.contains(spec.key)) {
            shown.push_back(spec);
            continue;
        }
        if (spec.key == QLatin1String("model") && m_policy->text().trimmed().isEmpty())
            m_policy->setText(spec.value.toString());
    }
    m_form->setOptions(shown);
}

QVariantMap RunPanel::options() const { return m_form->values(); }
bool RunPanel::setOptionValue(const QString &key, const QVariant &value) { return m_form->setValue(key, value); }
QStringList RunPanel::changedKeys() const { return m_form->changedKeys(); }
bool RunPanel::validate(QString *error) const { return m_form->validate(error); }

void RunPanel::setPolicyPath(const QString &path) { m_policy->setText(path); }
QString RunPanel::policyPath() const { return m_policy->text().trimmed(); }

void RunPanel::setRewardModelVersions(const QVector<QPair<qint64, QString>> &versions)
{
    fillCombo(m_rewardModel, versions);
}

void RunPanel::setRewardModelVersion(qint64 id)
{
    if (const int i = m_rewardModel->findData(id); i >= 0)
        m_rewardModel->setCurrentIndex(i);
}

qint64 RunPanel::rewardModelVersion() const { return m_rewardModel->currentData().toLongLong(); }

void RunPanel::setPromptSets(const QVector<QPair<qint64, QString>> &sets) { fillCombo(m_promptSet, sets); }

void RunPanel::setPromptSetId(qint64 id)
{
    if (const int i = m_promptSet->findData(id); i >= 0)
        m_promptSet->setCurrentIndex(i);
}

qint64 RunPanel::promptSetId() const { return m_promptSet->currentData().toLongLong(); }

void RunPanel::setDevice(const QString &device)
{
    if (const int i = m_device->findData(device.toLower()); i >= 0)
        m_device->setCurrentIndex(i);
}

QString RunPanel::device() const { return m_device->currentData().toString(); }
void RunPanel::setThreads(int threads) { m_threads->setValue(threads); }
int RunPanel::threads() const { return m_threads->value(); }

void RunPanel::requestStart()
{
    QString error;
    if (!m_form->validate(&error)) {
        setError(tr("Fix the options first:\n%1").arg(error));
        return;
    }
    emit startRequested();
}

void RunPanel::setState(State state)
{
    m_state = state;
    const bool setUp = state == State::Idle || state == State::Finished || state == State::Failed;
    m_start->setEnabled(setUp);
    m_pause->setEnabled(state == State::Running);
    m_resume->setEnabled(state == State::Paused);
    m_stop->setEnabled(state == State::Starting || state == State::Running || state == State::Pausing
                       || state == State::Paused);
    // Field by field, so the labels of the running set-up stay readable.
    for (QWidget *w : {static_cast<QWidget *>(m_policy), m_policyBrowse, static_cast<QWidget *>(m_rewardModel),
                       static_cast<QWidget *>(m_promptSet), static_cast<QWidget *>(m_device),
                       static_cast<QWidget *>(m_threads)})
        w->setEnabled(setUp);
    m_form->setEditable(setUp);
    if (state == State::Starting) {
        clearError();
        m_step = -1;
        m_progress->setRange(0, 0);   // busy until the first step reports
    } else if (m_step < 0) {
        m_progress->setRange(0, 1);
        m_progress->setValue(0);
    }
    refreshStatus();
}

QString RunPanel::formatDuration(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0)
        seconds = 0;
    const qint64 s = std::llround(seconds);
    if (s < 60)
        return tr("%1 s").arg(s);
    if (s < 3600)
        return tr("%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    const qint64 m = std::llround(seconds / 60.0);
    return tr("%1 h %2 min").arg(m / 60).arg(m % 60, 2, 10, QLatin1Char('0'));
}

void RunPanel::setProgress(int step, int maxSteps, double secondsPerStep, double tokensPerSecond)
{
    m_step = std::max(0, step);
    m_maxSteps = std::max(0, maxSteps);
    m_secondsPerStep = secondsPerStep;
    m_tokensPerSecond = tokensPerSecond;
    m_progress->setRange(0, std::max(1, m_maxSteps));
    m_progress->setValue(std::min(m_step, std::max(1, m_maxSteps)));
    refreshStatus();
}

QString RunPanel::progressText() const
{
    if (m_step < 0)
        return {};
    const QLocale locale;
    QStringList parts{stepText()};
    if (m_maxSteps > 0 && positive(m_secondsPerStep))
        parts << tr("ETA %1").arg(formatDuration(std::max(0, m_maxSteps - m_step) * m_secondsPerStep));
    if (positive(m_tokensPerSecond))
        parts << tr("%1 tok/s").arg(locale.toString(qlonglong(std::llround(m_tokensPerSecond))));
    return parts.join(QStringLiteral(" · "));
}

QString RunPanel::stepText() const
{
    const QLocale locale;
    if (m_step < 0)
        return {};
    return m_maxSteps > 0 ? tr("step %1 / %2").arg(locale.toString(m_step), locale.toString(m_maxSteps))
                          : tr("step %1").arg(locale.toString(m_step));
}

void RunPanel::refreshStatus()
{
    const QString progress = progressText();
    const QString steps = stepText();
    auto with = [](const QString &what, const QString &detail) {
        return detail.isEmpty() ? what : what + QStringLiteral(" · ") + detail;
    };
    QString text;
    switch (m_state) {
    case State::Idle: text = progress.isEmpty() ? tr("Not running") : progress; break;
    case State::Starting: text = tr("Starting: loading the models…"); break;
    case State::Running: text = progress.isEmpty() ? tr("Running: waiting for the first step…") : progress; break;
    case State::Pausing: text = with(tr("Pausing after this step…"), steps); break;
    case State::Paused: text = with(tr("Paused"), steps); break;
    case State::Stopping: text = with(tr("Stopping after this step…"), steps); break;
    case State::Finished: text = with(tr("Finished"), steps); break;
    case State::Failed: text = with(tr("Failed"), steps); break;
    }
    m_status->setText(text);
}

void RunPanel::setError(const QString &message)
{
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
}

void RunPanel::clearError()
{
    m_error->clear();
    m_error->hide();
}

QString RunPanel::errorText() const { return m_error->text(); }

} // namespace awb
