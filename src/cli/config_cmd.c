/* config_cmd: `parley config check FILE` and `parley config keys`; `parley
 * init`. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "model/oidc.h"
#include "render/template.h"

/*
 * What `serve` checks beyond the file itself, so that "ok" means serve
 * will take it: the providers with their presets, and the templates (an
 * override folder that is missing, or a template in it that does not
 * build).
 */
static bool
config_check_as_served(const struct config *c, struct buf *err)
{
	struct tpl_set *tpl;

	if (!oidc_config_check(c, err))
		return false;
	tpl = tpl_set_load(c->templates_dir[0] ? c->templates_dir : NULL, err);
	if (tpl == NULL) {
		if (err->len == 0)
			(void)!buf_puts(err, "templates: out of memory");
		return false;
	}
	tpl_set_free(tpl);
	return true;
}

int
cmd_config(struct cli_opts *o)
{
	struct config c;
	struct buf err;
	int rc = 0;

	if (o->argc == 2 && strcmp(o->argv[1], "keys") == 0) {
		config_print_reference(stdout);
		return 0;
	}
	if (o->argc != 3 || strcmp(o->argv[1], "check") != 0) {
		fprintf(
		    stderr,
		    "usage: parley config check FILE\n       parley config keys\n");
		return 2;
	}
	config_defaults(&c);
	buf_init(&err, 512);
	if (!config_load(&c, o->argv[2], &err)) {
		fprintf(stderr, "parley: %s\n", buf_cstr(&err));
		rc = 1;
	} else if (!config_check_as_served(&c, &err)) {
		fprintf(stderr, "parley: %s: %s\n", o->argv[2], buf_cstr(&err));
		rc = 1;
	} else {
		printf("%s: ok\n", o->argv[2]);
	}
	buf_clear(&err);
	config_clear(&c);
	return rc;
}

int
cmd_init(struct cli_opts *o)
{
	struct app app;

	if (o->argc > 1) {
		fprintf(stderr,
			"usage: parley init [--db PATH] [--config FILE]\n");
		return 2;
	}
	if (!cli_app_open(&app, o, false))
		return 1;
	printf(
	    "database %s is ready; start the site with: parley serve --db %s\n",
	    app.cfg.db, app.cfg.db);
	cli_app_close(&app);
	return 0;
}
