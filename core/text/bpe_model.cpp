#include "text/bpe_model.h"

#include "io/input_limits.h"

#include "text/byte_level.h"
#include "text/utf8.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <queue>

namespace awb {

namespace {

constexpr char32_t kSmallCharLimit = 0x800;

std::string jsonQuoted(std::string_view s)
{
    return nlohmann::json(utf8::sanitize(s)).dump();
}

std::string byteToken(unsigned char b)
{
    char buf[8];
    std::snprintf(buf, sizeof buf, "<0x%02X>", b);
    return buf;
}

bool optBool(const nlohmann::json &j, const char *key, const std::string &label)
{
    const auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return false;
    if (!it->is_boolean())
        throw FormatError(label + "." + key + ": must be true or false");
    return it->get<bool>();
}

void requireEmptyString(const nlohmann::json &j, const char *key, const std::string &label)
{
    const auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return;
    if (!it->is_string() || !it->get<std::string>().empty())
        throw FormatError(label + "." + key + ": only an empty value is supported");
}

} // namespace

BpeModel::BpeModel() : m_cache(std::make_unique<Cache>()) {}
BpeModel::~BpeModel() = default;
BpeModel::BpeModel(BpeModel &&) noexcept = default;
BpeModel &BpeModel::operator=(BpeModel &&) noexcept = default;

std::int32_t tokenIdFromJson(const nlohmann::json &value, const std::string &where)
{
    if (!value.is_number_integer() || (!value.is_number_unsigned() && value.get<std::int64_t>() < 0))
        throw FormatError(where + ": id must be a non-negative integer");
    if (value.get<std::uint64_t>() > static_cast<std::uint64_t>(kMaxTokenId))
        throw FormatError(where + ": id " + value.dump() + " is larger than " + std::to_string(kMaxTokenId)
                          + " (the limit of a token id)");
    return static_cast<std::int32_t>(value.get<std::uint64_t>());
}

BpeModel BpeModel::fromJson(const nlohmann::json &j, const std::string &label)
{
    if (!j.is_object())
        throw FormatError(label + ": missing or not an object");
    if (j.contains("type") && !j["type"].is_null() && j["type"] != "BPE")
        throw FormatError(label + ".type: model " + j["type"].dump() + " is not supported (supported: BPE)");

    BpeModel m;
    m.m_label = label;
    const auto vocab = j.find("vocab");
    if (vocab == j.end() || !vocab->is_object())
        throw FormatError(label + ".vocab: missing or not an object");
    m.m_tokenToId.reserve(vocab->size());
    for (auto it = vocab->begin(); it != vocab->end(); ++it) {
        m.addToken(it.key(), tokenIdFromJson(it.value(), label + ".vocab[" + jsonQuoted(it.key()) + "]"));
    }

    const auto merges = j.find("merges");
    if (merges == j.end() || !merges->is_array())
        throw FormatError(label + ".merges: missing or not an array");
    m.m_merges.reserve(merges->size() * 2);
    for (std::size_t k = 0; k < merges->size(); ++k) {
        const auto &e = (*merges)[k];
        const std::string where = label + ".merges[" + std::to_string(k) + "]";
        std::string a, b;
        if (e.is_string()) {
            const std::string s = e.get<std::string>();
            const auto space = s.find(' ');
            if (space == std::string::npos || s.find(' ', space + 1) != std::string::npos)
                throw FormatError(where + ": " + jsonQuoted(s) + " is not two tokens separated by one space");
            a = s.substr(0, space);
            b = s.substr(space + 1);
        } else if (e.is_array() && e.size() == 2 && e[0].is_string() && e[1].is_string()) {
            a = e[0].get<std::string>();
            b = e[1].get<std::string>();
        } else {
            throw FormatError(where + ": must be a string \"a b\" or a pair [\"a\", \"b\"]");
        }
        const auto ia = m.m_tokenToId.find(a), ib = m.m_tokenToId.find(b), iab = m.m_tokenToId.find(a + b);
        for (const auto &[found, tok] : {std::pair{ia, &a}, std::pair{ib, &b}})
            if (found == m.m_tokenToId.end())
                throw FormatError(where + ": refers to unknown token " + jsonQuoted(*tok));
        if (iab == m.m_tokenToId.end())
            throw FormatError(where + ": the merged token " + jsonQuoted(a + b) + " is not in the vocabulary");
        m.m_merges[pairKey(ia->second, ib->second)] = Merge{static_cast<std::int32_t>(k), iab->second};
    }

    if (const auto it = j.find("dropout"); it != j.end() && !it->is_null()) {
        if (!it->is_number() || it->get<double>() != 0.0)
            throw FormatError(label + ".dropout: BPE dropout is not supported (encoding must be deterministic)");
    }
    requireEmptyString(j, "continuing_subword_prefix", label);
    requireEmptyString(j, "end_of_word_suffix", label);
    m.m_ignoreMerges = optBool(j, "ignore_merges", label);
    m.m_byteFallback = optBool(j, "byte_fallback", label);
    m.m_fuseUnk = optBool(j, "fuse_unk", label);
    if (const auto it = j.find("unk_token"); it != j.end() && !it->is_null()) {
        if (!it->is_string())
            throw FormatError(label + ".unk_token: must be a string");
        m.m_unkToken = it->get<std::string>();
        if (const auto id = m.tokenToId(m.m_unkToken))
            m.m_unkId = *id;
    }
    return m;
}

void BpeModel::addToken(const std::string &content, std::int32_t id)
{
    m_tokenToId[content] = id;
    if (static_cast<std::size_t>(id) >= m_idToToken.size()) {
        m_idToToken.resize(static_cast<std::size_t>(id) + 1);
        m_hasId.resize(static_cast<std::size_t>(id) + 1, false);
    }
    m_idToToken[id] = content;
    m_hasId[id] = true;

    const std::size_t n = utf8::sequenceLength(content, 0);
    if (!content.empty() && n == content.size()) {
        const char32_t cp = utf8::decodeAt(content, 0, n);
        if (cp < kSmallCharLimit) {
            if (m_smallCharId.empty())
                m_smallCharId.assign(kSmallCharLimit, -1);
            m_smallCharId[cp] = id;
        }
    }
}

std::optional<std::int32_t> BpeModel::tokenToId(const std::string &token) const
{
    const auto it = m_tokenToId.find(token);
    if (it == m_tokenToId.end())
        return std::nullopt;
    return it->second;
}

const std::string *BpeModel::idToToken(std::int32_t id) const
{
    if (id < 0 || static_cast<std::size_t>(id) >= m_idToToken.size() || !m_hasId[id])
        return nullptr;
    return &m_idToToken[id];
}

void BpeModel::clearCache() const
{
    std::lock_guard<std::mutex> lock(m_cache->mutex);
    m_cache->entries.clear();
}

std::int32_t BpeModel::charId(std::string_view ch) const
{
    if (ch.size() <= 2 && !m_smallCharId.empty()) {
        const char32_t cp = utf8::decodeAt(ch, 0, ch.size());
        return m_smallCharId[cp];
    }
    const auto it = m_tokenToId.find(std::string(ch));
    return it == m_tokenToId.end() ? -1 : it->second;
}

void BpeModel::unknown(std::string_view text, std::vector<std::int32_t> &ids) const
{
    if (m_byteFallback) {
        std::vector<std::int32_t> bytes;
        bool all = true;
        for (const char c : text) {
            const auto id = tokenToId(byteToken(static_cast<unsigned char>(c)));
            all = all && id.has_value();
            if (id)
                bytes.push_back(*id);
        }
        if (all) {
            ids.insert(ids.end(), bytes.begin(), bytes.end());
            return;
        }
    }
    if (!m_unkId)
        throw Error(m_label + ": cannot encode " + jsonQuoted(text)
                    + ": it is not in the vocabulary and the model has no unk_token");
    if (m_fuseUnk && !ids.empty() && ids.back() == *m_unkId)
        return;
    ids.push_back(*m_unkId);
}

void BpeModel::encodeRawBytes(std::string_view bytes, bool byteLevel, std::vector<std::int32_t> &ids) const
{
    for (const char c : bytes) {
        const auto b = static_cast<unsigned char>(c);
        if (byteLevel) {
            if (const auto id = tokenToId(byte_level::utf8Of(b))) {
                ids.push_back(*id);
                continue;
            }
        }
        unknown(std::string_view(&c, 1), ids);
    }
}

void BpeModel::encodePiece(const std::string &piece, std::vector<std::int32_t> &ids) const
{
    if (piece.empty())
        return;
    if (m_ignoreMerges) {
        if (const auto it = m_tokenToId.find(piece); it != m_tokenToId.end()) {
            ids.push_back(it->second);
            return;
        }
    }
    if (piece.size() >= kMaxCachedPiece) {
        bpe(piece, ids);
        return;
    }
    {
        std::lock_guard<std::mutex> lock(m_cache->mutex);
        const auto it = m_cache->entries.find(piece);
        if (it != m_cache->entries.end()) {
            ids.insert(ids.end(), it->second.begin(), it->second.end());
            return;
        }
    }
    const std::size_t start = ids.size();
    bpe(piece, ids);
    std::vector<std::int32_t> result(ids.begin() + static_cast<std::ptrdiff_t>(start), ids.end());
    std::lock_guard<std::mutex> lock(m_cache->mutex);
    if (m_cache->entries.size() >= kCacheCapacity)
        m_cache->entries.clear();
    m_cache->entries.emplace(piece, std::move(result));
}

void BpeModel::bpe(const std::string &piece, std::vector<std::int32_t> &ids) const
{
    struct Symbol
    {
        std::int32_t id;
        std::uint32_t begin, len;
        std::int32_t prev, next;
        std::uint32_t version;
    };
    std::vector<Symbol> symbols;
    symbols.reserve(piece.size());
    for (std::size_t i = 0; i < piece.size();) {
        std::size_t n = utf8::sequenceLength(piece, i);
        if (n == 0)
            n = 1;   // cannot happen for pre-tokenized text; keep going byte by byte
        const auto k = static_cast<std::int32_t>(symbols.size());
        symbols.push_back({charId(std::string_view(piece).substr(i, n)), static_cast<std::uint32_t>(i),
                           static_cast<std::uint32_t>(n), k - 1, k + 1, 0});
        i += n;
    }
    symbols.back().next = -1;

    struct Candidate
    {
        std::int32_t rank;
        std::int32_t pos;
        std::uint32_t leftVersion, rightVersion;
        bool operator>(const Candidate &o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
    };
    std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> heap;
    const auto consider = [&](std::int32_t left) {
        if (left < 0)
            return;
        const std::int32_t right = symbols[left].next;
        if (right < 0 || symbols[left].id < 0 || symbols[right].id < 0)
            return;
        const auto it = m_merges.find(pairKey(symbols[left].id, symbols[right].id));
        if (it != m_merges.end())
            heap.push({it->second.rank, left, symbols[left].version, symbols[right].version});
    };
    for (std::int32_t k = 0; k + 1 < static_cast<std::int32_t>(symbols.size()); ++k)
        consider(k);

    while (!heap.empty()) {
        const Candidate c = heap.top();
        heap.pop();
        Symbol &left = symbols[c.pos];
        if (left.len == 0 || left.version != c.leftVersion || left.next < 0)
            continue;
        Symbol &right = symbols[left.next];
        if (right.version != c.rightVersion)
            continue;
        left.id = m_merges.find(pairKey(left.id, right.id))->second.id;
        left.len += right.len;
        ++left.version;
        right.len = 0;
        ++right.version;
        left.next = right.next;
        if (right.next >= 0)
            symbols[right.next].prev = c.pos;
        if (left.prev >= 0)
            consider(left.prev);
        consider(c.pos);
    }

    for (std::int32_t k = 0; k >= 0; k = symbols[k].next) {
        if (symbols[k].id >= 0)
            ids.push_back(symbols[k].id);
        else
            unknown(std::string_view(piece).substr(symbols[k].begin, symbols[k].len), ids);
    }
}

} // namespace awb
