// histogram_quantile over cumulative `le` buckets, as Prometheus' bucketQuantile: linear
// interpolation inside the bucket holding the rank; the +Inf bucket answers with the highest
// finite bound; NaN when there are no observations or no +Inf bucket.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>

#include "observe/alerts/label_set.hpp"
#include "observe/alerts/vector_ops.hpp"

namespace flotilla::observe {
namespace {

struct Bucket {
  double upper = 0;
  double count = 0;
};

double bucket_quantile(double q, std::vector<Bucket> buckets) {
  if (std::isnan(q)) return std::nan("");
  if (q < 0) return -std::numeric_limits<double>::infinity();
  if (q > 1) return std::numeric_limits<double>::infinity();
  std::sort(buckets.begin(), buckets.end(),
            [](const Bucket& a, const Bucket& b) { return a.upper < b.upper; });
  if (buckets.empty() || !std::isinf(buckets.back().upper)) return std::nan("");
  // Merge equal bounds, then force the counts to be monotonic (scrapes are not atomic).
  std::vector<Bucket> merged;
  for (const Bucket& bucket : buckets) {
    if (!merged.empty() && merged.back().upper == bucket.upper) {
      merged.back().count += bucket.count;
    } else {
      merged.push_back(bucket);
    }
  }
  for (std::size_t i = 1; i < merged.size(); ++i) {
    merged[i].count = std::max(merged[i].count, merged[i - 1].count);
  }
  if (merged.size() < 2) return std::nan("");
  const double observations = merged.back().count;
  if (observations == 0) return std::nan("");
  double rank = q * observations;
  std::size_t b = 0;
  while (b < merged.size() && merged[b].count < rank) ++b;
  if (b >= merged.size() - 1) return merged[merged.size() - 2].upper;
  if (b == 0 && merged[0].upper <= 0) return merged[0].upper;
  double start = 0;
  double count = merged[b].count;
  if (b > 0) {
    start = merged[b - 1].upper;
    count -= merged[b - 1].count;
    rank -= merged[b - 1].count;
  }
  return start + (merged[b].upper - start) * (rank / count);
}

}  // namespace

InstantVector histogram_quantile(double quantile, const InstantVector& buckets) {
  struct Group {
    Labels labels;
    std::vector<Bucket> buckets;
  };
  std::vector<Group> groups;
  std::map<std::string, std::size_t> index;
  for (const VectorElement& element : buckets) {
    const std::string* le = find_label(element.labels, "le");
    if (le == nullptr) continue;
    char* end = nullptr;
    double upper = std::strtod(le->c_str(), &end);
    if (*le == "+Inf" || *le == "Inf")
      upper = std::numeric_limits<double>::infinity();
    else if (end == le->c_str() || *end != '\0')
      continue;
    Labels labels = element.labels;
    drop_label(labels, "le");
    drop_label(labels, kMetricNameLabel);
    const auto [it, inserted] = index.emplace(labels_key(labels), groups.size());
    if (inserted) groups.push_back(Group{std::move(labels), {}});
    groups[it->second].buckets.push_back(Bucket{upper, element.value});
  }
  InstantVector out;
  for (Group& group : groups) {
    out.push_back(VectorElement{std::move(group.labels),
                                bucket_quantile(quantile, std::move(group.buckets))});
  }
  return out;
}

}  // namespace flotilla::observe
