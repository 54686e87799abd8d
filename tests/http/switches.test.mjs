// Switches that close things, and the roles that guard staff routes:
// [accounts] signup = false closes sign-up (page and form) and creates no
// account; only an admin changes roles; the last admin cannot delete their
// own account nor step down; and, driven by the route table that
// `parley routes` prints, every sign-in or role route sends an anonymous
// GET to sign in, refuses an anonymous POST and anyone below the role with
// 403, and changes nothing when it refuses.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { addArticle, formTokens, scratch, startServer } from '../lib/server.mjs';
import { Agent, csrfOf } from '../lib/identity.mjs';
import { sql, stopClean } from './util.mjs';
import { PASSWORD, addDebate, addUsers, dump, fillPattern, routeTable, signedIn, tokenOf, userId } from './routetable.mjs';

const CONFIG = '[accounts]\nsignin_per_address = 1000\nsignin_per_account = 1000\nmail_per_address = 1000\nmail_per_recipient = 1000\n';
const ROLES = ['reader', 'moderator', 'editor', 'admin'];

// The routes that must be restricted, and to whom.  The table must say
// so (a flag dropped from a row fails here), and every restricted row of
// the table is tested below, listed here or not.
const RESTRICTED = {
	'GET /account/settings': 'signin',
	'POST /account/signout-all': 'signin',
	'POST /account/settings/name': 'signin',
	'POST /account/settings/password': 'signin',
	'POST /account/settings/email': 'signin',
	'POST /account/delete': 'signin',
	'GET /desk': 'moderator',
	'GET /admin/users': 'admin',
	'POST /admin/users/role': 'admin',
	'POST /admin/users/disable': 'admin',
	'POST /debates/*/feature': 'editor',
	'GET /moderate': 'moderator',
	'POST /moderate/bulk': 'moderator',
	'GET /moderate/comments/*': 'moderator',
	'POST /moderate/comments/*/edit': 'moderator',
	'POST /moderate/ban': 'moderator',
	'GET /moderate/log': 'admin',
};

function usersCount(db) {
	return Number(sql(db, 'SELECT count(*) FROM users')[0][0]);
}

describe('[accounts] signup', () => {
	test('off: the page and the form are refused with 403 and no account is made', async () => {
		const { db } = scratch();
		addArticle(db, { slug: 'closed-signup' });
		const server = await startServer({ db, config: `${CONFIG}signup = false\n` });
		try {
			const a = new Agent(server.url);
			let r = await a.get('/account/signup');
			assert.equal(r.status, 403);
			assert.match(r.text, /Sign-ups are closed/);
			r = await a.get('/account/signin');
			assert.equal(r.status, 200);
			assert.doesNotMatch(r.text, /href="\/account\/signup/, 'no sign-up link');
			const before = usersCount(db);
			r = await a.post('/account/signup', { csrf: csrfOf(r.text), name: 'Newcomer', email: 'new@example.org', password: PASSWORD, next: '/' });
			assert.equal(r.status, 403);
			assert.match(r.text, /Sign-ups are closed/);
			assert.equal(usersCount(db), before);
			assert.equal(sql(db, "SELECT count(*) FROM users WHERE email = 'new@example.org'")[0][0], '0');
		} finally {
			await stopClean(server);
		}
	});

	test('on (the default): the form creates an account', async () => {
		const { db } = scratch();
		addArticle(db, { slug: 'open-signup' });
		const server = await startServer({ db, config: CONFIG });
		try {
			const a = new Agent(server.url);
			let r = await a.get('/account/signup');
			assert.equal(r.status, 200);
			r = await a.post('/account/signup', { csrf: csrfOf(r.text), name: 'Newcomer', email: 'new@example.org', password: PASSWORD, next: '/' });
			assert.equal(r.status, 200);
			assert.match(r.text, /Check your email/);
			assert.deepEqual(sql(db, "SELECT name, role FROM users WHERE email = 'new@example.org'"), [['Newcomer', 'reader']]);
			assert.match((await a.get('/account/signin')).text, /href="\/account\/signup/, 'a sign-up link');
		} finally {
			await stopClean(server);
		}
	});
});

describe('the last admin', () => {
	test('the last admin can neither delete their account nor step down; with a second admin they can', async () => {
		const { db: db2 } = scratch();
		addArticle(db2, { slug: 'last-admin' });
		addUsers(db2, [['only@example.org', 'Only Admin', 'admin'], ['heir@example.org', 'Heir', 'reader']]);
		const s2 = await startServer({ db: db2, config: CONFIG });
		try {
			const only = await signedIn(s2, 'only@example.org');
			const onlyId = userId(db2, 'only@example.org');
			let r = await only.post('/account/delete', { csrf: await tokenOf(only), password: PASSWORD, confirm: 'delete' });
			assert.equal(r.status, 409);
			assert.match(r.text, /only admin/);
			assert.deepEqual(sql(db2, `SELECT role FROM users WHERE id = ${onlyId}`), [['admin']]);
			assert.equal((await only.get('/admin/users')).status, 200, 'still signed in');
			r = await only.post('/admin/users/role', { csrf: await tokenOf(only), id: onlyId, role: 'editor' });
			assert.equal(r.status, 409);
			assert.deepEqual(sql(db2, `SELECT role FROM users WHERE id = ${onlyId}`), [['admin']]);

			const heir = userId(db2, 'heir@example.org');
			r = await only.post('/admin/users/role', { csrf: await tokenOf(only), id: heir, role: 'admin' });
			assert.equal(r.status, 303);
			r = await only.post('/account/delete', { csrf: await tokenOf(only), password: PASSWORD, confirm: 'delete' });
			assert.equal(r.status, 200);
			assert.equal(sql(db2, `SELECT count(*) FROM users WHERE id = ${onlyId}`)[0][0], '0');
			assert.deepEqual(sql(db2, "SELECT role FROM users WHERE role = 'admin'"), [['admin']]);
		} finally {
			await stopClean(s2);
		}
	});
});

describe('roles, and the sign-in and role flags on every restricted route of the table', () => {
	const routes = routeTable();
	const key = (r) => `${r.method} ${r.pattern}`;
	const restricted = routes.filter((r) => r.role || r.flags.has('signin') || RESTRICTED[key(r)]);
	let server, db, agents, values, fields, target;

	before(async () => {
		({ db } = scratch());
		const article = addArticle(db, { slug: 'flags-article' });
		const debate = addDebate(db, 'flags-debate');
		addUsers(db, [...ROLES.map((r) => [`${r}@example.org`, `The ${r}`, r]), ['target@example.org', 'Target User', 'reader']]);
		server = await startServer({ db, config: CONFIG });
		agents = {};
		for (const r of ROLES) agents[r] = await signedIn(server, `${r}@example.org`);
		const anon = new Agent(server.url);
		const t = formTokens((await anon.get(`/debates/${debate}`)).text);
		const r = await anon.post(`/debates/${debate}/comments`, { csrf: t.csrf, key: t.key, author: 'Ada Reader', email: 'ada@example.org', body: 'Feature me.', parent: '', side: 'a', website_confirm: '' });
		assert.equal(r.status, 303);
		const comment = sql(db, "SELECT id FROM comments WHERE body_md = 'Feature me.'")[0][0];
		target = userId(db, 'target@example.org');
		values = { articles: article, debates: debate, comments: comment, users: target };
		// What each route would change if it let the request through.
		fields = {
			'/account/settings/name': { name: 'Hijacked' },
			'/account/settings/password': { current: PASSWORD, password: 'a hijacked password' },
			'/account/settings/email': { email: 'evil@example.org', password: PASSWORD },
			'/account/delete': { password: PASSWORD, confirm: 'delete' },
			'/admin/users/role': { id: target, role: 'admin' },
			'/admin/users/disable': { id: target, disabled: '1' },
			'/debates/*/feature': { feature: comment },
			'/moderate/bulk': { action: 'trash', id: comment },
			'/moderate/comments/*/edit': { body: 'Hijacked text' },
			'/moderate/ban': { kind: 'email', value: 'victim@example.org', days: '0' },
		};
	});
	after(async () => {
		await stopClean(server);
	});

	test('only an admin changes a role', async () => {
		for (const r of ['reader', 'moderator', 'editor']) {
			const a = agents[r];
			const res = await a.post('/admin/users/role', { csrf: await tokenOf(a), id: target, role: 'admin' });
			assert.equal(res.status, 403, `a ${r}`);
			assert.match(res.text, /This page is for the site/, `a ${r} is refused for the role, not the token`);
			assert.equal(sql(db, `SELECT role FROM users WHERE id = ${target}`)[0][0], 'reader', `after a ${r} tried`);
			// A reader cannot raise their own role either.
			const self = userId(db, `${r}@example.org`);
			assert.equal((await a.post('/admin/users/role', { csrf: await tokenOf(a), id: self, role: 'admin' })).status, 403);
			assert.equal(sql(db, `SELECT role FROM users WHERE id = ${self}`)[0][0], r);
		}
		const anon = new Agent(server.url);
		assert.equal((await anon.post('/admin/users/role', { csrf: await tokenOf(anon), id: target, role: 'admin' })).status, 403);
		assert.equal(sql(db, `SELECT role FROM users WHERE id = ${target}`)[0][0], 'reader');

		const admin = agents.admin;
		let res = await admin.post('/admin/users/role', { csrf: await tokenOf(admin), id: target, role: 'editor' });
		assert.equal(res.status, 303);
		assert.equal(sql(db, `SELECT role FROM users WHERE id = ${target}`)[0][0], 'editor');
		res = await admin.post('/admin/users/role', { csrf: await tokenOf(admin), id: target, role: 'reader' });
		assert.equal(res.status, 303);
		assert.equal(sql(db, `SELECT role FROM users WHERE id = ${target}`)[0][0], 'reader');
	});

	test('the table restricts each route the site promises to restrict', () => {
		for (const [k, need] of Object.entries(RESTRICTED)) {
			const row = routes.find((r) => key(r) === k);
			assert.ok(row, `${k} is in the table`);
			if (need === 'signin')
				assert.ok(row.flags.has('signin') || row.role, `${k} needs sign-in`);
			else
				assert.equal(row.role, need, `${k} is for ${need}s`);
		}
	});

	for (const route of restricted) {
		const need = route.role || RESTRICTED[key(route)] || 'signin';
		const below = need === 'signin' ? [] : ROLES.slice(0, ROLES.indexOf(need));
		const allowed = need === 'signin' ? ROLES : ROLES.slice(ROLES.indexOf(need));
		const through = route.method === 'POST' && need === 'signin' ? '' : `; ${allowed.join(', ')} let through`;
		test(`${key(route)}: anonymous ${route.method === 'GET' ? 'sent to sign in' : '403'}; ${below.join(', ') || 'nobody else'} 403${through}`, async () => {
			const path = fillPattern(route.pattern, values);
			const form = fields[route.pattern] || {};
			const before = dump(db);
			const anon = new Agent(server.url);
			if (route.method === 'GET') {
				const r = await anon.get(path);
				assert.equal(r.status, 303, `anonymous GET ${path}`);
				assert.equal(new URL(r.location).pathname + new URL(r.location).search, `/account/signin?next=${encodeURIComponent(path)}`);
			} else {
				const r = await anon.post(path, { ...form, csrf: await tokenOf(anon) });
				assert.equal(r.status, 403, `anonymous POST ${path}`);
				assert.match(r.text, /Please sign in first/, `anonymous POST ${path}: refused for sign-in, not the token`);
			}
			for (const role of below) {
				const a = agents[role];
				const r = route.method === 'GET' ? await a.get(path) : await a.post(path, { ...form, csrf: await tokenOf(a) });
				assert.equal(r.status, 403, `${role}: ${route.method} ${path}`);
				assert.match(r.text, /This page is for the site/, `${role}: ${route.method} ${path}: refused for the role`);
			}
			assert.equal(dump(db), before, `${key(route)}: a refused request changed the database`);
			// Those with the role get through: a page, or the handler's
			// answer to an empty form (a signed-in POST with an empty form
			// may still act, as sign out everywhere does, so it is left out).
			for (const role of allowed) {
				if (route.method === 'POST' && need === 'signin') continue;
				const a = agents[role];
				const r = route.method === 'GET' ? await a.get(path) : await a.post(path, { csrf: await tokenOf(a) });
				if (route.method === 'GET') assert.equal(r.status, 200, `${role}: GET ${path}`);
				else assert.equal(r.status, 422, `${role}: POST ${path} with an empty form`);
				assert.doesNotMatch(r.text, /This page is for the site|Please sign in first/, `${role}: ${route.method} ${path}`);
			}
		});
	}
});
