// Helpers shared by the HTTP tests: sites with articles, the comment form,
// raw requests, and the checks every page must pass (headers, no injected
// markup).  The server itself is started by tests/lib/server.mjs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { Browser, formTokens, isPostgres, parley, pgTool, scratch, startServer } from '../lib/server.mjs';

export * from '../lib/server.mjs';

export const FORM_TYPE = 'application/x-www-form-urlencoded';

// Adds articles (each as addArticle() takes them) with one `parley post add`.
export function addArticles(db, articles) {
	const { dir } = scratch();
	const files = articles.map(({ title = 'Test Article', slug = 'test-article', body = 'Body text.', extra = '' }, i) => {
		const file = join(dir, `${i}-${slug}.md`);
		const date = /^date:/m.test(extra) ? '' : 'date: 2026-11-01 10:00\n';
		writeFileSync(file, `---\ntitle: ${title}\nslug: ${slug}\nauthor: Test Author\n${date}${extra}---\n${body}\n`);
		return file;
	});
	const r = parley(['post', 'add', ...files, '--db', db]);
	if (r.status !== 0) throw new Error(`post add failed: ${r.stderr}`);
}

// A scratch database with the given articles and a server on it.
export async function site({ articles = [{}], config } = {}) {
	const s = scratch();
	if (articles.length) addArticles(s.db, articles);
	return startServer({ db: s.db, config });
}

// Stops a server with SIGTERM; fails unless it exits 0 (a sanitizer report,
// a leak or a crash at exit shows here, with the end of its stderr).
export async function stopClean(srv) {
	const r = await srv.stop();
	if (r.code !== 0) {
		throw new Error(`the server exited ${JSON.stringify(r)}; its stderr ends:\n${srv.logs().stderr.slice(-4000)}`);
	}
}

// Waits until the server has noticed the commits other processes (the
// CLI) made: it looks every 250 ms and then drops every cached page, so a
// test that counts on a page staying cached waits this out first.
export function othersNoticed() {
	return new Promise((res) => setTimeout(res, 400));
}

// Runs SQL on a database with the sqlite3 shell, or psql for a PostgreSQL
// URI; returns its rows as arrays of strings (NULL as '').  A server sees
// another process's writes to SQLite by itself; on PostgreSQL a change
// other than a query then sends the change event Parley's own writes send
// (src/store/pg.c), as another node would.
export function sql(db, query) {
	const notify = /^\s*(select|with)\b/i.test(query) ? [] : ['-c', "SELECT pg_notify('parley_changes', 'tests')"];
	const r = isPostgres(db)
		? spawnSync(pgTool('psql'), ['-X', '-q', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', db, '-c', query, ...notify], { encoding: 'utf8' })
		: spawnSync('sqlite3', ['-separator', '\t', db, query], { encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`${isPostgres(db) ? 'psql' : 'sqlite3'} failed: ${r.stderr}`);
	return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

// Whether Parley has made its database at db: the file (SQLite), or its
// schema in the database (PostgreSQL, where the test made the database).
export function databaseMade(db) {
	if (!isPostgres(db)) return existsSync(db);
	return sql(db, "SELECT to_regclass('parley_schema') IS NOT NULL")[0][0] === 't';
}

// Loads a page that carries the comment form; resolves to { res, text, csrf, key }.
export async function openForm(browser, slug, query = '') {
	const { res, text } = await browser.get(`/articles/${slug}${query}`);
	assert.equal(res.status, 200, `GET /articles/${slug}${query}`);
	return { res, text, ...formTokens(text) };
}

let serial = 0;

// A unique, harmless text, for bodies the tests look for later.
export function unique(prefix = 'note') {
	serial += 1;
	return `${prefix}-${process.pid}-${Date.now().toString(36)}-${serial}`;
}

// Adds an article with a unique slug (unless one is given) to a running
// server's database, which the server reads at once; returns the slug.
// Each test makes its own this way, so it can run alone.
export function newArticle(srv, { title = 'Test Article', slug = unique('a'), body = 'Body text.', extra = '' } = {}) {
	addArticles(srv.db, [{ title, slug, body, extra }]);
	return slug;
}

// Adds an open debate (sides "Run it" and "Stop it", one speaker each)
// with a unique slug to a running server's database; returns the slug.
// extra goes into the file's header (e.g. "comments: closed\n").
export function newDebate(srv, { motion = 'Should the ferry run at night?', extra = '' } = {}) {
	const slug = unique('ferry');
	const file = join(scratch().dir, `${slug}.txt`);
	writeFileSync(file, `motion: ${motion}\nslug: ${slug}\n${extra}`
		+ 'side a: Run it\nside b: Stop it\nstatus: open\n\n'
		+ '[speaker]\nname: Ana\nside: a\n\n[opening]\nPeople work at night.\n\n'
		+ '[speaker]\nname: Bo\nside: b\n\n[opening]\nIt costs too much.\n');
	const r = parley(['debate', 'add', file, '--db', srv.db]);
	if (r.status !== 0) throw new Error(`debate add failed: ${r.stderr}`);
	return slug;
}

// Loads the article page for fresh tokens, then posts a comment.
// fields override the defaults; a field set to undefined is left out.
// Resolves to { res, text, status, location, id }.
export async function postComment(browser, slug, fields = {}, { query = '' } = {}) {
	const t = await openForm(browser, slug, query);
	const all = {
		csrf: t.csrf, key: t.key, author: 'Ada Reader', email: 'ada@example.org', url: '',
		body: unique('Comment'), parent: '', website_confirm: '', ...fields,
	};
	const form = new URLSearchParams();
	for (const [k, v] of Object.entries(all)) if (v !== undefined) form.append(k, v);
	const { res, text } = await browser.post(`/articles/${slug}/comments`, form);
	const location = res.headers.get('location');
	const m = location && /#comment-(\d+)$/.exec(location);
	return { res, text, status: res.status, location, id: m ? Number(m[1]) : null };
}

// The comments in a page as a flat list, in document order:
// { id, depth, parent (the id of the comment it is nested in, or null), html }.
// Nesting is read from the <li> elements themselves, so lists inside comment
// bodies do not confuse it.
export function comments(html) {
	const out = [];
	const stack = [];
	const re = /<li\b([^>]*)>|<\/li>/g;
	let m;
	while ((m = re.exec(html))) {
		if (m[0] === '</li>') {
			const top = stack.pop();
			if (top && top.c) top.c.html = html.slice(top.start, m.index);
			continue;
		}
		const cm = /^ class="comment depth-(\d+)" id="comment-(\d+)"$/.exec(m[1]);
		if (!cm) {
			stack.push({ c: null });
			continue;
		}
		const parent = [...stack].reverse().find((s) => s.c);
		const c = { id: Number(cm[2]), depth: Number(cm[1]), parent: parent ? parent.c.id : null, html: '' };
		out.push(c);
		stack.push({ c, start: re.lastIndex });
	}
	return out;
}

// The discussion's heading text ("No comments yet", "2 thoughts on “T”").
export function countHeading(html) {
	const m = /<h2 id="comments-title">([\s\S]*?)<\/h2>/.exec(html);
	return m ? m[1] : null;
}

// The text a comment shows (its body's HTML).
export function commentBody(c) {
	const m = /<div class="comment-body">\n?([\s\S]*?)\n?<\/div>/.exec(c.html);
	return m ? m[1].trim() : null;
}

// The value of an <input> by id, as it stands in the HTML (still escaped).
export function inputValue(html, id) {
	const m = new RegExp(`<input id="${id}" [^>]*?value="([^"]*)"`).exec(html);
	return m ? m[1] : null;
}

// The textarea's content, as it stands in the HTML (still escaped).
// The body field's text as a browser reads it: one newline right after the
// start tag is not part of the value.
export function textareaValue(html) {
	const m = /<textarea id="body"[^>]*>\n?([\s\S]*?)<\/textarea>/.exec(html);
	return m ? m[1] : null;
}

export function fieldError(html, field) {
	const m = new RegExp(`<span class="field-error" id="${field}-error">([^<]*)</span>`).exec(html);
	return m ? m[1] : null;
}

export function formError(html) {
	const m = /<p class="form-error"[^>]*>([^<]*)<\/p>/.exec(html);
	return m ? m[1] : null;
}

// Escapes text the way the site's templates do, to look for it in a page.
export function escapeHtml(s) {
	return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/`/g, '&#96;');
}

// Decodes the character references a browser would decode in an attribute.
export function decodeEntities(s) {
	const named = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", colon: ':', tab: '\t', newline: '\n', sol: '/', lpar: '(', rpar: ')', period: '.', comma: ',' };
	return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);?/gi, (all, e) => {
		if (e[0] === '#') {
			const n = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
			return Number.isFinite(n) && n > 0 && n < 0x110000 ? String.fromCodePoint(n) : all;
		}
		const v = named[e.toLowerCase()];
		return v === undefined ? all : v;
	});
}

// Every start tag in the HTML: [{ name, attrs: [[name, value]], raw }].
// It reads tags the way a browser's tokenizer roughly does, so markup that
// escaped from a text or attribute context shows up as a tag or attribute.
export function tags(html) {
	const out = [];
	const re = /<([a-zA-Z][^\s/>]*)/g;
	let m;
	while ((m = re.exec(html))) {
		let i = re.lastIndex;
		const attrs = [];
		for (;;) {
			while (i < html.length && /[\s/]/.test(html[i])) i++;
			if (i >= html.length || html[i] === '>') break;
			const ns = i;
			i++;
			while (i < html.length && !/[\s/>=]/.test(html[i])) i++;
			const name = html.slice(ns, i).toLowerCase();
			while (i < html.length && /\s/.test(html[i])) i++;
			let value = '';
			if (html[i] === '=') {
				i++;
				while (i < html.length && /\s/.test(html[i])) i++;
				if (html[i] === '"' || html[i] === "'") {
					const q = html[i];
					const end = html.indexOf(q, i + 1);
					value = html.slice(i + 1, end < 0 ? html.length : end);
					i = end < 0 ? html.length : end + 1;
				} else {
					const vs = i;
					while (i < html.length && !/[\s>]/.test(html[i])) i++;
					value = html.slice(vs, i);
				}
			}
			attrs.push([name, value]);
		}
		out.push({ name: m[1].toLowerCase(), attrs, raw: html.slice(m.index, Math.min(i + 1, html.length)) });
		re.lastIndex = i;
	}
	return out;
}

const URL_ATTRS = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'poster', 'background', 'cite', 'srcset', 'ping', 'manifest']);
const BAD_TAGS = new Set(['iframe', 'frame', 'object', 'embed', 'svg', 'math', 'style', 'base', 'applet', 'portal', 'template', 'noscript', 'xmp', 'plaintext', 'listing', 'isindex', 'frameset', 'video', 'audio', 'source', 'track', 'dialog']);

// Is this URL (already entity-decoded) one that could run script or leave
// the allowed schemes?
function dangerousUrl(u) {
	// eslint-disable-next-line no-control-regex
	const v = u.replace(/[\u0000-\u0020\u007f]/g, '').toLowerCase();
	const scheme = /^([a-z][a-z0-9+.-]*):/.exec(v);
	if (v.startsWith('//') || v.startsWith('\\')) return true;
	return scheme !== null && !['http', 'https', 'mailto'].includes(scheme[1]);
}

// Fails unless html is free of markup a reader could have injected:
// no script but the site's own, no event handler or style attributes, no
// dangerous elements, no URL with a scheme other than http, https, mailto.
// what names the page in failure messages.
export function assertNoActiveContent(html, what = 'page') {
	const scripts = html.match(/<script/gi) || [];
	const own = html.match(/<script src="\/static\/parley\.js" defer><\/script>/g) || [];
	assert.ok(scripts.length <= 1 && own.length === scripts.length,
		`${what}: a <script> other than the site's own: ${html.slice(html.search(/<script(?! src="\/static\/parley\.js" defer>)/i), 200 + html.search(/<script(?! src="\/static\/parley\.js" defer>)/i))}`);
	for (const t of tags(html)) {
		assert.ok(!BAD_TAGS.has(t.name), `${what}: a <${t.name}> element: ${t.raw}`);
		if (t.name === 'meta') {
			assert.ok(t.attrs.every(([n]) => n !== 'http-equiv'), `${what}: a meta http-equiv: ${t.raw}`);
		}
		if (t.name === 'form') {
			const action = (t.attrs.find(([n]) => n === 'action') || [])[1] || '';
			// The comment form; on a moderator's page, their buttons' form;
			// on a flag's page, the flag form.
			assert.match(action, /^(\/articles\/[a-z0-9-]+\/comments|\/moderate\/bulk|\/comments\/\d+\/flag)$/, `${what}: a form to elsewhere: ${t.raw}`);
		}
		if (t.name === 'img') {
			const src = decodeEntities((t.attrs.find(([n]) => n === 'src') || [])[1] || '');
			assert.match(src, /^(\/avatars\/[0-9a-f]{32}\.svg|\/static\/[\w/.-]+|https?:\/\/[^"]*)$/, `${what}: an unexpected image: ${t.raw}`);
		}
		const seen = new Set();
		for (const [n, v] of t.attrs) {
			assert.ok(!/^on/.test(n), `${what}: an event handler attribute ${n}: ${t.raw}`);
			assert.ok(n !== 'style' && n !== 'srcdoc' && n !== 'formaction', `${what}: a ${n} attribute: ${t.raw}`);
			assert.ok(!/[<"'`]/.test(n), `${what}: a malformed attribute name ${n}: ${t.raw}`);
			assert.ok(!seen.has(n), `${what}: attribute ${n} twice (markup broke out of a value?): ${t.raw}`);
			seen.add(n);
			if (URL_ATTRS.has(n)) {
				assert.ok(!dangerousUrl(decodeEntities(v)), `${what}: a dangerous URL in ${n}: ${t.raw}`);
			}
		}
	}
}

// Fails when the raw payload appears in html (it must come back escaped).
export function assertNotRaw(html, payload, what = 'page') {
	const i = html.indexOf(payload);
	assert.equal(i, -1, `${what}: the payload ${JSON.stringify(payload)} came back raw: …${html.slice(Math.max(0, i - 120), i + payload.length + 60)}…`);
}

// The headers every response must carry.
export function assertSecurityHeaders(res, what = 'response') {
	const csp = res.headers.get('content-security-policy');
	assert.ok(csp, `${what}: no Content-Security-Policy`);
	const directives = Object.fromEntries(csp.split(';').map((d) => d.trim()).filter(Boolean)
		.map((d) => { const [k, ...v] = d.split(/\s+/); return [k.toLowerCase(), v]; }));
	const scriptSrc = directives['script-src'] || directives['default-src'];
	assert.ok(scriptSrc, `${what}: CSP without script-src or default-src: ${csp}`);
	assert.ok(!scriptSrc.includes("'unsafe-inline'") && !scriptSrc.includes("'unsafe-eval'"),
		`${what}: CSP allows inline script: ${csp}`);
	assert.ok(!scriptSrc.includes('*') && !scriptSrc.some((s) => /^(https?:|data:)$/.test(s)),
		`${what}: CSP script-src too wide: ${csp}`);
	assert.equal(res.headers.get('x-content-type-options'), 'nosniff', `${what}: X-Content-Type-Options`);
	assert.ok(res.headers.get('referrer-policy'), `${what}: no Referrer-Policy`);
}

// Sends bytes as they are over one connection, reads until the server
// closes it or timeoutMs passes; resolves to { status, headers, body, raw }.
// For requests fetch() will not make (lying lengths, chunked bodies).
export function rawRequest(url, request, { timeoutMs = 5000 } = {}) {
	const { hostname, port } = new URL(url);
	return new Promise((resolve, reject) => {
		const chunks = [];
		const sock = net.connect({ host: hostname, port: Number(port) }, () => {
			sock.write(request);
		});
		const timer = setTimeout(() => sock.destroy(), timeoutMs);
		sock.on('data', (d) => chunks.push(d));
		sock.on('error', (e) => { if (chunks.length === 0) { clearTimeout(timer); reject(e); } });
		sock.on('close', () => {
			clearTimeout(timer);
			const raw = Buffer.concat(chunks).toString('latin1');
			const head = raw.split('\r\n\r\n')[0];
			const lines = head.split('\r\n');
			const sm = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] || '');
			const headers = {};
			for (const l of lines.slice(1)) {
				const i = l.indexOf(':');
				if (i > 0) headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
			}
			resolve({ status: sm ? Number(sm[1]) : 0, headers, body: raw.slice(head.length + 4), raw });
		});
	});
}

// A Browser whose requests each use a connection of their own
// ("Connection: close"), so no test leaves kept-alive connections behind
// (the server's stop closes idle ones at once; edge.test.mjs tests that).
export class ClosingBrowser extends Browser {
	get(path, headers = {}) { return super.get(path, { connection: 'close', ...headers }); }
	post(path, fields, headers = {}) { return super.post(path, fields, { connection: 'close', ...headers }); }
}

// A new browser on the server's address.
export function browser(srv) {
	return new ClosingBrowser(srv.url);
}

// fetch() on the server, on a connection of its own, without following redirects.
export function request(srv, path, init = {}) {
	return fetch(srv.url + path, { redirect: 'manual', ...init, headers: { connection: 'close', ...(init.headers || {}) } });
}
