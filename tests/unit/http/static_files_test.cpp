// Tests of the static file server: paths, content types, caching, compression, ranges.
#include "http/static_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace engage::http {
namespace {

namespace fs = std::filesystem;

// A scratch directory tree, removed when the test ends.
class TempTree {
 public:
  TempTree() {
    std::random_device rd;
    root_ = fs::temp_directory_path() /
            ("engage-static-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(root_ / "site");
  }
  ~TempTree() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;

  // Writes `content` to site/<rel>, creating directories.
  void write(const std::string& rel, const std::string& content) const {
    fs::path p = site() / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }
  fs::path site() const { return root_ / "site"; }
  fs::path outside() const { return root_; }

 private:
  fs::path root_;
};

Request get(std::string path, std::vector<std::pair<std::string, std::string>> headers = {}) {
  Request r;
  r.method = "GET";
  r.target = path;
  r.path = std::move(path);
  r.headers = std::move(headers);
  return r;
}

std::string header_of(const Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "<absent>";
}

std::shared_ptr<const StaticFiles> load_ok(const TempTree& t, const StaticOptions& o = {}) {
  auto loaded = StaticFiles::load(t.site().string(), o);
  EXPECT_TRUE(loaded.has_value()) << (loaded ? "" : loaded.error());
  return loaded ? loaded.value() : nullptr;
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tree_.write("index.html", "<!doctype html><title>engage</title>");
    tree_.write("app-5KQ2VJ7M.js", "console.log('hello from the app bundle');");
    tree_.write("app-5KQ2VJ7M.js.gz", "GZIPPED-BYTES");
    tree_.write("assets-0123abcd45/pieces/standard.svg", "<svg/>");
    tree_.write("media/sample.webm", "0123456789");
    tree_.write(".hidden", "secret");
    files_ = load_ok(tree_);
    ASSERT_NE(files_, nullptr);
  }
  TempTree tree_;
  std::shared_ptr<const StaticFiles> files_;
};

TEST_F(StaticFilesTest, ServesIndexForTheMountWithNoCacheAndCsp) {
  Response r = files_->respond(get("/app/"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "<!doctype html><title>engage</title>");
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(header_of(r, "Cache-Control"), "no-cache");
  EXPECT_NE(header_of(r, "Content-Security-Policy").find("default-src 'self'"), std::string::npos);
  EXPECT_EQ(header_of(r, "ETag").front(), '"');
  EXPECT_EQ(header_of(r, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(files_->respond(get("/app/index.html")).body, r.body);
}

TEST_F(StaticFilesTest, RedirectsTheBareMountKeepingTheQuery) {
  Request req = get("/app");
  req.query = "x=1";
  Response r = files_->respond(req);
  EXPECT_EQ(r.status, 301);
  EXPECT_EQ(header_of(r, "Location"), "/app/?x=1");
  EXPECT_EQ(header_of(files_->respond(get("/app")), "Location"), "/app/");
}

TEST_F(StaticFilesTest, HashedAssetsAreImmutableWithTheirContentType) {
  Response r = files_->respond(get("/app/assets-0123abcd45/pieces/standard.svg"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "image/svg+xml; charset=utf-8");
  EXPECT_EQ(header_of(r, "Cache-Control"), "public, max-age=31536000, immutable");
  Response media = files_->respond(get("/app/media/sample.webm"));
  EXPECT_EQ(media.content_type, "video/webm");
  EXPECT_EQ(header_of(media, "Cache-Control"), "no-cache");
}

TEST_F(StaticFilesTest, ServesTheGzipSiblingOnlyWhenAccepted) {
  Response plain = files_->respond(get("/app/app-5KQ2VJ7M.js"));
  EXPECT_EQ(plain.body, "console.log('hello from the app bundle');");
  EXPECT_EQ(plain.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(header_of(plain, "Content-Encoding"), "<absent>");
  EXPECT_EQ(header_of(plain, "Vary"), "Accept-Encoding");

  Response gz = files_->respond(get("/app/app-5KQ2VJ7M.js", {{"accept-encoding", "br, gzip"}}));
  EXPECT_EQ(gz.body, "GZIPPED-BYTES");
  EXPECT_EQ(gz.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(header_of(gz, "Content-Encoding"), "gzip");
  EXPECT_EQ(header_of(gz, "Vary"), "Accept-Encoding");
  EXPECT_NE(header_of(gz, "ETag"), header_of(plain, "ETag"));

  Response refused =
      files_->respond(get("/app/app-5KQ2VJ7M.js", {{"accept-encoding", "gzip;q=0, *"}}));
  EXPECT_EQ(header_of(refused, "Content-Encoding"), "<absent>");
  Response star = files_->respond(get("/app/app-5KQ2VJ7M.js", {{"accept-encoding", "*"}}));
  EXPECT_EQ(header_of(star, "Content-Encoding"), "gzip");
  // The .gz file is a variant, not a resource of its own; a file without one has no Vary.
  EXPECT_EQ(files_->respond(get("/app/app-5KQ2VJ7M.js.gz")).status, 404);
  EXPECT_EQ(header_of(files_->respond(get("/app/")), "Vary"), "<absent>");
}

TEST_F(StaticFilesTest, AnswersIfNoneMatchWith304) {
  Response first = files_->respond(get("/app/index.html"));
  std::string etag = header_of(first, "ETag");
  Response again = files_->respond(get("/app/index.html", {{"if-none-match", etag}}));
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(header_of(again, "ETag"), etag);
  EXPECT_EQ(files_->respond(get("/app/index.html", {{"if-none-match", "\"x\", W/" + etag}})).status,
            304);
  EXPECT_EQ(files_->respond(get("/app/index.html", {{"if-none-match", "*"}})).status, 304);
  EXPECT_EQ(files_->respond(get("/app/index.html", {{"if-none-match", "\"other\""}})).status, 200);
}

TEST_F(StaticFilesTest, ServesSingleByteRanges) {
  Response mid = files_->respond(get("/app/media/sample.webm", {{"range", "bytes=2-4"}}));
  EXPECT_EQ(mid.status, 206);
  EXPECT_EQ(mid.body, "234");
  EXPECT_EQ(header_of(mid, "Content-Range"), "bytes 2-4/10");
  EXPECT_EQ(header_of(mid, "Accept-Ranges"), "bytes");

  EXPECT_EQ(files_->respond(get("/app/media/sample.webm", {{"range", "bytes=-3"}})).body, "789");
  EXPECT_EQ(files_->respond(get("/app/media/sample.webm", {{"range", "bytes=7-"}})).body, "789");
  EXPECT_EQ(files_->respond(get("/app/media/sample.webm", {{"range", "bytes=8-100"}})).body, "89");

  Response beyond = files_->respond(get("/app/media/sample.webm", {{"range", "bytes=10-"}}));
  EXPECT_EQ(beyond.status, 416);
  EXPECT_EQ(header_of(beyond, "Content-Range"), "bytes */10");

  for (const char* ignored : {"bytes=0-1,3-4", "bytes=x-1", "items=0-1", "bytes=5-2"}) {
    Response r = files_->respond(get("/app/media/sample.webm", {{"range", ignored}}));
    EXPECT_EQ(r.status, 200) << ignored;
    EXPECT_EQ(r.body, "0123456789") << ignored;
  }
  Response stale = files_->respond(
      get("/app/media/sample.webm", {{"range", "bytes=0-1"}, {"if-range", "\"old\""}}));
  EXPECT_EQ(stale.status, 200);
}

TEST_F(StaticFilesTest, HeadGetsTheResponseOfGetForTheEdgeToStrip) {
  Request req = get("/app/app-5KQ2VJ7M.js");
  req.method = "HEAD";
  Response head = files_->respond(req);
  Response full = files_->respond(get("/app/app-5KQ2VJ7M.js"));
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, full.body);  // so that the edge computes GET's Content-Length
  EXPECT_EQ(head.headers, full.headers);
  EXPECT_EQ(head.content_type, full.content_type);
}

TEST_F(StaticFilesTest, RejectsOtherMethods) {
  Request req = get("/app/");
  req.method = "POST";
  Response r = files_->respond(req);
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(header_of(r, "Allow"), "GET, HEAD");
}

TEST_F(StaticFilesTest, NeverLeavesTheTreeOrShowsDotFiles) {
  tree_.write("../secret.txt", "top secret");
  for (const char* path : {"/app/../secret.txt", "/app/./index.html", "/app//index.html",
                           "/app/.hidden", "/app/missing.js", "/app/media", "/appx/index.html", "/",
                           "/app/media/../../secret.txt", "/app/\\..\\secret.txt"}) {
    Response r = files_->respond(get(path));
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.body.find("secret"), std::string::npos) << path;
  }
}

TEST(StaticFilesLoad, FollowsSymlinksOnlyInsideTheRoot) {
  TempTree t;
  t.write("inside.txt", "inside");
  std::ofstream(t.outside() / "outside.txt") << "outside";
  fs::create_symlink(t.outside() / "outside.txt", t.site() / "escape.txt");
  fs::create_symlink(t.outside(), t.site() / "up");
  fs::create_symlink(t.site() / "inside.txt", t.site() / "alias.txt");
  auto files = load_ok(t);
  ASSERT_NE(files, nullptr);
  EXPECT_EQ(files->respond(get("/app/escape.txt")).status, 404);
  EXPECT_EQ(files->respond(get("/app/up/outside.txt")).status, 404);
  EXPECT_EQ(files->respond(get("/app/alias.txt")).body, "inside");
  EXPECT_EQ(files->file_count(), 2u);
}

TEST(StaticFilesLoad, ReportsAMissingRootAndTheLimits) {
  auto missing = StaticFiles::load("/nonexistent/engage/web/dist");
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().find("/nonexistent/engage/web/dist"), std::string::npos);

  TempTree t;
  t.write("small.txt", "1234");
  t.write("big.txt", std::string(100, 'x'));
  StaticOptions skip_big;
  skip_big.max_file_bytes = 50;
  auto files = load_ok(t, skip_big);
  ASSERT_NE(files, nullptr);
  EXPECT_EQ(files->respond(get("/app/small.txt")).status, 200);
  EXPECT_EQ(files->respond(get("/app/big.txt")).status, 404);

  StaticOptions tiny_total;
  tiny_total.max_total_bytes = 50;
  EXPECT_FALSE(StaticFiles::load(t.site().string(), tiny_total).has_value());
  StaticOptions few_files;
  few_files.max_files = 1;
  EXPECT_FALSE(StaticFiles::load(t.site().string(), few_files).has_value());
}

TEST(StaticFilesLoad, HonoursAnotherMount) {
  TempTree t;
  t.write("index.html", "hi");
  StaticOptions o;
  o.mount = "/web";
  auto files = load_ok(t, o);
  ASSERT_NE(files, nullptr);
  EXPECT_EQ(files->respond(get("/web/")).body, "hi");
  EXPECT_EQ(files->respond(get("/app/")).status, 404);
}

TEST(InstallStatic, RoutesGetAndHeadAtEveryDepthOfTheMount) {
  TempTree t;
  t.write("index.html", "home");
  t.write("assets-0123abcd45/extensions/markers/markers.svg", "<svg id=m/>");
  Router router;
  install_static(router, t.site().string());
  for (const auto& [method, path, status, body] :
       std::vector<std::tuple<std::string, std::string, int, std::string>>{
           {"GET", "/app/", 200, "home"},
           {"HEAD", "/app/", 200, "home"},
           {"GET", "/app", 301, "Moved Permanently\n"},
           {"GET", "/app/assets-0123abcd45/extensions/markers/markers.svg", 200, "<svg id=m/>"},
           {"GET", "/app/nope.js", 404, "Not Found\n"}}) {
    Request req = get(path);
    req.method = method;
    const Handler* handler = nullptr;
    ASSERT_EQ(router.find(req, &handler), Router::Match::Found) << method << " " << path;
    Response got;
    (*handler)(req, [&got](Response r) { got = std::move(r); });
    EXPECT_EQ(got.status, status) << path;
    EXPECT_EQ(got.body, body) << path;
  }
}

TEST(InstallStatic, RepliesServiceUnavailableWhenTheClientIsNotBuilt) {
  Router router;
  install_static(router, "/nonexistent/engage/web/dist");
  Request req = get("/app/");
  const Handler* handler = nullptr;
  ASSERT_EQ(router.find(req, &handler), Router::Match::Found);
  Response got;
  (*handler)(req, [&got](Response r) { got = std::move(r); });
  EXPECT_EQ(got.status, 503);
  EXPECT_NE(got.body.find("make web"), std::string::npos);
}

TEST(StaticFilesNames, KnowsContentHashedNames) {
  EXPECT_TRUE(is_content_hashed("app-5KQ2VJ7M.js"));
  EXPECT_TRUE(is_content_hashed("app-ABCDEFGH.css"));
  EXPECT_TRUE(is_content_hashed("assets-0123abcd45/extensions/markers/markers.svg"));
  EXPECT_FALSE(is_content_hashed("index.html"));
  EXPECT_FALSE(is_content_hashed("media/sample.webm"));
  EXPECT_FALSE(is_content_hashed("promotion-dialog.css"));
  EXPECT_FALSE(is_content_hashed("cm-chessboard-extension.js"));
  EXPECT_FALSE(is_content_hashed("app-5KQ2.js"));
  EXPECT_FALSE(is_content_hashed("app-5kq2vj7m.js"));  // mixed: neither esbuild nor hex
}

TEST(StaticFilesNames, MapsExtensionsToContentTypes) {
  EXPECT_EQ(content_type_for("a/b/index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("x.JS"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("x.css"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("x.webm"), "video/webm");
  EXPECT_EQ(content_type_for("x.woff2"), "font/woff2");
  EXPECT_EQ(content_type_for("noext"), "application/octet-stream");
  EXPECT_EQ(content_type_for("dir.d/noext"), "application/octet-stream");
}

}  // namespace
}  // namespace engage::http
