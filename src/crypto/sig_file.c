/* Signing and verifying files: streamed through the digest where the algorithm allows it. */
#include "cairn/error.h"
#include "cairn/file.h"
#include "cairn/sig.h"

int cairn_sig_sign_file(const cairn_key *key, const char *path, cairn_buf *sig)
{
	enum cairn_digest_alg alg = cairn_key_default_digest(key);
	int err;
	if (alg == CAIRN_DIGEST_NONE) {
		cairn_buf message = CAIRN_BUF_INIT;
		err = cairn_file_read(path, CAIRN_SIG_ED25519_FILE_LIMIT, &message);
		if (!err)
			err = cairn_sig_sign(key, message.data, message.len, sig);
		cairn_buf_free(&message);
		return err;
	}
	cairn_digest digest;
	err = cairn_digest_file(alg, path, &digest);
	return err ? err : cairn_sig_sign_digest(key, &digest, sig);
}

int cairn_sig_verify_file(const cairn_key *key, const char *path, const uint8_t *sig, size_t sig_len)
{
	enum cairn_digest_alg alg = cairn_key_default_digest(key);
	int err;
	if (alg == CAIRN_DIGEST_NONE) {
		cairn_buf message = CAIRN_BUF_INIT;
		err = cairn_file_read(path, CAIRN_SIG_ED25519_FILE_LIMIT, &message);
		if (!err)
			err = cairn_sig_verify(key, message.data, message.len, sig, sig_len);
		cairn_buf_free(&message);
		return err;
	}
	cairn_digest digest;
	err = cairn_digest_file(alg, path, &digest);
	return err ? err : cairn_sig_verify_digest(key, &digest, sig, sig_len);
}
