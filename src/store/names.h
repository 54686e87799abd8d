/*
 * names: how the schema spells statuses, roles and kinds of ban, shared by
 * every backend (the same words in SQLite and PostgreSQL rows, so a site
 * copied between them reads the same).
 */
#ifndef PARLEY_STORE_NAMES_H
#define PARLEY_STORE_NAMES_H

#include "store/store.h"

/* A comment's status; an unknown one reads as pending (never shown). */
const char *store_status_name(int status);
int store_status_of(const char *name);

/* An account's role; an unknown one reads as a reader. */
const char *store_role_name(enum role r);
enum role store_role_of(const char *name);

/* A kind of ban; an unknown one reads as an address. */
const char *store_ban_kind_name(int kind);
int store_ban_kind_of(const char *name);

#endif
