#!/usr/bin/env bash
# Regenerates the example's self-signed certificate for localhost (ECDSA P-256, 20 years), so
# `flotilla check` and `up` work on a fresh clone with no other set-up. A demo certificate only:
# for a real host use your CA's files (TLS_CERT / TLS_KEY) or `tls: { acme: ... }`.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p certs
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 7300 \
  -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
  -keyout certs/privkey.pem -out certs/fullchain.pem 2>/dev/null
chmod 600 certs/privkey.pem
echo "wrote certs/fullchain.pem and certs/privkey.pem (localhost, valid 20 years)"
