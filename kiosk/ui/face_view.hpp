// What the face step shows while the vision worker runs: the live preview (RGB, already mirrored so the
// resident sees themselves as in a mirror), the current instruction and the progress per action.
// The App's camera side provides it; the UI only draws it (no OpenCV here).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

struct SDL_Renderer;
struct SDL_Texture;

namespace kiosk::ui {

struct FacePreview {
  bool active = false;     // a certification attempt is running
  bool simulated = false;  // demo without a camera: label the picture as simulated
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgb;  // width*height*3, empty until the first frame
  std::int64_t seq = -1;          // changes with every new frame
  std::string guidance_key;       // e.g. "vision.action.blink", "vision.guide.closer"
  int action_index = 0;           // 0-based index of the current action
  int action_total = 0;
  double action_progress = 0;  // 0..1 of the current action
};

class FaceViewSource {
 public:
  virtual ~FaceViewSource() = default;
  // A copy of the newest state; rgb is left empty when the caller already has frame `have_seq`.
  virtual FacePreview face_preview(std::int64_t have_seq) const = 0;
};

// The preview texture (streaming, re-created when the frame size changes).
class FacePreviewTexture {
 public:
  ~FacePreviewTexture();
  // Uploads p.rgb if it holds a new frame; returns the texture (null before the first frame).
  SDL_Texture* update(SDL_Renderer* r, const FacePreview& p);
  std::int64_t seq() const { return seq_; }
  int width() const { return w_; }
  int height() const { return h_; }

 private:
  SDL_Texture* tex_ = nullptr;
  int w_ = 0, h_ = 0;
  std::int64_t seq_ = -1;
};

}  // namespace kiosk::ui
