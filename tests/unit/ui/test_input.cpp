#include <SDL.h>
#include <imgui.h>

#include <catch2/catch.hpp>
#include <cfloat>

#include "kiosk/ui/input.hpp"

using namespace kiosk::ui;

namespace {
struct ImGuiScope {
  ImGuiScope() { ImGui::CreateContext(); }
  ~ImGuiScope() { ImGui::DestroyContext(); }
};
SDL_Event finger(Uint32 type, float x, float y) {
  SDL_Event e{};
  e.type = type;
  e.tfinger.x = x;
  e.tfinger.y = y;
  e.tfinger.fingerId = 0;
  return e;
}
}  // namespace

TEST_CASE("a tap becomes a press frame, a release frame at the same place, then no hover") {
  ImGuiScope scope;
  InputLayer in;
  in.set_window_size(1000, 500);
  // Press and release arrive in the same frame's event batch: still two frames.
  CHECK(in.process(finger(SDL_FINGERDOWN, 0.5f, 0.5f), 10'000));
  CHECK(in.process(finger(SDL_FINGERUP, 0.5f, 0.5f), 10'010));
  auto& io = ImGui::GetIO();
  in.apply_frame();
  CHECK(io.MouseDown[0]);
  CHECK(io.MousePos.x == Approx(500));
  CHECK(io.MousePos.y == Approx(250));
  in.apply_frame();
  CHECK_FALSE(io.MouseDown[0]);
  CHECK(io.MousePos.x == Approx(500));
  in.apply_frame();
  CHECK(io.MousePos.x == -FLT_MAX);
  CHECK_FALSE(in.pending());
}

TEST_CASE("taps within 300 ms of a screen change are dropped, press and release together") {
  ImGuiScope scope;
  InputLayer in;
  in.set_window_size(100, 100);
  in.screen_changed(1'000);
  in.inject_tap(10, 10, 1'200);
  CHECK_FALSE(in.pending());
  in.inject_tap(10, 10, 1'301);
  CHECK(in.pending());
}

TEST_CASE("mouse events synthesised from touch are ignored") {
  ImGuiScope scope;
  InputLayer in;
  SDL_Event e{};
  e.type = SDL_MOUSEBUTTONDOWN;
  e.button.which = SDL_TOUCH_MOUSEID;
  e.button.button = SDL_BUTTON_LEFT;
  CHECK_FALSE(in.process(e, 5'000));
  e.button.which = 0;
  CHECK(in.process(e, 5'000));
}
