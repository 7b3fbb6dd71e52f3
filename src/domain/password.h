/* Passwords: argon2id hashes (libsodium) and the policy of 7.3 — at least 12
 * characters, long ones welcome, no composition rules, no common passwords,
 * not the person's own name or login. */
#ifndef MM_DOMAIN_PASSWORD_H
#define MM_DOMAIN_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

enum { MM_PASSWORD_MIN = 12, MM_PASSWORD_MAX = 1024, MM_PASSWORD_HASH_MAX = 128 };

/* Hashes pw into out (NUL-terminated, at most MM_PASSWORD_HASH_MAX bytes)
 * with argon2id at the configured cost (at least 64 MiB, 2 passes). Returns
 * MM_OK or MM_ENOMEM. */
int mm_password_hash(const char *pw, size_t len, char *out);

/* True when pw matches hash; constant time in pw. */
bool mm_password_verify(const char *hash, const char *pw, size_t len);

/* True when hash was made with weaker parameters than today's: rehash at
 * the next successful sign-in. */
bool mm_password_needs_rehash(const char *hash);

/* Checks pw against the policy. Returns NULL when acceptable, else a message
 * id: password_short, password_long, password_common, password_personal,
 * password_encoding. login and name may be NULL. */
const char *mm_password_policy(const char *pw, size_t len, const char *login, const char *name);

/* Test and benchmark hook: the argon2id cost (bytes of memory, passes). The
 * defaults are 64 MiB and 2 passes; lower values are refused outside tests
 * by mm_password_set_cost's caller. */
void mm_password_set_cost(size_t memlimit, unsigned long long opslimit);

#endif
