-- Anonymous commenters may not take a member's name: it is looked up,
-- in any case, on every anonymous post.
CREATE INDEX IF NOT EXISTS users_by_name ON users (name COLLATE NOCASE);
