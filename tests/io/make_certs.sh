#!/usr/bin/env bash
# Makes the io tests' TLS material in DIR with the openssl CLI: a test CA,
# a server certificate it signs (names localhost and 127.0.0.1), an
# unrelated CA the server certificate does not chain to, and a certificate
# from the test CA for another name only (wrong.example: a host name
# mismatch when reached as localhost or 127.0.0.1).
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
openssl req -newkey rsa:2048 -nodes -keyout wrong-name.key -out wrong-name.csr \
    -subj "/CN=wrong.example" 2>/dev/null
printf 'subjectAltName=DNS:wrong.example\nbasicConstraints=CA:FALSE\n' >wrong-name.ext
openssl x509 -req -in wrong-name.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out wrong-name.pem -days $days \
    -extfile wrong-name.ext 2>/dev/null
echo "certificates in $dir"
