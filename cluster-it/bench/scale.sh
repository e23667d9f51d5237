#!/usr/bin/env bash
# The standalone cluster's scale figure (issue: Flink cluster + Kubernetes, part 5): throughput of the job jar with
# the bundled model on 1 TaskManager x 1 slot against 2 TaskManagers x 1 slot, same frames, one ONNX Runtime thread
# per slot. Run it on a quiet machine from the repository root; it builds what it needs (with the job jar).
# Usage: cluster-it/bench/scale.sh [FRAMES_PER_CAMERA] [ROUNDS]      (16 cameras; defaults 30 and 2)
set -euo pipefail
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); cores: $(nproc)"
mvn -B -q -pl cluster-it -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=ClusterScaleBench -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dscale.framesPerCamera="${1:-30}" -Dscale.rounds="${2:-2}" >/dev/null 2>&1 || echo "the benchmark failed: see cluster-it/target/failsafe-reports"
# Failsafe keeps the test's standard output in its report folder
grep -h -E "^(scale:|cluster|1 Task|2 Task|ratio)" cluster-it/target/failsafe-reports/*ClusterScaleBench-output.txt
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
