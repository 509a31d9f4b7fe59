#!/usr/bin/env bash
# Tests of scripts/paper-summary (registered with ctest as apps/paper-summary): the verdict
# line for each combination of the two Adam runs around the 0.20 threshold, the last epoch
# counting, and a usage error for a missing file.
set -uo pipefail
summary=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
# check NAME STIEFEL_ACCURACY NONE_ACCURACY EXPECTED_TEXT
check() {
  printf 'run,epoch,train_loss,test_accuracy,max_orthogonality_error,seconds\n' > "$work/m.csv"
  printf 'adam-stiefel,1,1.3,0.10,1e-15,1\nadam-stiefel,2,1.2,%s,1e-15,1\n' "$2" >> "$work/m.csv"
  printf 'adam-none,1,1.3,0.30,3,1\nadam-none,2,1.34,%s,3,1\n' "$3" >> "$work/m.csv"
  local line
  line=$("$summary" "$work/m.csv")
  if [[ $line == *"$4"* ]]; then echo "ok: $1"; else echo "FAIL: $1: $line"; failures=$((failures + 1)); fi
}
check shown 0.2156 0.1000 "adam-stiefel left the plateau (test accuracy 0.216 after epoch 2); adam-none stayed on the one-class plateau (test accuracy 0.100 after epoch 2) — the constraint gets Adam off the plateau"
check both-stuck 0.1999 0.1000 "does not show the paper's effect"
check both-trained 0.5 0.2 "adam-none left the plateau"
"$summary" "$work/nowhere.csv" 2> /dev/null && { echo "FAIL: a missing file is not an error"; failures=$((failures + 1)); }
echo "$failures failed"
exit $((failures > 0))
