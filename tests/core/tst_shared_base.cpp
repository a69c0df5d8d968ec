// One base in memory: a LoRA reward model on the policy's base folder borrows
// the policy's base weights. The policy's outputs (adapters on and off, the
// latter being GRPO's reference) and the reward model's scores must equal
// those of separately loaded copies exactly, every base tensor of the reward
// model must be the policy's storage, and neither side may then change the
// shared weights.
#include "core/reward_fixtures.h"
#include "model/lora.h"
#include "reward/reward_model.h"
#include "reward/reward_retrain.h"
#include "store/store.h"
#include "util/error.h"

#include <ATen/ATen.h>
#include <QtTest>

#include <map>

using namespace awb;
using namespace rewardtest;

class TestSharedBase : public QObject
{
    Q_OBJECT

private slots:
    void rewardModelBorrowsThePolicyBase();
    void otherBasesLoadTheirOwn();
    void retrainDuringARunBorrowsTheBase();

private:
    // base folder (config, weights, tokenizer) and a LoRA reward model on it with non-zero adapters.
    void makeFolders(const std::string &root);
    QTemporaryDir m_dir;
    std::string m_base, m_rm;
};

void TestSharedBase::makeFolders(const std::string &root)
{
    m_base = root + "/base";
    m_rm = root + "/rm";
    auto lm = CausalLM::create(tinyLlama(0.2), 5, {});
    lm->save(m_base, 0, false);
    writeByteTokenizer(m_base, true);
    LoraOptions lo;
    lo.r = 2;
    lo.dropout = 0;
    lo.baseModelPath = m_base;
    auto backbone = CausalLM::load(m_base);
    backbone->addLora(lo, 6);
    {
        at::NoGradGuard g;
        for (auto &[name, t] : backbone->loraStateDict())
            if (name.find("lora_B") != std::string::npos)
                t.normal_(0, 0.5);
    }
    auto rm = RewardModel::create(std::move(backbone), Tokenizer::load(m_base), AspectSchema::defaults(), 7);
    rm->save(m_rm);
}

void TestSharedBase::rewardModelBorrowsThePolicyBase()
{
    makeFolders(m_dir.path().toStdString() + "/a");
    const std::vector<std::string> prompts = {"abc", "de"}, responses = {"fgh", "i"};
    const at::Tensor ids = at::tensor(std::vector<std::int64_t>{3, 50, 70, 9, 11}, at::kLong).unsqueeze(0);
    const at::Tensor pos = at::arange(5, at::kLong).unsqueeze(0);

    // Separate copies: the reference values.
    auto separateRm = RewardModel::load(m_rm);
    QVERIFY(!separateRm->backbone().sharesBase());
    auto separatePolicy = CausalLM::load(m_base);
    LoraOptions lo;
    lo.r = 4;
    lo.dropout = 0;
    separatePolicy->addLora(lo, 9);
    {
        at::NoGradGuard g;
        for (auto &[name, t] : separatePolicy->loraStateDict())
            if (name.find("lora_B") != std::string::npos)
                t.fill_(0.05);
    }
    at::NoGradGuard noGrad;
    const at::Tensor policyOn = separatePolicy->logits(separatePolicy->forward(ids, pos));
    separatePolicy->setAdaptersEnabled(false);
    const at::Tensor policyOff = separatePolicy->logits(separatePolicy->forward(ids, pos));
    const auto scores = separateRm->score(prompts, responses);

    // Shared: the policy loads, the reward model borrows its base, then the policy gets its adapters.
    std::shared_ptr<CausalLM> policy = CausalLM::load(m_base);
    auto rm = RewardModel::load(m_rm, {}, policy.get(), m_base);
    QVERIFY(rm->backbone().sharesBase());
    QVERIFY(policy->sharesBase());
    policy->addLora(lo, 9);
    for (auto &[name, t] : policy->loraStateDict())
        if (name.find("lora_B") != std::string::npos)
            t.fill_(0.05);
    QVERIFY(at::equal(policy->logits(policy->forward(ids, pos)), policyOn));
    policy->setAdaptersEnabled(false);
    QVERIFY(at::equal(policy->logits(policy->forward(ids, pos)), policyOff));
    policy->setAdaptersEnabled(true);
    QCOMPARE(rm->score(prompts, responses), scores);

    // Stored once: every base tensor of the reward model is the policy's memory.
    std::map<std::string, const void *> policyPtrs;
    for (const auto &[name, t] : policy->stateDict(false))
        policyPtrs[name] = t.data_ptr();
    std::int64_t shared = 0;
    for (const auto &[name, t] : rm->backbone().stateDict(false)) {
        QVERIFY2(policyPtrs.count(name), name.c_str());
        QVERIFY2(policyPtrs[name] == t.data_ptr(), name.c_str());
        ++shared;
    }
    QCOMPARE(shared, static_cast<std::int64_t>(policyPtrs.size()));
    // The adapters are each model's own.
    QVERIFY(rm->backbone().loraStateDict().size() > 0);
    QVERIFY(rm->backbone().loraStateDict().front().second.data_ptr() != policy->loraStateDict().front().second.data_ptr());

    // The shared weights are frozen on both sides.
    QVERIFY_THROWS_EXCEPTION(Error, policy->mergeLora());
    QVERIFY_THROWS_EXCEPTION(Error, rm->backbone().setBaseTrainable(true));
    QVERIFY_THROWS_EXCEPTION(Error, policy->setBaseTrainable(true));
    // The reward model still trains its adapters and head: they require gradients, the base does not.
    rm->backbone().setBaseTrainable(false);
    for (const auto &[name, t] : rm->backbone().trainableParameters())
        QVERIFY2(name.find("lora_") != std::string::npos, name.c_str());
}

void TestSharedBase::otherBasesLoadTheirOwn()
{
    makeFolders(m_dir.path().toStdString() + "/b");
    // A different folder with the same weights: no sharing (only the same folder is the same base).
    const std::string other = m_dir.path().toStdString() + "/b/other";
    CausalLM::load(m_base)->save(other, 0, false);
    std::shared_ptr<CausalLM> policy = CausalLM::load(other);
    QVERIFY(!RewardModel::load(m_rm, {}, policy.get(), other)->backbone().sharesBase());
    // No policy given: load() as before.
    QVERIFY(!RewardModel::load(m_rm, {}, nullptr, m_base)->backbone().sharesBase());
    QVERIFY(!policy->sharesBase());
}

// The window retrains the reward model while a LoRA run goes on: the new version borrows the
// running policy's base, and it is the same model (scores equal exactly) as one retrained on
// its own copy of the base.
void TestSharedBase::retrainDuringARunBorrowsTheBase()
{
    makeFolders(m_dir.path().toStdString() + "/r");
    const std::string db = m_dir.path().toStdString() + "/r/ws.awb";
    {
        Store store = Store::open(db);
        store.registerRewardModel(m_rm, 0, nlohmann::json::object(), "test");
        StepRecord step;
        step.runId = store.createRun("run", nlohmann::json::object());
        step.step = 1;
        for (int i = 0; i < 6; ++i) {
            SampleRecord smp;
            smp.prompt = "abc";
            smp.completion = std::string(static_cast<std::size_t>(i + 1), 'x');
            smp.indexInGroup = i;
            step.samples.push_back(smp);
        }
        store.writeStep(step);
        SampleFilter all;
        for (const auto &smp : store.samples(all))
            store.addLabel({0, smp.id, "safety", smp.completion.size() > 3 ? 1.0 : 0.0, "t", 0});
    }
    RewardRetrainOptions o;
    o.db = db;
    o.epochs = 2;
    const RewardRetrainResult separate = retrainRewardModel(o);
    QVERIFY(!separate.sharesBase);

    std::shared_ptr<CausalLM> policy = CausalLM::load(m_base);
    LoraOptions lo;
    lo.r = 4;
    lo.dropout = 0;
    policy->addLora(lo, 9);
    policy->setBaseTrainable(false);
    o.baseModelDir = m_rm;   // the same starting version as the first retrain
    o.sharedBase = policy;
    o.sharedBaseFolder = m_base;
    const RewardRetrainResult shared = retrainRewardModel(o);
    QVERIFY(shared.sharesBase);
    std::map<std::string, const void *> policyPtrs;
    for (const auto &[name, t] : policy->stateDict(false))
        policyPtrs[name] = t.data_ptr();
    for (const auto &[name, t] : shared.model->backbone().stateDict(false))
        QVERIFY2(policyPtrs[name] == t.data_ptr(), name.c_str());
    const std::vector<std::string> prompts = {"abc", "abc"}, responses = {"x", "xxxxx"};
    QCOMPARE(shared.model->score(prompts, responses), separate.model->score(prompts, responses));
    QVERIFY(shared.model->score(prompts, responses) != RewardModel::load(m_rm)->score(prompts, responses));
}

QTEST_GUILESS_MAIN(TestSharedBase)
#include "tst_shared_base.moc"
