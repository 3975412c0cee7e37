/* -v's account of this kernel's BPF features: one line each, at the session's start, of
 * what every detection found and which path the tool takes for it (docs/kernels.md). The
 * detections stay with their owners (bpf_features, raw_tp_link, uprobe_multi, kfeatures),
 * each run once per process: the probes that follow reuse the answers. */
#ifndef LT_KFEATURE_REPORT_H
#define LT_KFEATURE_REPORT_H

struct session;

/* Prints the lines to stderr ("ltrace-ebpf: FEATURE: ANSWER[: PATH]"). */
void kfeature_report(struct session *s);

#endif
