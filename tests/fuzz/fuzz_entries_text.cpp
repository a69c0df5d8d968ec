// Fuzz entries of the files of a model folder: the safetensors header,
// config.json, tokenizer.json (with its pre-tokenizer regex on its own) and the
// chat template of tokenizer_config.json (see fuzz_entries.h).
#include "fuzz_entries.h"
#include "fuzz_support.h"

#include "io/model_config.h"
#include "io/safetensors_header.h"
#include "text/byte_level.h"
#include "text/tokenizer.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string_view>

namespace awb::fuzz {

namespace {

// A model folder in the scratch folder, created on first use.
std::string folder(const std::string &name)
{
    const std::string dir = scratchDir() + "/" + name;
    std::filesystem::create_directories(dir);
    return dir;
}

// Texts every loaded tokenizer encodes: ASCII, words the demo knows, Unicode
// (combining marks, CJK, emoji), a control token and invalid UTF-8.
const std::vector<std::string> &sampleTexts()
{
    static const std::vector<std::string> texts = {
        "Hello, world! It's 2024; numbers 12345 and   spaces.\n\n",
        "Cafe\xcc\x81 caf\xc3\xa9 \xe4\xbd\xa0\xe5\xa5\xbd \xf0\x9f\x98\x80 \xe2\x80\xa8 tab\there",
        "<|endoftext|><|im_start|>user\nhi<|im_end|>",
        "\xff\xfe\xc3 invalid \xed\xa0\x80 bytes",
    };
    return texts;
}

// A byte-level tokenizer.json: the 256 byte tokens, no merges, `preTokenizer`,
// and the chat templates' markers as special added tokens.
std::string byteLevelTokenizerJson(const nlohmann::json &preTokenizer)
{
    nlohmann::json vocab = nlohmann::json::object();
    for (int b = 0; b < 256; ++b)
        vocab[byte_level::utf8Of(static_cast<std::uint8_t>(b))] = b;
    nlohmann::json added = nlohmann::json::array();
    int id = 256;
    for (const char *marker : {"<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|begin_of_text|>",
                               "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>", "<|system|>", "<|user|>",
                               "<|assistant|>", "<|end|>"})
        added.push_back({{"id", id++}, {"content", marker}, {"special", true}});
    const nlohmann::json j = {{"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", nlohmann::json::array()}}},
                              {"pre_tokenizer", preTokenizer},
                              {"decoder", {{"type", "ByteLevel"}}},
                              {"added_tokens", added}};
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// What every successfully loaded tokenizer must do without a crash: encode,
// decode what it encoded, and answer for its ids. Returns the texts' round trips.
std::vector<std::pair<std::string, std::string>> exercise(const Tokenizer &t, const std::string &extraText)
{
    std::vector<std::pair<std::string, std::string>> roundTrips;
    std::vector<std::string> texts = sampleTexts();
    texts.push_back(extraText);
    for (const std::string &text : texts) {
        std::vector<std::int32_t> ids;
        attempt([&] { t.normalize(text); });
        attempt([&] { t.encode(text, true); });
        if (!attempt([&] { ids = t.encode(text, false); }))
            continue;   // a regex over its limit
        std::string back;
        require(attempt([&] { back = t.decode(ids); }), "tokenizer: decode refuses ids that encode produced");
        attempt([&] { t.decode(ids, DecodeOptions{true, true}); });
        roundTrips.emplace_back(text, back);
    }
    for (std::int32_t id = 0; id < std::min<std::int32_t>(t.vocabSize(), 600); ++id) {
        if (!t.hasId(id))
            continue;
        require(attempt([&] { t.idToToken(id); }), "tokenizer: no token for id " + std::to_string(id) + " it has");
        attempt([&] { t.decodeToken(id, id % 2 == 0); });
        t.isSpecial(id);
    }
    attempt([&] { t.decode({-1, t.vocabSize(), 0}); });
    for (const auto &id : {t.bosId(), t.eosId(), t.padId(), t.unkId()})
        require(!id || t.hasId(*id), "tokenizer: a special token id outside the vocabulary");
    return roundTrips;
}

} // namespace

void safetensorsHeader(const std::uint8_t *data, std::size_t size)
{
    SafetensorsHeader h;
    if (!attempt([&] { h = parseSafetensorsHeader(data, size, size, "fuzz"); }))
        return;
    // What a successful parse guarantees to its callers.
    std::uint64_t cursor = 0;
    for (const auto &e : h.entries) {
        require(e.begin == cursor && e.end >= e.begin && h.dataStart + e.end <= size, "safetensors: entry out of order");
        require(static_cast<std::uint64_t>(e.numel()) * dtypeSize(e.dtype) == e.byteSize(), "safetensors: entry size");
        cursor = e.end;
    }
    require(h.dataStart + cursor == size, "safetensors: data not covered");
    // The writer must accept what the parser accepted and produce a parsable header.
    std::vector<SafetensorsTensorSpec> specs;
    for (const auto &e : h.entries)
        specs.push_back({e.name, e.dtype, e.shape});
    const std::string header = serializeSafetensorsHeader(layoutSafetensors(specs), h.metadata);
    const std::string file = header + std::string(reinterpret_cast<const char *>(data + h.dataStart), size - h.dataStart);
    const auto again = parseSafetensorsHeader(reinterpret_cast<const std::uint8_t *>(file.data()), file.size(),
                                              file.size(), "fuzz-rewritten");
    require(again.entries.size() == h.entries.size(), "safetensors: the rewritten header differs");
}

void tokenizerJson(const std::uint8_t *data, std::size_t size)
{
    const std::string dir = folder("tokenizer");
    writeScratch("tokenizer/tokenizer.json", data, size);
    std::optional<Tokenizer> t;
    if (attempt([&] { t = Tokenizer::load(dir); }))
        exercise(*t, std::string(reinterpret_cast<const char *>(data), std::min<std::size_t>(size, 256)));
}

void tokenizerRegex(const std::uint8_t *data, std::size_t size)
{
    // The input is a Split pattern; the size picks the behaviour and invert, so mutations visit them all.
    static const char *behaviors[] = {"Isolated", "MergedWithPrevious", "MergedWithNext", "Contiguous", "Removed"};
    const std::string pattern(reinterpret_cast<const char *>(data), size);
    const char *behavior = behaviors[size % 5];
    const nlohmann::json pre = {
        {"type", "Sequence"},
        {"pretokenizers",
         {{{"type", "Split"}, {"pattern", {{"Regex", pattern}}}, {"behavior", behavior}, {"invert", (size / 5) % 2 == 1}},
          {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", false}}}}};
    const std::string dir = folder("regex");
    writeScratch("regex/tokenizer.json", byteLevelTokenizerJson(pre));
    std::optional<Tokenizer> t;
    if (!attempt([&] { t = Tokenizer::load(dir); }))
        return;
    // Every behaviour but Removed keeps every byte: the pieces must cover the text exactly.
    for (const auto &[text, back] : exercise(*t, pattern))
        require(std::string_view(behavior) == "Removed" || back == text,
                "tokenizer regex: decode(encode(x)) != x with behavior " + std::string(behavior));
}

void chatTemplate(const std::uint8_t *data, std::size_t size)
{
    // tokenizer_config.json, then optionally a NUL and a conversation: messages
    // separated by \x1e, each "role\x1fcontent".
    const std::string input(reinterpret_cast<const char *>(data), size);
    const std::size_t nul = input.find('\0');
    const std::string config = input.substr(0, nul);
    std::vector<ChatMessage> fromInput;
    if (nul != std::string::npos) {
        std::size_t at = nul + 1;
        while (at <= input.size()) {
            const std::size_t end = std::min(input.find('\x1e', at), input.size());
            const std::string m = input.substr(at, end - at);
            const std::size_t sep = m.find('\x1f');
            fromInput.push_back({m.substr(0, sep), sep == std::string::npos ? std::string() : m.substr(sep + 1)});
            at = end + 1;
        }
    }
    const std::string dir = folder("chat");
    static const bool written = (writeScratch("chat/tokenizer.json", byteLevelTokenizerJson(nullptr)), true);
    (void)written;
    writeScratch("chat/tokenizer_config.json", config);
    std::optional<Tokenizer> t;
    if (!attempt([&] { t = Tokenizer::load(dir); }))
        return;
    const std::vector<std::vector<ChatMessage>> conversations = {
        {},
        {{"user", "Hello"}},
        {{"system", " Be brief. "}, {"user", "Hi"}, {"assistant", "<think>\nhmm\n</think>\n\nHello!"}, {"user", "Bye"}},
        {{"user", "weather?"}, {"tool", "<tool_response>sun</tool_response>"}, {"tool", "rain"}, {"assistant", "ok"}},
        fromInput,
    };
    for (const auto &messages : conversations)
        for (int variant = 0; variant < 4; ++variant) {
            ChatTemplateOptions o;
            o.addGenerationPrompt = variant % 2 == 1;
            if (variant >= 2)
                o.enableThinking = false;
            std::string text;
            if (attempt([&] { text = t->applyChatTemplate(messages, o); }))
                attempt([&] { t->encode(text, false); });
        }
}

void modelConfig(const std::uint8_t *data, std::size_t size)
{
    const std::string dir = folder("model");
    writeScratch("model/config.json", data, size);
    writeScratch("model/generation_config.json", data, size);
    attempt([&] { loadGenerationEosIds(dir); });
    ModelConfig c;
    if (!attempt([&] { c = loadModelConfig(dir); }))
        return;
    require(c.vocabSize > 0 && c.hiddenSize > 0 && c.numLayers > 0 && c.numHeads > 0 && c.numKvHeads > 0
                && c.headDim > 0 && c.intermediateSize > 0 && c.maxPositionEmbeddings > 0,
            "config.json: a size that is not positive was accepted");
    require(c.numHeads % c.numKvHeads == 0, "config.json: heads not divisible by KV heads were accepted");
    // What is written back reads again as the same configuration.
    const nlohmann::json written = modelConfigToJson(c);
    ModelConfig again;
    require(attempt([&] { again = parseModelConfig(written, "config.json written back"); }),
            "config.json: the configuration written back does not parse");
    require(modelConfigToJson(again) == written, "config.json: writing back is not stable");
}

} // namespace awb::fuzz
