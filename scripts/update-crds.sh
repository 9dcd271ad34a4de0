#!/usr/bin/env bash
# Regenerates the CRDs from the Java types (fabric8 CRD generator) and copies them to crds/.
# The build fails (CrdDriftTest) when crds/ differs from what the generator produces.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q -pl operator -am process-classes
for f in operator/target/classes/META-INF/fabric8/*.albjobs.io-v1.yml; do
  cp "$f" "crds/$(basename "$f" .yml).yaml"
done
echo "crds/ updated:"; ls crds/
