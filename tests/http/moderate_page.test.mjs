// The moderation page (/moderate): for moderators, editors and admins
// only (403 for readers and the signed-out), every action a POST with a
// CSRF token; queues by status with counts, filters, bulk and single
// actions that work without JavaScript, a comment's page with its
// context, editing through the readers' sanitizer (logged with the text
// before and after), bans, the log for admins, and "N pending" in the
// header for moderators.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	assertNotRaw, browser, comments, newArticle, parley, postComment, site, sql, stopClean, tags, unique,
} from './util.mjs';
import { Agent, csrfOf, signIn } from '../lib/identity.mjs';

const PASSWORD = 'correct horse battery';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let srv, mod, admin, reader;

async function member(role) {
	const email = `${unique(role)}@example.org`;
	const r = parley(['user', 'add', email, `A ${role}`, role, '--db', srv.db], { input: `${PASSWORD}\n` });
	assert.equal(r.status, 0, r.stderr);
	const a = new Agent(srv.url);
	await signIn(a, email, PASSWORD);
	return a;
}

before(async () => {
	srv = await site({ articles: [], config: '[comments]\nmoderation = hold\n' });
	mod = await member('moderator');
	admin = await member('admin');
	reader = await member('reader');
});
after(() => stopClean(srv));

// A staff page holds its own forms and scripts; nothing a reader wrote
// may add a script, an event handler or a script URL.
function assertNoActiveContent(html, what) {
	const scripts = html.match(/<script[^>]*>/gi) || [];
	for (const sc of scripts) assert.match(sc, /^<script src="\/static\/(parley|moderate)\.js" defer>$/, `${what}: ${sc}`);
	for (const t of tags(html)) {
		for (const [n, v] of t.attrs) {
			assert.ok(!/^on/.test(n) && n !== 'style' && n !== 'formaction', `${what}: ${t.raw}`);
			assert.ok(!/^\s*javascript:/i.test(v), `${what}: ${t.raw}`);
		}
	}
}

const statusOf = (id) => sql(srv.db, `SELECT status FROM comments WHERE id = ${id}`)[0][0];

async function held(slug, fields = {}) {
	const r = await postComment(browser(srv), slug, fields);
	assert.equal(r.status, 303);
	return r.id;
}

// The queue page's CSRF token for agent a.
async function token(a) {
	const r = await a.get('/moderate');
	assert.equal(r.status, 200);
	return csrfOf(r.text);
}

describe('who may moderate', () => {
	test('the signed-out and readers get 403 on every moderation route; moderators 200', async () => {
		const anon = new Agent(srv.url);
		for (const path of ['/moderate', '/moderate/comments/1', '/moderate/log']) {
			const r = await anon.get(path);
			assert.ok(r.status === 403 || (r.status === 303 && /\/account\/signin/.test(r.location)), `${path}: ${r.status}`);
			assert.equal((await reader.get(path)).status, 403, path);
		}
		const page = await reader.get('/account/settings');
		for (const path of ['/moderate/bulk', '/moderate/ban', '/moderate/comments/1/edit']) {
			const r = await reader.post(path, { csrf: csrfOf(page.text), action: 'approve', id: '1', kind: 'email', value: 'x@example.org', body: 'x' });
			assert.equal(r.status, 403, path);
		}
		assert.equal((await mod.get('/moderate')).status, 200);
		// The log is for admins.
		assert.equal((await mod.get('/moderate/log')).status, 403);
		assert.equal((await admin.get('/moderate/log')).status, 200);
	});

	test('an action without a CSRF token, or with another visitor\'s, is refused with 403 and changes nothing', async () => {
		const slug = newArticle(srv);
		const id = await held(slug);
		let r = await mod.post('/moderate/bulk', { action: 'approve', id: String(id) });
		assert.equal(r.status, 403);
		r = await mod.post('/moderate/bulk', { csrf: await token(admin), action: 'approve', id: String(id) });
		assert.equal(r.status, 403);
		assert.equal(statusOf(id), 'pending');
	});
});

describe('the queues', () => {
	test('pending, newest first, with context, counts, and "N pending" in the header', async () => {
		const slug = newArticle(srv);
		const a = await held(slug, { body: unique('older') });
		const b = await held(slug, { body: unique('newer') });
		const page = await mod.get('/moderate');
		const ia = page.text.indexOf(`id="mod-${a}"`), ib = page.text.indexOf(`id="mod-${b}"`);
		assert.ok(ib > 0 && ia > ib, 'newest first');
		const pending = Number(sql(srv.db, "SELECT count(*) FROM comments WHERE status = 'pending'")[0][0]);
		assert.match(page.text, new RegExp(`Pending <span class="count">${pending}</span>`));
		assert.match(page.text, new RegExp(`class="mod-pending" href="/moderate">${pending} pending</a>`));
		assert.match(page.text, new RegExp(`href="/articles/${slug}">Test Article</a>`));
		assert.match(page.text, /No approved comment yet\./);
		assert.match(page.text, /every comment is held/);
		// The public page is a reader's for the reader: no count there.
		assert.doesNotMatch((await browser(srv).get(`/articles/${slug}`)).text, /mod-pending/);
	});

	test('filters: by discussion, author, email, address, reason; spam by score', async () => {
		const slug = newArticle(srv);
		const who = unique('Filtered');
		const id = await held(slug, { author: who, email: `${who}@example.org` });
		const other = await held(slug);
		const art = sql(srv.db, `SELECT id FROM articles WHERE slug = '${slug}'`)[0][0];
		for (const q of [`author=${who}`, `email=${who}%40example.org`, `article=${art}&author=${who}`, 'reason=held&ip=127.0.0.1']) {
			const page = await mod.get(`/moderate?${q}`);
			assert.equal(page.status, 200, q);
			assert.match(page.text, new RegExp(`id="mod-${id}"`), q);
			if (!q.startsWith('reason')) assert.doesNotMatch(page.text, new RegExp(`id="mod-${other}"`), q);
		}
		assert.doesNotMatch((await mod.get(`/moderate?author=${who}&score=50`)).text, new RegExp(`id="mod-${id}"`));
		assert.equal((await mod.get('/moderate?status=lost')).status, 400);
		assert.equal((await mod.get('/moderate?score=101')).status, 400);
	});

	test('bulk approve with checkboxes (no JavaScript): 303 back, shown on the article', async () => {
		const slug = newArticle(srv);
		const ids = [await held(slug), await held(slug), await held(slug)];
		const form = new URLSearchParams({ csrf: await token(mod), action: 'approve', back: '/moderate?status=pending' });
		for (const id of ids.slice(0, 2)) form.append('id', String(id));
		const r = await mod.post('/moderate/bulk', form);
		assert.equal(r.status, 303);
		assert.match(r.location, /\/moderate\?status=pending$/);
		assert.deepEqual(ids.map(statusOf), ['approved', 'approved', 'pending']);
		const page = await browser(srv).get(`/articles/${slug}`);
		assert.deepEqual(comments(page.text).map((c) => c.id), ids.slice(0, 2));
		const log = sql(srv.db, `SELECT actor_id, actor FROM moderation_log WHERE comment_id = ${ids[0]} ORDER BY id`);
		assert.equal(log.length, 1);
		assert.match(log[0][1], /^A moderator \(user \d+\)$/);
	});

	test('one comment\'s button; spam, trash and back to pending', async () => {
		const slug = newArticle(srv);
		const id = await held(slug);
		const csrf = await token(mod);
		for (const [action, want] of [['spam', 'spam'], ['trash', 'trash'], ['restore', 'pending'], ['approve', 'approved']]) {
			const r = await mod.post('/moderate/bulk', { csrf, one: `${action}:${id}` });
			assert.equal(r.status, 303);
			assert.equal(statusOf(id), want);
		}
		assert.match((await mod.get('/moderate?status=approved')).text, new RegExp(`id="mod-${id}"`));
	});

	test('budgets: at most 50 comments an action (413), a bad action 422, back only to /moderate', async () => {
		const csrf = await token(mod);
		const form = new URLSearchParams({ csrf, action: 'approve' });
		for (let i = 1; i <= 51; i++) form.append('id', String(i));
		assert.equal((await mod.post('/moderate/bulk', form)).status, 413);
		const fifty = new URLSearchParams({ csrf, action: 'approve' });
		for (let i = 1; i <= 50; i++) fifty.append('id', String(i));
		assert.equal((await mod.post('/moderate/bulk', fifty)).status, 303);
		assert.equal((await mod.post('/moderate/bulk', { csrf, action: 'delete', id: '1' })).status, 422);
		assert.equal((await mod.post('/moderate/bulk', { csrf, action: 'approve', id: 'x' })).status, 413);
		assert.equal((await mod.post('/moderate/bulk', { csrf, one: 'approve:x' })).status, 400);
		const r = await mod.post('/moderate/bulk', { csrf, action: 'approve', back: 'https://evil.example/' });
		assert.equal(r.status, 303);
		assert.match(r.location, /\/moderate$/);
		const r2 = await mod.post('/moderate/bulk', { csrf, action: 'approve', back: '//evil.example/moderate' });
		assert.match(r2.location, /\/moderate$/);
	});

	test('hostile fields are escaped in the queue', async () => {
		const slug = newArticle(srv);
		const author = '<script>alert(1)</script>"\'';
		await held(slug, { author, body: '<img src=x onerror=alert(1)> [x](javascript:alert(1))' });
		const page = await mod.get('/moderate');
		assertNoActiveContent(page.text, 'the moderation queue');
		assertNotRaw(page.text, author, 'the moderation queue');
		assertNotRaw(page.text, '<img src=x', 'the moderation queue');
	});
});

describe('a comment\'s page: edit and ban', () => {
	test('an edit goes through the readers\' sanitizer and is logged with both texts', async () => {
		const slug = newArticle(srv);
		const id = await held(slug, { body: 'the original text' });
		const page = await mod.get(`/moderate/comments/${id}`);
		assert.equal(page.status, 200);
		assert.match(page.text, /the original text/);
		const hostile = 'edited <script>alert(1)</script> [x](javascript:alert(1)) <b onclick="x()">b</b> ![i](https://i.example/i.png)';
		const r = await mod.post(`/moderate/comments/${id}/edit`, { csrf: csrfOf(page.text), body: hostile });
		assert.equal(r.status, 303);
		const html = sql(srv.db, `SELECT body_html FROM comments WHERE id = ${id}`)[0][0];
		assert.doesNotMatch(html, /<script|href="javascript:|<b onclick|<img/i);
		assert.match(html, /&lt;script&gt;/);
		const log = sql(srv.db, `SELECT action, text_before, text_after FROM moderation_log WHERE comment_id = ${id} ORDER BY id`);
		assert.deepEqual(log, [['edit', 'the original text', hostile]]);
		const after = await mod.get(`/moderate/comments/${id}`);
		assertNoActiveContent(after.text, 'the edited comment');
		// An empty text: 422, the form again with what was sent.
		const bad = await mod.post(`/moderate/comments/${id}/edit`, { csrf: csrfOf(page.text), body: '   ' });
		assert.equal(bad.status, 422);
		assert.match(bad.text, /cannot be empty/);
	});

	test('a ban from the page sends the next comment to spam', async () => {
		const slug = newArticle(srv);
		const email = `${unique('banned')}@example.org`;
		const id = await held(slug, { email });
		const page = await mod.get(`/moderate/comments/${id}`);
		let r = await mod.post('/moderate/ban', { csrf: csrfOf(page.text), kind: 'email', value: email, days: '0', reason: 'abuse', back: `/moderate/comments/${id}` });
		assert.equal(r.status, 303);
		assert.match(r.location, new RegExp(`/moderate/comments/${id}$`));
		const next = await postComment(browser(srv), slug, { email });
		assert.equal(next.location, `/articles/${slug}#comments`);
		assert.deepEqual(sql(srv.db, `SELECT status, reason FROM comments WHERE email = '${email}' ORDER BY id DESC LIMIT 1`), [['spam', 'banned email']]);
		r = await mod.post('/moderate/ban', { csrf: csrfOf(page.text), kind: 'network', value: '10.0.0.0/99', days: '0' });
		assert.equal(r.status, 422);
		r = await mod.post('/moderate/ban', { csrf: csrfOf(page.text), kind: 'planet', value: 'x', days: '0' });
		assert.equal(r.status, 422);
		const log = await admin.get('/moderate/log');
		assert.match(log.text, new RegExp(`ban by A moderator \\(user \\d+\\): email ${email}: abuse`));
	});
});

describe('moderators act in place on the public page', () => {
	test('their buttons are on their page alone, never in the page readers get', async () => {
		const slug = newArticle(srv);
		const id = await held(slug);
		await mod.post('/moderate/bulk', { csrf: await token(mod), one: `approve:${id}` });
		// A reader fills the cache first.
		const before = await browser(srv).get(`/articles/${slug}`);
		assert.equal(comments(before.text).length, 1);
		const page = await mod.get(`/articles/${slug}`);
		assert.equal(page.res.headers.get('x-cache'), null, 'a moderator\'s page is not cached');
		assert.match(page.text, new RegExp(`name="one" value="spam:${id}"`));
		assert.match(page.text, /id="moderate-form"/);
		assert.match(page.text, /class="mod-pending"/);
		for (let i = 0; i < 2; i++) {
			const other = await browser(srv).get(`/articles/${slug}`);
			assert.equal(other.res.headers.get('x-cache'), 'hit');
			assert.doesNotMatch(other.text, /moderate-form|mod-tools|mod-pending/);
		}
		// Hide it in place: 303 back to the article, gone for readers.
		const r = await mod.post('/moderate/bulk', { csrf: csrfOf(page.text), one: `trash:${id}`, back: `/articles/${slug}#comments` });
		assert.equal(r.status, 303);
		assert.match(r.location, new RegExp(`/articles/${slug}#comments$`));
		assert.equal(statusOf(id), 'trash');
		assert.equal(comments((await browser(srv).get(`/articles/${slug}`)).text).length, 0);
	});

	test('on a debate too', async () => {
		const { newDebate, formTokens } = await import('./util.mjs');
		const slug = newDebate(srv);
		const b = browser(srv);
		const p = await b.get(`/debates/${slug}`);
		const t = formTokens(p.text);
		const r = await b.post(`/debates/${slug}/comments`, { csrf: t.csrf, key: t.key, author: 'Ada', email: 'ada@example.org', body: 'side a', side: 'a', parent: '', website_confirm: '' });
		const id = Number(/#comment-(\d+)$/.exec(r.res.headers.get('location'))[1]);
		const page = await mod.get(`/debates/${slug}`);
		assert.match(page.text, /awaiting moderation|moderate-form/);
		await mod.post('/moderate/bulk', { csrf: csrfOf(page.text), one: `approve:${id}`, back: `/debates/${slug}` });
		const again = await mod.get(`/debates/${slug}`);
		assert.match(again.text, new RegExp(`name="one" value="spam:${id}"`));
		assert.doesNotMatch((await browser(srv).get(`/debates/${slug}`)).text, /moderate-form/);
	});
});

describe('the budget of moderation actions', () => {
	test('past its burst, a moderator\'s actions get 429 with Retry-After and change nothing', async () => {
		// A server of its own: the budget counts this address too.
		const own = await site({ articles: [], config: '[comments]\nmoderation = hold\n' });
		try {
			const email = `${unique('busy')}@example.org`;
			const r = parley(['user', 'add', email, 'Busy Mod', 'moderator', '--db', own.db], { input: `${PASSWORD}\n` });
			assert.equal(r.status, 0, r.stderr);
			const a = new Agent(own.url);
			await signIn(a, email, PASSWORD);
			const csrf = csrfOf((await a.get('/moderate')).text);
			const slug = newArticle(own);
			const held = await postComment(browser(own), slug);
			let refused = null;
			for (let i = 0; i < 200 && !refused; i++) {
				const res = await a.post('/moderate/bulk', { csrf, one: `trash:${999999 + i}` });
				if (res.status === 429) refused = res;
				else assert.equal(res.status, 303);
			}
			assert.ok(refused, 'refused within 200 actions');
			assert.match(refused.res.headers.get('retry-after'), /^\d+$/);
			const res = await a.post('/moderate/bulk', { csrf, one: `approve:${held.id}` });
			assert.equal(res.status, 429);
			assert.equal(sql(own.db, `SELECT status FROM comments WHERE id = ${held.id}`)[0][0], 'pending');
		} finally {
			await stopClean(own);
		}
	});
});

describe('the classifier learns from moderators\' decisions', () => {
	test('in the background: after approvals and spam verdicts, new comments are scored', async () => {
		const own = await site({ articles: [], config: '[comments]\nmoderation = hold\n' });
		try {
			const email = `${unique('teacher')}@example.org`;
			const r = parley(['user', 'add', email, 'Teacher', 'moderator', '--db', own.db], { input: `${PASSWORD}\n` });
			assert.equal(r.status, 0, r.stderr);
			const a = new Agent(own.url);
			await signIn(a, email, PASSWORD);
			const slug = newArticle(own);
			const b = browser(own);
			const first = await postComment(b, slug, { body: 'A thoughtful point about the library budget.' });
			assert.equal(Number(sql(own.db, `SELECT spam_score FROM comments WHERE id = ${first.id}`)[0][0]), -1, 'no model yet');
			const ham = (await postComment(b, slug, { body: 'The opening hours matter more than the building.' })).id;
			const spam = (await postComment(b, slug, { body: 'FREE gift cards, click here http://win.example now!!!' })).id;
			const csrf = csrfOf((await a.get('/moderate')).text);
			assert.equal((await a.post('/moderate/bulk', { csrf, one: `approve:${ham}` })).status, 303);
			assert.equal((await a.post('/moderate/bulk', { csrf, one: `spam:${spam}` })).status, 303);
			let score = -1;
			for (let i = 0; i < 50 && score === -1; i++) {
				await sleep(100);
				const c = await postComment(b, slug, { body: unique('later') });
				score = Number(sql(own.db, `SELECT spam_score FROM comments WHERE id = ${c.id}`)[0][0]);
			}
			assert.notEqual(score, -1, 'a comment is scored once the learner has learnt');
			assert.equal(sql(own.db, 'SELECT count(*) FROM spam_model')[0][0], '1', 'the model is saved');
		} finally {
			await stopClean(own);
		}
	});
});

describe('a banned account', () => {
	test('its comments go straight to spam, whatever its email', async () => {
		const email = `${unique('acct')}@example.org`;
		let r = parley(['user', 'add', email, 'Banned Member', 'reader', '--db', srv.db], { input: `${PASSWORD}\n` });
		assert.equal(r.status, 0, r.stderr);
		const id = sql(srv.db, `SELECT id FROM users WHERE email = '${email}'`)[0][0];
		r = parley(['ban', 'add', 'account', id, '--db', srv.db]);
		assert.equal(r.status, 0, r.stderr);
		const a = new Agent(srv.url);
		await signIn(a, email, PASSWORD);
		const slug = newArticle(srv);
		const page = await a.get(`/articles/${slug}`);
		const key = (/name="key" value="([^"]*)"/.exec(page.text) || [])[1];
		const res = await a.post(`/articles/${slug}/comments`, { csrf: csrfOf(page.text), key, body: 'from a banned account', parent: '', website_confirm: '' });
		assert.equal(res.status, 303);
		assert.deepEqual(sql(srv.db, `SELECT status, reason FROM comments WHERE user_id = ${id}`), [['spam', 'banned account']]);
	});
});
