/* static: the embedded CSS, script and images; avatars; the health check. */
#include <sodium.h>
#include <string.h>

#include "app.h"
#include "core/embed.h"
#include "http/cache.h"
#include "model/article.h"
#include "model/health.h"
#include "store/store.h"
#include "web/web.h"

static const char *
content_type(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot == NULL)
		return "application/octet-stream";
	if (strcmp(dot, ".css") == 0)
		return "text/css; charset=utf-8";
	if (strcmp(dot, ".js") == 0)
		return "text/javascript; charset=utf-8";
	if (strcmp(dot, ".svg") == 0)
		return "image/svg+xml";
	if (strcmp(dot, ".png") == 0)
		return "image/png";
	if (strcmp(dot, ".ico") == 0)
		return "image/x-icon";
	return "application/octet-stream";
}

/*
 * Serves the embedded file at path (NULL: none) with an ETag (a hash of
 * the bytes), revalidated after an hour.
 */
static void
serve_embedded(struct request *req, struct response *res, const char *path)
{
	const struct embedded_file *f;
	unsigned char hash[16];
	const char *inm, *etag;
	char hex[33];

	f = path ? embed_find(path) : NULL;
	if (f == NULL) {
		error_page(req, res, 404, NULL);
		return;
	}
	crypto_generichash(hash, sizeof(hash), f->data, f->len, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
	etag = arena_printf(&req->arena, "\"%s\"", hex);
	inm = request_header(req, "If-None-Match");
	(void)response_header(res, "ETag", etag);
	(void)response_header(res, "Cache-Control", "public, max-age=3600");
	if (inm && etag && strstr(inm, etag) != NULL) {
		res->status = 304;
		return;
	}
	res->status = 200;
	res->content_type = content_type(path);
	if (!buf_append(&res->body, f->data, f->len))
		error_page(req, res, 503, NULL);
}

/* GET /static/NAME: anyone. */
void
static_file(struct request *req, struct response *res)
{
	serve_embedded(
	    req, res,
	    arena_printf(&req->arena, "static/%s", req_text(req, "name")));
}

/* GET /static/demo/NAME.svg: anyone.  The demo's pictures. */
void
static_demo_file(struct request *req, struct response *res)
{
	const char *name = req_text(req, "name");

	serve_embedded(req, res,
		       strcmp(req_text(req, "dir"), "demo") == 0 &&
			       strstr(name, ".svg") != NULL
			   ? arena_printf(&req->arena, "demo/%s", name)
			   : NULL);
}

/*
 * GET /avatars/HEX.svg: anyone.  A symmetric 5x5 pattern drawn from the
 * name, which is a keyed hash of the commenter's email: no request to
 * any other site, and the email cannot be recovered from it.
 */
void
avatar_image(struct request *req, struct response *res)
{
	const char *name = req_text(req, "name");
	unsigned char h[16];
	int x, y, hue;
	size_t i;
	bool ok;

	if (strlen(name) != 36 || strcmp(name + 32, ".svg") != 0 ||
	    sodium_hex2bin(h, sizeof(h), name, 32, NULL, NULL, NULL) != 0) {
		error_page(req, res, 404, NULL);
		return;
	}
	for (i = 0; i < 32; i++)
		if (name[i] >= 'A' && name[i] <= 'F') {
			error_page(req, res, 404, NULL);
			return;
		}
	hue = (h[0] << 8 | h[1]) % 360;
	ok = buf_printf(
	    &res->body,
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 5 5\""
	    " width=\"40\" height=\"40\" shape-rendering=\"crispEdges\">"
	    "<rect width=\"5\" height=\"5\" fill=\"hsl(%d,30%%,92%%)\"/>"
	    "<g fill=\"hsl(%d,55%%,45%%)\">",
	    hue, hue);
	for (y = 0; y < 5; y++)
		for (x = 0; x < 3; x++) {
			int bit = y * 3 + x;

			if (!(h[2 + bit / 8] >> (bit % 8) & 1))
				continue;
			ok =
			    ok &&
			    buf_printf(
				&res->body,
				"<rect x=\"%d\" y=\"%d\" width=\"1\" height=\"1\"/>",
				x, y);
			if (x != 2)
				ok =
				    ok &&
				    buf_printf(
					&res->body,
					"<rect x=\"%d\" y=\"%d\" width=\"1\" height=\"1\"/>",
					4 - x, y);
		}
	ok = ok && buf_puts(&res->body, "</g></svg>");
	if (!ok) {
		error_page(req, res, 503, NULL);
		return;
	}
	res->status = 200;
	res->content_type = "image/svg+xml";
	(void)response_header(res, "Cache-Control",
			      "public, max-age=31536000, immutable");
}

/*
 * GET /healthz: anyone.  200 "ok" when the database answers and takes
 * writes; 503 naming what is wrong otherwise (the file removed or moved
 * while serving, writes failing).  The header
 * X-Page-Cache says what the page cache holds, as counted against its
 * cap, and the entries not yet freed (held by responses too):
 * "entries=N bytes=B max=M live=L".
 */
void
health_check(struct request *req, struct response *res)
{
	struct page_cache_stats cs;
	const char *why;
	bool ok = health_store(req->app, &req->arena, &why) == ERR_OK;

	res->status = ok ? 200 : 503;
	res->content_type = "text/plain; charset=utf-8";
	(void)response_header(res, "Cache-Control", "no-store");
	page_cache_stats(req->app->cache, &cs);
	(void)response_header(
	    res, "X-Page-Cache",
	    arena_printf(&req->arena, "entries=%zu bytes=%zu max=%zu live=%zu",
			 cs.entries, cs.bytes, cs.max_bytes, cs.live));
	if (!buf_puts(&res->body, ok ? "ok" : why) ||
	    !buf_puts(&res->body, "\n"))
		res->status = 503;
}
