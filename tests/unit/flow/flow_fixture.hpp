// A Session with the shipped catalog and flows, driven like a resident: taps with the clock advancing,
// events in, the last step's effects kept for checks. Shared by the flow unit tests.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "kiosk/core/config.hpp"
#include "kiosk/core/session.hpp"
#include "kiosk/flow/routing.hpp"
#include "kiosk/flow/run.hpp"

namespace kiosk::test {

inline const idcard::RegionTable& shipped_regions() {
  static idcard::RegionTable t = idcard::RegionTable::load(core::source_config_dir() + "/regions/gb2260.tsv");
  return t;
}

struct FlowFixture {
  core::Catalog catalog;
  core::ManualClock clock;
  core::SessionOptions opts;
  std::unique_ptr<flow::FlowLibrary> flows;
  std::unique_ptr<core::Session> s;
  std::vector<core::Effect> fx;
  FlowFixture() {
    catalog.load_dir(core::source_config_dir() + "/catalog");
    flows = std::make_unique<flow::FlowLibrary>(flow::FlowSet::load_dir(core::source_config_dir() + "/flows"),
                                                &shipped_regions());
    s = std::make_unique<core::Session>(catalog, opts, clock);
    s->set_flows(flows.get());
  }
  void on(const core::Event& e) { fx = s->handle(e); }
  void tap(const std::string& id) {
    clock.advance_ms(1000);
    on(core::UserAction{id});
  }
  bool has(core::Effect::Kind k, const std::string& arg = {}) const {
    for (auto& e : fx)
      if (e.kind == k && (arg.empty() || e.arg == arg)) return true;
    return false;
  }
  const flow::FlowRun& run() const { return dynamic_cast<const flow::FlowRun&>(*s->flow()); }
  void open_item(const std::string& code) {
    tap("home.category.self_service");
    tap("category.item." + code);
    tap("guide.start");
  }
};

}  // namespace kiosk::test
