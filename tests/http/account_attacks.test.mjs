// Attacks on accounts, each replayed against the server: taking over an
// account through an address nobody confirmed, locking an owner out with
// wrong passwords, mail sent to anyone as fast as asked, password hashes
// that hold server threads, staff listed through profiles, names that
// turn text around, avatars that tell whether a commenter used an
// address, and external sign-ins that each write a row.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, csrfOf, fakeProvider, linkIn, smtpSink, useLink } from '../lib/identity.mjs';
import { addArticle, parley, scratch, startServer } from '../lib/server.mjs';
import { comments, formTokens, sql, stopClean, unique } from './util.mjs';

const PASSWORD = 'correct horse battery';
const GENEROUS = 'signin_per_address = 1000\nsignin_per_account = 1000\nmail_per_address = 1000\nmail_per_recipient = 1000\n';

// A scratch site with one article; config is the whole file.
async function siteWith(config) {
	const s = scratch();
	const slug = addArticle(s.db, { slug: 'attacks', title: 'Attacks' });
	const server = await startServer({ db: s.db, config });
	return { server, db: s.db, slug };
}

// A confirmed account made with the CLI; returns its email.
function account(db, { name = 'Olga Owner', role = 'reader' } = {}) {
	const email = `${unique('o')}@example.org`;
	const r = parley(['user', 'add', email, name, role, '--db', db], { input: `${PASSWORD}\n` });
	assert.equal(r.status, 0, r.stderr);
	return email;
}

// An agent whose requests come from ip (the server trusts 127.0.0.1 as
// its proxy in these tests).
function from(agent, ip) {
	return {
		agent,
		get: (url) => agent.get(url, { headers: { 'x-forwarded-for': ip } }),
		post: (url, form) => agent.post(url, form, { headers: { 'x-forwarded-for': ip } }),
	};
}

async function signInFrom(who, email, password = PASSWORD) {
	const page = await who.get('/account/signin');
	return who.post('/account/signin', { csrf: csrfOf(page.text), email, password, next: '/' });
}

async function signOut(a) {
	const page = await a.get('/account/signout');
	return a.post('/account/signout', { csrf: csrfOf(page.text), next: '/' });
}

describe('taking over an account through an address nobody confirmed', () => {
	test('an external sign-in with a verified email claims the unconfirmed account: no link is offered, the stranger\'s password is gone', async () => {
		const smtp = await smtpSink();
		const fake = await fakeProvider();
		const providers = `[oidc.fake]\nissuer = ${fake.issuer}\nclient_id = fake-client\nclient_secret = fake-secret\n`;
		const site = await siteWith(`[mail]\nsmtp_url = ${smtp.url}\nfrom = parley@example.org\n${providers}`);
		try {
			// The attacker signs up with the victim's address and a password of theirs.
			const attacker = new Agent(site.server.url);
			let r = await attacker.get('/account/signup');
			r = await attacker.post('/account/signup', { csrf: csrfOf(r.text), name: 'Not The Victim', email: 'victim@example.org', password: 'attacker password' });
			assert.equal(r.status, 200);
			const verifyMail = await smtp.waitFor((m) => m.to.includes('victim@example.org') && /Confirm your email/.test(m.subject));
			assert.doesNotMatch(verifyMail.text, /Not The Victim/, 'a name nobody proved is not mailed');
			// The victim signs in with a provider that vouches for the address.
			fake.state.user = { sub: 'victim-ext', email: 'victim@example.org', email_verified: true, name: 'Real Victim' };
			const victim = new Agent(site.server.url);
			const start = await victim.get('/auth/fake/start');
			r = await victim.get((await victim.get(start.location)).location);
			assert.equal(r.status, 303, `signed in at once, not offered a link: ${r.status} ${r.text.slice(0, 200)}`);
			assert.doesNotMatch(r.text, /Check your email/);
			assert.deepEqual(sql(site.db, "SELECT u.password_hash, u.email_verified, i.subject FROM users u JOIN identities i ON i.user_id = u.id WHERE u.email = 'victim@example.org'"),
				[['', '1', 'victim-ext']]);
			await smtp.waitFor((m) => m.to.includes('victim@example.org') && /is now yours/.test(m.text));
			// The verification link, used now, gives the attacker nothing.
			await useLink(attacker, linkIn(verifyMail, '/account/verify'));
			r = await signInFrom(attacker, 'victim@example.org', 'attacker password');
			assert.equal(r.status, 403, 'the attacker\'s password no longer signs in');
			assert.equal(sql(site.db, "SELECT count(*) FROM users WHERE email = 'victim@example.org'")[0][0], '1');
		} finally {
			await stopClean(site.server);
			await smtp.close();
			await fake.close();
		}
	});

	test('opening an emailed link changes nothing: only its page\'s button (a POST) confirms', async () => {
		const smtp = await smtpSink();
		const site = await siteWith(`[mail]\nsmtp_url = ${smtp.url}\nfrom = parley@example.org\n`);
		try {
			const a = new Agent(site.server.url);
			let r = await a.get('/account/signup');
			r = await a.post('/account/signup', { csrf: csrfOf(r.text), name: 'Scanned', email: 'scanned@example.org', password: PASSWORD });
			const link = linkIn(await smtp.waitFor((m) => m.to.includes('scanned@example.org')), '/account/verify');
			// A mail scanner fetches the link, twice, without cookies.
			for (let i = 0; i < 2; i++) {
				const res = await fetch(link, { redirect: 'manual' });
				assert.equal(res.status, 200);
				assert.match(await res.text(), /<form method="post" action="\/account\/verify"/);
			}
			assert.deepEqual(sql(site.db, "SELECT email_verified FROM users WHERE email = 'scanned@example.org'"), [['0']]);
			r = await useLink(a, link);
			assert.equal(r.status, 303);
			assert.deepEqual(sql(site.db, "SELECT email_verified FROM users WHERE email = 'scanned@example.org'"), [['1']]);
		} finally {
			await stopClean(site.server);
			await smtp.close();
		}
	});
});

describe('locking an owner out with wrong passwords', () => {
	const CONFIG = '[server]\ntrusted_proxies = 127.0.0.1\n[accounts]\nsignin_per_address = 1000\nsignin_per_account = 5\n';

	test('successful sign-ins spend no allowance', async () => {
		const site = await siteWith(CONFIG);
		try {
			const email = account(site.db);
			const owner = from(new Agent(site.server.url), '198.51.100.7');
			const codes = [];
			for (let i = 0; i < 8; i++) {
				codes.push((await signInFrom(owner, email)).status);
				await signOut(owner);
			}
			assert.deepEqual(codes, Array(8).fill(303));
		} finally {
			await stopClean(site.server);
		}
	});

	test('another address\'s failures wait with backoff; the owner elsewhere, their own browser and reset are not held up', async () => {
		const site = await siteWith(CONFIG);
		try {
			const email = account(site.db);
			// The owner signed in once from this browser: it is known.
			const ownerAgent = new Agent(site.server.url);
			const owner = from(ownerAgent, '198.51.100.7');
			assert.equal((await signInFrom(owner, email)).status, 303);
			assert.ok(ownerAgent.cookie('parley_d'), 'a known-device mark');
			await signOut(owner);

			const attacker = from(new Agent(site.server.url), '203.0.113.5');
			const codes = [];
			let retry = 0;
			for (let i = 0; i < 8; i++) {
				const r = await signInFrom(attacker, email, `guess ${i}`);
				codes.push(r.status);
				if (r.status === 429 && !retry) retry = Number(r.res.headers.get('retry-after'));
			}
			assert.deepEqual(codes.slice(0, 5), [403, 403, 403, 403, 403]);
			assert.equal(codes[5], 429);
			assert.ok(retry >= 1 && retry <= 4, `a short wait, not a lockout: Retry-After ${retry}`);

			// The owner from another address, in a fresh browser, with the right password.
			assert.equal((await signInFrom(from(new Agent(site.server.url), '198.51.100.8'), email)).status, 303);
			// A reset is never held up by failed sign-ins, from either address.
			for (const ip of ['203.0.113.5', '198.51.100.7']) {
				const who = from(new Agent(site.server.url), ip);
				const page = await who.get('/account/reset');
				assert.equal((await who.post('/account/reset', { csrf: csrfOf(page.text), email })).status, 200, ip);
			}

			// Failures from many addresses make every unknown browser wait...
			for (let i = 10; i < 40; i++)
				await signInFrom(from(new Agent(site.server.url), `203.0.113.${i}`), email, 'spread guess');
			assert.equal((await signInFrom(from(new Agent(site.server.url), '198.51.100.99'), email)).status, 429);
			// ...but not the browser the owner signed in from before.
			assert.equal((await signInFrom(owner, email)).status, 303);
		} finally {
			await stopClean(site.server);
		}
	});
});

describe('mail to anyone, passwords tried without end', () => {
	test('the email change sends within budgets per address and account, without the name the account chose', async () => {
		const smtp = await smtpSink();
		const site = await siteWith(`[accounts]\nsignin_per_address = 1000\nsignin_per_account = 1000\nmail_per_address = 3\nmail_per_recipient = 3\n[mail]\nsmtp_url = ${smtp.url}\nfrom = parley@example.org\n`);
		try {
			const email = account(site.db, { name: 'Cheap pills at spam dot example' });
			const a = new Agent(site.server.url);
			let r;
			assert.equal((await signInFrom(a, email)).status, 303);
			const csrf = csrfOf((await a.get('/account/settings')).text);
			const codes = [];
			for (let i = 0; i < 8; i++)
				codes.push((await a.post('/account/settings/email', { csrf, email: `target${i}@example.net`, password: PASSWORD })).status);
			assert.deepEqual(codes, [303, 303, 303, 429, 429, 429, 429, 429]);
			await smtp.waitFor((m) => m.to.includes('target2@example.net'));
			await new Promise((r) => setTimeout(r, 300));
			const sent = smtp.messages.filter((m) => /target\d@example\.net/.test(m.to.join()));
			assert.equal(sent.length, 3);
			for (const m of sent) assert.doesNotMatch(m.text, /Cheap pills|spam dot example/);
			// The network's budget is spent, whoever asks and for whom.
			const other = new Agent(site.server.url);
			const page = await other.get('/account/reset');
			r = await other.post('/account/reset', { csrf: csrfOf(page.text), email: 'fresh@example.net' });
			assert.equal(r.status, 429);
		} finally {
			await stopClean(site.server);
			await smtp.close();
		}
	});

	test('wrong passwords for deletion and password changes wait, per account', async () => {
		const site = await siteWith('[accounts]\nsignin_per_address = 1000\nsignin_per_account = 3\n');
		try {
			const email = account(site.db);
			const a = new Agent(site.server.url);
			assert.equal((await signInFrom(a, email)).status, 303);
			const csrf = csrfOf((await a.get('/account/settings')).text);
			const codes = [];
			for (let i = 0; i < 3; i++)
				codes.push((await a.post('/account/delete', { csrf, password: `wrong ${i}`, confirm: 'delete' })).status);
			codes.push((await a.post('/account/settings/password', { csrf, current: 'wrong again', password: 'a new password' })).status);
			assert.deepEqual(codes, [403, 403, 403, 429]);
			assert.equal(sql(site.db, `SELECT count(*) FROM users WHERE email = '${email}'`)[0][0], '1');
		} finally {
			await stopClean(site.server);
		}
	});

	test('password hashes wait on the hash workers: a full queue is 503 at once', async () => {
		const site = await siteWith(`[server]\nthreads = 2\nhash_workers = 1\nhash_queue = 2\n[accounts]\n${GENEROUS}`);
		try {
			const a = new Agent(site.server.url);
			const csrf = csrfOf((await a.get('/account/signin')).text);
			const tries = Array.from({ length: 12 }, (_, i) => a.post('/account/signin', { csrf, email: `nobody${i}@example.org`, password: 'wrong password' }));
			const results = await Promise.all(tries);
			const busy = results.filter((r) => r.status === 503);
			assert.ok(busy.length >= 1, `some refused at once: ${results.map((r) => r.status)}`);
			assert.ok(busy.every((r) => r.res.headers.get('retry-after')));
			assert.ok(results.every((r) => r.status === 503 || r.status === 403), `${results.map((r) => r.status)}`);
		} finally {
			await stopClean(site.server);
		}
	});

	test('password checks hold no server thread: the health check does not wait for them', async () => {
		const wide = await siteWith('[server]\nthreads = 2\n[accounts]\nsignin_per_address = 1000\n');
		try {
			const a = new Agent(wide.server.url);
			const csrf = csrfOf((await a.get('/account/signin')).text);
			// The second round runs on connections the first opened, spread
			// over both server threads, as a busy site's are.
			let at = -1;
			for (let round = 0; round < 2; round++) {
				const order = [];
				const tries = Array.from({ length: 16 }, (_, i) => a.post('/account/signin', { csrf, email: `nobody${i}@example.org`, password: 'wrong password' })
					.then((r) => { order.push('signin'); return r; }));
				await new Promise((r) => setTimeout(r, 20));
				const res = await fetch(`${wide.server.url}/healthz`);
				await res.text();
				order.push('health');
				assert.equal(res.status, 200);
				await Promise.all(tries);
				at = order.indexOf('health');
			}
			assert.ok(at <= 1, `the health check waited for ${at} password checks`);
		} finally {
			await stopClean(wide.server);
		}
	});
});

describe('profiles, names and avatars', () => {
	test('only confirmed accounts have profiles, and staff roles are shown only when the site says so', async () => {
		const smtp = await smtpSink();
		const site = await siteWith(`[mail]\nsmtp_url = ${smtp.url}\nfrom = parley@example.org\n`);
		try {
			const a = new Agent(site.server.url);
			let r = await a.get('/account/signup');
			await a.post('/account/signup', { csrf: csrfOf(r.text), name: 'Unconfirmed Uma', email: 'uma@example.org', password: PASSWORD });
			const [[uid]] = sql(site.db, "SELECT id FROM users WHERE email = 'uma@example.org'");
			r = await a.get(`/users/${uid}`);
			assert.equal(r.status, 404);
			assert.doesNotMatch(r.text, /Unconfirmed Uma/);
			const mod = account(site.db, { name: 'Moderating Mo', role: 'moderator' });
			const [[mid]] = sql(site.db, `SELECT id FROM users WHERE email = '${mod}'`);
			r = await a.get(`/users/${mid}`);
			assert.equal(r.status, 200);
			assert.match(r.text, /Moderating Mo/);
			assert.doesNotMatch(r.text, /moderator/);
		} finally {
			await stopClean(site.server);
			await smtp.close();
		}
		const shown = await siteWith('[accounts]\nprofile_roles = true\n');
		try {
			const mod = account(shown.db, { name: 'Proud Mod', role: 'moderator' });
			const [[mid]] = sql(shown.db, `SELECT id FROM users WHERE email = '${mod}'`);
			assert.match((await new Agent(shown.server.url).get(`/users/${mid}`)).text, /· moderator/);
		} finally {
			await stopClean(shown.server);
		}
	});

	test('names lose the characters that turn text around, for accounts and anonymous commenters', async () => {
		const site = await siteWith('');
		try {
			const controls = ['\u202E', '\u202A', '\u202B', '\u202C', '\u202D', '\u2066', '\u2067', '\u2068', '\u2069', '\u200E', '\u200F', '\u061C'];
			const a = new Agent(site.server.url);
			let r = await a.get('/account/signup');
			await a.post('/account/signup', { csrf: csrfOf(r.text), name: `Eve${controls.join('')}gnp.exe`, email: 'eve@example.org', password: PASSWORD });
			assert.deepEqual(sql(site.db, "SELECT name FROM users WHERE email = 'eve@example.org'"), [['Evegnp.exe']]);
			const t = formTokens((await a.get(`/articles/${site.slug}`)).text);
			r = await a.post(`/articles/${site.slug}/comments`, { csrf: t.csrf, key: t.key, author: `\u2067Mallory\u202Egro.elpmaxe`, email: 'm@example.org', body: 'Bidi test.', parent: '', website_confirm: '' });
			assert.equal(r.status, 303);
			assert.deepEqual(sql(site.db, "SELECT author FROM comments WHERE body_md = 'Bidi test.'"), [['Mallorygro.elpmaxe']]);
		} finally {
			await stopClean(site.server);
		}
	});

	test('an anonymous avatar is keyed by the posting browser: a guessed email tells nothing', async () => {
		const site = await siteWith('');
		try {
			const post = async (a, body) => {
				const t = formTokens((await a.get(`/articles/${site.slug}`)).text);
				const r = await a.post(`/articles/${site.slug}/comments`, { csrf: t.csrf, key: t.key, author: 'Someone', email: 'secret@example.org', body, parent: '', website_confirm: '' });
				assert.equal(r.status, 303);
			};
			const commenter = new Agent(site.server.url);
			const prober = new Agent(site.server.url);
			await post(commenter, 'First from the commenter.');
			await post(commenter, 'Second from the commenter.');
			await post(prober, 'A probe with the same email.');
			const avatar = (body) => sql(site.db, `SELECT avatar FROM comments WHERE body_md = '${body}'`)[0][0];
			assert.equal(avatar('First from the commenter.'), avatar('Second from the commenter.'), 'one browser, one avatar');
			assert.notEqual(avatar('A probe with the same email.'), avatar('First from the commenter.'));
			const page = await commenter.get(`/articles/${site.slug}`);
			assert.equal(comments(page.text).length, 3);
		} finally {
			await stopClean(site.server);
		}
	});
});

describe('external sign-ins begun', () => {
	test('are limited per address, so a flood writes few rows', async () => {
		const fake = await fakeProvider();
		const site = await siteWith(`[accounts]\n${GENEROUS}external_per_address = 5\n[oidc.fake]\nissuer = ${fake.issuer}\nclient_id = fake-client\nclient_secret = fake-secret\n`);
		try {
			const codes = [];
			for (let i = 0; i < 12; i++) {
				const res = await fetch(`${site.server.url}/auth/fake/start`, { redirect: 'manual' });
				await res.arrayBuffer();
				codes.push(res.status);
			}
			assert.deepEqual(codes, [...Array(5).fill(303), ...Array(7).fill(429)]);
			assert.equal(sql(site.db, "SELECT count(*) FROM user_tokens WHERE purpose = 'oidc'")[0][0], '5');
		} finally {
			await stopClean(site.server);
			await fake.close();
		}
	});
});
