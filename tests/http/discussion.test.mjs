// One discussion: the same checks, run against an article's discussion and
// a debate's.  Each check below is a loop over the two kinds of page, so a
// rule that holds on one and not the other (the copies of old drifted: a
// refused reply on a debate came back on page 1) fails here by name.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	Browser, formTokens, parley, scratch, startServer, stopClean, unique, sql,
	newArticle, newDebate, textareaValue, fieldError, formError, escapeHtml, inputValue, countHeading,
} from './util.mjs';

const PER_PAGE = 2;
const MAX_LENGTH = 60;
const PASSWORD = 'a long enough pass phrase 42';
const USED = 'This form was already used: your new text is below; send it again';

let srv;
before(async () => {
	srv = await startServer({
		db: scratch().db,
		config: `[comments]\nper_page = ${PER_PAGE}\nmax_length = ${MAX_LENGTH}\n`,
	});
});
after(() => stopClean(srv));

// The two kinds of page with a discussion: how to make one (open or
// closed), its address, its title as the heading names it, and what its
// form sends besides the common fields.
const KINDS = [
	{
		name: 'an article',
		title: 'Harbour Lights',
		make({ closed = false } = {}) {
			return newArticle(srv, { title: this.title, extra: closed ? 'comments: closed\n' : '' });
		},
		path: (slug) => `/articles/${slug}`,
		fields: {},
	},
	{
		name: 'a debate',
		title: 'Should the ferry run at night?',
		make({ closed = false } = {}) {
			return newDebate(srv, { motion: this.title, extra: closed ? 'comments: closed\n' : '' });
		},
		path: (slug) => `/debates/${slug}`,
		fields: { side: 'a' },
	},
];

// The comments of a page in document order, whatever classes they carry:
// [{ id, depth }].
function commentIds(html) {
	return [...html.matchAll(/<li class="comment depth-(\d+)[^"]*" id="comment-(\d+)"/g)]
		.map((m) => ({ id: Number(m[2]), depth: Number(m[1]) }));
}

// The textarea's aria-invalid value.
function bodyInvalid(html) {
	const m = /<textarea id="body"[^>]*aria-invalid="([^"]*)"/.exec(html);
	return m ? m[1] : null;
}

// A reader on a page of kind: posts through that page's form, tokens fresh
// from the page (or from the page at query) unless given.
function reader(kind, slug, br = new Browser(srv.url)) {
	const open = async (query = '') => {
		const { res, text } = await br.get(`${kind.path(slug)}${query}`);
		assert.equal(res.status, 200, `GET ${kind.path(slug)}${query}`);
		return { text, ...formTokens(text) };
	};
	const form = (t, fields = {}) => ({
		csrf: t.csrf, key: t.key, author: 'Ada Reader', email: 'ada@example.org', url: '',
		body: unique('Said'), parent: '', website_confirm: '', ...kind.fields, ...fields,
	});
	const send = async (fields) => {
		const { res, text } = await br.post(`${kind.path(slug)}/comments`, fields);
		const location = res.headers.get('location');
		const m = location && /#comment-(\d+)$/.exec(location);
		return { status: res.status, location, text, id: m ? Number(m[1]) : null };
	};
	const post = async (fields = {}, query = '') => send(form(await open(query), fields));
	return { br, open, form, send, post };
}

for (const kind of KINDS) {
	describe(`the discussion of ${kind.name}`, () => {
		test('a comment is posted: 303 to it, and the page shows it', async () => {
			const slug = kind.make();
			const r = reader(kind, slug);
			const body = unique('First');
			const a = await r.post({ body });
			assert.equal(a.status, 303, a.text.slice(0, 300));
			assert.match(a.location, new RegExp(`^${kind.path(slug)}#comment-\\d+$`));
			const { text } = await r.open();
			assert.deepEqual(commentIds(text), [{ id: a.id, depth: 0 }]);
			assert.match(text, new RegExp(`<p>${body}</p>`));
		});

		test('a reply is nested under its parent', async () => {
			const slug = kind.make();
			const r = reader(kind, slug);
			const parent = await r.post();
			const reply = await r.post({ parent: String(parent.id) }, `?replytocom=${parent.id}`);
			assert.equal(reply.status, 303, reply.text.slice(0, 300));
			const { text } = await r.open();
			assert.deepEqual(commentIds(text), [{ id: parent.id, depth: 0 }, { id: reply.id, depth: 1 }]);
			const inner = text.slice(text.indexOf(`id="comment-${parent.id}"`));
			assert.match(inner, new RegExp(`^id="comment-${parent.id}">[\\s\\S]*?<ol class="children">\\s*<li class="comment depth-1[^"]*" id="comment-${reply.id}"`));
		});

		test('a refused reply comes back on the page of the comment it answers', async () => {
			const slug = kind.make();
			const r = reader(kind, slug);
			const ids = [];
			for (let i = 0; i < PER_PAGE * 2 + 1; i++) ids.push((await r.post()).id);
			const parent = ids[ids.length - 1]; // alone on page 3
			const t = await r.open(`?cpage=3&replytocom=${parent}`);
			const refused = await r.send(r.form(t, { parent: String(parent), body: '   ' }));
			assert.equal(refused.status, 422);
			assert.deepEqual(commentIds(refused.text).map((c) => c.id), [parent], 'the parent\'s page, not page 1');
			assert.match(refused.text, /<h3 id="reply-title">Reply to Ada Reader /);
			assert.match(refused.text, /<span aria-current="page">3<\/span>/);
			assert.match(refused.text, new RegExp(`name="parent" id="parent" value="${parent}"`));
		});

		test('a refused body is marked invalid, with its message, the text kept', async () => {
			const slug = kind.make();
			const r = reader(kind, slug);
			const blank = await r.post({ body: ' \n ' });
			assert.equal(blank.status, 422);
			assert.equal(bodyInvalid(blank.text), 'true');
			assert.equal(fieldError(blank.text, 'body'), 'Please write a comment.');
			const long = `${'Too long & <still> "kept" '.repeat(3)}`;
			const big = await r.post({ body: long, author: 'Kept Name' });
			assert.equal(big.status, 413);
			assert.equal(bodyInvalid(big.text), 'true');
			assert.equal(fieldError(big.text, 'body'), `Your comment is ${[...long].length} characters long; the limit is ${MAX_LENGTH}.`);
			assert.equal(textareaValue(big.text), escapeHtml(long));
			assert.equal(inputValue(big.text, 'author'), 'Kept Name');
			// A form refused for another field leaves the body unmarked.
			const noName = await r.post({ author: '' });
			assert.equal(noName.status, 422);
			assert.equal(bodyInvalid(noName.text), 'false');
			const page = await r.open();
			assert.equal(bodyInvalid(page.text), 'false');
			assert.deepEqual(commentIds(page.text), [], 'nothing stored');
		});

		test('a form key means one comment: same text is one comment, other text is 422 with the text kept', async () => {
			const slug = kind.make();
			const r = reader(kind, slug);
			const f = r.form(await r.open());
			const a = await r.send(f);
			const b = await r.send(f);
			assert.equal(a.status, 303);
			assert.equal(b.status, 303);
			assert.equal(b.location, a.location);
			const other = { ...f, body: `${f.body} <and> more` };
			const c = await r.send(other);
			assert.equal(c.status, 422);
			assert.equal(formError(c.text), USED);
			assert.equal(textareaValue(c.text), escapeHtml(other.body));
			assert.notEqual(formTokens(c.text).key, f.key, 'a fresh key');
			assert.deepEqual(commentIds((await r.open()).text).map((x) => x.id), [a.id]);
		});

		test('pages: per_page threads a page, links between them, no page past the last', async () => {
			const slug = kind.make();
			const r = reader(kind, slug);
			const ids = [];
			for (let i = 0; i < PER_PAGE + 1; i++) ids.push((await r.post()).id);
			const reply = await r.post({ parent: String(ids[0]) });
			const one = await r.open();
			assert.deepEqual(commentIds(one.text).map((c) => c.id), [ids[0], reply.id, ids[1]]);
			assert.match(one.text, new RegExp(`<a rel="next" href="${kind.path(slug)}\\?cpage=2#comments">`));
			assert.doesNotMatch(one.text, /rel="prev"/);
			const two = await r.open('?cpage=2');
			assert.deepEqual(commentIds(two.text).map((c) => c.id), [ids[2]]);
			assert.match(two.text, new RegExp(`<a rel="prev" href="${kind.path(slug)}#comments">`));
			assert.match(two.text, new RegExp(`<a class="reply-link" href="${kind.path(slug)}\\?cpage=2&amp;replytocom=${ids[2]}#respond"`));
			const past = await r.br.get(`${kind.path(slug)}?cpage=3`);
			assert.equal(past.res.status, 404);
			// A new comment on page 2 is answered with page 2's address.
			const last = await r.post();
			assert.equal(last.location, `${kind.path(slug)}?cpage=2#comment-${last.id}`);
		});

		test('the heading counts the comments', async () => {
			const slug = kind.make();
			const r = reader(kind, slug);
			assert.equal(countHeading((await r.open()).text), 'No comments yet');
			const first = await r.post();
			assert.equal(countHeading((await r.open()).text), `1 thought on “${escapeHtml(kind.title)}”`);
			await r.post({ parent: String(first.id) });
			assert.equal(countHeading((await r.open()).text), `2 thoughts on “${escapeHtml(kind.title)}”`);
		});

		test('comments closed: no form, and a post is refused with 403', async () => {
			const slug = kind.make({ closed: true });
			const r = reader(kind, slug);
			const t = await r.open();
			assert.match(t.text, /<p class="closed">Comments are closed.<\/p>/);
			assert.doesNotMatch(t.text, /id="commentform"/);
			const token = formTokens((await r.br.get(kind.path(kind.make()))).text);
			const res = await r.send(r.form(token));
			assert.equal(res.status, 403);
			assert.match(res.text, /Comments are closed./);
			assert.equal(sql(srv.db, `select count(*) from comments c join articles a on a.id = c.article_id where a.slug = '${slug}'`)[0][0], '0');
		});

		test('a signed-in reader sees "You are commenting as" and comments as their account', async () => {
			const slug = kind.make();
			const email = `${unique('u')}@example.org`;
			const u = parley(['user', 'add', email, 'Grace Signed', '--db', srv.db], { input: `${PASSWORD}\n` });
			assert.equal(u.status, 0, u.stderr);
			const br = new Browser(srv.url);
			const signin = await br.get('/account/signin');
			const s = await br.post('/account/signin', { csrf: formTokens(signin.text).csrf, email, password: PASSWORD, next: '/' });
			assert.equal(s.res.status, 303);
			const r = reader(kind, slug, br);
			const page = await r.open();
			assert.match(page.text, /You are commenting as <a href="\/users\/\d+">Grace Signed<\/a> · <a href="\/account\/signout\?next=[^"]+">Log out<\/a> \/ <a href="\/account\/signin\?next=[^"]+">Change<\/a>/);
			assert.equal(inputValue(page.text, 'author'), null, 'no name field');
			const c = await r.post({ author: 'Someone Else', email: 'else@example.org' });
			assert.equal(c.status, 303);
			const again = await r.open();
			assert.match(again.text, new RegExp(`id="comment-${c.id}">[\\s\\S]*?<span class="comment-author">Grace Signed</span>`));
		});

		test('an anonymous commenter cannot take a member\'s name or email: 422, sign in, the text kept', async () => {
			const slug = kind.make();
			const name = unique('Member');
			const email = `${unique('m')}@example.org`;
			const u = parley(['user', 'add', email, name, '--db', srv.db], { input: `${PASSWORD}\n` });
			assert.equal(u.status, 0, u.stderr);
			const r = reader(kind, slug);
			const body = unique('Impersonating');
			const byName = await r.post({ author: name.toUpperCase(), email: 'other@example.org', body });
			assert.equal(byName.status, 422);
			assert.match(fieldError(byName.text, 'author'), /belongs to a member of this site: sign in/);
			assert.equal(textareaValue(byName.text), body, 'the text kept');
			const byEmail = await r.post({ author: 'Somebody Else', email: email.toUpperCase(), body });
			assert.equal(byEmail.status, 422);
			assert.match(fieldError(byEmail.text, 'email'), /belongs to a member of this site: sign in/);
			assert.equal(sql(srv.db, `select count(*) from comments where body_md = '${body}'`)[0][0], '0');
			// An account whose email is not verified proves nothing: its name stays free.
			sql(srv.db, `update users set email_verified = 0 where email = '${email}'`);
			const free = await r.post({ author: name, email });
			assert.equal(free.status, 303, free.text.slice(0, 300));
		});

		test('"Save my name" remembers the name for the next form, and unticked forgets it', async () => {
			const slug = kind.make();
			const r = reader(kind, slug);
			const saved = await r.post({ author: 'Remembered Rae', email: 'rae@example.org', remember: 'yes' });
			assert.equal(saved.status, 303);
			let page = await r.open();
			assert.equal(inputValue(page.text, 'author'), 'Remembered Rae');
			assert.equal(inputValue(page.text, 'email'), 'rae@example.org');
			assert.match(page.text, /<input id="remember" name="remember" type="checkbox" value="yes" checked>/);
			const forgot = await r.post({ author: 'Remembered Rae', email: 'rae@example.org' });
			assert.equal(forgot.status, 303);
			page = await r.open();
			assert.equal(inputValue(page.text, 'author'), '');
		});

		test('a permalink lands on the page that shows the comment', async () => {
			const slug = kind.make();
			const r = reader(kind, slug);
			const ids = [];
			for (let i = 0; i < PER_PAGE + 1; i++) ids.push((await r.post()).id);
			const reply = await r.post({ parent: String(ids[PER_PAGE]) });
			const first = await r.br.get(`/comments/${ids[0]}`);
			assert.equal(first.res.status, 302);
			assert.equal(first.res.headers.get('location'), `${kind.path(slug)}#comment-${ids[0]}`);
			const deep = await r.br.get(`/comments/${reply.id}`);
			assert.equal(deep.res.status, 302);
			assert.equal(deep.res.headers.get('location'), `${kind.path(slug)}?cpage=2#comment-${reply.id}`);
			assert.equal((await r.br.get('/comments/999999999')).res.status, 404);
		});
	});
}
