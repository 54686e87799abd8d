/*
 * comment: the article's comment route, the permalink of any comment, and
 * the reader's own part of every comment form (tokens, remembered name,
 * "You are commenting as"), filled into the page's hole per response.
 */
#include <string.h>

#include "app.h"
#include "core/limits.h"
#include "core/util.h"
#include "http/csrf.h"
#include "model/article.h"
#include "model/comment_limits.h"
#include "render/template.h"
#include "web/account.h"
#include "web/article.h"
#include "web/discussion.h"

/* The reader's remembered name, email and website, from their cookie. */
static void
remembered(struct request *req, struct comment_input *in)
{
	const char *c = request_cookie(req, DISCUSSION_WHO_COOKIE);
	struct fields f;
	const struct field *x;

	if (c == NULL ||
	    form_parse(&req->arena, c, strlen(c), 8, &f) != FORM_OK)
		return;
	/* Only what would pass the form's own checks is shown again. */
	if ((x = fields_get(&f, "a")) && x->len <= LIMIT_AUTHOR * 4 &&
	    utf8_valid(x->value, x->len, NULL))
		in->author = x->value;
	if ((x = fields_get(&f, "e")) && x->len <= LIMIT_EMAIL &&
	    email_valid(x->value))
		in->email = x->value;
	if ((x = fields_get(&f, "u")) && x->len <= LIMIT_URL_FIELD &&
	    http_url_valid(x->value))
		in->url = x->value;
	in->remember = true;
}

/*
 * Who is commenting: "You are commenting as NAME · Log out / Change" for
 * a signed-in reader; sign-in links when the site wants sign-in; else
 * nothing (the name, email and website fields show).
 */
static bool
comment_form_who(struct request *req, struct tv *v)
{
	struct arena *a = &req->arena;
	const struct user *u = account_user(req);
	const char *here =
	    url_encode(a, arena_printf(a, "%s#respond", req->path));
	struct tv *w;

	if (here == NULL)
		return false;
	if (u) {
		return (w = tv_put_obj(v, "signed_in")) != NULL &&
		       tv_put_str(w, "name", u->name) &&
		       tv_put_str(
			   w, "profile_href",
			   arena_printf(a, "/users/%lld", (long long)u->id)) &&
		       tv_put_str(
			   w, "signout_href",
			   arena_printf(a, "/account/signout?next=%s", here)) &&
		       tv_put_str(
			   w, "change_href",
			   arena_printf(a, "/account/signin?next=%s", here));
	}
	if (req->app->cfg.policy != POLICY_SIGNIN)
		return (w = tv_put_obj(v, "signin_offer")) != NULL &&
		       tv_put_str(
			   w, "signin_href",
			   arena_printf(a, "/account/signin?next=%s", here));
	return (w = tv_put_obj(v, "signin_required")) != NULL &&
	       tv_put_str(w, "signin_href",
			  arena_printf(a, "/account/signin?next=%s", here)) &&
	       tv_put_str(w, "signup_href",
			  req->app->cfg.signup
			      ? arena_printf(a, "/account/signup?next=%s", here)
			      : NULL) &&
	       oidc_put_providers(
		   req, w,
		   account_next(arena_printf(a, "%s#respond", req->path)));
}

const char *
comment_form_fill(struct request *req, struct response *res, size_t *len)
{
	const struct form_state *form = req->page_state;
	const struct comment_errors *errs = form ? form->errors : NULL;
	struct comment_input in = {
	    .author = "", .email = "", .url = "", .body = "", .key = ""};
	const struct config *cfg = &req->app->cfg;
	const char *visitor, *token, *key, *stamp;
	struct tv *v;
	struct buf out;
	char *html, *memo = NULL;
	bool plain;

	if (form && form->input)
		in = *form->input;
	else
		remembered(req, &in);
	/*
	 * A plain reader's form is the page's kept one with their token and
	 * key (web/part_memo.c): the page's address is all else it shows.
	 * Before csrf_visitor(): a new visitor cookie replaces the parsed
	 * ones.
	 */
	plain =
	    account_user(req) == NULL &&
	    (form == NULL || (form->input == NULL && form->errors == NULL)) &&
	    request_cookie(req, DISCUSSION_WHO_COOKIE) == NULL;
	visitor = csrf_visitor(req, res);
	token = visitor ? csrf_token(req, visitor) : NULL;
	/*
	 * A fresh key per form shown; a refused form keeps its key, and the
	 * stamp of when it was first shown (the time it took to fill in).
	 * Here, in the hole: a cached page's bytes would give every reader
	 * the time the page was rendered.
	 */
	key = in.key && in.key[0] ? in.key : random_token(&req->arena, 16);
	stamp = key && in.key && in.key[0] && in.stamp && in.stamp[0]
		    ? in.stamp
		    : (key ? comment_limits_stamp(req->app, &req->arena, key,
						  time_now_msec())
			   : NULL);
	if (plain && token && key && stamp &&
	    (memo = part_memo_key(&req->arena,
				  (const char *const[]){"form", req->path}, 2,
				  NULL, 0)) != NULL &&
	    (html = part_memo_get(req->app->parts, &req->arena, memo,
				  (const char *const[]){token, key, stamp}, 3,
				  len)) != NULL)
		return html;
	v = tv_obj(&req->arena);
	if (token == NULL || key == NULL || stamp == NULL || v == NULL ||
	    !tv_put_str(v, "csrf", token) || !tv_put_str(v, "key", key) ||
	    !tv_put_str(v, "stamp", stamp) ||
	    !tv_put_str(v, "author", in.author) ||
	    !tv_put_str(v, "email", in.email) ||
	    !tv_put_str(v, "url", in.url) ||
	    !tv_put_bool(v, "remember", in.remember) ||
	    !tv_put_bool(v, "required", cfg->policy != POLICY_ANONYMOUS) ||
	    !tv_put_str(v, "author_invalid",
			errs && errs->author ? "true" : "false") ||
	    !tv_put_str(v, "email_invalid",
			errs && errs->email ? "true" : "false") ||
	    !tv_put_str(v, "url_invalid", errs && errs->url ? "true" : "false"))
		return NULL;
	/* Every message is put, "" when the field is fine: the form reads all.
	 */
	if (!tv_put_str(v, "author_error", errs ? errs->author : NULL) ||
	    !tv_put_str(v, "email_error", errs ? errs->email : NULL) ||
	    !tv_put_str(v, "url_error", errs ? errs->url : NULL))
		return NULL;
	if (!comment_form_who(req, v))
		return NULL;
	buf_init(&out, 64 * 1024);
	if (!tpl_render(req->app->tpl, "form_identity", v, &out)) {
		buf_clear(&out);
		return NULL;
	}
	html = arena_strndup(&req->arena, buf_cstr(&out), out.len);
	*len = out.len;
	buf_clear(&out);
	if (plain && memo && html)
		part_memo_put(req->app->parts, memo, html, *len,
			      (const char *const[]){token, key, stamp}, 3);
	return html;
}

/* Shows the article again with the refused form, its text kept. */
static void
article_refused(struct request *req, struct response *res, const void *ctx,
		struct form_state *form, unsigned status)
{
	const struct article *art = ctx;

	page_render(req, res, status, "article",
		    article_view(req, art, form->page, form));
}

/*
 * POST /articles/SLUG/comments: anyone the site's policy allows; CSRF
 * checked by the router.  Fields: author, email, url, body, parent, key,
 * remember, and the honeypot website_confirm.  303 to the new comment.
 */
void
comment_post(struct request *req, struct response *res)
{
	const char *slug = req_text(req, "slug");
	struct article art;
	enum err e;

	if (!slug_valid(slug)) {
		error_page(req, res, 404, NULL);
		return;
	}
	e = article_by_slug(req->app, &req->arena, slug, &art);
	if (e == ERR_DB) {
		discussion_unsaved_form(
		    req, res, arena_printf(&req->arena, "/articles/%s", slug),
		    false);
		return;
	}
	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	discussion_post(
	    req, res,
	    &(const struct discussion_post){
		.art = &art,
		.base = arena_printf(&req->arena, "/articles/%s", art.slug),
		.place = "article",
		.open = art.comments_open,
		.refused = article_refused,
		.ctx = &art,
		.ctx_size = sizeof(art)});
}

/* GET /comments/ID: anyone.  Redirects to the page that shows it. */
void
comment_permalink(struct request *req, struct response *res)
{
	/* The router answered 404 for an id that is not one. */
	int64_t id = req_id(req, "id"), index = 0, page;
	const char *kind;
	struct article art;
	struct comment c;
	enum err e;

	e = comment_get(req->app, &req->arena, id, &c);
	if (e == ERR_OK)
		e = article_by_id(req->app, &req->arena, c.article_id, &art);
	if (e == ERR_OK)
		e = comment_thread_index(req->app, art.id, c.root_id, &index);
	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	page = comment_page_for(index, req->app->cfg.per_page);
	/* A debate's discussion lives on the debate's page. */
	kind = art.kind && strcmp(art.kind, "debate") == 0 ? "debates"
							   : "articles";
	response_redirect(
	    res,
	    discussion_comment_href(
		&req->arena,
		arena_printf(&req->arena, "/%s/%s", kind, art.slug), page, id));
	res->status = 302;
}
