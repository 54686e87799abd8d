// Hostile input in every field comes back escaped; reader Markdown yields
// no raw HTML, no script links, no images; the remembered-name cookie is
// escaped; X-Forwarded-For is ignored without a trusted proxy.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
	site, browser, request, openForm, postComment, comments, commentBody, sql, unique,
	inputValue, textareaValue, fieldError, escapeHtml, newArticle, tags, decodeEntities, assertNoActiveContent, assertNotRaw,
	FORM_TYPE, PG_BASE, stopClean,
} from './util.mjs';

const PAYLOADS = [
	'"><script>alert(1)</script>',
	"' onmouseover='alert(1)",
	'javascript:alert(1)',
	'<img src=x onerror=alert(1)>',
	'[x](javascript:alert(1))',
	'[x](javascript&colon;alert(1))',
	'</textarea><script>alert(1)</script>',
	'"autofocus onfocus="alert(1)',
	'{{site_title}}{{{body_html}}}',
];
const FIELDS = ['author', 'email', 'url', 'body', 'parent', 'key'];

// C0 controls other than tab, LF, CR, and DEL: never in a page.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

// Checks one page: no injected markup, payload not raw, no control characters.
function clean(html, payload, what) {
	assertNoActiveContent(html, what);
	if (/[<>"']/.test(payload)) assertNotRaw(html, payload, what);
	assert.ok(!CONTROLS.test(html), `${what}: a control character in the page`);
}

// One server with the default configuration for most of this file.
let srv;
before(async () => {
	srv = await site({ articles: [{ slug: 'target', title: 'Target <b>"title"</b>' }, { slug: 'md' }, { slug: 'cookie' }, { slug: 'ip' }] });
});
after(() => stopClean(srv));

describe('hostile input in every field', () => {

	for (const field of FIELDS) {
		test(`${field}: every payload comes back escaped, accepted or refused`, async () => {
			const b = browser(srv);
			const t = await openForm(b, 'target');
			// Posts the form with changes; the CSRF token stays good for this visitor.
			const send = async (changes) => {
				const f = { csrf: t.csrf, key: unique('key'), author: 'Ada', email: 'ada@example.org', url: '', body: unique('xss'), parent: '', website_confirm: '', ...changes };
				const { res, text } = await b.post('/articles/target/comments', f);
				const location = res.headers.get('location');
				return { status: res.status, text, location, id: location ? Number(location.split('#comment-')[1]) : null };
			};
			for (const payload of PAYLOADS) {
				const what = `${field}=${JSON.stringify(payload)}`;
				// Accepted where the field allows it; refused where it does not.
				const r = await send({ [field]: payload });
				clean(r.text, payload, `${what} response ${r.status}`);
				if (field === 'url' || field === 'email' || field === 'parent' || field === 'key') {
					assert.equal(r.status, 422, `${what} must be refused`);
					// A key that is not one of ours is no key: a fresh form to send again.
					if (field === 'key') assert.match(r.text, /name="key" value="[A-Za-z0-9_-]{22}"/);
					if (field !== 'parent' && field !== 'key') {
						assert.equal(inputValue(r.text, field), escapeHtml(payload.trim()), `${what}: kept, escaped`);
					}
				} else {
					assert.equal(r.status, 303, `${what} is a valid ${field}`);
					const page = await b.get(r.location.replace(/#.*/, ''));
					clean(page.text, payload, `${what} article page`);
					const c = comments(page.text).find((x) => x.id === r.id);
					assert.ok(c, `${what}: the comment is on the page`);
					if (field === 'author') {
						assert.ok(c.html.includes(`<span class="comment-author">${escapeHtml(payload)}</span>`), `${what}: the name shown as text`);
						assert.ok(c.html.includes(`data-author="${escapeHtml(payload)}"`), `${what}: data-author escaped`);
						const reply = await b.get(`/articles/target?replytocom=${r.id}`);
						clean(reply.text, payload, `${what} reply form`);
						assert.ok(reply.text.includes(`Reply to ${escapeHtml(payload)} <a class="cancel-reply"`), `${what}: Reply to NAME escaped`);
					}
				}
				// The same value in a refused form (another field wrong) comes back escaped too.
				const refused = await send({ [field]: payload, ...(field === 'body' ? { email: 'bad' } : { body: '' }) });
				assert.equal(refused.status, 422, `${what} refused form`);
				clean(refused.text, payload, `${what} refused form`);
				if (field === 'body') assert.equal(textareaValue(refused.text), escapeHtml(payload));
				if (field === 'author') assert.equal(inputValue(refused.text, 'author'), escapeHtml(payload.trim()));
				// A key that is not one of ours is dropped: the form gets a fresh one.
				if (field === 'key') assert.match(refused.text, /name="key" value="[A-Za-z0-9_-]{22}"/);
			}
			const home = await b.get('/');
			for (const payload of PAYLOADS) clean(home.text, payload, `${field}: front page`);
		});
	}

	test('a website with a quote and no spaces stays inside its attribute', async () => {
		const b = browser(srv);
		// A quote is a valid URL character; < > and " are not.
		for (const [url, status] of [["https://example.org/'onmouseover='alert(1)'", 303], ['https://example.org/?a=1&b=<2>', 422], ['HTTPS://EXAMPLE.ORG/x"y', 422]]) {
			const r = await postComment(b, 'target', { url });
			assert.equal(r.status, status, `url ${url}`);
			const page = r.status === 303 ? (await b.get('/articles/target')).text : r.text;
			clean(page, url, `url ${url}`);
			if (r.status === 303) {
				const c = comments(page).find((x) => x.id === r.id);
				const a = tags(c.html).find((t) => t.name === 'a');
				assert.equal(decodeEntities(a.attrs.find(([n]) => n === 'href')[1]), url);
				assert.deepEqual(a.attrs.map(([n]) => n), ['href', 'rel'], 'no attribute but href and rel');
			} else {
				assert.equal(fieldError(r.text, 'url'), 'A website address starts with http:// or https://.');
			}
		}
	});

	test('schemes other than http and https are refused as a website, however spelled', async () => {
		const b = browser(srv);
		for (const url of ['JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'java\tscript:alert(1)', 'javascript&colon;alert(1)',
			'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)', '//evil.example/', 'http:evil.example', 'https:/evil.example',
			'\u0000javascript:alert(1)', 'https://exa mple.org/']) {
			const r = await postComment(b, 'target', { url });
			assert.equal(r.status, 422, `url ${JSON.stringify(url)}`);
			assert.match(r.text, /<input id="url"[^>]*aria-invalid="true"/);
			clean(r.text.replace(/<input id="url"[^>]*>/, ''), url, `url ${JSON.stringify(url)}`);
		}
	});

	test('four-byte characters right at the length limits are neither cut nor unescaped', async () => {
		const short = await site({ config: '[comments]\nmax_length = 1000\n', articles: [{ slug: 'emoji' }] });
		try {
			const b = browser(short);
			const body = '😀'.repeat(992) + '<script>';	// 1000 characters
			const ok = await postComment(b, 'emoji', { body, author: '😀'.repeat(92) + '<script>' });
			assert.equal(ok.status, 303, ok.text.slice(0, 200));
			const page = await b.get('/articles/emoji');
			clean(page.text, '<script>', 'emoji page');
			const c = comments(page.text).find((x) => x.id === ok.id);
			assert.equal(commentBody(c), `<p>${'😀'.repeat(992)}&lt;script&gt;</p>`);
			assert.ok(c.html.includes(`${'😀'.repeat(92)}&lt;script&gt;</span>`));
			assert.ok(!page.text.includes('\ufffd'), 'no character cut in two');

			const long = await postComment(b, 'emoji', { body: '😀'.repeat(993) + '<script>', author: '😀'.repeat(93) + '<script>' });
			// The body over the limit makes it a 413; each message beside its field.
			assert.equal(long.status, 413, 'over the limits');
			assert.equal(fieldError(long.text, 'body'), 'Your comment is 1001 characters long; the limit is 1000.');
			assert.equal(fieldError(long.text, 'author'), 'The name may be at most 100 characters.');
			clean(long.text, '<script>', 'emoji refused');
			assert.equal(textareaValue(long.text), '😀'.repeat(993) + '&lt;script&gt;');
			assert.equal(inputValue(long.text, 'author'), '😀'.repeat(93) + '&lt;script&gt;');
		} finally {
			await stopClean(short);
		}
	});
});

describe('reader Markdown', () => {
	let b;
	before(() => { b = browser(srv); });

	// Posts a body; resolves to the comment's rendered HTML.
	async function rendered(body) {
		const r = await postComment(b, 'md', { body });
		assert.equal(r.status, 303, `posting ${JSON.stringify(body)}: ${r.status}`);
		const { text } = await b.get('/articles/md');
		clean(text, body, `markdown ${JSON.stringify(body)}`);
		return commentBody(comments(text).find((c) => c.id === r.id));
	}

	test('raw HTML is shown as text', async () => {
		assert.equal(await rendered('<b>bold</b> <img src=x onerror=alert(1)>'), '<p>&lt;b&gt;bold&lt;/b&gt; &lt;img src=x onerror=alert(1)&gt;</p>');
		assert.equal(await rendered('<script>alert(1)</script>'), '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
		assert.equal(await rendered('<a href="javascript:alert(1)">x</a>'), '<p>&lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt;</p>');
	});

	test('http, https and mailto links carry rel="nofollow ugc noopener"', async () => {
		assert.equal(await rendered('[ok](https://example.org/a?b=1&c=2)'), '<p><a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc noopener">ok</a></p>');
		assert.equal(await rendered('[plain](http://example.org/)'), '<p><a href="http://example.org/" rel="nofollow ugc noopener">plain</a></p>');
		assert.equal(await rendered('[mail](mailto:someone@example.org)'), '<p><a href="mailto:someone@example.org" rel="nofollow ugc noopener">mail</a></p>');
		const auto = await rendered('see https://example.org/auto now');
		assert.match(auto, /<a href="https:\/\/example\.org\/auto" rel="nofollow ugc noopener">/);
	});

	test('links with other schemes keep their text and lose their address', async () => {
		for (const body of ['[x](javascript:alert(1))', '[x](javascript&colon;alert(1))', '[x](JaVaScRiPt:alert(1))', '[x]( javascript:alert(1))',
			'[x](&#106;avascript:alert(1))', '[x](java&#x09;script:alert(1))', '[x](data:text/html,hi)', '[x](vbscript:msgbox(1))',
			'[x](//evil.example/)', '[x](javascript%3Aalert(1))', '[x][r]\n\n[r]: javascript:alert(1)', '<javascript:alert(1)>',
			'[x](file:///etc/passwd)', '[x](/relative/path)']) {
			const html = await rendered(body);
			for (const t of tags(html)) {
				assert.ok(t.name !== 'a' || t.attrs.every(([n]) => n !== 'href'), `${JSON.stringify(body)} kept an address: ${html}`);
			}
		}
	});

	test('a link title cannot leave its attribute', async () => {
		const html = await rendered('[x](https://ok.example/ "t\\" onmouseover=\\"alert(1)")');
		const a = tags(html).find((t) => t.name === 'a');
		assert.deepEqual(a.attrs.map(([n]) => n).sort(), ['href', 'rel', 'title']);
	});

	test('images are not shown', async () => {
		for (const body of ['![alt](https://example.org/i.png)', '![a](javascript:alert(1))', '![a](x" onerror="alert(1))']) {
			const html = await rendered(body);
			assert.doesNotMatch(html, /<img/i, `${body}: ${html}`);
		}
	});

	test('every link in every comment is nofollow ugc', async () => {
		const slug = newArticle(srv);
		const bodies = ['[a](https://example.org/a)', 'see http://example.org/auto', '<https://example.org/angle>', '[m](mailto:x@example.org)', '[r][1]\n\n[1]: https://example.org/ref'];
		for (const body of bodies) assert.equal((await postComment(b, slug, { body })).status, 303, body);
		const { text } = await b.get(`/articles/${slug}`);
		const list = comments(text);
		assert.equal(list.length, bodies.length);
		let links = 0;
		for (const c of list) {
			for (const t of tags(commentBody(c))) {
				if (t.name === 'a') {
					links += 1;
					assert.equal((t.attrs.find(([n]) => n === 'rel') || [])[1], 'nofollow ugc noopener', t.raw);
				}
			}
		}
		assert.equal(links, bodies.length, 'one link in each comment');
	});

	test('character references cannot put control characters in the page', async () => {
		for (const body of ['a&#27;[31mb', 'c&#x7f;d', 'e&#8;f', 'g&#0;h', 'i&#x1F;j']) {
			const html = await rendered(body);
			assert.ok(!CONTROLS.test(html), `${body}: ${JSON.stringify(html)}`);
			// The letters around the reference are kept.
			assert.match(html, new RegExp(`^<p>${body[0]}[^]*${body.at(-1)}</p>$`), `${body}: ${html}`);
		}
	});

	test('a comment cannot take the form\'s hidden fields out of the form (the page cache\'s hole marker)', async () => {
		// The page cache marks where each visitor's form fields go with
		// "\x01parley-hole\x01"; a comment must not be able to write it.
		const r = await postComment(b, 'md', { body: '&#1;parley-hole&#1;' });
		assert.equal(r.status, 303);
		const fresh = browser(srv);
		const t = await openForm(fresh, 'md');
		const c = comments(t.text).find((x) => x.id === r.id);
		assert.doesNotMatch(commentBody(c), /<input/, 'the comment holds no form fields');
		const form = /<form [^>]*id="commentform"[\s\S]*?<\/form>/.exec(t.text)[0];
		assert.match(form, /name="csrf" value="[^"]+"/, 'the form carries its CSRF token');
		assert.match(form, /name="key" value="[^"]+"/, 'the form carries its key');
		assert.ok(!t.text.includes('\u0001parley-hole\u0001'), 'no marker left in the page');
	});
});

describe('the remembered-name cookie', () => {

	test('a hostile cookie comes back escaped, and its bad email and website are dropped', async () => {
		for (const who of [
			'a=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E&e=%22%3E%3Cscript%3E%40x.org&u=javascript%3Aalert(1)',
			'a=<script>alert(1)</script>&e=x@example.org&u=https://x.example/"><script>alert(1)</script>',
			"a=' onmouseover='alert(1)&e=' onmouseover='alert(1)@x.org&u=https://x.example/'onmouseover='alert(1)'",
			'a=%zz&e=%FF',
			'a=%FF%FE&e=x@example.org',
			'a=&#1;parley-hole&#1;',
		]) {
			const res = await request(srv, '/articles/cookie', { headers: { cookie: `parley_who=${who}` } });
			assert.equal(res.status, 200, who);
			const text = await res.text();
			clean(text, '<script>alert(1)</script>', `cookie ${who}`);
			assertNotRaw(text, "' onmouseover='", `cookie ${who}`);
			const url = inputValue(text, 'url');
			assert.ok(url === '' || /^https?:\/\//.test(decodeEntities(url)), `website ${url}`);
			const email = decodeEntities(inputValue(text, 'email'));
			assert.ok(email === '' || /^[^<>"'\s]+@[^<>"'\s]+$/.test(email), `email ${email}`);
		}
	});

	test('a hostile name set through the form is encoded in Set-Cookie and escaped when read back', async () => {
		const b = browser(srv);
		const name = '"><script>alert(1)</script>; Domain=evil.example; Path=/x';
		const r = await postComment(b, 'cookie', { author: name, remember: 'yes', url: "https://x.example/'a'" });
		assert.equal(r.status, 303);
		const cookie = r.res.headers.getSetCookie().find((c) => c.startsWith('parley_who='));
		const [value, ...attrs] = cookie.split(';').map((s) => s.trim());
		assert.doesNotMatch(value, /[\s"<>,\\]/, `cookie value ${value}`);
		for (const a of attrs) assert.match(a, /^(Path=\/|Max-Age=\d+|HttpOnly|SameSite=Lax|Secure)$/i, `cookie attribute ${a}`);
		const { text } = await b.get('/articles/cookie');
		clean(text, name, 'prefilled form');
		assert.equal(inputValue(text, 'author'), escapeHtml(name));
	});
});

describe('the client address', () => {
	// The stored address is read with sqlite3, or psql on PostgreSQL.
	const have = PG_BASE !== '' || spawnSync('sqlite3', ['-version']).status === 0;
	let proxied;
	before(async () => {
		proxied = await site({ config: '[server]\ntrusted_proxies = 127.0.0.1\n', articles: [{ slug: 'ip' }] });
	});
	after(() => stopClean(proxied));

	// Posts with an X-Forwarded-For header; resolves to the address stored.
	async function storedIp(srv, xff) {
		const b = browser(srv);
		const t = await openForm(b, 'ip');
		const body = unique('ip');
		const res = await request(srv, '/articles/ip/comments', {
			method: 'POST',
			body: new URLSearchParams({ csrf: t.csrf, key: t.key, author: 'A', email: 'a@example.org', body }),
			headers: { 'content-type': FORM_TYPE, cookie: b.cookieHeader(), 'x-forwarded-for': xff },
		});
		assert.equal(res.status, 303);
		return sql(srv.db, `select ip from comments where body_md = '${body}'`)[0][0];
	}

	test('X-Forwarded-For is ignored when no trusted proxy is configured', { skip: !have && 'no sqlite3 shell to read the stored address' }, async () => {
		assert.equal(await storedIp(srv, '203.0.113.9'), '127.0.0.1');
		assert.equal(await storedIp(srv, '203.0.113.9, 198.51.100.7'), '127.0.0.1');
		assert.equal(await storedIp(srv, '<script>'), '127.0.0.1');
	});

	test('X-Forwarded-For from a trusted proxy is read from the right, and normalized', { skip: !have && 'no sqlite3 shell to read the stored address' }, async () => {
		assert.equal(await storedIp(proxied, '203.0.113.9'), '203.0.113.9', 'the header is read when the peer is trusted (the column is observable)');
		assert.equal(await storedIp(proxied, '1.2.3.4, 203.0.113.9'), '203.0.113.9', 'a client cannot choose its address by prepending');
		assert.equal(await storedIp(proxied, '203.0.113.9, 127.0.0.1'), '203.0.113.9', 'trusted proxies are walked past');
		assert.equal(await storedIp(proxied, '2001:DB8:0:0:0:0:0:1'), '2001:db8::1', 'one spelling per IPv6 address');
		assert.equal(await storedIp(proxied, 'not-an-address'), '127.0.0.1');
	});
});

describe('a site for signed-in readers only', () => {
	let members;
	before(async () => { members = await site({ config: '[comments]\npolicy = signin\n', articles: [{ slug: 'members' }] }); });
	after(() => stopClean(members));

	test('refuses a comment from a reader who is not signed in', async () => {
		const b = browser(members);
		const r = await postComment(b, 'members', { body: 'not a member' });
		assert.deepEqual(sql(members.db, "select count(*) from comments where body_md = 'not a member'"), [['0']],
			`a post without a session was stored (answered ${r.status} ${r.location || ''})`);
		// docs/identity.md: a post from a reader who is not signed in is refused with 403.
		assert.equal(r.status, 403, `answered ${r.status} ${r.location || ''}`);
		assert.equal(r.location, null);
		assert.match(r.text, /<p>Please sign in to comment\.<\/p>/);
	});
});
