// LoRA: a fresh adapter changes nothing, disabling gives the base outputs
// exactly, merging agrees with the unmerged forward, the adapter's effect is
// scaling * B A x, and adapters round-trip through the PEFT layout.
#include "core/reference_lm.h"
#include "model/causal_lm.h"
#include "model/lora.h"
#include "model/sampler.h"
#include "util/error.h"

#include <ATen/ATen.h>
#include <QtTest>

#include <filesystem>
#include <fstream>

using namespace awb;
namespace fs = std::filesystem;

namespace {

at::Tensor run(CausalLM &m, const std::vector<std::int64_t> &ids)
{
    at::NoGradGuard g;
    const auto T = static_cast<std::int64_t>(ids.size());
    return m.logits(m.forward(at::tensor(ids, at::kLong).view({1, T}), at::arange(T, at::kLong).view({1, T}))).squeeze(0);
}

const std::vector<std::int64_t> kIds = {4, 8, 15, 16, 23, 42};

// A copy of the adapter tensor `name` (PEFT key), undefined when the model has none.
at::Tensor adapterTensor(const CausalLM &m, const std::string &name)
{
    for (auto &[n, t] : m.loraStateDict())
        if (n == name)
            return t.detach().clone();
    return {};
}

// Gives every adapter a non-zero B, as training would.
void perturb(CausalLM &m, std::uint64_t seed)
{
    at::NoGradGuard g;
    at::manual_seed(seed);
    for (auto &[name, t] : m.loraStateDict())
        if (name.find("lora_B") != std::string::npos)
            t.normal_(0.0, 0.05);
}

} // namespace

class TestLora : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void freshAdapterChangesNothing();
    void disablingGivesBaseExactly();
    void mergeMatchesUnmerged();
    void deltaIsScaledLowRankProduct();
    void peftKeyNamesAndRoundTrip();
    void gpt2TargetsConv1dModules();
    void badAdapters();
    void preferenceBlockScalesEachRow();
    void preferenceFastPathMatchesTorch();
    void preferenceRoundTripAndResume();
    void samplerRowsFollowTheirPreference();

private:
    std::unique_ptr<CausalLM> loadTiny(Architecture arch);
    QTemporaryDir m_dir;
    reference::RefModel m_ref;
};

void TestLora::initTestCase()
{
    m_ref = reference::randomModel(reference::tinyConfig(Architecture::Llama), 2);
    reference::saveModelFolder(m_ref, m_dir.filePath("llama").toStdString());
    reference::saveModelFolder(reference::randomModel(reference::tinyConfig(Architecture::Gpt2), 2),
                               m_dir.filePath("gpt2").toStdString());
}

std::unique_ptr<CausalLM> TestLora::loadTiny(Architecture arch)
{
    return CausalLM::load(m_dir.filePath(arch == Architecture::Gpt2 ? "gpt2" : "llama").toStdString());
}

void TestLora::freshAdapterChangesNothing()
{
    auto m = loadTiny(Architecture::Llama);
    const at::Tensor base = run(*m, kIds);
    LoraOptions o;
    m->addLora(o, 1);
    QVERIFY(at::equal(run(*m, kIds), base));   // B starts at zero
    // r x in and out x r shapes for q_proj of layer 0: r=16, in 32, out 32.
    const auto sd = m->loraStateDict();
    QCOMPARE(sd.size(), 2u * 7u * 2u);   // 2 layers x 7 modules x (A, B)
}

void TestLora::disablingGivesBaseExactly()
{
    auto m = loadTiny(Architecture::Llama);
    const at::Tensor base = run(*m, kIds);
    m->addLora(LoraOptions{}, 1);
    perturb(*m, 3);
    const at::Tensor adapted = run(*m, kIds);
    QVERIFY((adapted - base).abs().max().item<float>() > 1e-3);
    m->setAdaptersEnabled(false);
    QVERIFY(at::equal(run(*m, kIds), base));   // bit for bit: the reference model of GRPO
    m->setAdaptersEnabled(true);
    QVERIFY(at::equal(run(*m, kIds), adapted));
}

void TestLora::mergeMatchesUnmerged()
{
    auto m = loadTiny(Architecture::Llama);
    const at::Tensor base = run(*m, kIds);
    m->addLora(LoraOptions{}, 1);
    perturb(*m, 4);
    const at::Tensor adapted = run(*m, kIds);
    m->mergeLora();
    QVERIFY((run(*m, kIds) - adapted).abs().max().item<float>() < 1e-4);
    QVERIFY_THROWS_EXCEPTION(Error, m->setAdaptersEnabled(false));   // merged weights cannot be "disabled"
    m->unmergeLora();
    m->setAdaptersEnabled(false);
    QVERIFY((run(*m, kIds) - base).abs().max().item<float>() < 1e-4);
}

void TestLora::deltaIsScaledLowRankProduct()
{
    // Only v_proj adapted: the saved merged weight must be W + (alpha/r) B A.
    auto m = loadTiny(Architecture::Llama);
    LoraOptions o;
    o.r = 4;
    o.alpha = 12.0;   // scaling 3
    o.targetModules = {"v_proj"};
    m->addLora(o, 9);
    perturb(*m, 5);
    const at::Tensor a = adapterTensor(*m, "base_model.model.model.layers.1.self_attn.v_proj.lora_A.weight");
    const at::Tensor b = adapterTensor(*m, "base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight");
    QVERIFY(a.defined() && b.defined());
    QCOMPARE(a.sizes().vec(), (std::vector<std::int64_t>{4, 32}));
    QCOMPARE(b.sizes().vec(), (std::vector<std::int64_t>{16, 4}));   // 2 KV heads x 8
    at::Tensor merged;
    for (auto &[name, t] : m->stateDict(/*mergedLora=*/true))
        if (name == "model.layers.1.self_attn.v_proj.weight")
            merged = t;
    const at::Tensor base = m_ref.weights.at("model.layers.1.self_attn.v_proj.weight");
    const at::Tensor expected = base + 3.0 * at::matmul(b, a);
    QVERIFY((merged - expected).abs().max().item<float>() < 1e-6);
}

void TestLora::peftKeyNamesAndRoundTrip()
{
    auto m = loadTiny(Architecture::Llama);
    LoraOptions o;
    o.targetModules = {"q_proj", "down_proj"};
    m->addLora(o, 1);
    perturb(*m, 6);
    const at::Tensor adapted = run(*m, kIds);
    const std::string dir = m_dir.filePath("adapter").toStdString();
    m->saveLora(dir);

    const auto file = SafetensorsFile::open((fs::path(dir) / "adapter_model.safetensors").string());
    const auto names = file->names();
    QCOMPARE(names.size(), 8u);
    for (const char *expected : {"base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
                                 "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight",
                                 "base_model.model.model.layers.1.mlp.down_proj.lora_A.weight",
                                 "base_model.model.model.layers.1.mlp.down_proj.lora_B.weight"})
        QVERIFY2(file->contains(expected), expected);
    const auto config = nlohmann::json::parse(std::ifstream(fs::path(dir) / "adapter_config.json"));
    QCOMPARE(config["peft_type"].get<std::string>(), std::string("LORA"));
    QCOMPARE(config["r"].get<int>(), 16);
    QCOMPARE(config["lora_alpha"].get<double>(), 32.0);
    QCOMPARE(config["target_modules"].size(), 2u);

    auto fresh = loadTiny(Architecture::Llama);
    fresh->loadLora(dir);
    QVERIFY(at::equal(run(*fresh, kIds), adapted));
}

void TestLora::gpt2TargetsConv1dModules()
{
    auto m = loadTiny(Architecture::Gpt2);
    LoraOptions o;
    o.targetModules = {"c_attn", "c_proj"};   // c_proj: both attn.c_proj and mlp.c_proj, as PEFT matches
    m->addLora(o, 1);
    const auto sd = m->loraStateDict();
    QCOMPARE(sd.size(), 2u * 3u * 2u);
    QCOMPARE(sd[0].first, std::string("base_model.model.transformer.h.0.attn.c_attn.lora_A.weight"));
    QCOMPARE(sd[0].second.sizes().vec(), (std::vector<std::int64_t>{16, 32}));
    QCOMPARE(sd[1].second.sizes().vec(), (std::vector<std::int64_t>{96, 16}));   // B: out 3 x 32
}

void TestLora::badAdapters()
{
    auto m = loadTiny(Architecture::Llama);
    LoraOptions o;
    o.targetModules = {"nonexistent"};
    QVERIFY_THROWS_EXCEPTION(Error, m->addLora(o, 1));
    QVERIFY(!m->hasLora());

    // An adapter of rank 16 read into a config that says rank 8: the message names the file.
    auto src = loadTiny(Architecture::Llama);
    src->addLora(LoraOptions{}, 1);
    const std::string dir = m_dir.filePath("bad-adapter").toStdString();
    src->saveLora(dir);
    auto config = nlohmann::json::parse(std::ifstream(fs::path(dir) / "adapter_config.json"));
    config["r"] = 8;
    std::ofstream(fs::path(dir) / "adapter_config.json") << config.dump();
    try {
        m->loadLora(dir);
        QFAIL("loaded a mismatched adapter");
    } catch (const FormatError &e) {
        QVERIFY2(QString(e.what()).contains("adapter_model.safetensors"), e.what());
    }
    QVERIFY(!m->hasLora());   // nothing half-loaded
}

namespace {

// Adapters on v_proj only with a preference block of K=2, B and s set as training would.
std::unique_ptr<CausalLM> withPreferenceBlock(std::unique_ptr<CausalLM> m, std::int64_t r = 3)
{
    LoraOptions o;
    o.r = r;
    o.alpha = 6.0;   // scaling 2
    o.preferenceRank = 2;
    o.targetModules = {"v_proj"};
    m->addLora(o, 9);
    perturb(*m, 7);
    at::NoGradGuard g;
    for (auto &[name, t] : m->loraStateDict())
        if (name.find("lora_preference_scale") != std::string::npos)
            t.fill_(1.5);
    return m;
}

at::Tensor rows(std::vector<std::vector<float>> w)
{
    at::Tensor t = at::empty({static_cast<std::int64_t>(w.size()), 2}, at::kFloat);
    for (std::size_t i = 0; i < w.size(); ++i)
        for (std::int64_t k = 0; k < 2; ++k)
            t[static_cast<std::int64_t>(i)][k] = w[i][static_cast<std::size_t>(k)];
    return t;
}

at::Tensor runRows(CausalLM &m, const at::Tensor &ids)
{
    const std::int64_t B = ids.size(0), T = ids.size(1);
    return m.logits(m.forward(ids, at::arange(T, at::kLong).repeat({B, 1})));
}

} // namespace

// "lora" conditioning: the adapter is scaling * B diag(1..1, s w) A, with w each row's vector.
void TestLora::preferenceBlockScalesEachRow()
{
    auto m = withPreferenceBlock(loadTiny(Architecture::Llama));
    QCOMPARE(m->preferenceRank(), std::int64_t(2));
    const at::Tensor a = adapterTensor(*m, "base_model.model.model.layers.1.self_attn.v_proj.lora_A.weight");
    const at::Tensor b = adapterTensor(*m, "base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight");
    QCOMPARE(a.sizes().vec(), (std::vector<std::int64_t>{5, 32}));   // r 3 + K 2
    QCOMPARE(b.sizes().vec(), (std::vector<std::int64_t>{16, 5}));
    // The merged weight at w = (0.8, 0.2), written out by hand: W + 2 B diag(1, 1, 1, 1.5*0.8, 1.5*0.2) A.
    const at::Tensor diag = at::diag(at::tensor({1.0f, 1.0f, 1.0f, 1.2f, 0.3f}));
    const at::Tensor expected = m_ref.weights.at("model.layers.1.self_attn.v_proj.weight") + 2.0 * at::matmul(b, at::matmul(diag, a));
    m->setPreference(rows({{0.8f, 0.2f}}));
    at::Tensor merged;
    for (auto &[name, t] : m->stateDict(/*mergedLora=*/true))
        if (name == "model.layers.1.self_attn.v_proj.weight")
            merged = t;
    QVERIFY((merged - expected).abs().max().item<float>() < 1e-6);

    // Row by row: a batch of two rows at two vectors gives each row what it gets alone, and
    // the two vectors give different outputs; no rows set means the uniform vector.
    at::NoGradGuard g;
    const at::Tensor ids = at::tensor(std::vector<std::int64_t>{4, 8, 15, 16, 23, 42, 4, 8, 15, 16, 23, 42}, at::kLong).view({2, 6});
    m->setPreference(rows({{1.f, 0.f}, {0.f, 1.f}}));
    const at::Tensor both = runRows(*m, ids);
    m->setPreference(rows({{1.f, 0.f}}));
    const at::Tensor first = runRows(*m, ids.narrow(0, 0, 1));
    m->setPreference(rows({{0.f, 1.f}}));
    const at::Tensor second = runRows(*m, ids.narrow(0, 1, 1));
    QVERIFY((both.narrow(0, 0, 1) - first).abs().max().item<float>() < 1e-5);
    QVERIFY((both.narrow(0, 1, 1) - second).abs().max().item<float>() < 1e-5);
    QVERIFY((first - second).abs().max().item<float>() > 1e-3);
    m->setPreference(rows({{0.5f, 0.5f}}));
    const at::Tensor half = runRows(*m, ids.narrow(0, 0, 1));
    m->setPreference(at::Tensor());
    QVERIFY((runRows(*m, ids.narrow(0, 0, 1)) - half).abs().max().item<float>() < 1e-6);
    // Rows that do not match the batch are refused.
    m->setPreference(rows({{1.f, 0.f}, {0.f, 1.f}, {0.5f, 0.5f}}));
    QVERIFY_THROWS_EXCEPTION(Error, runRows(*m, ids));
    QVERIFY_THROWS_EXCEPTION(Error, m->setPreference(at::ones({1, 3})));
}

// The kernels' inference path scales the block as the torch path does.
void TestLora::preferenceFastPathMatchesTorch()
{
    auto m = withPreferenceBlock(loadTiny(Architecture::Llama));
    const at::Tensor ids = at::tensor(std::vector<std::int64_t>{4, 8, 15, 16, 23, 42, 7, 9, 1, 2, 3, 5}, at::kLong).view({2, 6});
    m->setPreference(rows({{0.9f, 0.1f}, {0.2f, 0.8f}}));
    at::Tensor fast, slow;
    {
        at::NoGradGuard g;   // no grad, not training, few rows: the kernels
        fast = runRows(*m, ids);
    }
    slow = runRows(*m, ids).detach();   // grad mode: torch operators
    QVERIFY((fast - slow).abs().max().item<float>() < 1e-4);
    // The scale s is learned: the loss reaches it.
    const at::Tensor loss = runRows(*m, ids).sum();
    loss.backward();
    bool reached = false;
    for (auto &[name, t] : m->trainableParameters())
        if (name.find("lora_preference_scale") != std::string::npos)
            reached = reached || (t.grad().defined() && t.grad().abs().item<float>() > 0);
    QVERIFY(reached);
}

void TestLora::preferenceRoundTripAndResume()
{
    auto m = withPreferenceBlock(loadTiny(Architecture::Llama));
    m->setPreference(rows({{0.7f, 0.3f}}));
    const at::Tensor before = run(*m, kIds);
    const std::string dir = m_dir.filePath("preference-adapter").toStdString();
    m->saveLora(dir);
    const auto config = nlohmann::json::parse(std::ifstream(fs::path(dir) / "adapter_config.json"));
    QCOMPARE(config["awb_preference_rank"].get<int>(), 2);
    QCOMPARE(config["r"].get<int>(), 3);
    const auto file = SafetensorsFile::open((fs::path(dir) / "adapter_model.safetensors").string());
    QVERIFY(file->contains("base_model.model.model.layers.0.self_attn.v_proj.lora_preference_scale"));

    auto fresh = loadTiny(Architecture::Llama);
    fresh->loadLora(dir);
    QCOMPARE(fresh->preferenceRank(), std::int64_t(2));
    fresh->setPreference(rows({{0.7f, 0.3f}}));
    QVERIFY(at::equal(run(*fresh, kIds), before));
    // A resumed run loads into adapters already in place.
    auto resumed = withPreferenceBlock(loadTiny(Architecture::Llama));
    perturb(*resumed, 11);
    resumed->loadLora(dir);
    resumed->setPreference(rows({{0.7f, 0.3f}}));
    QVERIFY(at::equal(run(*resumed, kIds), before));
    // ... but not into adapters of another shape.
    auto plain = loadTiny(Architecture::Llama);
    LoraOptions o;
    o.r = 3;
    o.targetModules = {"v_proj"};
    plain->addLora(o, 1);
    try {
        plain->loadLora(dir);
        QFAIL("loaded a preference adapter into plain adapters");
    } catch (const FormatError &e) {
        QVERIFY2(QString(e.what()).contains("preference rank"), e.what());
    }
}

// Each prompt's rows follow its vector through the prefill, the G copies and the dropped rows:
// a prompt sampled beside another at another vector gets what it gets alone.
void TestLora::samplerRowsFollowTheirPreference()
{
    auto m = withPreferenceBlock(loadTiny(Architecture::Llama));
    SamplingOptions o;
    o.maxNewTokens = 12;
    o.numSamples = 3;
    o.eosTokenIds = {5, 9, 13};   // some rows finish early, so rows are dropped
    o.promptSeeds = {21, 22};
    o.promptPreferences = {{1.0, 0.0}, {0.0, 1.0}};
    const std::vector<std::int32_t> p1 = {4, 8, 15, 16}, p2 = {23, 42, 7};
    const GenerationResult both = generate(*m, {p1, p2}, o);
    SamplingOptions alone = o;
    alone.promptSeeds = {22};
    alone.promptPreferences = {{0.0, 1.0}};
    const GenerationResult second = generate(*m, {p2}, alone);
    for (std::size_t i = 0; i < 3; ++i)
        QCOMPARE(both.sequences[3 + i].tokens, second.sequences[i].tokens);
    alone.promptPreferences = {{1.0, 0.0}};
    const GenerationResult other = generate(*m, {p2}, alone);
    bool differs = false;
    for (std::size_t i = 0; i < 3; ++i)
        differs = differs || other.sequences[i].tokens != second.sequences[i].tokens;
    QVERIFY(differs);
    QVERIFY(!m->preference().defined());   // the sampler puts the caller's rows back
    o.promptPreferences = {{1.0, 0.0}};
    QVERIFY_THROWS_EXCEPTION(Error, generate(*m, {p1, p2}, o));
}

QTEST_GUILESS_MAIN(TestLora)
#include "tst_lora.moc"
