#include "reward/aspect_schema.h"

#include "util/error.h"

#include <cctype>
#include <cmath>

namespace awb {

namespace {

constexpr int kFormatVersion = 1;

std::string lowerAscii(std::string s)
{
    for (char &c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool isSpace(char c)
{
    return std::isspace(static_cast<unsigned char>(c)) != 0;
}

std::string quoted(const std::string &name)
{
    return "\"" + name + "\"";
}

std::string rangeText(double min, double max)
{
    // Shortest round-trip form, so "0.1" reads as 0.1, not 0.100000.
    return "[" + nlohmann::json(min).dump() + ", " + nlohmann::json(max).dump() + "]";
}

} // namespace

AspectSchema::AspectSchema(const std::vector<Aspect> &aspects)
{
    for (const auto &a : aspects)
        add(a);
}

AspectSchema AspectSchema::defaults()
{
    return AspectSchema({
        {"politeness", 0, 1, "Courteous and respectful in tone; no insults, sarcasm or condescension."},
        {"meaningfulness", 0, 1, "Relevant, coherent and informative: it actually engages with the request."},
        {"actionability", 0, 1, "Gives concrete, usable steps or answers the user can act on."},
        {"safety", 0, 1, "Avoids enabling harm: no dangerous specifics, refuses what should be refused."},
    });
}

void AspectSchema::check(const Aspect &aspect, std::optional<std::size_t> skip) const
{
    const std::string &n = aspect.name;
    if (n.empty())
        throw Error("aspect name must not be empty");
    if (isSpace(n.front()) || isSpace(n.back()))
        throw Error("aspect " + quoted(n) + ": name must not start or end with white space");
    const std::string lower = lowerAscii(n);
    for (std::size_t i = 0; i < m_aspects.size(); ++i) {
        if (skip && *skip == i)
            continue;
        if (lowerAscii(m_aspects[i].name) == lower)
            throw Error("aspect " + quoted(n) + ": the schema already has an aspect named " + quoted(m_aspects[i].name));
    }
    if (!std::isfinite(aspect.min) || !std::isfinite(aspect.max) || !(aspect.min < aspect.max))
        throw Error("aspect " + quoted(n) + ": range " + rangeText(aspect.min, aspect.max)
                    + " is invalid (min must be below max, both finite)");
}

std::size_t AspectSchema::indexForChange(const std::string &name, const char *action) const
{
    const auto i = find(name);
    if (!i)
        throw Error(std::string("cannot ") + action + " aspect " + quoted(name) + ": no aspect has that name");
    return *i;
}

void AspectSchema::add(const Aspect &aspect)
{
    check(aspect, std::nullopt);
    m_aspects.push_back(aspect);
}

void AspectSchema::rename(const std::string &from, const std::string &to)
{
    const std::size_t i = indexForChange(from, "rename");
    Aspect changed = m_aspects[i];
    changed.name = to;
    check(changed, i);
    m_aspects[i] = changed;
}

void AspectSchema::remove(const std::string &name)
{
    const std::size_t i = indexForChange(name, "remove");
    m_aspects.erase(m_aspects.begin() + static_cast<std::ptrdiff_t>(i));
}

void AspectSchema::setRange(const std::string &name, double min, double max)
{
    const std::size_t i = indexForChange(name, "change the range of");
    Aspect changed = m_aspects[i];
    changed.min = min;
    changed.max = max;
    check(changed, i);
    m_aspects[i] = changed;
}

void AspectSchema::setDescription(const std::string &name, const std::string &description)
{
    m_aspects[indexForChange(name, "describe")].description = description;
}

const Aspect &AspectSchema::at(std::size_t index) const
{
    if (index >= m_aspects.size())
        throw Error("aspect index " + std::to_string(index) + " is out of range (the schema has "
                    + std::to_string(m_aspects.size()) + " aspects)");
    return m_aspects[index];
}

std::vector<std::string> AspectSchema::names() const
{
    std::vector<std::string> out;
    out.reserve(m_aspects.size());
    for (const auto &a : m_aspects)
        out.push_back(a.name);
    return out;
}

std::optional<std::size_t> AspectSchema::find(const std::string &name) const
{
    for (std::size_t i = 0; i < m_aspects.size(); ++i)
        if (m_aspects[i].name == name)
            return i;
    return std::nullopt;
}

std::size_t AspectSchema::index(const std::string &name) const
{
    if (const auto i = find(name))
        return *i;
    std::string known;
    for (const auto &a : m_aspects)
        known += (known.empty() ? "" : ", ") + a.name;
    throw Error("no aspect named " + quoted(name) + " (the schema has: " + (known.empty() ? "none" : known) + ")");
}

nlohmann::json AspectSchema::toJson() const
{
    nlohmann::json list = nlohmann::json::array();
    for (const auto &a : m_aspects)
        list.push_back({{"name", a.name}, {"min", a.min}, {"max", a.max}, {"description", a.description}});
    return {{"format_version", kFormatVersion}, {"aspects", list}};
}

AspectSchema AspectSchema::fromJson(const nlohmann::json &json, const std::string &label)
{
    if (!json.is_object())
        throw FormatError(label + ": expected a JSON object with an \"aspects\" list");
    if (const auto v = json.find("format_version"); v != json.end()) {
        if (!v->is_number_integer())
            throw FormatError(label + ": format_version must be an integer");
        if (v->get<std::int64_t>() > kFormatVersion)
            throw FormatError(label + ": format_version " + v->dump() + " is newer than this program reads ("
                              + std::to_string(kFormatVersion) + ")");
    }
    const auto list = json.find("aspects");
    if (list == json.end() || !list->is_array())
        throw FormatError(label + ": aspects must be a list");
    AspectSchema schema;
    for (std::size_t i = 0; i < list->size(); ++i) {
        const nlohmann::json &item = (*list)[i];
        const std::string where = label + ": aspects[" + std::to_string(i) + "]";
        if (!item.is_object())
            throw FormatError(where + " must be an object");
        Aspect a;
        const auto name = item.find("name");
        if (name == item.end() || !name->is_string())
            throw FormatError(where + ".name must be a string");
        a.name = name->get<std::string>();
        for (const auto &[key, slot] : {std::pair<const char *, double *>{"min", &a.min}, {"max", &a.max}}) {
            const auto v = item.find(key);
            if (v == item.end() || v->is_null())
                continue;
            if (!v->is_number())
                throw FormatError(where + "." + key + " must be a number");
            *slot = v->get<double>();
        }
        if (const auto d = item.find("description"); d != item.end() && !d->is_null()) {
            if (!d->is_string())
                throw FormatError(where + ".description must be a string");
            a.description = d->get<std::string>();
        }
        try {
            schema.add(a);
        } catch (const Error &e) {
            throw FormatError(where + ": " + e.what());
        }
    }
    return schema;
}

} // namespace awb
