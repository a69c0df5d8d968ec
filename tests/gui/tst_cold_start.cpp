// The annotators' cold start in the window, on the small demo's policy and
// prompts but a workspace with no reward model: Start says what is missing;
// Sample for labelling fills the inspector with a labelling run; a sample is
// labelled from the keyboard (the rest through the store, as more annotators
// would); the first reward model trains from those labels in the background;
// a GRPO run then scores with that version.
#include "data/prompt_import.h"
#include "main_window.h"
#include "new_reward_model_dialog.h"
#include "reward_controller.h"
#include "run_panel.h"
#include "sample_inspector.h"
#include "sample_table_model.h"
#include "store/store.h"
#include "workbench_controller.h"
#include "workspace.h"

#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

using namespace awb;

class TestColdStart : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("AlignmentWorkbenchTests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_cold_start"));
        QSettings().clear();
    }

    void sampleLabelTrainRun()
    {
        QTemporaryDir tmp;
        const QString db = tmp.filePath(QStringLiteral("cold.awb"));
        const QString demo = QStringLiteral(AWB_DEMO_SMALL_DIR);
        const QString policy = demo + QStringLiteral("/policy");
        {
            Store store = Store::open(db.toStdString());
            importPromptSet(store, (demo + QStringLiteral("/prompts.jsonl")).toStdString(), "prompt");
        }
        MainWindow window;
        WorkbenchController c(&window);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QString error;
        QVERIFY2(c.openWorkspace(db, &error), qPrintable(error));
        c.runPanel()->setPolicyPath(policy);

        // No reward model yet: Start explains how to get one instead of failing in the job.
        QVERIFY(!c.startTraining(1));
        QVERIFY2(c.runPanel()->errorText().contains(QStringLiteral("No reward model")), qPrintable(c.runPanel()->errorText()));
        QVERIFY(!c.training().isActive());

        // Sample for labelling: 5 prompts x 3 completions.
        QSignalSpy sampled(&c.rewardModels(), &RewardModelController::samplingFinished);
        LabellingRequest lr;
        lr.db = db;
        lr.model = policy;
        lr.prompts = 5;
        lr.generations = 3;
        lr.maxCompletionLength = 16;
        QVERIFY(c.startSampling(lr));
        QTRY_COMPARE_WITH_TIMEOUT(sampled.count(), 1, 120000);
        QVERIFY2(sampled.at(0).at(0).toBool(), qPrintable(sampled.at(0).at(1).toString()));
        const qint64 labellingRun = sampled.at(0).at(2).toLongLong();
        QTRY_COMPARE(c.inspector()->model()->rowCount(), 15);

        // One sample labelled from the keyboard, as an annotator does: 4, J, 2, J, 5, J, 1, Enter.
        Store &store = c.workspace()->store();
        SampleFilter f;
        f.runId = labellingRun;
        const auto samples = store.samples(f);
        QCOMPARE(samples.size(), std::size_t(15));
        QVERIFY(c.inspector()->selectSample(samples.front().id));
        auto *table = c.inspector()->findChild<QTableView *>(QStringLiteral("samplesTable"));
        QVERIFY(table);
        table->setFocus();
        for (const Qt::Key k : {Qt::Key_4, Qt::Key_J, Qt::Key_2, Qt::Key_J, Qt::Key_5, Qt::Key_J, Qt::Key_1, Qt::Key_Return})
            QTest::keyClick(table, k);
        const auto labels = store.latestLabels(samples.front().id);
        QCOMPARE(labels.size(), std::size_t(4));
        QCOMPARE(labels.at("politeness"), 0.75);
        QCOMPARE(labels.at("safety"), 0.0);
        // The others through the store (another annotator's merged labels, say).
        for (std::size_t i = 1; i < samples.size(); ++i)
            for (const char *aspect : {"politeness", "meaningfulness", "actionability", "safety"}) {
                LabelRecord l;
                l.sampleId = samples[i].id;
                l.aspect = aspect;
                l.value = static_cast<double>(i % 5) / 4.0;
                l.annotator = "other";
                store.addLabel(l);
            }

        // The dialog offers the workspace's labels and the run panel's policy as the base.
        NewRewardModelDialog dialog(db, policy, true, &window);
        QVERIFY(dialog.findChild<QCheckBox *>(QStringLiteral("workspaceLabels"))->isChecked());
        const NewRewardModelRequest fromDialog = dialog.request();
        if (const QString shots = qEnvironmentVariable("AWB_SCREENSHOT_DIR"); !shots.isEmpty()) {
            dialog.show();
            QTest::qWait(200);
            QVERIFY(dialog.grab().save(shots + QStringLiteral("/new-reward-model.png")));
            dialog.hide();
        }
        QCOMPARE(fromDialog.base, policy);
        QVERIFY(fromDialog.workspaceLabels && fromDialog.data.isEmpty());

        // Version 1 from those labels, in the background.
        QSignalSpy trained(&c.rewardModels(), &RewardModelController::finished);
        NewRewardModelRequest rr = fromDialog;
        rr.epochs = 1;
        QVERIFY(c.startNewRewardModel(rr));
        QTRY_COMPARE_WITH_TIMEOUT(trained.count(), 1, 300000);
        QVERIFY2(trained.at(0).at(0).toBool(), qPrintable(trained.at(0).at(1).toString()));
        QCOMPARE(trained.at(0).at(2).toLongLong(), 1);
        const auto versions = store.rewardModels();
        QCOMPARE(versions.size(), std::size_t(1));
        QCOMPARE(versions[0].labelCount, 15 * 4);

        // A GRPO run now starts and scores with version 1.
        QSignalSpy finished(&c, &WorkbenchController::trainingFinished);
        // This policy's context is 256 tokens: the form's 256-token completions leave no room
        // for a prompt, which the window says before it makes a run.
        QVERIFY(c.runPanel()->setOptionValue(QStringLiteral("max_completion_length"), 256));
        QVERIFY(!c.startTraining(1));
        QVERIFY2(c.runPanel()->errorText().contains(QStringLiteral("lower max_completion_length below 256")),
                 qPrintable(c.runPanel()->errorText()));
        QVERIFY(c.runPanel()->setOptionValue(QStringLiteral("max_completion_length"), 48));
        QVERIFY2(c.startTraining(1), qPrintable(c.runPanel()->errorText()));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 600000);
        QVERIFY2(finished.at(0).at(1).toString() == QStringLiteral("finished"), qPrintable(c.runPanel()->errorText()));
        const auto step = store.stepRecord(finished.at(0).at(0).toLongLong(), 1);
        QVERIFY(step);
        QCOMPARE(step->rewardModelVersion, 1);

        // Opened again, the workspace's newest GRPO run fills the run form (not the labelling run).
        c.runPanel()->setPolicyPath(QString());
        QVERIFY2(c.openWorkspace(db, &error), qPrintable(error));
        QCOMPARE(c.runPanel()->policyPath(), policy);
    }
};

QTEST_MAIN(TestColdStart)
#include "tst_cold_start.moc"
