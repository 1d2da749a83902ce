// Test-only stand-in for the kiosk process in the crash test: submits a certification through the
// Submitter (durable outbox first, then live send), prints "ENQUEUED <key>" and then is killed -9
// by the test before (or while) the platform answers.
//   outbox_crash_helper <db> <keyfile> <platform-url> <mode: send|hold>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <thread>

#include "kiosk/core/mask.hpp"
#include "kiosk/platform/curl_client.hpp"
#include "kiosk/platform/messages.hpp"
#include "kiosk/platform/outbox_sender.hpp"

using namespace kiosk::platform;

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: outbox_crash_helper DB KEYFILE URL send|hold\n");
    return 2;
  }
  kiosk::store::Store store({argv[1], argv[2]});
  ClientConfig cfg;
  cfg.base_url = argv[3];
  cfg.production = false;
  cfg.terminal_id = "T-CRASH-01";
  cfg.total_timeout = std::chrono::milliseconds(30000);
  CurlPlatformClient client(cfg);
  CertificationSubmitRequest c;
  c.item_code = "RS-001";
  c.id_number = "440305195906300070";
  c.name = "孙国华";
  c.insured_region = "440300";
  c.face_image_base64 = "/9j/4AAQSkZJRgABAQ==";
  c.face_quality = 0.9;
  c.liveness = {true, 0.95, {"nod", "open_mouth"}};
  auto req = make_request(Endpoint::CertificationSubmit, cfg.terminal_id, c);
  const std::string key = req.idempotency_key;
  const std::string label =
      "certification " + kiosk::core::mask_name(c.name) + " " + kiosk::core::mask_id(c.id_number);
  if (std::string(argv[4]) == "hold") {
    // Durable enqueue only; die before any send.
    store.enqueue(info(req.endpoint).name, key, encode_request(req), label);
    std::printf("ENQUEUED %s\n", key.c_str());
    std::fflush(stdout);
  } else {
    Submitter submitter(client, &store);
    submitter.submit(std::move(req), true, label, [](SubmitOutcome) {});
    // The outbox row is committed before submit() returns.
    std::printf("ENQUEUED %s\n", key.c_str());
    std::fflush(stdout);
  }
  for (;;) ::pause();  // wait for SIGKILL
}
