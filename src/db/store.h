/* store.h: not a header of the product any more. Every store_*.c has its own header
 * (issue 14 item 5); product code includes the header of the store file it uses. This
 * file remains only for bench/verify.c, which includes it and belongs to the benchmark's
 * branch: once it includes store_campaigns.h and store_relationships.h instead, delete
 * this file (and its line in Makefile.am). */
#ifndef LC_STORE_H
#define LC_STORE_H

#include "db/store_accounts.h"
#include "db/store_campaigns.h"
#include "db/store_events.h"
#include "db/store_relationships.h"
#include "db/store_workspaces.h"

#endif
