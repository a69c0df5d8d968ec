#include "text/pre_tokenizer.h"

#include "text/byte_level.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <utility>

namespace awb {

namespace {

// The pattern of GPT-2's encoder.py, used by ByteLevel when use_regex is true.
constexpr const char *kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

std::shared_ptr<const EcmaRegex> gpt2Regex()
{
    static const auto regex = std::make_shared<const EcmaRegex>(kGpt2Pattern, "ByteLevel GPT-2 pattern");
    return regex;
}

std::string escapeLiteral(const std::string &s)
{
    std::string out;
    for (const char c : s) {
        if (std::string_view("\\^$.*+?()[]{}|/").find(c) != std::string_view::npos)
            out += '\\';
        out += c;
    }
    return out;
}

bool boolField(const nlohmann::json &j, const char *key, bool fallback, const std::string &label)
{
    const auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return fallback;
    if (!it->is_boolean())
        throw FormatError(label + "." + key + ": must be true or false");
    return it->get<bool>();
}

PreTokenizer::Behavior parseBehavior(const nlohmann::json &j, const std::string &label)
{
    const auto it = j.find("behavior");
    if (it == j.end() || !it->is_string())
        throw FormatError(label + ".behavior: missing or not a string");
    const std::string b = it->get<std::string>();
    using B = PreTokenizer::Behavior;
    if (b == "Removed")
        return B::Removed;
    if (b == "Isolated")
        return B::Isolated;
    if (b == "MergedWithPrevious")
        return B::MergedWithPrevious;
    if (b == "MergedWithNext")
        return B::MergedWithNext;
    if (b == "Contiguous")
        return B::Contiguous;
    throw FormatError(label + ".behavior: unknown value \"" + b + "\"");
}

struct Segment
{
    std::size_t begin, end;
    bool delimiter;
};

} // namespace

void PreTokenizer::parseInto(const nlohmann::json &j, const std::string &label, std::vector<Step> &steps)
{
    if (j.is_null())
        return;
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string())
        throw FormatError(label + ": expected an object with a string \"type\"");
    const std::string type = j["type"].get<std::string>();
    if (type == "Sequence") {
        const auto it = j.find("pretokenizers");
        if (it == j.end() || !it->is_array())
            throw FormatError(label + ".pretokenizers: missing or not an array");
        for (std::size_t k = 0; k < it->size(); ++k)
            parseInto((*it)[k], label + ".pretokenizers[" + std::to_string(k) + "]", steps);
    } else if (type == "Split") {
        Step s;
        s.kind = Step::Kind::Split;
        const auto pat = j.find("pattern");
        if (pat == j.end() || !pat->is_object())
            throw FormatError(label + ".pattern: missing or not an object");
        if (pat->contains("Regex") && (*pat)["Regex"].is_string())
            s.regex = std::make_shared<const EcmaRegex>((*pat)["Regex"].get<std::string>(), label + ".pattern.Regex");
        else if (pat->contains("String") && (*pat)["String"].is_string())
            s.regex = std::make_shared<const EcmaRegex>(escapeLiteral((*pat)["String"].get<std::string>()),
                                                        label + ".pattern.String");
        else
            throw FormatError(label + ".pattern: needs a string \"Regex\" or \"String\"");
        s.behavior = parseBehavior(j, label);
        s.invert = boolField(j, "invert", false, label);
        steps.push_back(std::move(s));
    } else if (type == "ByteLevel") {
        Step s;
        s.kind = Step::Kind::ByteLevel;
        s.addPrefixSpace = boolField(j, "add_prefix_space", false, label);
        if (boolField(j, "use_regex", true, label))
            s.regex = gpt2Regex();
        steps.push_back(std::move(s));
    } else {
        throw FormatError(label + ".type: pre-tokenizer \"" + type
                          + "\" is not supported (supported: Split, ByteLevel, Sequence)");
    }
}

PreTokenizer PreTokenizer::fromJson(const nlohmann::json &json, const std::string &label)
{
    PreTokenizer p;
    parseInto(json, label, p.m_steps);
    for (const auto &s : p.m_steps)
        p.m_byteLevel = p.m_byteLevel || s.kind == Step::Kind::ByteLevel;
    return p;
}

void PreTokenizer::applySplit(const Step &step, const std::string &piece, std::vector<std::string> &out)
{
    // Matches and the gaps between them, flagged as delimiters (inverted: the gaps are).
    std::vector<Segment> segments;
    std::size_t prev = 0;
    step.regex->forEachMatch(piece, [&](std::size_t b, std::size_t e) {
        if (b > prev)
            segments.push_back({prev, b, step.invert});
        if (e > b)
            segments.push_back({b, e, !step.invert});
        prev = e;
    });
    if (prev < piece.size())
        segments.push_back({prev, piece.size(), step.invert});

    // Hugging Face tokenizers' SplitDelimiterBehavior, fold for fold.
    std::vector<std::pair<std::size_t, std::size_t>> parts;
    bool previousDelimiter = false;
    switch (step.behavior) {
    case Behavior::Removed:
        for (const auto &s : segments)
            if (!s.delimiter)
                parts.emplace_back(s.begin, s.end);
        break;
    case Behavior::Isolated:
        for (const auto &s : segments)
            parts.emplace_back(s.begin, s.end);
        break;
    case Behavior::MergedWithPrevious:
        for (const auto &s : segments) {
            if (s.delimiter && !previousDelimiter && !parts.empty())
                parts.back().second = s.end;
            else
                parts.emplace_back(s.begin, s.end);
            previousDelimiter = s.delimiter;
        }
        break;
    case Behavior::MergedWithNext:
        for (auto it = segments.rbegin(); it != segments.rend(); ++it) {
            if (it->delimiter && !previousDelimiter && !parts.empty())
                parts.back().first = it->begin;
            else
                parts.emplace_back(it->begin, it->end);
            previousDelimiter = it->delimiter;
        }
        std::reverse(parts.begin(), parts.end());
        break;
    case Behavior::Contiguous:
        for (std::size_t k = 0; k < segments.size(); ++k) {
            if (k > 0 && segments[k].delimiter == previousDelimiter)
                parts.back().second = segments[k].end;
            else
                parts.emplace_back(segments[k].begin, segments[k].end);
            previousDelimiter = segments[k].delimiter;
        }
        break;
    }
    for (const auto &[b, e] : parts)
        if (e > b)
            out.emplace_back(piece, b, e - b);
}

void PreTokenizer::applyByteLevel(const Step &step, const std::string &piece, std::vector<std::string> &out)
{
    std::string text;
    const std::string *src = &piece;
    if (step.addPrefixSpace && (piece.empty() || piece[0] != ' ')) {
        text = " " + piece;
        src = &text;
    }
    if (!step.regex) {
        if (!src->empty())
            out.push_back(byte_level::encode(*src));
        return;
    }
    std::size_t prev = 0;
    const auto emit = [&](std::size_t b, std::size_t e) {
        if (e > b)
            out.push_back(byte_level::encode(std::string_view(*src).substr(b, e - b)));
    };
    step.regex->forEachMatch(*src, [&](std::size_t b, std::size_t e) {
        emit(prev, b);
        emit(b, e);
        prev = e;
    });
    emit(prev, src->size());
}

void PreTokenizer::run(std::string_view text, std::vector<std::string> &pieces) const
{
    pieces.clear();
    if (text.empty())
        return;
    pieces.emplace_back(text);
    std::vector<std::string> next;
    for (const Step &step : m_steps) {
        next.clear();
        for (const auto &piece : pieces) {
            if (step.kind == Step::Kind::Split)
                applySplit(step, piece, next);
            else
                applyByteLevel(step, piece, next);
        }
        pieces.swap(next);
    }
}

} // namespace awb
