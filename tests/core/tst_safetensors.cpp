// Reading and writing safetensors through LibTorch: round trips for every dtype,
// zero-copy views, sharded checkpoints, and failures that name the file.
#include "io/mapped_file.h"
#include "io/safetensors.h"
#include "util/runtime.h"
#include "util/error.h"

#include <ATen/ATen.h>
#include <QtTest>

#include <filesystem>
#include <fstream>

using namespace awb;
namespace fs = std::filesystem;

namespace {

std::string slurp(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void spit(const std::string &path, const std::string &bytes)
{
    std::ofstream(path, std::ios::binary) << bytes;
}

} // namespace

class TestSafetensors : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void roundTripEveryDtype_data();
    void roundTripEveryDtype();
    void bytesMatchHandWrittenFile();
    void zeroCopyWhenAligned();
    void copiesWhenMisaligned();
    void releasedPagesLeaveTheProcessAndReadTheFileAgain();
    void writingIntoBorrowedTensorLeavesFileAlone();
    void nonContiguousTensorsAreWrittenInLogicalOrder();
    void shardedCheckpointRoundTrip();
    void indexErrorsNameTheFile();
    void failedWriteKeepsOldFile();
    void openErrorsNameTheFile();

private:
    QTemporaryDir m_dir;
    std::string path(const char *name) const { return (fs::path(m_dir.path().toStdString()) / name).string(); }
};

void TestSafetensors::init()
{
    QVERIFY(m_dir.isValid());
    at::manual_seed(1234);
}

void TestSafetensors::roundTripEveryDtype_data()
{
    QTest::addColumn<int>("scalarType");
    QTest::newRow("F32") << int(at::kFloat);
    QTest::newRow("F16") << int(at::kHalf);
    QTest::newRow("BF16") << int(at::kBFloat16);
    QTest::newRow("F64") << int(at::kDouble);
    QTest::newRow("I64") << int(at::kLong);
    QTest::newRow("I32") << int(at::kInt);
    QTest::newRow("I16") << int(at::kShort);
    QTest::newRow("I8") << int(at::kChar);
    QTest::newRow("U8") << int(at::kByte);
    QTest::newRow("BOOL") << int(at::kBool);
}

void TestSafetensors::roundTripEveryDtype()
{
    QFETCH(int, scalarType);
    const auto type = static_cast<at::ScalarType>(scalarType);
    at::Tensor a = (at::randn({3, 5}) * 50).to(type);
    at::Tensor b = (at::randn({7}) * 50).to(type);
    at::Tensor scalar = at::ones({}, at::TensorOptions().dtype(type));
    const std::string file = path("rt.safetensors");
    saveSafetensors(file, {{"layer.a", a}, {"layer.b", b}, {"s", scalar}}, {{"format", "pt"}});

    const auto st = SafetensorsFile::open(file);
    QCOMPARE(st->names().size(), 3u);
    QCOMPARE(st->metadata().at("format"), std::string("pt"));
    QVERIFY(at::equal(st->tensor("layer.a"), a));
    QVERIFY(at::equal(st->tensor("layer.b"), b));
    QCOMPARE(st->tensor("s").dim(), 0);
    QCOMPARE(st->tensor("layer.a").scalar_type(), type);
}

void TestSafetensors::bytesMatchHandWrittenFile()
{
    // The reference crate's test_serialization, byte for byte: F32 0..5 as [1,2,3].
    const std::string file = path("attn.safetensors");
    saveSafetensors(file, {{"attn.0", at::arange(6, at::kFloat).reshape({1, 2, 3})}});
    std::string expected("\x40\0\0\0\0\0\0\0", 8);
    expected += R"({"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}})";
    const float values[] = {0, 1, 2, 3, 4, 5};
    expected.append(reinterpret_cast<const char *>(values), sizeof values);
    QCOMPARE(QByteArray::fromStdString(slurp(file)), QByteArray::fromStdString(expected));
}

void TestSafetensors::zeroCopyWhenAligned()
{
    const std::string file = path("zc.safetensors");
    saveSafetensors(file, {{"w", at::randn({64, 64})}, {"ids", at::arange(10, at::kLong)}});
    const auto st = SafetensorsFile::open(file);
    QVERIFY(st->isZeroCopy("w"));
    QVERIFY(st->isZeroCopy("ids"));
    at::Tensor w1 = st->tensor("w");
    at::Tensor w2 = st->tensor("w");
    QCOMPARE(w1.data_ptr(), w2.data_ptr());   // both borrow the same mapped bytes
}

void TestSafetensors::releasedPagesLeaveTheProcessAndReadTheFileAgain()
{
    // 64 MB of known values, read through the mapping: every page is resident.
    const std::string file = path("release.safetensors");
    const std::int64_t n = std::int64_t(16) << 20;
    saveSafetensors(file, {{"w", at::arange(n, at::kFloat)}});
    const auto st = SafetensorsFile::open(file);
    const at::Tensor w = st->tensor("w");
    QVERIFY(st->isZeroCopy("w"));
    const double expectedSum = double(n) * double(n - 1) / 2.0;
    QCOMPARE(w.sum(at::kDouble).item<double>(), expectedSum);
    const double before = processMemoryMb("VmRSS");

    QVERIFY(MappedFile::releasePages(w.data_ptr(), static_cast<std::size_t>(w.nbytes())));
    const double after = processMemoryMb("VmRSS");
    QVERIFY2(before - after > 48.0, qPrintable(QString("%1 MB -> %2 MB").arg(before).arg(after)));
    // The next read comes from the file: the same values.
    QCOMPARE(w.sum(at::kDouble).item<double>(), expectedSum);
    QCOMPARE(w[n - 1].item<float>(), float(n - 1));

    // Memory that is not a mapping is left alone.
    at::Tensor heap = at::ones({1 << 20});
    QVERIFY(!MappedFile::releasePages(heap.data_ptr(), static_cast<std::size_t>(heap.nbytes())));
    QCOMPARE(heap.sum().item<float>(), float(1 << 20));
}

void TestSafetensors::copiesWhenMisaligned()
{
    // A hand-made file whose F32 data starts at byte 2 of the data region: legal, but
    // not aligned, so the reader must copy instead of handing out a misaligned view.
    std::string json = R"({"pad":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},)"
                       R"("w":{"dtype":"F32","shape":[2],"data_offsets":[2,10]}})";
    json.append((8 - json.size() % 8) % 8, ' ');
    std::string file(8, '\0');
    file[0] = static_cast<char>(json.size());
    file += json;
    file += std::string("\x07\x09", 2);
    const float values[] = {1.5f, -2.25f};
    file.append(reinterpret_cast<const char *>(values), sizeof values);
    spit(path("mis.safetensors"), file);

    const auto st = SafetensorsFile::open(path("mis.safetensors"));
    QVERIFY(!st->isZeroCopy("w"));
    const at::Tensor w = st->tensor("w");
    QCOMPARE(w[0].item<float>(), 1.5f);
    QCOMPARE(w[1].item<float>(), -2.25f);
    QCOMPARE(st->tensor("pad")[1].item<std::uint8_t>(), std::uint8_t(9));
}

void TestSafetensors::writingIntoBorrowedTensorLeavesFileAlone()
{
    const std::string file = path("cow.safetensors");
    saveSafetensors(file, {{"w", at::zeros({4})}});
    const std::string before = slurp(file);
    {
        const auto st = SafetensorsFile::open(file);
        at::Tensor w = st->tensor("w");
        w.fill_(3.0f);
        QCOMPARE(w.sum().item<float>(), 12.0f);
    }
    QCOMPARE(slurp(file), before);
}

void TestSafetensors::nonContiguousTensorsAreWrittenInLogicalOrder()
{
    const at::Tensor base = at::arange(6, at::kFloat).reshape({2, 3});
    const at::Tensor transposed = base.t();   // [3,2], strides (1,3)
    saveSafetensors(path("t.safetensors"), {{"t", transposed}});
    const at::Tensor back = SafetensorsFile::open(path("t.safetensors"))->tensor("t");
    QCOMPARE(back.sizes().vec(), (std::vector<std::int64_t>{3, 2}));
    QCOMPARE(back[0][1].item<float>(), 3.0f);   // base[1][0]
    QCOMPARE(back[2][0].item<float>(), 2.0f);   // base[0][2]
}

void TestSafetensors::shardedCheckpointRoundTrip()
{
    const std::string dir = path("model");
    NamedTensors tensors;
    for (int i = 0; i < 5; ++i)
        tensors.emplace_back("model.layers." + std::to_string(i) + ".weight", at::randn({16, 16}));   // 1024 bytes each
    // 2,500-byte shards hold two tensors each: 3 shards + the index.
    const auto written = saveCheckpoint(dir, tensors, 2500);
    QCOMPARE(written.size(), 4u);
    QVERIFY(fs::exists(fs::path(dir) / "model-00001-of-00003.safetensors"));
    QVERIFY(fs::exists(fs::path(dir) / "model-00003-of-00003.safetensors"));
    QVERIFY(!fs::exists(fs::path(dir) / "model.safetensors"));

    const std::string indexText = slurp((fs::path(dir) / "model.safetensors.index.json").string());
    QVERIFY(indexText.find("\"total_size\": 5120") != std::string::npos);
    QVERIFY(indexText.find("\"model.layers.4.weight\": \"model-00003-of-00003.safetensors\"") != std::string::npos);

    const Checkpoint cp = Checkpoint::open(dir);
    QCOMPARE(cp.files().size(), 3u);
    QCOMPARE(cp.names().size(), 5u);
    for (const auto &[name, t] : tensors)
        QVERIFY2(at::equal(cp.tensor(name), t), name.c_str());

    // Re-saving unsharded replaces the index with model.safetensors.
    saveCheckpoint(dir, tensors);
    QVERIFY(!fs::exists(fs::path(dir) / "model.safetensors.index.json"));
    QCOMPARE(Checkpoint::open(dir).files().size(), 1u);
}

void TestSafetensors::indexErrorsNameTheFile()
{
    const std::string dir = path("broken");
    saveCheckpoint(dir, {{"a", at::ones({2})}, {"b", at::ones({2})}}, 8);
    const std::string index = (fs::path(dir) / "model.safetensors.index.json").string();

    // A weight_map entry pointing at the wrong shard.
    spit(index, R"({"metadata":{},"weight_map":{"a":"model-00002-of-00002.safetensors"}})");
    try {
        Checkpoint::open(dir);
        QFAIL("accepted a wrong weight_map");
    } catch (const FormatError &e) {
        QVERIFY2(QString(e.what()).contains("model.safetensors.index.json: says tensor \"a\""), e.what());
    }
    // A missing shard.
    spit(index, R"({"weight_map":{"a":"model-00009-of-00009.safetensors"}})");
    QVERIFY_THROWS_EXCEPTION(IoError, Checkpoint::open(dir));
    // A path escaping the folder.
    spit(index, R"({"weight_map":{"a":"../../etc/passwd"}})");
    QVERIFY_THROWS_EXCEPTION(FormatError, Checkpoint::open(dir));
    // Not JSON at all: the message gives line and column.
    spit(index, "{\n  \"weight_map\": {,\n}");
    try {
        Checkpoint::open(dir);
        QFAIL("accepted broken JSON");
    } catch (const FormatError &e) {
        QVERIFY2(QString(e.what()).contains("model.safetensors.index.json:2:"), e.what());
    }
}

void TestSafetensors::failedWriteKeepsOldFile()
{
    const std::string file = path("keep.safetensors");
    saveSafetensors(file, {{"w", at::ones({3})}});
    const std::string before = slurp(file);
    // A tensor type safetensors cannot hold: the write fails and the old file stays.
    QVERIFY_THROWS_EXCEPTION(Error, saveSafetensors(file, {{"w", at::ones({3}, at::kComplexFloat)}}));
    QCOMPARE(slurp(file), before);
    // No temporary files left behind.
    int count = 0;
    for (const auto &entry : fs::directory_iterator(m_dir.path().toStdString()))
        count += entry.path().filename().string().rfind("keep.safetensors", 0) == 0;
    QCOMPARE(count, 1);
    // A folder that does not exist: the message names the target file.
    try {
        saveSafetensors(path("no/such/dir/x.safetensors"), {{"w", at::ones({1})}});
        QFAIL("wrote into a missing folder");
    } catch (const IoError &e) {
        QVERIFY2(QString(e.what()).contains("x.safetensors"), e.what());
    }
}

void TestSafetensors::openErrorsNameTheFile()
{
    try {
        SafetensorsFile::open(path("missing.safetensors"));
        QFAIL("opened a missing file");
    } catch (const IoError &e) {
        QVERIFY2(QString(e.what()).contains("missing.safetensors: cannot open"), e.what());
    }
    spit(path("empty.safetensors"), "");
    QVERIFY_THROWS_EXCEPTION(FormatError, SafetensorsFile::open(path("empty.safetensors")));
    try {
        Checkpoint::open(m_dir.path().toStdString());
        QFAIL("opened a folder without weights");
    } catch (const IoError &e) {
        QVERIFY2(QString(e.what()).contains("no model.safetensors"), e.what());
    }
    // A tensor the file does not have.
    saveSafetensors(path("one.safetensors"), {{"w", at::ones({1})}});
    QVERIFY_THROWS_EXCEPTION(FormatError, SafetensorsFile::open(path("one.safetensors"))->tensor("nope"));
}

QTEST_GUILESS_MAIN(TestSafetensors)
#include "tst_safetensors.moc"
