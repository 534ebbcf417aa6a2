#!/usr/bin/python3
"""fake-sigstore.py - a private, complete Sigstore instance for tests: a Fulcio-like CA, a CT log and a
Rekor-compatible log (a local `cairn log serve`), signing provenance keylessly the way GitHub Actions,
Fulcio and Rekor do together. Test use only: every key is written unencrypted to DIR.

Run it with /usr/bin/python3 (the standard library and Debian's python3-cryptography, nothing else).

  init DIR --log-root FILE
      Creates in DIR a Fulcio-like CA (a self-signed P-384 root and a P-384 intermediate constrained
      to codeSigning, as Fulcio's is), a P-256 CT log key, and DIR/trusted_root.json: a Sigstore
      trusted root with that CA (certChain [intermediate, root]), that CT log, and the tlogs of FILE
      (what `cairn log trusted-root --public-key log.pub --url URL` prints for the local log).

  sign DIR --statement FILE --san URI --claims JSON --rekor-url URL --out BUNDLE
       [--legacy-out ENVELOPE] [--no-upload]
      What a GitHub workflow does with `cosign attest`/sigstore-js: makes an ephemeral P-256 key;
      has the intermediate issue it a 10-minute certificate (as Fulcio does for a GitHub OIDC token)
      whose URI SAN is --san and whose extensions are the OIDC issuer
      https://token.actions.githubusercontent.com (1.3.6.1.4.1.57264.1.1 raw and 1.8 UTF8String)
      and the GitHub claims of --claims, a JSON object of OID suffix (under 1.3.6.1.4.1.57264.1.)
      -> string value: suffixes 2..6 are the deprecated raw-bytes extensions, 7 and up DER
      UTF8String (see Fulcio's docs/oid-info.md); a claim "1" or "8" replaces the issuer. The
      certificate embeds an SCT of the CT log over its precertificate (RFC 6962 3.2). Then it signs
      FILE (an in-toto statement) into a DSSE envelope, logs it in the Rekor v1 API at --rekor-url
      as a dsse 0.0.1 entry, and writes a Sigstore bundle v0.3 to BUNDLE.
      --legacy-out also writes the envelope as slsa-github-generator before v2.1 wrote
      .intoto.jsonl files: one line {"payloadType","payload","signatures":[{"keyid":"","sig","cert"}]}.
      That line, exactly (without its newline), is the envelope string logged in Rekor.
      --no-upload (with --legacy-out, without --out): logs nothing; an envelope no log has seen.

  npm-doc --publish BUNDLE --provenance BUNDLE --out FILE
      npm's attestations document for a package version, as the registry serves it.

  image LAYOUT
      Writes a small OCI image (a config and one random layer) into the OCI layout LAYOUT, marked in
      index.json as `cosign save` marks an image; prints its manifest digest.

  attach LAYOUT --bundle BUNDLE [--intoto-v001-log-key LOGKEY [--intoto-v001-payload FILE]]
      Attaches BUNDLE (a keyless DSSE bundle from `sign`) to LAYOUT's image as `cosign attest` then
      `cosign save` lay it out: the envelope as the layer of an .att manifest whose annotations hold the
      certificate and the Rekor entry, the manifest marked dev.cosignproject.cosign/atts. With
      --intoto-v001-log-key the entry is restated as the intoto 0.0.1 entry cosign logged until 2023,
      its signed entry timestamp made again with that key (the log's own); --intoto-v001-payload
      records FILE's hash as the payload's instead (an entry for another statement).
"""

import argparse
import base64
import datetime
import hashlib
import json
import os
import struct
import sys
import time
import urllib.error
import urllib.request

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
FULCIO_OID = "1.3.6.1.4.1.57264.1."
SCT_LIST_OID = x509.ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2")
INTOTO_TYPE = "application/vnd.in-toto+json"
NPM_PUBLISH = "https://github.com/npm/attestation/tree/main/specs/publish/v0.1"
SLSA_V1 = "https://slsa.dev/provenance/v1"


def die(msg):
    sys.stderr.write("fake-sigstore: %s\n" % msg)
    sys.exit(1)


def b64(data):
    return base64.b64encode(data).decode()


def rfc3339(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def spki_der(public_key):
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


# ---- DER, only what the extensions need ----

def der_length(n):
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def der(tag, content):
    return bytes([tag]) + der_length(len(content)) + content


def der_utf8(text):
    return der(0x0C, text.encode())


def der_octets(data):
    return der(0x04, data)


# ---- keys and files ----

def write_key(path, key):
    with open(path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))


def read_key(path):
    with open(path, "rb") as f:
        return serialization.load_pem_private_key(f.read(), None)


def write_cert(path, cert):
    with open(path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))


def read_cert(path):
    with open(path, "rb") as f:
        return x509.load_pem_x509_certificate(f.read())


# ---- init: the CA, the CT log and the trusted root ----

def ca_name(cn):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "cairn-test.invalid"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def ca_usage():
    return x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                         encipher_only=False, decipher_only=False)


def make_ca(start):
    """A root and an intermediate like Fulcio's: P-384, SHA-384, the intermediate limited to code
    signing and to issuing end-entity certificates (path length 0)."""
    end = start + datetime.timedelta(days=3650)
    root_key = ec.generate_private_key(ec.SECP384R1())
    root = (x509.CertificateBuilder()
            .subject_name(ca_name("fake-fulcio")).issuer_name(ca_name("fake-fulcio"))
            .public_key(root_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(ca_usage(), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
            .sign(root_key, hashes.SHA384()))
    inter_key = ec.generate_private_key(ec.SECP384R1())
    inter = (x509.CertificateBuilder()
             .subject_name(ca_name("fake-fulcio-intermediate")).issuer_name(root.subject)
             .public_key(inter_key.public_key()).serial_number(x509.random_serial_number())
             .not_valid_before(start).not_valid_after(end)
             .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
             .add_extension(ca_usage(), critical=True)
             .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
             .add_extension(x509.SubjectKeyIdentifier.from_public_key(inter_key.public_key()), critical=False)
             .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
             .sign(root_key, hashes.SHA384()))
    return root_key, root, inter_key, inter


def cmd_init(args):
    with open(args.log_root) as f:
        tlogs = json.load(f).get("tlogs")
    if not isinstance(tlogs, list) or not tlogs:
        die("%s: no tlogs (expected the output of `cairn log trusted-root`)" % args.log_root)
    os.makedirs(args.dir, exist_ok=True)
    # a day back, so that clocks a little apart do not matter
    start = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) - datetime.timedelta(days=1)
    root_key, root, inter_key, inter = make_ca(start)
    ct_key = ec.generate_private_key(ec.SECP256R1())
    write_key(os.path.join(args.dir, "root.key"), root_key)
    write_cert(os.path.join(args.dir, "root.pem"), root)
    write_key(os.path.join(args.dir, "intermediate.key"), inter_key)
    write_cert(os.path.join(args.dir, "intermediate.pem"), inter)
    write_key(os.path.join(args.dir, "ctlog.key"), ct_key)
    ct_spki = spki_der(ct_key.public_key())
    trusted_root = {
        "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
        "tlogs": tlogs,
        "certificateAuthorities": [{
            "subject": {"organization": "cairn-test.invalid", "commonName": "fake-fulcio"},
            "uri": "https://fulcio.cairn-test.invalid",
            "certChain": {"certificates": [{"rawBytes": b64(c.public_bytes(serialization.Encoding.DER))}
                                           for c in (inter, root)]},
            "validFor": {"start": rfc3339(start)},
        }],
        "ctlogs": [{
            "baseUrl": "https://ctfe.cairn-test.invalid/test",
            "hashAlgorithm": "SHA2_256",
            "publicKey": {"rawBytes": b64(ct_spki), "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                          "validFor": {"start": rfc3339(start)}},
            "logId": {"keyId": b64(hashlib.sha256(ct_spki).digest())},
        }],
        "timestampAuthorities": [],
    }
    with open(os.path.join(args.dir, "trusted_root.json"), "w") as f:
        json.dump(trusted_root, f, indent=2)


# ---- sign: the certificate ----

def fulcio_extensions(claims):
    """The OIDC issuer and GitHub claims as Fulcio encodes them: 1..6 the raw string bytes
    (deprecated extensions), 7 and up a DER UTF8String."""
    values = {"1": GITHUB_ISSUER, "8": GITHUB_ISSUER}
    for suffix, value in claims.items():
        if not suffix.isdigit() or not 1 <= int(suffix) <= 99 or not isinstance(value, str):
            die("--claims: %r: expected an OID suffix 1..99 and a string value" % suffix)
        values[suffix] = value
    out = []
    for suffix in sorted(values, key=int):
        raw = values[suffix].encode() if int(suffix) <= 6 else der_utf8(values[suffix])
        out.append(x509.UnrecognizedExtension(x509.ObjectIdentifier(FULCIO_OID + suffix), raw))
    return out


def leaf_builder(key, san, claims, inter, serial, now):
    usage = x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                          encipher_only=False, decipher_only=False)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([])).issuer_name(inter.subject)
               .public_key(key.public_key()).serial_number(serial)
               .not_valid_before(now - datetime.timedelta(minutes=1))
               .not_valid_after(now + datetime.timedelta(minutes=10))
               .add_extension(usage, critical=True)
               .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(inter.public_key()), critical=False)
               .add_extension(x509.SubjectAlternativeName([x509.UniformResourceIdentifier(san)]), critical=True))
    for ext in fulcio_extensions(claims):
        builder = builder.add_extension(ext, critical=False)
    return builder


def sct_list(ct_key, tbs, issuer_spki):
    """One precertificate SCT (RFC 6962 3.2) in a SignedCertificateTimestampList (3.3)."""
    timestamp = int(time.time() * 1000)
    issuer_key_hash = hashlib.sha256(issuer_spki).digest()
    signed = (struct.pack(">BBQH", 0, 0, timestamp, 1) + issuer_key_hash +
              len(tbs).to_bytes(3, "big") + tbs + struct.pack(">H", 0))
    sig = ct_key.sign(signed, ec.ECDSA(hashes.SHA256()))
    log_id = hashlib.sha256(spki_der(ct_key.public_key())).digest()
    sct = (struct.pack(">B", 0) + log_id + struct.pack(">QH", timestamp, 0) +
           struct.pack(">BBH", 4, 3, len(sig)) + sig)
    one = struct.pack(">H", len(sct)) + sct
    return struct.pack(">H", len(one)) + one


def issue_leaf(ca_dir, key, san, claims):
    inter = read_cert(os.path.join(ca_dir, "intermediate.pem"))
    inter_key = read_key(os.path.join(ca_dir, "intermediate.key"))
    ct_key = read_key(os.path.join(ca_dir, "ctlog.key"))
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    serial = x509.random_serial_number()
    # The precertificate's TBSCertificate is the final one's without the SCT list: the same fields,
    # in the same order, with the SCT extension appended last to the final certificate.
    pre = leaf_builder(key, san, claims, inter, serial, now).sign(inter_key, hashes.SHA384())
    scts = sct_list(ct_key, pre.tbs_certificate_bytes, spki_der(inter.public_key()))
    final = (leaf_builder(key, san, claims, inter, serial, now)
             .add_extension(x509.UnrecognizedExtension(SCT_LIST_OID, der_octets(scts)), critical=False)
             .sign(inter_key, hashes.SHA384()))
    return final


# ---- sign: the envelope, the log and the bundle ----

def pae(payload_type, payload):
    t = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def rekor_upload(url, envelope_text, cert_pem):
    proposal = {"apiVersion": "0.0.1", "kind": "dsse",
                "spec": {"proposedContent": {"envelope": envelope_text, "verifiers": [b64(cert_pem)]}}}
    req = urllib.request.Request(url.rstrip("/") + "/api/v1/log/entries", data=json.dumps(proposal).encode(),
                                 headers={"Content-Type": "application/json", "Accept": "application/json"},
                                 method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            answer = json.load(resp)
    except urllib.error.HTTPError as e:
        die("%s: the log answered HTTP %d: %s" % (url, e.code, e.read(500).decode(errors="replace")))
    if not isinstance(answer, dict) or len(answer) != 1:
        die("%s: not a LogEntry answer" % url)
    return next(iter(answer.values()))


def hex_to_b64(text):
    return b64(bytes.fromhex(text))


def tlog_entry(entry):
    """A bundle's tlogEntries[] item from a Rekor LogEntry (hex hashes become base64)."""
    body = json.loads(base64.b64decode(entry["body"]))
    proof = entry["verification"]["inclusionProof"]
    return {
        "logIndex": str(entry["logIndex"]),
        "logId": {"keyId": hex_to_b64(entry["logID"])},
        "kindVersion": {"kind": body["kind"], "version": body["apiVersion"]},
        "integratedTime": str(entry["integratedTime"]),
        "inclusionPromise": {"signedEntryTimestamp": entry["verification"]["signedEntryTimestamp"]},
        "inclusionProof": {
            "logIndex": str(proof["logIndex"]),
            "rootHash": hex_to_b64(proof["rootHash"]),
            "treeSize": str(proof["treeSize"]),
            "hashes": [hex_to_b64(h) for h in proof["hashes"]],
            "checkpoint": {"envelope": proof["checkpoint"]},
        },
        "canonicalizedBody": entry["body"],
    }


def cmd_sign(args):
    try:
        claims = json.loads(args.claims)
    except ValueError as e:
        die("--claims: not JSON: %s" % e)
    if not isinstance(claims, dict):
        die("--claims: expected a JSON object")
    if args.no_upload and (args.out or not args.legacy_out):
        die("--no-upload writes --legacy-out only")
    if not args.no_upload and not (args.out and args.rekor_url):
        die("sign needs --out and --rekor-url")
    with open(args.statement, "rb") as f:
        payload = f.read()
    key = ec.generate_private_key(ec.SECP256R1())
    cert = issue_leaf(args.dir, key, args.san, claims)
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    sig = b64(key.sign(pae(INTOTO_TYPE, payload), ec.ECDSA(hashes.SHA256())))
    legacy = {"payloadType": INTOTO_TYPE, "payload": b64(payload),
              "signatures": [{"keyid": "", "sig": sig, "cert": cert_pem.decode()}]}
    legacy_text = json.dumps(legacy, separators=(",", ":"))
    if args.legacy_out:
        with open(args.legacy_out, "w") as f:
            f.write(legacy_text + "\n")
    if args.no_upload:
        return
    entry = rekor_upload(args.rekor_url, legacy_text, cert_pem)
    bundle = {
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {
            "certificate": {"rawBytes": b64(cert.public_bytes(serialization.Encoding.DER))},
            "tlogEntries": [tlog_entry(entry)],
        },
        "dsseEnvelope": {"payload": b64(payload), "payloadType": INTOTO_TYPE,
                         "signatures": [{"sig": sig, "keyid": ""}]},
    }
    with open(args.out, "w") as f:
        json.dump(bundle, f, indent=2)


def cmd_npm_doc(args):
    docs = []
    for kind, path in ((NPM_PUBLISH, args.publish), (SLSA_V1, args.provenance)):
        with open(path) as f:
            docs.append({"predicateType": kind, "bundle": json.load(f)})
    with open(args.out, "w") as f:
        json.dump({"attestations": docs}, f)


# ---- images: a small OCI image, and its attestation attached as `cosign save` lays them out ----

def write_blob(layout, data):
    digest = hashlib.sha256(data).hexdigest()
    os.makedirs(os.path.join(layout, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(layout, "blobs", "sha256", digest), "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}


def cmd_image(args):
    """An OCI layout holding one small image (a config and one layer); prints its manifest digest."""
    config = write_blob(args.layout, json.dumps({"architecture": "amd64", "os": "linux",
                                                  "rootfs": {"type": "layers", "diff_ids": []}}).encode())
    layer = write_blob(args.layout, os.urandom(512))
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": dict(config, mediaType="application/vnd.oci.image.config.v1+json"),
                "layers": [dict(layer, mediaType="application/vnd.oci.image.layer.v1.tar+gzip")]}
    image = write_blob(args.layout, json.dumps(manifest).encode())
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
             "manifests": [dict(image, mediaType=manifest["mediaType"],
                                annotations={"kind": "dev.cosignproject.cosign/image"})]}
    with open(os.path.join(args.layout, "index.json"), "w") as f:
        json.dump(index, f)
    with open(os.path.join(args.layout, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    print(image["digest"])


def intoto_v001(entry, envelope, payload, cert_pem, log_key):
    """The bundle's log entry restated as the intoto 0.0.1 entry cosign attest logged until 2023, with
    a signed entry timestamp made again with the log's key (the same log, the same index and time)."""
    body = {"apiVersion": "0.0.1", "kind": "intoto", "spec": {
        "content": {"hash": {"algorithm": "sha256", "value": hashlib.sha256(envelope).hexdigest()},
                    "payloadHash": {"algorithm": "sha256", "value": hashlib.sha256(payload).hexdigest()}},
        "publicKey": b64(cert_pem)}}
    body_b64 = b64(json.dumps(body, separators=(",", ":")).encode())
    log_id = base64.b64decode(entry["logId"]["keyId"]).hex()
    set_payload = {"body": body_b64, "integratedTime": int(entry["integratedTime"]), "logID": log_id,
                   "logIndex": int(entry["logIndex"])}
    signed = json.dumps(set_payload, sort_keys=True, separators=(",", ":")).encode()
    return body_b64, b64(read_key(log_key).sign(signed, ec.ECDSA(hashes.SHA256())))


def cmd_attach(args):
    """Attaches a keyless DSSE bundle to the image of LAYOUT as cosign does: the envelope as a layer of
    the .att manifest, the certificate and the Rekor entry as the layer's annotations."""
    with open(args.bundle) as f:
        bundle = json.load(f)
    env = bundle["dsseEnvelope"]
    envelope = json.dumps(env, separators=(",", ":")).encode()
    payload = base64.b64decode(env["payload"])
    cert_der = base64.b64decode(bundle["verificationMaterial"]["certificate"]["rawBytes"])
    cert_pem = x509.load_der_x509_certificate(cert_der).public_bytes(serialization.Encoding.PEM)
    entry = bundle["verificationMaterial"]["tlogEntries"][0]
    body, set_sig = entry["canonicalizedBody"], entry["inclusionPromise"]["signedEntryTimestamp"]
    if args.intoto_v001_log_key:
        hashed = payload
        if args.intoto_v001_payload:  # for tests of a validly signed entry recording another payload
            with open(args.intoto_v001_payload, "rb") as f:
                hashed = f.read()
        body, set_sig = intoto_v001(entry, envelope, hashed, cert_pem, args.intoto_v001_log_key)
    rekor = {"SignedEntryTimestamp": set_sig,
             "Payload": {"body": body, "integratedTime": int(entry["integratedTime"]),
                         "logIndex": int(entry["logIndex"]), "logID": base64.b64decode(entry["logId"]["keyId"]).hex()}}
    layer = write_blob(args.layout, envelope)
    config = write_blob(args.layout, b"{}")
    predicate_type = json.loads(payload)["predicateType"]
    atts = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": dict(config, mediaType="application/vnd.oci.image.config.v1+json"),
            "layers": [dict(layer, mediaType="application/vnd.dsse.envelope.v1+json",
                            annotations={"dev.cosignproject.cosign/signature": "",
                                         "dev.sigstore.cosign/certificate": cert_pem.decode(),
                                         "dev.sigstore.cosign/bundle": json.dumps(rekor),
                                         "predicateType": predicate_type})]}
    manifest = write_blob(args.layout, json.dumps(atts).encode())
    with open(os.path.join(args.layout, "index.json")) as f:
        index = json.load(f)
    index["manifests"].append(dict(manifest, mediaType=atts["mediaType"],
                                   annotations={"kind": "dev.cosignproject.cosign/atts"}))
    with open(os.path.join(args.layout, "index.json"), "w") as f:
        json.dump(index, f)


def main():
    parser = argparse.ArgumentParser(description="A private Sigstore (Fulcio CA, CT log, Rekor client) for tests.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("init", help="create the CA, the CT log key and trusted_root.json in DIR")
    p.add_argument("dir")
    p.add_argument("--log-root", required=True)
    p.set_defaults(run=cmd_init)
    p = sub.add_parser("sign", help="sign a statement keylessly, log it and write a bundle")
    p.add_argument("dir")
    p.add_argument("--statement", required=True)
    p.add_argument("--san", required=True)
    p.add_argument("--claims", required=True)
    p.add_argument("--rekor-url")
    p.add_argument("--out")
    p.add_argument("--legacy-out")
    p.add_argument("--no-upload", action="store_true")
    p.set_defaults(run=cmd_sign)
    p = sub.add_parser("npm-doc", help="write npm's attestations document")
    p.add_argument("--publish", required=True)
    p.add_argument("--provenance", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(run=cmd_npm_doc)
    p = sub.add_parser("image", help="write a small OCI image into LAYOUT; print its digest")
    p.add_argument("layout")
    p.set_defaults(run=cmd_image)
    p = sub.add_parser("attach", help="attach a keyless DSSE bundle to LAYOUT's image as cosign save does")
    p.add_argument("layout")
    p.add_argument("--bundle", required=True)
    p.add_argument("--intoto-v001-log-key")
    p.add_argument("--intoto-v001-payload")
    p.set_defaults(run=cmd_attach)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
