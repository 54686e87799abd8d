#include "core/err.h"

static const char *const names[ERR__MAX] = {
    [ERR_OK] = "ok",
    [ERR_NOMEM] = "out of memory",
    [ERR_DB] = "database error",
    [ERR_NOTFOUND] = "not found",
    [ERR_CONFLICT] = "conflict",
    [ERR_INVALID] = "invalid input",
    [ERR_FORBIDDEN] = "forbidden",
    [ERR_LIMIT] = "over a limit",
    [ERR_TOOLARGE] = "too large",
    [ERR_DUPLICATE] = "duplicate",
    [ERR_UNSURE] = "not known whether it was stored",
};

const char *
err_str(enum err e)
{
	return (unsigned)e < ERR__MAX ? names[e] : "unknown error";
}
