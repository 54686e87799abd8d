/*
 * spam: a comment spam classifier that needs no outside service.
 *
 * A comment becomes a list of hashed features (its words, word pairs,
 * character n-grams, links and their domains, its shape, and what the
 * caller knows of its author); a logistic regression over a fixed table
 * of weights, trained by stochastic gradient descent with per-weight
 * step sizes (AdaGrad), turns them into a score in [0, 1].  Learning is
 * one cheap step per example, so the model can follow moderators'
 * decisions one at a time.  Memory is bounded by the table (2^18
 * weights) and the time per comment by the bytes looked at
 * (SPAM_TEXT_MAX) and the features kept (SPAM_FEATURES_MAX).
 *
 * Nothing here does I/O: the model is saved to and loaded from a byte
 * buffer, versioned and checksummed, so a store can keep it.  A model
 * has no lock: many threads may score with it while none learns, so a
 * background trainer learns on its own copy and swaps it in.
 */
#ifndef PARLEY_MODEL_SPAM_H
#define PARLEY_MODEL_SPAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

#define SPAM_TEXT_MAX	  2048 /* bytes of a comment looked at */
#define SPAM_FEATURES_MAX 8192 /* features kept of one comment */
#define SPAM_NAME_MAX	  40   /* a feature's name as shown, with its NUL */
#define SPAM_THRESHOLD	  0.5  /* a score at or above it is spam */
#define SPAM_BITS	  18   /* the weight table has 2^SPAM_BITS slots */

/* The kinds of feature; a feature's name starts with its prefix. */
enum spam_family {
	SPAM_BIAS,   /* "bias": always there */
	SPAM_WORD,   /* "w:check" */
	SPAM_BIGRAM, /* "b:my channel" */
	SPAM_CHAR,   /* "c:eck o": 3 to 5 bytes of the folded text */
	SPAM_LINK,   /* "l:2": how many links */
	SPAM_DOMAIN, /* "d:example.com", and "t:com" for its top level */
	SPAM_SHAPE,  /* "s:caps=3": length, capitals, '!', digits */
	SPAM_META,   /* "m:age=4": what the caller knows of the author */
	SPAM_FAMILY__MAX
};

/* Yes, no or not known, for facts the caller may lack. */
enum spam_tristate { SPAM_UNKNOWN = 0, SPAM_YES, SPAM_NO };

/*
 * What the caller knows of a comment's author, all optional: a zeroed
 * struct (or NULL) says nothing is known.
 */
struct spam_meta {
	int64_t account_age; /* seconds since sign-up; 0: none or unknown */
	enum spam_tristate first; /* is it the author's first comment? */
	double per_hour; /* the author's recent comments an hour; 0: unknown */
};

struct spam_feature {
	uint32_t hash; /* of the full name; the model folds it to a slot */
	float value;
	uint8_t family;		  /* enum spam_family */
	char name[SPAM_NAME_MAX]; /* for people: cut at a UTF-8 boundary */
};

/* The features of one comment: large, so made once and reused. */
struct spam_features {
	size_t count;
	bool truncated; /* text past SPAM_TEXT_MAX or features past the cap */
	struct spam_feature items[SPAM_FEATURES_MAX];
};

/* NULL when out of memory; spam_features_free(NULL) does nothing. */
struct spam_features *spam_features_new(void);
void spam_features_free(struct spam_features *f);

/*
 * Fills f with the features of text[0..len) (any bytes; only the first
 * SPAM_TEXT_MAX are looked at) and of meta (may be NULL).  Each family's
 * values are scaled to a unit length, so a long comment does not weigh
 * more than a short one for having more words.
 */
void spam_features_of(struct spam_features *f, const char *text, size_t len,
		      const struct spam_meta *meta);

struct spam_model;

/* A new, untrained model (every score 0.5); NULL when out of memory. */
struct spam_model *spam_model_new(void);
void spam_model_free(struct spam_model *m);

/* How many examples the model has learnt from, and how many were spam. */
uint64_t spam_model_examples(const struct spam_model *m, uint64_t *spam);

/* The probability, in [0, 1], that the comment of f is spam. */
double spam_score(const struct spam_model *m, const struct spam_features *f);

/* One learning step on one labelled example: cheap, for every decision. */
void spam_learn(struct spam_model *m, const struct spam_features *f, bool spam);

/* A labelled comment, for training in batches. */
struct spam_example {
	const char *text;
	size_t len;
	bool spam;
	struct spam_meta meta;
};

/*
 * Learns from n examples, each seen `epochs` times in an order shuffled
 * from seed (the same seed, the same model).  ERR_NOMEM or ERR_OK.
 */
enum err spam_train(struct spam_model *m, const struct spam_example *ex,
		    size_t n, unsigned epochs, uint64_t seed);

/* A feature and how much it moved the score (> 0: towards spam). */
struct spam_reason {
	char name[SPAM_NAME_MAX];
	double weight;
};

/*
 * The up to n features of f that weighed most, either way, heaviest
 * first (the same feature twice counts once, with its weights added).
 * Returns how many were written to out.
 */
size_t spam_explain(const struct spam_model *m, const struct spam_features *f,
		    struct spam_reason *out, size_t n);

/*
 * Appends the model to out: a versioned header, the weights that are
 * not zero, and a checksum.  ERR_NOMEM when out cannot take it.
 */
enum err spam_model_save(const struct spam_model *m, struct buf *out);

/*
 * Reads a model saved by spam_model_save.  Anything else (another
 * version, a cut or changed byte, trailing bytes) is refused with
 * ERR_INVALID and the reason in why (may be NULL); *out is then NULL.
 */
enum err spam_model_load(const void *data, size_t len, struct spam_model **out,
			 struct buf *why);

#endif
