// HttpParser: an incremental, sans-I/O HTTP/1.1 request parser (bytes in, requests or errors out).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/message.h"

namespace engage::net {

// The limits the parser enforces; each maps to one HttpOptions field.
struct HttpParserLimits {
  std::size_t max_header_bytes = 16384;  // request line + header lines, CRLFs included → 431
  std::size_t max_headers = 100;         // header lines → 431
  std::size_t max_uri_bytes = 8192;      // request target → 414
  std::size_t max_body_bytes = 1000000;  // Content-Length or the sum of the chunks → 413
};

// A complete request with the framing facts the connection needs.
struct ParsedRequest {
  http::Request request;
  bool keep_alive = true;  // HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with keep-alive
  bool http10 = false;     // the request line said HTTP/1.0
};

// What a feed() call ended with.
enum class ParseStatus : uint8_t {
  NeedMore,  // every byte given was consumed; the request is not complete yet
  Done,      // one request is complete (take() it); bytes after it were not consumed
  Error,     // the request is malformed; error_status() says how to answer; the parser is stuck
};

// Parses requests one at a time.
//
//   request    = *( CRLF ) request-line *( header-line ) CRLF [ body ]
//   request-line = method SP request-target SP "HTTP/1." ( "0" / "1" ) CRLF
//   header-line  = token ":" OWS field-value OWS CRLF   (no obs-fold, no bare LF)
//   body       = Content-Length bytes, or "Transfer-Encoding: chunked" chunks (extensions and
//                trailers accepted and dropped; the decoded size is held to max_body_bytes)
//
// Errors, as the HTTP status to answer with before closing the connection:
//   400 malformed request line, header, chunk or percent-encoding; missing Host in HTTP/1.1;
//       Content-Length together with Transfer-Encoding; conflicting Content-Length values
//   413 body larger than max_body_bytes (known from Content-Length before the body is read)
//   414 request target longer than max_uri_bytes
//   431 header section larger than max_header_bytes, or more than max_headers lines
//   501 unknown method, or a transfer coding other than chunked
//   505 an HTTP version other than 1.0 / 1.1
class HttpParser {
 public:
  explicit HttpParser(const HttpParserLimits& limits) : limits_(limits) {}

  // Consumes bytes of `data` up to the end of the current request and returns what happened;
  // `consumed` is set to the number of bytes used (all of them on NeedMore; on Done the bytes
  // after the request belong to the next one). After Error the parser accepts nothing more.
  ParseStatus feed(std::string_view data, std::size_t& consumed);

  // Returns the completed request (after Done) and resets the parser for the next one.
  ParsedRequest take();

  // The HTTP status describing the error (after Error), e.g. 400 or 431; 0 otherwise.
  int error_status() const { return error_; }
  // A short reason for the error, for logs and the error response body.
  std::string_view error_reason() const { return reason_; }

  // True when some bytes of a request have been consumed but the request is not complete.
  bool in_progress() const { return state_ != State::Start || !head_.empty(); }

  // Returns true once per request when its headers asked for "Expect: 100-continue" and its
  // body is still to come: the caller answers "HTTP/1.1 100 Continue" (as Node does).
  bool take_continue() {
    bool c = continue_;
    continue_ = false;
    return c;
  }

 private:
  enum class State : uint8_t {
    Start,         // skipping CRLFs before a request line
    Head,          // collecting the request line and headers into head_
    Body,          // Content-Length body
    ChunkSize,     // chunk-size line (into line_)
    ChunkData,     // chunk data
    ChunkDataEnd,  // CRLF after chunk data
    Trailer,       // trailer lines up to the empty line (into line_)
    Done,
    Error,
  };

  ParseStatus fail(int status, const char* reason);
  bool parse_head();  // parses head_ into out_; sets the error on failure
  ParseStatus after_head();

  HttpParserLimits limits_;
  State state_ = State::Start;
  int error_ = 0;
  const char* reason_ = "";
  std::string head_;               // request line + headers, raw, up to the blank line
  std::string line_;               // the current chunk-size or trailer line
  std::size_t line_start_ = 0;     // start of the current line in head_
  std::size_t header_lines_ = 0;   // header lines seen so far
  std::size_t remaining_ = 0;      // body bytes (Body) or chunk bytes (ChunkData) still to read
  std::size_t trailer_bytes_ = 0;  // bytes of trailer section seen
  bool chunked_ = false;
  bool continue_ = false;  // 100-continue requested and not yet taken
  ParsedRequest out_;
};

}  // namespace engage::net
