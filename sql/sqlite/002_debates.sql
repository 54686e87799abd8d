-- Debates: a motion, two sides, speakers and their statements by round,
-- a schedule, readers' paired votes, vote history in time buckets, and
-- "this changed my mind" marks.  A debate's discussion is the comment
-- thread of an article row of kind 'debate', hidden from article lists.

ALTER TABLE articles ADD COLUMN kind TEXT NOT NULL DEFAULT 'article';

-- The side a comment supports: 0 none, 1 the first side, 2 the second.
ALTER TABLE comments ADD COLUMN side INTEGER NOT NULL DEFAULT 0;
-- Picked by an editor, shown at the top of a debate's discussion.
ALTER TABLE comments ADD COLUMN featured INTEGER NOT NULL DEFAULT 0;
-- Readers who said this comment changed their mind.
ALTER TABLE comments ADD COLUMN minds INTEGER NOT NULL DEFAULT 0;
CREATE INDEX comments_featured ON comments (article_id, id) WHERE featured = 1;

CREATE TABLE debates (
	id INTEGER PRIMARY KEY,
	article_id INTEGER NOT NULL UNIQUE REFERENCES articles (id),
	slug TEXT NOT NULL UNIQUE,
	motion TEXT NOT NULL,
	moderator TEXT NOT NULL DEFAULT '',
	intro_md TEXT NOT NULL,
	intro_html TEXT NOT NULL,
	label_a TEXT NOT NULL DEFAULT 'Yes',
	label_b TEXT NOT NULL DEFAULT 'No',
	status TEXT NOT NULL DEFAULT 'scheduled'
		CHECK (status IN ('draft', 'scheduled', 'open', 'closed')),
	-- The schedule, seconds since the epoch (UTC); 0 when not set.
	opening INTEGER NOT NULL DEFAULT 0,
	rebuttal INTEGER NOT NULL DEFAULT 0,
	closing INTEGER NOT NULL DEFAULT 0,
	voting_opens INTEGER NOT NULL DEFAULT 0,
	voting_closes INTEGER NOT NULL DEFAULT 0,
	pre_closes INTEGER NOT NULL DEFAULT 0,
	post_opens INTEGER NOT NULL DEFAULT 0,
	-- Width of one time bucket of the vote history, in seconds.
	bucket_secs INTEGER NOT NULL DEFAULT 3600,
	-- Bumped by every change to what the page shows (version: the
	-- debate, its status, featured comments, "changed my mind" counts) and
	-- by every vote or saved refusal (activity: the results).  A cached
	-- page and its cached results record the one they depend on and are
	-- served only while it matches, whichever process made the change.
	version INTEGER NOT NULL DEFAULT 1,
	activity INTEGER NOT NULL DEFAULT 0,
	-- Votes refused, shown on the page; votes changed (not refused).
	refused_duplicate INTEGER NOT NULL DEFAULT 0,
	refused_closed INTEGER NOT NULL DEFAULT 0,
	refused_rate INTEGER NOT NULL DEFAULT 0,
	changed_votes INTEGER NOT NULL DEFAULT 0,
	created INTEGER NOT NULL
);

CREATE TABLE debate_speakers (
	id INTEGER PRIMARY KEY,
	debate_id INTEGER NOT NULL REFERENCES debates (id),
	side INTEGER NOT NULL CHECK (side IN (1, 2)),
	position INTEGER NOT NULL,
	name TEXT NOT NULL,
	bio TEXT NOT NULL DEFAULT '',
	photo TEXT NOT NULL DEFAULT '',
	link TEXT NOT NULL DEFAULT ''
);
CREATE INDEX debate_speakers_by_debate ON debate_speakers (debate_id, side, position);

-- Rounds: 1 opening, 2 rebuttal, 3 closing.
CREATE TABLE debate_statements (
	id INTEGER PRIMARY KEY,
	debate_id INTEGER NOT NULL REFERENCES debates (id),
	speaker_id INTEGER NOT NULL REFERENCES debate_speakers (id),
	round INTEGER NOT NULL CHECK (round BETWEEN 1 AND 3),
	body_md TEXT NOT NULL,
	body_html TEXT NOT NULL,
	minds INTEGER NOT NULL DEFAULT 0,
	UNIQUE (speaker_id, round)
);
CREATE INDEX debate_statements_by_debate ON debate_statements (debate_id, round);

-- One row per reader and debate: the pair of votes.  pre: 0 none, 1 the
-- first side, 2 the second, 3 undecided; post: 0 none, 1 or 2.  voter is
-- a keyed hash of the reader's identity, never the identity itself.
CREATE TABLE debate_votes (
	debate_id INTEGER NOT NULL REFERENCES debates (id),
	voter TEXT NOT NULL,
	pre INTEGER NOT NULL DEFAULT 0 CHECK (pre BETWEEN 0 AND 3),
	post INTEGER NOT NULL DEFAULT 0 CHECK (post BETWEEN 0 AND 2),
	pre_at INTEGER NOT NULL DEFAULT 0,
	post_at INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (debate_id, voter)
) WITHOUT ROWID;

-- The tally, kept as it changes: readers per pair of votes (the same
-- numbers as counting debate_votes, without reading every vote).
CREATE TABLE debate_pairs (
	debate_id INTEGER NOT NULL REFERENCES debates (id),
	pre INTEGER NOT NULL,
	post INTEGER NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (debate_id, pre, post)
) WITHOUT ROWID;

-- The vote over time: per bucket, the change in each phase's count of
-- each choice (+1 for a new vote, -1 for the choice a changed vote left).
CREATE TABLE debate_vote_buckets (
	debate_id INTEGER NOT NULL REFERENCES debates (id),
	bucket INTEGER NOT NULL,
	phase INTEGER NOT NULL CHECK (phase IN (1, 2)),
	choice INTEGER NOT NULL CHECK (choice BETWEEN 1 AND 3),
	delta INTEGER NOT NULL,
	PRIMARY KEY (debate_id, bucket, phase, choice)
) WITHOUT ROWID;

-- "This changed my mind": once per reader and item.  kind: 's' for a
-- speaker's statement, 'c' for a comment.
CREATE TABLE debate_minds (
	debate_id INTEGER NOT NULL REFERENCES debates (id),
	kind TEXT NOT NULL CHECK (kind IN ('s', 'c')),
	item_id INTEGER NOT NULL,
	voter TEXT NOT NULL,
	created INTEGER NOT NULL,
	PRIMARY KEY (kind, item_id, voter)
) WITHOUT ROWID;
