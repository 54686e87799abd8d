// A comment acknowledged with 303 is on disk: stopping the server with
// SIGTERM, or killing it with SIGKILL, while posts are in flight loses none
// of them and stores none twice.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { scratch, addArticle, startServer, openForm, browser, sql, countHeading, stopClean, FORM_TYPE } from './util.mjs';

const TOTAL = 300;
const BATCH = 50;
const STOP_AFTER = 3;	// batches answered before the signal; it comes during the next

// One visitor's posts: fields for post i (a unique body and form key each).
function poster(srv, csrf, cookie, run) {
	return async (i) => {
		const body = `durable ${run} comment ${i}`;
		try {
			const res = await fetch(`${srv.url}/articles/durable/comments`, {
				method: 'POST',
				redirect: 'manual',
				signal: AbortSignal.timeout(20000),
				headers: { 'content-type': FORM_TYPE, cookie },
				body: new URLSearchParams({ csrf, key: `${run}-key-${i}`, author: 'Load', email: 'load@example.org', body }),
			});
			await res.arrayBuffer();
			return { i, body, status: res.status, location: res.headers.get('location') };
		} catch (e) {
			return { i, body, status: 0, error: String(e.cause || e) };
		}
	};
}

// Fires TOTAL posts BATCH at a time; sends signal to the server while batch
// STOP_AFTER is in flight, and goes on firing the rest.
async function loadAndStop(srv, post, signal) {
	const results = [];
	let exited = null;
	for (let k = 0; k * BATCH < TOTAL; k++) {
		const batch = Promise.all(Array.from({ length: Math.min(BATCH, TOTAL - k * BATCH) }, (_, j) => post(k * BATCH + j)));
		if (k === STOP_AFTER) {
			await new Promise((r) => setTimeout(r, 3));
			exited = srv.stop(signal);
		}
		results.push(...await batch);
	}
	return { results, exit: await exited };
}

// The bodies stored for the article, with how many times each.
function stored(db) {
	const rows = sql(db, "select c.body_md, count(*) from comments c join articles a on a.id = c.article_id where a.slug = 'durable' group by c.body_md");
	return new Map(rows.map(([b, n]) => [b, Number(n)]));
}

// Counts of what the clients saw, for the test's diagnostics.
function summary(results, have) {
	const by = {};
	for (const r of results) by[r.status] = (by[r.status] || 0) + 1;
	const unackedStored = results.filter((r) => r.status !== 303 && have.has(r.body)).length;
	return `answers ${JSON.stringify(by)}; stored ${have.size}, of which ${unackedStored} never acknowledged`;
}

function checkStored(db, results, run) {
	const acked = results.filter((r) => r.status === 303);
	const odd = results.filter((r) => r.status !== 303 && r.status !== 0 && r.status !== 503);
	assert.deepEqual(odd.map((r) => r.status), [], 'a post was answered with neither 303 nor a failure to store');
	const have = stored(db);
	const missing = acked.filter((r) => !have.has(r.body)).map((r) => r.i);
	assert.deepEqual(missing, [], `${missing.length} acknowledged comments are not in the database`);
	const twice = [...have].filter(([, n]) => n > 1).map(([b]) => b);
	assert.deepEqual(twice, [], 'comments stored twice');
	const byId = new Map(sql(db, 'select id, body_md from comments').map(([id, b]) => [Number(id), b]));
	const misdirected = acked.filter((r) => byId.get(Number((/#comment-(\d+)$/.exec(r.location) || [])[1])) !== r.body).map((r) => r.i);
	assert.deepEqual(misdirected, [], 'acknowledgements whose Location names another comment');
	const strangers = [...have.keys()].filter((b) => !b.startsWith(`durable ${run} comment `));
	assert.deepEqual(strangers, [], 'bodies nobody sent');
	const [[count, total]] = sql(db, "select a.comment_count, (select count(*) from comments c where c.article_id = a.id) from articles a where a.slug = 'durable'");
	assert.equal(count, total, "the article's comment count agrees with its comments");
	return { acked: acked.length, have };
}

describe('durability under load', () => {
	const servers = [];
	after(async () => { for (const s of servers) await s.stop('SIGKILL'); });

	test('SIGTERM while posts are in flight: exit 0, every acknowledged comment stored once', async (t0) => {
		const { db } = scratch();
		addArticle(db, { slug: 'durable', title: 'Durable' });
		const srv = await startServer({ db });
		servers.push(srv);
		const b = browser(srv);
		const t = await openForm(b, 'durable');
		const { results, exit } = await loadAndStop(srv, poster(srv, t.csrf, b.cookieHeader(), 'term'), 'SIGTERM');
		assert.deepEqual(exit, { code: 0, sig: null }, `the server's exit after SIGTERM; stderr:\n${srv.logs().stderr.slice(-2000)}`);
		const { acked, have } = checkStored(db, results, 'term');
		t0.diagnostic(summary(results, have));
		assert.ok(acked >= STOP_AFTER * BATCH, `only ${acked} posts were acknowledged`);

		// A restarted server shows the same count.
		const again = await startServer({ db });
		servers.push(again);
		const page = await browser(again).get('/articles/durable');
		assert.equal(countHeading(page.text), `${have.size} thoughts on “Durable”`);
		await stopClean(again);
	});

	test('SIGKILL while posts are in flight: every acknowledged comment survives; retries store nothing twice', async (t0) => {
		const { db } = scratch();
		addArticle(db, { slug: 'durable', title: 'Durable' });
		const srv = await startServer({ db });
		servers.push(srv);
		const b = browser(srv);
		const t = await openForm(b, 'durable');
		const { results, exit } = await loadAndStop(srv, poster(srv, t.csrf, b.cookieHeader(), 'kill'), 'SIGKILL');
		assert.equal(exit.sig, 'SIGKILL');

		// Restart on the same database; it recovers the WAL.
		const again = await startServer({ db });
		servers.push(again);
		const { acked, have } = checkStored(db, results, 'kill');
		t0.diagnostic(summary(results, have));
		assert.ok(acked >= STOP_AFTER * BATCH, `only ${acked} posts were acknowledged`);
		const page = await browser(again).get('/articles/durable');
		assert.equal(countHeading(page.text), `${have.size} thoughts on “Durable”`);

		// Every client whose post failed sends it again with the same key.
		const retry = poster(again, t.csrf, b.cookieHeader(), 'kill');
		const failed = results.filter((r) => r.status !== 303);
		const retried = [];
		for (let k = 0; k < failed.length; k += BATCH) {
			retried.push(...await Promise.all(failed.slice(k, k + BATCH).map((r) => retry(r.i))));
		}
		assert.deepEqual(retried.filter((r) => r.status !== 303).map((r) => `${r.i}: ${r.status} ${r.error || ''}`), []);
		const final = stored(db);
		assert.equal(final.size, TOTAL, 'every post is stored after the retries');
		assert.deepEqual([...final.values()].filter((n) => n !== 1), [], 'no post stored twice');
		await stopClean(again);
	});
});
