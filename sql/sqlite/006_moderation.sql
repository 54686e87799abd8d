-- Moderation: a comment's status (pending, approved, spam, trash) and why
-- it has it, the classifier's score, the bans, the log of every
-- moderator's action, and the spam model the server scores with.

-- Who posted, for showing a reader their own held comments: a keyed hash
-- of the browser's visitor id ('' when none).
ALTER TABLE comments ADD COLUMN visitor TEXT NOT NULL DEFAULT '';
-- Why the comment got its status when posted: the rule that held or
-- spammed it ('' when none did).
ALTER TABLE comments ADD COLUMN reason TEXT NOT NULL DEFAULT '';
-- The classifier's score in [0, 1], -1 when not scored, and the features
-- that weighed most, one "name weight" a line.
ALTER TABLE comments ADD COLUMN spam_score REAL NOT NULL DEFAULT -1;
ALTER TABLE comments ADD COLUMN spam_features TEXT NOT NULL DEFAULT '';
-- When the comment's status last changed (0: since it was posted).
ALTER TABLE comments ADD COLUMN status_at INTEGER NOT NULL DEFAULT 0;

-- A discussion's held comments, for showing each reader their own.
CREATE INDEX comments_held ON comments (article_id, id)
	WHERE status = 'pending';
-- The moderation queues, newest first.
CREATE INDEX comments_by_status ON comments (status, id);
-- A commenter's history by email (first-comment moderation, the queue).
CREATE INDEX comments_by_email ON comments (email COLLATE NOCASE, status)
	WHERE email <> '';

-- kind: account (value: the user id), email (lowercased), address (an IP
-- address as the server prints it) or network (CIDR).  expires 0: for
-- good.
CREATE TABLE bans (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL
		CHECK (kind IN ('account', 'email', 'address', 'network')),
	value TEXT NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	created INTEGER NOT NULL,
	expires INTEGER NOT NULL DEFAULT 0,
	created_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX bans_by_value ON bans (kind, value);

-- Every moderation action.  comment_id and article_id are not foreign
-- keys: the log outlives purged comments.
CREATE TABLE moderation_log (
	id INTEGER PRIMARY KEY,
	at INTEGER NOT NULL,
	actor_id INTEGER NOT NULL DEFAULT 0,	-- 0: the command line
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	comment_id INTEGER NOT NULL DEFAULT 0,
	article_id INTEGER NOT NULL DEFAULT 0,
	status_before TEXT NOT NULL DEFAULT '',
	status_after TEXT NOT NULL DEFAULT '',
	text_before TEXT NOT NULL DEFAULT '',
	text_after TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX moderation_log_by_comment ON moderation_log (comment_id, id);

-- The spam classifier's saved model (model/spam.h), one row.
CREATE TABLE spam_model (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	data BLOB NOT NULL,
	examples INTEGER NOT NULL,
	saved INTEGER NOT NULL
);
