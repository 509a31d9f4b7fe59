#include "progress.hpp"

#include <cstdio>

namespace homopt::train {

std::string format_duration(double seconds) {
  const long total = seconds < 0 ? 0 : static_cast<long>(seconds + 0.5);
  char text[32];
  if (total >= 3600)
    std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60, total % 60);
  else
    std::snprintf(text, sizeof text, "%ld:%02ld", total / 60, total % 60);
  return text;
}

ProgressDisplay::ProgressDisplay(std::string label, bool terminal, double interval)
    : label_(std::move(label)), terminal_(terminal), interval_(interval) {}

void ProgressDisplay::update(const nn::BatchProgress& progress) {
  const bool last = progress.batch == progress.batches;
  if (!terminal_ && (last || progress.seconds - last_print_ < interval_)) return;
  last_print_ = progress.seconds;
  const double rate = progress.seconds > 0 ? progress.images / progress.seconds : 0;
  const double eta = progress.batch > 0 ? progress.seconds * (progress.batches - progress.batch) / progress.batch : 0;
  const int width = 24;
  const int filled = static_cast<int>(width * progress.batch / progress.batches);
  std::string bar(filled, '#');
  bar.resize(width, '.');
  std::fprintf(stderr, "%s%s [%s] %lu/%lu batches  %.0f img/s  ETA %s  loss %.5f%s", terminal_ ? "\r" : "",
               label_.c_str(), bar.c_str(), static_cast<unsigned long>(progress.batch),
               static_cast<unsigned long>(progress.batches), rate, format_duration(eta).c_str(),
               progress.running_loss, terminal_ ? "\x1b[K" : "\n");
  std::fflush(stderr);
  drawn_ = terminal_;
}

void ProgressDisplay::finish() {
  if (drawn_) std::fprintf(stderr, "\r\x1b[K");
  drawn_ = false;
}

}  // namespace homopt::train
