// RFC 6455 WebSocket codec, sans-I/O: frame parser, frame header encoder, handshake key.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace engage::net::ws {

//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-------+-+-------------+-------------------------------+
// |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
// |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
// |N|V|V|V|       |S|             |   (if payload len==126/127)   |
// | |1|2|3|       |K|             |                               |
// +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
// |     Extended payload length continued, if payload len == 127  |
// + - - - - - - - - - - - - - - - +-------------------------------+
// |                               | Masking-key, if MASK set to 1 |
// +-------------------------------+-------------------------------+
// | Masking-key (continued)       |          Payload Data         |
// +-------------------------------- - - - - - - - - - - - - - - - +
enum class Opcode : uint8_t {
  Continuation = 0x0,
  Text = 0x1,
  Binary = 0x2,
  Close = 0x8,
  Ping = 0x9,
  Pong = 0xA,
};

// Close codes the parser reports (RFC 6455 §7.4.1).
constexpr uint16_t kCloseNormal = 1000;
constexpr uint16_t kCloseGoingAway = 1001;
constexpr uint16_t kCloseProtocolError = 1002;
constexpr uint16_t kCloseNoStatus = 1005;  // a close frame without a code (never sent)
constexpr uint16_t kCloseAbnormal = 1006;  // the connection dropped without a close frame
constexpr uint16_t kCloseInvalidData = 1007;
constexpr uint16_t kClosePolicy = 1008;
constexpr uint16_t kCloseTooBig = 1009;

// Receives what the parser finds. Views point into the caller's buffer or the parser's own
// and are valid only during the call.
class FrameSink {
 public:
  virtual ~FrameSink() = default;
  // A whole data message (fragments reassembled; text already validated as UTF-8).
  virtual void on_message(std::string_view data, bool binary) = 0;
  virtual void on_ping(std::string_view payload) = 0;
  virtual void on_pong(std::string_view payload) = 0;
  // The peer's close frame: its code (1005 when it had none) and reason. Parsing stops.
  virtual void on_close(uint16_t code, std::string_view reason) = 0;
};

enum class Role : uint8_t {
  Server,  // parses client frames: every frame must be masked
  Client,  // parses server frames: no frame may be masked (tests, load generator)
};

// Parses a stream of frames. Errors are close codes: 1002 (reserved bits or opcodes, missing or
// unexpected mask, bad fragmentation, control frame too long or fragmented, bad close payload),
// 1007 (text or close reason not UTF-8), 1009 (message larger than max_message_bytes, known
// from the frame header before the payload arrives).
class FrameParser {
 public:
  explicit FrameParser(std::size_t max_message_bytes, Role role = Role::Server)
      : max_message_(max_message_bytes), role_(role) {}

  // Parses `n` bytes at `data`, unmasking them in place, and reports events to `sink`. Returns 0
  // while the stream is fine, else the close code of the first error; after an error or the
  // peer's close frame every later call returns at once (0 after a close, the code after an
  // error). A whole frame inside one call is delivered without copying.
  uint16_t feed(char* data, std::size_t n, FrameSink& sink);

  bool stopped() const { return stopped_; }
  // True when parsing stopped at the peer's close frame (not at an error).
  bool peer_closed() const { return stopped_ && error_ == 0; }
  // Bytes held for a message or control frame that is not complete yet.
  std::size_t buffered() const { return held_ ? held_->msg.size() + held_->ctrl.size() : 0; }

 private:
  uint16_t fail(uint16_t code) {
    stopped_ = true;
    error_ = code;
    return code;
  }
  uint16_t start_frame();  // validates the completed header in hdr_
  uint16_t deliver_control(std::string_view payload, FrameSink& sink);
  uint16_t deliver_message(std::string_view payload, FrameSink& sink);

  std::size_t max_message_;
  Role role_;
  bool stopped_ = false;
  uint16_t error_ = 0;
  bool in_header_ = true;
  bool header_checked_ = false;  // start_frame() ran for the header being collected
  bool fin_ = false;
  bool masked_ = false;
  bool in_message_ = false;  // a fragmented data message has started
  bool message_binary_ = false;
  Opcode opcode_ = Opcode::Continuation;
  uint8_t hdr_len_ = 0;
  uint8_t mask_pos_ = 0;
  uint8_t hdr_[14] = {};
  uint8_t mask_[4] = {};
  uint64_t remaining_ = 0;  // payload bytes of the current frame still to come
  // Bytes held across feeds, allocated only while there are some (an idle connection holds
  // none): the data message being reassembled and a control frame split across feeds.
  struct Held {
    std::string msg;
    std::string ctrl;
  };
  std::unique_ptr<Held> held_;
  Held& held() {
    if (!held_) held_ = std::make_unique<Held>();
    return *held_;
  }
  void release_held() {
    if (held_ && held_->msg.empty() && held_->ctrl.empty()) held_.reset();
  }
};

// Writes the header of an unmasked (server) frame into `out` (at least 10 bytes) and returns its
// length (2, 4 or 10).
std::size_t encode_header(char* out, Opcode op, uint64_t payload_len, bool fin = true);

// Returns a whole unmasked frame (control frames, tests).
std::string encode_frame(Opcode op, std::string_view payload, bool fin = true);

// Returns a whole masked frame as a client sends it (tests, load generator). `rsv` sets the
// reserved bits (tests of the protocol errors).
std::string encode_client_frame(Opcode op, std::string_view payload, uint32_t mask_key,
                                bool fin = true, uint8_t rsv = 0);

// Returns the payload of a close frame: the code in network order, then the reason.
std::string close_payload(uint16_t code, std::string_view reason = {});

// Returns true when `key` (Sec-WebSocket-Key) is the base64 encoding of 16 bytes.
bool valid_client_key(std::string_view key);

// Returns Sec-WebSocket-Accept for `key`: base64(SHA-1(key +
// "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")).
std::string accept_key(std::string_view key);

// Returns true for a close code a peer may send (1000-1003, 1007-1014, 3000-4999).
bool valid_close_code(uint16_t code);

}  // namespace engage::net::ws
