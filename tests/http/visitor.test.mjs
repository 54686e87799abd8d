// The visitor id behind CSRF tokens is the server's, not the browser's:
// a made-up id gets no token that works, signing in and out gives the
// browser a new one, and behind HTTPS the cookies are named __Host-.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, csrfOf } from '../lib/identity.mjs';
import { addArticle, parley, scratch, startServer } from '../lib/server.mjs';
import { formTokens, stopClean, unique } from './util.mjs';

const PASSWORD = 'correct horse battery';
const CONFIG = '[accounts]\nsignin_per_address = 1000\nsignin_per_account = 1000\nmail_per_address = 1000\nmail_per_recipient = 1000\n';

// A verified account made with the CLI; returns its email.
function account(db) {
	const email = `${unique('v')}@example.org`;
	const r = parley(['user', 'add', email, 'Vera Visitor', '--db', db], { input: `${PASSWORD}\n` });
	assert.equal(r.status, 0, r.stderr);
	return email;
}

async function signIn(a, email) {
	const page = await a.get('/account/signin');
	const r = await a.post('/account/signin', { csrf: csrfOf(page.text), email, password: PASSWORD, next: '/' });
	assert.equal(r.status, 303, r.text.slice(0, 300));
	return r;
}

// Posts a comment with the given cookie header and token.
async function postWith(srv, slug, cookie, csrf, key) {
	const res = await fetch(`${srv.url}/articles/${slug}/comments`, {
		method: 'POST', redirect: 'manual',
		headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
		body: new URLSearchParams({ csrf, key, author: 'Mallory', email: 'm@example.org', body: unique('planted'), parent: '', website_confirm: '' }),
	});
	await res.arrayBuffer();
	return res.status;
}

describe('over plain HTTP', () => {
	let srv, slug;
	before(async () => {
		const s = scratch();
		slug = addArticle(s.db, { slug: 'visitor', title: 'Visitor' });
		srv = await startServer({ db: s.db, config: CONFIG });
	});
	after(() => stopClean(srv));

	test('a visitor id the browser made up is replaced, and its token is refused', async () => {
		// The old shape of an id (22 base64url characters), and the new
		// shape with a made-up signature: ids the attacker chose (and could
		// plant in a victim's browser to know their token).
		for (const chosen of ['parley_v=AttackerChoseThisId123', `parley_v=${'A'.repeat(22)}.${'B'.repeat(22)}`]) {
			const res = await fetch(`${srv.url}/articles/${slug}`, { headers: { cookie: chosen } });
			const html = await res.text();
			const set = res.headers.getSetCookie().find((c) => c.startsWith('parley_v='));
			assert.ok(set, `a made-up id gets a new one: ${chosen}`);
			assert.notEqual(set.split(';')[0], chosen);
			const { csrf, key } = formTokens(html);
			assert.equal(await postWith(srv, slug, chosen, csrf, key), 403, `the made-up id earns no token: ${chosen}`);
			// With the id the server gave, the same token works.
			assert.equal(await postWith(srv, slug, set.split(';')[0], csrf, key), 303);
		}
	});

	test('an id with a forged signature is refused', async () => {
		const a = new Agent(srv.url);
		const page = await a.get(`/articles/${slug}`);
		const v = a.cookie('parley_v');
		assert.match(v, /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/);
		const forged = `${v.slice(0, 23)}${v[23] === 'A' ? 'B' : 'A'}${v.slice(24)}`;
		const { csrf, key } = formTokens(page.text);
		assert.equal(await postWith(srv, slug, `parley_v=${forged}`, csrf, key), 403);
	});

	test('signing in and out gives the browser a new visitor id; tokens from before are refused', async () => {
		const email = account(srv.db);
		const a = new Agent(srv.url);
		const before = formTokens((await a.get(`/articles/${slug}`)).text);
		const v0 = a.cookie('parley_v');
		await signIn(a, email);
		const v1 = a.cookie('parley_v');
		assert.ok(v1 && v1 !== v0, 'a new id at sign-in');
		// The token learnt before sign-in no longer fits this browser.
		let r = await a.post(`/articles/${slug}/comments`, { csrf: before.csrf, key: before.key, body: unique('stale'), parent: '', website_confirm: '' });
		assert.equal(r.status, 403);
		const page = await a.get('/account/signout');
		r = await a.post('/account/signout', { csrf: csrfOf(page.text), next: '/' });
		assert.equal(r.status, 303);
		const v2 = a.cookie('parley_v');
		assert.ok(v2 && v2 !== v1, 'a new id at sign-out');
	});
});

describe('behind HTTPS', () => {
	test('the session and visitor cookies are named __Host- and read by those names only', async () => {
		const s = scratch();
		const slug = addArticle(s.db, { slug: 'tls', title: 'TLS' });
		const srv = await startServer({ db: s.db, config: `${CONFIG}[site]\nbase_url = https://comments.example.org\n` });
		try {
			const email = account(s.db);
			const a = new Agent(srv.url);
			const r = await signIn(a, email);
			const cookies = r.res.headers.getSetCookie();
			assert.ok(cookies.some((c) => /^__Host-parley_s=[^;]+; Path=\/; .*HttpOnly; SameSite=Lax; Secure$/.test(c)), cookies.join(' | '));
			assert.ok(cookies.some((c) => /^__Host-parley_v=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Secure$/.test(c)), cookies.join(' | '));
			assert.ok(!cookies.some((c) => /^parley_[sv]=/.test(c)));
			let page = await a.get('/account/settings');
			assert.equal(page.status, 200, 'signed in by the __Host- cookie');
			// The same session under the plain name counts for nothing.
			const plain = new Agent(srv.url);
			plain.setCookie('parley_s', a.cookie('__Host-parley_s'));
			page = await plain.get('/account/settings');
			assert.equal(page.status, 303);
			await a.get(`/articles/${slug}`);
		} finally {
			await stopClean(srv);
		}
	});
});
