/*
 * routes: THE route table, beside the handlers it names, with the fields
 * each handler reads.  The router (http/route.c) takes it as data through
 * the app, so the http layer never includes web/; it reads and checks
 * every declared field before the handler runs, and handlers read typed
 * values (req_text, req_int, req_id).
 */
#include "http/route.h"
#include "core/limits.h"
#include "model/user.h"
#include "web/account.h"
#include "web/moderate.h"
#include "web/web.h"

/* Page numbers stay below a billion, so page * per_page cannot overflow. */
#define PAGE_MAX 999999999
/* Emailed and provider tokens: the router caps the whole address. */
#define NO_CAP 0

/* clang-format off */
#define END { .name = NULL }

/*
 * The fields, one array a route.  A field whose handler explains a bad
 * value to the reader (a form shown again, with the text kept and a
 * message beside the field) is INPUT_OWN: the router only marks it bad.
 */
static const struct input page_in[] = {
	{ .name = "page", .kind = INPUT_INT, .min = 1, .max = PAGE_MAX,
	  .message = "That page number is not a number." },
	END,
};

static const struct input article_in[] = {
	{ .name = "slug", .kind = INPUT_RAW, .flags = INPUT_PATH },
	{ .name = "cpage", .kind = INPUT_INT, .min = 1, .max = PAGE_MAX,
	  .message = "That page number is not a number." },
	{ .name = "replytocom", .kind = INPUT_INT, .min = 1, .max = PAGE_MAX,
	  .message = "That comment number is not a number." },
	END,
};

/* The comment form, which comment_post explains field by field. */
static const struct input comment_in[] = {
	{ .name = "slug", .kind = INPUT_RAW, .flags = INPUT_PATH },
	{ .name = "author", .kind = INPUT_RAW, .flags = INPUT_OWN },
	{ .name = "email", .kind = INPUT_RAW, .flags = INPUT_OWN },
	{ .name = "url", .kind = INPUT_RAW, .flags = INPUT_OWN },
	{ .name = "body", .kind = INPUT_RAW, .flags = INPUT_OWN },
	{ .name = "key", .kind = INPUT_RAW, .flags = INPUT_OWN },
	{ .name = "stamp", .kind = INPUT_RAW, .flags = INPUT_OWN },
	{ .name = "parent", .kind = INPUT_ID, .flags = INPUT_OWN },
	{ .name = "website_confirm", .kind = INPUT_RAW, .flags = INPUT_OWN },
	{ .name = "remember", .kind = INPUT_RAW, .flags = INPUT_OWN },
	{ .name = "side", .kind = INPUT_RAW, .flags = INPUT_OWN },
	END,
};

/* A commenter's own edit, which comment_edit_post explains. */
static const struct input comment_edit_in[] = {
	{ .name = "id", .kind = INPUT_ID, .flags = INPUT_PATH },
	{ .name = "body", .kind = INPUT_RAW, .flags = INPUT_OWN },
	END,
};

static const struct input id_path_in[] = {
	{ .name = "id", .kind = INPUT_ID, .flags = INPUT_PATH },
	END,
};

/* A reader's flag (web/flag.c): the answer's page, and the form. */
static const struct input flag_page_in[] = {
	{ .name = "id", .kind = INPUT_ID, .flags = INPUT_PATH },
	{ .name = "done", .kind = INPUT_TEXT, .flags = INPUT_OWN, .cap = 16 },
	END,
};

static const struct input flag_in[] = {
	{ .name = "id", .kind = INPUT_ID, .flags = INPUT_PATH },
	{ .name = "reason", .kind = INPUT_TEXT, .flags = INPUT_OWN, .cap = 16 },
	{ .name = "note", .kind = INPUT_RAW, .flags = INPUT_OWN,
	  .cap = LIMIT_FLAG_NOTE * 4 },
	END,
};

static const struct input name_path_in[] = {
	{ .name = "name", .kind = INPUT_RAW, .flags = INPUT_PATH },
	END,
};

static const struct input static_in[] = {
	{ .name = "dir", .kind = INPUT_RAW, .flags = INPUT_PATH },
	{ .name = "name", .kind = INPUT_RAW, .flags = INPUT_PATH },
	END,
};

/* The debate handlers check these themselves (web/debate_*.c). */
static const struct input debate_in[] = {
	{ .name = "slug", .kind = INPUT_RAW, .flags = INPUT_PATH },
	{ .name = "cpage", .kind = INPUT_RAW, .flags = INPUT_OWN },
	{ .name = "sort", .kind = INPUT_RAW, .flags = INPUT_OWN },
	{ .name = "view", .kind = INPUT_RAW, .flags = INPUT_OWN },
	{ .name = "replytocom", .kind = INPUT_RAW, .flags = INPUT_OWN },
	{ .name = "voted", .kind = INPUT_RAW, .flags = INPUT_OWN },
	{ .name = "mind", .kind = INPUT_RAW, .flags = INPUT_OWN },
	END,
};

static const struct input vote_in[] = {
	{ .name = "slug", .kind = INPUT_RAW, .flags = INPUT_PATH },
	{ .name = "phase", .kind = INPUT_RAW, .flags = INPUT_OWN },
	{ .name = "choice", .kind = INPUT_RAW, .flags = INPUT_OWN },
	{ .name = "back", .kind = INPUT_RAW, .flags = INPUT_OWN },
	END,
};

static const struct input mind_in[] = {
	{ .name = "slug", .kind = INPUT_RAW, .flags = INPUT_PATH },
	{ .name = "item", .kind = INPUT_RAW, .flags = INPUT_OWN },
	{ .name = "back", .kind = INPUT_RAW, .flags = INPUT_OWN },
	END,
};

static const struct input feature_in[] = {
	{ .name = "slug", .kind = INPUT_RAW, .flags = INPUT_PATH },
	{ .name = "feature", .kind = INPUT_RAW, .flags = INPUT_OWN },
	{ .name = "unfeature", .kind = INPUT_RAW, .flags = INPUT_OWN },
	{ .name = "back", .kind = INPUT_RAW, .flags = INPUT_OWN },
	END,
};

/* Identity.  Query values that only pick a message or a place to go. */
static const struct input next_in[] = {
	{ .name = "next", .kind = INPUT_RAW, .flags = INPUT_OWN, .cap = 1024 },
	END,
};

static const struct input signin_page_in[] = {
	{ .name = "next", .kind = INPUT_RAW, .flags = INPUT_OWN, .cap = 1024 },
	{ .name = "done", .kind = INPUT_RAW, .flags = INPUT_OWN, .cap = 32 },
	END,
};

static const struct input done_in[] = {
	{ .name = "done", .kind = INPUT_RAW, .flags = INPUT_OWN, .cap = 32 },
	END,
};

static const struct input token_query_in[] = {
	{ .name = "token", .kind = INPUT_RAW, .flags = INPUT_OWN,
	  .cap = NO_CAP },
	END,
};

/* The confirm button of a page an emailed link opens. */
static const struct input token_form_in[] = {
	{ .name = "token", .kind = INPUT_TEXT, .flags = INPUT_OWN, .cap = 64 },
	END,
};

/* The account forms: each is shown again with its own messages. */
static const struct input signin_in[] = {
	{ .name = "email", .kind = INPUT_TEXT, .flags = INPUT_OWN,
	  .cap = LIMIT_EMAIL },
	{ .name = "password", .kind = INPUT_RAW, .flags = INPUT_OWN,
	  .cap = USER_PASSWORD_MAX },
	{ .name = "next", .kind = INPUT_TEXT, .flags = INPUT_OWN, .cap = 1024 },
	END,
};

static const struct input signup_in[] = {
	{ .name = "name", .kind = INPUT_TEXT, .flags = INPUT_OWN,
	  .cap = USER_NAME_MAX * 4 },
	{ .name = "email", .kind = INPUT_TEXT, .flags = INPUT_OWN,
	  .cap = LIMIT_EMAIL },
	{ .name = "password", .kind = INPUT_RAW, .flags = INPUT_OWN,
	  .cap = USER_PASSWORD_MAX },
	{ .name = "next", .kind = INPUT_TEXT, .flags = INPUT_OWN, .cap = 1024 },
	END,
};

static const struct input signout_in[] = {
	{ .name = "next", .kind = INPUT_TEXT, .flags = INPUT_OWN, .cap = 1024 },
	END,
};

static const struct input email_in[] = {
	{ .name = "email", .kind = INPUT_TEXT, .flags = INPUT_OWN,
	  .cap = LIMIT_EMAIL },
	END,
};

static const struct input reset_password_in[] = {
	{ .name = "token", .kind = INPUT_TEXT, .flags = INPUT_OWN, .cap = 64 },
	{ .name = "password", .kind = INPUT_RAW, .flags = INPUT_OWN,
	  .cap = USER_PASSWORD_MAX },
	END,
};

static const struct input name_in[] = {
	{ .name = "name", .kind = INPUT_TEXT, .flags = INPUT_OWN,
	  .cap = USER_NAME_MAX * 4 },
	END,
};

static const struct input password_change_in[] = {
	{ .name = "current", .kind = INPUT_RAW, .flags = INPUT_OWN,
	  .cap = USER_PASSWORD_MAX },
	{ .name = "password", .kind = INPUT_RAW, .flags = INPUT_OWN,
	  .cap = USER_PASSWORD_MAX },
	END,
};

static const struct input email_change_in[] = {
	{ .name = "email", .kind = INPUT_TEXT, .flags = INPUT_OWN,
	  .cap = LIMIT_EMAIL },
	{ .name = "password", .kind = INPUT_RAW, .flags = INPUT_OWN,
	  .cap = USER_PASSWORD_MAX },
	END,
};

static const struct input delete_in[] = {
	{ .name = "password", .kind = INPUT_RAW, .flags = INPUT_OWN,
	  .cap = USER_PASSWORD_MAX },
	{ .name = "confirm", .kind = INPUT_TEXT, .flags = INPUT_OWN, .cap = 16 },
	END,
};

static const struct input setup_in[] = {
	{ .name = "token", .kind = INPUT_TEXT, .flags = INPUT_OWN, .cap = 64 },
	{ .name = "name", .kind = INPUT_TEXT, .flags = INPUT_OWN,
	  .cap = USER_NAME_MAX * 4 },
	{ .name = "email", .kind = INPUT_TEXT, .flags = INPUT_OWN,
	  .cap = LIMIT_EMAIL },
	{ .name = "password", .kind = INPUT_RAW, .flags = INPUT_OWN,
	  .cap = USER_PASSWORD_MAX },
	END,
};

static const struct input link_in[] = {
	{ .name = "token", .kind = INPUT_RAW, .flags = INPUT_OWN,
	  .cap = NO_CAP },
	END,
};

static const struct input oidc_start_in[] = {
	{ .name = "provider", .kind = INPUT_RAW, .flags = INPUT_PATH },
	{ .name = "next", .kind = INPUT_RAW, .flags = INPUT_OWN, .cap = 1024 },
	END,
};

static const struct input oidc_callback_in[] = {
	{ .name = "provider", .kind = INPUT_RAW, .flags = INPUT_PATH },
	{ .name = "state", .kind = INPUT_RAW, .flags = INPUT_OWN },
	{ .name = "code", .kind = INPUT_RAW, .flags = INPUT_OWN },
	{ .name = "error", .kind = INPUT_RAW, .flags = INPUT_OWN },
	END,
};

/* The admin forms are ours, not a reader's: a bad value is refused. */
static const struct input admin_role_in[] = {
	{ .name = "id", .kind = INPUT_ID, .flags = INPUT_REQUIRED,
	  .status = 422, .message = "Choose a user and a role." },
	{ .name = "role", .kind = INPUT_RAW, .flags = INPUT_REQUIRED,
	  .cap = 16, .status = 422, .message = "Choose a user and a role." },
	END,
};

static const struct input admin_disable_in[] = {
	{ .name = "id", .kind = INPUT_ID, .flags = INPUT_REQUIRED,
	  .status = 422, .message = "Choose a user." },
	{ .name = "disabled", .kind = INPUT_INT, .flags = INPUT_REQUIRED,
	  .min = 0, .max = 1, .status = 422, .message = "Choose a user." },
	END,
};

/* Moderation (web/moderate.c): a queue's filters, read from the query. */
static const struct input moderate_in[] = {
	{ .name = "status", .kind = INPUT_TEXT, .cap = 16 },
	{ .name = "article", .kind = INPUT_ID,
	  .message = "That discussion number is not a number." },
	{ .name = "author", .kind = INPUT_TEXT, .cap = LIMIT_AUTHOR * 4 },
	{ .name = "email", .kind = INPUT_TEXT, .cap = LIMIT_EMAIL },
	{ .name = "ip", .kind = INPUT_TEXT, .cap = 64 },
	{ .name = "reason", .kind = INPUT_TEXT, .cap = 100 },
	{ .name = "score", .kind = INPUT_INT, .min = 0, .max = 100,
	  .message = "A score is a percentage, from 0 to 100." },
	{ .name = "before", .kind = INPUT_ID,
	  .message = "That comment number is not a number." },
	END,
};

static const struct input moderate_bulk_in[] = {
	{ .name = "id", .kind = INPUT_RAW, .flags = INPUT_OWN },
	{ .name = "action", .kind = INPUT_TEXT, .cap = 16 },
	{ .name = "one", .kind = INPUT_TEXT, .cap = 40 },
	{ .name = "back", .kind = INPUT_TEXT, .cap = 1024 },
	END,
};

static const struct input moderate_edit_in[] = {
	{ .name = "id", .kind = INPUT_ID, .flags = INPUT_PATH },
	{ .name = "body", .kind = INPUT_RAW, .flags = INPUT_REQUIRED,
	  .cap = LIMIT_COMMENT_MAX * 4, .status = 422,
	  .message = "Write the comment's new text." },
	END,
};

static const struct input moderate_ban_in[] = {
	{ .name = "kind", .kind = INPUT_TEXT, .flags = INPUT_REQUIRED,
	  .cap = 16, .status = 422, .message = "Choose what to ban." },
	{ .name = "value", .kind = INPUT_TEXT, .flags = INPUT_REQUIRED,
	  .cap = 256, .status = 422, .message = "Give what to ban." },
	{ .name = "days", .kind = INPUT_INT, .min = 0, .max = 36500,
	  .status = 422, .message = "Days are a number from 0 to 36500." },
	{ .name = "reason", .kind = INPUT_TEXT, .cap = 200 },
	{ .name = "back", .kind = INPUT_TEXT, .cap = 1024 },
	END,
};
/* clang-format on */

/*
 * THE route table.  A GET route also answers HEAD.  Kept as a table by
 * hand, as the fields above: one route or field a row reads better than
 * what a formatter makes of it.
 */
/* clang-format off */
static const struct route routes[] = {
	{ METHOD_GET, "/", home_page, 0, page_in },
	{ METHOD_GET, "/articles/*", article_page, 0, article_in },
	{ METHOD_POST, "/articles/*/comments", comment_post,
	  ROUTE_CSRF | ROUTE_FORM, comment_in },
	{ METHOD_GET, "/comments/*", comment_permalink, 0, id_path_in },
	{ METHOD_GET, "/comments/*/edit", comment_edit_page, 0, id_path_in },
	{ METHOD_POST, "/comments/*/edit", comment_edit_post,
	  ROUTE_CSRF | ROUTE_FORM, comment_edit_in },
	{ METHOD_POST, "/comments/*/delete", comment_remove_post,
	  ROUTE_CSRF | ROUTE_FORM, id_path_in },
	{ METHOD_GET, "/comments/*/flag", flag_page, 0, flag_page_in },
	{ METHOD_POST, "/comments/*/flag", flag_post, ROUTE_CSRF | ROUTE_FORM,
	  flag_in },
	{ METHOD_GET, "/avatars/*", avatar_image, 0, name_path_in },
	{ METHOD_GET, "/static/*", static_file, 0, name_path_in },
	{ METHOD_GET, "/static/*/*", static_demo_file, 0, static_in },
	{ METHOD_GET, "/healthz", health_check, ROUTE_JSON, NULL },
	{ METHOD_GET, "/debates", debate_list_page, 0, NULL },
	{ METHOD_GET, "/debates/*", debate_page, 0, debate_in },
	{ METHOD_POST, "/debates/*/vote", debate_vote_post, ROUTE_CSRF | ROUTE_FORM,
	  vote_in },
	{ METHOD_POST, "/debates/*/minds", debate_mind_post, ROUTE_CSRF | ROUTE_FORM,
	  mind_in },
	{ METHOD_POST, "/debates/*/comments", debate_comment_post,
	  ROUTE_CSRF | ROUTE_FORM, comment_in },
	{ METHOD_POST, "/debates/*/feature", debate_feature_post,
	  ROUTE_CSRF | ROUTE_FORM | ROUTE_ROLE_EDITOR, feature_in },
	/* Identity (web/account*.c, web/oidc.c). */
	{ METHOD_GET, "/account/signin", account_signin_page, 0, signin_page_in },
	{ METHOD_POST, "/account/signin", account_signin_post,
	  ROUTE_POST_FORM | ROUTE_HASH, signin_in },
	{ METHOD_GET, "/account/signup", account_signup_page, 0, next_in },
	{ METHOD_POST, "/account/signup", account_signup_post,
	  ROUTE_POST_FORM | ROUTE_HASH, signup_in },
	{ METHOD_GET, "/account/signout", account_signout_page, 0, next_in },
	{ METHOD_POST, "/account/signout", account_signout_post, ROUTE_POST_FORM,
	  signout_in },
	{ METHOD_POST, "/account/signout-all", account_signout_all,
	  ROUTE_POST_FORM | ROUTE_SIGNIN, NULL },
	{ METHOD_GET, "/account/verify", account_verify_page, 0, token_query_in },
	{ METHOD_POST, "/account/verify", account_verify, ROUTE_POST_FORM,
	  token_form_in },
	{ METHOD_GET, "/account/reset", account_reset_page, 0, token_query_in },
	{ METHOD_POST, "/account/reset", account_reset_post, ROUTE_POST_FORM,
	  email_in },
	{ METHOD_POST, "/account/reset/password", account_reset_password,
	  ROUTE_POST_FORM | ROUTE_HASH, reset_password_in },
	{ METHOD_GET, "/account/settings", account_settings_page, ROUTE_SIGNIN,
	  done_in },
	{ METHOD_POST, "/account/settings/name", account_settings_name,
	  ROUTE_POST_FORM | ROUTE_SIGNIN, name_in },
	{ METHOD_POST, "/account/settings/password", account_settings_password,
	  ROUTE_POST_FORM | ROUTE_SIGNIN | ROUTE_HASH, password_change_in },
	{ METHOD_POST, "/account/settings/email", account_settings_email,
	  ROUTE_POST_FORM | ROUTE_SIGNIN | ROUTE_HASH, email_change_in },
	{ METHOD_GET, "/account/email", account_email_page, 0, token_query_in },
	{ METHOD_POST, "/account/email", account_email_confirm, ROUTE_POST_FORM,
	  token_form_in },
	{ METHOD_POST, "/account/delete", account_delete_post,
	  ROUTE_POST_FORM | ROUTE_SIGNIN | ROUTE_HASH, delete_in },
	{ METHOD_GET, "/account/setup", account_setup_page, 0, token_query_in },
	{ METHOD_POST, "/account/setup", account_setup_post,
	  ROUTE_POST_FORM | ROUTE_HASH, setup_in },
	{ METHOD_GET, "/account/link", oidc_link_page, 0, token_query_in },
	{ METHOD_POST, "/account/link", oidc_link_post, ROUTE_POST_FORM, link_in },
	{ METHOD_GET, "/users/*", account_profile, 0, id_path_in },
	{ METHOD_GET, "/auth/*/start", oidc_start, ROUTE_CALLOUT,
	  oidc_start_in },
	{ METHOD_GET, "/auth/*/callback", oidc_callback, ROUTE_CALLOUT,
	  oidc_callback_in },
	{ METHOD_GET, "/desk", account_desk, ROUTE_ROLE_MODERATOR, NULL },
	{ METHOD_GET, "/admin/users", account_admin_users, ROUTE_ROLE_ADMIN, NULL },
	{ METHOD_POST, "/admin/users/role", account_admin_role,
	  ROUTE_POST_FORM | ROUTE_ROLE_ADMIN, admin_role_in },
	{ METHOD_POST, "/admin/users/disable", account_admin_disable,
	  ROUTE_POST_FORM | ROUTE_ROLE_ADMIN, admin_disable_in },
	/* Moderation (web/moderate.c). */
	{ METHOD_GET, "/moderate", moderate_page, ROUTE_ROLE_MODERATOR,
	  moderate_in },
	{ METHOD_POST, "/moderate/bulk", moderate_bulk,
	  ROUTE_POST_FORM | ROUTE_ROLE_MODERATOR, moderate_bulk_in },
	{ METHOD_GET, "/moderate/comments/*", moderate_comment_page,
	  ROUTE_ROLE_MODERATOR, id_path_in },
	{ METHOD_POST, "/moderate/comments/*/edit", moderate_edit,
	  ROUTE_POST_FORM | ROUTE_ROLE_MODERATOR, moderate_edit_in },
	{ METHOD_POST, "/moderate/ban", moderate_ban,
	  ROUTE_POST_FORM | ROUTE_ROLE_MODERATOR, moderate_ban_in },
	{ METHOD_GET, "/moderate/log", moderate_log_page, ROUTE_ROLE_ADMIN,
	  NULL },
};
/* clang-format on */

const struct route_table web_routes = {
    .routes = routes,
    .n = sizeof(routes) / sizeof(routes[0]),
    .error_page = error_page,
};
