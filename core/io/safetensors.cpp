#include "io/safetensors.h"

#include "io/atomic_file.h"
#include "io/json_util.h"
#include "io/mapped_file.h"
#include "util/error.h"

#include <ATen/ops/empty.h>
#include <ATen/ops/from_blob.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>

namespace fs = std::filesystem;

namespace awb {

namespace {

constexpr const char *kSingleFile = "model.safetensors";
constexpr const char *kIndexFile = "model.safetensors.index.json";

std::string shardName(std::size_t i, std::size_t n)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "model-%05zu-of-%05zu.safetensors", i + 1, n);
    return buf;
}

} // namespace

at::ScalarType toScalarType(SafetensorsDtype dtype)
{
    switch (dtype) {
    case SafetensorsDtype::Bool: return at::kBool;
    case SafetensorsDtype::U8: return at::kByte;
    case SafetensorsDtype::I8: return at::kChar;
    case SafetensorsDtype::I16: return at::kShort;
    case SafetensorsDtype::F16: return at::kHalf;
    case SafetensorsDtype::BF16: return at::kBFloat16;
    case SafetensorsDtype::I32: return at::kInt;
    case SafetensorsDtype::F32: return at::kFloat;
    case SafetensorsDtype::F64: return at::kDouble;
    case SafetensorsDtype::I64: return at::kLong;
    case SafetensorsDtype::U16:
    case SafetensorsDtype::U32:
    case SafetensorsDtype::U64: break;
    }
    throw Error(std::string("dtype ") + dtypeName(dtype) + " has no LibTorch equivalent");
}

SafetensorsDtype toSafetensorsDtype(at::ScalarType type)
{
    switch (type) {
    case at::kBool: return SafetensorsDtype::Bool;
    case at::kByte: return SafetensorsDtype::U8;
    case at::kChar: return SafetensorsDtype::I8;
    case at::kShort: return SafetensorsDtype::I16;
    case at::kHalf: return SafetensorsDtype::F16;
    case at::kBFloat16: return SafetensorsDtype::BF16;
    case at::kInt: return SafetensorsDtype::I32;
    case at::kFloat: return SafetensorsDtype::F32;
    case at::kDouble: return SafetensorsDtype::F64;
    case at::kLong: return SafetensorsDtype::I64;
    default: break;
    }
    throw Error(std::string("LibTorch dtype ") + c10::toString(type) + " cannot be stored in safetensors");
}

// ---- SafetensorsFile ----------------------------------------------------------

std::shared_ptr<SafetensorsFile> SafetensorsFile::open(const std::string &path)
{
    auto file = std::shared_ptr<SafetensorsFile>(new SafetensorsFile());
    file->m_file = MappedFile::open(path);
    file->m_header = parseSafetensorsHeader(file->m_file->data(), file->m_file->size(), file->m_file->size(), path);
    return file;
}

const std::string &SafetensorsFile::path() const { return m_file->path(); }

std::vector<std::string> SafetensorsFile::names() const
{
    std::vector<std::string> out;
    for (const auto &e : m_header.entries)
        out.push_back(e.name);
    return out;
}

const SafetensorsEntry &SafetensorsFile::entry(const std::string &name) const
{
    const auto *e = m_header.find(name);
    if (!e)
        throw FormatError(path() + ": no tensor named \"" + name + "\"");
    return *e;
}

bool SafetensorsFile::isZeroCopy(const std::string &name) const
{
    const auto &e = entry(name);
    const auto address = reinterpret_cast<std::uintptr_t>(m_file->data() + m_header.dataStart + e.begin);
    return address % dtypeSize(e.dtype) == 0;
}

at::Tensor SafetensorsFile::tensor(const std::string &name) const
{
    const auto &e = entry(name);
    at::ScalarType type;
    try {
        type = toScalarType(e.dtype);
    } catch (const Error &err) {
        throw FormatError(path() + ": tensor \"" + name + "\": " + err.what());
    }
    const auto options = at::TensorOptions().dtype(type).device(at::kCPU);
    std::uint8_t *data = m_file->data() + m_header.dataStart + e.begin;
    // Safetensors stores little-endian data; every platform LibTorch supports is too.
    if (e.numel() == 0)
        return at::empty(e.shape, options);
    if (isZeroCopy(name)) {
        auto keepAlive = m_file;
        return at::for_blob(data, e.shape)
            .deleter([keepAlive](void *) mutable { keepAlive.reset(); })
            .options(options)
            .make_tensor();
    }
    at::Tensor out = at::empty(e.shape, options);
    std::memcpy(out.data_ptr(), data, e.byteSize());
    return out;
}

// ---- Checkpoint ---------------------------------------------------------------

Checkpoint Checkpoint::open(const std::string &path)
{
    Checkpoint cp;
    fs::path p(path);
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
        if (fs::exists(p / kSingleFile))
            p /= kSingleFile;
        else if (fs::exists(p / kIndexFile))
            p /= kIndexFile;
        else
            throw IoError(path + ": no " + kSingleFile + " or " + kIndexFile + " in this folder");
    }
    const std::string file = p.string();
    if (p.filename().string().size() >= 11 && file.compare(file.size() - 11, 11, ".index.json") == 0) {
        const nlohmann::json index = readJsonFile(file);
        const auto mapIt = index.find("weight_map");
        if (!index.is_object() || mapIt == index.end() || !mapIt->is_object())
            throw FormatError(file + ": missing \"weight_map\" object");
        std::map<std::string, std::size_t> shardIndex;
        for (auto it = mapIt->begin(); it != mapIt->end(); ++it) {
            if (!it->is_string())
                throw FormatError(file + ": weight_map[\"" + it.key() + "\"] is not a file name");
            const std::string shard = it->get<std::string>();
            if (shard.empty() || shard.find('/') != std::string::npos || shard == "..")
                throw FormatError(file + ": weight_map[\"" + it.key() + "\"] names \"" + shard
                                  + "\", which is not a file in the same folder");
            auto found = shardIndex.find(shard);
            if (found == shardIndex.end()) {
                const std::string shardPath = (p.parent_path() / shard).string();
                if (!fs::exists(shardPath))
                    throw IoError(file + ": shard \"" + shard + "\" (holding \"" + it.key() + "\") is missing");
                cp.m_shards.push_back(SafetensorsFile::open(shardPath));
                found = shardIndex.emplace(shard, cp.m_shards.size() - 1).first;
            }
            if (!cp.m_shards[found->second]->contains(it.key()))
                throw FormatError(file + ": says tensor \"" + it.key() + "\" is in \"" + shard
                                  + "\", but that shard has no such tensor");
            cp.m_location[it.key()] = found->second;
        }
        if (cp.m_shards.empty())
            throw FormatError(file + ": \"weight_map\" is empty");
        return cp;
    }
    cp.m_shards.push_back(SafetensorsFile::open(file));
    for (const auto &name : cp.m_shards.front()->names())
        cp.m_location[name] = 0;
    return cp;
}

std::vector<std::string> Checkpoint::names() const
{
    std::vector<std::string> out;
    for (const auto &[name, shard] : m_location)
        out.push_back(name);
    return out;
}

const SafetensorsEntry &Checkpoint::entry(const std::string &name) const
{
    const auto it = m_location.find(name);
    if (it == m_location.end())
        throw FormatError(files().front() + ": the checkpoint has no tensor named \"" + name + "\"");
    return *m_shards[it->second]->header().find(name);
}

const std::string &Checkpoint::fileOf(const std::string &name) const
{
    const auto it = m_location.find(name);
    return m_shards[it == m_location.end() ? 0 : it->second]->path();
}

at::Tensor Checkpoint::tensor(const std::string &name) const
{
    const auto it = m_location.find(name);
    if (it == m_location.end())
        throw FormatError(files().front() + ": the checkpoint has no tensor named \"" + name + "\"");
    return m_shards[it->second]->tensor(name);
}

std::vector<std::string> Checkpoint::files() const
{
    std::vector<std::string> out;
    for (const auto &s : m_shards)
        out.push_back(s->path());
    return out;
}

const std::map<std::string, std::string> &Checkpoint::metadata() const
{
    return m_shards.front()->metadata();
}

// ---- writing ------------------------------------------------------------------

void saveSafetensors(const std::string &path, const NamedTensors &tensors,
                     const std::map<std::string, std::string> &metadata)
{
    std::vector<SafetensorsTensorSpec> specs;
    std::map<std::string, const at::Tensor *> byName;
    for (const auto &[name, t] : tensors) {
        SafetensorsTensorSpec spec;
        spec.name = name;
        try {
            spec.dtype = toSafetensorsDtype(t.scalar_type());
        } catch (const Error &err) {
            throw Error(path + ": tensor \"" + name + "\": " + err.what());
        }
        spec.shape.assign(t.sizes().begin(), t.sizes().end());
        specs.push_back(std::move(spec));
        byName[name] = &t;
    }
    std::vector<SafetensorsEntry> entries;
    std::string header;
    try {
        entries = layoutSafetensors(specs);
        header = serializeSafetensorsHeader(entries, metadata);
    } catch (const Error &err) {
        throw Error(path + ": " + err.what());
    }
    AtomicFileWriter writer(path);
    writer.write(header);
    for (const auto &e : entries) {
        const at::Tensor cpu = byName[e.name]->to(at::kCPU).contiguous();
        writer.write(cpu.data_ptr(), e.byteSize());
    }
    writer.commit();
}

std::vector<std::string> saveCheckpoint(const std::string &dir, const NamedTensors &tensors,
                                        std::uint64_t maxShardBytes,
                                        const std::map<std::string, std::string> &metadata)
{
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw IoError(dir + ": cannot create folder: " + ec.message());

    // Shards fill in the order the tensors are given, as transformers does.
    std::vector<NamedTensors> shards(1);
    std::uint64_t current = 0, total = 0;
    for (const auto &nt : tensors) {
        const std::uint64_t bytes = static_cast<std::uint64_t>(nt.second.numel()) * nt.second.element_size();
        if (maxShardBytes > 0 && current > 0 && current + bytes > maxShardBytes) {
            shards.emplace_back();
            current = 0;
        }
        shards.back().push_back(nt);
        current += bytes;
        total += bytes;
    }

    std::vector<std::string> written;
    if (shards.size() == 1) {
        const std::string path = (fs::path(dir) / kSingleFile).string();
        saveSafetensors(path, tensors, metadata);
        fs::remove(fs::path(dir) / kIndexFile, ec);   // a stale index would shadow nothing but confuse
        written.push_back(path);
        return written;
    }
    nlohmann::json weightMap = nlohmann::json::object();
    for (std::size_t i = 0; i < shards.size(); ++i) {
        const std::string name = shardName(i, shards.size());
        const std::string path = (fs::path(dir) / name).string();
        saveSafetensors(path, shards[i], metadata);
        for (const auto &nt : shards[i])
            weightMap[nt.first] = name;
        written.push_back(path);
    }
    nlohmann::json index = {{"metadata", {{"total_size", total}}}, {"weight_map", weightMap}};
    const std::string indexPath = (fs::path(dir) / kIndexFile).string();
    writeFileAtomically(indexPath, index.dump(2) + "\n");
    fs::remove(fs::path(dir) / kSingleFile, ec);   // it would take precedence over the index
    written.push_back(indexPath);
    return written;
}

} // namespace awb
