/*
 * sqlite_internal: what the SQLite backend's files share: the statement
 * registry, connections, and the writer that groups commits.  Only
 * store/sqlite*.c include this.
 */
#ifndef PARLEY_SQLITE_INTERNAL_H
#define PARLEY_SQLITE_INTERNAL_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "store/names.h"
#include "store/sql_shared.h"
#include "store/store.h"

/* The statement registry (sqlite_stmt.c): every SQL statement this backend
 * runs. */
enum stmt {
	STMT_ARTICLE_BY_SLUG,
	STMT_ARTICLE_BY_ID,
	STMT_ARTICLE_LIST,
	STMT_ARTICLE_COUNT,
	STMT_ARTICLE_INSERT,
	STMT_ARTICLE_SET_OPEN,
	STMT_COMMENT_PAGE,
	STMT_COMMENT_GET,
	STMT_COMMENT_THREAD_INDEX,
	STMT_COMMENT_BY_KEY,
	STMT_COMMENT_PARENT,
	STMT_COMMENT_INSERT,
	STMT_COMMENT_SET_ROOT,
	STMT_ARTICLE_COUNT_COMMENT,
	/* The writer's savepoint around each job of a batch. */
	STMT_SAVEPOINT,
	STMT_ROLLBACK_TO,
	STMT_RELEASE,
	/* Identity (sqlite_user.c). */
	STMT_USER_INSERT,
	STMT_USER_GET,
	STMT_USER_BY_EMAIL,
	STMT_USER_CLAIMS,
	STMT_USER_LIST,
	STMT_USER_UPDATE,
	STMT_USER_RENAME_COMMENTS,
	STMT_USER_COUNT_ROLE,
	STMT_USER_DELETE,
	STMT_USER_ANON_COMMENTS,
	STMT_USER_REMOVE_COMMENTS,
	STMT_USER_MARK_REMOVED,
	STMT_USER_RECOUNT,
	STMT_USER_ARTICLES,
	STMT_USER_COMMENTS,
	STMT_SESSION_INSERT,
	STMT_SESSION_DELETE,
	STMT_SESSION_USER,
	STMT_SESSION_DELETE_USER,
	STMT_SESSION_PURGE,
	STMT_TOKEN_INSERT,
	STMT_TOKEN_DROP_PURPOSE,
	STMT_TOKEN_PURGE,
	STMT_TOKEN_GET,
	STMT_TOKEN_DELETE,
	STMT_IDENTITY_USER,
	STMT_IDENTITY_INSERT,
	STMT_MAIL_INSERT,
	STMT_MAIL_DUE,
	STMT_MAIL_SENT,
	STMT_MAIL_FAILED,
	/* Moderation (sqlite_moderation.c). */
	STMT_MOD_GET,
	STMT_MOD_LIST,
	STMT_MOD_COUNTS,
	STMT_MOD_PENDING_COUNT,
	STMT_MOD_STATUS_OF,
	STMT_MOD_SET_STATUS,
	STMT_MOD_RECOUNT,
	STMT_MOD_RENUMBER,
	STMT_MOD_EDIT,
	STMT_COMMENT_STATE,
	STMT_OWN_MARK,
	STMT_OWN_REMOVE,
	STMT_OWN_RECENT_USER,
	STMT_OWN_RECENT_VISITOR,
	STMT_OWN_STATUS,
	STMT_MOD_PURGEABLE,
	STMT_MOD_DELETE,
	STMT_MOD_LOG,
	STMT_MOD_LOG_ALL,
	STMT_MOD_LOG_ADD,
	STMT_MOD_OWN_PENDING,
	STMT_MOD_APPROVED_BY,
	STMT_MOD_LIST_FLAGGED,
	/* Readers' flags (sqlite_flags.c). */
	STMT_FLAG_STATE,
	STMT_FLAG_INSERT,
	STMT_FLAG_OPEN_REASONS,
	STMT_FLAG_HOLD,
	STMT_FLAG_RESOLVE,
	STMT_FLAG_OPEN_LIST,
	STMT_FLAG_OPEN_COUNT,
	STMT_BAN_INSERT,
	STMT_BAN_LIST,
	STMT_BAN_GET,
	STMT_BAN_DELETE,
	STMT_BAN_FIND,
	STMT_SPAM_MODEL_GET,
	STMT_SPAM_MODEL_PUT,
	STMT_SPAM_ROWS,
	STMT_SPAM_DECISIONS,
	/* Debates (sqlite_debate.c). */
	STMT_DEBATE_ARTICLE_INSERT,
	STMT_DEBATE_INSERT,
	STMT_DEBATE_SPEAKER_INSERT,
	STMT_DEBATE_STATEMENT_INSERT,
	STMT_DEBATE_BY_SLUG,
	STMT_DEBATE_LIST,
	STMT_DEBATE_SPEAKERS,
	STMT_DEBATE_STATEMENTS,
	STMT_DEBATE_SET_STATUS,
	STMT_DEBATE_TALLY,
	STMT_DEBATE_BUCKETS,
	STMT_DEBATE_VOTER,
	STMT_DEBATE_VOTE_PRE,
	STMT_DEBATE_VOTE_POST,
	STMT_DEBATE_BUCKET_ADD,
	STMT_DEBATE_TOUCH,
	STMT_DEBATE_REFUSER_ADD,
	STMT_DEBATE_BUMP,
	STMT_DEBATE_ITEM_STATEMENT,
	STMT_DEBATE_ITEM_COMMENT,
	STMT_DEBATE_MIND_ADD,
	STMT_DEBATE_MIND_STATEMENT,
	STMT_DEBATE_MIND_COMMENT,
	STMT_DEBATE_FEATURE,
	STMT_COMMENT_PAGE_ALTERNATE,
	STMT_COMMENT_PAGE_MINDS,
	STMT_DEBATE_FEATURED,
	STMT_DEBATE_TOP_COMMENTS,
	STMT_DEBATE_HOME_EPOCH,
	STMT_DEBATE_PAIR_ADD,
	STMT_COMMENT_REPEAT,
	STMT__MAX
};

extern const char *const stmt_sql[STMT__MAX];

struct conn {
	sqlite3 *db;
	sqlite3_stmt *stmt[STMT__MAX];
	struct conn *next;
};

struct write_job {
	enum err (*run)(struct conn *w, void *arg);
	void *arg;
	enum err result;
	bool done;
	/*
	 * A submitted job's completion: called on the writer thread once
	 * the job's commit is durable or has failed (result says which),
	 * after which the job belongs to it.  NULL for a caller that waits
	 * in sqlite_write().
	 */
	void (*complete)(struct write_job *job);
	struct write_job *next;
	int64_t queued_ms; /* when it was queued, on the monotonic clock */
};

struct sqlite_store {
	struct store base;
	char *path;
	pthread_key_t reader_key;
	pthread_mutex_t readers_lock;
	struct conn *readers;

	struct conn writer;
	pthread_t writer_thread;
	bool writer_started;
	pthread_mutex_t lock;
	pthread_cond_t job_ready;
	pthread_cond_t job_done;
	struct write_job *head, *tail;
	bool stopping;
	int64_t data_version; /* the writer's; see sqlite_writer_watch */
	/* The writer thread's own: */
	int wal_frames; /* in the WAL after the writer's last commit */
	bool unsure;	/* a failed commit's outcome is not settled yet */
	bool gone;	/* the file at path is no longer the one open */
	/* What /healthz reports ("" when all is well); under lock. */
	char fault[256];
	/* The file opened, so any thread can tell it was moved. */
	dev_t file_dev;
	ino_t file_ino;
};

/*
 * PRAGMA application_id of Parley's databases ("PRLY"): a SQLite file
 * without it and without Parley's tables belongs to someone else.
 */
#define PARLEY_APP_ID 0x50524c59

/*
 * The WAL is cut back to this size once it has been checkpointed: well
 * above what it reaches between checkpoints (about 4 MB), so that only a
 * WAL grown behind a long reader is cut.
 */
#define WAL_LIMIT_BYTES (16 * 1024 * 1024)

/* How a connection opens: a reader never creates the file, nor writes. */
enum conn_role { CONN_READER, CONN_WRITER, CONN_CREATE };

/* Opens c on path; false with a message in err. */
bool sqlite_conn_open(struct conn *c, const char *path, enum conn_role role,
		      struct buf *err);

/* Finalizes c's statements and closes it; c->db NULL is fine. */
void sqlite_conn_close(struct conn *c);

/*
 * Opens the writer's connection on st->path, checks the file (a Parley
 * database, not newer than this binary, writable, its pages sound) and
 * applies the migrations (sqlite_open.c); false with a message in err.
 */
bool sqlite_open_writer(struct sqlite_store *st, struct buf *err);

/* The writer connection's settings that are the writer thread's. */
bool sqlite_writer_setup(struct sqlite_store *st, struct buf *err);

/* The writer thread (sqlite_writer.c); arg is the store. */
void *sqlite_writer_main(void *arg);

/* Looks for other processes' commits and for the file being moved. */
void sqlite_writer_watch(struct sqlite_store *st);

/* Copies what is wrong into out; false (out "") when nothing is. */
bool sqlite_fault(struct sqlite_store *st, char *out, size_t n);

/* Logs the connection's last error; returns ERR_DB. */
enum err sqlite_fail(sqlite3 *db, const char *what);

/* The prepared statement id on c, reset and with no bindings; NULL on error. */
sqlite3_stmt *conn_stmt(struct conn *c, enum stmt id);

/* This thread's read connection, opened on first use; NULL on error. */
struct conn *sqlite_reader(struct sqlite_store *st);

/*
 * Runs run(w, arg) on the writer thread inside a group commit and waits
 * until that commit is durable (or failed).
 */
enum err sqlite_write(struct sqlite_store *st,
		      enum err (*run)(struct conn *w, void *arg), void *arg);

/*
 * Queues job (run, arg and complete set) for the next group commit and
 * returns at once; job->complete(job) is called later, exactly once.
 * false when the store is stopping: nothing was queued.
 */
bool sqlite_submit(struct sqlite_store *st, struct write_job *job);

/* A text column copied into the arena ("" for NULL); NULL when out of memory.
 */
const char *col_text(struct arena *a, sqlite3_stmt *s, int i);

/* Binds text (NULL as ""), not copied: it must outlive the step. */
void bind_text(sqlite3_stmt *s, int i, const char *t);

/*
 * Reads a struct comment (p) from COMMENT_COLS at column 0 on: the one row
 * reader for comments of every kind of discussion.  A statement that reads
 * more columns reads them from SQLITE_COMMENT_COLS on.
 */
#define SQLITE_COMMENT_COLS COMMENT_COLS_N
enum err sqlite_read_comment(struct arena *a, sqlite3_stmt *s, void *p);

/*
 * Steps s once and resets it: a row is read into out by fill (fill NULL
 * only checks that there is one), no row is ERR_NOTFOUND, an error is
 * logged as what.
 */
enum err sqlite_one(struct conn *c, struct arena *a, sqlite3_stmt *s,
		    enum err (*fill)(struct arena *, sqlite3_stmt *, void *),
		    void *out, const char *what);

/*
 * Steps a write statement to its end and resets it: a constraint is
 * ERR_CONFLICT, another error is logged as what.
 */
enum err sqlite_step_done(struct conn *w, sqlite3_stmt *s, const char *what);

/*
 * Steps s to its end and resets it, one record of size sz per row read by
 * fill into an array in the arena; *out and *n hold the rows read even on
 * error, which is logged as what.
 */
enum err
sqlite_collect(struct conn *c, struct arena *a, sqlite3_stmt *s, size_t sz,
	       enum err (*fill)(struct arena *, sqlite3_stmt *, void *),
	       void **out, size_t *n, const char *what);

/* The identity operations (sqlite_user.c), for the ops table. */
enum err sqlite_user_insert(struct store *, const struct user *, const char *,
			    const char *, int64_t *);
enum err sqlite_user_get(struct store *, struct arena *, int64_t,
			 struct user *);
enum err sqlite_user_claims(struct store *, const char *, const char *, bool *,
			    bool *);
enum err sqlite_user_by_email(struct store *, struct arena *, const char *,
			      struct user *);
enum err sqlite_user_list(struct store *, struct arena *, struct user **,
			  size_t *);
enum err sqlite_user_update(struct store *, const struct user *);
enum err sqlite_user_count_role(struct store *, enum role, int64_t *);
enum err sqlite_user_delete(struct store *, int64_t, bool);
enum err sqlite_user_articles(struct store *, struct arena *, int64_t,
			      int64_t **, size_t *);
enum err sqlite_user_comments(struct store *, struct arena *, int64_t, int,
			      struct user_comment **, size_t *);
enum err sqlite_session_insert(struct store *, const char *, int64_t, int64_t,
			       int64_t, const char *);
enum err sqlite_session_user(struct store *, struct arena *, const char *,
			     int64_t, struct user *);
enum err sqlite_session_delete(struct store *, const char *);
enum err sqlite_session_delete_user(struct store *, int64_t);
enum err sqlite_token_insert(struct store *, const struct user_token *,
			     const struct mail *, bool);
enum err sqlite_token_get(struct store *, struct arena *, const char *,
			  const char *, int64_t, bool, struct user_token *);
enum err sqlite_identity_user(struct store *, const char *, const char *,
			      int64_t *);
enum err sqlite_identity_insert(struct store *, const char *, const char *,
				int64_t, const char *);
enum err sqlite_mail_insert(struct store *, const struct mail *);
enum err sqlite_mail_due(struct store *, struct arena *, int64_t, int,
			 struct mail **, size_t *);
enum err sqlite_mail_sent(struct store *, int64_t);
enum err sqlite_mail_failed(struct store *, int64_t, int64_t, const char *);

/* The moderation operations (sqlite_moderation.c), for the ops table. */
enum err sqlite_mod_status(struct store *, int64_t, int *);
enum err sqlite_mod_get(struct store *, struct arena *, int64_t,
			struct mod_item *);
enum err sqlite_mod_list(struct store *, struct arena *,
			 const struct mod_filter *, struct mod_item **,
			 size_t *);
enum err sqlite_mod_counts(struct store *, int64_t *);
enum err sqlite_mod_pending_count(struct store *, int64_t *);
enum err sqlite_mod_set_status(struct store *, struct arena *, const int64_t *,
			       size_t, int, const char *,
			       const struct mod_actor *, int64_t, int64_t **,
			       size_t *, size_t *);
enum err sqlite_mod_edit(struct store *, int64_t, const char *, const char *,
			 const struct mod_actor *, int64_t, int64_t *);
enum err sqlite_comment_revise(struct store *, const struct comment_revision *,
			       int64_t *);
enum err sqlite_comment_own_recent(struct store *, struct arena *, int64_t,
				   int64_t, const char *, int64_t, int64_t **,
				   size_t *);
enum err sqlite_mod_purge(struct store *, int64_t, const struct mod_actor *,
			  int64_t, int64_t *);
enum err sqlite_mod_log(struct store *, struct arena *, int64_t, int,
			struct mod_log_entry **, size_t *);
enum err sqlite_mod_log_add(struct store *, const struct mod_log_entry *);
enum err sqlite_mod_own_pending(struct store *, struct arena *, int64_t,
				int64_t, const char *, struct comment **,
				size_t *);
enum err sqlite_mod_approved_by(struct store *, int64_t, const char *,
				int64_t *);
enum err sqlite_flag_add(struct store *, const struct flag_input *,
			 enum flag_result *, bool *, int64_t *);
enum err sqlite_flag_open_count(struct store *, int64_t *);

/*
 * What moderation and flags share on the writer's connection: a log line,
 * and a discussion's counts and thread numbers made again.
 */
enum err sqlite_mod_log_line(struct conn *w, const struct mod_log_entry *e);
enum err sqlite_mod_recount(struct conn *w, int64_t article_id);
/*
 * Resolves a comment's open flags at now (approved, spam or trash);
 * *n counts them.
 */
enum err sqlite_flags_resolve(struct conn *w, int64_t comment_id, int64_t now,
			      int64_t *n);
/* Reads the open flags of m's comment into m, on c. */
enum err sqlite_flags_of(struct conn *c, struct arena *a, struct mod_item *m);

enum err sqlite_ban_insert(struct store *, const struct ban *,
			   const struct mod_actor *, int64_t *);
enum err sqlite_ban_list(struct store *, struct arena *, int, int64_t,
			 struct ban **, size_t *);
enum err sqlite_ban_delete(struct store *, int64_t, const struct mod_actor *,
			   int64_t);
enum err sqlite_ban_find(struct store *, int, const char *, int64_t, bool *);
enum err sqlite_spam_model_get(struct store *, struct arena *, const void **,
			       size_t *);
enum err sqlite_spam_model_put(struct store *, const void *, size_t, int64_t,
			       int64_t);
enum err sqlite_spam_rows(struct store *, struct arena *, bool, int64_t, int,
			  struct spam_row **, size_t *);

/* The debate operations (sqlite_debate.c), for the ops table. */
enum err sqlite_debate_insert(struct store *, const struct debate_doc *,
			      int64_t *);
enum err sqlite_debate_by_slug(struct store *, struct arena *, const char *,
			       struct debate *);
enum err sqlite_debate_list(struct store *, struct arena *, bool, int,
			    struct debate **, size_t *);
enum err sqlite_debate_speakers(struct store *, struct arena *, int64_t,
				struct debate_speaker **, size_t *);
enum err sqlite_debate_statements(struct store *, struct arena *, int64_t,
				  struct debate_statement **, size_t *);
enum err sqlite_debate_set_status(struct store *, int64_t, enum debate_status,
				  int64_t);
enum err sqlite_debate_tally(struct store *, int64_t, struct debate_tally *);
enum err sqlite_debate_buckets(struct store *, struct arena *, int64_t,
			       struct debate_bucket **, size_t *);
enum err sqlite_debate_voter(struct store *, int64_t, const char *, int *,
			     int *);
enum err sqlite_debate_vote(struct store *, const struct debate_vote *,
			    const int64_t *, enum vote_result *);
enum err sqlite_debate_vote_submit(struct store *, const struct debate_vote *,
				   const int64_t *,
				   void (*)(void *, enum err, enum vote_result),
				   void *);
enum err sqlite_debate_add_refusals(struct store *, int64_t, const int64_t *);
enum err sqlite_debate_refuser_add(struct store *, int64_t, enum refusal,
				   const char *, bool *);
enum err sqlite_debate_mind(struct store *, int64_t, char, int64_t,
			    const char *, int64_t, bool *);
enum err sqlite_debate_feature(struct store *, int64_t, int64_t, bool);
enum err sqlite_debate_featured(struct store *, struct arena *, int64_t, int,
				struct comment **, size_t *);
enum err sqlite_debate_top_comments(struct store *, struct arena *, int64_t,
				    int, struct comment **, size_t *);
enum err sqlite_debate_home_epoch(struct store *, int64_t, int64_t *);

/* Copying a whole site (sqlite_copy.c), for the ops table. */
enum err sqlite_copy_schema_check(struct store *, char *, size_t);
enum err sqlite_copy_count(struct store *, const struct store_table *,
			   int64_t *);
enum err sqlite_copy_rows(struct store *, const struct store_table *,
			  enum err (*)(void *, const struct store_value *),
			  void *);
enum err sqlite_copy_load(
    struct store *,
    enum err (*)(void *, const struct store_table *,
		 enum err (*)(void *, const struct store_value *), void *),
    void *);

#endif
