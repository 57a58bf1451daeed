/* funnel.h: the counting rule behind a campaign's funnel (docs/metrics.md), with no I/O so
 * that it is proven alone (tests/unit/test_funnel.c).
 *
 * Each relationship carries a few facts (relationships.funnel, migration 020), and what it
 * adds to the campaign's drafted / sent / delivered / opened / replied counters is a
 * function of those facts alone, built as a cascade, so that for any facts
 * replied <= delivered <= sent <= drafted and opened <= delivered. The counters move by the
 * difference between a relationship's contribution after an event and before it. */
#ifndef LC_FUNNEL_H
#define LC_FUNNEL_H

/* the facts (bits of relationships.funnel) */
enum funnel_fact {
	FUNNEL_DRAFTED = 1, /* a draft was created for them */
	FUNNEL_SENT = 2,    /* an email to them was accepted by the SMTP relay */
	FUNNEL_BOUNCED = 4, /* a hard bounce arrived after they were sent something */
	FUNNEL_OPENED = 8,  /* they opened an email we sent */
	FUNNEL_REPLIED = 16 /* they replied after we sent them something (a human reply) */
};

/* what happens to a relationship */
enum funnel_event { FE_DRAFTED, FE_SENT, FE_BOUNCED, FE_OPENED, FE_REPLIED, FE_NEVENTS };

/* the counted stages, in the order of the summary */
enum funnel_stage { FS_DRAFTED, FS_SENT, FS_DELIVERED, FS_OPENED, FS_REPLIED, FS_NSTAGES };

/* funnel_accepts says whether ev counts for a relationship with these facts: a bounce, an
 * open or a reply counts only once the relationship was sent something. One that does not
 * count changes nothing (a reply before any send stays inbound mail: docs/metrics.md). */
int funnel_accepts(unsigned facts, enum funnel_event ev);

/* funnel_next returns the facts after ev (unchanged when ev does not count). */
unsigned funnel_next(unsigned facts, enum funnel_event ev);

/* funnel_counts writes into out[FS_NSTAGES] what a relationship with these facts adds to
 * each stage (0 or 1). */
void funnel_counts(unsigned facts, int out[FS_NSTAGES]);

/* funnel_delta writes into out[FS_NSTAGES] how the stages move when a relationship's facts
 * go from `from` to `to` (-1, 0 or +1 each). */
void funnel_delta(unsigned from, unsigned to, int out[FS_NSTAGES]);

#endif
