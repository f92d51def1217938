// Commands of services and exec probes: a string (split into argv like a shell, or handed to
// /bin/sh with `shell: true`) or a list that is the argv itself.
#include <fmt/format.h>

#include "config/command_line.hpp"
#include "config/parse_sections.hpp"

namespace flotilla::config {

std::optional<Command> parse_command(LoadContext& ctx, const Entry& entry, bool shell) {
  Command command;
  command.shell = shell;
  if (entry.value.IsSequence()) {
    if (shell) {
      ctx.error(entry.value_pos, fmt::format("{}: with 'shell: true' the command must be one "
                                             "string",
                                             entry.path));
      return std::nullopt;
    }
    bool ok = true;
    for_each_item(ctx, entry, [&](const Entry& item, std::size_t) {
      auto word = convert(ctx, item, string_type());
      ok = ok && word.has_value();
      if (word) command.argv.push_back(std::move(*word));
    });
    if (!ok) return std::nullopt;
    if (command.argv.empty()) {
      ctx.error(entry.value_pos, fmt::format("{}: empty command", entry.path));
      return std::nullopt;
    }
    command.text = fmt::format("{}", fmt::join(command.argv, " "));
    return command;
  }
  auto text =
      convert(ctx, entry, ValueType<std::string>{"a command string or list", [](auto t) {
                                                   return ParseResult<std::string>(std::string(t));
                                                 }});
  if (!text) return std::nullopt;
  command.text = *text;
  if (shell) {
    if (text->find_first_not_of(" \t\r\n") == std::string::npos) {
      ctx.error(entry.value_pos, fmt::format("{}: empty command", entry.path));
      return std::nullopt;
    }
    command.argv = {"/bin/sh", "-c", *text};
    return command;
  }
  auto argv = split_command_line(*text);
  if (!argv) {
    ctx.error(entry.value_pos, fmt::format("{}: {}", entry.path, argv.error()));
    return std::nullopt;
  }
  command.argv = std::move(argv).value();
  return command;
}

}  // namespace flotilla::config
