/*
 * moderate: the moderation pages; see moderate.h.  Every action is a POST
 * with a CSRF token (the router checks it and the role); the model logs
 * each one as the signed-in moderator's.
 */
#include "web/moderate.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "core/parse.h"
#include "core/ratelimit.h"
#include "core/util.h"
#include "model/ban.h"
#include "model/flag.h"
#include "model/moderation.h"
#include "model/user.h"
#include "render/template.h"
#include "web/account.h"
#include "web/web.h"

/* Comments a queue page shows. */
#define MODERATE_PER_PAGE 50

bool
moderate_is_staff(struct request *req)
{
	const struct user *u = account_user(req);

	return u != NULL && moderation_allowed(u->role);
}

/* The moderator acting: their account. */
static struct mod_actor
actor(struct request *req)
{
	const struct user *u = account_user(req);
	struct mod_actor who = {0, "unknown"};

	if (u != NULL) {
		who.id = u->id;
		who.name = arena_printf(&req->arena, "%s (user %lld)", u->name,
					(long long)u->id);
		if (who.name == NULL)
			who.name = u->name;
	}
	return who;
}

bool
moderate_put_pending(struct request *req, struct tv *v)
{
	int64_t n;

	if (!moderate_is_staff(req) ||
	    moderation_pending(req->app, &n) != ERR_OK)
		return true;
	return tv_put_str(
	    v, "mod_pending",
	    arena_printf(&req->arena, "%lld pending", (long long)n));
}

/*
 * Spends one action of the moderator's budget (their account, their
 * address, everyone's); false after answering 429 with Retry-After.
 */
static bool
budget(struct request *req, struct response *res)
{
	const struct user *u = account_user(req);
	struct app *app = req->app;
	double now = (double)time_now();
	int retry = 1;
	char secs[16];
	const char *mine =
	    u ? arena_printf(&req->arena, "u:%lld", (long long)u->id) : NULL;
	const char *where = arena_printf(&req->arena, "a:%s", req->client);
	bool ok;

	if (mine == NULL || where == NULL) {
		error_page(req, res, u ? 503 : 403, NULL);
		return false;
	}
	ok = ratelimit_take(app->limit_moderation, mine, now, &retry) &&
	     ratelimit_take(app->limit_moderation, where, now, &retry) &&
	     ratelimit_take(app->limit_moderation_all, "all", now, &retry);
	if (ok)
		return true;
	snprintf(secs, sizeof(secs), "%d", retry);
	error_page(req, res, 429,
		   "Too many moderation actions at once; wait a moment.");
	(void)response_header(res, "Retry-After", secs);
	return false;
}

/*
 * Where an action goes back to: a moderation page, or the article or
 * debate whose comment a moderator acted on in place; nothing else.
 */
static const char *
back_to(struct request *req)
{
	const char *b = req_has(req, "back") ? req_text(req, "back") : "";
	bool here = strncmp(b, "/moderate", 9) == 0 &&
		    (b[9] == '\0' || b[9] == '?' || b[9] == '/');

	if (strncmp(b, "/articles/", 10) == 0 ||
	    strncmp(b, "/debates/", 9) == 0)
		here = true;
	if (!here || strstr(b, "//") || strchr(b, '\\'))
		return "/moderate";
	return b;
}

/* The name of the queue f shows: a status, or "flagged". */
static const char *
queue_name(const struct mod_filter *f)
{
	return f->flagged ? "flagged" : moderation_status_name(f->status);
}

/* The queue's address (name) with its filters, and then (a query to add). */
static const char *
queue_href(struct request *req, const struct mod_filter *f, const char *name,
	   int64_t before)
{
	struct arena *a = &req->arena;

	return arena_printf(
	    a, "/moderate?status=%s%s%s%s%s%s%s%s%s%s%s%s%s", name,
	    f->article_id
		? arena_printf(a, "&article=%lld", (long long)f->article_id)
		: "",
	    f->author[0] ? "&author=" : "",
	    f->author[0] ? url_encode(a, f->author) : "",
	    f->email[0] ? "&email=" : "",
	    f->email[0] ? url_encode(a, f->email) : "", f->ip[0] ? "&ip=" : "",
	    f->ip[0] ? url_encode(a, f->ip) : "",
	    f->reason[0] ? "&reason=" : "",
	    f->reason[0] ? url_encode(a, f->reason) : "",
	    f->min_score ? arena_printf(a, "&score=%d", f->min_score) : "",
	    before ? "&before=" : "",
	    before ? arena_printf(a, "%lld", (long long)before) : "");
}

/* The queues, each with its count, the current one marked. */
static bool
put_queues(struct request *req, struct tv *v, const struct mod_filter *f)
{
	static const int order[] = {STATUS_PENDING, STATUS_SPAM, STATUS_TRASH,
				    STATUS_APPROVED};
	static const char *const labels[STATUS__MAX] = {
	    [STATUS_PENDING] = "Pending",
	    [STATUS_SPAM] = "Spam",
	    [STATUS_TRASH] = "Trash",
	    [STATUS_APPROVED] = "Approved",
	};
	int64_t counts[STATUS__MAX], flagged = 0;
	struct tv *list = tv_put_list(v, "queues"), *q;
	size_t i;

	if (list == NULL || moderation_counts(req->app, counts) != ERR_OK ||
	    flag_open_count(req->app, &flagged) != ERR_OK)
		return false;
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		int s = order[i];

		q = tv_push(list);
		if (q == NULL || !tv_put_str(q, "label", labels[s]) ||
		    !tv_put_str(
			q, "href",
			queue_href(req, f, moderation_status_name(s), 0)) ||
		    !tv_put_bool(q, "current", !f->flagged && f->status == s) ||
		    !tv_put_str(q, "count",
				s == STATUS_APPROVED
				    ? ""
				    : arena_printf(&req->arena, "%lld",
						   (long long)counts[s])))
			return false;
		/* Readers' flags come after what waits anyway. */
		if (s != STATUS_PENDING)
			continue;
		q = tv_push(list);
		if (q == NULL || !tv_put_str(q, "label", "Flagged") ||
		    !tv_put_str(q, "href", queue_href(req, f, "flagged", 0)) ||
		    !tv_put_bool(q, "current", f->flagged) ||
		    !tv_put_str(
			q, "count",
			arena_printf(&req->arena, "%lld", (long long)flagged)))
			return false;
	}
	return true;
}

/* "8 approved comments", "first comment" (none approved yet). */
static const char *
history(struct arena *a, int64_t approved)
{
	if (approved == 0)
		return "No approved comment yet.";
	return arena_printf(a, "%lld approved comment%s.", (long long)approved,
			    approved == 1 ? "" : "s");
}

/* A comment's open flags: each reader's reason, note and time. */
static bool
put_flags(struct request *req, struct tv *it, const struct mod_item *m)
{
	struct tv *list = tv_put_list(it, "flags");
	size_t i;

	if (list == NULL || !tv_put_bool(it, "has_flags", m->nflags > 0))
		return false;
	for (i = 0; i < m->nflags; i++) {
		struct tv *fl = tv_push(list);
		char when[64];

		time_format_human(m->flags[i].created, when, sizeof(when));
		if (fl == NULL ||
		    !tv_put_str(fl, "reason",
				flag_reason_label(m->flags[i].reason)) ||
		    !tv_put_str(fl, "note", m->flags[i].note) ||
		    !tv_put_str(fl, "when", arena_strdup(&req->arena, when)))
			return false;
	}
	return true;
}

/* One comment of a queue, or of its own page. */
static bool
put_item(struct request *req, struct tv *it, const struct mod_item *m)
{
	struct arena *a = &req->arena;
	const struct comment *c = &m->c;
	char when[64];

	time_format_human(c->created, when, sizeof(when));
	return put_flags(req, it, m) && tv_put_int(it, "id", c->id) &&
	       tv_put_str(it, "author", c->author) &&
	       tv_put_str(it, "email", c->email) &&
	       tv_put_str(it, "url", c->url) && tv_put_str(it, "ip", c->ip) &&
	       tv_put_str(it, "when", arena_strdup(a, when)) &&
	       tv_put_str(it, "status", moderation_status_name(c->status)) &&
	       tv_put_str(it, "own_change",
			  c->removed  ? "removed by its author"
			  : c->edited ? "edited by its author"
				      : "") &&
	       tv_put_str(it, "reason", c->reason) &&
	       tv_put_str(it, "score",
			  c->spam_score >= 0
			      ? arena_printf(a, "%.2f", c->spam_score)
			      : "") &&
	       tv_put_str(it, "features", c->spam_features) &&
	       tv_put_str(it, "article_title", m->article_title) &&
	       tv_put_str(it, "article_href",
			  arena_printf(a, "/%ss/%s", m->article_kind,
				       m->article_slug)) &&
	       tv_put_str(it, "parent_author", m->parent_author) &&
	       tv_put_str(it, "parent_text", m->parent_text) &&
	       tv_put_str(it, "history", history(a, m->approved)) &&
	       tv_put_safe(
		   it, "body_html",
		   (struct safe_html){c->body_html, strlen(c->body_html)});
}

/* Reads the queue's filters from the query. */
static bool
read_filter(struct request *req, struct mod_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->status = STATUS_PENDING;
	if (req_has(req, "status") &&
	    strcmp(req_text(req, "status"), "flagged") == 0)
		f->flagged = true;
	else if (req_has(req, "status") &&
		 !moderation_status_parse(req_text(req, "status"), &f->status))
		return false;
	f->article_id = req_has(req, "article") ? req_id(req, "article") : 0;
	f->author = req_text(req, "author");
	f->email = req_text(req, "email");
	f->ip = req_text(req, "ip");
	f->reason = req_text(req, "reason");
	f->min_score = req_has(req, "score") ? (int)req_int(req, "score") : 0;
	f->before = req_has(req, "before") ? req_id(req, "before") : 0;
	f->limit = MODERATE_PER_PAGE;
	return true;
}

/*
 * GET /moderate[?status=S|flagged][&article=ID][&author=A][&email=E][&ip=IP]
 * [&reason=R][&score=PCT][&before=ID]: moderators (router).  A queue,
 * newest first, with bulk actions.
 */
void
moderate_page(struct request *req, struct response *res)
{
	struct arena *a = &req->arena;
	struct mod_item *items;
	struct mod_filter f;
	struct tv *v, *list;
	size_t n = 0, i;
	enum err e;

	if (!read_filter(req, &f)) {
		error_page(req, res, 400, "There is no queue of that name.");
		return;
	}
	e = moderation_list(req->app, a, &f, &items, &n);
	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	v = account_view(req, res, "Moderation", ACCOUNT_CSRF);
	if (v == NULL || !put_queues(req, v, &f) ||
	    !tv_put_str(v, "status", queue_name(&f)) ||
	    !tv_put_str(v, "f_article",
			f.article_id
			    ? arena_printf(a, "%lld", (long long)f.article_id)
			    : "") ||
	    !tv_put_str(v, "f_author", f.author) ||
	    !tv_put_str(v, "f_email", f.email) ||
	    !tv_put_str(v, "f_ip", f.ip) ||
	    !tv_put_str(v, "f_reason", f.reason) ||
	    !tv_put_str(v, "f_score",
			f.min_score ? arena_printf(a, "%d", f.min_score)
				    : "") ||
	    !tv_put_str(v, "back",
			queue_href(req, &f, queue_name(&f), f.before)) ||
	    !tv_put_bool(v, "has_items", n > 0) ||
	    (list = tv_put_list(v, "items")) == NULL)
		v = NULL;
	for (i = 0; v && i < n; i++) {
		struct tv *it = tv_push(list);

		if (it == NULL || !put_item(req, it, &items[i]))
			v = NULL;
	}
	if (v && n == (size_t)f.limit &&
	    !tv_put_str(v, "older_href",
			queue_href(req, &f, queue_name(&f), items[n - 1].c.id)))
		v = NULL;
	page_render(req, res, 200, "moderate", v);
}

/*
 * POST /moderate/bulk: moderators; CSRF.  Fields: id (one per checked
 * comment) and action (approve, spam, trash, restore), or one
 * ("ACTION:ID", a single comment's button); back.  303 back.
 */
void
moderate_bulk(struct request *req, struct response *res)
{
	int64_t ids[MODERATION_BULK_MAX];
	struct mod_actor who = actor(req);
	const char *action = req_text(req, "action");
	char *one;
	size_t n = 0, changed;
	int status;
	enum err e;

	if (!budget(req, res))
		return;
	if (req_has(req, "one")) {
		char *colon;

		one = arena_strdup(&req->arena, req_text(req, "one"));
		colon = one ? strchr(one, ':') : NULL;
		if (colon == NULL || !parse_id(colon + 1, &ids[0])) {
			error_page(req, res, 400, "That action is not one.");
			return;
		}
		*colon = '\0';
		action = one;
		n = 1;
	} else if (!req_ids(req, "id", ids, MODERATION_BULK_MAX, &n)) {
		error_page(req, res, 413,
			   "Choose at most 50 comments at once.");
		return;
	}
	if (!moderation_action_status(action, &status)) {
		error_page(req, res, 422,
			   "Choose approve, spam, trash or back to pending.");
		return;
	}
	e = moderation_set(req->app, &req->arena, ids, n, status, action, &who,
			   &changed);
	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	response_redirect(res, back_to(req));
}

/* A comment's log lines, newest first. */
static bool
put_log(struct request *req, struct tv *v, const struct mod_log_entry *log,
	size_t n)
{
	struct tv *list = tv_put_list(v, "log");
	size_t i;

	if (list == NULL || !tv_put_bool(v, "has_log", n > 0))
		return false;
	for (i = 0; i < n; i++) {
		struct tv *it = tv_push(list);
		char when[64];

		time_format_human(log[i].at, when, sizeof(when));
		if (it == NULL ||
		    !tv_put_str(it, "when", arena_strdup(&req->arena, when)) ||
		    !tv_put_str(it, "action", log[i].action) ||
		    !tv_put_str(it, "actor", log[i].actor) ||
		    !tv_put_int(it, "comment_id", log[i].comment_id) ||
		    !tv_put_str(it, "before", log[i].status_before) ||
		    !tv_put_str(it, "after", log[i].status_after) ||
		    !tv_put_str(it, "text_before", log[i].text_before) ||
		    !tv_put_str(it, "text_after", log[i].text_after) ||
		    !tv_put_bool(it, "edited",
				 log[i].text_before[0] != '\0' ||
				     log[i].text_after[0] != '\0') ||
		    !tv_put_str(it, "detail", log[i].detail))
			return false;
	}
	return true;
}

/* The network a ban form offers for an address: its /24 or /64. */
static const char *
network_of(struct arena *a, const char *ip)
{
	const char *why;
	const char *v = ban_normal_value(a, BAN_ADDRESS, ip, &why);

	if (v == NULL)
		return "";
	if (strchr(v, '/') != NULL)
		return v; /* IPv6: already its /64 */
	return ban_normal_value(a, BAN_NETWORK, arena_printf(a, "%s/24", v),
				&why);
}

/* Renders a comment's page; body and error for an edit refused. */
static void
moderate_render_comment(struct request *req, struct response *res, int64_t id,
			const char *body, const char *error, unsigned status)
{
	struct arena *a = &req->arena;
	struct mod_log_entry *log = NULL;
	struct mod_item m;
	struct tv *v, *it;
	size_t n = 0;
	enum err e = moderation_get(req->app, a, id, &m);

	if (e == ERR_OK)
		e = moderation_log(req->app, a, id, 100, &log, &n);
	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	v = account_view(req, res, "Moderate a comment", ACCOUNT_CSRF);
	if (v == NULL || (it = tv_put_obj(v, "item")) == NULL ||
	    !put_item(req, it, &m) ||
	    !tv_put_str(v, "body", body ? body : m.c.body_md) ||
	    !tv_put_str(v, "error", error) ||
	    !tv_put_str(
		v, "back",
		arena_printf(a, "/moderate/comments/%lld", (long long)id)) ||
	    !tv_put_str(v, "ban_account",
			m.c.user_id
			    ? arena_printf(a, "%lld", (long long)m.c.user_id)
			    : "") ||
	    !tv_put_str(v, "ban_network", network_of(a, m.c.ip)) ||
	    !put_log(req, v, log, n))
		v = NULL;
	page_render(req, res, status, "moderate_comment", v);
}

/* GET /moderate/comments/ID: moderators.  Context, edit, ban, history. */
void
moderate_comment_page(struct request *req, struct response *res)
{
	moderate_render_comment(req, res, req_id(req, "id"), NULL, NULL, 200);
}

/*
 * POST /moderate/comments/ID/edit: moderators; CSRF.  Field: body, the
 * new Markdown, rendered by the readers' renderer.  303 to the comment's
 * page, or the page again (422) with the text kept.
 */
void
moderate_edit(struct request *req, struct response *res)
{
	int64_t id = req_id(req, "id");
	struct mod_actor who = actor(req);
	size_t len;
	const char *body = req_raw(req, "body", &len), *why = NULL;
	enum err e;

	if (!budget(req, res))
		return;
	if (body == NULL || strlen(body) != len) {
		moderate_render_comment(
		    req, res, id, body ? body : "",
		    "The text has characters we cannot store.", 422);
		return;
	}
	e = moderation_edit(req->app, &req->arena, id, body, &who, &why);
	if (e == ERR_INVALID) {
		moderate_render_comment(req, res, id, body, why, 422);
		return;
	}
	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	response_redirect(res,
			  arena_printf(&req->arena, "/moderate/comments/%lld",
				       (long long)id));
}

/*
 * POST /moderate/ban: moderators; CSRF.  Fields: kind (account, email,
 * address, network), value, days (0: for good), reason, back.  303 back;
 * a value that is not one: 422 with why.
 */
void
moderate_ban(struct request *req, struct response *res)
{
	struct mod_actor who = actor(req);
	const char *why = NULL;
	int64_t id;
	int kind;
	enum err e;

	if (!budget(req, res))
		return;
	if (!ban_kind_parse(req_text(req, "kind"), &kind)) {
		error_page(
		    req, res, 422,
		    "A ban is of an account, email, address or network.");
		return;
	}
	e = ban_add(req->app, &req->arena, kind, req_text(req, "value"),
		    req_text(req, "reason"), req_int(req, "days") * 24 * 3600,
		    &who, &id, &why);
	if (e == ERR_INVALID) {
		error_page(req, res, 422, why);
		return;
	}
	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	response_redirect(res, back_to(req));
}

/* GET /moderate/log: admins (router).  The latest moderation actions. */
void
moderate_log_page(struct request *req, struct response *res)
{
	struct mod_log_entry *log = NULL;
	size_t n = 0;
	struct tv *v;
	enum err e = moderation_log(req->app, &req->arena, 0, 500, &log, &n);

	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	v = account_view(req, res, "Moderation log", 0);
	if (v == NULL || !put_log(req, v, log, n))
		v = NULL;
	page_render(req, res, 200, "moderate_log", v);
}
