// Prints APDUs, CCID exchanges and wall time to read EF05 + EF06 (power-on included) with the real
// driver against the card model over loopback, per reader level / card behaviour. Usage: [iterations]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "drivers/sscard/sim/loopback_device.hpp"
#include "drivers/sscard/sscard_app.hpp"

using namespace kiosk::sscard;

namespace {
struct Case {
  const char* name;
  ccid::ExchangeLevel level;
  const char* fixture;
  bool all_records, sfi;
  bool psam;
};

void run(const Case& c, int iterations) {
  sim::CcidDeviceConfig cfg;
  cfg.level = c.level;
  cfg.slots = 2;
  auto model = std::make_shared<sim::CcidDeviceModel>(cfg);
  sim::LoopbackCcidDevice dev(model);
  auto f = sim::load_named_fixture(c.fixture);
  f.read_all_records = c.all_records;
  f.sfi_read = c.sfi;
  model->insert(0, std::make_shared<sim::SsCardModel>(f));
  model->insert(1, std::make_shared<sim::PsamModel>(f.psam_key));
  auto reader = std::make_shared<CcidReader>(dev.host_port());
  CcidTerminal term(reader, 0), psam_term(reader, 1);
  PsamOnTerminal psam(psam_term);
  std::vector<double> ms;
  int apdus = 0, exchanges = 0;
  for (int i = 0; i < iterations; ++i) {
    const int x0 = reader->exchanges();
    const auto t0 = std::chrono::steady_clock::now();
    term.power_on();
    SsCardApp app(term, c.psam ? &psam : nullptr);
    auto card = app.read();
    const auto t1 = std::chrono::steady_clock::now();
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    apdus = app.channel().apdus();
    exchanges = reader->exchanges() - x0;
    card.wipe();
  }
  std::sort(ms.begin(), ms.end());
  std::printf("%-46s APDUs %3d  CCID exchanges %3d  median %7.3f ms  max %7.3f ms\n", c.name, apdus,
              exchanges, ms[ms.size() / 2], ms.back());
}
}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::max(1, std::atoi(argv[1])) : 200;
  std::printf("sscard read (power-on + SELECT SSSE + EF05 + EF06), %d iterations, loopback CCID\n",
              iterations);
  const Case cases[] = {
      {"gen2 T=0, short-APDU reader, all-records", ccid::ExchangeLevel::ShortApdu, "gen2", true, true, false},
      {"gen2 T=0, TPDU reader, all-records", ccid::ExchangeLevel::Tpdu, "gen2", true, true, false},
      {"gen2 T=0, TPDU reader, SFI by identifier", ccid::ExchangeLevel::Tpdu, "gen2", false, true, false},
      {"gen2 T=0, TPDU reader, SELECT EF + by id", ccid::ExchangeLevel::Tpdu, "gen2", false, false, false},
      {"gen3 T=1 (IFSC 16), TPDU reader, PSAM slot", ccid::ExchangeLevel::Tpdu, "gen3", true, true, true},
      {"gen3 T=1, extended-APDU reader, PSAM slot", ccid::ExchangeLevel::ExtendedApdu, "gen3", true, true,
       true},
  };
  for (const auto& c : cases) run(c, iterations);
  return 0;
}
