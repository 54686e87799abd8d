/*
 * The store: articles, threaded comments, idempotent posts, refusals,
 * group commit under concurrent writers; on SQLite and on PostgreSQL.
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "model/comment.h"
#include "store/store.h"
#include "store_fixture.h"
#include "test.h"

static enum err
add_comment(struct store *st, int64_t article, int64_t parent, const char *body,
	    const char *key, int64_t *id)
{
	struct comment c = fixture_comment(article, body, key);

	c.parent_id = parent;
	return st->ops->comment_insert(st, &c, id);
}

struct writer_arg {
	struct store *st;
	int64_t article;
	int n, ok;
};

static void *
writer(void *p)
{
	struct writer_arg *w = p;
	int64_t id;
	int i;

	for (i = 0; i < w->n; i++)
		if (add_comment(w->st, w->article, 0, "concurrent", NULL,
				&id) == ERR_OK)
			w->ok++;
	return NULL;
}

static void
run(void)
{
	char dir[512], path[600];
	struct store *st;
	struct article a1 = fixture_article("first"),
		       a2 = fixture_article("second"), got;
	struct comment *list, c;
	struct thread_node *root;
	struct arena ar;
	int64_t id1, id2, c1, c2, c3, c4, again, idx, total;
	struct article *arts;
	size_t n;
	pthread_t th[4];
	struct writer_arg wa[4];
	int i, ok;

	CHECK(test_scratch_dir(dir, sizeof(dir), "store") != NULL);
	CHECK(fixture_db_path(dir, "t", path, sizeof(path)));
	st = fixture_store_open(path);
	CHECK(st != NULL);
	if (st == NULL)
		return;
	arena_init(&ar);

	CHECK(st->ops->article_insert(st, &a1, &id1) == ERR_OK);
	CHECK(st->ops->article_insert(st, &a2, &id2) == ERR_OK);
	CHECK(st->ops->article_insert(st, &a1, &again) == ERR_CONFLICT);
	CHECK(st->ops->article_by_slug(st, &ar, "first", &got) == ERR_OK);
	CHECK(got.id == id1 && strcmp(got.title, "Title") == 0 &&
	      got.comments_open);
	CHECK(st->ops->article_by_slug(st, &ar, "nope", &got) == ERR_NOTFOUND);
	CHECK(st->ops->article_list(st, &ar, 0, 10, &arts, &n, &total) ==
	      ERR_OK);
	CHECK(n == 2 && total == 2);

	/* A thread: c1 <- c2 <- c3, and c4 top level. */
	CHECK(add_comment(st, id1, 0, "one", "k1", &c1) == ERR_OK);
	CHECK(add_comment(st, id1, c1, "two", "k2", &c2) == ERR_OK);
	CHECK(add_comment(st, id1, c2, "three", NULL, &c3) == ERR_OK);
	CHECK(add_comment(st, id1, 0, "four", NULL, &c4) == ERR_OK);
	CHECK(st->ops->comment_get(st, &ar, c3, &c) == ERR_OK);
	CHECK(c.root_id == c1 && c.depth == 2 && c.parent_id == c2);
	CHECK(st->ops->comment_get(st, &ar, c1, &c) == ERR_OK);
	CHECK(c.root_id == c1 && c.depth == 0 && c.parent_id == 0);

	/* The same form key twice is one comment. */
	CHECK(add_comment(st, id1, 0, "one", "k1", &again) == ERR_OK);
	CHECK(again == c1);
	/*
	 * The same key with other text or another parent is refused with the
	 * earlier id; from another article's form, with 0.  Nothing is
	 * stored (the counts below stay at four).
	 */
	again = 0;
	CHECK(add_comment(st, id1, 0, "one again", "k1", &again) ==
	      ERR_CONFLICT);
	CHECK(again == c1);
	again = 0;
	CHECK(add_comment(st, id1, c4, "one", "k1", &again) == ERR_CONFLICT);
	CHECK(again == c1);
	again = -1;
	CHECK(add_comment(st, id2, 0, "one", "k1", &again) == ERR_CONFLICT);
	CHECK(again == 0);

	/* A parent on another article, or missing, is refused. */
	CHECK(add_comment(st, id2, c1, "cross", NULL, &again) == ERR_INVALID);
	CHECK(add_comment(st, id1, 999999, "ghost", NULL, &again) ==
	      ERR_INVALID);
	/* No such article. */
	CHECK(add_comment(st, 424242, 0, "nowhere", NULL, &again) ==
	      ERR_NOTFOUND);

	/* Counts are kept with the comments. */
	CHECK(st->ops->article_by_id(st, &ar, id1, &got) == ERR_OK);
	CHECK(got.comment_count == 4 && got.thread_count == 2);

	/* Pages: top-level comments with every reply, in thread order. */
	CHECK(st->ops->comment_page(st, &ar, id1, SORT_OLDEST, 0, 1, &list,
				    &n) == ERR_OK);
	CHECK(n == 3 && list[0].id == c1 && list[1].id == c2 &&
	      list[2].id == c3);
	CHECK(st->ops->comment_page(st, &ar, id1, SORT_OLDEST, 1, 1, &list,
				    &n) == ERR_OK);
	CHECK(n == 1 && list[0].id == c4);
	CHECK(st->ops->comment_page(st, &ar, id1, SORT_OLDEST, 2, 1, &list,
				    &n) == ERR_OK &&
	      n == 0);
	CHECK(st->ops->comment_thread_index(st, id1, c4, &idx) == ERR_OK &&
	      idx == 1);
	CHECK(comment_page_for(idx, 1) == 2 && comment_page_for(49, 50) == 1 &&
	      comment_page_for(50, 50) == 2);

	/* Threading a page. */
	CHECK(st->ops->comment_page(st, &ar, id1, SORT_OLDEST, 0, 10, &list,
				    &n) == ERR_OK &&
	      n == 4);
	root = comment_thread(&ar, list, n);
	CHECK(root && root->c->id == c1 && root->next &&
	      root->next->c->id == c4);
	CHECK(root->first_child && root->first_child->c->id == c2);
	CHECK(root->first_child->first_child &&
	      root->first_child->first_child->c->id == c3);
	CHECK(root->next->first_child == NULL && root->next->next == NULL);

	/* Closed articles take no comments. */
	CHECK(st->ops->article_set_open(st, id2, false) == ERR_OK);
	CHECK(add_comment(st, id2, 0, "closed", NULL, &again) == ERR_FORBIDDEN);
	CHECK(st->ops->article_by_id(st, &ar, id2, &got) == ERR_OK &&
	      got.comment_count == 0);

	/* Concurrent writers: every write lands once. */
	for (i = 0; i < 4; i++) {
		wa[i] = (struct writer_arg){st, id1, 50, 0};
		pthread_create(&th[i], NULL, writer, &wa[i]);
	}
	for (ok = 0, i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		ok += wa[i].ok;
	}
	CHECK(ok == 200);
	CHECK(st->ops->article_by_id(st, &ar, id1, &got) == ERR_OK &&
	      got.comment_count == 204);

	/* Everything is there after closing and opening again. */
	store_close(st);
	st = fixture_store_open(path);
	CHECK(st != NULL);
	if (st) {
		CHECK(st->ops->article_by_id(st, &ar, id1, &got) == ERR_OK);
		CHECK(got.comment_count == 204 && got.thread_count == 202);
		store_close(st);
	}
	arena_clear(&ar);
	fixture_remove_dir(dir);
}

int
main(void)
{
	fixture_each_backend(run);
	TEST_DONE();
}
