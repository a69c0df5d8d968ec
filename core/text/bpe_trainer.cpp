#include "text/bpe_trainer.h"

#include "io/atomic_file.h"
#include "text/added_tokens.h"
#include "text/byte_level.h"
#include "text/chat_template.h"
#include "text/pre_tokenizer.h"
#include "text/utf8.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <set>
#include <unordered_map>
#include <utility>

namespace fs = std::filesystem;

namespace awb {

namespace {

using Json = nlohmann::ordered_json;

Json byteLevelJson()
{
    return Json{{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", false}};
}

Json preTokenizerJson(const std::string &pattern)
{
    Json split = {{"type", "Split"}, {"pattern", {{"Regex", pattern}}}, {"behavior", "Isolated"}, {"invert", false}};
    return Json{{"type", "Sequence"}, {"pretokenizers", Json::array({split, byteLevelJson()})}};
}

// Word -> how often it occurs, over all texts. Special tokens are cut out first,
// so no word ever spans one; invalid UTF-8 bytes are dropped.
std::unordered_map<std::string, std::int64_t> countWords(const std::vector<std::string> &texts,
                                                         const AddedTokenMatcher &specials,
                                                         const PreTokenizer &preTokenizer)
{
    std::unordered_map<std::string, std::int64_t> counts;
    std::vector<std::string> pieces;
    for (const std::string &text : texts) {
        for (const auto &section : specials.split(text)) {
            if (section.token >= 0)
                continue;
            const std::string_view s = section.text;
            std::size_t i = 0;
            while (i < s.size()) {
                std::size_t j = i;
                while (j < s.size()) {
                    const std::size_t n = utf8::sequenceLength(s, j);
                    if (n == 0)
                        break;
                    j += n;
                }
                preTokenizer.run(s.substr(i, j - i), pieces);
                for (auto &piece : pieces)
                    ++counts[std::move(piece)];
                while (j < s.size() && utf8::sequenceLength(s, j) == 0)
                    ++j;
                i = j;
            }
        }
    }
    return counts;
}

std::uint64_t pairKey(std::int32_t a, std::int32_t b)
{
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(a)) << 32) | static_cast<std::uint32_t>(b);
}
std::int32_t firstOf(std::uint64_t key) { return static_cast<std::int32_t>(key >> 32); }
std::int32_t secondOf(std::uint64_t key) { return static_cast<std::int32_t>(key & 0xFFFFFFFFu); }

// The queue order: highest count first, then the smaller pair (first id, then
// second id), which is what ascending pair keys give.
struct Candidate
{
    std::int64_t count;
    std::uint64_t pair;
    bool operator<(const Candidate &o) const { return count != o.count ? count > o.count : pair < o.pair; }
};

class MergeLearner
{
public:
    MergeLearner(std::vector<std::string> &vocab, std::unordered_map<std::string, std::int32_t> &ids)
        : m_vocab(vocab), m_ids(ids)
    {
    }

    void addWord(std::vector<std::int32_t> symbols, std::int64_t count)
    {
        const auto w = static_cast<std::int32_t>(m_words.size());
        for (std::size_t k = 0; k + 1 < symbols.size(); ++k) {
            const std::uint64_t p = pairKey(symbols[k], symbols[k + 1]);
            m_counts[p] += count;
            auto &where = m_where[p];
            if (where.empty() || where.back() != w)
                where.push_back(w);
        }
        m_words.push_back({std::move(symbols), count});
    }

    void learn(std::int64_t vocabSize, std::int64_t minFrequency, std::vector<std::uint64_t> &merges,
               const std::function<void(std::int64_t, std::int64_t)> &progress)
    {
        for (const auto &[p, c] : m_counts)
            m_queue.insert({c, p});
        const auto base = static_cast<std::int64_t>(m_vocab.size());
        const std::int64_t total = vocabSize - base;
        while (static_cast<std::int64_t>(m_vocab.size()) < vocabSize && !m_queue.empty()) {
            const Candidate top = *m_queue.begin();
            if (top.count < std::max<std::int64_t>(minFrequency, 1))
                break;
            const std::int32_t a = firstOf(top.pair), b = secondOf(top.pair);
            const std::string merged = m_vocab[a] + m_vocab[b];
            const auto [it, added] = m_ids.emplace(merged, static_cast<std::int32_t>(m_vocab.size()));
            if (added)
                m_vocab.push_back(merged);
            merges.push_back(top.pair);
            apply(a, b, it->second, top.pair);
            if (progress && (merges.size() % 64 == 0))
                progress(static_cast<std::int64_t>(m_vocab.size()) - base, total);
        }
        if (progress)
            progress(static_cast<std::int64_t>(m_vocab.size()) - base, total);
    }

private:
    struct Word
    {
        std::vector<std::int32_t> symbols;
        std::int64_t count;
    };

    // Merges (a, b) into `id` in every word that holds it, left to right as
    // Hugging Face's Word::merge does ("aaa" with (a, a) becomes "aa a"). Each
    // changed word takes back all its pairs and adds its new ones, so counts
    // stay exact; words are listed under a pair when it first appears in them
    // and never unlisted, so a listed word may have lost the pair since.
    void apply(std::int32_t a, std::int32_t b, std::int32_t id, std::uint64_t mergedPair)
    {
        std::vector<std::int32_t> where = std::move(m_where[mergedPair]);
        m_where.erase(mergedPair);
        std::sort(where.begin(), where.end());
        where.erase(std::unique(where.begin(), where.end()), where.end());

        m_delta.clear();
        std::vector<std::int32_t> next;
        for (const std::int32_t w : where) {
            Word &word = m_words[static_cast<std::size_t>(w)];
            const auto &s = word.symbols;
            next.clear();
            bool changed = false;
            for (std::size_t k = 0; k < s.size(); ++k) {
                if (k + 1 < s.size() && s[k] == a && s[k + 1] == b) {
                    next.push_back(id);
                    ++k;
                    changed = true;
                } else {
                    next.push_back(s[k]);
                }
            }
            if (!changed)
                continue;
            for (std::size_t k = 0; k + 1 < s.size(); ++k)
                m_delta[pairKey(s[k], s[k + 1])] -= word.count;
            for (std::size_t k = 0; k + 1 < next.size(); ++k) {
                const std::uint64_t p = pairKey(next[k], next[k + 1]);
                m_delta[p] += word.count;
                // Pairs without the new token were in the word before, so it is listed under them already.
                if (next[k] == id || next[k + 1] == id) {
                    auto &list = m_where[p];
                    if (list.empty() || list.back() != w)
                        list.push_back(w);
                }
            }
            word.symbols.swap(next);
        }

        for (const auto &[p, d] : m_delta) {
            if (d == 0)
                continue;
            auto it = m_counts.find(p);
            const std::int64_t old = it == m_counts.end() ? 0 : it->second;
            if (old > 0)
                m_queue.erase({old, p});
            const std::int64_t now = old + d;
            if (now > 0) {
                m_queue.insert({now, p});
                if (it == m_counts.end())
                    m_counts.emplace(p, now);
                else
                    it->second = now;
            } else if (it != m_counts.end()) {
                m_counts.erase(it);
                m_where.erase(p);
            }
        }
        // The merged pair is gone from every word now; drop what is left of it.
        if (const auto it = m_counts.find(mergedPair); it != m_counts.end()) {
            m_queue.erase({it->second, mergedPair});
            m_counts.erase(it);
        }
    }

    std::vector<std::string> &m_vocab;
    std::unordered_map<std::string, std::int32_t> &m_ids;
    std::vector<Word> m_words;
    std::unordered_map<std::uint64_t, std::int64_t> m_counts;
    std::unordered_map<std::uint64_t, std::vector<std::int32_t>> m_where;   // pair -> words that (may) hold it
    std::unordered_map<std::uint64_t, std::int64_t> m_delta;
    std::set<Candidate> m_queue;
};

std::string dumpJson(const Json &j)
{
    return j.dump(2, ' ', false, Json::error_handler_t::strict) + "\n";
}

Json addedTokenFields(const std::string &content)
{
    return Json{{"content", content}, {"single_word", false}, {"lstrip", false},
                {"rstrip", false},    {"normalized", false},  {"special", true}};
}

std::string tokenizerJson(const std::vector<std::string> &vocab, const std::vector<std::uint64_t> &merges,
                          const std::vector<std::string> &specials, const std::string &pattern)
{
    Json added = Json::array();
    for (std::size_t k = 0; k < specials.size(); ++k) {
        const Json fields = addedTokenFields(specials[k]);
        Json t = {{"id", static_cast<std::int64_t>(k)}};
        for (auto it = fields.begin(); it != fields.end(); ++it)
            t[it.key()] = it.value();
        added.push_back(std::move(t));
    }

    // The vocabulary in id order, appended directly: ordered_json's own insert
    // searches linearly for the key, which is quadratic in the vocabulary size.
    Json vocabJson = Json::object();
    auto &object = vocabJson.get_ref<Json::object_t &>();
    object.reserve(vocab.size());
    for (std::size_t id = 0; id < vocab.size(); ++id)
        object.Json::object_t::Container::emplace_back(vocab[id], static_cast<std::int64_t>(id));

    Json mergesJson = Json::array();
    for (const std::uint64_t p : merges)
        mergesJson.push_back(vocab[firstOf(p)] + " " + vocab[secondOf(p)]);

    Json model = {{"type", "BPE"},
                  {"dropout", nullptr},
                  {"unk_token", nullptr},
                  {"continuing_subword_prefix", nullptr},
                  {"end_of_word_suffix", nullptr},
                  {"fuse_unk", false},
                  {"byte_fallback", false},
                  {"ignore_merges", false},
                  {"vocab", std::move(vocabJson)},
                  {"merges", std::move(mergesJson)}};

    Json root = {{"version", "1.0"},
                 {"truncation", nullptr},
                 {"padding", nullptr},
                 {"added_tokens", std::move(added)},
                 {"normalizer", nullptr},
                 {"pre_tokenizer", preTokenizerJson(pattern)},
                 {"post_processor", byteLevelJson()},
                 {"decoder", byteLevelJson()},
                 {"model", std::move(model)}};
    return dumpJson(root);
}

std::string tokenizerConfigJson(const std::vector<std::string> &specials, std::int64_t modelMaxLength)
{
    Json decoder = Json::object();
    for (std::size_t k = 0; k < specials.size(); ++k) {
        Json t = addedTokenFields(specials[k]);
        decoder[std::to_string(k)] = std::move(t);
    }
    const Json eos = specials.empty() ? Json(nullptr) : Json(specials.front());
    Json additional = Json::array();
    for (std::size_t k = 1; k < specials.size(); ++k)
        additional.push_back(specials[k]);

    Json config = {{"add_bos_token", false},
                   {"add_eos_token", false},
                   {"add_prefix_space", false},
                   {"added_tokens_decoder", std::move(decoder)},
                   {"additional_special_tokens", std::move(additional)},
                   {"bos_token", nullptr},
                   {"chat_template", ChatTemplate::canonicalSource(ChatTemplateKind::Demo)},
                   {"clean_up_tokenization_spaces", false},
                   {"eos_token", eos},
                   {"errors", "replace"},
                   {"model_max_length", modelMaxLength},
                   {"pad_token", eos},
                   {"split_special_tokens", false},
                   {"tokenizer_class", "PreTrainedTokenizerFast"},
                   {"unk_token", nullptr}};
    return dumpJson(config);
}

} // namespace

const std::string &gpt2PreTokenizerPattern()
{
    static const std::string pattern =
        R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
    return pattern;
}

BpeTrainerResult trainBpeTokenizer(const std::vector<std::string> &texts, const BpeTrainerOptions &options,
                                   const std::function<void(std::int64_t, std::int64_t)> &progress)
{
    const std::string label = "trainBpeTokenizer";
    const std::vector<std::string> &specials = options.specialTokens;

    // Ids 0..n-1: the special tokens; then the byte alphabet in code point order.
    std::vector<std::string> vocab;
    std::unordered_map<std::string, std::int32_t> ids;
    std::vector<AddedToken> added;
    for (std::size_t k = 0; k < specials.size(); ++k) {
        const std::string where = label + ": options.specialTokens[" + std::to_string(k) + "]";
        if (specials[k].empty())
            throw Error(where + " is empty");
        if (!ids.emplace(specials[k], static_cast<std::int32_t>(k)).second)
            throw Error(where + " \"" + specials[k] + "\" is listed twice");
        vocab.push_back(specials[k]);
        AddedToken t;
        t.content = specials[k];
        t.id = static_cast<std::int32_t>(k);
        t.special = true;
        added.push_back(std::move(t));
    }
    std::vector<std::pair<char32_t, std::uint8_t>> alphabet;
    for (int b = 0; b < 256; ++b)
        alphabet.emplace_back(byte_level::charOf(static_cast<std::uint8_t>(b)), static_cast<std::uint8_t>(b));
    std::sort(alphabet.begin(), alphabet.end());
    std::int32_t byteId[256];
    for (const auto &[cp, b] : alphabet) {
        const std::string &s = byte_level::utf8Of(b);
        byteId[b] = static_cast<std::int32_t>(vocab.size());
        if (!ids.emplace(s, byteId[b]).second)
            throw Error(label + ": options.specialTokens has \"" + s + "\", which is the byte-level token of byte "
                        + std::to_string(b));
        vocab.push_back(s);
    }

    const auto base = static_cast<std::int64_t>(vocab.size());
    if (options.vocabSize < base)
        throw Error(label + ": options.vocabSize " + std::to_string(options.vocabSize)
                    + " is below the special tokens plus the 256 byte tokens (" + std::to_string(base) + ")");
    if (options.vocabSize > std::numeric_limits<std::int32_t>::max())
        throw Error(label + ": options.vocabSize " + std::to_string(options.vocabSize) + " does not fit in int32 ids");
    if (options.modelMaxLength < 1)
        throw Error(label + ": options.modelMaxLength must be positive");

    const std::string pattern =
        options.preTokenizerPattern.empty() ? gpt2PreTokenizerPattern() : options.preTokenizerPattern;
    const nlohmann::json preJson = nlohmann::json::parse(preTokenizerJson(pattern).dump());
    const PreTokenizer preTokenizer = PreTokenizer::fromJson(preJson, "BpeTrainerOptions.preTokenizerPattern");

    const auto counts = countWords(texts, AddedTokenMatcher(std::move(added)), preTokenizer);
    // Sorted words, so that nothing downstream depends on the hash order.
    std::vector<std::pair<std::string, std::int64_t>> words(counts.begin(), counts.end());
    std::sort(words.begin(), words.end());

    MergeLearner learner(vocab, ids);
    for (const auto &[word, count] : words) {
        std::vector<std::int32_t> symbols;
        for (std::size_t i = 0; i < word.size();) {
            const std::size_t n = utf8::sequenceLength(word, i);
            const int byte = n == 0 ? -1 : byte_level::byteOf(utf8::decodeAt(word, i, n));
            if (byte < 0)
                throw Error(label + ": the pre-tokenizer produced a character outside the byte alphabet");
            symbols.push_back(byteId[byte]);
            i += n;
        }
        learner.addWord(std::move(symbols), count);
    }

    std::vector<std::uint64_t> merges;
    learner.learn(options.vocabSize, options.minFrequency, merges, progress);

    BpeTrainerResult result;
    result.tokenizerJson = tokenizerJson(vocab, merges, specials, pattern);
    result.tokenizerConfigJson = tokenizerConfigJson(specials, options.modelMaxLength);
    result.merges = static_cast<std::int64_t>(merges.size());
    return result;
}

void writeTokenizerFiles(const BpeTrainerResult &result, const std::string &dir)
{
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw IoError(dir + ": cannot create the folder: " + ec.message());
    writeFileAtomically((fs::path(dir) / "tokenizer.json").string(), result.tokenizerJson);
    writeFileAtomically((fs::path(dir) / "tokenizer_config.json").string(), result.tokenizerConfigJson);
}

} // namespace awb
