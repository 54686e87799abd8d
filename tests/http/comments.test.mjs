// Posting comments and replies; the thread, its count, permalinks, the
// reply form, one-time keys, the remembered name, pagination and depth.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	site, browser, request, postComment, openForm, comments, countHeading, commentBody,
	inputValue, fieldError, sql, unique, assertNoActiveContent, stopClean, newArticle,
} from './util.mjs';

// One server with the default configuration for most of this file; each
// test adds its own articles to it (newArticle), so it can run alone.
let srv;
before(async () => {
	srv = await site({ articles: [] });
});
after(() => stopClean(srv));

// An article "Talk" with a thread: Ann's comment, Bob's reply to it, and
// Cy's second thread; resolves to { slug, first, reply, second }.
async function talk() {
	const slug = newArticle(srv, { title: 'Talk' });
	const b = browser(srv);
	const f = await postComment(b, slug, { author: 'Ann Example', email: 'ann@example.org', url: 'https://ann.example/blog', body: 'First *comment* here' });
	assert.equal(f.status, 303, f.text);
	const r = await postComment(b, slug, { parent: String(f.id), author: 'Bob', email: 'bob@example.org', body: 'A reply' }, { query: `?replytocom=${f.id}` });
	assert.equal(r.status, 303, r.text);
	const s = await postComment(b, slug, { author: 'Cy', email: 'cy@example.org', body: 'Second thread' });
	assert.equal(s.status, 303, s.text);
	return { slug, first: f.id, reply: r.id, second: s.id };
}

describe('a thread', () => {

	test('a comment is posted, acknowledged with 303 and shown with the count', async () => {
		const slug = newArticle(srv, { title: 'Talk' });
		const b = browser(srv);
		const r = await postComment(b, slug, { author: 'Ann Example', email: 'ann@example.org', url: 'https://ann.example/blog', body: 'First *comment* here' });
		assert.equal(r.status, 303, r.text);
		assert.equal(r.location, `/articles/${slug}#comment-${r.id}`);
		const first = r.id;
		assert.deepEqual(sql(srv.db, `select body_md, author, email, url from comments where id = ${first}`),
			[['First *comment* here', 'Ann Example', 'ann@example.org', 'https://ann.example/blog']]);

		const { text } = await b.get(`/articles/${slug}`);
		assert.equal(countHeading(text), '1 thought on “Talk”');
		const list = comments(text);
		assert.equal(list.length, 1);
		assert.deepEqual([list[0].id, list[0].depth, list[0].parent], [first, 0, null]);
		assert.equal(commentBody(list[0]), '<p>First <em>comment</em> here</p>');
		assert.match(list[0].html, /<span class="comment-author"><a href="https:\/\/ann\.example\/blog" rel="nofollow ugc noopener">Ann Example<\/a><\/span>/);
		assert.match(list[0].html, new RegExp(`<a class="comment-time" href="/comments/${first}"><time datetime="\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ">`));
		assert.match(list[0].html, new RegExp(`href="/articles/${slug}\\?replytocom=${first}#respond"`));
		assert.match(list[0].html, /<img class="avatar" src="\/avatars\/[0-9a-f]{32}\.svg"/);
		assert.ok(!text.includes('ann@example.org'), 'the email is never shown');
		assertNoActiveContent(text);
	});

	test('a reply is nested under its parent, and the count grows', async () => {
		const b = browser(srv);
		const { slug, first, reply, second } = await talk();
		assert.deepEqual(sql(srv.db, `select parent_id from comments where id = ${reply}`), [[String(first)]]);
		const shut = newArticle(srv, { title: 'Shut', extra: 'comments: closed\n' });

		const { text } = await b.get(`/articles/${slug}`);
		assert.equal(countHeading(text), '3 thoughts on “Talk”');
		const list = comments(text);
		assert.deepEqual(list.map((c) => [c.id, c.depth, c.parent]), [[first, 0, null], [reply, 1, first], [second, 0, null]]);
		const parentHtml = list[0].html;
		assert.match(parentHtml, new RegExp(`<ol class="children">\\s*<li class="comment depth-1" id="comment-${reply}">`));
		const home = await b.get('/');
		assert.ok(home.text.includes(`href="/articles/${slug}#comments">3 comments<`), 'the front page counts 3');
		assert.ok(home.text.includes(`href="/articles/${shut}#comments">No comments yet<`), 'the front page says none yet');
	});

	test('a permalink redirects to the page that shows the comment', async () => {
		const { slug, first, reply } = await talk();
		for (const id of [first, reply]) {
			const res = await request(srv, `/comments/${id}`);
			assert.equal(res.status, 302);
			assert.equal(res.headers.get('location'), `/articles/${slug}#comment-${id}`);
		}
		for (const path of ['/comments/999999', '/comments/abc', '/comments/0', '/comments/-1', `/comments/${first}x`]) {
			assert.equal((await request(srv, path)).status, 404, path);
		}
	});

	test('the reply link shows a reply form for that comment', async () => {
		const { slug, first } = await talk();
		const elsewhere = newArticle(srv, { title: 'Elsewhere' });
		const b = browser(srv);
		const { text } = await b.get(`/articles/${slug}?replytocom=${first}`);
		assert.ok(text.includes(`<h3 id="reply-title">Reply to Ann Example <a class="cancel-reply" href="/articles/${slug}#respond">Cancel reply</a></h3>`), 'Reply to Ann');
		assert.match(text, new RegExp(`<input type="hidden" name="parent" id="parent" value="${first}">`));
		assert.equal(comments(text).length, 3, 'the thread is still shown');

		assert.equal((await b.get(`/articles/${slug}?replytocom=abc`)).res.status, 400);
		for (const q of ['?replytocom=999999', '?replytocom=' + first + '0000']) {
			const other = await b.get(`/articles/${elsewhere}${q}`);
			assert.equal(other.res.status, 200);
			assert.match(other.text, /Leave a Reply/);
			assert.match(other.text, /name="parent" id="parent" value="0"/);
		}
		const cross = await b.get(`/articles/${elsewhere}?replytocom=${first}`);
		assert.doesNotMatch(cross.text, /Reply to/, 'a comment of another article is not offered as the parent');
		assert.match(cross.text, /name="parent" id="parent" value="0"/);
	});

	test('a refused reply keeps its parent and the "Reply to" heading', async () => {
		const { slug, first } = await talk();
		const b = browser(srv);
		const r = await postComment(b, slug, { parent: String(first), body: '' }, { query: `?replytocom=${first}` });
		assert.equal(r.status, 422);
		assert.equal(fieldError(r.text, 'body'), 'Please write a comment.');
		assert.match(r.text, /Reply to Ann Example/);
		assert.match(r.text, new RegExp(`name="parent" id="parent" value="${first}"`));
	});

	test('the same form key twice makes one comment', async () => {
		const slug = newArticle(srv, { title: 'Talk' });
		const b = browser(srv);
		const t = await openForm(b, slug);
		const body = unique('Only once');
		const fields = { csrf: t.csrf, key: t.key, author: 'Dee', email: 'dee@example.org', body };
		const a = await b.post(`/articles/${slug}/comments`, fields);
		const c = await b.post(`/articles/${slug}/comments`, fields);
		assert.equal(a.res.status, 303);
		assert.equal(c.res.status, 303);
		assert.equal(c.res.headers.get('location'), a.res.headers.get('location'));
		// Edited text under the same key is refused, not dropped (tests/http/formkey.test.mjs).
		const edited = await b.post(`/articles/${slug}/comments`, { ...fields, body: body + ' (sent again, edited)' });
		assert.equal(edited.res.status, 422);
		const { text } = await b.get(`/articles/${slug}`);
		assert.equal(text.split(body).length - 1, 1, 'the body is on the page once');
		assert.equal(countHeading(text), '1 thought on “Talk”');
		assert.deepEqual(sql(srv.db, `select c.body_md from comments c join articles a on a.id = c.article_id where a.slug = '${slug}'`), [[body]]);
	});

	test('the same form key sent ten times at once makes one comment', async () => {
		const slug = newArticle(srv, { title: 'Talk' });
		const b = browser(srv);
		const t = await openForm(b, slug);
		const body = unique('Raced');
		const fields = { csrf: t.csrf, key: t.key, author: 'Eve', email: 'eve@example.org', body };
		const all = await Promise.all(Array.from({ length: 10 }, () => b.post(`/articles/${slug}/comments`, fields)));
		const locations = new Set(all.map((r) => r.res.headers.get('location')));
		assert.deepEqual(all.map((r) => r.res.status), Array(10).fill(303));
		assert.equal(locations.size, 1, [...locations].join(' '));
		assert.deepEqual(sql(srv.db, `select count(*) from comments where body_md = '${body}'`), [['1']]);
		assert.deepEqual(sql(srv.db, `select comment_count from articles where slug = '${slug}'`), [['1']]);
	});

	test('the remembered name fills the form next time, and unticking forgets it', async () => {
		const slug = newArticle(srv, { title: 'Talk' });
		const b = browser(srv);
		const r = await postComment(b, slug, { author: 'Fay Remembered', email: 'fay@example.org', url: 'https://fay.example/', remember: 'yes' });
		assert.equal(r.status, 303);
		const cookie = r.res.headers.getSetCookie().find((c) => c.startsWith('parley_who='));
		assert.ok(cookie, 'a parley_who cookie');
		assert.match(cookie, /; HttpOnly/i);
		assert.match(cookie, /; SameSite=Lax/i);
		assert.match(cookie, /; Path=\//i);
		assert.match(cookie, /; Max-Age=\d{6,}/i);

		const { text } = await b.get(`/articles/${slug}`);
		assert.equal(inputValue(text, 'author'), 'Fay Remembered');
		assert.equal(inputValue(text, 'email'), 'fay@example.org');
		assert.equal(inputValue(text, 'url'), 'https://fay.example/');
		assert.match(text, /<input id="remember" name="remember" type="checkbox" value="yes" checked>/);

		const t = await openForm(b, slug);
		const again = await b.post(`/articles/${slug}/comments`, { csrf: t.csrf, key: t.key, author: 'Fay', email: 'fay@example.org', body: 'no remember' });
		assert.equal(again.res.status, 303);
		const cleared = again.res.headers.getSetCookie().find((c) => c.startsWith('parley_who='));
		assert.match(cleared || '', /Max-Age=0/);
		const after2 = await b.get(`/articles/${slug}`);
		assert.equal(inputValue(after2.text, 'author'), '');
		assert.doesNotMatch(after2.text, /type="checkbox" value="yes" checked/);
	});

	test('the visitor cookie is HttpOnly and SameSite', async () => {
		const res = await request(srv, `/articles/${newArticle(srv)}`);
		const v = res.headers.getSetCookie().find((c) => c.startsWith('parley_v='));
		assert.ok(v, 'parley_v is set');
		assert.match(v, /; HttpOnly/i);
		assert.match(v, /; SameSite=Lax/i);
	});
});

describe('comment policy and closed comments', () => {
	let anon;
	before(async () => {
		anon = await site({ config: '[comments]\npolicy = anonymous\n', articles: [{ slug: 'open-mic' }] });
	});
	after(() => stopClean(anon));

	test('with policy anonymous, name and email may be left out', async () => {
		const b = browser(anon);
		const t = await openForm(b, 'open-mic');
		assert.doesNotMatch(t.text, /<label for="author">Name <span class="required"/);
		const r = await postComment(b, 'open-mic', { author: '', email: '', body: 'Nameless' });
		assert.equal(r.status, 303, r.text);
		const { text } = await b.get('/articles/open-mic');
		const [c] = comments(text);
		assert.match(c.html, /<span class="comment-author">Anonymous<\/span>/);
		const bad = await postComment(b, 'open-mic', { author: '', email: 'not-an-email', body: 'x' });
		assert.equal(bad.status, 422, 'an email that is given must still be valid');
	});

	test('with the default policy, name and email are required', async () => {
		const slug = newArticle(srv);
		const b = browser(srv);
		const t = await openForm(b, slug);
		assert.match(t.text, /<label for="author">Name <span class="required"/);
		for (const [fields, field] of [[{ author: '' }, 'author'], [{ email: '' }, 'email'], [{ author: '   ' }, 'author']]) {
			const r = await postComment(b, slug, fields);
			assert.equal(r.status, 422, JSON.stringify(fields));
			assert.ok(fieldError(r.text, field), `a message beside ${field}`);
		}
		assert.deepEqual(sql(srv.db, `select count(*) from comments c join articles a on a.id = c.article_id where a.slug = '${slug}'`), [['0']]);
	});

	test('an article with comments closed says so, shows no form, and refuses posts with 403', async () => {
		const shut = newArticle(srv, { title: 'Shut', extra: 'comments: closed\n' });
		const b = browser(srv);
		const { text } = await b.get(`/articles/${shut}`);
		assert.match(text, /Comments are closed\./);
		assert.doesNotMatch(text, /<form/);
		const open = await openForm(b, newArticle(srv));
		const res = await b.post(`/articles/${shut}/comments`, { csrf: open.csrf, key: open.key, author: 'A', email: 'a@example.org', body: 'let me in' });
		assert.equal(res.res.status, 403);
		assert.match(res.text, /Comments are closed\./);
		assert.deepEqual(sql(srv.db, "select count(*) from comments where body_md = 'let me in'"), [['0']]);
	});
});

describe('pagination and depth', () => {
	let srv;	// per_page = 3, depth = 3
	before(async () => {
		srv = await site({ config: '[comments]\nper_page = 3\ndepth = 3\n', articles: [] });
	});
	after(() => stopClean(srv));

	// A new article "Long" with seven top-level comments and a reply to the
	// first and the fourth; resolves to { slug, top, replies, acks } where
	// acks holds each post's { id, location } in order.
	async function long() {
		const slug = newArticle(srv, { title: 'Long' });
		const b = browser(srv);
		const top = [];
		const replies = {};
		const acks = [];
		for (let i = 1; i <= 7; i++) {
			const r = await postComment(b, slug, { body: `Top ${i}` });
			assert.equal(r.status, 303, r.text);
			top.push(r.id);
			acks.push({ id: r.id, location: r.location, page: Math.ceil(i / 3) });
		}
		for (const i of [0, 3]) {
			const r = await postComment(b, slug, { parent: String(top[i]), body: `Reply to top ${i + 1}` });
			assert.equal(r.status, 303, r.text);
			replies[top[i]] = r.id;
			acks.push({ id: r.id, location: r.location, page: Math.floor(i / 3) + 1 });
		}
		return { slug, top, replies, acks };
	}

	test('a new top-level comment past the first page is acknowledged with its page', async () => {
		const { slug, acks } = await long();
		for (const { id, location, page } of acks) {
			assert.equal(location, page === 1 ? `/articles/${slug}#comment-${id}` : `/articles/${slug}?cpage=${page}#comment-${id}`);
		}
	});

	test('each page shows its top-level comments with all their replies', async () => {
		const { slug, top, replies } = await long();
		const b = browser(srv);
		const want = [
			[[top[0], 0], [replies[top[0]], 1], [top[1], 0], [top[2], 0]],
			[[top[3], 0], [replies[top[3]], 1], [top[4], 0], [top[5], 0]],
			[[top[6], 0]],
		];
		for (const [i, expected] of want.entries()) {
			const { res, text } = await b.get(i === 0 ? `/articles/${slug}` : `/articles/${slug}?cpage=${i + 1}`);
			assert.equal(res.status, 200);
			assert.deepEqual(comments(text).map((c) => [c.id, c.depth]), expected, `page ${i + 1}`);
			assert.equal(countHeading(text), '9 thoughts on “Long”', `page ${i + 1}`);
			if (i < 2) assert.ok(text.includes(`rel="next" href="/articles/${slug}?cpage=${i + 2}#comments"`), `page ${i + 1}: next`);
			else assert.doesNotMatch(text, /rel="next"/, 'the last page has no next');
			if (i === 1) assert.ok(text.includes(`rel="prev" href="/articles/${slug}#comments"`), 'page 2: prev is page 1');
			if (i === 2) assert.ok(text.includes(`rel="prev" href="/articles/${slug}?cpage=2#comments"`), 'page 3: prev is page 2');
			if (i === 0) assert.doesNotMatch(text, /rel="prev"/, 'the first page has no prev');
		}
		const two = await b.get(`/articles/${slug}?cpage=2`);
		assert.ok(two.text.includes(`href="/articles/${slug}?cpage=2&amp;replytocom=${top[3]}#respond"`), 'reply links keep the page');
		const one = await b.get(`/articles/${slug}?cpage=1`);
		assert.deepEqual(comments(one.text).map((c) => c.id), want[0].map(([id]) => id));
	});

	test('a page past the end is 404; a page that is not a number is 400', async () => {
		const { slug } = await long();
		for (const [q, status] of [['?cpage=3', 200], ['?cpage=4', 404], ['?cpage=99999', 404], ['?cpage=abc', 400], ['?cpage=0', 400], ['?cpage=-1', 400], ['?cpage=2x', 400], ['?cpage=', 400]]) {
			assert.equal((await request(srv, `/articles/${slug}${q}`)).status, status, q);
		}
	});

	test('a permalink to a comment on a later page names that page', async () => {
		const { slug, top, replies } = await long();
		for (const [id, page] of [[replies[top[3]], 2], [top[6], 3], [top[2], 1]]) {
			const res = await request(srv, `/comments/${id}`);
			assert.equal(res.status, 302);
			assert.equal(res.headers.get('location'), page === 1 ? `/articles/${slug}#comment-${id}` : `/articles/${slug}?cpage=${page}#comment-${id}`);
		}
	});

	test('a reply to a comment at the deepest level attaches to that comment\'s parent', async () => {
		const slug = newArticle(srv, { title: 'Deep' });
		const b = browser(srv);
		const a = (await postComment(b, slug, { body: 'depth zero' })).id;
		const bb = (await postComment(b, slug, { parent: String(a), body: 'depth one' })).id;
		const c = (await postComment(b, slug, { parent: String(bb), body: 'depth two' })).id;
		const d = await postComment(b, slug, { parent: String(c), body: 'would be depth three' });
		assert.equal(d.status, 303);
		const e = await postComment(b, slug, { parent: String(d.id), body: 'would be depth four' });
		assert.equal(e.status, 303);
		const { text } = await b.get(`/articles/${slug}`);
		const got = comments(text).map((x) => [x.id, x.depth, x.parent]);
		assert.deepEqual(got, [[a, 0, null], [bb, 1, a], [c, 2, bb], [d.id, 2, bb], [e.id, 2, bb]],
			'the reply to the deepest comment is its sibling');
	});
});

describe('the default depth', () => {
	test('replies nest five levels deep, then attach at the fifth', async () => {
		const slug = newArticle(srv);
		const b = browser(srv);
		const ids = [];
		let parent = '';
		for (let i = 0; i < 7; i++) {
			const r = await postComment(b, slug, { parent, body: `level ${i}` });
			assert.equal(r.status, 303);
			ids.push(r.id);
			parent = String(r.id);
		}
		const { text } = await b.get(`/articles/${slug}`);
		const got = comments(text).map((c) => [c.id, c.depth, c.parent]);
		assert.deepEqual(got, [
			[ids[0], 0, null], [ids[1], 1, ids[0]], [ids[2], 2, ids[1]], [ids[3], 3, ids[2]], [ids[4], 4, ids[3]],
			[ids[5], 4, ids[3]], [ids[6], 4, ids[3]],
		]);
	});
});
