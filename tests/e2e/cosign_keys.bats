#!/usr/bin/env bats
# cosign's encrypted key files (ENCRYPTED SIGSTORE PRIVATE KEY), written and read by cairn.
#
# The real cosign is not available here, so compatibility is proven against an independent
# implementation of the same format: Debian's python3 with hashlib.scrypt (the standard library),
# PyNaCl's SecretBox (python3-nacl) and python3-cryptography for the PKCS#8 DER. It decrypts what
# `cairn keygen --cosign` writes, and writes keys that cairn must load and sign with.

load helpers

# Debian's python3, which the Debian packages above are installed for (not a pyenv one on PATH).
PY=/usr/bin/python3

# The independent implementation, following go-securesystemslib's encrypted package:
#   cosign.py decrypt KEY PUB            checks KEY decrypts with $COSIGN_PASSWORD to the key in PUB
#   cosign.py encrypt PKCS8PEM OUT [N R P LABEL]   writes OUT in cosign's format
write_cosign_py() {
	cat >cosign.py <<'EOF'
import base64, hashlib, json, os, sys
import nacl.secret
from cryptography.hazmat.primitives import serialization

def pem_body(text, labels):
    lines = text.strip().splitlines()
    label = lines[0][len("-----BEGIN "):-len("-----")]
    assert label in labels, "unexpected label " + label
    assert lines[-1] == "-----END %s-----" % label
    assert all(len(l) <= 64 for l in lines[1:-1]), "PEM lines longer than 64"
    return base64.b64decode("".join(lines[1:-1]), validate=True)

def box_key(password, kdf):
    params = kdf["params"]
    return hashlib.scrypt(password, salt=base64.b64decode(kdf["salt"]), n=params["N"], r=params["r"],
                          p=params["p"], maxmem=512 * 1024 * 1024, dklen=32)

def decrypt(key_path, pub_path):
    password = os.environb[b"COSIGN_PASSWORD"]
    doc = json.loads(pem_body(open(key_path).read(), ["ENCRYPTED SIGSTORE PRIVATE KEY"]))
    assert list(doc) == ["kdf", "cipher", "ciphertext"], list(doc)
    kdf = doc["kdf"]
    assert kdf["name"] == "scrypt" and kdf["params"] == {"N": 65536, "r": 8, "p": 1}, kdf
    assert len(base64.b64decode(kdf["salt"])) == 32
    assert doc["cipher"]["name"] == "nacl/secretbox"
    nonce = base64.b64decode(doc["cipher"]["nonce"])
    assert len(nonce) == 24
    der = nacl.secret.SecretBox(box_key(password, kdf)).decrypt(base64.b64decode(doc["ciphertext"]), nonce)
    private = serialization.load_der_private_key(der, password=None)
    mine = private.public_key().public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
    theirs = serialization.load_pem_public_key(open(pub_path, "rb").read()).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert mine == theirs, "the decrypted private key does not match the public key"
    print("decrypted", type(private).__name__)

def encrypt(pem_path, out_path, n=65536, r=8, p=1, label="ENCRYPTED SIGSTORE PRIVATE KEY"):
    password = os.environb[b"COSIGN_PASSWORD"]
    private = serialization.load_pem_private_key(open(pem_path, "rb").read(), password=None)
    der = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    kdf = {"name": "scrypt", "params": {"N": int(n), "r": int(r), "p": int(p)},
           "salt": base64.b64encode(os.urandom(32)).decode()}
    nonce = os.urandom(24)
    sealed = nacl.secret.SecretBox(box_key(password, kdf)).encrypt(der, nonce).ciphertext
    doc = {"kdf": kdf, "cipher": {"name": "nacl/secretbox", "nonce": base64.b64encode(nonce).decode()},
           "ciphertext": base64.b64encode(sealed).decode()}
    body = base64.b64encode(json.dumps(doc, separators=(",", ":")).encode()).decode()
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    with open(out_path, "w") as f:
        f.write("-----BEGIN %s-----\n%s\n-----END %s-----\n" % (label, "\n".join(lines), label))

if __name__ == "__main__":
    {"decrypt": decrypt, "encrypt": encrypt}[sys.argv[1]](*sys.argv[2:])
EOF
	"$PY" -c 'import nacl.secret, cryptography' || {
		echo "python3-nacl and python3-cryptography are needed (scripts/deps installs them)" >&2
		return 1
	}
}

@test "keygen --cosign writes cosign.key and cosign.pub by default" {
	COSIGN_PASSWORD=secret run --separate-stderr cairn keygen --cosign
	expect_status 0
	expect_stderr "cosign format"
	[ "$(stat -c %a cosign.key)" = 600 ]
	[ "$(head -1 cosign.key)" = "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----" ]
	grep -q -- '-----BEGIN PUBLIC KEY-----' cosign.pub
	openssl pkey -pubin -in cosign.pub -noout
	COSIGN_PASSWORD=secret run --separate-stderr cairn keygen --cosign
	expect_status 2
	expect_stderr "cosign.key already exists"
}

@test "an independent scrypt + secretbox implementation decrypts keys cairn writes, for every type" {
	write_cosign_py
	for type in ecdsa-p256 ecdsa-p384 ed25519; do
		COSIGN_PASSWORD="pass $type" cairn keygen --cosign --type "$type" --output-key-prefix "$type"
		COSIGN_PASSWORD="pass $type" "$PY" cosign.py decrypt "$type.key" "$type.pub"
		# ... and with a wrong password it does not.
		run env COSIGN_PASSWORD="wrong" "$PY" cosign.py decrypt "$type.key" "$type.pub"
		[ "$status" -ne 0 ]
	done
	# The empty password still encrypts (cosign does the same).
	COSIGN_PASSWORD= cairn keygen --cosign --output-key-prefix empty
	COSIGN_PASSWORD= "$PY" cosign.py decrypt empty.key empty.pub
}

@test "keys written by the independent implementation load in cairn, sign, and verify" {
	write_cosign_py
	echo "payload" >file
	for type in ecdsa-p256 ecdsa-p384 ed25519; do
		# shellcheck disable=SC2046
		openssl genpkey $(openssl_genpkey_args "$type") -out "$type.pem"
		openssl pkey -in "$type.pem" -pubout -out "$type.pub"
		COSIGN_PASSWORD="py $type" "$PY" cosign.py encrypt "$type.pem" "$type.key"
		COSIGN_PASSWORD="py $type" cairn sign-blob --key "$type.key" --output-signature "$type.sig" file
		cairn verify-blob --key "$type.pub" --signature "$type.sig" file
		openssl_verify "$type.pub" file "$type.sig" "$type"
	done
	# go-securesystemslib's legacy (2^15) and OWASP (2^17) parameters, and the old label.
	COSIGN_PASSWORD=legacy "$PY" cosign.py encrypt ecdsa-p256.pem legacy.key 32768 8 1
	COSIGN_PASSWORD=legacy cairn sign-blob --key legacy.key --output-signature legacy.sig file
	cairn verify-blob --key ecdsa-p256.pub --signature legacy.sig file
	COSIGN_PASSWORD=owasp "$PY" cosign.py encrypt ecdsa-p256.pem owasp.key 131072 8 1 "ENCRYPTED COSIGN PRIVATE KEY"
	COSIGN_PASSWORD=owasp cairn sign-blob --key owasp.key --output-signature owasp.sig file
	cairn verify-blob --key ecdsa-p256.pub --signature owasp.sig file
	# An empty password is a password.
	COSIGN_PASSWORD= "$PY" cosign.py encrypt ecdsa-p256.pem empty.key
	COSIGN_PASSWORD= cairn sign-blob --key empty.key --output-signature empty.sig file
	cairn verify-blob --key ecdsa-p256.pub --signature empty.sig file
}

@test "a wrong password exits 2 and says so" {
	COSIGN_PASSWORD=right cairn keygen --cosign
	echo "payload" >file
	COSIGN_PASSWORD=wrong run --separate-stderr cairn sign-blob --key cosign.key --output-signature sig file
	expect_status 2
	expect_stderr "cosign.key: wrong password or corrupt key"
	[ ! -e sig ]
}

@test "COSIGN_PASSWORD is preferred to CAIRN_PASSWORD, which is used when it is unset" {
	COSIGN_PASSWORD=right CAIRN_PASSWORD=other cairn keygen --cosign
	echo "payload" >file
	COSIGN_PASSWORD=right CAIRN_PASSWORD=wrong cairn sign-blob --key cosign.key --output-signature sig file
	cairn verify-blob --key cosign.pub --signature sig file
	CAIRN_PASSWORD=right cairn sign-blob --key cosign.key --output-signature sig2 file
	cairn verify-blob --key cosign.pub --signature sig2 file
	COSIGN_PASSWORD=wrong CAIRN_PASSWORD=right run --separate-stderr cairn sign-blob --key cosign.key \
		--output-signature sig3 file
	expect_status 2
	# With neither and no terminal, the message names both variables.
	run --separate-stderr setsid -w cairn sign-blob --key cosign.key --output-signature sig4 file </dev/null
	expect_status 2
	expect_stderr "COSIGN_PASSWORD"
}

@test "keygen --cosign without a password source and without a terminal exits 2" {
	run --separate-stderr setsid -w cairn keygen --cosign </dev/null
	expect_status 2
	expect_stderr "COSIGN_PASSWORD"
	[ ! -e cosign.key ]
}

@test "hostile scrypt parameters are refused at once, with the reason" {
	write_cosign_py
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out k.pem
	echo "payload" >file
	# Writing needs the work done once, so write with cheap parameters and edit the JSON after.
	COSIGN_PASSWORD=x "$PY" cosign.py encrypt k.pem cheap.key 1024 8 1
	for params in "1073741824 8 1" "2097152 1 1" "1048576 8 1" "65536 8 64" "65536 100000 1"; do
		# shellcheck disable=SC2086
		set -- $params
		"$PY" - "$1" "$2" "$3" <<'EOF'
import base64, json, sys
lines = open("cheap.key").read().strip().splitlines()
doc = json.loads(base64.b64decode("".join(lines[1:-1])))
doc["kdf"]["params"] = {"N": int(sys.argv[1]), "r": int(sys.argv[2]), "p": int(sys.argv[3])}
body = base64.b64encode(json.dumps(doc).encode()).decode()
open("hostile.key", "w").write(lines[0] + "\n" + "\n".join(body[i:i + 64] for i in range(0, len(body), 64)) + "\n" + lines[-1] + "\n")
EOF
		COSIGN_PASSWORD=x run --separate-stderr timeout 5 cairn sign-blob --key hostile.key --output-signature sig file
		expect_status 2
		expect_stderr "refusing scrypt"
	done
}

@test "a tampered key and a malformed one are refused" {
	write_cosign_py
	COSIGN_PASSWORD=pw cairn keygen --cosign
	echo "payload" >file
	"$PY" - <<'EOF'
import base64, json
lines = open("cosign.key").read().strip().splitlines()
doc = json.loads(base64.b64decode("".join(lines[1:-1])))
sealed = bytearray(base64.b64decode(doc["ciphertext"]))
sealed[20] ^= 1
doc["ciphertext"] = base64.b64encode(bytes(sealed)).decode()
body = base64.b64encode(json.dumps(doc).encode()).decode()
open("tampered.key", "w").write(lines[0] + "\n" + "\n".join(body[i:i + 64] for i in range(0, len(body), 64)) + "\n" + lines[-1] + "\n")
body = base64.b64encode(b'{"kdf": [}').decode()
open("malformed.key", "w").write(lines[0] + "\n" + body + "\n" + lines[-1] + "\n")
EOF
	COSIGN_PASSWORD=pw run --separate-stderr cairn sign-blob --key tampered.key --output-signature sig file
	expect_status 2
	expect_stderr "wrong password or corrupt key"
	COSIGN_PASSWORD=pw run --separate-stderr cairn sign-blob --key malformed.key --output-signature sig file
	expect_status 2
	expect_stderr "malformed cosign key"
}
