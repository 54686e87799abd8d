-- Who a debate's refused votes came from, so that each is counted once
-- per reader (or, over the rate limit, per network), not per request:
-- 300 requests after a phase closed once read "301 votes refused".
-- who is a keyed hash, per debate, like a voter's.
CREATE TABLE debate_refusers (
	debate_id INTEGER NOT NULL REFERENCES debates (id) ON DELETE CASCADE,
	reason INTEGER NOT NULL,	-- enum refusal
	who TEXT NOT NULL,
	PRIMARY KEY (debate_id, reason, who)
) WITHOUT ROWID;
