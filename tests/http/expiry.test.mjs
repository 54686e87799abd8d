// Every promised lifetime, checked on both sides of its end by moving the
// server's clock (tests/lib/clock.mjs), never by sleeping: the session
// (`[accounts] session_days` days, and the cookie's Max-Age), each emailed
// one-time link (email verification 3 days, password reset 1 hour, email
// change 24 hours, account link 1 hour, first-admin setup 1 day), the
// OpenID Connect state (10 minutes), and the sign-in limit per address
// (N attempts per 15 minutes: 429 with Retry-After, then allowed again).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parley, scratch, startServer } from '../lib/server.mjs';
import { clock } from '../lib/clock.mjs';
import { smtpSink, linkIn, Agent, csrfOf, signIn, fakeProvider, useLink } from '../lib/identity.mjs';
import { sql, stopClean } from './util.mjs';

const PASSWORD = 'correct horse battery';
const MINUTE = 60, HOUR = 3600, DAY = 86400;
// Each check lands this far before or after a deadline: room for the real
// seconds a test takes, small beside the smallest lifetime (10 minutes).
const MARGIN = 60;

// A site on a movable clock, with mail to smtp when given.
async function clockSite({ smtp, accounts = '', providers = '' } = {}) {
	const clk = clock();
	const { db } = scratch();
	const config = `[accounts]\nsignin_per_address = 1000\nsignin_per_account = 1000\nmail_per_address = 1000\nmail_per_recipient = 1000\n${accounts}`
		+ (smtp ? `[mail]\nsmtp_url = ${smtp.url}\nfrom = parley@example.org\nretry_seconds = 1\n` : '')
		+ providers;
	const server = await startServer({ db, config, env: clk.env });
	return { clk, server, db };
}

// A verified account made with the CLI (no mail, no rate limit).
function addUser(db, email, name) {
	const r = parley(['user', 'add', email, name, '--db', db], { input: `${PASSWORD}\n` });
	assert.equal(r.status, 0, `user add: ${r.stderr}`);
}

const tokenOf = (link) => new URL(link).searchParams.get('token');

test('a session lives session_days days: valid just before, gone just after; Max-Age says so', async () => {
	const days = 3;
	const { clk, server, db } = await clockSite({ accounts: `session_days = ${days}\n` });
	try {
		addUser(db, 'sess@example.org', 'Session Holder');
		const a = new Agent(server.url);
		const r = await signIn(a, 'sess@example.org', PASSWORD);
		const cookie = r.res.headers.getSetCookie().find((c) => c.startsWith('parley_s='));
		assert.ok(cookie, 'a session cookie');
		assert.equal(Number(/Max-Age=(\d+)/.exec(cookie)[1]), days * DAY);
		clk.set(days * DAY - MARGIN);
		assert.equal((await a.get('/account/settings')).status, 200, 'still signed in just before the end');
		clk.set(days * DAY + MARGIN);
		const after = await a.get('/account/settings');
		assert.equal(after.status, 303, 'signed out just after');
		assert.match(after.location, /\/account\/signin/);
	} finally {
		await stopClean(server);
	}
});

test('the email verification link works for 3 days', async () => {
	const smtp = await smtpSink();
	const { clk, server, db } = await clockSite({ smtp });
	try {
		const a = new Agent(server.url);
		let r = await a.get('/account/signup');
		r = await a.post('/account/signup', { csrf: csrfOf(r.text), name: 'Late Verifier', email: 'late@example.org', password: PASSWORD });
		assert.equal(r.status, 200);
		const link = linkIn(await smtp.waitFor((m) => m.to.includes('late@example.org')), '/account/verify');
		// Opening the link uses it up; a refused one stays, so test after first.
		clk.set(3 * DAY + MARGIN);
		assert.equal((await a.get(link)).status, 404, 'refused just after 3 days');
		clk.set(3 * DAY - MARGIN);
		r = await useLink(a, link);
		assert.equal(r.status, 303, 'accepted just before 3 days');
		assert.match(r.location, /done=verified/);
		assert.deepEqual(sql(db, "SELECT email_verified FROM users WHERE email = 'late@example.org'"), [['1']]);
	} finally {
		await stopClean(server);
		await smtp.close();
	}
});

test('the password reset link works for one hour', async () => {
	const smtp = await smtpSink();
	const { clk, server, db } = await clockSite({ smtp });
	try {
		addUser(db, 'reset@example.org', 'Slow Resetter');
		const a = new Agent(server.url);
		let r = await a.get('/account/reset');
		r = await a.post('/account/reset', { csrf: csrfOf(r.text), email: 'reset@example.org' });
		assert.equal(r.status, 200);
		const link = linkIn(await smtp.waitFor((m) => m.to.includes('reset@example.org') && /Reset/.test(m.subject)), '/account/reset');
		clk.set(HOUR - MARGIN);
		r = await a.get(link);
		assert.equal(r.status, 200, 'the form, just before the hour ends');
		const csrf = csrfOf(r.text);
		clk.set(HOUR + MARGIN);
		assert.equal((await a.get(link)).status, 404, 'refused just after the hour');
		r = await a.post('/account/reset/password', { csrf, token: tokenOf(link), password: 'a brand new password' });
		assert.equal(r.status, 404, 'the new password is refused too');
		clk.set(HOUR - MARGIN);
		r = await a.post('/account/reset/password', { csrf, token: tokenOf(link), password: 'a brand new password' });
		assert.equal(r.status, 303, 'the same link, back within the hour, sets the password');
	} finally {
		await stopClean(server);
		await smtp.close();
	}
});

// docs/identity.md does not say how long this link lasts; the code
// (TTL_EMAIL in src/model/user.h) and its email say 24 hours.
test('the email change link works for 24 hours', async () => {
	const smtp = await smtpSink();
	const { clk, server, db } = await clockSite({ smtp });
	try {
		addUser(db, 'old@example.org', 'Mover');
		const a = new Agent(server.url);
		await signIn(a, 'old@example.org', PASSWORD);
		let r = await a.get('/account/settings');
		r = await a.post('/account/settings/email', { csrf: csrfOf(r.text), email: 'new@example.org', password: PASSWORD });
		assert.equal(r.status, 303);
		const link = linkIn(await smtp.waitFor((m) => m.to.includes('new@example.org')), '/account/email');
		clk.set(DAY + MARGIN);
		assert.equal((await a.get(link)).status, 404, 'refused just after 24 hours');
		assert.deepEqual(sql(db, "SELECT email FROM users WHERE name = 'Mover'"), [['old@example.org']]);
		clk.set(DAY - MARGIN);
		assert.equal((await useLink(a, link)).status, 303, 'accepted just before 24 hours');
		assert.deepEqual(sql(db, "SELECT email FROM users WHERE name = 'Mover'"), [['new@example.org']]);
	} finally {
		await stopClean(server);
		await smtp.close();
	}
});

test('the account link confirmation works for one hour', async () => {
	const smtp = await smtpSink();
	const fake = await fakeProvider();
	const providers = `[oidc.fake]\nissuer = ${fake.issuer}\nclient_id = fake-client\nclient_secret = fake-secret\n`;
	const { clk, server, db } = await clockSite({ smtp, providers });
	try {
		addUser(db, 'owner@example.org', 'Owner');
		fake.state.user = { sub: 'owner-ext', email: 'owner@example.org', email_verified: true, name: 'Owner Elsewhere' };
		const ext = new Agent(server.url);
		const start = await ext.get('/auth/fake/start');
		const back = await ext.get(start.location);
		let r = await ext.get(back.location);
		assert.equal(r.status, 200);
		assert.match(r.text, /Check your email/);
		const link = linkIn(await smtp.waitFor((m) => m.to.includes('owner@example.org') && /Link your/.test(m.subject)), '/account/link');
		const owner = new Agent(server.url);
		clk.set(HOUR - MARGIN);
		r = await owner.get(link);
		assert.equal(r.status, 200, 'the confirmation page, just before the hour ends');
		const csrf = csrfOf(r.text);
		clk.set(HOUR + MARGIN);
		assert.equal((await owner.get(link)).status, 404, 'refused just after the hour');
		assert.equal((await owner.post('/account/link', { csrf, token: tokenOf(link) })).status, 404);
		assert.deepEqual(sql(db, "SELECT count(*) FROM identities WHERE subject = 'owner-ext'"), [['0']]);
		clk.set(HOUR - MARGIN);
		assert.equal((await owner.post('/account/link', { csrf, token: tokenOf(link) })).status, 303, 'linked within the hour');
		assert.deepEqual(sql(db, "SELECT count(*) FROM identities WHERE subject = 'owner-ext'"), [['1']]);
	} finally {
		await stopClean(server);
		await fake.close();
		await smtp.close();
	}
});

test('the first-admin setup link works for a day', async () => {
	const { clk, server } = await clockSite();
	try {
		let setup = null;
		for (let i = 0; i < 50 && !setup; i++) {
			setup = /create the first one at (http:\/\/\S+\/account\/setup\?token=[A-Za-z0-9_-]+)/.exec(server.logs().stderr);
			if (!setup) await new Promise((res) => setTimeout(res, 20));
		}
		assert.ok(setup, server.logs().stderr);
		const link = setup[1];
		const a = new Agent(server.url);
		clk.set(DAY - MARGIN);
		let r = await a.get(link);
		assert.equal(r.status, 200, 'the form, just before the day ends');
		const form = { csrf: csrfOf(r.text), token: tokenOf(link), name: 'First Admin', email: 'first@example.org', password: PASSWORD };
		clk.set(DAY + MARGIN);
		assert.equal((await a.get(link)).status, 404, 'refused just after the day');
		assert.equal((await a.post('/account/setup', form)).status, 404);
		clk.set(DAY - MARGIN);
		r = await a.post('/account/setup', form);
		assert.equal(r.status, 303, 'the admin is made within the day');
		assert.equal((await a.get('/admin/users')).status, 200);
	} finally {
		await stopClean(server);
	}
});

test('the OpenID Connect state lasts 10 minutes', async () => {
	const fake = await fakeProvider();
	const providers = `[oidc.fake]\nissuer = ${fake.issuer}\nclient_id = fake-client\nclient_secret = fake-secret\n`;
	const { clk, server } = await clockSite({ providers });
	// To the provider and back; resolves to the callback URL, not yet opened.
	const roundTrip = async (a) => {
		const start = await a.get('/auth/fake/start');
		assert.equal(start.status, 303);
		const back = await a.get(start.location);
		assert.equal(back.status, 302);
		return back.location;
	};
	try {
		const late = new Agent(server.url);
		const lateCallback = await roundTrip(late);
		clk.set(10 * MINUTE + MARGIN);
		const r = await late.get(lateCallback);
		assert.equal(r.status, 400, 'refused just after 10 minutes');
		assert.equal(late.cookie('parley_s'), undefined);

		clk.set(0);
		const onTime = new Agent(server.url);
		const callback = await roundTrip(onTime);
		clk.set(10 * MINUTE - MARGIN);
		const ok = await onTime.get(callback);
		assert.equal(ok.status, 303, `accepted just before 10 minutes: ${ok.text.slice(0, 300)}`);
		assert.ok(onTime.cookie('parley_s'), 'signed in');
	} finally {
		await stopClean(server);
		await fake.close();
	}
});

test('sign-in attempts per address: 429 with Retry-After, allowed again once the bucket refills', async () => {
	// 3 attempts per 15 minutes: one comes back every 300 s.
	const { clk, server } = await clockSite({ accounts: 'signin_per_address = 3\n' });
	try {
		const a = new Agent(server.url);
		const csrf = csrfOf((await a.get('/account/signin')).text);
		let n = 0;
		// A new address each time: only the address's bucket is spent.
		const attempt = () => a.post('/account/signin', { csrf, email: `guess${n++}@example.org`, password: 'wrong password' });
		const codes = [];
		for (let i = 0; i < 3; i++) codes.push((await attempt()).status);
		assert.deepEqual(codes, [403, 403, 403]);
		let r = await attempt();
		assert.equal(r.status, 429);
		const retry = Number(r.res.headers.get('retry-after'));
		// 300 s less the real seconds the attempts took.
		assert.ok(retry >= 290 && retry <= 300, `Retry-After ${retry}`);
		clk.set(retry - 30);
		assert.equal((await attempt()).status, 429, 'still refused before Retry-After');
		clk.set(retry + 1);
		assert.equal((await attempt()).status, 403, 'allowed again after Retry-After');
		assert.equal((await attempt()).status, 429, 'one token came back, not more');
		// After a long idle time the bucket is full again: 3 attempts, not more.
		clk.advance(DAY);
		const again = [];
		for (let i = 0; i < 4; i++) again.push((await attempt()).status);
		assert.deepEqual(again, [403, 403, 403, 429]);
	} finally {
		await stopClean(server);
	}
});
