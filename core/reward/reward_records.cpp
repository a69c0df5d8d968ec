#include "reward/reward_records.h"

#include "data/csv_reader.h"
#include "data/text_reader.h"
#include "io/json_util.h"
#include "util/error.h"

#include <algorithm>
#include <filesystem>

namespace awb {

std::string trimmed(const std::string &s)
{
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos)
        return {};
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

namespace {

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

bool isCsv(const std::string &path)
{
    std::string name = lower(std::filesystem::path(path).filename().string());
    if (name.size() > 3 && name.compare(name.size() - 3, 3, ".gz") == 0)
        name.resize(name.size() - 3);
    return name.size() > 4 && name.compare(name.size() - 4, 4, ".csv") == 0;
}

void checkRecordCount(const TextReader &reader, const std::vector<RewardRecord> &records, std::int64_t line)
{
    if (static_cast<std::int64_t>(records.size()) >= reader.limits().maxRecords)
        throw FormatError(reader.path() + ":" + std::to_string(line) + ": more than "
                          + std::to_string(reader.limits().maxRecords)
                          + " records (the limit of a reward-model data file); split the file");
}

std::vector<RewardRecord> readCsv(TextReader &reader)
{
    CsvReader csv(reader);
    std::vector<std::string> header, fields;
    std::int64_t line = 0;
    if (!csv.next(header, line))
        return {};
    if (!header.empty() && header[0].rfind("\xEF\xBB\xBF", 0) == 0)
        header[0].erase(0, 3);   // spreadsheets' "CSV UTF-8" starts with a byte-order mark
    std::vector<RewardRecord> out;
    while (csv.next(fields, line)) {
        if (fields.size() == 1 && trimmed(fields[0]).empty())
            continue;
        if (fields.size() != header.size())
            throw FormatError(reader.path() + ":" + std::to_string(line) + ": " + std::to_string(fields.size())
                              + " fields, but the header has " + std::to_string(header.size()));
        checkRecordCount(reader, out, line);
        RewardRecordJson obj = RewardRecordJson::object();
        for (std::size_t i = 0; i < header.size(); ++i)
            obj[trimmed(header[i])] = fields[i].empty() ? RewardRecordJson(nullptr) : RewardRecordJson(fields[i]);
        out.push_back({std::move(obj), line});
    }
    return out;
}

std::vector<RewardRecord> readJsonl(TextReader &reader)
{
    std::vector<RewardRecord> out;
    std::string text;
    std::int64_t line = 0;
    while (reader.getLine(text)) {
        ++line;
        if (line == 1 && text.rfind("\xEF\xBB\xBF", 0) == 0)
            text.erase(0, 3);
        if (trimmed(text).empty())
            continue;
        RewardRecordJson obj;
        if (jsonDepthExceededAt(text) != std::string::npos
            || (obj = RewardRecordJson::parse(text, nullptr, false)).is_discarded()) {
            parseJsonLine(text, reader.path(), line);   // throws the error naming line and column
            throw FormatError(reader.path() + ":" + std::to_string(line) + ": not valid JSON");
        }
        if (!obj.is_object())
            throw FormatError(reader.path() + ":" + std::to_string(line) + ": expected a JSON object per line");
        checkRecordCount(reader, out, line);
        out.push_back({std::move(obj), line});
    }
    return out;
}

} // namespace

std::vector<RewardRecord> readRewardRecords(const std::string &path, const ReadLimits &limits)
{
    TextReader reader(path, limits);
    return isCsv(path) ? readCsv(reader) : readJsonl(reader);
}

} // namespace awb
