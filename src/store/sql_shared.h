/*
 * sql_shared: fragments of SQL that read the same on every backend (the
 * two schemas have the same tables and columns), so a row means the same
 * to each backend's row reader.
 */
#ifndef PARLEY_SQL_SHARED_H
#define PARLEY_SQL_SHARED_H

#define ARTICLE_COLS                                                           \
	"id, slug, title, author, published, image, caption, tags, "           \
	"body_md, body_html, comments_open, comment_count, thread_count, "     \
	"kind"
/*
 * A comment of any discussion: an article's comments read side, featured
 * and minds as 0, so one row reader (sqlite_read_comment) serves both.
 * Its Markdown source is read as md: a page shows HTML only.  Its
 * author's account is read as it is now, not as it was when the comment
 * was posted: its role and whether its address is confirmed, NULL and 0
 * for none (anonymous, deleted or disabled); and what its author changed
 * (012_own_edits.sql).  Both are joined, COMMENT_JOINS right after
 * "comments c" (and its ON clause): a join costs a row one lookup by key,
 * where a column's own subquery costs one program run per column.
 */
#define COMMENT_COLS_MD(md)                                                    \
	"c.id, c.article_id, coalesce(c.parent_id, 0), c.root_id, c.depth, "   \
	"c.author, c.email, c.url, c.avatar, " md ", c.body_html, "            \
	"c.created, c.ip, c.side, c.featured, c.minds, c.status, "             \
	"coalesce(c.user_id, 0), cu.role, coalesce(cu.email_verified, 0), "    \
	"coalesce(e.edited, 0), coalesce(e.removed, 0)"
#define COMMENT_COLS COMMENT_COLS_MD("c.body_md")
#define COMMENT_JOINS                                                          \
	" LEFT JOIN users cu ON cu.id = c.user_id AND cu.disabled = 0"         \
	" LEFT JOIN comment_own_edits e ON e.comment_id = c.id"

/* The columns COMMENT_COLS reads; a statement reads its own after them. */
#define COMMENT_COLS_N 22

/*
 * What a comment removed by its author shows (model/comment_own.h), the
 * one text for a comment removed alone and for those removed with their
 * author's account; comment_own_edits marks it removed.
 */
#define REMOVED_HTML                                                           \
	"'<p class=\"removed\">This comment was removed by its author.</p>'"
/*
 * The comments a discussion counts, what readers see, after "WHERE
 * c.article_id = ...": approved ones, less those their authors removed
 * (the threads under them are still shown).
 */
#define COUNTED                                                                \
	" AND c.status = 'approved' AND NOT EXISTS (SELECT 1 FROM"             \
	" comment_own_edits e WHERE e.comment_id = c.id AND e.removed = 1)"

/* What of a reader's own comments they may still change. */
#define OWN_SHOWN                                                              \
	" AND c.status IN ('approved', 'pending') AND NOT EXISTS (SELECT 1"    \
	" FROM comment_own_edits e WHERE e.comment_id = c.id"                  \
	" AND e.removed = 1) ORDER BY c.id LIMIT 50"

#define USER_COLS                                                              \
	"u.id, coalesce(u.email, ''), u.name, u.password_hash, "               \
	"u.email_verified, u.role, u.disabled, u.created"

#endif
