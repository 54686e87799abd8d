// Starts `parley serve` on a free loopback port with a scratch database,
// and offers the few HTTP helpers the tests share.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BIN = resolve(process.env.PARLEY_BIN || './parley');

// Runs a parley subcommand to completion; returns { status, stdout, stderr }.
export function parley(args, opts = {}) {
	const r = spawnSync(BIN, args, { encoding: 'utf8', ...opts });
	return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Every scratch folder this process made, removed when it ends.
// PARLEY_KEEP_SCRATCH=1 keeps them when the process ends in failure (a
// failed test), PARLEY_KEEP_SCRATCH=all keeps them always, to look inside.
const scratchDirs = [];
process.on('exit', (code) => {
	const keep = process.env.PARLEY_KEEP_SCRATCH || '';
	const failed = code !== 0 || (process.exitCode !== undefined && process.exitCode !== 0);
	if (keep === 'all' || (keep !== '' && keep !== '0' && failed)) {
		if (scratchDirs.length) process.stderr.write(`scratch folders kept: ${scratchDirs.join(' ')}\n`);
		return;
	}
	for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

// PARLEY_TEST_PG, a PostgreSQL URI (postgresql://user@host:port/db), runs
// the tests on PostgreSQL: each scratch database is then a new database of
// that server instead of a file.
export const PG_BASE = process.env.PARLEY_TEST_PG || '';

// Whether a database name is PostgreSQL's (as src/store/open.c decides for
// the names the tests use).
export function isPostgres(db) {
	return /^postgres(ql)?:\/\//.test(db);
}

// The skip option of a test (or a reason for t.skip()) that is about
// SQLite itself (its file, its WAL, the DB.secret file beside it): false
// on SQLite, the reason on PostgreSQL, so the skip is counted and shown.
export function sqliteOnly(why) {
	return PG_BASE ? `SQLite only: ${why}` : false;
}

// Skips the rest of test t on PostgreSQL with the reason; true when it did,
// so a test returns: `if (onlySqlite(t, 'why')) return;`.
export function onlySqlite(t, why) {
	if (!PG_BASE) return false;
	t.skip(`SQLite only: ${why}`);
	return true;
}

// A PostgreSQL client program (psql, pg_dump): the newest of Debian's own
// (/usr/lib/postgresql/N/bin, as tools/pg-scratch.sh picks its server),
// not the wrapper on the PATH, a Perl script that adds a tenth of a second
// to each of the suite's many calls; the PATH's where there is none.
export function pgTool(name) {
	let versions = [];
	try {
		versions = readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v)).sort((x, y) => x - y);
	} catch {
		// no Debian PostgreSQL: the PATH's
	}
	const own = versions.map((v) => `/usr/lib/postgresql/${v}/bin/${name}`).filter((p) => existsSync(p));
	return own.length ? own[own.length - 1] : name;
}

let pgSerial = 0;

// A new, empty database on the PARLEY_TEST_PG server; returns its URI.
// CREATE DATABASE copies template1 (a few hundred ms); parley migrates it
// on first open as it would a new SQLite file.
export function newPgDatabase() {
	pgSerial += 1;
	const name = `t_${process.pid}_${Date.now().toString(36)}_${pgSerial}`;
	const r = spawnSync(pgTool('psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', PG_BASE, '-c', `CREATE DATABASE ${name}`], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`CREATE DATABASE ${name} failed: ${r.stderr || r.error}`);
	const u = new URL(PG_BASE);
	u.pathname = `/${name}`;
	return u.toString();
}

// A new scratch folder and a new database: a path inside the folder
// (SQLite), or with PARLEY_TEST_PG a new PostgreSQL database, made when db
// is first read (most scratch folders only hold files).  Every test takes
// its database from here, so PARLEY_TEST_PG switches them all.
export function scratch() {
	const dir = mkdtempSync(join(tmpdir(), 'parley-test-'));
	scratchDirs.push(dir);
	if (!PG_BASE) return { dir, db: join(dir, 'parley.db') };
	let db = '';
	return {
		dir,
		get db() {
			if (db === '') db = newPgDatabase();
			return db;
		},
	};
}

// Writes an article file and adds it; returns its slug.
export function addArticle(db, { title = 'Test Article', slug = 'test-article', body = 'Body text.', extra = '' } = {}) {
	const { dir } = scratch();
	const file = join(dir, `${slug}.md`);
	writeFileSync(file, `---\ntitle: ${title}\nslug: ${slug}\nauthor: Test Author\ndate: 2026-11-01 10:00\n${extra}---\n${body}\n`);
	const r = parley(['post', 'add', file, '--db', db]);
	if (r.status !== 0) throw new Error(`post add failed: ${r.stderr}`);
	return slug;
}

// The view contract's mismatches that are known and wait for their fix
// (TEMPLATE:KEY, a key read and not put or put and not read), comma-
// separated: the server only logs them; any other mismatch fails the page.
// None is left; add one only with the fix that will remove it.
const VIEWS_PENDING = '';

// The comment budgets a test server runs with, unless its config sets them:
// tests post many comments at once from one address, the same text again,
// and the moment they load a form.  Production keeps the safe defaults
// (`parley config keys`); tests/http/flood.test.mjs tests each limit.
export const LIFTED_COMMENT_LIMITS = {
	posts_per_minute: 1000000, posts_burst: 1000000, posts_per_hour: 1000000,
	thread_posts_per_minute: 1000000, site_posts_per_minute: 1000000,
	min_fill_seconds: 0, duplicate_minutes: 0,
};

// config with the lifted comment budgets added after it (so its own line
// numbers hold), each only where config does not set it.
export function withLiftedLimits(config = '') {
	const missing = Object.entries(LIFTED_COMMENT_LIMITS)
		.filter(([k]) => !new RegExp(`^\\s*${k}\\s*=`, 'm').test(config));
	if (missing.length === 0) return config;
	const sep = config === '' || config.endsWith('\n') ? '' : '\n';
	return `${config}${sep}[comments]\n${missing.map(([k, v]) => `${k} = ${v}\n`).join('')}`;
}

// Starts the server; resolves to { url, proc, stop(signal), logs() }.
// env adds variables to the server's environment (PARLEY_CLOCK_FILE, ...).
// Test servers run in checked mode (PARLEY_CHECK_VIEWS=1): a view that
// disagrees with its template, or a handler reading a field its route does
// not declare, fails the request; PARLEY_CHECK_VIEWS=log only logs.
export async function startServer({ db, config, env } = {}) {
	const s = db ? { db } : scratch();
	const args = ['serve', '--db', s.db, '--listen', '127.0.0.1:0'];
	const file = join(scratch().dir, 'parley.ini');
	writeFileSync(file, withLiftedLimits(config));
	args.push('--config', file);
	const checked = { PARLEY_CHECK_VIEWS: '1', PARLEY_CHECK_VIEWS_PENDING: VIEWS_PENDING };
	const proc = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...checked, ...process.env, ...env } });
	let stderr = '';
	let stdout = '';
	proc.stdout.on('data', (d) => { stdout += d; });
	const url = await new Promise((res, rej) => {
		const timer = setTimeout(() => rej(new Error(`server did not start: ${stderr}`)), 10000);
		proc.stderr.on('data', (d) => {
			stderr += d;
			const m = /serving .* on (http:\/\/[^/]+)\//.exec(stderr);
			if (m) { clearTimeout(timer); res(m[1]); }
		});
		proc.on('exit', (code) => { clearTimeout(timer); rej(new Error(`server exited ${code}: ${stderr}`)); });
	});
	const exited = new Promise((res) => proc.on('exit', (code, sig) => res({ code, sig })));
	return {
		url,
		db: s.db,
		proc,
		logs: () => ({ stdout, stderr }),
		// Stops the server; resolves to its exit { code, sig }.
		async stop(signal = 'SIGTERM') {
			if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
			return exited;
		},
	};
}

// A tiny cookie jar for fetch.
export class Browser {
	constructor(base) { this.base = base; this.cookies = new Map(); }
	cookieHeader() { return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '); }
	remember(res) {
		for (const c of res.headers.getSetCookie()) {
			const [pair] = c.split(';');
			const i = pair.indexOf('=');
			const name = pair.slice(0, i), value = pair.slice(i + 1);
			if (/Max-Age=0/i.test(c)) this.cookies.delete(name); else this.cookies.set(name, value);
		}
	}
	async get(path, headers = {}) {
		const res = await fetch(this.base + path, { redirect: 'manual', headers: { cookie: this.cookieHeader(), ...headers } });
		this.remember(res);
		return { res, text: await res.text() };
	}
	async post(path, fields, headers = {}) {
		const body = fields instanceof URLSearchParams ? fields : new URLSearchParams(fields);
		const res = await fetch(this.base + path, {
			method: 'POST', redirect: 'manual', body,
			headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded', ...headers },
		});
		this.remember(res);
		return { res, text: await res.text() };
	}
}

// The hidden form tokens (csrf, key) in a page.
export function formTokens(html) {
	const csrf = /name="csrf" value="([^"]*)"/.exec(html);
	const key = /name="key" value="([^"]*)"/.exec(html);
	return { csrf: csrf && csrf[1], key: key && key[1] };
}
