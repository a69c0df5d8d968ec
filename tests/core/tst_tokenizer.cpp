// The tokenizer on small tokenizer.json files written here, with expected ids
// worked out by hand from the BPE definition (lowest merge rank first,
// leftmost among equals), plus edge cases, errors and concurrency.
// Byte ids equal byte values: the vocabulary below lists GPT-2's byte alphabet
// in byte order, so 'a' is 97, ' ' (written Ġ) is 32, 0xFF (ÿ) is 255.
#include "text/ecma_regex.h"
#include "text/token_stream_decoder.h"
#include "text/tokenizer.h"
#include "util/error.h"

#include <QtTest>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <thread>

using namespace awb;
using nlohmann::json;
using Ids = std::vector<std::int32_t>;

namespace {

// GPT-2's bytes_to_unicode, written out from its definition.
std::string byteChar(int b)
{
    const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    int cp = b;
    if (!printable) {
        int n = 0;
        for (int k = 0; k < b; ++k) {
            const bool p = (k >= 0x21 && k <= 0x7E) || (k >= 0xA1 && k <= 0xAC) || (k >= 0xAE && k <= 0xFF);
            n += p ? 0 : 1;
        }
        cp = 256 + n;
    }
    std::string s;
    if (cp < 0x80) {
        s += static_cast<char>(cp);
    } else {
        s += static_cast<char>(0xC0 | (cp >> 6));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return s;
}

struct Spec
{
    std::vector<std::pair<std::string, std::string>> merges;   // byte-level strings
    json extraVocab = json::object();                            // token -> id
    json added = json::array();
    json normalizer = nullptr;
    json postProcessor = nullptr;
    bool ignoreMerges = false;
    bool pairs = false;   // merges as [a, b] instead of "a b"
};

// A byte-level BPE tokenizer.json: ids 0..255 are the bytes, merged tokens follow.
json byteLevelJson(const Spec &spec)
{
    json vocab = json::object();
    for (int b = 0; b < 256; ++b)
        vocab[byteChar(b)] = b;
    int next = 256;
    json merges = json::array();
    for (const auto &[a, b] : spec.merges) {
        if (!vocab.contains(a + b))
            vocab[a + b] = next++;
        merges.push_back(spec.pairs ? json::array({a, b}) : json(a + " " + b));
    }
    for (auto it = spec.extraVocab.begin(); it != spec.extraVocab.end(); ++it)
        vocab[it.key()] = it.value();
    return {
        {"version", "1.0"},
        {"added_tokens", spec.added},
        {"normalizer", spec.normalizer},
        {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}}},
        {"post_processor", spec.postProcessor},
        {"decoder", {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}}},
        {"model", {{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", nullptr}, {"ignore_merges", spec.ignoreMerges},
                   {"byte_fallback", false}, {"vocab", vocab}, {"merges", merges}}},
    };
}

Tokenizer make(const Spec &spec, const json &config = json())
{
    return Tokenizer::fromJsonText(byteLevelJson(spec).dump(), config.is_null() ? "" : config.dump(), "test.json");
}

json addedToken(const std::string &content, int id, bool special, bool lstrip = false, bool rstrip = false,
                bool singleWord = false)
{
    return {{"id", id}, {"content", content}, {"single_word", singleWord}, {"lstrip", lstrip},
            {"rstrip", rstrip}, {"normalized", false}, {"special", special}};
}

std::vector<std::pair<std::string, std::string>> helloMerges()
{
    const std::string G = byteChar(' ');
    return {{"h", "e"}, {"l", "l"}, {"he", "ll"}, {"hell", "o"}, {G, "w"}, {"o", "r"}, {G + "w", "or"}};
}

std::string errorOf(const std::function<void()> &f)
{
    try {
        f();
    } catch (const std::exception &e) {
        return e.what();
    }
    return "(no exception)";
}

} // namespace

class TestTokenizer : public QObject
{
    Q_OBJECT

private slots:
    void byteAlphabet();
    void mergesByRank();
    void mergeFormatsAgree();
    void leftmostAmongEqualRanks();
    void rankBeatsPosition();
    void ignoreMerges();
    void longPieceIsNotQuadratic();
    void emptyAndWhitespace();
    void loneSpecialToken();
    void addedTokensStrip();
    void singleWordAddedToken();
    void invalidUtf8IsKeptAsBytes();
    void nfcNormalizer();
    void byteFallbackModel();
    void specialTokensFromPostProcessorAndConfig();
    void configIds();
    void decodeRejectsUnknownIds();
    void streamDecoderHoldsIncompleteCharacters();
    void concurrentEncoding();
    void loadFromFolderOrFile();
    void malformed_data();
    void malformed();
    void ecmaRegex();
};

void TestTokenizer::byteAlphabet()
{
    const Tokenizer tok = make({});
    QCOMPARE(tok.vocabSize(), 256);
    QCOMPARE(tok.idToToken(32), std::string("\xC4\xA0"));   // Ġ
    QCOMPARE(tok.idToToken(10), std::string("\xC4\x8A"));   // Ċ
    QCOMPARE(tok.idToToken(255), std::string("\xC3\xBF"));  // ÿ
    QCOMPARE(tok.encode("a b\n"), (Ids{97, 32, 98, 10}));
}

void TestTokenizer::mergesByRank()
{
    // "hello world" -> "hello" | " world" (GPT-2 pattern). "hello": h e (0) -> he, l l (1) -> ll,
    // he ll (2) -> hell, hell o (3) -> hello. "Ġworld": Ġ w (4), o r (5), Ġw or (6) -> Ġwor l d.
    const Tokenizer tok = make({helloMerges()});
    const auto hello = *tok.tokenToId("hello");
    const auto gwor = *tok.tokenToId(byteChar(' ') + "wor");
    QCOMPARE(tok.encode("hello world"), (Ids{hello, gwor, 'l', 'd'}));
    QCOMPARE(tok.decode(tok.encode("hello world")), std::string("hello world"));
}

void TestTokenizer::mergeFormatsAgree()
{
    Spec strings{helloMerges()};
    Spec pairs{helloMerges()};
    pairs.pairs = true;
    QCOMPARE(make(pairs).encode("hello world, hell or hello"), make(strings).encode("hello world, hell or hello"));
}

void TestTokenizer::leftmostAmongEqualRanks()
{
    const Tokenizer tok = make({{{"a", "a"}}});
    const auto aa = *tok.tokenToId("aa");
    QCOMPARE(tok.encode("aaa"), (Ids{aa, 'a'}));
    QCOMPARE(tok.encode("aaaa"), (Ids{aa, aa}));
    QCOMPARE(tok.encode("aaaaa"), (Ids{aa, aa, 'a'}));
}

void TestTokenizer::rankBeatsPosition()
{
    // b c has rank 0, a b rank 1: "abc" merges the later pair first and a b never applies.
    const Tokenizer tok = make({{{"b", "c"}, {"a", "b"}}});
    QCOMPARE(tok.encode("abc"), (Ids{'a', *tok.tokenToId("bc")}));
    QCOMPARE(tok.encode("abd"), (Ids{*tok.tokenToId("ab"), 'd'}));
}

void TestTokenizer::ignoreMerges()
{
    // "abc" is in the vocabulary but no merge builds it.
    Spec spec{{{"a", "b"}}};
    spec.extraVocab["abc"] = 300;
    QCOMPARE(make(spec).encode("abc"), (Ids{256, 'c'}));   // ab is id 256
    spec.ignoreMerges = true;
    QCOMPARE(make(spec).encode("abc"), (Ids{300}));
    QCOMPARE(make(spec).encode("abcd"), (Ids{256, 'c', 'd'}));
}

void TestTokenizer::longPieceIsNotQuadratic()
{
    // One pre-token of 400,000 letters: merges a a, aa aa, aaaa aaaa give 50,000 tokens of 8.
    const Tokenizer tok = make({{{"a", "a"}, {"aa", "aa"}, {"aaaa", "aaaa"}}});
    const std::string text(400000, 'a');
    const auto t0 = std::chrono::steady_clock::now();
    const Ids ids = tok.encode(text);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    QCOMPARE(ids.size(), std::size_t(50000));
    QCOMPARE(ids.front(), *tok.tokenToId("aaaaaaaa"));
    QVERIFY2(seconds < 2.0, qPrintable(QString("took %1 s").arg(seconds)));
    QCOMPARE(tok.decode(ids), text);
}

void TestTokenizer::emptyAndWhitespace()
{
    const Tokenizer tok = make({{{byteChar(' '), byteChar(' ')}}});
    const auto gg = *tok.tokenToId(byteChar(' ') + byteChar(' '));
    QCOMPARE(tok.encode(""), Ids{});
    QCOMPARE(tok.decode({}), std::string());
    QCOMPARE(tok.encode("   "), (Ids{gg, 32}));
    // "\s+(?!\S)" leaves the last space to the word: "a   b" -> a | "  " | " b".
    QCOMPARE(tok.encode("a   b"), (Ids{'a', gg, 32, 'b'}));
    QCOMPARE(tok.encode("\t\n"), (Ids{9, 10}));
}

void TestTokenizer::loneSpecialToken()
{
    Spec spec;
    spec.added = json::array({addedToken("<|end|>", 300, true), addedToken("<tool>", 301, false)});
    const Tokenizer tok = make(spec);
    QCOMPARE(tok.encode("<|end|>"), (Ids{300}));
    QCOMPARE(tok.encode("a<|end|><|end|>b"), (Ids{'a', 300, 300, 'b'}));
    QCOMPARE(tok.encode("<|end|"), (Ids{'<', '|', 'e', 'n', 'd', '|'}));
    QVERIFY(tok.isSpecial(300));
    QVERIFY(!tok.isSpecial(301));
    QVERIFY(!tok.isSpecial('a'));
    QCOMPARE(tok.decode({300}), std::string("<|end|>"));
    QCOMPARE(tok.decode({300}, true), std::string());
    QCOMPARE(tok.decode({'a', 301, 300}, true), std::string("a<tool>"));
    QCOMPARE(tok.vocabSize(), 302);
}

void TestTokenizer::addedTokensStrip()
{
    Spec spec;
    spec.added = json::array({addedToken("<L>", 300, true, true, false), addedToken("<R>", 301, true, false, true)});
    const Tokenizer tok = make(spec);
    QCOMPARE(tok.encode("a \t<L> b"), (Ids{'a', 300, 32, 'b'}));
    QCOMPARE(tok.encode("a <R> \n b"), (Ids{'a', 32, 301, 'b'}));
}

void TestTokenizer::singleWordAddedToken()
{
    Spec spec;
    spec.added = json::array({addedToken("ab", 300, false, false, false, true)});
    const Tokenizer tok = make(spec);
    QCOMPARE(tok.encode("ab cd"), (Ids{300, 32, 'c', 'd'}));
    QCOMPARE(tok.encode("(ab)"), (Ids{'(', 300, ')'}));
    QCOMPARE(tok.encode("xab"), (Ids{'x', 'a', 'b'}));
    QCOMPARE(tok.encode("ab_"), (Ids{'a', 'b', '_'}));
}

void TestTokenizer::invalidUtf8IsKeptAsBytes()
{
    // Invalid bytes never reach the regex: each becomes its own byte token, and the
    // valid text around it is encoded as usual, so decoding gives the input back.
    const Tokenizer tok = make({helloMerges()});
    const auto hello = *tok.tokenToId("hello");
    QCOMPARE(tok.encode("hello\xFFhello"), (Ids{hello, 255, hello}));
    QCOMPARE(tok.encode("\xE2\x82"), (Ids{0xE2, 0x82}));          // truncated euro sign
    QCOMPARE(tok.encode("\xC0\xAF"), (Ids{0xC0, 0xAF}));          // overlong slash
    QCOMPARE(tok.encode("\xED\xA0\x80"), (Ids{0xED, 0xA0, 0x80}));  // a surrogate
    for (const std::string s : {"hello\xFFhello", "\xE2\x82", "a\x80\x80 b", "\xF4\x90\x80\x80"})
        QCOMPARE(tok.decode(tok.encode(s)), s);
}

void TestTokenizer::nfcNormalizer()
{
    Spec spec;
    spec.normalizer = {{"type", "Sequence"}, {"normalizers", json::array({{{"type", "NFC"}}})}};
    const Tokenizer tok = make(spec);
    const std::string decomposed = "e\xCC\x81";   // e + COMBINING ACUTE ACCENT
    QCOMPARE(tok.encode(decomposed), (Ids{0xC3, 0xA9}));
    QCOMPARE(tok.decode(tok.encode(decomposed)), std::string("\xC3\xA9"));
    QCOMPARE(tok.normalize("cafe\xCC\x81\xFF"), std::string("caf\xC3\xA9\xFF"));
    QCOMPARE(make({}).encode(decomposed), (Ids{'e', 0xCC, 0x81}));
}

void TestTokenizer::byteFallbackModel()
{
    // A SentencePiece-style BPE: characters, <0xXX> byte tokens for the rest.
    const json j = {
        {"added_tokens", json::array()},
        {"normalizer", nullptr},
        {"pre_tokenizer", nullptr},
        {"decoder", {{"type", "Sequence"}, {"decoders", json::array({{{"type", "ByteFallback"}}, {{"type", "Fuse"}}})}}},
        {"model", {{"type", "BPE"}, {"byte_fallback", true}, {"unk_token", "<unk>"},
                   {"vocab", {{"<unk>", 0}, {"a", 1}, {"b", 2}, {"ab", 3}, {"<0xC3>", 4}, {"<0xA9>", 5}}},
                   {"merges", json::array({"a b"})}}},
    };
    const Tokenizer tok = Tokenizer::fromJsonText(j.dump(), "", "fallback.json");
    QCOMPARE(tok.encode("abé"), (Ids{3, 4, 5}));
    QCOMPARE(tok.decode({3, 4, 5}), std::string("abé"));
    QCOMPARE(tok.encode("a€"), (Ids{1, 0}));   // E2 82 AC has no byte tokens: unk
}

void TestTokenizer::specialTokensFromPostProcessorAndConfig()
{
    Spec spec;
    spec.added = json::array({addedToken("<s>", 300, true), addedToken("</s>", 301, true)});
    spec.postProcessor = {
        {"type", "TemplateProcessing"},
        {"single", json::array({{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}},
                                {{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
                                {{"SpecialToken", {{"id", "</s>"}, {"type_id", 0}}}}})},
        {"special_tokens", {{"<s>", {{"id", "<s>"}, {"ids", {300}}, {"tokens", {"<s>"}}}},
                            {"</s>", {{"id", "</s>"}, {"ids", {301}}, {"tokens", {"</s>"}}}}}},
    };
    const Tokenizer templ = make(spec);
    QCOMPARE(templ.encode("a", true), (Ids{300, 'a', 301}));
    QCOMPARE(templ.encode("a", false), (Ids{'a'}));

    spec.postProcessor = {{"type", "ByteLevel"}, {"add_prefix_space", false}};
    const Tokenizer plain = make(spec, {{"bos_token", "<s>"}, {"eos_token", "</s>"}, {"add_bos_token", true}});
    QCOMPARE(plain.encode("a", true), (Ids{300, 'a'}));
    const Tokenizer none = make(spec, {{"bos_token", "<s>"}});
    QCOMPARE(none.encode("a", true), (Ids{'a'}));
}

void TestTokenizer::configIds()
{
    Spec spec;
    spec.added = json::array({addedToken("<|endoftext|>", 300, true), addedToken("<|im_end|>", 301, true),
                              addedToken("<|x|>", 302, false)});
    const Tokenizer tok = make(spec, {{"bos_token", nullptr},
                                      {"eos_token", {{"__type", "AddedToken"}, {"content", "<|im_end|>"}}},
                                      {"pad_token", "<|endoftext|>"},
                                      {"additional_special_tokens", {"<|x|>"}}});
    QVERIFY(!tok.bosId());
    QCOMPARE(tok.eosId(), std::optional<std::int32_t>(301));
    QCOMPARE(tok.padId(), std::optional<std::int32_t>(300));
    QVERIFY(!tok.unkId());
    QVERIFY(tok.isSpecial(302));   // from additional_special_tokens
    QCOMPARE(tok.decode({'a', 302}, true), std::string("a"));
}

void TestTokenizer::decodeRejectsUnknownIds()
{
    Spec spec;
    spec.added = json::array({addedToken("<gap>", 400, true)});   // ids 256..399 have no token
    const Tokenizer tok = make(spec);
    for (const std::int32_t id : {-1, 300, 401, 1 << 30}) {
        const std::string what = errorOf([&] { tok.decode({'a', id}); });
        QVERIFY2(what.find("test.json") != std::string::npos && what.find(std::to_string(id)) != std::string::npos,
                 what.c_str());
    }
    QVERIFY(errorOf([&] { tok.idToToken(300); }).find("300") != std::string::npos);
}

void TestTokenizer::streamDecoderHoldsIncompleteCharacters()
{
    const Tokenizer tok = make({});
    const std::string text = "h\xC3\xA9 \xF0\x9F\x98\x80!";   // "hé 😀!", one token per byte
    const Ids ids = tok.encode(text);
    QCOMPARE(ids.size(), text.size());
    TokenStreamDecoder sd(tok);
    std::vector<std::string> pieces;
    for (const auto id : ids)
        pieces.push_back(sd.push(id));
    QCOMPARE(sd.finish(), std::string());
    const std::vector<std::string> expected = {"h", "", "\xC3\xA9", " ", "", "", "", "\xF0\x9F\x98\x80", "!"};
    QCOMPARE(pieces, expected);

    // A sequence cut inside a character: the rest comes out as U+FFFD at the end.
    TokenStreamDecoder cut(tok);
    QCOMPARE(cut.push(0xF0), std::string());
    QCOMPARE(cut.push(0x9F), std::string());
    QCOMPARE(cut.pendingBytes(), std::size_t(2));
    QCOMPARE(cut.push('a'), std::string("\xEF\xBF\xBD" "a"));
    QCOMPARE(cut.push(0xFF), std::string("\xEF\xBF\xBD"));
    QCOMPARE(cut.push(0xE2), std::string());
    QCOMPARE(cut.finish(), std::string("\xEF\xBF\xBD"));
}

void TestTokenizer::concurrentEncoding()
{
    const Tokenizer tok = make({helloMerges()});
    std::vector<std::string> lines;
    for (int k = 0; k < 300; ++k)
        lines.push_back("hello world " + std::to_string(k) + std::string(static_cast<std::size_t>(k % 7), ' ')
                        + "hell or " + std::string(static_cast<std::size_t>(k), 'l') + "o");
    std::vector<Ids> expected;
    for (const auto &l : lines)
        expected.push_back(make({helloMerges()}).encode(l));

    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int round = 0; round < 20; ++round)
                for (std::size_t k = 0; k < lines.size(); ++k) {
                    const std::size_t i = (k * 7 + static_cast<std::size_t>(t * 13 + round)) % lines.size();
                    if (tok.encode(lines[i]) != expected[i])
                        ++wrong;
                }
        });
    for (auto &th : threads)
        th.join();
    QCOMPARE(wrong.load(), 0);
}

void TestTokenizer::loadFromFolderOrFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string d = dir.path().toStdString();
    Spec spec{helloMerges()};
    spec.added = json::array({addedToken("<|eot|>", 300, true)});
    std::ofstream(d + "/tokenizer.json") << byteLevelJson(spec).dump();
    std::ofstream(d + "/tokenizer_config.json") << json({{"eos_token", "<|eot|>"}}).dump();

    const Tokenizer a = Tokenizer::load(d);
    const Tokenizer b = Tokenizer::load(d + "/tokenizer.json");
    QCOMPARE(a.encode("hello<|eot|>"), b.encode("hello<|eot|>"));
    QCOMPARE(a.eosId(), std::optional<std::int32_t>(300));
    QCOMPARE(a.path(), d + "/tokenizer.json");

    const std::string missing = errorOf([&] { Tokenizer::load(d + "/nope"); });
    QVERIFY2(missing.find(d + "/nope") != std::string::npos, missing.c_str());
    try {
        Tokenizer::load(d + "/nope");
        QFAIL("no exception");
    } catch (const IoError &) {
    }
}

void TestTokenizer::malformed_data()
{
    QTest::addColumn<QString>("tokenizerJson");
    QTest::addColumn<QString>("configJson");
    QTest::addColumn<QString>("file");      // which file the message must name
    QTest::addColumn<QString>("expected");  // and what else it must say

    json ok = byteLevelJson({helloMerges()});
    const auto variant = [&](const std::function<void(json &)> &edit) {
        json j = ok;
        edit(j);
        return QString::fromStdString(j.dump());
    };
    const QString okText = QString::fromStdString(ok.dump());

    QTest::newRow("truncated") << okText.left(okText.size() / 2) << "" << "tokenizer.json" << "not valid JSON";
    QTest::newRow("not an object") << "[1, 2]" << "" << "tokenizer.json" << "expected a JSON object";
    QTest::newRow("no model") << variant([](json &j) { j.erase("model"); }) << "" << "tokenizer.json" << "model is missing";
    QTest::newRow("no vocab") << variant([](json &j) { j["model"].erase("vocab"); }) << "" << "tokenizer.json"
                              << "model.vocab";
    QTest::newRow("vocab id not a number") << variant([](json &j) { j["model"]["vocab"]["h"] = "x"; }) << ""
                                           << "tokenizer.json" << "model.vocab[\"h\"]";
    QTest::newRow("no merges") << variant([](json &j) { j["model"].erase("merges"); }) << "" << "tokenizer.json"
                               << "model.merges";
    QTest::newRow("merge with unknown token")
        << variant([](json &j) { j["model"]["merges"][1] = "l zz"; }) << "" << "tokenizer.json"
        << "model.merges[1]: refers to unknown token \"zz\"";
    QTest::newRow("merge result not in vocab")
        << variant([](json &j) { j["model"]["merges"].push_back("d d"); }) << "" << "tokenizer.json"
        << "model.merges[7]: the merged token \"dd\"";
    QTest::newRow("merge not a pair") << variant([](json &j) { j["model"]["merges"][0] = json::array({"h"}); }) << ""
                                      << "tokenizer.json" << "model.merges[0]";
    QTest::newRow("merge with two spaces") << variant([](json &j) { j["model"]["merges"][0] = "h e l"; }) << ""
                                           << "tokenizer.json" << "model.merges[0]";
    QTest::newRow("unknown model") << variant([](json &j) { j["model"]["type"] = "Unigram"; }) << ""
                                   << "tokenizer.json" << "model.type";
    QTest::newRow("unknown normalizer") << variant([](json &j) { j["normalizer"] = {{"type", "Lowercase"}}; }) << ""
                                        << "tokenizer.json" << "normalizer.type";
    QTest::newRow("unknown pre-tokenizer")
        << variant([](json &j) { j["pre_tokenizer"] = {{"type", "Sequence"}, {"pretokenizers", {{{"type", "Digits"}}}}}; })
        << "" << "tokenizer.json" << "pre_tokenizer.pretokenizers[0].type";
    QTest::newRow("bad regex")
        << variant([](json &j) {
               j["pre_tokenizer"] = {{"type", "Split"}, {"pattern", {{"Regex", "(unclosed"}}}, {"behavior", "Isolated"}};
           })
        << "" << "tokenizer.json" << "pre_tokenizer.pattern.Regex";
    QTest::newRow("unknown decoder") << variant([](json &j) { j["decoder"] = {{"type", "WordPiece"}}; }) << ""
                                     << "tokenizer.json" << "decoder.type";
    QTest::newRow("bad added token") << variant([](json &j) { j["added_tokens"] = {{{"content", "<x>"}}}; }) << ""
                                     << "tokenizer.json" << "added_tokens[0]";
    QTest::newRow("config truncated") << okText << "{\"eos_token\": " << "tokenizer_config.json" << "not valid JSON";
    QTest::newRow("config bos not text") << okText << "{\"bos_token\": 5}" << "tokenizer_config.json"
                                         << "\"bos_token\"";
}

void TestTokenizer::malformed()
{
    QFETCH(QString, tokenizerJson);
    QFETCH(QString, configJson);
    QFETCH(QString, file);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string d = dir.path().toStdString();
    std::ofstream(d + "/tokenizer.json") << tokenizerJson.toStdString();
    if (!configJson.isEmpty())
        std::ofstream(d + "/tokenizer_config.json") << configJson.toStdString();
    try {
        Tokenizer::load(d);
        QFAIL("no exception");
    } catch (const FormatError &e) {
        const QString what = QString::fromUtf8(e.what());
        QVERIFY2(what.startsWith(QString::fromStdString(d + "/") + file), qPrintable(what));
        QVERIFY2(what.contains(expected), qPrintable(what));
    }
}

void TestTokenizer::ecmaRegex()
{
    const auto matches = [](const std::string &pattern, const std::string &text) {
        std::vector<std::string> out;
        EcmaRegex(pattern, "test").forEachMatch(text, [&](std::size_t b, std::size_t e) {
            out.push_back(text.substr(b, e - b));
        });
        return out;
    };
    using V = std::vector<std::string>;
    // \s is ECMAScript's: U+FEFF yes, U+0085 no; \d and \w are ASCII.
    QCOMPARE(matches("\\s+", "a\xC2\x85" "b\xEF\xBB\xBF" "c\xE3\x80\x80"), (V{"\xEF\xBB\xBF", "\xE3\x80\x80"}));
    QCOMPARE(matches("[^\\s]+", "a\xEF\xBB\xBF" "b"), (V{"a", "b"}));
    QCOMPARE(matches("\\d+", "12\xD9\xA3" "4"), (V{"12", "4"}));
    QCOMPARE(matches("\\w+", "ab\xC3\xA9" "c_1"), (V{"ab", "c_1"}));
    QCOMPARE(matches(".", "a\nb"), (V{"a", "b"}));
    // (?i:...) folds ASCII only, as transformers.js rewrites it: no U+017F for s.
    QCOMPARE(matches("(?i:'s|'ll)", "'S 'Ll '\xC5\xBF"), (V{"'S", "'Ll"}));
    // Global matching resumes one code point after an empty match.
    QCOMPARE(matches("a*", "baa"), (V{"", "aa", ""}));
    QCOMPARE(matches("x*", "\xC3\xA9"), (V{"", ""}));
    QCOMPARE(matches("\\u00e9|\\u{1F600}|\\uD83D\\uDE01", "\xC3\xA9\xF0\x9F\x98\x80\xF0\x9F\x98\x81"),
             (V{"\xC3\xA9", "\xF0\x9F\x98\x80", "\xF0\x9F\x98\x81"}));
    QCOMPARE(matches("\\p{Script=Han}+", "ab\xE4\xBD\xA0\xE5\xA5\xBD"), (V{"\xE4\xBD\xA0\xE5\xA5\xBD"}));
    QCOMPARE(EcmaRegex::toPcre2("(?i:'s)x"), std::string("(?:'[sS])x"));
    // \u{...} may have leading zeros; more than six significant digits is past U+10FFFF, which
    // does not compile (it once threw std::out_of_range from stol: the fuzz corpus keeps it).
    QCOMPARE(matches("\\u{00000000000041}+", "AAb"), (V{"AA"}));
    QCOMPARE(EcmaRegex::toPcre2("\\u{FFFFFFFFFFFFFFFFFFFFFFFF}"), std::string("\\x{110000}"));
    QVERIFY_THROWS_EXCEPTION(FormatError, EcmaRegex("\\u{FFFFFFFFFFFFFFFFFFFFFFFF}", "test"));
}

QTEST_GUILESS_MAIN(TestTokenizer)
#include "tst_tokenizer.moc"
