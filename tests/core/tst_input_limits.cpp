// Valid but hostile input meets the limits of core/io/input_limits.h: JSON
// nested 100,000 deep, a 1 GB line, an 8 GB gzip bomb, a chat template that
// loops, a catastrophically backtracking pre-tokenizer regex, oversized JSON
// files and CSV records, too many records. Each must end quickly in an
// awb::Error whose message names the file and the limit (the documented
// defaults are written out here, not read from the header).
#include "data/prompt_import.h"
#include "io/json_util.h"
#include "io/model_config.h"
#include "reward/reward_data.h"
#include "store/label_exchange.h"
#include "store/store.h"
#include "text/tokenizer.h"
#include "util/error.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>
#include <zlib.h>

#include <sys/resource.h>

#include <filesystem>
#include <fstream>

using namespace awb;
namespace fs = std::filesystem;

namespace {

constexpr qint64 kMiBytes = 1 << 20;

std::string writeFile(const QTemporaryDir &dir, const char *name, const std::string &content)
{
    const std::string path = dir.filePath(name).toStdString();
    std::ofstream(path, std::ios::binary) << content;
    return path;
}

// `prefix`, then zero bytes up to `size` without writing them (a sparse file).
std::string sparseFile(const QTemporaryDir &dir, const char *name, const std::string &prefix, std::uintmax_t size)
{
    const std::string path = writeFile(dir, name, prefix);
    fs::resize_file(path, size);
    return path;
}

// The message of the awb::Error f throws ("no error" when it returns; another exception escapes and fails).
template <typename F>
QString refusal(F &&f)
{
    try {
        f();
    } catch (const Error &e) {
        return QString::fromStdString(e.what());
    }
    return QStringLiteral("no error");
}

void expectNames(const QString &msg, const std::string &path, const QString &limit)
{
    QVERIFY2(msg.contains(QString::fromStdString(path)), qPrintable(msg));
    QVERIFY2(msg.contains(limit), qPrintable(msg));
    QVERIFY2(msg.contains("limit"), qPrintable(msg));
}

std::string nested(int depth, const std::string &inner = "1")
{
    return std::string(static_cast<std::size_t>(depth), '[') + inner + std::string(static_cast<std::size_t>(depth), ']');
}

long peakRssMiB()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss / 1024;
}

// A tokenizer.json of the ASCII letters and '!' (GPT-2's byte alphabet maps them to themselves),
// no merges, and `preTokenizer` (JSON text).
std::string asciiTokenizer(const std::string &preTokenizer)
{
    std::string vocab;
    int id = 0;
    for (char c = 'a'; c <= 'z'; ++c, ++id)
        vocab += std::string(id ? "," : "") + "\"" + c + "\":" + std::to_string(id);
    vocab += ",\"!\":" + std::to_string(id);
    return R"({"model": {"type": "BPE", "vocab": {)" + vocab + R"(}, "merges": []}, "pre_tokenizer": )" + preTokenizer
           + R"(, "decoder": {"type": "ByteLevel"}})";
}

} // namespace

class TestInputLimits : public QObject
{
    Q_OBJECT

private slots:
    void jsonNestingDepth()
    {
        // 512 levels parse, 513 do not; brackets inside strings do not count.
        QCOMPARE(parseJson(nested(512), "x.json").is_array(), true);
        QVERIFY(parseJson("[\"" + std::string(5000, '[') + "\"]", "x.json").is_array());
        expectNames(refusal([] { parseJson(nested(513), "x.json"); }), "x.json:1:513", "512 levels");

        QTemporaryDir dir;
        const std::string deep = nested(100000);
        const std::string labels = writeFile(dir, "labels.jsonl", "{\"sample_id\": " + deep + "}\n");
        Store store = Store::open(dir.filePath("ws.awb").toStdString());
        expectNames(refusal([&] { importLabels(store, labels); }), labels + ":1:", "512 levels");
        const std::string prompts = writeFile(dir, "prompts.jsonl", "{\"prompt\": \"a\"}\n{\"prompt\": " + deep + "}\n");
        expectNames(refusal([&] { importPrompts(prompts); }), prompts + ":2:", "512 levels");
        const std::string data = writeFile(dir, "data.jsonl", "{\"prompt\": \"p\", \"response\": \"r\", \"x\": " + deep + "}\n");
        expectNames(refusal([&] { loadRewardData({{data, ""}}, {}, std::nullopt); }), data + ":1:", "512 levels");
        fs::create_directories(dir.filePath("model").toStdString());
        const std::string config = writeFile(dir, "model/config.json", "{\"model_type\": \"llama\", \"x\": " + deep + "}");
        expectNames(refusal([&] { loadModelConfig(config); }), config, "512 levels");
    }

    void oneGigabyteLine()
    {
        // One line of 1 GiB (a sparse file: nothing is written): refused after 16 MiB.
        QTemporaryDir dir;
        const std::uintmax_t gib = 1ull << 30;
        QElapsedTimer timer;
        timer.start();
        const std::string prompts = sparseFile(dir, "prompts.jsonl", "{\"prompt\": \"", gib);
        expectNames(refusal([&] { importPrompts(prompts); }), prompts + ":1:", "16 MiB");
        const std::string csv = sparseFile(dir, "prompts.csv", "prompt\n\"", gib);
        expectNames(refusal([&] { importPrompts(csv); }), csv + ":2:", "16 MiB");
        const std::string data = sparseFile(dir, "data.jsonl", "{\"prompt\": \"", gib);
        expectNames(refusal([&] { loadRewardData({{data, ""}}, {}, std::nullopt); }), data + ":1:", "16 MiB");
        const std::string labels = sparseFile(dir, "labels.jsonl", "{\"prompt\": \"", gib);
        Store store = Store::open(dir.filePath("ws.awb").toStdString());
        expectNames(refusal([&] { importLabels(store, labels); }), labels + ":1:", "16 MiB");
        QVERIFY2(timer.elapsed() < 30000, qPrintable(QString::number(timer.elapsed())));
        QVERIFY2(peakRssMiB() < 1024, qPrintable(QString::number(peakRssMiB())));   // the issue's run took 2.4 GB
    }

    void gzipBomb()
    {
        // 8 GiB of newlines as 512 gzip members of 16 MiB each (zlib reads them as one stream), 8 MB on disk.
        QTemporaryDir dir;
        const std::string member = [] {
            const std::string chunk(static_cast<std::size_t>(16 * kMiBytes), '\n');
            uLongf n = compressBound(static_cast<uLong>(chunk.size()));
            std::string out(n + 32, '\0');
            z_stream z{};
            deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY);   // +16: a gzip wrapper
            z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(chunk.data()));
            z.avail_in = static_cast<uInt>(chunk.size());
            z.next_out = reinterpret_cast<Bytef *>(out.data());
            z.avail_out = static_cast<uInt>(out.size());
            deflate(&z, Z_FINISH);
            out.resize(z.total_out);
            deflateEnd(&z);
            return out;
        }();
        const std::string path = dir.filePath("bomb.jsonl.gz").toStdString();
        {
            std::ofstream out(path, std::ios::binary);
            for (int i = 0; i < 512; ++i)
                out << member;
        }
        QVERIFY(fs::file_size(path) < static_cast<std::uintmax_t>(16 * kMiBytes));
        QElapsedTimer timer;
        timer.start();
        const QString msg = refusal([&] { importPrompts(path); });
        expectNames(msg, path, "100 times");
        QVERIFY2(msg.contains("64 MiB"), qPrintable(msg));
        QVERIFY2(timer.elapsed() < 10000, qPrintable(QString::number(timer.elapsed())));

        // The inflated size on its own: a plain file of 2 MiB against a 1 MiB limit.
        const std::string big = writeFile(dir, "big.jsonl", std::string(static_cast<std::size_t>(2 * kMiBytes), '\n'));
        PromptImportOptions o;
        o.limits.maxTextBytes = kMiBytes;
        expectNames(refusal([&] { importPrompts(big, o); }), big, "1 MiB");
    }

    void tooManyRecords()
    {
        QTemporaryDir dir;
        std::string text;
        for (int i = 1; i <= 11; ++i)
            text += "{\"prompt\": \"question " + std::to_string(i) + "\", \"response\": \"r\", \"safety\": 0.5}\n";
        const std::string path = writeFile(dir, "prompts.jsonl", text);
        PromptImportOptions o;
        o.limits.maxRecords = 10;
        expectNames(refusal([&] { importPrompts(path, o); }), path + ":11", "more than 10 prompts");
        o.maxPrompts = 5;   // asking for fewer is no error
        QCOMPARE(importPrompts(path, o).prompts.size(), std::size_t(5));
        ReadLimits limits;
        limits.maxRecords = 10;
        expectNames(refusal([&] { loadRewardData({{path, ""}}, {}, std::nullopt, limits); }), path + ":11",
                    "more than 10 records");
        // A CSV record of 5,000 fields.
        const std::string csv = writeFile(dir, "wide.csv", "prompt\n" + std::string(5000, ',') + "\n");
        expectNames(refusal([&] { importPrompts(csv); }), csv + ":2", "more than 4096 fields");
    }

    void oversizedJsonFile()
    {
        // A 300 MB config.json and tokenizer.json (sparse): refused by their size, before reading.
        QTemporaryDir dir;
        fs::create_directories(dir.filePath("m").toStdString());
        const std::uintmax_t size = 300ull << 20;
        const std::string config = sparseFile(dir, "m/config.json", "{", size);
        expectNames(refusal([&] { loadModelConfig(config); }), config, "256 MiB");
        const std::string tokenizer = sparseFile(dir, "m/tokenizer.json", "{", size);
        expectNames(refusal([&] { Tokenizer::load(tokenizer); }), tokenizer, "256 MiB");
    }

    void loopingChatTemplate()
    {
        // Templates are recognised by their markers and rendered by code, never executed: nested loops
        // of 10^18 iterations and a macro that calls itself cost nothing.
        QTemporaryDir dir;
        writeFile(dir, "tokenizer.json", asciiTokenizer("null"));
        const std::string loops = "{% macro r() %}{{ r() }}{% endmacro %}{{ r() }}"
                                  "{% for i in range(10**9) %}{% for j in range(10**9) %}{{ i }}{% endfor %}{% endfor %}";
        const std::string config = writeFile(dir, "tokenizer_config.json", "{\"chat_template\": \"" + loops + "\"}");
        const Tokenizer unknown = Tokenizer::load(dir.path().toStdString());
        QElapsedTimer timer;
        timer.start();
        const QString msg = refusal([&] { unknown.applyChatTemplate({{"user", "Hi"}}, true); });
        QVERIFY2(msg.contains(QString::fromStdString(config)) && msg.contains("never executed"), qPrintable(msg));

        writeFile(dir, "tokenizer_config.json", "{\"chat_template\": \"<|im_start|>" + loops + "\"}");
        const Tokenizer chatMl = Tokenizer::load(dir.path().toStdString());
        QCOMPARE(chatMl.applyChatTemplate({{"user", "Hi"}}, true),
                 std::string("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"));
        QVERIFY(timer.elapsed() < 1000);

        // The template's own size: 1 MiB at most.
        writeFile(dir, "tokenizer_config.json", "{\"chat_template\": \"<|im_start|>" + std::string(kMiBytes, 'x') + "\"}");
        expectNames(refusal([&] { Tokenizer::load(dir.path().toStdString()); }), config, "1 MiB");
    }

    void catastrophicRegex()
    {
        // (a+)+$ on a run of a's that ends in '!': 2^n ways to split the run before each failure.
        QTemporaryDir dir;
        const std::string path = writeFile(dir, "tokenizer.json", asciiTokenizer(
            R"({"type": "Split", "pattern": {"Regex": "(a+)+$"}, "behavior": "Isolated", "invert": false})"));
        const Tokenizer t = Tokenizer::load(path);
        QCOMPARE(t.encode("aaa").size(), std::size_t(3));   // a match is cheap
        QElapsedTimer timer;
        timer.start();
        const QString msg = refusal([&] { t.encode(std::string(40, 'a') + "!"); });
        expectNames(msg, path, "10000000 backtracking steps");
        QVERIFY2(msg.contains("pre_tokenizer"), qPrintable(msg));
        QVERIFY2(timer.elapsed() < 10000, qPrintable(QString::number(timer.elapsed())));
    }
};

QTEST_GUILESS_MAIN(TestInputLimits)
#include "tst_input_limits.moc"
