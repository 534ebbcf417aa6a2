#!/usr/bin/env bats
# cairn verify-provenance on keyless provenance that passes: a private Sigstore instance made here
# (tests/e2e/fake-sigstore.py: a Fulcio-like CA and CT log, and a local `cairn log serve` as Rekor)
# signs SLSA provenance exactly as GitHub Actions, Fulcio and Rekor would: a short-lived certificate
# for the builder's workflow with GitHub's OIDC claims and an embedded SCT, a DSSE envelope, a dsse
# entry in the log, a Sigstore bundle. The statements follow the real ones slsa-github-generator
# v2.1.0 and npm's CLI write (generic generator SLSA v0.2, container-based builder SLSA v1, npm CLI
# SLSA v1 with the registry's publish attestation), with the certificate claims consistent with them
# as GitHub's are. The PKI is first checked independently: a bundle it makes verifies with cairn
# verify-blob and with sigstore-js.
#
# Everything is signed once in setup_file; the bundles carry their log entries and are verified
# offline. The log keeps running until teardown_file for the legacy envelope's Rekor lookup.

load helpers
load registry

OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json

ISSUER=https://token.actions.githubusercontent.com
GEN=https://github.com/slsa-framework/slsa-github-generator/.github/workflows
GENERIC=$GEN/generator_generic_slsa3.yml
CONTAINER=$GEN/builder_container-based_slsa3.yml
NPM_HOSTED=https://github.com/actions/runner/github-hosted
REPO=github.com/octo-org/hello-tool
PY=/usr/bin/python3

setup_file() {
	export PKI="$BATS_FILE_TMPDIR/pki" FAKE="$BATS_TEST_DIRNAME/fake-sigstore.py"
	mkdir -p "$PKI" && cd "$PKI" || return 1
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out log.key 2>/dev/null &&
		openssl pkey -in log.key -pubout -out log.pub &&
		openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out registry.key 2>/dev/null &&
		openssl pkey -in registry.key -pubout -out registry.pub || return 1
	cairn log serve --db log.db --key log.key --addr 127.0.0.1:0 --port-file port >log.out 2>log.err &
	export LOG_PID=$!
	for _ in $(seq 1 200); do
		[ -s port ] && break
		kill -0 "$LOG_PID" 2>/dev/null || break
		sleep 0.05
	done
	[ -s port ] || { echo "the log did not start" >&2; cat log.err >&2; return 1; }
	export LOG_URL="http://127.0.0.1:$(cat port)"
	registry_start plain || return 1
	export XDG_CACHE_HOME="$BATS_FILE_TMPDIR/cache"
	cairn log trusted-root --public-key log.pub --url "$LOG_URL" >log-root.json &&
		"$PY" "$FAKE" init ca --log-root log-root.json || return 1
	export ROOT="$PKI/ca/trusted_root.json"

	head -c 3000 /dev/urandom >art1
	head -c 3000 /dev/urandom >art2
	head -c 3000 /dev/urandom >art3
	mkdir -p package && printf '{"name":"@scope/name","version":"1.2.3"}\n' >package/package.json &&
		tar -czf package.tgz package || return 1
	# an image, for provenance attached to it as cosign save lays it out
	"$PY" "$FAKE" image image-base >image.digest || return 1
	make_statements || return 1
	local name
	for name in generic-tag generic-dispatch untrusted at-main container npm npm-selfhosted npm-commit npm-name npm-version image; do
		"$PY" "$FAKE" sign ca --statement "st-$name.json" --san "$(cat "san-$name")" --claims "$(cat "claims-$name.json")" \
			--rekor-url "$LOG_URL" --out "$name.bundle" || return 1
	done
	"$PY" "$FAKE" sign ca --statement st-generic-tag.json --san "$(cat san-generic-tag)" --claims "$(cat claims-generic-tag.json)" \
		--rekor-url "$LOG_URL" --out legacy.bundle --legacy-out legacy.jsonl &&
		"$PY" "$FAKE" sign ca --statement st-generic-tag.json --san "$(cat san-generic-tag)" \
			--claims "$(cat claims-generic-tag.json)" --no-upload --legacy-out unlogged.jsonl || return 1

	# the image's provenance attached: logged as a dsse entry; restated as the intoto 0.0.1 entry cosign
	# logged until 2023 (its entry timestamp signed again by the log's key), also with a wrong payload
	# hash; and the generic generator's provenance (for files, not this image) attached instead
	for name in image-dsse image-v001 image-v001-other image-other; do cp -r image-base "$name"; done
	"$PY" "$FAKE" attach image-dsse --bundle image.bundle &&
		"$PY" "$FAKE" attach image-v001 --bundle image.bundle --intoto-v001-log-key log.key &&
		"$PY" "$FAKE" attach image-v001-other --bundle image.bundle --intoto-v001-log-key log.key \
			--intoto-v001-payload st-generic-tag.json &&
		"$PY" "$FAKE" attach image-other --bundle generic-tag.bundle || return 1

	# npm: the registry's publish attestation, logged in the same log, and the documents
	printf '{"_type":"https://in-toto.io/Statement/v0.1","subject":[{"name":"pkg:npm/%%40scope/name@1.2.3","digest":{"sha512":"%s"}}],"predicateType":"https://github.com/npm/attestation/tree/main/specs/publish/v0.1","predicate":{"name":"@scope/name","version":"1.2.3","registry":"https://registry.npmjs.org"}}\n' \
		"$(sha512sum package.tgz | cut -d' ' -f1)" >publish.json
	cairn sign-blob --key registry.key --bundle publish.bundle --in-toto --rekor-url "$LOG_URL" --rekor-public-key log.pub \
		publish.json 2>sign-blob.err || { cat sign-blob.err >&2; return 1; }
	for name in npm npm-selfhosted npm-commit npm-name npm-version; do
		"$PY" "$FAKE" npm-doc --publish publish.bundle --provenance "$name.bundle" --out "$name.doc.json" || return 1
	done
}

teardown_file() {
	registry_stop_all
	[ -n "${LOG_PID:-}" ] || return 0
	kill -TERM "$LOG_PID" 2>/dev/null || true
	local rc=0
	wait "$LOG_PID" || rc=$?
	[ "$rc" -eq 0 ] || { echo "the log exited with $rc" >&2; cat "$PKI/log.err" >&2; return 1; }
}

# Writes, for each case NAME, st-NAME.json (the in-toto statement), san-NAME (the certificate's URI
# SAN: the workflow Fulcio certifies) and claims-NAME.json (Fulcio's GitHub extensions, by OID suffix).
# Modelled on slsa-verifier's testdata (gha_generic/v2.1.0, gha_container-based/v2.1.0, npm/gha).
make_statements() {
	"$PY" - "$GENERIC" "$CONTAINER" <<-'EOF'
		import hashlib, json, sys
		generic, container = sys.argv[1:3]
		REPO, OWNER = "octo-org/hello-tool", "octo-org"
		SHA = "3f1c9a4d2b7e6f8091a2b3c4d5e6f708192a3b4c"
		GEN_SHA = "f7dd8c54c2067bafc12ca7a55595d5ee9b75204a"  # slsa-github-generator's v2.1.0 commit
		RUN = "https://github.com/%s/actions/runs/11812345678/attempts/1"

		def digest(path, alg="sha256"):
		    return hashlib.new(alg, open(path, "rb").read()).hexdigest()

		def claims(san, repo, sha, ref, event, workflow, signer_sha, hosted="github-hosted"):
		    owner = repo.split("/")[0]
		    return {"2": event, "3": sha, "4": "release", "5": repo, "6": ref,
		            "9": san, "10": signer_sha, "11": hosted, "12": "https://github.com/" + repo, "13": sha,
		            "14": ref, "15": "486325809", "16": "https://github.com/" + owner, "17": "80431187",
		            "18": "https://github.com/%s/%s@%s" % (repo, workflow, ref), "19": sha, "20": event,
		            "21": RUN % repo, "22": "public"}

		def repository(repo):
		    return {"full_name": repo, "name": repo.split("/")[1], "default_branch": "main",
		            "html_url": "https://github.com/" + repo, "id": 486325809, "visibility": "public"}

		def event_payload(event, ref, inputs):
		    if event == "workflow_dispatch":
		        return {"inputs": inputs, "ref": ref, "repository": repository(REPO),
		                "workflow": ".github/workflows/release.yml"}
		    return {"after": SHA, "base_ref": "refs/heads/main", "before": "0" * 40, "created": True,
		            "ref": ref, "repository": repository(REPO)}

		def generic_v02(builder_id, subjects, ref, event, inputs=None):
		    """slsa-github-generator's generic generator: SLSA provenance v0.2."""
		    source = "git+https://github.com/%s@%s" % (REPO, ref)
		    env = {"github_actor": "octocat", "github_actor_id": "583231", "github_base_ref": "",
		           "github_event_name": event, "github_event_payload": event_payload(event, ref, inputs),
		           "github_head_ref": "", "github_ref": ref,
		           "github_ref_type": "tag" if ref.startswith("refs/tags/") else "branch",
		           "github_repository_id": "486325809", "github_repository_owner": OWNER,
		           "github_repository_owner_id": "80431187", "github_run_attempt": "1",
		           "github_run_id": "11812345678", "github_run_number": "42", "github_sha1": SHA}
		    return {"_type": "https://in-toto.io/Statement/v0.1", "predicateType": "https://slsa.dev/provenance/v0.2",
		            "subject": [{"name": s, "digest": {"sha256": digest(s)}} for s in subjects],
		            "predicate": {
		                "builder": {"id": builder_id},
		                "buildType": "https://github.com/slsa-framework/slsa-github-generator/generic@v1",
		                "invocation": {"configSource": {"uri": source, "digest": {"sha1": SHA},
		                                                "entryPoint": ".github/workflows/release.yml"},
		                               "parameters": {}, "environment": env},
		                "metadata": {"buildInvocationID": "11812345678-1", "reproducible": False,
		                             "completeness": {"parameters": True, "environment": False, "materials": False}},
		                "materials": [{"uri": source, "digest": {"sha1": SHA}}]}}

		def container_v1(subjects, ref):
		    """slsa-github-generator's container-based builder: SLSA provenance v1."""
		    source = {"uri": "git+https://github.com/%s@%s" % (REPO, ref), "digest": {"sha1": SHA}}
		    env = {"GITHUB_ACTOR_ID": "583231", "GITHUB_EVENT_NAME": "push", "GITHUB_REF": ref,
		           "GITHUB_REF_TYPE": "tag", "GITHUB_REPOSITORY": REPO, "GITHUB_REPOSITORY_ID": "486325809",
		           "GITHUB_REPOSITORY_OWNER_ID": "80431187", "GITHUB_RUN_ATTEMPT": "1", "GITHUB_RUN_ID": 11812345678,
		           "GITHUB_RUN_NUMBER": 42, "GITHUB_SHA": SHA, "GITHUB_TRIGGERING_ACTOR_ID": "583231",
		           "GITHUB_WORKFLOW": ".github/workflows/release.yml",
		           "GITHUB_WORKFLOW_REF": "%s/.github/workflows/release.yml@%s" % (REPO, ref),
		           "GITHUB_WORKFLOW_SHA": SHA, "GITHUB_BASE_REF": "",
		           "GITHUB_EVENT_PAYLOAD": event_payload("push", ref, None)}
		    return {"_type": "https://in-toto.io/Statement/v0.1", "predicateType": "https://slsa.dev/provenance/v1",
		            "subject": [{"name": s, "digest": {"sha256": digest(s)}} for s in subjects],
		            "predicate": {
		                "buildDefinition": {
		                    "buildType": "https://slsa.dev/container-based-build/v0.1?draft",
		                    "externalParameters": {
		                        "source": source,
		                        "builderImage": {"uri": "bash@sha256:" + "9e" * 32, "digest": {"sha256": "9e" * 32}},
		                        "configPath": ".github/configs-docker/config.toml",
		                        "buildConfig": {"ArtifactPath": subjects[0], "Command": ["make", subjects[0]]}},
		                    "resolvedDependencies": [
		                        source,
		                        {"uri": "git+https://github.com/slsa-framework/slsa-github-generator@refs/tags/v2.1.0",
		                         "digest": {"sha256": "31c5f5580e11db3c0119ec4c772cf2663eda944df12da5ac309a90de207fd4c1"}}],
		                    "internalParameters": env},
		                "runDetails": {"builder": {"id": container + "@refs/tags/v2.1.0"},
		                               "metadata": {"invocationId": RUN % REPO}}}}

		def npm_v1(purl, commit):
		    """npm's CLI publishing with --provenance on a GitHub-hosted runner: SLSA provenance v1."""
		    repo, ref = "scope/name", "refs/tags/v1.2.3"
		    return {"_type": "https://in-toto.io/Statement/v1", "predicateType": "https://slsa.dev/provenance/v1",
		            "subject": [{"name": purl, "digest": {"sha512": digest("package.tgz", "sha512")}}],
		            "predicate": {
		                "buildDefinition": {
		                    "buildType": "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
		                    "externalParameters": {"workflow": {"ref": ref, "repository": "https://github.com/" + repo,
		                                                        "path": ".github/workflows/publish.yml"}},
		                    "internalParameters": {"github": {"event_name": "release", "repository_id": "810002373",
		                                                      "repository_owner_id": "32398091"}},
		                    "resolvedDependencies": [{"uri": "git+https://github.com/%s@%s" % (repo, ref),
		                                              "digest": {"gitCommit": commit}}]},
		                "runDetails": {"builder": {"id": "https://github.com/actions/runner/github-hosted"},
		                               "metadata": {"invocationId": RUN % repo}}}}

		def write(name, statement, san, claim):
		    json.dump(statement, open("st-%s.json" % name, "w"))
		    open("san-" + name, "w").write(san)
		    json.dump(claim, open("claims-%s.json" % name, "w"))

		TAG, MAIN = "refs/tags/v1.4.2", "refs/heads/main"
		WF = ".github/workflows/release.yml"
		released = generic + "@refs/tags/v2.1.0"
		write("generic-tag", generic_v02(released, ["art1", "art2"], TAG, "push"), released,
		      claims(released, REPO, SHA, TAG, "push", WF, GEN_SHA))
		write("generic-dispatch", generic_v02(released, ["art1"], MAIN, "workflow_dispatch",
		                                      {"release_version": "v1.4.2", "dry_run": "false"}), released,
		      claims(released, REPO, SHA, MAIN, "workflow_dispatch", WF, GEN_SHA))
		# the repository's own workflow signing for itself: not a builder anyone trusts by default
		own = "https://github.com/%s/%s@%s" % (REPO, WF, TAG)
		write("untrusted", generic_v02(own, ["art1"], TAG, "push"), own, claims(own, REPO, SHA, TAG, "push", WF, SHA))
		# the generic generator, but not a release of it
		unreleased = generic + "@refs/heads/main"
		write("at-main", generic_v02(unreleased, ["art1"], TAG, "push"), unreleased,
		      claims(unreleased, REPO, SHA, TAG, "push", WF, GEN_SHA))
		built = container + "@refs/tags/v2.1.0"
		write("container", container_v1(["art1"], TAG), built, claims(built, REPO, SHA, TAG, "push", WF, GEN_SHA))
		# npm: the certificate is the publishing workflow's own
		NPM_SHA = "599500821344b070902a7a5666064bfdaba715df"
		publisher = "https://github.com/scope/name/.github/workflows/publish.yml@refs/tags/v1.2.3"
		npm_claims = claims(publisher, "scope/name", NPM_SHA, "refs/tags/v1.2.3", "release",
		                    ".github/workflows/publish.yml", NPM_SHA)
		good = "pkg:npm/%40scope/name@1.2.3"
		write("npm", npm_v1(good, NPM_SHA), publisher, npm_claims)
		write("npm-selfhosted", npm_v1(good, NPM_SHA), publisher, dict(npm_claims, **{"11": "self-hosted"}))
		write("npm-commit", npm_v1(good, "0" * 39 + "1"), publisher, npm_claims)
		write("npm-name", npm_v1("pkg:npm/%40scope/other@1.2.3", NPM_SHA), publisher, npm_claims)
		write("npm-version", npm_v1("pkg:npm/%40scope/name@1.2.4", NPM_SHA), publisher, npm_claims)
		# slsa-github-generator's container generator: SLSA v0.2 provenance for an image's digest
		image_builder = generic.replace("generator_generic_slsa3.yml", "generator_container_slsa3.yml") + "@refs/tags/v2.1.0"
		st = generic_v02(image_builder, ["art1"], TAG, "push")
		st["predicate"]["buildType"] = "https://github.com/slsa-framework/slsa-github-generator/container@v1"
		image_digest = open("image.digest").read().strip().split(":")[1]
		st["subject"] = [{"name": "ghcr.io/" + REPO, "digest": {"sha256": image_digest}}]
		write("image", st, image_builder, claims(image_builder, REPO, SHA, TAG, "push", WF, GEN_SHA))
	EOF
}

verify() { # provenance [options and artifacts...]
	local prov="$1"
	shift
	run --separate-stderr cairn verify-provenance --provenance "$PKI/$prov" --trusted-root "$ROOT" "$@"
}

verify_npm() { # document [options...]
	run --separate-stderr cairn verify-provenance --attestations "$PKI/$1.doc.json" --trusted-root "$ROOT" \
		--npm-key "$PKI/registry.pub" --package-name @scope/name --package-version 1.2.3 --source-uri github.com/scope/name \
		"${@:2}" "$PKI/package.tgz"
}

@test "fake Sigstore: its bundles verify with cairn verify-blob and sigstore-js; another CT log or CA is refused" {
	local js
	js="$("$BATS_TEST_DIRNAME/sigstore-js/install.sh")" || return 1
	local san
	san="$(cat "$PKI/san-generic-tag")"
	run --separate-stderr cairn verify-blob --bundle "$PKI/generic-tag.bundle" --certificate-identity "$san" \
		--certificate-oidc-issuer "$ISSUER" --trusted-root "$ROOT" "$PKI/art1"
	expect_status 0
	expect_stderr "Verified OK"
	run --separate-stderr env CAIRN_SIGSTORE_JS="$js" timeout 120 node "$BATS_TEST_DIRNAME/sigstore-js/verify.js" \
		--bundle "$PKI/generic-tag.bundle" --identity "$san" --issuer "$ISSUER" --trusted-root "$ROOT" "$PKI/art1"
	expect_status 0
	expect_stderr "Verified OK"
	# The same bundle against a root whose CT log key, or CA, is another's: the SCT and the chain count.
	"$PY" "$FAKE" init other --log-root "$PKI/log-root.json"
	"$PY" - "$ROOT" other/trusted_root.json <<-'EOF'
		import json, sys
		mine, other = (json.load(open(p)) for p in sys.argv[1:])
		json.dump(dict(mine, ctlogs=other["ctlogs"]), open("other-ct.json", "w"))
		json.dump(dict(mine, certificateAuthorities=other["certificateAuthorities"]), open("other-ca.json", "w"))
	EOF
	for root in other-ct.json other-ca.json; do
		run --separate-stderr cairn verify-blob --bundle "$PKI/generic-tag.bundle" --certificate-identity "$san" \
			--certificate-oidc-issuer "$ISSUER" --trusted-root "$root" "$PKI/art1"
		expect_status 1
		run --separate-stderr env CAIRN_SIGSTORE_JS="$js" timeout 120 node "$BATS_TEST_DIRNAME/sigstore-js/verify.js" \
			--bundle "$PKI/generic-tag.bundle" --identity "$san" --issuer "$ISSUER" --trusted-root "$root" "$PKI/art1"
		expect_status 1
	done
	run --separate-stderr cairn verify-blob --bundle "$PKI/generic-tag.bundle" --certificate-identity "$san" \
		--certificate-oidc-issuer "$ISSUER" --trusted-root other-ct.json "$PKI/art1"
	expect_stderr "SCT"
}

@test "generic generator (SLSA v0.2): passes for the repository, tag, branch and versioned tag it was built from" {
	verify generic-tag.bundle --source-uri "$REPO" "$PKI/art1"
	expect_status 0
	[[ "$output" == "PASSED: $PKI/art1 built by $GENERIC@refs/tags/v2.1.0 from git+https://$REPO@refs/tags/v1.4.2 at 3f1c9a4d2b7e6f8091a2b3c4d5e6f708192a3b4c" ]]
	verify generic-tag.bundle --source-uri "$REPO" --source-tag v1.4.2 --source-branch main "$PKI/art1"
	expect_status 0
	verify generic-tag.bundle --source-uri "https://$REPO" --source-versioned-tag v1.4 "$PKI/art1"
	expect_status 0
	verify generic-tag.bundle --source-uri "$REPO" --source-versioned-tag v1 --builder-id "$GENERIC@v2.1.0" "$PKI/art1"
	expect_status 0
	verify generic-tag.bundle --source-uri "$REPO" --builder-id "$GENERIC" "$PKI/art1"
	expect_status 0
}

@test "generic generator: a wrong repository, tag, branch or versioned tag fails" {
	verify generic-tag.bundle --source-uri github.com/octo-org/other-tool "$PKI/art1"
	expect_status 1
	expect_stderr "source mismatch: the certificate's source repository is github.com/octo-org/hello-tool"
	verify generic-tag.bundle --source-uri "$REPO" --source-tag v1.4.3 "$PKI/art1"
	expect_status 1
	expect_stderr "tag mismatch: expected tag v1.4.3, got v1.4.2"
	verify generic-tag.bundle --source-uri "$REPO" --source-branch release "$PKI/art1"
	expect_status 1
	expect_stderr "branch mismatch: expected branch release, got main"
	verify generic-tag.bundle --source-uri "$REPO" --source-versioned-tag v1.5 "$PKI/art1"
	expect_status 1
	verify generic-tag.bundle --source-uri "$REPO" --source-versioned-tag v2 "$PKI/art1"
	expect_status 1
	# a branch build has no tag
	verify generic-dispatch.bundle --source-uri "$REPO" --source-tag v1.4.2 "$PKI/art1"
	expect_status 1
	expect_stderr "tag mismatch"
}

@test "generic generator: workflow_dispatch inputs must match" {
	verify generic-dispatch.bundle --source-uri "$REPO" --source-branch main \
		--build-workflow-input release_version=v1.4.2 --build-workflow-input dry_run=false "$PKI/art1"
	expect_status 0
	verify generic-dispatch.bundle --source-uri "$REPO" --build-workflow-input release_version=v1.4.3 "$PKI/art1"
	expect_status 1
	expect_stderr "workflow inputs mismatch: expected release_version=v1.4.3, got release_version=v1.4.2"
	verify generic-dispatch.bundle --source-uri "$REPO" --build-workflow-input publish=true "$PKI/art1"
	expect_status 1
	expect_stderr "the provenance has no input publish"
	# a push has no inputs
	verify generic-tag.bundle --source-uri "$REPO" --build-workflow-input release_version=v1.4.2 "$PKI/art1"
	expect_status 1
	expect_stderr "not workflow_dispatch"
}

@test "generic generator: an untrusted builder, a builder at a branch, another builder or another artifact fails" {
	verify untrusted.bundle --source-uri "$REPO" "$PKI/art1"
	expect_status 1
	expect_stderr "untrusted builder: the certificate's workflow https://$REPO/.github/workflows/release.yml@refs/tags/v1.4.2 is not a trusted builder"
	# ... until it is named: then it is the builder (and the same provenance passes)
	verify untrusted.bundle --source-uri "$REPO" --builder-id "https://$REPO/.github/workflows/release.yml" "$PKI/art1"
	expect_status 0
	verify at-main.bundle --source-uri "$REPO" "$PKI/art1"
	expect_status 1
	expect_stderr "untrusted builder: $GENERIC@refs/heads/main is not at a release tag"
	verify at-main.bundle --source-uri "$REPO" --builder-id "$GENERIC" "$PKI/art1"
	expect_status 1
	expect_stderr "is not at a release tag"
	verify generic-tag.bundle --source-uri "$REPO" --builder-id "$GEN/builder_go_slsa3.yml" "$PKI/art1"
	expect_status 1
	expect_stderr "builder mismatch"
	verify generic-tag.bundle --source-uri "$REPO" --builder-id "$GENERIC@v2.0.0" "$PKI/art1"
	expect_status 1
	expect_stderr "builder mismatch"
	verify generic-tag.bundle --source-uri "$REPO" "$PKI/art3"
	expect_status 1
	expect_stderr "art3: FAILED: $PKI/generic-tag.bundle: no subject of the in-toto statement has the artifact's digest"
}

@test "two artifacts in one provenance pass; a third that is not in it fails" {
	verify generic-tag.bundle --source-uri "$REPO" "$PKI/art1" "$PKI/art2"
	expect_status 0
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[1]}" == "PASSED: $PKI/art2 built by "* ]]
	verify generic-tag.bundle --source-uri "$REPO" "$PKI/art1" "$PKI/art2" "$PKI/art3"
	expect_status 1
	expect_stderr "$PKI/art3: FAILED"
	[[ "$output" == *"PASSED: $PKI/art2"* ]]
	verify generic-tag.bundle --source-uri "$REPO" "sha256:$(sha256sum "$PKI/art2" | cut -d' ' -f1)"
	expect_status 0
}

@test "container-based builder (SLSA v1) passes; its tag and repository are checked" {
	verify container.bundle --source-uri "$REPO" --source-tag v1.4.2 --source-branch main "$PKI/art1"
	expect_status 0
	[[ "$output" == "PASSED: $PKI/art1 built by $CONTAINER@refs/tags/v2.1.0 from git+https://$REPO@refs/tags/v1.4.2"* ]]
	verify container.bundle --source-uri "$REPO" --source-tag v1.4.1 "$PKI/art1"
	expect_status 1
	expect_stderr "tag mismatch"
	verify container.bundle --source-uri github.com/octo-org/other-tool "$PKI/art1"
	expect_status 1
	expect_stderr "source mismatch"
	verify container.bundle --source-uri "$REPO" "$PKI/art2"
	expect_status 1
	expect_stderr "the attestation is about another artifact"
}

@test "npm: a complete attestations document passes" {
	verify_npm npm --builder-id "$NPM_HOSTED"
	expect_status 0
	[[ "$output" == "PASSED: $PKI/package.tgz built by $NPM_HOSTED from git+https://github.com/scope/name@refs/tags/v1.2.3 at 599500821344b070902a7a5666064bfdaba715df (npm package @scope/name@1.2.3)" ]]
}

@test "npm: the short runner builder ID, a self-hosted runner, another commit, another package name or version fails" {
	verify_npm npm --builder-id https://github.com/actions/runner
	expect_status 1
	expect_stderr "the SLSA provenance: builder mismatch: build type https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1 (SLSA v1) is not one builder https://github.com/actions/runner produces"
	verify_npm npm-selfhosted --builder-id "$NPM_HOSTED"
	expect_status 1
	expect_stderr "needs a GitHub-hosted runner, the certificate says self-hosted"
	verify_npm npm-commit --builder-id "$NPM_HOSTED"
	expect_status 1
	expect_stderr "the provenance's source commit 0000000000000000000000000000000000000001 is not the certificate's 599500821344b070902a7a5666064bfdaba715df"
	verify_npm npm-name --builder-id "$NPM_HOSTED"
	expect_status 1
	expect_stderr "package name mismatch: the provenance names @scope/other, expected @scope/name"
	verify_npm npm-version --builder-id "$NPM_HOSTED"
	expect_status 1
	expect_stderr "package version mismatch: the provenance names 1.2.4, expected 1.2.3"
	verify_npm npm --builder-id "$NPM_HOSTED" --source-uri github.com/scope/other
	expect_status 1
	expect_stderr "source mismatch"
}

@test "legacy .intoto.jsonl envelope: refused offline" {
	verify legacy.jsonl --source-uri "$REPO" "$PKI/art1"
	expect_status 1
	expect_stderr "cannot be verified offline"
	# the bundle made from the same signing passes: what is missing offline is only the log entry
	verify legacy.bundle --source-uri "$REPO" --source-tag v1.4.2 "$PKI/art1"
	expect_status 0
	# What an online verifier finds: the log has the entry proposed from legacy.jsonl's line and its
	# certificate (Rekor's search by proposed entry), and none for unlogged.jsonl.
	"$PY" - "$LOG_URL" "$PKI/legacy.jsonl" "$PKI/unlogged.jsonl" <<-'EOF'
		import base64, json, sys, urllib.request
		url, logged, unlogged = sys.argv[1:]
		def found(path):
		    line = open(path).read().rstrip("\n")
		    cert = json.loads(line)["signatures"][0]["cert"]
		    entry = {"apiVersion": "0.0.1", "kind": "dsse", "spec": {"proposedContent": {
		        "envelope": line, "verifiers": [base64.b64encode(cert.encode()).decode()]}}}
		    req = urllib.request.Request(url + "/api/v1/log/entries/retrieve", method="POST",
		                                 data=json.dumps({"entries": [entry]}).encode(),
		                                 headers={"Content-Type": "application/json"})
		    with urllib.request.urlopen(req, timeout=30) as resp:
		        return json.load(resp)
		assert len(found(logged)) == 1, "the legacy envelope's entry is not in the log"
		assert found(unlogged) == [], "an envelope never logged was found"
	EOF
}

# With --rekor-url, cairn works out the dsse 0.0.1 entry the envelope made (its line exactly, without
# the newline, with the certificate as verifier) and fetches it by UUID; unlogged.jsonl was never logged.
@test "legacy .intoto.jsonl envelope: passes with --rekor-url of the log that has its entry, fails for one never logged" {
	verify legacy.jsonl --rekor-url "$LOG_URL" --source-uri "$REPO" --source-tag v1.4.2 "$PKI/art1"
	expect_status 0
	verify legacy.jsonl --rekor-url "$LOG_URL" --source-uri "$REPO" --source-tag v1.4.3 "$PKI/art1"
	expect_status 1
	expect_stderr "tag mismatch"
	verify unlogged.jsonl --rekor-url "$LOG_URL" --source-uri "$REPO" "$PKI/art1"
	expect_status 1
}

@test "image: provenance attached as cosign save lays it out is verified for the image's digest" {
	run --separate-stderr cairn verify-provenance --trusted-root "$ROOT" --source-uri "$REPO" --source-tag v1.4.2 \
		--source-versioned-tag v1 oci-dir:"$PKI/image-dsse"
	expect_status 2 # a tag and a versioned tag together
	run --separate-stderr cairn verify-provenance --trusted-root "$ROOT" --source-uri "$REPO" --source-tag v1.4.2 \
		oci-dir:"$PKI/image-dsse"
	expect_status 0
	[[ "$output" == "PASSED: oci-dir:$PKI/image-dsse built by $GEN/generator_container_slsa3.yml@refs/tags/v2.1.0 from git+https://$REPO@refs/tags/v1.4.2"* ]]
	run --separate-stderr cairn verify-provenance --trusted-root "$ROOT" --source-uri "$REPO" --source-versioned-tag v1.4 \
		oci-dir:"$PKI/image-dsse"
	expect_status 0
	run --separate-stderr cairn verify-provenance --trusted-root "$ROOT" --source-uri github.com/octo-org/other \
		oci-dir:"$PKI/image-dsse"
	expect_status 1
	expect_stderr "source mismatch"
	# the generic generator is not an image builder
	run --separate-stderr cairn verify-provenance --trusted-root "$ROOT" --source-uri "$REPO" --builder-id "$GENERIC" \
		oci-dir:"$PKI/image-dsse"
	expect_status 1
	expect_stderr "builder mismatch"
	# provenance for other artifacts attached to this image does not vouch for it
	run --separate-stderr cairn verify-provenance --trusted-root "$ROOT" --source-uri "$REPO" oci-dir:"$PKI/image-other"
	expect_status 1
	expect_stderr ".att layer 1"
	# an image is given alone: it carries its own provenance
	run --separate-stderr cairn verify-provenance --provenance "$PKI/image.bundle" --trusted-root "$ROOT" --source-uri "$REPO" \
		oci-dir:"$PKI/image-dsse"
	expect_status 2
}

@test "image: an intoto 0.0.1 log entry (cosign before 2023) is matched by its payload and signer" {
	run --separate-stderr cairn verify-provenance --trusted-root "$ROOT" --source-uri "$REPO" oci-dir:"$PKI/image-v001"
	expect_status 0
	# the entry is validly signed by the log, but for another payload
	run --separate-stderr cairn verify-provenance --trusted-root "$ROOT" --source-uri "$REPO" oci-dir:"$PKI/image-v001-other"
	expect_status 1
	expect_stderr "the log entry records a different DSSE payload than the bundle's"
	# an image without attestations
	cp -r "$PKI/image-base" bare
	run --separate-stderr cairn verify-provenance --trusted-root "$ROOT" --source-uri "$REPO" oci-dir:bare
	expect_status 1
	expect_stderr "the image has no attestations"
	# a blob that is not what its digest says
	cp -r "$PKI/image-dsse" swapped
	local att
	att=$(python3 -c 'import json,sys; print([m for m in json.load(open(sys.argv[1]))["manifests"] if m["annotations"]["kind"].endswith("atts")][0]["digest"][7:])' swapped/index.json)
	printf '{}' >"swapped/blobs/sha256/$att"
	run --separate-stderr cairn verify-provenance --trusted-root "$ROOT" --source-uri "$REPO" oci-dir:swapped
	expect_status 1
	expect_stderr "does not have its digest"
}

# Pushes a cosign-saved layout to the registry as cosign stores it: the image as REPO:v1, its
# attestations manifest as REPO:sha256-<image hex>.att.
push_layout() { # layout repo
	python3 - "$1" >push.list <<-'EOF'
		import json, os, sys
		layout = sys.argv[1]
		def path(digest):
		    return os.path.join(layout, "blobs", "sha256", digest.split(":")[1])
		entries = json.load(open(os.path.join(layout, "index.json")))["manifests"]
		entries.sort(key=lambda m: not m["annotations"]["kind"].endswith("/image"))  # the image first
		image = entries[0]["digest"]
		for m in entries:
		    man = json.load(open(path(m["digest"])))
		    for d in [man["config"]] + man["layers"]:
		        print("blob", path(d["digest"]))
		    tag = "v1" if m is entries[0] else "sha256-%s.att" % image.split(":")[1]
		    print("manifest", tag, path(m["digest"]))
	EOF
	local what first second
	while read -r what first second; do
		if [ "$what" = blob ]; then # blob PATH
			rd push-blob "$2" "$first" >/dev/null || return 1
		else # manifest TAG PATH
			rd push-manifest "$2:$first" "$OCI_MANIFEST" "$second" >/dev/null || return 1
		fi
	done <push.list
}

@test "image in a registry: its .att layers are found by the image's digest and verified" {
	local repo="$REG_PLAIN_HOST/octo-org/hello-tool"
	push_layout "$PKI/image-dsse" "$repo"
	run --separate-stderr cairn verify-provenance --trusted-root "$ROOT" --source-uri "$REPO" --source-tag v1.4.2 \
		"registry:$repo:v1"
	expect_status 0
	[[ "$output" == "PASSED: registry:$repo:v1 built by $GEN/generator_container_slsa3.yml@refs/tags/v2.1.0"* ]]
	run --separate-stderr cairn verify-provenance --trusted-root "$ROOT" --source-uri "$REPO" --source-tag v1.4.3 \
		"registry:$repo:v1"
	expect_status 1
	expect_stderr "tag mismatch"
	# another image in the same repository, with the generic generator's provenance attached
	push_layout "$PKI/image-other" "$REG_PLAIN_HOST/octo-org/other"
	run --separate-stderr cairn verify-provenance --trusted-root "$ROOT" --source-uri "$REPO" \
		"registry:$REG_PLAIN_HOST/octo-org/other:v1"
	expect_status 1
	expect_stderr ".att layer 1"
	# an image without attestations
	cp -r "$PKI/image-base" bare
	push_layout bare "$REG_PLAIN_HOST/octo-org/bare"
	run --separate-stderr cairn verify-provenance --trusted-root "$ROOT" --source-uri "$REPO" \
		"registry:$REG_PLAIN_HOST/octo-org/bare:v1"
	expect_status 1
	expect_stderr "the image has no attestations"
}
