#include "core/fetch.h"

#include <curl/curl.h>
#include <string.h>

bool
fetch_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

void
fetch_global_cleanup(void)
{
	curl_global_cleanup();
}

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	if (!buf_append(b, p, size * n))
		return 0; /* too large: curl stops with an error */
	return size * n;
}

bool
fetch_url(struct arena *a, const char *url, const char *bearer,
	  const char *form, const char *user, const char *password,
	  struct fetch_result *out, struct buf *err)
{
	struct curl_slist *headers = NULL, *h;
	struct buf body;
	char *auth = NULL;
	CURLcode rc;
	CURL *c;
	bool ok = false;

	memset(out, 0, sizeof(*out));
	buf_init(&body, FETCH_MAX);
	if ((c = curl_easy_init()) == NULL) {
		buf_seterr(err, "%s", "out of memory");
		return false;
	}
	h = curl_slist_append(headers, "Accept: application/json");
	if (h)
		headers = h;
	if (bearer) {
		auth = arena_printf(a, "Authorization: Bearer %s", bearer);
		if (auth && (h = curl_slist_append(headers, auth)) != NULL)
			headers = h;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 15L);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)FETCH_MAX);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "Parley");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	if (form) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(form));
	}
	if (user) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, password ? password : "");
	}
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		buf_seterr(err, "%s", curl_easy_strerror(rc));
		goto done;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	out->body = arena_strndup(a, body.len ? body.data : "", body.len);
	out->len = body.len;
	if (out->body == NULL) {
		buf_seterr(err, "%s", "out of memory");
		goto done;
	}
	ok = true;
done:
	curl_easy_cleanup(c);
	curl_slist_free_all(headers);
	buf_clear(&body);
	return ok;
}
