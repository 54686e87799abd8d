/* pg_debate: debates: speakers, statements, votes, "changed my mind" marks and
 * featured comments, in the PostgreSQL backend. */
#include "store/pg_internal.h"

void
pg_debate_ops(struct store_ops *ops)
{
	(void)ops;
}
