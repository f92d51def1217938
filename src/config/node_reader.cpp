// Strict mapping access. Unknown keys are checked once, up front, against the keys declared by
// the section parser, so the reads can happen in any order.
#include "config/node_reader.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "config/did_you_mean.hpp"

namespace flotilla::config {
namespace {

constexpr int kMaxMergeDepth = 8;
constexpr std::string_view kMergeKey = "<<";

std::string child_path(std::string_view parent, std::string_view key) {
  return parent.empty() ? std::string(key) : fmt::format("{}.{}", parent, key);
}

Entry make_entry(const YAML::Node& key, const YAML::Node& value, std::string_view parent) {
  Entry entry;
  entry.value = value;
  entry.name = key.IsScalar() ? key.Scalar() : std::string();
  entry.path = child_path(parent, entry.name);
  entry.key_pos = to_pos(key.Mark());
  entry.value_pos = value.IsNull() ? entry.key_pos : to_pos(value.Mark());
  return entry;
}

bool contains(const std::vector<Entry>& entries, std::string_view name) {
  return std::any_of(entries.begin(), entries.end(),
                     [&](const Entry& e) { return e.name == name; });
}

// Appends the entries of `node` that are not already in `out` (explicit keys win over merged
// ones, as the YAML merge-key spec says).
void collect_entries(LoadContext& ctx, const YAML::Node& node, const std::string& path,
                     std::vector<Entry>& out, int depth) {
  std::vector<Entry> merged;
  const std::size_t first_own = out.size();
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) {
      ctx.error(to_pos(it->first.Mark()),
                fmt::format("{}: keys must be plain names, got {}",
                            path.empty() ? "top level" : path, describe_node(it->first)));
      continue;
    }
    Entry entry = make_entry(it->first, it->second, path);
    if (entry.name == kMergeKey && depth < kMaxMergeDepth) {
      const std::vector<YAML::Node> sources =
          entry.value.IsSequence() ? std::vector<YAML::Node>(entry.value.begin(), entry.value.end())
                                   : std::vector<YAML::Node>{entry.value};
      for (const YAML::Node& source : sources) {
        if (source.IsMap()) {
          collect_entries(ctx, source, path, merged, depth + 1);
        } else {
          ctx.error(entry.value_pos, fmt::format("{}: a merge key ('<<') needs a mapping, got {}",
                                                 entry.path, describe_node(source)));
        }
      }
      continue;
    }
    const auto first = std::find_if(out.begin() + static_cast<std::ptrdiff_t>(first_own), out.end(),
                                    [&](const Entry& e) { return e.name == entry.name; });
    if (first != out.end()) {
      ctx.error(entry.key_pos, fmt::format("duplicate key '{}' in {} (first given on line {})",
                                           entry.name, describe_path(path), first->key_pos.line));
      continue;
    }
    out.push_back(std::move(entry));
  }
  for (Entry& entry : merged) {
    if (!contains(out, entry.name)) out.push_back(std::move(entry));
  }
}

}  // namespace

std::string describe_path(std::string_view path) {
  for (std::string_view section : {"services", "upstreams"}) {
    if (path.starts_with(section) && path.size() > section.size() && path[section.size()] == '.') {
      const std::string_view name = path.substr(section.size() + 1);
      if (name.find('.') == std::string_view::npos) {
        return fmt::format("{} '{}'", section.substr(0, section.size() - 1), name);
      }
    }
  }
  return path.empty() ? std::string("the top level") : std::string(path);
}

std::optional<std::vector<Entry>> mapping_entries(LoadContext& ctx, const Entry& entry) {
  if (!entry.value.IsMap()) {
    ctx.error(entry.value_pos, fmt::format("{}: expected a mapping, got {}", entry.path,
                                           describe_node(entry.value)));
    ctx.mark_invalid(entry.path);
    return std::nullopt;
  }
  std::vector<Entry> entries;
  collect_entries(ctx, entry.value, entry.path, entries, 0);
  for (const Entry& child : entries) ctx.remember(child.path, child.value_pos);
  return entries;
}

void for_each_item(LoadContext& ctx, const Entry& entry,
                   const std::function<void(const Entry& item, std::size_t index)>& each) {
  if (!entry.value.IsSequence()) {
    ctx.error(entry.value_pos,
              fmt::format("{}: expected a list, got {}", entry.path, describe_node(entry.value)));
    ctx.mark_invalid(entry.path);
    return;
  }
  std::size_t index = 0;
  for (const YAML::Node& node : entry.value) {
    Entry item;
    item.value = node;
    item.path = fmt::format("{}[{}]", entry.path, index);
    item.value_pos = node.IsNull() ? entry.value_pos : to_pos(node.Mark());
    item.key_pos = item.value_pos;
    ctx.remember(item.path, item.value_pos);
    each(item, index);
    ++index;
  }
}

MapReader::MapReader(LoadContext& ctx, const Entry& entry, std::vector<std::string_view> keys,
                     bool allow_extensions, std::source_location site)
    : ctx_(&ctx), path_(entry.path), pos_(entry.value_pos), keys_(std::move(keys)) {
  const std::string_view file = site.file_name();
  ctx.declare_keys(path_, keys_,
                   fmt::format("{}:{}", file.substr(file.rfind('/') + 1), site.line()));
  auto entries = mapping_entries(ctx, entry);
  if (!entries) return;
  is_map_ = true;
  for (Entry& child : *entries) {
    const bool known = std::find(keys_.begin(), keys_.end(), child.name) != keys_.end();
    if (known) {
      entries_.push_back(std::move(child));
    } else if (!(allow_extensions && child.name.starts_with("x-"))) {
      const std::string message = path_.empty()
                                      ? fmt::format("unknown top-level key '{}'", child.name)
                                      : fmt::format("unknown key '{}' in {}", child.name, where());
      ctx.error(child.key_pos, message + did_you_mean(child.name, keys_));
    }
  }
}

const Entry* MapReader::find(std::string_view key) const {
  if (std::find(keys_.begin(), keys_.end(), key) == keys_.end()) {
    throw std::logic_error(fmt::format("config key '{}' read but not declared in {}", key, path_));
  }
  const auto it =
      std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.name == key; });
  return it == entries_.end() ? nullptr : &*it;
}

bool MapReader::read_path(std::string_view key, std::filesystem::path& out) const {
  std::string text;
  if (!read(key, text, string_type())) return false;
  out = ctx_->resolve(text);
  return true;
}

bool MapReader::read_path(std::string_view key, std::optional<std::filesystem::path>& out) const {
  std::filesystem::path path;
  if (!read_path(key, path)) return false;
  out = std::move(path);
  return true;
}

bool MapReader::read_pairs(std::string_view key,
                           const std::function<void(std::string, std::string)>& add,
                           const std::function<std::string(std::string_view)>& name_check,
                           const std::function<std::string(std::string_view)>& value_check) const {
  const Entry* entry = find(key);
  if (entry == nullptr) return false;
  const auto entries = mapping_entries(*ctx_, *entry);
  if (!entries) return false;
  // Values may be empty strings (an env var set to ""), unlike most strings in the file.
  const ValueType<std::string> any_text{"a string", [](std::string_view text) {
                                          return ParseResult<std::string>(std::string(text));
                                        }};
  bool ok = true;
  for (const Entry& pair : *entries) {
    const std::string problem = name_check ? name_check(pair.name) : std::string();
    if (!problem.empty()) {
      ctx_->error(pair.key_pos, fmt::format("{}: {}", pair.path, problem));
      ctx_->mark_invalid(pair.path);
      ok = false;
      continue;
    }
    auto value = convert(*ctx_, pair, any_text);
    if (!value) {
      ok = false;
      continue;
    }
    if (const std::string bad = value_check ? value_check(*value) : std::string(); !bad.empty()) {
      ctx_->error(pair.value_pos, fmt::format("{}: {}", pair.path, bad));
      ctx_->mark_invalid(pair.path);
      ok = false;
      continue;
    }
    add(pair.name, std::move(*value));
  }
  return ok;
}

std::optional<MapReader> MapReader::child(std::string_view key, std::vector<std::string_view> keys,
                                          std::source_location site) const {
  const Entry* entry = find(key);
  if (entry == nullptr) return std::nullopt;
  MapReader reader(*ctx_, *entry, std::move(keys), false, site);
  if (!reader.is_map()) return std::nullopt;
  return reader;
}

bool MapReader::require(std::string_view key) const {
  if (!is_map_ || has(key)) return true;
  ctx_->error(pos_, fmt::format("missing required key '{}' in {}", key, where()));
  return false;
}

std::vector<const Entry*> MapReader::present(std::initializer_list<std::string_view> keys) const {
  std::vector<const Entry*> given;
  for (std::string_view key : keys) {
    if (const Entry* entry = find(key)) given.push_back(entry);
  }
  std::sort(given.begin(), given.end(),
            [](const Entry* a, const Entry* b) { return a->key_pos < b->key_pos; });
  return given;
}

void MapReader::report_conflicts(const std::vector<const Entry*>& given) const {
  for (std::size_t i = 1; i < given.size(); ++i) {
    ctx_->error(given[i]->key_pos, fmt::format("'{}' and '{}' are mutually exclusive in {}",
                                               given[0]->name, given[i]->name, where()));
  }
}

bool MapReader::exclusive(std::string_view first, std::string_view second) const {
  const std::vector<const Entry*> given = present({first, second});
  report_conflicts(given);
  return given.size() < 2;
}

const Entry* MapReader::exactly_one(std::initializer_list<std::string_view> keys) const {
  const std::vector<const Entry*> given = present(keys);
  if (given.size() == 1) return given.front();
  if (given.empty() && is_map_) {
    std::vector<std::string> quoted;
    for (std::string_view key : keys) quoted.push_back(fmt::format("'{}'", key));
    ctx_->error(pos_, fmt::format("{} needs one of {}", where(), fmt::join(quoted, ", ")));
  }
  report_conflicts(given);
  return nullptr;
}

void MapReader::feature(std::string_view key, std::string_view feature) const {
  if (const Entry* entry = find(key)) ctx_->use_feature(feature, entry->key_pos, entry->path);
}

}  // namespace flotilla::config
