/*
 * store: the only code that knows SQL.  One interface, backends behind a
 * table of operations (SQLite now; PostgreSQL can be added as another
 * table without touching handlers or models).
 *
 * Records returned by reads are allocated in the caller's arena.  Writes
 * return only once the change is durably committed; a submitted write
 * (comment_insert_submit) returns at once and reports when it is.
 */
#ifndef PARLEY_STORE_H
#define PARLEY_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"

struct article {
	int64_t id;
	const char *slug;
	const char *title;
	const char *author;
	int64_t published; /* seconds since the epoch, UTC */
	const char *image; /* may be "" */
	const char *caption;
	const char *tags; /* comma-separated */
	const char *body_md;
	const char *body_html; /* rendered and sanitized when stored */
	bool comments_open;
	int64_t comment_count; /* approved comments */
	int64_t thread_count;  /* approved top-level comments */
	const char *kind; /* "article", or "debate" for a debate's thread */
};

/*
 * A comment's status; readers see approved comments only.  Approved is 0,
 * so a comment made by code that knows nothing of moderation (imports,
 * the demo) is what it always was.
 */
enum comment_status {
	STATUS_APPROVED,
	STATUS_PENDING, /* waits for a moderator */
	STATUS_SPAM,
	STATUS_TRASH,
	STATUS__MAX
};

struct comment {
	int64_t id;
	int64_t article_id;
	int64_t parent_id; /* 0 for a top-level comment */
	int64_t root_id;   /* the top-level ancestor; itself at top level */
	int depth;	   /* 0 at top level */
	const char *author;
	const char *email; /* never shown */
	const char *url;
	const char *avatar; /* keyed hash naming the generated avatar */
	const char *body_md;
	const char *body_html;
	int64_t created;
	const char *ip;
	const char *request_key; /* the form's one-time key, or NULL */
	int64_t user_id;	 /* the signed-in author, or 0 */
	/* Debates only (0 elsewhere): see enum side. */
	int side;
	/*
	 * Written only (model/comment_limits.h): the network it came from,
	 * a keyed hash of body_md, and how far back a comment with the same
	 * text from the same email, account or network makes this one a
	 * repeat (0: not checked).
	 */
	const char *network;
	int64_t body_hash;
	int64_t repeat_since;
	bool featured;
	int64_t minds; /* readers it changed the mind of */
	/* Moderation: see 006_moderation.sql. */
	int status;	     /* enum comment_status */
	const char *visitor; /* keyed hash of the posting browser, or "" */
	const char *reason;  /* the rule that held or spammed it, or "" */
	double spam_score;   /* -1: not scored */
	const char *spam_features; /* "name weight" lines, or "" */
	/*
	 * Read only: the author's account as it is when the comment is read,
	 * so a changed role shows on the next render: its enum role, or -1
	 * when there is no live account (anonymous, deleted, disabled); and
	 * whether that account has a public profile (its address confirmed).
	 */
	int author_role;
	bool author_profile;
	/* Its author's own changes: see 012_own_edits.sql. */
	int64_t edited; /* when its author last edited it; 0: never */
	bool removed;	/* removed by its author: its text is gone */
};

/* Identity records. */
enum role { ROLE_READER, ROLE_MODERATOR, ROLE_EDITOR, ROLE_ADMIN, ROLE__MAX };

struct user {
	int64_t id;
	const char *email;	   /* "" when the account has none */
	const char *name;	   /* display name */
	const char *password_hash; /* argon2id string; "" when none */
	bool email_verified;
	enum role role;
	bool disabled;
	int64_t created;
};

/* A one-time token, known to the store only by its hash. */
struct user_token {
	const char *hash;    /* hex SHA-256 of the token */
	const char *purpose; /* verify, reset, email, link, setup, oidc */
	int64_t user_id;     /* 0 when none */
	const char *data;    /* purpose-specific; "" when none */
	int64_t expires;
};

/* A comment on a user's profile, with the article it is on. */
struct user_comment {
	struct comment c; /* id, article_id, author, body_html, created */
	const char *article_slug;
	const char *article_title;
};

/* A queued email: plain text, built by us. */
struct mail {
	int64_t id;
	const char *to;
	const char *subject;
	const char *body;
	int attempts;
};

/*
 * Debates.  Sides are numbered: 0 none (a comment that takes no side),
 * 1 and 2 the debate's two sides, 3 undecided (only in a "pre" vote).
 */
enum side { SIDE_NONE, SIDE_A, SIDE_B, SIDE_UNDECIDED };
enum debate_status {
	DEBATE_DRAFT,
	DEBATE_SCHEDULED,
	DEBATE_OPEN,
	DEBATE_CLOSED
};
enum debate_round {
	ROUND_NONE,
	ROUND_OPENING,
	ROUND_REBUTTAL,
	ROUND_CLOSING,
	ROUND__MAX
};
enum vote_phase { PHASE_PRE = 1, PHASE_POST = 2 };
/* Orders of a debate's discussion (top-level comments; replies follow). */
enum comment_sort { SORT_OLDEST, SORT_ALTERNATE, SORT_MINDS, SORT__MAX };

/* Times in seconds since the epoch, UTC; 0 where not set. */
struct debate_schedule {
	int64_t round[ROUND__MAX]; /* when each round opens */
	int64_t voting_opens, voting_closes;
	int64_t pre_closes, post_opens; /* 0: the defaults of model/debate.h */
};

struct debate {
	int64_t id;
	int64_t article_id; /* the row that carries the discussion */
	const char *slug;
	const char *motion;
	const char *moderator;
	const char *intro_md; /* "" in lists */
	const char *intro_html;
	const char *label[3];	   /* [SIDE_A] and [SIDE_B] */
	enum debate_status status; /* as stored; see debate_clock_at() */
	struct debate_schedule sched;
	int64_t bucket_secs;	   /* width of a vote-history bucket */
	int64_t version, activity; /* change counters (cache validity) */
	int64_t refused_duplicate, refused_closed, refused_rate;
	int64_t changed_votes;
	int64_t created;
	bool comments_open; /* from the article row */
	int64_t comment_count, thread_count;
};

struct debate_speaker {
	int64_t id;
	int side;     /* SIDE_A or SIDE_B */
	int position; /* order within the side, from 1 */
	const char *name;
	const char *bio;
	const char *photo; /* may be "" */
	const char *link;  /* may be "" */
};

struct debate_statement {
	int64_t id;
	int64_t speaker_id;
	size_t speaker; /* on insert: index into the doc's speakers */
	int round;	/* enum debate_round */
	const char *body_md;
	const char *body_html;
	int64_t minds;
};

/* A whole debate as read from its file, for debate_insert. */
struct debate_doc {
	struct debate d;
	struct debate_speaker *speakers;
	size_t nspeakers;
	struct debate_statement *statements;
	size_t nstatements;
};

/* Readers by their pair of votes: moves[pre][post], 0 meaning no vote. */
struct debate_tally {
	int64_t moves[4][3];
};

/* One bucket of vote history: the change of one phase's choice. */
struct debate_bucket {
	int64_t start;
	int phase;
	int choice;
	int64_t delta;
};

/* One reader's vote in one phase. */
struct debate_vote {
	int64_t debate_id;
	const char *voter; /* keyed hash */
	int phase;	   /* enum vote_phase */
	int choice;	   /* enum side; SIDE_UNDECIDED only before */
	int64_t at;
	int64_t bucket_secs;
};

enum vote_result { VOTE_NEW, VOTE_CHANGED, VOTE_SAME };

/* Refused votes by reason, as counted on the page. */
enum refusal { REFUSED_DUPLICATE, REFUSED_CLOSED, REFUSED_RATE, REFUSED__MAX };

/* Moderation (store/sqlite_moderation.c). */

/* Who acts: a moderator's account, or the command line (id 0). */
struct mod_actor {
	int64_t id;
	const char *name;
};

/* A reader's flag on a comment (011_flags.sql), as moderators see it. */
struct comment_flag {
	const char *reason; /* spam, abuse, off-topic, other */
	const char *note;   /* "" when none */
	int64_t created;
};

/* What became of a reader's flag (flag_add). */
enum flag_result {
	FLAG_ADDED, /* stored and counted */
	FLAG_AGAIN, /* this reader had flagged the comment: counted once */
	FLAG_FULL,  /* the comment holds as many flags as it may: not stored */
};

/* A flag to store: the comment, who (a keyed hash), why, and the rules. */
struct flag_input {
	int64_t comment_id;
	const char *reader;
	const char *network; /* the reader's address: IPv4, or IPv6 /64 */
	const char *reason;
	const char *note;
	int64_t now;
	/* open flags from distinct readers at distinct networks that hold it */
	int hold_at;
	int cap; /* flags stored per comment at most */
};

/* A comment in a moderation queue, with what a moderator weighs. */
struct mod_item {
	struct comment c; /* every field, the Markdown source included */
	const char *article_slug;
	const char *article_title;
	const char *article_kind;  /* "article" or "debate" */
	const char *parent_author; /* "" at top level */
	const char *parent_text;   /* its first 200 characters of Markdown */
	int64_t approved;	   /* the commenter's approved comments */
	int64_t status_at;	   /* 0: never changed */
	/* Its open flags, oldest first (at most MOD_FLAGS_SHOWN). */
	const struct comment_flag *flags;
	size_t nflags;
};

/* Open flags read per comment of a queue. */
#define MOD_FLAGS_SHOWN 20

/* Which comments a queue shows; zero fields match any. */
struct mod_filter {
	int status;   /* enum comment_status */
	bool flagged; /* instead of status: comments with open flags */
	int64_t article_id;
	const char *author; /* exact, any case */
	const char *email;  /* exact, any case */
	const char *ip;	    /* exact */
	const char *reason; /* a part of it */
	int min_score;	    /* percent; 0: any */
	int64_t before;	    /* ids below this one (the next page); 0: newest */
	int limit;
};

/* One line of the moderation log. */
struct mod_log_entry {
	int64_t id;
	int64_t at;
	int64_t actor_id; /* 0: the command line */
	const char *actor;
	/*
	 * approve, spam, trash, restore, edit, purge, ban, unban, hold; a
	 * commenter's own author_edit and author_remove.
	 */
	const char *action;
	int64_t comment_id;
	int64_t article_id;
	const char *status_before, *status_after;
	const char *text_before, *text_after;
	const char *detail;
};

/*
 * A commenter's own change to their comment (model/comment_own.h): new
 * text, rendered, with the status the moderation rules give it again; or
 * with remove, its text taken away (the thread under it stays).
 */
struct comment_revision {
	int64_t id;
	bool remove;
	const char *body_md, *body_html; /* the new text; unused for remove */
	int status;			 /* enum comment_status, after */
	const char *reason;		 /* why, when status changed */
	double spam_score;
	const char *spam_features;
	const struct mod_actor *who;
	int64_t now;
};

enum ban_kind { BAN_ACCOUNT, BAN_EMAIL, BAN_ADDRESS, BAN_NETWORK, BAN__MAX };

struct ban {
	int64_t id;
	int kind;	   /* enum ban_kind */
	const char *value; /* user id, lowercased email, address, CIDR */
	const char *reason;
	int64_t created;
	int64_t expires; /* 0: for good */
	const char *created_by;
};

/* A comment as the spam classifier learns from it. */
struct spam_row {
	int64_t id;
	const char *body_md;
	bool spam;
};

struct store;
struct store_table; /* store/tables.h */
struct store_value;

struct store_ops {
	const char *name;
	void (*close)(struct store *st);
	/*
	 * ERR_OK while writes can be stored; otherwise ERR_DB with what is
	 * wrong in why (the file removed or moved, writes failing).
	 */
	enum err (*health)(struct store *st, char *why, size_t n);
	enum err (*article_by_slug)(struct store *st, struct arena *a,
				    const char *slug, struct article *out);
	enum err (*article_by_id)(struct store *st, struct arena *a, int64_t id,
				  struct article *out);
	enum err (*article_list)(struct store *st, struct arena *a, int offset,
				 int limit, struct article **out, size_t *n,
				 int64_t *total);
	enum err (*article_insert)(struct store *st, const struct article *in,
				   int64_t *id);
	enum err (*article_set_open)(struct store *st, int64_t id, bool open);
	/*
	 * A page of a discussion's threads in the given order (an article's
	 * always SORT_OLDEST): each thread's root, then its replies by id.
	 * body_md is "" in the oldest order: a page shows HTML only.
	 */
	enum err (*comment_page)(struct store *st, struct arena *a,
				 int64_t article_id, enum comment_sort sort,
				 int offset, int limit, struct comment **out,
				 size_t *n);
	enum err (*comment_get)(struct store *st, struct arena *a, int64_t id,
				struct comment *out);
	enum err (*comment_thread_index)(struct store *st, int64_t article_id,
					 int64_t root_id, int64_t *index);
	/*
	 * Stores c (id, root_id and depth are filled in from parent_id).  A
	 * request_key already used on this article for the same parent, side
	 * and body returns ERR_OK with the earlier id, so a form sent twice
	 * makes one comment; for other text, parent or side, ERR_CONFLICT with
	 * the earlier id in *id; used on another article, ERR_CONFLICT with
	 * *id 0.  Nothing is stored in either conflict.  Then, with
	 * repeat_since set, the same body_md stored since then from the same
	 * email (not ""), user_id (not 0) or network is ERR_DUPLICATE with
	 * that comment's id, and nothing is stored.
	 */
	enum err (*comment_insert)(struct store *st, struct comment *c,
				   int64_t *id);
	/*
	 * comment_insert without waiting for the disk: queues c for the next
	 * group commit and returns ERR_OK at once.  done(arg, e, id) is
	 * called later, exactly once, with what comment_insert would have
	 * returned, once the commit is durable (ERR_OK) or known failed.  It
	 * runs on the store's writer thread, so it must be quick and must
	 * not call the store.  c and its strings must live until then.  Any
	 * other result: nothing was queued, and done is never called.
	 */
	enum err (*comment_insert_submit)(struct store *st, struct comment *c,
					  void (*done)(void *arg, enum err e,
						       int64_t id),
					  void *arg);

	/* Identity (store/sqlite_user.c). */
	/*
	 * Stores u (email NULL-able as ""); with provider and subject not
	 * NULL, links that external account in the same commit.  A taken
	 * email or identity is ERR_CONFLICT.
	 */
	enum err (*user_insert)(struct store *st, const struct user *u,
				const char *provider, const char *subject,
				int64_t *id);
	enum err (*user_get)(struct store *st, struct arena *a, int64_t id,
			     struct user *out);
	enum err (*user_by_email)(struct store *st, struct arena *a,
				  const char *email, struct user *out);
	/*
	 * Whether name (in any case) is the name of an enabled account with
	 * a verified email, and whether email is such an account's email.
	 */
	enum err (*user_claims)(struct store *st, const char *name,
				const char *email, bool *name_taken,
				bool *email_taken);
	enum err (*user_list)(struct store *st, struct arena *a,
			      struct user **out, size_t *n);
	/*
	 * Writes every field of u over the stored user; a changed name is
	 * copied to the user's comments.  A taken email is ERR_CONFLICT.
	 */
	enum err (*user_update)(struct store *st, const struct user *u);
	enum err (*user_count_role)(struct store *st, enum role role,
				    int64_t *n);
	/*
	 * Deletes a user with sessions, tokens and identities; their
	 * comments are anonymised, or with remove their text is removed.
	 */
	enum err (*user_delete)(struct store *st, int64_t id, bool remove);
	/* The articles a user commented on (for dropping cached pages). */
	enum err (*user_articles)(struct store *st, struct arena *a, int64_t id,
				  int64_t **out, size_t *n);
	/* A user's latest approved comments, newest first. */
	enum err (*user_comments)(struct store *st, struct arena *a, int64_t id,
				  int limit, struct user_comment **out,
				  size_t *n);

	/* Sessions, by token hash; replaces (may be NULL) is deleted. */
	enum err (*session_insert)(struct store *st, const char *hash,
				   int64_t user_id, int64_t now,
				   int64_t expires, const char *replaces);
	/* The user of a live session of an enabled account. */
	enum err (*session_user)(struct store *st, struct arena *a,
				 const char *hash, int64_t now,
				 struct user *out);
	enum err (*session_delete)(struct store *st, const char *hash);
	enum err (*session_delete_user)(struct store *st, int64_t user_id);

	/*
	 * Stores a one-time token and, when m is not NULL, queues m in the
	 * same commit.  With only_one, other tokens of its purpose (and user)
	 * are dropped first.
	 */
	enum err (*token_insert)(struct store *st, const struct user_token *t,
				 const struct mail *m, bool only_one);
	/* Reads a live token of purpose; with take, deletes it (once only). */
	enum err (*token_get)(struct store *st, struct arena *a,
			      const char *hash, const char *purpose,
			      int64_t now, bool take, struct user_token *out);

	/* External accounts. */
	enum err (*identity_user)(struct store *st, const char *provider,
				  const char *subject, int64_t *user_id);
	enum err (*identity_insert)(struct store *st, const char *provider,
				    const char *subject, int64_t user_id,
				    const char *email);

	/* The outbox. */
	enum err (*mail_insert)(struct store *st, const struct mail *m);
	enum err (*mail_due)(struct store *st, struct arena *a, int64_t now,
			     int limit, struct mail **out, size_t *n);
	enum err (*mail_sent)(struct store *st, int64_t id);
	/* A failed send: tried again at next, or given up when next is 0. */
	enum err (*mail_failed)(struct store *st, int64_t id, int64_t next,
				const char *error);

	/* Debates (store/sqlite_debate.c). */
	/* Stores a debate with its speakers, statements and discussion row. */
	enum err (*debate_insert)(struct store *st,
				  const struct debate_doc *doc, int64_t *id);
	enum err (*debate_by_slug)(struct store *st, struct arena *a,
				   const char *slug, struct debate *out);
	/* Newest first, without introductions; drafts only when asked. */
	enum err (*debate_list)(struct store *st, struct arena *a, bool drafts,
				int limit, struct debate **out, size_t *n);
	enum err (*debate_speakers)(struct store *st, struct arena *a,
				    int64_t debate_id,
				    struct debate_speaker **out, size_t *n);
	enum err (*debate_statements)(struct store *st, struct arena *a,
				      int64_t debate_id,
				      struct debate_statement **out, size_t *n);
	/* Sets the status; voting_closes >= 0 replaces that time too. */
	enum err (*debate_set_status)(struct store *st, int64_t id,
				      enum debate_status status,
				      int64_t voting_closes);
	enum err (*debate_tally)(struct store *st, int64_t debate_id,
				 struct debate_tally *out);
	/* The vote history, oldest bucket first. */
	enum err (*debate_buckets)(struct store *st, struct arena *a,
				   int64_t debate_id,
				   struct debate_bucket **out, size_t *n);
	/* A reader's votes (0 where none). */
	enum err (*debate_voter)(struct store *st, int64_t debate_id,
				 const char *voter, int *pre, int *post);
	/*
	 * Records a vote: a reader's second vote in a phase replaces the
	 * first.  Also adds pending refusal counts (may be NULL).
	 */
	enum err (*debate_vote)(struct store *st, const struct debate_vote *v,
				const int64_t refused[REFUSED__MAX],
				enum vote_result *out);
	/*
	 * debate_vote without waiting for the disk, as comment_insert_submit:
	 * done(arg, e, out) later, exactly once, on the writer thread.  v, its
	 * voter and refused must live until then.
	 */
	enum err (*debate_vote_submit)(struct store *st,
				       const struct debate_vote *v,
				       const int64_t *refused,
				       void (*done)(void *arg, enum err e,
						    enum vote_result out),
				       void *arg);
	enum err (*debate_add_refusals)(struct store *st, int64_t debate_id,
					const int64_t refused[REFUSED__MAX]);
	/*
	 * Notes that who (a keyed hash) was refused a vote for reason;
	 * *first is true only the first time, when it is to be counted.
	 */
	enum err (*debate_refuser_add)(struct store *st, int64_t debate_id,
				       enum refusal reason, const char *who,
				       bool *first);
	/*
	 * "This changed my mind" on a statement ('s') or comment ('c') of
	 * the debate, once per reader: *added is false the second time.
	 */
	enum err (*debate_mind)(struct store *st, int64_t debate_id, char kind,
				int64_t item_id, const char *voter, int64_t at,
				bool *added);
	enum err (*debate_feature)(struct store *st, int64_t debate_id,
				   int64_t comment_id, bool on);
	enum err (*debate_featured)(struct store *st, struct arena *a,
				    int64_t article_id, int limit,
				    struct comment **out, size_t *n);
	/* Comments that changed most minds (at least one). */
	enum err (*debate_top_comments)(struct store *st, struct arena *a,
					int64_t article_id, int limit,
					struct comment **out, size_t *n);
	/*
	 * What the front page's list of debates depends on: out[0] counts
	 * public debates, out[1] sums their versions, out[2] counts the
	 * times that change a listed status (opening, voting opens and
	 * closes) already passed at now, out[3] is the next of those times
	 * still to come (0: none).
	 */
	enum err (*debate_home_epoch)(struct store *st, int64_t now,
				      int64_t out[4]);

	/* Moderation (store/sqlite_moderation.c). */
	/* A comment whatever its status, with every moderation field. */
	enum err (*mod_get)(struct store *st, struct arena *a, int64_t id,
			    struct mod_item *out);
	/* A comment's status alone (enum comment_status), whatever it is. */
	enum err (*mod_status)(struct store *st, int64_t id, int *status);
	/* A queue, newest first. */
	enum err (*mod_list)(struct store *st, struct arena *a,
			     const struct mod_filter *f, struct mod_item **out,
			     size_t *n);
	/* Comments by status: out[STATUS__MAX], approved left 0. */
	enum err (*mod_counts)(struct store *st, int64_t *out);
	/* The pending comments alone: what every staff page shows. */
	enum err (*mod_pending_count)(struct store *st, int64_t *n);
	/*
	 * Sets the status of the comments ids[0..n) in one commit, logging
	 * each change as action by who; a comment already there is left
	 * alone.  Approved, spam and trash resolve the comments' open flags
	 * (logged too, for a comment whose status stays).  Each discussion
	 * touched has its counts and thread numbers made again.  *articles (in
	 * a, *narticles of them) lists the discussions whose comments changed;
	 * *changed counts the comments.
	 */
	enum err (*mod_set_status)(struct store *st, struct arena *a,
				   const int64_t *ids, size_t n, int status,
				   const char *action,
				   const struct mod_actor *who, int64_t now,
				   int64_t **articles, size_t *narticles,
				   size_t *changed);
	/* Replaces a comment's text, logging old and new text as edit. */
	enum err (*mod_edit)(struct store *st, int64_t id, const char *body_md,
			     const char *body_html, const struct mod_actor *who,
			     int64_t now, int64_t *article_id);
	/*
	 * Applies a commenter's own change r in one commit: the text (or its
	 * removal), marked with r->now, the status when it changed, and a
	 * log line (author_edit or author_remove) with the text before and
	 * after; the discussion's counts made again when what it shows
	 * changed.  *article_id: the comment's discussion.
	 */
	enum err (*comment_revise)(struct store *st,
				   const struct comment_revision *r,
				   int64_t *article_id);
	/*
	 * The ids (at most 50, oldest first) of a reader's comments on a
	 * discussion posted at or after since, shown (approved or held) and
	 * not removed: by their account (user_id), or with user_id 0 by their
	 * browser (visitor) among comments posted without an account.
	 */
	enum err (*comment_own_recent)(struct store *st, struct arena *a,
				       int64_t article_id, int64_t user_id,
				       const char *visitor, int64_t since,
				       int64_t **out, size_t *n);
	/*
	 * Deletes spam and trash whose status was set at or before `before` and
	 * which no comment answers, logging each as purge; *n counts them.
	 */
	enum err (*mod_purge)(struct store *st, int64_t before,
			      const struct mod_actor *who, int64_t now,
			      int64_t *n);
	/* The log, newest first; comment_id 0: every comment. */
	enum err (*mod_log)(struct store *st, struct arena *a,
			    int64_t comment_id, int limit,
			    struct mod_log_entry **out, size_t *n);
	enum err (*mod_log_add)(struct store *st,
				const struct mod_log_entry *e);
	/*
	 * A reader's held comments on a discussion: by their account
	 * (user_id, 0: none) or their browser (visitor, "": none).
	 */
	enum err (*mod_own_pending)(struct store *st, struct arena *a,
				    int64_t article_id, int64_t user_id,
				    const char *visitor, struct comment **out,
				    size_t *n);
	/*
	 * Stores a reader's flag on an approved comment (ERR_NOTFOUND for
	 * any other) in one commit: once per reader and comment (*res
	 * FLAG_AGAIN the next times), at most cap per comment (FLAG_FULL).
	 * When the comment's open flags reach hold_at it is held (pending,
	 * its reason naming the flags), logged as hold, its discussion
	 * recounted: *held, with its discussion in *article_id.
	 */
	enum err (*flag_add)(struct store *st, const struct flag_input *in,
			     enum flag_result *res, bool *held,
			     int64_t *article_id);
	/* Comments with open flags. */
	enum err (*flag_open_count)(struct store *st, int64_t *n);
	/* Approved comments by the account user_id or the email. */
	enum err (*mod_approved_by)(struct store *st, int64_t user_id,
				    const char *email, int64_t *n);

	enum err (*ban_insert)(struct store *st, const struct ban *b,
			       const struct mod_actor *who, int64_t *id);
	/* Bans of kind (-1: every kind) in force at now, newest first. */
	enum err (*ban_list)(struct store *st, struct arena *a, int kind,
			     int64_t now, struct ban **out, size_t *n);
	enum err (*ban_delete)(struct store *st, int64_t id,
			       const struct mod_actor *who, int64_t now);
	/* Whether a ban of kind on value is in force at now. */
	enum err (*ban_find)(struct store *st, int kind, const char *value,
			     int64_t now, bool *found);

	/* The saved spam model (*len 0: none saved) and saving one. */
	enum err (*spam_model_get)(struct store *st, struct arena *a,
				   const void **data, size_t *len);
	enum err (*spam_model_put)(struct store *st, const void *data,
				   size_t len, int64_t examples, int64_t now);
	/*
	 * What the classifier learns from, oldest first, ids above after:
	 * every approved (ham) and spam comment (id: the comment's), or with
	 * decisions the moderators' approvals and spam verdicts from the
	 * log (id: the log line's).
	 */
	enum err (*spam_rows)(struct store *st, struct arena *a, bool decisions,
			      int64_t after, int limit, struct spam_row **out,
			      size_t *n);

	/*
	 * The site's secret key kept in the database, for backends that
	 * serve several processes on several machines (NULL where the key
	 * is a file beside the database): out gets the stored key, or fresh
	 * when none was stored (fresh is stored then).
	 */
	enum err (*site_key)(struct store *st, const unsigned char *fresh,
			     size_t n, unsigned char *out);

	/*
	 * Token buckets shared by every process on the database, for
	 * backends that serve several (NULL elsewhere; core/ratelimit.h):
	 * spends one token of bucket (burst tokens, refilled at rate per
	 * second) at now_ms; *ok says whether there was one, *wait_ms how
	 * long until there is.  limit_reset fills bucket again.
	 */
	enum err (*limit_take)(struct store *st, const char *bucket,
			       double burst, double rate, int64_t now_ms,
			       bool *ok, int64_t *wait_ms);
	enum err (*limit_reset)(struct store *st, const char *bucket);

	/*
	 * Copying a whole site to another database, of either backend
	 * (store/tables.h; store/sqlite_copy.c, store/pg_copy.c).
	 *
	 * Whether the database's tables and columns are store_tables',
	 * its bookkeeping aside: ERR_INVALID, what differs in why, when not.
	 */
	enum err (*copy_schema_check)(struct store *st, char *why, size_t n);
	/* The rows of t. */
	enum err (*copy_count)(struct store *st, const struct store_table *t,
			       int64_t *n);
	/*
	 * Calls row(arg, v) for each row of t in primary-key order (text
	 * in the order of its bytes), v[i] the value of t->cols[i].  An
	 * error from row stops and is returned; a value of another kind
	 * than its column's is ERR_INVALID.
	 */
	enum err (*copy_rows)(struct store *st, const struct store_table *t,
			      enum err (*row)(void *arg,
					      const struct store_value *v),
			      void *arg);
	/*
	 * Fills an empty database in one transaction: for each of
	 * store_tables in order, source(arg, t, put, ctx) calls put(ctx, v)
	 * for each row (as copy_rows gives them), ids kept; ids the database
	 * numbers go on after the largest copied.  ERR_CONFLICT when a table
	 * holds a row already; any error stores nothing.
	 */
	enum err (*copy_load)(
	    struct store *st,
	    enum err (*source)(void *arg, const struct store_table *t,
			       enum err (*put)(void *ctx,
					       const struct store_value *v),
			       void *ctx),
	    void *arg);
	/*
	 * Where site_key is not NULL: makes key[0..n) the site's key,
	 * replacing the one stored.
	 */
	enum err (*copy_key_put)(struct store *st, const unsigned char *key,
				 size_t n);
};

struct store {
	const struct store_ops *ops;
	/*
	 * Called (from a store thread) when another process changed the
	 * database, such as `parley post add` beside a running server, so
	 * caches can be dropped.  Set once, before the first request.
	 */
	void (*changed_elsewhere)(void *arg);
	void *changed_arg;
};

/*
 * Opens the store named by db: a file path for SQLite.  Applies pending
 * migrations.  On failure returns NULL with a message in err.
 */
struct buf;
/*
 * Opens the database db names: a PostgreSQL connection string (a
 * postgresql:// URI, or key=value pairs with a dbname) or else the path
 * of a SQLite file.  NULL, the reason in err, when it cannot.
 */
struct store *store_open(const char *db, struct buf *err);

/* Whether db names a PostgreSQL database rather than a SQLite file. */
bool store_is_postgres(const char *db);

static inline void
store_close(struct store *st)
{
	if (st)
		st->ops->close(st);
}

/* The SQLite backend (store/sqlite.c). */
struct store *sqlite_store_open(const char *path, struct buf *err);
struct store *pg_store_open(const char *conninfo, struct buf *err);

#endif
