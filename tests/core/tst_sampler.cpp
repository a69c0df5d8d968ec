// Batched sampling: greedy decoding and its log-probabilities against the naive
// reference recomputed from scratch at every step, groups of G samples per
// prompt, seeds, top-k/top-p, EOS and stop strings.
#include "core/reference_lm.h"
#include "core/reward_fixtures.h"
#include "model/kernels.h"
#include "model/sampler.h"
#include "train/grpo_batch.h"
#include "util/error.h"

#include <ATen/ATen.h>
#include <QtTest>

using namespace awb;

namespace {

// Greedy continuation by full recomputation with the reference, and the
// log-probabilities (temperature 1) of the chosen tokens.
std::pair<std::vector<std::int32_t>, std::vector<double>> referenceGreedy(const reference::RefModel &ref,
                                                                          std::vector<std::int64_t> ids, int n)
{
    std::vector<std::int32_t> out;
    std::vector<double> lps;
    for (int i = 0; i < n; ++i) {
        const at::Tensor last = reference::logits(ref, ids)[static_cast<std::int64_t>(ids.size()) - 1].to(at::kDouble);
        const auto token = last.argmax().item<std::int64_t>();
        lps.push_back(at::log_softmax(last, 0)[token].item<double>());
        out.push_back(static_cast<std::int32_t>(token));
        ids.push_back(token);
    }
    return {out, lps};
}

std::vector<std::int64_t> widen(const std::vector<std::int32_t> &v) { return {v.begin(), v.end()}; }

} // namespace

class TestSampler : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void greedyMatchesReference();
    void groupsShareTheirPrompt();
    void seedsReproduce();
    void topKOneAndTinyTopPAreGreedy();
    void temperatureScalesLogprobs();
    void eosAndStopStrings();
    void badRequests();
    void paddingRowsAreNeverSampled();
    void promptsDoNotDependOnTheirBatch_data();
    void promptsDoNotDependOnTheirBatch();

private:
    QTemporaryDir m_dir;
    reference::RefModel m_ref;
    std::unique_ptr<CausalLM> m_model;
    const std::vector<std::int32_t> m_p1 = {5, 9, 33, 71, 2};
    const std::vector<std::int32_t> m_p2 = {88, 14};
};

void TestSampler::initTestCase()
{
    m_ref = reference::randomModel(reference::tinyConfig(Architecture::Llama), 17);
    reference::saveModelFolder(m_ref, m_dir.path().toStdString());
    m_model = CausalLM::load(m_dir.path().toStdString());
}

void TestSampler::greedyMatchesReference()
{
    SamplingOptions o;
    o.greedy = true;
    o.maxNewTokens = 10;
    const GenerationResult r = generate(*m_model, {m_p1, m_p2}, o);
    QCOMPARE(r.sequences.size(), 2u);
    const std::vector<std::int32_t> *prompts[] = {&m_p1, &m_p2};
    for (int i = 0; i < 2; ++i) {
        const auto [tokens, lps] = referenceGreedy(m_ref, widen(*prompts[i]), 10);
        QCOMPARE(r.sequences[i].tokens, tokens);
        QCOMPARE(r.sequences[i].finish, FinishReason::Length);
        for (int t = 0; t < 10; ++t)
            QVERIFY(std::abs(r.sequences[i].logprobs[t] - lps[t]) < 1e-4);
    }
    QCOMPARE(r.generatedTokens, 20);
    QCOMPARE(r.promptTokens, 7);
}

void TestSampler::groupsShareTheirPrompt()
{
    SamplingOptions o;
    o.greedy = true;
    o.maxNewTokens = 6;
    o.numSamples = 3;
    const GenerationResult r = generate(*m_model, {m_p1, m_p2}, o);
    QCOMPARE(r.sequences.size(), 6u);
    const auto [t1, l1] = referenceGreedy(m_ref, widen(m_p1), 6);
    const auto [t2, l2] = referenceGreedy(m_ref, widen(m_p2), 6);
    for (int s = 0; s < 3; ++s) {
        QCOMPARE(r.sequences[s].promptIndex, 0);
        QCOMPARE(r.sequences[s].tokens, t1);
        QCOMPARE(r.sequences[3 + s].promptIndex, 1);
        QCOMPARE(r.sequences[3 + s].tokens, t2);
    }
    // Prefilled once: the real prompt tokens are counted once, not G times.
    QCOMPARE(r.promptTokens, 7);
}

void TestSampler::seedsReproduce()
{
    SamplingOptions o;
    o.maxNewTokens = 12;
    o.numSamples = 4;
    o.seed = 123;
    const GenerationResult a = generate(*m_model, {m_p1, m_p2}, o);
    const GenerationResult b = generate(*m_model, {m_p1, m_p2}, o);
    o.seed = 124;
    const GenerationResult c = generate(*m_model, {m_p1, m_p2}, o);
    bool anyDifferent = false, samplesDiffer = false;
    for (std::size_t i = 0; i < a.sequences.size(); ++i) {
        QCOMPARE(a.sequences[i].tokens, b.sequences[i].tokens);
        QCOMPARE(a.sequences[i].logprobs, b.sequences[i].logprobs);
        anyDifferent = anyDifferent || a.sequences[i].tokens != c.sequences[i].tokens;
    }
    for (std::size_t i = 1; i < 4; ++i)
        samplesDiffer = samplesDiffer || a.sequences[0].tokens != a.sequences[i].tokens;
    QVERIFY(anyDifferent);    // another seed, other samples
    QVERIFY(samplesDiffer);   // the G samples of a group are not copies
}

void TestSampler::topKOneAndTinyTopPAreGreedy()
{
    const auto [greedy, lps] = referenceGreedy(m_ref, widen(m_p1), 8);
    SamplingOptions o;
    o.maxNewTokens = 8;
    o.seed = 5;
    o.topK = 1;
    QCOMPARE(generate(*m_model, {m_p1}, o).sequences[0].tokens, greedy);
    o.topK = 0;
    o.topP = 1e-6;
    QCOMPARE(generate(*m_model, {m_p1}, o).sequences[0].tokens, greedy);
}

void TestSampler::temperatureScalesLogprobs()
{
    SamplingOptions o;
    o.maxNewTokens = 5;
    o.temperature = 0.5;
    o.seed = 9;
    const GenerationResult r = generate(*m_model, {m_p2}, o);
    std::vector<std::int64_t> ids = widen(m_p2);
    for (std::size_t t = 0; t < 5; ++t) {
        const at::Tensor last = reference::logits(m_ref, ids)[static_cast<std::int64_t>(ids.size()) - 1].to(at::kDouble);
        const std::int64_t token = r.sequences[0].tokens[t];
        const double expected = at::log_softmax(last / 0.5, 0)[token].item<double>();
        QVERIFY2(std::abs(r.sequences[0].logprobs[t] - expected) < 1e-4, qPrintable(QString::number(t)));
        ids.push_back(token);
    }
}

void TestSampler::eosAndStopStrings()
{
    const auto [greedy, lps] = referenceGreedy(m_ref, widen(m_p1), 6);
    SamplingOptions o;
    o.greedy = true;
    o.maxNewTokens = 6;
    o.eosTokenIds = {greedy[2]};
    GenerationResult r = generate(*m_model, {m_p1, m_p2}, o);
    QCOMPARE(r.sequences[0].tokens, std::vector<std::int32_t>(greedy.begin(), greedy.begin() + 3));
    QCOMPARE(r.sequences[0].finish, FinishReason::Eos);

    // A decoder that spells token i as "<i>"; stop at the text of the second token.
    const TokenDecoder decoder = [](const std::vector<std::int32_t> &ids) {
        std::string s;
        for (auto id : ids)
            s += "<" + std::to_string(id) + ">";
        return s;
    };
    o.eosTokenIds.clear();
    o.stopStrings = {"<" + std::to_string(greedy[1]) + ">"};
    r = generate(*m_model, {m_p1}, o, decoder);
    QVERIFY(r.sequences[0].tokens.size() <= 2u);
    QCOMPARE(r.sequences[0].finish, FinishReason::Stop);
}

void TestSampler::badRequests()
{
    SamplingOptions o;
    QVERIFY_THROWS_EXCEPTION(Error, generate(*m_model, {}, o));
    QVERIFY_THROWS_EXCEPTION(Error, generate(*m_model, {{}}, o));
    const std::vector<std::int32_t> tooLong(static_cast<std::size_t>(m_ref.config.maxPositionEmbeddings), 1);
    try {
        generate(*m_model, {tooLong}, o);
        QFAIL("accepted a prompt longer than the context");
    } catch (const Error &e) {
        QVERIFY2(QString(e.what()).contains("the model's context is 64"), e.what());
    }
    QVERIFY_THROWS_EXCEPTION(Error, generate(*m_model, {{1, 500}}, o));   // id outside the vocabulary
    o.stopStrings = {"x"};
    QVERIFY_THROWS_EXCEPTION(Error, generate(*m_model, {{1}}, o));      // stop strings without a decoder
    // Cancellation between steps.
    SamplingOptions c;
    c.maxNewTokens = 20;
    int calls = 0;
    const GenerationResult r = generate(*m_model, {m_p1}, c, {}, [&] { return ++calls > 3; });
    QCOMPARE(r.sequences[0].finish, FinishReason::Cancelled);
    QCOMPARE(r.sequences[0].tokens.size(), 3u);
}

// A folder whose embedding has more rows than its tokenizer has ids (as Qwen2.5's
// 151,936 against 151,665): the padding rows are made to dominate every
// distribution, the token rows to tie. Limited to the tokenizer, sampling must
// draw only token ids, each with log-probability -log(260) exactly (a uniform
// distribution over the 260 ids the byte tokenizer knows).
void TestSampler::paddingRowsAreNeverSampled()
{
    const std::string tokPath = rewardtest::writeByteTokenizer(m_dir.path().toStdString(), false);
    const Tokenizer tok = Tokenizer::load(tokPath);
    QCOMPARE(tok.vocabSize(), 260);
    auto model = CausalLM::create(rewardtest::tinyLlama(), 3, {});   // 264 rows
    {
        at::NoGradGuard g;
        at::Tensor head;
        for (auto &[name, t] : model->stateDict())
            if (name == "lm_head.weight")
                head = t;
        head.zero_();
        head.narrow(0, 260, 4).normal_(0, 50);
    }
    SamplingOptions o;
    o.maxNewTokens = 12;
    o.numSamples = 4;
    o.seed = 5;
    const GenerationResult unlimited = generate(*model, {m_p1}, o);
    std::int64_t padding = 0;
    for (const auto &seq : unlimited.sequences)
        for (auto t : seq.tokens)
            padding += t >= 260 ? 1 : 0;
    QVERIFY2(padding > 24, "the padding rows should dominate without the limit");

    limitToTokenizer(*model, tok, "test folder");
    QCOMPARE(model->outputVocab(), 260);
    const GenerationResult limited = generate(*model, {m_p1}, o);
    for (const auto &seq : limited.sequences) {
        QCOMPARE(seq.tokens.size(), 12u);
        for (std::size_t i = 0; i < seq.tokens.size(); ++i) {
            QVERIFY(seq.tokens[i] < 260);
            QVERIFY(std::abs(seq.logprobs[i] + std::log(260.0)) < 1e-4);
        }
        QVERIFY_THROWS_NO_EXCEPTION(tok.decode(seq.tokens, true));
    }
    // A tokenizer larger than the embedding is refused, naming the folder.
    auto small = CausalLM::create(rewardtest::llamaConfig(200, 32, 1, 4, 2, 64), 3, {});
    const std::string err = rewardtest::errorOf([&] { limitToTokenizer(*small, tok, "my-folder"); });
    QVERIFY2(err.find("my-folder") != std::string::npos && err.find("260") != std::string::npos, err.c_str());
}

// A prompt's samples (tokens and log-probabilities, bit for bit) are the same
// alone and in a batch of longer and shorter prompts, on every instruction set
// of the kernels: data-parallel ranks generate a step's groups in other batches.
void TestSampler::promptsDoNotDependOnTheirBatch_data()
{
    QTest::addColumn<int>("isa");
    for (kernels::Isa isa : {kernels::Isa::Scalar, kernels::Isa::Avx2, kernels::Isa::Avx512})
        if (kernels::isaSupported(isa))
            QTest::newRow(kernels::isaName(isa)) << static_cast<int>(isa);
}

void TestSampler::promptsDoNotDependOnTheirBatch()
{
    QFETCH(int, isa);
    const kernels::Isa before = kernels::isa();
    kernels::setIsa(static_cast<kernels::Isa>(isa));
    SamplingOptions o;
    o.maxNewTokens = 12;
    o.numSamples = 3;
    const std::vector<std::int32_t> longer = {7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19};
    // The batch draws from per-prompt streams: prompt p2's seed is the same in both calls.
    o.promptSeeds = {41, 42, 43};
    const GenerationResult batch = generate(*m_model, {longer, m_p2, m_p1}, o);
    o.promptSeeds = {42};
    const GenerationResult alone = generate(*m_model, {m_p2}, o);
    kernels::setIsa(before);
    for (int s = 0; s < 3; ++s) {
        QCOMPARE(batch.sequences[3 + s].tokens, alone.sequences[s].tokens);
        QCOMPARE(batch.sequences[3 + s].logprobs, alone.sequences[s].logprobs);
    }
}

QTEST_GUILESS_MAIN(TestSampler)
#include "tst_sampler.moc"
