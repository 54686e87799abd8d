#include "model/session.h"

#include "app.h"
#include "core/util.h"
#include "model/user.h"

bool
session_token_valid(const char *s)
{
	return s != NULL && user_token_valid(s);
}

enum err
session_start(struct app *app, struct arena *a, int64_t user_id,
	      const char *old_token, const char **token)
{
	const char *hash;
	char old[65];
	int64_t now = time_now();

	if (!user_token_new(a, token, &hash))
		return ERR_NOMEM;
	if (session_token_valid(old_token))
		user_token_hash(old_token, old);
	return app->store->ops->session_insert(
	    app->store, hash, user_id, now,
	    now + (int64_t)app->cfg.session_days * 86400,
	    session_token_valid(old_token) ? old : NULL);
}

enum err
session_user(struct app *app, struct arena *a, const char *token,
	     struct user *out)
{
	char hash[65];

	if (!session_token_valid(token))
		return ERR_NOTFOUND;
	user_token_hash(token, hash);
	return app->store->ops->session_user(app->store, a, hash, time_now(),
					     out);
}

enum err
session_end(struct app *app, const char *token)
{
	char hash[65];

	if (!session_token_valid(token))
		return ERR_OK;
	user_token_hash(token, hash);
	return app->store->ops->session_delete(app->store, hash);
}

enum err
session_end_all(struct app *app, int64_t user_id)
{
	return app->store->ops->session_delete_user(app->store, user_id);
}
