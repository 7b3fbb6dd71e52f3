/* Checkpoint notes (C2SP signed notes) and verifier key lines, as read from
 * files another machine kept (mamori audit verify --checkpoints). The input
 * is a vkey line, a newline, then the note, so that seeds carry a key whose
 * signature verifies. Invariants: an opened note has a non-negative size,
 * and a note opened with a key is refused by any other key. */
#include "fuzz.h"

#include "core/err.h"
#include "domain/checkpoint.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	size_t klen = nl ? (size_t)(nl - (const char *)data) : size;
	char *key = malloc(klen + 1), *note = NULL;
	struct mm_ckpt_vkey k;
	uint8_t root[MM_HASH_LEN];
	int64_t tree = -1;

	if (!key)
		return 0;
	memcpy(key, data, klen);
	key[klen] = '\0';
	if (mm_ckpt_vkey_parse(key, &k) != MM_OK)
		goto out;
	FUZZ_CHECK(mm_ckpt_name_ok(k.name));
	if (!nl)
		goto out;
	size -= klen + 1;
	note = malloc(size + 1);
	if (!note)
		goto out;
	memcpy(note, nl + 1, size);
	note[size] = '\0';
	if (mm_ckpt_note_open(&k, note, &tree, root) == MM_OK) {
		FUZZ_CHECK(tree >= 0);
		k.pk[0] ^= 1;
		FUZZ_CHECK(mm_ckpt_note_open(&k, note, &tree, root) != MM_OK);
	}
out:
	free(note);
	free(key);
	return 0;
}
