// `awb logits` and `awb bench` through runCli: the logits file holds exactly
// the reference model's float32 logits, row-major [T, vocab].
#include "cli/cli.h"
#include "core/reference_lm.h"

#include <ATen/ATen.h>
#include <QtTest>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

using namespace awb;

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

} // namespace

class TestCliModel : public QObject
{
    Q_OBJECT

private slots:
    void logitsFileMatchesReference();
    void logitsErrors();
};

void TestCliModel::logitsFileMatchesReference()
{
    QTemporaryDir dir;
    const auto ref = reference::randomModel(reference::tinyConfig(Architecture::Qwen2), 31);
    reference::saveModelFolder(ref, dir.path().toStdString());
    const std::string out = dir.filePath("logits.bin").toStdString();
    QCOMPARE(run({"logits", "--model", dir.path().toStdString(), "--ids", "1,2,3,99", "--out", out}), 0);

    std::ifstream in(out, std::ios::binary);
    std::vector<float> values((std::istreambuf_iterator<char>(in)), {});
    in.close();
    std::ifstream raw(out, std::ios::binary | std::ios::ate);
    const auto bytes = static_cast<std::int64_t>(raw.tellg());
    QCOMPARE(bytes, 4 * 101 * 4);   // T=4, vocab 101, float32
    std::vector<float> data(static_cast<std::size_t>(bytes / 4));
    raw.seekg(0);
    raw.read(reinterpret_cast<char *>(data.data()), bytes);
    const at::Tensor got = at::from_blob(data.data(), {4, 101}, at::kFloat).clone();
    const at::Tensor expected = reference::logits(ref, {1, 2, 3, 99});
    QVERIFY((got - expected).abs().max().item<float>() <= 1e-4f);
}

void TestCliModel::logitsErrors()
{
    QTemporaryDir dir;
    reference::saveModelFolder(reference::randomModel(reference::tinyConfig(Architecture::Llama), 1),
                               dir.path().toStdString());
    std::string err;
    QCOMPARE(run({"logits", "--model", dir.path().toStdString(), "--ids", "1,x", "--out", "/dev/null"}, nullptr, &err), 1);
    QVERIFY2(err.find("--ids: \"x\" is not an integer") != std::string::npos, err.c_str());
    QCOMPARE(run({"logits", "--model", dir.path().toStdString(), "--ids", "1,5000", "--out", "/dev/null"}, nullptr, &err), 1);
    QVERIFY2(err.find("token id 5000 is outside the vocabulary") != std::string::npos, err.c_str());
    QCOMPARE(run({"logits", "--model", "/nonexistent", "--ids", "1", "--out", "/dev/null"}, nullptr, &err), 1);
    QVERIFY2(err.find("/nonexistent") != std::string::npos, err.c_str());
}

QTEST_GUILESS_MAIN(TestCliModel)
#include "tst_cli_model.moc"
