// A comment or vote post waits for its durable commit with its connection
// suspended, not a server thread held: with 2 server threads and the
// writer stuck behind another process's lock, 48 posts in flight at once
// are all taken, a page is still served meanwhile, and each post is
// acknowledged with its own comment once the commit is on disk.  A commit
// that fails answers "not saved" to exactly its own posts.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { browser, isPostgres, newArticle, newDebate, openForm, pgTool, site, sql, sqliteOnly, stopClean, unique, FORM_TYPE, formTokens } from './util.mjs';

const THREADS = 2;
const POSTS = 48;
const CONFIG = `[server]\nthreads = ${THREADS}\nper_ip_connections = 256\n[debates]\nvotes_per_minute = 1000\nvotes_burst = 1000\nvotes_per_hour = 1000000\n`;

// One form post on a connection of its own; resolves to { status, location, text }.
function send(url, cookie, fields) {
	return new Promise((resolve) => {
		const body = new URLSearchParams(fields).toString();
		const req = http.request(url, {
			method: 'POST', agent: false, timeout: 30000,
			headers: { 'content-type': FORM_TYPE, 'content-length': Buffer.byteLength(body), cookie, connection: 'close' },
		}, (res) => {
			let text = '';
			res.setEncoding('utf8');
			res.on('data', (d) => { text += d; });
			res.on('end', () => resolve({ status: res.statusCode, location: res.headers.location || null, text }));
		});
		req.on('timeout', () => req.destroy(new Error('timed out')));
		req.on('error', (e) => resolve({ status: 0, location: null, text: String(e.code || e.message) }));
		req.end(body);
	});
}

// Holds the database's write lock from the sqlite3 shell until release().
// On PostgreSQL, which has no one write lock, psql holds a lock on the
// tables comments and votes write (reads go on), with the same effect on
// those writes: they wait.
async function holdWriteLock(db) {
	const pg = isPostgres(db);
	const p = pg
		? spawn(pgTool('psql'), ['-X', '-q', '-A', '-t', db], { stdio: ['pipe', 'pipe', 'pipe'] })
		: spawn('sqlite3', [db], { stdio: ['pipe', 'pipe', 'pipe'] });
	let out = '';
	p.stdout.on('data', (d) => { out += d; });
	const exited = new Promise((res) => p.on('exit', (code) => res(code)));
	p.stdin.write(pg
		? "BEGIN;\nLOCK TABLE comments, debate_votes IN SHARE ROW EXCLUSIVE MODE;\nSELECT 'lock-held';\n"
		: "PRAGMA busy_timeout = 10000;\nBEGIN IMMEDIATE;\nSELECT 'lock-held';\n");
	const end = Date.now() + 10000;
	while (!out.includes('lock-held')) {
		if (Date.now() > end || p.exitCode !== null) throw new Error(`${pg ? 'psql' : 'sqlite3'} did not take the lock`);
		await new Promise((r) => setTimeout(r, 20));
	}
	return { release() { p.stdin.end(pg ? 'ROLLBACK;\n\\q\n' : 'ROLLBACK;\n.quit\n'); return exited; } };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('comment posts do not hold a server thread', () => {
	let srv;

	before(async () => { srv = await site({ articles: [], config: CONFIG }); });
	after(async () => { await stopClean(srv); });

	// The visitor's cookie and form token for posting to slug.
	async function visitor(slug) {
		const b = browser(srv);
		const t = await openForm(b, slug);
		return { b, csrf: t.csrf, cookie: b.cookieHeader() };
	}
	const fields = (v, key, body) => ({ csrf: v.csrf, key, author: 'Load', email: 'load@example.org', url: '', body, parent: '', website_confirm: '' });

	test(`${POSTS} posts in flight on ${THREADS} threads while the writer waits: a page is served meanwhile, every post acknowledged once`, async () => {
		const slug = newArticle(srv);
		const v = await visitor(slug);
		const run = unique('many');
		const url = `${srv.url}/articles/${slug}/comments`;
		const lock = await holdWriteLock(srv.db);
		let posts;
		try {
			posts = Array.from({ length: POSTS }, (_, i) => send(url, v.cookie, fields(v, `${run}-${i}`, `${run} comment ${i}`)));
			await sleep(500); // every post read, checked and waiting on the writer
			const t0 = Date.now();
			const page = await v.b.get(`/articles/${slug}`);
			assert.equal(page.res.status, 200, 'a page is served while the posts wait');
			assert.ok(Date.now() - t0 < 2000, `the page took ${Date.now() - t0} ms: a thread was held by a post`);
		} finally {
			assert.equal(await lock.release(), 0);
		}
		const results = await Promise.all(posts);
		assert.deepEqual(results.map((r) => r.status), Array(POSTS).fill(303), 'every post acknowledged');
		const byId = new Map(sql(srv.db, 'SELECT id, body_md FROM comments').map(([id, b]) => [id, b]));
		results.forEach((r, i) => {
			const id = (/#comment-(\d+)$/.exec(r.location) || [])[1];
			assert.equal(byId.get(id), `${run} comment ${i}`, `post ${i}'s Location names its own comment`);
		});
		assert.equal(sql(srv.db, `SELECT count(*), count(DISTINCT body_md) FROM comments WHERE body_md LIKE '${run} comment %'`)[0].join(' '), `${POSTS} ${POSTS}`);
	});

	test('a commit that fails answers "not saved" to exactly its own posts; the posts queued behind it are stored', { skip: sqliteOnly('a write fails after waiting out SQLite\'s busy timeout; PostgreSQL waits for the lock') }, async () => {
		const slug = newArticle(srv);
		const v = await visitor(slug);
		const run = unique('fail');
		const url = `${srv.url}/articles/${slug}/comments`;
		// The writer takes the first post alone and waits for the lock
		// until its time is up (3 s of waiting): that commit fails.  The
		// others queue meanwhile and form the next commit, which the
		// lock, released before their own time is up, lets through.
		const lock = await holdWriteLock(srv.db);
		let first, rest;
		try {
			first = send(url, v.cookie, fields(v, `${run}-first`, `${run} first`));
			await sleep(1500);
			rest = Array.from({ length: 8 }, (_, i) => send(url, v.cookie, fields(v, `${run}-${i}`, `${run} queued ${i}`)));
			await sleep(2250);
		} finally {
			assert.equal(await lock.release(), 0);
		}
		const f = await first;
		assert.equal(f.status, 503, 'the failed commit\'s post is not acknowledged');
		assert.match(f.text, /could not be saved/);
		const queued = await Promise.all(rest);
		assert.deepEqual(queued.map((r) => r.status), Array(8).fill(303), 'the next commit\'s posts are acknowledged');
		assert.equal(sql(srv.db, `SELECT count(*) FROM comments WHERE body_md = '${run} first'`)[0][0], '0');
		assert.equal(sql(srv.db, `SELECT count(*) FROM comments WHERE body_md LIKE '${run} queued %'`)[0][0], '8');
	});

	test(`${POSTS / 2} votes in flight on ${THREADS} threads while the writer waits: a page is served meanwhile, every vote counted once`, async () => {
		const slug = newDebate(srv);
		const voters = [];
		for (let i = 0; i < POSTS / 2; i++) {
			const b = browser(srv);
			const { res, text } = await b.get(`/debates/${slug}`);
			assert.equal(res.status, 200);
			voters.push({ cookie: b.cookieHeader(), csrf: formTokens(text).csrf });
		}
		const url = `${srv.url}/debates/${slug}/vote`;
		const lock = await holdWriteLock(srv.db);
		let votes;
		try {
			votes = voters.map((v) => send(url, v.cookie, { csrf: v.csrf, phase: 'pre', choice: 'a' }));
			await sleep(500);
			const t0 = Date.now();
			const page = await browser(srv).get(`/debates/${slug}`);
			assert.equal(page.res.status, 200, 'a page is served while the votes wait');
			assert.ok(Date.now() - t0 < 2000, `the page took ${Date.now() - t0} ms: a thread was held by a vote`);
		} finally {
			assert.equal(await lock.release(), 0);
		}
		const results = await Promise.all(votes);
		assert.deepEqual(results.map((r) => `${r.status} ${r.location}`), Array(POSTS / 2).fill(`303 /debates/${slug}?voted=pre#vote`));
		assert.equal(sql(srv.db, `SELECT count(*) FROM debate_votes v JOIN debates d ON d.id = v.debate_id WHERE d.slug = '${slug}' AND v.pre = 1`)[0][0], String(POSTS / 2));
	});
});
