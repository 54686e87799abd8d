/*
 * fuzz_template: the input is template source ("main", and after the
 * first NUL byte "item", so partials and recursion get exercised).  What
 * loads is rendered against a fixed hostile view model.  Beyond crashes
 * and leaks, it checks that markup from the data never comes out raw.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "render/template.h"

#define MARK "<x-pwn"

static struct tv *
view_model(struct arena *a)
{
	static const char *const names[] = {
		MARK " onerror=alert(1)>\"'&`",
		"javascript:alert(1)",
		"--><!--",
	};
	struct tv *root = tv_obj(a), *list, *item, *user;
	int i;

	if (root == NULL || !tv_put_str(root, "title", MARK ">\"'</script>") ||
	    !tv_put_str(root, "url", " javascript:alert(1)") ||
	    !tv_put_str(root, "empty", "") || !tv_put_int(root, "n", -7) ||
	    !tv_put_bool(root, "flag", true) ||
	    !tv_put_bool(root, "off", false) ||
	    !tv_put_safe(root, "body", html_literal("<em>safe</em>")))
		return NULL;
	list = tv_put_list(root, "items");
	for (i = 0; i < 3; i++) {
		item = tv_push(list);
		if (item == NULL || !tv_put_str(item, "name", names[i]) ||
		    !tv_put_str(item, "url", names[(i + 1) % 3]) ||
		    !tv_put_int(item, "n", i))
			return NULL;
		if (i == 1 && tv_put_list(item, "items") == NULL)
			return NULL;
	}
	user = tv_put_obj(root, "user");
	if (user == NULL || !tv_put_str(user, "name", MARK "/>"))
		return NULL;
	return root;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *names[] = { "main", "item" };
	const char *srcs[2];
	struct tpl_set *set;
	struct buf out, err;
	struct arena a;
	struct tv *root;
	char *copy;
	size_t first;

	copy = malloc(size + 2);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = copy[size + 1] = '\0';
	first = strlen(copy);
	srcs[0] = copy;
	srcs[1] = first < size ? copy + first + 1 : "";
	buf_init(&out, 1 << 20);
	buf_init(&err, 0);
	arena_init(&a);
	set = tpl_set_from_strings(names, srcs, 2, &err);
	root = view_model(&a);
	if (set != NULL && root != NULL &&
	    tpl_render(set, "main", root, &out)) {
		/* Only the template itself may write the marker. */
		if (strstr(buf_cstr(&out), MARK) != NULL &&
		    strstr(srcs[0], "x-pwn") == NULL &&
		    strstr(srcs[1], "x-pwn") == NULL)
			abort();
	}
	if (set == NULL && err.len == 0)
		abort();	/* every refusal must say why */
	tpl_set_free(set);
	arena_clear(&a);
	buf_clear(&out);
	buf_clear(&err);
	free(copy);
	return 0;
}
