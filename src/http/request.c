#include "http/request.h"

#include <string.h>

#include "app.h"
#include "core/limits.h"
#include "http/cache.h"

const char *
request_cookie(struct request *req, const char *name)
{
	const struct field *f;

	if (req->cookies.items == NULL) {
		const char *h = request_header(req, "Cookie");

		/* A broken header counts as no cookies at all. */
		if (h == NULL || cookie_parse(&req->arena, h, LIMIT_COOKIES,
					      &req->cookies) != FORM_OK)
			req->cookies.count = 0;
		if (req->cookies.items == NULL)
			req->cookies.items = (struct field *)""; /* parsed */
	}
	if (req->cookies.count == 0)
		return NULL;
	f = fields_get(&req->cookies, name);
	return f ? f->value : NULL;
}

bool
request_secure(const struct request *req)
{
	return strncmp(req->app->base_url, "https:", 6) == 0;
}

const char *
request_cookie_name(struct request *req, const char *name)
{
	const char *full;

	if (!request_secure(req))
		return name;
	full = arena_printf(&req->arena, "__Host-%s", name);
	/* Short of memory, a name no cookie has: nobody is recognised. */
	return full ? full : "__Host-";
}

const char *
request_site_cookie(struct request *req, const char *name)
{
	return request_cookie(req, request_cookie_name(req, name));
}

const struct field *
request_field(struct request *req, const char *name)
{
	return fields_get(&req->form, name);
}

bool
response_header(struct response *res, const char *name, const char *value)
{
	if (res->nheaders == RESPONSE_HEADERS || name == NULL || value == NULL)
		return false;
	res->headers[res->nheaders].name = name;
	res->headers[res->nheaders].value = value;
	res->nheaders++;
	return true;
}

bool
response_hold(struct response *res, struct page_entry *e)
{
	if (res->nheld == RESPONSE_HELD)
		return false;
	res->held[res->nheld++] = e;
	return true;
}

bool
response_holds_bytes(const struct response *res, const char *fill, size_t len)
{
	uintptr_t p = (uintptr_t)fill;
	size_t i;

	for (i = 0; i < res->nheld; i++) {
		uintptr_t from = (uintptr_t)res->held[i]->data;

		if (p >= from && p + len <= from + res->held[i]->len)
			return true;
	}
	return false;
}

void
response_redirect(struct response *res, const char *location)
{
	res->status = 303;
	res->content_type = "text/plain; charset=utf-8";
	(void)response_header(res, "Location", location);
}
