#!/usr/bin/env bash
# Copies the generated CRDs (crds/*.yaml) into the chart (helm/alb-asyncjob-operator/crds/), so the
# chart installs exactly what the Java types generate. Run it after scripts/update-crds.sh;
# scripts/chart-check.sh fails when the copies differ. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
src=crds
dst=helm/alb-asyncjob-operator/crds
mkdir -p "$dst"
shopt -s nullglob
srcs=("$src"/*.yaml)
if [ ${#srcs[@]} -eq 0 ]; then
  echo "sync-chart-crds: no CRDs in $src/" >&2
  exit 1
fi
# Drop chart copies whose source is gone, then copy byte for byte.
for f in "$dst"/*.yaml; do
  [ -e "$src/$(basename "$f")" ] || { rm -f "$f"; echo "removed $f"; }
done
for f in "${srcs[@]}"; do
  if ! cmp -s "$f" "$dst/$(basename "$f")"; then
    cp "$f" "$dst/"
    echo "copied $f -> $dst/"
  fi
done
echo "sync-chart-crds: $dst matches $src (${#srcs[@]} CRDs)"
