#include "run_setup_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleValidator>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QShortcut>
#include <QSpinBox>
#include <QThread>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

namespace awb {

namespace {

// Doubles are edited as text so that learning rates like 5e-05 survive exactly.
QString doubleText(double v) { return QString::number(v, 'g', 12); }

} // namespace

RunSetupPanel::RunSetupPanel(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);

    auto *inputs = new QGroupBox(tr("Inputs"), this);
    auto *inputsForm = new QFormLayout(inputs);
    m_policy = new QLineEdit(inputs);
    m_policy->setObjectName(QStringLiteral("policyEdit"));
    m_policy->setPlaceholderText(tr("Hugging Face model folder"));
    m_policy->setToolTip(tr("Policy model folder: config.json, model.safetensors, tokenizer.json"));
    auto *browse = new QToolButton(inputs);
    browse->setText(QStringLiteral("…"));
    browse->setToolTip(tr("Choose the policy model folder"));
    connect(browse, &QToolButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Policy model folder"), m_policy->text());
        if (!dir.isEmpty())
            m_policy->setText(dir);
    });
    auto *policyRow = new QHBoxLayout;
    policyRow->addWidget(m_policy);
    policyRow->addWidget(browse);
    inputsForm->addRow(tr("Policy"), policyRow);
    m_rewardModel = new QComboBox(inputs);
    m_rewardModel->setObjectName(QStringLiteral("rewardModelCombo"));
    m_rewardModel->setToolTip(tr("Reward-model version the run starts with; retrained versions are picked up live"));
    inputsForm->addRow(tr("Reward model"), m_rewardModel);
    m_promptSet = new QComboBox(inputs);
    m_promptSet->setObjectName(QStringLiteral("promptSetCombo"));
    inputsForm->addRow(tr("Prompts"), m_promptSet);
    m_device = new QComboBox(inputs);
    m_device->setObjectName(QStringLiteral("deviceCombo"));
    m_device->addItem(tr("auto"), QStringLiteral("auto"));
    m_device->addItem(tr("CPU"), QStringLiteral("cpu"));
    m_device->addItem(tr("CUDA"), QStringLiteral("cuda"));
    m_threads = new QSpinBox(inputs);
    m_threads->setObjectName(QStringLiteral("threadsSpin"));
    m_threads->setRange(0, 512);
    m_threads->setSpecialValueText(tr("all cores (%1)").arg(QThread::idealThreadCount()));
    auto *deviceRow = new QHBoxLayout;
    deviceRow->addWidget(m_device);
    deviceRow->addWidget(new QLabel(tr("Threads"), inputs));
    deviceRow->addWidget(m_threads, 1);
    inputsForm->addRow(tr("Device"), deviceRow);
    layout->addWidget(inputs);

    auto *controls = new QHBoxLayout;
    auto button = [&](const QString &text, const char *name, const QKeySequence &key, void (RunSetupPanel::*signal)()) {
        auto *b = new QPushButton(text, this);
        b->setObjectName(QString::fromLatin1(name));
        b->setToolTip(tr("%1 (%2)").arg(text.simplified().remove(QLatin1Char('&')), key.toString(QKeySequence::NativeText)));
        connect(b, &QPushButton::clicked, this, signal);
        auto *sc = new QShortcut(key, this);
        sc->setContext(Qt::WindowShortcut);
        connect(sc, &QShortcut::activated, b, [b] {
            if (b->isEnabled() && b->isVisible())
                b->click();
        });
        controls->addWidget(b);
        return b;
    };
    m_start = button(tr("&Start"), "startButton", QKeySequence(Qt::Key_F5), &RunSetupPanel::startRequested);
    m_pause = button(tr("&Pause"), "pauseButton", QKeySequence(Qt::Key_F6), &RunSetupPanel::pauseRequested);
    m_resume = button(tr("&Resume"), "resumeButton", QKeySequence(Qt::Key_F7), &RunSetupPanel::resumeRequested);
    m_stop = button(tr("S&top"), "stopButton", QKeySequence(Qt::SHIFT | Qt::Key_F5), &RunSetupPanel::stopRequested);
    layout->addLayout(controls);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("runProgress"));
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setFormat(QStringLiteral("%v / %m"));
    layout->addWidget(m_progress);
    m_status = new QLabel(tr("Not running"), this);
    m_status->setObjectName(QStringLiteral("runStatusLabel"));
    layout->addWidget(m_status);
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("runErrorLabel"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setStyleSheet(QStringLiteral("color: #b00020;"));
    m_error->hide();
    layout->addWidget(m_error);

    auto *optionsBox = new QGroupBox(tr("GRPO options"), this);
    auto *optionsLayout = new QVBoxLayout(optionsBox);
    auto *scroll = new QScrollArea(optionsBox);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_formHost = new QWidget(scroll);
    m_form = new QFormLayout(m_formHost);
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    scroll->setWidget(m_formHost);
    optionsLayout->addWidget(scroll);
    auto *reset = new QPushButton(tr("Reset to defaults"), optionsBox);
    reset->setObjectName(QStringLiteral("resetOptionsButton"));
    connect(reset, &QPushButton::clicked, this, &RunSetupPanel::resetOptions);
    optionsLayout->addWidget(reset, 0, Qt::AlignRight);
    layout->addWidget(optionsBox, 1);

    setState(State::Idle);
}

QWidget *RunSetupPanel::editorFor(const view::OptionSpec &spec)
{
    using Kind = view::OptionSpec::Kind;
    QWidget *editor = nullptr;
    switch (spec.kind) {
    case Kind::Bool: {
        auto *c = new QCheckBox(m_formHost);
        c->setChecked(spec.value.toBool());
        editor = c;
        break;
    }
    case Kind::Int: {
        auto *s = new QSpinBox(m_formHost);
        s->setRange(std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
        s->setValue(static_cast<int>(spec.value.toLongLong()));
        editor = s;
        break;
    }
    case Kind::Double: {
        auto *e = new QLineEdit(doubleText(spec.value.toDouble()), m_formHost);
        auto *v = new QDoubleValidator(e);
        v->setNotation(QDoubleValidator::ScientificNotation);
        v->setLocale(QLocale::c());
        e->setValidator(v);
        connect(e, &QLineEdit::textChanged, e, [e] {
            e->setStyleSheet(e->hasAcceptableInput() ? QString() : QStringLiteral("background: #ffd6d6;"));
        });
        editor = e;
        break;
    }
    case Kind::Choice: {
        auto *c = new QComboBox(m_formHost);
        c->addItems(spec.choices);
        c->setCurrentText(spec.value.toString());
        editor = c;
        break;
    }
    case Kind::String:
    case Kind::Path:
        editor = new QLineEdit(spec.value.toString(), m_formHost);
        break;
    }
    editor->setObjectName(QStringLiteral("option_") + spec.key);
    editor->setToolTip(spec.help);
    return editor;
}

void RunSetupPanel::setOptions(const QVector<view::OptionSpec> &options)
{
    while (m_form->rowCount() > 0)
        m_form->removeRow(0);
    m_specs.clear();
    m_editors.clear();
    for (const auto &spec : options) {
        // The inputs above cover these; the form keeps the knobs of the method.
        if (spec.key == QLatin1String("model") || spec.key == QLatin1String("reward_model")
            || spec.key == QLatin1String("prompts") || spec.key == QLatin1String("prompt_field"))
            continue;
        QWidget *editor = editorFor(spec);
        auto *label = new QLabel(spec.key, m_formHost);
        label->setToolTip(spec.help);
        m_form->addRow(label, editor);
        m_specs.push_back(spec);
        m_editors.push_back(editor);
    }
}

QVariant RunSetupPanel::valueOf(const view::OptionSpec &spec, QWidget *editor, bool *ok) const
{
    using Kind = view::OptionSpec::Kind;
    *ok = true;
    switch (spec.kind) {
    case Kind::Bool:
        return static_cast<QCheckBox *>(editor)->isChecked();
    case Kind::Int:
        return static_cast<qlonglong>(static_cast<QSpinBox *>(editor)->value());
    case Kind::Double: {
        const double v = QLocale::c().toDouble(static_cast<QLineEdit *>(editor)->text().trimmed(), ok);
        return v;
    }
    case Kind::Choice:
        return static_cast<QComboBox *>(editor)->currentText();
    case Kind::String:
    case Kind::Path:
        return static_cast<QLineEdit *>(editor)->text();
    }
    return {};
}

QVariantMap RunSetupPanel::options() const
{
    QVariantMap out;
    for (int i = 0; i < m_specs.size(); ++i) {
        bool ok = false;
        const QVariant v = valueOf(m_specs[i], m_editors[i], &ok);
        if (ok)
            out.insert(m_specs[i].key, v);
    }
    return out;
}

QStringList RunSetupPanel::changedKeys() const
{
    QStringList out;
    for (int i = 0; i < m_specs.size(); ++i) {
        bool ok = false;
        const QVariant v = valueOf(m_specs[i], m_editors[i], &ok);
        const bool same = m_specs[i].kind == view::OptionSpec::Kind::Double
                              ? ok && v.toDouble() == m_specs[i].value.toDouble()
                              : v == m_specs[i].value;
        if (!same)
            out << m_specs[i].key;
    }
    return out;
}

bool RunSetupPanel::validate(QString *error) const
{
    for (int i = 0; i < m_specs.size(); ++i) {
        bool ok = false;
        valueOf(m_specs[i], m_editors[i], &ok);
        if (!ok) {
            if (error)
                *error = tr("%1: \"%2\" is not a number")
                             .arg(m_specs[i].key, static_cast<QLineEdit *>(m_editors[i])->text());
            return false;
        }
    }
    return true;
}

void RunSetupPanel::setOptionValue(const QString &key, const QVariant &value)
{
    using Kind = view::OptionSpec::Kind;
    for (int i = 0; i < m_specs.size(); ++i) {
        if (m_specs[i].key != key)
            continue;
        QWidget *e = m_editors[i];
        switch (m_specs[i].kind) {
        case Kind::Bool: static_cast<QCheckBox *>(e)->setChecked(value.toBool()); break;
        case Kind::Int: static_cast<QSpinBox *>(e)->setValue(static_cast<int>(value.toLongLong())); break;
        case Kind::Double: static_cast<QLineEdit *>(e)->setText(doubleText(value.toDouble())); break;
        case Kind::Choice: static_cast<QComboBox *>(e)->setCurrentText(value.toString()); break;
        case Kind::String:
        case Kind::Path: static_cast<QLineEdit *>(e)->setText(value.toString()); break;
        }
    }
}

void RunSetupPanel::resetOptions()
{
    for (const auto &spec : m_specs)
        setOptionValue(spec.key, spec.value);
}

void RunSetupPanel::setPolicyPath(const QString &path) { m_policy->setText(path); }
QString RunSetupPanel::policyPath() const { return m_policy->text().trimmed(); }

void RunSetupPanel::setRewardModelVersions(const QVector<QPair<qint64, QString>> &versions)
{
    const qint64 current = rewardModelVersion();
    m_rewardModel->clear();
    for (const auto &[id, text] : versions)
        m_rewardModel->addItem(text, id);
    const int i = m_rewardModel->findData(current);
    m_rewardModel->setCurrentIndex(i >= 0 ? i : 0);
}

qint64 RunSetupPanel::rewardModelVersion() const { return m_rewardModel->currentData().toLongLong(); }

void RunSetupPanel::setPromptSets(const QVector<QPair<qint64, QString>> &sets)
{
    m_promptSet->clear();
    if (sets.isEmpty())
        m_promptSet->addItem(tr("the run's prompt file"), 0);
    for (const auto &[id, text] : sets)
        m_promptSet->addItem(text, id);
    m_promptSet->setCurrentIndex(m_promptSet->count() - 1);
}

qint64 RunSetupPanel::promptSetId() const { return m_promptSet->currentData().toLongLong(); }
QString RunSetupPanel::device() const { return m_device->currentData().toString(); }
int RunSetupPanel::threads() const { return m_threads->value(); }
void RunSetupPanel::setThreads(int threads) { m_threads->setValue(threads); }

void RunSetupPanel::setState(State state)
{
    m_state = state;
    const bool idle = state == State::Idle || state == State::Finished || state == State::Failed;
    m_start->setEnabled(idle);
    m_pause->setEnabled(state == State::Running);
    m_resume->setEnabled(state == State::Paused);
    m_stop->setEnabled(state == State::Starting || state == State::Running || state == State::Paused
                       || state == State::Pausing);
    m_formHost->setEnabled(idle);
    m_policy->setEnabled(idle);
    m_rewardModel->setEnabled(idle);
    m_promptSet->setEnabled(idle);
    m_device->setEnabled(idle);
    m_threads->setEnabled(idle);
    switch (state) {
    case State::Starting: m_status->setText(tr("Loading the models…")); break;
    case State::Paused: m_status->setText(tr("Paused (at the next phase boundary) · %1").arg(progressText())); break;
    case State::Stopping: m_status->setText(tr("Stopping after the current phase…")); break;
    case State::Finished: m_status->setText(tr("Finished · %1").arg(progressText())); break;
    case State::Failed: m_status->setText(tr("Failed")); break;
    default: break;
    }
}

QString RunSetupPanel::formatDuration(double seconds)
{
    const qint64 s = static_cast<qint64>(std::llround(std::max(0.0, seconds)));
    if (s < 60)
        return tr("%1 s").arg(s);
    if (s < 3600)
        return tr("%1 min %2 s").arg(s / 60).arg(s % 60);
    return tr("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
}

QString RunSetupPanel::progressText() const
{
    return m_progress->property("awbText").toString();
}

void RunSetupPanel::setProgress(int step, int maxSteps, double secondsPerStep, double tokensPerSecond)
{
    m_progress->setRange(0, std::max(maxSteps, 1));
    m_progress->setValue(step);
    const QString text = tr("step %1 / %2 · ETA %3 · %4 tok/s")
                             .arg(step)
                             .arg(maxSteps)
                             .arg(formatDuration(std::max(0, maxSteps - step) * secondsPerStep))
                             .arg(QLocale().toString(tokensPerSecond, 'f', 0));
    m_progress->setProperty("awbText", text);
    if (m_state == State::Running || m_state == State::Starting)
        m_status->setText(text);
}

void RunSetupPanel::setError(const QString &message)
{
    m_error->setText(message);
    m_error->show();
}

void RunSetupPanel::clearError()
{
    m_error->clear();
    m_error->hide();
}

} // namespace awb
