// `awb tokenize` through runCli, with std::cin fed from a string: the CLI
// contract (one JSON value per line in and out), its errors, and --stats.
#include "cli/cli.h"

#include <QtTest>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

using nlohmann::json;

namespace {

struct Result
{
    int code = 0;
    std::string out;
    std::string err;
};

Result run(std::vector<std::string> args, const std::string &stdinText)
{
    args.insert(args.begin(), "awb");
    std::vector<const char *> argv;
    for (const auto &a : args)
        argv.push_back(a.c_str());
    std::istringstream in(stdinText);
    std::streambuf *saved = std::cin.rdbuf(in.rdbuf());
    std::ostringstream out, err;
    Result r;
    r.code = awb::runCli(static_cast<int>(argv.size()), argv.data(), out, err);
    std::cin.rdbuf(saved);
    std::cin.clear();
    r.out = out.str();
    r.err = err.str();
    return r;
}

// Bytes as themselves in GPT-2's alphabet for printable ASCII; Ġ for space;
// one merge "h e"; <|end|> special.
json tinyTokenizer()
{
    json vocab = json::object();
    for (int c = 0x21; c <= 0x7E; ++c)
        vocab[std::string(1, static_cast<char>(c))] = c;
    vocab["\xC4\xA0"] = 32;
    vocab["\xC4\x8A"] = 10;
    vocab["he"] = 128;
    vocab["\xC3\x83"] = 195;   // Ã stands for the byte 0xC3
    return {
        {"added_tokens", json::array({{{"id", 129}, {"content", "<|end|>"}, {"special", true}}})},
        {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}}},
        {"decoder", {{"type", "ByteLevel"}}},
        {"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", json::array({"h e"})}}},
    };
}

} // namespace

class TestTokenizerCli : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void encodes();
    void decodes();
    void modelFolderOrFile();
    void badLines_data();
    void badLines();
    void missingModel();
    void stats();

private:
    QTemporaryDir m_dir;
    std::string m_file;
};

void TestTokenizerCli::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_file = m_dir.path().toStdString() + "/tokenizer.json";
    std::ofstream(m_file) << tinyTokenizer().dump();
}

void TestTokenizerCli::encodes()
{
    const Result r = run({"tokenize", "--model", m_file}, "\"hehe!\"\n\"\"\n\"a <|end|>\\n\"\n");
    QCOMPARE(r.code, 0);
    QCOMPARE(r.out, std::string("[128,128,33]\n[]\n[97,32,129,10]\n"));
    QCOMPARE(r.err, std::string());
    const Result special = run({"tokenize", "--model", m_file, "--add-special-tokens"}, "\"he\"\n");
    QCOMPARE(special.out, std::string("[128]\n"));
}

void TestTokenizerCli::decodes()
{
    const Result r = run({"tokenize", "--model", m_file, "--decode"}, "[128,128,33]\n[]\n[97,32,129,10]\n[195]\n");
    QCOMPARE(r.code, 0);
    // A lone byte 0xC3 ("Ã" in GPT-2's alphabet) is half a character: U+FFFD in JSON.
    QCOMPARE(r.out, std::string("\"hehe!\"\n\"\"\n\"a <|end|>\\n\"\n\"\xEF\xBF\xBD\"\n"));
    const Result skip = run({"tokenize", "--model", m_file, "--decode", "--skip-special-tokens"}, "[97,129]\n");
    QCOMPARE(skip.out, std::string("\"a\"\n"));
}

void TestTokenizerCli::modelFolderOrFile()
{
    const Result a = run({"tokenize", "--model", m_dir.path().toStdString()}, "\"hello\"\n");
    const Result b = run({"tokenize", "--model", m_file}, "\"hello\"\n");
    QCOMPARE(a.code, 0);
    QCOMPARE(a.out, b.out);
}

void TestTokenizerCli::badLines_data()
{
    QTest::addColumn<bool>("decode");
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expectedOut");
    QTest::addColumn<QString>("message");
    QTest::newRow("not json") << false << "\"ok\"\n{oops\n\"never\"\n" << "[111,107]\n" << "stdin line 2: not valid JSON";
    QTest::newRow("empty line") << false << "\n" << "" << "stdin line 1: not valid JSON";
    QTest::newRow("not a string") << false << "\"a\"\n\"b\"\n42\n" << "[97]\n[98]\n" << "stdin line 3: expected a JSON string";
    QTest::newRow("not an array") << true << "\"text\"\n" << "" << "stdin line 1: expected a JSON array";
    QTest::newRow("not an id") << true << "[97, \"x\"]\n" << "" << "stdin line 1: element 1";
    QTest::newRow("negative id") << true << "[-5]\n" << "" << "stdin line 1: element 0 (-5)";
    QTest::newRow("unknown id") << true << "[97]\n[97, 5000]\n" << "\"a\"\n" << "stdin line 2: ";
}

void TestTokenizerCli::badLines()
{
    QFETCH(bool, decode);
    QFETCH(QString, input);
    QFETCH(QString, expectedOut);
    QFETCH(QString, message);
    std::vector<std::string> args = {"tokenize", "--model", m_file};
    if (decode)
        args.push_back("--decode");
    const Result r = run(args, input.toStdString());
    QVERIFY(r.code != 0);
    QCOMPARE(QString::fromStdString(r.out), expectedOut);
    const QString err = QString::fromStdString(r.err);
    QVERIFY2(err.startsWith("awb: " + message), qPrintable(err));
    QCOMPARE(err.count('\n'), 1);   // one line
    if (message.contains("line 2: ") && decode)
        QVERIFY2(err.contains("5000"), qPrintable(err));
}

void TestTokenizerCli::missingModel()
{
    const std::string path = m_dir.path().toStdString() + "/absent";
    const Result r = run({"tokenize", "--model", path}, "\"x\"\n");
    QVERIFY(r.code != 0);
    QVERIFY2(r.err.find(path) != std::string::npos, r.err.c_str());
    QCOMPARE(r.out, std::string());
}

void TestTokenizerCli::stats()
{
    const Result r = run({"tokenize", "--model", m_file, "--stats", "--repeat", "3"}, "\"hehe\"\n\"he he\"\n");
    QCOMPARE(r.code, 0);
    QCOMPARE(r.out, std::string("[128,128]\n[128,32,128]\n"));
    QVERIFY2(r.err.find("2 lines") != std::string::npos && r.err.find("15 tokens") != std::string::npos
                 && r.err.find("tokens/s") != std::string::npos,
             r.err.c_str());
}

QTEST_GUILESS_MAIN(TestTokenizerCli)
#include "tst_tokenizer_cli.moc"
