// HttpParser: requests split at every byte parse the same as whole; every error status.
#include "net/http_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace engage::net {
namespace {

// One parse outcome, flattened for comparison.
struct Outcome {
  int error = 0;  // 0: a request
  std::string method, target, path, query, body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool keep_alive = false;
  bool operator==(const Outcome&) const = default;
};

// Parses `input` fed in the given chunk sizes (the rest in one piece) and returns every
// outcome; stops at the first error.
std::vector<Outcome> parse(std::string_view input, const std::vector<std::size_t>& cuts,
                           HttpParserLimits limits = {}) {
  HttpParser p(limits);
  std::vector<Outcome> out;
  std::vector<std::string_view> pieces;
  std::size_t pos = 0;
  for (std::size_t c : cuts) {
    if (c <= pos || c >= input.size()) continue;
    pieces.push_back(input.substr(pos, c - pos));
    pos = c;
  }
  pieces.push_back(input.substr(pos));
  for (std::string_view piece : pieces) {
    while (true) {
      std::size_t used = 0;
      ParseStatus st = p.feed(piece, used);
      EXPECT_LE(used, piece.size());
      piece.remove_prefix(used);
      if (st == ParseStatus::Error) {
        Outcome o;
        o.error = p.error_status();
        out.push_back(o);
        return out;
      }
      if (st == ParseStatus::NeedMore) {
        EXPECT_TRUE(piece.empty());
        break;
      }
      ParsedRequest r = p.take();
      Outcome o;
      o.method = r.request.method;
      o.target = r.request.target;
      o.path = r.request.path;
      o.query = r.request.query;
      o.body = r.request.body;
      o.headers = r.request.headers;
      o.keep_alive = r.keep_alive;
      out.push_back(o);
      if (piece.empty()) break;
    }
  }
  return out;
}

std::vector<Outcome> parse_whole(std::string_view input, HttpParserLimits limits = {}) {
  return parse(input, {}, limits);
}

// Checks that every two-piece split and the byte-by-byte feed give the whole-input result.
void expect_split_invariant(std::string_view input, HttpParserLimits limits = {}) {
  auto whole = parse_whole(input, limits);
  for (std::size_t k = 1; k < input.size(); ++k)
    ASSERT_EQ(parse(input, {k}, limits), whole) << "split at " << k;
  std::vector<std::size_t> every;
  for (std::size_t k = 1; k < input.size(); ++k) every.push_back(k);
  ASSERT_EQ(parse(input, every, limits), whole) << "byte by byte";
}

TEST(HttpParser, ParsesASimpleGet) {
  auto r = parse_whole("GET /a%20b/c?x=1&y=%41 HTTP/1.1\r\nHost: h\r\nX-Thing:  v  \r\n\r\n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].error, 0);
  EXPECT_EQ(r[0].method, "GET");
  EXPECT_EQ(r[0].target, "/a%20b/c?x=1&y=%41");
  EXPECT_EQ(r[0].path, "/a b/c");
  EXPECT_EQ(r[0].query, "x=1&y=%41");
  EXPECT_TRUE(r[0].keep_alive);
  std::vector<std::pair<std::string, std::string>> h = {{"host", "h"}, {"x-thing", "v"}};
  EXPECT_EQ(r[0].headers, h);
}

TEST(HttpParser, SplitAtEveryByteGivesTheSameRequests) {
  expect_split_invariant(
      "\r\nGET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n"
      "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world"
      "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;name=v\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nTrailer: t\r\n\r\n"
      "GET http://example.com/abs?q HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n");
}

TEST(HttpParser, PipelinedRequestsAreSeparate) {
  auto r = parse_whole(
      "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
      "GET /abs HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
      "GET http://h/x?y HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].body, "abc");
  EXPECT_TRUE(r[0].keep_alive);
  EXPECT_EQ(r[1].path, "/abs");
  EXPECT_TRUE(r[1].keep_alive);  // HTTP/1.0 + keep-alive
  EXPECT_EQ(r[2].path, "/x");
  EXPECT_EQ(r[2].query, "y");
  EXPECT_FALSE(r[2].keep_alive);
  EXPECT_FALSE(parse_whole("GET / HTTP/1.0\r\n\r\n")[0].keep_alive);
}

TEST(HttpParser, DuplicateEqualContentLengthsAreAccepted) {
  auto r =
      parse_whole("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].body, "ok");
}

struct ErrorCase {
  std::string input;
  int status;
};

TEST(HttpParser, ErrorsHaveTheirStatusWholeAndSplit) {
  HttpParserLimits lim;
  lim.max_header_bytes = 300;
  lim.max_headers = 5;
  lim.max_uri_bytes = 50;
  lim.max_body_bytes = 20;
  std::vector<ErrorCase> cases = {
      {"GET / HTTP/1.1\r\nHost: x\r\nX: " + std::string(400, 'a') + "\r\n\r\n", 431},
      {"GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\nE: 1\r\n\r\n", 431},
      {"GET /" + std::string(60, 'u') + " HTTP/1.1\r\nHost: x\r\n\r\n", 414},
      {"GET /" + std::string(600, 'u'), 414},  // known before the line ends
      {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 21\r\n\r\n", 413},
      {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413},
      {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n15\r\n", 413},
      {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n"
       "B\r\n",
       413},
      {"GET / HTTP/1.1\r\n\r\n", 400},  // no Host
      {"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
      {"GET / HTTP/1.1\nHost: x\n\n", 400},  // bare LF
      {"GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nNoColon\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: x\r\nBad: a\x01z\r\n\r\n", 400},
      {"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"GET  HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"GET nohost HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"GET * HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"GET / HTTP/1.1 \r\nHost: x\r\n\r\n", 400},
      {"GET / FOO/1.1\r\nHost: x\r\n\r\n", 400},
      {"G@T / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
      {"VERYLONGMETHODNAMEXX / HTTP/1.1\r\n", 400},
      {"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505},
      {"GET / HTTP/0.9\r\nHost: x\r\n\r\n", 505},
      {"BREW / HTTP/1.1\r\nHost: x\r\n\r\n", 501},
      {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
      {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 2\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
       400},
      {"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n", 400},
      {"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1 x\r\n", 400},
  };
  for (auto& k : cases) {
    auto r = parse_whole(k.input, lim);
    ASSERT_FALSE(r.empty()) << k.input;
    EXPECT_EQ(r.back().error, k.status) << k.input;
    expect_split_invariant(k.input, lim);
  }
}

TEST(HttpParser, NeedsMoreUntilTheRequestIsComplete) {
  HttpParser p({});
  std::size_t used = 0;
  EXPECT_EQ(p.feed("GET / HTTP/1.1\r\nHost: x\r\n", used), ParseStatus::NeedMore);
  EXPECT_TRUE(p.in_progress());
  EXPECT_EQ(p.feed("\r\nGET", used), ParseStatus::Done);
  EXPECT_EQ(used, 2u);  // the next request's bytes are left to the caller
  p.take();
  EXPECT_FALSE(p.in_progress());
  EXPECT_EQ(p.error_status(), 0);
}

TEST(HttpParser, ExpectContinueIsReportedOnceWhenABodyFollows) {
  HttpParser p({});
  std::size_t used = 0;
  EXPECT_EQ(
      p.feed("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\n",
             used),
      ParseStatus::NeedMore);
  EXPECT_TRUE(p.take_continue());
  EXPECT_FALSE(p.take_continue());
  EXPECT_EQ(p.feed("ok", used), ParseStatus::Done);
  p.take();
  EXPECT_EQ(p.feed("GET / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n", used),
            ParseStatus::Done);
  EXPECT_FALSE(p.take_continue());  // no body: nothing to wait for
}

TEST(HttpParser, ErrorIsSticky) {
  HttpParser p({});
  std::size_t used = 0;
  EXPECT_EQ(p.feed("GET / HTTP/9.9\r\nHost: x\r\n\r\n", used), ParseStatus::Error);
  EXPECT_EQ(p.error_status(), 505);
  EXPECT_EQ(p.feed("GET / HTTP/1.1\r\nHost: x\r\n\r\n", used), ParseStatus::Error);
  EXPECT_FALSE(p.error_reason().empty());
}

}  // namespace
}  // namespace engage::net
