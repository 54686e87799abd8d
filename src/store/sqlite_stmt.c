/* sqlite_stmt: THE statement registry of the SQLite backend. */
#include "store/sqlite_internal.h"

#define ARTICLE_COLS                                                    \
	"id, slug, title, author, published, image, caption, tags, "    \
	"body_md, body_html, comments_open, comment_count, thread_count"
#define COMMENT_COLS                                                    \
	"c.id, c.article_id, coalesce(c.parent_id, 0), c.root_id, c.depth, " \
	"c.author, c.email, c.url, c.avatar, c.body_md, c.body_html, "  \
	"c.created, c.ip"

const char *const stmt_sql[STMT__MAX] = {
	[STMT_ARTICLE_BY_SLUG] =
		"SELECT " ARTICLE_COLS " FROM articles WHERE slug = ?1",
	[STMT_ARTICLE_BY_ID] =
		"SELECT " ARTICLE_COLS " FROM articles WHERE id = ?1",
	[STMT_ARTICLE_LIST] =
		"SELECT " ARTICLE_COLS " FROM articles"
		" ORDER BY published DESC, id DESC LIMIT ?1 OFFSET ?2",
	[STMT_ARTICLE_COUNT] = "SELECT count(*) FROM articles",
	[STMT_ARTICLE_INSERT] =
		"INSERT INTO articles (slug, title, author, published, updated,"
		" image, caption, tags, body_md, body_html, comments_open)"
		" VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[STMT_ARTICLE_SET_OPEN] =
		"UPDATE articles SET comments_open = ?2 WHERE id = ?1",
	[STMT_COMMENT_PAGE] =
		"WITH top AS (SELECT id FROM comments WHERE article_id = ?1"
		" AND depth = 0 AND status = 'approved' ORDER BY id"
		" LIMIT ?2 OFFSET ?3)"
		" SELECT " COMMENT_COLS " FROM top JOIN comments c"
		" ON c.article_id = ?1 AND c.root_id = top.id"
		" WHERE c.status = 'approved' ORDER BY c.root_id, c.id",
	[STMT_COMMENT_GET] =
		"SELECT " COMMENT_COLS " FROM comments c"
		" WHERE c.id = ?1 AND c.status = 'approved'",
	[STMT_COMMENT_THREAD_INDEX] =
		"SELECT count(*) FROM comments WHERE article_id = ?1"
		" AND depth = 0 AND status = 'approved' AND id < ?2",
	[STMT_COMMENT_BY_KEY] =
		"SELECT id FROM comments WHERE request_key = ?1",
	[STMT_COMMENT_PARENT] =
		"SELECT article_id, root_id, depth FROM comments"
		" WHERE id = ?1 AND status = 'approved'",
	[STMT_COMMENT_INSERT] =
		"INSERT INTO comments (article_id, parent_id, root_id, depth,"
		" author, email, url, avatar, body_md, body_html, created, ip,"
		" request_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
		" ?11, ?12, ?13)",
	[STMT_ARTICLE_COUNT_COMMENT] =
		"UPDATE articles SET comment_count = comment_count + 1,"
		" thread_count = thread_count + ?2"
		" WHERE id = ?1 AND comments_open = 1",
};

