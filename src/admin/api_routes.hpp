// The /api/v1 resources of the admin API, in one table: each route validates its path, query
// and JSON body (400 with {"error"} when malformed) and calls the matching Operations method.
// Must never implement an operation itself.
#pragma once

#include "admin/operations.hpp"
#include "admin/router.hpp"

namespace flotilla::admin {

// `operations` must outlive the router's use (the admin server's life).
void add_api_routes(Router& router, Operations& operations);

}  // namespace flotilla::admin
