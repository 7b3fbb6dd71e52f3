/* Passwords: argon2id hashes (libsodium) and the policy of 7.3 — at least 12
 * characters, long ones welcome, no composition rules, no common passwords,
 * not the person's own name or login. */
#ifndef MM_DOMAIN_PASSWORD_H
#define MM_DOMAIN_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

enum { MM_PASSWORD_MIN = 12, MM_PASSWORD_MAX = 1024, MM_PASSWORD_HASH_MAX = 128 };

/* The default argon2id cost: 64 MiB of memory, 2 passes. */
#define MM_PASSWORD_MEMLIMIT ((size_t)64 << 20)
#define MM_PASSWORD_OPSLIMIT 2ULL

/* Hashes pw into out (NUL-terminated, at most MM_PASSWORD_HASH_MAX bytes)
 * with argon2id at the configured cost (at least 64 MiB, 2 passes). Returns
 * MM_OK or MM_ENOMEM. */
int mm_password_hash(const char *pw, size_t len, char *out);

/* True when pw matches hash; constant time in pw. A NULL or malformed hash
 * matches nothing. */
bool mm_password_verify(const char *hash, const char *pw, size_t len);

/* True when hash was made with other parameters (or another algorithm) than
 * today's: rehash at the next successful sign-in. */
bool mm_password_needs_rehash(const char *hash);

/* Checks pw against the policy. Returns NULL when acceptable, else a message
 * id: password_long (more than MM_PASSWORD_MAX bytes), password_encoding
 * (not UTF-8, or a NUL), password_short (fewer than MM_PASSWORD_MIN code
 * points), password_common, password_personal. login and name may be NULL.
 *
 * Common means, after ASCII lower-casing: on the built-in list (Debian's
 * john-data password.lst); or a listed word padded with digits and
 * punctuation at either end ("password1234"); or one short piece repeated
 * ("abcabcabcabc", "passwordpassword"); or a run of consecutive characters
 * ("123456789012"). The list alone would refuse almost nothing of 12
 * characters or more. Personal means containing the login or the name (with
 * and without its spaces), ignoring case; logins and names shorter than 3
 * characters are not checked. */
const char *mm_password_policy(const char *pw, size_t len, const char *login, const char *name);

/* Test and benchmark hook: the argon2id cost (bytes of memory, passes). The
 * defaults are MM_PASSWORD_MEMLIMIT and MM_PASSWORD_OPSLIMIT; lower values
 * are refused outside tests by mm_password_set_cost's caller. Call before
 * threads start. */
void mm_password_set_cost(size_t memlimit, unsigned long long opslimit);

/* Initialises libsodium once (thread-safe); false when it cannot run. Every
 * function of this module and of seal.h, totp.h and auth.h calls it. */
bool mm_sodium_ready(void);

#endif
