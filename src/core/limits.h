/* limits: every cap on untrusted input, in one place. */
#ifndef PARLEY_LIMITS_H
#define PARLEY_LIMITS_H

#define LIMIT_BODY	      (64 * 1024) /* a request body (forms), at least */
#define LIMIT_URL	      4096	  /* path plus query */
#define LIMIT_FORM_FIELDS     64	  /* fields in one form */
#define LIMIT_COOKIES	      32	  /* cookies in one header */
#define LIMIT_AUTHOR	      100    /* a commenter's name, in characters */
#define LIMIT_EMAIL	      254    /* RFC 5321 path limit */
#define LIMIT_URL_FIELD	      512    /* a commenter's website */
#define LIMIT_COMMENT_DEFAULT 10000  /* a comment body, in characters */
#define LIMIT_COMMENT_MAX     100000 /* the highest a site may configure */
#define LIMIT_FLAG_NOTE	      500    /* a reader's note on a flag, characters */
#define LIMIT_PAGE_HTML	      (8 * 1024 * 1024) /* one rendered page */
#define LIMIT_POST_FILE	      (4 * 1024 * 1024) /* a Markdown file for `post add` */

#endif
