// Comments built to render large.  A 1,972-character wide empty table
// rendered to some 740 KB of HTML; eleven of them pushed an article (or a
// debate: one discussion module serves both) past the page limit, and
// every reader got a 503 with the article text gone.  Now a comment's HTML
// is bounded by its source, and a page by what it shows.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	Browser, formTokens, isPostgres, scratch, startServer, stopClean, sql, unique, newArticle, newDebate,
} from './util.mjs';

// The renderer's budget (src/render/markdown.h).
const OUT_PER_BYTE = 32;
const OUT_BASE = 1024;

let srv;
before(async () => {
	srv = await startServer({ db: scratch().db });
});
after(() => stopClean(srv));

// A table 100 columns wide whose rows are a lone "|": md4c pads each row
// to the header's width, ten bytes a cell.
function wideTable(length = 1972) {
	let s = `${'|'.repeat(101)}\n${'|---'.repeat(100)}\n`;
	while (s.length + 2 <= length) s += '|\n';
	return s;
}

const KINDS = [
	{
		name: 'an article',
		make: () => newArticle(srv, { title: 'Harbour Lights', body: 'The lamps were lit at dusk.' }),
		path: (slug) => `/articles/${slug}`,
		shows: 'The lamps were lit at dusk.',
		fields: {},
	},
	{
		name: 'a debate',
		make: () => newDebate(srv),
		path: (slug) => `/debates/${slug}`,
		shows: 'People work at night.',
		fields: { side: 'a' },
	},
];

async function post(br, path, fields) {
	const { text } = await br.get(path);
	const t = formTokens(text);
	const form = new URLSearchParams({
		csrf: t.csrf, key: t.key, author: 'Mallory', email: 'm@example.org', url: '',
		parent: '', website_confirm: '', ...fields,
	});
	const { res } = await br.post(`${path}/comments`, form);
	const m = /#comment-(\d+)$/.exec(res.headers.get('location') || '');
	return { status: res.status, id: m ? Number(m[1]) : null };
}

for (const kind of KINDS) {
	describe(`comments built to render large, on ${kind.name}`, () => {
		test('eleven wide empty tables: each rendered within its budget, the page 200', async () => {
			const slug = kind.make();
			const br = new Browser(srv.url);
			const body = wideTable();
			assert.ok(body.length > 1960 && body.length <= 1972);
			for (let i = 0; i < 11; i++) {
				const r = await post(br, kind.path(slug), { ...kind.fields, body });
				assert.equal(r.status, 303, `comment ${i}`);
				const [[len, html]] = sql(srv.db, `select length(body_html), substr(body_html, 1, 40) from comments where id = ${r.id}`);
				assert.ok(Number(len) <= body.length * OUT_PER_BYTE + OUT_BASE, `comment ${i}: ${len} bytes of HTML`);
				assert.doesNotMatch(html, /<table>/);
			}
			const { res, text } = await br.get(kind.path(slug));
			assert.equal(res.status, 200);
			assert.ok(text.includes(kind.shows), 'the page still shows its own text');
			assert.ok(text.length < 2 * 1024 * 1024, `the page is ${text.length} bytes`);
			// The author's words are all still there, as text.
			assert.ok(text.includes('|---|---|---|'));
		});

		test('comment HTML stored without a bound: the page holds what it can and says so', async () => {
			const slug = kind.make();
			const br = new Browser(srv.url);
			const ids = [];
			for (let i = 0; i < 11; i++) ids.push((await post(br, kind.path(slug), { ...kind.fields, body: unique('Old') })).id);
			assert.ok(ids.every((id) => id !== null));
			// As the old renderer stored them: 800 KB each, 8.8 MB in all.
			const abs = isPostgres(srv.db) ? "repeat('ab', 400000)" : "replace(hex(zeroblob(400000)), '00', 'ab')";
			sql(srv.db, `update comments set body_html = '<p>' || ${abs} || '</p>'
				where id in (${ids.join(',')})`);
			const { res, text } = await new Browser(srv.url).get(kind.path(slug));
			assert.equal(res.status, 200);
			assert.ok(text.includes(kind.shows), 'the page still shows its own text');
			assert.ok(text.length < 8 * 1024 * 1024, `the page is ${text.length} bytes`);
			assert.match(text, /This comment is not shown here: the page already holds as much text as it can\./);
			// Every comment is still listed, with or without its text.
			for (const id of ids) assert.ok(text.includes(`id="comment-${id}"`), `comment ${id} listed`);
		});
	});
}
