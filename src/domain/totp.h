/* The TOTP second factor (RFC 6238 through liboath): 30-second steps, six
 * digits, HMAC-SHA-1 — what authenticator apps expect — and one step of
 * clock drift either way. A secret holds the 160-bit seed and the SHA-256
 * hashes of the unused recovery codes; it reaches the store only sealed
 * (seal.h), as the JSON text {"seed":HEX,"recovery":[HEX,...]}. */
#ifndef MM_DOMAIN_TOTP_H
#define MM_DOMAIN_TOTP_H

#include "core/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	MM_TOTP_SEED_BYTES = 20,
	MM_TOTP_DIGITS = 6,
	MM_TOTP_STEP = 30,
	MM_TOTP_DRIFT = 1, /* steps accepted before and after the current one */
	MM_TOTP_RECOVERY_CODES = 10,
	MM_TOTP_RECOVERY_SIZE = 10, /* "ABCD-EFGH" and its NUL */
	MM_TOTP_HASH_BYTES = 32,
};

struct mm_totp_secret {
	unsigned char seed[MM_TOTP_SEED_BYTES];
	unsigned char recovery[MM_TOTP_RECOVERY_CODES][MM_TOTP_HASH_BYTES];
	size_t nrecovery;
};

/* Recovery codes as shown to the user, once. */
struct mm_totp_codes {
	char code[MM_TOTP_RECOVERY_CODES][MM_TOTP_RECOVERY_SIZE];
};

/* Fills s with a new random seed and no recovery codes. MM_EIO when the
 * crypto libraries cannot start. */
int mm_totp_generate(struct mm_totp_secret *s);

/* Replaces the recovery codes of s with MM_TOTP_RECOVERY_CODES new ones,
 * written to out (groups of four letters of the base32 alphabet, "ABCD-EFGH"). */
int mm_totp_new_recovery(struct mm_totp_secret *s, struct mm_totp_codes *out);

/* Wipes a secret (or codes) held in memory. */
void mm_totp_wipe(struct mm_totp_secret *s);
void mm_totp_wipe_codes(struct mm_totp_codes *c);

/* Seals s into out (seal.h text form), or opens such a text into s.
 * mm_totp_unseal: MM_EINVAL when the text does not open or is not a secret. */
int mm_totp_seal(const struct mm_totp_secret *s, struct mm_buf *out);
int mm_totp_unseal(const char *text, struct mm_totp_secret *s);

/* The code of seed at unix time t with digits digits (6 to 8), HMAC-SHA-1,
 * 30-second steps, into out (digits + 1 bytes). For tests against RFC 6238's
 * vectors and for the enrolment page. */
int mm_totp_code(const unsigned char *seed, size_t n, int64_t t, unsigned digits, char *out);

/* Checks a six-digit code (spaces ignored) against s at now, accepting the
 * steps within MM_TOTP_DRIFT of now's. Returns MM_OK and sets *step to the
 * matching step; MM_ECONFLICT when the code matches only steps at or before
 * last_step (a replay); MM_EINVAL otherwise. */
int mm_totp_check(const struct mm_totp_secret *s, const char *code, int64_t now, int64_t last_step,
		  int64_t *step);

/* When code (case, spaces and dashes ignored; 0, 1 and 8 read as O, I and B)
 * is one of the unused recovery codes of s, removes it and returns true. */
bool mm_totp_use_recovery(struct mm_totp_secret *s, const char *code);

/* Appends the otpauth URI that authenticator apps read:
 * otpauth://totp/mamori:LOGIN?secret=BASE32&issuer=mamori&digits=6&period=30
 * (the login percent-encoded). It holds the seed: wipe it after use. */
int mm_totp_uri(const char *login, const struct mm_totp_secret *s, struct mm_buf *out);

/* Appends a QR code (libqrencode, level M) of uri as an SVG document: a white
 * background and one black <path>, no styles or scripts (the pages' CSP
 * forbids them), scaled by the viewBox. MM_ENOMEM when encoding fails. */
int mm_totp_qr_svg(const char *uri, struct mm_buf *out);

#endif
