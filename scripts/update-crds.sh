#!/usr/bin/env bash
# Regenerates crds/ from the Java types (fabric8 CRD generator, descriptions, printer columns in
# declared order), the chart's copy, and docs/api.md (the API reference, from crds/ and the reason
# list in sync/Reasons.java). The build fails (CrdDriftTest, ApiReferenceTest) when they differ.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q -pl operator -am test-compile
mvn -B -ntp -q -pl operator exec:java -Dexec.classpathScope=test \
  -Dexec.mainClass=io.albjobs.operator.crd.CrdGenerator -Dexec.args="$PWD/crds"
mvn -B -ntp -q -pl operator exec:java -Dexec.classpathScope=test \
  -Dexec.mainClass=io.albjobs.operator.crd.ApiReference -Dexec.args="$PWD/crds $PWD/docs/api.md"
scripts/sync-chart-crds.sh
echo "crds/ and docs/api.md updated:"; ls crds/
