// Revision history bookkeeping and its file. The write is the classic atomic-replace sequence:
// a reader (or a flotilla restarted after a crash) sees the old file or the new one, never half.
#include "supervisor/revision_history.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

namespace flotilla::supervisor {
namespace {

constexpr int kFileVersion = 1;

bool write_all(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// After the rename, the directory entry itself must reach the disk too.
void fsync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

Revision& add_revision(History& history, config::Service spec, std::string cause) {
  std::uint32_t highest = 0;
  for (const Revision& r : history.revisions) highest = std::max(highest, r.number);
  Revision revision;
  revision.number = highest + 1;
  revision.spec = std::move(spec);
  revision.created = std::chrono::system_clock::now();
  revision.cause = std::move(cause);
  history.revisions.insert(history.revisions.begin(), std::move(revision));
  // Drop the oldest first; the current one stays even when it is old (after rollbacks).
  for (std::size_t i = history.revisions.size(); history.revisions.size() > kRevisionsKept && i > 0;
       --i) {
    if (history.revisions[i - 1].number != history.current) {
      history.revisions.erase(history.revisions.begin() + static_cast<std::ptrdiff_t>(i - 1));
    }
  }
  return history.revisions.front();
}

const Revision* find_revision(const History& history, std::uint32_t number) {
  for (const Revision& r : history.revisions) {
    if (r.number == number) return &r;
  }
  return nullptr;
}

Revision* find_revision(History& history, std::uint32_t number) {
  for (Revision& r : history.revisions) {
    if (r.number == number) return &r;
  }
  return nullptr;
}

std::filesystem::path RevisionStore::file_of(const std::string& service) const {
  return dir_ / (service + ".json");
}

History RevisionStore::load(const std::string& service) const {
  History history;
  history.service = service;
  const std::filesystem::path path = file_of(service);
  std::ifstream in(path);
  if (!in) return history;
  std::stringstream text;
  text << in.rdbuf();
  try {
    const nlohmann::json j = nlohmann::json::parse(text.str());
    History loaded;
    loaded.service = service;
    loaded.current = j.at("current").get<std::uint32_t>();
    for (const nlohmann::json& r : j.at("revisions")) {
      loaded.revisions.push_back(revision_from_json(r));
    }
    std::sort(loaded.revisions.begin(), loaded.revisions.end(),
              [](const Revision& a, const Revision& b) { return a.number > b.number; });
    if (find_revision(loaded, loaded.current) == nullptr) {
      throw std::runtime_error("the current revision is missing");
    }
    return loaded;
  } catch (const std::exception& e) {
    spdlog::warn("supervisor: ignoring revision history {}: {}", path.string(), e.what());
    return history;
  }
}

bool RevisionStore::save(const History& history) const {
  nlohmann::json revisions = nlohmann::json::array();
  for (const Revision& r : history.revisions) revisions.push_back(revision_to_json(r));
  const nlohmann::json j{{"version", kFileVersion},
                         {"service", history.service},
                         {"current", history.current},
                         {"revisions", std::move(revisions)}};
  const std::string data = j.dump(2) + "\n";

  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  const std::filesystem::path path = file_of(history.service);
  const std::filesystem::path temp = path.string() + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    spdlog::error("supervisor: cannot write {}: {}", temp.string(), std::strerror(errno));
    return false;
  }
  const bool written = write_all(fd, data) && ::fsync(fd) == 0;
  const int saved_errno = errno;
  ::close(fd);
  if (!written || ::rename(temp.c_str(), path.c_str()) != 0) {
    spdlog::error("supervisor: cannot write {}: {}", path.string(),
                  std::strerror(written ? errno : saved_errno));
    ::unlink(temp.c_str());
    return false;
  }
  fsync_directory(dir_);
  return true;
}

}  // namespace flotilla::supervisor
