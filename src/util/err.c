#include "util/err.h"

const char *
lc_strerror(lc_err err)
{
	switch (err) {
	case LC_OK: return "ok";
	case LC_ENOMEM: return "out of memory or over a size limit";
	case LC_EINVAL: return "invalid input";
	case LC_ENOTFOUND: return "not found";
	case LC_ECONFLICT: return "conflict";
	case LC_EDB: return "database error";
	case LC_EDBDOWN: return "database unavailable";
	case LC_ERETRY: return "transaction must be retried";
	case LC_EIO: return "i/o error";
	case LC_EAUTH: return "unauthorized";
	case LC_EFORBIDDEN: return "forbidden";
	}
	return "unknown error";
}
