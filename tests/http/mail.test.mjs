// The outbox ([mail]): an email that cannot be sent is tried exactly
// max_attempts times, retry_seconds apart and more, then marked failed; an
// email the SMTP server takes is marked sent; one refused once is retried.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Browser, formTokens, parley, scratch, sql, startServer, stopClean } from './util.mjs';
import { smtpSink } from '../lib/identity.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A site with one account whose owner asks for a password reset: one email
// queued.  Resolves to { srv, db }.
async function resetRequested(mail) {
	const { db } = scratch();
	const u = parley(['user', 'add', 'owner@example.org', 'Owner', '--db', db], { input: 'a long enough pass phrase 42\n' });
	assert.equal(u.status, 0, u.stderr);
	const srv = await startServer({ db, config: `[mail]\n${mail}` });
	const b = new Browser(srv.url);
	const form = await b.get('/account/reset');
	assert.equal(form.res.status, 200);
	const r = await b.post('/account/reset', { csrf: formTokens(form.text).csrf, email: 'owner@example.org' });
	assert.equal(r.res.status, 200);
	return { srv, db };
}

// The outbox's rows: [status, attempts, recipient].
function outbox(db) {
	return sql(db, 'SELECT status, attempts, recipient FROM outbox ORDER BY id');
}

async function until(pred, ms) {
	const end = Date.now() + ms;
	while (!pred() && Date.now() < end) await sleep(100);
	return pred();
}

// A loopback port where nothing listens.
async function deadPort() {
	const s = net.createServer();
	await new Promise((r) => s.listen(0, '127.0.0.1', r));
	const { port } = s.address();
	await new Promise((r) => s.close(r));
	return port;
}

test('an SMTP server that refuses every time: exactly max_attempts tries, then failed', async () => {
	const sink = await smtpSink({ failFirst: 1000 });
	const { srv, db } = await resetRequested(`smtp_url = ${sink.url}\nretry_seconds = 1\nmax_attempts = 3\n`);
	try {
		assert.ok(await until(() => outbox(db)[0]?.[0] === 'failed', 15000), `failed in time: ${JSON.stringify(outbox(db))}`);
		assert.deepEqual(outbox(db), [['failed', '3', 'owner@example.org']]);
		assert.equal(sink.attempts.length, 3, 'three tries reached the server');
		// Backoff: 1 s, then 2 s.
		assert.ok(sink.attempts[1] - sink.attempts[0] >= 900, `first wait ${sink.attempts[1] - sink.attempts[0]} ms`);
		assert.ok(sink.attempts[2] - sink.attempts[1] >= 1900, `second wait ${sink.attempts[2] - sink.attempts[1]} ms`);
		// Given up: no more tries.
		await sleep(2500);
		assert.equal(sink.attempts.length, 3);
		assert.equal(sink.messages.length, 0);
		assert.notEqual(sql(db, 'SELECT last_error FROM outbox')[0][0], '');
	} finally {
		await stopClean(srv);
		await sink.close();
	}
});

test('nothing listening at smtp_url: failed after max_attempts, the reason kept', async () => {
	const port = await deadPort();
	const { srv, db } = await resetRequested(`smtp_url = smtp://127.0.0.1:${port}\nretry_seconds = 1\nmax_attempts = 2\n`);
	try {
		assert.ok(await until(() => outbox(db)[0]?.[0] === 'failed', 15000), `failed in time: ${JSON.stringify(outbox(db))}`);
		await sleep(1500);
		assert.deepEqual(outbox(db), [['failed', '2', 'owner@example.org']]);
		assert.match(sql(db, 'SELECT last_error FROM outbox')[0][0], /connect/i);
	} finally {
		await stopClean(srv);
	}
});

test('a working SMTP server gets the email, and it is marked sent', async () => {
	const sink = await smtpSink();
	const { srv, db } = await resetRequested(`smtp_url = ${sink.url}\nfrom = site@example.org\nretry_seconds = 1\nmax_attempts = 3\n`);
	try {
		const m = await sink.waitFor((x) => x.to.includes('owner@example.org'));
		assert.equal(m.from, 'site@example.org');
		assert.match(m.text, /\/account\/reset\?token=/);
		assert.ok(await until(() => outbox(db)[0]?.[0] === 'sent', 5000));
		assert.deepEqual(outbox(db), [['sent', '1', 'owner@example.org']]);
		assert.equal(sink.attempts.length, 1);
	} finally {
		await stopClean(srv);
		await sink.close();
	}
});

test('refused once, the email is tried again after retry_seconds and sent', async () => {
	const sink = await smtpSink({ failFirst: 1 });
	const { srv, db } = await resetRequested(`smtp_url = ${sink.url}\nretry_seconds = 1\nmax_attempts = 3\n`);
	try {
		await sink.waitFor((x) => x.to.includes('owner@example.org'));
		assert.ok(await until(() => outbox(db)[0]?.[0] === 'sent', 5000));
		assert.deepEqual(outbox(db), [['sent', '2', 'owner@example.org']]);
		assert.equal(sink.attempts.length, 2);
		assert.equal(sink.messages.length, 1, 'sent once, not twice');
	} finally {
		await stopClean(srv);
		await sink.close();
	}
});
