#include "observe/alerts/label_set.hpp"

#include <algorithm>

namespace flotilla::observe {
namespace {

auto position(Labels& labels, std::string_view name) {
  return std::lower_bound(
      labels.begin(), labels.end(), name,
      [](const auto& label, std::string_view key) { return label.first < key; });
}

}  // namespace

const std::string* find_label(const Labels& labels, std::string_view name) {
  const auto it =
      std::lower_bound(labels.begin(), labels.end(), name,
                       [](const auto& label, std::string_view key) { return label.first < key; });
  if (it == labels.end() || it->first != name) return nullptr;
  return &it->second;
}

void set_label(Labels& labels, std::string_view name, std::string value) {
  const auto it = position(labels, name);
  if (it != labels.end() && it->first == name) {
    it->second = std::move(value);
  } else {
    labels.insert(it, {std::string(name), std::move(value)});
  }
}

void drop_label(Labels& labels, std::string_view name) {
  const auto it = position(labels, name);
  if (it != labels.end() && it->first == name) labels.erase(it);
}

Labels keep_only(const Labels& labels, const std::vector<std::string>& names) {
  Labels out;
  for (const auto& label : labels) {
    if (std::find(names.begin(), names.end(), label.first) != names.end()) out.push_back(label);
  }
  return out;
}

Labels drop_all(const Labels& labels, const std::vector<std::string>& names) {
  Labels out;
  for (const auto& label : labels) {
    if (std::find(names.begin(), names.end(), label.first) == names.end()) out.push_back(label);
  }
  return out;
}

std::string labels_key(const Labels& labels) {
  std::string key = "{";
  for (const auto& [name, value] : labels) {
    if (key.size() > 1) key += ", ";
    key += name;
    key += "=\"";
    for (const char c : value) {
      if (c == '"' || c == '\\') key += '\\';
      key += c;
    }
    key += '"';
  }
  key += '}';
  return key;
}

}  // namespace flotilla::observe
