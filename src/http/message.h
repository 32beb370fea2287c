// HTTP request and response values shared by the server, the router and the application.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace engage::http {

// A parsed HTTP/1.1 request (the parser in net/ produces it; handlers only read it).
struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: path + optional "?query"
  std::string path;    // percent-decoded path without the query
  std::string query;   // raw query string without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string remote_address;  // peer IP (or the trusted proxy's forwarded address)
  std::vector<std::pair<std::string, std::string>> params;  // filled by the router (":roomId")

  // Returns the value of the first header named `lower_name`, or "" when absent.
  std::string_view header(std::string_view lower_name) const;
  // Returns the value of route parameter `name` ("roomId"), or "" when absent.
  std::string_view param(std::string_view name) const;
  // Returns the percent-decoded value of query parameter `name`, or nullopt-like "" + false.
  bool query_param(std::string_view name, std::string& out) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  std::string body;

  static Response json(int status, std::string body) {
    Response r;
    r.status = status;
    r.body = std::move(body);
    return r;
  }
};

// Sends the response for one request. Call exactly once, from any thread.
using Respond = std::function<void(Response)>;
using Handler = std::function<void(const Request&, Respond)>;

}  // namespace engage::http
