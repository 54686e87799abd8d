/* comment: posting a comment, its permalink, and the comment form. */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/util.h"
#include "http/csrf.h"
#include "model/article.h"
#include "render/template.h"
#include "web/account.h"
#include "web/article.h"

#define WHO_COOKIE "parley_who"

/* Copies the field called name of req's form into out (NULL when absent). */
static void
form_field(const struct request *req, const char *name,
	   struct comment_field *out)
{
	const struct field *f = fields_get(&req->form, name);

	out->value = f ? f->value : NULL;
	out->len = f ? f->len : 0;
}

const struct comment_form *
comment_form_read(struct request *req)
{
	struct comment_form *cf = arena_zalloc(&req->arena, sizeof(*cf));

	if (cf == NULL)
		return NULL;
	form_field(req, "author", &cf->author);
	form_field(req, "email", &cf->email);
	form_field(req, "url", &cf->url);
	form_field(req, "body", &cf->body);
	form_field(req, "key", &cf->key);
	form_field(req, "parent", &cf->parent);
	form_field(req, "website_confirm", &cf->honeypot);
	cf->remember = fields_get(&req->form, "remember") != NULL;
	return cf;
}

bool
comment_form_view(struct request *req, struct tv *av, const struct article *art,
		  const struct form_state *form)
{
	struct arena *a = &req->arena;
	const struct comment_errors *errs = form->errors;
	struct tv *fv = tv_put_obj(av, "form");

	if (fv == NULL || !tv_put_bool(fv, "open", art->comments_open) ||
	    !tv_put_str(fv, "action",
			arena_printf(a, "/articles/%s/comments", art->slug)) ||
	    !tv_put_int(fv, "parent", form->parent) ||
	    !tv_put_safe(fv, "identity", html_literal(PAGE_HOLE)))
		return false;
	if (form->parent) {
		struct comment c;
		struct tv *rt;

		if (comment_get(req->app, a, form->parent, &c) == ERR_OK &&
		    c.article_id == art->id) {
			if ((rt = tv_put_obj(fv, "reply_to")) == NULL ||
			    !tv_put_str(rt, "name", c.author) ||
			    !tv_put_str(
				rt, "cancel_href",
				form->page > 1
				    ? arena_printf(
					  a, "/articles/%s?cpage=%lld#respond",
					  art->slug, (long long)form->page)
				    : arena_printf(a, "/articles/%s#respond",
						   art->slug)))
				return false;
		} else if (!tv_put_int(fv, "parent", 0)) {
			return false;
		}
	}
	if (form->input && !tv_put_str(fv, "body", form->input->body))
		return false;
	if (errs) {
		if ((errs->body && (!tv_put_str(fv, "body_error", errs->body) ||
				    !tv_put_str(fv, "body_invalid", "true"))) ||
		    (errs->form && !tv_put_str(fv, "form_error", errs->form)) ||
		    !tv_put_bool(fv, "has_errors", true))
			return false;
	}
	if (!tv_put_str(fv, "body_invalid_attr",
			errs && errs->body ? "true" : "false"))
		return false;
	req->page_state = form;
	return true;
}

/* The reader's remembered name, email and website, from their cookie. */
static void
remembered(struct request *req, struct comment_input *in)
{
	const char *c = request_cookie(req, WHO_COOKIE);
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
	struct comment_input in = {"", "", "", "", "", 0, false, 0, 0};
	const struct config *cfg = &req->app->cfg;
	const char *visitor, *token, *key;
	struct tv *v;
	struct buf out;
	char *html;

	if (form && form->input)
		in = *form->input;
	else
		remembered(req, &in);
	/* Before csrf_visitor(): a new visitor cookie replaces the parsed ones.
	 */
	(void)account_user(req);
	visitor = csrf_visitor(req, res);
	token = visitor ? csrf_token(req, visitor) : NULL;
	/* A fresh key per form shown; a refused form keeps its key. */
	key = in.key && in.key[0] ? in.key : random_token(&req->arena, 16);
	v = tv_obj(&req->arena);
	if (token == NULL || key == NULL || v == NULL ||
	    !tv_put_str(v, "csrf", token) || !tv_put_str(v, "key", key) ||
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
	if (errs &&
	    ((errs->author && !tv_put_str(v, "author_error", errs->author)) ||
	     (errs->email && !tv_put_str(v, "email_error", errs->email)) ||
	     (errs->url && !tv_put_str(v, "url_error", errs->url))))
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
	return html;
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
		    WHO_COOKIE, url_encode(a, in->author),
		    url_encode(a, in->email), url_encode(a, in->url), secure);
	else if (request_cookie(req, WHO_COOKIE))
		cookie = arena_printf(
		    a, "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax%s",
		    WHO_COOKIE, secure);
	else
		return;
	if (cookie)
		(void)response_header(res, "Set-Cookie", cookie);
}

/* Shows the article again with the refused form, its text kept. */
static void
comment_refused(struct request *req, struct response *res,
		const struct article *art, const struct comment_input *in,
		const struct comment_errors *errs)
{
	struct form_state *form = arena_zalloc(&req->arena, sizeof(*form));

	if (form == NULL) {
		error_page(req, res, 503, NULL);
		return;
	}
	form->parent = in->parent;
	form->input = in;
	form->errors = errs;
	form->with_identity = true;
	form->page = 1;
	/* A refused reply is shown on the page of the comment it answers. */
	if (in->parent) {
		int64_t page;

		if (comment_page_of(req->app, &req->arena, art->id, in->parent,
				    &page) == ERR_OK)
			form->page = page;
	}
	page_render(req, res, err_status(errs->err), "article",
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
	struct comment_input in;
	struct comment_errors errs;
	struct article art;
	int64_t id = 0, page;
	const struct user *u = account_user(req);
	enum err e;

	if (!slug_valid(req->params[0])) {
		error_page(req, res, 404, NULL);
		return;
	}
	if (u == NULL && req->app->cfg.policy == POLICY_SIGNIN) {
		error_page(req, res, 403, "Please sign in to comment.");
		return;
	}
	e = article_by_slug(req->app, &req->arena, req->params[0], &art);
	if (e != ERR_OK) {
		error_page(req, res, err_status(e), NULL);
		return;
	}
	if (!art.comments_open) {
		error_page(req, res, 403, "Comments are closed.");
		return;
	}
	e = comment_read_form(req->app, &req->arena, comment_form_read(req),
			      &in, &errs);
	if (e == ERR_NOMEM) {
		error_page(req, res, 503, NULL);
		return;
	}
	/* A signed-in reader comments as their account. */
	if (u)
		e = comment_as_user(&in, &errs, u, e);
	if (e == ERR_OK)
		e = comment_create(req->app, &req->arena, &art, &in,
				   req->client, &id);
	e = comment_refusal(e, id, &in, &errs, "article");
	if (e == ERR_INVALID) {
		comment_refused(req, res, &art, &in, &errs);
		return;
	}
	if (e == ERR_FORBIDDEN) {
		error_page(req, res, 403, "Comments are closed.");
		return;
	}
	if (e != ERR_OK) {
		log_warnx("comment on %s not stored: %s", art.slug, err_str(e));
		errs.form =
		    "Your comment could not be saved just now. Please send it again.";
		errs.err = ERR_DB;
		comment_refused(req, res, &art, &in, &errs);
		return;
	}
	if (u == NULL)
		remember_cookie(req, res, &in);
	/* The page that shows the new comment's thread. */
	if (comment_page_of(req->app, &req->arena, art.id, id, &page) != ERR_OK)
		page = 1;
	response_redirect(
	    res, page > 1
		     ? arena_printf(&req->arena,
				    "/articles/%s?cpage=%lld#comment-%lld",
				    art.slug, (long long)page, (long long)id)
		     : arena_printf(&req->arena, "/articles/%s#comment-%lld",
				    art.slug, (long long)id));
}

/* GET /comments/ID: anyone.  Redirects to the page that shows it. */
void
comment_permalink(struct request *req, struct response *res)
{
	int64_t id = article_page_number(req->params[0]), index = 0, page;
	const char *kind;
	struct article art;
	struct comment c;
	enum err e;

	if (id == 0) {
		error_page(req, res, 404, NULL);
		return;
	}
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
	    res, page > 1 ? arena_printf(
				&req->arena, "/%s/%s?cpage=%lld#comment-%lld",
				kind, art.slug, (long long)page, (long long)id)
			  : arena_printf(&req->arena, "/%s/%s#comment-%lld",
					 kind, art.slug, (long long)id));
	res->status = 302;
}
