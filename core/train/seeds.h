#pragma once
// Seeds derived from (seed, step, salt), so that what a step draws never
// depends on what ran before it (exact resume, data-parallel ranks).
// Plain functions; no torch, no Qt. Any thread.

#include <cstdint>

namespace awb {

// splitmix64 of (seed, step, salt): decorrelated per-step seeds.
std::uint64_t mixSeed(std::uint64_t seed, std::uint64_t step, std::uint64_t salt);

} // namespace awb
