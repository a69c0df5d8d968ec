#pragma once
// The alignment aspects a reward model scores (politeness, meaningfulness,
// actionability, safety by default), each with its own score range. The order
// of the aspects is the order of the reward model's outputs, of the GRPO
// weights and of the label columns, so index(name) is how everything else
// finds an aspect.
//
// Invariants, kept by every mutator (which throws Error naming the aspect and
// leaves the schema unchanged when a change would break them): names are
// non-empty, have no leading or trailing white space, and are unique ignoring
// ASCII case ("Safety" and "safety" would be indistinguishable in a plot
// legend); min < max, both finite.
//
// Plain value type: copy freely, use from any thread (const methods).

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace awb {

struct Aspect
{
    std::string name;
    double min = 0;             // lowest score an annotator can give
    double max = 1;             // highest score
    std::string description;    // one line for annotators and tooltips

    bool operator==(const Aspect &other) const
    {
        return name == other.name && min == other.min && max == other.max && description == other.description;
    }
};

class AspectSchema
{
public:
    AspectSchema() = default;   // no aspects
    // Throws Error on the first aspect that breaks an invariant.
    explicit AspectSchema(const std::vector<Aspect> &aspects);

    // politeness, meaningfulness, actionability, safety, each in [0, 1] (Li et al. 2025).
    static AspectSchema defaults();

    void add(const Aspect &aspect);
    void rename(const std::string &from, const std::string &to);
    void remove(const std::string &name);
    void setRange(const std::string &name, double min, double max);
    void setDescription(const std::string &name, const std::string &description);

    std::size_t size() const { return m_aspects.size(); }
    bool empty() const { return m_aspects.empty(); }
    const Aspect &at(std::size_t index) const;   // throws Error when out of range
    const std::vector<Aspect> &aspects() const { return m_aspects; }
    std::vector<std::string> names() const;

    // Exact (case-sensitive) name lookup.
    std::optional<std::size_t> find(const std::string &name) const;
    // Throws Error "no aspect named ..." listing the aspects there are.
    std::size_t index(const std::string &name) const;

    // {"format_version": 1, "aspects": [{"name", "min", "max", "description"}, ...]}
    nlohmann::json toJson() const;
    // `label` names the source (a file) in errors, which also name the field,
    // e.g. "aspects.json: aspects[2].max must be a number". min/max default to
    // 0/1 and description to "" when absent.
    static AspectSchema fromJson(const nlohmann::json &json, const std::string &label);

    bool operator==(const AspectSchema &other) const { return m_aspects == other.m_aspects; }
    bool operator!=(const AspectSchema &other) const { return !(*this == other); }

private:
    // Throws when `aspect` cannot sit in the schema; `skip` is the slot it replaces (if any).
    void check(const Aspect &aspect, std::optional<std::size_t> skip) const;
    std::size_t indexForChange(const std::string &name, const char *action) const;

    std::vector<Aspect> m_aspects;
};

} // namespace awb
