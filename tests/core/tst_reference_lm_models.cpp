// Self-tests of the naive reference: consistency between variants, random
// models, Hugging Face folders and error messages.
#include "core/tst_reference_lm.h"

void TestReferenceLm::causality_data()
{
    QTest::addColumn<int>("arch");
    QTest::newRow("llama") << int(Architecture::Llama);
    QTest::newRow("qwen2") << int(Architecture::Qwen2);
    QTest::newRow("gpt2") << int(Architecture::Gpt2);
}

void TestReferenceLm::causality()
{
    QFETCH(int, arch);
    const RefModel m = randomModel(tinyConfig(Architecture(arch)), 7);
    std::vector<std::int64_t> ids = kIds;
    const at::Tensor a = logits(m, ids);
    ids.back() = 11;
    const at::Tensor b = logits(m, ids);
    const std::int64_t T = static_cast<std::int64_t>(ids.size());
    QVERIFY(at::equal(a.narrow(0, 0, T - 1), b.narrow(0, 0, T - 1)));
    QVERIFY((a[T - 1] - b[T - 1]).abs().max().item<float>() > 1e-3f);
    // A prefix alone gives the prefix's rows.
    const at::Tensor prefix = logits(m, std::vector<std::int64_t>(ids.begin(), ids.begin() + 4));
    QVERIFY(at::allclose(prefix, b.narrow(0, 0, 4), 0, 1e-6));
}

void TestReferenceLm::groupedQueryAttentionEqualsDuplicatedHeads_data()
{
    QTest::addColumn<int>("arch");
    QTest::newRow("llama") << int(Architecture::Llama);
    QTest::newRow("qwen2 (k/v biases)") << int(Architecture::Qwen2);
}

void TestReferenceLm::groupedQueryAttentionEqualsDuplicatedHeads()
{
    QFETCH(int, arch);
    const RefModel gqa = randomModel(tinyConfig(Architecture(arch)), 11);
    QCOMPARE(gqa.config.numHeads, 4);
    QCOMPARE(gqa.config.numKvHeads, 2);
    const at::Tensor want = logits(gqa, kIds);
    // repeat_kv: heads 0, 1 read KV head 0; heads 2, 3 read KV head 1.
    const at::Tensor same = logits(toMha(gqa, [](std::int64_t h) { return h / 2; }), kIds);
    QVERIFY(at::allclose(same, want, 0, 1e-6));
    // The other plausible layout (h % kv) is a different model.
    const at::Tensor other = logits(toMha(gqa, [](std::int64_t h) { return h % 2; }), kIds);
    QVERIFY(!at::allclose(other, want, 0, 1e-3));
}

void TestReferenceLm::tiedHeadEqualsCopiedEmbeddings()
{
    ModelConfig c = tinyConfig(Architecture::Llama);
    c.tieWordEmbeddings = true;
    const RefModel tied = randomModel(c, 3);
    QVERIFY(!tied.weights.count("lm_head.weight"));
    RefModel untied = tied;
    untied.config.tieWordEmbeddings = false;
    untied.weights["lm_head.weight"] = tied.weights.at("model.embed_tokens.weight").clone();
    QVERIFY(at::equal(logits(tied, kIds), logits(untied, kIds)));
}

void TestReferenceLm::qwen2WithZeroBiasesIsLlama()
{
    RefModel qwen = randomModel(tinyConfig(Architecture::Qwen2), 5);
    for (auto &[name, t] : qwen.weights)
        if (name.find("_proj.bias") != std::string::npos)
            t = at::zeros_like(t);
    RefModel llama = qwen;
    llama.config.architecture = Architecture::Llama;
    llama.config.modelType = "llama";
    llama.config.qkvBias = false;
    for (auto it = llama.weights.begin(); it != llama.weights.end();)
        it = it->first.find("_proj.bias") != std::string::npos ? llama.weights.erase(it) : std::next(it);
    QVERIFY(at::equal(logits(qwen, kIds), logits(llama, kIds)));
    // ...and the biases matter when they are not zero.
    const RefModel biased = randomModel(tinyConfig(Architecture::Qwen2), 5);
    QVERIFY(!at::allclose(logits(biased, kIds), logits(qwen, kIds), 0, 1e-3));
}

void TestReferenceLm::ropeScalingOnlyMovesLaterPositions()
{
    ModelConfig c = tinyConfig(Architecture::Llama);
    const RefModel plain = randomModel(c, 9);
    RefModel linear = plain;
    linear.config.ropeScaling.type = "linear";
    linear.config.ropeScaling.factor = 4.0;
    RefModel llama3 = plain;
    llama3.config.ropeScaling = {"llama3", 8.0, 1.0, 4.0, 32};
    const at::Tensor a = logits(plain, kIds), b = logits(linear, kIds), d = logits(llama3, kIds);
    // Position 0 attends only to itself: no rotation can change it.
    QVERIFY(at::allclose(a[0], b[0], 0, 1e-6));
    QVERIFY(at::allclose(a[0], d[0], 0, 1e-6));
    QVERIFY(!at::allclose(a.narrow(0, 1, 10), b.narrow(0, 1, 10), 0, 1e-4));
    QVERIFY(!at::allclose(a.narrow(0, 1, 10), d.narrow(0, 1, 10), 0, 1e-4));
}

void TestReferenceLm::randomModelExercisesEveryWeight_data()
{
    QTest::addColumn<int>("arch");
    QTest::newRow("llama") << int(Architecture::Llama);
    QTest::newRow("qwen2") << int(Architecture::Qwen2);
    QTest::newRow("gpt2") << int(Architecture::Gpt2);
}

void TestReferenceLm::randomModelExercisesEveryWeight()
{
    QFETCH(int, arch);
    const ModelConfig c = tinyConfig(Architecture(arch));
    const RefModel m = randomModel(c, 21);
    const auto shapes = weightShapes(c);
    QCOMPARE(m.weights.size(), shapes.size());
    for (const auto &[name, shape] : shapes) {
        QVERIFY2(m.weights.count(name), name.c_str());
        QCOMPARE(m.weights.at(name).sizes(), at::IntArrayRef(shape));
    }
    QVERIFY(at::equal(randomModel(c, 21).weights.begin()->second, m.weights.begin()->second));
    QVERIFY(!at::equal(randomModel(c, 22).weights.begin()->second, m.weights.begin()->second));

    const at::Tensor base = logits(m, kIds);
    QVERIFY(at::isfinite(base).all().item<bool>());
    QVERIFY(base.std().item<float>() > 0.1f);
    QVERIFY((base[3] - base[4]).abs().max().item<float>() > 0.1f);
    // Replacing any one weight by its "neutral" value (norm weight 1, bias 0)
    // changes the logits, so a runtime that drops it fails parity.
    for (const auto &[name, shape] : shapes) {
        const bool norm = name.find("norm") != std::string::npos || name.find("ln_") != std::string::npos;
        if (!(norm && name.find(".weight") != std::string::npos) && name.find(".bias") == std::string::npos)
            continue;
        RefModel neutral = m;
        at::Tensor &t = neutral.weights.at(name);
        t = norm && name.find(".weight") != std::string::npos ? at::ones_like(t) : at::zeros_like(t);
        QVERIFY2((logits(neutral, kIds) - base).abs().max().item<float>() > 1e-4f, name.c_str());
    }
}

void TestReferenceLm::folderRoundTrip_data()
{
    QTest::addColumn<int>("arch");
    QTest::addColumn<int>("dtype");
    QTest::addColumn<bool>("tie");
    QTest::addColumn<bool>("includeTiedLmHead");
    QTest::addColumn<qulonglong>("shardBytes");
    QTest::addColumn<bool>("dropPrefix");
    QTest::addColumn<int>("mask");
    QTest::addColumn<bool>("maskedBias");
    const auto none = int(MaskBuffer::None);
    QTest::newRow("llama") << int(Architecture::Llama) << int(at::kFloat) << false << false << 0ull << false << none << false;
    QTest::newRow("llama tied") << int(Architecture::Llama) << int(at::kFloat) << true << false << 0ull << false << none << false;
    QTest::newRow("llama tied, head written") << int(Architecture::Llama) << int(at::kFloat) << true << true << 0ull << false << none << false;
    QTest::newRow("llama bf16 sharded") << int(Architecture::Llama) << int(at::kBFloat16) << false << false << 20000ull << false << none << false;
    QTest::newRow("qwen2 f16") << int(Architecture::Qwen2) << int(at::kHalf) << false << false << 0ull << false << none << false;
    QTest::newRow("gpt2") << int(Architecture::Gpt2) << int(at::kFloat) << true << false << 0ull << false << none << false;
    QTest::newRow("gpt2 original") << int(Architecture::Gpt2) << int(at::kFloat) << true << false << 0ull << true << int(MaskBuffer::Float) << true;
    QTest::newRow("gpt2 bool mask") << int(Architecture::Gpt2) << int(at::kFloat) << true << false << 0ull << true << int(MaskBuffer::Bool) << false;
    QTest::newRow("gpt2 uint8 mask, sharded") << int(Architecture::Gpt2) << int(at::kFloat) << true << false << 30000ull << false << int(MaskBuffer::UInt8) << true;
}

void TestReferenceLm::folderRoundTrip()
{
    QFETCH(int, arch);
    QFETCH(int, dtype);
    QFETCH(bool, tie);
    QFETCH(bool, includeTiedLmHead);
    QFETCH(qulonglong, shardBytes);
    QFETCH(bool, dropPrefix);
    QFETCH(int, mask);
    QFETCH(bool, maskedBias);
    ModelConfig c = tinyConfig(Architecture(arch));
    c.tieWordEmbeddings = tie;
    RandomOptions ro;
    ro.dtype = at::ScalarType(dtype);
    const RefModel m = randomModel(c, 31, ro);
    SaveOptions so;
    so.maxShardBytes = shardBytes;
    so.gpt2DropPrefix = dropPrefix;
    so.gpt2MaskBuffer = MaskBuffer(mask);
    so.gpt2MaskedBias = maskedBias;
    so.includeTiedLmHead = includeTiedLmHead;
    const std::string dir = (fs::path(m_dir.path().toStdString()) / QTest::currentDataTag()).string();
    saveModelFolder(m, dir, so);

    QVERIFY(fs::exists(fs::path(dir) / "config.json"));
    QCOMPARE(fs::exists(fs::path(dir) / "model.safetensors.index.json"), shardBytes > 0);
    const Checkpoint ck = Checkpoint::open(dir);
    QCOMPARE(ck.files().size() > 1, shardBytes > 0);
    const std::size_t buffers = (mask != int(MaskBuffer::None) ? 1 : 0) + (maskedBias ? 1 : 0);
    QCOMPARE(ck.names().size(),
             m.weights.size() + std::size_t(c.numLayers) * buffers + (includeTiedLmHead ? 1 : 0));
    QCOMPARE(ck.tensor(m.weights.begin()->first.substr(dropPrefix ? 12 : 0)).scalar_type(), at::ScalarType(dtype));

    const ModelConfig back = loadModelConfig(dir);
    QCOMPARE(int(back.architecture), arch);
    QCOMPARE(back.hiddenSize, c.hiddenSize);
    QCOMPARE(back.numKvHeads, c.numKvHeads);
    QCOMPARE(back.headDim, c.headDim);
    QCOMPARE(back.intermediateSize, c.intermediateSize);
    QCOMPARE(back.tieWordEmbeddings, tie);
    QCOMPARE(back.qkvBias, c.qkvBias);

    const RefModel loaded = loadModelFolder(dir);
    QCOMPARE(loaded.weights.size(), m.weights.size());
    QVERIFY(at::equal(logits(loaded, kIds), logits(m, kIds)));
}

void TestReferenceLm::originalGpt2Layout()
{
    const RefModel m = randomModel(tinyConfig(Architecture::Gpt2), 41);
    SaveOptions so;
    so.gpt2DropPrefix = true;
    so.gpt2MaskBuffer = MaskBuffer::UInt8;
    so.gpt2MaskedBias = true;
    std::map<std::string, at::Tensor> t;
    for (const auto &[name, tensor] : checkpointTensors(m, so))
        t[name] = tensor;
    QVERIFY(t.count("wte.weight") && t.count("wpe.weight") && t.count("ln_f.bias"));
    QVERIFY(t.count("h.1.attn.c_attn.weight") && !t.count("lm_head.weight"));
    for (const auto &[name, tensor] : t)
        QVERIFY2(name.rfind("transformer.", 0) != 0, name.c_str());
    const at::Tensor bias = t.at("h.0.attn.bias");
    QCOMPARE(bias.sizes(), at::IntArrayRef({1, 1, 64, 64}));
    QCOMPARE(bias.scalar_type(), at::kByte);
    QCOMPARE(bias[0][0][3][3].item<int>(), 1);
    QCOMPARE(bias[0][0][3][4].item<int>(), 0);
    QCOMPARE(bias[0][0][63][0].item<int>(), 1);
    QCOMPARE(bias.sum().item<int>(), 64 * 65 / 2);
    QCOMPARE(t.at("h.1.attn.masked_bias").dim(), 0);
    QCOMPARE(t.at("h.1.attn.masked_bias").item<float>(), -1e4f);
    QCOMPARE(t.at("h.0.attn.c_attn.weight").sizes(), at::IntArrayRef({32, 96}));   // Conv1D [in, out]
    QCOMPARE(t.at("h.0.mlp.c_proj.weight").sizes(), at::IntArrayRef({128, 32}));
}

void TestReferenceLm::errorsNameTheProblem()
{
    const RefModel m = randomModel(tinyConfig(Architecture::Llama), 1);
    auto message = [](const RefModel &model, std::vector<std::int64_t> ids) -> std::string {
        try {
            logits(model, ids);
        } catch (const Error &e) {
            return e.what();
        }
        return "no error";
    };
    RefModel missing = m;
    missing.weights.erase("model.layers.1.post_attention_layernorm.weight");
    QVERIFY(message(missing, {1}).find("model.layers.1.post_attention_layernorm.weight") != std::string::npos);
    RefModel misshapen = m;
    misshapen.weights["model.layers.0.self_attn.k_proj.weight"] = at::zeros({32, 32});
    QVERIFY(message(misshapen, {1}).find("[32, 32], expected [16, 32]") != std::string::npos);
    RefModel extra = m;
    extra.weights["model.layers.0.self_attn.o_proj.bias"] = at::zeros({32});
    QVERIFY(message(extra, {1}).find("unexpected weight \"model.layers.0.self_attn.o_proj.bias\"") != std::string::npos);
    QVERIFY(message(m, {1, 101}).find("token 101 at position 1") != std::string::npos);
    const RefModel gpt2 = randomModel(tinyConfig(Architecture::Gpt2), 1);
    QVERIFY(message(gpt2, std::vector<std::int64_t>(65, 3)).find("n_positions 64") != std::string::npos);
}
