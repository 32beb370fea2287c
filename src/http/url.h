// URL helpers shared by the HTTP parser and the router: percent-decoding.
#pragma once

#include <string>
#include <string_view>

namespace engage::http {

// Appends the percent-decoding of `in` to `out` and returns true; returns false on a malformed
// escape ("%zz", a trailing "%4"). With `plus_as_space` ('application/x-www-form-urlencoded'
// query values) '+' decodes to ' '.
bool percent_decode(std::string_view in, std::string& out, bool plus_as_space = false);

}  // namespace engage::http
