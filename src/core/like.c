#include "core/like.h"

int
like_contains(const char *s, char *out, size_t outlen)
{
	size_t o = 0;

	if (outlen < 3)
		return -1;
	out[o++] = '%';
	for (; *s; s++) {
		if (*s == '%' || *s == '_' || *s == '!') {
			if (o + 2 >= outlen)
				return -1;
			out[o++] = '!';
		}
		if (o + 1 >= outlen)
			return -1;
		out[o++] = *s;
	}
	if (o + 2 > outlen)
		return -1;
	out[o++] = '%';
	out[o] = '\0';
	return 0;
}
