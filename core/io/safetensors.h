#pragma once
// Reading and writing Hugging Face safetensors checkpoints as LibTorch tensors.
//
// SafetensorsFile maps one file and hands out CPU tensors that borrow its bytes
// (zero-copy) when the data is aligned for the dtype, or copies otherwise.
// Checkpoint opens a model folder: model.safetensors, or the shards listed in
// model.safetensors.index.json. Writers produce the reference format byte for
// byte and replace files atomically.
//
// Core-only header (it includes ATen): app/ and widgets/ must not include it.
// Objects are immutable after open() and may be read from several threads.

#include "io/safetensors_header.h"

#include <ATen/core/Tensor.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace awb {

class MappedFile;

using NamedTensors = std::vector<std::pair<std::string, at::Tensor>>;

class SafetensorsFile
{
public:
    // Throws IoError (cannot read) or FormatError (bad content), naming the file.
    static std::shared_ptr<SafetensorsFile> open(const std::string &path);

    const std::string &path() const;
    const SafetensorsHeader &header() const { return m_header; }
    const std::map<std::string, std::string> &metadata() const { return m_header.metadata; }
    std::vector<std::string> names() const;   // in data order
    bool contains(const std::string &name) const { return m_header.find(name) != nullptr; }

    // The tensor as stored (its own dtype, on the CPU). Borrows the mapping when
    // aligned; the mapping is copy-on-write, so writing into it is safe.
    // Throws FormatError when absent or when LibTorch has no such dtype.
    at::Tensor tensor(const std::string &name) const;
    // True when tensor(name) returns a view of the mapping instead of a copy.
    bool isZeroCopy(const std::string &name) const;

private:
    const SafetensorsEntry &entry(const std::string &name) const;

    std::shared_ptr<MappedFile> m_file;
    SafetensorsHeader m_header;
};

// A model's weights in one file or several shards (the transformers layout).
class Checkpoint
{
public:
    // `path` is a model folder, a .safetensors file or a model.safetensors.index.json.
    static Checkpoint open(const std::string &path);

    std::vector<std::string> names() const;   // sorted
    bool contains(const std::string &name) const { return m_location.count(name) != 0; }
    at::Tensor tensor(const std::string &name) const;
    const SafetensorsEntry &entry(const std::string &name) const;
    // The file holding `name` (for messages).
    const std::string &fileOf(const std::string &name) const;
    // The files that make up the checkpoint, in shard order.
    std::vector<std::string> files() const;
    // Metadata of the first file (transformers writes {"format": "pt"}).
    const std::map<std::string, std::string> &metadata() const;

private:
    std::vector<std::shared_ptr<SafetensorsFile>> m_shards;
    std::map<std::string, std::size_t> m_location;   // tensor -> shard index
};

// Writes one safetensors file atomically. Tensors may live on any device and
// be non-contiguous; they are written as their own dtype.
void saveSafetensors(const std::string &path, const NamedTensors &tensors,
                     const std::map<std::string, std::string> &metadata = {});

// Writes a model's weights into `dir` as transformers does: model.safetensors,
// or, when they exceed maxShardBytes (0: never shard), model-0000i-of-0000n.safetensors
// plus model.safetensors.index.json. Metadata defaults to {"format": "pt"}.
// Returns the files written.
std::vector<std::string> saveCheckpoint(const std::string &dir, const NamedTensors &tensors,
                                        std::uint64_t maxShardBytes = 0,
                                        const std::map<std::string, std::string> &metadata = {{"format", "pt"}});

// LibTorch scalar type <-> safetensors dtype. Throw Error for types one side lacks.
at::ScalarType toScalarType(SafetensorsDtype dtype);
SafetensorsDtype toSafetensorsDtype(at::ScalarType type);

} // namespace awb
