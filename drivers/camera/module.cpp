#include "drivers/camera/module.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <vector>

#include "drivers/camera/frame_source.hpp"

namespace kiosk::camera {
namespace {

using AbiFn = int (*)();
using V4l2Fn = FrameSource* (*)(const CameraSettings*);
using VideoFn = FrameSource* (*)(const char*, bool);

struct Module {
  ModuleInfo info;
  V4l2Fn make_v4l2 = nullptr;
  VideoFn make_video = nullptr;
};

constexpr const char* kFile = "libkiosk_camera_videoio.so";

std::vector<std::string> candidates() {
  std::vector<std::string> out;
  if (const char* env = std::getenv("KIOSK_CAMERA_MODULE"); env && *env) out.emplace_back(env);
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) out.push_back((exe.parent_path().parent_path() / "lib" / "kiosk" / kFile).string());
#ifdef KIOSK_CAMERA_MODULE_BUILD_PATH
  out.emplace_back(KIOSK_CAMERA_MODULE_BUILD_PATH);
#endif
  return out;
}

// Loads one candidate file into m (m.info says how it went).
void try_load(const std::string& path, Module& m) {
  m = Module{};
  m.info.path = path;
  void* h = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char* e = ::dlerror();
    m.info.error = "camera module " + path + " cannot be loaded: " + (e ? e : "?");
    return;
  }
  // The handle is never dlclose'd: sources it made may outlive any owner we know of.
  auto abi = reinterpret_cast<AbiFn>(::dlsym(h, "kiosk_camera_module_abi"));
  auto v4l2 = reinterpret_cast<V4l2Fn>(::dlsym(h, "kiosk_camera_make_v4l2"));
  auto video = reinterpret_cast<VideoFn>(::dlsym(h, "kiosk_camera_make_video_file"));
  if (!abi || !v4l2 || !video) {
    m.info.error = "camera module " + path + " lacks its entry points (not a kiosk camera module)";
    return;
  }
  if (abi() != kModuleAbi) {
    m.info.error = "camera module " + path + " is from another build (ABI " + std::to_string(abi()) +
                   ", expected " + std::to_string(kModuleAbi) + ")";
    return;
  }
  m.make_v4l2 = v4l2;
  m.make_video = video;
  m.info.loaded = true;
}

Module load() {
  Module m;
  std::string tried;
  for (const auto& path : candidates()) {
    if (!std::filesystem::exists(path)) {
      tried += (tried.empty() ? "" : ", ") + path;
      continue;
    }
    try_load(path, m);
    return m;  // the first file present decides: a broken install is reported, not papered over
  }
  m.info.error = "camera module " + std::string(kFile) + " not found (looked in " + tried + ")";
  return m;
}

const Module& module() {
  static const Module m = load();
  return m;
}

// What a source from a missing module does: it cannot open, and says why.
class Unavailable final : public FrameSource {
 public:
  Unavailable(std::string what, std::string why) : what_(std::move(what)), why_(std::move(why)) {}
  bool open(std::string& error) override {
    error = why_;
    return false;
  }
  ReadResult read(std::chrono::milliseconds) override {
    ReadResult r;
    r.status = ReadStatus::Error;
    r.error = why_;
    return r;
  }
  void close() override {}
  std::string describe() const override { return what_; }
  bool is_live() const override { return what_.rfind("v4l2:", 0) == 0; }

 private:
  std::string what_, why_;
};

}  // namespace

const ModuleInfo& camera_module() {
  return module().info;
}

ModuleInfo probe_camera_module(const std::string& path) {
  Module m;
  try_load(path, m);
  return m.info;
}

std::unique_ptr<FrameSource> make_v4l2_source(const CameraSettings& settings) {
  const Module& m = module();
  if (!m.make_v4l2) return std::make_unique<Unavailable>("v4l2:" + settings.device, m.info.error);
  return std::unique_ptr<FrameSource>(m.make_v4l2(&settings));
}

std::unique_ptr<FrameSource> make_video_file_source(const std::string& path, bool loop) {
  const Module& m = module();
  if (!m.make_video) return std::make_unique<Unavailable>("video:" + path, m.info.error);
  return std::unique_ptr<FrameSource>(m.make_video(path.c_str(), loop));
}

}  // namespace kiosk::camera
