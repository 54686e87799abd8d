/* err: the one result type of model and store calls. */
#ifndef PARLEY_ERR_H
#define PARLEY_ERR_H

enum err {
	ERR_OK = 0,
	ERR_NOMEM,
	ERR_DB,
	ERR_NOTFOUND,
	ERR_CONFLICT,
	ERR_INVALID,
	ERR_FORBIDDEN,
	ERR_LIMIT,
	ERR_TOOLARGE,  /* more than a request may send (a comment over its
			  length) */
	ERR_DUPLICATE, /* the same thing again, already stored */
	ERR_UNSURE,    /* a write whose commit failed in a way that leaves
			  it unknown whether it is stored */
	ERR__MAX
};

const char *err_str(enum err e);

#endif
