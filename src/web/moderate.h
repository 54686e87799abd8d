/*
 * moderate: the moderation pages (/moderate): the queues by status with
 * their counts and filters, bulk and single actions, a comment's page
 * (its context, its history, editing it, banning its author), and the
 * log.  Moderators, editors and admins; the log, admins.
 */
#ifndef PARLEY_WEB_MODERATE_H
#define PARLEY_WEB_MODERATE_H

#include <stdbool.h>

#include "http/request.h"

struct tv;

/*
 * The budget of moderation actions (each POST): per account and per
 * address a burst, refilled by a rate per second; and overall.
 */
#define MODERATE_BURST	   120
#define MODERATE_RATE	   2.0
#define MODERATE_BURST_ALL 2000
#define MODERATE_RATE_ALL  50.0

void moderate_page(struct request *req, struct response *res);
void moderate_bulk(struct request *req, struct response *res);
void moderate_comment_page(struct request *req, struct response *res);
void moderate_edit(struct request *req, struct response *res);
void moderate_ban(struct request *req, struct response *res);
void moderate_log_page(struct request *req, struct response *res);

/*
 * For a moderator: "mod_pending" (the pending count, as a link label
 * "N pending"), which page_view() puts on every page, so a moderator's
 * pages are theirs alone (web/page.c keeps none in the cache).  True
 * (nothing put) for anyone else; false when out of memory.
 */
bool moderate_put_pending(struct request *req, struct tv *v);

/* Whether the reader is a moderator (or editor, or admin). */
bool moderate_is_staff(struct request *req);

#endif
