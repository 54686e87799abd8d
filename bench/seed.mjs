// Seeds one article with comments through Parley's own HTTP form, many
// posts in flight at once (the server commits concurrent posts together).
//
//   node bench/seed.mjs BASE SLUG TOP REPLIES COOKIE CSRF [CONCURRENCY] [IDS_FILE]
//
// BASE is http://127.0.0.1:PORT, COOKIE the parley_v value, CSRF the token
// the article page's form carries for that cookie.  All TOP top-level
// comments are posted first, then REPLIES replies, each to a comment that
// already exists: a random thread, then either its first comment or one
// of its replies (so threads nest).  Bodies are 200-800 characters of
// Markdown, from a fixed seed, so every run stores the same text.  Prints
// one line of results; writes the new comments' ids to IDS_FILE.  Exits
// non-zero if any post was not answered 303.
import { writeFileSync } from 'node:fs';

const [base, slug, topArg, repliesArg, cookie, csrf, concArg, idsFile] = process.argv.slice(2);
if (!base || !slug || !cookie || !csrf) {
	console.error('usage: node bench/seed.mjs BASE SLUG TOP REPLIES COOKIE CSRF [CONCURRENCY] [IDS_FILE]');
	process.exit(2);
}
const nTop = Number(topArg), nReplies = Number(repliesArg);
const concurrency = Number(concArg || 32);

// A small deterministic generator (mulberry32), seeded by the slug.
let seed = [...slug].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
function rand() {
	seed = (seed + 0x6d2b79f5) >>> 0;
	let t = seed;
	t = Math.imul(t ^ (t >>> 15), t | 1);
	t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
	return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (a) => a[Math.floor(rand() * a.length)];

const words = ('the policy argument evidence cost benefit voters council budget '
	+ 'housing transit climate treaty sanctions inflation wages schools '
	+ 'hospital data survey trend history precedent court ruling motion '
	+ 'debate rebuttal claim source report analysis risk trade market '
	+ 'energy grid water rural urban tax reform pension border election '
	+ 'minister parliament committee draft amendment vote majority').split(' ');
const names = ['Ada', 'Brian', 'Chioma', 'Dmitri', 'Elena', 'Farid', 'Grace',
	'Hiro', 'Ines', 'Jonas', 'Kamala', 'Luis', 'Mei', 'Noor', 'Olga', 'Pavel'];

function sentence() {
	const n = 6 + Math.floor(rand() * 12);
	const w = [];
	for (let i = 0; i < n; i++) {
		let x = pick(words);
		const r = rand();
		if (r < 0.04) x = `**${x}**`;
		else if (r < 0.08) x = `*${x}*`;
		else if (r < 0.10) x = '`' + x + '`';
		else if (r < 0.12) x = `[${x}](https://example.org/${x}/${Math.floor(rand() * 1000)})`;
		w.push(x);
	}
	const s = w.join(' ');
	return s[0].toUpperCase() + s.slice(1) + (rand() < 0.15 ? '?' : '.');
}

// 200 to 800 characters of Markdown: paragraphs, sometimes a quote or a list.
function body() {
	const want = 200 + Math.floor(rand() * 600);
	const blocks = [];
	let len = 0, para = '';
	while (len + para.length < want) {
		const r = rand();
		if (para === '' && blocks.length > 0 && r < 0.12) {
			const q = '> ' + sentence();
			blocks.push(q);
			len += q.length + 2;
		} else if (para === '' && blocks.length > 0 && r < 0.20) {
			const l = [0, 1, 2].map(() => '- ' + sentence()).join('\n');
			blocks.push(l);
			len += l.length + 2;
		} else {
			para += (para ? ' ' : '') + sentence();
			if (rand() < 0.3) {
				blocks.push(para);
				len += para.length + 2;
				para = '';
			}
		}
	}
	if (para) blocks.push(para);
	let text = blocks.join('\n\n');
	if (text.length > 800) text = text.slice(0, 800).replace(/\s+\S*$/, '');
	return text;
}

const url = `${base}/articles/${slug}/comments`;
const roots = [];	// ids of top-level comments
const threads = new Map();	// root id -> ids in that thread
let failures = 0, posted = 0;
const ids = [];

async function post(parent) {
	const author = pick(names);
	const form = new URLSearchParams({
		csrf, key: `seed-${slug}-${posted}-${Math.floor(rand() * 1e9)}`,
		author, email: `${author.toLowerCase()}@example.org`,
		body: body(), parent: parent ? String(parent) : '',
	});
	posted++;
	const res = await fetch(url, {
		method: 'POST', redirect: 'manual', body: form,
		headers: { cookie: `parley_v=${cookie}` },
	});
	await res.arrayBuffer();
	const loc = res.headers.get('location') || '';
	const m = /#comment-(\d+)$/.exec(loc);
	if (res.status !== 303 || !m) {
		failures++;
		if (failures <= 3)
			console.error(`seed: POST ${url} answered ${res.status} ${loc}`);
		return 0;
	}
	return Number(m[1]);
}

// Runs n jobs with `concurrency` in flight.
async function pool(n, job) {
	let next = 0;
	const worker = async () => {
		while (next < n) {
			next++;
			await job();
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
}

const t0 = performance.now();
await pool(nTop, async () => {
	const id = await post(0);
	if (id) {
		roots.push(id);
		threads.set(id, [id]);
		ids.push(id);
	}
});
await pool(nReplies, async () => {
	if (roots.length === 0) return;
	const root = pick(roots);
	const thread = threads.get(root);
	const parent = rand() < 0.5 ? root : pick(thread);
	const id = await post(parent);
	if (id) {
		thread.push(id);
		ids.push(id);
	}
});
const secs = (performance.now() - t0) / 1000;
if (idsFile) writeFileSync(idsFile, ids.join('\n') + '\n');
console.log(`seeded ${slug}: ${ids.length} comments (${roots.length} top-level, `
	+ `${ids.length - roots.length} replies) in ${secs.toFixed(2)} s, `
	+ `${(ids.length / secs).toFixed(0)} posts/s with ${concurrency} in flight`
	+ (failures ? `, ${failures} FAILED` : ''));
process.exit(failures || ids.length !== nTop + nReplies ? 1 : 0);
