// Who wrote a comment, and what staff see on every page.
//
// Badges: a comment by a signed-in member carries a "Member" badge (a link
// to their profile when their address is confirmed, profiles being for
// confirmed accounts only), one by a moderator, editor or admin a "Staff"
// badge; an anonymous comment none, whatever name it was posted under, and
// the name or email of a member stays refused to anonymous commenters.  The
// badge is the account's role when the page is made, so a demoted or
// disabled author loses it on the next page view: the change drops the
// cached pages of their comments.  Articles and debates share the one
// comment template.
//
// "N pending": every page a moderator or admin sees while signed in shows
// how many comments wait in the queue; a reader or a visitor never sees
// it, a staff page is never kept in the cache, and a reader's cached page
// is never served to staff.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	Browser, fieldError, formTokens, newArticle, newDebate, parley, site, sql, stopClean, unique,
} from './util.mjs';
import { Agent, csrfOf, signIn } from '../lib/identity.mjs';

const PASSWORD = 'correct horse battery';
const HOLD = 'holdthisplease';

let srv;
// Signed-in agents and their accounts: { a, id, name, email }.
let admin, mod, member;

async function account(role, name = unique(`A ${role}`)) {
	const email = `${unique(role)}@example.org`;
	const r = parley(['user', 'add', email, name, role, '--db', srv.db], { input: `${PASSWORD}\n` });
	assert.equal(r.status, 0, r.stderr);
	const a = new Agent(srv.url);
	await signIn(a, email, PASSWORD);
	const id = Number(sql(srv.db, `SELECT id FROM users WHERE email = '${email}'`)[0][0]);
	return { a, id, name, email };
}

before(async () => {
	srv = await site({ articles: [], config: `[moderation]\nhold_words = ${HOLD}\n` });
	admin = await account('admin');
	mod = await account('moderator');
	member = await account('reader');
});
after(() => stopClean(srv));

// The two kinds of page with a discussion (one comment template).
const KINDS = [
	{ name: 'article', make: () => newArticle(srv), path: (s) => `/articles/${s}`, fields: {} },
	{ name: 'debate', make: () => newDebate(srv, { motion: `${unique('Should badges show')}?` }), path: (s) => `/debates/${s}`, fields: { side: 'a' } },
];

// Posts a comment from a signed-in agent on kind's page; resolves to its id.
async function signedComment(who, kind, slug, body = unique('Signed')) {
	const page = await who.a.get(kind.path(slug));
	assert.equal(page.status, 200);
	const t = formTokens(page.text);
	const r = await who.a.post(`${kind.path(slug)}/comments`, {
		csrf: t.csrf, key: t.key, body, parent: '', website_confirm: '', ...kind.fields,
	});
	assert.equal(r.status, 303, r.text.slice(0, 400));
	const id = Number(/#comment-(\d+)$/.exec(r.location)[1]);
	return id;
}

// Posts an anonymous comment; resolves to { status, id, text }.
async function anonComment(kind, slug, fields = {}, br = new Browser(srv.url)) {
	const { text } = await br.get(kind.path(slug));
	const t = formTokens(text);
	const form = new URLSearchParams({
		csrf: t.csrf, key: t.key, author: 'Ada Reader', email: 'ada@example.org', url: '',
		body: unique('Anon'), parent: '', website_confirm: '', ...kind.fields, ...fields,
	});
	const { res, text: out } = await br.post(`${kind.path(slug)}/comments`, form);
	const loc = res.headers.get('location');
	const m = loc && /#comment-(\d+)$/.exec(loc);
	return { status: res.status, id: m ? Number(m[1]) : null, text: out };
}

// The badge markup of comment id in a page: '' when it has none.
function badgeOf(html, id) {
	const at = html.indexOf(`" id="comment-${id}">`);
	assert.ok(at > 0, `comment ${id} is on the page`);
	const meta = /<header class="comment-meta">([\s\S]*?)<\/header>/.exec(html.slice(at))[1];
	const m = /<(a|span) class="badge author-badge [^"]*"[^>]*>[^<]*<\/\1>/.exec(meta);
	return m ? m[0] : '';
}

// A page as a visitor who has no cookie at all: { text, cache }.
async function anonGet(path) {
	const r = await fetch(srv.url + path);
	return { status: r.status, text: await r.text(), cache: r.headers.get('x-cache') };
}

async function adminForm(path, fields) {
	const page = await admin.a.get('/admin/users');
	assert.equal(page.status, 200);
	const r = await admin.a.post(path, { csrf: csrfOf(page.text), ...fields });
	assert.equal(r.status, 303, r.text.slice(0, 400));
}

const setRole = (who, role) => adminForm('/admin/users/role', { id: String(who.id), role });
const setDisabled = (who, on) => adminForm('/admin/users/disable', { id: String(who.id), disabled: on ? '1' : '0' });

describe('badges', () => {
	for (const kind of KINDS) {
		test(`on ${kind.name}s: a member's comment shows a member badge linking to their profile, staff's a staff badge, an anonymous one none`, async () => {
			const slug = kind.make();
			const mine = await signedComment(member, kind, slug);
			const staffs = await signedComment(mod, kind, slug);
			const admins = await signedComment(admin, kind, slug);
			// An anonymous commenter who calls themselves staff is not.
			const anon = await anonComment(kind, slug, { author: 'Staff' });
			assert.equal(anon.status, 303, anon.text.slice(0, 300));
			for (const view of [await anonGet(kind.path(slug)), await anonGet(kind.path(slug))]) {
				assert.equal(badgeOf(view.text, mine),
					`<a class="badge author-badge member-badge" href="/users/${member.id}">Member</a>`);
				assert.equal(badgeOf(view.text, staffs),
					`<a class="badge author-badge staff-badge" href="/users/${mod.id}">Staff</a>`);
				assert.match(badgeOf(view.text, admins), /staff-badge[^>]*>Staff</);
				assert.equal(badgeOf(view.text, anon.id), '');
			}
			// The badge links to a profile that exists.
			assert.equal((await anonGet(`/users/${member.id}`)).status, 200);
		});

		test(`on ${kind.name}s: a demoted moderator loses the staff badge on the next view, a disabled member their badge (cached pages dropped)`, async () => {
			const slug = kind.make();
			const who = await account('moderator');
			const plain = await account('reader');
			const c = await signedComment(who, kind, slug);
			const p = await signedComment(plain, kind, slug);
			await anonGet(kind.path(slug));
			const cached = await anonGet(kind.path(slug));
			assert.equal(cached.cache, 'hit', 'the page is cached before the change');
			assert.match(badgeOf(cached.text, c), />Staff</);
			await setRole(who, 'reader');
			const after = await anonGet(kind.path(slug));
			assert.notEqual(after.cache, 'hit', 'the change dropped the page');
			assert.match(badgeOf(after.text, c), /member-badge[^>]*>Member</);
			assert.match(badgeOf(after.text, p), />Member</);
			// Promoted again: staff again; disabled: no badge at all.
			await setRole(who, 'editor');
			assert.match(badgeOf((await anonGet(kind.path(slug))).text, c), />Staff</);
			await setDisabled(plain, true);
			assert.equal(badgeOf((await anonGet(kind.path(slug))).text, p), '');
			await setDisabled(plain, false);
			assert.match(badgeOf((await anonGet(kind.path(slug))).text, p), />Member</);
		});
	}

	test('`parley user role` beside a running server: the badge follows (another process\'s write drops the cache)', async () => {
		const kind = KINDS[0];
		const slug = kind.make();
		const who = await account('editor');
		const c = await signedComment(who, kind, slug);
		await anonGet(kind.path(slug));
		const cached = await anonGet(kind.path(slug));
		assert.equal(cached.cache, 'hit');
		assert.match(badgeOf(cached.text, c), />Staff</);
		const r = parley(['user', 'role', who.email, 'reader', '--db', srv.db]);
		assert.equal(r.status, 0, r.stderr);
		let badge = '';
		for (let i = 0; i < 100 && !/>Member</.test(badge); i++) {
			await new Promise((res) => setTimeout(res, 50));
			badge = badgeOf((await anonGet(kind.path(slug))).text, c);
		}
		assert.match(badge, /member-badge[^>]*>Member</);
	});

	test('an account whose address is not confirmed gets a badge without a profile link', async () => {
		const kind = KINDS[0];
		const who = await account('reader');
		sql(srv.db, `UPDATE users SET email_verified = 0 WHERE id = ${who.id}`);
		const slug = kind.make();
		// Posted after the change: its page is made now, with the account as it is.
		const c = await signedComment(who, kind, slug);
		const page = await anonGet(kind.path(slug));
		assert.equal(badgeOf(page.text, c), '<span class="badge author-badge member-badge">Member</span>');
		assert.equal((await anonGet(`/users/${who.id}`)).status, 404);
	});

	test('an anonymous commenter cannot take a member\'s or a moderator\'s name or email, and gets no badge', async () => {
		const kind = KINDS[0];
		const slug = kind.make();
		for (const who of [member, mod]) {
			const byName = await anonComment(kind, slug, { author: who.name.toUpperCase(), email: 'other@example.org' });
			assert.equal(byName.status, 422);
			assert.match(fieldError(byName.text, 'author'), /belongs to a member of this site/);
			const byEmail = await anonComment(kind, slug, { author: unique('Someone'), email: who.email });
			assert.equal(byEmail.status, 422);
			assert.match(fieldError(byEmail.text, 'email'), /belongs to a member of this site/);
		}
		const ok = await anonComment(kind, slug, { author: 'Member', email: 'fine@example.org' });
		assert.equal(ok.status, 303);
		assert.equal(badgeOf((await anonGet(kind.path(slug))).text, ok.id), '');
	});
});

describe('"N pending" on every staff page', () => {
	let slug, debate;
	const pending = () => Number(sql(srv.db, "SELECT count(*) FROM comments WHERE status = 'pending'")[0][0]);
	const shown = (html) => {
		const m = /<a class="mod-pending" href="\/moderate">(\d+) pending<\/a>/.exec(html);
		return m ? Number(m[1]) : null;
	};

	before(async () => {
		slug = newArticle(srv);
		debate = newDebate(srv, { motion: `${unique('Should the queue show')}?` });
		for (let i = 0; i < 3; i++) {
			const r = await anonComment(KINDS[0], slug, { body: `${HOLD} ${unique('held')}` });
			assert.equal(r.status, 303);
		}
		assert.ok(pending() >= 3);
	});

	// Every page a signed-in moderator can see, and the admin's own.
	const staffPages = () => [
		'/', '/?page=1', `/articles/${slug}`, '/debates', `/debates/${debate}`,
		'/account/settings', '/account/signout', `/users/${member.id}`, '/desk',
		'/moderate', '/moderate?status=spam', '/no-such-page', '/articles/no-such-article',
	];
	const adminPages = () => ['/admin/users', '/moderate/log'];

	test('a moderator sees the count on each page, an admin on theirs too', async () => {
		const n = pending();
		for (const path of staffPages()) {
			for (const who of [mod, admin]) {
				const r = await who.a.get(path);
				assert.ok([200, 404].includes(r.status), `${path}: ${r.status}`);
				assert.equal(shown(r.text), n, `${path} shows "${n} pending"`);
				assert.notEqual(r.res.headers.get('x-cache'), 'hit', `${path}: not from the cache`);
			}
		}
		for (const path of adminPages()) {
			const r = await admin.a.get(path);
			assert.equal(r.status, 200, path);
			assert.equal(shown(r.text), n, path);
		}
		// A page refused to a moderator is theirs too.
		const refused = await mod.a.get('/moderate/log');
		assert.equal(refused.status, 403);
		assert.equal(shown(refused.text), n, '/moderate/log (403)');
		// The count follows the queue.
		await anonComment(KINDS[0], slug, { body: `${HOLD} ${unique('one more')}` });
		assert.equal(shown((await mod.a.get('/debates')).text), n + 1);
	});

	test('a reader and a visitor never see it, before and after a moderator\'s views, nor get a staff page from the cache', async () => {
		// A write drops the cached pages: the moderator comes first.
		await anonComment(KINDS[0], slug);
		const paths = ['/', `/articles/${slug}`, `/debates/${debate}`, '/debates', '/no-such-page', `/users/${member.id}`];
		for (const path of paths) {
			const staff = await mod.a.get(path);
			assert.ok(shown(staff.text) !== null, `${path}: the moderator sees the count`);
			for (let i = 0; i < 2; i++) {
				const anon = await anonGet(path);
				assert.equal(shown(anon.text), null, `${path}: a visitor sees no count`);
				assert.doesNotMatch(anon.text, /mod-pending/);
				const r = await member.a.get(path);
				assert.equal(shown(r.text), null, `${path}: a reader sees no count`);
				assert.doesNotMatch(r.text, /mod-pending/);
			}
			// The readers' page is cached now; staff still get their own.
			const again = await mod.a.get(path);
			assert.ok(shown(again.text) !== null, `${path}: not the readers' cached page`);
			assert.notEqual(again.res.headers.get('x-cache'), 'hit', path);
		}
		const home = await anonGet('/');
		assert.equal(home.cache, 'hit', 'the front page is cached for visitors');
		assert.equal(shown(home.text), null);
	});

	test('a moderator demoted to reader stops seeing it at once', async () => {
		const who = await account('moderator');
		assert.ok(shown((await who.a.get('/')).text) !== null);
		await setRole(who, 'reader');
		const r = await who.a.get('/');
		assert.equal(shown(r.text), null);
		await setRole(who, 'moderator');
		assert.ok(shown((await who.a.get('/')).text) !== null);
	});
});
