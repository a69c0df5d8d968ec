// The safetensors header parser and writer, against byte strings written out by
// hand from the format specification and from the reference crate's own tests.
#include "io/safetensors_header.h"
#include "util/error.h"

#include <QtTest>

#include <cstring>
#include <string>

using namespace awb;

namespace {

// 8-byte little-endian length + header, as a test would build a file by hand.
std::string withPrefix(const std::string &json, const std::string &data = {})
{
    std::string out(8, '\0');
    const std::uint64_t n = json.size();
    for (int i = 0; i < 8; ++i)
        out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
    return out + json + data;
}

SafetensorsHeader parse(const std::string &file)
{
    return parseSafetensorsHeader(reinterpret_cast<const std::uint8_t *>(file.data()), file.size(), file.size(),
                                  "test.safetensors");
}

std::string f32Bytes(std::initializer_list<float> values)
{
    std::string out;
    for (float v : values) {
        char b[4];
        std::memcpy(b, &v, 4);
        out.append(b, 4);
    }
    return out;
}

} // namespace

class TestSafetensorsHeader : public QObject
{
    Q_OBJECT

private slots:
    void serializeMatchesReference_data();
    void serializeMatchesReference();
    void writerOrdersByAlignmentThenName();
    void parsesValidFile();
    void zeroSizedTensorsAreValid();
    void rejectsBadInput_data();
    void rejectsBadInput();
    void rejectsDuplicateNamesInWriter();
};

void TestSafetensorsHeader::serializeMatchesReference_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QList<qint64>>("shape");
    QTest::addColumn<bool>("withMetadata");
    QTest::addColumn<QByteArray>("expected");

    // From the reference crate's test_serialization: "attn.0" F32 [1,2,3];
    // the JSON is exactly 64 bytes, so no padding.
    QTest::newRow("attn.0") << "attn.0" << QList<qint64>{1, 2, 3} << false
                            << QByteArray("\x40\0\0\0\0\0\0\0", 8)
                                   + QByteArray(R"({"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}})");
    // test_serialization_forced_alignement: "attn0" [1,1,2,3] gives 65 bytes of JSON,
    // padded with 7 spaces to 72.
    QTest::newRow("attn0 padded") << "attn0" << QList<qint64>{1, 1, 2, 3} << false
                                  << QByteArray("\x48\0\0\0\0\0\0\0", 8)
                                         + QByteArray(R"({"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}})")
                                         + QByteArray(7, ' ');
    // test_empty with metadata {"framework": "pt"}: 35 bytes, padded to 40.
    QTest::newRow("empty with metadata") << QString() << QList<qint64>{} << true
                                         << QByteArray("\x28\0\0\0\0\0\0\0", 8)
                                                + QByteArray(R"({"__metadata__":{"framework":"pt"}})")
                                                + QByteArray(5, ' ');
    // test_empty without metadata: "{}" padded to 8.
    QTest::newRow("empty") << QString() << QList<qint64>{} << false
                           << QByteArray("\x08\0\0\0\0\0\0\0", 8) + QByteArray("{}      ");
}

void TestSafetensorsHeader::serializeMatchesReference()
{
    QFETCH(QString, name);
    QFETCH(QList<qint64>, shape);
    QFETCH(bool, withMetadata);
    QFETCH(QByteArray, expected);

    std::vector<SafetensorsTensorSpec> specs;
    if (!name.isEmpty())
        specs.push_back({name.toStdString(), SafetensorsDtype::F32, std::vector<std::int64_t>(shape.begin(), shape.end())});
    std::map<std::string, std::string> metadata;
    if (withMetadata)
        metadata["framework"] = "pt";
    const std::string header = serializeSafetensorsHeader(layoutSafetensors(specs), metadata);
    QCOMPARE(QByteArray::fromStdString(header), expected);
    QCOMPARE(header.size() % 8, 0u);

    // And it parses back to what was written.
    const std::string data = name.isEmpty() ? std::string() : f32Bytes({0, 1, 2, 3, 4, 5});
    const auto parsed = parse(header + data);
    QCOMPARE(parsed.entries.size(), specs.size());
    QCOMPARE(parsed.dataStart, static_cast<std::uint64_t>(header.size()));
    QCOMPARE(parsed.metadata.size(), metadata.size());
}

void TestSafetensorsHeader::writerOrdersByAlignmentThenName()
{
    // The reference writer sorts by decreasing dtype rank (I64 > F32 > BF16 > U8 > BOOL), then name.
    const auto entries = layoutSafetensors({{"z_mask", SafetensorsDtype::Bool, {3}},
                                            {"b_weight", SafetensorsDtype::F32, {2}},
                                            {"a_weight", SafetensorsDtype::F32, {1}},
                                            {"ids", SafetensorsDtype::I64, {2}},
                                            {"half", SafetensorsDtype::BF16, {1}},
                                            {"bytes", SafetensorsDtype::U8, {5}}});
    QStringList order;
    for (const auto &e : entries)
        order << QString::fromStdString(e.name);
    QCOMPARE(order, (QStringList{"ids", "a_weight", "b_weight", "half", "bytes", "z_mask"}));
    // Offsets worked out by hand: 16, +4, +8, +2, +5, +3 bytes.
    QCOMPARE(entries[0].begin, 0u);
    QCOMPARE(entries[1].begin, 16u);
    QCOMPARE(entries[2].begin, 20u);
    QCOMPARE(entries[3].begin, 28u);
    QCOMPARE(entries[4].begin, 30u);
    QCOMPARE(entries[5].begin, 35u);
    QCOMPARE(entries[5].end, 38u);
}

void TestSafetensorsHeader::parsesValidFile()
{
    // Tensors listed out of data order, with metadata, and trailing padding spaces.
    const std::string json = R"({"b":{"dtype":"I32","shape":[2],"data_offsets":[8,16]},)"
                             R"("__metadata__":{"format":"pt","note":"x"},)"
                             R"("a":{"dtype":"F16","shape":[2,2],"data_offsets":[0,8]}}   )";
    const auto h = parse(withPrefix(json, std::string(16, '\x01')));
    QCOMPARE(h.entries.size(), 2u);
    QCOMPARE(h.entries[0].name, std::string("a"));   // sorted by offset
    QCOMPARE(h.entries[0].dtype, SafetensorsDtype::F16);
    QCOMPARE(h.entries[0].shape, (std::vector<std::int64_t>{2, 2}));
    QCOMPARE(h.entries[1].name, std::string("b"));
    QCOMPARE(h.entries[1].begin, 8u);
    QCOMPARE(h.metadata.at("format"), std::string("pt"));
    QCOMPARE(h.dataStart, 8u + json.size());
    QVERIFY(h.find("b") != nullptr);
    QVERIFY(h.find("c") == nullptr);
}

void TestSafetensorsHeader::zeroSizedTensorsAreValid()
{
    const std::string json = R"({"e":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]},)"
                             R"("s":{"dtype":"F32","shape":[],"data_offsets":[0,4]}})";
    const auto h = parse(withPrefix(json, f32Bytes({7})));
    QCOMPARE(h.entries.size(), 2u);
    QCOMPARE(h.find("e")->numel(), 0);
    QCOMPARE(h.find("s")->numel(), 1);   // a scalar has one element
}

void TestSafetensorsHeader::rejectsBadInput_data()
{
    QTest::addColumn<QByteArray>("file");
    QTest::addColumn<QString>("expectedInMessage");

    const std::string good = R"("w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})";
    QTest::newRow("shorter than 8 bytes") << QByteArray("\x05\0\0", 3) << "too short";
    QTest::newRow("header length past the end")
        << QByteArray::fromStdString(withPrefix("{}").replace(0, 1, 1, '\x40')) << "runs past the end of the file";
    QTest::newRow("header length absurd")
        << QByteArray("\xff\xff\xff\xff\xff\xff\xff\x7f{}", 10) << "exceeds the limit";
    QTest::newRow("not an object") << QByteArray::fromStdString(withPrefix("[1,2,3]  ")) << "not a JSON object";
    QTest::newRow("invalid JSON") << QByteArray::fromStdString(withPrefix("{\"w\":")) << "not valid JSON";
    QTest::newRow("invalid UTF-8")
        << QByteArray::fromStdString(withPrefix("{\"\xff\xfe\":{}}")) << "not valid JSON";
    QTest::newRow("unknown dtype")
        << QByteArray::fromStdString(withPrefix(R"({"w":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}})",
                                                std::string(16, '\0')))
        << "tensor \"w\": unknown or unsupported dtype \"F128\"";
    QTest::newRow("entry not an object") << QByteArray::fromStdString(withPrefix(R"({"w":5})")) << "tensor \"w\"";
    QTest::newRow("negative shape")
        << QByteArray::fromStdString(withPrefix(R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", "abcd"))
        << "non-negative integer";
    QTest::newRow("offsets disagree with shape x dtype")
        << QByteArray::fromStdString(withPrefix(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})",
                                                std::string(8, '\0')))
        << "hold 8 bytes but shape [3] x F32 needs 12";
    QTest::newRow("offsets past the data")
        << QByteArray::fromStdString(withPrefix("{" + good + "}", std::string(4, '\0')))
        << "run past the end of the data region (4 bytes)";
    QTest::newRow("overlap")
        << QByteArray::fromStdString(withPrefix(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                                R"("v":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                                                std::string(12, '\0')))
        << "tensor \"v\": data overlaps tensor \"w\"";
    QTest::newRow("gap")
        << QByteArray::fromStdString(withPrefix(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                                                std::string(8, '\0')))
        << "gap of 4 unused bytes";
    QTest::newRow("trailing bytes")
        << QByteArray::fromStdString(withPrefix("{" + good + "}", std::string(9, '\0'))) << "trailing bytes";
    QTest::newRow("end before begin")
        << QByteArray::fromStdString(withPrefix(R"({"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})",
                                                std::string(8, '\0')))
        << "end before they begin";
    QTest::newRow("duplicate names")
        << QByteArray::fromStdString(withPrefix("{" + good + "," + good + "}", std::string(8, '\0')))
        << "tensor \"w\": name appears more than once";
    QTest::newRow("metadata not strings")
        << QByteArray::fromStdString(withPrefix(R"({"__metadata__":{"n":1}})")) << "\"__metadata__\" entry \"n\"";
    QTest::newRow("shape overflow")
        << QByteArray::fromStdString(withPrefix(
               R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}})", "abcd"))
        << "overflows";
    QTest::newRow("offsets missing")
        << QByteArray::fromStdString(withPrefix(R"({"w":{"dtype":"F32","shape":[1]}})", "abcd")) << "data_offsets";
}

void TestSafetensorsHeader::rejectsBadInput()
{
    QFETCH(QByteArray, file);
    QFETCH(QString, expectedInMessage);
    try {
        parse(file.toStdString());
        QFAIL("accepted a malformed file");
    } catch (const FormatError &e) {
        const QString message = QString::fromUtf8(e.what());
        QVERIFY2(message.startsWith(QStringLiteral("test.safetensors: ")), qPrintable(message));
        QVERIFY2(message.contains(expectedInMessage), qPrintable(message));
    }
}

void TestSafetensorsHeader::rejectsDuplicateNamesInWriter()
{
    QVERIFY_THROWS_EXCEPTION(Error, layoutSafetensors({{"w", SafetensorsDtype::F32, {1}},
                                                       {"w", SafetensorsDtype::F16, {1}}}));
    QVERIFY_THROWS_EXCEPTION(Error, layoutSafetensors({{"__metadata__", SafetensorsDtype::F32, {1}}}));
}

QTEST_GUILESS_MAIN(TestSafetensorsHeader)
#include "tst_safetensors_header.moc"
