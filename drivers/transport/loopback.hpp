// In-process loopback: two connected endpoints. A device simulator holds one end, the real driver the
// other. Either end can be closed to emulate an unplug; the peer then sees Disconnected.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "drivers/transport/transport.hpp"

namespace kiosk::transport {

class LoopbackEndpoint;

struct LoopbackPair {
  std::shared_ptr<LoopbackEndpoint> host;    // the driver's side
  std::shared_ptr<LoopbackEndpoint> device;  // the simulator's side
};

LoopbackPair make_loopback(std::string name);

class LoopbackEndpoint : public Transport {
 public:
  struct Shared;
  LoopbackEndpoint(std::shared_ptr<Shared> shared, int side, std::string name);
  ~LoopbackEndpoint() override;

  void write(std::span<const std::uint8_t> data, Millis timeout) override;
  std::size_t read(std::span<std::uint8_t> buf, Millis timeout) override;
  void flush_input() override;
  bool connected() const override;
  std::string describe() const override;
  // Wakes this side's blocked read() (returns 0); the peer's reads are not affected.
  void interrupt() override;
  bool interruptible() const override { return true; }

  // Emulates an unplug: both sides see Disconnected from now on (pending bytes are dropped).
  void close();
  // Re-plugs a closed pair (both sides usable again, empty buffers).
  void reopen();

 private:
  std::shared_ptr<Shared> shared_;
  int side_;
  std::string name_;
};

}  // namespace kiosk::transport
