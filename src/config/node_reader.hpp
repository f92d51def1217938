// Typed, strict access to one YAML mapping: each section parser declares the keys valid at that
// spot, then reads them through ValueTypes. Unknown keys (with did-you-mean), duplicate keys,
// type errors and bad values are reported to the LoadContext as "PATH: message" at the value's
// position; a failed read leaves the output untouched (its default) and returns false.
#pragma once

#include <filesystem>
#include <functional>
#include <initializer_list>
#include <optional>
#include <source_location>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/load_context.hpp"
#include "config/value_types.hpp"

namespace flotilla::config {

// One key: value of a mapping (or one item of a list, with an empty `name`).
struct Entry {
  YAML::Node value;
  std::string name;  // the key as written
  std::string path;  // "services.web.replicas"
  SourcePos key_pos;
  SourcePos value_pos;  // the key's position when the value is empty
};

// "service 'web'" for services.web, "upstream 'app'" for upstreams.app, else the path itself.
std::string describe_path(std::string_view path);

// The entries of a mapping in file order, with YAML merge keys ("<<: *defaults") applied and
// duplicate keys reported. Reports and returns nothing when `entry` is not a mapping.
std::optional<std::vector<Entry>> mapping_entries(LoadContext& ctx, const Entry& entry);

// Calls `each` for every item of a list ("listen[0]", "listen[1]"...); reports a non-list.
void for_each_item(LoadContext& ctx, const Entry& entry,
                   const std::function<void(const Entry& item, std::size_t index)>& each);

// Converts one scalar node; reports "PATH: ..." and yields nothing on any error.
template <class T>
std::optional<T> convert(LoadContext& ctx, const Entry& entry, const ValueType<T>& type) {
  auto text = ctx.scalar_text(entry.value, entry.value_pos, entry.path, type.expected);
  if (!text) return std::nullopt;
  auto result = type.parse(*text);
  if (!result) {
    ctx.error(entry.value_pos, entry.path + ": " + result.error());
    ctx.mark_invalid(entry.path);
    return std::nullopt;
  }
  return std::move(result).value();
}

class MapReader {
 public:
  // Reads `entry` as a mapping whose valid keys are `keys`. With `allow_extensions`, keys
  // starting with "x-" are ignored (a home for YAML anchors, as in Docker Compose).
  // `site` (the caller's line) is recorded with the keys in the load's KeyCatalogue.
  MapReader(LoadContext& ctx, const Entry& entry, std::vector<std::string_view> keys,
            bool allow_extensions = false,
            std::source_location site = std::source_location::current());

  bool is_map() const { return is_map_; }
  LoadContext& ctx() const { return *ctx_; }
  const std::string& path() const { return path_; }
  SourcePos pos() const { return pos_; }
  std::string where() const { return describe_path(path_); }

  // The entry for a declared key, or nullptr when absent. Asking for an undeclared key is a
  // programming error (std::logic_error), which keeps `keys` and the reads in step.
  const Entry* find(std::string_view key) const;
  bool has(std::string_view key) const { return find(key) != nullptr; }

  template <class T>
  bool read(std::string_view key, T& out, const ValueType<T>& type) const {
    const Entry* entry = find(key);
    if (entry == nullptr) return false;
    auto value = convert(*ctx_, *entry, type);
    if (!value) return false;
    out = std::move(*value);
    return true;
  }

  template <class T>
  bool read(std::string_view key, std::optional<T>& out, const ValueType<T>& type) const {
    T value{};
    if (!read(key, value, type)) return false;
    out = std::move(value);
    return true;
  }

  // A list of scalars. With `allow_single`, a lone scalar counts as a list of one.
  // Returns false when absent or when any item was invalid (valid items are kept).
  template <class T>
  bool read_list(std::string_view key, std::vector<T>& out, const ValueType<T>& type,
                 bool allow_single = false) const {
    const Entry* entry = find(key);
    if (entry == nullptr) return false;
    std::vector<T> values;
    bool ok = true;
    auto take = [&](const Entry& item, std::size_t) {
      auto value = convert(*ctx_, item, type);
      ok = ok && value.has_value();
      if (value) values.push_back(std::move(*value));
    };
    if (allow_single && entry->value.IsScalar()) {
      take(*entry, 0);
    } else {
      if (!entry->value.IsSequence()) ok = false;
      for_each_item(*ctx_, *entry, take);
    }
    if (ok) out = std::move(values);
    return ok;
  }

  // A file system path, resolved against the config file's directory.
  bool read_path(std::string_view key, std::filesystem::path& out) const;
  bool read_path(std::string_view key, std::optional<std::filesystem::path>& out) const;

  // A mapping of names to strings (env, labels, headers), order kept. `name_check` returns an
  // error message for an invalid name, or "" when it is fine.
  // `name_check` / `value_check` return a problem to report ("" when fine).
  bool read_pairs(std::string_view key,
                  const std::function<void(std::string name, std::string value)>& add,
                  const std::function<std::string(std::string_view)>& name_check = {},
                  const std::function<std::string(std::string_view)>& value_check = {}) const;

  // A nested mapping under `key`, or nothing when absent or not a mapping (reported).
  std::optional<MapReader> child(std::string_view key, std::vector<std::string_view> keys,
                                 std::source_location site = std::source_location::current()) const;

  // Reports "missing required key" at the mapping's position; true when present.
  bool require(std::string_view key) const;
  // Reports the later of two keys that must not appear together; true when they don't.
  bool exclusive(std::string_view first, std::string_view second) const;
  // Exactly one of `keys` must be given; returns it, or nullptr (reported) when none or several.
  const Entry* exactly_one(std::initializer_list<std::string_view> keys) const;

  // Records a gated feature when `key` is present (at the key), shown as its path.
  void feature(std::string_view key, std::string_view feature) const;

 private:
  // The entries of `keys` that are present, in file order.
  std::vector<const Entry*> present(std::initializer_list<std::string_view> keys) const;
  // Reports every entry after the first as conflicting with it.
  void report_conflicts(const std::vector<const Entry*>& given) const;

  LoadContext* ctx_;
  std::string path_;
  SourcePos pos_;
  bool is_map_ = false;
  std::vector<std::string_view> keys_;
  std::vector<Entry> entries_;
};

}  // namespace flotilla::config
