#include "core/err.h"

static const char *const names[MM_ERR_COUNT] = {
	[MM_OK] = "ok",
	[MM_ENOMEM] = "out of memory or buffer cap reached",
	[MM_EINVAL] = "invalid input",
	[MM_ENOTFOUND] = "not found",
	[MM_ECONFLICT] = "conflicting update",
	[MM_ETOOBIG] = "input too large",
	[MM_EENCODING] = "invalid character encoding",
	[MM_EIO] = "input/output error",
	[MM_EDB] = "database error",
	[MM_EBUSY] = "database busy",
	[MM_EPERM] = "permission denied",
	[MM_EVALIDATE] = "validation failed",
};

const char *mm_strerror(int err)
{
	if (err < 0 || err >= MM_ERR_COUNT || names[err] == 0)
		return "unknown error";
	return names[err];
}
