/* ui_mailbox_form.h: the form of a mailbox's page (ui_mailbox_form.c), shared by its
 * handlers (ui_mailbox_edit.c). Only src/ui includes this. */
#ifndef LC_UI_MAILBOX_FORM_H
#define LC_UI_MAILBOX_FORM_H

#include <jansson.h>

#include "core/mailbox.h"
#include "core/mailbox_imap.h"
#include "ui/ui_app.h"

#define UI_MBX_FOLDERS_MAX 1100 /* IMAP_FOLDERS_MAX names of at most 200 bytes, one a line */

/* A refusal found before core: the form field (static), and why (static or the thread's
 * own buffer until its next call). */
struct form_fail {
	const char *field, *detail;
};

/* ui_mbx_stored_form is the form's values for the stored settings v and, when have_imap,
 * iv; never a password, only whether one is set. New reference; NULL without memory. */
json_t *ui_mbx_stored_form(const struct mailbox_view *v, const struct imap_view *iv, int have_imap);
/* ui_mbx_typed_form is the form's values as typed in f (passwords left out), to show a
 * refused form again. New reference; NULL without memory. */
json_t *ui_mbx_typed_form(const struct ui_form *f);
/* ui_mbx_form_in reads f into a change of every field of the mailbox (in), but the
 * passwords left empty and IMAP settings (imap) equal to the stored ones (iv, have_imap):
 * in->imap is then NULL. folders (UI_MBX_FOLDERS_MAX bytes) holds the folder names
 * imap points to; in and imap borrow from f and folders. 0, or -1 with ff filled. */
int ui_mbx_form_in(const struct ui_form *f, const struct imap_view *iv, int have_imap,
    struct mailbox_in *in, struct imap_in *imap, char *folders, struct form_fail *ff);
/* ui_mbx_field_of_param is the form field of an API parameter a refusal of core names
 * ("window.timeZone" -> "time_zone"), NULL when none. */
const char *ui_mbx_field_of_param(const char *param);
/* ui_mbx_label is a form field's label ("Time zone"); the name itself when unknown. */
const char *ui_mbx_label(const char *name);

#endif
