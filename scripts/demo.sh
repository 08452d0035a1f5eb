#!/usr/bin/env bash
# The main job: generate the reference product from its blueprint, install it, start it on the
# embedded default (in-process bus + SQLite), sign up a tenant and follow it to Active.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent build
node bin/saas-gen.js validate examples/*/blueprint.yaml

product=.demo/acme-analytics
rm -rf .demo
# The product pins saas-gen as a devDependency, and saas-gen is on no public registry: its install
# goes through a local one that has this build published (every other package comes from npmjs).
npx tsx scripts/local-registry.ts --no-build -- \
  node bin/saas-gen.js new "$product" --blueprint examples/acme-analytics/blueprint.yaml

port=${PORT:-3999}
token=demo-admin-token
log=.demo/server.log
(cd "$product" && PORT=$port ADMIN_TOKEN=$token LOG_LEVEL=warn exec npm start) >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; pkill -f "$product" 2>/dev/null || true' EXIT

for _ in $(seq 1 120); do
  curl -fs "localhost:$port/health" >/dev/null 2>&1 && break
  sleep 0.5
done
echo
echo "The product runs on http://localhost:$port (log: $log). Signing up a tenant:"
response=$(curl -fs -X POST "localhost:$port/tenants" -H 'content-type: application/json' \
  -d '{"slug":"demo-co","name":"Demo Co","edition":"pro","owner":{"email":"owner@demo.test","name":"Dana"}}')
echo "$response"
tenant=$(node -e 'console.log(JSON.parse(process.argv[1]).tenantId)' "$response")
for _ in $(seq 1 60); do
  state=$(curl -fs "localhost:$port/tenants/$tenant" -H "authorization: Bearer $token" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).state))')
  [ "$state" = Active ] && break
  sleep 0.5
done
echo
echo "GET /tenants/$tenant"
curl -fs "localhost:$port/tenants/$tenant" -H "authorization: Bearer $token"
echo
echo
echo "Its timeline:"
curl -fs "localhost:$port/tenants/$tenant/timeline" -H "authorization: Bearer $token" |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const e of JSON.parse(s).entries)console.log(`  ${e.at}  ${e.action.padEnd(18)} ${e.fromState ?? "-"} -> ${e.toState ?? "-"}`)})'
echo
echo "The owner's activation e-mail: $(ls "$product"/data/mail)"
[ "$state" = Active ] || { echo "the tenant did not become Active" >&2; exit 1; }
