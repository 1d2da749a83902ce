// Settings of the face capture pipeline (config/vision.toml). Defaults are the values documented there.
#pragma once

#include <string>

namespace kiosk::vision {

struct VisionConfig {
  // [models] paths relative to the repo/install root unless absolute
  std::string yunet_model = "assets/models/face_detection_yunet_2022mar.onnx";
  std::string fas_model_v2 = "assets/models/2.7_80x80_MiniFASNetV2.onnx";
  std::string fas_model_v1se = "assets/models/4_0_0_80x80_MiniFASNetV1SE.onnx";
  std::string haar_cascade = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml";

  // [detection]
  int detect_width = 320;  // frames are downscaled to this width before YuNet
  float score_threshold = 0.9f;
  float nms_threshold = 0.3f;

  // [quality]
  double min_iod_frac = 0.09;       // inter-ocular distance / frame width: smaller → "closer"
  double max_iod_frac = 0.30;       // larger → "farther"
  double max_center_offset = 0.16;  // face centre to oval centre, fraction of frame width
  double max_yaw_deg = 15.0;
  double max_pitch_dev = 0.18;  // |pitch ratio - 0.55| above this → "face forward"
  double max_roll_deg = 15.0;
  double min_luma = 60.0;
  double max_luma = 210.0;
  double min_contrast = 18.0;      // stddev of face luma
  double min_sharpness = 25.0;     // variance of Laplacian on the 112x112 aligned face
  double hat_ratio = 0.45;         // forehead/cheek luma below this → "remove hat"
  double sunglasses_ratio = 0.35;  // eye band/cheek luma below this → "remove sunglasses"

  // [liveness]
  int actions = 2;
  double action_timeout_ms = 7000.0;
  double start_timeout_ms = 20000.0;  // time allowed to get a good frontal face before the actions
  int baseline_frames = 8;
  double max_gap_ms = 400.0;  // longest time without the tracked face
  double min_iou = 0.3;
  double min_appearance_ncc = 0.55;  // frame-to-frame aligned face correlation; lower → face swapped
  double turn_delta = 0.16;          // yaw ratio change (≈ 18°) for a head turn
  double nod_delta = 0.10;           // pitch ratio change for a nod
  double blink_close_ratio = 0.70;   // eye openness below baseline * this → closed
  double blink_open_ratio = 0.88;    // back above baseline * this → reopened
  double mouth_open_delta = 0.12;    // dark fraction in the mouth box above baseline + this → open
  int mouth_open_frames = 2;
  bool mirror = false;               // true if frames arrive mirrored (left/right swap)
  bool fail_on_wrong_action = true;  // a completed head turn/nod/mouth that was not asked fails

  // [antispoof]
  bool passive_enabled = true;
  bool require_passive = false;     // fail when the passive model is missing
  double passive_threshold = 0.60;  // mean real-class probability; tune per camera
  int passive_every = 3;            // run MiniFASNet on every Nth good frame
  int passive_max = 8;

  // [evidence]
  int jpeg_quality = 90;
};

// Loads config/vision.toml style text; unknown keys are ignored, wrong types throw std::runtime_error.
VisionConfig parse_vision_config(const std::string& toml_text);
// load_vision_config also resolves relative model paths: against the tree holding the file's config/
// directory first, then as resolve_path does.
VisionConfig load_vision_config(const std::string& path);
// Resolves a relative model path against $KIOSK_SOURCE_DIR, the installed <exe>/../share/kiosk, then the
// compile-time source dir; returns it unchanged when none has the file.
std::string resolve_path(const std::string& p);

}  // namespace kiosk::vision
