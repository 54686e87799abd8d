-- What the check for a comment said twice needs: the network it came
-- from (an IPv6 /64: one subscriber, whichever address of it they use)
-- and a hash of its text, so that the comments with the same text are
-- found through an index rather than by reading every recent comment.
-- Comments stored before have neither and are never taken as repeated.
ALTER TABLE comments ADD COLUMN network TEXT NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN body_hash INTEGER;
CREATE INDEX comments_by_text ON comments (body_hash, created)
	WHERE body_hash IS NOT NULL;
