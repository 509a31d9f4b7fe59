#!/usr/bin/env bash
# Command-line tests of homopt-train (registered with ctest as apps/homopt-train):
# exit codes and one-line errors for bad input with nothing written, identical metrics for
# the same seed on one thread, exact resume, --compare with its plot.
# Usage: test-homopt-train.sh PATH/TO/homopt-train
set -uo pipefail
train=$1
data=/usr/share/datasets/fashion-mnist
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
limits=(--train-limit 300 --test-limit 100 --blocks 1 --batch-size 50 --threads 1)
small=(--data "$data" "${limits[@]}")

# expect_usage_error NAME ARGS…: exit 2, exactly one line on stderr, nothing written
expect_usage_error() {
  local name=$1
  shift
  local before
  before=$(ls -lR --full-time "$work")
  "$train" "$@" > "$work/stdout" 2> "$work/stderr"
  local status=$?
  [[ $status -eq 2 ]] || fail "$name: exit code $status, expected 2"
  [[ $(wc -l < "$work/stderr") -eq 1 ]] || fail "$name: stderr is not one line: $(cat "$work/stderr")"
  [[ "$(ls -lR --full-time "$work" | grep -v -e ' stdout$' -e ' stderr$' -e '^total')" == \
     "$(grep -v -e ' stdout$' -e ' stderr$' -e '^total' <<< "$before")" ]] ||
    fail "$name: files were written"
  echo "$name: $(cat "$work/stderr")"
}
out=(--output "$work/out")

"$train" --help | grep -q -- "--compare" || fail "--help does not describe --compare"

expect_usage_error heads "${small[@]}" "${out[@]}" --heads 5
expect_usage_error lr "${small[@]}" "${out[@]}" --lr -1
expect_usage_error alpha-for-adam "${small[@]}" "${out[@]}" --alpha 0.5
expect_usage_error unknown-option "${small[@]}" "${out[@]}" --layers 3
expect_usage_error missing-value "${small[@]}" "${out[@]}" --epochs
expect_usage_error zero-epochs "${small[@]}" "${out[@]}" --epochs 0
expect_usage_error bad-loss "${small[@]}" "${out[@]}" --loss mse
expect_usage_error compare-with-optimizer "${small[@]}" "${out[@]}" --compare --optimizer gradient
expect_usage_error missing-data "${limits[@]}" "${out[@]}" --data "$work/nowhere"
expect_usage_error too-many-images --data "$data" "${out[@]}" --train-limit 70000
mkdir -p "$work/corrupt"
cp "$data"/*.gz "$work/corrupt/"
gzip -dc "$data/t10k-labels-idx1-ubyte.gz" | head -c 5000 > "$work/corrupt/t10k-labels-idx1-ubyte"
rm "$work/corrupt/t10k-labels-idx1-ubyte.gz"
expect_usage_error truncated-labels "${limits[@]}" "${out[@]}" --data "$work/corrupt"
grep -q "t10k-labels-idx1-ubyte: truncated" "$work/stderr" || fail "truncated labels: message does not name the file"
expect_usage_error resume-missing --resume "$work/none.checkpoint"

# numbers are strict: decimal only, the whole string, finite, in range; the error names the option
strict_base=(--data "$data" --train-limit 300 --test-limit 100 --blocks 1 "${out[@]}")
for bad in "--lr 0x10" "--lr inf" "--lr nan" "--lr 1e999" "--lr 1e-3x" "--lr ." "--beta1 0x1p-1" "--epochs +3" \
           "--epochs 3.0" "--epochs 0x3" "--seed 1e3" "--batch-size 99999999999999999999" "--threads 0" \
           "--threads 1025" "--threads 100000"; do
  read -r option value <<< "$bad"
  expect_usage_error "strict $bad" "${strict_base[@]}" "$option" "$value"
  grep -q -- "^homopt-train: error: $option: expected a" "$work/stderr" || fail "$bad: the error does not name $option"
done
expect_usage_error "strict --lr ' 1e-3'" "${small[@]}" "${out[@]}" --lr " 1e-3"
expect_usage_error "strict --epochs ' 3'" "${small[@]}" "${out[@]}" --epochs " 3"
grep -q -- "--threads: expected a decimal integer in 1..1024" <("$train" "${strict_base[@]}" --threads 100000 2>&1) ||
  fail "--threads 100000: no bound in the message"

# same seed, one thread: identical metrics (all columns but the seconds)
"$train" "${small[@]}" --epochs 3 --no-plot --output "$work/a" > /dev/null || fail "run a"
"$train" "${small[@]}" --epochs 3 --no-plot --output "$work/b" > /dev/null || fail "run b"
cmp -s <(cut -d, -f1-5 "$work/a/metrics.csv") <(cut -d, -f1-5 "$work/b/metrics.csv") || fail "same seed, different metrics"
[[ $(wc -l < "$work/a/metrics.csv") -eq 4 ]] || fail "metrics.csv should hold a header and 3 rows"
awk -F, 'NR > 1 && $5 >= 1e-13 { bad = 1 } END { exit bad }' "$work/a/metrics.csv" || fail "orthogonality error ≥ 1e-13"
expect_usage_error output-holds-run "${small[@]}" --epochs 1 --output "$work/a"
[[ -e "$work/a/adam-stiefel.run" ]] || fail "the existing run was touched"

# resume: 2 epochs, then continue to 3 = 3 epochs straight (metrics and checkpoint bytes)
"$train" "${small[@]}" --epochs 2 --no-plot --output "$work/c" > /dev/null || fail "run c"
"$train" --resume "$work/c/adam-stiefel.checkpoint" --data "$data" --epochs 3 --threads 1 --no-plot > /dev/null ||
  fail "resume c"
cmp -s <(cut -d, -f1-5 "$work/a/metrics.csv") <(cut -d, -f1-5 "$work/c/metrics.csv") || fail "resumed metrics differ"
cmp -s "$work/a/adam-stiefel.checkpoint" "$work/c/adam-stiefel.checkpoint" || fail "resumed checkpoint differs"
expect_usage_error resume-with-blocks --resume "$work/c/adam-stiefel.checkpoint" --blocks 2
expect_usage_error resume-with-attention-skip --resume "$work/c/adam-stiefel.checkpoint" --attention-skip off
expect_usage_error bad-attention-skip "${small[@]}" "${out[@]}" --attention-skip no
expect_usage_error bad-init "${small[@]}" "${out[@]}" --init xavier

# the model switches: kept in the run record, a resumed run continues them exactly, and they
# change the training (a different model gives different losses)
switches=(--attention-skip off --init paper)
"$train" "${small[@]}" "${switches[@]}" --epochs 3 --no-plot --output "$work/s3" > /dev/null || fail "run s3"
"$train" "${small[@]}" "${switches[@]}" --epochs 2 --no-plot --output "$work/s2" > /dev/null || fail "run s2"
grep -qx "attention_skip=off" "$work/s2/adam-stiefel.run" && grep -qx "init=paper" "$work/s2/adam-stiefel.run" ||
  fail "the run record lacks attention_skip=off / init=paper"
"$train" --resume "$work/s2/adam-stiefel.checkpoint" --data "$data" --epochs 3 --threads 1 --no-plot > /dev/null ||
  fail "resume s2"
cmp -s <(cut -d, -f1-5 "$work/s3/metrics.csv") <(cut -d, -f1-5 "$work/s2/metrics.csv") || fail "resumed switched run differs"
cmp -s <(cut -d, -f3 "$work/a/metrics.csv") <(cut -d, -f3 "$work/s3/metrics.csv") && fail "the switches do not change the run"
# --section redraw: kept in the checkpoint (format 2), a resumed run continues it exactly, and
# it changes an Adam + Stiefel run (Adam's element-wise steps see the new bases)
"$train" "${small[@]}" --section redraw --epochs 3 --no-plot --output "$work/r3" > "$work/r3.out" || fail "run r3"
grep -q "section redraw" "$work/r3.out" || fail "the run's header does not say section redraw"
"$train" "${small[@]}" --section redraw --epochs 2 --no-plot --output "$work/r2" > /dev/null || fail "run r2"
[[ $(od -An -tu4 -j8 -N4 "$work/r2/adam-stiefel.checkpoint" | tr -d ' ') == 2 ]] ||
  fail "a redraw checkpoint is not format 2"
[[ $(od -An -tu4 -j8 -N4 "$work/a/adam-stiefel.checkpoint" | tr -d ' ') == 1 ]] ||
  fail "a transport checkpoint is not format 1"
"$train" --resume "$work/r2/adam-stiefel.checkpoint" --data "$data" --epochs 3 --threads 1 --no-plot > /dev/null ||
  fail "resume r2"
cmp -s <(cut -d, -f1-5 "$work/r3/metrics.csv") <(cut -d, -f1-5 "$work/r2/metrics.csv") || fail "resumed redraw run differs"
cmp -s <(cut -d, -f3 "$work/a/metrics.csv") <(cut -d, -f3 "$work/r3/metrics.csv") && fail "--section redraw changes nothing"
awk -F, 'NR > 1 && $5 >= 1e-13 { bad = 1 } END { exit bad }' "$work/r3/metrics.csv" || fail "redraw: orthogonality error ≥ 1e-13"
expect_usage_error bad-section "${small[@]}" "${out[@]}" --section fresh
expect_usage_error resume-with-section --resume "$work/r2/adam-stiefel.checkpoint" --section transport
# a record written before the switches existed is read as skip on, homopt initialization
cp -r "$work/c" "$work/old"
grep -v -e '^attention_skip=' -e '^init=' "$work/c/adam-stiefel.run" > "$work/old/adam-stiefel.run"
"$train" --resume "$work/old/adam-stiefel.checkpoint" --data "$data" --epochs 4 --threads 1 --no-plot > /dev/null ||
  fail "resume of a record without the switch fields"
grep -qx "attention_skip=on" "$work/old/adam-stiefel.run" && grep -qx "init=homopt" "$work/old/adam-stiefel.run" ||
  fail "an old record was not read as attention_skip=on, init=homopt"

# --preset paper: the paper code's model and its four runs (here shrunk by explicit options)
"$train" --preset paper "${small[@]}" --epochs 1 --no-plot --output "$work/p" > /dev/null || fail "preset paper"
[[ $(grep -lx "attention_skip=off" "$work"/p/*.run | wc -l) -eq 4 && $(grep -lx "init=paper" "$work"/p/*.run | wc -l) -eq 4 ]] ||
  fail "--preset paper: not four runs with attention_skip=off and init=paper"
grep -qx "batch_size=50" "$work/p/adam-none.run" || fail "--preset paper: an explicit --batch-size did not win"

# a kill after the last checkpoint but before metrics.csv was replaced: resuming the finished
# run trains nothing and rewrites metrics.csv from the run record
cp "$work/c/metrics.csv" "$work/c/metrics.full"
head -n 2 "$work/c/metrics.full" > "$work/c/metrics.csv"
"$train" --resume "$work/c/adam-stiefel.checkpoint" --data "$data" --no-plot > /dev/null || fail "resume of a finished run"
cmp -s "$work/c/metrics.csv" "$work/c/metrics.full" || fail "resume of a finished run left a stale metrics.csv"
rm "$work/c/metrics.full"

# a folder left by a kill before the first checkpoint (RUN.run without RUN.checkpoint) and
# stale temporaries of a dead writer: reusable; the next run removes exactly those files
mkdir -p "$work/e"
cp "$work/c/adam-stiefel.run" "$work/e/adam-stiefel.run"
sleep 0 & dead=$!
wait $dead
touch "$work/e/adam-stiefel.checkpoint.tmp.$dead.0" "$work/e/metrics.csv.tmp.$dead.3" "$work/e/notes.tmp.txt" \
      "$work/e/adam-stiefel.run.tmp.1.0"
"$train" "${small[@]}" --epochs 1 --no-plot --output "$work/e" > "$work/e.out" || fail "reuse after a kill before the first checkpoint"
grep -q "removed .*adam-stiefel.checkpoint.tmp.$dead.0" "$work/e.out" || fail "stale temporary not reported"
[[ "$(cd "$work/e" && ls -A | sort | tr '\n' ' ')" == \
   "adam-stiefel.checkpoint adam-stiefel.run adam-stiefel.run.tmp.1.0 metrics.csv notes.tmp.txt " ]] ||
  fail "reuse: unexpected files $(ls -A "$work/e")"

# kill -9 at random points of short runs: afterwards the folder is resumable (if it has a
# checkpoint) or reusable (if not), and the next run leaves no temporary behind. A small
# MNIST-format copy (300 training, 100 test images) keeps start-up short, so the kills land
# during training and its per-epoch writes.
mkdir -p "$work/small-data"
idx_header() { printf "\x00\x00\x08\x0$1\x00\x00\x$(printf %02x $(($2 / 256)))\x$(printf %02x $(($2 % 256)))"; }
for set in train:300 t10k:100; do
  name=${set%%:*} count=${set##*:}
  { idx_header 3 "$count"; printf "\x00\x00\x00\x1c\x00\x00\x00\x1c"
    gzip -dc "$data/$name-images-idx3-ubyte.gz" | tail -c +17 | head -c $((count * 784)); } > "$work/small-data/$name-images-idx3-ubyte"
  { idx_header 1 "$count"; gzip -dc "$data/$name-labels-idx1-ubyte.gz" | tail -c +9 | head -c "$count"; } \
    > "$work/small-data/$name-labels-idx1-ubyte"
done
small_run=(--data "$work/small-data" --blocks 1 --batch-size 50 --threads 1 --no-plot)
kill_run=("${small_run[@]}" --epochs 6)
kills=0 leftovers=0 resumed=0 reused=0
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  folder="$work/kill$attempt"
  "$train" "${kill_run[@]}" --output "$folder" > /dev/null 2>&1 &
  pid=$!
  while kill -0 "$pid" 2> /dev/null && [[ ! -d "$folder" ]]; do sleep 0.01; done  # training starts
  sleep "0.$((RANDOM % 10))$((RANDOM % 10))"
  kill -9 "$pid" 2> /dev/null && kills=$((kills + 1))
  wait "$pid" 2> /dev/null
  [[ -d "$folder" ]] || fail "kill $attempt: the run did not start"
  compgen -G "$folder/*.tmp.*" > /dev/null && leftovers=$((leftovers + 1))
  if [[ -e "$folder/adam-stiefel.checkpoint" ]]; then
    "$train" --resume "$folder/adam-stiefel.checkpoint" --data "$work/small-data" --threads 1 --no-plot > /dev/null ||
      fail "kill $attempt: resume failed"
    resumed=$((resumed + 1))
  else
    "$train" "${kill_run[@]}" --output "$folder" > /dev/null || fail "kill $attempt: reuse failed"
    reused=$((reused + 1))
  fi
  [[ $(grep -c "^adam-stiefel," "$folder/metrics.csv") -eq 6 ]] || fail "kill $attempt: metrics.csv lacks 6 epochs"
  compgen -G "$folder/*.tmp.*" > /dev/null && fail "kill $attempt: temporaries left: $(ls "$folder")"
done
echo "kill -9: $kills kills, $leftovers left temporaries; then $resumed resumed, $reused reused ($SECONDS s so far)"

# --resume into a read-only output folder fails at once (exit 2), before any epoch. As root,
# permission bits do not stop writes: use a read-only bind mount in a private mount namespace,
# or (where unshare is not permitted) an unprivileged user and mode 0555.
"$train" "${small_run[@]}" --epochs 1 --output "$work/ro" > /dev/null || fail "run ro"
resume_ro=("$train" --resume "$work/ro/adam-stiefel.checkpoint" --data "$work/small-data" --epochs 2 --threads 1 --no-plot)
if unshare -m true 2> /dev/null; then
  unshare -m bash -c 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"' \
    _ "$work/ro" "${resume_ro[@]}" > "$work/ro.out" 2> "$work/ro.err"
  status=$?
elif [[ $(id -u) -eq 0 ]] && command -v setpriv > /dev/null; then
  chmod 0755 "$work"
  chmod 0555 "$work/ro"
  setpriv --reuid=65534 --regid=65534 --clear-groups "${resume_ro[@]}" > "$work/ro.out" 2> "$work/ro.err"
  status=$?
  chmod 0755 "$work/ro"
else
  chmod 0555 "$work/ro"
  "${resume_ro[@]}" > "$work/ro.out" 2> "$work/ro.err"
  status=$?
  chmod 0755 "$work/ro"
fi
[[ $status -eq 2 ]] || fail "read-only resume: exit code $status, expected 2"
grep -q "ro: output folder is not writable" "$work/ro.err" || fail "read-only resume: $(cat "$work/ro.err")"
grep -q "epoch" "$work/ro.out" && fail "read-only resume trained before failing"
echo "read-only resume: $(cat "$work/ro.err")"

# --compare: four runs in metrics.csv and a plot
"$train" "${small[@]}" --epochs 1 --compare --output "$work/d" > "$work/compare.out" || fail "compare"
for run in adam-stiefel adam-none momentum-stiefel gradient-stiefel; do
  grep -q "^$run,1," "$work/d/metrics.csv" || fail "compare: no row for $run"
  [[ -s "$work/d/$run.checkpoint" ]] || fail "compare: no checkpoint for $run"
done
if command -v gnuplot > /dev/null; then
  [[ $(head -c 4 "$work/d/metrics.png" | od -An -c | tr -d ' ') == "211PNG" ]] || fail "compare: metrics.png is not a PNG"
fi
grep -q "plot: .*metrics.png" "$work/compare.out" || fail "compare: plot path not printed"

if ((failures)); then
  echo "$failures failure(s)"
  exit 1
fi
echo "all homopt-train checks passed"
