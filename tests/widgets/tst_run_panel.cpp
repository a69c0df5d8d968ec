// RunPanel: button states per run state, shortcuts, Start validating the
// options, progress and ETA text against hand values, the error line, the
// inputs; renders the dock to run_panel.png in the temp folder.
#include "option_test_specs.h"
#include "options_form.h"
#include "run_panel.h"

#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalSpy>
#include <QSpinBox>
#include <QtTest>

#include <cmath>

using namespace awb;
using namespace awb::testing;

Q_DECLARE_METATYPE(awb::RunPanel::State)

class TestRunPanel : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates)); }

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
    auto counts = [&] {
        return QList<int>{int(start.count()), int(pause.count()), int(resume.count()), int(stop.count())};
    };

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
