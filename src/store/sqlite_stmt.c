/* sqlite_stmt: THE statement registry of the SQLite backend. */
#include "store/sql_shared.h"
#include "store/sqlite_internal.h"

/*
 * A comment in a moderation queue: COMMENT_COLS, then what moderators
 * weigh, its discussion, the author it answers, and how many of the
 * commenter's comments (by account or email) are approved.
 */
#define MOD_COLS                                                               \
	COMMENT_COLS ", c.visitor, c.reason, "                                 \
		     "c.spam_score, c.spam_features, c.status_at, a.slug, "    \
		     "a.title, a.kind, coalesce(p.author, ''), "               \
		     "(SELECT count(*) FROM comments h WHERE h.status = "      \
		     "'approved' AND ((c.user_id IS NOT NULL AND h.user_id = " \
		     "c.user_id) OR (c.email <> '' AND h.email <> '' AND "     \
		     "h.email = c.email COLLATE NOCASE))), "                   \
		     "substr(coalesce(p.body_md, ''), 1, 200)"
#define MOD_FROM                                                               \
	" FROM comments c" COMMENT_JOINS                                       \
	" JOIN articles a ON a.id = c.article_id"                              \
	" LEFT JOIN comments p ON p.id = c.parent_id"

/* A debate with its discussion row's counts; intro is two columns. */
#define DEBATE_COLS(intro)                                                     \
	"d.id, d.article_id, d.slug, d.motion, d.moderator, " intro ", "       \
	"d.label_a, d.label_b, d.status, d.opening, d.rebuttal, "              \
	"d.closing, d.voting_opens, d.voting_closes, d.pre_closes, "           \
	"d.post_opens, d.bucket_secs, d.version, d.activity, "                 \
	"d.refused_duplicate, d.refused_closed, d.refused_rate, "              \
	"d.changed_votes, d.created, a.comments_open, a.comment_count, "       \
	"a.thread_count"

const char *const stmt_sql[STMT__MAX] = {
    [STMT_ARTICLE_BY_SLUG] =
	"SELECT " ARTICLE_COLS " FROM articles WHERE slug = ?1"
	" AND kind = 'article'",
    [STMT_ARTICLE_BY_ID] =
	"SELECT " ARTICLE_COLS " FROM articles WHERE id = ?1",
    [STMT_ARTICLE_LIST] =
	"SELECT " ARTICLE_COLS " FROM articles WHERE kind = 'article'"
	" ORDER BY published DESC, id DESC LIMIT ?1 OFFSET ?2",
    [STMT_ARTICLE_COUNT] =
	"SELECT count(*) FROM articles WHERE kind = 'article'",
    [STMT_ARTICLE_INSERT] =
	"INSERT INTO articles (slug, title, author, published, updated,"
	" image, caption, tags, body_md, body_html, comments_open)"
	" VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [STMT_ARTICLE_SET_OPEN] =
	"UPDATE articles SET comments_open = ?2 WHERE id = ?1",
    /*
     * The page's threads are a run of consecutive top-level ids, so their
     * comments are one range of comments_thread, already in the order
     * wanted: no sort, which copied every row.  A page shows HTML only:
     * the Markdown source is not read.
     */
    [STMT_COMMENT_PAGE] =
	"WITH top AS (SELECT id FROM comments WHERE article_id = ?1"
	" AND depth = 0 AND status = 'approved' ORDER BY id"
	" LIMIT ?2 OFFSET ?3)"
	" SELECT " COMMENT_COLS_MD(
	    "''") " FROM comments c" COMMENT_JOINS
		  " WHERE c.article_id = ?1 AND c.root_id"
		  " BETWEEN (SELECT min(id) FROM top) AND (SELECT max(id) FROM top)"
		  " AND c.status = 'approved' ORDER BY c.root_id, c.id",
    [STMT_COMMENT_GET] = "SELECT " COMMENT_COLS " FROM comments c" COMMENT_JOINS
			 " WHERE c.id = ?1 AND c.status = 'approved'",
    /* One row, however many threads the article has (004_thread_no.sql). */
    [STMT_COMMENT_THREAD_INDEX] =
	"SELECT thread_no FROM comments WHERE id = ?2 AND article_id = ?1"
	" AND depth = 0 AND status = 'approved'",
    [STMT_COMMENT_BY_KEY] =
	"SELECT id, article_id, coalesce(parent_id, 0), side, body_md"
	" FROM comments WHERE request_key = ?1",
    [STMT_COMMENT_PARENT] =
	"SELECT article_id, root_id, depth, thread_no FROM comments"
	" WHERE id = ?1 AND status = 'approved'",
    [STMT_COMMENT_INSERT] =
	"INSERT INTO comments (article_id, parent_id, root_id, depth,"
	" author, email, url, avatar, body_md, body_html, created, ip,"
	" request_key, user_id, side, thread_no, network, body_hash, status,"
	" visitor, reason, spam_score, spam_features) VALUES (?1, ?2, ?3, ?4,"
	" ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
	" ?19, ?20, ?21, ?22, ?23)",
    [STMT_COMMENT_SET_ROOT] =
	"UPDATE comments SET root_id = id, thread_no = ?2 WHERE id = ?1",
    [STMT_ARTICLE_COUNT_COMMENT] =
	"UPDATE articles SET comment_count = comment_count + ?3,"
	" thread_count = thread_count + ?2"
	" WHERE id = ?1 AND comments_open = 1 RETURNING thread_count",
    [STMT_SAVEPOINT] = "SAVEPOINT job",
    [STMT_ROLLBACK_TO] = "ROLLBACK TO job",
    [STMT_RELEASE] = "RELEASE job",
    /* Identity (sqlite_user.c). */
    [STMT_USER_INSERT] =
	"INSERT INTO users (email, name, password_hash, email_verified,"
	" role, disabled, created)"
	" VALUES (nullif(?1, ''), ?2, ?3, ?4, ?5, ?6, ?7)",
    [STMT_USER_GET] = "SELECT " USER_COLS " FROM users u WHERE u.id = ?1",
    [STMT_USER_CLAIMS] =
	"SELECT EXISTS (SELECT 1 FROM users WHERE name = ?1 COLLATE NOCASE"
	" AND email_verified = 1 AND disabled = 0), EXISTS (SELECT 1 FROM"
	" users WHERE email = ?2 AND email_verified = 1)",
    [STMT_USER_BY_EMAIL] =
	"SELECT " USER_COLS " FROM users u WHERE u.email = ?1",
    [STMT_USER_LIST] = "SELECT " USER_COLS " FROM users u ORDER BY u.id",
    [STMT_USER_UPDATE] = "UPDATE users SET email = nullif(?2, ''), name = ?3,"
			 " password_hash = ?4, email_verified = ?5, role = ?6,"
			 " disabled = ?7 WHERE id = ?1",
    [STMT_USER_RENAME_COMMENTS] =
	"UPDATE comments SET author = ?2 WHERE user_id = ?1",
    [STMT_USER_COUNT_ROLE] =
	"SELECT count(*) FROM users WHERE role = ?1 AND disabled = 0",
    [STMT_USER_DELETE] = "DELETE FROM users WHERE id = ?1",
    [STMT_USER_ANON_COMMENTS] =
	"UPDATE comments SET author = 'Former member', email = '',"
	" url = '', user_id = NULL WHERE user_id = ?1",
    [STMT_USER_REMOVE_COMMENTS] =
	"UPDATE comments SET author = 'Former member', email = '',"
	" url = '', body_md = '', body_html = " REMOVED_HTML ", user_id = NULL"
	" WHERE user_id = ?1",
    [STMT_USER_MARK_REMOVED] =
	"INSERT INTO comment_own_edits (comment_id, removed)"
	" SELECT id, 1 FROM comments WHERE user_id = ?1 AND true"
	" ON CONFLICT (comment_id) DO UPDATE SET removed = 1",
    [STMT_USER_RECOUNT] =
	"UPDATE articles SET comment_count = (SELECT count(*) FROM comments c"
	" WHERE c.article_id = articles.id" COUNTED ") WHERE id IN"
	" (SELECT article_id FROM comments WHERE user_id = ?1)",
    [STMT_USER_ARTICLES] =
	"SELECT DISTINCT article_id FROM comments WHERE user_id = ?1",
    [STMT_USER_COMMENTS] =
	"SELECT c.id, c.article_id, c.author, c.body_html, c.created,"
	" a.slug, a.title FROM comments c JOIN articles a"
	" ON a.id = c.article_id WHERE c.user_id = ?1"
	" AND c.status = 'approved' ORDER BY c.id DESC LIMIT ?2",
    [STMT_SESSION_INSERT] =
	"INSERT INTO sessions (token_hash, user_id, created, expires)"
	" VALUES (?1, ?2, ?3, ?4)",
    [STMT_SESSION_DELETE] = "DELETE FROM sessions WHERE token_hash = ?1",
    [STMT_SESSION_USER] = "SELECT " USER_COLS " FROM sessions s JOIN users u"
			  " ON u.id = s.user_id WHERE s.token_hash = ?1"
			  " AND s.expires > ?2 AND u.disabled = 0",
    [STMT_SESSION_DELETE_USER] = "DELETE FROM sessions WHERE user_id = ?1",
    [STMT_SESSION_PURGE] = "DELETE FROM sessions WHERE expires <= ?1",
    [STMT_TOKEN_INSERT] =
	"INSERT INTO user_tokens (token_hash, purpose, user_id, data,"
	" expires) VALUES (?1, ?2, nullif(?3, 0), ?4, ?5)",
    [STMT_TOKEN_DROP_PURPOSE] = "DELETE FROM user_tokens WHERE purpose = ?1"
				" AND coalesce(user_id, 0) = ?2",
    [STMT_TOKEN_PURGE] = "DELETE FROM user_tokens WHERE expires <= ?1",
    [STMT_TOKEN_GET] =
	"SELECT coalesce(user_id, 0), data, expires FROM user_tokens"
	" WHERE token_hash = ?1 AND purpose = ?2 AND expires > ?3",
    [STMT_TOKEN_DELETE] = "DELETE FROM user_tokens WHERE token_hash = ?1",
    [STMT_IDENTITY_USER] = "SELECT user_id FROM identities WHERE provider = ?1"
			   " AND subject = ?2",
    [STMT_IDENTITY_INSERT] =
	"INSERT INTO identities (provider, subject, user_id, email,"
	" created) VALUES (?1, ?2, ?3, ?4, ?5)",
    [STMT_MAIL_INSERT] =
	"INSERT INTO outbox (recipient, subject, body, created,"
	" next_attempt) VALUES (?1, ?2, ?3, ?4, ?4)",
    [STMT_MAIL_DUE] =
	"SELECT id, recipient, subject, body, attempts FROM outbox"
	" WHERE status = 'queued' AND next_attempt <= ?1"
	" ORDER BY next_attempt, id LIMIT ?2",
    [STMT_MAIL_SENT] =
	"UPDATE outbox SET status = 'sent', attempts = attempts + 1,"
	" last_error = '' WHERE id = ?1",
    [STMT_MAIL_FAILED] =
	"UPDATE outbox SET attempts = attempts + 1, last_error = ?3,"
	" next_attempt = ?2, status = CASE WHEN ?2 = 0 THEN 'failed'"
	" ELSE 'queued' END WHERE id = ?1",

    /* Moderation (sqlite_moderation.c). */
    [STMT_MOD_GET] = "SELECT " MOD_COLS MOD_FROM " WHERE c.id = ?1",
    /* Newest first along comments_by_status; every filter optional. */
    [STMT_MOD_LIST] =
	"SELECT " MOD_COLS MOD_FROM " WHERE c.status = ?1"
	" AND (?2 = 0 OR c.article_id = ?2)"
	" AND (?3 = '' OR c.author = ?3 COLLATE NOCASE)"
	" AND (?4 = '' OR c.email = ?4 COLLATE NOCASE)"
	" AND (?5 = '' OR c.ip = ?5) AND (?6 = '' OR instr(c.reason, ?6) > 0)"
	" AND (?7 <= 0 OR c.spam_score * 100 >= ?7)"
	" AND (?8 = 0 OR c.id < ?8) ORDER BY c.id DESC LIMIT ?9",
    [STMT_MOD_COUNTS] =
	"SELECT (SELECT count(*) FROM comments WHERE status = 'pending'),"
	" (SELECT count(*) FROM comments WHERE status = 'spam'),"
	" (SELECT count(*) FROM comments WHERE status = 'trash')",
    /* On every staff page: a range of comments_by_status, nothing more. */
    [STMT_MOD_PENDING_COUNT] =
	"SELECT count(*) FROM comments WHERE status = 'pending'",
    [STMT_MOD_STATUS_OF] =
	"SELECT status, article_id, body_md FROM comments WHERE id = ?1",
    [STMT_MOD_SET_STATUS] =
	"UPDATE comments SET status = ?2, status_at = ?3 WHERE id = ?1",
    /* A discussion counts what readers see (COUNTED). */
    [STMT_MOD_RECOUNT] =
	"UPDATE articles SET comment_count = (SELECT count(*) FROM comments c"
	" WHERE c.article_id = ?1" COUNTED "),"
	" thread_count = (SELECT count(*) FROM comments WHERE article_id = ?1"
	" AND depth = 0 AND status = 'approved') WHERE id = ?1",
    /* Each comment's thread number among the shown threads (004). */
    [STMT_MOD_RENUMBER] =
	"WITH top AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n"
	" FROM comments WHERE article_id = ?1 AND depth = 0"
	" AND status = 'approved')"
	" UPDATE comments SET thread_no = top.n FROM top"
	" WHERE comments.article_id = ?1 AND comments.root_id = top.id"
	" AND comments.thread_no <> top.n",
    [STMT_MOD_EDIT] =
	"UPDATE comments SET body_md = ?2, body_html = ?3 WHERE id = ?1",
    /*
     * A comment's status, discussion and text, and whether its author
     * removed it: what a change checks in its write (a flag, an edit).
     */
    [STMT_COMMENT_STATE] =
	"SELECT c.status, c.article_id, c.body_md, EXISTS (SELECT 1 FROM"
	" comment_own_edits e WHERE e.comment_id = c.id AND e.removed = 1)"
	" FROM comments c WHERE c.id = ?1",
    /* A commenter's own edit (?2 the time) or removal (?3 = 1). */
    [STMT_OWN_MARK] =
	"INSERT INTO comment_own_edits (comment_id, edited, removed)"
	" VALUES (?1, ?2, ?3) ON CONFLICT (comment_id) DO UPDATE SET"
	" edited = max(edited, excluded.edited),"
	" removed = max(removed, excluded.removed)",
    [STMT_OWN_REMOVE] =
	"UPDATE comments SET body_md = '', body_html = " REMOVED_HTML
	" WHERE id = ?1",
    /*
     * A reader's comments on a discussion still theirs to change, posted
     * since ?3, shown and not removed: by their account (?2), or by their
     * browser (?2, for comments posted without an account); one seek of
     * comments_own_by_user or comments_own_by_visitor.
     */
    [STMT_OWN_RECENT_USER] =
	"SELECT c.id FROM comments c WHERE c.user_id = ?2"
	" AND c.article_id = ?1 AND c.created >= ?3" OWN_SHOWN,
    [STMT_OWN_RECENT_VISITOR] =
	"SELECT c.id FROM comments c WHERE c.visitor = ?2 AND c.visitor <> ''"
	" AND c.article_id = ?1 AND c.created >= ?3 AND c.user_id IS NULL" OWN_SHOWN,
    [STMT_OWN_STATUS] =
	"UPDATE comments SET status = ?2, reason = ?3, spam_score = ?4,"
	" spam_features = ?5, status_at = ?6 WHERE id = ?1",
    /* Only comments nothing answers: a reply keeps its parent. */
    [STMT_MOD_PURGEABLE] =
	"SELECT c.id, c.article_id, c.status, c.body_md FROM comments c"
	" WHERE c.status IN ('spam', 'trash') AND (CASE WHEN c.status_at > 0"
	" THEN c.status_at ELSE c.created END) <= ?1 AND NOT EXISTS"
	" (SELECT 1 FROM comments r WHERE r.article_id = c.article_id"
	" AND r.root_id = c.root_id AND r.parent_id = c.id) LIMIT 500",
    [STMT_MOD_DELETE] = "DELETE FROM comments WHERE id = ?1",
    [STMT_MOD_LOG] =
	"SELECT id, at, actor_id, actor, action, comment_id, article_id,"
	" status_before, status_after, text_before, text_after, detail"
	" FROM moderation_log WHERE comment_id = ?1 ORDER BY id DESC LIMIT ?2",
    [STMT_MOD_LOG_ALL] =
	"SELECT id, at, actor_id, actor, action, comment_id, article_id,"
	" status_before, status_after, text_before, text_after, detail"
	" FROM moderation_log ORDER BY id DESC LIMIT ?1",
    [STMT_MOD_LOG_ADD] =
	"INSERT INTO moderation_log (at, actor_id, actor, action, comment_id,"
	" article_id, status_before, status_after, text_before, text_after,"
	" detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    /* Along comments_held: a discussion's held comments are few. */
    [STMT_MOD_OWN_PENDING] =
	"SELECT " COMMENT_COLS " FROM comments c" COMMENT_JOINS
	" WHERE c.article_id = ?1"
	" AND c.status = 'pending' AND ((?2 > 0 AND c.user_id = ?2)"
	" OR (?3 <> '' AND c.visitor = ?3)) ORDER BY c.id LIMIT 50",
    [STMT_MOD_APPROVED_BY] =
	"SELECT (SELECT count(*) FROM comments WHERE ?1 > 0 AND user_id = ?1"
	" AND status = 'approved') + (SELECT count(*) FROM comments"
	" WHERE ?2 <> '' AND email <> '' AND email = ?2 COLLATE NOCASE"
	" AND status = 'approved' AND coalesce(user_id, 0) <> ?1)",
    /* The flagged queue: comments with open flags, along comment_flags_open. */
    [STMT_MOD_LIST_FLAGGED] =
	"SELECT " MOD_COLS MOD_FROM " WHERE c.id IN (SELECT comment_id"
	" FROM comment_flags WHERE resolved = 0)"
	" AND (?1 = ?1) AND (?2 = 0 OR c.article_id = ?2)"
	" AND (?3 = '' OR c.author = ?3 COLLATE NOCASE)"
	" AND (?4 = '' OR c.email = ?4 COLLATE NOCASE)"
	" AND (?5 = '' OR c.ip = ?5) AND (?6 = '' OR instr(c.reason, ?6) > 0)"
	" AND (?7 <= 0 OR c.spam_score * 100 >= ?7)"
	" AND (?8 = 0 OR c.id < ?8) ORDER BY c.id DESC LIMIT ?9",

    /* Readers' flags (sqlite_flags.c; 011_flags.sql). */
    /*
     * All flags, the networks the open ones came from, whether ?2 is among
     * the readers and whether the network ?3 is among the open ones.
     */
    [STMT_FLAG_STATE] =
	"SELECT count(*), count(DISTINCT network) FILTER (WHERE resolved = 0),"
	" coalesce(max(reader = ?2), 0),"
	" coalesce(max(network = ?3 AND resolved = 0), 0) FROM comment_flags"
	" WHERE comment_id = ?1",
    [STMT_FLAG_INSERT] =
	"INSERT INTO comment_flags (comment_id, reader, network, reason, note,"
	" created) VALUES (?1, ?2, ?6, ?3, ?4, ?5)",
    [STMT_FLAG_OPEN_REASONS] =
	"SELECT count(*), coalesce(replace(group_concat(DISTINCT reason),"
	" ',', ', '), '') FROM comment_flags WHERE comment_id = ?1"
	" AND resolved = 0",
    [STMT_FLAG_HOLD] =
	"UPDATE comments SET status = 'pending', status_at = ?2, reason = ?3"
	" WHERE id = ?1 AND status = 'approved'",
    [STMT_FLAG_RESOLVE] =
	"UPDATE comment_flags SET resolved = ?2 WHERE comment_id = ?1"
	" AND resolved = 0",
    [STMT_FLAG_OPEN_LIST] =
	"SELECT reason, note, created FROM comment_flags WHERE comment_id = ?1"
	" AND resolved = 0 ORDER BY id LIMIT ?2",
    [STMT_FLAG_OPEN_COUNT] =
	"SELECT count(DISTINCT comment_id) FROM comment_flags"
	" WHERE resolved = 0",
    [STMT_BAN_INSERT] =
	"INSERT INTO bans (kind, value, reason, created, expires, created_by)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [STMT_BAN_LIST] =
	"SELECT id, kind, value, reason, created, expires, created_by"
	" FROM bans WHERE (?1 = '' OR kind = ?1) AND (expires = 0"
	" OR expires > ?2) ORDER BY id DESC LIMIT 10000",
    [STMT_BAN_GET] = "SELECT kind, value FROM bans WHERE id = ?1",
    [STMT_BAN_DELETE] = "DELETE FROM bans WHERE id = ?1",
    [STMT_BAN_FIND] = "SELECT 1 FROM bans WHERE kind = ?1 AND value = ?2"
		      " AND (expires = 0 OR expires > ?3) LIMIT 1",
    [STMT_SPAM_MODEL_GET] = "SELECT data FROM spam_model WHERE id = 1",
    [STMT_SPAM_MODEL_PUT] =
	"INSERT INTO spam_model (id, data, examples, saved)"
	" VALUES (1, ?1, ?2, ?3) ON CONFLICT (id) DO UPDATE SET"
	" data = excluded.data, examples = excluded.examples,"
	" saved = excluded.saved",
    [STMT_SPAM_ROWS] =
	"SELECT id, body_md, status = 'spam' FROM comments"
	" WHERE status IN ('approved', 'spam') AND id > ?1 ORDER BY id LIMIT ?2",
    [STMT_SPAM_DECISIONS] =
	"SELECT l.id, c.body_md, l.status_after = 'spam' FROM moderation_log l"
	" JOIN comments c ON c.id = l.comment_id WHERE l.id > ?1"
	" AND l.status_after IN ('approved', 'spam')"
	" AND l.action NOT IN ('author_edit', 'author_remove')"
	" ORDER BY l.id LIMIT ?2",

    /* Debates (sqlite_debate.c). */
    [STMT_DEBATE_ARTICLE_INSERT] =
	"INSERT INTO articles (slug, title, author, published, updated,"
	" body_md, body_html, comments_open, kind)"
	" VALUES (?1, ?2, ?3, ?4, ?4, '', '', ?5, 'debate')",
    [STMT_DEBATE_INSERT] =
	"INSERT INTO debates (article_id, slug, motion, moderator,"
	" intro_md, intro_html, label_a, label_b, status, opening,"
	" rebuttal, closing, voting_opens, voting_closes, pre_closes,"
	" post_opens, bucket_secs, created) VALUES (?1, ?2, ?3, ?4, ?5,"
	" ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
    [STMT_DEBATE_SPEAKER_INSERT] =
	"INSERT INTO debate_speakers (debate_id, side, position, name,"
	" bio, photo, link) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [STMT_DEBATE_STATEMENT_INSERT] =
	"INSERT INTO debate_statements (debate_id, speaker_id, round,"
	" body_md, body_html) VALUES (?1, ?2, ?3, ?4, ?5)",
    [STMT_DEBATE_BY_SLUG] = "SELECT " DEBATE_COLS(
	"d.intro_md, d.intro_html") " FROM debates d JOIN articles a ON a.id = d.article_id"
				    " WHERE d.slug = ?1",
    [STMT_DEBATE_LIST] = "SELECT " DEBATE_COLS(
	"'', ''") " FROM debates d JOIN articles a ON a.id = d.article_id"
		  " WHERE ?1 OR d.status <> 'draft'"
		  " ORDER BY coalesce(nullif(d.opening, 0), d.created) DESC, d.id DESC"
		  " LIMIT ?2",
    [STMT_DEBATE_SPEAKERS] = "SELECT id, side, position, name, bio, photo, link"
			     " FROM debate_speakers WHERE debate_id = ?1"
			     " ORDER BY side, position",
    [STMT_DEBATE_STATEMENTS] =
	"SELECT id, speaker_id, round, body_md, body_html, minds"
	" FROM debate_statements WHERE debate_id = ?1"
	" ORDER BY round, speaker_id",
    [STMT_DEBATE_SET_STATUS] =
	"UPDATE debates SET status = ?2, voting_closes = CASE WHEN ?3 >= 0"
	" THEN ?3 ELSE voting_closes END, version = version + 1"
	" WHERE id = ?1",
    [STMT_DEBATE_TALLY] =
	"SELECT pre, post, n FROM debate_pairs WHERE debate_id = ?1",
    [STMT_DEBATE_BUCKETS] =
	"SELECT bucket, phase, choice, delta FROM debate_vote_buckets"
	" WHERE debate_id = ?1 ORDER BY bucket, phase, choice",
    [STMT_DEBATE_VOTER] =
	"SELECT pre, post FROM debate_votes WHERE debate_id = ?1"
	" AND voter = ?2",
    [STMT_DEBATE_VOTE_PRE] =
	"INSERT INTO debate_votes (debate_id, voter, pre, pre_at)"
	" VALUES (?1, ?2, ?3, ?4) ON CONFLICT (debate_id, voter)"
	" DO UPDATE SET pre = excluded.pre, pre_at = excluded.pre_at",
    [STMT_DEBATE_VOTE_POST] =
	"INSERT INTO debate_votes (debate_id, voter, post, post_at)"
	" VALUES (?1, ?2, ?3, ?4) ON CONFLICT (debate_id, voter)"
	" DO UPDATE SET post = excluded.post, post_at = excluded.post_at",
    [STMT_DEBATE_BUCKET_ADD] =
	"INSERT INTO debate_vote_buckets (debate_id, bucket, phase, choice,"
	" delta) VALUES (?1, ?2, ?3, ?4, ?5)"
	" ON CONFLICT (debate_id, bucket, phase, choice)"
	" DO UPDATE SET delta = delta + excluded.delta",
    [STMT_DEBATE_TOUCH] = "UPDATE debates SET activity = activity + 1,"
			  " changed_votes = changed_votes + ?2,"
			  " refused_duplicate = refused_duplicate + ?3,"
			  " refused_closed = refused_closed + ?4,"
			  " refused_rate = refused_rate + ?5 WHERE id = ?1",
    [STMT_DEBATE_REFUSER_ADD] =
	"INSERT INTO debate_refusers (debate_id, reason, who)"
	" VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
    [STMT_DEBATE_BUMP] =
	"UPDATE debates SET version = version + 1 WHERE id = ?1",
    [STMT_DEBATE_ITEM_STATEMENT] =
	"SELECT 1 FROM debate_statements WHERE id = ?1 AND debate_id = ?2",
    [STMT_DEBATE_ITEM_COMMENT] =
	"SELECT 1 FROM comments c JOIN debates d ON d.article_id = c.article_id"
	" WHERE c.id = ?1 AND d.id = ?2 AND c.status = 'approved'",
    [STMT_DEBATE_MIND_ADD] =
	"INSERT OR IGNORE INTO debate_minds (debate_id, kind, item_id,"
	" voter, created) VALUES (?1, ?2, ?3, ?4, ?5)",
    [STMT_DEBATE_MIND_STATEMENT] =
	"UPDATE debate_statements SET minds = minds + 1 WHERE id = ?1",
    [STMT_DEBATE_MIND_COMMENT] =
	"UPDATE comments SET minds = minds + 1 WHERE id = ?1",
    [STMT_DEBATE_FEATURE] =
	"UPDATE comments SET featured = ?3 WHERE id = ?1 AND status = 'approved'"
	" AND article_id = (SELECT article_id FROM debates WHERE id = ?2)",
    /*
     * Sides take turns: each side's first thread, then each side's
     * second, and so on (threads that take no side come third), so the
     * larger side cannot push the smaller one off the first pages.
     */
    [STMT_COMMENT_PAGE_ALTERNATE] =
	"WITH ranked AS (SELECT id, row_number() OVER (PARTITION BY side"
	" ORDER BY id) AS rn, CASE side WHEN 1 THEN 0 WHEN 2 THEN 1"
	" ELSE 2 END AS sk FROM comments WHERE article_id = ?1"
	" AND depth = 0 AND status = 'approved'),"
	" top AS (SELECT id, rn, sk FROM ranked ORDER BY rn, sk"
	" LIMIT ?2 OFFSET ?3)"
	" SELECT " COMMENT_COLS " FROM top JOIN comments c"
	" ON c.article_id = ?1 AND c.root_id = top.id" COMMENT_JOINS
	" WHERE c.status = 'approved' ORDER BY top.rn, top.sk, c.id",
    [STMT_COMMENT_PAGE_MINDS] =
	"WITH top AS (SELECT id, minds AS m FROM comments"
	" WHERE article_id = ?1 AND depth = 0 AND status = 'approved'"
	" ORDER BY minds DESC, id LIMIT ?2 OFFSET ?3)"
	" SELECT " COMMENT_COLS " FROM top JOIN comments c"
	" ON c.article_id = ?1 AND c.root_id = top.id" COMMENT_JOINS
	" WHERE c.status = 'approved' ORDER BY top.m DESC, top.id, c.id",
    [STMT_DEBATE_FEATURED] =
	"SELECT " COMMENT_COLS " FROM comments c" COMMENT_JOINS
	" WHERE c.article_id = ?1"
	" AND c.featured = 1 AND c.status = 'approved' ORDER BY c.id"
	" LIMIT ?2",
    [STMT_DEBATE_TOP_COMMENTS] =
	"SELECT " COMMENT_COLS " FROM comments c" COMMENT_JOINS
	" WHERE c.article_id = ?1"
	" AND c.minds > 0 AND c.status = 'approved'"
	" ORDER BY c.minds DESC, c.id LIMIT ?2",
    [STMT_DEBATE_HOME_EPOCH] =
	"SELECT count(*), total(version), total((opening BETWEEN 1 AND ?1)"
	" + (voting_opens BETWEEN 1 AND ?1) + (voting_closes BETWEEN 1 AND ?1)),"
	" coalesce(min(min(CASE WHEN opening > ?1 THEN opening ELSE 1e18 END,"
	" CASE WHEN voting_opens > ?1 THEN voting_opens ELSE 1e18 END,"
	" CASE WHEN voting_closes > ?1 THEN voting_closes ELSE 1e18 END)), 1e18)"
	" FROM debates WHERE status <> 'draft'",
    [STMT_DEBATE_PAIR_ADD] =
	"INSERT INTO debate_pairs (debate_id, pre, post, n)"
	" VALUES (?1, ?2, ?3, ?4) ON CONFLICT (debate_id, pre, post)"
	" DO UPDATE SET n = n + excluded.n",
    /*
     * A comment said again: the same text (found by its hash, then
     * compared) since ?2, from the same email, account or network.
     */
    [STMT_COMMENT_REPEAT] =
	"SELECT id FROM comments WHERE body_hash = ?1 AND created >= ?2"
	" AND body_md = ?3 AND ((?4 <> '' AND email = ?4 COLLATE NOCASE)"
	" OR (?5 <> 0 AND user_id = ?5) OR (?6 <> '' AND network = ?6))"
	" LIMIT 1",
};
