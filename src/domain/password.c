/* Password hashing (argon2id through libsodium) and the password policy. */
#include "domain/password.h"

#include "core/err.h"
#include "core/slice.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

/* The sorted, lower-cased common-password list, generated at build time by
 * scripts/common-passwords.sh (common_passwords.c). */
extern const char *const mm_common_passwords[];
extern const size_t mm_ncommon_passwords;

enum { MIN_PERSONAL = 3, SHORT_UNIT = 4, MIN_PIECE = 4 };

static size_t memlimit = MM_PASSWORD_MEMLIMIT;
static unsigned long long opslimit = MM_PASSWORD_OPSLIMIT;

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static int sodium_rc = -1;

static void sodium_start(void)
{
	sodium_rc = sodium_init();
}

bool mm_sodium_ready(void)
{
	pthread_once(&sodium_once, sodium_start);
	return sodium_rc >= 0;
}

void mm_password_set_cost(size_t mem, unsigned long long ops)
{
	memlimit = mem;
	opslimit = ops;
}

int mm_password_hash(const char *pw, size_t len, char *out)
{
	out[0] = '\0';
	if (!mm_sodium_ready())
		return MM_ENOMEM;
	if (crypto_pwhash_str_alg(out, pw, len, opslimit, memlimit, crypto_pwhash_ALG_ARGON2ID13))
		return MM_ENOMEM;
	return MM_OK;
}

bool mm_password_verify(const char *hash, const char *pw, size_t len)
{
	if (!hash || !mm_sodium_ready())
		return false;
	if (strnlen(hash, MM_PASSWORD_HASH_MAX) >= MM_PASSWORD_HASH_MAX)
		return false;
	return crypto_pwhash_str_verify(hash, pw, len) == 0;
}

bool mm_password_needs_rehash(const char *hash)
{
	if (!hash || !mm_sodium_ready())
		return true;
	if (strncmp(hash, "$argon2id$", 10) != 0)
		return true;
	return crypto_pwhash_str_needs_rehash(hash, opslimit, memlimit) != 0;
}

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Digits, ASCII punctuation and spaces: what people pad a word with. */
static bool is_pad(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return true;
	if (c < 0x20 || c >= 0x7f)
		return false;
	return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}

/* Compares the n bytes of w with the string s in byte order, shorter first
 * on a common prefix (the order of LC_ALL=C sort). */
static int cmp_word(const unsigned char *w, size_t n, const char *s)
{
	size_t sn = strlen(s);
	int c = memcmp(w, s, n < sn ? n : sn);

	if (c)
		return c;
	return n < sn ? -1 : n > sn;
}

static bool listed(const unsigned char *w, size_t n)
{
	size_t lo = 0, hi = mm_ncommon_passwords;

	if (n == 0)
		return false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_word(w, n, mm_common_passwords[mid]);

		if (c == 0)
			return true;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}

/* A listed word, or one of at least MIN_PIECE characters padded with digits,
 * punctuation or spaces at either end ("password1234", "!!iloveyou2024",
 * "!@#$%^&*()_+" after "!@#$%^&*"). */
static bool listed_core(const unsigned char *w, size_t n)
{
	size_t lead = 0, trail = 0;

	if (listed(w, n))
		return true;
	while (lead < n && is_pad(w[lead]))
		lead++;
	while (trail < n && is_pad(w[n - 1 - trail]))
		trail++;
	for (size_t k = 1; k <= trail && n - k >= MIN_PIECE; k++)
		if (listed(w, n - k))
			return true;
	for (size_t k = 1; k <= lead && n - k >= MIN_PIECE; k++)
		if (listed(w + k, n - k))
			return true;
	return lead + trail < n && n - lead - trail >= MIN_PIECE &&
	       listed(w + lead, n - lead - trail);
}

/* The whole of w is one piece repeated: short, or itself common. */
static bool repeated(const unsigned char *w, size_t n)
{
	for (size_t u = 1; u <= n / 2; u++) {
		size_t i;

		if (n % u)
			continue;
		for (i = u; i < n && w[i] == w[i - u]; i++)
			;
		if (i == n)
			return u <= SHORT_UNIT || listed_core(w, u);
	}
	return false;
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(unsigned char c)
{
	return c >= 'a' && c <= 'z';
}

/* The next character of an ascending (step 1) or descending (step -1) run:
 * digits wrap around (…8901…), letters do not. */
static bool follows(unsigned char a, unsigned char b, int step)
{
	if (is_digit(a) && is_digit(b))
		return (a - '0' + 10 + step) % 10 == b - '0';
	return is_alpha(a) && is_alpha(b) && a + step == b;
}

static bool sequence(const unsigned char *w, size_t n)
{
	for (int step = -1; step <= 1; step += 2) {
		size_t i;

		for (i = 1; i < n && follows(w[i - 1], w[i], step); i++)
			;
		if (i == n)
			return true;
	}
	return false;
}

static bool contains(const unsigned char *hay, size_t hn, const unsigned char *nd, size_t nn)
{
	if (nn == 0 || nn > hn)
		return false;
	for (size_t i = 0; i + nn <= hn; i++) {
		size_t k;

		for (k = 0; k < nn && hay[i + k] == lower(nd[k]); k++)
			;
		if (k == nn)
			return true;
	}
	return false;
}

/* The name without ASCII spaces and ideographic spaces (U+3000). */
static size_t strip_spaces(const char *s, unsigned char *out, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; s[i] && n < cap; i++) {
		if (s[i] == ' ')
			continue;
		if (s[i] == '\xe3' && s[i + 1] == '\x80' && s[i + 2] == '\x80') {
			i += 2;
			continue;
		}
		out[n++] = (unsigned char)s[i];
	}
	return n;
}

/* True when the lower-cased password low contains s (compared without case,
 * ignored when shorter than MIN_PERSONAL characters). */
static bool has_personal(const unsigned char *low, size_t n, const unsigned char *s, size_t sn)
{
	if (!mm_utf8_valid((const char *)s, sn) ||
	    mm_utf8_count((const char *)s, sn) < MIN_PERSONAL)
		return false;
	return contains(low, n, s, sn);
}

static bool personal(const unsigned char *low, size_t n, const char *login, const char *name)
{
	unsigned char packed[512];
	size_t pn;

	if (login && has_personal(low, n, (const unsigned char *)login, strlen(login)))
		return true;
	if (!name)
		return false;
	if (has_personal(low, n, (const unsigned char *)name, strlen(name)))
		return true;
	pn = strip_spaces(name, packed, sizeof(packed));
	return has_personal(low, n, packed, pn);
}

const char *mm_password_policy(const char *pw, size_t len, const char *login, const char *name)
{
	unsigned char low[MM_PASSWORD_MAX];
	const char *msg = NULL;

	if (len > MM_PASSWORD_MAX)
		return "password_long";
	if (!mm_utf8_valid(pw, len) || memchr(pw, '\0', len))
		return "password_encoding";
	if (mm_utf8_count(pw, len) < MM_PASSWORD_MIN)
		return "password_short";
	for (size_t i = 0; i < len; i++)
		low[i] = lower((unsigned char)pw[i]);
	if (listed_core(low, len) || repeated(low, len) || sequence(low, len))
		msg = "password_common";
	else if (personal(low, len, login, name))
		msg = "password_personal";
	sodium_memzero(low, sizeof(low));
	return msg;
}
