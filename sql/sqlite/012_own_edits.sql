-- What commenters did to their own comments after posting them
-- (model/comment_own.c): when they last edited one (0: never) and whether
-- they removed it.  A row only for a comment so changed; the earlier texts
-- are in moderation_log (author_edit, author_remove).  A table of its own,
-- not columns, so that running this file again changes nothing.
CREATE TABLE IF NOT EXISTS comment_own_edits (
	comment_id INTEGER PRIMARY KEY,
	edited INTEGER NOT NULL DEFAULT 0,
	removed INTEGER NOT NULL DEFAULT 0
);
-- A reader's recent comments on a discussion, for the links to change
-- them: by their account, or by their browser (its keyed hash) for those
-- posted without one.  One seek each, whatever the thread's size.
CREATE INDEX IF NOT EXISTS comments_own_by_user
	ON comments (user_id, article_id, created) WHERE user_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS comments_own_by_visitor
	ON comments (visitor, article_id, created) WHERE visitor <> '';
-- Comments removed with their author's account before this file: the
-- same concept, so counted the same way (a removed comment is not one).
INSERT OR IGNORE INTO comment_own_edits (comment_id, removed)
	SELECT id, 1 FROM comments WHERE body_md = '' AND body_html =
	'<p class="removed">This comment was removed by its author.</p>';
UPDATE articles SET comment_count = (SELECT count(*) FROM comments c
	WHERE c.article_id = articles.id AND c.status = 'approved'
	AND NOT EXISTS (SELECT 1 FROM comment_own_edits e
	WHERE e.comment_id = c.id AND e.removed = 1));
