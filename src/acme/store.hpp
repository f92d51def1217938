// Where ACME material lives under state_dir and how it is written: `acme/` and everything below
// mode 0700, keys 0600, every file replaced atomically (temp + fsync + rename). Account keys per
// ACME directory (`accounts/<host_port>/account.key`), certificates per first domain
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

// When the listener's certificate file is missing or unreadable: a key and a self-signed
// certificate for its domains (valid 90 days), so the listener can start; true when made.
bool ensure_temporary_certificate(const std::filesystem::path& state_dir, const config::Acme& acme,
                                  const config::TlsCertificate& files, std::string& error);

}  // namespace flotilla::acme
