/* open: which backend a database's name picks. */
#include <string.h>

#include "store/store.h"

bool
store_is_postgres(const char *db)
{
	return strncmp(db, "postgresql://", 13) == 0 ||
	       strncmp(db, "postgres://", 11) == 0 ||
	       strncmp(db, "dbname=", 7) == 0 || strstr(db, " dbname=") ||
	       strncmp(db, "host=", 5) == 0 || strncmp(db, "service=", 8) == 0;
}

struct store *
store_open(const char *db, struct buf *err)
{
	return store_is_postgres(db) ? pg_store_open(db, err)
				     : sqlite_store_open(db, err);
}
