/*
 * safe_text.h — names from a model, a file or a driver made safe to print
 * (host/escape.h): every print site of the CLI that shows such a name
 * wraps it in cli_safe(), and every JSON string goes through
 * cli_json_string().
 */
#ifndef CLINFER_CLI_SAFE_TEXT_H
#define CLINFER_CLI_SAFE_TEXT_H

/* `s` with control bytes, newlines included, and invalid UTF-8 escaped as
 * \xNN (cut at about 1000 bytes). The result lives in one of 8 rotating
 * per-thread buffers: valid until the 8th later call, which is enough for
 * the arguments of one printf. NULL gives "". */
const char *cli_safe(const char *s);

/* Prints `s` to stdout as a JSON string: quoted, '"' and '\\' escaped,
 * control bytes as \u00NN, invalid UTF-8 as the text \xNN (as
 * cli_safe escapes it), so the output always parses. NULL gives "". */
void cli_json_string(const char *s);

#endif
