#include "data/csv_reader.h"

#include "util/error.h"

namespace awb {

bool CsvReader::next(std::vector<std::string> &fields, std::int64_t &startLine)
{
    fields.clear();
    int c = m_reader.get();
    if (c < 0)
        return false;
    startLine = m_line;
    std::string field;
    bool quoted = false;     // inside a quoted section
    bool wasQuoted = false;  // the field began with a quote
    std::int64_t quoteLine = 0;
    std::int64_t bytes = 0;   // of the record so far
    for (;; c = m_reader.get(), ++bytes) {
        if (bytes > m_reader.limits().maxLineBytes)
            throw FormatError(m_reader.path() + ":" + std::to_string(startLine) + ": a record longer than "
                              + byteCountText(m_reader.limits().maxLineBytes)
                              + " (the limit of one record of a data file)");
        if (c < 0) {
            if (quoted)
                throw FormatError(m_reader.path() + ":" + std::to_string(quoteLine)
                                  + ": unterminated quoted field (the quote opened here is never closed)");
            fields.push_back(std::move(field));
            return true;
        }
        const char ch = static_cast<char>(c);
        if (quoted) {
            if (ch == '"') {
                const int n = m_reader.get();
                if (n == '"') {
                    field += '"';
                    continue;
                }
                quoted = false;
                if (n < 0) {
                    fields.push_back(std::move(field));
                    return true;
                }
                c = n;
                // fall through to handle the character after the closing quote
            } else {
                if (ch == '\n') {
                    ++m_line;
                    if (!field.empty() && field.back() == '\r')
                        field.pop_back(); // CRLF inside a quoted field becomes LF
                }
                field += ch;
                continue;
            }
        }
        const char d = static_cast<char>(c);
        if (d == '"' && field.empty() && !wasQuoted) {
            quoted = wasQuoted = true;
            quoteLine = m_line;
        } else if (d == ',') {
            if (static_cast<std::int64_t>(fields.size()) >= kMaxCsvFields)
                throw FormatError(m_reader.path() + ":" + std::to_string(startLine) + ": a record with more than "
                                  + std::to_string(kMaxCsvFields) + " fields (the limit of a CSV record)");
            fields.push_back(std::move(field));
            field.clear();
            wasQuoted = false;
        } else if (d == '\n') {
            ++m_line;
            if (!wasQuoted && !field.empty() && field.back() == '\r')
                field.pop_back();
            fields.push_back(std::move(field));
            return true;
        } else if (d == '\r' && wasQuoted) {
            // CR of a CRLF after a closing quote
        } else {
            field += d;
        }
    }
}

} // namespace awb
