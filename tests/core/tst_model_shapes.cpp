// The named model shapes (core/io/model_shapes.h) and `awb model init`: each
// shape's parameter count, by a formula written here from the config.json
// fields, equals the published count; a folder written by init loads with
// that many parameters in the stored dtype; bad input fails naming the problem
// and leaves nothing behind.
#include "cli/cli.h"
#include "core/reward_fixtures.h"
#include "io/atomic_file.h"
#include "io/model_config.h"
#include "io/model_shapes.h"
#include "io/safetensors.h"
#include "model/causal_lm.h"
#include "util/error.h"

#include <QtTest>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <sstream>

using namespace awb;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

int run(std::vector<std::string> args, std::string *out = nullptr, std::string *err = nullptr)
{
    args.insert(args.begin(), "awb");
    std::vector<const char *> argv;
    for (const auto &a : args)
        argv.push_back(a.c_str());
    std::ostringstream o, e;
    const int code = runCli(static_cast<int>(argv.size()), argv.data(), o, e);
    if (out)
        *out = o.str();
    if (err)
        *err = e.str();
    return code;
}

// Weights of a Llama / Qwen2 decoder from config.json alone: embedding; per
// layer q, k, v (with biases in Qwen2 or with attention_bias), o, gate, up,
// down and two RMS norms; the final norm; lm_head unless tied.
std::int64_t parametersByHand(const json &c)
{
    const std::int64_t v = c["vocab_size"], h = c["hidden_size"], inter = c["intermediate_size"];
    const std::int64_t layers = c["num_hidden_layers"], heads = c["num_attention_heads"];
    const std::int64_t kvHeads = c["num_key_value_heads"];
    const std::int64_t headDim = c.contains("head_dim") ? c["head_dim"].get<std::int64_t>() : h / heads;
    const bool qkvBias = c["model_type"] == "qwen2" || c.value("attention_bias", false);
    const std::int64_t q = h * heads * headDim + (qkvBias ? heads * headDim : 0);
    const std::int64_t kv = h * kvHeads * headDim + (qkvBias ? kvHeads * headDim : 0);
    const std::int64_t o = heads * headDim * h;
    const std::int64_t mlp = 3 * h * inter;
    const std::int64_t perLayer = q + 2 * kv + o + mlp + 2 * h;
    const bool tied = c.value("tie_word_embeddings", false);
    return v * h + layers * perLayer + h + (tied ? 0 : v * h);
}

std::string path(const QTemporaryDir &dir, const char *name) { return dir.filePath(name).toStdString(); }

SafetensorsDtype onlyDtype(const std::string &folder)
{
    const Checkpoint cp = Checkpoint::open(folder);
    const SafetensorsDtype first = cp.entry(cp.names().front()).dtype;
    for (const auto &name : cp.names())
        if (cp.entry(name).dtype != first)
            throw Error(name + " has another dtype");
    return first;
}

// Names under `dir` (the staging folders of a failed init would show here).
QStringList entries(const QTemporaryDir &dir) { return QDir(dir.path()).entryList(QDir::NoDotAndDotDot | QDir::AllEntries); }

} // namespace

class TestModelShapes : public QObject
{
    Q_OBJECT

private slots:
    void publishedParameterCounts_data();
    void publishedParameterCounts();
    void unknownShapeListsKnown();
    void initLoadsAsTheShape();
    void initErrors();
};

void TestModelShapes::publishedParameterCounts_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<qint64>("published");
    QTest::newRow("qwen2.5-0.5b") << QStringLiteral("qwen2.5-0.5b") << qint64(494032768);
    QTest::newRow("qwen2.5-7b") << QStringLiteral("qwen2.5-7b") << qint64(7615616512);
    QTest::newRow("smollm2-135m") << QStringLiteral("smollm2-135m") << qint64(134515008);
    QTest::newRow("llama-3.2-1b") << QStringLiteral("llama-3.2-1b") << qint64(1235814400);
}

void TestModelShapes::publishedParameterCounts()
{
    QFETCH(QString, name);
    QFETCH(qint64, published);
    const auto names = modelShapeNames();
    QVERIFY(std::find(names.begin(), names.end(), name.toStdString()) != names.end());
    const json j = modelShapeConfig(name.toStdString());
    QCOMPARE(parametersByHand(j), published);
    // The typed config agrees with the file, so CausalLM builds this shape.
    const ModelConfig c = parseModelConfig(j, name.toStdString());
    QCOMPARE(c.vocabSize, j["vocab_size"].get<std::int64_t>());
    QCOMPARE(c.numLayers, j["num_hidden_layers"].get<std::int64_t>());
    QCOMPARE(c.torchDtype, std::string("bfloat16"));
    QVERIFY(modelShapeConfig(name.toUpper().toStdString()) == j);   // names are case-insensitive
}

void TestModelShapes::unknownShapeListsKnown()
{
    try {
        modelShapeConfig("qwen9-1t");
        QFAIL("no error");
    } catch (const Error &e) {
        const std::string msg = e.what();
        QVERIFY2(msg.find("\"qwen9-1t\"") != std::string::npos, msg.c_str());
        for (const auto &n : modelShapeNames())
            QVERIFY2(msg.find(n) != std::string::npos, msg.c_str());
    }
}

void TestModelShapes::initLoadsAsTheShape()
{
    QTemporaryDir dir;
    const std::string tokenizer = rewardtest::writeByteTokenizer(dir.path().toStdString(), true);
    const std::int64_t expected = parametersByHand(modelShapeConfig("smollm2-135m"));

    // Default dtype: the shape's torch_dtype, bfloat16.
    std::string out, err;
    QCOMPARE(run({"model", "init", "--config", "smollm2-135m", "--tokenizer", tokenizer, "--out", path(dir, "bf16"),
                  "--seed", "3"}, &out, &err), 0);
    const json line = json::parse(out);
    QCOMPARE(line["path"].get<std::string>(), path(dir, "bf16"));
    QCOMPARE(line["parameters"].get<std::int64_t>(), expected);
    QCOMPARE(line["dtype"].get<std::string>(), std::string("bfloat16"));
    QCOMPARE(line["shape"].get<std::string>(), std::string("smollm2-135m"));
    QCOMPARE(line["bytes"].get<std::uint64_t>(), fs::file_size(path(dir, "bf16") + "/model.safetensors"));
    QCOMPARE(onlyDtype(path(dir, "bf16")), SafetensorsDtype::BF16);
    for (const char *f : {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"})
        QVERIFY2(fs::is_regular_file(path(dir, "bf16") + "/" + f), f);
    const ModelConfig saved = loadModelConfig(path(dir, "bf16"));
    QCOMPARE(saved.torchDtype, std::string("bfloat16"));
    QCOMPARE(saved.hiddenSize, 576);
    QCOMPARE(saved.eosTokenIds, (std::vector<std::int64_t>{2}));
    QCOMPARE(Tokenizer::load(path(dir, "bf16")).vocabSize(), 260);
    QCOMPARE(readWholeFile(path(dir, "bf16") + "/tokenizer_config.json"),
             readWholeFile(dir.filePath("tokenizer_config.json").toStdString()));

    std::unique_ptr<CausalLM> model = CausalLM::load(path(dir, "bf16"));
    QCOMPARE(model->parameterCount(), expected);
    const at::Tensor embed = model->stateDict().front().second;
    QCOMPARE(model->stateDict().front().first, std::string("model.embed_tokens.weight"));
    const double sd = embed.std().item<double>();
    QVERIFY2(std::abs(sd - 0.041666666666666664) < 0.001, std::to_string(sd).c_str());   // initializer_range
    model.reset();

    // --dtype float32, from a config.json file and a tokenizer folder.
    QCOMPARE(run({"model", "init", "--config", path(dir, "bf16") + "/config.json", "--tokenizer", path(dir, "bf16"),
                  "--out", path(dir, "f32"), "--dtype", "float32"}, &out, &err), 0);
    const json line32 = json::parse(out);
    QCOMPARE(line32["config"].get<std::string>(), path(dir, "bf16") + "/config.json");
    QCOMPARE(line32["dtype"].get<std::string>(), std::string("float32"));
    QCOMPARE(onlyDtype(path(dir, "f32")), SafetensorsDtype::F32);
    QCOMPARE(loadModelConfig(path(dir, "f32")).torchDtype, std::string("float32"));
    QCOMPARE(CausalLM::load(path(dir, "f32"))->parameterCount(), expected);
    QVERIFY(!entries(dir).join(' ').contains(".tmp-"));
}

void TestModelShapes::initErrors()
{
    QTemporaryDir dir;
    const std::string tokenizer = rewardtest::writeByteTokenizer(dir.path().toStdString(), false);
    std::string err;

    QCOMPARE(run({"model", "init", "--config", "qwen9-1t", "--tokenizer", tokenizer, "--out", path(dir, "a")},
                 nullptr, &err), 1);
    QVERIFY2(err.find("unknown model shape \"qwen9-1t\"") != std::string::npos, err.c_str());
    QVERIFY2(err.find("qwen2.5-0.5b, qwen2.5-7b, smollm2-135m, llama-3.2-1b") != std::string::npos, err.c_str());

    QCOMPARE(run({"model", "init", "--config", path(dir, "none.json"), "--tokenizer", tokenizer, "--out",
                  path(dir, "a")}, nullptr, &err), 1);
    QVERIFY2(err.find(path(dir, "none.json") + ": no such config file") != std::string::npos, err.c_str());

    QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("full")));
    rewardtest::writeText(path(dir, "full") + "/keep.txt", "x");
    QCOMPARE(run({"model", "init", "--config", "smollm2-135m", "--tokenizer", tokenizer, "--out", path(dir, "full")},
                 nullptr, &err), 1);
    QVERIFY2(err.find(path(dir, "full") + ": the folder exists and is not empty") != std::string::npos, err.c_str());
    QVERIFY(fs::is_regular_file(path(dir, "full") + "/keep.txt"));

    QCOMPARE(run({"model", "init", "--config", "smollm2-135m", "--tokenizer", path(dir, "missing"), "--out",
                  path(dir, "a")}, nullptr, &err), 1);
    QVERIFY2(err.find(path(dir, "missing") + ": no such tokenizer file or folder") != std::string::npos, err.c_str());

    // 260 tokens do not fit a vocabulary of 100.
    const json small = {{"model_type", "llama"}, {"architectures", {"LlamaForCausalLM"}}, {"vocab_size", 100},
                        {"hidden_size", 16}, {"intermediate_size", 32}, {"num_hidden_layers", 1},
                        {"num_attention_heads", 2}, {"num_key_value_heads", 1}};
    rewardtest::writeText(path(dir, "small.json"), small.dump());
    QCOMPARE(run({"model", "init", "--config", path(dir, "small.json"), "--tokenizer", tokenizer, "--out",
                  path(dir, "a")}, nullptr, &err), 1);
    QVERIFY2(err.find("the tokenizer has 260 tokens, more than the 100 of vocab_size") != std::string::npos,
             err.c_str());

    QCOMPARE(run({"model", "init", "--config", "smollm2-135m", "--tokenizer", tokenizer, "--out", path(dir, "a"),
                  "--dtype", "int8"}, nullptr, &err), 105);   // CLI11's validation error
    QVERIFY2(err.find("--dtype") != std::string::npos, err.c_str());

    // Nothing was written for any of them: no output folder, no staging folder.
    QCOMPARE(entries(dir), (QStringList{"full", "small.json", "tokenizer.json", "tokenizer_config.json"}));
}

QTEST_GUILESS_MAIN(TestModelShapes)
#include "tst_model_shapes.moc"
