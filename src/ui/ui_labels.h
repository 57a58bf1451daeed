/* ui_labels.h: the words the pages show for the API's identifiers. */
#ifndef LC_UI_LABELS_H
#define LC_UI_LABELS_H

#include <stddef.h>

/* ui_label returns the words a page shows for one of the API's identifiers: a message's
 * kind or status, a prospect's status, a placement issue, why a message is held, an inbound
 * message's class. The API and the CSV keep the identifiers; a person reads words. An
 * identifier without a label is returned as it is (code itself); NULL stays NULL. The
 * result is static or code: never to be freed. */
const char *ui_label(const char *code);

/* ui_labels_join writes into out (size n > 0) the labels of a comma-separated list of
 * identifiers ("not_followed,anchor_differs"), joined by ", ", always NUL-terminated; a
 * list that does not fit is cut at a whole label. */
void ui_labels_join(const char *codes, char *out, size_t n);

#endif
