/* pg_user: accounts, sessions, one-time tokens, external identities and the
 * mail queue, in the PostgreSQL backend. */
#include "store/pg_internal.h"

void
pg_user_ops(struct store_ops *ops)
{
	(void)ops;
}
