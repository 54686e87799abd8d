// What the route-table tests share (csrf.test.mjs, switches.test.mjs):
// the table as `parley routes` prints it, accounts of each role made with
// `parley user add`, signed-in agents, and a debate to point "*" at.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, isPostgres, parley, pgTool, scratch } from '../lib/server.mjs';
import { sql } from './util.mjs';
import { Agent, csrfOf } from '../lib/identity.mjs';

export const PASSWORD = 'a long enough pass phrase 42';

// The route table: [{ method, pattern, flags: Set, role, fields }], role
// being the least role the route asks for, or null; fields the declared
// fields, [{ name, kind, required, path, own }].
export function routeTable() {
	const r = parley(['routes']);
	assert.equal(r.status, 0, `parley routes: ${r.stderr}`);
	const rows = r.stdout.split('\n').filter((l) => l.trim() !== '').map((line) => {
		const [method, pattern, flags, declared, ...rest] = line.trim().split(/\s+/);
		assert.equal(rest.length, 0, `a route line of four columns: ${line}`);
		const set = new Set(flags === '-' ? [] : flags.split(','));
		const role = ['moderator', 'editor', 'admin'].find((x) => set.has(x)) || null;
		const fields = declared === '-' ? [] : declared.split(',').map((f) => {
			const [name, kind, marks = ''] = f.split(':');
			return { name, kind, required: marks.includes('r'), path: marks.includes('p'), own: marks.includes('o') };
		});
		return { method, pattern, flags: set, role, fields };
	});
	assert.ok(rows.length > 10, 'the table lists the routes');
	return rows;
}

// Adds accounts with the CLI (password on stdin): [[email, name, role]].
export function addUsers(db, users) {
	for (const [email, name, role] of users) {
		const r = spawnSync(BIN, ['user', 'add', email, name, role, '--db', db], { input: `${PASSWORD}\n`, encoding: 'utf8' });
		assert.equal(r.status, 0, `user add ${email}: ${r.stderr}`);
	}
}

// The id of the account with that email.
export function userId(db, email) {
	const rows = sql(db, `SELECT id FROM users WHERE email = '${email}'`);
	return rows.length ? rows[0][0] : '';
}

// A new agent signed in as email; its cookies carry a session from now on.
export async function signedIn(server, email, password = PASSWORD) {
	const a = new Agent(server.url);
	let r = await a.get('/account/signin');
	r = await a.post('/account/signin', { csrf: csrfOf(r.text), email, password });
	assert.equal(r.status, 303, `sign in as ${email}: ${r.text.slice(0, 300)}`);
	return a;
}

// Everything the database holds, as text, to see that nothing changed.
// On PostgreSQL the rows only (pg_dump --data-only) without the sequences'
// positions (a refused insert may take a number, which changes no row)
// and without the random key of pg_dump's \restrict lines.
export function dump(db) {
	const r = isPostgres(db)
		? spawnSync(pgTool('pg_dump'), ['--data-only', '--no-owner', '--inserts', '-d', db], { encoding: 'utf8' })
		: spawnSync('sqlite3', [db, '.dump'], { encoding: 'utf8' });
	assert.equal(r.status, 0, r.stderr);
	return isPostgres(db) ? r.stdout.split('\n').filter((l) => !/setval\(|^\\(un)?restrict /.test(l)).join('\n') : r.stdout;
}

// A form token for agent a, read from a page every visitor may load.
export async function tokenOf(a) {
	const r = await a.get('/account/signin');
	const t = csrfOf(r.text);
	assert.ok(t, 'the sign-in page carries a token');
	return t;
}

// Adds an open debate with one speaker's statements; returns its slug.
export function addDebate(db, slug) {
	const { dir } = scratch();
	const file = join(dir, `${slug}.txt`);
	writeFileSync(file, `motion: Should the night ferry run?\nslug: ${slug}\nmoderator: Mira Host\n`
		+ 'side a: Run it\nside b: Stop it\nstatus: open\n\n[introduction]\nThe ferry question.\n\n'
		+ '[speaker]\nname: Ola Night\nside: a\nbio: Runs a bakery.\n\n[opening]\nNight workers need it.\n\n'
		+ '[speaker]\nname: Per Day\nside: b\nbio: Sits on the board.\n\n[opening]\nCrews need rest.\n');
	const r = parley(['debate', 'add', file, '--db', db]);
	assert.equal(r.status, 0, `debate add: ${r.stderr}`);
	return slug;
}

// The path of a pattern with each "*" filled from values by the segment
// before it ("articles" -> values.articles); fails for a "*" it cannot fill,
// so a new kind of route asks for its fixture.
export function fillPattern(pattern, values) {
	const parts = pattern.split('/');
	return parts.map((p, i) => {
		if (p !== '*') return p;
		const v = values[parts[i - 1]];
		assert.ok(v !== undefined, `no fixture for "*" after /${parts[i - 1]}/ in ${pattern}`);
		return encodeURIComponent(v);
	}).join('/');
}
