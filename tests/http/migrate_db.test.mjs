// `parley migrate-db --from A --to B`: a SQLite site (the demo's articles,
// threads and debates with votes, accounts, a ban, a flag, a comment in
// unicode and quotes, a trained spam model) copied into a new PostgreSQL
// database and back into a new SQLite file, each copy checked table by
// table; the round trip gives the same rows and the same key, and every
// database serves the same pages.  A target with rows, a missing source,
// an unreachable server and a password on the command line are refused.
// The PostgreSQL part runs on PARLEY_TEST_PG when set, else on a scratch
// server (tools/pg-scratch.sh), and is skipped where none is installed.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parley, scratch, sql, startServer, stopClean } from './util.mjs';
import { Agent, csrfOf, signIn } from '../lib/identity.mjs';

const PASSWORD = 'correct horse battery';
const PROXY = '[server]\ntrusted_proxies = 127.0.0.1\naccess_log = false\n';
const ARTICLE = 'quiet-economics-of-public-libraries';
const DEBATE = 'grades-before-fourteen';
const TABLES = 20;
// What a reader posts, in unicode and both kinds of quotes, with what
// COPY's text format escapes (a backslash, a tab, line ends).
const UNICODE = 'Ünïcödé “curly” \'single\' "double" <b>not bold</b> — 中文 🎉\n\nA back\\slash,\ta tab, \\N and \\x00.';

// The PostgreSQL server: PARLEY_TEST_PG, or a scratch one; null when none.
let pg = null;
let pgDir = null;
let pgWhy = '';

function pgInstalled() {
	try {
		return readdirSync('/usr/lib/postgresql').some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`));
	} catch {
		return false;
	}
}

function pgStart() {
	if (process.env.PARLEY_TEST_PG) return process.env.PARLEY_TEST_PG;
	if (!pgInstalled()) {
		pgWhy = 'PostgreSQL is not installed (apt-get install postgresql)';
		return null;
	}
	// Under /tmp, 0755: as root the server runs as postgres, who must reach it.
	pgDir = mkdtempSync('/tmp/parley-pg-');
	chmodSync(pgDir, 0o755);
	const r = spawnSync('sh', ['tools/pg-scratch.sh', 'start', pgDir], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`pg-scratch start: ${r.stderr}`);
	return r.stdout.trim();
}

let pgSerial = 0;

// A new, empty database on the server; its URI.
function newPgDatabase() {
	pgSerial += 1;
	const name = `migrate_${process.pid}_${pgSerial}`;
	const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', pg, '-c', `CREATE DATABASE ${name}`], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`CREATE DATABASE: ${r.stderr}`);
	const u = new URL(pg);
	u.pathname = `/${name}`;
	return u.toString();
}

function psql(db, query) {
	const r = spawnSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', db, '-c', query], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`psql: ${r.stderr}`);
	return r.stdout.trim();
}

// Runs migrate-db; fails unless it exits 0 with every table checked.
function migrate(from, to) {
	const r = parley(['migrate-db', '--from', from, '--to', to]);
	assert.equal(r.status, 0, `migrate-db ${from} -> ${to}: ${r.stderr}`);
	const ok = r.stdout.split('\n').filter((l) => /^\w+ +\d+ rows  checksum ok$/.test(l));
	assert.equal(ok.length, TABLES, r.stdout);
	assert.match(r.stdout, /every table matches; the site's key was carried across/);
	return r;
}

// Every row of a SQLite file as text: each table in key order, values
// quoted so that NULL, '' and blobs are told apart (as .dump shows them).
function dump(db) {
	const r = spawnSync('sqlite3', [db, '.dump'], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`sqlite3 .dump: ${r.stderr}`);
	return r.stdout;
}

// A page as the tests compare it: the tokens of its forms, bound to each
// request's visitor and time, and the server's own address left out.
function canonical(html, url) {
	return html.split(url).join('ORIGIN')
		.replace(/name="csrf" value="[^"]*"/g, 'name="csrf" value="TOKEN"')
		.replace(/name="key" value="[^"]*"/g, 'name="key" value="KEY"')
		.replace(/name="stamp" value="[^"]*"/g, 'name="stamp" value="STAMP"');
}

// The pages a reader gets from a server on db.
async function pages(db) {
	const srv = await startServer({ db, config: PROXY });
	try {
		const out = {};
		for (const path of [`/articles/${ARTICLE}`, `/debates/${DEBATE}`, '/']) {
			const a = new Agent(srv.url);
			const r = await a.get(path);
			assert.equal(r.status, 200, `GET ${path} on ${db}: ${r.text.slice(0, 300)}`);
			out[path] = canonical(r.text, srv.url);
		}
		return out;
	} finally {
		await stopClean(srv);
	}
}

// Why a form was refused, as its page says.
function refusal(html) {
	return (html.match(/<(p|span) class="(form|field)-error"[^>]*>[^<]*/g) || [html.slice(0, 300)]).join('; ');
}

// Fails on the first line where a page differs, naming it.
function samePages(got, want, what) {
	for (const path of Object.keys(want)) {
		const g = got[path].split('\n'), w = want[path].split('\n');
		const i = w.findIndex((line, k) => g[k] !== line);
		if (i >= 0 || g.length !== w.length) {
			const at = i >= 0 ? i : w.length;
			assert.fail(`${path} ${what}, line ${at + 1}:\n  got  ${g[at]}\n  want ${w[at]}`);
		}
	}
}

// The site to copy: the demo, and what readers, moderators and the CLI
// add to it on a running server.
async function buildSite() {
	const { dir } = scratch();
	const db = join(dir, 'site.db');
	let r = parley(['demo', '--db', db]);
	assert.equal(r.status, 0, r.stderr);
	r = parley(['user', 'add', 'zoe@example.org', "Zoë O'Brien", 'moderator', '--db', db], { input: `${PASSWORD}\n` });
	assert.equal(r.status, 0, r.stderr);
	r = parley(['user', 'add', 'reader@example.org', 'Plain Reader', '--db', db], { input: `${PASSWORD}\n` });
	assert.equal(r.status, 0, r.stderr);
	const carry = {};
	const srv = await startServer({ db, config: PROXY });
	try {
		// An anonymous comment in unicode and quotes, and a reply to it.
		const anon = new Agent(srv.url);
		const via = { headers: { 'x-forwarded-for': '198.18.0.7' } };
		let page = await anon.get(`/articles/${ARTICLE}`, via);
		const key = () => (/name="key" value="([^"]*)"/.exec(page.text) || [])[1];
		r = await anon.post(`/articles/${ARTICLE}/comments`, {
			csrf: csrfOf(page.text), key: key(), author: 'Jöhn "Q" O\'Reilly', email: 'john@example.org',
			url: 'https://example.org/?a=1&b=2', body: UNICODE, parent: '', website_confirm: '',
		}, via);
		assert.equal(r.status, 303, refusal(r.text));
		const top = Number(/#comment-(\d+)$/.exec(r.location)[1]);
		page = await anon.get(`/articles/${ARTICLE}`, via);
		r = await anon.post(`/articles/${ARTICLE}/comments`, {
			csrf: csrfOf(page.text), key: key(), author: 'Ann', email: 'ann@example.org', url: '',
			body: 'A reply: “yes”.', parent: String(top), website_confirm: '',
		}, via);
		assert.equal(r.status, 303, refusal(r.text));
		// A member's comment, with a session kept.
		const member = new Agent(srv.url);
		await signIn(member, 'reader@example.org', PASSWORD);
		page = await member.get(`/articles/${ARTICLE}`);
		r = await member.post(`/articles/${ARTICLE}/comments`, {
			csrf: csrfOf(page.text), key: (/name="key" value="([^"]*)"/.exec(page.text) || [])[1],
			body: 'Signed in, I say so.', parent: '', website_confirm: '',
		});
		assert.equal(r.status, 303, refusal(r.text));
		carry.member = member.jar(srv.url);
		// A form loaded and not yet sent: its tokens are signed with the key.
		page = await anon.get(`/articles/${ARTICLE}`, via);
		carry.anon = anon.jar(srv.url);
		carry.form = { csrf: csrfOf(page.text), key: key() };
		// A reader's flag on the first comment.
		const flagger = new Agent(srv.url);
		const fv = { headers: { 'x-forwarded-for': '198.18.0.9' } };
		page = await flagger.get('/comments/1/flag', fv);
		assert.equal(page.status, 200, page.text.slice(0, 300));
		r = await flagger.post('/comments/1/flag', { csrf: csrfOf(page.text), reason: 'abuse', note: 'Rude: “really”.' }, fv);
		assert.equal(r.status, 303, refusal(r.text));
	} finally {
		await stopClean(srv);
	}
	// Moderation from the command line, a ban, and a model trained on it.
	r = parley(['comments', 'spam', '2', '3', '--db', db]);
	assert.equal(r.status, 0, r.stderr);
	r = parley(['ban', 'add', 'email', 'spammer@example.org', '--reason', 'Ünïcode "quoted"', '--db', db]);
	assert.equal(r.status, 0, r.stderr);
	r = parley(['spam', 'train', '--db', db]);
	assert.equal(r.status, 0, r.stderr);
	// A comment scored by that model: a real that must read back the same.
	const again = await startServer({ db, config: PROXY });
	try {
		const a = new Agent(again.url);
		const via = { headers: { 'x-forwarded-for': '198.18.0.11' } };
		const page = await a.get(`/articles/${ARTICLE}`, via);
		r = await a.post(`/articles/${ARTICLE}/comments`, {
			csrf: csrfOf(page.text), key: (/name="key" value="([^"]*)"/.exec(page.text) || [])[1], author: 'Scored',
			email: 'scored@example.org', url: '', body: 'The library budget deserves a second look.', parent: '', website_confirm: '',
		}, via);
		assert.equal(r.status, 303, refusal(r.text));
	} finally {
		await stopClean(again);
	}
	assert.ok(Number(sql(db, 'SELECT count(*) FROM comments WHERE spam_score > 0 AND spam_score < 1')[0][0]) > 0, 'a scored comment');
	for (const [table, min] of [['users', 2], ['sessions', 1], ['comment_flags', 1], ['bans', 1], ['moderation_log', 2], ['spam_model', 1], ['debate_votes', 10]]) {
		assert.ok(Number(sql(db, `SELECT count(*) FROM ${table}`)[0][0]) >= min, table);
	}
	// NULLs beside empty text: top-level comments have no parent, a form's
	// comment a key, the demo's none.
	assert.ok(Number(sql(db, 'SELECT count(*) FROM comments WHERE parent_id IS NULL AND request_key IS NULL')[0][0]) > 0);
	assert.ok(Number(sql(db, "SELECT count(*) FROM comments WHERE request_key IS NOT NULL AND url = ''")[0][0]) > 0);
	return { dir, db, carry };
}

// An agent for url with the cookies of jar, a browser's from another server.
function agentWith(url, jar) {
	const a = new Agent(url);
	for (const [k, v] of jar) a.setCookie(k, v);
	return a;
}

// What the site's key keeps working on a copy: a member's session, and an
// anonymous reader's form sent after the move, its tokens signed before.
async function keyCarried(db, { member, anon, form }) {
	const srv = await startServer({ db, config: PROXY });
	try {
		const m = agentWith(srv.url, member);
		const page = await m.get(`/articles/${ARTICLE}`);
		assert.match(page.text, /You are commenting as <a href="[^"]*">Plain Reader<\/a>/, `signed in on ${db}`);
		const a = agentWith(srv.url, anon);
		const r = await a.post(`/articles/${ARTICLE}/comments`, {
			...form, author: 'Late Reader', email: 'late@example.org', url: '',
			body: 'Sent after the move.', parent: '', website_confirm: '',
		}, { headers: { 'x-forwarded-for': '198.18.0.7' } });
		assert.equal(r.status, 303, `a form signed before the move, on ${db}: ${refusal(r.text)}`);
	} finally {
		await stopClean(srv);
	}
}

describe('parley migrate-db', () => {
	let site;
	let original;

	before(async () => {
		site = await buildSite();
		original = await pages(site.db);
		try {
			pg = pgStart();
		} catch (e) {
			pg = null;
			pgWhy = String(e.message || e);
		}
	});

	after(() => {
		if (pgDir) {
			spawnSync('sh', ['tools/pg-scratch.sh', 'stop', pgDir], { encoding: 'utf8' });
			rmSync(pgDir, { recursive: true, force: true });
		}
	});

	test('SQLite to a new SQLite file: the same rows, the same key (0600), the same pages; sessions and forms still work', async () => {
		const to = join(scratch().dir, 'copy.db');
		migrate(site.db, to);
		assert.equal(dump(to), dump(site.db));
		assert.deepEqual(readFileSync(`${to}.secret`), readFileSync(`${site.db}.secret`));
		assert.equal(statSync(`${to}.secret`).mode & 0o777, 0o600);
		samePages(await pages(to), original, 'served from the copy');
		await keyCarried(to, site.carry);
	});

	// The PostgreSQL copy, served by the next test.
	let mid = null;

	test('SQLite to PostgreSQL and back: the same rows and key, the same pages from the file', async (t) => {
		if (!pg) {
			t.skip(pgWhy || 'no PostgreSQL server');
			return;
		}
		mid = newPgDatabase();
		migrate(site.db, mid);
		// The key is the database's now, and ids go on after the copied.
		assert.equal(psql(mid, "SELECT encode(key, 'hex') FROM site_key"), readFileSync(`${site.db}.secret`).toString('hex'));
		const max = Number(psql(mid, 'SELECT max(id) FROM comments'));
		assert.equal(Number(psql(mid, "SELECT nextval(pg_get_serial_sequence('comments', 'id'))")), max + 1);
		const first = 'FROM comments WHERE parent_id IS NULL AND request_key IS NOT NULL ORDER BY id LIMIT 1';
		assert.equal(psql(mid, `SELECT encode(convert_to(body_md, 'UTF8'), 'hex') ${first}`), sql(site.db, `SELECT lower(hex(body_md)) ${first}`)[0][0]);
		assert.match(psql(mid, `SELECT body_md ${first}`), /A back\\slash,\ta tab, \\N and \\x00\.$/);
		assert.equal(psql(mid, "SELECT count(*) FROM comments WHERE body_hash IS NULL"), sql(site.db, 'SELECT count(*) FROM comments WHERE body_hash IS NULL')[0][0]);
		// The spam model's bytes, as bytes.
		assert.equal(psql(mid, "SELECT encode(data, 'hex') FROM spam_model"), sql(site.db, 'SELECT lower(hex(data)) FROM spam_model')[0][0]);

		const back = join(scratch().dir, 'back.db');
		migrate(mid, back);
		assert.equal(dump(back), dump(site.db));
		assert.deepEqual(readFileSync(`${back}.secret`), readFileSync(`${site.db}.secret`));
		assert.equal(statSync(`${back}.secret`).mode & 0o777, 0o600);

		samePages(await pages(back), original, 'served from the round-tripped file');
		await keyCarried(back, site.carry);
	});

	test('served from the PostgreSQL copy: the same pages; sessions and forms still work', async (t) => {
		if (!pg) {
			t.skip(pgWhy || 'no PostgreSQL server');
			return;
		}
		assert.ok(mid, 'the copy into PostgreSQL was made');
		samePages(await pages(mid), original, 'served from PostgreSQL');
		await keyCarried(mid, site.carry);
	});

	test('a target that holds rows is refused, and left as it was', async (t) => {
		const to = join(scratch().dir, 'full.db');
		migrate(site.db, to);
		const before = dump(to);
		const r = parley(['migrate-db', '--from', site.db, '--to', to]);
		assert.equal(r.status, 1);
		assert.match(r.stderr, /the target .*full\.db is not empty \(articles holds rows\)/);
		assert.equal(dump(to), before);
		if (!pg) {
			t.skip(pgWhy || 'no PostgreSQL server');
			return;
		}
		const mid = newPgDatabase();
		migrate(site.db, mid);
		const again = parley(['migrate-db', '--from', site.db, '--to', mid]);
		assert.equal(again.status, 1);
		assert.match(again.stderr, /is not empty \(articles holds rows\)/);
		assert.equal(psql(mid, 'SELECT count(*) FROM comments'), sql(site.db, 'SELECT count(*) FROM comments')[0][0]);
	});

	test('bad names: a missing source, an unreachable server, a password, the same database twice, usage', () => {
		const { dir } = scratch();
		let r = parley(['migrate-db', '--from', join(dir, 'missing.db'), '--to', join(dir, 'new.db')]);
		assert.equal(r.status, 1);
		assert.match(r.stderr, /missing\.db: No such file or directory/);
		assert.equal(existsSync(join(dir, 'missing.db')), false, 'no empty site made in its place');

		r = parley(['migrate-db', '--from', site.db, '--to', 'postgresql://parley@127.0.0.1:1/nowhere']);
		assert.equal(r.status, 1);
		assert.match(r.stderr, /target postgresql:\/\/parley@127\.0\.0\.1:1\/nowhere: PostgreSQL: cannot connect/);

		r = parley(['migrate-db', '--from', site.db, '--to', 'postgresql://parley:hunter2@127.0.0.1:1/x']);
		assert.equal(r.status, 1);
		assert.match(r.stderr, /carries a password/);
		assert.doesNotMatch(r.stderr, /hunter2/);
		r = parley(['migrate-db', '--from', 'host=127.0.0.1 dbname=x password=hunter2', '--to', join(dir, 'x.db')]);
		assert.equal(r.status, 1);
		assert.match(r.stderr, /carries a password/);

		r = parley(['migrate-db', '--from', site.db, '--to', site.db]);
		assert.equal(r.status, 1);
		assert.match(r.stderr, /name the same database/);

		for (const args of [['migrate-db'], ['migrate-db', '--from', site.db], ['migrate-db', '--to', 'x.db'], ['migrate-db', '--from', site.db, '--to', 'x.db', 'extra'], ['migrate-db', '--from'], ['migrate-db', '--db', site.db, '--from', site.db, '--to', 'x.db']]) {
			r = parley(args);
			assert.equal(r.status, 2, args.join(' '));
			assert.match(r.stderr, /usage: parley migrate-db --from DB --to DB/);
		}
		assert.match(parley(['help']).stdout, /parley migrate-db --from DB --to DB/);
	});
});
