#include "model/moderation.h"

#include <sodium.h>
#include <string.h>

#include "app.h"
#include "core/change.h"
#include "core/limits.h"
#include "core/mac.h"
#include "core/util.h"
#include "model/ban.h"
#include "model/rules.h"
#include "model/spam_live.h"
#include "render/markdown.h"

static const char *const status_names[STATUS__MAX] = {
    [STATUS_APPROVED] = "approved",
    [STATUS_PENDING] = "pending",
    [STATUS_SPAM] = "spam",
    [STATUS_TRASH] = "trash",
};

const char *
moderation_status_name(int status)
{
	return status >= 0 && status < STATUS__MAX ? status_names[status] : "";
}

bool
moderation_status_parse(const char *s, int *status)
{
	int i;

	for (i = 0; s && i < STATUS__MAX; i++)
		if (strcmp(s, status_names[i]) == 0) {
			*status = i;
			return true;
		}
	return false;
}

bool
moderation_allowed(enum role role)
{
	return role >= ROLE_MODERATOR && role < ROLE__MAX;
}

bool
moderation_action_status(const char *action, int *status)
{
	static const struct {
		const char *action;
		int status;
	} actions[] = {
	    {"approve", STATUS_APPROVED},
	    {"spam", STATUS_SPAM},
	    {"trash", STATUS_TRASH},
	    {"restore", STATUS_PENDING},
	};
	size_t i;

	for (i = 0; action && i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strcmp(action, actions[i].action) == 0) {
			*status = actions[i].status;
			return true;
		}
	return false;
}

const char *
moderation_visitor(const struct app *app, struct arena *a,
		   const char *visitor_id)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	char hex[33];

	if (visitor_id == NULL || visitor_id[0] == '\0')
		return "";
	mac_start(&st, app->secret);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"held:", 5);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)visitor_id,
				      strlen(visitor_id));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(hex, sizeof(hex), mac, 16);
	return arena_strdup(a, hex);
}

enum err
moderation_refuse(const struct app *app, struct arena *a,
		  const struct comment_input *in, struct comment_errors *errs)
{
	struct rules_input ri = {in->body, "", in->author, in->email,
				 in->url,  "", in->user_id};
	const char *w = rules_refused(&app->cfg, a, &ri);

	if (w == NULL)
		return ERR_OK;
	errs->body = arena_printf(
	    a, "Your comment cannot be posted: it contains \"%s\".", w);
	if (errs->body == NULL)
		errs->body = "Your comment cannot be posted as it is.";
	errs->err = ERR_INVALID;
	return ERR_INVALID;
}

/* Holds the first comments of a commenter not known by their account. */
static enum err
first_comment(struct app *app, const struct comment_input *in, bool *first)
{
	int64_t n = 0;
	enum err e;

	/*
	 * Only an account proves who a commenter is: an email typed into
	 * the form could be anyone's, so anonymous comments always wait.
	 */
	*first = true;
	if (in->user_id == 0)
		return ERR_OK;
	e = app->store->ops->mod_approved_by(app->store, in->user_id, in->email,
					     &n);
	*first = n == 0;
	return e;
}

/*
 * What c's text and sender deserve, whatever the site's policy: the
 * rules, bans and the classifier's score.  Sets c's score and features.
 */
static enum err
judge_content(struct app *app, struct arena *a, struct comment *c, int *out,
	      const char **why)
{
	const struct config *cfg = &app->cfg;
	struct rules_input ri = {c->body_md, c->body_html, c->author,
				 c->email,   c->url,	   c->ip ? c->ip : "",
				 c->user_id};
	const char *reason = NULL, *what;
	bool banned = false;
	enum err e;
	int status;

	c->spam_score = -1;
	c->spam_features = "";
	status = rules_judge(cfg, a, &ri, &reason);
	if (status != STATUS_SPAM) {
		e = ban_covers(app, a, c->user_id, c->email, ri.ip, &banned,
			       &what);
		if (e != ERR_OK)
			return e;
		if (banned) {
			status = STATUS_SPAM;
			reason = arena_printf(a, "banned %s", what);
		}
	}
	/* Scored always (moderators see the score); never learnt from here. */
	if (spam_live_score(app->spam, a, c->body_md, &c->spam_score,
			    &c->spam_features) &&
	    status != STATUS_SPAM) {
		int pct = (int)(c->spam_score * 100.0);

		if (pct >= cfg->spam_percent) {
			status = STATUS_SPAM;
			reason =
			    arena_printf(a, "spam score %.2f", c->spam_score);
		} else if (status == STATUS_APPROVED &&
			   pct >= cfg->hold_percent) {
			status = STATUS_PENDING;
			reason = arena_printf(a, "uncertain spam score %.2f",
					      c->spam_score);
		}
	}
	*out = status;
	*why = reason;
	return ERR_OK;
}

enum err
moderation_judge(struct app *app, struct arena *a,
		 const struct comment_input *in, struct comment *c)
{
	const struct config *cfg = &app->cfg;
	const char *reason = NULL;
	bool first;
	enum err e;
	int status;

	c->visitor = moderation_visitor(app, a, in->visitor);
	if (c->visitor == NULL)
		return ERR_NOMEM;
	if ((e = judge_content(app, a, c, &status, &reason)) != ERR_OK)
		return e;
	if (status == STATUS_APPROVED && cfg->moderation == MODERATION_HOLD) {
		status = STATUS_PENDING;
		reason = "every comment is held";
	}
	if (status == STATUS_APPROVED && cfg->moderation == MODERATION_FIRST) {
		if ((e = first_comment(app, in, &first)) != ERR_OK)
			return e;
		if (first) {
			status = STATUS_PENDING;
			reason = "first comment";
		}
	}
	c->status = status;
	c->reason = reason ? reason : "";
	return ERR_OK;
}

enum err
moderation_rejudge(struct app *app, struct arena *a, struct comment *c)
{
	const char *reason = NULL;
	enum err e;
	int status;

	if ((e = judge_content(app, a, c, &status, &reason)) != ERR_OK)
		return e;
	/*
	 * Worse only: new text may hold or spam a comment, never approve
	 * one a moderator has not.
	 */
	if (status == STATUS_SPAM ||
	    (status == STATUS_PENDING && c->status == STATUS_APPROVED)) {
		c->status = status;
		c->reason = reason ? reason : "";
	}
	return ERR_OK;
}

void
moderation_decided(struct app *app)
{
	if (app->spam_wake)
		app->spam_wake(app->spam_wake_arg);
}

enum err
moderation_set(struct app *app, struct arena *a, const int64_t *ids, size_t n,
	       int status, const char *action, const struct mod_actor *who,
	       size_t *changed)
{
	int64_t *articles;
	size_t narticles, i;
	enum err e;

	*changed = 0;
	if (n > MODERATION_BULK_MAX)
		return ERR_LIMIT;
	if (status < 0 || status >= STATUS__MAX)
		return ERR_INVALID;
	e = app->store->ops->mod_set_status(app->store, a, ids, n, status,
					    action, who, time_now(), &articles,
					    &narticles, changed);
	if (e != ERR_OK)
		return e;
	for (i = 0; i < narticles; i++)
		change_publish_one(app->changes, CHANGE_ARTICLE, articles[i]);
	if (*changed > 0 &&
	    (status == STATUS_APPROVED || status == STATUS_SPAM))
		moderation_decided(app);
	return ERR_OK;
}

enum err
moderation_edit(struct app *app, struct arena *a, int64_t id, const char *body,
		const struct mod_actor *who, const char **why)
{
	size_t chars = 0, len = strlen(body);
	const char *html;
	int64_t article_id = 0;
	struct buf out;
	enum err e;

	*why = NULL;
	if (!utf8_valid(body, len, &chars))
		*why = "The text has characters we cannot store.";
	else if (strspn(body, " \t\n\r\f\v") == len)
		*why = "A comment cannot be empty; trash it instead.";
	else if (chars > (size_t)app->cfg.max_length)
		*why = "The text is longer than a comment may be.";
	if (*why)
		return ERR_INVALID;
	/* The same renderer and sanitizer as every reader's comment. */
	buf_init(&out, LIMIT_COMMENT_MAX * 8);
	if (!markdown_render(&out, body, len, MARKDOWN_READER)) {
		buf_clear(&out);
		*why = "The text's formatting is too intricate to show.";
		return ERR_INVALID;
	}
	html = arena_strndup(a, buf_cstr(&out), out.len);
	buf_clear(&out);
	if (html == NULL)
		return ERR_NOMEM;
	e = app->store->ops->mod_edit(app->store, id, body, html, who,
				      time_now(), &article_id);
	if (e == ERR_OK)
		change_publish_one(app->changes, CHANGE_ARTICLE, article_id);
	return e;
}

enum err
moderation_purge(struct app *app, int days, const struct mod_actor *who,
		 int64_t *n)
{
	int64_t now = time_now();

	return app->store->ops->mod_purge(
	    app->store, now - (int64_t)days * 24 * 3600, who, now, n);
}

enum err
moderation_status(struct app *app, int64_t id, int *status)
{
	return app->store->ops->mod_status(app->store, id, status);
}

enum err
moderation_get(struct app *app, struct arena *a, int64_t id,
	       struct mod_item *out)
{
	return app->store->ops->mod_get(app->store, a, id, out);
}

enum err
moderation_list(struct app *app, struct arena *a, const struct mod_filter *f,
		struct mod_item **out, size_t *n)
{
	struct mod_filter g = *f;

	if (g.limit <= 0 || g.limit > MODERATION_PAGE_MAX)
		g.limit = MODERATION_PAGE_MAX;
	g.author = g.author ? g.author : "";
	g.email = g.email ? g.email : "";
	g.ip = g.ip ? g.ip : "";
	g.reason = g.reason ? g.reason : "";
	return app->store->ops->mod_list(app->store, a, &g, out, n);
}

enum err
moderation_counts(struct app *app, int64_t counts[STATUS__MAX])
{
	return app->store->ops->mod_counts(app->store, counts);
}

enum err
moderation_pending(struct app *app, int64_t *n)
{
	return app->store->ops->mod_pending_count(app->store, n);
}

enum err
moderation_log(struct app *app, struct arena *a, int64_t comment_id, int limit,
	       struct mod_log_entry **out, size_t *n)
{
	return app->store->ops->mod_log(app->store, a, comment_id, limit, out,
					n);
}

enum err
moderation_own_pending(struct app *app, struct arena *a, int64_t article_id,
		       int64_t user_id, const char *visitor_id,
		       struct comment **out, size_t *n)
{
	const char *v = moderation_visitor(app, a, visitor_id);

	*out = NULL;
	*n = 0;
	if (v == NULL)
		return ERR_NOMEM;
	if (user_id == 0 && v[0] == '\0')
		return ERR_OK;
	return app->store->ops->mod_own_pending(app->store, a, article_id,
						user_id, v, out, n);
}
