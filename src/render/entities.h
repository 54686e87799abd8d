/*
 * entities: HTML5 named character references ("&AElig;", "&ngE;"), the
 * full list of the HTML standard, which CommonMark says to decode.  The
 * table is generated (tools/gen_entities.py) into entities.c.
 */
#ifndef PARLEY_ENTITIES_H
#define PARLEY_ENTITIES_H

#include <stddef.h>

/* The longest value in UTF-8 bytes (two code points), with room to spare. */
#define ENTITIES_UTF8_MAX 8

/*
 * Looks up the name name[0..n), given without '&' and ';' and compared
 * with case ("AMP" and "amp" are both names, "Amp" is not).  Returns its
 * value, NUL-terminated UTF-8 of at most ENTITIES_UTF8_MAX bytes, with
 * its length in *len; NULL when the name is not in the list.  The value
 * is static: nobody frees it.
 */
const char *entities_lookup(const char *name, size_t n, size_t *len);

#endif
