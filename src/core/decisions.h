/* decisions.h: what the approval pages read besides the shared core — the workspace's
 * decision log, the decisions on one message, and the messages sent to one prospect. Each
 * list owns its rows (free with its _free); the pages read the items. */
#ifndef LC_DECISIONS_H
#define LC_DECISIONS_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "util/cursor.h"

enum decision_kind { DECISION_APPROVED = 0, DECISION_REJECTED, DECISION_RETURNED, DECISION_N };
/* decision_kind_name: a decision as the pages name it ("approved", "rejected", "returned");
 * "unknown" for any other value. */
const char *decision_kind_name(unsigned d);

struct decision_entry {
	int64_t id, at_ms;
	unsigned decision;
	const char *decided_by; /* as recorded */
	const char *user_email; /* the user behind "user:..." or NULL */
	const char *reason;     /* NULL when none */
	int edited_subject, edited_body;
	const char *message_public_id, *subject, *to, *to_name, *campaign_public_id, *campaign_name;
};
struct decision_page {
	struct db_rows rows;
	struct decision_entry *items;
	size_t n;
	int has_next;
	char next_cursor[CURSOR_MAX];
};
/* decisions_list reads the workspace's decision log, newest first (limit 1..200). */
lc_err decisions_list(struct core *core, const struct principal *who, unsigned limit,
    int has_cursor, int64_t cursor_ms, int64_t cursor_id, struct decision_page *page);
/* decisions_of_message reads the decisions on one message (internal id), oldest first. */
lc_err decisions_of_message(
    struct core *core, const struct principal *who, int64_t msg_id, struct decision_page *page);
void decision_page_free(struct decision_page *page);

struct history_entry {
	const char *public_id, *subject; /* borrowed */
	unsigned kind, status;
	int64_t created_ms, schedule_ms, sent_ms; /* < 0: never */
};
struct history {
	struct db_rows rows;
	struct history_entry *items;
	size_t n;
};
/* messages_of_relationship lists the newest (up to limit) outbound messages to one
 * relationship (internal id) of the workspace, oldest first. Free with history_free. */
lc_err messages_of_relationship(struct core *core, const struct principal *who,
    int64_t relationship_id, unsigned limit, struct history *out);
void history_free(struct history *h);

#endif
