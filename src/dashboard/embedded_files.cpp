// Embeds the dashboard's files with the assembler's .incbin: no generated source, and the
// build (OBJECT_DEPENDS in CMakeLists.txt) recompiles this file when one of them changes.
// ccache sees ".incbin" and never caches this object, so a stale copy cannot be served.
#include "dashboard/embedded_files.hpp"

#ifndef FLOTILLA_DASHBOARD_WEB_DIR
#error "FLOTILLA_DASHBOARD_WEB_DIR must name src/dashboard/web"
#endif
#ifndef FLOTILLA_CHARTJS_FILE
#error "FLOTILLA_CHARTJS_FILE must name Chart.js (Debian: libjs-chart.js)"
#endif

// symbol_begin .. symbol_end hold the file's bytes, in .rodata.
#define FLOTILLA_EMBED(symbol, path)                                             \
  asm(".section .rodata\n.balign 16\n.type " #symbol "_begin, @object\n" #symbol \
      "_begin:\n.incbin \"" path "\"\n" #symbol "_end:\n.byte 0\n.previous\n");  \
  extern "C" const char symbol##_begin[];                                        \
  extern "C" const char symbol##_end[];

FLOTILLA_EMBED(flotilla_dashboard_index_html, FLOTILLA_DASHBOARD_WEB_DIR "/index.html")
FLOTILLA_EMBED(flotilla_dashboard_app_js, FLOTILLA_DASHBOARD_WEB_DIR "/app.js")
FLOTILLA_EMBED(flotilla_dashboard_style_css, FLOTILLA_DASHBOARD_WEB_DIR "/style.css")
FLOTILLA_EMBED(flotilla_dashboard_chart_js, FLOTILLA_CHARTJS_FILE)

namespace flotilla::dashboard {
namespace {

std::string_view bytes(const char* begin, const char* end) {
  return {begin, static_cast<std::size_t>(end - begin)};
}

}  // namespace

std::string_view embedded_file(std::string_view name) {
  if (name == "index.html") {
    return bytes(flotilla_dashboard_index_html_begin, flotilla_dashboard_index_html_end);
  }
  if (name == "app.js") {
    return bytes(flotilla_dashboard_app_js_begin, flotilla_dashboard_app_js_end);
  }
  if (name == "style.css") {
    return bytes(flotilla_dashboard_style_css_begin, flotilla_dashboard_style_css_end);
  }
  if (name == "chart.min.js") {
    return bytes(flotilla_dashboard_chart_js_begin, flotilla_dashboard_chart_js_end);
  }
  return {};
}

}  // namespace flotilla::dashboard
