// SPDX-License-Identifier: GPL-2.0
/* The owner of the session's shared maps: every map of lib/maps.bpf.h and no program. The
 * session loads this object first (src/core/session.c) and hands its map fds to every other
 * template before that one loads (session_share_maps), so the core names no probe kind and
 * the binary holds these few kilobytes for the owner, not a template's programs. */
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "lib/maps.bpf.h"
