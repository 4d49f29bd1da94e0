#!/bin/sh
# Generates the committed test certificates. Requires only openssl (3.x).
# Self-signed EC P-256 certificates with arbitrary validity windows, made with
# `openssl ca -selfsign` because `openssl x509 -days` cannot back-date notBefore.
set -e
OUT=$(cd "${1:-.}" && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cd "$W"
mkdir -p db && : > db/index.txt && echo 1000 > db/serial
cat > ca.cnf <<'CNF'
[ ca ]
default_ca = tca
[ tca ]
dir = .
database = ./db/index.txt
serial = ./db/serial
new_certs_dir = ./db
default_md = sha256
policy = pol
unique_subject = no
copy_extensions = copy
email_in_dn = no
[ pol ]
commonName = supplied
organizationName = optional
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = placeholder
CNF
mk() { # name cn sans start end  (sans "": no subjectAltName extension)
  openssl ecparam -name prime256v1 -genkey -noout -out "$1.key"
  if [ -n "$3" ]; then SAN="-addext subjectAltName=$3"; else SAN=""; fi
  # shellcheck disable=SC2086
  openssl req -new -key "$1.key" -subj "/O=wirewhy test/CN=$2" $SAN \
    -addext "basicConstraints=critical,CA:FALSE" -config ca.cnf -out "$1.csr"
  openssl ca -batch -config ca.cnf -selfsign -keyfile "$1.key" -in "$1.csr" \
    -startdate "$4" -enddate "$5" -notext -out "$1.pem" 2>/dev/null
  openssl x509 -in "$1.pem" -outform DER -out "$1.der"
}
mk valid www.example.com "DNS:www.example.com,DNS:example.com,DNS:*.cdn.example.com" 20240101000000Z 20491231235959Z
mk expired expired.example.com "DNS:expired.example.com" 20200101000000Z 20210101000000Z
mk not-yet-valid future.example.com "DNS:future.example.com" 20900101000000Z 20910101000000Z
mk no-san mail02 "" 20240101000000Z 20491231235959Z
cp valid.pem valid.der expired.pem expired.der not-yet-valid.pem not-yet-valid.der no-san.pem no-san.der "$OUT"
