/*
 * template_view: the view model a handler builds for a template, in its
 * request's arena.
 */
#include <string.h>

#include "render/template_internal.h"

/* View model. */

static struct tv *
tv_new(struct arena *a, enum tv_kind kind)
{
	struct tv *v = arena_zalloc(a, sizeof(*v));

	if (v == NULL)
		return NULL;
	v->kind = kind;
	if (kind == TV_OBJ || kind == TV_LIST)
		v->u.box.arena = a;
	return v;
}

struct tv *
tv_obj(struct arena *a)
{
	if (a == NULL)
		return NULL;
	return tv_new(a, TV_OBJ);
}

/* NULL obj is refused, so calls can chain after a failed tv_put_obj(). */
static struct tv *
tv_put(struct tv *obj, const char *key, enum tv_kind kind)
{
	struct tv *v;

	if (obj == NULL || obj->kind != TV_OBJ || key == NULL)
		return NULL;
	v = tv_new(obj->u.box.arena, kind);
	if (v == NULL)
		return NULL;
	v->key = key;
	v->next = obj->u.box.head;
	obj->u.box.head = v;
	return v;
}

bool
tv_put_strn(struct tv *obj, const char *key, const char *s, size_t n)
{
	struct tv *v = tv_put(obj, key, TV_STR);

	if (v == NULL)
		return false;
	v->u.str.s = s != NULL ? s : "";
	v->u.str.n = s != NULL ? n : 0;
	return true;
}

bool
tv_put_str(struct tv *obj, const char *key, const char *s)
{
	return tv_put_strn(obj, key, s, s != NULL ? strlen(s) : 0);
}

bool
tv_put_int(struct tv *obj, const char *key, long long i)
{
	struct tv *v = tv_put(obj, key, TV_INT);

	if (v == NULL)
		return false;
	v->u.i = i;
	return true;
}

bool
tv_put_bool(struct tv *obj, const char *key, bool b)
{
	struct tv *v = tv_put(obj, key, TV_BOOL);

	if (v == NULL)
		return false;
	v->u.b = b;
	return true;
}

bool
tv_put_safe(struct tv *obj, const char *key, struct safe_html h)
{
	struct tv *v = tv_put(obj, key, TV_SAFE);

	if (v == NULL)
		return false;
	v->u.str.s = h.html != NULL ? h.html : "";
	v->u.str.n = h.html != NULL ? h.len : 0;
	return true;
}

struct tv *
tv_put_obj(struct tv *obj, const char *key)
{
	return tv_put(obj, key, TV_OBJ);
}

struct tv *
tv_put_list(struct tv *obj, const char *key)
{
	return tv_put(obj, key, TV_LIST);
}

struct tv *
tv_push(struct tv *list)
{
	struct tv *v;

	if (list == NULL || list->kind != TV_LIST)
		return NULL;
	v = tv_new(list->u.box.arena, TV_OBJ);
	if (v == NULL)
		return NULL;
	if (list->u.box.tail != NULL)
		list->u.box.tail->next = v;
	else
		list->u.box.head = v;
	list->u.box.tail = v;
	return v;
}

const struct tv *
tv_member(const struct tv *obj, const char *key)
{
	const struct tv *m;

	if (obj == NULL || obj->kind != TV_OBJ)
		return NULL;
	for (m = obj->u.box.head; m != NULL; m = m->next)
		if (m->key[0] == key[0] && strcmp(m->key, key) == 0)
			return m;
	return NULL;
}

bool
tv_truthy(const struct tv *v)
{
	if (v == NULL)
		return false;
	switch (v->kind) {
	case TV_OBJ:
		return true;
	case TV_LIST:
		return v->u.box.head != NULL;
	case TV_STR:
	case TV_SAFE:
		return v->u.str.n > 0;
	case TV_INT:
		return v->u.i != 0;
	case TV_BOOL:
		return v->u.b;
	}
	return false;
}
