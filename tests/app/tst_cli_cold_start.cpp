// The annotators' cold start as a user runs it with `awb`, on the small demo's
// policy and prompts but with no reward model: sample for labelling, label
// the samples (here with the gold judge, as an annotator would), train
// version 1 from those labels, and a GRPO run then scores with version 1.
// Also the bad inputs of `awb reward-model train` that reach the command line.
#include "data/gold_judge.h"
#include "store/store.h"

#include <nlohmann/json.hpp>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "app/awb_process.h"

#include <fstream>

using namespace awb;

using namespace awb::test;

namespace {

nlohmann::json lastLine(const QByteArray &out)
{
    const auto lines = out.trimmed().split('\n');
    return nlohmann::json::parse(lines.back().toStdString());
}

void writeFile(const QString &path, const std::string &text)
{
    std::ofstream(path.toStdString(), std::ios::binary) << text;
}

} // namespace

class TestCliColdStart : public QObject
{
    Q_OBJECT

private slots:
    void sampleLabelTrainThenRun();
    void badInputRegistersNothing();
};

void TestCliColdStart::sampleLabelTrainThenRun()
{
    QTemporaryDir dir;
    const QString db = dir.filePath("cold.awb");
    const QString policy = kDemo + "/policy";
    // 1. Sample 6 prompts x 4 completions, no reward model anywhere.
    const Result s = runAwb({"sample", "--db", db, "--model", policy, "--prompts-file", kDemo + "/prompts.jsonl",
                          "--prompts", "6", "--num-generations", "4", "--max-completion-length", "24", "--threads", "1"});
    QVERIFY2(s.code == 0, s.err.constData());
    const nlohmann::json sampled = lastLine(s.out);
    QCOMPARE(sampled["samples"].get<int>(), 24);
    Store store = Store::open(db.toStdString());
    QVERIFY(store.rewardModels().empty());
    const auto run = store.run(sampled["run"].get<std::int64_t>());
    QVERIFY(run);
    QCOMPARE(run->status, std::string("finished"));
    QCOMPARE(run->config["algorithm"].get<std::string>(), std::string("labelling"));
    QCOMPARE(run->config["aspect_schema"]["aspects"].size(), std::size_t(4));
    SampleFilter filter;
    filter.runId = run->id;
    const auto samples = store.samples(filter);
    QCOMPARE(samples.size(), std::size_t(24));
    // 2. An annotator labels every sample on every aspect (the gold judge stands in).
    GoldJudge judge;
    for (const auto &sample : samples) {
        QVERIFY(sample.scores.empty());   // nothing has scored them
        for (const auto &[aspect, value] : judge.score(sample.prompt, sample.completion)) {
            LabelRecord l;
            l.sampleId = sample.id;
            l.aspect = aspect;
            l.value = value;
            l.annotator = "test";
            store.addLabel(l);
        }
    }
    // 3. Version 1 from those labels, LoRA on the policy's base.
    const Result t = runAwb({"reward-model", "train", "--base", policy, "--labels", "--db", db, "--use-lora", "true",
                          "--epochs", "1", "--threads", "1"});
    QVERIFY2(t.code == 0, t.err.constData());
    const nlohmann::json trained = lastLine(t.out);
    QCOMPARE(trained["version"].get<int>(), 1);
    QCOMPARE(trained["files"][0]["layout"].get<std::string>(), std::string("labels"));
    QCOMPARE(trained["files"][0]["records"].get<int>(), 24);
    QCOMPARE(trained["aspects"].size(), std::size_t(4));
    const auto versions = store.rewardModels();
    QCOMPARE(versions.size(), std::size_t(1));
    QCOMPARE(versions[0].labelCount, 24 * 4);
    QVERIFY(versions[0].metrics.contains("safety"));
    // 4. A GRPO run on the workspace takes version 1.
    const std::string config = nlohmann::json{{"model", policy.toStdString()},
                                              {"max_steps", 1},
                                              {"prompts_per_step", 2},
                                              {"num_generations", 2},
                                              {"max_completion_length", 8}}
                                   .dump();
    writeFile(dir.filePath("grpo.json"), config);
    const Result g = runAwb({"train", "--config", dir.filePath("grpo.json"), "--db", db, "--quiet", "--threads", "1"});
    QVERIFY2(g.code == 0, g.err.constData());
    QCOMPARE(lastLine(g.out)["reward_model_version"].get<int>(), 1);
    // 5. Scoring with the workspace's version 1: one line per row, in order, every aspect.
    writeFile(dir.filePath("rows.jsonl"), "{\"prompt\":\"hi\",\"response\":\"Happy to help!\"}\n"
                                          "{\"prompt\":\"hi\",\"response\":\"Ugh, fine.\"}\n");
    const Result sc = runAwb({"reward-model", "score", "--db", db, "--data", dir.filePath("rows.jsonl")});
    QVERIFY2(sc.code == 0, sc.err.constData());
    const auto rows = sc.out.trimmed().split('\n');
    QCOMPARE(rows.size(), 2);
    QCOMPARE(nlohmann::json::parse(rows[1].toStdString())["scores"].size(), std::size_t(4));
}

void TestCliColdStart::badInputRegistersNothing()
{
    QTemporaryDir dir;
    const QString db = dir.filePath("w.awb");
    Store::open(db.toStdString());
    const QString policy = kDemo + "/policy";
    writeFile(dir.filePath("pairs.jsonl"), "{\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":\"b\"}\n");
    writeFile(dir.filePath("same.jsonl"), "{\"prompt\":\"p\",\"chosen\":\"a\",\"rejected\":\"b\"}\n"
                                          "{\"prompt\":\"p\",\"chosen\":\"x\",\"rejected\":\"x\"}\n");
    writeFile(dir.filePath("empty.jsonl"), "");
    writeFile(dir.filePath("odd.jsonl"), "{\"question\":\"q\",\"answer\":\"a\"}\n");
    writeFile(dir.filePath("text.csv"), "prompt,response,safety\np,r,high\n");
    QDir().mkpath(dir.filePath("notok"));
    QFile::copy(policy + "/config.json", dir.filePath("notok/config.json"));
    struct Case
    {
        QStringList args;
        QString expect;
    };
    const QList<Case> cases = {
        {{"--base", policy, "--data", dir.filePath("pairs.jsonl")}, "need the aspect they supervise"},
        {{"--base", policy, "--data", dir.filePath("same.jsonl") + ":safety"}, "same.jsonl:2"},
        {{"--base", policy, "--data", dir.filePath("empty.jsonl")}, "empty.jsonl: empty"},
        {{"--base", policy, "--data", dir.filePath("odd.jsonl")}, "layout is not recognised"},
        {{"--base", policy, "--data", dir.filePath("text.csv")}, "no column or key matches an aspect"},
        {{"--base", policy, "--data", dir.filePath("text.csv"), "--aspects", "safety"}, "text.csv:2"},
        {{"--base", dir.filePath("notok"), "--data", dir.filePath("pairs.jsonl") + ":safety"}, "no tokenizer.json"},
    };
    for (const auto &c : cases) {
        const Result r = runAwb(QStringList{"reward-model", "train", "--db", db} + c.args);
        QVERIFY2(r.code != 0, qPrintable(c.expect));
        QVERIFY2(r.err.contains(c.expect.toUtf8()), r.err.constData());
        QCOMPARE(r.err.trimmed().count('\n'), 0);   // one line
    }
    QVERIFY(Store::open(db.toStdString()).rewardModels().empty());
}

QTEST_GUILESS_MAIN(TestCliColdStart)
#include "tst_cli_cold_start.moc"
