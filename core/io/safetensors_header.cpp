#include "io/safetensors_header.h"

#include "util/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>
#include <set>

namespace awb {

namespace {

struct DtypeInfo
{
    SafetensorsDtype dtype;
    const char *name;
    std::size_t size;
    int rank;   // the reference writer's ordering: higher rank is written first
};

// Ranks follow the declaration order of the reference crate's Dtype enum
// (BOOL < U8 < I8 < F8 < I16 < U16 < F16 < BF16 < I32 < U32 < F32 < F64 < I64 < U64).
constexpr DtypeInfo kDtypes[] = {
    {SafetensorsDtype::Bool, "BOOL", 1, 0},  {SafetensorsDtype::U8, "U8", 1, 1},
    {SafetensorsDtype::I8, "I8", 1, 2},      {SafetensorsDtype::I16, "I16", 2, 5},
    {SafetensorsDtype::U16, "U16", 2, 6},    {SafetensorsDtype::F16, "F16", 2, 7},
    {SafetensorsDtype::BF16, "BF16", 2, 8},  {SafetensorsDtype::I32, "I32", 4, 9},
    {SafetensorsDtype::U32, "U32", 4, 10},   {SafetensorsDtype::F32, "F32", 4, 11},
    {SafetensorsDtype::F64, "F64", 8, 12},   {SafetensorsDtype::I64, "I64", 8, 13},
    {SafetensorsDtype::U64, "U64", 8, 14},
};

const DtypeInfo &info(SafetensorsDtype dtype)
{
    for (const auto &d : kDtypes)
        if (d.dtype == dtype)
            return d;
    throw Error("safetensors: internal error: unknown dtype enumerator");
}

std::string shapeText(const std::vector<std::int64_t> &shape)
{
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i)
            s += ", ";
        s += std::to_string(shape[i]);
    }
    return s + "]";
}

// Multiplies without overflow; std::nullopt when the product does not fit.
std::optional<std::uint64_t> checkedMul(std::uint64_t a, std::uint64_t b)
{
    if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a)
        return std::nullopt;
    return a * b;
}

[[noreturn]] void fail(const std::string &file, const std::string &what)
{
    throw FormatError(file + ": " + what);
}

[[noreturn]] void failTensor(const std::string &file, const std::string &tensor, const std::string &what)
{
    throw FormatError(file + ": tensor \"" + tensor + "\": " + what);
}

SafetensorsEntry parseEntry(const std::string &file, const std::string &name, const nlohmann::json &value)
{
    if (!value.is_object())
        failTensor(file, name, "entry is not a JSON object");
    SafetensorsEntry e;
    e.name = name;

    const auto dtypeIt = value.find("dtype");
    if (dtypeIt == value.end() || !dtypeIt->is_string())
        failTensor(file, name, "missing or non-string \"dtype\"");
    const auto dtype = dtypeFromName(dtypeIt->get<std::string>());
    if (!dtype)
        failTensor(file, name, "unknown or unsupported dtype \"" + dtypeIt->get<std::string>() + "\"");
    e.dtype = *dtype;

    const auto shapeIt = value.find("shape");
    if (shapeIt == value.end() || !shapeIt->is_array())
        failTensor(file, name, "missing or non-array \"shape\"");
    std::uint64_t numel = 1;
    for (const auto &dim : *shapeIt) {
        if (!dim.is_number_unsigned())
            failTensor(file, name, "shape holds something other than a non-negative integer");
        const auto d = dim.get<std::uint64_t>();
        if (d > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            failTensor(file, name, "shape dimension is too large");
        const auto product = checkedMul(numel, d);
        if (!product)
            failTensor(file, name, "shape overflows the element count");
        numel = *product;
        e.shape.push_back(static_cast<std::int64_t>(d));
    }

    const auto offsetsIt = value.find("data_offsets");
    if (offsetsIt == value.end() || !offsetsIt->is_array() || offsetsIt->size() != 2
        || !(*offsetsIt)[0].is_number_unsigned() || !(*offsetsIt)[1].is_number_unsigned())
        failTensor(file, name, "\"data_offsets\" must be an array of two non-negative integers");
    e.begin = (*offsetsIt)[0].get<std::uint64_t>();
    e.end = (*offsetsIt)[1].get<std::uint64_t>();
    if (e.end < e.begin)
        failTensor(file, name, "data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end)
                                   + "] end before they begin");

    const auto bytes = checkedMul(numel, dtypeSize(e.dtype));
    if (!bytes)
        failTensor(file, name, "shape x dtype overflows the byte count");
    if (*bytes != e.end - e.begin)
        failTensor(file, name, "data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end)
                                   + "] hold " + std::to_string(e.end - e.begin) + " bytes but shape "
                                   + shapeText(e.shape) + " x " + dtypeName(e.dtype) + " needs "
                                   + std::to_string(*bytes));
    return e;
}

} // namespace

const char *dtypeName(SafetensorsDtype dtype) { return info(dtype).name; }

std::size_t dtypeSize(SafetensorsDtype dtype) { return info(dtype).size; }

std::optional<SafetensorsDtype> dtypeFromName(const std::string &name)
{
    for (const auto &d : kDtypes)
        if (name == d.name)
            return d.dtype;
    return std::nullopt;
}

std::int64_t SafetensorsEntry::numel() const
{
    std::int64_t n = 1;
    for (auto d : shape)
        n *= d;
    return n;
}

const SafetensorsEntry *SafetensorsHeader::find(const std::string &name) const
{
    for (const auto &e : entries)
        if (e.name == name)
            return &e;
    return nullptr;
}

SafetensorsHeader parseSafetensorsHeader(const std::uint8_t *bytes, std::size_t available,
                                         std::uint64_t fileSize, const std::string &file)
{
    if (fileSize < 8 || available < 8)
        fail(file, "file is " + std::to_string(fileSize)
                       + " bytes, too short for the 8-byte header length of a safetensors file");
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i)
        n = (n << 8) | bytes[i];
    if (n > kMaxSafetensorsHeader)
        fail(file, "header length " + std::to_string(n) + " exceeds the limit of "
                       + std::to_string(kMaxSafetensorsHeader) + " bytes (not a safetensors file?)");
    if (8 + n > fileSize)
        fail(file, "header length " + std::to_string(n) + " runs past the end of the file ("
                       + std::to_string(fileSize) + " bytes): the file is truncated or not safetensors");
    if (8 + n > available)
        fail(file, "header truncated while reading");

    const char *text = reinterpret_cast<const char *>(bytes + 8);
    if (n == 0 || text[0] != '{')
        fail(file, "header is not a JSON object (it must start with '{')");

    // Duplicate top-level keys are legal JSON but ambiguous here; nlohmann keeps the
    // last one, so they are caught while parsing.
    std::set<std::string> seen;
    std::string duplicate;
    nlohmann::json::parser_callback_t onEvent = [&](int depth, nlohmann::json::parse_event_t event,
                                                     nlohmann::json &parsed) {
        if (event == nlohmann::json::parse_event_t::key && depth == 1 && parsed.is_string()) {
            const auto &key = parsed.get_ref<const std::string &>();
            if (!seen.insert(key).second && duplicate.empty())
                duplicate = key;
        }
        return true;
    };
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(text, text + n, onEvent);
    } catch (const nlohmann::json::exception &e) {
        fail(file, std::string("header is not valid JSON: ") + e.what());
    }
    if (!header.is_object())
        fail(file, "header is not a JSON object");
    if (!duplicate.empty())
        failTensor(file, duplicate, "name appears more than once in the header");

    SafetensorsHeader result;
    result.headerLength = n;
    result.dataStart = 8 + n;
    for (auto it = header.begin(); it != header.end(); ++it) {
        if (it.key() == "__metadata__") {
            if (!it->is_object())
                fail(file, "\"__metadata__\" is not a JSON object");
            for (auto m = it->begin(); m != it->end(); ++m) {
                if (!m->is_string())
                    fail(file, "\"__metadata__\" entry \"" + m.key() + "\" is not a string");
                result.metadata[m.key()] = m->get<std::string>();
            }
            continue;
        }
        result.entries.push_back(parseEntry(file, it.key(), *it));
    }

    std::stable_sort(result.entries.begin(), result.entries.end(),
                     [](const SafetensorsEntry &a, const SafetensorsEntry &b) {
                         return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
                     });
    const std::uint64_t dataSize = fileSize - result.dataStart;
    std::uint64_t cursor = 0;
    const SafetensorsEntry *previous = nullptr;
    for (const auto &e : result.entries) {
        if (e.end > dataSize)
            failTensor(file, e.name, "data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end)
                                         + "] run past the end of the data region ("
                                         + std::to_string(dataSize) + " bytes)");
        if (e.begin < cursor)
            failTensor(file, e.name, "data overlaps tensor \"" + (previous ? previous->name : std::string())
                                         + "\"");
        if (e.begin > cursor)
            failTensor(file, e.name, "leaves a gap of " + std::to_string(e.begin - cursor)
                                         + " unused bytes before its data");
        cursor = e.end;
        previous = &e;
    }
    if (cursor != dataSize)
        fail(file, "the tensors cover " + std::to_string(cursor) + " bytes but the data region has "
                       + std::to_string(dataSize) + " (trailing bytes)");
    return result;
}

std::vector<SafetensorsEntry> layoutSafetensors(const std::vector<SafetensorsTensorSpec> &tensors)
{
    std::vector<const SafetensorsTensorSpec *> order;
    std::set<std::string> names;
    for (const auto &t : tensors) {
        if (t.name.empty())
            throw Error("safetensors: a tensor has an empty name");
        if (t.name == "__metadata__")
            throw Error("safetensors: \"__metadata__\" is reserved and cannot name a tensor");
        if (!names.insert(t.name).second)
            throw Error("safetensors: tensor \"" + t.name + "\" is given twice");
        for (auto d : t.shape)
            if (d < 0)
                throw Error("safetensors: tensor \"" + t.name + "\" has a negative dimension");
        order.push_back(&t);
    }
    std::sort(order.begin(), order.end(), [](const auto *a, const auto *b) {
        const int ra = info(a->dtype).rank, rb = info(b->dtype).rank;
        return ra != rb ? ra > rb : a->name < b->name;
    });
    std::vector<SafetensorsEntry> entries;
    std::uint64_t offset = 0;
    for (const auto *t : order) {
        SafetensorsEntry e;
        e.name = t->name;
        e.dtype = t->dtype;
        e.shape = t->shape;
        e.begin = offset;
        e.end = offset + static_cast<std::uint64_t>(e.numel()) * dtypeSize(t->dtype);
        offset = e.end;
        entries.push_back(std::move(e));
    }
    return entries;
}

std::string serializeSafetensorsHeader(const std::vector<SafetensorsEntry> &entries,
                                       const std::map<std::string, std::string> &metadata)
{
    // ordered_json keeps insertion order: "__metadata__" first, then tensors in data
    // order with fields dtype, shape, data_offsets, as the reference writes them.
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty()) {
        nlohmann::ordered_json m = nlohmann::ordered_json::object();
        for (const auto &[k, v] : metadata)
            m[k] = v;
        header["__metadata__"] = std::move(m);
    }
    for (const auto &e : entries) {
        nlohmann::ordered_json t = nlohmann::ordered_json::object();
        t["dtype"] = dtypeName(e.dtype);
        t["shape"] = e.shape;
        t["data_offsets"] = {e.begin, e.end};
        header[e.name] = std::move(t);
    }
    std::string json;
    try {
        json = header.dump();
    } catch (const nlohmann::json::exception &e) {
        throw Error(std::string("safetensors: a tensor name or metadata value is not valid UTF-8: ") + e.what());
    }
    json.append((8 - json.size() % 8) % 8, ' ');
    std::string out(8, '\0');
    std::uint64_t n = json.size();
    for (int i = 0; i < 8; ++i)
        out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
    return out + json;
}

} // namespace awb
