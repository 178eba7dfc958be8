// File input/output helpers: padded read-only mappings and atomic writers.
//
// MappedFile maps a file so that at least kPadding readable bytes follow its end (simdjson reads
// up to 64 bytes past the document): an anonymous region of len + padding is reserved and the file
// is mapped over its start with MAP_FIXED. AnonBuffer is a growable anonymous mapping used for
// inflated gzip data (never a std::string: it can be many GB). AtomicFile writes to a temporary
// file next to the target and renames it into place on commit(), so a failure never leaves a half
// file behind.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "formats/model.h"

namespace vz {

constexpr size_t kPadding = 64;

// A read-only file mapping with kPadding zero bytes readable past its end.
class MappedFile final : public Buffer {
 public:
  // Returns nullptr and sets *error when the file cannot be opened or mapped.
  static std::shared_ptr<MappedFile> open(const std::string& path, std::string* error);
  ~MappedFile() override;
  const char* data() const override { return data_; }
  size_t size() const override { return size_; }

 private:
  MappedFile() = default;
  char* data_ = nullptr;
  size_t size_ = 0;
  size_t mapped_ = 0;
};

// A growable buffer in an anonymous mapping, always with kPadding zero bytes past size().
class AnonBuffer final : public Buffer {
 public:
  AnonBuffer() = default;
  ~AnonBuffer() override;
  AnonBuffer(const AnonBuffer&) = delete;
  AnonBuffer& operator=(const AnonBuffer&) = delete;
  const char* data() const override { return data_; }
  size_t size() const override { return size_; }
  char* mutable_data() { return data_; }
  // Makes room for at least `n` more bytes past size(); returns false when memory is exhausted.
  bool reserve_more(size_t n);
  // Pointer to the free space (capacity() - size() bytes).
  char* tail() { return data_ + size_; }
  size_t free_space() const { return cap_ - size_; }
  void grow(size_t n) { size_ += n; }
  bool append(const void* p, size_t n);
  // Returns unused capacity to the system.
  void shrink_to_fit();

 private:
  char* data_ = nullptr;
  size_t size_ = 0;
  size_t cap_ = 0;  // usable bytes (mapping minus padding)
};

// Buffered writer to `path` through a temporary file renamed on commit().
// If commit() is not called (or fails), the temporary file is removed and `path` is untouched.
class AtomicFile {
 public:
  AtomicFile() = default;
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  bool open(const std::string& path, std::string* error);
  bool write(const void* p, size_t n);
  bool write(std::string_view s) { return write(s.data(), s.size()); }
  bool ok() const { return ok_; }
  uint64_t bytes_written() const { return written_; }
  // Flushes and renames into place. `durable`: fsync first, so that after a power cut the file
  // is the old one or the new one, never empty (for small files that matter, like settings;
  // traces skip it: it costs ~12 ms per 33 MB here and seconds for big files on slow disks).
  bool commit(std::string* error, bool durable = false);
  // Removes the temporary file.
  void abort();

 private:
  bool flush();
  std::string path_, tmp_;
  int fd_ = -1;
  bool ok_ = false;
  int errno_ = 0;
  uint64_t written_ = 0;
  std::unique_ptr<char[]> buf_;
  size_t used_ = 0;
};

// Lower-case extension checks.
bool ends_with_ci(std::string_view s, std::string_view suffix);

}  // namespace vz
