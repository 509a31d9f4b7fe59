#!/usr/bin/env bash
# Tests of scripts/paper-summary and scripts/paper-table (registered with ctest as
# apps/paper-scripts): the verdict line for each combination of the two Adam runs around the
# 0.20 threshold, the last epoch counting, a usage error for a missing file; the seed table's
# rows, plateau exits and counts, and the merged metrics file.
set -uo pipefail
summary=$1
table=$2
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

# paper-table: two seeds, one run leaves the plateau at epoch 2 on seed 1 only
printf 'run,epoch,train_loss,test_accuracy,max_orthogonality_error,seconds\n' > "$work/s1.csv"
printf 'adam-stiefel,1,1.3,0.10,2e-15,1\nadam-stiefel,2,1.1,0.25,3e-15,1\nadam-none,1,1.34,0.10,1.5,1\nadam-none,2,1.34,0.10,2.5,1\n' >> "$work/s1.csv"
printf 'run,epoch,train_loss,test_accuracy,max_orthogonality_error,seconds\nadam-stiefel,1,1.3,0.10,4e-15,1\nadam-stiefel,2,1.34,0.19,5e-15,1\n' > "$work/s2.csv"
"$table" --merged "$work/merged.csv" "1:$work/s1.csv" "2:$work/s2.csv" > "$work/table.md" || { echo "FAIL: paper-table"; failures=$((failures + 1)); }
expect_line() {
  if grep -qF -- "$1" "$work/table.md"; then echo "ok: table has $1"; else echo "FAIL: table lacks $1"; failures=$((failures + 1)); fi
}
expect_line "| adam-stiefel | 1 | 2 | 0.100 / 0.250 / – / – / **0.250** | 2 | 1.1000 | 3.0e-15 |"
expect_line "| adam-stiefel | 2 | 2 | 0.100 / 0.190 / – / – / **0.190** | never | 1.3400 | 5.0e-15 |"
expect_line "| adam-none | 1 | 2 | 0.100 / 0.100 / – / – / **0.100** | never | 1.3400 | 2.5e+00 |"
expect_line "| adam-stiefel | 1 of 2 |"
[[ $(grep -c '^adam-stiefel-s2,' "$work/merged.csv") -eq 2 ]] || { echo "FAIL: merged.csv lacks adam-stiefel-s2"; failures=$((failures + 1)); }
"$table" "nonsense.csv" > /dev/null 2>&1 && { echo "FAIL: paper-table accepted an argument without SEED:"; failures=$((failures + 1)); }

echo "$failures failed"
exit $((failures > 0))
