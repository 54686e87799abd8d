/*
 * fuzz_markdown: libFuzzer target for markdown_render().
 *
 * Renders each input with both profiles, and once more into a small
 * capped buffer, and aborts when an invariant breaks: whatever
 * tests/html_check.h refuses (a tag or attribute outside the allowlist,
 * an event attribute, a URL with a scheme other than http, https or
 * mailto or a relative one for readers, an '&' that html_escape() did
 * not write, unbalanced or nested links, invalid UTF-8), output over
 * MARKDOWN_OUT_PER_BYTE x input + MARKDOWN_OUT_BASE bytes, a failed render that
 * left output behind, or output that changes with the bytes after the input in
 * memory.  Slow inputs (md4c 0.4.8 has quadratic cases, see markdown_precheck)
 * are caught by -timeout.
 *
 *   fuzz_markdown -max_len=100000 -timeout=2 corpus tests/fuzz/regression
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../html_check.h"
#include "core/buf.h"
#include "render/markdown.h"

/*
 * What a render may write, whatever the input: the renderer's output
 * budget (markdown.h), which it keeps by rendering a costly construct
 * with less formatting.  Checked as K x input + C, not as a ratio, so
 * that a small input with a large fixed part still passes.
 */
#define OUT_PER_BYTE MARKDOWN_OUT_PER_BYTE
#define OUT_BASE     MARKDOWN_OUT_BASE

static void
fail(const char *why, const char *html)
{
	fprintf(stderr, "fuzz_markdown: %s\n%.2000s\n", why, html);
	abort();
}

static void
check_html(const char *h, size_t n, size_t in, enum markdown_profile p)
{
	const char *err;

	if (strlen(h) != n)
		fail("NUL byte in output", h);
	if (n > OUT_PER_BYTE * in + OUT_BASE)
		fail("output out of proportion to the input", h);
	if ((err = html_check(h, p)) != NULL)
		fail(err, h);
}

/* Renders with profile p and checks the result; returns it in out. */
static bool
render_checked(struct buf *out, const char *src, size_t n,
	       enum markdown_profile p)
{
	bool ok;

	buf_init(out, 0);
	ok = markdown_render(out, src, n, p);
	if (ok)
		check_html(buf_cstr(out), out->len, n, p);
	else if (out->len != 0)
		fail("failed render left output", buf_cstr(out));
	return ok;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *src = (const char *)data;
	struct buf out, again;
	char *padded;
	bool ok;

	render_checked(&out, src, size, MARKDOWN_READER);
	buf_clear(&out);

	/*
	 * Whatever follows the input in memory must not count (md4c 0.4.8
	 * reads past the end of some inputs): same output with ')' after.
	 */
	if ((padded = malloc(size + 64)) == NULL)
		abort();
	if (size > 0)
		memcpy(padded, data, size);
	memset(padded + size, ')', 64);
	ok = render_checked(&out, src, size, MARKDOWN_AUTHOR);
	if (ok != render_checked(&again, padded, size, MARKDOWN_AUTHOR) ||
	    out.len != again.len ||
	    memcmp(buf_cstr(&out), buf_cstr(&again), out.len) != 0)
		fail("output depends on bytes after the input",
		     buf_cstr(&again));
	buf_clear(&again);
	buf_clear(&out);
	free(padded);

	/* A full buffer is cut back to what it held before. */
	buf_init(&out, 64 + (size > 0 ? data[0] : 0));
	if (!buf_puts(&out, "kept"))
		abort();
	ok = markdown_render(&out, src, size, MARKDOWN_READER);
	if (!ok && buf_failed(&out) && strcmp(buf_cstr(&out), "kept") != 0)
		fail("capped render not rolled back", buf_cstr(&out));
	if (ok)
		check_html(buf_cstr(&out) + 4, out.len - 4, size,
			   MARKDOWN_READER);
	buf_clear(&out);
	return 0;
}
