// A debate's vote panel is kept once for every reader who sees the same one
// (the same votes, the same schedule, not an editor) and copied with each
// reader's own token (web/part_memo.c).  Whatever panel other readers were
// shown, each reader gets their own: their votes checked, their token (it
// is accepted), the message after their vote, and the editor's form for an
// editor only.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Browser, formTokens, parley, scratch, startServer, stopClean, unique, newDebate } from './util.mjs';

const PASSWORD = 'a long enough pass phrase 42';

let srv;
before(async () => {
	// Every vote comes from 127.0.0.1: the limits leave room for them all.
	srv = await startServer({
		db: scratch().db,
		config: '[server]\naccess_log = false\n[debates]\nvotes_per_minute = 100000\nvotes_burst = 100000\nvotes_per_hour = 100000\n',
	});
});
after(() => stopClean(srv));

function panel(html) {
	const m = /<section id="vote"[\s\S]*?<\/section>/.exec(html);
	assert.ok(m, 'the page has a vote panel');
	return m[0];
}

// A reader who has opened the debate, and votes.
async function reader(slug) {
	const br = new Browser(srv.url);
	const { res, text } = await br.get(`/debates/${slug}`);
	assert.equal(res.status, 200);
	br.csrf = formTokens(panel(text)).csrf;
	return br;
}

async function vote(br, slug, choice) {
	const r = await br.post(`/debates/${slug}/vote`, { csrf: br.csrf, phase: 'pre', choice });
	assert.equal(r.res.status, 303, r.text.slice(0, 300));
	return r.res.headers.get('location');
}

// The reader's panel on the page without a message.
async function shown(br, slug) {
	const { res, text } = await br.get(`/debates/${slug}`);
	assert.equal(res.status, 200);
	return panel(text);
}

const checked = (p) => [...p.matchAll(/name="choice" value="(\w+)" checked/g)].map((m) => m[1]);

describe('the vote panel kept for readers who see the same one', () => {
	test('readers who voted alike get the same panel, each with their own token', async () => {
		const slug = newDebate(srv);
		const ann = await reader(slug), bob = await reader(slug);
		await vote(ann, slug, 'a');
		await vote(bob, slug, 'a');
		const pa = await shown(ann, slug), pb = await shown(bob, slug);
		assert.notEqual(ann.csrf, bob.csrf);
		assert.equal(formTokens(pa).csrf, ann.csrf);
		assert.equal(formTokens(pb).csrf, bob.csrf);
		assert.equal(pa.split(ann.csrf).join('T'), pb.split(bob.csrf).join('T'), 'the rest is the same');
		assert.ok(!pb.includes(ann.csrf), 'no trace of the other reader\'s token');
		// The copied token is accepted: the vote changes.
		await vote(bob, slug, 'b');
		assert.deepEqual(checked(await shown(bob, slug)), ['b']);
	});

	test('each reader sees their own votes, whatever panel was kept before', async () => {
		const slug = newDebate(srv);
		const a = await reader(slug), b = await reader(slug), none = await reader(slug);
		await vote(a, slug, 'a');
		for (let i = 0; i < 2; i++) assert.deepEqual(checked(await shown(a, slug)), ['a']);
		await vote(b, slug, 'b');
		assert.deepEqual(checked(await shown(b, slug)), ['b']);
		const p = await shown(none, slug);
		assert.deepEqual(checked(p), []);
		assert.doesNotMatch(p, /You voted/);
		assert.deepEqual(checked(await shown(a, slug)), ['a']);
	});

	test('the message after a vote is the voter\'s alone', async () => {
		const slug = newDebate(srv);
		const a = await reader(slug), b = await reader(slug);
		await vote(b, slug, 'a');
		await shown(b, slug); // the panel of an "a" voter, kept
		const location = await vote(a, slug, 'a');
		const { text } = await a.get(location.replace(/#.*/, ''));
		assert.match(panel(text), /Your vote before the debate is counted\./);
		assert.doesNotMatch(await shown(b, slug), /is counted/);
		assert.doesNotMatch(await shown(a, slug), /is counted/);
	});

	test('an editor gets the editors\' form, a reader who voted alike does not', async () => {
		const slug = newDebate(srv);
		const email = `${unique('ed')}@example.org`;
		const u = parley(['user', 'add', email, 'Edith Editor', 'editor', '--db', srv.db], { input: `${PASSWORD}\n` });
		assert.equal(u.status, 0, u.stderr);
		const ed = new Browser(srv.url);
		const signin = await ed.get('/account/signin');
		const s = await ed.post('/account/signin', { csrf: formTokens(signin.text).csrf, email, password: PASSWORD, next: '/' });
		assert.equal(s.res.status, 303);
		const plain = await reader(slug);
		assert.doesNotMatch(await shown(plain, slug), /id="feature-form"/);
		assert.match(await shown(ed, slug), /id="feature-form"/);
		assert.doesNotMatch(await shown(plain, slug), /id="feature-form"/);
	});
});
