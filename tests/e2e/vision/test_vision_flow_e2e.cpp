// 刷脸认证 end to end below the UI: a real Session running the pension certification flow asks for the
// face step; a real VisionWorker reads a recorded video (MJPG .avi written from frames synthesised from
// a real photograph), posts guidance (spoken through the voice guard) and its result, which the bridge
// turns into the flow's "face.result" command — as the App's main loop does with its event queue.
#include <catch2/catch.hpp>
#include <filesystem>
#include <mutex>
#include <opencv2/videoio.hpp>

#include "kiosk/core/config.hpp"
#include "kiosk/core/session.hpp"
#include "kiosk/flow/routing.hpp"
#include "kiosk/flow/run.hpp"
#include "kiosk/vision/flow_bridge.hpp"
#include "kiosk/vision/sim/synth.hpp"
#include "kiosk/vision/vision_worker.hpp"
#include "kiosk/voice/voice.hpp"

using namespace kiosk;
using namespace kiosk::vision;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using K = core::Effect::Kind;

namespace {

struct Sink : voice::AudioSink {
  std::mutex mu;
  int utterances = 0;
  void queue(const std::vector<std::int16_t>&, int) override {
    std::lock_guard lk(mu);
    ++utterances;
  }
  void clear() override {}
  std::size_t queued_bytes() const override { return 0; }
};

struct Kiosk {
  core::Catalog catalog;
  core::ManualClock clock;
  core::Strings strings;
  idcard::RegionTable regions = idcard::RegionTable::load(core::source_config_dir() + "/regions/gb2260.tsv");
  std::unique_ptr<flow::FlowLibrary> flows;
  std::unique_ptr<core::Session> s;
  std::vector<core::Effect> fx;
  Sink* sink = nullptr;
  std::unique_ptr<voice::Voice> voice;
  std::string dir = (fs::temp_directory_path() / ("kiosk-vision-e2e-" + std::to_string(::getpid()))).string();

  Kiosk() {
    catalog.load_dir(core::source_config_dir() + "/catalog");
    strings.load_dir(core::source_config_dir() + "/strings");
    flows = std::make_unique<flow::FlowLibrary>(flow::FlowSet::load_dir(core::source_config_dir() + "/flows"),
                                                &regions);
    s = std::make_unique<core::Session>(catalog, core::SessionOptions{}, clock);
    s->set_flows(flows.get());
    fs::create_directories(dir);
    auto vc = voice::load_voice_config(core::source_config_dir() + "/voice.toml");
    vc.cache_dir = dir + "/voice";
    auto snk = std::make_unique<Sink>();
    sink = snk.get();
    voice = std::make_unique<voice::Voice>(vc, strings, std::move(snk));
  }
  ~Kiosk() {
    voice.reset();
    fs::remove_all(dir);
  }
  void on(const core::Event& e) {
    fx = s->handle(e);
    for (const auto& f : fx) voice->on_effect(f, s->language());
  }
  void tap(const std::string& id) {
    clock.advance_ms(1000);
    on(core::UserAction{id});
  }
  bool has(K k, const std::string& arg = {}) const {
    for (auto& e : fx)
      if (e.kind == k && (arg.empty() || e.arg == arg)) return true;
    return false;
  }
  const flow::FlowRun& run() const { return dynamic_cast<const flow::FlowRun&>(*s->flow()); }

  // Up to the face step of 领取养老金人员待遇资格认证 with an ID card.
  void to_face_step() {
    tap("home.category.self_service");
    tap("category.item.KS-A013");
    tap("guide.start");
    core::DeviceEvent d;
    d.kind = core::DeviceEvent::Kind::IdCardRead;
    d.device = "idcard";
    d.identity.source = core::IdSource::IdCard;
    d.identity.name = "张建国";
    d.identity.id_number = "410105195803120011";
    d.identity.region_code = "410105";
    on(d);
    tap("consent.agree");
    REQUIRE(has(K::StartFace, "KS-A013"));
    REQUIRE(s->screen_name() == "flow.face");
  }

  // The App's part: run the worker on `video`, speak its guidance, hand its result to the session.
  VisionResult face_step(const std::string& video, std::vector<Action> actions, int* guidance_spoken) {
    std::mutex mu;
    std::vector<VisionEvent> events;
    auto cfg = synth::test_config();
    VisionWorker w(
        cfg, camera::make_video_file_source(video),
        [&](VisionEvent e) {
          std::lock_guard lk(mu);
          events.push_back(std::move(e));
        },
        /*drop_frames=*/false);
    REQUIRE(w.start(std::move(actions)));
    REQUIRE(w.wait(30s));
    w.stop();
    std::optional<VisionResult> result;
    for (auto& e : events) {
      if (auto* g = std::get_if<GuidanceEvent>(&e)) {
        const auto r = voice->speak_key(s->language(), g->key);
        INFO(g->key);
        CHECK(r.ok());  // every instruction is a speakable config text
        *guidance_spoken += r.ok() ? 1 : 0;
      }
      if (auto* v = std::get_if<VisionResult>(&e)) result = std::move(*v);
    }
    REQUIRE(result);
    if (auto cmd = face_result_command(*result)) on(*cmd);
    return std::move(*result);
  }
};

std::string write_video(const std::string& path, const std::vector<cv::Mat>& frames) {
  cv::VideoWriter w(path, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 30.0, frames.at(0).size());
  REQUIRE(w.isOpened());
  for (const auto& f : frames) w.write(f);
  return path;
}

}  // namespace

TEST_CASE("pension certification: a recorded resident performing the asked actions passes the face step") {
  Kiosk k;
  k.to_face_step();
  const cv::Mat base = synth::kiosk_frame();
  auto det = make_detector(synth::test_config());
  const Face face = det->detect(base).at(0);
  std::vector<cv::Mat> frames(10, base);
  for (auto a : {Action::Nod, Action::OpenMouth}) {
    auto c = synth::clip_for(a, base, face);
    frames.insert(frames.end(), c.begin(), c.end());
  }
  const auto video = write_video(k.dir + "/resident.avi", frames);
  int spoken = 0;
  VisionResult r = k.face_step(video, {Action::Nod, Action::OpenMouth}, &spoken);
  CHECK(r.verdict == Verdict::Pass);
  CHECK(spoken >= 2);  // "请点头", "请张嘴" ...
  CHECK(k.s->screen_name() == "flow.confirm");
  CHECK(k.s->data().face["passed"] == true);
  CHECK(k.s->data().face["actions"] == nlohmann::json::array({"nod", "open_mouth"}));
  CHECK(k.s->data().face["score"].get<double>() > 0.6);  // MiniFASNet real-class score
  const auto ev = take_face_evidence(r);
  CHECK(ev.best_jpeg.size() > 1000);
  CHECK(ev.action_jpegs.size() == 2);
  REQUIRE(k.voice->wait_idle(20s));
  CHECK(k.voice->stats().refused == 0);
}

TEST_CASE("pension certification: a still photo held up fails the face step and the flow offers a retry") {
  Kiosk k;
  k.to_face_step();
  const auto video = write_video(k.dir + "/photo.avi", std::vector<cv::Mat>(90, synth::kiosk_frame()));
  int spoken = 0;
  VisionResult r = k.face_step(video, {Action::Blink, Action::TurnLeft}, &spoken);
  CHECK(r.verdict == Verdict::Fail);
  CHECK(k.run().phase() == flow::FlowRun::Phase::FaceFailed);
  CHECK(k.run().message_key() == "flow.face_failed.retry");
  CHECK(k.s->data().face.is_null());
  CHECK(r.evidence.best_jpeg.empty());
}
