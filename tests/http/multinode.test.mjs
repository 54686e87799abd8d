// Two `parley serve` nodes on one PostgreSQL database (PARLEY_TEST_PG, a
// fresh database): a comment posted on node A shows on node B's cached
// page within a second (B hears A's commit, src/store/pg.c), a session
// made on A is good on B, a form loaded on one node posts on the other
// (the nodes share the site's key), and a comment sent to both with the
// same form key is stored once.  Without PARLEY_TEST_PG, skipped: SQLite
// is one node's database.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	Browser, PG_BASE, addArticle, formTokens, parley, scratch, sql, startServer, stopClean, unique,
} from './util.mjs';

const PASSWORD = 'a long enough pass phrase 42';
const skip = !PG_BASE && 'PostgreSQL only (PARLEY_TEST_PG): SQLite has one node';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('two nodes on one PostgreSQL database', () => {
	let db, a, b;
	before(async () => {
		if (skip) return;
		({ db } = scratch());
		addArticle(db, { slug: 'shared', title: 'Shared' });
		// One after the other: the first makes the site's key, the
		// second reads it.
		a = await startServer({ db });
		b = await startServer({ db });
	});
	after(async () => {
		if (a) await stopClean(a);
		if (b) await stopClean(b);
	});

	// Sends a comment with the tokens of an earlier load, to node srv.
	async function send(br, srv, t, body) {
		br.base = srv.url;
		const { res } = await br.post('/articles/shared/comments', {
			csrf: t.csrf, key: t.key, author: 'Ada Reader', email: 'ada@example.org', url: '',
			body, parent: '', website_confirm: '',
		});
		return res;
	}

	test("a comment posted on A shows on B's cached page within a second", { skip }, async () => {
		const reader = new Browser(b.url);
		// Twice: the second load is B's cached page.
		for (let i = 0; i < 2; i++) assert.equal((await reader.get('/articles/shared')).res.status, 200);
		const writer = new Browser(a.url);
		const t = formTokens((await writer.get('/articles/shared')).text);
		const body = unique('across');
		assert.equal((await send(writer, a, t, body)).status, 303);
		const t0 = Date.now();
		let seen = -1;
		while (Date.now() - t0 < 3000) {
			if ((await reader.get('/articles/shared')).text.includes(body)) { seen = Date.now() - t0; break; }
			await sleep(25);
		}
		assert.ok(seen >= 0 && seen < 1000, `node B showed the comment after ${seen} ms (-1: not within 3 s)`);
	});

	test('a session made on A is good on B', { skip }, async () => {
		const u = parley(['user', 'add', 'both@example.org', 'Bo Th', 'reader', '--db', db], { input: `${PASSWORD}\n` });
		assert.equal(u.status, 0, u.stderr);
		const br = new Browser(b.url);
		assert.equal((await br.get('/account/settings')).res.status, 303, 'not signed in on B yet');
		br.base = a.url;
		const { text } = await br.get('/account/signin');
		const r = await br.post('/account/signin', { csrf: formTokens(text).csrf, email: 'both@example.org', password: PASSWORD });
		assert.equal(r.res.status, 303, r.text.slice(0, 300));
		br.base = b.url;
		assert.equal((await br.get('/account/settings')).res.status, 200, 'signed in on B');
		assert.match((await br.get('/articles/shared')).text, /You are commenting as <a href="\/users\/\d+">Bo Th<\/a>/);
	});

	test('a comment posted once is stored once, even when its form is sent to both nodes', { skip }, async () => {
		const br = new Browser(a.url);
		const t = formTokens((await br.get('/articles/shared')).text);
		const body = unique('once');
		const first = await send(br, a, t, body);
		assert.equal(first.status, 303);
		// The same form (same key) again, to the other node: the same comment.
		const again = await send(br, b, t, body);
		assert.equal(again.status, 303);
		assert.equal(again.headers.get('location'), first.headers.get('location'));
		assert.deepEqual(sql(db, `SELECT count(*) FROM comments WHERE body_md = '${body}'`), [['1']]);
		const [[count, rows]] = sql(db, "SELECT a.comment_count, (SELECT count(*) FROM comments c WHERE c.article_id = a.id) FROM articles a WHERE a.slug = 'shared'");
		assert.equal(count, rows, "the article's count agrees with its comments");
	});
});
