// A clock the tests can move: the server adds the seconds written in
// PARLEY_CLOCK_FILE to every time it reads (src/core/util.c).  The file
// is mapped by the server, so it is rewritten in place at a fixed width,
// never truncated: a reader never sees it empty.
import { closeSync, mkdtempSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const WIDTH = 32;

function encode(seconds) {
	if (!Number.isSafeInteger(seconds)) throw new Error(`clock offset must be whole seconds: ${seconds}`);
	const text = String(seconds);
	if (text.length >= WIDTH) throw new Error(`clock offset too large: ${seconds}`);
	return Buffer.from(text.padEnd(WIDTH - 1, ' ') + '\n');
}

// A new clock file at offset 0; pass env to startServer or to parley().
export function clock() {
	const file = join(mkdtempSync(join(tmpdir(), 'parley-clock-')), 'clock');
	let offset = 0;
	// Same width every time, written over the old bytes.
	const write = () => {
		const fd = openSync(file, 'r+');
		try { writeSync(fd, encode(offset), 0, WIDTH, 0); } finally { closeSync(fd); }
	};
	writeFileSync(file, encode(0));
	return {
		file,
		env: { PARLEY_CLOCK_FILE: file },
		// Seconds the server's clock runs ahead of the real one.
		get offset() { return offset; },
		set(seconds) { offset = seconds; write(); },
		advance(seconds) { offset += seconds; write(); },
	};
}
