// `awb train` as a user runs it, on the small demo: one JSON object per step
// with the contract's fields; killed with SIGKILL mid-run it leaves only whole
// steps in the workspace, and `--resume` continues from the last checkpoint to
// the same per-step results as an uninterrupted run.
#include "store/store.h"

#include <nlohmann/json.hpp>

#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <filesystem>
#include <fstream>

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
    // A knob of another algorithm, or a value out of range, is refused before the workspace is created.
    void badOptionLeavesNoWorkspace_data()
    {
        QTest::addColumn<QStringList>("flags");
        QTest::addColumn<QString>("message");
        QTest::newRow("grpo knob for ppo") << QStringList{"--algorithm", "ppo", "--loss-type", "dapo"}
                                           << "\"loss_type\" is an option of grpo, dpo, not of the algorithm \"ppo\"";
        QTest::newRow("out of range") << QStringList{"--num-generations", "1"} << "num_generations: 1 must be at least 2";
    }
    void badOptionLeavesNoWorkspace()
    {
        QFETCH(QStringList, flags);
        QFETCH(QString, message);
        QTemporaryDir tmp;
        const QString db = tmp.filePath(QStringLiteral("new.awb"));
        QProcess p;
        p.start(kAwb, QStringList{"train", "--demo", "--demo-dir", kDemo, "--db", db, "--steps", "1"} + flags);
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 1);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.contains(message), qPrintable(err));
        QVERIFY(!QFileInfo::exists(db));
    }

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

        // Killed before its first checkpoint (and with weights given): the
        // resumed run starts over from step 0 with those weights.
        const QString early = dir.filePath("early.awb");
        QStringList earlyArgs = trainArgs(early);
        earlyArgs[earlyArgs.indexOf("--save-steps") + 1] = "100";
        earlyArgs << "--weights" << "safety=2";
        QProcess victim2;
        victim2.start(kAwb, earlyArgs);
        QVERIFY(victim2.waitForStarted());
        printed.clear();
        while (printed.count('\n') < 1 && victim2.state() == QProcess::Running) {
            victim2.waitForReadyRead(1000);
            printed += victim2.readAllStandardOutput();
        }
        QCOMPARE(::kill(static_cast<pid_t>(victim2.processId()), SIGKILL), 0);
        victim2.waitForFinished();
        QProcess again;
        again.start(kAwb, QStringList{"train", "--resume", "--db", early, "--threads", "1"});
        QVERIFY(again.waitForFinished(600000));
        QCOMPARE(again.exitCode(), 0);
        QVERIFY(QString::fromUtf8(again.readAllStandardError()).contains("after step 0: it has no checkpoint"));
        const auto restarted = jsonLines(again.readAllStandardOutput());
        QCOMPARE(restarted.size(), std::size_t(kSteps));
        QCOMPARE(restarted.front()["step"].get<int>(), 1);
        QCOMPARE(restarted.back()["weights"]["safety"].get<double>(), 2.0);
        Store earlyStore = Store::open(early.toStdString());
        SampleFilter ef;
        ef.limit = -1;
        QCOMPARE(earlyStore.countSamples(ef), std::int64_t(kSteps) * kPerStep);
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

    // Bad input to a workspace that holds a run: each attempt fails with one
    // line naming the file or argument, and the run's data stays as it was.
    void badInputLeavesTheRunIntact()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath("ws.awb");
        QStringList args = trainArgs(db);
        args[args.indexOf("--steps") + 1] = "2";
        QProcess first;
        first.start(kAwb, args);
        QVERIFY(first.waitForFinished(600000));
        QCOMPARE(first.exitCode(), 0);
        auto counts = [&] {
            Store store = Store::open(db.toStdString());
            const auto runs = store.runs();
            SampleFilter f;
            f.limit = -1;
            return std::vector<std::int64_t>{std::int64_t(runs.size()), store.lastStep(runs.front().id),
                                             store.countSamples(f), std::int64_t(store.promptSets().size())};
        };
        const auto before = counts();
        QCOMPARE(before, (std::vector<std::int64_t>{1, 2, 2 * kPerStep, 1}));

        auto fails = [&](const QStringList &extra, const QString &expected) {
            QProcess p;
            p.start(kAwb, QStringList{"train", "--demo", "--demo-dir", kDemo, "--db", db, "--steps", "1",
                                      "--threads", "1", "--quiet"} + extra);
            QVERIFY(p.waitForFinished(120000));
            QVERIFY(p.exitCode() != 0);
            const QString err = QString::fromUtf8(p.readAllStandardError()).trimmed();
            QVERIFY2(err.contains(expected), qPrintable(err));
            QVERIFY2(!err.contains('\n'), qPrintable(err));
            QVERIFY(p.readAllStandardOutput().isEmpty());
        };
        const QString empty = dir.filePath("empty.jsonl");
        QFile(empty).open(QIODevice::WriteOnly);
        fails({"--prompts", empty}, empty + ": no prompts in this file");
        fails({"--weights", "politeness=0,meaningfulness=0,actionability=0,safety=0"},
              "aspect weights (--weights, \"aspect_weights\"): all are 0");
        fails({"--weights", "saftey=0.5"}, "the reward model has no aspect \"saftey\"");

        // A reward model whose aspects.json names other aspects (same head shape).
        const QString demoCopy = dir.filePath("demo");
        std::filesystem::copy(kDemo.toStdString(), demoCopy.toStdString(), std::filesystem::copy_options::recursive);
        const std::string aspectsFile = demoCopy.toStdString() + "/reward_model/aspects.json";
        nlohmann::json aspects = nlohmann::json::parse(std::ifstream(aspectsFile));
        for (auto &a : aspects["aspects"])
            if (a["name"] == "safety")
                a["name"] = "harmlessness";
        std::ofstream(aspectsFile) << aspects.dump(2);
        QProcess r;
        r.start(kAwb, {"train", "--resume", "--db", db, "--reward-model", demoCopy + "/reward_model", "--steps", "3",
                       "--threads", "1", "--quiet"});
        QVERIFY(r.waitForFinished(120000));
        QVERIFY(r.exitCode() != 0);
        const QString err = QString::fromUtf8(r.readAllStandardError());
        QVERIFY2(err.contains("reward_model/aspects.json: the reward model scores (politeness, meaningfulness, "
                              "actionability, harmlessness) but run 1 in " + db + " was started with (politeness, "
                              "meaningfulness, actionability, safety)"), qPrintable(err));

        QCOMPARE(counts(), before);
        Store store = Store::open(db.toStdString());
        QCOMPARE(store.runs().front().status, std::string("finished"));
    }
};

QTEST_GUILESS_MAIN(TestCliTrain)
#include "tst_cli_train.moc"
