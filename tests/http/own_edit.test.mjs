// A commenter edits or removes their own comment in the minutes after
// posting it ([comments] edit_minutes): the same account from any browser,
// or for an anonymous comment the browser that posted it; nobody else.
// An edit goes through the post path's checks and moderation rules, shows
// "(edited)" to every reader, and leaves the earlier text for moderators;
// a removal keeps the replies and drops the comment from the counts.
import { spawn } from 'node:child_process';
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	assertNoActiveContent, assertNotRaw, BIN, browser, commentBody, comments, countHeading, formError,
	formTokens, newArticle, newDebate, parley, postComment, scratch, site, sql, startServer, stopClean, textareaValue,
	unique,
} from './util.mjs';
import { clock } from '../lib/clock.mjs';
import { Agent, csrfOf, signIn } from '../lib/identity.mjs';

const PASSWORD = 'correct horse battery';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const bodyOf = (db, id) => sql(db, `SELECT body_md FROM comments WHERE id = ${id}`)[0][0];
const statusOf = (db, id) => sql(db, `SELECT status FROM comments WHERE id = ${id}`)[0][0];

// Waits until the page at path, for a fresh reader, passes ok(text).
async function eventually(srv, path, ok) {
	for (let i = 0; i < 40; i++) {
		const { text } = await browser(srv).get(path);
		if (ok(text)) return text;
		await sleep(100);
	}
	assert.fail(`${path} never showed what was expected`);
}

// A verified account made with the CLI; resolves to its email.
function account(srv, role = 'reader', name = 'Member') {
	const email = `${unique('m')}@example.org`;
	const r = parley(['user', 'add', email, name, role, '--db', srv.db], { input: `${PASSWORD}\n` });
	assert.equal(r.status, 0, r.stderr);
	return email;
}

// A browser signed in as email.
async function signedIn(srv, email) {
	const a = new Agent(srv.url);
	await signIn(a, email, PASSWORD);
	return a;
}

// Posts a comment from a signed-in agent on path; resolves to its id.
async function agentComment(a, path, body) {
	const page = await a.get(path);
	const key = (/name="key" value="([^"]*)"/.exec(page.text) || [])[1];
	const r = await a.post(`${path}/comments`, { csrf: csrfOf(page.text), key, body, parent: '', website_confirm: '' });
	assert.equal(r.status, 303, r.text.slice(0, 300));
	return Number(/#comment-(\d+)$/.exec(r.location)[1]);
}

// Loads the edit page of comment id in b, then posts body; { page, res, text }.
async function edit(b, id, body) {
	const page = await b.get(`/comments/${id}/edit`);
	const csrf = formTokens(page.text).csrf;
	const r = await b.post(`/comments/${id}/edit`, { csrf, body });
	return { page, res: r.res || r, status: (r.res || r).status, text: r.text };
}

// The same for removal.
async function remove(b, id) {
	const page = await b.get(`/comments/${id}/edit`);
	const r = await b.post(`/comments/${id}/delete`, { csrf: formTokens(page.text).csrf });
	return { page, status: (r.res || r).status, text: r.text, location: (r.res || r).headers.get('location') };
}

describe('[comments] edit_minutes: a commenter changes their own comment', () => {
	let srv, clk;
	before(async () => {
		clk = clock();
		srv = await startServer({
			db: scratch().db, config: '[comments]\npolicy = anonymous\nedit_minutes = 10\n', env: clk.env,
		});
	});
	after(() => stopClean(srv));

	test('the owner edits within the window: new text and "(edited)" for every reader, the earlier text for moderators', async () => {
		const slug = newArticle(srv);
		const author = browser(srv);
		const first = unique('first text');
		const r = await postComment(author, slug, { body: first });
		assert.equal(r.status, 303);
		// A reader fills the cache with the page as it was.
		const reader = browser(srv);
		assert.match((await reader.get(`/articles/${slug}`)).text, new RegExp(first));
		assert.equal((await reader.get(`/articles/${slug}`)).res.headers.get('x-cache'), 'hit');

		const page = await author.get(`/comments/${r.id}/edit`);
		assert.equal(page.res.status, 200);
		assert.equal(page.res.headers.get('x-cache'), null, 'the edit page is never cached');
		assert.equal(textareaValue(page.text), first, 'the form holds the current Markdown');
		assert.match(page.text, /action="\/comments\/\d+\/delete"/);

		const second = unique('second text');
		const e = await author.post(`/comments/${r.id}/edit`, { csrf: formTokens(page.text).csrf, body: `*${second}*` });
		assert.equal(e.res.status, 303);
		assert.match(e.res.headers.get('location'), new RegExp(`^/articles/${slug}#comment-${r.id}$`));
		const text = await eventually(srv, `/articles/${slug}`, (t) => t.includes(second));
		const c = comments(text).find((x) => x.id === r.id);
		assert.equal(commentBody(c), `<p><em>${second}</em></p>`, 'rendered by the readers\' Markdown renderer');
		assert.match(c.html, /<span class="edited">\(edited\)<\/span>/);
		assert.doesNotMatch(text, new RegExp(first));
		assert.equal(bodyOf(srv.db, r.id), `*${second}*`);

		// The moderator sees the text before and after, logged as the author's.
		const mod = await signedIn(srv, account(srv, 'moderator', 'Mo Derator'));
		const m = await mod.get(`/moderate/comments/${r.id}`);
		assert.equal(m.status, 200);
		assert.match(m.text, /author_edit/);
		assert.match(m.text, new RegExp(`<pre>${first}</pre><pre>\\*${second}\\*</pre>`));
		assert.match(m.text, /edited by its author/);
	});

	test('after the window the edit and the removal are refused, the text kept', async () => {
		const slug = newArticle(srv);
		const author = browser(srv);
		const first = unique('kept');
		const r = await postComment(author, slug, { body: first });
		const page = await author.get(`/comments/${r.id}/edit`);
		clk.advance(11 * 60);
		try {
			const late = unique('too late');
			const e = await author.post(`/comments/${r.id}/edit`, { csrf: formTokens(page.text).csrf, body: late });
			assert.equal(e.res.status, 403);
			assert.match(formError(e.text), /The time to change this comment is over/);
			assert.equal(textareaValue(e.text), late, 'the text is kept in the form');
			const d = await author.post(`/comments/${r.id}/delete`, { csrf: formTokens(page.text).csrf });
			assert.equal(d.res.status, 403);
			assert.equal(bodyOf(srv.db, r.id), first, 'nothing changed');
			const again = await author.get(`/comments/${r.id}/edit`);
			assert.equal(again.res.status, 200);
			assert.match(again.text, /The time to edit or remove this comment is over/);
			assert.doesNotMatch(again.text, /<textarea/);
		} finally {
			clk.advance(-11 * 60);
		}
	});

	test('another browser cannot see the edit page nor edit or remove the comment: 403', async () => {
		const slug = newArticle(srv);
		const r = await postComment(browser(srv), slug, { body: unique('mine') });
		const other = browser(srv);
		const page = await other.get(`/comments/${r.id}/edit`);
		assert.equal(page.res.status, 403);
		assert.doesNotMatch(page.text, /<textarea/);
		// With a token of its own, valid for its own visitor id.
		const { csrf } = formTokens((await other.get(`/articles/${slug}`)).text);
		const e = await other.post(`/comments/${r.id}/edit`, { csrf, body: 'hijacked' });
		assert.equal(e.res.status, 403);
		assert.doesNotMatch(e.text, /hijacked/);
		const d = await other.post(`/comments/${r.id}/delete`, { csrf });
		assert.equal(d.res.status, 403);
		assert.notEqual(bodyOf(srv.db, r.id), 'hijacked');
		assert.notEqual(bodyOf(srv.db, r.id), '');
	});

	test('an edit without the CSRF token, or with another browser\'s, is refused', async () => {
		const slug = newArticle(srv);
		const author = browser(srv);
		const body = unique('guarded');
		const r = await postComment(author, slug, { body });
		let e = await author.post(`/comments/${r.id}/edit`, { body: 'no token' });
		assert.equal(e.res.status, 403);
		const { csrf } = formTokens((await browser(srv).get(`/articles/${slug}`)).text);
		e = await author.post(`/comments/${r.id}/edit`, { csrf, body: 'foreign token' });
		assert.equal(e.res.status, 403);
		e = await author.post(`/comments/${r.id}/delete`, {});
		assert.equal(e.res.status, 403);
		assert.equal(bodyOf(srv.db, r.id), body);
	});

	test('a signed-in owner edits from a second browser signed in to the same account; no other account can', async () => {
		const slug = newArticle(srv);
		const email = account(srv, 'reader', 'Owen Owner');
		const one = await signedIn(srv, email);
		const id = await agentComment(one, `/articles/${slug}`, unique('from the first browser'));
		const two = await signedIn(srv, email);
		const newer = unique('from the second browser');
		let page = await two.get(`/comments/${id}/edit`);
		assert.equal(page.status, 200);
		let r = await two.post(`/comments/${id}/edit`, { csrf: csrfOf(page.text), body: newer });
		assert.equal(r.status, 303);
		assert.equal(bodyOf(srv.db, id), newer);
		// Another member, and the same browser signed out, cannot.
		const stranger = await signedIn(srv, account(srv, 'reader', 'Stella Stranger'));
		page = await stranger.get(`/comments/${id}/edit`);
		assert.equal(page.status, 403);
		r = await stranger.post(`/comments/${id}/edit`, { csrf: csrfOf((await stranger.get(`/articles/${slug}`)).text), body: 'not hers' });
		assert.equal(r.status, 403);
		assert.equal(bodyOf(srv.db, id), newer);
	});

	test('a signed-in owner may remove their comment after the window, not edit it', async () => {
		const slug = newArticle(srv);
		const a = await signedIn(srv, account(srv, 'reader', 'Late Remover'));
		const id = await agentComment(a, `/articles/${slug}`, unique('to go later'));
		clk.advance(11 * 60);
		try {
			const page = await a.get(`/comments/${id}/edit`);
			assert.equal(page.status, 200);
			assert.doesNotMatch(page.text, /<textarea/);
			let r = await a.post(`/comments/${id}/edit`, { csrf: csrfOf(page.text), body: 'late edit' });
			assert.equal(r.status, 403);
			r = await a.post(`/comments/${id}/delete`, { csrf: csrfOf(page.text) });
			assert.equal(r.status, 303);
			assert.match(await eventually(srv, `/articles/${slug}`, (t) => /removed by its author/.test(t)),
				/This comment was removed by its author\./);
		} finally {
			clk.advance(-11 * 60);
		}
	});

	test('an edit carrying script and hostile links comes back escaped and sanitized', async () => {
		const slug = newArticle(srv);
		const author = browser(srv);
		const r = await postComment(author, slug, { body: unique('harmless') });
		const payload = '<script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3)) "\'><b>';
		const e = await edit(author, r.id, payload);
		assert.equal(e.status, 303);
		const text = await eventually(srv, `/articles/${slug}`, (t) => /\(edited\)/.test(t));
		assertNotRaw(text, '<script>alert(1)</script>');
		assertNotRaw(text, '<img src=x');
		assertNoActiveContent(text, 'the article after the edit');
		// The edit page shows the Markdown escaped in the textarea, the HTML sanitized.
		const page = await author.get(`/comments/${r.id}/edit`);
		assertNotRaw(page.text, '<script>alert(1)</script>');
		assert.match(page.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
		// A refused edit shows the hostile text escaped too.
		const refused = await author.post(`/comments/${r.id}/edit`, { csrf: formTokens(page.text).csrf, body: `${payload}\u0000` });
		assert.equal(refused.res.status, 422);
		assertNotRaw(refused.text, '<script>alert(1)</script>');
	});

	test('an edit meets the post path\'s checks: empty, too long, with more links than allowed (held)', async () => {
		const slug = newArticle(srv);
		const author = browser(srv);
		const body = unique('plain');
		const r = await postComment(author, slug, { body });
		let e = await edit(author, r.id, '   ');
		assert.equal(e.status, 422);
		assert.match(e.text, /Please write a comment\./);
		e = await edit(author, r.id, 'x'.repeat(10001));
		assert.equal(e.status, 413);
		assert.match(e.text, /the limit is 10000/);
		assert.equal(bodyOf(srv.db, r.id), body);
		// Three links, where two are allowed: the comment waits for a moderator.
		const links = `${unique('linky')} https://a.example/ https://b.example/ https://c.example/`;
		e = await edit(author, r.id, links);
		assert.equal(e.status, 303);
		assert.equal(statusOf(srv.db, r.id), 'pending');
		const other = await eventually(srv, `/articles/${slug}`, (t) => !t.includes(body));
		assert.doesNotMatch(other, /linky/);
		assert.equal(countHeading(other), 'No comments yet');
		// Its author still sees it, awaiting moderation.
		const own = await author.get(`/articles/${slug}`);
		assert.match(own.text, /Your comment is awaiting moderation/);
		assert.match(own.text, /linky/);
	});

	test('removal on an article: the replies stay, the count drops, the text goes to the log', async () => {
		const slug = newArticle(srv);
		const author = browser(srv);
		const gone = unique('soon gone');
		const r = await postComment(author, slug, { body: gone });
		const replyText = unique('a reply');
		const reply = await postComment(browser(srv), slug, { body: replyText, parent: String(r.id) });
		assert.equal(reply.status, 303);
		let text = await eventually(srv, `/articles/${slug}`, (t) => t.includes(replyText));
		assert.match(countHeading(text), /^2 thoughts/);
		const d = await remove(author, r.id);
		assert.equal(d.status, 303);
		assert.match(d.location, new RegExp(`^/articles/${slug}#comment-${r.id}$`));
		text = await eventually(srv, `/articles/${slug}`, (t) => !t.includes(gone));
		assert.match(countHeading(text), /^1 thought on/);
		const list = comments(text);
		const parent = list.find((x) => x.id === r.id);
		assert.match(commentBody(parent), /This comment was removed by its author\./);
		assert.doesNotMatch(parent.html, /\(edited\)/);
		const child = list.find((x) => x.id === reply.id);
		assert.equal(child.parent, r.id, 'the reply stays under it');
		assert.match(child.html, new RegExp(replyText));
		// Once removed, it is gone from its author's hands too.
		assert.equal((await author.get(`/comments/${r.id}/edit`)).res.status, 404);
		const mod = await signedIn(srv, account(srv, 'moderator', 'Mo Two'));
		const m = await mod.get(`/moderate/comments/${r.id}`);
		assert.match(m.text, /author_remove/);
		assert.match(m.text, new RegExp(`<pre>${gone}</pre>`));
		assert.match(m.text, /removed by its author/);
	});

	test('removal and edit on a debate comment: the reply stays, the count drops', async () => {
		const slug = newDebate(srv);
		const author = browser(srv);
		const post = async (b, body, parent = '') => {
			const t = formTokens((await b.get(`/debates/${slug}`)).text);
			const { res } = await b.post(`/debates/${slug}/comments`, {
				csrf: t.csrf, key: t.key, author: 'Dee Bater', email: 'dee@example.org', body, side: 'a', parent, website_confirm: '',
			});
			assert.equal(res.status, 303);
			return Number(/#comment-(\d+)$/.exec(res.headers.get('location'))[1]);
		};
		const gone = unique('debate words');
		const id = await post(author, gone);
		const replyText = unique('debate reply');
		await post(browser(srv), replyText, String(id));
		let text = await eventually(srv, `/debates/${slug}`, (t) => t.includes(replyText));
		assert.match(countHeading(text), /^2 thoughts/);
		const newer = unique('debate edit');
		const e = await edit(author, id, newer);
		assert.equal(e.status, 303);
		assert.match(e.res.headers.get('location'), new RegExp(`^/debates/${slug}#comment-${id}$`));
		text = await eventually(srv, `/debates/${slug}`, (t) => t.includes(newer));
		assert.match(text, /\(edited\)/);
		const d = await remove(author, id);
		assert.equal(d.status, 303);
		text = await eventually(srv, `/debates/${slug}`, (t) => !t.includes(newer));
		assert.match(countHeading(text), /^1 thought on/);
		assert.match(text, /This comment was removed by its author\./);
		assert.match(text, new RegExp(replyText));
	});

	test('Edit and Delete links show to the comment\'s owner alone, on a page never cached', async () => {
		const slug = newArticle(srv);
		const author = browser(srv);
		const r = await postComment(author, slug, { body: unique('linked') });
		assert.ok(r.res.headers.getSetCookie().some((c) => /^parley_own=1;.*Max-Age=600;.*HttpOnly/.test(c)));
		const links = new RegExp(`<a class="own-edit" href="/comments/${r.id}/edit">Edit</a> <a class="own-remove" href="/comments/${r.id}/edit#remove">Delete</a>`);
		// Others first, so the shared page is cached before the author looks.
		for (let i = 0; i < 2; i++) {
			const other = await browser(srv).get(`/articles/${slug}`);
			assert.doesNotMatch(other.text, /\/comments\/\d+\/edit|class="own-edit"/);
		}
		const own = await author.get(`/articles/${slug}`);
		assert.equal(own.res.headers.get('x-cache'), null, 'the owner\'s page is theirs alone');
		assert.match(own.text, links);
		// Others may flag the comment; its owner is not offered that.
		assert.doesNotMatch(own.text, new RegExp(`href="/comments/${r.id}/flag"`));
		// The shared page, served from the cache after the owner's visit, carries none.
		const cached = await browser(srv).get(`/articles/${slug}`);
		assert.equal(cached.res.headers.get('x-cache'), 'hit');
		assert.doesNotMatch(cached.text, /\/comments\/\d+\/edit|class="own-edit"/);
		assert.match(cached.text, new RegExp(`href="/comments/${r.id}/flag"`));
		// A reply by someone else shows their links only on their page.
		const replier = browser(srv);
		const reply = await postComment(replier, slug, { body: unique('reply'), parent: String(r.id) });
		const theirs = await replier.get(`/articles/${slug}`);
		assert.match(theirs.text, new RegExp(`href="/comments/${reply.id}/edit"`));
		assert.doesNotMatch(theirs.text, new RegExp(`href="/comments/${r.id}/edit"`));
		// After the window the owner's page shows no links, and is the shared one again.
		clk.advance(11 * 60);
		try {
			const late = await author.get(`/articles/${slug}`);
			assert.doesNotMatch(late.text, /class="own-edit"/);
		} finally {
			clk.advance(-11 * 60);
		}
	});

	test('a signed-in owner sees the links from any browser signed in to the account, on articles and debates', async () => {
		const email = account(srv, 'reader', 'Link Owner');
		const one = await signedIn(srv, email);
		const slug = newArticle(srv);
		const id = await agentComment(one, `/articles/${slug}`, unique('member text'));
		const two = await signedIn(srv, email);
		const page = await two.get(`/articles/${slug}`);
		assert.match(page.text, new RegExp(`href="/comments/${id}/edit"`));
		assert.doesNotMatch((await browser(srv).get(`/articles/${slug}`)).text, /class="own-edit"/);
		const debate = newDebate(srv);
		const t = formTokens((await one.get(`/debates/${debate}`)).text);
		const r = await one.post(`/debates/${debate}/comments`, { csrf: t.csrf, key: t.key, body: unique('debate member'), side: 'b', parent: '', website_confirm: '' });
		assert.equal(r.status, 303);
		const did = /#comment-(\d+)$/.exec(r.location)[1];
		assert.match((await two.get(`/debates/${debate}`)).text, new RegExp(`href="/comments/${did}/edit"`));
		assert.doesNotMatch((await browser(srv).get(`/debates/${debate}`)).text, /class="own-edit"/);
	});
});

describe('edits spend the comment budgets', () => {
	let srv;
	before(async () => {
		srv = await site({ articles: [], config: '[comments]\npolicy = anonymous\nposts_burst = 2\nposts_per_minute = 1\n' });
	});
	after(() => stopClean(srv));

	test('past the budget an edit is 429 with Retry-After, the text kept', async () => {
		const slug = newArticle(srv);
		const author = browser(srv);
		const r = await postComment(author, slug, { body: unique('budgeted') });
		assert.equal(r.status, 303);
		let e = await edit(author, r.id, unique('one edit'));
		assert.equal(e.status, 303);
		const over = unique('one too many');
		e = await edit(author, r.id, over);
		assert.equal(e.status, 429);
		assert.ok(Number(e.res.headers.get('retry-after')) >= 1);
		assert.equal(textareaValue(e.text), over);
		assert.match(formError(e.text), /too fast/);
		assert.notEqual(bodyOf(srv.db, r.id), over);
	});
});

describe('[comments] edit_minutes = 0 turns editing off', () => {
	let srv;
	before(async () => { srv = await site({ articles: [], config: '[comments]\npolicy = anonymous\nedit_minutes = 0\n' }); });
	after(() => stopClean(srv));

	test('no edit and no removal, even at once', async () => {
		const slug = newArticle(srv);
		const author = browser(srv);
		const body = unique('fixed');
		const r = await postComment(author, slug, { body });
		const page = await author.get(`/comments/${r.id}/edit`);
		assert.equal(page.res.status, 200);
		assert.doesNotMatch(page.text, /<textarea/);
		const e = await author.post(`/comments/${r.id}/edit`, { csrf: formTokens(page.text).csrf, body: 'changed' });
		assert.equal(e.res.status, 403);
		const d = await author.post(`/comments/${r.id}/delete`, { csrf: formTokens(page.text).csrf });
		assert.equal(d.res.status, 403);
		assert.equal(bodyOf(srv.db, r.id), body);
	});
});

describe('an edit racing a moderator\'s verdict or the author\'s removal', () => {
	let srv;
	before(async () => {
		srv = await site({ articles: [], config: '[comments]\npolicy = anonymous\nedit_minutes = 10\n' });
	});
	after(() => stopClean(srv));

	// Runs `parley comments VERB id` beside the server; resolves when done.
	const cli = (verb, id) => new Promise((res) => {
		spawn(BIN, ['comments', verb, String(id), '--db', srv.db]).on('exit', res);
	});

	test('edits in flight when a moderator spams or hides the comment do not bring it back', async () => {
		const slug = newArticle(srv);
		for (let round = 0; round < 8; round++) {
			const verb = round % 2 ? 'trash' : 'spam';
			const author = browser(srv);
			const r = await postComment(author, slug, { body: unique('raced') });
			const csrf = formTokens((await author.get(`/comments/${r.id}/edit`)).text).csrf;
			const all = [];
			for (let i = 0; i < 30; i++) {
				all.push(author.post(`/comments/${r.id}/edit`, { csrf, body: unique('racing edit') }));
				if (i === 10) all.push(cli(verb, r.id));
			}
			await Promise.all(all);
			assert.equal(statusOf(srv.db, r.id), verb, `round ${round}: the verdict stands`);
			const e = await author.post(`/comments/${r.id}/edit`, { csrf, body: 'after' });
			assert.equal(e.res.status, 404);
		}
	});

	test('edits in flight when the author removes the comment do not bring its text back', async () => {
		const slug = newArticle(srv);
		for (let round = 0; round < 8; round++) {
			const author = browser(srv);
			const r = await postComment(author, slug, { body: unique('raced') });
			const csrf = formTokens((await author.get(`/comments/${r.id}/edit`)).text).csrf;
			const all = [];
			for (let i = 0; i < 30; i++) {
				all.push(author.post(`/comments/${r.id}/edit`, { csrf, body: unique('racing edit') }));
				if (i === 10) all.push(author.post(`/comments/${r.id}/delete`, { csrf }));
			}
			await Promise.all(all);
			assert.equal(sql(srv.db, `SELECT length(body_md) FROM comments WHERE id = ${r.id}`)[0][0], '0',
				`round ${round}: removed, its text gone`);
			const c = comments((await browser(srv).get(`/articles/${slug}`)).text).find((x) => x.id === r.id);
			assert.match(c.html, /removed by its author/);
		}
	});
});
