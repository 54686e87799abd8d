// Every way a comment post can be refused, with its status code; the
// refused form comes back with the reader's text kept; nothing refused
// is stored.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	site, browser, request, rawRequest, openForm, postComment, sql, unique,
	inputValue, textareaValue, fieldError, formError, escapeHtml, assertNoActiveContent, FORM_TYPE, stopClean,
} from './util.mjs';

const SLUG = 'errors';

describe('refused comment posts', () => {
	let srv, b, t, other;

	before(async () => {
		srv = await site({ articles: [{ slug: SLUG, title: 'Errors' }, { slug: 'other', title: 'Other' }] });
		b = browser(srv);
		t = await openForm(b, SLUG);
		const o = await postComment(b, 'other', { body: 'on the other article' });
		assert.equal(o.status, 303);
		other = o.id;
	});
	after(() => stopClean(srv));

	// Each test checks what it sent itself: refused bodies are not stored,
	// accepted ones are stored once.
	function assertNotStored(body) {
		assert.deepEqual(sql(srv.db, `select count(*) from comments where body_md = '${body.replace(/'/g, "''")}'`), [['0']], 'nothing stored');
	}
	function assertStoredOnce(body) {
		assert.deepEqual(sql(srv.db, `select count(*) from comments where body_md = '${body.replace(/'/g, "''")}'`), [['1']], 'stored once');
	}

	// A valid form from this visitor, with changes.
	function form(changes = {}) {
		const f = { csrf: t.csrf, key: unique('key'), author: 'Ann', email: 'ann@example.org', url: '', body: unique('body'), parent: '', website_confirm: '', ...changes };
		for (const k of Object.keys(f)) if (f[k] === undefined) delete f[k];
		return f;
	}
	const post = (fields, headers) => b.post(`/articles/${SLUG}/comments`, fields, headers);
	// Posts a body exactly as given (Browser.post would re-encode a string).
	async function postRaw(body) {
		const res = await request(srv, `/articles/${SLUG}/comments`, {
			method: 'POST', body, headers: { 'content-type': FORM_TYPE, cookie: b.cookieHeader() },
		});
		return { res, text: await res.text() };
	}

	describe('CSRF', () => {
		test('a form without the token is 403', async () => {
			const f = form({ csrf: undefined });
			const r = await post(f);
			assert.equal(r.res.status, 403);
			assert.match(r.text, /Not allowed/);
			assertNotStored(f.body);
		});
		test('a wrong token is 403', async () => {
			for (const csrf of ['x'.repeat(43), t.csrf.slice(0, -1), '']) {
				const f = form({ csrf });
				assert.equal((await post(f)).res.status, 403, csrf);
				assertNotStored(f.body);
			}
		});
		test('a right token without the visitor cookie is 403', async () => {
			const res = await request(srv, `/articles/${SLUG}/comments`, {
				method: 'POST', body: new URLSearchParams(form()), headers: { 'content-type': FORM_TYPE },
			});
			assert.equal(res.status, 403);
		});
		test('another visitor\'s token is 403', async () => {
			const stranger = browser(srv);
			const st = await openForm(stranger, SLUG);
			assert.notEqual(st.csrf, t.csrf);
			assert.equal((await post(form({ csrf: st.csrf }))).res.status, 403);
			assert.equal((await stranger.post(`/articles/${SLUG}/comments`, form({ csrf: t.csrf }))).res.status, 403);
		});
		test('a broken visitor cookie is 403', async () => {
			for (const cookie of ['parley_v=', 'parley_v=short', `parley_v=${'!'.repeat(22)}`, 'parley_v']) {
				const res = await request(srv, `/articles/${SLUG}/comments`, {
					method: 'POST', body: new URLSearchParams(form()), headers: { 'content-type': FORM_TYPE, cookie },
				});
				assert.equal(res.status, 403, cookie);
			}
		});
	});

	describe('422: the form comes back with the text kept and the message beside the field', () => {
		const BAD_EMAIL = 'That does not look like an email address.';
		const BAD_URL = 'A website address starts with http:// or https://.';
		const cases = [
			['an empty body', { body: '' }, 'body', 'Please write a comment.'],
			['a body of spaces', { body: '   \n\t ' }, 'body', 'Please write a comment.'],
			['a bad email', { email: 'not-an-email' }, 'email', BAD_EMAIL],
			['an email with two @', { email: 'a@b@example.org' }, 'email', BAD_EMAIL],
			['an email without a domain', { email: 'ann@' }, 'email', BAD_EMAIL],
			['a missing email', { email: '' }, 'email', 'Please give your email address; it is never shown.'],
			['a javascript: website', { url: 'javascript:alert(1)' }, 'url', BAD_URL],
			['an ftp website', { url: 'ftp://example.org/' }, 'url', BAD_URL],
			['a website without a host', { url: 'https://' }, 'url', BAD_URL],
			['a website without a scheme', { url: 'example.org' }, 'url', BAD_URL],
			['a missing name', { author: '' }, 'author', 'Please give your name.'],
			['a name over 100 characters', { author: 'n'.repeat(101) }, 'author', 'The name may be at most 100 characters.'],
		];
		for (const [what, changes, field, message] of cases) {
			test(what, async () => {
				const f = form({ url: 'https://ann.example/', ...changes });
				const r = await post(f);
				assert.equal(r.res.status, 422, what);
				assert.match(r.res.headers.get('content-type'), /^text\/html/);
				assert.equal(fieldError(r.text, field), message, `${field}-error`);
				const marker = field === 'body' ? /<textarea id="body"[^>]*aria-invalid="true"/ : new RegExp(`<input id="${field}"[^>]*aria-invalid="true"`);
				assert.match(r.text, marker, `aria-invalid on ${field}`);
				for (const other of ['author', 'email', 'url']) {
					if (other !== field) assert.equal(fieldError(r.text, other), '', `no message beside ${other}`);
					assert.equal(inputValue(r.text, other), escapeHtml(f[other].trim()), `${other} kept`);
				}
				assert.equal(textareaValue(r.text), escapeHtml(f.body), 'body kept as typed');
				assert.match(r.text, new RegExp(`name="key" value="${f.key}"`), 'the same form key');
				assert.match(r.text, /<h1>Errors<\/h1>/, 'the page is the article again');
				assertNoActiveContent(r.text, what);
				assertNotStored(f.body);
			});
		}

		test('the refused form can be corrected and sent again with its key', async () => {
			const f = form({ email: 'nope' });
			const r = await post(f);
			assert.equal(r.res.status, 422);
			const key = /name="key" value="([^"]*)"/.exec(r.text)[1];
			const csrf = /name="csrf" value="([^"]*)"/.exec(r.text)[1];
			assert.equal(key, f.key, 'the refused form keeps its key');
			const ok = await post({ ...f, key, csrf, email: 'ann@example.org' });
			assert.equal(ok.res.status, 303);
			const again = await post({ ...f, key, csrf, email: 'ann@example.org' });
			assert.equal(again.res.status, 303);
			assert.equal(again.res.headers.get('location'), ok.res.headers.get('location'));
			assert.deepEqual(sql(srv.db, `select count(*) from comments where body_md = '${f.body}'`), [['1']], 'stored once');
		});

		const UNKNOWN = 'The comment you replied to is not one we know.';
		const ELSEWHERE = 'The comment you replied to is not on this article.';
		for (const [what, parent, message] of [
			['a parent that is not a number', 'abc', UNKNOWN],
			['a negative parent', '-1', UNKNOWN],
			['a parent that does not exist', '999999', ELSEWHERE],
			['a parent that is an overflowing number', '99999999999999999999999', UNKNOWN],
		]) {
			test(what, async () => {
				const f = form({ parent });
				const r = await post(f);
				assert.equal(r.res.status, 422);
				assert.equal(formError(r.text), message);
				assert.match(r.text, /name="parent" id="parent" value="0"/);
				assertNotStored(f.body);
			});
		}

		test('a parent on another article', async () => {
			const f = form({ parent: String(other) });
			const r = await post(f);
			assert.equal(r.res.status, 422);
			assert.equal(formError(r.text), ELSEWHERE);
			assert.equal(textareaValue(r.text), escapeHtml(f.body));
			assert.deepEqual(sql(srv.db, `select count(*) from comments where body_md = '${f.body}'`), [['0']]);
		});

		test('a filled honeypot', async () => {
			const f = form({ website_confirm: 'http://spam.example/' });
			const r = await post(f);
			assert.equal(r.res.status, 422);
			assert.equal(formError(r.text), 'Your comment could not be accepted.');
			assertNotStored(f.body);
		});

		for (const [what, raw] of [
			['a body that is not UTF-8', 'body=caf%E9'],
			['a body with a lone %FF', 'body=%FF'],
			['an overlong UTF-8 sequence', 'body=%C0%BCscript%C0%BE'],
			['a UTF-16 surrogate in UTF-8', 'body=%ED%A0%80'],
			['a NUL in the body', 'body=a%00b'],
			['a name that is not UTF-8', 'author=%FF%FE'],
			['an email that is not UTF-8', 'email=a%FF@example.org'],
		]) {
			test(what, async () => {
				const [name] = raw.split('=');
				const f = new URLSearchParams(form({ [name]: undefined }));
				const { res, text } = await postRaw(`${f}&${raw}`);
				assert.equal(res.status, 422, what);
				assert.equal(fieldError(text, name === 'body' ? 'body' : name),
					name === 'body' ? 'Your comment has characters we cannot store.' : `The ${name === 'author' ? 'name' : 'email address'} has characters we cannot store.`);
				assert.ok(Buffer.from(text, 'utf8').toString('utf8') === text && !text.includes('\u0000'), 'the page is clean text');
				assertNoActiveContent(text, what);
			});
		}
	});

	describe('413: too long', () => {
		test('a body over max_length characters is 413 with the form kept', async () => {
			const f = form({ body: 'a'.repeat(10001) });
			const r = await post(f);
			assert.equal(r.res.status, 413);
			assert.equal(fieldError(r.text, 'body'), 'Your comment is 10001 characters long; the limit is 10000.');
			assertNotStored(f.body);
			assert.equal(textareaValue(r.text), f.body, 'the text is kept');
			assert.match(r.text, /<textarea id="body"[^>]*aria-invalid="true"/);
		});

		test('max_length counts characters, not bytes: 10000 "é" is accepted', async () => {
			const f = form({ body: 'é'.repeat(10000) });
			const r = await post(f);
			assert.equal(r.res.status, 303, r.text.slice(0, 300));
			assertStoredOnce(f.body);
		});

		test('a comment under max_length is accepted in any script: 7500 CJK characters (67 KB as a form)', async () => {
			const f = form({ body: '字'.repeat(7500) });
			const r = await post(f);
			assert.equal(r.res.status, 303, `a 7500-character comment, under the 10000-character limit, was refused with ${r.res.status}`);
			assertStoredOnce(f.body);
		});

		// The form limit follows the comment limit: 12 bytes a character
		// (4 bytes of UTF-8, percent-encoded) plus 16 KB for the rest.
		const LIMIT = 10000 * 12 + 16384;
		test('a request body over the form limit is 413, exactly the limit is read', async () => {
			const f = form();
			const base = new URLSearchParams(f).toString() + '&pad=';
			const exact = base + 'p'.repeat(LIMIT - Buffer.byteLength(base));
			assert.equal(Buffer.byteLength(exact), LIMIT);
			const ok = await postRaw(exact);
			assert.equal(ok.res.status, 303, 'a form of exactly the limit');
			assertStoredOnce(f.body);
			const g = form();
			const over = new URLSearchParams(g).toString() + '&pad=' + 'p'.repeat(LIMIT - Buffer.byteLength(base) + 1);
			const r = await postRaw(over);
			assert.equal(r.res.status, 413, 'one byte over the limit');
			assert.match(r.text, /Too large/);
			assertNotStored(g.body);
		});

		test('a chunked request body over the form limit is 413', async () => {
			const body = new URLSearchParams(form()).toString() + '&pad=' + 'p'.repeat(LIMIT + 1000);
			const chunks = [];
			for (let i = 0; i < body.length; i += 8192) {
				const c = body.slice(i, i + 8192);
				chunks.push(`${Buffer.byteLength(c).toString(16)}\r\n${c}\r\n`);
			}
			const r = await rawRequest(srv.url, `POST /articles/${SLUG}/comments HTTP/1.1\r\nHost: x\r\nCookie: ${b.cookieHeader()}\r\n`
				+ `Content-Type: ${FORM_TYPE}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunks.join('')}0\r\n\r\n`);
			assert.equal(r.status, 413);
		});
	});

	describe('other statuses', () => {
		for (const [what, type] of [['text/plain', 'text/plain'], ['JSON', 'application/json'], ['multipart', 'multipart/form-data; boundary=x']]) {
			test(`a ${what} body is 415`, async () => {
				const res = await request(srv, `/articles/${SLUG}/comments`, {
					method: 'POST', body: new URLSearchParams(form()).toString(), headers: { 'content-type': type, cookie: b.cookieHeader() },
				});
				assert.equal(res.status, 415);
			});
		}

		test('a body without a content type is 415', async () => {
			const body = new URLSearchParams(form()).toString();
			const r = await rawRequest(srv.url, `POST /articles/${SLUG}/comments HTTP/1.1\r\nHost: x\r\nCookie: ${b.cookieHeader()}\r\n`
				+ `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
			assert.equal(r.status, 415);
		});

		for (const [what, tail] of [['a malformed escape %zz', 'body=%zz'], ['a cut escape', 'body=ab%4'], ['a bad escape in a name', '%zzbody=x']]) {
			test(`${what} is 400`, async () => {
				const r = await postRaw(`${new URLSearchParams(form({ body: undefined }))}&${tail}`);
				assert.equal(r.res.status, 400);
				assert.match(r.res.headers.get('content-type'), /^text\/html/);
			});
		}

		test('a post to an article that does not exist is 404', async () => {
			assert.equal((await b.post('/articles/no-such-article/comments', form())).res.status, 404);
			assert.equal((await b.post('/articles/Not_A_Slug/comments', form())).res.status, 404);
		});

		test('a front page number far past the end is 404, whatever its size', async () => {
			// With 10 articles a page, (page - 1) * 10 no longer fits an int here.
			for (const page of ['3', '429496730', '858993459', '999999999']) {
				const res = await request(srv, `/?page=${page}`);
				assert.equal(res.status, 404, `/?page=${page}`);
			}
			assert.equal((await request(srv, '/?page=1234567890')).status, 400, 'ten digits are not a page number');
		});

		test('an unknown path is a 404 HTML page', async () => {
			const r = await b.get('/wp-login.php');
			assert.equal(r.res.status, 404);
			assert.match(r.res.headers.get('content-type'), /^text\/html/);
			assert.match(r.text, /<h1>Page not found<\/h1>/);
		});

		test('GET, PUT and DELETE on the comments address are 405 with Allow', async () => {
			for (const method of ['GET', 'PUT', 'DELETE']) {
				const res = await request(srv, `/articles/${SLUG}/comments`, { method });
				assert.equal(res.status, 405, method);
				assert.equal(res.headers.get('allow'), 'POST', `${method}: Allow`);
			}
		});
	});

	test('the server is still well after every refusal', async () => {
		const res = await request(srv, '/healthz');
		assert.equal(res.status, 200);
		assert.equal((await res.text()).trim(), 'ok');
	});
});

describe('a site with a short max_length', () => {
	let srv;
	before(async () => { srv = await site({ config: '[comments]\nmax_length = 20\n', articles: [{ slug: 'short' }] }); });
	after(() => stopClean(srv));

	test('20 four-byte characters fit; 21 are 413 with the text kept', async () => {
		const b = browser(srv);
		const ok = await postComment(b, 'short', { body: '😀'.repeat(20) });
		assert.equal(ok.status, 303);
		const { text } = await b.get('/articles/short');
		assert.ok(text.includes(`<p>${'😀'.repeat(20)}</p>`), 'stored whole');
		const long = await postComment(b, 'short', { body: '😀'.repeat(21) });
		assert.equal(long.status, 413);
		assert.equal(textareaValue(long.text), '😀'.repeat(21));
		assert.equal(fieldError(long.text, 'body'), 'Your comment is 21 characters long; the limit is 20.');
	});
});
