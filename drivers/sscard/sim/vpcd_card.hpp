// Connects a SimCard to vsmartcard-vpcd (the pcscd "Virtual PCD" driver) over TCP, speaking the vpcd
// wire protocol (2-byte big-endian length + payload; 1-byte control: 00 off, 01 on, 02 reset, 04 ATR)
// so that the PC/SC backend runs against the same card model. A C++ replacement for vicc.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "drivers/sscard/sim/card_model.hpp"

namespace kiosk::sscard::sim {

class VpcdCard {
 public:
  VpcdCard(std::shared_ptr<SimCard> card, std::string host = "127.0.0.1", int port = 35963);
  ~VpcdCard();
  // Connects (retrying until timeout) and serves on a thread. Throws SsCardError(Io) on failure.
  void start(std::chrono::milliseconds connect_timeout);
  // Disconnects: pcscd sees the card removed.
  void stop();
  bool connected() const { return fd_ >= 0; }
  int apdus() const { return apdus_; }

 private:
  void serve();
  std::shared_ptr<SimCard> card_;
  std::string host_;
  int port_;
  std::atomic<int> fd_{-1};
  std::atomic<bool> stop_{false};
  std::atomic<int> apdus_{0};
  std::thread thread_;
};

}  // namespace kiosk::sscard::sim
