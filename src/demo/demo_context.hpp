// Everything a demo request handler may consult besides its own exchange: identity, switches and
// the memory ballast. One instance per process, outliving every connection.
#pragma once

#include "demo/demo_state.hpp"
#include "demo/memory_ballast.hpp"

namespace flotilla::demo {

struct DemoContext {
  DemoIdentity identity;
  DemoSwitches switches;
  MemoryBallast ballast;
};

}  // namespace flotilla::demo
