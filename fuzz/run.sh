#!/bin/sh
# Fuzz one target: seeds the corpus from the example plans, the UI fixtures and the rule
# fixtures, then runs libFuzzer with the language's dictionary.
#   fuzz/run.sh parse 1800        # target, seconds
# The timeout is 30 s per input: the instrumented build runs about 40x slower than a release
# build, and the costliest legal rule (one that reaches the 200,000-step work limit) takes
# about 0.2 s in release.
set -e
cd "$(dirname "$0")"
target=${1:?usage: fuzz/run.sh TARGET [SECONDS]}
secs=${2:-600}
mkdir -p corpus/seed "corpus/$target"
cp ../specs/*.mla ../tests/ui/*.mla ../stdlib/rules/*/*_test.mla corpus/seed/
exec cargo +nightly fuzz run "$target" "corpus/$target" corpus/seed -- \
  -dict=mla.dict -max_total_time="$secs" -max_len=8192 -timeout=30 -rss_limit_mb=4096
