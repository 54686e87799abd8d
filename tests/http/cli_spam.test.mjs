// `parley spam eval DIR`: on a small labelled set of our own, one line per
// file (trained on the others) with precision, recall, F1 and times, then
// the average; and every kind of bad input refused with a message naming
// the file and line, exit 1 (2 for usage), never a crash.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parley, scratch } from './util.mjs';

const HAM = [
	'The library should stay open later on weekdays.',
	'I enjoyed the section on the history of the bridge.',
	'The bus timetable changed again and nobody told us.',
	'Good analysis, though the survey sample seems small.',
	'My street floods every winter; the drains need work.',
	'Thanks for covering the council meeting in such detail.',
	'I disagree: the new cycle lane made the junction safer.',
	'Where can I read the full report you mention?',
	'The market hall was lovely before the renovation.',
	'Our school garden could use volunteers this spring.',
	'The photo shows the old station, not the new one.',
	'I think the budget numbers deserve a second look.',
];
const SPAM = [
	'Subscribe to my channel for free gift cards http://gift-promo.com',
	'Check out my channel!!! Subscribe and like please',
	'Earn money from home fast, visit www.cash-fast-now.biz',
	'Cheap followers and likes at http://likes-cheap.net',
	'Click here to win a free phone http://phone-winner.xyz',
	'Please subscribe to my channel, new videos every day!!!',
	'Discount pills without prescription www.pills-discount.ru',
	'Make money online today http://money-online-now.info',
	'Free followers, check my page www.follow-free.tk',
	'Best casino bonus, click http://casino-bonus.club now',
	'Subscribe to my channel and I subscribe back!!!',
	'Win cash now, click http://cash-winner.site today',
];

// A CSV field as the corpus writes it: quoted, "" for a quote, &amp; for &.
const field = (s) => `"${s.replace(/&/g, '&amp;').replace(/"/g, '""')}"`;

// Writes three labelled files, each with its share of ham and spam.
function corpus() {
	const { dir } = scratch();
	for (let k = 0; k < 3; k++) {
		const rows = ['COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS'];
		HAM.filter((_, i) => i % 3 === k).forEach((t, i) => rows.push(`h${k}${i},Reader,2026-01-01,${field(t)},0`));
		SPAM.filter((_, i) => i % 3 === k).forEach((t, i) => rows.push(`s${k}${i},Promo,2026-01-01,${field(t)},1`));
		writeFileSync(join(dir, `part${k + 1}.csv`), rows.join('\r\n') + '\r\n');
	}
	return dir;
}

// A folder with a good file and one whose text is given.
function withBad(text) {
	const dir = corpus();
	writeFileSync(join(dir, 'zz-bad.csv'), text);
	return dir;
}

describe('parley spam eval', () => {
	test('one line per file, trained on the others, then the average; exit 0', () => {
		const dir = corpus();
		const r = parley(['spam', 'eval', dir]);
		assert.equal(r.status, 0, r.stderr);
		const lines = r.stdout.trim().split('\n');
		assert.equal(lines.length, 5, r.stdout);
		assert.match(lines[0], /precision\s+recall\s+F1\s+train ms\s+score us/);
		const rows = lines.slice(1).map((l) => l.trim().split(/\s+/));
		assert.deepEqual(rows.map((x) => x[0]), ['part1.csv', 'part2.csv', 'part3.csv', 'average']);
		for (const [, comments, spam, p, rc, f1, train, score] of rows) {
			for (const v of [p, rc, f1]) assert.ok(Number(v) >= 0 && Number(v) <= 1, r.stdout);
			assert.ok(Number(train) >= 0 && Number(score) >= 0, r.stdout);
			assert.ok(Number(spam) <= Number(comments));
		}
		assert.deepEqual(rows.slice(0, 3).map((x) => [x[1], x[2]]), [['8', '4'], ['8', '4'], ['8', '4']]);
		assert.deepEqual(rows[3].slice(1, 3), ['24', '12']);
		// Twelve examples of each kind are enough to tell these apart.
		assert.ok(Number(rows[3][5]) >= 0.8, r.stdout);
	});

	test('the same files give the same figures (training is seeded)', () => {
		const dir = corpus();
		const figures = (out) => out.split('\n').slice(1).map((l) => l.trim().split(/\s+/).slice(0, 6).join(' '));
		const a = parley(['spam', 'eval', dir]);
		const b = parley(['spam', 'eval', dir]);
		assert.equal(a.status, 0, a.stderr);
		assert.deepEqual(figures(a.stdout), figures(b.stdout));
	});

	test('a folder that is not there: its name and why, exit 1', () => {
		const { dir } = scratch();
		const r = parley(['spam', 'eval', join(dir, 'missing')]);
		assert.equal(r.status, 1);
		assert.match(r.stderr, /missing: No such file or directory/);
		assert.equal(r.stdout, '');
	});

	test('no .csv files, or only one: nothing to rotate, exit 1', () => {
		const { dir } = scratch();
		let r = parley(['spam', 'eval', dir]);
		assert.equal(r.status, 1);
		assert.match(r.stderr, /no \.csv files/);
		writeFileSync(join(dir, 'only.csv'), 'CONTENT,CLASS\nhello,0\n');
		r = parley(['spam', 'eval', dir]);
		assert.equal(r.status, 1);
		assert.match(r.stderr, /one \.csv file; .*two or more/);
	});

	test('a file that cannot be read: its path and why, exit 1', () => {
		const dir = corpus();
		mkdirSync(join(dir, 'folder.csv'));
		const r = parley(['spam', 'eval', dir]);
		assert.equal(r.status, 1);
		assert.match(r.stderr, /folder\.csv: /);
	});

	const bad = [
		['an unclosed quote', 'CONTENT,CLASS\nok,0\n"never closed,1\n', /zz-bad\.csv: line 3: a quoted field is not closed/],
		['text after a closing quote', 'CONTENT,CLASS\n"a"b,1\n', /zz-bad\.csv: line 2: text after a closing quote/],
		['a stray quote', 'CONTENT,CLASS\nsa"y,1\n', /zz-bad\.csv: line 2: a quote inside a field/],
		['a missing CLASS column', 'ID,CONTENT\n1,hello\n', /zz-bad\.csv: line 1: the header has no CLASS column/],
		['a missing CONTENT column', 'ID,CLASS\n1,0\n', /zz-bad\.csv: line 1: the header has no CONTENT column/],
		['a short row', 'CONTENT,CLASS\nfine,0\n"two\nlines"\n', /zz-bad\.csv: line 3: 1 fields where the header has 2/],
		['a label that is not 0 or 1', 'CONTENT,CLASS\nfine,0\nodd,yes\n', /zz-bad\.csv: line 3: CLASS is not 0 or 1/],
		['an empty file', '', /zz-bad\.csv: empty file/],
		['a header and no comment', 'CONTENT,CLASS\n', /zz-bad\.csv: no labelled comments/],
		['binary bytes', '\u0000\u0001"\u0002,\u0003', /zz-bad\.csv: line 1: /],
	];
	for (const [what, text, message] of bad) {
		test(`${what}: the file, the line and the reason, exit 1`, () => {
			const r = parley(['spam', 'eval', withBad(text)]);
			assert.equal(r.status, 1, r.stdout);
			assert.match(r.stderr, message);
			assert.equal(r.stdout, '');
		});
	}

	test('usage errors exit 2', () => {
		for (const args of [['spam'], ['spam', 'eval'], ['spam', 'eval', 'a', 'b'], ['spam', 'judge', 'x'], ['spam', 'train', 'x']]) {
			const r = parley(args);
			assert.equal(r.status, 2, args.join(' '));
			assert.match(r.stderr, /usage: parley spam eval DIR/);
		}
	});
});
