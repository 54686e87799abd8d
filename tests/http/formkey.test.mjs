// A form key means one comment, on articles and debates alike: the same
// form sent again stays one comment (303 to it); the same key with other
// text (or another parent, or another side) is refused with 422, the new
// text kept under a fresh key, so sending that form again makes a second
// comment; a key from another page's form stays refused.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	Browser, formTokens, scratch, startServer, sql, stopClean, unique,
	newArticle, newDebate, textareaValue, formError, escapeHtml,
} from './util.mjs';

const USED = 'This form was already used: your new text is below; send it again';
const ELSEWHERE = 'This form was already used. Reload the page to write another comment.';

let srv;
before(async () => {
	srv = await startServer({ db: scratch().db });
});
after(() => stopClean(srv));

// The two kinds of page with a discussion; each check below runs on both.
const KINDS = [
	{ name: 'article', make: () => newArticle(srv, { title: 'Keys' }), path: (slug) => `/articles/${slug}`, fields: {} },
	{ name: 'debate', make: () => newDebate(srv), path: (slug) => `/debates/${slug}`, fields: { side: 'a' } },
];

// The comments stored on a page's discussion: [[id, parent, body]].
function stored(slug) {
	return sql(srv.db, `select c.id, coalesce(c.parent_id, 0), c.body_md from comments c`
		+ ` join articles a on a.id = c.article_id where a.slug = '${slug}' order by c.id`);
}

// A reader who has a page of kind open: its form's tokens, the form
// with fields changed, and a poster that sends to that page.
async function reader(kind, slug) {
	const br = new Browser(srv.url);
	const { res, text } = await br.get(kind.path(slug));
	assert.equal(res.status, 200);
	const t = formTokens(text);
	assert.ok(t.csrf && t.key, 'the page has a comment form');
	const form = (fields = {}) => ({
		csrf: t.csrf, key: t.key, author: 'Ada Reader', email: 'ada@example.org', url: '',
		body: unique('Said'), parent: '', website_confirm: '', ...kind.fields, ...fields,
	});
	const post = async (fields) => {
		const { res: r, text: page } = await br.post(`${kind.path(slug)}/comments`, fields);
		return { status: r.status, location: r.headers.get('location'), text: page };
	};
	return { br, t, form, post };
}

// Checks a refusal of a used key: 422, the text kept, the message,
// and a fresh key in the form shown again.
function assertRefused(r, f, message) {
	assert.equal(r.status, 422, r.text.slice(0, 400));
	assert.equal(formError(r.text), message);
	assert.equal(textareaValue(r.text), escapeHtml(f.body), 'the new text is kept');
	const again = formTokens(r.text);
	assert.ok(again.key, 'the form shown again has a key');
	assert.notEqual(again.key, f.key, 'a fresh key, not the used one');
	return again;
}

for (const kind of KINDS) {
	describe(`form keys on ${kind.name === 'article' ? 'an article' : 'a debate'}`, () => {
		test('the same key with the same text twice: one comment, both 303 to it', async () => {
			const slug = kind.make();
			const { form, post } = await reader(kind, slug);
			const f = form();
			const a = await post(f);
			const b = await post(f);
			assert.equal(a.status, 303);
			assert.match(a.location, new RegExp(`^${kind.path(slug)}#comment-\\d+$`));
			assert.equal(b.status, 303);
			assert.equal(b.location, a.location);
			assert.equal(stored(slug).length, 1);
		});

		test('the same key with other text: 422, the text kept, nothing stored; sending the form again makes a second comment', async () => {
			const slug = kind.make();
			const { br, form, post } = await reader(kind, slug);
			const first = form();
			const a = await post(first);
			assert.equal(a.status, 303);
			const edited = form({ body: `${first.body} & <then> "more"` });
			const r = await post(edited);
			const again = assertRefused(r, edited, USED);
			assert.deepEqual(stored(slug).map((row) => row[2]), [first.body], 'nothing new stored');
			// The form as shown again (its fresh key, the text it kept) is a new comment.
			const c = await post({ ...edited, key: again.key, csrf: again.csrf });
			assert.equal(c.status, 303, c.text.slice(0, 400));
			assert.notEqual(c.location, a.location);
			assert.deepEqual(stored(slug).map((row) => row[2]), [first.body, edited.body]);
			const page = (await br.get(kind.path(slug))).text;
			for (const [id] of stored(slug)) assert.match(page, new RegExp(`id="comment-${id}"`), 'both comments are on the page');
			// That key is now used too: the same form again still makes no third comment.
			const d = await post({ ...edited, key: again.key, csrf: again.csrf });
			assert.equal(d.status, 303);
			assert.equal(d.location, c.location);
			assert.equal(stored(slug).length, 2);
		});

		test('the same key and text as a reply to another comment: 422, nothing stored', async () => {
			const slug = kind.make();
			const { form, post } = await reader(kind, slug);
			const p = await post(form());
			assert.equal(p.status, 303);
			const parent = /#comment-(\d+)$/.exec(p.location)[1];
			const other = await reader(kind, slug);
			const f = other.form();
			assert.equal((await other.post(f)).status, 303);
			const reply = { ...f, parent };
			assertRefused(await other.post(reply), reply, USED);
			assert.deepEqual(stored(slug).map((row) => row[1]), ['0', '0'], 'no reply stored');
		});

		test('the same key and text with another name, email and website: the same comment', async () => {
			// The key stands for the comment the reader wrote; a corrected
			// name sent again is that comment, not a second copy of its text.
			const slug = kind.make();
			const { form, post } = await reader(kind, slug);
			const f = form();
			const a = await post(f);
			const b = await post({ ...f, author: 'Ada Corrected', email: 'ada2@example.org', url: 'https://ada.example/' });
			assert.equal(b.status, 303);
			assert.equal(b.location, a.location);
			assert.deepEqual(sql(srv.db, `select author from comments where body_md = '${f.body}'`), [['Ada Reader']]);
		});

		test('one key sent at once with two texts: one comment; the other text is refused, not dropped', async () => {
			const slug = kind.make();
			const { form, post } = await reader(kind, slug);
			const one = form(), two = form();
			const all = await Promise.all(Array.from({ length: 8 }, (_, i) => post(i % 2 ? two : one)));
			const rows = stored(slug);
			assert.equal(rows.length, 1, 'one comment');
			const kept = rows[0][2] === one.body ? one : two;
			for (const [i, r] of all.entries()) {
				const f = i % 2 ? two : one;
				if (f === kept) {
					assert.equal(r.status, 303);
					assert.match(r.location, new RegExp(`#comment-${rows[0][0]}$`));
				} else {
					assertRefused(r, f, USED);
				}
			}
		});

		test('a key from another page\'s form: refused as before, nothing stored', async () => {
			for (const other of KINDS) {
				const slug = kind.make();
				const elsewhere = other.make();
				const { br, form, post } = await reader(other, elsewhere);
				const sent = form();
				assert.equal((await post(sent)).status, 303);
				// The same browser and key, with the same text and with
				// other text, sent to this page.
				for (const body of [sent.body, unique('Moved')]) {
					const f = { ...sent, side: undefined, ...kind.fields, body };
					if (f.side === undefined) delete f.side;
					const { res, text } = await br.post(`${kind.path(slug)}/comments`, f);
					assertRefused({ status: res.status, text }, f, ELSEWHERE);
				}
				assert.equal(stored(slug).length, 0, `a key from ${other.name} stores nothing on ${kind.name}`);
			}
		});

		if (kind.name === 'debate') {
			test('the same key and text for the other side: 422, nothing stored', async () => {
				const slug = kind.make();
				const { form, post } = await reader(kind, slug);
				const f = form();
				assert.equal((await post(f)).status, 303);
				const flipped = { ...f, side: 'b' };
				assertRefused(await post(flipped), flipped, USED);
				assert.deepEqual(sql(srv.db, `select side from comments where body_md = '${f.body}'`), [['1']]);
			});
		}
	});
}
