#!/usr/bin/env bash
# Makes the io tests' TLS material in DIR with the openssl CLI: a test CA,
# a server certificate it signs (names localhost and 127.0.0.1), and an
# unrelated CA the server certificate does not chain to.
set -euo pipefail
dir=$1
mkdir -p "$dir"
cd "$dir"
days=30
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days $days \
    -subj "/CN=flatamqp test CA" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout other-ca.key -out other-ca.pem -days $days \
    -subj "/CN=flatamqp other CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr \
    -subj "/CN=localhost" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' >server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days $days \
    -extfile server.ext 2>/dev/null
echo "certificates in $dir"
