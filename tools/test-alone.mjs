#!/usr/bin/env node
// Runs every HTTP (or browser) test on its own, to show that no test needs
// another one to have run first (`make test-alone`; long, not part of
// `make test`).  The node runner in Debian has no shuffle, so each test is
// picked by an exact name pattern instead, which is stricter: alone means
// with no neighbour at all.
//
//   node tools/test-alone.mjs [FILE.test.mjs ...]   (default: tests/http/*)
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const files = process.argv.slice(2).length ? process.argv.slice(2)
	: readdirSync('tests/http').filter((f) => f.endsWith('.test.mjs')).sort().map((f) => join('tests/http', f));
const env = { ...process.env, PARLEY_BIN: process.env.PARLEY_BIN || './parley' };

// The names of the tests in a file, leaves only, from one TAP run.
function testNames(file) {
	const r = spawnSync(process.execPath, ['--test', '--test-reporter=tap', file], { env, encoding: 'utf8', maxBuffer: 1 << 26 });
	const names = [];
	const lines = r.stdout.split('\n');
	lines.forEach((l, i) => {
		const m = /^(\s*)ok \d+ - (.*)$/.exec(l);
		if (!m) return;
		// A leaf has no "1..N" plan of subtests just above it.
		const prev = lines[i - 1] || '';
		if (/^\s*1\.\.\d+$/.test(prev) && prev.search(/\S/) > m[1].length) return;
		// TAP escapes '#' and '\\' in names; the pattern needs them plain.
		names.push(m[2].replace(/ # .*$/, '').replace(/\\([#\\])/g, '$1'));
	});
	return { names, ok: r.status === 0 };
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
let passed = 0;
let failed = 0;
for (const file of files) {
	const { names, ok } = testNames(file);
	if (!ok) {
		console.log(`FAIL ${file}: fails when run whole`);
		failed++;
		continue;
	}
	for (const name of names) {
		const r = spawnSync(process.execPath, ['--test', `--test-name-pattern=^${escape(name)}$`, file], { env, encoding: 'utf8', maxBuffer: 1 << 26 });
		const ran = /# pass (\d+)/.exec(r.stdout);
		if (r.status === 0 && ran && Number(ran[1]) > 0) {
			passed++;
		} else {
			failed++;
			console.log(`FAIL ${file}: "${name}" alone`);
			console.log(r.stdout.split('\n').filter((l) => /not ok|Error|expected|actual/.test(l)).slice(0, 6).join('\n'));
		}
	}
	console.log(`${file}: ${names.length} tests run alone`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
