/*
 * embed: files built into the binary (templates/, static/, sql/, demo/).
 * The table is generated at build time by tools/embed.c.
 */
#ifndef PARLEY_EMBED_H
#define PARLEY_EMBED_H

#include <stddef.h>

struct embedded_file {
	const char
	    *path; /* relative to the source tree: "templates/article.html" */
	const unsigned char *data; /* NUL-terminated, len excludes the NUL */
	size_t len;
};

extern const struct embedded_file embedded_files[];
extern const size_t embedded_count;

/* The file at path, or NULL. */
const struct embedded_file *embed_find(const char *path);

#endif
