// Several nodes on one PostgreSQL, and PostgreSQL failing under them: a
// rate limit spent on one node holds on the other, a mail queued once is
// sent once, and a restart of PostgreSQL in the middle of posting gives
// clear 503s, then recovery, and leaves every acknowledged comment stored
// exactly once (checked row by row).  Each test starts its own PostgreSQL
// (tools/pg-scratch.sh), since one of them restarts it.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, addArticle, formTokens, startServer } from '../lib/server.mjs';
import { Agent, csrfOf, identityConfig, smtpSink } from '../lib/identity.mjs';
import { stopClean, unique } from './util.mjs';

const PG_SERVER = spawnSync('sh', ['-c', 'ls -d /usr/lib/postgresql/*/bin/initdb'], { encoding: 'utf8' }).status === 0;
const PROXY = '[server]\ntrusted_proxies = 127.0.0.1\naccess_log = false\n';

// A PostgreSQL server of our own in a folder the server's user can reach.
function startPostgres() {
	const dir = mkdtempSync('/tmp/parley-pg-');
	chmodSync(dir, 0o755);
	const r = spawnSync('sh', ['tools/pg-scratch.sh', 'start', join(dir, 'pg')], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`pg-scratch: ${r.stderr}`);
	const uri = r.stdout.trim();
	return {
		uri,
		psql(query) {
			const q = spawnSync('psql', ['-X', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', uri, '-c', query], { encoding: 'utf8' });
			if (q.status !== 0) throw new Error(`psql: ${q.stderr}`);
			return q.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
		},
		// pg_ctl on this server, as the user that owns it.
		ctl(...args) {
			const bin = spawnSync('sh', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1'], { encoding: 'utf8' }).stdout.trim();
			// -l: the server's output to its log, not to our pipe (which
			// spawnSync would wait on for as long as the server runs).
			const cmd = [`${bin}/pg_ctl`, '-D', join(dir, 'pg', 'data'), '-l', join(dir, 'pg', 'server.log'), ...args];
			if (process.getuid() === 0) cmd.unshift('runuser', '-u', 'postgres', '--');
			const c = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8' });
			if (c.status !== 0) throw new Error(`pg_ctl ${args.join(' ')}: ${c.stderr}`);
		},
		stop() {
			spawnSync('sh', ['tools/pg-scratch.sh', 'stop', join(dir, 'pg')]);
			if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
		},
	};
}

// An article added with the CLI; returns its slug.
function newArticle(pg, slug = unique('a')) {
	return addArticle(pg.uri, { slug, title: 'Shared' });
}

// A reader at address ip: the form's tokens (from the page at formFrom,
// slug's by default), then a post to slug.
async function postAs(srv, slug, ip, body, formFrom = slug) {
	const br = new Browser(srv.url);
	const headers = { 'x-forwarded-for': ip };
	const page = await br.get(`/articles/${formFrom}`, headers);
	// A page not cached while the database is away cannot be shown.
	if (page.res.status !== 200) return { status: page.res.status, text: page.text, page: true };
	const { csrf, key } = formTokens(page.text);
	const { res, text: answer } = await br.post(`/articles/${slug}/comments`,
		{ csrf, key, body, author: 'Node Reader', email: 'reader@example.org', parent: '', website_confirm: '' }, headers);
	return { status: res.status, text: answer, retry: res.headers.get('retry-after') };
}

describe('two nodes on one PostgreSQL', { skip: !PG_SERVER && 'PostgreSQL is not installed' }, () => {
	let pg;
	before(() => { pg = startPostgres(); });
	after(() => pg && pg.stop());

	test('two nodes started together on a new database migrate it once', async () => {
		const name = `together_${process.pid}`;
		pg.psql(`CREATE DATABASE ${name}`);
		const uri = pg.uri.replace(/\/[^/]*$/, `/${name}`);
		const [a, b] = await Promise.all([startServer({ db: uri }), startServer({ db: uri })]);
		try {
			for (const srv of [a, b]) assert.equal((await fetch(`${srv.url}/healthz`)).status, 200);
			const q = (sqlText) => spawnSync('psql', ['-X', '-A', '-t', uri, '-c', sqlText], { encoding: 'utf8' }).stdout.trim();
			assert.equal(q('SELECT count(*) || \' \' || max(version) FROM parley_schema'), '1 1', 'one version row, the newest');
			assert.equal(q('SELECT count(*) FROM site_key'), '1', 'one key, which both nodes use');
			const applied = [a, b].map((srv) => /applied migration/.test(srv.logs().stderr));
			assert.deepEqual(applied.sort(), [false, true], 'one node applied the migrations, the other found them done');
		} finally {
			await stopClean(a);
			await stopClean(b);
		}
	});

	test('a comment budget spent on node A holds on node B', async () => {
		const config = `${PROXY}[comments]\nposts_burst = 2\nposts_per_minute = 1\nposts_per_hour = 100\n`;
		const a = await startServer({ db: pg.uri, config });
		const b = await startServer({ db: pg.uri, config });
		try {
			const slug = newArticle(pg);
			const ip = '203.0.113.77';
			assert.equal((await postAs(a, slug, ip, unique('one'))).status, 303);
			assert.equal((await postAs(a, slug, ip, unique('two'))).status, 303);
			const third = await postAs(b, slug, ip, unique('three'));
			assert.equal(third.status, 429, 'node B knows what A spent');
			assert.ok(Number(third.retry) >= 1, 'with Retry-After');
			// Another reader is not held by this one's budget.
			assert.equal((await postAs(b, slug, '203.0.113.78', unique('other'))).status, 303);
			// The table names buckets by a keyed hash, never an address.
			const keys = pg.psql('SELECT key FROM rate_buckets').map((r) => r[0]);
			assert.ok(keys.length > 0);
			assert.ok(keys.every((k) => /^[0-9a-f]{32}$/.test(k)), keys.join(' '));
		} finally {
			await stopClean(a);
			await stopClean(b);
		}
	});

	test('a mail queued once is sent once, with two nodes sending', async () => {
		const smtp = await smtpSink();
		const config = identityConfig({ smtp });
		const a = await startServer({ db: pg.uri, config });
		const b = await startServer({ db: pg.uri, config });
		try {
			const emails = [];
			for (let i = 0; i < 12; i++) {
				const email = `${unique('once')}@example.org`.toLowerCase();
				emails.push(email);
				const ag = new Agent((i % 2 ? a : b).url);
				let r = await ag.get('/account/signup');
				r = await ag.post('/account/signup', { csrf: csrfOf(r.text), name: unique('Name'), email, password: 'correct horse battery', next: '/' });
				assert.equal(r.status, 200, r.text.slice(0, 300));
			}
			for (const email of emails) await smtp.waitFor((m) => m.to.includes(email));
			// Both nodes look for due mail every second: give them time to
			// send a copy, were the claim not exclusive.
			await new Promise((res) => setTimeout(res, 2500));
			for (const email of emails) {
				assert.equal(smtp.messages.filter((m) => m.to.includes(email)).length, 1, email);
			}
			assert.deepEqual(pg.psql("SELECT count(*) FROM outbox WHERE status <> 'sent'"), [['0']]);
		} finally {
			await stopClean(a);
			await stopClean(b);
			await smtp.close();
		}
	});
});

describe('PostgreSQL stopped and started under load', { skip: !PG_SERVER && 'PostgreSQL is not installed' }, () => {
	let pg;
	before(() => { pg = startPostgres(); });
	after(() => pg && pg.stop());

	test('stopped and started again: clear 503s meanwhile, cached pages still served, recovery after, nothing acknowledged lost, nothing twice', async () => {
		const srv = await startServer({ db: pg.uri, config: PROXY });
		try {
			const slug = newArticle(pg);
			// Another article, cached before the outage and not written to.
			const quiet = newArticle(pg);
			await new Promise((res) => setTimeout(res, 300));
			await new Browser(srv.url).get(`/articles/${quiet}`);
			const page = await new Browser(srv.url).get(`/articles/${slug}`);
			assert.equal(page.res.status, 200);
			const answers = new Map(); // body -> status
			let stopping = false;
			let n = 0;
			const poster = async (w) => {
				while (!stopping) {
					const body = `restart-${w}-${n++}`;
					let r;
					try {
						// The form from a page that stays cached, as a
						// reader who loaded it before the outage has one:
						// each post drops slug's own page from the cache.
						r = await postAs(srv, slug, `198.51.100.${w + 1}`, body, quiet);
					} catch (e) {
						r = { status: 0, text: String(e) };
					}
					if (r.page) {
						assert.equal(r.status, 503, 'a page that cannot be read is 503');
						await new Promise((res) => setTimeout(res, 50));
						continue;
					}
					answers.set(body, r);
					if (r.status === 503) {
						assert.match(r.text, /could not (be saved|make sure)/, 'a 503 says what happened');
						assert.match(r.text, new RegExp(body), 'and keeps the text');
					}
					if (r.status !== 303) await new Promise((res) => setTimeout(res, 20));
				}
			};
			const posters = [0, 1, 2, 3].map(poster);
			await new Promise((res) => setTimeout(res, 700));
			// Down for a while, then back: a restart as an upgrade does it.
			pg.ctl('stop', '-m', 'fast', '-w');
			await new Promise((res) => setTimeout(res, 1500));
			// Reads of cached pages go on (the page posted to is dropped
			// from the cache by each post, and cannot be rendered now).
			const cached = await new Browser(srv.url).get(`/articles/${quiet}`);
			assert.equal(cached.res.status, 200, 'the cached page is served while the database is down');
			assert.equal(cached.res.headers.get('x-cache'), 'hit');
			const health = await fetch(`${srv.url}/healthz`);
			assert.equal(health.status, 503, '/healthz says the database is away');
			const downAnswers = [...answers.values()].filter((r) => r.status === 503).length;
			pg.ctl('start', '-w');
			await new Promise((res) => setTimeout(res, 300));
			// Recovered by itself: posts are stored again.
			const end = Date.now() + 10000;
			let after = 0;
			while (Date.now() < end && after < 5) {
				const r = await postAs(srv, slug, '198.51.100.200', unique('after'));
				if (r.status === 303) after++;
				else await new Promise((res) => setTimeout(res, 200));
			}
			stopping = true;
			await Promise.all(posters);
			assert.equal(after, 5, 'posting works again after the restart');
			const statuses = [...answers.values()].map((r) => r.status);
			assert.ok(statuses.some((s) => s === 303), 'posts were acknowledged');
			assert.ok(downAnswers > 0, 'posts while it was down were answered 503');
			for (const s of statuses) assert.ok([303, 503].includes(s), `only 303 or 503, got ${s}`);
			// Row by row: each acknowledged body once; each refused one absent.
			const stored = new Map();
			for (const [body] of pg.psql(`SELECT body_md FROM comments WHERE body_md LIKE 'restart-%'`)) {
				stored.set(body, (stored.get(body) || 0) + 1);
			}
			for (const [body, r] of answers) {
				const count = stored.get(body) || 0;
				if (r.status === 303) assert.equal(count, 1, `${body}: acknowledged, stored once`);
				else if (/could not be saved/.test(r.text)) assert.equal(count, 0, `${body}: said not saved, and not stored`);
				else assert.ok(count <= 1, `${body}: unsure, stored at most once`);
			}
			for (const [body, count] of stored) assert.equal(count, 1, `${body} stored once`);
			const counted = pg.psql(`SELECT comment_count FROM articles WHERE slug = '${slug}'`)[0][0];
			const rows = pg.psql(`SELECT count(*) FROM comments c JOIN articles a ON a.id = c.article_id WHERE a.slug = '${slug}' AND c.status = 'approved'`)[0][0];
			assert.equal(counted, rows, 'the count matches the rows');
		} finally {
			await stopClean(srv);
		}
	});
});
