/* health: whether the site can serve and store, for the health check. */
#ifndef PARLEY_MODEL_HEALTH_H
#define PARLEY_MODEL_HEALTH_H

#include "core/arena.h"
#include "core/err.h"

struct app;

/*
 * ERR_OK when the database answers a read and takes writes; otherwise
 * ERR_DB with *why, in the arena, naming what is wrong (the file removed
 * or moved while serving, writes failing, reads failing).
 */
enum err health_store(struct app *app, struct arena *a, const char **why);

#endif
