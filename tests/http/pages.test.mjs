// The pages a reader sees: front page, article page, static files,
// avatars, the health check, errors by address and method, headers, and
// the access log.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
	site, browser, request, rawRequest, scratch, addArticle, parley, startServer, postComment,
	countHeading, assertSecurityHeaders, assertNoActiveContent, stopClean, newArticle, formTokens, sql,
} from './util.mjs';

// One server for the first two groups of tests, started before either.
let srv;
before(async () => {
	srv = await site({
		config: '[comments]\nfront_per_page = 2\n',
		articles: [
			{ slug: 'oldest', title: 'The Oldest', extra: 'date: 2026-01-05 08:00\n' },
			{
				slug: 'middle', title: 'Tom & Jerry\'s "Show" <b>', body: 'Some **bold** words and a [link](https://example.org/a).\n\n## A heading',
				extra: 'image: /static/demo/libraries.svg\ncaption: A "caption" <i>\ntags: civic, money\n',
			},
			{ slug: 'newest', title: 'The Newest', extra: 'date: 2026-11-20 18:30\n' },
		],
	});
});
after(() => stopClean(srv));

describe('front page and article page', () => {
	test('the front page lists the newest articles first, paginated', async () => {
		const b = browser(srv);
		const one = await b.get('/');
		assert.equal(one.res.status, 200);
		assert.match(one.res.headers.get('content-type'), /^text\/html/);
		const slugs = [...one.text.matchAll(/<h2><a href="\/articles\/([a-z0-9-]+)">/g)].map((m) => m[1]);
		assert.deepEqual(slugs, ['newest', 'middle']);
		assert.match(one.text, /href="\/\?page=2"/);
		assert.match(one.text, /No comments yet/);
		assert.ok(one.text.includes('Tom &amp; Jerry&#39;s &quot;Show&quot; &lt;b&gt;'), 'title escaped on the front page');
		assertNoActiveContent(one.text, 'front page');

		const two = await b.get('/?page=2');
		assert.equal(two.res.status, 200);
		const slugs2 = [...two.text.matchAll(/<h2><a href="\/articles\/([a-z0-9-]+)">/g)].map((m) => m[1]);
		assert.deepEqual(slugs2, ['oldest']);
		assert.match(two.text, /rel="prev" href="\/"/);
	});

	test('a front page past the end is 404, a page that is not a number 400', async () => {
		const b = browser(srv);
		assert.equal((await b.get('/?page=3')).res.status, 404);
		assert.equal((await b.get('/?page=abc')).res.status, 400);
		assert.equal((await b.get('/?page=0')).res.status, 400);
		assert.equal((await b.get('/?page=-1')).res.status, 400);
	});

	test('the article page shows title, author, date, image, body and tags', async () => {
		const b = browser(srv);
		const { res, text } = await b.get('/articles/newest');
		assert.equal(res.status, 200);
		assert.match(text, /<h1>The Newest<\/h1>/);
		assert.match(text, /<title>The Newest · Parley<\/title>/);
		assert.match(text, /<span class="author">Test Author<\/span>/);
		assert.match(text, /<time datetime="2026-11-20T18:30:00Z">20 November 2026 at 18:30<\/time>/);
		assert.match(text, /<p>Body text\.<\/p>/);
		assert.equal(countHeading(text), 'No comments yet');
		assert.match(text, /<h3 id="reply-title">Leave a Reply<\/h3>/);
		assertNoActiveContent(text, 'article page');

		const mid = await b.get('/articles/middle');
		assert.equal(mid.res.status, 200);
		assert.ok(mid.text.includes('<h1>Tom &amp; Jerry&#39;s &quot;Show&quot; &lt;b&gt;</h1>'), 'title escaped in h1');
		assert.match(mid.text, /Some <strong>bold<\/strong> words/);
		assert.match(mid.text, /<a href="https:\/\/example\.org\/a"[^>]*>link<\/a>/);
		assert.match(mid.text, /<h2>A heading<\/h2>/);
		assert.match(mid.text, /<img src="\/static\/demo\/libraries\.svg" alt="A &quot;caption&quot; &lt;i&gt;">/);
		assert.match(mid.text, /<figcaption>A &quot;caption&quot; &lt;i&gt;<\/figcaption>/);
		assert.match(mid.text, /<li>civic<\/li><li>money<\/li>/);
		assertNoActiveContent(mid.text, 'article page with image');
	});

	test('the count heading quotes the escaped title in curly quotes', async () => {
		// Its own site: the shared one's front pages stay as the tests above expect.
		const own = await site({ articles: [] });
		try {
			const b = browser(own);
			const slug = newArticle(own, { title: 'Tom & Jerry\'s "Show" <b>' });
			const r = await postComment(b, slug);
			assert.equal(r.status, 303);
			const { text } = await b.get(`/articles/${slug}`);
			assert.equal(countHeading(text), '1 thought on “Tom &amp; Jerry&#39;s &quot;Show&quot; &lt;b&gt;”');
			const two = await postComment(b, slug);
			assert.equal(two.status, 303);
			assert.equal(countHeading((await b.get(`/articles/${slug}`)).text), '2 thoughts on “Tom &amp; Jerry&#39;s &quot;Show&quot; &lt;b&gt;”');
			const home = await b.get('/');
			assert.ok(home.text.includes(`href="/articles/${slug}#comments">2 comments<`), 'the front page counts them');
		} finally {
			await stopClean(own);
		}
	});

	test('an unknown article, or a slug that cannot be one, is a 404 HTML page', async () => {
		const b = browser(srv);
		for (const path of ['/articles/no-such-article', '/articles/Bad_Slug', '/articles/%3Cscript%3E', '/nowhere', '/articles']) {
			const { res, text } = await b.get(path);
			assert.equal(res.status, 404, path);
			assert.match(res.headers.get('content-type'), /^text\/html/, path);
			assert.match(text, /Page not found/, path);
			assertNoActiveContent(text, path);
		}
	});

	test('HEAD answers like GET, without a body', async () => {
		const res = await request(srv, '/articles/newest', { method: 'HEAD' });
		assert.equal(res.status, 200);
		assert.equal(await res.text(), '');
		assertSecurityHeaders(res, 'HEAD');
	});

	test('a method the address does not take is 405 with an Allow that names what it takes', async () => {
		for (const [method, path, allowed, refused] of [
			['PUT', '/articles/newest', ['GET'], ['PUT']],
			['DELETE', '/articles/newest', ['GET'], ['DELETE']],
			['POST', '/articles/newest', ['GET'], ['POST']],
			['GET', '/articles/newest/comments', ['POST'], ['GET']],
			['DELETE', '/articles/newest/comments', ['POST'], ['DELETE']],
			['PUT', '/', ['GET'], ['PUT']],
		]) {
			const res = await request(srv, path, { method, body: method === 'GET' ? undefined : 'x=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
			assert.equal(res.status, 405, `${method} ${path}`);
			assertSecurityHeaders(res, `${method} ${path}`);
			const allow = (res.headers.get('allow') || '').split(',').map((s) => s.trim());
			for (const m of allowed) assert.ok(allow.includes(m), `${method} ${path}: Allow "${allow}" lacks ${m}`);
			for (const m of refused) assert.ok(!allow.includes(m), `${method} ${path}: Allow "${allow}" names ${m}, which the address just refused`);
		}
	});
});

describe('static files, avatars, health check, headers', () => {

	for (const [path, type] of [['/static/parley.css', /^text\/css/], ['/static/parley.js', /^(text|application)\/javascript/]]) {
		test(`${path} is served with an ETag and revalidates to 304`, async () => {
			const res = await request(srv, path);
			assert.equal(res.status, 200);
			assert.match(res.headers.get('content-type'), type);
			assert.ok((await res.text()).length > 100);
			const etag = res.headers.get('etag');
			assert.match(etag || '', /^(W\/)?"[^"]+"$/);
			assertSecurityHeaders(res, path);

			const again = await request(srv, path, { headers: { 'if-none-match': etag } });
			assert.equal(again.status, 304);
			assert.equal(await again.text(), '');
			assert.equal(again.headers.get('etag'), etag);
			assertSecurityHeaders(again, `${path} 304`);

			const other = await request(srv, path, { headers: { 'if-none-match': '"not-this-one"' } });
			assert.equal(other.status, 200);
		});
	}

	test('an unknown static file is 404', async () => {
		for (const path of ['/static/nope.css', '/static/demo/nope.svg', '/static/parley.css/x']) {
			const res = await request(srv, path);
			assert.equal(res.status, 404, path);
		}
		// Sent as they are: fetch() would resolve the dot segments itself.
		for (const path of ['/static/../src/main.c', '/static/%2e%2e/Makefile', '/static/demo/../parley.js', '/static/demo/..%2f..%2fMakefile', '/static/..%2f.git%2fconfig']) {
			const r = await rawRequest(srv.url, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
			assert.equal(r.status, 404, path);
		}
	});

	test('an avatar is an SVG drawn from its name; anything else there is 404', async () => {
		const res = await request(srv, '/avatars/0123456789abcdef0123456789abcdef.svg');
		assert.equal(res.status, 200);
		assert.equal(res.headers.get('content-type'), 'image/svg+xml');
		const svg = await res.text();
		assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
		assert.doesNotMatch(svg, /<script|on\w+=|href/i);
		assertSecurityHeaders(res, 'avatar');
		const same = await (await request(srv, '/avatars/0123456789abcdef0123456789abcdef.svg')).text();
		assert.equal(same, svg, 'the same name draws the same picture');
		for (const path of [
			'/avatars/0123456789ABCDEF0123456789ABCDEF.svg', '/avatars/0123456789abcdef.svg',
			'/avatars/0123456789abcdef0123456789abcdef.png', '/avatars/0123456789abcdef0123456789abcdeg.svg',
			'/avatars/0123456789abcdef0123456789abcdef0.svg', '/avatars/', '/avatars/x/y.svg',
			'/avatars/%3Cscript%3E.svg',
		]) {
			assert.equal((await request(srv, path)).status, 404, path);
		}
	});

	test('the health check says ok', async () => {
		const res = await request(srv, '/healthz');
		assert.equal(res.status, 200);
		assert.equal((await res.text()).trim(), 'ok');
		assertSecurityHeaders(res, 'healthz');
	});

	test('every kind of response carries the security headers', async () => {
		const b = browser(srv);
		const { csrf, key } = formTokens((await b.get('/articles/oldest')).text);
		const form = (extra) => new URLSearchParams({ csrf, key, author: 'A', email: 'a@example.org', body: 'b', ...extra });
		const posted = await b.post('/articles/oldest/comments', form({}));
		const id = /#comment-(\d+)$/.exec(posted.res.headers.get('location') || '')[1];
		const responses = [
			['200 page', await b.get('/')],
			['303 post', posted],
			['302 permalink', await b.get(`/comments/${id}`)],
			['400', await b.get('/articles/oldest?cpage=abc')],
			['403', await b.post('/articles/oldest/comments', form({ csrf: 'wrong' }))],
			['404', await b.get('/nothing-here')],
			['413', await b.post('/articles/oldest/comments', form({ pad: 'x'.repeat(10000 * 12 + 16384) }))],
			['415', await b.post('/articles/oldest/comments', 'x=1', { 'content-type': 'text/plain' })],
			['422', await b.post('/articles/oldest/comments', form({ body: '' }))],
		];
		for (const [what, { res }] of responses) {
			assert.equal(String(res.status), what.slice(0, 3), what);
			assertSecurityHeaders(res, what);
		}
	});
});

// The server notices another process's commits within a quarter second
// (PRAGMA data_version, polled by the writer); give it a little longer.
async function eventually(get, pattern, ms = 3000) {
	const until = Date.now() + ms;
	for (;;) {
		const r = await get();
		if (pattern.test(r.text) || Date.now() > until) return r;
		await new Promise((res) => setTimeout(res, 50));
	}
}

describe('the page cache follows the CLI', () => {
	let srv, db;
	before(async () => {
		({ db } = scratch());
		addArticle(db, { slug: 'first', title: 'First' });
		srv = await startServer({ db });
	});
	after(() => stopClean(srv));

	test('an article added while the server runs appears on the front page', async () => {
		const b = browser(srv);
		const before1 = await b.get('/');
		assert.match(before1.text, /href="\/articles\/first"/);
		const path = join(scratch().dir, 'late.md');
		writeFileSync(path, '---\ntitle: Added Later\nslug: added-later\nauthor: A\ndate: 2026-11-21 10:00\n---\nLater.\n');
		assert.equal(parley(['post', 'add', path, '--db', db]).status, 0);
		assert.equal((await b.get('/articles/added-later')).res.status, 200, 'the article itself is there');
		const after1 = await eventually(() => b.get('/'), /added-later/);
		assert.match(after1.text, /href="\/articles\/added-later"/, 'the front page (cached before the add) lists the new article');
	});

	test('closing comments while the server runs takes the form off the page', async () => {
		const b = browser(srv);
		const slug = newArticle(srv);
		const open = await b.get(`/articles/${slug}`);
		assert.match(open.text, /id="commentform"/);
		assert.equal(parley(['post', 'close', slug, '--db', db]).status, 0);
		// The tokens of the page loaded before the close: only the close refuses it.
		const t = formTokens(open.text);
		const refused = await b.post(`/articles/${slug}/comments`, { csrf: t.csrf, key: t.key, author: 'A', email: 'a@example.org', body: 'too late' });
		assert.equal(refused.res.status, 403, 'a post is refused once comments are closed');
		assert.match(refused.text, /Comments are closed\./);
		assert.deepEqual(sql(db, "select count(*) from comments where body_md = 'too late'"), [['0']]);
		const closed = await eventually(() => b.get(`/articles/${slug}`), /Comments are closed/);
		assert.match(closed.text, /Comments are closed\./, 'the page (cached before the close) says comments are closed');
		assert.doesNotMatch(closed.text, /id="commentform"/);
	});
});

describe('the access log', () => {
	test('has one line per request: client address, method, path, status, bytes, microseconds', async () => {
		const srv = await site();
		const sent = [
			['GET', '/healthz', 200],
			['GET', '/articles/test-article', 200],
			['GET', '/nope', 404],
			['PUT', '/articles/test-article', 405],
			['GET', '/static/parley.css', 200],
			['GET', '/x%0Afake%20line', 404],
		];
		const bodies = [];
		for (const [method, path] of sent) {
			const res = await request(srv, path, { method });
			bodies.push(Buffer.byteLength(await res.text()));
		}
		const raw = await rawRequest(srv.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
		assert.equal(raw.status, 200);
		assert.equal((await srv.stop()).code, 0);
		const lines = srv.logs().stdout.split('\n').filter(Boolean);
		assert.equal(lines.length, sent.length + 1, lines.join('\n'));
		const parsed = lines.map((l) => {
			const m = /^\S+ 127\.0\.0\.1 "([A-Z]+) (\/[^"]*)" (\d{3}) (\d+) (\d+)us$/.exec(l);
			assert.ok(m, `access log line: ${l}`);
			return { method: m[1], path: m[2], status: Number(m[3]), bytes: Number(m[4]), usec: Number(m[5]) };
		});
		// A line is written when its response has gone out, on the thread
		// that sent it: lines of requests that follow closely may swap.
		const unused = [...parsed];
		for (const [i, [method, path, status]] of sent.entries()) {
			const at = unused.findIndex((p) => p.method === method && p.status === status &&
				(path.includes('%') ? p.path.startsWith('/x') : p.path === path));
			assert.ok(at >= 0, `a log line for ${method} ${path} ${status}:\n${lines.join('\n')}`);
			const [p] = unused.splice(at, 1);
			if (!path.includes('%')) assert.equal(p.bytes, bodies[i], `bytes for ${method} ${path}`);
			assert.ok(p.usec >= 0 && p.usec < 10_000_000);
		}
		assert.ok(!lines.some((l) => l.startsWith('fake')), 'a newline in a path cannot forge a log line');
	});
});
