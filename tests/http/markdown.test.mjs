// Reader Markdown through the post path: the body is stored exactly as
// typed (its leading indentation is Markdown) and rendered as CommonMark,
// named character references included.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { site, browser, postComment, comments, commentBody, fieldError, isPostgres, sql, stopClean, newArticle } from './util.mjs';

let srv;
before(async () => {
	srv = await site({ articles: [] });
});
after(() => stopClean(srv));

// Posts body on a new article; resolves to the stored source and the HTML shown.
async function shown(body) {
	const slug = newArticle(srv, { title: 'Markdown' });
	const b = browser(srv);
	const r = await postComment(b, slug, { body });
	assert.equal(r.status, 303, r.text);
	// As hex: the shell's rows are lines, and the body has line ends.
	const hexOf = isPostgres(srv.db) ? "encode(convert_to(body_md, 'UTF8'), 'hex')" : 'hex(body_md)';
	const [[hex]] = sql(srv.db, `select ${hexOf} from comments where id = ${r.id}`);
	const md = Buffer.from(hex, 'hex').toString('utf8');
	const list = comments((await b.get(`/articles/${slug}`)).text);
	assert.equal(list.length, 1);
	return { md, html: commentBody(list[0]) };
}

test('a comment that starts with an indented code block keeps it', async () => {
	const body = '    int x = 1;\n    x <<= 2;\n\nThat shifts.  \n';
	const { md, html } = await shown(body);
	assert.equal(md, body, 'the body is stored exactly as typed');
	assert.equal(html, '<pre><code>int x = 1;\nx &lt;&lt;= 2;\n</code></pre>\n<p>That shifts.</p>');
});

test('a leading tab starts a code block, and "    ***" is code, not a rule', async () => {
	assert.equal((await shown('\tgo run .')).html, '<pre><code>go run .\n</code></pre>');
	assert.equal((await shown('    ***')).html, '<pre><code>***\n</code></pre>');
	assert.equal((await shown('   ***')).html, '<hr>');
});

test('named character references are decoded, and what they decode to is escaped', async () => {
	const { html } = await shown('&AElig; &HilbertSpace; &ngE; &foo; &lt;b&gt; &amp;lt;');
	assert.equal(html, '<p>\u00c6 \u210b \u2267\u0338 &amp;foo; &lt;b&gt; &amp;lt;</p>');
});

test('a comment of only white space is still refused', async () => {
	const slug = newArticle(srv, { title: 'Markdown' });
	const r = await postComment(browser(srv), slug, { body: '   \n\t \r\n' });
	assert.equal(r.status, 422);
	assert.equal(fieldError(r.text, 'body'), 'Please write a comment.');
});
