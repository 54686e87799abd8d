// Promises no other test pinned down exactly (mutants that survived, see
// tests/mutants.txt): a reply to another article's comment is refused even
// where replies flatten (depth = 1); the vote limit refills per minute, as
// its Retry-After says; a round without a time of its own waits for the
// round before it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clock } from '../lib/clock.mjs';
import {
	Browser, formTokens, parley, scratch, startServer, site, browser, postComment, formError,
	sql, stopClean,
} from './util.mjs';

// Adds a debate file to a database; the clock's env makes "+1h" relative
// to the moved clock.
function addDebate(db, slug, text, env = {}) {
	const file = join(scratch().dir, `${slug}.txt`);
	writeFileSync(file, text);
	const r = parley(['debate', 'add', file, '--db', db], { env: { ...process.env, ...env } });
	assert.equal(r.status, 0, `debate add: ${r.stderr}`);
}

const SPEAKERS = '[speaker]\nname: Ada Shore\nside: a\n\n'
	+ '[opening]\nOPENING-TEXT-A\n\n[rebuttal]\nREBUTTAL-TEXT-A\n\n[closing]\nCLOSING-TEXT-A\n\n'
	+ '[speaker]\nname: Bo Quay\nside: b\n\n[opening]\nOPENING-TEXT-B\n';

test('with depth = 1, a reply to a comment of another article is refused with 422, not stored as a new thread', async () => {
	// Replies to the deepest level attach to the parent's parent: at depth
	// 1 that is no parent at all, so only the article check stands between
	// a foreign parent and a new top-level comment here.
	const srv = await site({ config: '[comments]\ndepth = 1\n', articles: [{ slug: 'here', title: 'Here' }, { slug: 'there', title: 'There' }] });
	try {
		const b = browser(srv);
		const foreign = await postComment(b, 'there', { body: 'on the other article' });
		assert.equal(foreign.status, 303, foreign.text);
		const r = await postComment(b, 'here', { parent: String(foreign.id), body: 'reply-to-foreign' });
		assert.equal(r.status, 422, 'a parent on another article');
		assert.equal(formError(r.text), 'The comment you replied to is not on this article.');
		assert.deepEqual(sql(srv.db, "select count(*) from comments where body_md = 'reply-to-foreign'"), [['0']], 'nothing stored');
		// The same reply on the parent's own article is taken (flattened).
		const own = await postComment(b, 'there', { parent: String(foreign.id), body: 'reply-at-home' });
		assert.equal(own.status, 303, own.text);
		assert.deepEqual(sql(srv.db, "select a.slug, coalesce(c.parent_id, 0) from comments c join articles a on a.id = c.article_id where c.body_md = 'reply-at-home'"), [['there', '0']]);
	} finally {
		await stopClean(srv);
	}
});

test('votes_per_minute refills per minute: Retry-After counts down from 60 s, and the vote is taken again after a minute', async () => {
	const clk = clock();
	const { db } = scratch();
	const slug = 'tide-rate';
	addDebate(db, slug, `motion: Should the tide tables be printed on the pier?\nslug: ${slug}\nstatus: open\n\n${SPEAKERS}`, clk.env);
	const srv = await startServer({ db, config: '[debates]\nvotes_per_minute = 1\nvotes_burst = 1\n', env: clk.env });
	try {
		// Each vote from a new reader (a new cookie) on the same address.
		const vote = async () => {
			const br = new Browser(srv.url);
			const { csrf } = formTokens((await br.get(`/debates/${slug}`)).text);
			assert.ok(csrf);
			const { res } = await br.post(`/debates/${slug}/vote`, { csrf, phase: 'pre', choice: 'a' });
			return { status: res.status, retry: Number(res.headers.get('retry-after')) };
		};
		assert.equal((await vote()).status, 303, 'the burst: one vote');
		let r = await vote();
		assert.equal(r.status, 429, 'the next one at once');
		assert.ok(r.retry >= 55 && r.retry <= 60, `Retry-After ${r.retry}: a token a minute`);
		clk.advance(30);
		r = await vote();
		assert.equal(r.status, 429, 'half a minute later: still no token');
		assert.ok(r.retry >= 25 && r.retry <= 30, `Retry-After ${r.retry} after 30 s`);
		clk.advance(31);
		assert.equal((await vote()).status, 303, 'a minute later: one token back');
		assert.equal((await vote()).status, 429, 'and only one');
	} finally {
		await stopClean(srv);
	}
});

test('a round without a time waits for the round before it: none shows before the opening round', async () => {
	const clk = clock();
	const { db } = scratch();
	const slug = 'tide-order';
	// Only the opening round has a time; the rebuttals and closing
	// statements have none, and open with it, never before it.
	addDebate(db, slug, `motion: Should the tide tables be printed on the pier?\nslug: ${slug}\nstatus: scheduled\n`
		+ `voting opens: +1h\nopening: +2h\n\n${SPEAKERS}`, clk.env);
	const srv = await startServer({ db, env: clk.env });
	try {
		const br = new Browser(srv.url);
		const seen = async () => {
			const { res, text } = await br.get(`/debates/${slug}`);
			assert.equal(res.status, 200);
			const status = (/<span class="badge status-(\w+)">/.exec(text) || [])[1];
			return { status, shown: ['OPENING', 'REBUTTAL', 'CLOSING'].filter((x) => text.includes(`${x}-TEXT-A`)) };
		};
		for (const [at, status, shown] of [
			[0, 'scheduled', []],
			[3600 + 60, 'open', []],
			[7200 - 60, 'open', []],
			[7200 + 60, 'open', ['OPENING', 'REBUTTAL', 'CLOSING']],
		]) {
			clk.set(at);
			assert.deepEqual({ at, ...(await seen()) }, { at, status, shown });
		}
	} finally {
		await stopClean(srv);
	}
});
