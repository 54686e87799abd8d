// The database under faults, seen through HTTP:
// - removed or moved while serving: no further post is acknowledged, the
//   reader gets "not saved", /healthz names what happened, nothing makes
//   an empty database at the path, and a restart on the old path refuses;
//   after a move and kill -9, the moved files hold every acknowledged
//   comment once, no refused one, and a refused post sent again is stored
//   once;
// - a database the start must refuse: damaged pages, another program's
//   file, a schema newer than the binary, a read-only file, no database
//   named; a Parley file from before the application id is adopted;
// - a write lock held by another process: posts answered in bounded time,
//   keep-alive readers not held up, nothing refused stored later;
// - the command line's changes seen in cached pages while posts keep coming.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, existsSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import http from 'node:http';
import {
	addArticle, browser, openForm, parley, scratch, sql, sqliteOnly, startServer, stopClean, textareaValue, unique,
} from './util.mjs';

const servers = [];
after(async () => { for (const s of servers) await s.stop('SIGKILL'); });

async function serve(opts) {
	const srv = await startServer(opts);
	servers.push(srv);
	return srv;
}

// One reader's comment form, sent as often as wanted with the same key.
async function reader(srv, slug) {
	const b = browser(srv);
	const t = await openForm(b, slug);
	return {
		b,
		async post(body, key = t.key) {
			const form = new URLSearchParams({
				csrf: t.csrf, key, author: 'Ada Reader', email: 'ada@example.org', url: '',
				body, parent: '', website_confirm: '',
			});
			const { res, text } = await b.post(`/articles/${slug}/comments`, form);
			return { status: res.status, text, location: res.headers.get('location') };
		},
	};
}

// n readers, each with a form of their own, loaded now: they post later.
function readers(srv, slug, n) {
	return Promise.all(Array.from({ length: n }, () => reader(srv, slug)));
}

// Each reader posts once (a unique body): [{ body, status, text, r }].
async function postEach(list, prefix) {
	const out = [];
	for (const r of list) {
		const body = unique(prefix);
		const { status, text } = await r.post(body);
		out.push({ body, status, text, r });
	}
	return out;
}

async function health(srv) {
	const res = await fetch(`${srv.url}/healthz`);
	return { status: res.status, text: (await res.text()).trim() };
}

function count(db, body) {
	return Number(sql(db, `SELECT count(*) FROM comments WHERE body_md = '${body}'`)[0][0]);
}

describe('the database file removed or moved while serving', () => {
	test('removed: every later post refused as not saved, /healthz says so, no empty database made, a restart refuses', { skip: sqliteOnly('a removed database file; a PostgreSQL database is no file') }, async () => {
		const { db } = scratch();
		addArticle(db, { slug: 'removed' });
		const srv = await serve({ db });
		const before = await postEach(await readers(srv, 'removed', 3), 'before');
		assert.deepEqual(before.map((p) => p.status), [303, 303, 303]);
		assert.deepEqual(await health(srv), { status: 200, text: 'ok' });
		const late = await readers(srv, 'removed', 5);

		rmSync(db);
		const afterRm = await postEach(late, 'after-rm');
		assert.deepEqual(afterRm.map((p) => p.status), [503, 503, 503, 503, 503], 'no post after the removal is acknowledged');
		// A thread that still reads the removed file shows the form again
		// with the text; one that cannot read it has only its error page.
		for (const p of afterRm) {
			if (textareaValue(p.text) === null) continue;
			assert.match(p.text, /could not be saved|could not make sure/);
			assert.equal(textareaValue(p.text), p.body, 'the text comes back');
		}
		const h = await health(srv);
		assert.equal(h.status, 503);
		assert.match(h.text, /removed or moved/);
		assert.match(srv.logs().stderr, /removed or moved away while serving/);
		// Readers on new threads do not make an empty database at the path.
		await Promise.all(Array.from({ length: 20 }, () => fetch(`${srv.url}/articles/removed`).then((r) => r.text())));
		assert.equal(existsSync(db), false, 'no database was created at the path');

		assert.equal((await srv.stop('SIGKILL')).sig, 'SIGKILL');
		const r = parley(['serve', '--db', db, '--listen', '127.0.0.1:0'], { timeout: 15000 });
		assert.equal(r.status, 1, r.stderr);
		assert.match(r.stderr, /is missing, but its site's key .* is there/);
		assert.equal(existsSync(db), false);
	});

	test('moved: later posts refused; after kill -9 the moved files hold each acknowledged comment once, no refused one; a refused post sent again is stored once', { skip: sqliteOnly('a moved database file; a PostgreSQL database is no file') }, async () => {
		const { db, dir } = scratch();
		addArticle(db, { slug: 'moved' });
		const srv = await serve({ db });
		const acked = await postEach(await readers(srv, 'moved', 4), 'acked');
		assert.deepEqual(acked.map((p) => p.status), [303, 303, 303, 303]);
		const late = await readers(srv, 'moved', 4);

		const moved = `${dir}/elsewhere.db`;
		// The database moves; its key stays behind too (and is copied along).
		for (const ext of ['', '-wal', '-shm']) renameSync(db + ext, moved + ext);
		copyFileSync(`${db}.secret`, `${moved}.secret`);
		const refused = await postEach(late, 'refused');
		assert.deepEqual(refused.map((p) => p.status), [503, 503, 503, 503]);
		assert.match((await health(srv)).text, /removed or moved/);
		assert.equal((await srv.stop('SIGKILL')).sig, 'SIGKILL');

		// The old path: refused, not a new empty site.
		const old = parley(['serve', '--db', db, '--listen', '127.0.0.1:0'], { timeout: 15000 });
		assert.equal(old.status, 1, old.stderr);
		assert.match(old.stderr, /is missing, but its site's key/);
		assert.equal(existsSync(db), false);

		const again = await serve({ db: moved });
		for (const p of acked) assert.equal(count(moved, p.body), 1, `acknowledged ${p.body} is there once`);
		for (const p of refused) assert.equal(count(moved, p.body), 0, `refused ${p.body} is not there`);
		// Each refused reader sends the same form again (same key).
		for (const p of refused) {
			const r = await reader(again, 'moved');
			const sent = await r.post(p.body);
			assert.equal(sent.status, 303);
			assert.equal(count(moved, p.body), 1);
		}
		await stopClean(again);
	});
});

describe('a database the start refuses, with a message and a non-zero exit', () => {
	// Starts `parley serve` on db; resolves to { status, stderr } once it exits.
	function start(args) {
		return parley(['serve', '--listen', '127.0.0.1:0', ...args], { timeout: 15000 });
	}

	function parleyDb() {
		const s = scratch();
		addArticle(s.db, { slug: 'checked' });
		return s;
	}

	test('damaged pages', { skip: sqliteOnly('damaged b-tree pages of the file') }, () => {
		const { db } = parleyDb();
		// The comments table's first page gets a broken b-tree header.
		const [[root]] = sql(db, "SELECT rootpage FROM sqlite_master WHERE name = 'comments'");
		const fd = openSync(db, 'r+');
		writeSync(fd, Buffer.alloc(64, 0xff), 0, 64, (Number(root) - 1) * 4096);
		closeSync(fd);
		const r = start(['--db', db]);
		assert.equal(r.status, 1, r.stderr);
		assert.match(r.stderr, /the database is damaged/);
	});

	test("another program's SQLite file: refused, and left as it was", { skip: sqliteOnly('a SQLite file of another program') }, () => {
		const { db } = scratch();
		sql(db, 'CREATE TABLE notes (x); INSERT INTO notes VALUES (1)');
		const r = start(['--db', db]);
		assert.equal(r.status, 1, r.stderr);
		assert.match(r.stderr, /not a Parley database/);
		assert.deepEqual(sql(db, "SELECT name FROM sqlite_master WHERE type = 'table'"), [['notes']]);
	});

	test('a schema newer than this binary', { skip: sqliteOnly('PRAGMA user_version') }, () => {
		const { db } = parleyDb();
		sql(db, 'PRAGMA user_version = 999');
		const r = start(['--db', db]);
		assert.equal(r.status, 1, r.stderr);
		assert.match(r.stderr, /schema \(version 999\) is newer than this Parley/);
	});

	test('a read-only database file', { skip: sqliteOnly('the mode of the database file') }, () => {
		const { db, dir } = parleyDb();
		chmodSync(db, 0o444);
		// root writes whatever the mode: run as nobody then, who can read.
		const asRoot = process.getuid && process.getuid() === 0;
		if (asRoot) {
			chmodSync(dir, 0o755);
			chmodSync(`${db}.secret`, 0o644);
			// The scratch folders above it may be the runner's own (0700).
			const top = dirname(tmpdir());
			for (let p = dirname(dir); p.startsWith(top) && p.length > top.length; p = dirname(p)) {
				const mode = statSync(p).mode & 0o7777;
				if ((mode & 0o001) === 0) chmodSync(p, mode | 0o711);
			}
		}
		const r = parley(['serve', '--listen', '127.0.0.1:0', '--db', db],
			{ timeout: 15000, ...(asRoot ? { uid: 65534, gid: 65534 } : {}) });
		assert.equal(r.status, 1, r.stderr);
		assert.match(r.stderr, /read-only/);
	});

	test('[server] db empty: no temporary database, no key file made', () => {
		const { dir } = scratch();
		const conf = `${dir}/parley.ini`;
		const fd = openSync(conf, 'w');
		writeSync(fd, '[server]\ndb =\n');
		closeSync(fd);
		const r = parley(['serve', '--config', conf, '--listen', '127.0.0.1:0'], { cwd: dir, timeout: 15000 });
		assert.equal(r.status, 1, r.stderr);
		assert.match(r.stderr, /no database named/);
		assert.equal(existsSync(`${dir}/.secret`), false);
	});

	test('a Parley database from before the application id is adopted', { skip: sqliteOnly('PRAGMA application_id') }, async () => {
		const { db } = parleyDb();
		// The schema as it was just before 009_application_id.sql.
		sql(db, 'PRAGMA application_id = 0; PRAGMA user_version = 8');
		const srv = await serve({ db });
		assert.deepEqual(await health(srv), { status: 200, text: 'ok' });
		await stopClean(srv);
		assert.equal(sql(db, 'PRAGMA application_id')[0][0], String(0x50524c59));
	});
});

// Holds the write lock from another process (the sqlite3 shell) until
// release(); resolves once it is held.
async function holdWriteLock(db) {
	const p = spawn('sqlite3', [db], { stdio: ['pipe', 'pipe', 'pipe'] });
	let out = '';
	p.stdout.on('data', (d) => { out += d; });
	const exited = new Promise((res) => p.on('exit', (code) => res(code)));
	p.stdin.write("BEGIN IMMEDIATE;\nUPDATE articles SET tags = 'held';\nSELECT 'lock-held';\n");
	const end = Date.now() + 10000;
	while (!out.includes('lock-held')) {
		if (Date.now() > end || p.exitCode !== null) throw new Error('sqlite3 did not take the lock');
		await new Promise((r) => setTimeout(r, 20));
	}
	return { release: () => { p.stdin.end('ROLLBACK;\n.quit\n'); return exited; } };
}

// A GET on a kept-alive connection; resolves to its time in ms.
function timedGet(agent, url) {
	const t0 = Date.now();
	return new Promise((resolve, reject) => {
		http.get(url, { agent }, (res) => {
			res.resume();
			res.on('end', () => resolve(Date.now() - t0));
		}).on('error', reject);
	});
}

describe('a write lock held by another process', () => {
	test('posts are refused within 4 s, readers are not held up, and nothing refused is stored later', { skip: sqliteOnly('the write lock taken by the sqlite3 shell') }, async () => {
		const { db } = scratch();
		addArticle(db, { slug: 'locked' });
		const srv = await serve({ db, config: '[server]\nthreads = 2\n' });
		const readers = await Promise.all(Array.from({ length: 6 }, () => reader(srv, 'locked')));
		const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
		const lock = await holdWriteLock(db);
		let posts, reads;
		try {
			const started = Date.now();
			const postsDone = Promise.all(readers.map(async (r, i) => {
				const body = unique(`locked-${i}`);
				const t0 = Date.now();
				const res = await r.post(body);
				return { body, status: res.status, ms: Date.now() - t0 };
			}));
			reads = [];
			while (Date.now() - started < 4000) {
				reads.push(...await Promise.all(Array.from({ length: 4 }, () => timedGet(agent, `${srv.url}/articles/locked`))));
				await new Promise((r) => setTimeout(r, 50));
			}
			posts = await postsDone;
		} finally {
			await lock.release();
			agent.destroy();
		}
		for (const p of posts) {
			assert.equal(p.status, 503, 'refused while the lock is held');
			assert.ok(p.ms < 4000, `a post answered after ${p.ms} ms`);
		}
		assert.ok(Math.max(...reads) < 500, `the slowest read took ${Math.max(...reads)} ms`);
		await new Promise((r) => setTimeout(r, 500));
		for (const p of posts) assert.equal(count(db, p.body), 0, 'a refused post is never stored later');
		const ok = await readers[0].post(unique('after-lock'), 'fresh-key-after-lock');
		assert.equal(ok.status, 303);
		await stopClean(srv);
	});
});

describe('the command line beside a busy server', () => {
	test('`parley post close` shows on the cached page within 1.5 s while posts keep coming', async () => {
		const { db } = scratch();
		addArticle(db, { slug: 'busy' });
		addArticle(db, { slug: 'busy-other' });
		const srv = await serve({ db });
		const b = browser(srv);
		assert.doesNotMatch((await b.get('/articles/busy')).text, /Comments are closed/);
		let stop = false;
		const posting = (async () => {
			const r = await reader(srv, 'busy-other');
			let i = 0;
			while (!stop) await r.post(`busy ${i}`, `busy-key-${i++}`);
		})();
		await new Promise((r) => setTimeout(r, 500));
		const closed = parley(['post', 'close', 'busy', '--db', db]);
		assert.equal(closed.status, 0, closed.stderr);
		const t0 = Date.now();
		let seen = -1;
		while (Date.now() - t0 < 3000) {
			const { text } = await b.get('/articles/busy');
			if (/Comments are closed/.test(text)) { seen = Date.now() - t0; break; }
			await new Promise((r) => setTimeout(r, 50));
		}
		stop = true;
		await posting;
		assert.ok(seen >= 0 && seen < 1500, `the closed discussion showed after ${seen} ms`);
		await stopClean(srv);
	});
});
