// The model runtime against the naive reference (tests/core/reference_lm): logits
// parity per architecture and checkpoint layout, KV-cache decoding against full
// forward passes, left padding, save/load round trips and bad checkpoints.
#include "model/causal_lm.h"
#include "model/weight_arena.h"
#include "core/reference_lm.h"
#include "util/error.h"

#include <ATen/ATen.h>
#include <QtTest>

#include <filesystem>
#include <fstream>

using namespace awb;
namespace fs = std::filesystem;

namespace {

constexpr double kTolerance = 1e-4;

double maxDiff(const at::Tensor &a, const at::Tensor &b)
{
    return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>();
}

at::Tensor runFull(CausalLM &m, const std::vector<std::int64_t> &ids)
{
    at::NoGradGuard g;
    const auto T = static_cast<std::int64_t>(ids.size());
    return m.logits(m.forward(at::tensor(ids, at::kLong).view({1, T}), at::arange(T, at::kLong).view({1, T})))
        .squeeze(0);
}

ModelConfig withChanges(ModelConfig c, const nlohmann::json &changes)
{
    nlohmann::json j = modelConfigToJson(c);
    j.update(changes);
    return parseModelConfig(j, "test config");
}

const std::vector<std::int64_t> kIds = {3, 17, 99, 0, 42, 42, 7, 100, 56, 23, 1, 64};

} // namespace

class TestCausalLM : public QObject
{
    Q_OBJECT

private slots:
    void parity_data();
    void parity();
    void kvCacheMatchesFullForward_data();
    void kvCacheMatchesFullForward();
    void leftPaddingMatchesSingleSequences();
    void saveLoadRoundTrip();
    void badCheckpoints_data();
    void badCheckpoints();
    void badInputs();
    void ropeFrequenciesMatchReference();
    void weightArenaKeepsValuesAndTies();
    void modelWeightsLiveInArena();

private:
    QTemporaryDir m_dir;
    std::string folder(const QString &name) const { return m_dir.filePath(name).toStdString(); }
};

void TestCausalLM::parity_data()
{
    QTest::addColumn<int>("arch");
    QTest::addColumn<QString>("changes");   // JSON merged into the tiny config
    QTest::addColumn<int>("layout");        // 0 plain, 1 sharded, 2 GPT-2 without prefix + mask buffers, 3 bf16
    QTest::newRow("llama gqa untied") << int(Architecture::Llama) << "{}" << 0;
    QTest::newRow("llama tied mha") << int(Architecture::Llama)
                                    << R"({"tie_word_embeddings": true, "num_key_value_heads": 4})" << 0;
    QTest::newRow("llama3 rope scaling")
        << int(Architecture::Llama)
        << R"({"rope_theta": 500000.0, "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 16}})"
        << 0;
    QTest::newRow("llama linear rope") << int(Architecture::Llama) << R"({"rope_scaling": {"type": "linear", "factor": 2.0}})"
                                       << 0;
    QTest::newRow("llama attention and mlp bias") << int(Architecture::Llama)
                                                  << R"({"attention_bias": true, "mlp_bias": true})" << 0;
    QTest::newRow("llama sharded") << int(Architecture::Llama) << "{}" << 1;
    QTest::newRow("llama bf16 stored") << int(Architecture::Llama) << "{}" << 3;
    QTest::newRow("qwen2 qkv bias") << int(Architecture::Qwen2) << "{}" << 0;
    QTest::newRow("qwen2 tied") << int(Architecture::Qwen2) << R"({"tie_word_embeddings": true})" << 0;
    QTest::newRow("gpt2") << int(Architecture::Gpt2) << "{}" << 0;
    QTest::newRow("gpt2 original layout") << int(Architecture::Gpt2) << "{}" << 2;
}

void TestCausalLM::parity()
{
    QFETCH(int, arch);
    QFETCH(QString, changes);
    QFETCH(int, layout);
    const ModelConfig config = withChanges(reference::tinyConfig(Architecture(arch)),
                                           nlohmann::json::parse(changes.toStdString()));
    reference::RandomOptions ro;
    if (layout == 3)
        ro.dtype = at::kBFloat16;
    const reference::RefModel ref = reference::randomModel(config, 11, ro);
    reference::SaveOptions so;
    if (layout == 1)
        so.maxShardBytes = 20000;
    if (layout == 2) {
        so.gpt2DropPrefix = true;
        so.gpt2MaskBuffer = reference::MaskBuffer::UInt8;
        so.gpt2MaskedBias = true;
    }
    const std::string dir = folder(QString("parity-%1").arg(QTest::currentDataTag()));
    reference::saveModelFolder(ref, dir, so);
    if (layout == 1)
        QVERIFY(fs::exists(fs::path(dir) / "model.safetensors.index.json"));

    auto model = CausalLM::load(dir);
    const at::Tensor expected = reference::logits(ref, kIds);
    const at::Tensor actual = runFull(*model, kIds);
    QCOMPARE(actual.sizes().vec(), expected.sizes().vec());
    const double diff = maxDiff(actual, expected);
    QVERIFY2(diff <= kTolerance, qPrintable(QString("max |diff| %1").arg(diff)));
    // The logits are not trivially small: a wrong model would not pass by accident.
    QVERIFY(expected.abs().max().item<double>() > 0.1);
}

void TestCausalLM::kvCacheMatchesFullForward_data()
{
    QTest::addColumn<int>("arch");
    QTest::newRow("llama") << int(Architecture::Llama);
    QTest::newRow("qwen2") << int(Architecture::Qwen2);
    QTest::newRow("gpt2") << int(Architecture::Gpt2);
}

void TestCausalLM::kvCacheMatchesFullForward()
{
    QFETCH(int, arch);
    const reference::RefModel ref = reference::randomModel(reference::tinyConfig(Architecture(arch)), 5);
    const std::string dir = folder(QString("kv-%1").arg(arch));
    reference::saveModelFolder(ref, dir);
    auto model = CausalLM::load(dir);
    const at::Tensor full = runFull(*model, kIds);

    at::NoGradGuard g;
    const auto T = static_cast<std::int64_t>(kIds.size());
    KvCache cache = model->makeCache(1, T);
    const std::int64_t prefill = 5;
    std::vector<at::Tensor> rows;
    const at::Tensor ids = at::tensor(kIds, at::kLong).view({1, T});
    const at::Tensor pos = at::arange(T, at::kLong).view({1, T});
    rows.push_back(model->logits(model->forward(ids.narrow(1, 0, prefill), pos.narrow(1, 0, prefill), &cache)).squeeze(0));
    for (std::int64_t t = prefill; t < T; ++t)
        rows.push_back(model->logits(model->forward(ids.narrow(1, t, 1), pos.narrow(1, t, 1), &cache)).squeeze(0));
    const at::Tensor incremental = at::cat(rows, 0);
    QCOMPARE(cache.length, T);
    const double diff = maxDiff(incremental, full);
    QVERIFY2(diff <= kTolerance, qPrintable(QString("max |diff| %1").arg(diff)));
}

void TestCausalLM::leftPaddingMatchesSingleSequences()
{
    const reference::RefModel ref = reference::randomModel(reference::tinyConfig(Architecture::Llama), 8);
    const std::string dir = folder("pad");
    reference::saveModelFolder(ref, dir);
    auto model = CausalLM::load(dir);
    const std::vector<std::int64_t> a = {5, 6, 7, 8, 9, 10}, b = {50, 51, 52};
    // b is left-padded by 3 with a token id the model would otherwise attend to.
    at::Tensor ids = at::tensor(std::vector<std::int64_t>{5, 6, 7, 8, 9, 10, 77, 77, 77, 50, 51, 52}, at::kLong).view({2, 6});
    at::Tensor pos = at::tensor(std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 0, 0, 0, 0, 1, 2}, at::kLong).view({2, 6});
    at::Tensor valid = at::tensor(std::vector<std::int64_t>{1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1}, at::kLong).view({2, 6}).to(at::kBool);
    at::NoGradGuard g;
    KvCache cache = model->makeCache(2, 8);
    const at::Tensor batch = model->logits(model->forward(ids, pos, &cache, valid));
    QVERIFY(maxDiff(batch[0], reference::logits(ref, a)) <= kTolerance);
    QVERIFY(maxDiff(batch[1].narrow(0, 3, 3), reference::logits(ref, b)) <= kTolerance);
    // One decode step on both rows continues each sequence correctly.
    const at::Tensor next = model->logits(model->forward(at::tensor(std::vector<std::int64_t>{11, 53}, at::kLong).view({2, 1}),
                                                         at::tensor(std::vector<std::int64_t>{6, 3}, at::kLong).view({2, 1}), &cache));
    QVERIFY(maxDiff(next[0][0], reference::logits(ref, {5, 6, 7, 8, 9, 10, 11})[6]) <= kTolerance);
    QVERIFY(maxDiff(next[1][0], reference::logits(ref, {50, 51, 52, 53})[3]) <= kTolerance);
}

void TestCausalLM::saveLoadRoundTrip()
{
    for (auto arch : {Architecture::Llama, Architecture::Gpt2}) {
        const reference::RefModel ref = reference::randomModel(reference::tinyConfig(arch), 21);
        const std::string in = folder(QString("rt-in-%1").arg(int(arch)));
        const std::string out = folder(QString("rt-out-%1").arg(int(arch)));
        reference::saveModelFolder(ref, in);
        auto model = CausalLM::load(in);
        model->save(out);
        // The saved folder has exactly transformers' names and values.
        const Checkpoint saved = Checkpoint::open(out);
        const auto expected = reference::checkpointTensors(ref);
        QCOMPARE(saved.names().size(), expected.size());
        for (const auto &[name, t] : expected) {
            QVERIFY2(saved.contains(name), name.c_str());
            QVERIFY2(at::equal(saved.tensor(name), t.to(at::kFloat)), name.c_str());
        }
        // And the reference reads it back to the same logits.
        const reference::RefModel again = reference::loadModelFolder(out);
        QVERIFY(maxDiff(reference::logits(again, kIds), reference::logits(ref, kIds)) == 0.0);
    }
}

void TestCausalLM::badCheckpoints_data()
{
    QTest::addColumn<QString>("damage");
    QTest::addColumn<QString>("expected");
    QTest::newRow("missing tensor") << "drop model.layers.1.mlp.up_proj.weight"
                                    << "tensor \"model.layers.1.mlp.up_proj.weight\" is missing";
    QTest::newRow("extra tensor") << "add model.layers.7.mlp.up_proj.weight" << "unexpected tensor \"model.layers.7";
    QTest::newRow("wrong shape") << "shape model.layers.0.self_attn.k_proj.weight"
                                 << "has shape [8, 32] but config.json implies [16, 32]";
    QTest::newRow("unknown architecture") << "config mamba" << "model_type \"mamba\" is not a supported architecture";
    QTest::newRow("config contradicts weights") << "config layers" << "unexpected tensor";
}

void TestCausalLM::badCheckpoints()
{
    QFETCH(QString, damage);
    QFETCH(QString, expected);
    const reference::RefModel ref = reference::randomModel(reference::tinyConfig(Architecture::Llama), 3);
    const std::string dir = folder(QString("bad-%1").arg(QTest::currentDataTag()).replace(' ', '_'));
    reference::saveModelFolder(ref, dir);
    auto tensors = reference::checkpointTensors(ref);
    const QStringList words = damage.split(' ');
    if (words[0] == "drop") {
        tensors.erase(std::remove_if(tensors.begin(), tensors.end(),
                                     [&](const auto &nt) { return nt.first == words[1].toStdString(); }),
                      tensors.end());
    } else if (words[0] == "add") {
        tensors.emplace_back(words[1].toStdString(), at::zeros({4}));
    } else if (words[0] == "shape") {
        for (auto &nt : tensors)
            if (nt.first == words[1].toStdString())
                nt.second = at::zeros({8, 32});
    } else if (words[1] == "mamba") {
        nlohmann::json j = modelConfigToJson(ref.config);
        j["model_type"] = "mamba";
        j.erase("architectures");
        std::ofstream(fs::path(dir) / "config.json") << j.dump();
    } else {
        ModelConfig c = ref.config;
        c.numLayers = 1;
        saveModelConfig(dir, c);
    }
    saveCheckpoint(dir, tensors);
    try {
        CausalLM::load(dir);
        QFAIL("loaded a broken model folder");
    } catch (const Error &e) {
        const QString message = QString::fromUtf8(e.what());
        QVERIFY2(message.contains(expected), qPrintable(message));
        QVERIFY2(message.contains(QString::fromStdString(dir)), qPrintable(message));   // names the file
    }
}

void TestCausalLM::badInputs()
{
    const reference::RefModel ref = reference::randomModel(reference::tinyConfig(Architecture::Llama), 3);
    const std::string dir = folder("inputs");
    reference::saveModelFolder(ref, dir);
    auto model = CausalLM::load(dir);
    at::NoGradGuard g;
    try {
        model->forward(at::tensor(std::vector<std::int64_t>{1, 101}, at::kLong).view({1, 2}), at::arange(2).view({1, 2}));
        QFAIL("accepted an id outside the vocabulary");
    } catch (const Error &e) {
        QVERIFY2(QString(e.what()).contains("token id 101 is outside the vocabulary (0..100)"), e.what());
    }
    const std::int64_t ctx = ref.config.maxPositionEmbeddings;
    QVERIFY_THROWS_EXCEPTION(Error, model->forward(at::zeros({1, ctx + 1}, at::kLong),
                                                   at::arange(ctx + 1, at::kLong).view({1, ctx + 1})));
    KvCache cache = model->makeCache(1, 4);
    QVERIFY_THROWS_EXCEPTION(Error, model->forward(at::zeros({1, 5}, at::kLong), at::arange(5).view({1, 5}), &cache));
}

void TestCausalLM::ropeFrequenciesMatchReference()
{
    ModelConfig c = withChanges(reference::tinyConfig(Architecture::Llama),
                                nlohmann::json::parse(R"({"head_dim": 64, "hidden_size": 32, "rope_theta": 500000.0,
            "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
            "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}})"));
    const auto ours = ropeInverseFrequencies(c);
    const auto theirs = reference::ropeInvFreq(c);
    QCOMPARE(ours.size(), theirs.size());
    for (std::size_t i = 0; i < ours.size(); ++i)
        QVERIFY(std::abs(ours[i] - theirs[i]) <= 1e-12 * std::abs(theirs[i]));
}

void TestCausalLM::weightArenaKeepsValuesAndTies()
{
    at::manual_seed(5);
    at::Tensor a = at::randn({7, 5});
    at::Tensor tied = a;                                   // a second handle of one tensor
    at::Tensor b = at::randn({5, 3}).t();                  // not contiguous
    at::Tensor c = at::randn({3}, at::kDouble).requires_grad_();
    at::Tensor none;
    const at::Tensor a0 = a.clone(), b0 = b.clone(), c0 = c.detach().clone();
    moveToWeightArena({&a, &none, &b, &tied, &c, &a});
    QVERIFY(!none.defined());
    for (const at::Tensor *t : {&a, &b, &c}) {
        QVERIFY(inWeightArena(*t));
        QVERIFY(t->is_contiguous());
        QVERIFY(reinterpret_cast<std::uintptr_t>(t->data_ptr()) % 64 == 0);
    }
    QVERIFY(at::equal(a, a0));
    QVERIFY(at::equal(b, b0));
    QVERIFY(at::equal(c.detach(), c0));
    QCOMPARE(b.sizes().vec(), b0.sizes().vec());
    QCOMPARE(c.scalar_type(), at::kDouble);
    QVERIFY(c.requires_grad());
    QVERIFY(!a.requires_grad());
    // The tied handle still shares memory with the first one.
    QCOMPARE(tied.data_ptr(), a.data_ptr());
    a.add_(1.0);
    QVERIFY(at::equal(tied, a0 + 1.0));
    // The block goes when its last tensor does.
    const at::Tensor outside = at::zeros({4});
    QVERIFY(!inWeightArena(outside));
}

void TestCausalLM::modelWeightsLiveInArena()
{
    // Created and loaded models alike: the projections and the (tied) head that a
    // decode step streams sit in the block, and the logits are unchanged.
    const reference::RefModel ref = reference::randomModel(reference::tinyConfig(Architecture::Llama), 8);
    const std::string dir = folder("arena");
    reference::saveModelFolder(ref, dir);
    auto model = CausalLM::load(dir);
    for (const auto &[name, t] : model->stateDict())
        QVERIFY2(inWeightArena(t), name.c_str());
    QVERIFY(maxDiff(runFull(*model, kIds), reference::logits(ref, kIds)) <= kTolerance);
    auto created = CausalLM::create(reference::tinyConfig(Architecture::Llama), 3, CausalLM::LoadOptions{});
    for (const auto &[name, t] : created->stateDict())
        QVERIFY2(inWeightArena(t), name.c_str());
}

QTEST_GUILESS_MAIN(TestCausalLM)
#include "tst_causal_lm.moc"
