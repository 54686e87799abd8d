// Debates on a running server: the page, votes before and after, a changed
// vote, a second vote that replaces the first, votes after close refused
// with a clear message (closed by hand and by the clock), ballots a forged
// or missing cookie cannot stuff, the rate limit and its count on the page,
// side-tagged comments in their columns, "this changed my mind" once per
// reader, the front page, drafts, and hostile text in every field.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, Browser, formTokens, parley, scratch, startServer } from '../lib/server.mjs';
import { sql, unique } from './util.mjs';

// Adds debate files (name -> text) with one `parley debate add`.
function addDebates(db, files) {
	const { dir } = scratch();
	const paths = Object.entries(files).map(([name, text]) => {
		const p = join(dir, `${name}.txt`);
		writeFileSync(p, text);
		return p;
	});
	const r = parley(['debate', 'add', ...paths, '--db', db]);
	assert.equal(r.status, 0, `debate add failed: ${r.stderr}`);
	return r;
}

function debateFile({ slug, motion = 'Should the harbour ferry run all night?', a = 'Run it', b = 'Stop it',
	status = 'open', extra = '' }) {
	return `motion: ${motion}\nslug: ${slug}\nmoderator: Mira Host\nside a: ${a}\nside b: ${b}\n`
		+ `status: ${status}\n${extra}\n[introduction]\nThe ferry **question**.\n\n`
		+ `[speaker]\nname: Ola Night\nside: a\nbio: Runs a bakery by the pier.\n\n`
		+ `[opening]\nNight workers need the ferry.\n\n[rebuttal]\nCosts are small.\n\n[closing]\nRun it.\n\n`
		+ `[speaker]\nname: Per Day\nside: b\nbio: Sits on the harbour board.\n\n`
		+ `[opening]\nThe crews need rest.\n\n[closing]\nStop it.\n`;
}

// Adds a debate with a unique slug to a database (a running server reads
// it at once); returns the slug.  Each test makes its own.
function newDebate(db, opts = {}) {
	const slug = unique('ferry');
	addDebates(db, { [slug]: debateFile({ slug, ...opts }) });
	return slug;
}

// One reader: a cookie jar that has loaded the page (and so has a cookie).
async function reader(base, slug) {
	const br = new Browser(base);
	const { res, text } = await br.get(`/debates/${slug}`);
	assert.equal(res.status, 200);
	br.tokens = formTokens(text);
	assert.ok(br.tokens.csrf, 'the page carries a form token');
	return br;
}

async function vote(br, slug, phase, choice, csrf = br.tokens.csrf) {
	const { res, text } = await br.post(`/debates/${slug}/vote`, { csrf, phase, choice });
	return { status: res.status, location: res.headers.get('location'), text, res };
}

function voteRows(db, slug) {
	return sql(db, `SELECT v.pre, v.post FROM debate_votes v JOIN debates d ON d.id = v.debate_id WHERE d.slug = '${slug}' ORDER BY v.pre, v.post`);
}

function counters(db, slug) {
	const [row] = sql(db, `SELECT refused_duplicate, refused_closed, refused_rate, changed_votes FROM debates WHERE slug = '${slug}'`);
	return row.map(Number);
}

// The text of one element by a literal start marker up to its section's end.
function between(html, start, end) {
	const i = html.indexOf(start);
	if (i < 0) return '';
	const j = html.indexOf(end, i + start.length);
	return html.slice(i, j < 0 ? undefined : j);
}

describe('debates', () => {
	let srv, db;

	before(async () => {
		({ db } = scratch());
		// Each test adds its own debate.  Every vote comes from 127.0.0.1, so
		// the burst is made large enough that no test spends another's budget.
		srv = await startServer({ db, config: '[debates]\nvotes_burst = 1000\n' });
	});

	after(async () => {
		if (srv) {
			const r = await srv.stop();
			assert.equal(r.code, 0, `the server exited ${JSON.stringify(r)}: ${srv.logs().stderr.slice(-3000)}`);
		}
	});

	test('the page: motion, introduction, sides, statements by round, results hidden until one votes', async () => {
		const slug = newDebate(db);
		const br = new Browser(srv.url);
		const { res, text } = await br.get(`/debates/${slug}`);
		assert.equal(res.status, 200);
		assert.match(text, /<h1 class="motion">Should the harbour ferry run all night\?<\/h1>/);
		assert.match(text, /The ferry <strong>question<\/strong>\./);
		assert.match(text, /<span class="badge side-a">Run it<\/span>/);
		assert.match(text, /<span class="badge side-b">Stop it<\/span>/);
		for (const r of ['Opening statements', 'Rebuttals', 'Closing statements'])
			assert.ok(text.includes(r), r);
		assert.match(text, /Night workers need the ferry\./);
		assert.match(text, /class="round current" id="round-3"/, 'no schedule: every round open, the last current');
		assert.match(text, /Supports|Before the debate/);
		assert.match(text, /class="results-hidden"/);
		assert.doesNotMatch(text, /class="verdict/);
		assert.match(text, /How the vote works/);
		// A HEAD answers too, and a bad query is a 400.
		const head = await fetch(`${srv.url}/debates/${slug}`, { method: 'HEAD' });
		assert.equal(head.status, 200);
		assert.equal(await head.text(), '');
		assert.equal((await br.get(`/debates/${slug}?sort=loudest`)).res.status, 400);
		assert.equal((await br.get('/debates/no-such-debate')).res.status, 404);
	});

	test('vote before and after; results appear once one has voted', async () => {
		const slug = newDebate(db);
		const br = await reader(srv.url, slug);
		let r = await vote(br, slug, 'pre', 'undecided');
		assert.equal(r.status, 303);
		assert.equal(r.location, `/debates/${slug}?voted=pre#vote`);
		let page = (await br.get(`/debates/${slug}?voted=pre`)).text;
		assert.match(page, /Your vote before the debate is counted\./);
		assert.match(page, /You voted <strong>Undecided<\/strong>/);
		assert.match(page, /class="verdict/);
		assert.match(page, /No result yet: nobody has voted after the debate\./);
		assert.match(page, /Before the debate: 1 vote</);

		r = await vote(br, slug, 'post', 'a');
		assert.equal(r.status, 303);
		assert.equal(r.location, `/debates/${slug}?voted=post#vote`);
		page = (await br.get(`/debates/${slug}`)).text;
		assert.match(page, /You voted <strong>Run it<\/strong>/);
		assert.match(page, /Run it leads so far\./);
		assert.match(page, /Run it went from 0\.0% before to 100\.0% after \(\+100\.0 points\)/);
		assert.match(page, /1 reader who voted both before and after/);
		assert.match(page, /<svg class="chart chart-flow"/);
		assert.match(page, /<svg class="chart chart-lines"/);
		assert.match(page, /<table class="history-table">/);
		assert.deepEqual(voteRows(db, slug), [['3', '1']]);

		// The "after" vote offers no "undecided".
		r = await vote(br, slug, 'post', 'undecided');
		assert.equal(r.status, 422);
		r = await vote(br, slug, 'pre', '');
		assert.equal(r.status, 422);
		assert.match(r.text, /Please choose one of the options/);

		// Another reader has not voted: results stay hidden to them.
		const other = new Browser(srv.url);
		const fresh = (await other.get(`/debates/${slug}`)).text;
		assert.match(fresh, /class="results-hidden"/);
		assert.doesNotMatch(fresh, /You voted/);
	});

	test('a second vote in one phase replaces the first; a repeat is refused and counted', async () => {
		const slug = newDebate(db);
		const br = await reader(srv.url, slug);
		assert.equal((await vote(br, slug, 'pre', 'a')).status, 303);
		const r = await vote(br, slug, 'pre', 'b');
		assert.equal(r.status, 303);
		assert.equal(r.location, `/debates/${slug}?voted=pre-changed#vote`);
		assert.deepEqual(voteRows(db, slug), [['2', '0']], 'one row, the new choice');
		const page = (await br.get(`/debates/${slug}`)).text;
		assert.match(page, /Before the debate: 1 vote</);
		assert.match(page, /You voted <strong>Stop it<\/strong>/);
		assert.match(page, /<tr class="side-a"><th scope="row"><span class="swatch side-a" aria-hidden="true"><\/span>Run it<\/th><td>0<\/td>/);

		const same = await vote(br, slug, 'pre', 'b');
		assert.equal(same.status, 303);
		assert.equal(same.location, `/debates/${slug}?voted=same#vote`);
		assert.match((await br.get(`/debates/${slug}?voted=same`)).text,
			/You had already voted that way; your vote is unchanged\./);
		assert.deepEqual(voteRows(db, slug), [['2', '0']]);
		const [dup, , , changed] = counters(db, slug);
		assert.equal(dup, 1, 'the repeat is counted as refused');
		assert.equal(changed, 1);
		assert.match((await br.get(`/debates/${slug}`)).text, /<span class="refused-duplicate">1<\/span> repeated votes/);
	});

	test('a vote after the debate is closed (by hand) is refused with a clear message', async () => {
		const slug = newDebate(db);
		const br = await reader(srv.url, slug);
		assert.equal((await vote(br, slug, 'pre', 'a')).status, 303);
		const c = parley(['debate', 'close', slug, '--db', db]);
		assert.equal(c.status, 0, c.stderr);
		const r = await vote(br, slug, 'post', 'b');
		assert.equal(r.status, 403);
		assert.match(r.text, /Voting on this debate has closed; your vote was not counted\./);
		assert.deepEqual(voteRows(db, slug), [['1', '0']]);
		// The cached page follows the other process's change at once.
		const page = (await new Browser(srv.url).get(`/debates/${slug}`)).text;
		assert.match(page, /badge status-closed">Closed</);
		assert.match(page, /class="verdict/, 'closed: results shown to everyone');
		assert.match(page, /No result: nobody voted after the debate\./);
		assert.match(page, /<fieldset disabled>/);
		assert.equal(counters(db, slug)[1], 1, 'counted as refused: closed phase');
	});

	test('voting closes by the clock, with no write: the page and the votes follow', async () => {
		// Added while the server runs, closing a few seconds from now.
		const soon = new Date(Date.now() + 3000).toISOString().slice(0, 19) + 'Z';
		const slug = newDebate(db, { extra: `voting closes: ${soon}\n` });
		const br = await reader(srv.url, slug);
		assert.match((await br.get(`/debates/${slug}`)).text, /badge status-open">Open</);
		assert.equal((await vote(br, slug, 'pre', 'b')).status, 303);
		const wait = Date.parse(soon) - Date.now() + 300;
		if (wait > 0) await new Promise((res) => setTimeout(res, wait));
		const page = (await br.get(`/debates/${slug}`)).text;
		assert.match(page, /badge status-closed">Closed</);
		const r = await vote(br, slug, 'post', 'a');
		assert.equal(r.status, 403);
		assert.match(r.text, /Voting on this debate has closed/);
	});

	test('the before-vote closes on its own time, the after-vote stays open', async () => {
		const slug = newDebate(db, { extra: 'pre vote closes: -1h\nvoting opens: -2h\n' });
		const br = await reader(srv.url, slug);
		const r = await vote(br, slug, 'pre', 'a');
		assert.equal(r.status, 403);
		assert.match(r.text, /The vote before the debate closed on .*; your vote was not counted\. You can still vote after the debate\./);
		assert.equal((await vote(br, slug, 'post', 'a')).status, 303);
	});

	test('a forged or missing cookie cannot stuff the ballot', async () => {
		const slug = newDebate(db);
		const honest = await reader(srv.url, slug);
		// No cookie at all: refused by the form check, nothing stored.
		let res = await fetch(`${srv.url}/debates/${slug}/vote`, {
			method: 'POST', redirect: 'manual',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ csrf: honest.tokens.csrf, phase: 'pre', choice: 'a' }),
		});
		assert.equal(res.status, 403);
		assert.match(await res.text(), /did not come from this site/);
		// A made-up cookie with someone else's token.
		for (const cookie of ['parley_v=AAAAAAAAAAAAAAAAAAAAAA', 'parley_v=x', `parley_v=${honest.cookies.get('parley_v')}x`]) {
			res = await fetch(`${srv.url}/debates/${slug}/vote`, {
				method: 'POST', redirect: 'manual',
				headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
				body: new URLSearchParams({ csrf: honest.tokens.csrf, phase: 'pre', choice: 'a' }),
			});
			assert.equal(res.status, 403, cookie);
		}
		// A real cookie with a token that is not its own.
		const other = await reader(srv.url, slug);
		assert.equal((await vote(other, slug, 'pre', 'a', honest.tokens.csrf)).status, 403);
		assert.equal((await vote(other, slug, 'pre', 'a', '')).status, 403);
		assert.deepEqual(voteRows(db, slug), []);
		// The same browser voting many times is still one voter.
		for (let i = 0; i < 3; i++) await vote(honest, slug, 'pre', i % 2 ? 'a' : 'b');
		assert.deepEqual(voteRows(db, slug), [['2', '0']]);
		// Voter ids are stored only as keyed hashes, never the cookie.
		const [[voter]] = sql(db, `SELECT voter FROM debate_votes v JOIN debates d ON d.id = v.debate_id WHERE d.slug = '${slug}'`);
		assert.match(voter, /^[0-9a-f]{32}$/);
		assert.ok(!voter.includes(honest.cookies.get('parley_v')));
	});

	test('side-tagged comments appear in the right column', async () => {
		const slug = newDebate(db);
		const br = await reader(srv.url, slug);
		const bodies = { a: 'Ferry-for-side-a', b: 'Ferry-for-side-b', '': 'Ferry-for-neither' };
		for (const [side, body] of Object.entries(bodies)) {
			const t = formTokens((await br.get(`/debates/${slug}`)).text);
			const { res } = await br.post(`/debates/${slug}/comments`, {
				csrf: t.csrf, key: t.key, author: `Poster ${side || 'none'}`, email: 'p@example.org',
				url: '', body, side, parent: '', website_confirm: '',
			});
			assert.equal(res.status, 303, `comment for side "${side}"`);
			assert.match(res.headers.get('location'), new RegExp(`^/debates/${slug}#comment-\\d+$`));
		}
		const page = (await br.get(`/debates/${slug}?view=columns`)).text;
		const colA = between(page, '<section class="column side-a"', '</section>');
		const colB = between(page, '<section class="column side-b"', '</section>');
		const none = between(page, '<section class="column-none"', '</section>');
		assert.ok(colA.includes(bodies.a) && !colA.includes(bodies.b) && !colA.includes(bodies['']), 'column A');
		assert.ok(colB.includes(bodies.b) && !colB.includes(bodies.a) && !colB.includes(bodies['']), 'column B');
		assert.ok(none.includes(bodies['']) && !none.includes(bodies.a), 'neither');
		assert.match(colA, /<span class="badge side-badge side-a">Supports Run it<\/span>/);
		assert.match(colB, /<span class="badge side-badge side-b">Supports Stop it<\/span>/);
		// The thread view has them all, in order; sides take turns in "alternate".
		const thread = (await br.get(`/debates/${slug}`)).text;
		assert.ok(thread.indexOf(bodies.a) < thread.indexOf(bodies.b) && thread.indexOf(bodies.b) < thread.indexOf(bodies['']));
		assert.match(thread, /3 thoughts on “Should the harbour ferry run all night\?”/);
		assert.equal((await br.get(`/debates/${slug}?sort=alternate&view=columns`)).res.status, 200);
		// A side that is not one of the two is refused, the text kept.
		const t = formTokens(thread);
		const { res, text } = await br.post(`/debates/${slug}/comments`, {
			csrf: t.csrf, key: t.key, author: 'X', email: 'x@example.org', body: 'Keep this text', side: 'c',
		});
		assert.equal(res.status, 422);
		assert.match(text, /Choose a side your comment supports, or neither\./);
		assert.match(text, />\n?Keep this text<\/textarea>/);
		// The permalink of a debate comment leads to the debate.
		const id = /id="comment-(\d+)"/.exec(colA)[1];
		const perma = await fetch(`${srv.url}/comments/${id}`, { redirect: 'manual' });
		assert.equal(perma.status, 302);
		assert.equal(perma.headers.get('location'), `/debates/${slug}#comment-${id}`);
		// A debate's discussion is not an article.
		assert.equal((await br.get(`/articles/${slug}`)).res.status, 404);
	});

	test('"this changed my mind": once per reader and item, credited on the page', async () => {
		const slug = newDebate(db);
		const elsewhere = newDebate(db);
		const br = await reader(srv.url, slug);
		const page = (await br.get(`/debates/${slug}`)).text;
		const sid = /name="item" value="s(\d+)"/.exec(page)[1];
		let r = await br.post(`/debates/${slug}/minds`, { csrf: br.tokens.csrf, item: `s${sid}`, back: 'sort=minds&view=columns' });
		assert.equal(r.res.status, 303);
		assert.equal(r.res.headers.get('location'), `/debates/${slug}?sort=minds&view=columns&mind=added#statement-${sid}`);
		r = await br.post(`/debates/${slug}/minds`, { csrf: br.tokens.csrf, item: `s${sid}`, back: '' });
		assert.equal(r.res.headers.get('location'), `/debates/${slug}?mind=again#statement-${sid}`);
		const second = await reader(srv.url, slug);
		await second.post(`/debates/${slug}/minds`, { csrf: second.tokens.csrf, item: `s${sid}` });
		const after = (await br.get(`/debates/${slug}`)).text;
		assert.match(after, /Changed the mind of 2 readers/);
		assert.match(after, /What changed minds/);
		assert.equal(sql(db, `SELECT minds FROM debate_statements WHERE id = ${sid}`)[0][0], '2');
		// Items of another debate, or no item at all.
		const otherSid = sql(db, `SELECT s.id FROM debate_statements s JOIN debates d ON d.id = s.debate_id WHERE d.slug = '${elsewhere}' LIMIT 1`)[0][0];
		r = await br.post(`/debates/${slug}/minds`, { csrf: br.tokens.csrf, item: `s${otherSid}` });
		assert.equal(r.res.status, 404);
		r = await br.post(`/debates/${slug}/minds`, { csrf: br.tokens.csrf, item: 'x1' });
		assert.equal(r.res.status, 422);
	});
});

describe('debates: the front page and the list', () => {
	let srv, db;

	before(async () => {
		({ db } = scratch());
		const files = {};
		for (let i = 1; i <= 6; i++) files[`list-${i}`] = debateFile({ slug: `list-${i}` });
		files.closed = debateFile({ slug: 'list-closed', status: 'closed' });
		files.draft = debateFile({ slug: 'list-draft', status: 'draft' });
		addDebates(db, files);
		srv = await startServer({ db });
	});

	after(async () => {
		if (srv) assert.equal((await srv.stop()).code, 0);
	});

	test('the front page and the list show debates with status; drafts stay hidden', async () => {
		const br = new Browser(srv.url);
		const home = (await br.get('/')).text;
		assert.match(home, /<h2 id="debates-title">Debates<\/h2>/);
		// The newest five, and a way to the rest.
		assert.match(home, /href="\/debates\/list-6"/);
		assert.equal((home.match(/class="debate-summary"/g) || []).length, 5);
		assert.match(home, /<a href="\/debates">All debates<\/a>/);
		assert.doesNotMatch(home, /list-draft/);
		const list = (await br.get('/debates')).text;
		assert.equal((list.match(/class="debate-summary"/g) || []).length, 7);
		assert.match(list, /<span class="badge status-closed">Closed<\/span>\s*<a class="motion-link" href="\/debates\/list-closed"/);
		for (let i = 1; i <= 6; i++)
			assert.match(list, new RegExp(`<span class="badge status-open">Open</span>\\s*<a class="motion-link" href="/debates/list-${i}"`));
		assert.doesNotMatch(list, /list-draft/);
		assert.equal((await br.get('/debates/list-draft')).res.status, 404);
	});
});

describe('debates: rate limits', () => {
	let srv, db;

	before(async () => {
		({ db } = scratch());
		addDebates(db, { rate: debateFile({ slug: 'ferry-rate' }) });
		srv = await startServer({ db, config: '[debates]\nvotes_per_minute = 1\nvotes_burst = 3\n' });
	});

	after(async () => {
		if (srv) assert.equal((await srv.stop()).code, 0);
	});

	test('new cookies from one address are limited, with Retry-After, and counted on the page', async () => {
		const statuses = [];
		let last;
		for (let i = 0; i < 5; i++) {
			const br = await reader(srv.url, 'ferry-rate');
			last = await vote(br, 'ferry-rate', 'pre', 'a');
			statuses.push(last.status);
		}
		assert.deepEqual(statuses, [303, 303, 303, 429, 429]);
		assert.ok(Number(last.res.headers.get('retry-after')) >= 1);
		assert.match(last.text, /Too many votes have come from your network just now; your vote was not counted\./);
		assert.equal(voteRows(db, 'ferry-rate').length, 3);
		const page = (await new Browser(srv.url).get('/debates/ferry-rate')).text;
		// The first refusal is written at once; the next ones wait for the
		// next vote or ten seconds (src/model/debate.c), so one shows now.
		assert.equal(counters(db, 'ferry-rate')[2], 1, 'the first refusal is counted at once');
		assert.match(page, /<span class="refused-rate">1<\/span> over the rate limit/);
	});
});

describe('debates: results always shown (site option)', () => {
	let srv, db;

	before(async () => {
		({ db } = scratch());
		addDebates(db, { always: debateFile({ slug: 'ferry-always' }) });
		srv = await startServer({ db, config: '[debates]\nresults_always = true\n' });
	});

	after(async () => {
		if (srv) assert.equal((await srv.stop()).code, 0);
	});

	test('a reader who has not voted sees the results', async () => {
		const page = (await new Browser(srv.url).get('/debates/ferry-always')).text;
		assert.match(page, /class="verdict/);
		assert.match(page, /No votes yet\./);
		assert.match(page, /Results are shown to everyone\./);
	});
});

describe('debates: hostile text in every field', () => {
	let srv, db;
	const evil = `"><script>alert(1)</script><img src=x onerror=alert(2)>'\``;

	before(async () => {
		({ db } = scratch());
		const text = `motion: ${evil} <svg onload=alert(3)>?\nslug: evil-debate\nmoderator: ${evil}\n`
			+ `side a: <b onmouseover=x>A</b>"\nside b: '><script>b</script>\nstatus: open\n\n`
			+ `[introduction]\n${evil}\n\n<iframe src="javascript:alert(4)"></iframe>\n\n[a link](javascript:alert(5)) `
			+ `[b](JaVaScRiPt&colon;alert(6))\n\n`
			+ `[speaker]\nname: ${evil}\nside: a\nbio: ${evil}\nlink: https://example.org/'onmouseover='alert(7)\n`
			+ `photo: https://example.org/p.jpg'onerror='alert(8)\n\n[opening]\n${evil}\n<style>body{}</style>\n\n`
			+ `[speaker]\nname: <script>n</script>\nside: b\n\n[opening]\n![x](javascript:alert(9))\n`;
		addDebates(db, { evil: text });
		srv = await startServer({ db });
	});

	after(async () => {
		if (srv) assert.equal((await srv.stop()).code, 0);
	});

	// Nothing a reader or the file sent may come out as markup or script.
	function clean(html, where) {
		const bad = [
			[/<script>(alert|b|n)/i, 'a script tag'],
			[/<img src=x/i, 'an injected image'],
			[/<[a-z]+(\s+[a-z-]+(="[^"]*")?)*\s+on(error|load|mouseover)=/i, 'an event handler'],
			[/<iframe|<style>body/i, 'an iframe or style'],
			[/href="javascript:|src="javascript:/i, 'a javascript: URL'],
			[/<svg onload/i, 'an svg handler'],
			[/<b onmouseover/i, 'a label as markup'],
		];
		for (const [re, what] of bad) {
			const m = re.exec(html);
			assert.ok(!m, `${where}: ${what}: ${m && html.slice(Math.max(0, m.index - 80), m.index + 120)}`);
		}
	}

	test('the debate file, the forms and the results never yield markup', async () => {
		const br = await reader(srv.url, 'evil-debate');
		let page = (await br.get('/debates/evil-debate')).text;
		clean(page, 'page');
		assert.match(page, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
		// Votes with hostile values are refused, and the refusals escape nothing.
		let r = await vote(br, 'evil-debate', `<script>alert(1)</script>`, evil);
		assert.equal(r.status, 422);
		clean(r.text, 'vote refusal');
		assert.equal((await vote(br, 'evil-debate', 'pre', 'a')).status, 303);
		assert.equal((await vote(br, 'evil-debate', 'post', 'b')).status, 303);
		// Comments with hostile text in every field, and a hostile side.
		for (const side of ['a', 'b', evil]) {
			const t = formTokens((await br.get('/debates/evil-debate')).text);
			r = await br.post('/debates/evil-debate/comments', {
				csrf: t.csrf, key: t.key, author: evil, email: 'e@example.org', url: 'https://example.org/"onmouseover="x',
				body: `${evil}\n\n[x](javascript:alert(1))`, side, parent: evil, website_confirm: '',
			});
			// The parent is not a comment id (and the website not a URL): refused.
			assert.equal(r.res.status, 422, `comment side ${side.slice(0, 5)}`);
			clean(r.text, `comment side ${side.slice(0, 5)}`);
		}
		const t = formTokens((await br.get('/debates/evil-debate')).text);
		r = await br.post('/debates/evil-debate/comments', {
			csrf: t.csrf, key: t.key, author: evil, email: 'e@example.org', body: evil, side: 'a',
		});
		assert.equal(r.res.status, 303);
		// Marks and the way back.
		r = await br.post('/debates/evil-debate/minds', { csrf: br.tokens.csrf, item: evil, back: evil });
		assert.equal(r.res.status, 422, 'an item that is not one');
		clean(r.text, 'mind refusal');
		const sid = /name="item" value="s(\d+)"/.exec(page)[1];
		r = await br.post('/debates/evil-debate/minds', { csrf: br.tokens.csrf, item: `s${sid}`, back: `sort=${evil}&view=${evil}&cpage=${evil}` });
		assert.equal(r.res.status, 303);
		assert.equal(r.res.headers.get('location'), `/debates/evil-debate?mind=added#statement-${sid}`);
		for (const q of ['', '?view=columns', '?sort=minds', '?voted=pre&mind=added', `?replytocom=1`]) {
			page = (await br.get(`/debates/evil-debate${q}`)).text;
			clean(page, `page ${q}`);
		}
		assert.match(page, /class="verdict/);
		// The marks of the page's holes, spelled as character references, in a
		// comment: never a hole that receives a reader's tokens.
		const t2 = formTokens((await br.get('/debates/evil-debate')).text);
		r = await br.post('/debates/evil-debate/comments', {
			csrf: t2.csrf, key: t2.key, author: 'Marks', email: 'm@example.org', side: 'b',
			body: 'HOLE-TEST &#1;parley-hole&#1; &#1;parley-vote&#1; &#x1;parley-results&#x1;',
		});
		assert.equal(r.res.status, 303, 'the comment is taken (its references are harmless text)');
		const marked = await br.get('/debates/evil-debate');
		assert.equal(marked.res.status, 200);
		assert.match(marked.text, /HOLE-TEST/, 'the comment is on the page');
		assert.ok(!marked.text.includes('\x01'), 'a control character reached the page');
		const inComment = between(marked.text, 'HOLE-TEST', '</li>');
		assert.ok(!inComment.includes('name="csrf"'), 'tokens inside a comment');
		clean((await br.get('/')).text, 'front page');
		clean((await br.get('/debates')).text, 'list');
		clean((await br.get(`/debates/evil-debate?sort=${encodeURIComponent(evil)}`)).text, 'bad query');
	});
});

describe('debates: editors feature comments', () => {
	let srv, db;
	const PASSWORD = 'a long enough pass phrase 42';

	before(async () => {
		({ db } = scratch());
		addDebates(db, { feature: debateFile({ slug: 'ferry-feature' }) });
		for (const [email, name, role] of [['ed@example.org', 'Ed Itor', 'editor'], ['rea@example.org', 'Rea Der', 'reader']]) {
			const r = spawnSync(BIN, ['user', 'add', email, name, role, '--db', db], { input: `${PASSWORD}\n`, encoding: 'utf8' });
			assert.equal(r.status, 0, r.stderr);
		}
		srv = await startServer({ db });
	});

	after(async () => {
		if (srv) assert.equal((await srv.stop()).code, 0);
	});

	async function signedIn(email) {
		const br = new Browser(srv.url);
		const { text } = await br.get('/account/signin');
		const { res } = await br.post('/account/signin', { csrf: formTokens(text).csrf, email, password: PASSWORD });
		assert.equal(res.status, 303, `sign in as ${email}`);
		return br;
	}

	test('an editor features and unfeatures; nobody else may', async () => {
		const slug = 'ferry-feature';
		const anon = await reader(srv.url, slug);
		const t = formTokens((await anon.get(`/debates/${slug}`)).text);
		const { res } = await anon.post(`/debates/${slug}/comments`, {
			csrf: t.csrf, key: t.key, author: 'Fay Reader', email: 'fay@example.org', body: 'Worth featuring, surely.', side: 'a',
		});
		assert.equal(res.status, 303);
		const id = /#comment-(\d+)$/.exec(res.headers.get('location'))[1];
		// Readers see no tools, and may not use the route.
		assert.doesNotMatch((await anon.get(`/debates/${slug}`)).text, /feature-button|id="feature-form"/);
		let r = await anon.post(`/debates/${slug}/feature`, { csrf: anon.tokens.csrf, feature: id });
		assert.equal(r.res.status, 403);
		const plain = await signedIn('rea@example.org');
		const pt = formTokens((await plain.get(`/debates/${slug}`)).text);
		r = await plain.post(`/debates/${slug}/feature`, { csrf: pt.csrf, feature: id });
		assert.equal(r.res.status, 403);

		const ed = await signedIn('ed@example.org');
		let page = (await ed.get(`/debates/${slug}`)).text;
		assert.match(page, /<form id="feature-form" method="post" action="\/debates\/ferry-feature\/feature" hidden>/);
		assert.match(page, new RegExp(`name="feature" value="${id}">Feature</button>`));
		const et = formTokens(page);
		r = await ed.post(`/debates/${slug}/feature`, { csrf: et.csrf, feature: id });
		assert.equal(r.res.status, 303);
		assert.equal(r.res.headers.get('location'), `/debates/${slug}#comment-${id}`);
		// Everyone now sees it at the top; the cached page followed at once.
		page = (await anon.get(`/debates/${slug}`)).text;
		assert.match(between(page, '<section class="featured-comments"', '</section>'), /Worth featuring, surely\./);
		assert.match((await ed.get(`/debates/${slug}`)).text, new RegExp(`name="unfeature" value="${id}">Unfeature</button>`));
		r = await ed.post(`/debates/${slug}/feature`, { csrf: et.csrf, unfeature: id });
		assert.equal(r.res.status, 303);
		assert.doesNotMatch((await anon.get(`/debates/${slug}`)).text, /class="featured-comments"/);
		// Not a comment of this debate, or no comment at all.
		r = await ed.post(`/debates/${slug}/feature`, { csrf: et.csrf, feature: '999999' });
		assert.equal(r.res.status, 404);
		r = await ed.post(`/debates/${slug}/feature`, { csrf: et.csrf, feature: id, unfeature: id });
		assert.equal(r.res.status, 422);
	});
});
