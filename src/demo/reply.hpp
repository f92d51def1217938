// A small, complete response built in memory (JSON answers, errors): a plain struct.
// Large bodies never go here; they are streamed by their handler.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace flotilla::demo {

struct Reply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> fields;  // extra header fields
};

}  // namespace flotilla::demo
