/*
 * Fuzzes the debate file parser (model/debate.c): no crash, no read past
 * the input, linear time, and every debate it accepts keeps the promises
 * the rest of the code relies on (speakers and statements within their
 * limits, each statement owned by a speaker, two distinct non-empty side
 * labels, a valid slug, a motion ending in "?").  An accepted debate's
 * tally and schedule are run through the pure rules too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/util.h"
#include "model/debate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct debate_doc doc;
	struct debate_clock clk;
	struct debate_result r;
	struct debate_tally t;
	struct arena a;
	struct buf err;
	size_t i;

	arena_init(&a);
	buf_init(&err, 1024);
	if (debate_parse(&a, (const char *)data, size, 1893456000, &doc,
			 &err) == ERR_OK) {
		if (doc.nspeakers > 2 * DEBATE_MAX_SPEAKERS ||
		    doc.nstatements > 2 * DEBATE_MAX_SPEAKERS * 3 ||
		    !slug_valid(doc.d.slug) || doc.d.label[SIDE_A][0] == '\0' ||
		    doc.d.label[SIDE_B][0] == '\0' ||
		    doc.d.motion[strlen(doc.d.motion) - 1] != '?' ||
		    doc.d.bucket_secs <= 0)
			abort();
		for (i = 0; i < doc.nspeakers; i++)
			if ((doc.speakers[i].side != SIDE_A &&
			     doc.speakers[i].side != SIDE_B) ||
			    doc.speakers[i].name[0] == '\0')
				abort();
		for (i = 0; i < doc.nstatements; i++)
			if (doc.statements[i].speaker >= doc.nspeakers ||
			    doc.statements[i].round < ROUND_OPENING ||
			    doc.statements[i].round > ROUND_CLOSING ||
			    doc.statements[i].body_md[0] == '\0')
				abort();
		debate_clock_at(&doc.d, 1893456000 + (int64_t)size * 3600,
				&clk);
		if (clk.round < 0 || clk.round > ROUND_CLOSING ||
		    (clk.next_change != 0 &&
		     clk.next_change <= 1893456000 + (int64_t)size * 3600))
			abort();
		/* A tally from the input's bytes: shares within 0-100 %. */
		memset(&t, 0, sizeof(t));
		for (i = 0; i < size && i < 12; i++)
			t.moves[i / 3][i % 3] = data[i];
		debate_result_of(&t, &r);
		if (r.pre_share[SIDE_A] > 1000 || r.post_share[SIDE_B] > 1000 ||
		    r.gain[SIDE_A] > 1000 || r.gain[SIDE_A] < -1000)
			abort();
	} else if (err.len == 0) {
		abort(); /* a refusal always says why */
	}
	buf_clear(&err);
	arena_clear(&a);
	return 0;
}
