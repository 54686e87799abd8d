// The command line's promises: `parley init`, `parley config keys` against
// the README's table, `parley demo` run twice, every `parley debate`
// subcommand (its exit code, its output and its effect), and images in
// debate and article files that are refused.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, PG_BASE, addArticle, formTokens, isPostgres, parley, scratch, sql, startServer, stopClean } from './util.mjs';

const ROOT = new URL('../../', import.meta.url);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Writes a file in a new scratch folder; returns its path.
function file(name, text) {
	const path = join(scratch().dir, name);
	writeFileSync(path, text);
	return path;
}

function count(db, table) {
	return Number(sql(db, `SELECT count(*) FROM ${table}`)[0][0]);
}

// The schema's version, its tables and its whole text, as each backend
// keeps them (SQLite: PRAGMA user_version and sqlite_master; PostgreSQL:
// the table parley_schema and the catalogs).
function schemaVersion(db) {
	return sql(db, isPostgres(db) ? 'SELECT coalesce(max(version), 0) FROM parley_schema' : 'PRAGMA user_version')[0][0];
}

function tableNames(db) {
	return sql(db, isPostgres(db)
		? "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
		: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").map((x) => x[0]);
}

function schemaText(db) {
	if (!isPostgres(db)) return sql(db, 'SELECT sql FROM sqlite_master ORDER BY name');
	return [
		...sql(db, "SELECT table_name, column_name, data_type, coalesce(column_default, ''), is_nullable FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"),
		...sql(db, "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname"),
	];
}

describe('parley init', () => {
	const migrations = readdirSync(new URL(PG_BASE ? 'sql/postgres/' : 'sql/sqlite/', ROOT)).filter((f) => /^\d+_.*\.sql$/.test(f)).sort();
	const latest = parseInt(migrations[migrations.length - 1], 10);

	test('creates the database with every migration applied; exit 0', () => {
		const { db } = scratch();
		const r = parley(['init', '--db', db]);
		assert.equal(r.status, 0, r.stderr);
		assert.match(r.stdout, /is ready/);
		for (const m of migrations) assert.match(r.stderr, new RegExp(`applied migration ${m}`));
		assert.equal(schemaVersion(db), String(latest));
		const tables = tableNames(db);
		for (const t of ['articles', 'comments', 'debates', 'debate_votes', 'outbox', 'sessions', 'users']) {
			assert.ok(tables.includes(t), `table ${t} in ${tables}`);
		}
	});

	test('run again, it changes nothing and keeps the data; exit 0', () => {
		const { db } = scratch();
		assert.equal(parley(['init', '--db', db]).status, 0);
		addArticle(db, { slug: 'kept-by-init' });
		const schema = schemaText(db);
		const r = parley(['init', '--db', db]);
		assert.equal(r.status, 0, r.stderr);
		assert.doesNotMatch(r.stderr, /applied migration/);
		assert.deepEqual(schemaText(db), schema);
		assert.equal(schemaVersion(db), String(latest));
		assert.deepEqual(sql(db, 'SELECT slug FROM articles'), [['kept-by-init']]);
	});

	test('an extra argument is a usage error (2)', () => {
		const { db } = scratch();
		assert.equal(parley(['init', 'extra', '--db', db]).status, 2);
	});
});

describe('parley config keys', () => {
	// key "section.name" -> default, from `parley config keys`.
	function printed() {
		const r = parley(['config', 'keys']);
		assert.equal(r.status, 0, r.stderr);
		const keys = new Map();
		let section = '';
		for (const line of r.stdout.split('\n')) {
			const s = /^\[([a-z_.]+)\]$/.exec(line);
			const k = /^([a-z0-9_]+) = (.*)$/.exec(line);
			if (s) section = s[1];
			else if (k) keys.set(`${section}.${k[1]}`, k[2].trim());
		}
		return keys;
	}

	// The README's promises: its table (key, default) and the sections it
	// lists in prose, "`[mail]` (smtp_url, from, ...)".
	function documented() {
		const readme = readFileSync(new URL('README.md', ROOT), 'utf8');
		const table = new Map();
		for (const m of readme.matchAll(/^\| `\[([a-z_]+)\] ([a-z0-9_]+)` \| ([^|]*?) \|/gm)) {
			table.set(`${m[1]}.${m[2]}`, m[3].trim());
		}
		const prose = new Map();
		for (const m of readme.replace(/\s+/g, ' ').matchAll(/`\[([a-z_]+)\]` \(([^)]*)\)/g)) {
			for (const item of m[2].split(';')[0].split(',')) {
				const [name, def] = item.split('=').map((x) => x.trim());
				prose.set(`${m[1]}.${name}`, def);
			}
		}
		return { table, prose };
	}

	// Defaults the README writes as what they stand for; the program prints
	// them empty.
	const STANDS_FOR = new Set(['(none)', 'DB.secret', 'http://LISTEN']);

	test('prints every key of the README\'s table with the README\'s default', () => {
		const keys = printed();
		const { table } = documented();
		assert.ok(table.size >= 19, `the README's table has its rows (${table.size})`);
		for (const [key, def] of table) {
			assert.ok(keys.has(key), `config keys prints ${key}`);
			assert.equal(keys.get(key), STANDS_FOR.has(def) ? '' : def, `the default of ${key}`);
		}
	});

	test('every key it prints is in the README, in the table or in the prose', () => {
		const { table, prose } = documented();
		for (const [key, def] of printed()) {
			assert.ok(table.has(key) || prose.has(key), `${key} is documented in the README`);
			if (prose.has(key) && prose.get(key) !== undefined) assert.equal(def, prose.get(key), `the default of ${key}`);
		}
		for (const key of prose.keys()) assert.ok(printed().has(key), `config keys prints ${key}`);
	});

	test('each default printed is accepted by config check', () => {
		const keys = printed();
		let text = '';
		let section = '';
		for (const [key, def] of keys) {
			const [s, name] = key.split('.');
			if (s !== section) text += `[${s}]\n`;
			section = s;
			if (def !== '') text += `${name} = ${def}\n`;
		}
		const r = parley(['config', 'check', file('defaults.ini', text)]);
		assert.equal(r.status, 0, r.stderr);
	});
});

describe('parley demo', () => {
	test('run twice, it adds the demo once; exit 0 both times', () => {
		const { db } = scratch();
		const tables = ['articles', 'comments', 'debates', 'debate_speakers', 'debate_statements', 'debate_votes', 'debate_minds'];
		let r = parley(['demo', '--db', db]);
		assert.equal(r.status, 0, r.stderr);
		const first = tables.map((t) => count(db, t));
		assert.ok(first[0] >= 4 && first[1] > 0 && first[2] >= 2 && first[5] > 0, `the demo has content: ${first}`);
		r = parley(['demo', '--db', db]);
		assert.equal(r.status, 0, r.stderr);
		assert.match(r.stdout, /0 articles, 0 debates with 0 votes, and 0 comments added/);
		assert.deepEqual(tables.map((t) => count(db, t)), first);
	});
});

// A debate file: two speakers, no schedule unless extra gives one.
function debateText({ slug, status = 'open', extra = '', photo = '', opening = 'Night workers need the ferry.' }) {
	return `motion: Should the harbour ferry run all night?\nslug: ${slug}\nside a: Run it\nside b: Stop it\n`
		+ `status: ${status}\n${extra}\n[introduction]\nThe ferry question.\n\n`
		+ `[speaker]\nname: Ola Night\nside: a\n${photo ? `photo: ${photo}\n` : ''}\n[opening]\n${opening}\n\n`
		+ `[speaker]\nname: Per Day\nside: b\n\n[opening]\nThe crews need rest.\n`;
}

function addDebate(db, opts) {
	const r = parley(['debate', 'add', file(`${opts.slug}.txt`, debateText(opts)), '--db', db]);
	assert.equal(r.status, 0, r.stderr);
	return opts.slug;
}

function status(db, slug) {
	return sql(db, `SELECT status FROM debates WHERE slug = '${slug}'`)[0][0];
}

// The list's row for a slug, split into its columns.
function listed(db, slug) {
	const r = parley(['debate', 'list', '--db', db]);
	assert.equal(r.status, 0, r.stderr);
	const row = r.stdout.split('\n').find((l) => l.includes(` ${slug} / `));
	return row && row.trim().split(/\s+/);
}

// Polls a page until pred holds (a running server sees the CLI's changes
// within a quarter of a second); resolves to the last text.
async function pageUntil(b, path, pred) {
	const end = Date.now() + 3000;
	let text;
	do {
		const got = await b.get(path);
		assert.equal(got.res.status, 200);
		text = got.text;
		if (pred(text)) return text;
		await sleep(50);
	} while (Date.now() < end);
	return text;
}

describe('parley debate', () => {
	test('list: every debate with its status, round, votes and comments', () => {
		const { db } = scratch();
		let r = parley(['debate', 'list', '--db', db]);
		assert.equal(r.status, 0, r.stderr);
		assert.deepEqual(r.stdout.trim().split(/\s+/).slice(0, 5), ['ID', 'STATUS', 'ROUND', 'VOTES', 'COMMENTS']);
		assert.equal(r.stdout.trim().split('\n').length, 1, 'only the heading');
		addDebate(db, { slug: 'listed-open' });
		addDebate(db, { slug: 'listed-later', status: 'scheduled', extra: 'voting opens: 2099-01-01\nopening: 2099-01-01\n' });
		addDebate(db, { slug: 'listed-draft', status: 'draft' });
		r = parley(['debate', 'list', '--db', db]);
		assert.equal(r.stdout.trim().split('\n').length, 4, r.stdout);
		assert.deepEqual(listed(db, 'listed-open').slice(1, 5), ['open', 'Closing', '0', '0']);
		assert.deepEqual(listed(db, 'listed-later').slice(1, 5), ['scheduled', '-', '0', '0']);
		assert.equal(listed(db, 'listed-draft')[1], 'draft');
	});

	test('open and close: the status changes in the database, the list and the page', async () => {
		const { db } = scratch();
		const slug = addDebate(db, { slug: 'opened-by-hand', status: 'scheduled', extra: 'voting opens: 2099-01-01\nopening: 2099-01-01\n' });
		const srv = await startServer({ db });
		try {
			const b = new Browser(srv.url);
			const badge = (s) => `<span class="badge status-${s}">`;
			assert.ok((await b.get(`/debates/${slug}`)).text.includes(badge('scheduled')), 'scheduled before');

			let r = parley(['debate', 'open', slug, '--db', db]);
			assert.equal(r.status, 0, r.stderr);
			assert.equal(r.stdout, `debate ${slug} is open; voting closes until: parley debate close ${slug}\n`);
			assert.equal(status(db, slug), 'open');
			assert.equal(listed(db, slug)[1], 'open');
			let page = await pageUntil(b, `/debates/${slug}`, (t) => t.includes(badge('open')));
			assert.ok(page.includes(badge('open')), 'the page says open');
			assert.match(page, /<fieldset >/, 'the vote can be cast');

			r = parley(['debate', 'close', slug, '--db', db]);
			assert.equal(r.status, 0, r.stderr);
			assert.equal(r.stdout, `debate ${slug} is closed\n`);
			assert.equal(status(db, slug), 'closed');
			assert.equal(listed(db, slug)[1], 'closed');
			page = await pageUntil(b, `/debates/${slug}`, (t) => t.includes(badge('closed')));
			assert.ok(page.includes(badge('closed')), 'the page says closed');
			assert.doesNotMatch(page, /<fieldset >/, 'no vote once closed');
		} finally {
			await stopClean(srv);
		}
	});

	test('results: the tally, the moves and the winner', async () => {
		const { db } = scratch();
		const slug = addDebate(db, { slug: 'counted' });
		let r = parley(['debate', 'results', slug, '--db', db]);
		assert.equal(r.status, 0, r.stderr);
		assert.match(r.stdout, /^Should the harbour ferry run all night\?\nstatus: open\n/);
		assert.match(r.stdout, /\nresult: no votes\n$/);

		const srv = await startServer({ db });
		try {
			// One reader moves from Run it to Stop it; one from undecided to Stop it.
			for (const [pre, post] of [['a', 'b'], ['undecided', 'b']]) {
				const b = new Browser(srv.url);
				const { csrf } = formTokens((await b.get(`/debates/${slug}`)).text);
				for (const [phase, choice] of [['pre', pre], ['post', post]]) {
					const v = await b.post(`/debates/${slug}/vote`, { csrf, phase, choice });
					assert.equal(v.res.status, 303, `vote ${phase} ${choice}`);
				}
			}
		} finally {
			await stopClean(srv);
		}
		assert.equal(parley(['debate', 'close', slug, '--db', db]).status, 0);
		r = parley(['debate', 'results', slug, '--db', db]);
		assert.equal(r.status, 0, r.stderr);
		assert.equal(r.stdout, 'Should the harbour ferry run all night?\nstatus: closed\n'
			+ 'before: Run it 1 (50.0%), Stop it 0 (0.0%), undecided 1 (50.0%)\n'
			+ 'after:  Run it 0 (0.0%), Stop it 2 (100.0%)\n'
			+ 'moves (before -> after): Run it->Run it 0 Run it->Stop it 1 Stop it->Run it 0 Stop it->Stop it 0 undecided->Run it 0 undecided->Stop it 1\n'
			+ 'refused: 0 duplicate, 0 closed phase, 0 rate limit; changed 0\n'
			+ 'winner: Stop it (share gained: Run it -50.0, Stop it +100.0 points)\n');
		assert.deepEqual(listed(db, slug).slice(1, 4), ['closed', '-', '4']);
	});

	test('feature and unfeature: a comment of the debate, shown at the top', async () => {
		const { db } = scratch();
		const slug = addDebate(db, { slug: 'picked' });
		addArticle(db, { slug: 'elsewhere' });
		const srv = await startServer({ db });
		try {
			const b = new Browser(srv.url);
			const t = formTokens((await b.get(`/debates/${slug}`)).text);
			const { res } = await b.post(`/debates/${slug}/comments`, {
				csrf: t.csrf, key: t.key, author: 'Fay Reader', email: 'fay@example.org', body: 'Worth featuring, surely.', side: 'a',
			});
			assert.equal(res.status, 303);
			const id = /#comment-(\d+)$/.exec(res.headers.get('location'))[1];

			let r = parley(['debate', 'feature', slug, id, '--db', db]);
			assert.equal(r.status, 0, r.stderr);
			assert.equal(r.stdout, `comment ${id} is featured\n`);
			assert.equal(sql(db, `SELECT featured FROM comments WHERE id = ${id}`)[0][0], '1');
			assert.match(await pageUntil(b, `/debates/${slug}`, (x) => /class="featured-comments"/.test(x)),
				/<section class="featured-comments"[\s\S]*Worth featuring, surely\.[\s\S]*<\/section>/);

			r = parley(['debate', 'unfeature', slug, id, '--db', db]);
			assert.equal(r.status, 0, r.stderr);
			assert.equal(r.stdout, `comment ${id} is no longer featured\n`);
			assert.equal(sql(db, `SELECT featured FROM comments WHERE id = ${id}`)[0][0], '0');
			assert.doesNotMatch(await pageUntil(b, `/debates/${slug}`, (x) => !/class="featured-comments"/.test(x)),
				/class="featured-comments"/);

			// A comment of another page, or none: exit 1, nothing changed.
			const other = await b.get('/articles/elsewhere');
			const o = formTokens(other.text);
			const c = await b.post('/articles/elsewhere/comments', {
				csrf: o.csrf, key: o.key, author: 'Al', email: 'al@example.org', url: '', body: 'Not in the debate.', parent: '', website_confirm: '',
			});
			assert.equal(c.res.status, 303);
			const otherId = /#comment-(\d+)$/.exec(c.res.headers.get('location'))[1];
			r = parley(['debate', 'feature', slug, otherId, '--db', db]);
			assert.equal(r.status, 1);
			assert.match(r.stderr, new RegExp(`comment ${otherId} is not in the debate ${slug}`));
			assert.equal(sql(db, `SELECT featured FROM comments WHERE id = ${otherId}`)[0][0], '0');
			for (const bad of ['999999', 'abc', '0', '-3']) {
				r = parley(['debate', 'feature', slug, bad, '--db', db]);
				assert.equal(r.status, 1, `feature ${bad}`);
				assert.ok(r.stderr.length > 0);
			}
		} finally {
			await stopClean(srv);
		}
	});

	test('an unknown slug is an error (exit 1) for open, close, results, feature, unfeature', () => {
		const { db } = scratch();
		addDebate(db, { slug: 'known' });
		for (const args of [['open', 'nope'], ['close', 'nope'], ['results', 'nope'], ['feature', 'nope', '1'], ['unfeature', 'nope', '1']]) {
			const r = parley(['debate', ...args, '--db', db]);
			assert.equal(r.status, 1, args.join(' '));
			assert.match(r.stderr, /nope: no such debate/);
			assert.equal(r.stdout, '');
		}
		assert.equal(status(db, 'known'), 'open');
	});

	test('wrong arguments are a usage error (exit 2)', () => {
		const { db } = scratch();
		for (const args of [[], ['add'], ['list', 'extra'], ['open'], ['close', 'a', 'b'], ['results'],
			['feature', 'slug'], ['unfeature', 'slug', '1', '2'], ['reopen', 'slug']]) {
			const r = parley(['debate', ...args, '--db', db]);
			assert.equal(r.status, 2, `debate ${args.join(' ')}`);
			assert.match(r.stderr, /usage: parley debate/);
		}
	});
});

describe('images that are not http(s) or a path are refused', () => {
	for (const [what, photo] of [
		['a data: URL', 'data:image/svg+xml;base64,PHN2Zz48L3N2Zz4='],
		['a javascript: URL', 'javascript:alert(1)'],
		['a protocol-relative address', '//evil.example/x.png'],
		['a backslash address (another site to a browser)', '/\\evil.example/x.png'],
	]) {
		test(`a speaker's photo with ${what}: debate add exits 1, names the line, stores nothing`, () => {
			const { db } = scratch();
			const path = file('photo.txt', debateText({ slug: 'bad-photo', photo }));
			const r = parley(['debate', 'add', path, '--db', db]);
			assert.equal(r.status, 1, r.stderr);
			// The photo is on line 13 of the file.
			assert.match(r.stderr, new RegExp(`${path.replace(/[.]/g, '\\.')}:13: photo must be an http\\(s\\) address`));
			assert.equal(count(db, 'debates'), 0);
			assert.equal(count(db, 'debate_speakers'), 0);
			assert.equal(count(db, 'articles'), 0);
		});
	}

	test('a speaker\'s photo that is an https address or a path is taken', () => {
		const { db } = scratch();
		addDebate(db, { slug: 'good-photo', photo: 'https://example.org/p.jpg' });
		addDebate(db, { slug: 'path-photo', photo: '/static/favicon.svg' });
		assert.deepEqual(sql(db, "SELECT photo FROM debate_speakers WHERE photo != '' ORDER BY id"),
			[['https://example.org/p.jpg'], ['/static/favicon.svg']]);
	});

	test('an image in a statement\'s Markdown never keeps a data: or javascript: source', () => {
		const { db } = scratch();
		const r = parley(['debate', 'add', file('md.txt', debateText({
			slug: 'md-images', opening: '![a](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=) and ![b](javascript:alert(1))',
		})), '--db', db]);
		if (r.status === 0) {
			const html = sql(db, 'SELECT body_html FROM debate_statements').map((x) => x[0]).join('\n');
			assert.doesNotMatch(html, /data:|javascript:/i, html);
		} else {
			assert.equal(r.status, 1);
			assert.equal(count(db, 'debates'), 0);
		}
	});

	for (const [what, image] of [
		['a data: URL', 'data:image/png;base64,AAAA'],
		['a protocol-relative address', '//evil.example/x.png'],
		['a backslash address', '/\\evil.example/x.png'],
	]) {
		test(`an article's image: with ${what} is refused (exit 1), nothing stored`, () => {
			const { db } = scratch();
			const path = file('a.md', `---\ntitle: T\nslug: bad-image\nauthor: A\nimage: ${image}\n---\nBody\n`);
			const r = parley(['post', 'add', path, '--db', db]);
			assert.equal(r.status, 1, r.stderr);
			assert.match(r.stderr, /image must be an http\(s\) address or a path/);
			assert.equal(count(db, 'articles'), 0);
		});
	}
});
