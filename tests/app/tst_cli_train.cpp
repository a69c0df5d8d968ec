// `awb train` as a user runs it, on the small demo: one JSON object per step
// with the contract's fields; killed with SIGKILL mid-run it leaves only whole
// steps in the workspace, and `--resume` continues from the last checkpoint to
// the same per-step results as an uninterrupted run.
#include "store/store.h"

#include <nlohmann/json.hpp>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

using namespace awb;

namespace {

const QString kAwb = QStringLiteral(AWB_BINARY_DIR "/app/awb");
const QString kDemo = QStringLiteral(AWB_DEMO_SMALL_DIR);
constexpr int kSteps = 6;
constexpr int kPerStep = 2 * 4;   // prompts_per_step x num_generations

QStringList trainArgs(const QString &db)
{
    return {"train", "--demo", "--demo-dir", kDemo, "--db", db, "--steps", QString::number(kSteps),
            "--prompts-per-step", "2", "--num-generations", "4", "--max-completion-length", "12",
            "--save-steps", "2", "--threads", "1", "--quiet"};
}

std::vector<nlohmann::json> jsonLines(const QByteArray &out)
{
    std::vector<nlohmann::json> lines;
    for (const QByteArray &line : out.split('\n'))
        if (!line.trimmed().isEmpty())
            lines.push_back(nlohmann::json::parse(line.toStdString()));
    return lines;
}

} // namespace

class TestCliTrain : public QObject
{
    Q_OBJECT

private slots:
    void killedRunResumesToTheUninterruptedResults()
    {
        QTemporaryDir dir;
        // Uninterrupted reference run.
        QProcess full;
        full.start(kAwb, trainArgs(dir.filePath("full.awb")));
        QVERIFY(full.waitForFinished(600000));
        QCOMPARE(full.exitCode(), 0);
        const auto reference = jsonLines(full.readAllStandardOutput());
        QCOMPARE(reference.size(), std::size_t(kSteps));
        for (const char *key : {"step", "loss", "kl", "reward_mean", "reward_std", "aspects", "time_s", "gold", "gold_objective"})
            QVERIFY2(reference[0].contains(key), key);
        for (const char *phase : {"generation", "scoring", "reference", "update"})
            QVERIFY(reference[0]["time_s"].contains(phase));
        QCOMPARE(reference[0]["aspects"].size(), std::size_t(4));

        // The same run, killed without warning once step 3 has been printed.
        const QString db = dir.filePath("killed.awb");
        QProcess victim;
        victim.start(kAwb, trainArgs(db));
        QVERIFY(victim.waitForStarted());
        QByteArray printed;
        while (printed.count('\n') < 3 && victim.state() == QProcess::Running) {
            victim.waitForReadyRead(1000);
            printed += victim.readAllStandardOutput();
        }
        QCOMPARE(::kill(static_cast<pid_t>(victim.processId()), SIGKILL), 0);
        victim.waitForFinished();
        std::int64_t lastStep = 0;
        {
            Store store = Store::open(db.toStdString());
            const auto runs = store.runs();
            QCOMPARE(runs.size(), std::size_t(1));
            QCOMPARE(runs[0].status, std::string("running"));   // nobody marked it: the process died
            lastStep = store.lastStep(runs[0].id);
            QVERIFY(lastStep >= 3 && lastStep < kSteps);
            SampleFilter f;
            f.runId = runs[0].id;
            f.limit = -1;
            // Whole steps only: every written step has all its samples.
            QCOMPARE(store.countSamples(f), lastStep * kPerStep);
        }

        QProcess resumed;
        resumed.start(kAwb, QStringList{"train", "--resume", "--db", db, "--steps", QString::number(kSteps), "--threads", "1", "--quiet"});
        QVERIFY(resumed.waitForFinished(600000));
        QCOMPARE(resumed.exitCode(), 0);
        const auto after = jsonLines(resumed.readAllStandardOutput());
        QVERIFY(!after.empty());
        const std::int64_t first = after.front()["step"].get<std::int64_t>();
        QVERIFY(first == 3 || first == 5);   // continues after the last checkpoint (every 2 steps)
        QCOMPARE(after.back()["step"].get<std::int64_t>(), std::int64_t(kSteps));
        for (const auto &line : after) {
            const auto &ref = reference[line["step"].get<std::size_t>() - 1];
            for (const char *key : {"loss", "kl", "reward_mean", "reward_std", "gold_objective", "entropy"})
                QVERIFY2(line[key] == ref[key], qPrintable(QString("%1 at step %2").arg(key).arg(line["step"].get<int>())));
            QCOMPARE(line["aspects"], ref["aspects"]);
        }
        Store store = Store::open(db.toStdString());
        const auto run = store.runs().front();
        QCOMPARE(run.status, std::string("finished"));
        QCOMPARE(store.lastStep(run.id), std::int64_t(kSteps));
        SampleFilter f;
        f.runId = run.id;
        f.limit = -1;
        QCOMPARE(store.countSamples(f), std::int64_t(kSteps) * kPerStep);
        const auto series = store.metricSeries(run.id, "reward");
        QCOMPARE(series.size(), std::size_t(kSteps));
    }

    void badInputIsOneClearLine()
    {
        QTemporaryDir dir;
        QProcess p;
        p.start(kAwb, {"train", "--db", dir.filePath("ws.awb"), "--model", dir.filePath("missing"), "--steps", "1"});
        QVERIFY(p.waitForFinished(120000));
        QVERIFY(p.exitCode() != 0);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.contains("reward model") || err.contains("missing"), qPrintable(err));

        QProcess q;
        q.start(kAwb, {"train", "--demo", "--demo-dir", kDemo, "--db", dir.filePath("ws2.awb"), "--loss-type", "ppo"});
        QVERIFY(q.waitForFinished(120000));
        QVERIFY(q.exitCode() != 0);
        QVERIFY(QString::fromUtf8(q.readAllStandardError()).contains("loss_type: \"ppo\""));

        QProcess r;
        r.start(kAwb, {"train", "--resume", "--db", dir.filePath("empty.awb")});
        QVERIFY(r.waitForFinished(120000));
        QVERIFY(r.exitCode() != 0);
        QVERIFY(QString::fromUtf8(r.readAllStandardError()).contains("no run to resume"));
    }
};

QTEST_GUILESS_MAIN(TestCliTrain)
#include "tst_cli_train.moc"
