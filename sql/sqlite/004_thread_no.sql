-- A comment's place in its article's discussion: the number (from 0) of
-- its top-level comment among the article's top-level comments, stored
-- when the comment is written.  Finding the page that shows a comment
-- then reads one row, where counting the top-level comments before it
-- read as many index entries as the thread had threads.
ALTER TABLE comments ADD COLUMN thread_no INTEGER NOT NULL DEFAULT 0;
WITH top AS (
	SELECT id, row_number() OVER (PARTITION BY article_id ORDER BY id) - 1 AS n
	FROM comments WHERE depth = 0 AND status = 'approved'
)
UPDATE comments SET thread_no = top.n FROM top WHERE top.id = comments.root_id;
