// The first-admin link that `parley serve` prints is for a site with no
// admin.  Once an admin exists, made by that link or from the command line,
// the link is void: before, after an admin was made with `parley user add
// ... admin`, the old link still made another admin, across restarts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parley, scratch, startServer, addArticle } from '../lib/server.mjs';
import { Agent, csrfOf } from '../lib/identity.mjs';
import { sql, stopClean } from './util.mjs';

const PASSWORD = 'a long enough pass phrase 42';

async function setupLink(server) {
	for (let i = 0; i < 100; i++) {
		const m = /create the first one at (http:\/\/\S+\/account\/setup\?token=([A-Za-z0-9_-]+))/.exec(server.logs().stderr);
		if (m) return { link: m[1], token: m[2] };
		await new Promise((res) => setTimeout(res, 20));
	}
	return null;
}

function admins(db) {
	return Number(sql(db, "SELECT count(*) FROM users WHERE role = 'admin'")[0][0]);
}

test('an admin made from the command line voids the setup link, across restarts', async () => {
	const { db } = scratch();
	addArticle(db, {});
	let server = await startServer({ db });
	let form;
	try {
		const setup = await setupLink(server);
		assert.ok(setup, server.logs().stderr);
		const a = new Agent(server.url);
		const r = await a.get(setup.link);
		assert.equal(r.status, 200, 'the link works while there is no admin');
		form = { token: setup.token, name: 'Second Admin', email: 'second@example.org', password: PASSWORD };
		form.link = setup.link;
		form.csrfPage = r.text;

		const u = parley(['user', 'add', 'first@example.org', 'First Admin', 'admin', '--db', db], { input: `${PASSWORD}\n` });
		assert.equal(u.status, 0, u.stderr);
		assert.equal(admins(db), 1);

		assert.equal((await a.get(setup.link)).status, 404, 'the form is no longer offered');
		const { link, csrfPage, ...fields } = form;
		const p = await a.post('/account/setup', { csrf: csrfOf(csrfPage), ...fields });
		assert.equal(p.status, 404, 'the link no longer makes an admin');
		assert.equal(admins(db), 1);
	} finally {
		await stopClean(server);
	}

	server = await startServer({ db });
	try {
		await new Promise((res) => setTimeout(res, 200));
		assert.doesNotMatch(server.logs().stderr, /create the first one/, 'no new link: an admin exists');
		const a = new Agent(server.url);
		const old = new URL(form.link);
		assert.equal((await a.get(`${old.pathname}${old.search}`)).status, 404, 'still void after a restart');
		const page = await a.get('/account/signin');
		const { link, csrfPage, ...fields } = form;
		const p = await a.post('/account/setup', { csrf: csrfOf(page.text), ...fields });
		assert.equal(p.status, 404);
		assert.equal(admins(db), 1);
		assert.deepEqual(sql(db, "SELECT count(*) FROM users WHERE email = 'second@example.org'"), [['0']]);
	} finally {
		await stopClean(server);
	}
});

test('the link is void for good once an admin existed, even with none left', async () => {
	const { db } = scratch();
	addArticle(db, {});
	const server = await startServer({ db });
	try {
		const setup = await setupLink(server);
		assert.ok(setup, server.logs().stderr);
		const u = parley(['user', 'add', 'first@example.org', 'First Admin', 'admin', '--db', db], { input: `${PASSWORD}\n` });
		assert.equal(u.status, 0, u.stderr);
		const a = new Agent(server.url);
		assert.equal((await a.get(setup.link)).status, 404);
		// The admin goes (as a mistaken edit of the database would do it).
		sql(db, "UPDATE users SET role = 'reader' WHERE email = 'first@example.org'");
		assert.equal(admins(db), 0);
		assert.equal((await a.get(setup.link)).status, 404, 'the link was spent when it was refused');
	} finally {
		await stopClean(server);
	}
});
