/* mcp_tools.c: the table of MCP tools — names, descriptions, JSON Schemas of their
 * arguments and answers, hints — and the tools/list answer built from it. Each tool is
 * one route of the JSON API (mcp_call.c runs it), so the schemas describe exactly what
 * that route accepts and answers. */
#include <string.h>

#include "mcp/mcp.h"

/* ---- schema pieces (JSON text, joined by the compiler) ---- */
#define S_STR "{\"type\":\"string\"}"
#define S_INT "{\"type\":\"integer\"}"
#define S_NUM "{\"type\":\"number\"}"
#define S_TIME "{\"type\":\"string\",\"format\":\"date-time\"}"
#define S_STR_NULL "{\"type\":[\"string\",\"null\"]}"
#define S_TIME_NULL "{\"type\":[\"string\",\"null\"],\"format\":\"date-time\"}"

#define CAMPAIGN_TYPES "[\"serp\",\"competitor\",\"custom\"]"
#define CAMPAIGN_STATUSES "[\"draft\",\"active\",\"paused\",\"completed\",\"cancelled\"]"
#define REL_STATUSES                                                                               \
	"[\"prospect\",\"awaiting_approval\",\"scheduled\",\"sent\",\"opened\",\"replied\","       \
	"\"link_placed\",\"bounced\",\"unsubscribed\",\"declined\",\"no_response\"]"
#define MSG_STATUSES                                                                               \
	"[\"pending\",\"awaiting_approval\",\"scheduled\",\"sending\",\"sent\",\"failed\","        \
	"\"unknown\",\"rejected\",\"cancelled\",\"held\",\"deferred\",\"bounced\"]"
#define MSG_KINDS "[\"draft\",\"send_email\",\"respond\",\"auto_response\",\"follow_up\"]"
#define INBOUND_CLASSES "[\"reply\",\"auto_reply\",\"bounce\",\"unsubscribe\",\"delayed\"]"

/* a filter that takes one value, a comma list, or a JSON list of values */
#define S_NAMES(values, what)                                                                      \
	"{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"array\",\"items\":{\"type\":"               \
	"\"string\",\"enum\":" values "}}],\"description\":\"" what " (one value, a "              \
	"comma-separated list, or a list); each one of the values in the list's items.enum.\"}"
#define S_LIMIT                                                                                    \
	"{\"type\":\"integer\",\"minimum\":1,\"maximum\":200,\"default\":50,"                      \
	"\"description\":\"Items per page.\"}"
#define S_CURSOR "{\"type\":\"string\",\"description\":\"nextCursor of the previous page.\"}"
#define S_CAMPAIGN_ID(what)                                                                        \
	"{\"type\":\"string\",\"description\":\"" what " (scmp_..., ccmp_... or xcmp_...).\"}"
#define S_IDEM_KEY                                                                                 \
	"{\"type\":\"string\",\"minLength\":1,\"maxLength\":255,\"description\":\"Optional: "      \
	"the API's Idempotency-Key. The same key with the same arguments within 24 hours "         \
	"answers the first result again instead of queueing another email.\"}"
#define S_SCHEDULE                                                                                 \
	"{\"type\":\"string\",\"description\":\"\\\"now\\\" (the default) or an RFC 3339 "         \
	"date-time with an offset, at most one year ahead.\"}"

/* the RFC 9457 problem a refused call carries in structuredContent (isError: true) */
#define S_PROBLEM                                                                                  \
	"{\"type\":\"object\",\"properties\":{\"type\":" S_STR ",\"title\":" S_STR                 \
	",\"status\":" S_INT ",\"code\":" S_STR ",\"detail\":" S_STR ",\"requestId\":" S_STR       \
	",\"param\":" S_STR ",\"required\":" S_INT ",\"available\":" S_INT                         \
	"},\"required\":[\"type\",\"title\",\"status\",\"code\"]}"
/* an answer is the API's success object, or the problem when isError is true */
#define OUTPUT(success) "{\"type\":\"object\",\"anyOf\":[" success "," S_PROBLEM "]}"
#define S_LIST(item)                                                                               \
	"{\"type\":\"object\",\"properties\":{\"data\":{\"type\":\"array\",\"items\":" item        \
	"},\"total\":" S_INT ",\"nextCursor\":" S_STR_NULL                                         \
	"},\"required\":[\"data\",\"total\",\"nextCursor\"]}"

#define CAMPAIGN_ITEM_PROPS                                                                        \
	"\"id\":" S_STR ",\"type\":{\"type\":\"string\",\"enum\":" CAMPAIGN_TYPES                  \
	"},\"name\":" S_STR ",\"createdAt\":" S_TIME                                               \
	",\"status\":{\"type\":\"string\",\"enum\":" CAMPAIGN_STATUSES "},\"draftsCount\":" S_INT  \
	",\"sentCount\":" S_INT ",\"repliedCount\":" S_INT ",\"placedCount\":" S_INT               \
	",\"openRate\":" S_NUM ",\"replyRate\":" S_NUM ",\"placementRate\":" S_NUM
#define CAMPAIGN_ITEM_REQUIRED                                                                     \
	"\"id\",\"type\",\"name\",\"createdAt\",\"status\",\"draftsCount\",\"sentCount\","         \
	"\"repliedCount\",\"placedCount\",\"openRate\",\"replyRate\",\"placementRate\""
#define S_CAMPAIGN_ITEM                                                                            \
	"{\"type\":\"object\",\"properties\":{" CAMPAIGN_ITEM_PROPS                                \
	"},\"required\":[" CAMPAIGN_ITEM_REQUIRED "]}"
#define S_CAMPAIGN                                                                                 \
	"{\"type\":\"object\",\"properties\":{" CAMPAIGN_ITEM_PROPS ",\"targetUrl\":" S_STR        \
	",\"sender\":" S_STR ",\"updatedAt\":" S_TIME ",\"deliveredCount\":" S_INT                 \
	",\"openedCount\":" S_INT ",\"pausedAt\":" S_TIME_NULL ",\"pauseReason\":" S_STR_NULL      \
	",\"pendingApprovals\":" S_INT "},\"required\":[" CAMPAIGN_ITEM_REQUIRED                   \
	",\"targetUrl\",\"sender\",\"updatedAt\",\"deliveredCount\",\"openedCount\","              \
	"\"pausedAt\",\"pauseReason\",\"pendingApprovals\"]}"
#define S_METRICS                                                                                  \
	"{\"type\":\"object\",\"properties\":{\"campaignId\":" S_STR ",\"summary\":{\"type\":"     \
	"\"object\",\"properties\":{\"drafted\":" S_INT ",\"sent\":" S_INT ",\"delivered\":" S_INT \
	",\"opened\":" S_INT ",\"replied\":" S_INT ",\"placed\":" S_INT ",\"openRate\":" S_NUM     \
	",\"replyRate\":" S_NUM ",\"placementRate\":" S_NUM "},\"required\":[\"drafted\","         \
	"\"sent\",\"delivered\",\"opened\",\"replied\",\"placed\",\"openRate\",\"replyRate\","     \
	"\"placementRate\"]},\"timeline\":{\"type\":\"array\",\"items\":{\"type\":\"object\","     \
	"\"properties\":{\"date\":" S_STR ",\"event\":" S_STR ",\"count\":" S_INT                  \
	",\"reason\":" S_STR_NULL                                                                  \
	"},\"required\":[\"date\",\"event\"]}},\"byDomain\":{\"type\":\"array\","                  \
	"\"items\":{\"type\":\"object\",\"properties\":{\"domain\":" S_STR                         \
	",\"status\":{\"type\":"                                                                   \
	"\"string\",\"enum\":" REL_STATUSES "},\"linkUrl\":" S_STR "},\"required\":[\"domain\","   \
	"\"status\"]}}},\"required\":[\"campaignId\",\"summary\",\"timeline\",\"byDomain\"]}"
#define S_INVOCATION                                                                               \
	"{\"type\":\"object\",\"properties\":{\"invocation\":{\"type\":\"object\",\"properties\":" \
	"{"                                                                                        \
	"\"id\":" S_STR ",\"action\":" S_STR ",\"status\":{\"type\":\"string\",\"enum\":["         \
	"\"awaiting_approval\",\"scheduled\",\"completed\",\"rejected\",\"failed\",\"cancelled\"," \
	"\"unknown\"]},\"creditsReserved\":" S_INT ",\"creditsCharged\":" S_INT                    \
	",\"createdAt\":" S_TIME                                                                   \
	",\"message\":{\"type\":[\"object\",\"null\"],\"properties\":{\"id\":" S_STR               \
	",\"status\":" S_STR ",\"scheduleAt\":" S_TIME_NULL "}},\"approvalUrl\":" S_STR_NULL       \
	"},\"required\":[\"id\",\"action\",\"status\",\"creditsReserved\",\"createdAt\","          \
	"\"message\"]},\"event\":{\"type\":[\"object\",\"null\"]}},\"required\":[\"invocation\","  \
	"\"event\"]}"
#define S_RELATIONSHIP                                                                             \
	"{\"type\":\"object\",\"properties\":{\"id\":" S_STR ",\"campaignId\":" S_STR              \
	",\"domain\":" S_STR ",\"contactName\":" S_STR ",\"contactEmail\":" S_STR ",\"status\":"   \
	"{\"type\":\"string\",\"enum\":" REL_STATUSES "},\"linkUrl\":" S_STR_NULL                  \
	",\"lastContactedAt\":" S_TIME_NULL ",\"lastReplyAt\":" S_TIME_NULL "},\"required\":["     \
	"\"id\",\"campaignId\",\"domain\",\"contactName\",\"contactEmail\",\"status\"]}"
#define S_INBOUND                                                                                  \
	"{\"type\":\"object\",\"properties\":{\"id\":" S_STR ",\"class\":{\"type\":\"string\","    \
	"\"enum\":" INBOUND_CLASSES "},\"matchedBy\":" S_STR ",\"campaignId\":" S_STR_NULL         \
	",\"relationshipId\":" S_STR_NULL ",\"outboundMessageId\":" S_STR_NULL                     \
	",\"from\":" S_STR_NULL ",\"fromName\":" S_STR_NULL ",\"to\":" S_STR_NULL                  \
	",\"messageId\":" S_STR_NULL ",\"subject\":" S_STR ",\"sentAt\":" S_TIME_NULL              \
	",\"receivedAt\":" S_TIME_NULL ",\"autoResponseId\":" S_STR_NULL                           \
	",\"inReplyTo\":" S_STR_NULL ",\"bounce\":{\"type\":["                                     \
	"\"object\",\"null\"]},\"oooReturn\":" S_STR_NULL ",\"textNew\":" S_STR "},"               \
	"\"required\":[\"id\",\"class\","                                                          \
	"\"matchedBy\",\"subject\",\"textNew\"]}"
#define S_APPROVAL                                                                                 \
	"{\"type\":\"object\",\"properties\":{\"id\":" S_STR ",\"kind\":{\"type\":\"string\","     \
	"\"enum\":" MSG_KINDS "},\"status\":" S_STR ",\"campaignId\":" S_STR                       \
	",\"relationshipId\":" S_STR ",\"to\":" S_STR ",\"subject\":" S_STR ",\"body\":" S_STR     \
	",\"scheduleAt\":" S_TIME_NULL ",\"createdAt\":" S_TIME ",\"requestedBy\":" S_STR          \
	",\"creditsReserved\":" S_INT ",\"inReplyTo\":" S_STR_NULL ",\"invocationId\":" S_STR_NULL \
	",\"lastError\":" S_STR_NULL                                                               \
	"},\"required\":[\"id\",\"kind\",\"status\",\"campaignId\",\"relationshipId\","            \
	"\"to\",\"subject\",\"body\",\"createdAt\",\"requestedBy\",\"creditsReserved\"]}"

#define IN_ONE_CAMPAIGN                                                                            \
	"{\"type\":\"object\",\"properties\":{\"campaignId\":" S_CAMPAIGN_ID(                      \
	    "The campaign") "},\"required\":[\"campaignId\"],\"additionalProperties\":false}"

static const struct mcp_tool tools[] = {
    {"link_building_campaign_list", "link_building.campaign.list", "List campaigns",
        "List the workspace's link-building campaigns (SERP, competitor and custom), newest "
        "first, with their draft, sent, replied and placed counts. Filters combine; page "
        "with limit and cursor. Free.",
        "{\"type\":\"object\",\"properties\":{\"type\":" S_NAMES(
            CAMPAIGN_TYPES, "Campaign types") ",\"status\":" S_NAMES(CAMPAIGN_STATUSES,
            "Campaign statuses") ",\"since\":{\"type\":"
                                 "\"string\",\"format\":\"date-time\",\"description\":\"Created at "
                                 "or after this RFC "
                                 "3339 date-time (any "
                                 "offset).\"},\"q\":{\"type\":\"string\",\"maxLength\":200,"
                                 "\"description\":\"Name contains "
                                 "(case-insensitive).\"},\"limit\":" S_LIMIT ",\"cursor\":" S_CURSOR
                                 "},\"additionalProperties\":false}",
        OUTPUT(S_LIST(S_CAMPAIGN_ITEM)), 1, 0, 1, 0, MCP_CALL_GET, "/v1/link-building/campaign",
        NULL, NULL},
    {"link_building_campaign_get", "link_building.campaign.get", "Get a campaign",
        "Read one campaign: its counts, target URL, sender, pause state and how many of its "
        "emails wait for approval. Free.",
        IN_ONE_CAMPAIGN, OUTPUT(S_CAMPAIGN), 1, 0, 1, 0, MCP_CALL_GET,
        "/v1/link-building/campaign/{id}", "campaignId", "campaign_not_found"},
    {"link_building_campaign_metrics", "link_building.campaign.metrics", "Campaign metrics",
        "A campaign's funnel (drafted, sent, delivered, opened, replied, placed; rates are "
        "fractions rounded to two decimals, 0 when nothing was sent), its per-day timeline "
        "and each prospect domain's status. Free.",
        IN_ONE_CAMPAIGN, OUTPUT(S_METRICS), 1, 0, 1, 0, MCP_CALL_GET,
        "/v1/link-building/campaign/{id}/metrics", "campaignId", "campaign_not_found"},
    {"link_building_campaign_toggle", "link_building.campaign.toggle", "Pause or resume a campaign",
        "Pause a campaign (every email not yet handed to SMTP is held) or resume it (held "
        "emails go out). Pausing a paused campaign answers already_paused, resuming an "
        "active one already_active. Free.",
        "{\"type\":\"object\",\"properties\":{\"campaignId\":" S_CAMPAIGN_ID(
            "The campaign") ",\"action\":{\"type\":\"string\",\"enum\":[\"pause\",\"resume\"]},"
                            "\"reason\":{\"type\":"
                            "\"string\",\"maxLength\":500,\"description\":\"Why (shown in the "
                            "timeline).\"}},"
                            "\"required\":[\"campaignId\",\"action\"],\"additionalProperties\":"
                            "false}",
        OUTPUT(S_CAMPAIGN), 0, 0, 1, 0, MCP_CALL_TOGGLE, "/v1/link-building/campaign/{id}",
        "campaignId", "campaign_not_found"},
    {"link_building_campaign_send_email", "link_building.campaign.send_email",
        "Send a one-off email",
        "Queue a one-off email to one prospect (relationship) of a campaign. It waits for a "
        "person's approval when the workspace's policy says so (status awaiting_approval, "
        "with approvalUrl), else it is scheduled. 2 credits are reserved now and charged only "
        "when the SMTP server accepts it. Find relationshipId with "
        "link_building_crm_relationship_list.",
        "{\"type\":\"object\",\"properties\":{\"campaignId\":" S_CAMPAIGN_ID(
            "The campaign") ",\"relationshipId\":{\"type\":\"string\",\"description\":\"The "
                            "prospect (rel_...) in "
                            "this "
                            "campaign.\"},\"subject\":{\"type\":\"string\",\"minLength\":1,"
                            "\"maxLength\":998},"
                            "\"body\":{\"type\":\"string\",\"description\":\"Plain text, at most "
                            "100 KiB.\"},"
                            "\"scheduleAt\":" S_SCHEDULE ",\"idempotencyKey\":" S_IDEM_KEY
                            "},\"required\":["
                            "\"campaignId\",\"relationshipId\",\"subject\",\"body\"],"
                            "\"additionalProperties\":false}",
        OUTPUT(S_INVOCATION), 0, 1, 0, 1, MCP_CALL_POST,
        "/v1/link-building/campaign/{id}/send-email", "campaignId", "campaign_not_found"},
    {"link_building_campaign_respond", "link_building.campaign.respond",
        "Respond to an inbound reply",
        "Queue a reply to an inbound message (threaded with In-Reply-To and References; "
        "subject defaults to \"Re: <their subject>\"). It cancels a pending auto-response to "
        "that message. Same approval, credits and answer as send_email. Find "
        "inboundMessageId with link_building_inbound_list.",
        "{\"type\":\"object\",\"properties\":{\"inboundMessageId\":{\"type\":\"string\","
        "\"description\":\"The inbound message (msg_...).\"},\"body\":{\"type\":\"string\","
        "\"description\":\"Plain text, at most 100 KiB.\"},\"subject\":{\"type\":\"string\","
        "\"maxLength\":998},\"scheduleAt\":" S_SCHEDULE ",\"idempotencyKey\":" S_IDEM_KEY
        "},\"required\":[\"inboundMessageId\",\"body\"],\"additionalProperties\":false}",
        OUTPUT(S_INVOCATION), 0, 1, 0, 1, MCP_CALL_POST, "/v1/link-building/campaign/respond", NULL,
        NULL},
    {"link_building_crm_relationship_list", "link_building.crm.relationship.list",
        "Search prospects (CRM)",
        "Search the prospects (relationships) across the workspace's campaigns by contact "
        "name or email (q), domain, campaign and status; newest first. Free.",
        "{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\",\"maxLength\":320,"
        "\"description\":\"Contact name or email contains (case-insensitive).\"},\"domain\":"
        "{\"type\":\"string\",\"description\":\"Exact domain, such as example.com.\"},"
        "\"campaignId\":" S_CAMPAIGN_ID("Only this campaign") ",\"status\":" S_NAMES(
            REL_STATUSES, "Relationship statuses") ",\"limit\":" S_LIMIT ",\"cursor\":" S_CURSOR
                                                   "},\"additionalProperties\":false}",
        OUTPUT(S_LIST(S_RELATIONSHIP)), 1, 0, 1, 0, MCP_CALL_GET,
        "/v1/link-building/crm/relationship", NULL, NULL},
    {"link_building_inbound_list", "link_building.inbound.list", "List inbound mail",
        "List received mail, newest first: replies, auto-replies, bounces and unsubscribes, "
        "with the campaign and prospect each was matched to and its new text. Free.",
        "{\"type\":\"object\",\"properties\":{\"campaignId\":" S_CAMPAIGN_ID(
            "Only this campaign") ",\"class\":" S_NAMES(INBOUND_CLASSES,
            "Classes") ",\"matched\":{\"type\":\"boolean\","
                       "\"description\":\"Only mail matched (true) or not matched (false) to a "
                       "campaign.\"},"
                       "\"limit\":" S_LIMIT ",\"cursor\":" S_CURSOR
                       "},\"additionalProperties\":false}",
        OUTPUT(S_LIST(S_INBOUND)), 1, 0, 1, 0, MCP_CALL_GET, "/v1/link-building/inbound", NULL,
        NULL},
    {"link_building_approval_list", "link_building.approval.list", "List the approval queue",
        "List outbound emails by state, newest first; by default those waiting for a person's "
        "approval (status pending). Approving is left to people and approver keys. Free.",
        "{\"type\":\"object\",\"properties\":{\"status\":" S_NAMES(MSG_STATUSES,
            "Message statuses (pending is awaiting_approval)") ",\"kind\":" S_NAMES(MSG_KINDS,
            "Kinds") ",\"campaignId\":" S_CAMPAIGN_ID("Only this campaign") ",\"limit\":" S_LIMIT
                                                                            ",\"cursor\":" S_CURSOR
                                                                            "},"
                                                                            "\"additionalProperties"
                                                                            "\":false}",
        OUTPUT(S_LIST(S_APPROVAL)), 1, 0, 1, 0, MCP_CALL_GET, "/v1/approvals", NULL, NULL},
};

const struct mcp_tool *
mcp_tools(size_t *n)
{
	*n = sizeof(tools) / sizeof(tools[0]);
	return tools;
}

const struct mcp_tool *
mcp_tool_find(const char *name)
{
	/* the reference's prose also drops the namespace: "crm.relationship.list" */
	static const char ns[] = "link_building.";
	size_t i;

	for (i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (strcmp(name, tools[i].name) == 0 || strcmp(name, tools[i].dotted) == 0 ||
		    (strncmp(tools[i].dotted, ns, sizeof(ns) - 1) == 0 &&
		        strcmp(name, tools[i].dotted + sizeof(ns) - 1) == 0))
			return &tools[i];
	return NULL;
}

json_t *
mcp_tools_list(int dotted)
{
	json_t *list = json_array(), *t, *in, *out;
	json_error_t jerr;
	size_t i;

	if (list == NULL)
		return NULL;
	for (i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		const struct mcp_tool *d = &tools[i];

		in = json_loads(d->input_schema, 0, &jerr);
		out = json_loads(d->output_schema, 0, &jerr);
		t = in && out ? json_pack("{s:s,s:s,s:s,s:O,s:O,s:{s:s,s:b,s:b,s:b,s:b}}", "name",
		                    dotted ? d->dotted : d->name, "title", d->title, "description",
		                    d->description, "inputSchema", in, "outputSchema", out,
		                    "annotations", "title", d->title, "readOnlyHint", d->read_only,
		                    "destructiveHint", d->destructive, "idempotentHint",
		                    d->idempotent, "openWorldHint", d->open_world)
		              : NULL;
		json_decref(in);
		json_decref(out);
		if (t == NULL || json_array_append_new(list, t) != 0) {
			json_decref(list);
			return NULL;
		}
	}
	return json_pack("{s:o}", "tools", list);
}
