// Helpers shared by the config unit tests: load YAML text with a fake environment and compare
// diagnostics as "LINE:COL: message" strings.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "config/loader.hpp"

namespace flotilla::config::testing {

inline constexpr std::string_view kBaseDir = "/srv/app";

inline EnvLookup fake_env(std::map<std::string, std::string, std::less<>> vars = {}) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

inline LoadResult load(std::string_view yaml,
                       std::map<std::string, std::string, std::less<>> env = {}) {
  return load_string(yaml, "test.yaml", std::string(kBaseDir), fake_env(std::move(env)));
}

// "LINE:COL: message" per error, without the file name.
inline std::vector<std::string> error_lines(const LoadResult& result) {
  std::vector<std::string> lines;
  for (const Diagnostic& d : result.errors) {
    lines.push_back(fmt::format("{}:{}: {}", d.line, d.column, d.message));
  }
  return lines;
}

inline std::vector<std::string> errors_of(
    std::string_view yaml, std::map<std::string, std::string, std::less<>> env = {}) {
  return error_lines(load(yaml, std::move(env)));
}

// Loads text that must be valid; reports the errors otherwise.
inline Spec load_ok(std::string_view yaml,
                    std::map<std::string, std::string, std::less<>> env = {}) {
  LoadResult result = load(yaml, std::move(env));
  EXPECT_TRUE(result.ok()) << fmt::format("{}", fmt::join(error_lines(result), "\n"));
  return result.spec ? std::move(*result.spec) : Spec{};
}

}  // namespace flotilla::config::testing
