// The report page's script and style (src/report/assets), embedded in the library at build time
// (report_assets.cpp.in) so that a report needs no file beside the binary.
#pragma once

namespace synalinks::report::detail {

extern const char* const kReportScript;
extern const char* const kReportCss;

}  // namespace synalinks::report::detail
