// `headers:` on a listener or a route: `{ request: {set, add, remove}, response: {...} }`, or the
// flat `{ set, add, remove }` as shorthand for `response:`. Values are value templates; names the
// proxy manages itself (framing, hop-by-hop) cannot be edited.
#include <fmt/format.h>

#include "config/parse_sections.hpp"
#include "config/value_template.hpp"

namespace flotilla::config {
namespace {

const std::vector<std::string_view> kHeadersKeys{"request", "response", "set", "add", "remove"};
const std::vector<std::string_view> kRuleSetKeys{"set", "add", "remove"};

// A name already given in this rule set, and where.
struct Seen {
  std::string name;
  int line = 0;
};

const Seen* find_seen(const std::vector<Seen>& seen, std::string_view name) {
  for (const Seen& s : seen) {
    if (header_names_equal(s.name, name)) return &s;
  }
  return nullptr;
}

// A checked header name from a mapping key; reports and returns false when it is not usable.
bool check_key(LoadContext& ctx, const Entry& pair) {
  const std::string problem = check_editable_header_name(pair.name);
  if (problem.empty()) return true;
  ctx.error(pair.key_pos, fmt::format("{}: {}", pair.path, problem));
  ctx.mark_invalid(pair.path);
  return false;
}

// `set: { Name: value }`: one field per name, so a name may appear once (in any case).
void read_set(const MapReader& r, HeaderRuleSet& out, std::vector<Seen>& seen) {
  const Entry* entry = r.find("set");
  if (entry == nullptr) return;
  const auto pairs = mapping_entries(r.ctx(), *entry);
  if (!pairs) return;
  for (const Entry& pair : *pairs) {
    if (!check_key(r.ctx(), pair)) continue;
    if (const Seen* earlier = find_seen(seen, pair.name)) {
      r.ctx().error(pair.key_pos,
                    fmt::format("{}: '{}' is already set on line {} (header names are "
                                "case-insensitive)",
                                pair.path, earlier->name, earlier->line));
      continue;
    }
    seen.push_back(Seen{pair.name, pair.key_pos.line});
    if (auto value = convert(r.ctx(), pair, header_value_type())) {
      out.set.push_back(HeaderEdit{pair.name, std::move(*value)});
    }
  }
}

// `add: { Name: value }` or `add: { Name: [value, value] }`: each value appends one field.
void read_add(const MapReader& r, HeaderRuleSet& out, std::vector<Seen>& seen) {
  const Entry* entry = r.find("add");
  if (entry == nullptr) return;
  const auto pairs = mapping_entries(r.ctx(), *entry);
  if (!pairs) return;
  for (const Entry& pair : *pairs) {
    if (!check_key(r.ctx(), pair)) continue;
    seen.push_back(Seen{pair.name, pair.key_pos.line});
    auto take = [&](const Entry& item, std::size_t) {
      if (auto value = convert(r.ctx(), item, header_value_type())) {
        out.add.push_back(HeaderEdit{pair.name, std::move(*value)});
      }
    };
    if (!pair.value.IsSequence()) {
      take(pair, 0);
    } else if (pair.value.size() == 0) {
      r.ctx().error(pair.value_pos, fmt::format("{}: must not be empty", pair.path));
    } else {
      for_each_item(r.ctx(), pair, take);
    }
  }
}

// `remove: [Name, ...]` (or one name). A name also set or added would depend on the order the
// rules run in, so that is an error.
void read_remove(const MapReader& r, HeaderRuleSet& out, const std::vector<Seen>& set,
                 const std::vector<Seen>& added) {
  const Entry* entry = r.find("remove");
  if (entry == nullptr) return;
  std::vector<Seen> removed;
  auto take = [&](const Entry& item, std::size_t) {
    auto name =
        convert(r.ctx(), item, checked_name_type("a header name", check_editable_header_name));
    if (!name) return;
    std::string problem;
    if (const Seen* earlier = find_seen(removed, *name)) {
      problem = fmt::format("'{}' is already removed on line {}", *name, earlier->line);
    } else if (const Seen* in_set = find_seen(set, *name)) {
      problem = fmt::format("'{}' is also in 'set' (line {}), which already replaces it", *name,
                            in_set->line);
    } else if (const Seen* in_add = find_seen(added, *name)) {
      problem = fmt::format("'{}' is also in 'add' (line {}); use 'set' to replace it", *name,
                            in_add->line);
    }
    if (!problem.empty()) {
      r.ctx().error(item.value_pos, fmt::format("{}: {}", item.path, problem));
      return;
    }
    removed.push_back(Seen{*name, item.value_pos.line});
    out.remove.push_back(std::move(*name));
  };
  if (entry->value.IsScalar()) {
    take(*entry, 0);
  } else {
    for_each_item(r.ctx(), *entry, take);
  }
}

void read_rule_set(const MapReader& r, HeaderRuleSet& out) {
  std::vector<Seen> set;
  std::vector<Seen> added;
  read_set(r, out, set);
  read_add(r, out, added);
  read_remove(r, out, set, added);
}

}  // namespace

void parse_header_rules(const MapReader& parent, std::optional<HeaderRules>& out) {
  const auto headers = parent.child("headers", kHeadersKeys);
  parent.feature("headers", "headers");
  if (!headers) return;
  HeaderRules rules;
  if (!headers->has("request") && !headers->has("response")) {
    read_rule_set(*headers, rules.response);
    out = std::move(rules);
    return;
  }
  for (std::string_view key : kRuleSetKeys) {
    if (const Entry* flat = headers->find(key)) {
      parent.ctx().error(
          flat->key_pos,
          fmt::format("{}: the flat form is shorthand for 'response:' and cannot be mixed with "
                      "'request' or 'response'; move '{}' under 'response:'",
                      flat->path, key));
    }
  }
  if (const auto request = headers->child("request", kRuleSetKeys)) {
    read_rule_set(*request, rules.request);
  }
  if (const auto response = headers->child("response", kRuleSetKeys)) {
    read_rule_set(*response, rules.response);
  }
  out = std::move(rules);
}

}  // namespace flotilla::config
