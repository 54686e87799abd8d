// Typed inputs and the view contract.  Every route declares the fields its
// handler reads (`parley routes` prints them); the router refuses a missing
// required field or a malformed one before the handler runs, in the
// route's own envelope (an HTML page, or JSON for a route that answers
// JSON), and changes nothing.  Page and comment numbers, and the ids in
// paths, go through one parser.  The test servers run in checked mode
// (PARLEY_CHECK_VIEWS=1), where a view that disagrees with its template
// fails the page instead of rendering "".
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addArticle, scratch, startServer } from '../lib/server.mjs';
import { request, stopClean } from './util.mjs';
import { addUsers, dump, routeTable, signedIn, userId } from './routetable.mjs';

const CONFIG = '[accounts]\nsignin_per_address = 1000\nsignin_per_account = 1000\nmail_per_address = 1000\nmail_per_recipient = 1000\n';

describe('the route table declares every field', () => {
	test('each "*" of a pattern is a declared path field, in order', () => {
		for (const r of routeTable()) {
			const stars = r.pattern.split('/').filter((p) => p === '*').length;
			const paths = r.fields.filter((f) => f.path);
			assert.equal(paths.length, stars, `${r.method} ${r.pattern}: one path field a "*"`);
		}
	});

	test('kinds are the four the router knows; ids and numbers where the handlers read numbers', () => {
		const table = routeTable();
		for (const r of table) for (const f of r.fields) assert.ok(['text', 'raw', 'int', 'id'].includes(f.kind), `${r.pattern} ${f.name}: ${f.kind}`);
		const field = (method, pattern, name) => table.find((r) => r.method === method && r.pattern === pattern).fields.find((f) => f.name === name);
		assert.equal(field('GET', '/', 'page').kind, 'int');
		assert.equal(field('GET', '/users/*', 'id').kind, 'id');
		assert.equal(field('GET', '/comments/*', 'id').kind, 'id');
		assert.deepEqual(field('POST', '/admin/users/role', 'id'), { name: 'id', kind: 'id', required: true, path: false, own: false });
		assert.equal(field('POST', '/admin/users/disable', 'disabled').kind, 'int');
		// A comment form refused field by field keeps the reader's text:
		// its fields are the handler's to explain.
		assert.ok(field('POST', '/articles/*/comments', 'body').own);
		assert.ok(field('POST', '/account/signup', 'name').own);
	});
});

describe('page numbers, comment numbers and ids', () => {
	let srv;
	before(async () => {
		const { db } = scratch();
		addArticle(db, { slug: 'numbers' });
		srv = await startServer({ db });
	});
	after(() => stopClean(srv));

	test('a page number that is not one is refused with 400 and says so', async () => {
		for (const q of ['abc', '0', '01', '-1', '+1', '1.0', '1000000000', '%201']) {
			for (const path of [`/?page=${q}`, `/articles/numbers?cpage=${q}`]) {
				const res = await request(srv, path);
				assert.equal(res.status, 400, path);
				assert.match(res.headers.get('content-type'), /text\/html/, path);
				assert.match(await res.text(), /That page number is not a number\./, path);
			}
		}
		const res = await request(srv, '/articles/numbers?replytocom=1x');
		assert.equal(res.status, 400);
		assert.match(await res.text(), /That comment number is not a number\./);
	});

	test('page 1 and no page are the same page; a page past the end is 404', async () => {
		assert.equal((await request(srv, '/?page=1')).status, 200);
		assert.equal((await request(srv, '/articles/numbers?cpage=1')).status, 200);
		assert.equal((await request(srv, '/?page=999999999')).status, 404);
	});

	test('an id in a path that is not one names nothing: 404', async () => {
		for (const id of ['abc', '0', '007', '-3', '1x', '99999999999999999999']) {
			assert.equal((await request(srv, `/users/${id}`)).status, 404, `/users/${id}`);
			assert.equal((await request(srv, `/comments/${id}`)).status, 404, `/comments/${id}`);
		}
	});
});

describe('refusals in the route\'s envelope', () => {
	let srv;
	before(async () => { srv = await startServer({ db: scratch().db }); });
	after(() => stopClean(srv));

	test('a route that answers JSON refuses in JSON', async () => {
		const res = await request(srv, '/healthz', { method: 'POST' });
		assert.equal(res.status, 405);
		assert.equal(res.headers.get('allow'), 'GET, HEAD');
		assert.match(res.headers.get('content-type'), /^application\/json/);
		assert.deepEqual(await res.json(), { error: { status: 405, message: 'This address does not take that method.' } });
		const ok = await request(srv, '/healthz');
		assert.equal(ok.status, 200);
		assert.equal((await ok.text()).trim(), 'ok');
	});

	test('an HTML route refuses with an HTML page', async () => {
		const res = await request(srv, '/debates', { method: 'POST' });
		assert.equal(res.status, 405);
		assert.match(res.headers.get('content-type'), /^text\/html/);
		assert.match(await res.text(), /does not take that method/);
	});
});

describe('the admin forms: a missing or malformed field is 422, and nothing changes', () => {
	let srv, admin, readerId;
	before(async () => {
		const { db } = scratch();
		addUsers(db, [['root@example.org', 'Root', 'admin'], ['ann@example.org', 'Ann', 'reader']]);
		readerId = userId(db, 'ann@example.org');
		srv = await startServer({ db, config: CONFIG });
		admin = await signedIn(srv, 'root@example.org');
	});
	after(() => stopClean(srv));

	async function refused(path, fields, message) {
		const r0 = await admin.get('/admin/users');
		const csrf = /name="csrf" value="([^"]*)"/.exec(r0.text)[1];
		const before = dump(srv.db);
		const r = await admin.post(path, { csrf, ...fields });
		assert.equal(r.status, 422, `${path} ${JSON.stringify(fields)}: ${r.text.slice(0, 200)}`);
		assert.ok(r.text.includes(message), `${path}: ${message}`);
		assert.equal(dump(srv.db), before, `${path} ${JSON.stringify(fields)} changed nothing`);
	}

	test('role: id and role are required, the id is an id', async () => {
		const msg = 'Choose a user and a role.';
		await refused('/admin/users/role', { role: 'editor' }, msg);
		await refused('/admin/users/role', { id: String(readerId) }, msg);
		for (const id of ['', '0', 'abc', `0${readerId}`, `${readerId} `, '-1'])
			await refused('/admin/users/role', { id, role: 'editor' }, msg);
		await refused('/admin/users/role', { id: String(readerId), role: 'emperor' }, msg);
	});

	test('disable: id and a flag of 0 or 1', async () => {
		const msg = 'Choose a user.';
		await refused('/admin/users/disable', { disabled: '1' }, msg);
		for (const disabled of ['', '2', '01', 'yes', '-0'])
			await refused('/admin/users/disable', { id: String(readerId), disabled }, msg);
		await refused('/admin/users/disable', { id: 'x', disabled: '1' }, msg);
	});

	test('the same forms with good values do their work', async () => {
		const r0 = await admin.get('/admin/users');
		const csrf = /name="csrf" value="([^"]*)"/.exec(r0.text)[1];
		let r = await admin.post('/admin/users/role', { csrf, id: String(readerId), role: 'editor' });
		assert.equal(r.status, 303);
		r = await admin.post('/admin/users/disable', { csrf, id: String(readerId), disabled: '1' });
		assert.equal(r.status, 303);
		const page = await admin.get('/admin/users');
		assert.match(page.text, /Ann/);
	});
});

describe('the view contract (checked mode)', () => {
	// A site folder whose home page reads a value no view puts.
	function badTemplates() {
		const { dir } = scratch();
		const tdir = join(dir, 'templates');
		mkdirSync(tdir);
		writeFileSync(join(tdir, 'error.html'), '<!doctype html><title>{{page_title}}</title><p>{{nobody_puts_this}}</p>\n');
		return `[site]\ntemplates = ${tdir}\n`;
	}

	async function notRendered(env) {
		const srv = await startServer({ db: scratch().db, config: badTemplates(), env });
		try {
			const res = await request(srv, '/no-such-page');
			assert.notEqual(res.status, 404, 'the page did not render');
			// The log line may reach the pipe a moment after the answer.
			const why = /view contract: error\.html: reads a value the view does not put: "nobody_puts_this"/;
			for (let i = 0; i < 50 && !why.test(srv.logs().stderr); i++) await new Promise((r) => setTimeout(r, 20));
			assert.match(srv.logs().stderr, why);
		} finally {
			await stopClean(srv);
		}
	}

	test('in checked mode a template reading a value its view does not put fails the page', async () => {
		await notRendered({ PARLEY_CHECK_VIEWS: '1' });
	});

	test('test servers run in checked mode unless told otherwise', { skip: process.env.PARLEY_CHECK_VIEWS !== undefined }, async () => {
		await notRendered({});
	});

	test('outside checked mode the same page renders, the value as ""', async () => {
		const srv = await startServer({ db: scratch().db, config: badTemplates(), env: { PARLEY_CHECK_VIEWS: '' } });
		try {
			const res = await request(srv, '/no-such-page');
			assert.equal(res.status, 404);
			assert.match(await res.text(), /<p><\/p>/);
		} finally {
			await stopClean(srv);
		}
	});
});
