#pragma once
// RFC 4180 CSV records from a TextReader: quoted fields may hold commas,
// doubled quotes and line breaks; records end at LF or CRLF (a CRLF inside a
// quoted field becomes LF). A stray quote inside an unquoted field is kept as
// text rather than rejected, as spreadsheets do. Used by the prompt importer;
// one reader per thread.

#include "data/text_reader.h"

#include <cstdint>
#include <string>
#include <vector>

namespace awb {

class CsvReader
{
public:
    explicit CsvReader(TextReader &reader) : m_reader(reader) {}

    // Next record and the 1-based line it starts on; false at the end of the
    // file. Throws FormatError "path:line: unterminated quoted field ..."
    // naming the line where the open quote is, and "path:line: a record longer
    // than ..." past the reader's maxLineBytes.
    bool next(std::vector<std::string> &fields, std::int64_t &startLine);

private:
    TextReader &m_reader;
    std::int64_t m_line = 1;
};

} // namespace awb
