#include "drivers/idcard/reader.hpp"

#include <array>
#include <cstdio>
#include <utility>

namespace kiosk::idcard {

namespace {
using Clock = std::chrono::steady_clock;

void zero(Bytes& b) {
  std::fill(b.begin(), b.end(), std::uint8_t{0});
  b.clear();
}
}  // namespace

void CardRead::wipe() {
  zero(photo_wlt);
  zero(fingerprint);
  std::fill(extra_address.begin(), extra_address.end(), '\0');
  extra_address.clear();
  for (auto* s : {&document.name, &document.name_en, &document.address, &document.id_number,
                  &document.birth_date, &document.pass_number, &document.old_permit_ref}) {
    std::fill(s->begin(), s->end(), '\0');
    s->clear();
  }
}

Reader::Reader(transport::Transport& t, ReaderOptions opts) : t_(t), opts_(opts) {}

Response Reader::transact(Command c, std::span<const std::uint8_t> data, Millis timeout) {
  const Bytes request = encode_request(c, data);
  std::string last_error;
  bool timed_out = false;
  for (int attempt = 0; attempt <= opts_.retries; ++attempt) {
    if (attempt > 0) ++stats_.retries;
    try {
      t_.flush_input();
      rx_.clear();
      t_.write(request, timeout);
      ++stats_.frames_sent;
      const auto deadline = Clock::now() + timeout;
      bool retry = false;
      while (!retry) {
        Scan s = scan_frame(rx_, 4);
        stats_.garbage_bytes += s.skipped;
        if (s.kind == Scan::Kind::Frame) {
          rx_.erase(rx_.begin(), rx_.begin() + static_cast<std::ptrdiff_t>(s.consumed));
          ++stats_.frames_received;
          Response r = parse_response(s.body);
          if (r.sw3 == 0x10 || r.sw3 == 0x11) {  // the SAM got our frame corrupted: send again
            last_error = describe_status(r.sw3);
            retry = true;
            continue;
          }
          return r;
        }
        rx_.erase(rx_.begin(), rx_.begin() + static_cast<std::ptrdiff_t>(s.consumed));
        if (s.kind == Scan::Kind::Error) {
          ++stats_.bad_frames;
          last_error = s.error;
          timed_out = false;
          if (s.error_kind == CodecError::Kind::BadChecksum) retry = true;
          continue;
        }
        const auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now());
        if (left.count() <= 0) {
          timed_out = true;
          last_error = rx_.empty() ? "no answer within " + std::to_string(timeout.count()) + " ms"
                                   : "answer truncated (" + std::to_string(rx_.size()) + " bytes of a frame)";
          retry = true;
          continue;
        }
        std::array<std::uint8_t, 4096> buf;
        const std::size_t n = t_.read(buf, left);
        rx_.insert(rx_.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
      }
    } catch (const transport::TransportError& e) {
      if (e.kind() != transport::ErrorKind::Timeout)
        throw ReaderError(ReaderError::Kind::Transport, std::string("idcard: ") + e.what(), 0, e.kind());
      timed_out = true;
      last_error = e.what();
    }
  }
  char what[64];
  std::snprintf(what, sizeof what, "idcard: command %02X %02X failed after %d attempts: ", c.cmd, c.para,
                opts_.retries + 1);
  if (timed_out)
    throw ReaderError(ReaderError::Kind::Transport, what + last_error, 0, transport::ErrorKind::Timeout);
  throw ReaderError(ReaderError::Kind::Protocol, what + last_error);
}

Response Reader::expect_ok(Command c, Millis timeout, const char* what) {
  Response r = transact(c, {}, timeout);
  if (r.sw3 != 0x90)
    throw ReaderError(ReaderError::Kind::Status,
                      std::string("idcard: ") + what + ": " + describe_status(r.sw3), r.sw3);
  return r;
}

void Reader::reset_sam() {
  expect_ok(cmd::kResetSam, opts_.command_timeout, "reset SAM");
}

std::uint8_t Reader::sam_status() {
  return transact(cmd::kSamStatus, {}, opts_.command_timeout).sw3;
}

std::string Reader::sam_id() {
  Response r = expect_ok(cmd::kSamId, opts_.command_timeout, "read SAM id");
  if (r.data.size() < 16)
    throw ReaderError(ReaderError::Kind::Protocol, "idcard: SAM id shorter than 16 bytes");
  auto u16 = [&](std::size_t i) { return unsigned(r.data[i] | r.data[i + 1] << 8); };
  auto u32 = [&](std::size_t i) {
    return static_cast<unsigned long>(r.data[i] | r.data[i + 1] << 8 | r.data[i + 2] << 16) |
           static_cast<unsigned long>(r.data[i + 3]) << 24;
  };
  char buf[80];
  std::snprintf(buf, sizeof buf, "%02u.%02u-%lu-%09lu-%09lu", u16(0), u16(2), u32(4), u32(8), u32(12));
  return buf;
}

bool Reader::find_card() {
  Response r = transact(cmd::kFindCard, {}, opts_.command_timeout);
  if (r.sw3 == 0x9F) return true;
  if (r.sw3 == 0x80) return false;
  throw ReaderError(ReaderError::Kind::Status, "idcard: find card: " + describe_status(r.sw3), r.sw3);
}

void Reader::select_card() {
  expect_ok(cmd::kSelectCard, opts_.command_timeout, "select card");
}

CardRead Reader::read_base(bool with_fingerprint) {
  const Command c = with_fingerprint ? cmd::kReadBaseFingerprint : cmd::kReadBase;
  Response r = expect_ok(c, opts_.read_timeout, "read card");
  CardRead out;
  try {
    BaseRecord rec = parse_base_record(r.data, with_fingerprint);
    out.document = decode_text(rec.text);
    out.photo_wlt = std::move(rec.photo);
    out.fingerprint = std::move(rec.fingerprint);
    zero(rec.text);
  } catch (const std::exception& e) {
    zero(r.data);
    throw ReaderError(ReaderError::Kind::CardData, std::string("idcard: card data rejected: ") + e.what());
  }
  zero(r.data);
  return out;
}

std::string Reader::read_extra_address() {
  Response r = transact(cmd::kReadExtraAddress, {}, opts_.command_timeout);
  if (r.sw3 == 0x91) return "";
  if (r.sw3 != 0x90)
    throw ReaderError(ReaderError::Kind::Status, "idcard: read extra address: " + describe_status(r.sw3),
                      r.sw3);
  try {
    std::string s = ucs2le_to_utf8(r.data);
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s;
  } catch (const TextError& e) {
    throw ReaderError(ReaderError::Kind::Protocol, std::string("idcard: extra address: ") + e.what());
  }
}

std::optional<CardRead> Reader::read_card() {
  if (!find_card()) return std::nullopt;
  select_card();
  CardRead card = read_base(opts_.read_fingerprint);
  if (opts_.read_extra_address) {
    try {
      card.extra_address = read_extra_address();
    } catch (const ReaderError& e) {
      if (e.kind() != ReaderError::Kind::Status) throw;  // optional data: a status error is not fatal
    }
  }
  return card;
}

// ---- CardPoller ----

CardPoller::CardPoller(Opener open, PollerOptions opts) : open_(std::move(open)), opts_(opts) {}
CardPoller::~CardPoller() = default;

Millis CardPoller::next_delay() const {
  return faulted_ ? opts_.reconnect_backoff : opts_.interval;
}

std::string CardPoller::describe() const {
  return transport_ ? transport_->describe() : "(closed)";
}

ReaderStats CardPoller::stats() const {
  ReaderStats s = past_stats_;
  if (reader_) {
    const auto& r = reader_->stats();
    s.frames_sent += r.frames_sent;
    s.frames_received += r.frames_received;
    s.retries += r.retries;
    s.bad_frames += r.bad_frames;
    s.garbage_bytes += r.garbage_bytes;
  }
  return s;
}

PollEvent CardPoller::fault(const std::string& why) {
  past_stats_ = stats();
  reader_.reset();
  transport_.reset();
  present_ = false;
  announced_ = false;
  misses_ = 0;
  last_fault_ = why;
  if (faulted_) return {};
  faulted_ = true;
  PollEvent e;
  e.kind = PollEvent::Kind::Fault;
  e.detail = why;
  return e;
}

bool CardPoller::ensure_open(std::string& why) {
  if (reader_) return true;
  try {
    transport_ = open_();
    if (!transport_) {
      why = "idcard: no reader";
      return false;
    }
    reader_ = std::make_unique<Reader>(*transport_, opts_.reader);
    std::uint8_t st = reader_->sam_status();
    if (st != 0x90) {
      reader_->reset_sam();
      st = reader_->sam_status();
    }
    if (st != 0x90)
      throw ReaderError(ReaderError::Kind::Status, "idcard: SAM status: " + describe_status(st), st);
    return true;
  } catch (const std::exception& e) {
    why = e.what();
    past_stats_ = stats();
    reader_.reset();
    transport_.reset();
    return false;
  }
}

PollEvent CardPoller::step() {
  if (!reader_) {
    std::string why;
    if (!ensure_open(why)) return fault(why);
    if (faulted_ || !ever_ok_) {
      const bool was_faulted = faulted_;
      faulted_ = false;
      ever_ok_ = true;
      if (was_faulted) {
        PollEvent e;
        e.kind = PollEvent::Kind::Recovered;
        e.detail = "idcard: reader back on " + transport_->describe();
        return e;
      }
    }
  }
  try {
    if (!present_) {
      auto card = reader_->read_card();
      if (!card) return {};
      present_ = true;
      announced_ = true;
      misses_ = 0;
      PollEvent e;
      e.kind = PollEvent::Kind::CardRead;
      e.card = std::move(card);
      return e;
    }
    if (reader_->find_card()) {
      misses_ = 0;
    } else if (++misses_ >= opts_.removal_misses) {
      present_ = false;
      misses_ = 0;
      if (!std::exchange(announced_, false)) return {};  // a card that failed to read leaves silently
      PollEvent e;
      e.kind = PollEvent::Kind::CardRemoved;
      return e;
    }
    return {};
  } catch (const ReaderError& e) {
    if ((e.kind() == ReaderError::Kind::Status && !is_sam_fault(e.sw3())) ||
        e.kind() == ReaderError::Kind::CardData) {
      // A card-level failure (auth, select, read): the card must leave the field before a new try.
      if (!present_) announced_ = false;
      present_ = true;
      misses_ = 0;
      PollEvent ev;
      ev.kind = PollEvent::Kind::CardError;
      ev.detail = e.what();
      return ev;
    }
    return fault(e.what());
  } catch (const std::exception& e) {
    return fault(std::string("idcard: ") + e.what());
  }
}

}  // namespace kiosk::idcard
