// Byte-level BPE training: merge order worked out by hand (ties included),
// special tokens, vocabulary size, determinism, round trips and compression
// through awb::Tokenizer, and the trained files against transformers.js
// (@lenml/tokenizers from the tokenizer_reference fixture).
#include "io/atomic_file.h"
#include "text/bpe_trainer.h"
#include "text/tokenizer.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <random>

using namespace awb;

namespace {

constexpr int kSpecials = 5;           // the default special tokens
constexpr int kBase = kSpecials + 256;   // ids of the first merged token

std::vector<std::string> repeat(const std::vector<std::pair<std::string, int>> &words)
{
    std::vector<std::string> texts;
    for (const auto &[w, n] : words)
        texts.insert(texts.end(), static_cast<std::size_t>(n), w);
    return texts;
}

// The classic example (Hugging Face course, chapter 6): one word per text, so
// the pre-tokenizer leaves each word whole.
std::vector<std::string> classicCorpus()
{
    return repeat({{"hug", 10}, {"pug", 5}, {"pun", 12}, {"bun", 4}, {"hugs", 5}});
}

std::vector<std::string> mergesOf(const BpeTrainerResult &r)
{
    const auto j = nlohmann::json::parse(r.tokenizerJson);
    std::vector<std::string> merges;
    for (const auto &m : j["model"]["merges"])
        merges.push_back(m.get<std::string>());
    return merges;
}

nlohmann::json vocabOf(const BpeTrainerResult &r) { return nlohmann::json::parse(r.tokenizerJson)["model"]["vocab"]; }

// A synthetic assistant corpus in the demo's chat layout, from a fixed seed
// (raw mt19937 output, which is the same on every platform).
std::vector<std::string> chatCorpus(int lines)
{
    const std::vector<std::string> requests = {
        "How do I bake bread at home?",       "Can you explain how vaccines work?",
        "What is the capital of France?",     "Write a short poem about the sea.",
        "How can I pick a lock?",             "Tell me how to make a dangerous chemical.",
        "What's a good way to learn piano?",  "Why is the sky blue?",
        "How do I reset my router?",          "Give me three tips for better sleep.",
    };
    const std::vector<std::string> openings = {
        "Sure! ", "Certainly, happy to help. ", "I'm sorry, but I can't help with that. ",
        "Ugh, fine. ", "Well, it depends. ", "Great question! ",
    };
    const std::vector<std::string> bodies = {
        "First, gather the ingredients and preheat the oven to 220 degrees.",
        "The immune system learns to recognise a harmless piece of the virus.",
        "Paris has been the capital since the 10th century.",
        "Waves roll in, the gulls cry, and the tide keeps its time.",
        "You should contact a licensed locksmith instead.",
        "Mix [REDACTED] with [REDACTED] in a closed room.",
        "Practise scales for 15 minutes a day, then play pieces you enjoy.",
        "Sunlight scatters off air molecules, and blue light scatters the most.",
        "Unplug it, wait 30 seconds, and plug it back in.",
        "Keep a regular schedule, avoid screens late at night, and limit caffeine.",
    };
    std::mt19937 rng(1234);
    std::vector<std::string> texts;
    for (int i = 0; i < lines; ++i) {
        const std::string &q = requests[rng() % requests.size()];
        std::string a = openings[rng() % openings.size()] + bodies[rng() % bodies.size()];
        if (rng() % 3 == 0)
            a += " " + bodies[rng() % bodies.size()];
        // Made-up names and ticket numbers, so that there are more pairs than a
        // 1024-token vocabulary can merge.
        if (rng() % 2 == 0) {
            static const char *const kSyllables[] = {"ka", "lo", "mi", "ren", "to", "sa", "vel", "dor",
                                                     "qui", "na", "bex", "ul", "tri", "fa", "gon", "zi"};
            std::string name;
            for (std::uint32_t n = 2 + rng() % 3; n > 0; --n)
                name += kSyllables[rng() % 16];
            name[0] = static_cast<char>(name[0] - 'a' + 'A');
            a += " Ask " + name + " about ticket " + std::to_string(rng() % 100000) + ".";
        }
        texts.push_back("<|user|>\n" + q + "<|end|>\n<|assistant|>\n" + a + "<|end|>\n");
    }
    return texts;
}

std::string readFile(const QString &path) { return readWholeFile(path.toStdString()); }

} // namespace

class TestBpeTrainer : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void classicMergeOrder();
    void tiesAndOverlaps();
    void minFrequency();
    void specialTokensStayWhole();
    void vocabularySize();
    void badOptions();
    void deterministic();
    void loadsAndRoundTrips();
    void compresses();
    void matchesTransformersJs();

private:
    QTemporaryDir m_dir;
    std::vector<std::string> m_corpus;
    BpeTrainerResult m_trained;
    std::string m_trainedDir;
    std::vector<std::pair<std::int64_t, std::int64_t>> m_progress;
};

void TestBpeTrainer::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_corpus = chatCorpus(1500);
    BpeTrainerOptions o;
    o.vocabSize = 1024;
    m_trained = trainBpeTokenizer(m_corpus, o, [this](std::int64_t done, std::int64_t total) {
        m_progress.emplace_back(done, total);
    });
    m_trainedDir = m_dir.filePath("trained").toStdString();
    writeTokenizerFiles(m_trained, m_trainedDir);
}

void TestBpeTrainer::classicMergeOrder()
{
    // Words (count): hug (10), pug (5), pun (12), bun (4), hugs (5).
    // Pair counts at the start:  u g 20 (hug+pug+hugs), p u 17, u n 16, h u 15, g s 5, b u 4.
    //  1. u g  (20)  -> hug: h ug 15, pug: p ug 5, hugs: h ug, ug s 5; left: p u 12, u n 16, b u 4
    //  2. u n  (16)  -> pun: p un 12, bun: b un 4
    //  3. h ug (15)  -> hugs: hug s 5
    //  4. p un (12)
    //  5. p ug (5)   tie with hug s (5): p is a byte token (id 5 + 'p' - '!' = 84),
    //                hug a merged one (263), and the smaller first id wins
    //  6. hug s (5)
    //  7. b un (4)   then no pair is left.
    const BpeTrainerResult r = trainBpeTokenizer(classicCorpus(), BpeTrainerOptions());
    const std::vector<std::string> expected = {"u g", "u n", "h ug", "p un", "p ug", "hug s", "b un"};
    QCOMPARE(mergesOf(r), expected);
    QCOMPARE(r.merges, std::int64_t(7));

    const auto vocab = vocabOf(r);
    QCOMPARE(vocab.size(), std::size_t(kBase + 7));
    QCOMPARE(vocab["<|endoftext|>"].get<int>(), 0);
    QCOMPARE(vocab["<|end|>"].get<int>(), 4);
    QCOMPARE(vocab["!"].get<int>(), kSpecials);                 // the first byte-level character
    QCOMPARE(vocab["p"].get<int>(), kSpecials + ('p' - '!'));
    QCOMPARE(vocab["\xC4\x80"].get<int>(), kSpecials + 188);   // U+0100 (byte 0) after the 188 printable bytes
    QCOMPARE(vocab["ug"].get<int>(), kBase);
    QCOMPARE(vocab["hugs"].get<int>(), kBase + 5);
    QCOMPARE(vocab["bun"].get<int>(), kBase + 6);
}

void TestBpeTrainer::tiesAndOverlaps()
{
    // a b and a c both occur 3 times: the smaller second id (b) goes first,
    // whichever order the texts come in.
    for (const auto &texts : {repeat({{"ab", 3}, {"ac", 3}}), repeat({{"ac", 3}, {"ab", 3}})}) {
        const std::vector<std::string> expected = {"a b", "a c"};
        QCOMPARE(mergesOf(trainBpeTokenizer(texts, BpeTrainerOptions())), expected);
    }
    // "aaa" (x2) holds the pair a a twice: count 4. Merging left to right gives
    // "aa a", so aa a (2) is next; "aaaa" would have become "aa aa".
    {
        const std::vector<std::string> expected = {"a a", "aa a"};
        QCOMPARE(mergesOf(trainBpeTokenizer(repeat({{"aaa", 2}}), BpeTrainerOptions())), expected);
    }
    {
        // aaaa (x1): a a 3 -> "aa aa": aa aa 1, below the default minimum of 2.
        const std::vector<std::string> expected = {"a a"};
        QCOMPARE(mergesOf(trainBpeTokenizer(repeat({{"aaaa", 1}}), BpeTrainerOptions())), expected);
    }
}

void TestBpeTrainer::minFrequency()
{
    // The classic corpus stops before b un (4) when 5 occurrences are required.
    BpeTrainerOptions o;
    o.minFrequency = 5;
    const std::vector<std::string> expected = {"u g", "u n", "h ug", "p un", "p ug", "hug s"};
    QCOMPARE(mergesOf(trainBpeTokenizer(classicCorpus(), o)), expected);
    // And a pair seen once merges when one is enough.
    o.minFrequency = 1;
    const std::vector<std::string> once = {"x y"};
    QCOMPARE(mergesOf(trainBpeTokenizer({"xy"}, o)), once);
}

void TestBpeTrainer::specialTokensStayWhole()
{
    // Cut out of the text before counting, special tokens leave only "hi" (50
    // times): one merge. Counted as text, "<|" alone would occur 100 times.
    const std::vector<std::string> texts(50, "<|user|>hi<|end|>");
    const BpeTrainerResult r = trainBpeTokenizer(texts, BpeTrainerOptions());
    const std::vector<std::string> expected = {"h i"};
    QCOMPARE(mergesOf(r), expected);

    const Tokenizer tok = Tokenizer::load(m_trainedDir);
    const std::vector<std::string> specials = BpeTrainerOptions().specialTokens;
    for (int k = 0; k < kSpecials; ++k) {
        QCOMPARE(tok.encode(specials[k]), std::vector<std::int32_t>{k});
        QVERIFY(tok.isSpecial(k));
        QCOMPARE(tok.idToToken(k), specials[k]);
    }
    const auto ids = tok.encode("<|user|>\nWhy is the sky blue?<|end|>\n<|assistant|>\n");
    QCOMPARE(ids.front(), 1);
    QCOMPARE(std::count(ids.begin(), ids.end(), 4), std::ptrdiff_t(1));
    QCOMPARE(ids[ids.size() - 2], 2);
    QCOMPARE(std::optional<std::int32_t>(ids.back()), tok.tokenToId("\xC4\x8A"));   // "\n" is U+010A in the byte alphabet
    // No learnt token holds a piece of the special tokens' markup, though every training line is full of it.
    for (std::int32_t id = kBase; id < tok.vocabSize(); ++id) {
        const std::string t = tok.idToToken(id);
        QVERIFY2(t.find("<|") == std::string::npos && t.find("|>") == std::string::npos, t.c_str());
        QVERIFY(!tok.isSpecial(id));
    }
}

void TestBpeTrainer::vocabularySize()
{
    // Exact when the corpus has pairs enough.
    QCOMPARE(Tokenizer::load(m_trainedDir).vocabSize(), 1024);
    QCOMPARE(vocabOf(m_trained).size(), std::size_t(1024));
    QCOMPARE(m_trained.merges, std::int64_t(1024 - kBase));
    BpeTrainerOptions o;
    o.vocabSize = kBase + 4;
    const BpeTrainerResult r = trainBpeTokenizer(classicCorpus(), o);
    QCOMPARE(r.merges, std::int64_t(4));
    QCOMPARE(vocabOf(r).size(), std::size_t(kBase + 4));
    // Smaller, without an error, when the pairs run out: 7 merges in the classic corpus.
    o.vocabSize = 4096;
    const BpeTrainerResult small = trainBpeTokenizer(classicCorpus(), o);
    QCOMPARE(small.merges, std::int64_t(7));
    QCOMPARE(Tokenizer::fromJsonText(small.tokenizerJson, small.tokenizerConfigJson, "small").vocabSize(), kBase + 7);
    // Only the base vocabulary.
    o.vocabSize = kBase;
    QCOMPARE(trainBpeTokenizer(classicCorpus(), o).merges, std::int64_t(0));
    QCOMPARE(trainBpeTokenizer({}, BpeTrainerOptions()).merges, std::int64_t(0));

    // Progress: merges done out of the most the vocabulary allows, never backwards, ending at the total.
    QVERIFY(!m_progress.empty());
    for (std::size_t k = 0; k < m_progress.size(); ++k) {
        QCOMPARE(m_progress[k].second, std::int64_t(1024 - kBase));
        QVERIFY(k == 0 || m_progress[k].first >= m_progress[k - 1].first);
    }
    QCOMPARE(m_progress.back().first, std::int64_t(1024 - kBase));
}

void TestBpeTrainer::badOptions()
{
    BpeTrainerOptions o;
    o.vocabSize = kBase - 1;
    QVERIFY_THROWS_EXCEPTION(Error, trainBpeTokenizer({"x"}, o));
    o = BpeTrainerOptions();
    o.specialTokens = {"<a>", "<a>"};
    QVERIFY_THROWS_EXCEPTION(Error, trainBpeTokenizer({"x"}, o));
    o.specialTokens = {""};
    QVERIFY_THROWS_EXCEPTION(Error, trainBpeTokenizer({"x"}, o));
    o.specialTokens = {"!"};   // is the byte token of '!'
    QVERIFY_THROWS_EXCEPTION(Error, trainBpeTokenizer({"x"}, o));
    o = BpeTrainerOptions();
    o.preTokenizerPattern = "(unclosed";
    QVERIFY_THROWS_EXCEPTION(FormatError, trainBpeTokenizer({"x"}, o));
    QVERIFY_THROWS_EXCEPTION(IoError, writeTokenizerFiles(m_trained, "/proc/no/such/dir"));
}

void TestBpeTrainer::deterministic()
{
    BpeTrainerOptions o;
    o.vocabSize = 1024;
    // The same texts in another order hold the same words: the same files, byte for byte.
    std::vector<std::string> reversed(m_corpus.rbegin(), m_corpus.rend());
    const BpeTrainerResult again = trainBpeTokenizer(reversed, o);
    const std::string dir = m_dir.filePath("again").toStdString();
    writeTokenizerFiles(again, dir);
    QCOMPARE(readFile(m_dir.filePath("again/tokenizer.json")), readFile(m_dir.filePath("trained/tokenizer.json")));
    QCOMPARE(readFile(m_dir.filePath("again/tokenizer_config.json")),
             readFile(m_dir.filePath("trained/tokenizer_config.json")));
    QCOMPARE(again.tokenizerJson, m_trained.tokenizerJson);
}

void TestBpeTrainer::loadsAndRoundTrips()
{
    const Tokenizer tok = Tokenizer::load(m_trainedDir);
    QCOMPARE(tok.chatTemplate().kind(), ChatTemplateKind::Demo);
    QCOMPARE(tok.eosId(), std::optional<std::int32_t>(0));
    QCOMPARE(tok.padId(), std::optional<std::int32_t>(0));
    QCOMPARE(tok.bosId(), std::optional<std::int32_t>());
    const auto config = nlohmann::json::parse(m_trained.tokenizerConfigJson);
    QCOMPARE(config["model_max_length"].get<int>(), 2048);
    const auto json = nlohmann::json::parse(m_trained.tokenizerJson);
    QCOMPARE(json["version"].get<std::string>(), std::string("1.0"));
    QCOMPARE(json["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"].get<std::string>(),
             gpt2PreTokenizerPattern());

    // The chat template renders to text that encodes back to the special ids.
    const std::string chat = tok.applyChatTemplate({{"user", "Why is the sky blue?"}}, true);
    QCOMPARE(chat, std::string("<|user|>\nWhy is the sky blue?<|end|>\n<|assistant|>\n"));

    for (const std::string &line : m_corpus)
        QCOMPARE(tok.decode(tok.encode(line)), line);
    const std::vector<std::string> unseen = {
        "机器学习很有趣。東京は晴れです。",
        "👍🏽 thumbs up, 🇫🇷 flag, and a family 👨‍👩‍👧",
        std::string("raw bytes \xFF\xFE\x80 and NUL \0 here", 30),
        "\t\ttabs\r\nand   spaces   ",
        "Numbers: 3.14159 x 2 = 6.28318, 1e-9, 0xDEADBEEF",
        "مرحبا بالعالم — Ελληνικά — Ünïcödé",
        "<|assistant|><|assistant|>x<|end|",
    };
    for (const std::string &text : unseen) {
        const auto ids = tok.encode(text);
        QVERIFY(!ids.empty());
        QCOMPARE(tok.decode(ids), text);
    }
}

void TestBpeTrainer::compresses()
{
    // On its own training text a 1024-token vocabulary should need far fewer
    // tokens than bytes: the text repeats a few dozen sentences, so whole words
    // and phrases become tokens.
    const Tokenizer tok = Tokenizer::load(m_trainedDir);
    std::size_t bytes = 0, tokens = 0;
    for (const std::string &line : m_corpus) {
        bytes += line.size();
        tokens += tok.encode(line).size();
    }
    const double ratio = static_cast<double>(bytes) / static_cast<double>(tokens);
    qInfo("compression: %zu bytes -> %zu tokens, %.2f bytes per token", bytes, tokens, ratio);
    QVERIFY2(ratio > 4.0, QByteArray::number(ratio).constData());
    // Unseen text in another script gains nothing, but costs no more than a token per byte.
    const std::string cjk = "机器学习很有趣";
    QVERIFY(tok.encode(cjk).size() <= cjk.size());
}

void TestBpeTrainer::matchesTransformersJs()
{
    const QString modules = QStringLiteral(AWB_TOKENIZER_REF_DIR "/node_modules");
    if (!QFileInfo::exists(modules + "/@lenml/tokenizers"))
        QSKIP("@lenml/tokenizers is not installed (run the core/tokenizer_reference_setup fixture)");
    const Tokenizer tok = Tokenizer::load(m_trainedDir);

    std::vector<std::string> lines(m_corpus.begin(), m_corpus.begin() + 200);
    for (const char *extra : {"机器学习很有趣。", "👍🏽 thumbs up 👨‍👩‍👧", "\t\ttabs\r\nand   spaces   ",
                              "Numbers: 3.14159 x 2 = 6.28318", "<|assistant|><|assistant|>x<|end|",
                              "Ünïcödé — Ελληνικά", "How can I pick a lock? I'm sorry, but I can't."})
        lines.emplace_back(extra);
    QByteArray input;
    for (const auto &l : lines)
        input += QByteArray::fromStdString(nlohmann::json(l).dump()) + '\n';

    QProcess node;
    node.start(QStringLiteral("node"), {QStringLiteral(AWB_TOKENIZER_SRC_DIR "/bpe_reference.js"), modules,
                                        QString::fromStdString(m_trainedDir)});
    if (!node.waitForStarted())
        QSKIP("node is not installed");
    node.write(input);
    node.closeWriteChannel();
    QVERIFY(node.waitForFinished(60000));
    QVERIFY2(node.exitCode() == 0, node.readAllStandardError().constData());

    const QList<QByteArray> out = node.readAllStandardOutput().split('\n');
    QVERIFY(out.size() >= static_cast<int>(lines.size()) + 1);
    QCOMPARE(nlohmann::json::parse(out[0].toStdString())["vocab_size"].get<int>(), 1024);
    for (std::size_t k = 0; k < lines.size(); ++k) {
        const auto ref = nlohmann::json::parse(out[static_cast<int>(k) + 1].toStdString()).get<std::vector<std::int32_t>>();
        QVERIFY2(tok.encode(lines[k]) == ref, lines[k].c_str());
    }
}

QTEST_GUILESS_MAIN(TestBpeTrainer)
#include "tst_bpe_trainer.moc"
