// Comment statuses and the site's moderation policy: a held comment is
// shown to its own reader alone (by browser or by account), marked, on a
// page never cached; every other reader, cached page, count and page
// number sees approved comments only; approving shows it to all.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	browser, comments, countHeading, formTokens, newArticle, newDebate, parley, postComment, site,
	sql, stopClean, unique,
} from './util.mjs';
import { Agent, csrfOf, signIn } from '../lib/identity.mjs';

const PASSWORD = 'correct horse battery';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The status of comment id, as stored.
const statusOf = (db, id) => sql(db, `SELECT status FROM comments WHERE id = ${id}`)[0][0];

// Runs `parley comments ACTION IDS` on the server's database.
function moderate(srv, action, ...ids) {
	const r = parley(['comments', action, ...ids.map(String), '--db', srv.db]);
	assert.equal(r.status, 0, r.stderr);
	return r;
}

// Waits until the page at path, for a fresh reader, passes ok(text).
async function eventually(srv, path, ok) {
	for (let i = 0; i < 40; i++) {
		const { text } = await browser(srv).get(path);
		if (ok(text)) return text;
		await sleep(100);
	}
	assert.fail(`${path} never showed what was expected`);
}

// A verified account made with the CLI, signed in; resolves to its agent.
async function member(srv, role = 'reader') {
	const email = `${unique('m')}@example.org`;
	const r = parley(['user', 'add', email, 'Member', role, '--db', srv.db], { input: `${PASSWORD}\n` });
	assert.equal(r.status, 0, r.stderr);
	const a = new Agent(srv.url);
	await signIn(a, email, PASSWORD);
	return a;
}

// Posts a comment from a signed-in agent; resolves to { status, location, id }.
async function agentComment(a, path, body) {
	const page = await a.get(path);
	const key = (/name="key" value="([^"]*)"/.exec(page.text) || [])[1];
	const r = await a.post(`${path}/comments`, { csrf: csrfOf(page.text), key, body, parent: '', website_confirm: '' });
	const m = r.location && /#comment-(\d+)$/.exec(r.location);
	return { ...r, id: m ? Number(m[1]) : null };
}

describe('[comments] moderation = hold', () => {
	let srv;
	before(async () => { srv = await site({ articles: [], config: '[comments]\nmoderation = hold\nper_page = 2\n' }); });
	after(() => stopClean(srv));

	test('a held comment answers 303 to its place, shown to its browser alone, marked', async () => {
		const slug = newArticle(srv);
		const author = browser(srv);
		const body = unique('held');
		const r = await postComment(author, slug, { body });
		assert.equal(r.status, 303);
		assert.match(r.location, new RegExp(`^/articles/${slug}#comment-${r.id}$`));
		assert.equal(statusOf(srv.db, r.id), 'pending');
		assert.ok(r.res.headers.getSetCookie().some((c) => /^parley_held=1;.*HttpOnly/.test(c)));
		const mine = await author.get(`/articles/${slug}`);
		assert.equal(mine.res.headers.get('x-cache'), null, 'the page of a reader with held comments is not cached');
		const c = comments(mine.text).find((x) => x.id === r.id);
		assert.ok(c, 'the author sees their held comment');
		assert.match(c.html, /Your comment is awaiting moderation/);
		assert.match(c.html, new RegExp(body));
		assert.equal(countHeading(mine.text), 'No comments yet', 'the count is of approved comments');
		// Another reader, and the cached page, never show it.
		for (let i = 0; i < 2; i++) {
			const other = await browser(srv).get(`/articles/${slug}`);
			assert.doesNotMatch(other.text, new RegExp(body));
			assert.doesNotMatch(other.text, /awaiting moderation/);
			assert.equal(comments(other.text).length, 0);
			assert.equal(other.res.headers.get('x-cache'), i ? 'hit' : 'miss');
		}
		// The author's visit did not leave their comment in the cache.
		await author.get(`/articles/${slug}`);
		const again = await browser(srv).get(`/articles/${slug}`);
		assert.equal(again.res.headers.get('x-cache'), 'hit');
		assert.doesNotMatch(again.text, new RegExp(body));
		// Nor does the permalink lead anyone to it, nor the front page count it.
		assert.equal((await browser(srv).get(`/comments/${r.id}`)).res.status, 404);
		const front = await browser(srv).get('/');
		assert.match(front.text, new RegExp(`href="/articles/${slug}#comments">No comments yet</a>`));
	});

	test('a reader with the held cookie but another browser id sees nothing of it', async () => {
		const slug = newArticle(srv);
		const author = browser(srv);
		const body = unique('held');
		const r = await postComment(author, slug, { body });
		// A browser with its own visitor id (from a first visit) and the hint.
		const thief = browser(srv);
		await thief.get(`/articles/${slug}`);
		assert.ok(thief.cookies.has('parley_v'));
		thief.cookies.set('parley_held', '1');
		const page = await thief.get(`/articles/${slug}`);
		assert.doesNotMatch(page.text, new RegExp(body));
		assert.equal(statusOf(srv.db, r.id), 'pending');
	});

	test('approved, it is shown to everyone, counted, on the right page', async () => {
		const slug = newArticle(srv);
		const a = browser(srv);
		const first = await postComment(a, slug, { body: unique('one') });
		const second = await postComment(a, slug, { body: unique('two') });
		const third = await postComment(a, slug, { body: unique('three') });
		// Approved out of order: the page numbers follow the ids.
		moderate(srv, 'approve', third.id, first.id);
		let text = await eventually(srv, `/articles/${slug}`, (t) => comments(t).length === 2);
		assert.equal(countHeading(text), '2 thoughts on “Test Article”');
		assert.deepEqual(comments(text).map((c) => c.id), [first.id, third.id]);
		moderate(srv, 'approve', second.id);
		text = await eventually(srv, `/articles/${slug}`, (t) => /3 thoughts/.test(t));
		assert.deepEqual(comments(text).map((c) => c.id), [first.id, second.id]);
		const p2 = await browser(srv).get(`/articles/${slug}?cpage=2`);
		assert.deepEqual(comments(p2.text).map((c) => c.id), [third.id]);
		const perm = await browser(srv).get(`/comments/${third.id}`);
		assert.match(perm.res.headers.get('location'), /cpage=2#comment-/);
		const perm2 = await browser(srv).get(`/comments/${second.id}`);
		assert.equal(perm2.res.headers.get('location'), `/articles/${slug}#comment-${second.id}`);
		assert.deepEqual(sql(srv.db, `SELECT comment_count, thread_count FROM articles WHERE slug = '${slug}'`), [['3', '3']]);
		const front = await browser(srv).get('/');
		assert.match(front.text, new RegExp(`href="/articles/${slug}#comments">3 comments</a>`));
	});

	test('a held reply is shown under its thread to its author; trashed, to nobody', async () => {
		const slug = newArticle(srv);
		const a = browser(srv);
		const top = await postComment(a, slug, { body: unique('top') });
		moderate(srv, 'approve', top.id);
		await eventually(srv, `/articles/${slug}`, (t) => comments(t).length === 1);
		const replier = browser(srv);
		const reply = await postComment(replier, slug, { body: unique('reply'), parent: String(top.id) });
		assert.equal(reply.status, 303);
		const mine = await replier.get(`/articles/${slug}`);
		const c = comments(mine.text).find((x) => x.id === reply.id);
		assert.ok(c);
		assert.equal(c.parent, top.id);
		moderate(srv, 'trash', reply.id);
		const after = await replier.get(`/articles/${slug}`);
		assert.equal(comments(after.text).find((x) => x.id === reply.id), undefined);
		assert.equal(statusOf(srv.db, reply.id), 'trash');
	});

	test('a held comment on a debate is its author\'s alone too', async () => {
		const slug = newDebate(srv);
		const author = browser(srv);
		const page = await author.get(`/debates/${slug}`);
		const t = formTokens(page.text);
		const body = unique('debate-held');
		const r = await author.post(`/debates/${slug}/comments`, { csrf: t.csrf, key: t.key, author: 'Ada', email: 'ada@example.org', body, side: 'a', parent: '', website_confirm: '' });
		assert.equal(r.res.status, 303);
		const id = Number(/#comment-(\d+)$/.exec(r.res.headers.get('location'))[1]);
		assert.equal(statusOf(srv.db, id), 'pending');
		const mine = await author.get(`/debates/${slug}`);
		assert.match(mine.text, new RegExp(body));
		assert.match(mine.text, /awaiting moderation/);
		const other = await browser(srv).get(`/debates/${slug}`);
		assert.doesNotMatch(other.text, new RegExp(body));
		moderate(srv, 'approve', id);
		await eventually(srv, `/debates/${slug}`, (x) => x.includes(body));
	});
});

describe('[comments] moderation = first', () => {
	let srv;
	before(async () => { srv = await site({ articles: [], config: '[comments]\nmoderation = first\n' }); });
	after(() => stopClean(srv));

	test('an anonymous commenter always waits: an email typed proves nothing', async () => {
		const slug = newArticle(srv);
		const a = browser(srv);
		const one = await postComment(a, slug, { email: 'known@example.org' });
		moderate(srv, 'approve', one.id);
		const two = await postComment(a, slug, { email: 'known@example.org' });
		assert.equal(statusOf(srv.db, two.id), 'pending');
		assert.equal(sql(srv.db, `SELECT reason FROM comments WHERE id = ${two.id}`)[0][0], 'first comment');
	});

	test('an account waits until one of its comments is approved, and the account sees it from any browser', async () => {
		const slug = newArticle(srv);
		const path = `/articles/${slug}`;
		const a = await member(srv);
		const first = await agentComment(a, path, unique('first'));
		assert.equal(first.status, 303);
		assert.equal(statusOf(srv.db, first.id), 'pending');
		// The same account in another browser (no held cookie) sees it.
		const page = await a.get(path);
		assert.match(page.text, /awaiting moderation/);
		moderate(srv, 'approve', first.id);
		const second = await agentComment(a, path, unique('second'));
		assert.equal(statusOf(srv.db, second.id), 'approved');
	});
});

describe('[comments] moderation = open (the default)', () => {
	let srv;
	before(async () => { srv = await site({ articles: [] }); });
	after(() => stopClean(srv));

	test('a comment no rule holds is approved at once, and scored by no model', async () => {
		const slug = newArticle(srv);
		const r = await postComment(browser(srv), slug);
		assert.equal(r.status, 303);
		// A number as each shell prints it (SQLite -1.0, PostgreSQL -1).
		const [[status, reason, score]] = sql(srv.db, `SELECT status, reason, spam_score FROM comments WHERE id = ${r.id}`);
		assert.deepEqual([status, reason, Number(score)], ['approved', '', -1]);
	});

	test('spam is not announced to its sender: 303 to the discussion, nothing shown', async () => {
		const slug = newArticle(srv);
		const a = browser(srv);
		const ok = await postComment(a, slug);
		moderate(srv, 'spam', ok.id);
		const page = await a.get(`/articles/${slug}`);
		assert.equal(comments(page.text).length, 0);
		assert.equal(countHeading(page.text), 'No comments yet');
	});
});

