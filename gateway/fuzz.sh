#!/usr/bin/env bash
# A long fuzzing run of one harness with Jazzer's own driver (the build runs each for a few seconds only).
#   gateway/fuzz.sh HARNESS [SECONDS]     HARNESS: decoder | classification | hosts | notices; SECONDS: default 600
# New interesting inputs go to target/fuzz-corpus/HARNESS (the committed seeds are read, never written); a crash,
# a leak or a hang is written to target/fuzz-findings/HARNESS and the run stops with its stack trace. A finding
# becomes a seed of the harness's Inputs directory (it is then replayed by every build) and a fix. Memory is bounded
# by the JVM's -Xmx (a Java OutOfMemoryError is a finding), not by libFuzzer's RSS limit, which a JVM passes anyway.
set -euo pipefail
cd "$(dirname "$0")/.."
harness=${1:?usage: gateway/fuzz.sh decoder|classification|hosts|notices [seconds]}
seconds=${2:-600}
case "$harness" in
  decoder)        class=net.passerelle.gateway.http.StrictDecoderFuzzTest; seeds=requestBytes ;;
  classification) class=net.passerelle.gateway.policy.ClassificationFuzzTest; seeds=classify ;;
  hosts)          class=net.passerelle.gateway.routing.HostNormalizerFuzzTest; seeds=normalize ;;
  notices)        class=net.passerelle.gateway.notice.NoticeNegotiationFuzzTest; seeds=negotiate ;;
  *) echo "unknown harness $harness" >&2; exit 2 ;;
esac
./mvnw -q -B -pl gateway -am test-compile -DskipTests
cp=gateway/target/test-classes:gateway/target/classes:admin-api/target/classes
cp=$cp:$(cd gateway && ../mvnw -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/dev/stdout)
seed_dir=gateway/src/test/resources/${class%.*}; seed_dir=${seed_dir//.//}/${class##*.}Inputs/$seeds
corpus=gateway/target/fuzz-corpus/$harness; findings=gateway/target/fuzz-findings/$harness
mkdir -p "$corpus" "$findings"
exec java -cp "$cp" com.code_intelligence.jazzer.Jazzer \
  --target_class="$class" --instrumentation_includes='net.passerelle.**' \
  --jvm_args='-Dio.netty.leakDetection.level=paranoid:-Xmx512m' \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=0 -artifact_prefix="$findings/" \
  "$corpus" "$seed_dir"
