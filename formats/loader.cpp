#include "formats/loader.h"

#include <cstring>

#include "formats/gzip.h"
#include "formats/io.h"
#include "formats/json_reader.h"
#include "formats/vzt_format.h"
#include "formats/vzt_reader.h"

namespace vz {

std::string_view format_name(Format f) {
  switch (f) {
    case Format::Json: return "json";
    case Format::JsonGz: return "json.gz";
    case Format::Vzt: return "vzt";
    case Format::Unknown: break;
  }
  return "unknown";
}

Format sniff_format(std::string_view head) {
  if (is_gzip(head)) return Format::JsonGz;
  if (vzt::has_magic(head.data(), head.size())) return Format::Vzt;
  return Format::Json;  // the JSON reader explains what is wrong with anything else
}

namespace {

LoadResult finish(LoadResult r, const std::atomic<bool>* cancel) {
  Trace& t = *r.trace;
  r.cancelled = cancel && cancel->load();
  if (t.diagnostics.fatal()) {
    const DiagEntry& e = t.diagnostics.get(DiagKind::NotATrace);
    r.error = e.detail.empty() ? std::string(diag_info(DiagKind::NotATrace).description) : e.detail;
    r.error_offset = e.first_offset;
    r.ok = false;
  }
  return r;
}

}  // namespace

LoadResult load_buffer(std::shared_ptr<const Buffer> buffer, const LoadOptions& options) {
  LoadResult r;
  r.trace = std::make_unique<Trace>();
  r.input_bytes = buffer->size();
  std::string_view head(buffer->data(), std::min<size_t>(buffer->size(), 16));
  r.format = sniff_format(head);
  if (options.progress) options.progress->bytes_total.store(buffer->size(), std::memory_order_relaxed);
  std::shared_ptr<const Buffer> json = buffer;
  if (r.format == Format::JsonGz) {
    if (options.progress) options.progress->phase.store(int(LoadPhase::Inflating));
    auto inflated = gunzip(std::string_view(buffer->data(), buffer->size()), r.trace->diagnostics,
                           options.progress, options.cancel);
    if (!inflated) {
      r.trace->diagnostics.add(DiagKind::NotATrace, 0, "gzip data that inflates to nothing");
      return finish(std::move(r), options.cancel);
    }
    json = inflated;
    if (options.progress) {
      options.progress->bytes_total.store(json->size(), std::memory_order_relaxed);
      options.progress->bytes_done.store(0, std::memory_order_relaxed);
    }
  }
  if (r.format == Format::Vzt) {
    r.ok = read_vzt(buffer, *r.trace, options.progress);
  } else {
    r.ok = read_json(json, *r.trace, options);
  }
  if (options.progress) options.progress->phase.store(int(LoadPhase::Done));
  return finish(std::move(r), options.cancel);
}

LoadResult load_file(const std::string& path, const LoadOptions& options) {
  std::string error;
  auto file = MappedFile::open(path, &error);
  if (!file) {
    LoadResult r;
    r.trace = std::make_unique<Trace>();
    r.error = error;
    r.trace->diagnostics.add(DiagKind::NotATrace, 0, error);
    return r;
  }
  return load_buffer(file, options);
}

LoadResult load_bytes(std::string_view bytes, const LoadOptions& options) {
  auto buf = std::make_shared<AnonBuffer>();
  if (!bytes.empty()) buf->append(bytes.data(), bytes.size());
  else buf->reserve_more(1);
  return load_buffer(buf, options);
}

}  // namespace vz
