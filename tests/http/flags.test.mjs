// Readers' flags on comments, articles' and debates' alike: each reader
// (by account, or by the browser's signed visitor id) counts once per
// comment; [moderation] flags_to_hold distinct readers hold an approved
// comment for review (pending, its reason naming the flags, logged), so
// other readers, cached pages and counts no longer show it; moderators
// see a "flagged" queue with each flag's reason and note, and approving,
// spamming or trashing resolves the flags.  Flags have budgets per
// address (set with X-Forwarded-For from the trusted loopback proxy), per
// account and for the site, and a comment keeps at most flags_per_comment.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	comments, countHeading, escapeHtml, newArticle, newDebate, parley, scratch, sql, startServer, stopClean,
	unique, assertNoActiveContent, assertNotRaw, assertSecurityHeaders, tags,
} from './util.mjs';
import { Agent, csrfOf, signIn } from '../lib/identity.mjs';

const PASSWORD = 'correct horse battery';
const PROXY = '[server]\ntrusted_proxies = 127.0.0.1\naccess_log = false\n';
// Budgets lifted, for the tests that are not about them.
const LIFTED = 'flags_per_minute = 100000\nflags_burst = 100000\nflags_per_hour = 100000\nsite_flags_per_minute = 100000\n';

let serial = 0;
// A fresh address for each reader, unless a test wants one shared.
const nextIp = () => `198.18.${Math.floor(++serial / 250)}.${(serial % 250) + 1}`;

async function withSite(moderation, fn) {
	const srv = await startServer({ db: scratch().db, config: `${PROXY}[moderation]\n${moderation}` });
	try {
		await fn(srv);
	} finally {
		await stopClean(srv);
	}
}

// A reader with a browser of their own, coming from ip.
function reader(srv, ip = nextIp()) {
	const a = new Agent(srv.url);
	a.ip = ip;
	return a;
}

const via = (a) => ({ headers: { 'x-forwarded-for': a.ip } });

// Posts a comment on the article or debate at path (a debate's takes a side).
async function postComment(srv, path, body = unique('said')) {
	const a = reader(srv);
	const page = await a.get(path, via(a));
	const key = (/name="key" value="([^"]*)"/.exec(page.text) || [])[1];
	const form = { csrf: csrfOf(page.text), key, author: 'Ada', email: 'ada@example.org', body, parent: '', website_confirm: '' };
	if (path.startsWith('/debates/')) form.side = 'a';
	const r = await a.post(`${path}/comments`, form, via(a));
	assert.equal(r.status, 303, `comment on ${path}: ${r.text.slice(0, 300)}`);
	const id = Number(/#comment-(\d+)$/.exec(r.location)[1]);
	return { id, body };
}

// Opens the flag form of comment id as a, then sends it; resolves to the answer.
async function flag(a, id, { reason = 'spam', note = '', csrf } = {}) {
	const page = await a.get(`/comments/${id}/flag`, via(a));
	assert.equal(page.status, 200, `GET /comments/${id}/flag: ${page.text.slice(0, 200)}`);
	const form = { csrf: csrf === undefined ? csrfOf(page.text) : csrf, reason, note };
	if (csrf === null) delete form.csrf;
	return a.post(`/comments/${id}/flag`, form, via(a));
}

const statusOf = (db, id) => sql(db, `SELECT status FROM comments WHERE id = ${id}`)[0][0];
const flagsOf = (db, id, where = 'true') => Number(sql(db, `SELECT count(*) FROM comment_flags WHERE comment_id = ${id} AND ${where}`)[0][0]);

// The note's textarea as the form shows it again (still escaped).
function noteValue(html) {
	const m = /<textarea id="note"[^>]*>\n?([\s\S]*?)<\/textarea>/.exec(html);
	return m ? m[1] : null;
}

function formError(html) {
	const m = /<p class="form-error"[^>]*>([^<]*)<\/p>/.exec(html);
	return m ? m[1] : null;
}

// A verified account with role, signed in from its own address.
async function member(srv, role) {
	const email = `${unique('m')}@example.org`;
	const r = parley(['user', 'add', email, 'Member', role, '--db', srv.db], { input: `${PASSWORD}\n` });
	assert.equal(r.status, 0, r.stderr);
	const a = reader(srv);
	await signIn(a, email, PASSWORD);
	a.email = email;
	return a;
}

// A moderator's one-comment action from the moderation page.
async function decide(mod, action, id) {
	const page = await mod.get('/moderate?status=flagged');
	const r = await mod.post('/moderate/bulk', { csrf: csrfOf(page.text), one: `${action}:${id}`, back: '/moderate?status=flagged' });
	assert.equal(r.status, 303, `${action} ${id}: ${r.text.slice(0, 200)}`);
}

const held = (text, body) => new RegExp(body).test(text);

describe('flags on an article comment', () => {
	let srv;
	before(async () => { srv = await startServer({ db: scratch().db, config: `${PROXY}[moderation]\nflags_to_hold = 3\n${LIFTED}` }); });
	after(() => stopClean(srv));

	test('each comment has a Flag link to a form that works without script', async () => {
		const slug = newArticle(srv);
		const { id } = await postComment(srv, `/articles/${slug}`);
		const page = await reader(srv).get(`/articles/${slug}`);
		const c = comments(page.text).find((x) => x.id === id);
		assert.match(c.html, new RegExp(`<a class="flag-link" href="/comments/${id}/flag" rel="nofollow">Flag</a>`));
		const form = await reader(srv).get(`/comments/${id}/flag`);
		assert.equal(form.status, 200);
		assertSecurityHeaders(form.res, 'the flag form');
		assert.match(form.text, new RegExp(`<form method="post" action="/comments/${id}/flag"`));
		assert.match(form.text, /name="csrf" value="[A-Za-z0-9_-]{43}"/);
		for (const r of ['spam', 'abuse', 'off-topic', 'other']) assert.match(form.text, new RegExp(`type="radio" name="reason" id="reason-${r}" value="${r}"`));
		assert.match(form.text, /<textarea id="note" name="note" rows="4" maxlength="500">/);
	});

	test('held at flags_to_hold distinct readers, not before; the same reader twice counts once', async () => {
		const slug = newArticle(srv, { title: 'Flagged Here' });
		const { id, body } = await postComment(srv, `/articles/${slug}`);
		const [r1, r2, r3] = [reader(srv), reader(srv), reader(srv)];

		let r = await flag(r1, id, { reason: 'abuse', note: 'Rude to another reader.' });
		assert.equal(r.status, 303);
		assert.equal(new URL(r.location).pathname + new URL(r.location).search, `/comments/${id}/flag?done=added`);
		const thanks = await r1.get(r.location);
		assert.equal(thanks.status, 200);
		assert.match(thanks.text, /Thank you: the moderators will look at this comment\./);
		assert.match(thanks.text, new RegExp(`href="/articles/${slug}"`));

		// The same reader again, with another reason: answered, not counted.
		r = await flag(r1, id, { reason: 'spam' });
		assert.equal(r.status, 303);
		assert.match(r.location, /\?done=again$/);
		assert.match((await r1.get(r.location)).text, /You had already flagged this comment: it counts once/);
		r = await flag(r1, id, { reason: 'other' });
		assert.match(r.location, /\?done=again$/);
		assert.equal(flagsOf(srv.db, id), 1, 'one flag stored for one reader');

		r = await flag(r2, id, { reason: 'spam' });
		assert.match(r.location, /\?done=added$/);
		assert.equal(flagsOf(srv.db, id), 2);
		assert.equal(statusOf(srv.db, id), 'approved', 'two readers do not hold it');

		// The page is cached as it is, the comment in it.
		const viewer = reader(srv);
		await viewer.get(`/articles/${slug}`);
		const cached = await viewer.get(`/articles/${slug}`);
		assert.equal(cached.res.headers.get('x-cache'), 'hit');
		assert.ok(held(cached.text, body), 'shown before the hold');
		assert.equal(countHeading(cached.text), '1 thought on “Flagged Here”');

		r = await flag(r3, id, { reason: 'abuse' });
		assert.match(r.location, /\?done=added$/);
		assert.equal(statusOf(srv.db, id), 'pending', 'the third reader holds it');
		const [reason] = sql(srv.db, `SELECT reason FROM comments WHERE id = ${id}`)[0];
		assert.match(reason, /^flagged by 3 readers: /);
		assert.deepEqual(reason.replace(/^flagged by 3 readers: /, '').split(', ').sort(), ['abuse', 'spam']);
		const log = sql(srv.db, `SELECT action, actor, status_before, status_after, detail FROM moderation_log WHERE comment_id = ${id} ORDER BY id`);
		assert.deepEqual(log, [['hold', "readers' flags", 'approved', 'pending', reason]]);
		// The thanks still answers, the comment now held.
		assert.equal((await r3.get(r.location)).status, 200);

		// Other readers, the cached page and the counts no longer show it.
		for (const who of [viewer, reader(srv), reader(srv)]) {
			const page = await who.get(`/articles/${slug}`);
			assert.ok(!held(page.text, body), 'not shown once held');
			assert.equal(countHeading(page.text), 'No comments yet');
		}
		assert.equal(sql(srv.db, `SELECT comment_count FROM articles WHERE slug = '${slug}'`)[0][0], '0');
		assert.equal((await reader(srv).get(`/comments/${id}`)).status, 404, 'its permalink is gone');
		// Nobody can flag it further.
		const r4 = reader(srv);
		assert.equal((await r4.get(`/comments/${id}/flag`, via(r4))).status, 404);
		assert.equal((await r4.post(`/comments/${id}/flag`, { csrf: csrfOf((await r4.get(`/articles/${slug}`, via(r4))).text), reason: 'spam' }, via(r4))).status, 404);
		assert.equal(flagsOf(srv.db, id), 3);
	});

	test('browsers at one address count once towards a hold, however many; an IPv6 /64 is one address', async () => {
		const slug = newArticle(srv);
		const { id } = await postComment(srv, `/articles/${slug}`);
		// One person, five fresh browsers, one address: five flags stored, no hold.
		for (let i = 0; i < 5; i++) assert.match((await flag(reader(srv, '192.0.2.55'), id)).location, /\?done=added$/);
		assert.equal(flagsOf(srv.db, id), 5);
		assert.equal(statusOf(srv.db, id), 'approved', 'readers at one address do not hold it');
		// Two more from addresses in one IPv6 /64 count as one more.
		assert.match((await flag(reader(srv, '2001:db8:5:6::1'), id)).location, /\?done=added$/);
		assert.match((await flag(reader(srv, '2001:db8:5:6::2'), id)).location, /\?done=added$/);
		assert.equal(statusOf(srv.db, id), 'approved', 'two addresses so far');
		// A third address holds it.
		assert.match((await flag(reader(srv, '198.51.100.23'), id)).location, /\?done=added$/);
		assert.equal(statusOf(srv.db, id), 'pending', 'readers at three addresses hold it');
	});

	test('a signed-in reader counts once by account, from any browser', async () => {
		const slug = newArticle(srv);
		const { id } = await postComment(srv, `/articles/${slug}`);
		const m = await member(srv, 'reader');
		assert.match((await flag(m, id)).location, /done=added$/);
		// The same account from a new browser and address.
		const again = reader(srv);
		await signIn(again, m.email, PASSWORD);
		assert.notEqual(again.cookie('parley_v'), m.cookie('parley_v'), 'another browser');
		const r = await flag(again, id);
		assert.match(r.location, /done=again$/, 'the account, not the browser, is the reader');
		assert.equal(flagsOf(srv.db, id), 1);
	});

	test('no reason, an unknown one or a note too long: 422, the note kept, nothing stored', async () => {
		const slug = newArticle(srv);
		const { id } = await postComment(srv, `/articles/${slug}`);
		const a = reader(srv);
		let r = await flag(a, id, { reason: '', note: 'Kept note' });
		assert.equal(r.status, 422);
		assert.equal(formError(r.text), 'Choose why this comment should not be shown.');
		assert.equal(noteValue(r.text), 'Kept note');
		r = await flag(a, id, { reason: 'boring', note: 'Kept too' });
		assert.equal(r.status, 422);
		assert.equal(formError(r.text), 'That is not one of the reasons offered.');
		const long = 'é'.repeat(501);
		r = await flag(a, id, { reason: 'other', note: long });
		assert.equal(r.status, 422);
		assert.equal(formError(r.text), 'The note is longer than 500 characters.');
		assert.equal(noteValue(r.text), long);
		assert.equal(flagsOf(srv.db, id), 0);
		// 500 characters are taken.
		r = await flag(a, id, { reason: 'other', note: 'é'.repeat(500) });
		assert.equal(r.status, 303);
		assert.equal(sql(srv.db, `SELECT length(note) FROM comment_flags WHERE comment_id = ${id}`)[0][0], '500');
	});

	test('hostile text in the comment, the note and the reason comes back escaped', async () => {
		const slug = newArticle(srv);
		const payloads = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "' onmouseover='alert(1)", 'javascript:alert(1)'];
		const a = reader(srv);
		const page = await a.get(`/articles/${slug}`, via(a));
		const key = (/name="key" value="([^"]*)"/.exec(page.text) || [])[1];
		const body = payloads.join(' ');
		const r = await a.post(`/articles/${slug}/comments`, { csrf: csrfOf(page.text), key, author: payloads[1], email: 'x@example.org', url: '', body, parent: '', website_confirm: '' }, via(a));
		assert.equal(r.status, 303);
		const id = Number(/#comment-(\d+)$/.exec(r.location)[1]);
		const form = await a.get(`/comments/${id}/flag`, via(a));
		assertNoActiveContent(form.text, 'the flag form');
		for (const p of payloads.slice(0, 2)) assertNotRaw(form.text, p, 'the flag form');
		for (const p of payloads) {
			const back = await flag(a, id, { reason: p, note: p });
			assert.equal(back.status, 422);
			assertNoActiveContent(back.text, 'the flag form refused');
			if (p.includes('<')) assertNotRaw(back.text, p, 'the flag form refused');
			assert.equal(noteValue(back.text), escapeHtml(p), 'the note kept, escaped');
		}
		assert.equal(flagsOf(srv.db, id), 0);
	});

	test('a flag without the CSRF token, or with another visitor\'s, is refused with 403', async () => {
		const slug = newArticle(srv);
		const { id } = await postComment(srv, `/articles/${slug}`);
		const a = reader(srv);
		let r = await flag(a, id, { csrf: null });
		assert.equal(r.status, 403);
		assert.match(r.text, /did not come from this site/);
		const other = reader(srv);
		const foreign = csrfOf((await other.get(`/comments/${id}/flag`)).text);
		r = await flag(a, id, { csrf: foreign });
		assert.equal(r.status, 403);
		assert.equal(flagsOf(srv.db, id), 0);
		// GET changes nothing either.
		assert.equal((await a.get(`/comments/${id}/flag?reason=spam`, via(a))).status, 200);
		assert.equal(flagsOf(srv.db, id), 0);
	});

	test('a comment not shown to readers, or none, cannot be flagged: 404', async () => {
		const slug = newArticle(srv);
		const { id } = await postComment(srv, `/articles/${slug}`);
		const trashed = await postComment(srv, `/articles/${slug}`);
		assert.equal(parley(['comments', 'trash', String(trashed.id), '--db', srv.db]).status, 0);
		const restored = await postComment(srv, `/articles/${slug}`);
		assert.equal(parley(['comments', 'restore', String(restored.id), '--db', srv.db]).status, 0);
		const a = reader(srv);
		const csrf = csrfOf((await a.get(`/comments/${id}/flag`, via(a))).text);
		for (const target of [trashed.id, restored.id, 999999]) {
			assert.equal((await a.get(`/comments/${target}/flag`, via(a))).status, 404, `GET ${target}`);
			const r = await a.post(`/comments/${target}/flag`, { csrf, reason: 'spam' }, via(a));
			assert.equal(r.status, 404, `POST ${target}`);
			assert.equal(flagsOf(srv.db, target), 0);
		}
		const c = comments((await reader(srv).get(`/articles/${slug}`)).text);
		assert.deepEqual(c.map((x) => x.id), [id]);
	});
});

describe('the flagged queue', () => {
	let srv, mod;
	before(async () => {
		// Moderators' spam verdicts train the classifier: it is kept out of the way.
		srv = await startServer({ db: scratch().db, config: `${PROXY}[moderation]\nflags_to_hold = 3\nspam_percent = 101\nhold_percent = 101\n${LIFTED}` });
		mod = await member(srv, 'moderator');
	});
	after(() => stopClean(srv));

	test('lists comments with open flags, newest first, each flag\'s reason and note escaped; approving resolves them', async () => {
		const slug = newArticle(srv);
		const a = await postComment(srv, `/articles/${slug}`);
		const b = await postComment(srv, `/articles/${slug}`);
		const quiet = await postComment(srv, `/articles/${slug}`);
		const payload = '<script>alert(1)</script>"\'><img src=x onerror=alert(2)>';
		const first = reader(srv);
		await flag(first, a.id, { reason: 'abuse', note: payload });
		for (const why of ['spam', 'off-topic', 'other']) await flag(reader(srv), b.id, { reason: why, note: `note ${why}` });
		assert.equal(statusOf(srv.db, b.id), 'pending');

		const q = await mod.get('/moderate?status=flagged');
		assert.equal(q.status, 200);
		assertNotRaw(q.text, payload, 'the flagged queue');
		assert.ok(!tags(q.text).some((t) => t.attrs.some(([n]) => /^on/.test(n))), 'no event handler got in');
		assert.match(q.text, /<a href="\/moderate\?status=flagged" aria-current="page">Flagged <span class="count">2<\/span><\/a>/);
		const order = [...q.text.matchAll(/<li class="mod-item" id="mod-(\d+)"/g)].map((m) => Number(m[1]));
		assert.deepEqual(order, [b.id, a.id], 'flagged comments, newest first; none unflagged');
		const item = (id) => q.text.slice(q.text.indexOf(`id="mod-${id}"`), q.text.indexOf('</li>\n', q.text.indexOf(`id="mod-${id}"`)));
		assert.match(item(a.id), /<span class="flag-reason">Abuse or harassment<\/span>: <q class="flag-note">/);
		assert.ok(item(a.id).includes(escapeHtml(payload)), 'the note, escaped');
		for (const [why, label] of [['spam', 'Spam'], ['off-topic', 'Off-topic'], ['other', 'Something else']]) {
			assert.ok(item(b.id).includes(`<span class="flag-reason">${label}</span>: <q class="flag-note">note ${why}</q>`), label);
		}
		assert.match(item(b.id), /<span class="badge">pending<\/span> flagged by 3 readers: /);
		// The held comment waits in the pending queue too; the comment's page shows the flags.
		assert.match((await mod.get('/moderate?status=pending')).text, new RegExp(`id="mod-${b.id}"`));
		assert.match((await mod.get(`/moderate/comments/${a.id}`)).text, /<span class="flag-reason">Abuse or harassment<\/span>/);

		// Approving a flagged comment that stayed approved resolves its flags.
		await decide(mod, 'approve', a.id);
		assert.equal(flagsOf(srv.db, a.id, 'resolved = 0'), 0);
		assert.equal(flagsOf(srv.db, a.id), 1, 'kept, resolved');
		assert.deepEqual(sql(srv.db, `SELECT action, status_before, status_after, detail FROM moderation_log WHERE comment_id = ${a.id} ORDER BY id`),
			[['approve', 'approved', 'approved', '1 flag resolved']]);
		// Approving the held one shows it again, its flags resolved.
		await decide(mod, 'approve', b.id);
		assert.equal(statusOf(srv.db, b.id), 'approved');
		assert.equal(flagsOf(srv.db, b.id, 'resolved = 0'), 0);
		const after1 = await mod.get('/moderate?status=flagged');
		assert.doesNotMatch(after1.text, /class="mod-item"/, 'the queue is empty');
		assert.match(after1.text, /Flagged <span class="count">0<\/span>/);
		const page = await reader(srv).get(`/articles/${slug}`);
		assert.ok(held(page.text, b.body), 'approved, shown again');
		assert.deepEqual(comments(page.text).map((x) => x.id).sort(), [a.id, b.id, quiet.id].sort());

		// Resolved flags are not counted again; the same reader still counts once.
		assert.match((await flag(first, a.id)).location, /done=again$/);
		await flag(reader(srv), a.id);
		assert.equal(flagsOf(srv.db, a.id, 'resolved = 0'), 1, 'a new reader opens it again');
		assert.equal(statusOf(srv.db, a.id), 'approved');
	});

	test('spam and trash resolve flags too; back to pending does not', async () => {
		const slug = newArticle(srv);
		const s = await postComment(srv, `/articles/${slug}`);
		const t = await postComment(srv, `/articles/${slug}`);
		const p = await postComment(srv, `/articles/${slug}`);
		for (const c of [s, t, p]) await flag(reader(srv), c.id);
		await decide(mod, 'restore', p.id);
		assert.equal(flagsOf(srv.db, p.id, 'resolved = 0'), 1, 'back to pending leaves it flagged');
		await decide(mod, 'spam', s.id);
		await decide(mod, 'trash', t.id);
		for (const c of [s, t]) assert.equal(flagsOf(srv.db, c.id, 'resolved = 0'), 0);
		const q = await mod.get('/moderate?status=flagged');
		assert.doesNotMatch(q.text, new RegExp(`id="mod-(${s.id}|${t.id})"`));
		assert.match(q.text, new RegExp(`id="mod-${p.id}"`));
	});

	test('a debate comment is flagged, held and listed the same way', async () => {
		const slug = newDebate(srv);
		const { id, body } = await postComment(srv, `/debates/${slug}`);
		const page = await reader(srv).get(`/debates/${slug}`);
		assert.match(page.text, new RegExp(`<a class="flag-link" href="/comments/${id}/flag" rel="nofollow">Flag</a>`));
		const viewer = reader(srv);
		await viewer.get(`/debates/${slug}`);
		assert.ok(held((await viewer.get(`/debates/${slug}`)).text, body));
		const r1 = reader(srv);
		const r = await flag(r1, id);
		assert.match((await r1.get(r.location)).text, new RegExp(`href="/debates/${slug}"`));
		assert.match((await flag(r1, id)).location, /done=again$/);
		await flag(reader(srv), id, { reason: 'abuse' });
		assert.equal(statusOf(srv.db, id), 'approved');
		await flag(reader(srv), id, { reason: 'off-topic' });
		assert.equal(statusOf(srv.db, id), 'pending');
		for (const who of [viewer, reader(srv)]) assert.ok(!held((await who.get(`/debates/${slug}`)).text, body), 'hidden on the debate page');
		const q = await mod.get('/moderate?status=flagged');
		assert.match(q.text, new RegExp(`id="mod-${id}"`));
		assert.match(q.text, new RegExp(`href="/debates/${slug}"`));
		await decide(mod, 'approve', id);
		assert.ok(held((await reader(srv).get(`/debates/${slug}`)).text, body), 'shown again once approved');
	});
});

describe('flag budgets', () => {
	// Fails unless r is a 429 with Retry-After, message, and the note kept.
	function assertLimited(r, message, note, what) {
		assert.equal(r.status, 429, what);
		const after = Number(r.res.headers.get('retry-after'));
		assert.ok(Number.isInteger(after) && after >= 1, `${what}: Retry-After ${r.res.headers.get('retry-after')}`);
		assert.match(formError(r.text) || '', message, what);
		assert.match(formError(r.text), new RegExp(`wait ${after} seconds?`), `${what}: the message says the same wait`);
		assert.equal(noteValue(r.text), note, `${what}: the note kept`);
	}

	test('a flood from one address gets 429 with Retry-After, the note kept; another address still flags', async () => {
		await withSite('flags_to_hold = 1000\nflags_burst = 3\nflags_per_minute = 1\n', async (srv) => {
			const slug = newArticle(srv);
			const { id } = await postComment(srv, `/articles/${slug}`);
			const ip = '198.51.100.23';
			const got = [];
			let limited = null;
			// Fresh browsers (new visitor ids) from one address.
			for (let i = 0; i < 6; i++) {
				const r = await flag(reader(srv, ip), id, { note: `flood ${i}` });
				got.push(r.status);
				if (r.status === 429 && !limited) limited = { r, note: `flood ${i}` };
			}
			assert.deepEqual(got, [303, 303, 303, 429, 429, 429]);
			assertLimited(limited.r, /^You are flagging too fast: wait \d+ seconds?, then send your flag again\.$/, limited.note, 'the flood');
			assert.equal(flagsOf(srv.db, id), 3);
			// The same subscriber's other IPv6 addresses share their /64.
			const six = ['2001:db8:7:7::1', '2001:db8:7:7::2', '2001:db8:7:7:ffff::9', '2001:db8:7:7::3'].map((v6) => reader(srv, v6));
			const sixGot = [];
			for (const a of six) sixGot.push((await flag(a, id)).status);
			assert.deepEqual(sixGot, [303, 303, 303, 429]);
			// Other addresses are not held up.
			assert.equal((await flag(reader(srv, '203.0.113.77'), id)).status, 303);
			assert.equal((await flag(reader(srv, '2001:db8:7:8::1'), id)).status, 303);
			assert.equal(flagsOf(srv.db, id), 8);
		});
	});

	test('an account has its own budget, whichever address it flags from', async () => {
		await withSite('flags_to_hold = 1000\nflags_burst = 2\nflags_per_minute = 1\n', async (srv) => {
			const slug = newArticle(srv);
			const ids = [];
			for (let i = 0; i < 3; i++) ids.push((await postComment(srv, `/articles/${slug}`)).id);
			const m = await member(srv, 'reader');
			const got = [];
			for (const id of ids) {
				m.ip = nextIp();
				got.push((await flag(m, id, { note: `from ${m.ip}` })).status);
			}
			assert.deepEqual(got, [303, 303, 429]);
			const r = await flag(m, ids[2], { note: 'kept' });
			assertLimited(r, /^You are flagging too fast/, 'kept', 'the account');
			assert.equal(Number(sql(srv.db, 'SELECT count(*) FROM comment_flags')[0][0]), 2);
		});
	});

	test('the site takes at most site_flags_per_minute from every address together', async () => {
		await withSite('flags_to_hold = 1000\nsite_flags_per_minute = 3\n', async (srv) => {
			const slug = newArticle(srv);
			const { id } = await postComment(srv, `/articles/${slug}`);
			const got = [];
			let last;
			for (let i = 0; i < 4; i++) {
				last = await flag(reader(srv), id, { note: `n${i}` });
				got.push(last.status);
			}
			assert.deepEqual(got, [303, 303, 303, 429]);
			assertLimited(last, /^The site is taking many flags just now: wait \d+ seconds?, then send your flag again\.$/, 'n3', 'the site');
			assert.equal(flagsOf(srv.db, id), 3);
		});
	});

	test('a comment keeps at most flags_per_comment flags; more are thanked, not stored', async () => {
		await withSite(`flags_to_hold = 2\nflags_per_comment = 3\n${LIFTED}`, async (srv) => {
			const mod = await member(srv, 'moderator');
			const slug = newArticle(srv);
			const { id } = await postComment(srv, `/articles/${slug}`);
			await flag(reader(srv), id);
			await flag(reader(srv), id);
			assert.equal(statusOf(srv.db, id), 'pending');
			await decide(mod, 'approve', id);
			assert.match((await flag(reader(srv), id)).location, /done=added$/);
			const a = reader(srv);
			const r = await flag(a, id);
			assert.match(r.location, /done=noted$/);
			assert.match((await a.get(r.location)).text, /the moderators have been told about this comment already/);
			assert.equal(flagsOf(srv.db, id), 3, 'no more than flags_per_comment stored');
			assert.equal(statusOf(srv.db, id), 'approved', 'one open flag of the cap');
		});
	});
});

describe('a comment its author removed', () => {
	test('has no Flag link and cannot be flagged: 404, and flags sent before do not hold it', async () => {
		await withSite(`flags_to_hold = 2\n${LIFTED}`, async (srv) => {
			const slug = newArticle(srv);
			const author = reader(srv);
			const page = await author.get(`/articles/${slug}`, via(author));
			const key = (/name="key" value="([^"]*)"/.exec(page.text) || [])[1];
			const posted = await author.post(`/articles/${slug}/comments`, {
				csrf: csrfOf(page.text), key, author: 'Ada', email: 'ada@example.org', body: unique('gone'), parent: '', website_confirm: '',
			}, via(author));
			assert.equal(posted.status, 303);
			const id = Number(/#comment-(\d+)$/.exec(posted.location)[1]);
			const first = reader(srv);
			assert.match((await flag(first, id)).location, /done=added$/);
			const late = reader(srv);
			const csrf = csrfOf((await late.get(`/comments/${id}/flag`, via(late))).text);

			const edit = await author.get(`/comments/${id}/edit`, via(author));
			const removed = await author.post(`/comments/${id}/delete`, { csrf: csrfOf(edit.text) }, via(author));
			assert.equal(removed.status, 303);

			const thread = await reader(srv).get(`/articles/${slug}`);
			assert.match(thread.text, /removed by its author/);
			assert.doesNotMatch(thread.text, new RegExp(`/comments/${id}/flag`), 'no Flag link');
			assert.equal((await late.get(`/comments/${id}/flag`, via(late))).status, 404);
			const r = await late.post(`/comments/${id}/flag`, { csrf, reason: 'spam' }, via(late));
			assert.equal(r.status, 404);
			assert.equal(flagsOf(srv.db, id), 1);
			assert.equal(statusOf(srv.db, id), 'approved', 'not held by a second reader\'s flag');
		});
	});
});
