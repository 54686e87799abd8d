// What the configuration file promises: the page cache switch, listening on
// IPv6, errors that name the file's line, and the site secret file.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import {
	BIN, Browser, PG_BASE, addArticle, databaseMade, formTokens, isPostgres, onlySqlite, parley, pgTool, scratch, sql,
	sqliteOnly, startServer, stopClean,
} from './util.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Writes a config file in a new scratch folder; returns its path.
function configFile(text) {
	const path = join(scratch().dir, 'parley.ini');
	writeFileSync(path, text);
	return path;
}

// A database shell kept open (sqlite3, or psql for PostgreSQL), so a
// change lands within a millisecond or two of being asked for (no process
// start in between).  On PostgreSQL each run is one transaction that also
// sends the change event every write of Parley sends (src/store/pg.c), as
// another node would.
function dbShell(db) {
	const pg = isPostgres(db);
	const proc = pg
		? spawn(pgTool('psql'), ['-X', '-q', '-A', '-t', db], { stdio: ['pipe', 'pipe', 'pipe'] })
		: spawn('sqlite3', [db], { stdio: ['pipe', 'pipe', 'pipe'] });
	let out = '';
	let err = '';
	let serial = 0;
	proc.stdout.setEncoding('utf8');
	proc.stdout.on('data', (d) => { out += d; });
	proc.stderr.on('data', (d) => { err += d; });
	if (!pg) proc.stdin.write('.timeout 5000\n');
	return {
		// Runs statements; resolves once the shell has finished them.
		async run(statements) {
			serial += 1;
			const mark = `done-${serial}`;
			const sent = pg ? `BEGIN;\n${statements}\nSELECT pg_notify('parley_changes', 'tests');\nCOMMIT;` : statements;
			proc.stdin.write(`${sent}\nSELECT '${mark}';\n`);
			const end = Date.now() + 5000;
			while (!out.includes(mark)) {
				if (Date.now() > end || err) throw new Error(`${pg ? 'psql' : 'sqlite3'}: ${err || 'no answer'}`);
				await new Promise((r) => setImmediate(r));
			}
		},
		close() { proc.stdin.end(); },
	};
}

describe('[server] page_cache_mb', () => {
	// The server drops its cached pages when another process writes, but
	// only when its writer next looks (every quarter second): a title
	// changed behind its back shows at once only when pages are not cached.
	async function titleChanges(cacheMb) {
		const { db } = scratch();
		const slug = addArticle(db, { slug: 'cached-page', title: 'Original Title' });
		const srv = await startServer({ db, config: `[server]\npage_cache_mb = ${cacheMb}\n` });
		const shell = dbShell(db);
		const b = new Browser(srv.url);
		const seen = [];
		try {
			for (let i = 1; i <= 5; i++) {
				// Two loads: the second comes from the cache when there is one.
				for (let k = 0; k < 2; k++) assert.equal((await b.get(`/articles/${slug}`)).res.status, 200);
				const title = `Changed Title ${i}`;
				await shell.run(`UPDATE articles SET title = '${title}' WHERE slug = '${slug}';`);
				const page = await b.get(`/articles/${slug}`);
				assert.equal(page.res.status, 200);
				const fresh = page.text.includes(title);
				seen.push(fresh);
				if (!fresh) {
					// The change still shows soon: the cache is dropped.
					const end = Date.now() + 3000;
					let text = page.text;
					while (!text.includes(title) && Date.now() < end) {
						await sleep(50);
						text = (await b.get(`/articles/${slug}`)).text;
					}
					assert.ok(text.includes(title), 'a change made by another process shows within 3 s');
					break;
				}
			}
		} finally {
			shell.close();
			await stopClean(srv);
		}
		return seen;
	}

	test('with page_cache_mb = 0, every load renders the page anew', async () => {
		const seen = await titleChanges(0);
		assert.deepEqual(seen, [true, true, true, true, true], 'each change showed on the next load');
	});

	test('with the cache on (the default size), a load right after the change is the cached page', async (t) => {
		const seen = await titleChanges(64);
		if (onlySqlite(t, 'SQLite sees another process\'s write when its writer next polls; PostgreSQL\'s change event may drop the page before the next load')) return;
		assert.ok(seen.includes(false), `some load still showed the cached page (fresh each time: ${seen})`);
	});
});

describe('[server] listen = [::1]:0', () => {
	test('serves over IPv6 loopback', async (t) => {
		const probe = net.createServer();
		const has6 = await new Promise((res) => {
			probe.once('error', () => res(false));
			probe.listen(0, '::1', () => probe.close(() => res(true)));
		});
		if (!has6) {
			t.skip('this machine has no ::1 (IPv6 loopback)');
			return;
		}
		const { db } = scratch();
		addArticle(db, { slug: 'over-six', title: 'Over Six' });
		// startServer passes --listen, which would override the file.
		const proc = spawn(BIN, ['serve', '--db', db, '--config', configFile('[server]\nlisten = [::1]:0\n')],
			{ stdio: ['ignore', 'ignore', 'pipe'] });
		const exited = new Promise((res) => proc.on('exit', (code, sig) => res({ code, sig })));
		let stderr = '';
		try {
			const url = await new Promise((res, rej) => {
				const timer = setTimeout(() => rej(new Error(`no start: ${stderr}`)), 10000);
				proc.stderr.on('data', (d) => {
					stderr += d;
					const m = /serving .* on (http:\/\/[^/]+)\//.exec(stderr);
					if (m) { clearTimeout(timer); res(m[1]); }
				});
				proc.on('exit', (code) => { clearTimeout(timer); rej(new Error(`exited ${code}: ${stderr}`)); });
			});
			assert.match(url, /^http:\/\/\[::1\]:[1-9]\d*$/);
			const res = await fetch(`${url}/articles/over-six`);
			assert.equal(res.status, 200);
			assert.match(await res.text(), /Over Six/);
			// The same port on 127.0.0.1 is not this server.
			const port = Number(new URL(url).port);
			const v4 = await new Promise((res) => {
				const s = net.connect({ host: '127.0.0.1', port });
				s.once('connect', () => { s.destroy(); res('connected'); });
				s.once('error', (e) => res(e.code));
			});
			assert.equal(v4, 'ECONNREFUSED');
		} finally {
			if (proc.exitCode === null) proc.kill('SIGTERM');
			assert.deepEqual(await exited, { code: 0, sig: null });
		}
	});
});

describe('config errors name the line', () => {
	// Each file has its error on line 4, with good lines after it.
	const cases = [
		['an unknown key', '[site]\ntitle = Fine\n[server]\ncolour = blue\nthreads = 4\n', /unknown key server\.colour/],
		['a bad number', '[site]\ntitle = Fine\n[server]\nthreads = lots\ntimeout = 5\n', /server\.threads must be a number from 1 to 256/],
		['a number out of range', '; a comment\n[comments]\ndepth = 3\nmax_length = 0\nper_page = 10\n', /comments\.max_length must be a number/],
		['a bad true/false', '[site]\ntitle = Fine\n[server]\naccess_log = maybe\nthreads = 4\n', /server\.access_log must be true or false/],
		['a bad choice', '[site]\ntitle = Fine\n[comments]\npolicy = everyone\ndepth = 3\n', /comments\.policy must be/],
		['an unknown section', '[site]\ntitle = Fine\n[sitee]\ntitle = Typo\n[server]\nthreads = 4\n', /unknown key sitee\.title/],
		['a broken section header', '[site]\ntitle = Fine\n\n[server\nthreads = 4\n', /syntax error/],
		// Longer than the INI reader's line: named as such, on its own line.
		['a line too long', `[site]\ntitle = Fine\n\ntagline = ${'x'.repeat(300)}\n[server]\nthreads = 4\n`, /a line longer than \d+ characters/],
	];

	for (const [what, text, message] of cases) {
		test(`${what}: config check exits 1 and says FILE:4`, () => {
			const file = configFile(text);
			const r = parley(['config', 'check', file]);
			assert.equal(r.status, 1, r.stderr);
			assert.ok(r.stderr.includes(`${file}:4: `), r.stderr);
			assert.match(r.stderr, message);
			assert.equal(r.stdout, '');
		});

		test(`${what}: serve stops with exit 1 and says FILE:4`, () => {
			const file = configFile(text);
			const { db } = scratch();
			const r = parley(['serve', '--db', db, '--listen', '127.0.0.1:0', '--config', file], { timeout: 10000 });
			assert.equal(r.status, 1, r.stderr);
			assert.ok(r.stderr.includes(`${file}:4: `), r.stderr);
			assert.match(r.stderr, message);
			assert.doesNotMatch(r.stderr, /serving/);
			assert.equal(databaseMade(db), false, 'no database was made');
		});
	}

	test('a good file passes config check', () => {
		const file = configFile('[site]\ntitle = Fine\n[server]\nthreads = 4\npage_cache_mb = 0\n');
		const r = parley(['config', 'check', file]);
		assert.equal(r.status, 0, r.stderr);
		assert.equal(r.stdout, `${file}: ok\n`);
	});

	test('config check with no file is a usage error (2)', () => {
		assert.equal(parley(['config', 'check']).status, 2);
		assert.equal(parley(['config']).status, 2);
	});
});

describe('config check says ok only for what serve takes', () => {
	const checkFails = (file, message) => {
		const r = parley(['config', 'check', file]);
		assert.equal(r.status, 1, r.stderr);
		assert.match(r.stderr, message);
		assert.equal(r.stdout, '');
	};
	const serveFails = (file, message) => {
		const { db } = scratch();
		const r = parley(['serve', '--db', db, '--listen', '127.0.0.1:0', '--config', file], { timeout: 10000 });
		assert.notEqual(r.status, 0, r.stderr);
		assert.match(r.stderr, message);
		assert.doesNotMatch(r.stderr, /serving/);
	};

	test('a folder is not a config file', () => {
		const { dir } = scratch();
		checkFails(dir, /not a file/);
		serveFails(dir, /not a file/);
	});

	test('a file of NUL bytes is not a config file, and the line is named', () => {
		const path = join(scratch().dir, 'nul.ini');
		writeFileSync(path, Buffer.from('[site]\ntitle = A\n\0\0\0\n'));
		checkFails(path, /nul\.ini:3: a NUL byte/);
		serveFails(path, /NUL byte/);
	});

	test('a templates folder that is missing, or is a file, is refused', () => {
		const { dir } = scratch();
		const missing = configFile(`[site]\ntemplates = ${join(dir, 'no-such-folder')}\n`);
		checkFails(missing, /no-such-folder: No such file or directory/);
		serveFails(missing, /no-such-folder: No such file or directory/);
		const file = configFile(`[site]\ntemplates = ${missing}\n`);
		checkFails(file, /not a folder/);
	});

	test('a templates folder with a template that does not build is refused by config check too', () => {
		const { dir } = scratch();
		writeFileSync(join(dir, 'article.html'), '{{#article}} never closed');
		checkFails(configFile(`[site]\ntemplates = ${dir}\n`), /article/);
	});

	test('an OpenID preset serve does not know is refused by config check too', () => {
		const file = configFile('[oidc.x]\nclient_id = abc\npreset = yahoo\n');
		checkFails(file, /preset yahoo: not one of/);
		serveFails(file, /preset yahoo: not one of/);
	});

	test('a templates folder that exists passes', () => {
		const { dir } = scratch();
		const r = parley(['config', 'check', configFile(`[site]\ntemplates = ${dir}\n`)]);
		assert.equal(r.status, 0, r.stderr);
	});
});

describe('[site] secret_file', () => {
	// Children inherit this, so a mode asked for is the mode that shows.
	process.umask(0o022);

	// Loads an article page; resolves to its cookies and form tokens.
	async function tokens(srv, slug) {
		const b = new Browser(srv.url);
		const page = await b.get(`/articles/${slug}`);
		assert.equal(page.res.status, 200);
		return { b, ...formTokens(page.text) };
	}

	// Posts a comment with the tokens of an earlier page load.
	async function post(srv, slug, { b, csrf, key }) {
		const form = { csrf, key, author: 'Ada Reader', email: 'ada@example.org', url: '', body: `Kept ${key}`, parent: '', website_confirm: '' };
		b.base = srv.url;
		const { res } = await b.post(`/articles/${slug}/comments`, form);
		return res.status;
	}

	test('the default DB.secret is made with mode 0600 and 32 bytes, and kept across a restart', { skip: sqliteOnly('with PostgreSQL the key is kept in the database, not in a file') }, async () => {
		const { db } = scratch();
		const slug = addArticle(db, { slug: 'secret-default' });
		const path = `${db}.secret`;
		let srv = await startServer({ db });
		let t;
		try {
			assert.equal(statSync(path).mode & 0o777, 0o600);
			assert.equal(statSync(path).size, 32);
			t = await tokens(srv, slug);
		} finally {
			await stopClean(srv);
		}
		const before = readFileSync(path);
		srv = await startServer({ db });
		try {
			assert.deepEqual(readFileSync(path), before, 'the same key after a restart');
			// A token from before the restart is still good.
			assert.equal(await post(srv, slug, t), 303);
			assert.equal(sql(db, 'SELECT count(*) FROM comments')[0][0], '1');
		} finally {
			await stopClean(srv);
		}
	});

	test('with PostgreSQL and no secret_file, the key is kept in the database: no DB.secret, and a token from before a restart is still good', { skip: !PG_BASE && 'PostgreSQL only: SQLite keeps the key in DB.secret' }, async () => {
		const { db } = scratch();
		const slug = addArticle(db, { slug: 'secret-in-db' });
		let srv = await startServer({ db });
		let t;
		try {
			t = await tokens(srv, slug);
		} finally {
			await stopClean(srv);
		}
		assert.equal(existsSync(`${db}.secret`), false);
		srv = await startServer({ db });
		try {
			assert.equal(await post(srv, slug, t), 303);
			assert.equal(sql(db, 'SELECT count(*) FROM comments')[0][0], '1');
		} finally {
			await stopClean(srv);
		}
	});

	test('a secret_file set in the config is made there with mode 0600; a changed key refuses old tokens (403)', async () => {
		const { db, dir } = scratch();
		const slug = addArticle(db, { slug: 'secret-named' });
		const path = join(dir, 'site.key');
		const config = `[site]\nsecret_file = ${path}\n`;
		let srv = await startServer({ db, config });
		let t;
		try {
			assert.equal(statSync(path).mode & 0o777, 0o600);
			assert.equal(statSync(path).size, 32);
			t = await tokens(srv, slug);
		} finally {
			await stopClean(srv);
		}
		// Another key: the same browser's old token is now refused.
		writeFileSync(path, Buffer.alloc(32, 7), { mode: 0o600 });
		srv = await startServer({ db, config });
		try {
			assert.equal(await post(srv, slug, t), 403);
			assert.equal(sql(db, 'SELECT count(*) FROM comments')[0][0], '0');
		} finally {
			await stopClean(srv);
		}
	});
});
