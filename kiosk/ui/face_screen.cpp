// The face step (刷脸认证): live preview in the oval, the current instruction in big text (also
// spoken by the App), progress per action, and a clear label when the picture is simulated (demo).
#include <imgui.h>

#include <algorithm>

#include "kiosk/ui/face_view.hpp"
#include "kiosk/ui/kiosk_ui.hpp"
#include "kiosk/ui/painter.hpp"

namespace kiosk::ui {

void KioskUI::draw_face_step(Painter& p, const Box& a, float y) {
  const auto& c = theme_.colors;
  FacePreview fp;
  if (face_view_) fp = face_view_->face_preview(face_tex_ ? face_tex_->seq() : -1);
  if (fp.simulated) {  // demo without a camera: say so above the oval
    Box badge{a.cx() - theme_.px(60), y, a.cx() + theme_.px(60), y + theme_.px(12)};
    p.fill(badge, c.countdown, 2);
    p.text_in(FontRole::Label, badge, tr("camera.simulated"), c.countdown_text, c.countdown);
    y = badge.y1 + theme_.px(3);
  }
  const float ow = theme_.px(70), oh = theme_.px(90);
  Box oval{a.cx() - ow / 2, y, a.cx() + ow / 2, std::min(a.y1 - theme_.px(36), y + oh)};
  const float rounding = std::min(oval.w(), oval.h()) / 2;
  if (fp.active) {
    if (!face_tex_) face_tex_ = std::make_unique<FacePreviewTexture>();
    if (SDL_Texture* t = face_tex_->update(renderer_, fp)) {
      // Cover the oval: crop the frame to the oval's aspect ratio around its centre.
      const float fw = static_cast<float>(face_tex_->width()), fh = static_cast<float>(face_tex_->height());
      const float want = oval.w() / oval.h(), have = fw / fh;
      float u0 = 0, u1 = 1, v0 = 0, v1 = 1;
      if (have > want) {
        const float k = want / have;
        u0 = (1 - k) / 2;
        u1 = 1 - u0;
      } else {
        const float k = have / want;
        v0 = (1 - k) / 2;
        v1 = 1 - v0;
      }
      ImGui::GetWindowDrawList()->AddImageRounded(static_cast<ImTextureID>(t), ImVec2(oval.x0, oval.y0),
                                                  ImVec2(oval.x1, oval.y1), ImVec2(u0, v0), ImVec2(u1, v1),
                                                  IM_COL32_WHITE, rounding);
    }
  }
  p.border(oval, c.tile_border, static_cast<float>(theme_.mm(rounding)), 1.5f);

  // The instruction in big text; while the worker has none yet, the step's own hint.
  Box hint{a.x0, oval.y1 + theme_.px(4), a.x1, a.y1 - (fp.action_total > 0 ? theme_.px(14) : 0)};
  const std::string key =
      fp.active && !fp.guidance_key.empty() && strings_.has(session_.language(), fp.guidance_key)
          ? fp.guidance_key
          : std::string("flow.face.hint");
  p.text_in(FontRole::Title, hint, tr(key), c.text, c.background);

  if (fp.active && fp.action_total > 0) {  // "第1个动作，共2个" and a bar for the current one
    const float bw = theme_.px(120), bh = theme_.px(5);
    Box label{a.cx() - bw / 2, hint.y1, a.cx() + bw / 2, hint.y1 + theme_.px(8)};
    p.text_in(FontRole::Label, label,
              trf("camera.action_progress",
                  {{"n", std::to_string(fp.action_index + 1)}, {"total", std::to_string(fp.action_total)}}),
              c.muted, c.background);
    Box bar{label.x0, label.y1 + theme_.px(1), label.x1, label.y1 + theme_.px(1) + bh};
    p.fill(bar, c.panel, 1);
    p.border(bar, c.tile_border, 1, 0.4f);
    Box done = bar;
    done.x1 = bar.x0 + bar.w() * static_cast<float>(std::clamp(fp.action_progress, 0.0, 1.0));
    if (done.x1 > done.x0) p.fill(done, c.primary, 1);
  }
}

}  // namespace kiosk::ui
