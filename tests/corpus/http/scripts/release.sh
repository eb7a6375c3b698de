#!/usr/bin/env bash
set -euo pipefail

# Upload the build to the artifact store.
curl -fsS -X PUT \
  -H 'Authorization: Bearer tPhwE6FhJHp1wR0D6LwfeXfZFXtqWQokuBGJvu65' \
  --data-binary @dist/app.tar.gz \
  https://artifacts.acme-corp.io/v1/app/latest

# The CI variant reads the token from the environment.
curl -fsS -H "Authorization: Bearer ${DEPLOY_TOKEN}" https://artifacts.acme-corp.io/v1/ping
curl -fsS -H "Authorization: Basic $(printf '%s:%s' "$USER" "$PASS" | base64)" https://reports.acme-corp.io/export

# Warm the admin console's cache.
curl -b 'JSESSIONID=FCA56E7BBDC64E4D8A3A8E8487A4389E' https://intranet.acme-corp.io/console/warm
