// A sign-in provider that accepts connections and never answers: the rest
// of the site keeps answering, and the provider's own button says it is
// unavailable at once instead of holding a server thread per reader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { scratch, startServer } from '../lib/server.mjs';
import { stopClean } from './util.mjs';

// A TCP server that takes every connection and says nothing.
async function silentServer() {
	const sockets = new Set();
	const server = net.createServer((s) => { sockets.add(s); s.on('error', () => {}); });
	await new Promise((r) => server.listen(0, '127.0.0.1', r));
	return {
		url: `http://127.0.0.1:${server.address().port}`,
		sockets,
		close() { for (const s of sockets) s.destroy(); server.close(); },
	};
}

const timed = async (p) => {
	const t0 = Date.now();
	const r = await p;
	return { ...r, ms: Date.now() - t0 };
};

test('a provider that never answers: the site answers, and its button fails fast', async (t) => {
	const silent = await silentServer();
	const srv = await startServer({
		db: scratch().db,
		config: `[server]\nthreads = 1\naccess_log = false\n[accounts]\nexternal_per_address = 1000\n[oidc.stuck]\nissuer = ${silent.url}\nclient_id = c\nclient_secret = s\n`,
	});
	t.after(async () => { silent.close(); await stopClean(srv); });
	const get = (path) => timed(fetch(`${srv.url}${path}`, { redirect: 'manual' })
		.then(async (res) => ({ status: res.status, text: await res.text() })));

	// One server thread. 48 readers press the button at once: one fetch goes out, the rest
	// are told at once, and no server thread waits on the provider but one.
	const starts = Array.from({ length: 48 }, () => get('/auth/stuck/start'));
	await new Promise((r) => setTimeout(r, 300));
	for (const path of ['/healthz', '/', '/account/signin']) {
		const r = await get(path);
		assert.equal(r.status, 200, path);
		assert.ok(r.ms < 1000, `${path} answered in ${r.ms} ms`);
	}
	const settled = await Promise.race([
		Promise.all(starts.map((p) => p.then((r) => r))),
		new Promise((r) => setTimeout(() => r(null), 3000)),
	]);
	// All but the one fetching have answered within three seconds.
	const answered = [];
	for (const p of starts) {
		const r = await Promise.race([p, new Promise((res) => setTimeout(() => res(null), 10))]);
		if (r) answered.push(r);
	}
	assert.ok(settled !== undefined);
	assert.ok(answered.length >= 47, `${answered.length} of 48 answered within 3 s`);
	for (const r of answered) {
		assert.equal(r.status, 502);
		assert.match(r.text, /stuck cannot be reached just now/);
	}
	assert.ok(silent.sockets.size <= 1, `${silent.sockets.size} connections to the provider, not one per reader`);
});
