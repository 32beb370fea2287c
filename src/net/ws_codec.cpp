// RFC 6455 codec implementation: header state machine, in-place unmasking, reassembly.
#include "net/ws_codec.h"

#include <openssl/sha.h>

#include <algorithm>
#include <cstring>

#include "core/base64.h"
#include "core/utf8.h"

namespace engage::net::ws {

namespace {

bool is_control(Opcode op) {
  return (static_cast<uint8_t>(op) & 0x8) != 0;
}

bool known_opcode(uint8_t op) {
  return op <= 2 || (op >= 8 && op <= 10);
}

// Unmasks `n` bytes in place; `pos` is the mask offset of data[0] and is advanced.
void unmask(char* data, std::size_t n, const uint8_t mask[4], uint8_t& pos) {
  std::size_t i = 0;
  // Align to the mask, then 8 bytes at a time.
  while (i < n && pos != 0) {
    data[i] = static_cast<char>(static_cast<uint8_t>(data[i]) ^ mask[pos]);
    pos = static_cast<uint8_t>((pos + 1) & 3);
    ++i;
  }
  if (n - i >= 8) {
    uint64_t m8 = 0;
    uint8_t bytes[8];
    for (int k = 0; k < 8; ++k) bytes[k] = mask[k & 3];
    std::memcpy(&m8, bytes, 8);
    for (; n - i >= 8; i += 8) {
      uint64_t w;
      std::memcpy(&w, data + i, 8);
      w ^= m8;
      std::memcpy(data + i, &w, 8);
    }
  }
  for (; i < n; ++i) {
    data[i] = static_cast<char>(static_cast<uint8_t>(data[i]) ^ mask[pos]);
    pos = static_cast<uint8_t>((pos + 1) & 3);
  }
}

}  // namespace

bool valid_close_code(uint16_t code) {
  if (code >= 1000 && code <= 1003) return true;
  if (code >= 1007 && code <= 1014) return true;
  return code >= 3000 && code <= 4999;
}

uint16_t FrameParser::feed(char* data, std::size_t n, FrameSink& sink) {
  if (stopped_) return error_;
  std::size_t i = 0;
  while (!stopped_) {
    if (in_header_) {
      // The first two bytes decide the rest of the header: check them before waiting for it.
      while (hdr_len_ < 2 && i < n) hdr_[hdr_len_++] = static_cast<uint8_t>(data[i++]);
      if (hdr_len_ < 2) return 0;
      if (!header_checked_) {
        if (uint16_t e = start_frame()) return e;
        header_checked_ = true;
      }
      uint8_t len7 = hdr_[1] & 0x7f;
      std::size_t ext = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
      std::size_t need = 2 + ext + (masked_ ? 4 : 0);
      while (hdr_len_ < need && i < n) hdr_[hdr_len_++] = static_cast<uint8_t>(data[i++]);
      if (hdr_len_ < need) return 0;
      uint64_t len = len7;
      if (ext == 2) {
        len = (uint64_t{hdr_[2]} << 8) | hdr_[3];
      } else if (ext == 8) {
        len = 0;
        for (int k = 0; k < 8; ++k) len = (len << 8) | hdr_[2 + k];
        if (len >> 63) return fail(kCloseProtocolError);
      }
      if (masked_) std::memcpy(mask_, hdr_ + 2 + ext, 4);
      const std::size_t held_msg = held_ ? held_->msg.size() : 0;
      if (!is_control(opcode_) && (len > max_message_ || held_msg + len > max_message_))
        return fail(kCloseTooBig);
      remaining_ = len;
      mask_pos_ = 0;
      hdr_len_ = 0;
      header_checked_ = false;
      in_header_ = false;
    }
    // Payload: everything available up to the end of the frame.
    std::size_t take = static_cast<std::size_t>(std::min<uint64_t>(remaining_, n - i));
    if (masked_ && take > 0) unmask(data + i, take, mask_, mask_pos_);
    std::string_view chunk(data + i, take);
    i += take;
    remaining_ -= take;
    bool frame_done = remaining_ == 0;
    if (is_control(opcode_)) {
      if (frame_done && (!held_ || held_->ctrl.empty())) {
        in_header_ = true;
        if (uint16_t e = deliver_control(chunk, sink)) return e;
      } else {
        held().ctrl.append(chunk);
        if (frame_done) {
          in_header_ = true;
          std::string payload = std::move(held_->ctrl);
          held_->ctrl = std::string();
          release_held();
          if (uint16_t e = deliver_control(payload, sink)) return e;
        }
      }
    } else if (frame_done && fin_ && (!held_ || held_->msg.empty())) {
      // A whole message inside this buffer: delivered without a copy.
      in_header_ = true;
      in_message_ = false;
      release_held();  // empty fragments before this one may have left an empty holder
      if (uint16_t e = deliver_message(chunk, sink)) return e;
    } else {
      held().msg.append(chunk);
      if (frame_done) {
        in_header_ = true;
        if (fin_) {
          std::string message = std::move(held_->msg);
          held_->msg = std::string();
          release_held();
          in_message_ = false;
          if (uint16_t e = deliver_message(message, sink)) return e;
        }
      }
    }
    if (!frame_done) return 0;  // all input consumed, the frame continues in the next feed
  }
  return error_;
}

uint16_t FrameParser::start_frame() {
  uint8_t b0 = hdr_[0], b1 = hdr_[1];
  fin_ = (b0 & 0x80) != 0;
  if (b0 & 0x70) return fail(kCloseProtocolError);  // no extension negotiated
  uint8_t op = b0 & 0x0f;
  if (!known_opcode(op)) return fail(kCloseProtocolError);
  opcode_ = static_cast<Opcode>(op);
  masked_ = (b1 & 0x80) != 0;
  if (masked_ != (role_ == Role::Server)) return fail(kCloseProtocolError);
  uint8_t len7 = b1 & 0x7f;
  if (is_control(opcode_)) {
    if (!fin_ || len7 > 125) return fail(kCloseProtocolError);
  } else if (opcode_ == Opcode::Continuation) {
    if (!in_message_) return fail(kCloseProtocolError);
  } else if (in_message_) {
    return fail(kCloseProtocolError);  // a new message inside a fragmented one
  } else {
    // The first frame of a message: remember its type for the continuation frames.
    in_message_ = !fin_;
    message_binary_ = opcode_ == Opcode::Binary;
  }
  return 0;
}

uint16_t FrameParser::deliver_control(std::string_view payload, FrameSink& sink) {
  switch (opcode_) {
    case Opcode::Ping:
      sink.on_ping(payload);
      return 0;
    case Opcode::Pong:
      sink.on_pong(payload);
      return 0;
    default:
      break;
  }
  // Close.
  if (payload.size() == 1) return fail(kCloseProtocolError);
  uint16_t code = kCloseNoStatus;
  std::string_view reason;
  if (payload.size() >= 2) {
    code = static_cast<uint16_t>((static_cast<uint8_t>(payload[0]) << 8) |
                                 static_cast<uint8_t>(payload[1]));
    if (!valid_close_code(code)) return fail(kCloseProtocolError);
    reason = payload.substr(2);
    if (!utf8::valid_utf8(reason)) return fail(kCloseInvalidData);
  }
  stopped_ = true;
  sink.on_close(code, reason);
  return 0;
}

uint16_t FrameParser::deliver_message(std::string_view payload, FrameSink& sink) {
  if (!message_binary_ && !utf8::valid_utf8(payload)) return fail(kCloseInvalidData);
  sink.on_message(payload, message_binary_);
  return 0;
}

std::size_t encode_header(char* out, Opcode op, uint64_t payload_len, bool fin) {
  out[0] = static_cast<char>((fin ? 0x80 : 0) | static_cast<uint8_t>(op));
  if (payload_len < 126) {
    out[1] = static_cast<char>(payload_len);
    return 2;
  }
  if (payload_len <= 0xffff) {
    out[1] = 126;
    out[2] = static_cast<char>(payload_len >> 8);
    out[3] = static_cast<char>(payload_len & 0xff);
    return 4;
  }
  out[1] = 127;
  for (int k = 0; k < 8; ++k) out[2 + k] = static_cast<char>((payload_len >> (56 - 8 * k)) & 0xff);
  return 10;
}

std::string encode_frame(Opcode op, std::string_view payload, bool fin) {
  char hdr[10];
  std::size_t h = encode_header(hdr, op, payload.size(), fin);
  std::string out(hdr, h);
  out.append(payload);
  return out;
}

std::string encode_client_frame(Opcode op, std::string_view payload, uint32_t mask_key, bool fin,
                                uint8_t rsv) {
  char hdr[10];
  std::size_t h = encode_header(hdr, op, payload.size(), fin);
  hdr[0] = static_cast<char>(static_cast<uint8_t>(hdr[0]) | ((rsv & 7) << 4));
  hdr[1] = static_cast<char>(static_cast<uint8_t>(hdr[1]) | 0x80);
  std::string out(hdr, h);
  uint8_t mask[4] = {static_cast<uint8_t>(mask_key >> 24), static_cast<uint8_t>(mask_key >> 16),
                     static_cast<uint8_t>(mask_key >> 8), static_cast<uint8_t>(mask_key)};
  out.append(reinterpret_cast<const char*>(mask), 4);
  std::size_t start = out.size();
  out.append(payload);
  uint8_t pos = 0;
  unmask(out.data() + start, payload.size(), mask, pos);
  return out;
}

std::string close_payload(uint16_t code, std::string_view reason) {
  std::string out;
  out.push_back(static_cast<char>(code >> 8));
  out.push_back(static_cast<char>(code & 0xff));
  out.append(reason);
  return out;
}

bool valid_client_key(std::string_view key) {
  if (key.size() != 24) return false;
  auto decoded = base64::decode(key);
  return decoded && decoded->size() == 16;
}

std::string accept_key(std::string_view key) {
  static constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::string input;
  input.reserve(key.size() + kGuid.size());
  input.append(key);
  input.append(kGuid);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  return base64::encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

}  // namespace engage::net::ws
