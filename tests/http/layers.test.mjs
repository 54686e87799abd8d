// The layer rules of tools/check-includes.sh (run by `make test`): the tree
// keeps them, and each rule, broken in a copy of src/, fails the check with
// the offending file and line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scratch } from '../lib/server.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const script = join(root, 'tools', 'check-includes.sh');

function check(src) {
	const r = spawnSync('sh', [script, src], { encoding: 'utf8' });
	return { status: r.status, out: r.stdout + r.stderr };
}

test('the tree keeps every layer rule', () => {
	const r = check(join(root, 'src'));
	assert.equal(r.status, 0, r.out);
	assert.match(r.out, /^\d+ passed, 0 failed$/m);
});

// One line planted at the end of one file, and the rule it breaks.
const planted = [
	['model/comment.c', '#include "http/cache.h"', /^model: /m],
	['model/user.h', '#include "web/web.h"', /^model: /m],
	['model/debate.c', '#include "cli/cli.h"', /^model: /m],
	['store/sqlite.c', '#include "model/comment.h"', /^store: /m],
	['store/store.h', '#include "render/html.h"', /^store: /m],
	['render/template.c', '#include "store/store.h"', /^render: /m],
	['http/route.c', '#include "web/account.h"', /^http: /m],
	['http/cache.c', '#include "cli/cli.h"', /^http: /m],
	['core/buf.c', '#include "http/form.h"', /^core: /m],
	['core/change.c', '#include "model/comment.h"', /^core: /m],
	['app.h', '#include "http/cache.h"', /^root headers: /m],
	['web/home.c', 'static int x(struct app *app) { return app->store->ops->close != 0; }', /^store calls: /m],
	['cli/post.c', '/* st->ops->article_list(st, ...) */', /^store calls: /m],
];

for (const [file, line, rule] of planted) {
	test(`a planted ${line.slice(0, 30)} in ${file} fails the check`, () => {
		const { dir } = scratch();
		const src = join(dir, 'src');
		cpSync(join(root, 'src'), src, { recursive: true });
		appendFileSync(join(src, file), `\n${line}\n`);
		const r = check(src);
		assert.equal(r.status, 1, r.out);
		assert.match(r.out, rule);
		// The message names the file and the line.
		assert.ok(r.out.includes(`${file}:`) && r.out.includes(line), r.out);
		assert.match(r.out, /^\d+ passed, [1-9]\d* failed$/m);
	});
}
