// Seeds one debate through Parley's own forms, many requests in flight:
// comments that take sides (top-level first, then replies to existing
// ones), then voters, each with a fresh cookie from the debate page, who
// vote before and after (two votes each), then "this changed my mind".
//
//   node bench/debate-seed.mjs BASE SLUG TOP REPLIES VOTERS [CONCURRENCY]
//
// The server must allow that many votes from one address (the bench
// config raises [debates] votes_per_minute, votes_burst and votes_per_hour).  Choices come
// from a fixed seed, so every run stores the same debate.  Prints one line
// per stage and, last, "voter COOKIE": the cookie of a reader who voted.
// Exits non-zero when any post is not answered 303.
const [base, slug, topArg, repliesArg, votersArg, concArg] = process.argv.slice(2);
if (!base || !slug) {
	console.error('usage: node bench/debate-seed.mjs BASE SLUG TOP REPLIES VOTERS [CONCURRENCY]');
	process.exit(2);
}
const nTop = Number(topArg), nReplies = Number(repliesArg), nVoters = Number(votersArg);
const concurrency = Number(concArg || 32);

let seed = [...slug].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 11);
function rand() {
	seed = (seed + 0x6d2b79f5) >>> 0;
	let t = seed;
	t = Math.imul(t ^ (t >>> 15), t | 1);
	t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
	return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (a) => a[Math.floor(rand() * a.length)];
const words = ('the motion evidence cost benefit council budget assembly lottery '
	+ 'ferry harbour market depot square rent transit vote rebuttal claim '
	+ 'source survey risk trade energy grid water reform election amendment '
	+ 'majority minority trust legitimacy accountability pilot').split(' ');
const names = ['Ada', 'Brian', 'Chioma', 'Dmitri', 'Elena', 'Farid', 'Grace', 'Hiro',
	'Ines', 'Jonas', 'Kamala', 'Luis', 'Mei', 'Noor', 'Olga', 'Pavel'];

function sentence() {
	const w = [];
	for (let i = 0, n = 6 + Math.floor(rand() * 12); i < n; i++) {
		let x = pick(words);
		const r = rand();
		if (r < 0.05) x = `**${x}**`;
		else if (r < 0.10) x = `*${x}*`;
		w.push(x);
	}
	const s = w.join(' ');
	return s[0].toUpperCase() + s.slice(1) + '.';
}
function body() {
	const want = 200 + Math.floor(rand() * 600), paras = [];
	let len = 0, p = '';
	while (len + p.length < want) {
		p += (p ? ' ' : '') + sentence();
		if (rand() < 0.3) { paras.push(p); len += p.length + 2; p = ''; }
	}
	if (p) paras.push(p);
	return paras.join('\n\n');
}

// A reader: a cookie and the page's tokens.
async function newReader() {
	const res = await fetch(`${base}/debates/${slug}`);
	const html = await res.text();
	const cookie = (res.headers.get('set-cookie') || '').split(';')[0];
	const csrf = /name="csrf" value="([^"]*)"/.exec(html);
	if (!cookie || !csrf) throw new Error('no cookie or token on the debate page');
	return { cookie, csrf: csrf[1] };
}

async function post(reader, path, fields) {
	const res = await fetch(`${base}${path}`, {
		method: 'POST', redirect: 'manual',
		headers: { cookie: reader.cookie, 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ csrf: reader.csrf, ...fields }),
	});
	await res.arrayBuffer();
	if (res.status !== 303) throw new Error(`POST ${path}: ${res.status}`);
	return res.headers.get('location');
}

async function pool(n, work) {
	let next = 0;
	const run = async () => { while (next < n) await work(next++); };
	await Promise.all(Array.from({ length: Math.min(concurrency, n) }, run));
}

const t0 = Date.now();
const writer = await newReader();
const ids = [];
const sides = () => { const r = rand(); return r < 0.45 ? 'a' : r < 0.85 ? 'b' : ''; };
async function comment(i, parent) {
	const loc = await post(writer, `/debates/${slug}/comments`, {
		key: `seed-${slug}-${i}`, author: `${pick(names)} ${i}`, email: `reader${i}@example.org`,
		url: '', body: body(), side: sides(), parent: parent ? String(parent) : '', website_confirm: '',
	});
	const m = /#comment-(\d+)$/.exec(loc || '');
	if (m) ids.push(Number(m[1]));
}
await pool(nTop, (i) => comment(i, 0));
await pool(nReplies, (i) => comment(nTop + i, pick(ids)));
console.log(`comments: ${nTop} threads, ${nReplies} replies in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

// Voters: before, a 40/40/20 split; after, a third of the undecided and
// a tenth of each side move, so the chart and the flow have something to show.
const t1 = Date.now();
let votes = 0, last = null;
await pool(nVoters, async () => {
	const r = await newReader();
	const x = rand();
	const before = x < 0.4 ? 'a' : x < 0.8 ? 'b' : 'undecided';
	const y = rand();
	const after = before === 'undecided' ? (y < 0.55 ? 'a' : 'b') : (y < 0.1 ? (before === 'a' ? 'b' : 'a') : before);
	await post(r, `/debates/${slug}/vote`, { phase: 'pre', choice: before });
	await post(r, `/debates/${slug}/vote`, { phase: 'post', choice: after });
	votes += 2;
	last = r;
});
console.log(`votes: ${votes} from ${nVoters} readers in ${((Date.now() - t1) / 1000).toFixed(1)} s`);

// A few hundred "changed my mind" marks on statements and comments.
const page = await (await fetch(`${base}/debates/${slug}`, { headers: { cookie: last.cookie } })).text();
const items = [...page.matchAll(/name="item" value="([sc]\d+)"/g)].map((m) => m[1]);
let marks = 0;
await pool(Math.min(300, nVoters), async () => {
	const r = await newReader();
	await post(r, `/debates/${slug}/minds`, { item: pick(items) });
	marks++;
});
console.log(`marks: ${marks}`);
console.log(`voter ${last.cookie.replace(/^parley_v=/, '')}`);
