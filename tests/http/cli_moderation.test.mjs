// `parley comments` and `parley ban` beside a running server: every
// action's exit code, output and effect, the server noticing the
// command's writes (its cached pages dropped), the log of every action
// kept when comments are purged, and bad input refused with a message.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { browser, comments, countHeading, newArticle, parley, postComment, site, sql, stopClean, unique } from './util.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let srv;
before(async () => { srv = await site({ articles: [], config: '[comments]\nmoderation = hold\n' }); });
after(() => stopClean(srv));

function run(...args) {
	return parley([...args, '--db', srv.db]);
}

async function held(slug, body = unique('c')) {
	const r = await postComment(browser(srv), slug, { body });
	assert.equal(r.status, 303);
	return r.id;
}

// Waits until a fresh reader's page of slug shows n comments.
async function shows(slug, n) {
	for (let i = 0; i < 40; i++) {
		const { text } = await browser(srv).get(`/articles/${slug}`);
		if (comments(text).length === n) return text;
		await sleep(100);
	}
	assert.fail(`/articles/${slug} never showed ${n} comments`);
}

describe('parley comments', () => {
	test('list shows the pending queue, newest first, with reason and text', async () => {
		const slug = newArticle(srv);
		const body = unique('listed');
		const a = await held(slug, 'older one');
		const b = await held(slug, body);
		const r = run('comments', 'list');
		assert.equal(r.status, 0, r.stderr);
		const lines = r.stdout.split('\n');
		const ia = lines.findIndex((l) => l.startsWith(`${a} `));
		const ib = lines.findIndex((l) => l.startsWith(`${b} `));
		assert.ok(ib > 0 && ia > ib, 'newest first');
		assert.match(lines[ib], new RegExp(`pending .*${slug} / every comment is held / ${body}`));
		assert.doesNotMatch(run('comments', 'list', '--status', 'approved').stdout, new RegExp(body));
	});

	test('approve beside a running server: the cached page is dropped and shows it', async () => {
		const slug = newArticle(srv);
		const id = await held(slug);
		const before = await browser(srv).get(`/articles/${slug}`);
		assert.equal(comments(before.text).length, 0);
		assert.equal((await browser(srv).get(`/articles/${slug}`)).res.headers.get('x-cache'), 'hit');
		const r = run('comments', 'approve', String(id));
		assert.equal(r.status, 0, r.stderr);
		assert.equal(r.stdout, '1 comment now approved\n');
		const text = await shows(slug, 1);
		assert.equal(countHeading(text), '1 thought on “Test Article”');
		// Again: nothing changes, nothing logged twice.
		assert.equal(run('comments', 'approve', String(id)).stdout, '0 comments now approved\n');
		assert.equal(sql(srv.db, `SELECT count(*) FROM moderation_log WHERE comment_id = ${id}`)[0][0], '1');
	});

	test('spam, trash and restore move comments out of and back into the queue, logged', async () => {
		const slug = newArticle(srv);
		const ids = [await held(slug), await held(slug), await held(slug)];
		assert.equal(run('comments', 'approve', ...ids.map(String)).stdout, '3 comments now approved\n');
		await shows(slug, 3);
		assert.equal(run('comments', 'spam', String(ids[0]), String(ids[1])).stdout, '2 comments now spam\n');
		await shows(slug, 1);
		assert.equal(run('comments', 'trash', String(ids[2])).stdout, '1 comment now trash\n');
		await shows(slug, 0);
		assert.equal(run('comments', 'restore', String(ids[2])).stdout, '1 comment now pending\n');
		const log = sql(srv.db, `SELECT action, status_before, status_after, actor FROM moderation_log WHERE comment_id = ${ids[2]} ORDER BY id`);
		assert.deepEqual(log, [
			['approve', 'pending', 'approved', 'command line'],
			['trash', 'approved', 'trash', 'command line'],
			['restore', 'trash', 'pending', 'command line'],
		]);
		const show = run('comments', 'show', String(ids[2]));
		assert.equal(show.status, 0);
		assert.match(show.stdout, /status: pending/);
		assert.match(show.stdout, /restore by command line: trash -> pending/);
	});

	test('purge deletes old spam and trash that nothing answers; the log keeps them', async () => {
		const slug = newArticle(srv);
		const gone = await held(slug);
		const kept = await held(slug);
		run('comments', 'trash', String(gone));
		// Not old enough yet.
		assert.match(run('comments', 'purge').stdout, /^purged 0 /);
		sql(srv.db, `UPDATE comments SET status_at = status_at - 40 * 86400 WHERE id = ${gone}`);
		const r = run('comments', 'purge');
		assert.equal(r.status, 0, r.stderr);
		assert.match(r.stdout, /^purged 1 spam and trash comment older than 30 days/);
		assert.equal(sql(srv.db, `SELECT count(*) FROM comments WHERE id = ${gone}`)[0][0], '0');
		assert.equal(sql(srv.db, `SELECT count(*) FROM comments WHERE id = ${kept}`)[0][0], '1');
		const log = sql(srv.db, `SELECT action FROM moderation_log WHERE comment_id = ${gone} ORDER BY id`).map((x) => x[0]);
		assert.deepEqual(log, ['trash', 'purge']);
		assert.match(run('comments', 'log', String(gone)).stdout, /purge +comment/);
	});

	test('a trashed comment that has a reply is kept by purge', async () => {
		const slug = newArticle(srv);
		const parent = await held(slug);
		run('comments', 'approve', String(parent));
		await shows(slug, 1);
		const r = await postComment(browser(srv), slug, { parent: String(parent) });
		run('comments', 'trash', String(parent));
		sql(srv.db, `UPDATE comments SET status_at = 1 WHERE id = ${parent}`);
		const p = run('comments', 'purge');
		assert.equal(p.status, 0, p.stderr);
		assert.equal(sql(srv.db, `SELECT status FROM comments WHERE id = ${parent}`)[0][0], 'trash');
		assert.equal(sql(srv.db, `SELECT status FROM comments WHERE id = ${r.id}`)[0][0], 'pending');
	});

	test('bad input: a message and exit 2 (usage) or 1 (not found)', () => {
		for (const [args, code] of [
			[['comments'], 2], [['comments', 'list', '--status', 'lost'], 2], [['comments', 'approve'], 2],
			[['comments', 'approve', 'x'], 2], [['comments', 'show', '0'], 2], [['comments', 'show', '999999'], 1],
			[['comments', 'purge', '--days', 'x'], 2], [['comments', 'dance', '1'], 2], [['comments', 'list', '--limit', '0'], 2],
		]) {
			const r = run(...args);
			assert.equal(r.status, code, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
			assert.ok(r.stderr.length > 0, args.join(' '));
		}
	});
});

describe('parley ban', () => {
	test('add, list and remove, each logged', () => {
		const add = run('ban', 'add', 'network', '192.0.2.99/24', '--reason', 'a flood', '--days', '3');
		assert.equal(add.status, 0, add.stderr);
		const id = /^ban (\d+): network 192.0.2.99\/24 for a time/.exec(add.stdout)[1];
		const list = run('ban', 'list');
		assert.match(list.stdout, new RegExp(`^${id} +network +192\\.0\\.2\\.0/24 .*command line / a flood`, 'm'));
		assert.equal(run('ban', 'remove', id).stdout, `ban ${id} lifted\n`);
		assert.doesNotMatch(run('ban', 'list').stdout, new RegExp(`^${id} `, 'm'));
		const log = sql(srv.db, "SELECT action, detail FROM moderation_log WHERE action IN ('ban', 'unban') AND detail LIKE 'network 192.0.2.0/24%' ORDER BY id");
		assert.deepEqual(log, [['ban', 'network 192.0.2.0/24: a flood'], ['unban', 'network 192.0.2.0/24']]);
		assert.equal(run('ban', 'remove', id).status, 1);
	});
});
