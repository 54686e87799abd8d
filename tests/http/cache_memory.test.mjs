// The page cache under a reader who rotates cookies, and its exact
// invalidation.  Nothing is cached per visitor: thousands of readers, each
// with a fresh cookie and each voting, leave the cache's accounted memory
// (GET /healthz, header X-Page-Cache) under the cap set in the config and
// the server's resident memory (VmRSS) bounded.  A write drops exactly the
// pages tagged with it: the others are still served from the cache
// (X-Cache: hit).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, addArticles, formTokens, parley, postComment, scratch, startServer, stopClean } from './util.mjs';

const CAP_MB = 2;

function debateText(slug) {
	return `motion: Should the night market stay open?\nslug: ${slug}\nmoderator: Mira Host\n`
		+ `side a: Keep it\nside b: Close it\nstatus: open\n\n[introduction]\nThe market **question**.\n\n`
		+ `[speaker]\nname: Ola Night\nside: a\nbio: Sells bread.\n\n[opening]\nPeople work late.\n\n`
		+ `[speaker]\nname: Per Day\nside: b\nbio: Lives above it.\n\n[opening]\nPeople sleep.\n`;
}

function addDebate(db, slug) {
	const { dir } = scratch();
	const file = join(dir, `${slug}.txt`);
	writeFileSync(file, debateText(slug));
	const r = parley(['debate', 'add', file, '--db', db]);
	assert.equal(r.status, 0, r.stderr);
}

// What the cache holds, as the server counts it.
async function cacheStats(srv) {
	const res = await fetch(`${srv.url}/healthz`);
	await res.text();
	const m = /entries=(\d+) bytes=(\d+) max=(\d+) live=(\d+)/.exec(res.headers.get('x-page-cache') || '');
	assert.ok(m, 'the health check says what the cache holds');
	return { entries: Number(m[1]), bytes: Number(m[2]), max: Number(m[3]), live: Number(m[4]) };
}

// The server's resident memory, in bytes.
function rss(srv) {
	const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${srv.proc.pid}/status`, 'utf8'));
	return Number(m[1]) * 1024;
}

// True when the server runs under AddressSanitizer, whose quarantine holds
// freed memory on purpose: its RSS says nothing about the cache then.
function sanitized(srv) {
	return /libasan/.test(readFileSync(`/proc/${srv.proc.pid}/maps`, 'utf8'));
}

// One reader with a cookie of their own: reads the page, votes, reads it again.
async function oneReader(srv, slug, i) {
	const br = new Browser(srv.url);
	const first = await br.get(`/debates/${slug}`);
	assert.equal(first.res.status, 200);
	const { csrf } = formTokens(first.text);
	const v = await br.post(`/debates/${slug}/vote`, { csrf, phase: 'pre', choice: ['a', 'b', 'undecided'][i % 3] });
	assert.equal(v.res.status, 303, `vote ${i}: ${v.text.slice(0, 200)}`);
	const again = await br.get(`/debates/${slug}`);
	assert.equal(again.res.status, 200);
	assert.match(again.text, /class="verdict/, 'a reader who voted sees the results');
}

async function readers(srv, slug, from, n, parallel = 8) {
	let next = from;
	const end = from + n;
	await Promise.all(Array.from({ length: parallel }, async () => {
		while (next < end) await oneReader(srv, slug, next++);
	}));
}

describe('the page cache under a reader who rotates cookies', () => {
	let srv;
	const slug = 'night-market';
	const ARTICLES = 120;

	before(async () => {
		const s = scratch();
		// Pages of about 24 kB: together more than the cap, so it must evict.
		const body = 'A paragraph of the article, long enough to weigh. '.repeat(480);
		addArticles(s.db, Array.from({ length: ARTICLES }, (_, i) => ({ title: `Article ${i}`, slug: `article-${i}`, body })));
		addDebate(s.db, slug);
		srv = await startServer({
			db: s.db,
			config: `[server]\npage_cache_mb = ${CAP_MB}\naccess_log = false\n[debates]\nvotes_per_minute = 1000000\nvotes_burst = 1000000\nvotes_per_hour = 1000000\n`,
		});
	});
	after(async () => { if (srv) await stopClean(srv); });

	test('more pages than fit: the accounted memory stays under the cap', async () => {
		for (let i = 0; i < ARTICLES; i++) {
			const res = await fetch(`${srv.url}/articles/article-${i}`);
			assert.equal(res.status, 200);
			await res.text();
			if (i % 20 === 19) {
				const st = await cacheStats(srv);
				assert.equal(st.max, CAP_MB * 1024 * 1024);
				assert.ok(st.bytes <= st.max, `${st.bytes} bytes held, cap ${st.max}`);
			}
		}
		const st = await cacheStats(srv);
		assert.ok(st.entries < ARTICLES, `evicted: ${st.entries} of ${ARTICLES} pages kept`);
		// Each kept page counts its key and entry too, not only its bytes.
		assert.ok(st.bytes / st.entries > 24000, `${st.bytes / st.entries} bytes a page`);
	});

	test('thousands of fresh cookies, each voting: no growth per visitor', async () => {
		await readers(srv, slug, 0, 200); // warm up the allocator and the cache
		const before = await cacheStats(srv);
		const rss0 = rss(srv);
		let peak = before.bytes;
		for (let round = 0; round < 6; round++) {
			await readers(srv, slug, 200 + round * 300, 300);
			const st = await cacheStats(srv);
			peak = Math.max(peak, st.bytes);
			assert.ok(st.bytes <= st.max, `round ${round}: ${st.bytes} bytes held, cap ${st.max}`);
			// The debate's page and results, the articles: no entry per reader.
			assert.ok(st.entries <= before.entries + 4, `round ${round}: ${st.entries} entries, ${before.entries} before`);
			// Each vote drops the debate's entry that responses sent results
			// from: once sent, they give it back, and it is freed.
			assert.ok(st.live <= st.entries + 8, `round ${round}: ${st.live} entries not freed, ${st.entries} kept`);
		}
		const grown = rss(srv) - rss0;
		if (process.env.PARLEY_TEST_VERBOSE) console.log(`rss grew ${grown} bytes; cache ${JSON.stringify(await cacheStats(srv))}, before ${JSON.stringify(before)}, peak ${peak}`);
		// 1,800 readers and 5,400 requests.  A cache entry per visitor grew
		// the process by megabytes here; allow the allocator some slack.
		if (!sanitized(srv)) assert.ok(grown < 4 * 1024 * 1024, `the server grew by ${grown} bytes (peak cache ${peak})`);
	});
});

describe('a write drops exactly the pages tagged with it', () => {
	let srv;
	const debate = 'night-market-2';

	before(async () => {
		const s = scratch();
		addArticles(s.db, [{ title: 'One', slug: 'one' }, { title: 'Two', slug: 'two' }]);
		addDebate(s.db, debate);
		srv = await startServer({ db: s.db, config: '[server]\naccess_log = false\n' });
	});
	after(async () => { if (srv) await stopClean(srv); });

	async function how(br, path) {
		const { res } = await br.get(path);
		assert.equal(res.status, 200, path);
		return res.headers.get('x-cache');
	}

	test('a comment on one article drops its page and the front page, no other', async () => {
		const br = new Browser(srv.url);
		const pages = ['/', '/articles/one', '/articles/two', `/debates/${debate}`];
		for (const p of pages) await how(br, p);
		for (const p of pages) assert.equal(await how(br, p), 'hit', `${p} cached`);
		const before = await cacheStats(srv);
		const r = await postComment(br, 'one');
		assert.equal(r.status, 303);
		const after = await cacheStats(srv);
		// The article's page, and the two tagged as lists: the front page and
		// the key of its list of debates.
		assert.equal(after.entries, before.entries - 3, 'exactly the tagged pages dropped');
		assert.equal(await how(br, '/articles/two'), 'hit');
		assert.equal(await how(br, `/debates/${debate}`), 'hit');
		// Another reader: the poster's own page of it, with the links to
		// change their comment, is theirs alone and never cached.
		const other = new Browser(srv.url);
		assert.equal(await how(other, '/articles/one'), 'miss');
		assert.equal(await how(br, '/'), 'miss');
		assert.equal(await how(other, '/articles/one'), 'hit');
		assert.equal(await how(br, '/articles/one'), null);
	});

	test('a vote refreshes the debate\'s results, not its page nor the articles', async () => {
		const br = new Browser(srv.url);
		const { text } = await br.get(`/debates/${debate}`);
		assert.equal(await how(br, `/debates/${debate}`), 'hit');
		const { csrf } = formTokens(text);
		const v = await br.post(`/debates/${debate}/vote`, { csrf, phase: 'pre', choice: 'a' });
		assert.equal(v.res.status, 303);
		const { res, text: after } = await br.get(`/debates/${debate}`);
		assert.equal(res.headers.get('x-cache'), 'hit', 'the page, kept with holes, still serves');
		assert.match(after, /class="verdict/, 'the voter sees the results');
		assert.match(after, /1 vote\b/, 'the results count the new vote');
		assert.equal(await how(br, '/articles/two'), 'hit');
	});

	// The debate's results are kept once, beside its pages, and sent from
	// there: each reader gets the part that is theirs, on a hit as on a miss.
	test('a debate\'s kept results: a voter sees them, a reader the note, page after page', async () => {
		const voter = new Browser(srv.url);
		const reader = new Browser(srv.url);
		const { text } = await voter.get(`/debates/${debate}`);
		const v = await voter.post(`/debates/${debate}/vote`, { csrf: formTokens(text).csrf, phase: 'pre', choice: 'b' });
		assert.equal(v.res.status, 303);
		await reader.get(`/debates/${debate}`);
		for (let i = 0; i < 3; i++) {
			const a = await voter.get(`/debates/${debate}`);
			assert.equal(a.res.headers.get('x-cache'), 'hit');
			assert.match(a.text, /class="verdict/, 'the voter sees the results');
			assert.doesNotMatch(a.text, /class="results-hidden"/);
			const b = await reader.get(`/debates/${debate}`);
			assert.equal(b.res.headers.get('x-cache'), 'hit');
			assert.match(b.text, /class="results-hidden"/, 'the reader who did not vote sees the note');
			assert.doesNotMatch(b.text, /class="verdict/);
		}
	});

	test('each view of a debate is its own page: the two columns are not the thread', async () => {
		const br = new Browser(srv.url);
		for (let i = 0; i < 2; i++) {
			const thread = await br.get(`/debates/${debate}`);
			assert.doesNotMatch(thread.text, /class="comment-columns"/);
			const cols = await br.get(`/debates/${debate}?view=columns`);
			assert.match(cols.text, /class="comment-columns"/, 'the columns view');
			if (i === 1) assert.equal(cols.res.headers.get('x-cache'), 'hit');
		}
	});
});
