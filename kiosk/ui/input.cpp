#include "kiosk/ui/input.hpp"

#include <SDL.h>
#include <imgui.h>

#include <cfloat>
#include <cmath>

namespace kiosk::ui {

namespace {
constexpr std::int64_t kIgnoreAfterScreenChangeMs = 300;
}

void InputLayer::push(float x, float y, bool down, std::int64_t now_ms) {
  if (down) {
    // A press that lands within 300 ms of a screen change is dropped, and so is its release.
    press_dropped_ = now_ms - screen_changed_ms_ < kIgnoreAfterScreenChangeMs;
    if (press_dropped_) return;
  } else if (press_dropped_) {
    press_dropped_ = false;
    return;
  }
  queue_.push_back({x, y, down});
  // technician hook: how long the pointer stayed down at (about) one place.
  if (down) {
    press_x_ = x, press_y_ = y, press_ms_ = now_ms;
  } else if (press_ms_ >= 0) {
    std::int64_t held = now_ms - press_ms_;
    if (held >= 1000 && std::abs(x - press_x_) < 60 && std::abs(y - press_y_) < 60)
      long_press_ = {x, y, held};
    press_ms_ = -1;
  }
}

bool InputLayer::process(const SDL_Event& e, std::int64_t now_ms) {
  switch (e.type) {
    case SDL_FINGERDOWN:
    case SDL_FINGERUP:
      if (e.tfinger.fingerId != 0 && e.type == SDL_FINGERDOWN && down_) return false;  // first finger only
      push(e.tfinger.x * static_cast<float>(win_w_), e.tfinger.y * static_cast<float>(win_h_),
           e.type == SDL_FINGERDOWN, now_ms);
      return true;
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
      if (e.button.which == SDL_TOUCH_MOUSEID || e.button.button != SDL_BUTTON_LEFT) return false;
      push(static_cast<float>(e.button.x), static_cast<float>(e.button.y), e.type == SDL_MOUSEBUTTONDOWN,
           now_ms);
      return true;
    default:
      return false;
  }
}

void InputLayer::inject_tap(float x, float y, std::int64_t now_ms) {
  push(x, y, true, now_ms);
  push(x, y, false, now_ms);
}

void InputLayer::apply_frame() {
  ImGuiIO& io = ImGui::GetIO();
  if (!queue_.empty()) {
    Transition t = queue_.front();
    queue_.pop_front();
    io.MousePos = ImVec2(t.x, t.y);
    io.MouseDown[0] = t.down;
    down_ = t.down;
    leave_next_ = !t.down;
    return;
  }
  io.MouseDown[0] = down_;
  if (leave_next_) {
    io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);  // no hover after a tap
    leave_next_ = false;
  }
}

}  // namespace kiosk::ui
