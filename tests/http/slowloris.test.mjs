// Slow clients against the connection budget ([server] header_timeout,
// body_min_rate, per_ip_connections, per_network_connections and the
// reserve kept under max_connections).  Loopback addresses (127.0.N.M)
// stand in for readers of different networks; every client is a raw socket.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, stopClean } from './util.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A raw connection from localAddress; resolves once connected to
// { socket, data, closed, openedAt, closedAt, firstByteAt }.
function connect(srv, localAddress) {
	const { hostname, port } = new URL(srv.url);
	return new Promise((resolve, reject) => {
		const socket = net.connect({ host: hostname, port: Number(port), localAddress });
		const c = { socket, data: '', closed: false, openedAt: 0, closedAt: 0, firstByteAt: 0 };
		socket.setEncoding('latin1');
		socket.on('data', (d) => { c.data += d; });
		socket.on('close', () => { c.closed = true; c.closedAt = Date.now(); });
		socket.on('error', () => {});
		socket.once('connect', () => { c.openedAt = Date.now(); resolve(c); });
		socket.once('error', reject);
	});
}

function send(c, bytes) {
	if (c.closed) return;
	if (!c.firstByteAt) c.firstByteAt = Date.now();
	c.socket.write(bytes);
}

// Waits until c is closed or has a status line; 'closed', the status, or 'silent'.
async function outcome(c, waitMs) {
	const end = Date.now() + waitMs;
	while (Date.now() < end) {
		const m = /^HTTP\/1\.1 (\d{3})/.exec(c.data);
		if (m) return Number(m[1]);
		if (c.closed) return 'closed';
		await sleep(10);
	}
	return 'silent';
}

// One request on a connection of its own from localAddress; resolves to
// { status, ms } (status 0: no answer within waitMs).
async function timedGet(srv, localAddress, path, waitMs = 3000) {
	const t0 = Date.now();
	let c;
	try {
		c = await Promise.race([connect(srv, localAddress), sleep(waitMs).then(() => null)]);
	} catch {
		return { status: 0, ms: Date.now() - t0 };
	}
	if (!c) return { status: 0, ms: Date.now() - t0 };
	send(c, `GET ${path} HTTP/1.1\r\nHost: parley.test\r\nConnection: close\r\n\r\n`);
	const r = await outcome(c, waitMs - (Date.now() - t0));
	c.socket.destroy();
	return { status: typeof r === 'number' ? r : 0, ms: Date.now() - t0 };
}

test('slowloris: slow heads from 30 addresses in 3 networks are cut at header_timeout, and a reader is answered within a second throughout', async () => {
	const PER_NETWORK = 24;
	const srv = await startServer({
		config: `[server]\nmax_connections = 64\nper_ip_connections = 4\nper_network_connections = ${PER_NETWORK}\nheader_timeout = 2\ntimeout = 30\naccess_log = false\n`,
	});
	const ATTACK_MS = 9000;
	const attackers = [];
	for (const n of [1, 2, 3]) for (let m = 1; m <= 10; m++) attackers.push(`127.0.${n}.${m}`);
	const all = []; // every attacking connection
	let attacking = true;

	// Each slot keeps one slow connection open: the request line, then a
	// header line every 400 ms, never the blank line; a new one when cut.
	async function slot(addr) {
		while (attacking) {
			let c;
			try { c = await connect(srv, addr); } catch { await sleep(100); continue; }
			all.push(c);
			send(c, 'GET /healthz HTTP/1.1\r\nHost: parley.test\r\n');
			while (attacking && !c.closed) {
				await sleep(400);
				send(c, `X-Slow-${Math.floor(Math.random() * 1e6)}: a\r\n`);
			}
			if (c.closed) await sleep(100);
		}
	}
	const slots = [];
	try {
		for (const addr of attackers) for (let i = 0; i < 4; i++) slots.push(slot(addr));

		// The networks' open connections, sampled from the attackers' side:
		// a connection still open 300 ms after it was made is held.
		const maxHeld = new Map();
		const sampler = (async () => {
			while (attacking) {
				await sleep(500);
				const now = Date.now();
				const held = new Map();
				for (const c of all) {
					if (c.closed || now - c.openedAt < 300) continue;
					const netw = c.socket.localAddress.split('.').slice(0, 3).join('.');
					held.set(netw, (held.get(netw) || 0) + 1);
				}
				for (const [k, v] of held) maxHeld.set(k, Math.max(maxHeld.get(k) || 0, v));
			}
		})();

		// A reader from another network, every 300 ms while the attack lasts.
		await sleep(1000);
		const answers = [];
		const end = Date.now() + ATTACK_MS - 1000;
		while (Date.now() < end) {
			answers.push(await timedGet(srv, '127.0.9.1', '/healthz'));
			await sleep(300);
		}
		attacking = false;
		await sampler;
		const now = Date.now();

		assert.ok(answers.length >= 15, `the reader asked ${answers.length} times`);
		const slow = answers.filter((a) => a.status !== 200 || a.ms > 1000);
		assert.deepEqual(slow, [], `every request of the reader answered 200 within 1 s: ${JSON.stringify(answers)}`);

		// No slow head lives much past header_timeout after its first byte.
		const lives = all.map((c) => (c.closed ? c.closedAt : now) - (c.firstByteAt || c.openedAt));
		const longest = Math.max(...lives);
		assert.ok(longest < 4000, `the longest slow head lived ${longest} ms (header_timeout = 2 s)`);
		assert.ok(all.every((c) => c.data === ''), 'no slow head was answered');
		for (const [netw, held] of maxHeld) {
			assert.ok(held <= PER_NETWORK, `${netw}.0/24 held ${held} connections at once (limit ${PER_NETWORK})`);
		}
	} finally {
		attacking = false;
		await Promise.all(slots);
		for (const c of all) c.socket.destroy();
		await stopClean(srv);
	}
});

test('header_timeout: a head sent slowly is cut from its first byte; an idle connection is kept until timeout', async () => {
	const srv = await startServer({ config: '[server]\nheader_timeout = 1\ntimeout = 30\n' });
	const conns = [];
	try {
		const idle = await connect(srv, '127.0.0.1');
		const slow = await connect(srv, '127.0.0.1');
		conns.push(idle, slow);
		// The slow one starts after a quiet second: the deadline counts
		// from its first byte, not from the connection.
		await sleep(1200);
		send(slow, 'GET /healthz HTTP/1.1\r\n');
		const t0 = Date.now();
		while (!slow.closed && Date.now() - t0 < 4000) {
			await sleep(200);
			send(slow, 'X-Slow: a\r\n');
		}
		assert.ok(slow.closed, 'the slow head is cut');
		const lived = slow.closedAt - t0;
		assert.ok(lived >= 900 && lived < 2800, `cut ${lived} ms after its first byte (header_timeout = 1 s)`);
		assert.equal(slow.data, '', 'nothing is answered on it');

		assert.equal(idle.closed, false, 'the idle connection is kept');
		send(idle, 'GET /healthz HTTP/1.1\r\nHost: parley.test\r\n\r\n');
		assert.equal(await outcome(idle, 3000), 200, 'and serves a request sent at once');
	} finally {
		for (const c of conns) c.socket.destroy();
		await stopClean(srv);
	}
});

test('body_min_rate: a body trickling below the rate is cut; one at the rate is answered', async () => {
	const srv = await startServer({ config: '[server]\nheader_timeout = 1\nbody_min_rate = 1000\n' });
	const conns = [];
	const head = (len) => `POST /account/signin HTTP/1.1\r\nHost: parley.test\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${len}\r\n\r\n`;
	try {
		// 200 bytes a second, of 100,000.
		const slow = await connect(srv, '127.0.0.1');
		conns.push(slow);
		send(slow, head(100000));
		const t0 = Date.now();
		while (!slow.closed && Date.now() - t0 < 5000) {
			send(slow, 'a'.repeat(100));
			await sleep(500);
		}
		assert.ok(slow.closed, 'the trickling body is cut');
		assert.ok(slow.closedAt - t0 < 3500, `cut after ${slow.closedAt - t0} ms`);
		assert.equal(slow.data, '', 'nothing is answered on it');

		// 3,000 bytes a second for 2 s: above the rate, so it is read whole.
		const steady = await connect(srv, '127.0.0.2');
		conns.push(steady);
		send(steady, head(6000));
		for (let i = 0; i < 20; i++) {
			await sleep(100);
			send(steady, 'b'.repeat(300));
		}
		const status = await outcome(steady, 3000);
		assert.equal(typeof status, 'number', `the steady body is answered (${status})`);
	} finally {
		for (const c of conns) c.socket.destroy();
		await stopClean(srv);
	}
});

test('per_network_connections: an IPv4 /24 is limited as a whole; another network is not', async () => {
	const srv = await startServer({ config: '[server]\nper_ip_connections = 2\nper_network_connections = 3\n' });
	const conns = [];
	const ask = async (c) => {
		c.data = '';
		send(c, 'GET /healthz HTTP/1.1\r\nHost: parley.test\r\n\r\n');
		return outcome(c, 3000);
	};
	try {
		for (const addr of ['127.0.5.1', '127.0.5.1', '127.0.5.2']) {
			const c = await connect(srv, addr);
			conns.push(c);
			assert.equal(await ask(c), 200, `a connection from ${addr}`);
		}
		const over = await connect(srv, '127.0.5.3');
		conns.push(over);
		assert.equal(await ask(over), 'closed', 'a fourth from 127.0.5.0/24 is closed');
		assert.equal(over.data, '');
		const other = await connect(srv, '127.0.6.1');
		conns.push(other);
		assert.equal(await ask(other), 200, 'a connection from 127.0.6.0/24');
		conns[0].socket.destroy();
		await sleep(300);
		const again = await connect(srv, '127.0.5.3');
		conns.push(again);
		assert.equal(await ask(again), 200, 'room again once one closed');
	} finally {
		for (const c of conns) c.socket.destroy();
		await stopClean(srv);
	}
});
