// The connection limits and the idle timeout of [server]: max_connections
// (and the reserve kept under it), per_ip_connections and timeout, seen
// from raw loopback sockets.  Other loopback addresses (127.0.0.2, ...)
// stand in for other readers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, stopClean } from './util.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Opens a raw connection from a loopback address; resolves once connected
// to { socket, data, closed, closedAt }.
function connect(srv, localAddress = '127.0.0.1') {
	const { hostname, port } = new URL(srv.url);
	return new Promise((resolve, reject) => {
		const socket = net.connect({ host: hostname, port: Number(port), localAddress });
		const c = { socket, data: '', closed: false, closedAt: 0 };
		socket.setEncoding('latin1');
		socket.on('data', (d) => { c.data += d; });
		socket.on('close', () => { c.closed = true; c.closedAt = Date.now(); });
		socket.on('error', () => {});
		socket.once('connect', () => resolve(c));
		socket.once('error', reject);
	});
}

// Sends one keep-alive request; resolves to its status line, 'closed' when
// the server closed the connection, or 'silent' when nothing came in waitMs.
async function ask(c, waitMs = 3000) {
	c.data = '';
	if (!c.closed) c.socket.write('GET /static/parley.css HTTP/1.1\r\nHost: parley.test\r\n\r\n');
	const end = Date.now() + waitMs;
	while (Date.now() < end) {
		const m = /^HTTP\/1\.1 \d{3}/.exec(c.data);
		// The whole response is in once the headers are; its body may trail.
		if (m && c.data.includes('\r\n\r\n')) return m[0];
		if (c.closed) return 'closed';
		await sleep(10);
	}
	return 'silent';
}

function closeAll(conns) {
	for (const c of conns) c.socket.destroy();
}

test('per_ip_connections: one connection over the limit from an address is closed unanswered; others work', async () => {
	const srv = await startServer({ config: '[server]\nper_ip_connections = 2\n' });
	const conns = [];
	try {
		// Each answered request proves the server holds that connection.
		for (let i = 0; i < 2; i++) {
			conns.push(await connect(srv));
			assert.equal(await ask(conns[i]), 'HTTP/1.1 200');
		}
		const extra = await connect(srv);
		conns.push(extra);
		assert.equal(await ask(extra), 'closed', 'the third connection from 127.0.0.1');
		assert.equal(extra.data, '', 'nothing is answered on it');

		// The two still work, and another address is not counted with them.
		for (const c of conns.slice(0, 2)) assert.equal(await ask(c), 'HTTP/1.1 200');
		const other = await connect(srv, '127.0.0.2');
		conns.push(other);
		assert.equal(await ask(other), 'HTTP/1.1 200', 'a connection from 127.0.0.2');

		// Closing one makes room for a new one from the same address.
		conns[0].socket.destroy();
		await sleep(300);
		const again = await connect(srv);
		conns.push(again);
		assert.equal(await ask(again), 'HTTP/1.1 200', 'a new connection once one closed');
	} finally {
		closeAll(conns);
		await stopClean(srv);
	}
});

test('max_connections: past the reserve, the connection that waited longest is closed so a new one is served', async () => {
	// 16 is the smallest limit allowed, with a reserve of 2 kept free;
	// four addresses of four keep the per-address limit out of the way.
	const srv = await startServer({ config: '[server]\nmax_connections = 16\nper_ip_connections = 4\n' });
	const conns = [];
	try {
		for (let i = 0; i < 14; i++) {
			const c = await connect(srv, `127.0.0.${1 + (i % 4)}`);
			conns.push(c);
			assert.equal(await ask(c), 'HTTP/1.1 200', `connection ${i + 1}`);
		}
		// 14 idle connections fill all but the reserve: each new one is
		// served, and the one idle longest (the first) is closed for it.
		for (const c of conns) c.data = '';
		const extra = await connect(srv, '127.0.0.5');
		conns.push(extra);
		assert.equal(await ask(extra), 'HTTP/1.1 200', 'the 15th connection is served at once');
		const end = Date.now() + 2000;
		while (Date.now() < end && !conns[0].closed) await sleep(20);
		assert.equal(conns[0].closed, true, 'the connection idle longest is closed');
		assert.equal(conns[0].data, '', 'with nothing sent on it');
		for (const c of conns.slice(1, 14)) assert.equal(c.closed, false, 'the others are kept');
		for (const c of conns.slice(1)) assert.equal(await ask(c), 'HTTP/1.1 200');
	} finally {
		closeAll(conns);
		await stopClean(srv);
	}
});

test('timeout: an idle connection is closed after about that many seconds, not before', async () => {
	const srv = await startServer({ config: '[server]\ntimeout = 2\n' });
	const conns = [];
	try {
		// One connection never sends a byte; one goes idle after a request.
		const silent = await connect(srv);
		const t0 = Date.now();
		conns.push(silent);
		const served = await connect(srv);
		conns.push(served);
		assert.equal(await ask(served), 'HTTP/1.1 200');
		const t1 = Date.now();

		await sleep(1500);
		assert.equal(silent.closed, false, 'still open after 1.5 s');
		assert.equal(served.closed, false, 'still open 1.5 s after its answer');
		const end = Date.now() + 3000;
		while (Date.now() < end && !(silent.closed && served.closed)) await sleep(20);
		assert.ok(silent.closed && silent.closedAt - t0 <= 3000,
			`the silent connection closes within 3 s (${silent.closed ? silent.closedAt - t0 : 'open'})`);
		assert.ok(served.closed && served.closedAt - t1 <= 3000,
			`the idle connection closes within 3 s of its answer (${served.closed ? served.closedAt - t1 : 'open'})`);
	} finally {
		closeAll(conns);
		await stopClean(srv);
	}
});
