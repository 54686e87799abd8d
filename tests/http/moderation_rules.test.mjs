// The moderation rules of [moderation], each recorded as the reason of the
// status it gives: links and held words hold, refused words send the form
// back (422, text kept, nothing stored), blocked emails, domains, networks
// (IPv4 and IPv6) and accounts go to spam; and bans by account, email,
// IPv4 address, IPv6 /64 and network, for good or for a time, send a
// banned commenter's new comments straight to spam.  Addresses come from
// a trusted proxy's X-Forwarded-For.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { browser, formTokens, newArticle, parley, scratch, site, sql, stopClean, textareaValue, unique } from './util.mjs';

const CONFIG = `[server]
trusted_proxies = 127.0.0.1
[moderation]
max_links = 2
hold_words = casino, free money
refuse_words = forbidden phrase
blocked_emails = pest@example.org
blocked_domains = spam.test
blocked_networks = 198.51.100.0/24, 2001:db8:bad::/48
blocked_accounts = 999
`;

let srv;
before(async () => { srv = await site({ articles: [], config: CONFIG }); });
after(() => stopClean(srv));

// Posts a comment on slug from address ip; resolves to { status, text, id }.
async function post(slug, { ip = '192.0.2.10', body = unique('c'), email = 'ada@example.org', author = 'Ada', url = '' } = {}) {
	const b = browser(srv);
	const page = await b.get(`/articles/${slug}`, { 'x-forwarded-for': ip });
	const t = formTokens(page.text);
	const r = await b.post(`/articles/${slug}/comments`,
		{ csrf: t.csrf, key: t.key, author, email, url, body, parent: '', website_confirm: '' },
		{ 'x-forwarded-for': ip });
	const m = /#comment-(\d+)$/.exec(r.res.headers.get('location') || '');
	return { status: r.res.status, text: r.text, id: m ? Number(m[1]) : null, location: r.res.headers.get('location') };
}

// The status and reason stored for the newest comment on slug.
function last(slug) {
	return sql(srv.db, `SELECT c.status, c.reason FROM comments c JOIN articles a ON a.id = c.article_id WHERE a.slug = '${slug}' ORDER BY c.id DESC LIMIT 1`)[0];
}

const link = (n) => Array.from({ length: n }, (_, i) => `<https://l${i}.example/>`).join(' ');

describe('rules', () => {
	test('more links than max_links hold; as many are fine', async () => {
		const slug = newArticle(srv);
		await post(slug, { body: `two ${link(2)}` });
		assert.deepEqual(last(slug), ['approved', '']);
		await post(slug, { body: `three ${link(3)}` });
		assert.deepEqual(last(slug), ['pending', '3 links']);
	});

	test('a held word, in any case, as whole words, in the text or another field', async () => {
		const slug = newArticle(srv);
		await post(slug, { body: 'Best CASINO in town' });
		assert.deepEqual(last(slug), ['pending', 'word: casino']);
		await post(slug, { body: 'plain', author: 'Free Money Bot' });
		assert.deepEqual(last(slug), ['pending', 'word: free money']);
		await post(slug, { body: 'occasional casinos are not the word' });
		assert.deepEqual(last(slug), ['approved', '']);
	});

	test('a refused word: 422, the text kept, nothing stored', async () => {
		const slug = newArticle(srv);
		const body = `This has the Forbidden Phrase in it ${unique('r')}`;
		const r = await post(slug, { body });
		assert.equal(r.status, 422);
		assert.equal(textareaValue(r.text), body);
		assert.match(r.text, /cannot be posted: it contains/);
		assert.equal(sql(srv.db, `SELECT count(*) FROM comments WHERE body_md = '${body}'`)[0][0], '0');
	});

	test('blocked emails and domains go to spam', async () => {
		const slug = newArticle(srv);
		const r = await post(slug, { email: 'PEST@example.org' });
		assert.deepEqual(last(slug), ['spam', 'blocked email']);
		// Its sender is not told: 303 to the discussion, no comment shown.
		assert.equal(r.status, 303);
		assert.equal(r.location, `/articles/${slug}#comments`);
		await post(slug, { email: 'x@mail.spam.test' });
		assert.deepEqual(last(slug), ['spam', 'blocked email']);
		await post(slug, { email: 'x@notspam.test' });
		assert.deepEqual(last(slug), ['approved', '']);
	});

	test('blocked networks, IPv4 and IPv6, go to spam; their neighbours do not', async () => {
		const slug = newArticle(srv);
		for (const [ip, want] of [
			['198.51.100.77', 'spam'], ['198.51.101.1', 'approved'],
			['2001:db8:bad:1::5', 'spam'], ['2001:db8:bae::1', 'approved'],
		]) {
			const r = await post(slug, { ip });
			assert.equal(r.status, 303, ip);
			assert.equal(last(slug)[0], want, ip);
		}
	});
});

describe('bans', () => {
	function ban(...args) {
		const r = parley(['ban', 'add', ...args, '--db', srv.db]);
		assert.equal(r.status, 0, r.stderr);
		return Number(/^ban (\d+):/.exec(r.stdout)[1]);
	}

	test('an IPv4 address: that address alone', async () => {
		const slug = newArticle(srv);
		ban('address', '203.0.113.7', '--reason', 'flood');
		await post(slug, { ip: '203.0.113.7' });
		assert.deepEqual(last(slug), ['spam', 'banned address']);
		await post(slug, { ip: '203.0.113.8' });
		assert.deepEqual(last(slug), ['approved', '']);
	});

	test('an IPv6 address: its whole /64', async () => {
		const slug = newArticle(srv);
		ban('address', '2001:db8:1:2::5');
		await post(slug, { ip: '2001:db8:1:2:abcd::9' });
		assert.deepEqual(last(slug), ['spam', 'banned address']);
		await post(slug, { ip: '2001:db8:1:3::5' });
		assert.deepEqual(last(slug), ['approved', '']);
	});

	test('a network (CIDR), and an IPv4 reader of a dual-stack socket', async () => {
		const slug = newArticle(srv);
		ban('network', '100.64.0.0/10');
		await post(slug, { ip: '100.100.1.1' });
		assert.deepEqual(last(slug), ['spam', 'banned network']);
		await post(slug, { ip: '::ffff:100.64.0.9' });
		assert.deepEqual(last(slug), ['spam', 'banned network']);
		await post(slug, { ip: '100.128.0.1' });
		assert.deepEqual(last(slug), ['approved', '']);
	});

	test('an email, in any case; lifted, the next comment is approved', async () => {
		const slug = newArticle(srv);
		const id = ban('email', 'Troll@Example.org');
		await post(slug, { email: 'troll@example.ORG' });
		assert.deepEqual(last(slug), ['spam', 'banned email']);
		const r = parley(['ban', 'remove', String(id), '--db', srv.db]);
		assert.equal(r.status, 0, r.stderr);
		await post(slug, { email: 'troll@example.org' });
		assert.deepEqual(last(slug), ['approved', '']);
	});

	test('a ban for a time ends at its time', async () => {
		const slug = newArticle(srv);
		ban('email', 'brief@example.org', '--days', '1');
		await post(slug, { email: 'brief@example.org' });
		assert.deepEqual(last(slug), ['spam', 'banned email']);
		// Its end moved to the past: it no longer applies.
		sql(srv.db, "UPDATE bans SET expires = 1 WHERE value = 'brief@example.org'");
		await post(slug, { email: 'brief@example.org' });
		assert.deepEqual(last(slug), ['approved', '']);
	});

	test('bad bans are refused with a message and exit 1 or 2', () => {
		for (const [args, code] of [
			[['add', 'address', 'not-an-ip'], 1], [['add', 'network', '10.0.0.0/33'], 1],
			[['add', 'email', 'nobody'], 1], [['add', 'account', 'x'], 1],
			[['add', 'planet', 'mars'], 2], [['remove', 'x'], 2], [['remove', '99999'], 1],
			[['add', 'email', 'a@example.org', '--days', '0'], 2],
		]) {
			const r = parley(['ban', ...args, '--db', srv.db]);
			assert.equal(r.status, code, `${args.join(' ')}: ${r.stderr}`);
			assert.ok(r.stderr.length > 0);
		}
	});
});

describe('a blocked network in the config is checked at start', () => {
	test('a bad entry stops the start with the line number', () => {
		const dir = scratch().dir;
		const file = join(dir, 'bad.ini');
		writeFileSync(file, '[moderation]\nblocked_networks = 10.0.0.0/8 192.0.2.300\n');
		const r = parley(['config', 'check', file]);
		assert.notEqual(r.status, 0);
		assert.match(r.stderr, /:2: .*192\.0\.2\.300/);
	});
});
