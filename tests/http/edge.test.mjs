// The HTTP edge seen from raw sockets: a body's length said two ways is
// refused and the connection closed (no request smuggled behind it), a
// trusted proxy is limited by the readers it carries, the access log names
// the reader, and a stopping server leaves no kept-alive request unanswered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, stopClean } from './util.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A raw connection; resolves once connected to { socket, data, closed }.
function connect(srv, localAddress = '127.0.0.1') {
	const { hostname, port } = new URL(srv.url);
	return new Promise((resolve, reject) => {
		const socket = net.connect({ host: hostname, port: Number(port), localAddress });
		const c = { socket, data: '', closed: false };
		socket.setEncoding('latin1');
		socket.on('data', (d) => { c.data += d; });
		socket.on('close', () => { c.closed = true; });
		socket.on('error', () => {});
		socket.once('connect', () => resolve(c));
		socket.once('error', reject);
	});
}

async function until(cond, waitMs = 3000) {
	const end = Date.now() + waitMs;
	while (Date.now() < end && !cond()) await sleep(10);
	return cond();
}

// The responses in what a connection received: [{ status, headers }].
function responses(raw) {
	const out = [];
	const re = /HTTP\/1\.1 (\d{3})[^\r]*\r\n([\s\S]*?)\r\n\r\n/g;
	let m;
	while ((m = re.exec(raw))) {
		const headers = {};
		for (const l of m[2].split('\r\n')) {
			const i = l.indexOf(':');
			if (i > 0) headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
		}
		out.push({ status: Number(m[1]), headers });
	}
	return out;
}

// Sends bytes on a new connection and waits for the server to close it;
// resolves to { closed, answers }.
async function sendAll(srv, bytes, localAddress) {
	const c = await connect(srv, localAddress);
	c.socket.write(bytes);
	const closed = await until(() => c.closed, 3000);
	await sleep(200); // anything a smuggled request would have added
	c.socket.destroy();
	return { closed, answers: responses(c.data) };
}

function assertOurHeaders(h, what) {
	assert.match(h['content-security-policy'] || '', /script-src 'self'/, `${what}: Content-Security-Policy`);
	assert.equal(h['x-content-type-options'], 'nosniff', `${what}: X-Content-Type-Options`);
	assert.ok(h['referrer-policy'], `${what}: Referrer-Policy`);
	assert.equal(h['x-frame-options'], 'DENY', `${what}: X-Frame-Options`);
}

const SMUGGLED = 'GET /healthz HTTP/1.1\r\nHost: parley.test\r\n\r\n';
const POST = 'POST /account/signin HTTP/1.1\r\nHost: parley.test\r\nContent-Type: application/x-www-form-urlencoded\r\n';

test('framing: Content-Length with Transfer-Encoding, two Content-Lengths, or an encoding but chunked get 400 and a closed connection', async () => {
	const srv = await startServer();
	try {
		const cases = [
			['Content-Length and chunked', `${POST}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`],
			['chunked, then Content-Length', `${POST}Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n${SMUGGLED}`],
			['two Content-Lengths that differ', `${POST}Content-Length: 3\r\nContent-Length: 48\r\n\r\na=1${SMUGGLED}`],
			['two equal Content-Lengths', `${POST}Content-Length: 3\r\nContent-Length: 3\r\n\r\na=1${SMUGGLED}`],
			['two Transfer-Encodings', `${POST}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`],
			['an encoding other than chunked', `${POST}Transfer-Encoding: gzip\r\n\r\n0\r\n\r\n${SMUGGLED}`],
		];
		for (const [what, bytes] of cases) {
			const r = await sendAll(srv, bytes);
			assert.equal(r.answers.length, 1, `${what}: one answer, none for the request behind it: ${JSON.stringify(r.answers)}`);
			assert.equal(r.answers[0].status, 400, what);
			assert.equal(r.answers[0].headers.connection, 'close', `${what}: Connection: close`);
			assertOurHeaders(r.answers[0].headers, what);
			assert.ok(r.closed, `${what}: the connection is closed`);
		}
		// Each way alone is fine: the request is read and answered, and
		// the next one on the connection too.
		for (const [what, framing, body] of [
			['chunked alone', 'Transfer-Encoding: chunked\r\n', '3\r\na=1\r\n0\r\n\r\n'],
			['Content-Length alone', 'Content-Length: 3\r\n', 'a=1'],
		]) {
			const c = await connect(srv);
			c.socket.write(`${POST}${framing}\r\n${body}${SMUGGLED}`);
			await until(() => responses(c.data).length === 2);
			const answers = responses(c.data);
			c.socket.destroy();
			assert.equal(answers.length, 2, `${what}: both requests answered`);
			assert.notEqual(answers[0].status, 400, what);
			assert.equal(answers[1].status, 200, `${what}: the next request`);
		}
	} finally {
		await stopClean(srv);
	}
});

// Opens a connection from the proxy and sends a request for reader (its
// X-Forwarded-For) whose body is announced and never sent: it stays in
// progress, counted against the reader, until the connection closes.
async function held(srv, reader) {
	const c = await connect(srv);
	c.socket.write(`${POST}X-Forwarded-For: ${reader}\r\nContent-Length: 100\r\n\r\na=`);
	await sleep(100);
	return c;
}

async function proxied(c, reader) {
	c.data = '';
	c.socket.write(`GET /healthz HTTP/1.1\r\nHost: parley.test\r\nX-Forwarded-For: ${reader}\r\n\r\n`);
	await until(() => responses(c.data).length > 0 || c.closed);
	return { closed: c.closed, answer: responses(c.data)[0] };
}

test('trusted proxy: its connections are limited by the readers it carries, and a reader over the limit gets 503', async () => {
	const srv = await startServer({ config: '[server]\ntrusted_proxies = 127.0.0.1\nper_ip_connections = 2\nper_network_connections = 50\n' });
	const conns = [];
	try {
		// Six connections from the proxy, for six readers: all served.
		for (let i = 1; i <= 6; i++) {
			const c = await connect(srv);
			conns.push(c);
			const r = await proxied(c, `203.0.113.${i}`);
			assert.equal(r.answer && r.answer.status, 200, `proxy connection ${i}`);
		}
		for (const c of conns) assert.equal((await proxied(c, '203.0.113.99')).answer.status, 200, 'each still serves');

		// One reader with two requests in progress: a third gets 503.
		conns.push(await held(srv, '198.51.100.7'), await held(srv, '198.51.100.7'));
		const third = await connect(srv);
		conns.push(third);
		const r = await proxied(third, '198.51.100.7');
		assert.equal(r.answer && r.answer.status, 503, 'the reader\'s third request at once');
		assert.equal(r.answer.headers['retry-after'], '1');
		assert.equal(r.answer.headers.connection, 'close');
		assertOurHeaders(r.answer.headers, 'the 503');
		const other = await connect(srv);
		conns.push(other);
		assert.equal((await proxied(other, '198.51.100.8')).answer.status, 200, 'another reader meanwhile');

		// One held request ends: the reader is served again.
		conns[6].socket.destroy();
		await sleep(200);
		const again = await connect(srv);
		conns.push(again);
		assert.equal((await proxied(again, '198.51.100.7')).answer.status, 200, 'once one request ended');
	} finally {
		for (const c of conns) c.socket.destroy();
		await stopClean(srv);
	}
});

test('access log: each line names the client address, the proxied one only behind a trusted proxy', async () => {
	const srv = await startServer({ config: '[server]\ntrusted_proxies = 127.0.0.1\n' });
	try {
		const asks = [
			['127.0.0.7', '', '127.0.0.7'],
			['127.0.0.1', 'X-Forwarded-For: 203.0.113.9\r\n', '203.0.113.9'],
			['127.0.0.8', 'X-Forwarded-For: 203.0.113.10\r\n', '127.0.0.8'],
		];
		for (const [from, xff, logged] of asks) {
			const path = `/nowhere-from-${from}`;
			const r = await sendAll(srv, `GET ${path} HTTP/1.1\r\nHost: parley.test\r\n${xff}Connection: close\r\n\r\n`, from);
			assert.equal(r.answers[0].status, 404);
			const line = () => srv.logs().stdout.split('\n').find((l) => l.includes(path));
			assert.ok(await until(() => line() !== undefined), `a log line for ${path}`);
			assert.match(line(), new RegExp(`^\\S+ ${logged.replace(/\./g, '\\.')} "GET `), `logged as ${logged}: ${line()}`);
		}
	} finally {
		await stopClean(srv);
	}
});

test('stop: idle kept-alive connections are closed at once; a request begun is answered with Connection: close', async () => {
	const srv = await startServer({ config: '[server]\nheader_timeout = 10\n' });
	let exited;
	const conns = [];
	try {
		// An idle kept-alive connection, a request whose body is still
		// coming (so the stop drains), and a head still coming.
		const idle = await connect(srv);
		conns.push(idle);
		idle.socket.write(SMUGGLED);
		assert.ok(await until(() => responses(idle.data).length === 1), 'the idle connection served once');
		idle.data = '';
		const body = await connect(srv);
		conns.push(body);
		body.socket.write(`${POST}Content-Length: 6\r\n\r\na=`);
		const head = await connect(srv);
		conns.push(head);
		head.socket.write('GET /healthz HTTP/1.1\r\n');
		await sleep(300);

		exited = srv.stop();
		assert.ok(await until(() => idle.closed, 1000), 'the idle connection is closed within a second');
		assert.equal(idle.data, '', 'with nothing sent on it');

		await sleep(300);
		head.socket.write('Host: parley.test\r\n\r\n');
		body.socket.write('1234');
		for (const [what, c] of [['the head begun before the stop', head], ['the body begun before the stop', body]]) {
			assert.ok(await until(() => c.closed, 3000), `${what}: closed after its answer`);
			const answers = responses(c.data);
			assert.equal(answers.length, 1, `${what}: answered: ${JSON.stringify(c.data.slice(0, 200))}`);
			assert.equal(answers[0].headers.connection, 'close', `${what}: Connection: close`);
		}
		assert.equal(responses(head.data)[0].status, 200);
		const r = await exited;
		assert.equal(r.code, 0, `the server exits cleanly: ${srv.logs().stderr.slice(-2000)}`);
	} finally {
		for (const c of conns) c.socket.destroy();
		if (!exited) await stopClean(srv);
	}
});
