/*
 * routes: THE route table, beside the handlers it names.  The router
 * (http/route.c) takes it as data through the app, so the http layer
 * never includes web/.
 */
#include "http/route.h"
#include "web/account.h"
#include "web/web.h"

/*
 * THE route table.  A GET route also answers HEAD.  Kept as a table by
 * hand: one route a row reads better than what a formatter makes of it.
 */
/* clang-format off */
static const struct route routes[] = {
	{ METHOD_GET, "/", home_page, 0 },
	{ METHOD_GET, "/articles/*", article_page, 0 },
	{ METHOD_POST, "/articles/*/comments", comment_post,
	  ROUTE_CSRF | ROUTE_FORM },
	{ METHOD_GET, "/comments/*", comment_permalink, 0 },
	{ METHOD_GET, "/avatars/*", avatar_image, 0 },
	{ METHOD_GET, "/static/*", static_file, 0 },
	{ METHOD_GET, "/static/*/*", static_file, 0 },
	{ METHOD_GET, "/healthz", health_check, 0 },
	{ METHOD_GET, "/debates", debate_list_page, 0 },
	{ METHOD_GET, "/debates/*", debate_page, 0 },
	{ METHOD_POST, "/debates/*/vote", debate_vote_post, ROUTE_CSRF | ROUTE_FORM },
	{ METHOD_POST, "/debates/*/minds", debate_mind_post, ROUTE_CSRF | ROUTE_FORM },
	{ METHOD_POST, "/debates/*/comments", debate_comment_post,
	  ROUTE_CSRF | ROUTE_FORM },
	{ METHOD_POST, "/debates/*/feature", debate_feature_post,
	  ROUTE_CSRF | ROUTE_FORM | ROUTE_ROLE_EDITOR },
	/* Identity (web/account.c, web/oidc.c). */
	{ METHOD_GET, "/account/signin", account_signin_page, 0 },
	{ METHOD_POST, "/account/signin", account_signin_post, ROUTE_POST_FORM },
	{ METHOD_GET, "/account/signup", account_signup_page, 0 },
	{ METHOD_POST, "/account/signup", account_signup_post, ROUTE_POST_FORM },
	{ METHOD_GET, "/account/signout", account_signout_page, 0 },
	{ METHOD_POST, "/account/signout", account_signout_post, ROUTE_POST_FORM },
	{ METHOD_POST, "/account/signout-all", account_signout_all,
	  ROUTE_POST_FORM | ROUTE_SIGNIN },
	{ METHOD_GET, "/account/verify", account_verify, 0 },
	{ METHOD_GET, "/account/reset", account_reset_page, 0 },
	{ METHOD_POST, "/account/reset", account_reset_post, ROUTE_POST_FORM },
	{ METHOD_POST, "/account/reset/password", account_reset_password,
	  ROUTE_POST_FORM },
	{ METHOD_GET, "/account/settings", account_settings_page, ROUTE_SIGNIN },
	{ METHOD_POST, "/account/settings/name", account_settings_name,
	  ROUTE_POST_FORM | ROUTE_SIGNIN },
	{ METHOD_POST, "/account/settings/password", account_settings_password,
	  ROUTE_POST_FORM | ROUTE_SIGNIN },
	{ METHOD_POST, "/account/settings/email", account_settings_email,
	  ROUTE_POST_FORM | ROUTE_SIGNIN },
	{ METHOD_GET, "/account/email", account_email_confirm, 0 },
	{ METHOD_POST, "/account/delete", account_delete_post,
	  ROUTE_POST_FORM | ROUTE_SIGNIN },
	{ METHOD_GET, "/account/setup", account_setup_page, 0 },
	{ METHOD_POST, "/account/setup", account_setup_post, ROUTE_POST_FORM },
	{ METHOD_GET, "/account/link", oidc_link_page, 0 },
	{ METHOD_POST, "/account/link", oidc_link_post, ROUTE_POST_FORM },
	{ METHOD_GET, "/users/*", account_profile, 0 },
	{ METHOD_GET, "/auth/*/start", oidc_start, 0 },
	{ METHOD_GET, "/auth/*/callback", oidc_callback, 0 },
	{ METHOD_GET, "/desk", account_desk, ROUTE_ROLE_MODERATOR },
	{ METHOD_GET, "/admin/users", account_admin_users, ROUTE_ROLE_ADMIN },
	{ METHOD_POST, "/admin/users/role", account_admin_role,
	  ROUTE_POST_FORM | ROUTE_ROLE_ADMIN },
	{ METHOD_POST, "/admin/users/disable", account_admin_disable,
	  ROUTE_POST_FORM | ROUTE_ROLE_ADMIN },
};
/* clang-format on */

const struct route_table web_routes = {
    .routes = routes,
    .n = sizeof(routes) / sizeof(routes[0]),
    .error_page = error_page,
};
