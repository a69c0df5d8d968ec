// Exports of trained models and their way back in (policy_export.h,
// reward_exchange.h): a LoRA checkpoint exported merged holds W + scaling B A
// (computed here from the adapters, not by the code under test) and gives the
// adapted model's logits; exported as PEFT adapters and loaded onto the base it
// gives them bit for bit; a full fine-tuning checkpoint exports every tensor
// unchanged; a reward-model version exported and imported into another
// workspace scores as before. Refusals (a non-empty folder, a missing base
// model, adapters of a full run, other aspects) write nothing.
#include "core/reference_lm.h"
#include "core/reward_fixtures.h"
#include "io/safetensors.h"
#include "model/causal_lm.h"
#include "model/lora.h"
#include "reward/aspect_schema.h"
#include "reward/reward_exchange.h"
#include "reward/reward_model.h"
#include "store/store.h"
#include "train/adamw.h"
#include "train/grpo_checkpoint.h"
#include "train/policy_export.h"
#include "util/error.h"

#include <ATen/ATen.h>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace awb;
using rewardtest::errorOf;
namespace fs = std::filesystem;

namespace {

// Gives every adapter a non-zero B, as training would.
void perturbAdapters(CausalLM &m, std::uint64_t seed)
{
    at::NoGradGuard g;
    at::manual_seed(seed);
    for (auto &[name, t] : m.loraStateDict())
        if (name.find("lora_B") != std::string::npos)
            t.normal_(0.0, 0.05);
}

at::Tensor logitsOf(CausalLM &m)
{
    const std::vector<std::int64_t> ids = {4, 8, 15, 16, 23, 42};
    at::NoGradGuard g;
    const auto T = static_cast<std::int64_t>(ids.size());
    return m.logits(m.forward(at::tensor(ids, at::kLong).view({1, T}), at::arange(T, at::kLong).view({1, T})));
}

std::string fileText(const fs::path &p)
{
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

at::Tensor tensorOf(const NamedTensors &tensors, const std::string &name)
{
    for (const auto &[n, t] : tensors)
        if (n == name)
            return t.detach().clone();
    return {};
}

// Nothing but `expected` entries in dir (no staging folders left behind).
QStringList entries(const fs::path &dir)
{
    QStringList names;
    for (const auto &e : fs::directory_iterator(dir))
        names << QString::fromStdString(e.path().filename().string());
    names.sort();
    return names;
}

} // namespace

class TestModelExport : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void loraCheckpointExportsMerged();
    void loraCheckpointExportsAdapters();
    void fullCheckpointExportsUnchanged();
    void refusalsWriteNothing();
    void loraConditionedExportsAtOneVector();
    void rewardModelRoundTrip();
    void rewardModelWithOtherAspectsRefused();

private:
    // A checkpoint-<step> folder of `policy` under root/<name>, recording the base folder.
    std::string checkpointOf(const CausalLM &policy, const std::string &name, std::int64_t step);

    QTemporaryDir m_tmp;
    fs::path m_root;
    std::string m_base;
    reference::RefModel m_ref;
};

void TestModelExport::initTestCase()
{
    QVERIFY(m_tmp.isValid());
    m_root = m_tmp.path().toStdString();
    m_base = (m_root / "base").string();
    m_ref = reference::randomModel(reference::tinyConfig(Architecture::Llama), 11);
    reference::saveModelFolder(m_ref, m_base);
    rewardtest::writeByteTokenizer(m_base, true);
}

std::string TestModelExport::checkpointOf(const CausalLM &policy, const std::string &name, std::int64_t step)
{
    AdamW optimizer(policy.trainableParameters());
    CheckpointState state;
    state.step = step;
    state.options = {{"model", m_base}};
    return writeCheckpoint((m_root / name).string(), policy, optimizer, state);
}

void TestModelExport::loraCheckpointExportsMerged()
{
    auto policy = CausalLM::load(m_base);
    LoraOptions o;
    o.r = 4;
    o.alpha = 8.0;   // scaling 2
    o.targetModules = {"q_proj", "v_proj"};
    o.baseModelPath = m_base;
    policy->addLora(o, 3);
    perturbAdapters(*policy, 5);
    const std::string cp = checkpointOf(*policy, "lora-run", 7);
    const CheckpointSummary summary = describeCheckpoint(cp);
    QCOMPARE(summary.step, 7);
    QVERIFY(summary.lora);
    QCOMPARE(summary.baseModel, m_base);

    const fs::path out = m_root / "exports" / "merged";
    const PolicyExportResult r = exportPolicy(cp, out.string(), PolicyExportLayout::Merged);
    QCOMPARE(r.layout, std::string("merged"));
    QCOMPARE(r.step, 7);
    QCOMPARE(r.path, out.string());
    QCOMPARE(entries(out.parent_path()), QStringList{"merged"});   // no staging folder left
    QCOMPARE(r.dtype, std::string("float32"));
    QVERIFY(fs::exists(out / "config.json"));
    QVERIFY(!fs::exists(out / "adapter_config.json"));
    QCOMPARE(fileText(out / "tokenizer.json"), fileText(fs::path(m_base) / "tokenizer.json"));

    // The merged weights, checked against the formula on the adapters as trained.
    const NamedTensors lora = policy->loraStateDict();
    const Checkpoint saved = Checkpoint::open(out.string());
    QCOMPARE(static_cast<std::int64_t>(saved.names().size()), r.tensors);
    for (const char *module : {"self_attn.q_proj", "self_attn.v_proj"}) {
        for (int layer = 0; layer < 2; ++layer) {
            const std::string stem = "model.layers." + std::to_string(layer) + "." + module;
            const at::Tensor a = tensorOf(lora, "base_model.model." + stem + ".lora_A.weight");
            const at::Tensor b = tensorOf(lora, "base_model.model." + stem + ".lora_B.weight");
            QVERIFY(a.defined() && b.defined());
            const at::Tensor expected = m_ref.weights.at(stem + ".weight") + 2.0 * at::matmul(b, a);
            const at::Tensor got = saved.tensor(stem + ".weight");
            QVERIFY2((got - expected).abs().max().item<float>() < 1e-6, stem.c_str());
            QVERIFY((got - m_ref.weights.at(stem + ".weight")).abs().max().item<float>() > 1e-3);   // B is not zero
        }
    }
    // A module without adapters is the base's, bit for bit.
    QVERIFY(at::equal(saved.tensor("model.layers.1.mlp.down_proj.weight"),
                      m_ref.weights.at("model.layers.1.mlp.down_proj.weight")));

    // Loaded as a plain model it gives the adapted policy's logits.
    auto merged = CausalLM::load(out.string());
    QVERIFY(!merged->hasLora());
    QVERIFY((logitsOf(*merged) - logitsOf(*policy)).abs().max().item<float>() < 1e-4);

    // In bfloat16 on request: each tensor is the fp32 export's, rounded; half the bytes.
    const fs::path half = m_root / "exports" / "bf16";
    const PolicyExportResult h = exportPolicy(cp, half.string(), PolicyExportLayout::Merged, 0, "bfloat16");
    QCOMPARE(h.dtype, std::string("bfloat16"));
    const Checkpoint halfSaved = Checkpoint::open(half.string());
    QCOMPARE(halfSaved.names(), saved.names());
    for (const auto &name : saved.names()) {
        const at::Tensor t = halfSaved.tensor(name);
        QCOMPARE(t.scalar_type(), at::kBFloat16);
        QVERIFY2(at::equal(t, saved.tensor(name).to(at::kBFloat16)), name.c_str());
    }
    QVERIFY(h.bytes < r.bytes / 2 + 4096 && h.bytes > r.bytes / 2 - 4096);
    std::ifstream halfConfig(half / "config.json");
    QCOMPARE(nlohmann::json::parse(halfConfig).at("torch_dtype").get<std::string>(), std::string("bfloat16"));
    QVERIFY(CausalLM::load(half.string())->config().vocabSize > 0);   // loads (as fp32)
    std::string e = errorOf([&] { exportPolicy(cp, (m_root / "exports" / "x").string(), PolicyExportLayout::Adapters, 0, "float16"); });
    QVERIFY2(e.find("adapters are written in float32") != std::string::npos, e.c_str());
    e = errorOf([&] { exportPolicy(cp, (m_root / "exports" / "x").string(), PolicyExportLayout::Merged, 0, "int8"); });
    QVERIFY2(e.find("unknown dtype \"int8\"") != std::string::npos, e.c_str());
    QVERIFY(!fs::exists(m_root / "exports" / "x"));

    // Sharded on request: the shards hold the same tensors.
    const fs::path sharded = m_root / "exports" / "sharded";
    exportPolicy(cp, sharded.string(), PolicyExportLayout::Merged, 20000);
    QVERIFY(fs::exists(sharded / "model.safetensors.index.json"));
    const Checkpoint shards = Checkpoint::open(sharded.string());
    QCOMPARE(shards.names(), saved.names());
    for (const auto &name : saved.names())
        QVERIFY(at::equal(shards.tensor(name), saved.tensor(name)));
}

void TestModelExport::loraCheckpointExportsAdapters()
{
    auto policy = CausalLM::load(m_base);
    LoraOptions o;
    o.baseModelPath = "relative/or/stale/path";   // the export names the checkpoint's base, absolute
    policy->addLora(o, 4);
    perturbAdapters(*policy, 6);
    const std::string cp = checkpointOf(*policy, "lora-run-2", 3);
    const fs::path out = m_root / "exports" / "adapters";
    const PolicyExportResult r = exportPolicy(cp, out.string(), PolicyExportLayout::Adapters);
    QCOMPARE(r.layout, std::string("adapters"));
    QCOMPARE(r.tensors, static_cast<std::int64_t>(policy->loraStateDict().size()));
    QVERIFY(!fs::exists(out / "model.safetensors"));
    QVERIFY(fs::exists(out / "tokenizer.json"));
    std::ifstream configFile(out / "adapter_config.json");
    const nlohmann::json config = nlohmann::json::parse(configFile);
    QCOMPARE(config.at("base_model_name_or_path").get<std::string>(), m_base);
    QCOMPARE(config.at("peft_type").get<std::string>(), std::string("LORA"));
    QCOMPARE(config.at("r").get<int>(), 16);

    // PEFT's way of loading it: the base folder, then the adapters onto it.
    auto loaded = CausalLM::load(config.at("base_model_name_or_path").get<std::string>());
    loaded->loadLora(out.string());
    QVERIFY(at::equal(logitsOf(*loaded), logitsOf(*policy)));
}

void TestModelExport::fullCheckpointExportsUnchanged()
{
    auto policy = CausalLM::load(m_base);
    {
        at::NoGradGuard g;
        at::manual_seed(7);
        for (auto &[name, t] : policy->stateDict(false))
            t.add_(at::randn_like(t) * 0.01);   // as if trained
    }
    const std::string cp = checkpointOf(*policy, "full-run", 12);
    QVERIFY(!describeCheckpoint(cp).lora);

    const fs::path refused = m_root / "exports" / "full-adapters";
    const std::string e = errorOf([&] { exportPolicy(cp, refused.string(), PolicyExportLayout::Adapters); });
    QVERIFY2(e.find("use_lora was off") != std::string::npos && e.find(cp) != std::string::npos, e.c_str());
    QVERIFY(!fs::exists(refused));

    const fs::path out = m_root / "exports" / "full";
    exportPolicy(cp, out.string(), PolicyExportLayout::Merged);
    const Checkpoint saved = Checkpoint::open(out.string());
    const NamedTensors live = policy->stateDict(false);
    QCOMPARE(saved.names().size(), live.size());
    for (const auto &[name, t] : live)
        QVERIFY2(at::equal(saved.tensor(name), t.detach()), name.c_str());
    QCOMPARE(fileText(out / "tokenizer_config.json"), fileText(fs::path(m_base) / "tokenizer_config.json"));
}

void TestModelExport::refusalsWriteNothing()
{
    auto policy = CausalLM::load(m_base);
    LoraOptions o;
    policy->addLora(o, 8);
    const std::string cp = checkpointOf(*policy, "lora-run-3", 1);

    // A folder with something in it is left alone.
    const fs::path busy = m_root / "busy";
    fs::create_directories(busy);
    rewardtest::writeText((busy / "keep.txt").string(), "mine");
    std::string e = errorOf([&] { exportPolicy(cp, busy.string(), PolicyExportLayout::Merged); });
    QVERIFY2(e.find(busy.string()) != std::string::npos && e.find("not empty") != std::string::npos, e.c_str());
    QCOMPARE(entries(busy), QStringList{"keep.txt"});
    QCOMPARE(fileText(busy / "keep.txt"), std::string("mine"));

    // An empty folder is fine.
    const fs::path empty = m_root / "empty";
    fs::create_directories(empty);
    exportPolicy(cp, empty.string(), PolicyExportLayout::Adapters);
    QVERIFY(fs::exists(empty / "adapter_model.safetensors"));

    // The base model has moved away: the message names it.
    const std::string moved = m_base + "-moved";
    fs::rename(m_base, moved);
    const fs::path out = m_root / "exports" / "no-base";
    e = errorOf([&] { exportPolicy(cp, out.string(), PolicyExportLayout::Merged); });
    fs::rename(moved, m_base);
    QVERIFY2(e.find(m_base) != std::string::npos && e.find("base model") != std::string::npos, e.c_str());
    QVERIFY(!fs::exists(out));

    // Not a checkpoint.
    e = errorOf([&] { exportPolicy(m_base, out.string(), PolicyExportLayout::Merged); });
    QVERIFY2(e.find("trainer_state.json") != std::string::npos, e.c_str());
    QVERIFY(!fs::exists(out));
    for (const auto &entry : fs::directory_iterator(m_root / "exports"))
        QVERIFY2(entry.path().filename().string().find(".tmp-") == std::string::npos, entry.path().c_str());
}

void TestModelExport::rewardModelRoundTrip()
{
    // A reward model with LoRA adapters on an in-memory backbone, saved as a version of workspace A.
    const std::string tok = rewardtest::writeByteTokenizer((m_root / "base").string(), true);
    auto backbone = CausalLM::create(rewardtest::tinyLlama(0.2), 21, {});
    LoraOptions o;
    o.r = 4;
    backbone->addLora(o, 22);
    perturbAdapters(*backbone, 23);
    const AspectSchema aspects({{"politeness", 0, 1, ""}, {"stars", 1, 5, "1 to 5"}});
    auto model = RewardModel::create(std::move(backbone), Tokenizer::load(tok), aspects, 24);
    RewardModelInfo info;
    info.labelCount = 321;
    info.metrics = {{10, 0.1, 0.8, 0.7}, {10, 0.5, 0.6, 0.5}};
    model->setInfo(info);
    const std::string source = (m_root / "ws-a.awb.reward-models" / "v1").string();
    model->save(source);
    const std::vector<std::string> prompts = {"How do I fix a flat tyre?", "Hi", "Tell me a joke"};
    const std::vector<std::string> responses = {"Patch it, kindly.", "Go away.", "Why did the chicken..."};
    const auto before = model->score(prompts, responses, 2, 64);

    const fs::path out = m_root / "rm-export";
    const RewardModelTransfer exported = exportRewardModel(source, out.string());
    QVERIFY(exported.lora);   // folded in, so the copy needs no base folder
    QCOMPARE(exported.labelCount, 321);
    QVERIFY(!fs::exists(out / "adapter_config.json"));
    QVERIFY(!fs::exists(out / "base"));
    std::ifstream metaFile(out / "reward_model.json");
    const nlohmann::json meta = nlohmann::json::parse(metaFile);
    QCOMPARE(meta.at("backbone").at("kind").get<std::string>(), std::string("full"));
    QCOMPARE(meta.at("label_count").get<int>(), 321);
    QCOMPARE(meta.at("metrics").at("stars").at("pearson").get<double>(), 0.6);

    // Into workspace B, which already has a version: the import is v2.
    const std::string db = (m_root / "ws-b.awb").string();
    {
        Store store = Store::open(db);
        store.registerRewardModel(source, 1, nlohmann::json::object(), "first");
    }
    const RewardModelTransfer imported = importRewardModel(db, out.string());
    QCOMPARE(imported.version, 2);
    QCOMPARE(imported.path, (m_root / "ws-b.awb.reward-models" / "v2").string());
    {
        const Store store = Store::open(db);
        const auto v2 = store.rewardModel(2);
        QVERIFY(v2.has_value());
        QCOMPARE(v2->path, imported.path);
        QCOMPARE(v2->labelCount, 321);
        QCOMPARE(v2->metrics.at("politeness").at("spearman").get<double>(), 0.7);
        QVERIFY(v2->note.find(out.string()) != std::string::npos);
    }
    // The export's folder can go: the imported version is a copy.
    fs::remove_all(out);
    auto back = RewardModel::load(imported.path);
    QCOMPARE(back->aspects().names(), aspects.names());
    const auto after = back->score(prompts, responses, 2, 64);
    QCOMPARE(after.size(), before.size());
    for (std::size_t i = 0; i < before.size(); ++i)
        for (std::size_t k = 0; k < before[i].size(); ++k)
            QVERIFY2(std::abs(after[i][k] - before[i][k]) < 1e-4, (std::to_string(i) + "/" + std::to_string(k)).c_str());
}

void TestModelExport::rewardModelWithOtherAspectsRefused()
{
    const std::string tok = (m_root / "base" / "tokenizer.json").string();
    const AspectSchema aspects({{"politeness", 0, 1, ""}, {"safety", 0, 1, ""}});
    auto first = RewardModel::create(CausalLM::create(rewardtest::tinyLlama(), 31, {}), Tokenizer::load(tok), aspects, 32);
    const std::string v1 = (m_root / "ws-c-v1").string();
    first->save(v1);
    const AspectSchema other({{"helpfulness", 0, 1, ""}});
    auto second = RewardModel::create(CausalLM::create(rewardtest::tinyLlama(), 33, {}), Tokenizer::load(tok), other, 34);
    const std::string foreign = (m_root / "foreign-rm").string();
    second->save(foreign);

    const std::string db = (m_root / "ws-c.awb").string();
    QCOMPARE(importRewardModel(db, v1).version, 1);
    const std::string e = errorOf([&] { importRewardModel(db, foreign); });
    QVERIFY2(e.find(foreign) != std::string::npos && e.find("helpfulness") != std::string::npos
                 && e.find("politeness, safety") != std::string::npos,
             e.c_str());
    QCOMPARE(Store::open(db).rewardModels().size(), 1u);
    QCOMPARE(entries(db + ".reward-models"), QStringList{"v1"});

    // Not a reward model at all.
    const std::string e2 = errorOf([&] { importRewardModel(db, m_base); });
    QVERIFY2(e2.find("reward_model.json") != std::string::npos || e2.find(m_base) != std::string::npos, e2.c_str());
    QCOMPARE(Store::open(db).rewardModels().size(), 1u);
}

// A "lora"-conditioned run is exported at one weight vector: plain PEFT adapters
// of rank r + K (alpha rescaled so the scaling stays) or merged weights that
// give the policy's outputs at that vector.
void TestModelExport::loraConditionedExportsAtOneVector()
{
    const fs::path rm = m_root / "two-aspect-rm";
    fs::create_directories(rm);
    rewardtest::writeText((rm / "aspects.json").string(),
                          AspectSchema({{"safety", 0, 1, ""}, {"actionability", 0, 1, ""}}).toJson().dump());
    auto policy = CausalLM::load(m_base);
    LoraOptions o;
    o.r = 4;
    o.alpha = 8.0;   // scaling 2
    o.preferenceRank = 2;
    o.targetModules = {"q_proj", "down_proj"};
    policy->addLora(o, 3);
    perturbAdapters(*policy, 9);
    {
        at::NoGradGuard g;
        for (auto &[name, t] : policy->loraStateDict())
            if (name.find("lora_preference_scale") != std::string::npos)
                t.fill_(0.7);
    }
    AdamW optimizer(policy->trainableParameters());
    CheckpointState state;
    state.step = 5;
    state.options = {{"model", m_base}, {"conditioning", "lora"}, {"use_lora", true}};
    state.rewardModelPath = rm.string();
    const std::string cp = writeCheckpoint((m_root / "lora-steer-run").string(), *policy, optimizer, state);

    const fs::path adapters = m_root / "exports" / "steer-adapters";
    exportPolicy(cp, adapters.string(), PolicyExportLayout::Adapters, 0, "float32", "safety=3,actionability=1");
    const nlohmann::json config = nlohmann::json::parse(std::ifstream(adapters / "adapter_config.json"));
    QCOMPARE(config.at("r").get<int>(), 6);
    QCOMPARE(config.at("lora_alpha").get<double>(), 12.0);   // 2 x 6: PEFT's alpha / r stays 2
    QVERIFY(!config.contains("awb_preference_rank"));
    QCOMPARE(config.at("awb_conditioning").at("exported_at").at("safety").get<double>(), 0.75);
    auto loaded = CausalLM::load(m_base);
    loaded->loadLora(adapters.string());
    QCOMPARE(loaded->preferenceRank(), std::int64_t(0));
    policy->setPreference(at::tensor({0.75f, 0.25f}).view({1, 2}));
    QVERIFY((logitsOf(*loaded) - logitsOf(*policy)).abs().max().item<float>() < 1e-5);

    // Merged, at the uniform vector by default.
    const fs::path merged = m_root / "exports" / "steer-merged";
    exportPolicy(cp, merged.string(), PolicyExportLayout::Merged);
    auto folder = CausalLM::load(merged.string());
    policy->setPreference(at::tensor({0.5f, 0.5f}).view({1, 2}));
    QVERIFY((logitsOf(*folder) - logitsOf(*policy)).abs().max().item<float>() < 1e-4);
    QVERIFY((logitsOf(*folder) - logitsOf(*loaded)).abs().max().item<float>() > 1e-4);   // another vector, other outputs

    // Weights naming an aspect the run does not have, or weights for a run without "lora", are refused.
    std::string e = errorOf([&] {
        exportPolicy(cp, (m_root / "exports" / "bad").string(), PolicyExportLayout::Merged, 0, "float32", "politeness=1");
    });
    QVERIFY2(e.find("politeness") != std::string::npos, e.c_str());
    auto plain = CausalLM::load(m_base);
    plain->addLora(LoraOptions{}, 2);
    const std::string plainCp = checkpointOf(*plain, "lora-run-plain", 2);
    e = errorOf([&] {
        exportPolicy(plainCp, (m_root / "exports" / "bad").string(), PolicyExportLayout::Merged, 0, "float32", "safety=1");
    });
    QVERIFY2(e.find("conditioning") != std::string::npos, e.c_str());
    QVERIFY(!fs::exists(m_root / "exports" / "bad"));
}

QTEST_APPLESS_MAIN(TestModelExport)
#include "tst_model_export.moc"
