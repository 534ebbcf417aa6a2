#!/usr/bin/env node
// Sigstore bundle verifications per second on one core, through sigstore-js (@sigstore/verify), on
// the same manifest as bench/bundle_verify.c and with the same work per verification: the trust
// material is built once; each verification parses the bundle JSON (read once), reads the artifact
// and verifies (with the identity policy for certificates, and for DSSE the subject check that
// cairn does too). A root of "-" means no trusted root and an offline bundle (thresholds 0).
//
//   node bench/bundle_verify.js SECONDS MANIFEST      prints "label rate" or "label n/a reason"
'use strict';

const fs = require('fs');
const path = require('path');
const { loadSigstore, trustMaterial, checkSubject } = require(path.join(__dirname, '..', 'tests', 'e2e', 'sigstore-js', 'verify.js'));

function job(sig, f) {
	const [label, bundlePath, root, artifact, mode, who, issuer] = f;
	const offline = root === '-';
	const material = trustMaterial(sig, offline ? undefined : root, mode === 'key' ? who : undefined);
	const options = offline ? { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 } : {};
	const verifier = new sig.verify.Verifier(material, options);
	const text = fs.readFileSync(bundlePath, 'utf8');
	const policy = mode === 'key' ? undefined : { subjectAlternativeName: who, extensions: { issuer } };
	return {
		label,
		once() {
			const bundle = sig.bundle.bundleFromJSON(JSON.parse(text));
			const data = fs.readFileSync(artifact);
			verifier.verify(sig.verify.toSignedEntity(bundle, data), policy);
			if (bundle.content.$case === 'dsseEnvelope') checkSubject(bundle.content.dsseEnvelope, data);
		},
	};
}

function main() {
	const seconds = Number(process.argv[2]);
	const lines = fs.readFileSync(process.argv[3], 'utf8').split('\n');
	const sig = loadSigstore();
	for (const line of lines) {
		if (line === '' || line.startsWith('#')) continue;
		const f = line.split('\t');
		let j;
		try {
			j = job(sig, f);
			j.once();
		} catch (e) {
			console.log(`${f[0]} n/a ${e.code ? e.code + ': ' : ''}${e.message}`);
			continue;
		}
		let count = 0;
		const start = process.hrtime.bigint();
		let elapsed = 0;
		do {
			j.once();
			count++;
			elapsed = Number(process.hrtime.bigint() - start) / 1e9;
		} while (elapsed < seconds);
		console.log(`${j.label} ${(count / elapsed).toFixed(1)}`);
	}
}

main();
