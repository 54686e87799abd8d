/*
 * account: the HTML handlers of identity: sign up, sign in and out,
 * email verification, password reset, settings, profile, deletion, the
 * first admin, the user list for admins, the staff desk, and external
 * sign-in (web/oidc.c).  Routes and their flags are in web/routes.c.
 */
#ifndef PARLEY_WEB_ACCOUNT_H
#define PARLEY_WEB_ACCOUNT_H

#include <stdbool.h>

#include "http/request.h"
#include "store/store.h"

struct tv;

/* The signed-in user of req (looked up once, lazily), or NULL. */
const struct user *account_user(struct request *req);

/* A local path to return to: next when it is one of ours, else "/". */
const char *account_next(const char *next);

/*
 * Sets the session cookie to token, or clears it when token is NULL; either
 * way the browser gets a new visitor id (http/csrf.h).
 */
bool account_session_cookie(struct request *req, struct response *res,
			    const char *token);

/* Signs user in on this browser (a new session) and redirects to next. */
void account_signed_in(struct request *req, struct response *res,
		       const struct user *u, const char *next);

/* A page with a title, a sentence and an optional link. */
void account_notice(struct request *req, struct response *res, unsigned status,
		    const char *title, const char *message, const char *href,
		    const char *link);

/* 429 with Retry-After: retry seconds. */
void account_too_many(struct request *req, struct response *res, int retry);

/* 404: the emailed link is used up, expired or not ours; href to go on. */
void account_link_expired(struct request *req, struct response *res,
			  const char *href, const char *link);

/*
 * The page an emailed link of purpose opens: it only asks, with a button
 * that posts the token to action; 404 with href when the token is not live.
 */
void account_confirm_page(struct request *req, struct response *res,
			  const char *purpose, const char *title,
			  const char *message, const char *action,
			  const char *button, const char *href,
			  const char *link);

/*
 * What an account page's view holds beyond page_view: its template reads
 * every key the view puts (the view contract), so each page asks for its
 * own parts.
 */
enum account_parts {
	ACCOUNT_CSRF = 1 << 0,	   /* "csrf": the page has a form */
	ACCOUNT_ME = 1 << 1,	   /* "me" with "name", when signed in */
	ACCOUNT_ME_ROLE = 1 << 2,  /* me.role */
	ACCOUNT_ME_ADMIN = 1 << 3, /* me.admin */
	/* me.role, email, profile_href, staff, has_password */
	ACCOUNT_ME_SETTINGS = 1 << 4,
};

/* The root view of an account page: page_view and the parts asked for. */
struct tv *account_view(struct request *req, struct response *res,
			const char *title, unsigned parts);

void account_signin_page(struct request *req, struct response *res);
void account_signin_post(struct request *req, struct response *res);
void account_signup_page(struct request *req, struct response *res);
void account_signup_post(struct request *req, struct response *res);
void account_signout_page(struct request *req, struct response *res);
void account_signout_post(struct request *req, struct response *res);
void account_signout_all(struct request *req, struct response *res);
void account_verify_page(struct request *req, struct response *res);
void account_verify(struct request *req, struct response *res);
void account_reset_page(struct request *req, struct response *res);
void account_reset_post(struct request *req, struct response *res);
void account_reset_password(struct request *req, struct response *res);
void account_settings_page(struct request *req, struct response *res);
void account_settings_name(struct request *req, struct response *res);
void account_settings_password(struct request *req, struct response *res);
void account_settings_email(struct request *req, struct response *res);
void account_email_page(struct request *req, struct response *res);
void account_email_confirm(struct request *req, struct response *res);
void account_delete_post(struct request *req, struct response *res);
void account_profile(struct request *req, struct response *res);
void account_setup_page(struct request *req, struct response *res);
void account_setup_post(struct request *req, struct response *res);
void account_admin_users(struct request *req, struct response *res);
void account_admin_role(struct request *req, struct response *res);
void account_admin_disable(struct request *req, struct response *res);
void account_desk(struct request *req, struct response *res);

/* External sign-in (web/oidc.c). */
void oidc_start(struct request *req, struct response *res);
void oidc_callback(struct request *req, struct response *res);
void oidc_link_page(struct request *req, struct response *res);
void oidc_link_post(struct request *req, struct response *res);
/* Adds "providers" (name, label, href to start with next) to v. */
bool oidc_put_providers(struct request *req, struct tv *v, const char *next);

#endif
