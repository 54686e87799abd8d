// Browser end-to-end tests of the article page's discussion: posting,
// replying, threading, validation errors and "Save my name", once with
// JavaScript (static/parley.js posts in place) and once without (plain
// form posts and page loads).  Debian's Chromium driven by playwright-core.
//
//   PARLEY_BIN=./parley node --test --test-reporter=tap --test-concurrency=1 tests/e2e/
//
// Screenshots go to test-output/e2e/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { BIN, Browser, addArticle, formTokens, parley, scratch, startServer } from '../lib/server.mjs';
import { assertBelow, assertInView, boxOf, snap } from './see.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = join(ROOT, 'test-output', 'e2e');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const DEMO = 'quiet-economics-of-public-libraries';

const LAUNCH = {
	executablePath: CHROMIUM,
	args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
		'--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

// An article for each flow, so the counts each test sees are its own.
const ARTICLES = {
	js: { slug: 'e2e-js-thread', title: 'Threads With Script' },
	nojs: { slug: 'e2e-nojs-thread', title: 'Threads Without Script' },
	jsErr: { slug: 'e2e-js-errors', title: 'Errors With Script' },
	nojsErr: { slug: 'e2e-nojs-errors', title: 'Errors Without Script' },
	remember: { slug: 'e2e-remember', title: 'Remember Me' },
	forget: { slug: 'e2e-forget', title: 'Forget Me' },
	cancel: { slug: 'e2e-cancel', title: 'Cancel Reply' },
	jsNames: { slug: 'e2e-js-names', title: 'Names Missing With Script' },
	markup: { slug: 'e2e-markup', title: 'Markup As Text' },
	dblclick: { slug: 'e2e-double-click', title: 'Clicked Twice' },
	narrow: { slug: 'e2e-narrow-long', title: 'Long Words' },
	// These start with one comment (see before()) to reply to; the last
	// with a reply to it too.
	narrowThread: { slug: 'e2e-narrow-thread', title: 'A Short Thread' },
	jsReplyErr: { slug: 'e2e-js-reply-errors', title: 'Refused Replies With Script' },
	nojsReplyErr: { slug: 'e2e-nojs-reply-errors', title: 'Refused Replies Without Script' },
};

let server, paged, browser;
const PAGED = { slug: 'e2e-pages', title: 'Many Pages' };
// On the same server, three threads already: page 2 holds the third.
const PAGED2 = { slug: 'e2e-pages-seeded', title: 'Seeded Pages' };
const PAGED3 = { slug: 'e2e-pages-refused', title: 'Refused On Page Two' };

before(async () => {
	assert.ok(existsSync(BIN), `no parley binary at ${BIN}: run make`);
	assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install chromium`);
	mkdirSync(SHOTS, { recursive: true });
	const { db } = scratch();
	const r = parley(['demo', '--db', db]);
	assert.equal(r.status, 0, `parley demo failed: ${r.stderr}`);
	for (const a of Object.values(ARTICLES))
		addArticle(db, { slug: a.slug, title: a.title, body: `The article *${a.title}*.\n\nA second paragraph.` });
	server = await startServer({ db });
	await seed(server.url, ARTICLES.jsReplyErr.slug, 'Frank Seeded');
	await seed(server.url, ARTICLES.nojsReplyErr.slug, 'Grace Seeded');
	const top = await seed(server.url, ARTICLES.narrowThread.slug, 'Hana Seeded');
	await seed(server.url, ARTICLES.narrowThread.slug, 'Ivo Seeded', top);
	// A second server that shows two top-level threads per page.
	const p = scratch();
	addArticle(p.db, PAGED);
	addArticle(p.db, PAGED2);
	addArticle(p.db, PAGED3);
	paged = await startServer({ db: p.db, config: '[comments]\nper_page = 2\n' });
	for (const who of ['Rosa', 'Sam', 'Tariq']) await seed(paged.url, PAGED2.slug, who);
	for (const who of ['Ulla', 'Vic', 'Wren']) await seed(paged.url, PAGED3.slug, who);
	browser = await chromium.launch(LAUNCH);
});

// Posts a comment "Seeded thread by WHO." over plain HTTP, top-level or
// a reply to parent; resolves to its id.
async function seed(base, slug, who, parent = '0') {
	const http = new Browser(base);
	const { text } = await http.get(`/articles/${slug}`);
	const { res } = await http.post(`/articles/${slug}/comments`, {
		...formTokens(text), author: who, email: 'seed@example.com', url: '',
		body: `Seeded thread by ${who}.`, parent, website_confirm: '',
	});
	assert.equal(res.status, 303, `seeding a comment on ${slug}: HTTP ${res.status}`);
	return /#comment-(\d+)$/.exec(res.headers.get('location'))[1];
}

after(async () => {
	if (browser) await browser.close();
	if (server) await server.stop();
	if (paged) await paged.stop();
});

// Opens a page in a new context and records everything that would show a
// broken page: console errors and warnings, uncaught exceptions, CSP
// violations (as console messages and, with script on, as DOM events),
// failed requests and error responses of sub-resources.
async function open(opts = {}) {
	const { js = true, width = 1024, height = 800, allowStatus = [] } = opts;
	const context = await browser.newContext({
		javaScriptEnabled: js,
		viewport: { width, height },
	});
	// A failure should cost seconds, not the default 30 s per wait.
	context.setDefaultTimeout(15000);
	const problems = [];
	const pages = [];
	const watch = (page) => {
		pages.push(page);
		page.on('console', (m) => {
			const text = m.text();
			if (m.type() === 'error' || m.type() === 'warning' || /Content.Security.Policy|Refused to/i.test(text)) {
				// The refused form comes with a 4xx on purpose.
				const st = /status of (\d+)/.exec(text);
				if (st && allowStatus.includes(Number(st[1]))) return;
				problems.push(`console ${m.type()}: ${text}`);
			}
		});
		page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
		page.on('requestfailed', (req) => {
			const f = req.failure();
			// Loads cut short by the test moving on to the next page are fine.
			if (f && f.errorText === 'net::ERR_ABORTED') return;
			problems.push(`request failed: ${req.method()} ${req.url()} ${f && f.errorText}`);
		});
		page.on('response', (res) => {
			if (res.status() >= 400 && !allowStatus.includes(res.status()))
				problems.push(`HTTP ${res.status()}: ${res.request().method()} ${res.url()}`);
		});
	};
	context.on('page', watch);
	await context.addInitScript(() => {
		window.__csp = [];
		document.addEventListener('securitypolicyviolation', (e) => {
			window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
		});
	});
	const page = await context.newPage();
	const check = async () => {
		if (js) {
			for (const p of pages) {
				if (p.isClosed()) continue;
				for (const v of await p.evaluate(() => window.__csp || [])) problems.push(`CSP violation: ${v}`);
			}
		}
		assert.deepEqual(problems, [], 'the page reported problems');
	};
	return { context, page, problems, check };
}

const url = (slug, rest = '') => `${server.url}/articles/${slug}${rest}`;

// Asserts what the screenshot shows (see see.mjs), then takes it.
const shot = (page, name, facts) => snap(page, join(SHOTS, `${name}.png`), facts);

// The comment li whose body contains text.
function commentWith(page, text) {
	return page.locator('li.comment', { has: page.locator(':scope > article .comment-body', { hasText: text }) });
}

async function fill(page, { body, author, email, url: site }) {
	if (body !== undefined) await page.fill('#body', body);
	if (author !== undefined) await page.fill('#author', author);
	if (email !== undefined) await page.fill('#email', email);
	if (site !== undefined) await page.fill('#url', site);
}

const headingText = (page) => page.locator('h2#comments-title').innerText();

// ---------------------------------------------------------------------

test('with JavaScript: post, reply, threaded in place without a page load', async () => {
	const { slug, title } = ARTICLES.js;
	const { context, page, check } = await open({ js: true });
	try {
		const navigations = [];
		page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigations.push(f.url()); });
		await page.goto(url(slug));
		assert.ok((await page.title()).startsWith(`${title} · `), await page.title());
		assert.equal(await headingText(page), 'No comments yet');
		assert.equal(await page.locator('#reply-title').innerText(), 'Leave a Reply');
		assert.equal(await page.locator('ol.comment-list > li.comment').count(), 0);
		const loads = navigations.length;
		await page.evaluate(() => { window.__marker = 1; });

		// A first comment.
		await fill(page, { body: 'First thoughts from a browser with script.', author: 'Alice Script', email: 'alice@example.com' });
		await page.click('#commentform button[type=submit]');
		const first = commentWith(page, 'First thoughts from a browser with script.');
		await first.waitFor();
		assert.equal(await headingText(page), `1 thought on “${title}”`);
		assert.match(await first.getAttribute('class'), /\bis-new\b/);
		assert.equal(await page.locator('#parley-live').textContent(), 'Your comment was posted.');
		assert.equal(await first.locator('.comment-author').first().innerText(), 'Alice Script');
		assert.equal(await page.evaluate(() => window.__marker), 1, 'the page was reloaded');
		const firstId = await first.getAttribute('id');
		assert.match(firstId, /^comment-\d+$/);
		// The form is back at the end, empty, and ready for another; the
		// name was not to be remembered, so it is not.
		assert.equal(await page.inputValue('#body'), '');
		assert.equal(await page.inputValue('#author'), '');
		assert.equal((await context.cookies(server.url)).some((c) => c.name === 'parley_who'), false);
		assert.equal(await page.inputValue('#parent'), '0');
		assert.equal(await page.locator('#commentform button[type=submit]').isDisabled(), false);
		assert.equal(await page.locator('#respond').count(), 1);

		// Reply: the form moves under the comment.
		await first.locator(':scope > article a.reply-link').click();
		assert.equal(await page.locator(`#${firstId} > #respond`).count(), 1, 'the form did not move under the comment');
		assert.equal((await page.locator('#reply-title').innerText()).trim(), 'Reply to Alice Script Cancel reply');
		assert.equal(await page.locator('#reply-title a.cancel-reply').innerText(), 'Cancel reply');
		assert.equal(await page.inputValue('#parent'), firstId.slice('comment-'.length));
		assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), 'body');
		// The form sits right under the comment's own text, above anything after it.
		await assertBelow(page, `#${firstId} > article`, `#${firstId} > #respond`, { maxGap: 60 });
		await shot(page, 'js-reply-form-under-comment', {
			text: { 'h2#comments-title': `1 thought on “${title}”`, '#reply-title': 'Reply to Alice Script Cancel reply' },
			visible: ['#respond', '#body', '#commentform button[type=submit]', '#reply-title a.cancel-reply'],
			focus: 'body',
		});

		await fill(page, { body: 'A reply, threaded under Alice.', author: 'Bob Script', email: 'bob@example.com' });
		await page.click('#commentform button[type=submit]');
		const reply = commentWith(page, 'A reply, threaded under Alice.');
		await reply.waitFor();
		assert.equal(await headingText(page), `2 thoughts on “${title}”`);
		assert.equal(await page.locator(`#${firstId} > ol.children > li.comment`).count(), 1);
		const replyId = await reply.getAttribute('id');
		assert.equal(await page.locator(`#${firstId} > ol.children > li#${replyId}`).count(), 1,
			'the reply is not in the first comment\'s ol.children');
		assert.match(await reply.getAttribute('class'), /\bis-new\b/);
		assert.doesNotMatch(await page.locator(`#${firstId}`).getAttribute('class'), /\bis-new\b/);
		assert.equal(await page.locator('ol.comment-list > li.comment').count(), 1);
		assert.equal(await page.evaluate(() => window.__marker), 1, 'the page was reloaded');
		assert.equal(navigations.length, loads, `navigations happened: ${navigations.slice(loads)}`);
		// After a reply the form goes back to "Leave a Reply".
		assert.equal(await page.locator('#reply-title').innerText(), 'Leave a Reply');
		assert.equal(await page.inputValue('#parent'), '0');
		// The reply is drawn under its parent, indented; the form is back at the end.
		await assertBelow(page, `#${firstId} > article`, `#${replyId} > article`, { maxGap: 40 });
		assert.ok((await boxOf(page, `#${replyId} > article`)).x >= (await boxOf(page, `#${firstId} > article`)).x + 10,
			'the reply is not indented under its parent');
		await assertBelow(page, 'ol.comment-list', '#respond');
		await shot(page, 'js-threaded-reply', {
			text: {
				'h2#comments-title': `2 thoughts on “${title}”`, '#reply-title': 'Leave a Reply',
				[`#${replyId} > article .comment-author`]: 'Bob Script',
				[`#${replyId} > article .comment-body`]: 'A reply, threaded under Alice.',
			},
			visible: [`#${firstId} > article`, `#${replyId} > article`, '#respond'],
		});

		// The same thread, loaded afresh, is what the server stored.
		await page.reload();
		assert.equal(await headingText(page), `2 thoughts on “${title}”`);
		assert.equal(await page.locator(`#${firstId} > ol.children > li#${replyId}`).count(), 1);
		await check();
	} finally {
		await context.close();
	}
});

test('with JavaScript: Cancel reply puts the form back at the end', async () => {
	const { slug } = ARTICLES.cancel;
	const { context, page, check } = await open({ js: true });
	try {
		await page.goto(url(slug));
		await fill(page, { body: 'Something to reply to.', author: 'Carol', email: 'carol@example.com' });
		await page.click('#commentform button[type=submit]');
		const first = commentWith(page, 'Something to reply to.');
		await first.waitFor();
		// By keyboard: focus the Reply link and press Enter.
		await first.locator(':scope > article a.reply-link').focus();
		await page.keyboard.press('Enter');
		assert.equal(await first.locator(':scope > #respond').count(), 1);
		assert.equal(await page.evaluate(() => document.activeElement.id), 'body');
		assert.equal(new URL(page.url()).search, '');
		await page.click('#reply-title a.cancel-reply');
		assert.equal(await first.locator('#respond').count(), 0, 'the form stayed under the comment');
		assert.equal(await page.locator('#comments > ol.comment-list + #respond').count(), 1);
		assert.equal(await page.locator('#reply-title').innerText(), 'Leave a Reply');
		assert.equal(await page.inputValue('#parent'), '0');
		// A comment sent now is top-level.
		await fill(page, { body: 'A second top-level comment.', author: 'Carol', email: 'carol@example.com' });
		await page.click('#commentform button[type=submit]');
		await commentWith(page, 'A second top-level comment.').waitFor();
		assert.equal(await page.locator('ol.comment-list > li.comment').count(), 2);
		assert.equal(await first.locator('ol.children').count(), 0);
		await check();
	} finally {
		await context.close();
	}
});

test('without JavaScript: post, reply through ?replytocom, threaded after page loads', async () => {
	const { slug, title } = ARTICLES.nojs;
	const { context, page, check } = await open({ js: false });
	try {
		await page.goto(url(slug));
		assert.equal(await headingText(page), 'No comments yet');
		await fill(page, { body: 'First thoughts, no script.', author: 'Dana Plain', email: 'dana@example.com', url: 'https://dana.example.org/' });
		const [posted] = await Promise.all([
			page.waitForNavigation(),
			page.click('#commentform button[type=submit]'),
		]);
		// POST → 303 → GET the article at the new comment.
		const chain = [];
		for (let r = posted.request(); r; r = r.redirectedFrom()) chain.unshift(r);
		assert.equal(chain[0].method(), 'POST');
		assert.equal((await chain[0].response()).status(), 303);
		assert.equal(chain.at(-1).method(), 'GET');
		const m = /\/articles\/([^/?#]+)#comment-(\d+)$/.exec(page.url());
		assert.ok(m && m[1] === slug, `landed on ${page.url()}`);
		const firstId = `comment-${m[2]}`;
		assert.equal(await headingText(page), `1 thought on “${title}”`);
		const first = page.locator(`li.comment#${firstId}`);
		assert.match(await first.locator(':scope > article .comment-body').innerText(), /First thoughts, no script\./);
		assert.equal(await first.locator('.comment-author a').getAttribute('href'), 'https://dana.example.org/');
		assert.equal(await first.locator('.comment-author').innerText(), 'Dana Plain');
		// The email is never shown.
		assert.equal((await page.content()).includes('dana@example.com'), false);
		assert.equal(await page.inputValue('#body'), '');

		// The Reply link is a real link to the reply form.
		const link = first.locator(':scope > article a.reply-link');
		assert.equal(await link.getAttribute('href'), `/articles/${slug}?replytocom=${m[2]}#respond`);
		await Promise.all([page.waitForNavigation(), link.click()]);
		assert.equal(new URL(page.url()).search, `?replytocom=${m[2]}`);
		assert.equal(new URL(page.url()).hash, '#respond');
		assert.equal((await page.locator('#reply-title').innerText()).trim(), 'Reply to Dana Plain Cancel reply');
		assert.equal(await page.locator('#reply-title a.cancel-reply').getAttribute('href'), `/articles/${slug}#respond`);
		assert.equal(await page.inputValue('#parent'), m[2]);
		// Without script the form stays at the end; the page opens scrolled to it.
		await assertInView(page, '#respond');
		await shot(page, 'nojs-replytocom-form', {
			text: { 'h2#comments-title': `1 thought on “${title}”`, '#reply-title': 'Reply to Dana Plain Cancel reply' },
			visible: ['#respond', '#body', '#reply-title a.cancel-reply'],
		});

		await fill(page, { body: 'Replying without script.', author: 'Eve Plain', email: 'eve@example.com' });
		await Promise.all([page.waitForNavigation(), page.click('#commentform button[type=submit]')]);
		const r = /\/articles\/([^/?#]+)#comment-(\d+)$/.exec(page.url());
		assert.ok(r && r[1] === slug, `landed on ${page.url()}`);
		const replyId = `comment-${r[2]}`;
		assert.notEqual(replyId, firstId);
		assert.equal(await headingText(page), `2 thoughts on “${title}”`);
		assert.equal(await page.locator(`#${firstId} > ol.children > li.comment#${replyId}`).count(), 1,
			'the reply is not in the first comment\'s ol.children');
		assert.match(await page.locator(`#${replyId} > article .comment-body`).innerText(), /Replying without script\./);
		assert.equal(await page.locator('ol.comment-list > li.comment').count(), 1);
		// The page after a reply offers a plain new comment again.
		assert.equal(await page.locator('#reply-title').innerText(), 'Leave a Reply');
		assert.equal(await page.inputValue('#parent'), '0');
		// The new comment is the :target, so the page scrolled to it.
		assert.equal(await page.evaluate(() => document.querySelector(':target') && document.querySelector(':target').id), replyId);
		await assertBelow(page, `#${firstId} > article`, `#${replyId} > article`, { maxGap: 40 });
		assert.ok((await boxOf(page, `#${replyId} > article`)).x >= (await boxOf(page, `#${firstId} > article`)).x + 10,
			'the reply is not indented under its parent');
		await assertInView(page, `#${replyId} > article`);
		await shot(page, 'nojs-threaded-reply', {
			text: {
				'h2#comments-title': `2 thoughts on “${title}”`, '#reply-title': 'Leave a Reply',
				[`#${firstId} > article .comment-author`]: 'Dana Plain',
				[`#${replyId} > article .comment-author`]: 'Eve Plain',
			},
			visible: [`#${replyId} > article`],
		});
		// Reloading the page after a post (303, then GET) sends nothing again.
		await page.reload();
		assert.equal(await headingText(page), `2 thoughts on “${title}”`);
		await check();
	} finally {
		await context.close();
	}
});

test('with JavaScript: an empty comment is refused in place, the name kept', async () => {
	const { slug } = ARTICLES.jsErr;
	const { context, page, check } = await open({ js: true, allowStatus: [422] });
	try {
		const navigations = [];
		page.on('framenavigated', (f) => { if (f === page.mainFrame()) navigations.push(f.url()); });
		await page.goto(url(slug));
		const loads = navigations.length;
		await page.evaluate(() => { window.__marker = 1; });
		await fill(page, { body: '', author: 'Frank Typed', email: 'frank@example.com', url: 'https://frank.example.org/' });
		const answer = page.waitForResponse((res) => res.request().method() === 'POST');
		await page.click('#commentform button[type=submit]');
		assert.equal((await answer).status(), 422);
		const err = page.locator('#body-error');
		await page.waitForFunction(() => document.getElementById('body-error')?.textContent.trim() !== '');
		assert.equal((await err.innerText()).trim(), 'Please write a comment.');
		assert.equal(await err.isVisible(), true);
		assert.equal(await page.getAttribute('#body', 'aria-invalid'), 'true');
		assert.equal(await page.getAttribute('#author', 'aria-invalid'), 'false');
		assert.equal(await page.getAttribute('#email', 'aria-invalid'), 'false');
		assert.equal(await page.inputValue('#author'), 'Frank Typed');
		assert.equal(await page.inputValue('#email'), 'frank@example.com');
		assert.equal(await page.inputValue('#url'), 'https://frank.example.org/');
		// Only the body's error shows; the others stay empty and hidden.
		assert.equal(await page.locator('.field-error:visible').count(), 1);
		assert.equal(await page.locator('#respond').count(), 1);
		assert.equal(await page.locator('#commentform').count(), 1);
		assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), 'body');
		assert.equal(await page.evaluate(() => window.__marker), 1, 'the page was reloaded');
		assert.equal(navigations.length, loads);
		assert.equal(await headingText(page), 'No comments yet');
		// The message is beside its field: right under it.
		await assertBelow(page, '#body', '#body-error', { maxGap: 12 });
		await shot(page, 'js-empty-comment-error', {
			text: { 'h2#comments-title': 'No comments yet', '#body-error': 'Please write a comment.', '#reply-title': 'Leave a Reply' },
			visible: ['#body-error'],
			hidden: ['#author-error', '#email-error', '#url-error'],
			focus: 'body',
		});

		// Fixed and sent again from the refused form: accepted.
		await page.fill('#body', 'Now with words.');
		await page.click('#commentform button[type=submit]');
		await commentWith(page, 'Now with words.').waitFor();
		assert.equal(await headingText(page), `1 thought on “${ARTICLES.jsErr.title}”`);
		assert.equal(await page.locator('.field-error:visible').count(), 0);
		assert.equal(await page.evaluate(() => window.__marker), 1, 'the page was reloaded');
		await check();
	} finally {
		await context.close();
	}
});

test('with JavaScript: missing name and email are refused in place, the comment kept', async () => {
	const { slug } = ARTICLES.jsNames;
	const { context, page, check } = await open({ js: true, allowStatus: [422] });
	try {
		await page.goto(url(slug));
		await fill(page, { body: 'Words but no name.', author: '', email: '' });
		await page.click('#commentform button[type=submit]');
		await page.waitForFunction(() => document.getElementById('author-error')?.textContent.trim() !== '');
		assert.equal((await page.locator('#author-error').innerText()).trim(), 'Please give your name.');
		assert.equal((await page.locator('#email-error').innerText()).trim(), 'Please give your email address; it is never shown.');
		assert.equal(await page.getAttribute('#author', 'aria-invalid'), 'true');
		assert.equal(await page.getAttribute('#email', 'aria-invalid'), 'true');
		assert.equal(await page.getAttribute('#body', 'aria-invalid'), 'false');
		assert.equal(await page.inputValue('#body'), 'Words but no name.');
		assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), 'author');
		await check();
	} finally {
		await context.close();
	}
});

test('without JavaScript: an empty comment is refused with a 422 page, the name kept', async () => {
	const { slug, title } = ARTICLES.nojsErr;
	const { context, page, check } = await open({ js: false, allowStatus: [422] });
	try {
		await page.goto(url(slug));
		await fill(page, { body: '', author: 'Grace Typed', email: 'grace@example.com' });
		const [res] = await Promise.all([
			page.waitForNavigation(),
			page.click('#commentform button[type=submit]'),
		]);
		assert.equal(res.status(), 422);
		assert.equal(res.request().method(), 'POST');
		assert.ok((await page.title()).startsWith(`${title} · `), await page.title());
		assert.equal((await page.locator('#body-error').innerText()).trim(), 'Please write a comment.');
		assert.equal(await page.locator('#body-error').isVisible(), true);
		assert.equal(await page.getAttribute('#body', 'aria-invalid'), 'true');
		assert.equal(await page.inputValue('#author'), 'Grace Typed');
		assert.equal(await page.inputValue('#email'), 'grace@example.com');
		assert.equal(await headingText(page), 'No comments yet');
		await assertBelow(page, '#body', '#body-error', { maxGap: 12 });
		await shot(page, 'nojs-empty-comment-error', {
			text: { 'h2#comments-title': 'No comments yet', '#body-error': 'Please write a comment.', '#reply-title': 'Leave a Reply' },
			visible: ['#body-error', '#body'],
			hidden: ['#author-error', '#email-error', '#url-error'],
		});

		// Sent again from the refused page: accepted.
		await page.fill('#body', 'Second try, with words.');
		await Promise.all([page.waitForNavigation(), page.click('#commentform button[type=submit]')]);
		assert.match(page.url(), new RegExp(`/articles/${slug}#comment-\\d+$`));
		assert.equal(await headingText(page), `1 thought on “${title}”`);
		await check();
	} finally {
		await context.close();
	}
});

test('without JavaScript: a refused reply keeps replying to the same comment', async () => {
	const { slug, title } = ARTICLES.nojsReplyErr;
	const { context, page, check } = await open({ js: false, allowStatus: [422] });
	try {
		await page.goto(url(slug));
		const first = page.locator('ol.comment-list > li.comment').first();
		const id = (await first.getAttribute('id')).slice('comment-'.length);
		await Promise.all([page.waitForNavigation(), first.locator(':scope > article a.reply-link').click()]);
		await fill(page, { body: '   ', author: 'Heidi', email: 'heidi@example.com' });
		const [res] = await Promise.all([page.waitForNavigation(), page.click('#commentform button[type=submit]')]);
		assert.equal(res.status(), 422);
		assert.equal(await page.inputValue('#parent'), id);
		assert.match(await page.locator('#reply-title').innerText(), /^Reply to Grace Seeded/);
		assert.equal(await page.inputValue('#author'), 'Heidi');
		await page.fill('#body', 'A reply on the second try.');
		await Promise.all([page.waitForNavigation(), page.click('#commentform button[type=submit]')]);
		assert.equal(await headingText(page), `2 thoughts on “${title}”`);
		assert.equal(await page.locator(`#comment-${id} > ol.children > li.comment`).count(), 1);
		await check();
	} finally {
		await context.close();
	}
});

test('"Save my name" is remembered on the next visit', async () => {
	const { slug } = ARTICLES.remember;
	const { context, page, check } = await open({ js: true });
	try {
		await page.goto(url(slug));
		assert.equal(await page.inputValue('#author'), '');
		assert.equal(await page.isChecked('#remember'), false);
		assert.match(await page.locator('label[for=remember]').innerText(), /^Save my name, email, and website in this browser/);
		await fill(page, { body: 'Remember me, please.', author: 'Ivan Remembered', email: 'ivan@example.com', url: 'https://ivan.example.org/' });
		await page.check('#remember');
		await page.click('#commentform button[type=submit]');
		await commentWith(page, 'Remember me, please.').waitFor();
		// The form put back in place is already filled in.
		assert.equal(await page.inputValue('#author'), 'Ivan Remembered');

		// The next visit, in a new page of the same browser.
		const next = await context.newPage();
		await next.goto(url(slug));
		assert.equal(await next.inputValue('#author'), 'Ivan Remembered');
		assert.equal(await next.inputValue('#email'), 'ivan@example.com');
		assert.equal(await next.inputValue('#url'), 'https://ivan.example.org/');
		assert.equal(await next.isChecked('#remember'), true);
		assert.equal(await next.inputValue('#body'), '');
		// Also on another article: the cookie is site-wide.
		await next.goto(url(ARTICLES.js.slug));
		assert.equal(await next.inputValue('#author'), 'Ivan Remembered');
		// Another reader gets the same (cached) page without Ivan's details.
		const other = await open({ js: false });
		try {
			await other.page.goto(url(slug));
			assert.equal(await other.page.inputValue('#author'), '');
			assert.equal(await other.page.inputValue('#email'), '');
			assert.equal((await other.page.content()).includes('ivan@example.com'), false);
			await other.check();
		} finally {
			await other.context.close();
		}
		const cookies = await context.cookies(server.url);
		const who = cookies.find((c) => c.name === 'parley_who');
		assert.ok(who, 'no parley_who cookie');
		assert.equal(who.httpOnly, true);
		assert.equal(who.sameSite, 'Lax');

		// Unticked on the next comment: forgotten.
		await next.goto(url(slug));
		await shot(next, 'remembered-name-next-visit', {
			text: { 'h2#comments-title': '1 thought on “Remember Me”', 'label[for=remember]': 'Save my name, email, and website in this browser for the next time I comment.' },
			visible: ['#author', '#email', '#url', '#remember'],
		});
		await next.fill('#body', 'Forget me now.');
		await next.uncheck('#remember');
		await next.click('#commentform button[type=submit]');
		await commentWith(next, 'Forget me now.').waitFor();
		const again = await context.newPage();
		await again.goto(url(slug));
		assert.equal(await again.inputValue('#author'), '');
		assert.equal(await again.inputValue('#email'), '');
		assert.equal(await again.isChecked('#remember'), false);
		await check();
	} finally {
		await context.close();
	}
});

test('without JavaScript: "Save my name" unticked forgets, ticked remembers', async () => {
	const { slug } = ARTICLES.forget;
	const { context, page, check } = await open({ js: false });
	try {
		await page.goto(url(slug));
		await fill(page, { body: 'Not remembered without script.', author: 'Judy Plain', email: 'judy@example.com' });
		assert.equal(await page.isChecked('#remember'), false);
		await Promise.all([page.waitForNavigation(), page.click('#commentform button[type=submit]')]);
		assert.equal(await page.inputValue('#author'), '');
		assert.equal((await context.cookies(server.url)).some((c) => c.name === 'parley_who'), false);

		await fill(page, { body: 'Remember me without script.', author: 'Ken Plain', email: 'ken@example.com' });
		await page.check('#remember');
		await Promise.all([page.waitForNavigation(), page.click('#commentform button[type=submit]')]);
		assert.equal(await page.inputValue('#author'), 'Ken Plain');
		const next = await context.newPage();
		await next.goto(url(slug));
		assert.equal(await next.inputValue('#author'), 'Ken Plain');
		assert.equal(await next.inputValue('#email'), 'ken@example.com');
		assert.equal(await next.isChecked('#remember'), true);
		await check();
	} finally {
		await context.close();
	}
});

// Without script here; with script, at 375px, in the next test.
test('the demo article with 60 threaded comments: threads, avatars, labels, CSP; no errors', async () => {
	const { context, page, check } = await open({ js: false });
	try {
		const res = await page.goto(url(DEMO));
		assert.equal(res.status(), 200);
		const csp = res.headers()['content-security-policy'] || '';
		assert.match(csp, /script-src 'self'/);
		assert.equal(await headingText(page), '60 thoughts on “The Quiet Economics of Public Libraries”');
		// 21 threads fit on one page of 50: all 60 comments are shown.
		assert.equal(await page.locator('li.comment').count(), 60);
		assert.ok(await page.locator('li.comment > ol.children > li.comment').count() > 0, 'no threaded replies');
		// Every avatar and the stylesheet loaded.
		const broken = await page.evaluate(() => [...document.images]
			.filter((i) => !i.complete || i.naturalWidth === 0).map((i) => i.src));
		assert.deepEqual(broken, []);
		assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(253, 252, 249)');
		// Basic accessibility, by hand (axe-core is not installed): one h1,
		// a language, every visible field labelled and described by
		// elements that exist, every image with an alt attribute.
		const a11y = await page.evaluate(() => {
			const out = [];
			if (document.querySelectorAll('h1').length !== 1) out.push('not exactly one h1');
			if (!document.documentElement.lang) out.push('no lang');
			for (const el of document.querySelectorAll('input:not([type=hidden]), textarea, select')) {
				if (el.closest('[aria-hidden=true]')) continue;
				if (!el.labels || el.labels.length === 0 || !el.labels[0].textContent.trim()) out.push(`unlabelled #${el.id}`);
				for (const id of (el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean))
					if (!document.getElementById(id)) out.push(`#${el.id} described by missing #${id}`);
			}
			for (const img of document.images) if (!img.hasAttribute('alt')) out.push(`img without alt: ${img.src}`);
			const ids = [...document.querySelectorAll('[id]')].map((e) => e.id);
			const dup = ids.filter((id, i) => ids.indexOf(id) !== i);
			if (dup.length) out.push(`duplicate ids: ${[...new Set(dup)]}`);
			if (!document.querySelector('#comments[aria-labelledby=comments-title]')) out.push('comments section not labelled');
			return out;
		});
		assert.deepEqual(a11y, []);
		await check();
	} finally {
		await context.close();
	}
});

test('narrow viewport (375px): the article fits without sideways scrolling', async () => {
	const { context, page, check } = await open({ js: true, width: 375, height: 740 });
	try {
		await page.goto(url(DEMO));
		await shot(page, 'demo-article-375px', {
			text: { 'h1': 'The Quiet Economics of Public Libraries', 'h2#comments-title': '60 thoughts on “The Quiet Economics of Public Libraries”' },
			visible: ['figure.featured img', '#respond'],
		});
		const overflow = await page.evaluate(() => ({
			doc: document.documentElement.scrollWidth,
			vw: document.documentElement.clientWidth,
			wide: [...document.querySelectorAll('body *')]
				.filter((el) => {
					const r = el.getBoundingClientRect();
					return r.width > 0 && (r.right > document.documentElement.clientWidth + 1 || r.left < -1) &&
						!el.closest('.hp, .skip, .visually-hidden');
				})
				.slice(0, 5)
				.map((el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${el.className}`),
		}));
		assert.ok(overflow.doc <= overflow.vw, `page is ${overflow.doc}px wide in a ${overflow.vw}px viewport: ${overflow.wide}`);
		assert.deepEqual(overflow.wide, []);
		// The form's fields fit the screen.
		const box = await page.locator('#body').boundingBox();
		assert.ok(box.x >= 0 && box.x + box.width <= 375, `textarea at ${box.x}..${box.x + box.width}`);
		const button = await page.locator('#commentform button[type=submit]').boundingBox();
		assert.ok(button.height >= 24 && button.width >= 24, 'the submit button is too small to tap');
		// A reply in the deepest thread keeps its text readable.
		const narrowest = await page.evaluate(() => Math.min(...[...document.querySelectorAll('.comment-body')]
			.map((b) => b.getBoundingClientRect().width)));
		assert.ok(narrowest >= 200, `a comment body is only ${narrowest}px wide`);
		// The reply form under the deepest reply is still usable.
		const deepest = page.locator('li.comment.depth-4').first();
		await deepest.locator(':scope > article a.reply-link').click();
		assert.equal(await deepest.locator(':scope > #respond').count(), 1);
		assert.equal(new URL(page.url()).search, '', 'Reply followed its link instead of moving the form');
		const field = await page.locator('#author').boundingBox();
		assert.ok(field.width >= 200 && field.x + field.width <= 375, `name field at ${field.x}..${field.x + field.width}`);
		assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth),
			'the moved form makes the page scroll sideways');

		// A short thread at this width, the form under the reply, for the screenshot.
		await page.goto(url(ARTICLES.narrowThread.slug));
		const inner = page.locator('ol.children > li.comment');
		const innerId = await inner.getAttribute('id');
		await inner.locator(':scope > article a.reply-link').click();
		await assertBelow(page, `#${innerId} > article`, `#${innerId} > #respond`, { maxGap: 60 });
		const form = await boxOf(page, '#respond');
		assert.ok(form.x >= 0 && form.x + form.width <= 375, `the moved form spans ${form.x}..${form.x + form.width}`);
		await shot(page, 'narrow-375px-reply-form-in-thread', {
			text: { 'h2#comments-title': `2 thoughts on “${ARTICLES.narrowThread.title}”`, '#reply-title': 'Reply to Ivo Seeded Cancel reply' },
			visible: ['#body', '#author', '#commentform button[type=submit]'],
			focus: 'body',
		});
		await check();
	} finally {
		await context.close();
	}
});

test('with JavaScript: a refused reply stays under its comment and can be sent again', async () => {
	const { slug, title } = ARTICLES.jsReplyErr;
	const { context, page, check } = await open({ js: true, allowStatus: [422] });
	try {
		await page.goto(url(slug));
		const first = page.locator('ol.comment-list > li.comment').first();
		const id = (await first.getAttribute('id')).slice('comment-'.length);
		await page.evaluate(() => { window.__marker = 1; });
		await first.locator(':scope > article a.reply-link').click();
		await fill(page, { body: '', author: 'Liam Reply', email: 'liam@example.com' });
		await page.click('#commentform button[type=submit]');
		await page.waitForFunction(() => document.getElementById('body-error')?.textContent.trim() !== '');
		assert.equal(await first.locator(':scope > #respond').count(), 1, 'the refused form left its comment');
		assert.equal(await page.inputValue('#parent'), id);
		assert.match(await page.locator('#reply-title').innerText(), /^Reply to Frank Seeded/);
		assert.equal(await page.inputValue('#author'), 'Liam Reply');
		await assertBelow(page, `#comment-${id} > article`, `#comment-${id} > #respond`, { maxGap: 60 });
		await assertBelow(page, '#body', '#body-error', { maxGap: 12 });
		await shot(page, 'js-refused-reply-under-comment', {
			text: { 'h2#comments-title': `1 thought on “${title}”`, '#reply-title': 'Reply to Frank Seeded Cancel reply', '#body-error': 'Please write a comment.' },
			visible: ['#body-error'],
			hidden: ['#author-error', '#email-error'],
			focus: 'body',
		});
		await page.fill('#body', 'The reply, second try.');
		await page.click('#commentform button[type=submit]');
		const reply = commentWith(page, 'The reply, second try.');
		await reply.waitFor();
		assert.equal(await page.locator(`#comment-${id} > ol.children > li#${await reply.getAttribute('id')}`).count(), 1);
		assert.equal(await headingText(page), `2 thoughts on “${title}”`);
		assert.equal(await page.evaluate(() => window.__marker), 1, 'the page was reloaded');
		await check();
	} finally {
		await context.close();
	}
});

test('names and comments with markup are shown as text, never run', async () => {
	const { slug } = ARTICLES.markup;
	const { context, page, check } = await open({ js: true });
	try {
		await page.goto(url(slug));
		const name = `O'Brien "<img src=x onerror=window.__xss=1>"`;
		await fill(page, {
			body: 'Markup test <script>window.__xss=2</script> <b onclick="window.__xss=3">bold</b> [link](javascript:window.__xss=4)',
			author: name, email: 'obrien@example.com',
		});
		await page.click('#commentform button[type=submit]');
		const li = commentWith(page, 'Markup test');
		await li.waitFor();
		assert.equal(await li.locator('.comment-author').innerText(), name);
		assert.equal(await li.locator('.comment-body script, .comment-body img, .comment-body [onclick]').count(), 0);
		const hrefs = await li.locator('.comment-body a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
		assert.ok(hrefs.every((h) => !/^\s*javascript:/i.test(h || '')), `links: ${hrefs}`);
		await li.locator(':scope > article a.reply-link').click();
		assert.equal((await page.locator('#reply-title').innerText()).trim(), `Reply to ${name} Cancel reply`);
		assert.equal(await page.evaluate(() => window.__xss), undefined);
		await check();
	} finally {
		await context.close();
	}
});

test('with JavaScript: a double-click on Post Comment sends and stores one comment', async () => {
	const { slug } = ARTICLES.dblclick;
	const { context, page, check } = await open({ js: true });
	try {
		await page.goto(url(slug));
		const before = await page.locator('li.comment').count();
		const text = 'Clicked twice with script.';
		await fill(page, { body: text, author: 'Mia', email: 'mia@example.com' });
		const posts = [];
		page.on('request', (r) => { if (r.method() === 'POST') posts.push(r.url()); });
		await page.dblclick('#commentform button[type=submit]');
		await commentWith(page, text).waitFor();
		assert.equal(posts.length, 1, `sent ${posts.length} times`);
		await page.reload();
		assert.equal(await commentWith(page, text).count(), 1, 'the comment was stored twice');
		assert.equal(await page.locator('li.comment').count(), before + 1);
		await check();
	} finally {
		await context.close();
	}
});

test('paginated thread: a new comment on the last page, in place with script and by page load without', async () => {
	const { slug } = PAGED;
	const { context, page, check } = await open({ js: true });
	const at = (rest = '') => `${paged.url}/articles/${slug}${rest}`;
	try {
		await page.goto(at());
		await fill(page, { author: 'Nora Pages', email: 'nora@example.com' });
		await page.check('#remember');
		for (const n of [1, 2]) {
			await page.fill('#body', `Thread number ${n}.`);
			await page.click('#commentform button[type=submit]');
			await commentWith(page, `Thread number ${n}.`).waitFor();
		}
		assert.equal(await page.locator('.comment-pages').count(), 0);
		await page.evaluate(() => { window.__marker = 1; });
		await page.fill('#body', 'Thread number 3, on page two.');
		await page.click('#commentform button[type=submit]');
		const third = commentWith(page, 'Thread number 3, on page two.');
		await third.waitFor();
		const id = await third.getAttribute('id');
		assert.equal(await page.evaluate(() => window.__marker), 1, 'the page was reloaded');
		assert.match(await third.getAttribute('class'), /\bis-new\b/);
		assert.equal(await headingText(page), '3 thoughts on “Many Pages”');
		// The section now shows page 2, and the address says so.
		assert.equal(new URL(page.url()).search, '?cpage=2');
		assert.equal(new URL(page.url()).hash, `#${id}`);
		assert.equal(await page.locator('ol.comment-list > li.comment').count(), 1);
		assert.ok(await page.locator('.comment-pages').count() >= 1, 'no page links');
		assert.equal(await page.locator('.comment-pages [aria-current=page]').first().innerText(), '2');
		await assertInView(page, `#${id} > article`);
		await shot(page, 'js-paginated-new-comment-page-2', {
			text: {
				'h2#comments-title': '3 thoughts on “Many Pages”',
				'.comment-pages >> nth=0 >> [aria-current=page]': '2',
				[`#${id} > article .comment-body`]: 'Thread number 3, on page two.',
			},
			visible: ['.comment-pages >> nth=0', `#${id}`],
		});

		// A reply to it, in place, stays on page 2.
		await third.locator(':scope > article a.reply-link').click();
		await page.fill('#body', 'A reply on page two.');
		await page.click('#commentform button[type=submit]');
		const reply = commentWith(page, 'A reply on page two.');
		await reply.waitFor();
		assert.equal(await page.locator(`#${id} > ol.children > li#${await reply.getAttribute('id')}`).count(), 1);
		assert.equal(new URL(page.url()).search, '?cpage=2');
		assert.equal(await page.evaluate(() => window.__marker), 1, 'the page was reloaded');

		// Without script: a reply from page 1 goes back to page 1 at the reply.
		const plain = await open({ js: false });
		try {
			await plain.page.goto(at());
			const first = commentWith(plain.page, 'Thread number 1.');
			await Promise.all([plain.page.waitForNavigation(), first.locator(':scope > article a.reply-link').click()]);
			await fill(plain.page, { body: 'A plain reply on page one.', author: 'Omar', email: 'omar@example.com' });
			await Promise.all([plain.page.waitForNavigation(), plain.page.click('#commentform button[type=submit]')]);
			assert.match(plain.page.url(), new RegExp(`/articles/${slug}#comment-\\d+$`));
			assert.equal(await headingText(plain.page), '5 thoughts on “Many Pages”');
			assert.equal(await first.locator(':scope > ol.children > li.comment').count(), 1);
			// And a new top-level comment lands on page 2.
			await fill(plain.page, { body: 'A plain top-level comment.', author: 'Omar', email: 'omar@example.com' });
			await Promise.all([plain.page.waitForNavigation(), plain.page.click('#commentform button[type=submit]')]);
			assert.match(plain.page.url(), new RegExp(`/articles/${slug}\\?cpage=2#comment-\\d+$`));
			assert.equal(await commentWith(plain.page, 'A plain top-level comment.').count(), 1);
			await plain.check();
		} finally {
			await plain.context.close();
		}
		await check();
	} finally {
		await context.close();
	}
});

test('without JavaScript: Reply and Cancel reply on page 2 of a thread stay on page 2', async () => {
	const { slug } = PAGED2;
	const { context, page, check } = await open({ js: false });
	try {
		await page.goto(`${paged.url}/articles/${slug}?cpage=2`);
		const onTwo = commentWith(page, 'Seeded thread by Tariq.');
		const twoId = (await onTwo.getAttribute('id')).slice('comment-'.length);
		assert.equal(await onTwo.locator(':scope > article a.reply-link').getAttribute('href'),
			`/articles/${slug}?cpage=2&replytocom=${twoId}#respond`);
		await Promise.all([page.waitForNavigation(), onTwo.locator(':scope > article a.reply-link').click()]);
		assert.match(await page.locator('#reply-title').innerText(), /^Reply to Tariq/);
		assert.equal(await onTwo.count(), 1, 'the comment replied to is not on the reply page');
		const cancel = await page.locator('#reply-title a.cancel-reply').getAttribute('href');
		// The form posts a reply that lands back on page 2.
		await fill(page, { body: 'A plain reply on page two.', author: 'Pia', email: 'pia@example.com' });
		await Promise.all([page.waitForNavigation(), page.click('#commentform button[type=submit]')]);
		assert.match(page.url(), new RegExp(`/articles/${slug}\\?cpage=2#comment-\\d+$`));
		assert.equal(await onTwo.locator(':scope > ol.children > li.comment').count(), 1);
		await check();
		assert.equal(cancel, `/articles/${slug}?cpage=2#respond`, 'Cancel reply on page 2 leaves page 2');
	} finally {
		await context.close();
	}
});

test('narrow viewport (375px): long words, links, tables and a long name do not widen the page', async () => {
	const { context, page, check } = await open({ js: true, width: 375, height: 740 });
	const width = () => page.evaluate(() => ({ doc: document.documentElement.scrollWidth, vw: document.documentElement.clientWidth }));
	try {
		await page.goto(url(ARTICLES.narrow.slug));
		await fill(page, {
			body: `${'Supercalifragilistic'.repeat(12)}\n\nhttps://example.org/${'a-very-long-path/'.repeat(10)}\n\n\`${'inlinecode'.repeat(20)}\`\n\n| a | table |\n|---|---|\n| ${'cell'.repeat(30)} | x |`,
			author: 'Short Name', email: 'long@example.com',
		});
		await page.click('#commentform button[type=submit]');
		await commentWith(page, 'Supercalifragilistic').waitFor();
		let w = await width();
		assert.ok(w.doc <= w.vw, `a comment with long words makes the page ${w.doc}px wide in ${w.vw}px`);

		// A name of 64 letters without a space (the limit is 100).
		const name = 'Longname'.repeat(8);
		await fill(page, { body: 'A comment by a long name.', author: name, email: 'long@example.com' });
		await page.click('#commentform button[type=submit]');
		const li = commentWith(page, 'A comment by a long name.');
		await li.waitFor();
		await shot(page, 'narrow-375px-long-words-and-name', {
			text: { 'h2#comments-title': `2 thoughts on “${ARTICLES.narrow.title}”`, [`#${await li.getAttribute('id')} .comment-author`]: name },
			visible: ['.comment-body table'],
		});
		w = await width();
		const right = await li.locator('.comment-author').evaluate((e) => Math.round(e.getBoundingClientRect().right));
		assert.ok(w.doc <= w.vw && right <= w.vw,
			`a 64-letter name makes .comment-author end at ${right}px and the page ${w.doc}px wide in a ${w.vw}px viewport`);
		await check();
	} finally {
		await context.close();
	}
});

test('without JavaScript: a refused reply on page 2 shows the comment it replies to', async () => {
	const { slug } = PAGED3;
	const { context, page, check } = await open({ js: false, allowStatus: [422] });
	try {
		await page.goto(`${paged.url}/articles/${slug}?cpage=2`);
		const target = commentWith(page, 'Seeded thread by Wren.');
		const id = await target.getAttribute('id');
		await Promise.all([page.waitForNavigation(), target.locator(':scope > article a.reply-link').click()]);
		await fill(page, { body: '', author: 'Quinn', email: 'quinn@example.com' });
		const [res] = await Promise.all([page.waitForNavigation(), page.click('#commentform button[type=submit]')]);
		assert.equal(res.status(), 422);
		assert.equal(await page.inputValue('#parent'), id.slice('comment-'.length));
		assert.equal(await page.inputValue('#author'), 'Quinn');
		await shot(page, 'nojs-refused-reply-on-page-2', {
			text: { '#body-error': 'Please write a comment.', '#reply-title': 'Reply to Wren Cancel reply' },
			visible: ['#body-error'],
		});
		await check();
		// The reader should still see what they are replying to.
		assert.equal(await page.locator(`li.comment#${id}`).count(), 1,
			`the refused reply's page does not show ${id}, the comment it replies to (it shows page 1)`);
	} finally {
		await context.close();
	}
});
