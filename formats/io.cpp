#include "formats/io.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vz {
namespace {

size_t page_size() {
  static const size_t p = size_t(sysconf(_SC_PAGESIZE));
  return p;
}
size_t round_up(size_t n, size_t a) { return (n + a - 1) / a * a; }

std::string errno_text(int e) { return std::strerror(e); }

}  // namespace

// ---------------------------------------------------------------------------------------------
// MappedFile
// ---------------------------------------------------------------------------------------------

std::shared_ptr<MappedFile> MappedFile::open(const std::string& path, std::string* error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (error) *error = "cannot open " + path + ": " + errno_text(errno);
    return nullptr;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    if (error) *error = "cannot read " + path + ": not a regular file";
    ::close(fd);
    return nullptr;
  }
  std::shared_ptr<MappedFile> m(new MappedFile());
  m->size_ = size_t(st.st_size);
  m->mapped_ = round_up(m->size_ + kPadding, page_size());
  // Reserve len + padding of zero pages, then map the file over the start of it.
  void* base = mmap(nullptr, m->mapped_, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) {
    if (error) *error = "cannot map " + path + ": " + errno_text(errno);
    ::close(fd);
    return nullptr;
  }
  m->data_ = static_cast<char*>(base);
  if (m->size_ > 0) {
    void* p = mmap(base, m->size_, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
    if (p == MAP_FAILED) {
      if (error) *error = "cannot map " + path + ": " + errno_text(errno);
      ::close(fd);
      return nullptr;  // destructor unmaps the reservation
    }
    madvise(base, m->size_, MADV_SEQUENTIAL);
  }
  ::close(fd);
  return m;
}

MappedFile::~MappedFile() {
  if (data_) munmap(data_, mapped_);
}

// ---------------------------------------------------------------------------------------------
// AnonBuffer
// ---------------------------------------------------------------------------------------------

AnonBuffer::~AnonBuffer() {
  if (data_) munmap(data_, cap_ + kPadding);
}

bool AnonBuffer::reserve_more(size_t n) {
  if (cap_ - size_ >= n) return true;
  size_t want = std::max(size_ + n, cap_ < (1u << 20) ? size_t(1) << 20 : cap_ * 2);
  size_t total = round_up(want + kPadding, page_size());
  void* p;
  if (data_) {
    p = mremap(data_, cap_ + kPadding, total, MREMAP_MAYMOVE);
  } else {
    p = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  }
  if (p == MAP_FAILED) return false;
  data_ = static_cast<char*>(p);
  cap_ = total - kPadding;
  return true;
}

bool AnonBuffer::append(const void* p, size_t n) {
  if (!reserve_more(n)) return false;
  if (n) std::memcpy(data_ + size_, p, n);  // p may be null when n == 0 (an empty section)
  size_ += n;
  return true;
}

void AnonBuffer::shrink_to_fit() {
  if (!data_) return;
  size_t total = round_up(size_ + kPadding, page_size());
  if (total >= cap_ + kPadding) return;
  // Zero the padding that may hold stale bytes, then give the rest back.
  std::memset(data_ + size_, 0, std::min(kPadding, cap_ - size_));
  void* p = mremap(data_, cap_ + kPadding, total, 0);
  if (p == MAP_FAILED) return;
  cap_ = total - kPadding;
}

// ---------------------------------------------------------------------------------------------
// AtomicFile
// ---------------------------------------------------------------------------------------------

namespace {
constexpr size_t kWriteBuffer = 1 << 20;
}

AtomicFile::~AtomicFile() { abort(); }

bool AtomicFile::open(const std::string& path, std::string* error) {
  abort();
  path_ = path;
  tmp_ = path + ".tmp-" + std::to_string(getpid());
  fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    if (error) *error = "cannot create " + tmp_ + ": " + errno_text(errno);
    tmp_.clear();
    ok_ = false;
    return false;
  }
  buf_.reset(new char[kWriteBuffer]);
  used_ = 0;
  written_ = 0;
  ok_ = true;
  errno_ = 0;
  return true;
}

bool AtomicFile::flush() {
  size_t off = 0;
  while (ok_ && off < used_) {
    ssize_t w = ::write(fd_, buf_.get() + off, used_ - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      errno_ = errno;
      ok_ = false;
    } else {
      off += size_t(w);
    }
  }
  used_ = 0;
  return ok_;
}

bool AtomicFile::write(const void* p, size_t n) {
  if (!ok_) return false;
  written_ += n;
  const char* s = static_cast<const char*>(p);
  if (used_ + n > kWriteBuffer) {
    if (!flush()) return false;
    if (n >= kWriteBuffer) {
      size_t off = 0;
      while (off < n) {
        ssize_t w = ::write(fd_, s + off, n - off);
        if (w < 0) {
          if (errno == EINTR) continue;
          errno_ = errno;
          ok_ = false;
          return false;
        }
        off += size_t(w);
      }
      return true;
    }
  }
  std::memcpy(buf_.get() + used_, s, n);
  used_ += n;
  return true;
}

bool AtomicFile::commit(std::string* error, bool durable) {
  if (fd_ < 0) {
    if (error) *error = "no file open";
    return false;
  }
  flush();
  // The rename is what makes the file appear whole to readers and after a crash of this
  // process; without `durable` a power cut may leave it empty (ext4's default ordering covers
  // only a file renamed over an existing one).
  if (ok_ && durable && fsync(fd_) != 0) {
    errno_ = errno;
    ok_ = false;
  }
  if (::close(fd_) != 0 && ok_) {
    errno_ = errno;
    ok_ = false;
  }
  fd_ = -1;
  if (ok_ && rename(tmp_.c_str(), path_.c_str()) != 0) {
    errno_ = errno;
    ok_ = false;
  }
  if (!ok_) {
    if (error) *error = "cannot write " + path_ + ": " + errno_text(errno_);
    unlink(tmp_.c_str());
    tmp_.clear();
    return false;
  }
  tmp_.clear();
  return true;
}

void AtomicFile::abort() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (!tmp_.empty()) {
    unlink(tmp_.c_str());
    tmp_.clear();
  }
  ok_ = false;
}

bool ends_with_ci(std::string_view s, std::string_view suffix) {
  if (suffix.size() > s.size()) return false;
  for (size_t i = 0; i < suffix.size(); ++i) {
    char a = s[s.size() - suffix.size() + i];
    if (a >= 'A' && a <= 'Z') a = char(a - 'A' + 'a');
    if (a != suffix[i]) return false;
  }
  return true;
}

}  // namespace vz
