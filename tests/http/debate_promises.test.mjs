// Promises of docs/debates.md that the other debate tests leave open: the
// winner is the side whose share grew most (shown on the page, while open
// and once closed), ties and missing phases said as such, readers who
// voted once counted apart, results shown after a vote in either phase,
// "this changed my mind" only while open and under the vote rate limit,
// sides in turn, and a debate with comments closed.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, formTokens, parley, scratch, startServer } from '../lib/server.mjs';
import { sql, stopClean, unique } from './util.mjs';

// A debate file with two speakers and no schedule (open at once unless
// status says otherwise).
function debateFile(slug, { status = 'open', extra = '' } = {}) {
	return `motion: Should the night market stay open past midnight?\nslug: ${slug}\n`
		+ `side a: Keep it open\nside b: Close it\nstatus: ${status}\n${extra}\n`
		+ '[speaker]\nname: Ana Stall\nside: a\n\n[opening]\nTrade is good at night.\n\n'
		+ '[speaker]\nname: Bo Quiet\nside: b\n\n[opening]\nNeighbours need sleep.\n';
}

// Adds a debate with a unique slug to the server's database; returns the slug.
function newDebate(srv, opts) {
	const slug = unique('market');
	const file = join(scratch().dir, `${slug}.txt`);
	writeFileSync(file, debateFile(slug, opts));
	const r = parley(['debate', 'add', file, '--db', srv.db]);
	assert.equal(r.status, 0, r.stderr);
	return slug;
}

// A reader who has loaded the debate page (and so holds a cookie and a token).
async function reader(srv, slug) {
	const br = new Browser(srv.url);
	const { res, text } = await br.get(`/debates/${slug}`);
	assert.equal(res.status, 200);
	br.csrf = formTokens(text).csrf;
	return br;
}

async function vote(br, slug, phase, choice) {
	const { res, text } = await br.post(`/debates/${slug}/vote`, { csrf: br.csrf, phase, choice });
	return { status: res.status, res, text };
}

// Casts, for each [pre, post] pair, one reader's votes (null: no vote in that phase).
async function cast(srv, slug, pairs) {
	for (const [pre, post] of pairs) {
		const br = await reader(srv, slug);
		if (pre) assert.equal((await vote(br, slug, 'pre', pre)).status, 303, `pre ${pre}`);
		if (post) assert.equal((await vote(br, slug, 'post', post)).status, 303, `post ${post}`);
	}
}

// The verdict line a reader sees, or null when results are hidden.
function verdict(html) {
	const m = /<p class="verdict ([a-z-]+)"><strong>([^<]*)<\/strong><\/p>/.exec(html);
	return m ? { css: m[1], text: m[2] } : null;
}

// The page as someone who has not voted sees it.
async function page(srv, slug, query = '') {
	const { res, text } = await new Browser(srv.url).get(`/debates/${slug}${query}`);
	assert.equal(res.status, 200);
	return text;
}

// Closes the debate from the command line, then waits for the running
// server to see it (the docs allow it a quarter of a second).
async function close(srv, slug) {
	const r = parley(['debate', 'close', slug, '--db', srv.db]);
	assert.equal(r.status, 0, r.stderr);
	for (let i = 0; i < 40; i++) {
		if ((await page(srv, slug)).includes('badge status-closed">Closed<')) return;
		await new Promise((res) => setTimeout(res, 50));
	}
	assert.fail('the server did not see the debate closed within two seconds');
}

describe('the winner and the results on the page', () => {
	let srv;
	before(async () => {
		// Every reader votes from 127.0.0.1: a burst no test here reaches.
		srv = await startServer({ db: scratch().db, config: '[debates]\nvotes_burst = 1000\nresults_always = true\n' });
	});
	after(() => stopClean(srv));

	test('the side that gained most wins, not the side with most votes; "leads so far" while open, "wins" once closed', async () => {
		const slug = newDebate(srv);
		// Before: 7 for A, 3 for B.  After: one reader moved from A to B,
		// so A still has most votes (6 to 4) but B gained 10 points.
		await cast(srv, slug, [
			['a', 'a'], ['a', 'a'], ['a', 'a'], ['a', 'a'], ['a', 'a'], ['a', 'a'], ['a', 'b'],
			['b', 'b'], ['b', 'b'], ['b', 'b'],
		]);
		let text = await page(srv, slug);
		assert.deepEqual(verdict(text), { css: 'side-b', text: 'Close it leads so far.' });
		assert.match(text, /<figcaption>After the debate: 10 votes<\/figcaption>/);
		await close(srv, slug);
		text = await page(srv, slug);
		assert.deepEqual(verdict(text), { css: 'side-b', text: 'Close it wins.' });
		const r = parley(['debate', 'results', slug, '--db', srv.db]);
		assert.equal(r.status, 0, r.stderr);
	});

	test('the shares before count the undecided: the side that won them over wins', async () => {
		const slug = newDebate(srv);
		// Before: A 2, B 1, undecided 3 (A 33.3%, B 16.7%).  After: A 4,
		// B 2 (66.7%, 33.3%): A gained 33.3 points, B 16.7.  Leaving the
		// undecided out would make it a tie (66.7% to 66.7% for A).
		await cast(srv, slug, [['a', 'a'], ['a', 'a'], ['b', 'b'], ['undecided', 'a'], ['undecided', 'a'], ['undecided', 'b']]);
		const text = await page(srv, slug);
		assert.deepEqual(verdict(text), { css: 'side-a', text: 'Keep it open leads so far.' });
	});

	test('equal gains are a tie, shown as such, open and closed', async () => {
		const slug = newDebate(srv);
		// Before: A 1, B 1, undecided 2.  After: A 2, B 2.  Both gain 25 points.
		await cast(srv, slug, [['a', 'a'], ['b', 'b'], ['undecided', 'a'], ['undecided', 'b']]);
		let text = await page(srv, slug);
		assert.deepEqual(verdict(text), { css: 'side-none', text: 'So far a tie: both sides have gained exactly as much.' });
		await close(srv, slug);
		text = await page(srv, slug);
		assert.deepEqual(verdict(text), { css: 'side-none', text: 'A tie: both sides gained exactly as much.' });
	});

	test('with no votes before there is no result, and the page says which is missing', async () => {
		const slug = newDebate(srv);
		await cast(srv, slug, [[null, 'a'], [null, 'a'], [null, 'b']]);
		const text = await page(srv, slug);
		assert.deepEqual(verdict(text), { css: 'side-none', text: 'No result: nobody voted before the debate, so no side can be said to have gained.' });
	});

	test('readers who voted only once count in the shares, not in the table of moves; the page says how many', async () => {
		const slug = newDebate(srv);
		await cast(srv, slug, [['a', 'b'], ['a', null], ['undecided', null], [null, 'b']]);
		const text = await page(srv, slug);
		assert.match(text, /<figcaption>Before the debate: 3 votes<\/figcaption>/);
		assert.match(text, /<figcaption>After the debate: 2 votes<\/figcaption>/);
		assert.match(text, /<caption>1 reader who voted both before and after, by their two votes<\/caption>/);
		assert.match(text, /<p class="note">2 readers voted only before and 1 only after; they count in the shares above, not in this table\.<\/p>/);
	});
});

describe('results are shown to a reader once they have voted in either phase', () => {
	let srv;
	before(async () => {
		srv = await startServer({ db: scratch().db, config: '[debates]\nvotes_burst = 1000\n' });
	});
	after(() => stopClean(srv));

	test('a reader who voted only after the debate sees the results; one who has not voted does not', async () => {
		const slug = newDebate(srv);
		const br = await reader(srv, slug);
		assert.equal(verdict((await br.get(`/debates/${slug}`)).text), null, 'hidden before voting');
		assert.equal((await vote(br, slug, 'post', 'a')).status, 303);
		const mine = (await br.get(`/debates/${slug}`)).text;
		assert.ok(verdict(mine), 'shown after a vote in the after phase');
		assert.doesNotMatch(mine, /class="results-hidden"/);
		const other = await page(srv, slug);
		assert.equal(verdict(other), null);
		assert.match(other, /class="results-hidden"/);
	});
});

describe('"this changed my mind"', () => {
	let srv;
	before(async () => {
		srv = await startServer({ db: scratch().db, config: '[debates]\nvotes_per_minute = 1\nvotes_burst = 2\n' });
	});
	after(() => stopClean(srv));

	test('marks count against the same per-network limit as votes: 429 with Retry-After', async () => {
		const slug = newDebate(srv);
		const br = await reader(srv, slug);
		const sid = /name="item" value="s(\d+)"/.exec((await br.get(`/debates/${slug}`)).text)[1];
		assert.equal((await vote(br, slug, 'pre', 'a')).status, 303, 'the first of the burst');
		let r = await br.post(`/debates/${slug}/minds`, { csrf: br.csrf, item: `s${sid}` });
		assert.equal(r.res.status, 303, 'the second of the burst, a mark');
		r = await br.post(`/debates/${slug}/minds`, { csrf: br.csrf, item: `s${Number(sid) + 1}` });
		assert.equal(r.res.status, 429, 'a mark over the limit');
		assert.ok(Number(r.res.headers.get('retry-after')) >= 1, 'Retry-After');
		const other = await reader(srv, slug);
		const v = await vote(other, slug, 'pre', 'b');
		assert.equal(v.status, 429, 'a vote over the limit the mark spent');
		assert.ok(Number(v.res.headers.get('retry-after')) >= 1);
		assert.deepEqual(sql(srv.db, `SELECT sum(minds) FROM debate_statements s JOIN debates d ON d.id = s.debate_id WHERE d.slug = '${slug}'`), [['1']]);
	});
});

describe('"this changed my mind" and comments on a closed debate', () => {
	let srv;
	before(async () => {
		srv = await startServer({ db: scratch().db, config: '[debates]\nvotes_burst = 1000\n' });
	});
	after(() => stopClean(srv));

	test('marks are taken only while the debate is open: 403 once closed, nothing counted', async () => {
		const slug = newDebate(srv);
		const br = await reader(srv, slug);
		const sid = /name="item" value="s(\d+)"/.exec((await br.get(`/debates/${slug}`)).text)[1];
		await close(srv, slug);
		const r = await br.post(`/debates/${slug}/minds`, { csrf: br.csrf, item: `s${sid}` });
		assert.equal(r.res.status, 403);
		assert.match(r.text, /Changes of mind are counted while the debate is open\./);
		assert.deepEqual(sql(srv.db, `SELECT minds FROM debate_statements WHERE id = ${sid}`), [['0']]);
	});

	test('a debate with comments: closed shows no comment form and refuses posts with 403', async () => {
		const slug = newDebate(srv, { extra: 'comments: closed\n' });
		const open = newDebate(srv);
		const br = new Browser(srv.url);
		const { text } = await br.get(`/debates/${slug}`);
		assert.doesNotMatch(text, new RegExp(`action="/debates/${slug}/comments"`));
		const t = formTokens((await br.get(`/debates/${open}`)).text);
		const body = unique('closed-debate');
		const { res } = await br.post(`/debates/${slug}/comments`, {
			csrf: t.csrf, key: t.key, author: 'Cy', email: 'cy@example.org', body, side: 'a', parent: '', website_confirm: '',
		});
		assert.equal(res.status, 403);
		assert.deepEqual(sql(srv.db, `SELECT count(*) FROM comments WHERE body_md = '${body}'`), [['0']]);
	});
});

describe('the discussion in sides-in-turn order', () => {
	let srv;
	before(async () => {
		// Two threads a page, so the order decides which threads each page holds.
		srv = await startServer({ db: scratch().db, config: '[comments]\nper_page = 2\n' });
	});
	after(() => stopClean(srv));

	test('each side\'s first thread, then each side\'s second: the larger side cannot bury the smaller', async () => {
		const slug = newDebate(srv);
		const br = new Browser(srv.url);
		const ids = {};
		// Side A posts three threads before side B's first.
		for (const [name, side] of [['a1', 'a'], ['a2', 'a'], ['a3', 'a'], ['b1', 'b'], ['b2', 'b']]) {
			const t = formTokens((await br.get(`/debates/${slug}`)).text);
			const { res } = await br.post(`/debates/${slug}/comments`, {
				csrf: t.csrf, key: t.key, author: 'Poster', email: 'p@example.org', body: `thread ${name}`, side, parent: '', website_confirm: '',
			});
			assert.equal(res.status, 303, name);
			ids[name] = Number(/#comment-(\d+)$/.exec(res.headers.get('location'))[1]);
		}
		const order = (html) => [...html.matchAll(/<li class="comment depth-0[^"]*" id="comment-(\d+)"/g)]
			.map((m) => Object.keys(ids).find((k) => ids[k] === Number(m[1])));
		const pages = async (sort) => {
			const out = [];
			for (let n = 1; n <= 3; n++) out.push(order(await page(srv, slug, `?cpage=${n}${sort}`)));
			return out;
		};
		assert.deepEqual(await pages(''), [['a1', 'a2'], ['a3', 'b1'], ['b2']], 'oldest first by default');
		assert.deepEqual(await pages('&sort=alternate'), [['a1', 'b1'], ['a2', 'b2'], ['a3']]);
	});
});
