// ACME files under state_dir (see store.hpp).
#include "acme/store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "acme/certificates.hpp"

namespace flotilla::acme {
namespace {

constexpr std::chrono::seconds kTemporaryLifetime{90 * 24 * 3600};

std::string sanitized(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '-';
    out += keep ? c : '_';
  }
  return out;
}

}  // namespace

std::filesystem::path account_key_path(const std::filesystem::path& state_dir,
                                       std::string_view directory) {
  std::string_view rest = directory;
  if (const std::size_t scheme = rest.find("://"); scheme != std::string_view::npos) {
    rest.remove_prefix(scheme + 3);
  }
  rest = rest.substr(0, rest.find('/'));
  return state_dir / "acme" / "accounts" / sanitized(rest) / "account.key";
}

bool make_private_dirs(const std::filesystem::path& root, const std::filesystem::path& dir,
                       std::string& error) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    error = fmt::format("cannot create {}: {}", dir.string(), ec.message());
    return false;
  }
  // root and every directory between it and dir: 0700.
  for (std::filesystem::path at = dir;; at = at.parent_path()) {
    if (::chmod(at.c_str(), 0700) != 0) {
      error = fmt::format("cannot chmod {}: {}", at.string(), std::strerror(errno));
      return false;
    }
    if (at == root || at == at.parent_path() || at.string().size() < root.string().size()) break;
  }
  return true;
}

bool write_file_atomically(const std::filesystem::path& path, std::string_view text, unsigned mode,
                           std::string& error) {
  const std::filesystem::path temporary = path.string() + ".tmp";
  ::unlink(temporary.c_str());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    error = fmt::format("cannot write {}: {}", temporary.string(), std::strerror(errno));
    return false;
  }
  ::fchmod(fd, mode);  // whatever the umask said
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = fmt::format("cannot write {}: {}", temporary.string(), std::strerror(errno));
      ::close(fd);
      return false;
    }
    written += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || ::rename(temporary.c_str(), path.c_str()) != 0) {
    error = fmt::format("cannot replace {}: {}", path.string(), std::strerror(errno));
    return false;
  }
  return true;
}

std::optional<std::string> read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Prepared prepare_certificate(const std::filesystem::path& state_dir, const std::string& domain,
                             const config::TlsCertificate& files, std::filesystem::path& from,
                             std::string& error) {
  const std::optional<std::string> chain = read_text(files.cert);
  const std::optional<std::string> key = read_text(files.key);
  if (chain && key && read_leaf(*chain)) return Prepared::kPresent;
  if (!make_private_dirs(state_dir / "acme", files.cert.parent_path(), error)) {
    return Prepared::kTemporary;
  }
  const auto now = std::chrono::system_clock::now();
  std::error_code ec;
  for (const auto& other :
       std::filesystem::directory_iterator(state_dir / "acme" / "certificates", ec)) {
    const std::filesystem::path dir = other.path();
    if (dir == files.cert.parent_path()) continue;
    const std::optional<std::string> other_chain = read_text(dir / "fullchain.pem");
    const std::optional<std::string> other_key = read_text(dir / "key.pem");
    const std::optional<StoredCertificate> leaf =
        other_chain ? read_leaf(*other_chain) : std::optional<StoredCertificate>{};
    if (!leaf || !other_key || leaf->self_signed || leaf->not_after <= now ||
        std::find(leaf->names.begin(), leaf->names.end(), domain) == leaf->names.end()) {
      continue;
    }
    if (!write_file_atomically(files.key, *other_key, 0600, error) ||
        !write_file_atomically(files.cert, *other_chain, 0600, error)) {
      return Prepared::kTemporary;
    }
    from = dir;
    return Prepared::kAdopted;
  }
  tls::EvpPkeyPtr fresh = new_certificate_key();
  tls::X509Ptr cert =
      self_signed(fresh.get(), {domain}, kTemporaryLifetime, "flotilla temporary certificate");
  if (!write_file_atomically(files.key, key_pem(fresh.get()), 0600, error) ||
      !write_file_atomically(files.cert, certificate_pem(cert.get()), 0600, error)) {
    return Prepared::kTemporary;
  }
  error.clear();
  return Prepared::kTemporary;
}

}  // namespace flotilla::acme
