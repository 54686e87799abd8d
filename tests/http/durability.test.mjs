// A comment acknowledged with 303 is on disk: stopping the server with
// SIGTERM, or killing it with SIGKILL, while posts are in flight loses none
// of them and stores none twice.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { scratch, addArticle, startServer, openForm, browser, sql, countHeading, stopClean, FORM_TYPE } from './util.mjs';

const TOTAL = 300;
const BATCH = 50;
const STOP_AFTER = 3;	// batches answered before the signal; it comes during the next

// The server refuses connections past its per-address limit without a
// word, which a client would take for a crash.  The test sets the limit
// and keeps its own connections well below it: at most SOCKETS posts are
// on the wire at once, each on a connection of its own.
const PER_IP = 64;
const SOCKETS = 24;
const CONFIG = `[server]\nper_ip_connections = ${PER_IP}\n`;

// Sends one form post through agent; resolves to { status, location } or
// rejects on a transport error (refused, reset, timed out).
function send(agent, url, cookie, fields) {
	return new Promise((resolve, reject) => {
		const body = new URLSearchParams(fields).toString();
		const req = http.request(url, {
			method: 'POST', agent, timeout: 20000,
			headers: { 'content-type': FORM_TYPE, 'content-length': Buffer.byteLength(body), cookie },
		}, (res) => {
			res.resume();
			res.on('end', () => resolve({ status: res.statusCode, location: res.headers.location || null }));
			res.on('error', reject);
		});
		req.on('timeout', () => req.destroy(new Error('timed out')));
		req.on('error', reject);
		req.end(body);
	});
}

// One visitor's posts: fields for post i (a unique body and form key each).
// The returned function's agent is closed with post.close().
function poster(srv, csrf, cookie, run) {
	const agent = new http.Agent({ keepAlive: false, maxSockets: SOCKETS });
	const url = `${srv.url}/articles/durable/comments`;
	const post = async (i) => {
		const body = `durable ${run} comment ${i}`;
		try {
			const r = await send(agent, url, cookie, { csrf, key: `${run}-key-${i}`, author: 'Load', email: 'load@example.org', body });
			return { i, body, ...r };
		} catch (e) {
			return { i, body, status: 0, error: String(e.code || e.message || e) };
		}
	};
	post.close = () => agent.destroy();
	return post;
}

// Fires TOTAL posts BATCH at a time; sends signal to the server once the
// first SIGNAL_AFTER answers of batch STOP_AFTER are in, so that the rest
// of that batch is in flight, and goes on firing the rest.
const SIGNAL_AFTER = 5;
async function loadAndStop(srv, post, signal) {
	const results = [];
	let exited = null;
	for (let k = 0; k * BATCH < TOTAL; k++) {
		let answered = 0;
		const one = async (i) => {
			const r = await post(i);
			answered += 1;
			if (k === STOP_AFTER && answered === SIGNAL_AFTER) exited = srv.stop(signal);
			return r;
		};
		results.push(...await Promise.all(Array.from({ length: Math.min(BATCH, TOTAL - k * BATCH) }, (_, j) => one(k * BATCH + j))));
	}
	assert.ok(exited, 'the signal was sent');
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

// Every post of the batches answered before the signal was acknowledged:
// none was dropped on the way (a connection over the per-address limit is).
function assertEarlyAcked(results, acked) {
	const early = results.slice(0, STOP_AFTER * BATCH).filter((r) => r.status !== 303).map((r) => `${r.i}: ${r.status} ${r.error || ''}`);
	assert.deepEqual(early, [], 'posts answered before the signal that were not acknowledged');
	assert.ok(acked >= STOP_AFTER * BATCH, `only ${acked} posts were acknowledged`);
}

describe('durability under load', () => {
	const servers = [];
	after(async () => { for (const s of servers) await s.stop('SIGKILL'); });

	test('SIGTERM while posts are in flight: exit 0, every acknowledged comment stored once', async (t0) => {
		const { db } = scratch();
		addArticle(db, { slug: 'durable', title: 'Durable' });
		const srv = await startServer({ db, config: CONFIG });
		servers.push(srv);
		const b = browser(srv);
		const t = await openForm(b, 'durable');
		const post = poster(srv, t.csrf, b.cookieHeader(), 'term');
		const { results, exit } = await loadAndStop(srv, post, 'SIGTERM');
		post.close();
		assert.deepEqual(exit, { code: 0, sig: null }, `the server's exit after SIGTERM; stderr:\n${srv.logs().stderr.slice(-2000)}`);
		const { acked, have } = checkStored(db, results, 'term');
		t0.diagnostic(summary(results, have));
		assertEarlyAcked(results, acked);

		// A restarted server shows the same count.
		const again = await startServer({ db, config: CONFIG });
		servers.push(again);
		const page = await browser(again).get('/articles/durable');
		assert.equal(countHeading(page.text), `${have.size} thoughts on “Durable”`);
		await stopClean(again);
	});

	test('SIGKILL while posts are in flight: every acknowledged comment survives; retries store nothing twice', async (t0) => {
		const { db } = scratch();
		addArticle(db, { slug: 'durable', title: 'Durable' });
		const srv = await startServer({ db, config: CONFIG });
		servers.push(srv);
		const b = browser(srv);
		const t = await openForm(b, 'durable');
		const post = poster(srv, t.csrf, b.cookieHeader(), 'kill');
		const { results, exit } = await loadAndStop(srv, post, 'SIGKILL');
		post.close();
		assert.equal(exit.sig, 'SIGKILL');

		// Restart on the same database; it recovers the WAL.
		const again = await startServer({ db, config: CONFIG });
		servers.push(again);
		const { acked, have } = checkStored(db, results, 'kill');
		t0.diagnostic(summary(results, have));
		assertEarlyAcked(results, acked);
		const page = await browser(again).get('/articles/durable');
		assert.equal(countHeading(page.text), `${have.size} thoughts on “Durable”`);

		// Every client whose post failed sends it again with the same key.
		const retry = poster(again, t.csrf, b.cookieHeader(), 'kill');
		const failed = results.filter((r) => r.status !== 303);
		const retried = [];
		for (let k = 0; k < failed.length; k += BATCH) {
			retried.push(...await Promise.all(failed.slice(k, k + BATCH).map((r) => retry(r.i))));
		}
		retry.close();
		assert.deepEqual(retried.filter((r) => r.status !== 303).map((r) => `${r.i}: ${r.status} ${r.error || ''}`), []);
		// A retry of a post that was stored but never acknowledged names that comment.
		for (const r of retried) {
			const first = results[r.i];
			if (first.status === 303) continue;
			const id = Number(/#comment-(\d+)$/.exec(r.location)[1]);
			assert.equal(sql(db, `select body_md from comments where id = ${id}`)[0][0], r.body, `retry ${r.i} names its own comment`);
		}
		const final = stored(db);
		assert.equal(final.size, TOTAL, 'every post is stored after the retries');
		assert.deepEqual([...final.values()].filter((n) => n !== 1), [], 'no post stored twice');
		await stopClean(again);
	});

	// A reader who hangs up while the post waits for its commit: the post is
	// stored all the same, and the request no longer counts as waiting once
	// its connection is gone, so a stop has nothing left to wait for.
	test('readers who hang up while their posts commit: all stored, and a stop finds nothing left waiting', async () => {
		const { db } = scratch();
		addArticle(db, { slug: 'durable', title: 'Durable' });
		const srv = await startServer({ db, config: CONFIG });
		servers.push(srv);
		const b = browser(srv);
		const t = await openForm(b, 'durable');
		const { port } = new URL(srv.url);
		const N = 40;
		const hangUp = (i) => new Promise((resolve) => {
			const body = new URLSearchParams({ csrf: t.csrf, key: `gone-key-${i}`, author: 'Gone', email: 'gone@example.org', body: `durable gone comment ${i}` }).toString();
			const s = net.connect(Number(port), '127.0.0.1', () => {
				s.end(`POST /articles/durable/comments HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${b.cookieHeader()}\r\n` +
					`Content-Type: ${FORM_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, () => s.destroy());
			});
			s.on('close', resolve);
			s.on('error', resolve);
		});
		for (let k = 0; k < N; k += 20) await Promise.all(Array.from({ length: 20 }, (_, j) => hangUp(k + j)));
		// Every post reaches the database; wait for the last to commit.
		for (let tries = 0; stored(db).size < N && tries < 200; tries++) await new Promise((r) => setTimeout(r, 50));
		assert.equal(stored(db).size, N, 'posts whose readers hung up are stored');
		const exit = await srv.stop('SIGTERM');
		const { stderr } = srv.logs();
		assert.deepEqual(exit, { code: 0, sig: null }, `exit after SIGTERM; stderr:\n${stderr.slice(-2000)}`);
		assert.doesNotMatch(stderr, /still counted/, 'the stop waited for requests whose connections were gone');
	});
});
