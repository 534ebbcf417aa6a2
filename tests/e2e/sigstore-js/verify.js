#!/usr/bin/env node
// Verifies a Sigstore bundle with sigstore-js (@sigstore/verify), offline, the way cairn's tests
// need it:
//
//   node verify.js --bundle B (--key PUB.pem | --identity ID --issuer URL) [--trusted-root ROOT]
//                  [--offline] ARTIFACT
//
// Managed keys: sigstore-js finds a bundle's key through its trust material, by the bundle's
// public-key hint; this script puts PUB there under its hint (base64 SHA-256 of the DER public key,
// the same hint cairn and cosign write). Without --trusted-root the trust material holds no CA, log
// or TSA at all, so only that key can make a bundle verify. --offline accepts a bundle without any
// transparency-log entry or timestamp (tlogThreshold, ctlogThreshold and timestampThreshold 0), as
// cairn sign-blob writes them.
//
// For a DSSE bundle, the subject check is this script's (see checkSubject).
//
// The packages come from build/sigstore-js (or $CAIRN_SIGSTORE_JS), installed from this
// directory's package.json. Prints "Verified OK" and exits 0, or prints the reason and exits 1;
// exits 2 on bad usage.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

function loadSigstore() {
	const dir = process.env.CAIRN_SIGSTORE_JS || path.join(__dirname, '..', '..', '..', 'build', 'sigstore-js');
	const req = createRequire(path.join(path.resolve(dir), 'package.json'));
	return {
		verify: req('@sigstore/verify'),
		bundle: req('@sigstore/bundle'),
		specs: req('@sigstore/protobuf-specs'),
	};
}

// The protobuf-specs name of a key's details, as trusted roots write it.
function keyDetails(key) {
	if (key.asymmetricKeyType === 'ed25519') return 'PKIX_ED25519';
	if (key.asymmetricKeyType === 'ec') {
		const curve = key.asymmetricKeyDetails.namedCurve;
		if (curve === 'prime256v1') return 'PKIX_ECDSA_P256_SHA_256';
		if (curve === 'secp384r1') return 'PKIX_ECDSA_P384_SHA_384';
	}
	if (key.asymmetricKeyType === 'rsa') return 'PKIX_RSA_PKCS1V15_2048_SHA256';
	throw new Error(`unsupported key type ${key.asymmetricKeyType}`);
}

// The trust material: the trusted root's CAs, logs and TSAs, and the managed key under its hint.
function trustMaterial(sig, rootPath, keyPath) {
	const rootJSON = rootPath
		? JSON.parse(fs.readFileSync(rootPath, 'utf8'))
		: {
				mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
				tlogs: [],
				certificateAuthorities: [],
				ctlogs: [],
				timestampAuthorities: [],
			};
	const root = sig.specs.TrustedRoot.fromJSON(rootJSON);
	const keys = {};
	if (keyPath) {
		const key = crypto.createPublicKey(fs.readFileSync(keyPath));
		const der = key.export({ type: 'spki', format: 'der' });
		const hint = crypto.createHash('sha256').update(der).digest('base64');
		keys[hint] = sig.specs.PublicKey.fromJSON({
			rawBytes: der.toString('base64'),
			keyDetails: keyDetails(key),
			validFor: { start: '1970-01-01T00:00:00Z' },
		});
	}
	return sig.verify.toTrustMaterial(root, keys);
}

// sigstore-js checks a DSSE envelope's signature but leaves to its caller whether the in-toto
// statement is about this artifact (as npm's provenance check does itself); so does this script:
// some subject must carry the artifact's sha256 or sha512 digest.
function checkSubject(envelope, artifact) {
	const statement = JSON.parse(envelope.payload.toString('utf8'));
	const mine = {
		sha256: crypto.createHash('sha256').update(artifact).digest('hex'),
		sha512: crypto.createHash('sha512').update(artifact).digest('hex'),
	};
	const found = (statement.subject || []).some((s) =>
		Object.keys(mine).some((alg) => s.digest && s.digest[alg] === mine[alg]),
	);
	if (!found) throw new Error('no subject of the in-toto statement has the artifact\'s digest (checked by verify.js)');
}

function parseArgs(argv) {
	const a = { offline: false };
	const takes = { '--bundle': 'bundle', '--key': 'key', '--trusted-root': 'root', '--identity': 'identity', '--issuer': 'issuer' };
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--offline') a.offline = true;
		else if (takes[argv[i]] && i + 1 < argv.length) a[takes[argv[i]]] = argv[++i];
		else if (!argv[i].startsWith('--') && a.artifact === undefined) a.artifact = argv[i];
		else return null;
	}
	if (!a.bundle || !a.artifact || (!a.key && !(a.identity && a.issuer))) return null;
	return a;
}

function main() {
	const a = parseArgs(process.argv.slice(2));
	if (a === null) {
		process.stderr.write('usage: verify.js --bundle B (--key PUB | --identity ID --issuer URL) [--trusted-root ROOT] [--offline] ARTIFACT\n');
		return 2;
	}
	const sig = loadSigstore();
	try {
		const material = trustMaterial(sig, a.root, a.key);
		const options = a.offline ? { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 } : {};
		const verifier = new sig.verify.Verifier(material, options);
		const bundle = sig.bundle.bundleFromJSON(JSON.parse(fs.readFileSync(a.bundle, 'utf8')));
		const entity = sig.verify.toSignedEntity(bundle, fs.readFileSync(a.artifact));
		const policy = a.key ? undefined : { subjectAlternativeName: a.identity, extensions: { issuer: a.issuer } };
		verifier.verify(entity, policy);
		if (bundle.content.$case === 'dsseEnvelope') checkSubject(bundle.content.dsseEnvelope, fs.readFileSync(a.artifact));
	} catch (e) {
		process.stderr.write(`sigstore-js: ${e.code ? e.code + ': ' : ''}${e.message}\n`);
		return 1;
	}
	process.stderr.write('Verified OK\n');
	return 0;
}

// bench/bundle_verify.js reuses the trust-material set-up and the subject check.
module.exports = { loadSigstore, trustMaterial, checkSubject };

if (require.main === module) process.exitCode = main();
