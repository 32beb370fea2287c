// Unit tests of the load generator's HTTP response-head parser and request writers.
#include "http_client.h"

#include <gtest/gtest.h>

namespace engage::load {
namespace {

TEST(ResponseHead, ParsesAnUpgradeSplitAtEveryByte) {
  const std::string resp =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n\x81\x02hi";
  const std::size_t head_len = resp.find("\r\n\r\n") + 4;
  for (std::size_t cut = 0; cut < head_len; ++cut) {
    ResponseHead h;
    EXPECT_EQ(parse_response_head(std::string_view(resp).substr(0, cut), h), HeadResult::Incomplete)
        << cut;
  }
  ResponseHead h;
  ASSERT_EQ(parse_response_head(resp, h), HeadResult::Ok);
  EXPECT_EQ(h.status, 101);
  EXPECT_EQ(h.head_bytes, head_len);
  EXPECT_EQ(h.websocket_accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_EQ(h.content_length, -1);
}

TEST(ResponseHead, ReadsFramingHeadersCaseInsensitively) {
  ResponseHead h;
  ASSERT_EQ(
      parse_response_head("HTTP/1.1 200 OK\r\ncontent-LENGTH: 12\r\nConnection: close\r\n\r\n", h),
      HeadResult::Ok);
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.content_length, 12);
  EXPECT_TRUE(h.connection_close);
  ASSERT_EQ(parse_response_head("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", h),
            HeadResult::Ok);
  EXPECT_TRUE(h.chunked);
  EXPECT_FALSE(h.connection_close);
}

TEST(ResponseHead, RejectsMalformedHeads) {
  ResponseHead h;
  EXPECT_EQ(parse_response_head("HTTP/2 200 OK\r\n\r\n", h), HeadResult::Bad);
  EXPECT_EQ(parse_response_head("HTTP/1.1 2x0 OK\r\n\r\n", h), HeadResult::Bad);
  EXPECT_EQ(parse_response_head("HTTP/1.1 200 OK\r\nno colon\r\n\r\n", h), HeadResult::Bad);
  EXPECT_EQ(parse_response_head("HTTP/1.1 200 OK\r\nContent-Length: -3\r\n\r\n", h),
            HeadResult::Bad);
  EXPECT_EQ(parse_response_head(std::string(20000, 'a'), h, 16384), HeadResult::Bad);
}

TEST(Requests, UpgradeAndPollingRequestsAreWellFormed) {
  std::string out;
  write_upgrade_request(out, "127.0.0.1:3002", "/socket.io/?EIO=4&transport=websocket",
                        "dGhlIHNhbXBsZSBub25jZQ==");
  EXPECT_EQ(
      out.rfind("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:3002\r\n",
                0),
      0u);
  EXPECT_NE(out.find("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"), std::string::npos);
  EXPECT_EQ(out.substr(out.size() - 4), "\r\n\r\n");
  out.clear();
  write_post_request(out, "h:1", "/x", "40");
  EXPECT_NE(out.find("Content-Length: 2\r\n\r\n40"), std::string::npos);
}

}  // namespace
}  // namespace engage::load
