// Static files: loads a directory tree into memory and answers GET/HEAD for it.
#include "http/static_files.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>
#include <vector>

namespace engage::http {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kHtmlPolicy =
    "default-src 'self'; script-src 'self' https://www.youtube.com https://s.ytimg.com; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; media-src * blob: data:; "
    "frame-src https://www.youtube.com https://www.youtube-nocookie.com; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'";

// Returns the strong ETag of `data`: FNV-1a 64 of the bytes plus the length, both in hex.
std::string make_etag(std::string_view data) {
  uint64_t h = 1469598103934665603ull;
  for (char c : data) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (int shift = 60; shift >= 0; shift -= 4) out += kHex[(h >> shift) & 0xf];
  out += '-';
  std::string len;
  std::size_t n = data.size();
  do {
    len += kHex[n & 0xf];
    n >>= 4;
  } while (n != 0);
  out.append(len.rbegin(), len.rend());
  out += '"';
  return out;
}

// Reads the whole file at `path` into `out`; returns false on any I/O error.
bool read_file(const fs::path& path, std::size_t size, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.resize(size);
  in.read(out.data(), static_cast<std::streamsize>(size));
  if (static_cast<std::size_t>(in.gcount()) != size) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

// Returns true when an Accept-Encoding value admits gzip (a "gzip", "x-gzip" or "*" token
// whose q is not zero).
bool accepts_gzip(std::string_view header) {
  bool star = false;
  bool gzip_listed = false;
  bool gzip_ok = false;
  while (!header.empty()) {
    std::size_t comma = header.find(',');
    std::string_view item = trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    std::string_view coding = trim(item.substr(0, item.find(';')));
    bool zero = false;
    std::size_t q = item.find(";");
    while (q != std::string_view::npos) {
      std::string_view param = trim(item.substr(q + 1, item.find(';', q + 1) - q - 1));
      if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
        std::string_view v = param.substr(2);
        zero = !v.empty() && v.find_first_not_of("0.") == std::string_view::npos;
      }
      q = item.find(';', q + 1);
    }
    if (iequals(coding, "gzip") || iequals(coding, "x-gzip")) {
      gzip_listed = true;
      gzip_ok = !zero;
    } else if (coding == "*") {
      star = !zero;
    }
  }
  return gzip_listed ? gzip_ok : star;
}

// Returns true when the If-None-Match value `header` names `etag` (weak comparison) or is *.
bool etag_matches(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    std::size_t comma = header.find(',');
    std::string_view tag = trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    if (tag == "*") return true;
    if (tag.size() >= 2 && tag[0] == 'W' && tag[1] == '/') tag.remove_prefix(2);
    std::string_view mine = etag;
    if (mine.size() >= 2 && mine[0] == 'W' && mine[1] == '/') mine.remove_prefix(2);
    if (tag == mine) return true;
  }
  return false;
}

// Parses a decimal number of at most 18 digits; returns false when `s` is not one.
bool parse_size(std::string_view s, std::size_t& out) {
  if (s.empty() || s.size() > 18) return false;
  std::size_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::size_t>(c - '0');
  }
  out = v;
  return true;
}

enum class RangeResult { None, Ok, Unsatisfiable };

// Interprets a single "bytes=" range against `size`. Multiple ranges and malformed values
// are ignored (the whole file is sent), as RFC 9110 allows.
RangeResult parse_range(std::string_view header, std::size_t size, std::size_t& first,
                        std::size_t& last) {
  header = trim(header);
  if (header.size() < 6 || !iequals(header.substr(0, 6), "bytes=")) return RangeResult::None;
  std::string_view spec = trim(header.substr(6));
  if (spec.find(',') != std::string_view::npos) return RangeResult::None;
  std::size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return RangeResult::None;
  std::string_view a = trim(spec.substr(0, dash));
  std::string_view b = trim(spec.substr(dash + 1));
  if (a.empty()) {  // suffix range: the last N bytes
    std::size_t n = 0;
    if (!parse_size(b, n)) return RangeResult::None;
    if (n == 0 || size == 0) return RangeResult::Unsatisfiable;
    first = size - std::min(n, size);
    last = size - 1;
    return RangeResult::Ok;
  }
  std::size_t from = 0;
  if (!parse_size(a, from)) return RangeResult::None;
  std::size_t to = size == 0 ? 0 : size - 1;
  if (!b.empty()) {
    if (!parse_size(b, to)) return RangeResult::None;
    if (to < from) return RangeResult::None;
  }
  if (from >= size) return RangeResult::Unsatisfiable;
  first = from;
  last = std::min(to, size - 1);
  return RangeResult::Ok;
}

Response text_response(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return r;
}

}  // namespace

std::string_view content_type_for(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 22> kTypes{{
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json; charset=utf-8"},
      {".map", "application/json; charset=utf-8"},
      {".webmanifest", "application/manifest+json; charset=utf-8"},
      {".txt", "text/plain; charset=utf-8"},
      {".svg", "image/svg+xml; charset=utf-8"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".webm", "video/webm"},
      {".mp4", "video/mp4"},
      {".mp3", "audio/mpeg"},
      {".wasm", "application/wasm"},
  }};
  std::size_t slash = name.rfind('/');
  std::string_view base = slash == std::string_view::npos ? name : name.substr(slash + 1);
  std::size_t dot = base.rfind('.');
  if (dot != std::string_view::npos) {
    std::string_view ext = base.substr(dot);
    for (const auto& [e, type] : kTypes) {
      if (iequals(e, ext)) return type;
    }
  }
  return "application/octet-stream";
}

bool is_content_hashed(std::string_view rel_path) {
  while (!rel_path.empty()) {
    std::size_t slash = rel_path.find('/');
    std::string_view seg = rel_path.substr(0, slash);
    rel_path = slash == std::string_view::npos ? std::string_view{} : rel_path.substr(slash + 1);
    // A directory segment ends at its end; a file name ends at its first dot.
    std::string_view stem = slash == std::string_view::npos ? seg.substr(0, seg.find('.')) : seg;
    std::size_t dash = stem.rfind('-');
    if (dash == std::string_view::npos) continue;
    std::string_view hash = stem.substr(dash + 1);
    auto upper = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
    auto hex = [](char c) { return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9'); };
    if (hash.size() >= 8 && (std::all_of(hash.begin(), hash.end(), upper) ||
                             std::all_of(hash.begin(), hash.end(), hex)))
      return true;
  }
  return false;
}

Expected<std::shared_ptr<const StaticFiles>, std::string> StaticFiles::load(
    const std::string& root_dir, const StaticOptions& options) {
  std::error_code ec;
  const fs::path root = fs::canonical(fs::path(root_dir), ec);
  if (ec) return Unexpected{"web root " + root_dir + ": " + ec.message()};
  if (!fs::is_directory(root, ec)) return Unexpected{"web root " + root_dir + ": not a directory"};
  const std::string root_prefix = root.string() + "/";

  auto out = std::make_shared<StaticFiles>();
  out->options_ = options;
  std::map<std::string, std::string, std::less<>> gz;  // rel path of the plain file → gz body
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec);
  if (ec) return Unexpected{"web root " + root_dir + ": " + ec.message()};
  std::size_t seen = 0;
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return Unexpected{"web root " + root_dir + ": " + ec.message()};
    if (++seen > options.max_files) return Unexpected{"web root " + root_dir + ": too many files"};
    const fs::directory_entry& entry = *it;
    std::error_code fec;
    if (!entry.is_regular_file(fec)) continue;  // directories, sockets, dangling links
    // A symlinked file is served only when its target lies inside the root.
    fs::path real = fs::canonical(entry.path(), fec);
    if (fec || real.string().compare(0, root_prefix.size(), root_prefix) != 0) continue;
    std::size_t size = static_cast<std::size_t>(fs::file_size(real, fec));
    if (fec || size > options.max_file_bytes) continue;
    if (out->total_bytes_ + size > options.max_total_bytes)
      return Unexpected{"web root " + root_dir + ": larger than max_total_bytes"};
    std::string rel = entry.path().lexically_relative(root).generic_string();
    if (rel.empty() || rel.front() == '.' || rel.find("/.") != std::string::npos) continue;
    std::string body;
    if (!read_file(real, size, body)) return Unexpected{"cannot read " + entry.path().string()};
    out->total_bytes_ += size;
    if (rel.size() > 3 && rel.compare(rel.size() - 3, 3, ".gz") == 0) {
      gz.emplace(rel.substr(0, rel.size() - 3), std::move(body));
      continue;
    }
    StaticFile file;
    file.content_type = std::string(content_type_for(rel));
    file.etag = make_etag(body);
    file.body = std::move(body);
    file.immutable = is_content_hashed(rel);
    out->files_.emplace(std::move(rel), std::move(file));
  }
  for (auto& [rel, body] : gz) {
    auto f = out->files_.find(rel);
    if (f == out->files_.end()) continue;  // a lone .gz is not served
    f->second.gz_etag = make_etag(body);
    f->second.gz_body = std::move(body);
  }
  return std::shared_ptr<const StaticFiles>(std::move(out));
}

const StaticFile* StaticFiles::find(std::string_view rel) const {
  auto it = files_.find(rel);
  return it == files_.end() ? nullptr : &it->second;
}

Response StaticFiles::respond(const Request& req) const {
  // HEAD gets GET's response, body included: the network edge sends only the headers, with
  // the Content-Length of the body it leaves out (RFC 9110 §9.3.2).
  if (req.method != "GET" && req.method != "HEAD") {
    Response r = text_response(405, "Method Not Allowed\n");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  const std::string& mount = options_.mount;
  std::string_view path = req.path;
  if (path == mount) {
    Response r = text_response(301, "Moved Permanently\n");
    std::string location = mount + "/";
    if (!req.query.empty()) location += "?" + req.query;
    r.headers.emplace_back("Location", std::move(location));
    return r;
  }
  if (path.size() <= mount.size() || path.compare(0, mount.size(), mount) != 0 ||
      path[mount.size()] != '/')
    return text_response(404, "Not Found\n");
  std::string rel(path.substr(mount.size() + 1));
  if (rel.empty() || rel.back() == '/') rel += "index.html";
  const StaticFile* file = find(rel);
  if (file == nullptr) return text_response(404, "Not Found\n");

  const bool use_gz = !file->gz_body.empty() && accepts_gzip(req.header("accept-encoding"));
  const std::string& body = use_gz ? file->gz_body : file->body;
  const std::string& etag = use_gz ? file->gz_etag : file->etag;

  Response r;
  r.content_type = file->content_type;
  r.headers.emplace_back("ETag", etag);
  r.headers.emplace_back(
      "Cache-Control",
      file->immutable
          ? "public, max-age=" + std::to_string(options_.immutable_max_age_s) + ", immutable"
          : std::string("no-cache"));
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (!file->gz_body.empty()) r.headers.emplace_back("Vary", "Accept-Encoding");
  if (use_gz) r.headers.emplace_back("Content-Encoding", "gzip");
  if (file->content_type.compare(0, 9, "text/html") == 0)
    r.headers.emplace_back("Content-Security-Policy", std::string(kHtmlPolicy));
  if (!use_gz) r.headers.emplace_back("Accept-Ranges", "bytes");

  std::string_view inm = req.header("if-none-match");
  if (!inm.empty() && etag_matches(inm, etag)) {
    r.status = 304;
    return r;
  }
  std::string_view range = req.header("range");
  std::string_view if_range = req.header("if-range");
  if (!use_gz && !range.empty() && (if_range.empty() || if_range == etag)) {
    std::size_t first = 0;
    std::size_t last = 0;
    switch (parse_range(range, body.size(), first, last)) {
      case RangeResult::None:
        break;
      case RangeResult::Unsatisfiable:
        r.status = 416;
        r.headers.emplace_back("Content-Range", "bytes */" + std::to_string(body.size()));
        return r;
      case RangeResult::Ok:
        r.status = 206;
        r.headers.emplace_back("Content-Range", "bytes " + std::to_string(first) + "-" +
                                                    std::to_string(last) + "/" +
                                                    std::to_string(body.size()));
        r.body = body.substr(first, last - first + 1);
        return r;
    }
  }
  r.body = body;
  return r;
}

void install_static(Router& router, const std::string& root_dir, const StaticOptions& options) {
  auto loaded = StaticFiles::load(root_dir, options);
  Handler handler;
  if (loaded) {
    std::shared_ptr<const StaticFiles> files = std::move(loaded).value();
    handler = [files](const Request& req, Respond respond) { respond(files->respond(req)); };
  } else {
    std::string reason = "web client unavailable: " + loaded.error() + " (run `make web`)\n";
    handler = [reason](const Request&, Respond respond) { respond(text_response(503, reason)); };
  }
  std::vector<std::string> patterns{options.mount, options.mount + "/"};
  std::string deeper = options.mount;
  for (int depth = 1; depth <= 8; ++depth) {
    deeper += "/:p" + std::to_string(depth);
    patterns.push_back(deeper);
  }
  for (const std::string& pattern : patterns) {
    router.add("GET", pattern, handler);
    router.add("HEAD", pattern, handler);
  }
}

}  // namespace engage::http
