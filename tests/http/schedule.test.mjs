// A scheduled debate follows the server's clock (moved by tests/lib/clock.mjs,
// never by sleeping): the status, each round's statements and the two
// voting phases change just after their times and not just before, on the
// cached page too, with no write in between (docs/debates.md, "The schedule"
// and "Voting rules").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, formTokens, parley, scratch, startServer } from '../lib/server.mjs';
import { clock } from '../lib/clock.mjs';
import { stopClean } from './util.mjs';

const MINUTE = 60, HOUR = 3600, DAY = 86400;
// Checks land this far either side of a scheduled time.
const MARGIN = MINUTE;
// The schedule, relative to when the file is added (offsets in seconds):
// voting opens before the first round, the vote before closes when the
// rebuttals open and the vote after opens with the closing statements
// (the defaults).
const VOTING_OPENS = HOUR, OPENING = 2 * HOUR, REBUTTAL = DAY, CLOSING = 2 * DAY, VOTING_CLOSES = 3 * DAY;

function debateText(slug) {
	return `motion: Should the tide tables be printed on the pier?\nslug: ${slug}\nstatus: scheduled\n`
		+ 'voting opens: +1h\nopening: +2h\nrebuttal: +1d\nclosing: +2d\nvoting closes: +3d\n\n'
		+ '[speaker]\nname: Ada Shore\nside: a\n\n'
		+ '[opening]\nOPENING-TEXT-A\n\n[rebuttal]\nREBUTTAL-TEXT-A\n\n[closing]\nCLOSING-TEXT-A\n\n'
		+ '[speaker]\nname: Bo Quay\nside: b\n\n[opening]\nOPENING-TEXT-B\n';
}

// A server on a movable clock with one scheduled debate, added at offset 0.
async function scheduledSite(slug) {
	const clk = clock();
	const { db, dir } = scratch();
	const file = join(dir, `${slug}.txt`);
	writeFileSync(file, debateText(slug));
	const r = parley(['debate', 'add', file, '--db', db], { env: { ...process.env, ...clk.env } });
	assert.equal(r.status, 0, `debate add: ${r.stderr}`);
	assert.match(r.stdout, /\(scheduled,/);
	const server = await startServer({ db, env: clk.env });
	return { clk, server, db };
}

// What a reader sees: the status badge and which statements are shown.
async function seen(br, slug) {
	const { res, text } = await br.get(`/debates/${slug}`);
	assert.equal(res.status, 200);
	const status = (/<span class="badge status-(\w+)">/.exec(text) || [])[1];
	const shown = ['OPENING', 'REBUTTAL', 'CLOSING'].filter((r) => text.includes(`${r}-TEXT-A`));
	return { status, shown, text };
}

async function vote(br, slug, phase, choice) {
	const { res, text } = await br.post(`/debates/${slug}/vote`, { csrf: br.csrf, phase, choice });
	return { status: res.status, text };
}

test('the status and the rounds follow the clock, on the cached page', async () => {
	const slug = 'tide-rounds';
	const { clk, server } = await scheduledSite(slug);
	try {
		const br = new Browser(server.url);
		const steps = [
			[0, 'scheduled', []],
			[VOTING_OPENS - MARGIN, 'scheduled', []],
			[VOTING_OPENS + MARGIN, 'open', []],
			[OPENING - MARGIN, 'open', []],
			[OPENING + MARGIN, 'open', ['OPENING']],
			[REBUTTAL - MARGIN, 'open', ['OPENING']],
			[REBUTTAL + MARGIN, 'open', ['OPENING', 'REBUTTAL']],
			[CLOSING - MARGIN, 'open', ['OPENING', 'REBUTTAL']],
			[CLOSING + MARGIN, 'open', ['OPENING', 'REBUTTAL', 'CLOSING']],
			[VOTING_CLOSES - MARGIN, 'open', ['OPENING', 'REBUTTAL', 'CLOSING']],
			[VOTING_CLOSES + MARGIN, 'closed', ['OPENING', 'REBUTTAL', 'CLOSING']],
		];
		// Forward only: a closed debate's page does not change again.
		for (const [at, status, shown] of steps) {
			clk.set(at);
			const page = await seen(br, slug);
			assert.deepEqual({ at, status: page.status, shown: page.shown }, { at, status, shown });
			if (status === 'scheduled')
				assert.match(page.text, /class="round later" id="round-1"/, 'the opening round says when it opens');
			// The results follow too, kept beside the page: final once voting closes.
			if (status === 'closed')
				assert.match(page.text, /No result: nobody voted\./, 'the final results, shown to all');
			// The current round is marked.
			if (at === REBUTTAL + MARGIN)
				assert.match(page.text, /class="round current" id="round-2"/);
			// The lists of debates follow too: /debates and the (cached) front page.
			if (at === VOTING_OPENS - MARGIN || at === VOTING_OPENS + MARGIN || at === VOTING_CLOSES + MARGIN) {
				for (const path of ['/debates', '/']) {
					const list = (await br.get(path)).text;
					assert.match(list, new RegExp(`<span class="badge status-${status}">`), `${path} at ${at}`);
				}
			}
		}
	} finally {
		await stopClean(server);
	}
});

test('votes are refused before their phase opens and after it closes', async () => {
	const slug = 'tide-votes';
	const { clk, server } = await scheduledSite(slug);
	try {
		const br = new Browser(server.url);
		br.csrf = formTokens((await br.get(`/debates/${slug}`)).text).csrf;
		assert.ok(br.csrf);

		clk.set(VOTING_OPENS - MARGIN);
		let r = await vote(br, slug, 'pre', 'a');
		assert.equal(r.status, 403, 'the vote before: not open yet');
		assert.match(r.text, /Voting has not opened yet; your vote was not counted\./);

		clk.set(VOTING_OPENS + MARGIN);
		assert.equal((await vote(br, slug, 'pre', 'a')).status, 303, 'the vote before opens with voting');
		r = await vote(br, slug, 'post', 'b');
		assert.equal(r.status, 403, 'the vote after: not yet');
		assert.match(r.text, /The vote after the debate opens on .*; your vote was not counted\./);

		clk.set(REBUTTAL - MARGIN);
		assert.equal((await vote(br, slug, 'pre', 'undecided')).status, 303, 'the vote before is open until the rebuttals');

		clk.set(REBUTTAL + MARGIN);
		r = await vote(br, slug, 'pre', 'b');
		assert.equal(r.status, 403, 'the vote before closed with the rebuttals');
		assert.match(r.text, /The vote before the debate closed on /);

		clk.set(CLOSING - MARGIN);
		assert.equal((await vote(br, slug, 'post', 'b')).status, 403, 'the vote after waits for the closing statements');

		clk.set(CLOSING + MARGIN);
		assert.equal((await vote(br, slug, 'post', 'b')).status, 303, 'the vote after opens with the closing statements');

		clk.set(VOTING_CLOSES - MARGIN);
		assert.equal((await vote(br, slug, 'post', 'a')).status, 303, 'changed until voting closes');

		clk.set(VOTING_CLOSES + MARGIN);
		r = await vote(br, slug, 'post', 'b');
		assert.equal(r.status, 403, 'voting closed');
		assert.match(r.text, /Voting on this debate has closed/);
		// Closed: the results are shown to everyone.
		assert.match((await new Browser(server.url).get(`/debates/${slug}`)).text, /class="verdict/);
	} finally {
		await stopClean(server);
	}
});
