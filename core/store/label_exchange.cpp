#include "store/label_exchange.h"

#include "data/text_reader.h"
#include "io/atomic_file.h"
#include "io/json_util.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

namespace awb {

namespace {

constexpr std::size_t kMaxProblems = 20;

struct LabelLine
{
    std::int64_t sampleId = 0, runId = 0, step = 0, timeMs = 0;
    std::string prompt, completion, aspect, annotator;
    double value = 0.0;
};

LabelLine parseLine(const std::string &text, const std::string &path, std::int64_t lineNo, const std::string &where)
{
    const nlohmann::json j = parseJsonLine(text, path, lineNo);
    if (!j.is_object())
        throw Error(where + ": not a JSON object");
    auto field = [&](const char *name, auto check, const char *kind) -> const nlohmann::json & {
        const auto it = j.find(name);
        if (it == j.end() || !check(*it))
            throw Error(where + ": \"" + name + "\" is missing or not " + kind);
        return *it;
    };
    const auto isInt = [](const nlohmann::json &v) { return v.is_number_integer(); };
    const auto isString = [](const nlohmann::json &v) { return v.is_string(); };
    LabelLine l;
    l.sampleId = field("sample_id", isInt, "an integer").get<std::int64_t>();
    l.runId = field("run_id", isInt, "an integer").get<std::int64_t>();
    l.step = field("step", isInt, "an integer").get<std::int64_t>();
    l.timeMs = field("time_ms", isInt, "an integer").get<std::int64_t>();
    l.prompt = field("prompt", isString, "a string").get<std::string>();
    l.completion = field("completion", isString, "a string").get<std::string>();
    l.aspect = field("aspect", isString, "a string").get<std::string>();
    l.annotator = field("annotator", isString, "a string").get<std::string>();
    l.value = field("value", [](const nlohmann::json &v) { return v.is_number(); }, "a number").get<double>();
    if (!std::isfinite(l.value))
        throw Error(where + ": \"value\" is not a finite number");
    if (l.aspect.empty())
        throw Error(where + ": \"aspect\" is empty");
    return l;
}

} // namespace

LabelExportResult exportLabels(const Store &store, const std::string &path)
{
    LabelExportResult result;
    std::ostringstream out;
    for (const auto &labelled : store.labelledSamples()) {
        SampleFilter f;
        f.sampleId = labelled.sampleId;
        f.includeDiscarded = true;
        const auto rows = store.samples(f);
        if (rows.empty())
            continue;
        const SampleRecord &s = rows.front();
        ++result.samples;
        for (const auto &l : store.labelHistory(s.id)) {
            const nlohmann::json j = {{"sample_id", s.id},       {"run_id", s.runId},         {"step", s.step},
                                      {"prompt", s.prompt},      {"completion", s.completion}, {"aspect", l.aspect},
                                      {"value", l.value},        {"annotator", l.annotator},  {"time_ms", l.timeMs}};
            // A completion cut inside a UTF-8 sequence (byte-level tokens) is written with U+FFFD there;
            // import matches labels by sample_id, never by the text.
            out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
            ++result.labels;
        }
    }
    writeFileAtomically(path, out.str());
    return result;
}

namespace {

// A text as exportLabels writes it: invalid UTF-8 replaced by U+FFFD.
std::string asWritten(const std::string &text)
{
    return nlohmann::json::parse(nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
        .get<std::string>();
}

} // namespace

LabelImportResult importLabels(Store &store, const std::string &path, const ReadLimits &limits)
{
    TextReader in(path, limits);
    // Parse everything first: a bad line means nothing is written.
    std::vector<std::pair<LabelLine, std::string>> lines;
    std::string text;
    for (std::int64_t n = 1; in.getLine(text); ++n) {
        if (text.find_first_not_of(" \t") == std::string::npos)
            continue;
        const std::string where = path + ":" + std::to_string(n);
        if (static_cast<std::int64_t>(lines.size()) >= limits.maxRecords)
            throw FormatError(where + ": more than " + std::to_string(limits.maxRecords)
                              + " labels (the limit of a labels file); split the file");
        lines.emplace_back(parseLine(text, path, n, where), where);
    }

    LabelImportResult result;
    std::map<std::int64_t, std::optional<SampleRecord>> samples;
    std::set<std::int64_t> touched;
    for (const auto &[l, where] : lines) {
        auto it = samples.find(l.sampleId);
        if (it == samples.end()) {
            SampleFilter f;
            f.sampleId = l.sampleId;
            f.includeDiscarded = true;
            const auto rows = store.samples(f);
            it = samples.emplace(l.sampleId, rows.empty() ? std::nullopt : std::optional<SampleRecord>(rows.front()))
                     .first;
        }
        const auto &s = it->second;
        const char *problem = !s ? "no such sample in this workspace"
                              : (asWritten(s->prompt) != l.prompt || asWritten(s->completion) != l.completion)
                                  ? "the workspace's sample with this id has another prompt or completion"
                                  : nullptr;
        if (problem) {
            ++result.unmatched;
            if (result.problems.size() < kMaxProblems)
                result.problems.push_back(where + ": sample " + std::to_string(l.sampleId) + ": " + problem);
            continue;
        }
        bool duplicate = false;
        for (const auto &h : store.labelHistory(l.sampleId))
            duplicate = duplicate || (h.aspect == l.aspect && h.value == l.value && h.annotator == l.annotator
                                      && h.timeMs == l.timeMs);
        if (duplicate) {
            ++result.duplicates;
            continue;
        }
        store.addLabel({0, l.sampleId, l.aspect, l.value, l.annotator, l.timeMs});   // time 0: now
        ++result.added;
        touched.insert(l.sampleId);
    }

    // Conflicts: per touched sample and aspect, each annotator's latest value.
    for (const std::int64_t id : touched) {
        std::map<std::string, std::map<std::string, std::pair<std::int64_t, double>>> latest;   // aspect -> annotator
        for (const auto &h : store.labelHistory(id)) {   // oldest first: later rows win
            auto &slot = latest[h.aspect][h.annotator];
            if (h.timeMs >= slot.first)
                slot = {h.timeMs, h.value};
        }
        for (const auto &[aspect, byAnnotator] : latest) {
            if (byAnnotator.size() < 2)
                continue;
            const double first = byAnnotator.begin()->second.second;
            bool differ = false;
            for (const auto &entry : byAnnotator)
                differ = differ || entry.second.second != first;
            if (!differ)
                continue;
            LabelConflict c;
            c.sampleId = id;
            c.aspect = aspect;
            for (const auto &[annotator, tv] : byAnnotator)
                c.values.emplace_back(annotator, tv.second);
            result.conflicts.push_back(std::move(c));
        }
    }
    return result;
}

} // namespace awb
