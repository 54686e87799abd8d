/* health: the store asked whether it reads and writes (see health.h). */
#include "model/health.h"

#include "app.h"
#include "store/store.h"

enum err
health_store(struct app *app, struct arena *a, const char **why)
{
	struct article *list;
	int64_t total;
	size_t n;
	char msg[256];

	*why = "";
	if (app->store->ops->health(app->store, msg, sizeof(msg)) != ERR_OK) {
		*why = arena_printf(a, "%s", msg);
		if (*why == NULL)
			*why = "database unavailable";
		return ERR_DB;
	}
	if (app->store->ops->article_list(app->store, a, 0, 1, &list, &n,
					  &total) != ERR_OK) {
		*why = "database unavailable: reads fail";
		return ERR_DB;
	}
	return ERR_OK;
}
