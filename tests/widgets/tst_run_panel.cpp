// The run panel and its options form: editors built from specs, exact
// round-trip of learning rates, validation naming the key, changed keys,
// button states per run state, shortcuts, progress text against hand values.
#include "options_form.h"
#include "run_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalSpy>
#include <QSpinBox>
#include <QToolButton>
#include <QtTest>

#include <cstring>

using namespace awb;
using Kind = view::OptionSpec::Kind;

Q_DECLARE_METATYPE(awb::RunPanel::State)
Q_DECLARE_METATYPE(awb::view::OptionSpec)

namespace {

view::OptionSpec spec(const char *key, Kind kind, const QVariant &value, const char *help = "",
                      const QStringList &choices = {})
{
    view::OptionSpec s;
    s.key = QString::fromLatin1(key);
    s.help = QString::fromLatin1(help);
    s.kind = kind;
    s.value = value;
    s.choices = choices;
    return s;
}

// The GRPO knobs as app/ passes them (core's visitGrpoOptions order), with a
// researcher's settings: 38 specs, 35 of them shown in the form.
QVector<view::OptionSpec> grpoSpecs()
{
    const auto L = [](qlonglong v) { return QVariant(v); };
    const auto S = [](const char *v) { return QVariant(QString::fromLatin1(v)); };
    return {
        spec("model", Kind::Path, S("/data/models/Qwen2.5-0.5B-Instruct"), "Policy model folder (config.json, safetensors, tokenizer.json)"),
        spec("reward_model", Kind::Path, S(""), "Reward-model folder; empty: the workspace's latest version"),
        spec("prompts", Kind::Path, S(""), "Prompt file (JSONL, CSV or HH-RLHF, optionally .gz); empty: the workspace's prompts"),
        spec("prompt_field", Kind::String, S("prompt"), "JSONL key or CSV column that holds the prompt"),
        spec("use_chat_template", Kind::Bool, true, "Wrap each prompt as a user turn in the policy's chat template"),
        spec("max_steps", Kind::Int, L(60), "GRPO steps to run"),
        spec("prompts_per_step", Kind::Int, L(8), "Distinct prompts per step (B)"),
        spec("num_generations", Kind::Int, L(8), "Completions per prompt (G)"),
        spec("max_prompt_length", Kind::Int, L(256), "Prompt tokens kept (the last ones)"),
        spec("max_completion_length", Kind::Int, L(48), "Tokens generated per completion at most"),
        spec("temperature", Kind::Double, 1.0, "Sampling temperature"),
        spec("top_p", Kind::Double, 1.0, "Nucleus sampling mass"),
        spec("top_k", Kind::Int, L(0), "Keep the k most likely tokens; 0 keeps all"),
        spec("num_iterations", Kind::Int, L(1), "Optimiser steps per generation batch (mu)"),
        spec("mini_batch_size", Kind::Int, L(8), "Completions per forward/backward pass (memory only)"),
        spec("mask_truncated_completions", Kind::Bool, false, "Give no weight to completions cut off before EOS"),
        spec("dynamic_sampling", Kind::Bool, false, "Replace groups whose rewards are all equal by fresh prompts"),
        spec("dynamic_sampling_max_rounds", Kind::Int, L(2), "Extra generation rounds dynamic sampling may spend"),
        spec("epsilon", Kind::Double, 0.2, "Lower clipping range of the ratio"),
        spec("epsilon_high", Kind::Double, 0.28, "Upper clipping range; negative: same as epsilon"),
        spec("beta", Kind::Double, 0.2, "KL coefficient to the reference model; 0: no reference"),
        spec("loss_type", Kind::Choice, S("dapo"), "grpo, bnpo, dr_grpo or dapo",
             {"grpo", "bnpo", "dr_grpo", "dapo"}),
        spec("scale_rewards", Kind::Choice, S("group"), "group, batch or none", {"group", "batch", "none"}),
        spec("multi_objective_aggregation", Kind::Choice, S("sum_then_normalize"),
             "sum_then_normalize or normalize_then_sum", {"sum_then_normalize", "normalize_then_sum"}),
        spec("learning_rate", Kind::Double, 5e-05, "AdamW learning rate"),
        spec("adam_beta1", Kind::Double, 0.9, "AdamW beta1"),
        spec("adam_beta2", Kind::Double, 0.999, "AdamW beta2"),
        spec("adam_epsilon", Kind::Double, 1e-08, "AdamW epsilon"),
        spec("weight_decay", Kind::Double, 0.0, "AdamW decoupled weight decay"),
        spec("max_grad_norm", Kind::Double, 1.0, "Gradient-norm clipping; 0: off"),
        spec("lr_scheduler_type", Kind::Choice, S("cosine"), "constant, constant_with_warmup, linear or cosine",
             {"constant", "constant_with_warmup", "linear", "cosine"}),
        spec("warmup_ratio", Kind::Double, 0.05, "Fraction of the optimiser steps spent warming up"),
        spec("use_lora", Kind::Bool, true, "Train LoRA adapters instead of all weights"),
        spec("lora_r", Kind::Int, L(16), "LoRA rank"),
        spec("lora_alpha", Kind::Double, 32.0, "LoRA alpha"),
        spec("lora_dropout", Kind::Double, 0.05, "LoRA dropout"),
        spec("lora_target_modules", Kind::String, S("q_proj,k_proj,v_proj,o_proj"), "Comma-separated module names that get adapters"),
        spec("seed", Kind::Int, L(42), "Seed of prompt order, sampling and dropout"),
        spec("save_steps", Kind::Int, L(20), "Checkpoint every N steps (and at stop); 0: only at stop"),
        spec("run_name", Kind::String, S("polite-safe-b02"), "Name of the run in the workspace"),
        spec("output_dir", Kind::Path, S("/data/runs"), "Checkpoint folder"),
    };
}

template <class T>
T *child(QWidget *w, const QString &name)
{
    T *c = w->findChild<T *>(name);
    if (!c)
        qWarning("no child %s", qPrintable(name));
    return c;
}

bool exactlyEqual(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

} // namespace

class TestRunPanel : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates)); }

    void editorKinds_data();
    void editorKinds();
    void learningRateRoundTrip();
    void invalidDoubleNamed();
    void changedKeysAndReset();
    void formatDouble_data();
    void formatDouble();
    void sections_data();
    void sections();
    void filter();
    void buttonStates_data();
    void buttonStates();
    void shortcuts();
    void startValidatesOptions();
    void progressText_data();
    void progressText();
    void formatDuration_data();
    void formatDuration();
    void errorLabel();
    void inputs();
    void render();
};

void TestRunPanel::editorKinds_data()
{
    QTest::addColumn<view::OptionSpec>("option");
    QTest::addColumn<QString>("editorClass");
    QTest::addColumn<QVariant>("expected");   // what values() must hold, with its type

    QTest::newRow("bool") << spec("use_lora", Kind::Bool, true) << "QCheckBox" << QVariant(true);
    QTest::newRow("int") << spec("max_steps", Kind::Int, qlonglong(1200)) << "QSpinBox" << QVariant(qlonglong(1200));
    QTest::newRow("int-large") << spec("seed", Kind::Int, qlonglong(2000000000)) << "QSpinBox"
                               << QVariant(qlonglong(2000000000));
    QTest::newRow("double") << spec("beta", Kind::Double, 0.04) << "QLineEdit" << QVariant(0.04);
    QTest::newRow("string") << spec("run_name", Kind::String, QStringLiteral("ablation-3")) << "QLineEdit"
                            << QVariant(QStringLiteral("ablation-3"));
    QTest::newRow("path") << spec("output_dir", Kind::Path, QStringLiteral("/data/runs")) << "QLineEdit"
                          << QVariant(QStringLiteral("/data/runs"));
    QTest::newRow("choice") << spec("loss_type", Kind::Choice, QStringLiteral("dr_grpo"), "",
                                    {"grpo", "bnpo", "dr_grpo", "dapo"})
                            << "QComboBox" << QVariant(QStringLiteral("dr_grpo"));
}

void TestRunPanel::editorKinds()
{
    QFETCH(view::OptionSpec, option);
    QFETCH(QString, editorClass);
    QFETCH(QVariant, expected);
    option.help = QStringLiteral("help for ") + option.key;

    OptionsForm form;
    form.setOptions({spec("other", Kind::Int, qlonglong(1)), option});
    QWidget *editor = form.findChild<QWidget *>(QStringLiteral("option_") + option.key);
    QVERIFY(editor);
    QCOMPARE(editor, form.editor(option.key));
    QVERIFY(editor->inherits(qPrintable(editorClass)));
    QCOMPARE(editor->toolTip(), option.help);

    const QVariantMap values = form.values();
    QCOMPARE(values.size(), 2);
    QCOMPARE(values.value(option.key).typeId(), expected.typeId());
    QCOMPARE(values.value(option.key), expected);
    QVERIFY(form.changedKeys().isEmpty());

    if (option.kind == Kind::Path)
        QVERIFY(form.findChild<QToolButton *>(QStringLiteral("browse_") + option.key));
    if (option.kind == Kind::Choice)
        QCOMPARE(qobject_cast<QComboBox *>(editor)->count(), 4);
    // The label is the key itself, with the help as tool tip.
    const auto labels = form.findChildren<QLabel *>();
    const auto it = std::find_if(labels.begin(), labels.end(), [&](QLabel *l) { return l->text() == option.key; });
    QVERIFY(it != labels.end());
    QCOMPARE((*it)->toolTip(), option.help);
}

void TestRunPanel::learningRateRoundTrip()
{
    OptionsForm form;
    form.setOptions({spec("learning_rate", Kind::Double, 5e-05)});
    auto *edit = qobject_cast<QLineEdit *>(form.editor(QStringLiteral("learning_rate")));
    QVERIFY(edit);
    QCOMPARE(edit->text(), QStringLiteral("5e-05"));
    QVERIFY(exactlyEqual(form.values().value(QStringLiteral("learning_rate")).toDouble(), 5e-05));

    // Typed by the user: 3e-06 must come back bit for bit, not rounded to a few decimals.
    edit->selectAll();
    QTest::keyClicks(edit, QStringLiteral("3e-06"));
    QVERIFY(exactlyEqual(form.values().value(QStringLiteral("learning_rate")).toDouble(), 3e-06));
    QCOMPARE(form.changedKeys(), QStringList{QStringLiteral("learning_rate")});

    // A number that needs all 17 digits survives too.
    const double awkward = 0.1 + 0.2;   // 0.30000000000000004
    QVERIFY(form.setValue(QStringLiteral("learning_rate"), awkward));
    QCOMPARE(edit->text(), QStringLiteral("0.30000000000000004"));
    QVERIFY(exactlyEqual(form.value(QStringLiteral("learning_rate")).toDouble(), awkward));
}

void TestRunPanel::invalidDoubleNamed()
{
    OptionsForm form;
    form.setOptions(grpoSpecs());
    const int total = grpoSpecs().size();
    QString error;
    QVERIFY(form.validate(&error));
    QVERIFY(error.isEmpty());

    auto *edit = qobject_cast<QLineEdit *>(form.editor(QStringLiteral("beta")));
    edit->selectAll();
    QTest::keyClicks(edit, QStringLiteral("0.2x"));
    QVERIFY(!form.validate(&error));
    QVERIFY2(error.contains(QStringLiteral("beta")), qPrintable(error));
    QVERIFY(!error.contains(QStringLiteral("learning_rate")));
    QCOMPARE(edit->property("invalid").toBool(), true);
    QVERIFY(!edit->styleSheet().isEmpty());
    QVERIFY(!form.values().contains(QStringLiteral("beta")));
    QCOMPARE(form.values().size(), total - 1);
    QVERIFY(!form.value(QStringLiteral("beta")).isValid());

    // A second bad field is named as well; "inf" parses but is not a usable number.
    QVERIFY(form.setValue(QStringLiteral("learning_rate"), QStringLiteral("inf")));
    QVERIFY(!form.validate(&error));
    QVERIFY(error.contains(QStringLiteral("beta")) && error.contains(QStringLiteral("learning_rate")));

    // Fixing both makes the form valid and un-reds the field.
    QVERIFY(form.setValue(QStringLiteral("beta"), 0.1));
    QVERIFY(form.setValue(QStringLiteral("learning_rate"), QStringLiteral(" 1e-6 ")));
    QVERIFY(form.validate(&error));
    QCOMPARE(edit->property("invalid").toBool(), false);
    QVERIFY(edit->styleSheet().isEmpty());
    QVERIFY(exactlyEqual(form.value(QStringLiteral("learning_rate")).toDouble(), 1e-6));
}

void TestRunPanel::changedKeysAndReset()
{
    OptionsForm form;
    form.setOptions(grpoSpecs());
    QSignalSpy changed(&form, &OptionsForm::valuesChanged);
    QVERIFY(form.changedKeys().isEmpty());

    QVERIFY(form.setValue(QStringLiteral("loss_type"), QStringLiteral("bnpo")));
    QVERIFY(form.setValue(QStringLiteral("num_generations"), 16));
    QVERIFY(form.setValue(QStringLiteral("beta"), 0.1));
    QVERIFY(form.setValue(QStringLiteral("use_lora"), false));
    QVERIFY(!form.setValue(QStringLiteral("loss_type"), QStringLiteral("ppo")));   // not a choice
    QVERIFY(!form.setValue(QStringLiteral("no_such_key"), 1));
    QCOMPARE(changed.count(), 4);
    // In the order the specs were given, not the order of the calls.
    QCOMPARE(form.changedKeys(), (QStringList{"num_generations", "beta", "loss_type", "use_lora"}));
    QCOMPARE(form.values().value(QStringLiteral("num_generations")), QVariant(qlonglong(16)));
    QCOMPARE(form.findChild<QLabel *>(QStringLiteral("changedCountLabel"))->text(), QStringLiteral("4 changed"));

    // "0.20" is the default 0.2 written differently: not a change.
    QVERIFY(form.setValue(QStringLiteral("beta"), QStringLiteral("0.20")));
    QCOMPARE(form.changedKeys(), (QStringList{"num_generations", "loss_type", "use_lora"}));

    form.findChild<QPushButton *>(QStringLiteral("resetOptionsButton"))->click();
    QVERIFY(form.changedKeys().isEmpty());
    QCOMPARE(form.values().value(QStringLiteral("loss_type")), QVariant(QStringLiteral("dapo")));
    QCOMPARE(form.values().value(QStringLiteral("use_lora")), QVariant(true));
    QCOMPARE(qobject_cast<QLineEdit *>(form.editor(QStringLiteral("beta")))->text(), QStringLiteral("0.2"));
}

void TestRunPanel::formatDouble_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<QString>("expected");
    QTest::newRow("lr") << 5e-05 << "5e-05";
    QTest::newRow("adam eps") << 1e-08 << "1e-08";
    QTest::newRow("beta") << 0.2 << "0.2";
    QTest::newRow("whole") << 1.0 << "1.0";
    QTest::newRow("alpha") << 32.0 << "32.0";
    QTest::newRow("negative") << -1.0 << "-1.0";
    QTest::newRow("17 digits") << 0.1 + 0.2 << "0.30000000000000004";
    QTest::newRow("huge") << 1e21 << "1e+21";
}

void TestRunPanel::formatDouble()
{
    QFETCH(double, value);
    QFETCH(QString, expected);
    QCOMPARE(OptionsForm::formatDouble(value), expected);
    bool ok = false;
    QVERIFY(exactlyEqual(QLocale::c().toDouble(expected, &ok), value));
    QVERIFY(ok);
}

void TestRunPanel::sections_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("section");
    QTest::newRow("lr") << "learning_rate" << "Optimiser";
    QTest::newRow("adam_beta1 is not beta") << "adam_beta1" << "Optimiser";
    QTest::newRow("adam_epsilon") << "adam_epsilon" << "Optimiser";
    QTest::newRow("beta") << "beta" << "Objective";
    QTest::newRow("epsilon_high") << "epsilon_high" << "Objective";
    QTest::newRow("scale_rewards") << "scale_rewards" << "Objective";
    QTest::newRow("reward_batch_size") << "reward_batch_size" << "Bookkeeping";
    QTest::newRow("max_steps") << "max_steps" << "Step & sampling";
    QTest::newRow("max_prompt_length") << "max_prompt_length" << "Step & sampling";
    QTest::newRow("prompt_field") << "prompt_field" << "Inputs";
    QTest::newRow("lora_dropout") << "lora_dropout" << "LoRA";
    QTest::newRow("save_steps") << "save_steps" << "Bookkeeping";
    QTest::newRow("unknown") << "frobnicate" << "Other";
}

void TestRunPanel::sections()
{
    QFETCH(QString, key);
    QFETCH(QString, section);
    QCOMPARE(OptionsForm::sectionFor(key), section);
}

void TestRunPanel::filter()
{
    OptionsForm form;
    form.setOptions(grpoSpecs());
    form.resize(400, 600);
    form.show();
    QVERIFY(QTest::qWaitForWindowExposed(&form));
    QVERIFY(form.editor(QStringLiteral("beta"))->isVisible());

    form.setFilter(QStringLiteral("LORA"));
    // Matches by key (lora_*, use_lora) or help ("Train LoRA adapters", "LoRA rank"...): five knobs.
    int shown = 0;
    for (const auto &s : form.specs())
        shown += form.editor(s.key)->isVisible() ? 1 : 0;
    QCOMPARE(shown, 5);
    QVERIFY(!form.editor(QStringLiteral("beta"))->isVisible());
    QVERIFY(!form.findChild<QToolButton *>(QStringLiteral("section_objective"))->isVisible());
    QVERIFY(form.findChild<QToolButton *>(QStringLiteral("section_lora"))->isVisible());

    form.setFilter(QString());
    QVERIFY(form.editor(QStringLiteral("beta"))->isVisible());

    // Collapsing a section hides its knobs.
    form.findChild<QToolButton *>(QStringLiteral("section_objective"))->click();
    QVERIFY(!form.editor(QStringLiteral("beta"))->isVisible());
    QVERIFY(form.editor(QStringLiteral("learning_rate"))->isVisible());
}

void TestRunPanel::buttonStates_data()
{
    QTest::addColumn<RunPanel::State>("state");
    QTest::addColumn<QString>("enabled");   // the buttons that must be enabled, by first letter: S(tart) P R T(stop)
    QTest::addColumn<bool>("setUpEditable");
    using S = RunPanel::State;
    QTest::newRow("idle") << S::Idle << "S" << true;
    QTest::newRow("starting") << S::Starting << "T" << false;
    QTest::newRow("running") << S::Running << "PT" << false;
    QTest::newRow("pausing") << S::Pausing << "T" << false;
    QTest::newRow("paused") << S::Paused << "RT" << false;
    QTest::newRow("stopping") << S::Stopping << "" << false;
    QTest::newRow("finished") << S::Finished << "S" << true;
    QTest::newRow("failed") << S::Failed << "S" << true;
}

void TestRunPanel::buttonStates()
{
    QFETCH(RunPanel::State, state);
    QFETCH(QString, enabled);
    QFETCH(bool, setUpEditable);
    RunPanel panel;
    panel.setOptions(grpoSpecs());
    panel.setState(RunPanel::State::Running);   // start from somewhere else
    panel.setState(state);
    QCOMPARE(panel.state(), state);
    QCOMPARE(child<QPushButton>(&panel, "startButton")->isEnabled(), enabled.contains('S'));
    QCOMPARE(child<QPushButton>(&panel, "pauseButton")->isEnabled(), enabled.contains('P'));
    QCOMPARE(child<QPushButton>(&panel, "resumeButton")->isEnabled(), enabled.contains('R'));
    QCOMPARE(child<QPushButton>(&panel, "stopButton")->isEnabled(), enabled.contains('T'));
    QCOMPARE(child<QLineEdit>(&panel, "policyEdit")->isEnabled(), setUpEditable);
    QCOMPARE(panel.optionsForm()->editor(QStringLiteral("beta"))->isEnabled(), setUpEditable);
    QCOMPARE(child<QPushButton>(&panel, "resetOptionsButton")->isEnabled(), setUpEditable);
    // The filter works during a run: the set-up of a running job stays searchable.
    QVERIFY(child<QLineEdit>(&panel, "optionsFilterEdit")->isEnabled());
}

void TestRunPanel::shortcuts()
{
    RunPanel panel;
    panel.setOptions(grpoSpecs());
    panel.resize(420, 800);
    panel.show();
    panel.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&panel));
    QSignalSpy start(&panel, &RunPanel::startRequested), pause(&panel, &RunPanel::pauseRequested),
        resume(&panel, &RunPanel::resumeRequested), stop(&panel, &RunPanel::stopRequested);
    auto counts = [&] { return QList<int>{int(start.count()), int(pause.count()), int(resume.count()), int(stop.count())}; };

    // Idle: F6 and Shift+F5 have nothing to act on; F5 starts.
    QTest::keyClick(&panel, Qt::Key_F6);
    QTest::keyClick(&panel, Qt::Key_F5, Qt::ShiftModifier);
    QCOMPARE(counts(), (QList<int>{0, 0, 0, 0}));
    QTest::keyClick(&panel, Qt::Key_F5);
    QCOMPARE(counts(), (QList<int>{1, 0, 0, 0}));

    // Running: F6 pauses; F5 does nothing.
    panel.setState(RunPanel::State::Running);
    QTest::keyClick(&panel, Qt::Key_F5);
    QTest::keyClick(&panel, Qt::Key_F6);
    QCOMPARE(counts(), (QList<int>{1, 1, 0, 0}));

    // Paused: F6 resumes, Shift+F5 stops; from a field of the form too.
    panel.setState(RunPanel::State::Paused);
    QTest::keyClick(&panel, Qt::Key_F6);
    QTest::keyClick(panel.optionsForm()->editor(QStringLiteral("beta")), Qt::Key_F5, Qt::ShiftModifier);
    QCOMPARE(counts(), (QList<int>{1, 1, 1, 1}));

    // Stopping: nothing.
    panel.setState(RunPanel::State::Stopping);
    QTest::keyClick(&panel, Qt::Key_F5, Qt::ShiftModifier);
    QTest::keyClick(&panel, Qt::Key_F6);
    QCOMPARE(counts(), (QList<int>{1, 1, 1, 1}));
    QVERIFY(child<QPushButton>(&panel, "startButton")->toolTip().contains(QStringLiteral("F5")));
    QVERIFY(child<QPushButton>(&panel, "stopButton")->toolTip().contains(QStringLiteral("Shift+F5")));
}

void TestRunPanel::startValidatesOptions()
{
    RunPanel panel;
    panel.setOptions(grpoSpecs());
    QSignalSpy start(&panel, &RunPanel::startRequested);
    QVERIFY(panel.setOptionValue(QStringLiteral("temperature"), QStringLiteral("warm")));
    child<QPushButton>(&panel, "startButton")->click();
    QCOMPARE(start.count(), 0);
    QVERIFY(!child<QLabel>(&panel, "runErrorLabel")->isHidden());
    QVERIFY(panel.errorText().contains(QStringLiteral("temperature")));

    QVERIFY(panel.setOptionValue(QStringLiteral("temperature"), 0.7));
    child<QPushButton>(&panel, "startButton")->click();
    QCOMPARE(start.count(), 1);
    // Entering Starting clears the stale message.
    panel.setState(RunPanel::State::Starting);
    QVERIFY(child<QLabel>(&panel, "runErrorLabel")->isHidden());
}

void TestRunPanel::progressText_data()
{
    QTest::addColumn<int>("step");
    QTest::addColumn<int>("maxSteps");
    QTest::addColumn<double>("secondsPerStep");
    QTest::addColumn<double>("tokensPerSecond");
    QTest::addColumn<QString>("expected");
    // (60 - 12) * 2.25 = 108 s = 1 min 48 s.
    QTest::newRow("brief") << 12 << 60 << 2.25 << 1830.0 << "step 12 / 60 · ETA 1 min 48 s · 1,830 tok/s";
    // (60 - 50) * 4.5 = 45 s; no throughput yet.
    QTest::newRow("seconds") << 50 << 60 << 4.5 << 0.0 << "step 50 / 60 · ETA 45 s";
    // (2000 - 0) * 2 = 4000 s = 66.67 min -> 67 min = 1 h 07 min; 912.4 tok/s -> 912.
    QTest::newRow("hours") << 0 << 2000 << 2.0 << 912.4 << "step 0 / 2,000 · ETA 1 h 07 min · 912 tok/s";
    // (60 - 10) * 2.7 = 135 s = 2 min 15 s; 99,999.6 rounds to 100,000.
    QTest::newRow("minutes") << 10 << 60 << 2.7 << 99999.6 << "step 10 / 60 · ETA 2 min 15 s · 100,000 tok/s";
    QTest::newRow("done") << 60 << 60 << 3.0 << std::nan("") << "step 60 / 60 · ETA 0 s";
    QTest::newRow("unknown speed") << 5 << 60 << std::nan("") << 10.0 << "step 5 / 60 · 10 tok/s";
}

void TestRunPanel::progressText()
{
    QFETCH(int, step);
    QFETCH(int, maxSteps);
    QFETCH(double, secondsPerStep);
    QFETCH(double, tokensPerSecond);
    QFETCH(QString, expected);
    RunPanel panel;
    QVERIFY(panel.progressText().isEmpty());
    panel.setState(RunPanel::State::Running);
    panel.setProgress(step, maxSteps, secondsPerStep, tokensPerSecond);
    QCOMPARE(panel.progressText(), expected);
    QCOMPARE(child<QLabel>(&panel, "runStatusLabel")->text(), expected);
    auto *bar = child<QProgressBar>(&panel, "runProgress");
    QCOMPARE(bar->maximum(), maxSteps);
    QCOMPARE(bar->value(), step);

    // Paused: the label keeps the step but drops the ETA.
    panel.setState(RunPanel::State::Paused);
    QCOMPARE(child<QLabel>(&panel, "runStatusLabel")->text(),
             QStringLiteral("Paused · step %1 / %2").arg(QLocale().toString(step), QLocale().toString(maxSteps)));
}

void TestRunPanel::formatDuration_data()
{
    QTest::addColumn<double>("seconds");
    QTest::addColumn<QString>("expected");
    QTest::newRow("45") << 45.0 << "45 s";
    QTest::newRow("59.4 rounds down") << 59.4 << "59 s";
    QTest::newRow("59.6 rounds to a minute") << 59.6 << "1 min 00 s";
    QTest::newRow("135") << 135.0 << "2 min 15 s";
    QTest::newRow("3900 = 65 min") << 3900.0 << "1 h 05 min";
    QTest::newRow("3599.6 -> 3600") << 3599.6 << "1 h 00 min";
    QTest::newRow("90061 = 1501.02 min") << 90061.0 << "25 h 01 min";
    QTest::newRow("negative") << -3.0 << "0 s";
}

void TestRunPanel::formatDuration()
{
    QFETCH(double, seconds);
    QFETCH(QString, expected);
    QCOMPARE(RunPanel::formatDuration(seconds), expected);
}

void TestRunPanel::errorLabel()
{
    RunPanel panel;
    auto *label = child<QLabel>(&panel, "runErrorLabel");
    QVERIFY(label->isHidden());
    const QString message = QStringLiteral("loading /data/models/x: config.json not found");
    panel.setState(RunPanel::State::Failed);
    panel.setError(message);
    QVERIFY(!label->isHidden());
    QCOMPARE(label->text(), message);
    QCOMPARE(panel.errorText(), message);
    panel.clearError();
    QVERIFY(label->isHidden());
    QVERIFY(panel.errorText().isEmpty());
}

void TestRunPanel::inputs()
{
    RunPanel panel;
    panel.setOptions(grpoSpecs());
    // model/reward_model/prompts are the inputs at the top, not form fields.
    QVERIFY(!panel.optionsForm()->editor(QStringLiteral("model")));
    QVERIFY(!panel.options().contains(QStringLiteral("prompts")));
    QCOMPARE(panel.options().size(), grpoSpecs().size() - 3);
    QCOMPARE(panel.policyPath(), QStringLiteral("/data/models/Qwen2.5-0.5B-Instruct"));
    panel.setPolicyPath(QStringLiteral("  /m/SmolLM2-135M "));
    QCOMPARE(panel.policyPath(), QStringLiteral("/m/SmolLM2-135M"));

    QCOMPARE(panel.rewardModelVersion(), 0);
    panel.setRewardModelVersions({{1, "v1"}, {2, "v2"}, {3, "v3"}});
    QCOMPARE(panel.rewardModelVersion(), 3);   // the newest
    panel.setRewardModelVersion(2);
    panel.setRewardModelVersions({{2, "v2"}, {3, "v3"}, {4, "v4"}});
    QCOMPARE(panel.rewardModelVersion(), 2);   // kept across the refill
    panel.setPromptSets({{7, "hh-rlhf (400)"}, {9, "support tickets (120)"}});
    panel.setPromptSetId(7);
    QCOMPARE(panel.promptSetId(), 7);

    QCOMPARE(panel.device(), QStringLiteral("auto"));
    panel.setDevice(QStringLiteral("CPU"));
    QCOMPARE(panel.device(), QStringLiteral("cpu"));
    QCOMPARE(child<QComboBox>(&panel, "deviceCombo")->currentIndex(), 1);
    QCOMPARE(panel.threads(), 0);
    panel.setThreads(6);
    QCOMPARE(child<QSpinBox>(&panel, "threadsSpin")->value(), 6);
    QCOMPARE(panel.threads(), 6);
}

void TestRunPanel::render()
{
    RunPanel panel;
    panel.setOptions(grpoSpecs());
    panel.setRewardModelVersions({{1, "v1 · 40 labels"}, {2, "v2 · 120 labels"}, {3, "v3 · 260 labels"}});
    panel.setPromptSets({{1, "hh-rlhf helpful-base (400 prompts)"}});
    panel.setOptionValue(QStringLiteral("num_generations"), 12);
    panel.resize(420, 800);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.setState(RunPanel::State::Running);
    panel.setProgress(12, 60, 2.25, 1830.0);
    const QImage running = panel.grab().toImage();
    QCOMPARE(running.size(), QSize(420, 800) * running.devicePixelRatio());
    QVERIFY(running.save(QDir::temp().filePath(QStringLiteral("run_panel.png"))));

    panel.setState(RunPanel::State::Failed);
    panel.setError(QStringLiteral("step 13: CUDA out of memory (tried to allocate 2.00 GiB); lower mini_batch_size"));
    panel.setOptionValue(QStringLiteral("learning_rate"), QStringLiteral("5e-O5"));
    panel.setOptionValue(QStringLiteral("loss_type"), QStringLiteral("dr_grpo"));
    auto *scroll = child<QScrollArea>(&panel, "optionsScroll");
    scroll->ensureWidgetVisible(panel.optionsForm()->editor(QStringLiteral("learning_rate")), 0, 0);
    scroll->ensureWidgetVisible(panel.optionsForm()->editor(QStringLiteral("epsilon")), 0, 0);
    // Every editor fits the dock's width: nothing is cut off at the right.
    for (const auto &s : panel.optionsForm()->specs()) {
        QWidget *e = panel.optionsForm()->editor(s.key);
        const int right = e->mapTo(scroll->viewport(), QPoint(e->width(), 0)).x();
        QVERIFY2(right <= scroll->viewport()->width(), qPrintable(s.key));
    }
    QVERIFY(panel.grab().save(QDir::temp().filePath(QStringLiteral("run_panel_failed.png"))));
}

QTEST_MAIN(TestRunPanel)
#include "tst_run_panel.moc"
