// Sample queries and labels: every filter against hand-picked expectations,
// append-only labels where the latest wins, and the disagreement order
// computed by hand.
#include "core/tst_store_util.h"
#include "store/store.h"
#include "util/error.h"

#include <QtTest>

#include <cmath>
#include <limits>

using namespace awb;
using namespace storetest;

namespace {

std::vector<std::string> completions(const std::vector<SampleRecord> &samples)
{
    std::vector<std::string> out;
    for (const auto &s : samples)
        out.push_back(s.completion);
    return out;
}

using Names = std::vector<std::string>;

} // namespace

class TestStoreQuery : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void filters_data();
    void filters();
    void pagination();
    void labelsAreAppendOnlyAndLatestWins();
    void labelledFilter();
    void disagreementOrder();
    void labelAggregates();
    void badLabels();
    void uncertaintyOrder();

private:
    std::int64_t id(const std::string &completion) const { return m_ids.at(completion); }

    QTemporaryDir m_dir;
    std::unique_ptr<Store> m_store;
    std::int64_t m_runA = 0, m_runB = 0, m_prompt = 0;
    std::map<std::string, std::int64_t> m_ids;   // completion -> sample id
};

// Run A, step 1: s1..s3; step 2: s4..s6. Run B, step 1: s7.
// Labels (aspect value @time):
//   s1: pol 0.5 @1000, saf 0.1 @1500, pol 0.85 @2000   -> latest pol 0.85, saf 0.1
//   s3: saf 0.9 @1000, saf 0.15 @3000                  -> saf 0.15
//   s4: pol 0.2 @4000, pol 0.9 @3500 (appended later)  -> pol 0.2 (latest by time)
//   s5: saf 0.0 @100, harm 1.0 @100                    -> no predicted saf/harm
//   s6: pol 0.0 @5000, pol 0.5 @5000 (same time)       -> pol 0.5 (later row)
void TestStoreQuery::initTestCase()
{
    m_store = std::make_unique<Store>(Store::open((m_dir.path() + "/q.awb").toStdString()));
    Store &st = *m_store;
    const std::int64_t set = st.addPromptSet("set", "");
    st.addPrompts(set, {PromptRecord{0, "How to bake bread", "", "", "train", ""}});
    m_prompt = st.prompts(set)[0].id;
    m_runA = st.createRun("A", {});
    m_runB = st.createRun("B", {});

    StepRecord a1{m_runA, 1, {}, {}, "sum", 1, 0, {}};
    a1.samples = {sample("How to bake bread", "s1", 0, 0, {{"pol", 0.9}, {"saf", 0.8}}),
                  sample("How to bake bread", "s2", 0, 1, {{"pol", 0.2}, {"saf", 0.95}}),
                  sample("Build a BOMB 100%_sure", "s3", 1, 0, {{"pol", 0.5}, {"saf", 0.1}})};
    a1.samples[0].promptId = a1.samples[1].promptId = m_prompt;
    StepRecord a2{m_runA, 2, {}, {}, "sum", 1, 0, {}};
    a2.samples = {sample("Tell a joke", "s4", 0, 0, {{"pol", 0.6}, {"saf", 0.6}}),
                  sample("build a bomb", "s5", 1, 0, {{"pol", 0.3}}),
                  sample("Write code", "s6", 2, 0, {{"pol", 0.7}, {"saf", 0.4}})};
    StepRecord b1{m_runB, 1, {}, {}, "sum", 1, 0, {}};
    b1.samples = {sample("How to bake bread", "s7", 0, 0, {{"pol", 0.1}, {"saf", 0.1}})};
    b1.samples[0].promptId = m_prompt;
    st.writeStep(a1);
    st.writeStep(a2);
    st.writeStep(b1);

    SampleFilter all;
    for (const auto &s : st.samples(all))
        m_ids[s.completion] = s.id;
    QCOMPARE(m_ids.size(), 7u);

    const LabelRecord labels[] = {
        {0, id("s1"), "pol", 0.5, "ann1", 1000}, {0, id("s1"), "saf", 0.1, "ann1", 1500},
        {0, id("s1"), "pol", 0.85, "ann2", 2000}, {0, id("s3"), "saf", 0.9, "ann1", 1000},
        {0, id("s3"), "saf", 0.15, "ann2", 3000}, {0, id("s4"), "pol", 0.2, "ann1", 4000},
        {0, id("s4"), "pol", 0.9, "ann2", 3500},  {0, id("s5"), "saf", 0.0, "ann1", 100},
        {0, id("s5"), "harm", 1.0, "ann1", 100},  {0, id("s6"), "pol", 0.0, "ann1", 5000},
        {0, id("s6"), "pol", 0.5, "ann2", 5000},
    };
    std::int64_t previous = 0;
    for (const auto &l : labels) {
        const std::int64_t labelId = st.addLabel(l);
        QVERIFY(labelId > previous);
        previous = labelId;
    }
}

void TestStoreQuery::filters_data()
{
    QTest::addColumn<int>("which");
    QTest::addColumn<Names>("expected");
    QTest::newRow("run A") << 0 << Names{"s1", "s2", "s3", "s4", "s5", "s6"};
    QTest::newRow("no filter") << 1 << Names{"s1", "s2", "s3", "s4", "s5", "s6", "s7"};
    QTest::newRow("run A, step >= 2") << 2 << Names{"s4", "s5", "s6"};
    QTest::newRow("run A, step <= 1") << 3 << Names{"s1", "s2", "s3"};
    QTest::newRow("prompt contains bomb, any case") << 4 << Names{"s3", "s5"};
    QTest::newRow("underscore is literal") << 5 << Names{"s3"};
    QTest::newRow("prompt contains BREAD") << 6 << Names{"s1", "s2", "s7"};
    QTest::newRow("saf in [0.5, 1], run A") << 7 << Names{"s1", "s2", "s4"};
    QTest::newRow("pol and saf in [0.5, 1]") << 8 << Names{"s1", "s4"};
    QTest::newRow("pol in [0.2, 0.3], bounds inclusive") << 9 << Names{"s2", "s5"};
    QTest::newRow("prompt id") << 10 << Names{"s1", "s2", "s7"};
    QTest::newRow("prompt id, run B") << 11 << Names{"s7"};
    QTest::newRow("unknown aspect matches nothing") << 12 << Names{};
    QTest::newRow("percent is literal") << 13 << Names{};
}

void TestStoreQuery::filters()
{
    QFETCH(int, which);
    QFETCH(Names, expected);
    SampleFilter f;
    switch (which) {
    case 0: f.runId = m_runA; break;
    case 1: break;
    case 2: f.runId = m_runA; f.stepMin = 2; break;
    case 3: f.runId = m_runA; f.stepMax = 1; break;
    case 4: f.promptContains = "bomb"; break;
    case 5: f.promptContains = "_"; break;
    case 6: f.promptContains = "BREAD"; break;
    case 7: f.runId = m_runA; f.aspectRanges["saf"] = {0.5, 1.0}; break;
    case 8: f.aspectRanges["saf"] = {0.5, 1.0}; f.aspectRanges["pol"] = {0.5, 1.0}; break;
    case 9: f.aspectRanges["pol"] = {0.2, 0.3}; break;
    case 10: f.promptId = m_prompt; break;
    case 11: f.promptId = m_prompt; f.runId = m_runB; break;
    case 12: f.aspectRanges["nope"] = {0.0, 1.0}; break;
    case 13: f.promptContains = "a%b"; break;   // as a LIKE pattern it would match s1..s3, s5, s7
    }
    QCOMPARE(completions(m_store->samples(f)), expected);
    QCOMPARE(m_store->countSamples(f), static_cast<std::int64_t>(expected.size()));
}

void TestStoreQuery::pagination()
{
    SampleFilter f;
    f.runId = m_runA;
    f.limit = 2;
    f.offset = 1;
    QCOMPARE(completions(m_store->samples(f)), (Names{"s2", "s3"}));
    QCOMPARE(m_store->countSamples(f), 6);   // limit and offset do not apply to the count
    f.limit = -1;
    f.offset = 4;
    QCOMPARE(completions(m_store->samples(f)), (Names{"s5", "s6"}));
}

void TestStoreQuery::labelsAreAppendOnlyAndLatestWins()
{
    const auto history = m_store->labelHistory(id("s1"));
    QCOMPARE(history.size(), 3u);
    QCOMPARE(history[0].aspect, std::string("pol"));
    QCOMPARE(history[0].value, 0.5);
    QCOMPARE(history[0].annotator, std::string("ann1"));
    QCOMPARE(history[0].timeMs, 1000);
    QCOMPARE(history[0].sampleId, id("s1"));
    QCOMPARE(history[1].aspect, std::string("saf"));
    QCOMPARE(history[2].value, 0.85);
    QCOMPARE(history[2].annotator, std::string("ann2"));

    QCOMPARE(m_store->latestLabels(id("s1")), (std::map<std::string, double>{{"pol", 0.85}, {"saf", 0.1}}));
    QCOMPARE(m_store->latestLabels(id("s3")), (std::map<std::string, double>{{"saf", 0.15}}));
    QCOMPARE(m_store->latestLabels(id("s4")), (std::map<std::string, double>{{"pol", 0.2}}));
    QCOMPARE(m_store->latestLabels(id("s6")), (std::map<std::string, double>{{"pol", 0.5}}));
    QVERIFY(m_store->latestLabels(id("s2")).empty());
    // History is ordered by time: s4's later-appended but older label comes first.
    const auto s4 = m_store->labelHistory(id("s4"));
    QCOMPARE(s4[0].value, 0.9);
    QCOMPARE(s4[1].value, 0.2);
}

void TestStoreQuery::labelledFilter()
{
    SampleFilter f;
    f.runId = m_runA;
    f.labelled = true;
    QCOMPARE(completions(m_store->samples(f)), (Names{"s1", "s3", "s4", "s5", "s6"}));
    f.labelled = false;
    QCOMPARE(completions(m_store->samples(f)), (Names{"s2"}));
    f.runId.reset();
    QCOMPARE(completions(m_store->samples(f)), (Names{"s2", "s7"}));
}

void TestStoreQuery::disagreementOrder()
{
    // |predicted - latest label|, the largest over shared aspects:
    //   s1 max(|0.9-0.85|, |0.8-0.1|) = 0.7; s4 |0.6-0.2| = 0.4; s6 |0.7-0.5| = 0.2;
    //   s3 |0.1-0.15| = 0.05 (0.8 if the older label counted); s2 unlabelled and
    //   s5 with no shared aspect come last, by id.
    SampleFilter f;
    f.runId = m_runA;
    f.orderByDisagreement = true;
    QCOMPARE(completions(m_store->samples(f)), (Names{"s1", "s4", "s6", "s3", "s2", "s5"}));
    f.labelled = true;
    f.limit = 2;
    QCOMPARE(completions(m_store->samples(f)), (Names{"s1", "s4"}));
}

void TestStoreQuery::labelAggregates()
{
    const auto labelled = m_store->labelledSamples();
    QCOMPARE(labelled.size(), 5u);
    const std::pair<std::string, std::map<std::string, double>> expected[] = {
        {"s1", {{"pol", 0.85}, {"saf", 0.1}}}, {"s3", {{"saf", 0.15}}}, {"s4", {{"pol", 0.2}}},
        {"s5", {{"saf", 0.0}, {"harm", 1.0}}}, {"s6", {{"pol", 0.5}}},
    };
    for (std::size_t i = 0; i < 5; ++i) {
        QCOMPARE(labelled[i].sampleId, id(expected[i].first));
        QCOMPARE(labelled[i].completion, expected[i].first);
        QCOMPARE(labelled[i].labels, expected[i].second);
    }
    QCOMPARE(labelled[0].prompt, std::string("How to bake bread"));

    QCOMPARE(m_store->labelCount(), 11);
    QCOMPARE(m_store->labelsSince(3000), 5);   // s3@3000, s4@4000 and @3500, s6@5000 twice
    QCOMPARE(m_store->labelsSince(0), 11);
    QCOMPARE(m_store->labelsSince(5001), 0);
    QCOMPARE(m_store->labelCountsPerAspect(),
             (std::map<std::string, std::int64_t>{{"harm", 1}, {"pol", 3}, {"saf", 3}}));
}

void TestStoreQuery::badLabels()
{
    QString msg = messageOf<IoError>([&] { m_store->addLabel({0, 999999, "pol", 0.5, "a", 0}); });
    QVERIFY2(msg.contains("q.awb: cannot add a \"pol\" label to sample 999999: no such sample"), qPrintable(msg));
    msg = messageOf<Error>([&] { m_store->addLabel({0, id("s2"), "", 0.5, "a", 0}); });
    QVERIFY2(msg.contains("aspect is empty"), qPrintable(msg));
    msg = messageOf<Error>([&] { m_store->addLabel({0, id("s2"), "pol", std::nan(""), "a", 0}); });
    QVERIFY2(msg.contains("not a finite number"), qPrintable(msg));
    QCOMPARE(m_store->labelCount(), 11);

    // timeMs 0 stamps the label with the current time. (Last test: it changes the counts.)
    const std::int64_t before = QDateTime::currentMSecsSinceEpoch();
    m_store->addLabel({0, id("s2"), "pol", 0.4, "a", 0});
    const auto history = m_store->labelHistory(id("s2"));
    QCOMPARE(history.size(), 1u);
    QVERIFY(history[0].timeMs >= before && history[0].timeMs <= QDateTime::currentMSecsSinceEpoch());
}

QTEST_GUILESS_MAIN(TestStoreQuery)
#include "tst_store_query.moc"

void TestStoreQuery::uncertaintyOrder()
{
    // Spreads (std across ensemble members) per aspect, by hand:
    //   u1 pol 0.05 saf 0.30; u2 pol 0.20 saf 0.01; u3 pol 0.10 (no saf); u4 none.
    // Over both aspects: u1 (0.30), u2 (0.20), u3 (0.10), then u4. Over pol only:
    // u2, u3, u1, u4. Over saf only: u1, u2, then u3 and u4 by id.
    Store &st = *m_store;
    const std::int64_t run = st.createRun("C", {});
    StepRecord c1{run, 1, {}, {}, "sum", 1, 0, {}};
    c1.samples = {sample("p", "u1", 0, 0, {{"pol", 0.5}, {"saf", 0.5}}), sample("p", "u2", 0, 1, {{"pol", 0.5}, {"saf", 0.5}}),
                  sample("p", "u3", 0, 2, {{"pol", 0.5}}), sample("p", "u4", 0, 3, {{"pol", 0.5}})};
    c1.samples[0].scoreStd = {{"pol", 0.05}, {"saf", 0.30}};
    c1.samples[1].scoreStd = {{"pol", 0.20}, {"saf", 0.01}};
    c1.samples[2].scoreStd = {{"pol", 0.10}};
    c1.samples[0].members = {{"pol", {0.45, 0.55}}, {"saf", {0.2, 0.8}}};
    st.writeStep(c1);
    SampleFilter f;
    f.runId = run;
    f.orderByUncertainty = true;
    QCOMPARE(completions(st.samples(f)), (Names{"u1", "u2", "u3", "u4"}));
    f.uncertaintyAspects = {"pol"};
    QCOMPARE(completions(st.samples(f)), (Names{"u2", "u3", "u1", "u4"}));
    f.uncertaintyAspects = {"saf"};
    const auto bySafety = st.samples(f);
    QCOMPARE(completions(bySafety), (Names{"u1", "u2", "u3", "u4"}));
    QVERIFY(sameMap(bySafety[0].scoreStd, {{"pol", 0.05}, {"saf", 0.30}}));
    QCOMPARE(bySafety[0].members.at("saf"), (std::vector<double>{0.2, 0.8}));
    QVERIFY(bySafety[3].scoreStd.empty() && bySafety[3].members.empty());

    // Labels remember the queue they came from; counted per queue.
    const std::int64_t before = st.labelsSince(0, "uncertainty");
    st.addLabel({0, bySafety[0].id, "saf", 0.9, "ann", 9000}, "uncertainty");
    st.addLabel({0, bySafety[1].id, "saf", 0.9, "ann", 9001});
    st.addLabel({0, bySafety[1].id, "pol", 0.9, "ann", 9002}, "disagreement");
    QCOMPARE(st.labelsSince(0, "uncertainty"), before + 1);
    QCOMPARE(st.labelsSince(9001, "uncertainty"), std::int64_t(0));
    QCOMPARE(st.labelsSince(9000, "disagreement"), std::int64_t(1));
}
