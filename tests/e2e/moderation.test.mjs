// Browser end-to-end tests of moderation: a held comment shown to its
// reader alone, a moderator approving it in the queue so that it appears
// on the article, a bulk spam action removing several at once (without
// JavaScript), the queue's keys (j, k, a, s, t), and the queue on a
// phone.  Debian's Chromium driven by playwright-core; screenshots go to
// test-output/e2e/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { BIN, Browser, addArticle, formTokens, parley, scratch, startServer } from '../lib/server.mjs';
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

let server, browser, db;

before(async () => {
	assert.ok(existsSync(BIN), `no parley binary at ${BIN}: run make`);
	assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install chromium`);
	mkdirSync(SHOTS, { recursive: true });
	({ db } = scratch());
	for (const slug of ['e2e-held', 'e2e-bulk', 'e2e-keys', 'e2e-phone'])
		addArticle(db, { slug, title: `Moderated ${slug.slice(4)}`, body: 'An article whose comments wait for a moderator.' });
	const r = parley(['user', 'add', 'mod@example.org', 'Mo Derator', 'moderator', '--db', db], { input: `${PASSWORD}\n` });
	assert.equal(r.status, 0, r.stderr);
	server = await startServer({ db, config: '[comments]\nmoderation = hold\n' });
	browser = await chromium.launch(LAUNCH);
});

after(async () => {
	await browser?.close();
	await server?.stop();
});

// Posts a comment over plain HTTP; resolves to its id.
async function post(slug, body) {
	const b = new Browser(server.url);
	const { text } = await b.get(`/articles/${slug}`);
	const t = formTokens(text);
	const { res } = await b.post(`/articles/${slug}/comments`, { csrf: t.csrf, key: t.key, author: 'Pat Poster', email: 'pat@example.org', url: '', body, parent: '', website_confirm: '' });
	assert.equal(res.status, 303);
	return Number(/#comment-(\d+)$/.exec(res.headers.get('location'))[1]);
}

// A browser page signed in as the moderator.
async function moderator(context) {
	const page = await context.newPage();
	await page.goto(`${server.url}/account/signin?next=${encodeURIComponent('/moderate')}`);
	await page.fill('#email', 'mod@example.org');
	await page.fill('#password', PASSWORD);
	await page.click('button[type=submit]');
	await page.waitForURL(/\/moderate$/);
	return page;
}

const statusOf = (id) => {
	const r = parley(['comments', 'show', String(id), '--db', db]);
	return /^status: (\w+)$/m.exec(r.stdout)[1];
};

test('a held comment: its reader sees it marked; a moderator approves it; everyone sees it', async () => {
	const readerCtx = await browser.newContext({ viewport: { width: 1024, height: 800 } });
	const reader = await readerCtx.newPage();
	await reader.goto(`${server.url}/articles/e2e-held`);
	await reader.fill('#body', 'A thought that waits for a moderator.');
	await reader.fill('#author', 'Rita Reader');
	await reader.fill('#email', 'rita@example.org');
	await reader.click('#commentform button[type=submit]');
	await reader.waitForSelector('.pending-note');
	await snap(reader, join(SHOTS, 'moderation-held.png'), {
		text: { '.pending-note': 'Your comment is awaiting moderation.', '#comments-title': 'No comments yet' },
		visible: ['.comment-body'],
	});

	const otherCtx = await browser.newContext();
	const other = await otherCtx.newPage();
	await other.goto(`${server.url}/articles/e2e-held`);
	assert.equal(await other.locator('.comment').count(), 0, 'another reader sees nothing of it');

	const modCtx = await browser.newContext({ viewport: { width: 1024, height: 800 } });
	const mod = await moderator(modCtx);
	const item = mod.locator('.mod-item', { hasText: 'A thought that waits for a moderator.' });
	await item.waitFor();
	await snap(mod, join(SHOTS, 'moderation-queue.png'), {
		text: { h1: 'Moderation' },
		visible: ['.queue > li:first-child', '.bulk', 'a.mod-pending'],
	});
	await item.locator('button[data-key=a]').click();
	await mod.waitForURL(/\/moderate\?status=pending/);
	assert.equal(await mod.locator('.mod-item', { hasText: 'A thought that waits for a moderator.' }).count(), 0);

	await other.goto(`${server.url}/articles/e2e-held`);
	assert.equal(await other.locator('.comment-body').innerText(), 'A thought that waits for a moderator.');
	assert.equal(await other.locator('#comments-title').innerText(), '1 thought on “Moderated held”');
	await reader.reload();
	assert.equal(await reader.locator('.pending-note').count(), 0, 'approved, it is no longer marked');
	await Promise.all([readerCtx.close(), otherCtx.close(), modCtx.close()]);
});

test('a bulk spam action, without JavaScript, removes several comments at once', async () => {
	const ids = [await post('e2e-bulk', 'Buy cheap watches one'), await post('e2e-bulk', 'Buy cheap watches two'), await post('e2e-bulk', 'Buy cheap watches three')];
	const keep = await post('e2e-bulk', 'A genuine comment to keep.');
	const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1024, height: 800 } });
	const mod = await moderator(ctx);
	for (const id of ids) await mod.check(`#pick-${id}`);
	await snap(mod, join(SHOTS, 'moderation-bulk-checked.png'), { visible: ids.map((id) => `#mod-${id}`) });
	await mod.click('.bulk button[value=spam]');
	await mod.waitForURL(/\/moderate\?status=pending/);
	for (const id of ids) assert.equal(await mod.locator(`#mod-${id}`).count(), 0);
	assert.equal(await mod.locator(`#mod-${keep}`).count(), 1);
	assert.deepEqual(ids.map(statusOf), ['spam', 'spam', 'spam']);
	await mod.goto(`${server.url}/moderate?status=spam`);
	for (const id of ids) assert.equal(await mod.locator(`#mod-${id}`).count(), 1);
	await snap(mod, join(SHOTS, 'moderation-spam-queue.png'), { text: { h1: 'Moderation' } });
	await ctx.close();
});

test('keys: j and k move between comments, a approves, s marks spam, t trashes', async () => {
	// Oldest first here, so the newest (first in the queue) is c.
	const a = await post('e2e-keys', 'Key test a');
	const b = await post('e2e-keys', 'Key test b');
	const c = await post('e2e-keys', 'Key test c');
	const ctx = await browser.newContext({ viewport: { width: 1024, height: 800 } });
	const mod = await moderator(ctx);
	await mod.goto(`${server.url}/moderate?article=${/\d+/.exec(parley(['post', 'list', '--db', db]).stdout.split('\n').find((l) => l.includes('e2e-keys')))[0]}`);
	await mod.keyboard.press('j');
	await mod.keyboard.press('j');
	await mod.keyboard.press('k');
	assert.equal(await mod.locator('.mod-item.current').getAttribute('data-id'), String(c));
	await snap(mod, join(SHOTS, 'moderation-keys.png'), { visible: ['.mod-item.current'] });
	await Promise.all([mod.waitForNavigation(), mod.keyboard.press('a')]);
	assert.equal(statusOf(c), 'approved');
	await mod.keyboard.press('j');
	assert.equal(await mod.locator('.mod-item.current').getAttribute('data-id'), String(b));
	await Promise.all([mod.waitForNavigation(), mod.keyboard.press('s')]);
	assert.equal(statusOf(b), 'spam');
	await mod.keyboard.press('j');
	await Promise.all([mod.waitForNavigation(), mod.keyboard.press('t')]);
	assert.equal(statusOf(a), 'trash');
	await ctx.close();
});

test('the queue on a phone: nothing wider than the screen', async () => {
	await post('e2e-phone', 'A comment with a verylongwordthatgoesonandonwithoutanybreakatallsoitmustwrapsomewhere in it.');
	const ctx = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true });
	const mod = await moderator(ctx);
	await snap(mod, join(SHOTS, 'moderation-phone.png'), { text: { h1: 'Moderation' }, visible: ['.queue > li:first-child', '.bulk'] });
	await ctx.close();
});
