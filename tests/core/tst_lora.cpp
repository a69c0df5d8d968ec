// LoRA: a fresh adapter changes nothing, disabling gives the base outputs
// exactly, merging agrees with the unmerged forward, the adapter's effect is
// scaling * B A x, and adapters round-trip through the PEFT layout.
#include "core/reference_lm.h"
#include "model/causal_lm.h"
#include "model/lora.h"
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
    at::Tensor a, b;
    for (auto &[name, t] : m->loraStateDict()) {
        if (name == "base_model.model.model.layers.1.self_attn.v_proj.lora_A.weight")
            a = t.detach().clone();
        if (name == "base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight")
            b = t.detach().clone();
    }
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

QTEST_GUILESS_MAIN(TestLora)
#include "tst_lora.moc"
