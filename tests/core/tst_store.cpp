// The experiment store's records round-trip: prompt sets, runs, steps with
// their metrics and samples, reward models, checkpoints, events; and resume
// truncation keeps labelled samples.
#include "core/tst_store_util.h"
#include "store/store.h"
#include "util/error.h"

#include <QtTest>

#include <cmath>
#include <limits>

using namespace awb;
using namespace storetest;

class TestStore : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void createsAFreshWorkspace();
    void promptsRoundTrip();
    void promptSplitIsChecked();
    void runsRoundTrip();
    void stepRoundTrip();
    void metricsAreFlattened();
    void oddValuesSurvive();
    void duplicateStepIsRefused();
    void rewardModelVersionsIncrease();
    void checkpointsAndEvents();
    void truncateKeepsLabelledSamples();
    void reopenSeesEverything();

private:
    std::string dbPath() const { return (m_dir->path() + "/workspace.awb").toStdString(); }

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestStore::createsAFreshWorkspace()
{
    Store store = Store::open(dbPath());
    QCOMPARE(store.schemaVersion(), Store::currentSchemaVersion());
    QCOMPARE(store.schemaVersion(), 4);
    QCOMPARE(store.path(), dbPath());
    QVERIFY(store.runs().empty());
    QVERIFY(store.promptSets().empty());
    QCOMPARE(store.labelCount(), 0);
    QCOMPARE(store.lastStep(1), 0);
    QVERIFY(!store.latestCheckpoint(1));
    QVERIFY(!store.run(1));
    // WAL leaves its side files beside the database while a connection is open.
    QVERIFY(QFile::exists(m_dir->path() + "/workspace.awb-wal"));
}

void TestStore::promptsRoundTrip()
{
    Store store = Store::open(dbPath());
    const std::int64_t set = store.addPromptSet("hh-rlhf harmless", "hh-rlhf-harmless-test.jsonl.gz");
    const std::int64_t other = store.addPromptSet("demo", "generated");
    QCOMPARE(store.promptSets(), (std::vector<std::pair<std::int64_t, std::string>>{{set, "hh-rlhf harmless"}, {other, "demo"}}));

    std::vector<PromptRecord> in(3);
    in[0] = {0, "How do I bake bread?", "Mix flour...", "No.", "train", "hh-1"};
    in[1] = {0, "How do I pick a lock?", "I can't help with that.", "Sure: ...", "test", "hh-2"};
    in[2] = {0, "Tell me a joke", "", "", "train", ""};
    QCOMPARE(store.addPrompts(set, in), 3);
    // One duplicate of an existing text, one duplicate within the batch, one new.
    std::vector<PromptRecord> more(3);
    more[0] = {0, "Tell me a joke", "different", "", "test", "x"};
    more[1] = {0, "Write a poem", "", "", "test", "p"};
    more[2] = {0, "Write a poem", "", "", "train", "q"};
    QCOMPARE(store.addPrompts(set, more), 1);
    // The same text is welcome in another set.
    QCOMPARE(store.addPrompts(other, {in[2]}), 1);

    const auto all = store.prompts(set);
    QCOMPARE(all.size(), 4u);
    const PromptRecord expected[] = {in[0], in[1], in[2], more[1]};
    for (std::size_t i = 0; i < 4; ++i) {
        QVERIFY(all[i].id > 0);
        QCOMPARE(all[i].text, expected[i].text);
        QCOMPARE(all[i].chosen, expected[i].chosen);
        QCOMPARE(all[i].rejected, expected[i].rejected);
        QCOMPARE(all[i].split, expected[i].split);
        QCOMPARE(all[i].sourceId, expected[i].sourceId);
    }
    const auto test = store.prompts(set, "test");
    QCOMPARE(test.size(), 2u);
    QCOMPARE(test[0].text, std::string("How do I pick a lock?"));
    QCOMPARE(test[1].text, std::string("Write a poem"));
    QCOMPARE(store.prompts(set, "train").size(), 2u);
    QCOMPARE(store.prompts(other).size(), 1u);
}

void TestStore::promptSplitIsChecked()
{
    Store store = Store::open(dbPath());
    const std::int64_t set = store.addPromptSet("s", "");
    std::vector<PromptRecord> in(2);
    in[0].text = "fine";
    in[1].text = "bad split";
    in[1].split = "validation";
    const QString msg = messageOf<Error>([&] { store.addPrompts(set, in); });
    QVERIFY2(msg.contains("prompt 1") && msg.contains("\"validation\""), qPrintable(msg));
    QVERIFY(store.prompts(set).empty());   // checked before anything is written
}

void TestStore::runsRoundTrip()
{
    Store store = Store::open(dbPath());
    const nlohmann::json config = {{"learning_rate", 1e-5}, {"num_generations", 8}, {"aspects", {"politeness", "safety"}}};
    const std::int64_t a = store.createRun("first", config);
    const std::int64_t b = store.createRun("second", nlohmann::json::object());
    QVERIFY(b > a);

    auto info = store.run(a);
    QVERIFY(info);
    QCOMPARE(info->name, std::string("first"));
    QCOMPARE(info->status, std::string("created"));
    QCOMPARE(info->config, config);
    QCOMPARE(info->lastStep, 0);
    QVERIFY(std::abs(info->createdMs - QDateTime::currentMSecsSinceEpoch()) < 60'000);

    store.setRunStatus(a, "running");
    store.writeStep(step(a, 1, 2, 1.0));
    store.writeStep(step(a, 2, 2, 0.9));
    const auto runs = store.runs();
    QCOMPARE(runs.size(), 2u);
    QCOMPARE(runs[0].id, a);
    QCOMPARE(runs[0].status, std::string("running"));
    QCOMPARE(runs[0].lastStep, 2);
    QVERIFY(runs[0].updatedMs >= runs[0].createdMs);
    QCOMPARE(runs[1].name, std::string("second"));
    QCOMPARE(runs[1].lastStep, 0);
    QCOMPARE(store.lastStep(a), 2);

    const QString msg = messageOf<Error>([&] { store.setRunStatus(99, "done"); });
    QVERIFY2(msg.contains("run 99") && msg.contains("workspace.awb"), qPrintable(msg));
}

void TestStore::stepRoundTrip()
{
    Store store = Store::open(dbPath());
    const std::int64_t set = store.addPromptSet("s", "");
    store.addPrompts(set, {PromptRecord{0, "p0", "", "", "train", ""}});
    const std::int64_t promptId = store.prompts(set)[0].id;
    const std::int64_t run = store.createRun("r", {});

    StepRecord in = step(run, 7, 3, 0.75);
    in.timeMs = 1'700'000'000'123;
    in.rewardModelVersion = 4;
    in.samples[0].promptId = promptId;
    in.samples[1].gold = {{"politeness", 1.0}, {"safety", 0.0}};
    in.samples[2].finish = "length";
    // A steerable run's own weights and an ensemble's members survive the round trip.
    in.samples[1].weights = {{"politeness", 0.25}, {"safety", 0.75}};
    in.samples[2].members = {{"politeness", {0.5, 0.7, 0.6}}, {"safety", {0.1, 0.2, 0.3}}};
    in.samples[2].scoreStd = {{"politeness", 0.1}, {"safety", 0.1}};
    in.samples[2].rewardModelVersion = 3;
    // The store takes run and step from the StepRecord, not from its samples.
    in.samples[2].runId = 999;
    in.samples[2].step = 999;
    store.writeStep(in);

    const auto out = store.stepRecord(run, 7);
    QVERIFY(out);
    QCOMPARE(out->metrics, in.metrics);
    QVERIFY(sameMap(out->weights, in.weights));
    QCOMPARE(out->aggregation, in.aggregation);
    QCOMPARE(out->rewardModelVersion, 4);
    QCOMPARE(out->timeMs, in.timeMs);
    QCOMPARE(out->samples.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        QVERIFY2(sameSample(out->samples[i], in.samples[i]), qPrintable(QString::number(i)));
        QCOMPARE(out->samples[i].runId, run);
        QCOMPARE(out->samples[i].step, 7);
        QVERIFY(!out->samples[i].discarded);
    }
    QVERIFY(out->samples[0].id < out->samples[1].id && out->samples[1].id < out->samples[2].id);
    QVERIFY(!store.stepRecord(run, 8));
}

void TestStore::metricsAreFlattened()
{
    Store store = Store::open(dbPath());
    const std::int64_t run = store.createRun("r", {});
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (int k = 1; k <= 3; ++k) {
        StepRecord r;
        r.runId = run;
        r.step = k * 10;
        r.metrics = {{"loss", 1.0 / k},
                     {"reward", {{"mean", 0.1 * k}, {"per_aspect", {{"safety", 0.2 * k}}}}},
                     {"note", "text is not a series"},
                     {"clipped", true},
                     {"histogram", {1, 2, 3}},
                     {"kl", k == 2 ? nan : 0.01 * k}};
        store.writeStep(r);
    }
    QCOMPARE(store.metricNames(run), (std::vector<std::string>{"kl", "loss", "reward.mean", "reward.per_aspect.safety"}));
    const auto loss = store.metricSeries(run, "loss");
    QCOMPARE(loss.size(), 3u);
    for (int k = 1; k <= 3; ++k) {
        QCOMPARE(loss[k - 1].first, k * 10);
        QCOMPARE(loss[k - 1].second, 1.0 / k);
    }
    const auto safety = store.metricSeries(run, "reward.per_aspect.safety");
    QCOMPARE(safety.size(), 3u);
    QCOMPARE(safety[2].second, 0.2 * 3);
    const auto kl = store.metricSeries(run, "kl");
    QCOMPARE(kl.size(), 3u);
    QVERIFY(std::isnan(kl[1].second));
    QCOMPARE(kl[2].second, 0.03);
    QVERIFY(store.metricSeries(run, "note").empty());
    QVERIFY(store.metricSeries(run + 1, "loss").empty());
}

void TestStore::oddValuesSurvive()
{
    Store store = Store::open(dbPath());
    const std::int64_t run = store.createRun("r", {});
    StepRecord r;
    r.runId = run;
    r.step = 1;
    // Half a UTF-8 character (a byte-level tokenizer can stop mid-character),
    // an embedded NUL, a quote and an aspect name that is no valid JSON path.
    const std::string odd = std::string("caf\xc3", 4) + std::string("\0x\"y", 4);
    auto s = sample(odd, odd + "!", 0, 0, {{"odd \"aspect\".name", 0.25}, {"unscored", std::nan("")}});
    s.reward = std::numeric_limits<double>::quiet_NaN();
    s.advantage = -std::numeric_limits<double>::infinity();
    r.samples.push_back(s);
    store.writeStep(r);
    const auto back = store.stepRecord(run, 1);
    QVERIFY(back);
    QCOMPARE(back->samples.size(), 1u);
    QCOMPARE(back->samples[0].prompt, odd);
    QCOMPARE(back->samples[0].completion, odd + "!");
    QVERIFY(sameSample(back->samples[0], s));   // NaN reward and score included
    SampleFilter f;
    f.aspectRanges["odd \"aspect\".name"] = {0.25, 0.25};
    QCOMPARE(store.countSamples(f), 1);
    f.aspectRanges = {{"unscored", {-1e300, 1e300}}};
    QCOMPARE(store.countSamples(f), 0);   // NaN is no score
}

void TestStore::duplicateStepIsRefused()
{
    Store store = Store::open(dbPath());
    const std::int64_t run = store.createRun("r", {});
    store.writeStep(step(run, 1, 4, 1.0));
    const QString msg = messageOf<IoError>([&] { store.writeStep(step(run, 1, 4, 0.5)); });
    QVERIFY2(msg.contains("workspace.awb: cannot write step 1 of run 1: UNIQUE constraint failed"), qPrintable(msg));
    QCOMPARE(store.metricSeries(run, "loss"), (std::vector<std::pair<std::int64_t, double>>{{1, 1.0}}));
    SampleFilter all;
    QCOMPARE(store.countSamples(all), 4);
}

void TestStore::rewardModelVersionsIncrease()
{
    Store store = Store::open(dbPath());
    QVERIFY(store.rewardModels().empty());
    const nlohmann::json m1 = {{"mse", 0.04}, {"per_aspect", {{"safety", 0.02}}}};
    QCOMPARE(store.registerRewardModel("rm/v1", 100, m1, "first"), 1);
    QCOMPARE(store.registerRewardModel("rm/v2", 250, {{"mse", 0.03}}, ""), 2);
    QCOMPARE(store.registerRewardModel("rm/v3", 400, nlohmann::json::object(), "after relabel"), 3);
    const auto all = store.rewardModels();
    QCOMPARE(all.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i)
        QCOMPARE(all[i].version, static_cast<std::int64_t>(i + 1));
    const auto v1 = store.rewardModel(1);
    QVERIFY(v1);
    QCOMPARE(v1->path, std::string("rm/v1"));
    QCOMPARE(v1->labelCount, 100);
    QCOMPARE(v1->metrics, m1);
    QCOMPARE(v1->note, std::string("first"));
    QVERIFY(std::abs(v1->createdMs - QDateTime::currentMSecsSinceEpoch()) < 60'000);
    QVERIFY(!store.rewardModel(4));
}

void TestStore::checkpointsAndEvents()
{
    Store store = Store::open(dbPath());
    const std::int64_t a = store.createRun("a", {});
    const std::int64_t b = store.createRun("b", {});
    store.addCheckpoint(a, 10, "ckpt/10");
    store.addCheckpoint(a, 20, "ckpt/20");
    store.addCheckpoint(a, 20, "ckpt/20-again");
    store.addCheckpoint(b, 5, "b/5");
    QCOMPARE(store.latestCheckpoint(a), (std::optional<std::pair<std::int64_t, std::string>>({20, "ckpt/20-again"})));
    QCOMPARE(store.latestCheckpoint(b)->first, 5);

    store.addEvent(a, 5, "weights", {{"safety", 0.8}});
    store.addEvent(a, 2, "pause", nullptr);
    store.addEvent(a, 5, "reward_model", {{"version", 2}});
    store.addEvent(b, 1, "pause", nullptr);
    const auto events = store.events(a);
    QCOMPARE(events.size(), 3u);
    QCOMPARE(events[0].step, 2);
    QCOMPARE(events[0].kind, std::string("pause"));
    QVERIFY(events[0].payload.is_null());
    QCOMPARE(events[1].kind, std::string("weights"));
    QCOMPARE(events[1].payload, (nlohmann::json{{"safety", 0.8}}));
    QCOMPARE(events[2].kind, std::string("reward_model"));
    QCOMPARE(events[2].payload.at("version"), 2);
    QCOMPARE(store.events(b).size(), 1u);

    // Events, checkpoints and steps belong to a run that must exist.
    QVERIFY_THROWS_EXCEPTION(IoError, store.addEvent(77, 1, "pause", nullptr));
    QVERIFY_THROWS_EXCEPTION(IoError, store.addCheckpoint(77, 1, "x"));
    QVERIFY_THROWS_EXCEPTION(IoError, store.writeStep(step(77, 1, 1, 0.0)));
}

void TestStore::truncateKeepsLabelledSamples()
{
    Store store = Store::open(dbPath());
    const std::int64_t run = store.createRun("r", {});
    const std::int64_t other = store.createRun("other", {});
    for (int k = 1; k <= 4; ++k)
        store.writeStep(step(run, k, 3, 1.0 / k));
    store.writeStep(step(other, 3, 3, 0.0));
    store.addCheckpoint(run, 2, "c2");
    store.addCheckpoint(run, 4, "c4");
    store.addEvent(run, 2, "weights", {});
    store.addEvent(run, 3, "pause", {});

    SampleFilter step4;
    step4.runId = run;
    step4.stepMin = step4.stepMax = 4;
    const std::int64_t labelled = store.samples(step4)[1].id;
    store.addLabel({0, labelled, "safety", 0.9, "ann", 0});

    store.truncateRunAfter(run, 2);

    QCOMPARE(store.lastStep(run), 2);
    QCOMPARE(store.metricSeries(run, "loss"), (std::vector<std::pair<std::int64_t, double>>{{1, 1.0}, {2, 0.5}}));
    QCOMPARE(store.latestCheckpoint(run)->second, std::string("c2"));
    QCOMPARE(store.events(run).size(), 1u);
    SampleFilter ofRun;
    ofRun.runId = run;
    QCOMPARE(store.countSamples(ofRun), 6);
    ofRun.includeDiscarded = true;
    const auto kept = store.samples(ofRun);
    QCOMPARE(kept.size(), 7u);
    QCOMPARE(kept.back().id, labelled);
    QVERIFY(kept.back().discarded);
    QCOMPARE(kept.back().completion, std::string("s4-1"));
    QCOMPARE(store.labelledSamples().size(), 1u);
    QCOMPARE(store.latestLabels(labelled).at("safety"), 0.9);
    // The other run is untouched.
    QCOMPARE(store.lastStep(other), 3);

    // Resume writes the dropped steps again.
    store.writeStep(step(run, 3, 3, 0.3));
    QCOMPARE(store.lastStep(run), 3);
    ofRun.includeDiscarded = false;
    QCOMPARE(store.countSamples(ofRun), 9);
}

void TestStore::reopenSeesEverything()
{
    {
        Store store = Store::open(dbPath());
        const std::int64_t run = store.createRun("r", {{"k", 1}});
        store.writeStep(step(run, 1, 5, 0.5));
        store.registerRewardModel("rm", 3, {}, "");
    }
    Store again = Store::open(dbPath());
    QCOMPARE(again.runs().size(), 1u);
    QCOMPARE(again.runs()[0].config, (nlohmann::json{{"k", 1}}));
    QCOMPARE(again.stepRecord(1, 1)->samples.size(), 5u);
    QCOMPARE(again.registerRewardModel("rm2", 4, {}, ""), 2);
    Store moved = std::move(again);
    QCOMPARE(moved.lastStep(1), 1);
}

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
