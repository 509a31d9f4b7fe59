#include "run_record.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>

#include "homopt/checkpoint.hpp"
#include "homopt/error.hpp"

namespace homopt::train {

namespace {

constexpr const char* record_header = "homopt-train run 1";

std::string exact(real value) {
  char text[40];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

std::string row_text(const MetricsRow& row) {
  return std::to_string(row.epoch) + "," + exact(row.train_loss) + "," + exact(row.test_accuracy) + "," +
         exact(row.max_orthogonality_error) + "," + exact(row.seconds);
}

}  // namespace

std::string RunRecord::to_text() const {
  std::ostringstream out;
  out << record_header << "\n"
      << "name=" << name << "\norder=" << order << "\noptimizer=" << optimizer
      << "\nconstraint=" << nn::to_string(constraint) << "\nloss=" << nn::to_string(loss) << "\nblocks=" << shape.blocks
      << "\nheads=" << shape.heads << "\nattention_scale=" << exact(shape.attention_scale)
      << "\nattention_skip=" << (shape.attention_skip ? "on" : "off") << "\ninit=" << nn::to_string(initialization)
      << "\nbatch_size=" << batch_size << "\nseed=" << seed << "\ntrain_images=" << train_images
      << "\ntest_images=" << test_images << "\nepochs=" << epochs << "\n";
  for (const MetricsRow& row : metrics) out << "row=" << row_text(row) << "\n";
  return out.str();
}

RunRecord RunRecord::from_text(const std::string& text, const std::string& origin) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != record_header)
    throw FileError(origin + ": not a homopt-train run record (first line \"" + record_header + "\" expected)");
  RunRecord record;
  std::map<std::string, std::string> fields;
  try {
    while (std::getline(in, line)) {
      const std::size_t equals = line.find('=');
      if (equals == std::string::npos) throw FileError(origin + ": malformed line \"" + line + "\"");
      const std::string key = line.substr(0, equals), value = line.substr(equals + 1);
      if (key == "row") {
        MetricsRow row;
        char tail = 0;
        unsigned long long epoch = 0;
        if (std::sscanf(value.c_str(), "%llu,%lf,%lf,%lf,%lf%c", &epoch, &row.train_loss, &row.test_accuracy,
                        &row.max_orthogonality_error, &row.seconds, &tail) != 5)
          throw FileError(origin + ": malformed metrics row \"" + value + "\"");
        row.epoch = epoch;
        record.metrics.push_back(row);
      } else {
        fields[key] = value;
      }
    }
    auto field = [&](const char* key) -> const std::string& {
      const auto found = fields.find(key);
      if (found == fields.end()) throw FileError(origin + ": missing field \"" + key + "\"");
      return found->second;
    };
    auto number = [&](const char* key) { return static_cast<uword>(std::stoull(field(key))); };
    record.name = field("name");
    record.order = number("order");
    record.optimizer = field("optimizer");
    record.constraint = nn::constraint_from_string(field("constraint"));
    record.loss = nn::loss_from_string(field("loss"));
    record.shape.blocks = number("blocks");
    record.shape.heads = number("heads");
    record.shape.attention_scale = std::stod(field("attention_scale"));
    // Records written before these two settings existed are of the model with the skip and
    // homopt's initialization.
    const auto skip = fields.find("attention_skip");
    if (skip != fields.end() && skip->second != "on" && skip->second != "off")
      throw FileError(origin + ": attention_skip must be on or off, got \"" + skip->second + "\"");
    record.shape.attention_skip = skip == fields.end() || skip->second == "on";
    const auto init = fields.find("init");
    record.initialization = init == fields.end() ? nn::Initialization::homopt : nn::initialization_from_string(init->second);
    record.batch_size = number("batch_size");
    record.seed = std::stoull(field("seed"));
    record.train_images = number("train_images");
    record.test_images = number("test_images");
    record.epochs = number("epochs");
  } catch (const std::logic_error& error) {  // stoull/stod failures and InvalidArgument
    throw FileError(origin + ": invalid field (" + error.what() + ")");
  }
  return record;
}

std::string checkpoint_path(const std::string& directory, const std::string& name) {
  return (std::filesystem::path(directory) / (name + ".checkpoint")).string();
}

std::string record_path(const std::string& directory, const std::string& name) {
  return (std::filesystem::path(directory) / (name + ".run")).string();
}

std::string record_path_for_checkpoint(const std::string& checkpoint) {
  const std::filesystem::path path(checkpoint);
  if (path.extension() != ".checkpoint")
    throw FileError(checkpoint + ": expected a RUN.checkpoint file written by homopt-train");
  return (path.parent_path() / (path.stem().string() + ".run")).string();
}

std::string metrics_csv(const std::vector<RunRecord>& runs) {
  std::string text = "run,epoch,train_loss,test_accuracy,max_orthogonality_error,seconds\n";
  for (const RunRecord& run : runs)
    for (const MetricsRow& row : run.metrics) text += run.name + "," + row_text(row) + "\n";
  return text;
}

namespace {
/// Whether the RUN.run at `record` has its RUN.checkpoint next to it.
bool has_checkpoint(const std::filesystem::path& record) {
  std::error_code ignored;
  return std::filesystem::exists(std::filesystem::path(record).replace_extension(".checkpoint"), ignored);
}
}  // namespace

std::vector<RunRecord> read_records(const std::string& directory) {
  std::vector<RunRecord> records;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error))
    if (entry.path().extension() == ".run" && has_checkpoint(entry.path()))
      records.push_back(RunRecord::from_text(read_file(entry.path().string()), entry.path().string()));
  if (error) throw FileError(directory + ": cannot list directory (" + error.message() + ")");
  std::sort(records.begin(), records.end(), [](const RunRecord& a, const RunRecord& b) {
    return a.order != b.order ? a.order < b.order : a.name < b.name;
  });
  return records;
}

std::vector<std::string> incomplete_records(const std::string& directory) {
  std::vector<std::string> records;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error))
    if (entry.path().extension() == ".run" && !has_checkpoint(entry.path())) records.push_back(entry.path().string());
  if (error) throw FileError(directory + ": cannot list directory (" + error.message() + ")");
  std::sort(records.begin(), records.end());
  return records;
}

void require_writable_directory(const std::string& directory) {
  const std::string probe = (std::filesystem::path(directory) / ".homopt-train-write-probe").string();
  try {
    write_file_atomically(probe, "");  // the same create, fsync and rename every save does
  } catch (const FileError& error) {
    throw FileError(directory + ": output folder is not writable (" + error.what() + ")");
  }
  std::error_code ignored;
  std::filesystem::remove(probe, ignored);
}

std::vector<std::string> clean_output_folder(const std::string& directory) {
  std::vector<std::string> removed = remove_stale_temporaries(directory);
  for (const std::string& record : incomplete_records(directory)) {
    std::error_code error;
    if (!std::filesystem::remove(record, error) || error)
      throw FileError(record + ": cannot remove incomplete run record (" + error.message() + ")");
    removed.push_back(record);
  }
  return removed;
}

}  // namespace homopt::train
