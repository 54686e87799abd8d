// Browser end-to-end tests of what readers do to comments besides posting
// them: flag one (the form works without JavaScript; readers at three
// addresses hold it, and a moderator finds it in the flagged queue), and
// edit or remove their own within the window (the "(edited)" mark every
// reader sees, the placeholder that keeps the replies).  Debian's
// Chromium driven by playwright-core; screenshots go to test-output/e2e/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { BIN, addArticle, parley, scratch, startServer } from '../lib/server.mjs';
import { snap } from './see.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = join(ROOT, 'test-output', 'e2e');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const PASSWORD = 'moderate with care 42';
const LAUNCH = {
	executablePath: CHROMIUM,
	args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
		'--disable-background-networking', '--disable-component-update', '--disable-sync'],
};
// Readers come through a trusted proxy on loopback, each from an address of
// its own (X-Forwarded-For), as on a site behind nginx.
const CONFIG = '[server]\ntrusted_proxies = 127.0.0.1\n[comments]\nmoderation = open\n[moderation]\nflags_to_hold = 3\n';

let server, browser, db;

before(async () => {
	assert.ok(existsSync(BIN), `no parley binary at ${BIN}: run make`);
	assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install chromium`);
	mkdirSync(SHOTS, { recursive: true });
	({ db } = scratch());
	addArticle(db, { slug: 'e2e-flagged', title: 'Flagged by readers', body: 'An article whose readers flag a comment.' });
	addArticle(db, { slug: 'e2e-own', title: 'Second thoughts', body: 'An article whose commenter changes their mind.' });
	const r = parley(['user', 'add', 'mod@example.org', 'Mo Derator', 'moderator', '--db', db], { input: `${PASSWORD}\n` });
	assert.equal(r.status, 0, r.stderr);
	server = await startServer({ db, config: CONFIG });
	browser = await chromium.launch(LAUNCH);
});

after(async () => {
	await browser?.close();
	await server?.stop();
});

// A reader's browser, coming from ip; JavaScript on unless told otherwise.
const readerAt = (ip, options = {}) =>
	browser.newContext({ viewport: { width: 1024, height: 800 }, extraHTTPHeaders: { 'X-Forwarded-For': ip }, ...options });

// Posts a comment through the page's form; resolves to its id.
async function comment(page, slug, body, { author = 'Rita Reader', email = 'rita@example.org' } = {}) {
	await page.goto(`${server.url}/articles/${slug}`);
	await page.fill('#body', body);
	await page.fill('#author', author);
	await page.fill('#email', email);
	// The page's script posts the form and marks the new comment.
	await page.click('#commentform button[type=submit]');
	const added = page.locator('li.comment.is-new');
	await added.waitFor();
	return Number(/^comment-(\d+)$/.exec(await added.getAttribute('id'))[1]);
}

test('readers at three addresses flag a comment, without JavaScript: it is held, and waits in the flagged queue', async () => {
	const posterCtx = await readerAt('198.51.100.10');
	const id = await comment(await posterCtx.newPage(), 'e2e-flagged', 'Everyone who disagrees with me is a fool.');
	const reasons = ['abuse', 'abuse', 'off-topic'];
	for (const [i, reason] of reasons.entries()) {
		const ctx = await readerAt(`203.0.113.${i + 1}`, { javaScriptEnabled: false });
		const page = await ctx.newPage();
		await page.goto(`${server.url}/articles/e2e-flagged`);
		await Promise.all([page.waitForNavigation(), page.locator(`#comment-${id} a.flag-link`).click()]);
		assert.equal(new URL(page.url()).pathname, `/comments/${id}/flag`);
		await page.check(`#reason-${reason}`);
		if (i === 0) {
			await page.fill('#note', 'Name-calling, not an argument.');
			await snap(page, join(SHOTS, 'readers-flag-form.png'), { text: { h1: 'Flag a comment' }, visible: ['.flagged-comment', '.flag-form'] });
		}
		await Promise.all([page.waitForNavigation(), page.click('.flag-form button[type=submit]')]);
		assert.match(await page.locator('main, body').first().innerText(), /Thank you: the moderators will look at this comment\./);
		if (i === 0) await snap(page, join(SHOTS, 'readers-flag-thanks.png'), {});
		await ctx.close();
	}
	// Held: gone from the page for everyone else.
	const later = await (await readerAt('192.0.2.200')).newPage();
	await later.goto(`${server.url}/articles/e2e-flagged`);
	assert.equal(await later.locator(`#comment-${id}`).count(), 0, 'held once three readers flagged it');
	assert.equal(await later.locator('#comments-title').innerText(), 'No comments yet');

	const modCtx = await browser.newContext({ viewport: { width: 1024, height: 800 } });
	const mod = await modCtx.newPage();
	await mod.goto(`${server.url}/account/signin?next=${encodeURIComponent('/moderate?status=flagged')}`);
	await mod.fill('#email', 'mod@example.org');
	await mod.fill('#password', PASSWORD);
	await Promise.all([mod.waitForNavigation(), mod.click('button[type=submit]')]);
	const item = mod.locator(`#mod-${id}`);
	await item.waitFor();
	assert.match(await item.locator('.flag-list').innerText(), /Name-calling, not an argument\./);
	await snap(mod, join(SHOTS, 'readers-flagged-queue.png'), { text: { h1: 'Moderation' }, visible: [`#mod-${id} .flag-list`] });
	await Promise.all([posterCtx.close(), modCtx.close(), later.context().close()]);
});

test('a commenter edits their comment within the window, then removes it: "(edited)" for all, replies kept', async () => {
	const authorCtx = await readerAt('198.51.100.20');
	const author = await authorCtx.newPage();
	const id = await comment(author, 'e2e-own', 'Rents rose 6% last year.', { author: 'Ed Itor', email: 'ed@example.org' });
	const replierCtx = await readerAt('198.51.100.21');
	const replier = await replierCtx.newPage();
	await replier.goto(`${server.url}/articles/e2e-own`);
	assert.equal(await replier.locator(`#comment-${id} a.own-edit`).count(), 0, 'another reader is offered no Edit');
	const reply = await comment(replier, 'e2e-own', 'Source?', { author: 'Ada Asker', email: 'ada@example.org' });
	// (A top-level comment is enough here: what matters is that it stays.)

	await author.goto(`${server.url}/articles/e2e-own`);
	await Promise.all([author.waitForNavigation(), author.locator(`#comment-${id} a.own-edit`).click()]);
	await author.fill('#body', 'Rents rose 2% last year; I misread the table.');
	await snap(author, join(SHOTS, 'readers-own-edit.png'), { text: { h1: 'Your comment' }, visible: ['#editform', '.remove-form'] });
	await Promise.all([author.waitForNavigation(), author.click('#editform button[type=submit]')]);

	await replier.goto(`${server.url}/articles/e2e-own`);
	const edited = replier.locator(`#comment-${id}`);
	assert.equal(await edited.locator('.comment-body').innerText(), 'Rents rose 2% last year; I misread the table.');
	assert.equal(await edited.locator('.edited').innerText(), '(edited)');
	await snap(replier, join(SHOTS, 'readers-edited.png'), { visible: [`#comment-${id} .edited`] });

	await author.goto(`${server.url}/comments/${id}/edit`);
	await Promise.all([author.waitForNavigation(), author.click('.remove-form button[type=submit]')]);
	await replier.goto(`${server.url}/articles/e2e-own`);
	assert.equal(await replier.locator(`#comment-${id} .comment-body`).innerText(), 'This comment was removed by its author.');
	assert.equal(await replier.locator(`#comment-${reply} .comment-body`).innerText(), 'Source?');
	assert.equal(await replier.locator('#comments-title').innerText(), '1 thought on “Second thoughts”');
	await Promise.all([authorCtx.close(), replierCtx.close()]);
});
