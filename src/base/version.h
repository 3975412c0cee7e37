/* The tool's version: -V, and the session line of --json (docs/json.md). */
#ifndef LT_VERSION_H
#define LT_VERSION_H

#define LT_VERSION "0.1.0"

#endif
