/* Sealing small secrets at rest (the TOTP seeds): libsodium's secretbox
 * (XSalsa20-Poly1305) under one 32-byte key kept in a file beside the
 * database — by default the database path with ".key" appended
 * (mamori.db → mamori.db.key). The server and the CLI open the key once at
 * start-up, before threads; afterwards sealing is thread-safe. A database
 * copied without its key file keeps its TOTP seeds unreadable: back both up,
 * separately. */
#ifndef MM_DOMAIN_SEAL_H
#define MM_DOMAIN_SEAL_H

#include "core/buf.h"

#include <stdbool.h>
#include <stddef.h>

enum { MM_SEAL_KEY_BYTES = 32 };

/* Writes the default key path for the database at db_path (db_path + ".key")
 * into out. MM_ETOOBIG when it does not fit in n bytes. */
int mm_seal_key_path(const char *db_path, char *out, size_t n);

/* Loads the key from path: exactly MM_SEAL_KEY_BYTES raw bytes in a regular
 * file that neither group nor others may read or write (MM_EPERM otherwise).
 * When the file is missing and create is set, makes it (mode 0600, random
 * bytes) first; when it is missing otherwise, MM_ENOTFOUND. MM_EINVAL when
 * the file has the wrong size, MM_EIO on other failures. The key lives in
 * guarded, read-only memory; a key loaded before is replaced. */
int mm_seal_open_key(const char *path, bool create);

/* Forgets the key (wiping it); sealing fails until a key is loaded again. */
void mm_seal_close_key(void);

/* True when a key is loaded. */
bool mm_seal_ready(void);

/* Seals the n bytes at plain and appends the text form to out: "s1:" and
 * the base64 of nonce || ciphertext. MM_EIO when no key is loaded, MM_ENOMEM
 * when out overflows. */
int mm_seal(const char *plain, size_t n, struct mm_buf *out);

/* Opens a text made by mm_seal and appends the plain bytes to out (NUL-
 * terminated, as buffers are). MM_EINVAL when text is malformed, tampered
 * with or sealed under another key; MM_EIO when no key is loaded. The
 * plaintext is secret: the caller wipes out->data (sodium_memzero) before
 * freeing it; to keep the buffer from moving the plaintext, mm_unseal
 * reserves room first. */
int mm_unseal(const char *text, struct mm_buf *out);

#endif
