/* pg_article: articles and comments, in the PostgreSQL backend. */
#include "store/pg_internal.h"

void
pg_article_ops(struct store_ops *ops)
{
	(void)ops;
}
