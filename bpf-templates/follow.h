/* Shared with the host: nothing beyond lt_abi.h's lt_pids, which follow.bpf.c shares
 * with the uprobe template (the host hands it the same map fd before load). */
#ifndef LT_FOLLOW_H
#define LT_FOLLOW_H

#include "lt_abi.h"

#endif
