// Router: maps method + path pattern ("/api/chess/room/:roomId") to a handler.
#pragma once

#include <string>
#include <vector>

#include "http/message.h"

namespace engage::http {

class Router {
 public:
  // Adds a route. `pattern` segments starting with ':' capture one path segment into
  // Request::params. Routes are matched in the order they were added.
  void add(std::string method, std::string pattern, Handler handler);

  enum class Match { Found, MethodNotAllowed, NotFound };
  // Finds the handler for `req`, filling req.params. Does not call it.
  Match find(Request& req, const Handler** handler) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace engage::http
