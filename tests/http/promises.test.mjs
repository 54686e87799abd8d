// Promises of the README that the other tests leave open: with the
// default settings, 50 top-level comments to a page (with all their
// replies, permalinks landing on the right page) and ten articles to a
// front page; avatars drawn from a hash keyed with the site's secret.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
	site, browser, request, openForm, postComment, comments, countHeading, addArticles,
	stopClean, newArticle, unique, parley, scratch, addArticle, startServer,
} from './util.mjs';
import { Agent, signIn, comment } from '../lib/identity.mjs';

let srv;	// the default configuration
before(async () => {
	srv = await site({ articles: [] });
});
after(() => stopClean(srv));

describe('a long discussion with the default settings', () => {
	test('50 top-level comments a page with all their replies; acknowledgements and permalinks name the page', async () => {
		const slug = newArticle(srv, { title: 'Fifty' });
		const b = browser(srv);
		const t = await openForm(b, slug);
		// One form, a fresh key per comment: each post is a new comment.
		const post = async (fields) => {
			const { res } = await b.post(`/articles/${slug}/comments`, {
				csrf: t.csrf, key: unique('k'), author: 'Ann', email: 'ann@example.org', body: unique('c'), parent: '', website_confirm: '', ...fields,
			});
			assert.equal(res.status, 303);
			const location = res.headers.get('location');
			return { id: Number(/#comment-(\d+)$/.exec(location)[1]), location };
		};
		const top = [];
		for (let i = 0; i < 51; i++) top.push(await post({}));
		// A reply to the first comment, posted after the 51st: it belongs to page 1.
		const reply = await post({ parent: String(top[0].id) });

		assert.equal(top[49].location, `/articles/${slug}#comment-${top[49].id}`, 'the 50th is on page 1');
		assert.equal(top[50].location, `/articles/${slug}?cpage=2#comment-${top[50].id}`, 'the 51st is on page 2');
		assert.equal(reply.location, `/articles/${slug}#comment-${reply.id}`, 'the reply is on its thread\'s page');

		const one = await b.get(`/articles/${slug}`);
		const list = comments(one.text);
		assert.deepEqual(list.filter((c) => c.depth === 0).map((c) => c.id), top.slice(0, 50).map((c) => c.id));
		assert.deepEqual(list.filter((c) => c.depth > 0).map((c) => [c.id, c.depth, c.parent]), [[reply.id, 1, top[0].id]]);
		assert.equal(countHeading(one.text), '52 thoughts on “Fifty”');
		assert.ok(one.text.includes(`rel="next" href="/articles/${slug}?cpage=2#comments"`), 'page 1 links to page 2');

		const two = await b.get(`/articles/${slug}?cpage=2`);
		assert.equal(two.res.status, 200);
		assert.deepEqual(comments(two.text).map((c) => c.id), [top[50].id]);
		assert.equal((await b.get(`/articles/${slug}?cpage=3`)).res.status, 404);

		for (const [id, page] of [[top[0].id, 1], [top[49].id, 1], [reply.id, 1], [top[50].id, 2]]) {
			const res = await request(srv, `/comments/${id}`);
			assert.equal(res.status, 302);
			assert.equal(res.headers.get('location'), page === 1 ? `/articles/${slug}#comment-${id}` : `/articles/${slug}?cpage=2#comment-${id}`, `comment ${id}`);
		}
	});
});

describe('the front page with the default settings', () => {
	test('ten articles to a page, newest first', async () => {
		const own = await site({ articles: [] });
		try {
			// Eleven articles, a day apart: article 11 is the newest.
			addArticles(own.db, Array.from({ length: 11 }, (_, i) => ({
				title: `Day ${i + 1}`, slug: `day-${i + 1}`, extra: `date: 2026-10-${String(i + 1).padStart(2, '0')} 09:00\n`,
			})));
			const b = browser(own);
			const slugs = (html) => [...html.matchAll(/<h2><a href="\/articles\/([a-z0-9-]+)">/g)].map((m) => m[1]);
			const one = await b.get('/');
			assert.deepEqual(slugs(one.text), Array.from({ length: 10 }, (_, i) => `day-${11 - i}`));
			assert.match(one.text, /href="\/\?page=2"/);
			const two = await b.get('/?page=2');
			assert.equal(two.res.status, 200);
			assert.deepEqual(slugs(two.text), ['day-1']);
			assert.equal((await b.get('/?page=3')).res.status, 404);
		} finally {
			await stopClean(own);
		}
	});
});

describe('avatars', () => {
	// The avatar address shown with the only comment of a new article,
	// posted by browser b (a new one unless given).
	async function avatarOf(server, email, b = browser(server)) {
		const slug = newArticle(server);
		const r = await postComment(b, slug, { email });
		assert.equal(r.status, 303);
		const [c] = comments((await b.get(`/articles/${slug}`)).text);
		const m = /<img class="avatar" src="\/avatars\/([0-9a-f]{32})\.svg"/.exec(c.html);
		assert.ok(m, 'a local avatar');
		return m[1];
	}

	test('drawn from a keyed hash of the posting browser, never of the typed email: the same for one browser, different on another site', async () => {
		const email = 'same.reader@example.org';
		const reader = browser(srv);
		const here = await avatarOf(srv, email, reader);
		assert.equal(await avatarOf(srv, email, reader), here, 'the same browser, the same avatar');
		// Anyone can type an address: it must not show whose it is.
		assert.notEqual(await avatarOf(srv, email), here, 'the same email from another browser, another avatar');
		for (const alg of ['md5', 'sha1', 'sha256']) {
			for (const e of [email, email.toLowerCase().trim()]) {
				assert.ok(!createHash(alg).update(e).digest('hex').startsWith(here), `not a plain ${alg} of the email`);
			}
		}
		const other = await site({ articles: [] });
		try {
			assert.notEqual(await avatarOf(other, email), here, 'another site (another secret), another avatar');
		} finally {
			await stopClean(other);
		}
	});

	test('a member\'s avatar is keyed with the site\'s secret: account 1 of one site is not account 1 of another', async () => {
		const shown = [];
		for (let i = 0; i < 2; i++) {
			const { db } = scratch();
			addArticle(db, { slug: 'keyed', title: 'Keyed' });
			const r = parley(['user', 'add', 'first@example.org', 'First Member', 'reader', '--db', db], { input: 'correct horse battery\n' });
			assert.equal(r.status, 0, r.stderr);
			const server = await startServer({ db });
			try {
				const a = new Agent(server.url);
				await signIn(a, 'first@example.org', 'correct horse battery');
				assert.equal((await comment(a, 'keyed', 'Signed in here.')).status, 303);
				const m = /<img class="avatar" src="\/avatars\/([0-9a-f]{32})\.svg"/.exec((await a.get('/articles/keyed')).text);
				assert.ok(m, 'a local avatar');
				shown.push(m[1]);
			} finally {
				await stopClean(server);
			}
		}
		assert.notEqual(shown[0], shown[1], 'the same account number on two sites (two secrets), two avatars');
	});
});
