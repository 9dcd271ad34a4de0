#!/usr/bin/env bash
# Regenerates crds/ from the Java types (fabric8 CRD generator, descriptions, printer columns in
# declared order), the chart's copy, and docs/api.md (the API reference, from crds/ and the reason
# list in status/Reasons.java). The build fails (CrdDriftTest, ApiReferenceTest) when they differ.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q -pl operator -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/test.classpath > /dev/null
classpath="operator/target/test-classes:operator/target/classes:$(cat operator/target/test.classpath)"
java -cp "$classpath" io.albjobs.operator.crd.CrdGenerator "$PWD/crds"
java -cp "$classpath" io.albjobs.operator.crd.ApiReference "$PWD/crds" "$PWD/docs/api.md"
scripts/sync-chart-crds.sh
echo "crds/ and docs/api.md updated:"; ls crds/
