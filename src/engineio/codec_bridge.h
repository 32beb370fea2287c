// The session's view of the Engine.IO payload codec (engineio/payload.h): polling bodies in and
// out for v4 and v3. Kept to two calls so the session never depends on codec details.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engineio/session.h"

namespace engage::eio::bridge {

struct Encoded {
  std::string body;
  bool binary = false;  // v3 XHR2 binary payload: Content-Type application/octet-stream
};

// Encodes `packets` as one polling response body for `protocol` (4: "\x1e"-joined, binary as
// "b"+base64; 3: length-prefixed, binary as "b4"+base64 when `b64`, else the XHR2 binary
// format whenever a binary packet is present).
Encoded encode_polling(int protocol, bool b64, const std::vector<OutPacket>& packets);

// Decodes a POST body and calls on_packet(type digit, data, binary) for each packet in order,
// stopping early when it returns false. Returns false when the body is malformed (the session
// must then close); packets before the error may already have been delivered.
bool decode_polling(int protocol, bool binary_body, std::string_view body, std::size_t max_payload,
                    const std::function<bool(char, std::string_view, bool)>& on_packet);

}  // namespace engage::eio::bridge
