// The raw bytes of the dashboard's files, placed in the binary by the assembler's .incbin
// (embedded_files.cpp; the paths come from the build). Data only.
#pragma once

#include <string_view>

namespace flotilla::dashboard {

// The bytes of index.html, app.js, style.css or chart.min.js (Chart.js from Debian's
// libjs-chart.js); empty for any other name.
std::string_view embedded_file(std::string_view name);

}  // namespace flotilla::dashboard
