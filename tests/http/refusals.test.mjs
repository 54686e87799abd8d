// Refused votes are counted per reader, and the vote limits per network.
// Before: 300 votes after a phase had closed took 0.1 s and the page then
// said "301 votes after their phase had closed"; one IPv4 address cast some
// 380 votes an hour with fresh cookies, and each address of a /24 had limits
// of its own.  Addresses are set with X-Forwarded-For from a trusted proxy
// (the loopback address the tests connect from).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Browser, formTokens, parley, scratch, startServer, sql, newDebate } from './util.mjs';

const PROXY = '[server]\ntrusted_proxies = 127.0.0.1\n';

// Runs fn on a fresh server; the server is always stopped (a failed
// assertion must not leave it running), and must exit 0.  Resolves to the
// database, for what stopping saved.
async function withSite(debates, fn) {
	const srv = await startServer({ db: scratch().db, config: `${PROXY}[debates]\n${debates}` });
	let stopped = false;
	try {
		await fn(srv);
		stopped = true;
		assert.equal((await srv.stop()).code, 0);
	} finally {
		if (!stopped) await srv.stop();
	}
	return srv.db;
}

// A reader from address ip: a fresh cookie, the page's form token.
async function reader(srv, slug, ip) {
	const br = new Browser(srv.url);
	const { res, text } = await br.get(`/debates/${slug}`, { 'x-forwarded-for': ip });
	assert.equal(res.status, 200);
	br.ip = ip;
	br.csrf = formTokens(text).csrf;
	return br;
}

async function vote(br, slug, choice = 'a') {
	const { res } = await br.post(`/debates/${slug}/vote`, { csrf: br.csrf, phase: 'pre', choice },
		{ 'x-forwarded-for': br.ip });
	return res.status;
}

function counters(db, slug) {
	const [row] = sql(db, `SELECT refused_duplicate, refused_closed, refused_rate FROM debates WHERE slug = '${slug}'`);
	const [dup, closed, rate] = row.map(Number);
	return { dup, closed, rate };
}

function tally(list) {
	const n = {};
	for (const s of list) n[s] = (n[s] || 0) + 1;
	return n;
}

test('300 votes after the phase closed, from one reader, are one refusal', async () => {
	let slug;
	const db = await withSite('', async (srv) => {
		slug = newDebate(srv);
		const br = await reader(srv, slug, '127.0.0.1');
		const c = parley(['debate', 'close', slug, '--db', srv.db]);
		assert.equal(c.status, 0, c.stderr);
		await new Promise((res) => setTimeout(res, 300));
		const statuses = [];
		for (let i = 0; i < 300; i++) statuses.push(await vote(br, slug));
		// The rate limit holds for them too: 20 at once, then 429.
		assert.deepEqual(tally(statuses), { 403: 20, 429: 280 });
		const page = (await new Browser(srv.url).get(`/debates/${slug}`)).text;
		assert.match(page, /<span class="refused-closed">1<\/span> votes after their phase had closed/);
		assert.match(page, /each reader counted once/);
	});
	// Stopping saved what was still pending.
	assert.deepEqual(counters(db, slug), { dup: 0, closed: 1, rate: 1 });
});

test('the same vote sent again and again is one repeat', async () => {
	let slug;
	const db = await withSite('votes_burst = 1000\n', async (srv) => {
		slug = newDebate(srv);
		const br = await reader(srv, slug, '127.0.0.1');
		assert.equal(await vote(br, slug), 303);
		for (let i = 0; i < 30; i++) assert.equal(await vote(br, slug), 303);
	});
	assert.equal(counters(db, slug).dup, 1);
});

test('fresh cookies from every address of a /24 share one limit; another /24 has its own', async () => {
	let slug;
	const db = await withSite('', async (srv) => {
		slug = newDebate(srv);
		const statuses = [];
		for (let i = 0; i < 40; i++) {
			const br = await reader(srv, slug, `127.0.0.${2 + (i % 8)}`);
			statuses.push(await vote(br, slug));
		}
		assert.deepEqual(tally(statuses), { 303: 20, 429: 20 }, 'the burst is the /24\'s, not each address\'s');
		const other = await reader(srv, slug, '10.9.8.7');
		assert.equal(await vote(other, slug), 303, 'another network votes');
	});
	assert.equal(counters(db, slug).rate, 1, 'one network over the limit, counted once');
});

test('votes_per_hour bounds a network however it spreads its votes', async () => {
	await withSite('votes_burst = 1000\nvotes_per_minute = 1000\nvotes_per_hour = 5\n', async (srv) => {
		const slug = newDebate(srv);
		const statuses = [];
		for (let i = 0; i < 8; i++) statuses.push(await vote(await reader(srv, slug, `127.0.0.${10 + i}`), slug));
		assert.deepEqual(statuses, [303, 303, 303, 303, 303, 429, 429, 429]);
	});
});

test('votes_ipv4_prefix = 32 limits each address alone', async () => {
	await withSite('votes_burst = 2\nvotes_ipv4_prefix = 32\n', async (srv) => {
		const slug = newDebate(srv);
		const statuses = [];
		for (const ip of ['127.0.0.2', '127.0.0.2', '127.0.0.2', '127.0.0.3', '127.0.0.3']) {
			statuses.push(await vote(await reader(srv, slug, ip), slug));
		}
		assert.deepEqual(statuses, [303, 303, 429, 303, 303]);
	});
});
