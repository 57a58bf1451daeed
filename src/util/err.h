/* err.h: the one error enum every fallible linkcamp function returns. */
#ifndef LC_ERR_H
#define LC_ERR_H

typedef enum lc_err {
	LC_OK = 0,
	LC_ENOMEM,    /* allocation failed or a hard size limit was hit */
	LC_EINVAL,    /* input does not parse or is out of range */
	LC_ENOTFOUND, /* no such object (or not visible to the caller) */
	LC_ECONFLICT, /* state does not allow the operation */
	LC_EDB,       /* database error that a retry will not fix */
	LC_EDBDOWN,   /* database unreachable: answer 503 */
	LC_ERETRY,    /* deadlock or lock wait timeout: retry the transaction */
	LC_EIO,       /* file or socket error */
	LC_EAUTH,     /* credentials missing or wrong */
	LC_EFORBIDDEN /* authenticated but not allowed */
} lc_err;

/* lc_strerror returns a static, human-readable name for err. */
const char *lc_strerror(lc_err err);

#endif
