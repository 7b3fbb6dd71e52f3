/* Signed checkpoints of the audit log in the C2SP tlog-checkpoint format,
 * signed as C2SP signed notes with Ed25519 (libsodium).
 *
 * A checkpoint note is
 *
 *   <origin>\n<tree size>\n<base64 root hash>\n
 *   time <UTC ISO 8601>\n<clock line (mm_clock_line)>\n
 *   \n
 *   — <key name> <base64(key id || signature)>\n
 *
 * where the signature covers the text up to the blank line, the key name
 * is the origin and the key id is the first 4 bytes of
 * SHA-256(name || 0x0A || 0x01 || public key).
 *
 * Key files: the signer key is one line
 * "PRIVATE+KEY+<name>+<key id hex>+<base64(0x01 || seed)>" in a file only
 * its owner may read; the verifier key ("vkey") is
 * "<name>+<key id hex>+<base64(0x01 || public key)>". */
#ifndef MM_DOMAIN_CHECKPOINT_H
#define MM_DOMAIN_CHECKPOINT_H

#include "core/buf.h"
#include "core/merkle.h"

#include <stdbool.h>
#include <stdint.h>

enum { MM_CKPT_NAME_MAX = 128 };

struct mm_ckpt_vkey {
	char name[MM_CKPT_NAME_MAX];
	uint32_t id;
	uint8_t pk[32];
};

struct mm_ckpt_skey {
	struct mm_ckpt_vkey v;
	uint8_t sk[64];
};

/* A name fit for a key and an origin: 1..127 printable ASCII bytes, no
 * space and no '+'. */
bool mm_ckpt_name_ok(const char *name);

/* Makes a new key pair named name; writes the signer key line to skey and
 * the vkey line to vkey (each with a final newline). MM_EINVAL for a bad
 * name. */
int mm_ckpt_keygen(const char *name, struct mm_buf *skey, struct mm_buf *vkey);

/* Reads the signer key from path. MM_EPERM when the file is not a regular
 * file or group or others may read or write it; MM_EINVAL when it is not a
 * signer key; MM_EIO when it cannot be read. The caller wipes out with
 * mm_ckpt_skey_wipe. */
int mm_ckpt_skey_load(const char *path, struct mm_ckpt_skey *out);
void mm_ckpt_skey_wipe(struct mm_ckpt_skey *k);

/* Parses a vkey line (text), or reads one from the file path. MM_EINVAL
 * when it is not one or its key id does not match its key. */
int mm_ckpt_vkey_parse(const char *text, struct mm_ckpt_vkey *out);
int mm_ckpt_vkey_load(const char *path, struct mm_ckpt_vkey *out);

/* Writes the signed checkpoint note of a tree of size entries with root,
 * made at time at, with the clock line, to out (reset first). */
int mm_ckpt_note_sign(const struct mm_ckpt_skey *k, int64_t size, const uint8_t root[MM_HASH_LEN],
		      int64_t at, const char *clock, struct mm_buf *out);

/* Checks note: a well-formed checkpoint whose origin is the key's name,
 * with a signature line of the key that verifies. Sets *size and root.
 * MM_EINVAL for a malformed note, MM_EPERM when no signature of the key
 * verifies. */
int mm_ckpt_note_open(const struct mm_ckpt_vkey *k, const char *note, int64_t *size,
		      uint8_t root[MM_HASH_LEN]);

#endif
