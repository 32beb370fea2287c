// --conformance mode handlers: the test-suite server of PROTOCOL.md §4.
#include "app/conformance.h"

#include <memory>
#include <string>

#include "engineio/session.h"

namespace engage::app {

namespace {

// Sends every message back on the same session.
class EchoHandler final : public eio::SessionHandler {
 public:
  explicit EchoHandler(std::weak_ptr<eio::Session> s) : session_(std::move(s)) {}
  void on_message(std::string_view data, bool binary) override {
    auto s = session_.lock();
    if (!s) return;
    if (binary) {
      s->send(std::make_shared<const std::string>(data), true);
      return;
    }
    auto text = std::make_shared<std::string>();
    text->reserve(data.size() + 1);
    text->push_back('4');
    text->append(data);
    s->send(std::move(text), false);
  }
  void on_close(std::string_view) override {}

 private:
  std::weak_ptr<eio::Session> session_;
};

}  // namespace

void install_conformance(sio::Server& io) {
  sio::NamespaceHandlers main;
  main.on_connect = [](const sio::SocketPtr& s) {
    json::Value args = json::Value::array();
    args.push_back(s->handshake().auth);
    s->emit("auth", std::move(args));
  };
  main.on_event = [](const sio::SocketPtr& s, const std::string& event, json::Value args,
                     sio::AckFn ack) {
    if (event == "message") {
      s->emit("message-back", std::move(args));
    } else if (event == "message-with-ack" && ack) {
      ack(std::move(args));
    }
  };
  io.add_namespace("/", std::move(main));

  sio::NamespaceHandlers custom;
  custom.on_connect = [](const sio::SocketPtr& s) {
    json::Value args = json::Value::array();
    args.push_back(s->handshake().auth);
    s->emit("auth", std::move(args));
  };
  io.add_namespace("/custom", std::move(custom));
}

eio::OpenCallback echo_open_callback() {
  return [](const eio::SessionPtr& session, const http::Request&) {
    session->set_handler(std::make_shared<EchoHandler>(session));
  };
}

}  // namespace engage::app
