// The publisher's CLI: `parley post add|list|open|close` and `parley demo`,
// and what the server shows after them.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parley, scratch, startServer, addArticle, browser, countHeading, stopClean } from './util.mjs';

// Writes text (or bytes) to a file in a new scratch folder; returns its path.
function file(name, content) {
	const { dir } = scratch();
	const path = join(dir, name);
	writeFileSync(path, content);
	return path;
}

const GOOD = '---\ntitle: A Good Post\nslug: a-good-post\nauthor: Pat Writer\ndate: 2026-11-02 09:15\n'
	+ 'image: /static/demo/libraries.svg\ncaption: A caption\ntags: one, two\ncomments: open\n---\n'
	+ 'The **body** here.\n';

function list(db) {
	const r = parley(['post', 'list', '--db', db]);
	assert.equal(r.status, 0, r.stderr);
	return r.stdout;
}

describe('parley post add', () => {
	// Every file goes to one `parley post add` (it takes many, and goes on
	// after a bad one), so the suite stays quick under the sanitizers.
	const { db, dir } = scratch();
	const bytes = Buffer.concat([Buffer.from('---\ntitle: Caf'), Buffer.from([0xe9]), Buffer.from('\nauthor: A\n---\nBody \xff\n', 'latin1')]);
	const files = {
		good: file('good.md', GOOD),
		noslug: file('noslug.md', '---\ntitle: Hello, World: Part 2\nauthor: A\n---\nBody\n'),
		taken: file('taken.md', GOOD.replace('A Good Post', 'Another')),
		missing: join(dir, 'nope.md'),
		latin1: file('latin1.md', bytes),
		// Some editors start a UTF-8 file with a byte-order mark.
		bom: file('bom.md', '\uFEFF---\ntitle: With a Mark\nauthor: A\ndate: 2028-02-29\n---\nBody\n'),
	};
	const bad = [
		['a missing title', '---\nslug: no-title\nauthor: A\ndate: 2026-11-02\n---\nBody\n', /title/i],
		['a bad slug', '---\ntitle: T\nslug: Not A Slug!\nauthor: A\ndate: 2026-11-02\n---\nBody\n', /slug/i],
		['a slug with a leading dash', '---\ntitle: T\nslug: -dash\nauthor: A\ndate: 2026-11-02\n---\nBody\n', /slug/i],
		['a bad date', '---\ntitle: T\nslug: bad-date\nauthor: A\ndate: 2 November 2026\n---\nBody\n', /date/i],
		['an impossible date', '---\ntitle: T\nslug: bad-date2\nauthor: A\ndate: 2026-13-45\n---\nBody\n', /date/i],
		['a day its month does not have', '---\ntitle: T\nslug: bad-date3\nauthor: A\ndate: 2026-02-30\n---\nBody\n', /date/i],
		['the 29th of February of a common year', '---\ntitle: T\nslug: bad-date4\nauthor: A\ndate: 2027-02-29\n---\nBody\n', /date/i],
		['an unknown key', '---\ntitle: T\nslug: unknown-key\nauthor: A\ncolour: blue\n---\nBody\n', /colour/],
		['a bad comments value', '---\ntitle: T\nslug: bad-comments\nauthor: A\ncomments: maybe\n---\nBody\n', /comments/i],
		['no front matter', 'Just a body\n', /front matter|---/i],
		['unclosed front matter', '---\ntitle: T\nauthor: A\n', /closing|---/i],
		['a missing author', '---\ntitle: T\nslug: no-author\n---\nBody\n', /author/i],
		['an image with a javascript: address', '---\ntitle: T\nslug: bad-image\nauthor: A\nimage: javascript:alert(1)\n---\nBody\n', /image/i],
	].map(([what, text, message], i) => ({ what, path: file(`bad${i}.md`, text), message }));
	const run = parley(['post', 'add', files.good, files.noslug, ...bad.map((x) => x.path), files.missing, files.latin1, files.taken, files.bom, '--db', db]);
	const listed = list(db);
	// The stderr lines that name a file.
	const about = (path) => run.stderr.split('\n').filter((l) => l.includes(path)).join('\n');

	test('exits non-zero when any file is refused, and says which', () => {
		assert.equal(run.status, 1, 'README: 1 for errors');
		assert.equal(about(files.good), '', 'nothing said about the good file');
	});

	test('adds an article from a Markdown file with front matter and lists it', () => {
		assert.match(run.stdout, /a-good-post/);
		assert.match(listed, /a-good-post \/ A Good Post/);
		assert.match(listed, /2026-11-02T09:15/);
		assert.doesNotMatch(listed, /comments closed/);
	});

	test('takes a file that starts with a byte-order mark, and a 29 February of a leap year', () => {
		assert.match(listed, /2028-02-29T00:00:00Z +0 +with-a-mark \/ With a Mark/);
	});

	test('closes with how many files were added and names each one that was not', () => {
		const last = run.stderr.trim().split('\n').pop();
		const refused = [...bad.map((x) => x.path), files.missing, files.latin1, files.taken];
		assert.ok(last.includes(`3 of ${refused.length + 3} files added; not added:`), last);
		for (const path of refused) assert.ok(last.includes(path), `${path} in: ${last}`);
		for (const path of [files.good, files.noslug, files.bom]) assert.ok(!last.includes(path), last);
		for (const path of [files.good, files.noslug, files.bom]) assert.ok(run.stdout.includes(`(${path})`), run.stdout);
	});

	test('makes a slug from the title when none is given', () => {
		assert.match(listed, /hello-world-part-2 \/ Hello, World: Part 2/);
	});

	for (const { what, path, message } of bad) {
		test(`refuses ${what} with a message on stderr`, () => {
			const said = about(path);
			assert.ok(said, `stderr names ${path}:\n${run.stderr}`);
			assert.match(said, message);
		});
	}

	test('refuses a file that is not there', () => {
		assert.ok(about(files.missing), run.stderr);
	});

	test('refuses a file that is not UTF-8', () => {
		assert.match(about(files.latin1), /UTF-8/i);
	});

	test('refuses a slug that is taken', () => {
		assert.match(about(files.taken), /a-good-post/);
	});

	test('stores nothing from the refused files', () => {
		const rows = listed.trim().split('\n').slice(1);
		assert.equal(rows.length, 3, listed);
		assert.doesNotMatch(listed, /Another|Caf/);
	});
});

describe('parley post close and open, parley demo', () => {
	const servers = [];
	after(async () => { for (const s of servers) await stopClean(s); });

	test('close and open change the list, and the page follows', async () => {
		const { db } = scratch();
		addArticle(db, { slug: 'shut', title: 'Shut' });
		let r = parley(['post', 'close', 'shut', '--db', db]);
		assert.equal(r.status, 0, r.stderr);
		assert.match(list(db), /shut \/ Shut \(comments closed\)/);

		const srv = await startServer({ db });
		servers.push(srv);
		const b = browser(srv);
		const page = await b.get('/articles/shut');
		assert.equal(page.res.status, 200);
		assert.match(page.text, /Comments are closed\./);
		assert.doesNotMatch(page.text, /id="commentform"/);
		await stopClean(srv);

		r = parley(['post', 'open', 'shut', '--db', db]);
		assert.equal(r.status, 0, r.stderr);
		assert.doesNotMatch(list(db), /comments closed/);
		const again = await startServer({ db });
		servers.push(again);
		const page2 = await browser(again).get('/articles/shut');
		assert.doesNotMatch(page2.text, /Comments are closed\./);
		assert.match(page2.text, /id="commentform"/);
	});

	test('close of an unknown slug fails with a message', () => {
		const { db } = scratch();
		const r = parley(['post', 'close', 'no-such-post', '--db', db]);
		assert.equal(r.status, 1);
		assert.match(r.stderr, /no-such-post/);
	});

	test('a usage error exits non-zero with the usage on stderr', () => {
		const { db } = scratch();
		const r = parley(['post', 'frobnicate', '--db', db]);
		assert.equal(r.status, 2, 'README: 2 for usage');
		assert.match(r.stderr, /usage/i);
	});

	test('demo fills a site whose pages and counts agree', async () => {
		const { db } = scratch();
		const r = parley(['demo', '--db', db]);
		assert.equal(r.status, 0, r.stderr);
		const rows = list(db).trim().split('\n').slice(1);
		assert.ok(rows.length >= 2, list(db));
		const srv = await startServer({ db });
		servers.push(srv);
		const b = browser(srv);
		const home = await b.get('/');
		assert.equal(home.res.status, 200);
		for (const row of rows) {
			const m = /^(\d+)\s+\S+\s+(\d+)\s+([a-z0-9-]+) \/ /.exec(row);
			assert.ok(m, row);
			assert.ok(home.text.includes(`href="/articles/${m[3]}"`), `front page links ${m[3]}`);
			const page = await b.get(`/articles/${m[3]}`);
			assert.equal(page.res.status, 200);
			const n = Number(m[2]);
			const heading = countHeading(page.text);
			if (n === 0) assert.equal(heading, 'No comments yet');
			else assert.match(heading, new RegExp(`^${n} thoughts? on “`));
		}
	});
});
