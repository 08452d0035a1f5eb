#!/usr/bin/env bash
# The main job, as far as the generator goes today: build, validate the example blueprints, and
# show what a broken blueprint's diagnostics look like.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent build
node bin/saas-gen.js validate examples/*/blueprint.yaml
broken=$(mktemp --suffix=.yaml)
trap 'rm -f "$broken"' EXIT
sed -e 's/isolation: pooled/isolaton: pooled/' -e 's/on: UserInvited,/on: UserInvitd,/' \
  examples/acme-analytics/blueprint.yaml >"$broken"
echo
echo "A blueprint with two mistakes:"
node bin/saas-gen.js validate "$broken" || echo "(exit $?: the blueprint is invalid, as expected)"
