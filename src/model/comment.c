#include "model/comment.h"

#include <ctype.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/change.h"
#include "core/limits.h"
#include "core/mac.h"
#include "core/parse.h"
#include "core/util.h"
#include "model/comment_limits.h"
#include "model/moderation.h"
#include "render/markdown.h"

/*
 * Copies a field into the arena, trimmed unless raw; "" when absent.  The
 * comment body is raw: its leading indentation is Markdown (an indented
 * code block, a tab), so it is kept exactly as typed.
 */
static const char *
field_text(struct arena *a, const struct comment_field *f, size_t *len,
	   bool raw)
{
	char *s;

	*len = 0;
	if (f->value == NULL)
		return "";
	s = arena_strndup(a, f->value, f->len);
	if (s == NULL)
		return NULL;
	/* A NUL inside the value would hide the rest: keep it for checking. */
	if (strlen(s) != f->len) {
		*len = (size_t)-1;
		return s;
	}
	if (!raw)
		str_trim(s);
	*len = strlen(s);
	return s;
}

/* Checks one short text field: valid UTF-8, at most max characters. */
static const char *
check_text(const char *s, size_t len, size_t max, const char *what,
	   struct arena *a)
{
	size_t chars;

	if (len == (size_t)-1 || !utf8_valid(s, len, &chars))
		return arena_printf(a, "The %s has characters we cannot store.",
				    what);
	if (chars > max)
		return arena_printf(a, "The %s may be at most %zu characters.",
				    what, max);
	return NULL;
}

enum err
comment_read_body(const struct app *app, struct arena *a,
		  const struct comment_field *f, const char **body,
		  struct comment_errors *errs)
{
	size_t len, chars = 0;
	const char *s = field_text(a, f, &len, true);

	*body = s;
	if (s == NULL)
		return ERR_NOMEM;
	if (len == (size_t)-1 || !utf8_valid(s, len, &chars))
		errs->body = "Your comment has characters we cannot store.";
	else if (strspn(s, " \t\n\r\f\v") == len)
		errs->body = "Please write a comment.";
	else if (chars > (size_t)app->cfg.max_length) {
		errs->body = arena_printf(a,
					  "Your comment is %zu characters long;"
					  " the limit is %d.",
					  chars, app->cfg.max_length);
		errs->err = ERR_TOOLARGE;
	}
	if (errs->body == NULL)
		return ERR_OK;
	if (errs->err == ERR_OK)
		errs->err = ERR_INVALID;
	return ERR_INVALID;
}

enum err
comment_read_form(const struct app *app, struct arena *a,
		  const struct comment_form *form, struct comment_input *in,
		  struct comment_errors *errs)
{
	const struct config *cfg = &app->cfg;
	size_t alen, elen, ulen, klen, plen, hlen;
	const char *parent, *hp;
	bool required = cfg->policy != POLICY_ANONYMOUS;

	memset(in, 0, sizeof(*in));
	memset(errs, 0, sizeof(*errs));
	if (form == NULL)
		return ERR_NOMEM;
	in->author = field_text(a, &form->author, &alen, false);
	/* A name that reverses the line it is shown in is not a name.  (An
	 * absent field is a constant "", not to be written.) */
	if (in->author && alen != (size_t)-1 && alen > 0) {
		(void)str_strip_bidi((char *)in->author);
		alen = strlen(str_trim((char *)in->author));
	}
	in->email = field_text(a, &form->email, &elen, false);
	in->url = field_text(a, &form->url, &ulen, false);
	/* The body first: its size decides between 413 and 422. */
	if (comment_read_body(app, a, &form->body, &in->body, errs) ==
	    ERR_NOMEM)
		return ERR_NOMEM;
	in->key = field_text(a, &form->key, &klen, false);
	parent = field_text(a, &form->parent, &plen, false);
	hp = field_text(a, &form->honeypot, &hlen, false);
	if (!in->author || !in->email || !in->url || !in->body || !in->key ||
	    !parent || !hp)
		return ERR_NOMEM;
	in->remember = form->remember;
	/* The key is ours (random_token): anything else is dropped, not stored.
	 */
	if (klen > 64 ||
	    strspn(
		in->key,
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") !=
		klen)
		in->key = "";

	errs->author = check_text(in->author, alen, LIMIT_AUTHOR, "name", a);
	if (errs->author == NULL && required && alen == 0)
		errs->author = "Please give your name.";

	errs->email =
	    check_text(in->email, elen, LIMIT_EMAIL, "email address", a);
	if (errs->email == NULL) {
		if (elen == 0 && required)
			errs->email =
			    "Please give your email address; it is never shown.";
		else if (elen > 0 && !email_valid(in->email))
			errs->email =
			    "That does not look like an email address.";
	}

	errs->url = check_text(in->url, ulen, LIMIT_URL_FIELD, "website", a);
	if (errs->url == NULL && ulen > 0 && !http_url_valid(in->url))
		errs->url =
		    "A website address starts with http:// or https://.";

	/* 0 or absent: a comment that starts a thread. */
	if (plen > 0 && (plen == (size_t)-1 ||
			 !parse_int(parent, plen, 0, INT64_MAX, &in->parent)))
		errs->form = "The comment you replied to is not one we know.";
	/* A filled honeypot is a robot; it gets an answer that teaches nothing.
	 */
	if (hp[0] != '\0')
		errs->form = "Your comment could not be accepted.";

	if (errs->body || errs->author || errs->email || errs->url ||
	    errs->form) {
		if (errs->err == ERR_OK)
			errs->err = ERR_INVALID;
		return ERR_INVALID;
	}
	return ERR_OK;
}

enum err
comment_as_user(struct comment_input *in, struct comment_errors *errs,
		const struct user *u, enum err e)
{
	in->author = u->name;
	in->email = u->email;
	in->url = "";
	in->user_id = u->id;
	in->remember = false;
	errs->author = errs->email = errs->url = NULL;
	if (e == ERR_INVALID && !errs->body && !errs->form) {
		errs->err = ERR_OK;
		return ERR_OK;
	}
	return e;
}

void
comment_avatar_name(const struct app *app, const struct comment_input *in,
		    char out[33])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	char account[32];
	const char *who;
	size_t i;

	/*
	 * Keyed by what the commenter proved: their account, or the browser
	 * that posted.  An email typed into the form proves nothing, and
	 * would let anyone test whether a commenter used an address.  Only
	 * imports, which have neither, fall back to the email or name.
	 */
	if (in->user_id > 0) {
		snprintf(account, sizeof(account), "user:%lld",
			 (long long)in->user_id);
		who = account;
	} else if (in->visitor && in->visitor[0]) {
		who = in->visitor;
	} else {
		who = in->email[0] ? in->email : in->author;
	}
	mac_start(&st, app->secret);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"avatar:", 7);
	for (i = 0; who[i]; i++) {
		unsigned char c = (unsigned char)tolower((unsigned char)who[i]);

		crypto_auth_hmacsha256_update(&st, &c, 1);
	}
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(out, 33, mac, 16);
}

/*
 * What a write of a comment needs before the store: the parent resolved
 * (a reply too deep attaches higher), the body rendered into the arena,
 * the avatar named.  Fills c, whose strings live in a or in.
 */
static enum err
comment_prepare(struct app *app, struct arena *a, const struct article *art,
		const struct comment_input *in, const char *ip,
		struct comment *c)
{
	struct comment parent;
	struct buf html;
	char avatar[33];
	enum err e;

	if (!art->comments_open)
		return ERR_FORBIDDEN;
	memset(c, 0, sizeof(*c));
	c->article_id = art->id;
	c->parent_id = in->parent;
	/* A reply below the deepest level attaches to its deepest ancestor. */
	while (c->parent_id) {
		e = app->store->ops->comment_get(app->store, a, c->parent_id,
						 &parent);
		if (e == ERR_NOTFOUND ||
		    (e == ERR_OK && parent.article_id != art->id))
			return ERR_INVALID;
		if (e != ERR_OK)
			return e;
		if (parent.depth + 1 < app->cfg.depth)
			break;
		c->parent_id = parent.parent_id;
	}
	buf_init(&html, LIMIT_COMMENT_MAX * 8);
	if (!markdown_render(&html, in->body, strlen(in->body),
			     MARKDOWN_READER)) {
		/* Too costly for md4c to parse safely, or too large rendered.
		 */
		buf_clear(&html);
		return ERR_LIMIT;
	}
	c->body_html = arena_strndup(a, buf_cstr(&html), html.len);
	buf_clear(&html);
	comment_avatar_name(app, in, avatar);
	c->avatar = arena_strdup(a, avatar);
	if (c->body_html == NULL || c->avatar == NULL)
		return ERR_NOMEM;
	c->author = in->author[0] ? in->author : "Anonymous";
	c->email = in->email;
	c->url = in->url;
	c->body_md = in->body;
	c->created = in->created ? in->created : time_now();
	c->ip = ip;
	c->request_key = in->key[0] ? in->key : NULL;
	c->user_id = in->user_id;
	c->side = in->side;
	comment_limits_mark(app, a, c, ip, in->created != 0);
	if (c->network == NULL)
		return ERR_NOMEM;
	c->spam_score = -1;
	/* Imported comments (their time given) keep the status they had. */
	if (in->created)
		return ERR_OK;
	return moderation_judge(app, a, in, c);
}

enum err
comment_create(struct app *app, struct arena *a, const struct article *art,
	       const struct comment_input *in, const char *ip, int64_t *id)
{
	struct comment c;
	enum err e = comment_prepare(app, a, art, in, ip, &c);

	if (e == ERR_OK)
		e = app->store->ops->comment_insert(app->store, &c, id);
	if (e == ERR_OK)
		change_publish_one(app->changes, CHANGE_ARTICLE, art->id);
	return e;
}

/* A submitted comment: what its completion needs once it is stored. */
struct comment_submission {
	struct comment c;
	struct app *app;
	void (*done)(void *arg, enum err e, int64_t id);
	void *arg;
};

/*
 * The store's report, on its writer thread: the change is published
 * before the caller hears of it, as comment_create does before it
 * returns.  The caller may free the arena holding cs as soon as done has
 * been called, so nothing of cs is read after.
 */
static void
comment_stored(void *arg, enum err e, int64_t id)
{
	struct comment_submission *cs = arg;
	void (*done)(void *, enum err, int64_t) = cs->done;
	void *done_arg = cs->arg;

	if (e == ERR_OK)
		change_publish_one(cs->app->changes, CHANGE_ARTICLE,
				   cs->c.article_id);
	done(done_arg, e, id);
}

enum err
comment_submit(struct app *app, struct arena *a, const struct article *art,
	       const struct comment_input *in, const char *ip,
	       void (*done)(void *arg, enum err e, int64_t id), void *arg)
{
	struct comment_submission *cs = arena_zalloc(a, sizeof(*cs));
	enum err e;

	if (cs == NULL)
		return ERR_NOMEM;
	e = comment_prepare(app, a, art, in, ip, &cs->c);
	if (e != ERR_OK)
		return e;
	cs->app = app;
	cs->done = done;
	cs->arg = arg;
	return app->store->ops->comment_insert_submit(app->store, &cs->c,
						      comment_stored, cs);
}

enum err
comment_refusal(enum err e, int64_t earlier, struct comment_input *in,
		struct comment_errors *errs, const char *place)
{
	if (e == ERR_LIMIT) {
		errs->body =
		    "Your comment's formatting is too intricate to show. "
		    "Please simplify it: fewer nested brackets, lists or links.";
		errs->err = ERR_INVALID;
		return ERR_INVALID;
	}
	if (e == ERR_DUPLICATE) {
		errs->form = COMMENT_LIMITS_REPEAT;
		errs->err = ERR_INVALID;
		return ERR_INVALID;
	}
	if (e == ERR_CONFLICT) {
		/*
		 * The key already made a comment.  On this page, the reader
		 * changed their text after sending: it is shown again under a
		 * fresh key, so sending it again makes the second comment
		 * they mean.  A key from another page's form gets the same
		 * fresh key but no invitation.
		 */
		if (earlier)
			errs->form = "This form was already used: your new "
				     "text is below; send it again";
		else
			errs->form = "This form was already used. Reload the "
				     "page to write another comment.";
		errs->err = ERR_INVALID;
		in->key = "";
		return ERR_INVALID;
	}
	if (e == ERR_INVALID && errs->err == ERR_OK) {
		errs->form =
		    strcmp(place, "debate") == 0
			? "The comment you replied to is not in this debate."
			: "The comment you replied to is not on this article.";
		errs->err = ERR_INVALID;
		in->parent = 0;
	}
	return e;
}

struct thread_node *
comment_thread(struct arena *a, const struct comment *list, size_t n)
{
	struct thread_node *nodes, *head = NULL, *tail = NULL;
	size_t i, j, root_start = 0;

	if (n == 0)
		return NULL;
	nodes = arena_zalloc(a, n * sizeof(*nodes));
	if (nodes == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		struct thread_node *parent = NULL;

		nodes[i].c = &list[i];
		if (list[i].root_id != list[root_start].root_id)
			root_start = i;
		/*
		 * Parents come before children and ids grow within a root,
		 * so the parent is found by binary search: a root with
		 * thousands of replies costs n log n, not n squared.
		 */
		if (list[i].parent_id) {
			size_t lo = root_start, hi = i;

			while (lo < hi) {
				j = lo + (hi - lo) / 2;
				if (list[j].id < list[i].parent_id)
					lo = j + 1;
				else
					hi = j;
			}
			if (lo < i && list[lo].id == list[i].parent_id)
				parent = &nodes[lo];
		}
		if (parent) {
			if (parent->last_child)
				parent->last_child->next = &nodes[i];
			else
				parent->first_child = &nodes[i];
			parent->last_child = &nodes[i];
		} else if (list[i].parent_id == 0) {
			if (tail)
				tail->next = &nodes[i];
			else
				head = &nodes[i];
			tail = &nodes[i];
		}
	}
	return head;
}

int64_t
comment_page_for(int64_t index, int per_page)
{
	return index / per_page + 1;
}

enum err
comment_get(struct app *app, struct arena *a, int64_t id, struct comment *out)
{
	return app->store->ops->comment_get(app->store, a, id, out);
}

enum err
comment_page(struct app *app, struct arena *a, int64_t article_id,
	     enum comment_sort sort, int offset, int limit,
	     struct comment **out, size_t *n)
{
	return app->store->ops->comment_page(app->store, a, article_id, sort,
					     offset, limit, out, n);
}

enum err
comment_thread_index(struct app *app, int64_t article_id, int64_t root_id,
		     int64_t *index)
{
	return app->store->ops->comment_thread_index(app->store, article_id,
						     root_id, index);
}

enum err
comment_page_of(struct app *app, struct arena *a, int64_t article_id,
		int64_t id, int64_t *page)
{
	struct comment c;
	int64_t index;
	enum err e = comment_get(app, a, id, &c);

	if (e == ERR_OK && c.article_id != article_id)
		e = ERR_NOTFOUND;
	if (e == ERR_OK)
		e = comment_thread_index(app, article_id, c.root_id, &index);
	if (e == ERR_OK)
		*page = comment_page_for(index, app->cfg.per_page);
	return e;
}

enum err
comment_not_a_member(struct app *app, const struct comment_input *in,
		     struct comment_errors *errs)
{
	bool name_taken, email_taken;
	enum err e;

	e = app->store->ops->user_claims(app->store, in->author, in->email,
					 &name_taken, &email_taken);
	if (e != ERR_OK)
		return e;
	if (name_taken)
		errs->author = "That name belongs to a member of this site: "
			       "sign in to comment with it, or choose another.";
	if (email_taken)
		errs->email = "That email address belongs to a member of this "
			      "site: sign in to comment with it.";
	return name_taken || email_taken ? ERR_INVALID : ERR_OK;
}

enum comment_badge
comment_badge(const struct comment *c)
{
	if (c->user_id <= 0 || c->author_role < 0)
		return BADGE_NONE;
	return c->author_role >= ROLE_MODERATOR ? BADGE_STAFF : BADGE_MEMBER;
}
