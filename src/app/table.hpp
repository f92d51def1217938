// Aligned text columns for the CLI's human output (like `kubectl get` and `docker ps`): a
// header row, then rows, columns padded to the widest cell and two spaces apart. Pure text;
// must never print or know what the cells mean.
#pragma once

#include <string>
#include <vector>

namespace flotilla::app {

class Table {
 public:
  explicit Table(std::vector<std::string> headers);

  // Missing cells are blank, extra ones are dropped.
  void add_row(std::vector<std::string> cells);
  bool empty() const noexcept { return rows_.empty(); }

  // Every line ends in '\n'; trailing spaces are trimmed. Widths count UTF-8 code points.
  std::string render() const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace flotilla::app
