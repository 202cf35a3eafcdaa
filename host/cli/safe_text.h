/*
 * safe_text.h — names from a model, a file or a driver made safe to print
 * (host/escape.h): every print site of the CLI that shows such a name
 * wraps it in cli_safe().
 */
#ifndef CLINFER_CLI_SAFE_TEXT_H
#define CLINFER_CLI_SAFE_TEXT_H

/* `s` with control bytes, newlines included, and invalid UTF-8 escaped as
 * \xNN (cut at about 1000 bytes). The result lives in one of 8 rotating
 * per-thread buffers: valid until the 8th later call, which is enough for
 * the arguments of one printf. NULL gives "". */
const char *cli_safe(const char *s);

#endif
