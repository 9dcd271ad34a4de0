#!/usr/bin/env bash
# Regenerates crds/ from the Java types (fabric8 CRD generator, printer columns in declared order).
# The build fails (CrdDriftTest) when crds/ differs from what the generator produces.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q -pl operator -am test-compile
mvn -B -ntp -q -pl operator exec:java -Dexec.classpathScope=test \
  -Dexec.mainClass=io.albjobs.operator.crd.CrdGenerator -Dexec.args="$PWD/crds"
echo "crds/ updated:"; ls crds/
