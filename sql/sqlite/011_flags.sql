-- Readers' flags on comments: why a reader thinks a comment should not be
-- shown (spam, abuse, off-topic, other) and a short note.  A reader is a
-- keyed hash of their account or of their browser's visitor id, so one
-- reader's flag counts once per comment, however often it is sent.  A
-- flag is resolved (resolved: when; 0 while open) when a moderator
-- approves, spams or trashes its comment; enough open flags from
-- distinct readers at distinct addresses hold an approved comment for
-- review.  network is the address the flag came from (an IPv4 address,
-- an IPv6 /64): one person with many browsers or accounts comes from one
-- address, and counts once towards a hold.  Written so that running it
-- again changes nothing.
CREATE TABLE IF NOT EXISTS comment_flags (
	id INTEGER PRIMARY KEY,
	comment_id INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
	reader TEXT NOT NULL,
	network TEXT NOT NULL DEFAULT '',
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
