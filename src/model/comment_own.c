#include "model/comment_own.h"

#include <sodium.h>
#include <string.h>

#include "app.h"
#include "core/change.h"
#include "core/limits.h"
#include "core/util.h"
#include "model/comment_limits.h"
#include "model/moderation.h"
#include "render/markdown.h"

static const char not_yours[] = "This comment is not yours to change.";
static const char too_late[] =
    "The time to change this comment is over: a comment may be edited or "
    "removed only in the first minutes after it is posted.";

/*
 * Whether who wrote c: its account, for a comment posted signed in (that
 * account alone, from any browser); else the browser that posted it.
 */
static bool
owns(const struct app *app, struct arena *a, const struct comment *c,
     const struct comment_owner *who)
{
	const char *v;

	if (c->user_id > 0)
		return who->user != NULL && who->user->id == c->user_id;
	v = moderation_visitor(app, a, who->visitor_id);
	return v != NULL && v[0] != '\0' && strlen(v) == strlen(c->visitor) &&
	       sodium_memcmp(v, c->visitor, strlen(v)) == 0;
}

enum err
comment_own_get(struct app *app, struct arena *a, int64_t id,
		const struct comment_owner *who, int64_t now,
		struct comment_own *out)
{
	const struct comment *c = &out->m.c;
	enum err e;

	memset(out, 0, sizeof(*out));
	e = moderation_get(app, a, id, &out->m);
	if (e != ERR_OK)
		return e;
	if ((c->status != STATUS_APPROVED && c->status != STATUS_PENDING) ||
	    c->removed)
		return ERR_NOTFOUND;
	out->mine = owns(app, a, c, who);
	if (!out->mine)
		return ERR_FORBIDDEN;
	out->edit_until = c->created + (int64_t)app->cfg.edit_minutes * 60;
	out->can_edit = app->cfg.edit_minutes > 0 && now < out->edit_until;
	out->can_remove = out->can_edit || c->user_id > 0;
	return ERR_OK;
}

enum err
comment_own_recent(struct app *app, struct arena *a, int64_t article_id,
		   const struct comment_owner *who, int64_t now, int64_t **ids,
		   size_t *n)
{
	/* A member's comments are their account's; the browser's are not. */
	const char *v =
	    who->user ? "" : moderation_visitor(app, a, who->visitor_id);

	*ids = NULL;
	*n = 0;
	if (v == NULL)
		return ERR_NOMEM;
	if (app->cfg.edit_minutes == 0 || (who->user == NULL && v[0] == '\0'))
		return ERR_OK;
	return app->store->ops->comment_own_recent(
	    app->store, a, article_id, who->user ? who->user->id : 0, v,
	    now - (int64_t)app->cfg.edit_minutes * 60 + 1, ids, n);
}

/* The reader acting, as the moderation log names them. */
static struct mod_actor
actor(struct arena *a, const struct comment_own *o,
      const struct comment_owner *who)
{
	struct mod_actor m = {0, NULL};

	if (who->user) {
		m.id = who->user->id;
		m.name = arena_printf(a, "%s (user %lld), its author",
				      who->user->name, (long long)m.id);
	} else {
		m.name =
		    arena_printf(a, "%s, its author's browser", o->m.c.author);
	}
	if (m.name == NULL)
		m.name = "its author";
	return m;
}

/* Looks the comment up for a change; ERR_FORBIDDEN with errs->form. */
static enum err
own_check(struct app *app, struct arena *a, int64_t id,
	  const struct comment_owner *who, bool remove, struct comment_own *o,
	  struct comment_errors *errs)
{
	enum err e = comment_own_get(app, a, id, who, time_now(), o);

	if (e == ERR_FORBIDDEN)
		errs->form = not_yours;
	else if (e == ERR_OK && !(remove ? o->can_remove : o->can_edit)) {
		errs->form = too_late;
		e = ERR_FORBIDDEN;
	}
	if (e == ERR_FORBIDDEN)
		errs->err = ERR_FORBIDDEN;
	return e;
}

/* Stores r and publishes the change to its discussion. */
static enum err
revise(struct app *app, const struct comment_revision *r)
{
	int64_t article_id = 0;
	enum err e =
	    app->store->ops->comment_revise(app->store, r, &article_id);

	if (e == ERR_OK)
		change_publish_one(app->changes, CHANGE_ARTICLE, article_id);
	return e;
}

enum err
comment_own_edit(struct app *app, struct arena *a, int64_t id,
		 const struct comment_owner *who, const char *client,
		 const struct comment_field *body, const char **text,
		 struct comment_own *o, struct comment_errors *errs,
		 int *retry_after)
{
	struct comment_input in = {.author = "", .email = "", .url = ""};
	struct comment_revision r;
	struct mod_actor by;
	struct comment c;
	struct buf html;
	enum err e;

	memset(o, 0, sizeof(*o));
	memset(errs, 0, sizeof(*errs));
	e = comment_read_body(app, a, body, text, errs);
	if (e == ERR_NOMEM)
		return e;
	/* Whose it is first: a stranger learns nothing of the text's fate. */
	if ((e = own_check(app, a, id, who, false, o, errs)) != ERR_OK)
		return e;
	if (errs->body)
		return errs->err;
	c = o->m.c;
	c.body_md = *text;
	in.body = *text;
	in.author = c.author;
	in.email = c.email;
	in.url = c.url;
	in.user_id = c.user_id;
	/* Words the site refuses, then what the text costs to show. */
	if ((e = moderation_refuse(app, a, &in, errs)) != ERR_OK)
		return e;
	buf_init(&html, LIMIT_COMMENT_MAX * 8);
	if (!markdown_render(&html, c.body_md, strlen(c.body_md),
			     MARKDOWN_READER)) {
		buf_clear(&html);
		return comment_refusal(ERR_LIMIT, 0, &in, errs, "article");
	}
	c.body_html = arena_strndup(a, buf_cstr(&html), html.len);
	buf_clear(&html);
	if (c.body_html == NULL)
		return ERR_NOMEM;
	if ((e = moderation_rejudge(app, a, &c)) != ERR_OK)
		return e;
	e = comment_limits_take(app, a, who->user, client, c.article_id, errs,
				retry_after);
	if (e != ERR_OK)
		return e;
	by = actor(a, o, who);
	memset(&r, 0, sizeof(r));
	r.id = id;
	r.body_md = c.body_md;
	r.body_html = c.body_html;
	r.status = c.status;
	r.reason = c.reason;
	r.spam_score = c.spam_score;
	r.spam_features = c.spam_features;
	r.who = &by;
	r.now = time_now();
	return revise(app, &r);
}

enum err
comment_own_remove(struct app *app, struct arena *a, int64_t id,
		   const struct comment_owner *who, const char *client,
		   struct comment_own *o, struct comment_errors *errs,
		   int *retry_after)
{
	struct comment_revision r;
	struct mod_actor by;
	enum err e;

	memset(o, 0, sizeof(*o));
	memset(errs, 0, sizeof(*errs));
	if ((e = own_check(app, a, id, who, true, o, errs)) != ERR_OK)
		return e;
	e = comment_limits_take(app, a, who->user, client, o->m.c.article_id,
				errs, retry_after);
	if (e != ERR_OK)
		return e;
	by = actor(a, o, who);
	memset(&r, 0, sizeof(r));
	r.id = id;
	r.remove = true;
	r.status = o->m.c.status;
	r.who = &by;
	r.now = time_now();
	return revise(app, &r);
}
