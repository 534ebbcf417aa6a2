#!/usr/bin/env node
// Keyless signing with sigstore-js (@sigstore/sign) against a stand-in Fulcio and a real Rekor v1 log,
// the way cairn's interop tests need it:
//
//   node sign.js --rekor-url URL --bundle OUT --trusted-root ROOT [--in-toto] [--identity ID]
//                [--issuer URL] ARTIFACT
//
// The stand-in Fulcio is @sigstore/mock's (its CA, with a mock CT log embedding SCTs), served by this
// process over plain HTTP on 127.0.0.1 for as long as signing takes. sigstore-js's FulcioSigner gets a
// certificate from it for an ephemeral key and an (unsigned) identity token naming --identity and
// --issuer, and its RekorWitness uploads the signature to the log at --rekor-url (hashedrekord, or
// with --in-toto a dsse entry over an in-toto statement about ARTIFACT). The bundle sigstore-js
// builds from the log's answer is written to OUT, and ROOT receives a trusted root naming the mock
// CA and the mock CT log (no transparency log: `cairn log trusted-root --add-to ROOT` adds the log).
//
// The packages come from build/sigstore-js (or $CAIRN_SIGSTORE_JS). Exits 0 after writing both
// files, 1 when signing or the upload failed (printing why), 2 on bad usage.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const path = require('path');
const { createRequire } = require('module');

const BODY_MAX = 1 << 20; // a signing-certificate request is a few KiB

function load() {
	const dir = process.env.CAIRN_SIGSTORE_JS || path.join(__dirname, '..', '..', '..', 'build', 'sigstore-js');
	const req = createRequire(path.join(path.resolve(dir), 'package.json'));
	return { sign: req('@sigstore/sign'), mock: req('@sigstore/mock'), bundle: req('@sigstore/bundle') };
}

function parseArgs(argv) {
	const a = { inToto: false, identity: 'signer@example.com', issuer: 'https://issuer.example.com' };
	const takes = { '--rekor-url': 'rekor', '--bundle': 'bundle', '--trusted-root': 'root', '--identity': 'identity', '--issuer': 'issuer' };
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--in-toto') a.inToto = true;
		else if (takes[argv[i]] && i + 1 < argv.length) a[takes[argv[i]]] = argv[++i];
		else if (!argv[i].startsWith('--') && a.artifact === undefined) a.artifact = argv[i];
		else return null;
	}
	return a.rekor && a.bundle && a.root && a.artifact ? a : null;
}

// An identity token as an OIDC provider would issue it, unsigned: the mock Fulcio reads its claims
// without checking a signature (a real Fulcio would verify it with the issuer's keys).
function identityToken(identity, issuer) {
	const b64url = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');
	const now = Math.floor(Date.now() / 1000);
	return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ iss: issuer, sub: identity, email: identity, email_verified: true, aud: 'sigstore', iat: now, exp: now + 600 })}.`;
}

// Serves the mock Fulcio's handler on 127.0.0.1 (a free port); resolves to the server.
function serveFulcio(handler) {
	const server = http.createServer((req, res) => {
		const chunks = [];
		let size = 0;
		req.on('data', (c) => {
			size += c.length;
			if (size > BODY_MAX) req.destroy();
			else chunks.push(c);
		});
		req.on('end', async () => {
			if (req.method !== 'POST' || req.url !== handler.path) {
				res.writeHead(404).end();
				return;
			}
			const answer = await handler.fn(Buffer.concat(chunks));
			res.writeHead(answer.statusCode, { 'Content-Type': answer.contentType || 'text/plain' }).end(answer.response);
		});
	});
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve(server));
	});
}

function keyDetails(key) {
	const curve = key.asymmetricKeyDetails && key.asymmetricKeyDetails.namedCurve;
	if (curve === 'prime256v1') return 'PKIX_ECDSA_P256_SHA_256';
	if (curve === 'secp384r1') return 'PKIX_ECDSA_P384_SHA_384';
	throw new Error(`unsupported CT log key ${key.asymmetricKeyType} ${curve}`);
}

// The trusted root a verifier needs for the mock's certificates: its CA and its CT log.
function trustedRoot(ca, ctLog, fulcioURL, start) {
	const ctKey = crypto.createPublicKey({ key: ctLog.publicKey, format: 'der', type: 'spki' });
	return {
		mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
		tlogs: [],
		certificateAuthorities: [
			{
				subject: { organization: 'sigstore-mock', commonName: 'sigstore-mock' },
				uri: fulcioURL,
				certChain: { certificates: [{ rawBytes: Buffer.from(ca.rootCertificate).toString('base64') }] },
				validFor: { start },
			},
		],
		ctlogs: [
			{
				baseUrl: 'https://ctfe.mock.example',
				hashAlgorithm: 'SHA2_256',
				publicKey: { rawBytes: Buffer.from(ctLog.publicKey).toString('base64'), keyDetails: keyDetails(ctKey), validFor: { start } },
				logId: { keyId: Buffer.from(ctLog.logID).toString('base64') },
			},
		],
		timestampAuthorities: [],
	};
}

function statementFor(artifactPath) {
	const digest = crypto.createHash('sha256').update(fs.readFileSync(artifactPath)).digest('hex');
	const statement = {
		_type: 'https://in-toto.io/Statement/v1',
		subject: [{ name: path.basename(artifactPath), digest: { sha256: digest } }],
		predicateType: 'https://example.com/test/v1',
		predicate: {},
	};
	return Buffer.from(JSON.stringify(statement));
}

async function main() {
	const a = parseArgs(process.argv.slice(2));
	if (a === null) {
		process.stderr.write('usage: sign.js --rekor-url URL --bundle OUT --trusted-root ROOT [--in-toto] [--identity ID] [--issuer URL] ARTIFACT\n');
		return 2;
	}
	const { sign, mock, bundle } = load();
	// The CA's validity starts a minute back: the trusted root must cover the certificate's issue time.
	const start = new Date(Date.now() - 60_000);
	const ecKey = () => crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
	const ctLog = await mock.initializeCTLog(ecKey());
	const ca = await mock.initializeCA(ecKey(), ctLog);
	const server = await serveFulcio(mock.fulcioHandler(ca));
	const fulcioURL = `http://127.0.0.1:${server.address().port}`;
	try {
		const signer = new sign.FulcioSigner({
			fulcioBaseURL: fulcioURL,
			identityProvider: { getToken: async () => identityToken(a.identity, a.issuer) },
		});
		const rekor = new sign.RekorWitness({ rekorBaseURL: a.rekor, fetchOnConflict: true });
		const builder = a.inToto
			? new sign.DSSEBundleBuilder({ signer, witnesses: [rekor] })
			: new sign.MessageSignatureBundleBuilder({ signer, witnesses: [rekor] });
		const artifact = a.inToto
			? { data: statementFor(a.artifact), type: 'application/vnd.in-toto+json' }
			: { data: fs.readFileSync(a.artifact) };
		const made = await builder.create(artifact);
		fs.writeFileSync(a.bundle, JSON.stringify(bundle.bundleToJSON(made)));
		fs.writeFileSync(a.root, JSON.stringify(trustedRoot(ca, ctLog, fulcioURL, start.toISOString()), null, 2));
	} catch (e) {
		process.stderr.write(`sigstore-js sign: ${e.code ? e.code + ': ' : ''}${e.message}${e.cause ? ' (' + e.cause.message + ')' : ''}\n`);
		return 1;
	} finally {
		server.close();
	}
	process.stderr.write(`Signed ${a.artifact} as ${a.identity}; bundle written to ${a.bundle}\n`);
	return 0;
}

main().then((code) => {
	process.exitCode = code;
});
