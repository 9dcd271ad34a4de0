#!/usr/bin/env bash
# Regenerates the GitOps health-check fixtures (gitops/argocd/resource_customizations/albjobs.io/
# {AsyncJob,AsyncJobWatch}/testdata) from the operator's own status code. GitopsFixturesTest
# fails the build when the committed fixtures differ from what that code writes; after running
# this, review the diff and run gitops/run-all.sh (a changed status may change a health).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q -pl operator -am test -Dtest=GitopsFixturesTest -Dalbjobs.updateTestdata=true \
  -Dsurefire.failIfNoSpecifiedTests=false
git status --short gitops/
