// The load generator's fast path over Socket.IO v5 text packets: emitting an event whose
// payload is already JSON text, and peeking at a received packet's namespace and event name
// without parsing it (so ignored events cost nothing). Full decoding is socketio/packet.h's.
#pragma once

#include <string>
#include <string_view>

namespace engage::load {

// Appends the Engine.IO message of a Socket.IO EVENT to `out`:
// `42<nsp,>["<event>"<,payload>]` (no namespace part for "/"). `payload_json` must be valid JSON
// or empty (no argument, like socket.emit('create_chess_room')).
void append_event(std::string& out, std::string_view nsp, std::string_view event,
                  std::string_view payload_json);
// Appends the Engine.IO message of a Socket.IO CONNECT with an auth object (`40<nsp,>{...}`).
void append_connect(std::string& out, std::string_view nsp, std::string_view auth_json);

// A received Socket.IO packet (the Engine.IO `4` already removed), viewing the input.
struct SioPacket {
  char type = 0;          // '0'..'6'
  std::string_view nsp;   // "/" when absent
  std::string_view data;  // the JSON text after the namespace and ack id (may be empty)
};

// Splits a Socket.IO packet header. Returns false for an unknown type or a binary packet (the
// load scenarios never receive binary).
bool split_packet(std::string_view text, SioPacket& out);

// Returns the event name of an EVENT's data (`["name",...]`) without parsing the rest; empty
// when the name is not a plain string literal (escapes) or the data is not an event array.
std::string_view event_name(std::string_view data);

}  // namespace engage::load
