// Where ACME material lives under state_dir and how it is written: `acme/` and everything below
// mode 0700, keys 0600, every file replaced atomically (temp + fsync + rename). Account keys per
// ACME directory (`accounts/<host_port>/account.key`), certificates per domain
// (`certificates/<domain>/{key.pem,fullchain.pem}`, the paths config::complete_acme chose).
// Small blocking file I/O on the control thread; never talks to the network.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "config/spec.hpp"

namespace flotilla::acme {

// state_dir/acme/accounts/<directory's host_port>/account.key
std::filesystem::path account_key_path(const std::filesystem::path& state_dir,
                                       std::string_view directory);

// Creates `dir` and its parents up to `root` (included) with mode 0700 (chmod when they exist).
bool make_private_dirs(const std::filesystem::path& root, const std::filesystem::path& dir,
                       std::string& error);

// Writes `text` to `path` through a temporary file with `mode`, fsynced, renamed over `path`.
bool write_file_atomically(const std::filesystem::path& path, std::string_view text, unsigned mode,
                           std::string& error);

std::optional<std::string> read_text(const std::filesystem::path& path);

// What prepare_certificate did for one domain's files.
enum class Prepared {
  kPresent,    // they hold a readable certificate already
  kAdopted,    // a copy of another directory's certificate that covers the domain
  kTemporary,  // a self-signed stand-in (valid 90 days) until the first order
};

// When one domain's certificate files are missing or unreadable: a copy of an issued, unexpired
// certificate (and its key) from another directory under state_dir/acme/certificates/ that
// covers `domain` — from when one order covered a listener's domains together, so it is not
// ordered again before its renewal — else a temporary self-signed one, so the listener can
// start. `from` says which directory was copied.
Prepared prepare_certificate(const std::filesystem::path& state_dir, const std::string& domain,
                             const config::TlsCertificate& files, std::filesystem::path& from,
                             std::string& error);

}  // namespace flotilla::acme
