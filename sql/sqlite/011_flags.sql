-- Readers' flags on comments: why a reader thinks a comment should not be
-- shown (spam, abuse, off-topic, other) and a short note.  A reader is a
-- keyed hash of their account or of their browser's visitor id, so one
-- reader's flag counts once per comment, however often it is sent.  A
-- flag is resolved (resolved: when; 0 while open) when a moderator
-- approves, spams or trashes its comment; enough open flags from
-- distinct readers hold an approved comment for review.  Written so that
-- running it again changes nothing.
CREATE TABLE IF NOT EXISTS comment_flags (
	id INTEGER PRIMARY KEY,
	comment_id INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
	reader TEXT NOT NULL,
	reason TEXT NOT NULL
		CHECK (reason IN ('spam', 'abuse', 'off-topic', 'other')),
	note TEXT NOT NULL DEFAULT '',
	created INTEGER NOT NULL,
	resolved INTEGER NOT NULL DEFAULT 0,
	UNIQUE (comment_id, reader)
);
-- The flagged queue and a comment's open flags.
CREATE INDEX IF NOT EXISTS comment_flags_open ON comment_flags (comment_id)
	WHERE resolved = 0;
