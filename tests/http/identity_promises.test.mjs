// Promises of docs/identity.md that the other identity tests leave open:
// a signed-in reader's name, email and website fields are ignored;
// passwords need 8 characters (not bytes); no answer tells a disabled or
// unconfirmed account from an unknown address; deleting needs the
// password as well as the word; sessions are stored only as hashes.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Agent, csrfOf, comment } from '../lib/identity.mjs';
import { addArticle, parley, scratch, startServer } from '../lib/server.mjs';
import { sql, stopClean, unique } from './util.mjs';

const PASSWORD = 'correct horse battery';
// No SMTP: emails go to the log.  Limits high enough that no test here
// spends another's attempts.
const CONFIG = '[accounts]\nsignin_per_address = 1000\nsignin_per_account = 1000\nmail_per_address = 1000\nmail_per_recipient = 1000\n';

let srv, slug;
before(async () => {
	const s = scratch();
	slug = addArticle(s.db, { slug: 'promises', title: 'Promises' });
	srv = await startServer({ db: s.db, config: CONFIG });
});
after(() => stopClean(srv));

// A verified account made with the CLI; returns its email.
function account(name = 'Reader', role = 'reader') {
	const email = `${unique('u')}@example.org`;
	const r = parley(['user', 'add', email, name, role, '--db', srv.db], { input: `${PASSWORD}\n` });
	assert.equal(r.status, 0, r.stderr);
	return email;
}

// Posts the sign-in form from a new browser; resolves to { a, r }.
async function signInAs(email, password = PASSWORD) {
	const a = new Agent(srv.url);
	const page = await a.get('/account/signin');
	const r = await a.post('/account/signin', { csrf: csrfOf(page.text), email, password, next: '/' });
	return { a, r };
}

// The page without the parts that echo the address typed in.
const strip = (text, email) => text.replaceAll(email, 'EMAIL').replace(/value="[^"]*"/g, '');

describe('a signed-in reader comments as their account', () => {
	test('the name, email and website a form sends are ignored', async () => {
		const email = account('Real Name');
		const { a, r } = await signInAs(email);
		assert.equal(r.status, 303);
		const body = unique('signed-in');
		const c = await comment(a, slug, body, { author: 'Mallory', email: 'mallory@evil.example', url: 'https://evil.example/' });
		assert.equal(c.status, 303, c.text);
		assert.deepEqual(sql(srv.db, `SELECT author, email, url FROM comments WHERE body_md = '${body}'`), [['Real Name', email, '']]);
		const page = (await new Agent(srv.url).get(`/articles/${slug}`)).text;
		assert.ok(page.includes(body));
		assert.ok(!page.includes('evil.example') && !page.includes('Mallory'), 'nothing of the forged fields is shown');
	});
});

describe('passwords', () => {
	// Signs up from a new browser; resolves to the response.
	async function signUp(password) {
		const a = new Agent(srv.url);
		const page = await a.get('/account/signup');
		return a.post('/account/signup', { csrf: csrfOf(page.text), name: 'New Reader', email: `${unique('s')}@example.org`, password, next: '/' });
	}

	test('at least 8 characters, counted in characters, not bytes', async () => {
		for (const short of ['abcdefg', 'éééé', '日本語の', '😀😀😀😀😀😀😀']) {
			const r = await signUp(short);
			assert.equal(r.status, 422, `${short} (${[...short].length} characters, ${Buffer.byteLength(short)} bytes)`);
			assert.match(r.text, /A password needs at least 8 characters\./, short);
		}
		for (const fine of ['abcdefgh', 'éééééééé', '😀😀😀😀😀😀😀😀']) {
			const r = await signUp(fine);
			assert.equal(r.status, 200, fine);
			assert.match(r.text, /Check your email/, fine);
		}
	});
});

describe('no account enumeration', () => {
	test('a disabled account answers sign-in, with the right password or not, as an unknown address does', async () => {
		const email = account('Disabled Reader');
		const d = parley(['user', 'disable', email, '--db', srv.db]);
		assert.equal(d.status, 0, d.stderr);
		const nobody = `${unique('nobody')}@example.org`;
		const unknown = (await signInAs(nobody)).r;
		assert.equal(unknown.status, 403);
		for (const password of [PASSWORD, 'not the password']) {
			const { a, r } = await signInAs(email, password);
			assert.equal(r.status, 403, password);
			assert.equal(strip(r.text, email), strip(unknown.text, nobody), password);
			assert.equal(a.cookie('parley_s'), undefined, 'no session');
		}
	});

	test('an account waiting for its email confirmation answers a wrong password as an unknown address does', async () => {
		const a = new Agent(srv.url);
		const email = `${unique('unconfirmed')}@example.org`;
		const page = await a.get('/account/signup');
		const s = await a.post('/account/signup', { csrf: csrfOf(page.text), name: 'Waiting', email, password: PASSWORD, next: '/' });
		assert.equal(s.status, 200);
		const nobody = `${unique('nobody')}@example.org`;
		const unknown = (await signInAs(nobody, 'not the password')).r;
		const wrong = (await signInAs(email, 'not the password')).r;
		assert.equal(wrong.status, 403);
		assert.equal(strip(wrong.text, email), strip(unknown.text, nobody));
		assert.doesNotMatch(wrong.text, /confirm your email/i);
		// With the right password it may say so: the owner is talking.
		const right = (await signInAs(email)).r;
		assert.equal(right.status, 403);
		assert.match(right.text, /confirm your email/i);
	});

	test('a reset request for a disabled account answers as for an unknown address', async () => {
		const email = account('Disabled Again');
		assert.equal(parley(['user', 'disable', email, '--db', srv.db]).status, 0);
		const nobody = `${unique('nobody')}@example.org`;
		const a = new Agent(srv.url);
		const csrf = csrfOf((await a.get('/account/reset')).text);
		const known = await a.post('/account/reset', { csrf, email });
		const unknown = await a.post('/account/reset', { csrf, email: nobody });
		assert.equal(known.status, 200);
		assert.equal(unknown.status, 200);
		assert.equal(strip(known.text, email), strip(unknown.text, nobody));
		assert.match(known.text, /If that address has an account here, we have sent it a/);
		assert.deepEqual(sql(srv.db, `SELECT count(*) FROM user_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = '${email}'`), [['0']], 'no reset link made');
	});
});

describe('deleting an account', () => {
	test('needs the password as well as the word "delete"', async () => {
		const email = account('Careful');
		const { a } = await signInAs(email);
		const csrf = csrfOf((await a.get('/account/settings')).text);
		const r = await a.post('/account/delete', { csrf, password: 'not the password', confirm: 'delete' });
		assert.equal(r.status, 403);
		assert.match(r.text, /Your password is not right\./);
		assert.deepEqual(sql(srv.db, `SELECT count(*) FROM users WHERE email = '${email}'`), [['1']]);
		assert.equal((await a.get('/account/settings')).status, 200, 'still signed in');
	});
});

describe('sessions', () => {
	test('the store keeps only the SHA-256 of the session token', async () => {
		const email = account('Hashed');
		const { a, r } = await signInAs(email);
		assert.equal(r.status, 303);
		const token = a.cookie('parley_s');
		assert.match(token, /^[A-Za-z0-9_-]{43}$/, '256 bits, base64url');
		const rows = sql(srv.db, `SELECT s.* FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = '${email}'`);
		assert.equal(rows.length, 1);
		const hash = createHash('sha256').update(token).digest('hex');
		assert.ok(rows[0].includes(hash), 'the hash is stored');
		assert.ok(!rows[0].some((v) => v.includes(token)), 'the token is not');
	});
});
