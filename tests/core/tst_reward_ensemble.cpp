// Reward-model ensembles (M heads on one backbone): bootstrap resamples
// against a hand-run generator, mean and std against each member scored on
// its own as a one-head model, members that differ after training, the
// folder format (score.* is the members' mean, old folders load unchanged),
// export/import round trips and the refusals with their messages.
#include "core/reward_fixtures.h"
#include "io/json_util.h"
#include "io/safetensors.h"
#include "model/lora.h"
#include "reward/reward_exchange.h"
#include "reward/reward_model.h"
#include "reward/reward_trainer.h"
#include "store/store.h"
#include "util/error.h"

#include <ATen/ATen.h>
#include <QtTest>

#include <cmath>
#include <filesystem>
#include <random>

using namespace awb;
using namespace rewardtest;
namespace fs = std::filesystem;

class TestRewardEnsemble : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void bootstrapIsDeterministicForTheSeed();
    void meanAndStdEqualEachMemberAlone();
    void membersDifferAfterTraining();
    void oneHeadTrainsAsBefore();
    void saveLoadKeepsMembers();
    void oldFolderLoadsUnchanged();
    void resizing();
    void exportImportRoundTrip();
    void importWithOtherAspectsRefused();
    void badInput();

private:
    std::unique_ptr<RewardModel> makeModel(std::int64_t members, std::uint64_t seed = 5) const;
    std::vector<RewardExample> examples(std::size_t n) const;

    QTemporaryDir m_dir;
    fs::path m_root;
    std::string m_tok;
    AspectSchema m_aspects;
    const std::vector<std::string> m_prompts = {"How do I fix a flat tyre?", "Hi", "Tell me a joke", "Bye now"};
    const std::vector<std::string> m_responses = {"Patch it, kindly.", "Go away.", "Why did the chicken...", "Take care!"};
};

void TestRewardEnsemble::initTestCase()
{
    m_root = fs::path(m_dir.path().toStdString());
    fs::create_directories(m_root / "tok");
    m_tok = writeByteTokenizer((m_root / "tok").string(), true);
    m_aspects = AspectSchema({{"politeness", 0, 1, ""}, {"stars", 1, 5, "1 to 5"}});
}

std::unique_ptr<RewardModel> TestRewardEnsemble::makeModel(std::int64_t members, std::uint64_t seed) const
{
    // initializer_range 0.2: hidden states that differ clearly between inputs.
    return RewardModel::create(CausalLM::create(tinyLlama(0.2), seed, {}), Tokenizer::load(m_tok), m_aspects, seed + 100,
                               members);
}

std::vector<RewardExample> TestRewardEnsemble::examples(std::size_t n) const
{
    std::vector<RewardExample> out;
    for (std::size_t i = 0; i < n; ++i) {
        const double x = static_cast<double>(i % 7) / 6.0;
        out.push_back({"prompt " + std::to_string(i % 5), std::string(1 + i % 9, 'a' + static_cast<char>(i % 3)),
                       {x, 1.0 + 4.0 * (1.0 - x)}});
    }
    return out;
}

void TestRewardEnsemble::bootstrapIsDeterministicForTheSeed()
{
    const auto a = bootstrapCounts(50, 4, 11);
    QCOMPARE(a, bootstrapCounts(50, 4, 11));
    QVERIFY(a != bootstrapCounts(50, 4, 12));
    // By hand: member m draws rng() % n, n times, from mt19937_64(ensembleMemberSeed(seed, m + 1)).
    for (std::int64_t m = 0; m < 4; ++m) {
        std::mt19937_64 rng(ensembleMemberSeed(11, m + 1));
        std::vector<std::int64_t> expected(50, 0);
        for (int d = 0; d < 50; ++d)
            ++expected[rng() % 50];
        QCOMPARE(a[static_cast<std::size_t>(m)], expected);
        std::int64_t total = 0, missing = 0;
        for (auto c : expected) {
            total += c;
            missing += c == 0 ? 1 : 0;
        }
        QCOMPARE(total, std::int64_t(50));
        QVERIFY(missing > 5 && missing < 30);   // a bootstrap leaves out about 1/e of the items
    }
    QVERIFY(a[0] != a[1]);
    // Member 0 keeps the model's own seed; the others get their own.
    QCOMPARE(ensembleMemberSeed(7, 0), std::uint64_t(7));
    QVERIFY(ensembleMemberSeed(7, 1) != ensembleMemberSeed(7, 2));
}

void TestRewardEnsemble::meanAndStdEqualEachMemberAlone()
{
    auto ensemble = makeModel(3);
    QCOMPARE(ensemble->ensembleSize(), std::int64_t(3));
    const EnsembleScores got = ensemble->scoreDetailed(m_prompts, m_responses, 3, 64);
    const at::Tensor w = ensemble->headParameters()[0].detach(), b = ensemble->headParameters()[1].detach();
    QCOMPARE(w.sizes(), (at::IntArrayRef{3, 2, 32}));
    std::vector<std::vector<std::vector<float>>> alone;   // [member][text][aspect]
    for (std::int64_t m = 0; m < 3; ++m) {
        auto single = makeModel(1);   // the same backbone (same seed), one head
        single->setHeadState(w[m], b[m]);
        alone.push_back(single->score(m_prompts, m_responses, 1, 64));
    }
    for (std::size_t i = 0; i < m_prompts.size(); ++i)
        for (std::size_t k = 0; k < 2; ++k) {
            double sum = 0;
            for (std::size_t m = 0; m < 3; ++m)
                sum += alone[m][i][k];
            const double mean = sum / 3.0;
            double sq = 0;
            for (std::size_t m = 0; m < 3; ++m)
                sq += (alone[m][i][k] - mean) * (alone[m][i][k] - mean);
            const double sd = std::sqrt(sq / 2.0);   // the sample std, M - 1 = 2
            const std::string where = std::to_string(i) + "/" + std::to_string(k);
            QVERIFY2(std::abs(got.mean[i][k] - mean) < 1e-5, where.c_str());
            QVERIFY2(std::abs(got.std[i][k] - sd) < 1e-5, where.c_str());
            for (std::size_t m = 0; m < 3; ++m)
                QVERIFY2(std::abs(got.members[i][k][m] - alone[m][i][k]) < 1e-5, where.c_str());
        }
    // score() is the mean, and a fresh ensemble's members already differ.
    const auto plain = ensemble->score(m_prompts, m_responses, 4, 64);
    QVERIFY(std::abs(plain[0][0] - got.mean[0][0]) < 1e-6);
    QVERIFY(got.std[0][0] > 0 && got.std[1][1] > 0);
    // One head: std 0 and one member.
    auto single = makeModel(1);
    const EnsembleScores one = single->scoreDetailed(m_prompts, m_responses, 4, 64);
    QCOMPARE(one.std[2], (std::vector<float>{0.0f, 0.0f}));
    QCOMPARE(one.members[2][1].size(), std::size_t(1));
    QCOMPARE(one.members[2][1][0], one.mean[2][1]);
}

void TestRewardEnsemble::membersDifferAfterTraining()
{
    // Three identical members (spread 0): only their bootstrap resamples can set them apart.
    auto model = makeModel(1);
    model->setEnsembleSize(3, 9, 0.0);
    const at::Tensor before = model->headParameters()[0].detach().clone();
    QVERIFY(at::equal(before[0], before[1]) && at::equal(before[1], before[2]));
    RewardTrainOptions o;
    o.backboneMode = "frozen";
    o.epochs = 4;
    o.batchSize = 8;
    o.headLearningRate = 1e-2;
    o.validationFraction = 0.0;
    o.seed = 3;
    trainRewardModel(*model, examples(40), o);
    const at::Tensor after = model->headParameters()[0].detach();
    for (int i = 0; i < 3; ++i)
        for (int j = i + 1; j < 3; ++j) {
            const double diff = (after[i] - after[j]).abs().max().item<double>();
            QVERIFY2(diff > 1e-3, (std::to_string(i) + " vs " + std::to_string(j) + ": " + std::to_string(diff)).c_str());
        }
    const EnsembleScores s = model->scoreDetailed(m_prompts, m_responses, 4, 64);
    for (std::size_t i = 0; i < s.std.size(); ++i)
        QVERIFY(s.std[i][0] > 0 && s.std[i][1] > 0);
    // Training again with the same seed from the same start gives the same members.
    auto again = makeModel(1);
    again->setEnsembleSize(3, 9, 0.0);
    trainRewardModel(*again, examples(40), o);
    QVERIFY(at::allclose(again->headParameters()[0], after, 1e-6, 1e-7));
}

void TestRewardEnsemble::oneHeadTrainsAsBefore()
{
    // M = 1 keeps the plain masked MSE: the loss of the first batch equals it by hand.
    auto model = makeModel(1);
    RewardTrainOptions o;
    o.backboneMode = "frozen";
    o.epochs = 1;
    o.batchSize = 100;
    o.validationFraction = 0.0;
    const auto ex = examples(12);
    std::vector<std::string> prompts, responses;
    for (const auto &e : ex) {
        prompts.push_back(e.prompt);
        responses.push_back(e.response);
    }
    const auto scores = model->score(prompts, responses, 16, o.maxLength);
    double sq = 0;
    for (std::size_t i = 0; i < ex.size(); ++i)
        for (std::size_t k = 0; k < 2; ++k)
            sq += (scores[i][k] - *ex[i].targets[k]) * (scores[i][k] - *ex[i].targets[k]);
    double first = 0;
    trainRewardModel(*model, ex, o, [&](std::int64_t, std::int64_t batch, std::int64_t, double loss) {
        if (batch == 0)
            first = loss;
    });
    QVERIFY2(std::abs(first - sq / 24.0) < 1e-5, (std::to_string(first) + " vs " + std::to_string(sq / 24.0)).c_str());
}

void TestRewardEnsemble::saveLoadKeepsMembers()
{
    auto model = makeModel(4);
    const std::string dir = (m_root / "ens4").string();
    model->save(dir);
    const nlohmann::json meta = readJsonFile(dir + "/reward_model.json");
    QCOMPARE(meta.at("ensemble_size").get<int>(), 4);
    QCOMPARE(meta.at("format_version").get<int>(), 2);
    const auto head = SafetensorsFile::open(dir + "/head.safetensors");
    const at::Tensor ew = head->tensor("ensemble.weight"), eb = head->tensor("ensemble.bias");
    QCOMPARE(ew.sizes(), (at::IntArrayRef{4, 2, 32}));
    QCOMPARE(eb.sizes(), (at::IntArrayRef{4, 2}));
    // score.* is the members' mean, so a reader of score.* alone predicts the ensemble's mean score.
    QVERIFY(at::allclose(head->tensor("score.weight"), ew.mean(0), 1e-6, 1e-7));
    QVERIFY(at::allclose(head->tensor("score.bias"), eb.mean(0), 1e-6, 1e-7));

    auto back = RewardModel::load(dir);
    QCOMPARE(back->ensembleSize(), std::int64_t(4));
    QVERIFY(at::equal(back->headParameters()[0].detach(), model->headParameters()[0].detach()));
    const EnsembleScores a = model->scoreDetailed(m_prompts, m_responses, 4, 64);
    const EnsembleScores c = back->scoreDetailed(m_prompts, m_responses, 4, 64);
    for (std::size_t i = 0; i < a.mean.size(); ++i)
        for (std::size_t k = 0; k < 2; ++k) {
            QVERIFY(std::abs(a.mean[i][k] - c.mean[i][k]) < 1e-5);
            QVERIFY(std::abs(a.std[i][k] - c.std[i][k]) < 1e-5);
        }
    // The mean head alone scores the ensemble's mean.
    auto meanOnly = makeModel(1);
    meanOnly->setHeadState(head->tensor("score.weight"), head->tensor("score.bias"));
    const auto m = meanOnly->score(m_prompts, m_responses, 4, 64);
    for (std::size_t i = 0; i < m.size(); ++i)
        QVERIFY(std::abs(m[i][1] - a.mean[i][1]) < 1e-4);
}

void TestRewardEnsemble::oldFolderLoadsUnchanged()
{
    // A one-head folder as written before ensembles: format_version 1, no "ensemble_size".
    auto model = makeModel(1);
    const std::string dir = (m_root / "old").string();
    model->save(dir);
    nlohmann::json meta = readJsonFile(dir + "/reward_model.json");
    QCOMPARE(meta.at("format_version").get<int>(), 1);
    meta.erase("ensemble_size");
    writeText(dir + "/reward_model.json", meta.dump(2));
    QCOMPARE(SafetensorsFile::open(dir + "/head.safetensors")->names().size(), std::size_t(2));
    auto back = RewardModel::load(dir);
    QCOMPARE(back->ensembleSize(), std::int64_t(1));
    QCOMPARE(back->headParameters()[0].sizes(), (at::IntArrayRef{2, 32}));
    const auto a = model->score(m_prompts, m_responses, 4, 64), b = back->score(m_prompts, m_responses, 4, 64);
    QCOMPARE(a, b);
}

void TestRewardEnsemble::resizing()
{
    auto model = makeModel(1);
    const at::Tensor w1 = model->headParameters()[0].detach().clone();
    model->setEnsembleSize(3, 4, 1.0);
    const at::Tensor w3 = model->headParameters()[0].detach().clone();
    QCOMPARE(w3.sizes(), (at::IntArrayRef{3, 2, 32}));
    // New members: the old head plus noise of a fresh head's scale (0.02 / sqrt(32) for politeness).
    for (std::int64_t m = 0; m < 3; ++m) {
        const double sd = (w3[m][0] - w1[0]).std().item<double>();
        QVERIFY2(sd > 0.5 * 0.02 / std::sqrt(32.0) && sd < 1.5 * 0.02 / std::sqrt(32.0), std::to_string(sd).c_str());
    }
    QVERIFY(model->headParameters()[0].requires_grad());
    model->setEnsembleSize(2, 4, 1.0);   // keeps the first two
    QVERIFY(at::equal(model->headParameters()[0].detach(), w3.narrow(0, 0, 2)));
    model->setEnsembleSize(1, 4, 1.0);   // the mean head
    QVERIFY(at::allclose(model->headParameters()[0].detach(), w3.narrow(0, 0, 2).mean(0), 1e-6, 1e-7));
    QCOMPARE(model->ensembleSize(), std::int64_t(1));
}

void TestRewardEnsemble::exportImportRoundTrip()
{
    // An ensemble with LoRA adapters, exported (adapters folded in) and imported as a workspace's next version.
    auto backbone = CausalLM::create(tinyLlama(0.2), 21, {});
    LoraOptions lo;
    lo.r = 4;
    backbone->addLora(lo, 22);
    auto model = RewardModel::create(std::move(backbone), Tokenizer::load(m_tok), m_aspects, 24, 3);
    const std::string source = (m_root / "ens-source").string();
    model->save(source);
    const EnsembleScores before = model->scoreDetailed(m_prompts, m_responses, 2, 64);

    const std::string out = (m_root / "ens-export").string();
    const RewardModelTransfer exported = exportRewardModel(source, out);
    QVERIFY(exported.lora);
    QCOMPARE(readJsonFile(out + "/reward_model.json").at("ensemble_size").get<int>(), 3);
    const std::string db = (m_root / "ens.awb").string();
    const RewardModelTransfer imported = importRewardModel(db, out);
    QCOMPARE(imported.version, std::int64_t(1));
    fs::remove_all(out);
    auto back = RewardModel::load(imported.path);
    QCOMPARE(back->ensembleSize(), std::int64_t(3));
    const EnsembleScores after = back->scoreDetailed(m_prompts, m_responses, 2, 64);
    for (std::size_t i = 0; i < before.mean.size(); ++i)
        for (std::size_t k = 0; k < 2; ++k) {
            QVERIFY(std::abs(after.mean[i][k] - before.mean[i][k]) < 1e-4);
            QVERIFY(std::abs(after.std[i][k] - before.std[i][k]) < 1e-4);
            for (std::size_t m = 0; m < 3; ++m)
                QVERIFY(std::abs(after.members[i][k][m] - before.members[i][k][m]) < 1e-4);
        }
}

void TestRewardEnsemble::importWithOtherAspectsRefused()
{
    const std::string db = (m_root / "aspects.awb").string();
    const std::string v1 = (m_root / "aspects-v1").string();
    makeModel(1)->save(v1);
    QCOMPARE(importRewardModel(db, v1).version, std::int64_t(1));
    auto other = RewardModel::create(CausalLM::create(tinyLlama(0.2), 5, {}), Tokenizer::load(m_tok),
                                     AspectSchema({{"helpfulness", 0, 1, ""}}), 6, 3);
    const std::string foreign = (m_root / "aspects-foreign").string();
    other->save(foreign);
    const std::string e = errorOf([&] { importRewardModel(db, foreign); });
    QVERIFY2(e.find(foreign) != std::string::npos && e.find("helpfulness") != std::string::npos
                 && e.find("politeness, stars") != std::string::npos && e.find("nothing was imported") != std::string::npos,
             e.c_str());
    QCOMPARE(Store::open(db).rewardModels().size(), std::size_t(1));
}

void TestRewardEnsemble::badInput()
{
    const std::string e0 = errorOf([&] { makeModel(0); });
    QVERIFY2(e0.find("ensemble_size must be at least 1, got 0") != std::string::npos, e0.c_str());
    auto model = makeModel(1);
    const std::string e1 = errorOf([&] { model->setEnsembleSize(-2, 1); });
    QVERIFY2(e1.find("ensemble_size must be at least 1, got -2") != std::string::npos, e1.c_str());

    // A folder whose ensemble tensors contradict reward_model.json.
    const std::string dir = (m_root / "broken").string();
    makeModel(3)->save(dir);
    nlohmann::json meta = readJsonFile(dir + "/reward_model.json");
    meta["ensemble_size"] = 2;
    writeText(dir + "/reward_model.json", meta.dump(2));
    const std::string e2 = errorOf([&] { RewardModel::load(dir); });
    QVERIFY2(e2.find("head.safetensors") != std::string::npos && e2.find("ensemble.weight has shape [3, 2, 32]") != std::string::npos
                 && e2.find("expected [2, 2, 32]") != std::string::npos,
             e2.c_str());
    meta["ensemble_size"] = 1;
    writeText(dir + "/reward_model.json", meta.dump(2));
    const std::string e3 = errorOf([&] { RewardModel::load(dir); });
    QVERIFY2(e3.find("unexpected tensor \"ensemble.") != std::string::npos && e3.find("ensemble_size 1") != std::string::npos,
             e3.c_str());
    meta["ensemble_size"] = 0;
    writeText(dir + "/reward_model.json", meta.dump(2));
    const std::string e4 = errorOf([&] { RewardModel::load(dir); });
    QVERIFY2(e4.find("reward_model.json") != std::string::npos && e4.find("\"ensemble_size\" must be at least 1") != std::string::npos,
             e4.c_str());
}

QTEST_APPLESS_MAIN(TestRewardEnsemble)
#include "tst_reward_ensemble.moc"
