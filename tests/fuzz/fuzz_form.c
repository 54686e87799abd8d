/*
 * Fuzzes the form and cookie parsers: no crash, no read past the input,
 * and every decoded value no longer than its source.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "http/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	struct fields f;
	char *cstr;
	size_t i;

	arena_init(&a);
	if (form_parse(&a, (const char *)data, size, 64, &f) == FORM_OK) {
		for (i = 0; i < f.count; i++) {
			if (f.items[i].len > size || strlen(f.items[i].name) > size)
				abort();
			(void)fields_get(&f, f.items[i].name);
		}
	}
	/* Cookie headers arrive as C strings. */
	cstr = malloc(size + 1);
	if (cstr) {
		memcpy(cstr, data, size);
		cstr[size] = '\0';
		if (cookie_parse(&a, cstr, 32, &f) == FORM_OK)
			for (i = 0; i < f.count; i++)
				if (f.items[i].len > size)
					abort();
		free(cstr);
	}
	arena_clear(&a);
	return 0;
}
