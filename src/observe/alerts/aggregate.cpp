// sum/min/max/avg/count with `by`/`without`: the output keeps only the grouping labels.
#include <algorithm>
#include <cmath>
#include <map>

#include "observe/alerts/label_set.hpp"
#include "observe/alerts/vector_ops.hpp"

namespace flotilla::observe {

using promql::Aggregate;
using promql::AggregateOp;

InstantVector apply_aggregate(const Aggregate& aggregate, const InstantVector& input) {
  struct Group {
    Labels labels;
    double value = 0;
    double count = 0;
  };
  std::vector<Group> groups;  // in order of first appearance
  std::map<std::string, std::size_t> index;
  for (const VectorElement& element : input) {
    Labels labels = aggregate.without ? drop_all(element.labels, aggregate.grouping)
                                      : keep_only(element.labels, aggregate.grouping);
    drop_label(labels, kMetricNameLabel);
    const auto [it, inserted] = index.emplace(labels_key(labels), groups.size());
    if (inserted) {
      groups.push_back(Group{std::move(labels), element.value, 1});
      continue;
    }
    Group& group = groups[it->second];
    group.count += 1;
    switch (aggregate.op) {
      case AggregateOp::sum:
      case AggregateOp::avg:
        group.value += element.value;
        break;
      case AggregateOp::min:
        // NaN loses to any number, as in Prometheus
        if (element.value < group.value || std::isnan(group.value)) group.value = element.value;
        break;
      case AggregateOp::max:
        if (element.value > group.value || std::isnan(group.value)) group.value = element.value;
        break;
      case AggregateOp::count:
        break;
    }
  }
  InstantVector out;
  out.reserve(groups.size());
  for (Group& group : groups) {
    double value = group.value;
    if (aggregate.op == AggregateOp::avg) value /= group.count;
    if (aggregate.op == AggregateOp::count) value = group.count;
    out.push_back(VectorElement{std::move(group.labels), value});
  }
  return out;
}

}  // namespace flotilla::observe
