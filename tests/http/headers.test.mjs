// The security headers the README promises on every page: the
// Content-Security-Policy without inline script, X-Content-Type-Options,
// Referrer-Policy and X-Frame-Options, with their exact values, on every
// kind of response: pages (rendered and from the cache), static files and
// their 304, avatars, the health check, redirects, each error page and
// HEAD; and the visitor cookie's flags.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { FORM_TYPE, browser, openForm, rawRequest, request, site, stopClean } from './util.mjs';

const SLUG = 'headers-article';

// The exact values; one header each, sent once (fetch joins repeats with ", ").
const WANT = {
	'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; "
		+ "img-src 'self' https: data:; form-action 'self'; frame-ancestors 'none'; "
		+ "base-uri 'none'; object-src 'none'",
	'x-content-type-options': 'nosniff',
	'referrer-policy': 'strict-origin-when-cross-origin',
	'x-frame-options': 'DENY',
};

// headers: a fetch Headers or the plain object rawRequest() gives.
function assertHeaders(headers, what) {
	const get = (n) => (typeof headers.get === 'function' ? headers.get(n) : headers[n]);
	for (const [name, value] of Object.entries(WANT)) {
		assert.equal(get(name), value, `${what}: ${name}`);
	}
	// The policy that matters most, said plainly: no inline script.
	assert.doesNotMatch(get('content-security-policy'), /unsafe-inline|unsafe-eval/, `${what}: inline script`);
}

describe('security headers on every kind of response', () => {
	let srv, b, form;

	before(async () => {
		srv = await site({
			articles: [{ slug: SLUG, title: 'Headers Article' }],
			config: '[comments]\nmax_length = 200\n',
		});
		b = browser(srv);
		form = await openForm(b, SLUG);
	});
	after(async () => {
		await stopClean(srv);
	});

	// A fresh comment form with good tokens; fields override.
	function comment(fields = {}) {
		return { csrf: form.csrf, key: form.key, author: 'Ada Reader', email: 'ada@example.org', url: '', body: 'A header test comment.', parent: '', website_confirm: '', ...fields };
	}

	test('pages: the front page, an article rendered and from the cache, HEAD', async () => {
		for (const path of ['/', `/articles/${SLUG}`, `/articles/${SLUG}`, '/debates', '/account/signin']) {
			const r = await b.get(path);
			assert.equal(r.res.status, 200, path);
			assertHeaders(r.res.headers, `GET ${path}`);
		}
		for (const path of ['/', `/articles/${SLUG}`, '/static/parley.css']) {
			const res = await request(srv, path, { method: 'HEAD' });
			assert.equal(res.status, 200, `HEAD ${path}`);
			assertHeaders(res.headers, `HEAD ${path}`);
		}
	});

	test('a static file, its 304, the health check', async () => {
		let res = await request(srv, '/static/parley.css');
		assert.equal(res.status, 200);
		assert.match(res.headers.get('content-type'), /^text\/css/);
		assertHeaders(res.headers, 'static file');
		const etag = res.headers.get('etag');
		assert.ok(etag, 'static files carry an ETag');
		res = await request(srv, '/static/parley.css', { headers: { 'if-none-match': etag } });
		assert.equal(res.status, 304);
		assertHeaders(res.headers, 'static 304');
		res = await request(srv, '/healthz');
		assert.equal(res.status, 200);
		assertHeaders(res.headers, 'health check');
	});

	test('a 303 after a post, and the avatar of the comment', async () => {
		const r = await b.post(`/articles/${SLUG}/comments`, comment());
		assert.equal(r.res.status, 303);
		assertHeaders(r.res.headers, '303 after a comment');
		const page = await b.get(`/articles/${SLUG}`);
		const avatar = /<img[^>]+src="(\/avatars\/[0-9a-f]{32}\.svg)"/.exec(page.text);
		assert.ok(avatar, 'the comment shows an avatar');
		const res = await request(srv, avatar[1]);
		assert.equal(res.status, 200);
		assert.match(res.headers.get('content-type'), /^image\/svg\+xml/);
		assertHeaders(res.headers, 'avatar');
		// A staff page sends an anonymous reader to sign in.
		const desk = await request(srv, '/desk');
		assert.equal(desk.status, 303);
		assertHeaders(desk.headers, '303 to sign in');
	});

	test('error pages: 400, 403, 404, 405, 413, 415, 422', async () => {
		const post = (body, type = FORM_TYPE) => request(srv, `/articles/${SLUG}/comments`, {
			method: 'POST', body, headers: { 'content-type': type, cookie: b.cookieHeader() },
		});
		const cases = [
			[400, 'a damaged form', () => post(`${new URLSearchParams(comment())}&note=%zz`)],
			[400, 'a path too long', () => request(srv, `/${'x'.repeat(5000)}`)],
			[403, 'a wrong token', () => post(new URLSearchParams(comment({ csrf: 'x' })).toString())],
			[404, 'an unknown path', () => request(srv, '/no-such-page')],
			[404, 'an unknown article', () => request(srv, '/articles/no-such-article')],
			[405, 'GET on a POST route', () => request(srv, `/articles/${SLUG}/comments`)],
			[413, 'a body over the form limit', () => post(new URLSearchParams({ ...comment(), pad: 'p'.repeat(80000) }).toString())],
			[413, 'a comment over max_length', () => post(new URLSearchParams(comment({ body: 'y'.repeat(201) })).toString())],
			[415, 'a text/plain body', () => post(new URLSearchParams(comment()).toString(), 'text/plain')],
			[422, 'a comment without an email', () => post(new URLSearchParams(comment({ email: '' })).toString())],
		];
		for (const [status, what, send] of cases) {
			const res = await send();
			assert.equal(res.status, status, what);
			assert.match(res.headers.get('content-type') || '', /^text\/html/, `${what}: an HTML page`);
			assertHeaders(res.headers, `${status} (${what})`);
			await res.arrayBuffer();
		}
	});

	test('a request\'s headers up to 24 KB are read; far larger ones are refused with 431', async () => {
		const ok = await request(srv, `/articles/${SLUG}`, { headers: { 'x-pad': 'a'.repeat(24 * 1024) } });
		assert.equal(ok.status, 200);
		await ok.arrayBuffer();
		const big = await request(srv, `/articles/${SLUG}`, { headers: { 'x-pad': 'a'.repeat(40 * 1024) } });
		assert.equal(big.status, 431);
		await big.arrayBuffer();
	});

	test('the visitor cookie behind the form token is HttpOnly and SameSite=Lax', async () => {
		const res = await request(srv, `/articles/${SLUG}`);
		assert.equal(res.status, 200);
		const cookie = res.headers.getSetCookie().find((c) => c.startsWith('parley_v='));
		assert.ok(cookie, 'a first visit gets a visitor cookie');
		assert.match(cookie, /^parley_v=[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}; Path=\/; HttpOnly; SameSite=Lax$/, 'no Secure on plain http');
		await res.arrayBuffer();
	});

	test('a request the server refuses before routing still carries them', async () => {
		// An unknown method, over a raw connection.
		const r = await rawRequest(srv.url, 'BREW / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
		assert.ok(r.status >= 400 && r.status < 500, `status ${r.status}`);
		assertHeaders(r.headers, `BREW (${r.status})`);
	});
});

describe('behind TLS', () => {
	test('the visitor cookie is Secure as well, and named __Host- so no other host can plant it', async () => {
		const srv = await site({ articles: [{ slug: SLUG }], config: '[site]\nbase_url = https://comments.example.org\n' });
		try {
			const res = await request(srv, `/articles/${SLUG}`);
			assert.equal(res.status, 200);
			assertHeaders(res.headers, 'a page behind TLS');
			const cookie = res.headers.getSetCookie().find((c) => c.startsWith('__Host-parley_v='));
			assert.match(cookie, /^__Host-parley_v=[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}; Path=\/; HttpOnly; SameSite=Lax; Secure$/);
			await res.arrayBuffer();
		} finally {
			await stopClean(srv);
		}
	});
});
