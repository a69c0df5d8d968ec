// `awb tokenize`: the tokenizer on the command line (DESIGN.md, CLI contract).
//
//   awb tokenize --model PATH            stdin: one JSON string per line;
//                                        stdout: one JSON array of ids per line
//   awb tokenize --model PATH --decode   stdin: one JSON array of ids per line;
//                                        stdout: one JSON string per line
//
// No special tokens are added unless --add-special-tokens is given. A bad input
// line stops the command with an error naming its line number; the lines
// before it have been answered already. --stats reports the encoding speed on
// stderr; --repeat N encodes every line N times (timing only) for benchmarks.
#include "cli/commands.h"

#include "io/json_util.h"
#include "text/tokenizer.h"
#include "util/error.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <limits>
#include <memory>
#include <ostream>
#include <vector>

namespace awb {

namespace {

struct TokenizeOptions
{
    std::string model;
    bool decode = false;
    bool addSpecialTokens = false;
    bool skipSpecialTokens = false;
    bool stats = false;
    int repeat = 1;
};

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string lineLabel(std::size_t line)
{
    return "stdin line " + std::to_string(line);
}

nlohmann::json parseLine(const std::string &text, std::size_t line)
{
    try {
        return parseJsonLine(text, "stdin", static_cast<std::int64_t>(line));
    } catch (const FormatError &e) {
        // "stdin:N:C: not valid JSON: ..." as "stdin line N: not valid JSON: ...".
        std::string what = e.what();
        const auto colon = what.find(": ");
        throw FormatError(lineLabel(line) + (colon == std::string::npos ? ": " + what : what.substr(colon)));
    }
}

std::vector<std::int32_t> idsOf(const nlohmann::json &j, std::size_t line)
{
    if (!j.is_array())
        throw FormatError(lineLabel(line) + ": expected a JSON array of token ids");
    std::vector<std::int32_t> ids;
    ids.reserve(j.size());
    for (std::size_t k = 0; k < j.size(); ++k) {
        const auto &v = j[k];
        if (!v.is_number_integer() || v.get<std::int64_t>() < 0
            || v.get<std::int64_t>() > std::numeric_limits<std::int32_t>::max())
            throw FormatError(lineLabel(line) + ": element " + std::to_string(k) + " (" + v.dump()
                              + ") is not a token id");
        ids.push_back(static_cast<std::int32_t>(v.get<std::int64_t>()));
    }
    return ids;
}

// Reads lines in large chunks: std::getline on a std::cin that is synchronised
// with stdio costs a getc() per byte, which was a fifth of the running time.
class LineReader
{
public:
    explicit LineReader(std::istream &in) : m_buf(in.rdbuf()) {}

    bool next(std::string &line)
    {
        line.clear();
        for (;;) {
            if (m_pos == m_end) {
                if (!m_buf)
                    return !line.empty();
                m_end = static_cast<std::size_t>(m_buf->sgetn(m_chunk.data(), static_cast<std::streamsize>(m_chunk.size())));
                m_pos = 0;
                if (m_end == 0) {
                    m_buf = nullptr;
                    return !line.empty();
                }
            }
            const char *begin = m_chunk.data() + m_pos;
            const auto *nl = static_cast<const char *>(std::memchr(begin, '\n', m_end - m_pos));
            if (nl) {
                line.append(begin, static_cast<std::size_t>(nl - begin));
                m_pos += static_cast<std::size_t>(nl - begin) + 1;
                return true;
            }
            line.append(begin, m_end - m_pos);
            m_pos = m_end;
        }
    }

private:
    std::streambuf *m_buf;
    std::vector<char> m_chunk = std::vector<char>(1 << 16);
    std::size_t m_pos = 0, m_end = 0;
};

int runTokenize(const TokenizeOptions &o, std::istream &in, std::ostream &out, std::ostream &err)
{
    const auto loadStart = Clock::now();
    const Tokenizer tok = Tokenizer::load(o.model);
    const double loadSeconds = secondsSince(loadStart);

    std::size_t lineNo = 0, bytes = 0, tokens = 0;
    double workSeconds = 0;
    std::string line;
    LineReader reader(in);
    while (reader.next(line)) {
        ++lineNo;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        const nlohmann::json j = parseLine(line, lineNo);
        try {
            if (o.decode) {
                const std::vector<std::int32_t> ids = idsOf(j, lineNo);
                const auto t0 = Clock::now();
                DecodeOptions d;
                d.skipSpecialTokens = o.skipSpecialTokens;
                const std::string text = tok.decode(ids, d);
                workSeconds += secondsSince(t0);
                tokens += ids.size();
                bytes += text.size();
                // Bytes that are not UTF-8 (a slice of a character) become U+FFFD in JSON.
                out << nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
            } else {
                if (!j.is_string())
                    throw FormatError(lineLabel(lineNo) + ": expected a JSON string");
                const std::string &text = j.get_ref<const std::string &>();
                std::vector<std::int32_t> ids;
                const auto t0 = Clock::now();
                for (int r = 0; r < o.repeat; ++r)
                    ids = tok.encode(text, o.addSpecialTokens);
                workSeconds += secondsSince(t0);
                tokens += ids.size() * static_cast<std::size_t>(o.repeat);
                bytes += text.size() * static_cast<std::size_t>(o.repeat);
                out << nlohmann::json(ids).dump() << '\n';
            }
        } catch (const FormatError &) {
            throw;
        } catch (const Error &e) {
            throw Error(lineLabel(lineNo) + ": " + e.what());
        }
        out.flush();
    }

    if (o.stats) {
        const double rate = workSeconds > 0 ? static_cast<double>(tokens) / workSeconds : 0.0;
        const double mbps = workSeconds > 0 ? static_cast<double>(bytes) / workSeconds / 1e6 : 0.0;
        char buf[256];
        std::snprintf(buf, sizeof buf,
                      "tokenize: %zu lines, %zu bytes, %zu tokens, %s %.3f s: %.0f tokens/s, %.2f MB/s "
                      "(loading %.2f s)",
                      lineNo, bytes, tokens, o.decode ? "decoded in" : "encoded in", workSeconds, rate, mbps,
                      loadSeconds);
        err << buf << '\n';
    }
    return 0;
}

} // namespace

void registerTextCommands(CLI::App &app, CommandContext &ctx)
{
    auto *cmd = app.add_subcommand("tokenize",
                                   "Encode JSON strings from stdin to token ids, one line each (or --decode ids)");
    auto o = std::make_shared<TokenizeOptions>();
    cmd->add_option("--model", o->model, "A model folder or a tokenizer.json")->required();
    cmd->add_flag("--decode", o->decode, "Read JSON arrays of ids and print JSON strings");
    cmd->add_flag("--add-special-tokens", o->addSpecialTokens,
                  "Add the tokens of the tokenizer's post-processor (e.g. BOS) when encoding");
    cmd->add_flag("--skip-special-tokens", o->skipSpecialTokens, "Leave special tokens out when decoding");
    cmd->add_flag("--stats", o->stats, "Report lines, tokens and tokens/s on stderr");
    cmd->add_option("--repeat", o->repeat, "Encode each line N times (for --stats timing)")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd->callback([&ctx, o] {
        ctx.action = [&ctx, o] { return runTokenize(*o, std::cin, ctx.out, ctx.err); };
    });
}

} // namespace awb
