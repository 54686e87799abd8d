// CSRF on every state-changing route, driven by the route table that
// `parley routes` prints, so a new POST route cannot be forgotten: every
// POST route carries the csrf flag, and for each one a signed-in admin's
// request with no token, another visitor's token, or its own token with
// the last character changed is refused with 403 and changes nothing in
// the database.  And the token check itself: a token cut short, one with
// characters added, or one differing only in its last character is refused.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { addArticle, formTokens, scratch, startServer } from '../lib/server.mjs';
import { Agent, csrfOf } from '../lib/identity.mjs';
import { sql, stopClean } from './util.mjs';
import { PASSWORD, addDebate, addUsers, dump, fillPattern, routeTable, signedIn, tokenOf, userId } from './routetable.mjs';

const CONFIG = '[accounts]\nsignin_per_address = 1000\nsignin_per_account = 1000\nmail_per_address = 1000\nmail_per_recipient = 1000\n';

// The same token with its last character changed.
function lastChanged(t) {
	return t.slice(0, -1) + (t.endsWith('A') ? 'B' : 'A');
}

describe('CSRF on every POST route of the table', () => {
	const routes = routeTable();
	const posts = routes.filter((r) => r.method === 'POST');
	let server, db, admin, foreign, fx;

	before(async () => {
		({ db } = scratch());
		const article = addArticle(db, { slug: 'csrf-article', title: 'CSRF Article' });
		const debate = addDebate(db, 'csrf-debate');
		addUsers(db, [['admin@example.org', 'Site Admin', 'admin'], ['plain@example.org', 'Plain Reader', 'reader']]);
		server = await startServer({ db, config: CONFIG });
		admin = await signedIn(server, 'admin@example.org');
		foreign = await tokenOf(new Agent(server.url));

		// A debate comment to feature, made the honest way.
		let r = await admin.get(`/debates/${debate}`);
		const t = formTokens(r.text);
		r = await admin.post(`/debates/${debate}/comments`, { csrf: t.csrf, key: t.key, body: 'A comment worth featuring.', parent: '', side: 'a', website_confirm: '' });
		assert.equal(r.status, 303, 'a debate comment with a good token');
		const debateComment = sql(db, "SELECT id FROM comments WHERE body_md = 'A comment worth featuring.'")[0][0];
		const statement = sql(db, 'SELECT min(id) FROM debate_statements')[0][0];
		const articleForm = formTokens((await admin.get(`/articles/${article}`)).text);
		fx = {
			values: { articles: article, debates: debate, comments: debateComment, users: userId(db, 'admin@example.org') },
			readerId: userId(db, 'plain@example.org'),
			statement, debateComment, articleKey: articleForm.key,
		};
	});
	after(async () => {
		await stopClean(server);
	});

	// For each route, a form that would change something if the token
	// were not checked, so "changes nothing" means something.
	function fieldsFor(pattern) {
		const comment = { key: fx.articleKey, author: 'Mallory', email: 'mallory@example.org', url: '', body: 'A forged comment.', parent: '', website_confirm: '' };
		const known = {
			'/articles/*/comments': comment,
			'/debates/*/vote': { phase: 'pre', choice: 'a' },
			'/debates/*/minds': { item: `s${fx.statement}`, back: '' },
			'/debates/*/comments': { ...comment, side: 'b' },
			'/debates/*/feature': { feature: fx.debateComment },
			// The admin wrote fx.debateComment just now: theirs to change.
			'/comments/*/edit': { body: 'A forged edit.' },
			'/comments/*/delete': {},
			'/comments/*/flag': { reason: 'spam', note: 'A forged flag.' },
			'/account/signin': { email: 'admin@example.org', password: PASSWORD },
			'/account/signup': { name: 'Forged', email: 'forged@example.org', password: PASSWORD },
			'/account/signout': {},
			'/account/signout-all': {},
			'/account/reset': { email: 'admin@example.org' },
			'/account/reset/password': { token: 'A'.repeat(43), password: 'a hijacked password' },
			'/account/settings/name': { name: 'Hijacked' },
			'/account/settings/password': { current: PASSWORD, password: 'a hijacked password' },
			'/account/settings/email': { email: 'evil@example.org', password: PASSWORD },
			'/account/delete': { password: PASSWORD, confirm: 'delete' },
			'/account/setup': { token: 'A'.repeat(43), name: 'Forged Admin', email: 'setup@example.org', password: PASSWORD },
			'/account/link': {},
			'/account/verify': { token: 'A'.repeat(43) },
			'/account/email': { token: 'A'.repeat(43) },
			'/admin/users/role': { id: fx.readerId, role: 'admin' },
			'/admin/users/disable': { id: fx.readerId, disabled: '1' },
			'/moderate/bulk': { action: 'trash', id: fx.debateComment },
			'/moderate/comments/*/edit': { body: 'A forged edit.' },
			'/moderate/ban': { kind: 'email', value: 'victim@example.org', days: '0' },
		};
		return known[pattern];
	}

	test('every POST route in the table carries the csrf and form flags', () => {
		assert.ok(posts.length >= 19, `POST routes: ${posts.map((r) => r.pattern).join(' ')}`);
		for (const r of posts) {
			assert.ok(r.flags.has('csrf'), `POST ${r.pattern} has no csrf flag`);
			assert.ok(r.flags.has('form'), `POST ${r.pattern} has no form flag`);
		}
	});

	for (const route of posts) {
		test(`POST ${route.pattern}: no token, another visitor's, a changed one: 403, nothing changes`, async () => {
			const path = fillPattern(route.pattern, fx.values);
			const own = await tokenOf(admin);
			const fields = fieldsFor(route.pattern);
			assert.ok(fields, `POST ${route.pattern}: this test has no forged form for it yet`);
			const before = dump(db);
			for (const [what, csrf] of [['no token', undefined], ["another visitor's token", foreign], ['the last character changed', lastChanged(own)]]) {
				const form = csrf === undefined ? fields : { ...fields, csrf };
				const r = await admin.post(path, form);
				assert.equal(r.status, 403, `POST ${path} with ${what}: ${r.status} ${r.text.slice(0, 200)}`);
				assert.match(r.text, /did not come from this site/, `POST ${path} with ${what}: refused for its token`);
			}
			assert.equal(dump(db), before, `POST ${path}: the database changed`);
			// Not signed out either: sign-out is a state change too.
			assert.equal((await admin.get('/admin/users')).status, 200, `POST ${path}: the admin was signed out`);
			assert.equal(sql(db, `SELECT role, disabled FROM users WHERE id = ${fx.readerId}`)[0].join(' '), 'reader 0');
			assert.equal(sql(db, "SELECT count(*) FROM comments WHERE body_md = 'A forged comment.'")[0][0], '0');
		});
	}
});

describe('the token check', () => {
	test('a token cut short, lengthened, or with its last character changed is refused; the right one is taken', async () => {
		const { db } = scratch();
		const slug = addArticle(db, { slug: 'token-article', title: 'Token Article' });
		const server = await startServer({ db });
		try {
			const a = new Agent(server.url);
			const page = await a.get(`/articles/${slug}`);
			const { csrf, key } = formTokens(page.text);
			assert.match(csrf, /^[A-Za-z0-9_-]{43}$/, 'a 256-bit token, base64url');
			const form = { key, author: 'Ada Reader', email: 'ada@example.org', url: '', body: 'Checked token.', parent: '', website_confirm: '' };
			const bad = [
				['the last character changed', lastChanged(csrf)],
				['the first character changed', (csrf[0] === 'A' ? 'B' : 'A') + csrf.slice(1)],
				['cut short by one', csrf.slice(0, -1)],
				['cut to 8 characters', csrf.slice(0, 8)],
				['one character added', `${csrf}A`],
				['the token twice', csrf + csrf],
				['empty', ''],
			];
			for (const [what, t] of bad) {
				const r = await a.post(`/articles/${slug}/comments`, { ...form, csrf: t });
				assert.equal(r.status, 403, `a token with ${what}`);
			}
			assert.equal(sql(db, 'SELECT count(*) FROM comments')[0][0], '0', 'no comment stored');
			const r = await a.post(`/articles/${slug}/comments`, { ...form, csrf });
			assert.equal(r.status, 303, 'the right token');
			assert.equal(sql(db, "SELECT count(*) FROM comments WHERE body_md = 'Checked token.'")[0][0], '1');
			// A token is bound to the visitor cookie it was made for.
			const b = new Agent(server.url);
			await b.get(`/articles/${slug}`);
			const r2 = await b.post(`/articles/${slug}/comments`, { ...form, body: 'Borrowed token.', csrf });
			assert.equal(r2.status, 403, "another visitor's token");
			assert.equal(csrfOf((await b.get(`/articles/${slug}`)).text) === csrf, false, 'each visitor has a token of their own');
		} finally {
			await stopClean(server);
		}
	});
});
