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
