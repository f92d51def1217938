// The catalogue of metric families flotilla's /metrics can show, for `flotilla check` to warn
// about a user alert rule that names a metric flotilla never exports (a typo'd rule is silently
// never true). Names only; the families themselves are built where they are measured.
#pragma once

#include <span>
#include <string_view>

namespace flotilla::observe {

// Every family name (a histogram by its base name).
std::span<const std::string_view> exported_metric_families();

// Whether `series` is a name /metrics can carry: a family, or a histogram's _bucket/_sum/_count.
bool is_exported_metric(std::string_view series);

}  // namespace flotilla::observe
