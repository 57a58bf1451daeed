/* funnel.c: the counting rule of the campaign funnel (funnel.h, docs/metrics.md). */
#include "core/funnel.h"

int
funnel_accepts(unsigned facts, enum funnel_event ev)
{
	switch (ev) {
	case FE_DRAFTED:
	case FE_SENT: return 1;
	case FE_BOUNCED:
	case FE_OPENED:
	case FE_REPLIED: return (facts & FUNNEL_SENT) != 0;
	case FE_NEVENTS: break;
	}
	return 0;
}

unsigned
funnel_next(unsigned facts, enum funnel_event ev)
{
	static const unsigned fact_of[FE_NEVENTS] = {
	    FUNNEL_DRAFTED, FUNNEL_SENT, FUNNEL_BOUNCED, FUNNEL_OPENED, FUNNEL_REPLIED};

	if ((unsigned)ev >= FE_NEVENTS || !funnel_accepts(facts, ev))
		return facts;
	return facts | fact_of[ev];
}

void
funnel_counts(unsigned facts, int out[FS_NSTAGES])
{
	const int sent = (facts & FUNNEL_SENT) != 0;
	/* a bounce takes a prospect out of "delivered" unless they showed that mail reached
	 * them: an open or a reply is proof of delivery */
	const int delivered =
	    sent && (!(facts & FUNNEL_BOUNCED) || (facts & (FUNNEL_OPENED | FUNNEL_REPLIED)));

	/* a prospect sent a one-off email without a campaign draft counts as drafted: the
	 * email was composed for them */
	out[FS_DRAFTED] = sent || (facts & FUNNEL_DRAFTED) != 0;
	out[FS_SENT] = sent;
	out[FS_DELIVERED] = delivered;
	out[FS_OPENED] = delivered && (facts & FUNNEL_OPENED) != 0;
	out[FS_REPLIED] = delivered && (facts & FUNNEL_REPLIED) != 0;
}

void
funnel_delta(unsigned from, unsigned to, int out[FS_NSTAGES])
{
	int a[FS_NSTAGES], b[FS_NSTAGES];
	int i;

	funnel_counts(from, a);
	funnel_counts(to, b);
	for (i = 0; i < FS_NSTAGES; i++)
		out[i] = b[i] - a[i];
}
