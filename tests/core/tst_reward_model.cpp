// RewardModel: the head's initialisation, forward() against a manual
// computation (backbone hidden state at len-1 times the head), padding
// invariance, text formatting and truncation, save/load round trips (full
// and LoRA backbones) and load's errors on inconsistent folders.
#include "core/reward_fixtures.h"
#include "io/atomic_file.h"
#include "io/json_util.h"
#include "io/safetensors.h"
#include "model/lora.h"
#include "reward/reward_model.h"
#include "util/error.h"

#include <ATen/ATen.h>
#include <QtTest>

#include <filesystem>

using namespace awb;
using namespace rewardtest;
namespace fs = std::filesystem;
using Ids = std::vector<std::int32_t>;

class TestRewardModel : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void headInitialisation();
    void forwardReadsLastRealToken();
    void paddingDoesNotChangeScores();
    void formattingAndTruncation();
    void scoreKeepsInputOrder();
    void saveLoadRoundTrip();
    void saveOverwritesAtomically();
    void loraSaveLoad();
    void loadRejectsMismatchedHead();
    void loadRejectsBrokenFolders();
    void createRejectsBadInput();

private:
    std::unique_ptr<RewardModel> makeModel(std::uint64_t seed, bool chatTemplate = true) const;
    static at::Tensor scoresOf(RewardModel &m, const std::vector<Ids> &seqs);

    QTemporaryDir m_dir;
    std::string m_tokChat;     // tokenizer.json with the Demo chat template
    std::string m_tokPlain;    // without a chat template
    AspectSchema m_aspects;
};

void TestRewardModel::initTestCase()
{
    const std::string root = m_dir.path().toStdString();
    fs::create_directories(root + "/tok_chat");
    fs::create_directories(root + "/tok_plain");
    m_tokChat = writeByteTokenizer(root + "/tok_chat", true);
    m_tokPlain = writeByteTokenizer(root + "/tok_plain", false);
    m_aspects = AspectSchema({{"politeness", 0, 1, ""}, {"safety", 0, 1, ""}, {"stars", 1, 5, "1 to 5"}});
}

std::unique_ptr<RewardModel> TestRewardModel::makeModel(std::uint64_t seed, bool chatTemplate) const
{
    // initializer_range 0.2: hidden states that differ clearly between inputs.
    return RewardModel::create(CausalLM::create(tinyLlama(0.2), seed, {}), Tokenizer::load(chatTemplate ? m_tokChat : m_tokPlain),
                               m_aspects, seed + 100);
}

at::Tensor TestRewardModel::scoresOf(RewardModel &m, const std::vector<Ids> &seqs)
{
    const auto scores = m.scoreIds(seqs, 16);
    at::Tensor out = at::empty({static_cast<std::int64_t>(scores.size()), static_cast<std::int64_t>(m.aspects().size())});
    for (std::size_t i = 0; i < scores.size(); ++i)
        for (std::size_t k = 0; k < scores[i].size(); ++k)
            out[static_cast<std::int64_t>(i)][static_cast<std::int64_t>(k)] = scores[i][k];
    return out;
}

void TestRewardModel::headInitialisation()
{
    const auto m = makeModel(1);
    const NamedTensors head = m->headState();
    QCOMPARE(head[0].first, std::string("score.weight"));
    QCOMPARE(head[1].first, std::string("score.bias"));
    QCOMPARE(head[0].second.sizes(), (at::IntArrayRef{3, 32}));
    // Bias at the range midpoints.
    QVERIFY(at::equal(head[1].second, at::tensor({0.5f, 0.5f, 3.0f})));
    // Weights N(0, (0.02 (max - min) / sqrt(32))^2): row 2 has four times the spread of rows 0 and 1.
    const double s = 0.02 / std::sqrt(32.0);
    const at::Tensor w = head[0].second;
    const double std01 = w.narrow(0, 0, 2).std().item<double>();
    const double std2 = w[2].std().item<double>();
    QVERIFY2(std01 > 0.7 * s && std01 < 1.3 * s, std::to_string(std01).c_str());
    QVERIFY2(std2 > 0.7 * 4 * s && std2 < 1.3 * 4 * s, std::to_string(std2).c_str());
    // Seeded: the same seed gives the same head, another seed another.
    QVERIFY(at::equal(makeModel(1)->headState()[0].second, w));
    QVERIFY(!at::equal(makeModel(2)->headState()[0].second, w));
    for (const at::Tensor &t : m->headParameters())
        QVERIFY(t.requires_grad());
}

void TestRewardModel::forwardReadsLastRealToken()
{
    const auto m = makeModel(3);
    // Right-padded with arbitrary ids: padding content must not matter.
    const at::Tensor ids = at::tensor({5, 99, 17, 200, 42, 7, 8, 1, 2, 3, 250, 251, 252, 253, 254}, at::kLong).view({3, 5});
    const at::Tensor lengths = at::tensor({5, 3, 1}, at::kLong);
    const at::Tensor scores = m->forward(ids, lengths);
    QCOMPARE(scores.sizes(), (at::IntArrayRef{3, 3}));

    const at::Tensor w = m->headState()[0].second, b = m->headState()[1].second;
    for (std::int64_t i = 0; i < 3; ++i) {
        const std::int64_t len = lengths[i].item<std::int64_t>();
        const at::Tensor alone = ids[i].narrow(0, 0, len).unsqueeze(0);
        const at::Tensor hidden = m->backbone().forward(alone, at::arange(len, at::kLong).unsqueeze(0));
        const at::Tensor h = hidden[0][len - 1].to(at::kDouble);
        const at::Tensor manual = at::mv(w.to(at::kDouble), h) + b.to(at::kDouble);
        QVERIFY2(at::allclose(scores[i].to(at::kDouble), manual, 1e-5, 1e-6),
                 ("row " + std::to_string(i)).c_str());
    }
    // The scores actually depend on the input (not just the bias).
    QVERIFY(!at::allclose(scores[0], scores[1], 1e-4, 1e-4));
    // Gradients flow to the head.
    scores.sum().backward();
    QVERIFY(m->headParameters()[0].grad().defined());
    QVERIFY(at::allclose(m->headParameters()[1].grad(), at::full({3}, 3.0f)));
}

void TestRewardModel::paddingDoesNotChangeScores()
{
    const auto m = makeModel(4);
    const Ids shortSeq = {10, 20, 30};
    const Ids longSeq = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    const at::Tensor alone = scoresOf(*m, {shortSeq});
    const at::Tensor together = scoresOf(*m, {longSeq, shortSeq});
    QVERIFY(at::allclose(alone[0], together[1], 1e-5, 1e-6));
    // And through forward() with different padding ids and widths.
    const at::Tensor a = m->forward(at::tensor({10, 20, 30, 0, 0}, at::kLong).view({1, 5}), at::tensor({3}, at::kLong));
    const at::Tensor c = m->forward(at::tensor({10, 20, 30, 259, 7, 7, 7, 7}, at::kLong).view({1, 8}), at::tensor({3}, at::kLong));
    QVERIFY(at::allclose(a, alone, 1e-5, 1e-6));
    QVERIFY(at::allclose(c, alone, 1e-5, 1e-6));
}

void TestRewardModel::formattingAndTruncation()
{
    const auto chat = makeModel(5, true);
    QCOMPARE(chat->formatPair("Hi", "Yo"), std::string("<|user|>\nHi<|end|>\n<|assistant|>\nYo<|end|>\n"));
    const Ids expected = {kUser, '\n', 'H', 'i', kEnd, '\n', kAssistant, '\n', 'Y', 'o', kEnd, '\n'};
    QCOMPARE(chat->encode("Hi", "Yo", 512), expected);
    // Left truncation keeps the end of the response.
    QCOMPARE(chat->encode("Hi", "Yo", 5), Ids(expected.end() - 5, expected.end()));
    // max_position_embeddings (128) caps maxLength.
    QCOMPARE(chat->encode(std::string(300, 'x'), "y", 100000).size(), 128u);

    const auto plain = makeModel(5, false);
    QCOMPARE(plain->formatPair("Hi", "Yo"), std::string("Hi\nYo"));
    QCOMPARE(plain->encode("Hi", "Yo", 512), (Ids{'H', 'i', '\n', 'Y', 'o'}));

    // score() is forward() on encode()'s ids.
    const auto texts = chat->score({"Hi"}, {"Yo"}, 4, 512);
    const at::Tensor viaIds = chat->forward(at::tensor(std::vector<std::int64_t>(expected.begin(), expected.end())).view({1, -1}),
                                            at::tensor({static_cast<std::int64_t>(expected.size())}));
    for (int k = 0; k < 3; ++k)
        QVERIFY(std::abs(texts[0][k] - viaIds[0][k].item<float>()) < 1e-6);
    QVERIFY(errorOf([&] { chat->score({"a", "b"}, {"c"}); }).find("2 prompts but 1 responses") != std::string::npos);
}

void TestRewardModel::scoreKeepsInputOrder()
{
    const auto m = makeModel(6);
    const std::vector<std::string> prompts = {"a", "longer prompt here", "b", "mid size", "zz"};
    const std::vector<std::string> responses = {"x", "y", "a much longer response than the rest", "", "q"};
    const auto batched = m->score(prompts, responses, 2, 64);
    QCOMPARE(batched.size(), 5u);
    for (std::size_t i = 0; i < prompts.size(); ++i) {
        const auto single = m->score({prompts[i]}, {responses[i]}, 1, 64);
        for (std::size_t k = 0; k < 3; ++k)
            QVERIFY2(std::abs(single[0][k] - batched[i][k]) < 1e-5, ("pair " + std::to_string(i)).c_str());
    }
    QVERIFY(m->score({}, {}).empty());
}

void TestRewardModel::saveLoadRoundTrip()
{
    auto m = makeModel(7);
    RewardModelInfo info;
    info.backboneKind = "full";
    info.trainingOptions = {{"epochs", 3}};
    info.labelCount = 42;
    info.metrics = {{10, 0.1, 0.9, 0.8}, {0, std::nan(""), std::nan(""), std::nan("")}, {5, 0.5, -0.25, 1.0}};
    m->setInfo(info);
    const std::string dir = m_dir.path().toStdString() + "/rm_full";
    m->save(dir);
    for (const char *f : {"config.json", "model.safetensors", "head.safetensors", "aspects.json", "tokenizer.json",
                          "tokenizer_config.json", "reward_model.json"})
        QVERIFY2(fs::exists(dir + "/" + f), f);
    QVERIFY(!fs::exists(dir + ".tmp"));

    const auto meta = readJsonFile(dir + "/reward_model.json");
    QCOMPARE(meta["backbone"]["kind"].get<std::string>(), std::string("full"));
    QCOMPARE(meta["backbone"]["hidden_size"].get<int>(), 32);
    QCOMPARE(meta["label_count"].get<int>(), 42);
    QVERIFY(meta["metrics"]["safety"]["rmse"].is_null());
    QVERIFY(!meta["created"].get<std::string>().empty());

    const auto loaded = RewardModel::load(dir);
    QVERIFY(loaded->aspects() == m_aspects);
    QCOMPARE(loaded->info().labelCount, 42);
    QCOMPARE(loaded->info().trainingOptions["epochs"].get<int>(), 3);
    QCOMPARE(loaded->info().metrics.size(), 3u);
    QCOMPARE(loaded->info().metrics[2].pearson, -0.25);
    QVERIFY(std::isnan(loaded->info().metrics[1].rmse));
    QCOMPARE(loaded->tokenizer().chatTemplate().kind(), ChatTemplateKind::Demo);
    // The folder is self-contained: its tokenizer encodes as the original.
    QCOMPARE(Tokenizer::load(dir).encode("<|user|>x"), (Ids{kUser, 'x'}));

    const std::vector<std::string> prompts = {"hello", "how are you", "q"};
    const std::vector<std::string> responses = {"fine", "ok thanks", "a longer answer"};
    const auto before = m->score(prompts, responses);
    const auto after = loaded->score(prompts, responses);
    QCOMPARE(after, before);
}

void TestRewardModel::saveOverwritesAtomically()
{
    const std::string dir = m_dir.path().toStdString() + "/rm_over";
    makeModel(8)->save(dir);
    fs::create_directories(dir + ".tmp");   // a stale leftover of a crashed save
    const auto second = makeModel(9);
    second->save(dir);
    QVERIFY(!fs::exists(dir + ".tmp"));
    QVERIFY(!fs::exists(dir + ".old"));
    const auto loaded = RewardModel::load(dir);
    QVERIFY(at::equal(loaded->headState()[0].second, second->headState()[0].second));
}

void TestRewardModel::loraSaveLoad()
{
    auto m = makeModel(10);
    LoraOptions lo;
    lo.r = 2;
    lo.dropout = 0;
    m->backbone().addLora(lo, 11);
    {
        // Non-zero B, so the adapters change the scores.
        at::NoGradGuard g;
        for (auto &[name, t] : m->backbone().loraStateDict())
            if (name.find("lora_B") != std::string::npos)
                t.normal_(0, 0.5);
    }
    const std::vector<std::string> prompts = {"abc", "de"};
    const std::vector<std::string> responses = {"fgh", "i"};
    const auto withLora = m->score(prompts, responses);
    m->backbone().setAdaptersEnabled(false);
    QVERIFY(m->score(prompts, responses) != withLora);
    m->backbone().setAdaptersEnabled(true);

    // No base folder known: the base goes into "base".
    const std::string dir = m_dir.path().toStdString() + "/rm_lora";
    m->save(dir);
    QVERIFY(fs::exists(dir + "/adapter_model.safetensors"));
    QVERIFY(fs::exists(dir + "/base/model.safetensors"));
    QVERIFY(!fs::exists(dir + "/model.safetensors"));
    const auto meta = readJsonFile(dir + "/reward_model.json");
    QCOMPARE(meta["backbone"]["kind"].get<std::string>(), std::string("lora"));
    QCOMPARE(meta["backbone"]["base_model"].get<std::string>(), std::string("base"));
    const auto loaded = RewardModel::load(dir);
    QVERIFY(loaded->backbone().hasLora());
    QCOMPARE(loaded->score(prompts, responses), withLora);
    // Saving the loaded model over its own folder keeps a usable base.
    loaded->save(dir);
    QCOMPARE(RewardModel::load(dir)->score(prompts, responses), withLora);

    // With an existing base folder, that folder is referenced, not copied.
    const std::string baseDir = m_dir.path().toStdString() + "/lora_base";
    m->backbone().save(baseDir, 0, false);
    const std::string dir2 = m_dir.path().toStdString() + "/rm_lora2";
    LoraOptions lo2 = lo;
    lo2.baseModelPath = baseDir;
    auto lm = CausalLM::load(baseDir);
    lm->addLora(lo2, 12);
    auto m3 = RewardModel::create(std::move(lm), Tokenizer::load(m_tokChat), m_aspects, 13);
    m3->save(dir2);
    QVERIFY(!fs::exists(dir2 + "/base"));
    QCOMPARE(readJsonFile(dir2 + "/reward_model.json")["backbone"]["base_model"].get<std::string>(),
             fs::absolute(baseDir).lexically_normal().string());
    QCOMPARE(RewardModel::load(dir2)->score(prompts, responses), m3->score(prompts, responses));
}

void TestRewardModel::loadRejectsMismatchedHead()
{
    const auto m = makeModel(14);
    const std::string dir = m_dir.path().toStdString() + "/rm_head";
    m->save(dir);
    const std::string head = dir + "/head.safetensors";

    saveSafetensors(head, {{"score.weight", at::zeros({4, 32})}, {"score.bias", at::zeros({4})}});
    std::string e = errorOf([&] { RewardModel::load(dir); });
    QVERIFY2(e.find(head) == 0 && e.find("[4, 32]") != std::string::npos && e.find("aspects.json lists 3 aspects") != std::string::npos,
             e.c_str());

    saveSafetensors(head, {{"score.weight", at::zeros({3, 31})}, {"score.bias", at::zeros({3})}});
    e = errorOf([&] { RewardModel::load(dir); });
    QVERIFY2(e.find(head) == 0 && e.find("hidden size is 32") != std::string::npos, e.c_str());

    saveSafetensors(head, {{"score.weight", at::zeros({3, 32})}, {"score.bias", at::zeros({2})}});
    e = errorOf([&] { RewardModel::load(dir); });
    QVERIFY2(e.find(head) == 0 && e.find("score.bias") != std::string::npos, e.c_str());

    saveSafetensors(head, {{"score.weight", at::zeros({3, 32})}});
    e = errorOf([&] { RewardModel::load(dir); });
    QVERIFY2(e.find(head) == 0 && e.find("\"score.bias\" is missing") != std::string::npos, e.c_str());

    saveSafetensors(head, {{"score.weight", at::zeros({3, 32})}, {"score.bias", at::zeros({3})}, {"extra", at::zeros({1})}});
    e = errorOf([&] { RewardModel::load(dir); });
    QVERIFY2(e.find(head) == 0 && e.find("unexpected tensor \"extra\"") != std::string::npos, e.c_str());
}

void TestRewardModel::loadRejectsBrokenFolders()
{
    const auto m = makeModel(15);
    const std::string dir = m_dir.path().toStdString() + "/rm_broken";
    m->save(dir);
    writeText(dir + "/aspects.json", R"({"aspects": [{"name": "a", "min": 2, "max": 1}]})");
    std::string e = errorOf([&] { RewardModel::load(dir); });
    QVERIFY2(e.find(dir + "/aspects.json: aspects[0]") == 0, e.c_str());

    m->save(dir);
    auto meta = readJsonFile(dir + "/reward_model.json");
    meta["backbone"]["kind"] = "partial";
    writeText(dir + "/reward_model.json", meta.dump());
    e = errorOf([&] { RewardModel::load(dir); });
    QVERIFY2(e.find(dir + "/reward_model.json: field \"backbone.kind\"") == 0, e.c_str());

    m->save(dir);
    fs::remove(dir + "/head.safetensors");
    e = errorOf([&] { RewardModel::load(dir); });
    QVERIFY2(e.find("head.safetensors") != std::string::npos, e.c_str());

    e = errorOf([&] { RewardModel::load(m_dir.path().toStdString() + "/nowhere"); });
    QVERIFY2(e.find("reward_model.json") != std::string::npos, e.c_str());
}

void TestRewardModel::createRejectsBadInput()
{
    std::string e = errorOf([&] { RewardModel::create(CausalLM::create(tinyLlama(), 1, {}), Tokenizer::load(m_tokChat), AspectSchema(), 1); });
    QVERIFY2(e.find("no aspects") != std::string::npos, e.c_str());
    // A vocabulary smaller than the tokenizer's 260 tokens.
    e = errorOf([&] {
        RewardModel::create(CausalLM::create(llamaConfig(200, 32, 1, 4, 2, 64), 1, {}), Tokenizer::load(m_tokChat), m_aspects, 1);
    });
    QVERIFY2(e.find("has 260 tokens") != std::string::npos, e.c_str());
    const auto m = makeModel(16);
    e = errorOf([&] { m->forward(at::zeros({2, 4}, at::kLong), at::tensor({4, 5}, at::kLong)); });
    QVERIFY2(e.find("lengths must lie in [1, 4]") != std::string::npos, e.c_str());
    e = errorOf([&] { m->forward(at::zeros({2, 4}, at::kLong), at::tensor({4}, at::kLong)); });
    QVERIFY2(e.find("lengths must be [2]") != std::string::npos, e.c_str());
    // A tokenizer not read from a file cannot be copied into a saved folder.
    const auto inMemory = RewardModel::create(CausalLM::create(tinyLlama(), 1, {}),
                                              Tokenizer::fromJsonText(readWholeFile(m_tokChat), "", "in memory"), m_aspects, 1);
    e = errorOf([&] { inMemory->save(m_dir.path().toStdString() + "/rm_mem"); });
    QVERIFY2(e.find("(in memory) was not loaded from a tokenizer.json file") != std::string::npos, e.c_str());
}

QTEST_GUILESS_MAIN(TestRewardModel)
#include "tst_reward_model.moc"
