// Scoring throughput of the reward model, printed (not asserted): 64
// completions of about 60 tokens in batches of 16, with a backbone of
// SmolLM2-135M's shape (random weights) and with a ~3M-parameter Llama.
// The assertion is that batching with padding gives the same scores as
// scoring each completion alone. Labelled "slow".
#include "core/reward_fixtures.h"
#include "reward/reward_model.h"
#include "util/runtime.h"

#include <ATen/ATen.h>
#include <QtTest>

#include <chrono>
#include <random>

using namespace awb;
using namespace rewardtest;

class TestRewardThroughput : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void throughput_data();
    void throughput();

private:
    QTemporaryDir m_dir;
    std::string m_tokenizer;
    std::vector<std::string> m_prompts, m_responses;
    int m_threads = 1;
};

void TestRewardThroughput::initTestCase()
{
    m_threads = applyRuntime({}).threads;
    m_tokenizer = writeByteTokenizer(m_dir.path().toStdString(), true);
    // Demo template overhead is 8 tokens; prompt 15..24 bytes + response 30..45 bytes: about 60 tokens.
    std::mt19937_64 rng(1);
    auto text = [&](int n) {
        std::string s;
        for (int i = 0; i < n; ++i)
            s += static_cast<char>('a' + rng() % 26);
        return s;
    };
    for (int i = 0; i < 64; ++i) {
        m_prompts.push_back(text(15 + static_cast<int>(rng() % 10)));
        m_responses.push_back(text(30 + static_cast<int>(rng() % 16)));
    }
}

void TestRewardThroughput::throughput_data()
{
    QTest::addColumn<int>("vocab");
    QTest::addColumn<int>("hidden");
    QTest::addColumn<int>("layers");
    QTest::addColumn<int>("heads");
    QTest::addColumn<int>("kvHeads");
    QTest::addColumn<int>("intermediate");
    QTest::addColumn<bool>("tied");
    QTest::newRow("SmolLM2-135M shape") << 49152 << 576 << 30 << 9 << 3 << 1536 << true;
    QTest::newRow("3M Llama") << 2048 << 192 << 6 << 6 << 2 << 512 << false;
}

void TestRewardThroughput::throughput()
{
    QFETCH(int, vocab);
    QFETCH(int, hidden);
    QFETCH(int, layers);
    QFETCH(int, heads);
    QFETCH(int, kvHeads);
    QFETCH(int, intermediate);
    QFETCH(bool, tied);
    const ModelConfig config = llamaConfig(vocab, hidden, layers, heads, kvHeads, intermediate, 2048, 0.02, tied);
    auto model = RewardModel::create(CausalLM::create(config, 1, {}), Tokenizer::load(m_tokenizer),
                                     AspectSchema::defaults(), 2);
    std::int64_t tokens = 0;
    for (std::size_t i = 0; i < m_prompts.size(); ++i)
        tokens += static_cast<std::int64_t>(model->encode(m_prompts[i], m_responses[i], 512).size());

    model->score({m_prompts[0]}, {m_responses[0]}, 1);   // warm-up (allocator, thread pool)
    const auto start = std::chrono::steady_clock::now();
    const auto scores = model->score(m_prompts, m_responses, 16, 512);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    qDebug("%s: %lld parameters, %d completions (%.1f tokens on average), batch 16, %d threads: %.2f s, "
           "%.1f completions/s, %.0f tokens/s",
           QTest::currentDataTag(), static_cast<long long>(model->backbone().parameterCount()),
           static_cast<int>(scores.size()), static_cast<double>(tokens) / 64.0, m_threads, seconds,
           64.0 / seconds, static_cast<double>(tokens) / seconds);

    QCOMPARE(scores.size(), 64u);
    for (std::size_t i = 0; i < 4; ++i) {
        const auto alone = model->score({m_prompts[i]}, {m_responses[i]}, 1);
        for (std::size_t k = 0; k < 4; ++k)
            QVERIFY2(std::abs(alone[0][k] - scores[i][k]) < 1e-4, ("completion " + std::to_string(i)).c_str());
    }
}

QTEST_GUILESS_MAIN(TestRewardThroughput)
#include "tst_reward_throughput.moc"
