#!/usr/bin/env bash
# Makes throwaway certificates for the TLS tests in DIR: a cluster CA (ca.crt) with a server
# certificate for 127.0.0.1/localhost (server.crt/.key) and a client certificate
# (client.crt/.key), a second server certificate (server2, for rotation), and a second, untrusted CA with its own client certificate
# (rogue-client.crt/.key). EC P-256 keys: fast to make.
set -euo pipefail
dir=$1
mkdir -p "$dir"
cd "$dir"
ca() {  # name
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=$1" -keyout "$1.key" -out "$1.crt" 2>/dev/null
}
leaf() {  # name ca extensions
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1" \
    -keyout "$1.key" -out "$1.csr" 2>/dev/null
  printf '%s\n' "$3" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial -days 2 \
    -extfile "$1.ext" -out "$1.crt" 2>/dev/null
}
ca ca
ca rogue-ca
leaf server ca "subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth"
leaf server2 ca "subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth"
leaf client ca "extendedKeyUsage=clientAuth"
leaf rogue-client rogue-ca "extendedKeyUsage=clientAuth"
