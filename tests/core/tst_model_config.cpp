// config.json parsing: real configurations as published for SmolLM2-135M,
// Qwen2.5-0.5B-Instruct, Llama 3.2-1B-Instruct and gpt2 (values copied by hand
// from those files), transformers' defaults, and contradictions.
#include "io/model_config.h"
#include "util/error.h"

#include <QtTest>

using namespace awb;
using nlohmann::json;

class TestModelConfig : public QObject
{
    Q_OBJECT

private slots:
    void smolLm2();
    void qwen25();
    void llama32();
    void gpt2();
    void defaultsFollowTransformers();
    void writeBackRoundTrip();
    void rejects_data();
    void rejects();
};

void TestModelConfig::smolLm2()
{
    const json j = json::parse(R"({"architectures": ["LlamaForCausalLM"], "attention_bias": false,
        "bos_token_id": 0, "eos_token_id": 0, "hidden_act": "silu", "hidden_size": 576,
        "initializer_range": 0.041666666666666664, "intermediate_size": 1536, "is_llama_config": true,
        "max_position_embeddings": 8192, "model_type": "llama", "num_attention_heads": 9,
        "num_hidden_layers": 30, "num_key_value_heads": 3, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
        "rope_interleaved": false, "rope_scaling": null, "rope_theta": 100000, "tie_word_embeddings": true,
        "torch_dtype": "bfloat16", "use_cache": true, "vocab_size": 49152})");
    const ModelConfig c = parseModelConfig(j, "config.json");
    QCOMPARE(c.architecture, Architecture::Llama);
    QCOMPARE(c.hiddenSize, 576);
    QCOMPARE(c.numLayers, 30);
    QCOMPARE(c.numHeads, 9);
    QCOMPARE(c.numKvHeads, 3);
    QCOMPARE(c.headDim, 64);   // 576 / 9
    QCOMPARE(c.intermediateSize, 1536);
    QCOMPARE(c.vocabSize, 49152);
    QCOMPARE(c.normEps, 1e-5);
    QCOMPARE(c.ropeTheta, 100000.0);
    QCOMPARE(c.ropeScaling.type, std::string("default"));
    QVERIFY(c.tieWordEmbeddings);
    QVERIFY(!c.qkvBias);
    QCOMPARE(c.eosTokenIds, (std::vector<std::int64_t>{0}));
    QCOMPARE(c.torchDtype, std::string("bfloat16"));
}

void TestModelConfig::qwen25()
{
    const json j = json::parse(R"({"architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0,
        "bos_token_id": 151643, "eos_token_id": 151645, "hidden_act": "silu", "hidden_size": 896,
        "initializer_range": 0.02, "intermediate_size": 4864, "max_position_embeddings": 32768,
        "max_window_layers": 21, "model_type": "qwen2", "num_attention_heads": 14, "num_hidden_layers": 24,
        "num_key_value_heads": 2, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "sliding_window": 32768,
        "tie_word_embeddings": true, "torch_dtype": "bfloat16", "use_cache": true,
        "use_sliding_window": false, "vocab_size": 151936})");
    const ModelConfig c = parseModelConfig(j, "config.json");
    QCOMPARE(c.architecture, Architecture::Qwen2);
    QCOMPARE(c.headDim, 64);   // 896 / 14
    QCOMPARE(c.numKvHeads, 2);
    QVERIFY(c.qkvBias);        // Qwen2 attention always has q/k/v biases
    QVERIFY(!c.outputBias);
    QCOMPARE(c.ropeTheta, 1e6);
    QCOMPARE(c.bosTokenIds, (std::vector<std::int64_t>{151643}));
}

void TestModelConfig::llama32()
{
    const json j = json::parse(R"({"architectures": ["LlamaForCausalLM"], "attention_bias": false,
        "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009], "head_dim": 64,
        "hidden_act": "silu", "hidden_size": 2048, "intermediate_size": 8192,
        "max_position_embeddings": 131072, "mlp_bias": false, "model_type": "llama",
        "num_attention_heads": 32, "num_hidden_layers": 16, "num_key_value_heads": 8,
        "rms_norm_eps": 1e-05, "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0,
        "low_freq_factor": 1.0, "original_max_position_embeddings": 8192, "rope_type": "llama3"},
        "rope_theta": 500000.0, "tie_word_embeddings": true, "vocab_size": 128256})");
    const ModelConfig c = parseModelConfig(j, "config.json");
    QCOMPARE(c.ropeScaling.type, std::string("llama3"));
    QCOMPARE(c.ropeScaling.factor, 32.0);
    QCOMPARE(c.ropeScaling.lowFreqFactor, 1.0);
    QCOMPARE(c.ropeScaling.highFreqFactor, 4.0);
    QCOMPARE(c.ropeScaling.originalMaxPositionEmbeddings, 8192);
    QCOMPARE(c.eosTokenIds, (std::vector<std::int64_t>{128001, 128008, 128009}));
    QCOMPARE(c.numHeads / c.numKvHeads, 4);
}

void TestModelConfig::gpt2()
{
    const json j = json::parse(R"({"activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"],
        "attn_pdrop": 0.1, "bos_token_id": 50256, "embd_pdrop": 0.1, "eos_token_id": 50256,
        "initializer_range": 0.02, "layer_norm_epsilon": 1e-05, "model_type": "gpt2", "n_ctx": 1024,
        "n_embd": 768, "n_head": 12, "n_layer": 12, "n_positions": 1024, "resid_pdrop": 0.1,
        "summary_activation": null, "vocab_size": 50257})");
    const ModelConfig c = parseModelConfig(j, "config.json");
    QCOMPARE(c.architecture, Architecture::Gpt2);
    QCOMPARE(c.hiddenSize, 768);
    QCOMPARE(c.intermediateSize, 3072);   // n_inner null: 4 * n_embd
    QCOMPARE(c.headDim, 64);
    QCOMPARE(c.maxPositionEmbeddings, 1024);
    QVERIFY(c.tieWordEmbeddings);         // GPT2Config default
    QVERIFY(c.qkvBias && c.outputBias && c.mlpBias);
    QCOMPARE(c.hiddenAct, std::string("gelu_new"));
}

void TestModelConfig::defaultsFollowTransformers()
{
    // LlamaConfig() and Qwen2Config() defaults, from their constructors' signatures.
    const ModelConfig llama = parseModelConfig(json{{"model_type", "llama"}}, "c");
    QCOMPARE(llama.vocabSize, 32000);
    QCOMPARE(llama.hiddenSize, 4096);
    QCOMPARE(llama.intermediateSize, 11008);
    QCOMPARE(llama.numKvHeads, 32);   // None -> num_attention_heads
    QCOMPARE(llama.maxPositionEmbeddings, 2048);
    QCOMPARE(llama.normEps, 1e-6);
    QVERIFY(!llama.tieWordEmbeddings);
    const ModelConfig llamaMha = parseModelConfig(json{{"model_type", "llama"}, {"num_attention_heads", 8},
                                                       {"hidden_size", 64}}, "c");
    QCOMPARE(llamaMha.numKvHeads, 8);
    QCOMPARE(llamaMha.headDim, 8);

    const ModelConfig qwen = parseModelConfig(json{{"architectures", {"Qwen2ForCausalLM"}}}, "c");
    QCOMPARE(qwen.vocabSize, 151936);
    QCOMPARE(qwen.intermediateSize, 22016);
    QCOMPARE(qwen.maxPositionEmbeddings, 32768);

    const ModelConfig gpt = parseModelConfig(json{{"model_type", "gpt2"}}, "c");
    QCOMPARE(gpt.vocabSize, 50257);
    QCOMPARE(gpt.numLayers, 12);
    QCOMPARE(gpt.normEps, 1e-5);
    QCOMPARE(gpt.eosTokenIds, (std::vector<std::int64_t>{50256}));
}

void TestModelConfig::writeBackRoundTrip()
{
    const json j = json::parse(R"({"model_type": "llama", "hidden_size": 64, "num_attention_heads": 4,
        "num_key_value_heads": 2, "intermediate_size": 128, "num_hidden_layers": 2, "vocab_size": 300,
        "rope_scaling": {"type": "linear", "factor": 2.0}, "custom_field": "kept"})");
    const ModelConfig c = parseModelConfig(j, "c");
    const json out = modelConfigToJson(c);
    QCOMPARE(out["custom_field"].get<std::string>(), std::string("kept"));
    QCOMPARE(out["architectures"][0].get<std::string>(), std::string("LlamaForCausalLM"));
    QCOMPARE(out["rope_scaling"]["rope_type"].get<std::string>(), std::string("linear"));
    const ModelConfig again = parseModelConfig(out, "c2");
    QCOMPARE(again.hiddenSize, c.hiddenSize);
    QCOMPARE(again.numKvHeads, c.numKvHeads);
    QCOMPARE(again.ropeScaling.factor, 2.0);
    QCOMPARE(again.headDim, 16);

    QTemporaryDir dir;
    saveModelConfig(dir.path().toStdString(), c);
    QCOMPARE(loadModelConfig(dir.path().toStdString()).vocabSize, 300);
}

void TestModelConfig::rejects_data()
{
    QTest::addColumn<QString>("config");
    QTest::addColumn<QString>("expected");
    QTest::newRow("no model type") << R"({"hidden_size": 64})" << "neither \"model_type\" nor \"architectures\"";
    QTest::newRow("unknown model type") << R"({"model_type": "mamba"})" << "model_type \"mamba\" is not a supported";
    QTest::newRow("unknown class") << R"({"architectures": ["T5ForConditionalGeneration"]})"
                                   << "architecture \"T5ForConditionalGeneration\" is not supported";
    QTest::newRow("type contradicts class") << R"({"model_type": "gpt2", "architectures": ["LlamaForCausalLM"]})"
                                            << "contradicts architectures";
    QTest::newRow("heads do not divide hidden") << R"({"model_type": "llama", "hidden_size": 100, "num_attention_heads": 7})"
                                                << "not divisible by num_attention_heads";
    QTest::newRow("kv heads do not divide heads")
        << R"({"model_type": "llama", "hidden_size": 64, "num_attention_heads": 8, "num_key_value_heads": 3})"
        << "not a multiple of num_key_value_heads 3";
    QTest::newRow("wrong type") << R"({"model_type": "llama", "hidden_size": "big"})"
                                << "field \"hidden_size\" must be an integer";
    QTest::newRow("zero layers") << R"({"model_type": "llama", "num_hidden_layers": 0})"
                                 << "\"num_hidden_layers\" must be positive";
    QTest::newRow("unknown rope scaling") << R"({"model_type": "llama", "rope_scaling": {"type": "yarn", "factor": 4}})"
                                          << "type \"yarn\" is not supported";
    QTest::newRow("llama3 scaling incomplete") << R"({"model_type": "llama", "rope_scaling": {"rope_type": "llama3", "factor": 8}})"
                                               << "llama3 scaling needs";
    QTest::newRow("eos outside vocab") << R"({"model_type": "llama", "vocab_size": 10, "eos_token_id": 10})"
                                       << "eos_token_id 10 is outside the vocabulary";
    QTest::newRow("unsupported activation") << R"({"model_type": "llama", "hidden_act": "relu2"})"
                                            << "hidden_act \"relu2\" is not supported";
    QTest::newRow("sliding window") << R"({"model_type": "qwen2", "use_sliding_window": true})"
                                    << "sliding-window attention is not supported";
    QTest::newRow("not an object") << R"([1, 2])" << "must be a JSON object";
}

void TestModelConfig::rejects()
{
    QFETCH(QString, config);
    QFETCH(QString, expected);
    try {
        parseModelConfig(json::parse(config.toStdString()), "model/config.json");
        QFAIL("accepted a bad config");
    } catch (const FormatError &e) {
        const QString message = QString::fromUtf8(e.what());
        QVERIFY2(message.startsWith(QStringLiteral("model/config.json")), qPrintable(message));
        QVERIFY2(message.contains(expected), qPrintable(message));
    }
}

QTEST_GUILESS_MAIN(TestModelConfig)
#include "tst_model_config.moc"
