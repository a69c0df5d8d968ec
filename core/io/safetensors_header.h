#pragma once
// The safetensors header: parsing, validation and serialisation, without
// LibTorch, so the parser can be fuzzed on its own (tests/fuzz).
//
// Format (the reference is the `safetensors` Rust crate used by transformers):
//   8 bytes   little-endian u64 N, the header length
//   N bytes   UTF-8 JSON object {"__metadata__": {str: str}, name: {dtype, shape,
//             data_offsets: [begin, end]}, ...}, padded with spaces to 8 bytes
//   the rest  tensor data; offsets are relative to the start of this region,
//             tensors are contiguous, cover it exactly and never overlap.
//
// Pure functions on bytes; safe to call from any thread.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace awb {

enum class SafetensorsDtype {
    Bool, U8, I8, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64,
};

// The name used in the file ("F32", "BF16", ...).
const char *dtypeName(SafetensorsDtype dtype);
// Parses a dtype name; std::nullopt when it is not one of the names above.
std::optional<SafetensorsDtype> dtypeFromName(const std::string &name);
std::size_t dtypeSize(SafetensorsDtype dtype);

struct SafetensorsEntry
{
    std::string name;
    SafetensorsDtype dtype = SafetensorsDtype::F32;
    std::vector<std::int64_t> shape;
    std::uint64_t begin = 0;   // byte offsets into the data region
    std::uint64_t end = 0;

    std::uint64_t byteSize() const { return end - begin; }
    std::int64_t numel() const;
};

struct SafetensorsHeader
{
    std::uint64_t headerLength = 0;            // N, the JSON length after the 8-byte prefix
    std::uint64_t dataStart = 0;               // 8 + N: where the data region begins in the file
    std::map<std::string, std::string> metadata;
    std::vector<SafetensorsEntry> entries;     // in data order (sorted by begin)

    const SafetensorsEntry *find(const std::string &name) const;
};

// The reference implementation's limit on N.
constexpr std::uint64_t kMaxSafetensorsHeader = 100'000'000;

// Parses and validates the header of a safetensors file of `fileSize` bytes whose
// first `available` bytes are at `bytes` (available >= min(fileSize, 8 + N) is
// needed; less is reported as truncation). Throws FormatError naming `fileLabel`
// and, where one is at fault, the tensor.
SafetensorsHeader parseSafetensorsHeader(const std::uint8_t *bytes, std::size_t available,
                                         std::uint64_t fileSize, const std::string &fileLabel);

// What the writer needs to know of one tensor.
struct SafetensorsTensorSpec
{
    std::string name;
    SafetensorsDtype dtype = SafetensorsDtype::F32;
    std::vector<std::int64_t> shape;
};

// Lays out tensors as the reference writer does: sorted by decreasing dtype
// alignment, then by name; contiguous offsets. Returns the entries in data order.
// Throws Error on duplicate or empty names, negative dimensions, or a name that
// collides with "__metadata__".
std::vector<SafetensorsEntry> layoutSafetensors(const std::vector<SafetensorsTensorSpec> &tensors);

// The 8-byte prefix plus the JSON header, padded with spaces to a multiple of 8,
// byte for byte what the reference writer produces for the same entries.
std::string serializeSafetensorsHeader(const std::vector<SafetensorsEntry> &entries,
                                       const std::map<std::string, std::string> &metadata);

} // namespace awb
