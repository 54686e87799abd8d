// Identity in Chromium: sign up, verify by the link from the SMTP sink,
// sign in, comment as that user, log out; and sign in with a real OpenID
// provider (npm oidc-provider on 127.0.0.1) and comment.  Debian's
// Chromium driven by playwright-core; every request outside 127.0.0.1 is
// blocked.  Screenshots go to test-output/e2e/.
//
//   PARLEY_BIN=./parley node --test --test-reporter=tap --test-concurrency=1 tests/e2e/identity.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { BIN, addArticle } from '../lib/server.mjs';
import { snap } from './see.mjs';
import { smtpSink, linkIn, identityConfig, identitySite, realProvider } from '../lib/identity.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = join(ROOT, 'test-output', 'e2e');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const LAUNCH = {
	executablePath: CHROMIUM,
	args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
		'--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

let smtp, real, site, browser;

before(async () => {
	assert.ok(existsSync(BIN), `no parley binary at ${BIN}: run make`);
	assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}`);
	mkdirSync(SHOTS, { recursive: true });
	smtp = await smtpSink();
	real = await realProvider();
	const providers = `[oidc.local]\nissuer = ${real.issuer}\nclient_id = ${real.clientId}\nclient_secret = ${real.clientSecret}\nlabel = Local ID\n`;
	site = await identitySite(identityConfig({ smtp, providers }), { slug: 'e2e-identity', title: 'Who Is Commenting' });
	// The OpenID test comments on an article of its own.
	addArticle(site.db, { slug: 'e2e-identity-oidc', title: 'Signed In Elsewhere' });
	real.attach(site.server.url, 'local');
	browser = await chromium.launch(LAUNCH);
});

after(async () => {
	if (browser) await browser.close();
	if (site) await site.server.stop();
	if (real) await real.close();
	if (smtp) await smtp.close();
});

// A new context whose requests may go to 127.0.0.1 only; page errors are collected.
async function open() {
	const context = await browser.newContext({ viewport: { width: 1024, height: 900 } });
	context.setDefaultTimeout(15000);
	await context.route('**/*', (route) => {
		const host = new URL(route.request().url()).hostname;
		return host === '127.0.0.1' ? route.continue() : route.abort();
	});
	const problems = [];
	context.on('page', (p) => p.on('pageerror', (e) => problems.push(e.message)));
	const page = await context.newPage();
	page.on('pageerror', (e) => problems.push(e.message));
	return { context, page, problems };
}

test('sign up, verify by email, sign in, comment, log out', async () => {
	const { context, page, problems } = await open();
	const url = site.server.url;
	try {
		await page.goto(`${url}/account/signup`);
		await page.fill('#name', 'Grace Hopper');
		await page.fill('#email', 'grace@example.org');
		await page.fill('#password', 'cobol forever and ever');
		assert.equal(await page.inputValue('#name'), 'Grace Hopper');
		await snap(page, join(SHOTS, 'identity-signup.png'), {
			text: { h1: 'Create an account', 'label[for=name]': 'Display name' },
			visible: ['#name', '#email', '#password', 'button[type=submit]'],
			hidden: ['.form-error', '#name-error'],
		});
		await page.click('button[type=submit]');
		await page.waitForSelector('text=Check your email');

		const mail = await smtp.waitFor((m) => m.to.includes('grace@example.org'));
		await page.goto(linkIn(mail, '/account/verify'));
		await page.click('button[type=submit]');
		await page.waitForSelector('text=Your email address is confirmed');

		await page.goto(`${url}/account/signin?next=${encodeURIComponent('/articles/e2e-identity#respond')}`);
		await page.fill('#email', 'grace@example.org');
		await page.fill('#password', 'cobol forever and ever');
		await snap(page, join(SHOTS, 'identity-signin.png'), {
			text: { h1: 'Sign in' },
			visible: ['#email', '#password', 'button[type=submit]', 'a.provider-local'],
			hidden: ['.form-error'],
		});
		await page.click('button[type=submit]');
		await page.waitForURL(/\/articles\/e2e-identity/);
		const who = page.locator('.logged-in-as');
		assert.equal(await who.innerText(), 'You are commenting as Grace Hopper · Log out / Change');
		assert.equal(await page.locator('#author').count(), 0);

		await page.fill('#body', 'Comment from a signed-in reader.');
		await page.click('#commentform button[type=submit]');
		const posted = page.locator('li.comment', { hasText: 'Comment from a signed-in reader.' });
		await posted.waitFor();
		assert.match(await posted.locator('.comment-author').innerText(), /Grace Hopper/);
		await snap(page, join(SHOTS, 'identity-commented.png'), {
			text: {
				'h2#comments-title': '1 thought on “Who Is Commenting”',
				'.logged-in-as': 'You are commenting as Grace Hopper · Log out / Change',
				[`#${await posted.getAttribute('id')} .comment-author`]: 'Grace Hopper',
			},
			visible: ['.logged-in-as', '#body'],
			hidden: ['#author', '#email'],
		});

		await page.click('.logged-in-as >> text=Log out');
		await page.waitForURL(/\/account\/signout/);
		await page.click('button:has-text("Sign out")');
		await page.waitForURL(/\/articles\/e2e-identity/);
		assert.equal(await page.locator('.logged-in-as').count(), 0);
		assert.equal(await page.locator('#author').count(), 1);
		assert.deepEqual(problems, []);
	} finally {
		await context.close();
	}
});

test('sign in with an OpenID provider and comment', async () => {
	const { context, page, problems } = await open();
	const url = site.server.url;
	try {
		await page.goto(`${url}/articles/e2e-identity-oidc`);
		await page.goto(`${url}/account/signin?next=${encodeURIComponent('/articles/e2e-identity-oidc#respond')}`);
		await snap(page, join(SHOTS, 'identity-providers.png'), {
			text: { h1: 'Sign in', '.providers a.provider-local': 'Sign in with Local ID' },
			visible: ['.providers a.provider-local', '#email'],
		});
		await page.click('text=Sign in with Local ID');
		// oidc-provider's development login and consent pages.
		await page.waitForSelector('input[name=login]');
		await page.fill('input[name=login]', 'carol');
		await page.fill('input[name=password]', 'anything');
		await page.click('button[type=submit]');
		await page.waitForSelector('button:has-text("Continue")');
		await page.click('button:has-text("Continue")');
		await page.waitForURL(/\/articles\/e2e-identity-oidc/);
		assert.equal(await page.locator('.logged-in-as').innerText(), 'You are commenting as External carol · Log out / Change');

		await page.fill('#body', 'Comment after signing in elsewhere.');
		await page.click('#commentform button[type=submit]');
		const posted = page.locator('li.comment', { hasText: 'Comment after signing in elsewhere.' });
		await posted.waitFor();
		assert.match(await posted.locator('.comment-author').innerText(), /External carol/);
		await snap(page, join(SHOTS, 'identity-oidc-commented.png'), {
			text: {
				'h2#comments-title': '1 thought on “Signed In Elsewhere”',
				'.logged-in-as': 'You are commenting as External carol · Log out / Change',
				[`#${await posted.getAttribute('id')} .comment-author`]: 'External carol',
			},
			visible: ['.logged-in-as', '#body'],
			hidden: ['#author', '#email'],
		});
		assert.deepEqual(problems, []);
	} finally {
		await context.close();
	}
});
