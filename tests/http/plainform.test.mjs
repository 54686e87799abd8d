// The comment form of plain readers (not signed in, nothing remembered, no
// refused post) is kept once per page and copied with each reader's own
// token and key (web/form_memo.c).  Whatever a page's plain readers were
// shown before, each reader gets their own form: a plain one with a token
// for their cookie and a fresh key, the signed-in reader "You are
// commenting as", the remembered reader their name, the refused post its
// text and messages, and another page its own address.  On articles and
// debates alike.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	Browser, formTokens, parley, scratch, startServer, stopClean, unique,
	newArticle, newDebate, inputValue, fieldError, textareaValue,
} from './util.mjs';

const PASSWORD = 'a long enough pass phrase 42';

let srv;
before(async () => {
	srv = await startServer({ db: scratch().db, config: '[server]\naccess_log = false\n' });
});
after(() => stopClean(srv));

const KINDS = [
	{ name: 'an article', make: () => newArticle(srv, { title: 'Plain Forms' }), path: (slug) => `/articles/${slug}`, fields: {} },
	{ name: 'a debate', make: () => newDebate(srv), path: (slug) => `/debates/${slug}`, fields: { side: 'a' } },
];

// The reader's part of the comment form: from its hidden token to the end
// of the remember box.
function identity(html) {
	const m = /<input type="hidden" name="csrf" value="[^"]*">\s*<input type="hidden" name="key"[\s\S]*?<label for="remember">[^<]*<\/label>/.exec(html);
	assert.ok(m, 'the page has the reader\'s part of a form');
	return m[0];
}

// A page seen by plain readers first, so that its form is kept.
async function warmed(kind) {
	const slug = kind.make();
	for (let i = 0; i < 2; i++) {
		const { res, text } = await new Browser(srv.url).get(kind.path(slug));
		assert.equal(res.status, 200);
		assert.ok(formTokens(text).key);
	}
	return slug;
}

// Sends a comment from browser br with the tokens of page text.
function send(br, kind, slug, text, fields = {}) {
	const t = formTokens(text);
	return br.post(`${kind.path(slug)}/comments`, {
		csrf: t.csrf, key: t.key, author: 'Pia Plain', email: 'pia@example.org', url: '',
		body: unique('Plain'), parent: '', website_confirm: '', ...kind.fields, ...fields,
	});
}

for (const kind of KINDS) {
	describe(`the plain reader's form on ${kind.name}`, () => {
		test('each plain reader gets the same form with a token of their own and a fresh key each time', async () => {
			const slug = await warmed(kind);
			const ann = new Browser(srv.url), bob = new Browser(srv.url);
			const a1 = await ann.get(kind.path(slug));
			const a2 = await ann.get(kind.path(slug));
			const b1 = await bob.get(kind.path(slug));
			const [ta1, ta2, tb1] = [a1, a2, b1].map((r) => formTokens(r.text));
			assert.equal(ta1.csrf, ta2.csrf, 'one reader, one token');
			assert.notEqual(ta1.csrf, tb1.csrf, 'another reader, another token');
			assert.equal(new Set([ta1.key, ta2.key, tb1.key]).size, 3, 'a fresh key for every form shown');
			// The stamp of when the form was shown is the reader's own too.
			const stamp = (r) => /name="stamp" value="([^"]+)"/.exec(r.text)?.[1];
			assert.ok(stamp(a2) && stamp(b1) && stamp(a2) !== stamp(b1), 'a stamp for every form shown');
			const mask = (r, t) => identity(r.text).replace(t.csrf, 'CSRF').replace(t.key, 'KEY').replace(stamp(r), 'STAMP');
			assert.equal(mask(a2, ta2), mask(b1, tb1), 'the rest of the form is the same');
			assert.equal(inputValue(b1.text, 'author'), '');
			const sent = await send(bob, kind, slug, b1.text);
			assert.equal(sent.res.status, 303, 'the copied token is the reader\'s own');
			const wrong = await send(ann, kind, slug, b1.text, { key: ta2.key });
			assert.equal(wrong.res.status, 403, 'another reader\'s token is refused');
		});

		test('a signed-in reader gets "You are commenting as", not the plain form', async () => {
			const slug = await warmed(kind);
			const email = `${unique('p')}@example.org`;
			const u = parley(['user', 'add', email, 'Sigrid Signed', '--db', srv.db], { input: `${PASSWORD}\n` });
			assert.equal(u.status, 0, u.stderr);
			const br = new Browser(srv.url);
			const signin = await br.get('/account/signin');
			const s = await br.post('/account/signin', { csrf: formTokens(signin.text).csrf, email, password: PASSWORD, next: '/' });
			assert.equal(s.res.status, 303);
			const { text } = await br.get(kind.path(slug));
			assert.match(text, /You are commenting as <a href="\/users\/\d+">Sigrid Signed<\/a>/);
			assert.equal(inputValue(text, 'author'), null, 'no name field');
		});

		test('a reader whose name is remembered gets it in the form', async () => {
			const slug = await warmed(kind);
			const br = new Browser(srv.url);
			const first = await br.get(kind.path(slug));
			const sent = await send(br, kind, slug, first.text, { author: 'Rolf Remembered', email: 'rolf@example.org', remember: 'yes' });
			assert.equal(sent.res.status, 303);
			const { text } = await br.get(kind.path(slug));
			assert.equal(inputValue(text, 'author'), 'Rolf Remembered');
			assert.equal(inputValue(text, 'email'), 'rolf@example.org');
			assert.match(text, /name="remember" type="checkbox" value="yes" checked>/);
		});

		test('each refused post comes back with its own text and messages, not a kept form', async () => {
			const slug = await warmed(kind);
			for (const [author, email] of [['Edda', 'not an address'], ['Olav', 'nor this one']]) {
				const br = new Browser(srv.url);
				const first = await br.get(kind.path(slug));
				const body = unique('Kept');
				const r = await send(br, kind, slug, first.text, { author, email, body });
				assert.equal(r.res.status, 422);
				assert.equal(inputValue(r.text, 'author'), author);
				assert.equal(inputValue(r.text, 'email'), email);
				assert.ok(fieldError(r.text, 'email'), 'the email field has its message');
				assert.equal(textareaValue(r.text), body);
				assert.equal(formTokens(r.text).csrf, formTokens(first.text).csrf);
			}
		});

		test('another page\'s form names its own address', async () => {
			const one = await warmed(kind);
			const two = kind.make();
			const { text } = await new Browser(srv.url).get(kind.path(two));
			const here = encodeURIComponent(`${kind.path(two)}#respond`);
			assert.ok(identity(text).includes(`/account/signin?next=${here}`), identity(text));
			assert.ok(!identity(text).includes(encodeURIComponent(kind.path(one))));
		});
	});
}
