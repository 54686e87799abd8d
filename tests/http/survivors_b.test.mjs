// Promises no other test checked exactly (found by surviving mutants):
// - the OpenID callback's state must equal this browser's state cookie in
//   every character, not only in a prefix;
// - a comment whose write failed (here: another process holds the
//   database's write lock past the busy timeout) is never acknowledged
//   with a 303: the reader gets the form back with their text and an
//   error, nothing is stored, and the same post works once the lock goes.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
	smtpSink, Agent, identityConfig, identitySite, realProvider, providerLogin,
} from '../lib/identity.mjs';
import {
	browser, newArticle, openForm, site, sql, sqliteOnly, stopClean, textareaValue, unique,
} from './util.mjs';

describe('OpenID callback: the whole state must be this browser\'s', () => {
	let smtp, real, s, server;

	before(async () => {
		smtp = await smtpSink();
		real = await realProvider();
		const providers = `[oidc.local]\nissuer = ${real.issuer}\nclient_id = ${real.clientId}\nclient_secret = ${real.clientSecret}\nlabel = Local ID\n`;
		s = await identitySite(identityConfig({ smtp, providers }));
		server = s.server;
		real.attach(server.url, 'local');
	});
	after(async () => {
		await stopClean(server);
		await smtp.close();
		await real.close();
	});

	test('a state cookie that differs from the state only after its first characters is refused', async () => {
		const a = new Agent(server.url);
		const callback = await providerLogin(a, '/auth/local/start', 'prefix-carol');
		const state = new URL(callback).searchParams.get('state');
		assert.equal(a.cookie('parley_oidc'), state, 'the flow set this browser\'s state cookie');
		assert.ok(state.length > 9, state);
		// The same length, the same first 8 (and more) characters; one
		// character differs: the last, then the ninth.
		const flip = (c) => (c === 'A' ? 'B' : 'A');
		const last = state.slice(0, -1) + flip(state.slice(-1));
		const ninth = state.slice(0, 8) + flip(state[8]) + state.slice(9);
		for (const [what, cookie] of [['last character', last], ['ninth character', ninth]]) {
			a.setCookie('parley_oidc', cookie);
			const r = await a.get(callback);
			assert.equal(r.status, 400, `a cookie differing in its ${what}`);
			assert.equal(a.cookie('parley_s'), undefined, `no session (${what})`);
		}
		assert.equal(sql(s.db, "SELECT count(*) FROM identities WHERE subject = 'prefix-carol'")[0][0], '0');
		// The refusals kept the flow unused: with the right cookie it signs in.
		a.setCookie('parley_oidc', state);
		const ok = await a.get(callback);
		assert.equal(ok.status, 303, ok.text.slice(0, 300));
		assert.ok(a.cookie('parley_s'), 'signed in with the whole state');
		assert.equal(sql(s.db, "SELECT count(*) FROM identities WHERE subject = 'prefix-carol'")[0][0], '1');
	});
});

// Holds the database's write lock from another process (the sqlite3 shell)
// until release() is called; resolves once the lock is held.
async function holdWriteLock(db) {
	const p = spawn('sqlite3', [db], { stdio: ['pipe', 'pipe', 'pipe'] });
	let out = '';
	let err = '';
	p.stdout.on('data', (d) => { out += d; });
	p.stderr.on('data', (d) => { err += d; });
	const exited = new Promise((res) => p.on('exit', (code) => res(code)));
	p.stdin.write("BEGIN IMMEDIATE;\nSELECT 'lock-held';\n");
	const end = Date.now() + 10000;
	while (!out.includes('lock-held')) {
		if (Date.now() > end || p.exitCode !== null) throw new Error(`sqlite3 did not take the lock: ${err}`);
		await new Promise((r) => setTimeout(r, 20));
	}
	return {
		async release() {
			p.stdin.end('ROLLBACK;\n.quit\n');
			return exited;
		},
	};
}

describe('a comment whose write failed is not acknowledged', () => {
	let srv;

	before(async () => { srv = await site({ articles: [] }); });
	after(async () => { await stopClean(srv); });

	test('the database is locked by another process past the busy timeout: no 303, nothing stored, the text kept', { skip: sqliteOnly('SQLite\'s write lock held by the sqlite3 shell past its busy timeout') }, async () => {
		const b = browser(srv);
		const slug = newArticle(srv);
		const body = unique('Held back by a lock');
		// Tokens first: the page is read before the lock (reads are not blocked in WAL anyway).
		const t = await openForm(b, slug);
		const form = new URLSearchParams({
			csrf: t.csrf, key: t.key, author: 'Ada Reader', email: 'ada@example.org', url: '',
			body, parent: '', website_confirm: '',
		});
		const lock = await holdWriteLock(srv.db);
		let res, text;
		try {
			({ res, text } = await b.post(`/articles/${slug}/comments`, form));
		} finally {
			assert.equal(await lock.release(), 0, 'the sqlite3 shell ended cleanly');
		}
		assert.notEqual(res.status, 303, 'a comment that was not stored is not acknowledged');
		assert.equal(res.status, 503);
		assert.equal(res.headers.get('location'), null);
		assert.match(text, /could not be saved/);
		assert.equal(textareaValue(text), body, 'the reader\'s text comes back to send again');
		assert.equal(sql(srv.db, `SELECT count(*) FROM comments WHERE body_md = '${body}'`)[0][0], '0');
		assert.match(srv.logs().stderr, new RegExp(`comment on ${slug} not stored`));

		// The lock gone, the same comment (fresh tokens) is stored and acknowledged.
		const again = await openForm(b, slug);
		form.set('csrf', again.csrf);
		form.set('key', again.key);
		const ok = await b.post(`/articles/${slug}/comments`, form);
		assert.equal(ok.res.status, 303);
		assert.match(ok.res.headers.get('location'), new RegExp(`^/articles/${slug}#comment-\\d+$`));
		assert.equal(sql(srv.db, `SELECT count(*) FROM comments WHERE body_md = '${body}'`)[0][0], '1');
	});
});
