/* Languages and the message catalogue. Japanese is the default; English is a
 * switch. Messages are looked up by id; templates may contain {label}, {min}
 * and {max}, filled by mm_msg_format. */
#ifndef MM_DOMAIN_I18N_H
#define MM_DOMAIN_I18N_H

#include "core/buf.h"

#include <stddef.h>
#include <stdint.h>

enum mm_lang { MM_JA = 0, MM_EN = 1 };

/* Returns the text of message id in lang; the id itself when unknown. */
const char *mm_msg(enum mm_lang lang, const char *id);

/* Appends message id with {label}, {min} and {max} substituted. */
void mm_msg_format(struct mm_buf *b, enum mm_lang lang, const char *id, const char *label,
		   int64_t min, int64_t max);

/* The number of catalogue entries, and the id of entry i (NULL past the
 * end), for tests that check the catalogue as a whole. */
size_t mm_msg_count(void);
const char *mm_msg_id(size_t i);

/* Picks ja or en from a pair. */
#define MM_L(lang, ja, en) ((lang) == MM_EN ? (en) : (ja))

#endif
