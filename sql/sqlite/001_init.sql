-- Articles and their threaded comments.
CREATE TABLE articles (
	id INTEGER PRIMARY KEY,
	slug TEXT NOT NULL UNIQUE,
	title TEXT NOT NULL,
	author TEXT NOT NULL,
	published INTEGER NOT NULL,
	updated INTEGER NOT NULL,
	image TEXT NOT NULL DEFAULT '',
	caption TEXT NOT NULL DEFAULT '',
	tags TEXT NOT NULL DEFAULT '',
	body_md TEXT NOT NULL,
	body_html TEXT NOT NULL,
	comments_open INTEGER NOT NULL DEFAULT 1,
	comment_count INTEGER NOT NULL DEFAULT 0,
	thread_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX articles_by_date ON articles (published DESC, id DESC);

CREATE TABLE comments (
	id INTEGER PRIMARY KEY,
	article_id INTEGER NOT NULL REFERENCES articles (id),
	parent_id INTEGER REFERENCES comments (id),
	root_id INTEGER NOT NULL,
	depth INTEGER NOT NULL,
	author TEXT NOT NULL,
	email TEXT NOT NULL,
	url TEXT NOT NULL,
	avatar TEXT NOT NULL,
	body_md TEXT NOT NULL,
	body_html TEXT NOT NULL,
	created INTEGER NOT NULL,
	status TEXT NOT NULL DEFAULT 'approved',
	ip TEXT NOT NULL DEFAULT '',
	request_key TEXT UNIQUE
);
-- A page is a run of top-level comments, then every reply under them.
-- Partial, so counting the shown top-level comments before one (to find
-- its page) reads only those, whatever else the thread holds.
CREATE INDEX comments_top ON comments (article_id, id)
	WHERE depth = 0 AND status = 'approved';
CREATE INDEX comments_thread ON comments (article_id, root_id, id);
