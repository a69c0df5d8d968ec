// The GUI's controllers on the small demo: a GRPO job on its worker thread
// (start, pause, resume, stop, live weights, failure), the workspace's reads
// and label writes, and a reward-model retrain whose new version the running
// job switches to at its next step.
#include "reward_controller.h"
#include "store/store.h"
#include "training_controller.h"
#include "workspace.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace awb;
using State = TrainingController::State;

namespace {

const QString kDemo = QStringLiteral(AWB_DEMO_SMALL_DIR);

TrainingRequest demoRequest(const QString &db, int steps, bool lora = false)
{
    TrainingRequest r;
    r.db = db;
    r.demo = true;
    r.demoDir = kDemo;
    r.threads = 1;
    r.overridesJson = QStringLiteral(R"({"max_steps": %1, "prompts_per_step": 2, "num_generations": 4,
        "max_completion_length": 12, "save_steps": 0, "use_lora": %2})").arg(steps).arg(lora ? "true" : "false").toUtf8();
    return r;
}

QList<State> states(const QSignalSpy &spy)
{
    QList<State> out;
    for (const auto &args : spy)
        out << args.at(0).value<State>();
    return out;
}

} // namespace

class TestTrainingController : public QObject
{
    Q_OBJECT

private slots:
    void runsToTheEnd();
    void pauseResumeStop();
    void weightsTakeEffectAtNextStep();
    void badWorkspaceFails();
    void labelsAndRetrainReachTheRunningJob_data();
    void labelsAndRetrainReachTheRunningJob();
};

void TestTrainingController::runsToTheEnd()
{
    QTemporaryDir tmp;
    const QString db = tmp.filePath(QStringLiteral("w.awb"));
    TrainingController c;
    QSignalSpy stateSpy(&c, &TrainingController::stateChanged);
    QSignalSpy startedSpy(&c, &TrainingController::runStarted);
    QSignalSpy stepSpy(&c, &TrainingController::stepFinished);
    QSignalSpy finishedSpy(&c, &TrainingController::finished);
    QVERIFY(c.start(demoRequest(db, 3)));
    QVERIFY(!c.start(demoRequest(db, 3)));   // one job at a time
    QTRY_COMPARE_WITH_TIMEOUT(finishedSpy.count(), 1, 120000);
    QCOMPARE(finishedSpy.at(0).at(1).toString(), QStringLiteral("finished"));
    QCOMPARE(states(stateSpy), (QList<State>{State::Starting, State::Running, State::Finished}));

    QCOMPARE(startedSpy.count(), 1);
    const auto aspects = startedSpy.at(0).at(1).value<QVector<view::AspectSpec>>();
    QStringList names;
    for (const auto &a : aspects)
        names << a.name;
    QCOMPARE(names, (QStringList{"politeness", "meaningfulness", "actionability", "safety"}));
    QCOMPARE(startedSpy.at(0).at(3).toInt(), 3);

    QCOMPARE(stepSpy.count(), 3);
    // What the signals carried is what the store holds (read independently).
    Store store = Store::open(db.toStdString());
    const qint64 runId = c.runId();
    QCOMPARE(store.run(runId)->status, std::string("finished"));
    for (int i = 0; i < 3; ++i) {
        const auto p = stepSpy.at(i).at(0).value<view::StepPoint>();
        QCOMPARE(p.step, i + 1);
        const auto rec = store.stepRecord(runId, i + 1);
        QVERIFY(rec);
        QCOMPARE(p.rewardMean, rec->metrics["reward"].get<double>());
        QCOMPARE(p.aspectMeans.at(2), rec->metrics["rewards/actionability/mean"].get<double>());
        QCOMPARE(p.goldMeans.size(), 4);   // the demo has a gold judge
        QCOMPARE(p.goldObjective, rec->metrics["gold_objective"].get<double>());
    }

    Workspace ws(db);
    QCOMPARE(ws.runs().size(), 1);
    QCOMPARE(ws.runs().at(0).lastStep, 3);
    QCOMPARE(ws.aspects(runId).size(), 4);
    const auto points = ws.stepPoints(runId);
    QCOMPARE(points.size(), 3);
    QCOMPARE(points.at(1).kl, store.stepRecord(runId, 2)->metrics["kl"].get<double>());
    const auto rows = ws.samples(runId);
    QCOMPARE(rows.size(), 3 * 2 * 4);   // steps x prompts x generations
    for (const auto &row : rows) {
        QCOMPARE(row.scores.size(), 4);
        QVERIFY(!row.labelled());
    }
}

void TestTrainingController::pauseResumeStop()
{
    QTemporaryDir tmp;
    const QString db = tmp.filePath(QStringLiteral("w.awb"));
    TrainingController c;
    QSignalSpy stepSpy(&c, &TrainingController::stepFinished);
    QSignalSpy finishedSpy(&c, &TrainingController::finished);
    QVERIFY(c.start(demoRequest(db, 200)));
    QTRY_VERIFY_WITH_TIMEOUT(stepSpy.count() >= 1, 120000);
    c.pause();
    QCOMPARE(c.state(), State::Paused);
    // The step under way may finish its current phase; then nothing moves.
    QTest::qWait(1500);
    const int atPause = stepSpy.count();
    QTest::qWait(1500);
    QCOMPARE(stepSpy.count(), atPause);
    c.resume();
    QCOMPARE(c.state(), State::Running);
    QTRY_VERIFY_WITH_TIMEOUT(stepSpy.count() > atPause, 60000);
    c.stop();
    QCOMPARE(c.state(), State::Stopping);
    QTRY_COMPARE_WITH_TIMEOUT(finishedSpy.count(), 1, 60000);
    QCOMPARE(finishedSpy.at(0).at(1).toString(), QStringLiteral("stopped"));
    QCOMPARE(c.state(), State::Finished);
    Store store = Store::open(db.toStdString());
    QCOMPARE(store.run(c.runId())->status, std::string("stopped"));
    QVERIFY(store.lastStep(c.runId()) < 200);
    QCOMPARE(store.lastStep(c.runId()), static_cast<std::int64_t>(stepSpy.count()));
}

void TestTrainingController::weightsTakeEffectAtNextStep()
{
    QTemporaryDir tmp;
    const QString db = tmp.filePath(QStringLiteral("w.awb"));
    TrainingController c;
    QSignalSpy stepSpy(&c, &TrainingController::stepFinished);
    QSignalSpy finishedSpy(&c, &TrainingController::finished);
    QMap<QString, double> w;
    w["politeness"] = 0.0;
    w["meaningfulness"] = 2.0;
    w["actionability"] = 1.0;
    w["safety"] = 0.5;
    // Changed as soon as the first step is reported, before the run can end
    // (polling for it could let a fast run finish first); 8 steps leave room.
    int changedAfter = -1;
    connect(&c, &TrainingController::stepFinished, &c, [&] {
        if (changedAfter >= 0)
            return;
        c.setWeights(w, QStringLiteral("normalize_then_sum"));
        changedAfter = int(stepSpy.count());
    });
    QVERIFY(c.start(demoRequest(db, 8)));
    QTRY_COMPARE_WITH_TIMEOUT(finishedSpy.count(), 1, 120000);
    // Steps that started after the change ran with it (the one under way kept the old weights).
    const auto last = stepSpy.last();
    using WeightMap = QMap<QString, double>;
    QCOMPARE(last.at(2).value<WeightMap>(), w);
    QCOMPARE(last.at(3).toString(), QStringLiteral("normalize_then_sum"));
    QVERIFY(changedAfter >= 1 && changedAfter < 8);
    const auto first = stepSpy.first();
    const double firstPoliteness = first.at(2).value<QMap<QString, double>>().value("politeness");
    QCOMPARE(firstPoliteness, 1.0);

    Workspace ws(db);
    const auto markers = ws.markers(c.runId());
    QCOMPARE(markers.size(), 1);
    QCOMPARE(markers.at(0).kind, QStringLiteral("weights"));
    QVERIFY(markers.at(0).step > changedAfter);
    QCOMPARE(markers.at(0).text, QStringLiteral("weights 0/2/1/0.5 (normalise, then sum)"));
}

void TestTrainingController::badWorkspaceFails()
{
    QTemporaryDir tmp;
    const QString db = tmp.filePath(QStringLiteral("not-a-db.awb"));
    QFile f(db);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray(4096, 'x'));
    f.close();
    TrainingController c;
    QSignalSpy failedSpy(&c, &TrainingController::failed);
    QSignalSpy finishedSpy(&c, &TrainingController::finished);
    QVERIFY(c.start(demoRequest(db, 2)));
    QTRY_COMPARE_WITH_TIMEOUT(finishedSpy.count(), 1, 60000);
    QCOMPARE(failedSpy.count(), 1);
    QVERIFY2(failedSpy.at(0).at(0).toString().contains(QStringLiteral("not-a-db.awb")),
             qPrintable(failedSpy.at(0).at(0).toString()));
    QCOMPARE(c.state(), State::Failed);
    QCOMPARE(f.size(), 4096);   // nothing overwritten
}

void TestTrainingController::labelsAndRetrainReachTheRunningJob_data()
{
    QTest::addColumn<bool>("lora");
    QTest::newRow("full fine-tuning") << false;
    // The demo's reward model is LoRA on the policy's folder: retrained during a LoRA run it borrows the base.
    QTest::newRow("lora") << true;
}

void TestTrainingController::labelsAndRetrainReachTheRunningJob()
{
    QFETCH(bool, lora);
    QTemporaryDir tmp;
    const QString db = tmp.filePath(QStringLiteral("w.awb"));
    TrainingController c;
    RewardModelController rm;
    rm.setTrainingController(&c);
    QSignalSpy stepSpy(&c, &TrainingController::stepFinished);
    QSignalSpy finishedSpy(&c, &TrainingController::finished);
    QVERIFY(c.start(demoRequest(db, 400, lora)));
    QTRY_VERIFY_WITH_TIMEOUT(stepSpy.count() >= 1, 120000);
    QCOMPARE(stepSpy.last().at(4).toLongLong(), 1);   // the demo's model, registered as v1

    Workspace ws(db);
    const QStringList aspects = c.aspects();
    const auto rows = ws.samples(c.runId(), 1, 1);
    QCOMPARE(rows.size(), 8);
    const qint64 before = ws.labelsSinceLastRewardModel();
    QCOMPARE(before, 0);
    // Label every sample of step 1: two aspects each (the others left open).
    for (const auto &row : rows)
    {
        const QVector<double> values{0.9, view::missing(), 0.1, view::missing()};
        QCOMPARE(ws.addLabels(row.id, aspects, values, QStringLiteral("ann")), 2);
    }
    QCOMPARE(ws.labelsSinceLastRewardModel(), 16);
    // A relabel appends; the latest value counts.
    const QVector<double> relabel{0.3, view::missing(), view::missing(), view::missing()};
    QCOMPARE(ws.addLabels(rows[0].id, aspects, relabel, QStringLiteral("ann")), 1);
    QCOMPARE(ws.latestLabels(rows[0].id, aspects).at(0), 0.3);
    QCOMPARE(ws.store().labelHistory(rows[0].id).size(), std::size_t(3));

    QSignalSpy rmSpy(&rm, &RewardModelController::finished);
    RetrainRequest rr;
    rr.db = db;
    rr.replayLabelsPath = kDemo + QStringLiteral("/labels.jsonl");
    rr.epochs = 1;
    QVERIFY(rm.start(rr));
    QTRY_COMPARE_WITH_TIMEOUT(rmSpy.count(), 1, 300000);
    QVERIFY2(rmSpy.at(0).at(0).toBool(), qPrintable(rmSpy.at(0).at(1).toString()));
    QCOMPARE(rmSpy.at(0).at(1).toString().contains(QStringLiteral("shares the running policy's base weights")), lora);
    QCOMPARE(rmSpy.at(0).at(2).toLongLong(), 2);
    QCOMPARE(ws.latestRewardModelVersion(), 2);
    QCOMPARE(ws.labelsSinceLastRewardModel(), 0);

    // The running job switches at its next step boundary.
    const int at = stepSpy.count();
    QTRY_VERIFY_WITH_TIMEOUT(stepSpy.count() >= at + 2, 120000);
    QCOMPARE(stepSpy.last().at(4).toLongLong(), 2);
    c.stop();
    QTRY_COMPARE_WITH_TIMEOUT(finishedSpy.count(), 1, 60000);
    const auto last = ws.samples(c.runId(), stepSpy.last().at(0).value<view::StepPoint>().step,
                                 stepSpy.last().at(0).value<view::StepPoint>().step);
    QVERIFY(!last.isEmpty());
    QCOMPARE(last.at(0).rewardModelVersion, 2);
    const auto markers = ws.markers(c.runId());
    QVERIFY(std::any_of(markers.begin(), markers.end(),
                        [](const view::StepMarker &m) { return m.text == QStringLiteral("RM v2"); }));
}

QTEST_MAIN(TestTrainingController)
#include "tst_training_controller.moc"
