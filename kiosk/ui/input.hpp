// Our SDL → ImGui input layer (replaces 1.86's imgui_impl_sdl, which loses taps on Linux touch).
// Finger and mouse events become pointer transitions; each frame applies at most one, a press frame
// then a release frame at the same place, then the pointer leaves (no sticky hover). Input within
// 300 ms of a screen change is dropped (ghost taps). Tests and the simulator panel inject here too.
#pragma once

#include <cstdint>
#include <deque>

union SDL_Event;

namespace kiosk::ui {

class InputLayer {
 public:
  struct Transition {
    float x, y;
    bool down;
  };
  // Window size in pixels, for normalised finger coordinates.
  void set_window_size(int w, int h) {
    win_w_ = w;
    win_h_ = h;
  }
  // Returns true if the event was input (the loop should render).
  bool process(const SDL_Event& e, std::int64_t now_ms);
  void inject_tap(float x, float y, std::int64_t now_ms);
  // technician hook: press and release separately (harness press_hold) and the last long press.
  void inject_press(float x, float y, std::int64_t now_ms) { push(x, y, true, now_ms); }
  void inject_release(float x, float y, std::int64_t now_ms) { push(x, y, false, now_ms); }
  struct LongPress {
    float x = 0, y = 0;
    std::int64_t held_ms = 0;
  };
  // A press held ≥ 1 s at one place, reported once on its release (the technician corner).
  bool take_long_press(LongPress& out) {
    if (long_press_.held_ms <= 0) return false;
    out = long_press_;
    long_press_ = {};
    return true;
  }
  // Call just before ImGui::NewFrame(): sets io.MousePos / MouseDown for this frame.
  void apply_frame();
  bool pending() const { return !queue_.empty() || leave_next_; }
  void screen_changed(std::int64_t now_ms) { screen_changed_ms_ = now_ms; }

 private:
  void push(float x, float y, bool down, std::int64_t now_ms);
  std::deque<Transition> queue_;
  bool down_ = false;
  bool leave_next_ = false;
  int win_w_ = 1, win_h_ = 1;
  std::int64_t screen_changed_ms_ = -1'000'000;
  bool press_dropped_ = false;
  // technician hook: press-duration tracking
  float press_x_ = 0, press_y_ = 0;
  std::int64_t press_ms_ = -1;
  LongPress long_press_;
};

}  // namespace kiosk::ui
