// Comment posts within their budgets.  Before: one address with one CSRF
// token posted 17,710 comments in 10 seconds (1,771 a second, never a 429),
// and a post without its form key skipped the double-post check.  Now each
// address (an IPv6 /64), account and verified email has a token bucket, a
// discussion and the whole site have a ceiling, the form key is required,
// a form posted faster than a person fills it in is sent back, and the same
// text from the same commenter is refused.  Addresses are set with
// X-Forwarded-For from a trusted proxy (the loopback address the tests
// connect from).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
	Browser, formTokens, parley, scratch, startServer, sql, stopClean, unique, newArticle, newDebate,
	textareaValue, formError, addArticle, othersNoticed,
} from './util.mjs';
import { Agent, csrfOf } from '../lib/identity.mjs';
import { clock } from '../lib/clock.mjs';

const PROXY = '[server]\ntrusted_proxies = 127.0.0.1\naccess_log = false\n';
const PASSWORD = 'correct horse battery';

// Runs fn on a fresh server with [comments] set as given (the other
// budgets lifted, see tests/lib/server.mjs); the server is always stopped.
async function withSite(comments, fn, { env, extra = '' } = {}) {
	const srv = await startServer({ db: scratch().db, config: `${PROXY}${extra}[comments]\n${comments}`, env });
	try {
		await fn(srv);
	} finally {
		await stopClean(srv);
	}
}

// A reader from address ip with a fresh cookie and the form's tokens.
async function reader(srv, path, ip) {
	const br = new Browser(srv.url);
	const { res, text } = await br.get(path, { 'x-forwarded-for': ip });
	assert.equal(res.status, 200, `GET ${path}`);
	br.ip = ip;
	Object.assign(br, formTokens(text));
	br.stamp = (/name="stamp" value="([^"]*)"/.exec(text) || [])[1];
	return br;
}

// Posts a comment on the article slug as br; fields override the form.
async function post(br, slug, fields = {}) {
	const all = {
		csrf: br.csrf, key: unique('k'), stamp: br.stamp, author: 'Flo', email: `${br.ip.replace(/[^0-9a-f]/g, '')}@example.org`,
		body: unique('text'), parent: '', website_confirm: '', ...fields,
	};
	for (const k of Object.keys(all)) if (all[k] === undefined) delete all[k];
	const { res, text } = await br.post(`/articles/${slug}/comments`, all, { 'x-forwarded-for': br.ip });
	return { status: res.status, res, text, body: all.body };
}

function rows(db, slug, where = 'true') {
	return Number(sql(db, `SELECT count(*) FROM comments c JOIN articles a ON a.id = c.article_id WHERE a.slug = '${slug}' AND ${where}`)[0][0]);
}

// Fails unless r is a 429 with Retry-After, message, and the text kept.
function assertLimited(r, message, what) {
	assert.equal(r.status, 429, what);
	const after = Number(r.res.headers.get('retry-after'));
	assert.ok(Number.isInteger(after) && after >= 1, `${what}: Retry-After ${r.res.headers.get('retry-after')}`);
	assert.match(formError(r.text) || '', message, what);
	assert.match(formError(r.text), new RegExp(`wait ${after} seconds?`), `${what}: the message says the same wait`);
	assert.equal(textareaValue(r.text), r.body, `${what}: the text kept`);
}

describe('one address posting as fast as it can', () => {
	test('stores only what its bucket allows in 10 s, while other addresses are taken', async () => {
		await withSite('posts_burst = 5\nposts_per_minute = 6\n', async (srv) => {
			const slug = newArticle(srv);
			const flooder = await reader(srv, `/articles/${slug}`, '198.51.100.7');
			const started = Date.now();
			const statuses = {};
			let sent = 0, limited = null;
			const loop = async () => {
				while (Date.now() - started < 10000) {
					const r = await post(flooder, slug, { email: 'flood@example.org' });
					sent += 1;
					statuses[r.status] = (statuses[r.status] || 0) + 1;
					if (r.status === 429 && limited === null) limited = r;
				}
			};
			// Meanwhile five other readers post twice each, from addresses of their own.
			const others = async () => {
				const got = [];
				for (let round = 0; round < 2; round++) {
					await new Promise((res) => setTimeout(res, 3000));
					for (let i = 1; i <= 5; i++) {
						const br = await reader(srv, `/articles/${slug}`, `203.0.113.${i}`);
						got.push((await post(br, slug)).status);
					}
				}
				return got;
			};
			const [, , , , otherStatuses] = await Promise.all([loop(), loop(), loop(), loop(), others()]);
			const secs = (Date.now() - started) / 1000;
			assert.deepEqual(otherStatuses, Array(10).fill(303), 'every other reader was answered 303');
			// 5 at once, then one every 10 s: 6 in 10 s (7 if the run took longer).
			const stored = rows(srv.db, slug, "c.email = 'flood@example.org'");
			assert.ok(stored <= 5 + Math.ceil(secs / 10), `the flood stored ${stored} in ${secs} s`);
			assert.ok(stored >= 5, `the burst was taken (${stored})`);
			assert.ok(sent > 50, `the flood sent ${sent}`);
			assert.equal(statuses[303], stored, `303 only for what was stored: ${JSON.stringify(statuses)}`);
			assert.equal(statuses[429], sent - stored, `429 for the rest: ${JSON.stringify(statuses)}`);
			assertLimited(limited, /^You are commenting too fast: wait \d+ seconds?, then send your comment again\.$/, 'the flood');
			assert.equal(rows(srv.db, slug, "c.email <> 'flood@example.org'"), 10);
		});
	});

	test('posts_per_hour bounds an address however slowly it posts', async () => {
		const clk = clock();
		await withSite('posts_burst = 2\nposts_per_minute = 60\nposts_per_hour = 3\n', async (srv) => {
			const slug = newArticle(srv);
			const br = await reader(srv, `/articles/${slug}`, '198.51.100.8');
			const got = [];
			for (let i = 0; i < 4; i++) {
				got.push((await post(br, slug)).status);
				clk.advance(30);
			}
			assert.deepEqual(got, [303, 303, 303, 429]);
		}, { env: clk.env });
	});
});

describe('who a budget counts', () => {
	test('an IPv6 /64 is one address; the next /64 is another', async () => {
		await withSite('posts_burst = 2\nposts_per_minute = 1\n', async (srv) => {
			const slug = newArticle(srv);
			const a = await reader(srv, `/articles/${slug}`, '2001:db8:1:2::1');
			const b = await reader(srv, `/articles/${slug}`, '2001:db8:1:2:ffff:ffff:ffff:fffe');
			const c = await reader(srv, `/articles/${slug}`, '2001:db8:1:3::1');
			assert.equal((await post(a, slug)).status, 303);
			assert.equal((await post(b, slug)).status, 303);
			assertLimited(await post(a, slug), /commenting too fast/, 'a third post from the same /64');
			assertLimited(await post(b, slug), /commenting too fast/, 'from another address of the /64');
			assert.equal((await post(c, slug)).status, 303, 'the next /64 has its own budget');
		});
	});

	test('an IPv4 reader counts alone by default, not with its /24', async () => {
		await withSite('posts_burst = 1\nposts_per_minute = 1\n', async (srv) => {
			const slug = newArticle(srv);
			assert.equal((await post(await reader(srv, `/articles/${slug}`, '192.0.2.1'), slug)).status, 303);
			assert.equal((await post(await reader(srv, `/articles/${slug}`, '192.0.2.2'), slug)).status, 303);
			assert.equal((await post(await reader(srv, `/articles/${slug}`, '::ffff:192.0.2.1'), slug)).status, 429,
				'the same address on a dual-stack socket');
		});
	});

	// A verified account made with the CLI, signed in from address ip.
	async function member(srv, slug, email, ip) {
		const r = parley(['user', 'add', email, 'Member', 'reader', '--db', srv.db], { input: `${PASSWORD}\n` });
		assert.equal(r.status, 0, r.stderr);
		const a = new Agent(srv.url);
		const page = await a.get('/account/signin', { headers: { 'x-forwarded-for': ip } });
		const s = await a.post('/account/signin', { csrf: csrfOf(page.text), email, password: PASSWORD, next: '/' }, { headers: { 'x-forwarded-for': ip } });
		assert.equal(s.status, 303);
		return a;
	}

	// Posts as a signed-in agent from address ip.
	async function postAs(a, slug, ip) {
		const page = await a.get(`/articles/${slug}`, { headers: { 'x-forwarded-for': ip } });
		const t = formTokens(page.text);
		const body = unique('member');
		const r = await a.post(`/articles/${slug}/comments`, { csrf: t.csrf, key: t.key, body, parent: '', website_confirm: '' },
			{ headers: { 'x-forwarded-for': ip } });
		return { status: r.status, res: r.res, text: r.text, body };
	}

	test('an account is one budget from whichever address it posts', async () => {
		await withSite('posts_burst = 2\nposts_per_minute = 1\n', async (srv) => {
			const slug = newArticle(srv);
			const email = `${unique('m')}@example.org`;
			const a = await member(srv, slug, email, '198.51.100.20');
			// Its email unverified: the account's own budget is all that counts.
			sql(srv.db, `UPDATE users SET email_verified = 0 WHERE email = '${email}'`);
			assert.equal((await postAs(a, slug, '198.51.100.21')).status, 303);
			assert.equal((await postAs(a, slug, '198.51.100.22')).status, 303);
			assertLimited(await postAs(a, slug, '198.51.100.23'), /commenting too fast/, 'a third post from a third address');
		}, { extra: '[accounts]\nsignin_per_address = 1000\nsignin_per_account = 1000\n' });
	});

	test('a verified email is one budget, even for another account that takes it over', async () => {
		await withSite('posts_burst = 2\nposts_per_minute = 1\n', async (srv) => {
			const slug = newArticle(srv);
			const email = `${unique('e')}@example.org`;
			const first = await member(srv, slug, email, '198.51.100.30');
			assert.equal((await postAs(first, slug, '198.51.100.31')).status, 303);
			assert.equal((await postAs(first, slug, '198.51.100.32')).status, 303);
			// The first account leaves the address; a second account takes it.
			sql(srv.db, `UPDATE users SET email = 'gone-${unique('x')}@example.org' WHERE email = '${email}'`);
			const second = await member(srv, slug, email, '198.51.100.33');
			assertLimited(await postAs(second, slug, '198.51.100.34'), /commenting too fast/, 'the same email, a new account');
			const third = await member(srv, slug, `${unique('e')}@example.org`, '198.51.100.35');
			assert.equal((await postAs(third, slug, '198.51.100.36')).status, 303, 'another email');
		}, { extra: '[accounts]\nsignin_per_address = 1000\nsignin_per_account = 1000\n' });
	});
});

describe('ceilings over many addresses', () => {
	test('a pile-on on one discussion is told it is busy; another discussion is not', async () => {
		await withSite('thread_posts_per_minute = 4\n', async (srv) => {
			const slug = newArticle(srv);
			const quiet = newArticle(srv);
			const got = [];
			let busy = null;
			for (let i = 1; i <= 6; i++) {
				const r = await post(await reader(srv, `/articles/${slug}`, `192.0.2.${i}`), slug);
				got.push(r.status);
				if (r.status === 429 && !busy) busy = r;
			}
			assert.deepEqual(got, [303, 303, 303, 303, 429, 429]);
			assertLimited(busy, /^This discussion is busy just now: wait \d+ seconds?, then send your comment again\.$/, 'the fifth post');
			assert.equal(rows(srv.db, slug), 4);
			assert.equal((await post(await reader(srv, `/articles/${quiet}`, '192.0.2.7'), quiet)).status, 303);
		});
	});

	test('the site takes at most site_posts_per_minute from every address together', async () => {
		await withSite('site_posts_per_minute = 5\n', async (srv) => {
			const got = [];
			let full = null;
			for (let i = 1; i <= 7; i++) {
				const slug = newArticle(srv);
				const r = await post(await reader(srv, `/articles/${slug}`, `2001:db8:${i}::1`), slug);
				got.push(r.status);
				if (r.status === 429 && !full) full = r;
			}
			assert.deepEqual(got, [303, 303, 303, 303, 303, 429, 429]);
			assertLimited(full, /^The site is taking many comments just now: wait \d+ seconds?, then send your comment again\.$/, 'the sixth');
		});
	});

	test('the debate discussion is limited the same way', async () => {
		await withSite('posts_burst = 1\nposts_per_minute = 1\n', async (srv) => {
			const slug = newDebate(srv);
			const br = await reader(srv, `/debates/${slug}`, '198.51.100.40');
			const send = (body) => br.post(`/debates/${slug}/comments`, {
				csrf: br.csrf, key: unique('k'), author: 'Deb', email: 'deb@example.org', body, side: 'a', parent: '', website_confirm: '',
			}, { 'x-forwarded-for': br.ip });
			assert.equal((await send('First.')).res.status, 303);
			const r = await send('Second.');
			assert.equal(r.res.status, 429);
			assert.ok(Number(r.res.headers.get('retry-after')) >= 1);
			assert.match(formError(r.text), /commenting too fast/);
			assert.equal(textareaValue(r.text), 'Second.');
		});
	});
});

describe('the form itself', () => {
	test('a post without its form key: 422, the text kept, a fresh form with a key', async () => {
		await withSite('', async (srv) => {
			const slug = newArticle(srv);
			const br = await reader(srv, `/articles/${slug}`, '198.51.100.50');
			const r = await post(br, slug, { key: undefined });
			assert.equal(r.status, 422);
			assert.match(formError(r.text), /This form was incomplete/);
			assert.equal(textareaValue(r.text), r.body);
			const again = formTokens(r.text);
			assert.ok(again.key, 'the form shown again has a key');
			assert.equal(rows(srv.db, slug), 0);
			const ok = await post(br, slug, { key: again.key, body: r.body });
			assert.equal(ok.status, 303, 'sent again with the fresh form');
			assert.equal(rows(srv.db, slug), 1);
		});
	});

	test('a form posted sooner than min_fill_seconds after it was shown: 422, then taken after a real wait', async () => {
		await withSite('min_fill_seconds = 2\n', async (srv) => {
			const slug = newArticle(srv);
			const br = await reader(srv, `/articles/${slug}`, '198.51.100.51');
			assert.ok(br.stamp, 'the form carries its stamp');
			const quick = await post(br, slug, { key: br.key });
			assert.equal(quick.status, 422);
			assert.equal(formError(quick.text), 'That was quick: please check your comment and send it again.');
			assert.equal(textareaValue(quick.text), quick.body);
			const back = formTokens(quick.text);
			const stamp = (/name="stamp" value="([^"]*)"/.exec(quick.text) || [])[1];
			assert.equal(back.key, br.key, 'the same key');
			assert.equal(stamp, br.stamp, 'the same stamp: the wait already spent counts');
			assert.equal(rows(srv.db, slug), 0);
			await new Promise((res) => setTimeout(res, 2100));
			const later = await post(br, slug, { key: back.key, stamp, body: quick.body });
			assert.equal(later.status, 303);
			assert.equal(rows(srv.db, slug), 1);
		});
	});

	test('a stamp made up, moved to another key, or missing is not taken', async () => {
		await withSite('min_fill_seconds = 1\n', async (srv) => {
			const slug = newArticle(srv);
			const br = await reader(srv, `/articles/${slug}`, '198.51.100.52');
			await new Promise((res) => setTimeout(res, 1100));
			for (const [what, fields] of [
				['missing', { key: br.key, stamp: undefined }],
				['another key', { key: unique('k') }],
				['made up', { key: br.key, stamp: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
				['cut short', { key: br.key, stamp: br.stamp.slice(0, -1) }],
			]) {
				const r = await post(br, slug, fields);
				assert.equal(r.status, 422, what);
				assert.match(formError(r.text), /That was quick/, what);
				assert.equal(textareaValue(r.text), r.body, what);
			}
			assert.equal(rows(srv.db, slug), 0);
			assert.equal((await post(br, slug, { key: br.key })).status, 303, 'the form as shown');
		});
	});

	test('the stamp comes from the response, not from the cached page', async () => {
		await withSite('', async (srv) => {
			const slug = newArticle(srv);
			await othersNoticed();
			const one = await reader(srv, `/articles/${slug}`, '198.51.100.53');
			await new Promise((res) => setTimeout(res, 20));
			const { res, text } = await new Browser(srv.url).get(`/articles/${slug}`);
			assert.equal(res.headers.get('x-cache'), 'hit');
			const two = (/name="stamp" value="([^"]*)"/.exec(text) || [])[1];
			assert.ok(one.stamp && two && one.stamp !== two, 'each response its own stamp');
		});
	});
});

describe('the same text twice', () => {
	test('from the same email, account or address within the window: 422 "You already said that"', async () => {
		const clk = clock();
		await withSite('duplicate_minutes = 10\n', async (srv) => {
			const slug = newArticle(srv);
			const other = newArticle(srv);
			const text = unique('said once');
			const a = await reader(srv, `/articles/${slug}`, '198.51.100.60');
			assert.equal((await post(a, slug, { body: text, email: 'same@example.org' })).status, 303);
			// The same email from another address, on another article.
			const b = await reader(srv, `/articles/${other}`, '198.51.100.61');
			let r = await post(b, other, { body: text, email: 'SAME@example.org' });
			assert.equal(r.status, 422);
			assert.equal(formError(r.text), 'You already said that.');
			assert.equal(textareaValue(r.text), text);
			// The same address with another email.
			r = await post(a, slug, { body: text, email: 'other@example.org' });
			assert.equal(r.status, 422);
			assert.equal(formError(r.text), 'You already said that.');
			// Someone else may say it too.
			assert.equal((await post(b, slug, { body: text, email: 'b@example.org' })).status, 303);
			assert.equal(rows(srv.db, slug, `c.body_md = '${text}'`) + rows(srv.db, other, `c.body_md = '${text}'`), 2);
			// After the window, it may be said again.
			clk.advance(601);
			assert.equal((await post(a, slug, { body: text, email: 'same@example.org' })).status, 303);
		}, { env: clk.env });
	});

	test('the same form sent twice is still one comment, not a refusal', async () => {
		await withSite('duplicate_minutes = 10\n', async (srv) => {
			const slug = newArticle(srv);
			const a = await reader(srv, `/articles/${slug}`, '198.51.100.62');
			const fields = { key: a.key, body: unique('twice') };
			const first = await post(a, slug, fields);
			const second = await post(a, slug, fields);
			assert.equal(first.status, 303);
			assert.equal(second.status, 303);
			assert.equal(second.res.headers.get('location'), first.res.headers.get('location'));
			assert.equal(rows(srv.db, slug), 1);
		});
	});

	test('sent at once many times, the same text is stored once', async () => {
		await withSite('duplicate_minutes = 10\n', async (srv) => {
			const slug = newArticle(srv);
			const a = await reader(srv, `/articles/${slug}`, '198.51.100.63');
			const body = unique('at once');
			const got = await Promise.all(Array.from({ length: 8 }, () => post(a, slug, { body })));
			const statuses = got.map((r) => r.status).sort();
			assert.deepEqual(statuses, [303, 422, 422, 422, 422, 422, 422, 422]);
			assert.equal(rows(srv.db, slug), 1);
		});
	});
});

describe('debate marks', () => {
	test('"this changed my mind" is limited per account, from whichever network', async () => {
		const srv = await startServer({
			db: scratch().db,
			config: `${PROXY}[accounts]\nsignin_per_address = 1000\nsignin_per_account = 1000\n[debates]\nvotes_burst = 2\nvotes_per_minute = 1\n`,
		});
		try {
			const slug = newDebate(srv);
			const email = `${unique('mk')}@example.org`;
			const r = parley(['user', 'add', email, 'Marker', 'reader', '--db', srv.db], { input: `${PASSWORD}\n` });
			assert.equal(r.status, 0, r.stderr);
			const a = new Agent(srv.url);
			const ip = (n) => ({ headers: { 'x-forwarded-for': `10.${n}.0.1` } });
			const page = await a.get('/account/signin', ip(1));
			assert.equal((await a.post('/account/signin', { csrf: csrfOf(page.text), email, password: PASSWORD, next: '/' }, ip(1))).status, 303);
			const d = await a.get(`/debates/${slug}`, ip(1));
			const sid = Number(/name="item" value="s(\d+)"/.exec(d.text)[1]);
			const csrf = csrfOf(d.text);
			const got = [];
			for (let i = 0; i < 3; i++) {
				const m = await a.post(`/debates/${slug}/minds`, { csrf, item: `s${sid + (i % 2)}` }, ip(i + 2));
				got.push(m.status);
				if (m.status === 429) assert.ok(Number(m.res.headers.get('retry-after')) >= 1);
			}
			assert.deepEqual(got, [303, 303, 429]);
		} finally {
			await stopClean(srv);
		}
	});
});

test('test servers lift the comment budgets; production keeps them', () => {
	const r = parley(['config', 'keys']);
	assert.equal(r.status, 0);
	for (const [k, v] of [['posts_per_minute', 2], ['posts_burst', 5], ['posts_per_hour', 30], ['thread_posts_per_minute', 60],
		['site_posts_per_minute', 600], ['min_fill_seconds', 3], ['duplicate_minutes', 10], ['posts_ipv4_prefix', 32], ['posts_ipv6_prefix', 64]]) {
		assert.match(r.stdout, new RegExp(`^${k} = ${v}$`, 'm'), k);
	}
});
