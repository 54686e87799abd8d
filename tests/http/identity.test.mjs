// Password accounts against a real SMTP sink: sign up, verify by the
// emailed link, sign in, comment as that user, sign out; password reset,
// settings, deletion, sign out everywhere; roles and the CLI; and the
// refusals: CSRF on every account form, session fixation, staff pages,
// too many attempts (429 with Retry-After), no account enumeration,
// hostile input in every account field, the signin policy.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { parley, scratch, startServer, addArticle, BIN } from '../lib/server.mjs';
import {
	smtpSink, linkIn, Agent, csrfOf, identityConfig, identitySite, signUpAndIn, signIn, comment, useLink,
} from '../lib/identity.mjs';
import { sql, assertNoActiveContent, assertNotRaw, stopClean } from './util.mjs';

const PASSWORD = 'correct horse battery';

describe('password accounts', () => {
	let smtp, site, server;

	before(async () => {
		smtp = await smtpSink();
		site = await identitySite(identityConfig({ smtp }));
		server = site.server;
	});
	after(async () => {
		await stopClean(server);
		await smtp.close();
	});

	test('sign up, verify by email, sign in, comment as the user, sign out', async () => {
		const a = new Agent(server.url);
		let r = await a.get('/account/signup');
		assert.equal(r.status, 200);
		r = await a.post('/account/signup', { csrf: csrfOf(r.text), name: 'Ada Lovelace', email: 'ada@example.org', password: PASSWORD, next: '/' });
		assert.equal(r.status, 200);
		assert.match(r.text, /Check your email/);
		const mail = await smtp.waitFor((m) => m.to.includes('ada@example.org'));
		assert.match(mail.subject, /Confirm your email/);
		assert.equal(mail.headers['content-type'], 'text/plain; charset=utf-8');
		assert.equal(mail.from, 'parley@example.org');
		let link = linkIn(mail, '/account/verify');
		assert.ok(link.startsWith(server.url), 'the link is built from the site address');

		// Before verification, the password is right but sign-in waits,
		// and a new link replaces the first.
		r = await a.get('/account/signin');
		r = await a.post('/account/signin', { csrf: csrfOf(r.text), email: 'ada@example.org', password: PASSWORD });
		assert.equal(r.status, 403);
		assert.match(r.text, /confirm your email/i);
		const again = await smtp.waitFor((m) => m.to.includes('ada@example.org') && m !== mail);
		assert.equal((await a.get(link)).status, 404, 'the first link was replaced');
		link = linkIn(again, '/account/verify');

		r = await useLink(a, link);
		assert.equal(r.status, 303);
		assert.match(r.location, /done=verified/);
		// The link works once.
		assert.equal((await a.get(link)).status, 404);

		r = await signIn(a, 'ada@example.org', PASSWORD, `/articles/${site.slug}#respond`);
		assert.equal(new URL(r.location).pathname, `/articles/${site.slug}`);
		const session = r.res.headers.getSetCookie().find((c) => c.startsWith('parley_s='));
		assert.match(session, /HttpOnly/);
		assert.match(session, /SameSite=Lax/);
		assert.doesNotMatch(session, /Secure/, 'no Secure flag on plain http');

		r = await a.get(`/articles/${site.slug}`);
		assert.match(r.text, /You are commenting as <a href="\/users\/\d+">Ada Lovelace<\/a> · <a href="\/account\/signout\?next=[^"]+">Log out<\/a> \/ <a href="\/account\/signin\?next=[^"]+">Change<\/a>/);
		assert.doesNotMatch(r.text, /id="author"/, 'no name field for a signed-in reader');

		r = await comment(a, site.slug, 'Written while signed in.');
		assert.equal(r.status, 303);
		const rows = sql(site.db, "SELECT c.author, c.email, u.name FROM comments c JOIN users u ON u.id = c.user_id WHERE c.body_md = 'Written while signed in.'");
		assert.deepEqual(rows, [['Ada Lovelace', 'ada@example.org', 'Ada Lovelace']]);

		// The cached page stays shared: another reader sees the fields, not Ada.
		const other = new Agent(server.url);
		r = await other.get(`/articles/${site.slug}`);
		assert.match(r.text, /Written while signed in\./);
		assert.doesNotMatch(r.text, /You are commenting as/);
		assert.match(r.text, /id="author"/);

		// The profile lists the comment.
		const uid = sql(site.db, "SELECT id FROM users WHERE email = 'ada@example.org'")[0][0];
		r = await other.get(`/users/${uid}`);
		assert.equal(r.status, 200);
		assert.match(r.text, /Written while signed in\./);

		// Sign out: through the confirmation page, with the token.
		r = await a.get(`/account/signout?next=/articles/${site.slug}`);
		assert.match(r.text, /Sign out/);
		r = await a.post('/account/signout', { csrf: csrfOf(r.text), next: `/articles/${site.slug}` });
		assert.equal(r.status, 303);
		assert.equal(a.cookie('parley_s'), undefined);
		r = await a.get(`/articles/${site.slug}`);
		assert.doesNotMatch(r.text, /You are commenting as/);
		assert.equal((await a.get('/account/settings')).status, 303);
	});

	test('the same answers whether or not an account exists', async () => {
		await signUpAndIn(server, smtp, { name: 'Known', email: 'known@example.org' });
		const a = new Agent(server.url);
		let r = await a.get('/account/signup');
		const csrf = csrfOf(r.text);
		const strip = (t, email) => t.replaceAll(email, 'EMAIL').replace(/value="[^"]*"/g, '');
		const taken = await a.post('/account/signup', { csrf, name: 'Again', email: 'known@example.org', password: PASSWORD });
		const fresh = await a.post('/account/signup', { csrf, name: 'New', email: 'fresh-one@example.org', password: PASSWORD });
		assert.equal(taken.status, fresh.status);
		assert.equal(strip(taken.text, 'known@example.org'), strip(fresh.text, 'fresh-one@example.org'));
		// The owner is told by email instead.
		const note = await smtp.waitFor((m) => m.to.includes('known@example.org') && /Your account/.test(m.subject));
		assert.match(note.text, /already has one/);

		const wrong = await a.post('/account/signin', { csrf, email: 'known@example.org', password: 'not the password' });
		const nobody = await a.post('/account/signin', { csrf, email: 'nobody@example.org', password: 'not the password' });
		assert.equal(wrong.status, 403);
		assert.equal(nobody.status, 403);
		assert.equal(strip(wrong.text, 'known@example.org'), strip(nobody.text, 'nobody@example.org'));

		const reset1 = await a.post('/account/reset', { csrf, email: 'known@example.org' });
		const reset2 = await a.post('/account/reset', { csrf, email: 'nobody@example.org' });
		assert.equal(reset1.status, 200);
		assert.equal(reset1.text, reset2.text);
	});

	test('password reset by email ends every session', async () => {
		const a = await signUpAndIn(server, smtp, { name: 'Forgetful', email: 'forget@example.org' });
		const b = new Agent(server.url);
		let r = await b.get('/account/reset');
		r = await b.post('/account/reset', { csrf: csrfOf(r.text), email: 'forget@example.org' });
		const mail = await smtp.waitFor((m) => m.to.includes('forget@example.org') && /Reset/.test(m.subject));
		const link = linkIn(mail, '/account/reset');
		r = await b.get(link);
		assert.equal(r.status, 200);
		const token = /name="token" value="([^"]+)"/.exec(r.text)[1];
		r = await b.post('/account/reset/password', { csrf: csrfOf(r.text), token, password: 'short' });
		assert.equal(r.status, 422);
		r = await b.post('/account/reset/password', { csrf: csrfOf(r.text), token, password: 'a brand new password' });
		assert.equal(r.status, 303);
		assert.equal((await b.get('/account/settings')).status, 200, 'signed in after the reset');
		assert.equal((await a.get('/account/settings')).status, 303, 'the old session ended');
		assert.equal((await b.get(link)).status, 404, 'the link works once');
		await signIn(new Agent(server.url), 'forget@example.org', 'a brand new password');
	});

	test('settings: name (on comments too), password, email, sign out everywhere', async () => {
		const a = await signUpAndIn(server, smtp, { name: 'Old Name', email: 'settings@example.org' });
		const b = new Agent(server.url);
		await signIn(b, 'settings@example.org', PASSWORD);
		assert.equal((await comment(a, site.slug, 'A comment before renaming.')).status, 303);
		let r = await a.get('/account/settings');
		const csrf = csrfOf(r.text);
		r = await a.post('/account/settings/name', { csrf, name: 'New Name' });
		assert.equal(r.status, 303);
		assert.deepEqual(sql(site.db, "SELECT c.author FROM comments c JOIN users u ON u.id = c.user_id WHERE u.email = 'settings@example.org'"), [['New Name']]);
		r = await a.get(`/articles/${site.slug}`);
		assert.match(r.text, /New Name/);
		assert.doesNotMatch(r.text, /Old Name/, 'the cached page was dropped');

		r = await a.post('/account/settings/password', { csrf, current: 'wrong', password: 'another password' });
		assert.equal(r.status, 403);
		r = await a.post('/account/settings/password', { csrf, current: PASSWORD, password: 'another password' });
		assert.equal(r.status, 303);
		assert.equal((await b.get('/account/settings')).status, 303, 'other sessions end');
		r = await a.get('/account/settings');
		assert.equal(r.status, 200, 'this browser stays signed in');

		// Signed in again: the browser has a new visitor id, so a new token.
		r = await a.post('/account/settings/email', { csrf: csrfOf(r.text), email: 'moved@example.org', password: 'another password' });
		assert.equal(r.status, 303);
		const mail = await smtp.waitFor((m) => m.to.includes('moved@example.org'));
		r = await useLink(a, linkIn(mail, '/account/email'));
		assert.equal(r.status, 303);
		assert.equal(sql(site.db, "SELECT count(*) FROM users WHERE email = 'moved@example.org'")[0][0], '1');
		await smtp.waitFor((m) => m.to.includes('settings@example.org') && /was changed/.test(m.subject));

		await signIn(b, 'moved@example.org', 'another password');
		r = await a.get('/account/settings');
		r = await a.post('/account/signout-all', { csrf: csrfOf(r.text) });
		assert.equal(r.status, 303);
		assert.equal((await b.get('/account/settings')).status, 303);
		assert.equal((await a.get('/account/settings')).status, 303);
	});

	test('deleting an account anonymises its comments', async () => {
		const a = await signUpAndIn(server, smtp, { name: 'Leaving Soon', email: 'leaving@example.org' });
		assert.equal((await comment(a, site.slug, 'A comment from someone leaving.')).status, 303);
		let r = await a.get('/account/settings');
		r = await a.post('/account/delete', { csrf: csrfOf(r.text), password: PASSWORD, confirm: 'nope' });
		assert.equal(r.status, 403);
		r = await a.post('/account/delete', { csrf: csrfOf(r.text), password: PASSWORD, confirm: 'delete' });
		assert.equal(r.status, 200);
		assert.equal(sql(site.db, "SELECT count(*) FROM users WHERE email = 'leaving@example.org'")[0][0], '0');
		assert.deepEqual(sql(site.db, "SELECT author, email, coalesce(CAST(user_id AS text), 'null') FROM comments WHERE body_md = 'A comment from someone leaving.'"),
			[['Former member', '', 'null']]);
		r = await a.get(`/articles/${site.slug}`);
		assert.doesNotMatch(r.text, /Leaving Soon/);
		assert.match(r.text, /A comment from someone leaving\./);
	});

	test('CSRF: every account form refuses a missing or foreign token', async () => {
		const a = await signUpAndIn(server, smtp, { name: 'Csrf Victim', email: 'csrf@example.org' });
		const attacker = new Agent(server.url);
		const foreign = csrfOf((await attacker.get('/account/signin')).text);
		const forms = [
			['/account/signin', { email: 'csrf@example.org', password: PASSWORD }],
			['/account/signup', { name: 'X', email: 'x@example.org', password: PASSWORD }],
			['/account/signout', {}],
			['/account/signout-all', {}],
			['/account/reset', { email: 'csrf@example.org' }],
			['/account/settings/name', { name: 'Hijacked' }],
			['/account/settings/password', { current: PASSWORD, password: 'hijacked pw' }],
			['/account/settings/email', { email: 'evil@example.org', password: PASSWORD }],
			['/account/delete', { password: PASSWORD, confirm: 'delete' }],
		];
		for (const [path, fields] of forms) {
			for (const csrf of [undefined, foreign, 'x']) {
				const f = csrf === undefined ? fields : { ...fields, csrf };
				const r = await a.post(path, f);
				assert.equal(r.status, 403, `${path} with csrf=${csrf}`);
			}
		}
		assert.equal((await a.get('/account/settings')).status, 200, 'still signed in');
		assert.equal(sql(site.db, "SELECT name FROM users WHERE email = 'csrf@example.org'")[0][0], 'Csrf Victim');
	});

	test('session fixation: a planted session cookie is replaced at sign-in', async () => {
		await signUpAndIn(server, smtp, { name: 'Fixation', email: 'fix@example.org' });
		// The attacker's own valid session, planted in the victim's browser.
		const attacker = await signUpAndIn(server, smtp, { name: 'Attacker', email: 'attacker@example.org' });
		const planted = attacker.cookie('parley_s');
		const victim = new Agent(server.url);
		victim.setCookie('parley_s', planted);
		let r = await victim.get(`/articles/${site.slug}`);
		assert.match(r.text, /commenting as <a href="\/users\/\d+">Attacker/);
		r = await signIn(victim, 'fix@example.org', PASSWORD);
		const fresh = victim.cookie('parley_s');
		assert.ok(fresh && fresh !== planted, 'a new session token at sign-in');
		// The planted token no longer signs anyone in.
		const probe = new Agent(server.url);
		probe.setCookie('parley_s', planted);
		assert.equal((await probe.get('/account/settings')).status, 303);
		// A made-up token is nobody, and is replaced too.
		const made = new Agent(server.url);
		made.setCookie('parley_s', 'A'.repeat(43));
		assert.equal((await made.get('/account/settings')).status, 303);
		await signIn(made, 'fix@example.org', PASSWORD);
		assert.notEqual(made.cookie('parley_s'), 'A'.repeat(43));
	});

	test('roles: readers get 403 or sign-in on staff pages; the CLI sets roles', async () => {
		const anon = new Agent(server.url);
		let r = await anon.get('/admin/users');
		assert.equal(r.status, 303);
		assert.match(r.location, /\/account\/signin\?next=%2Fadmin%2Fusers/);
		assert.equal((await anon.get('/desk')).status, 303);
		r = await anon.post('/admin/users/role', { csrf: csrfOf((await anon.get('/account/signin')).text), id: '1', role: 'admin' });
		assert.equal(r.status, 403);

		const reader = await signUpAndIn(server, smtp, { name: 'Plain Reader', email: 'reader@example.org' });
		assert.equal((await reader.get('/admin/users')).status, 403);
		assert.equal((await reader.get('/desk')).status, 403);
		const readerId = sql(site.db, "SELECT id FROM users WHERE email = 'reader@example.org'")[0][0];
		r = await reader.post('/admin/users/role', { csrf: csrfOf((await reader.get('/account/settings')).text), id: readerId, role: 'admin' });
		assert.equal(r.status, 403);
		assert.equal(sql(site.db, `SELECT role FROM users WHERE id = ${readerId}`)[0][0], 'reader');

		const mod = await signUpAndIn(server, smtp, { name: 'Mod', email: 'mod@example.org' });
		r = parley(['user', 'role', 'mod@example.org', 'moderator', '--db', site.db]);
		assert.equal(r.status, 0, r.stderr);
		assert.equal((await mod.get('/desk')).status, 200);
		assert.equal((await mod.get('/admin/users')).status, 403);

		r = spawnSync(BIN, ['user', 'add', 'boss@example.org', 'The Boss', 'admin', '--db', site.db], { input: `${PASSWORD}\n`, encoding: 'utf8' });
		assert.equal(r.status, 0, r.stderr);
		const boss = new Agent(server.url);
		await signIn(boss, 'boss@example.org', PASSWORD);
		r = await boss.get('/admin/users');
		assert.equal(r.status, 200);
		assert.match(r.text, /Plain Reader/);
		r = await boss.post('/admin/users/role', { csrf: csrfOf(r.text), id: readerId, role: 'editor' });
		assert.equal(r.status, 303);
		assert.equal(sql(site.db, `SELECT role FROM users WHERE id = ${readerId}`)[0][0], 'editor');
		r = await boss.post('/admin/users/disable', { csrf: csrfOf((await boss.get('/admin/users')).text), id: readerId, disabled: '1' });
		assert.equal(r.status, 303);
		assert.equal((await reader.get('/account/settings')).status, 303, 'a disabled account is signed out');

		r = parley(['user', 'list', '--db', site.db]);
		assert.equal(r.status, 0);
		assert.match(r.stdout, /boss@example\.org\s+The Boss/);
		assert.match(r.stdout, /editor\s+disabled/);
		r = parley(['user', 'role', 'boss@example.org', 'reader', '--db', site.db]);
		assert.equal(r.status, 1, 'the last admin stays');
		r = parley(['user', 'role', 'boss@example.org', 'king', '--db', site.db]);
		assert.equal(r.status, 2);
		r = parley(['user', 'disable', 'nobody@example.org', '--db', site.db]);
		assert.equal(r.status, 1);
	});

	test('hostile input in every account field comes back escaped', async () => {
		const payloads = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "' autofocus onfocus='alert(1)", 'javascript:alert(1)', '<svg/onload=alert(1)>'];
		const a = new Agent(server.url);
		let r = await a.get('/account/signup');
		// Markup must come back escaped; a URL scheme is harmless as text
		// but must never become a link.
		const check = (html, p, what) => {
			if (/[<>"']/.test(p)) assertNotRaw(html, p, what);
			assert.doesNotMatch(html, /(href|action|src)="\s*javascript:/i, what);
		};
		for (const p of payloads) {
			r = await a.get('/account/signup');
			r = await a.post('/account/signup', { csrf: csrfOf(r.text), name: p, email: p, password: 'short', next: p });
			assert.equal(r.status, 422);
			check(r.text, p, 'sign-up form');
			assert.match(r.text, /name="next" value="\/"/, 'a foreign next becomes /');
			r = await a.post('/account/signin', { csrf: csrfOf(r.text), email: p, password: p, next: p });
			assert.equal(r.status, 403);
			check(r.text, p, 'sign-in form');
			r = await a.post('/account/reset', { csrf: csrfOf(r.text), email: p });
			assert.equal(r.status, 422, 'reset form: not an email address');
			check(r.text, p, 'reset form');
			r = await a.get(`/account/signin?next=${encodeURIComponent(p)}`);
			assert.equal(r.status, 200, 'sign-in next');
			check(r.text, p, 'sign-in next');
			r = await a.get(`/account/signout?next=${encodeURIComponent(p)}`);
			assert.equal(r.status, 200, 'sign-out next');
			check(r.text, p, 'sign-out next');
		}
		// An open redirect through next is refused.
		for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)', '/\r\nSet-Cookie: x=1']) {
			const b = await signUpAndIn(server, smtp, { name: 'Redirected', email: `redir${Math.random().toString(36).slice(2)}@example.org`, next });
			const r2 = await signIn(b, (await b.get('/account/settings')).text.match(/, ([^,<]+@example\.org)\./)[1], PASSWORD, next);
			assert.equal(r2.res.headers.get('location'), '/', `next=${next}`);
		}
		// A display name full of markup, shown everywhere a name goes.
		const evil = '<script>alert(1)</script>"\'><img src=x onerror=alert(1)>';
		const u = await signUpAndIn(server, smtp, { name: 'Evil', email: 'evil@example.org' });
		r = await u.get('/account/settings');
		r = await u.post('/account/settings/name', { csrf: csrfOf(r.text), name: evil });
		assert.equal(r.status, 303);
		assert.equal((await comment(u, site.slug, 'Hostile name, harmless text.')).status, 303);
		const uid = sql(site.db, "SELECT id FROM users WHERE email = 'evil@example.org'")[0][0];
		r = parley(['user', 'role', 'evil@example.org', 'admin', '--db', site.db]);
		assert.equal(r.status, 0, r.stderr);
		for (const path of ['/account/settings', `/articles/${site.slug}`, `/users/${uid}`, '/admin/users', '/desk', '/account/signout', '/account/signin']) {
			r = await u.get(path);
			assert.equal(r.status, 200, path);
			assertNotRaw(r.text, '<script>alert(1)</script>', path);
			assertNotRaw(r.text, '<img src=x', path);
		}
		r = await u.get(`/articles/${site.slug}`);
		assertNoActiveContent(r.text.replace(/<form method="post" action="\/account[^"]*"/g, ''), 'article');
		r = parley(['user', 'role', 'evil@example.org', 'reader', '--db', site.db]);
	});

	test('too many sign-in attempts: 429 with Retry-After', async () => {
		const s = await smtpSink();
		const limited = await identitySite(identityConfig({ smtp: s, extra: '' }).replace('signin_per_account = 1000', 'signin_per_account = 3'));
		try {
			const a = new Agent(limited.server.url);
			const csrf = csrfOf((await a.get('/account/signin')).text);
			const codes = [];
			for (let i = 0; i < 5; i++)
				codes.push((await a.post('/account/signin', { csrf, email: 'target@example.org', password: `guess ${i}` })).status);
			assert.deepEqual(codes, [403, 403, 403, 429, 429]);
			const r = await a.post('/account/signin', { csrf, email: 'TARGET@example.org', password: 'x' });
			assert.equal(r.status, 429, 'the account is the same in any case');
			const retry = Number(r.res.headers.get('retry-after'));
			assert.ok(retry >= 1 && retry <= 900, `Retry-After ${retry}`);
			// Another account from the same address is still allowed.
			assert.equal((await a.post('/account/signin', { csrf, email: 'other@example.org', password: 'x' })).status, 403);
		} finally {
			await stopClean(limited.server);
			await s.close();
		}
		const perAddr = await identitySite(identityConfig({}).replace('signin_per_address = 1000', 'signin_per_address = 2'));
		try {
			const a = new Agent(perAddr.server.url);
			const csrf = csrfOf((await a.get('/account/signin')).text);
			const codes = [];
			for (let i = 0; i < 3; i++)
				codes.push((await a.post('/account/signin', { csrf, email: `u${i}@example.org`, password: 'x' })).status);
			assert.deepEqual(codes, [403, 403, 429]);
		} finally {
			await stopClean(perAddr.server);
		}
	});
});

describe('the signin policy', () => {
	test('the form shows sign-in links and anonymous posts are refused', async () => {
		const smtp = await smtpSink();
		const site = await identitySite(identityConfig({ smtp, policy: 'signin' }));
		try {
			const anon = new Agent(site.server.url);
			let r = await anon.get(`/articles/${site.slug}`);
			assert.match(r.text, /Please sign in to comment: <a href="\/account\/signin\?next=[^"]+">Sign in<\/a>/);
			assert.doesNotMatch(r.text, /id="author"/);
			r = await comment(anon, site.slug, 'Anonymous try', { author: 'Anon', email: 'anon@example.org' });
			assert.equal(r.status, 403);
			assert.equal(sql(site.db, "SELECT count(*) FROM comments WHERE body_md = 'Anonymous try'")[0][0], '0');
			const u = await signUpAndIn(site.server, smtp, { name: 'Member', email: 'member@example.org' });
			r = await comment(u, site.slug, 'Member comment');
			assert.equal(r.status, 303);
			r = await anon.get(`/articles/${site.slug}`);
			assert.match(r.text, /Member comment/);
		} finally {
			await stopClean(site.server);
			await smtp.close();
		}
	});
});

describe('mail delivery', () => {
	test('a failed send is retried later; the request never waits', async () => {
		const smtp = await smtpSink({ failFirst: 2 });
		const site = await identitySite(identityConfig({ smtp }));
		try {
			const a = new Agent(site.server.url);
			let r = await a.get('/account/signup');
			const t0 = Date.now();
			r = await a.post('/account/signup', { csrf: csrfOf(r.text), name: 'Retry', email: 'retry@example.org', password: PASSWORD });
			assert.equal(r.status, 200);
			assert.ok(Date.now() - t0 < 5000);
			const mail = await smtp.waitFor((m) => m.to.includes('retry@example.org'), { timeoutMs: 20000 });
			assert.match(mail.subject, /Confirm/);
			assert.ok(smtp.attempts.length >= 3);
			// Backoff: the second wait is longer than the first.
			const [t1, t2, t3] = smtp.attempts;
			assert.ok(t3 - t2 > t2 - t1, `waits ${t2 - t1} then ${t3 - t2} ms`);
			await new Promise((res) => setTimeout(res, 300));
			assert.deepEqual(sql(site.db, "SELECT status, attempts FROM outbox WHERE recipient = 'retry@example.org'"), [['sent', '3']]);
			assert.match(site.server.logs().stderr, /failed \(try 1\)/);
		} finally {
			await stopClean(site.server);
			await smtp.close();
		}
	});

	test('with no SMTP, serve says so and logs the links; the first admin link works once', async () => {
		const { db } = scratch();
		addArticle(db, {});
		const server = await startServer({ db });
		try {
			await new Promise((r) => setTimeout(r, 200));
			const log = server.logs().stderr;
			assert.match(log, /no \[mail\] smtp_url set/);
			const setup = /create the first one at (http:\/\/\S+\/account\/setup\?token=[A-Za-z0-9_-]+)/.exec(log);
			assert.ok(setup, log);
			const a = new Agent(server.url);
			let r = await a.get(setup[1]);
			assert.equal(r.status, 200);
			const token = /name="token" value="([^"]+)"/.exec(r.text)[1];
			r = await a.post('/account/setup', { csrf: csrfOf(r.text), token, name: 'First Admin', email: 'first@example.org', password: PASSWORD });
			assert.equal(r.status, 303);
			assert.equal((await a.get('/admin/users')).status, 200);
			assert.equal((await new Agent(server.url).get(setup[1])).status, 404, 'the link is used up');

			const b = new Agent(server.url);
			r = await b.get('/account/signup');
			r = await b.post('/account/signup', { csrf: csrfOf(r.text), name: 'Logged', email: 'logged@example.org', password: PASSWORD });
			assert.equal(r.status, 200);
			let found = null;
			for (let i = 0; i < 60 && !found; i++) {
				await new Promise((res) => setTimeout(res, 100));
				found = /(http:\/\/127\.0\.0\.1:\d+\/account\/verify\?token=[A-Za-z0-9_-]+)/.exec(server.logs().stderr);
			}
			assert.ok(found, 'the verification link is in the log');
			assert.equal((await useLink(b, found[1])).status, 303);
		} finally {
			await stopClean(server);
		}
	});
});

describe('deleting with on_delete = remove', () => {
	test('the comments stay in their threads, without their text', async () => {
		const smtp = await smtpSink();
		const site = await identitySite(identityConfig({ smtp, extra: '[accounts]\non_delete = remove\n' }));
		try {
			const u = await signUpAndIn(site.server, smtp, { name: 'Remover', email: 'remover@example.org' });
			assert.equal((await comment(u, site.slug, 'Text that should vanish.')).status, 303);
			let r = await u.get('/account/settings');
			assert.match(r.text, /Your comments will be removed too/);
			r = await u.post('/account/delete', { csrf: csrfOf(r.text), password: PASSWORD, confirm: 'delete' });
			assert.equal(r.status, 200);
			r = await new Agent(site.server.url).get(`/articles/${site.slug}`);
			assert.doesNotMatch(r.text, /Text that should vanish|Remover/);
			assert.match(r.text, /This comment was removed by its author/);
			// Removed as an author removes one comment: no longer counted.
			assert.match(r.text, /<h2 id="comments-title">No comments yet<\/h2>/);
			assert.deepEqual(sql(site.db, "SELECT body_md, author FROM comments"), [['', 'Former member']]);
		} finally {
			await stopClean(site.server);
			await smtp.close();
		}
	});
});

describe('behind TLS', () => {
	test('with an https base_url the session cookie is Secure, and emailed links never follow the Host header', async () => {
		const smtp = await smtpSink();
		const site = await identitySite(identityConfig({ smtp }).replace('[comments]', '[site]\nbase_url = https://comments.example.org\n[comments]'));
		try {
			const a = new Agent(site.server.url);
			let r = await a.get('/account/signup', { headers: { host: 'evil.example' } });
			r = await a.post('/account/signup', { csrf: csrfOf(r.text), name: 'Tls', email: 'tls@example.org', password: PASSWORD },
				{ headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example' } });
			assert.equal(r.status, 200);
			const mail = await smtp.waitFor((m) => m.to.includes('tls@example.org'));
			assert.match(mail.text, /https:\/\/comments\.example\.org\/account\/verify\?token=[A-Za-z0-9_-]+/);
			assert.doesNotMatch(mail.text, /evil\.example/);
			const token = /verify\?token=([A-Za-z0-9_-]+)/.exec(mail.text)[1];
			r = await useLink(a, `/account/verify?token=${token}`);
			assert.equal(r.status, 303);
			r = await a.get('/account/signin');
			r = await a.post('/account/signin', { csrf: csrfOf(r.text), email: 'tls@example.org', password: PASSWORD });
			assert.equal(r.status, 303);
			const cookie = r.res.headers.getSetCookie().find((c) => c.startsWith('__Host-parley_s='));
			assert.match(cookie, /; Secure/);
			assert.match(cookie, /HttpOnly/);
		} finally {
			await stopClean(site.server);
			await smtp.close();
		}
	});
});
