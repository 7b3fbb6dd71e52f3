#include "core/schema.h"

#include <string.h>

int mm_schema_field(const struct mm_schema *s, const char *name)
{
	for (size_t i = 0; i < s->nfields; i++)
		if (strcmp(s->fields[i].name, name) == 0)
			return (int)i;
	return -1;
}

int mm_schema_level_field(const struct mm_schema *s)
{
	for (size_t i = 0; i < s->nfields; i++)
		if (s->fields[i].flags & MM_F_LEVEL)
			return (int)i;
	return -1;
}
