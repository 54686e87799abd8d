/*
 * discussion: the reader discussion of any page that has one: its view
 * (comments, threads, pages, orders, form) and its post flow.  See
 * discussion.h.
 */
#include "web/discussion.h"

#include <string.h>

#include "app.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/util.h"
#include "model/comment.h"
#include "model/comment_limits.h"
#include "render/template.h"
#include "http/csrf.h"
#include "model/moderation.h"
#include "web/account.h"
#include "web/held.h"
#include "web/moderate.h"
#include "web/web.h"

const char *
discussion_query(struct arena *a, int64_t page, const char *sort_name,
		 bool columns)
{
	return arena_printf(
	    a, "%s%s%s%s%s",
	    page > 1 ? arena_printf(a, "cpage=%lld", (long long)page) : "",
	    page > 1 && sort_name ? "&" : "",
	    sort_name ? arena_printf(a, "sort=%s", sort_name) : "",
	    columns && (page > 1 || sort_name) ? "&" : "",
	    columns ? "view=columns" : "");
}

const char *
discussion_comment_href(struct arena *a, const char *base, int64_t page,
			int64_t id)
{
	if (page > 1)
		return arena_printf(a, "%s?cpage=%lld#comment-%lld", base,
				    (long long)page, (long long)id);
	return arena_printf(a, "%s#comment-%lld", base, (long long)id);
}

/* The name of order sort in addresses; NULL for the default order. */
static const char *
sort_name(const struct discussion *d, int sort)
{
	return d->sort_names && sort > 0 && sort < d->nsorts
		   ? d->sort_names[sort]
		   : NULL;
}

/*
 * The address of page of d in order sort and view columns, then what
 * follows (an anchor, or a query to add); NULL when out of memory.
 */
static const char *
page_href(struct arena *a, const struct discussion *d, int64_t page, int sort,
	  bool columns, const char *then)
{
	const char *q = discussion_query(a, page, sort_name(d, sort), columns);

	if (q == NULL)
		return NULL;
	return arena_printf(a, "%s%s%s%s", d->base, q[0] ? "?" : "", q, then);
}

/* The page of d shown now, with then after it. */
static const char *
here_href(struct arena *a, const struct discussion *d, int64_t page,
	  const char *then)
{
	return page_href(a, d, page, d->sort, d->columns, then);
}

/* "22 November 2026 at 18:00", with the discussion's suffix. */
static const char *
when_text(struct arena *a, const struct discussion *d, int64_t t)
{
	char when[64];

	time_format_human(t, when, sizeof(when));
	if (d->when_suffix[0] == '\0')
		return arena_strdup(a, when);
	return arena_printf(a, "%s%s", when, d->when_suffix);
}

static const char *
when_iso(struct arena *a, int64_t t)
{
	char iso[32];

	time_format_iso(t, iso, sizeof(iso));
	return arena_strdup(a, iso);
}

/* "1 reader", "3 readers". */
static const char *
readers(struct arena *a, int64_t n)
{
	return n == 1 ? "1 reader"
		      : arena_printf(a, "%lld readers", (long long)n);
}

/*
 * The comment text one page may carry, in bytes of HTML.  Each comment
 * is bounded by its source (markdown.h), but a page holds as many as its
 * threads have replies, and text stored before that bound existed is
 * not bounded at all: past this budget comments are listed without
 * their text, so that what readers post never pushes the page past
 * LIMIT_PAGE_HTML (a 503 for everyone, the article gone with it).
 */
#define DISCUSSION_HTML_BUDGET (LIMIT_PAGE_HTML / 2)

static const char held_note[] =
    "<p class=\"note\">This comment is not shown here: the page already "
    "holds as much text as it can.</p>\n";

/* What every comment of the page shares. */
struct thread_ctx {
	struct arena *a;
	const struct discussion *d;
	bool staff;		/* a moderator's buttons on each comment */
	const char *reply_base; /* the page's address and query, then '?'/'&' */
	/* The reader's comments they may still change (web/held.h). */
	const int64_t *own;
	size_t nown;
	size_t *html_left; /* of DISCUSSION_HTML_BUDGET */
};

/* The text of c if the page has room for it, else a note; uses up left. */
static struct safe_html
body_shown(const struct comment *c, size_t *left)
{
	size_t n = strlen(c->body_html);

	if (n > *left)
		return (struct safe_html){held_note, sizeof(held_note) - 1};
	*left -= n;
	return (struct safe_html){c->body_html, n};
}

/* The badge beside an author's name: its text and its class. */
static const char *const badge_labels[BADGE__MAX] = {
    [BADGE_NONE] = "", [BADGE_MEMBER] = "Member", [BADGE_STAFF] = "Staff"};
static const char *const badge_css[BADGE__MAX] = {
    [BADGE_NONE] = "",
    [BADGE_MEMBER] = "member-badge",
    [BADGE_STAFF] = "staff-badge"};

/*
 * The badge of c's author, and the address of their profile when they
 * have one (web/account.c shows confirmed accounts only), else "".  The
 * same for every reader, so it is part of the cached page; a change of
 * the account's role or state drops the pages of its comments
 * (model/user.c).
 */
static bool
put_badge(struct arena *a, struct tv *item, const struct comment *c)
{
	enum comment_badge b = comment_badge(c);
	const char *href =
	    b != BADGE_NONE && c->author_profile
		? arena_printf(a, "/users/%lld", (long long)c->user_id)
		: "";

	return href != NULL && tv_put_str(item, "badge", badge_labels[b]) &&
	       tv_put_str(item, "badge_css", badge_css[b]) &&
	       tv_put_str(item, "profile_href", href);
}

/*
 * One comment and its replies.  Every key is set on every item, even when
 * false or empty: a name missing here would be looked up in the parent
 * comment's scope and repeat what belongs to it (see template.h).
 */
static bool
put_comment(const struct thread_ctx *x, struct tv *item,
	    const struct thread_node *node)
{
	const struct discussion *d = x->d;
	const struct comment *c = node->c;
	const struct thread_node *ch;
	struct arena *a = x->a;
	bool sides = d->side_labels != NULL;
	struct tv *replies;
	bool mine = false;
	size_t i;

	for (i = 0; i < x->nown && !mine; i++)
		mine = x->own[i] == c->id;
	if (!tv_put_int(item, "id", c->id) ||
	    !tv_put_str(item, "author", c->author) ||
	    !tv_put_str(item, "url", c->url) ||
	    !tv_put_bool(item, "has_url", c->url[0] != '\0') ||
	    !put_badge(a, item, c) || !tv_put_str(item, "avatar", c->avatar) ||
	    !tv_put_str(item, "when", when_text(a, d, c->created)) ||
	    !tv_put_str(item, "when_iso", when_iso(a, c->created)) ||
	    !tv_put_bool(item, "edited", c->edited > 0 && !c->removed) ||
	    !tv_put_bool(item, "removed", c->removed) ||
	    !tv_put_safe(item, "body_html", body_shown(c, x->html_left)) ||
	    !tv_put_int(item, "depth", c->depth) ||
	    !tv_put_str(item, "reply_href",
			arena_printf(a, "%sreplytocom=%lld#respond",
				     x->reply_base, (long long)c->id)) ||
	    !tv_put_bool(item, "sides", sides) ||
	    !tv_put_str(item, "side_css", sides ? d->side_css[c->side] : "") ||
	    !tv_put_bool(item, "has_side", sides && c->side != SIDE_NONE) ||
	    !tv_put_str(item, "side_label",
			sides ? d->side_labels[c->side] : "") ||
	    !tv_put_bool(item, "featured", c->featured) ||
	    !tv_put_bool(item, "can_feature", d->can_feature) ||
	    !tv_put_bool(item, "can_mark", d->can_mark) ||
	    !tv_put_bool(item, "has_minds", c->minds > 0) ||
	    !tv_put_bool(item, "pending", c->status == STATUS_PENDING) ||
	    !tv_put_bool(item, "can_moderate", x->staff) ||
	    !tv_put_bool(item, "can_change", mine) ||
	    !tv_put_str(item, "minds_label",
			c->minds > 0 ? readers(a, c->minds) : ""))
		return false;
	replies = tv_put_list(item, "replies");
	if (replies == NULL ||
	    !tv_put_bool(item, "has_replies", node->first_child != NULL))
		return false;
	for (ch = node->first_child; ch != NULL; ch = ch->next) {
		struct tv *sub = tv_push(replies);

		if (sub == NULL || !put_comment(x, sub, ch))
			return false;
	}
	return true;
}

/* The editors' picks, on the first page. */
static bool
put_featured(struct arena *a, struct tv *v, const struct discussion *d,
	     size_t *html_left)
{
	struct tv *list = tv_put_list(v, "featured");
	size_t i;

	if (list == NULL ||
	    !tv_put_bool(v, "has_featured", d->nfeatured > 0 && d->page == 1))
		return false;
	for (i = 0; d->page == 1 && i < d->nfeatured; i++) {
		const struct comment *c = &d->featured[i];
		struct tv *it = tv_push(list);

		if (it == NULL || !tv_put_int(it, "id", c->id) ||
		    !tv_put_str(it, "author", c->author) ||
		    !tv_put_str(it, "avatar", c->avatar) ||
		    !tv_put_str(it, "when", when_text(a, d, c->created)) ||
		    !tv_put_str(it, "when_iso", when_iso(a, c->created)) ||
		    !tv_put_safe(it, "body_html", body_shown(c, html_left)) ||
		    !tv_put_bool(it, "has_side", c->side != SIDE_NONE) ||
		    !tv_put_str(it, "side_label", d->side_labels[c->side]) ||
		    !tv_put_str(it, "side_css", d->side_css[c->side]))
			return false;
	}
	return true;
}

/*
 * The comments: one threaded list, or one column per side; on a page
 * rendered for one reader, with their own held comments.
 */
static bool
put_threads(struct request *req, struct tv *v, const struct discussion *d,
	    const struct form_state *form, size_t *html_left)
{
	struct arena *a = &req->arena;
	struct thread_ctx x = {a, d, form->staff, NULL, NULL, 0, html_left};
	int64_t *own = NULL;
	struct tv *list = tv_put_list(v, "comments"), *cols[3] = {NULL};
	const struct comment *comments = d->comments;
	size_t ncomments = d->ncomments, neutral = 0;
	struct thread_node *node;
	const char *q;

	if (form->own_held &&
	    (!held_merge(req, d, &comments, &ncomments) ||
	     !held_changeable(req, d->article_id, &own, &x.nown)))
		return false;
	x.own = own;

	q = discussion_query(a, d->page, sort_name(d, d->sort), d->columns);
	if (q == NULL || list == NULL ||
	    (x.reply_base = arena_printf(a, "%s?%s%s", d->base, q,
					 q[0] ? "&" : "")) == NULL)
		return false;
	if (d->side_labels &&
	    ((cols[SIDE_NONE] = tv_put_list(v, "col_none")) == NULL ||
	     (cols[SIDE_A] = tv_put_list(v, "col_a")) == NULL ||
	     (cols[SIDE_B] = tv_put_list(v, "col_b")) == NULL ||
	     !tv_put_bool(v, "by_side", d->columns)))
		return false;
	for (node = comment_thread(a, comments, ncomments); node;
	     node = node->next) {
		bool in_column = d->side_labels && d->columns;
		struct tv *it = tv_push(in_column ? cols[node->c->side] : list);

		neutral += node->c->side == SIDE_NONE;
		if (it == NULL || !put_comment(&x, it, node))
			return false;
	}
	return d->side_labels == NULL ||
	       tv_put_bool(v, "has_col_none", d->columns && neutral > 0);
}

/*
 * On a moderator's page: the form their buttons on each comment submit
 * (web/moderate.c), back to this page.
 */
static bool
put_moderate_form(struct request *req, struct tv *v, const struct discussion *d,
		  const struct form_state *form)
{
	const char *visitor, *token;
	struct tv *mf;

	if (!form->staff)
		return true;
	/* A signed-in moderator's browser has its visitor id already. */
	visitor = csrf_visitor_id(req);
	token = visitor ? csrf_token(req, visitor) : NULL;
	if (token == NULL)
		return true;
	return (mf = tv_put_obj(v, "moderate_form")) != NULL &&
	       tv_put_str(mf, "csrf", token) &&
	       tv_put_str(mf, "back",
			  here_href(&req->arena, d, d->page, "#comments"));
}

/* The orders and views offered, where the discussion has them. */
static bool
put_orders(struct arena *a, struct tv *v, const struct discussion *d)
{
	struct tv *sorts = tv_put_list(v, "sorts"), *views;
	int s;

	if (sorts == NULL || (views = tv_put_list(v, "views")) == NULL)
		return false;
	for (s = 0; s < d->nsorts; s++) {
		struct tv *it = tv_push(sorts);

		if (it == NULL || !tv_put_str(it, "label", d->sort_labels[s]) ||
		    !tv_put_str(
			it, "href",
			page_href(a, d, 1, s, d->columns, "#comments")) ||
		    !tv_put_bool(it, "current", s == d->sort))
			return false;
	}
	for (s = 0; s < 2; s++) {
		struct tv *it = tv_push(views);

		if (it == NULL ||
		    !tv_put_str(it, "label", s ? "Side by side" : "Thread") ||
		    !tv_put_str(it, "href",
				page_href(a, d, d->page, d->sort, s == 1,
					  "#comments")) ||
		    !tv_put_bool(it, "current", (s == 1) == d->columns))
			return false;
	}
	return true;
}

/*
 * The pages: the first and the last, two either side of the current one,
 * and a gap where pages are left out.
 */
static bool
put_pagination(struct arena *a, struct tv *v, const struct discussion *d,
	       int per_page)
{
	int64_t npages = d->thread_count
			     ? (d->thread_count + per_page - 1) / per_page
			     : 1,
		page = d->page, p;
	struct tv *pg, *pages;

	if (npages <= 1)
		return true;
	if ((pg = tv_put_obj(v, "pagination")) == NULL ||
	    (pages = tv_put_list(pg, "pages")) == NULL ||
	    (page > 1 && !tv_put_str(pg, "prev_href",
				     here_href(a, d, page - 1, "#comments"))) ||
	    (page < npages &&
	     !tv_put_str(pg, "next_href",
			 here_href(a, d, page + 1, "#comments"))))
		return false;
	for (p = 1; p <= npages; p++) {
		struct tv *pi;

		if (p != 1 && p != npages && (p < page - 2 || p > page + 2)) {
			if ((p == page - 3 || p == page + 3) &&
			    ((pi = tv_push(pages)) == NULL ||
			     !tv_put_bool(pi, "gap", true)))
				return false;
			continue;
		}
		if ((pi = tv_push(pages)) == NULL ||
		    !tv_put_int(pi, "number", p) ||
		    !tv_put_bool(pi, "current", p == page) ||
		    !tv_put_str(pi, "href", here_href(a, d, p, "#comments")))
			return false;
	}
	return true;
}

/* The form: reply target, the side where sides apply, the text, messages. */
static bool
put_form(struct request *req, struct tv *v, const struct discussion *d,
	 const struct form_state *form)
{
	struct arena *a = &req->arena;
	const struct comment_errors *errs = form->errors;
	struct tv *fv = tv_put_obj(v, "form");
	bool sides = d->side_labels != NULL;

	if (fv == NULL || !tv_put_bool(fv, "open", d->open) ||
	    !tv_put_str(fv, "action",
			arena_printf(a, "%s/comments", d->base)) ||
	    !tv_put_int(fv, "parent", form->parent) ||
	    !tv_put_safe(fv, "identity", html_literal(PAGE_HOLE)) ||
	    !tv_put_bool(fv, "sides", sides))
		return false;
	if (sides &&
	    (!tv_put_str(fv, "label_a", d->side_labels[SIDE_A]) ||
	     !tv_put_str(fv, "label_b", d->side_labels[SIDE_B]) ||
	     !tv_put_bool(fv, "side_a", form->side == SIDE_A) ||
	     !tv_put_bool(fv, "side_b", form->side == SIDE_B) ||
	     !tv_put_bool(fv, "side_none",
			  form->side != SIDE_A && form->side != SIDE_B)))
		return false;
	if (form->parent) {
		struct comment c;
		struct tv *rt;

		/* A reply to a comment of another page is a new comment. */
		if (comment_get(req->app, a, form->parent, &c) == ERR_OK &&
		    c.article_id == d->article_id) {
			if ((rt = tv_put_obj(fv, "reply_to")) == NULL ||
			    !tv_put_str(rt, "name", c.author) ||
			    !tv_put_str(rt, "cancel_href",
					here_href(a, d, d->page, "#respond")))
				return false;
		} else if (!tv_put_int(fv, "parent", 0)) {
			return false;
		}
	}
	/* The text and its message are always put ("" for a fresh form). */
	if (!tv_put_str(fv, "body", form->input ? form->input->body : NULL) ||
	    !tv_put_str(fv, "body_error", errs ? errs->body : NULL) ||
	    (errs && errs->form && !tv_put_str(fv, "form_error", errs->form)))
		return false;
	/* A refused body is marked for assistive technology, on every page. */
	return tv_put_str(fv, "body_invalid_attr",
			  errs && errs->body ? "true" : "false");
}

bool
discussion_put(struct request *req, struct tv *v, const struct discussion *d,
	       const struct form_state *form)
{
	struct arena *a = &req->arena;
	int64_t n = d->comment_count;
	size_t html_left = DISCUSSION_HTML_BUDGET;
	const char *heading =
	    n == 0   ? "No comments yet"
	    : n == 1 ? arena_printf(a, "1 thought on “%s”", d->title)
		     : arena_printf(a, "%lld thoughts on “%s”", (long long)n,
				    d->title);

	if (!tv_put_str(v, "heading", heading) ||
	    !put_moderate_form(req, v, d, form) ||
	    !put_threads(req, v, d, form, &html_left) ||
	    !put_pagination(a, v, d, req->app->cfg.per_page))
		return false;
	if (d->nsorts > 0 && !put_orders(a, v, d))
		return false;
	if (d->side_labels && !put_featured(a, v, d, &html_left))
		return false;
	req->page_state = form;
	return put_form(req, v, d, form);
}

/*
 * Copies the declared field called name into out as sent (NULL when
 * absent): the model checks the comment form's fields itself.
 */
static void
form_field(const struct request *req, const char *name,
	   struct comment_field *out)
{
	out->value = req_raw(req, name, &out->len);
}

/* The comment form's fields as the request carried them; NULL: no memory. */
static const struct comment_form *
form_read(struct request *req)
{
	struct comment_form *cf = arena_zalloc(&req->arena, sizeof(*cf));
	size_t n;

	if (cf == NULL)
		return NULL;
	form_field(req, "author", &cf->author);
	form_field(req, "email", &cf->email);
	form_field(req, "url", &cf->url);
	form_field(req, "body", &cf->body);
	form_field(req, "key", &cf->key);
	form_field(req, "parent", &cf->parent);
	form_field(req, "website_confirm", &cf->honeypot);
	form_field(req, "stamp", &cf->stamp);
	cf->remember = req_raw(req, "remember", &n) != NULL;
	return cf;
}

/*
 * Reads the side field into in->side: "a", "b", or empty (or absent) for
 * none.  False, with the message in errs, for anything else.
 */
bool
discussion_read_side(struct request *req, struct comment_input *in,
		     struct comment_errors *errs)
{
	size_t n;
	const char *side = req_raw(req, "side", &n);

	in->side = SIDE_NONE;
	if (side == NULL || n == 0)
		return true;
	if (n == 1 && side[0] == 'a')
		in->side = SIDE_A;
	else if (n == 1 && side[0] == 'b')
		in->side = SIDE_B;
	else {
		errs->form = "Choose a side your comment supports, or neither.";
		errs->err = ERR_INVALID;
		return false;
	}
	return true;
}

/* Sets or clears the cookie that remembers the reader's name. */
static void
remember_cookie(struct request *req, struct response *res,
		const struct comment_input *in)
{
	struct arena *a = &req->arena;
	const char *secure =
	    strncmp(req->app->base_url, "https:", 6) == 0 ? "; Secure" : "";
	char *cookie;

	if (in->remember)
		cookie = arena_printf(
		    a,
		    "%s=a=%s&e=%s&u=%s; Path=/; Max-Age=31536000;"
		    " HttpOnly; SameSite=Lax%s",
		    DISCUSSION_WHO_COOKIE, url_encode(a, in->author),
		    url_encode(a, in->email), url_encode(a, in->url), secure);
	else if (request_cookie(req, DISCUSSION_WHO_COOKIE))
		cookie = arena_printf(
		    a, "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax%s",
		    DISCUSSION_WHO_COOKIE, secure);
	else
		return;
	if (cookie)
		(void)response_header(res, "Set-Cookie", cookie);
}

/* Shows the page again with the refused form, its text kept. */
static void
refuse(struct request *req, struct response *res,
       const struct discussion_post *p, struct comment_input *in,
       const struct comment_errors *errs)
{
	struct form_state *form;

	/* The database failed: its discussion cannot be read now either. */
	if (errs->err == ERR_DB) {
		discussion_unsaved(req, res, p->base, p->sides, in, errs->form);
		return;
	}
	if ((form = arena_zalloc(&req->arena, sizeof(*form))) == NULL) {
		error_page(req, res, 503, NULL);
		return;
	}
	form->parent = in->parent;
	form->input = in;
	form->errors = errs;
	form->side = in->side;
	form->with_identity = true;
	form->own_held = true;
	form->page = 1;
	/* A refused reply is shown on the page of the comment it answers. */
	if (in->parent) {
		int64_t page;

		if (comment_page_of(req->app, &req->arena, p->art->id,
				    in->parent, &page) == ERR_OK)
			form->page = page;
	}
	p->refused(req, res, p->ctx, form, err_status(errs->err));
}

/*
 * A comment post between its submission and its answer.  The caller's
 * struct discussion_post, its article and its ctx live in the caller's
 * frame, gone by the time the post is answered: copied here, in the
 * request's arena.
 */
struct posting {
	struct request *req;
	struct discussion_post p;
	struct article art;
	const struct user *u;
	struct comment_input in;
	struct comment_errors errs;
	enum err e;
	int64_t id;
	int retry_after; /* over a budget: seconds until the next post */
};

/* The store's report, on its writer thread: wakes the suspended post. */
static void
posting_stored(void *arg, enum err e, int64_t id)
{
	struct posting *po = arg;

	po->e = e;
	po->id = id;
	request_resume(po->req);
}

/* Answers a comment post once its write is over, or refused before it. */
static void
posting_answer(struct request *req, struct response *res, void *arg)
{
	struct posting *po = arg;
	const struct discussion_post *p = &po->p;
	enum err e =
	    comment_refusal(po->e, po->id, &po->in, &po->errs, p->place);
	int64_t page;

	if (e == ERR_FORBIDDEN) {
		error_page(req, res, 403, "Comments are closed.");
		return;
	}
	if (e != ERR_OK && e != ERR_INVALID) {
		/* "comment on SLUG", "comment on debate SLUG". */
		bool article = strcmp(p->place, "article") == 0;

		log_warnx("comment on %s%s%s not stored: %s",
			  article ? "" : p->place, article ? "" : " ",
			  p->art->slug, err_str(e));
		/*
		 * The form keeps its key: sent again, it finds the comment
		 * if it was stored after all, and stores it once if not.
		 */
		po->errs.form =
		    e == ERR_UNSURE
			? "We could not make sure your comment was saved. "
			  "Please send this form again as it is: your comment "
			  "will not be stored twice."
			: "Your comment could not be saved just now. Please "
			  "send it again.";
		po->errs.err = ERR_DB;
	}
	if (e != ERR_OK) {
		if (po->errs.err == ERR_LIMIT)
			(void)response_header(
			    res, "Retry-After",
			    arena_printf(&req->arena, "%d", po->retry_after));
		refuse(req, res, p, &po->in, &po->errs);
		return;
	}
	if (po->u == NULL)
		remember_cookie(req, res, &po->in);
	held_remember_own(req, res);
	/* A comment held for a moderator is shown to its reader alone. */
	if (held_answer(req, res, p->art, p->base, po->id, po->in.parent))
		return;
	/* The page that shows the new comment's thread. */
	if (comment_page_of(req->app, &req->arena, p->art->id, po->id, &page) !=
	    ERR_OK)
		page = 1;
	response_redirect(
	    res, discussion_comment_href(&req->arena, p->base, page, po->id));
}

void
discussion_post(struct request *req, struct response *res,
		const struct discussion_post *p)
{
	struct posting *po = arena_zalloc(&req->arena, sizeof(*po));
	void *ctx = p->ctx_size ? arena_alloc(&req->arena, p->ctx_size) : NULL;
	const struct comment_form *cf;
	enum err e;

	if (p->base == NULL || po == NULL || (p->ctx_size && ctx == NULL)) {
		error_page(req, res, 503, NULL);
		return;
	}
	po->req = req;
	po->p = *p;
	po->art = *p->art;
	po->p.art = &po->art;
	if (ctx != NULL) {
		memcpy(ctx, p->ctx, p->ctx_size);
		po->p.ctx = ctx;
	}
	po->u = account_user(req);
	if (po->u == NULL && req->app->cfg.policy == POLICY_SIGNIN) {
		error_page(req, res, 403, "Please sign in to comment.");
		return;
	}
	if (!p->open) {
		error_page(req, res, 403, "Comments are closed.");
		return;
	}
	cf = form_read(req);
	po->e =
	    comment_read_form(req->app, &req->arena, cf, &po->in, &po->errs);
	/* A signed-in reader comments as their account. */
	if (po->u && po->e != ERR_NOMEM)
		po->e = comment_as_user(&po->in, &po->errs, po->u, po->e);
	if (po->e != ERR_NOMEM && p->sides &&
	    !discussion_read_side(req, &po->in, &po->errs))
		po->e = ERR_INVALID;
	/* The form itself, then the budgets: a refused form costs none. */
	if (po->e == ERR_OK)
		po->e =
		    comment_limits_form(req->app, &req->arena, &cf->stamp,
					&po->in, &po->errs, time_now_msec());
	/* Members' names and emails are for members signed in. */
	if (po->e == ERR_OK && po->u == NULL)
		po->e = comment_not_a_member(req->app, &po->in, &po->errs);
	/* Words the site refuses: a form refusal too, before the budgets. */
	if (po->e == ERR_OK)
		po->e = moderation_refuse(req->app, &req->arena, &po->in,
					  &po->errs);
	if (po->e == ERR_OK)
		po->e = comment_limits_take(req->app, &req->arena, po->u,
					    req->client, po->art.id, &po->errs,
					    &po->retry_after);
	if (po->e == ERR_NOMEM) {
		error_page(req, res, 503, NULL);
		return;
	}
	if (po->e == ERR_LIMIT)
		po->e = ERR_INVALID; /* shown as errs says: 429, text kept */
	/*
	 * The browser that posts: an anonymous avatar is its, not an
	 * email's, and it is shown its comment if it is held.
	 */
	po->in.visitor = csrf_visitor_id(req);
	if (po->e == ERR_OK) {
		/*
		 * The write goes to the next group commit and the request
		 * waits suspended, holding no server thread; posting_answer
		 * runs once the commit is durable or failed.  Not into
		 * po->e: the store may report before comment_submit returns.
		 */
		e = comment_submit(req->app, &req->arena, &po->art, &po->in,
				   req->client, posting_stored, po);
		if (e == ERR_OK) {
			request_suspend(req, posting_answer, po);
			return;
		}
		po->e = e;
	}
	posting_answer(req, res, po);
}

void
discussion_unsaved(struct request *req, struct response *res, const char *base,
		   bool sides, const struct comment_input *in,
		   const char *message)
{
	static const char *const side_names[] = {"", "a", "b"};
	struct tv *v = page_view(req, "Your comment was not saved");
	const char *visitor = csrf_visitor_id(req);
	const char *token = visitor ? csrf_token(req, visitor) : NULL;
	int side = in->side == SIDE_A || in->side == SIDE_B ? in->side : 0;

	if (v == NULL || base == NULL || token == NULL ||
	    !tv_put_str(v, "message",
			message ? message
				: "Your comment could not be saved just now. "
				  "Please send it again.") ||
	    !tv_put_str(v, "action",
			arena_printf(&req->arena, "%s/comments", base)) ||
	    !tv_put_str(v, "back",
			arena_printf(&req->arena, "%s#comments", base)) ||
	    !tv_put_str(v, "csrf", token) ||
	    !tv_put_str(v, "key", in->key ? in->key : "") ||
	    !tv_put_str(v, "stamp", in->stamp ? in->stamp : "") ||
	    !tv_put_str(v, "parent",
			in->parent ? arena_printf(&req->arena, "%lld",
						  (long long)in->parent)
				   : "") ||
	    !tv_put_bool(v, "sides", sides) ||
	    !tv_put_str(v, "side", side_names[side]) ||
	    !tv_put_str(v, "body", in->body ? in->body : "") ||
	    !tv_put_str(v, "author", in->author ? in->author : "") ||
	    !tv_put_str(v, "email", in->email ? in->email : "") ||
	    !tv_put_str(v, "url", in->url ? in->url : "")) {
		error_page(req, res, 503, NULL);
		return;
	}
	(void)response_header(res, "Retry-After", "5");
	page_render(req, res, 503, "comment_unsaved", v);
}

void
discussion_unsaved_form(struct request *req, struct response *res,
			const char *base, bool sides)
{
	const struct comment_form *cf = form_read(req);
	struct comment_input in;
	struct comment_errors errs;

	memset(&in, 0, sizeof(in));
	memset(&errs, 0, sizeof(errs));
	if (cf == NULL || comment_read_form(req->app, &req->arena, cf, &in,
					    &errs) == ERR_NOMEM) {
		error_page(req, res, 503, NULL);
		return;
	}
	if (sides)
		(void)discussion_read_side(req, &in, &errs);
	discussion_unsaved(req, res, base, sides, &in, NULL);
}
