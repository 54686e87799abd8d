// `parley comments` and `parley ban` beside a running server: every
// action's exit code, output and effect, the server noticing the
// command's writes (its cached pages dropped), the log of every action
// kept when comments are purged, and bad input refused with a message.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { browser, comments, countHeading, newArticle, othersNoticed, parley, postComment, site, sql, startServer, stopClean, unique } from './util.mjs';

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

	test('list --status flagged shows the comments readers flagged, and only those', async () => {
		const slug = newArticle(srv);
		const body = unique('flagged');
		const id = await held(slug, body);
		const quiet = await held(slug, unique('quiet'));
		assert.equal(run('comments', 'approve', String(id), String(quiet)).status, 0);
		sql(srv.db, `INSERT INTO comment_flags (comment_id, reader, network, reason, note, created) VALUES (${id}, 'r1', '192.0.2.1', 'abuse', '', 1795305700)`);
		const r = run('comments', 'list', '--status', 'flagged');
		assert.equal(r.status, 0, r.stderr);
		assert.match(r.stdout, new RegExp(`^${id} +approved .*${body}`, 'm'));
		assert.doesNotMatch(r.stdout, new RegExp(`^${quiet} `, 'm'), 'a comment nobody flagged');
	});

	test('approve beside a running server: the cached page is dropped and shows it', async () => {
		const slug = newArticle(srv);
		const id = await held(slug);
		await othersNoticed();
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

describe('parley spam train, and the score of new comments', () => {
	const HAM = [
		'I grew up near that library and it was the only warm place open after school.',
		'The article skips over the cost of maintenance; who pays for the roof in ten years?',
		'My grandmother takes the 14 bus every morning, so cutting that route would hurt her.',
		'Interesting point about the reading rooms, but the opening hours are the real problem.',
		'I disagree with the second paragraph. Density is not the same thing as crowding.',
		'Has anyone compared these numbers with what the council published last spring?',
		'We tried a tool library in our neighbourhood and it worked better than expected.',
		'Thanks for writing this, it explains the budget vote better than the local paper.',
		'The debate last night was heated but the moderator kept it fair for both sides.',
		'Good article. One correction: the museum is free on Sundays, not Saturdays.',
	];
	const SPAM = [
		'CHECK OUT my channel!!! subscribe now for FREE gift cards http://win.example',
		'Make money fast from home, click here http://cash.example earn $5000 a week!!!',
		'Subscribe to my channel please, free followers http://follow.example subscribe!!!',
		'Cheap watches, cheap bags, best price, buy now http://shop.example !!!',
		'FREE iPhone giveaway click the link http://prize.example claim your prize now!!!',
		'Earn money online fast, click here http://money.example, free bonus!!!',
		'Best casino bonus, free spins, click http://casino.example win big now!!!',
		'Visit my channel for free gift cards, subscribe and share http://gift.example!!!',
		'Buy followers cheap, click here http://likes.example, fast delivery!!!',
		'Click here to win a free prize http://claim.example, limited offer!!!',
	];

	test('trains on approved and spam comments; a server then scores and sends spam to spam', async () => {
		const s = await site({ articles: [] });
		const slug = newArticle(s);
		const b = browser(s);
		const spamIds = [];
		for (const t of HAM) await postComment(b, slug, { body: t });
		for (const t of SPAM) spamIds.push((await postComment(b, slug, { body: t })).id);
		let r = parley(['comments', 'spam', ...spamIds.map(String), '--db', s.db]);
		assert.equal(r.status, 0, r.stderr);
		await stopClean(s);
		r = parley(['spam', 'train', '--db', s.db]);
		assert.equal(r.status, 0, r.stderr);
		assert.match(r.stdout, /^trained on 20 comments \(10 spam\)/);
		const again = await startServer({ db: s.db, config: '[moderation]\nspam_percent = 70\nhold_percent = 50\n' });
		try {
			const c = browser(again);
			const spam = await postComment(c, slug, { body: 'Free gift cards, subscribe to my channel, click here http://free.example!!!' });
			const ham = await postComment(c, slug, { body: 'The council should publish the library budget before the vote.' });
			const row = (id) => sql(s.db, `SELECT status, reason, spam_score, spam_features FROM comments WHERE id = ${id}`)[0];
			const sp = sql(s.db, "SELECT status, reason, spam_score, spam_features FROM comments WHERE body_md LIKE 'Free gift cards%'")[0];
			assert.equal(sp[0], 'spam', `scored ${sp[2]}`);
			assert.match(sp[1], /^spam score [01]\.\d\d$/);
			assert.ok(Number(sp[2]) >= 0.7);
			// The first of the features that weighed most (the shell shows one line).
			assert.match(sp[3], /^\S.* [+-]\d\.\d{3}$/);
			assert.equal(spam.location, `/articles/${slug}#comments`);
			const hm = row(ham.id);
			assert.equal(hm[0], 'approved', `scored ${hm[2]}`);
			assert.ok(Number(hm[2]) >= 0 && Number(hm[2]) < 0.5);
		} finally {
			await stopClean(again);
		}
	});

	test('with nothing to learn from, nothing is saved and nothing is scored', async () => {
		const s = await site({ articles: [] });
		await stopClean(s);
		const r = parley(['spam', 'train', '--db', s.db]);
		assert.equal(r.status, 0, r.stderr);
		assert.match(r.stdout, /^trained on 0 comments/);
		assert.equal(sql(s.db, 'SELECT count(*) FROM spam_model')[0][0], '0');
	});
});
