// The window following a run it did not start: `awb train` runs in a shell
// (here a child process) on a workspace; the window opens the same workspace,
// its views follow the run from the store, and a weight changed in the window
// reaches the run at its next step through the workspace's run controls; then
// the window stops it. With AWB_SCREENSHOT_DIR the window is saved as a PNG.
#include "main_window.h"
#include "pareto_view.h"
#include "reward_curves_view.h"
#include "run_panel.h"
#include "sample_inspector.h"
#include "sample_table_model.h"
#include "weights_panel.h"
#include "store/store.h"
#include "workbench_controller.h"
#include "workspace.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace awb;

class TestFollowRun : public QObject
{
    Q_OBJECT

private slots:
    void windowFollowsAndSteersAHeadlessRun()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("AlignmentWorkbenchTests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_follow_run"));
        QSettings().clear();
        QTemporaryDir tmp;
        const QString db = tmp.filePath(QStringLiteral("headless.awb"));
        QProcess train;
        train.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        train.start(QStringLiteral(AWB_BINARY_DIR "/app/awb"),
                    {"train", "--demo", "--demo-dir", AWB_DEMO_SMALL_DIR, "--db", db, "--steps", "20000",
                     "--prompts-per-step", "2", "--num-generations", "4", "--max-completion-length", "12",
                     "--save-steps", "0", "--threads", "1", "--quiet"});
        QVERIFY(train.waitForStarted());
        QByteArray out;
        while (!out.contains('\n') && train.state() == QProcess::Running) {   // step 1 is in the store
            train.waitForReadyRead(1000);
            out += train.readAllStandardOutput();
        }

        MainWindow window;
        window.resize(1600, 1000);
        WorkbenchController c(&window);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QString error;
        QVERIFY2(c.openWorkspace(db, &error), qPrintable(error));
        Store &store = c.workspace()->store();
        const qint64 runId = store.runs().back().id;

        // Following: the views grow with the run, the run panel offers pause and stop.
        QTRY_COMPARE_WITH_TIMEOUT(c.runPanel()->state(), RunPanel::State::Running, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(c.pareto()->trajectoryPointCount() >= 3, 60000);
        const int seen = c.pareto()->trajectoryPointCount();
        QVERIFY(seen <= store.lastStep(runId));
        QCOMPARE(c.inspector()->model()->rowCount(), seen * 2 * 4);   // every shown step's samples (B=2 x G=4)

        // A weight changed in the window: the run's next step uses it.
        c.weightsPanel()->setNormalising(false);
        const std::int64_t changedAfter = store.lastStep(runId);   // this step started before the change
        c.weightsPanel()->setWeight(QStringLiteral("politeness"), 2.5);
        c.weightsPanel()->flush();
        // Written by now: a step that starts after this read must use the new weight.
        const std::int64_t writtenBy = store.lastStep(runId);
        QVERIFY(store.runControls(runId).has_value());
        QCOMPARE(store.runControls(runId)->weights.at("politeness"), 2.5);
        std::int64_t first = 0;   // the first step that used 2.5
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (std::int64_t s = changedAfter + 1; s <= store.lastStep(runId); ++s)
                    if (store.stepRecord(runId, s)->weights.at("politeness") == 2.5)
                        return (first = s) > 0;
                return false;
            }(),
            60000);
        QVERIFY2(first <= writtenBy + 2, qPrintable(QString("changed after step %1 (by step %2), used from %3")
                                                        .arg(changedAfter).arg(writtenBy).arg(first)));
        QCOMPARE(store.stepRecord(runId, changedAfter)->weights.at("politeness"), 1.0);
        // The window shows what the run used.
        QTRY_VERIFY_WITH_TIMEOUT(c.weightsPanel()->inForceStep() >= first, 20000);

        if (const QString shots = qEnvironmentVariable("AWB_SCREENSHOT_DIR"); !shots.isEmpty())
            window.grab().save(shots + "/gui-follow-headless-run.png");

        // Stop from the window: the process ends by itself, the run marked stopped.
        emit c.runPanel()->stopRequested();
        QVERIFY(train.waitForFinished(60000));
        QCOMPARE(train.exitCode(), 3);   // awb train: stopped before max_steps
        QCOMPARE(store.run(runId)->status, std::string("stopped"));
        QTRY_COMPARE_WITH_TIMEOUT(c.runPanel()->state(), RunPanel::State::Finished, 10000);
        QCOMPARE(c.pareto()->trajectoryPointCount(), int(store.lastStep(runId)));
    }
};

QTEST_MAIN(TestFollowRun)
#include "tst_follow_run.moc"
