// External sign-in against a real OpenID provider started here (npm
// oidc-provider, on 127.0.0.1 over plain http: Parley allows http issuers
// on loopback addresses only), and against a scripted provider that
// sends the ID tokens a refusal needs, and plays GitHub and WordPress.com
// (OAuth 2 through their user endpoints).  Refusals: missing or wrong
// state, a state from another browser, a reused state, a reused code,
// bad signature, wrong audience, wrong issuer, expired token, nonce
// mismatch, alg none.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	smtpSink, linkIn, Agent, csrfOf, identityConfig, identitySite, signUpAndIn, comment,
	realProvider, providerLogin, fakeProvider,
} from '../lib/identity.mjs';
import { sql, stopClean } from './util.mjs';

describe('OpenID Connect and OAuth 2 sign-in', () => {
	let smtp, real, fake, site, server;

	before(async () => {
		smtp = await smtpSink();
		real = await realProvider();
		fake = await fakeProvider();
		const f = fake.issuer;
		const providers = `[oidc.local]\nissuer = ${real.issuer}\nclient_id = ${real.clientId}\nclient_secret = ${real.clientSecret}\nlabel = Local ID\n`
			+ `[oidc.fake]\nissuer = ${f}\nclient_id = fake-client\nclient_secret = fake-secret\n`
			+ `[oidc.gh]\npreset = github\nclient_id = gh-client\nclient_secret = gh-secret\nauthorize_url = ${f}/login/oauth/authorize\n`
			+ `token_url = ${f}/login/oauth/access_token\nuserinfo_url = ${f}/user\nemails_url = ${f}/user/emails\n`
			+ `[oidc.wp]\npreset = wordpress\nclient_id = wp-client\nclient_secret = wp-secret\nauthorize_url = ${f}/login/oauth/authorize\n`
			+ `token_url = ${f}/login/oauth/access_token\nuserinfo_url = ${f}/rest/v1/me\n`
			+ '[oidc.down]\nissuer = http://127.0.0.1:9/\nclient_id = x\n';
		site = await identitySite(identityConfig({ smtp, providers }));
		server = site.server;
		real.attach(server.url, 'local');
	});
	after(async () => {
		await stopClean(server);
		await smtp.close();
		await real.close();
		await fake.close();
	});

	test('the sign-in page and the comment form offer the providers', async () => {
		const a = new Agent(server.url);
		const r = await a.get('/account/signin?next=/articles/x');
		assert.match(r.text, /<a class="provider provider-local" href="\/auth\/local\/start\?next=%2Farticles%2Fx">Sign in with Local ID<\/a>/);
		assert.match(r.text, /Sign in with GitHub/);
		assert.match(r.text, /Sign in with WordPress\.com/);
	});

	test('sign in with the real provider (PKCE, state, nonce, JWKS) and comment', async () => {
		const a = new Agent(server.url);
		const start = await a.get(`/auth/local/start?next=/articles/${site.slug}`);
		assert.equal(start.status, 303);
		const auth = new URL(start.location);
		assert.equal(auth.origin, real.issuer);
		assert.equal(auth.searchParams.get('code_challenge_method'), 'S256');
		assert.match(auth.searchParams.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/);
		assert.ok(auth.searchParams.get('nonce') && auth.searchParams.get('state'));
		assert.equal(auth.searchParams.get('redirect_uri'), `${server.url}/auth/local/callback`);
		const stateCookie = start.res.headers.getSetCookie().find((c) => c.startsWith('parley_oidc='));
		assert.match(stateCookie, /HttpOnly/);
		assert.match(stateCookie, /SameSite=Lax/);

		const callback = await providerLogin(a, `/auth/local/start?next=/articles/${site.slug}`, 'alice');
		const r = await a.get(callback);
		assert.equal(r.status, 303, r.text.slice(0, 500));
		assert.equal(new URL(r.location).pathname, `/articles/${site.slug}`);
		assert.ok(a.cookie('parley_s'));
		const page = await a.get(`/articles/${site.slug}`);
		assert.match(page.text, /You are commenting as <a href="\/users\/\d+">External alice<\/a>/);
		const c = await comment(a, site.slug, 'Signed in elsewhere.');
		assert.equal(c.status, 303);
		assert.deepEqual(sql(site.db, "SELECT c.author, u.email, u.email_verified, i.provider, i.subject FROM comments c JOIN users u ON u.id = c.user_id JOIN identities i ON i.user_id = u.id WHERE c.body_md = 'Signed in elsewhere.'"),
			[['External alice', 'alice@example.org', '1', 'local', 'alice']]);

		// The same external account signs in to the same user again.
		const b = new Agent(server.url);
		const again = await b.get(await providerLogin(b, '/auth/local/start', 'alice'));
		assert.equal(again.status, 303);
		assert.equal(sql(site.db, "SELECT count(*) FROM users WHERE email = 'alice@example.org'")[0][0], '1');
	});

	test('refused: missing state, wrong state, another browser\'s state, reused state, reused code', async () => {
		const a = new Agent(server.url);
		const callback = await providerLogin(a, '/auth/local/start', 'bob');
		const cb = new URL(callback);
		const code = cb.searchParams.get('code');
		const state = cb.searchParams.get('state');

		// No state; a made-up state; the right state without this browser's cookie.
		assert.equal((await a.get(`/auth/local/callback?code=${code}`)).status, 400);
		assert.equal((await a.get(`/auth/local/callback?code=${code}&state=${'A'.repeat(43)}`)).status, 400);
		const other = new Agent(server.url);
		assert.equal((await other.get(callback)).status, 400, 'login CSRF: a state from another browser');
		assert.equal(sql(site.db, "SELECT count(*) FROM identities WHERE subject = 'bob'")[0][0], '0');

		// The first use of the callback works (the refusals above kept it unused).
		const ok = await a.get(callback);
		assert.equal(ok.status, 303, ok.text.slice(0, 300));
		// Replayed: the state is used up, even with its cookie put back.
		a.setCookie('parley_oidc', state);
		assert.equal((await a.get(callback)).status, 400);

		// A fresh flow with the old code: the provider refuses the reused code.
		const c = new Agent(server.url);
		const s2 = await c.get('/auth/local/start');
		const state2 = new URL(s2.location).searchParams.get('state');
		const r = await c.get(`/auth/local/callback?code=${encodeURIComponent(code)}&state=${state2}`);
		assert.equal(r.status, 403);
		assert.equal(c.cookie('parley_s'), undefined);
	});

	// Each refusal must be the server's own check of that claim: the log
	// names the reason, and the same flow with a good token from the same
	// provider (and the same account) signs in.
	for (const [mode, what, reason] of [
		['signature', 'bad signature', "the ID token's signature is wrong"],
		['audience', 'wrong audience', 'the ID token is for another audience'],
		['expired', 'expired token', 'the ID token has expired'],
		['nonce', 'nonce mismatch', "the ID token's nonce is not ours"],
		['issuer', 'wrong issuer', 'the ID token is from another issuer'],
		['none', 'alg none', "the ID token's algorithm is not RS256 or ES256"],
	]) {
		test(`refused: ${what}`, async () => {
			const sub = `refused-${mode}`;
			const refusals = () => (server.logs().stderr.match(/sign-in with fake refused: [^\n]*/g) || []);
			const before = refusals().length;
			const flow = async () => {
				const a = new Agent(server.url);
				const start = await a.get('/auth/fake/start');
				assert.equal(start.status, 303);
				const back = await a.get(start.location);	// the fake provider answers at once
				assert.equal(back.status, 302);
				return { a, r: await a.get(back.location) };
			};
			fake.state.user = { sub, email: `${sub}@example.org`, email_verified: true, name: `Refused ${mode}` };
			fake.state.mode = mode;
			try {
				const { a, r } = await flow();
				assert.equal(r.status, 403, `${mode}: ${r.text.slice(0, 300)}`);
				assert.equal(a.cookie('parley_s'), undefined);
				await new Promise((res) => setTimeout(res, 50));
				const logged = refusals();
				assert.equal(logged.length, before + 1, 'the refusal is logged');
				assert.ok(logged.at(-1).endsWith(reason), `the reason: ${logged.at(-1)}`);
				assert.equal(sql(site.db, `SELECT count(*) FROM identities WHERE subject = '${sub}'`)[0][0], '0', 'no account linked');
				fake.state.mode = 'good';
				const ok = await flow();
				assert.equal(ok.r.status, 303, `a good token signs in: ${ok.r.text.slice(0, 300)}`);
				assert.ok(ok.a.cookie('parley_s'), 'signed in');
				assert.equal(sql(site.db, `SELECT count(*) FROM identities WHERE subject = '${sub}'`)[0][0], '1');
			} finally {
				fake.state.mode = 'good';
				fake.state.user = { sub: 'fake-1', email: 'fake1@example.org', email_verified: true, name: 'Fake One' };
			}
		});
	}

	test('ES256 ID tokens are accepted; a new account is made from the claims', async () => {
		fake.state.alg = 'ES256';
		fake.state.user = { sub: 'es-user', email: 'es@example.org', email_verified: true, name: 'Elliptic' };
		try {
			const a = new Agent(server.url);
			const start = await a.get('/auth/fake/start');
			const back = await a.get(start.location);
			const r = await a.get(back.location);
			assert.equal(r.status, 303, r.text.slice(0, 300));
			assert.deepEqual(sql(site.db, "SELECT name, email, email_verified FROM users WHERE email = 'es@example.org'"), [['Elliptic', 'es@example.org', '1']]);
		} finally {
			fake.state.alg = 'RS256';
		}
	});

	test('a verified email of an existing account is linked only after its owner confirms', async () => {
		await signUpAndIn(server, smtp, { name: 'Owner', email: 'owner@example.org' });
		fake.state.user = { sub: 'owner-ext', email: 'owner@example.org', email_verified: true, name: 'Impostor?' };
		const a = new Agent(server.url);
		const start = await a.get('/auth/fake/start');
		const back = await a.get(start.location);
		let r = await a.get(back.location);
		assert.equal(r.status, 200);
		assert.match(r.text, /Check your email/);
		assert.equal(a.cookie('parley_s'), undefined, 'not signed in before the owner confirms');
		assert.equal(sql(site.db, "SELECT count(*) FROM identities WHERE subject = 'owner-ext'")[0][0], '0');
		const mail = await smtp.waitFor((m) => m.to.includes('owner@example.org') && /Link your/.test(m.subject));
		const owner = new Agent(server.url);
		r = await owner.get(linkIn(mail, '/account/link'));
		assert.equal(r.status, 200);
		r = await owner.post('/account/link', { csrf: csrfOf(r.text), token: /name="token" value="([^"]+)"/.exec(r.text)[1] });
		assert.equal(r.status, 303);
		assert.equal(sql(site.db, "SELECT u.email FROM identities i JOIN users u ON u.id = i.user_id WHERE i.subject = 'owner-ext'")[0][0], 'owner@example.org');
		// From now on the external account signs in as the owner.
		const b = new Agent(server.url);
		const s2 = await b.get('/auth/fake/start');
		r = await b.get((await b.get(s2.location)).location);
		assert.equal(r.status, 303);
		assert.match((await b.get('/account/settings')).text, /owner@example\.org/);
		fake.state.user = { sub: 'fake-1', email: 'fake1@example.org', email_verified: true, name: 'Fake One' };
	});

	test('an unverified email is never matched to an existing account', async () => {
		await signUpAndIn(server, smtp, { name: 'Victim', email: 'victim@example.org' });
		fake.state.user = { sub: 'attacker-ext', email: 'victim@example.org', email_verified: false, name: 'Attacker' };
		try {
			const a = new Agent(server.url);
			const s = await a.get('/auth/fake/start');
			const r = await a.get((await a.get(s.location)).location);
			assert.equal(r.status, 303);
			const rows = sql(site.db, "SELECT u.name, coalesce(u.email, '') FROM identities i JOIN users u ON u.id = i.user_id WHERE i.subject = 'attacker-ext'");
			assert.deepEqual(rows, [['Attacker', '']], 'a new account without the address');
		} finally {
			fake.state.user = { sub: 'fake-1', email: 'fake1@example.org', email_verified: true, name: 'Fake One' };
		}
	});

	test('GitHub (OAuth 2): the user endpoint and the primary verified email', async () => {
		fake.state.user = { sub: 'unused', email: 'octo@example.org', email_verified: true, name: 'Octo Cat' };
		const a = new Agent(server.url);
		const s = await a.get(`/auth/gh/start?next=/articles/${site.slug}`);
		const auth = new URL(s.location);
		assert.equal(auth.pathname, '/login/oauth/authorize');
		assert.equal(auth.searchParams.get('scope'), 'read:user user:email');
		const r = await a.get((await a.get(s.location)).location);
		fake.state.user = { sub: 'fake-1', email: 'fake1@example.org', email_verified: true, name: 'Fake One' };
		assert.equal(r.status, 303, r.text.slice(0, 300));
		assert.deepEqual(sql(site.db, "SELECT u.name, u.email, u.email_verified FROM identities i JOIN users u ON u.id = i.user_id WHERE i.provider = 'gh' AND i.subject = '4242'"),
			[['Octo Cat', 'octo@example.org', '1']]);
		const c = await comment(a, site.slug, 'From GitHub.');
		assert.equal(c.status, 303);
	});

	test('WordPress.com (OAuth 2): /me', async () => {
		fake.state.user = { sub: 'unused', email: 'wp@example.org', email_verified: true, name: 'Word Presser' };
		const a = new Agent(server.url);
		const s = await a.get('/auth/wp/start');
		const r = await a.get((await a.get(s.location)).location);
		fake.state.user = { sub: 'fake-1', email: 'fake1@example.org', email_verified: true, name: 'Fake One' };
		assert.equal(r.status, 303, r.text.slice(0, 300));
		assert.deepEqual(sql(site.db, "SELECT u.name, u.email FROM identities i JOIN users u ON u.id = i.user_id WHERE i.provider = 'wp' AND i.subject = '777'"),
			[['Word Presser', 'wp@example.org']]);
	});

	test('a provider that cannot be reached gives 502, and unknown providers 404', async () => {
		const a = new Agent(server.url);
		assert.equal((await a.get('/auth/down/start')).status, 502);
		assert.equal((await a.get('/auth/nobody/start')).status, 404);
		assert.equal((await a.get('/auth/nobody/callback?code=x&state=y')).status, 404);
	});

	test('a signed-in reader links an external account from the settings', async () => {
		const a = await signUpAndIn(server, smtp, { name: 'Linker', email: 'linker@example.org' });
		fake.state.user = { sub: 'linker-ext', email: 'different@example.org', email_verified: true, name: 'Whoever' };
		try {
			const settings = await a.get('/account/settings');
			assert.match(settings.text, /href="\/auth\/fake\/start\?next=[^"]*"/);
			const s = await a.get('/auth/fake/start');
			const r = await a.get((await a.get(s.location)).location);
			assert.equal(r.status, 303);
			assert.match(r.location, /done=linked/);
			assert.equal(sql(site.db, "SELECT u.email FROM identities i JOIN users u ON u.id = i.user_id WHERE i.subject = 'linker-ext'")[0][0], 'linker@example.org');
		} finally {
			fake.state.user = { sub: 'fake-1', email: 'fake1@example.org', email_verified: true, name: 'Fake One' };
		}
	});
});

describe('provider configuration', () => {
	test('an http issuer is refused unless it is a loopback address', async () => {
		const { parley, scratch } = await import('../lib/server.mjs');
		const { writeFileSync } = await import('node:fs');
		const { join } = await import('node:path');
		const { dir } = scratch();
		const bad = join(dir, 'bad.ini');
		writeFileSync(bad, '[oidc.x]\nissuer = http://id.example.org\nclient_id = c\n');
		let r = parley(['config', 'check', bad]);
		assert.equal(r.status, 1);
		assert.match(r.stderr, /must be an https:\/\/ URL/);
		const good = join(dir, 'good.ini');
		writeFileSync(good, '[oidc.x]\nissuer = http://127.0.0.1:9000\nclient_id = c\n[oidc.g]\npreset = google\nclient_id = c\n');
		r = parley(['config', 'check', good]);
		assert.equal(r.status, 0, r.stderr);
		writeFileSync(bad, '[oidc.Bad Name]\nissuer = https://x.org\nclient_id = c\n');
		assert.equal(parley(['config', 'check', bad]).status, 1);
		writeFileSync(bad, '[oidc.x]\nissuer = https://x.org\n');
		assert.equal(parley(['config', 'check', bad]).status, 1, 'client_id is required');
	});
});
