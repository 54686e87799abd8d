// Change events (core/change.c) as a reader sees them: a write publishes
// what it changed and the page cache drops those pages at once. A user's
// name shows on every article they commented on, so renaming or deleting
// the account drops each of those pages, each cached before the write.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { addArticle } from '../lib/server.mjs';
import {
	smtpSink, Agent, csrfOf, identityConfig, identitySite, signUpAndIn, comment,
} from '../lib/identity.mjs';
import { stopClean } from './util.mjs';

const PASSWORD = 'correct horse battery';

// The server flushes every page when it notices a commit it did not make
// (the CLI's; it looks every 250 ms). Waiting that out after setting up
// leaves only the write under test to drop pages.
const settle = () => new Promise((resolve) => setTimeout(resolve, 800));
const SLUGS = ['identity-article', 'second-change-article', 'third-change-article'];

describe('a user change drops the pages of every article they commented on', () => {
	let smtp, site, server;

	before(async () => {
		smtp = await smtpSink();
		site = await identitySite(identityConfig({ smtp }));
		server = site.server;
		// Added before any page is cached (another process's write flushes all).
		addArticle(site.db, { slug: SLUGS[1], title: 'Second Change Article' });
		addArticle(site.db, { slug: SLUGS[2], title: 'Third Change Article' });
	});
	after(async () => {
		await stopClean(server);
		await smtp.close();
	});

	// Reads every article page twice, so each is in the cache, and checks
	// what a reader sees on it.
	async function pages(reader, want, unwanted) {
		for (const slug of SLUGS) {
			for (let i = 0; i < 2; i++) {
				const r = await reader.get(`/articles/${slug}`);
				assert.equal(r.status, 200, slug);
				if (slug !== SLUGS[2]) {
					assert.match(r.text, want, `${slug}, read ${i + 1}`);
					assert.doesNotMatch(r.text, unwanted, `${slug}, read ${i + 1}`);
				}
			}
		}
	}

	test('a comment drops its article page and the front page, at once', async () => {
		const a = await signUpAndIn(server, smtp, { name: 'Front Counter', email: 'front@example.org' });
		const reader = new Agent(server.url);
		await settle();
		const label = (html) => (new RegExp(`/articles/${SLUGS[2]}#comments">([^<]*)<`).exec(html) || [])[1];
		for (let i = 0; i < 2; i++) {
			assert.equal(label((await reader.get('/')).text), 'No comments yet');
			assert.match((await reader.get(`/articles/${SLUGS[2]}`)).text, /No comments yet/);
		}
		assert.equal((await comment(a, SLUGS[2], 'Counted on the front page.')).status, 303);
		assert.equal(label((await reader.get('/')).text), '1 comment', 'the front page was dropped');
		assert.match((await reader.get(`/articles/${SLUGS[2]}`)).text, /Counted on the front page\./);
	});

	test('renaming', async () => {
		const a = await signUpAndIn(server, smtp, { name: 'Before Rename', email: 'rename@example.org' });
		const reader = new Agent(server.url);
		await settle();
		assert.equal((await comment(a, SLUGS[0], 'On the first article.')).status, 303);
		assert.equal((await comment(a, SLUGS[1], 'On the second article.')).status, 303);
		await pages(reader, /Before Rename/, /After Rename/);
		let r = await a.get('/account/settings');
		r = await a.post('/account/settings/name', { csrf: csrfOf(r.text), name: 'After Rename' });
		assert.equal(r.status, 303);
		await pages(reader, /After Rename/, /Before Rename/);
	});

	test('deleting the account', async () => {
		const a = await signUpAndIn(server, smtp, { name: 'Soon Gone', email: 'gone@example.org' });
		const reader = new Agent(server.url);
		await settle();
		assert.equal((await comment(a, SLUGS[0], 'Leaving a first note.')).status, 303);
		assert.equal((await comment(a, SLUGS[1], 'Leaving a second note.')).status, 303);
		await pages(reader, /Soon Gone/, /no such name/);
		let r = await a.get('/account/settings');
		r = await a.post('/account/delete', { csrf: csrfOf(r.text), password: PASSWORD, confirm: 'delete' });
		assert.equal(r.status, 200);
		await pages(reader, /Leaving a (first|second) note\./, /Soon Gone/);
	});
});
