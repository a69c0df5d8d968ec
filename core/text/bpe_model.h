#pragma once
// The BPE "model" of tokenizer.json: vocabulary, ranked merges (written as
// "a b" strings or as [a, b] pairs), ignore_merges, byte_fallback, unk_token.
//
// A piece is split into characters and the adjacent pair with the lowest merge
// rank is merged first (the leftmost one among equals), until no pair has a
// merge. Pairs wait in a binary heap over a linked list of symbols, so a piece
// of n characters costs O(n log n) whatever its length. Results for pieces up
// to 256 bytes are cached (piece -> ids); the cache has its own mutex, so one
// model may encode from many threads at once. Everything else is immutable
// after loading.

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace awb {

// A token id from tokenizer.json: an integer in [0, kMaxTokenId] (input_limits.h).
// Throws FormatError naming `where` (and the limit, for a larger one) otherwise.
std::int32_t tokenIdFromJson(const nlohmann::json &value, const std::string &where);

class BpeModel
{
public:
    // `json` is the "model" object, `label` names it in errors ("path: model").
    // Throws FormatError for a missing or malformed vocab or merges, merges that
    // name unknown tokens, and options this implementation does not support.
    static BpeModel fromJson(const nlohmann::json &json, const std::string &label);

    BpeModel();
    ~BpeModel();
    BpeModel(BpeModel &&) noexcept;
    BpeModel &operator=(BpeModel &&) noexcept;

    // Registers an added token (it may replace the vocabulary's entry for its id).
    void addToken(const std::string &content, std::int32_t id);

    // Appends the ids of one pre-tokenized piece.
    void encodePiece(const std::string &piece, std::vector<std::int32_t> &ids) const;

    // Appends the ids for raw bytes that are not valid UTF-8 and so never reach
    // the pre-tokenizer: each byte's byte-level token, or its <0xXX> fallback token.
    void encodeRawBytes(std::string_view bytes, bool byteLevel, std::vector<std::int32_t> &ids) const;

    std::optional<std::int32_t> tokenToId(const std::string &token) const;
    // nullptr when no token has this id.
    const std::string *idToToken(std::int32_t id) const;
    std::int32_t idLimit() const { return static_cast<std::int32_t>(m_idToToken.size()); }
    std::size_t mergeCount() const { return m_merges.size(); }
    bool byteFallback() const { return m_byteFallback; }

    void clearCache() const;

private:
    struct Merge
    {
        std::int32_t rank;
        std::int32_t id;
    };

    static std::uint64_t pairKey(std::int32_t a, std::int32_t b)
    {
        return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(a)) << 32) | static_cast<std::uint32_t>(b);
    }

    std::int32_t charId(std::string_view ch) const;
    void bpe(const std::string &piece, std::vector<std::int32_t> &ids) const;
    void unknown(std::string_view text, std::vector<std::int32_t> &ids) const;

    std::string m_label;
    std::unordered_map<std::string, std::int32_t> m_tokenToId;
    std::vector<std::string> m_idToToken;
    std::vector<bool> m_hasId;
    std::unordered_map<std::uint64_t, Merge> m_merges;
    std::vector<std::int32_t> m_smallCharId;   // ids of one-character tokens below U+0800, -1 if none
    std::optional<std::int32_t> m_unkId;
    std::string m_unkToken;
    bool m_ignoreMerges = false;
    bool m_byteFallback = false;
    bool m_fuseUnk = false;

    static constexpr std::size_t kMaxCachedPiece = 256;
    static constexpr std::size_t kCacheCapacity = 1 << 17;
    struct Cache
    {
        std::mutex mutex;
        std::unordered_map<std::string, std::vector<std::int32_t>> entries;
    };
    std::unique_ptr<Cache> m_cache;
};

} // namespace awb
