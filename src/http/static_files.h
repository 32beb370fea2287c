// Static files: serves the built web client (web/dist) from memory under /app/.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/expected.h"
#include "http/message.h"
#include "http/router.h"

namespace engage::http {

// Every limit of the static file server, with its default and the reason for it.
struct StaticOptions {
  std::string mount = "/app";                // URL prefix; "/app" redirects to "/app/"
  std::size_t max_file_bytes = 64u << 20;    // a larger file is skipped at load (not served)
  std::size_t max_total_bytes = 256u << 20;  // the whole tree in memory; beyond → load error
  std::size_t max_files = 10000;             // beyond → load error (a wrong root, not a site)
  uint32_t immutable_max_age_s = 31536000;   // one year for content-hashed names
};

// One file held in memory, with its precompressed sibling when the build made one.
struct StaticFile {
  std::string content_type;
  std::string body;
  std::string etag;     // strong ETag of `body`
  std::string gz_body;  // contents of "<name>.gz", empty when there is none
  std::string gz_etag;  // strong ETag of `gz_body`
  bool immutable = false;
};

// The files of one directory tree, read once at start-up. Requests never touch the disk,
// so a path can only name a file that was under the root when it was loaded (no "..", no
// symlink escape).
class StaticFiles {
 public:
  // Reads every regular file under `root_dir` (symlinks followed only when their target is
  // inside the root; "<f>.gz" files become the gzip variant of <f>). Returns an error string
  // when the root is missing, unreadable or beyond the limits.
  static Expected<std::shared_ptr<const StaticFiles>, std::string> load(
      const std::string& root_dir, const StaticOptions& options = {});

  // Builds the response to a GET or HEAD for `req.path` (percent-decoded, under the mount):
  // 301 for the bare mount, 200/206/304/404/416 otherwise. HEAD gets the GET response with its
  // body (the network edge omits the body and keeps its Content-Length). Never throws.
  Response respond(const Request& req) const;

  std::size_t file_count() const { return files_.size(); }
  std::size_t total_bytes() const { return total_bytes_; }
  // Returns the file stored for the relative path `rel` ("index.html"), or nullptr.
  const StaticFile* find(std::string_view rel) const;

 private:
  StaticOptions options_;
  std::map<std::string, StaticFile, std::less<>> files_;
  std::size_t total_bytes_ = 0;
};

// Returns the MIME type (with charset for text) for the extension of `name`.
std::string_view content_type_for(std::string_view name);

// Returns true when the path carries a content hash ("app-5KQ2VJ7M.js",
// "assets-0123abcd/pieces/x.svg"): a directory name or a file stem ending in '-' and at
// least 8 characters that are all [A-Z0-9] (esbuild's hash) or all [0-9a-f] (hex).
bool is_content_hashed(std::string_view rel_path);

// Registers GET and HEAD routes for the mount ("/app", "/app/", "/app/a/b/...", up to 8
// segments deep) that serve `root_dir`. When the tree cannot be loaded the same routes reply
// 503 with the reason in plain text, so a missing build is visible and never fatal.
void install_static(Router& router, const std::string& root_dir, const StaticOptions& options = {});

}  // namespace engage::http
