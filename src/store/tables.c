/* tables: the tables of a site and their columns, for copying a site. */
#include "store/tables.h"

#define I	STORE_INT
#define R	STORE_REAL
#define T	STORE_TEXT
#define B	STORE_BLOB
#define COLS(x) x, (int)(sizeof(x) / sizeof(x[0]))

static const struct store_column articles[] = {
    {"id", I},
    {"slug", T},
    {"title", T},
    {"author", T},
    {"published", I},
    {"updated", I},
    {"image", T},
    {"caption", T},
    {"tags", T},
    {"body_md", T},
    {"body_html", T},
    {"comments_open", I},
    {"comment_count", I},
    {"thread_count", I},
    {"kind", T},
};

static const struct store_column users[] = {
    {"id", I},
    {"email", T},
    {"name", T},
    {"password_hash", T},
    {"email_verified", I},
    {"role", T},
    {"disabled", I},
    {"created", I},
};

static const struct store_column comments[] = {
    {"id", I},	      {"article_id", I}, {"parent_id", I},
    {"root_id", I},   {"depth", I},	 {"author", T},
    {"email", T},     {"url", T},	 {"avatar", T},
    {"body_md", T},   {"body_html", T},	 {"created", I},
    {"status", T},    {"ip", T},	 {"request_key", T},
    {"side", I},      {"featured", I},	 {"minds", I},
    {"user_id", I},   {"thread_no", I},	 {"visitor", T},
    {"reason", T},    {"spam_score", R}, {"spam_features", T},
    {"status_at", I}, {"network", T},	 {"body_hash", I},
};

static const struct store_column comment_own_edits[] = {
    {"comment_id", I},
    {"edited", I},
    {"removed", I},
};

static const struct store_column comment_flags[] = {
    {"id", I},	   {"comment_id", I}, {"reader", T},  {"network", T},
    {"reason", T}, {"note", T},	      {"created", I}, {"resolved", I},
};

static const struct store_column debates[] = {
    {"id", I},
    {"article_id", I},
    {"slug", T},
    {"motion", T},
    {"moderator", T},
    {"intro_md", T},
    {"intro_html", T},
    {"label_a", T},
    {"label_b", T},
    {"status", T},
    {"opening", I},
    {"rebuttal", I},
    {"closing", I},
    {"voting_opens", I},
    {"voting_closes", I},
    {"pre_closes", I},
    {"post_opens", I},
    {"bucket_secs", I},
    {"version", I},
    {"activity", I},
    {"refused_duplicate", I},
    {"refused_closed", I},
    {"refused_rate", I},
    {"changed_votes", I},
    {"created", I},
};

static const struct store_column debate_speakers[] = {
    {"id", I},	 {"debate_id", I}, {"side", I},	 {"position", I},
    {"name", T}, {"bio", T},	   {"photo", T}, {"link", T},
};

static const struct store_column debate_statements[] = {
    {"id", I},	    {"debate_id", I}, {"speaker_id", I}, {"round", I},
    {"body_md", T}, {"body_html", T}, {"minds", I},
};

static const struct store_column debate_votes[] = {
    {"debate_id", I}, {"voter", T},  {"pre", I},
    {"post", I},      {"pre_at", I}, {"post_at", I},
};

static const struct store_column debate_pairs[] = {
    {"debate_id", I},
    {"pre", I},
    {"post", I},
    {"n", I},
};

static const struct store_column debate_vote_buckets[] = {
    {"debate_id", I}, {"bucket", I}, {"phase", I}, {"choice", I}, {"delta", I},
};

static const struct store_column debate_minds[] = {
    {"kind", T}, {"item_id", I}, {"voter", T}, {"debate_id", I}, {"created", I},
};

static const struct store_column debate_refusers[] = {
    {"debate_id", I},
    {"reason", I},
    {"who", T},
};

static const struct store_column sessions[] = {
    {"token_hash", T},
    {"user_id", I},
    {"created", I},
    {"expires", I},
};

static const struct store_column user_tokens[] = {
    {"token_hash", T}, {"purpose", T}, {"user_id", I},
    {"data", T},       {"expires", I},
};

static const struct store_column identities[] = {
    {"provider", T}, {"subject", T}, {"user_id", I},
    {"email", T},    {"created", I},
};

static const struct store_column outbox[] = {
    {"id", I},	     {"recipient", T},	  {"subject", T},
    {"body", T},     {"created", I},	  {"status", T},
    {"attempts", I}, {"next_attempt", I}, {"last_error", T},
};

static const struct store_column bans[] = {
    {"id", I},	    {"kind", T},    {"value", T},      {"reason", T},
    {"created", I}, {"expires", I}, {"created_by", T},
};

static const struct store_column moderation_log[] = {
    {"id", I},		 {"at", I},
    {"actor_id", I},	 {"actor", T},
    {"action", T},	 {"comment_id", I},
    {"article_id", I},	 {"status_before", T},
    {"status_after", T}, {"text_before", T},
    {"text_after", T},	 {"detail", T},
};

static const struct store_column spam_model[] = {
    {"id", I},
    {"data", B},
    {"examples", I},
    {"saved", I},
};

const struct store_table store_tables[] = {
    {"articles", COLS(articles), 1, true},
    {"users", COLS(users), 1, true},
    {"comments", COLS(comments), 1, true},
    {"comment_own_edits", COLS(comment_own_edits), 1, false},
    {"comment_flags", COLS(comment_flags), 1, true},
    {"debates", COLS(debates), 1, true},
    {"debate_speakers", COLS(debate_speakers), 1, true},
    {"debate_statements", COLS(debate_statements), 1, true},
    {"debate_votes", COLS(debate_votes), 2, false},
    {"debate_pairs", COLS(debate_pairs), 3, false},
    {"debate_vote_buckets", COLS(debate_vote_buckets), 4, false},
    {"debate_minds", COLS(debate_minds), 3, false},
    {"debate_refusers", COLS(debate_refusers), 3, false},
    {"sessions", COLS(sessions), 1, false},
    {"user_tokens", COLS(user_tokens), 1, false},
    {"identities", COLS(identities), 2, false},
    {"outbox", COLS(outbox), 1, true},
    {"bans", COLS(bans), 1, true},
    {"moderation_log", COLS(moderation_log), 1, true},
    {"spam_model", COLS(spam_model), 1, false},
};

const size_t store_table_count = sizeof(store_tables) / sizeof(store_tables[0]);
