// Checks that span sections, after every section has been parsed: references between routes,
// upstreams and services, and addresses or ports that would collide at run time.
// Internal to the config module. Never reports a value that already failed to parse.
#pragma once

#include "config/load_context.hpp"
#include "config/spec.hpp"

namespace flotilla::config {

void validate(const Spec& spec, LoadContext& ctx);

}  // namespace flotilla::config
