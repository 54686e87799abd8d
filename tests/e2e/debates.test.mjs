// Browser end-to-end tests of a debate: read it, vote before and after,
// see the results and the charts, say a statement changed your mind, post a
// side-tagged comment, switch between the thread and the two columns; once
// with JavaScript (static/debate.js and parley.js work in place) and once
// without (plain forms and page loads), on a wide and a narrow screen.
// Debian's Chromium driven by playwright-core.  Screenshots go to
// test-output/e2e/debate-*.png.
//
//   PARLEY_BIN=./parley node --test --test-reporter=tap --test-concurrency=1 tests/e2e/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { BIN, parley, scratch, startServer } from '../lib/server.mjs';
import { assertBelow, assertSideBySide, snap } from './see.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = join(ROOT, 'test-output', 'e2e');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const LAUNCH = {
	executablePath: CHROMIUM,
	args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
		'--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

// One open debate per test (no schedule: both votes open), so counts start at zero.
function debateFile(slug) {
	return `motion: Should the night market move to the old tram depot?\nslug: ${slug}\n`
		+ 'moderator: Lena Brook\nside a: Move it\nside b: Keep it here\nstatus: open\n\n'
		+ '[introduction]\nThe night market has outgrown the square.\n\n'
		+ '[speaker]\nname: Uma Field\nside: a\nbio: Runs the dumpling stall.\n\n'
		+ '[opening]\nThe depot has a roof, toilets and room for twice the stalls.\n\n'
		+ '[closing]\nMove it before winter.\n\n'
		+ '[speaker]\nname: Theo Marsh\nside: b\nbio: Lives on the square.\n\n'
		+ '[opening]\nThe square is the market; the depot is a car park.\n\n'
		+ '[closing]\nKeep it where people already walk.\n';
}

let server, browser;

before(async () => {
	assert.ok(existsSync(BIN), `no parley binary at ${BIN}: run make`);
	assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}`);
	mkdirSync(SHOTS, { recursive: true });
	const { db, dir } = scratch();
	const demo = parley(['demo', '--db', db]);
	assert.equal(demo.status, 0, `parley demo failed: ${demo.stderr}`);
	const files = ['e2e-debate-js', 'e2e-debate-nojs'].map((slug) => {
		const f = join(dir, `${slug}.txt`);
		writeFileSync(f, debateFile(slug));
		return f;
	});
	const r = parley(['debate', 'add', ...files, '--db', db]);
	assert.equal(r.status, 0, r.stderr);
	server = await startServer({ db });
	browser = await chromium.launch(LAUNCH);
});

after(async () => {
	if (browser) await browser.close();
	if (server) await server.stop();
});

// A page in a new context that records anything that would show a broken
// page: console errors, uncaught exceptions, CSP violations, failed requests.
async function open({ js = true, width = 1280, height = 900, allowStatus = [] } = {}) {
	const context = await browser.newContext({ javaScriptEnabled: js, viewport: { width, height } });
	const page = await context.newPage();
	const problems = [];
	page.on('console', (m) => {
		if (m.type() === 'error' || m.type() === 'warning' || /Content.Security.Policy|Refused to/i.test(m.text())) {
			const st = /status of (\d+)/.exec(m.text());
			if (st && allowStatus.includes(Number(st[1]))) return;
			problems.push(`console ${m.type()}: ${m.text()}`);
		}
	});
	page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
	page.on('requestfailed', (req) => {
		const f = req.failure();
		// Loads cut short by the test moving on to the next page are fine.
		if (f && f.errorText === 'net::ERR_ABORTED') return;
		problems.push(`request failed: ${req.url()} ${f && f.errorText}`);
	});
	page.on('response', (res) => {
		if (res.status() >= 400 && !allowStatus.includes(res.status()))
			problems.push(`HTTP ${res.status()}: ${res.url()}`);
	});
	await page.addInitScript(() => {
		window.__csp = [];
		document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
	});
	const check = async () => {
		if (js) for (const v of await page.evaluate(() => window.__csp || [])) problems.push(`CSP: ${v}`);
		assert.deepEqual(problems, [], 'the page reported problems');
	};
	return { context, page, check };
}

// Asserts what the screenshot shows (see see.mjs), then takes it.
const shot = (page, name, facts) => snap(page, join(SHOTS, `debate-${name}.png`), facts);

async function box(page, selector) {
	const b = await page.locator(selector).first().boundingBox();
	assert.ok(b, `${selector} is laid out`);
	return b;
}

test('with JavaScript, wide: read, vote before and after, results and charts, a side-tagged comment, columns', async () => {
	const { context, page, check } = await open({ js: true });
	try {
		const navigations = [];
		page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigations.push(f.url()); });
		await page.goto(`${server.url}/debates/e2e-debate-js`);
		assert.equal(await page.locator('h1.motion').innerText(), 'Should the night market move to the old tram depot?');
		assert.equal(await page.locator('.intro').innerText(), 'The night market has outgrown the square.');
		// The two sides side by side: same row, A left of B.
		const a = await box(page, '#round-1 .side.side-a'), b = await box(page, '#round-1 .side.side-b');
		assert.ok(a.x + a.width <= b.x + 1 && Math.abs(a.y - b.y) < 2, 'side by side');
		assert.equal(await page.locator('#round-3.round.current .badge.now').innerText(), 'Current round');
		assert.equal(await page.locator('.speaker-bio').first().innerText(), 'Runs the dumpling stall.');
		// Results wait for a vote.
		assert.equal(await page.locator('#results .results-hidden').count(), 1);
		await page.evaluate(() => { window.__marker = 1; });
		const loads = navigations.length;

		// Before: undecided.  Done in place, the results appear.
		await page.locator('form.vote-form[data-phase=pre] input[value=undecided]').check();
		await page.locator('form.vote-form[data-phase=pre] button[type=submit]').click();
		await page.locator('#results .verdict').waitFor();
		assert.match(await page.locator('#vote').innerText(), /You voted Undecided\./);
		assert.match(await page.locator('#results .verdict').innerText(), /No result yet: nobody has voted after the debate\./);
		// After: "Move it".
		await page.locator('form.vote-form[data-phase=post] input[value=a]').check();
		await page.locator('form.vote-form[data-phase=post] button[type=submit]').click();
		await page.locator('#results .verdict', { hasText: 'Move it leads so far.' }).waitFor();
		assert.match(await page.locator('#vote').innerText(), /You voted Move it\./);
		assert.equal(await page.evaluate(() => window.__marker), 1, 'voting reloaded the page');
		assert.equal(navigations.length, loads);
		assert.ok(await page.locator('#results svg.chart-lines').isVisible(), 'the vote over time, drawn');
		assert.ok(await page.locator('#results svg.chart-flow').isVisible(), 'the flow chart');
		const undecided = page.locator('#results .move-table tbody tr').nth(2);
		assert.equal(await undecided.locator('th').innerText(), 'Undecided');
		assert.equal(await undecided.locator('td.moved').first().innerText(), '1', 'undecided -> Move it');
		assert.equal(await page.locator('#results table.history-table').count(), 1, 'the figures as a table');
		await assertSideBySide(page, '#round-1 .side.side-a', '#round-1 .side.side-b');
		await shot(page, 'js-results', {
			text: {
				'h1.motion': 'Should the night market move to the old tram depot?',
				'#results-title': 'Results', '#results .verdict': 'Move it leads so far.',
				'#results .move-table tbody tr >> nth=2 >> th': 'Undecided',
			},
			visible: ['#results svg.chart-lines', '#results svg.chart-flow', '#results .move-table'],
			hidden: ['#results .results-hidden'],
		});

		// "This changed my mind", in place, once.
		const mind = page.locator('#round-1 .side-b .mind-button').first();
		await mind.click();
		await page.locator('#round-1 .side-b .mind-button[aria-pressed=true]').waitFor();
		assert.match(await page.locator('#round-1 .side-b .mind-line').first().innerText(), /Changed the mind of 1 reader/);

		// A comment that supports "Keep it here".
		await page.locator('.side-pick input[value=b]').check();
		await page.fill('#body', 'The square is where the neighbours meet.');
		await page.fill('#author', 'Ines Script');
		await page.fill('#email', 'ines@example.org');
		await page.click('#commentform button[type=submit]');
		const comment = page.locator('li.comment', { hasText: 'The square is where the neighbours meet.' });
		await comment.waitFor();
		assert.equal(await comment.locator('.side-badge').innerText(), 'Supports Keep it here');
		assert.equal(await page.evaluate(() => window.__marker), 1, 'commenting reloaded the page');

		// The two columns: the comment sits under "Keep it here".
		await page.click('.discussion-controls a:text("Side by side")');
		await page.waitForURL(/view=columns/);
		const colB = page.locator('section.column.side-b');
		assert.equal(await colB.locator('li.comment', { hasText: 'neighbours meet' }).count(), 1);
		assert.equal(await page.locator('section.column.side-a li.comment').count(), 0);
		const ca = await box(page, 'section.column.side-a'), cb = await box(page, 'section.column.side-b');
		assert.ok(ca.x + ca.width <= cb.x + 1, 'columns side by side');
		// Results stay shown to this reader after a page load.
		assert.equal(await page.locator('#results .verdict').count(), 1);
		await assertSideBySide(page, 'section.column.side-a', 'section.column.side-b');
		await shot(page, 'js-columns', {
			text: {
				'#comments-title': '1 thought on “Should the night market move to the old tram depot?”',
				'section.column.side-a h3': 'For Move it', 'section.column.side-b h3': 'For Keep it here',
				'section.column.side-b li.comment .side-badge': 'Supports Keep it here',
			},
			visible: ['section.column.side-a', 'section.column.side-b li.comment'],
		});
		await check();
	} finally {
		await context.close();
	}
});

test('without JavaScript, narrow: stacked sides, votes and a comment by plain forms', async () => {
	const { context, page, check } = await open({ js: false, width: 400, height: 800 });
	try {
		await page.goto(`${server.url}/debates/e2e-debate-nojs`);
		const a = await box(page, '#round-1 .side.side-a'), b = await box(page, '#round-1 .side.side-b');
		assert.ok(b.y >= a.y + a.height - 1, 'stacked on a narrow screen');
		await shot(page, 'nojs-narrow-before', {
			text: { 'h1.motion': 'Should the night market move to the old tram depot?', '#vote-title': 'Your vote' },
			visible: ['#round-1 .side.side-a', '#round-1 .side.side-b', 'form.vote-form[data-phase=pre] button[type=submit]'],
		});
		await page.locator('form.vote-form[data-phase=pre] input[value=b]').check();
		await Promise.all([page.waitForNavigation(), page.locator('form.vote-form[data-phase=pre] button[type=submit]').click()]);
		assert.match(page.url(), /voted=pre#vote$/);
		assert.match(await page.locator('#vote .flash').innerText(), /Your vote before the debate is counted\./);
		assert.match(await page.locator('#results .verdict').innerText(), /No result yet/);
		await page.locator('form.vote-form[data-phase=post] input[value=a]').check();
		await Promise.all([page.waitForNavigation(), page.locator('form.vote-form[data-phase=post] button[type=submit]').click()]);
		assert.match(await page.locator('#results .verdict').innerText(), /Move it leads so far\./);
		assert.ok(await page.locator('#results svg.chart-flow').isVisible());
		// Changing the vote replaces it.
		await page.locator('form.vote-form[data-phase=post] input[value=b]').check();
		await Promise.all([page.waitForNavigation(), page.locator('form.vote-form[data-phase=post] button[type=submit]').click()]);
		assert.match(await page.locator('#vote .flash').innerText(), /the new one replaces the old/);
		assert.match(await page.locator('#results .share-block').nth(1).innerText(), /After the debate: 1 vote/);
		// "This changed my mind" is a button of a form elsewhere on the page.
		await Promise.all([page.waitForNavigation(), page.locator('#round-3 .side-a .mind-button').click()]);
		assert.match(page.url(), /mind=added#statement-\d+$/);
		// A comment for "Move it".
		await page.locator('.side-pick input[value=a]').check();
		await page.fill('#body', 'A roof matters in November.');
		await page.fill('#author', 'Noah Plain');
		await page.fill('#email', 'noah@example.org');
		await Promise.all([page.waitForNavigation(), page.click('#commentform button[type=submit]')]);
		assert.match(page.url(), /#comment-\d+$/);
		await page.goto(`${server.url}/debates/e2e-debate-nojs?view=columns`);
		assert.equal(await page.locator('section.column.side-a li.comment', { hasText: 'A roof matters' }).count(), 1);
		// On a narrow screen the two columns stack, "Move it" first.
		await assertBelow(page, 'section.column.side-a', 'section.column.side-b');
		await shot(page, 'nojs-narrow-columns', {
			text: {
				'#comments-title': '1 thought on “Should the night market move to the old tram depot?”',
				'section.column.side-a h3': 'For Move it', 'section.column.side-b h3': 'For Keep it here',
				'section.column.side-a li.comment .side-badge': 'Supports Move it',
			},
			visible: ['section.column.side-a li.comment'],
		});
		await check();
	} finally {
		await context.close();
	}
});

test('a closed debate: the winner, the charts and the featured comments, for a reader who never voted', async () => {
	const { context, page, check } = await open({ js: true });
	try {
		await page.goto(`${server.url}/debates/budget-by-lot`);
		assert.equal(await page.locator('.kicker .badge').innerText(), 'Closed');
		assert.equal(await page.locator('#results .verdict').innerText(), 'Yes wins.');
		assert.match(await page.locator('#results .why').innerText(), /Yes went from 36\.1% before to 55\.0% after \(\+18\.9 points\)/);
		assert.ok(await page.locator('#results svg.chart-lines polyline').first().isVisible());
		assert.ok(await page.locator('.featured-comments li').first().isVisible());
		assert.equal(await page.locator('#vote fieldset[disabled]').count(), 2);
		assert.equal(await page.locator('.mind-button').count(), 0, 'no marks once closed');
		await shot(page, 'closed-demo', {
			text: { '.kicker .badge': 'Closed', '#results .verdict': 'Yes wins.', '#results-title': 'Results' },
			visible: ['#results svg.chart-lines', '#results svg.chart-flow', '.featured-comments'],
		});
		// The front page lists it with its winner.
		await page.goto(`${server.url}/`);
		const item = page.locator('.debate-summary', { hasText: 'chosen by lot' });
		assert.match(await item.innerText(), /Closed[\s\S]*Winner: Yes/);
		await shot(page, 'front-page', { visible: ['.debate-summary >> text=Winner: Yes'] });
		await check();
	} finally {
		await context.close();
	}
});
