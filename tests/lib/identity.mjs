// What the identity tests share: an SMTP sink (npm smtp-server), a real
// OpenID provider (npm oidc-provider), a scripted fake provider for the
// refusals and the OAuth 2 providers (node:http + node:crypto), and a
// cookie-keeping client that follows a sign-in across origins.  Every
// server listens on 127.0.0.1 only.
import { createServer } from 'node:http';
import { generateKeyPairSync, createSign, createHash, randomBytes } from 'node:crypto';
import { SMTPServer } from 'smtp-server';
import Provider from 'oidc-provider';
import { scratch, addArticle, startServer } from './server.mjs';

// ---------- SMTP sink ----------

// Decodes "=?UTF-8?B?...?=" words in a header.
function decodeWords(s) {
	return s.replace(/=\?UTF-8\?B\?([^?]*)\?=\s*/gi, (_, b) => Buffer.from(b, 'base64').toString('utf8'));
}

function parseMessage(raw, envelope) {
	const i = raw.indexOf('\r\n\r\n');
	const head = raw.slice(0, i).replace(/\r\n[ \t]+/g, ' ');
	const headers = {};
	for (const line of head.split('\r\n')) {
		const c = line.indexOf(':');
		headers[line.slice(0, c).toLowerCase()] = line.slice(c + 1).trim();
	}
	return {
		raw, headers, subject: decodeWords(headers.subject || ''),
		to: envelope.rcptTo.map((r) => r.address), from: envelope.mailFrom && envelope.mailFrom.address,
		text: raw.slice(i + 4).replace(/\r\n/g, '\n'),
	};
}

// An SMTP server that keeps what it receives; it refuses the first
// failFirst messages with a temporary error, to test retries.
export async function smtpSink({ failFirst = 0 } = {}) {
	const messages = [];
	const attempts = [];
	let failures = failFirst;
	const server = new SMTPServer({
		authOptional: true,
		disabledCommands: ['STARTTLS', 'AUTH'],
		logger: false,
		onData(stream, session, callback) {
			const chunks = [];
			stream.on('data', (d) => chunks.push(d));
			stream.on('end', () => {
				attempts.push(Date.now());
				if (failures > 0) {
					failures -= 1;
					const e = new Error('Try again later');
					e.responseCode = 451;
					callback(e);
					return;
				}
				messages.push(parseMessage(Buffer.concat(chunks).toString('utf8'), session.envelope));
				callback();
			});
		},
	});
	await new Promise((res) => server.listen(0, '127.0.0.1', res));
	const { port } = server.server.address();
	return {
		port,
		url: `smtp://127.0.0.1:${port}`,
		messages,
		attempts,
		// Resolves to the first message (after `from` messages) for which pred is true.
		async waitFor(pred, { timeoutMs = 15000 } = {}) {
			const end = Date.now() + timeoutMs;
			while (Date.now() < end) {
				const m = messages.find(pred);
				if (m) return m;
				await new Promise((r) => setTimeout(r, 50));
			}
			throw new Error(`no matching email within ${timeoutMs} ms; got: ${messages.map((m) => `${m.to} ${m.subject}`).join('; ')}`);
		},
		close: () => new Promise((res) => server.close(res)),
	};
}

// The first link to path in an email's text.
export function linkIn(message, path) {
	const m = new RegExp(`http://127\\.0\\.0\\.1:\\d+${path.replace(/[?]/g, '\\?')}\\?token=[A-Za-z0-9_-]+`).exec(message.text);
	if (!m) throw new Error(`no ${path} link in: ${message.text}`);
	return m[0];
}

// Opens an emailed link the way its reader does: the page only asks, and
// its button posts the token.  Resolves to the POST's answer, or to the
// page's when it offers no button (an expired link).
export async function useLink(a, link) {
	const page = await a.get(link);
	const action = /<form method="post" action="([^"]+)"/.exec(page.text);
	if (page.status !== 200 || !action) return page;
	const token = /name="token" value="([^"]*)"/.exec(page.text)[1];
	return a.post(action[1], { csrf: csrfOf(page.text), token });
}

// ---------- a cookie-keeping client ----------

// Keeps cookies per origin and follows nothing by itself.
export class Agent {
	constructor(base) { this.base = base; this.jars = new Map(); }
	jar(url) {
		const o = new URL(url).origin;
		if (!this.jars.has(o)) this.jars.set(o, new Map());
		return this.jars.get(o);
	}
	abs(url) { return /^https?:/.test(url) ? url : this.base + url; }
	cookie(name, url = this.base) { return this.jar(url).get(name); }
	setCookie(name, value, url = this.base) { this.jar(url).set(name, value); }
	remember(url, res) {
		const jar = this.jar(url);
		for (const c of res.headers.getSetCookie()) {
			const [pair] = c.split(';');
			const i = pair.indexOf('=');
			const name = pair.slice(0, i).trim(), value = pair.slice(i + 1);
			if (/Max-Age=0/i.test(c) || /expires=Thu, 01 Jan 1970/i.test(c)) jar.delete(name); else jar.set(name, value);
		}
	}
	async request(url, { method = 'GET', form, headers = {} } = {}) {
		const u = this.abs(url);
		const cookie = [...this.jar(u)].map(([k, v]) => `${k}=${v}`).join('; ');
		const res = await fetch(u, {
			method, redirect: 'manual',
			body: form ? new URLSearchParams(form) : undefined,
			headers: { cookie, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...headers },
		});
		this.remember(u, res);
		const text = await res.text();
		const loc = res.headers.get('location');
		return { res, status: res.status, text, location: loc ? new URL(loc, u).toString() : null };
	}
	get(url, opts) { return this.request(url, opts); }
	post(url, form, opts = {}) { return this.request(url, { ...opts, method: 'POST', form }); }
	// Follows redirects (each with this agent's cookies) until a page or stop(url) says so.
	async follow(url, { stop = () => false, max = 20 } = {}) {
		let r = await this.get(url);
		for (let i = 0; i < max && r.location && !stop(r.location); i++) r = await this.get(r.location);
		return r;
	}
}

export function csrfOf(html) {
	const m = /name="csrf" value="([^"]*)"/.exec(html);
	return m && m[1];
}

// ---------- Parley with identity ----------

// Config text for a Parley site that mails through smtp and has providers.
export function identityConfig({ smtp, policy = 'name_email', providers = '', extra = '' } = {}) {
	return `[comments]\npolicy = ${policy}\n[accounts]\nsignin_per_address = 1000\nsignin_per_account = 1000\nmail_per_address = 1000\nmail_per_recipient = 1000\n`
		+ (smtp ? `[mail]\nsmtp_url = ${smtp.url}\nfrom = parley@example.org\nretry_seconds = 1\n` : '')
		+ extra + providers;
}

// A scratch site with one article, started with config; { server, slug, db }.
export async function identitySite(config, { slug = 'identity-article', title = 'Identity Article' } = {}) {
	const s = scratch();
	addArticle(s.db, { slug, title });
	const server = await startServer({ db: s.db, config });
	return { server, slug, db: s.db };
}

// Signs up, verifies by the emailed link, signs in; resolves to the agent.
export async function signUpAndIn(server, smtp, { name, email, password = 'correct horse battery', next = '/' }) {
	const a = new Agent(server.url);
	let r = await a.get('/account/signup');
	r = await a.post('/account/signup', { csrf: csrfOf(r.text), name, email, password, next });
	if (r.status !== 200) throw new Error(`sign-up: ${r.status} ${r.text.slice(0, 300)}`);
	const mail = await smtp.waitFor((m) => m.to.includes(email) && /Confirm your email/.test(m.subject));
	r = await useLink(a, linkIn(mail, '/account/verify'));
	if (r.status !== 303) throw new Error(`verify: ${r.status}`);
	await signIn(a, email, password, next);
	return a;
}

export async function signIn(a, email, password, next = '/') {
	let r = await a.get('/account/signin');
	r = await a.post('/account/signin', { csrf: csrfOf(r.text), email, password, next });
	if (r.status !== 303) throw new Error(`sign-in: ${r.status} ${r.text.slice(0, 400)}`);
	return r;
}

// Posts a comment from agent a on slug; resolves to the response.
export async function comment(a, slug, body, fields = {}) {
	const page = await a.get(`/articles/${slug}`);
	const csrf = csrfOf(page.text);
	const key = (/name="key" value="([^"]*)"/.exec(page.text) || [])[1];
	return a.post(`/articles/${slug}/comments`, { csrf, key, body, parent: '', website_confirm: '', ...fields });
}

// ---------- a real OpenID provider (oidc-provider) ----------

// Starts an HTTP server for the provider first (its port makes the
// issuer); attach(parleyUrl, name) then configures the client for that
// Parley and starts answering.
export async function realProvider({ clientId = 'parley', clientSecret = 'parley-secret' } = {}) {
	let handler = (req, res) => { res.statusCode = 503; res.end(); };
	const server = createServer((req, res) => handler(req, res));
	await new Promise((r) => server.listen(0, '127.0.0.1', r));
	const issuer = `http://127.0.0.1:${server.address().port}`;
	const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
	const jwk = privateKey.export({ format: 'jwk' });
	return {
		issuer, clientId, clientSecret,
		attach(parleyUrl, name = 'local') {
			const provider = new Provider(issuer, {
				clients: [{
					client_id: clientId, client_secret: clientSecret,
					redirect_uris: [`${parleyUrl}/auth/${name}/callback`],
					grant_types: ['authorization_code'], response_types: ['code'],
					token_endpoint_auth_method: 'client_secret_basic',
				}],
				jwks: { keys: [{ ...jwk, kid: 'test-rsa', use: 'sig', alg: 'RS256' }] },
				pkce: { required: () => true },
				claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
				features: { devInteractions: { enabled: true } },
				async findAccount(ctx, sub) {
					return {
						accountId: sub,
						async claims() { return { sub, email: `${sub}@example.org`, email_verified: true, name: `External ${sub}` }; },
					};
				},
			});
			provider.on('server_error', (ctx, err) => { console.error('oidc-provider:', err); });
			handler = provider.callback();
			return provider;
		},
		close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
	};
}

// Drives oidc-provider's development login and consent pages with an
// agent: from Parley's start URL to the callback URL Parley gets back.
export async function providerLogin(a, startPath, login) {
	let r = await a.get(startPath);
	if (r.status !== 303) throw new Error(`start: ${r.status} ${r.text.slice(0, 300)}`);
	const parley = new URL(a.base).origin;
	r = await a.follow(r.location, { stop: (u) => new URL(u).origin === parley });
	for (let step = 0; step < 4 && !(r.location && new URL(r.location).origin === parley); step++) {
		const action = /<form[^>]*action="([^"]+)"/.exec(r.text);
		if (!action) throw new Error(`no form at the provider: ${r.status} ${r.text.slice(0, 500)}`);
		const prompt = /name="prompt" value="([^"]+)"/.exec(r.text)[1];
		const form = prompt === 'login' ? { prompt, login, password: 'any' } : { prompt };
		const url = new URL(action[1].replace(/&amp;/g, '&'), r.res.url || a.base).toString();
		r = await a.post(url, form);
		if (r.location && new URL(r.location).origin !== parley)
			r = await a.follow(r.location, { stop: (u) => new URL(u).origin === parley });
	}
	if (!r.location) throw new Error(`the provider did not send us back: ${r.status} ${r.text.slice(0, 400)}`);
	return r.location;
}

// ---------- a scripted provider, for refusals and OAuth 2 ----------

const b64u = (b) => Buffer.from(b).toString('base64url');

// An OpenID provider whose ID tokens the test shapes (mode), and GitHub-
// and WordPress.com-like OAuth 2 endpoints.  Codes are single-use.
export async function fakeProvider() {
	const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
	const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
	const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
	const pubRsa = { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa1', use: 'sig', alg: 'RS256' };
	const pubEc = { ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec1', use: 'sig', alg: 'ES256' };
	const codes = new Map();
	const state = { mode: 'good', alg: 'RS256', clientId: 'fake-client', user: { sub: 'fake-1', email: 'fake1@example.org', email_verified: true, name: 'Fake One' }, tokenCalls: 0 };
	let issuer;
	const server = createServer(async (req, res) => {
		const u = new URL(req.url, issuer);
		const send = (status, obj, headers = {}) => {
			res.writeHead(status, { 'content-type': 'application/json', ...headers });
			res.end(typeof obj === 'string' ? obj : JSON.stringify(obj));
		};
		let body = '';
		for await (const c of req) body += c;
		if (u.pathname === '/.well-known/openid-configuration') {
			return send(200, {
				issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`,
				jwks_uri: `${issuer}/jwks`, userinfo_endpoint: `${issuer}/userinfo`,
			});
		}
		if (u.pathname === '/jwks') return send(200, { keys: [pubRsa, pubEc] });
		if (u.pathname === '/authorize' || u.pathname === '/login/oauth/authorize') {
			const code = randomBytes(16).toString('hex');
			codes.set(code, {
				nonce: u.searchParams.get('nonce'), challenge: u.searchParams.get('code_challenge'),
				redirect: u.searchParams.get('redirect_uri'), clientId: u.searchParams.get('client_id'),
			});
			const to = new URL(u.searchParams.get('redirect_uri'));
			to.searchParams.set('code', code);
			to.searchParams.set('state', u.searchParams.get('state'));
			res.writeHead(302, { location: to.toString() });
			return res.end();
		}
		if (u.pathname === '/token' || u.pathname === '/login/oauth/access_token') {
			state.tokenCalls += 1;
			const f = new URLSearchParams(body);
			const c = codes.get(f.get('code'));
			codes.delete(f.get('code'));
			if (!c) return send(400, { error: 'invalid_grant' });
			const verifier = f.get('code_verifier') || '';
			if (createHash('sha256').update(verifier).digest('base64url') !== c.challenge)
				return send(400, { error: 'invalid_grant', error_description: 'PKCE' });
			if (f.get('redirect_uri') !== c.redirect) return send(400, { error: 'invalid_grant' });
			const out = { access_token: `at-${randomBytes(8).toString('hex')}`, token_type: 'Bearer' };
			if (u.pathname === '/token') out.id_token = idToken(c.nonce);
			return send(200, out);
		}
		const auth = req.headers.authorization || '';
		if (!auth.startsWith('Bearer at-')) return send(401, { error: 'invalid_token' });
		if (u.pathname === '/userinfo') return send(200, { sub: state.user.sub, email: state.user.email, email_verified: state.user.email_verified, name: state.user.name });
		if (u.pathname === '/user') return send(200, { id: 4242, login: 'octocat', name: state.user.name, email: null });
		if (u.pathname === '/user/emails') return send(200, [{ email: 'other@example.org', primary: false, verified: true }, { email: state.user.email, primary: true, verified: true }]);
		if (u.pathname === '/rest/v1/me') return send(200, { ID: 777, display_name: state.user.name, username: 'wpuser', email: state.user.email, email_verified: true });
		return send(404, { error: 'not_found' });
	});
	await new Promise((r) => server.listen(0, '127.0.0.1', r));
	issuer = `http://127.0.0.1:${server.address().port}`;

	function idToken(nonce) {
		const now = Math.floor(Date.now() / 1000);
		const m = state.mode;
		const claims = {
			iss: m === 'issuer' ? 'http://127.0.0.1:1' : issuer,
			sub: state.user.sub,
			aud: m === 'audience' ? 'someone-else' : state.clientId,
			exp: m === 'expired' ? now - 3600 : now + 600,
			iat: m === 'expired' ? now - 4200 : now,
			nonce: m === 'nonce' ? 'not-the-nonce' : nonce,
			email: state.user.email, email_verified: state.user.email_verified, name: state.user.name,
		};
		const alg = m === 'none' ? 'none' : state.alg;
		const kid = alg === 'ES256' ? 'ec1' : 'rsa1';
		const head = b64u(JSON.stringify({ alg, kid, typ: 'JWT' }));
		const body = b64u(JSON.stringify(claims));
		if (alg === 'none') return `${head}.${body}.`;
		const key = m === 'signature' ? stranger.privateKey : alg === 'ES256' ? ec.privateKey : rsa.privateKey;
		const signer = createSign('SHA256');
		signer.update(`${head}.${body}`);
		const sig = alg === 'ES256' ? signer.sign({ key, dsaEncoding: 'ieee-p1363' }) : signer.sign(key);
		return `${head}.${body}.${b64u(sig)}`;
	}
	return {
		get issuer() { return issuer; },
		state,
		close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
	};
}
