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
import { BIN, addArticle, parley, scratch, startServer } from '../lib/server.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = join(ROOT, 'test-output', 'e2e');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const DEMO = 'quiet-economics-of-public-libraries';

const LAUNCH = {
	executablePath: CHROMIUM,
	args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
		'--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

// One article per test, so every count starts from zero.
const ARTICLES = {
	js: { slug: 'e2e-js-thread', title: 'Threads With Script' },
	nojs: { slug: 'e2e-nojs-thread', title: 'Threads Without Script' },
	jsErr: { slug: 'e2e-js-errors', title: 'Errors With Script' },
	nojsErr: { slug: 'e2e-nojs-errors', title: 'Errors Without Script' },
	remember: { slug: 'e2e-remember', title: 'Remember Me' },
	forget: { slug: 'e2e-forget', title: 'Forget Me' },
	cancel: { slug: 'e2e-cancel', title: 'Cancel Reply' },
};

let server, browser;

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
	browser = await chromium.launch(LAUNCH);
});

after(async () => {
	if (browser) await browser.close();
	if (server) await server.stop();
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
	const page = await context.newPage();
	const problems = [];
	page.on('console', (m) => {
		const text = m.text();
		// Chromium asks for /favicon.ico on its own; Parley has none (see the report).
		if (/\/favicon\.ico$/.test(m.location().url || '')) return;
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
		problems.push(`request failed: ${req.method()} ${req.url()} ${f && f.errorText}`);
	});
	page.on('response', (res) => {
		if (res.status() >= 400 && !allowStatus.includes(res.status()))
			problems.push(`HTTP ${res.status()}: ${res.request().method()} ${res.url()}`);
	});
	await page.addInitScript(() => {
		window.__csp = [];
		document.addEventListener('securitypolicyviolation', (e) => {
			window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
		});
	});
	const check = async () => {
		if (js) {
			const csp = await page.evaluate(() => window.__csp || []);
			for (const v of csp) problems.push(`CSP violation: ${v}`);
		}
		assert.deepEqual(problems, [], 'the page reported problems');
	};
	return { context, page, problems, check };
}

const url = (slug, rest = '') => `${server.url}/articles/${slug}${rest}`;

async function shot(page, name) {
	await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

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
		assert.equal(await first.locator('.comment-author').first().innerText(), 'Alice Script');
		assert.equal(await page.evaluate(() => window.__marker), 1, 'the page was reloaded');
		const firstId = await first.getAttribute('id');
		assert.match(firstId, /^comment-\d+$/);
		// The form is back at the end, empty, and ready for another.
		assert.equal(await page.inputValue('#body'), '');
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
		await shot(page, 'js-reply-form-under-comment');

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
		await shot(page, 'js-threaded-reply');

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
		await first.locator(':scope > article a.reply-link').click();
		assert.equal(await first.locator(':scope > #respond').count(), 1);
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
		await shot(page, 'nojs-replytocom-form');

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
		// The new comment is the :target, and its reply link works from here.
		assert.equal(await page.evaluate(() => document.querySelector(':target') && document.querySelector(':target').id), replyId);
		await shot(page, 'nojs-threaded-reply');
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
		await shot(page, 'js-empty-comment-error');

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
	const { slug } = ARTICLES.jsErr;
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
		await shot(page, 'nojs-empty-comment-error');

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
	const { slug, title } = ARTICLES.nojsErr;
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
		assert.match(await page.locator('#reply-title').innerText(), /^Reply to Grace Typed/);
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
		// Also on another article (the cookie is site-wide) and without script.
		await next.goto(url(DEMO));
		assert.equal(await next.inputValue('#author'), 'Ivan Remembered');
		const cookies = await context.cookies(server.url);
		const who = cookies.find((c) => c.name === 'parley_who');
		assert.ok(who, 'no parley_who cookie');
		assert.equal(who.httpOnly, true);
		assert.equal(who.sameSite, 'Lax');

		// Unticked on the next comment: forgotten.
		await next.goto(url(slug));
		await shot(next, 'remembered-name-next-visit');
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

test('without "Save my name" nothing is remembered, with or without script', async () => {
	const { slug } = ARTICLES.forget;
	for (const js of [true, false]) {
		const { context, page, check } = await open({ js });
		try {
			await page.goto(url(slug));
			await fill(page, { body: `Not remembered (script ${js ? 'on' : 'off'}).`, author: 'Judy', email: 'judy@example.com' });
			assert.equal(await page.isChecked('#remember'), false);
			if (js) {
				await page.click('#commentform button[type=submit]');
				await commentWith(page, 'Not remembered (script on).').waitFor();
			} else {
				await Promise.all([page.waitForNavigation(), page.click('#commentform button[type=submit]')]);
			}
			await page.goto(url(slug));
			assert.equal(await page.inputValue('#author'), '');
			assert.equal(await page.inputValue('#email'), '');
			assert.equal((await context.cookies(server.url)).some((c) => c.name === 'parley_who'), false);
			await check();
		} finally {
			await context.close();
		}
	}
});

test('without JavaScript: "Save my name" is remembered too', async () => {
	const { slug } = ARTICLES.forget;
	const { context, page, check } = await open({ js: false });
	try {
		await page.goto(url(slug));
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

test('the demo article with 60 threaded comments, no console errors or CSP violations', async () => {
	for (const js of [true, false]) {
		const { context, page, check } = await open({ js });
		try {
			const res = await page.goto(url(DEMO));
			assert.equal(res.status(), 200);
			const csp = res.headers()['content-security-policy'] || '';
			assert.match(csp, /script-src 'self'/);
			assert.match(await headingText(page), /^\d+ thoughts on “.+”$/);
			const shown = await page.locator('li.comment').count();
			assert.ok(shown >= 50, `only ${shown} comments shown`);
			assert.ok(await page.locator('li.comment > ol.children > li.comment').count() > 0, 'no threaded replies');
			// Every avatar and the stylesheet loaded.
			const broken = await page.evaluate(() => [...document.images]
				.filter((i) => !i.complete || i.naturalWidth === 0).map((i) => i.src));
			assert.deepEqual(broken, []);
			assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(253, 252, 249)');
			if (js) {
				// The script ran: a Reply click moves the form without leaving.
				const li = page.locator('ol.comment-list > li.comment').nth(2);
				await li.locator(':scope > article a.reply-link').click();
				assert.equal(await li.locator(':scope > #respond').count(), 1);
				assert.equal(new URL(page.url()).search, '');
			}
			// Full-page shots of this long page are slow: one is enough.
			if (js) await shot(page, 'demo-article-desktop');
			await check();
		} finally {
			await context.close();
		}
	}
});

test('narrow viewport (375px): the article fits without sideways scrolling', async () => {
	const { context, page, check } = await open({ js: true, width: 375, height: 740 });
	try {
		await page.goto(url(DEMO));
		await shot(page, 'demo-article-375px');
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
		await check();
	} finally {
		await context.close();
	}
});
