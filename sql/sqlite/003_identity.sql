-- Identity: accounts, sessions, one-time tokens, external accounts, the
-- mail outbox, and who wrote a comment.
CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	email TEXT COLLATE NOCASE UNIQUE,	-- NULL: an external account without one
	name TEXT NOT NULL,
	password_hash TEXT NOT NULL DEFAULT '',	-- argon2id; '' when none
	email_verified INTEGER NOT NULL DEFAULT 0,
	role TEXT NOT NULL DEFAULT 'reader'
		CHECK (role IN ('reader', 'moderator', 'editor', 'admin')),
	disabled INTEGER NOT NULL DEFAULT 0,
	created INTEGER NOT NULL
);
CREATE INDEX users_by_role ON users (role);

-- A session is known only by the SHA-256 of its token.
CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created INTEGER NOT NULL,
	expires INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires);

-- One-time tokens sent by email or kept for a sign-in in progress:
-- verify, reset, email (change), link (an external account), setup
-- (the first admin), oidc (state of an external sign-in).
CREATE TABLE user_tokens (
	token_hash TEXT PRIMARY KEY,
	purpose TEXT NOT NULL,
	user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
	data TEXT NOT NULL DEFAULT '',
	expires INTEGER NOT NULL
);
CREATE INDEX user_tokens_by_expiry ON user_tokens (expires);

-- Accounts at external providers (OpenID Connect, OAuth 2).
CREATE TABLE identities (
	provider TEXT NOT NULL,
	subject TEXT NOT NULL,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	email TEXT NOT NULL DEFAULT '',
	created INTEGER NOT NULL,
	PRIMARY KEY (provider, subject)
);
CREATE INDEX identities_by_user ON identities (user_id);

-- The durable queue of outgoing email, sent by the background sender.
CREATE TABLE outbox (
	id INTEGER PRIMARY KEY,
	recipient TEXT NOT NULL,
	subject TEXT NOT NULL,
	body TEXT NOT NULL,
	created INTEGER NOT NULL,
	status TEXT NOT NULL DEFAULT 'queued'
		CHECK (status IN ('queued', 'sent', 'failed')),
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt INTEGER NOT NULL,
	last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (next_attempt) WHERE status = 'queued';

ALTER TABLE comments ADD COLUMN user_id INTEGER REFERENCES users (id);
CREATE INDEX comments_by_user ON comments (user_id, id) WHERE user_id IS NOT NULL;
