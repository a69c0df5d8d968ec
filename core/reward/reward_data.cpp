#include "reward/reward_data.h"

#include "reward/reward_records.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <map>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace awb {

namespace {

using json = RewardRecordJson;

constexpr const char *kAssistantTurn = "\n\nAssistant:";

std::string where(const std::string &path, const RewardRecord &r)
{
    return path + ":" + std::to_string(r.line);
}

std::string joined(const std::vector<std::string> &names)
{
    std::string s;
    for (const auto &n : names)
        s += (s.empty() ? "" : ", ") + n;
    return s;
}

std::string keysOf(const json &obj)
{
    std::vector<std::string> keys;
    for (auto it = obj.begin(); it != obj.end(); ++it)
        keys.push_back(it.key());
    return keys.empty() ? "(none)" : joined(keys);
}

// A score: a JSON number or a string holding one (CSV); nullopt for null or an empty string.
std::optional<double> scoreOf(const json &v, const std::string &at, const std::string &aspect)
{
    if (v.is_null())
        return std::nullopt;
    if (v.is_number())
        return v.get<double>();
    if (v.is_string()) {
        const std::string s = trimmed(v.get<std::string>());
        if (s.empty())
            return std::nullopt;
        char *end = nullptr;
        const double d = std::strtod(s.c_str(), &end);
        if (end == s.c_str() + s.size() && std::isfinite(d))
            return d;
    }
    // A CSV cell need not be UTF-8: dump it with U+FFFD where it is not.
    throw FormatError(at + ": the score for aspect \"" + aspect + "\" is not a number: "
                      + v.dump(-1, ' ', false, json::error_handler_t::replace));
}

bool looksNumeric(const json &v)
{
    try {
        return scoreOf(v, "", "").has_value();
    } catch (const FormatError &) {
        return false;
    }
}

// Whether the first value of `key` that is given (not null or an empty cell) is a number: an
// unlabelled first record must not hide an aspect column.
bool firstGivenIsNumeric(const std::vector<RewardRecord> &records, const std::string &key)
{
    for (const auto &r : records) {
        const auto it = r.value.find(key);
        if (it == r.value.end() || it->is_null() || (it->is_string() && trimmed(it->get<std::string>()).empty()))
            continue;
        return looksNumeric(*it);
    }
    return false;
}

std::string textField(const RewardRecord &r, const char *key, const std::string &path)
{
    const auto it = r.value.find(key);
    if (it == r.value.end() || it->is_null())
        throw FormatError(where(path, r) + ": no \"" + key + "\"");
    if (!it->is_string())
        throw FormatError(where(path, r) + ": \"" + key + "\" must be text");
    return it->get<std::string>();
}

struct ParsedFile
{
    RewardDataFileSummary summary;
    std::vector<RewardRecord> records;
    std::vector<std::string> aspects;   // score files: keys read as aspects, in column order
};

std::string detectLayout(const std::string &path, const json &first)
{
    const bool prompt = first.contains("prompt"), response = first.contains("response");
    const bool chosen = first.contains("chosen"), rejected = first.contains("rejected");
    if (chosen && rejected) {
        if (prompt)
            return "preference";
        const json &c = first["chosen"];
        if (c.is_string() && c.get_ref<const std::string &>().find(kAssistantTurn) != std::string::npos)
            return "hh-rlhf";
    }
    if (prompt && response && first.contains("labels") && first["labels"].is_object())
        return "labels";
    if (prompt && response) {
        for (const auto &name : helpSteer2Aspects())
            if (!first.contains(name))
                return "scores";
        return "helpsteer2";
    }
    throw FormatError(path + ": the layout is not recognised (keys: " + keysOf(first)
                      + "); expected {prompt, response, labels: {aspect: value}}, {prompt, response, <aspect>: value, ...}, "
                        "{prompt, chosen, rejected}, or HH-RLHF {chosen, rejected} transcripts");
}

ParsedFile readFile(const RewardDataFile &file, const std::vector<std::string> &knownAspects, const ReadLimits &limits)
{
    ParsedFile f;
    f.summary.path = file.path;
    f.records = readRewardRecords(file.path, limits);
    if (f.records.empty())
        throw FormatError(file.path + ": empty: no records");
    const json &first = f.records.front().value;
    f.summary.layout = detectLayout(file.path, first);
    const bool pairs = f.summary.layout == "preference" || f.summary.layout == "hh-rlhf";
    if (pairs) {
        if (file.aspect.empty())
            throw Error(file.path + ": preference pairs need the aspect they supervise: --data " + file.path + ":ASPECT");
        f.summary.aspects = {file.aspect};
        return f;
    }
    if (!file.aspect.empty())
        throw Error(file.path + ": \":" + file.aspect + "\" names the aspect of a preference file, but this file holds "
                    "per-aspect scores (" + f.summary.layout + " layout); its columns name the aspects");
    // Aspect keys: those of the known schema when there is one, else every numeric key.
    std::vector<std::string> candidates;
    if (f.summary.layout == "labels") {
        std::set<std::string> seen;
        for (const auto &r : f.records) {
            const auto it = r.value.find("labels");
            if (it == r.value.end() || !it->is_object())
                throw FormatError(where(file.path, r) + ": expected \"labels\": {aspect: value}");
            for (auto l = it->begin(); l != it->end(); ++l)
                if (seen.insert(l.key()).second)
                    candidates.push_back(l.key());
        }
    } else {
        for (auto it = first.begin(); it != first.end(); ++it)
            if (it.key() != "prompt" && it.key() != "response")
                candidates.push_back(it.key());
    }
    for (const auto &c : candidates) {
        const bool known = std::find(knownAspects.begin(), knownAspects.end(), c) != knownAspects.end();
        const bool numeric = f.summary.layout == "labels" || firstGivenIsNumeric(f.records, c);
        if (knownAspects.empty() ? numeric : known)
            f.aspects.push_back(c);
    }
    if (f.aspects.empty())
        throw FormatError(file.path + ": no column or key matches an aspect (found: "
                          + (candidates.empty() ? std::string("none") : f.summary.layout == "labels" ? joined(candidates) : keysOf(first))
                          + (knownAspects.empty() ? std::string("; none holds a number") : "; aspects: " + joined(knownAspects)) + ")");
    f.summary.aspects = f.aspects;
    return f;
}

// The value of `aspect` in record r of a score file, or nullopt when unlabelled.
std::optional<double> recordScore(const ParsedFile &f, const RewardRecord &r, const std::string &aspect)
{
    const json &holder = f.summary.layout == "labels" ? r.value["labels"] : r.value;
    const auto it = holder.find(aspect);
    if (it == holder.end())
        return std::nullopt;
    return scoreOf(*it, where(f.summary.path, r), aspect);
}

std::string rangeText(double lo, double hi)
{
    std::ostringstream s;
    s << "[" << lo << ", " << hi << "]";
    return s.str();
}

// Ranges for aspects that neither --aspects nor the workspace gives (see the header).
Aspect resolveRange(const std::string &name, const std::vector<ParsedFile> &files, std::vector<std::string> &warnings)
{
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    bool helpSteer = false;
    std::string source;
    for (const auto &f : files) {
        if (std::find(f.aspects.begin(), f.aspects.end(), name) == f.aspects.end())
            continue;
        helpSteer = helpSteer || f.summary.layout == "helpsteer2";
        source = source.empty() ? f.summary.path : source;
        for (const auto &r : f.records)
            if (const auto v = recordScore(f, r, name)) {
                lo = std::min(lo, *v);
                hi = std::max(hi, *v);
            }
    }
    const auto &hs = helpSteer2Aspects();
    if (helpSteer && std::find(hs.begin(), hs.end(), name) != hs.end())
        return {name, 0, 4, ""};
    Aspect a{name, 0, 1, ""};
    if (source.empty()) {
        warnings.push_back("aspect \"" + name + "\": learnt from preference pairs only and given no range; assumed [0, 1] "
                           "(set it with --aspects " + name + ":MIN:MAX)");
        return a;
    }
    if (!(lo >= 0 && hi <= 1)) {
        a.min = std::floor(lo);
        a.max = std::ceil(hi) > a.min ? std::ceil(hi) : a.min + 1;
    }
    warnings.push_back("aspect \"" + name + "\": no range given; assumed " + rangeText(a.min, a.max) + " from the data of "
                       + source + " (set it with --aspects " + name + ":MIN:MAX)");
    return a;
}

AspectSchema resolveSchema(const std::vector<ParsedFile> &files, const std::vector<AspectRequest> &requested,
                           const std::optional<AspectSchema> &workspace, std::vector<std::string> &warnings)
{
    std::vector<std::string> names;
    auto addName = [&](const std::string &n) {
        if (std::find(names.begin(), names.end(), n) == names.end())
            names.push_back(n);
    };
    if (!requested.empty()) {
        for (const auto &r : requested)
            addName(r.name);
    } else if (workspace && !workspace->empty()) {
        names = workspace->names();
    } else {
        for (const auto &f : files)
            for (const auto &a : f.summary.aspects)
                addName(a);
    }
    std::vector<Aspect> aspects;
    for (const auto &name : names) {
        const auto req = std::find_if(requested.begin(), requested.end(), [&](const AspectRequest &r) { return r.name == name; });
        if (req != requested.end() && req->min && req->max) {
            aspects.push_back({name, *req->min, *req->max, ""});
        } else if (workspace && workspace->find(name)) {
            aspects.push_back(workspace->at(*workspace->find(name)));
        } else {
            aspects.push_back(resolveRange(name, files, warnings));
        }
        bool supervised = false;
        for (const auto &f : files)
            supervised = supervised || std::find(f.summary.aspects.begin(), f.summary.aspects.end(), name) != f.summary.aspects.end();
        if (!supervised)
            warnings.push_back("aspect \"" + name + "\": no data file supervises it; its head keeps its initial weights");
    }
    for (const auto &f : files)
        for (const auto &a : f.summary.aspects)
            if (std::find(names.begin(), names.end(), a) == names.end()) {
                if (f.summary.layout == "preference" || f.summary.layout == "hh-rlhf")
                    throw Error(f.summary.path + ": aspect \"" + a + "\" is not one of the aspects (" + joined(names) + ")");
            }
    return AspectSchema(aspects);
}

void addScores(const ParsedFile &f, const AspectSchema &schema, RewardDataset &out)
{
    for (const auto &r : f.records) {
        RewardExample ex{textField(r, "prompt", f.summary.path), textField(r, "response", f.summary.path), {}};
        bool any = false;
        for (const auto &aspect : schema.aspects()) {
            std::optional<double> v;
            if (std::find(f.aspects.begin(), f.aspects.end(), aspect.name) != f.aspects.end())
                v = recordScore(f, r, aspect.name);
            if (v && (*v < aspect.min || *v > aspect.max))
                throw FormatError(where(f.summary.path, r) + ": the score " + json(*v).dump() + " for aspect \"" + aspect.name
                                  + "\" is outside its range " + rangeText(aspect.min, aspect.max));
            any = any || v.has_value();
            ex.targets.push_back(v);
        }
        if (!any) {
            ++out.files.back().skipped;
            continue;
        }
        out.examples.push_back(std::move(ex));
        ++out.files.back().records;
    }
}

// HH-RLHF: the conversation up to the last assistant turn, and that turn.
bool splitTranscript(const std::string &t, std::string &prompt, std::string &response)
{
    const auto at = t.rfind(kAssistantTurn);
    if (at == std::string::npos)
        return false;
    prompt = trimmed(t.substr(0, at));
    response = trimmed(t.substr(at + std::string(kAssistantTurn).size()));
    return !prompt.empty();
}

void addPairs(const ParsedFile &f, std::size_t k, RewardDataset &out)
{
    std::int64_t mismatched = 0;
    for (const auto &r : f.records) {
        RewardPreference p;
        p.aspect = k;
        if (f.summary.layout == "hh-rlhf") {
            std::string promptR;
            if (!splitTranscript(textField(r, "chosen", f.summary.path), p.prompt, p.chosen)
                || !splitTranscript(textField(r, "rejected", f.summary.path), promptR, p.rejected))
                throw FormatError(where(f.summary.path, r) + ": a transcript has no \"Assistant:\" turn after a prompt");
            if (promptR != p.prompt) {
                ++mismatched;
                ++out.files.back().skipped;
                continue;
            }
        } else {
            p.prompt = textField(r, "prompt", f.summary.path);
            p.chosen = textField(r, "chosen", f.summary.path);
            p.rejected = textField(r, "rejected", f.summary.path);
        }
        if (p.chosen == p.rejected)
            throw FormatError(where(f.summary.path, r) + ": the chosen and the rejected response are the same text");
        out.pairs.push_back(std::move(p));
        ++out.files.back().records;
    }
    if (mismatched > 0)
        out.warnings.push_back(f.summary.path + ": " + std::to_string(mismatched)
                               + " pairs skipped whose chosen and rejected conversations differ before the last reply");
}

} // namespace

const std::vector<std::string> &helpSteer2Aspects()
{
    static const std::vector<std::string> names = {"helpfulness", "correctness", "coherence", "complexity", "verbosity"};
    return names;
}

RewardDataFile parseRewardDataArgument(const std::string &argument)
{
    std::error_code ec;
    const auto colon = argument.rfind(':');
    if (fs::exists(argument, ec) || colon == std::string::npos || colon == 0)
        return {argument, ""};
    const std::string aspect = trimmed(argument.substr(colon + 1));
    if (aspect.empty() || aspect.find('/') != std::string::npos)
        return {argument, ""};
    return {argument.substr(0, colon), aspect};
}

std::vector<AspectRequest> parseAspectList(const std::string &text)
{
    std::vector<AspectRequest> out;
    std::stringstream ss(text);
    std::string entry;
    while (std::getline(ss, entry, ',')) {
        entry = trimmed(entry);
        if (entry.empty())
            continue;
        // Split by hand: getline drops a trailing empty part, so "a:0:1:" would pass as a:0:1.
        std::vector<std::string> parts;
        for (std::size_t from = 0;;) {
            const auto at = entry.find(':', from);
            parts.push_back(trimmed(entry.substr(from, at - from)));   // npos - from still runs to the end
            if (at == std::string::npos)
                break;
            from = at + 1;
        }
        if (parts.size() != 1 && parts.size() != 3)
            throw Error("--aspects: \"" + entry + "\" is not NAME or NAME:MIN:MAX");
        AspectRequest r{parts[0], std::nullopt, std::nullopt};
        if (parts.size() == 3) {
            char *end = nullptr;
            const double lo = std::strtod(parts[1].c_str(), &end);
            const bool okLo = !parts[1].empty() && *end == '\0';
            const double hi = std::strtod(parts[2].c_str(), &end);
            const bool okHi = !parts[2].empty() && *end == '\0';
            if (!okLo || !okHi || !(lo < hi))
                throw Error("--aspects: \"" + entry + "\" needs numbers MIN < MAX");
            r.min = lo;
            r.max = hi;
        }
        if (r.name.empty())
            throw Error("--aspects: an entry has no name");
        out.push_back(r);
    }
    if (out.empty())
        throw Error("--aspects: no aspect named");
    return out;
}

RewardDataset loadRewardData(const std::vector<RewardDataFile> &files, const std::vector<AspectRequest> &requested,
                             const std::optional<AspectSchema> &workspace, const ReadLimits &limits)
{
    if (files.empty())
        throw Error("reward data: no data file given (--data FILE[:ASPECT])");
    std::vector<std::string> known;
    for (const auto &r : requested)
        known.push_back(r.name);
    if (known.empty() && workspace)
        known = workspace->names();
    std::vector<ParsedFile> parsed;
    for (const auto &f : files)
        parsed.push_back(readFile(f, known, limits));

    RewardDataset out;
    out.schema = resolveSchema(parsed, requested, workspace, out.warnings);
    for (std::size_t i = 0; i < parsed.size(); ++i) {
        out.files.push_back(parsed[i].summary);
        if (parsed[i].summary.layout == "preference" || parsed[i].summary.layout == "hh-rlhf")
            addPairs(parsed[i], out.schema.index(files[i].aspect), out);
        else
            addScores(parsed[i], out.schema, out);
        if (out.files.back().records == 0)
            throw FormatError(parsed[i].summary.path + ": no record holds a score for any aspect");
    }
    return out;
}

std::vector<RewardPreference> loadPreferenceFile(const std::string &path, std::vector<std::string> &warnings,
                                                const ReadLimits &limits)
{
    ParsedFile f;
    f.records = readRewardRecords(path, limits);
    if (f.records.empty())
        throw FormatError(path + ": empty: no preference pairs");
    f.summary.path = path;
    f.summary.layout = detectLayout(path, f.records.front().value);
    if (f.summary.layout != "preference" && f.summary.layout != "hh-rlhf")
        throw FormatError(path + ": holds per-aspect scores (" + f.summary.layout + " layout), not preference pairs; "
                          "expected {prompt, chosen, rejected} or HH-RLHF {chosen, rejected} transcripts");
    RewardDataset out;
    out.files.push_back(f.summary);
    addPairs(f, 0, out);
    if (out.pairs.empty())
        throw FormatError(path + ": no usable preference pair (" + std::to_string(out.files.back().skipped) +
                          " skipped)");
    warnings.insert(warnings.end(), out.warnings.begin(), out.warnings.end());
    return out.pairs;
}

} // namespace awb
