// homopt-train — trains the paper's vision transformer (docs/transformer.md) on MNIST-format data with
// Stiefel-constrained (or unconstrained) attention projections; see --help.
//
// Two phases: everything is validated first (options, data files, model sizes, output
// folder) — any problem is one line on stderr and exit code 2, with nothing written. Then
// the runs train; after each epoch RUN.run (settings and metrics), RUN.checkpoint
// (Optimizer::save), metrics.csv and metrics.png are replaced atomically.
//
// After a kill (even kill -9) at any point the output folder can be resumed from the last
// RUN.checkpoint, or reused as a fresh output if no checkpoint was written yet: the next
// invocation removes the stale PATH.tmp.PID.N temporaries of dead processes and any RUN.run
// that has no RUN.checkpoint (a run killed during its first epoch's writes).
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>

#include "homopt/checkpoint.hpp"
#include "homopt/error.hpp"
#include "progress.hpp"
#include "run_record.hpp"
#include "train_options.hpp"

extern char** environ;

namespace homopt::train {
namespace {

struct CloseFile {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
using OptionalFile = std::unique_ptr<std::FILE, CloseFile>;

/// The file named by the environment variable `variable`, opened for writing (replaced);
/// null if the variable is not set, FileError if the file cannot be written.
OptionalFile open_file_named_by(const char* variable) {
  const char* path = std::getenv(variable);
  if (path == nullptr) return nullptr;
  OptionalFile file(std::fopen(path, "w"));
  if (!file) throw FileError(std::string(variable) + ": cannot write " + path);
  return file;
}

/// The optional per-step loss log named by HOMOPT_TRAIN_STEP_LOG (see --help): one line
/// "RUN STEP LOSS" per optimizer step. The trainer reports the running mean m_k over the
/// images i_k done so far in the epoch, so batch k's loss is (m_k·i_k − m_{k−1}·i_{k−1}) /
/// (i_k − i_{k−1}): exact up to a few units of rounding of the epoch's running sum.
class StepLog {
 public:
  /// Opens (replaces) the file if the variable is set; FileError if it cannot.
  StepLog() : file_(open_file_named_by("HOMOPT_TRAIN_STEP_LOG")) {}
  /// After every batch of run `run`, whose optimizer has now taken `step` steps.
  void record(const std::string& run, std::uint64_t step, const nn::BatchProgress& progress) {
    if (!file_) return;
    if (progress.batch == 1) sum_ = 0, images_ = 0;
    const real sum = progress.running_loss * real(progress.images);
    std::fprintf(file_.get(), "%s %llu %.17g\n", run.c_str(), static_cast<unsigned long long>(step),
                 (sum - sum_) / real(progress.images - images_));
    std::fflush(file_.get());
    sum_ = sum, images_ = progress.images;
  }

 private:
  OptionalFile file_;
  real sum_ = 0;
  uword images_ = 0;
};

/// The optional phase profile named by HOMOPT_TRAIN_PROFILE (see --help): a header line
/// "run epoch phase seconds", then after every epoch one line per nn::Phase with the wall
/// time the epoch spent in it (bench/report.py reads it).
class ProfileLog {
 public:
  /// Opens (replaces) the file if the variable is set; FileError if it cannot.
  ProfileLog() : file_(open_file_named_by("HOMOPT_TRAIN_PROFILE")) {
    if (file_) std::fputs("run epoch phase seconds\n", file_.get());
  }
  /// The profile for the trainers (runs train one after the other): null when not profiling.
  nn::PhaseProfile* profile() { return file_ ? &profile_ : nullptr; }
  /// After epoch `epoch` of run `run`: writes the epoch's phases and restarts them from 0.
  void record(const std::string& run, uword epoch) {
    if (!file_) return;
    for (std::size_t k = 0; k < nn::phase_count; ++k) {
      const auto phase = static_cast<nn::Phase>(k);
      std::fprintf(file_.get(), "%s %lu %s %.9f\n", run.c_str(), static_cast<unsigned long>(epoch),
                   nn::to_string(phase), profile_.seconds(phase));
    }
    std::fflush(file_.get());
    profile_.reset();
  }

 private:
  OptionalFile file_;
  nn::PhaseProfile profile_;
};

/// A run ready to train: its record, model, optimizer and trainer.
struct Run {
  RunRecord record;
  std::unique_ptr<nn::Transformer> model;
  std::unique_ptr<Optimizer> optimizer;
  std::unique_ptr<nn::Trainer> trainer;
};

/// Everything an invocation does, validated.
struct Job {
  Options options;
  std::unique_ptr<data::Dataset> data;  ///< on the heap: trainers keep references into it
  std::string output;
  std::vector<Run> runs;
  std::vector<RunRecord> other_records;  ///< runs in the output folder not trained now
  std::unique_ptr<StepLog> step_log;     ///< opened while planning, so a bad path writes nothing
  std::unique_ptr<ProfileLog> profile_log;  ///< likewise
};

/// The dataset with --train-limit/--test-limit (or a resumed run's image counts) applied.
data::Dataset load_data(const std::string& directory, uword train_count, uword test_count) {
  data::Dataset full = data::read_mnist_directory(directory);
  for (auto [count, set, option] : {std::make_tuple(train_count, &full.train, "--train-limit"),
                                    std::make_tuple(test_count, &full.test, "--test-limit")})
    if (count > set->size())
      throw UsageError(std::string(option) + ": " + std::to_string(count) + " images asked for, " + directory +
                       " has " + std::to_string(set->size()));
  data::Dataset subset;
  subset.train = data::first_samples(full.train, train_count == 0 ? full.train.size() : train_count);
  subset.test = data::first_samples(full.test, test_count == 0 ? full.test.size() : test_count);
  return subset;
}

void make_trainer(Job& job, Run& run) {
  const RunRecord& r = run.record;
  run.trainer = std::make_unique<nn::Trainer>(*run.model, *run.optimizer, job.data->train, job.data->test, r.loss,
                                              r.batch_size, r.seed);
}

Job plan_fresh(const Options& options) {
  Job job;
  job.options = options;
  job.output = options.output;
  if (std::filesystem::exists(job.output)) {
    if (!std::filesystem::is_directory(job.output)) throw UsageError("--output: " + job.output + " is not a directory");
    const std::vector<std::string> incomplete = incomplete_records(job.output);  // reused: removed at the start
    for (const auto& entry : std::filesystem::directory_iterator(job.output))
      if ((entry.path().extension() == ".run" &&
           std::find(incomplete.begin(), incomplete.end(), entry.path().string()) == incomplete.end()) ||
          entry.path().extension() == ".checkpoint")
        throw UsageError("--output: " + job.output + " already holds a run (" + entry.path().filename().string() +
                         "); choose another folder or --resume its checkpoint");
    require_writable_directory(job.output);
  }
  job.data = std::make_unique<data::Dataset>(load_data(options.data, options.train_limit, options.test_limit));
  const uword batches = (job.data->train.size() + options.batch_size - 1) / options.batch_size;
  std::vector<RunSpec> specs = run_specs(options, static_cast<std::uint64_t>(batches) * options.epochs);
  job.runs.resize(specs.size());
  for (std::size_t k = 0; k < specs.size(); ++k) {
    Run& run = job.runs[k];
    RunRecord& r = run.record;
    r.name = specs[k].name;
    r.order = k;
    r.optimizer = specs[k].optimizer;
    r.constraint = specs[k].constraint;
    r.loss = options.loss;
    r.shape = options.shape;
    r.initialization = options.initialization;
    r.batch_size = options.batch_size;
    r.seed = options.seed;
    r.train_images = job.data->train.size();
    r.test_images = job.data->test.size();
    r.epochs = options.epochs;
    run.model = std::make_unique<nn::Transformer>(r.shape, r.constraint);
    // The complements of SectionPolicy::redraw come from the seed's item 2³² (the items
    // below it seed the parameters' initial values).
    run.optimizer = std::make_unique<Optimizer>(*specs[k].method, options.retraction, options.section_policy,
                                                derived_seed(r.seed, std::uint64_t(1) << 32));
    run.model->add_parameters(*run.optimizer, r.seed, r.initialization);
    make_trainer(job, run);
  }
  return job;
}

Job plan_resume(const Options& options) {
  Job job;
  job.options = options;
  const std::string record_file = record_path_for_checkpoint(options.resume);
  Run run;
  run.optimizer = std::make_unique<Optimizer>(Optimizer::load(options.resume));
  run.record = RunRecord::from_text(read_file(record_file), record_file);
  run.model = std::make_unique<nn::Transformer>(run.record.shape, run.record.constraint);
  run.model->check_parameters(*run.optimizer, options.resume);
  job.output = std::filesystem::path(options.resume).parent_path().string();
  if (job.output.empty()) job.output = ".";
  require_writable_directory(job.output);  // now, not after an epoch of training
  job.data = std::make_unique<data::Dataset>(load_data(options.data, run.record.train_images, run.record.test_images));
  make_trainer(job, run);
  // RUN.run is written before RUN.checkpoint: rows beyond the checkpoint are dropped.
  const uword done = run.trainer->epochs_completed();
  if (run.record.metrics.size() < done)
    throw FileError(record_file + ": holds " + std::to_string(run.record.metrics.size()) +
                    " epochs of metrics, the checkpoint " + std::to_string(done));
  run.record.metrics.resize(done);
  if (options.was_given("epochs")) run.record.epochs = options.epochs;
  for (RunRecord& other : read_records(job.output))
    if (other.name != run.record.name) job.other_records.push_back(std::move(other));
  job.runs.push_back(std::move(run));
  return job;
}

/// Calls scripts/plot-metrics (gnuplot) on metrics.csv; a failure is a warning, once.
void plot(const std::string& csv, const std::string& png) {
  static bool warned = false;
  const char* override_path = std::getenv("HOMOPT_PLOT_METRICS");
  const std::string script = override_path != nullptr ? override_path : HOMOPT_PLOT_SCRIPT;
  const char* arguments[] = {script.c_str(), csv.c_str(), png.c_str(), nullptr};
  pid_t child = 0;
  int status = 0;
  const bool ok = ::posix_spawn(&child, script.c_str(), nullptr, nullptr, const_cast<char* const*>(arguments),
                                environ) == 0 &&
                  ::waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!ok && !warned) {
    std::fprintf(stderr, "homopt-train: warning: %s failed; no plot (metrics.csv is complete)\n", script.c_str());
    warned = true;
  }
}

/// Rewrites metrics.csv (and the plot) from every run of the output folder.
void write_metrics(const Job& job) {
  std::vector<RunRecord> records = job.other_records;
  for (const Run& run : job.runs) records.push_back(run.record);
  std::sort(records.begin(), records.end(),
            [](const RunRecord& a, const RunRecord& b) { return a.order != b.order ? a.order < b.order : a.name < b.name; });
  const std::string csv = (std::filesystem::path(job.output) / "metrics.csv").string();
  write_file_atomically(csv, metrics_csv(records));
  if (job.options.plot) plot(csv, (std::filesystem::path(job.output) / "metrics.png").string());
}

void execute(Job& job) {
  std::filesystem::create_directories(job.output);
  for (const std::string& removed : clean_output_folder(job.output))
    std::printf("removed %s (left by a killed run)\n", removed.c_str());
  const bool terminal = ::isatty(STDERR_FILENO) == 1;
  bool trained_an_epoch = false;
  for (Run& run : job.runs) {
    RunRecord& r = run.record;
    std::printf("%s: %s, %lu blocks (attention skip %s, %s init, section %s), batch %lu, %lu training and %lu test images, %lu epochs, %d threads\n",
                r.name.c_str(), run.optimizer->method().description().c_str(), static_cast<unsigned long>(r.shape.blocks),
                r.shape.attention_skip ? "on" : "off", nn::to_string(r.initialization),
                to_string(run.optimizer->section_policy()),
                static_cast<unsigned long>(r.batch_size), static_cast<unsigned long>(r.train_images),
                static_cast<unsigned long>(r.test_images), static_cast<unsigned long>(r.epochs), nn::thread_count());
    std::fflush(stdout);
    run.trainer->set_profile(job.profile_log->profile());
    while (run.trainer->epochs_completed() < r.epochs) {
      const uword epoch = run.trainer->epochs_completed() + 1;
      ProgressDisplay display(r.name + " " + std::to_string(epoch) + "/" + std::to_string(r.epochs), terminal);
      const nn::EpochSummary summary = run.trainer->train_epoch([&](const nn::BatchProgress& p) {
        display.update(p);
        job.step_log->record(r.name, run.optimizer->step_count(), p);
      });
      display.finish();
      job.profile_log->record(r.name, summary.epoch);
      r.metrics.push_back({summary.epoch, summary.train_loss, summary.test_accuracy, summary.max_orthogonality_error,
                           summary.seconds});
      write_file_atomically(record_path(job.output, r.name), r.to_text());  // first: see plan_resume
      run.optimizer->save(checkpoint_path(job.output, r.name));
      write_metrics(job);
      trained_an_epoch = true;
      std::printf("%s epoch %lu/%lu: train loss %.6f  test accuracy %.4f  max|PᵀP−I| %.2e  %.2f s (%.0f img/s)\n",
                  r.name.c_str(), static_cast<unsigned long>(summary.epoch), static_cast<unsigned long>(r.epochs),
                  summary.train_loss, summary.test_accuracy, summary.max_orthogonality_error, summary.seconds,
                  r.train_images / summary.seconds);
      std::fflush(stdout);
    }
  }
  // A run killed after its last checkpoint but before metrics.csv was replaced resumes with
  // nothing left to train: metrics.csv is then rewritten here, so it always matches the checkpoints.
  if (!trained_an_epoch) write_metrics(job);
  const std::filesystem::path output(job.output);
  std::printf("metrics:     %s\n", (output / "metrics.csv").c_str());
  if (job.options.plot) std::printf("plot:        %s\n", (output / "metrics.png").c_str());
  for (const Run& run : job.runs)
    std::printf("checkpoint:  %s\n", checkpoint_path(job.output, run.record.name).c_str());
}

}  // namespace
}  // namespace homopt::train

int main(int argc, char** argv) {
  using namespace homopt::train;
  Job job;
  try {
    const Options options = parse_options(argc, argv);
    if (options.help) {
      std::fputs(help_text().c_str(), stdout);
      return 0;
    }
    homopt::nn::set_thread_count(options.threads);
    job = options.resume.empty() ? plan_fresh(options) : plan_resume(options);
    job.step_log = std::make_unique<StepLog>();
    job.profile_log = std::make_unique<ProfileLog>();
  } catch (const std::exception& error) {  // UsageError, FileError, InvalidArgument, …
    std::fprintf(stderr, "homopt-train: error: %s\n", error.what());
    return 2;
  }
  try {
    execute(job);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "homopt-train: error: %s\n", error.what());
    return 1;
  }
  return 0;
}
