#include "data/prompt_import.h"

#include "data/csv_reader.h"
#include "data/text_reader.h"
#include "io/json_util.h"
#include "store/store.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <unordered_set>

namespace awb {

namespace {

constexpr std::size_t kMaxDetailedWarnings = 5;
constexpr std::int64_t kProgressEvery = 1000;
const char *const kHuman = "\n\nHuman:";
const char *const kAssistant = "\n\nAssistant:";

bool isSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string trim(const std::string &s)
{
    std::size_t b = 0, e = s.size();
    while (b < e && isSpace(s[b]))
        ++b;
    while (e > b && isSpace(s[e - 1]))
        --e;
    return s.substr(b, e - b);
}

bool endsWith(const std::string &s, const std::string &suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string lower(std::string s)
{
    for (char &c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

void stripBom(std::string &s)
{
    if (s.size() >= 3 && s.compare(0, 3, "\xEF\xBB\xBF") == 0)
        s.erase(0, 3);
}

// The text between `open` and the next `close` (or the end), trimmed;
// std::string::npos in `found` when `open` does not occur.
std::string between(const std::string &s, const char *open, const char *close, bool &found)
{
    std::size_t b = s.find(open);
    std::size_t skip = std::strlen(open);
    // A transcript may start with "Human:" without the blank line before it.
    if (b == std::string::npos && s.rfind(open + 2, 0) == 0) {
        b = 0;
        skip -= 2;
    }
    found = b != std::string::npos;
    if (!found)
        return {};
    b += skip;
    const std::size_t e = s.find(close, b);
    return trim(s.substr(b, e == std::string::npos ? std::string::npos : e - b));
}

std::string jsonTypeName(const nlohmann::json &v)
{
    return v.type_name();
}

// Collects prompts and applies dedup, split, limits and warnings the same way for every format.
class Collector
{
public:
    Collector(const std::string &path, const PromptImportOptions &options,
              const std::function<bool(std::int64_t)> &progress)
        : m_path(path), m_options(options), m_progress(progress)
    {
    }

    // False once the import should stop (limit reached or cancelled).
    bool add(ImportedPrompt prompt)
    {
        prompt.text = trim(prompt.text);
        if (prompt.text.empty()) {
            skip(prompt.sourceId, "empty prompt");
            return tick();
        }
        std::string key = normalizePromptText(prompt.text);
        if (m_options.dedup && !m_seen.insert(key).second) {
            ++m_result.duplicates;
            return tick();
        }
        prompt.split = promptSplitFor(prompt.text, m_options.heldOutFraction);
        if (static_cast<std::int64_t>(m_result.prompts.size()) >= m_options.limits.maxRecords)
            throw FormatError(m_path + ":" + prompt.sourceId + ": more than " + std::to_string(m_options.limits.maxRecords)
                              + " prompts (the limit of a prompt set); split the file");
        m_result.prompts.push_back(std::move(prompt));
        if (m_options.maxPrompts > 0 && static_cast<std::int64_t>(m_result.prompts.size()) >= m_options.maxPrompts) {
            ++m_records;
            m_stopped = true;
            return false;
        }
        return tick();
    }

    bool skip(const std::string &line, const std::string &why)
    {
        ++m_result.skipped;
        if (m_result.warnings.size() < kMaxDetailedWarnings)
            m_result.warnings.push_back(m_path + ":" + line + ": skipped: " + why);
        return true;
    }

    bool skipRecord(const std::string &line, const std::string &why)
    {
        skip(line, why);
        return tick();
    }

    PromptImportResult finish(std::string format)
    {
        if (m_result.skipped > static_cast<std::int64_t>(kMaxDetailedWarnings))
            m_result.warnings.push_back(std::to_string(m_result.skipped - static_cast<std::int64_t>(kMaxDetailedWarnings))
                                        + " more records skipped");
        if (m_cancelled)
            m_result.warnings.push_back("import stopped after " + std::to_string(m_records) + " records");
        if (m_progress && !m_cancelled)
            m_progress(m_records);
        m_result.format = std::move(format);
        return std::move(m_result);
    }

    bool stopped() const { return m_stopped; }
    std::int64_t kept() const { return static_cast<std::int64_t>(m_result.prompts.size()); }
    std::int64_t skipped() const { return m_result.skipped; }
    std::int64_t duplicates() const { return m_result.duplicates; }

private:
    bool tick()
    {
        ++m_records;
        if (m_progress && m_records % kProgressEvery == 0 && !m_progress(m_records)) {
            m_cancelled = m_stopped = true;
            return false;
        }
        return true;
    }

    std::string m_path;
    const PromptImportOptions &m_options;
    const std::function<bool(std::int64_t)> &m_progress;
    PromptImportResult m_result;
    std::unordered_set<std::string> m_seen;
    std::int64_t m_records = 0;
    bool m_cancelled = false;
    bool m_stopped = false;
};

// Follows a dotted path through nested objects; nullptr when any step is missing.
const nlohmann::json *lookup(const nlohmann::json &obj, const std::string &dotted)
{
    const nlohmann::json *cur = &obj;
    std::size_t b = 0;
    for (;;) {
        const std::size_t e = dotted.find('.', b);
        const std::string key = dotted.substr(b, e == std::string::npos ? std::string::npos : e - b);
        if (!cur->is_object())
            return nullptr;
        const auto it = cur->find(key);
        if (it == cur->end())
            return nullptr;
        cur = &*it;
        if (e == std::string::npos)
            return cur;
        b = e + 1;
    }
}

std::string keysOf(const nlohmann::json &obj)
{
    if (!obj.is_object())
        return std::string("(the record is a JSON ") + obj.type_name() + ")";
    std::string keys;
    for (auto it = obj.begin(); it != obj.end(); ++it)
        keys += (keys.empty() ? "" : ", ") + it.key();
    return keys.empty() ? "(none)" : keys;
}

bool isHhRlhf(const nlohmann::json &obj)
{
    if (!obj.is_object())
        return false;
    const auto c = obj.find("chosen"), r = obj.find("rejected");
    return c != obj.end() && r != obj.end() && c->is_string() && r->is_string()
        && c->get_ref<const std::string &>().find(kHuman) != std::string::npos
        && r->get_ref<const std::string &>().find(kHuman) != std::string::npos;
}

// The format from the extension, else from the first non-blank line.
std::string detectFormat(const std::string &path, const ReadLimits &limits)
{
    std::string name = lower(path);
    if (endsWith(name, ".gz"))
        name.resize(name.size() - 3);
    TextReader reader(path, limits);
    std::string line;
    std::string first;
    while (reader.getLine(line)) {
        stripBom(line);
        if (!trim(line).empty()) {
            first = trim(line);
            break;
        }
    }
    bool jsonl = endsWith(name, ".jsonl") || endsWith(name, ".json") || endsWith(name, ".ndjson");
    if (!jsonl && !endsWith(name, ".csv"))
        jsonl = !first.empty() && first.front() == '{';
    if (!jsonl)
        return "csv";
    if (!first.empty()) {
        // A bad first line is reported by the real pass, with its line number.
        const auto obj = nlohmann::json::parse(first, nullptr, false);
        if (!obj.is_discarded() && isHhRlhf(obj))
            return "hh-rlhf";
    }
    return "jsonl";
}

void importJsonl(TextReader &reader, Collector &out, const std::string &field, bool hh)
{
    std::string line;
    std::int64_t lineNo = 0;
    bool sawField = false;
    std::string firstKeys;
    while (!out.stopped() && reader.getLine(line)) {
        ++lineNo;
        if (lineNo == 1)
            stripBom(line);
        if (trim(line).empty())
            continue;
        const nlohmann::json obj = parseJsonLine(line, reader.path(), lineNo);
        const std::string id = std::to_string(lineNo);
        if (firstKeys.empty())
            firstKeys = keysOf(obj);
        if (hh) {
            const nlohmann::json *chosen = lookup(obj, "chosen");
            const nlohmann::json *rejected = lookup(obj, "rejected");
            if (!chosen || !chosen->is_string()) {
                out.skipRecord(id, "no string field \"chosen\"");
                continue;
            }
            bool found = false;
            ImportedPrompt p;
            const auto &c = chosen->get_ref<const std::string &>();
            p.text = between(c, kHuman, kAssistant, found);
            if (!found) {
                out.skipRecord(id, "\"chosen\" has no Human turn");
                continue;
            }
            sawField = true;
            p.chosen = between(c, kAssistant, kHuman, found);
            if (rejected && rejected->is_string())
                p.rejected = between(rejected->get_ref<const std::string &>(), kAssistant, kHuman, found);
            p.sourceId = id;
            out.add(std::move(p));
            continue;
        }
        const nlohmann::json *value = lookup(obj, field);
        if (!value) {
            out.skipRecord(id, "no field \"" + field + "\"");
            continue;
        }
        sawField = true;
        if (!value->is_string()) {
            out.skipRecord(id, "field \"" + field + "\" is " + jsonTypeName(*value) + ", not a string");
            continue;
        }
        ImportedPrompt p;
        p.text = value->get<std::string>();
        p.sourceId = id;
        out.add(std::move(p));
    }
    if (!sawField && out.skipped() > 0)
        throw FormatError(reader.path() + ": no record has "
                          + (hh ? std::string("a \"chosen\" transcript with a Human turn")
                                : "the field \"" + field + "\"")
                          + "; the first record's keys are: " + firstKeys);
}

bool blankRecord(const std::vector<std::string> &fields)
{
    return fields.size() == 1 && trim(fields[0]).empty();
}

void importCsv(TextReader &reader, Collector &out, const std::string &field)
{
    CsvReader parser(reader);
    std::vector<std::string> fields;
    std::int64_t line = 0;
    while (parser.next(fields, line) && blankRecord(fields)) {
    }
    if (fields.empty() || blankRecord(fields))
        return;
    stripBom(fields[0]);
    std::size_t column = fields.size();
    std::string names;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (trim(fields[i]) == field && column == fields.size())
            column = i;
        names += (i ? ", " : "") + trim(fields[i]);
    }
    if (column == fields.size())
        throw FormatError(reader.path() + ":" + std::to_string(line) + ": no column \"" + field
                          + "\" in the header; the columns are: " + names);
    while (!out.stopped() && parser.next(fields, line)) {
        if (blankRecord(fields))
            continue;
        const std::string id = std::to_string(line);
        if (column >= fields.size()) {
            out.skipRecord(id, "the record has " + std::to_string(fields.size()) + " fields, no column \"" + field + "\"");
            continue;
        }
        ImportedPrompt p;
        p.text = std::move(fields[column]);
        p.sourceId = id;
        out.add(std::move(p));
    }
}

} // namespace

std::string normalizePromptText(const std::string &text)
{
    std::string out;
    out.reserve(text.size());
    bool space = false;
    for (const char c : text) {
        if (isSpace(c)) {
            space = !out.empty();
            continue;
        }
        if (space)
            out += ' ';
        space = false;
        out += c;
    }
    return out;
}

std::string promptSplitFor(const std::string &text, double heldOutFraction)
{
    std::uint64_t h = 14695981039346656037ull;
    for (const char c : normalizePromptText(text)) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    // FNV-1a alone leaves the top bits nearly equal for texts that differ in
    // their last characters ("item 1", "item 2"); MurmurHash3's finaliser mixes them.
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    const double u = static_cast<double>(h >> 11) * (1.0 / 9007199254740992.0);
    return u < heldOutFraction ? "test" : "train";
}

PromptImportResult importPrompts(const std::string &path, const PromptImportOptions &options,
                                 const std::function<bool(std::int64_t done)> &progress)
{
    if (!(options.heldOutFraction >= 0.0 && options.heldOutFraction <= 1.0))
        throw Error("importing " + path + ": heldOutFraction must be in [0, 1], not "
                    + std::to_string(options.heldOutFraction));
    if (options.maxPrompts < 0)
        throw Error("importing " + path + ": maxPrompts must be >= 0");
    std::string format = options.format;
    if (format == "auto")
        format = detectFormat(path, options.limits);
    if (format != "jsonl" && format != "csv" && format != "hh-rlhf")
        throw Error("importing " + path + ": unknown format \"" + options.format
                    + "\" (expected auto, jsonl, csv or hh-rlhf)");
    if (format != "hh-rlhf" && trim(options.field).empty())
        throw Error("importing " + path + ": the prompt field name is empty");

    TextReader reader(path, options.limits);
    Collector out(path, options, progress);
    if (format == "csv")
        importCsv(reader, out, options.field);
    else
        importJsonl(reader, out, options.field, format == "hh-rlhf");
    return out.finish(format);
}

std::vector<PromptRecord> promptRecords(const PromptImportResult &imported, const std::string &path,
                                        const std::string &field)
{
    if (imported.prompts.empty())
        throw Error(path + ": no prompts in this file (prompt field \"" + field + "\"); nothing was imported");
    std::vector<PromptRecord> records;
    records.reserve(imported.prompts.size());
    for (const auto &p : imported.prompts) {
        PromptRecord r;
        r.text = p.text;
        r.chosen = p.chosen;
        r.rejected = p.rejected;
        r.split = p.split;
        r.sourceId = p.sourceId;
        records.push_back(std::move(r));
    }
    return records;
}

std::int64_t importPromptSet(Store &store, const std::string &path, const std::string &field,
                             const std::function<void(const std::string &)> &log)
{
    for (const auto &[id, name] : store.promptSets())
        if (name == path)
            return id;
    PromptImportOptions io;
    io.field = field;
    io.heldOutFraction = 0.1;
    const PromptImportResult imported = importPrompts(path, io);
    if (log)
        for (const auto &w : imported.warnings)
            log(w);
    // Checked before anything is stored, so a fixed file imports on the next try.
    const std::vector<PromptRecord> records = promptRecords(imported, path, field);
    if (std::none_of(imported.prompts.begin(), imported.prompts.end(), [](const auto &p) { return p.split == "train"; }))
        throw Error(path + ": all " + std::to_string(imported.prompts.size())
                    + " prompts fell into the held-out split; give more prompts");
    const std::int64_t setId = store.addPromptSet(path, path);
    store.addPrompts(setId, records);
    if (log)
        log("imported " + std::to_string(records.size()) + " prompts from " + path);
    return setId;
}

} // namespace awb
