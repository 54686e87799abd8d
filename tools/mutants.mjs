#!/usr/bin/env node
// Plants each one-line bug of tests/mutants.txt in a copy of the tree and
// runs the tests that should catch it; see README.md, "Mutants".
//
//   node tools/mutants.mjs [--only REGEX] [--threshold 0.9] [--timeout SECONDS]
//                          [--no-baseline] [--check] [--list FILE] [--shard K/N]
//
// --only       run the mutants whose id matches REGEX (also ONLY=... in make)
// --threshold  lowest kill ratio that passes (default 0.9)
// --timeout    seconds a mutant's tests may run; a hung test counts as a kill
// --no-baseline  skip the run of each test on the unmutated copy
// --check      only check that every `from` occurs exactly once; no build
// --shard K/N  run every Nth mutant starting at the Kth, in a copy of its own
//              (build/mutants/tree-K), so N runs can share the machine
// --tree NAME  use the copy build/mutants/NAME (two runs at once need two)
import { spawn, spawnSync } from 'node:child_process';
import {
	chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync,
	readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
let TREE = join(ROOT, 'build', 'mutants', 'tree');

function usage(msg) {
	if (msg) console.error(`mutants: ${msg}`);
	console.error('usage: node tools/mutants.mjs [--only REGEX] [--threshold R] [--timeout S] [--no-baseline] [--check] [--list FILE] [--shard K/N] [--tree NAME]');
	process.exit(2);
}

function parseArgs(argv) {
	const o = {
		only: process.env.ONLY || '', threshold: 0.9, timeout: 300, baseline: true,
		check: false, list: join(ROOT, 'tests', 'mutants.txt'), shard: null,
	};
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		const val = () => { if (i + 1 >= argv.length) usage(`${a} needs a value`); return argv[++i]; };
		if (a === '--only') o.only = val();
		else if (a === '--threshold') o.threshold = Number(val());
		else if (a === '--timeout') o.timeout = Number(val());
		else if (a === '--no-baseline') o.baseline = false;
		else if (a === '--check') o.check = true;
		else if (a === '--list') o.list = resolve(val());
		else if (a === '--tree') {
			o.tree = val();
			if (!/^[A-Za-z0-9_-]+$/.test(o.tree)) usage('--tree takes a plain name');
		} else if (a === '--shard') {
			const m = /^(\d+)\/(\d+)$/.exec(val());
			if (!m || +m[1] < 1 || +m[1] > +m[2]) usage('--shard takes K/N with 1 <= K <= N');
			o.shard = { k: +m[1], n: +m[2] };
		}
		else usage(`unknown option ${a}`);
	}
	if (!(o.threshold >= 0 && o.threshold <= 1)) usage('--threshold must be between 0 and 1');
	if (!(o.timeout > 0)) usage('--timeout must be a positive number');
	return o;
}

// The list: blocks of "key: value" lines separated by blank lines; lines
// starting with '#' are comments. Values are taken verbatim (no escapes),
// so C text is written as it appears in the source.
const KEYS = new Set(['id', 'file', 'after', 'from', 'to', 'test', 'why']);

function parseList(file) {
	const lines = readFileSync(file, 'utf8').split('\n');
	const mutants = [];
	const errors = [];
	let cur = null;
	const finish = () => {
		if (!cur) return;
		for (const k of ['id', 'file', 'from', 'to', 'test', 'why']) {
			if (!(k in cur)) errors.push(`${file}:${cur.line}: mutant ${cur.id || '?'} has no ${k}:`);
		}
		if (cur.from === '') errors.push(`${file}:${cur.line}: mutant ${cur.id} has an empty from:`);
		if (cur.from === cur.to) errors.push(`${file}:${cur.line}: mutant ${cur.id} changes nothing`);
		mutants.push(cur);
		cur = null;
	};
	lines.forEach((raw, n) => {
		if (raw.startsWith('#')) return;
		if (raw.trim() === '') { finish(); return; }
		const m = /^([a-z]+):(?: (.*))?$/.exec(raw);
		if (!m || !KEYS.has(m[1])) { errors.push(`${file}:${n + 1}: not a "key: value" line: ${raw}`); return; }
		if (!cur) cur = { line: n + 1 };
		if (m[1] in cur) errors.push(`${file}:${n + 1}: ${m[1]}: given twice`);
		cur[m[1]] = m[2] ?? '';
	});
	finish();
	const seen = new Set();
	for (const m of mutants) {
		if (seen.has(m.id)) errors.push(`${file}:${m.line}: id ${m.id} used twice`);
		seen.add(m.id);
		m.tests = (m.test || '').trim().split(/\s+/).reduce((acc, w, i, ws) => {
			if (i % 2 === 0) acc.push({ kind: w, name: ws[i + 1] });
			return acc;
		}, []);
		for (const t of m.tests) {
			if (!['unit', 'http', 'e2e', 'fuzz'].includes(t.kind) || !t.name) {
				errors.push(`${file}:${m.line}: ${m.id}: test must be pairs of "unit|http|e2e|fuzz NAME"`);
			}
		}
	}
	if (errors.length) {
		for (const e of errors) console.error(e);
		process.exit(2);
	}
	return mutants;
}

// A pattern for a `from` or `after` text that ignores how the code is laid
// out: any run of white space may differ, and white space may come or go
// next to punctuation, but never inside a word (C does not care; the
// formatter does).  Uniqueness is judged on this pattern.
function flexible(needle) {
	const word = (c) => /[A-Za-z0-9_]/.test(c);
	const esc = (c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	const chars = [...needle.trim()];
	let re = '';
	for (let i = 0; i < chars.length; i++) {
		const c = chars[i];
		if (/\s/.test(c)) continue;
		if (re) {
			const prev = chars.slice(0, i).reverse().find((x) => !/\s/.test(x));
			const spaced = /\s/.test(chars[i - 1]);
			re += word(prev) && word(c) ? (spaced ? '\\s+' : '') : '\\s*';
		}
		re += esc(c);
	}
	return new RegExp(re, 'g');
}

function matches(text, needle, from = 0) {
	const re = flexible(needle);
	re.lastIndex = from;
	const out = [];
	for (let m; (m = re.exec(text)) !== null;) {
		out.push({ index: m.index, length: m[0].length });
		re.lastIndex = m.index + 1;
	}
	return out;
}

// Where the mutant applies in text: { index, length } of `from`, or an
// error. With `after:`, that anchor must occur once and `from` is its first
// match after it.
function locate(m, text) {
	if (m.after !== undefined) {
		const a = matches(text, m.after);
		if (a.length !== 1) return { error: `after: occurs ${a.length} times` };
		const f = matches(text, m.from, a[0].index + a[0].length);
		return f.length ? f[0] : { error: 'from: not found after after:' };
	}
	const f = matches(text, m.from);
	if (f.length !== 1) return { error: `from: occurs ${f.length} times` };
	return f[0];
}

function git(args) {
	const r = spawnSync('git', args, { cwd: ROOT, encoding: 'buffer', maxBuffer: 1 << 28 });
	if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
	return r.stdout;
}

// Brings the copy up to date with the working tree, writing only the files
// whose bytes differ, so make rebuilds only what changed since the last run.
function syncTree() {
	const files = git(['ls-files', '-co', '--exclude-standard', '-z']).toString('utf8')
		.split('\0').filter((f) => f && existsSync(join(ROOT, f)) && !lstatSync(join(ROOT, f)).isDirectory());
	const want = new Set(files);
	let copied = 0;
	for (const f of files) {
		const src = join(ROOT, f);
		const dst = join(TREE, f);
		const a = readFileSync(src);
		if (existsSync(dst) && readFileSync(dst).equals(a)) continue;
		mkdirSync(dirname(dst), { recursive: true });
		copyFileSync(src, dst);
		chmodSync(dst, statSync(src).mode & 0o777);
		copied++;
	}
	// Files gone from the tree go from the copy too (build output stays).
	const walk = (dir) => {
		for (const e of readdirSync(dir, { withFileTypes: true })) {
			const p = join(dir, e.name);
			const r = relative(TREE, p);
			if (r === 'build' || r === 'node_modules' || r === 'test-output' || r === 'parley' || r === 'parley-asan') continue;
			if (e.isDirectory()) walk(p);
			else if (!want.has(r)) rmSync(p);
		}
	};
	walk(TREE);
	const nm = join(TREE, 'node_modules');
	if (!existsSync(nm) && existsSync(join(ROOT, 'node_modules'))) symlinkSync(join(ROOT, 'node_modules'), nm);
	return copied;
}

// Runs a command in the copy with a time limit; the whole process group
// (servers and browsers the tests start) is killed when time is up.
function run(cmd, args, { timeout, env = {} } = {}) {
	return new Promise((res) => {
		const t0 = Date.now();
		const p = spawn(cmd, args, { cwd: TREE, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		const keep = (d) => { out += d; if (out.length > 200000) out = out.slice(-100000); };
		p.stdout.on('data', keep);
		p.stderr.on('data', keep);
		let timedOut = false;
		const timer = timeout ? setTimeout(() => {
			timedOut = true;
			try { process.kill(-p.pid, 'SIGKILL'); } catch { /* already gone */ }
		}, timeout * 1000) : null;
		p.on('close', (code, sig) => {
			if (timer) clearTimeout(timer);
			// Leftover children of a finished test are not ours to keep.
			try { process.kill(-p.pid, 'SIGKILL'); } catch { /* none left */ }
			res({ code, sig, timedOut, out, secs: (Date.now() - t0) / 1000 });
		});
	});
}

// Builds ./parley and the unit programs the tests name (all of them when
// none is named): linking every unit program for each mutant would cost
// more than running most tests.
function build(tests) {
	const units = tests ? tests.filter((t) => t.kind === 'unit').map((t) => `build/release/tests/${t.name}`)
		.filter((b) => existsSync(join(TREE, 'tests', 'unit', `${b.split('/').pop()}.c`))) : ['unit', 'fuzz'];
	const fuzz = (tests || []).filter((t) => t.kind === 'fuzz').map((t) => `build/fuzz/fuzz_${t.name}`);
	return run('make', ['-j2', 'all', ...units, ...fuzz], { timeout: 1200 });
}

function testCommand(t) {
	if (t.kind === 'unit') {
		const bin = join('build', 'release', 'tests', t.name);
		return existsSync(join(TREE, 'tests', 'unit', `${t.name}.c`)) ? { cmd: `./${bin}`, args: [] } : null;
	}
	// A fuzz target replays its seed corpus and the regression inputs:
	// deterministic, a few seconds; the properties it asserts do the killing.
	if (t.kind === 'fuzz') {
		const corpus = join('tests', 'fuzz', 'corpus', t.name);
		if (!existsSync(join(TREE, 'tests', 'fuzz', `fuzz_${t.name}.c`))) return null;
		return { cmd: `./build/fuzz/fuzz_${t.name}`, args: ['-runs=0', '-timeout=5', corpus, join('tests', 'fuzz', 'regression')] };
	}
	const file = join('tests', t.kind, t.name);
	if (!existsSync(join(TREE, file))) return null;
	return { cmd: process.execPath, args: ['--test', '--test-concurrency=1', file], env: { PARLEY_BIN: './parley' } };
}

const label = (t) => `${t.kind} ${t.name}`;

async function main() {
	const o = parseArgs(process.argv.slice(2));
	let mutants = parseList(o.list);
	if (o.only) {
		let re;
		try { re = new RegExp(o.only); } catch (e) { usage(`bad --only: ${e.message}`); }
		mutants = mutants.filter((m) => re.test(m.id));
		if (!mutants.length) usage(`no mutant id matches ${o.only}`);
	}
	if (o.shard && o.shard.n > 1) {
		mutants = mutants.filter((m, i) => i % o.shard.n === o.shard.k - 1);
		TREE = join(ROOT, 'build', 'mutants', `tree-${o.shard.k}`);
	}
	if (o.tree) TREE = join(ROOT, 'build', 'mutants', o.tree);

	// Stale mutants are found against the working tree, before any build.
	const stale = [];
	for (const m of mutants) {
		const p = join(ROOT, m.file);
		m.where = existsSync(p) ? locate(m, readFileSync(p, 'utf8')) : { error: 'file not found' };
		if (m.where.error) stale.push(m);
	}
	if (o.check) {
		for (const m of stale) console.log(`stale      ${m.id}  ${m.file}: ${m.where.error}`);
		console.log(`${mutants.length} mutants, ${stale.length} stale`);
		process.exit(stale.length ? 1 : 0);
	}

	mkdirSync(TREE, { recursive: true });
	const copied = syncTree();
	console.log(`copy: ${relative(ROOT, TREE)} (${copied} files updated)`);
	let b = await build();
	if (b.code !== 0) {
		console.error(b.out.slice(-4000));
		console.error('mutants: the unmutated copy does not build');
		process.exit(1);
	}
	console.log(`build: ${b.secs.toFixed(1)}s`);

	// Each test runs once on the unmutated copy: a test that fails there
	// would "kill" every mutant, so it is not trusted to kill any.
	const broken = new Map();
	if (o.baseline) {
		const all = new Map();
		for (const m of mutants) if (!m.where.error) for (const t of m.tests) all.set(label(t), t);
		for (const [name, t] of all) {
			const c = testCommand(t);
			if (!c) continue;
			const r = await run(c.cmd, c.args, { timeout: o.timeout, env: c.env });
			const ok = r.code === 0 && !r.timedOut;
			console.log(`baseline   ${ok ? 'pass' : 'FAIL'}  ${name}  ${r.secs.toFixed(1)}s`);
			if (!ok) { broken.set(name, r.out.slice(-3000)); }
		}
	}

	const results = [];
	for (const m of mutants) {
		const t0 = Date.now();
		const res = { m, status: '', by: '', note: '' };
		results.push(res);
		if (m.where.error) {
			res.status = 'stale';
			res.note = m.where.error;
		} else {
			const path = join(TREE, m.file);
			const orig = readFileSync(path);
			const text = orig.toString('utf8');
			// The copy equals the working tree here, so the index found there holds.
			const at = locate(m, text);
			if (at.error) {
				res.status = 'stale';
				res.note = at.error;
			} else {
				writeFileSync(path, text.slice(0, at.index) + m.to + text.slice(at.index + at.length));
				try {
					b = await build(m.tests);
					if (b.code !== 0) {
						res.status = 'stillborn';
						res.note = (/error: .*/.exec(b.out) || [''])[0];
					} else {
						res.status = 'SURVIVED';
						const missing = [];
						for (const t of m.tests) {
							const c = testCommand(t);
							if (!c) { missing.push(label(t)); continue; }
							if (broken.has(label(t))) { missing.push(`${label(t)} (fails unmutated)`); continue; }
							const r = await run(c.cmd, c.args, { timeout: o.timeout, env: c.env });
							if (r.timedOut || r.code !== 0) {
								res.status = 'killed';
								res.by = label(t) + (r.timedOut ? ' (timed out)' : '');
								break;
							}
						}
						if (res.status === 'SURVIVED') {
							res.note = missing.length === m.tests.length ? 'no test yet' : 'tests passed';
							if (missing.length) res.missing = missing;
						}
					}
				} finally {
					// Byte-exact restore, with a new mtime so make rebuilds it.
					writeFileSync(path, orig);
					const now = new Date();
					utimesSync(path, now, now);
				}
			}
		}
		res.secs = (Date.now() - t0) / 1000;
		const extra = res.by ? `by ${res.by}` : res.note;
		console.log(`${res.status.padEnd(10)} ${m.id.padEnd(34)} ${res.secs.toFixed(1).padStart(6)}s  ${extra}`);
	}
	// The copy is left built from the unmutated files for the next run.
	await build([]);

	const by = (s) => results.filter((r) => r.status === s);
	const killed = by('killed').length;
	const survived = by('SURVIVED');
	const counted = killed + survived.length;
	const ratio = counted ? killed / counted : 1;
	console.log('');
	console.log(`${killed} killed, ${survived.length} survived, ${by('stillborn').length} stillborn, ${by('stale').length} stale; kill ratio ${ratio.toFixed(3)} (threshold ${o.threshold})`);
	if (broken.size) {
		console.log('\ntests that fail on the unmutated copy (not trusted to kill):');
		for (const [name, out] of broken) console.log(`  ${name}\n${out.split('\n').filter((l) => /fail|not ok|FAIL|Error/.test(l)).slice(0, 8).map((l) => `      ${l}`).join('\n')}`);
	}
	for (const [title, note] of [['survivors whose tests ran and passed', 'tests passed'], ['survivors with no test yet', 'no test yet']]) {
		const list = survived.filter((r) => r.note === note);
		if (!list.length) continue;
		console.log(`\n${title}:`);
		for (const r of list) console.log(`  ${r.m.id}  (${r.m.test})${r.missing ? `  missing: ${r.missing.join(', ')}` : ''}\n      ${r.m.why}`);
	}
	for (const [s, title] of [['stillborn', 'stillborn (do not compile; fix the list)'], ['stale', 'stale (from: not found exactly once; fix the list)']]) {
		if (!by(s).length) continue;
		console.log(`\n${title}:`);
		for (const r of by(s)) console.log(`  ${r.m.id}  ${r.m.file}: ${r.note}`);
	}
	process.exit(ratio < o.threshold || by('stale').length ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(1); });
